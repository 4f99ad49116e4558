"""``fieldplan plan import``: what the new version changes, in short lines after the
import and in ``--json``; ``--dry-run`` says the same, and what it would hide, and
changes nothing; titles without French or Arabic are one warning line; a title of
several lines is refused in one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fieldplan.cli import main
from fieldplan.plan import dump_plan, format_plan
from fieldplan.replica import init_hq, open_replica
from tests.core.test_plan_diff import review_amendment, with_title
from tests.core.test_plan_faults import snapshot

CHANGES = [
    "Changes from version 1:",
    "  Area added (1): PA5",
    "  Action added (1): PA5.1",
    "  Action removed (1): PA1.3",
    "  Action retitled (1):",
    "    PA1.2: “Strengthen national migration data systems” → “Better data on migration”",
    "  Target changed (1): PA1.1/policies-supported for 2nd semester 2026 from 6 to 10",
]
WARNING = ("fieldplan: warning: 3 titles have no French or Arabic text and show in English "
           "instead: PA5, PA5.1, PA5.1/returnees\n")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def amendment(hq, make_office, tmp_path: Path) -> tuple[str, Path]:
    """An HQ database holding Mali's report on PA1.3, and the reviewer's amendment
    (which drops PA1.3) as CSV."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.3", "2026-S1", status="on-track")
    out = tmp_path / "out"
    out.mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=out).path).outcome == "merged"
    path = tmp_path / "v2.csv"
    dump_plan(review_amendment(hq.plan()), path)
    return str(hq.path), path


def test_an_import_says_what_changed(capsys, amendment):
    db, path = amendment
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--allow-hiding")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Plan iom-oic-poa-2025-2027 version 2 imported (24 actions)"
    assert lines[1:8] == CHANGES
    # what it hid, counted as the dry run counts it (it named PA1.3, never how many)
    assert lines[8:] == [
        "It hid 1 report recorded so far (kept in the database, not deleted):",
        "  reports on 1 action it does not have (PA1.3)"]
    assert err == WARNING


def test_an_import_counts_what_it_hides_as_its_dry_run_and_names_what_stays_hidden(
        capsys, hq, make_office, tmp_path):
    """Version 3 drops PA1.1, which Mali reported on for two semesters: the import
    counts those reports as its dry run does (the same lines, the same number in
    --json), and names PA1.3, hidden by version 2 already, apart."""
    import dataclasses

    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundle

    ml = make_office("ML")
    for action, period in (("PA1.3", "2026-S1"), ("PA1.1", "2026-S1"),
                           ("PA1.1", "2026-S2")):
        progress.record_progress(ml, action, period, status="on-track")
    out = tmp_path / "out"
    out.mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=out).path).outcome == "merged"
    v2 = review_amendment(hq.plan())
    v3 = dataclasses.replace(v2, version=3,
                             actions=tuple(a for a in v2.actions if a.code != "PA1.1"))
    db = str(hq.path)
    for plan in (v2, v3):
        dump_plan(plan, tmp_path / f"v{plan.version}.csv")
    assert run(capsys, "--db", db, "plan", "import", str(tmp_path / "v2.csv"),
               "--allow-hiding")[0] == 0
    v3_path = str(tmp_path / "v3.csv")
    code, out, _err = run(capsys, "--db", db, "plan", "import", v3_path, "--dry-run",
                          "--allow-hiding")
    assert code == 0
    dry = out.splitlines()
    assert dry[-2:] == [
        "It would hide 2 reports recorded so far (kept in the database, not deleted):",
        "  reports on 1 action it does not have (PA1.1)"]
    code, out, _err = run(capsys, "--db", db, "--json", "plan", "import", v3_path,
                          "--dry-run", "--allow-hiding")
    assert json.loads(out)["reports_hidden"] == 2
    code, out, _err = run(capsys, "--db", db, "plan", "import", v3_path, "--allow-hiding")
    assert code == 0
    assert out.splitlines()[-3:] == [
        "It hid 2 reports recorded so far (kept in the database, not deleted):",
        "  reports on 1 action it does not have (PA1.1)",
        "Reports on actions this version no longer has are kept, but no longer shown in "
        "the plan: PA1.3"]
    # the real import's --json counts them as well (the dry run's alone did)
    v4 = dataclasses.replace(v3, version=4,
                             actions=tuple(a for a in v3.actions if a.code != "PA1.2"))
    dump_plan(v4, tmp_path / "v4.csv")
    code, out, _err = run(capsys, "--db", db, "--json", "plan", "import",
                          str(tmp_path / "v4.csv"), "--allow-hiding")
    assert code == 0 and json.loads(out)["reports_hidden"] == 0


