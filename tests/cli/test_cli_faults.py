"""The CLI's words when the database cannot take a change beside one that worked:
an export noted nowhere, an import stopped halfway, a restore not finished."""

from __future__ import annotations

import errno
import io
import json
import re
import sys
from pathlib import Path

import pytest

from fieldplan import progress, store
from fieldplan.errors import StoreError
from fieldplan.sync import exchange, export_bundle
from tests.cli.test_cli_messages import run
from tests.core.test_faults import FULL, failing_commits


def test_export_prints_the_bundle_and_a_warning(make_office, tmp_path: Path, capsys,
                                                monkeypatch) -> None:
    from fieldplan.sync import export

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")  # something new: no note besides
    db = str(ml.path)
    ml.close()
    failing_commits(monkeypatch, export)
    code, out, err = run("--db", db, "export", "--dir", str(tmp_path), capsys=capsys)
    assert code == 0 and Path(out.strip()).is_file()
    assert err.startswith("fieldplan: warning: the bundle is written, but this export could "
                          "not be noted") and err.count("\n") == 1


def test_import_says_what_became_of_each_file_before_it_stopped(hq, make_office,
                                                                tmp_path: Path, capsys,
                                                                monkeypatch) -> None:
    files = []
    for code in ("ML", "SN"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        files.append(str(export_bundle(office, out_dir=tmp_path).path))
    db = str(hq.path)
    hq.close()
    real = exchange._merge

    def merge(rep, b, m, **kw):
        if m["office"] == "SN":
            raise StoreError(FULL)
        return real(rep, b, m, **kw)

    monkeypatch.setattr(exchange, "_merge", merge)
    code, out, err = run("--db", db, "import", *files, capsys=capsys)
    assert code == 1
    assert out.startswith(f"{Path(files[0]).name}: merged")
    assert err == f"fieldplan: error: {Path(files[1]).name} was not imported: {FULL}\n"
    code, out, err = run("--db", db, "--json", "import", *files, capsys=capsys)
    assert code == 1 and [o["outcome"] for o in json.loads(out)] == ["duplicate"]


def test_ctrl_c_during_an_import_says_what_was_merged_and_what_was_not(
        hq, make_office, tmp_path: Path, capsys, monkeypatch) -> None:
    from tests.core.test_faults import office_bundles

    files = [str(f) for f in office_bundles(make_office, tmp_path)]
    names = [Path(f).name for f in files]
    db = str(hq.path)
    hq.close()
    real = exchange._merge

    def merge(rep, b, m, **kw):
        stats = real(rep, b, m, **kw)
        if m["office"] == "NE":  # the third file
            raise KeyboardInterrupt
        return stats

    monkeypatch.setattr(exchange, "_merge", merge)
    code, out, err = run("--db", db, "import", *files, capsys=capsys)
    assert code == 130
    # (a new computer of each office, its key registered by its first bundle)
    *lines, registered = out.splitlines()
    assert [line.split(";")[0].split(":")[:2] for line in lines] == [
        [names[0], " merged (1 new of 1 event)"], [names[1], " merged (1 new of 1 event)"]]
    assert all("; the key of a new computer of " in line for line in lines)
    # (said once, after them, what the two keys registered mean)
    assert registered.startswith("The keys of 2 new computers are now registered: ")
    assert err == (f"fieldplan: interrupted; 2 files were not imported: {files[2]}, "
                   f"{files[3]}\n")
    monkeypatch.undo()
    code, out, err = run("--db", db, "--json", "import", *files, capsys=capsys)
    assert code == 0 and [o["outcome"] for o in json.loads(out)] == [
        "duplicate", "duplicate", "merged", "merged"]


@pytest.mark.parametrize("where", ["_translate_argparse", "build_parser"])
def test_ctrl_c_while_starting_is_one_line(capsys, monkeypatch, where) -> None:
    """Ctrl-C before the command runs (its modules loading, on a slow laptop for a
    second or two) printed a Python traceback."""
    import fieldplan.cli as cli

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, where, interrupted)
    assert run("status", capsys=capsys) == (130, "", "fieldplan: interrupted\n")


