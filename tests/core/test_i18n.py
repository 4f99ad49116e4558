"""fieldplan.i18n: translation, language choice, runtime catalog compilation, formatting."""

from __future__ import annotations

import builtins
import gettext
import re
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from fieldplan import i18n
from fieldplan.model import LEADS, LEVELS, REPORT_STATES, STATUSES

#: a key's statuses, as the registry and ``keys list --json`` write them
KEY_STATUSES = ("active", "retired", "revoked", "unregistered")

# Arabic-Indic digits, and the Arabic decimal, thousands and percent signs that go with them
ARABIC_INDIC_DIGITS = re.compile("[\u0660-\u066c\u06f0-\u06f9]")


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Compile into a temporary cache, never the user's; start and end in English."""
    monkeypatch.setattr(i18n, "cache_dir", lambda: tmp_path / "cache" / "locale")
    i18n.clear_translation_cache()
    i18n.set_language("en")
    yield
    i18n.set_language("en")
    i18n.clear_translation_cache()


# --- messages -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "period", "on_track"),
    [
        ("en", "Period", "On track"),
        ("fr", "Période", "En bonne voie"),
        ("ar", "الفترة", "على المسار الصحيح"),
    ],
)
def test_translates_in_the_current_language(lang, period, on_track):
    i18n.set_language(lang)
    assert i18n._("Period") == period
    assert i18n.pgettext("status", "On track") == on_track


def test_unknown_messages_fall_back_to_english():
    for lang in i18n.LANGUAGES:
        i18n.set_language(lang)
        assert i18n._("No such message {x}") == "No such message {x}"
        assert i18n.ngettext("{n} ghost", "{n} ghosts", 2) == "{n} ghosts"


def test_n_marks_only_and_nothing_goes_into_builtins():
    i18n.set_language("fr")
    assert i18n.N_("Period") == "Period"
    assert i18n._(i18n.N_("Period")) == "Période"
    assert not hasattr(builtins, "_")


@pytest.mark.parametrize(
    ("n", "french", "arabic"),
    [
        (0, "{count} action", "لا إجراءات"),
        (1, "{count} action", "إجراء واحد"),
        (2, "{count} actions", "إجراءان"),
        (3, "{count} actions", "{count} إجراءات"),
        (11, "{count} actions", "{count} إجراءً"),
        (100, "{count} actions", "{count} إجراء"),
    ],
)
def test_plural_forms(n, french, arabic):
    i18n.set_language("fr")
    assert i18n.ngettext("{count} action", "{count} actions", n) == french
    i18n.set_language("ar")
    assert i18n.ngettext("{count} action", "{count} actions", n) == arabic


def test_count_label_fills_the_number():
    assert i18n.count_label("action", 3, "ar") == "3 إجراءات"
    assert i18n.count_label("office", 1, "fr") == "1 bureau"
    assert i18n.count_label("report", 1_000_000, "fr") == "1\u202f000\u202f000 de rapports"
    assert i18n.count_label("bundle", 2, "en") == "2 bundles"
    with pytest.raises(ValueError):
        i18n.count_label("banana", 2)


#: "{count} event" said on its own, and as the object of a verb ("they hold 62 events")
_EVENT_FORMS = ("لا أحداث", "حدث واحد", "حدثان", "{count} أحداث", "{count} حدثًا",
                "{count} حدث")
_HELD_EVENT_FORMS = ("{count} حدث", "حدثًا واحدًا", "حدثين", "{count} أحداث",
                     "{count} حدثًا", "{count} حدث")


