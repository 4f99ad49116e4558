"""What the command line says when things go right, half right or wrong: periods in
any case, user text with control characters, undecodable arguments, file-system
errors, misleading confirmations, usage errors, help wording."""

from __future__ import annotations

import argparse
import errno
import json
import os
import re
from pathlib import Path

import pytest

from fieldplan.cli import build_parser, main
from tests import reasons


def run(*argv: str, capsys) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hq_db(tmp_path: Path, capsys) -> str:
    db = str(tmp_path / "hq.sqlite3")
    assert run("--db", db, "init", "--hq", capsys=capsys)[0] == 0
    return db


@pytest.fixture
def ml_db(tmp_path: Path, hq, capsys) -> str:
    from fieldplan.sync import enroll_office, init_from_setup

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "ml.sqlite3"
    init_from_setup(db, setup).close()
    return str(db)


def _global(db: str, capsys) -> str:
    """A global action (HQ reports on those)."""
    out = run("--db", db, "--json", "actions", "--level", "global", capsys=capsys)[1]
    return json.loads(out)[0]["code"]


def _national(db: str, capsys) -> dict:
    out = run("--db", db, "--json", "actions", "--level", "national", capsys=capsys)[1]
    return json.loads(out)[0]


# --- 1. periods in any case ---------------------------------------------------------


