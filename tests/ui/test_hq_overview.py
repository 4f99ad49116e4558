"""Headquarters' Overview and Reports pages together: the offices that have not
reported, a cell opened into its reports, the office filter, and cells that fit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QStyle

from fieldplan import progress
from fieldplan.model import STATUSES, ProgressReport
from fieldplan.offices import all_offices
from fieldplan.replica import open_replica
from tests.ui.conftest import read_once_shown, wait_idle
from ui.models import (
    NO_REPORT,
    NOT_SUBMITTED,
    ROW_ROLE,
    SENT_LATE,
    ReportTableModel,
    search_texts,
)


def report(office: str, action: str, period: str, *, status: str = "on-track",
           percent: int | None = 50, state: str = "draft") -> ProgressReport:
    return ProgressReport(office, action, period, status, percent, (), "", "", "", state,
                          "2026-03-01T10:00:00Z", "x")


def _overview(open_window, qtbot, hq_db, reports, known):
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded((reports, known, page.period))
    return window, page


def _offices_shown(page) -> list[str]:
    proxy, model = page.proxy, page.model
    return [model.office_at(proxy.mapToSource(proxy.index(r, 0)).row())
            for r in range(proxy.rowCount())]


def test_the_overview_lists_the_offices_that_have_not_reported(open_window, qtbot, hq_db):
    """The status filter offered only the six statuses: no way to list the offices
    that have not reported. "No report": nothing at all in the areas shown; "Not
    submitted": nothing submitted there (drafts perhaps), as the review pack's
    "Offices that have not reported"."""
    period = "2026-S1"
    reports = [
        report("ML", "PA1.1", period, state="submitted"),  # reported
        report("SN", "PA1.1", period),  # drafts only
        report("SN", "PA2.1", period),
        report("BF", "PA2.1", period, state="submitted"),  # reported, on PA2 only
    ]
    _window, page = _overview(open_window, qtbot, hq_db, reports, ["AZ", "BF", "ML", "SN"])
    combo = page.status
    statuses = [combo.itemData(i) for i in range(combo.count())]
    assert statuses[-3:] == [NO_REPORT, NOT_SUBMITTED, SENT_LATE]

    combo.setCurrentIndex(combo.findData(NO_REPORT))
    assert _offices_shown(page) == ["AZ"]
    combo.setCurrentIndex(combo.findData(NOT_SUBMITTED))
    assert _offices_shown(page) == ["AZ", "SN"]
    # in one area: BF submitted nothing on PA1
    page.area.setCurrentIndex(page.area.findData("PA1"))
    assert _offices_shown(page) == ["AZ", "BF", "SN"]
    combo.setCurrentIndex(combo.findData(NO_REPORT))
    assert _offices_shown(page) == ["AZ", "BF"]
    combo.setCurrentIndex(0)
    assert _offices_shown(page) == ["AZ", "BF", "ML", "SN"]


def test_the_overview_counts_the_offices_its_filters_list(open_window, qtbot, hq_db):
    """Which offices had not reported for the semester the Overview listed, but how
    many was to be counted row by row, scrolling through 57 offices; found by QA (a
    semester review). Beside the filters it says how many offices they list, of those
    in the table, headquarters apart (as the review pack's cover counts them)."""
    period = "2026-S1"
    reports = [
        report("ML", "PA1.1", period, state="submitted"),
        report("SN", "PA1.1", period),  # drafts only
        report("BF", "PA2.1", period, state="submitted"),
        report("HQ", "PA1.6", period),  # headquarters' own, not submitted
    ]
    _window, page = _overview(open_window, qtbot, hq_db, reports, ["AZ", "BF", "ML", "SN"])
    assert _offices_shown(page) == ["AZ", "BF", "ML", "SN", "HQ"]
    assert page.count.text() == "4 of 4 offices" and page.count.isVisible()
    page.status.setCurrentIndex(page.status.findData(NOT_SUBMITTED))
    assert _offices_shown(page) == ["AZ", "SN"]
    assert page.count.text() == "2 of 4 offices"
    page.office.setText("Senegal")
    assert page.count.text() == "1 of 4 offices"
    # the count keeps room for the widest it may say: the filters do not move
    assert page.count.width() >= page.count.fontMetrics().horizontalAdvance("4 of 4 offices")


def test_the_overview_counts_no_offices_beside_headquarters_row_alone(
        open_window, qtbot, hq_db):
    """Headquarters filtering its Overview on the level "Global" saw its own row, and
    beside the filters "0 of 3 offices", as if the table were empty; found by QA (HQ
    reviewing its global actions). Headquarters' row alone listed, the count of the
    offices is not shown; a level the offices report on brings it back."""
    period = "2026-S1"
    reports = [
        report("ML", "PA1.1", period, state="submitted"),
        report("RO-Dakar", "PA1.4", period, state="submitted"),
        report("HQ", "PA1.6", period, state="submitted"),
    ]
    _window, page = _overview(open_window, qtbot, hq_db, reports, ["ML", "RO-Dakar", "SN"])
    where = page.level.geometry()
    page.level.setCurrentIndex(page.level.findData("global"))
    assert _offices_shown(page) == ["HQ"]
    assert page.count.text() == ""
    page.layout().activate()  # (the bar laid out again, as it would be)
    assert page.level.geometry() == where
    page.level.setCurrentIndex(page.level.findData("regional"))
    assert _offices_shown(page) == ["RO-Dakar"]
    assert page.count.text() == "1 of 3 offices"
    page.level.setCurrentIndex(0)
    page.office.setText("Headquarters")  # by its name: the same
    assert _offices_shown(page) == ["HQ"] and page.count.text() == ""
    page.office.setText("Nowhere")  # nothing listed: "No office matches", and the count
    assert _offices_shown(page) == [] and page.count.text() == "0 of 3 offices"


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_overview_lists_offices_in_the_review_packs_order(lang, open_window, qtbot,
                                                               hq_db, language, tmp_path):
    """The Overview listed offices by code (BN, GM, HQ, KG…) where the review pack
    lists the offices by their names in the reader's language: an officer comparing
    the two found the rows in another order. The pack's order it is, and a click on a
    column's header still sorts by it (the office column back into that order, then
    reversed). Headquarters' row is last, set apart by a line, as the pack's matrix
    has its own reports after the offices' under a label of their own (the Overview
    listed it first among the offices)."""
    from PySide6.QtCore import QPoint

    from fieldplan.offices import offices_in_order
    from ui.hq_desk import hq_apart_edge

    language(lang)
    codes = ["BN", "GM", "KG", "HQ", "DZ", "EG", "TR", "MA", "AE", "TD", "CI", "RO-Cairo"]
    _window, page = _overview(open_window, qtbot, hq_db,
                              [report("TR", "PA1.1", "2026-S1")], codes)
    # as the pack's matrix lists them: the offices, then headquarters
    packs = [*offices_in_order([c for c in codes if c != "HQ"], lang), "HQ"]
    assert _offices_shown(page) == packs
    proxy = page.proxy
    last = len(packs) - 1
    assert {hq_apart_edge(proxy.index(last, c)) for c in range(proxy.columnCount())} == {
        "top"}
    assert hq_apart_edge(proxy.index(last - 1, 1)) == "" == hq_apart_edge(proxy.index(0, 0))
    _window.resize(1100, 600)
    _window.grab().save(str(tmp_path / f"overview-{lang}.png"))  # to look at
    header = page.view.horizontalHeader()

    def click(column: int) -> None:
        x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(x, header.height() // 2))

    click(1)  # by the first area's cells: Türkiye's report first
    assert _offices_shown(page)[0] == "TR"
    assert _offices_shown(page)[-1] == "HQ"
    # (headquarters' row last here too, as a row without reports: no line, the rows
    # being in the order of their statuses, not the pack's)
    assert {hq_apart_edge(proxy.index(row, c)) for row in range(last + 1)
            for c in range(proxy.columnCount())} == {""}
    click(0)
    assert _offices_shown(page) == packs
    click(0)
    assert _offices_shown(page) == packs[::-1]
    assert hq_apart_edge(proxy.index(0, 2)) == "bottom"  # headquarters first: below it


def _click_header(qtbot, view, column: int) -> None:
    from PySide6.QtCore import QPoint

    header = view.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_reports_list_offices_in_the_review_packs_order(lang, open_window, qtbot, hq_db,
                                                             language, monkeypatch):
    """The Reports page listed each period's reports by office code (BD, BN, HQ, NG…)
    where the review pack and the Overview list headquarters first, then the offices by
    their names in the reader's language. The pack's order it is, as the page opens
    (within each period) and at a click on the Office column's header (then reversed);
    the other columns sort as they did. Headquarters comes last, apart, as in the
    pack's matrix and the Overview."""
    from fieldplan.offices import offices_in_order

    language(lang)
    codes = ["AE", "BD", "BN", "CI", "DZ", "EG", "HQ", "MA", "NG", "RO-Cairo", "TD", "TR"]
    periods, actions = ("2025-S2", "2026-S1"), ("PA1.1", "PA1.2")
    # as progress.list_reports gives them: by period, office code, action
    held = [report(code, action, period, percent=(7 * n) % 100)
            for n, (period, code, action) in enumerate(
                (p, c, a) for p in periods for c in codes for a in actions)]
    page = reports_page_holding(held, open_window, hq_db, qtbot, monkeypatch)
    packs = [o for o in offices_in_order(codes, lang) if o != "HQ"] + ["HQ"]
    assert packs[0] == "RO-Cairo" and packs != sorted(codes)

    def shown() -> list[tuple[str, str, str]]:
        return [(r.period, r.office, r.action)
                for r in map(page.model.row_at, range(page.model.rowCount()))]

    assert shown() == [(p, o, a) for p in periods for o in packs for a in actions]
    header = page.view.horizontalHeader()
    _click_header(qtbot, page.view, ReportTableModel.OFFICE)
    assert header.sortIndicatorSection() == ReportTableModel.OFFICE
    assert header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert shown() == [(p, o, a) for o in packs for p in periods for a in actions]
    _click_header(qtbot, page.view, ReportTableModel.OFFICE)
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert [o for _p, o, _a in shown()][::4] == packs[::-1]
    _click_header(qtbot, page.view, ReportTableModel.PERCENT)  # as before
    percents = [page.model.row_at(r).percent for r in range(page.model.rowCount())]
    assert percents == sorted(percents, reverse=header.sortIndicatorOrder()
                              == Qt.SortOrder.DescendingOrder)
    _click_header(qtbot, page.view, ReportTableModel.ACTION)
    actions_shown = [a for _p, _o, a in shown()]
    assert actions_shown == sorted(actions_shown, reverse=header.sortIndicatorOrder()
                                   == Qt.SortOrder.DescendingOrder)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_reports_name_the_offices_as_the_overview(lang, open_window, qtbot, hq_db,
                                                      language, monkeypatch, tmp_path):
    """The Office column showed the code alone (its tooltip too): listed by the offices'
    names, the codes looked out of order (in French, AE after BN). It names the office
    as the Overview does ("BD · Bangladesh"), in the review pack's order, and so does
    the "Filter by office" list; a long name ends with "…" in a column that leaves the
    narratives room, the whole name in the tooltip."""
    from fieldplan.offices import offices_in_order
    from ui.context import office_label

    language(lang)
    codes = ["AE", "BD", "BN", "EG", "HQ", "RO-Bangkok", "SA", "TD"]
    held = [report(code, "PA1.1", "2026-S1") for code in codes]
    page = reports_page_holding(held, open_window, hq_db, qtbot, monkeypatch)
    # headquarters last, apart, as the Overview and the review pack's matrix list it
    packs = [o for o in offices_in_order(codes, lang) if o != "HQ"] + ["HQ"]
    column = ReportTableModel.OFFICE
    cells = [page.model.index(r, column) for r in range(page.model.rowCount())]
    assert [c.data() for c in cells] == [office_label(o) for o in packs]
    assert [c.data() for c in cells][::len(cells) - 1] == {
        "en": ["RO-Bangkok · Regional Office, Bangkok", "HQ · Headquarters"],
        "ar": ["RO-Bangkok · المكتب الإقليمي، بانكوك", "HQ · المقر الرئيسي"]}[lang]
    assert "BD · " + ("Bangladesh" if lang == "en" else "بنغلاديش") in [c.data() for c in cells]
    tips = [c.data(Qt.ItemDataRole.ToolTipRole) for c in cells]
    assert all(label in tip for label, tip in zip(map(office_label, packs), tips, strict=True))
    # the Overview's names, in the Overview's order (headquarters' row last, apart, as
    # the pack's matrix has it): the Reports page listed headquarters first
    overview = page.window().hq_desk.overview
    overview._loaded(([], codes, overview.period))
    names = [c.data() for c in cells]
    assert [overview.model.data(overview.model.index(r, 0))
            for r in range(overview.model.rowCount())] == names
    # the filter lists every office in that order, after "All offices", headquarters
    # last, after a line
    listed = [page.office.itemData(i) for i in range(1, page.office.count())]
    assert listed[-2:] == [None, "HQ"]  # (a separator's data: none)
    offices = listed[:-2]
    assert offices == offices_in_order(offices, lang) and "HQ" not in offices
    assert [o for o in listed if o in codes] == packs
    # the table sorted by office again (its arrow): the same order
    page.view.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    assert [page.model.index(r, column).data() for r in range(page.model.rowCount())] \
        == [office_label(o) for o in packs]
    page.grab().save(str(tmp_path / f"reports-offices-{lang}.png"))
    page.office.setMaxVisibleItems(12)  # (its end in sight: headquarters apart)
    page.office.setCurrentIndex(page.office.findData("HQ"))
    page.office.showPopup()
    qtbot.waitUntil(page.office.view().isVisible, timeout=5000)
    page.office.view().window().grab().save(
        str(tmp_path / f"reports-office-filter-{lang}.png"))
    page.office.hidePopup()
    assert page.office.itemText(page.office.findData("BD")) == office_label("BD")
    # room for headquarters' name, not for the longest (the narratives keep theirs),
    # in a window with room for every column (in a narrower one the name gives way)
    page.window().resize(1366, 700)
    qtbot.waitUntil(lambda: page.window().width() == 1366)
    QApplication.processEvents()
    width = page.view.fontMetrics().horizontalAdvance
    assert width(office_label("HQ")) < page.view.columnWidth(column) \
        < width(office_label("RO-Bangkok"))


def test_the_office_filter_ignores_accents(open_window, qtbot, hq_db):
    _window, page = _overview(open_window, qtbot, hq_db, [], ["CI", "ML"])
    page.office.setText("cote")
    assert _offices_shown(page) == ["CI"]


def test_the_office_filter_finds_a_name_typed_in_another_language(open_window, qtbot,
                                                                   hq_db, language):
    """A name typed in French ("Tchad") found nothing once the window was made again in
    Arabic, the filter kept ("No office matches these filters"), nor did a Latin name
    typed in the Arabic window; found by QA (a language change mid-way through the
    review)."""
    language("ar")
    _window, page = _overview(open_window, qtbot, hq_db, [], ["ML", "TD", "SN"])
    for typed, found in (("Tchad", ["TD"]), ("mali", ["ML"]), ("Chad", ["TD"]),
                         ("مالي", ["ML"]), ("SN", ["SN"]), ("Ouganda", [])):
        page.office.setText(typed)
        assert _offices_shown(page) == found, typed


@pytest.mark.parametrize("how", ["enter", "double-click"])
def test_an_overview_cell_opens_its_reports(how, open_window, qtbot, hq_db):
    """A double-click or Enter on a cell did nothing: it opens the Reports page on that
    office's reports of the period in that area, the table in the focus."""
    with open_replica(hq_db) as rep:
        progress.record_progress(rep, "PA1.6", "2025-S2", status="at-risk", percent=5)
    window = open_window(hq_db)
    window.resize(1280, 720)
    window.set_period("2026-S1")  # hq_db's reports
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    reports = window.hq_desk.reports
    reports.search.setText("joint")  # a search, a status, all periods: all cleared
    reports.status.setCurrentIndex(reports.status.findData("off-track"))
    reports.scope.setCurrentIndex(reports.scope.findData(""))
    window.show_page(page)
    view, model = page.view, page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "HQ")
    column = next(c for c in range(1, model.columnCount()) if model.area_at(c) == "PA1")
    index = page.proxy.mapFromSource(model.index(row, column))
    if how == "enter":
        view.setFocus()
        view.setCurrentIndex(index)
        qtbot.keyClick(view, Qt.Key.Key_Return)
    else:
        at = view.visualRect(index).center()
        # a double-click is a press and release, then a second press that is the
        # double-click (QTest's alone has no first press)
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.waitUntil(lambda: window.tabs.currentWidget().isAncestorOf(reports), timeout=5000)
    wait_idle(qtbot, window.session)
    assert reports.office.currentData() == "HQ" and reports.area.currentData() == "PA1"
    assert reports.scope.currentData() == "period" and not reports.status.currentData()
    assert reports.search.text() == ""
    shown = [reports.model.row_at(r) for r in range(reports.model.rowCount())]
    assert [(r.office, r.action, r.period) for r in shown] == [("HQ", "PA1.6", "2026-S1")]
    assert QApplication.focusWidget() is reports.view
    # its report chosen and read below (the table had the focus and no row: one more
    # key before anything was shown; found by QA)
    assert reports.model.row_at(reports.view.currentIndex().row()).action == "PA1.6"
    assert reports.view.selectionModel().isRowSelected(0)
    assert "Joint statement drafted" in reports.detail.toPlainText()

    # the office's own column: every area
    window.show_page(page)
    view.setFocus()
    view.setCurrentIndex(page.proxy.mapFromSource(model.index(row, 0)))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert reports.office.currentData() == "HQ" and reports.area.currentData() == ""
    assert sorted(reports.model.row_at(r).action for r in range(reports.model.rowCount())) == [
        "PA1.6", "PA3.6"]


def test_an_overview_cell_opened_before_the_reports_are_read_chooses_its_first(
        open_window, qtbot, hq_db):
    """The Reports page built by the cell's Enter, its reports read after: the first of
    the cell's is chosen once they are; found by QA (a keyboard walk)."""
    window = open_window(hq_db)
    window.set_period("2026-S1")
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "HQ")
    page.view.setFocus()
    page.view.setCurrentIndex(page.proxy.mapFromSource(model.index(row, 0)))
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    reports = window.hq_desk.reports
    wait_idle(qtbot, window.session)
    assert QApplication.focusWidget() is reports.view
    assert reports.model.row_at(reports.view.currentIndex().row()).action == "PA1.6"
    assert "Joint statement drafted" in reports.detail.toPlainText()
    # chosen once: a reload later leaves the row the person chose
    reports.view.clearSelection()
    reports.view.setCurrentIndex(reports.model.index(1, 0))
    reports.refresh()
    wait_idle(qtbot, window.session)
    assert reports.view.currentIndex().row() == 1


