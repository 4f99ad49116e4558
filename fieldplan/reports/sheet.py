"""The printable status sheet of one office for one period (also the review pack's
annex, one sheet per office)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from fieldplan.errors import ValidationError
from fieldplan.model import NARRATIVE_FIELDS, ProgressReport
from fieldplan.planops import PlanScope
from fieldplan.reports import common as cm
from fieldplan.reports.kept import KeptLines, Part

#: Characters of each narrative field shown in the table; the rest goes to the annex.
EXCERPT = {"achievements": 150, "challenges": 80, "next_steps": 80}


class OtherOfficeError(ValidationError):
    """An office computer was asked for another office's sheet: it holds only its own
    office's data, so the sheet would be empty and misleading. Headquarters can print
    any office's."""


@dataclass
class SheetData:
    """One office's reports for the period, with what proves which data was printed."""

    office: str
    reports: dict[str, ProgressReport]
    footer: cm.Footer
    as_of: str | None  # latest updated_at of these reports (ISO), None if none
    hidden: int = 0  # the office's reports of the period that the plan hides
    #: actions whose report has an open conflict: the sheet shows the value that wins
    #: for now, and says so
    conflicted: frozenset[str] = frozenset()
    #: when headquarters locked the period (ISO UTC), None when it is not locked
    locked_at: str | None = None
    #: actions whose report changed after the lock, or was received after it
    #: (``progress.changed_after_lock``)
    after_lock: frozenset[str] = frozenset()
    #: indicators with values in these reports that the plan no longer has (an
    #: amendment dropped them): their values are not printed, the sheet says how many
    hidden_values: int = 0
    #: (printed at an office) the actions whose report's version headquarters'
    #: receipts do not cover yet (``receipts.hq_receipts``); None at headquarters,
    #: which holds what it prints
    not_at_hq: frozenset[str] | None = None
    #: (action, indicator key) → the unit its value was recorded in, for values typed
    #: under a plan version whose unit was another (``recorded_units``): printed in it
    recorded: dict[tuple[str, str], Any] = dc_field(default_factory=dict)
    #: of ``conflicted``, each action's fields in conflict told apart: those two
    #: computers wrote differently, and those whose versions one computer's history
    #: holds alone (``conflicts.conflicts_apart``); a report may hold both
    conflicted_apart: dict[str, Any] = dc_field(default_factory=dict)
    #: of the indicators counted in ``hidden_values``, those an amendment moved to
    #: another action (``Plan.moved_values``): said apart, the plan has them still
    moved_values: int = 0


@dataclass(frozen=True)
class PeriodLock:
    """Whether headquarters has locked a period, as this computer knows it.

    at: when the lock was written (ISO UTC), None when the period is not locked.
    changed: the period's reports changed after the lock (``ChangedAfterLock``),
    ordered by office and action.
    """

    at: str | None = None
    changed: tuple = ()

    def actions(self, office: str) -> frozenset[str]:
        """The actions of ``office`` whose report changed after the lock."""
        return frozenset(c.action for c in self.changed if c.office == office)


def period_lock(rep, period: str) -> PeriodLock:
    """The period's lock and the reports changed after it, read once for every office
    (a pack of 57 offices reads it once)."""
    from fieldplan.progress import changed_after_lock, lock_clocks

    locks = lock_clocks(rep)
    mark = locks.get(period)
    if mark is None:
        return PeriodLock()
    changed = changed_after_lock(rep, period, locks={period: mark}).get(period, ())
    return PeriodLock(mark.at or None, changed)


def open_conflicts(rep, period: str) -> dict[str, frozenset[str]]:
    """Office → the actions whose report of ``period`` has an open conflict."""
    # (the fields in conflict alone: their versions, up to thousands a field, are not
    # read to name the reports)
    from fieldplan.sync.conflicts import conflicted_fields

    out: dict[str, set[str]] = {}
    for entity_id in conflicted_fields(rep):
        parts = entity_id.split("|")  # (a record from a damaged peer: not a report's)
        if len(parts) == 3 and parts[2] == period:
            out.setdefault(parts[0], set()).add(parts[1])
    return {office: frozenset(actions) for office, actions in out.items()}


def data_as_of(rep, reports: Iterable[Any]) -> str | None:
    """When the data of ``reports`` was last received here (ISO UTC), for "Data as
    of": the latest arrival of their changes, not the writer's time of the latest
    change. Typed before a lock and received after it, a change made "Data as of" an
    earlier time than the lock printed above it, while the pack listed the report as
    received after the lock. None when there are no reports."""
    reports = list(reports)
    if not reports:
        return None
    ids = [f"{r.office}|{r.action}|{r.period}" for r in reports]
    latest = max(r.updated_at for r in reports)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        (received,) = rep.conn.execute(
            "SELECT max(received_at) FROM events WHERE entity = 'progress' "
            f"AND entity_id IN ({','.join('?' * len(chunk))})", chunk).fetchone()
        if received and _utc(received) > _utc(latest):
            latest = received
    return latest


