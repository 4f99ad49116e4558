"""A bundle refused by an error no check foresaw (a value SQLite cannot store, text
that is not text, a ValueError from deep inside): its reason is a sentence of the
reader's, naming the part of the bundle where that is known, never Python's own
words ("invalid literal for int()", "'utf-8' codec can't…", "Python int too large to
convert to SQLite INTEGER"), which the reason quoted; FIELDPLAN_DEBUG=1 shows them."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldplan import events
from fieldplan.sync import exchange, export_bundle, import_bundle, verify_bundle
from tests.bundle_fuzz import PYTHON_WORDS
from tests.cli.test_cli_messages import run

#: errors of Python's own, each with the words it says
RAISED = {
    "ValueError": ValueError("invalid literal for int() with base 10: 'x'"),
    "OverflowError": OverflowError("Python int too large to convert to SQLite INTEGER"),
    "RecursionError": RecursionError("maximum recursion depth exceeded"),
    "UnicodeEncodeError": UnicodeEncodeError("utf-8", "\ud800", 0, 1,
                                             "surrogates not allowed"),
}
#: what each says as the bundle's reason
SAID = {"ValueError": "a value fieldplan cannot read",
        "OverflowError": "a number too large to store",
        "RecursionError": "values nested too deeply",
        "UnicodeEncodeError": "text that is not valid Unicode"}


def _no_python_words(reason: str) -> None:
    assert not any(w in reason for w in (*PYTHON_WORDS, "int()", "SQLite INTEGER",
                                         "recursion", "Error")), reason


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_an_unforeseen_error_is_said_in_a_fixed_sentence(kind, monkeypatch) -> None:
    monkeypatch.delenv("FIELDPLAN_DEBUG", raising=False)
    said = exchange._malformed(RAISED[kind])
    assert said == f"malformed bundle: it holds {SAID[kind]}"
    said = exchange._malformed(RAISED[kind], "events.jsonl line 3")
    assert said == f"malformed bundle: events.jsonl line 3 holds {SAID[kind]}"
    _no_python_words(said)


@pytest.fixture
def office_bundle(make_office, tmp_path: Path) -> Path:
    from fieldplan import progress

    ml = make_office("ML")
    progress.record_progress(ml, "PA1.1", "2026-S1", status="on-track", percent=40)
    return export_bundle(ml, out_dir=tmp_path).path


@pytest.mark.parametrize("kind", sorted(RAISED))
def test_an_event_line_that_fails_unforeseen_is_refused_naming_its_line(
        kind, hq, office_bundle, monkeypatch) -> None:
    """An event line whose reading fails past every check: refused naming the line,
    in words, nothing merged; import and verify say the same."""
    real = events.parse_event
    monkeypatch.delenv("FIELDPLAN_DEBUG", raising=False)

    def fails(body, **kwargs):
        event = real(body, **kwargs)
        if event.seq == 1:
            raise RAISED[kind]
        return event

    monkeypatch.setattr(events, "parse_event", fails)
    count = hq.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0]
    reason = f"malformed bundle: events.jsonl line 1 holds {SAID[kind]}"
    assert verify_bundle(hq, office_bundle)["reason"] == reason
    outcome = import_bundle(hq, office_bundle, backup=False)
    assert (outcome.outcome, outcome.reason) == ("rejected", reason)
    assert hq.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == count


def test_events_sqlite_cannot_store_are_refused_naming_the_events(
        hq, office_bundle, monkeypatch) -> None:
    """A value SQLite refuses at the insert (a number past 64 bits): the bundle's
    events, not Python's "Python int too large to convert to SQLite INTEGER"."""
    monkeypatch.delenv("FIELDPLAN_DEBUG", raising=False)

    def fails(self, batch):
        raise RAISED["OverflowError"]

    monkeypatch.setattr(exchange._Merger, "add", fails)
    outcome = import_bundle(hq, office_bundle, backup=False)
    assert (outcome.outcome, outcome.reason) == (
        "rejected", "malformed bundle: events.jsonl holds a number too large to store")


def test_an_unforeseen_error_opening_a_bundle_is_a_sentence_on_the_command_line(
        hq, office_bundle, capsys, monkeypatch) -> None:
    """Where the part of the bundle is not known (its opening), the sentence says the
    bundle; FIELDPLAN_DEBUG=1 prints Python's words and the traceback on stderr."""
    from fieldplan import bundle

    def fails(*args, **kwargs):
        raise RAISED["UnicodeEncodeError"]

    db = str(hq.path)
    hq.close()
    monkeypatch.setattr(bundle, "open_bundle", fails)
    monkeypatch.delenv("FIELDPLAN_DEBUG", raising=False)
    said = "malformed bundle: it holds text that is not valid Unicode"
    code, out, err = run("--db", db, "import", str(office_bundle), capsys=capsys)
    assert code == 1 and out == f"{office_bundle.name}: rejected: {said}\n" and err == "", (
        out, err)
    code, out, err = run("--db", db, "verify", str(office_bundle), capsys=capsys)
    assert code == 1 and out == f"invalid: {said}\n", out
    monkeypatch.setenv("FIELDPLAN_DEBUG", "1")
    code, out, err = run("--db", db, "verify", str(office_bundle), capsys=capsys)
    assert code == 1 and out == f"invalid: {said}\n", out
    assert "Traceback" in err and "surrogates not allowed" in err
