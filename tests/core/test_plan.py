"""The plan template, plan files in three formats, their round trips and their errors."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import tomllib
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from fieldplan.errors import PlanError, ValidationError
from fieldplan.model import LEADS, LEVELS
from fieldplan.plan import (
    Action,
    Area,
    Indicator,
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
from fieldplan.resources import resource_path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plans"
ARABIC = re.compile(r"[\u0600-\u06FF]")


def texts_of(plan: Plan):
    """Every (where, Text) of a plan that must be in three languages."""
    yield "plan", plan.title
    for area in plan.areas:
        yield area.code, area.title
    for action in plan.actions:
        yield action.code, action.title
        yield f"{action.code} description", action.description
        for indicator in action.indicators:
            yield f"{action.code}/{indicator.key}", indicator.title


def tricky_plan() -> Plan:
    """A plan that exercises escaping and the shapes a CSV must carry: quotes,
    backslashes, newlines, control characters, Arabic, awkward floats, missing
    numbers, an action without indicators, an area without actions, and actions
    whose areas interleave."""
    nasty = 'He said "hi" \\ C:\\path\\n\nline 2\ttab\r\nend \x01 ; , = [x] # not a comment'
    return Plan(
        id="tricky.plan_1",
        version=7,
        title=Text("Tricky «plan»", "Plan « piégé »", 'خطة "صعبة" — اختبار'),
        start=date(2025, 6, 21),
        end=date(2027, 12, 31),
        signed_at=None,
        signed_place="",
        areas=(
            Area("PA1", Text(nasty, "", "المجال الأول")),
            Area("PA2", Text("Second"), illustrative=True),
            Area("PA3", Text("No actions here")),
        ),
        actions=(
            Action("PA2.1", "PA2", "regional", "OIC", Text("First listed"), Text(""), (), True),
            Action(
                "PA1.10",
                "PA1",
                "national",
                "joint",
                Text("Numbers", "Nombres", "أرقام"),
                Text(nasty, nasty, "وصف\nبسطرين"),
                (
                    Indicator(
                        "a-b_c",
                        Text("Floats"),
                        "USD",
                        0.1,
                        1e20,
                        (("2025-S2", -3.5), ("2027-S2", 1e-07)),
                    ),
                    Indicator("none", Text("No numbers"), "count", None, None, ()),
                ),
            ),
            Action("PA2.2", "PA2", "global", "IOM", Text("Last"), Text("", "fr only"), ()),
        ),
        illustrative=False,
    )


# --- the template ---------------------------------------------------------------------


def test_template_loads_with_four_areas_and_the_level_spread():
    plan = default_plan()
    assert plan.id == "iom-oic-poa-2025-2027"
    assert plan.version == 1
    assert (plan.start, plan.end) == (date(2025, 6, 21), date(2027, 12, 31))
    assert plan.signed_at == date(2025, 6, 21) and plan.signed_place == "Istanbul"
    assert [a.code for a in plan.areas] == ["PA1", "PA2", "PA3", "PA4"]
    for area in plan.areas:
        actions = plan.actions_of(area=area.code)
        assert len(actions) >= 6, area.code
        levels = Counter(a.level for a in actions)
        assert levels["national"] >= 2 and levels["regional"] >= 1 and levels["global"] >= 1
        for number, action in enumerate(actions, start=1):
            assert action.code == f"{area.code}.{number}"
    assert {a.lead for a in plan.actions} == set(LEADS)


def test_template_indicators_are_complete():
    for action in default_plan().actions:
        assert action.indicators, action.code
        for indicator in action.indicators:
            assert indicator.unit and indicator.baseline is not None, action.code
            assert indicator.target is not None, action.code
    some = default_plan().action("PA1.1").indicator("policies-supported")
    assert some.target_for("2026-S2") == 6 and some.target == 12


def test_template_titles_are_in_english_french_and_arabic():
    for where, text in texts_of(default_plan()):
        assert text.en and text.fr and text.ar, where
        assert ARABIC.search(text.ar) and not ARABIC.search(text.en + text.fr), where
        assert text.fr != text.en, where


def test_template_says_it_is_illustrative():
    plan = default_plan()
    assert plan.illustrative
    assert all(a.illustrative for a in plan.areas)
    assert all(a.illustrative for a in plan.actions)
    head = resource_path("plan", "plan.toml").read_text(encoding="utf-8")[:2000]
    assert "ILLUSTRATIVE" in head and "NOT the signed text" in head


def test_default_plan_is_read_once():
    assert default_plan() is default_plan()


# --- round trips ----------------------------------------------------------------------


@pytest.mark.parametrize("make", [default_plan, tricky_plan], ids=["template", "tricky"])
def test_dict_round_trip_is_exact_and_json_safe(make):
    plan = make()
    data = plan_to_dict(plan)
    assert plan_from_dict(data) == plan
    assert plan_from_dict(json.loads(json.dumps(data))) == plan


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
@pytest.mark.parametrize("make", [default_plan, tricky_plan], ids=["template", "tricky"])
def test_file_round_trip(tmp_path, make, fmt):
    plan = make()
    path = tmp_path / f"plan.{fmt}"
    dump_plan(plan, path)
    again = load_plan(path)
    assert again == plan
    assert [a.code for a in again.actions] == [a.code for a in plan.actions]
    assert parse_plan_text(format_plan(plan, fmt), fmt) == plan


def test_written_toml_is_valid_toml_with_escapes(tmp_path):
    path = tmp_path / "plan.toml"
    dump_plan(tricky_plan(), path)
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["areas"][0]["title"]["en"] == tricky_plan().areas[0].title.en
    assert "صعبة" in text  # Arabic written as itself, not escaped
    assert "\\u0001" in text and '\\"hi\\"' in text


def test_written_csv_has_a_bom_and_one_row_per_indicator(tmp_path):
    path = tmp_path / "plan.csv"
    dump_plan(default_plan(), path)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    header = data.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[:2] == ["plan_id", "plan_version"] and "target_2025-S2" in header
    indicators = sum(len(a.indicators) for a in default_plan().actions)
    rows = list(csv.reader(data.decode("utf-8-sig").splitlines()))
    assert len(rows) == indicators + 1


def test_small_fixture_reads_every_optional_form():
    plan = load_plan(FIXTURES / "good_small.toml")
    assert plan.version == 2 and plan.start == date(2025, 6, 21)
    assert plan.area("PA2").title == Text("Mobility") and plan.area("PA2").illustrative
    action = plan.action("pa1.1")
    assert action.description.en == 'Support "national" policies.\nSecond line.'
    policies = action.indicator("policies")
    assert policies.targets == (("2025-S2", 1.0), ("2026-S1", 3.0))  # sorted by period
    assert policies.target_for("2026-S1") == 3 and policies.target_for("2027-S1") == 12
    assert plan.action("PA1.2").indicator("officials-trained").baseline is None


def test_semicolon_csv_with_blank_repeats_and_decimal_commas():
    plan = load_plan(FIXTURES / "good_semicolon.csv")
    assert plan.title == Text("Test plan", "", "خطة تجريبية")
    assert [a.code for a in plan.areas] == ["PA1", "PA2"]
    assert [a.code for a in plan.actions] == ["PA1.1", "PA1.2", "PA2.1"]
    cost = plan.action("PA1.1").indicator("cost")
    assert (cost.baseline, cost.target) == (6.4, 4.5)
    assert plan.action("PA1.2").indicators == ()
    assert plan.action("PA2.1").indicator("statements").baseline is None


def test_comma_csv_reads_a_comma_in_a_number_where_only_one_reading_is_possible(tmp_path):
    """A spreadsheet in French saves a "," file with its decimal commas ("6,4", quoted),
    one in English with its thousands separators: they were "not a number", no hint."""
    plan = load_plan(FIXTURES / "comma_file_decimal_commas.csv")
    cost = plan.action("PA1.1").indicator("cost")
    assert (cost.baseline, cost.target) == (6.4, 4.5)
    people = plan.action("PA1.2").indicator("people")
    assert (people.baseline, people.target) == (1234.5, 1_500_000)
    text = (FIXTURES / "comma_file_decimal_commas.csv").read_text(encoding="utf-8")
    path = tmp_path / "plan.csv"
    path.write_text(text.replace('"4,5"', '"4,500"'), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(err.value) == ("plan.csv: row 2, column 'target': '4,500' could be '4500' "
                              "or '4.500': write it without thousands separators")


def test_comma_csv_reads_numbers_grouped_by_spaces(tmp_path):
    """A French LibreOffice saving a "," file with "save cell content as shown" writes
    "1 234,5" (a space, a no-break or a narrow no-break space between thousands): one
    reading only, as in a ";" file, but it was "not a number" with no hint."""
    plan = load_plan(FIXTURES / "comma_file_space_grouped.csv")
    cost = plan.action("PA1.1").indicator("cost")
    assert (cost.baseline, cost.target) == (1234.5, 25_000)
    people = plan.action("PA1.2").indicator("people")
    assert (people.baseline, people.target) == (1_250_000.75, 12_345_678)
    # a space that groups no thousands is still no number
    text = (FIXTURES / "comma_file_space_grouped.csv").read_text(encoding="utf-8")
    path = tmp_path / "plan.csv"
    path.write_text(text.replace("12 345 678", "12 34 5678"), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(err.value) == ("plan.csv: row 3, column 'target': '12 34 5678' is not a "
                              "number")


def test_comma_csv_reads_numbers_grouped_by_spaces_with_a_decimal_point(tmp_path):
    """"1 234.5" (thousands grouped by a space, a no-break or a narrow no-break space,
    and a decimal point) in a "," file was "not a number", though the spaces leave the
    point no other reading, as "1 234,5" there is read. Found by QA."""
    text = (FIXTURES / "comma_file_space_grouped.csv").read_text(encoding="utf-8")
    text = text.replace('"1 234,5"', "1 234.5").replace(
        '"1\u202f250\u202f000,75"', "1\u202f250\u202f000.75").replace(
        "12 345 678", "12\u00a0345\u00a0678.25")
    assert all(v in text for v in ("1 234.5,", "\u202f000.75,", "678.25\n"))
    path = tmp_path / "plan.csv"
    path.write_text(text, encoding="utf-8")
    plan = load_plan(path)
    assert plan.action("PA1.1").indicator("cost").baseline == 1234.5
    people = plan.action("PA1.2").indicator("people")
    assert (people.baseline, people.target) == (1_250_000.75, 12_345_678.25)
    # a space that groups no thousands is still no number
    path.write_text(text.replace("1 234.5", "1 23.5"), encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(err.value) == ("plan.csv: row 2, column 'baseline': '1 23.5' is not a "
                              "number")


def test_semicolon_csv_reads_every_number_with_one_reading():
    """A ";" file as a spreadsheet in French saves it (a byte-order mark, days as
    21/06/2025) holding the numbers people paste into it: "1 234.5" and "1,234.5" were
    "not a number" there though a "," file read them, "1.234,5" was read in no file, and
    "12.500.000" was refused here and read in a tab-separated file."""
    plan = load_plan(FIXTURES / "semicolon_file_grouped_numbers.csv")
    cost = plan.action("PA1.1").indicator("cost")
    assert (cost.baseline, cost.target) == (1234.5, 1234.5)
    people = plan.action("PA1.2").indicator("people")
    assert (people.baseline, people.target) == (1_250_000.75, 12_500_000)
    offices = plan.action("PA1.3").indicator("offices")
    assert (offices.baseline, offices.target) == (1234.5, 6.4)


# --- the Plan API ---------------------------------------------------------------------


def test_lookups_and_filters():
    plan = default_plan()
    assert plan.action("PA2.3").area == "PA2"
    with pytest.raises(ValidationError) as err:
        plan.action("PA9.9")
    assert str(err.value) == "unknown action 'PA9.9'"
    with pytest.raises(ValidationError, match="unknown area 'PA9'"):
        plan.area("PA9")
    national = plan.actions_of(level="national")
    assert national and all(a.level == "national" for a in national)
    both = plan.actions_of(area="PA3", level="global")
    assert [a.code for a in both] == ["PA3.6"]
    assert len(plan.actions_of()) == len(plan.actions)
    with pytest.raises(ValidationError, match="unknown level 'nation'"):
        plan.actions_of(level="nation")
    with pytest.raises(ValidationError, match=r"unknown indicator 'nope' for PA1\.1"):
        plan.action("PA1.1").indicator("nope")


def test_plan_periods_and_dates():
    plan = default_plan()
    assert [str(p) for p in plan.periods()] == [
        "2025-S2", "2026-S1", "2026-S2", "2027-S1", "2027-S2",
    ]  # fmt: skip
    assert plan.period_bounds("2025-S2") == (date(2025, 6, 21), date(2025, 12, 31))
    assert str(plan.period_for_date(date(2025, 6, 22))) == "2025-S2"
    with pytest.raises(ValidationError, match="2025-S1 is outside the plan"):
        plan.check_period("2025-S1")


def test_text_falls_back_to_english():
    text = Text("Hello", "", "مرحبا")
    assert text.get("fr") == "Hello" and text.get("ar") == "مرحبا" and text.get("xx") == "Hello"


def test_values_are_frozen_with_tuples():
    plan = default_plan()
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.version = 2  # type: ignore[misc]
    assert isinstance(plan.actions, tuple) and isinstance(plan.actions[0].indicators, tuple)
    assert hash(plan)


# --- errors ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "bad_level.toml",
            "bad_level.toml: actions[3] (PA1.4).level: 'nation' is not one of "
            "national, regional, global",
        ),
        (
            "duplicate_action.toml",
            "duplicate_action.toml: actions[2] (PA1.2).code: duplicate action code 'PA1.2' "
            "(first at actions[1] (PA1.2))",
        ),
        (
            "unknown_key.toml",
            "unknown_key.toml: actions[2] (PA1.3): unknown key 'levl' (did you mean 'level'?); "
            "allowed keys: code, area, level, lead, title, description, illustrative, indicators",
        ),
        ("bad_date.toml", "bad_date.toml: plan.end: '2027-02-30' is not a date; write YYYY-MM-DD"),
        (
            "start_after_end.toml",
            "start_after_end.toml: plan.end: 2024-12-31 is before the plan's start (2025-06-21)",
        ),
        (
            "unknown_area.toml",
            "unknown_area.toml: actions[4] (PA3.1).area: unknown area 'PA3' "
            "(the plan's areas: PA1, PA2)",
        ),
        (
            "duplicate_indicator.toml",
            "duplicate_indicator.toml: actions[0] (PA1.1).indicators[1] (policies).key: "
            "duplicate indicator key 'policies' (first at actions[0] (PA1.1).indicators[0] "
            "(policies))",
        ),
        (
            "period_outside.toml",
            "period_outside.toml: actions[0] (PA1.1).indicators[0] (policies).targets.2025-S1: "
            "period 2025-S1 is outside the plan (2025-S2 … 2027-S2); its days from 21 Jun 2025 "
            "are reported in 2025-S2, the plan's first period",
        ),
        (
            "bad_row.csv",
            "bad_row.csv: row 4, column 'level': 'nation' is not one of national, regional, global",
        ),
        ("bad_number.csv", "bad_number.csv: row 4, column 'target': 'six' is not a number"),
        (
            "conflicting_rows.csv",
            "conflicting_rows.csv: row 3, column 'level': 'regional' differs from 'national' "
            "on row 2 for action PA1.1",
        ),
        (
            "unknown_column.csv",
            "unknown_column.csv: row 1: unknown column 'units' (did you mean 'unit'?)",
        ),
        (
            # a title (and an empty row) typed above the header
            "title_above_header.csv",
            "title_above_header.csv: row 1: the header (plan_id, plan_version, …) is on "
            "row 3: delete the rows above it, the header must be the first row",
        ),
        (
            # a title typed on a line of its own above a ";" header: the separator, seen
            # from the first line, was ",", and the header below went unseen
            "title_alone_above_header.csv",
            "title_alone_above_header.csv: row 1: the header (plan_id, plan_version, …) "
            "is on row 2: delete the rows above it, the header must be the first row",
        ),
        (
            # a title's row emptied, not deleted: "missing column 'plan_id'"
            "empty_row_above_header.csv",
            "empty_row_above_header.csv: row 1: the header (plan_id, plan_version, …) "
            "is on row 2: delete the rows above it, the header must be the first row",
        ),
        (
            # a comma file opened in a French Excel (each line in column A), saved
            # with ";": the lines that had quotes are quoted whole
            "one_cell_rows.csv",
            "one_cell_rows.csv: row 2: the whole row is in one cell: the spreadsheet "
            "opened the file without splitting it into columns at ','; split them (Data "
            "▸ Text to Columns) and save it again as 'CSV UTF-8'",
        ),
        # found by QA: each was refused without saying what to do, or said otherwise
        (
            "time_of_day.csv",
            "time_of_day.csv: row 2, column 'plan_start': '21/06/2025 09:30' has a time of "
            "day; a plan's dates are days: write YYYY-MM-DD",
        ),
        (
            "two_digit_year.csv",
            "two_digit_year.csv: row 2, column 'plan_start': '21/06/25' has a two-digit "
            "year; write the year in four digits: YYYY-MM-DD",
        ),
        (
            # in a comma file with decimal points: it was "not a number"
            "rounded_scientific.csv",
            "rounded_scientific.csv: row 3, column 'target': '1,23457E+11' was saved "
            "rounded: the spreadsheet wrote the number in scientific notation, without its "
            "last digits; format the column as numbers (or as text) and save the file again",
        ),
        (
            # spreadsheet users see column letters: it was "column 9"
            "value_without_header.csv",
            "value_without_header.csv: row 3: a value in column I (9), which has no header",
        ),
        (
            # a French title a lookup did not find (VLOOKUP): the spreadsheet saved the
            # error it showed, which was installed as the title
            "formula_error.csv",
            "formula_error.csv: row 3, column 'action_title_fr': the cell shows the error "
            "#N/A; correct its formula or type the value",
        ),
        (
            # the exported 2025-06-21 as a spreadsheet set to the Hijri calendar (Arabic,
            # Saudi Arabia: Umm al-Qura) saves it: it was said to be no date "between
            # 2000 and 2100", leaving the person to guess why
            "hijri_dates.csv",
            "hijri_dates.csv: row 2, column 'plan_start': '25/12/1446' is a date of the "
            "Hijri calendar, as a spreadsheet set to it writes one; a plan's dates are "
            "Gregorian, between 2000 and 2100: write YYYY-MM-DD",
        ),
        (
            # a date column formatted as General (or Number) shows the day's number, and
            # the CSV file holds it: it was "not a date", the day it stands for unsaid
            "serial_dates.csv",
            "serial_dates.csv: row 2, column 'plan_start': '45829' is a day as a "
            "spreadsheet counts them (2025-06-21 in Excel's usual count), in a column "
            "that lost its date format; format the column as dates and save the file "
            "again, or write YYYY-MM-DD",
        ),
        (
            # a date or number in a column too narrow for it shows "####", and a CSV
            # file saves what the cell shows: it was "not a date"
            "narrow_column.csv",
            "narrow_column.csv: row 3, column 'plan_start': '########' is what the "
            "spreadsheet shows of a date or number its column is too narrow for; widen "
            "the column and save the file again",
        ),
        (
            # it was "TOML syntax error at line 24, column 12: more text follows a value"
            "decimal_comma.toml",
            "decimal_comma.toml: line 24: 12,5 has a decimal comma; TOML writes decimals "
            "with a point: 12.5",
        ),
    ],
)
def test_bad_fixture_gives_one_line_naming_field_and_place(name, message):
    with pytest.raises(PlanError) as err:
        load_plan(FIXTURES / name)
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_a_date_with_a_midnight_time_is_the_date():
    """A date cell formatted as a date and time is saved so ("21/06/2025 00:00",
    "2027-12-31 00:00:00"): the day, in CSV, and in TOML (a date-time at midnight) and
    JSON alike. It was refused as not a date. Found by QA."""
    plan = load_plan(FIXTURES / "midnight_dates.csv", strict=True)
    assert (plan.start, plan.end) == (date(2025, 6, 21), date(2027, 12, 31))
    text = (FIXTURES / "good_small.toml").read_text(encoding="utf-8").replace(
        "start = 2025-06-21 ", "start = 2025-06-21 00:00:00 ")
    assert parse_plan_text(text, "toml", strict=True).start == date(2025, 6, 21)
    data = small()
    data["plan"]["end"] = "2027-12-31T00:00:00"
    assert plan_from_dict(data).end == date(2027, 12, 31)
    data["plan"]["end"] = "2027-12-31 18:00"
    with pytest.raises(PlanError, match="has a time of day"):
        plan_from_dict(data)


def test_a_number_given_as_text_in_json_is_read_as_csv_reads_it():
    """"target": "12" (a JSON written from a spreadsheet quotes every value) is 12,
    as the same cell of a CSV file; text that is no such number is refused naming the
    field and what to write. Found by QA."""
    data = small()
    data["actions"][0]["indicators"][0]["target"] = "12.5"
    assert plan_from_dict(data).actions[0].indicators[0].target == 12.5
    data["actions"][0]["indicators"][0]["target"] = "12,5"
    with pytest.raises(PlanError) as err:
        plan_from_dict(data)
    assert str(err.value) == (
        "plan: actions[0] (PA1.1).indicators[0] (policies).target: expected a number, got "
        "the text '12,5'; write it as a number (12 or 12.5)")
    # rounded by a spreadsheet, as in a CSV file
    data["actions"][0]["indicators"][0]["target"] = "1.23457E+11"
    with pytest.raises(PlanError, match="was saved rounded"):
        plan_from_dict(data)


def test_an_empty_text_for_a_number_in_json_or_toml_is_no_value_as_an_empty_cell():
    """"baseline": "" (a JSON or TOML file written from a spreadsheet quotes every
    value, an empty cell as "") was refused, "expected a number, got the text ''",
    though text numbers are read as CSV cells are and an empty CSV cell is no value:
    no baseline, no target, no target for that period, as in CSV; the plan's version,
    which a CSV file must give, is said missing. And null is no value wherever "" is:
    a period's target given as null was refused, "missing (required)". Found by QA."""
    data = small()
    indicator = data["actions"][0]["indicators"][0]
    indicator["baseline"], indicator["target"] = "", " "
    indicator["targets"] = {"2025-S2": "", "2026-S1": "3"}
    read = plan_from_dict(data).actions[0].indicators[0]
    assert (read.baseline, read.target, read.targets) == (None, None, (("2026-S1", 3.0),))
    toml = (FIXTURES / "good_small.toml").read_text(encoding="utf-8")
    assert "baseline = 0" in toml
    read = parse_plan_text(toml.replace("baseline = 0", 'baseline = ""', 1), "toml",
                           strict=True).actions[0].indicators[0]
    assert read.baseline is None
    # null is no value, as "" is (it was refused, "missing (required)")
    indicator["baseline"], indicator["target"] = None, None
    indicator["targets"] = {"2025-S2": None, "2026-S1": "3", "2026-S2": None}
    read = plan_from_dict(data).actions[0].indicators[0]
    assert (read.baseline, read.target, read.targets) == (None, None, (("2026-S1", 3.0),))
    read = plan_from_dict(json.loads(json.dumps(data))).actions[0].indicators[0]
    assert read.targets == (("2026-S1", 3.0),)
    # a period that is none is refused all the same, as its CSV column is
    for nothing in ("", None):
        indicator["targets"] = {"2031-S1": nothing}
        with pytest.raises(PlanError, match="2031-S1"):
            plan_from_dict(data)
    for nothing in ("", None):
        data = small()
        data["plan"]["version"] = nothing
        with pytest.raises(PlanError) as err:
            plan_from_dict(data)
        assert str(err.value) == "plan: plan.version: missing (required)"