def _utc(when: str) -> datetime:
    """An ISO time as the store writes them (UTC, with or without "Z")."""
    moment = datetime.fromisoformat(when)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def gather(
    rep,
    period: str,
    office: str,
    reports: list[ProgressReport] | None = None,
    scope: PlanScope | None = None,
    conflicts: dict[str, frozenset[str]] | None = None,
    hidden: int | None = None,
    lock: PeriodLock | None = None,
) -> SheetData:
    """Read one office's data (``reports``: already read for the whole period), without
    the reports the plan hides (``scope``: the plan's, by default the current plan's).
    ``conflicts``: ``open_conflicts`` read already for every office. ``hidden``: how
    many of the office's reports the plan hides, when ``reports`` holds only those it
    shows (the review pack's): the sheet says so, as the same sheet printed alone.
    ``lock``: ``period_lock`` read already for every office."""
    from fieldplan import progress

    if reports is None:
        reports = progress.list_reports(rep, period=period, office=office)
    scope = scope or PlanScope(rep.plan())
    # the digest below still covers everything held, as ``fieldplan digest`` does
    mine = {r.action: r for r in scope.shown(reports) if r.office == office}
    digest = progress.digest(rep, office)
    footer = cm.Footer(
        office, digest, cm.qr_payload(office, period, digest, cm.office_replicas(rep, office))
    )
    as_of = data_as_of(rep, mine.values())
    if hidden is None:
        hidden = sum(1 for r in reports if r.office == office) - len(mine)
    if conflicts is None:
        conflicts = open_conflicts(rep, period)
    if lock is None:
        lock = period_lock(rep, period)
    from fieldplan.sync.receipts import hq_receipts

    receipts = hq_receipts(rep, office, period)
    not_at_hq = None if receipts is None else frozenset(
        a for a in mine if not _held(receipts.get(progress.report_id(office, a, period))))
    from fieldplan.recorded_units import recorded_units

    recorded = {(code, key): unit for (_o, code, _p, key), unit in recorded_units(
        rep, scope.plan, period=period, office=office).items() if code in mine}
    conflicted = conflicts.get(office, frozenset()) & mine.keys()
    from fieldplan.sync.conflicts import actions_apart

    apart = actions_apart(rep, office, period, conflicted)
    return SheetData(office, mine, footer, as_of, hidden, conflicted,
                     lock.at, lock.actions(office) & mine.keys(),
                     hidden_values(scope, mine.values()), not_at_hq, recorded, apart,
                     moved_values(scope, mine.values()))


def conflicts_notes(ctx: cm.Ctx, data: SheetData) -> list[str]:
    """What a sheet says of its reports in conflict (``data.conflicted``): those two
    computers of the office wrote differently, and apart those whose versions one
    computer's history holds alone (``data.conflicted_apart``: restored from a backup
    and written again, say), which the sheet had said two computers wrote; a report
    of both kinds is counted in each note (``conflicts.split_apart``): counted as two
    computers' only, its field of one computer's history went unsaid. The sheet
    shows the values that win for now, until someone at the office keeps one (once
    headquarters unlocks the period, when it is locked, as 'conflicts list' says)."""
    from fieldplan.i18n import counted
    from fieldplan.sync.conflicts import split_apart

    out = []
    two, alone = split_apart(data.conflicted_apart, sorted(data.conflicted))
    apart, own = len(two), len(alone)
    if apart and not data.locked_at:
        out.append(counted(
            "{count} report has values in conflict (two computers of the office wrote "
            "different values): this sheet shows the one that wins for now, until "
            "someone at the office keeps one (Conflicts in fieldplan).",
            "{count} reports have values in conflict (two computers of the office wrote "
            "different values): this sheet shows the ones that win for now, until "
            "someone at the office keeps one of each (Conflicts in fieldplan).", apart,
            lang=ctx.lang))
    elif apart:
        out.append(counted(
            "{count} report has values in conflict (two computers of the office wrote "
            "different values): this sheet shows the one that wins for now. "
            "Headquarters locked the period: once it unlocks it, someone at the office "
            "keeps one (Conflicts in fieldplan).",
            "{count} reports have values in conflict (two computers of the office wrote "
            "different values): this sheet shows the ones that win for now. "
            "Headquarters locked the period: once it unlocks it, someone at the office "
            "keeps one of each (Conflicts in fieldplan).", apart, lang=ctx.lang))
    if own and not data.locked_at:
        out.append(counted(
            "{count} report has values in conflict (one computer's history holds "
            "versions of them that do not replace each other): this sheet shows the one "
            "that wins for now, until someone at the office keeps one (Conflicts in "
            "fieldplan).",
            "{count} reports have values in conflict (one computer's history holds "
            "versions of them that do not replace each other): this sheet shows the ones "
            "that win for now, until someone at the office keeps one of each (Conflicts "
            "in fieldplan).", own, lang=ctx.lang))
    elif own:
        out.append(counted(
            "{count} report has values in conflict (one computer's history holds "
            "versions of them that do not replace each other): this sheet shows the one "
            "that wins for now. Headquarters locked the period: once it unlocks it, "
            "someone at the office keeps one (Conflicts in fieldplan).",
            "{count} reports have values in conflict (one computer's history holds "
            "versions of them that do not replace each other): this sheet shows the ones "
            "that win for now. Headquarters locked the period: once it unlocks it, "
            "someone at the office keeps one of each (Conflicts in fieldplan).", own,
            lang=ctx.lang))
    return out


def _held(receipt) -> bool:
    return receipt is not None and receipt.held


def hidden_values(scope: PlanScope, reports) -> int:
    """How many indicators (action, key) hold a value in ``reports`` (those the plan
    shows) that the plan no longer has (``PlanScope.hidden_values``): not printed."""
    return len(_hidden_indicators(scope, reports))


def moved_values(scope: PlanScope, reports) -> int:
    """How many of ``hidden_values``'s indicators an amendment moved to another action
    (``Plan.moved_values``): the plan has them still, there."""
    moved = scope.plan.moved_values
    return sum(1 for item in _hidden_indicators(scope, reports) if item in moved)


def _hidden_indicators(scope: PlanScope, reports) -> set[tuple[str, str]]:
    return {(r.action, key) for r in reports for key in scope.hidden_values(
        r.action, (k for k, v in r.values if v is not None))}


def locked_line(ctx: cm.Ctx, at: str) -> str:
    """The line of a sheet's or the pack's header saying that the period is locked."""
    # Translators: {when} is a date and time, "27 Nov 2026, 11:46 UTC"
    return ctx.gettext("Locked by headquarters: {when}").format(when=ctx.when(at))


def hidden_note(ctx: cm.Ctx, count: int) -> str:
    """What a printed report says of the ``count`` (> 0) reports it leaves out: a
    total must not silently disagree with the data export's."""
    from fieldplan.i18n import counted

    # Translators: plan_hidden is the name of a column of the data export: keep it as is.
    return counted(
        "{count} report that the current plan hides (its action was removed or moved to "
        "another level) is not shown; a data export lists it, marked in the column "
        "plan_hidden.",
        "{count} reports that the current plan hides (their actions were removed or moved "
        "to another level) are not shown; a data export lists them, marked in the column "
        "plan_hidden.",
        count, lang=ctx.lang,
    )


