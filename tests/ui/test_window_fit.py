"""The main window on a 1366×768 laptop at 200 % (683×364 pixels of Qt less the task
bar, FRAME_ROOM less for the frame): its pages fit at the client's font, and at a
large one a page wider than the window scrolls rather than being cut off."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from ui.screen import FRAME_ROOM

#: the window's width at most on a 1366-pixel-wide screen at 200 %
LAPTOP_AT_200 = 1366 // 2 - FRAME_ROOM[0]


def visit_every_tab(window, qtbot) -> None:
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        wait_idle(qtbot, window.session)
    QApplication.processEvents()


def as_on_screen(qtbot, window, size: tuple[int, int]) -> None:
    """``window`` at ``size``, which it cannot be made smaller than (as on a screen of
    that room), laid out."""
    window.setMinimumSize(*size)
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == tuple(size))
    QApplication.processEvents()


def test_the_overview_fits_a_laptop_at_200_percent(open_window, qtbot, hq_db, in_language,
                                                   font_size):
    """Its area, level and status filters took their longest item's width (an area's
    whole title): the page was 786 pixels wide at least in English at 10 points, 1,351
    in French at 14, and the window as wide once the Overview had been shown."""
    font_size(10)  # the client's (ui.app.apply_font)
    window = open_window(hq_db)
    visit_every_tab(window, qtbot)
    page = window.hq_desk.overview
    assert page.minimumSizeHint().width() <= LAPTOP_AT_200
    for combo in (page.area, page.level, page.status):
        assert combo.minimumSizeHint().width() < LAPTOP_AT_200 // 4


def test_at_14_points_a_page_too_wide_scrolls_and_the_window_fits(open_window, qtbot, hq_db,
                                                                  in_language, font_size):
    """The Reports page's search bar (four filters and the count) was wider at 14
    points than a laptop at 200 % is: the page made the window as wide at least (Qt's
    tabs are as large as their largest page), and the screen cut off its end. The page
    now scrolls to the rest, no narrower than its smallest, and the window fits. (The
    bar fits now, its filters cut: a search field as wide as the laptop stands for a
    page too wide.)"""
    font_size(14)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    page.search.setMinimumWidth(LAPTOP_AT_200)
    visit_every_tab(window, qtbot)
    assert window.minimumSizeHint().width() <= LAPTOP_AT_200
    window.show_page(page)
    # as small as the window lets itself be on such a screen (its room less the frame)
    window.setMinimumSize(LAPTOP_AT_200, 364 - FRAME_ROOM[1])
    window.resize(LAPTOP_AT_200, 364 - FRAME_ROOM[1])
    qtbot.waitUntil(lambda: window.width() == LAPTOP_AT_200)
    QApplication.processEvents()
    assert page.minimumSizeHint().width() > LAPTOP_AT_200  # (what this test is about)
    assert page.width() >= page.minimumSizeHint().width()  # nothing squeezed
    from PySide6.QtWidgets import QScrollArea

    scroll = window.tabs.currentWidget().findChild(QScrollArea, "page-scroll")
    bar = scroll.horizontalScrollBar()
    assert bar.isVisible()
    assert page.width() <= scroll.viewport().width() + bar.maximum()


@pytest.mark.parametrize("points", [10, 14])
def test_the_reports_search_field_keeps_room_beside_the_filters(open_window, qtbot, hq_db,
                                                                in_language, font_size, points):
    """At 200 % the Reports page's search field was squeezed to a few letters
    ("R…" at 14 points) beside its four filters, which kept eight characters each.
    It keeps about ten characters; the filters give way (their choice ends with "…"),
    and at 14 points the bar fits the laptop with no scrolling."""
    font_size(points)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    window.setMinimumSize(LAPTOP_AT_200, 364 - FRAME_ROOM[1])
    window.resize(LAPTOP_AT_200, 364 - FRAME_ROOM[1])
    qtbot.waitUntil(lambda: window.width() == LAPTOP_AT_200)
    QApplication.processEvents()
    search = page.search
    room = search.contentsRect().width() - search.textMargins().left() \
        - search.textMargins().right()
    assert room >= 10 * search.fontMetrics().averageCharWidth()
    assert search.width() >= search.minimumSizeHint().width()
    for combo in (page.scope, page.status, page.office, page.area):
        assert combo.width() < combo.sizeHint().width()  # (they gave way)
        assert combo.width() < search.width()
    from PySide6.QtWidgets import QScrollArea

    scroll = window.tabs.currentWidget().findChild(QScrollArea, "page-scroll")
    assert not scroll.horizontalScrollBar().isVisible()


def test_the_export_table_dialog_fits_a_laptop_at_200_percent(open_window, qtbot, hq_db,
                                                              in_language, font_size):
    """Its file types ("Classeur Excel, pour tout tableur (.xlsx)") made it 755 pixels
    wide at least in French at 14 points: where there is no room a choice ends with
    "…" (whole in its tooltip and its list); where there is, it is shown whole."""
    from tests.ui.test_table_export import open_dialog

    font_size(14)
    window = open_window(hq_db)
    dialog = open_dialog(window, qtbot)
    assert dialog.minimumSizeHint().width() <= LAPTOP_AT_200
    # (the tests' screen has room) the dialog as wide as its choices whole
    for combo in (dialog.format_combo, dialog.period_combo, dialog.lang_combo):
        assert combo.width() >= combo.sizeHint().width()
    dialog.close()
    wait_idle(qtbot, window.session)


def test_the_export_table_dialogs_buttons_after_a_save_leave_room(open_window, qtbot,
                                                                  hq_db, in_language,
                                                                  font_size, tmp_path):
    """Once a table was written its four buttons (Save as…, Open the file, Open the
    folder, Close) were on one row, 643 pixels wide in French at 14 points of the 667 a
    laptop at 200 % has. The two that open what was written are on a row of their own
    under its path: neither row takes more than half the laptop's width or so."""
    from tests.ui.test_table_export import open_dialog, save

    font_size(14)
    window = open_window(hq_db)
    dialog = open_dialog(window, qtbot)
    out = tmp_path / "t.xlsx"
    save(dialog, qtbot, out)
    qtbot.waitUntil(dialog.open_button.isVisible, timeout=10_000)
    rows = (dialog.save_button.parentWidget().minimumSizeHint().width(),
            dialog.file_row.minimumSize().width())
    assert max(rows) <= LAPTOP_AT_200 * 3 // 5, rows
    # as narrow as the laptop lets it be: every button whole, inside the dialog
    dialog.setMinimumWidth(0)
    width = max(dialog.minimumSizeHint().width(), LAPTOP_AT_200 * 3 // 5)
    dialog.resize(width, dialog.layout().totalHeightForWidth(width))
    QApplication.processEvents()
    buttons = (dialog.save_button, dialog.open_button, dialog.folder_button,
               dialog.close_button)
    for button in buttons:
        assert button.width() >= button.sizeHint().width(), button.text()
        place = QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        assert dialog.rect().contains(place), button.text()
    assert dialog.open_button.y() < dialog.save_button.parentWidget().y()
    chain, widget = [], dialog.open_button  # Tab goes through them as they are read
    while len(chain) < len(buttons):
        if widget in buttons:
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == [dialog.open_button, dialog.folder_button, dialog.save_button,
                     dialog.close_button]
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"table-export-written-{in_language}-14pt.png"))
    dialog.close()
    wait_idle(qtbot, window.session)


