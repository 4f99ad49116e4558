"""Typing never silently overwrites newer data: a draft kept in the journal is written
over the value it was typed against (a conflict if that value moved on since), a save
that reached the database leaves no draft behind, and an import while a report is open
refreshes the fields not being typed in."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import Locker, journal
from tests.ui.test_office_work import choose, db_report

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S1"


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    import ui.drafts

    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


@pytest.fixture
def laptops(hq, make_office, tmp_path):
    """Two laptops of ML (a: the one on screen, b: its sibling), and a function that
    carries b's events to a through headquarters as the bundle a imports."""
    a = make_office("ML", "ml-a")
    b = make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    out = tmp_path / "out"
    out.mkdir()
    # headquarters knows both laptops (each has sent a bundle): it sends each the
    # other's work
    for laptop in (a, b):
        sync.import_bundle(hq, sync.export_bundle(laptop, out_dir=out).path)

    def relay(src):
        """src's news through HQ to dest's office: the path of the bundle dest imports."""
        sync.import_bundle(hq, sync.export_bundle(src, out_dir=out).path)
        return sync.export_bundle(hq, for_office="ML", out_dir=out).path

    a_path = a.path
    a.close()
    return a_path, b, code, relay


def conflicts(db):
    with open_replica(db) as rep:
        return sync.list_conflicts(rep)


def import_in_window(window, qtbot, bundle) -> None:
    window.import_files([str(bundle)])
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is not None,
                    timeout=20_000)
    window.findChild(object, "import-result").accept()
    wait_idle(qtbot, window.session)


def set_elsewhere(db, code, **fields) -> None:
    """``fieldplan progress set`` on the same database, the window closed."""
    with open_replica(db) as rep:
        progress.record_progress(rep, code, PERIOD, **fields)


# 1. a save that reached the database leaves no draft behind ---------------------------
def test_closing_within_the_save_delay_leaves_no_stale_draft(open_window, qtbot, laptops,
                                                             monkeypatch):
    db, _b, code, _relay = laptops
    # (typing not saved before the window closes: a wait of 200 ms for the journal,
    # 150 ms, came after the save, 500 ms, on a busy machine)
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    box.setFocus()
    qtbot.keyClicks(box, "Typed then closed")
    qtbot.waitUntil(lambda: (code, PERIOD) in journal(db), timeout=5000)  # not saved yet
    assert getattr(db_report(db, code, PERIOD), "achievements", None) != "Typed then closed"
    window.close()
    window.session.close()
    assert db_report(db, code, PERIOD).achievements == "Typed then closed"
    assert journal(db) == {}  # the save was confirmed though the window was gone

    set_elsewhere(db, code, achievements="Newer text")
    window = open_window(db)
    editor = choose(window, qtbot, code)
    wait_idle(qtbot, window.session)
    assert editor.narratives["achievements"].toPlainText() == "Newer text"
    assert editor.saved_label.text() != "Restored unsaved changes"
    assert db_report(db, code, PERIOD).achievements == "Newer text"
    assert conflicts(db) == []


class WorkerConfirms:
    """The saves the worker confirms in the draft journal (``DraftJournal.confirm`` off
    the GUI thread, before the window hears of them), to wait for."""

    def __init__(self, monkeypatch) -> None:
        import threading

        import ui.drafts

        self._said = threading.Condition()
        self.saved: list[dict] = []
        confirm = ui.drafts.DraftJournal.confirm

        def confirm_and_tell(journal, key, saved, *args, **kwargs) -> None:
            confirm(journal, key, saved, *args, **kwargs)
            if threading.current_thread() is not threading.main_thread():
                with self._said:
                    self.saved.append(dict(saved))
                    self._said.notify_all()

        monkeypatch.setattr(ui.drafts.DraftJournal, "confirm", confirm_and_tell)

    def wait_for(self, **fields) -> None:
        """Until the worker has confirmed a save of these values."""
        with self._said:
            assert self._said.wait_for(
                lambda: any(fields.items() <= saved.items() for saved in self.saved), 10)


def test_a_save_confirmed_as_the_window_closes_leaves_no_draft(open_window, qtbot, laptops,
                                                               monkeypatch):
    """Closing saves what is typed and waits for the drafts file (``unkept``), then
    saves and journals once more (``close_down``). When the worker had confirmed the
    first save meanwhile (its answer not back yet: a busy machine, a slow disk), the
    second put the saved text back in the journal, over the version that save wrote:
    a stale draft, offered later as newer data."""
    db, _b, code, _relay = laptops
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    confirmed = WorkerConfirms(monkeypatch)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    box.setFocus()
    qtbot.keyClicks(box, "Typed then closed")
    assert editor.unkept() == []  # what closing does first: the save is sent
    confirmed.wait_for(achievements="Typed then closed")  # not heard here yet
    window.close()
    window.session.close()
    assert db_report(db, code, PERIOD).achievements == "Typed then closed"
    assert journal(db) == {}