def test_an_empty_text_for_illustrative_indicators_or_targets_is_none_as_null():
    """"illustrative": "" (on the plan, an area or an action) was refused, "expected
    true or false, got the text ''", and "indicators": "" and "targets": "" were
    refused, though null is accepted in each place and "" is no value for a number:
    "" means what null means, false, no indicators, no targets. Found by QA."""
    data = small()
    data["plan"]["illustrative"] = ""
    data["areas"][1]["illustrative"] = " "
    data["actions"][0]["illustrative"] = ""
    data["actions"][0]["indicators"][0]["targets"] = ""
    data["actions"][1]["indicators"] = ""
    plan = plan_from_dict(data)
    assert (plan.illustrative, plan.areas[1].illustrative, plan.actions[0].illustrative) == (
        False, False, False)
    assert plan.actions[0].indicators[0].targets == ()
    assert plan.actions[1].indicators == ()
    toml = (FIXTURES / "good_small.toml").read_text(encoding="utf-8")
    toml = toml.replace('targets = { "2026-S1" = 3, "2025-S2" = 1 }', 'targets = ""', 1)
    toml = toml.replace("illustrative = true", 'illustrative = ""', 1)
    read = parse_plan_text(toml, "toml", strict=True)
    assert read.areas[1].illustrative is False
    assert read.actions[0].indicators[0].targets == ()
    # a text that says nothing of true or false is refused all the same
    data["plan"]["illustrative"] = "maybe"
    with pytest.raises(PlanError, match=r"plan\.illustrative: expected true or false"):
        plan_from_dict(data)


