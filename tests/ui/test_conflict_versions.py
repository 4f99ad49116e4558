"""The versions of a conflicting value on the Conflicts page: each names the computer
that wrote it (this one marked: two laptops may share an account name and write in the
same minute), and two long narratives show where they differ, highlighted, each text
opened at its first difference."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QGroupBox, QLabel

from tests.scenes import laptop_holding_a_conflict, laptops_in_conflict
from tests.ui.conftest import wait_idle
from ui.qtcompat import Qt

BODY = "Paragraph one of the report. " * 600 + "\n\n"


def conflicts_page(open_window, qtbot, path, buttons: int = 2):
    """(window, its Conflicts page) on the database at ``path``, once the page shows
    ``buttons`` Keep buttons and the window is idle."""
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == buttons, timeout=5000)
    wait_idle(qtbot, window.session)
    return window, page


def boxes(page) -> list[QGroupBox]:
    """The versions shown now (those of a conflict shown before may await deletion)."""
    layout = page.sides_layout
    return [layout.itemAt(i).widget() for i in range(layout.count())]


def titles(page) -> list[str]:
    """Each version's heading: who wrote it, on which computer, when."""
    return [box.findChild(QLabel, "version-title").text() for box in boxes(page)]


def versions(page):
    from ui.conflict_versions import VersionText

    return [box.findChild(VersionText) for box in boxes(page)]


def test_each_version_names_its_computer_and_this_one(open_window, qtbot, hq, make_office,
                                                       tmp_path):
    path, replica, _code = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"status": "on-track"}, b={"status": "at-risk"})
    _window, page = conflicts_page(open_window, qtbot, path)
    plain = [t.replace("\u2068", "").replace("\u2069", "") for t in titles(page)]
    assert sum(f"on this computer ({replica[:8]})," in t for t in plain) == 1
    other = next(t for t in plain if "this computer" not in t)
    assert " on computer " in other and replica[:8] not in other
    # a status is read at a glance: nothing highlighted, nothing said of it
    assert all(v.spans == () and v.extraSelections() == [] for v in versions(page))
    assert "highlighted" not in page.message.text()


@pytest.mark.parametrize("layout", [Qt.LayoutDirection.LeftToRight,
                                    Qt.LayoutDirection.RightToLeft])
def test_long_narratives_open_at_their_difference_highlighted(open_window, qtbot, hq,
                                                              make_office, tmp_path, layout):
    """18,000 characters that differ in the last line: the user scrolled both boxes to
    the end to find "12 villages" against "21 villages"."""
    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"achievements": BODY + "Final: 12 villages reached."},
        b={"achievements": BODY + "Final: 21 villages reached."}).path
    QApplication.setLayoutDirection(layout)
    try:
        _window, page = conflicts_page(open_window, qtbot, path)
        shown = versions(page)
        texts = [v.toPlainText() for v in shown]
        assert sorted(t[s:e] for v, t in zip(shown, texts, strict=True) for s, e in v.spans) \
            == ["12", "21"]
        for value in shown:
            [selection] = value.extraSelections()
            assert selection.cursor.selectedText() in ("12", "21")
        assert ("Where the versions differ is highlighted; each opens at its first "
                "difference.") in page.message.text()
        # scrolled there, not at the top
        qtbot.waitUntil(lambda: all(v.first_difference_visible() for v in shown),
                        timeout=5000)
        assert all(v.verticalScrollBar().value() > 0 for v in shown)
    finally:
        QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_the_user_scrolls_and_stays_where_they_scrolled(qtbot):
    """Brought back to the difference as the pane takes its size, until the user
    scrolls."""
    from ui.conflict_versions import VersionText

    text = BODY + "Final: 12 villages reached."
    value = VersionText(text, ((len(text) - 19, len(text) - 17),))
    qtbot.addWidget(value)
    value.resize(400, 200)
    value.show()
    qtbot.waitUntil(value.first_difference_visible)
    bar = value.verticalScrollBar()
    bar.triggerAction(bar.SliderAction.SliderToMinimum)
    value.resize(420, 220)
    assert bar.value() == 0


def test_the_versions_differences_for_several_values():
    from ui.conflict_versions import version_differences

    spans = version_differences("achievements", ["one two", "one three", "four two"])
    assert spans == [((4, 7),), ((4, 9),), ((0, 4),)]
    assert version_differences("status", ["● On track", "▲ At risk"]) == [(), ()]


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_each_versions_heading_shows_whole_at_784_pixels(open_window, qtbot, hq, make_office,
                                                         tmp_path, language):
    """"Rédigé par root sur l'ordinateur f2a133b1, 5 déc. 2026, 03": a group box's
    title never wraps, and cut off the time. The heading wraps instead."""
    from ui.app import apply_language
    from ui.context import time_text, unbroken

    path = laptop_holding_a_conflict(hq, make_office, tmp_path, a={"status": "on-track"},
                                     b={"status": "at-risk"}).path
    app = QApplication.instance()
    apply_language(app, language)
    try:
        window, page = conflicts_page(open_window, qtbot, path)
        window.resize(784, 720)
        qtbot.waitUntil(lambda: window.width() == 784)
        QApplication.processEvents()
        times = [unbroken(time_text(c.at)) for c in page.model.rows()[0].candidates]
        for box in boxes(page):
            assert box.title() == ""
            label = box.findChild(QLabel, "version-title")
            assert label.wordWrap()
            # the time is in it, and the label is tall enough to show every line
            assert any(when in label.text() for when in times)
            assert label.height() >= label.heightForWidth(label.width())
            assert label.width() <= box.contentsRect().width()
    finally:
        apply_language(app, "en")