def hidden_values_note(ctx: cm.Ctx, count: int, moved: int = 0) -> str:
    """What a printed report says of the values of ``count`` (> 0) indicators that the
    plan no longer has where they were recorded: not printed, but recorded. Of them
    ``moved`` an amendment moved to another action (said apart: the plan has them
    still), the others it dropped."""
    from fieldplan.i18n import counted

    dropped = count - moved
    return " ".join(text for text in (counted(
        "Values of {count} indicator that the current plan no longer has are not shown; "
        "a data export lists them.",
        "Values of {count} indicators that the current plan no longer has are not shown; "
        "a data export lists them.",
        dropped, lang=ctx.lang,
    ) if dropped else "", counted(
        # (the plan has such an indicator still, under another action: "no longer has"
        # sent the reader to look for it nowhere)
        "Values recorded for {count} indicator before an amendment moved it to another "
        "action are not shown; a data export lists them.",
        "Values recorded for {count} indicators before an amendment moved them to other "
        "actions are not shown; a data export lists them.",
        moved, lang=ctx.lang,
    ) if moved else "") if text)


def not_due_note(ctx: cm.Ctx, count: int) -> str:
    """What a sheet or the review pack says of ``count`` (> 0) actions left out of a
    period's counts: an amendment installed after it added them (``Plan.expects``)."""
    from fieldplan.i18n import counted

    return counted(
        "{count} action that an amendment added to the plan after this period is not "
        "counted: no report on it was due.",
        "{count} actions that an amendment added to the plan after this period are not "
        "counted: no report on them was due.",
        count, lang=ctx.lang,
    )


def all_hidden_note(ctx: cm.Ctx, count: int) -> str:
    """What a printed report says in place of "No progress recorded" when the plan
    hides every one of the ``count`` (> 0) reports of the period: they exist."""
    from fieldplan.i18n import counted

    # Translators: plan_hidden is the name of a column of the data export: keep it as is.
    return counted(
        "No report shown: the current plan hides the {count} report of this period (its "
        "action was removed or moved to another level); a data export lists it, marked in "
        "the column plan_hidden.",
        "No report shown: the current plan hides the {count} reports of this period (their "
        "actions were removed or moved to another level); a data export lists them, marked "
        "in the column plan_hidden.",
        count, lang=ctx.lang,
    )


def _unit(ctx: cm.Ctx, unit: str, n: float | None, worded: str = "") -> str:
    """The unit after the figures, in the plural form that agrees with ``n`` (the
    figure it follows): none for a plain count, nor for a percent (the figures carry
    the % sign), whatever word the plan gives them. Arabic has six forms: "150 شخصًا",
    not "150 أشخاص".

    ``worded``: the plan's own word for the unit in the sheet's language
    (``Indicator.unit_fr``, ``unit_ar``). It is printed as the plan writes it ("12 sur
    150 participants" for ``people``), as a unit fieldplan does not know is, unless it
    is one of fieldplan's own words for that unit in that language, in any plural form
    (letter case, accents and Arabic vowel marks and hamza aside, and tatweel, ة/ه and
    ى/ي: "اشخاص" is "أشخاص", "وثيقه" is "وثيقة"):
    "personnes" for ``people`` then prints as "1 sur 1 personne",
    the plan having chosen fieldplan's translation, whose forms agree with the
    figure."""
    from fieldplan.i18n import unit_label
    from fieldplan.text import search_key

    if unit in ("count", "percent"):
        return ""
    if worded and search_key(worded) not in {search_key(f) for f in _own_forms(ctx, unit)}:
        return worded
    # no figure: the general plural; else that of the figure as printed
    count = 100 if n is None else plural_count(n, ctx.lang)
    return _plural_form(ctx, unit, count) or unit_label(unit, ctx.lang)


def _plural_form(ctx: cm.Ctx, unit: str, count: int) -> str:
    """fieldplan's word for ``unit`` in the plural form of ``count``, for the units
    whose catalogs give plural forms; "" for any other."""
    if unit == "people":
        # Translators: the unit after an indicator's figures, "12 of 150 people".
        return ctx.npgettext("unit", "person", "people", count)
    if unit == "documents":
        # Translators: the unit after an indicator's figures, "2 of 5 documents".
        return ctx.npgettext("unit", "document", "documents", count)
    return ""


def _own_forms(ctx: cm.Ctx, unit: str) -> set[str]:
    """Every word fieldplan prints for ``unit`` in the sheet's language: its label
    (``i18n.unit_label``) and its form for each plural category."""
    from fieldplan.i18n import unit_label

    forms = {_plural_form(ctx, unit, count) for count in _CATEGORY_COUNTS}
    return (forms | {unit_label(unit, ctx.lang)}) - {""}


#: Integers to stand for a plural category of CLDR in a catalog's plural formula,
#: tried in this order: the first of the category is taken
_CATEGORY_COUNTS = (1, 2, 0, 3, 11, 100, 1_000_000)


def plural_count(n: float, lang: str) -> int:
    """An integer whose plural form in ``lang`` is that of ``n`` as printed (to three
    decimals, a smaller figure by its significant digits: format_number), for
    ngettext, which takes integers only. A figure with decimals takes the form CLDR
    gives it: "0.5 people" (not the "person" of the 1 it rounds up to), "0,5
    personne", "1,5 personne", and Arabic's general plural; "1 person" for
    1.0000001, which prints as 1."""
    from decimal import Decimal, InvalidOperation

    from babel import Locale

    from fieldplan.i18n import format_number

    printed = format_number(abs(n), "en").replace(",", "")
    try:
        figure = Decimal(printed)
    except InvalidOperation:  # (not a figure format_number writes)
        return 100
    if figure == figure.to_integral_value() and "." not in printed:
        return int(figure)
    rule = Locale.parse(lang).plural_form
    category = rule(figure)
    return next((c for c in _CATEGORY_COUNTS if rule(c) == category), 100)