def test_on_a_short_screen_the_reports_table_keeps_a_few_rows(open_window, qtbot, hq_db,
                                                              in_language, font_size):
    """At 200 % the window has 316 pixels of height: the table of reports was squeezed
    to one row while the narrative below kept its full minimum. The table keeps three
    rows; the narrative gives up its height first, down to two lines."""
    font_size(10)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    short = 364 - FRAME_ROOM[1]
    window.setMinimumSize(LAPTOP_AT_200, short)  # (as on such a screen)
    window.resize(LAPTOP_AT_200, short)
    qtbot.waitUntil(lambda: window.height() == short)
    QApplication.processEvents()
    view, detail = page.view, page.detail
    rows = view.verticalHeader().defaultSectionSize()
    shown = view.viewport().height() // rows
    assert shown >= 3
    lines = detail.fontMetrics().lineSpacing()
    assert 2 * lines <= detail.viewport().height() <= 3 * lines + 8


class Gap:
    """A gap as the Inbox lists it (fieldplan.sync.Gap's message)."""

    def __init__(self, n: int) -> None:
        self.n = n

    def message(self) -> str:
        return f"ML: events {self.n}0–{self.n}9 missing"


#: the window on a 1366×768 laptop at 150 % (911×512 pixels of Qt), as it first opens
LAPTOP_AT_150 = (1366 * 2 // 3 - FRAME_ROOM[0], 768 * 2 // 3 - FRAME_ROOM[1])


def test_on_a_laptop_at_150_percent_the_inbox_gives_up_rows_not_its_last_line(
        open_window, qtbot, hq, make_office, tmp_path, in_language, font_size, monkeypatch):
    """A page is as high as the tab, or as its content at its least: Qt's scroll area
    gave a page with a wrapped label its preferred height, and on a laptop at 150 %
    the Inbox scrolled as a whole (355 pixels of room, 398 asked), the table inside a
    scroll bar of its own and the line under it ("Choose a bundle…") out of sight.
    The table gives up a few rows instead. (Four gaps listed: the gaps list is as high
    as its lines, and with one the page asks for no more than the room.)"""
    from PySide6.QtWidgets import QScrollArea

    import fieldplan.sync

    # a bundle imported: the table and the line under it (an Inbox with none says what
    # it is for in one sentence instead)
    office = make_office("ML")
    bundle = fieldplan.sync.export_bundle(office, out_dir=tmp_path).path
    assert fieldplan.sync.import_bundle(hq, bundle).outcome == "merged"
    hq_db = hq.path
    hq.close()
    monkeypatch.setattr(fieldplan.sync, "list_gaps", lambda rep: [Gap(n) for n in range(4)])
    font_size(10)
    window = open_window(hq_db)
    page = window.hq_desk.inbox
    window.show_page(page)
    wait_idle(qtbot, window.session)
    as_on_screen(qtbot, window, LAPTOP_AT_150)
    scroll = window.tabs.currentWidget().findChild(QScrollArea, "page-scroll")
    room = scroll.viewport().height()
    assert page.minimumSizeHint().height() < room < page.sizeHint().height()
    assert not scroll.verticalScrollBar().isVisible()
    detail = page.detail
    bottom = detail.mapTo(scroll.viewport(), QPoint(0, detail.height()))
    assert bottom.y() <= room
    assert page.view.height() >= page.view.minimumSizeHint().height()


def test_on_a_laptop_at_150_percent_the_reports_narratives_keep_their_header(
        open_window, qtbot, hq_db, in_language, font_size):
    """The Reports' columns are sized once, from samples: at 895 pixels they left the
    narratives 35 pixels in English ("evem" of Achievements), and in French and
    Arabic less than none: a sideways scroll bar. The office's name gives way (its
    code stays, the whole in its tooltip), down to its header's width, to leave the
    narratives theirs; with room again the name is as wide as before."""
    from ui.models import ReportTableModel

    font_size(10)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    view, header = page.view, page.view.horizontalHeader()
    office, narrative = ReportTableModel.OFFICE, ReportTableModel.ACHIEVEMENTS
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    QApplication.processEvents()
    wide = header.sectionSize(office)
    as_on_screen(qtbot, window, LAPTOP_AT_150)
    assert not view.horizontalScrollBar().isVisible()
    assert header.length() <= view.viewport().width()
    # its header's width, or all the office's name can give (its header's): at least
    # a dozen letters
    assert (header.sectionSize(narrative) >= header.sectionSizeHint(narrative)
            or header.sectionSize(office) == header.sectionSizeHint(office))
    assert header.sectionSize(narrative) >= 10 * view.fontMetrics().averageCharWidth()
    assert header.sectionSizeHint(office) <= header.sectionSize(office) < wide
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    QApplication.processEvents()
    assert header.sectionSize(office) == wide


def test_the_not_saved_question_fits_a_laptop_at_200_percent(open_window, qtbot, hq_db,
                                                             in_language, font_size):
    """Closing with typing kept nowhere asks what to do: its five buttons on one row
    were 1,041 pixels wide in French at 14 points, and on a laptop at 200 % Qt cut
    them ("gistrer dans un fichi"). Save to a file… and Copy to the clipboard are on a
    row of their own, before Try again, Close anyway and Go back."""
    from ui.drafts import journal_for
    from ui.unkept import UnkeptDialog

    font_size(14)
    window = open_window(hq_db)
    key = ("PA1.6", "2026-S1")
    dialog = UnkeptDialog(window, journal_for(window.session), [key], lambda: [key])
    dialog.discard_button.setVisible(True)  # (once copied: all five shown)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.minimumSizeHint().width() <= LAPTOP_AT_200
    dialog.resize(LAPTOP_AT_200, dialog.height())
    QApplication.processEvents()
    for button in (dialog.save_button, dialog.copy_button, dialog.retry_button,
                   dialog.discard_button, dialog.back_button):
        assert button.width() >= button.sizeHint().width(), button.text()
        place = QRect(button.mapTo(dialog, QPoint(0, 0)), button.size())
        assert dialog.rect().contains(place), button.text()
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"not-saved-{in_language}-14pt.png"))
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_the_report_preview_fits_a_laptop_at_200_percent(qtbot, hq_db, tmp_path, in_language,
                                                         font_size):
    """Its top row (Previous page, Next page, the page, Zoom out, Zoom in, Fit width) and
    its bottom row (Print…, Save as…, Open in the system viewer, Close) made it 956
    pixels wide at least in French at 14 points: on a laptop at 200 % the screen cut
    it off. The rows wrap where the window is narrow, the page buttons and the zoom
    buttons each kept together; where the screen is wide each is one line as before.
    Tab goes through them as they are read, the pages first."""
    import fieldplan.reports
    from fieldplan.replica import open_replica
    from ui.report_preview import PreviewWindow, ReportRequest

    pdf = tmp_path / "pack.pdf"
    with open_replica(hq_db) as rep:
        fieldplan.reports.build_review_pack(rep, "2026-S1", pdf)
    font_size(14)
    preview = PreviewWindow(None, pdf, ReportRequest("pack", "2026-S1", lang=in_language))
    qtbot.addWidget(preview)
    preview.show()
    qtbot.waitExposed(preview)
    # a file saved under a long name, said beside the buttons
    preview._save_ended(str(tmp_path / "fiche-d-avancement-SN-2026-S1-fr.pdf"),
                        None)
    assert preview.minimumSizeHint().width() <= LAPTOP_AT_200
    buttons = (preview.previous_button, preview.next_button, preview.zoom_out_button,
               preview.zoom_in_button, preview.fit_button, preview.print_button,
               preview.save_button, preview.open_button, preview.close_button)
    shown = (*buttons, preview.page_label, preview.saved_label)

    def laid_out_whole() -> None:
        places = []
        for widget in shown:
            assert widget.width() >= widget.minimumSizeHint().width(), widget.text()
            if widget not in (preview.saved_label,):
                assert widget.width() >= widget.sizeHint().width(), widget.text()
            place = QRect(widget.mapTo(preview, QPoint(0, 0)), widget.size())
            assert preview.rect().contains(place), widget.text()
            assert not any(place.intersects(other) for other in places), widget.text()
            places.append(place)
        label = preview.saved_label
        assert label.height() >= label.heightForWidth(label.width())
        assert preview.view.height() >= 100  # pages to read

    short = 364 - FRAME_ROOM[1]
    preview.resize(LAPTOP_AT_200, short)
    qtbot.waitUntil(lambda: preview.width() == LAPTOP_AT_200)
    QApplication.processEvents()
    laid_out_whole()
    # the page buttons together, the zoom buttons together
    assert preview.previous_button.y() == preview.next_button.y() == preview.page_label.y() \
        or preview.page_label.y() > preview.previous_button.y()
    assert preview.zoom_out_button.y() == preview.zoom_in_button.y() == preview.fit_button.y()
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        preview.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                         f"report-preview-{in_language}-14pt-laptop.png"))
    # on a large screen: one line each, the zoom buttons and Close at the far end
    preview.resize(1400, 800)
    qtbot.waitUntil(lambda: preview.width() == 1400)
    QApplication.processEvents()
    laid_out_whole()
    assert (preview.top_row.line_count(), preview.bottom_row.line_count()) == (1, 1)
    far = preview.rect().right() - preview.close_button.geometry().right()
    if in_language == "ar":  # (from the right: Close at the left-hand end)
        far = preview.close_button.geometry().left()
    assert far < 30
    chain, widget = [], preview.view
    while len(chain) < len(buttons) + 1:
        if widget in (preview.view, *buttons):
            chain.append(widget)
        widget = widget.nextInFocusChain()
    assert chain == [preview.view, *buttons]
    if os.environ.get("FIELDPLAN_SHOTS"):
        preview.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                         f"report-preview-{in_language}-14pt-large.png"))
    preview.close()