def test_a_lower_case_period_is_saved_and_confirmed(hq_db, capsys) -> None:
    act = _global(hq_db, capsys)
    code, out, err = run("--db", hq_db, "progress", "set", act, "--period", "2026-s2",
                         "--status", "at-risk", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.strip() == f"Recorded {act} for 2nd semester 2026: At risk"
    code, out, err = run("--db", hq_db, "--json", "progress", "set", act, "--period",
                         " 2026-s2 ", "--percent", "10", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["period"] == "2026-S2" and json.loads(out)["percent"] == 10
    rows = json.loads(run("--db", hq_db, "--json", "progress", "list", "--period", "2026-s2",
                          capsys=capsys)[1])
    assert [(r["period"], r["status"], r["percent"]) for r in rows] == [
        ("2026-S2", "at-risk", 10)]
    code, out, _ = run("--db", hq_db, "progress", "submit", "--period", "2026-s2",
                       capsys=capsys)
    assert code == 0 and "2nd semester 2026" in out
    code, out, _ = run("--db", hq_db, "progress", "reopen", act, "--period", "2026-s2",
                       capsys=capsys)
    assert code == 0 and "2nd semester 2026" in out


def test_core_lookups_accept_any_case(hq) -> None:
    from fieldplan import progress

    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-s1", status="on-track")
    assert progress.get_report(hq, act, "2026-s1").period == "2026-S1"
    progress.set_period_lock(hq, "2026-s1", True)
    assert progress.is_locked(hq, "2026-s1") and progress.is_locked(hq, "2026-S1")


# --- 2. control characters ----------------------------------------------------------


def test_terminal_tables_never_carry_escape_codes(hq_db, capsys) -> None:
    act = _global(hq_db, capsys)
    code, _, err = run("--db", hq_db, "progress", "set", act, "--period", "2026-S1",
                       "--status", "on-track", "--note", "ctrl\x01\x07\x1b[31mred\r\nnext",
                       capsys=capsys)
    assert code == 0, err
    row = json.loads(run("--db", hq_db, "--json", "progress", "list", capsys=capsys)[1])[0]
    assert row["achievements"] == "ctrl[31mred\nnext"
    # text stored by an older version still holds them: the table shows them escaped
    import sqlite3

    with sqlite3.connect(hq_db) as conn:
        conn.execute("UPDATE progress SET achievements = ?", ("old\x1b[2Jdata\x07\tx",))
    code, out, _ = run("--db", hq_db, "progress", "list", capsys=capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\t" not in out
    assert "old\\x1b[2Jdata\\x07 x" in out


def test_print_table_escapes_every_cell(capsys) -> None:
    from fieldplan.cli import print_table

    print_table([("a\x1b[1m", "b\nc", "\x9b31m")], ["X", "Y", "Z"])
    out = capsys.readouterr().out
    assert out.splitlines()[1] == "a\\x1b[1m  b c  \\x9b31m"


# --- 3. undecodable arguments -------------------------------------------------------


@pytest.mark.parametrize(("argv", "named"), [
    (["progress", "set", "PA1.1", "--period", "2026-S1", "--note", "\udcff\udcfe bad"],
     "--note"),
    (["progress", "set", "PA1.1", "--period", "2026-S1", "--note=\udcff bad"], "--note"),
])
def test_an_argument_that_is_not_utf8_is_a_usage_error(hq_db, argv, named, capsys) -> None:
    code, out, err = run("--db", hq_db, *argv, capsys=capsys)
    assert code == 2 and out == ""
    last = err.strip().splitlines()[-1]
    assert f"argument {named}: not valid UTF-8 text" in last
    assert "internal error" not in err and "Traceback" not in err


@pytest.mark.skipif(os.name != "posix", reason="file names are bytes on POSIX only")
def test_files_named_in_latin_1_are_used_as_they_are(make_office, hq, tmp_path: Path,
                                                     capsys) -> None:
    """A bundle or a database whose name is not UTF-8 (copied from a Latin-1 USB stick):
    imported, saved and exported, its name shown with U+FFFD; it was refused ("check
    the terminal's character encoding"), then failed with an internal error."""
    folder = os.fsdecode(bytes(tmp_path) + b"/caf\xe9")
    try:
        os.mkdir(folder)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    office = make_office("ML")
    hq_db = str(hq.path)
    hq.close()
    db = os.path.join(folder, "ml\udce9.sqlite3")
    office.close()
    os.rename(office.path, db)
    os.rename(f"{office.path}.key", f"{db}.key")
    code, out, err = run("--db", db, "progress", "set", "PA1.1", "--period", "2026-S1",
                         "--status", "on-track", capsys=capsys)
    assert (code, err) == (0, "")
    code, out, err = run("--db", db, "export", "--dir", folder, capsys=capsys)
    assert code == 0 and err == ""
    [made] = [n for n in os.listdir(folder) if n.endswith(".fieldplan")]
    bundle = os.path.join(folder, "bundle \udce9.fieldplan")
    os.rename(os.path.join(folder, made), bundle)
    code, out, err = run("--db", hq_db, "import", bundle, capsys=capsys)
    assert code == 0 and err == "" and out.startswith("bundle \ufffd.fieldplan: merged")
    code, out, _err = run("--db", hq_db, "status", capsys=capsys)
    assert "bundle \ufffd.fieldplan, merged" in out


def test_an_error_naming_a_file_with_a_line_break_is_one_whole_line(hq_db, tmp_path: Path,
                                                                   capsys) -> None:
    """The line break in a folder's name cut the error short ("cannot write n")."""
    out = tmp_path / "n\nl" / "missing" / "sheet.pdf"
    code, _out, err = run("--db", hq_db, "report", "sheet", "--period", "2026-S1", "-o",
                          str(out), capsys=capsys)
    assert code == 1 and err.count("\n") == 1 and err.startswith("fieldplan: error: ")
    assert "missing" in err


def _db_state(db: str) -> tuple[str, int]:
    """What a refused bundle must leave as it was: the digest and the events."""
    from fieldplan import progress
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:
        return (progress.digest(rep),
                rep.conn.execute("SELECT count(*) FROM events").fetchone()[0])


def _no_raw_controls(text: str) -> None:
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text), text[:300]


def test_a_bundles_words_never_drive_the_terminal(hq, tmp_path: Path, capsys) -> None:
    """A hostile manifest's kind, replica id and office reach the terminal escaped, on
    one line each, in verify's words, import's hint and keys list; --json keeps them
    exact."""
    from fieldplan import bundle as bundlefmt
    from fieldplan import minisign

    stranger = minisign.generate_key()
    sender = "\x1b[2J\x1b[H!!" + "c" * 30
    manifest = {"kind": "sync\x1b]0;PWNED-TITLE\x07\x1b[41m" + "k" * 5000,
                "plan_id": hq.plan_id, "sender": sender, "office": "BN", "recipient": "HQ",
                "ranges": {}, "acks": {}}
    odd_kind, odd_sender = tmp_path / "v1.fieldplan", tmp_path / "v2.fieldplan"
    bundlefmt.write_bundle(odd_kind, manifest, [], stranger)
    bundlefmt.write_bundle(odd_sender, manifest | {"kind": "sync"}, [], stranger)
    db = str(hq.path)
    hq.close()
    before = _db_state(db)
    code, out, err = run("--db", db, "verify", str(odd_kind), capsys=capsys)
    assert (code, err) == (1, "")
    assert out.startswith("invalid: unknown bundle kind 'sync\\x1b]0;PWNED-TITLE\\x07"
                          "\\x1b[41mkkk")
    assert out.count("\n") == 1 and len(out) < 200 and "…'" in out
    code, out, err = run("--db", db, "verify", str(odd_sender), capsys=capsys)
    assert code == 0 and "(replica \\x1b[2J\\x1b[H!, key" in out
    for argv in (("import", str(odd_sender)), ("keys", "list")):
        code, out, err = run("--db", db, *argv, capsys=capsys)
        assert code == 0 and err == ""
        _no_raw_controls(out)
        assert "\\x1b[2J" in out
    # the JSON is exact: a script reads the bundle's own words
    code, out, _err = run("--db", db, "--json", "verify", str(odd_sender), capsys=capsys)
    assert json.loads(out)["replica"] == sender
    assert _db_state(db) == before


def test_a_setup_bundle_for_an_unknown_office_is_one_escaped_line(hq, tmp_path: Path,
                                                                  capsys) -> None:
    from fieldplan import bundle as bundlefmt
    from fieldplan.sync import enroll_office
    from fieldplan.sync.keys import secret_key

    real = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", real)
    with bundlefmt.open_bundle(real) as b:
        fields = {k: b.manifest[k] for k in ("kind", "plan_id", "sender", "office",
                                             "ranges", "acks", "enrolment")}
        lines = list(b.iter_lines())
    bad = tmp_path / "badsetup.fieldplan"
    bundlefmt.write_bundle(bad, fields | {"recipient": "\x1b]0;OWNED\x07" + "x" * 5000},
                           lines, secret_key(hq))
    db = tmp_path / "office.sqlite3"
    code, out, err = run("--db", str(db), "init", "--from", str(bad), capsys=capsys)
    assert (code, out) == (1, "") and not db.exists()
    _no_raw_controls(err.rstrip("\n"))
    # (the file named first, as every refusal of init --from)
    assert err.startswith(f"fieldplan: error: {bad}: manifest.json: unknown office "
                          "'\\x1b]0;OWNED\\x07xxx")
    assert err.count("\n") == 1 and len(err) - len(str(bad)) < 250 and "…'" in err


def test_error_and_warning_lines_show_control_characters_escaped(capsys) -> None:
    from fieldplan.cli import fail_line, warn

    fail_line("unknown office '\x1b]0;OWNED\x07'\nnext")
    warn("key \x1b[2J of \x9b31m")
    assert capsys.readouterr().err == (
        "fieldplan: error: unknown office '\\x1b]0;OWNED\\x07' next\n"
        "fieldplan: warning: key \\x1b[2J of \\x9b31m\n")


# --- 4. file-system errors ----------------------------------------------------------


def test_writing_into_a_folder_names_it(hq_db, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "out.toml"  # a folder, whatever its name says
    folder.mkdir()
    for argv in (("data", "export", "--format", "xlsx", "-o", str(folder)),
                 ("data", "export", "--format", "csv", "-o", str(folder)),
                 ("plan", "export", "-o", str(folder)),
                 ("report", "sheet", "--period", "2026-S1", "-o", str(folder))):
        code, _, err = run("--db", hq_db, *argv, capsys=capsys)
        assert code == 1
        assert err == f"fieldplan: error: cannot write {folder}: {reasons.A_FOLDER}\n"
    assert list(folder.iterdir()) == [] and not list(tmp_path.glob(".*part"))


def part_fails(monkeypatch, error: OSError) -> None:
    """Making the temporary file beside an output fails with ``error``."""
    real_open = os.open

    def failing(path, flags, *args):
        if str(path).endswith(".part"):
            raise type(error)(error.errno, error.strerror, str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", failing)


def test_a_read_only_disk_names_the_final_file(hq_db, tmp_path: Path, capsys,
                                               monkeypatch) -> None:
    part_fails(monkeypatch, OSError(errno.EROFS, "Read-only file system"))
    target = tmp_path / "x.csv"
    code, _, err = run("--db", hq_db, "data", "export", "--format", "csv", "-o", str(target),
                       capsys=capsys)
    assert code == 1
    assert err == f"fieldplan: error: cannot write {target}: {reasons.READ_ONLY}\n"


def test_a_folder_that_cannot_be_written_is_not_said_to_be_missing(hq_db, tmp_path: Path,
                                                                     capsys) -> None:
    """/proc exists, and takes no new files: the system says "no such file", and the
    error said the folder does not exist."""
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc on this system")
    for argv in (("report", "sheet", "--period", "2026-S1", "-o", "/proc/x.pdf"),
                 ("data", "export", "--format", "csv", "-o", "/proc/x.csv")):
        code, _, err = run("--db", hq_db, *argv, capsys=capsys)
        assert code == 1
        assert err == (f"fieldplan: error: cannot write {argv[-1]}: "
                       f"{reasons.folder_refuses('/proc', 'it takes no new files')}\n")
    # a folder that is not there is still said so
    target = tmp_path / "nowhere" / "x.csv"
    code, _, err = run("--db", hq_db, "data", "export", "--format", "csv", "-o", str(target),
                       capsys=capsys)
    assert err == f"fieldplan: error: cannot write {target}: {reasons.NO_FOLDER}\n"


def test_init_in_a_folder_that_takes_no_new_files_says_so(capsys) -> None:
    """init --hq in /proc: the folder is there (it said "its folder does not exist")."""
    if not os.path.isdir("/proc"):
        pytest.skip("no /proc on this system")
    code, out, err = run("--db", "/proc/x.db", "init", "--hq", capsys=capsys)
    assert (code, out) == (1, "")
    assert err == ("fieldplan: error: cannot open database /proc/x.db: "
                   f"{reasons.folder_refuses('/proc', 'it takes no new files')}\n")


@pytest.mark.parametrize("below", ["x.db", "sub/x.db"])
def test_init_below_a_file_says_part_of_the_path_is_a_file(below, tmp_path: Path,
                                                           capsys) -> None:
    """--db FILE/x.db, FILE an ordinary file: said as such (it said "FILE: it already
    exists", as if the database asked for were there)."""
    afile = tmp_path / "notes.txt"
    afile.write_text("mine\n")
    db = afile / below
    for init in (("init", "--hq"), ("init", "--hq", "--json")):
        code, out, err = run("--db", str(db), *init, capsys=capsys)
        assert (code, out) == (1, "")
        failed = afile if below == "x.db" else afile / "sub"
        assert err == f"fieldplan: error: {failed}: {reasons.UNDER_A_FILE}\n"
    assert afile.read_text() == "mine\n"


def test_a_folder_without_permission_is_named(hq_db, tmp_path: Path, capsys,
                                              monkeypatch) -> None:
    """Permission to write in the folder is what is missing (a temporary file is made
    beside the file, then renamed over it): said so, with the folder, not as if the
    file itself were protected. Made up for root, whom no permission stops."""
    part_fails(monkeypatch, PermissionError(errno.EACCES, "Permission denied"))
    folder = tmp_path / "shared"
    folder.mkdir()
    target = folder / "sheet.pdf"
    code, _, err = run("--db", hq_db, "report", "sheet", "--period", "2026-S1",
                       "-o", str(target), capsys=capsys)
    assert code == 1
    assert err == (f"fieldplan: error: cannot write {target}: "
                   f"{reasons.folder_refuses(folder)}\n")


def test_init_in_a_folder_it_cannot_write_names_the_database_not_its_temporary_name(
        tmp_path: Path, capsys, monkeypatch) -> None:
    """init makes the database under a hidden temporary name beside it: a folder it may
    not write in was said of that name ("cannot open database
    …/.hq.sqlite3.1a2b3c4d.init: permission denied"), one the person never gave. Made
    up for root, whom no permission stops."""
    from fieldplan import store

    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(store, "create_private", denied)
    db = tmp_path / "hq.sqlite3"
    code, out, err = run("--db", str(db), "init", "--hq", capsys=capsys)
    assert (code, out) == (1, "")
    assert err == f"fieldplan: error: cannot open database {db}: permission denied\n"
    assert not db.exists() and not list(tmp_path.glob(".hq.sqlite3.*.init*"))


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root writes into a read-only folder")
def test_a_read_only_folder_is_named(hq_db, tmp_path: Path, capsys) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        target = folder / "x.csv"
        code, _, err = run("--db", hq_db, "data", "export", "--format", "csv",
                           "-o", str(target), capsys=capsys)
    finally:
        folder.chmod(0o755)
    assert code == 1
    assert err == (f"fieldplan: error: cannot write {target}: "
                   f"{reasons.folder_refuses(folder)}\n")


def test_why_a_folder_cannot_be_written_is_in_the_readers_language(tmp_path: Path) -> None:
    from fieldplan import files, i18n

    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    try:
        reason = files.write_reason(tmp_path / "x.pdf", OSError(errno.ENOENT, "x"))
        denied = files.write_reason(tmp_path / "x.pdf", OSError(errno.EACCES, "x"),
                                    folder=tmp_path)
    finally:
        i18n.set_language("en")
    frame = i18n.pseudo("the folder {folder} cannot be written to ({reason}); choose "
                        "another folder")
    assert reason == frame.format(folder=tmp_path, reason=i18n.pseudo("it takes no new files"))
    assert denied == frame.format(folder=tmp_path, reason=i18n.pseudo("permission denied"))


def test_a_full_disk_leaves_no_partial_file(tmp_path: Path, monkeypatch) -> None:
    from fieldplan import files
    from fieldplan.errors import FileError

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))

    monkeypatch.setattr(files.os, "replace", full)
    target = tmp_path / "sheet.pdf"
    with pytest.raises(FileError, match=rf"^cannot write .*sheet\.pdf: {reasons.DISK_FULL}$"):
        files.write_atomic(target, b"%PDF")
    assert list(tmp_path.iterdir()) == []


def test_os_error_reasons_are_words(monkeypatch) -> None:
    from fieldplan import files, i18n

    said = {code: files.os_error_reason(OSError(code, "x"), writing=True)
            for code in (errno.EROFS, errno.ENOSPC, errno.EACCES, errno.EPERM, errno.EISDIR,
                         errno.ENOTDIR, errno.ENOENT, errno.EDQUOT, errno.EEXIST)}
    assert "x" not in said.values() and len(set(said.values())) == 8
    # they go through the catalogs
    monkeypatch.setattr(i18n, "_", lambda m: "«" + m + "»")
    monkeypatch.setattr(files, "_", lambda m: "«" + m + "»")
    assert files.os_error_reason(OSError(errno.ENOSPC, "x")) == f"«{reasons.DISK_FULL}»"


@pytest.mark.parametrize(("code", "reason"), [
    (errno.EIO, reasons.DISK_FAULT),
    (errno.ENODEV, reasons.DISK_GONE),
    (errno.EINVAL, 'the name is not allowed on this disk (a USB stick refuses \\ / : * ? " '
                   '< > | in names): choose another')])
def test_a_stick_pulled_out_during_an_export_is_said_in_words(
        make_office, tmp_path: Path, capsys, monkeypatch, code, reason) -> None:
    """A USB stick removed while a bundle was written to it (EIO, ENODEV), or a name a FAT
    stick refuses ("ML:S1.fieldplan", EINVAL), was said in the system's English,
    "Input/output error", in every language. Nothing is left on the stick or noted."""
    import zipfile

    from fieldplan import progress

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    db = str(ml.path)
    ml.close()
    stick = tmp_path / "stick"
    stick.mkdir()
    before = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])

    def pulled_out(*_args, **_kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(zipfile.ZipFile, "writestr", pulled_out)
    out_code, out, err = run("--db", db, "export", "--dir", str(stick), capsys=capsys)
    assert (out_code, out) == (1, "")
    assert re.fullmatch(rf"fieldplan: error: cannot write {re.escape(str(stick))}/"
                        rf"ML-\S+\.fieldplan: {re.escape(reason)}\n", err), err
    assert list(stick.iterdir()) == []
    after = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert (after["unsent"], after["last_export"]) == (before["unsent"], before["last_export"])



@pytest.mark.parametrize(("code", "winerror", "reason"), [
    (errno.EACCES, 21, reasons.DISK_GONE),
    (errno.EINVAL, 1167, reasons.DISK_GONE),
    (errno.EACCES, 31, reasons.DISK_FAULT),
    (errno.EINVAL, 1117, reasons.DISK_FAULT),
    (errno.EINVAL, 123, 'the name is not allowed on this disk (a USB stick refuses \\ / : '
                        '* ? " < > | in names): choose another'),
    (errno.EINVAL, 87, "The parameter is incorrect"),
    (errno.EACCES, 5, reasons.DENIED_WRITING)])
def test_windows_errors_of_a_stick_pulled_out_are_said_as_such(code, winerror,
                                                               reason) -> None:
    """Python gives Windows' errors the errno it maps them to: a drive not ready (21) and
    a device not functioning (31) are EACCES, and were said "permission denied"; an I/O
    device error (1117), and any code Python does not know, are EINVAL, and were said to
    be a name the disk refuses. The Windows code is read first."""
    from fieldplan import files

    exc = OSError(code, "The parameter is incorrect")
    exc.winerror = winerror  # (as Windows' OSError has it)
    assert files.os_error_reason(exc, writing=True) == reason

def test_an_unexpected_os_error_hides_temporary_names(hq_db, tmp_path: Path, capsys,
                                                      monkeypatch) -> None:
    from fieldplan.cli import core_cmds

    def boom(args):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / ".x.pdf.1a2b3c4d.part"))

    monkeypatch.setattr(core_cmds, "cmd_status", boom)  # main() builds its parser after this
    code, _, err = run("--db", hq_db, "status", capsys=capsys)
    assert code == 1
    assert err == f"fieldplan: error: {tmp_path / 'x.pdf'}: {reasons.READ_ONLY}\n"


