"""Bad or hostile plan files: a clear one-line error and the database as it was. A plan
import that would hide recorded reports is refused unless allowed, and is backed up
before it writes; plan texts lose their control characters; CSV cells that a
spreadsheet would run as formulas are neutralised and read back as they were."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import sqlite3
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from fieldplan import events, i18n, progress, store
from fieldplan.cli import main
from fieldplan.errors import PlanError, StoreError
from fieldplan.plan import (
    MAX_PLAN_BYTES,
    MAX_VERSION,
    Plan,
    Text,
    default_plan,
    dump_plan,
    format_plan,
    load_plan,
    parse_plan_text,
    plan_from_dict,
    plan_to_dict,
)
from fieldplan.planops import PlanHidesReportsError, hidden_by, read_plan_file, replace_plan
from fieldplan.replica import init_hq
from fieldplan.sync import export_bundle, import_bundle
from tests import reasons

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


# --- helpers --------------------------------------------------------------------------


@pytest.fixture
def reported(hq, make_office, tmp_path: Path):
    """HQ holding Mali's reports: every national action in 2025-S2 (with a value of
    PA1.2's officials-trained), and PA1.1 in 2026-S1."""
    ml = make_office("ML")
    for action in ml.plan().actions_of(level="national"):
        values = {"officials-trained": 40} if action.code == "PA1.2" else None
        progress.record_progress(ml, action.code, "2025-S2", status="on-track", values=values)
    progress.record_progress(ml, "PA1.1", "2026-S1", status="at-risk")
    out = tmp_path / "out"
    out.mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=out).path).outcome == "merged"
    return hq


def amended(plan: Plan, **changes) -> Plan:
    return dataclasses.replace(plan, version=plan.version + 1, **changes)


def without_period(plan: Plan, period: str) -> tuple:
    """The plan's actions without per-period targets for ``period``."""
    return tuple(
        dataclasses.replace(a, indicators=tuple(
            dataclasses.replace(i, targets=tuple(t for t in i.targets if t[0] != period))
            for i in a.indicators))
        for a in plan.actions)


def snapshot(rep) -> tuple[list[str], list[str]]:
    """Everything a refused import must leave as it was: every row of the database and
    the backups folder."""
    return (list(rep.conn.iterdump()), [p.name for p in store.list_backups(rep.path)])


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cut_csv(plan: Plan, path: Path, before: str) -> Path:
    """The plan as CSV cut at a row boundary: the rows before the first one of action
    ``before`` (as ``head -N`` does)."""
    lines = format_plan(plan, "csv").splitlines(keepends=True)
    first = next(i for i, line in enumerate(lines) if f",{before}," in line)
    path.write_text("".join(lines[:first]), encoding="utf-8")
    return path


# --- 1. an import that hides reports --------------------------------------------------


def test_csv_cut_at_a_row_boundary_is_refused_and_changes_nothing(reported, tmp_path):
    path = cut_csv(amended(reported.plan()), tmp_path / "cut.csv", before="PA2.1")
    before = snapshot(reported)
    with pytest.raises(PlanHidesReportsError) as caught:
        replace_plan(reported, path)
    message = str(caught.value)
    assert "\n" not in message
    # nine national actions of PA2-PA4 had reports: eight named, then "and 1 more"
    assert "reports on 9 actions it does not have (PA2.1, PA2.2, PA2.3, PA3.1" in message
    assert "and 1 more" in message and "PA4.3" not in message
    assert caught.value.hidden.actions[-1] == "PA4.3"
    assert snapshot(reported) == before
    assert reported.plan().version == 1


def test_a_later_start_that_hides_a_semester_is_refused(reported, tmp_path):
    plan = reported.plan()
    late = amended(plan, start=date(2026, 1, 1), actions=without_period(plan, "2025-S2"))
    path = tmp_path / "late.toml"
    dump_plan(late, path)
    before = snapshot(reported)
    with pytest.raises(PlanHidesReportsError, match=r"reports for 1 period outside its dates "
                                                    r"\(2025-S2\)"):
        replace_plan(reported, path)
    assert snapshot(reported) == before


def test_a_dropped_indicator_with_values_is_refused(reported, tmp_path):
    plan = reported.plan()
    actions = tuple(
        dataclasses.replace(a, indicators=tuple(
            i for i in a.indicators if i.key != "officials-trained"))
        if a.code == "PA1.2" else a for a in plan.actions)
    path = tmp_path / "fewer.json"
    dump_plan(amended(plan, actions=actions), path)
    before = snapshot(reported)
    with pytest.raises(PlanHidesReportsError, match=r"values of 1 indicator it does not have "
                                                    r"\(PA1.2/officials-trained\)"):
        replace_plan(reported, path)
    assert snapshot(reported) == before
    # PA4.2 has an officials-trained indicator too, but no value for it was recorded
    assert hidden_by(reported, plan).values == ()


def moved(plan: Plan, code: str, level: str) -> Plan:
    """An amendment of ``plan`` that moves action ``code`` to ``level``."""
    return amended(plan, actions=tuple(
        dataclasses.replace(a, level=level) if a.code == code else a for a in plan.actions))