def test_pcounted_gives_a_count_phrase_its_own_forms_in_a_context(tmp_path, monkeypatch):
    """The trust preview's "they hold {events}" took the shared "{count} event", the
    phrase said on its own: Arabic read "وتحمل حدث واحد" (nominative) where the
    object of the verb is "حدثًا واحدًا", and "حدثان" where it is "حدثين". A count
    phrase with a context is a message of its own, translated for where it stands;
    its figure is still written with the language's separators."""
    catalog = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    catalog.add(("{count} event", "{count} events"), _EVENT_FORMS)
    catalog.add(("{count} event", "{count} events"), _HELD_EVENT_FORMS,
                context="held by bundles")
    po = tmp_path / "ar.po"
    with open(po, "wb") as f:
        write_po(f, catalog)
    monkeypatch.setattr(i18n, "po_path", lambda lang: po)
    i18n.clear_translation_cache()

    def held(n: int, lang: str | None = None) -> str:
        return i18n.pcounted("held by bundles", "{count} event", "{count} events", n,
                             lang=lang)

    assert i18n.counted("{count} event", "{count} events", 1, lang="ar") == "حدث واحد"
    assert [held(n, "ar") for n in (0, 1, 2, 7, 12, 1200)] == [
        "0 حدث", "حدثًا واحدًا", "حدثين", "7 أحداث", "12 حدثًا", "1,200 حدث"]
    assert held(1200, "en") == "1,200 events"
    assert held(2, "xx-pseudo") == "⟦2 évéñtŝ⟧"
    i18n.set_language("ar")
    assert held(2) == "حدثين"
    # other fields are filled too, as counted fills them
    assert i18n.pcounted("x", "{count} of {name}", "{count} of {name}", 3, lang="en",
                         name="ML") == "3 of ML"
    # kept (an Inbox line said again in the reader's language): with its context
    with i18n.capturing():
        said = held(1)
    assert said == "حدثًا واحدًا"
    record = i18n.message_record(said)
    assert record is not None and record["ctx"] == "held by bundles"
    assert i18n.render_record(record, "ar") == "حدثًا واحدًا"
    assert i18n.render_record(record, "en") == "1 event"


def test_set_language_switches_and_validates():
    i18n.set_language("fr")
    assert i18n.get_language() == "fr"
    assert i18n._("Status") == "Statut"
    i18n.set_language("ar_SA.UTF-8")
    assert i18n.get_language() == "ar"
    assert i18n._("Status") == "الحالة"
    i18n.set_language("en")
    assert i18n._("Status") == "Status"
    with pytest.raises(ValueError):
        i18n.set_language("de")
    assert i18n.get_language() == "en"


def test_translation_of_another_language_without_switching():
    assert i18n.translation("fr").gettext("Period") == "Période"
    assert i18n.status_label("completed", "ar") == "مكتمل"
    assert i18n.get_language() == "en"
    assert i18n.translation("fr") is i18n.translation("fr")  # cached


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "ar_SA"}, "ar"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({}, "en"),
        ({"LC_ALL": "ar_EG.UTF-8", "LANG": "fr_FR.UTF-8"}, "ar"),
        ({"LC_MESSAGES": "fr_CA", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANGUAGE": "de:fr", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANGUAGE": "ar", "LANG": "C"}, "en"),  # gettext ignores LANGUAGE in the C locale
        ({"LC_ALL": "", "LANG": "fr_BE@euro"}, "fr"),
    ],
)
def test_detect_language(environ, expected):
    assert i18n.detect_language(environ) == expected


def test_is_rtl():
    assert i18n.is_rtl("ar")
    assert not i18n.is_rtl("fr")
    assert not i18n.is_rtl("en")
    assert not i18n.is_rtl(i18n.PSEUDO_LANGUAGE)


def test_pseudo_locale_wraps_accents_and_keeps_placeholders():
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    assert i18n._("Save") == "⟦Ŝàvé⟧"
    text = i18n._("Unknown action {code}")
    assert text.startswith("⟦") and text.endswith("⟧") and "{code}" in text
    assert text.format(code="PA9.9").count("PA9.9") == 1
    assert i18n.status_label("on-track") == "⟦Öñ tràçk⟧"
    assert i18n.ngettext("{count} action", "{count} actions", 1) == "⟦{count} àçtîöñ⟧"
    assert not i18n.is_rtl(i18n.get_language())


# --- runtime compilation ------------------------------------------------------------


def _write_po(path: Path, translations: dict[str, str], fuzzy: tuple[str, ...] = ()) -> Path:
    catalog = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    for msgid, msgstr in translations.items():
        catalog.add(msgid, msgstr, flags=("fuzzy",) if msgid in fuzzy else ())
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog)
    return path