def _number(ctx: cm.Ctx, value: float | None, unit: str) -> str:
    from fieldplan.i18n import format_number, format_percent

    if value is None:
        return "–"
    if unit == "percent":
        return format_percent(value, ctx.lang, decimals=True)  # 5.6 is not 6
    return format_number(value, ctx.lang)


def brackets_whole(text: str, width: float, style: cm.Style = cm.BOLD_SMALL) -> str:
    """``text`` with each bracket that fits a line of ``width`` points held on one line
    (``fieldplan.text.brackets_held``): "… documents (end of" over "plan)" in the
    indicators' narrow column. A bracket wider than a line breaks at its spaces (its
    semester held whole by the caller), except between the words that cannot share a
    line with its end, held on one where they fit it: a large figure's
    "8,000,000 USD (target" left "for" alone on a line over "2nd semester 2026)";
    "(target for" goes over it now, and "(cible" over "du 2e semestre 2026)" as before."""
    import re

    from fieldplan.reports.fonts import string_width
    from fieldplan.reports.text import shape
    from fieldplan.text import brackets_held, held_whole

    def fits(s: str) -> bool:
        return string_width(shape(s), style.font, style.size) <= width

    def in_lines(bracket: str) -> str:
        words = bracket.split(" ")
        # the first word that can share a line with the bracket's end
        start = next((i for i in range(1, len(words)) if fits("\u00a0".join(words[i:]))),
                     len(words))
        if start == len(words):
            return bracket
        return " ".join([held_whole(" ".join(words[:start]), fits), *words[start:]])

    return re.sub(r"\([^()]*\)", lambda m: in_lines(m.group(0)), brackets_held(text, fits))


def _indicators(ctx: cm.Ctx, action, report: ProgressReport | None,
                width: float, recorded: dict[tuple[str, str], Any] | None = None
                ) -> list[Flowable]:
    """An action's indicators for its row of the table, in a column ``width`` points
    wide. ``recorded``: (action, key) → the unit a value was recorded in, another than
    the plan's now (``recorded_units``): the figure is printed in it, and said so."""
    from fieldplan.i18n import period_words

    _ = ctx.gettext
    out: list[Flowable] = []
    for ind in action.indicators:
        actual = report.value(ind.key) if report else None
        if actual is None and not ctx.plan.expects_value(action.code, ind.key, ctx.period):
            continue  # an amendment added it after the period: nothing was asked
        target = ind.target_for(ctx.period)
        then = (recorded or {}).get((action.code, ind.key)) if actual is not None else None
        if then is not None:
            # typed in another unit than the plan's now: in that one, apart from the target
            figures = recorded_figures(ctx, ind, actual, target, then)
        else:
            # the unit follows the target: its plural agrees with the target
            unit = _unit(ctx, ind.unit, actual if target is None else target,
                         {"fr": ind.unit_fr, "ar": ind.unit_ar}.get(ctx.lang, ""))
            figures = _("{actual} of {target}").format(
                actual=_number(ctx, actual, ind.unit), target=_number(ctx, target, ind.unit)
            )
            if unit:
                figures += " " + unit
        later = ind.target_period(ctx.period) if target is not None else None
        if target is not None and ind.target_is_end(ctx.period):
            # Translators: an indicator's figures held to the plan's end target, the
            # period having no milestone of its own or after it: "72 of 600 people
            # (end of plan)"
            figures = _("{figures} (end of plan)").format(figures=figures)
        elif later:
            # Translators: an indicator's figures held to a later semester's target,
            # the period having none of its own: "10 of 200 people (target for 2nd
            # semester 2026)"
            # (the semester on one line: "(target for 2nd" over "semester 2026)" read
            # as two pieces of a date)
            figures = _("{figures} (target for {period})").format(
                figures=figures, period=period_words(later, ctx.lang).replace(" ", "\u00a0"))
        title = cm.cell(ctx, ind.title.get(ctx.lang), cm.MUTED_SMALL)
        title.keepWithNext = 1  # (with its figures where a page breaks the row)
        out.append(title)
        out.append(cm.cell(ctx, brackets_whole(figures, width), cm.BOLD_SMALL,
                           space_after=2))
    return out or [cm.cell(ctx, "–")]


def recorded_figures(ctx: cm.Ctx, ind, actual: float, target: float | None, then) -> str:
    """An indicator's figure recorded in another unit than the plan's now (``then``, a
    ``RecordedUnit``): in the unit it was typed in, never beside a target it is not
    counted in ("750 people (recorded under plan version 1; the unit is now
    households, target 1,200)")."""
    _ = ctx.gettext
    unit_then = _unit(ctx, then.unit, actual, then.worded(ctx.lang)) or then.unit
    unit_now = _unit(ctx, ind.unit, 2 if target is None else target,
                     {"fr": ind.unit_fr, "ar": ind.unit_ar}.get(ctx.lang, "")) or ind.unit
    figure = _number(ctx, actual, then.unit)
    if target is None:
        # Translators: an indicator's figure typed under an earlier plan version, whose
        # unit was another: "750 people (recorded under plan version 1; the unit is now
        # households)"
        return _("{actual} {unit_then} (recorded under plan version {version}; the unit "
                 "is now {unit_now})").format(actual=figure, unit_then=unit_then,
                                               version=then.version, unit_now=unit_now)
    # Translators: an indicator's figure typed under an earlier plan version, whose
    # unit was another, and the target in the unit now: "750 people (recorded under
    # plan version 1; the unit is now households, target 1,200)"
    return _("{actual} {unit_then} (recorded under plan version {version}; the unit is "
             "now {unit_now}, target {target})").format(
        actual=figure, unit_then=unit_then, version=then.version, unit_now=unit_now,
        target=_number(ctx, target, ind.unit))


def field_label(ctx: cm.Ctx, name: str) -> str:
    _ = ctx.gettext
    return {
        "achievements": _("Achievements"),
        "challenges": _("Challenges"),
        "next_steps": _("Next steps"),
    }[name]


