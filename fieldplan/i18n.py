"""Translations and locale formatting for English, French and Arabic. No Qt.

Messages
    Mark user-visible text with ``_()`` (translated now), ``N_()`` (marked only, translated
    later with ``_(value)``), ``ngettext(singular, plural, n)`` and ``pgettext(context,
    message)``. Import them from here; nothing is installed into builtins. Placeholders are
    ``{name}``, filled after translation: ``_("Unknown action {code}").format(code=c)``.
    A count a person reads goes through ``counted("{n} gap", "{n} gaps", n)``, which
    writes it with the language's separators ("1 234 écarts"); ``pcounted(context,
    ...)`` is the same with a context, for a count phrase inside a larger sentence that
    needs another case or agreement there (Arabic "حدثًا واحدًا" as an object).
    A comment starting with ``# Translators:`` on the line before a call reaches the
    translators. The catalog loop (extract, update, translate, check) is in
    ``fieldplan.catalogs``.

Catalogs
    ``resources/locale/<lang>/LC_MESSAGES/fieldplan.po`` is the only source of truth; no
    ``.mo`` is kept in the tree. On first use in a process a ``.po`` is compiled into
    ``user_cache_dir("fieldplan")/locale/<lang>-<sha256 of the .po>.mo`` and loaded from
    there afterwards, so an edited ``.po`` is picked up at once and a stale ``.mo`` cannot
    be used; the cached file begins with its own checksum, so a damaged one is compiled
    again rather than shown. If the cache is not writable the catalog is compiled in
    memory. Fuzzy entries, and plural entries with an empty form, are left out (English
    is shown instead).

Current language
    One per process: ``set_language`` / ``get_language``. ``translation(lang)`` gives the
    translations of another language without switching (a report printed in French from
    an English session); ``speaking(lang)`` makes ``lang`` current in one thread for a
    while, for a text whose helpers translate in the current language. ``xx-pseudo`` is
    a pseudo-locale for tests: every message comes back accented and wrapped, "⟦Ŝàvé⟧",
    with ``{placeholders}`` intact, so a test can spot visible text that does not go
    through the catalogs.

Formatting (babel/CLDR)
    English follows British/UN usage, as the plan's own texts do ("21 June 2025"): dates
    day-month-year, 24-hour clock (CLDR ``en_GB``). Arabic uses **Western digits
    (0-9) everywhere** — numbers, percents, dates, times and years — with the separators
    of CLDR ``ar`` in the Latin numbering system ("12,345.5", "45%"), not the Arabic-Indic
    digits and signs (١٢٬٣٤٥٫٥ ٪): the tables of IOM and OIC Arabic documents use Western
    digits, and so the figures match the English and French editions. The numbering system
    is passed explicitly so that a regional locale (ar_EG, ar_SA default to ``arab``)
    never brings the Arabic signs in; ``ui.qt_i18n`` makes the same choice for widgets.
"""

from __future__ import annotations

import contextlib
import gettext
import hashlib
import io
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # decimal is loaded when a percentage is first formatted
    from decimal import Decimal

#: Languages with catalogs; English is the source language.
LANGUAGES: tuple[str, ...] = ("en", "fr", "ar")
#: Names of the languages in themselves, for a language menu.
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "fr": "Français", "ar": "العربية"}
#: The pseudo-locale for tests.
PSEUDO_LANGUAGE = "xx-pseudo"
#: The gettext domain: the catalogs are named fieldplan.po.
DOMAIN = "fieldplan"

#: One symbol per status, distinct in greyscale and present in DejaVu Sans (and in
#: DejaVu Sans Bold): the status word always goes with it, never a colour alone.
STATUS_SYMBOLS: Mapping[str, str] = {
    "not-started": "○",  # U+25CB white circle
    "on-track": "●",  # U+25CF black circle
    "at-risk": "▲",  # U+25B2 black up-pointing triangle
    "off-track": "▼",  # U+25BC black down-pointing triangle
    "completed": "✓",  # U+2713 check mark
    "cancelled": "✕",  # U+2715 multiplication x
}

# Babel locale used for formatting each language (see the module docstring).
_FORMAT_LOCALES = {"en": "en_GB", "fr": "fr", "ar": "ar", PSEUDO_LANGUAGE: "en_GB"}
_NUMBERING = "latn"

_current = "en"
_translations: dict[str, gettext.NullTranslations] = {}
_lock = threading.Lock()


# --- language ---------------------------------------------------------------------


def _normalise(lang: str) -> str | None:
    """A supported code from a locale name ("fr_FR.UTF-8" -> "fr", "ar-SA" -> "ar"), or None."""
    if lang == PSEUDO_LANGUAGE:
        return lang
    code = re.split(r"[_.@-]", lang.strip(), maxsplit=1)[0].lower()
    return code if code in LANGUAGES else None


def env_language(environ: Mapping[str, str] = os.environ) -> str | None:
    """The language FIELDPLAN_LANG names, in any case ("FR", "fr_FR.UTF-8" → "fr"; the
    pseudo-language too), or None when it is unset or names none fieldplan knows
    ("de"). The command line's language without --lang, and the desktop client's when
    none is chosen in its settings: both else the system's (``detect_language``)."""
    return _normalise(environ.get("FIELDPLAN_LANG", "") or "")


def set_language(lang: str) -> None:
    """Make ``lang`` (en, fr, ar, a locale name such as fr_FR, or xx-pseudo) current."""
    global _current
    code = _normalise(lang)
    if code is None:
        raise ValueError(f"unsupported language {lang!r} (choose one of {', '.join(LANGUAGES)})")
    _current = code


def get_language() -> str:
    """The current language code (``speaking``'s, inside it, in its thread)."""
    return _speaking.value or _current


class _Switch(threading.local):
    """A value that one thread sets for a while (``set_to``): ``default`` in every
    thread until then, and again after."""

    def __init__(self, default: Any) -> None:  # (run in each thread, on first use)
        self.value = default

    @contextlib.contextmanager
    def set_to(self, value: Any) -> Iterator[None]:
        before = self.value
        self.value = value
        try:
            yield
        finally:
            self.value = before


#: the language ``speaking`` makes current in one thread, for a while
_speaking = _Switch(None)


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """While on, in this thread, ``lang`` is the current language: a text made of many
    messages and figures (``status``'s lines) asked for in a language other than the
    process's is all in it, its words, figures and dates alike, where helpers that
    translate in the current language left words of that one among figures of
    ``lang``. Other threads (a window's) keep the process's language."""
    with _speaking.set_to(_resolve(lang)):
        yield


def _resolve(lang: str | None) -> str:
    if lang is None:
        return get_language()
    code = _normalise(lang)
    if code is None:
        raise ValueError(f"unsupported language {lang!r} (choose one of {', '.join(LANGUAGES)})")
    return code