def test_an_action_moved_to_another_level_is_refused(reported, tmp_path):
    """PA1.1 moved from national to regional: Mali (a country office) no longer reports
    on it, so its two reports on PA1.1 would no longer be shown."""
    plan = moved(reported.plan(), "PA1.1", "regional")
    path = tmp_path / "moved.toml"
    dump_plan(plan, path)
    assert hidden_by(reported, plan).levels == ("PA1.1",)
    before = snapshot(reported)
    with pytest.raises(PlanHidesReportsError, match=r"reports on 1 action it moves to another "
                                                    r"level \(PA1.1\)") as caught:
        replace_plan(reported, path)
    assert caught.value.hidden.levels == ("PA1.1",) and not caught.value.hidden.actions
    assert snapshot(reported) == before


def test_an_allowed_level_move_is_listed_and_moving_back_is_not_asked(reported, tmp_path,
                                                                      capsys):
    plan = reported.plan()
    path = tmp_path / "moved.toml"
    dump_plan(moved(plan, "PA1.1", "regional"), path)
    code, out, err = run(capsys, "--db", str(reported.path), "plan", "import", str(path))
    assert code == 1 and "moves to another level (PA1.1)" in err
    code, out, err = run(capsys, "--db", str(reported.path), "--json", "plan", "import",
                         str(path), "--allow-hiding")
    assert code == 0
    result = json.loads(out)
    assert result["hidden_levels"] == ["PA1.1"] and result["newly_hidden"]["levels"] == ["PA1.1"]
    # status says the reports are still held, and how many of them the plan hides
    code, out, _err = run(capsys, "--db", str(reported.path), "--json", "status")
    status = json.loads(out)
    assert status["hidden_reports"] == 2 and status["reports"] > 2
    code, out, _err = run(capsys, "--db", str(reported.path), "status")
    assert f"Reports: {status['reports']} held, 2 of them hidden by the plan" in out
    # back to national: Mali's reports on PA1.1 show again, nothing is newly hidden
    back = tmp_path / "back.toml"
    dump_plan(moved(reported.plan(), "PA1.1", "national"), back)
    code, out, err = run(capsys, "--db", str(reported.path), "plan", "import", str(back))
    assert code == 0 and err == "" and "puts at another level" not in out


def test_a_level_move_hides_the_offices_of_the_old_level_only(reported, make_office,
                                                              tmp_path):
    """PA1.1 moved to regional (allowed), then a regional office reports on it; moving
    it back to national would hide that report, though the country offices' reports
    show again: it is asked."""
    dump_plan(moved(reported.plan(), "PA1.1", "regional"), tmp_path / "regional.toml")
    replace_plan(reported, tmp_path / "regional.toml", allow_hiding=True)
    ro = make_office("RO-Dakar")
    out = tmp_path / "ro"
    out.mkdir()
    assert import_bundle(ro, export_bundle(reported, for_office="RO-Dakar",
                                           out_dir=out).path).outcome == "merged"
    progress.record_progress(ro, "PA1.1", "2026-S1", status="on-track")
    assert import_bundle(reported, export_bundle(ro, out_dir=out).path).outcome == "merged"
    dump_plan(moved(reported.plan(), "PA1.1", "national"), tmp_path / "national.toml")
    with pytest.raises(PlanHidesReportsError) as caught:
        replace_plan(reported, tmp_path / "national.toml")
    assert caught.value.hidden.levels == ("PA1.1",)


def test_allow_hiding_imports_backs_up_first_and_lists_what_is_hidden(reported, tmp_path):
    plan = reported.plan()
    late = amended(plan, start=date(2026, 1, 1), actions=without_period(plan, "2025-S2"))
    path = tmp_path / "late.toml"
    dump_plan(late, path)
    result = replace_plan(reported, path, allow_hiding=True)
    assert reported.plan().version == 2
    assert result["hidden_periods"] == ["2025-S2"]
    assert result["newly_hidden"]["periods"] == ["2025-S2"]
    backups = store.list_backups(reported.path)
    assert Path(result["backup"]) == backups[0] and "before-plan-import" in backups[0].name
    conn = sqlite3.connect(backups[0])  # the backup holds the plan as it was
    try:
        doc = events.entity_state(conn, "plan", plan.id)["document"]
    finally:
        conn.close()
    assert plan_from_dict(doc) == plan


def test_what_is_already_hidden_is_not_asked_again(reported, tmp_path):
    plan = reported.plan()
    path = cut_csv(amended(plan), tmp_path / "cut.csv", before="PA2.1")
    replace_plan(reported, path, allow_hiding=True)
    again = tmp_path / "again.csv"
    dump_plan(amended(reported.plan()), again)
    result = replace_plan(reported, again)  # nothing more hidden: no question
    assert result["version"] == 3 and len(result["orphaned_actions"]) == 9
    assert result["newly_hidden"]["actions"] == []