def test_a_long_indicator_title_leaves_the_values_room_at_800_pixels(
        open_window, qtbot, hq, make_office, tmp_path):
    """In French at 800×600 the Field column, as wide as a long indicator title, left
    the Values "B: …" and cut their header: the title is cut short (whole in its tip)."""
    from ui.app import apply_language
    from ui.models import ConflictModel

    path = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"values": {"policies-supported": 3}},
        b={"values": {"policies-supported": 2}}).path
    app = QApplication.instance()
    apply_language(app, "fr")
    try:
        window, page = conflicts_page(open_window, qtbot, path)
        window.resize(800, 600)
        qtbot.waitUntil(lambda: window.width() == 800)
        QApplication.processEvents()
        view, model = page.view, page.model
        title = model.data(model.index(0, ConflictModel.FIELD))
        assert view.fontMetrics().horizontalAdvance(title) > 400  # (a long one)
        header = view.horizontalHeader()
        values = view.columnWidth(ConflictModel.VALUES)
        assert values >= header.sectionSizeHint(ConflictModel.VALUES)  # "Valeurs" whole
        assert values >= view.fontMetrics().horizontalAdvance("2 | 3" * 10)
        assert view.columnWidth(ConflictModel.FIELD) < view.viewport().width() // 2
        assert model.data(model.index(0, ConflictModel.FIELD),
                          Qt.ItemDataRole.ToolTipRole) == title
    finally:
        apply_language(app, "en")


@pytest.mark.parametrize("language", ["ar", "fr", "en"])
def test_a_versions_time_is_never_broken_across_lines(qtbot, language):
    """Three versions side by side in Arabic: "05/" ended one line of a heading and
    "2026/12" began the next. No line may break inside the time."""
    from PySide6.QtCore import QTextBoundaryFinder

    from fieldplan.i18n import set_language
    from fieldplan.sync.conflicts import Candidate
    from ui.conflict_versions import version_title
    from ui.context import time_text

    set_language(language)
    candidate = Candidate("5f0c19e2:1", "5f0c19e2" * 8 + ":1", "x", "bakary",
                          "2026-12-05T09:31:00Z", False)
    title = version_title(candidate)
    when = time_text(candidate.at)
    stripped = title.replace("\u2060", "").replace("\u00a0", " ")
    start = stripped.index(when)
    finder = QTextBoundaryFinder(QTextBoundaryFinder.BoundaryType.Line, title)
    breaks = []
    while (at := finder.toNextBoundary()) != -1:
        breaks.append(at)
    # the time's span in the title (its characters counted without the joiners)
    visible = [i for i, c in enumerate(title) if c != "\u2060"]
    first, last = visible[start], visible[start + len(when) - 1]
    assert not [b for b in breaks if first < b <= last]


def test_both_versions_boxes_are_as_tall(open_window, qtbot, hq, make_office, tmp_path):
    """"Shown now" sat under one version only, and its text box was shorter than the
    other's by that line: the line keeps its room under every version, said under the
    one shown now alone."""
    path = laptop_holding_a_conflict(hq, make_office, tmp_path, a={"status": "on-track"},
                                     b={"status": "at-risk"}).path
    window, page = conflicts_page(open_window, qtbot, path)
    window.resize(1024, 768)
    QApplication.processEvents()
    notes = [box.findChild(QLabel, "shown-now") for box in boxes(page)]
    assert [n.isVisibleTo(page) for n in notes].count(True) == 1
    assert notes[0].text() == "Shown now"
    heights = [v.height() for v in versions(page)]
    assert heights[0] == heights[1]
    assert [v.mapTo(page, v.rect().topLeft()).y() for v in versions(page)].count(
        versions(page)[0].mapTo(page, versions(page)[0].rect().topLeft()).y()) == 2


def test_a_conflict_of_thousands_of_versions_shows_32_and_counts_the_rest(
        open_window, qtbot, hq_db) -> None:
    """A re-signed bundle that left 200,000 versions of one field open made a box and a
    Keep button for each, and a Values cell of all of them: the client took gigabytes
    and stopped. 32 are shown (SHOWN_VERSIONS), and the rest counted."""
    from fieldplan.sync.conflicts import SHOWN_VERSIONS as SHOWN
    from fieldplan.sync.conflicts import Candidate, Conflict

    many = 300
    candidates = tuple(
        Candidate(f"aaaaaaaa:{i}", f"aaaaaaaa-{i}:{i}", i % 101, "mallory",
                  "2026-03-01T10:00:00Z", i == 0) for i in range(1, many + 1))
    conflict = Conflict("c1", "progress", "ML|PA1.1|2026-S1", "percent", candidates)
    window = open_window(hq_db)
    page = window.conflicts
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded([conflict])
    assert len(boxes(page)) == len(page.keep_buttons) == SHOWN
    assert f"{many - SHOWN:,} more versions are not shown" in page.message.text()
    cell = page.model.index(0, page.model.VALUES).data()
    assert cell.count("|") == SHOWN and cell.endswith("…")


