"""``data export``: files people open in Excel or LibreOffice and feed to HXL tools.

Reports the plan hides are in the file, and marked, so totals can agree with the
review pack; HXL's hashtags pass a standard validator (dates are dates, numbers are
numbers); XLSX has date cells, blank cells, wrapped narratives, right-to-left Arabic
and a sheet of indicator values."""

from __future__ import annotations

import csv
import dataclasses
from datetime import date, datetime
from pathlib import Path

import pytest

from fieldplan import progress, tabular
from fieldplan.errors import ValidationError
from fieldplan.planops import PlanScope
from fieldplan.sync import export_bundle, import_bundle
from tests.cli.test_cli_messages import run
from tests.fixtures.reports.seed import amended_actions, write_progress

#: the columns of the first release, in their order: people's spreadsheets refer to them
FIRST_COLUMNS = [
    "office", "office_name", "country", "action", "action_title", "area", "level",
    "period", "status", "percent", "indicators", "state", "achievements", "challenges",
    "next_steps", "updated_at", "updated_by",
]

#: what the amendment of ``amended`` hides: (office, action, period) → plan_hidden
HIDDEN = {
    ("ML", "PA1.1", "2026-S1"): "level",
    ("ML", "PA4.3", "2026-S1"): "action",
    ("TR", "PA1.1", "2025-S2"): "period level",
    ("TR", "PA1.2", "2025-S2"): "period",
}


@pytest.fixture
def amended(hq, tmp_path):
    """Mali reported on its 12 national actions for 2026-S1, Türkiye on PA1.1 and
    PA1.2 for 2025-S2; then an amendment dropped PA4.3 and PA1.2's indicator
    data-reports, moved PA1.1 to regional and started the plan in 2026."""
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    assert write_progress(hq, "ML", "2026-S1") == 12
    assert write_progress(hq, "TR", "2025-S2", only=2) == 2
    plan = hq.plan()
    actions = amended_actions(plan, frozenset({("PA1.2", "data-reports")}))
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, start=date(2026, 1, 1),
                                  actions=actions), path)
    replace_plan(hq, path, allow_hiding=True)
    return hq


def _csv(path: Path, *, hxl: bool = False) -> tuple[list[str], list[str], list[dict]]:
    """header, hashtags (HXL) and rows of a CSV or HXL file, read as Excel would
    (UTF-8 with its byte-order mark)."""
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    table = list(csv.reader(raw.decode("utf-8-sig").splitlines(keepends=True)))
    header, tags = table[0], table[1] if hxl else []
    body = table[2 if hxl else 1:]
    return header, tags, [dict(zip(header, r, strict=True)) for r in body]


def _key(row: dict) -> tuple[str, str, str]:
    return row["office"], row["action"], row["period"]


# 1. reports the plan hides ---------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_hidden_reports_are_exported_and_marked(amended, tmp_path: Path, fmt) -> None:
    out = tmp_path / f"progress.{fmt}"
    assert tabular.write_table(amended, fmt, out) == tabular.TableExport(rows=14, hidden=4)
    header, tags, data = _csv(out, hxl=fmt == "hxl")
    assert header[:len(FIRST_COLUMNS)] == FIRST_COLUMNS  # new columns only at the end
    assert len(data) == 14
    assert {_key(r): r["plan_hidden"] for r in data if r["plan_hidden"]} == HIDDEN
    # the one rule the review pack and status sheets use
    scope = PlanScope(amended.plan())
    assert all(r["plan_hidden"] == " ".join(scope.why_hidden(*_key(r))) for r in data)
    if fmt == "hxl":
        assert tags[header.index("plan_hidden")] == "#meta+hidden"


def test_a_removed_action_keeps_its_title_area_and_level(amended, tmp_path: Path) -> None:
    """The current plan has no PA4.3: its rows take what the plan version before had."""
    from fieldplan.plan import default_plan

    old = default_plan().action("PA4.3")
    for lang in ("en", "fr"):
        row = next(r for r in tabular.rows(amended, lang) if r["action"] == "PA4.3")
        assert (row["action_title"], row["area"], row["level"], row["plan_hidden"]) == (
            old.title.get(lang), "PA4", "national", "action")
    out = tmp_path / "p.csv"
    tabular.write_table(amended, "csv", out)
    row = next(r for r in _csv(out)[2] if r["action"] == "PA4.3")
    assert (row["action_title"], row["area"], row["level"]) == (old.title.en, "PA4",
                                                                "national")


