"""The command line and files that travelled by email and USB stick: a file that came
in a bundle's place says what to do with the file to get instead in the words of the
command it was given to (import, verify, init --from); a USB stick's folder given to
import brings its bundles, as when it is dropped on the client's window."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fieldplan.sync import enroll_office
from tests.cli.test_cli_messages import run
from tests.core.test_bundle_transit import _email

SAVE = ("not a fieldplan bundle (an email message saved as a file); open it in the mail "
        "program and save its attachment ML-setup.fieldplan, then ")


def test_an_email_given_to_each_command_says_that_command(hq, tmp_path: Path,
                                                           capsys) -> None:
    """``init --from mail.eml`` ended "then import that file": init imports nothing."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    office = str(tmp_path / "ml.sqlite3")

    code, _out, err = run("--db", office, "init", "--from", str(mail), capsys=capsys)
    assert code == 1
    assert err == f"fieldplan: error: {mail}: {SAVE}run init --from with that file\n"
    assert not Path(office).exists()

    code, out, _err = run("--json", "verify", str(mail), capsys=capsys)
    assert (code, json.loads(out)["reason"]) == (1, SAVE + "verify that file")

    code, out, _err = run("--db", str(hq.path), "import", str(mail), capsys=capsys)
    assert code == 1 and out.endswith(SAVE + "import that file\n")


def test_setting_up_again_from_an_email_says_init_too(hq, tmp_path: Path, capsys) -> None:
    """``init --replace-revoked --from mail.eml`` (the set-up-again path): the same."""
    from tests.cli.test_cli_revoked import lap_db, revoke

    db, _action = lap_db(hq, tmp_path, capsys)
    run("--db", db, "import", str(revoke(hq, db, tmp_path, capsys)), capsys=capsys)
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    mail = tmp_path / "mail.eml"
    mail.write_bytes(_email(setup.read_bytes(), setup.name))
    code, _out, err = run("--db", db, "init", "--replace-revoked",
                          "--from", str(mail), capsys=capsys)
    assert code == 1 and err.endswith("then run init --from with that file\n"), err


