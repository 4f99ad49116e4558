"""Tabular export of merged progress: CSV (for spreadsheets), HXL (the Humanitarian
Exchange Language: CSV with a row of hashtags, for humanitarian data tools) and XLSX.

Every report held is a row, the ones the current plan hides included (an amendment
dropped the action, moved it to another level or moved the plan's dates: see
planops.PlanScope, the rule the review pack, status sheets and ``status`` apply).
Those rows say why in ``plan_hidden`` (``action``, ``period``, ``level``, separated
by a space; empty when the plan shows the report), so that totals over the file can
be made to agree with the review pack.

What the ``state`` column does not say is said at the end: ``period_locked`` (``true``
when headquarters has locked the report's period, as this replica knows),
``changed_after_lock`` (``true`` for a report changed after that lock: see
progress.changed_after_lock) and ``open_conflicts`` (the report's fields in an open
conflict, e.g. ``percent; achievements``, ``value.KEY`` for an indicator's value;
empty when none: the row holds the value that wins for now, see ``conflicts list``).

Columns are only ever added at the end: spreadsheets and HXL recipes refer to them.

Every text cell may hold user text (narratives, but also the action part of a report
id an office chose, names, labels), so no text cell ever starts a formula: in CSV and
HXL a text cell starting like one (= + - @, tab, carriage return; = + - @ also after
spaces or line feeds, which some spreadsheets strip first) gets a leading
``'``; in XLSX every text cell is stored as text (and marked "quote prefix", so that
editing it in the spreadsheet keeps it text), its value unchanged. Characters a
spreadsheet file cannot hold (possible in data from older versions) are left out.

HXL gets the same ``'`` as CSV: HXL files are opened in spreadsheets as often as by
HXL tools, and a cell those tools receive as ``'-5 displaced`` is a blemish where the
same cell read by Excel as a formula is a hole. A text typed with a ``'`` before one
of those characters gets one more (``'=A1`` is written ``''=A1``): a reader that wants
the text back drops one ``'`` from a cell that starts with ``'``s followed by one of
them (``text.unguard_formula``).
HXL's hashtags are chosen so that a standard validator (libhxl's default schema)
accepts the file: ``#date`` columns hold ISO dates only (the period's code is
``#meta+period``, its first and last day ``#date+start`` and ``#date+end``), and no
column a tool reads as a number holds text.

XLSX is for people: dates and times are date cells (``updated_at`` in UTC), empty
text is a blank cell, narratives wrap, an Arabic workbook reads right to left, a text
cell reads the way most of its words do where a spreadsheet, going by its first letter,
would lay it out the other way (an Arabic narrative that starts with "IOM"), and a
second sheet, ``indicators``, has one row per recorded indicator value (with the
indicator's title, unit and target, for one the plan no longer has as the latest plan
version that had it put them), numbers that can be summed and pivoted; its ``unit`` is
the plan's own (the same in every language), its last column ``unit_name`` the unit
in words in the export's language. A value typed under a plan version that counted it
in another unit (people, the plan counting households now) has that version's unit and
target (``recorded_units``): a pivot summing by unit never adds people to households.

XLSX's header row holds the column names, in every language, on purpose: a
workbook's headers are what pivot tables, Power Query steps and lookups refer to,
and headquarters stacks the workbooks of offices working in English, French and
Arabic; the README documents the columns by these names for the three formats, and
the export's messages name them (``plan_hidden``). Its cells keep the codes too
(``on-track``, ``submitted``, ``true``, the ``unit``). What follows the language is
what people read in the rows: office names, action and indicator titles, units in
words (``unit_name``), and the sheet's direction.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fieldplan import xlsx
from fieldplan.errors import CancelledError, ValidationError
from fieldplan.files import atomic_output, check_output_name
from fieldplan.i18n import N_, _, counted, join_list, translation
from fieldplan.plan import Indicator, Text, field_rank, in_listing_order, indicator_rank
from fieldplan.planops import actions_of, plan_documents
from fieldplan.replica import Replica
from fieldplan.text import FORMULA_START, for_spreadsheet, guard_formula

FORMATS = ("csv", "hxl", "xlsx")

#: A progress report from a long job: (done, total, label).
Progress = Callable[[int, int, str], None]

#: (column header, HXL hashtag); new columns go at the end
COLUMNS: tuple[tuple[str, str], ...] = (
    ("office", "#org+code"),
    ("office_name", "#org+name"),
    ("country", "#country+code+v_iso2"),  # ISO 3166-1 alpha-2
    ("action", "#activity+code"),
    ("action_title", "#activity+name"),
    ("area", "#sector+code"),
    ("level", "#meta+level"),
    ("period", "#meta+period"),  # 2026-S1 is no date: #date+start and #date+end are
    ("status", "#status"),
    ("percent", "#indicator+pct"),
    ("indicators", "#meta+indicators"),  # "key=value; key=value": text, not a number
    ("state", "#meta+state"),
    ("achievements", "#description+achievements"),
    ("challenges", "#description+challenges"),
    ("next_steps", "#description+next_steps"),
    ("updated_at", "#date+updated"),
    ("updated_by", "#contact+name"),
    ("period_start", "#date+start"),
    ("period_end", "#date+end"),
    ("plan_hidden", "#meta+hidden"),
    ("period_locked", "#meta+locked"),  # true or false
    ("changed_after_lock", "#meta+changed_after_lock"),  # true or false
    ("open_conflicts", "#meta+conflicts"),  # "percent; achievements", empty when none
)

#: The XLSX sheet of indicator values, one row per value recorded.
#: ``unit`` is the plan's unit as it names it (people, percent, workshops: the same in
#: every language, for pivots over workbooks stacked from offices working in several),
#: ``unit_name`` the unit in words in the export's language (``Indicator.unit_in``:
#: the plan's French or Arabic word, else fieldplan's, as the report editor shows it)
INDICATOR_COLUMNS: tuple[str, ...] = (
    "office", "office_name", "action", "period", "indicator", "indicator_title", "unit",
    "value", "target", "plan_hidden", "unit_name",
)


#: XLSX: columns whose text wraps in a wide column, and that width (characters)
_NARRATIVES = ("achievements", "challenges", "next_steps")
_NARRATIVE_WIDTH = 60
#: XLSX: other columns are as wide as their longest line, within these bounds
_MIN_WIDTH, _MAX_WIDTH = 8, 45


@dataclass(frozen=True)
class TableExport:
    """What export_table wrote: rows (one per report) and, of them, hidden (the
    reports the current plan hides, marked in ``plan_hidden``)."""

    rows: int
    hidden: int


def rows(rep: Replica, lang: str = "en", period: str | None = None) -> list[dict[str, Any]]:
    """One row per merged report, joined with the plan and office names (an action
    the plan no longer has is named as the latest plan version that had it put it).
    Besides the COLUMNS, ``_values`` holds the report's indicator values ((key,
    value), ...)."""
    from fieldplan.offices import office_kind, office_name
    from fieldplan.planops import PlanScope
    from fieldplan.progress import (
        changed_after_lock,
        list_reports,
        locked_periods,
        report_id,
    )
    from fieldplan.sync.conflicts import conflicted_fields

    plan = rep.plan()
    scope = PlanScope(plan)
    by_code = {a.code: (a.title.get(lang), a.area, a.level) for a in plan.actions}
    # as the client's Reports page and 'progress list' list them
    reports = in_listing_order(list_reports(rep, period=period), lang)
    # an action the plan no longer has: as the latest plan version that had it put it
    by_code.update(_earlier_actions(rep, {r.action for r in reports} - by_code.keys(), lang))
    # each read once for all the rows, not a query a row (thousands at headquarters)
    locked = set(locked_periods(rep))
    late = {(c.office, c.action, c.period)
            for changes in changed_after_lock(rep, period).values() for c in changes}
    conflicts = conflicted_fields(rep)
    bounds: dict[str, tuple[date | None, date | None]] = {}
    names: dict[str, tuple[str, str]] = {}
    out = []
    # a report's indicators and its fields in conflict as its form and status sheet
    # list them: by their names, PA1.2's data reports came before its officials
    # trained, and "achievements; percent"
    keys_of = {a.code: [i.key for i in a.indicators] for a in plan.actions}
    for r in reports:
        title, area, level = by_code.get(r.action) or ("", _area_of_code(r.action), "")
        keys = keys_of.get(r.action, ())
        values = tuple(sorted(r.values, key=lambda kv, keys=keys: (
            indicator_rank(kv[0], keys), kv[0])))
        if r.period not in bounds:
            bounds[r.period] = _period_bounds(plan, r.period)
        if r.office not in names:
            try:
                names[r.office] = (office_name(r.office, lang),
                                   r.office if office_kind(r.office) == "country" else "")
            except ValidationError:  # a code this version does not know: listed as is
                names[r.office] = ("", "")
        out.append({
            "office": r.office, "office_name": names[r.office][0],
            "country": names[r.office][1],
            "action": r.action, "action_title": title, "area": area, "level": level,
            "period": r.period, "status": r.status, "percent": r.percent,
            "indicators": "; ".join(f"{k}={_num(v)}" for k, v in values),
            "state": r.state, "achievements": r.achievements, "challenges": r.challenges,
            "next_steps": r.next_steps, "updated_at": r.updated_at,
            "updated_by": r.updated_by,
            "period_start": bounds[r.period][0], "period_end": bounds[r.period][1],
            "plan_hidden": " ".join(scope.why_hidden(r.office, r.action, r.period)),
            "period_locked": _yes_no(r.period in locked),
            "changed_after_lock": _yes_no((r.office, r.action, r.period) in late),
            "open_conflicts": "; ".join(sorted(
                conflicts.get(report_id(r.office, r.action, r.period), ()),
                key=lambda name, keys=keys: field_rank(name, keys))),
            "_values": values,
        })
    return out


def _yes_no(value: bool) -> str:
    """A true-or-false cell: ``true`` or ``false``, the same in every language and
    format (a filter or an HXL recipe compares it as text)."""
    return "true" if value else "false"


def _earlier_actions(rep: Replica, codes: set[str],
                     lang: str) -> dict[str, tuple[str, str, str]]:
    """Action code → (title in ``lang``, area, level) for the ``codes`` the current plan
    does not have, from the latest earlier plan version that had each (plan versions
    are kept in the event log). Codes no plan version had are left out."""
    found: dict[str, tuple[str, str, str]] = {}
    if not codes:
        return found
    for doc in plan_documents(rep):
        for action in actions_of(doc):
            code = action.get("code")
            if code in codes and code not in found:
                found[code] = (_text_in(action.get("title"), lang),
                               _plain(action.get("area")), _plain(action.get("level")))
        if found.keys() == codes:
            break
    return found


def _earlier_indicators(rep: Replica,
                        wanted: set[tuple[str, str]]) -> dict[tuple[str, str], Indicator]:
    """(action code, indicator key) → the indicator as the latest plan version that
    had it put it, for the ``wanted`` pairs the current plan does not have (the
    action or the indicator removed). Pairs no plan version had are left out."""
    found: dict[tuple[str, str], Indicator] = {}
    if not wanted:
        return found
    for doc in plan_documents(rep):
        for action in actions_of(doc):
            code, indicators = _plain(action.get("code")), action.get("indicators")
            for raw in indicators if isinstance(indicators, list) else ():
                pair = (code, _plain(raw.get("key")) if isinstance(raw, dict) else "")
                if pair in wanted and pair not in found:
                    found[pair] = _indicator_of(raw)
        if found.keys() == wanted:
            break
    return found


def earlier_titles(rep: Replica, plan: Any, codes: Iterable[str],
                   pairs: Iterable[tuple[str, str]]
                   ) -> tuple[dict[str, Text], dict[tuple[str, str], Text]]:
    """The titles, in every language, that the latest earlier plan version that had
    them gave the actions ``codes`` and the indicators ``pairs`` ((action code,
    indicator key)) that ``plan`` does not have: the data export's, which a report the
    plan hides is read with. (code → title, pair → title); what no plan version had, or
    ``plan`` has, is left out."""
    have = {a.code for a in plan.actions}
    have_pairs = {(a.code, i.key) for a in plan.actions for i in a.indicators}
    wanted = set(codes) - have
    titles: dict[str, Text] = {}
    if wanted:
        for doc in plan_documents(rep):
            for action in actions_of(doc):
                code = action.get("code")
                if code in wanted and code not in titles:
                    titles[code] = _text_of(action.get("title"))
            if titles.keys() == wanted:
                break
    earlier = _earlier_indicators(rep, set(pairs) - have_pairs)
    return titles, {pair: ind.title for pair, ind in earlier.items()}


def _text_of(raw: Any) -> Text:
    """A text of a plan version's dict (a dict of languages, or plain text: older
    data) in every language."""
    raw = raw if isinstance(raw, dict) else {"en": raw}
    return Text(en=_plain(raw.get("en")), fr=_plain(raw.get("fr")), ar=_plain(raw.get("ar")))


def _indicator_of(raw: dict[str, Any]) -> Indicator:
    """An indicator of a plan version's dict (plan_to_dict's shape), what is not of
    that shape (older data) left empty."""
    targets = raw.get("targets")
    targets = targets if isinstance(targets, dict) else {}
    unit = _text_of(raw.get("unit"))  # (in English alone, or in languages as a title)
    return Indicator(
        key=_plain(raw.get("key")),
        title=_text_of(raw.get("title")),
        unit=unit.en, unit_fr=unit.fr, unit_ar=unit.ar, baseline=_number(raw.get("baseline")),
        target=_number(raw.get("target")),
        targets=tuple(sorted((str(p), n) for p, v in targets.items()
                             if (n := _number(v)) is not None)))


def _number(value: Any) -> float | None:
    """A number of a plan version's dict, None for anything else (older data)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return None


