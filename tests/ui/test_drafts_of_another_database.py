"""The drafts journal of one database never goes into another.

Found by QA: a database deleted while the window was open, text typed (kept in the
drafts journal beside it), then a new database made at the same path for another
office: the client opened on it showed the first office's text in the second's
report and saved it there, and the second office's next export sent it to
headquarters. The journal now records whose it is (office and replicas); one written
for another database is moved aside under a name that says so, never applied, and
the window says so, offering to read, copy and discard its text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ui.drafts
from fieldplan import progress
from fieldplan.draftfiles import DraftsOwner
from fieldplan.replica import key_path, open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report
from ui.drafts import DraftJournal

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S2"
TYPED = "Typed after deletion."


@pytest.fixture(autouse=True)
def _quick_retries(monkeypatch):
    monkeypatch.setattr(ui.drafts, "SAVE_BUSY_MS", 50)
    monkeypatch.setattr(ui.drafts, "RETRY_MS", 100)


def database_files(db: Path) -> list[Path]:
    return [p for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), key_path(db))
            if p.exists()]


def bd_text_left_in_the_journal(open_window, qtbot, make_office, tmp_path) -> tuple[Path, str]:
    """BD's database, opened in the window, deleted while open, and TYPED typed in
    its report (kept in the journal only). Returns (the database's path, the action)."""
    folder = tmp_path / "del"
    folder.mkdir()
    bd = make_office("BD", "bd-made")
    code = bd.plan().actions_of(level="national")[0].code
    progress.record_progress(bd, code, "2026-S1", status="on-track", percent=10)
    bd.close()
    db = folder / "BD.sqlite3"
    for p in database_files(bd.path):
        p.rename(folder / p.name.replace("bd-made.sqlite3", "BD.sqlite3"))
    window = open_window(db)
    gone = tmp_path / "gone"
    gone.mkdir()
    editor = choose(window, qtbot, code, PERIOD)
    qtbot.keyClicks(editor.narratives["challenges"], TYPED)
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(db, code, PERIOD) is not None, timeout=5000)

    def delete() -> None:
        for p in database_files(db):
            p.rename(gone / p.name)

    delete()
    qtbot.keyClicks(editor.narratives["challenges"], " More.")
    editor.save_now()
    qtbot.waitUntil(lambda: editor.saved_label.text() == "Not saved.", timeout=5000)
    wait_idle(qtbot, window.session)
    window.close()
    window.session.close()
    ui.drafts.flush_all()
    assert Path(f"{db}.drafts.json").exists()
    return db, code


def another_office_at(db: Path, make_office) -> None:
    """A database of ML made elsewhere and put in ``db``'s place (as a copy would)."""
    ml = make_office("ML", "ml-made")
    ml.close()
    for p in database_files(ml.path):
        p.rename(db.with_name(p.name.replace("ml-made.sqlite3", db.name)))


def test_a_journal_of_another_office_is_not_shown_nor_saved(
        open_window, qtbot, make_office, tmp_path):
    db, code = bd_text_left_in_the_journal(open_window, qtbot, make_office, tmp_path)
    another_office_at(db, make_office)
    window = open_window(db)
    editor = choose(window, qtbot, code, PERIOD)
    wait_idle(qtbot, window.session)
    assert TYPED not in editor.narratives["challenges"].toPlainText()
    # moved aside, whole, under a name that says so; the journal left is ML's own
    assert not Path(f"{db}.drafts.json").exists()
    [moved] = db.parent.glob("BD.sqlite3.drafts.json.other-database-*")
    data = json.loads(moved.read_text(encoding="utf-8"))
    assert data["owner"]["office"] == "BD"
    assert TYPED in json.dumps(data["drafts"], ensure_ascii=False)
    # said in the status bar, with the way to read, copy and discard it
    label = window.save_state_label
    qtbot.waitUntil(lambda: "another database" in label.text(), timeout=5000)
    assert window.aside_button.isVisible()
    dialog = window.aside_dialog()
    assert TYPED in dialog.details.toPlainText()
    assert "BD" in dialog.details.toPlainText()
    dialog.accept()
    qtbot.waitUntil(lambda: not moved.exists(), timeout=5000)
    qtbot.waitUntil(lambda: not window.aside_button.isVisible(), timeout=5000)
    window.close()
    window.session.close()
    with open_replica(db) as rep:
        assert progress.get_report(rep, code, PERIOD, "ML") is None


