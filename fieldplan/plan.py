"""The plan: priority areas, actions and indicators; reading, checking and writing plan
files (TOML, JSON, CSV, XLSX) and the plain dict that sync events carry.

Every file format is read into one dict shape (the TOML's: ``plan``, ``areas``,
``actions`` with their ``indicators``) and checked by one reader, so a mistake gets
the same one-line PlanError whatever the format: the source, where (a field path such
as ``actions[3] (PA1.4).level``, or for CSV a row and a column) and what is wrong.

CSV layout: see fieldplan.plan_csv; XLSX workbooks, read as the same layout:
fieldplan.plan_xlsx.
"""

from __future__ import annotations

import codecs
import errno
import json
import math
import os
import re
import unicodedata
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from fieldplan.errors import PlanError, ValidationError
from fieldplan.events import MAX_EVENT_FIELDS
from fieldplan.i18n import (
    _,
    counted,
    field_label,
    format_number,
    format_period,
    get_language,
    join_list,
    ltr,
    ngettext,
    quoted,
    translation,
    unit_words,
)
from fieldplan.model import ACTION_CODE, AREA_CODE, INDICATOR_KEY, LEADS, LEVELS, REPORT_FIELDS
from fieldplan.periods import (
    Period,
    as_period,
    check_period_in_plan,
    parse_period,
    period_bounds,
    period_for_date,
    plan_periods,
)
from fieldplan.resources import resource_path
from fieldplan.text import clean_text, for_terminal

LANGS: tuple[str, ...] = ("en", "fr", "ar")
FORMATS: tuple[str, ...] = ("toml", "json", "csv")
#: The formats of plan files: the text formats, and Excel's workbooks (plan_xlsx).
FILE_FORMATS: tuple[str, ...] = (*FORMATS, "xlsx")
#: The largest plan, measured as the plan event that carries it to the offices (its
#: canonical JSON): a bundle holds no event over fieldplan.bundle.MAX_EVENT_LINE_BYTES
#: (1 MiB; a test keeps the two in step), and the event adds its author, clock and
#: chain fields (a few hundred bytes) to the plan. The plan of action takes about 40 KB.
MAX_PLAN_EVENT_BYTES = 1024 * 1024 - 64 * 1024
#: The largest plan file read, checked before the file is read whole (a wrong file
#: picked by mistake may be huge). A CSV repeats an action's cells on each of its
#: indicator rows, so the file of a plan that fits in its event may be a few times
#: larger than the event; what is read is then held to MAX_PLAN_EVENT_BYTES. It counts
#: bytes, whatever the encoding: a UTF-16 file of the same plan takes up to twice as many.
MAX_PLAN_BYTES = 4 * 1024 * 1024
#: The byte-order marks a plan file may start with, and what the text is then (Excel's
#: "Unicode Text" and some tools write UTF-16). UTF-32's come first: they start with
#: UTF-16's.
_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
#: The longest title (of the plan, an area, an action or an indicator), unit or place
#: of signature in a plan file to install, in characters: the plan's own run to 120;
#: a longer one is a description pasted in the wrong column, which no table, tree or
#: PDF heading can show. Descriptions may be longer, and have several lines.
MAX_TITLE_CHARS = 300
#: Bidi embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI,
#: PDI): see _Reader.string.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
#: What ends a line in a title: newline (clean_text makes every line end one), and
#: Unicode's line and paragraph separators.
_LINE_BREAKS = re.compile("[\n\r\u2028\u2029\x85\x0b\x0c]")
#: The highest plan version: amendments bump it by one, so no plan comes near it, and
#: absurd numbers (10**400) stay out of events, databases and messages.
MAX_VERSION = 2**31 - 1
#: The highest version of a plan file to install: a plan amended every week would
#: take twenty thousand years to reach it. A version typed with a few digits too many
#: (2147483647) leaves no room above it, and an amendment needs a higher one.
MAX_IMPORTED_VERSION = 1_000_000
#: The years a plan file to install may give dates in (its start, end and signature),
#: and the longest it may run: a plan of action runs a few years. 0001-01-01 or
#: 9999-12-31 is a typing slip, and would make thousands of reporting periods.
PLAN_YEARS = (2000, 2100)
#: The years of a date in the Hijri calendar (lunar, as Umm al-Qura, and solar), as a
#: spreadsheet set to it writes the plan's dates (25/12/1446, ۱۴۰۴/۰۳/۳۱ for 21 June
#: 2025): no plan's date is in these years of the Gregorian calendar.
HIJRI_YEARS = (1300, 1599)
MAX_PLAN_YEARS = 20
#: The largest baseline or target (either sign) of a plan file to install: a
#: trillion, more than any count, people or USD a plan of action measures. 1e308 was
#: installed, and shown with its 309 digits in warnings, tables and PDFs.
MAX_PLAN_NUMBER = 1e12
#: The most indicators an action of a plan to install may have: a save of a whole
#: report writes every figure with the report's other fields (model.REPORT_FIELDS), and
#: no peer takes an event of more than events.MAX_EVENT_FIELDS fields. 64 - 6 = 58,
#: rounded down to tens: 50, a number people can be told. (A report of more, under a
#: plan installed before this limit, is saved in several events: events.append_chain)
MAX_INDICATORS = (MAX_EVENT_FIELDS - len(REPORT_FIELDS)) // 10 * 10


# --- domain values ------------------------------------------------------------------


_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=4096)  # (a plan's few dozen codes, for 100,000 rows)
def code_key(code: str) -> tuple[Any, ...]:
    """An action's code as it sorts: its numbers as numbers ("PA1.2" before "PA1.10",
    "PA2.1" before "PA10.1"), its letters as written. By the text alone, an area of
    ten actions or more listed PA1.1, PA1.10, PA1.2."""
    return tuple(int(part) if part.isdigit() else part
                 for part in _DIGITS.split(code))


def in_listing_order(reports: Iterable[Any], language: str) -> list[Any]:
    """``reports`` (``ProgressReport``) as the client's Reports page, ``progress list``
    and ``data export`` list them: by period, then office in the review pack's order
    in ``language`` (``offices.office_ranks``: the regional offices, the countries by
    their names, then headquarters), then action (its numbers as numbers:
    ``code_key``). The database gave them by the codes as text: AE before DZ
    (Algeria), HQ among the countries, PA1.10 before PA1.2. About 0.1 s for 100,000
    reports."""
    from fieldplan.offices import office_ranks

    reports = list(reports)
    rank = office_ranks((r.office for r in reports), language)
    code = {action: code_key(action) for action in {r.action for r in reports}}
    return sorted(reports, key=lambda r: (r.period, rank[r.office], code[r.action]))


#: where a report's fields come in it, as its status sheet prints them: its status,
#: progress, indicators (``value.<key>``, in the action's order), then narratives
_FIELD_RANKS = {"status": 0, "percent": 1, "achievements": 3, "challenges": 4,
                "next_steps": 5, "state": 6}


def in_report_order(items: Iterable[Any], plan: Plan, lang: str) -> list[Any]:
    """``items`` (open conflicts, reports changed after a lock: each with ``office``,
    ``action``, perhaps ``period`` and ``field``) by office as the review pack's
    matrix and tables list them (``offices.office_ranks`` in ``lang``: headquarters'
    own, the plan's conflicts among them, last, as the Reports page and the Overview
    list it; it came first here, at the other end), then by action number
    (``code_key``: PA1.2 before PA1.10), period, then by field as the report's status
    sheet prints them; ties as they came. By their stored ids, compared as text, they
    came PA1.10 before PA1.2, and a report's "Achievements" before its "Percent
    complete" before its "Status". The pack, ``conflicts list`` and the client's
    Conflicts page list them so."""
    from fieldplan.offices import office_ranks

    items = list(items)
    indicators = {a.code: [i.key for i in a.indicators] for a in plan.actions}
    # each office's place once (a name from babel, folded): 17,500 conflicts at
    # headquarters share a few dozen offices
    offices = office_ranks({item.office or "" for item in items}, lang)

    return sorted(items, key=lambda item: (
        offices[item.office or ""], code_key(item.action or ""),
        getattr(item, "period", "") or "",
        field_rank(getattr(item, "field", None) or "", indicators.get(item.action or "", ()))))


def field_rank(name: str, indicators: Sequence[str]) -> tuple:
    """A report's field ``name`` as it sorts: as its status sheet prints them (status,
    progress, indicators ``value.<key>`` in the order of ``indicators``, the action's
    keys, one it no longer has after them, then narratives)."""
    if name.startswith("value."):
        key = name[len("value."):]
        return (2, indicator_rank(key, indicators), key)
    return (_FIELD_RANKS.get(name, 7), 0, name)


def indicator_rank(key: str, indicators: Sequence[str]) -> int:
    """Where the indicator ``key`` comes among an action's ``indicators`` (keys, in
    the action's order, as its report form and status sheet show them); after them
    all when the action no longer has it."""
    return indicators.index(key) if key in indicators else len(indicators)


@dataclass(frozen=True)
class Text:
    """A text in the plan's three languages: ``en`` (always set for titles), ``fr``
    and ``ar`` (may be empty)."""

    en: str
    fr: str = ""
    ar: str = ""

    def get(self, lang: str) -> str:
        """The text in ``lang`` (en, fr, ar), or the English when that is empty."""
        value = getattr(self, lang, "") if lang in LANGS else ""
        return value or self.en


