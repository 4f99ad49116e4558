"""A busy database's wait in words: "it stayed locked for {seconds} seconds" was one
message for every wait, so French read « pendant 1,5 secondes » (a number below 2 is
singular in French: « 1,5 seconde ») for the client's saves, which wait 1.5 s, and
Arabic had no form for one or two seconds (« ثانية واحدة », « ثانيتين »). It is a
plural message now, and a number with a fraction takes the form each language gives
it (i18n.plural_count), in the language it is read in again too (a kept message).

The catalogs are translated after the code changes: DRAFT is the translation, added to
the real catalog (tests.draft_catalog) until the catalogs hold it."""

from __future__ import annotations

import sqlite3

import pytest

from fieldplan import i18n, store
from tests.draft_catalog import with_messages

LOCKED = ("it stayed locked for {seconds} second", "it stayed locked for {seconds} seconds")

DRAFT = {
    "fr": ("elle est restée verrouillée pendant {seconds} seconde",
           "elle est restée verrouillée pendant {seconds} de secondes",
           "elle est restée verrouillée pendant {seconds} secondes"),
    "ar": ("ظلّت مقفلة طوال {seconds} ثانية", "ظلّت مقفلة طوال ثانية واحدة",
           "ظلّت مقفلة طوال ثانيتين", "ظلّت مقفلة طوال {seconds} ثوانٍ",
           "ظلّت مقفلة طوال {seconds} ثانية", "ظلّت مقفلة طوال {seconds} ثانية"),
}


def busy_error() -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError("database is locked")
    exc.sqlite_errorcode = sqlite3.SQLITE_BUSY
    return exc


@pytest.fixture
def drafted(monkeypatch):
    for lang, forms in DRAFT.items():
        with_messages(monkeypatch, lang, {LOCKED: forms})
    yield
    i18n.set_language("en")


@pytest.mark.parametrize(("lang", "waited", "said"), [
    ("en", 1.5, "it stayed locked for 1.5 seconds"),
    ("en", 1.0, "it stayed locked for 1 second"),
    ("en", 30.0, "it stayed locked for 30 seconds"),
    ("fr", 1.5, "elle est restée verrouillée pendant 1,5 seconde"),
    ("fr", 0.05, "elle est restée verrouillée pendant 0,05 seconde"),
    ("fr", 2.5, "elle est restée verrouillée pendant 2,5 secondes"),
    ("fr", 30.0, "elle est restée verrouillée pendant 30 secondes"),
    ("ar", 1.0, "ظلّت مقفلة طوال ثانية واحدة"),
    ("ar", 2.0, "ظلّت مقفلة طوال ثانيتين"),
    ("ar", 1.5, "ظلّت مقفلة طوال 1.5 ثانية"),
    ("ar", 5.0, "ظلّت مقفلة طوال 5 ثوانٍ"),
])
def test_the_wait_is_said_in_the_form_its_number_takes(drafted, lang, waited, said) -> None:
    i18n.set_language(lang)
    assert store.error_reason(busy_error(), waited) == said


def test_a_kept_message_said_again_in_another_language_takes_that_language_s_form(
        drafted) -> None:
    """Captured in English (1.5: "seconds", English's plural), read again in French it
    is « 1,5 seconde », and in Arabic never the form for one (« ثانية واحدة »)."""
    with i18n.capturing():
        text = store.error_reason(busy_error(), 1.5)
    record = i18n.message_record(text)
    assert record is not None
    assert i18n.render_record(record, "fr") == \
        "elle est restée verrouillée pendant 1,5 seconde"
    assert i18n.render_record(record, "ar") == "ظلّت مقفلة طوال 1.5 ثانية"


@pytest.mark.parametrize(("lang", "x", "n"), [
    ("fr", 1.5, 0), ("fr", 0.5, 0), ("fr", 2.5, 2), ("en", 1.5, 0), ("en", 3.0, 3),
    ("ar", 1.5, 100), ("ar", 2.0, 2), ("ar", 7, 7),
])
def test_plural_count(lang, x, n) -> None:
    """The whole number given to gettext for a number: one of the same CLDR category
    (French 1.5 is "one", as 0 is; Arabic 1.5 "other", as 100 is)."""
    assert i18n.plural_count(x, lang) == n