def test_typing_on_during_a_save_then_closing_leaves_no_draft(open_window, qtbot, laptops,
                                                              monkeypatch):
    """Typed on while a save was on its way, then closed: closing sends the rest, and
    when the worker has confirmed both saves before the window closes (neither heard
    here), the text is saved, not left as a draft over the versions they wrote."""
    from tests.ui.test_no_lost_entries import block_worker

    db, _b, code, _relay = laptops
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    confirmed = WorkerConfirms(monkeypatch)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    release = block_worker(window)
    box.setPlainText("One")
    editor.save_now()
    box.setPlainText("One two")
    editor.journal_now()
    release.set()
    confirmed.wait_for(achievements="One")
    assert editor.unkept() == []  # what closing does first: "One two" is sent
    confirmed.wait_for(achievements="One two")
    window.close()
    window.session.close()
    assert db_report(db, code, PERIOD).achievements == "One two"
    assert journal(db) == {}
    assert conflicts(db) == []


def test_a_text_typed_again_over_a_later_save_stays_in_the_journal(
        open_window, qtbot, laptops, monkeypatch, tmp_path):
    """"A" saved, "B" saved, then "A" typed again before the window heard of either
    save: the worker's confirmation of the first save (the second, still to come,
    writes "B" over it) and the window's, when it hears of it, leave the last "A" in
    the journal. Killed once "B" is in, the next start saves "A": nothing is lost."""
    from tests.ui.test_no_lost_entries import block_worker

    db, _b, code, _relay = laptops
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    confirmed = WorkerConfirms(monkeypatch)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    first = block_worker(window)
    box.setPlainText("A")
    editor.save_now()
    second = block_worker(window)
    box.setPlainText("B")
    editor.save_now()
    first.set()
    confirmed.wait_for(achievements="A")  # "B" held on the worker, nothing heard here
    box.setPlainText("A")
    editor.journal_now()
    assert journal(db)[(code, PERIOD)]["values"] == {"achievements": "A"}
    second.set()
    confirmed.wait_for(achievements="B")
    wait_idle(qtbot, window.session)  # the window hears of both saves
    assert db_report(db, code, PERIOD).achievements == "B"
    assert journal(db)[(code, PERIOD)]["values"] == {"achievements": "A"}

    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 500)
    copy = killed(db, tmp_path)
    window = open_window(copy)
    editor = choose(window, qtbot, code)
    qtbot.waitUntil(lambda: db_report(copy, code, PERIOD).achievements == "A", timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.narratives["achievements"].toPlainText() == "A"
    assert conflicts(copy) == []


def write_journal(db, entries) -> None:
    db.with_name(db.name + ".drafts.json").write_text(
        json.dumps({"version": 1, "drafts": entries}), encoding="utf-8")


def test_a_stale_draft_of_a_saved_text_does_not_come_back(open_window, qtbot, laptops):
    """A journal that still holds a text saved since (the program ended before the
    save came back) and replaced since by newer text: the draft is known as saved."""
    db, _b, code, _relay = laptops
    set_elsewhere(db, code, achievements="First")
    with open_replica(db) as rep:
        base = progress.report_versions(rep, code, PERIOD)["achievements"]
    set_elsewhere(db, code, achievements="Typed then closed")  # the save that was made
    set_elsewhere(db, code, achievements="Newer text")  # then another program's
    write_journal(db, [{"action": code, "period": PERIOD,
                        "values": {"achievements": "Typed then closed"},
                        "base": {"achievements": [base]}}])
    window = open_window(db)
    editor = choose(window, qtbot, code)
    wait_idle(qtbot, window.session)
    assert editor.narratives["achievements"].toPlainText() == "Newer text"
    assert editor.saved_label.text() != "Restored unsaved changes"
    assert db_report(db, code, PERIOD).achievements == "Newer text"
    assert journal(db) == {}
    assert conflicts(db) == []


@pytest.mark.parametrize("on_screen", [True, False], ids=["on-screen", "in-background"])
def test_an_older_journals_draft_of_an_older_value_is_not_dropped(open_window, qtbot,
                                                                   laptops, on_screen):
    """A journal written before drafts had their base: a draft the field shows is
    dropped; one of a value the field held once and no longer shows (typed back to it,
    or saved and replaced since: no telling which) is neither dropped nor written over
    the newer value: both are kept, and the person told."""
    db, _b, code, _relay = laptops
    set_elsewhere(db, code, status="on-track", achievements="Same")
    set_elsewhere(db, code, status="at-risk")  # what the screen showed when typing
    write_journal(db, [{"action": code, "period": PERIOD,
                        "values": {"status": "on-track", "achievements": "Same"}}])
    window = open_window(db)
    if on_screen:
        editor = choose(window, qtbot, code)
        assert editor.status.currentData() == "on-track"
        qtbot.waitUntil(lambda: "Conflicts" in editor.notice.text(), timeout=5000)
        assert "Status" in editor.notice.text()
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)
    wait_idle(qtbot, window.session)
    [conflict] = conflicts(db)
    assert conflict.field == "status"
    assert {c.value for c in conflict.candidates} == {"on-track", "at-risk"}
    assert db_report(db, code, PERIOD).achievements == "Same"