@dataclass(frozen=True)
class Indicator:
    """A measure of an action's progress.

    key: short slug, unique within the action (``officials-trained``).
    title: what is counted.
    unit: ``count``, ``percent``, ``people``, ``USD``, ``documents``... (as the plan
        writes it in English: what says whether it counts things, or is a percent)
    baseline: the value when the plan started, or None.
    target: the value to reach by the plan's end, or None.
    targets: per-period targets ((``"2026-S1"``, value), ...), sorted by period: the
        value expected by the end of that period.
    unit_fr, unit_ar: the unit in French and Arabic as the plan words it ("" where it
        does not: ``unit_in`` then words it as for a plan that gives none).
    """

    key: str
    title: Text
    unit: str
    baseline: float | None
    target: float | None
    targets: tuple[tuple[str, float], ...] = ()
    unit_fr: str = ""
    unit_ar: str = ""

    @property
    def unit_text(self) -> Text:
        """The unit in the plan's three languages, as the plan gives it."""
        return Text(self.unit, self.unit_fr, self.unit_ar)

    def unit_in(self, lang: str | None = None) -> str:
        """The unit in words in ``lang`` (default: current): the plan's own word for
        that language if it gives one, else ``i18n.unit_label`` (fieldplan's word for
        a unit it knows, "personnes" for ``people``; the English as the plan writes
        it for any other), as a title falls back to its English. A plain count and a
        percent are always fieldplan's words ("nombre", "pourcentage"), whatever the
        plan words them: the sheets print no unit after a count's figures and the %
        sign after a percent's, and ignore such a word too."""
        return unit_words(self.unit, self.unit_fr, self.unit_ar, lang)

    def target_for(self, period: Period | str) -> float | None:
        """The target a period is held to: its own one if set, else the first one set
        after it (a semester before the first milestone is not held to the plan's
        end), else the end target (``target_is_end`` says which)."""
        wanted = as_period(period)
        for key, value in self.targets:  # sorted by period
            if as_period(key) >= wanted:
                return value
        return self.target

    def target_period(self, period: Period | str) -> str | None:
        """The later period whose milestone ``target_for(period)`` is, the period
        having none of its own ("2026-S2" for 2026-S1): a report says which, else its
        figure reads as the period's own target. None: its own, the end's, or none."""
        wanted = as_period(period)
        for key, _value in self.targets:  # sorted by period
            if as_period(key) >= wanted:
                return None if as_period(key) == wanted else str(as_period(key))
        return None

    def target_is_end(self, period: Period | str) -> bool:
        """Whether ``target_for(period)`` is the end-of-plan target, there being no
        target of the period's own or after it: a report says so by its figure."""
        wanted = as_period(period)
        return self.target is not None and all(as_period(k) < wanted for k, _ in self.targets)


@dataclass(frozen=True)
class Action:
    """A concrete action of the plan.

    code: ``<area>.<n>``, e.g. ``PA2.3``.
    area: code of its priority area.
    level: ``national``, ``regional`` or ``global`` (which offices report on it).
    lead: ``IOM``, ``OIC`` or ``joint``.
    title, description: in en/fr/ar.
    indicators: its indicators, in plan order.
    illustrative: True when the text is a placeholder, not the signed plan's.
    """

    code: str
    area: str
    level: str
    lead: str
    title: Text
    description: Text
    indicators: tuple[Indicator, ...]
    illustrative: bool = False

    def indicator(self, key: str) -> Indicator:
        """The indicator with this key; ValidationError if the action has none."""
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator
        keys = join_list(i.key for i in self.indicators) or _("none")
        raise ValidationError(
            _("unknown indicator '{key}' for {code} (its indicators: {keys})").format(
                key=key, code=self.code, keys=keys))

    def field_label(self, name: str, lang: str | None = None) -> str:
        """A report field's name for people in ``lang`` (default: current): one of this
        action's indicators (``value.<key>``) by its title, not its key; any other as
        ``i18n.field_label`` says it ("Indicator <key>" for one the action lacks)."""
        key = name[len("value."):] if name.startswith("value.") else None
        for indicator in self.indicators:
            if indicator.key == key:
                return indicator.title.get(lang or get_language())
        return field_label(name, lang)


@dataclass(frozen=True)
class Area:
    """A priority area of collaboration.

    code: ``PA1``...; title: in en/fr/ar; illustrative: True for a placeholder title.
    """

    code: str
    title: Text
    illustrative: bool = False


def _due_in(added: tuple[Period, int] | None, period: Period | str) -> bool:
    """Whether what an amendment ``added`` (its semester, its version; None: in the
    plan from its start) is due in ``period``."""
    return added is None or as_period(period) >= added[0]


@dataclass(frozen=True)
class Plan:
    """The plan of action.

    id: stable identifier, e.g. ``iom-oic-poa-2025-2027`` (bundles carry it).
    version: positive integer, bumped by each amendment.
    title: in en/fr/ar.
    start, end: first and last day the plan covers.
    signed_at, signed_place: when and where it was signed (None / "" if unknown).
    areas, actions: in plan order.
    illustrative: True when some content is a placeholder, not the signed plan's.
    """

    id: str
    version: int
    title: Text
    start: date
    end: date
    signed_at: date | None
    signed_place: str
    areas: tuple[Area, ...]
    actions: tuple[Action, ...]
    illustrative: bool = False
    #: The actions an amendment added, as read from the plan's history in a database
    #: (``fieldplan.planops.plan_additions``): code → (the semester HQ installed that
    #: amendment in, the plan version it made). Such an action has no report due in
    #: the periods before (``expects``). Not part of the plan's text: empty for a
    #: plan read from a file, and left out of comparisons.
    added: Mapping[str, tuple[Period, int]] = field(
        default_factory=dict, compare=False, hash=False, repr=False)
    #: The same for indicators an amendment added to an action it had before, by
    #: (action code, indicator key): no value due in the periods before
    #: (``expects_value``).
    added_values: Mapping[tuple[str, str], tuple[Period, int]] = field(
        default_factory=dict, compare=False, hash=False, repr=False)
    #: The indicators amendments moved from an action the plan still has to another
    #: (``fieldplan.planops.plan_moves``): (action code, indicator key) → the action
    #: that has it now. Read from a database's plan history, as ``added``.
    moved_values: Mapping[tuple[str, str], str] = field(
        default_factory=dict, compare=False, hash=False, repr=False)

    def action(self, code: str) -> Action:
        """The action with this code (``pa1.1`` finds ``PA1.1``); ValidationError if none."""
        wanted = str(code).strip().upper()
        for action in self.actions:
            if action.code.upper() == wanted:
                return action
        raise ValidationError(_("unknown action '{code}'").format(code=code))

    def field_label(self, action: str, name: str, lang: str | None = None) -> str:
        """A field of a report on ``action`` for people (``Action.field_label``): an
        indicator by its title while the plan has it, else by its key."""
        try:
            return self.action(action).field_label(name, lang)
        except ValidationError:  # not in the plan (any more): "Indicator <key>"
            return field_label(name, lang)

    def area(self, code: str) -> Area:
        """The priority area with this code; ValidationError if none."""
        wanted = str(code).strip().upper()
        for area in self.areas:
            if area.code.upper() == wanted:
                return area
        codes = join_list(a.code for a in self.areas)
        raise ValidationError(_("unknown area '{code}' (the plan's areas: {codes})").format(
            code=code, codes=codes))

    def actions_of(self, area: str | None = None, level: str | None = None, *,
                   due: Period | str | None = None,
                   reported: Container[str] = ()) -> tuple[Action, ...]:
        """The actions of one area and/or one level, in plan order; with ``due``, only
        those whose report is due in that period (``expects``), and those of
        ``reported`` (codes: an office reported on an action before it was due)."""
        area_code = self.area(area).code if area is not None else None
        if level is not None and level not in LEVELS:
            raise ValidationError(_("unknown level '{level}': use {choices}").format(
                level=level, choices=join_list(LEVELS)))
        return tuple(
            a
            for a in self.actions
            if (area_code is None or a.area == area_code) and (level is None or a.level == level)
            and (due is None or a.code in reported or self.expects(a.code, due))
        )

    def expects(self, code: str, period: Period | str) -> bool:
        """Whether a report on action ``code`` is due in ``period``: False for an
        action an amendment added after that period (``added``), True otherwise."""
        return _due_in(self.added.get(code), period)

    def expects_value(self, code: str, key: str, period: Period | str) -> bool:
        """Whether a value of indicator ``key`` of action ``code`` is due in
        ``period``: False for one an amendment added after that period."""
        return _due_in(self.added_values.get((code, key)), period)

    def added_text(self, code: str, period: Period | str, lang: str | None = None) -> str:
        """Why action ``code`` has no report due in ``period`` ("" when one is due),
        in ``lang`` (default: current): the amendment that added it came later."""
        if self.expects(code, period):
            return ""
        added, version = self.added[code]
        # Translators: {version} is a number; {period} a semester in words ("2nd
        # semester 2026")
        return translation(lang).gettext(
            "No report due: plan version {version} added this action in {period}.").format(
                version=format_number(version, lang), period=format_period(str(added), lang))

    def periods(self) -> tuple[Period, ...]:
        """The reporting periods (see fieldplan.periods for the folding rule)."""
        return plan_periods(self.start, self.end)

    def check_period(self, period: Period | str) -> Period:
        """The period if it is one of the plan's; ValidationError otherwise."""
        return check_period_in_plan(as_period(period), self.periods(), self.start, self.end)

    def period_bounds(self, period: Period | str) -> tuple[date, date]:
        """First and last day of a period within this plan."""
        return period_bounds(period, self.start, self.end)

    def period_for_date(self, d: date) -> Period | None:
        """The period containing a date, None outside the plan."""
        return period_for_date(d, self.periods(), self.start, self.end)


#: Follows the code of an illustrative area or action where a word has no room (the
#: client's plan tree, the table of ``fieldplan actions``); ``illustrative_note`` says
#: what it means. Only the item's own flag counts: the plan's says that some of it is
#: a placeholder, not which part.
ILLUSTRATIVE_MARK = "*"


