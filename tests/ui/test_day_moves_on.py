"""A window left open for days (offices leave it open all week, the laptop sleeping
and waking): the period it opened on by itself follows the day, as the next start
would open. Open on 2026-S1 on 25 July, its reports being written, it stayed on it
on 31 July and after, once their time was over and a start opened on 2026-S2."""

from __future__ import annotations

from tests.ui.conftest import wait_idle
from tests.ui.test_opening_period import clock, sn  # noqa: F401
from tests.ui.test_window_settings import open_shell, shot  # noqa: F401


def minute(window, qtbot) -> None:
    """The window's minute poll, as its timer calls it (after a wake too)."""
    window.poll()
    wait_idle(qtbot, window.session)


def test_the_period_opened_on_by_itself_follows_the_day(
        open_shell, clock, sn, qtbot):  # noqa: F811
    db, _lock = sn
    clock("2026-07-25")
    window = open_shell(db)
    assert window.period == "2026-S1"
    code = window.identity.own_actions()[0].code
    assert window.office_view.tree.select(code)
    window.office_view.tree.tree.setFocus()
    wait_idle(qtbot, window.session)
    minute(window, qtbot)
    assert window.period == "2026-S1"  # (the same day: nothing moves)
    clock("2026-07-31")  # the laptop woke a week later
    minute(window, qtbot)
    assert window.period == "2026-S2" == window.period_combo.currentData()
    assert window.opened_on == "2026-S2"  # (still not the person's choice)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: (editor.action.code, editor.period) == (code, "2026-S2"),
                    timeout=5000)
    assert window.statusBar().whole_message() == (
        "The reports on 1st semester 2026 were due by 30 Jul 2026: 2nd semester 2026 "
        "is shown now.")
    shot(window, "day-moves-the-period-en.png")


def test_a_period_the_person_chose_stays(open_shell, clock, sn, qtbot):  # noqa: F811
    db, _lock = sn
    clock("2026-07-25")
    window = open_shell(db)
    window.set_period("2025-S2")
    wait_idle(qtbot, window.session)
    clock("2026-08-02")
    minute(window, qtbot)
    assert window.period == "2025-S2"


def test_a_clock_gone_back_moves_nothing(open_shell, clock, sn, qtbot):  # noqa: F811
    """A clock that jumps back (a flat battery: 2000, a wrong zone at a wake) would make
    a start open on the plan's first semester; the window stays where the day had
    brought it, and follows it again once the clock is right."""
    db, _lock = sn
    clock("2026-08-05")
    window = open_shell(db)
    assert window.period == "2026-S2"
    clock("2000-01-01")
    minute(window, qtbot)
    assert window.period == "2026-S2"
    clock("2027-02-01")
    minute(window, qtbot)
    assert window.period == "2027-S1"


def test_a_report_being_typed_is_not_left(open_shell, clock, sn, qtbot):  # noqa: F811
    """The person typing in the semester's report as its deadline passes stays at it
    (a late report is still taken); the window follows the day once they are done."""
    from PySide6.QtTest import QTest

    db, _lock = sn
    clock("2026-07-30")
    window = open_shell(db)
    code = window.identity.own_actions()[0].code
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == code,
                    timeout=5000)
    box = editor.narratives["achievements"]
    box.setFocus()
    QTest.keyClicks(box, "Late words")
    clock("2026-07-31")
    minute(window, qtbot)
    assert window.period == "2026-S1"
    assert editor.person_at_it()