def test_a_restore_that_cannot_finish_says_not_to_restore_again(hq, capsys,
                                                               monkeypatch) -> None:
    from fieldplan.cli import core_cmds
    from fieldplan.replica import open_replica

    hq_db = str(hq.path)
    store.backup(hq.conn, hq_db, "manual")
    hq.close()

    def cannot_open(path):
        raise StoreError(FULL)

    monkeypatch.setattr(core_cmds, "open_replica", cannot_open)
    code, _out, err = run("--db", hq_db, "restore", "--force", capsys=capsys)
    assert code == 1 and "is in place of" in err and "do not restore again" in err
    assert err.count("\n") == 1
    monkeypatch.undo()
    with open_replica(hq_db) as rep:  # the next start takes the new identity
        assert rep.meta("restored")


def test_no_command_writes_over_the_database_or_its_key(hq, tmp_path: Path, capsys) -> None:
    """`-o` naming the open database or its key by mistake is refused, whatever writes."""
    from fieldplan.replica import key_path, open_replica
    from fieldplan.sync import enroll_office

    db = str(hq.path)
    enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")  # HQ exports for ML
    hq.close()
    before = {p: Path(p).read_bytes() for p in (db, str(key_path(db)))}
    attempts = [
        ("data", "export", "--format", "csv", "-o", str(key_path(db))),
        ("report", "sheet", "--period", "2026-S1", "--office", "ML", "-o",
         str(key_path(db))),
        ("export", "--for", "ML", "-o", str(key_path(db))),
        ("office", "enroll", "ML", "-o", str(key_path(db))),
        ("report", "review", "--period", "2026-S1", "-o", db + "-wal"),
    ]
    for argv in attempts:
        code, _out, err = run("--db", db, *argv, capsys=capsys)
        assert code == 1, argv
        assert err.count("\n") == 1 and "own database or key file" in err, (argv, err)
    assert {p: Path(p).read_bytes() for p in before} == before
    with open_replica(db) as rep:
        assert rep.is_hq


def test_the_client_without_a_display_says_so_in_one_line(tmp_path: Path, capsys,
                                                           monkeypatch) -> None:
    """Not Qt's page of messages and an abort: the other commands work without one."""
    import sys

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    for argv in ((), ("gui",)):
        code, out, err = run("--db", str(tmp_path / "x.sqlite3"), *argv, capsys=capsys)
        assert code == 1 and out == "" and err.count("\n") == 1
        assert "needs a graphical session" in err


def test_status_says_which_periods_are_locked(hq, make_office, tmp_path: Path,
                                              capsys) -> None:
    """Drafts of a locked period can be neither changed nor submitted: status says
    which periods are locked, at HQ and at the office once HQ's bundle came."""
    from fieldplan.i18n import format_period
    from fieldplan.sync import import_bundle

    ml = make_office("ML")
    progress.set_period_lock(hq, "2025-S2")
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path)
    for rep in (hq, ml):
        db = str(rep.path)
        rep.close()
        state = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
        assert state["locked_periods"] == ["2025-S2"]
        out = run("--db", db, "status", capsys=capsys)[1]
        assert f"Locked periods: {format_period('2025-S2')}" in out


def _record(office, period: str = "2026-S1") -> None:
    progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                             period, status="on-track")


def test_restore_refuses_to_throw_away_a_sound_databases_work(make_office, capsys) -> None:
    """`restore` is for a damaged database: on a sound one it would silently undo what
    was typed since the backup. It says how much, and --force is needed."""
    from fieldplan.replica import open_replica

    office = make_office("ML")
    db = str(office.path)
    store.backup(office.conn, db, "manual")
    _record(office)
    before = (office.replica_id, office.conn.execute("SELECT count(*) FROM events")
              .fetchone()[0])
    office.close()
    code, _out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert "is not damaged" in err and "would lose 1 change made on this computer" in err
    assert "add --force" in err
    with open_replica(db) as rep:
        assert (rep.replica_id, rep.conn.execute("SELECT count(*) FROM events")
                .fetchone()[0]) == before
    code, out, _err = run("--db", db, "--json", "restore", "--force", capsys=capsys)
    done = json.loads(out)
    assert code == 0 and done["lost"] == {"own": 1, "imported": 0}
    assert done["previous_replica"] == before[0]
    # the sound file it replaced is not called damaged (someone would delete it)
    assert done["damaged"] is None and done["replaced"] == db + ".replaced"
    assert not Path(db + ".damaged").exists()
    with open_replica(done["replaced"]) as kept:  # what was typed since, still there
        assert kept.conn.execute("SELECT count(*) FROM events").fetchone()[0] == before[1]