def test_reports_are_filtered_by_office_and_area(open_window, qtbot, hq_db, language):
    """Typing "MA" in the search found narratives, not Morocco's reports: the Reports
    page has an office filter, every office named in the language shown, and an area
    filter."""
    language("fr")
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.office.itemData(0) == ""  # all offices
    assert page.office.itemText(page.office.findData("CI")) == "CI · Côte d’Ivoire"
    period = window.period
    reports = [report("MA", "PA1.1", period), report("MA", "PA2.1", period),
               report("ML", "PA1.1", period), report("MA", "PA1.1", "2025-S2")]
    page._loaded((reports, [()] * len(reports), search_texts(reports)))
    page.office.setCurrentIndex(page.office.findData("MA"))
    assert [page.model.row_at(r).action for r in range(page.model.rowCount())] == [
        "PA1.1", "PA2.1"]
    page.area.setCurrentIndex(page.area.findData("PA2"))
    assert [page.model.row_at(r).action for r in range(page.model.rowCount())] == ["PA2.1"]
    page.office.setCurrentIndex(0)
    page.area.setCurrentIndex(page.area.findData("PA1"))
    assert sorted(page.model.row_at(r).office for r in range(page.model.rowCount())) == [
        "MA", "ML"]
    # the office's name, as its column shows it, is searched too ("Maroc" found
    # nothing unless a narrative said it)
    page.area.setCurrentIndex(0)
    page.search.setText("maroc")
    qtbot.waitUntil(lambda: sorted(page.model.row_at(r).action for r in range(
        page.model.rowCount())) == ["PA1.1", "PA2.1"], timeout=5000)


