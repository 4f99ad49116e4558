"""The draft journal's file is written off the GUI thread: a slow disk's fsync never
holds up typing; the latest content wins; closing waits for it; a file that cannot
be written is said, and the journal tries again."""

from __future__ import annotations

import json
import threading

import pytest

import ui.drafts
from fieldplan.progress import get_report
from tests.ui.conftest import wait_idle
from tests.ui.test_no_lost_entries import Locker
from tests.ui.test_office_work import choose, db_report
from ui.drafts import DraftJournal


class SlowDisk:
    """``write_atomic`` that waits for ``release`` (a disk busy with an fsync)."""

    def __init__(self, monkeypatch) -> None:
        self.release = threading.Event()
        self.writes: list[tuple[str, bytes]] = []
        self.started = threading.Event()
        self.done = threading.Event()
        real = ui.drafts.write_atomic

        def write(path, data, **kw):
            self.started.set()
            self.release.wait(10)
            real(path, data, **kw)
            self.writes.append((threading.current_thread().name, data))
            self.done.set()

        monkeypatch.setattr(ui.drafts, "write_atomic", write)


def drafts(path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {(d["action"], d["period"]): d.get("values") for d in data["drafts"]}


def test_writing_the_journal_does_not_wait_for_the_disk(qtbot, tmp_path, monkeypatch):
    disk = SlowDisk(monkeypatch)
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(("PA1.1", "2026-S1"), {"challenges": "one"}, {})
    assert journal.write()  # returns while the disk is still busy
    assert disk.started.wait(10)
    assert not disk.done.is_set() and not journal.path.exists()
    journal.put(("PA1.1", "2026-S1"), {"challenges": "two"}, {})
    journal.write()
    journal.put(("PA1.1", "2026-S1"), {"challenges": "three"}, {})
    journal.write()
    disk.release.set()
    assert journal.flush(10)
    assert drafts(journal.path) == {("PA1.1", "2026-S1"): {"challenges": "three"}}
    # the first write, then the latest content: "two" was never worth writing
    assert len(disk.writes) == 2
    assert all(name != threading.main_thread().name for name, _data in disk.writes)
    journal.put(("PA1.1", "2026-S1"), {}, {})
    journal.write()
    assert journal.flush(10) and not journal.path.exists()  # nothing left: no file


def test_a_journal_that_cannot_be_written_says_so_and_tries_again(qtbot, tmp_path):
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.path.mkdir()  # a folder where the file should be
    seen = []
    journal.write_state_did_change.connect(lambda: seen.append(journal.write_error))
    journal.put(("PA1.1", "2026-S1"), {"challenges": "kept"}, {})
    journal.write()
    qtbot.waitUntil(lambda: bool(journal.write_error), timeout=5000)
    assert str(journal.path) in journal.write_error and len(seen) == 1
    assert not journal.write()  # still failing: said, and the values are still held
    assert journal.values(("PA1.1", "2026-S1")) == {"challenges": "kept"}
    journal.path.rmdir()
    journal.write()  # the failed content is written again, though nothing changed
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert drafts(journal.path) == {("PA1.1", "2026-S1"): {"challenges": "kept"}}
    assert seen[-1] == ""


@pytest.fixture
def _quick(monkeypatch):
    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


def test_closing_the_window_waits_for_the_journal(open_window, qtbot, hq_db, monkeypatch,
                                                  _quick):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    disk = SlowDisk(monkeypatch)
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Typed on a slow disk")
        threading.Timer(0.2, disk.release.set).start()  # the disk is slow, not stuck
        window.close()
        window.session.close()
    path = hq_db.with_name(hq_db.name + ".drafts.json")
    assert drafts(path)[("PA1.6", "2026-S1")] == {"challenges": "Typed on a slow disk"}
    assert db_report(hq_db, "PA1.6", "2026-S1").challenges == ""


def test_the_window_says_when_the_journal_cannot_be_written(open_window, qtbot, hq_db,
                                                            _quick):
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    path = hq_db.with_name(hq_db.name + ".drafts.json")
    path.mkdir()
    with Locker(hq_db):
        qtbot.keyClicks(editor.narratives["challenges"], "Visa delays")
        editor.save_now()
        qtbot.waitUntil(lambda: "drafts file cannot be written" in
                        window.save_state_label.text(), timeout=5000)
        path.rmdir()
    qtbot.waitUntil(
        lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == "Visa delays", timeout=5000)
    qtbot.waitUntil(lambda: not window.save_state_label.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)


def test_a_write_that_fails_oddly_is_said_and_the_writer_goes_on(qtbot, tmp_path,
                                                                 monkeypatch):
    """Not only a full disk: any failure of a write is said, and the next write runs
    (a writer thread that died would leave every later draft unwritten)."""
    real = ui.drafts.write_atomic
    calls = []

    def odd_then_fine(path, data, **kw):
        calls.append(data)
        if len(calls) == 1:
            raise RuntimeError("something no one foresaw")
        real(path, data, **kw)

    monkeypatch.setattr(ui.drafts, "write_atomic", odd_then_fine)
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(("PA1.1", "2026-S1"), {"challenges": "first"}, {})
    journal.write()
    assert journal.flush(10)
    qtbot.waitUntil(lambda: "something no one foresaw" in journal.write_error, timeout=5000)
    journal.put(("PA1.1", "2026-S1"), {"challenges": "second"}, {})
    journal.write()
    assert journal.flush(10)
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert drafts(journal.path) == {("PA1.1", "2026-S1"): {"challenges": "second"}}


def test_each_draft_keeps_the_versions_it_was_typed_over(qtbot, tmp_path):
    """The file says, per field, which versions a draft replaces; a file written
    before it did (or a damaged entry) reads as typed over versions not known."""
    journal = DraftJournal(tmp_path / "x.sqlite3")
    key = ("PA1.1", "2026-S1")
    journal.put(key, {"challenges": "typed", "percent": 5}, {"value.k": "abc"},
                {"challenges": ["r1:4"], "percent": [], "value.k": ["r1:2"]})
    journal.write()
    assert journal.flush(10)
    again = DraftJournal(journal.path.with_name("x.sqlite3"))
    assert again.base(key) == {"challenges": ["r1:4"], "percent": [], "value.k": ["r1:2"]}
    again.confirm(key, {"challenges": "typed"})
    assert again.base(key) == {"percent": [], "value.k": ["r1:2"]}

    older = tmp_path / "old.sqlite3.drafts.json"
    older.write_text(json.dumps({"version": 1, "drafts": [
        {"action": "PA1.1", "period": "2026-S1", "values": {"challenges": "kept"}},
        {"action": "PA1.2", "period": "2026-S1", "values": {"challenges": "odd"},
         "base": {"challenges": "not a list"}},
    ]}), encoding="utf-8")
    old = DraftJournal(tmp_path / "old.sqlite3")
    assert old.values(key) == {"challenges": "kept"}
    assert old.base(key) == {"challenges": None}  # not known
    assert old.base(("PA1.2", "2026-S1")) == {"challenges": None}
    old.put(key, {"challenges": "kept, and more"}, {})
    old.write()
    assert old.flush(10)
    assert DraftJournal(tmp_path / "old.sqlite3").base(key) == {"challenges": None}



def test_a_draft_typed_on_during_a_save_follows_the_version_it_wrote(qtbot, tmp_path):
    """A save of a field that returns while the field was typed on: the draft left is
    typed over the version that save wrote (and so is one put with the older base)."""
    journal = DraftJournal(tmp_path / "x.sqlite3")
    key = ("PA1.1", "2026-S1")
    journal.put(key, {"challenges": "ABC", "percent": 5}, {},
                {"challenges": ["r1:1"], "percent": ["r1:1"]})
    journal.confirm(key, {"challenges": "AB"}, {"challenges": (["r1:1"], ["r1:2"])})
    assert journal.base(key) == {"challenges": ["r1:2"], "percent": ["r1:1"]}
    journal.put(key, {"challenges": "ABCD", "percent": 5}, {},
                {"challenges": ["r1:1"], "percent": ["r1:1"]})
    assert journal.base(key) == {"challenges": ["r1:2"], "percent": ["r1:1"]}
    journal.write()
    assert journal.flush(10)
    again = DraftJournal(tmp_path / "x.sqlite3")
    assert again.base(key) == {"challenges": ["r1:2"], "percent": ["r1:1"]}


def test_a_value_its_last_save_wrote_is_left_out_when_put_again(qtbot, tmp_path):
    """Put again over the version it was typed over, a value the last save sent of
    its field wrote (confirmed by the worker, not heard on the GUI thread yet: a
    window closing) is saved, not a draft."""
    journal = DraftJournal(tmp_path / "x.sqlite3")
    key = ("PA1.1", "2026-S1")
    journal.put(key, {"challenges": "A", "percent": 5}, {},
                {"challenges": ["r1:1"], "percent": ["r1:1"]})
    sent = journal.sending(key, {"challenges": "A", "percent": 5})
    journal.confirm(key, {"challenges": "A", "percent": 5},
                    {"challenges": (["r1:1"], ["r1:2"]), "percent": (["r1:1"], ["r1:2"])},
                    sent)
    assert key not in journal
    journal.put(key, {"challenges": "A", "percent": 5}, {},
                {"challenges": ["r1:1"], "percent": ["r1:1"]})
    assert key not in journal


def test_a_value_put_again_stays_unless_its_last_save_wrote_it_untouched(qtbot, tmp_path):
    """What keeps a value put again in the journal though a save of it was confirmed:
    a later save of the field on its way ("A", "B" sent, "A" again: that save writes
    "B" over it), other text put for the field since the save was sent, text held back
    as not valid, and a value typed over another version than the save wrote."""
    key = ("PA1.1", "2026-S1")

    def saved_a(name: str) -> DraftJournal:
        journal = DraftJournal(tmp_path / f"{name}.sqlite3")
        journal.put(key, {"challenges": "A"}, {}, {"challenges": ["r1:1"]})
        return journal

    later = saved_a("later")
    first = later.sending(key, {"challenges": "A"})
    later.put(key, {"challenges": "B"}, {}, {"challenges": ["r1:1"]})
    second = later.sending(key, {"challenges": "B"})
    later.confirm(key, {"challenges": "A"}, {"challenges": (["r1:1"], ["r1:2"])}, first)
    later.put(key, {"challenges": "A"}, {}, {"challenges": ["r1:1"]})
    assert later.values(key) == {"challenges": "A"}
    later.confirm(key, {"challenges": "A"}, sent=first)  # the window hears of it
    assert later.values(key) == {"challenges": "A"}
    later.confirm(key, {"challenges": "B"}, {"challenges": (["r1:2"], ["r1:3"])}, second)
    assert later.values(key) == {"challenges": "A"}
    assert later.base(key) == {"challenges": ["r1:3"]}  # typed over "B", no conflict

    typed = saved_a("typed")
    sent = typed.sending(key, {"challenges": "A"})
    typed.put(key, {"challenges": "AB"}, {}, {"challenges": ["r1:1"]})
    typed.confirm(key, {"challenges": "A"}, {"challenges": (["r1:1"], ["r1:2"])}, sent)
    typed.put(key, {"challenges": "A"}, {}, {"challenges": ["r1:1"]})
    assert typed.values(key) == {"challenges": "A"}

    held = DraftJournal(tmp_path / "held.sqlite3")
    sent = held.sending(key, {"value.k": 12})
    held.confirm(key, {"value.k": 12}, {"value.k": ([], ["r1:2"])}, sent)
    held.put(key, {}, {"value.k": "12,,"}, {"value.k": []})
    held.put(key, {"value.k": 12}, {}, {"value.k": []})
    assert held.values(key) == {"value.k": 12}

    other = saved_a("other")
    sent = other.sending(key, {"challenges": "A"})
    other.confirm(key, {"challenges": "A"}, {"challenges": (["r1:1"], ["r1:2"])}, sent)
    # typed again over a value another laptop wrote since (an import showed it)
    other.put(key, {"challenges": "A"}, {}, {"challenges": ["r2:7"]})
    assert other.values(key) == {"challenges": "A"}


class FakeClock:
    """A monotonic clock that moves only when told (seconds)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_debouncer_with_a_maximum_wait_calls_while_pokes_go_on(qtbot):
    """A poke every 120 ms never leaves 150 ms of quiet: without a maximum wait the
    call never came while typing went on (6 s of text in no file when killed)."""
    from ui.ops import Debouncer

    clock = FakeClock()
    calls: list[tuple[float, float]] = []  # (first poke answered, call)
    first: list[float] = []

    def call() -> None:
        calls.append((first.pop(), clock.now))

    debouncer = Debouncer(150, call, max_wait=1000, clock=clock)
    for key in range(50):  # 6 s of steady typing
        t = key * 0.120
        # what the event loop does before the next key: the call, if it is due by then
        if debouncer.pending() and debouncer.due <= t:
            clock.now = debouncer.due
            debouncer.flush()
        clock.now = t
        if not first:
            first.append(t)
        debouncer.poke()
    assert len(calls) >= 5
    assert all(called - poked <= 1.0 + 1e-9 for poked, called in calls)
    debouncer.cancel()
    assert not debouncer.pending() and debouncer.due is None
    # a pause is still answered after its 150 ms, not the maximum wait
    clock.now = 100.0
    first.append(clock.now)
    debouncer.poke()
    assert debouncer.due == pytest.approx(100.150)
    debouncer.cancel()


def test_a_steady_typist_is_in_the_drafts_file_within_a_second(open_window, qtbot, hq_db,
                                                                monkeypatch):
    """The reviewer's steady typist (a key every 120 ms): at any moment what was typed
    a second before is in the drafts file, as a crash would leave it."""
    import functools

    import ui.report_editor
    from ui.ops import Debouncer

    clock = FakeClock()
    monkeypatch.setattr(ui.report_editor, "Debouncer", functools.partial(Debouncer,
                                                                         clock=clock))
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA1.6")
    journal_debounce = editor._journal_debounce
    box = editor.narratives["challenges"]
    path = hq_db.with_name(hq_db.name + ".drafts.json")
    typed: list[tuple[float, str]] = []  # (when, text so far)
    with Locker(hq_db):  # no save reaches the database: only the drafts file keeps it
        for key in range(50):  # 6 s
            t = key * 0.120
            if journal_debounce.pending() and journal_debounce.due <= t:
                clock.now = journal_debounce.due
                # the timer was started for what was left of the maximum wait: it fires
                qtbot.waitUntil(lambda: not journal_debounce.pending(), timeout=5000)
            clock.now = t
            qtbot.keyClick(box, "abcdefghij"[key % 10])
            typed.append((t, box.toPlainText()))
        ui.drafts.flush_all()
        kept = drafts(path)[("PA1.6", "2026-S1")]["challenges"] if path.exists() else ""
        # all that was typed up to a second before the end (the kill) is kept
        due = [text for when, text in typed if when <= typed[-1][0] - 1.0]
        assert kept.startswith(due[-1]) and len(due[-1]) >= 40
        editor._debounce.cancel()
        journal_debounce.cancel()
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(hq_db, "PA1.6", "2026-S1").challenges == typed[-1][1],
                    timeout=5000)
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("drafts", [1.5, None, -1])
def test_a_journal_whose_drafts_are_not_a_list_is_set_aside(qtbot, tmp_path, drafts):
    """Found by fuzzing the journal file: ``{"drafts": 1.5}`` (a damaged file that is
    still JSON) raised TypeError from the journal's constructor, and the window on
    the database did not open. It is set aside as any unreadable journal is."""
    path = tmp_path / "x.sqlite3.drafts.json"
    path.write_text(json.dumps({"version": 1, "drafts": drafts}), encoding="utf-8")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    assert journal.reports() == []
    assert journal.set_aside is not None
    assert json.loads(journal.set_aside.read_text(encoding="utf-8"))["drafts"] == drafts
    assert not path.exists()


@pytest.mark.parametrize("held", [[1], "x", 1.5])
def test_a_damaged_entry_keeps_what_can_be_read(qtbot, tmp_path, held):
    """Found by fuzzing the journal file: an entry whose held texts were not an object
    raised AttributeError from the journal's constructor. Its values are kept; the
    held texts, which no longer say which field they are, are not."""
    path = tmp_path / "x.sqlite3.drafts.json"
    path.write_text(json.dumps({"version": 1, "drafts": [
        {"action": "PA1.1", "period": "2026-S1", "values": {"challenges": "typed"},
         "held": held},
        {"action": "PA1.2", "period": "2026-S1", "values": ["not", "an", "object"]},
        {"action": "PA1.3", "period": "2026-S1", "values": {"achievements": "kept"}},
    ]}), encoding="utf-8")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    assert journal.reports() == [("PA1.1", "2026-S1"), ("PA1.3", "2026-S1")]
    assert journal.values(("PA1.1", "2026-S1")) == {"challenges": "typed"}
    assert journal.held(("PA1.1", "2026-S1")) == {}
    assert journal.set_aside is None


@pytest.mark.parametrize("ids", [
    [f"r{n}:{n + 1}" for n in range(33)],  # more versions than one event names
    ["r:\u0663"],  # a seq in Arabic-Indic digits (Python's \\d took it)
    ["r:99999999999999999999999"],  # past SQLite's integers (OverflowError)
])
def test_a_base_the_core_would_refuse_reads_as_not_known(qtbot, office_db, ids):
    """Found by QA: a drafts file damaged on disk, or another release's, whose draft
    was typed over versions the core refuses to read failed every save of it with a
    ValueError (or OverflowError), taken for a passing fault: retried every few
    seconds for ever, never saved, the status bar saying "retrying" for good, and its
    report never opened. It reads as typed over versions not known, as any other
    damaged base does: saved over what the field shows."""
    from fieldplan.progress import check_base
    from fieldplan.replica import open_replica
    from ui.report_editor import write_values

    key = ("PA1.2", "2026-S1")
    path = office_db.with_name(office_db.name + ".drafts.json")
    path.write_text(json.dumps({"version": 1, "drafts": [
        {"action": key[0], "period": key[1], "values": {"achievements": "Typed"},
         "base": {"achievements": ids}}]}), encoding="utf-8")
    journal = DraftJournal(office_db)
    assert journal.base(key) == {"achievements": None}
    with open_replica(office_db) as rep:
        base = journal.base(key)
        assert not check_base(rep, *key, journal.values(key), base).moved
        write_values(rep, *key, journal.values(key), base)
        assert get_report(rep, *key).achievements == "Typed"


@pytest.mark.parametrize("name", ["chalXenges", "state", "base", ""])
def test_a_draft_field_no_editor_writes_is_refused_as_a_value_is(office_db, name):
    """Found by fuzzing the journal file: a field's name damaged on disk ("chalXenges")
    reached record_progress as a keyword (TypeError, "base": two values of it), which
    the retry took for a passing fault: tried again every few seconds for ever, with
    no word. It is a refusal (ValidationError) as a value that is not valid is: the
    draft is kept and the reason shown."""
    from fieldplan.errors import ValidationError
    from fieldplan.replica import open_replica
    from ui.report_editor import write_values

    with open_replica(office_db) as rep:
        code = rep.plan().actions_of(level="national")[0].code
        with pytest.raises(ValidationError,
                           match=f"^{name!r} is not a field of a progress report$"):
            write_values(rep, code, "2026-S1", {"achievements": "real", name: "Typed"})
        assert get_report(rep, code, "2026-S1") is None


def test_a_draft_whose_period_is_damaged_is_set_aside_and_said(open_window, qtbot,
                                                                office_db, monkeypatch):
    """Found by fuzzing the journal file: a draft of period "2026-Sx" was set aside
    (the plan refuses it: its text kept), but naming it raised ValueError in the
    status bar's words ("not a period"), which stayed silent about it, and the
    set-aside text could not be shown. The period shows as the file gives it."""
    from ui.unkept import set_aside_dialog

    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)
    entry = {"action": "PA1.1", "period": "2026-Sx", "values": {"achievements": "Typed"}}
    path = office_db.with_name(office_db.name + ".drafts.json")
    path.write_text(json.dumps({"version": 1, "drafts": [entry]}), encoding="utf-8")
    window = open_window(office_db)
    qtbot.waitUntil(lambda: window.save_state_label.text() == (
        "PA1.1 ('2026-Sx') is outside the plan now; what was typed is kept in "
        f"{office_db.name}.drafts-set-aside.json"), timeout=5000)
    (aside,) = window.office_view.editor._journal().aside_entries()
    assert aside["values"] == {"achievements": "Typed"}
    dialog = set_aside_dialog(window, [aside])
    assert "PA1.1 ('2026-Sx')" in dialog.details.toPlainText()
    dialog.deleteLater()


def _aside_of(db) -> list[dict]:
    path = db.with_name(db.name + ".drafts-set-aside.json")
    return json.loads(path.read_text(encoding="utf-8"))["drafts"] if path.exists() else []


@pytest.mark.parametrize("unfit", [
    {"values": {"chalXenges": "Typed"}},  # a name damaged on disk, or a later release's
    {"values": {"challenges": 5}},  # a number where text goes
    {"values": {"status": 3, "percent": "half", "value.nope": 2}},
    {"held": {"chalXenges": "Typed"}},
    {"held": {"status": "Typed"}},  # no status of this version
])
def test_typed_text_the_editor_cannot_show_is_set_aside_not_dropped(
        open_window, qtbot, office_db, monkeypatch, unfit):
    """Found by QA: a draft's field the editor does not know ("chalXenges": a drafts
    file damaged on disk, or one a later release wrote) or a value of another kind
    than its field's was dropped from the journal when the report was opened (the
    editor put back only the fields it shows): the typed text was lost without a
    word. It is set aside, as a draft the plan refuses is, and the person told; the
    fields the editor can show stay in the journal and are saved."""
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)
    key = ("PA1.1", "2026-S1")
    entry = {"action": key[0], "period": key[1], **unfit,
             "values": {**unfit.get("values", {}), "achievements": "Kept in the form"}}
    path = office_db.with_name(office_db.name + ".drafts.json")
    path.write_text(json.dumps({"version": 1, "drafts": [entry]}), encoding="utf-8")
    window = open_window(office_db)
    editor = choose(window, qtbot, key[0], key[1])
    assert editor.narratives["achievements"].toPlainText() == "Kept in the form"
    qtbot.keyClicks(editor.narratives["challenges"], "Typed now")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(office_db, *key) is not None
                    and db_report(office_db, *key).challenges == "Typed now", timeout=5000)
    assert db_report(office_db, *key).achievements == "Kept in the form"
    wait_idle(qtbot, window.session)
    ui.drafts.flush_all()
    (aside,) = _aside_of(office_db)
    assert aside.get("values", {}) == unfit.get("values", {})
    assert aside.get("held", {}) == unfit.get("held", {})
    assert (aside["action"], aside["period"]) == key
    qtbot.waitUntil(lambda: window.save_state_label.text() == (
        "PA1.1 (1st semester 2026) holds text this version of fieldplan cannot show; it "
        f"is kept in {office_db.name}.drafts-set-aside.json"), timeout=5000)
    # the way to it is named for what it is (not "Text outside the plan…": the plan
    # keeps the report)
    qtbot.waitUntil(window.aside_button.isVisible, timeout=5000)
    assert window.aside_button.text() == "Text set aside…"
    assert window.aside_action.isEnabled() and window.aside_action.text() == "Te&xt set aside…"
    assert "cannot show" in window.aside_action.toolTip()
    # its text can be read (and copied) in the window
    from ui.unkept import set_aside_dialog

    dialog = set_aside_dialog(window, [aside])
    shown = dialog.details.toPlainText()
    assert ("This version of fieldplan cannot show it: a field it does not have, or a "
            "value of another kind\n") in shown
    for text in [*unfit.get("held", {}).values(), *map(str, unfit.get("values", {}).values())]:
        assert text in shown
    dialog.deleteLater()
    # nothing of it is left in the journal, nor retried
    journal = editor._journal()
    assert key not in journal
    assert not path.exists()


def test_fields_set_apart_stay_in_the_file_until_set_aside(qtbot, tmp_path):
    """What ``set_apart`` takes out of a draft is no longer the editor's to put or to
    save, yet the journal's file keeps it (a crash before the set-aside file holds it
    loses nothing) until ``set_aside_reports`` moves it there, alone: the fields the
    editor shows stay in the journal."""
    key = ("PA1.1", "2026-S1")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(key, {"chalXenges": "Typed", "challenges": 5, "achievements": "ok",
                      "value.people": 3}, {"value.gone": "1,2"},
                {"chalXenges": ["a:1"], "achievements": []})
    assert journal.set_apart(key, {"people"})
    assert journal.values(key) == {"achievements": "ok", "value.people": 3}
    assert journal.held(key) == {}
    journal.put(key, {"achievements": "ok too"}, {})  # the editor's put drops none of it
    journal.write()
    assert journal.flush(10)
    (entry,) = json.loads(journal.path.read_text(encoding="utf-8"))["drafts"]
    assert entry["values"] == {"chalXenges": "Typed", "challenges": 5,
                               "achievements": "ok too"}
    assert entry["held"] == {"value.gone": "1,2"}
    assert journal.unkept() == []
    assert journal.set_aside_reports({key: (ui.drafts.UNFIT,)})
    assert journal.flush(10)
    (aside,) = journal.aside_entries()
    assert aside["values"] == {"chalXenges": "Typed", "challenges": 5}
    assert aside["held"] == {"value.gone": "1,2"}
    assert aside["base"] == {"chalXenges": ["a:1"], "challenges": [], "value.gone": []}
    assert aside["why"] == ["fields"] and "cannot show" in aside["error"]
    (entry,) = json.loads(journal.path.read_text(encoding="utf-8"))["drafts"]
    assert entry == {"action": "PA1.1", "period": "2026-S1",
                     "values": {"achievements": "ok too"}, "base": {"achievements": []}}
    assert [k for k, _why in journal.put_aside] == [key]
    assert not journal.set_apart(key, {"people"})  # nothing left to take out


def unfit_draft(office_db, monkeypatch, **more) -> tuple[str, str]:
    """A drafts file beside ``office_db`` holding PA1.2 (2026-S1)'s draft: a field this
    version has not ("chalXenges") beside one it has, ``more`` in its entry; the
    journal retried every 100 ms. Returns the report."""
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)
    key = ("PA1.2", "2026-S1")
    entry = {"action": key[0], "period": key[1],
             "values": {"chalXenges": "Typed", "achievements": "Saved"}, **more}
    path = office_db.with_name(office_db.name + ".drafts.json")
    path.write_text(json.dumps({"version": 1, "drafts": [entry]}), encoding="utf-8")
    return key


def test_text_the_editor_cannot_show_is_set_aside_at_start(open_window, qtbot, office_db,
                                                             monkeypatch):
    """A report not opened: its fields the editor cannot show are set aside as the
    window starts, and the rest of its draft is saved, not refused for ever ("not a
    field of a progress report")."""
    unfit_draft(office_db, monkeypatch)
    window = open_window(office_db)
    qtbot.waitUntil(lambda: db_report(office_db, "PA1.2", "2026-S1") is not None,
                    timeout=5000)
    assert db_report(office_db, "PA1.2", "2026-S1").achievements == "Saved"
    qtbot.waitUntil(lambda: "PA1.2 (1st semester 2026) holds text this version of "
                    "fieldplan cannot show" in window.save_state_label.text(), timeout=5000)
    (aside,) = _aside_of(office_db)
    assert aside["values"] == {"chalXenges": "Typed"}
    wait_idle(qtbot, window.session)


def test_fields_the_set_aside_file_cannot_take_stay_and_the_rest_is_retried(qtbot, tmp_path):
    """The set-aside file cannot take the fields the editor cannot show (a folder in
    its place): they stay in the journal's file, and the rest of the draft is not
    taken for a draft the plan refuses (``aside_failed``: no longer retried)."""
    key = ("PA1.1", "2026-S1")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.aside_path.mkdir()
    journal.put(key, {"chalXenges": "Typed", "achievements": "ok"}, {})
    assert journal.set_apart(key, set())
    assert not journal.set_aside_reports({key: (ui.drafts.UNFIT,)})
    assert journal.aside_error and journal.aside_failed() == frozenset()
    assert journal.values(key) == {"achievements": "ok"}
    assert journal.apart() == [key]
    journal.write()
    assert journal.flush(10)
    (entry,) = json.loads(journal.path.read_text(encoding="utf-8"))["drafts"]
    assert entry["values"] == {"chalXenges": "Typed", "achievements": "ok"}


#: A value no drafts file holds (a damaged number or nesting), as the file's text
_NOT_WRITABLE_BACK = {
    "nan": "NaN",
    "infinity": "-Infinity",
    "huge": "1e999",  # (read as infinity)
    "nested": "[" * 900 + "]" * 900,  # (read or not, by how deep the program is)
    "too-nested": "[" * 100_000 + "]" * 100_000,  # past what reading it takes
}


@pytest.mark.parametrize("value", list(_NOT_WRITABLE_BACK), ids=list(_NOT_WRITABLE_BACK))
def test_a_journal_holding_what_json_cannot_write_back_is_set_aside(qtbot, tmp_path,
                                                                    value):
    """A damaged drafts file that Python's JSON reader still takes, holding a number
    JSON cannot write (NaN, infinity: one digit more in '1e99'), was loaded, and from
    then on every write of the journal failed ('Out of range float values are not
    JSON compliant'): nothing typed afterwards, in any report, reached the drafts
    file. Nested past Python's recursion limit (a limit that moves with how deep the
    program is when it reads), the journal's constructor raised RecursionError and
    the window on the database did not open. Each is set aside as any unreadable
    journal is, whole, and the journal writes what is typed next."""
    path = tmp_path / "x.sqlite3.drafts.json"
    text = ('{"version": 1, "drafts": [{"action": "PA1.1", "period": "2026-S1", '
            f'"values": {{"percent": {_NOT_WRITABLE_BACK[value]}}}}}]}}')
    path.write_text(text, encoding="utf-8")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    assert journal.reports() == []
    assert journal.set_aside is not None
    assert journal.set_aside.read_text(encoding="utf-8") == text
    journal.put(("PA1.2", "2026-S1"), {"achievements": "typed"}, {}, {"achievements": []})
    assert journal.write() and journal.write_error == ""
    qtbot.waitUntil(lambda: path.exists(), timeout=5000)
    assert drafts(path) == {("PA1.2", "2026-S1"): {"achievements": "typed"}}


def test_fields_the_set_aside_file_could_not_take_are_tried_again(
        open_window, qtbot, office_db, monkeypatch):
    """Found by QA: when the set-aside file could not take a draft's fields the editor
    cannot show (a folder in its place, a full disk), they were tried again only when
    the report was next opened or the window restarted. They are tried again on the
    journal's retry timer, as a draft the plan refuses is."""
    key = unfit_draft(office_db, monkeypatch)
    blocker = office_db.with_name(office_db.name + ".drafts-set-aside.json")
    blocker.mkdir()  # (the set-aside file cannot be written)
    window = open_window(office_db)
    qtbot.waitUntil(lambda: db_report(office_db, *key) is not None, timeout=5000)
    journal = window.office_view.editor._journal()
    qtbot.waitUntil(lambda: journal.aside_error != "" and journal.apart() == [key],
                    timeout=5000)
    blocker.rmdir()  # the file can take them now: no report opened, no restart
    qtbot.waitUntil(lambda: _aside_of(office_db) != [], timeout=5000)
    (aside,) = _aside_of(office_db)
    assert aside["values"] == {"chalXenges": "Typed"}
    qtbot.waitUntil(lambda: journal.apart() == [] and not journal.aside_error,
                    timeout=5000)
    qtbot.waitUntil(lambda: "PA1.2 (1st semester 2026) holds text this version of "
                    "fieldplan cannot show" in window.save_state_label.text(), timeout=5000)
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_field_this_version_has_not_reads_in_the_layouts_direction(qapp, qtbot, lang):
    """Found by QA: in the set-aside dialog a field this version has not is named as
    the drafts file names it ("chalXenges: Typed"); in Arabic that line read left to
    right, from its Latin name, among lines that read right to left. The name is
    isolated and the line reads in the layout's direction; English is as it was."""
    from PySide6.QtWidgets import QWidget

    from ui.app import apply_language
    from ui.bidi import RLM, text_direction
    from ui.qtcompat import Qt
    from ui.unkept import set_aside_dialog

    entry = {"action": "PA1.1", "period": "2026-S1", "why": [ui.drafts.UNFIT],
             "values": {"chalXenges": "Typed", "achievements": "Kept"},
             "held": {"مرحلة": "Typed too"}}
    apply_language(qapp, lang)
    try:
        parent = QWidget()
        qtbot.addWidget(parent)
        dialog = set_aside_dialog(parent, [entry])
        lines = dialog.details.toPlainText().split("\n")
        rtl = lang == "ar"
        want = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        (chal,) = [line for line in lines if "chalXenges" in line]
        (arabic_name,) = [line for line in lines if "مرحلة" in line]
        for line in (chal, arabic_name):
            assert text_direction(line) == want
        if rtl:
            assert chal == RLM + "\u2068chalXenges\u2069: Typed"
            assert arabic_name == RLM + "\u2068مرحلة\u2069: Typed too"
        else:
            assert chal == "chalXenges: Typed"
            assert arabic_name == "\u2068مرحلة\u2069: Typed too"
        dialog.deleteLater()
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("reason", ["fields", "plan"])
def test_a_field_set_apart_then_typed_over_stays_in_the_file(qtbot, tmp_path, reason):
    """Found by review: a field set apart (a status of a later release's) while the
    set-aside file could not take it, then typed in the editor (a status of this
    version's), was in the journal's file no more: the typed value took its place
    there, and the program ended before the set-aside file held it lost it. It is kept
    in the entry ("apart") until then; set aside after a restart, alone or with the
    whole draft when the plan refuses the report, it is shown there."""
    from ui.unkept import set_aside_dialog

    key = ("PA1.1", "2026-S1")
    db = tmp_path / "x.sqlite3"
    journal = DraftJournal(db)
    journal.aside_path.mkdir()  # (the set-aside file cannot take it: it waits)
    journal.put(key, {"status": "paused", "achievements": "ok"}, {},
                {"status": ["a:1"], "achievements": []})
    assert journal.set_apart(key, set())
    assert not journal.set_aside_reports({key: (ui.drafts.UNFIT,)})
    journal.put(key, {"status": "on-track", "achievements": "ok"}, {}, {"status": ["a:2"]})
    journal.write()
    assert journal.flush(10) and journal.unkept() == []
    journal.aside_path.rmdir()
    # the program ends; the next one finds both
    again = DraftJournal(db)
    assert again.values(key) == {"status": "on-track", "achievements": "ok"}
    assert again.apart() == [key]
    if reason == "fields":
        assert again.set_aside_reports({key: (ui.drafts.UNFIT,)})
        assert again.flush(10)
        (aside,) = again.aside_entries()
        assert aside["values"] == {"status": "paused"}
        assert aside["base"] == {"status": ["a:1"]}
        assert drafts(again.path) == {key: {"status": "on-track", "achievements": "ok"}}
    else:  # the plan refuses the whole report: all of it, both values of its status
        assert again.set_aside_reports({key: ("action",)})
        assert again.flush(10)
        (aside,) = again.aside_entries()
        assert aside["values"] == {"status": "on-track", "achievements": "ok"}
        assert aside["apart"]["values"] == {"status": "paused"}
        assert not again.path.exists()
        dialog = set_aside_dialog(None, [aside])
        shown = dialog.details.toPlainText()
        assert "Status: On track" in shown
        assert ("This version of fieldplan cannot show it: a field it does not have, or "
                "a value of another kind\n\nStatus: paused") in shown
        dialog.deleteLater()


def test_fields_set_apart_while_others_are_on_their_way_are_each_set_aside_once(
        qtbot, tmp_path):
    """Found by review: fields set apart while earlier ones of the same report were on
    their way to the set-aside file (an amendment dropping an indicator a value was
    typed for, while another fieldplan held that file's lock) kept the earlier ones in
    the journal too, once the file held them: set aside again with the later ones,
    the same text twice. Only what the file took leaves the journal."""
    from PySide6.QtCore import QLockFile

    key = ("PA1.1", "2026-S1")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(key, {"chalXenges": "first", "achievements": "ok"}, {})
    assert journal.set_apart(key, set())
    other = QLockFile(f"{journal.aside_path}.lock")
    assert other.tryLock(0)  # another fieldplan writing the set-aside file
    done = []
    try:
        assert journal.set_aside_off_thread({key: (ui.drafts.UNFIT,)},
                                            lambda: done.append(True))
        journal.put(key, {"value.gone": 3, "achievements": "ok"}, {})
        assert journal.set_apart(key, set())
    finally:
        other.unlock()
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert journal.aside_error == ""
    assert journal.apart() == [key]  # (the later one, in its turn)
    assert journal.set_aside_reports({key: (ui.drafts.UNFIT,)})
    assert journal.flush(10)
    assert [(e["values"], e["why"]) for e in journal.aside_entries()] == [
        ({"chalXenges": "first"}, ["fields"]), ({"value.gone": 3}, ["indicator"])]
    assert journal.apart() == [] and journal.values(key) == {"achievements": "ok"}


def test_a_draft_typed_in_on_its_way_to_the_set_aside_file_is_set_aside_once(
        qtbot, tmp_path):
    """Found by review: a draft the plan refuses, typed in while it was on its way to
    the set-aside file (another fieldplan held that file's lock), stayed whole in the
    journal once the file held it, and the next setting aside copied all of it again,
    the earlier text beside what was typed since. Only the fields the file took, as
    they were sent, leave the journal; what was typed since is never lost."""
    from PySide6.QtCore import QLockFile

    key = ("PA1.1", "2026-S2")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(key, {"challenges": "Roads cut", "achievements": "Two wells"},
                {"percent": "forty"}, {"challenges": ["a:1"], "achievements": []})
    other = QLockFile(f"{journal.aside_path}.lock")
    assert other.tryLock(0)  # another fieldplan writing the set-aside file
    done = []
    try:
        assert journal.set_aside_off_thread({key: ("period",)}, lambda: done.append(True))
        journal.put(key, {"challenges": "Roads cut", "achievements": "Three wells",
                          "next_steps": "Repair"}, {"percent": "forty"})
    finally:
        other.unlock()
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert journal.aside_error == ""
    assert journal.values(key) == {"achievements": "Three wells", "next_steps": "Repair"}
    assert journal.held(key) == {}
    assert journal.base(key) == {"achievements": [], "next_steps": []}
    assert journal.flush(10)
    assert drafts(journal.path) == {key: {"achievements": "Three wells",
                                          "next_steps": "Repair"}}
    assert journal.set_aside_reports({key: ("period",)})
    assert journal.flush(10) and not journal.path.exists() and key not in journal
    assert [(e["values"], e.get("held")) for e in journal.aside_entries()] == [
        ({"challenges": "Roads cut", "achievements": "Two wells"}, {"percent": "forty"}),
        ({"achievements": "Three wells", "next_steps": "Repair"}, None)]


def test_a_field_set_apart_in_a_draft_typed_in_on_its_way_is_set_aside_once(
        qtbot, tmp_path):
    """As above, with a field the editor cannot show, set apart, typed over since in
    the editor ("apart"): the file took both; neither is copied again."""
    from PySide6.QtCore import QLockFile

    key = ("PA1.1", "2026-S2")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(key, {"status": "paused", "chalXenges": "odd"}, {})
    assert journal.set_apart(key, set())
    journal.put(key, {"status": "on-track"}, {})
    other = QLockFile(f"{journal.aside_path}.lock")
    assert other.tryLock(0)
    done = []
    try:
        assert journal.set_aside_off_thread({key: ("action",)}, lambda: done.append(True))
        journal.put(key, {"status": "on-track", "achievements": "later"}, {})
    finally:
        other.unlock()
    qtbot.waitUntil(lambda: done == [True], timeout=10_000)
    assert journal.values(key) == {"achievements": "later"} and journal.apart() == []
    assert journal.set_aside_reports({key: ("action",)})
    first, second = journal.aside_entries()
    assert first["values"] == {"status": "on-track", "chalXenges": "odd"}
    assert first["apart"]["values"] == {"status": "paused"}
    assert second["values"] == {"achievements": "later"} and "apart" not in second
    assert journal.flush(10) and not journal.path.exists()


def test_the_rest_of_a_draft_is_saved_while_its_unfit_fields_wait(
        open_window, qtbot, office_db, monkeypatch):
    """Found by QA: while a draft's fields the editor cannot show were on their way to
    the set-aside file (another fieldplan writing it holds its lock), the rest of that
    report's draft was not retried at all, as if the plan refused the whole report. The
    other values are saved (over the versions they were typed over) meanwhile; the
    fields wait in the drafts file, and reach the set-aside file once it is free."""
    from PySide6.QtCore import QLockFile

    monkeypatch.setattr(ui.drafts, "LOCK_WAIT_MS", 60_000)
    key = unfit_draft(office_db, monkeypatch,
                      base={"chalXenges": [], "achievements": []})
    aside = office_db.with_name(office_db.name + ".drafts-set-aside.json")
    held = QLockFile(f"{aside}.lock")  # (another fieldplan's, writing it)
    assert held.tryLock(0)
    try:
        window = open_window(office_db)
        journal = window.office_view.editor._journal()
        qtbot.waitUntil(lambda: key in journal.setting_apart(), timeout=5000)
        qtbot.waitUntil(lambda: db_report(office_db, *key) is not None, timeout=5000)
        assert db_report(office_db, *key).achievements == "Saved"
        assert key in journal.setting_apart()  # (still waiting for the file)
        qtbot.waitUntil(lambda: key not in journal, timeout=5000)
        ui.drafts.flush_all()
        (kept,) = json.loads(office_db.with_name(office_db.name + ".drafts.json").read_text(
            encoding="utf-8"))["drafts"]
        assert kept["values"] == {"chalXenges": "Typed"}  # never lost meanwhile
        assert _aside_of(office_db) == []
    finally:
        held.unlock()
    qtbot.waitUntil(lambda: _aside_of(office_db) != [], timeout=10_000)
    (moved,) = _aside_of(office_db)
    assert moved["values"] == {"chalXenges": "Typed"}
    qtbot.waitUntil(lambda: journal.apart() == [] and not journal.setting_aside(),
                    timeout=5000)
    wait_idle(qtbot, window.session)


def test_unfit_fields_the_set_aside_file_cannot_take_are_said_as_what_they_are(
        open_window, qtbot, office_db, monkeypatch):
    """Found by QA: while the set-aside file could not take a draft's fields the editor
    cannot show, the status bar said "Reports outside the plan cannot be set aside",
    untrue of a report the plan keeps. It says that text safe in the drafts file, to be
    moved once the file can take it, and why; each try again is not said as a move."""
    key = unfit_draft(office_db, monkeypatch)
    blocker = office_db.with_name(office_db.name + ".drafts-set-aside.json")
    blocker.mkdir()  # (the set-aside file cannot be written)
    window = open_window(office_db)
    label = window.save_state_label
    journal = window.office_view.editor._journal()
    said = ("Text of PA1.2 (1st semester 2026) this version of fieldplan cannot show is "
            "safe in the drafts file and will be moved to sn.sqlite3.drafts-set-aside.json "
            "as soon as it can be (")
    qtbot.waitUntil(lambda: label.text().startswith(said), timeout=5000)
    shown = []
    set_text = label.setText
    monkeypatch.setattr(label, "setText", lambda text: (shown.append(text), set_text(text)))
    tries = []
    retry = window.office_view.editor._retry
    monkeypatch.setattr(retry, "set_apart_again", lambda keys, again=retry.set_apart_again:
                        (tries.append(keys), again(keys)))
    qtbot.waitUntil(lambda: len(tries) >= 3 and not journal.setting_aside(), timeout=5000)
    assert shown and all(text.startswith(said) for text in shown)
    for text in (label.text(), label.toolTip()):
        assert "outside the plan" not in text and "Moving" not in text
    assert journal.apart() == [key]
    blocker.rmdir()
    qtbot.waitUntil(lambda: _aside_of(office_db) != [], timeout=5000)
    qtbot.waitUntil(lambda: "PA1.2 (1st semester 2026) holds text this version of "
                    "fieldplan cannot show" in label.text(), timeout=5000)
    assert "safe in the drafts file" not in label.text() + label.toolTip()
    wait_idle(qtbot, window.session)


def test_the_discard_question_lists_only_what_a_discard_throws_away(qtbot) -> None:
    """Discarding a submitted or locked report's unsaved text keeps its fields waiting
    for the set-aside file (``set_apart``): they go there, to be read and discarded
    there. The question listed them among the text to throw away; the close-time
    question, which keeps nothing, still lists them."""
    from ui.unkept import discard_dialog, unkept_text

    class Journal:
        def values(self, _key):
            return {"achievements": "Typed and refused"}

        def held(self, _key):
            return {}

        def apart_fields(self, _key):
            return {"values": {"chalXenges": "Waiting for the set-aside file"},
                    "held": {}, "base": {}}

    key = ("PA1.1", "2026-S1")
    dialog = discard_dialog(None, Journal(), key)
    qtbot.addWidget(dialog)
    shown = dialog.details.toPlainText()
    assert "Typed and refused" in shown
    assert "Waiting for the set-aside file" not in shown
    assert "Waiting for the set-aside file" in unkept_text(Journal(), [key])


def _unmovable(monkeypatch) -> None:
    """Renames refused (a file another program holds open, a folder that refuses
    renames): a damaged file cannot be set aside."""
    from pathlib import Path

    def refuse(self, target):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "replace", refuse)