def test_compiled_catalog_is_cached_and_recompiled_when_the_po_changes(tmp_path, monkeypatch):
    po = _write_po(tmp_path / "fr.po", {"Hello": "Bonjour"})
    cache = tmp_path / "mo-cache"
    compiled = []
    real_compile = i18n.compile_po
    monkeypatch.setattr(
        i18n, "compile_po", lambda data, lang: compiled.append(lang) or real_compile(data, lang)
    )

    assert i18n.load_po(po, "fr", cache).gettext("Hello") == "Bonjour"
    first = list(cache.glob("*.mo"))
    assert [p.name for p in first] == [f"fr-{i18n.hashlib.sha256(po.read_bytes()).hexdigest()}.mo"]
    assert i18n.load_po(po, "fr", cache).gettext("Hello") == "Bonjour"
    assert compiled == ["fr"]  # the second load read the cache

    _write_po(po, {"Hello": "Salut"})
    assert i18n.load_po(po, "fr", cache).gettext("Hello") == "Salut"
    assert compiled == ["fr", "fr"]
    assert len(list(cache.glob("*.mo"))) == 1 and list(cache.glob("*.mo")) != first


def test_damaged_cache_file_is_recompiled(tmp_path):
    po = _write_po(tmp_path / "fr.po", {"Hello": "Bonjour"})
    cache = tmp_path / "mo-cache"
    cache.mkdir()
    (cache / f"fr-{i18n.hashlib.sha256(po.read_bytes()).hexdigest()}.mo").write_bytes(b"junk")
    assert i18n.load_po(po, "fr", cache).gettext("Hello") == "Bonjour"


def test_a_cache_file_damaged_inside_a_translation_is_recompiled(tmp_path):
    """Found by fuzzing the cache folder: a byte changed inside a translation of the
    compiled catalog (a bad sector) still parsed, and was shown from then on: a wrong
    word, or a placeholder ("{nxme}") that made every command in that language fail
    with "internal error: KeyError". The cache file carries its own checksum."""
    po = _write_po(tmp_path / "fr.po", {"Hello {name}": "Bonjour {name}"})
    cache = tmp_path / "mo-cache"
    assert i18n.load_po(po, "fr", cache).gettext("Hello {name}") == "Bonjour {name}"
    (cached,) = cache.glob("*.mo")
    cached.write_bytes(cached.read_bytes().replace(b"Bonjour {name}", b"Bonjour {nxme}"))
    assert i18n.load_po(po, "fr", cache).gettext("Hello {name}") == "Bonjour {name}"
    assert i18n.load_po(po, "fr", cache).gettext("Hello {name}") == "Bonjour {name}"


def test_unwritable_cache_compiles_in_memory(tmp_path):
    po = _write_po(tmp_path / "fr.po", {"Hello": "Bonjour"})
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    assert i18n.load_po(po, "fr", blocker / "locale").gettext("Hello") == "Bonjour"


def test_fuzzy_entries_are_not_used(tmp_path):
    po = _write_po(tmp_path / "fr.po", {"Hello": "Bonjour", "Bye": "Adieu"}, fuzzy=("Bye",))
    translations = i18n.load_po(po, "fr", None)
    assert translations.gettext("Hello") == "Bonjour"
    assert translations.gettext("Bye") == "Bye"


def test_real_catalogs_compile_into_the_cache_dir(tmp_path):
    i18n.set_language("ar")
    assert i18n._("Period") == "الفترة"
    names = [p.name for p in (tmp_path / "cache" / "locale").iterdir()]
    assert len(names) == 1 and re.fullmatch(r"ar-[0-9a-f]{64}\.mo", names[0])


# --- formatting ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "first", "second"),
    [
        ("en", "1st semester 2026", "2nd semester 2026"),
        ("fr", "1er semestre 2026", "2e semestre 2026"),
        ("ar", "النصف الأول 2026", "النصف الثاني 2026"),
    ],
)
def test_format_period(lang, first, second):
    assert i18n.format_period("2026-S1", lang) == first
    assert i18n.format_period("2026-S2", lang) == second


def test_format_period_uses_the_current_language_and_rejects_junk():
    i18n.set_language("fr")
    assert i18n.format_period("2027-S2") == "2e semestre 2027"
    for junk in ("2026-S3", "26-S1", "2026S1", ""):
        with pytest.raises(ValueError):
            i18n.format_period(junk)


