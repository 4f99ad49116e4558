"""The HQ semester review pack: cover, contents, summary by area with a chart, the
offices × areas matrix, offices that have not reported, late / quarantined /
conflicting data, detail by area, and every office's status sheet as an annex."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer

from fieldplan.errors import ValidationError
from fieldplan.i18n import counted, join_list
from fieldplan.means import area_status, mean_progress, not_started_beside
from fieldplan.model import STATUSES, ProgressReport
from fieldplan.offices import HQ, office_ranks, offices_in_order
from fieldplan.plan import in_report_order
from fieldplan.planops import PlanScope
from fieldplan.reports import common as cm
from fieldplan.reports import sheet as sh
from fieldplan.reports import text as tx
from fieldplan.reports.deadlines import check_deadline, period_deadline
from fieldplan.reports.fonts import string_width
from fieldplan.reports.late import late_rows
from fieldplan.reports.late import local_day_start as _local_day_start

#: How many competing values of one conflict the pack prints.
MAX_CANDIDATES = 5

#: How many file names of one office the late-data table prints: an office that sent
#: a bundle a day after the period's end would otherwise fill a cell taller than a page
#: (a table row cannot split across pages). The rest are counted.
MAX_FILES = 5


#: the background of the label over headquarters' own row in the offices × areas table
HQ_BG = colors.HexColor("#eef1f4")

#: the cover's warnings (provisional figures, events lost, reports hidden)
COVER_NOTE = cm.Style(font=cm.BOLD, size=9.5, leading=12.5)

#: The bar chart's count labels: font size and the white box's side padding.
BAR_LABEL_SIZE = 6.5
BAR_LABEL_PADDING = 1.5
#: Between a bar's end and the labels of its narrow segments beside it (points).
BESIDE_GAP = 3

#: the most intervals the chart's count axis is divided into
MAX_TICKS = 10


def axis_step(top: int, most: int = MAX_TICKS) -> int:
    """The step of the chart's count axis for bars of up to ``top`` reports: a round
    number (1, 2 or 5 times a power of ten) dividing ``0..top`` into at most ``most``
    intervals. It was ``top / 8`` rounded up, which counted 0, 22, 44 … 198 for 176
    reports: a reader could not tell where 100 was."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if -(-max(top, 1) // (step * factor)) <= most:
                return step * factor
        step *= 10


@dataclass
class LateData:
    """An office's reports of the period changed by data that arrived after its end."""

    office: str
    reports: int  # reports of the period that late events changed
    events: int  # those events (of this period only)
    received_at: str  # when the last of them arrived (ISO, UTC)
    files: tuple[str, ...]  # the bundles that brought them


@dataclass
class SyncFacts:
    """What the exchange records say about the period (None: no sync module here)."""

    late: list[LateData]  # by office, as the matrix lists them (offices.office_ranks)
    quarantined: list
    conflicts: list
    gaps: list
    #: the period's reports changed after headquarters locked it
    #: (progress.ChangedAfterLock), by office and action
    after_lock: list = field(default_factory=list)
    #: bundles refused since the period began (sync.InboxEntry) and not merged since:
    #: an office's data that did not arrive (a damaged file, a revoked key…)
    refused: list = field(default_factory=list)
    #: bundles refused since the period began as a forked history and repaired since
    #: (InboxEntry.repaired_in: their data arrived): nothing left to do, said apart
    repaired: list = field(default_factory=list)
    #: (HQ restored from a backup) per office, the events it had received after the
    #: backup that this database lacks (``sync.state.offices_lost``): office, events,
    #: bundles. Its figures here lack them while they stand
    offices_lost: list = field(default_factory=list)
    #: the replicas (full ids) whose keys are revoked, as ``keys list`` says it
    #: (``sync.keys.listed_keys``: a computer cut off by the revocation of another
    #: of its keys too): a conflicting value one of them wrote is said to be theirs
    revoked: frozenset[str] = frozenset()


def _sync_facts(rep, ctx: cm.Ctx, scope: PlanScope, deadline: date,
                lock: sh.PeriodLock) -> SyncFacts | None:
    """``lock``: the period's (``sheet.period_lock``), read once for the whole pack."""
    try:
        from fieldplan import sync
    except ImportError:
        return None

    start = ctx.plan.period_bounds(ctx.period)[0].isoformat()

    def by_report(items) -> list:
        # an office's reports as its status sheet lists them (see in_report_order)
        return in_report_order(items, ctx.plan, ctx.lang)

    def by_office(items, office=lambda item: item.office) -> list:
        # as the matrix lists the offices (offices.office_ranks), in the pack's
        # language: the regional offices, the countries, headquarters last; within an
        # office, as they came. The refused bundles stay oldest first: what happened,
        # in its order
        items = list(items)
        rank = office_ranks((office(item) or "" for item in items), ctx.lang)
        return sorted(items, key=lambda item: rank[office(item) or ""])

    try:
        inbox = sync.list_inbox(rep)
        refused = _refused(inbox, start)
        late = _late_data(rep, ctx.period, deadline.isoformat(), inbox, scope)
        conflicts = [
            c for c in sync.list_conflicts(rep) if c.entity != "progress" or c.period == ctx.period
        ]
        return SyncFacts(
            late=by_office(late),
            quarantined=by_office(sorted(sync.list_quarantine(rep), key=lambda q: q.received_at)),
            conflicts=by_report(conflicts),
            gaps=by_office(sync.list_gaps(rep)),
            after_lock=by_report(
                c for c in lock.changed if scope.shows(c.office, c.action, c.period)),
            refused=[e for e in refused if not e.repaired_in],
            repaired=[e for e in refused if e.repaired_in],
            offices_lost=by_office(_offices_lost(rep), lambda item: item["office"]),
            revoked=_revoked_replicas(rep) if conflicts else frozenset(),
        )
    except Exception:  # an older database without the exchange tables
        return None


def _revoked_replicas(rep) -> frozenset[str]:
    """``SyncFacts.revoked``."""
    from fieldplan.sync.keys import all_keys, listed_keys

    return frozenset(k.replica for k in listed_keys(all_keys(rep)).values()
                     if k.status == "revoked")


def _offices_lost(rep) -> list:
    """``SyncFacts.offices_lost``: [] where no restore lost an office's events. With
    those a person said to stop warning about (``sync.dismiss_offices_lost``): the
    figures lack them all the same, and an office that did report would show as never
    reported without a word."""
    from fieldplan.sync.state import restored_state

    if not rep.is_hq or not rep.meta("restored"):
        return []
    state = restored_state(rep) or {}
    by_office: dict[str, dict] = {}
    for item in (*state.get("offices_lost", ()), *state.get("offices_lost_dismissed", ())):
        entry = by_office.setdefault(item["office"], {**item, "events": 0, "bundles": []})
        entry["events"] += item["events"]
        entry["bundles"] += [f for f in item["bundles"] if f not in entry["bundles"]]
    return [by_office[office] for office in sorted(by_office)]


def _refused(inbox: list, start: str) -> list:
    """The bundles refused since ``start`` (the period's first day, ISO: from its
    midnight here, ``_local_day_start``) that were not merged since: the same bundle,
    or a file of the same name (one cut short on the way has no readable id), sent
    again. Oldest first. A bundle headquarters wrote (a setup bundle, or one for an
    office) imported here by mistake is left out: it holds no office's data (the Inbox
    names it)."""
    since = _local_day_start(date.fromisoformat(start))
    merged = [e for e in inbox if e.outcome in ("merged", "duplicate")]
    ids = {e.bundle_id for e in merged if e.bundle_id}
    last_by_name: dict[str, str] = {}
    for e in merged:
        last_by_name[e.file] = max(e.received_at, last_by_name.get(e.file, ""))

    def sent_again(r) -> bool:
        return bool(r.bundle_id and r.bundle_id in ids) or (
            last_by_name.get(r.file, "") >= r.received_at)

    return sorted((e for e in inbox if e.outcome == "rejected" and e.received_at >= since
                   and not e.headquarters_own and not sent_again(e)),
                  key=lambda e: e.received_at)


def _late_data(
    rep, period: str, end: str, inbox: list, scope: PlanScope | None = None
) -> list[LateData]:
    """Per office, the events on this period's reports that other replicas' bundles
    brought after ``end`` (the reporting deadline, ISO: a day, over at the next
    midnight here, ``_local_day_start``), leaving out reports the plan hides
    (``scope``: the plan's, by default the current plan's), with the files that brought
    them, each once. A bundle's own count of new events covers every period, so it is
    not the figure wanted here. ``inbox``: the inbox lines, for events
    stored before each knew its import (see ``_files_by_time``)."""
    by_office: dict[str, list[tuple[int, str, set[int], set[str]]]] = defaultdict(list)
    for office, _action, (events, last, linked, unlinked) in late_rows(
            rep, period, date.fromisoformat(end), scope):
        by_office[office].append((
            events, last, {i for i in json.loads(linked) if i is not None},
            {t for t in json.loads(unlinked) if t is not None}))
    imports = sorted({i for late in by_office.values() for *_n, ids, _t in late for i in ids})
    file_of = dict(rep.conn.execute(
        "SELECT id, file_name FROM inbox WHERE id IN (SELECT value FROM json_each(?))",
        (json.dumps(imports),))) if imports else {}
    out = []
    for office in sorted(by_office):
        late = by_office[office]
        # the file of the import that brought each event, in the order of the imports;
        # for events stored before imports were linked, the files imported when they
        # arrived
        stamps = set().union(*(t for *_rest, t in late))
        files = [file_of[i] for i in sorted(set().union(*(ids for *_n, ids, _t in late)))
                 if i in file_of]
        files += _files_by_time(inbox, office, stamps) if stamps else []
        out.append(LateData(office, len(late), sum(n for n, *_rest in late),
                            max(last for _n, last, *_rest in late),
                            tuple(dict.fromkeys(files))))
    return out