def detect_language(environ: Mapping[str, str] = os.environ) -> str:
    """The user's language from the environment, as gettext reads it; "en" by default.

    LANGUAGE is a priority list ("de:fr" gives fr) honoured unless the locale is C/POSIX;
    otherwise the first of LC_ALL, LC_MESSAGES, LANG that is set decides. With the real
    environment and none of them set (Windows), the system locale is asked.
    """
    locale_name = next(
        (environ[k] for k in ("LC_ALL", "LC_MESSAGES", "LANG") if environ.get(k)), ""
    )
    if locale_name.split(".")[0] not in ("C", "POSIX"):
        for entry in environ.get("LANGUAGE", "").split(":"):
            if (code := _normalise(entry)) in LANGUAGES:
                return code
    if not locale_name and environ is os.environ:
        import locale

        system = (locale.getlocale()[0] or "").lower()  # e.g. "French_France" on Windows
        locale_name = {"french": "fr", "arabic": "ar"}.get(system.split("_")[0], system)
    code = _normalise(locale_name)
    return code if code in LANGUAGES else "en"


@cache
def is_rtl(lang: str) -> bool:
    """True for a right-to-left language (CLDR's text direction)."""
    if lang == PSEUDO_LANGUAGE:
        return False
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(lang.replace("-", "_")).text_direction == "rtl"
    except (ValueError, UnknownLocaleError):
        return False


# --- catalogs -----------------------------------------------------------------------


def locale_dir() -> Path:
    """resources/locale, from a checkout or an installed wheel."""
    from fieldplan.resources import resource_path

    return resource_path("locale")


def po_path(lang: str) -> Path:
    """The catalog of one language."""
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def cache_dir() -> Path:
    """Where compiled catalogs are kept (tests monkeypatch this)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("fieldplan")) / "locale"


def compile_po(data: bytes, lang: str) -> bytes:
    """The .mo bytes of a .po file's bytes; fuzzy and incomplete plural entries left out."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(data), locale=lang, domain=DOMAIN, ignore_obsolete=True)
    for message in list(catalog)[1:]:
        if message.pluralizable and not all(message.string):
            catalog.delete(message.id, context=message.context)
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def load_po(po: Path, lang: str, cache: Path | None) -> gettext.GNUTranslations:
    """Translations from a .po file through the compiled cache (or in memory)."""
    data = po.read_bytes()
    mo_path = None
    if cache is not None:
        mo_path = cache / f"{lang}-{hashlib.sha256(data).hexdigest()}.mo"
        try:
            cached = mo_path.read_bytes()
            # a byte changed inside a translation still parses: the file's checksum
            # tells (a wrong word, or a placeholder that fails every .format, shown
            # from then on)
            digest, mo = cached[:_MO_DIGEST], cached[_MO_DIGEST:]
            if hashlib.sha256(mo).digest() == digest:
                return gettext.GNUTranslations(io.BytesIO(mo))
        except FileNotFoundError:
            pass
        except Exception:  # a damaged cache file is disposable: compile it again
            pass
    mo = compile_po(data, lang)
    if mo_path is not None:
        _store(mo_path, hashlib.sha256(mo).digest() + mo, lang)
    return gettext.GNUTranslations(io.BytesIO(mo))


#: A cached .mo file begins with the SHA-256 digest of the .mo bytes that follow it.
_MO_DIGEST = 32


def _store(mo_path: Path, mo: bytes, lang: str) -> None:
    """Write atomically (two processes may compile at once); drop older .mo of lang."""
    import tempfile

    try:
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(mo)
            os.replace(tmp, mo_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)  # a full cache: no stray file each run
            raise
        for old in mo_path.parent.glob(f"{lang}-*.mo"):
            if old != mo_path:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # read-only or full cache: the in-memory catalog is used


class _PseudoTranslations(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)


_ACCENTED = str.maketrans("AaCcDEeIiNnOoSsUuYyZz", "ÀàÇçÐÉéÎîÑñÖöŜŝÜüÝýŽž")
#: {name} placeholders, and argparse's printf-style ones ("%(prog)s", "%s", "%%"): the
#: command line's usage errors go through the catalogs too (cli.argparse_words)
_PLACEHOLDER = re.compile(r"(\{\{|\}\}|\{[^{}]*\}|%(?:\([^()]*\))?[sdr%])")


def pseudo(message: str) -> str:
    """The pseudo-locale form of a message: "Save {name}" -> "⟦Ŝàvé {name}⟧"; "%(prog)s"
    and "%s" kept as they are, as argparse fills them (accented, "%ŝ" was no
    placeholder, and a usage error ended in a traceback)."""
    parts = _PLACEHOLDER.split(message)
    return "⟦" + "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts)) + "⟧"


def translation(lang: str | None = None) -> gettext.NullTranslations:
    """The translations of ``lang`` (default: current), loaded once per process."""
    code = _resolve(lang)
    found = _translations.get(code)
    if found is None:
        with _lock:
            found = _translations.get(code)
            if found is None:
                found = _translations[code] = _load(code)
    return found


def _load(code: str) -> gettext.NullTranslations:
    if code == PSEUDO_LANGUAGE:
        return _PseudoTranslations()
    if code == "en":
        return gettext.NullTranslations()
    po = po_path(code)
    if not po.is_file():
        return gettext.NullTranslations()
    return load_po(po, code, cache_dir())


def clear_translation_cache() -> None:
    """Forget loaded translations (after a catalog or the cache location changed)."""
    with _lock:
        _translations.clear()


def _(message: str) -> str:
    """``message`` in the current language."""
    text = translation().gettext(message)
    return Msg(text, {"id": message}) if _capture.value else text


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; translate it later with ``_(message)``."""
    return message


def ngettext(singular: str, plural: str, n: int | float) -> str:
    """The form of a message for the count ``n`` in the current language (a number with
    a fraction takes the form the language gives it: ``plural_count``)."""
    text = translation().ngettext(singular, plural, plural_count(n))
    if _capture.value:
        return Msg(text, {"id": singular, "plural": plural, "n": n})
    return text


def counted(singular: str, plural: str, n: int, /, *, lang: str | None = None,
            **fields: Any) -> str:
    """The form of a message for the count ``n``, its ``{n}`` (``{count}`` where the
    plural names it so) filled with ``n`` written with the language's separators ("1,234
    conflicts", "1 234 conflits"): the plural is chosen on the integer, the figure a
    person reads is grouped. Other placeholders are filled from ``fields``. ``lang``:
    a language other than the current one (a report printed in French)."""
    if lang is None:
        text = ngettext(singular, plural, n)
    else:
        text = translation(lang).ngettext(singular, plural, plural_count(n, lang))
    return _count_filled(text, plural, n, lang, fields)


def pcounted(context: str, singular: str, plural: str, n: int, /, *,
             lang: str | None = None, **fields: Any) -> str:
    """``counted`` for a message disambiguated by ``context``: a count phrase that a
    larger sentence holds where a language needs another form of it than on its own.
    "{count} event" is "حدث واحد" on its own, but the object of "they hold" in Arabic
    is "حدثًا واحدًا" (accusative), and "حدثان" becomes "حدثين"; the context (say
    "held by bundles") makes it a message of its own that translators can decline."""
    if lang is None:
        text = npgettext(context, singular, plural, n)
    else:
        text = translation(lang).npgettext(context, singular, plural, plural_count(n, lang))
    return _count_filled(text, plural, n, lang, fields)


def _count_filled(text: str, plural: str, n: int, lang: str | None,
                  fields: Mapping[str, Any]) -> str:
    """A plural form of ``counted`` / ``pcounted`` with its count written for people."""
    name = "count" if "{count}" in plural else "n"
    return text.format(**{name: format_number(n, lang)}, **fields)


def npgettext(context: str, singular: str, plural: str, n: int | float) -> str:
    """The form of a message for the count ``n``, disambiguated by ``context``."""
    text = translation().npgettext(context, singular, plural, plural_count(n))
    if _capture.value:
        return Msg(text, {"ctx": context, "id": singular, "plural": plural, "n": n})
    return text


def plural_count(x: int | float, lang: str | None = None) -> int:
    """A whole number that picks the plural form ``lang`` gives ``x``: ``x`` itself when
    it is whole; for a fraction, the first whole number of the same plural category
    (CLDR's rules, which gettext's hold for whole numbers only, and which Python's
    ``ngettext`` refuses a float for): French says "1,5 seconde" (a number below 2 is
    singular), English "1.5 seconds", Arabic its form for 100 ("1.5 ثانية"), never its
    form for one, which says "one" in words with no figure."""
    if isinstance(x, int):
        return x
    if float(x).is_integer():
        return int(x)
    from babel import Locale

    locale = Locale.parse(_locale(lang))
    category = locale.plural_form(abs(x))
    return next((n for n in (*range(200), 10**6) if locale.plural_form(n) == category), 100)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, disambiguated by ``context``."""
    text = translation().pgettext(context, message)
    return Msg(text, {"ctx": context, "id": message}) if _capture.value else text