def test_restore_counts_imported_changes_it_would_lose(hq, make_office, tmp_path: Path,
                                                       capsys) -> None:
    from fieldplan.sync import import_bundle

    office = make_office("ML")
    progress.set_period_lock(hq, "2025-S2")
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    assert import_bundle(office, bundle).outcome == "merged"  # backed up before it
    db = str(office.path)
    office.close()
    code, _out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert re.search(r"would lose \d+ changes? imported since that backup; add --force", err)


def test_restore_refuses_a_sound_database_even_when_no_event_would_be_lost(
        hq, tmp_path: Path, capsys) -> None:
    """Not every piece of work is an event: an enrolment HQ just made (its token) is
    in no event. A sound database is never replaced without --force, in the core
    too (the client's restore buttons call it)."""
    from fieldplan.errors import SoundDatabaseError
    from fieldplan.sync import enroll_office

    db = str(hq.path)
    store.backup(hq.conn, db, "manual")
    enroll_office(hq, "SN", tmp_path / "sn.setup")
    hq.close()
    code, _out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert "is not damaged, and a restore is for a damaged database" in err
    with pytest.raises(SoundDatabaseError):
        store.restore_latest_backup(db)
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:  # as it was: the enrolment is still open
        assert rep.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 1
    code, out, _err = run("--db", db, "--json", "restore", "--force", capsys=capsys)
    assert code == 0 and json.loads(out)["lost"] == {"own": 0, "imported": 0}


def test_restore_passes_over_a_backup_a_report_was_written_over(hq, capsys) -> None:
    """A newest "backup" that is no longer one (written over by mistake before the
    folder was protected, or cut short) does not leave the office with nothing: the
    newest usable backup is put back, and the file passed over is named."""
    import time

    db = str(hq.path)
    good = store.backup(hq.conn, db, "manual")
    time.sleep(0.002)  # the names order by time, to the microsecond
    bad = store.backup(hq.conn, db, "manual")
    hq.close()
    bad.write_bytes(b"%PDF-1.4 a status sheet")
    Path(db).write_bytes(b"not a database" * 500)
    for side in ("-wal", "-shm"):
        Path(db + side).unlink(missing_ok=True)
    code, out, _err = run("--db", db, "restore", capsys=capsys)
    assert code == 0, _err
    assert f"Passed over 1 newer file in the backups folder that is not a usable backup: " \
           f"{bad.name} is not a database file." in out
    assert f"Put {good} in place of {db}." in out


def several_unusable_backups(hq, tmp_path: Path, *,
                             keep_own: bool = False) -> tuple[str, list[Path]]:
    """HQ's database gone, and in its backups folder, newest first: another
    headquarters' backup, a status sheet saved over a backup, a backup cut short, an
    empty file, and another program's SQLite file (and HQ's own backup, older than
    them all, with ``keep_own``). Returns (the database, those five files)."""
    import datetime as dt
    import sqlite3

    from fieldplan.replica import init_hq

    db = str(hq.path)
    own = store.backup(hq.conn, db, "manual")
    hq.close()
    with init_hq(tmp_path / "other" / "hq.sqlite3") as other:
        stranger = store.backup(other.conn, other.path, "manual")
    folder = store.backup_dir(db)
    # (not more than an hour ahead of the clock: a name further ahead is a clock's that
    # was ahead, older than now: store._backups)
    newer = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=30)

    def named(n: int) -> Path:  # newer than HQ's own backup, the first the newest
        stamp = (newer - dt.timedelta(minutes=n)).strftime("%Y%m%dT%H%M%S%fZ")
        return folder / f"hq-{stamp}-manual.sqlite3"

    files = [named(n) for n in range(5)]
    stranger.rename(files[0])
    files[1].write_bytes(b"%PDF-1.4 a status sheet")
    files[2].write_bytes(own.read_bytes()[:8192])
    files[3].write_bytes(b"")
    program = sqlite3.connect(files[4])
    program.execute("CREATE TABLE notes (line TEXT)")
    program.commit()
    program.close()
    if not keep_own:
        own.unlink()
    for side in ("", "-wal", "-shm"):
        Path(db + side).unlink(missing_ok=True)
    assert store.list_backups(db)[:5] == files
    return db, files