def test_a_removed_action_takes_the_latest_version_that_had_it(amended, tmp_path: Path
                                                                ) -> None:
    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = amended.plan()
    renamed = tuple(dataclasses.replace(a, title=dataclasses.replace(a.title, en="Renamed"),
                                        level="global") if a.code == "PA4.2" else a
                    for a in plan.actions)
    for version, actions in ((3, renamed),
                             (4, tuple(a for a in plan.actions if a.code != "PA4.2"))):
        path = tmp_path / f"plan-v{version}.json"
        dump_plan(dataclasses.replace(plan, version=version, actions=actions), path)
        replace_plan(amended, path, allow_hiding=True)
    rows = {r["action"]: r for r in tabular.rows(amended)}
    assert (rows["PA4.2"]["action_title"], rows["PA4.2"]["level"]) == ("Renamed", "global")
    assert rows["PA4.3"]["area"] == "PA4"


def test_an_action_no_plan_version_had_gets_its_area_from_its_code(amended) -> None:
    amended.conn.execute("UPDATE progress SET action = 'PA9.1' WHERE action = 'PA4.3'")
    row = next(r for r in tabular.rows(amended) if r["action"] == "PA9.1")
    assert (row["action_title"], row["area"], row["level"]) == ("", "PA9", "")
    assert tabular._area_of_code("not a code") == ""


def test_export_table_still_returns_the_number_of_rows(amended, tmp_path: Path) -> None:
    """The client's menu item reads export_table's int."""
    count = tabular.export_table(amended, "xlsx", tmp_path / "p.xlsx", lang="fr",
                                 period="2026-S1")
    assert count == 12 and type(count) is int


def test_data_export_says_how_many_rows_the_plan_hides(amended, tmp_path: Path,
                                                       capsys) -> None:
    amended.close()
    db, out = str(tmp_path / "hq.sqlite3"), tmp_path / "p.csv"
    code, stdout, err = run("--db", db, "--json", "data", "export", "--format", "csv",
                            "-o", str(out), capsys=capsys)
    assert code == 0
    assert '"hidden": 4' in stdout and '"rows": 14' in stdout
    code, stdout, err = run("--db", db, "data", "export", "--format", "xlsx",
                            "-o", str(tmp_path / "p.xlsx"), capsys=capsys)
    assert (code, stdout) == (0, f"{tmp_path / 'p.xlsx'}\n")  # the path stays alone
    assert err == ("fieldplan: warning: 4 rows are reports the current plan hides, marked "
                   "in the column plan_hidden: the review pack, the status sheets and "
                   "'fieldplan status' leave them out\n")
    code, stdout, err = run("--db", db, "data", "export", "--format", "csv", "--period",
                            "2026-S2", "-o", str(out), capsys=capsys)
    assert (code, err) == (0, "")  # nothing hidden, nothing said
    code, stdout, err = run("--db", db, "--json", "data", "export", "--format", "csv",
                            "--period", "2026-S2", "-o", str(out), capsys=capsys)
    assert '"hidden": 0' in stdout and '"rows": 0' in stdout


def test_one_hidden_row_is_said_in_the_singular(amended, tmp_path: Path, capsys) -> None:
    amended.conn.execute("DELETE FROM progress WHERE office = 'TR'")
    amended.conn.execute("DELETE FROM progress WHERE action = 'PA4.3'")
    amended.conn.commit()
    amended.close()
    code, _, err = run("--db", str(tmp_path / "hq.sqlite3"), "data", "export", "--format",
                       "csv", "-o", str(tmp_path / "p.csv"), capsys=capsys)
    assert code == 0
    assert err == ("fieldplan: warning: 1 row is a report the current plan hides, marked "
                   "in the column plan_hidden: the review pack, the status sheets and "
                   "'fieldplan status' leave it out\n")