def join_clauses(parts: Iterable[str]) -> str:
    """Clauses of one line joined as the language joins them, empty ones left out:
    "27 new of 27 events; the plan is now version 2" (French " ; ", Arabic "؛ ")."""
    # Translators: joins the clauses of one line ("27 new of 27 events; the plan is
    # now version 2"), and the parts of a list of what a plan would hide
    return _joined(_("; "), [part for part in parts if part], "clauses")


def join_list(items: Iterable[str], lang: str | None = None) -> str:
    """The items of a list in a sentence (codes, names, the values allowed), joined as
    the language (``lang``, default: current) writes a list: "3a6052e8:1, ad4ef271:76" /
    Arabic "3a6052e8:1، ad4ef271:76".
    No "and" before the last: babel's CLDR lists add one (and French "unit-narrow"
    drops the commas, Arabic "unit" repeats the second of two items), which a list of
    choices or codes does not want."""
    if lang is not None:  # a text in another language than the current one (a PDF's)
        return _list_in(items, lang)
    # Translators: joins the items of a list in a sentence ("PA1.1, PA1.2"): Arabic "، "
    return _joined(_(", "), list(items), "list")


def _list_in(items: Iterable[str], lang: str | None) -> str:
    """``items`` joined by ``lang``'s list separator (``join_list``'s), as plain text."""
    return translation(lang).gettext(", ").join(items)


def _joined(separator: str, parts: list[str], kind: str) -> str:
    """``parts`` joined by ``separator``; while ``capturing``, a ``Joined`` that a kept
    message keeps as its parts."""
    text = str.join(separator, parts)
    return Joined(text, parts, kind) if _capture.value else text


def without_mnemonic(label: str) -> str:
    """A menu or button label (translated) as read in a sentence: its Alt-letter mark
    taken out ("&&" is an "&")."""
    return re.sub("&(&?)", r"\1", label)


def menu_path(menu: str, item: str) -> str:
    """Where a menu item is, as a person reads it in the window: "Help ▸ This
    computer's key…" (``menu`` and ``item``: their translated labels)."""
    # Translators: a menu and one of its items, as in "Help ▸ This computer's key…";
    # in a right-to-left language the arrow may point the other way (◂)
    return _("{menu} ▸ {item}").format(menu=without_mnemonic(menu),
                                       item=without_mnemonic(item))


# --- messages kept to be shown again in another language -----------------------------
#
# What an import says of a bundle is kept in the inbox and shown again later, perhaps
# to someone who reads another language. While ``capturing()`` is on (in this thread),
# ``_``, ``ngettext`` and ``pgettext`` return ``Msg``: the text, as usual, which also
# remembers its message id and, once formatted, its arguments. ``message_record`` turns
# one into JSON-able data and ``render_record`` makes the text again in any language.
# Text built otherwise (joined, cut) is plain str again: it is kept as it was written.

_capture = _Switch(False)


class Msg(str):
    """A translated text that remembers how it was made (see ``capturing``)."""

    record: dict[str, Any]

    def __new__(cls, text: str, record: dict[str, Any] | None = None) -> Msg:
        made = super().__new__(cls, text)
        made.record = record if record is not None else {"id": str.__str__(made)}
        return made

    def __str__(self) -> str:
        return self  # str(exc) of an exception raised with a Msg keeps the Msg

    def format(self, *args: Any, **kwargs: Any) -> str:
        text = str.format(self, *args, **kwargs)
        if args:
            return text  # named placeholders only are kept
        return Msg(text, {**self.record, "kw": {k: _argument(v) for k, v in kwargs.items()}})


class Periods(str):
    """Periods in words ("1st semester 2026, 2nd semester 2026") that a kept message
    keeps as their codes: shown again in another language, they are said in its words
    (an Arabic Inbox read "تغييرات على الفترة المقفلة 1st semester 2026")."""

    codes: tuple[str, ...]

    def __new__(cls, text: str, codes: Iterable[str]) -> Periods:
        made = super().__new__(cls, text)
        made.codes = tuple(codes)
        return made


class Joined(str):
    """Parts joined as the language joins them (``join_list``: kind "list",
    ``join_clauses``: "clauses") that a kept message keeps as its parts: shown again in
    another language, each part (a kept message itself, or a code) and the separator
    are said in its words ("Cible modifiée (1) : PA1.1/x à la fin du plan : de 8 000
    à 9 000", not the English of the import in a French sentence)."""

    parts: tuple[str, ...]
    kind: str

    def __new__(cls, text: str, parts: Iterable[str], kind: str) -> Joined:
        made = super().__new__(cls, text)
        made.parts = tuple(parts)
        made.kind = kind
        return made

    def __str__(self) -> str:
        # str(exc) of an exception raised with joined clauses ("truncated or damaged
        # ZIP archive (…); ask the sender to send it again") keeps them, as Msg does:
        # the inbox keeps the reason language-neutral
        return self


class Number(str):
    """A number written by ``format_number`` that a kept message keeps as the number:
    shown again in another language it takes that language's separators (English
    "8,000" read in French is eight)."""

    value: int | float | str
    exact: bool

    def __new__(cls, text: str, value: int | float | Decimal, exact: bool) -> Number:
        made = super().__new__(cls, text)
        made.value = value if isinstance(value, int | float) else str(value)
        made.exact = exact
        return made


class Day(str):
    """A date written by ``format_date`` that a kept message keeps as the day: shown
    again in another language it is written its way ("1 Nov 2026" read in French is
    "1er nov. 2026"; an ISO day in a French sentence read as no French date)."""

    day: str
    width: str

    def __new__(cls, text: str, day: str, width: str) -> Day:
        made = super().__new__(cls, text)
        made.day = day
        made.width = width
        return made


