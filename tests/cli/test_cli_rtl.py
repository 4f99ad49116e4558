"""The Arabic command line as a terminal that applies the bidi algorithm shows it
(GNOME Terminal, Konsole, mintty): codes, numbers, paths and options inside an
Arabic sentence keep their order, tables line up by what the terminal draws, and
JSON and English output carry no mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from bidi.algorithm import get_display

from fieldplan.cli import main, print_table
from fieldplan.text import display_width, for_rtl_terminal

LRM = "\u200e"


def run(*argv: str, capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exit_:  # --help and usage errors leave through argparse
        code = exit_.code
    out, err = capsys.readouterr()
    return code, out, err


def shown(text: str) -> str:
    """What a right-to-left terminal shows of each line, left to right."""
    return "\n".join(get_display(line, base_dir="R") for line in text.split("\n"))


@pytest.fixture(autouse=True)
def terminal(monkeypatch):
    """The output goes to a terminal (capsys's streams are not one)."""
    monkeypatch.setattr("fieldplan.cli._is_terminal", lambda stream: True)


@pytest.fixture
def hq_db(tmp_path: Path) -> Path:
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    init_hq(path).close()
    return path


def test_periods_keep_their_order_in_an_arabic_error(hq_db, capsys) -> None:
    code, out, err = run("--lang", "ar", "--db", str(hq_db), "progress", "list",
                         "--period", "2030-S1", capsys=capsys)
    assert code == 1 and out == ""
    assert "2030-S1" in shown(err) and "2025-S2 … 2027-S2" in shown(err)
    assert "S1-2030" not in shown(err)


def test_a_path_keeps_its_slashes_in_an_arabic_error(hq_db, capsys) -> None:
    code, _out, err = run("--lang", "ar", "--db", str(hq_db), "report", "sheet",
                          "--period", "2026-S1", "--office", "HQ", "-o",
                          "/nonexist/dir/x.pdf", capsys=capsys)
    assert code == 1
    assert "/nonexist/dir/x.pdf" in shown(err), shown(err)


def test_arabic_help_keeps_options_and_examples_left_to_right(capsys) -> None:
    code, out, _err = run("--lang", "ar", "progress", "list", "--help", capsys=capsys)
    assert code == 0
    seen = shown(out)
    assert "--period" in seen and "period--" not in seen
    assert "fieldplan progress list [-h] [--db PATH]" in seen


def test_translators_marks_are_not_doubled() -> None:
    line = for_rtl_terminal("يتطلب \u200e--all-offices الخيار \u200e.damaged\u200e هنا")
    assert LRM * 2 not in line
    assert "--all-offices" in get_display(line, base_dir="R")


def test_a_code_before_a_date_keeps_both_in_order() -> None:
    """"Period 2025-S2 locked (06/12/2026, …)" (a change a restore lost) was shown
    "06 2026/122025-S2/": the code's run went on into the date's first number."""
    line = for_rtl_terminal("قُفلت الفترة 2025-S2 (06\u200f/12\u200f/2026، 7:50:43 ص)")
    seen = get_display(line, base_dir="R").replace(LRM, "").replace("\u200f", "")
    assert "2026/12/06) 2025-S2 " in seen or "2026/12/06( 2025-S2 " in seen


def test_json_and_other_languages_carry_no_marks(hq_db, capsys) -> None:
    code, out, _err = run("--lang", "ar", "--db", str(hq_db), "--json", "keys", "list",
                          capsys=capsys)
    assert code == 0 and LRM not in out
    for lang in ("en", "fr"):
        code, out, err = run("--lang", lang, "--db", str(hq_db), "progress", "list",
                             "--period", "2030-S1", capsys=capsys)
        assert LRM not in out + err and "2030-S1" in err


def test_arabic_output_is_marked(hq_db, capsys) -> None:
    code, out, _err = run("--lang", "ar", "--db", str(hq_db), "keys", "list", capsys=capsys)
    assert code == 0 and LRM in out


def test_display_width() -> None:
    assert display_width("مُقدَّم") == 4
    assert display_width(LRM + "PA1.1" + LRM) == 5
    assert display_width("日本") == 4
    assert display_width("plain") == 5


def test_table_columns_line_up_by_what_is_drawn(capsys) -> None:
    print_table([["مُقدَّم", "x"], ["مسودة", "y"], [LRM + "PA1" + LRM, "z"]],
                ["الحالة", "ب"])
    lines = capsys.readouterr().out.splitlines()
    # the second column starts at the same cell on every line
    starts = {display_width(line[:line.rindex(" ") + 1]) for line in lines}
    assert len(starts) == 1, lines


def test_arabic_tables_line_up(hq_db, capsys) -> None:
    code, out, _err = run("--lang", "ar", "--db", str(hq_db), "actions", capsys=capsys)
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()]
    # the third column (the lead) starts at one cell on every line
    starts = [display_width(line[:_nth_gap(line, 2)]) for line in lines[:6]]
    assert len(set(starts)) == 1, lines[:6]