def _narrative(ctx: cm.Ctx, report: ProgressReport | None,
               scale: float = 1.0) -> tuple[list[Flowable], bool]:
    """A report's narratives in a table cell: an excerpt of each (``EXCERPT``), and
    whether one was cut (its full text is then in the sheet's annex). ``scale``: the
    excerpts shorter, of a report whose narrative is cut anyway (the annex has it
    whole), to keep a small table on one page (see KeepSmall)."""
    from fieldplan.reports.text import truncate

    _ = ctx.gettext
    out: list[Flowable] = []
    cut_any = False
    if scale != 1.0 and not _narrative(ctx, report)[1]:
        scale = 1.0  # (one not in the annex is never cut here)
    for name in NARRATIVE_FIELDS:
        value = getattr(report, name) if report else ""
        if not value.strip():
            continue
        excerpt, cut = truncate(value, int(EXCERPT[name] * scale))
        cut_any |= cut
        if out:
            # the space goes above the next field's label, so that each label reads
            # with the text under it, not as the tail of the one above
            out[-1].space_after = 5
        label = cm.cell(ctx, field_label(ctx, name), cm.LABEL)
        label.keepWithNext = 1  # (with its text where a page breaks the row)
        out.append(label)
        out.append(cm.cell(ctx, excerpt, cm.SMALL, space_after=2, base_dir=cm.USER))
    if cut_any:
        # the sheet's own annex, by its heading: in the pack "the annex" read as the
        # pack's (the office sheets are themselves in "Annex: status sheets by office")
        # Translators: {annex} is the heading "Annex: narratives in full" at the end
        # of the same status sheet
        out.append(cm.cell(ctx, _("Full text in this sheet's “{annex}”.").format(
            annex=annex_heading(ctx)), cm.MUTED_SMALL))
    return out or [cm.cell(ctx, "–")], cut_any


def annex_heading(ctx: cm.Ctx) -> str:
    """The heading of a sheet's annex, where the narratives cut in its tables are
    printed in full."""
    return ctx.gettext("Annex: narratives in full")


#: the widest the Status column of a sheet's tables grows to fit the statuses it prints
#: (of the text's width), the Action column giving the room: enough for the longest,
#: the Arabic "● على المسار الصحيح" (on track, 16.4 % on A4), which broke over two
#: lines at 15 %; the Action column keeps 14 % (71 points on A4, where the longest
#: word of the Arabic titles takes 43). A status longer still breaks between its words,
#: its symbol with the first (``cm.status_text``)
STATUS_MOST = 0.17


def status_width(ctx: cm.Ctx, statuses: Iterable[str | None] | None = None) -> float:
    """The width of a Status cell that prints each of ``statuses`` (a status, or None
    for "No report"; by default every status and "No report") on one line in the
    sheet's language: the widest with the cell's padding."""
    from fieldplan.i18n import STATUS_SYMBOLS
    from fieldplan.reports.fonts import string_width
    from fieldplan.reports.text import shape

    style = cm.BOLD_SMALL
    if statuses is None:
        statuses = (*STATUS_SYMBOLS, None)
    texts = [cm.status_text(ctx, s) for s in statuses] or [cm.status_text(ctx, None)]
    # (a point over: a line measured as wide as the cell breaks)
    return max(string_width(shape(t), style.font, style.size) for t in texts) + 6 + 1


def printed_statuses(actions, data: SheetData) -> set[str | None]:
    """The statuses a sheet of ``actions`` prints (None: "No report")."""
    return {data.reports[a.code].status if a.code in data.reports else None
            for a in actions}


def area_table(ctx: cm.Ctx, actions, data: SheetData, scale: float = 1.0,
               statuses: Iterable[str | None] | None = None) -> tuple[Flowable, list]:
    """The table of one area's actions; also the actions whose narrative was cut.
    ``scale``: shorter excerpts of the narratives cut anyway (see ``_narrative``).
    ``statuses``: those the whole sheet prints (``printed_statuses``), its tables' Status
    columns as wide as the longest (by default, as wide as the language's longest)."""
    from fieldplan.i18n import format_percent, lead_label, level_label

    _ = ctx.gettext
    w = ctx.width
    # the code column has room for "(continued)" (see below) on a line of its own
    widths = [w * f for f in (0.095, 0.19, 0.12, 0.115, 0.19, 0.29)]
    # the Status column as wide as its longest status, the action's title giving it
    # room (the narrative, the tallest cell, made French rows taller: 18 more pages):
    # "● En bonne voie" printed "● En bonne" over "voie", read as two marks; of the
    # statuses the sheet prints, the same in each of its tables
    status = min(status_width(ctx, statuses), w * STATUS_MOST)
    if status > widths[2]:
        widths[1] -= status - widths[2]
        widths[2] = status
    head = [
        cm.cell(ctx, h, cm.CELL_HEAD)
        for h in (
            _("Code"),
            _("Action"),
            _("Status"),
            _("Progress"),
            _("Indicators: actual of target"),
            _("Narrative"),
        )
    ]
    rows: list[list] = [head]
    extra = []
    annex = []
    for i, act in enumerate(actions, start=1):
        r = data.reports.get(act.code)
        status = r.status if r else None
        narrative, cut = _narrative(ctx, r, scale)
        if cut:
            annex.append(act)
        pct = r.percent if r else None
        rows.append(
            [
                cm.continued(
                    cm.cell(ctx, act.code, cm.BOLD_SMALL),
                    # Translators: in the code column of a status sheet's table, on a
                    # page where an action's row goes on from the page before (an
                    # action with many indicators); the column is about 15 mm wide
                    cm.cell(ctx, _("{code} (continued)").format(code=act.code), cm.SMALL),
                ),
                [
                    cm.cell(ctx, act.title.get(ctx.lang), cm.SMALL, space_after=2),
                    cm.cell(
                        ctx,
                        f"{level_label(act.level, ctx.lang)} · {lead_label(act.lead, ctx.lang)}",
                        cm.MUTED_SMALL,
                    ),
                ],
                [cm.cell(ctx, cm.status_text(ctx, status), cm.BOLD_SMALL)]
                + ([cm.cell(ctx, _("Draft"), cm.MUTED_SMALL)] if r and r.state == "draft" else [])
                # Translators: under a report's status, when two computers wrote
                # different values of it, or one computer's history holds versions
                # of it that do not replace each other (see the note above the tables)
                + ([cm.cell(ctx, _("Values in conflict"), cm.BOLD_SMALL,
                            whole_end=True)]
                   if act.code in data.conflicted else [])
                # Translators: under a report's status, when it changed after
                # headquarters locked the period, or changed before and reached this
                # computer after (see the note above the tables)
                + ([cm.cell(ctx, _("Changed or received after the lock"), cm.BOLD_SMALL,
                            whole_end=True)]
                   if act.code in data.after_lock else [])
                # Translators: under a report's status on an office's status sheet:
                # headquarters' bundles have not acknowledged this version of it yet
                # (see the note above the tables). The column is about 20 mm wide:
                # two short lines, no word alone on one ("Not received by
                # headquarters yet" printed "by" and "yet" each on a line of its own)
                + ([cm.cell(ctx, _("Not yet at headquarters"), cm.BOLD_SMALL,
                            whole_end=True)]
                   if data.not_at_hq and act.code in data.not_at_hq else []),
                cm.PercentBar(
                    pct, "–" if pct is None else format_percent(pct, ctx.lang), rtl=ctx.rtl
                ),
                # (a cell's text: its width less the padding on either side)
                _indicators(ctx, act, r, widths[4] - 6, data.recorded),
                narrative,
            ]
        )
        if status:
            extra.append(
                ("BACKGROUND", (2, i), (2, i), cm.colors.HexColor(cm.STATUS_TINTS[status]))
            )
    return cm.table(ctx, rows, widths, extra=extra), annex