def test_no_usable_backup_names_every_file_and_its_fault(hq, tmp_path: Path,
                                                         capsys) -> None:
    """The error said only the newest file's fault: the others might have been usable
    (or each needs something else done), and the person could not tell."""
    db, files = several_unusable_backups(hq, tmp_path)
    code, out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and out == "" and err.count("\n") == 1
    folder = store.backup_dir(db)
    assert err.startswith(f"fieldplan: error: none of the files in {folder} can be restored: ")
    assert f"{files[0].name} is another computer's backup (key " in err
    assert f"; {files[1].name} is not a database file; {files[2].name} is damaged; " in err
    assert err.endswith("; 2 more files cannot be restored either\n")
    assert files[3].name not in err and files[4].name not in err  # one line, kept short
    # the same line with --json (errors are never JSON), and nothing was put in place
    code, out, err_json = run("--db", db, "--json", "restore", capsys=capsys)
    assert (code, out, err_json) == (1, "", err) and not Path(db).exists()
    # fewer files: all of them named, each with its fault
    files[0].unlink()
    code, _out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and err.endswith(
        f": {files[1].name} is not a database file; {files[2].name} is damaged; "
        f"{files[3].name} is empty; {files[4].name} is not a fieldplan database\n")


def test_the_faults_of_unusable_backups_are_in_the_readers_language(hq, tmp_path: Path,
                                                                    capsys) -> None:
    from fieldplan import i18n
    from fieldplan.errors import NoUsableBackupError

    db, files = several_unusable_backups(hq, tmp_path)
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    try:
        with pytest.raises(NoUsableBackupError) as caught:
            store.usable_backup(db)
    finally:
        i18n.set_language("en")
    text = str(caught.value)
    frame = i18n.pseudo("none of the files in {folder} can be restored: {faults}")
    assert text.startswith(frame.split("{folder}")[0])
    for name, fault in ((files[1].name, "{file} is not a database file"),
                        (files[2].name, "{file} is damaged")):
        assert i18n.pseudo(fault).format(file=name) in text
    assert i18n.pseudo("{n} more files cannot be restored either").format(n=2) in text
    assert [path for path, _why in caught.value.faults] == files


def test_a_restore_says_why_it_passed_over_each_file(hq, tmp_path: Path, capsys) -> None:
    """The files passed over are named with their faults, in text and in JSON."""
    db, files = several_unusable_backups(hq, tmp_path, keep_own=True)
    files[0].unlink()  # the others are four: each is named
    code, out, err = run("--db", db, "--json", "restore", capsys=capsys)
    assert code == 0, err
    done = json.loads(out)
    assert done["passed_over"] == [str(f) for f in files[1:]]
    assert done["passed_over_reasons"] == {
        str(files[1]): f"{files[1].name} is not a database file",
        str(files[2]): f"{files[2].name} is damaged",
        str(files[3]): f"{files[3].name} is empty",
        str(files[4]): f"{files[4].name} is not a fieldplan database"}
    for side in ("", "-wal", "-shm"):
        Path(db + side).unlink(missing_ok=True)
    code, out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 0, err
    assert ("Passed over 4 newer files in the backups folder that are not usable backups: "
            f"{files[1].name} is not a database file; {files[2].name} is damaged; "
            f"{files[3].name} is empty; {files[4].name} is not a fieldplan database.") in out


