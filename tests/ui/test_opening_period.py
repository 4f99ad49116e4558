"""The period a window opens on when headquarters has locked the semester being
reported. HQ locks a semester after its review, and the lock reaches an office in HQ's
next bundle, often before the semester's reports are due (REPORTING_DAYS after its
end): an office that imported the lock of 2026-S1 on 10 July opened on it until 30
July, where nothing can be written. It opens on the semester going on now; a period
the person chose is still restored, locked or not (the window shows the lock), but
not the one the last window opened on by itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fieldplan import events, progress
from fieldplan.replica import open_replica
from tests.scenes import ticking_clock
from tests.ui.conftest import wait_idle
from tests.ui.test_window_settings import open_shell, shot  # noqa: F401
from ui.window_settings import VIEW, database_value, set_database_value

sync = pytest.importorskip("fieldplan.sync")

LOCKED = "2026-S1"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """go(day): this computer's clock at 09:00 UTC on ``day`` (ISO), ticking on."""
    offset = ticking_clock(monkeypatch)
    real = events.wall_ms

    def go(day: str) -> None:
        offset[0] = 0
        at = dt.datetime.fromisoformat(f"{day}T09:00:00").replace(tzinfo=dt.UTC)
        offset[0] = int(at.timestamp() * 1000) - real()

    return go


@pytest.fixture
def sn(clock, hq, make_office, tmp_path: Path) -> tuple[Path, Path]:
    """(SN's database, HQ's bundle for SN that locks 2026-S1): SN enrolled in June
    2026; HQ locks the semester after its review, early in July."""
    clock("2026-06-20")
    office = make_office("SN")
    path = office.path
    out = tmp_path / "to-hq"
    out.mkdir()
    assert sync.import_bundle(hq, sync.export_bundle(office, out_dir=out).path).outcome == "merged"
    office.close()
    clock("2026-07-08")
    progress.set_period_lock(hq, LOCKED)
    folder = tmp_path / "lock"
    folder.mkdir()
    return path, Path(sync.export_bundle(hq, for_office="SN", out_dir=folder).path)


def take_lock(db: Path, bundle: Path) -> None:
    """SN imports HQ's bundle (by the command line, the window closed)."""
    with open_replica(db) as rep:
        assert sync.import_bundle(rep, bundle).outcome == "merged"


def test_an_office_that_took_the_lock_opens_on_the_semester_going_on(
        open_shell, clock, sn, settings):  # noqa: F811
    db, lock = sn
    clock("2026-07-10")
    take_lock(db, lock)
    window = open_shell(db)
    assert window.period == "2026-S2"
    combo = window.period_combo
    assert combo.itemText(combo.findData(LOCKED)) == "1st semester 2026 · locked"
    shot(window, "opening-after-lock-en.png")


def test_the_period_the_last_window_opened_on_by_itself_is_not_restored(
        open_shell, clock, sn, settings, qtbot):  # noqa: F811
    """Open on 5 July (2026-S1, being reported) and closed there; the lock imported
    since: the next start opens on 2026-S2, not on the period kept at closing."""
    db, lock = sn
    clock("2026-07-05")
    window = open_shell(db)
    assert window.period == LOCKED
    identity = window.identity
    window.close()
    assert database_value(settings, identity, VIEW)["period"] == LOCKED
    clock("2026-07-10")
    take_lock(db, lock)
    window = open_shell(db)
    assert window.period == "2026-S2"


def test_the_next_start_opens_on_the_period_reported_then(
        open_shell, clock, sn, settings):  # noqa: F811
    """Opened on 5 July by itself on 2026-S1, whose reports were due, and closed there:
    on 5 August the reports being written are 2026-S2's, and the window opens there.
    Kept at closing, 2026-S1 was restored at every start, and a window opened on the
    period being reported only on a new database."""
    db, _lock = sn
    clock("2026-07-05")
    window = open_shell(db)
    assert window.period == LOCKED
    window.close()
    clock("2026-08-05")
    window = open_shell(db)
    assert window.period == "2026-S2"