class UnitWord(str):
    """An indicator's unit in the words of the language in use (``unit_words``), as a
    change of plan says it, that a kept message keeps as the plan names it (``unit``:
    its English, French and Arabic, the plan's table) beside the unit it changes from
    or to (``beside``): shown again in another language, it is said in that one's
    words (``unit_change_words``). Kept as the words of the import's language, an
    office's Inbox read "from personnes to ateliers" in English."""

    unit: tuple[str, str, str]
    beside: tuple[str, str, str]

    def __new__(cls, unit: tuple[str, str, str], beside: tuple[str, str, str],
                lang: str | None = None) -> UnitWord:
        made = super().__new__(cls, unit_word_text(unit, beside, lang))
        made.unit = unit
        made.beside = beside
        return made


class Quoted(str):
    """A value a message quotes (``quoted``) that a kept message keeps as the value:
    shown again in another language it takes that language's quotation marks (a
    French reader's « … », not the English '…' of the import)."""

    value: str

    def __new__(cls, value: str, lang: str | None = None) -> Quoted:
        made = super().__new__(cls, quoted_text(value, lang))
        made.value = value
        return made


def quoted(value: str, lang: str | None = None) -> str:
    """``value`` (a file's cell, a code, a sheet's name: already made fit to show) in
    the quotation marks of ``lang`` (default: current), as its messages quote values
    themselves: 'value' in English, « value » in French, «value» in Arabic, there
    isolated (FSI … PDI) so that it keeps its own direction ("-5", "PA1.2", a Latin
    title) whole in the right-to-left line. Kept as the value (``Quoted``)."""
    return Quoted(value, lang)


def quoted_text(value: str, lang: str | None = None) -> str:
    """``quoted``'s text, a plain str."""
    lang = _resolve(lang)
    if is_rtl(lang):
        value = "\u2068" + value + "\u2069"
    return translation(lang).gettext(_QUOTED).format(value=value)


class LeftToRight(str):
    """A path, a command, a key fingerprint, an e-mail address or a URL a message names
    (``ltr``) that a kept message keeps as the value: shown again in another language,
    it is isolated as that language needs (in a right-to-left one only)."""

    value: str

    def __new__(cls, value: str, lang: str | None = None) -> LeftToRight:
        made = super().__new__(cls, ltr_text(value, lang))
        made.value = value
        return made


def ltr(value: str | os.PathLike[str], lang: str | None = None) -> str:
    """A path, a command, a key fingerprint, an e-mail address or a URL as a message of
    ``lang`` (default: current) names it: in a right-to-left language, one
    left-to-right unit (``fieldplan.text.ltr_isolated``: a left-to-right isolate),
    else as it is (English and French unchanged). Only where a value is put in a
    message is it known where it ends: in "تعذّرت كتابة /media/usb/تقرير.pdf: …" the
    Arabic name cut the path in two, shown "/media/usb" at the sentence's right and
    ".pdf" at its left. The client shows the isolate; a terminal line shows it as
    marks (``fieldplan.text.for_rtl_terminal``). Kept as the value (``LeftToRight``)."""
    return LeftToRight(os.fspath(value), lang)


def ltr_text(value: str, lang: str | None = None) -> str:
    """``ltr``'s text, a plain str."""
    if is_rtl(_resolve(lang)):
        from fieldplan.text import ltr_isolated

        return ltr_isolated(value)
    return value


# Translators: a value a message quotes, as in "plan.csv: row 3, column 'target':
# 'six' is not a number" (a file's cell, a code, a sheet's name); quote it as the
# language's messages quote values: French « {value} » with no-break spaces, Arabic «{value}»
_QUOTED = N_("'{value}'")


def unit_words(unit: str, fr: str = "", ar: str = "", lang: str | None = None) -> str:
    """A unit in words in ``lang`` (default: current), ``plan.Indicator.unit_in``'s
    words: the plan's own word for that language (``fr``, ``ar``) if it gives one,
    else fieldplan's (``unit_label``); a plain count and a percent always fieldplan's."""
    if unit in ("count", "percent"):
        return unit_label(unit, lang)
    # (the language in use: its translation as installed, a pseudo-locale's too)
    own = {"fr": fr, "ar": ar}.get(lang or get_language(), "")
    return own or unit_label(unit, lang)


def unit_change_words(was: tuple[str, str, str], now: tuple[str, str, str],
                      lang: str | None = None) -> tuple[str, str] | None:
    """An English unit a change of plan changes from ``was`` to ``now`` (each the
    plan's English, French and Arabic for it), in the words ``lang`` (default:
    current) reads (``unit_words``); None in English, or where those words do not
    differ (the plan's English then says what changed)."""
    if (lang or get_language()) not in ("fr", "ar"):
        return None
    before, after = unit_words(*was, lang=lang), unit_words(*now, lang=lang)
    return (before, after) if before != after else None


def unit_word_text(unit: tuple[str, str, str], beside: tuple[str, str, str],
                   lang: str | None = None) -> str:
    """``UnitWord``'s text in ``lang``: ``unit`` in that language's words, or as the
    plan names it in English ("none" for no unit)."""
    words = unit_change_words(unit, beside, lang)
    return (unit[0] if words is None else words[0]) or translation(lang).gettext("none")


def period_words(code: str, lang: str | None = None) -> str:
    """A period in words in ``lang`` ("1st semester 2026"), or as written when it is
    not one this version knows (a newer one's, a damaged peer's record)."""
    try:
        return format_period(code, lang)
    except ValueError:
        return code


def periods_in(codes: Iterable[str], lang: str | None = None) -> str:
    """Periods in words in ``lang`` (``period_words``), joined as it lists."""
    return _list_in((period_words(c, lang) for c in codes), lang)


def _argument(value: Any) -> Any:
    """An argument of a kept message, as JSON-able data (a kept message: its record;
    periods: their codes)."""
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Msg):
        value = value.args[0]
    if isinstance(value, Msg):
        return {"msg": value.record}
    if isinstance(value, Periods):
        return {"periods": list(value.codes)}
    if isinstance(value, Joined):
        return {"joined": [_argument(part) for part in value.parts], "kind": value.kind}
    if isinstance(value, Number):
        return {"number": value.value, "exact": value.exact}
    if isinstance(value, Day):
        return {"day": value.day, "width": value.width}
    if isinstance(value, UnitWord):
        return {"unit": list(value.unit), "beside": list(value.beside)}
    if isinstance(value, Quoted):
        return {"quoted": value.value}
    if isinstance(value, LeftToRight):
        return {"ltr": value.value}
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def capturing() -> contextlib.AbstractContextManager[None]:
    """While on, in this thread, translated texts remember how they were made."""
    return _capture.set_to(True)


def message_record(text: str) -> dict[str, Any] | None:
    """How ``text`` was made, if it is a kept message (else None): clauses joined
    (``join_clauses``) of kept messages are one too."""
    if isinstance(text, Joined) and _holds_kept(text):
        return _argument(text)
    return text.record if isinstance(text, Msg) else None