def test_the_reports_count_is_whole_and_over_nothing(open_window, qtbot, hq_db, in_language,
                                                     monkeypatch):
    """The count at the end of the Reports page's filters ("8 of 8, 2 hidden by the
    plan") took its width at once where it stood, past the page's edge in English and
    over the "All areas" filter in Arabic, until the bar was laid out again; and it
    kept that width beside the filters however narrow the page. It is inside the page
    and over no filter as soon as it is said, and whole once laid out; where the
    filters at their least leave no room for it, it goes on a line of its own under
    them."""
    from tests.ui.test_hq_overview import report, reports_page_holding

    # HQ's and a regional office's reports: the plan hides them (national actions)
    held = [report(code, "PA1.1", "2026-S1")
            for code in ("AE", "BD", "BN", "EG", "HQ", "RO-Bangkok", "SA", "TD")]
    page = reports_page_holding(held, open_window, hq_db, qtbot, monkeypatch)
    assert page.model.hidden_shown()

    def over_nothing(whole: bool = True) -> None:
        count = page.count
        place = QRect(count.mapTo(page, QPoint(0, 0)), count.size())
        assert page.rect().contains(place), (place, page.rect())
        for other in (page.search, page.scope, page.status, page.office, page.area,
                      page.view):
            there = QRect(other.mapTo(page, QPoint(0, 0)), other.size())
            assert not place.intersects(there), other
        if whole:
            assert count.width() >= count.fontMetrics().horizontalAdvance(count.text())

    over_nothing(whole=False)  # (said, not laid out again yet)
    QApplication.processEvents()
    over_nothing()
    assert page.search_bar.is_one_line()
    window = page.window()
    window.setMinimumSize(0, 0)
    window.resize(480, 500)
    qtbot.waitUntil(lambda: window.width() == 480)
    QApplication.processEvents()
    over_nothing()
    assert not page.search_bar.is_one_line()
    assert page.count.y() > page.area.y() + page.area.height() // 2
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        page.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                      f"reports-count-{in_language}-480.png"))