def _longest_status_cells(open_window, qtbot, hq_db, size, percent):
    """The Overview at ``size``, Mali's cells each showing the status with the longest
    word (with "○1" for one not started beside it, but beside "not started"), drafts
    and ``percent``, with every member state's row (the office column as
    wide as at the reviewer's headquarters). Returns the page, that status's word, and
    Mali's cells (proxy indexes) each with the room for its text."""
    from fieldplan.i18n import status_label

    window = open_window(hq_db)
    window.resize(*size)
    metrics = window.fontMetrics()
    # the widest: a status that has started has one not started said beside it ("○1")
    mark = metrics.horizontalAdvance(" ○1")
    longest = max(STATUSES, key=lambda s: metrics.horizontalAdvance(status_label(s))
                  + (mark if s != "not-started" else 0))
    period = window.period
    reports = [report("ML", f"PA{area}.{n}", period,
                      status=longest if n < 3 else "not-started",
                      percent=percent if n < 3 else None,
                      state="submitted" if n == 1 else "draft")
               for area in range(1, 5) for n in (1, 2, 3)]
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded((reports, [o for o in all_offices() if not o.startswith("RO-")],
                  page.period))
    QApplication.processEvents()
    view, model = page.view, page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "ML")
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view)
                  + 1)
    cells = [page.proxy.mapFromSource(model.index(row, column))
             for column in range(1, model.columnCount())]
    return page, status_label(longest), [(i, view.visualRect(i).width() - margin)
                                         for i in cells]


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_overview_cells_fit_at_1280_pixels(lang, open_window, qtbot, hq_db, language):
    """In French at 1280×720, "● En bonne voie · rapports : 3 sur 3 · …" was cut before
    its mean percent: a cell with the longest status, drafts and 100 % fits its column
    in every language, and the tooltip has the mean too."""
    language(lang)
    page, _word, cells = _longest_status_cells(open_window, qtbot, hq_db, (1280, 720), 100)
    for index, room in cells:
        text = index.data()
        assert page.view.fontMetrics().horizontalAdvance(text) <= room, (text, room)
        # the drafts, the one not started beside another status, and the mean
        assert "✎" in text and text.count("·") == 2, text
        assert ("○1" in text) == (not text.startswith("○")), text
        tip = index.data(Qt.ItemDataRole.ToolTipRole)
        mean = index.data().rsplit("·", 1)[1].strip().strip("\u2066\u2069")
        assert tip.splitlines()[-1].endswith(mean)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_overview_needs_no_sideways_scrolling_once_narrowed(lang, open_window, qtbot,
                                                               hq_db, language):
    """Its areas share the table's width, but the last one kept its first width as
    the table narrowed (Qt's stretched last section): a laptop at 150 % (a window of
    895 pixels) opened the Overview with the last area cut off behind a sideways
    scroll bar, and any window made narrower too."""
    language(lang)
    window = open_window(hq_db)
    window.resize(1200, 600)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    view = page.view
    header = view.horizontalHeader()
    for width in (1000, 880, 800):
        window.resize(width, 600)
        qtbot.waitUntil(lambda w=width: window.width() == w)
        QApplication.processEvents()
        assert header.length() <= view.viewport().width(), width
        assert not view.horizontalScrollBar().isVisible(), width
        areas = [header.sectionSize(c) for c in range(1, header.count())]
        assert max(areas) - min(areas) <= 1, areas


