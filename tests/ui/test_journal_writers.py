"""Two writers of one drafts journal (two clients on a database, another user's on a
shared folder) keep each other's entries: a write changes only the reports its
journal changed, removes an entry only while it is still its own, and waits for the
other writer's lock."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import ui.drafts
from ui.drafts import DraftJournal

A, B, C = ("PA1.2", "2027-S1"), ("PA2.1", "2027-S1"), ("PA3.1", "2027-S1")
LONG = "Long narrative pasted from a field report. " * 500


def on_disk(path: Path) -> dict:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 1
    return {(d["action"], d["period"]): d for d in data["drafts"]}


def written(*journals: DraftJournal) -> None:
    for journal in journals:
        journal.write()
        assert journal.flush(10)
        assert journal.write_error == ""


def test_a_writer_leaves_the_entries_of_another_alone(qtbot, tmp_path):
    """The review's case: one client holds a long narrative back; the other saves a
    report of its own, and its journal, now empty, used to delete the file."""
    db = tmp_path / "x.sqlite3"
    first, second = DraftJournal(db), DraftJournal(db)  # both open before any draft
    first.put(A, {}, {"challenges": LONG})
    written(first)
    second.put(B, {"achievements": "B saves something"}, {})
    written(second)
    assert set(on_disk(first.path)) == {A, B}
    second.confirm(B, {"achievements": "B saves something"})  # saved: B's entry goes
    written(second)
    assert on_disk(first.path)[A]["held"] == {"challenges": LONG}
    assert set(on_disk(first.path)) == {A}
    # the first one's own entries are its to remove; with none left, no file
    first.put(A, {}, {})
    written(first)
    assert not first.path.exists()
    # a journal opened now finds nothing, and the next one what is written meanwhile
    second.put(C, {"percent": 10}, {})
    written(second)
    assert DraftJournal(db).reports() == [C]


def test_an_entry_another_writer_changed_is_not_removed(qtbot, tmp_path):
    """Both journals loaded the same entry; one writes newer text for it, the other
    then saves what it had: the newer text stays for the next start."""
    db = tmp_path / "x.sqlite3"
    seed = DraftJournal(db)
    seed.put(A, {"challenges": "typed yesterday"}, {})
    written(seed)
    first, second = DraftJournal(db), DraftJournal(db)
    assert first.values(A) == second.values(A) == {"challenges": "typed yesterday"}
    second.put(A, {"challenges": "typed yesterday, and more today"}, {})
    written(second)
    first.confirm(A, {"challenges": "typed yesterday"})  # its retry saved the old text
    written(first)
    assert on_disk(first.path)[A]["values"] == {"challenges": "typed yesterday, and more today"}
    assert DraftJournal(db).values(A) == {"challenges": "typed yesterday, and more today"}
    # what it last wrote itself, a writer removes
    second.confirm(A, {"challenges": "typed yesterday, and more today"})
    written(second)
    assert not second.path.exists()


def test_a_write_waits_for_the_other_writers_lock(qtbot, tmp_path, monkeypatch):
    """Each write reads the file and writes it back under a lock: a write that read
    the file while the other one was writing it would put back the file without the
    other's entry."""
    real = ui.drafts.write_atomic
    first_write = threading.Event()
    release = threading.Event()
    calls = []

    def slow_first(path, data, **kw):
        calls.append(data)
        if len(calls) == 1:  # the first writer's disk is slow
            first_write.set()
            release.wait(10)
        real(path, data, **kw)

    monkeypatch.setattr(ui.drafts, "write_atomic", slow_first)
    db = tmp_path / "x.sqlite3"
    first, second = DraftJournal(db), DraftJournal(db)
    first.put(A, {"challenges": "first"}, {})
    first.write()
    assert first_write.wait(10)
    second.put(B, {"challenges": "second"}, {})
    second.write()
    threading.Timer(0.3, release.set).start()
    assert first.flush(10) and second.flush(10)
    assert set(on_disk(first.path)) == {A, B}


def test_a_lock_held_too_long_is_said_and_the_write_tried_again(qtbot, tmp_path,
                                                               monkeypatch):
    from PySide6.QtCore import QLockFile

    monkeypatch.setattr(ui.drafts, "LOCK_WAIT_MS", 100)
    journal = DraftJournal(tmp_path / "x.sqlite3")
    other = QLockFile(f"{journal.path}.lock")
    assert other.tryLock(0)  # another writer, slow
    try:
        journal.put(A, {"challenges": "kept"}, {})
        journal.write()
        qtbot.waitUntil(lambda: journal.write_error != "", timeout=5000)
        assert journal.write_error == "another fieldplan is writing it"
        assert not journal.path.exists()
    finally:
        other.unlock()
    journal.write()  # nothing new: what failed is written
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert on_disk(journal.path)[A]["values"] == {"challenges": "kept"}


def test_a_lock_left_by_a_writer_that_died_does_not_stop_the_journal(qtbot, tmp_path):
    journal = DraftJournal(tmp_path / "x.sqlite3")
    # as QLockFile leaves it when its process dies: a process id no one has
    Path(f"{journal.path}.lock").write_text(f"{2**22 + 12345}\nfieldplan\n"
                                            f"{socket.gethostname()}\n", encoding="utf-8")
    journal.put(A, {"challenges": "kept"}, {})
    started = time.monotonic()
    written(journal)
    assert time.monotonic() - started < 5
    assert set(on_disk(journal.path)) == {A}
    assert not Path(f"{journal.path}.lock").exists()