#: the window on a 1366×768 laptop at 150 % with a task bar (Qt's pixels)
LAPTOP_AT_150_TASK_BAR = (895, 437)


def test_the_inbox_gaps_list_is_as_high_as_its_lines(open_window, qtbot, hq_db, in_language,
                                                     monkeypatch):
    """The Inbox's gaps list was 90 pixels high for its one line ("No gaps: …"): on a
    laptop at 150 % the bundles received under it had room for four rows or so. It is
    as high as its lines, up to four of them (it scrolls to more)."""
    import fieldplan.sync

    window = open_window(hq_db)
    page = window.hq_desk.inbox
    window.show_page(page)
    wait_idle(qtbot, window.session)
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    gaps, view = page.gaps, page.view
    assert gaps.count() == 1
    line = gaps.sizeHintForRow(0)
    assert line <= gaps.viewport().height() <= line + 4
    rows = view.verticalHeader().defaultSectionSize()
    assert view.viewport().height() >= 7 * rows
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"inbox-gaps-{in_language}-895.png"))

    monkeypatch.setattr(fieldplan.sync, "list_gaps", lambda rep: [Gap(n) for n in range(9)])
    page.refresh()
    qtbot.waitUntil(lambda: gaps.count() >= 9, timeout=5000)
    QApplication.processEvents()
    assert 4 * line <= gaps.viewport().height() <= 4 * line + 4
    assert gaps.verticalScrollBar().isVisible()
    assert view.viewport().height() >= 4 * rows