def _holds_kept(text: Joined) -> bool:
    """Whether joined parts hold a kept message, in clauses joined within clauses too
    ("late data; the plan is now version 2; it hides 3 reports")."""
    return any(isinstance(part, Msg) or (isinstance(part, Joined) and _holds_kept(part))
               for part in text.parts)


def kept_by_language(text: str, kept: str, variants: Mapping[str, str]) -> str:
    """``text`` (in the language in use) that a kept message keeps as ``kept`` (the
    same message as said in any language but those of ``variants``) and, in each
    language of ``variants``, as the variant given for it: a line whose items depend
    on the language it is read in (a unit change a French reader reads twice in
    French words is listed once in French; ``plan_diff.PlanDiff.lines``). ``text`` as
    it is unless all three are kept messages (``capturing``)."""
    records = {lang: v.record for lang, v in variants.items() if isinstance(v, Msg)}
    if not (isinstance(text, Msg) and isinstance(kept, Msg)
            and len(records) == len(variants)):
        return text
    by_language = {lang: r for lang, r in records.items() if r != kept.record}
    return Msg(text, {**kept.record, "by_language": by_language} if by_language
               else kept.record)


def render_record(record: Mapping[str, Any], lang: str | None = None) -> str:
    """A kept message made again in ``lang`` (default: the current language). Raises
    ValueError (KeyError, TypeError…) when the record does not fit this version's
    messages: callers then show the text as it was written."""
    variant = record.get("by_language", {}).get(_resolve(lang))
    if variant is not None:  # (``kept_by_language``)
        return render_record(variant, lang)
    if "joined" in record:
        return str(_render_argument(record, lang))
    t = translation(lang)
    msgid = record["id"]
    if not isinstance(msgid, str):
        raise TypeError("message id")
    if "plural" in record:
        n = record["n"]
        if type(n) not in (int, float):
            raise TypeError("count")
        n = plural_count(n, lang)
        if "ctx" in record:
            text = t.npgettext(record["ctx"], msgid, record["plural"], n)
        else:
            text = t.ngettext(msgid, record["plural"], n)
    elif "ctx" in record:
        text = t.pgettext(record["ctx"], msgid)
    else:
        text = t.gettext(msgid)
    kw = record.get("kw")
    if kw is None:
        return text
    args = {k: _render_argument(v, lang) for k, v in kw.items()}
    return text.format(**args)


def _render_argument(value: Any, lang: str | None) -> Any:
    """An argument kept by ``_argument``, made again in ``lang``."""
    if not isinstance(value, dict):
        return value
    if "periods" in value:
        codes = value["periods"]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise TypeError("periods")
        return periods_in(codes, lang)
    if "joined" in value:
        parts = value["joined"]
        if not isinstance(parts, list):
            raise TypeError("joined")
        separator = {"list": ", ", "clauses": "; "}[value["kind"]]
        return translation(lang).gettext(separator).join(
            str(_render_argument(part, lang)) for part in parts)
    if "number" in value:
        number = value["number"]
        if isinstance(number, str):
            from decimal import Decimal

            number = Decimal(number)
        elif type(number) not in (int, float):
            raise TypeError("number")
        return format_number(number, lang, exact=bool(value["exact"]))
    if "day" in value:
        if value.get("width") not in _WIDTHS or not isinstance(value["day"], str):
            raise TypeError("day")
        return format_date(value["day"], lang, value["width"])
    if "unit" in value:
        unit, beside = value["unit"], value["beside"]
        if not all(isinstance(words, list) and len(words) == 3
                   and all(isinstance(w, str) for w in words) for words in (unit, beside)):
            raise TypeError("unit")
        return unit_word_text(tuple(unit), tuple(beside), lang)
    if "quoted" in value:
        if not isinstance(value["quoted"], str):
            raise TypeError("quoted")
        return quoted_text(value["quoted"], lang)
    if "ltr" in value:
        if not isinstance(value["ltr"], str):
            raise TypeError("ltr")
        return ltr_text(value["ltr"], lang)
    return render_record(value["msg"], lang)


# --- formatting ---------------------------------------------------------------------


def _locale(lang: str | None) -> str:
    return _FORMAT_LOCALES[_resolve(lang)]


def warm_formats(lang: str | None = None) -> None:
    """Load the language's locale data for numbers and dates now (babel reads it from
    disk the first time, tens of milliseconds): a program with a window calls this on
    a worker thread, so that the first number or date it shows does not stall it."""
    from babel import Locale

    Locale.parse(_locale(lang)).decimal_formats  # noqa: B018 (loads the data)


def warm_language(lang: str) -> None:
    """Load a language's catalog (compiled the first time, about 0.1 s) and its locale
    data now: a window calls this on a thread of its own for the languages it may
    change to, so that the change does not do it on the GUI thread."""
    translation(lang)
    warm_formats(lang)


#: integers below this (in size) ``format_number`` keeps as written, by locale
_KEPT_INTS = 10_000
_kept_ints: dict[tuple[str, int], str] = {}


def format_number(x: int | float | Decimal, lang: str | None = None, *,
                  exact: bool = False) -> str:
    """A number with the language's separators: 12,345.5 / 12 345,5 / 12,345.5.

    Rounded to three decimals, unless ``exact``: then every digit of ``x`` is kept
    (0.30000000000000004, 1e300 in full), for a number shown to be edited and read back
    as the same number. A number other than zero never prints as zero: one that three
    decimals round to zero keeps its first three significant digits (0.000001 is
    "0.000001" / "0,000001", 0.00012345 "0.000123"; it printed "0", and an indicator
    measured in small fractions read as nothing done)."""
    locale = _locale(lang)
    if type(x) is int and -_KEPT_INTS < x < _KEPT_INTS:
        # the counts a screen shows by the hundred (the Overview's "12/17" cells, each
        # a babel formatting of a tenth of a millisecond: a third of its first showing)
        # are written once a language
        text = _kept_ints.get((locale, x))
        if text is None:
            from babel.numbers import format_decimal

            text = _kept_ints[(locale, x)] = format_decimal(
                x, locale=locale, numbering_system=_NUMBERING)
        return Number(text, x, exact) if lang is None and _capture.value else text
    import decimal

    from babel.numbers import format_decimal

    with decimal.localcontext() as context:
        # the largest float has 309 digits: babel rounds in the default context, whose
        # 28 digits refuse 1e28 (rounded to three decimals, 1e25: InvalidOperation);
        # an integer may have more (a count a bundle's manifest gives: JSON holds 4,300
        # digits), each kept with the three decimals of the rounding
        context.prec = max(400, _digits(x) + 8)
        tiny = False
        if not exact and _rounds_to_zero(x):
            x, exact = _significant(x), True
            tiny = x.adjusted() < TINY_EXPONENT
        elif not exact and not x:
            x = 0  # (-0.0, which babel writes "-0")
        if tiny:
            text = _scientific(x, lang)
        else:
            text = format_decimal(x, locale=locale, numbering_system=_NUMBERING,
                                  decimal_quantization=not exact)
    # (kept as the number only for the current language: one asked in another is not
    # the import's to say again)
    if lang is None and _capture.value:
        return Number(text, x, exact)
    return text