def marked_code(item: Area | Action) -> str:
    """``PA1.2*`` for an illustrative area or action, ``PA1.2`` for the signed text."""
    return item.code + ILLUSTRATIVE_MARK if item.illustrative else item.code


def illustrative_note() -> str:
    """The line under a list of the plan's items that explains ILLUSTRATIVE_MARK."""
    # Translators: under a list of the plan's actions; {mark} is the sign after the code
    # of an action whose text is a placeholder ("PA1.2*"), not the signed plan's
    return _("{mark} illustrative: placeholder text until headquarters installs the "
             "signed plan's text").format(mark=ILLUSTRATIVE_MARK)


# --- reading and checking a plan dict -----------------------------------------------

# A field path: keys, and (index, label) pairs for list items, e.g.
# ("actions", (3, "PA1.4"), "level") → "actions[3] (PA1.4).level".
PathPart = str | tuple[int, str]
FieldPath = tuple[PathPart, ...]

_PLAN_KEYS = ("id", "version", "title", "start", "end", "signed_at", "signed_place", "illustrative")
_AREA_KEYS = ("code", "title", "illustrative")
_ACTION_KEYS = (
    "code",
    "area",
    "level",
    "lead",
    "title",
    "description",
    "illustrative",
    "indicators",
)
_INDICATOR_KEYS = ("key", "title", "unit", "baseline", "target", "targets")

_PLAN_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_AREA_CODE_RE = re.compile(rf"^{AREA_CODE.pattern}$")
_ACTION_CODE_RE = re.compile(r"^(.+)\.([1-9][0-9]*)$")  # its area, then ACTION_CODE
_KEY_RE = re.compile(f"^{INDICATOR_KEY.pattern}$")
#: The spaces a spreadsheet or a typesetter puts between thousands: a space, a no-break
#: space (French Excel, LibreOffice), a narrow no-break space (French in recent
#: Windows and macOS), a thin space and a figure space (typeset text).
_GROUP_SPACES = " \u00a0\u202f\u2009\u2007"
#: Thousands grouped by spaces (25 000, 1 250 000,5, 1 234.5): the spaces say the mark
#: after them, if any, is the decimal one, whatever the file.
_SPACE_GROUPED = re.compile(f"[+-]?[1-9][0-9]{{0,2}}(?:[{_GROUP_SPACES}][0-9]{{3}})+"
                            "(?:[.,][0-9]+)?")