def test_filters_that_let_no_office_through_say_so(open_window, qtbot, hq_db):
    """A bare table was all an Overview filter matching nothing showed."""
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.proxy.rowCount() > 0 and not page.nothing.isVisibleTo(window)
    page.office.setText("no office is called this")
    assert page.proxy.rowCount() == 0
    assert page.nothing.isVisibleTo(window)
    assert page.nothing.text() == "No office matches these filters."
    page.office.clear()
    assert not page.nothing.isVisibleTo(window)


def drawn_text(view, index) -> str:
    """A cell's text as its delegate draws it in the cell's rectangle."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = view.visualRect(index)
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option.text


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_a_narrow_overview_cell_keeps_its_percent(lang, open_window, qtbot, hq_db, language):
    """At 1024 pixels the Arabic cells were cut before their mean percent, the figure
    headquarters looks for: a cell too narrow for its status's word shows the symbol
    alone, and the rest whole. The percent reads "68%" in Arabic, as in every other
    table (after the words, the sign went to the number's left)."""
    language(lang)
    page, word, cells = _longest_status_cells(open_window, qtbot, hq_db, (1024, 600), 68)
    for index, room in cells:
        text = drawn_text(page.view, index)
        assert page.view.fontMetrics().horizontalAdvance(text) <= room, (text, room)
        assert text.endswith("68\u00a0%" if lang == "fr" else "68%" if lang == "en"
                             else "\u206668%\u2069"), text
        if text != index.data():
            assert word not in text and word in index.data()


def test_the_narrative_shown_is_always_of_a_report_listed(open_window, qtbot, hq_db):
    """A report chosen, then a filter that leaves it out: its narrative stayed under
    a list of other offices' reports, as if it were one of theirs. It stays while its
    report is listed, and goes with it."""
    with open_replica(hq_db) as rep:
        for action in ("PA1.6", "PA2.6"):
            progress.record_progress(rep, action, "2026-S1", status="at-risk",
                                     achievements=f"Narrative of {action}.")
    window = open_window(hq_db)
    window.set_period("2026-S1")
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    model = reports.model
    row = next(r for r in range(model.rowCount()) if model.row_at(r).action == "PA1.6")
    reports.view.setCurrentIndex(model.index(row, 0))
    assert "Narrative of PA1.6." in reports.detail.toPlainText()
    reports.status.setCurrentIndex(reports.status.findData("at-risk"))  # still listed
    assert model.row_at(reports.view.currentIndex().row()).action == "PA1.6"
    assert "Narrative of PA1.6." in reports.detail.toPlainText()
    reports.search.setText("PA2.6")  # left out
    assert model.rowCount() == 1
    assert reports.detail.toPlainText() == ""
    reports.search.setText("nothing matches this")
    assert model.rowCount() == 0 and reports.detail.toPlainText() == ""


def test_the_reports_area_filter_follows_an_amended_plan(open_window, qtbot, hq_db):
    """A new plan's areas are the Reports page's choices (the one chosen kept while
    the plan has it), and its actions decide which area a report is in."""
    from dataclasses import replace

    window = open_window(hq_db)
    window.set_period("2026-S1")
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page.area.setCurrentIndex(page.area.findData("PA3"))
    assert [page.model.row_at(r).action for r in range(page.model.rowCount())] == ["PA3.6"]
    plan = window.identity.plan
    # an amendment that moves PA1.6 into PA3 and leaves PA4 out
    moved = tuple(replace(a, area="PA3") if a.code == "PA1.6" else a for a in plan.actions
                  if a.area != "PA4")
    amended = replace(plan, areas=tuple(a for a in plan.areas if a.code != "PA4"),
                      actions=moved)
    window.hq_desk.set_identity(replace(window.identity, plan=amended))
    assert [page.area.itemData(i) for i in range(page.area.count())] == [
        "", "PA1", "PA2", "PA3"]
    assert page.area.currentData() == "PA3"
    assert sorted(page.model.row_at(r).action for r in range(page.model.rowCount())) == [
        "PA1.6", "PA3.6"]


def test_the_not_reported_filters_count_only_areas_where_an_office_reports(
        open_window, qtbot, hq_db):
    """An area with no global action asks nothing of headquarters: "No report" and
    "Not submitted" in that area do not list it, as they did from its empty cells."""
    from dataclasses import replace

    period = "2026-S1"
    reports = [report("ML", "PA2.1", period, state="submitted")]
    known = ["AZ", "HQ", "ML"]
    window, page = _overview(open_window, qtbot, hq_db, reports, known)
    page.area.setCurrentIndex(page.area.findData("PA2"))
    page.status.setCurrentIndex(page.status.findData(NO_REPORT))
    # PA2.6: HQ has one to report on, said apart from the offices
    assert _offices_shown(page) == ["AZ"] and page.proxy.hq_said_apart()
    plan = window.identity.plan
    # an amendment that moves PA2's global action into PA1
    amended = replace(plan, actions=tuple(
        replace(a, area="PA1") if a.code == "PA2.6" else a for a in plan.actions))
    window.hq_desk.set_identity(replace(window.identity, plan=amended))
    page._loaded((reports, known, page.period))
    assert page.area.currentData() == "PA2"
    for status in (NO_REPORT, NOT_SUBMITTED):
        page.status.setCurrentIndex(page.status.findData(status))
        assert _offices_shown(page) == ["AZ"] and not page.proxy.hq_said_apart()
    page.area.setCurrentIndex(page.area.findData("PA1"))  # where PA2.6 went
    assert _offices_shown(page) == ["AZ", "ML"] and page.proxy.hq_said_apart()
    page.area.setCurrentIndex(0)  # every area: PA1, PA3 and PA4 still ask HQ
    assert _offices_shown(page) == ["AZ"] and page.proxy.hq_said_apart()


def test_the_not_reported_filters_say_headquarters_apart(open_window, qtbot, hq_db,
                                                         tmp_path):
    """"Not submitted" listed headquarters' row among the offices that have not
    reported when it had submitted none of its own reports on the global actions:
    the review pack and the lock warning no longer count it among them (it is no
    office that reports to itself) and say it in a sentence of their own. So does the
    Overview, under the offices it lists, and only where its filters would have
    listed headquarters."""
    period = "2026-S1"
    reports = [
        report("HQ", "PA1.6", period),  # a draft of headquarters' own
        report("ML", "PA1.1", period, state="submitted"),
        report("SN", "PA1.1", period),
    ]
    known = ["HQ", "ML", "SN"]
    window, page = _overview(open_window, qtbot, hq_db, reports, known)
    window.resize(1000, 600)
    note = page.hq_apart
    assert _offices_shown(page) == ["ML", "SN", "HQ"] and note.isHidden()
    page.status.setCurrentIndex(page.status.findData(NOT_SUBMITTED))
    assert _offices_shown(page) == ["SN"] and not note.isHidden()
    assert note.text() == ("Headquarters has submitted none of its own reports on the "
                           "global actions for this period.")
    window.grab().save(str(tmp_path / "not-submitted.png"))  # to look at
    # it has a report (a draft): "No report" has nothing to say of it
    page.status.setCurrentIndex(page.status.findData(NO_REPORT))
    assert _offices_shown(page) == [] and note.isHidden()
    assert not page.nothing.isHidden()  # "No office matches these filters."
    # in one area, that area's global actions
    page.status.setCurrentIndex(page.status.findData(NOT_SUBMITTED))
    page.area.setCurrentIndex(page.area.findData("PA2"))
    assert _offices_shown(page) == ["ML", "SN"]
    assert note.text() == ("Headquarters has submitted none of its own reports on the "
                           "global actions of \u2068PA2\u2069 for this period.")
    # filters that leave headquarters out anyway: nothing to say apart
    page.area.setCurrentIndex(0)
    page.level.setCurrentIndex(page.level.findData("national"))
    assert _offices_shown(page) == ["SN"] and note.isHidden()
    page.level.setCurrentIndex(0)
    page.office.setText("Mali")
    assert _offices_shown(page) == [] and note.isHidden()
    page.office.setText("")
    assert not note.isHidden()
    # submitted: nothing to say
    submitted = [replace(reports[0], state="submitted"), *reports[1:]]
    page._loaded((submitted, known, page.period))
    assert _offices_shown(page) == ["SN"] and note.isHidden()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_reports_period_column_fits_its_words(lang, open_window, qtbot, hq_db, language,
                                                  tmp_path):
    """The Reports table says each period in words, as the Overview's chooser does
    ("2nd semester 2027", not "2027-S2"), in a column wide enough for them."""
    from fieldplan.i18n import format_period

    language(lang)
    window = open_window(hq_db)
    window.resize(1280, 720)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    reports = [report("ML", "PA1.1", p) for p in ("2025-S2", "2026-S1", "2027-S2")]
    page._loaded((reports, [()] * len(reports), search_texts(reports)))
    QApplication.processEvents()
    view = page.view
    shown = [view.model().index(r, ReportTableModel.PERIOD).data()
             for r in range(view.model().rowCount())]
    assert sorted(shown) == sorted(format_period(r.period) for r in reports)
    room = view.columnWidth(ReportTableModel.PERIOD)
    assert max(view.fontMetrics().horizontalAdvance(t) for t in shown) < room
    window.grab().save(str(tmp_path / f"reports-{lang}.png"))  # to look at


def test_the_overview_awaits_no_office_on_a_level_the_plan_has_not(
        clock, open_window, qtbot, hq_db, tmp_path):
    """HQ installed a plan without regional actions: the Overview still had a row of
    "no report" for every regional office enrolled (as the review pack counted them),
    on actions they could not report on. (Enrolled in February: clock.)"""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan
    from fieldplan.sync import enroll_office

    with open_replica(hq_db) as rep:
        enroll_office(rep, "RO-Bangkok", tmp_path / "ro-setup.fieldplan")
        enroll_office(rep, "ML", tmp_path / "ml-setup.fieldplan")
        plan = rep.plan()
        path = tmp_path / "plan-v2.json"
        dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=tuple(
            a for a in plan.actions if a.level != "regional")), path)
        replace_plan(rep, path, allow_hiding=True)
        rep.conn.commit()
    window = open_window(hq_db)
    window.set_period("2026-S1")
    page = window.hq_desk.overview
    window.show_page(page)
    page.refresh()
    wait_idle(qtbot, window.session)
    assert [page.model.office_at(r) for r in range(page.model.rowCount())] == ["ML", "HQ"]