def _text_in(text: Any, lang: str) -> str:
    """A plan text (a dict of languages, or plain text) in ``lang``, else in English."""
    if isinstance(text, dict):
        return _plain(text.get(lang)) or _plain(text.get("en"))
    return _plain(text)


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _area_of_code(code: str) -> str:
    """The area an action code names (``PA4`` of ``PA4.3``), "" when it names none."""
    from fieldplan.model import ACTION_CODE

    return code.rpartition(".")[0] if ACTION_CODE.fullmatch(code) else ""


def _period_bounds(plan: Any, period: str) -> tuple[date | None, date | None]:
    """The first and last day of a period: in the plan (a folded semester runs from
    the plan's start or to its end), or, for a period outside it, the semester's."""
    from fieldplan.periods import as_period

    try:
        p = as_period(period)
    except ValidationError:  # not a period at all (older data): no dates
        return None, None
    if p in plan.periods():
        return plan.period_bounds(p)
    return p.start, p.end


def indicator_rows(rep: Replica, data: Sequence[dict[str, Any]],
                   lang: str = "en") -> list[dict[str, Any]]:
    """The indicator values of ``data`` (what ``rows`` returned), one row each, with
    the indicator's title, unit and target for the period from the plan. A value of
    an indicator the current plan no longer has (its action or the indicator removed)
    takes them from the latest plan version that had the indicator, as the rows of a
    removed action do; one of an indicator the action no longer has is marked
    ``indicator`` in plan_hidden (after the report's own reasons)."""
    plan = rep.plan()
    indicators = {a.code: {i.key: i for i in a.indicators} for a in plan.actions}
    earlier = _earlier_indicators(rep, {
        (row["action"], key) for row in data for key, _value in row.get("_values", ())
        if key not in indicators.get(row["action"], {})})
    # a value typed under a plan version that counted it in another unit (people, the
    # plan counting households now): its unit and target are that version's
    from fieldplan.recorded_units import recorded_units

    recorded = recorded_units(rep, plan)
    out = []
    for row in data:
        of_action = indicators.get(row["action"])
        for key, value in row.get("_values", ()):
            ind = of_action.get(key) if of_action is not None else None
            hidden = row["plan_hidden"]
            if of_action is not None and ind is None:
                hidden = f"{hidden} indicator".strip()
            if ind is None:
                ind = earlier.get((row["action"], key))
            then = recorded.get((row["office"], row["action"], row["period"], key))
            if then is not None and isinstance(then.indicator, dict) and ind is not None:
                old = _indicator_of(then.indicator)
                ind = dataclasses.replace(old, title=ind.title)
            target = None
            if ind is not None:
                try:
                    target = ind.target_for(row["period"])
                except ValidationError:  # not a period at all (older data)
                    target = ind.target
            out.append({
                "office": row["office"], "office_name": row["office_name"],
                "action": row["action"], "period": row["period"], "indicator": key,
                "indicator_title": ind.title.get(lang) if ind is not None else "",
                "unit": ind.unit if ind is not None else "",
                "value": value, "target": target, "plan_hidden": hidden,
                "unit_name": ind.unit_in(lang) if ind is not None else "",
            })
    return out