@pytest.mark.parametrize(
    ("lang", "percent", "number", "medium_date", "long_date"),
    [
        ("en", "45%", "12,345.5", "5 Mar 2026", "5 March 2026"),
        ("fr", "45\u00a0%", "12\u202f345,5", "5 mars 2026", "5 mars 2026"),
        ("ar", "45%", "12,345.5", "05\u200f/03\u200f/2026", "5 مارس 2026"),
    ],
)
def test_format_numbers_and_dates(lang, percent, number, medium_date, long_date):
    assert i18n.format_percent(45, lang) == percent
    assert i18n.format_number(12345.5, lang) == number
    assert i18n.format_date(date(2026, 3, 5), lang) == medium_date
    assert i18n.format_date("2026-03-05", lang, format="long") == long_date


def test_format_datetime():
    aware = datetime(2026, 3, 5, 14, 7, tzinfo=UTC)
    assert i18n.format_datetime(aware, "fr", tz=UTC) == "5 mars 2026, 14:07:00"
    assert i18n.format_datetime("2026-03-05T14:07:00Z", "en", tz=UTC) == "5 Mar 2026, 14:07:00"
    assert i18n.format_datetime(datetime(2026, 3, 5, 14, 7), "en") == "5 Mar 2026, 14:07:00"


def test_french_writes_the_first_of_a_month_as_an_ordinal():
    """"1er juillet 2026", as French writes it ("Données à jour au 1 juil." read
    wrong); other days, other languages and the all-figures form are as CLDR has them."""
    first = date(2026, 7, 1)
    assert i18n.format_date(first, "fr") == "1er juil. 2026"
    assert i18n.format_date(first, "fr", format="long") == "1er juillet 2026"
    assert i18n.format_date(first, "fr", format="full") == "mercredi 1er juillet 2026"
    assert i18n.format_date(first, "fr", format="d MMMM 'de' y") == "1er juillet de 2026"
    assert i18n.format_date(first, "fr", format="short") == "01/07/2026"
    assert i18n.format_date(date(2026, 7, 11), "fr") == "11 juil. 2026"
    assert i18n.format_date(first, "en") == "1 Jul 2026"
    assert i18n.format_datetime(datetime(2026, 7, 1, 9, 5), "fr") == "1er juil. 2026, 09:05:00"
    assert i18n.format_datetime(datetime(2026, 7, 1, 9, 5), "fr", "short") == \
        "01/07/2026 09:05"


def test_arabic_uses_western_digits_everywhere():
    texts = [
        i18n.format_number(1234567.25, "ar"),
        i18n.format_percent(87, "ar"),
        i18n.format_date(date(2027, 12, 31), "ar"),
        i18n.format_date(date(2027, 12, 31), "ar", format="full"),
        i18n.format_datetime(datetime(2027, 12, 31, 23, 59), "ar"),
        i18n.format_period("2027-S2", "ar"),
        i18n.count_label("office", 57, "ar"),
    ]
    assert not [t for t in texts if ARABIC_INDIC_DIGITS.search(t)]
    assert all(re.search("[0-9]", t) for t in texts)


def test_year_is_not_grouped():
    assert "2026" in i18n.format_period("2026-S1", "fr")
    assert "2026" in i18n.format_date(date(2026, 1, 9), "fr", format="long")


# --- domain words -------------------------------------------------------------------


def test_status_labels_and_symbols():
    assert set(i18n.STATUS_SYMBOLS) == set(STATUSES)
    assert len(set(i18n.STATUS_SYMBOLS.values())) == len(STATUSES)
    for lang in i18n.LANGUAGES:
        labels = [i18n.status_label(s, lang) for s in STATUSES]
        assert len(set(labels)) == len(STATUSES), lang
    assert i18n.status_label("on-track", "fr") == "En bonne voie"
    assert i18n.status_label("on-track", "ar") == "على المسار الصحيح"
    assert [i18n.status_label(s, "en") for s in STATUSES] == [
        "Not started",
        "On track",
        "At risk",
        "Off track",
        "Completed",
        "Cancelled",
    ]
    with pytest.raises(ValueError):
        i18n.status_label("done")


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@pytest.mark.skipif(not DEJAVU.is_file(), reason="DejaVu Sans is not installed")
def test_status_symbols_are_in_dejavu_sans():
    from reportlab.pdfbase.ttfonts import TTFont

    glyphs = TTFont("DejaVuSans-test", str(DEJAVU)).face.charToGlyph
    assert [s for s in i18n.STATUS_SYMBOLS.values() if ord(s) not in glyphs] == []


