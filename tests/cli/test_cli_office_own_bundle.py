"""An office's stick, imported whole on the command line ('fieldplan import usb/*' or
the folder): the bundle the office exported for headquarters beside headquarters'
bundle for it. Its own is a duplicate that says where it goes, and the import ends
in success (it said "rejected" and ended in exit 1 on a stick of good files)."""

from __future__ import annotations

import json
from pathlib import Path

from test_cli_messages import run

from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

#: headquarters' bundle on the stick acknowledges the office's own (imported first, in
#: name order): it has it, nothing to send (before: "send it to headquarters")
SAID = ("this computer wrote this bundle for headquarters, which has received it: "
        "nothing new here, nothing to send")
#: headquarters' receipt not imported yet (``verify`` only)
SEND_IT = ("this computer wrote this bundle for headquarters: nothing new here; send it to "
           "headquarters")


def office_stick(hq, tmp_path: Path, capsys) -> tuple[str, Path, Path]:
    """An ML computer's database; its stick holding its bundle for headquarters
    (merged there) and headquarters' bundle for ML; the office's own bundle."""
    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    db = tmp_path / "ml.sqlite3"
    with init_from_setup(db, setup) as ml:
        action = ml.plan().actions_of(level="national")[0].code
    assert run("--db", str(db), "progress", "set", action, "--period", "2026-S1",
               "--status", "on-track", capsys=capsys)[0] == 0
    stick = tmp_path / "usb"
    stick.mkdir()
    code, out, _ = run("--db", str(db), "export", "--dir", str(stick), capsys=capsys)
    assert code == 0
    own = Path(out.strip())
    assert import_bundle(hq, own).outcome == "merged"
    export_bundle(hq, for_office="ML", out_dir=stick)
    return str(db), stick, own


def test_an_offices_stick_of_good_files_imports_with_success(hq, tmp_path: Path,
                                                              capsys) -> None:
    db, stick, own = office_stick(hq, tmp_path, capsys)
    code, out, err = run("--db", db, "import", *sorted(map(str, stick.iterdir())),
                         capsys=capsys)
    assert code == 0, (out, err)
    assert "rejected" not in out + err and "merged" in out
    [line] = [line for line in out.splitlines() if line.startswith(own.name)]
    assert line.startswith(f"{own.name}: duplicate (nothing new: ")
    assert line.endswith("; " + SAID)
    # the folder dropped whole, again: both already here, and success
    code, out, _ = run("--db", db, "--json", "import", str(stick), capsys=capsys)
    assert code == 0
    said = {Path(o["file"]).name: (o["outcome"], o["reason"]) for o in json.loads(out)}
    assert said[own.name] == ("duplicate", SAID)
    assert {outcome for outcome, _reason in said.values()} == {"duplicate"}


def test_a_sibling_laptops_bundle_on_the_stick_still_fails_the_import(
        hq, tmp_path: Path, capsys) -> None:
    """Another computer of ML's bundle for headquarters: refused, exit 1, as before."""
    db, stick, _own = office_stick(hq, tmp_path, capsys)
    with init_from_setup(tmp_path / "ml-b.sqlite3", tmp_path / "ML-setup.fieldplan") as b:
        from fieldplan import progress

        progress.record_progress(b, b.plan().actions_of(level="national")[1].code,
                                 "2026-S1", status="at-risk")
        export_bundle(b, out_dir=stick)
    code, out, _ = run("--db", db, "import", str(stick), capsys=capsys)
    assert code == 1
    assert out.count("rejected") == 1 and "another computer of ML" in out
    assert out.count(SAID) == 1


def test_verify_of_its_own_bundle_says_valid_with_no_reason(hq, tmp_path: Path,
                                                            capsys) -> None:
    """``verify --json`` of the bundle the office wrote, met again on its stick: valid,
    and ``reason`` empty, as for any valid bundle (a script takes a reason for a fault:
    it flagged a good file); what import will say of it is ``note``, with
    ``written_here``. The human lines still say it."""
    db, _stick, own = office_stick(hq, tmp_path, capsys)
    code, out, _ = run("--db", db, "--json", "verify", str(own), capsys=capsys)
    checked = json.loads(out)
    assert code == 0
    assert (checked["valid"], checked["reason"]) == (True, "")
    assert (checked["note"], checked["written_here"]) == (SEND_IT, True)
    code, out, _ = run("--db", db, "verify", str(own), capsys=capsys)
    assert code == 0 and out.splitlines()[1:] == [SEND_IT]
    # another office's bundle: nothing to note
    code, out, _ = run("--db", str(hq.path), "--json", "verify", str(own), capsys=capsys)
    checked = json.loads(out)
    assert (checked["valid"], checked["reason"], checked["note"],
            checked["written_here"]) == (True, "", "", False)