def test_a_period_outside_the_plan_with_reports_held_can_be_picked(amended,
                                                                   tmp_path: Path) -> None:
    assert [(r.office, r.action) for r in progress.list_reports(amended, "2025-s2")] == [
        ("TR", "PA1.1"), ("TR", "PA1.2")]
    assert progress.list_reports(amended, "2025-S2", office="ML") == []
    out = tmp_path / "p.csv"
    assert tabular.write_table(amended, "csv", out, period="2025-S2") == \
        tabular.TableExport(rows=2, hidden=2)
    assert {_key(r) for r in _csv(out)[2]} == {("TR", "PA1.1", "2025-S2"),
                                               ("TR", "PA1.2", "2025-S2")}
    # a period with nothing held outside the plan, or no period at all, is refused
    with pytest.raises(ValidationError, match=r"^period 2025-S1 is outside the plan "):
        progress.list_reports(amended, "2025-S1")
    with pytest.raises(ValidationError, match="is not a period"):
        tabular.export_table(amended, "csv", out, period="2025-S3")
    # the plan's other checks are as strict as before
    with pytest.raises(ValidationError, match="outside the plan"):
        progress.submit_period(amended, "2025-S2")


def test_progress_list_and_data_export_take_a_held_period(amended, tmp_path: Path,
                                                          capsys) -> None:
    amended.close()
    db = str(tmp_path / "hq.sqlite3")
    code, out, err = run("--db", db, "--json", "progress", "list", "--period", "2025-S2",
                         capsys=capsys)
    assert code == 0, err
    assert out.count('"office": "TR"') == 2
    code, out, err = run("--db", db, "data", "export", "--format", "csv", "--period",
                         "2025-s2", "-o", str(tmp_path / "p.csv"), capsys=capsys)
    assert code == 0 and "2 rows are reports the current plan hides" in err
    code, out, err = run("--db", db, "data", "export", "--format", "csv", "--period",
                         "2030-S1", "-o", str(tmp_path / "p.csv"), capsys=capsys)
    assert (code, out) == (1, "")
    assert err == "fieldplan: error: period 2030-S1 is outside the plan (2026-S1 … 2027-S2)\n"


# 2. HXL a validator accepts --------------------------------------------------------

#: HXL's default schema: these hashtags (and any with +num) always hold numbers, and
#: #indicator columns one datatype each
NUMBER_TAGS = ("#population", "#affected", "#inneed", "#targeted", "#reached", "#value")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_hxl_dates_are_dates_and_numbers_numbers(amended, tmp_path: Path) -> None:
    out = tmp_path / "progress.hxl"
    tabular.export_table(amended, "hxl", out, lang="ar")
    header, tags, data = _csv(out, hxl=True)
    assert all(t.startswith("#") for t in tags) and len(set(tags)) == len(tags)
    checked = set()
    for column, tag in zip(header, tags, strict=True):
        base, *attributes = tag.split("+")
        values = [r[column] for r in data if r[column]]
        if base == "#date":
            for v in values:
                (datetime if "T" in v else date).fromisoformat(v)  # ISO, or it raises
            checked.add(column)
        if base in NUMBER_TAGS or "num" in attributes or base == "#indicator":
            assert all(_is_number(v) for v in values), (column, values[:3])
            checked.add(column)
    assert checked == {"updated_at", "period_start", "period_end", "percent"}
    tag_of = dict(zip(header, tags, strict=True))
    assert (tag_of["period"], tag_of["indicators"], tag_of["country"]) == (
        "#meta+period", "#meta+indicators", "#country+code+v_iso2")
    rows = {_key(r): r for r in data}
    # the period's days in the plan: 2026-S1 is the amended plan's first period
    assert (rows["ML", "PA1.2", "2026-S1"]["period_start"],
            rows["ML", "PA1.2", "2026-S1"]["period_end"]) == ("2026-01-01", "2026-06-30")
    # a period outside it: the semester's
    assert (rows["TR", "PA1.2", "2025-S2"]["period_start"],
            rows["TR", "PA1.2", "2025-S2"]["period_end"]) == ("2025-07-01", "2025-12-31")
    assert rows["ML", "PA1.2", "2026-S1"]["country"] == "ML"


def test_a_folded_period_starts_on_the_plans_start(hq, tmp_path: Path) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2025-S2", status="on-track")
    out = tmp_path / "p.hxl"
    tabular.export_table(hq, "hxl", out)
    [row] = _csv(out, hxl=True)[2]
    assert (row["period"], row["period_start"], row["period_end"], row["plan_hidden"]) == (
        "2025-S2", "2025-06-21", "2025-12-31", "")


# 3. XLSX for people ----------------------------------------------------------------

def _sheet(path: Path, name: str = "progress") -> tuple[object, list[dict]]:
    from openpyxl import load_workbook

    ws = load_workbook(path)[name]
    header = [c.value for c in ws[1]]
    return ws, [dict(zip(header, r, strict=True)) for r in ws.iter_rows(min_row=2)]


