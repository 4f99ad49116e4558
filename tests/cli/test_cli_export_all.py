"""``fieldplan export --all-offices --dir DIR``: headquarters writes a bundle for every
office in one go; stdout holds the paths, stderr what failed and the count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.errors import FileError
from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office, export

ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str, capsys) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hq_db(tmp_path: Path) -> str:
    """Headquarters with ML, SN and RO-Dakar enrolled."""
    path = tmp_path / "hq.sqlite3"
    with init_hq(path) as hq:
        for code in ("ML", "SN", "RO-Dakar"):
            enroll_office(hq, code, tmp_path / f"{code}-setup.fieldplan")
    (tmp_path / "out").mkdir()
    return str(path)


def test_each_path_on_stdout_and_the_count_on_stderr(hq_db, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, err = run("--db", hq_db, "export", "--all-offices", "--dir", str(out),
                            capsys=capsys)
    paths = stdout.splitlines()
    assert code == 0 and len(paths) == 3
    assert [Path(p).name.split("-")[2] for p in paths] == ["ML", "RO", "SN"]
    assert sorted(Path(p).name for p in paths) == sorted(p.name for p in out.iterdir())
    assert err == f"3 bundles written in {out}\n"


def test_json_lists_bundles_and_failures(hq_db, tmp_path, capsys) -> None:
    out = tmp_path / "out"
    code, stdout, err = run("--db", hq_db, "--json", "export", "--all-offices", "--full",
                            "--dir", str(out), capsys=capsys)
    data = json.loads(stdout)
    assert code == 0 and err == ""
    assert [b["office"] for b in data["bundles"]] == ["ML", "RO-Dakar", "SN"]
    assert all(Path(b["path"]).is_file() and b["events"] > 0 for b in data["bundles"])
    assert data["failures"] == []


@pytest.fixture
def ro_dakar_fails(monkeypatch):
    """RO-Dakar's bundle cannot be written (the disk filled); the others can."""
    real = export.export_bundle

    def export_bundle(rep, *, for_office=None, **kwargs):
        if for_office == "RO-Dakar":
            raise FileError(f"cannot write {kwargs['out_dir']}/HQ-to-RO-Dakar.fieldplan: "
                            "the disk is full")
        return real(rep, for_office=for_office, **kwargs)

    monkeypatch.setattr(export, "export_bundle", export_bundle)


def test_an_office_that_fails_is_named_and_the_exit_status_is_1(hq_db, tmp_path, capsys,
                                                                ro_dakar_fails) -> None:
    out = tmp_path / "out"
    code, stdout, err = run("--db", hq_db, "export", "--all-offices", "--dir", str(out),
                            capsys=capsys)
    assert code == 1
    assert [Path(p).name.split("-")[2] for p in stdout.splitlines()] == ["ML", "SN"]
    assert err.splitlines() == [
        f"fieldplan: error: no bundle for RO-Dakar: cannot write {out}/HQ-to-RO-Dakar."
        "fieldplan: the disk is full",
        f"2 of 3 bundles written in {out}; 1 office has none (said above)"]
    code, stdout, _err = run("--db", hq_db, "--json", "export", "--all-offices", "--dir",
                             str(out), capsys=capsys)
    data = json.loads(stdout)
    assert code == 1 and [b["office"] for b in data["bundles"]] == ["ML", "SN"]
    assert data["failures"] == [{"office": "RO-Dakar", "cancelled": False,
                                 "reason": f"cannot write {out}/HQ-to-RO-Dakar.fieldplan: "
                                 "the disk is full"}]


@pytest.mark.parametrize("extra", [["--for", "ML", "--dir", "out"], ["-o", "x.fieldplan"],
                                   []], ids=["--for", "-o", "no --dir"])
def test_usage_errors_exit_2_and_write_nothing(hq_db, tmp_path, capsys, monkeypatch,
                                               extra) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    with pytest.raises(SystemExit) as exit_:
        main(["--db", hq_db, "export", "--all-offices", *extra])
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == ""
    last = err.splitlines()[-1]
    assert last.startswith("fieldplan export: usage error: --all-offices")
    assert sorted(tmp_path.rglob("*")) == before


def _office_db(tmp_path: Path) -> str:
    from fieldplan.sync import init_from_setup

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "ML", tmp_path / "ML-setup.fieldplan")
    init_from_setup(tmp_path / "ml.sqlite3", tmp_path / "ML-setup.fieldplan").close()
    return str(tmp_path / "ml.sqlite3")


def _usage_error(capsys, *argv: str) -> str:
    """The last line of a usage error (exit 2, nothing on stdout) of ``argv``."""
    with pytest.raises(SystemExit) as exit_:
        main(list(argv))
    out, err = capsys.readouterr()
    assert exit_.value.code == 2 and out == "", err
    return err.splitlines()[-1]