def _digits(x: int | float | Decimal) -> int:
    """How many digits the integer part of ``x`` has, at most (0 for a float, which
    has at most 309)."""
    from decimal import Decimal

    if isinstance(x, int):
        return int(abs(x).bit_length() * 0.30103) + 1  # (log10(2): no str() of it)
    if isinstance(x, Decimal) and x.is_finite():
        return max(x.adjusted() + 1, 0)
    return 0


def _rounds_to_zero(x: int | float | Decimal) -> bool:
    """Whether ``x`` is other than zero but three decimals round it to zero (either
    way: babel rounds halves to even, 0.0005 to 0)."""
    from decimal import Decimal

    if not x or isinstance(x, int):
        return False
    value = x if isinstance(x, Decimal) else Decimal(str(x))
    return value.is_finite() and abs(value) <= Decimal("0.0005")


#: The power of ten below which a number three decimals round to zero is written in
#: scientific notation (1.23E-12), not with every zero before its digits: 1e-300 typed
#: in an indicator printed as 302 characters on one line
TINY_EXPONENT = -9


def _scientific(x: Decimal, lang: str | None) -> str:
    """``x`` (tiny, other than zero, ``TINY_EXPONENT``) in scientific notation with the
    language's decimal separator: "1.23E-12" / "1,23E-12"."""
    from babel.numbers import format_scientific

    return format_scientific(x, "0.##E0", locale=_locale(lang), numbering_system=_NUMBERING)


def _significant(x: float | Decimal, digits: int = 3) -> Decimal:
    """``x`` (small, other than zero) to its first ``digits`` significant digits, the
    zeros after them dropped: 0.00012345 → 0.000123, 1e-6 → 0.000001."""
    from decimal import Decimal

    value = x if isinstance(x, Decimal) else Decimal(str(x))
    return value.quantize(Decimal(1).scaleb(value.adjusted() - digits + 1)).normalize()


def decimal_point(lang: str | None = None) -> str:
    """The decimal separator ``format_number`` writes in ``lang``: "." / "," / "."."""
    from babel.numbers import get_decimal_symbol

    return get_decimal_symbol(_locale(lang), numbering_system=_NUMBERING)


def format_percent(n_0_to_100: int | float | Decimal, lang: str | None = None, *,
                   decimals: bool = False) -> str:
    """A percentage given as 0..100, rounded halves up as a person rounds them (54.5 →
    "55%", where babel would take the even one): "45%" / "45 %" (no-break space) / "45%".
    As a number other than zero never prints as zero (``format_number``), one that
    would round to 0 or 100 while it is not keeps the decimals that say it is not
    ("0.02%", "99.6%": a mean; fieldplan.means.shown_percent).

    With ``decimals``, up to three decimals are kept, as ``format_number`` keeps them
    ("5.6%", "5,6 %"; "0.0001%", not "0%"): an indicator measured in percent, where 5.6
    is not 6."""
    from decimal import Decimal

    from babel.numbers import format_percent as babel_percent

    from fieldplan.means import shown_percent

    if not decimals:
        value = Decimal(shown_percent(n_0_to_100)) / 100
        return babel_percent(value, locale=_locale(lang), numbering_system=_NUMBERING,
                             decimal_quantization=False)
    import decimal

    with decimal.localcontext() as context:
        context.prec = 400  # (an indicator's value may be 1e25: see format_number)
        value = Decimal(str(n_0_to_100))
        # (and never zero for a value that is not: see format_number)
        value = _significant(value) if _rounds_to_zero(value) else round(value, 3)
        if not value:
            value = Decimal(0)  # (-0.0, which babel writes "-0%": see format_number)
        if value and value.adjusted() < TINY_EXPONENT:
            # (its sign where the language puts it: "1.23E-12%", "1,23E-12 %")
            sign = babel_percent(Decimal("0.01"), locale=_locale(lang),
                                 numbering_system=_NUMBERING)
            return sign.replace("1", _scientific(value, lang), 1)
        value = value.normalize() / 100
        return babel_percent(value, locale=_locale(lang), numbering_system=_NUMBERING,
                             decimal_quantization=False)


def _as_datetime(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _in_zone(when: datetime, tz: tzinfo | None) -> datetime:
    """An aware ``when`` as the clock reads it in ``tz`` (default: this computer's time
    zone), naive; a naive one as it is. Where the system's local time cannot hold its
    year (9999 east of UTC, past 3000 on Windows: a clock far ahead writes them), as
    the clock reads it in UTC."""
    if when.tzinfo is None:
        return when
    try:
        return when.astimezone(tz).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return when.astimezone(UTC).replace(tzinfo=None)


def _zoned(text: str) -> datetime | None:
    """An ISO time with a zone ("…T02:00:00Z"), or None for a day or anything else."""
    if len(text) <= 10:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


_WIDTHS = ("short", "medium", "long", "full")
#: the day of a CLDR pattern (``d``, not ``dd`` nor a letter of a quoted literal)
_DAY = re.compile(r"(?<![d'])d(?![d'])")


def _first_of_month(format: str, locale: str, kind: str = "date") -> str:
    """(French) ``format`` as a CLDR pattern whose day reads "1er": French writes the
    first of a month as an ordinal ("1er juillet 2026"), which CLDR leaves to the
    writer. ``kind``: "datetime" for a width of ``format_datetime``."""
    from babel.dates import get_date_format, get_datetime_format, get_time_format

    if format not in _WIDTHS:
        return _DAY.sub("'1er'", format, count=1)
    day = _DAY.sub("'1er'", get_date_format(format, locale).pattern, count=1)
    if kind == "date":
        return day
    return get_datetime_format(format, locale).replace("{1}", day).replace(
        "{0}", get_time_format(format, locale).pattern)


def format_date(d: date | str, lang: str | None = None, format: str = "medium",
                tz: tzinfo | None = None) -> str:
    """A date (or ISO date string): "5 Mar 2026" / "5 mars 2026" / "05/03/2026"; in
    French the first of a month is "1er juil. 2026".

    ``format`` is a CLDR width (short, medium, long, full) or a CLDR pattern. The day of
    a time with a zone (``2027-03-06T02:00:00Z``, as the store writes them) is its day
    in ``tz``, by default the computer's local time zone, as ``format_datetime`` shows
    it: 5 Mar in Guyana (UTC-4), where "before 6 Mar" said of that deadline would let a
    bundle sent on the evening of the 5th be late.
    """
    from babel.dates import format_date as babel_date

    if isinstance(d, str):
        d = _zoned(d) or date.fromisoformat(d[:10])
    if isinstance(d, datetime):
        d = _in_zone(d, tz).date()
    locale = _locale(lang)
    wanted = format
    if d.day == 1 and locale.split("_")[0] == "fr":
        format = _first_of_month(format, locale)
    text = babel_date(d, format=format, locale=locale)
    # (kept as the day only for the current language, as format_number does)
    if lang is None and _capture.value and wanted in _WIDTHS:
        return Day(text, d.isoformat(), wanted)
    return text


def format_datetime(
    dt: datetime | str,
    lang: str | None = None,
    format: str = "medium",
    tz: tzinfo | None = None,
) -> str:
    """A date and time (or ISO string, e.g. a report's updated_at).

    An aware time is shown in ``tz``, by default the computer's local time zone; a naive
    one as it is.
    """
    from babel.dates import format_datetime as babel_datetime

    dt = _in_zone(_as_datetime(dt), tz)
    locale = _locale(lang)
    if dt.day == 1 and locale.split("_")[0] == "fr":
        format = _first_of_month(format, locale, "datetime")
    return babel_datetime(dt, format=format, locale=locale)


def format_time(dt: datetime | str, lang: str | None = None, format: str = "short",
                tz: tzinfo | None = None) -> str:
    """The time of day of a time (or ISO string), without the date: "2:00 AM" / "02:00"
    / "2:00 ص"; an aware time in ``tz``, by default the computer's local time zone, as
    ``format_date`` gives its day (a deadline says both: the day alone lets a bundle
    sent in its last hours be late)."""
    from babel.dates import format_time as babel_time

    return babel_time(_in_zone(_as_datetime(dt), tz).time(), format=format,
                      locale=_locale(lang))


_PERIOD = re.compile(r"([0-9]{4})-S([12])")


def format_period(period: str, lang: str | None = None) -> str:
    """A semester "2026-S1" in words: "1st semester 2026" / "1er semestre 2026" /
    "النصف الأول 2026". Raises ValueError for anything that is not YYYY-S1 or YYYY-S2."""
    match = _PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"not a period (YYYY-S1 or YYYY-S2): {period!r}")
    t = translation(lang)
    if match[2] == "1":
        # Translators: {year} is a year such as 2026; the first semester is January-June.
        words = t.gettext("1st semester {year}")
    else:
        # Translators: {year} is a year such as 2026; the second semester is July-December.
        words = t.gettext("2nd semester {year}")
    return words.format(year=str(int(match[1])))  # a year: no digit grouping