def test_a_period_the_person_chose_is_restored_though_locked_since(
        open_shell, clock, sn, settings, qtbot):  # noqa: F811
    """On 5 July the person went to 2025-S2, or to 2026-S1 after the window opened on
    2026-S2: the next start restores their choice, locked since or not, and the window
    says it is locked."""
    db, lock = sn
    clock("2026-08-05")
    window = open_shell(db)
    assert window.period == "2026-S2"
    window.set_period(LOCKED)
    wait_idle(qtbot, window.session)
    window.close()
    take_lock(db, lock)
    window = open_shell(db)
    assert window.period == LOCKED
    qtbot.waitUntil(lambda: window.locked is not None, timeout=5000)
    assert window.period_label.text() == "1st semester 2026 · locked"


@pytest.mark.parametrize(("kept", "opened"), [
    (LOCKED, "2026-S2"),  # what a window opened on by itself then: not a choice
    ("2025-S2", "2025-S2"),  # a choice
])
def test_a_place_kept_by_an_earlier_release(
        open_shell, clock, sn, settings, kept: str, opened: str):  # noqa: F811
    """An earlier release kept the period shown, chosen or not: one that a window
    opens on by itself, locks aside, was most likely not chosen."""
    db, lock = sn
    clock("2026-07-10")
    take_lock(db, lock)
    window = open_shell(db)
    identity = window.identity
    window.close()
    set_database_value(settings, identity, VIEW, {"tab": 0, "period": kept})
    window = open_shell(db)
    assert window.period == opened


def test_a_new_language_keeps_the_period_shown(open_shell, clock, sn, settings, qtbot):  # noqa: F811
    """The window made again in another language shows the period shown, chosen or
    not, locked or not: the same session, where the person is."""
    db, lock = sn
    clock("2026-07-10")
    take_lock(db, lock)
    window = open_shell(db)
    window.restore_view_state({"period": LOCKED, "period_chosen": False}, start=False)
    assert window.period == LOCKED


def test_a_new_language_after_an_amendment_with_the_lock_keeps_it_unchosen(
        shell, clock, sn, hq, settings, qtbot, tmp_path: Path):
    """Opened by itself on 2026-S1 on 5 July; headquarters' next bundle brings the lock
    of 2026-S1 with a plan amendment (the window's plan read again, its locks with it),
    then the person changes the language: the window made again opened by itself on
    2026-S2, and took 2026-S1, shown, for the person's choice, which the next start
    restored, where nothing can be written. It is the same period, still unchosen.
    (The person was typing in one of its reports: the lock left the window there.)"""
    from tests.scenes import amend_plan
    from tests.ui.test_plan_amendment import import_in_window

    db, _lock = sn
    amend_plan(hq, tmp_path, title="Migration data")
    out = tmp_path / "amended"
    out.mkdir()
    bundle = sync.export_bundle(hq, for_office="SN", out_dir=out).path
    clock("2026-07-05")
    shell.start(db)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    window = shell.window
    wait_idle(qtbot, window.session)
    assert window.period == LOCKED
    type_in_a_report(window, qtbot)
    clock("2026-07-10")
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=5000)
    shell.change_language("fr")
    new = shell.window
    assert new is not window and new.period == LOCKED
    wait_idle(qtbot, shell.session)
    identity = new.identity
    new.close()
    assert database_value(settings, identity, VIEW)["period_chosen"] is False


def take_lock_in_window(window, qtbot, lock: Path) -> None:
    """SN imports HQ's bundle that locks 2026-S1 in its open window (File ▸ Import)."""
    from tests.ui.test_plan_amendment import import_in_window

    import_in_window(window, qtbot, lock).close()
    qtbot.waitUntil(lambda: window.locked is not None and LOCKED in window.locked,
                    timeout=5000)
    wait_idle(qtbot, window.session)


def kept_place(settings, window) -> dict:
    """The place as another program reads the settings file now."""
    from PySide6.QtCore import QSettings

    return database_value(QSettings(settings.fileName(), QSettings.Format.IniFormat),
                          window.identity, VIEW) or {}