def test_an_office_is_refused_as_a_usage_error(tmp_path, capsys) -> None:
    # the command line is wrong for the database, as headquarters' export with no
    # --for is: exit 2, as the contract has option misuse, not 1 as a failure
    db = _office_db(tmp_path)
    before = sorted(tmp_path.rglob("*"))
    last = _usage_error(capsys, "--db", db, "export", "--all-offices", "--dir", str(tmp_path))
    assert last == ("fieldplan export: usage error: only headquarters writes bundles for "
                    "every office; an office exports for headquarters")
    assert sorted(tmp_path.rglob("*")) == before


def test_for_the_wrong_side_is_a_usage_error(hq_db, tmp_path, capsys) -> None:
    # headquarters' --for naming itself, an office's naming another office: the
    # command line is wrong, as headquarters' export with no --for is (exit 2)
    last = _usage_error(capsys, "--db", hq_db, "export", "--for", "hq", "--dir", str(tmp_path))
    assert last == ("fieldplan export: usage error: headquarters exports for an office, "
                    "not for itself")
    office = tmp_path / "office"
    office.mkdir()
    db = _office_db(office)
    last = _usage_error(capsys, "--db", db, "export", "--for", "SN", "--dir", str(office))
    assert last == ("fieldplan export: usage error: an office exports for headquarters "
                    "only (--for HQ)")
    # the right side still writes
    code, out, err = run("--db", db, "export", "--for", " hq ", "--dir", str(office),
                         capsys=capsys)
    assert code == 0 and out.strip().endswith(".fieldplan"), err


def test_a_missing_folder_is_one_line(hq_db, tmp_path, capsys) -> None:
    code, out, err = run("--db", hq_db, "export", "--all-offices", "--dir",
                         str(tmp_path / "none"), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == (f"fieldplan: error: cannot write bundles: the folder {tmp_path / 'none'} "
                   "does not exist\n")


def test_the_readme_tells_of_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`export --all-offices --dir DIR [--full]`" in readme


def test_one_bundle_into_a_missing_folder_names_the_folder(hq_db, tmp_path, capsys) -> None:
    """``export --for ML --dir DIR`` with no DIR said "could not write
    DIR/HQ-to-ML-….fieldplan: its folder does not exist", naming a file the person
    never gave: the folder given is named, as for --all-offices; nothing is written."""
    code, out, err = run("--db", hq_db, "export", "--for", "ML", "--dir",
                         str(tmp_path / "none"), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == (f"fieldplan: error: cannot write the bundle: the folder "
                   f"{tmp_path / 'none'} does not exist\n")
    assert not (tmp_path / "none").exists()


def test_standard_output_on_a_full_disk_stops_no_office_bundle(hq_db, tmp_path, capsys,
                                                              monkeypatch) -> None:
    """``export --all-offices --dir D > log.txt`` on a full disk: the first path that
    could not be written ended the export there, the other offices left without a
    bundle while the one line said only that the output could not be written. Every
    bundle is written; the output's failure is said after them, exit 1."""
    import errno
    import io
    import sys

    from tests import reasons

    class FullDisk(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "out"
    monkeypatch.setattr(sys, "stdout", FullDisk())
    code = main(["--db", hq_db, "export", "--all-offices", "--dir", str(out)])
    monkeypatch.undo()
    assert code == 1
    assert sorted(p.name.split("-")[2] for p in out.iterdir()) == ["ML", "RO", "SN"]
    assert capsys.readouterr().err == (
        f"3 bundles written in {out}\n"
        f"fieldplan: error: cannot write the command's output: {reasons.DISK_FULL}\n")


def test_bundles_saved_again_in_their_place_are_said(hq_db, tmp_path, capsys) -> None:
    """Run again with nothing new, each bundle takes the place of the one saved before
    under its name. One ``export`` says so; ``--all-offices`` said "3 bundles written"
    as of new files, and a person looked for the second ones (or sent the same bundles
    twice, taking them for new)."""
    out = tmp_path / "out"
    code, first, err = run("--db", hq_db, "export", "--all-offices", "--dir", str(out),
                           capsys=capsys)
    assert code == 0 and err == f"3 bundles written in {out}\n"
    code, again, err = run("--db", hq_db, "export", "--all-offices", "--dir", str(out),
                           capsys=capsys)
    assert code == 0 and again == first
    assert len(list(out.iterdir())) == 3
    assert err == (f"3 bundles written in {out}; 3 of them hold nothing new since the "
                   "bundles saved before under their names: saved again in their place, "
                   "not as second files\n")