#: 1.200 or 1,200: a number whose one mark may group thousands (0.125 cannot), or be
#: the decimal one: the file's separator says which, where it says anything
_DOT_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+")
_COMMA_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+")
#: 1,234,567 or 1.234.567: the same mark twice or more between groups of three,
#: thousands in any locale (a decimal mark is written once)
_REPEATED_GROUPS = re.compile(r"[+-]?[1-9]\d{0,2}([.,])\d{3}(?:\1\d{3})+")
#: 1,234.5 or 1.234,5: thousands grouped by one mark, then the other once, the decimal
#: one: one reading in any locale
_COMMAS_THEN_POINT = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+\.\d+")
_POINTS_THEN_COMMA = re.compile(r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+,\d+")
#: 12,5 or 1234,567: one comma that groups no thousands, the decimal one in any file
_DECIMAL_COMMA = re.compile(r"[+-]?\d+,\d+")
#: a number in scientific notation (1.23457E+11; 1,23457E+11 where the comma is the
#: decimal mark): its digits before and after the mark, and its exponent
_E_NOTATION = re.compile(r"[+-]?(\d+)(?:[.,](\d*))?[eE]([+-]?\d+)")
#: the magnitude from which a spreadsheet's General format writes a number in
#: scientific notation, rounded to six digits: 123456789012 as 1.23457E+11 (in 11
#: characters); below it, every digit
_E_ROUNDED_FROM = 1e11
# a number with the Arabic decimal separator (U+066B) or thousands separator (U+066C)
_ARABIC_GROUPED = re.compile("-?(?:\\d{1,3}(?:\u066c\\d{3})+|\\d+)(?:\u066b\\d+)?")
# true/false cells: the words people type, and TRUE and FALSE as a spreadsheet in the
# language of a member state's computers writes them back (Turkish, Russian, Portuguese,
# Indonesian, Spanish, German Excel), each refused on every row of the file before
# ("YANLIŞ" lowers to "yanliş", not "yanlış")
_TRUE = frozenset({"true", "yes", "1", "vrai", "oui", "صواب", "نعم", "doğru", "истина",
                   "verdadeiro", "benar", "verdadero", "wahr"})
_FALSE = frozenset({"false", "no", "0", "faux", "non", "خطأ", "لا", "yanlış", "yanliş", "ложь",
                    "falso", "salah", "falsch"})


def format_path(path: FieldPath) -> str:
    """``("actions", (3, "PA1.4"), "level")`` → ``"actions[3] (PA1.4).level"``."""
    out = ""
    for part in path:
        if isinstance(part, tuple):
            index, label = part
            out += f"[{index}]" + (f" ({label})" if label else "")
        else:
            out += ("." if out else "") + part
    return out


def _show(value: Any) -> str:
    """A value quoted for a one-line message (``_shown``), in the quotation marks of
    the language the message is said in (``i18n.quoted``): a French line quoted the
    file's cell 'so' beside its own « colonne »."""
    return quoted(_shown(value))


def _shown(value: Any) -> str:
    """A value as a one-line message shows it, unquoted: control characters (a file's
    escape sequences, bells, NULs) shown escaped, never sent raw to a terminal, and a
    long one cut with "..." at 60 characters."""
    text = value.isoformat() if isinstance(value, date) else str(value)
    shown = [_SHOWN_AS.get(ch) or _shown_format(ch) or for_terminal(ch) for ch in text[:61]]
    if sum(map(len, shown)) <= 60:
        return "".join(shown)
    cut, size = [], 0
    for piece in shown:  # cut between characters, never inside an escape
        size += len(piece)
        if size > 57:
            break
        cut.append(piece)
    return "".join(cut) + "..."


_SHOWN_AS = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _shown_format(char: str) -> str:
    """A format character (a zero-width space, a bidi mark or control: Unicode's Cf)
    as ``\\u200b``, "" for any other: quoted alone, it showed as nothing ("'' is not a
    date" of a cell that was not empty), and two texts that differ by one looked alike."""
    import unicodedata

    if char.isascii() or unicodedata.category(char) != "Cf":
        return ""
    return f"\\u{ord(char):04x}"


def _show_pair(value: str, other: str) -> tuple[str, str]:
    """Two different texts quoted for a one-line message; when they are long, both are
    cut around the first character where they differ, so the difference shows."""
    if len(value) <= 60 and len(other) <= 60:
        return _show(value), _show(other)
    first = next((i for i, (a, b) in enumerate(zip(value, other, strict=False)) if a != b),
                 min(len(value), len(other)))
    start = max(0, first - 20)

    def cut(text: str) -> str:
        part = text[start : start + 50]
        return quoted(("..." if start else "") + _shown(part)
                      + ("..." if start + 50 < len(text) else ""))

    return cut(value), cut(other)


def where_what(where: str, message: str) -> str:
    """``"plan.csv: row 3: missing"``: a place and what is wrong there, joined as the
    language writes it (French puts a no-break space before the colon)."""
    # Translators: also used for a place in a plan file and what is wrong there, as in
    # "plan.csv: row 3, column 'unit': missing (required)".
    # both may quote the file (a column, a code, a period): no raw control character.
    # Each is made safe apart, so that a kept message (an import's reason, shown again
    # in the reader's language) stays one: made safe whole, it was plain text again
    return _("{file}: {reason}").format(file=_terminal_safe(where),
                                        reason=_terminal_safe(message))


def _terminal_safe(text: str) -> str:
    """``for_terminal(text)``, or ``text`` itself (a kept message) where that changes
    nothing."""
    shown = for_terminal(text)
    return text if shown == text else shown


def _kind(value: Any) -> str:
    # (each: what a plan file gave instead of the expected kind of value, as in
    # "expected a list, got the number 5": said to the translators of each)
    if isinstance(value, bool):
        # Translators: a plan file's value instead of the kind expected ("got true/false")
        return _("true/false")
    if isinstance(value, int | float):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("the number {value}").format(value=_shown(value))  # cut if long
    if isinstance(value, str):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("the text {value}").format(value=_show(value))
    if isinstance(value, Mapping):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("a table")
    if isinstance(value, list | tuple):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("a list")
    if isinstance(value, datetime):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("the date and time {value}").format(value=value.isoformat())
    if isinstance(value, date):
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("the date {value}").format(value=value.isoformat())
    if isinstance(value, time):  # (TOML's time of day, start = 10:00:00)
        # Translators: a plan file's value instead of the kind expected ("got …")
        return _("the time {value}").format(value=value.isoformat())
    # Translators: a plan file's value instead of the kind expected ("got nothing")
    return _("nothing") if value is None else type(value).__name__


class _Locator:
    """Turns a field path into the place named in messages."""

    def __init__(self, source: str) -> None:
        self.source = source

    def where(self, path: FieldPath) -> str:
        """``"plan.toml: actions[3] (PA1.4).level"``."""
        text = format_path(path)
        return where_what(self.source, text) if text else self.source

    def brief(self, path: FieldPath) -> str:
        """A short reference to another place in the same source."""
        return format_path(path)


class _Reader:
    """Checks a plan dict field by field and builds the Plan; the first problem raises
    PlanError. ``from_text``: numbers, integers and booleans may be given as text (CSV
    cells); ``decimal_comma``: the decimal mark of a number with one mark before three
    digits, ``1,500`` or ``1.500``: the comma (True), the point (False), or neither (None:
    a file whose separator says nothing of its spreadsheet's locale), when it is
    refused naming both readings (a number with one reading is read alike whatever it
    is: ``_plain_number``); ``clean``: texts lose their control characters (as narratives do, see
    fieldplan.text.clean_text) and bidi controls; ``strict``: titles, units and the
    place of signature are one line of at most MAX_TITLE_CHARS (a file to install)."""

    def __init__(self, locator: _Locator, from_text: bool = False,
                 decimal_comma: bool | None = False, clean: bool = False,
                 strict: bool = False):
        self.loc = locator
        self.from_text = from_text
        self.decimal_comma = decimal_comma
        self.clean = clean
        self.strict = strict
        self._periods: tuple[tuple[date, date], tuple[Period, ...]] | None = None
        #: a date's text as its file wrote it, by field path, where it was not its
        #: YYYY-MM-DD (۱۴۰۴/۰۳/۳۱): what messages about that date quote (``shown_day``)
        self.written: dict[FieldPath, str] = {}

    def _plain_number(self, value: str, text: str, path: FieldPath,
                      scientific: bool) -> str:
        """A number cell's ``text`` (stripped, ``value`` as the file has it) without
        its thousands separators and with a decimal point, for ``float``: read alike in
        a ",", ";" or tab separated file wherever only one reading is possible, as a
        spreadsheet in English, French or Arabic saves it (1,234.5; 1 234,5; 1 234.5;
        1.234,5; 1,500,000; 6,4). Only a number with one mark before three digits
        (1,500; 1.500) is read as the file's separator says (a "," file's decimal mark
        is the point, a ";" file's the comma); a tab separated file (Excel's "Unicode
        Text") says nothing of its locale, and that number is refused, naming both
        readings. Text that is no such number is returned as it is (float refuses it)."""
        if scientific:
            return text.replace(",", ".")  # (no thousands in scientific notation)
        if _SPACE_GROUPED.fullmatch(text):
            # 25 000, 1 234,5, 1 234.5: as a spreadsheet in French writes thousands, in a
            # file of any separator (a French LibreOffice saves a "," file "as shown")
            return re.sub(f"[{_GROUP_SPACES}]", "", text).replace(",", ".")
        if _COMMAS_THEN_POINT.fullmatch(text):
            return text.replace(",", "")
        if _POINTS_THEN_COMMA.fullmatch(text):
            return text.replace(".", "").replace(",", ".")
        if _REPEATED_GROUPS.fullmatch(text):
            return text.replace(",", "").replace(".", "")
        mark = "," if _COMMA_GROUPED.fullmatch(text) else "." if _DOT_GROUPED.fullmatch(
            text) else ""
        if (mark, self.decimal_comma) in ((".", False), (",", True)):
            return text.replace(",", ".")  # the file's own decimal mark (1.500 in ",")
        if mark and self.decimal_comma:
            # 1.200 is 1200 in a spreadsheet that writes 1,2 for one and a fifth: read as
            # 1.2 it would be a target a thousand times too small; and 6.125 may be six
            # and an eighth typed with a point (its plain form was said alone: a
            # percent a thousand times too large)
            raise self.fail(path, _(
                "{value} could be {thousands} or {decimal}: in a file with decimal "
                "commas, write it without thousands separators").format(
                    value=_show(value), thousands=_show(text.replace(".", "")),
                    decimal=_show(text.replace(".", ","))))
        if mark:
            # a "," file's 1,500 (a spreadsheet in English groups thousands so, one in
            # French writes a decimal comma), and either in a tab separated file
            raise self.fail(path, _(
                "{value} could be {thousands} or {decimal}: write it without "
                "thousands separators").format(
                    value=_show(value), thousands=_show(text.replace(mark, "")),
                    decimal=_show(text.replace(",", "."))))
        if _DECIMAL_COMMA.fullmatch(text):
            return text.replace(",", ".")
        return text

    def fail(self, path: FieldPath, message: str) -> PlanError:
        return PlanError(where_what(self.loc.where(path), message))

    def periods(self, start: date, end: date) -> tuple[Period, ...]:
        """The plan's periods, worked out once (not once per indicator)."""
        if self._periods is None or self._periods[0] != (start, end):
            self._periods = ((start, end), plan_periods(start, end))
        return self._periods[1]

    # -- field kinds

    def table(
        self, value: Any, path: FieldPath, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.fail(path, _("expected a table of fields, got {kind}").format(
                kind=_kind(value)))
        unknown = [k for k in value if k not in allowed]
        if unknown:
            names = join_list(_show(k) for k in unknown)
            import difflib  # (a misspelt field only: not at every plan read)

            close = difflib.get_close_matches(str(unknown[0]), allowed, n=1)
            allowed_text = join_list(allowed)
            if close:
                message = ngettext(
                    "unknown key {names} (did you mean '{close}'?); allowed keys: {allowed}",
                    "unknown keys {names} (did you mean '{close}'?); allowed keys: {allowed}",
                    len(unknown))
            else:
                message = ngettext("unknown key {names}; allowed keys: {allowed}",
                                   "unknown keys {names}; allowed keys: {allowed}", len(unknown))
            raise self.fail(path, message.format(
                names=names, close=close[0] if close else "", allowed=allowed_text))
        for key in required:
            if value.get(key) is None:
                raise self.fail((*path, key), _("missing (required)"))
        return value

    def items(self, value: Any, path: FieldPath, required: bool = True) -> list[Any]:
        if not isinstance(value, list | tuple):
            raise self.fail(path, _("expected a list, got {kind}").format(kind=_kind(value)))
        if required and not value:
            raise self.fail(path, _("empty; the plan needs at least one"))
        return list(value)

    def string(self, value: Any, path: FieldPath, required: bool = True) -> str:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise self.fail(path, _("expected text, got {kind}").format(kind=_kind(value)))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise self.fail(path, _("contains a character that is not valid text")) from None
        if self.clean:
            # Bidi controls are left out, not refused: the plan's texts show in every
            # office, in sentences, tables, trees and PDFs, where an override reverses
            # the title and an embedding or isolate left open reorders the words after
            # it; a spreadsheet does not show them, so a refusal would name characters
            # HQ cannot find. The client isolates titles itself where they need it, so
            # leaving them out loses no letter and nothing the plan's text needs.
            value = _BIDI_CONTROLS.sub("", clean_text(value))
            if not value.isascii():
                # composed (NFC), as typed: a program that writes "é" as "e" and a
                # combining accent (text copied from a PDF, a Mac file name) made every
                # French and Arabic text of an amendment "changed", the same on screen
                value = unicodedata.normalize("NFC", value)
        value = value.strip()
        if self.strict and not _shows_something(value):
            # a zero-width space, bidi marks or a Hangul filler alone: a cell that looks
            # empty in a spreadsheet, and a title that shows nothing in every office
            # (a translation so made would show instead of the English one)
            value = ""
        if required and not value:
            raise self.fail(path, _("missing (required)"))
        return value

    def line(self, value: Any, path: FieldPath, required: bool = True) -> str:
        """A title, a unit or a place: ``string``, and when ``strict`` one line of at
        most MAX_TITLE_CHARS (a 100,000-character title or one with line breaks breaks
        every table and heading it is in)."""
        text = self.string(value, path, required)
        if not self.strict:
            return text
        if _LINE_BREAKS.search(text):
            # Translators: {code} names an area, an action, an indicator (PA1.2/key) or
            # "the plan"; the field (title, unit) is named before it
            raise self.fail(path, _("the text of {code} has a line break; titles, units "
                                    "and places are one line (descriptions may have "
                                    "several)").format(code=_code_in(path)))
        if len(text) > MAX_TITLE_CHARS:
            from fieldplan.i18n import format_number

            raise self.fail(path, _("the text of {code} has {count} characters; titles, "
                                    "units and places have at most {limit}").format(
                                        code=_code_in(path), count=format_number(len(text)),
                                        limit=MAX_TITLE_CHARS))
        return text

    def code_case(self, code: str) -> str:
        """An area or action code as a plan file to install spells it (``strict``): in
        capitals. Codes are looked up whatever their case (``pa1.1`` finds ``PA1.1``),
        but reports are kept under the plan's spelling: an amendment writing ``pa1``
        for ``PA1`` would hide every report on its actions under the "same" codes. A
        plan installed already, or received from HQ, is read as it is spelled."""
        return code.upper() if self.strict and code.isascii() else code

    def choice(self, value: Any, path: FieldPath, allowed: Iterable[str]) -> str:
        """One of ``allowed``, whatever its case (a spreadsheet capitalises
        ``National``), as ``allowed`` spells it."""
        text = self.string(value, path)
        allowed = tuple(allowed)
        spelled = {a.casefold(): a for a in allowed}.get(text.casefold())
        if spelled is None:
            raise self.fail(path, _("{value} is not one of {choices}").format(
                value=_show(text), choices=join_list(allowed)))
        return spelled

    def pattern(self, value: Any, path: FieldPath, regex: re.Pattern[str], what: str) -> str:
        text = self.string(value, path)
        if not regex.match(text):
            raise self.fail(path, _("{value} is not {what}").format(value=_show(text), what=what))
        return text

    def text(self, value: Any, path: FieldPath, required: bool = True,
             title: bool = True) -> Text:
        """A text in three languages; a ``title`` is one line (``line``), a description
        may have several."""
        if value is None:
            value = {}
        if isinstance(value, str):  # a plain string is the English
            value = {"en": value}
        table = self.table(value, path, LANGS, ())
        read = self.line if title else self.string
        en = read(table.get("en"), (*path, "en"), required=required)
        fr = read(table.get("fr"), (*path, "fr"), required=False)
        ar = read(table.get("ar"), (*path, "ar"), required=False)
        return Text(en, fr, ar)

    def number(self, value: Any, path: FieldPath) -> float | None:
        """The number ``value`` gives; None for none: absent, or an empty text (a JSON
        or TOML file written from a spreadsheet quotes every value, and writes an
        empty cell as ""; the CSV reader reads that cell as no value)."""
        if value is None or _blank(value):
            return None
        given = value  # as the file gives it (a cell of 400 digits reads as inf)
        if isinstance(value, str) and self.from_text:
            text = value.strip()
            # Arabic's own marks (١٬٢٣٤٫٥) say which is which in any file: 12٫500 is
            # twelve and a half, whatever a point would be in the file
            marked = bool(_ARABIC_GROUPED.fullmatch(text)) and any(
                mark in text for mark in "\u066b\u066c")
            if marked:
                text = text.replace("\u066c", "").replace("\u066b", ".")
            scientific = _E_NOTATION.fullmatch(text)
            # (1,23457E+11 too in a file with decimal points: a spreadsheet in French
            # saved it, and nothing else is meant by it)
            if scientific and _rounded_by_spreadsheet(text.replace(",", "."), scientific):
                raise self.fail(path, _rounded_text(value))
            if not marked:
                text = self._plain_number(value, text, path, scientific is not None)
            try:
                value = float(text)
            except ValueError:
                raise self.fail(path, _("{value} is not a number").format(
                    value=_show(value))) from None
        if isinstance(value, str) and _JSON_NUMBER.fullmatch(value.strip()):
            # a JSON or TOML file written from a spreadsheet may quote every value: a
            # number so written is read, as the CSV reader reads its cells (and refused
            # where the spreadsheet rounded it)
            scientific = _E_NOTATION.fullmatch(value.strip())
            if scientific and _rounded_by_spreadsheet(value.strip(), scientific):
                raise self.fail(path, _rounded_text(value))
            value = float(value.strip())
        elif isinstance(value, str):
            raise self.fail(path, _(
                "expected a number, got {kind}; write it as a number (12 or 12.5)").format(
                    kind=_kind(value)))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(path, _("expected a number, got {kind}").format(kind=_kind(value)))
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise self.fail(path, _("{value} is not a finite number").format(value=_show(given)))
        if self.strict and abs(number) > MAX_PLAN_NUMBER:
            raise self.fail(path, _(
                "{value} is out of range for a baseline or target; a plan's numbers are "
                "at most {limit}, either side of zero").format(
                    value=_show(given), limit=format_number(MAX_PLAN_NUMBER)))
        return number

    def positive_int(self, value: Any, path: FieldPath, maximum: int) -> int:
        if _blank(value):  # (an empty cell: as a CSV file's says it)
            raise self.fail(path, _("missing (required)"))
        if isinstance(value, str) and self.from_text and value.strip().isdecimal():
            text = value.strip()
            # int() refuses more than 4300 digits; anything past the maximum is refused
            # below without converting it
            value = int(text) if len(text) <= len(str(maximum)) else maximum + 1
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(path, _("expected a positive whole number, got {kind}").format(
                kind=_kind(value)))
        if value > maximum:
            raise self.fail(path, _("too large; the highest allowed is {maximum}").format(
                maximum=maximum))
        return value

    def boolean(self, value: Any, path: FieldPath) -> bool:
        """True or false; False for none: absent, null, or an empty text (an empty
        cell, as ``number`` reads one)."""
        if value is None or _blank(value):
            return False
        if isinstance(value, str) and self.from_text:
            word = value.strip().lower()
            if word in _TRUE or word in _FALSE:
                return word in _TRUE
            raise self.fail(path, _("{value} is not true or false").format(value=_show(value)))
        if not isinstance(value, bool):
            raise self.fail(path, _("expected true or false, got {kind}").format(
                kind=_kind(value)))
        return value

    def day(self, value: Any, path: FieldPath, required: bool = True) -> date | None:
        if value is None or value == "":
            if required:
                raise self.fail(path, _("missing (required)"))
            return None
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if (isinstance(value, datetime) and value.tzinfo is None
                and value.time() == time(0)):
            return value.date()  # TOML's 2025-06-21 00:00:00: the day
        if not isinstance(value, str):
            raise self.fail(path, _("expected a date (YYYY-MM-DD), got {kind}").format(
                kind=_kind(value)))
        from fieldplan.numbers import ascii_digits

        # in Arabic-Indic or Persian digits too (٢٠٢٥-٠٦-٢١), as an editor set to
        # Arabic or Persian writes them: read in a CSV plan, they were refused here
        text = ascii_digits(value).strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            # (not a plain day, as the plan in the database always is: the CSV reader,
            # loaded only then, not at each start, where it cost the window's first
            # paint its import)
            from fieldplan.plan_csv import without_midnight

            try:
                text = without_midnight(text)  # (a time of day, a two-digit year)
            except ValueError as exc:
                raise self.fail(path, str(exc)) from None
        try:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError
            day = date.fromisoformat(text)
        except ValueError:
            raise self.fail(path, _("{value} is not a date; write YYYY-MM-DD").format(
                value=_show(value))) from None
        if text != value.strip():
            self.written.setdefault(path, value.strip())
        return day

    def shown_day(self, path: FieldPath, value: date) -> str:
        """The date at ``path`` for a message: quoted as its file wrote it where that
        was not its YYYY-MM-DD (a Solar Hijri ۱۴۰۴/۰۳/۳۱ read as the year 1404 was
        said as 1404-03-31, a date the person never wrote), else as YYYY-MM-DD."""
        written = self.written.get(path)
        return value.isoformat() if written is None else _show(written)

    def check_years(self, start: date, end: date, signed_at: date | None) -> None:
        """A plan file to install (``strict``): its dates within PLAN_YEARS. Checked
        before an end before the start, so that a date of another calendar (a Solar
        Hijri end, ۱۴۰۶/۱۰/۱۰) is said to be no date of a plan rather than before
        the start."""
        for name, value in (("start", start), ("end", end), ("signed_at", signed_at)):
            if value is not None and HIJRI_YEARS[0] <= value.year <= HIJRI_YEARS[1]:
                raise self.fail(("plan", name), hijri_date(self.shown_day(("plan", name),
                                                                          value)))
            if value is not None and not PLAN_YEARS[0] <= value.year <= PLAN_YEARS[1]:
                raise self.fail(("plan", name), _(
                    "{value} is not a date of a plan; a plan's dates are between {first} "
                    "and {last}").format(value=self.shown_day(("plan", name), value),
                                         first=PLAN_YEARS[0],
                                         last=PLAN_YEARS[1]))

    def check_dates(self, start: date, end: date, signed_at: date | None) -> None:
        """A plan file to install (``strict``): a plan of at most MAX_PLAN_YEARS,
        signed before its end (its years: ``check_years``)."""
        try:
            last = start.replace(year=start.year + MAX_PLAN_YEARS)
        except ValueError:  # 29 February
            last = date(start.year + MAX_PLAN_YEARS, 3, 1)
        if end >= last:
            raise self.fail(("plan", "end"), counted(
                "the plan would run from {start} to {end}; a plan runs less than {count} "
                "year", "the plan would run from {start} to {end}; a plan runs less than "
                "{count} years", MAX_PLAN_YEARS,
                start=self.shown_day(("plan", "start"), start),
                end=self.shown_day(("plan", "end"), end)))
        if signed_at is not None and signed_at > end:
            raise self.fail(("plan", "signed_at"), _(
                "{signed} is after the plan's end ({end}); a plan is signed before it "
                "ends").format(signed=self.shown_day(("plan", "signed_at"), signed_at),
                               end=self.shown_day(("plan", "end"), end)))

    # -- the plan

    def plan(self, data: Any) -> Plan:
        top = self.table(data, (), ("plan", "areas", "actions"), ("plan", "areas", "actions"))
        head = self.table(top["plan"], ("plan",), _PLAN_KEYS, ("id", "version", "title"))
        plan_id = self.pattern(
            head["id"], ("plan", "id"), _PLAN_ID_RE,
            _("a plan id (letters, digits, '.', '-', '_')")
        )
        version = self.positive_int(head["version"], ("plan", "version"), MAX_VERSION)
        if self.strict and version > MAX_IMPORTED_VERSION:
            raise self.fail(("plan", "version"), _(
                "{version} is not a plan version: versions go up by one with each "
                "amendment, from 1 (at most {maximum})").format(
                    version=version, maximum=format_number(MAX_IMPORTED_VERSION)))
        title = self.text(head["title"], ("plan", "title"))
        start = self.day(head.get("start"), ("plan", "start"))
        end = self.day(head.get("end"), ("plan", "end"))
        assert start is not None and end is not None
        signed_at = self.day(head.get("signed_at"), ("plan", "signed_at"), required=False)
        if self.strict:
            self.check_years(start, end, signed_at)
        if start > end:
            raise self.fail(("plan", "end"), _("{end} is before the plan's start ({start})")
                            .format(end=self.shown_day(("plan", "end"), end),
                                    start=self.shown_day(("plan", "start"), start)))
        if self.strict:
            self.check_dates(start, end, signed_at)
        signed_place = self.line(head.get("signed_place"), ("plan", "signed_place"), False)
        illustrative = self.boolean(head.get("illustrative"), ("plan", "illustrative"))

        # Codes are looked up whatever their case (Plan.area, Plan.action): two codes
        # that differ only in case would make the second unreachable.
        areas: list[Area] = []
        area_paths: dict[str, FieldPath] = {}
        for i, raw in enumerate(self.items(top["areas"], ("areas",))):
            path: FieldPath = ("areas", (i, _label(raw, "code")))
            area = self.area(raw, path)
            if area.code.upper() in area_paths:
                first = self.loc.brief(area_paths[area.code.upper()])
                raise self.fail(
                    (*path, "code"), _("duplicate area code {code} (first at {first})").format(
                        code=_show(area.code), first=first)
                )
            area_paths[area.code.upper()] = path
            areas.append(area)

        actions: list[Action] = []
        action_paths: dict[str, FieldPath] = {}
        area_codes = {a.code: None for a in areas}  # a dict: in order, found at once
        for i, raw in enumerate(self.items(top["actions"], ("actions",))):
            path = ("actions", (i, _label(raw, "code")))
            action = self.action(raw, path, area_codes, (start, end))
            if action.code.upper() in action_paths:
                first = self.loc.brief(action_paths[action.code.upper()])
                raise self.fail(
                    (*path, "code"),
                    _("duplicate action code {code} (first at {first})").format(
                        code=_show(action.code), first=first),
                )
            action_paths[action.code.upper()] = path
            actions.append(action)

        return Plan(
            plan_id,
            version,
            title,
            start,
            end,
            signed_at,
            signed_place,
            tuple(areas),
            tuple(actions),
            illustrative,
        )

    def area(self, raw: Any, path: FieldPath) -> Area:
        table = self.table(raw, path, _AREA_KEYS, ("code", "title"))
        code = self.pattern(
            table["code"],
            (*path, "code"),
            _AREA_CODE_RE,
            _("an area code (a letter, then up to 31 letters, digits, '-' or '_', e.g. PA1)"),
        )
        code = self.code_case(code)
        title = self.text(table["title"], (*path, "title"))
        return Area(code, title, self.boolean(table.get("illustrative"), (*path, "illustrative")))

    def action(
        self, raw: Any, path: FieldPath, area_codes: Mapping[str, None],
        plan_dates: tuple[date, date]
    ) -> Action:
        table = self.table(raw, path, _ACTION_KEYS, ("code", "area", "level", "lead", "title"))
        code = self.code_case(self.string(table["code"], (*path, "code")))
        area = self.code_case(self.string(table["area"], (*path, "area")))
        if area not in area_codes:
            raise self.fail(
                (*path, "area"),
                _("unknown area {code} (the plan's areas: {codes})").format(
                    code=_show(area), codes=join_list(area_codes)),
            )
        match = _ACTION_CODE_RE.match(code)
        if not match or (match.group(1) == area and not ACTION_CODE.fullmatch(code)):
            raise self.fail(
                (*path, "code"),
                _("{code} is not an action code; write <area>.<number>, e.g. {area}.1").format(
                    code=_show(code), area=area),
            )
        if match.group(1) != area:
            raise self.fail(
                (*path, "code"),
                _("{code} does not match its area {area}; write {area}.<number>").format(
                    code=_show(code), area=area),
            )
        level = self.choice(table["level"], (*path, "level"), LEVELS)
        lead = self.choice(table["lead"], (*path, "lead"), LEADS)
        title = self.text(table["title"], (*path, "title"))
        description = self.text(table.get("description"), (*path, "description"), False,
                                title=False)
        illustrative = self.boolean(table.get("illustrative"), (*path, "illustrative"))
        indicators: list[Indicator] = []
        key_paths: dict[str, FieldPath] = {}
        raw_indicators = table.get("indicators")
        # none: absent, null or "" (an empty cell, as ``number`` reads one)
        raw_indicators = [] if raw_indicators is None or _blank(raw_indicators) else raw_indicators
        items = self.items(raw_indicators, (*path, "indicators"), required=False)
        for j, raw_indicator in enumerate(items):
            ipath: FieldPath = (*path, "indicators", (j, _label(raw_indicator, "key")))
            indicator = self.indicator(raw_indicator, ipath, plan_dates)
            if indicator.key in key_paths:
                first = self.loc.brief(key_paths[indicator.key])
                raise self.fail(
                    (*ipath, "key"),
                    _("duplicate indicator key {key} (first at {first})").format(
                        key=_show(indicator.key), first=first),
                )
            key_paths[indicator.key] = ipath
            indicators.append(indicator)
        return Action(code, area, level, lead, title, description, tuple(indicators), illustrative)

    def indicator(self, raw: Any, path: FieldPath, plan_dates: tuple[date, date]) -> Indicator:
        table = self.table(raw, path, _INDICATOR_KEYS, ("key", "title", "unit"))
        key = self.pattern(
            table["key"],
            (*path, "key"),
            _KEY_RE,
            _("an indicator key (lower-case letters and digits joined by - or _)"),
        )
        title = self.text(table["title"], (*path, "title"))
        # a unit in one language (as plans were before units in French and Arabic),
        # or a table of languages as a title is
        raw_unit = table["unit"]
        units = (self.text(raw_unit, (*path, "unit")) if isinstance(raw_unit, Mapping)
                 else Text(self.line(raw_unit, (*path, "unit"))))
        baseline = self.number(table.get("baseline"), (*path, "baseline"))
        target = self.number(table.get("target"), (*path, "target"))
        raw_targets = table.get("targets")
        raw_targets = {} if raw_targets is None or _blank(raw_targets) else raw_targets
        if not isinstance(raw_targets, Mapping):
            raise self.fail(
                (*path, "targets"),
                _("expected a table of period = number, got {kind}").format(
                    kind=_kind(raw_targets)),
            )
        start, end = plan_dates
        periods = self.periods(start, end)
        targets: dict[Period, float] = {}
        for name, value in raw_targets.items():
            tpath = (*path, "targets", str(name))
            try:
                period = check_period_in_plan(parse_period(str(name)), periods, start, end)
            except ValidationError as exc:
                raise self.fail(tpath, str(exc)) from None
            if period in targets:
                raise self.fail(tpath, _("period {period} is given twice").format(period=period))
            number = self.number(value, tpath)
            if number is None:
                # no target for the period: null, or "" (an empty target_<period> cell
                # in CSV), as for the indicator's baseline and target
                continue
            targets[period] = number
        ordered = tuple((str(p), targets[p]) for p in sorted(targets))
        return Indicator(key, title, units.en, baseline, target, ordered,
                         unit_fr=units.fr, unit_ar=units.ar)


#: Characters that are not format characters (Unicode's Cf: zero-width spaces and
#: joiners, bidi marks, soft hyphens, BOMs) or spaces and yet show nothing: the
#: combining grapheme joiner, Hangul fillers, the Braille blank.
_BLANKS = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800")


def _blank(value: Any) -> bool:
    """Whether ``value`` is a text with nothing in it but spaces: what a JSON or TOML
    file written from a spreadsheet gives for an empty cell, which the CSV reader (its
    cells stripped) reads as no value."""
    return isinstance(value, str) and not value.strip()


#: A number as JSON writes one ("12", "-0.5", "1.5e3"), given as text.
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?", re.ASCII)


def _rounded_text(value: str) -> str:
    """What is said of a number a spreadsheet saved rounded (``_rounded_by_spreadsheet``)."""
    return _("{value} was saved rounded: the spreadsheet wrote the number in "
             "scientific notation, without its last digits; format the column "
             "as numbers (or as text) and save the file again").format(value=_show(value))


def _rounded_by_spreadsheet(text: str, found: re.Match[str]) -> bool:
    """Whether ``text``, a number in scientific notation (``found``: its
    ``_E_NOTATION`` match), may have lost digits as a spreadsheet saved it: Excel
    saves a General cell of 12 digits or more as CSV as it shows it, 123456789012 as
    1.23457E+11, read as 123457000000 without a word. Such a number (from
    ``_E_ROUNDED_FROM``) whose written digits stop before its units may have been
    rounded (1.5E+11 is also how 150000000001 is saved); a smaller one (1.5E+3, 2E-4)
    a spreadsheet writes in full, so it was typed or written so by another program,
    and means what it says, as does 1.23456789012E+11."""
    number = float(text)
    if not math.isfinite(number) or abs(number) < _E_ROUNDED_FROM:
        return False
    _whole, decimals, exponent = found.groups()
    return int(exponent) - len(decimals or "") > 0  # the power of ten of its last digit


def _shows_something(text: str) -> bool:
    """Whether ``text`` has a character that shows (not only spaces, format
    characters and blanks)."""
    import unicodedata

    return any(not ch.isspace() and ch not in _BLANKS and unicodedata.category(ch) != "Cf"
               for ch in text)


def _code_in(path: FieldPath) -> str:
    """The area, action or indicator (``PA1.2/key``) a field path is in, or "the plan"."""
    labels = [part[1] for part in path if isinstance(part, tuple) and part[1]]
    return "/".join(labels) if labels else _("the plan")


def _label(raw: Any, key: str) -> str:
    value = raw.get(key) if isinstance(raw, Mapping) else None
    return value.strip() if isinstance(value, str) else ""


# --- the plain dict (sync events, JSON) ---------------------------------------------


def _text_dict(text: Text) -> dict[str, str]:
    return {"en": text.en, "fr": text.fr, "ar": text.ar}


def _unit_value(indicator: Indicator) -> str | dict[str, str]:
    """An indicator's unit in a plan dict: its text alone where the plan words it in
    English only, so that such a plan's dict (its event, its file) is the one every
    earlier fieldplan reads; else a dict of languages, as a title's (which fieldplan
    0.3 refuses: ``fieldplan.sync.formats.needed_format``)."""
    if not indicator.unit_fr and not indicator.unit_ar:
        return indicator.unit
    return _text_dict(indicator.unit_text)


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    """A JSON-safe dict of the plan, in the TOML file's shape; plan_from_dict gives
    back an equal Plan."""
    return {
        "plan": {
            "id": plan.id,
            "version": plan.version,
            "title": _text_dict(plan.title),
            "start": plan.start.isoformat(),
            "end": plan.end.isoformat(),
            "signed_at": plan.signed_at.isoformat() if plan.signed_at else None,
            "signed_place": plan.signed_place,
            "illustrative": plan.illustrative,
        },
        "areas": [
            {"code": a.code, "title": _text_dict(a.title), "illustrative": a.illustrative}
            for a in plan.areas
        ],
        "actions": [
            {
                "code": a.code,
                "area": a.area,
                "level": a.level,
                "lead": a.lead,
                "title": _text_dict(a.title),
                "description": _text_dict(a.description),
                "illustrative": a.illustrative,
                "indicators": [
                    {
                        "key": i.key,
                        "title": _text_dict(i.title),
                        "unit": _unit_value(i),
                        "baseline": i.baseline,
                        "target": i.target,
                        "targets": dict(i.targets),
                    }
                    for i in a.indicators
                ],
            }
            for a in plan.actions
        ],
    }


def plan_from_dict(data: Mapping[str, Any], source: str = "plan", *,
                   clean: bool = False, strict: bool = False) -> Plan:
    """Check a plan dict (plan_to_dict's shape, or a parsed TOML/JSON file) and build
    the Plan; PlanError naming ``source`` and the field otherwise. ``null`` counts as
    absent. ``clean``: texts lose their control characters; ``strict``: a plan file to
    install, whose titles, units and place are one line of at most MAX_TITLE_CHARS
    (not asked of a plan installed already: offices read what HQ sent)."""
    return _Reader(_Locator(source), clean=clean, strict=strict).plan(data)


def plan_event_bytes(plan: Plan) -> int:
    """The size of the plan in the event that carries it (its canonical JSON, UTF-8)."""
    from fieldplan.events import canonical_json

    return len(canonical_json({"document": plan_to_dict(plan)}).encode("utf-8"))


def check_indicator_counts(plan: Plan, source: str = "plan") -> None:
    """PlanError naming ``source`` and the action when an action has more indicators
    than a report on it can hold (MAX_INDICATORS): a save of the whole report would be
    more than one event carries."""
    for action in plan.actions:
        if len(action.indicators) > MAX_INDICATORS:
            from fieldplan.i18n import format_number

            raise PlanError(counted(
                "{file}: action {code} has {count} indicator, more than a report on one "
                "action can hold (at most {limit}); move some of them to another action",
                "{file}: action {code} has {count} indicators, more than a report on one "
                "action can hold (at most {limit}); move some of them to another action",
                len(action.indicators), file=ltr(for_terminal(source)), code=action.code,
                limit=format_number(MAX_INDICATORS)))


def check_plan_size(plan: Plan, source: str = "plan") -> None:
    """PlanError naming ``source`` when the plan is too large to travel to the offices
    (see MAX_PLAN_EVENT_BYTES): installed, it would stop every export and enrolment;
    or when an action has more indicators than its reports can hold
    (``check_indicator_counts``)."""
    check_indicator_counts(plan, source)
    size = plan_event_bytes(plan)
    if size > MAX_PLAN_EVENT_BYTES:
        from fieldplan.i18n import format_number

        raise PlanError(_(
            "{file}: the plan takes {size} KB once packed for the offices, more than the "
            "{limit} KB a plan can take; shorten its descriptions or give it fewer actions"
        ).format(file=ltr(for_terminal(source)), size=format_number(-(-size // 1024)),
                 limit=format_number(MAX_PLAN_EVENT_BYTES // 1024)))


def clean_plan(plan: Plan) -> Plan:
    """The plan with its texts as fieldplan stores user text (no control characters,
    ``\\n`` line ends: fieldplan.text.clean_text); the plan itself when a text would
    be left empty."""
    try:
        return plan_from_dict(plan_to_dict(plan), clean=True)
    except PlanError:
        return plan


def hijri_date(shown: str) -> str:
    """What is wrong with a date of the Hijri calendar (``HIJRI_YEARS``), ``shown`` as
    its file wrote it: it was said to be no date between 2000 and 2100, which left the
    person to guess that their spreadsheet writes dates in another calendar."""
    return _("{value} is a date of the Hijri calendar, as a spreadsheet set to it writes "
             "one; a plan's dates are Gregorian, between {first} and {last}: write "
             "YYYY-MM-DD").format(value=shown, first=PLAN_YEARS[0], last=PLAN_YEARS[1])


# --- files ----------------------------------------------------------------------------


def load_plan(path: str | os.PathLike[str], *, clean: bool = False,
              strict: bool = False) -> Plan:
    """Read a plan file, by extension: ``.toml``, ``.json`` or ``.csv``, in UTF-8, or
    UTF-16 or UTF-32 with a byte-order mark, an ``.xlsx`` workbook, or a ``.txt`` file
    that is the plan's sheet separated by tabs (Excel's "Unicode Text"), read as CSV;
    PlanError for a file over MAX_PLAN_BYTES (bytes, whatever the encoding), before it
    is read whole.
    ``clean``: texts lose their control characters (what is installed in a database is
    read so); ``strict``: its titles are held to one line (see plan_from_dict)."""
    path = Path(path)
    name = for_terminal(path.name)  # messages go to terminals
    if not path.is_dir():  # (a folder is said to be one, whatever its name ends with)
        if path.suffix.lower() == ".fieldplan":
            # picked for a plan file: the other way round, importing a plan file as a
            # bundle, is named as such by the bundle reader
            raise PlanError(_(
                "{file}: a fieldplan bundle, not a plan file: import it as a bundle (File "
                "▸ Import bundles…, or 'fieldplan import')").format(file=ltr(name)))
        # (Excel's "Unicode Text" is saved as .txt: read as CSV when it is a plan's
        # tab-separated sheet, _tab_separated_plan)
        fmt = "txt" if path.suffix.lower() == ".txt" else _format_of(path)
    try:
        with path.open("rb") as file:
            too_large = os.fstat(file.fileno()).st_size > MAX_PLAN_BYTES
            # a pipe or device has no size: read no more than the limit
            data = b"" if too_large else file.read(MAX_PLAN_BYTES + 1)
    except OSError as exc:
        from fieldplan.files import os_error_reason

        raise PlanError(_("{file}: cannot read the file: {error}").format(
            file=ltr(name), error=os_error_reason(exc))) from None
    if too_large or len(data) > MAX_PLAN_BYTES:
        from fieldplan.i18n import format_number

        raise PlanError(_(
            "{file}: larger than {limit} MB, too large for a plan file; is it the right "
            "file?").format(file=ltr(name), limit=format_number(MAX_PLAN_BYTES // 2**20)))
    if fmt == "xlsx":
        from fieldplan.plan_xlsx import read_xlsx

        return read_xlsx(data, name, clean=clean, strict=strict)
    if _is_workbook(data):
        # an Excel workbook saved under a text file's name: it is read as it is once
        # named .xlsx ("save as 'CSV UTF-8'" was the advice, the worse one since
        # workbooks are read: CSV is where a French or Arabic Excel breaks the plan)
        renamed = for_terminal(path.stem + ".xlsx")
        if fmt == "txt":  # ("not TXT text": .txt names no format of its own)
            raise PlanError(_(
                "{file}: an Excel workbook, not a text file; rename it {name} (a "
                "workbook's name ends in .xlsx) and import that").format(
                    file=ltr(name), name=ltr(renamed)))
        raise PlanError(_(
            "{file}: an Excel workbook, not {format} text; rename it {name} (a workbook's "
            "name ends in .xlsx) and import that").format(
                file=name, format=fmt.upper(), name=renamed))
    kind = _binary_kind(data)
    if kind:
        raise PlanError(_(
            "{file}: not a text file (it looks like {kind}); a plan file is TOML, JSON or "
            "CSV text, or an Excel workbook (.xlsx)").format(file=ltr(name), kind=kind))
    if fmt == "txt":
        text = _plan_text(data, name, "csv")
        if not _tab_separated_plan(text):
            raise PlanError(_(
                "{file}: a text file (.txt) that is not the plan's sheet separated by tabs "
                "(as Excel saves 'Unicode Text'); a plan file is .toml, .json, .csv or "
                ".xlsx").format(file=ltr(name)))
        return parse_plan_text(text, "csv", name, clean=clean, strict=strict)
    return parse_plan_text(_plan_text(data, name, fmt), fmt, name, clean=clean, strict=strict)


def _tab_separated_plan(text: str) -> bool:
    """Whether ``text``, a .txt file's, is a plan's sheet as Excel's "Unicode Text"
    saves it: the plan's required columns, separated by tabs, on one of its first
    rows (a title above the header is then said as in a CSV file). A .txt file of
    anything else is refused whole, not read as a sheet whose first line is an
    unknown column."""
    from fieldplan.plan_csv import _REQUIRED_COLUMNS, _separated

    delimiter, text = _separated(text.removeprefix("\ufeff"))
    if delimiter not in ("\t", ","):  # (a "sep=;" line: no tab-separated sheet)
        return False
    required = set(_REQUIRED_COLUMNS)
    lines = re.split("\r\n|\r|\n", text, maxsplit=6)[:6]
    return any(required <= {cell.strip().strip('"').lower() for cell in line.split("\t")}
               for line in lines)


def _plan_text(data: bytes, name: str, fmt: str = "") -> str:
    """The text of a plan file: UTF-8, or UTF-16 or UTF-32 with a byte-order mark;
    PlanError naming ``name`` for anything else, and where in it the first character
    that is not is (``fmt``: the file's format, csv or another: ``_undecoded_place``)."""
    bom, encoding, label = next(((b, e, n) for b, e, n in _BOMS if data.startswith(b)),
                                (b"", "utf-8", "UTF-8"))
    if not bom and _utf16_without_bom(data):
        # NUL bytes are valid UTF-8: read as such, the file would fail further on with
        # a message about its content, not its encoding
        raise PlanError(_(
            "{file}: UTF-16 text without a byte-order mark; save it as UTF-8 (in a "
            "spreadsheet: 'CSV UTF-8')").format(file=ltr(name)))
    try:
        return data[len(bom):].decode(encoding)
    except UnicodeDecodeError as exc:
        if exc.end == len(data) - len(bom) and exc.reason in ("unexpected end of data",
                                                              "truncated data"):
            # the last character begun, never ended: a copy cut short (a USB stick
            # pulled out; half of all cuts in Arabic text), not a file saved in another
            # encoding, which "save it as UTF-8" told a person whose file was
            raise PlanError(where_what(ltr(name), _(
                "the file ends in the middle of a character: it was cut short (a copy not "
                "finished, or a USB stick removed too early); copy it again"))) from None
        # where, as the person finds it: a byte offset was no help in a spreadsheet
        before = data[len(bom):len(bom) + exc.start].decode(encoding, "replace")
        where = where_what(ltr(name), _undecoded_place(before, fmt))
        if label == "UTF-8" and fmt == "csv":
            # Excel 2013 and older have no "CSV UTF-8": their "Unicode Text" (UTF-16,
            # tab separated, named .txt) is read as well
            raise PlanError(where_what(where, _(
                "not UTF-8 text; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'; in Excel "
                "2013 and older: 'Unicode Text', a .txt file that is read as it is)"))) from None
        if label == "UTF-8":
            raise PlanError(where_what(where, _(
                "not UTF-8 text; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')"))) from None
        raise PlanError(where_what(where, _(
            "not valid {encoding} text; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8')")
            .format(encoding=label))) from None


def _undecoded_place(before: str, fmt: str) -> str:
    """Where a file's first character that is not in its encoding is, ``before``
    being the text before it: its row and column in a CSV file ("row 3, column
    'action_title_fr'", as its other messages say), its line and column otherwise."""
    if fmt == "csv":
        from fieldplan.plan_csv import place_of_end

        return place_of_end(before)
    lines = re.split("\r\n|\r|\n", before)
    return _("line {line}, column {column}").format(line=len(lines),
                                                   column=len(lines[-1]) + 1)


def _utf16_without_bom(data: bytes) -> bool:
    """Whether text without a byte-order mark looks like UTF-16: a plan file's keys,
    headers and numbers are ASCII, which UTF-16 writes with a NUL byte each, at even
    offsets (big-endian) or at odd ones (little-endian); stray NULs are no UTF-16."""
    sample = data[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) * 8 >= len(sample) and min(even, odd) * 4 < max(even, odd)


def _is_workbook(data: bytes) -> bool:
    """Whether ``data`` is an .xlsx workbook: a ZIP archive holding the workbook part
    (an .ods, a .docx or a damaged archive is none), or one encrypted with a password
    (an OLE2 file holding the encrypted package), which the workbook reader names."""
    import io
    import zipfile

    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "EncryptedPackage".encode("utf-16-le") in data
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return False


def _binary_kind(data: bytes) -> str:
    """What a file picked by mistake is, from its first bytes ("a PDF document"), or ""
    for anything else: a workbook or a PDF is no plan, whatever its name."""
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _("a ZIP archive, as .xlsx and .ods workbooks are")
    if data.startswith(b"%PDF-"):
        return _("a PDF document")
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _("an Office 97-2003 document, such as an .xls workbook")
    return ""


def parse_plan_text(text: str, fmt: str, source_name: str = "plan", *,
                    clean: bool = False, strict: bool = False) -> Plan:
    """Read a plan from text in ``fmt`` (``toml``, ``json`` or ``csv``). ``clean``:
    texts lose their control characters; ``strict``: see plan_from_dict."""
    try:
        return _parse_plan_text(text, fmt, source_name, clean, strict)
    except RecursionError:
        # lists or tables nested thousands deep: no plan is, and the parsers recurse
        raise PlanError(_("{file}: lists or tables are nested too deeply to be a plan")
                        .format(file=ltr(source_name))) from None


def _parse_plan_text(text: str, fmt: str, source_name: str, clean: bool,
                     strict: bool) -> Plan:
    import tomllib

    from fieldplan.syntax import json_error, toml_error

    fmt = fmt.lower().lstrip(".")
    text = text.removeprefix("\ufeff")
    if fmt == "toml":
        # old Mac line ends (CR alone), which TOML does not know and CSV and JSON
        # accept: a lone CR is nowhere valid TOML, so this changes no file it reads
        text = re.sub(r"\r(?!\n)", "\n", text)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise PlanError(toml_error(exc, source_name, text)) from None
        except ValueError:  # Python's limit on the digits of an integer
            raise PlanError(_too_many_digits(source_name)) from None
        return plan_from_dict(data, source_name, clean=clean, strict=strict)
    if fmt == "json":
        try:
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        except json.JSONDecodeError as exc:
            raise PlanError(json_error(exc, source_name)) from None
        except _DuplicateKey as exc:
            raise PlanError(
                _("{file}: JSON key {key} is given twice in one object").format(
                    file=ltr(source_name), key=_show(exc.args[0]))
            ) from None
        except ValueError:  # Python's limit on the digits of an integer
            raise PlanError(_too_many_digits(source_name)) from None
        return plan_from_dict(data, source_name, clean=clean, strict=strict)
    if fmt == "csv":
        from fieldplan.plan_csv import read_csv

        return read_csv(text, source_name, clean=clean, strict=strict)
    raise PlanError(_("{file}: unknown plan format {format}; use {choices}").format(
        file=ltr(source_name), format=_show(fmt), choices=join_list(FORMATS)))


def format_plan(plan: Plan, fmt: str) -> str:
    """The plan as text in ``fmt`` (``toml``, ``json`` or ``csv``)."""
    fmt = fmt.lower().lstrip(".")
    if fmt == "toml":
        return _plan_to_toml(plan)
    if fmt == "json":
        return json.dumps(plan_to_dict(plan), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        from fieldplan.plan_csv import plan_to_csv

        return plan_to_csv(plan)
    raise PlanError(_("unknown plan format {format}; use {choices}").format(
        format=_show(fmt), choices=join_list(FORMATS)))


def dump_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan to a file, format by extension (``.toml``, ``.json``, ``.csv``,
    ``.xlsx``; CSV gets a UTF-8 BOM so spreadsheets read the Arabic right). The file is
    replaced atomically; FileError (naming ``path``) when it cannot be written."""
    from fieldplan.files import cannot_write, write_atomic

    path = Path(path)
    if os.path.isdir(path):  # (a folder's name has no plan ending: it is the folder to say)
        raise cannot_write(path, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
    fmt = _format_of(path)
    if fmt == "xlsx":
        from fieldplan.plan_xlsx import plan_to_xlsx

        data = plan_to_xlsx(plan, path.name)
    else:
        data = format_plan(plan, fmt).encode("utf-8-sig" if fmt == "csv" else "utf-8")

    write_atomic(path, data)


@cache
def default_plan() -> Plan:
    """The plan template shipped in resources/plan/plan.toml (read once)."""
    return load_plan(resource_path("plan", "plan.toml"))


def plan_file_format(path: str | os.PathLike[str]) -> str:
    """The format (toml, json, csv or xlsx) a plan file's name ending asks for; PlanError
    for any other ending (``plan export`` checks it before opening the database)."""
    return _format_of(Path(path))


def _format_of(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FILE_FORMATS:
        raise PlanError(_(
            "{file}: unknown plan file type {suffix}; use .toml, .json, .csv or .xlsx (save "
            "a spreadsheet as an Excel workbook, .xlsx)").format(
                file=ltr(path.name), suffix=_show(path.suffix)))
    return fmt


def _too_many_digits(source_name: str) -> str:
    return _("{file}: a number has thousands of digits; no plan needs that").format(
        file=ltr(source_name))


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


# --- TOML writer (by hand: tomllib only reads) ------------------------------------------

_TOML_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped; any
    other character (Arabic included) written as is, the file being UTF-8."""
    out = []
    for ch in text:
        if ch in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _number_text(value: float) -> str:
    """Shortest text that reads back to the same float (whole numbers without .0)."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, Mapping):  # per-period targets
        return (
            "{ "
            + ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items())
            + " }"
        )
    return _toml_string(value)


def _toml_table(header: str, fields: Mapping[str, Any]) -> list[str]:
    """A ``[header]`` and its fields; texts in three languages as dotted keys
    (``title.en = ...``), None left out, lists (the indicators) left to the caller."""
    lines = ["", header]
    texts = []
    for key, value in fields.items():
        if isinstance(value, Mapping) and set(value) == set(LANGS):
            texts += [f"{key}.{lang} = {_toml_string(value[lang])}" for lang in LANGS]
        elif value is not None and not isinstance(value, list) and value != {}:
            lines.append(f"{key} = {_toml_value(value)}")
    return lines + texts


def _plan_to_toml(plan: Plan) -> str:
    data = plan_to_dict(plan)
    lines = [
        "# Plan of action for fieldplan, written by fieldplan.",
        "# illustrative = true marks text that is a placeholder, not the signed plan's.",
        *_toml_table("[plan]", data["plan"]),
    ]
    for area in data["areas"]:
        lines += _toml_table("[[areas]]", area)
    for action in data["actions"]:
        lines += _toml_table("[[actions]]", action)
        for indicator in action["indicators"]:
            lines += _toml_table("[[actions.indicators]]", indicator)
    return "\n".join(lines) + "\n"