def test_other_labels():
    assert i18n.lead_label("joint", "en") == "Joint"
    assert i18n.lead_label("joint", "fr") == "OIM-OCI"
    assert i18n.lead_label("joint", "ar") == "مشتركة"
    assert i18n.lead_label("IOM", "fr") == "OIM"
    assert i18n.level_label("global", "fr") == "Mondial"
    assert i18n.state_label("submitted", "ar") == "مُقدَّم"
    assert i18n.state_label("draft", "fr") == "Brouillon"
    assert i18n.role_label("HQ", "fr") == "Siège"
    assert i18n.role_label("office", "ar") == "المكتب"


def test_key_statuses_read_as_words_capitalised_as_their_table_is():
    """The Keys page and ``keys list`` showed "active" and "revoked" in lower case
    beside "Mali" and "On track": a table's words are capitalised alike. The value
    machines read (``--json``, the database) stays the lower-case code."""
    assert [i18n.key_status_label(s, "en") for s in KEY_STATUSES] == [
        "Active", "Retired", "Revoked", "Not yet registered"]
    for lang in i18n.LANGUAGES:
        labels = [i18n.key_status_label(s, lang) for s in KEY_STATUSES]
        assert len(set(labels)) == len(labels), lang
        # (Arabic has no capitals: its words are left as they are)
        assert all(w[0] == w[0].upper() for w in labels), (lang, labels)


class WordsCatalog(gettext.NullTranslations):
    """A catalog of a few pgettext words, for a language whose real catalog may not
    have them yet."""

    def __init__(self, words: dict[str, str], context: str = "file name") -> None:
        super().__init__()
        self.words, self.context = words, context

    def pgettext(self, context: str, message: str) -> str:
        return self.words.get(message, message) if context == self.context else message


def test_file_name_words_follow_the_language_in_ascii(monkeypatch):
    """A French office got "review-pack-2026-S1-fr.pdf": the words follow the language,
    folded to ASCII (names travel by email and on FAT USB sticks); words in another
    script (Arabic) give way to the English ones."""
    monkeypatch.setitem(i18n._translations, "fr", WordsCatalog({
        "review-pack": "dossier de revue", "status-sheet": "fiche d’avancement",
        "all-periods": "toutes les périodes", "progress": "Avancement"}))
    monkeypatch.setitem(i18n._translations, "ar", WordsCatalog({
        "review-pack": "ملف المراجعة", "status-sheet": "ورقة-حالة"}))
    assert [i18n.file_name_word(w, "fr") for w in (
        "review-pack", "status-sheet", "all-periods", "progress", "office")] == [
        "dossier-de-revue", "fiche-d-avancement", "toutes-les-periodes", "avancement",
        "office"]
    assert [i18n.file_name_word(w, "ar") for w in ("review-pack", "status-sheet")] == [
        "review-pack", "status-sheet"]
    assert i18n.file_name_word("review-pack", "en") == "review-pack"
    # the pseudo-locale's accents and brackets fold away: the words do go through it
    assert i18n.file_name_word("status-sheet", i18n.PSEUDO_LANGUAGE) == "status-sheet"
    with pytest.raises(ValueError):
        i18n.file_name_word("review pack")


def test_every_domain_word_goes_through_the_catalogs():
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    words = (
        [i18n.status_label(s) for s in STATUSES]
        + [i18n.level_label(v) for v in LEVELS]
        + [i18n.lead_label(v) for v in LEADS]
        + [i18n.state_label(v) for v in REPORT_STATES]
        + [i18n.role_label(v) for v in ("hq", "office")]
    )
    assert [w for w in words if not (w.startswith("⟦") and w.endswith("⟧"))] == []


# --- messages kept to be shown again in another language ----------------------------


def test_a_kept_message_is_made_again_in_any_language():
    from fieldplan.i18n import _, capturing, message_record, ngettext, pgettext, render_record

    i18n.set_language("fr")
    try:
        with capturing():
            where = _("event {seq} of {office}").format(seq=3, office="ML")
            error = ValueError(_("{where}: bad report id '{id}'").format(where=where, id="x"))
            gaps = ngettext("{n} gap", "{n} gaps", 2).format(n=2)
            word = pgettext("import outcome", "rejected")
        text = str(error)  # as an ImportOutcome's reason is made
        assert text == ("événement 3 du bureau ML\u00a0: identifiant de rapport incorrect "
                        "«\u00a0x\u00a0»")
        record = message_record(text)
        assert render_record(record, "en") == "event 3 of ML: bad report id 'x'"
        assert render_record(record, "ar") == "الحدث 3 من ML: معرّف تقرير غير صالح «x»"
        assert render_record(message_record(gaps), "ar") == "فجوتان"
        assert render_record(message_record(word), "en") == "rejected"
        assert render_record(record) == text  # the current language
    finally:
        i18n.set_language("en")