# --- domain words -------------------------------------------------------------------

_Label = Callable[[gettext.NullTranslations], str]

_STATUS_LABELS: dict[str, _Label] = {
    "not-started": lambda t: t.pgettext("status", "Not started"),
    "on-track": lambda t: t.pgettext("status", "On track"),
    "at-risk": lambda t: t.pgettext("status", "At risk"),
    "off-track": lambda t: t.pgettext("status", "Off track"),
    "completed": lambda t: t.pgettext("status", "Completed"),
    "cancelled": lambda t: t.pgettext("status", "Cancelled"),
}
#: (a table's cell, capitalised as the other cells of the Keys page and of ``keys
#: list``: "Revoked" beside "Mali", as a report's status reads "On track")
_KEY_STATUS_LABELS: dict[str, _Label] = {
    "active": lambda t: t.pgettext("key status", "Active"),
    "retired": lambda t: t.pgettext("key status", "Retired"),
    "revoked": lambda t: t.pgettext("key status", "Revoked"),
    # Translators: this computer's new key, not yet in headquarters' registry
    "unregistered": lambda t: t.pgettext("key status", "Not yet registered"),
}
_LEVEL_LABELS: dict[str, _Label] = {
    "national": lambda t: t.pgettext("level", "National"),
    "regional": lambda t: t.pgettext("level", "Regional"),
    "global": lambda t: t.pgettext("level", "Global"),
}
_LEAD_LABELS: dict[str, _Label] = {
    "IOM": lambda t: t.pgettext("lead", "IOM"),
    "OIC": lambda t: t.pgettext("lead", "OIC"),
    "joint": lambda t: t.pgettext("lead", "Joint"),
}
_STATE_LABELS: dict[str, _Label] = {
    "draft": lambda t: t.pgettext("report state", "Draft"),
    "submitted": lambda t: t.pgettext("report state", "Submitted"),
}
_ROLE_LABELS: dict[str, _Label] = {
    "hq": lambda t: t.pgettext("role", "Headquarters"),
    "office": lambda t: t.pgettext("role", "Office"),
}
# Indicator units a plan may use (resources/plan/plan.toml uses the first five); any
# other unit is shown as the plan writes it.
_UNIT_LABELS: dict[str, _Label] = {
    "people": lambda t: t.pgettext("unit", "people"),
    "documents": lambda t: t.pgettext("unit", "documents"),
    # Translators: the unit of an indicator that is a plain number of things.
    "count": lambda t: t.pgettext("unit", "count"),
    "percent": lambda t: t.pgettext("unit", "percent"),
    "USD": lambda t: t.pgettext("unit", "USD"),
    "EUR": lambda t: t.pgettext("unit", "EUR"),
    "countries": lambda t: t.pgettext("unit", "countries"),
    "offices": lambda t: t.pgettext("unit", "offices"),
    "meetings": lambda t: t.pgettext("unit", "meetings"),
    "projects": lambda t: t.pgettext("unit", "projects"),
    "agreements": lambda t: t.pgettext("unit", "agreements"),
    "days": lambda t: t.pgettext("unit", "days"),
    # units plans other than the built-in one name often (an amendment's new indicator)
    "events": lambda t: t.pgettext("unit", "events"),
    "institutions": lambda t: t.pgettext("unit", "institutions"),
    "sessions": lambda t: t.pgettext("unit", "sessions"),
    "reports": lambda t: t.pgettext("unit", "reports"),
    "studies": lambda t: t.pgettext("unit", "studies"),
    "campaigns": lambda t: t.pgettext("unit", "campaigns"),
    "partnerships": lambda t: t.pgettext("unit", "partnerships"),
    "programmes": lambda t: t.pgettext("unit", "programmes"),
    "participants": lambda t: t.pgettext("unit", "participants"),
    "migrants": lambda t: t.pgettext("unit", "migrants"),
    "households": lambda t: t.pgettext("unit", "households"),
    "cases": lambda t: t.pgettext("unit", "cases"),
    "weeks": lambda t: t.pgettext("unit", "weeks"),
    "months": lambda t: t.pgettext("unit", "months"),
}
_FIELD_LABELS: dict[str, _Label] = {
    "status": lambda t: t.gettext("Status"),
    "percent": lambda t: t.gettext("Percent complete"),
    "achievements": lambda t: t.gettext("Achievements"),
    "challenges": lambda t: t.gettext("Challenges"),
    "next_steps": lambda t: t.gettext("Next steps"),
    "state": lambda t: t.gettext("State"),
}
_COUNT_LABELS: dict[str, Callable[[gettext.NullTranslations, int], str]] = {
    "action": lambda t, n: t.ngettext("{count} action", "{count} actions", n),
    "office": lambda t, n: t.ngettext("{count} office", "{count} offices", n),
    "report": lambda t, n: t.ngettext("{count} report", "{count} reports", n),
    "event": lambda t, n: t.ngettext("{count} event", "{count} events", n),
    "bundle": lambda t, n: t.ngettext("{count} bundle", "{count} bundles", n),
}


class _Ids:
    """Stands for a translation to learn which message a label is (its context and
    id): ``_label`` keeps it in a kept message."""

    def pgettext(self, context: str, message: str) -> tuple[str, str]:
        return context, message