@pytest.mark.parametrize("kind", ["status", "narrative"])
def test_on_a_laptop_at_150_percent_each_versions_keep_is_in_sight(
        open_window, qtbot, hq, make_office, tmp_path, in_language, kind):
    """On the office's Conflicts page at 150 % with a task bar, each version's Keep
    button was below the room of the versions (30 pixels or so): to be scrolled to,
    or the divider dragged. The versions are as high as their headings, their texts
    at two lines at the least and their buttons: the list above gives way, the text
    scrolls, and the Keep buttons are in sight under it whatever its length."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.test_conflict_versions import BODY, conflicts_page

    fields = ({"a": {"status": "on-track"}, "b": {"status": "at-risk"}} if kind == "status"
              else {"a": {"achievements": BODY + "went well."},
                    "b": {"achievements": BODY + "went badly."}})
    path = laptop_holding_a_conflict(hq, make_office, tmp_path, **fields).path
    window, page = conflicts_page(open_window, qtbot, path)
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    scroll = page.sides_scroll
    # (laid out in steps: the divider, the versions, their sideways scroll bar)
    qtbot.waitUntil(lambda: not scroll.verticalScrollBar().isVisible(), timeout=2000)
    room = scroll.viewport().rect()
    from ui.conflict_versions import VersionText

    for keep in page.keep_buttons:
        place = QRect(keep.mapTo(scroll.viewport(), QPoint(0, 0)), keep.size())
        assert room.contains(place), (place, room)
        value = keep.parentWidget().findChild(VersionText)
        assert value.viewport().height() >= 2 * value.fontMetrics().lineSpacing()
        assert value.y() + value.height() <= keep.y()  # (under the text)
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"conflicts-{kind}-{in_language}-895.png"))


def test_on_a_laptop_at_150_percent_the_versions_have_the_room_the_list_can_spare(
        open_window, qtbot, hq, make_office, tmp_path, in_language):
    """The divider between the Conflicts page's list and the versions started at half
    and half: on a laptop at 150 % with a task bar the list kept 140 pixels for its
    one conflict, and each version showed two lines of its narrative. The list gives
    way down to three rows, the versions show several lines; with room for both (a
    1366×768 screen), half and half as before; a divider a person moved stays."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.test_conflict_versions import BODY, conflicts_page
    from ui.conflict_versions import VersionText

    # (texts that fit together: too long together, Keep both is disabled and a line
    # above the versions says why, which takes one of their lines)
    body = BODY[:len(BODY) // 2]
    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"achievements": body + "went well."},
        b={"achievements": body + "went badly."}).path
    window, page = conflicts_page(open_window, qtbot, path)
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    splitter, view = page.splitter, page.view
    rows = view.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: view.viewport().height() < 4 * rows, timeout=2000)
    assert view.viewport().height() >= 3 * rows
    scroll = page.sides_scroll
    room = scroll.viewport().rect()
    for keep in page.keep_buttons:
        assert room.contains(QRect(keep.mapTo(scroll.viewport(), QPoint(0, 0)), keep.size()))
        text = keep.parentWidget().findChild(VersionText)
        assert text.viewport().height() >= 5 * text.fontMetrics().lineSpacing()
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"conflicts-share-{in_language}-895.png"))
    window.setMinimumSize(0, 0)
    as_on_screen(qtbot, window, (1366, 768))
    qtbot.waitUntil(lambda: abs(splitter.sizes()[0] - splitter.sizes()[1]) <= 1)
    assert page.filters()["split"] is None  # (the next window shares it out again)
    splitter.moveSplitter(splitter.sizes()[0] + 60, 1)  # (as a drag of the divider)
    assert page.filters()["split"] == splitter.sizes()
    window.setMinimumSize(0, 0)
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    assert view.viewport().height() >= 4 * rows  # (the person's share, in proportion)