def test_a_plan_that_shows_more_than_before_is_not_asked_about(reported, tmp_path):
    """PA1.2 (with a value of officials-trained) dropped by an allowed amendment, then
    brought back without that indicator: its reports show again, the value stays
    hidden as it was, so nothing is newly hidden."""
    plan = reported.plan()
    dropped = tmp_path / "dropped.json"
    dump_plan(amended(plan, actions=tuple(a for a in plan.actions if a.code != "PA1.2")),
              dropped)
    replace_plan(reported, dropped, allow_hiding=True)
    back = tmp_path / "back.json"
    dump_plan(amended(reported.plan(), actions=tuple(
        dataclasses.replace(a, indicators=tuple(
            i for i in a.indicators if i.key != "officials-trained"))
        if a.code == "PA1.2" else a for a in plan.actions)), back)
    result = replace_plan(reported, back)  # not refused
    assert result["hidden_values"] == ["PA1.2/officials-trained"]
    assert result["newly_hidden"] == {"actions": [], "periods": [], "values": [], "levels": []}


def test_an_import_that_hides_nothing_is_backed_up(hq, tmp_path):
    path = tmp_path / "v2.csv"
    dump_plan(amended(hq.plan()), path)
    assert store.list_backups(hq.path) == []
    replace_plan(hq, path)
    assert [p.name.endswith("-before-plan-import.sqlite3")
            for p in store.list_backups(hq.path)] == [True]


def test_a_failed_backup_stops_the_import(hq, tmp_path, monkeypatch):
    """The store's own one-line error (it names the backups folder) goes through."""
    from fieldplan.errors import BackupError

    message = "cannot back up the database: the disk is full (backups in /x)"
    error = BackupError(message)
    path = tmp_path / "v2.csv"
    dump_plan(amended(hq.plan()), path)

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(store, "backup", fail)
    before = snapshot(hq)
    with pytest.raises(StoreError, match=f"^{re.escape(message)}") as caught:
        replace_plan(hq, path)
    assert "\n" not in str(caught.value)
    assert snapshot(hq) == before


def test_a_plan_import_the_disk_fills_under_takes_its_backup_back(hq, tmp_path,
                                                                   monkeypatch):
    """The backup fitted, the plan did not (a real SQLITE_FULL, through ``PRAGMA
    max_page_count``): the database is as it was, and so is the backups folder (the
    copy of the unchanged database took the room the next try's backup needed)."""
    path = tmp_path / "v2.json"
    dump_plan(amended(hq.plan()), path)
    real = store.backup

    def backup(conn, *args, **kwargs):
        made = real(conn, *args, **kwargs)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full now
        return made

    monkeypatch.setattr(store, "backup", backup)
    before = snapshot(hq)
    with pytest.raises(StoreError, match=r"the disk is full$") as caught:
        replace_plan(hq, path)
    assert "\n" not in str(caught.value)
    assert snapshot(hq) == before
    assert hq.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not any(store.backup_dir(hq.path).iterdir())  # nothing beside them either


def test_a_backups_folder_that_cannot_be_made_stops_the_import(hq, tmp_path, capsys):
    path = tmp_path / "v2.csv"
    dump_plan(amended(hq.plan()), path)
    store.backup_dir(hq.path).write_text("a file where the folder should be")
    before = list(hq.conn.iterdump())
    code, out, err = run(capsys, "--db", str(hq.path), "plan", "import", str(path))
    assert code == 1 and out == "" and len(err.splitlines()) == 1
    assert "back up the database" in err and "internal error" not in err
    assert list(hq.conn.iterdump()) == before


def test_cli_refuses_then_imports_with_allow_hiding(reported, tmp_path, capsys):
    path = cut_csv(amended(reported.plan()), tmp_path / "cut.csv", before="PA2.1")
    db = str(reported.path)
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path))
    assert code == 1 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("fieldplan: error: cut.csv would hide what offices reported: ")
    assert "run the import again with --allow-hiding" in err
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--allow-hiding")
    assert code == 0 and err == ""
    assert "version 2 imported (6 actions)" in out
    # (what it hid, counted as the dry run counts it)
    assert "reports on 9 actions it does not have (PA2.1, PA2.2, PA2.3, PA3.1" in out


# --- 2. codes that differ only in case ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_area_codes_that_differ_only_in_case_are_duplicates(tmp_path, fmt):
    plan = default_plan()
    lower = dataclasses.replace(plan.areas[0], code="pa1")
    actions = (*plan.actions, dataclasses.replace(plan.actions[0], code="pa1.1", area="pa1"))
    bad = dataclasses.replace(plan, areas=(*plan.areas, lower), actions=actions)
    path = tmp_path / f"plan.{fmt}"
    dump_plan(bad, path)
    with pytest.raises(PlanError, match="duplicate area code 'pa1'"):
        load_plan(path)