def typing_after(open_window, qtbot, db, code, achievements: str):
    """The report saved with these achievements, open, the cursor at their end:
    (window, editor, achievements box)."""
    set_elsewhere(db, code, status="on-track", achievements=achievements)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    box.setFocus()
    box.moveCursor(box.textCursor().MoveOperation.End)
    return window, editor, box


# 2. a draft never saved, over a value that moved on: a conflict, and the person told ---
@pytest.mark.parametrize("on_screen", [True, False], ids=["on-screen", "in-background"])
def test_a_draft_over_a_value_changed_since_is_kept_as_a_conflict(open_window, qtbot,
                                                                  laptops, on_screen):
    db, _b, code, _relay = laptops
    window, editor, box = typing_after(open_window, qtbot, db, code, "Agreed text")
    with Locker(db):
        qtbot.keyClicks(box, " and mine")
        window.close()
        window.session.close()
    assert journal(db)[(code, PERIOD)]["values"] == {"achievements": "Agreed text and mine"}
    set_elsewhere(db, code, achievements="Newer text")  # another program, meanwhile

    window = open_window(db)
    if on_screen:
        editor = choose(window, qtbot, code)
        assert editor.narratives["achievements"].toPlainText() == "Agreed text and mine"
        qtbot.waitUntil(lambda: "Conflicts" in editor.notice.text(), timeout=5000)
        assert "Achievements" in editor.notice.text() and editor.notice.isVisible()
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)
    wait_idle(qtbot, window.session)
    [conflict] = conflicts(db)
    assert conflict.field == "achievements"
    assert {c.value for c in conflict.candidates} == {"Agreed text and mine", "Newer text"}


def test_an_older_journal_file_is_still_read(open_window, qtbot, laptops):
    """A journal written before drafts carried their base: a field never written is
    saved as before."""
    db, _b, code, _relay = laptops
    write_journal(db, [{"action": code, "period": PERIOD,
                        "values": {"challenges": "Never saved"}}])
    window = open_window(db)
    editor = choose(window, qtbot, code)
    assert editor.narratives["challenges"].toPlainText() == "Never saved"
    qtbot.waitUntil(lambda: db_report(db, code, PERIOD) is not None
                    and db_report(db, code, PERIOD).challenges == "Never saved", timeout=5000)
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)
    wait_idle(qtbot, window.session)
    assert conflicts(db) == []


# 3. an import while the report is open ------------------------------------------------
@pytest.mark.parametrize("pending", ["held-percent", "typing"])
def test_an_import_refreshes_the_fields_not_typed_in(open_window, qtbot, laptops, pending):
    db, b, code, relay = laptops
    progress.record_progress(b, code, PERIOD, status="on-track", challenges="From laptop B")
    bundle = relay(b)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    assert editor.narratives["challenges"].toPlainText() == ""
    if pending == "held-percent":
        editor.percent.setFocus()
        qtbot.keyClicks(editor.percent, "150")  # a typo, held back
        editor.save_now()
        wait_idle(qtbot, window.session)
    else:
        box = editor.narratives["achievements"]
        box.setFocus()
        qtbot.keyClicks(box, "x")  # within the save delay
    import_in_window(window, qtbot, bundle)
    qtbot.waitUntil(
        lambda: editor.narratives["challenges"].toPlainText() == "From laptop B", timeout=5000)
    assert editor.status.currentData() == "on-track"
    if pending == "held-percent":
        assert editor.percent.text() == "150"  # still as typed, beside its error
        editor.percent.setFocus()
        editor.percent.selectAll()
        qtbot.keyClicks(editor.percent, "50")
    box = editor.narratives["challenges"]
    box.setFocus()
    box.moveCursor(box.textCursor().MoveOperation.End)
    qtbot.keyClicks(box, " Also fuel shortages.")
    editor.save_now()
    wait_idle(qtbot, window.session)
    report = db_report(db, code, PERIOD)
    assert report.challenges == "From laptop B Also fuel shortages."
    if pending == "held-percent":
        assert report.percent == 50
    else:
        assert report.achievements == "x"
    assert conflicts(db) == []
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)