def test_json_adds_the_changes_and_keeps_every_key(capsys, amendment):
    db, path = amendment
    code, out, _err = run(capsys, "--db", db, "--json", "plan", "import", str(path),
                          "--allow-hiding")
    result = json.loads(out)
    assert code == 0
    assert {"plan", "version", "actions", "unchanged", "orphaned_actions", "hidden_periods",
            "hidden_values", "hidden_levels", "newly_hidden", "backup"} <= set(result)
    assert result["changes"]["actions_removed"] == ["PA1.3"]
    assert result["changes"]["actions_retitled"] == ["PA1.2"]
    assert result["changes"]["targets"] == [{"code": "PA1.1/policies-supported",
                                             "period": "2026-S2", "before": 6, "after": 10}]
    assert result["untranslated"] == ["PA5", "PA5.1", "PA5.1/returnees"]


def test_a_dry_run_says_what_would_change_and_hide_and_changes_nothing(capsys, amendment):
    db, path = amendment
    with open_replica(Path(db)) as rep:
        before = snapshot(rep)
        assert rep.plan().version == 1
    # it would hide the report on PA1.3, and --allow-hiding is not given: said, and the
    # exit status is the import's (it was 0: 'dry run && import' went on to a refusal)
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--dry-run")
    assert code == 1
    assert out.splitlines() == [
        "Dry run: version 2 of plan iom-oic-poa-2025-2027 would replace version 1; nothing "
        "was changed",
        *CHANGES,
        "It would hide 1 report recorded so far (kept in the database, not deleted):",
        "  reports on 1 action it does not have (PA1.3)",
        "The import would be refused without --allow-hiding",
    ]
    assert err == WARNING
    code, out, _err = run(capsys, "--db", db, "--json", "plan", "import", str(path),
                          "--dry-run", "--allow-hiding")
    result = json.loads(out)
    assert code == 0 and result["dry_run"] and result["backup"] is None
    assert result["needs_allow_hiding"] and result["reports_hidden"] == 1
    assert result["newly_hidden"]["actions"] == ["PA1.3"]
    assert result["changes"]["areas_added"] == ["PA5"]
    with open_replica(Path(db)) as rep:
        assert snapshot(rep) == before and rep.plan().version == 1


def test_a_title_of_two_lines_is_refused_in_one_line(capsys, tmp_path):
    db = tmp_path / "hq2.sqlite3"
    with init_hq(db) as rep:
        plan = rep.plan()
    path = tmp_path / "v2.csv"
    path.write_text(format_plan(with_title(plan, "Better data\non migration"), "csv"),
                    encoding="utf-8")
    for extra in ((), ("--dry-run",)):
        code, out, err = run(capsys, "--db", str(db), "plan", "import", str(path), *extra)
        assert code == 1 and out == ""
        assert err.startswith("fieldplan: error: v2.csv: row ") and err.count("\n") == 1
        assert ("column 'action_title_en': the text of PA1.2 has a line break; titles, units "
                "and places are one line (descriptions may have several)") in err
    with open_replica(db) as rep:
        assert rep.plan().version == 1


def _version_2(hq, tmp_path: Path, actions) -> tuple[str, Path]:
    """HQ's plan as version 2 with ``actions``, in a JSON file; HQ's database closed for
    the commands to open. Returns the database's path and the file's."""
    import dataclasses

    path = tmp_path / "v2.json"
    dump_plan(dataclasses.replace(hq.plan(), version=2, actions=tuple(actions)), path)
    db = str(hq.path)
    hq.close()
    return db, path