def test_a_hidden_reports_page_reads_the_reports_again_once_shown(
        open_window, qtbot, hq_db, monkeypatch):
    """It read every report again at each save, shown or not: at a 57-office
    headquarters with a period locked, half a second of the database's thread at each
    save made on another tab. A change seen while it is hidden is read once it is
    shown, on the database's thread."""
    import threading

    import ui.hq_desk

    window = open_window(hq_db)
    window.set_period("2026-S1")  # hq_db's reports
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    read: list[int] = []
    real = ui.hq_desk.list_reports

    def list_reports(rep, *args, **kwargs):
        if not args and not kwargs:  # (every report: the Reports page's)
            read.append(threading.get_ident())
        return real(rep, *args, **kwargs)

    monkeypatch.setattr(ui.hq_desk, "list_reports", list_reports)

    def typed_elsewhere() -> None:
        with open_replica(hq_db) as rep:
            progress.record_progress(rep, "PA1.6", "2026-S1", percent=45)

    read_once_shown(window, qtbot, reports, read, typed_elsewhere)
    shown = [reports.model.data(reports.model.index(r, 0), ROW_ROLE)
             for r in range(reports.model.rowCount())]
    assert any(r.action == "PA1.6" and r.percent == 45 for r in shown)


def reports_page_holding(held, open_window, hq_db, qtbot, monkeypatch):
    """HQ's Reports page, every period shown, the reports ``held`` read from it."""
    import ui.hq_desk

    monkeypatch.setattr(ui.hq_desk, "list_reports", lambda rep, period=None, office=None: [
        r for r in held if period in (None, r.period) and office in (None, r.office)])
    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    qtbot.waitUntil(lambda: page.model.rowCount() == len(held), timeout=5000)
    return page


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_overview_legend_wraps_between_its_items_only(lang, qapp, language):
    """The legend under the Overview wrapped inside an item in French at 1366 pixels
    ("✎1 :" alone at a line's end, its words on the next): at any width that holds its
    longest item, each item stays on one line."""
    from PySide6.QtGui import QFontMetricsF, QTextLayout, QTextOption

    from ui.hq_desk import legend_text

    language(lang)
    text = legend_text()
    font = QApplication.font()
    longest = max(QFontMetricsF(font).horizontalAdvance(item) for item in text.split("   "))
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    for width in range(int(longest) + 1, 1500, 7):
        layout = QTextLayout(text, font)
        layout.setTextOption(option)
        layout.beginLayout()
        starts = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            starts.append(line.textStart())
        layout.endLayout()
        inside = [text[max(0, s - 12):s] + "|" + text[s:s + 12] for s in starts[1:]
                  if not text[:s].endswith("   ")]
        assert inside == [], width