def test_a_field_typed_in_and_changed_by_an_import_is_kept_as_a_conflict(
    open_window, qtbot, laptops
):
    db, b, code, relay = laptops
    progress.record_progress(b, code, PERIOD, status="on-track", challenges="From laptop B")
    bundle = relay(b)
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Mine")  # typed before the import, not saved yet
    import_in_window(window, qtbot, bundle)
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert box.toPlainText() == "Mine"  # what the person typed stays
    [conflict] = conflicts(db)
    assert conflict.field == "challenges"
    assert {c.value for c in conflict.candidates} == {"Mine", "From laptop B"}
    qtbot.waitUntil(lambda: "Conflicts" in editor.notice.text(), timeout=5000)
    assert "Challenges" in editor.notice.text()
    # the status nobody typed in came with the import
    assert editor.status.currentData() == "on-track"
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)


def test_a_save_after_a_save_still_on_its_way_is_no_conflict(open_window, qtbot, laptops):
    """Typing on while the last save has not come back: the next save replaces that
    save, not the value before it."""
    from tests.ui.test_no_lost_entries import block_worker

    db, _b, code, _relay = laptops
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["achievements"]
    box.setFocus()
    release = block_worker(window)
    qtbot.keyClicks(box, "One")
    editor.save_now()
    qtbot.keyClicks(box, " two")
    editor.save_now()
    release.set()
    wait_idle(qtbot, window.session)
    assert db_report(db, code, PERIOD).achievements == "One two"
    assert conflicts(db) == []
    qtbot.waitUntil(lambda: journal(db) == {}, timeout=5000)


def test_an_undo_after_an_import_keeps_the_newer_text_as_a_conflict(
    open_window, qtbot, laptops, hq, tmp_path
):
    """Undo writes back over what the save wrote: a sibling's text written over that
    save since (and shown on import) is kept beside the undone value."""
    db, b, code, relay = laptops
    window = open_window(db)
    editor = choose(window, qtbot, code)
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Visa")
    editor.save_now()
    wait_idle(qtbot, window.session)
    out = tmp_path / "to-b"
    out.mkdir()
    with open_replica(db) as a:  # laptop a's bundle reaches laptop b through HQ
        sync.import_bundle(hq, sync.export_bundle(a, out_dir=out).path)
    sync.import_bundle(b, sync.export_bundle(hq, for_office="ML", out_dir=out).path)
    progress.record_progress(b, code, PERIOD, challenges="Visa delays, longer")
    import_in_window(window, qtbot, relay(b))
    qtbot.waitUntil(lambda: box.toPlainText() == "Visa delays, longer", timeout=5000)
    assert conflicts(db) == []  # b wrote over a's text, having seen it
    window.undo()
    wait_idle(qtbot, window.session)
    [conflict] = conflicts(db)
    assert {c.value for c in conflict.candidates} == {"", "Visa delays, longer"}
    assert "Challenges" in editor.notice.text()


# 4. typing on while a save is on its way, and the program killed ----------------------
def killed(db, tmp_path):
    """The files of ``db`` as a kill leaves them (the journal's last write on disk):
    a copy, to open again."""
    import shutil

    journal(db)  # (the journal's writes done)
    crash = tmp_path / "killed"
    crash.mkdir()
    for path in db.parent.iterdir():
        if path.is_file() and path.name.startswith(db.name):
            shutil.copy(path, crash / path.name)
    return crash / db.name


def saving_ab(open_window, qtbot, laptops):
    """Achievements "A" on screen, "B" typed after it, and the save of "AB" held on
    the worker: (db, code, editor, box, release)."""
    from tests.ui.test_no_lost_entries import block_worker

    db, _b, code, _relay = laptops
    window, editor, box = typing_after(open_window, qtbot, db, code, "A")
    release = block_worker(window)
    qtbot.keyClicks(box, "B")
    editor.save_now()  # "AB" waits on the worker
    return db, code, editor, box, release