def test_demo_into_a_file_says_so(tmp_path: Path, capsys) -> None:
    afile = tmp_path / "ML-setup.fieldplan"
    afile.write_bytes(b"x")
    code, _, err = run("demo", "--out", str(afile), capsys=capsys)
    assert code == 1 and err == f"fieldplan: error: {afile} is a file, not a folder\n"
    code, _, err = run("demo", "--out", str(afile / "w"), capsys=capsys)
    assert code == 1
    assert err == f"fieldplan: error: cannot write {afile / 'w'}: {reasons.UNDER_A_FILE}\n"


# --- 5. import of what is not a bundle file -----------------------------------------


def test_import_says_what_the_path_is(hq_db, tmp_path: Path, capsys) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    code, _, err = run("--db", hq_db, "verify", str(usb), capsys=capsys)
    assert code == 1 and err == f"fieldplan: error: {usb}: a folder, not a bundle file\n"
    # with --json, the JSON of any unusable bundle
    for path, reason in ((usb, "a folder, not a bundle file"),
                         (tmp_path / "none", "no such file")):
        code, out, err = run("--db", hq_db, "--json", "verify", str(path), capsys=capsys)
        assert (code, err) == (1, "")
        assert json.loads(out) == {"valid": False, "reason": reason, "office": None,
                                   "replica": None, "key_id": None, "fingerprint": None,
                                   "events": None, "bundle_id": None, "created": None,
                                   "recipient": None, "kind": None, "trusted": None,
                                   "repair": "", "held_only": "", "note": "",
                                   "written_here": False}
    # import: each such path is one refused file, and the others are imported
    code, out, err = run("--db", hq_db, "import", str(usb), os.devnull,
                         str(tmp_path / "none"), capsys=capsys)
    assert code == 1 and err == ""
    # (a folder brings its bundles: this one has none, said in one line)
    assert out.splitlines() == ["usb: rejected: no bundle in this folder: it is empty",
                                "null: rejected: not a regular file",
                                "none: rejected: no such file"]


def test_a_missing_file_does_not_stop_the_others(hq, make_office, tmp_path: Path,
                                                 capsys) -> None:
    from fieldplan import progress
    from fieldplan.sync import export_bundle

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, "2026-S1",
                             status="on-track")
    good = export_bundle(ml, out_dir=tmp_path).path
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "--json", "import", str(tmp_path / "gone.fieldplan"),
                          str(good), capsys=capsys)
    assert code == 1
    assert [(o["file"], o["outcome"]) for o in json.loads(out)] == \
        [("gone.fieldplan", "rejected"), (good.name, "merged")]


def test_import_expands_a_pattern_no_shell_expanded(hq, make_office, tmp_path: Path,
                                                    capsys) -> None:
    """The folder's hint, "name the bundles in it: E:\\*.fieldplan", typed at the
    Windows command prompt (which passes it on as typed) was "no such file". The pattern
    is expanded, as a shell does: in name order, hidden files (macOS's "._NAME") left
    out; one that matches nothing is still no such file."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle

    usb = tmp_path / "usb"
    usb.mkdir()
    for code in ("NE", "ML"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        export_bundle(office, out_dir=usb)
    (usb / "._ML.fieldplan").write_bytes(b"\x00\x05\x16\x07" + bytes(100))
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "--json", "import", str(usb / "*.fieldplan"),
                         str(usb / "*.zip"), capsys=capsys)
    assert code == 1
    assert [(o["file"][:2], o["outcome"], o["reason"]) for o in json.loads(out)] == [
        ("ML", "merged", ""), ("NE", "merged", ""), ("*.", "rejected", "no such file")]



def test_a_pattern_in_a_folder_with_brackets_in_its_name(hq, make_office, tmp_path: Path,
                                                         capsys) -> None:
    """"E:\\Reports [S1]\\*.fieldplan" typed at the Windows command prompt: "[S1]" read as
    a choice of letters matched no folder, and the pattern was "no such file". The
    folder's name is taken as written when the pattern matches nothing otherwise."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle

    folder = tmp_path / "Reports [S1]"
    folder.mkdir()
    office = make_office("ML")
    progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    export_bundle(office, out_dir=folder)
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "--json", "import", str(folder / "*.fieldplan"),
                          capsys=capsys)
    assert code == 0
    assert [(o["file"][:2], o["outcome"]) for o in json.loads(out)] == [("ML", "merged")]


def test_a_folder_of_the_patterns_very_name_is_taken_first(tmp_path: Path) -> None:
    """"Reports [S1]" beside "Reports S": the folder of that very name, not the one its
    name matches as a pattern (found by review)."""
    from fieldplan.cli.sync_cmds import matching_files

    for name in ("Reports [S1]", "Reports S"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "ML.fieldplan").write_bytes(b"x")
    assert matching_files([str(tmp_path / "Reports [S1]" / "*.fieldplan")]) == [
        str(tmp_path / "Reports [S1]" / "ML.fieldplan")]

# --- 6. words, not internal names ---------------------------------------------------


def test_actions_lead_is_translated(hq_db, capsys) -> None:
    from fieldplan.i18n import lead_label

    out = run("--db", hq_db, "--lang", "fr", "actions", capsys=capsys)[1]
    joint = lead_label("joint", "fr")
    assert joint != "joint"
    leads = {line.split()[2] for line in out.splitlines()[1:]}
    assert joint in leads and "joint" not in leads


def test_actions_mark_the_illustrative_ones(hq_db, tmp_path: Path, capsys) -> None:
    """The plan's placeholders are said to be so, in the table and in --json: the
    built-in plan's every action, then of HQ's real plan only the one still marked."""
    import dataclasses

    from fieldplan.plan import default_plan, dump_plan

    out = run("--db", hq_db, "actions", "--area", "PA1", capsys=capsys)[1]
    lines = out.splitlines()
    assert lines[1].split()[0] == "PA1.1*"
    assert lines[-1] == ("* illustrative: placeholder text until headquarters installs the "
                         "signed plan's text")
    listed = json.loads(run("--db", hq_db, "--json", "actions", capsys=capsys)[1])
    assert listed and all(a["illustrative"] is True for a in listed)

    plan = default_plan()
    real = dataclasses.replace(
        plan, version=plan.version + 1, illustrative=True,
        areas=tuple(dataclasses.replace(a, illustrative=False) for a in plan.areas),
        actions=tuple(dataclasses.replace(a, illustrative=a.code == "PA1.2")
                      for a in plan.actions))
    dump_plan(real, tmp_path / "real.toml")
    assert run("--db", hq_db, "plan", "import", str(tmp_path / "real.toml"),
               capsys=capsys)[0] == 0
    listed = json.loads(run("--db", hq_db, "--json", "actions", capsys=capsys)[1])
    assert [a["code"] for a in listed if a["illustrative"]] == ["PA1.2"]
    out = run("--db", hq_db, "actions", "--area", "PA1", capsys=capsys)[1]
    codes = [line.split()[0] for line in out.splitlines()[1:] if line.startswith("PA")]
    assert codes[:3] == ["PA1.1", "PA1.2*", "PA1.3"] and out.rstrip().endswith("text")
    out = run("--db", hq_db, "actions", "--area", "PA2", capsys=capsys)[1]
    assert "*" not in out and "illustrative" not in out  # no note for nothing marked


def test_conflicts_list_speaks_to_people(hq, make_office, tmp_path: Path, capsys) -> None:
    from tests.scenes import laptops_in_conflict

    a, _b, act, _out = laptops_in_conflict(
        hq, make_office, tmp_path,
        {"status": "on-track", "percent": 30, "achievements": "first"},
        {"status": "at-risk", "percent": 40, "achievements": "second\x1b"})
    hq.close()
    code, out, _ = run("--db", str(tmp_path / "hq.sqlite3"), "conflicts", "list",
                       capsys=capsys)
    assert code == 0
    assert f"ML  {act}  2026-S1  Percent complete" in out
    assert f"ML  {act}  2026-S1  Achievements" in out
    assert f"ML  {act}  2026-S1  Status" in out
    assert "|" not in out and "'" not in out
    assert "percent" not in out and "achievements" not in out
    assert " 30%  " in out and " On track  " in out and " first  " in out
    assert "second  " in out  # the control character is gone
    # HQ sees them to know; only ML's computers resolve them
    assert out.count("only the computers of ML can resolve it") == 3
    listed = json.loads(run("--db", str(tmp_path / "hq.sqlite3"), "--json", "conflicts",
                            "list", capsys=capsys)[1])
    assert [c["resolvable_here"] for c in listed] == [False] * 3
    listed = json.loads(run("--db", str(a.path), "--json", "conflicts", "list",
                            capsys=capsys)[1])
    assert len(listed) == 3 and all(c["resolvable_here"] for c in listed)


def test_field_labels_are_one_definition() -> None:
    from fieldplan.i18n import field_label

    assert field_label("achievements") == "Achievements"
    assert field_label("percent") == "Percent complete"
    assert field_label("value.people") == "Indicator people"
    assert field_label("next_steps", "fr") != "next_steps"


# --- 7. too-long narratives ---------------------------------------------------------


def test_too_long_note_names_the_option(hq_db, capsys) -> None:
    act = _global(hq_db, capsys)
    for option in ("--note", "--challenges", "--next-steps"):
        code, _, err = run("--db", hq_db, "progress", "set", act, "--period", "2026-S1",
                           "--status", "on-track", option, "x" * 26000, capsys=capsys)
        assert code == 1
        assert err == (f"fieldplan: error: {option} is 26,000 characters long; the limit is "
                       "20,000\n")


# --- 8. confirmations that say what happened ----------------------------------------


def test_lock_and_unlock_say_when_nothing_changed(hq_db, capsys) -> None:
    import sqlite3

    def events() -> int:
        with sqlite3.connect(hq_db) as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    assert run("--db", hq_db, "period", "lock", "2026-S1", capsys=capsys)[1] == \
        "Locked 1st semester 2026\n"
    before = events()
    assert run("--db", hq_db, "period", "lock", "2026-s1", capsys=capsys)[1] == \
        "1st semester 2026 is already locked\n"
    assert run("--db", hq_db, "period", "unlock", "2025-S2", capsys=capsys)[1] == \
        "2nd semester 2025 was not locked\n"
    data = json.loads(run("--db", hq_db, "--json", "period", "unlock", "2025-S2",
                          capsys=capsys)[1])
    assert data == {"period": "2025-S2", "locked": False, "changed": False}
    assert events() == before


