"""`fieldplan report sheet` and `report review`."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date

import pytest

from fieldplan.cli import main
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


@pytest.fixture
def db(hq):
    write_progress(hq, "EG", "2026-S1", lang="ar")
    write_progress(hq, "ML", "2026-S1")
    hq.conn.commit()
    return str(hq.path)


def test_sheet_prints_path_and_writes_pdf(db, tmp_path, capsys) -> None:
    out = tmp_path / "ml.pdf"
    assert (
        main(
            [
                "--db",
                db,
                "report",
                "sheet",
                "--period",
                "2026-S1",
                "--office",
                "ml",
                "-o",
                str(out),
                "--paper",
                "letter",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.strip() == str(out)
    assert out.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "612 x 792" in info


def test_review_json_and_language(db, tmp_path, capsys) -> None:
    out = tmp_path / "pack.pdf"
    assert (
        main(
            [
                "--db",
                db,
                "--lang",
                "ar",
                "--json",
                "report",
                "review",
                "--period",
                "2026-S1",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    # (the deadline the pack used: the period's default here, none named)
    assert json.loads(capsys.readouterr().out) == {"path": str(out), "hidden": 0,
                                                  "deadline": "2026-07-30"}
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    import unicodedata

    assert "مصر" in unicodedata.normalize("NFKC", text)


def test_errors(db, tmp_path, capsys) -> None:
    out = tmp_path / "x.pdf"
    assert (
        main(
            ["--db", db, "report", "sheet", "--period", "2030-S1", "--office", "ML", "-o", str(out)]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert err.startswith("fieldplan: error:") and "outside the plan" in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(SystemExit) as exc:
        main(
            ["--db", db, "report", "review", "--period", "2026-S1", "-o", str(out), "--paper", "A3"]
        )
    assert exc.value.code == 2
    assert not out.exists()


def test_review_deadline(db, tmp_path, capsys) -> None:
    """--deadline: the day reports were due (late data is what came after it); not a
    date is a usage error, a day before the period ends is refused; no file either way."""
    out = tmp_path / "pack.pdf"
    argv = ["--db", db, "report", "review", "--period", "2026-S1", "-o", str(out)]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--deadline", "31/07/2026"])
    assert exc.value.code == 2
    assert "'31/07/2026' is not a date: write it as YYYY-MM-DD" in capsys.readouterr().err
    assert main([*argv, "--deadline", "2026-06-29"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == ("fieldplan: error: the deadline 29 Jun 2026 is before the end of "
                           "1st semester 2026 (30 Jun 2026)")
    assert not out.exists()
    assert main([*argv, "--deadline", "2026-06-30"]) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "no data arrived after the deadline (30 Jun 2026, which ended at " in " ".join(
        text.split())


def _pdf_words(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True).stdout.split())


def test_review_deadline_is_the_databases(db, tmp_path, capsys) -> None:
    """The deadline named for a period is the headquarters database's: ``report
    review --deadline`` keeps it, as the client's dialog does, and a later ``report
    review`` without one prints with it (it printed with the default, 30 days after
    the period: another pack from the same database, listing other offices as late
    than the one printed and than the client's "Sent late"). A pack refused keeps
    nothing; another day named replaces it."""
    from fieldplan.replica import open_replica
    from fieldplan.reports.deadlines import named_deadlines

    out = tmp_path / "pack.pdf"
    argv = ["--db", db, "--json", "report", "review", "--period", "2026-S1", "-o", str(out)]
    assert main([*argv, "--deadline", "2026-08-20"]) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2026-08-20"
    assert main(argv) == 0  # no --deadline: the one kept
    assert json.loads(capsys.readouterr().out)["deadline"] == "2026-08-20"
    assert "after the deadline (20 Aug 2026, which" in _pdf_words(out)
    with open_replica(db) as rep:
        assert named_deadlines(rep) == {"2026-S1": date(2026, 8, 20)}
    out.unlink()
    assert main([*argv, "--deadline", "2026-06-01"]) == 1  # before the period's end
    capsys.readouterr()
    assert not out.exists()
    with open_replica(db) as rep:
        assert named_deadlines(rep) == {"2026-S1": date(2026, 8, 20)}
    assert main([*argv, "--deadline", "2026-09-15"]) == 0
    capsys.readouterr()
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2026-09-15"
    assert "after the deadline (15 Sept 2026, which" in _pdf_words(out)
    # other periods keep their default
    assert main([*argv[:-4], "--period", "2026-S2", "-o", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2027-01-30"


def test_help_texts(capsys) -> None:
    for argv in (
        ["report", "--help"],
        ["report", "sheet", "--help"],
        ["report", "review", "--help"],
    ):
        with pytest.raises(SystemExit):
            main(argv)
        out = capsys.readouterr().out
        assert "--period" in out or "sheet" in out


def test_office_computer_refuses_another_offices_sheet(make_office, tmp_path, capsys) -> None:
    """An office replica holds only its own office's data: another office's sheet
    would print empty. Refused like the other things only headquarters does (exit 1,
    one line saying why: the command line itself is right); HQ prints any."""
    ml = make_office("ML")
    ml.conn.commit()
    out = tmp_path / "sn.pdf"
    argv = ["--db", str(ml.path), "report", "sheet", "--period", "2026-S1", "-o", str(out)]
    assert main([*argv, "--office", "SN"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists()
    [message] = captured.err.splitlines()
    assert message.startswith("fieldplan: error: ") and "only its own office's data" in message
    assert "(ML)" in message and "SN" in message
    # its own office, by any spelling, is printed
    assert main([*argv, "--office", "ml"]) == 0
    assert out.read_bytes().startswith(b"%PDF")


def test_headquarters_refuses_the_sheet_of_an_office_it_does_not_know(db, tmp_path,
                                                                       capsys) -> None:
    """At headquarters, 'report sheet --office RO-Nairobi' for an office never enrolled
    and with no data here printed an empty sheet without a word; 'export --for' refuses
    it (check_known_office): the sheet says the same. Its own sheet, and a known
    office's without a report this period, are printed."""
    from fieldplan.replica import open_replica
    from fieldplan.sync.export import check_known_office

    out = tmp_path / "ro.pdf"
    argv = ["--db", db, "report", "sheet", "--period", "2026-S1", "-o", str(out)]
    assert main([*argv, "--office", "RO-Nairobi"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and not out.exists()
    with open_replica(db) as rep, pytest.raises(Exception) as said:
        check_known_office(rep, "RO-Nairobi")
    assert captured.err == f"fieldplan: error: {said.value}\n"
    assert "RO-Nairobi (Regional Office, Nairobi) was never enrolled" in captured.err
    # the same words as the export's
    assert main(["--db", db, "export", "--for", "RO-Nairobi", "--dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == captured.err
    assert main([*argv, "--office", "HQ"]) == 0
    assert main([*argv, "--period", "2025-S2", "--office", "EG"]) == 0


@pytest.mark.parametrize("kind", ["review", "sheet"])
def test_a_name_the_write_refuses_is_said_before_the_report_is_made(db, tmp_path, capsys,
                                                                     monkeypatch, kind) -> None:
    """The review pack (seconds at headquarters) was made whole before its name was
    refused: a folder that is not there, a folder given as the name, a database under
    a PDF's name. Each is refused before any of its data is read, as other writers
    refuse theirs."""
    from fieldplan.reports import review, sheet

    def made(*_args, **_kw):
        raise AssertionError("the report was made")

    monkeypatch.setattr(review, "Pack", made)
    monkeypatch.setattr(sheet, "gather", made)
    database = tmp_path / "copy.pdf"
    shutil.copyfile(db, database)
    office = ["--office", "ML"] if kind == "sheet" else []
    for out, reason in ((tmp_path / "gone" / "x.pdf", "its folder does not exist"),
                        (tmp_path, "it is a folder"),
                        (database, "it is a database; choose another file")):
        argv = ["--db", db, "report", kind, "--period", "2026-S1", *office, "-o", str(out)]
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"fieldplan: error: cannot write {out}: {reason}")
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "gone").exists()