def _files_by_time(inbox: list, office: str, stamps: set[str]) -> list[str]:
    """The files of ``office`` merged with new events at most two seconds after one of
    ``stamps`` (an event's received_at was written in the same import as its bundle's
    inbox line, a second or two apart at most): the link of events stored before each
    knew its import, which cannot tell apart bundles imported in one command."""
    seconds = [_stamp_seconds(t) for t in stamps]
    return [
        e.file
        for e in sorted(inbox, key=lambda e: e.received_at)
        if e.office == office and e.outcome == "merged" and e.events_new
        and _within(_stamp_seconds(e.received_at), seconds)
    ]


def _within(when: float, stamps: list[float], seconds: float = 2) -> bool:
    """Whether ``when`` is at most ``seconds`` after one of ``stamps``."""
    return any(0 <= when - t <= seconds for t in stamps)


def _stamp_seconds(stamp: str) -> float:
    """Seconds since the epoch of a stored UTC time (2026-03-12T09:30:00Z)."""
    return datetime.fromisoformat(stamp).timestamp()  # the "Z" makes it UTC


def _one_paragraph(text: str) -> str:
    """A value on one paragraph of a cell: a conflicting narrative's newlines would make
    a line each (sixty blank lines of one value, a cell taller than a page)."""
    return " ".join(tx.words(tx.clean(text))) or "–"


#: between two statuses of a cell's mix ("● 20   ▲ 15"): a figure space widening the
#: break
STATUS_GAP = "\u2007 "


def status_mix(counts: Counter, number) -> str:
    """The statuses of an action's reports in a cell, "○ 4   ● 20   ▲ 15": each
    symbol held to its count by a no-break space (a line never breaks between them),
    and a figure space widening the break between statuses. ``number`` writes a
    count as the report's language does."""
    from fieldplan.i18n import STATUS_SYMBOLS

    return STATUS_GAP.join(
        f"{STATUS_SYMBOLS[s]}\u00a0{number(counts[s])}" for s in STATUSES if counts[s]
    ) or "–"


def _worst(reports: list[ProgressReport]) -> str:
    """The status a matrix cell shows: as HQ's Overview does (means.area_status)."""
    return area_status(r.status for r in reports) or "not-started"