def test_a_damaged_journal_that_cannot_be_set_aside_is_never_written_over(
        qtbot, tmp_path, monkeypatch):
    """A damaged drafts file that could not be renamed aside was replaced by the next
    write: what it held was lost. It stays as it is, the write fails and says so in
    one line, and what was typed waits in memory until the file can be moved."""
    path = tmp_path / "x.sqlite3.drafts.json"
    path.write_text("{not json", encoding="utf-8")
    _unmovable(monkeypatch)
    journal = DraftJournal(tmp_path / "x.sqlite3")
    key = ("PA1.1", "2026-S1")
    journal.put(key, {"challenges": "typed"}, {})
    journal.write()
    qtbot.waitUntil(lambda: bool(journal.write_error), timeout=5000)
    assert journal.write_error == (
        f"{path} is damaged and could not be moved aside (permission denied): it is left "
        "as it is, and what is new waits until it can be moved")
    assert "\n" not in journal.write_error
    assert path.read_text(encoding="utf-8") == "{not json"
    assert journal.values(key) == {"challenges": "typed"}
    monkeypatch.undo()  # renames work again: set aside, and the draft written
    journal.write()
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert drafts(path) == {key: {"challenges": "typed"}}
    (aside,) = tmp_path.glob(f"{path.name}{ui.drafts.UNREADABLE_MARK}*")
    assert aside.read_text(encoding="utf-8") == "{not json"