def sheet_story(
    ctx: cm.Ctx,
    data: SheetData,
    state: cm.BuildState,
    *,
    key: str,
    level: int,
    in_pack: bool = False,
) -> list[Flowable]:
    """The flowables of one office's sheet: header block, one table per area,
    signatures, verification, and the narratives in full when they were cut."""
    from fieldplan.i18n import format_number, format_period
    from fieldplan.offices import HQ, level_for_office, office_name

    _ = ctx.gettext
    plan = ctx.plan
    name = office_name(data.office, ctx.lang)
    # in the pack, the running header of the annex pages names the office
    header = f"{name} ({data.office}) · {format_period(ctx.period, ctx.lang)}" if in_pack else None
    story: list[Flowable] = [cm.SetFooter(data.footer, header)]
    if in_pack:
        story.append(
            cm.Heading(
                f"{name} ({data.office})",
                cm.H1,
                rtl=ctx.rtl,
                key=key,
                level=level,
                pages=state.pages,
                space_before=0,
            )
        )
    else:
        story.append(cm.TextFlow(plan.title.get(ctx.lang), cm.TITLE, rtl=ctx.rtl, space_after=4,
                                 balance=True))
        story.append(
            cm.TextFlow(
                _("Status sheet: {office}").format(office=name),
                cm.SUBTITLE,
                rtl=ctx.rtl,
                space_after=4,
                balance=True,
            )
        )
    lvl = level_for_office(data.office)
    # (not an action an amendment added after this period, unless reported on anyway)
    actions = plan.actions_of(level=lvl, due=ctx.period, reported=data.reports)
    not_due = len(plan.actions_of(level=lvl)) - len(actions)
    submitted = sum(1 for r in data.reports.values() if r.state == "submitted")
    if data.as_of:
        recorded = _("Data as of: {when}").format(when=ctx.when(data.as_of))
    elif data.hidden:  # the office did report: the plan hides it all
        recorded = all_hidden_note(ctx, data.hidden)
    else:
        recorded = _("No progress recorded for this period.")
    if actions:
        counts = ctx.ngettext("Reports: {reported} of {actions} action, {submitted} submitted",
                              "Reports: {reported} of {actions} actions, {submitted} submitted",
                              len(actions)).format(
            reported=format_number(len(data.reports), ctx.lang),
            actions=format_number(len(actions), ctx.lang),
            submitted=format_number(submitted, ctx.lang))
    elif not_due:  # every action of the level came with a later amendment
        counts = _("Reports: none due in this period")
    else:  # not "0 of 0 actions"
        from fieldplan.i18n import level_label

        counts = _("Reports: none, the current plan has no action at this office's level "
                   "({level})").format(level=level_label(lvl, ctx.lang))
    facts = [
        _("Office: {office} ({code})").format(office=name, code=data.office),
        _("Period: {period}").format(period=format_period(ctx.period, ctx.lang)),
        *([locked_line(ctx, data.locked_at)] if data.locked_at else []),
        _("Printed: {when}").format(when=ctx.when(ctx.printed)),
        recorded,
        counts,
        *([received_line(ctx, len(data.reports) - len(data.not_at_hq), len(data.reports))]
          if data.not_at_hq is not None and data.reports else []),
    ]
    story.extend(cm.TextFlow(f, cm.BODY, rtl=ctx.rtl) for f in facts)
    drafts = len(data.reports) - submitted
    said_of_drafts = (drafts_note(ctx, drafts, bool(data.locked_at), data.office == HQ)
                      if drafts else None)
    if said_of_drafts:
        story.append(cm.TextFlow(said_of_drafts, cm.WARNING, rtl=ctx.rtl, space_after=2,
                                 whole_end=True))
    if not_due:
        story.append(cm.TextFlow(not_due_note(ctx, not_due), cm.MUTED_SMALL, rtl=ctx.rtl,
                                 space_after=2))
    if data.hidden and data.reports:  # else said in the facts
        story.append(cm.TextFlow(hidden_note(ctx, data.hidden), cm.BOLD_SMALL, rtl=ctx.rtl,
                                 space_after=2))
    if data.hidden_values:
        story.append(cm.TextFlow(hidden_values_note(ctx, data.hidden_values,
                                                    data.moved_values), cm.BOLD_SMALL,
                                 rtl=ctx.rtl, space_after=2))
    if data.conflicted:
        story += [cm.TextFlow(text, cm.BOLD_SMALL, rtl=ctx.rtl, space_after=2)
                  for text in conflicts_notes(ctx, data)]
    if data.after_lock:
        from fieldplan.i18n import counted

        # the rule counts a report changed before the lock and received after it too
        # (headquarters had not reviewed it): "changed after" alone was not true of it,
        # as the review pack says "Changed or received after the period was locked"
        story.append(cm.TextFlow(counted(
            "{count} report was changed or received after headquarters locked the period: "
            "its row is marked “Changed or received after the lock”.",
            "{count} reports were changed or received after headquarters locked the "
            "period: their rows are marked “Changed or received after the lock”.",
            len(data.after_lock), lang=ctx.lang),
            cm.BOLD_SMALL, rtl=ctx.rtl, space_after=2))
    if data.not_at_hq:
        from fieldplan.i18n import counted

        # as this computer knows it: what headquarters' last bundle imported here said
        story.append(cm.TextFlow(counted(
            "{count} report may not have reached headquarters yet: no bundle from "
            "headquarters imported here has acknowledged it. Its row is marked “Not "
            "yet at headquarters”; export, and import headquarters' reply.",
            "{count} reports may not have reached headquarters yet: no bundle from "
            "headquarters imported here has acknowledged them. Their rows are marked "
            "“Not yet at headquarters”; export, and import headquarters' reply.",
            len(data.not_at_hq), lang=ctx.lang),
            cm.BOLD_SMALL, rtl=ctx.rtl, space_after=2))
    story.append(cm.TextFlow(_legend(ctx), cm.MUTED_SMALL, rtl=ctx.rtl, space_after=2))
    if plan.illustrative:
        story.append(
            cm.TextFlow(
                _("The plan's texts are illustrative placeholders."), cm.MUTED_SMALL, rtl=ctx.rtl
            )
        )
    annex = []
    printed = printed_statuses(actions, data)
    for area in plan.areas:
        acts = [a for a in actions if a.area == area.code]
        if not acts:
            continue
        tbl, cut = area_table(ctx, acts, data, statuses=printed)
        head = cm.heading(
            f"{area.code} — {area.title.get(ctx.lang)}",
            cm.H2,
            rtl=ctx.rtl,
            key=f"{key}-{area.code}",
            level=level + 1,
            pages=state.pages,
            space_before=8,
        )
        # (a table of three actions split two and one across pages: kept whole where
        # the sheet still ends on the same page, see KeepSmall)
        small = cm.KeepSmall(
            [*head, tbl],
            shorter=lambda scale, acts=acts: area_table(ctx, acts, data, scale,
                                                        printed)[0])
        story.extend([small, *small.flowables])
        annex.extend(cut)
    # the digest is the office's whole (``fieldplan digest --office``): a change in
    # another semester changes it too, so it is not said to be this sheet's alone
    verification = cm.TextFlow(
        _(
            "Verification: the digest at the foot of each page is the one 'fieldplan "
            "digest --office {office}' gave when this was printed: it identifies all of "
            "the office's data held here, every semester's, not only this sheet's (QR: "
            "JSON with office, period, digest and the last sequence number of each "
            "replica)."
        ).format(office=data.office),
        cm.MUTED_SMALL,
        rtl=ctx.rtl,
    )
    story.extend(_signatures(ctx, verification, said_of_drafts))
    if annex:
        story.extend(
            cm.heading(
                annex_heading(ctx),
                cm.H2,
                rtl=ctx.rtl,
                key=f"{key}-annex",
                level=level + 1,
                pages=state.pages,
                space_before=12,
                room=130,  # with the first action's title and a few lines
            )
        )
        for act in annex:
            r = data.reports[act.code]
            heading = f"{act.code} — {act.title.get(ctx.lang)}"
            title = cm.TextFlow(heading, cm.H3, rtl=ctx.rtl, space_after=2)
            # the fields split as one text, with widow and orphan control: a field that
            # did not fit at a page's foot went over alone, one line of it before the
            # next office
            parts = []
            for fname in NARRATIVE_FIELDS:
                value = getattr(r, fname)
                if not value.strip():
                    continue
                parts.append(Part(cm.TextFlow(field_label(ctx, fname), cm.LABEL,
                                              rtl=ctx.rtl), label=True))
                parts.append(Part(
                    cm.TextFlow(value, cm.BODY, rtl=ctx.rtl, space_after=7, base_dir=cm.USER)))
            narratives = KeptLines(parts)
            # room for the heading, however many lines, and the text under it down to
            # its first break: else alone at a page's foot, "(continued)" over its text
            story.append(cm.RoomFor([title, narratives]))
            story.append(title)
            # Translators: at the top of a page where an action's narratives in full
            # go on from the page before; {action} is "PA1.1 — its title"
            again = _("{action} (continued)").format(action=heading)
            story.append(cm.RepeatAtTop(
                lambda again=again: cm.TextFlow(again, cm.H3, rtl=ctx.rtl, space_after=2)))
            story.append(narratives)
            story.append(cm.RepeatAtTop(None))
    for i, f in enumerate(story):  # what follows each of its tables, to the sheet's end
        if isinstance(f, cm.KeepSmall):
            f.rest = story[i + 1 + len(f.flowables):]
    return story