def test_import_of_a_folder_takes_its_bundles_as_the_client_does(hq, make_office,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    """``import /media/usb`` was refused, "name the bundles in it: /media/usb/*.fieldplan",
    where the client takes a dropped folder: the same files now, in the same order (its
    .fieldplan and .zip files, not hidden ones nor a subfolder's), the others counted
    on stderr; files and patterns named beside it as before."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle
    from fieldplan.transit import folder_bundles

    usb = tmp_path / "usb"
    (usb / "old").mkdir(parents=True)
    for code in ("SN", "ML"):
        office = make_office(code)
        progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        export_bundle(office, out_dir=usb)
    sn = next(usb.glob("SN*.fieldplan"))
    sn.rename(usb / "SN.zip")  # as a mail program saved it
    for name in ("photo.jpg", "._ML.fieldplan", ".DS_Store", "old/NE.fieldplan"):
        (usb / name).write_bytes(b"x")
    db = str(hq.path)
    hq.close()
    taken, others = folder_bundles(str(usb))
    assert [Path(f).name[:2] for f in taken] == ["ML", "SN"] and others == 1

    code, out, err = run("--db", db, "--json", "import", str(usb), capsys=capsys)
    assert code == 0, out
    assert [(o["file"][:2], o["outcome"]) for o in json.loads(out)] == [
        ("ML", "merged"), ("SN", "merged")]
    assert err == (f"fieldplan: warning: 1 other file in {usb} was left aside: from a folder, "
                   "only .fieldplan and .zip files are imported (name a file itself to import "
                   "it)\n")
    # again, beside a file named: in the order given, the folder's in name order
    code, out, _err = run("--db", db, "import", str(usb / "photo.jpg"), str(usb),
                          capsys=capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "photo.jpg: rejected: not a fieldplan bundle (not a ZIP archive)"
    assert [line[:2] for line in lines[1:]] == ["ML", "SN"]
    assert all(": duplicate" in line for line in lines[1:]), lines
    # a folder of no bundle: one line (refused, as a folder was); its files are named
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "IMG_0001.jpg").write_bytes(b"x")
    code, out, _err = run("--db", db, "import", str(tmp_path / "photos"), capsys=capsys)
    assert (code, out) == (1, "photos: rejected: no bundle in this folder: from a folder, only "
                              ".fieldplan and .zip files are imported, and it holds 1 other "
                              "file (name a file itself to import it)\n")


def test_a_systems_files_in_a_folder_are_left_out_without_a_word(hq, make_office,
                                                                  tmp_path: Path,
                                                                  capsys) -> None:
    """A USB stick used on Windows holds desktop.ini, Thumbs.db, ehthumbs.db (not hidden
    by their names), "$RECYCLE.BIN" and "System Volume Information": its import warned
    of "3 other files left aside" the person never put there; a folder holding only
    those was "holds 2 other files". Left out as hidden files are."""
    from fieldplan.transit import folder_bundles

    usb = tmp_path / "usb"
    for folder in ("$RECYCLE.BIN", "System Volume Information"):
        (usb / folder).mkdir(parents=True)
    ml_bundle_in(make_office, usb)
    for name in ("desktop.ini", "Thumbs.db", "ehthumbs.db", "ehthumbs_vista.db", "Icon\r",
                 "$RECYCLE.BIN/desktop.ini", "System Volume Information/IndexerVolumeGuid",
                 "photo.jpg"):
        (usb / name).write_bytes(b"x")
    taken, others = folder_bundles(str(usb))
    assert [Path(f).name[:2] for f in taken] == ["ML"] and others == 1
    db = str(hq.path)
    hq.close()
    code, _out, err = run("--db", db, "import", str(usb), capsys=capsys)
    assert code == 0 and err.startswith(f"fieldplan: warning: 1 other file in {usb} was "
                                        "left aside")
    # only a system's files, no bundle: as good as empty to the person who looks in it
    for name in (*(f.name for f in usb.glob("*.fieldplan")), "photo.jpg"):
        (usb / name).unlink()
    code, out, _err = run("--db", db, "import", str(usb), capsys=capsys)
    assert (code, out) == (1, "usb: rejected: no bundle in this folder: it is empty\n")


def test_the_files_sqlite_keeps_beside_a_database_in_the_folder_are_not_counted(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """Headquarters' database kept in the folder of bundles it imports (a stick's
    "fieldplan" folder): the -wal and -shm files SQLite keeps beside it while it is
    open (and a -journal) were counted among the "other files left aside", files the
    person never put there. A person's file of such a name, beside no database, still
    is counted."""
    import shutil
    import sqlite3

    from fieldplan.replica import open_replica
    from fieldplan.transit import folder_bundles

    usb = tmp_path / "usb"
    usb.mkdir()
    ml_bundle_in(make_office, usb)
    hq.close()
    for path in (hq.path, Path(f"{hq.path}.key")):
        shutil.move(path, usb / path.name)
    db = usb / "hq.sqlite3"
    (usb / "notes").write_text("to do", encoding="utf-8")
    (usb / "notes-journal").write_text("x", encoding="utf-8")
    sqlite3.connect(usb / "other.sqlite3").execute("create table t(x)").connection.close()
    (usb / "other.sqlite3-journal").write_bytes(b"x")
    with open_replica(db) as rep:  # open, as in the client: its -wal and -shm there
        rep.conn.execute("select 1")
        assert {"hq.sqlite3-wal", "hq.sqlite3-shm"} <= {p.name for p in usb.iterdir()}
        # the two databases, the key, and the person's two notes
        assert folder_bundles(str(usb))[1] == 5
        code, _out, err = run("--db", str(db), "import", str(usb), capsys=capsys)
    assert code == 0
    assert err.startswith(f"fieldplan: warning: 5 other files in {usb} were left aside")


def test_a_folder_named_with_a_line_break_is_named_whole_in_the_warning(
        hq, make_office, tmp_path: Path, capsys) -> None:
    """The warning of files left aside in a folder named "stick<line break>from ML" ended
    at the line break ("1 other file in …/stick"): a warning kept only its first line.
    It is one whole line, its control characters shown escaped, as an error's is."""

    usb = tmp_path / "stick\nfrom\x07ML"
    usb.mkdir()
    ml_bundle_in(make_office, usb)
    (usb / "photo.jpg").write_bytes(b"x")
    db = str(hq.path)
    hq.close()
    code, _out, err = run("--db", db, "import", str(usb), capsys=capsys)
    shown = str(usb).replace("\n", " ").replace("\x07", "\\x07")  # as an error shows it
    assert code == 0 and err == (
        f"fieldplan: warning: 1 other file in {shown} was left aside: from a folder, only "
        ".fieldplan and .zip files are imported (name a file itself to import it)\n")


