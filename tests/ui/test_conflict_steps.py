"""Stepping through the Conflicts page's list with the arrow keys: the page fills the
version boxes it has with the conflict chosen, rather than making them again, and
writes each version's time once. It made up to 32 boxes at each step, each shown on
its own (every one laying the others out again), and wrote each time three times: a
fifth of a second of the window's thread at each key, felt by a person reviewing
conflicts with the keyboard (tests/bench/bench_conflicts_wide.py measures it)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QGroupBox

from fieldplan.sync.conflicts import SHOWN_VERSIONS, Candidate, Conflict
from tests.scenes import laptop_holding_a_conflict
from tests.ui.conftest import wait_idle
from tests.ui.test_conflict_versions import boxes, titles, versions
from ui.models import ROW_ROLE, value_text
from ui.qtcompat import Qt

#: a long narrative, two of which fit together in one (Keep both texts offered: two
#: of test_conflict_versions.BODY are longer than a narrative holds)
HALF = "Paragraph one of the report. " * 300 + "\n\n"


def _conflict(cid: str, action: str, field: str, values: list, day: int) -> Conflict:
    """A conflict of ML's report on ``action``, a version of each of ``values``
    written at a time of its own on the ``day`` of March (the first shown now)."""
    return Conflict(cid, "progress", f"ML|{action}|2026-S1", field, tuple(
        Candidate(f"{i:08x}:{i}", f"{i:08x}-{i}:{i}", value, f"author{i % 3}",
                  f"2026-03-{day:02d}T10:{i:02d}:00Z", i == 0)
        for i, value in enumerate(values)))


def _three_conflicts() -> list[Conflict]:
    """Two versions of a status, 40 of a percent (32 shown), two of a narrative."""
    return [
        _conflict("c-status", "PA1.1", "status", ["on-track", "at-risk"], 1),
        _conflict("c-percent", "PA1.2", "percent", [i % 5 for i in range(40)], 2),
        _conflict("c-text", "PA1.3", "achievements",
                  [HALF + "Final: 12 villages reached.", HALF + "Final: 14 villages reached."],
                  3),
    ]


@pytest.fixture
def stepping(open_window, qtbot, hq, make_office, tmp_path):
    """(window, page) of an ML laptop's Conflicts page showing ``_three_conflicts``, in
    sight, the list with the focus on its first row."""
    path, _replica, _code = laptop_holding_a_conflict(
        hq, make_office, tmp_path, a={"status": "on-track"}, b={"status": "at-risk"})
    window = open_window(path)
    window.resize(1280, 800)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    window.activateWindow()
    qtbot.waitActive(window)
    page._loaded(_three_conflicts())
    page.view.setFocus()
    while page.view.currentIndex().row() > 0:
        qtbot.keyClick(page.view, Qt.Key.Key_Up)
    return window, page


def _chosen(page) -> Conflict:
    return page.model.data(page.view.currentIndex(), ROW_ROLE)


def _step(qtbot, page, key=Qt.Key.Key_Down) -> Conflict:
    before = page.view.currentIndex().row()
    qtbot.keyClick(page.view, key)
    assert page.view.currentIndex().row() != before
    return _chosen(page)


def test_each_step_fills_the_same_boxes_with_the_conflict_chosen(stepping, qtbot) -> None:
    _window, page = stepping
    first = boxes(page)
    seen = {}
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
        conflict = _step(qtbot, page, key)
        shown = boxes(page)
        assert len(shown) == len(conflict.shown) == len(page.keep_buttons)
        # the boxes of the step before, filled again (none made for the narrower
        # conflicts; those of a wider one kept aside, out of the page, hidden)
        assert shown[:2] == first[:2]
        for box in shown:
            seen.setdefault(id(box), box)
        assert sorted(map(id, page.sides.findChildren(QGroupBox))) == sorted(map(id, shown))
        assert all(not box.isVisible() for box in seen.values() if box not in shown)
        # each box says its version of this conflict: author, value, shown now, Keep
        assert all(f"author{i % 3}" in title for i, title in enumerate(titles(page)))
        assert [pane.toPlainText() for pane in versions(page)] == [
            value_text(conflict.field, c.value) for c in conflict.shown]
        assert [not box.shown_now.isHidden() for box in shown] == [
            c.winner for c in conflict.shown]
        assert [box.ids for box in shown] == [(conflict.id, c.value_id)
                                              for c in conflict.shown]
    # as many boxes made as the widest conflict shows, no more
    assert len(seen) == SHOWN_VERSIONS


def test_a_versions_time_is_written_once(stepping, qtbot, monkeypatch) -> None:
    """Each version's time is written (babel) once, however often its conflict is
    chosen; it was written three times at each choice (heading, width, Keep's name)."""
    import fieldplan.i18n

    _window, page = stepping
    written = []
    formatting = fieldplan.i18n.format_datetime

    def format_datetime(*args, **kwargs):
        written.append(args[0])
        return formatting(*args, **kwargs)

    monkeypatch.setattr("ui.context._times", {}, raising=False)
    monkeypatch.setattr(fieldplan.i18n, "format_datetime", format_datetime)
    times = set()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
        times |= {c.at for c in _step(qtbot, page, key).shown}
    assert len(times) == 2 + SHOWN_VERSIONS + 2
    assert sorted(written) == sorted(times)  # (each once)
    written.clear()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
        _step(qtbot, page, key)
    assert written == []


def test_a_keep_after_steps_keeps_the_version_it_shows(stepping, qtbot, monkeypatch) -> None:
    from fieldplan.errors import StoreError

    window, page = stepping
    kept = []

    def resolve(_rep, conflict_id, value_id, *_seen, **_given):
        kept.append((conflict_id, value_id))
        raise StoreError("not this time")

    monkeypatch.setattr("fieldplan.sync.resolve_conflict", resolve)
    _step(qtbot, page)
    conflict = _step(qtbot, page)
    _step(qtbot, page, Qt.Key.Key_Up)
    conflict = _step(qtbot, page)
    page.keep_buttons[1].click()
    qtbot.waitUntil(lambda: bool(kept), timeout=5000)
    wait_idle(qtbot, window.session)
    assert kept == [(conflict.id, conflict.shown[1].value_id)]


def test_tab_goes_through_the_versions_in_order_after_steps(stepping, qtbot) -> None:
    """Narrow, wide, narrow again: Tab goes from the words above the versions through
    each version's text and Keep, in their order, then to Keep both texts (the boxes
    kept aside and put back keep their place)."""
    _window, page = stepping
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Down):
        conflict = _step(qtbot, page, key)
    assert conflict.id == "c-text"
    assert page.together_button.isVisible()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is page.message
    reached = []
    for _ in range(5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    panes = versions(page)
    assert reached == [panes[0], page.keep_buttons[0], panes[1], page.keep_buttons[1],
                       page.together_button]
    # and back to the wide one: through its 32 versions, in order
    page.view.setFocus()
    conflict = _step(qtbot, page, Qt.Key.Key_Up)
    assert len(page.keep_buttons) == SHOWN_VERSIONS
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    reached = []
    for _ in range(2 * SHOWN_VERSIONS):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    panes = versions(page)
    assert reached == [w for pair in zip(panes, page.keep_buttons, strict=True) for w in pair]


@pytest.mark.parametrize("layout", [Qt.LayoutDirection.LeftToRight,
                                    Qt.LayoutDirection.RightToLeft])
def test_a_narrative_chosen_again_opens_at_its_difference(stepping, qtbot, layout) -> None:
    """The panes kept from the conflict before open the next one's texts as new
    panes did: at their first difference, highlighted, whatever the user scrolled."""
    QApplication.setLayoutDirection(layout)
    try:
        _window, page = stepping
        _step(qtbot, page)
        _step(qtbot, page)
        shown = versions(page)
        assert all(v.extraSelections() for v in shown)
        qtbot.waitUntil(lambda: all(v.first_difference_visible() for v in shown))
        for v in shown:  # the user scrolls to the top
            bar = v.verticalScrollBar()
            bar.triggerAction(bar.SliderAction.SliderToMinimum)
        assert not any(v.first_difference_visible() for v in shown)
        _step(qtbot, page, Qt.Key.Key_Up)
        # a percent: nothing highlighted, nothing said of it
        assert not any(v.extraSelections() for v in versions(page))
        _step(qtbot, page)
        assert versions(page)[:2] == shown
        assert all(v.extraSelections() for v in shown)
        assert all(v.first_difference_visible() for v in shown)
    finally:
        QApplication.setLayoutDirection(Qt.LayoutDirection.LeftToRight)


def test_a_values_cell_is_written_once_a_load(monkeypatch) -> None:
    """The Values cells of the rows left and chosen are painted again at each step:
    each wrote its 32 values anew. Written once a load, and again in another
    language."""
    import ui.models
    from fieldplan.i18n import set_language
    from ui.models import ConflictModel

    written = []
    writing = ui.models.value_text

    def value_text(field, value):
        written.append(value)
        return writing(field, value)

    monkeypatch.setattr(ui.models, "value_text", value_text)
    model = ConflictModel()
    conflicts = _three_conflicts()
    model.set_rows(conflicts)
    cells = [model.index(r, ConflictModel.VALUES) for r in range(3)]
    first = [cell.data() for cell in cells]
    assert len(written) == 2 + SHOWN_VERSIONS + 2
    assert [cell.data() for cell in cells] == first
    assert len(written) == 2 + SHOWN_VERSIONS + 2
    assert "3%" in first[1] and first[1].endswith("…")
    set_language("fr")
    try:
        french = " ".join(writing("percent", 3).split())  # (as the cell spaces it)
        assert french != "3%" and french in model.index(1, ConflictModel.VALUES).data()
    finally:
        set_language("en")
    assert len(written) == 2 + SHOWN_VERSIONS + 2 + SHOWN_VERSIONS  # (in French)
    written.clear()
    model.set_rows(conflicts)  # (a new load: written again)
    model.index(0, ConflictModel.VALUES).data()
    assert len(written) == 2


def _settled_step(qtbot, page, key=Qt.Key.Key_Down) -> Conflict:
    """A step, then what it posted handled (layouts, paints): all a key costs."""
    conflict = _step(qtbot, page, key)
    QApplication.processEvents()
    QApplication.processEvents()
    return conflict


@pytest.fixture
def least_asked(monkeypatch) -> list[int]:
    """The version boxes asked their least size, by id (put on the class before the
    page makes its boxes: a box made before does not see it)."""
    from ui.conflict_versions import VersionBox

    asked: list[int] = []
    least = VersionBox.minimumSizeHint

    def counted(box):
        asked.append(id(box))
        return least(box)

    monkeypatch.setattr(VersionBox, "minimumSizeHint", counted)
    return asked


def test_a_step_works_out_each_versions_least_size_once(least_asked, stepping, qtbot) -> None:
    """Each version box's least size is asked once a step: the row asked it of each
    box before the box's own layout took its new heading in, then again after (64
    times a step between conflicts of 32 versions, each box laid out twice)."""
    _window, page = stepping
    _settled_step(qtbot, page)  # (the boxes of the widest made, once: asked as shown)
    _settled_step(qtbot, page, Qt.Key.Key_Up)
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Up):
        least_asked.clear()
        conflict = _settled_step(qtbot, page, key)
        # (the times differ from one conflict to the next: every heading changes)
        assert sorted(least_asked) == sorted(map(id, boxes(page))), conflict.id


