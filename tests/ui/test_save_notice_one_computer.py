"""The report form's notice after a save written beside a newer version of a field
(the field moved on since it was typed): it said "Also changed elsewhere" even when
the newer version was this computer's own, written by another window or program on
the same database, or written before a restore from a backup and brought back by an
import, where the Conflicts tab says every version comes from this computer. A newer
version another computer wrote is still said to come from elsewhere."""

from __future__ import annotations

import os

import pytest

from fieldplan import progress, store
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, list_conflicts
from tests.scenes import closed, round_trips, send
from tests.ui.conftest import wait_idle
from tests.ui.test_newer_data import import_in_window
from tests.ui.test_office_work import choose

SHOTS = os.environ.get("FIELDPLAN_SHOTS")
PERIOD = "2026-S1"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


def typing(window, qtbot, code: str, text: str):
    """``text`` typed in the Challenges of ``code``'s report, not saved yet."""
    editor = choose(window, qtbot, code)
    editor._debounce.cancel()
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, text)
    return editor


def saved(editor, qtbot, window) -> list[str]:
    """``editor`` saved: the lines of its notice."""
    editor.save_now()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: bool(editor.notice.text()), timeout=5000)
    return editor.notice.text().split("\n")


def test_a_newer_version_another_program_wrote_here_is_this_computers(
        open_window, qtbot, make_office) -> None:
    laptop = make_office("ML")
    code = laptop.plan().actions_of(level="national")[0].code
    progress.record_progress(laptop, code, PERIOD, status="on-track")
    db = closed(laptop)
    window = open_window(db)
    editor = typing(window, qtbot, code, "Mine")
    with open_replica(db) as rep:  # 'fieldplan progress set', meanwhile
        progress.record_progress(rep, code, PERIOD, challenges="From the command line")
    lines = saved(editor, qtbot, window)
    assert ("Also changed on this computer since you typed it, outside this window: "
            "Challenges. Both versions are kept; choose one in Conflicts.") in lines
    assert not any("elsewhere" in line or "two computers" in line for line in lines)
    with open_replica(db) as rep:
        [conflict] = list_conflicts(rep)
        assert conflict.one_replica == rep.replica_id


def test_a_version_from_before_a_restore_is_said_to_be_this_computers(
        open_window, qtbot, hq, make_office, tmp_path, in_language) -> None:
    from fieldplan.i18n import _

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", PERIOD, status="on-track")
    round_trips(ml, hq, tmp_path, 1)
    store.backup(ml.conn, ml.path, "manual")
    progress.record_progress(ml, "PA1.2", PERIOD, status="at-risk",
                             challenges="Written before the restore")
    send(ml, hq, tmp_path)
    before, path = ml.replica_id, ml.path
    ml.close()
    store.restore_backup(path, force=True)
    with open_replica(path) as restored:
        send(restored, hq, tmp_path)  # HQ learns it lacks what it wrote before
    # (HQ's next bundle brings that back)
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path / "out").path
    window = open_window(path)
    editor = typing(window, qtbot, "PA1.2", "After")
    import_in_window(window, qtbot, bundle)
    lines = saved(editor, qtbot, window)
    said = _("A version this computer wrote before its restore from a backup came back "
             "since you typed it: {fields}. Both versions are kept; choose one in "
             "Conflicts.").format(fields=_("Challenges"))
    assert said in lines, lines
    elsewhere = _("Also changed elsewhere since you typed it: {fields}. Both versions "
                  "are kept; choose one in Conflicts.").format(fields=_("Challenges"))
    assert elsewhere not in lines
    if SHOTS:
        editor.grab().save(os.path.join(SHOTS, f"save-notice-restored-{in_language}.png"))
    with open_replica(path) as rep:
        [conflict] = [c for c in list_conflicts(rep) if c.field == "challenges"]
        assert conflict.one_replica == rep.replica_id != before


def test_a_newer_version_from_another_computer_is_still_from_elsewhere(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    for laptop in (a, b):
        send(laptop, hq, tmp_path)
    progress.record_progress(b, code, PERIOD, status="on-track", challenges="From B")
    send(b, hq, tmp_path)
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path / "out").path
    window = open_window(closed(a))
    editor = typing(window, qtbot, code, "Mine")
    import_in_window(window, qtbot, bundle)
    lines = saved(editor, qtbot, window)
    assert ("Also changed elsewhere since you typed it: Challenges. Both versions are "
            "kept; choose one in Conflicts.") in lines
    assert not any("this computer" in line for line in lines)