def test_periods_in_a_kept_message_are_said_in_the_readers_words():
    """The Inbox keeps "changes to the locked period 1st semester 2026" as made at the
    import: read later in Arabic, the period is Arabic too (it stayed English)."""
    from fieldplan.i18n import capturing, message_record, render_record
    from fieldplan.sync.exchange import late_text

    with capturing():
        text = late_text(["2026-S1", "2026-S2"])
    assert text == "changes to the locked periods 1st semester 2026, 2nd semester 2026"
    record = message_record(text)
    assert record["kw"] == {"periods": {"periods": ["2026-S1", "2026-S2"]}}
    arabic = render_record(record, "ar")
    assert "النصف الأول 2026، النصف الثاني 2026" in arabic and "semester" not in arabic
    assert "1er semestre 2026, 2e semestre 2026" in render_record(record, "fr")
    # a period only a newer version knows, as written; a record made wrong, refused
    assert render_record({"id": "{p}", "kw": {"p": {"periods": ["2031-Q1"]}}}, "fr") \
        == "2031-Q1"
    with pytest.raises(TypeError):
        render_record({"id": "{p}", "kw": {"p": {"periods": "2026-S1"}}}, "fr")


def test_only_captured_and_named_formatting_is_kept():
    from fieldplan.i18n import _, capturing, message_record

    assert message_record(_("event {seq} of {office}").format(seq=1, office="ML")) is None
    with capturing():
        positional = i18n.Msg("{} of {}", {"id": "{} of {}"})
        assert message_record(positional.format(1, 2)) is None
        assert message_record(_("{file}: {reason}").format(file="a", reason="b")) is not None
        joined = _("none") + "; " + _("none")
        assert message_record(joined) is None  # text built otherwise stays as written


def test_capturing_holds_in_its_own_thread_only_and_is_given_back():
    """As ``speaking`` (test_status_language): a window's thread translating while an
    import captures in the worker keeps plain text, and capturing ends where it was."""
    import threading

    from fieldplan.i18n import _, capturing, message_record

    seen = []
    with capturing():
        worker = threading.Thread(target=lambda: seen.append(message_record(_("none"))))
        worker.start()
        worker.join()
        with capturing():
            pass
        assert message_record(_("none")) == {"id": "none"}  # still on after the inner one
        with pytest.raises(RuntimeError), capturing():
            raise RuntimeError
        assert message_record(_("none")) == {"id": "none"}
    assert seen == [None] and message_record(_("none")) is None


def test_a_record_this_version_cannot_make_raises():
    from fieldplan.i18n import render_record

    with pytest.raises((KeyError, TypeError, ValueError)):
        render_record({"id": "{missing} placeholder", "kw": {}}, "en")
    with pytest.raises((KeyError, TypeError)):
        render_record({"kw": {}}, "en")


def test_a_kept_message_copies_and_pickles_whole():
    import copy
    import pickle

    from fieldplan.i18n import _, capturing, message_record

    with capturing():
        text = _("{file}: {reason}").format(file="a.fieldplan", reason="b")
    for again in (copy.copy(text), copy.deepcopy(text), pickle.loads(pickle.dumps(text))):
        assert again == text and message_record(again) == message_record(text)


def test_a_full_cache_leaves_no_temporary_file(tmp_path, monkeypatch) -> None:
    """Each run in French or Arabic on a full disk left a tmpXXXX.tmp in the cache."""
    import os

    from fieldplan import i18n

    real = os.fdopen

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, _data):
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real(fd, mode)))
    i18n._store(tmp_path / "fr-abc.mo", b"data", "fr")
    assert list(tmp_path.iterdir()) == []