def _num(v: float) -> str:
    """A value as the "indicators" column writes it: every digit of it, never in
    scientific notation (0.000001 was "1e-06", where the review pack and the status
    sheet say 0.000001)."""
    from decimal import Decimal

    if float(v).is_integer():
        return str(int(v))
    return format(Decimal(repr(float(v))), "f")


def _cell(value: Any) -> Any:
    """A value as a CSV or HXL cell: text without the characters a spreadsheet
    refuses (older databases may hold them), never read as a formula."""
    if not isinstance(value, str):
        return value
    return guard_formula(for_spreadsheet(value))


def hidden_note(count: int) -> str:
    """How many rows written are reports the current plan hides (``count`` > 0), as
    the command line says it (it names ``status``; the client names its own views:
    ui.table_export.hidden_note)."""
    # Translators: plan_hidden is the name of a column of the file: keep it as is.
    return counted(
        "{count} row is a report the current plan hides, marked in the column "
        "plan_hidden: the review pack, the status sheets and 'fieldplan status' leave it "
        "out",
        "{count} rows are reports the current plan hides, marked in the column "
        "plan_hidden: the review pack, the status sheets and 'fieldplan status' leave "
        "them out",
        count)


def export_table(rep: Replica, fmt: str, out: str | os.PathLike[str], *, lang: str = "en",
                 period: str | None = None, progress: Progress | None = None,
                 cancel: Callable[[], bool] | None = None) -> int:
    """Write merged progress as csv, hxl or xlsx; returns the number of rows (see
    write_table for how many of them the plan hides, and for progress and cancel)."""
    return write_table(rep, fmt, out, lang=lang, period=period, progress=progress,
                       cancel=cancel).rows