def test_a_lock_imported_in_the_window_moves_it_from_the_period_it_opened_on(
        open_shell, clock, sn, settings, qtbot):  # noqa: F811
    """Opened by itself on 2026-S1 on 5 July; the lock imported on 10 July in the window
    left it there, where nothing can be written, until the next start. It goes where a
    start would open (2026-S2), says so, and still not as the person's choice."""
    db, lock = sn
    clock("2026-07-05")
    window = open_shell(db)
    assert window.period == LOCKED
    # a report looked at, not typed in (the keyboard in the plan)
    code = window.identity.own_actions()[0].code
    assert window.office_view.tree.select(code)
    window.office_view.tree.tree.setFocus()
    wait_idle(qtbot, window.session)
    clock("2026-07-10")
    take_lock_in_window(window, qtbot, lock)
    assert window.period == "2026-S2" == window.period_combo.currentData()
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: (editor.action.code, editor.period) == (code, "2026-S2")
                    and editor.status.isEnabled(), timeout=5000)
    assert window.statusBar().whole_message() == (
        "Headquarters locked 1st semester 2026: its reports can no longer be changed or "
        "submitted. 2nd semester 2026 is shown instead.")
    shot(window, "lock-moves-the-period-en.png")
    qtbot.waitUntil(lambda: kept_place(settings, window).get("period") == "2026-S2",
                    timeout=5000)
    assert kept_place(settings, window)["period_chosen"] is False


def test_a_lock_imported_in_the_window_leaves_a_period_the_person_chose(
        open_shell, clock, sn, settings, qtbot):  # noqa: F811
    db, lock = sn
    clock("2026-08-05")
    window = open_shell(db)
    assert window.period == "2026-S2"
    window.set_period(LOCKED)
    wait_idle(qtbot, window.session)
    take_lock_in_window(window, qtbot, lock)
    assert window.period == LOCKED
    assert window.statusBar().whole_message() == (
        "Headquarters locked 1st semester 2026: its reports can no longer be changed or "
        "submitted.")


def test_an_amendment_that_removes_the_period_opened_on_leaves_it_unchosen(
        open_shell, clock, hq, make_office, settings, qtbot, tmp_path: Path):  # noqa: F811
    """Opened by itself on 2026-S2 in August; an amendment imported in the window ends
    the plan on 2026-06-30. The window goes to the nearest period (2026-S1), which the
    place kept said the person chose (``period_chosen``: the period was not the one
    opened on), and the next start restored it as such. Still not chosen."""
    from tests.scenes import amend_plan
    from tests.ui.test_plan_amendment import import_in_window

    clock("2026-06-20")
    office = make_office("ML")
    db = office.path
    office.close()
    clock("2026-08-05")
    amend_plan(hq, tmp_path, end="2026-06-30")
    out = tmp_path / "amended"
    out.mkdir()
    bundle = sync.export_bundle(hq, for_office="ML", out_dir=out).path
    window = open_shell(db)
    assert window.period == "2026-S2"
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    assert window.period == "2026-S1" == window.period_combo.currentData()
    qtbot.waitUntil(lambda: kept_place(settings, window).get("period") == "2026-S1",
                    timeout=5000)
    assert kept_place(settings, window)["period_chosen"] is False


def type_in_a_report(window, qtbot) -> object:
    """The person chooses SN's first action and types in its report; the editor."""
    code = window.identity.own_actions()[0].code
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.action is not None and editor.status.isEnabled(),
                    timeout=5000)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visa delays")
    return editor