def test_a_percent_with_decimals_keeps_up_to_three():
    assert [i18n.format_percent(v, "en", decimals=True) for v in (5.6, 6, 100, 0.1234)] == [
        "5.6%", "6%", "100%", "0.123%"]
    assert i18n.format_percent(5.75, "fr", decimals=True) == "5,75\u00a0%"
    assert i18n.format_percent(5.6, "en") == "6%"  # a mean, a report's percent: whole


def test_lists_in_sentences_are_joined_as_the_language_writes_them():
    """Not "…: الإنجازات, نسبة الإنجاز": lists and clauses in user-visible text go
    through join_list / join_clauses (Arabic "، " and "؛ ")."""
    from fieldplan.status import named_reports
    from fieldplan.sync.state import fork_messages, lost_unknown_text

    assert i18n.join_list(["ML", "SN"], "ar") == "ML\u060c SN"  # the PDF's language
    assert i18n.join_list(["ML", "SN"], "fr") == "ML, SN"
    i18n.set_language("ar")
    assert named_reports(["ML PA3.1", "SN PA1.2"]) == "ML PA3.1\u060c SN PA1.2"
    assert "ML PA3.1\u060c SN PA1.2\u060c TD PA1.1" in named_reports(
        ["ML PA3.1", "SN PA1.2", "TD PA1.1", "NE PA2.1", "BF PA4.1"])
    assert "ML\u060c SN" in lost_unknown_text("1a2b3c4d" * 4, 7, 9, ["ML", "SN"])
    [forked] = fork_messages([{"office": "ML", "origin": "1a2b3c4d" * 4, "seq": 4},
                              {"office": "ML", "origin": "5e6f7a8b" * 4, "seq": 9}])
    assert "\u061b " in forked and "; " not in forked


@pytest.mark.parametrize(("lang", "separator"), [("fr", "\u202f; "), ("ar", "\u061b ")])
def test_clauses_added_to_a_line_are_joined_as_the_language_joins_them(lang, separator):
    """The clause a line adds (what a revoked computer has not sent, the offices an
    export wrote nothing for, the receipts among the bundles, what a restore left
    unsent) is joined as ``join_clauses`` joins clauses: French " ; " (narrow no-break
    space), Arabic "؛ ". They were added with the English "; ": "…de configuration;
    3 modifications…", and a Latin semicolon in the Arabic warning of the main window."""
    from fieldplan.cli.sync_cmds import _all_offices_summary
    from fieldplan.status import revoked_text
    from fieldplan.sync.again import aside_text

    i18n.set_language(lang)
    done = SimpleNamespace(written=[SimpleNamespace(note="r", again=False)] * 3, offices=["X"] * 5,
                           failed=["X"] * 2, folder=Path("out"))
    for text in (revoked_text(3), aside_text(Path("old"), 3), _all_offices_summary(done)):
        assert separator in text, text
        assert "; " not in text.replace(separator, ""), text
    assert _all_offices_summary(done).count(separator) == 2


def test_no_list_in_user_visible_text_is_joined_by_a_latin_comma():
    """A new ``", ".join`` in the core or the client would bring the Latin comma back
    into Arabic sentences: only the files below join for machines or developers. So
    would a clause added with ``"; " +`` (``join_clauses`` joins them)."""
    root = Path(__file__).resolve().parents[2]
    machine = {"fieldplan/schema.py", "fieldplan/plan.py",  # SQL, TOML
               "fieldplan/tabular.py",  # a data export's cells ("key=12; other=3")
               # developers' checks and errors, in English
               "fieldplan/catalogs.py", "fieldplan/resources.py", "fieldplan/i18n.py"}
    found = [f"{path.relative_to(root)}:{n}"
             for folder in ("fieldplan", "ui") for path in sorted((root / folder).rglob("*.py"))
             if str(path.relative_to(root)) not in machine
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if re.search(r"""["'](, |; )["']\.join\(|["']; ["'] *\+""", line)]
    assert found == []


@pytest.mark.parametrize(("unit", "french", "arabic"), [
    ("events", "événements", "فعاليات"),
    ("institutions", "institutions", "مؤسسات"),
    ("households", "ménages", "أسر معيشية"),
    ("days", "jours", "أيام"),
])
def test_units_plans_often_name_are_said_in_the_readers_language(unit, french, arabic):
    # (a plan's amendment naming "events" printed "من 6 events" in the Arabic sheet)
    from fieldplan.i18n import unit_label

    assert unit_label(unit, "en") == unit
    assert unit_label(unit, "fr") == french
    assert unit_label(unit, "ar") == arabic
    assert unit_label("widgets", "ar") == "widgets"  # (one no catalog knows: as written)