def test_a_database_made_by_init_where_the_journal_lay_never_takes_it(
        open_window, qtbot, hq, make_office, tmp_path):
    """The reproduction as QA made it: the key file moved away as the error advises,
    then `fieldplan init --from` Mali's setup bundle at the same path."""
    db, code = bd_text_left_in_the_journal(open_window, qtbot, make_office, tmp_path)
    setup = tmp_path / "setup-ML.fieldplan"
    sync.enroll_office(hq, "ML", setup)
    sync.init_from_setup(db, setup).close()
    window = open_window(db)
    editor = choose(window, qtbot, code, PERIOD)
    qtbot.waitUntil(lambda: window.aside_button.isVisible(), timeout=5000)
    assert TYPED not in editor.narratives["challenges"].toPlainText()
    assert "(BD · Bangladesh)" in window.save_state_label.toolTip()
    window.close()
    window.session.close()
    assert db_report(db, code, PERIOD) is None


# the journal itself ------------------------------------------------------------------
BD = DraftsOwner("BD", ("bd-now", "bd-before-restore"))
ML = DraftsOwner("ML", ("ml-1",))
KEY = ("PA1.1", PERIOD)


def file_of(path: Path) -> dict:
    ui.drafts.flush_all()
    return json.loads(path.read_text(encoding="utf-8"))


def bd_journal(db: Path) -> Path:
    """BD's journal beside ``db`` holding TYPED in KEY; its file."""
    journal = DraftJournal(db, owner=BD)
    journal.put(KEY, {"challenges": TYPED}, {})
    journal.write()
    assert journal.flush()
    return journal.path


def test_the_journal_and_the_set_aside_file_name_their_database(qtbot, tmp_path):
    db = tmp_path / "BD.sqlite3"
    path = bd_journal(db)
    assert file_of(path)["owner"] == {"office": "BD",
                                      "replicas": ["bd-now", "bd-before-restore"]}
    journal = DraftJournal(db, owner=BD)
    assert journal.set_aside_reports({KEY: ("action",)})
    assert file_of(journal.aside_path)["owner"]["office"] == "BD"
    # opened again by the same database, after a restore renewed its replica id
    again = DraftJournal(db, owner=DraftsOwner("BD", ("bd-renewed", "bd-now")))
    assert again.put_aside and not again.foreign


def test_a_journal_of_another_database_is_moved_aside_and_never_loaded(qtbot, tmp_path):
    db = tmp_path / "BD.sqlite3"
    raw = bd_journal(db).read_bytes()
    journal = DraftJournal(db, owner=ML)
    assert journal.reports() == [] and KEY not in journal
    assert not journal.path.exists()
    [moved] = journal.foreign_files
    assert moved.name.startswith("BD.sqlite3.drafts.json.other-database-")
    assert moved.read_bytes() == raw  # whole, as it was
    assert journal.foreign == [(KEY, "BD")]
    [(where, entry)] = journal.foreign_entries()
    assert where == moved and entry["values"] == {"challenges": TYPED}
    # ML's own typing goes to a journal of its own, which names ML
    journal.put(("PA2.1", PERIOD), {"challenges": "Mali's"}, {})
    journal.write()
    assert file_of(journal.path)["owner"]["office"] == "ML"
    assert [d["action"] for d in file_of(journal.path)["drafts"]] == ["PA2.1"]
    # said again after a restart, until discarded
    again = DraftJournal(db, owner=ML)
    assert again.foreign == [(KEY, "BD")] and again.reports() == [("PA2.1", PERIOD)]
    assert again.discard_foreign(again.foreign_entries()) == ""
    assert not moved.exists() and again.foreign == [] and again.foreign_files == []


def test_a_set_aside_file_of_another_database_is_not_taken_for_this_one(qtbot, tmp_path):
    db = tmp_path / "BD.sqlite3"
    bd = DraftJournal(db, owner=BD)
    bd.put(KEY, {"challenges": TYPED}, {})
    assert bd.set_aside_reports({KEY: ("action",)})
    assert bd.flush()
    ml = DraftJournal(db, owner=ML)
    assert ml.put_aside == [] and ml.aside_entries() == []
    assert ml.foreign == [(KEY, "BD")]
    [moved] = ml.foreign_files
    assert moved.name.startswith("BD.sqlite3.drafts-set-aside.json.other-database-")