def test_xlsx_cells_have_their_types(hq, tmp_path: Path) -> None:
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track", percent=40,
                             achievements="Line one\nline two")
    when = progress.get_report(hq, act, "2026-S1").updated_at
    out = tmp_path / "p.xlsx"
    tabular.export_table(hq, "xlsx", out)
    ws, [row] = _sheet(out)
    assert [c.value for c in ws[1]][:len(FIRST_COLUMNS)] == FIRST_COLUMNS
    # a time is a date-time cell (in UTC, which the format says), a day a date cell
    stamp = row["updated_at"]
    assert stamp.is_date and stamp.value == datetime.fromisoformat(when).replace(tzinfo=None)
    assert "hh:mm" in stamp.number_format and "UTC" in stamp.number_format
    assert row["period_start"].is_date and row["period_start"].number_format == "yyyy-mm-dd"
    assert row["period_start"].value == datetime(2026, 1, 1)
    assert row["percent"].value == 40 and row["percent"].data_type == "n"
    # empty text is a blank cell: HQ has no country, the report no challenges
    for column in ("country", "challenges", "next_steps", "indicators", "plan_hidden"):
        assert row[column].value is None, column
        assert row[column].data_type not in ("s", "inlineStr"), column  # not ""
    assert row["achievements"].value == "Line one\nline two"


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_a_narrative_reads_the_way_most_of_its_words_read(hq, tmp_path: Path, lang) -> None:
    """Excel and LibreOffice lay a cell out by its first letter: an Arabic narrative
    that starts with "IOM" (or "PA1.2") read left to right, its words in the wrong
    order, as the client and the PDF reports no longer show it. Such a cell says it
    reads right to left; a French one that starts with an Arabic name says it reads
    left to right; any other is left to the spreadsheet (its first letter is right)."""
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(
        hq, act, "2026-S1", status="on-track",
        achievements="IOM و OIC نظّمتا ورشة عمل حول سياسات الهجرة",
        challenges="- IOM لم تتلقَّ التمويل بعد",  # quoted as well: it starts with "-"
        next_steps="وزارة الداخلية a reçu le rapport et le présentera en juin")
    out = tmp_path / "p.xlsx"
    tabular.export_table(hq, "xlsx", out, lang=lang)
    ws, [row] = _sheet(out)
    assert bool(ws.sheet_view.rightToLeft) == (lang == "ar")
    order = {c: row[c].alignment.readingOrder for c in ("achievements", "challenges",
                                                        "next_steps", "office_name")}
    assert order == {"achievements": 2, "challenges": 2, "next_steps": 1,
                     "office_name": 0}
    assert row["achievements"].alignment.wrap_text  # still wraps, at the top
    assert row["achievements"].alignment.vertical == "top"
    assert row["challenges"].quotePrefix and not row["achievements"].quotePrefix
    assert row["challenges"].value == "- IOM لم تتلقَّ التمويل بعد"  # as typed


def test_a_narrative_past_a_spreadsheet_cell_is_cut_saying_so(hq, tmp_path: Path) -> None:
    """20,000 emoji (the most a narrative holds) are 40,000 UTF-16 units: past the
    32,767 a spreadsheet cell holds, which would make Excel call the file damaged.
    Cut to fit, saying so; a text that fits stays whole; the CSV keeps it all."""
    act = hq.plan().actions_of(level="global")[0].code
    long = "\U0001F30D" * progress.MAX_TEXT
    progress.record_progress(hq, act, "2026-S1", status="on-track", achievements=long,
                             challenges="x" * progress.MAX_TEXT)
    out = tmp_path / "p.xlsx"
    tabular.export_table(hq, "xlsx", out)
    _ws, [row] = _sheet(out)
    text = row["achievements"].value
    assert len(text.encode("utf-16-le")) // 2 <= tabular.CELL_UNITS
    assert text.startswith("\U0001F30D" * 16_000)
    assert text.endswith(" [cut: a spreadsheet cell holds no more; the CSV export has it all]")
    assert row["challenges"].value == "x" * progress.MAX_TEXT
    csv_out = tmp_path / "p.csv"
    tabular.export_table(hq, "csv", csv_out)
    [record] = list(csv.DictReader(csv_out.open(encoding="utf-8-sig")))
    assert record["achievements"] == long