def test_toml_syntax_error_gives_line_and_column():
    with pytest.raises(PlanError) as err:
        load_plan(FIXTURES / "syntax_error.toml")
    assert str(err.value) == ("syntax_error.toml: TOML syntax error at line 49, column 12: "
                              "a text in quotes is not closed")


def small() -> dict:
    return plan_to_dict(load_plan(FIXTURES / "good_small.toml"))


def mutate(change) -> dict:
    data = small()
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "x: unknown key 'extra'"),
        (lambda d: d["plan"].pop("id"), "x: plan.id: missing (required)"),
        (lambda d: d["plan"].update(version=0), "x: plan.version: expected a positive whole"),
        (lambda d: d["plan"].update(version="1"), "x: plan.version: expected a positive whole"),
        (lambda d: d["plan"].update(version=True), "x: plan.version: expected a positive whole"),
        (lambda d: d["plan"].update(start="21/06/2025"), "x: plan.start: '21/06/2025' is not"),
        (lambda d: d["plan"]["title"].update(en=""), "x: plan.title.en: missing (required)"),
        (lambda d: d["plan"]["title"].update(es="Plan"), "x: plan.title: unknown key 'es'"),
        (lambda d: d.update(areas=[]), "x: areas: empty; the plan needs at least one"),
        (lambda d: d["areas"][1].update(code="PA1"), "x: areas[1] (PA1).code: duplicate area"),
        (lambda d: d["areas"][0].update(code="P A"), "x: areas[0] (P A).code: 'P A' is not an"),
        (
            lambda d: d["actions"][4].update(code="PA1.9"),
            "x: actions[4] (PA1.9).code: 'PA1.9' does not match its area PA2; write PA2.<number>",
        ),
        (
            lambda d: d["actions"][0].update(code="PA1-1"),
            "x: actions[0] (PA1-1).code: 'PA1-1' is not an action code; write <area>.<number>",
        ),
        (lambda d: d["actions"][0].update(code="PA1.0"), "x: actions[0] (PA1.0).code: 'PA1.0' is"),
        (lambda d: d["actions"][1].pop("level"), "x: actions[1] (PA1.2).level: missing (required)"),
        (
            lambda d: d["actions"][1].update(lead="UN"),
            "x: actions[1] (PA1.2).lead: 'UN' is not one of IOM, OIC, joint",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0].update(target=float("nan")),
            "x: actions[0] (PA1.1).indicators[0] (policies).target: 'nan' is not a finite number",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0].update(baseline=True),
            "x: actions[0] (PA1.1).indicators[0] (policies).baseline: expected a number, got "
            "true/false",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0].update(unit=5),
            "x: actions[0] (PA1.1).indicators[0] (policies).unit: expected text, got the number 5",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0].update(key="Bad Key"),
            "x: actions[0] (PA1.1).indicators[0] (Bad Key).key: 'Bad Key' is not an indicator key",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0]["targets"].update({"2026-S3": 1}),
            "x: actions[0] (PA1.1).indicators[0] (policies).targets.2026-S3: '2026-S3' is not a "
            "period; write YYYY-S1 or YYYY-S2",
        ),
        (
            lambda d: d["actions"][0]["indicators"][0]["targets"].update({"2028-S1": 1}),
            "x: actions[0] (PA1.1).indicators[0] (policies).targets.2028-S1: period 2028-S1 is "
            "outside the plan (2025-S2 … 2027-S2)",
        ),
        (lambda d: d["actions"][0].update(indicators={}), "x: actions[0] (PA1.1).indicators: exp"),
    ],
)
def test_dict_errors_name_the_field(change, message):
    with pytest.raises(PlanError) as err:
        plan_from_dict(mutate(change), source="x")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_json_errors(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{"plan": {"id": "x",\n  "version": 1,,}}', encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.json: JSON syntax error at line 2, column 16: "):
        load_plan(path)
    path.write_text('{"plan": {}, "plan": {}, "areas": [], "actions": []}', encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.json: JSON key 'plan' is given twice"):
        load_plan(path)
    data = small()
    data["actions"][0]["level"] = "nation"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.json: actions\[0\] \(PA1.1\).level: 'nation'"):
        load_plan(path)


def csv_text(tmp_path, rows: list[str]) -> Path:
    path = tmp_path / "plan.csv"
    header = (
        "plan_id,plan_version,plan_start,plan_end,plan_title_en,area,area_title_en,action,"
        "level,lead,action_title_en,indicator,indicator_title_en,unit,baseline,target"
    )
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


FIRST = "p,1,2025-06-21,2027-12-31,Plan,PA1,Gov,PA1.1,national,joint,Policies,pol,Pols,count,0,5"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [FIRST, ",,,,,PA1,,PA1.2,regional,IOM,,x,X,count,,"],
            "plan.csv: row 3, column 'action_title_en': missing (required)",
        ),
        ([FIRST, ",,,,,,,PA1.2,regional,IOM,T,,,,,"], "plan.csv: row 3, column 'area': missing"),
        (
            [FIRST, ",,,,,PA2,,,,,,,,,,"],
            "plan.csv: row 3, column 'area_title_en': missing (required)",
        ),
        (
            [FIRST, ",,,,,PA1,,,regional,,,,,,,"],
            "plan.csv: row 3, column 'level': a value on a row whose 'action' is empty",
        ),
        (
            [FIRST, ",2,,,,PA1,,PA1.2,regional,IOM,T,,,,,"],
            "plan.csv: row 3, column 'plan_version': '2' differs from '1' on row 2 for the plan",
        ),
        (
            [FIRST, ",,,,,PA1,,PA1.1,,,,pol,Again,count,,"],
            "plan.csv: row 3, column 'indicator': duplicate indicator key 'pol' (first at row 2)",
        ),
        (
            [FIRST.replace(",0,5", ",0,5,9")],
            "plan.csv: row 2: 17 cells but the header has 16: a value in column Q (17), after "
            "the header's last column",
        ),
        ([FIRST.replace("2025-06-21", "21/06/2025x")], "plan.csv: row 2, column 'plan_start': '21"),
        # only the first row's date is no date: that row is named, not the next; a day
        # and month either way round: both readings said
        ([FIRST.replace("2025-06-21", "05/06/2025"), ",,,,,PA1,,PA1.2,regional,IOM,T,,,,,",
          "p,1,2025-06-21,,,PA1,,PA1.3,regional,IOM,T,,,,,"],
         "plan.csv: row 2, column 'plan_start': '05/06/2025' could be 2025-06-05 or "
         "2025-05-06; write YYYY-MM-DD"),
        # a day the calendar lacks, digits another script writes: their own rows too
        ([FIRST.replace("2025-06-21", "2025-02-30"), ",,,,,PA1,,PA1.2,regional,IOM,T,,,,,",
          "p,1,2025-06-21,,,PA1,,PA1.3,regional,IOM,T,,,,,"],
         "plan.csv: row 2, column 'plan_start': '2025-02-30' is not a date"),
        ([FIRST.replace("2025-06-21", "٢٠٢٥-٠٢-٣٠"), ",,,,,PA1,,PA1.2,regional,IOM,T,,,,,",
          "p,1,2025-06-21,,,PA1,,PA1.3,regional,IOM,T,,,,,"],
         "plan.csv: row 2, column 'plan_start': '٢٠٢٥-٠٢-٣٠' is not a date"),
        # a typo on an action's first row (or the plan's): that row is named, not the
        # next, good one that differs from it: a value wrong on its own…
        ([FIRST.replace("national", "natonal"), ",,,,,PA1,,PA1.1,national,joint,,p2,P,c,,"],
         "plan.csv: row 2, column 'level': 'natonal' is not one of national, regional, global"),
        ([FIRST.replace("joint", "IMO"), ",,,,,PA1,,PA1.1,national,joint,,p2,P,c,,"],
         "plan.csv: row 2, column 'lead': 'IMO' is not one of IOM, OIC, joint"),
        ([FIRST.replace(",1,", ",one,"), "p,1,,,,PA1,,PA1.2,regional,IOM,T,,,,,"],
         "plan.csv: row 2, column 'plan_version': expected a positive whole number"),
        # …the area the action's code does not name…
        ([FIRST.replace(",PA1,", ",PA2,"), ",,,,,PA1,Gov,PA1.1,national,joint,,p2,P,c,,"],
         "plan.csv: row 2, column 'area': 'PA2' differs from 'PA1' on row 3 for action PA1.1"),
        # …the one value the other rows do not give
        ([FIRST.replace("national", "regional"), ",,,,,PA1,,PA1.1,national,joint,,p2,P,c,,",
          ",,,,,PA1,,PA1.1,national,joint,,p3,P,c,,"],
         "plan.csv: row 2, column 'level': 'regional' differs from 'national' on row 3 for "
         "action PA1.1"),
        ([FIRST.replace(",1,", ",11,"), "p,1,,,,PA1,,PA1.2,regional,IOM,T,,,,,",
          "p,1,,,,PA1,,PA1.3,regional,IOM,T,,,,,"],
         "plan.csv: row 2, column 'plan_version': '11' differs from '1' on row 3 for the plan"),
        ([FIRST.replace(",1,", ",one,")], "plan.csv: row 2, column 'plan_version': expected a"),
        # a cell of an invisible character alone is quoted with it escaped, not as ''
        ([FIRST.replace(",0,5", ",0,\u202e")],
         "plan.csv: row 2, column 'target': '\\u202e' is not a number"),
        ([FIRST.replace("2025-06-21", "\u200b")],
         "plan.csv: row 2, column 'plan_start': '\\u200b' is not a date"),
        ([FIRST, "p,1,,,Plan\u200b,PA1,,PA1.2,regional,IOM,T,,,,,"],
         "plan.csv: row 3, column 'plan_title_en': 'Plan\\u200b' differs from 'Plan' on "
         "row 2 for the plan"),
        # a number too large for a float is quoted as the cell gives it, not as 'inf'
        ([FIRST.replace(",0,5", ",0," + "9" * 400)],
         "plan.csv: row 2, column 'target': '" + "9" * 57 + "...' is not a finite number"),
        ([], "plan.csv: no rows under the header"),
    ],
)
def test_csv_errors_name_row_and_column(tmp_path, rows, message):
    with pytest.raises(PlanError) as err:
        load_plan(csv_text(tmp_path, rows))
    assert str(err.value).startswith(message)