def test_lock_warns_of_a_period_not_over_and_of_reports_not_submitted(
        hq_db, capsys, monkeypatch) -> None:
    """The warnings of the client's confirmation (LockCheck.warnings), on stderr: the
    lock is made, stdout stays the one line a script reads. Headquarters' own reports
    are said apart: '1 of 1 offices' was headquarters, no office, and its draft was
    not one an office receives the lock for."""
    import datetime as dt

    from fieldplan import events

    # (the day the lock check judges the period's end by: events.local_today)
    monkeypatch.setattr(events, "local_today", lambda: dt.date(2026, 12, 4))
    act = _global(hq_db, capsys)  # a draft of HQ's, on a global action
    assert run("--db", hq_db, "progress", "set", act, "--period", "2026-S2", "--status",
               "on-track", capsys=capsys)[0] == 0
    code, out, err = run("--db", hq_db, "period", "lock", "2026-S2", capsys=capsys)
    assert (code, out) == (0, "Locked 2nd semester 2026\n")
    assert err == (
        "fieldplan: warning: This period has not ended: it runs until 31 Dec 2026. Offices "
        "that receive the lock can no longer record or submit reports for it.\n"
        "fieldplan: warning: Headquarters has submitted none of its own reports on the "
        "global actions for this period.\n"
        "fieldplan: warning: 1 of headquarters' own reports of this period is still a "
        "draft: once the period is locked, it cannot be submitted unless the period is "
        "unlocked.\n"
        "fieldplan: warning: If that was not meant, unlock it before offices receive "
        "headquarters' next bundles: 'fieldplan period unlock 2026-S2'\n")
    # already locked: nothing this command did, nothing to warn of
    assert run("--db", hq_db, "period", "lock", "2026-S2", capsys=capsys)[1:] == (
        "2nd semester 2026 is already locked\n", "")
    data = json.loads(run("--db", hq_db, "--json", "period", "unlock", "2026-S2",
                          capsys=capsys)[1])
    assert data == {"period": "2026-S2", "locked": False, "changed": True}
    data = json.loads(run("--db", hq_db, "--json", "period", "lock", "2026-S2",
                          capsys=capsys)[1])
    assert data["changed"] and len(data["warnings"]) == 3
    assert data["warnings"][1] == ("Headquarters has submitted none of its own reports on "
                                   "the global actions for this period.")
    # a period over and submitted: nothing to warn of
    assert run("--db", hq_db, "progress", "set", act, "--period", "2026-S1", "--status",
               "on-track", capsys=capsys)[0] == 0
    assert run("--db", hq_db, "progress", "submit", "--period", "2026-S1",
               capsys=capsys)[0] == 0
    assert run("--db", hq_db, "period", "lock", "2026-S1", capsys=capsys)[1:] == (
        "Locked 1st semester 2026\n", "")


def test_revoking_a_revoked_key_says_so(hq, make_office, tmp_path: Path, capsys) -> None:
    import sqlite3

    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    key = ml.meta("key_id")
    # HQ registers the office's key with its first bundle
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path).outcome == "merged"
    db = str(hq.path)
    hq.close()

    def count() -> int:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM events").fetchone()[0]

    # ML's setup bundles end with it: the revoked computer may hold them
    assert run("--db", db, "keys", "revoke", key.lower(), capsys=capsys)[1] == (
        f"Revoked key {key}; the setup bundles written for ML no longer set up new "
        "computers (the revoked one may hold them): write a new one for any computer of ML "
        "still to be set up\n")
    before = count()
    assert run("--db", db, "keys", "revoke", key, capsys=capsys)[1] == \
        f"Key {key} was already revoked\n"
    assert json.loads(run("--db", db, "--json", "keys", "revoke", key,
                          capsys=capsys)[1])["changed"] is False
    assert count() == before


def test_revoking_an_earlier_key_says_the_computer_is_cut_off(hq, make_office,
                                                              tmp_path: Path, capsys) -> None:
    """Revoking a laptop's retired key cut it off, but `keys revoke` said only "Revoked
    key …" and `keys list` showed its current key active."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle, rotate_key

    ml = make_office("ML")
    first = ml.meta("key_id")
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path).outcome == "merged"
    current = rotate_key(ml).key_id_hex
    code = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    (tmp_path / "next").mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path / "next").path).outcome \
        == "merged"
    db = str(hq.path)
    hq.close()
    assert run("--db", db, "keys", "revoke", first, capsys=capsys)[1] == (
        f"Revoked key {first}: it is an earlier key of its computer, whose current key "
        f"{current} is revoked with it: that computer is cut off; the setup bundles "
        "written for ML no longer set up new computers (the revoked one may hold them): "
        "write a new one for any computer of ML still to be set up\n")
    out = run("--db", db, "keys", "list", capsys=capsys)[1]
    line = next(line for line in out.splitlines() if line.startswith(current))
    assert line.split()[3] == "Revoked"  # (--json keeps "revoked": below)
    listed = json.loads(run("--db", db, "--json", "keys", "list", capsys=capsys)[1])
    mine = next(k for k in listed["keys"] if k["key_id"] == current)
    assert (mine["status"], mine["revoked_with"]) == ("revoked", first)


def test_verify_says_when_the_key_is_not_known(hq, tmp_path: Path, capsys) -> None:
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, init_from_setup

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    ml = init_from_setup(tmp_path / "ml.sqlite3", setup)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    ml.close()
    hq.close()
    code, out, _err = run("--db", str(hq.path), "verify", str(bundle), capsys=capsys)
    assert code == 0 and out.startswith("valid: ") and "quarantine" not in out
    other = init_hq(tmp_path / "other.sqlite3")  # a database that never enrolled ML
    other.close()
    code, out, _err = run("--db", str(other.path), "verify", str(bundle), capsys=capsys)
    assert code == 0 and "importing it puts it in quarantine" in out.splitlines()[1]


def test_status_names_the_last_imports_file_and_outcome_and_what_is_not_sent(
        ml_db, hq, tmp_path: Path, capsys) -> None:
    from fieldplan.sync import enroll_office, export_bundle

    def lines(db: str) -> dict[str, str]:
        out = run("--db", db, "status", capsys=capsys)[1]
        return dict(line.split(": ", 1) for line in out.splitlines())

    assert lines(ml_db)["Last import"] == "never"
    assert lines(ml_db)["Not yet sent"] == "no changes"
    enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    for_sn = export_bundle(hq, for_office="SN", out_file=tmp_path / "for-SN.fieldplan").path
    assert run("--db", ml_db, "import", str(for_sn), capsys=capsys)[0] == 1
    # a refused bundle is not taken for one that went in
    assert re.fullmatch(r"\d+ \w+ 20\d\d, [\d:]+ — for-SN\.fieldplan, rejected",
                        lines(ml_db)["Last import"])
    act = _national(ml_db, capsys)["code"]
    run("--db", ml_db, "progress", "set", act, "--period", "2026-S1", "--status", "on-track",
        capsys=capsys)
    assert lines(ml_db)["Not yet sent"] == "1 change"
    run("--db", ml_db, "progress", "set", act, "--period", "2026-S1", "--percent", "20",
        capsys=capsys)
    status = json.loads(run("--db", ml_db, "--json", "status", capsys=capsys)[1])
    assert status["unsent"] == 2 and lines(ml_db)["Not yet sent"] == "2 changes"
    assert status["last_import"]["outcome"] == "rejected"
    hq.close()
    assert "Not yet sent" not in lines(str(hq.path))  # headquarters sends to every office


def test_status_says_what_became_of_several_files_imported_at_once(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """`import FILE...` of five files: 2 merged, 1 already held, 2 rejected. The last
    import said "…— SN-setup.fieldplan, rejected", the last file's alone, which read
    like a failure of the lot; it says the batch, in the text and in the JSON."""
    from fieldplan import progress
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle

    sent = []
    for code in ("ML", "SN"):
        office = make_office(code)
        act = office.plan().actions_of(level="national")[0].code
        progress.record_progress(office, act, "2026-S1", status="on-track")
        sent.append(str(export_bundle(office, out_dir=tmp_path).path))
    # (another headquarters' setup bundle: this one's own is a duplicate here)
    with init_hq(tmp_path / "other-hq.sqlite3") as other:
        enroll_office(other, "SN", tmp_path / "SN-setup.fieldplan")
    damaged = tmp_path / "damaged.fieldplan"
    damaged.write_bytes(b"not a bundle")
    db = str(hq.path)
    hq.close()
    files = [*sent, sent[0], str(tmp_path / "SN-setup.fieldplan"), str(damaged)]
    assert run("--db", db, "import", *files, capsys=capsys)[0] == 1
    out = run("--db", db, "status", capsys=capsys)[1]
    last = dict(line.split(": ", 1) for line in out.splitlines())["Last import"]
    assert re.fullmatch(r"\d+ \w+ 20\d\d, [\d:]+ — 5 files: 2 merged, 1 already held, "
                        r"2 rejected", last), last
    status = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert status["last_import"]["files"] == 5
    assert status["last_import"]["counts"] == {"merged": 2, "duplicate": 1, "rejected": 2}
    # one file alone: its name and outcome, as before
    assert run("--db", db, "import", sent[1], capsys=capsys)[0] == 0
    out = run("--db", db, "status", capsys=capsys)[1]
    assert out.split("Last import: ", 1)[1].splitlines()[0].endswith(
        f"— {Path(sent[1]).name}, duplicate")


def test_a_file_name_with_a_bidi_override_reorders_nothing_in_english(
        ml_db, hq, tmp_path: Path, capsys) -> None:
    """A bundle named "x\u202egnp.fieldplan" (mail attachments keep any name): the
    right-to-left override reaches no line of the import or of `status`, in English
    too, where a bidi terminal would otherwise show the rest of the line reversed."""
    from fieldplan.sync import enroll_office, export_bundle

    enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    hostile = tmp_path / "x\u202egnp.fieldplan"
    export_bundle(hq, for_office="SN", out_file=hostile)
    _code, out, err = run("--db", ml_db, "import", str(hostile), capsys=capsys)
    status = run("--db", ml_db, "status", capsys=capsys)[1]
    assert "gnp.fieldplan" in out + err and "gnp.fieldplan" in status
    assert "\u202e" not in out + err + status


def test_verify_refuses_a_missing_database_and_says_when_trust_is_unchecked(
        hq, tmp_path: Path, capsys, monkeypatch) -> None:
    from fieldplan.store import default_db_path
    from fieldplan.sync import (
        enroll_office,
        export_bundle,
        import_bundle,
        init_from_setup,
        revoke_key,
    )

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    ml = init_from_setup(tmp_path / "ml.sqlite3", setup)
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)  # HQ registers ML's key
    revoke_key(hq, ml.meta("key_id"))
    bundle = str(export_bundle(ml, out_dir=tmp_path).path)
    ml.close()
    hq.close()
    code, out, _err = run("--db", str(hq.path), "verify", bundle, capsys=capsys)
    assert code == 1 and out.startswith("invalid: ") and "revoked" in out
    # a mistyped database is an error, as for every other command, not "valid"
    typo = tmp_path / "hq.sqlite3x"
    code, out, err = run("--db", str(typo), "verify", bundle, capsys=capsys)
    assert (code, out) == (1, "") and err.startswith("fieldplan: error: no fieldplan database")
    monkeypatch.setenv("FIELDPLAN_DB", str(typo))
    code, out, err = run("verify", bundle, capsys=capsys)
    assert (code, out) == (1, "") and "no fieldplan database" in err
    assert not typo.exists()
    # no database at all: the signature alone, and the text says so
    monkeypatch.delenv("FIELDPLAN_DB")
    assert not default_db_path().exists()
    code, out, _err = run("verify", bundle, capsys=capsys)
    assert code == 0 and out.startswith(
        "valid signature; trust not checked: no database: 0 events from ML")
    code, out, _err = run("--json", "verify", bundle, capsys=capsys)
    result = json.loads(out)
    assert (result["valid"], result["trusted"], result["office"]) == (True, None, "ML")
    assert {"valid", "reason", "office", "replica", "key_id", "events"} <= set(result)


def test_verify_of_a_setup_bundle_says_what_it_is_for(hq, ml_db, tmp_path: Path,
                                                      capsys) -> None:
    """Headquarters checks the setup bundle it wrote before sending it: valid, and what
    to do with it. An office's import refuses one, and its verify says so too."""
    setup = tmp_path / "SN-setup.fieldplan"
    assert run("--db", str(hq.path), "office", "enroll", "SN", "-o", str(setup),
               capsys=capsys)[0] == 0
    hq.close()
    code, out, _err = run("--db", str(hq.path), "verify", str(setup), capsys=capsys)
    assert code == 0 and out.startswith("valid: ")
    assert out.endswith("a setup bundle for SN: start that office's computer with "
                        "'fieldplan init --from FILE'\n")
    code, out, _err = run("--db", ml_db, "verify", str(setup), capsys=capsys)
    icode, iout, _err = run("--db", ml_db, "import", str(setup), capsys=capsys)
    assert code == icode == 1
    reason = "this is a setup bundle: start a new office with 'fieldplan init --from FILE'"
    assert out == f"invalid: {reason}\n"
    assert iout == f"SN-setup.fieldplan: rejected: {reason}\n"