def received_line(ctx: cm.Ctx, received: int, count: int) -> str:
    """(a sheet printed at an office) The fact of how many of its ``count`` reports
    headquarters has acknowledged receiving as they are printed."""
    from fieldplan.i18n import counted, format_number

    # Translators: a fact at the top of an office's status sheet: headquarters'
    # bundles acknowledge holding {received} of the reports as printed
    return counted("Received by headquarters: {received} of {count} report",
                   "Received by headquarters: {received} of {count} reports",
                   count, lang=ctx.lang, received=format_number(received, ctx.lang))


def drafts_note(ctx: cm.Ctx, count: int, locked: bool = False, hq: bool = False) -> str:
    """What a sheet says of its ``count`` (> 0) reports that are drafts, in its facts and
    again over the lines to sign: "Draft" under a row's status alone let a head of
    office sign a sheet of reports the office had not submitted. ``locked``:
    headquarters locked the period, and the drafts will not be submitted unless it
    unlocks it ("not yet submitted" said they would be). ``hq``: the sheet of
    headquarters' own reports, read by the one who can unlock the period."""
    from fieldplan.i18n import counted

    if locked and hq:
        # Translators: on the status sheet of headquarters' own reports, for a period
        # it locked: the reader is headquarters, who can unlock it
        return counted(
            "Provisional: {count} of these reports is a draft, left when the period was "
            "locked: it will not be submitted unless you unlock the period.",
            "Provisional: {count} of these reports are drafts, left when the period was "
            "locked: they will not be submitted unless you unlock the period.",
            count, lang=ctx.lang,
        )
    if locked:
        # Translators: on a status sheet of a period headquarters locked, as the review
        # pack says "Provisional: these figures include 3 draft reports left when ..."
        return counted(
            "Provisional: {count} of these reports is a draft, left when headquarters "
            "locked the period: it will not be submitted unless headquarters unlocks "
            "the period.",
            "Provisional: {count} of these reports are drafts, left when headquarters "
            "locked the period: they will not be submitted unless headquarters unlocks "
            "the period.",
            count, lang=ctx.lang,
        )

    # Translators: on a status sheet, in its facts and over the lines to sign, as the
    # review pack says "Provisional: these figures include 3 draft reports ..."
    return counted(
        "Provisional: {count} of these reports is a draft, not yet submitted to "
        "headquarters.",
        "Provisional: {count} of these reports are drafts, not yet submitted to "
        "headquarters.",
        count, lang=ctx.lang,
    )