def test_case_duplicates_fixture():
    with pytest.raises(PlanError, match=r"areas\[1\] \(pa1\)\.code: duplicate area code 'pa1' "
                                        r"\(first at areas\[0\] \(PA1\)\)"):
        load_plan(FIXTURES / "case_duplicate_area.toml")


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_an_imported_plan_spells_its_codes_in_capitals(reported, tmp_path, fmt):
    """An amendment that writes PA1 as pa1 (its actions pa1.1...) keeps the reports on
    PA1.1...: codes are looked up whatever their case, and are installed in capitals,
    one spelling in the database; it was refused as hiding them (and with
    --allow-hiding they were hidden under the "same" codes)."""
    plan = amended(reported.plan())
    lower = lambda code: code.lower() if code.startswith("PA1") else code  # noqa: E731
    areas = tuple(dataclasses.replace(a, code=lower(a.code)) for a in plan.areas)
    actions = tuple(dataclasses.replace(a, code=lower(a.code), area=lower(a.area))
                    for a in plan.actions)
    path = tmp_path / f"v2.{fmt}"
    dump_plan(dataclasses.replace(plan, areas=areas, actions=actions), path)
    assert "pa1.1" in path.read_text(encoding="utf-8-sig")
    result = replace_plan(reported, path)
    assert not any(result["newly_hidden"].values())
    installed = reported.plan()
    assert installed.version == plan.version
    assert [a.code for a in installed.areas] == [a.code for a in plan.areas]
    assert [a.code for a in installed.actions] == [a.code for a in plan.actions]
    assert {a.area for a in installed.actions} == {a.code for a in plan.areas}


def test_a_plan_read_as_installed_keeps_its_codes_as_spelled():
    """Only a file to install is respelled: a plan installed already, or received from
    HQ, is read as it is (an office reads what HQ sent)."""
    data = plan_to_dict(default_plan())
    data["areas"][0]["code"] = "pa1"
    for action in data["actions"]:
        if action["area"] == "PA1":
            action["area"], action["code"] = "pa1", action["code"].lower()
    assert plan_from_dict(data).areas[0].code == "pa1"
    assert plan_from_dict(data, strict=True).areas[0].code == "PA1"


# --- 3. control characters ---------------------------------------------------------------


def test_imported_plan_texts_lose_control_characters(hq, tmp_path):
    plan = amended(hq.plan())
    path = tmp_path / "v2.toml"
    dump_plan(plan, path)
    text = path.read_text(encoding="utf-8")
    text = text.replace('title.en = "IOM–OIC Plan',
                        'title.en = "\\u0000\\u001b[31mIOM\\u0007–OIC\\f Plan', 1)
    path.write_text(text, encoding="utf-8")
    assert CONTROLS.search(load_plan(path).title.en)  # the parser alone keeps them
    replace_plan(hq, path)
    assert hq.plan().title.en == "[31mIOM–OIC Plan of Action 2025–2027"


def test_csv_with_raw_control_characters_is_cleaned_on_import(hq, tmp_path):
    path = tmp_path / "v2.csv"
    dump_plan(amended(hq.plan()), path)
    text = path.read_text(encoding="utf-8-sig")
    dirty = text.replace("Migration governance", "Migration\x00\x1b gover\x07nance\x0c")
    assert dirty != text
    path.write_text(dirty, encoding="utf-8")
    replace_plan(hq, path)
    assert hq.plan().areas[0].title.en == "Migration governance and data"
    texts = json.dumps(plan_to_dict(hq.plan()), ensure_ascii=False)
    assert not CONTROLS.search(texts)


def test_plan_export_never_writes_a_raw_nul(tmp_path, capsys):
    plan = default_plan()
    dirty = dataclasses.replace(plan, title=Text("Plan\x00 with\x1b NUL", "fr\x00", "ar\x07"))
    init_hq(tmp_path / "hq.sqlite3", plan=dirty).close()  # an older import kept them
    for fmt in ("csv", "toml", "json"):
        out = tmp_path / f"plan.{fmt}"
        code, _out, err = run(capsys, "--db", str(tmp_path / "hq.sqlite3"), "plan", "export",
                              "-o", str(out))
        assert code == 0, err
        data = out.read_bytes()
        assert b"\x00" not in data and b"\x1b" not in data and b"\x07" not in data
        assert load_plan(out).title == Text("Plan with NUL", "fr", "ar")


def test_a_text_of_control_characters_only_is_missing(hq, tmp_path):
    path = tmp_path / "v2.toml"
    dump_plan(amended(hq.plan()), path)
    text = re.sub(r'title\.en = "[^"]*"', lambda _m: 'title.en = "\\u0007\\u0000"',
                  path.read_text(encoding="utf-8"), count=1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlanError, match=r"v2\.toml: plan\.title\.en: missing \(required\)"):
        replace_plan(hq, path)


