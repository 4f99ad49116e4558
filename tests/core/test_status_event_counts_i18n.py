"""`status`'s "Events" line: French read "Événements : 3 détenus, dont 1 écrits ici"
on an office's computer after its first change (one form for every count), and a
headquarters holding thousands of events read "6676" where every other count the
program prints is written with the language's separators ("6 676"), as were the
reports and conflicts ("Conflits : 17500").

The catalogs are translated after the code changes: the test adds the new message's
translations to the real catalog (tests.draft_catalog)."""

from __future__ import annotations

import pytest

from fieldplan import i18n
from fieldplan.progress import record_progress
from fieldplan.status import replica_status
from tests.draft_catalog import with_messages

NEW = {
    "fr": {("{total} held, {own} written here", "{total} held, {own} written here"): (
        "{total} détenus, dont {own} écrit ici", "{total} détenus, dont {own} d’écrits ici",
        "{total} détenus, dont {own} écrits ici")},
}


@pytest.fixture
def french(monkeypatch):
    with_messages(monkeypatch, "fr", NEW["fr"])
    i18n.set_language("fr")
    yield
    i18n.set_language("en")


def test_events_written_here_take_their_own_plural(make_office, french) -> None:
    ml = make_office("ML")
    for percent, words in ((10, "dont 1 écrit ici"), (20, "dont 2 écrits ici")):
        record_progress(ml, "PA1.1", "2026-S1", status="on-track", percent=percent)
        assert _events_line_of(replica_status(ml), "fr").endswith(words)


def test_counts_are_written_with_the_languages_separators(hq, french) -> None:
    import dataclasses

    here = replica_status(hq)
    many = dataclasses.replace(  # a large headquarters
        here, events=6676, reports=3420, sync=dataclasses.replace(here.sync, conflicts=17500))
    assert _events_line_of(many, "fr").startswith("6\u202f676 détenus")
    lines = dict(many.lines("fr"))
    assert (lines["Rapports"], lines["Conflits"]) == ("3\u202f420", "17\u202f500")
    i18n.set_language("en")
    assert _events_line_of(many, "en").startswith("6,676 held")


def _events_line_of(s, lang: str) -> str:
    return dict(s.lines(lang))[i18n.translation(lang).gettext("Events")]
