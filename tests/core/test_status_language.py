"""``ReplicaStatus.lines(lang)`` asked for a language other than the process's: its
figures and dates were in ``lang`` but the words around them, and whole lines its
helpers made, in the process's language ("تأكد من وصول حزمتك إلى المقر الرئيسي قبل 7
mars 2027", "Last export: 5 nov. 2026, 09:41:04"). Every line is now in the language
asked, words, figures and dates alike (``i18n.speaking``)."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import pytest

from fieldplan import i18n
from fieldplan.progress import record_progress
from fieldplan.status import replica_status
from fieldplan.sync import export_bundle


@pytest.fixture
def status(make_office, tmp_path: Path):
    """An office that recorded and exported, as a large one would count."""
    ml = make_office("ML")
    for code in [a.code for a in ml.plan().actions_of(level="national")[:3]]:
        record_progress(ml, code, "2026-S1", status="on-track", percent=40)
    export_bundle(ml, out_dir=tmp_path)
    here = replica_status(ml)
    return dataclasses.replace(here, events=6676, own_events=1234, reports=3420,
                               draft_reports=2105)


@pytest.mark.parametrize("asked", ["en", "fr", "ar"])
def test_every_line_is_in_the_language_asked(status, asked) -> None:
    i18n.set_language(asked)
    alone = status.lines(asked)
    for current in {"en", "fr", "ar"} - {asked}:
        i18n.set_language(current)
        assert status.lines(asked) == alone, current
        assert i18n.get_language() == current  # (given back)


def test_lines_in_another_language_do_not_mix(status) -> None:
    lines = dict(status.lines("ar"))  # the process in English (conftest)
    assert "Last export" not in lines
    assert lines["آخر تصدير"][0].isdigit() and not any(
        "a" <= c.lower() <= "z" for c in lines["آخر تصدير"])
    assert lines["الأحداث"].startswith("6,676 محفوظة")
    french = dict(status.lines("fr"))
    assert french["Événements"].startswith("6\u202f676 détenus")
    assert i18n.get_language() == "en"


def test_speaking_holds_in_its_own_thread_only() -> None:
    seen = []
    with i18n.speaking("fr"):
        worker = threading.Thread(target=lambda: seen.append(i18n.get_language()))
        worker.start()
        worker.join()
        assert i18n.get_language() == "fr"
        assert i18n._("never") == "jamais"
        with i18n.speaking("ar"):
            assert i18n.format_number(1234.5) == "1,234.5"
        assert i18n.format_number(1234.5) == "1\u202f234,5"
    assert seen == ["en"] and i18n.get_language() == "en"
    with pytest.raises(ValueError), i18n.speaking("de"):
        pass


def test_status_helpers_say_their_words_in_the_language_asked(status) -> None:
    """The helpers status's lines are made of, called alone (the client calls some):
    their words in ``lang`` too, not only their figures and dates."""
    from fieldplan.status import locked_drafts_text, open_drafts_text
    from fieldplan.sync.enrol import key_deadline_text

    assert open_drafts_text(1234, lang="fr") == "1\u202f234 brouillons pas encore soumis"
    said = locked_drafts_text(2, "2026-S1", "fr")
    assert said.startswith("2\u00a0brouillons") and "1er semestre 2026" in said
    deadline = key_deadline_text("2027-03-07T15:44:00Z", "fieldplan export", lang="fr")
    assert "7 mars 2027" in deadline and deadline.startswith("envoyez")
    assert i18n.get_language() == "en"
    i18n.set_language("fr")
    assert key_deadline_text("2027-03-07T15:44:00Z", "x", lang="ar").startswith("أرسل")


@pytest.mark.parametrize("asked", ["fr_FR", "FR", "ar-SA"])
def test_status_helpers_take_a_locale_name_as_every_i18n_call_does(status, asked) -> None:
    """A language named as a locale ("fr_FR", "ar-SA": what format_number and the rest
    of fieldplan.i18n take) is the language it names: the helpers asked again for it
    inside ``speaking``, where it never equalled the code spoken ("fr"), until Python's
    recursion limit (RecursionError)."""
    from fieldplan.status import awaited_text, locked_drafts_text, open_drafts_text
    from fieldplan.sync.enrol import key_deadline_text

    code = asked[:2].lower()
    assert open_drafts_text(3, lang=asked) == open_drafts_text(3, lang=code)
    assert locked_drafts_text(2, "2026-S1", asked) == locked_drafts_text(2, "2026-S1", code)
    assert key_deadline_text("2027-03-07T15:44:00Z", "x", lang=asked) == (
        key_deadline_text("2027-03-07T15:44:00Z", "x", lang=code))
    for awaited in status.awaited:
        assert awaited_text(awaited, asked) == awaited_text(awaited, code)
    assert status.lines(asked) == status.lines(code)
    assert i18n.get_language() == "en"


def test_gaps_are_said_in_the_language_asked(hq, make_office, tmp_path: Path) -> None:
    """A missing bundle's line was made once, when the status was read, in the
    process's language: status's lines for French said "Lacunes : missing bundle from
    ML, events 6–10". It is made again in the language asked."""
    from fieldplan import store
    from fieldplan.sync import import_bundle, list_gaps

    ml = make_office("ML")
    action = ml.plan().actions_of(level="national")[0].code
    for pct in range(1, 6):
        record_progress(ml, action, "2026-S1", status="on-track", percent=pct)
    with store.write_transaction(ml.conn):  # as if HQ had the first three
        ml.conn.execute("INSERT OR REPLACE INTO acks VALUES (?, ?, ?)",
                        (hq.replica_id, ml.replica_id, 3))
    import_bundle(hq, export_bundle(ml, out_dir=tmp_path).path)
    here = replica_status(hq)  # read in English (conftest)
    english = [v for k, v in here.lines("en") if k == "Gaps"]
    assert english and english[0].startswith("missing bundle from ML")
    for lang in ("fr", "ar"):
        with i18n.speaking(lang):
            label, expected = i18n._("Gaps"), [g.message() for g in list_gaps(hq)]
        assert [v for k, v in here.lines(lang) if k == label] == expected
        assert "missing" not in expected[0]
    assert here.to_dict()["gaps"] == english  # (--json keeps its words)
