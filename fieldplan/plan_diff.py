"""What a new version of the plan changes, in short: the areas, actions and indicators
it adds, drops or changes, and its dates (``diff_plans``); and the titles it leaves
without their French or Arabic text (``untranslated``).

HQ replaces the whole plan from a spreadsheet: a row deleted by mistake, a target
typed in the wrong column or a renamed action must be seen before (the client's
question, ``fieldplan plan import --dry-run``) and after (the import's lines) it
reaches every office. Items are matched by their code (an indicator by its action's
code and its key): an action given another code is one dropped and one added.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldplan.i18n import (
    N_,
    Periods,
    UnitWord,
    _,
    counted,
    format_number,
    get_language,
    join_clauses,
    join_list,
    kept_by_language,
    lead_label,
    level_label,
    ngettext,
    period_words,
    unit_change_words,
)
from fieldplan.plan import Indicator, Plan, Text

#: How many items a line names before "and N more".
SHOWN_ITEMS = 8
#: How many lines ``short_lines`` gives at most, the last "and N more kinds of change".
SHOWN_LINES = 10
#: What a line under another begins with (a retitled item under "Actions retitled
#: (2):").
INDENT = "  "
#: The other texts of an item that a version may change besides its English title
#: (``Retitled.also``), in words.
OTHER_TEXTS = {"fr": N_("French title"), "ar": N_("Arabic title"),
               "description": N_("description"),
               "signature": N_("place or date of signature")}
#: How many characters of a title a line shows before it is cut with "…" (around
#: where the old and new titles differ).
SHOWN_TITLE = 60


@dataclass(frozen=True)
class Retitled:
    """An area, action (by its code) or indicator (``ACTION/KEY``) whose English title
    changes: its titles before and after, in every language.

    also: its other texts that change too (``OTHER_TEXTS``' keys: ``fr``, ``ar``
        titles, an action's ``description``, the plan's ``signature``), said on its
        line: listed under "Other texts changed" as well, an action retitled in three
        languages was named twice. texts_code: the code ``PlanDiff.texts_changed``
        names it by (the plan's id for the plan, whose ``code`` is "").
    """

    code: str
    before: Text
    after: Text
    also: tuple[str, ...] = ()
    texts_code: str = ""


@dataclass(frozen=True)
class Changed:
    """One value that a new version changes.

    code: the area, the action, or ``ACTION/KEY`` for an indicator.
    before, after: the value in the installed plan and in the new one (a number,
        a level or lead such as ``national``; None where there is none).
    period: for a target, the period whose target changes (``2026-S2``), or "" for
        the target at the plan's end; "" for anything else.
    lang: for a unit, the language of the word that changes (``fr``, ``ar``; "" for
        the English unit); "" for anything else.
    indicators: for an English unit, the indicator in the installed plan and in the
        new one, whose words the change is said in outside English; else None.
    """

    code: str
    before: str | float | None
    after: str | float | None
    period: str = ""
    lang: str = ""
    indicators: tuple[Indicator, Indicator] | None = field(default=None, compare=False,
                                                           repr=False)


@dataclass(frozen=True)
class PlanDiff:
    """What the new plan changes from the installed one (``diff_plans``); every tuple
    in plan order (the new plan's, the installed one's for what it drops).

    start, end: (before, after) when the plan's first or last day changes, else ().
    retitled: the plan's own English title changes.
    areas_added, areas_removed, areas_retitled: area codes; retitled: its English
        title changes.
    actions_added, actions_removed, actions_retitled: action codes (the indicators of
        an action added or dropped come and go with it, unlisted).
    levels, leads: actions kept whose level or lead changes.
    indicators_added, indicators_removed, indicators_retitled: ``ACTION/KEY`` of
        indicators of actions that both plans have.
    indicators_moved: indicators taken from one action both plans have and put in
        another (the same key and English title): ``Changed(KEY, FROM, TO)``; listed
        in ``indicators_removed`` and ``indicators_added`` too (their ``--json``), but
        said as moved by ``lines``. The values recorded under the first action stay
        with it: a report holds values by its action.
    units, baselines, targets: indicators whose unit (once for each language whose
        word differs: ``Changed.lang``), baseline, or target (at the plan's end, or
        for a period: ``Changed.period``) changes.
    areas_moved: actions kept that belong to another area.
    texts_changed: the plan (named by its id), the areas, actions
        and indicators kept whose other texts change: a French or Arabic title, a
        description, the place or date of signature (the English titles have lines of
        their own).
    signed, illustrative: the plan (by its id), areas and actions kept no longer
        marked illustrative (their text the signed plan's: the version is then a
        correction, its actions due from the plan's start), or marked so again.
    areas_reordered: the codes of the areas kept, in their new order, when it is not
        their order before (else empty).
    actions_reordered: areas whose kept actions come in another order.
    indicators_reordered: actions whose kept indicators come in another order.
        (Plan order is the order of the client's tree, the sheets and the review
        pack: a spreadsheet sorted by some column before it was saved back reorders
        the whole plan, and nothing else said so.)
    """

    start: tuple[date, date] | tuple[()] = ()
    end: tuple[date, date] | tuple[()] = ()
    retitled: bool = False
    areas_added: tuple[str, ...] = ()
    areas_removed: tuple[str, ...] = ()
    areas_retitled: tuple[str, ...] = ()
    actions_added: tuple[str, ...] = ()
    actions_removed: tuple[str, ...] = ()
    actions_retitled: tuple[str, ...] = ()
    levels: tuple[Changed, ...] = ()
    leads: tuple[Changed, ...] = ()
    indicators_added: tuple[str, ...] = ()
    indicators_removed: tuple[str, ...] = ()
    indicators_retitled: tuple[str, ...] = ()
    indicators_moved: tuple[Changed, ...] = ()
    units: tuple[Changed, ...] = ()
    baselines: tuple[Changed, ...] = ()
    targets: tuple[Changed, ...] = ()
    areas_moved: tuple[Changed, ...] = ()
    texts_changed: tuple[str, ...] = ()
    signed: tuple[str, ...] = ()
    illustrative: tuple[str, ...] = ()
    areas_reordered: tuple[str, ...] = ()
    actions_reordered: tuple[str, ...] = ()
    indicators_reordered: tuple[str, ...] = ()
    #: the areas, actions and indicators kept whose titles (any language) or
    #: descriptions differ only by what a reader does not see: direction marks,
    #: zero-width characters that join nothing, a no-break space for a space
    #: (``seen_alike``); not in ``texts_changed`` or the ``*_retitled`` fields
    invisible: tuple[str, ...] = ()
    #: the titles before and after of what ``areas_retitled``, ``actions_retitled``
    #: and ``indicators_retitled`` name, that ``lines`` shows (not compared: a diff is
    #: equal to one naming the same codes)
    titles: tuple[Retitled, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)

    def as_dict(self) -> dict[str, Any]:
        """The diff for ``--json``: lists of codes, ``{"code", "before", "after"}``
        (and ``"period"`` for targets, ``"language"`` for units: en, fr or ar) for
        values, ISO dates."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name in ("start", "end"):
                out[name] = [d.isoformat() for d in value] or None
            elif isinstance(value, bool):
                out[name] = value
            elif name == "titles":
                out[name] = [{"code": r.code or None, "before": _text_dict(r.before),
                              "after": _text_dict(r.after), "also": list(r.also)}
                             for r in value]
            else:
                out[name] = [_changed_dict(v, name) if isinstance(v, Changed) else v
                             for v in value]
        return out

    def lines(self, shown: int | None = SHOWN_ITEMS, *, titles: bool = True) -> list[str]:
        """One short line for each kind of change ("Actions added (1): PA5.1"), each
        naming at most ``shown`` items before "and N more" (None: every one). With
        ``titles``, an item retitled is named with its title before and after, in the
        language in use ("PA1.2: “Research” → “Better data”")."""
        lines = []
        named = {r.code: r for r in self.titles} if titles else {}
        # an item retitled whose other texts change too is said once, on its line
        # (``Retitled.also``), not again under "Other texts changed"
        also = {r.code: r for r in self.titles if r.also}

        def retitled(codes: tuple[str, ...]) -> tuple[str, ...] | tuple[Retitled, ...]:
            found = tuple(named[c] for c in codes if c in named)
            if len(found) == len(codes):
                return found
            said = tuple(_with_also(c, also[c]) if c in also else c for c in codes)
            with_also.update(said[i] for i, c in enumerate(codes) if c in also)
            return said
        with_also: set[str] = set()
        if self.start:
            lines.append(_("Plan start: from {before} to {after}").format(
                before=self.start[0].isoformat(), after=self.start[1].isoformat()))
        if self.end:
            lines.append(_("Plan end: from {before} to {after}").format(
                before=self.end[0].isoformat(), after=self.end[1].isoformat()))
        if self.retitled and "" in named:
            # Translators: {titles} is the plan's title before and after, as in
            # "“Plan of Action” → “Plan of Action 2025–2027”"
            lines.append(_with_also(_("The plan's title changes: {titles}").format(
                titles=_titles(named[""])), named[""]))
        elif self.retitled:
            lines.append(_with_also(_("The plan's title changes"), also.get("")))
        said_also = {r.texts_code or r.code for r in also.values()}
        other_texts = tuple(c for c in self.texts_changed if c not in said_also)
        n = len
        # an indicator moved is said once, as moved (not removed here, added there)
        moved_from = {f"{c.before}/{c.code}" for c in self.indicators_moved}
        moved_to = {f"{c.after}/{c.code}" for c in self.indicators_moved}
        ind_added = tuple(c for c in self.indicators_added if c not in moved_to)
        ind_removed = tuple(c for c in self.indicators_removed if c not in moved_from)
        for items, kind, words in (
            (self.areas_added, "", ngettext(
                "Area added ({count}): {items}", "Areas added ({count}): {items}",
                n(self.areas_added))),
            (self.areas_removed, "", ngettext(
                "Area removed ({count}): {items}", "Areas removed ({count}): {items}",
                n(self.areas_removed))),
            (retitled(self.areas_retitled), "title", ngettext(
                "Area retitled ({count}): {items}", "Areas retitled ({count}): {items}",
                n(self.areas_retitled))),
            (self.actions_added, "", ngettext(
                "Action added ({count}): {items}", "Actions added ({count}): {items}",
                n(self.actions_added))),
            (self.actions_removed, "", ngettext(
                "Action removed ({count}): {items}", "Actions removed ({count}): {items}",
                n(self.actions_removed))),
            (retitled(self.actions_retitled), "title", ngettext(
                "Action retitled ({count}): {items}", "Actions retitled ({count}): {items}",
                n(self.actions_retitled))),
            (self.levels, "level", ngettext(
                "Action moved to another level ({count}): {items}",
                "Actions moved to another level ({count}): {items}", n(self.levels))),
            (self.leads, "lead", ngettext(
                "Action with another lead ({count}): {items}",
                "Actions with another lead ({count}): {items}", n(self.leads))),
            (ind_added, "", ngettext(
                "Indicator added ({count}): {items}", "Indicators added ({count}): {items}",
                n(ind_added))),
            (ind_removed, "", ngettext(
                "Indicator removed ({count}): {items}",
                "Indicators removed ({count}): {items}", n(ind_removed))),
            # Translators: {items} as in "inspectors-trained from PA2.1 to PA2.2" (an
            # indicator's key, the action it was in, the action it is in now)
            (self.indicators_moved, "value", ngettext(
                "Indicator moved to another action ({count}), the values recorded so far "
                "staying with the action they were recorded for: {items}",
                "Indicators moved to another action ({count}), the values recorded so far "
                "staying with the action they were recorded for: {items}",
                n(self.indicators_moved))),
            (retitled(self.indicators_retitled), "title", ngettext(
                "Indicator retitled ({count}): {items}",
                "Indicators retitled ({count}): {items}", n(self.indicators_retitled))),
            (self.units, "unit", ""),  # (_units_line: its items depend on the language)
            (self.baselines, "value", ngettext(
                "Baseline changed ({count}): {items}", "Baselines changed ({count}): {items}",
                n(self.baselines))),
            (self.targets, "target", ngettext(
                "Target changed ({count}): {items}", "Targets changed ({count}): {items}",
                n(self.targets))),
            (self.areas_moved, "value", ngettext(
                "Action moved to another area ({count}): {items}",
                "Actions moved to another area ({count}): {items}", n(self.areas_moved))),
            (other_texts, "", ngettext(
                "Other texts changed (French or Arabic titles, descriptions, signature) "
                "({count}): {items}",
                "Other texts changed (French or Arabic titles, descriptions, signature) "
                "({count}): {items}", n(other_texts))),
            (self.signed, "", ngettext(
                "No longer illustrative, the signed plan's text ({count}): {items}",
                "No longer illustrative, the signed plan's text ({count}): {items}",
                n(self.signed))),
            (self.illustrative, "", ngettext(
                "Marked illustrative again ({count}): {items}",
                "Marked illustrative again ({count}): {items}", n(self.illustrative))),
            (self.invisible, "", ngettext(
                "Only invisible characters changed (spaces, direction marks) ({count}): "
                "{items}",
                "Only invisible characters changed (spaces, direction marks) ({count}): "
                "{items}", n(self.invisible))),
        ):
            if kind == "unit":
                lines += [line for line in [_units_line(self.units, shown)] if line]
            elif items and isinstance(items[0], Retitled):
                # a title before and after each: one line each under the kind's, which
                # a list of them in one line made hard to read
                lines.append(words.format(count=format_number(len(items)), items="")
                             .rstrip())
                lines += [INDENT + item for item in _retitled_lines(items, shown)]
            elif items:
                # (a code followed by what else changes holds commas: one clause each)
                lines.append(words.format(count=format_number(len(items)), items=_items(
                    items, shown, kind, clauses=any(i in with_also for i in items))))
        if self.areas_reordered:
            lines.append(_("The areas come in another order: {items}").format(
                items=join_list(self.areas_reordered)))
        for items, words in (
            (self.actions_reordered, ngettext(
                "Actions in another order in {count} area: {items}",
                "Actions in another order in {count} areas: {items}",
                n(self.actions_reordered))),
            (self.indicators_reordered, ngettext(
                "Indicators in another order in {count} action: {items}",
                "Indicators in another order in {count} actions: {items}",
                n(self.indicators_reordered))),
        ):
            if items:
                lines.append(words.format(count=format_number(len(items)),
                                          items=_items(items, shown)))
        return lines


def _with_also(said: str, item: Retitled | None) -> str:
    """``said`` (an item's code, or its line) followed by its other texts that change
    too (``Retitled.also``), when there are some."""
    if item is None or not item.also:
        return said
    # Translators: an item an amendment retitles, then what else of it changes, as in
    # "PA1.2: “Research” → “Better data” (also changed: French title, description)"
    return _("{item} (also changed: {texts})").format(
        item=said, texts=join_list([_(OTHER_TEXTS[k]) for k in item.also]))


def short_lines(diff: PlanDiff, most: int = SHOWN_LINES) -> tuple[str, ...]:
    """``diff``'s lines, at most ``most`` of them: past that, the first ``most - 1``
    and "and N more kinds of change" (what an office is told of a new plan it
    imports, in a dialog and a line of its Inbox)."""
    # (no titles: the lines are kept, and shown again in another language)
    lines = diff.lines(titles=False)
    if len(lines) <= most:
        return tuple(lines)
    more = len(lines) - (most - 1)
    # Translators: the last of the lines saying what a new plan changes, when there
    # are too many kinds of change to list ("Action added (1): PA1.9" is one kind)
    return (*lines[:most - 1], counted("and {count} more kind of change",
                                       "and {count} more kinds of change",
                                       more))


def _units_said(units: tuple[Changed, ...], lang: str) -> tuple[Changed, ...]:
    """The unit changes a reader of ``lang`` is told of: in French or Arabic, without
    the change of a unit's word in that language where the change of its English unit,
    said in that language's words (``_unit_words``), already says the same before and
    after. A version changing "documents" to "workshops" and its French word
    "documents" to "ateliers" read "de documents à ateliers" twice in French."""
    if lang not in ("fr", "ar"):
        return units
    said = {}
    for change in units:
        if change.indicators is not None:
            was, now = ((ind.unit, ind.unit_fr, ind.unit_ar) for ind in change.indicators)
            said[change.code] = unit_change_words(was, now, lang)
    return tuple(c for c in units
                 if not (c.lang == lang and said.get(c.code) == (c.before, c.after)))


def _units_line(units: tuple[Changed, ...], shown: int | None) -> str:
    """The "Units changed (N): …" line in the language in use ("" for none), listing
    the changes that language's reader is told of (``_units_said``); kept (in the
    Inbox) as the line each language reads, said again in the reader's."""

    def line(lang: str) -> str:
        items = _units_said(units, lang)
        if not items:
            return ""
        return ngettext("Unit changed ({count}): {items}",
                        "Units changed ({count}): {items}", len(items)).format(
            count=format_number(len(items)), items=_items(items, shown, "value"))

    return kept_by_language(line(get_language()), line("en"),
                            {lang: line(lang) for lang in ("fr", "ar")})


def _changed_dict(change: Changed, kind: str) -> dict[str, Any]:
    out: dict[str, Any] = {"code": change.code, "before": change.before,
                           "after": change.after}
    if kind == "targets":
        out["period"] = change.period or None
    if kind == "units":
        out["language"] = change.lang or "en"
    return out


def _unit_changes(name: str, was: Indicator, now: Indicator) -> list[Changed]:
    """An indicator's unit as a new version changes it: one change for each language
    whose word differs (English, then French, then Arabic; None where the plan gives no
    word in that language): a unit worded in French or Arabic alone changes what
    offices read as much as the English one does, and a version that changes the
    English word and the French one changes both. The English change keeps the two
    indicators, to be said in the words of the language in use (``_unit_words``)."""
    return [Changed(name, before or None, after or None, lang=lang,
                    indicators=None if lang else (was, now))
            for lang, before, after in (("", was.unit, now.unit),
                                        ("fr", was.unit_fr, now.unit_fr),
                                        ("ar", was.unit_ar, now.unit_ar))
            if before != after]


def _unit_words(change: Changed) -> tuple[str, str] | None:
    """An English unit a new version changes, in the words of the language in use
    (the plan's word in that language, else fieldplan's, as the report form shows
    it), or the plan's English in English or where those words do not differ: a
    French office read "from people to trainees" of the unit its form now calls
    "stagiaires". Kept as the plan names them (``i18n.UnitWord``): the Inbox says them
    again in the reader's language. None for any other change."""
    if change.indicators is None:
        return None
    was, now = ((ind.unit, ind.unit_fr, ind.unit_ar) for ind in change.indicators)
    return UnitWord(was, now), UnitWord(now, was)


def _value(value: str | float | None, kind: str) -> str:
    if value is None:
        return _("none")
    if kind == "level":
        return level_label(str(value))
    if kind == "lead":
        return lead_label(str(value))
    if isinstance(value, float):
        return format_number(value, exact=True)
    return str(value)


def _item(change: Changed, kind: str) -> str:
    before, after = _unit_words(change) or (_value(change.before, kind),
                                            _value(change.after, kind))
    if change.period:
        # Translators: a per-period target that an amendment changes, as in
        # "PA1.1/policies-supported for 2nd semester 2026 from 6 to 10"
        return _("{code} for {period} from {before} to {after}").format(
            code=change.code, before=before, after=after,
            period=Periods(period_words(change.period), [change.period]))
    if change.lang == "fr":
        # Translators: an indicator's unit in French as an amendment changes it, as in
        # "PA1.1/workshops-held in French from none to ateliers" ("none": the plan
        # gave no French word)
        return _("{code} in French from {before} to {after}").format(
            code=change.code, before=before, after=after)
    if change.lang == "ar":
        # Translators: an indicator's unit in Arabic as an amendment changes it, as in
        # "PA1.1/workshops-held in Arabic from none to ورش عمل"
        return _("{code} in Arabic from {before} to {after}").format(
            code=change.code, before=before, after=after)
    if kind == "target":
        # Translators: the target to reach by the plan's end, as changed by an amendment
        return _("{code} at the plan's end from {before} to {after}").format(
            code=change.code, before=before, after=after)
    # Translators: a value an amendment changes, as in "PA2.1 from National to Regional"
    return _("{code} from {before} to {after}").format(
        code=change.code, before=before, after=after)


def _items(items: tuple[str, ...] | tuple[Changed, ...] | tuple[Retitled, ...],
           shown: int | None, kind: str = "", *, clauses: bool = False) -> str:
    """Codes joined by commas, changed values (put in words as ``kind`` says: level,
    lead, target or value) and titles by the language's clause joiner (they hold
    commas of their own in French), the first ``shown`` then "and N more"."""
    texts = [_item(i, kind) if isinstance(i, Changed) else
             _retitled_item(i) if isinstance(i, Retitled) else i for i in items]
    cut = texts if shown is None else texts[:shown]
    joined = (join_clauses(cut) if clauses or any(not isinstance(i, str) for i in items)
              else join_list(cut))
    more = len(texts) - len(cut)
    if not more:
        return joined
    return counted("{names} and {count} more", "{names} and {count} more", more, names=joined)


def _retitled_lines(items: tuple[Retitled, ...], shown: int | None) -> list[str]:
    """A line for each of ``items`` (``_retitled_item``), the first ``shown``, the last
    of them followed by "and N more"."""
    cut = items if shown is None else items[:shown]
    texts = [_retitled_item(item) for item in cut]
    more = len(items) - len(cut)
    if more:
        texts[-1] = counted("{names} and {count} more", "{names} and {count} more", more,
                            names=texts[-1])
    return texts


def _retitled_item(item: Retitled) -> str:
    """``PA1.2: “Research and data” → “Better data on migration”`` (``_titles``),
    followed by its other texts that change too (``_with_also``)."""
    # Translators: an item an amendment retitles and its titles before and after, as
    # in "PA1.2: “Research and data” → “Better data on migration”"
    return _with_also(_("{code}: {titles}").format(code=item.code, titles=_titles(item)),
                      item)


def _titles(item: Retitled) -> str:
    """“Research and data” → “Better data on migration”: the titles in the language
    in use where they differ in it, else in English (the English title is what
    changed); long ones cut around where they differ (``shortened_pair``); each title
    isolated (a first-strong isolate), so that an Arabic title in an English or French
    line, or a Latin one in an Arabic line, does not take the arrow and the other
    title into its direction."""
    lang = get_language()
    before, after = item.before.get(lang), item.after.get(lang)
    if seen_alike(before, after):
        before, after = item.before.en, item.after.en
    before, after = shortened_pair(before, after)
    # Translators: a title before and after an amendment, each already quoted:
    # "“Research and data” → “Better data on migration”". Arabic: the arrow points
    # left (←), the way the line reads
    return _("{before} → {after}").format(before=_quoted(before), after=_quoted(after))


def _quoted(title: str) -> str:
    """A title in the language's quotation marks, isolated (FSI … PDI)."""
    # Translators: a title quoted in a line ("“Better data”"); French « … » with
    # no-break spaces, Arabic «…»
    return _("“{title}”").format(title="\u2068" + title + "\u2069")


def shortened_pair(before: str, after: str, limit: int = SHOWN_TITLE) -> tuple[str, str]:
    """Two titles for one line, each at most about ``limit`` characters: a long one
    cut with "…" at word ends, keeping where the two differ in sight (the words before
    the first difference and after the last are what is cut), so that "… in 12
    countries" → "… in 14 countries" still shows the change."""
    if len(before) <= limit and len(after) <= limit:
        return before, after
    head = 0
    while head < min(len(before), len(after)) and before[head] == after[head]:
        head += 1
    # from a word's start a few words before where they first differ (from the
    # title's start where that is near it)
    start = before.rfind(" ", 0, max(0, head - limit // 3)) + 1
    if start <= limit // 4:
        start = 0

    def cut(text: str) -> str:
        shown = text[start:]
        end = ""
        if len(shown) > limit:  # up to a word's end, "…" after it
            room = shown.rfind(" ", 0, limit)
            shown, end = shown[:room if room > limit // 2 else limit].rstrip(), "…"
        return ("…" if start else "") + shown + end

    return cut(before), cut(after)


#: What a reader does not see in a title: the direction marks (LRM, RLM, ALM), the
#: zero-width space, the word joiner and BOM, the bidi controls, soft hyphens
#: (Unicode's format characters, Cf), but the joiners where they join: a ZWNJ between
#: two Arabic letters shows them apart, a ZWJ beside one gives it a joined form. A
#: ZWNJ elsewhere (beside a space, in a Latin title) and a ZWJ away from Arabic
#: letters show nothing.
_ARABIC_LETTER = "[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff]"
_JOINERS = re.compile(f"\u200c(?!(?<={_ARABIC_LETTER}\u200c){_ARABIC_LETTER})"
                      f"|(?<!{_ARABIC_LETTER})\u200d(?!{_ARABIC_LETTER})")


def seen_text(text: str) -> str:
    """``text`` as a reader sees it: without the characters that show nothing
    (``_JOINERS``' comment), every space (a no-break space, a narrow one) a plain
    space, and no space at either end. Two titles that differ only by these look the
    same in every office (fieldplan stores a title as the file gives it, cleaned as
    the reader cleans it)."""
    if text.isascii():
        return text.strip()
    text = _JOINERS.sub("", text)
    text = "".join(" " if unicodedata.category(c) == "Zs" else c for c in text
                   if c in "\u200c\u200d" or unicodedata.category(c) != "Cf")
    return text.strip()


def seen_alike(before: str, after: str) -> bool:
    """Whether two texts look the same to a reader (``seen_text``)."""
    return before == after or seen_text(before) == seen_text(after)


def _text_dict(text: Text) -> dict[str, str]:
    return {"en": text.en, "fr": text.fr, "ar": text.ar}


def diff_plans(old: Plan, new: Plan) -> PlanDiff:
    """What ``new`` changes from ``old`` (see PlanDiff)."""
    old_areas = {a.code.upper(): a for a in old.areas}
    new_areas = {a.code.upper(): a for a in new.areas}
    old_actions = {a.code.upper(): a for a in old.actions}
    new_actions = {a.code.upper(): a for a in new.actions}
    levels, leads, retitled = [], [], []
    ind_added, ind_removed, ind_retitled = [], [], []
    titles: list[Retitled] = []
    # what changes only by characters a reader does not see (seen_alike), by code
    invisible: dict[str, None] = {}
    if _only_unseen(old.title, new.title):
        invisible[new.id] = None
    if not seen_alike(old.title.en, new.title.en):
        titles.append(Retitled(  # (the plan's own: no code)
            "", old.title, new.title, texts_code=new.id,
            also=_also(old.title, new.title, signature=(old.signed_at, old.signed_place)
                       != (new.signed_at, new.signed_place))))
    for area in new.areas:
        was_area = old_areas.get(area.code.upper())
        if was_area is not None and _only_unseen(was_area.title, area.title):
            invisible[area.code] = None
        if was_area is not None and not seen_alike(was_area.title.en, area.title.en):
            titles.append(Retitled(area.code, was_area.title, area.title,
                                   also=_also(was_area.title, area.title)))
    units, baselines, targets = [], [], []
    for action in new.actions:
        before = old_actions.get(action.code.upper())
        if before is None:
            continue
        code = action.code
        if not seen_alike(before.title.en, action.title.en):
            retitled.append(code)
            titles.append(Retitled(code, before.title, action.title, also=_also(
                before.title, action.title,
                description=_seen_differs(before.description, action.description))))
        if (_only_unseen(before.title, action.title)
                or _only_unseen(before.description, action.description)):
            invisible[code] = None
        if before.level != action.level:
            levels.append(Changed(code, before.level, action.level))
        if before.lead != action.lead:
            leads.append(Changed(code, before.lead, action.lead))
        old_inds = {i.key: i for i in before.indicators}
        new_keys = {i.key for i in action.indicators}
        for ind in action.indicators:
            name = f"{code}/{ind.key}"
            was = old_inds.get(ind.key)
            if was is None:
                ind_added.append(name)
                continue
            if not seen_alike(was.title.en, ind.title.en):
                ind_retitled.append(name)
                titles.append(Retitled(name, was.title, ind.title,
                                       also=_also(was.title, ind.title)))
            if _only_unseen(was.title, ind.title):
                invisible[name] = None
            units += _unit_changes(name, was, ind)
            if was.baseline != ind.baseline:
                baselines.append(Changed(name, was.baseline, ind.baseline))
            targets += _target_changes(name, was, ind)
        ind_removed += [f"{code}/{i.key}" for i in before.indicators if i.key not in new_keys]
    moved = [Changed(a.code, old_actions[a.code.upper()].area, a.area) for a in new.actions
             if a.code.upper() in old_actions and old_actions[a.code.upper()].area != a.area]
    texts = [new.id] if _other_texts(old.title, new.title) or (
        old.signed_at, old.signed_place) != (new.signed_at, new.signed_place) else []
    texts += [a.code for a in new.areas if a.code.upper() in old_areas
              and _other_texts(old_areas[a.code.upper()].title, a.title)]
    # (code, illustrative before, after) of the plan, its areas and actions kept
    flags = [(new.id, old.illustrative, new.illustrative)]
    flags += [(a.code, old_areas[a.code.upper()].illustrative, a.illustrative)
              for a in new.areas if a.code.upper() in old_areas]
    flags += [(a.code, old_actions[a.code.upper()].illustrative, a.illustrative)
              for a in new.actions if a.code.upper() in old_actions]
    for action in new.actions:
        was = old_actions.get(action.code.upper())
        if was is None:
            continue
        if _other_texts(was.title, action.title) or _seen_differs(was.description,
                                                                  action.description):
            texts.append(action.code)
        before = {i.key: i for i in was.indicators}
        texts += [f"{action.code}/{i.key}" for i in action.indicators
                  if i.key in before and _other_texts(before[i.key].title, i.title)]
    return PlanDiff(
        **_order_changes(old, new),
        areas_moved=tuple(moved),
        texts_changed=tuple(texts),
        signed=tuple(code for code, before, after in flags if before and not after),
        illustrative=tuple(code for code, before, after in flags if after and not before),
        start=(old.start, new.start) if old.start != new.start else (),
        end=(old.end, new.end) if old.end != new.end else (),
        retitled=not seen_alike(old.title.en, new.title.en),
        areas_added=tuple(a.code for a in new.areas if a.code.upper() not in old_areas),
        areas_removed=tuple(a.code for a in old.areas if a.code.upper() not in new_areas),
        areas_retitled=tuple(a.code for a in new.areas if a.code.upper() in old_areas
                             and not seen_alike(old_areas[a.code.upper()].title.en,
                                                a.title.en)),
        actions_added=tuple(a.code for a in new.actions if a.code.upper() not in old_actions),
        actions_removed=tuple(a.code for a in old.actions
                              if a.code.upper() not in new_actions),
        actions_retitled=tuple(retitled),
        levels=tuple(levels),
        leads=tuple(leads),
        indicators_added=tuple(ind_added),
        indicators_removed=tuple(ind_removed),
        indicators_retitled=tuple(ind_retitled),
        indicators_moved=_moved_indicators(old_actions, new_actions, ind_removed,
                                           ind_added),
        units=tuple(units),
        baselines=tuple(baselines),
        targets=tuple(targets),
        invisible=tuple(code for code in invisible
                        if code not in texts and code not in {t.code for t in titles}),
        titles=tuple(titles),
    )


def _moved_indicators(old_actions: dict[str, Any], new_actions: dict[str, Any],
                      removed: list[str], added: list[str]) -> tuple[Changed, ...]:
    """``PlanDiff.indicators_moved``: of the indicators ``removed`` from an action kept
    and ``added`` to another (``ACTION/KEY``), those of the same key and English
    title, each matched one to one (in ``added``'s order); a key two actions had
    (``officials-trained``) is not a move unless its title is the same too."""
    def found(actions: dict[str, Any], name: str) -> tuple[str, Indicator | None]:
        code, _sep, key = name.rpartition("/")
        action = actions.get(code.upper())
        ind = next((i for i in action.indicators if i.key == key), None) if action else None
        return code, ind

    gone: dict[tuple[str, str], list[str]] = {}
    for name in removed:
        code, ind = found(old_actions, name)
        if ind is not None:
            gone.setdefault((ind.key, seen_text(ind.title.en)), []).append(code)
    came: dict[tuple[str, str], list[str]] = {}
    for name in added:
        code, ind = found(new_actions, name)
        if ind is not None:
            came.setdefault((ind.key, seen_text(ind.title.en)), []).append(code)
    return tuple(Changed(key, froms[0], tos[0]) for (key, title), tos in came.items()
                 if len(tos) == 1 and len(froms := gone.get((key, title), [])) == 1)


def _kept_order(items: Any, kept: Any) -> list[str]:
    """The codes (upper case) of ``items`` that are in ``kept``, in their order."""
    return [code for code in (i.code.upper() for i in items) if code in kept]


def _order_changes(old: Plan, new: Plan) -> dict[str, tuple[str, ...]]:
    """PlanDiff's ``*_reordered`` fields: the order of what both plans have (an item
    added or dropped moves no other)."""
    out: dict[str, tuple[str, ...]] = {}
    old_areas = {a.code.upper() for a in old.areas}
    new_areas = {a.code.upper() for a in new.areas}
    if _kept_order(old.areas, new_areas) != _kept_order(new.areas, old_areas):
        out["areas_reordered"] = tuple(a.code for a in new.areas
                                       if a.code.upper() in old_areas)
    old_actions = {a.code.upper(): a for a in old.actions}
    # actions kept in the same area: one moved to another area is said as such
    same = {a.code.upper() for a in new.actions if a.code.upper() in old_actions
            and old_actions[a.code.upper()].area.upper() == a.area.upper()}
    out["actions_reordered"] = tuple(
        area.code for area in new.areas
        if _kept_order((a for a in old.actions if a.area.upper() == area.code.upper()), same)
        != _kept_order((a for a in new.actions if a.area.upper() == area.code.upper()), same))
    indicators = []
    for action in new.actions:
        was = old_actions.get(action.code.upper())
        if was is None:
            continue
        keys = {i.key for i in was.indicators} & {i.key for i in action.indicators}
        if ([i.key for i in was.indicators if i.key in keys]
                != [i.key for i in action.indicators if i.key in keys]):
            indicators.append(action.code)
    out["indicators_reordered"] = tuple(indicators)
    return out


def _also(before: Text, after: Text, *, description: bool = False,
          signature: bool = False) -> tuple[str, ...]:
    """``Retitled.also`` of an item retitled: its French and Arabic titles that change
    (as ``_other_texts`` finds them), its description, its signature."""
    kinds = [lang for lang in ("fr", "ar")
             if not seen_alike(getattr(before, lang), getattr(after, lang))]
    return (*kinds, *(["description"] if description else []),
            *(["signature"] if signature else []))


def _other_texts(before: Any, after: Any) -> bool:
    """Whether a title's French or Arabic text changes (the English one has its own
    line)."""
    return not (seen_alike(before.fr, after.fr) and seen_alike(before.ar, after.ar))


def _seen_differs(before: Text, after: Text) -> bool:
    """Whether a text differs as a reader sees it, in any language."""
    return not all(seen_alike(getattr(before, lang), getattr(after, lang))
                   for lang in ("en", "fr", "ar"))


def _only_unseen(before: Text, after: Text) -> bool:
    """Whether a text differs, in some language, only by what a reader does not see."""
    return before != after and not _seen_differs(before, after)


def _target_changes(name: str, was: Indicator, now: Indicator) -> list[Changed]:
    """The indicator's targets that change: the end target first, then by period."""
    out = []
    if was.target != now.target:
        out.append(Changed(name, was.target, now.target))
    before, after = dict(was.targets), dict(now.targets)
    for period in sorted(set(before) | set(after)):
        if before.get(period) != after.get(period):
            out.append(Changed(name, before.get(period), after.get(period), period))
    return out


def untranslated(plan: Plan) -> tuple[str, ...]:
    """The areas, actions and indicators (``ACTION/KEY``) of ``plan`` whose title has
    no French or no Arabic text, in plan order: the client shows them in English to
    people reading French or Arabic. A plan file may leave them out (its fr and ar
    columns are optional); HQ is told which."""
    missing = [a.code for a in plan.areas if not (a.title.fr and a.title.ar)]
    for action in plan.actions:
        if not (action.title.fr and action.title.ar):
            missing.append(action.code)
        missing += [f"{action.code}/{i.key}" for i in action.indicators
                    if not (i.title.fr and i.title.ar)]
    return tuple(missing)


def _count_figures(plan: Plan, units: frozenset[str]):
    """Each figure of ``plan``'s indicators in ``units``, in plan order: (item, value),
    the item ``ACTION/KEY (WHICH: VALUE)``, WHICH a semester's target, the end target
    or the baseline."""
    from fieldplan.i18n import format_number, format_period

    for action in plan.actions:
        for ind in action.indicators:
            if ind.unit not in units:
                continue
            figures = [(format_period(period), value) for period, value in ind.targets]
            if ind.target is not None:
                figures.append((_("end of plan"), ind.target))
            if ind.baseline is not None:
                figures.append((_("baseline"), ind.baseline))
            for which, value in figures:
                # (French writes a space before the colon: "fin du plan : 12,5")
                shown = _("{label}: {n}").format(label=which, n=format_number(value))
                yield f"{action.code}/{ind.key} ({shown})", value


def targets_below_zero(plan: Plan) -> tuple[str, ...]:
    """The targets (each semester's, the end's) and baselines of ``plan``'s counting
    indicators (``model.COUNT_UNITS``) below zero, as ``ACTION/KEY (WHICH: VALUE)``, in
    plan order: most likely a stray minus sign, as ``progress set`` says of an actual.
    Said, not refused: an indicator may measure a net change."""
    from fieldplan.model import COUNT_UNITS

    return tuple(item for item, value in _count_figures(plan, COUNT_UNITS) if value < 0)


def targets_not_whole(plan: Plan) -> tuple[str, ...]:
    """The targets and baselines of ``plan``'s indicators counting whole things
    (``model.WHOLE_UNITS``) with a fraction ("1.5 people"), as ``targets_below_zero``
    gives them: most likely a slip of the decimal point, or "1,500" read with a
    decimal comma. Said, not refused."""
    from fieldplan.model import WHOLE_UNITS

    return tuple(item for item, value in _count_figures(plan, WHOLE_UNITS)
                 if not float(value).is_integer())


def unused_unit_words(plan: Plan) -> tuple[str, ...]:
    """The indicators (``ACTION/KEY``) of ``plan`` counted plainly or in percent whose
    unit the plan words in French or Arabic all the same (``unit = {en = "count", fr =
    "pays"}``), in plan order: that word is never shown, as fieldplan prints no unit
    after a count's figures and % after a percent's, and names the unit in its own
    words (``Indicator.unit_in``). Said, not refused: most likely a unit meant to be
    another one ("countries")."""
    return tuple(f"{action.code}/{ind.key}" for action in plan.actions
                 for ind in action.indicators
                 if ind.unit in ("count", "percent") and (ind.unit_fr or ind.unit_ar))


def unused_unit_words_text(codes: tuple[str, ...], shown: int | None = SHOWN_ITEMS) -> str:
    """The one warning line for ``unused_unit_words``'s codes ("" for none)."""
    if not codes:
        return ""
    # Translators: {items} lists indicators as ACTION/KEY ("PA1.2/countries-engaged")
    return counted(
        "{count} indicator counted plainly or in percent words its unit in French or "
        "Arabic: that word is never shown (no unit follows a count's figures, and % a "
        "percent's): {items}",
        "{count} indicators counted plainly or in percent word their unit in French or "
        "Arabic: those words are never shown (no unit follows a count's figures, and % a "
        "percent's): {items}", len(codes), items=_items(codes, shown))


def targets_not_whole_text(items: tuple[str, ...], shown: int | None = SHOWN_ITEMS) -> str:
    """The one warning line for ``targets_not_whole``'s items ("" for none)."""
    if not items:
        return ""
    return counted(
        "{count} target of a count is not a whole number: is the decimal point right? "
        "{items}",
        "{count} targets of counts are not whole numbers: are the decimal points right? "
        "{items}", len(items), items=_items(items, shown))


def targets_below_zero_text(items: tuple[str, ...], shown: int | None = SHOWN_ITEMS) -> str:
    """The one warning line for ``targets_below_zero``'s items ("" for none)."""
    if not items:
        return ""
    return counted(
        "{count} target of a count is below zero: is the minus sign a typo? {items}",
        "{count} targets of counts are below zero: is the minus sign a typo? {items}",
        len(items), items=_items(items, shown))


def untranslated_text(codes: tuple[str, ...], shown: int | None = SHOWN_ITEMS) -> str:
    """The one warning line for ``untranslated``'s codes ("" for none)."""
    if not codes:
        return ""
    return counted(
        "{count} title has no French or Arabic text and shows in English instead: "
        "{items}",
        "{count} titles have no French or Arabic text and show in English instead: "
        "{items}", len(codes), items=_items(codes, shown))