def _nth_gap(line: str, n: int) -> int:
    """Where the ``n``-th column starts (after the ``n``-th run of two spaces)."""
    at = 0
    for _ in range(n):
        at = line.index("  ", at)
        while line[at] == " ":
            at += 1
    return at


def test_output_to_a_file_or_a_pipe_carries_no_marks(hq_db, capsys, monkeypatch) -> None:
    """The marks are for the eye: a script reading an Arabic command's output from a
    pipe (a path, a digest, a minisign key) gets it bare; and a line with no Arabic
    letter is never marked, even in a terminal (a digest copied from it)."""
    code, _out, err = run("--lang", "ar", "--db", str(hq_db), "progress", "list",
                          "--period", "2030-S1", capsys=capsys)
    assert code == 1 and LRM in err  # a terminal
    code, out, _err = run("--lang", "ar", "--db", str(hq_db), "keys", "show", "--minisign",
                          capsys=capsys)
    assert code == 0 and LRM not in out and out.startswith("untrusted comment: ")
    monkeypatch.setattr("fieldplan.cli._is_terminal", lambda stream: False)
    code, _out, err = run("--lang", "ar", "--db", str(hq_db), "progress", "list",
                          "--period", "2030-S1", capsys=capsys)
    assert code == 1 and LRM not in err and "2030-S1" in err


def test_a_run_ends_before_a_bracket_it_did_not_open() -> None:
    """The plan's change lines in Arabic read "إجراء مضاف (1): PA4.7": the run from "1"
    to "PA4.7" took in the ")" of "(1)", and the line showed "(1): PA4.7 (" turned
    around. The count keeps its brackets in the sentence, the code is a run of its own."""
    from fieldplan.text import ltr_runs_marked

    assert ltr_runs_marked("إجراء مضاف (1): PA4.7", "<", ">") == "إجراء مضاف (<1>): <PA4.7>"
    assert ltr_runs_marked("إجراءان (2): PA3.6، PA4.6", "<", ">") == \
        "إجراءان (<2>): <PA3.6>، <PA4.6>"
    # a bracket the run opens is still closed inside it
    assert ltr_runs_marked("ملف /tmp/a(b).pdf هنا", "<", ">") == "ملف </tmp/a(b).pdf> هنا"


def test_an_arabic_date_keeps_its_own_marks() -> None:
    """A date as Arabic writes it carries right-to-left marks that order its parts: an
    isolate around each part showed "06/03/2027" as "2027/0306/" (a quarantined key's
    enrolment date, in the import's result and the Quarantine page)."""
    from fieldplan.i18n import format_date
    from fieldplan.text import ltr_runs_marked

    date = format_date("2027-03-06", "ar")
    assert "\u200f" in date
    text = f"انتهى في {date}: تحقق من ML-1"
    assert ltr_runs_marked(text, "<", ">") == f"انتهى في {date}: تحقق من <ML-1>"


def test_a_count_after_a_file_name_goes_with_the_words(hq, make_office, tmp_path,
                                                       monkeypatch, capsys) -> None:
    """An office restored after it sent a bundle: Arabic puts the count after the
    file's name ("وصُدِّرت في ML-….fieldplan (3) لم يؤكدها"), and the name's marked run
    took it in, "(3)" drawn with the name; it goes with the sentence's words. (One
    change or two are said in words, with no figure: three changes here.)"""
    from tests.scenes import office_restored_after_a_lost_bundle, ticking_clock

    ticking_clock(monkeypatch)
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                     unsent=True, lost_changes=3)
    code, out, _err = run("--lang", "ar", "--db", str(path), "status", capsys=capsys)
    assert code == 0
    line = next(line for line in out.splitlines() if f"{lost.name} (3)" in
                line.replace(LRM, "").replace("\u200f", ""))
    seen = get_display(line, base_dir="R").replace(LRM, "").replace("\u200f", "")
    # drawn left to right: "…لم (3) ML-….fieldplan في…", the count on the words' side
    assert f"(3) {lost.name} " in seen and f"{lost.name} (3)" not in seen


def test_a_path_with_an_arabic_folder_is_marked_whole_in_an_arabic_line(tmp_path,
                                                                        capsys) -> None:
    """"Created headquarters replica … in PATH", of a database in a folder with an
    Arabic name: the terminal gets the path between marks, no isolate (terminals
    without Unicode 6.3 tables draw those as boxes), and shows it in its order."""
    folder = tmp_path / "تقارير"
    folder.mkdir()
    db = folder / "hq.sqlite3"
    code, out, _err = run("--lang", "ar", "--db", str(db), "init", "--hq", capsys=capsys)
    assert code == 0
    (line,) = [line for line in out.splitlines() if "hq.sqlite3" in line]
    assert not any("\u2066" <= ch <= "\u2069" for ch in line)
    assert LRM in line
    seen = shown(line).replace(LRM, "")
    # (python-bidi lays an Arabic name out as the terminal does, its letters reversed;
    # marks alone showed "/hq.sqlite3تقارير//tmp/…", the name cutting the path)
    assert f"{tmp_path}/{'تقارير'[::-1]}/hq.sqlite3" in seen, seen