@pytest.mark.parametrize(("interface", "lang"), [("en", "fr"), ("en", "ar"), ("fr", "en")])
def test_the_note_on_a_cut_cell_is_in_the_exports_language(hq, tmp_path: Path, interface,
                                                          lang) -> None:
    """The workbook's words are in the language chosen for it, whatever the client's:
    a French export made from an English client said "[cut: …]" in English."""
    from fieldplan import i18n

    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements="\U0001F30D" * progress.MAX_TEXT)
    i18n.set_language(interface)
    out = tmp_path / "p.xlsx"
    tabular.export_table(hq, "xlsx", out, lang=lang)
    _ws, [row] = _sheet(out)
    note = i18n.translation(lang).gettext(
        "[cut: a spreadsheet cell holds no more; the CSV export has it all]")
    assert row["achievements"].value.endswith("\U0001F30D " + note)
    assert ("cut:" in note) == (lang == "en")
    assert len(row["achievements"].value.encode("utf-16-le")) // 2 <= tabular.CELL_UNITS


def test_xlsx_layout_header_widths_wrap_and_direction(amended, tmp_path: Path) -> None:
    amended.conn.execute("UPDATE progress SET achievements = ? WHERE action = 'PA1.2'",
                         ("A workshop was held with the Ministry of Labour. " * 5,))
    amended.conn.commit()
    for lang in ("en", "fr", "ar"):
        out = tmp_path / f"p-{lang}.xlsx"
        tabular.export_table(amended, "xlsx", out, lang=lang)
        for name in ("progress", "indicators"):
            ws, data = _sheet(out, name)
            assert bool(ws.sheet_view.rightToLeft) == (lang == "ar"), (lang, name)
            assert ws.freeze_panes == "A2" and all(c.font.b for c in ws[1])
            assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}" \
                                         f"{ws.max_row}"
            for cell in ws[1]:
                width = ws.column_dimensions[cell.column_letter].width
                assert len(cell.value) < width <= 62, (cell.value, width)
        ws, data = _sheet(out)
        widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
        for column in ("achievements", "challenges", "next_steps"):
            assert all(r[column].alignment.wrap_text for r in data)
        # a long narrative wraps in a wide column; short ones need no more than theirs
        assert widths["achievements"] == 62
        assert widths["challenges"] == len("Funding arrived late.") + 2
        assert not any(r["office"].alignment.wrap_text for r in data)
        assert widths["office"] < 15 and widths["action_title"] > 30
        assert widths["updated_at"] >= len("2026-03-12 09:30:00 UTC")
    _, data = _sheet(tmp_path / "p-ar.xlsx")
    assert data[0]["office_name"].value in {"مالي", "تركيا"}