def test_the_overview_awaits_an_office_from_the_period_it_was_enrolled_in(
        clock, open_window, qtbot, hq_db, tmp_path):
    """Offices enrolled in December were rows of "No report" in the Overview of the
    first semester, and its "Not submitted" listed them, while the period was not
    locked: as the review pack and the lock check (sync.export.expected_offices), an
    office is awaited from the period in which headquarters enrolled it."""
    from fieldplan.sync import enroll_office

    with open_replica(hq_db) as rep:
        enroll_office(rep, "SN", tmp_path / "SN-setup.fieldplan")  # February (clock)
        clock("2026-12-01")
        for office in ("JO", "RO-Dakar"):
            enroll_office(rep, office, tmp_path / f"{office}-setup.fieldplan")
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    for period, awaited in (("2026-S1", {"SN"}), ("2026-S2", {"SN", "JO", "RO-Dakar"})):
        window.set_period(period)
        wait_idle(qtbot, window.session)
        assert page.period == period
        page.status.setCurrentIndex(0)
        assert set(_offices_shown(page)) == awaited | {"HQ"}
        for status in (NO_REPORT, NOT_SUBMITTED):
            page.status.setCurrentIndex(page.status.findData(status))
            assert set(_offices_shown(page)) == awaited  # (headquarters said apart)