def write_table(rep: Replica, fmt: str, out: str | os.PathLike[str], *, lang: str = "en",
                period: str | None = None, progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> TableExport:
    """Write merged progress as csv, hxl or xlsx. ``period``: only that period (one of
    the plan's, or one it hides that reports are held for).
    Made in memory, then written to a temporary file and renamed, so a full disk
    never leaves half a file (nor a half-closed ZIP archive behind).
    ``progress(done, total, label)`` counts the rows made (an XLSX file's indicator
    values too); ``cancel()`` stops at the next row with a CancelledError, and
    nothing is written."""
    if fmt not in FORMATS:
        raise ValidationError(_("unknown format '{format}': use one of {choices}").format(
            format=fmt, choices=join_list(FORMATS)))
    check_output_name(fmt, out)
    content, result = table_bytes(rep, fmt, lang=lang, period=period, progress=progress,
                                  cancel=cancel)
    with atomic_output(out) as f:
        f.write(content)
    return result


def table_bytes(rep: Replica, fmt: str, *, lang: str = "en", period: str | None = None,
                progress: Progress | None = None,
                cancel: Callable[[], bool] | None = None) -> tuple[bytes, TableExport]:
    """What ``write_table`` writes, and what it says of it, made in memory (``fieldplan
    data export -o -`` sends it to standard output)."""
    if fmt not in FORMATS:
        raise ValidationError(_("unknown format '{format}': use one of {choices}").format(
            format=fmt, choices=join_list(FORMATS)))
    data = rows(rep, lang, period)
    if fmt == "xlsx":
        values = indicator_rows(rep, data, lang)
        tally = _Tally(len(data) + len(values), progress, cancel)
        content = _xlsx_bytes(data, values, lang=lang, tally=tally)
    else:
        tally = _Tally(len(data), progress, cancel)
        # utf-8-sig: the byte-order mark tells Excel the file is UTF-8 (without it,
        # French and Arabic names are mojibake). HXL tools read the file all the same
        # (libhxl, under HDX and the HXL Proxy, finds the hashtag row and validates
        # it); at most the first header's text keeps an invisible U+FEFF
        content = _csv_text(data, hxl=fmt == "hxl", tally=tally).encode("utf-8-sig")
    tally.check()
    return content, TableExport(rows=len(data),
                                hidden=sum(bool(r["plan_hidden"]) for r in data))


class _Tally:
    """Counts the rows made for ``progress(done, total, label)`` and stops the export
    when ``cancel()`` says so (both optional)."""

    def __init__(self, total: int, progress: Progress | None,
                 cancel: Callable[[], bool] | None) -> None:
        self.total, self.done = total, 0
        self.progress, self.cancel = progress, cancel
        self.check()
        if progress is not None:
            progress(0, total, "")

    def check(self) -> None:
        """CancelledError when ``cancel()`` says so."""
        if self.cancel is not None and self.cancel():
            raise CancelledError(_("the table was not written: the export was cancelled"))

    def row(self) -> None:
        """One more row made."""
        self.check()
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, "")