#: Texts that show nothing: a zero-width space, bidi marks, a word joiner, a BOM, a soft
#: hyphen, a Hangul filler, a Braille blank (a cell that looks empty in a spreadsheet)
INVISIBLE = ["\u200b", "\u200f\u200e", "\u061c", "\u2060\ufeff", "\u00ad", "\u3164",
             "\u2800", " \u200d "]


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_title_that_shows_nothing_is_missing(hq, tmp_path, blank):
    """An action title of invisible characters only would leave a blank line in every
    office's plan tree, table and PDF: refused as the empty cell it looks like."""
    path = tmp_path / "v2.csv"
    dump_plan(amended(hq.plan()), path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    column = rows[0].index("action_title_en")
    for row in rows[1:]:
        if row[rows[0].index("action")] == "PA1.1":
            row[column] = blank
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    before = snapshot(hq)
    with pytest.raises(PlanError, match=r"^v2\.csv: row 2, column 'action_title_en': "
                                        r"missing \(required\)$"):
        replace_plan(hq, path)
    assert snapshot(hq) == before


@pytest.mark.parametrize("blank", INVISIBLE)
def test_a_translation_that_shows_nothing_is_left_out(hq, tmp_path, blank):
    """A French title of invisible characters only is no translation: the title shows
    in English, as for an empty cell (and is said to lack French), never as nothing."""
    plan = amended(hq.plan())
    first = plan.actions[0]
    path = tmp_path / "v2.json"
    dump_plan(dataclasses.replace(plan, actions=(
        dataclasses.replace(first, title=dataclasses.replace(first.title, fr=blank)),
        *plan.actions[1:])), path)
    replace_plan(hq, path)
    title = hq.plan().actions[0].title
    assert title.fr == "" and title.get("fr") == first.title.en


# --- 4. nesting and huge numbers ---------------------------------------------------------


@pytest.mark.parametrize("text, fmt", [
    ("[" * 200_000, "json"),
    ('{"plan":' + "[" * 5000, "json"),
    ("x = " + "[" * 200_000, "toml"),
], ids=["json-list", "json-plan", "toml"])
def test_deep_nesting_is_one_plan_error(text, fmt):
    with pytest.raises(PlanError, match="nested too deeply to be a plan"):
        parse_plan_text(text, fmt, f"deep.{fmt}")


def _with_version(fmt: str, version: str) -> str:
    text = format_plan(default_plan(), fmt)
    if fmt == "toml":
        return text.replace("version = 1", f"version = {version}", 1)
    if fmt == "json":
        return text.replace('"version": 1', f'"version": {version}', 1)
    lines = text.splitlines(keepends=True)
    return lines[0] + "".join(line.replace(",1,", f",{version},", 1) for line in lines[1:])


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_a_version_of_thousands_of_digits_is_one_plan_error(fmt):
    with pytest.raises(PlanError, match=f"v.{fmt}: a number has thousands of digits"):
        parse_plan_text(_with_version(fmt, "1" * 5001), fmt, f"v.{fmt}")


@pytest.mark.parametrize("fmt, version", [
    *((fmt, version) for fmt in ("toml", "json", "csv")
      for version in (str(10**400), str(MAX_VERSION + 1))),
    ("csv", "1" * 5001),  # TOML and JSON parsers refuse it (test above)
], ids=lambda v: v if len(v) < 20 else f"{len(v)}-digits")
def test_a_version_too_large_is_refused(fmt, version):
    with pytest.raises(PlanError) as caught:
        parse_plan_text(_with_version(fmt, version), fmt, f"v.{fmt}")
    message = str(caught.value)
    assert "too large; the highest allowed is 2147483647" in message
    assert len(message) < 200


def test_the_highest_version_is_accepted():
    for fmt in ("toml", "json", "csv"):
        assert parse_plan_text(_with_version(fmt, str(MAX_VERSION)), fmt).version == MAX_VERSION


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_a_plan_file_to_install_with_an_implausible_version_is_refused(hq, tmp_path, fmt):
    """A version of 2147483647 was installed, and then no amendment could go above it:
    versions go up by one with each amendment, from 1."""
    path = tmp_path / f"v.{fmt}"
    path.write_text(_with_version(fmt, str(MAX_VERSION)), encoding="utf-8")
    before = snapshot(hq)
    with pytest.raises(PlanError, match=r"^v\.\w+: .*version'?: 2147483647 is not a plan "
                                        r"version: versions go up by one with each "
                                        r"amendment, from 1 \(at most 1,000,000\)$"):
        replace_plan(hq, path)
    assert snapshot(hq) == before
    path.write_text(_with_version(fmt, "1000000"), encoding="utf-8")
    assert read_plan_file(path).version == 1_000_000  # (the limit itself is read)


def test_an_amendment_may_not_jump_far_above_the_installed_version(hq, tmp_path, capsys):
    path = tmp_path / "v.toml"
    path.write_text(_with_version("toml", "1002"), encoding="utf-8")
    before = snapshot(hq)
    code, _out, err = run(capsys, "--db", str(hq.path), "plan", "import", str(path))
    assert code != 0 and snapshot(hq) == before
    assert "v.toml has version 1002; versions go up by one with each amendment: the next " \
           "is 2 (the installed plan is version 1)" in err
    path.write_text(_with_version("toml", "1001"), encoding="utf-8")
    assert replace_plan(hq, path)["version"] == 1001


@pytest.mark.parametrize("dates, message", [
    ({"start": date(1, 1, 1)}, r"plan\.start: 0001-01-01 is not a date of a plan; a plan's "
                               r"dates are between 2000 and 2100"),
    ({"end": date(9999, 12, 31)}, r"plan\.end: 9999-12-31 is not a date of a plan"),
    ({"signed_at": date(1999, 12, 31)}, r"plan\.signed_at: 1999-12-31 is not a date of a plan"),
    ({"end": date(2045, 6, 21)}, r"plan\.end: the plan would run from 2025-06-21 to "
                                 r"2045-06-21; a plan runs less than 20 years"),
    ({"signed_at": date(2028, 1, 1)}, r"plan\.signed_at: 2028-01-01 is after the plan's end "
                                      r"\(2027-12-31\); a plan is signed before it ends"),
], ids=["start-0001", "end-9999", "signed-1999", "20-years", "signed-after-end"])
def test_a_plan_file_to_install_with_implausible_dates_is_refused(hq, tmp_path, dates,
                                                                   message):
    """0001-01-01 to 9999-12-31 was installed (some 20,000 semesters), and a plan signed
    after its end: a plan file to install has its dates in 2000-2100, runs less than 20
    years, and is signed before it ends; a plan installed or received is read as it is."""
    plan = amended(hq.plan(), **dates)
    path = tmp_path / "v2.toml"
    dump_plan(plan, path)
    before = snapshot(hq)
    with pytest.raises(PlanError, match=f"^v2\\.toml: {message}"):
        replace_plan(hq, path)
    assert snapshot(hq) == before
    assert plan_from_dict(plan_to_dict(plan)) == plan


@pytest.mark.parametrize("fmt, start, end, message", [
    ("csv", "۱۴۰۴/۰۳/۳۱", "2027-12-31",
     r"row 2, column 'plan_start': '۱۴۰۴/۰۳/۳۱' is a date of the Hijri calendar, as a "
     r"spreadsheet set to it writes one; a plan's dates are Gregorian, between 2000 and "
     r"2100: write YYYY-MM-DD"),
    ("json", "۱۴۰۴-۰۳-۳۱", "2027-12-31",
     r"plan\.start: '۱۴۰۴-۰۳-۳۱' is a date of the Hijri calendar"),
    ("toml", "2025-06-21", "۱۴۰۶-۱۰-۱۰",
     r"plan\.end: '۱۴۰۶-۱۰-۱۰' is a date of the Hijri calendar"),
    ("csv", "2025-06-21", "۱۴۰۶/۱۰/۱۰",
     r"row 2, column 'plan_end': '۱۴۰۶/۱۰/۱۰' is a date of the Hijri calendar"),
    # Umm al-Qura, as Excel set to Arabic (Saudi Arabia) writes 31 December 2027: it was
    # said to be either of two days of the year 1449
    ("csv", "2025-06-21", "02/07/1449",
     r"row 2, column 'plan_end': '02/07/1449' is a date of the Hijri calendar"),
], ids=["csv-start", "json-start", "toml-end", "csv-end", "csv-lunar-end"])
def test_a_solar_hijri_date_is_refused_quoted_as_written(hq, tmp_path, fmt, start, end,
                                                          message):
    """A Persian spreadsheet's Solar Hijri date (۱۴۰۴/۰۳/۳۱, 21 June 2025) reads as the
    year 1404: refused, but quoted as 1404-03-31, a date nobody wrote, and an end in
    that calendar was said to be before the plan's start. Quoted as written, and said
    to be no date of a plan."""
    text = format_plan(default_plan(), fmt)
    text = text.replace("2025-06-21", start, 1 if fmt != "csv" else -1)
    text = text.replace("2027-12-31", end, 1 if fmt != "csv" else -1)
    path = tmp_path / f"v2.{fmt}"
    path.write_text(text, encoding="utf-8")
    before = snapshot(hq)
    with pytest.raises(PlanError, match=f"^v2\\.{fmt}: {message}"):
        replace_plan(hq, path)
    assert snapshot(hq) == before


def test_a_plan_of_nearly_20_years_signed_on_its_last_day_is_installed(hq, tmp_path):
    plan = amended(hq.plan(), end=date(2045, 6, 20), signed_at=date(2045, 6, 20))
    path = tmp_path / "v2.csv"
    dump_plan(plan, path)
    replace_plan(hq, path)
    assert hq.plan() == plan


@pytest.mark.parametrize("fmt, where, value, shown", [
    ("toml", "target", 1e308, "1e+308"),
    ("json", "baseline", -1e13, "-10000000000000.0"),
    ("csv", "targets", 1.5e12, "1500000000000"),
])
def test_a_plan_file_to_install_with_a_huge_number_is_refused(hq, tmp_path, capsys, fmt,
                                                               where, value, shown):
    """A target of 1e308 was installed, and the warning of a target below zero printed
    -1e308 with its 309 digits: a plan file's numbers are at most a trillion either way;
    a plan installed or received is read as it is."""
    plan = hq.plan()
    action = plan.action("PA1.2")
    indicator = action.indicators[0]
    if where == "targets":
        changed = dataclasses.replace(indicator, targets=((indicator.targets[0][0], value),
                                                          *indicator.targets[1:]))
    else:
        changed = dataclasses.replace(indicator, **{where: value})
    actions = tuple(dataclasses.replace(a, indicators=(changed, *a.indicators[1:]))
                    if a is action else a for a in plan.actions)
    new = amended(plan, actions=actions)
    path = tmp_path / f"v2.{fmt}"
    dump_plan(new, path)
    before = snapshot(hq)
    code, _out, err = run(capsys, "--db", str(hq.path), "plan", "import", str(path))
    assert code != 0 and snapshot(hq) == before
    assert f"'{shown}' is out of range for a baseline or target; a plan's numbers are at " \
           "most 1,000,000,000,000, either side of zero" in err
    assert len(err.strip().splitlines()) == 1
    assert plan_from_dict(plan_to_dict(new)) == new


def test_a_target_of_a_trillion_is_installed(hq, tmp_path):
    plan = hq.plan()
    first = plan.actions[0]
    indicators = (dataclasses.replace(first.indicators[0], target=-1e12),
                  *first.indicators[1:])
    new = amended(plan, actions=(dataclasses.replace(first, indicators=indicators),
                                 *plan.actions[1:]))
    path = tmp_path / "v2.toml"
    dump_plan(new, path)
    replace_plan(hq, path)
    assert hq.plan().actions[0].indicators[0].target == -1e12


def test_cli_gives_no_internal_error_for_deep_or_long_files(hq, tmp_path, capsys):
    cases = {"deep.json": '{"plan":' + "[" * 5000,
             "long.toml": _with_version("toml", "1" * 5001)}
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        code, _out, err = run(capsys, "--db", str(hq.path), "plan", "import", str(path))
        assert code == 1 and len(err.splitlines()) == 1
        assert "internal error" not in err and err.startswith(f"fieldplan: error: {name}: ")


# --- 5. size ----------------------------------------------------------------------------


def test_the_real_plan_is_far_below_the_size_limit():
    for fmt in ("toml", "json", "csv"):
        assert len(format_plan(default_plan(), fmt).encode()) * 20 < MAX_PLAN_BYTES


def test_a_huge_file_is_refused_without_reading_it_whole(tmp_path):
    path = tmp_path / "huge.csv"
    with path.open("wb") as f:
        f.truncate(60 * 2**20)  # sparse: 60 MB of NULs, at no cost
    i18n.format_number(5)  # babel's locale data, loaded once, is not the file
    tracemalloc.start()
    try:
        with pytest.raises(PlanError, match=r"^huge\.csv: larger than 4 MB, too large for a "
                                            r"plan file"):
            load_plan(path)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # a file's size is checked before it is read


def test_a_file_just_at_the_limit_is_read(tmp_path):
    path = tmp_path / "big.toml"
    text = format_plan(default_plan(), "toml")
    path.write_text(text + "#" * (MAX_PLAN_BYTES - len(text.encode()) - 1) + "\n",
                    encoding="utf-8")
    assert path.stat().st_size == MAX_PLAN_BYTES
    assert load_plan(path) == default_plan()


# --- 6. messages and spreadsheets -------------------------------------------------------


def test_long_differing_cells_show_where_they_differ(tmp_path):
    path = tmp_path / "differ.csv"
    dump_plan(default_plan(), path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    column, action = rows[0].index("description_en"), rows[0].index("action")
    first = next(i for i in range(1, len(rows) - 1) if rows[i][action] == rows[i + 1][action])
    same = "A long description that is the same on both rows for quite a while, "
    rows[first][column] = same + "then says one thing."
    rows[first + 1][column] = same + "then says another."
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    shown, old = re.search(r"'description_en': '(.*)' differs from '(.*)' on row",
                           str(caught.value)).groups()
    assert shown != old, caught.value
    assert shown.endswith("then says another.") and old.endswith("then says one thing.")


@pytest.mark.parametrize("name, where", [
    ("unknown_column.csv", "unknown_column.csv\u00a0: ligne 1\u00a0: "),
    ("bad_row.csv", "bad_row.csv\u00a0: ligne "),
    ("bad_level.toml", "bad_level.toml\u00a0: actions[3] (PA1.4).level\u00a0: "),
])
def test_places_in_messages_are_joined_as_the_language_writes_them(name, where):
    i18n.set_language("fr")
    with pytest.raises(PlanError) as caught:
        load_plan(FIXTURES / name)
    assert str(caught.value).startswith(where), caught.value
    assert ": " not in str(caught.value).replace("\u00a0: ", ""), caught.value


FORMULAS = ("=HYPERLINK(\"http://x\";\"click\")", "+1+2", "-a list item", "@SUM(A1)",
            "'=already quoted", "''+two quotes", "'plain quote", "a = b")


def formula_plan() -> Plan:
    plan = default_plan()
    areas = tuple(dataclasses.replace(a, title=Text(text, text, text))
                  for a, text in zip(plan.areas, FORMULAS[:4], strict=True))
    first = plan.actions[0]
    indicator = dataclasses.replace(first.indicators[0], unit=FORMULAS[4], baseline=-5.0,
                                    title=Text(FORMULAS[5], FORMULAS[6], FORMULAS[7]))
    actions = (dataclasses.replace(first, description=Text(*FORMULAS[:3]),
                                   indicators=(indicator,)), *plan.actions[1:])
    return dataclasses.replace(plan, areas=areas, actions=actions,
                               signed_place="=cmd|' /C calc'!A0")


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path):
    path = tmp_path / "plan.csv"
    dump_plan(formula_plan(), path)
    cells = [c for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
             for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@") or c.startswith("-a")]
    assert "'=cmd|' /C calc'!A0" in cells and "'-a list item" in cells
    assert "''=already quoted" in cells and "'''+two quotes" in cells
    assert "'plain quote" in cells and "a = b" in cells
    assert "-5" in cells  # numbers stay numbers


def test_neutralised_csv_reads_back_byte_identical(tmp_path):
    plan = formula_plan()
    first = tmp_path / "first.csv"
    dump_plan(plan, first)
    assert load_plan(first) == plan
    second = tmp_path / "second.csv"
    dump_plan(load_plan(first), second)
    assert second.read_bytes() == first.read_bytes()


def test_cells_saved_back_by_a_spreadsheet_without_the_quote_read_the_same(tmp_path):
    # Excel takes a leading ' as "text", and may save the cell without it
    path = tmp_path / "plan.csv"
    dump_plan(formula_plan(), path)
    text = path.read_text(encoding="utf-8-sig").replace("'-a list item", "-a list item")
    path.write_text(text, encoding="utf-8")
    assert load_plan(path).actions[0].description.ar == "-a list item"


def _renamed(plan: Plan, area: str, number: str = "1") -> dict:
    """The plan as a dict with its first area renamed ``area`` and that area's first
    action numbered ``number``."""
    doc = plan_to_dict(plan)
    old = doc["areas"][0]["code"]
    doc["areas"][0]["code"] = area
    for action in doc["actions"]:
        if action["area"] == old:
            action["area"] = area
            rest = action["code"].split(".", 1)[1]
            action["code"] = f"{area}.{number if rest == '1' else rest}"
    return doc


def test_a_plan_hq_can_install_makes_reports_hq_takes(hq, make_office, tmp_path):
    """One grammar of codes for the plan reader and the import (model.ACTION_CODE): an
    area code past 32 characters or an action number of 7 digits is refused with the
    plan; a report on the longest codes a plan may have reaches HQ."""
    for area, number in (("A" * 33, "1"), ("PA1", "1234567")):
        with pytest.raises(PlanError, match=r"not an area code|not an action code"):
            plan_from_dict(_renamed(hq.plan(), area, number))
    doc = _renamed(hq.plan(), "A" * 32, "123456")
    doc["plan"]["version"] = hq.plan().version + 1
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    replace_plan(hq, path)
    ml = make_office("ML")
    assert import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path).path
                         ).outcome == "merged"
    code = "A" * 32 + ".123456"
    progress.record_progress(ml, code, "2026-S1", status="on-track")
    outcome = import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    assert outcome.outcome == "merged", outcome.reason