def test_export_with_nothing_new_says_so_on_stderr(ml_db, hq, tmp_path: Path,
                                                   capsys) -> None:
    from fieldplan.replica import open_replica
    from fieldplan.sync import export_bundle, import_bundle

    (tmp_path / "first").mkdir()
    (tmp_path / "back").mkdir()
    with open_replica(ml_db) as ml:  # HQ learns ML's key: no enrolment proof to carry
        import_bundle(hq, export_bundle(ml, out_dir=tmp_path / "first").path)
        import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path / "back").path)
    code, out, err = run("--db", ml_db, "export", "--dir", str(tmp_path), capsys=capsys)
    assert code == 0 and Path(out.strip()).is_file() and out.count("\n") == 1
    assert err == ("fieldplan: warning: no new entries to send: the bundle holds only the "
                   "receipts of what this computer has received; sending it still tells "
                   "headquarters what arrived\n")


def test_export_again_with_nothing_new_prints_the_same_path(ml_db, tmp_path: Path,
                                                            capsys) -> None:
    """The second export of the same content takes the first one's name (and says
    so on stderr): the folder held a second file, "…_2.fieldplan", the same."""
    out = tmp_path / "stick"
    out.mkdir()
    code, first, _err = run("--db", ml_db, "export", "--dir", str(out), capsys=capsys)
    assert code == 0
    code, again, err = run("--db", ml_db, "export", "--dir", str(out), capsys=capsys)
    assert code == 0 and again == first
    assert [p.name for p in out.iterdir()] == [Path(first.strip()).name]
    assert err == ("fieldplan: warning: nothing new since the bundle saved before under "
                   "this name: it was saved again in its place, not as a second file\n")


def test_keys_list_shows_this_computers_new_key(ml_db, capsys) -> None:
    code, out, _err = run("--db", ml_db, "keys", "rotate", capsys=capsys)
    # and what makes it known (it said only "New key …")
    assert code == 0 and "; export a bundle for headquarters: it registers the new key " \
        "from it; fingerprint " in out
    shown = json.loads(run("--db", ml_db, "--json", "keys", "show", capsys=capsys)[1])
    listed = json.loads(run("--db", ml_db, "--json", "keys", "list", capsys=capsys)[1])
    mine = [k for k in listed["keys"] if k["key_id"] == shown["key_id"]]
    # the word status --json uses for the same key: one machine value for one state
    assert [k["status"] for k in mine] == ["unregistered"]
    status = json.loads(run("--db", ml_db, "--json", "status", capsys=capsys)[1])
    assert status["key_status"] == "unregistered"
    out = run("--db", ml_db, "keys", "list", capsys=capsys)[1]
    assert "Not yet registered" in out


def test_headquarters_rotating_its_key_is_told_how_offices_learn_it(hq_db, capsys) -> None:
    code, out, _err = run("--db", hq_db, "keys", "rotate", capsys=capsys)
    # (before the fingerprint: a status bar cuts a line at its end)
    assert code == 0 and out.startswith("New key ") and \
        "; offices learn it from headquarters' next bundle for them; fingerprint " in out


def test_a_backup_copied_back_by_hand_continues_as_a_new_replica(hq_db, tmp_path: Path,
                                                                 capsys) -> None:
    """Not only the client's Restore button: a backup file copied over the database."""
    import shutil

    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        before = rep.replica_id
        taken = store.backup(rep.conn, hq_db, "manual")
    for side in ("-wal", "-shm"):
        Path(hq_db + side).unlink(missing_ok=True)
    shutil.copyfile(taken, hq_db)
    status = json.loads(run("--db", hq_db, "--json", "status", capsys=capsys)[1])
    assert status["replica"] != before and status["restored"]["replica"] == before
    out = run("--db", hq_db, "status", capsys=capsys)[1]
    assert f"continues as a new replica (it was {before[:8]})" in out
    out = run("--db", hq_db, "keys", "list", capsys=capsys)[1]
    assert f"{status['replica'][:8]} (continues {before[:8]})" in out
    # once only: the next start is an ordinary one
    again = json.loads(run("--db", hq_db, "--json", "status", capsys=capsys)[1])
    assert again["replica"] == status["replica"]


def test_restore_puts_the_latest_backup_back(hq_db, tmp_path: Path, capsys) -> None:
    from fieldplan import store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        before = rep.replica_id
        taken = store.backup(rep.conn, hq_db, "manual")
    for side in ("-wal", "-shm"):
        Path(hq_db + side).unlink(missing_ok=True)
    Path(hq_db).write_bytes(b"not a database" * 500)
    code, _out, err = run("--db", hq_db, "status", capsys=capsys)
    assert code == 1 and err.strip().endswith("'fieldplan restore' puts its latest backup back")
    code, out, _err = run("--db", hq_db, "--json", "restore", capsys=capsys)
    done = json.loads(out)
    assert code == 0 and done["backup"] == str(taken) and done["previous_replica"] == before
    assert Path(done["damaged"]).read_bytes() == b"not a database" * 500
    assert json.loads(run("--db", hq_db, "--json", "status", capsys=capsys)[1])["replica"] \
        == done["replica"] != before
    # a file that is not a backup is refused, and nothing is replaced
    code, _out, err = run("--db", hq_db, "restore", str(done["damaged"]), capsys=capsys)
    assert code == 1 and "is not a fieldplan backup" in err
    assert json.loads(run("--db", hq_db, "--json", "status", capsys=capsys)[1])["replica"] \
        == done["replica"]


def test_status_dismiss_lost_ends_the_restore_warning(hq, make_office, tmp_path: Path,
                                                      capsys) -> None:
    """HQ put back from a backup is told what offices hold that it lost; once the
    changes are made again, `status --dismiss-lost` ends the warning."""
    from tests.scenes import hq_restored_with_a_lost_change

    path, ml = hq_restored_with_a_lost_change(hq, make_office, tmp_path)
    db = str(path)
    out = run("--db", db, "status", capsys=capsys)[1]
    assert "offices hold 1 event headquarters wrote after the backup" in out
    code, out, _err = run("--db", db, "status", "--dismiss-lost", capsys=capsys)
    assert code == 0 and out.startswith("Stopped warning about 1 change the restore lost")
    assert "offices hold" not in out
    code, out, _err = run("--db", db, "--json", "status", "--dismiss-lost", capsys=capsys)
    state = json.loads(out)
    assert state["dismissed_lost"] == 0 and state["restored"]["dismissed"] == 1
    out = run("--db", db, "status", "--dismiss-lost", capsys=capsys)[1]
    assert out.startswith("No change lost in a restore to stop warning about.")
    ml.close()


def test_status_at_headquarters_says_which_office_forked_until_repaired(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """A fork record stands at HQ until its next bundle to the office repairs it:
    status says so, one line per office, so that HQ sends that office a bundle."""
    from tests.scenes import hq_with_a_forked_office, send

    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    (origin, seq), = hq.conn.execute("SELECT origin, seq FROM forks").fetchall()
    db = str(hq.path)
    out = run("--db", db, "status", capsys=capsys)[1]
    line = (f"Forked history: ML: a computer's history forked (replica {origin[:8]}, from "
            f"event {seq}); headquarters' next bundle to ML repairs it")
    assert line in out.splitlines()
    state = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])
    assert state["forks"] == [line.removeprefix("Forked history: ")]
    [record] = state["fork_records"]
    assert {k: record[k] for k in ("origin", "office", "seq")} == {
        "origin": origin, "office": "ML", "seq": seq}
    assert record["found_at"].endswith("Z")
    # HQ's bundle repairs ML, whose next bundle ends the record
    assert send(hq, ml, tmp_path)[1].outcome == "merged"
    assert send(ml, hq, tmp_path)[1].outcome == "merged"
    out = run("--db", db, "status", capsys=capsys)[1]
    assert "Forked history" not in out
    assert json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])["forks"] == []
    ml.close()


def test_status_lists_the_changes_the_restore_lost(hq, make_office, tmp_path: Path,
                                                  capsys) -> None:
    """Not only how many: which, so that HQ staff know what to make again."""
    from tests.scenes import hq_restored_with_a_lost_change

    path, ml = hq_restored_with_a_lost_change(hq, make_office, tmp_path)
    db = str(path)
    out = run("--db", db, "status", capsys=capsys)[1]
    lines = out.splitlines()
    warning = next(n for n, line in enumerate(lines) if line.startswith("Warning: offices"))
    assert lines[warning + 1].startswith("Lost: period 2025-S2 locked (")
    state = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])["restored"]
    assert state["lost"] == 1 and state["lost_unknown"] == []
    (change,) = state["lost_changes"]
    assert (change["entity"], change["id"], change["fields"]) == ("lock", "2025-S2",
                                                                  {"locked": True})
    assert lines[warning + 1] == "Lost: " + change["text"]
    ml.close()


def test_import_tells_how_to_trust_a_quarantined_key(hq, make_office, tmp_path: Path,
                                                     capsys) -> None:
    from fieldplan import store
    from fieldplan.sync import export_bundle
    from fieldplan.sync.keys import public_key

    ml = make_office("ML")
    with store.write_transaction(ml.conn):  # no enrolment token: the bundle waits
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    bundle = export_bundle(ml, out_dir=tmp_path).path
    fingerprint = public_key(ml).fingerprint
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "import", str(bundle), capsys=capsys)
    first, where, hint = out.splitlines()
    assert code == 0 and ": quarantined: " in first
    # which computer, and where its fingerprint is read there
    assert where.strip() == (
        f"the office reads the fingerprint on its computer {ml.replica_id[:8]}: in "
        "fieldplan under Help ▸ This computer's key…, or with 'fieldplan keys show'")
    assert hint.strip() == f'once the office has confirmed the fingerprint: fieldplan keys ' \
        f'trust "{fingerprint}"'
    # keys list: the computer of each quarantined key, and the same hint
    out = run("--db", db, "keys", "list", capsys=capsys)[1]
    waiting = out[out.index("Waiting in quarantine:"):].splitlines()
    assert waiting[1].split()[:3] == ["Key", "Office", "Replica"]
    assert waiting[2].split()[:3] == [public_key(ml).key_id_hex, "ML", ml.replica_id[:8]]
    assert waiting[-1] == ("The office reads its fingerprint in fieldplan under Help ▸ This "
                           "computer's key…, or with 'fieldplan keys show'.")
    # the key id shown first there is not a fingerprint: it points to it
    for act in ("trust", "refuse"):
        code, _out, err = run("--db", db, "keys", act, public_key(ml).key_id_hex,
                              capsys=capsys)
        assert code == 1 and f"not its fingerprint: read its fingerprint {fingerprint} " \
            "with the office" in err