def many_versions_page(open_window, qtbot, hq_db, many: int):
    """HQ's Conflicts page showing a conflict of ``many`` versions, at 1366×768."""
    from fieldplan.sync.conflicts import Candidate, Conflict

    candidates = tuple(
        Candidate(f"aaaaaaaa:{i}", f"aaaaaaaa-{i}:{i}", i % 101, "mallory",
                  "2026-03-01T10:00:00Z", i == 0) for i in range(1, many + 1))
    window = open_window(hq_db)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    page = window.conflicts
    window.show_page(page)
    wait_idle(qtbot, window.session)
    page._loaded([Conflict("c1", "progress", "ML|PA1.1|2026-S1", "percent", candidates)])
    QApplication.processEvents()
    return window, page


@pytest.mark.parametrize("language", ["en", "fr", "ar"])
def test_32_versions_at_1366_pixels_are_readable_and_scroll_sideways(
        open_window, qtbot, hq_db, language) -> None:
    """Side by side in 1366 pixels, 32 versions were 40 pixels wide each: their heading,
    value and Keep button a letter a line. Each keeps the room to be read, its time
    whole, and the row scrolls sideways; its Keep buttons stay within its height."""
    from ui.app import apply_language
    from ui.context import time_text, unbroken

    app = QApplication.instance()
    apply_language(app, language)
    try:
        _window, page = many_versions_page(open_window, qtbot, hq_db, 300)
        scroll = page.sides_scroll
        when = unbroken(time_text("2026-03-01T10:00:00Z"))
        qtbot.waitUntil(lambda: scroll.horizontalScrollBar().maximum() > 0, timeout=5000)
        for box in boxes(page):
            title = box.findChild(QLabel, "version-title")
            assert title.width() >= title.fontMetrics().horizontalAdvance(when)
            assert title.height() >= title.heightForWidth(title.width())
        assert scroll.verticalScrollBar().maximum() == 0
        keep = page.keep_buttons[0]
        bottom = keep.mapTo(scroll.viewport(), keep.rect().bottomLeft()).y()
        assert bottom <= scroll.viewport().height()
    finally:
        apply_language(app, "en")


def test_two_versions_fill_the_width_without_a_scroll_bar(open_window, qtbot,
                                                          hq_db) -> None:
    _window, page = many_versions_page(open_window, qtbot, hq_db, 2)
    qtbot.waitUntil(lambda: boxes(page)[0].width() > 300, timeout=5000)
    assert page.sides_scroll.horizontalScrollBar().maximum() == 0
    assert sum(box.width() for box in boxes(page)) > page.sides_scroll.viewport().width() * 0.9


def test_the_versions_of_the_conflict_shown_before_are_hidden_at_once(
        open_window, qtbot, hq_db) -> None:
    """The page builds the versions as its current row is chosen again, then once more:
    the first boxes, taken out of the layout, stayed shown until deleted, at 640×480
    over the others (grey, with the last one's heading across them)."""
    from PySide6.QtWidgets import QGroupBox

    _window, page = many_versions_page(open_window, qtbot, hq_db, 3)
    shown = set(boxes(page))
    stray = [b for b in page.sides.findChildren(QGroupBox)
             if b not in shown and b.isVisibleTo(page)]
    assert not stray


def test_the_first_paint_of_the_versions_is_laid_out(open_window, qtbot, hq, make_office,
                                                     tmp_path):
    """At headquarters at 1024×600, the pane under the list was painted first as it
    was before the conflict was chosen, its heading cut to a line and no versions in
    it, and laid out at the next turns of Qt's event loop (a moment later on a busy
    laptop): the versions are laid out before the page is painted with them."""
    from PySide6.QtCore import QEvent, QObject

    laptops_in_conflict(hq, make_office, tmp_path, actions=6, told="")
    path = hq.path
    hq.close()
    window = open_window(path)
    window.resize(1024, 600)
    wait_idle(qtbot, window.session)
    page = window.conflicts
    seen: list[tuple] = []

    class Painted(QObject):
        def eventFilter(self, watched, event) -> bool:  # (Qt's name)
            if (event.type() == QEvent.Type.Paint and watched is page.message
                    and page.keep_buttons and not seen):
                message = page.message
                laid = [b.parentWidget() for b in page.keep_buttons]
                seen.append((
                    message.height() >= message.heightForWidth(message.width()),
                    all(box.height() >= box.minimumSizeHint().height() for box in laid),
                    all(box.isVisible() and box.width() > 0 for box in laid),
                ))
            return False

    spy = Painted()
    QApplication.instance().installEventFilter(spy)
    try:
        window.show_page(page)
        qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    finally:
        QApplication.instance().removeEventFilter(spy)
    assert seen[0] == (True, True, True)