def _legend(ctx: cm.Ctx) -> str:
    from fieldplan.i18n import STATUS_SYMBOLS, status_label

    _ = ctx.gettext
    parts = [f"{STATUS_SYMBOLS[s]} {status_label(s, ctx.lang)}" for s in STATUS_SYMBOLS]
    return _("Key: {symbols}").format(symbols=" · ".join(parts))


def _signatures(ctx: cm.Ctx, note: Flowable, warning: str | None = None) -> list[Flowable]:
    """The lines to sign, then ``note`` (how to verify the sheet), kept on one page: a
    page break between "Prepared by" and "Approved by" left the head of office signing
    at the top of a page of narratives, apart from the sheet. ``warning``: what a
    signer must read first (the sheet holds drafts), right over the lines."""
    _ = ctx.gettext
    w = ctx.width
    line = "_" * 34
    rows = [
        [
            cm.cell(ctx, _("Prepared by"), cm.BOLD_SMALL),
            cm.cell(ctx, line),
            cm.cell(ctx, _("Date"), cm.BOLD_SMALL),
            cm.cell(ctx, "_" * 16),
        ],
        [
            cm.cell(ctx, _("Approved by"), cm.BOLD_SMALL),
            cm.cell(ctx, line),
            cm.cell(ctx, _("Date"), cm.BOLD_SMALL),
            cm.cell(ctx, "_" * 16),
        ],
    ]
    widths = [w * f for f in (0.18, 0.45, 0.1, 0.27)]
    t = cm.table(
        ctx,
        rows,
        widths,
        header_rows=0,
        extra=[("GRID", (0, 0), (-1, -1), 0, cm.colors.white), ("TOPPADDING", (0, 0), (-1, -1), 9)],
    )
    above = [cm.TextFlow(warning, cm.WARNING, rtl=ctx.rtl)] if warning else []
    return [KeepTogether([Spacer(1, 8), *above, t, Spacer(1, 4 * mm), note])]


def build_status_sheet(
    rep,
    period: str,
    office: str | None = None,
    *,
    out: str | os.PathLike[str],
    lang: str = "en",
    paper: str = "A4",
    progress: cm.Progress | None = None,
) -> Path:
    from fieldplan.offices import HQ, check_office, office_name

    ctx = cm.make_ctx(rep, period, lang, paper)
    _ = ctx.gettext
    office = check_office(office) if office else rep.office
    from fieldplan import i18n

    # errors in the language of the person asking, not of the report
    if not office:
        raise ValidationError(i18n._("name the office whose sheet to print"))
    if not rep.is_hq and office != rep.office:
        raise OtherOfficeError(
            i18n._("an office computer holds only its own office's data: this one ({office}) "
                   "cannot print the sheet of {other}; headquarters can").format(
                       office=rep.office, other=office))
    if rep.is_hq and office != HQ:
        from fieldplan.sync.export import check_known_office

        # one never enrolled, with no data here: a slip of the keyboard (MR for ML)
        # printed an empty sheet without a word; refused as an export for it is
        check_known_office(rep, office)
    from fieldplan.files import check_output

    check_output("pdf", out)  # a name the write would refuse: said before the work
    if progress:
        progress(0, cm.STEPS, _("Reading data"))
    data = gather(rep, ctx.period, office, scope=PlanScope(ctx.plan))
    from fieldplan.i18n import format_period

    when = format_period(ctx.period, ctx.lang)
    # the file's title names the period as well as the office (as the header does)
    title = _("Status sheet: {office}").format(office=office_name(office, ctx.lang))
    title = f"{title} · {when}"
    right = f"{office_name(office, ctx.lang)} · {when}"

    def story(state: cm.BuildState) -> list[Flowable]:
        return sheet_story(ctx, data, state, key=f"o-{office}", level=-1)

    path = cm.render(
        ctx,
        out,
        story,
        title=title,
        left=ctx.plan.title.get(ctx.lang),
        right=right,
        progress=progress,
        step=(cm.GATHER_STEPS, cm.STEPS),
    )
    if progress:
        progress(cm.STEPS, cm.STEPS, _("Done"))
    return path