def test_a_link_in_a_loop_in_a_folder_is_one_refused_file(hq, make_office,
                                                          tmp_path: Path, capsys) -> None:
    """A link leading round in a loop among a folder's files made ``import FOLDER``
    refuse the whole folder ("Too many levels of symbolic links", no file named), and
    the client's drop of the folder bring nothing: its bundles are imported, the link
    is one refused file."""
    from fieldplan.transit import folder_bundles

    usb = tmp_path / "usb"
    usb.mkdir()
    ml_bundle_in(make_office, usb)
    try:
        os.symlink(usb / "b.zip", usb / "a.zip")
        os.symlink(usb / "a.zip", usb / "b.zip")
        os.symlink(usb / "b.zip", usb / "c.jpg")
    except OSError:
        pytest.skip("no symbolic links here")
    taken, others = folder_bundles(str(usb))
    assert [Path(f).name[:2] for f in taken] == ["ML", "a.", "b."] and others == 1
    db = str(hq.path)
    hq.close()
    code, out, _err = run("--db", db, "--json", "import", str(usb), capsys=capsys)
    assert code == 1, out
    assert [(o["file"][:2], o["outcome"]) for o in json.loads(out)] == [
        ("ML", "merged"), ("a.", "rejected"), ("b.", "rejected")]


def test_a_folders_own_file_given_to_each_command_says_that_command(hq, tmp_path: Path,
                                                                    capsys) -> None:
    """macOS's .DS_Store or Windows' Thumbs.db given to ``init --from`` or ``verify`` (or
    the client's set-up) ended ": nothing to import": said for what it was given to."""
    from fieldplan.errors import BundleError
    from fieldplan.sync.enrol import open_setup_bundle

    files = {".DS_Store": b"\x00\x00\x00\x01Bud1" + bytes(100),
             "Thumbs.db": bytes.fromhex("D0CF11E0A1B11AE1") + bytes(500)}
    whats = {".DS_Store": "not a fieldplan bundle (a file of macOS's own that keeps a "
                          "folder's display settings)",
             "Thumbs.db": "not a fieldplan bundle (a file of Windows' own that keeps a "
                          "folder's thumbnails)"}
    for name, data in files.items():
        path = tmp_path / name
        path.write_bytes(data)
        what = whats[name]
        office = str(tmp_path / "ml.sqlite3")
        code, _out, err = run("--db", office, "init", "--from", str(path), capsys=capsys)
        assert (code, err) == (1, f"fieldplan: error: {path}: {what}: nothing to set this "
                                  "computer up from\n")
        assert not Path(office).exists()
        code, out, _err = run("--json", "verify", str(path), capsys=capsys)
        assert (code, json.loads(out)["reason"]) == (1, f"{what}: nothing to verify")
        code, out, _err = run("--db", str(hq.path), "import", str(path), capsys=capsys)
        assert (code, out) == (1, f"{name}: rejected: {what}: nothing to import\n")
        with pytest.raises(BundleError) as e:  # the client's first screen
            open_setup_bundle(path)
        assert str(e.value) == f"{what}: nothing to set this computer up from"


def ml_bundle_in(make_office, folder: Path) -> Path:
    """ML's bundle of one report, exported into ``folder`` (a USB stick)."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle

    office = make_office("ML")
    progress.record_progress(office, office.plan().actions_of(level="national")[0].code,
                             "2026-S1", status="on-track")
    return export_bundle(office, out_dir=folder).path