def test_keys_refuse_drops_a_quarantined_key(hq, make_office, tmp_path: Path,
                                             capsys) -> None:
    from fieldplan import events, store
    from fieldplan.i18n import format_date
    from fieldplan.sync import export_bundle, import_bundle
    from fieldplan.sync.keys import public_key

    ml = make_office("ML")
    with store.write_transaction(ml.conn):
        ml.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    sent = export_bundle(ml, out_dir=tmp_path).path
    assert import_bundle(hq, sent).outcome == "quarantined"
    fingerprint = public_key(ml).fingerprint
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "keys", "refuse", fingerprint, capsys=capsys)
    assert code == 0 and ": rejected: refused: the office did not confirm" in out
    listed = json.loads(run("--db", db, "--json", "keys", "list", capsys=capsys)[1])
    assert listed["quarantine"] == []
    # refused again: said as done already, when and which bundle (it said "no
    # quarantined bundle is signed by…", exit 1: nothing of the key was kept)
    today = format_date(events.utc_iso())
    code, out, err = run("--db", db, "keys", "refuse", fingerprint, capsys=capsys)
    assert (code, err) == (0, "")
    assert out == (f"Key {fingerprint} of ML (computer {ml.replica_id[:8]}) was already "
                   f"refused, on {today}: its bundle {sent.name} is in the inbox as "
                   "rejected\n")
    code, out, _err = run("--db", db, "--json", "keys", "refuse", fingerprint,
                          capsys=capsys)
    assert code == 0 and json.loads(out) == []
    # trusted: its bundle must wait in quarantine again first (it did not say why)
    code, _out, err = run("--db", db, "keys", "trust", fingerprint, capsys=capsys)
    assert code == 1 and len(err.splitlines()) == 1
    assert f"key {fingerprint} of ML (computer {ml.replica_id[:8]}) was refused on " \
        f"{today} and no bundle of it waits in quarantine: to trust " \
        f"it, import its bundle {sent.name} again (or one the office sends again), then " \
        "trust it" in err
    assert run("--db", db, "import", str(sent), capsys=capsys)[0] == 0
    code, out, _err = run("--db", db, "keys", "trust", fingerprint, capsys=capsys)
    assert code == 0 and ": merged" in out


def test_keys_trust_of_a_key_already_trusted_says_so(hq, make_office, tmp_path: Path,
                                                    capsys) -> None:
    """Trusting a key whose bundles were merged (nothing of it in quarantine) is done
    already: said, with which office and computer, exit 0, as 'keys revoke' of a
    revoked key (it said "no quarantined bundle is signed by…", exit 1). Refusing it
    is an error that says it is trusted; its own key is neither trusted nor refused."""
    from fieldplan.sync import export_bundle, import_bundle
    from fieldplan.sync.keys import public_key

    ml = make_office("ML")
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path).outcome == "merged"
    key = public_key(ml)
    own = public_key(hq).fingerprint
    db = str(hq.path)
    hq.close()
    code, out, err = run("--db", db, "keys", "trust", key.fingerprint, capsys=capsys)
    assert (code, err) == (0, "")
    assert out == (f"Key {key.fingerprint} of ML (computer {ml.replica_id[:8]}) is already "
                   "trusted; no bundle of it waits in quarantine\n")
    code, out, _err = run("--db", db, "--json", "keys", "trust",
                          key.fingerprint.replace(" ", "")[:16].lower(), capsys=capsys)
    assert code == 0 and json.loads(out) == []
    code, _out, err = run("--db", db, "keys", "refuse", key.fingerprint, capsys=capsys)
    assert code == 1 and len(err.splitlines()) == 1
    assert f"key {key.fingerprint} of ML (computer {ml.replica_id[:8]}) is trusted and no " \
        f"bundle of it waits in quarantine: nothing to refuse" in err
    assert f"fieldplan keys revoke {key.key_id_hex}" in err
    code, out, _err = run("--db", db, "keys", "trust", own, capsys=capsys)
    assert code == 0 and out == f"Key {own} is this computer's own key; nothing to trust\n"
    code, _out, err = run("--db", db, "keys", "refuse", own, capsys=capsys)
    assert code == 1 and "this computer's own key: it cannot be refused" in err


def test_keys_trust_and_refuse_of_a_revoked_key_say_it_was_revoked(
        hq, make_office, tmp_path: Path, capsys) -> None:
    from fieldplan.sync import export_bundle, import_bundle, revoke_key
    from fieldplan.sync.keys import public_key

    ml = make_office("ML")
    assert import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path).outcome == "merged"
    key = public_key(ml)
    revoke_key(hq, key.key_id_hex)
    db = str(hq.path)
    hq.close()
    code, _out, err = run("--db", db, "keys", "trust", key.fingerprint, capsys=capsys)
    assert code == 1 and f"key {key.fingerprint} of ML was revoked and is never trusted " \
        "again" in err
    code, out, _err = run("--db", db, "keys", "refuse", key.fingerprint, capsys=capsys)
    assert code == 0 and out == (f"Key {key.fingerprint} of ML (computer "
                                 f"{ml.replica_id[:8]}) was revoked: its bundles are "
                                 "refused already\n")


def test_keys_trust_at_an_office_of_the_headquarters_key(hq, make_office, capsys) -> None:
    from fieldplan.sync.keys import public_key

    ml = make_office("ML")
    key = public_key(hq)
    db = str(ml.path)
    ml.close()
    code, out, _err = run("--db", db, "keys", "trust", key.fingerprint, capsys=capsys)
    assert code == 0 and out.startswith(f"Key {key.fingerprint} of HQ (computer "
                                        f"{hq.replica_id[:8]}) is already trusted")


# --- 9. usage errors ----------------------------------------------------------------


@pytest.mark.parametrize("argv", [
    ["demo", "--out", "w", "--offices", "0"],
    ["demo", "--out", "w", "--offices", "58"],
    ["init", "--from", "S.fieldplan", "--plan", "P.toml"],
    ["--db", "", "status"],
    ["status", "--db", " "],
])
def test_usage_errors_exit_2(argv, tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*argv, capsys=capsys)
    assert code == 2 and "usage error" in err.splitlines()[-1]
    assert not (tmp_path / "w").exists()


@pytest.mark.parametrize("argv", [
    ["--db", "mine.sqlite3", "demo", "--out", "w"],
    ["demo", "--out", "w", "--db", "mine.sqlite3"],
])
def test_demo_with_db_is_a_usage_error(argv, tmp_path: Path, monkeypatch, capsys) -> None:
    """demo writes its databases into --out: a --db given was left unused without a
    word. FIELDPLAN_DB (the person's own database, set once) is no reason to refuse."""
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*argv, capsys=capsys)
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == (
        "fieldplan demo: usage error: demo writes its databases into the folder --out "
        "names (hq.sqlite3 and offices/CODE.sqlite3): it takes no --db")
    assert not (tmp_path / "w").exists() and not (tmp_path / "mine.sqlite3").exists()
    monkeypatch.setenv("FIELDPLAN_DB", str(tmp_path / "mine.sqlite3"))
    code, out, _err = run("demo", "--out", "w", "--offices", "1", capsys=capsys)
    assert code == 0 and out.startswith("Demo world in w: HQ and 1 office")
    assert (tmp_path / "w" / "hq.sqlite3").exists()
    assert not (tmp_path / "mine.sqlite3").exists()


# --- 10. help and empty listings ----------------------------------------------------