def test_no_command_writes_into_the_backups_folder(hq, capsys) -> None:
    """A report saved into the backups folder could replace a backup (the one a
    restore would need); every `-o` there is refused."""
    from fieldplan.sync import enroll_office

    db = str(hq.path)
    enroll_office(hq, "ML", hq.path.parent / "ML-setup.fieldplan")  # HQ exports for ML
    taken = store.backup(hq.conn, db, "manual")
    hq.close()
    kept = taken.read_bytes()
    for argv in (("report", "review", "--period", "2026-S1", "-o",
                  str(taken.parent / "pack.pdf")),
                 ("data", "export", "--format", "csv", "-o", str(taken.parent / "x.csv")),
                 ("export", "--for", "ML", "-o", str(taken.parent / "ML.fieldplan")),
                 ("plan", "export", "-o", str(taken.parent / "plan.toml"))):
        code, _out, err = run("--db", db, *argv, capsys=capsys)
        assert code == 1 and err.count("\n") == 1, (argv, err)
        assert "that folder holds fieldplan's backups" in err, (argv, err)
    # the backup itself: a bundle named as a database is refused before anything
    code, _out, err = run("--db", db, "export", "--for", "ML", "-o", str(taken),
                          capsys=capsys)
    assert code == 2 and "is named as a .sqlite3 file but a bundle is written" in err
    assert taken.read_bytes() == kept and not (taken.parent / "x.csv").exists()
    assert not (taken.parent / "ML.fieldplan").exists()
    assert not (taken.parent / "pack.pdf").exists()
    assert not (taken.parent / "plan.toml").exists()