def test_a_counts_target_below_zero_is_a_warning(capsys, hq, tmp_path: Path):
    """A plan could set a target of -12 documents without a word, where 'progress set'
    asks of an actual below zero whether the minus sign is a typo: said the same way
    (a net change may be meant: not refused), in --json too."""
    import dataclasses

    plan = hq.plan()
    actions = []
    for a in plan.actions:
        if a.code == "PA1.1":
            first = a.indicators[0]
            first = dataclasses.replace(first, targets=tuple(
                (p, -12.0 if p == "2026-S2" else v) for p, v in first.targets))
            a = dataclasses.replace(a, indicators=(first, *a.indicators[1:]))
        actions.append(a)
    db, path = _version_2(hq, tmp_path, actions)
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--dry-run")
    assert code == 0
    assert err == ("fieldplan: warning: 1 target of a count is below zero: is the minus "
                   "sign a typo? PA1.1/policies-supported (2nd semester 2026: -12)\n")
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path))
    assert code == 0 and json.loads(out)["targets_below_zero"] == [
        "PA1.1/policies-supported (2nd semester 2026: -12)"]
    with open_replica(Path(db)) as rep:
        assert rep.plan().version == 2


def test_an_end_target_or_baseline_below_zero_and_a_fraction_of_a_count_are_warnings(
        capsys, hq, tmp_path: Path):
    """The warning looked at each semester's targets only: an end target or a baseline
    of -5 documents went unsaid; and a target of 1.5 people (or "1,500" read with a
    decimal comma) was taken in silence, where 'progress set' says so of an actual."""
    import dataclasses

    plan = hq.plan()
    actions = []
    for a in plan.actions:
        if a.code == "PA1.1":
            first = dataclasses.replace(a.indicators[0], target=-5.0, baseline=-5.0)
            a = dataclasses.replace(a, indicators=(first, *a.indicators[1:]))
        if a.code == "PA1.2":
            people = next(i for i in a.indicators if i.unit == "people")
            a = dataclasses.replace(a, indicators=tuple(
                dataclasses.replace(i, target=1.5) if i is people else i
                for i in a.indicators))
        actions.append(a)
    db, path = _version_2(hq, tmp_path, actions)
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--dry-run")
    assert code == 0
    assert err == (
        "fieldplan: warning: 2 targets of counts are below zero: is the minus sign a typo? "
        "PA1.1/policies-supported (end of plan: -5), PA1.1/policies-supported (baseline: -5)\n"
        "fieldplan: warning: 1 target of a count is not a whole number: is the decimal "
        "point right? PA1.2/officials-trained (end of plan: 1.5)\n")
    # each figure as the language writes it, colon and all (was "fin du plan: 1,5")
    err = run(capsys, "--db", db, "--lang", "fr", "plan", "import", str(path), "--dry-run")[2]
    assert "PA1.2/officials-trained (fin du plan\u00a0: 1,5)" in err
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path))
    assert code == 0
    assert json.loads(out)["targets_not_whole"] == ["PA1.2/officials-trained (end of plan: 1.5)"]


def test_actions_are_listed_under_their_areas(capsys, hq, tmp_path: Path):
    """An action added on a plan spreadsheet's last row came last in 'actions' (PA1.7
    after PA4.6), as if it were the last area's: the table has no area column."""
    import dataclasses

    plan = hq.plan()
    first = plan.actions_of(area="PA1")[0]
    added = dataclasses.replace(first, code="PA1.9", indicators=())
    db, path = _version_2(hq, tmp_path, (*plan.actions, added))
    assert run(capsys, "--db", db, "plan", "import", str(path))[0] == 0
    _code, out, _err = run(capsys, "--db", db, "--json", "actions")
    codes = [a["code"] for a in json.loads(out)]
    pa1 = [c for c in codes if c.startswith("PA1.")]
    assert codes[:len(pa1)] == pa1 and pa1[-1] == "PA1.9"