def test_the_versions_scroll_asks_the_versions_their_least_size_once(qapp) -> None:
    from PySide6.QtCore import QSize
    from PySide6.QtWidgets import QWidget

    from ui.hq_desk import VersionsScroll

    asked = []

    class Row(QWidget):
        def minimumSizeHint(self) -> QSize:  # (Qt's name)
            asked.append(1)
            return QSize(5000, 120)

    scroll = VersionsScroll()
    scroll.setWidget(Row())
    scroll.resize(400, 300)
    asked.clear()
    hint = scroll.minimumSizeHint()
    assert len(asked) == 1
    # as high as the row, and the sideways scroll bar under it (the row is wider)
    assert hint.height() == (120 + 2 * scroll.frameWidth()
                             + scroll.horizontalScrollBar().sizeHint().height())


def test_the_versions_least_size_follows_their_headings_and_font(stepping, qtbot) -> None:
    """The least size the page leaves the versions is that of what they show now: a
    box filled again with a heading of a long unbroken name is as wide as the name,
    and a larger font makes the versions higher and wider (a box's size is worked out
    once a step, never kept past a change of its words or its font)."""
    from dataclasses import replace

    from PySide6.QtGui import QFontMetrics

    _window, page = stepping
    name = "Ahmed" * 16  # (an account name: one unbroken word)
    long_named = _conflict("c-long", "PA1.4", "status", ["on-track", "completed"], 4)
    long_named = replace(long_named, candidates=(
        replace(long_named.candidates[0], author=name), *long_named.candidates[1:]))
    page._loaded([*_three_conflicts(), long_named])
    for _n in range(2):
        _settled_step(qtbot, page)
    assert _chosen(page).id == "c-text"
    first = boxes(page)[0]
    narrow = first.minimumSizeHint().width()
    assert narrow < QFontMetrics(first.heading.font()).horizontalAdvance(name)
    assert _settled_step(qtbot, page).id == "c-long"
    assert boxes(page)[0] is first  # (the same box, filled again)

    def row_fits(font_size: float) -> None:
        advance = QFontMetrics(first.heading.font()).horizontalAdvance(name)
        assert first.heading.font().pointSizeF() == font_size
        assert first.minimumSizeHint().width() >= advance > narrow
        assert page.sides.minimumSizeHint().width() >= sum(
            box.minimumSizeHint().width() for box in boxes(page))
        assert page.sides_scroll.minimumSizeHint().height() >= page.sides.minimumSizeHint().height()

    size = first.heading.font().pointSizeF()
    row_fits(size)
    high = page.sides_scroll.minimumSizeHint().height()
    wide = first.minimumSizeHint().width()
    font = page.font()
    font.setPointSizeF(size * 1.5)
    page.setFont(font)
    QApplication.processEvents()
    row_fits(size * 1.5)
    assert page.sides_scroll.minimumSizeHint().height() > high
    assert first.minimumSizeHint().width() > wide
