"""``data export`` says what its ``state`` column does not: that headquarters locked the
report's period, that the report changed after that lock, and which of its fields are
in an open conflict (the row holds the value that wins for now). In CSV, HXL and
XLSX, in columns at the end, each read once for the whole file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_changed_after_lock import _clock, late_world  # noqa: F401 (a fixture)
from test_sync import national, send
from test_tabular import FIRST_COLUMNS, _csv, _key, _sheet

from fieldplan import events, progress, store, tabular
from fieldplan.sync import list_conflicts

FLAGS = ["period_locked", "changed_after_lock", "open_conflicts"]

#: an HXL hashtag and its attributes: lower-case letters, digits and underscores
HASHTAG = re.compile(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*")


def _table(rep, fmt: str, tmp_path: Path, **kw) -> dict[tuple[str, str, str], dict]:
    """The rows of an export in ``fmt``, by (office, action, period), each cell as
    text (a blank XLSX cell: "")."""
    out = tmp_path / f"progress.{fmt}"
    tabular.export_table(rep, fmt, out, **kw)
    if fmt == "xlsx":
        _ws, data = _sheet(out)
        data = [{k: "" if c.value is None else c.value for k, c in r.items()} for r in data]
    else:
        data = _csv(out, hxl=fmt == "hxl")[2]
    return {_key(r): r for r in data}


@pytest.mark.parametrize("fmt", tabular.FORMATS)
def test_a_locked_period_and_a_change_after_its_lock_are_said(hq, make_office,
                                                              tmp_path: Path, fmt) -> None:
    ml, changed = late_world(hq, make_office, tmp_path)
    other = national(ml, 1)
    progress.record_progress(ml, other, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)
    rows = _table(hq, fmt, tmp_path)
    flags = {key: (r["state"], r["period_locked"], r["changed_after_lock"])
             for key, r in rows.items()}
    assert flags == {
        ("ML", changed, "2025-S2"): ("draft", "true", "true"),  # reopened after the lock
        ("ML", other, "2025-S2"): ("submitted", "true", "false"),
        ("ML", other, "2026-S1"): ("draft", "false", "false"),
    }
    # the office says the same once headquarters' bundle brings the lock
    send(hq, ml, tmp_path)
    assert {k: (r["period_locked"], r["changed_after_lock"])
            for k, r in _table(ml, fmt, tmp_path).items()} == {
                k: v[1:] for k, v in flags.items()}
    # one period: its rows only, said the same
    assert {k: r["changed_after_lock"] for k, r in _table(
        hq, fmt, tmp_path, period="2025-S2").items()} == {
            ("ML", changed, "2025-S2"): "true", ("ML", other, "2025-S2"): "false"}


def two_laptops_apart(hq, make_office, tmp_path: Path) -> tuple[str, str]:
    """ML's two laptops wrote one report's status, percent and achievements without
    seeing each other's write (the indicators alike); headquarters holds both."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    act, calm = national(a), national(a, 1)
    progress.record_progress(a, act, "2026-S1", status="on-track", percent=30,
                             achievements="Two trainings")
    progress.record_progress(b, act, "2026-S1", status="at-risk", percent=40,
                             achievements="One training")
    progress.record_progress(a, calm, "2026-S1", status="on-track")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    return act, calm


@pytest.mark.parametrize("fmt", tabular.FORMATS)
def test_the_fields_of_an_open_conflict_are_named(hq, make_office, tmp_path: Path,
                                                  fmt) -> None:
    act, calm = two_laptops_apart(hq, make_office, tmp_path)
    assert {c.field for c in list_conflicts(hq)} == {"achievements", "percent", "status"}
    rows = _table(hq, fmt, tmp_path)
    # (as its sheet prints them)
    assert rows["ML", act, "2026-S1"]["open_conflicts"] == "status; percent; achievements"
    assert rows["ML", calm, "2026-S1"]["open_conflicts"] == ""
    assert {r["period_locked"] for r in rows.values()} == {"false"}
    # settled: no longer named
    [status] = [c for c in list_conflicts(hq) if c.field == "status"]
    assert status.office == "ML"  # (settled by ML's laptops; here as their data would)
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", f"ML|{act}|2026-S1", {"status": "at-risk"},
                      author="tester", base={"status": [c.full_id for c in status.candidates]})
    assert _table(hq, fmt, tmp_path)["ML", act, "2026-S1"]["open_conflicts"] == (
        "percent; achievements")


def test_the_columns_are_added_at_the_end_with_valid_hashtags(hq, tmp_path: Path) -> None:
    names = [c for c, _tag in tabular.COLUMNS]
    assert names[:len(FIRST_COLUMNS)] == FIRST_COLUMNS
    assert names[-len(FLAGS):] == FLAGS
    tags = dict(tabular.COLUMNS)
    assert all(HASHTAG.fullmatch(tag) for tag in tags.values())
    assert len(set(tags.values())) == len(tags)
    assert [tags[c] for c in FLAGS] == [
        "#meta+locked", "#meta+changed_after_lock", "#meta+conflicts"]
    act = hq.plan().actions_of(level="global")[0].code
    progress.record_progress(hq, act, "2026-S1", status="on-track")
    out = tmp_path / "p.hxl"
    tabular.export_table(hq, "hxl", out)
    header, hashtags, [row] = _csv(out, hxl=True)
    assert header[-len(FLAGS):] == FLAGS
    assert hashtags[-len(FLAGS):] == [tags[c] for c in FLAGS]
    assert [row[c] for c in FLAGS] == ["false", "false", ""]


def test_read_once_for_the_whole_file_not_a_query_a_row(hq, make_office,
                                                        tmp_path: Path) -> None:
    """The locks, the changes after them and the conflicts: as many queries for seven
    reports changed after the lock as for one."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    actions = [national(a, i) for i in range(7)]
    progress.record_progress(a, actions[0], "2026-S1", status="on-track", percent=30)
    progress.record_progress(b, actions[0], "2026-S1", status="at-risk", percent=40)
    for act in actions:
        progress.record_progress(a, act, "2025-S2", status="completed", percent=100)
    progress.submit_period(a, "2025-S2")
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    progress.set_period_lock(hq, "2025-S2")

    def change_after_the_lock(changed: list[str], named: int) -> int:
        """The queries of ``rows`` once laptop A, not knowing of the lock, changed
        ``changed`` (``named``: the reports changed after the lock by then)."""
        for act in changed:
            progress.reopen_report(a, act, "2025-S2")
            progress.record_progress(a, act, "2025-S2", percent=90)
        send(a, hq, tmp_path)
        seen: list[str] = []
        hq.conn.set_trace_callback(seen.append)
        try:
            data = tabular.rows(hq)
        finally:
            hq.conn.set_trace_callback(None)
        assert sum(r["changed_after_lock"] == "true" for r in data) == named
        assert [r["open_conflicts"] for r in data if r["open_conflicts"]] == [
            "status; percent"]
        return len(seen)

    assert change_after_the_lock(actions[:1], 1) == change_after_the_lock(actions[1:], 7) > 0