def test_xlsx_indicator_values_sheet(amended, tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    tabular.export_table(amended, "xlsx", out, lang="fr")
    ws, data = _sheet(out, "indicators")
    assert [c.value for c in ws[1]] == list(tabular.INDICATOR_COLUMNS)
    rows = {(r["office"].value, r["action"].value, r["period"].value, r["indicator"].value):
            {k: c.value for k, c in r.items()} for r in data}
    # every value recorded, as a number
    assert len(rows) == len(data) == sum(
        len(r.values) for r in progress.list_reports(amended))
    assert all(isinstance(r["value"], int | float) for r in rows.values())
    trained = rows["ML", "PA1.2", "2026-S1", "officials-trained"]
    assert trained == {
        "office": "ML", "office_name": "Mali", "action": "PA1.2", "period": "2026-S1",
        "indicator": "officials-trained",
        "indicator_title": next(i for i in amended.plan().action("PA1.2").indicators
                                if i.key == "officials-trained").title.get("fr"),
        "unit": "people", "value": 3, "target": 150, "plan_hidden": None,
        "unit_name": "personnes"}
    assert trained["indicator_title"].startswith("Fonctionnaires")
    # an indicator the action no longer has (named as the plan version before put
    # it), and the hidden reports' values
    from fieldplan.plan import default_plan

    old = default_plan().action("PA1.2").indicator("data-reports")
    dropped = rows["ML", "PA1.2", "2026-S1", "data-reports"]
    assert (dropped["value"], dropped["indicator_title"], dropped["unit"], dropped["target"],
            dropped["plan_hidden"]) == (4, old.title.fr, "documents", 10, "indicator")
    assert rows["TR", "PA1.2", "2025-S2", "data-reports"]["plan_hidden"] == "period indicator"
    assert rows["TR", "PA1.2", "2025-S2", "officials-trained"]["plan_hidden"] == "period"
    assert rows["ML", "PA4.3", "2026-S1", "returnees-supported"]["plan_hidden"] == "action"
    assert rows["ML", "PA1.1", "2026-S1", "policies-supported"]["plan_hidden"] == "level"


def _values(rep, lang: str = "en") -> dict[tuple[str, str, str, str], dict]:
    """The indicator rows of every report, by (office, action, period, indicator)."""
    return {(r["office"], r["action"], r["period"], r["indicator"]): r
            for r in tabular.indicator_rows(rep, tabular.rows(rep, lang), lang)}


def test_values_of_removed_actions_and_indicators_keep_title_unit_and_target(
        amended) -> None:
    """PA4.3 is gone, and PA1.2's data-reports: their values are named, measured and
    aimed at as the plan version before the amendment had them (target for the period)."""
    from fieldplan.plan import default_plan

    old = default_plan()
    returnees = old.action("PA4.3").indicator("returnees-supported")
    reports = old.action("PA1.2").indicator("data-reports")
    assert returnees.target_for("2026-S1") not in (None, returnees.target)  # its own
    for lang in ("en", "fr", "ar"):
        values = _values(amended, lang)
        row = values["ML", "PA4.3", "2026-S1", "returnees-supported"]
        assert (row["indicator_title"], row["unit"], row["target"], row["plan_hidden"]) == (
            returnees.title.get(lang), "people", returnees.target_for("2026-S1"), "action")
        for office, period, hidden in (("ML", "2026-S1", "indicator"),
                                       ("TR", "2025-S2", "period indicator")):
            row = values[office, "PA1.2", period, "data-reports"]
            assert (row["indicator_title"], row["unit"], row["target"],
                    row["plan_hidden"]) == (reports.title.get(lang), "documents",
                                            reports.target_for(period), hidden)


def test_a_removed_indicator_takes_the_latest_version_that_had_it(amended,
                                                                  tmp_path: Path) -> None:
    """data-reports came back in version 3, retitled, in other units and with a target
    for 2026-S1, then left again in version 4: its values are as version 3 put them."""
    from fieldplan.plan import Text, default_plan, dump_plan
    from fieldplan.planops import replace_plan

    plan = amended.plan()
    back = dataclasses.replace(default_plan().action("PA1.2").indicator("data-reports"),
                               title=Text("Reports out", "Rapports parus"), unit="reports",
                               target=12.0, targets=(("2026-S1", 5.0),))
    with_it = tuple(dataclasses.replace(a, indicators=(*a.indicators, back))
                    if a.code == "PA1.2" else a for a in plan.actions)
    for version, actions in ((3, with_it), (4, plan.actions)):
        path = tmp_path / f"plan-v{version}.json"
        dump_plan(dataclasses.replace(plan, version=version, actions=actions), path)
        replace_plan(amended, path, allow_hiding=True)
    assert amended.plan().version == 4
    values = _values(amended, "fr")
    row = values["ML", "PA1.2", "2026-S1", "data-reports"]
    assert (row["indicator_title"], row["unit"], row["target"], row["plan_hidden"]) == (
        "Rapports parus", "reports", 5, "indicator")
    row = values["TR", "PA1.2", "2025-S2", "data-reports"]
    # no target of its own: the next milestone's, not the end target (12)
    assert (row["target"], row["plan_hidden"]) == (5, "period indicator")


def test_a_report_of_an_office_code_this_version_does_not_know_is_listed(hq, tmp_path: Path
                                                                         ) -> None:
    """(written by a newer fieldplan's member state) the review pack leaves it out and
    says a data export lists it: the export listed nothing, failing on its name."""
    from fieldplan import events, store

    write_progress(hq, "ML", "2026-S1", only=1)
    code = hq.plan().actions_of(level="national")[0].code
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", f"ZZ|{code}|2026-S1",
                      {"status": "on-track", "state": "submitted"}, author="zz.officer")
    tabular.export_table(hq, "csv", tmp_path / "d.csv")
    _, _, rows = _csv(tmp_path / "d.csv")
    zz = [r for r in rows if r["office"] == "ZZ"]
    assert [(r["office_name"], r["country"], r["action"]) for r in zz] == [("", "", code)]
    assert [r["office_name"] for r in rows if r["office"] == "ML"] == ["Mali"]