def test_the_divider_fieldplan_0_3_kept_does_not_hold_the_versions_to_half(
        open_window, qtbot, hq, make_office, tmp_path):
    """fieldplan 0.3 kept the Conflicts page's divider at every closing, wherever it
    was (half and half, never moved): put back as a person's, it held the versions of
    a laptop at 150 % to two lines for every headquarters updated from 0.3. A divider
    kept since a person moved it is put back; 0.3 reads the settings kept now."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.test_conflict_versions import BODY, conflicts_page
    from ui.window_settings import restore_sizes

    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"achievements": BODY + "went well."},
        b={"achievements": BODY + "went badly."}).path
    window, page = conflicts_page(open_window, qtbot, path)
    splitter, view = page.splitter, page.view
    page.restore_filters({"split": [300, 300], "chosen": ""})  # (as 0.3 kept it)
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    rows = view.verticalHeader().defaultSectionSize()
    qtbot.waitUntil(lambda: view.viewport().height() < 4 * rows, timeout=2000)
    assert not splitter.placed and page.filters()["split"] is None
    splitter.moveSplitter(splitter.sizes()[0] + 60, 1)  # (as a drag of the divider)
    kept = page.filters()
    restore_sizes(splitter, kept["split"])  # (0.3 reads it: a list of sizes)
    splitter.placed = False
    page.restore_filters(kept)
    assert splitter.placed and page.filters()["split"] == splitter.sizes()


def test_on_a_laptop_at_150_percent_the_period_and_time_give_way_before_the_narrative(
        open_window, qtbot, hq_db, in_language, font_size):
    """In French at 895 pixels the Reports' Achievements column was 89 pixels, less
    than its header needs (116), while the period, the time updated and the percent
    kept their samples' widths (147, 155 and 121). Once the office's name is at its
    header's width, they give way in turn (their tooltips say them whole), so that the
    narrative keeps its header's; with room again they are as wide as before."""
    from ui.models import ReportTableModel as M

    font_size(10)
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    view, header = page.view, page.view.horizontalHeader()
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    QApplication.processEvents()
    wide = {c: header.sectionSize(c) for c in (M.OFFICE, M.PERIOD, M.UPDATED, M.PERCENT)}
    as_on_screen(qtbot, window, LAPTOP_AT_150_TASK_BAR)
    assert header.sectionSize(M.ACHIEVEMENTS) >= header.sectionSizeHint(M.ACHIEVEMENTS)
    assert header.length() <= view.viewport().width()
    narrowed = [c for c in (M.PERIOD, M.UPDATED, M.PERCENT) if header.sectionSize(c) < wide[c]]
    if narrowed:  # (only once the office's name has given all it can)
        assert header.sectionSize(M.OFFICE) == header.sectionSizeHint(M.OFFICE)
    for column in (M.PERIOD, M.UPDATED, M.PERCENT):  # (down to their headers at most)
        assert header.sectionSize(column) >= min(wide[column], header.sectionSizeHint(column))
    import os

    if os.environ.get("FIELDPLAN_SHOTS"):
        window.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"reports-columns-{in_language}-895.png"))
    window.resize(1366, 700)
    qtbot.waitUntil(lambda: window.width() == 1366)
    QApplication.processEvents()
    assert {c: header.sectionSize(c) for c in wide} == wide