def test_the_overview_says_every_office_awaited_has_submitted_and_names_those_not_awaited(
        clock, open_window, qtbot, hq_db, tmp_path, language):
    """A past period on which every office awaited submitted: "Not submitted" showed
    only "No office matches these filters.", as if a filter were wrong, and the
    Overview said nothing of JO, enrolled in December, which the review pack names as
    not awaited on the period. It says that every office awaited has reported (only
    when that filter alone empties the table), and names JO under the table."""
    from fieldplan.sync import enroll_office
    from tests.fixtures.reports.seed import write_progress

    with open_replica(hq_db) as rep:
        enroll_office(rep, "SN", tmp_path / "SN-setup.fieldplan")  # February (clock)
        write_progress(rep, "SN", "2026-S1")
        clock("2026-12-01")
        enroll_office(rep, "JO", tmp_path / "JO-setup.fieldplan")
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert _offices_shown(page) == ["SN", "HQ"]
    assert not page.not_awaited.isHidden()
    assert page.not_awaited.text().endswith(
        "Not awaited on this period, as it was enrolled after the period ended: "
        "Jordan (JO).")
    page.status.setCurrentIndex(page.status.findData(NOT_SUBMITTED))
    assert _offices_shown(page) == [] and not page.nothing.isHidden()
    assert page.nothing.text() == "Every office awaited on this period has reported for it."
    page.grab().save(str(tmp_path / "overview-en.png"))
    # another filter too: no office matches them
    page.office.setText("Senegal")
    assert page.nothing.text() == "No office matches these filters."
    page.office.setText("")
    page.status.setCurrentIndex(page.status.findData(NO_REPORT))
    assert page.nothing.text() == "No office matches these filters."
    # the next period awaits JO: nothing said apart
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    assert page.not_awaited.isHidden() and "JO" in _offices_shown(page)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_overview_says_why_offices_rolled_out_after_a_period_are_not_awaited_on_it(
        clock, open_window, qtbot, hq_db, tmp_path, language, lang):
    """Headquarters rolled fieldplan out to SN and TD in August 2026, after 2026-S1
    ended: the Overview of 2026-S1 has no row of them, and says under its table that
    they are not awaited, enrolled after the period ended (not left out silently, as
    the review pack says it too); 2026-S2 awaits them."""
    from fieldplan.sync import enroll_office
    from tests.fixtures.reports.seed import write_progress

    with open_replica(hq_db) as rep:
        enroll_office(rep, "ML", tmp_path / "ML-setup.fieldplan")  # February (clock)
        write_progress(rep, "ML", "2026-S1")
        clock("2026-08-12")  # the rollout
        for office in ("SN", "TD"):
            enroll_office(rep, office, tmp_path / f"{office}-setup.fieldplan")
        clock("2026-08-20")
    language(lang)
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert set(_offices_shown(page)) == {"ML", "HQ"}
    assert not page.not_awaited.isHidden()
    said = page.not_awaited.text()
    assert "TD" in said and "SN" in said
    if lang == "en":
        assert said.endswith(
            "Not awaited on this period, as they were enrolled after the period ended: "
            "Chad (TD), Senegal (SN).")
    QApplication.processEvents()
    page.grab().save(str(tmp_path / f"overview-rollout-{lang}.png"))
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    assert page.not_awaited.isHidden()
    assert {"SN", "TD"} <= set(_offices_shown(page))


def test_the_overview_says_an_office_came_after_the_period_was_locked(
        clock, open_window, qtbot, hq_db, tmp_path):
    """2026-S1, locked in May, before it ended: SN and TD, enrolled in June, came after
    the lock. The Overview said "enrolled after the period ended or was locked" of
    every such office, locked period or not; it says which came first, as the review
    pack does. Found by QA."""
    from fieldplan.sync import enroll_office
    from tests.fixtures.reports.seed import write_progress

    with open_replica(hq_db) as rep:
        enroll_office(rep, "ML", tmp_path / "ML-setup.fieldplan")  # February (clock)
        write_progress(rep, "ML", "2026-S1")
        clock("2026-05-20")
        progress.set_period_lock(rep, "2026-S1")
        clock("2026-06-10")
        for office in ("SN", "TD"):
            enroll_office(rep, office, tmp_path / f"{office}-setup.fieldplan")
        clock("2026-08-20")
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert page.not_awaited.text().endswith(
        "Not awaited on this period, as they were enrolled after the period was locked: "
        "Chad (TD), Senegal (SN).")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_overview_lists_the_offices_that_sent_late(
        clock, open_window, qtbot, hq_db, tmp_path, language, lang):
    """Preparing the review of 2026-S1, headquarters could see which offices had not
    reported (Not submitted), but which sent their data after the deadline only on
    page 5 of a 300-page review pack, made in 20 seconds; found by QA (a semester
    review of 57 offices). "Sent late" lists them, as the pack does, and says after
    which day; in one area, those whose late data is there."""
    from fieldplan.progress import record_progress, submit_period
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    bundles = {}
    with open_replica(hq_db) as hq:
        for office in ("SN", "ML"):  # February (clock)
            enroll_office(hq, office, tmp_path / f"{office}-setup.fieldplan")
            with init_from_setup(tmp_path / f"{office}.sqlite3",
                                 tmp_path / f"{office}-setup.fieldplan") as rep:
                action = rep.plan().actions_of(level="national")[0]
                record_progress(rep, action.code, "2026-S1", status="on-track", percent=30)
                submit_period(rep, "2026-S1")
                (tmp_path / office).mkdir()
                bundles[office] = export_bundle(rep, out_dir=tmp_path / office).path
        clock("2026-07-10")  # on time: the deadline is 30 July
        assert import_bundle(hq, bundles["SN"]).outcome == "merged"
        clock("2026-08-20")
        assert import_bundle(hq, bundles["ML"]).outcome == "merged"
    language(lang)
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    assert _offices_shown(page) == ["ML", "SN", "HQ"]
    page.status.setCurrentIndex(page.status.findData(SENT_LATE))
    # while the late offices are read, no count ("0 of 2 offices" said none was late)
    assert page.deadline is None and page.count.isHidden()
    wait_idle(qtbot, window.session)  # (read once chosen)
    assert _offices_shown(page) == ["ML"]
    assert not page.count.isHidden()
    assert page.nothing.isHidden() and not page.late_note.isHidden()
    from datetime import date

    from fieldplan.i18n import format_date

    assert format_date(date(2026, 7, 30)) in page.late_note.text()
    if lang == "en":
        assert page.count.text() == "1 of 2 offices"
    window.grab().save(str(tmp_path / f"late-{lang}.png"))
    # in an area where ML's late report is not: none, and said so
    page.area.setCurrentIndex(page.area.findData(action.area) + 1)
    assert _offices_shown(page) == []
    assert page.nothing.isHidden() and not page.late_note.isHidden()
    assert format_date(date(2026, 7, 30)) in page.late_note.text()
    # the office filter still applies
    page.area.setCurrentIndex(0)
    page.office.setText("Senegal")
    assert _offices_shown(page) == []


def test_the_offices_that_sent_late_are_read_only_for_their_filter(
        open_window, qtbot, hq_db, monkeypatch):
    """Which offices sent late is read from the period's whole event log (a third of a
    second at a million events): read at each of the Overview's loads, every import and
    save made it wait for them. Only while "Sent late" is chosen; again at a change
    then, and for another period."""
    import fieldplan.reports.late as late

    asked = []
    real = late.late_offices
    monkeypatch.setattr(late, "late_offices",
                        lambda rep, period, *a, **k: asked.append(period) or real(
                            rep, period, *a, **k))
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    page.status.setCurrentIndex(page.status.findData(NOT_SUBMITTED))
    wait_idle(qtbot, window.session)
    assert asked == []
    page.status.setCurrentIndex(page.status.findData(SENT_LATE))
    wait_idle(qtbot, window.session)
    assert asked == ["2026-S1"] and not page.late_note.isHidden()
    page.status.setCurrentIndex(0)
    page.status.setCurrentIndex(page.status.findData(SENT_LATE))
    wait_idle(qtbot, window.session)
    assert asked == ["2026-S1"]  # (nothing changed meanwhile)
    window.set_period("2026-S2")
    wait_idle(qtbot, window.session)
    assert asked == ["2026-S1", "2026-S2"]