def _parsers(parser: argparse.ArgumentParser, prefix=()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _parsers(sub, (*prefix, name))


def test_help_descriptions_are_sentences() -> None:
    for name, sub in _parsers(build_parser()):
        text = sub.description or ""
        assert text[:1].isupper() and text.endswith("."), (name, text)


def test_top_level_help_spells_enrol_as_the_client_the_command_as_it_is(capsys) -> None:
    """Prose says "enrol", as the client's "Enrol an office…" and the core's messages
    do ("only headquarters can enrol an office"); the command stays ``office enroll``
    (the command-line contract)."""
    code, out, _ = run("--help", capsys=capsys)
    assert code == 0 and "(HQ) enrol an office" in out and "enroll an office" not in out
    code, out, _ = run("office", "enroll", "--help", capsys=capsys)
    assert code == 0 and out.startswith("usage: fieldplan office enroll ")
    assert "secret enrolment token" in " ".join(out.split())


def test_export_help_says_what_each_side_names_with_for(capsys) -> None:
    """An office may give --for HQ: the help called --for "(HQ)" only."""
    code, out, _ = run("export", "--help", capsys=capsys)
    said = " ".join(out.split())
    assert code == 0 and "(HQ) the office the bundle is for" not in said
    assert ("--for OFFICE who the bundle is for: at headquarters an office's code "
            "(required); at an office only HQ, the default") in said


def test_progress_set_help_says_where_an_indicator_key_is_found(capsys) -> None:
    """--value KEY=NUM named no place to read the keys: 'actions' shows none in its
    table, only in --json."""
    code, out, _ = run("progress", "set", "--help", capsys=capsys)
    assert code == 0 and ("--value KEY=NUM an indicator's actual value (repeatable; KEY: one "
                          "of the action's indicators, as 'fieldplan actions --json' lists "
                          "them)") in " ".join(out.split())


def test_demo_help_gives_the_default_seed(capsys) -> None:
    code, out, _ = run("demo", "--help", capsys=capsys)
    assert code == 0 and "--seed S random seed (default 1)" in " ".join(out.split())


def test_an_empty_progress_list_says_so(hq_db, capsys) -> None:
    assert run("--db", hq_db, "progress", "list", capsys=capsys)[1] == "No progress reports.\n"
    assert run("--db", hq_db, "progress", "list", "--period", "2026-s1", capsys=capsys)[1] == \
        "No progress reports for 1st semester 2026.\n"
    assert run("--db", hq_db, "progress", "list", "--office", "ml", capsys=capsys)[1] == \
        "No progress reports from ML.\n"
    assert run("--db", hq_db, "progress", "list", "--office", "ML", "--period", "2026-S1",
               capsys=capsys)[1] == "No progress reports from ML for 1st semester 2026.\n"
    assert json.loads(run("--db", hq_db, "--json", "progress", "list", capsys=capsys)[1]) == []


# --- 11. value sanity ---------------------------------------------------------------


def test_huge_values_are_refused_and_whole_ones_stored_whole(ml_db, capsys) -> None:
    act = _national(ml_db, capsys)
    key = act["indicators"][0]
    code, _, err = run("--db", ml_db, "progress", "set", act["code"], "--period", "2026-S1",
                       "--status", "on-track", "--value", f"{key}=1e308", capsys=capsys)
    assert code == 1 and err.count("\n") == 1 and "is too large; the largest allowed is " \
        "1,000,000,000,000,000" in err
    code, _, err = run("--db", ml_db, "progress", "set", act["code"], "--period", "2026-S1",
                       "--status", "on-track", "--value", f"{key}=1e15", capsys=capsys)
    assert code == 0, err
    row = json.loads(run("--db", ml_db, "--json", "progress", "list", capsys=capsys)[1])[0]
    assert row["values"][key] == 10**15 and isinstance(row["values"][key], int)
    run("--db", ml_db, "progress", "set", act["code"], "--period", "2026-S1",
        "--value", f"{key}=12.0", capsys=capsys)
    row = json.loads(run("--db", ml_db, "--json", "progress", "list", capsys=capsys)[1])[0]
    assert row["values"][key] == 12 and isinstance(row["values"][key], int)


def test_a_new_report_with_progress_needs_a_status(hq_db, capsys) -> None:
    act = _global(hq_db, capsys)
    code, _, err = run("--db", hq_db, "progress", "set", act, "--period", "2026-S1",
                       "--percent", "30", capsys=capsys)
    assert code == 1 and "--status" in err
    assert json.loads(run("--db", hq_db, "--json", "progress", "list", capsys=capsys)[1]) == []
    # percent 0, or an existing report: fine
    assert run("--db", hq_db, "progress", "set", act, "--period", "2026-S1", "--percent", "0",
               capsys=capsys)[0] == 0
    assert run("--db", hq_db, "progress", "set", act, "--period", "2026-S1", "--percent", "30",
               capsys=capsys)[0] == 0
    code, out, _ = run("--db", hq_db, "progress", "set", "--help", capsys=capsys)
    assert "needs --status" in " ".join(out.split())


def test_verify_and_import_of_a_repair_bundle_say_what_it_does(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """``verify`` of HQ's repair bundle says that importing it writes this computer's
    later events again as a new replica; the import's line says to export now."""
    from fieldplan.sync import export_bundle
    from tests.scenes import hq_with_a_forked_office

    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    seq = ml.conn.execute("SELECT max(seq) FROM events WHERE origin = ?",
                          (ml.replica_id,)).fetchone()[0]
    db = str(ml.path)
    ml.close()
    back = export_bundle(hq, for_office="ML", out_dir=tmp_path).path
    code, out, _err = run("--db", db, "verify", str(back), capsys=capsys)
    assert code == 0
    assert out.splitlines()[1] == (
        f"importing it writes this computer's event {seq}, which differs from headquarters' "
        "copy, again as a new replica")
    code, out, _err = run("--db", db, "import", str(back), capsys=capsys)
    assert code == 0
    [line] = [t for t in out.splitlines() if back.name in t]
    assert f"; this computer's event {seq} differed from headquarters' copy" in line
    assert line.endswith("; export now so that headquarters gets them")


@pytest.mark.parametrize("argv", [
    ("progress", "list", "--period", "junk"),
    ("progress", "set", "PA1.1", "--period", "junk", "--status", "on-track"),
    ("period", "lock", "junk"),
    ("report", "sheet", "--period", "junk", "-o", "x.pdf"),
    ("report", "review", "--period", "junk", "-o", "x.pdf"),
    ("data", "export", "--format", "csv", "-o", "x.csv", "--period", "junk"),
    ("export", "--dir", "."),  # headquarters: for which office?
])
def test_a_command_line_that_is_wrong_is_a_usage_error(hq, tmp_path, capsys, monkeypatch,
                                                       argv) -> None:
    """DESIGN: usage errors exit 2. A text that is no period at all exited 1 (a period
    outside the plan still does: the plan refuses it), and so did headquarters'
    export without --for, while a bad --percent exited 2."""
    monkeypatch.chdir(tmp_path)
    hq.close()
    code, out, err = run("--db", str(tmp_path / "hq.sqlite3"), *argv, capsys=capsys)
    assert code == 2 and out == ""
    assert ": usage error: " in err.splitlines()[-1]
    if argv[0] == "export":
        assert err.splitlines()[-1].endswith("name it with --for, or write one bundle per "
                                             "office with --all-offices --dir DIR")
    assert not list(tmp_path.glob("x.*")) and not list(tmp_path.glob("*.fieldplan"))


def test_a_period_outside_the_plan_is_refused_by_the_plan(hq, tmp_path, capsys) -> None:
    hq.close()
    code, _out, err = run("--db", str(tmp_path / "hq.sqlite3"), "progress", "list",
                          "--period", "2031-S1", capsys=capsys)
    assert code == 1 and err.startswith("fieldplan: error: period 2031-S1 is outside")


def test_a_value_starting_with_a_dash_is_shown_how_to_pass(ml_db, capsys) -> None:
    """A narrative that starts with "-" ("-2 trainings, +3 next year") is taken for an
    option, and argparse only said "expected one argument": the error names the
    "--next-steps=TEXT" form, which passes it as it is."""
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.1", "--period", "2026-S2",
                          "--next-steps", "-2+3", capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith(
        'expected one argument (a value that starts with "-" is written --next-steps=VALUE)')
    code, out, err = run("--db", ml_db, "--json", "progress", "set", "PA1.1", "--period",
                         "2026-S2", "--next-steps=-2+3", capsys=capsys)
    assert code == 0, err
    assert '"-2+3"' in out
    # a missing value of another kind keeps argparse's own words alone
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.1", capsys=capsys)
    assert code == 2 and "VALUE" not in err


def test_a_status_and_a_percent_that_disagree_are_said(ml_db, capsys) -> None:
    """"completed" at 50 % was accepted without a word, and the review pack's means
    took the 50; "not started" with progress too. Said on stderr, still recorded."""
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.1", "--period", "2026-S2",
                          "--status", "completed", "--percent", "50", capsys=capsys)
    assert code == 0
    assert err == ("fieldplan: warning: PA1.1 — Status: Marked completed at 50%: if it is "
                   "done, set the percent to 100; the review pack's means take 50%.\n")
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.1", "--period", "2026-S2",
                          "--percent", "100", capsys=capsys)
    assert code == 0 and err == ""
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.2", "--period", "2026-S2",
                          "--status", "not-started", "--percent", "5", capsys=capsys)
    assert code == 0 and err == ("fieldplan: warning: PA1.2 — Status: Marked Not started "
                                 "with 5% complete: check which is right.\n")


def test_a_count_below_zero_is_said(ml_db, capsys) -> None:
    """--value corridors=-2 (a count: a stray minus sign) was taken without a word.
    Said on stderr, still recorded; a percent below zero (a change) is left alone."""
    code, out, err = run("--db", ml_db, "--json", "progress", "set", "PA2.3", "--period",
                         "2026-S2", "--status", "on-track", "--value", "corridors=-2",
                         "--value", "average-cost=-1.5", capsys=capsys)
    assert code == 0
    assert json.loads(out)["values"] == {"average-cost": -1.5, "corridors": -2}
    assert err == ("fieldplan: warning: PA2.3 — Remittance corridors with a cost-reduction "
                   "plan: A count below zero: is the minus sign a typo?\n")
    code, _out, err = run("--db", ml_db, "progress", "set", "PA2.3", "--period", "2026-S2",
                          "--value", "corridors=2", capsys=capsys)
    assert code == 0 and err == ""


@pytest.mark.parametrize(("lang", "typed", "read"), [
    ("en", "4.5%", 4.5), ("fr", "4,5 %", 4.5), ("ar", "٤٫٥٪", 4.5), ("en", "-1.5 %", -1.5),
    # (as a spreadsheet in Arabic writes it, an Arabic letter mark after its sign: the
    # client's field takes it)
    ("ar", "٤٫٥٪\u061c", 4.5)])
def test_a_percent_indicator_takes_its_sign(ml_db, capsys, lang, typed, read) -> None:
    """--value average-cost=4.5% (an indicator measured in percent) was refused as "not
    a number", where the client's field for it and --percent take the sign: read as
    the client reads it. On an indicator that is no percent, the sign is still
    refused (a usage error, nothing recorded), as the client refuses it."""
    code, out, err = run("--db", ml_db, "--lang", lang, "--json", "progress", "set", "PA2.3",
                         "--period", "2026-S2", "--status", "on-track",
                         "--value", f"average-cost={typed}", capsys=capsys)
    assert code == 0, err
    assert json.loads(out)["values"] == {"average-cost": read}
    code, _out, err = run("--db", ml_db, "progress", "set", "PA2.3", "--period", "2026-S2",
                          "--value", "corridors=4%", "--value", "average-cost=1",
                          capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1] == ("fieldplan progress set: usage error: argument --value: "
                                    "'4%' is not a number")
    code, out, _err = run("--db", ml_db, "--json", "progress", "list", "--period", "2026-S2",
                          capsys=capsys)
    assert [r["values"] for r in json.loads(out)] == [{"average-cost": read}]


def test_a_semester_to_come_is_warned_of(ml_db, capsys, monkeypatch) -> None:
    """On 6 Dec 2026 an office recorded and submitted 2027-S2 in silence; headquarters'
    pack then said its latest period reported was a semester a year away. Said, not
    refused: the computer's date may be wrong."""
    from datetime import UTC, datetime

    from fieldplan import events

    noon = int(datetime(2026, 12, 6, 12, tzinfo=UTC).timestamp() * 1000)
    monkeypatch.setattr(events, "wall_ms", lambda: noon)
    act = _national(ml_db, capsys)["code"]
    said = ("fieldplan: warning: 2nd semester 2027 has not started yet (it starts on 1 Jul "
            "2027, and this computer's date is 6 Dec 2026): is the period right?\n")
    code, _out, err = run("--db", ml_db, "progress", "set", act, "--period", "2027-S2",
                          "--status", "completed", "--percent", "100", capsys=capsys)
    assert code == 0 and err == said
    code, _out, err = run("--db", ml_db, "progress", "submit", "--period", "2027-S2",
                          capsys=capsys)
    assert code == 0 and err == said
    # the semester under way: nothing said
    code, _out, err = run("--db", ml_db, "progress", "set", act, "--period", "2026-S2",
                          "--status", "on-track", capsys=capsys)
    assert code == 0 and err == ""


def test_a_period_typed_with_arabic_indic_digits_is_read(ml_db, capsys) -> None:
    """Period ids take ASCII digits only now (a bundle's '٢٠٢٦-S1' slipped past a lock
    of 2026-S1); typed on the command line, they are read as a number's are."""
    act = _national(ml_db, capsys)["code"]
    code, out, err = run("--db", ml_db, "progress", "set", act, "--period",
                         "\u0662\u0660\u0662\u0666-s1", "--status", "on-track",
                         capsys=capsys)
    assert code == 0, err
    assert out == f"Recorded {act} for 1st semester 2026: On track\n"