def _csv_text(data: Sequence[dict[str, Any]], *, hxl: bool, tally: _Tally | None = None) -> str:
    tally = tally or _Tally(0, None, None)
    f = io.StringIO(newline="")
    w = csv.writer(f)
    w.writerow([c for c, _ in COLUMNS])
    if hxl:
        w.writerow([tag for _, tag in COLUMNS])
    for row in data:
        w.writerow(["" if row[c] is None else _cell(row[c]) for c, _ in COLUMNS])
        tally.row()
    return f.getvalue()


#: The most a spreadsheet cell holds (xlsx.CELL_UNITS): a narrative of 20,000
#: characters (progress.MAX_TEXT) outside the Basic Multilingual Plane (emoji) takes
#: twice that, and Excel would call the whole file damaged.
CELL_UNITS = xlsx.CELL_UNITS


# Translators: ends a text cut to fit a spreadsheet cell; keep it short
_CUT_NOTE = N_("[cut: a spreadsheet cell holds no more; the CSV export has it all]")


def _fit_cell(text: str, lang: str = "en") -> str:
    """``text`` whole when a spreadsheet cell holds it, else cut to fit, saying so in
    ``lang``, the export's language (the rest of the file's words are in it: a French
    export said "[cut: …]" in the English of the client it was made from)."""
    if xlsx.cell_units(text) <= CELL_UNITS:
        return text
    tail = " " + translation(lang).gettext(_CUT_NOTE)
    room = CELL_UNITS - len(tail.encode("utf-16-le")) // 2
    kept, used = [], 0
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > room:
            break
        kept.append(ch)
    return "".join(kept) + tail