def test_a_count_or_percent_worded_in_french_or_arabic_is_a_warning(capsys, hq,
                                                                    tmp_path: Path):
    """A plan could word a plain count or a percent in French or Arabic (TOML ``unit =
    {en = "count", fr = "pays"}``) without a word, though fieldplan never shows it (no
    unit after a count's figures, % after a percent's; the report editor names them in
    its own words): said on the import, its dry run and in --json. Found by QA."""
    import dataclasses

    from fieldplan.plan_diff import unused_unit_words

    plan = hq.plan()
    worded = {"count": {"unit_fr": "pays"}, "percent": {"unit_ar": "بالمئة"}}
    done: list[str] = []
    actions = []
    for a in plan.actions:
        indicators = []
        for i in a.indicators:
            if i.unit in worded:
                i = dataclasses.replace(i, **worded.pop(i.unit))
                done.append(f"{a.code}/{i.key}")
            indicators.append(i)
        actions.append(dataclasses.replace(a, indicators=tuple(indicators)))
    assert len(done) == 2 and not worded
    path = tmp_path / "v2.toml"
    dump_plan(dataclasses.replace(plan, version=2, actions=tuple(actions)), path)
    assert 'fr = "pays"' in path.read_text(encoding="utf-8")
    db = str(hq.path)
    hq.close()
    said = ("fieldplan: warning: 2 indicators counted plainly or in percent word their "
            "unit in French or Arabic: those words are never shown (no unit follows a "
            "count's figures, and % a percent's): " + ", ".join(done) + "\n")
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path), "--dry-run")
    assert code == 0 and said in err
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path),
                         "--dry-run")
    assert code == 0 and json.loads(out)["unused_unit_words"] == done
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path))
    assert code == 0 and said in err
    with open_replica(Path(db)) as rep:
        assert rep.plan().version == 2
    # the same file again, installed already: said all the same, as the other warnings
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path))
    assert json.loads(out)["unchanged"] and json.loads(out)["unused_unit_words"] == done
    # the plan shipped words none
    assert unused_unit_words(plan) == ()


def test_a_unit_changed_under_recorded_values_is_a_warning(capsys, hq, tmp_path: Path):
    """A version that changes what an indicator counts (people to households) while
    offices have recorded values for it: those figures, typed as people, read as
    households on every screen and sheet from then on, and the import said only "Unit
    changed", as of an indicator nobody had reported on. Said on the dry run, the import
    and in --json, naming the indicator; the word of a unit in French alone, or a unit
    with no value recorded, is not. Found by QA (semester review journey)."""
    import dataclasses

    from fieldplan import progress

    progress.record_progress(hq, "PA1.6", "2026-S1", status="on-track",
                             values={"joint-statements": 2})
    plan = hq.plan()
    actions = []
    for a in plan.actions:
        inds = tuple(
            dataclasses.replace(i, unit="meetings") if (a.code, i.key) in (
                ("PA1.6", "joint-statements"), ("PA2.6", "research-papers"))
            else dataclasses.replace(i, unit_fr="notes") if (a.code, i.key) == (
                "PA1.6", "joint-statements") else i
            for i in a.indicators)
        actions.append(dataclasses.replace(a, indicators=inds))
    db, path = _version_2(hq, tmp_path, actions)
    said = ("fieldplan: warning: 1 indicator whose unit this version changes has values "
            "recorded already, which will then read in the new unit: check that they "
            "still hold, or keep the unit and add a new indicator: PA1.6/joint-statements\n")
    code, _out, err = run(capsys, "--db", db, "plan", "import", str(path), "--dry-run")
    assert code == 0 and said in err
    code, out, err = run(capsys, "--db", db, "--json", "plan", "import", str(path),
                         "--dry-run")
    assert json.loads(out)["units_over_values"] == ["PA1.6/joint-statements"]
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path))
    assert code == 0 and said in err
    # installed: the same file again changes no unit, and says nothing of it
    code, out, err = run(capsys, "--db", db, "plan", "import", str(path))
    assert code == 0 and "unit this version changes" not in err