@pytest.mark.parametrize("saved", [True, False])
def test_a_lock_imported_in_the_window_leaves_the_report_being_typed_in(
        open_shell, clock, sn, settings, qtbot, saved: bool):  # noqa: F811
    """Opened by itself on 2026-S1, the person typing in one of its reports (saved, or
    not yet): the window stays on it, and the report says the lock; the person moves
    on when they choose."""
    db, lock = sn
    clock("2026-07-05")
    window = open_shell(db)
    assert window.period == LOCKED
    editor = type_in_a_report(window, qtbot)
    if saved:
        editor.save_now()
        wait_idle(qtbot, window.session)
    clock("2026-07-10")
    take_lock_in_window(window, qtbot, lock)
    assert window.period == LOCKED
    qtbot.waitUntil(lambda: not editor.status.isEnabled(), timeout=5000)
    assert editor.notice.text().startswith("Headquarters has locked this period")


def unlock_bundle(hq, tmp_path: Path) -> Path:
    """HQ unlocks 2026-S1 (to take a late correction, say) on 12 July: its bundle for SN."""
    progress.set_period_lock(hq, LOCKED, False)
    folder = tmp_path / "unlock"
    folder.mkdir()
    return Path(sync.export_bundle(hq, for_office="SN", out_dir=folder).path)


def take_unlock_in_window(window, qtbot, unlock: Path) -> None:
    """SN imports HQ's bundle that unlocks 2026-S1 in its open window."""
    from tests.ui.test_plan_amendment import import_in_window

    import_in_window(window, qtbot, unlock).close()
    qtbot.waitUntil(lambda: LOCKED not in window.locked, timeout=5000)
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lock_in_window", [True, False])
def test_an_unlock_moves_the_window_back_to_the_period_a_lock_left(
        open_shell, clock, sn, hq, settings, qtbot, tmp_path: Path,  # noqa: F811
        lock_in_window: bool):
    """Moved by itself off 2026-S1 by its lock (imported in the window on 10 July), or
    opened on 2026-S2 by itself because 2026-S1 was locked: headquarters unlocks
    2026-S1, whose reports are due until 30 July, and the window goes back to it, as a
    start would now open on it, and says so; still not the person's choice. It stayed
    on 2026-S2, where the office had nothing to write, until the next start."""
    db, lock = sn
    clock("2026-07-05" if lock_in_window else "2026-07-10")
    if not lock_in_window:
        take_lock(db, lock)
    window = open_shell(db)
    clock("2026-07-10")
    if lock_in_window:
        take_lock_in_window(window, qtbot, lock)
    assert window.period == "2026-S2"
    clock("2026-07-12")
    take_unlock_in_window(window, qtbot, unlock_bundle(hq, tmp_path))
    assert window.period == LOCKED == window.period_combo.currentData()
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: editor.period == LOCKED, timeout=5000)
    assert window.statusBar().whole_message() == (
        "Headquarters unlocked 1st semester 2026: its reports can be changed again. "
        "1st semester 2026 is shown instead.")
    qtbot.waitUntil(lambda: kept_place(settings, window).get("period") == LOCKED,
                    timeout=5000)
    assert kept_place(settings, window)["period_chosen"] is False


@pytest.mark.parametrize("person", ["chose", "typing"])
def test_an_unlock_leaves_a_period_the_person_chose_or_is_at(
        open_shell, clock, sn, hq, settings, qtbot, tmp_path: Path,  # noqa: F811
        person: str):
    """Moved by the lock to 2026-S2; since, the person chose a period (2025-S2), or is
    typing in a report of 2026-S2: the unlock of 2026-S1 leaves the window where it
    is, and says the unlock only."""
    db, lock = sn
    clock("2026-07-05")
    window = open_shell(db)
    clock("2026-07-10")
    take_lock_in_window(window, qtbot, lock)
    assert window.period == "2026-S2"
    stays = "2025-S2" if person == "chose" else "2026-S2"
    if person == "chose":
        window.period_combo.setCurrentIndex(window.period_combo.findData(stays))
        assert window.period == stays
    else:
        type_in_a_report(window, qtbot)
    wait_idle(qtbot, window.session)
    clock("2026-07-12")
    take_unlock_in_window(window, qtbot, unlock_bundle(hq, tmp_path))
    assert window.period == stays
    assert window.statusBar().whole_message() == (
        "Headquarters unlocked 1st semester 2026: its reports can be changed again.")