def _xlsx_value(column: str, value: Any, lang: str = "en") -> Any:
    """A value as an XLSX cell value: None for no value or empty text (a blank cell,
    which blank filters and ISBLANK see), a datetime for ``updated_at``; text cut to
    what a cell holds (``_fit_cell``, saying so in ``lang``)."""
    if isinstance(value, str):
        value = _fit_cell(for_spreadsheet(value), lang)
        if column == "updated_at" and value:
            try:
                # naive, in UTC: a spreadsheet cell has no time zone
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
                return when.astimezone(UTC).replace(tzinfo=None)
            except ValueError:
                return value  # not a time: kept as text
        return value or None
    return value


def _xlsx_bytes(data: Sequence[dict[str, Any]], values: Sequence[dict[str, Any]], *,
                lang: str = "en", tally: _Tally | None = None) -> bytes:
    tally = tally or _Tally(0, None, None)
    sheets = [_xlsx_sheet("progress", [c for c, _ in COLUMNS], data, lang, tally),
              _xlsx_sheet("indicators", list(INDICATOR_COLUMNS), values, lang, tally)]
    return xlsx.workbook_bytes(sheets, row_done=tally.row)


def _xlsx_sheet(title: str, columns: Sequence[str], data: Sequence[dict[str, Any]],
                lang: str, tally: _Tally) -> xlsx.Sheet:
    """One sheet: a bold, frozen header row with filters, then ``data``."""
    table = []
    widths = [len(c) for c in columns]
    for row in data:
        tally.check()
        values = [_xlsx_value(column, row[column], lang) for column in columns]
        for i, value in enumerate(values):
            if value is not None:
                widths[i] = max(widths[i], _xlsx_width(value))
        table.append(values)
    return xlsx.Sheet(
        title=title, header=tuple(columns),
        widths=tuple(min(max(width, _MIN_WIDTH),
                         _NARRATIVE_WIDTH if column in _NARRATIVES else _MAX_WIDTH) + 2
                     for column, width in zip(columns, widths, strict=True)),
        wrap=tuple(column in _NARRATIVES for column in columns), rows=table,
        quote=FORMULA_START,  # text stays text, and stays text when edited
        # "IOM قدمت …" reads right to left, as the client and the PDFs lay it out
        right_to_left=lang == "ar", own_direction=True)


def _xlsx_width(value: Any) -> int:
    """The characters ``value`` takes in its column (its longest line)."""
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    if isinstance(value, datetime):
        return len("2026-03-12 09:30:00 UTC")
    if isinstance(value, date):
        return len(xlsx.DATE_FORMAT)
    return len(str(value))