def test_restore_names_the_offices_whose_events_it_lost(hq, make_office, tmp_path: Path,
                                                       capsys) -> None:
    """HQ put back from a backup older than ML's last bundle: the restore's message and
    status say how many of ML's events it lost, and what brings them back (ML's next
    bundle leaves them out: its receipts say HQ has them)."""
    from fieldplan import progress, store
    from tests.scenes import send

    ml = make_office("ML")
    first, second = (a.code for a in ml.plan().actions_of(level="national")[:2])
    progress.record_progress(ml, first, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)  # (HQ registers ML's key)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(ml, second, "2026-S1", status="at-risk")
    sent = send(ml, hq, tmp_path)[0].path
    send(hq, ml, tmp_path)
    db = str(hq.path)
    hq.close()
    code, out, err = run("--db", db, "restore", "--force", str(backup), capsys=capsys)
    said = ("the restore lost 1 event of ML that headquarters had received after "
            "the backup: ML's figures here lack it, and ML's next bundle leaves it out (its "
            f"receipts say headquarters has it); import {sent.name} again, or send ML a "
            "bundle and import the one it exports next")
    # on stderr, as every command's warning (it was "Warning: …" on stdout)
    assert code == 0 and err.splitlines() == [f"fieldplan: warning: {said}"]
    assert "Warning" not in out and said not in out
    assert f"Warning: {said}" in run("--db", db, "status", capsys=capsys)[1].splitlines()
    state = json.loads(run("--db", db, "--json", "status", capsys=capsys)[1])["restored"]
    [lost] = state["offices_lost"]
    assert (lost["office"], lost["events"], lost["bundles"]) == ("ML", 1, [sent.name])
    assert run("--db", db, "import", str(sent), capsys=capsys)[0] == 0
    assert "Warning" not in run("--db", db, "status", capsys=capsys)[1]
    ml.close()


def test_status_dismiss_lost_ends_the_warning_of_offices_events_a_restore_lost(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """The warning ended only when ML's events came back: ML's computer lost with them,
    it never ended. `status --dismiss-lost` ends it, as it ends HQ's own lost changes'."""
    from fieldplan import progress, store
    from tests.scenes import send

    ml = make_office("ML")
    first, second = (a.code for a in ml.plan().actions_of(level="national")[:2])
    progress.record_progress(ml, first, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    backup = store.backup(hq.conn, hq.path, "manual")
    progress.record_progress(ml, second, "2026-S1", status="at-risk")
    send(ml, hq, tmp_path)
    send(hq, ml, tmp_path)
    ml.close()
    db = str(hq.path)
    hq.close()
    run("--db", db, "restore", "--force", str(backup), capsys=capsys)
    code, out, _err = run("--db", db, "status", "--dismiss-lost", capsys=capsys)
    assert code == 0 and out.startswith(
        "Stopped warning about 1 event received from ML that the restore lost; their "
        "figures here lack it (the review pack says so) until it comes back.\n")
    assert "Warning" not in out
    state = json.loads(run("--db", db, "--json", "status", "--dismiss-lost",
                           capsys=capsys)[1])
    assert state["dismissed_offices_lost"] == 0 and state["restored"]["offices_lost"] == []
    assert [item["office"] for item in state["restored"]["offices_lost_dismissed"]] == ["ML"]
    out = run("--db", db, "status", "--dismiss-lost", capsys=capsys)[1]
    assert out.startswith("No change lost in a restore to stop warning about.")


def test_status_dismiss_lost_ends_the_warning_of_a_revoked_computers_lost_events(
        hq, tmp_path: Path, capsys) -> None:
    """The warning ended only when the revoked computer's bundle was imported again:
    a computer stolen with its bundles never gives one. `status --dismiss-lost` ends it
    too, one line a computer."""
    from tests.scenes import revoked_laptop_sent_twice

    a, b, _bundles, _shown, hq2 = revoked_laptop_sent_twice(hq, tmp_path)
    replica, key_id, db = b.replica_id, b.meta("key_id"), str(hq2.path)
    for rep in (a, b, hq2):
        rep.close()
    assert "Warning" in run("--db", db, "status", capsys=capsys)[1]
    code, out, _err = run("--db", db, "status", "--dismiss-lost", capsys=capsys)
    assert code == 0 and out.startswith(
        f"Stopped warning about 2 events of ML's computer {replica[:8]}, whose key "
        f"{key_id} was revoked, that the restore lost; its bundles, imported again, still "
        "bring them back.\n")
    assert "Warning" not in out and "No change lost" not in out
    state = json.loads(run("--db", db, "--json", "status", "--dismiss-lost",
                           capsys=capsys)[1])
    assert state["dismissed_revoked_lost"] == 0 and state["restored"]["revoked_lost"] == []
    out = run("--db", db, "status", "--dismiss-lost", capsys=capsys)[1]
    assert out.startswith("No change lost in a restore to stop warning about.")


def test_status_dismiss_lost_stops_the_warnings_a_person_names(hq, make_office,
                                                                tmp_path: Path, capsys):
    """`status --dismiss-lost` stopped all three warnings of a restore at once: HQ's
    own lost changes, an office's lost events and a revoked computer's. Each is named
    now (own, offices, revoked; all, or the bare flag, as before), the others stay."""
    from tests.scenes import hq_restored_losing_three_kinds

    path, *replicas = hq_restored_losing_three_kinds(hq, make_office, tmp_path)
    for rep in replicas:
        rep.close()
    db = str(path)
    own = "Warning: offices hold 1 event headquarters wrote after the backup"
    revoked = "Warning: the restore lost 2 events of ML's computer"
    offices = "Warning: the restore lost 1 event of SN"
    code, out, _err = run("--db", db, "status", "--dismiss-lost", "offices", capsys=capsys)
    assert code == 0 and out.startswith(
        "Stopped warning about 1 event received from SN that the restore lost;")
    assert offices not in out and own in out and revoked in out
    state = json.loads(run("--db", db, "--json", "status", "--dismiss-lost", "own",
                           "--dismiss-lost", "offices", capsys=capsys)[1])
    assert (state["dismissed_lost"], state["dismissed_offices_lost"]) == (1, 0)
    assert "dismissed_revoked_lost" not in state  # (not asked for)
    out = run("--db", db, "status", "--dismiss-lost", "own", capsys=capsys)[1]
    assert out.startswith("No change lost in a restore to stop warning about.\n")
    assert revoked in out and own not in out
    out = run("--db", db, "status", "--dismiss-lost", "all", capsys=capsys)[1]
    assert out.startswith("Stopped warning about 2 events of ML's computer")
    assert "Warning" not in out
    code, _out, err = run("--db", db, "status", "--dismiss-lost", "every", capsys=capsys)
    assert code == 2 and "'own', 'offices', 'revoked', 'all'" in err
    helped = " ".join(run("status", "--help", capsys=capsys)[1].split())
    assert ("WHICH being own: the changes it lost, made again; (headquarters) offices: "
            "the offices' events it lost") in helped
    assert "all (the default): all of these" in helped


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_progress_set_words_its_warnings_as_submit_and_the_form_do(ml_db, capsys, lang) -> None:
    """'progress set' said 'indicator people-reached: 1e-06 is not a whole number…' (the
    indicator by its key, the number as Python writes it) where 'progress submit', the
    submit dialog and the report form name the action and the field in the form's words
    (progress.report_warnings), numbers as the language writes them; --json keeps its
    keys."""
    from fieldplan import i18n, progress
    from fieldplan.cli import warn
    from fieldplan.plan import default_plan
    from fieldplan.replica import open_replica

    code, out, err = run("--db", ml_db, "--lang", lang, "--json", "progress", "set", "PA3.2",
                         "--period", "2026-S1", "--status", "completed", "--percent", "50",
                         "--value", "people-reached=0.000001", capsys=capsys)
    assert code == 0
    data = json.loads(out)
    assert {"action", "period", "changed", "status", "percent", "values", "state"} <= set(data)
    assert data["values"] == {"people-reached": 0.000001}
    assert "1e-06" not in err and "people-reached" not in err
    with open_replica(Path(ml_db)) as rep:
        report = progress.get_report(rep, "PA3.2", "2026-S1")
    i18n.set_language(lang)
    said = progress.report_warnings(report, default_plan().action("PA3.2"))
    for line in said:
        warn(line)
    assert err == capsys.readouterr().err and len(said) == 2
    if lang == "en":
        assert err.splitlines() == [
            "fieldplan: warning: PA3.2 — Status: Marked completed at 50%: if it is done, set "
            "the percent to 100; the review pack's means take 50%.",
            "fieldplan: warning: PA3.2 — People reached with emergency shelter or relief "
            "items: Not a whole number, but it is a count: is the decimal point right?"]
    if lang == "fr":
        assert "50\u00a0%" in err  # as French writes a percent


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "cannot open {path}: it is a folder; choose a file"),
    ("fr", "impossible d’ouvrir {path}\u00a0: c’est un dossier\u00a0; choisissez un fichier"),
])
def test_restore_of_a_folder_says_it_is_a_folder(hq_db, tmp_path: Path, capsys, lang,
                                                 said) -> None:
    """``restore FOLDER`` said "no file FOLDER", read as a name mistyped; it says the
    name is a folder's, and replaces nothing."""
    folder = tmp_path / "backups-stick"
    folder.mkdir()
    code, out, err = run("--db", hq_db, "--lang", lang, "restore", str(folder),
                         capsys=capsys)
    assert (code, out) == (1, "")
    assert err.replace("\u202f", "\u00a0").rstrip("\n").endswith(said.format(path=folder))
    assert run("--db", hq_db, "status", capsys=capsys)[0] == 0


@pytest.mark.parametrize("argv", [
    ("progress", "set", "PA1.1", "--period", "2026-S2", "--note"),
    ("status", "--db"),
])
def test_a_value_left_out_at_the_end_is_not_said_to_start_with_a_dash(ml_db, capsys,
                                                                      argv) -> None:
    """An option left without its value at the end of the line ("--note" and nothing
    after) was told how to write a value that starts with "-", a value it never had:
    argparse's own words alone there. A value that starts with "-" still gets the
    hint, the option abbreviated too."""
    code, _out, err = run("--db", ml_db, *argv, capsys=capsys)
    assert code == 2
    assert err.splitlines()[-1].endswith(f"argument {argv[-1]}: expected one argument")
    code, _out, err = run("--db", ml_db, "progress", "set", "PA1.1", "--period", "2026-S2",
                          "--not", "-2+3", capsys=capsys)
    assert code == 2 and err.splitlines()[-1].endswith(
        'expected one argument (a value that starts with "-" is written --note=VALUE)')


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_status_says_in_words_that_nothing_is_left_to_send(ml_db, capsys, lang) -> None:
    """French plural forms say 0 as 1: "Pas encore envoyé : 0 modification" read as a
    count of one. None left to send is said in words ("aucune modification")."""
    from fieldplan.i18n import translation

    out = run("--db", ml_db, "--lang", lang, "status", capsys=capsys)[1]
    label = translation(lang).gettext("Not yet sent")
    [line] = [line for line in out.splitlines() if line.startswith(label)]
    said = line[len(label):].lstrip(" \u00a0:").strip()
    assert said == translation(lang).gettext("no changes")
    assert not said[:1].isdigit()