def test_a_damaged_set_aside_file_that_cannot_be_moved_is_never_written_over(
        qtbot, tmp_path, monkeypatch):
    """The same of the file of text set aside: it is kept as it is, and the draft to
    set aside stays in the journal (``aside_error`` says why)."""
    key = ("PA1.1", "2026-S1")
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.aside_path.write_text("{not json", encoding="utf-8")
    journal.put(key, {"challenges": "typed"}, {})
    _unmovable(monkeypatch)
    assert not journal.set_aside_reports({key: ("outside",)})
    assert journal.aside_error.startswith(f"{journal.aside_path} is damaged and could not "
                                          "be moved aside (permission denied)")
    assert journal.aside_path.read_text(encoding="utf-8") == "{not json"
    assert journal.values(key) == {"challenges": "typed"}
    assert journal.aside_failed() == frozenset({key})


def test_a_journal_let_go_is_told_nothing_by_its_writer(qtbot, tmp_path):
    """The suite crashed once (a segmentation fault) in the writer thread as it said
    a write's end: the thread held only the journal's signal, and the GUI thread let
    the journal go (its test ended) while the thread was inside it. The writer now
    holds the journal while it tells it, and a journal gone is told nothing (its
    signal's source deleted raised before)."""
    import gc
    import weakref

    journal = DraftJournal(tmp_path / "x.sqlite3")
    writer, held = journal._writer, weakref.ref(journal)
    del journal
    gc.collect()
    assert held() is None  # (the writer does not keep a journal let go)
    writer._report("")  # nothing to tell, nothing raised