def test_the_tests_run_in_utc_wherever_the_computer_is() -> None:
    """The tests write their times in UTC and read days back; a zoned time is shown as
    its day in the computer's zone, so in UTC-10 "1 Jan 2000, 09:00 UTC" said 31 Dec
    1999 and tests failed by the zone of the computer that ran them (tests/conftest.py
    sets UTC, as it sets the language)."""
    assert datetime(2000, 1, 1, 9, tzinfo=UTC).astimezone().utcoffset().total_seconds() == 0
    assert i18n.format_date("2000-01-01T09:00:00Z", "en") == "1 Jan 2000"
    assert i18n.format_date("2027-03-06T02:00:00Z", "en") == "6 Mar 2027"


@pytest.mark.parametrize(("lang", "tiny", "small", "percent"), [
    ("en", "0.000001", "0.000123", "0.000001%"),
    ("fr", "0,000001", "0,000123", "0,000001\u00a0%"),
    ("ar", "0.000001", "0.000123", "0.000001%"),
])
def test_a_number_other_than_zero_never_prints_as_zero(lang, tiny, small, percent):
    """Three decimals printed an indicator's 0.000001 as "0", read as nothing done: a
    number that three decimals round to zero keeps its first three significant
    digits, in the language's form; the others keep their three decimals."""
    assert i18n.format_number(0.000001, lang) == tiny
    assert i18n.format_number(-0.000001, lang) == "-" + tiny
    assert i18n.format_number(0.00012345, lang) == small
    point = tiny[1]
    assert i18n.format_number(0.0005, lang) == f"0{point}0005"  # (babel rounds it to 0)
    assert i18n.format_percent(0.000001, lang, decimals=True) == percent
    assert i18n.format_number(0.0012345, lang) == f"0{point}001"
    assert i18n.format_number(1234.0000001, lang) == i18n.format_number(1234, lang)
    # zero is "0", never "-0"
    assert i18n.format_number(0, lang) == i18n.format_number(-0.0, lang) == "0"
    # a percent too (it said "-0%")
    assert i18n.format_percent(-0.0, lang, decimals=True) == i18n.format_percent(
        0, lang, decimals=True) == percent.replace("0.000001", "0").replace("0,000001", "0")
    assert i18n.format_number(0.000001, lang, exact=True) == tiny


@pytest.mark.parametrize(("lang", "point", "percent"), [
    ("en", ".", "1E-20%"), ("fr", ",", "1E-20\u00a0%"), ("ar", ".", "1E\u200e-20%")])
def test_a_tiny_number_is_written_short_and_reads_back(lang, point, percent):
    """A number other than zero below 1e-9 is written in scientific notation with its
    three significant digits: 1e-300 typed in an indicator printed as 302 characters
    on one line of a sheet and of the client. It reads back as the number it says."""
    from fieldplan.numbers import parse_number

    text = i18n.format_number(1.2345e-300, lang)
    assert text.replace("\u200e", "") == f"1{point}23E-300"
    assert parse_number(text, lang) == 1.23e-300
    assert i18n.format_number(-1.5e-10, lang).replace("\u200e", "") == f"-1{point}5E-10"
    assert i18n.format_number(1e-9, lang) == f"0{point}000000001"  # (not yet so small)
    assert i18n.format_percent(1e-20, lang, decimals=True) == percent
    assert len(i18n.format_number(1e-300, lang, exact=True)) > 300  # (edited: every digit)


def test_small_integers_kept_as_written_read_as_babel_writes_them():
    """``format_number`` keeps the small integers it wrote (the Overview's hundreds of
    counts): the same text as babel's, in each language, and still a Number where the
    import's messages capture them."""
    from babel.numbers import format_decimal

    from fieldplan import i18n

    for lang, locale in (("en", "en_GB"), ("fr", "fr"), ("ar", "ar")):
        for n in (0, 7, -3, 1234, 9999, 10_000, 123_456):
            expected = format_decimal(n, locale=locale, numbering_system="latn")
            assert i18n.format_number(n, lang) == expected
            assert i18n.format_number(n, lang) == expected  # (the kept one)
