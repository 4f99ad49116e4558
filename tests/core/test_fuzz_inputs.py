"""Structured fuzzing of the bundles fieldplan imports, derandomized and small: real
bundles of a demo world changed in their manifest, their event lines or their ZIP
members, then signed again with the sender's own key, so that each change reaches
the checks behind the signature (tests/bundle_fuzz.py; ``python -m tests.bundle_fuzz``
runs thousands). Each must merge, or be refused in one line with the database as it
was; the cases the loops found are kept below, each in its smallest form."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldplan import minisign, progress
from fieldplan.replica import key_path
from fieldplan.sync import export_bundle, import_bundle, verify_bundle
from tests.bundle_fuzz import (
    KINDS_ONLY,
    NEW_KINDS,
    Checker,
    line_of,
    make_world,
    mutation,
    pack,
    rechain,
    snapshot,
    unpack,
)


@pytest.fixture(scope="module")
def checker(tmp_path_factory):
    world = make_world(tmp_path_factory.mktemp("fuzz") / "world")
    work = tmp_path_factory.mktemp("fuzz-work")
    return Checker(world, work)


@settings(max_examples=40, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_changed_bundle_signed_again_merges_or_is_refused_in_one_line(checker, data):
    source = data.draw(st.sampled_from(sorted(checker.sources)))
    steps, rechained = data.draw(mutation())
    checker.check(source, steps, rechained)


@settings(max_examples=40, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_one_field_at_its_edge_signed_again_merges_or_is_refused_in_one_line(checker, data):
    """The same, one manifest field or event value at a time given a value at the
    edges (NaN, 1e308, a megabyte, a NUL, half a character, repeated keys, nesting
    100,000 deep, ranges reversed or overlapping, headquarters' locks, keys and plan)."""
    source = data.draw(st.sampled_from(sorted(checker.sources)))
    KINDS_ONLY[:] = NEW_KINDS
    try:
        steps, rechained = data.draw(mutation())
    finally:
        KINDS_ONLY[:] = []
    checker.check(source, steps, rechained)


@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_plan_file_of_odd_structure_is_read_or_refused_in_one_line(tmp_path_factory, data):
    """CSV, tab-separated text and XLSX plan files with columns taken out, repeated,
    renamed; rows ragged, above the header, thousands; odd cells and encodings
    (tests/plan_fuzz.py --files runs thousands)."""
    from tests.plan_fuzz import check_file, file_steps_st

    check_file(data.draw(file_steps_st), data.draw(st.sampled_from(["csv", "txt", "xlsx"])),
               data.draw(st.integers(0, 10**6)), tmp_path_factory.mktemp("plan"))


@settings(max_examples=30, derandomize=True, database=None, deadline=None,
          suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_a_command_line_drawn_from_the_command_table_ends_as_the_contract_says(
        checker, data):
    """Random argument lists of every command (tests/cli_fuzz.py runs thousands): exit
    0, an error of one line (1) or a usage error (2), no traceback, the database as
    it was after a refusal."""
    from tests.cli_fuzz import Runner, add_cli_files, draw_argv

    runner = getattr(checker, "cli_runner", None)
    if runner is None:
        runner = checker.cli_runner = Runner(add_cli_files(checker.world), checker.work)
    argv = data.draw(st.composite(lambda d: draw_argv(d, runner.table, runner.pool))())
    runner.check(data.draw(st.sampled_from(["HQ", "BN"])), argv,
                 data.draw(st.sampled_from([None, "fr", "ar"])))


def test_a_report_of_an_office_whose_code_holds_a_line_break_is_refused_in_one_line(
        hq, make_office, tmp_path) -> None:
    """A signed bundle may name any text as the office of a report it writes. Found by
    fuzzing: ``"M\\nL|PA1.1|2026-S1"`` was refused with the code as it was, a reason
    of two lines (the inbox's row and the command line's line broken in two); a code
    of a megabyte was a reason of two megabytes."""
    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    progress.record_progress(ml, action, "2026-S1", status="on-track")
    sent = export_bundle(ml, out_dir=tmp_path)
    manifest, evs = unpack(sent.path.read_bytes())
    secret = minisign.load_secret_key(key_path(ml.path))
    before = snapshot(hq)
    for code, shown in (("M\nL", "M L"), ("Z" * 1_000_000, "Z" * 79 + "…")):
        changed = [dict(e) for e in evs]
        report = next(e for e in changed if e["entity"] == "progress")
        report["id"] = report["id"].replace("ML|", f"{code}|", 1)
        data = pack(manifest, [line_of(e) for e in rechain(changed)], secret)
        outcome = import_bundle(hq, data, name="ML.fieldplan")
        assert outcome.outcome == "rejected"
        assert outcome.reason == (f"event {report['seq']} of ML writes progress of {shown}; "
                                  f"only {shown}'s replicas may")
        assert verify_bundle(hq, data)["reason"] == outcome.reason
        assert snapshot(hq) == before


def test_a_setup_bundle_without_a_plan_is_refused_for_what_it_lacks(hq, tmp_path) -> None:
    """Found by fuzzing setup bundles: one whose plan record was left out (signed by
    headquarters all the same) was refused with "this database holds no plan yet",
    of the database ``init --from`` was making, as if the person had done something
    wrong with it. It names the setup bundle, and nothing is left behind."""
    from fieldplan.errors import BundleError
    from fieldplan.sync import enroll_office, init_from_setup

    setup = tmp_path / "ML-setup.fieldplan"
    enroll_office(hq, "ML", setup)
    manifest, evs = unpack(setup.read_bytes())
    without = rechain([e for e in evs if e["entity"] != "plan"])
    setup.write_bytes(pack(manifest, [line_of(e) for e in without],
                           minisign.load_secret_key(key_path(hq.path))))
    with pytest.raises(BundleError) as refused:
        init_from_setup(tmp_path / "ml" / "ML.sqlite3", setup)
    assert str(refused.value) == ("the setup bundle holds no plan; ask headquarters for "
                                  "this office's setup bundle again")
    assert not (tmp_path / "ml").exists() or not any((tmp_path / "ml").iterdir())


def test_a_number_of_thousands_of_digits_is_said_in_the_readers_words(tmp_path) -> None:
    """Found by fuzzing bundles: a manifest (checked before the signature, so any
    damaged or made-up file) or an event line holding a number of 5,000 digits was
    refused with Python's own words, in English in every language: "Exceeds the limit
    (4300 digits) for integer string conversion…; use sys.set_int_max_str_digits() to
    increase the limit", advice for a programmer."""
    import io
    import zipfile

    from fieldplan import i18n
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        setup = tmp_path / "ML-setup.fieldplan"
        enroll_office(hq, "ML", setup)
    members = {}
    with zipfile.ZipFile(setup) as zf:
        for name in zf.namelist():
            members[name] = zf.read(name)
    members["manifest.json"] = members["manifest.json"].replace(
        b'"event_count":', b'"event_count":' + b"9" * 5000 + b',"x":', 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert verify_bundle(None, out.getvalue())["reason"] == (
        "manifest.json is not valid JSON (a number has thousands of digits)")
    i18n.set_language("fr")
    assert "4300" not in verify_bundle(None, out.getvalue())["reason"]


def test_a_manifest_with_half_a_character_is_said_in_the_readers_words(tmp_path) -> None:
    """Found by fuzzing bundles: a manifest (checked before the signature, so any
    damaged or made-up file) whose text holds half of a character, escaped as JSON
    allows ("\\ud800"), was refused with Python's own words, in English in every
    language: "'utf-8' codec can't encode character '\\ud800' in position 0:
    surrogates not allowed"."""
    from fieldplan import i18n
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        setup = tmp_path / "ML-setup.fieldplan"
        enroll_office(hq, "ML", setup)
        secret = minisign.load_secret_key(key_path(hq.path))
    manifest, evs = unpack(setup.read_bytes())
    raw = pack(manifest, [line_of(e) for e in evs], secret,
               raw_manifest=("surrogate", 0))
    assert verify_bundle(None, raw)["reason"] == (
        "manifest.json is not valid JSON (a text holds a character that is not valid "
        "Unicode)")
    i18n.set_language("fr")
    assert "codec" not in verify_bundle(None, raw)["reason"]


@pytest.mark.parametrize("period", ["2025-S2\nX", "x" * 100_000, "2025-s2", " 2025-S2"])
def test_a_lock_of_a_period_headquarters_never_writes_is_refused(checker, tmp_path,
                                                                 period) -> None:
    """Found by fuzzing headquarters' bundles to an office: one whose period lock named
    a period as headquarters never writes one (signed by headquarters all the same: a
    bug or a hand-made bundle), a period of 100,000 characters or with a line break,
    was merged, and the import said "headquarters locked xxxx…" over 100,000
    characters or two lines. It is refused as a malformed lock, nothing written; a
    lock of a well-formed period merges as before."""
    from fieldplan.replica import open_replica

    (manifest, evs), secret = checker.sources["HQ>BN"]
    target = checker.targets["HQ>BN"]
    for name, locked_period, refused in (("bad", period, True), ("good", "2026-S2", False)):
        changed = [dict(e) for e in evs]
        lock = next(e for e in changed if e["entity"] == "lock")
        lock["id"] = locked_period
        data = pack(manifest, [line_of(e) for e in rechain(changed)], secret)
        (tmp_path / name).mkdir()
        for part in (target.name, f"{target.name}.key"):
            (tmp_path / name / part).write_bytes((target.parent / part).read_bytes())
        rep = open_replica(tmp_path / name / target.name)
        try:
            before = snapshot(rep)
            outcome = import_bundle(rep, data, name="HQ.fieldplan", backup=False)
            if refused:
                assert outcome.outcome == "rejected"
                assert outcome.reason == (
                    f"event {lock['seq']} of headquarters: malformed period lock")
                assert snapshot(rep) == before
            else:
                assert outcome.outcome == "merged", outcome.reason
                assert progress.is_locked(rep, "2026-S2")
        finally:
            rep.close()


def test_headquarters_event_with_half_a_character_is_refused_in_the_readers_words(
        checker, tmp_path) -> None:
    """Found by fuzzing headquarters' bundles: an event whose author (or any text)
    holds half of a character, escaped as JSON allows ("\\ud800"), passed every check
    (headquarters' lines are not held to canonical JSON) and failed at SQLite's insert:
    an office's import said "malformed bundle ('utf-8' codec can't encode character
    '\\ud800'…: surrogates not allowed)", in English in every language, and ``init
    --from`` of such a setup bundle stopped with an internal error. Each is refused
    naming the line; nothing is written."""
    from fieldplan.errors import BundleError
    from fieldplan.replica import open_replica
    from fieldplan.sync import init_from_setup

    for source in ("HQ>BN", "setup"):
        (manifest, evs), secret = checker.sources[source]
        changed = [dict(e) for e in evs]
        changed[4]["author"] = "\ud800"
        lines = [json.dumps(e, sort_keys=True, separators=(",", ":")).encode()
                 if k == 4 else line_of(e) for k, e in enumerate(rechain(changed, {4: "ascii"}))]
        data = pack(manifest, lines, secret)
        reason = ("events.jsonl line 5: invalid JSON (a text holds a character that is not "
                  "valid Unicode)")
        if source == "setup":
            (tmp_path / "ML-setup.fieldplan").write_bytes(data)
            with pytest.raises(BundleError) as refused:
                init_from_setup(tmp_path / "ml" / "ML.sqlite3", tmp_path / "ML-setup.fieldplan")
            assert str(refused.value) == reason
            assert not (tmp_path / "ml").exists() or not any((tmp_path / "ml").iterdir())
            continue
        target = checker.targets[source]
        for part in (target.name, f"{target.name}.key"):
            (tmp_path / part).write_bytes((target.parent / part).read_bytes())
        rep = open_replica(tmp_path / target.name)
        try:
            before = snapshot(rep)
            outcome = import_bundle(rep, data, name="HQ.fieldplan", backup=False)
            assert (outcome.outcome, outcome.reason) == ("rejected", reason)
            assert snapshot(rep) == before
        finally:
            rep.close()


def test_a_plan_file_whose_header_reads_as_one_column_is_named_in_a_short_line(
        tmp_path) -> None:
    """Found by fuzzing plan files: a CSV plan in Windows-1252 whose header the reader
    takes for one column (separated by "|", or any character it does not read as a
    separator) was refused naming that column whole, every header of the plan in one
    message of hundreds, or with more columns thousands, of characters. The column is
    cut as other quoted values are."""
    from fieldplan.errors import PlanError
    from fieldplan.plan import load_plan

    header = "|".join(["plan_id", "plan_version", "area", "action"]
                      + [f"extra{k}" for k in range(300)])
    (tmp_path / "plan.csv").write_bytes(f"{header}\nPlan d’été|1|PA1|PA1.1\n".encode("cp1252"))
    with pytest.raises(PlanError) as refused:
        load_plan(tmp_path / "plan.csv")
    message = str(refused.value)
    assert message.startswith("plan.csv: row 2, column 'plan_id|plan_version|area|action|"
                              "extra0|extra1|extra2|ext...': not UTF-8 text; ")
    assert len(message) < 300