def test_csv_rows_that_write_one_value_two_ways_agree(tmp_path):
    """A level, lead or flag is read whatever its case or spelling ("National" as a
    spreadsheet capitalises it, "yes" for true): two rows that write one value two
    ways are no conflict."""
    plan = load_plan(csv_text(tmp_path, [
        FIRST, ",1,,,,PA1,,PA1.1,National,Joint,,p2,P,c,,"]))
    assert (plan.actions[0].level, plan.actions[0].lead) == ("national", "joint")
    assert [i.key for i in plan.actions[0].indicators] == ["pol", "p2"]


@pytest.mark.parametrize("shown", ["21/06/2025", "6/21/2025", "21.06.2025", "21-06-2025",
                                   "2025/06/21", "2025.6.21"])
def test_a_day_as_a_spreadsheet_writes_it_back_is_read(tmp_path, shown):
    """Excel turns the exported 2025-06-21 into 21/06/2025 (or 6/21/2025) on every row
    of a plan edited in it, each refused: a day whose order one number tells is read.
    Locales of member states write 21-06-2025 (Bangladesh, Suriname) and 2025/06/21
    (Iran) too."""
    plan = load_plan(csv_text(tmp_path, [FIRST.replace("2025-06-21", shown)]))
    assert plan.start.isoformat() == "2025-06-21"