def killed_after_ab(open_window, qtbot, db, code, release, tmp_path, saving):
    """The save of "AB" let through and its end taken in by the window (``saving``:
    its editor; the journal's base moves on then), the program killed, and a copy of
    what it left opened on the report: (copy, window, editor). (Copied as soon as the
    database held "AB", a loaded machine could take the copy before the window had
    heard of the save.)"""
    release.set()
    qtbot.waitUntil(lambda: db_report(db, code, PERIOD).achievements == "AB", timeout=5000)
    wait_idle(qtbot, saving.session)
    copy = killed(db, tmp_path)
    window = open_window(copy)
    return copy, window, choose(window, qtbot, code)


def test_typing_on_during_a_save_then_a_kill_is_no_conflict(open_window, qtbot, laptops,
                                                            tmp_path):
    """A field typed on while its save is on its way is typed over what that save
    writes: the journal's base moves on with it, so the draft restored after a kill
    replaces the person's own saved text, not beside it."""
    db, code, editor, box, release = saving_ab(open_window, qtbot, laptops)
    qtbot.keyClicks(box, "C")
    editor.journal_now()  # "ABC" in the journal, not saved yet
    copy, window, editor = killed_after_ab(open_window, qtbot, db, code, release,
                                           tmp_path, editor)
    qtbot.waitUntil(lambda: db_report(copy, code, PERIOD).achievements == "ABC", timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.narratives["achievements"].toPlainText() == "ABC"
    assert conflicts(copy) == []
    assert "Conflicts" not in editor.notice.text()


def test_typed_back_during_a_save_then_a_kill_keeps_the_last_text(open_window, qtbot,
                                                                  laptops, tmp_path):
    """Typed back to the stored text while a save of other text is on its way: the
    journal keeps the text on screen, which that save does not hold."""
    db, code, editor, box, release = saving_ab(open_window, qtbot, laptops)
    qtbot.keyClick(box, Qt.Key.Key_Backspace)  # back to "A"
    editor.journal_now()
    assert journal(db)[(code, PERIOD)]["values"] == {"achievements": "A"}
    copy, window, editor = killed_after_ab(open_window, qtbot, db, code, release,
                                           tmp_path, editor)
    qtbot.waitUntil(lambda: db_report(copy, code, PERIOD).achievements == "A", timeout=5000)
    wait_idle(qtbot, window.session)
    assert editor.narratives["achievements"].toPlainText() == "A"
    assert conflicts(copy) == []


def test_a_status_picked_during_a_new_reports_first_save_is_no_conflict(open_window,
                                                                        qtbot, laptops):
    """The first save of a new report sets "not started" too: a status picked while
    it is on its way replaces that, not beside it."""
    from tests.ui.test_no_lost_entries import block_worker

    db, _b, code, _relay = laptops
    window = open_window(db)
    editor = choose(window, qtbot, code)
    assert db_report(db, code, PERIOD) is None
    box = editor.narratives["achievements"]
    box.setFocus()
    release = block_worker(window)
    qtbot.keyClicks(box, "Started")
    editor.save_now()  # the report's first save: the core adds "not started"
    editor.status.setCurrentIndex(editor.status.findData("on-track"))
    editor.save_now()
    release.set()
    wait_idle(qtbot, window.session)
    assert db_report(db, code, PERIOD).status == "on-track"
    assert conflicts(db) == []
    assert "Conflicts" not in editor.notice.text()


def test_an_unreadable_drafts_file_is_kept_and_said(open_window, qtbot, office_db):
    """A damaged drafts file is moved aside, not written over; the person was not told,
    and may have had text in it: the status bar says where it is kept."""
    from pathlib import Path

    path = Path(f"{office_db}.drafts.json")
    path.write_text('{"version": 1, "drafts": [{"action": "PA1.1", "perio')
    window = open_window(office_db)
    # (the drafts file is read off the window's thread: wait for it)
    qtbot.waitUntil(lambda: any(path.parent.glob(path.name + ".unreadable-*")), timeout=5000)
    [aside] = path.parent.glob(path.name + ".unreadable-*")
    assert aside.read_text().endswith('"perio')
    qtbot.waitUntil(lambda: window.save_state_label.isVisible(), timeout=5000)
    assert window.save_state_label.text() == (
        f"The drafts file could not be read; it is kept as {aside.name}.")