def _ml_sent_late(hq_db, tmp_path, clock) -> None:
    """ML, enrolled in February, reports on 2026-S1; its bundle reaches headquarters on
    20 August, after the default deadline (30 July)."""
    from fieldplan.progress import record_progress, submit_period
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    with open_replica(hq_db) as hq:
        enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")  # February (clock)
        with init_from_setup(tmp_path / "ML.sqlite3", tmp_path / "ML-setup.fieldplan") as rep:
            action = rep.plan().actions_of(level="national")[0]
            record_progress(rep, action.code, "2026-S1", status="on-track", percent=30)
            submit_period(rep, "2026-S1")
            bundle = export_bundle(rep, out_dir=tmp_path).path
        clock("2026-08-20")  # after the default deadline, 30 July
        assert import_bundle(hq, bundle).outcome == "merged"


def _sent_late(window, qtbot):
    page = window.hq_desk.overview
    window.show_page(page)
    window.set_period("2026-S1")
    page.status.setCurrentIndex(page.status.findData(SENT_LATE))
    wait_idle(qtbot, window.session)
    return page


def _pack_dialog(window, qtbot):
    from tests.ui.test_report_preview import choose

    dialog = choose(window, "pack")
    dialog.period_combo.setCurrentIndex(dialog.period_combo.findData("2026-S1"))
    wait_idle(qtbot, window.session)  # (the days named, read)
    return dialog


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_sent_late_follows_the_deadline_the_review_pack_names(
        clock, open_window, qtbot, hq_db, tmp_path, monkeypatch, settings, language, lang):
    """"Sent late" followed the default deadline (30 days after the period) while the
    review pack's dialog named another day: the screen listed ML as late and the
    printed pack did not. The day named for the pack is the Overview's too, kept in
    the database: the dialog offers it again, and so it does on another computer or
    user account (other window settings), which printed the default's pack and
    listed ML as late."""
    from datetime import date

    from fieldplan.i18n import format_date
    from fieldplan.reports.deadlines import named_deadlines

    _ml_sent_late(hq_db, tmp_path, clock)
    language(lang)
    asked = []
    monkeypatch.setattr("ui.report_preview.generate",
                        lambda session, parent, request: asked.append(request))
    window = open_window(hq_db)
    page = _sent_late(window, qtbot)
    assert _offices_shown(page) == ["ML"]
    dialog = _pack_dialog(window, qtbot)
    dialog.deadline_edit.setDate(date(2026, 8, 31))
    dialog.accept()
    assert asked[-1].deadline == date(2026, 8, 31)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: page.deadline == date(2026, 8, 31))
    assert _offices_shown(page) == []  # as the pack: ML's data came before 31 August
    assert format_date(date(2026, 8, 31)) in page.late_note.text()
    window.resize(1366, 768)
    window.grab().save(str(tmp_path / f"late-named-day-{lang}.png"))
    with open_replica(hq_db) as hq:  # the database's, not this computer's
        assert named_deadlines(hq) == {"2026-S1": date(2026, 8, 31)}
    assert not any("deadline" in key for key in settings.allKeys())
    # the dialog offers the day again for the period
    again = _pack_dialog(window, qtbot)
    assert again.deadline_edit.date().toPython() == date(2026, 8, 31)
    again.reject()
    window.close()
    # another user account (window settings of its own) opening the same database
    settings.clear()
    settings.sync()
    other = open_window(hq_db)
    page = _sent_late(other, qtbot)
    assert page.deadline == date(2026, 8, 31) and _offices_shown(page) == []
    dialog = _pack_dialog(other, qtbot)
    assert dialog.deadline_edit.date().toPython() == date(2026, 8, 31)
    dialog.accept()
    assert asked[-1].deadline == date(2026, 8, 31)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_deadline_the_command_line_named_is_the_clients(
        clock, open_window, qtbot, hq_db, tmp_path, capsys, language, lang):
    """``report review --deadline`` names the period's deadline in the database: the
    client's Overview and review pack dialog follow it (they followed this computer's
    window settings, else the default: another list of late offices than the pack
    printed from the command line)."""
    from datetime import date

    from fieldplan.cli import main
    from fieldplan.i18n import format_date

    _ml_sent_late(hq_db, tmp_path, clock)
    out = tmp_path / "pack.pdf"
    assert main(["--db", str(hq_db), "report", "review", "--period", "2026-S1",
                 "--deadline", "2026-08-25", "-o", str(out)]) == 0
    capsys.readouterr()
    language(lang)
    window = open_window(hq_db)
    page = _sent_late(window, qtbot)
    assert page.deadline == date(2026, 8, 25) and _offices_shown(page) == []
    assert format_date(date(2026, 8, 25)) in page.late_note.text()
    window.resize(1366, 768)
    window.grab().save(str(tmp_path / f"late-cli-day-{lang}.png"))
    dialog = _pack_dialog(window, qtbot)
    assert dialog.deadline_edit.date().toPython() == date(2026, 8, 25)
    dialog.grab().save(str(tmp_path / f"pack-dialog-cli-day-{lang}.png"))
    dialog.reject()


def test_the_deadlines_kept_in_window_settings_become_the_databases(
        clock, open_window, qtbot, hq_db, tmp_path, settings):
    """The days an earlier release's dialog kept in this computer's window settings
    are carried into the database at the window's opening, once (nobody loses the day
    they set), for the periods it names none for, and leave the settings."""
    from datetime import date

    from fieldplan.reports.deadlines import named_deadlines, set_deadline
    from ui.window_settings import REVIEW_DEADLINES, database_key

    _ml_sent_late(hq_db, tmp_path, clock)
    with open_replica(hq_db) as hq:
        set_deadline(hq, "2025-S2", date(2026, 3, 1))  # named since, elsewhere: stays
        key = database_key(hq.replica_id, REVIEW_DEADLINES)
    settings.setValue(key, {"2026-S1": "2026-08-31", "2025-S2": "2026-02-20"})
    settings.sync()
    window = open_window(hq_db)
    page = _sent_late(window, qtbot)
    assert page.deadline == date(2026, 8, 31) and _offices_shown(page) == []
    with open_replica(hq_db) as hq:
        assert named_deadlines(hq) == {"2026-S1": date(2026, 8, 31),
                                       "2025-S2": date(2026, 3, 1)}
    assert not settings.contains(key)