def test_a_missing_database_with_backups_points_to_restore(hq, capsys) -> None:
    """The database file deleted or lost (a bad copy, a clean-up tool) while its
    backups are still there: the error says how to get it back."""
    db = str(hq.path)
    store.backup(hq.conn, db, "manual")
    hq.close()
    for side in ("", "-wal", "-shm"):
        Path(db + side).unlink(missing_ok=True)
    code, _out, err = run("--db", db, "status", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert "'fieldplan restore' puts the latest back" in err
    code, _out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 0, err
    assert run("--db", db, "status", capsys=capsys)[0] == 0


def test_init_where_a_database_went_but_its_key_and_backups_stayed(hq, capsys) -> None:
    """Starting again beside the key and backups of a database that went would leave
    its work behind: init points to restore."""
    db = str(hq.path)
    store.backup(hq.conn, db, "manual")
    hq.close()
    for side in ("", "-wal", "-shm"):
        Path(db + side).unlink(missing_ok=True)
    code, _out, err = run("--db", db, "init", "--hq", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert "restore the latest backup ('fieldplan restore') instead" in err
    assert not Path(db).exists()


@pytest.mark.parametrize("role", ["office", "hq"])
def test_init_beside_a_key_file_whose_database_and_backups_are_gone(
        role, hq, tmp_path, capsys) -> None:
    """A key file with no database and no backups beside it: init said "remove it",
    but it is the computer's identity (headquarters may still be waiting for the
    bundles it signs). It says what the file is, and to move it away, not delete it."""
    from fieldplan import minisign
    from fieldplan.replica import key_path
    from fieldplan.sync import enroll_office

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    key = minisign.generate_key()
    minisign.save_secret_key(key_path(db), key, replica="gone")
    before = key_path(db).read_bytes()
    args = ("--hq",) if role == "hq" else ("--from", str(setup))
    code, out, err = run("--db", str(db), "init", *args, capsys=capsys)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "Traceback" not in err and "remove it" not in err
    assert f"the key file {key_path(db)} is this computer's identity, and the database it " \
           "belonged to is gone with no backup of it here: " in err
    if role == "office":
        assert ("if this computer's data was sent to headquarters, move the key file away "
                "(do not delete it) and start again from a new setup bundle; otherwise "
                "choose another --db") in err
    else:
        assert "put that database back, or choose another --db" in err
    assert key_path(db).read_bytes() == before  # nothing touched, nothing made
    assert sorted(p.name for p in db.parent.iterdir()) == [key_path(db).name]


@pytest.mark.parametrize("role", ["office", "hq"])
def test_init_beside_a_key_file_whose_backups_folder_cannot_be_read(
        role, hq, tmp_path, capsys, monkeypatch) -> None:
    """A key file with no database, its backups folder there but unreadable: init said
    "gone with no backup of it here" (the store lists such a folder as empty), and a
    person was sent to start again with the work perhaps in the backups. It says the
    folder cannot be read, why, and to restore once it can be."""
    import errno
    import os

    from fieldplan import minisign
    from fieldplan.replica import key_path
    from fieldplan.sync import enroll_office

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "laptop" / "fieldplan.sqlite3"
    db.parent.mkdir()
    minisign.save_secret_key(key_path(db), minisign.generate_key(), replica="gone")
    folder = store.backup_dir(db)
    folder.mkdir()
    real = os.listdir

    def listdir(path="."):  # (chmod 000 does not stop root, whom tests may run as)
        if Path(os.fspath(path)) == folder:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    args = ("--hq",) if role == "hq" else ("--from", str(setup))
    code, out, err = run("--db", str(db), "init", *args, capsys=capsys)
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert "no backup" not in err and "Traceback" not in err
    assert (f"the key file {key_path(db)} is this computer's identity, and the database "
            f"it belonged to is gone; its backups folder {folder} cannot be read "
            "(permission denied; ask for access to it): once it can be, restore the "
            "latest backup, if there is one ('fieldplan restore'), instead of starting "
            "again") in err
    assert not db.exists()


def _unreadable_backups(monkeypatch, db: Path, lang: str) -> tuple[Path, str]:
    """The backups folder of ``db`` there but not to be listed (chmod 000 does not stop
    root, whom tests may run as); the folder and why it cannot be read, in ``lang``."""
    import errno

    from fieldplan import i18n
    from fieldplan.files import os_error_reason
    from tests.ui.test_cannot_open import unreadable_folder

    folder = store.backup_dir(db)
    folder.mkdir(exist_ok=True)
    unreadable_folder(monkeypatch, folder)
    i18n.set_language(lang)
    try:
        reason = os_error_reason(PermissionError(errno.EACCES, "Permission denied"))
    finally:
        i18n.set_language("en")
    return folder, reason


def _says_unreadable_backups(code: int, out: str, err: str, folder: Path, reason: str,
                             lang: str) -> None:
    assert code == 1 and out == "" and err.count("\n") == 1, err
    assert f"{folder} " in err and f"({reason})" in err and "fieldplan restore" in err
    assert "Traceback" not in err and "init" not in err
    assert "no backup" not in err and "aucune sauvegarde" not in err
    if lang == "en":
        assert err.endswith(f"; its backups folder {folder} cannot be read ({reason}): "
                            "once it can be, restore the latest backup, if there is one "
                            "('fieldplan restore')\n")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_status_with_the_database_gone_and_its_backups_folder_unreadable(
        tmp_path, capsys, monkeypatch, lang) -> None:
    """The database missing, its backups folder there but unreadable: status said to
    run 'fieldplan init' (the folder is listed as empty), which would leave the backups
    behind. It says the folder cannot be read, why, and to restore once it can be."""
    db = tmp_path / "fieldplan.sqlite3"
    folder, reason = _unreadable_backups(monkeypatch, db, lang)
    code, out, err = run("--db", str(db), "--lang", lang, "status", capsys=capsys)
    _says_unreadable_backups(code, out, err, folder, reason, lang)
    if lang == "en":
        assert err.startswith(f"fieldplan: error: no fieldplan database at {db}; ")
    assert not db.exists()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_damaged_database_whose_backups_folder_is_unreadable(hq, capsys, monkeypatch,
                                                               lang) -> None:
    """A damaged database, its backups folder there but unreadable: status said it was
    damaged and no more (or "no backup of it to restore"), never pointing to the
    backups. It says the folder cannot be read, why, and to restore once it can be."""
    db = str(hq.path)
    hq.close()
    damage_pages_of(db, "versions")
    folder, reason = _unreadable_backups(monkeypatch, Path(db), lang)
    code, out, err = run("--db", db, "--lang", lang, "status", capsys=capsys)
    _says_unreadable_backups(code, out, err, folder, reason, lang)
    if lang == "en":
        assert "is not a usable fieldplan database: the file is damaged; its " in err


def damage_pages_of(db: str, table: str) -> None:
    """Overwrite the pages of one table, as a bad sector would: the file still opens,
    and SQLite says it is malformed only when that table is read."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        pages = [n for (n,) in conn.execute("SELECT pageno FROM dbstat WHERE name = ?",
                                            (table,))]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
    finally:
        conn.close()
    data = bytearray(Path(db).read_bytes())
    for n in pages:
        data[(n - 1) * size: n * size] = b"A" * size
    Path(db).write_bytes(bytes(data))


def test_a_database_damaged_in_the_middle_points_to_restore(hq, capsys) -> None:
    """Not "internal error: DatabaseError: database disk image is malformed"."""
    db = str(hq.path)
    store.backup(hq.conn, db, "manual")
    hq.close()
    damage_pages_of(db, "versions")
    code, _out, err = run("--db", db, "status", capsys=capsys)
    assert code == 1 and err.count("\n") == 1
    assert err.endswith("is not a usable fieldplan database: the file is damaged; "
                        "'fieldplan restore' puts its latest backup back\n")
    code, _out, err = run("--db", db, "restore", capsys=capsys)  # damaged: no --force
    assert code == 0, err
    assert run("--db", db, "status", capsys=capsys)[0] == 0


def test_another_computers_key_file_is_said_by_status_and_refused_by_export(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """``cp NG.sqlite3.key BN.sqlite3.key``: status and keys show went on showing BN's
    key, and the export signed BN's data with NG's key (headquarters then bound NG's
    key to BN). Status and keys show say it; the export is refused, nothing written."""
    import shutil

    from fieldplan.replica import key_path

    bn, ng = make_office("BN"), make_office("NG")
    bn_key, ng_key = bn.meta("key_id"), ng.meta("key_id")
    db = str(bn.path)
    bn.close()
    shutil.copyfile(key_path(ng.path), key_path(db))
    said = (f"the key file {key_path(db).name} holds key {ng_key}, not this computer's key "
            f"{bn_key} (a key file copied from another computer?): nothing can be exported "
            "until this computer's own key file is put back beside the database (from "
            "where it was copied or backed up)")
    code, out, err = run("--db", db, "status", capsys=capsys)
    assert code == 0 and err == ""
    assert f"Key: {bn_key} (fingerprint " in out and f"\nWarning: {said}\n" in out
    state = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert (state["key_file"], state["key_file_text"]) == ("other", said)
    code, out, err = run("--db", db, "keys", "show", capsys=capsys)
    assert code == 0 and out.startswith(bn_key) and err == f"fieldplan: warning: {said}\n"
    before = Path(db).read_bytes()
    bundle = tmp_path / "x.fieldplan"
    code, out, err = run("--db", db, "export", "-o", str(bundle), capsys=capsys)
    assert (code, out, err) == (1, "", f"fieldplan: error: {said}\n")
    assert not bundle.exists() and Path(db).read_bytes() == before


def test_a_missing_key_file_is_said_by_status_and_by_export(make_office, tmp_path: Path,
                                                           capsys) -> None:
    from fieldplan.replica import key_path

    bn = make_office("BN")
    db = str(bn.path)
    bn.close()
    key_path(db).unlink()
    said = (f"the key file {key_path(db).name} is missing: nothing can be exported without "
            "it. Put it back beside the database (from where it was copied or backed up); "
            "if it is lost, keep this database and ask headquarters for a new setup bundle")
    code, out, err = run("--db", db, "status", capsys=capsys)
    assert code == 0 and f"\nWarning: {said}\n" in out
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    before = Path(db).read_bytes()
    code, out, err = run("--db", db, "export", "--dir", str(out_dir), capsys=capsys)
    assert (code, out, err) == (1, "", f"fieldplan: error: {said}\n")
    assert list(out_dir.iterdir()) == [] and Path(db).read_bytes() == before


def test_restore_names_another_computers_key_file_not_the_backup(make_office,
                                                                 capsys) -> None:
    import shutil

    from fieldplan.replica import key_path

    bn, ng = make_office("BN"), make_office("NG")
    made = bn.backup("manual")
    bn_key, ng_key = bn.meta("key_id"), ng.meta("key_id")
    db = str(bn.path)
    bn.close()
    shutil.copyfile(key_path(ng.path), key_path(db))
    damage_pages_of(db, "versions")
    code, out, err = run("--db", db, "restore", capsys=capsys)
    assert code == 1 and out == ""
    assert err == (f"fieldplan: error: {made} is a backup of {Path(db).name} (key {bn_key}), "
                   f"but the key file {key_path(db).name} holds another key ({ng_key}), "
                   "likely another computer's: put this computer's own key file back beside "
                   "the database (from where it was copied or backed up), then restore\n")


def damage_plan_text_of(db: str, table: str = "quarantine") -> None:
    """A bad sector across the plan's stored text and the pages of ``table``: the
    plan's bytes are no longer UTF-8, which Python reports as an OperationalError
    ("Could not decode to UTF-8 column 'value' with text '…'") with no SQLite code,
    not as damage; SQLite's quick check finds the pages of ``table`` damaged."""
    import sqlite3

    conn = sqlite3.connect(db)
    try:
        (text,) = conn.execute(
            "SELECT value FROM versions WHERE entity = 'plan' AND field = 'document' "
            "AND superseded = 0").fetchone()
    finally:
        conn.close()
    damage_pages_of(db, table)
    data = Path(db).read_bytes()
    # a piece of the text, on one page of the file (a long text spans several)
    piece = next(part for i in range(0, len(text), 50)
                 if data.count(part := text[i:i + 50].encode()) and len(part) == 50)
    Path(db).write_bytes(data.replace(piece, b"\xff" * len(piece)))


@pytest.mark.parametrize(("lang", "said"), [
    ("fr", "fieldplan\u00a0: interrompu\n"),
    ("ar", "fieldplan: تمت المقاطعة\n"),
])
def test_ctrl_c_is_said_as_the_language_writes_a_line(capsys, monkeypatch, lang,
                                                      said) -> None:
    """Ctrl-C printed "fieldplan: interrompu" in French, its colon without the space
    French puts before it, where the error and warning lines have it ("fieldplan :
    erreur : …"): the line is one message, written as each language writes it."""
    import fieldplan.cli as cli
    from tests.draft_catalog import with_messages

    # (the catalogs are translated after the code changes: as a translator would)
    with_messages(monkeypatch, "fr", {"fieldplan: {message}": "fieldplan\u00a0: {message}"})
    with_messages(monkeypatch, "ar", {"fieldplan: {message}": "fieldplan: {message}"})

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    assert run("--lang", lang, "status", capsys=capsys) == (130, "", said)


class _FullDiskOutput(io.StringIO):
    """Standard output sent to a file on a full disk (``> log.txt``)."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_output_that_cannot_be_written_is_said_as_the_output(hq, make_office,
                                                             tmp_path: Path, capsys,
                                                             monkeypatch) -> None:
    """``fieldplan import … > log.txt`` on a full disk: the file was merged, then its
    line could not be written, and the command said "the disk is full; …" alone, read
    as the import failing. The output is named; what the command did stays done."""
    from fieldplan.cli import main
    from tests import reasons

    bundle = str(export_bundle(make_office("ML"), out_dir=tmp_path).path)
    db = str(hq.path)
    hq.close()
    for argv in (["import", bundle], ["status"], ["--json", "status"]):
        monkeypatch.setattr(sys, "stdout", _FullDiskOutput())
        assert main(["--db", db, *argv]) == 1
        monkeypatch.undo()
        assert capsys.readouterr().err == (
            f"fieldplan: error: cannot write the command's output: {reasons.DISK_FULL}\n")
    code, out, _err = run("--db", db, "import", bundle, capsys=capsys)
    assert code == 0 and out.startswith(f"{Path(bundle).name}: duplicate")  # merged before