@pytest.mark.parametrize("shown", ["٢٠٢٥-٠٦-٢١", "٢١/٠٦/٢٠٢٥", "۲۰۲۵-۰۶-۲۱", "۲۰۲۵/۰۶/۲۱",
                                   "\u200f٢١/\u200f٠٦/\u200f٢٠٢٥", "٢١.٠٦.٢٠٢٥"])
def test_a_day_in_arabic_or_persian_digits_is_read(tmp_path, shown):
    """A spreadsheet set to Arabic or Persian writes 2025-06-21 in its own digits (and
    direction marks between the parts, Windows' Arabic short date): refused as no
    date, where numbers in those digits were read."""
    plan = load_plan(csv_text(tmp_path, [
        FIRST.replace("2025-06-21", shown), "p,1,2025-06-21,,,PA1,,PA1.2,regional,IOM,T,,,,,"]))
    assert plan.start.isoformat() == "2025-06-21"


@pytest.mark.parametrize("fmt", ["toml", "json"])
@pytest.mark.parametrize("shown", ["٢٠٢٥-٠٦-٢١", "۲۰۲۵-۰۶-۲۱", "\u200f٢٠٢٥-٠٦-٢١"])
def test_a_day_in_arabic_or_persian_digits_is_read_in_toml_and_json(tmp_path, fmt, shown):
    """The digits a CSV plan's dates are read in are read in a TOML or JSON plan file
    too (an editor set to Arabic or Persian types them): they were refused there as
    no date."""
    path = tmp_path / f"plan.{fmt}"
    dump_plan(default_plan(), path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"2025-06-21"', json.dumps(shown, ensure_ascii=False), 1)
                    .replace('"2027-12-31"', '"٢٠٢٧-١٢-٣١"', 1), encoding="utf-8")
    plan = load_plan(path)
    assert (plan.start.isoformat(), plan.end.isoformat()) == ("2025-06-21", "2027-12-31")