# 4. progress and cancel -----------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "hxl", "xlsx"])
def test_progress_counts_the_rows_up_to_the_end(amended, tmp_path: Path, fmt) -> None:
    """A real bar: the total known from the start, each row counted once (an XLSX
    file's indicator values too), ending at the total."""
    seen: list[tuple[int, int]] = []
    out = tmp_path / f"p.{fmt}"
    tabular.write_table(amended, fmt, out, progress=lambda d, t, _label: seen.append((d, t)))
    values = sum(len(r.values) for r in progress.list_reports(amended))
    total = 14 + (values if fmt == "xlsx" else 0)
    assert seen == [(done, total) for done in range(total + 1)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cancel_leaves_no_file_and_the_old_one_as_it_was(amended, tmp_path: Path,
                                                         fmt) -> None:
    """Cancelled half-way: CancelledError, no file (nor a temporary one beside it), and
    a file of that name kept whole."""
    from fieldplan.errors import CancelledError

    folder = tmp_path / "tables"
    folder.mkdir()
    old = folder / f"old.{fmt}"
    old.write_bytes(b"last week's table")
    done: list[int] = []
    with pytest.raises(CancelledError) as cancelled:
        tabular.write_table(amended, fmt, folder / f"new.{fmt}",
                            progress=lambda d, _t, _label: done.append(d),
                            cancel=lambda: len(done) > 5)
    assert str(cancelled.value) == "the table was not written: the export was cancelled"
    assert done == list(range(6))  # stopped at the row after the cancel
    with pytest.raises(CancelledError):
        tabular.write_table(amended, fmt, old, cancel=lambda: True)
    assert [p.name for p in folder.iterdir()] == [old.name]
    assert old.read_bytes() == b"last week's table"


def test_xlsx_says_its_used_range(amended, tmp_path: Path) -> None:
    """Readers in read-only mode (openpyxl's, pandas') size a sheet by the range it
    says it uses, as a workbook written whole says it."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    out = tmp_path / "p.xlsx"
    tabular.export_table(amended, "xlsx", out)
    wb = load_workbook(out, read_only=True)
    last = get_column_letter(len(tabular.COLUMNS))
    assert wb["progress"].calculate_dimension() == f"A1:{last}{14 + 1}"
    values = sum(len(r.values) for r in progress.list_reports(amended))
    last = get_column_letter(len(tabular.INDICATOR_COLUMNS))
    assert wb["indicators"].calculate_dimension() == f"A1:{last}{values + 1}"
    wb.close()


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_the_indicators_column_writes_a_tiny_value_in_full(hq, tmp_path: Path, fmt) -> None:
    """0.000001 recorded (a fraction measured small): the column said
    "advocacy-events=1e-06", where the review pack and the sheet say 0.000001."""
    progress.record_progress(hq, "PA3.6", "2026-S1", status="on-track",
                             values={"advocacy-events": 0.000001,
                                     "funds-mobilised": 12500000.25})
    out = tmp_path / f"progress.{fmt}"
    tabular.export_table(hq, fmt, out)
    _header, _tags, data = _csv(out, hxl=fmt == "hxl")
    row = next(r for r in data if r["action"] == "PA3.6")
    assert row["indicators"] == "advocacy-events=0.000001; funds-mobilised=12500000.25"


# 5. what the people who receive the files read of them ----------------------------

def _readme_export_section() -> str:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("## The data export's columns")
    return readme[start:readme.index("\n## ", start + 1)]


def test_the_readme_names_every_column_with_its_hashtag_in_order() -> None:
    """The README is what an analyst or a data person reads of the file: it named six
    of the 23 columns and none of their hashtags, though this module said it documents
    them all."""
    section = _readme_export_section()
    table = [line for line in section.splitlines() if line.startswith("| `")]
    cells = [[cell.strip().strip("`") for cell in line.strip("|").split("|")][:2]
             for line in table]
    assert [tuple(c) for c in cells] == list(tabular.COLUMNS)
    for column in tabular.INDICATOR_COLUMNS:  # the workbook's second sheet
        assert f"`{column}`" in section.split("`indicators`, has one row", 1)[1], column


def test_the_readme_says_how_to_read_a_guarded_cell_back() -> None:
    """A program reading the CSV gets "'-5 displaced" for "-5 displaced": the README
    says what was added and how to take it off, as text.unguard_formula does."""
    from fieldplan.text import guard_formula, unguard_formula

    section = " ".join(_readme_export_section().split())
    assert "(`'=A1` is written `''=A1`)" in section
    assert guard_formula("'=A1") == "''=A1" and unguard_formula("''=A1") == "'=A1"
    assert guard_formula("-5 displaced") == "'-5 displaced"
    assert guard_formula("'Tis done") == "'Tis done"  # no formula: nothing added
    assert "drops one `'` from a cell that starts with `'`s followed by one of those" \
        in section


#: Formulas behind what some spreadsheets strip from the start of a cell first
_BEHIND_SPACES = ('\n=HYPERLINK("http://example.org/x","Click")', "  =1+1",
                  "\n\n@SUM(A1)", "\u3000\uff1d1+1", " \n -5 displaced")


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_a_formula_behind_spaces_or_line_feeds_gets_a_quote_and_reads_back(
        hq, tmp_path: Path, fmt) -> None:
    """A narrative starting with a line feed or spaces and then "=" was written as it
    was: a spreadsheet that strips them ran it as a formula (a link to click, a
    sum). It gets the "'" any formula gets, and a reader that drops it gets the text
    back as typed; text with nothing of a formula after its spaces is unchanged."""
    from fieldplan.text import unguard_formula

    texts = [*_BEHIND_SPACES, "'  =A1", "  plain\n=not first"]
    acts = [a.code for a in hq.plan().actions_of(level="global")[:4]]
    typed = dict(zip([(act, period) for period in ("2026-S1", "2026-S2") for act in acts],
                     texts, strict=False))
    for (act, period), text in typed.items():
        progress.record_progress(hq, act, period, status="on-track", achievements=text)
    out = tmp_path / f"progress.{fmt}"
    tabular.export_table(hq, fmt, out)
    _header, _tags, data = _csv(out, hxl=fmt == "hxl")
    written = {(r["action"], r["period"]): r["achievements"] for r in data
               if (r["action"], r["period"]) in typed}
    assert written == {key: ("" if text == texts[-1] else "'") + text
                       for key, text in typed.items()}
    assert {act: unguard_formula(cell) for act, cell in written.items()} == typed


def test_a_formula_behind_spaces_is_marked_text_in_the_workbook(hq, tmp_path: Path) -> None:
    """XLSX: the cell holds the text unchanged, marked to stay text when edited."""
    from openpyxl import load_workbook

    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track",
                             achievements=_BEHIND_SPACES[1])
    out = tmp_path / "progress.xlsx"
    tabular.export_table(hq, "xlsx", out)
    ws = load_workbook(out).active
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index("action")].value == act)
    cell = row[header.index("achievements")]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (_BEHIND_SPACES[1], "s", True)


def test_indicators_and_fields_in_conflict_in_the_reports_order(hq, make_office,
                                                                 tmp_path: Path) -> None:
    """A report's indicators as its action lists them (its form and status sheet:
    PA1.2's officials trained before its data reports), and its fields in conflict as
    its sheet prints them (``percent; achievements``): the export wrote them by their
    keys' names ("data-reports" first, "achievements; percent")."""
    from fieldplan.tabular import indicator_rows, rows
    from tests.scenes import laptops_in_conflict

    action = hq.plan().action("PA1.2")
    keys = [i.key for i in action.indicators]
    assert keys != sorted(keys)  # (the plan's own order is not its keys' names')
    progress.record_progress(hq, "PA1.6", "2026-S1", status="on-track")  # (a second row)
    laptops_in_conflict(hq, make_office, tmp_path,
                        {"percent": 30, "achievements": "A wrote this"},
                        {"percent": 40, "achievements": "B wrote that"})
    a = make_office("ML", "ml-c")
    progress.record_progress(a, "PA1.2", "2026-S1", status="on-track",
                             values={key: n + 1 for n, key in enumerate(keys)})
    import_bundle(hq, export_bundle(a, out_dir=tmp_path).path)
    data = rows(hq, "en", "2026-S1")
    row = next(r for r in data if r["action"] == "PA1.2")
    assert row["indicators"] == "; ".join(f"{key}={n + 1}" for n, key in enumerate(keys))
    assert [r["indicator"] for r in indicator_rows(hq, [row])] == keys
    conflicted = next(r for r in data if r["open_conflicts"])
    assert conflicted["open_conflicts"] == "percent; achievements"