def _label(labels: dict[str, _Label], kind: str, value: str, lang: str | None) -> str:
    try:
        make = labels[value]
    except KeyError:
        raise ValueError(f"unknown {kind} {value!r}") from None
    text = make(translation(lang))
    if lang is None and _capture.value:
        # kept: a level or lead in the Inbox's plan-change lines is said again in the
        # reader's language, not the import's
        context, message = make(_Ids())  # type: ignore[arg-type]
        return Msg(text, {"ctx": context, "id": message})
    return text


def status_label(status: str, lang: str | None = None) -> str:
    """The word for a status (model.STATUSES): "On track" / "En bonne voie" / ..."""
    return _label(_STATUS_LABELS, "status", status, lang)


def key_status_label(status: str, lang: str | None = None) -> str:
    """The word for a key's status in a table: "Active", "Retired", "Revoked", or, for
    ``unregistered`` (this computer's new key: the word ``status --json`` uses too),
    "Not yet registered"."""
    return _label(_KEY_STATUS_LABELS, "key status", status, lang)


def key_replica_label(replica: str, renews: str = "") -> str:
    """A key's computer as people read it: the replica's short id, and the one it
    continues after a restore from a backup."""
    if not renews:
        return replica[:8]
    # Translators: a database restored from a backup continues an earlier replica
    return _("{replica} (continues {earlier})").format(replica=replica[:8],
                                                       earlier=renews[:8])


def level_label(level: str, lang: str | None = None) -> str:
    """The word for an action level (model.LEVELS): "National" / "National" / "وطني"."""
    return _label(_LEVEL_LABELS, "level", level, lang)


def lead_label(lead: str, lang: str | None = None) -> str:
    """Who leads an action (model.LEADS): "IOM" / "OIM" / ..., "Joint" / "OIM-OCI" / "مشترك"."""
    return _label(_LEAD_LABELS, "lead", lead, lang)


def state_label(state: str, lang: str | None = None) -> str:
    """A report state (model.REPORT_STATES): "Draft" / "Brouillon" / "مسودة"."""
    return _label(_STATE_LABELS, "report state", state, lang)


#: Words of the file names the client suggests (a report, a table), by key
#: (file_name_word). Their translators are told how they are used.
_FILE_NAME_WORDS: dict[str, _Label] = {
    # Translators: words of a file name, joined by "-": accents are dropped (é → e),
    # and words not in Latin letters are replaced by the English ones (file_name_word)
    "review-pack": lambda t: t.pgettext("file name", "review-pack"),
    # Translators: words of a file name, joined by "-" (as "review-pack")
    "status-sheet": lambda t: t.pgettext("file name", "status-sheet"),
    # Translators: words of a file name (as "review-pack"): a status sheet of this
    # computer's own office, whose code is not known
    "office": lambda t: t.pgettext("file name", "office"),
    # Translators: words of a file name (as "review-pack"): the progress table a data
    # export writes
    "progress": lambda t: t.pgettext("file name", "progress"),
    # Translators: words of a file name (as "review-pack"): a table of every period
    "all-periods": lambda t: t.pgettext("file name", "all-periods"),
}


def file_name_word(word: str, lang: str | None = None) -> str:
    """``word`` (a key of ``_FILE_NAME_WORDS``: "review-pack", "status-sheet", …) as a
    part of a file name in ``lang``, in ASCII: "dossier-de-revue", "fiche-d-avancement".

    File names travel by email and on USB sticks: a mail gateway or an old client
    turns a name with non-ASCII letters into "=?UTF-8?…" or "ATT00001", a ZIP made by
    Windows' "Send to compressed folder" stores names in the OEM code page, and macOS
    writes accents decomposed. French words lose their accents (é → e), which French
    readers are used to in file names. Words in another script (Arabic) are replaced
    by the English ones: besides those faults, an Arabic name beside the Latin codes,
    periods and ".pdf" of the name is reordered by the bidi algorithm in file
    managers and attachment lists ("SN-2026-S1" reads backwards around it)."""
    text = _label(_FILE_NAME_WORDS, "file name word", word, lang)
    letters = "".join(c for c in unicodedata.normalize("NFKD", str(text))
                      if not unicodedata.combining(c))
    if any(not c.isascii() and c.isalnum() for c in letters):
        return word  # another script: the English words
    return re.sub(r"[^a-z0-9]+", "-", letters.lower()).strip("-") or word


def role_label(role: str, lang: str | None = None) -> str:
    """A replica's role, "hq" or "office" (any case): "Headquarters" / "Siège" / ..."""
    return _label(_ROLE_LABELS, "role", role.lower(), lang)


def unit_label(unit: str, lang: str | None = None) -> str:
    """An indicator's unit in words: "people" / "personnes" / "شخص"; a unit the plan
    invented is returned as written."""
    make = _UNIT_LABELS.get(unit)
    return make(translation(lang)) if make else unit


def field_label(name: str, lang: str | None = None) -> str:
    """A report field's name for people (status, percent, narratives, indicators as
    ``value.<key>``): "Achievements" / "Réalisations" / ...; any other name as is."""
    make = _FIELD_LABELS.get(name)
    if make is not None:
        return make(translation(lang))
    if name.startswith("value."):
        return translation(lang).gettext("Indicator {key}").format(key=name[len("value."):])
    return name


def conflict_value(field: str, value: Any, lang: str | None = None) -> str:
    """A competing value of a conflict as a person reads it (``conflicts list``, the
    review pack): words for a status or state, numbers in the language's form, text as
    written (cut at 60 characters), "–" for none."""
    if value is None or value == "":
        return "–"
    if field == "percent" and isinstance(value, int | float) and not isinstance(value, bool):
        return format_percent(value, lang)
    try:
        if field == "status" and isinstance(value, str):
            return status_label(value, lang)
        if field == "state" and isinstance(value, str):
            return state_label(value, lang)
    except ValueError:  # a word only a newer version knows: as written
        pass
    if isinstance(value, bool):
        t = translation(lang)
        return t.gettext("yes") if value else t.gettext("no")
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, dict | list):
        import json

        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def conflict_values(field: str, values: list[Any], lang: str | None = None) -> list[str]:
    """Each of a conflict's competing ``values`` as ``conflicts list`` and the review
    pack say them: a long text around where it differs from the others (the first
    from the second, every other from the first, as the client highlights them), else
    as ``conflict_value`` says it. Cut at their start, two long narratives differing
    near their end looked alike."""
    from fieldplan.text import differing_spans, excerpt_at

    shown = [conflict_value(field, value, lang) for value in values]
    if len(values) < 2 or not all(isinstance(t, str) for t in values):
        return shown
    first, second = differing_spans(values[0], values[1])
    spans = [first, second, *(differing_spans(values[0], t)[1] for t in values[2:])]
    # (a text conflict_value does not cut, a status's word: as it says them)
    return [excerpt_at(text, where[0]) if where and len(text) > 60 else said
            for text, where, said in zip(values, spans, shown, strict=True)]


def count_label(kind: str, n: int, lang: str | None = None) -> str:
    """A count with its noun, in the right plural form: "3 actions" / "3 إجراءات".

    kind: action, office, report, event or bundle.
    """
    try:
        make = _COUNT_LABELS[kind]
    except KeyError:
        raise ValueError(f"unknown kind of count {kind!r}") from None
    return make(translation(lang), n).format(count=format_number(n, lang))