def test_an_import_says_when_the_reports_it_brings_are_hidden_by_the_plan(
        hq, make_office, tmp_path):
    """An office still on the plan before an amendment reports on an action headquarters
    moved to another level: HQ's import keeps the report and says the plan hides it
    (status alone said it before, "1 of them hidden by the plan")."""
    ml = make_office("ML")
    path = tmp_path / "moved.toml"
    dump_plan(moved(hq.plan(), "PA1.1", "regional"), path)
    replace_plan(hq, path)  # nothing reported on it yet: nothing asked
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track")
    progress.record_progress(ml, "PA1.2", "2026-S1", status="on-track")
    bundle = export_bundle(ml, out_dir=tmp_path).path
    outcome = import_bundle(hq, bundle)
    assert outcome.outcome == "merged" and outcome.hidden_brought == 1
    assert outcome.line().endswith("; it brings 1 report the plan hides (the action is no "
                                   "longer at this office's level)")
    assert outcome.to_dict()["reports_the_plan_hides"] == 1
    assert [r.action for r in progress.list_reports(hq, office="ML")] == ["PA1.1", "PA1.2"]
    # the Inbox keeps saying it, in its reader's language, as it keeps a plan change
    from fieldplan.sync import list_inbox

    said = "it brings 1 report the plan hides (the action is no longer at this office's level)"
    assert outcome.reason == said and outcome.to_dict()["reason"] == said
    [entry] = [e for e in list_inbox(hq) if e.file == bundle.name]
    # (after what else the import said: ML's first bundle registered its computer's key)
    assert entry.reason_text().endswith("; " + said)
    assert entry.to_dict()["reason"].endswith("; " + said)
    assert entry.reason_text("fr").endswith("il apporte 1 rapport que le plan masque (l’action "
                                            "n’est plus au niveau de ce bureau)")
    # a duplicate brings nothing; reports the plan shows are not named
    assert import_bundle(hq, bundle).hidden_brought == 0
    progress.record_progress(ml, "PA1.2", "2026-S2", status="on-track")
    shown = import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    assert shown.outcome == "merged" and shown.hidden_brought == 0
    assert "hides" not in shown.line()


@pytest.mark.parametrize("name", ["plans", "plans.csv"])
def test_a_folder_given_as_the_plan_is_said_to_be_one(tmp_path, name):
    """A folder whose name has no ending was "an unknown plan file type ''"; one named
    plans.csv was already said to be a folder."""
    from fieldplan.errors import PlanError
    from fieldplan.plan import load_plan

    folder = tmp_path / name
    folder.mkdir()
    with pytest.raises(PlanError) as caught:
        load_plan(folder)
    assert str(caught.value) == f"{name}: cannot read the file: {reasons.A_FOLDER}"