@pytest.mark.parametrize("shown, said", [
    ("21/06-2025", "'21/06-2025' is not a date"), ("2025/06/31", "'2025/06/31' is not a date"),
    ("01-07-2025", "'01-07-2025' could be 2025-07-01 or 2025-01-07"),
    ("٠١-٠٧-٢٠٢٥", "'٠١-٠٧-٢٠٢٥' could be 2025-07-01 or 2025-01-07"),
    ("۲۰۲۵/۰۶/۳۱", "'۲۰۲۵/۰۶/۳۱' is not a date")])
def test_a_day_written_otherwise_is_refused_naming_its_cell(tmp_path, shown, said):
    with pytest.raises(PlanError, match=rf"^plan.csv: row 2, column 'plan_start': {said}"):
        load_plan(csv_text(tmp_path, [FIRST.replace("2025-06-21", shown, 1)]))


def test_csv_header_problems(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_text("plan_id,area,action\np,PA1,PA1.1\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.csv: row 1: missing column 'plan_version'$"):
        load_plan(path)
    path.write_text("area,area\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.csv: row 1, column 'area': column given twice"):
        load_plan(path)
    path.write_text("area,target_2026-S3\n", encoding="utf-8")
    with pytest.raises(PlanError, match=r"^plan.csv: row 1, column 'target_2026-S3': '2026-S3'"):
        load_plan(path)


def test_csv_must_be_utf8(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes("area,action\nPA1,Améliorer\n".encode("cp1252"))
    with pytest.raises(PlanError, match=r"^plan.csv: row 2, column 'action': not UTF-8 text; "
                                        r"save it as"):
        load_plan(path)


def test_unsupported_or_missing_files(tmp_path):
    with pytest.raises(PlanError, match=r"^plan.ods: unknown plan file type '.ods'; use "
                                        r"\.toml, \.json, \.csv or \.xlsx"):
        load_plan(tmp_path / "plan.ods")
    # a bundle picked for a plan file (the two travel together on a stick)
    with pytest.raises(PlanError, match=r"^ML-1a2b3c4d-1-9.fieldplan: a fieldplan bundle, "
                                        r"not a plan file: import it as a bundle"):
        load_plan(tmp_path / "ML-1a2b3c4d-1-9.fieldplan")
    with pytest.raises(PlanError, match=r"^nowhere.toml: cannot read the file"):
        load_plan(tmp_path / "nowhere.toml")
    with pytest.raises(PlanError, match="unknown plan format 'yaml'"):
        parse_plan_text("", "yaml")
    with pytest.raises(PlanError, match="unknown plan file type"):
        dump_plan(default_plan(), tmp_path / "plan.txt")


def test_levels_and_leads_come_from_the_model():
    assert {a.level for a in default_plan().actions} == set(LEVELS)


def test_a_report_field_is_named_by_the_plan_in_the_language():
    from fieldplan.i18n import field_label, set_language

    plan = default_plan()
    action = next(a for a in plan.actions if a.indicators)
    ind = action.indicators[0]
    assert plan.field_label(action.code, f"value.{ind.key}", "ar") == ind.title.ar
    assert action.field_label(f"value.{ind.key}", "fr") == ind.title.fr
    set_language("ar")
    try:
        assert action.field_label(f"value.{ind.key}") == ind.title.ar  # the current one
    finally:
        set_language("en")
    # not (or no longer) in the plan: by its key; other fields as i18n names them
    assert plan.field_label(action.code, "value.gone", "fr") == field_label("value.gone", "fr")
    assert plan.field_label("PA9.9", f"value.{ind.key}") == f"Indicator {ind.key}"
    assert plan.field_label("", "status", "fr") == field_label("status", "fr")
    assert action.field_label("achievements") == "Achievements"


def test_a_toml_time_of_day_given_for_a_date_is_named_in_words(tmp_path):
    """TOML has a time-of-day value (start = 10:00:00): the refusal says what it got in
    words of the person's language, not Python's name for it ('time')."""
    path = tmp_path / "plan.toml"
    text = format_plan(load_plan(FIXTURES / "good_small.toml"), "toml")
    path.write_text(re.sub(r'(?m)^start = "[^"]*"$', "start = 10:00:00", text, count=1),
                    encoding="utf-8")
    with pytest.raises(PlanError) as err:
        load_plan(path)
    assert str(err.value) == ("plan.toml: plan.start: expected a date (YYYY-MM-DD), got the "
                              "time 10:00:00")


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_a_progress_table_picked_for_a_plan_file_is_named_so(hq, tmp_path, fmt):
    """HQ keeps the table it exported beside the plan it exported, both .csv: picking
    the one for the other was "row 1: unknown column 'office'", leaving the person to
    guess which file that is."""
    from fieldplan.tabular import export_table

    path = tmp_path / "progress.csv"
    export_table(hq, fmt, tmp_path / f"progress.{fmt}")
    path.write_bytes((tmp_path / f"progress.{fmt}").read_bytes())
    with pytest.raises(PlanError, match=r"^progress.csv: a table of progress reports \(Export "
                                        r"table, 'fieldplan data export'\), not a plan file; "):
        load_plan(path)


def test_arabic_a_spreadsheet_saved_as_question_marks_is_refused_naming_its_cell(tmp_path):
    """Excel's "CSV (Comma delimited)" writes Windows-1252: each Arabic letter becomes
    "?". With English in plain ASCII and no French, the file is valid UTF-8 and was
    installed with Arabic titles of "??? ?????", sent to every office, without a word."""
    path = tmp_path / "plan.csv"
    header = ("plan_id,plan_version,plan_start,plan_end,plan_title_en,area,area_title_en,"
              "action,level,lead,action_title_en,action_title_ar,indicator,"
              "indicator_title_en,unit,description_en")
    arabic = "دعم السياسات IOM الوطنية"
    row = (f"p,1,2025-06-21,2027-12-31,Plan,PA1,Gov,PA1.1,national,joint,Policies,{arabic},"
           "pol,Pols,count,Why?? Because.")
    path.write_bytes(f"{header}\r\n{row}\r\n".encode("cp1252", "replace"))
    with pytest.raises(PlanError, match=r"^plan.csv: row 2, column 'action_title_ar': '\?\?\? "
                                        r"\?+ IOM \?+' has question marks where its letters "
                                        r"were: .* save it as 'CSV UTF-8'$"):
        load_plan(path)
    # question marks a person typed are text
    path.write_bytes(f"{header}\r\n{row}\r\n".encode())
    plan = load_plan(path)
    assert plan.actions[0].title.ar == arabic
    assert plan.actions[0].description.en == "Why?? Because."


def _titled(tmp_path, column: str, title: str) -> Path:
    """A plan CSV whose action has ``title`` in ``column`` (action_title_fr or _ar)."""
    path = tmp_path / "plan.csv"
    header = ("plan_id,plan_version,plan_start,plan_end,plan_title_en,area,area_title_en,"
              f"action,level,lead,action_title_en,{column},indicator,indicator_title_en,unit")
    row = ["p", "1", "2025-06-21", "2027-12-31", "Plan", "PA1", "Gov", "PA1.1", "national",
           "joint", "Policies", title, "pol", "Pols", "count"]
    out = io.StringIO(newline="")
    csv.writer(out).writerow(row)
    path.write_text(f"{header}\r\n{out.getvalue()}", encoding="utf-8")
    return path


@pytest.mark.parametrize("column, arabic", [
    ("action_title_ar", "دعم IOM"), ("action_title_ar", "IOM دعم"),
    ("action_title_ar", "دعم OIC و IOM"), ("action_title_ar", "IOM (الدعم)"),
    ("action_title_ar", "IOM وOIC: دعم"), ("action_title_fr", "دعم IOM")])
def test_a_short_arabic_title_with_an_acronym_saved_as_question_marks_is_refused(
        tmp_path, column, arabic):
    """"دعم IOM" saved by a spreadsheet in Windows-1252 is "??? IOM": as many marks as
    letters, it passed the check that a cell of question marks meets, and was installed
    so at every office."""
    lost = arabic.encode("cp1252", "replace").decode("cp1252")
    with pytest.raises(PlanError, match=rf"^plan.csv: row 2, column '{column}': "
                                        rf"'{re.escape(lost)}' has question marks where its "
                                        r"letters were: "):
        load_plan(_titled(tmp_path, column, lost))
    assert load_plan(_titled(tmp_path, column, arabic)).actions[0].title.get(
        column[-2:]) == arabic


@pytest.mark.parametrize("column, title", [
    ("action_title_fr", "Quoi?? Encore"), ("action_title_fr", "Politiques (?) et IOM"),
    ("action_title_fr", "Pourquoi ?? IOM"), ("action_title_fr", "Pourquoi\u202f?? IOM"),
    ("action_title_fr", "IOM ???"), ("action_title_fr", "Cible : ?? (à confirmer)"),
    ("action_title_ar", "لماذا ?? IOM"), ("action_title_ar", "What?? IOM"),
    ("action_title_ar", "IOM (?) OIC")])
def test_question_marks_a_person_typed_beside_words_are_text(tmp_path, column, title):
    """Marks on a word ("What??"), one alone ("(?)"), French's "??" set apart after the
    word it ends, marks in a cell that has Arabic letters (not saved without them)."""
    assert load_plan(_titled(tmp_path, column, title)).actions[0].title.get(
        column[-2:]) == title


@pytest.mark.parametrize("true, false", [("TRUE", "FALSE"), ("VRAI", "FAUX"),
                                         ("DOĞRU", "YANLIŞ"), ("ИСТИНА", "ЛОЖЬ"),
                                         ("VERDADEIRO", "FALSO"), ("BENAR", "SALAH")])
def test_true_and_false_as_a_spreadsheet_in_another_language_writes_them_are_read(
        tmp_path, true, false):
    """Excel writes its booleans back in its own language (Turkish, Russian,
    Portuguese, Indonesian computers in member states): each was "not true or false"
    on every row."""
    path = csv_text(tmp_path, [FIRST + f",{true},{false}"])
    path.write_text(path.read_text("utf-8").replace(
        ",target\n", ",target,plan_illustrative,area_illustrative\n", 1), "utf-8")
    plan = load_plan(path)
    assert plan.illustrative and not plan.areas[0].illustrative


def test_the_plan_held_in_a_database_is_read_without_the_csv_reader() -> None:
    """A plan's dates as the database holds them (YYYY-MM-DD) are read without loading
    the CSV reader, which each start paid for (its import on the thread that reads the
    plan, during the window's first paint) since dates with a time of day were read."""
    import subprocess
    import sys

    probe = ("import sys\n"
             "from fieldplan.plan import default_plan, plan_from_dict, plan_to_dict\n"
             "plan_from_dict(plan_to_dict(default_plan()))\n"
             "print('fieldplan.plan_csv' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).parent.parent.parent)
    assert result.stdout.strip() == "False", result.stderr