def test_a_file_damaged_meanwhile_is_set_aside_not_written_over(qtbot, tmp_path):
    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.path.write_bytes(b'{"version": 1, "drafts": [{"action": "PA1')  # cut short
    journal.put(A, {"challenges": "kept"}, {})
    written(journal)
    assert set(on_disk(journal.path)) == {A}
    [aside] = journal.path.parent.glob(journal.path.name + ".unreadable-*")
    assert aside.read_bytes().endswith(b'"PA1')


def test_a_damaged_file_set_aside_keeps_one_set_aside_before(qtbot, tmp_path):
    """Each damaged file is set aside under a name of its own: none is written over."""
    path = tmp_path / "x.sqlite3.drafts.json"
    for text in (b'{"drafts": [{"first', b'{"drafts": [{"second'):
        path.write_bytes(text)
        DraftJournal(tmp_path / "x.sqlite3")  # loading sets it aside
        assert not path.exists()
    aside = sorted(p.read_bytes() for p in tmp_path.glob(path.name + ".unreadable*"))
    assert aside == [b'{"drafts": [{"first', b'{"drafts": [{"second']


def test_entries_of_a_format_this_version_does_not_know_are_kept(qtbot, tmp_path):
    """Another writer's entries are kept as they are, fields and all."""
    journal = DraftJournal(tmp_path / "x.sqlite3")
    theirs = {"action": "PA4.1", "period": "2027-S1", "values": {"percent": 5},
              "typed_at": "2027-02-01T10:00:00Z", "extra": [1, 2]}
    journal.path.write_text(json.dumps({"version": 1, "drafts": [theirs]}), encoding="utf-8")
    journal.put(A, {"challenges": "mine"}, {})
    written(journal)
    assert on_disk(journal.path)[("PA4.1", "2027-S1")] == theirs


_WRITER = """
import sys, time
from PySide6.QtCore import QCoreApplication
import ui.qtcompat  # as the client does first (PySide's reference counts)
from ui.drafts import DraftJournal
app = QCoreApplication([])
journal = DraftJournal(sys.argv[1])
for i in range(int(sys.argv[3])):
    journal.put((f"{sys.argv[2]}.{i}", "2027-S1"), {"challenges": f"{sys.argv[2]} {i}"}, {})
    journal.write()
    time.sleep(0.002)
assert journal.flush(30) and journal.write_error == "", journal.write_error
"""


def test_two_processes_writing_at_once_keep_every_entry(tmp_path):
    db = tmp_path / "x.sqlite3"
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root), QT_QPA_PLATFORM="offscreen")
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(db), name, "40"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("ONE", "TWO")]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    keys = set(on_disk(Path(f"{db}.drafts.json")))
    assert keys == {(f"{name}.{i}", "2027-S1") for name in ("ONE", "TWO") for i in range(40)}


class _EndingWriter:
    """The writer's condition, which hands over new changes (from another thread) at
    the moment the writer thread, finding nothing more to write, is about to end."""

    def __init__(self, writer, changes) -> None:
        self.inner = threading.Condition()
        self.writer = writer
        self.changes = changes
        self.idle_exits = 0
        self.handed = threading.Event()

    def __enter__(self):
        return self.inner.__enter__()

    def __exit__(self, *exc):
        result = self.inner.__exit__(*exc)
        writer = self.writer
        if (threading.current_thread().name == "draft-journal"
                and writer._pending is ui.drafts._NOTHING and not writer._busy):
            self.idle_exits += 1
            if self.idle_exits == 2:  # (the first: the write done; the second: ending)
                later = threading.Thread(target=writer.submit, args=(self.changes,))
                later.start()
                later.join()
                self.handed.set()
        return result

    def wait_for(self, *args, **kwargs):
        return self.inner.wait_for(*args, **kwargs)

    def notify_all(self):
        self.inner.notify_all()


def test_changes_handed_over_as_the_writer_ends_are_written(qtbot, tmp_path):
    journal = DraftJournal(tmp_path / "x.sqlite3")
    writer = journal._writer
    writer._cond = ending = _EndingWriter(writer, {B: json.dumps(
        {"action": B[0], "period": B[1], "values": {"percent": 5}})})
    journal.put(A, {"challenges": "first"}, {})
    journal.write()
    assert ending.handed.wait(5)
    assert journal.flush(2)  # (it waited for nothing, and B was never written)
    assert set(on_disk(journal.path)) == {A, B}


def test_a_journal_that_cannot_be_removed_or_read_is_said_in_words(qtbot, tmp_path,
                                                                  monkeypatch):
    """The last draft saved, the journal file is removed; on a disk gone read-only that
    failed with "[Errno 30] Read-only file system: '…drafts.json'" in the status bar,
    and so did a file that could not be read. Said as a write of it is, and no longer
    once a write succeeds."""
    import errno

    from fieldplan.files import cannot_read, cannot_write

    journal = DraftJournal(tmp_path / "x.sqlite3")
    journal.put(A, {"challenges": "kept"}, {})
    written(journal)
    path = journal.path
    read_only = OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
    real_unlink = Path.unlink

    def unlink(self, *args, **kwargs):
        if self == path:
            raise read_only
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    journal.confirm(A, {"challenges": "kept"})  # saved: nothing left to keep
    journal.write()
    assert journal.flush(10)
    qtbot.waitUntil(lambda: journal.write_error != "", timeout=5000)
    assert journal.write_error == str(cannot_write(path, read_only, own=True))
    assert "Errno" not in journal.write_error
    monkeypatch.undo()
    denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
    real_read = Path.read_text

    def read_text(self, *args, **kwargs):
        if self == path:
            raise denied
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    journal.write(again=True)
    assert journal.flush(10)
    qtbot.waitUntil(lambda: journal.write_error == str(cannot_read(path, denied, own=True)),
                    timeout=5000)
    monkeypatch.undo()
    journal.write(again=True)  # the disk writable again: nothing more is said
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert not path.exists()