class Pack:
    """The data of one review pack and the flowables made from it."""

    def __init__(
        self, rep, ctx: cm.Ctx, progress: cm.Progress | None = None, total: int | None = None,
        deadline: date | None = None,
    ) -> None:
        from fieldplan.offices import level_for_office
        from fieldplan.sync.export import AFTER_LOCK, not_awaited_why, period_reports

        self.ctx = ctx
        #: what the plan shows: reports it hides are neither counted nor printed
        self.scope = PlanScope(ctx.plan)
        counted = period_reports(rep, ctx.plan, ctx.period)
        #: reports of the period the plan hides: left out, but the cover says how many
        #: (and each office's sheet, its own)
        self.hidden = counted.hidden
        self.hidden_by_office = counted.hidden_by_office
        #: office codes this version does not know → their reports, left out (the
        #: cover says so): counted, an area would have more reports than offices
        self.unknown = counted.unknown
        # by their names in the pack's language, as a reader looks for them (the
        # matrix, the offices that have not reported, the annex and its contents)
        known = offices_in_order(counted.expected, ctx.lang)
        self.reports = counted.counted
        #: indicators with values in them that the plan no longer has: not printed,
        #: the cover says how many
        self.hidden_values = sh.hidden_values(self.scope, self.reports)
        #: of them, those an amendment moved to another action: said apart
        self.moved_values = sh.moved_values(self.scope, self.reports)
        self.by_office: dict[str, list[ProgressReport]] = defaultdict(list)
        for r in self.reports:
            self.by_office[r.office].append(r)
        #: every office expected, as the matrix, the annex and its contents list them:
        #: the offices by name, those with no report at all among them (their actions
        #: "No report", as the detail counts them due), then headquarters, whose own
        #: reports (on the global actions) are set apart: it is no office that reports
        #: to itself, and the rows above it are the cover's "of N"
        self.listed = [o for o in known if o != HQ] + [o for o in known if o == HQ]
        #: offices with any report for the period (the annex has their status sheets)
        self.offices = [o for o in self.listed if o in self.by_office]
        #: offices with no report at all: their actions count as "no report", and the
        #: annex says in a line that nothing was received from them
        self.missing = [o for o in self.listed if o not in self.by_office]
        #: steps of the build's progress (see common.STEPS)
        self.total = cm.STEPS if total is None else total
        # A report counts as reported once its office has submitted it; drafts are
        # shown, counted apart, and make the pack provisional.
        self.submitted = sum(1 for r in self.reports if r.state == "submitted")
        self.drafts = len(self.reports) - self.submitted
        #: offices that submitted at least one report for the period
        self.reported = [
            o for o in self.offices if any(r.state == "submitted" for r in self.by_office[o])
        ]
        #: offices that have not reported: nothing submitted (perhaps drafts). Not
        #: headquarters: it is no office that reports to itself (the cover's count and
        #: the table of offices leave it out); ``hq_not_reported`` says it apart
        self.not_reported_offices = [o for o in known if o not in self.reported and o != HQ]
        #: headquarters is expected (on the global actions) and submitted nothing
        self.hq_not_reported = HQ in known and HQ not in self.reported
        #: the offices that reported, headquarters left out (the cover's count)
        self.offices_reported = [o for o in self.reported if o != HQ]
        self.level = {o: level_for_office(o) for o in known}
        #: offices enrolled too late to be awaited on the period (after it ended or
        #: was locked: ``enrolled_too_late``), of a level with actions due then: known
        #: here, and in no count of the pack; "Offices that have not reported" names
        #: them, else "Every known office has reported" was said beside one that had not
        why = not_awaited_why(rep, ctx.plan, ctx.period, known)
        self.enrolled_late = offices_in_order(why, ctx.lang)
        #: of those, the offices enrolled after the period was locked (the lock came
        #: first), the others after it ended: each said so
        self.enrolled_after_lock = {o for o, w in why.items() if w == AFTER_LOCK}
        #: the day reports were due: data received later is late
        # (none given: the one headquarters named for the period, as the client's
        # Overview lists the offices that sent late, else the default)
        self.deadline = check_deadline(ctx.plan, ctx.period, deadline) if deadline else \
            period_deadline(rep, ctx.period, ctx.plan)
        #: the period's lock and the reports changed after it: for every office at once
        self.lock = sh.period_lock(rep, ctx.period)
        self.sync = _sync_facts(rep, ctx, self.scope, self.deadline, self.lock)
        #: office → the latest period up to the pack's own it submitted a report for
        #: that the plan shows; and one it hides (an office whose reports are all
        #: hidden did report). Not a later one: a pack of an old period printed once
        #: an office had reported since said it last reported after the period it
        #: missed, as if it had not
        self.last_period: dict[str, str] = {}
        self.last_hidden: dict[str, str] = {}
        for office, action, period in rep.conn.execute(
            "SELECT office, action, period FROM progress WHERE state = 'submitted' "
            "AND period <= ?", (ctx.period,)
        ):
            latest = self.last_period if self.scope.shows(office, action, period) else (
                self.last_hidden)
            if period > latest.get(office, ""):
                latest[office] = period
        self.sheets = []
        conflicts = sh.open_conflicts(rep, ctx.period)
        for i, office in enumerate(self.offices):  # (in the annex's order)
            if progress:
                progress(cm.GATHER_STEPS * i // len(self.offices), self.total,
                         ctx.gettext("Gathering the reports of {office}").format(office=office))
            self.sheets.append(
                sh.gather(rep, ctx.period, office, self.by_office[office], self.scope,
                          conflicts, hidden=self.hidden_by_office.get(office, 0),
                          lock=self.lock)
            )
        self.as_of = sh.data_as_of(rep, self.reports)

    # --- the story ---------------------------------------------------------------

    def entries(self) -> list[tuple[int, str, str]]:
        """(level, title, key) of the table of contents, in story order."""
        from fieldplan.offices import office_name

        _ = self.ctx.gettext
        lang = self.ctx.lang
        out = [
            (0, _("Summary by area"), "summary"),
            (0, _("Offices × areas"), "matrix"),
            (0, _("Offices that have not reported"), "missing"),
            (0, _("Late, quarantined and conflicting data"), "sync"),
            (0, _("Detail by area"), "detail"),
        ]
        out += [
            (1, f"{a.code} — {a.title.get(lang)}", f"detail-{a.code}") for a in self.ctx.plan.areas
        ]
        out.append((0, _("Annex: status sheets by office"), "annex"))
        out += [(1, f"{office_name(o, lang)} ({o})", f"o-{o}") for o in self.annexed]
        return out

    @property
    def annexed(self) -> list[str]:
        """The offices the annex has an entry for, in its order (``listed``): a status
        sheet, or a line saying nothing was received. None when no office has a report
        shown (the annex says so in a sentence, and the matrix too)."""
        return self.listed if self.offices else []

    def story(
        self,
        state: cm.BuildState,
        progress: cm.Progress | None = None,
        step: tuple[int, int] = (0, 1),
    ) -> list[Flowable]:
        ctx = self.ctx
        titles = {key: title for _lvl, title, key in self.entries()}

        def head(key: str, level: int = 0) -> list[Flowable]:
            style = cm.H1 if level == 0 else cm.H2
            return cm.heading(
                titles[key],
                style,
                rtl=ctx.rtl,
                key=key,
                level=level,
                pages=state.pages,
                space_before=6 if level == 0 else 8,
            )

        # each heading stays with what follows it, down to the first rows of its table
        story: list[Flowable] = [cm.SetFooter(None)]
        story += self.cover()
        story += [PageBreak(), *self.contents(state), PageBreak()]
        story += cm.keep(head("summary") + self.summary())
        # (two rows at least under its heading: one alone at a page's foot reads as
        # a table of one office, the rest of them on the next page)
        story += cm.keep(head("matrix") + self.matrix(), rows=2)
        story += cm.keep(head("missing") + self.not_reported(), whole=25)
        # as each of its tables (see block() in sync_section)
        story += cm.keep(head("sync") + self.sync_section(), rows=3, whole=25)
        # the detail starts a page (PartBreak), its heading kept with its first area
        detail = [*head("detail"), self._means_note()]
        parts = []
        for i, area in enumerate(ctx.plan.areas):
            # an area's table kept whole: its last action alone on the next page,
            # under the table's header again, read as a table of its own (the first
            # one with the detail's heading, which the third of a page it may take
            # whole leaves out)
            lead = detail if i == 0 else []
            parts += cm.keep(lead + head(f"detail-{area.code}", 1) + self.area_detail(area),
                             whole=15, lead=len(lead))
        story += [cm.PartBreak(parts or detail), *(parts or detail)]
        story += [PageBreak(), *head("annex")]
        if not self.sheets:
            story.append(
                self._t(
                    self._all_hidden()
                    or ctx.gettext("No office has a report for this period: no status sheet "
                                   "follows.")
                )
            )
        else:
            story.append(
                self._t(
                    ctx.gettext(
                        "Each office's status sheet follows, with its data digest and QR code "
                        "at the foot of its pages."
                    ) if not self.missing else ctx.gettext(
                        "Each office's status sheet follows, with its data digest and QR code "
                        "at the foot of its pages; an office from which nothing was received "
                        "has a line saying so in its place."
                    ),
                    # apart from the first office's heading (which has no space before:
                    # the others start a page)
                    space_after=10,
                )
            )
        sheets = {data.office: data for data in self.sheets}
        short = False  # the last entry was a line alone (no status sheet)
        for i, office in enumerate(self.annexed):
            data = sheets.get(office)
            if data is not None:
                if i:
                    story.append(PageBreak())
                story += sh.sheet_story(ctx, data, state, key=f"o-{office}", level=1,
                                        in_pack=True)
            else:
                # a sheet's pages end at it: a line alone starts a page after one (not
                # under the foot of another office's sheet, its digest and QR code), and
                # those that follow each other share it
                if i and not short:
                    story.append(PageBreak())
                story += self._nothing_received(office, state, first=not i or not short)
            short = data is None
        return story

    def _nothing_received(self, office: str, state: cm.BuildState,
                          first: bool) -> list[Flowable]:
        """The annex's entry for an office the pack holds no report of (``missing``):
        its heading and a line saying nothing was received; that the plan hides what
        it sent, or that a bundle of it waits in quarantine, where so. ``first``: at
        the top of a page (no space above its heading)."""
        from fieldplan.offices import office_name

        ctx = self.ctx
        _ = ctx.gettext
        hidden = self.hidden_by_office.get(office, 0)
        waiting = sum(1 for q in (self.sync.quarantined if self.sync else ())
                      if q.office == office)
        if hidden:  # it did report: the current plan hides it all
            text = sh.all_hidden_note(ctx, hidden)
        elif office == HQ:
            text = _("Headquarters has no report of its own for this period: no status "
                     "sheet.")
        elif waiting:  # (a bundle of it did arrive)
            text = _("Nothing from this office has been merged for this period: no status "
                     "sheet.")
        else:
            text = _("Nothing was received from this office for this period: no status "
                     "sheet.")
        if waiting:
            # Translators: the section named is the review pack's own heading
            text += " " + counted(
                "{count} bundle from it waits in quarantine (see “Late, quarantined and "
                "conflicting data”).",
                "{count} bundles from it wait in quarantine (see “Late, quarantined and "
                "conflicting data”).", waiting, lang=ctx.lang)
        return [
            # the running header of its page: the pack's own (pages it may share)
            cm.SetFooter(None),
            cm.Heading(f"{office_name(office, ctx.lang)} ({office})", cm.H1, rtl=ctx.rtl,
                       key=f"o-{office}", level=1, pages=state.pages,
                       space_before=0 if first else 14),
            self._t(text, cm.BODY, space_after=4),
        ]

    def _t(self, text: str, style: cm.Style = cm.BODY, **kw) -> cm.TextFlow:
        return cm.TextFlow(text, style, rtl=self.ctx.rtl, **kw)

    def _means_note(self) -> cm.TextFlow:
        return self._t(
            self.ctx.gettext("Mean progress leaves out cancelled actions."),
            cm.MUTED_SMALL,
            space_after=2,
        )

    def _provisional(self, style: cm.Style = cm.BOLD_SMALL) -> list[Flowable]:
        """A warning that drafts are counted, when there are any."""
        if not self.drafts:
            return []
        if self.lock.at:
            # drafts wait for no office any more: "that their offices have not submitted
            # yet" was not true of a locked period's (offices that receive the lock can
            # no longer submit them, as the lock's warning said)
            text = counted(
                "Provisional: these figures include {count} draft report left when "
                "headquarters locked the period: it will not be submitted unless "
                "headquarters unlocks the period.",
                "Provisional: these figures include {count} draft reports left when "
                "headquarters locked the period: they will not be submitted unless "
                "headquarters unlocks the period.",
                self.drafts, lang=self.ctx.lang,
            )
            return [self._t(text, style, space_after=4, whole_end=True)]
        text = counted(
            "Provisional: these figures include {count} draft report that its office "
            "has not submitted yet.",
            "Provisional: these figures include {count} draft reports that their offices "
            "have not submitted yet.",
            self.drafts, lang=self.ctx.lang,
        )
        # (no word alone on its last line: "soumis." under a full line)
        return [self._t(text, style, space_after=4, whole_end=True)]

    def _all_hidden(self) -> str:
        """What a section says instead of "no report" when the plan hides every report
        of the period ("" when it does not): the offices did report."""
        if self.reports or not self.hidden:
            return ""
        return self.ctx.gettext(
            "The current plan hides every report of this period: none is shown here "
            "(see the cover)."
        )

    def _n(self, n: int) -> str:
        from fieldplan.i18n import format_number

        return format_number(n, self.ctx.lang)

    def _of(self, got: int, expected: int) -> str:
        """"10/12": reports submitted of those expected, as the language writes numbers."""
        return f"{self._n(got)}/{self._n(expected)}"

    def _submitted_cell(self, reports: list[ProgressReport], expected: int) -> list[Flowable]:
        """A "Submitted reports" cell: the reports submitted of those ``expected``
        ("10/12"), and the drafts under it ("2 drafts"), as the client's Overview
        counts them ("10/12 ✎2"): a draft is not reported yet. It counted every report
        held ("12/12" over "2 drafts"), where the Overview said 10/12 of the same."""
        submitted = sum(1 for r in reports if r.state == "submitted")
        drafts = len(reports) - submitted
        cell = [self._t(self._of(submitted, expected), cm.SMALL, align="center")]
        if drafts:
            cell.append(self._t(
                counted("{count} draft", "{count} drafts", drafts, lang=self.ctx.lang),
                cm.MUTED_SMALL, align="center"))
        return cell

    def _unknown_note(self) -> str:
        """What the cover says of the reports of offices this version does not know
        (a total must not silently disagree with the data export's)."""
        count = sum(self.unknown.values())
        return counted(
            "{count} report of an office this version of fieldplan does not know "
            "({offices}) is not counted; a data export lists it, and a newer fieldplan "
            "counts it.",
            "{count} reports of offices this version of fieldplan does not know "
            "({offices}) are not counted; a data export lists them, and a newer "
            "fieldplan counts them.", count, lang=self.ctx.lang,
            offices=join_list(self.unknown, self.ctx.lang))

    @property
    def _lost(self) -> dict[str, int]:
        """Office → how many events it had sent that a restore of this database lost
        (``SyncFacts.offices_lost``), while they have not come back."""
        facts = self.sync
        return {item["office"]: item["events"] for item in facts.offices_lost} if facts else {}

    def _lost_note(self) -> str:
        """What the cover says while a restore's loss of offices' events lasts: the
        figures lack them (an office may show as not reported that did report)."""
        lost = self._lost
        count = sum(lost.values())
        # Translators: {offices} are office codes, "ML, SN"; the section named is the
        # pack's own heading
        return counted(
            "Incomplete: when this database was restored from a backup it lost {count} "
            "event it had received from {offices}; their figures here lack it until it "
            "comes back (see “Late, quarantined and conflicting data”).",
            "Incomplete: when this database was restored from a backup it lost {count} "
            "events it had received from {offices}; their figures here lack them until "
            "they come back (see “Late, quarantined and conflicting data”).",
            count, lang=self.ctx.lang, offices=join_list(lost, self.ctx.lang))

    def _deadline_end(self) -> str:
        """When the deadline's day ended, as the pack prints times (in UTC): at this
        computer's midnight after it (``_local_day_start``), by which data is late.
        Said with the day, as the arrivals are printed in UTC: one at 21:00 UTC on the
        deadline day is late at an headquarters three hours ahead."""
        return self.ctx.when(_local_day_start(self.deadline + timedelta(days=1)))

    def _date(self, day: date) -> str:
        from fieldplan.i18n import format_date

        return format_date(day, self.ctx.lang)

    def cover(self) -> list[Flowable]:
        from fieldplan.i18n import format_period

        ctx = self.ctx
        _ = ctx.gettext
        lines = [
            _("Period: {period}").format(period=format_period(ctx.period, ctx.lang)),
            *([sh.locked_line(ctx, self.lock.at)] if self.lock.at else []),
            _("Printed: {when}").format(when=ctx.when(ctx.printed)),
            (
                _("Data as of: {when}").format(when=ctx.when(self.as_of))
                if self.as_of
                else sh.all_hidden_note(ctx, self.hidden)
                if self.hidden
                else _("No progress recorded for this period.")
            ),
            # an office has reported once it has submitted its reports (not
            # headquarters, which the pack reports to: see not_reported_offices); none
            # expected (a plan of global actions alone), "0 of 0" would say nothing
            *([_("Offices that reported: {reported} of {known}").format(
                reported=self._n(len(self.offices_reported)),
                known=self._n(len(self.offices_reported) + len(self.not_reported_offices)),
            )] if self.offices_reported or self.not_reported_offices else []),
            self._submitted_line(),
        ]
        if self.drafts:
            lines.append(self._drafts_line())
        out: list[Flowable] = [
            Spacer(1, 40 * mm),
            # (in lines of even length: "2025–2027" stood alone under the Arabic title)
            self._t(ctx.plan.title.get(ctx.lang), cm.TITLE, space_after=8, balance=True),
            self._t(_("Semester review pack"), cm.SUBTITLE, space_after=14, balance=True),
        ]
        out += [self._t(line, cm.Style(size=11, leading=15)) for line in lines]
        # the warnings in a type a reader does not pass over: in 7 points under facts in
        # 11, "Incomplete: …" and "Provisional: …" were the smallest print of the page
        if self.hidden and self.reports:  # else said above
            out += [Spacer(1, 8), self._t(sh.hidden_note(ctx, self.hidden), COVER_NOTE,
                                          whole_end=True)]
        if self.hidden_values:
            out += [Spacer(1, 8), self._t(sh.hidden_values_note(ctx, self.hidden_values,
                                                                self.moved_values),
                                          COVER_NOTE, whole_end=True)]
        if self.unknown:
            out += [Spacer(1, 8), self._t(self._unknown_note(), COVER_NOTE, whole_end=True)]
        if self._lost:
            out += [Spacer(1, 8), self._t(self._lost_note(), COVER_NOTE, whole_end=True)]
        # (of the levels of the offices expected, and not reported on anyway)
        levels = {self.level[o] for o in self.offices + self.missing}
        reported = {r.action for r in self.reports}
        not_due = sum(1 for a in ctx.plan.actions if a.level in levels
                      and a.code not in reported and not ctx.plan.expects(a.code, ctx.period))
        if not_due:
            out += [Spacer(1, 8), self._t(sh.not_due_note(ctx, not_due), cm.SMALL)]
        if self.drafts:
            out += [Spacer(1, 8), *self._provisional(COVER_NOTE)]
        if ctx.plan.illustrative:
            out += [
                Spacer(1, 10),
                self._t(_("The plan's texts are illustrative placeholders."), cm.SMALL),
            ]
        return out

    def _drafts_line(self) -> str:
        """The cover's count of drafts, headquarters' own among them said, as the
        submitted reports are (``_submitted_line``) and as the lock check says them
        apart: "507 drafts" beside its "504 reports … still drafts" and "3 of
        headquarters' own" read as two counts that disagree."""
        ctx = self.ctx
        own = sum(1 for r in self.by_office.get(HQ, ()) if r.state != "submitted")
        locked = bool(self.lock.at)  # (see _provisional)
        if not own or own == self.drafts:  # (HQ's alone: nothing to tell apart)
            if locked:
                return counted(
                    "{count} draft left when the period was locked",
                    "{count} drafts left when the period was locked",
                    self.drafts, lang=ctx.lang)
            return counted(
                "{count} draft not yet submitted", "{count} drafts not yet submitted",
                self.drafts, lang=ctx.lang)
        # Translators: on the review pack's cover; {hq} of the drafts are headquarters'
        # own (on the global actions), the rest the offices'
        if locked:
            return counted(
                "{count} draft left when the period was locked, {hq} of them "
                "headquarters' own",
                "{count} drafts left when the period was locked, {hq} of them "
                "headquarters' own",
                self.drafts, lang=ctx.lang, hq=self._n(own))
        return counted(
            "{count} draft not yet submitted, {hq} of them headquarters' own",
            "{count} drafts not yet submitted, {hq} of them headquarters' own",
            self.drafts, lang=ctx.lang, hq=self._n(own))

    def _submitted_line(self) -> str:
        """The cover's count of submitted reports, headquarters' own among them said
        (the offices' rows of the matrix add up to the rest: its row is set apart)."""
        ctx = self.ctx
        own = sum(1 for r in self.by_office.get(HQ, ()) if r.state == "submitted")
        if not own or own == self.submitted:  # (HQ's alone: nothing to tell apart)
            return counted("{count} submitted report", "{count} submitted reports",
                           self.submitted, lang=ctx.lang)
        # Translators: on the review pack's cover; {hq} of the reports are headquarters'
        # own (on the global actions), the rest the offices'
        return counted(
            "{count} submitted report, {hq} of them headquarters' own",
            "{count} submitted reports, {hq} of them headquarters' own",
            self.submitted, lang=ctx.lang, hq=self._n(own))

    def contents(self, state: cm.BuildState) -> list[Flowable]:
        """The table of contents, on one page: where one column of entries would run
        over onto a second page, a few lines on it (57 offices in the annex left the
        second page 18 % full), the annex's offices are listed in two columns, down
        the first then the second (the first on the right in Arabic)."""
        ctx = self.ctx
        _ = ctx.gettext
        entries = self.entries()
        # the page numbers right-aligned in a box as wide as the widest of them, so
        # that they line up by their last digit: at the page column's end, and in
        # Arabic at its start, by the page's left edge, as printed Arabic books have
        # them (flush left, "8" stood over the "1" of "163"); one box for both tables
        # of two columns, the parts' "7" over the annex's "65"
        box = max((string_width(str(page), style.font, style.size)
                   for level, _title, key in entries
                   if (page := state.previous.get(key)) is not None
                   for style in [cm.BOLD_SMALL if level == 0 else cm.SMALL]), default=0.0)
        title = self._t(_("Contents"), cm.H1, space_after=6)
        one = self._contents_table(state, [[e] for e in entries], [0.88, 0.12], box)
        frame_h = ctx.pagesize[1] - cm.MARGIN_TOP - cm.MARGIN_BOTTOM
        height = title.wrap(ctx.width, frame_h)[1] + title.getSpaceAfter()
        offices = [e for e in entries if e[2].startswith("o-")]
        if height + one.wrap(ctx.width, 10 * frame_h)[1] <= frame_h or len(offices) < 2:
            return [title, one]
        half = -(-len(offices) // 2)
        right = offices[half:]
        pairs = [[left, *right[i:i + 1]] for i, left in enumerate(offices[:half])]
        parts = [e for e in entries if not e[2].startswith("o-")]
        return [title, self._contents_table(state, [[e] for e in parts], [0.88, 0.12], box),
                self._contents_table(state, pairs, [0.38, 0.12, 0.38, 0.12], box)]

    def _contents_table(self, state: cm.BuildState, rows: list[list[tuple[int, str, str]]],
                        shares: list[float], box: float) -> Flowable:
        """Entries of the contents, each row of them in a title and a page column of
        ``shares`` of the width (a row's second entry in the third and fourth), each
        page number right-aligned in ``box`` points (``cm.Figures``)."""
        ctx = self.ctx
        cells = []
        for row in rows:
            cells.append([])
            for level, title, key in row:
                page = state.previous.get(key)
                style = cm.BOLD_SMALL if level == 0 else cm.SMALL
                cells[-1] += [
                    self._t(title, style, indent=12 * level, link=key),
                    cm.Figures("" if page is None else str(page), style, rtl=ctx.rtl,
                               box=box, link=key),
                ]
            cells[-1] += [[]] * (len(shares) - len(cells[-1]))  # (an odd one out)
        w = ctx.width
        return cm.table(
            ctx,
            cells,
            [w * f for f in shares],
            header_rows=0,
            extra=[
                ("GRID", (0, 0), (-1, -1), 0, colors.white),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d0d0")),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ],
        )

    # --- sections ----------------------------------------------------------------

    def _expected(self, area: str) -> int:
        return sum(self._due(o, area) for o in self.offices + self.missing)

    def _due(self, office: str, area: str | None = None) -> int:
        """How many actions (of ``area``) ``office`` has a report due on in the period:
        not those an amendment added later (``Plan.expects``), unless it reported
        on them anyway."""
        return len(self.ctx.plan.actions_of(
            area=area, level=self.level[office], due=self.ctx.period,
            reported={r.action for r in self.by_office.get(office, ())}))

    def summary(self) -> list[Flowable]:
        from fieldplan.i18n import STATUS_SYMBOLS, status_label

        ctx = self.ctx
        _ = ctx.gettext
        counts = {a.code: Counter() for a in ctx.plan.areas}
        area_of = {a.code: a.area for a in ctx.plan.actions}
        for r in self.reports:
            if r.action in area_of:
                counts[area_of[r.action]][r.status] += 1
        head = (
            [_("Area")]
            + [f"{STATUS_SYMBOLS[s]} {status_label(s, ctx.lang)}" for s in STATUSES]
            + [_("No report"), _("Total")]
        )
        rows = [
            [self._t(h, cm.CELL_HEAD) for h in head[:1]]
            + [self._t(h, cm.TINY_HEAD, align="center") for h in head[1:]]
        ]
        unreported = 0
        for area in ctx.plan.areas:
            c = counts[area.code]
            got = sum(c.values())
            none = max(self._expected(area.code) - got, 0)
            unreported += none
            rows.append(
                [self._t(f"{area.code} — {area.title.get(ctx.lang)}", cm.SMALL)]
                + [self._t(self._n(c[s]), cm.SMALL, align="center") for s in STATUSES]
                + [
                    self._t(self._n(none), cm.SMALL, align="center"),
                    self._t(self._n(got + none), cm.BOLD_SMALL, align="center"),
                ]
            )
        w = ctx.width
        widths = [w * 0.19] + [w * 0.095] * len(STATUSES) + [w * 0.13, w * 0.11]
        out: list[Flowable] = [*self._provisional(), cm.table(ctx, rows, widths), Spacer(1, 8)]
        if not self.reports:  # an empty chart would only show a meaningless axis
            out.append(self._t(self._all_hidden() or _("No reports yet for this period: no chart."),
                               cm.BODY))
            return out
        chart = self.chart(counts)
        out.append(chart)
        if self._unlabelled(chart):
            caption = _(
                "Counts of reports by status for the period; every bar segment is "
                "labelled with its status's symbol and its count, beside the bar's end "
                "for a segment too narrow for them; the legend gives each status's "
                "symbol and word."
            )
        else:
            caption = _(
                "Counts of reports by status for the period; every bar segment "
                "is labelled with its status's symbol and its count, the legend "
                "gives each status's symbol and word."
            )
        if unreported:
            # (the bars were shorter than the table's totals, and nothing said why)
            caption += " " + _("Actions with no report are not drawn; the table's "
                               "“No report” column counts them.")
        out.append(self._t(caption, cm.MUTED_SMALL))
        return out

    def chart(self, counts: dict[str, Counter]) -> Flowable:
        from reportlab.graphics.charts.barcharts import HorizontalBarChart
        from reportlab.graphics.shapes import Drawing, Rect, String
        from reportlab.pdfbase.pdfmetrics import stringWidth

        from fieldplan.i18n import STATUS_SYMBOLS, status_label

        ctx = self.ctx
        areas = [a.code for a in ctx.plan.areas]
        w = ctx.width
        h = 26 * len(areas) + 60
        d = Drawing(w, h)
        d.initialFontName = cm.REGULAR  # not Helvetica, which would go unembedded
        bc = HorizontalBarChart()
        bc.x, bc.y, bc.width, bc.height = (
            (10, 40, w - 70, h - 50) if ctx.rtl else (50, 40, w - 60, h - 50)
        )
        # the first area on top
        bc.data = [[counts[a][s] for a in reversed(areas)] for s in STATUSES]
        bc.categoryAxis.categoryNames = [""] * len(areas)  # drawn below, reading side
        bc.categoryAxis.style = "stacked"
        bc.categoryAxis.labels.fontName = cm.REGULAR
        bc.categoryAxis.labels.fontSize = 8
        bc.valueAxis.labels.fontName = cm.REGULAR
        bc.valueAxis.labels.fontSize = 7
        bc.valueAxis.valueMin = 0
        bc.valueAxis.forceZero = 1
        # whole numbers of reports: integer ticks, written as the language writes them
        top = max([sum(counts[a][s] for s in STATUSES) for a in areas] + [1])
        step = axis_step(top)
        bc.valueAxis.valueStep = step
        bc.valueAxis.valueMax = -(-top // step) * step
        bc.valueAxis.labelTextFormat = lambda v: self._n(round(v))
        # a segment too narrow for its label has it beside its bar's end: room there
        self._make_room_beside(counts, areas, bc, step)
        if ctx.rtl:  # bars grow from the right, from an axis on the right
            bc.valueAxis.reverseDirection = 1
            # the category axis sits at value 0, now the right edge: its ticks point
            # outwards (right), as they point left in a left-to-right chart
            bc.categoryAxis.tickLeft, bc.categoryAxis.tickRight = 0, 5
        # each segment's count with its status's symbol, as the tables write them: in
        # greyscale only their lightness tells the colours apart
        bc.barLabelFormat = [
            (lambda v, s=s: self._bar_label(s, v) if v and self._label_fits(s, v, bc) else "")
            for s in STATUSES
        ]
        bc.barLabels.fontName = cm.BOLD
        bc.barLabels.fontSize = BAR_LABEL_SIZE
        bc.barLabels.boxTarget = "mid"
        bc.barLabels.boxAnchor = "c"
        bc.barLabels.fillColor = colors.black
        bc.barLabels.boxFillColor = colors.white
        bc.barLabels.boxStrokeColor = None
        bc.barLabels.leftPadding = bc.barLabels.rightPadding = BAR_LABEL_PADDING
        bc.barLabels.topPadding = bc.barLabels.bottomPadding = 0.5
        bc.barLabels.strokeColor = None
        for i, s in enumerate(STATUSES):
            bc.bars[i].fillColor = colors.HexColor(cm.STATUS_COLOURS[s])
            bc.bars[i].strokeColor = colors.HexColor(cm.LIGHT_OUTLINE.get(s, "#ffffff"))
            bc.bars[i].strokeWidth = 0.5
        d.add(bc)
        step = bc.height / len(areas)
        scale = bc.width / (bc.valueAxis.valueMax - bc.valueAxis.valueMin)
        for i, code in enumerate(reversed(areas)):
            beside = self._beside(counts[code], bc)
            if beside:
                end = sum(counts[code][s] for s in STATUSES) * scale + BESIDE_GAP
                d.add(String(bc.x + bc.width - end if ctx.rtl else bc.x + end,
                             bc.y + (i + 0.5) * step - BAR_LABEL_SIZE * 0.35, beside,
                             fontName=cm.BOLD, fontSize=BAR_LABEL_SIZE,
                             textAnchor="end" if ctx.rtl else "start"))
            y = bc.y + (i + 0.5) * step - 3
            if ctx.rtl:
                d.add(
                    String(
                        bc.x + bc.width + 6,
                        y,
                        code,
                        fontName=cm.REGULAR,
                        fontSize=8,
                        textAnchor="start",
                    )
                )
            else:
                d.add(String(bc.x - 6, y, code, fontName=cm.REGULAR, fontSize=8, textAnchor="end"))
        # the legend: swatch, symbol and word for each status, in reading order
        x = bc.x + bc.width if ctx.rtl else bc.x
        for st in STATUSES:
            label = tx.one_line(f"{STATUS_SYMBOLS[st]} {status_label(st, ctx.lang)}", ctx.dir)
            tw = stringWidth(label, cm.REGULAR, 7)
            sw = x - 8 if ctx.rtl else x
            d.add(
                Rect(
                    sw,
                    14,
                    8,
                    8,
                    fillColor=colors.HexColor(cm.STATUS_COLOURS[st]),
                    strokeColor=colors.black,
                    strokeWidth=0.3,
                )
            )
            tx_x = sw - 3 if ctx.rtl else sw + 11
            d.add(
                String(
                    tx_x,
                    15.5,
                    label,
                    fontName=cm.REGULAR,
                    fontSize=7,
                    textAnchor="end" if ctx.rtl else "start",
                )
            )
            step_x = 11 + tw + 12
            x = x - step_x if ctx.rtl else x + step_x
        return d

    def _beside(self, row: Counter, bc) -> str:
        """The labels of one bar's segments too narrow for them (``row``: its counts by
        status), in the statuses' order, as drawn beside the bar's end: "○ 1  ✕ 2"; ""
        when every segment has its label inside."""
        from fieldplan.i18n import STATUS_SYMBOLS

        parts = [f"{STATUS_SYMBOLS[s]}\u00a0{self._n(row[s])}" for s in STATUSES
                 if row[s] and not self._label_fits(s, row[s], bc)]
        return tx.one_line("\u2007 ".join(parts), self.ctx.dir, cm.BOLD) if parts else ""

    def _make_room_beside(self, counts: dict[str, Counter], areas: list[str], bc,
                          step: int) -> None:
        """Lengthen the value axis by whole ``step``s until every bar's labels beside
        it (``_beside``) fit between its end and the chart's edge (shorter bars may
        leave more segments too narrow: measured again each time)."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        def fits() -> bool:
            scale = bc.width / (bc.valueAxis.valueMax - bc.valueAxis.valueMin)
            # (a bar with nothing beside it may reach the axis's end: 199 reports on
            # an axis of 200, not 220)
            return all(
                sum(counts[a][s] for s in STATUSES) * scale + BESIDE_GAP
                + stringWidth(beside, cm.BOLD, BAR_LABEL_SIZE) <= bc.width
                for a in areas if (beside := self._beside(counts[a], bc)))

        for _try in range(100):  # (a few steps at most: a bound all the same)
            if fits():
                return
            bc.valueAxis.valueMax += step

    def _unlabelled(self, chart) -> bool:
        """Whether the chart has a bar segment too narrow for its count's label (which
        is then beside its bar)."""
        from reportlab.graphics.charts.barcharts import HorizontalBarChart

        bc = next(c for c in chart.contents if isinstance(c, HorizontalBarChart))
        return any(v and not self._label_fits(s, v, bc)
                   for s, row in zip(STATUSES, bc.data, strict=True) for v in row)

    def _bar_label(self, status: str, value: float) -> str:
        """A bar segment's label: its status's symbol and its count ("● 84"), in the
        report's direction, drawn as it is."""
        from fieldplan.i18n import STATUS_SYMBOLS

        text = f"{STATUS_SYMBOLS[status]}\u00a0{self._n(int(value))}"
        return tx.one_line(text, self.ctx.dir, cm.BOLD)

    def _label_fits(self, status: str, value: float, bc) -> bool:
        """Whether a bar segment of ``value`` reports is wide enough for its label:
        the label, in a white box, is centred on its segment, and a narrower one (one
        report of 176) would cover the axis or its neighbours' labels."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        wide = value * bc.width / (bc.valueAxis.valueMax - bc.valueAxis.valueMin)
        label = stringWidth(self._bar_label(status, value), cm.BOLD, BAR_LABEL_SIZE)
        return label + 2 * BAR_LABEL_PADDING <= wide

    def matrix(self) -> list[Flowable]:
        from fieldplan.i18n import format_percent
        from fieldplan.offices import office_name

        ctx = self.ctx
        _ = ctx.gettext
        plan = ctx.plan
        areas = plan.areas
        area_of = {a.code: a.area for a in plan.actions}
        w = ctx.width
        rest = w * 0.66 / max(len(areas), 1)
        widths = [w * 0.22] + [rest] * len(areas) + [w * 0.12]
        rows = [
            [self._t(_("Office"), cm.CELL_HEAD)]
            + [self._t(a.code, cm.CELL_HEAD, align="center") for a in areas]
            + [self._t(_("Submitted reports"), cm.CELL_HEAD, align="center")]
        ]
        extra = []
        for office in self.listed:
            if office == HQ:
                # set apart, last, under its own label: the rows above are the offices
                # the cover counts ("Offices that reported: 3 of 8"), which leaves
                # headquarters out (see not_reported_offices)
                i = len(rows)
                label = [self._t(_("Headquarters' own reports"), cm.BOLD_SMALL)]
                label += [[] for _a in range(len(widths) - 1)]
                # (the spanned row shows its first cell: the right-hand one in Arabic,
                # once the table mirrors the columns)
                rows.append(label[::-1] if ctx.rtl else label)
                extra += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), HQ_BG),
                          ("NOSPLIT", (0, i), (-1, i + 1))]
            i = len(rows)
            mine = self.by_office.get(office, [])
            row = [self._t(f"{office_name(office, ctx.lang)} ({office})", cm.SMALL)]
            for j, area in enumerate(areas, start=1):
                rs = [r for r in mine if area_of.get(r.action) == area.code]
                if not rs:
                    # in words where reports are due, as the Overview's "— no report"
                    # and the status sheet's: a bare dash read as "nothing due here"
                    row.append(self._t(cm.status_text(ctx, None), cm.MUTED_SMALL)
                               if self._due(office, area.code)
                               else self._t("–", cm.SMALL, align="center"))
                    continue
                worst = _worst(rs)
                mean = mean_progress(rs)
                cellrows = [self._t(cm.status_text(ctx, worst), cm.BOLD_SMALL)]
                waiting = not_started_beside(Counter(r.status for r in rs))
                if waiting:  # beside the status of those that have started
                    cellrows.append(self._t(counted(
                        "{count} not started", "{count} not started", waiting,
                        lang=ctx.lang), cm.MUTED_SMALL))
                if mean is not None:
                    cellrows.append(
                        self._t(
                            _("mean {percent}").format(
                                percent=format_percent(mean, ctx.lang)
                            ),
                            cm.MUTED_SMALL,
                        )
                    )
                row.append(cellrows)
                extra.append(
                    ("BACKGROUND", (j, i), (j, i), colors.HexColor(cm.STATUS_TINTS[worst]))
                )
            row.append(self._submitted_cell(mine, self._due(office)))
            rows.append(row)
        if not self.offices:  # (no table: nothing for its notes to explain)
            return [self._t(self._all_hidden() or _("No office has reported for this period."))]
        return [
            self._t(
                _(
                    "Each cell shows the status needing most attention among the office's actions "
                    "in the area that have started (not started only when none has), how many "
                    "have not started beside it, and their mean progress. The last column "
                    "gives the office's submitted reports of those due, and its drafts "
                    "under them."
                ),
                cm.MUTED_SMALL,
            ),
            self._means_note(),
            cm.table(ctx, rows, widths, extra=extra),
        ]

    def not_reported(self) -> list[Flowable]:
        from fieldplan.i18n import format_period
        from fieldplan.offices import office_name
        from fieldplan.sync.locking import hq_unsubmitted_text, not_awaited_text

        ctx = self.ctx
        _ = ctx.gettext
        # headquarters' own reports, said apart from the offices' (not_reported_offices)
        hq = [Spacer(1, 8), self._t(hq_unsubmitted_text(_), cm.BODY)] \
            if self.hq_not_reported else []
        if self.enrolled_late:
            hq = [Spacer(1, 8), self._t(not_awaited_text(
                self.enrolled_late, ctx.ngettext, ctx.lang, self.enrolled_after_lock),
                cm.BODY), *hq]
        if not self.not_reported_offices:
            if hq and not self.offices_reported:  # no office is expected: HQ alone
                return hq[1:]
            every = (_("Every office awaited on this period has reported for it.")
                     if self.enrolled_late
                     else _("Every known office has reported for this period."))
            return [self._t(every), *hq]
        rows = [
            [
                # (the drafts' header centred over its counts)
                self._t(h, cm.CELL_HEAD, align="center" if i == 2 else None)
                for i, h in enumerate((
                    _("Office"),
                    _("Code"),
                    _("Drafts for this period"),
                    _("Latest period reported"),
                ))
            ]
        ]
        for office in self.not_reported_offices:
            last = self.last_period.get(office)
            hidden = self.last_hidden.get(office)
            if hidden and hidden > (last or ""):
                # not "never": its reports are there, the current plan hides them
                latest = _("{period} (hidden by the current plan)").format(
                    period=format_period(hidden, ctx.lang))
            else:
                latest = format_period(last, ctx.lang) if last else _("never")
            if office in self._lost:
                # its bundles may have said otherwise: a restore lost what they brought
                latest = counted(
                    "{latest} (a restore lost {count} event received from it)",
                    "{latest} (a restore lost {count} events received from it)",
                    self._lost[office], lang=ctx.lang, latest=latest)
            drafts = sum(1 for r in self.by_office.get(office, ()) if r.state == "draft")
            rows.append(
                [
                    self._t(office_name(office, ctx.lang), cm.SMALL),
                    self._t(office, cm.SMALL),
                    self._t(self._n(drafts) if drafts else "–", cm.SMALL, align="center"),
                    self._t(latest, cm.SMALL),
                ]
            )
        w = ctx.width
        return [
            self._t(
                # (not "known here": one enrolled after the period ended is not
                # awaited, and is named apart under the table: expected_offices)
                _("Offices awaited on this period that have submitted no report for it:"),
                cm.BODY,
                space_after=4,
            ),
            cm.table(ctx, rows, [w * 0.4, w * 0.12, w * 0.18, w * 0.3]),
            *hq,
        ]

    def _field_text(self, action: str, field: str) -> str:
        """A report field's name in the pack's language; an indicator by its title
        when the plan's action has it, as the client's conflicts list names it."""
        return self.ctx.plan.field_label(action, field, self.ctx.lang)

    def sync_section(self) -> list[Flowable]:
        ctx = self.ctx
        _ = ctx.gettext
        facts = self.sync
        if facts is None:
            return [
                self._t(
                    _(
                        "This installation keeps no exchange records, so no late, "
                        "quarantined or conflicting data is known."
                    )
                )
            ]
        if not (facts.late or facts.quarantined or facts.conflicts or facts.gaps
                or facts.after_lock or facts.refused or facts.offices_lost):
            # (a pack printed before the deadline: none can have arrived after it; the
            # deadline's day ends at this computer's midnight, as for late data)
            none_known = _(
                "None known: no data arrived after the deadline ({date}, which ended at "
                "{end}), no bundle is in quarantine, no conflict is open and no events are "
                "missing."
            ) if ctx.printed.astimezone().date() > self.deadline else _(
                "None known: the deadline ({date}, which ends at {end}) has not passed "
                "yet, no bundle is in quarantine, no conflict is open and no events are "
                "missing."
            )
            return [
                self._t(
                    none_known.format(date=self._date(self.deadline),
                                      end=self._deadline_end()),
                    space_after=4,
                ),
                *self._repaired(facts.repaired),
            ]
        w = ctx.width
        out: list[Flowable] = []
        name = self._office

        def block(title: str, head: list[str], rows: list[list], widths: list[float],
                  user: tuple[int, ...] = (), names: tuple[int, ...] = (),
                  tail: tuple[Flowable, ...] = (), numbers: tuple[int, ...] = ()):
            """``user``: the columns of text a person wrote (values), each line of which
            reads in its own direction; ``names``: the columns of names another
            computer gave (files, fingerprints), in the report's direction, each kept
            in its own order; the rest is the report's own text, in its direction
            ("تالف: ML-…" as "ML-…" is not turned around). A cell made already (a
            list of flowables) goes in as it is. ``tail``: a note under the table, kept
            with it (``GridTable.tail``). ``numbers``: the columns of counts, centred
            under their headers as the pack's other tables have them (flush with the
            cell's start, "9" over "12" read as misaligned figures)."""
            data = [[self._t(h, cm.CELL_HEAD, align="center" if i in numbers else None)
                     for i, h in enumerate(head)]]
            data += [[c if isinstance(c, list) else
                      self._t(c, cm.SMALL, base_dir=cm.USER if i in user else
                              cm.NAME if i in names else None,
                              align="center" if i in numbers else None)
                      for i, c in enumerate(row)] for row in rows]
            heading = self._t(title, cm.H3, space_after=2)
            if out:
                # space between tables as the next title's space before, which a page's
                # top drops: a spacer after the last table could spill onto a page of
                # its own, and the page break before "Detail by area" leave it blank
                heading.spaceBefore = 6
            # a short table is kept whole rather than leave a few rows on a page
            table = cm.table(ctx, data, [w * f for f in widths])
            table.tail = tail
            out.extend(cm.keep([heading, table], rows=3, whole=25))
            out.extend(tail)

        if facts.after_lock:
            from fieldplan.i18n import state_label

            # the changes the lock did not cover: made after it, or made before it and
            # brought after it (a report written in July, imported after a December
            # lock): "Last changed" alone, before the lock, said the heading was wrong
            block(
                # Translators: a heading of the review pack; the changes made after
                # headquarters locked the period, or made before and received after
                _("Changed or received after the period was locked"),
                [_("Office"), _("Action"), _("Changes"), _("Last changed"),
                 # Translators: a column of the review pack: when the last of the
                 # changes reached headquarters (as in "Data received after the deadline")
                 _("Last received"), _("State now")],
                [
                    [
                        name(c.office),
                        c.action,
                        self._n(c.changes),
                        ctx.when(c.last_at),
                        ctx.when(c.received_at) if c.received_at else "–",
                        state_label(c.state, ctx.lang),
                    ]
                    for c in facts.after_lock
                ],
                # (each date-time column wide enough for a date-time and its "UTC" on
                # one line, as the Received columns below: at 0.2 of the width they
                # printed the date over the time, in every row)
                [0.2, 0.09, 0.12, 0.225, 0.225, 0.14],
                numbers=(2,),
            )
        if facts.late:
            block(
                _("Data received after the deadline ({date}, which ended at {end})").format(
                    date=self._date(self.deadline), end=self._deadline_end()),
                [_("Office"), _("Files"), _("Last received"), _("Reports of this period changed")],
                [
                    [
                        name(e.office),
                        self._files_text(e.files),
                        ctx.when(e.received_at),
                        self._n(e.reports),
                    ]
                    for e in facts.late
                ],
                [0.24, 0.34, 0.25, 0.17],
                names=(1,),
                numbers=(3,),
            )
        # (the Received columns wide enough for a date-time and its "UTC" on one line,
        # "27/09/2026، 10:43:09 م UTC" too)
        if facts.refused:
            block(
                _("Bundles refused since the period began (not merged)"),
                [_("Office"), _("File"), _("Received"), _("Reason")],
                [
                    [
                        name(e.office) if e.office else "–",
                        e.file,
                        ctx.when(e.received_at),
                        _one_paragraph(e.reason_text(ctx.lang)),
                    ]
                    for e in facts.refused
                ],
                [0.22, 0.23, 0.22, 0.33],
                names=(1,),
            )
        # after the refusals still to see to, or where they would be
        out.extend(self._repaired(facts.repaired, after=bool(out)))
        untrusted = [q for q in facts.quarantined if not q.key_on_record]
        if untrusted:
            block(
                _("Bundles in quarantine (key not trusted yet)"),
                [_("Office"), _("File"), _("Received"), _("Key fingerprint")],
                [
                    [
                        name(q.office),
                        q.file,
                        ctx.when(q.received_at),
                        # broken between its groups, evenly (five over five)
                        [cm.GroupsFlow(q.fingerprint, cm.SMALL, rtl=ctx.rtl,
                                       base_dir=cm.NAME)],
                    ]
                    for q in untrusted
                ],
                [0.25, 0.23, 0.22, 0.3],
                names=(1,),
            )
        # left waiting after an import registered their key and could not take them
        # (sync.exchange.KEY_ON_RECORD_FAILED_REASON): no key to trust, but an import
        # that failed, and what takes them (the reason says both)
        waiting = [q for q in facts.quarantined if q.key_on_record]
        if waiting:
            block(
                # Translators: a heading of the review pack; bundles still waiting in
                # quarantine although their key was registered since
                _("Bundles in quarantine whose key is on record (not imported yet)"),
                [_("Office"), _("File"), _("Received"), _("Reason")],
                [
                    [
                        name(q.office),
                        q.file,
                        ctx.when(q.received_at),
                        _one_paragraph(q.reason_text(ctx.lang)),
                    ]
                    for q in waiting
                ],
                [0.22, 0.23, 0.22, 0.33],
                names=(1,),
            )
        if facts.conflicts:
            block(
                _("Open conflicts"),
                [_("Office"), _("Action"), _("Field"), _("Competing values")],
                [
                    [
                        name(c.office),
                        c.action or c.entity,
                        self._field_text(c.action, c.field),
                        self._candidates(c),
                    ]
                    for c in facts.conflicts
                ],
                [0.25, 0.12, 0.18, 0.45],
            )
        if facts.gaps:
            block(
                _("Missing events"),
                [_("Office"), _("Replica"), _("Events")],
                # text.visual keeps "41–57" from printing as "57–41" in Arabic
                [[name(g.office), g.origin[:8], g.events_text()] for g in facts.gaps],
                [0.4, 0.3, 0.3],
            )
        if facts.offices_lost:
            # (the office's own next bundle leaves them out: its receipts say
            # headquarters has them)
            note = self._t(_(
                "Import those bundles again, or send each of these offices a bundle and "
                "import the one it exports next."), cm.SMALL, space_after=2)
            note.spaceBefore = 3
            block(
                _("Events lost when this database was restored from a backup"),
                [_("Office"), _("Events"), _("Bundles that had brought them")],
                [[name(item["office"]), self._n(item["events"]),
                  self._files_text(tuple(item["bundles"]))]
                 for item in facts.offices_lost],
                [0.3, 0.15, 0.55],
                names=(2,),  # (file names, as the late data's Files)
                numbers=(1,),
                # kept with it: alone on a page before the detail's, it said nothing
                tail=(note,),
            )
        return out

    def _candidates(self, conflict) -> list[Flowable]:
        """A conflict's competing values, each on a line of its own (each reads in its
        own direction: an Arabic narrative beside an English one), then, greyed under
        it, the computer that wrote it and who, as ``conflicts list`` names them (in one
        style, "Computer …" read as well as the value under it as the one above it);
        the value this pack prints (the one that wins for now) marked; none on a report
        the plan hides, which the pack does not print: said instead. A computer whose
        key headquarters revoked since is said to be, the printed value's too."""
        from fieldplan.i18n import conflict_values

        _ = self.ctx.gettext
        hidden = conflict.entity == "progress" and bool(self.scope.why_hidden(
            conflict.office, conflict.action, conflict.period))
        out: list[Flowable] = []
        shown = conflict.candidates[:MAX_CANDIDATES]
        said = conflict_values(conflict.field, [v.value for v in shown], self.ctx.lang)
        for v, value in zip(shown, said, strict=True):
            out.append(self._t(_one_paragraph(value), cm.SMALL, base_dir=cm.USER))
            # Translators: under a competing value, the computer (its short id,
            # "3f2a91c0") and the person (login name) that wrote it
            source = (_("Computer {computer}, {author}") if v.author.strip()
                      else _("Computer {computer}")).format(
                          computer=v.computer, author=_one_paragraph(v.author))
            if v.restored_as:
                # a version written before its computer's restore from a backup, under
                # the id it had then: named by the computer's id now, which the one
                # computer's sentence below says (two ids read as two computers)
                source = (
                    # Translators: under a competing value: the computer (its short id
                    # now, "3f2a91c0"), the short id it had before its database was
                    # restored from a backup, and the person (login name) that wrote it
                    _("Computer {computer} before its restore ({earlier}), {author}")
                    if v.author.strip() else
                    # Translators: as "Computer {computer} before its restore
                    # ({earlier}), {author}", with no name of the person
                    _("Computer {computer} before its restore ({earlier})")).format(
                        computer=v.restored_as, earlier=v.computer,
                        author=_one_paragraph(v.author))
            if self.sync is not None and v.full_id.split(":")[0] in self.sync.revoked:
                # Translators: {source} is "Computer 3f2a91c0, amina": headquarters has
                # revoked that computer's key since (keys list says "Revoked")
                source = _("{source}, revoked").format(source=source)
            if v.winner and not hidden:
                # Translators: {source} is "Computer 3f2a91c0, amina": the value the
                # review pack prints, of those in conflict
                source = _("{source} (shown in this pack)").format(source=source)
            out.append(self._t(source, cm.MUTED_SMALL, space_after=2))
        if conflict.versions > MAX_CANDIDATES:
            out.append(self._t("…", cm.SMALL))
        if conflict.one_replica:
            # every version from one computer: its history holds versions that do not
            # replace each other, not two computers' writes (as the Conflicts page and
            # 'conflicts list' say; on paper, not "this computer")
            from fieldplan.i18n import speaking
            from fieldplan.sync.conflicts import one_computer_text

            with speaking(self.ctx.lang):
                said = one_computer_text(conflict, "")
            out.append(self._t(said + ".", cm.SMALL))
        if hidden:
            # Translators: under the competing values of a report the current plan hides
            # (its action was removed or moved to another level)
            out.append(self._t(_("The current plan hides this report: it is not in this "
                                 "pack."), cm.SMALL))
        return out

    def _office(self, code: str) -> str:
        """"Mali (ML)": an office's name and code, or the code alone if unknown."""
        from fieldplan.offices import office_name

        try:
            return f"{office_name(code, self.ctx.lang)} ({code})"
        except ValidationError:
            return code or "?"

    def _repaired(self, entries: list, after: bool = False) -> list[Flowable]:
        """A sentence per office for its bundles refused as a forked history and
        repaired since, kept out of the table of refusals: a reviewer looks there for
        what is left to do, and here nothing is (their data arrived, in the files
        named, which may be listed as late data above). ``after``: below a table."""
        by_office: dict[str, list] = defaultdict(list)
        for e in entries:
            by_office[e.office].append(e)
        out: list[Flowable] = []
        # in Arabic, a right-to-left mark after "مالي (ML)" keeps what follows out of
        # its code's left-to-right run ("مالي (2 :(ML" otherwise); and each file's
        # name keeps its own order, as in a table's cell ("2026-S1 ML (copy
        # 2).fieldplan" came out as "ML (copy 2).fieldplan 2026-S1")
        rlm = "\u200f" if self.ctx.rtl else ""
        file_name = tx.name_in_sentence if self.ctx.rtl else str
        rank = office_ranks(by_office, self.ctx.lang)  # (as the matrix lists them)
        for office in sorted(by_office, key=rank.__getitem__):
            refused = by_office[office]
            # Translators: {office} is an office's name and code, "Mali (ML)"; {files}
            # the names of bundle files, "ML-3f2a91c0-1-2.fieldplan"
            text = counted(
                "{office}: {count} bundle refused as a forked history was repaired "
                "since; its data arrived in {files}. Nothing is left to do about it.",
                "{office}: {count} bundles refused as a forked history were repaired "
                "since; their data arrived in {files}. Nothing is left to do about them.",
                len(refused), lang=self.ctx.lang, office=self._office(office) + rlm,
                files=join_list((file_name(f) for f in dict.fromkeys(
                    e.repaired_in for e in refused)), self.ctx.lang))
            note = self._t(text, cm.SMALL, space_after=2)
            if after and not out:
                note.spaceBefore = 6  # as a table's title after another table
            out.append(note)
        return out

    def _files_text(self, files: tuple[str, ...]) -> str:
        """The files that brought an office's late data, one a line: the first
        MAX_FILES, then how many more (the inbox lists them all)."""
        if len(files) <= MAX_FILES + 1:  # "and 1 more file" would take the same line
            return "\n".join(files) or "–"
        more = len(files) - MAX_FILES
        # Translators: after the first few names of files, in a table cell.
        rest = counted("and {count} more file", "and {count} more files", more,
                       lang=self.ctx.lang)
        return "\n".join([*files[:MAX_FILES], rest])

    def area_detail(self, area) -> list[Flowable]:
        from fieldplan.i18n import format_percent, level_label

        ctx = self.ctx
        _ = ctx.gettext
        by_action: dict[str, list[ProgressReport]] = defaultdict(list)
        for r in self.reports:
            by_action[r.action].append(r)
        w = ctx.width
        # the action's title widest (fewer lines: French titles are long)
        widths = [w * f for f in (0.07, 0.36, 0.12, 0.11, 0.19, 0.15)]
        # "Submitted reports" centred over its centred counts ("57/57"), as the
        # offices × areas table has it: flush with the cell's start, it stood to one
        # side of its figures
        rows = [
            [
                self._t(h, cm.CELL_HEAD, align="center" if i == 3 else None)
                for i, h in enumerate((
                    _("Code"),
                    _("Action"),
                    _("Level"),
                    _("Submitted reports"),
                    _("Statuses"),
                    _("Mean progress"),
                ))
            ]
        ]
        for act in ctx.plan.actions_of(area=area.code):
            rs = by_action.get(act.code, [])
            c = Counter(r.status for r in rs)
            mix = status_mix(c, self._n)
            # (an action an amendment added after the period: due from none that did
            # not report on it anyway)
            due = ctx.plan.expects(act.code, ctx.period)
            reporters = {r.office for r in rs}
            expected = sum(1 for o in self.offices + self.missing
                           if self.level[o] == act.level and (due or o in reporters))
            mean = mean_progress(rs)
            title = [self._t(act.title.get(ctx.lang), cm.SMALL)]
            if not due:
                title.append(self._t(ctx.plan.added_text(act.code, ctx.period, ctx.lang),
                                     cm.MUTED_SMALL))
            rows.append(
                [
                    self._t(act.code, cm.BOLD_SMALL),
                    title,
                    self._t(level_label(act.level, ctx.lang), cm.SMALL),
                    # (a draft marked under it: the statuses and the mean count it;
                    # "–" where no office is expected, as where nothing is due: a
                    # regional action with no regional office known said "0/0")
                    self._submitted_cell(rs, expected) if expected
                    else self._t("–", cm.SMALL, align="center"),
                    # (in as even lines as fit: "✕ 1" alone under four statuses
                    # read as a line of its own)
                    [cm.GroupsFlow(mix, cm.SMALL, rtl=ctx.rtl, sep=STATUS_GAP)],
                    cm.PercentBar(
                        mean,
                        "–" if mean is None else format_percent(mean, ctx.lang),
                        rtl=ctx.rtl,
                    ),
                ]
            )
        return [cm.table(ctx, rows, widths)]


def build_review_pack(
    rep,
    period: str,
    out: str | os.PathLike[str],
    *,
    lang: str = "en",
    paper: str = "A4",
    progress: cm.Progress | None = None,
    deadline: date | None = None,
) -> Path:
    """``deadline``: the day the period's reports were due (default: the one
    headquarters named for the period, ``deadlines.period_deadline``); data received at
    headquarters after it is listed as late."""
    from fieldplan.files import check_output
    from fieldplan.i18n import format_period

    ctx = cm.make_ctx(rep, period, lang, paper)
    _ = ctx.gettext
    if not rep.is_hq:
        from fieldplan import i18n

        # in the language of the person asking, not of the report
        raise ValidationError(i18n._("only headquarters prints the review pack"))
    check_output("pdf", out)  # a name the write would refuse: said before the work
    pack = Pack(rep, ctx, progress, deadline=deadline)
    total = pack.total
    # the header's text is the file's title too: a reader's window or tab names the
    # period, as for files of several semesters side by side
    title = f"{_('Semester review pack')} · {format_period(ctx.period, lang)}"
    path = cm.render(
        ctx,
        out,
        pack.story,
        title=title,
        left=ctx.plan.title.get(ctx.lang),
        right=title,
        progress=progress,
        step=(cm.GATHER_STEPS, total),
    )
    if progress:
        progress(total, total, _("Done"))
    return path