def test_an_older_journal_without_an_owner_is_this_database_s(qtbot, tmp_path):
    """Written by an earlier fieldplan (an upgrade with text unsaved): applied, as it
    always was, and its next write names the owner."""
    db = tmp_path / "BD.sqlite3"
    path = Path(f"{db}.drafts.json")
    path.write_text(json.dumps({"version": 1, "drafts": [
        {"action": KEY[0], "period": KEY[1], "values": {"challenges": TYPED}}]}),
        encoding="utf-8")
    journal = DraftJournal(db, owner=ML)
    assert journal.values(KEY) == {"challenges": TYPED} and journal.foreign == []
    journal.put(KEY, {"challenges": TYPED + " More."}, {})
    journal.write()
    assert file_of(path)["owner"] == {"office": "ML", "replicas": ["ml-1"]}


def test_a_journal_that_knows_no_owner_keeps_the_file_s(qtbot, tmp_path):
    """(a journal opened without the database's identity) the owner in the file stays."""
    db = tmp_path / "BD.sqlite3"
    path = bd_journal(db)
    journal = DraftJournal(db)
    journal.put(("PA2.1", PERIOD), {"challenges": "more"}, {})
    journal.write()
    assert file_of(path)["owner"]["office"] == "BD"
    assert len(file_of(path)["drafts"]) == 2


def test_another_database_s_journal_put_in_place_while_open_is_not_merged(qtbot, tmp_path):
    """The file replaced under an open journal (another client on another database at
    the same path): it is moved aside before this journal writes, never merged."""
    db = tmp_path / "BD.sqlite3"
    journal = DraftJournal(db, owner=ML)
    raw = bd_journal(db).read_bytes()
    journal.put(("PA2.1", PERIOD), {"challenges": "Mali's"}, {})
    journal.write()
    qtbot.waitUntil(lambda: journal.foreign == [(KEY, "BD")], timeout=5000)
    assert [d["action"] for d in file_of(journal.path)["drafts"]] == ["PA2.1"]
    [moved] = journal.foreign_files
    assert moved.read_bytes() == raw


def test_another_database_s_journal_that_cannot_be_moved_is_said_in_words(
        qtbot, tmp_path, monkeypatch):
    """Another database's journal in this one's place that cannot be moved aside (a
    folder gone read-only): the journal is not written, nor merged into, and the
    window said Python's "[Errno 13] Permission denied: 'a' -> 'b'"; it says the
    file that cannot be written, in words. Once it can be moved, it is."""
    import errno
    import os

    from fieldplan import draftfiles

    db = tmp_path / "BD.sqlite3"
    journal = DraftJournal(db, owner=ML)
    raw = bd_journal(db).read_bytes()
    rename = draftfiles.os.rename

    def refused(source, target):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), source, target)

    monkeypatch.setattr(draftfiles.os, "rename", refused)
    journal.put(("PA2.1", PERIOD), {"challenges": "Mali's"}, {})
    journal.write()
    qtbot.waitUntil(lambda: journal.write_error != "", timeout=5000)
    assert journal.write_error == f"cannot write {journal.path}: permission denied"
    assert journal.path.read_bytes() == raw
    monkeypatch.setattr(draftfiles.os, "rename", rename)
    assert journal.write(again=True) is False  # (the last write failed)
    qtbot.waitUntil(lambda: journal.write_error == "", timeout=5000)
    assert [d["action"] for d in file_of(journal.path)["drafts"]] == ["PA2.1"]
    [moved] = journal.foreign_files
    assert moved.read_bytes() == raw


def test_an_older_journal_moved_aside_by_init_is_said_without_an_office(qtbot, tmp_path):
    from fieldplan.draftfiles import move_orphaned

    db = tmp_path / "ML.sqlite3"
    Path(f"{db}.drafts.json").write_text(json.dumps({"version": 1, "drafts": [
        {"action": KEY[0], "period": KEY[1], "values": {"challenges": TYPED}}]}),
        encoding="utf-8")
    [moved] = move_orphaned(db)
    journal = DraftJournal(db, owner=ML)
    assert journal.reports() == [] and journal.foreign == [(KEY, "")]
    assert journal.foreign_files == [moved]
