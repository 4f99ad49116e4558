"""``fieldplan status``: who this replica is and where it stands."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fieldplan.replica import Replica

#: how an office sends headquarters a bundle from the command line
EXPORT_COMMAND = "fieldplan export"


@dataclass(frozen=True)
class ReplicaStatus:
    """role, office, replica id, key id and fingerprint, plan, counts and sync state."""

    role: str
    office: str
    replica: str
    key_id: str
    fingerprint: str
    plan_id: str
    plan_version: int
    events: int
    own_events: int
    #: the reports held, those the plan hides included: at an office its own (as its
    #: window lists them), every office's at headquarters
    reports: int
    sync: Any  # fieldplan.sync.SyncState
    #: the registry's word on this computer's key: active, retired, revoked, or
    #: unregistered (headquarters has not registered it yet)
    key_status: str = "unregistered"
    #: periods headquarters locked after their review: their reports cannot be changed
    #: here (a change an office made before the lock reached it still arrives, merged
    #: as any other: ``changed_after_lock``)
    locked_periods: tuple[str, ...] = ()
    #: of ``reports``, those the current plan hides (planops.PlanScope): kept, unseen
    hidden_reports: int = 0
    #: of ``reports``, the drafts not yet submitted: said apart, as the review pack,
    #: the status sheet and the client's Overview and dashboard say them (a draft is
    #: not reported yet); not those the plan hides (of ``hidden_reports``)
    draft_reports: int = 0
    #: of ``draft_reports``, per locked period (in order), the drafts left in it when
    #: headquarters locked it: they will not be submitted unless it unlocks the period
    #: (said so, not "not yet submitted", as the review pack says them)
    locked_drafts: Mapping[str, int] = field(default_factory=dict)
    #: (headquarters) of ``draft_reports``, its own (on the global actions), and of
    #: ``locked_drafts`` per locked period: said apart, as the lock check and the
    #: review pack's cover say them ("507 drafts …, 3 of them headquarters' own")
    hq_drafts: int = 0
    locked_hq_drafts: Mapping[str, int] = field(default_factory=dict)
    #: per locked period, the reports changed after its lock (progress.changed_after_lock;
    #: an office's own only, at an office)
    changed_after_lock: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    #: (office) the headquarters key it trusts (``enrol.hq_key``), its id and
    #: fingerprint, to check with headquarters; "" at headquarters
    hq_key_id: str = ""
    hq_fingerprint: str = ""
    #: (headquarters) per period begun and not locked (``sync.export.open_periods``),
    #: the offices it awaits, those that reported and those it does not await
    #: (``sync.export.AwaitedOffices``), as the review pack and the lock check count
    #: them; () at an office
    awaited: tuple[Any, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "office": self.office, "replica": self.replica,
                "key_id": self.key_id, "fingerprint": self.fingerprint,
                "hq_key_id": self.hq_key_id or None,
                "hq_fingerprint": self.hq_fingerprint or None, "plan": self.plan_id,
                "plan_version": self.plan_version, "events": self.events,
                "own_events": self.own_events, "reports": self.reports,
                "hidden_reports": self.hidden_reports, "draft_reports": self.draft_reports,
                "locked_drafts": dict(self.locked_drafts),
                "hq_drafts": self.hq_drafts, "locked_hq_drafts": dict(self.locked_hq_drafts),
                "key_status": self.key_status, "locked_periods": list(self.locked_periods),
                "changed_after_lock": {period: [c.to_dict() for c in changes] for period,
                                       changes in self.changed_after_lock.items()},
                "awaited_periods": [a.to_dict() for a in self.awaited],
                **self.sync.to_dict()}

    def lines(self, lang: str) -> list[tuple[str, str]]:
        """Labelled lines for people, in ``lang``: their words, figures and dates alike,
        whatever the current language (the helpers they call translate in it)."""
        from fieldplan.i18n import get_language, speaking

        with speaking(lang):
            # (by the code spoken: "ar-SA" named Arabic, which its helpers, the office's
            # name among them, took for no language they knew)
            return self._lines(get_language())

    def _lines(self, lang: str) -> list[tuple[str, str]]:
        from fieldplan.i18n import _, format_number, join_clauses, ltr, ngettext, role_label
        from fieldplan.offices import office_name
        from fieldplan.sync.enrol import key_deadline_text

        def when(stamp: str | None) -> str:
            return stamp_text(stamp, lang) if stamp else _("never")

        s = self.sync
        # drafts of a locked period are said apart: they wait for no one at the office
        open_drafts = self.draft_reports - sum(self.locked_drafts.values())
        open_hq = self.hq_drafts - sum(self.locked_hq_drafts.values())
        out = [
            (_("Role"), role_label(self.role, lang)),
            (_("Office"), f"{self.office} — {office_name(self.office, lang)}"),
            (_("Replica"), self.replica),
            (_("Key"), _("{key_id} (fingerprint {fingerprint})").format(
                key_id=self.key_id, fingerprint=ltr(self.fingerprint, lang))),
            *([(_("Warning"), s.key_file_text)] if s.key_file_text else []),
            *([(_("Headquarters key"), _("{key_id} (fingerprint {fingerprint})").format(
                key_id=self.hq_key_id, fingerprint=ltr(self.hq_fingerprint, lang)))]
              if self.hq_key_id else []),
            *([(_("Warning"), revoked_text(s.unsent, s.key_replaced_by))]
              if self.key_status == "revoked"
              else []),
            *([(_("Warning"), continued_text(s.continued_by))] if s.continued_by else []),
            *([(_("Warning"), key_deadline_text(s.key_deadline, EXPORT_COMMAND,
                                                 exported=bool(s.last_export), lang=lang))]
              if s.key_deadline else []),
            (_("Plan"), _("{plan} version {version}").format(
                plan=self.plan_id, version=self.plan_version)),
            # (the plural is the events written here's: "dont 1 écrit ici")
            (_("Events"), ngettext("{total} held, {own} written here",
                                   "{total} held, {own} written here", self.own_events)
             .format(total=format_number(self.events, lang),
                     own=format_number(self.own_events, lang))),
            (_("Reports"), join_clauses((ngettext(
                "{total} held, {hidden} of them hidden by the plan",
                "{total} held, {hidden} of them hidden by the plan", self.hidden_reports)
             .format(total=format_number(self.reports, lang),
                     hidden=format_number(self.hidden_reports, lang))
             if self.hidden_reports else format_number(self.reports, lang),
                # (the pack's cover's words: "Reports: 35; 2 drafts not yet submitted")
                open_drafts_text(open_drafts, open_hq, lang) if open_drafts else "",
                *(locked_drafts_text(n, period, lang, self.locked_hq_drafts.get(period, 0))
                  for period, n in self.locked_drafts.items()),
            ))),
            (_("Locked periods"), periods_text(self.locked_periods)
             if self.locked_periods else _("none")),
            *((awaited_label(a.period), awaited_text(a, lang)) for a in self.awaited),
            *[(_("Warning"), text)
              for text in after_lock_lines(self.changed_after_lock, hq=self.role == "hq")],
            *self._restored_lines(when),
            (_("Last export"), when((s.last_export or {}).get("at"))),
            (_("Last import"), last_import_text(s.last_import, when)),
        ]
        if self.role != "hq":
            if s.hq_has_seq:
                out.append((_("Headquarters"), _("has your data up to event {seq} ({when})")
                            .format(seq=s.hq_has_seq, when=when(s.hq_has_at))))
            else:
                out.append((_("Headquarters"), _("has not acknowledged any of your data yet")))
            # what no bundle carried yet; and what the last one did, which headquarters
            # has not acknowledged (the next bundle carries both)
            fresh = s.unsent - s.sent_unacknowledged
            if fresh:
                unsent = ngettext("{n} change", "{n} changes", fresh).format(
                    n=format_number(fresh, lang))
            else:
                # (in words: French plural forms cannot tell 0 from 1, "0 modification")
                # Translators: after "Not yet sent: ", when every change has gone in a
                # bundle (French "aucune modification")
                unsent = _("no changes")
            out.append((_("Not yet sent"), unsent))
            if s.sent_unacknowledged:
                out.append((_("Sent, not acknowledged yet"), ngettext(
                    "{n} change (the next bundle carries it again)",
                    "{n} changes (the next bundle carries them again)",
                    s.sent_unacknowledged).format(n=format_number(s.sent_unacknowledged,
                                                                  lang))))
        # one line each, by office (``list_gaps``): joined on one line, a dozen offices'
        # gaps were one line of clauses to search for an office's
        # (made again here: ``s.gaps`` is in the language status was read in)
        out += [(_("Gaps"), gap) for gap in s.gap_messages()] or [(_("Gaps"), _("none"))]
        if s.hq_only:
            out.append((_("Not here yet"), hq_only_text(s.hq_only_count)))
        # (HQ) what a bundle from here must repair: the person sends the office one
        from fieldplan.sync.state import fork_messages, shared_identity_messages

        # (as the gaps: made in ``lang`` from their records)
        out += [(_("Forked history"), text) for text in (
            fork_messages(list(s.fork_records)) if s.fork_records else s.forks)]
        out += [(_("Shared identity"), text) for text in (
            shared_identity_messages(list(s.shared_records)) if s.shared_records
            else s.shared_identities)]
        if s.hq_forks:
            from fieldplan.sync.fork import hq_fork_text

            # (HQ) its own history forked: offices refuse its bundles until it is put back
            out += [(_("Forked history"), hq_fork_text(f, when(f["written"])))
                    for f in s.hq_forks]
        if s.quarantined:
            from fieldplan.bundle import _size
            from fieldplan.sync.exchange import (
                QUARANTINE_MAX_BUNDLES,
                QUARANTINE_MAX_BYTES,
            )

            # Translators: the bundles waiting in quarantine against the most it
            # keeps; {count} is "3", {size} "1.2 MiB", {max_count} "500", {max_size}
            # "512 MiB"
            out.append((_("Quarantine"), _(
                "{count} of at most {max_count} ({size} of {max_size})").format(
                    count=format_number(s.quarantined, lang),
                    max_count=format_number(QUARANTINE_MAX_BUNDLES, lang),
                    size=_size(s.quarantine_bytes), max_size=_size(QUARANTINE_MAX_BYTES))))
        else:
            out.append((_("Quarantine"), format_number(s.quarantined, lang)))
        out.append((_("Conflicts"), format_number(s.conflicts, lang)))
        return out

    def _restored_lines(self, when) -> list[tuple[str, str]]:
        from fieldplan.i18n import _, counted

        r = self.sync.restored
        if not r:
            return []
        if r.get("forked"):
            from fieldplan.sync.fork import repaired_text

            done = r["forked"]
            out = [(_("Warning"), repaired_text(done.get("first", 0), done.get("last", 0),
                                                str(done.get("new", ""))))]
        elif r.get("went_back") and "written" in r["went_back"]:
            out = [(_("Warning"), went_back_text(r, when, hq=self.role == "hq"))]
        elif r.get("went_back"):
            gone = r["went_back"]
            out = [(_("Warning"), _(
                "on {at} this database had events of this computer up to {held} only, "
                "while another computer held them up to {acked}: it had lost its last "
                "changes (copied while fieldplan had it open, or its -wal file lost). It "
                "continues as a new replica (it was {replica}); the changes it lost come "
                "back with the next bundle from headquarters").format(
                    at=when(r.get("at")), held=gone.get("held"), acked=gone.get("acked"),
                    replica=str(r.get("replica", ""))[:8]))]
        elif r.get("backup_taken"):
            out = [(_("Restored"), _("from a backup taken {taken}, on {at}; this database "
                                     "continues as a new replica (it was {replica})").format(
                taken=when(r.get("backup_taken")), at=when(r.get("at")),
                replica=str(r.get("replica", ""))[:8]))]
        else:  # a copy made by hand: neither its mark nor its name says when
            out = [(_("Restored"), _("from a backup taken at a time not known, on {at}; "
                                     "this database continues as a new replica (it was "
                                     "{replica})").format(
                at=when(r.get("at")), replica=str(r.get("replica", ""))[:8]))]
        n = r.get("lost", 0)
        if n:
            out.append((_("Warning"), counted(
                "offices hold {n} event headquarters wrote after the backup, which this "
                "database lost (a plan change, a period lock, a key or headquarters' own "
                "report): make it again",
                "offices hold {n} events headquarters wrote after the backup, which this "
                "database lost (plan changes, period locks, keys or headquarters' own "
                "reports): make them again",
                n)))
        u = r.get("unreported", 0)
        if u:
            out.append((_("Warning"), counted(
                "the database this restore replaced held {n} change headquarters made "
                "after the backup that no office has said it holds: make it again unless "
                "it was sent",
                "the database this restore replaced held {n} changes headquarters made "
                "after the backup that no office has said it holds: make them again unless "
                "they were sent", u)))
        out += [(_("Warning"), item["text"]) for item in r.get("revoked_lost", ())]
        # (HQ) offices' events it had received: their figures lack them meanwhile
        out += [(_("Warning"), item["text"]) for item in r.get("offices_lost", ())]
        # (a database that went back says so in its own warning above)
        back = r.get("missing", 0) if self.role != "hq" and not r.get("went_back") else 0
        if back:
            # sent before the backup was put back: headquarters holds them, and sends
            # them once this computer's receipts say it lacks them
            out.append((_("Warning"), counted(
                "headquarters holds {n} change of this computer that this database lost: "
                "export to headquarters, and its next bundle brings it back",
                "headquarters holds {n} changes of this computer that this database lost: "
                "export to headquarters, and its next bundle brings them back",
                back)))
        never = r.get("never_sent", 0)
        if never:
            out.append((_("Warning"), never_sent_text(never, bool(r.get("lost_changes")))))
        if n or u or never:
            out += [(_("Lost"), text) for text in lost_lines(r)]
        # (an office) exported before the restore: safe once headquarters has them
        if r.get("not_received"):
            out.append((_("Warning"), not_received_text(r)))
        if r.get("unconfirmed"):
            out.append((_("Sent, not acknowledged yet"), unconfirmed_text(r)))
        return out


def awaited_label(period: str) -> str:
    """The label of ``status``'s line on who ``period`` awaits (headquarters)."""
    from fieldplan.i18n import _

    # Translators: a line of 'fieldplan status' at headquarters, "Reported on 1st
    # semester 2026: 2 of 3 offices awaited; not reported: SN"
    return _("Reported on {period}").format(period=period_text(period))


def awaited_text(awaited: Any, lang: str | None = None) -> str:
    """What ``status`` says of who a period awaits (``sync.export.AwaitedOffices``), in
    the words of the lock check and the review pack: how many of the offices awaited
    have reported (submitted a report), those that have not (by code, the first few
    when many), and those it does not await, and why (enrolled after it ended, or
    after it was locked)."""
    from fieldplan.i18n import (
        _,
        counted,
        format_number,
        get_language,
        join_clauses,
        ngettext,
        speaking,
    )

    if lang is not None and lang != get_language():
        with speaking(lang):  # its words too, not its figures only
            # (as the code spoken now: "fr_FR" named French, and was never equal to it)
            return awaited_text(awaited, get_language())
    total, done = len(awaited.awaited), len(awaited.reported)
    if not total:
        head = _("no office awaited")
    else:
        head = ngettext("{n} of {total} office awaited", "{n} of {total} offices awaited",
                        total).format(n=format_number(done, lang),
                                      total=format_number(total, lang))
    missing = list(awaited.not_reported)
    after_lock = set(awaited.after_lock)
    ended = [o for o in awaited.not_awaited if o not in after_lock]
    locked = [o for o in awaited.not_awaited if o in after_lock]
    return join_clauses((
        head,
        # Translators: offices awaited on a period that have submitted nothing for it,
        # by code, "not reported: ML, SN"
        _("not reported: {offices}").format(offices=named_offices(missing))
        if missing else "",
        # Translators: offices known at headquarters that a period does not await (as
        # the review pack says them), by code, "2 offices not awaited, as they were
        # enrolled after the period ended: JO, RO-Dakar"
        counted("{n} office not awaited, as it was enrolled after the period ended: "
                "{offices}",
                "{n} offices not awaited, as they were enrolled after the period ended: "
                "{offices}", len(ended), lang=lang,
                offices=named_offices(ended)) if ended else "",
        # Translators: as above, offices enrolled after headquarters locked the period
        # (before it ended), "1 office not awaited, as it was enrolled after the period
        # was locked: JO"
        counted("{n} office not awaited, as it was enrolled after the period was "
                "locked: {offices}",
                "{n} offices not awaited, as they were enrolled after the period was "
                "locked: {offices}", len(locked), lang=lang,
                offices=named_offices(locked)) if locked else "",
    ))


def period_text(period: str) -> str:
    """A period in words ("1st semester 2026"), or as written when it is not one this
    version knows."""
    from fieldplan.i18n import period_words

    return period_words(period)


def open_drafts_text(count: int, hq: int = 0, lang: str | None = None) -> str:
    """What ``status`` says of the ``count`` drafts not yet submitted, ``hq`` of them
    headquarters' own (said apart when some are and some are not), in the review
    pack's cover's words."""
    from fieldplan.i18n import format_number, get_language, ngettext, speaking

    if lang is not None and lang != get_language():
        with speaking(lang):  # its words too, not its figures only
            return open_drafts_text(count, hq, get_language())
    if hq and hq != count:
        return ngettext(
            "{count} draft not yet submitted, {hq} of them headquarters' own",
            "{count} drafts not yet submitted, {hq} of them headquarters' own",
            count).format(count=format_number(count, lang), hq=format_number(hq, lang))
    return ngettext("{count} draft not yet submitted", "{count} drafts not yet submitted",
                    count).format(count=format_number(count, lang))


def locked_drafts_text(count: int, period: str, lang: str | None = None,
                       hq: int = 0) -> str:
    """What ``status`` says of the ``count`` drafts left in ``period`` when headquarters
    locked it: "10 drafts not yet submitted" let an office think it could still submit
    them (the review pack says them so too). ``hq``: how many of them are
    headquarters' own, said apart when some are and some are not."""
    from fieldplan.i18n import format_number, get_language, ngettext, speaking

    if lang is not None and lang != get_language():
        with speaking(lang):  # its words too, not its figures only
            return locked_drafts_text(count, period, get_language(), hq)
    if hq and hq != count:
        # Translators: a clause of status's Reports line; {period} is "2nd semester
        # 2026"; {hq} of the drafts are headquarters' own (on the global actions)
        return ngettext(
            "{count} draft left when {period} was locked, {hq} of them headquarters' "
            "own: it will not be submitted unless headquarters unlocks the period",
            "{count} drafts left when {period} was locked, {hq} of them headquarters' "
            "own: they will not be submitted unless headquarters unlocks the period",
            count).format(count=format_number(count, lang), period=period_text(period),
                          hq=format_number(hq, lang))
    # Translators: a clause of status's Reports line; {period} is "2nd semester 2026"
    return ngettext(
        "{count} draft left when {period} was locked: it will not be submitted unless "
        "headquarters unlocks the period",
        "{count} drafts left when {period} was locked: they will not be submitted unless "
        "headquarters unlocks the period", count).format(
            count=format_number(count, lang), period=period_text(period))


def drafts_left_by_locks(rep: Replica, periods: Iterable[str], office: str,
                         changed: Mapping[str, tuple[Any, ...]] | None = None,
                         ) -> dict[str, int]:
    """Per period of ``periods`` (those with any), how many of ``office``'s drafts
    the plan shows are in it: what a lock of it leaves unsubmitted (``locked_drafts_text``
    says them), as the client tells an office of headquarters' lock. Those changed
    after the lock are left out (``changed``: ``progress.changed_after_lock``'s, read
    already when given): ``after_lock_lines`` names them, and says what they need."""
    from fieldplan.planops import PlanScope

    wanted = sorted(set(periods))
    if not wanted:
        return {}
    if changed is None:
        from fieldplan.progress import changed_after_lock

        changed = changed_after_lock(rep, office=office)
    named = {(c.action, c.period) for changes in changed.values() for c in changes
             if c.office == office}
    scope = PlanScope(rep.plan())
    found: dict[str, int] = {}
    for action, period in rep.conn.execute(
            "SELECT action, period FROM progress WHERE office = ? AND state = 'draft' "
            "AND period IN (" + ",".join("?" * len(wanted)) + ") ORDER BY period",
            (office, *wanted)):
        if (action, period) not in named and scope.shows(office, action, period):
            found[period] = found.get(period, 0) + 1
    return found


def periods_text(periods: Iterable[str]) -> str:
    """Periods in words, joined as the language lists ("1st semester 2026, 2nd
    semester 2026"); in a kept message (the Inbox's reasons), said again in the
    reader's language (``i18n.Periods``)."""
    from fieldplan.i18n import Periods, periods_in

    periods = list(periods)
    return Periods(periods_in(periods), periods)


def after_lock_lines(changed: Mapping[str, tuple[Any, ...]], *, hq: bool) -> list[str]:
    """Per locked period, the reports changed after its lock (``changed``:
    progress.changed_after_lock's): at headquarters the offices' reports; at an office
    its own, and what it takes to submit them (not its drafts the plan hides, which
    nothing submits)."""
    from fieldplan.i18n import counted

    out = []
    for period, changes in changed.items():
        shown = period_text(period)
        if hq:
            # (changed after the lock, or changed before and received after it: the
            # review pack's "Last changed" and "Last received" say which)
            out.append(counted(
                "{period} locked; {n} report changed or received after the lock: {reports}",
                "{period} locked; {n} reports changed or received after the lock: {reports}",
                len(changes), period=shown, reports=named_reports(
                    [f"{c.office} {c.action}" for c in changes])))
            continue
        # (not a draft the plan hides: it stays a draft for good, unlocked or not, and
        # the Reports line counts it with the hidden ones)
        drafts = [c.action for c in changes if c.state != "submitted" and not c.hidden]
        done = [c.action for c in changes if c.state == "submitted"]
        if drafts:
            out.append(counted(
                "{period} locked by headquarters; {n} report of this office changed "
                "after the lock: {reports}; headquarters must unlock the period for it "
                "to be submitted",
                "{period} locked by headquarters; {n} reports of this office changed "
                "after the lock: {reports}; headquarters must unlock the period for "
                "them to be submitted", len(drafts), period=shown, reports=named_reports(drafts)))
        if done:
            out.append(counted(
                "{period} locked by headquarters; {n} report of this office was changed "
                "and submitted after the lock: {reports}",
                "{period} locked by headquarters; {n} reports of this office were "
                "changed and submitted after the lock: {reports}", len(done),
                period=shown, reports=named_reports(done)))
    return out


def hq_only_text(n: int) -> str:
    """(an office) What to do about ``SyncState.hq_only``: ``n`` events of this office's
    other computers that headquarters holds and this computer has not received."""
    from fieldplan.i18n import counted

    return counted(
        "headquarters holds {n} change from this office's other computers that this "
        "computer has not received yet: export a bundle to headquarters, and its next "
        "bundle for this office brings it",
        "headquarters holds {n} changes from this office's other computers that this "
        "computer has not received yet: export a bundle to headquarters, and its next "
        "bundle for this office brings them", n)


def never_sent_text(n: int, named: bool) -> str:
    """(an office, restored from a backup) What it lost for good: ``n`` changes made
    on this computer after the backup that headquarters never had; ``named``: which
    they are could be read from the replaced file (they are listed after this)."""
    from fieldplan.i18n import counted

    if named:
        return counted(
            "{n} change made on this computer after the backup was never sent to "
            "headquarters, and is lost: make it again",
            "{n} changes made on this computer after the backup were never sent to "
            "headquarters, and are lost: make them again", n)
    return counted(
        "{n} change made on this computer after the backup was never sent to "
        "headquarters, and is lost (which one could not be read from the damaged "
        "file): make it again",
        "{n} changes made on this computer after the backup were never sent to "
        "headquarters, and are lost (which ones could not be read from the damaged "
        "file): make them again", n)


def not_received_text(restored: Mapping[str, Any]) -> str:
    """(an office, restored from a backup) The changes made after the backup that a
    bundle carried and headquarters' receipts, since the restore, show it never
    received (``restored_state``'s ``not_received``): the bundle to import there again,
    or the changes to make again, named. "" when there are none."""
    from fieldplan.i18n import counted, ltr

    n = restored.get("not_received", 0)
    if not n:
        return ""
    file, changes = _sent_bundle(restored), _sent_changes(restored)
    if changes:
        return counted(
            "{n} change made on this computer after the backup was exported in {file}, "
            "but headquarters' receipts show it never received it: import {file} at "
            "headquarters again if you still have it, or make this change again: "
            "{changes}",
            "{n} changes made on this computer after the backup were exported in {file}, "
            "but headquarters' receipts show it never received them: import {file} at "
            "headquarters again if you still have it, or make these changes again: "
            "{changes}", n, file=ltr(file), changes=changes)
    return counted(
        "{n} change made on this computer after the backup was exported in {file}, but "
        "headquarters' receipts show it never received it (which one could not be read "
        "from the damaged file): import {file} at headquarters again if you still have "
        "it, or make it again",
        "{n} changes made on this computer after the backup were exported in {file}, but "
        "headquarters' receipts show it never received them (which ones could not be "
        "read from the damaged file): import {file} at headquarters again if you still "
        "have it, or make them again", n, file=ltr(file))


def unconfirmed_text(restored: Mapping[str, Any]) -> str:
    """(an office, restored from a backup) The changes made after the backup that a
    bundle carried and headquarters has not acknowledged, with no bundle from it
    since the restore to tell (``restored_state``'s ``unconfirmed``): the file to keep
    until it does. "" when there are none."""
    from fieldplan.i18n import counted, ltr

    n = restored.get("unconfirmed", 0)
    if not n:
        return ""
    file, changes = _sent_bundle(restored), _sent_changes(restored)
    if changes:
        return counted(
            "{n} change made on this computer after the backup was exported in {file}, "
            "and headquarters has not confirmed it yet: {changes}; keep {file} until "
            "headquarters' next bundle confirms it",
            "{n} changes made on this computer after the backup were exported in {file}, "
            "and headquarters has not confirmed them yet: {changes}; keep {file} until "
            "headquarters' next bundle confirms them", n, file=ltr(file), changes=changes)
    return counted(
        "{n} change made on this computer after the backup was exported in {file}, and "
        "headquarters has not confirmed it yet: keep {file} until headquarters' next "
        "bundle confirms it",
        "{n} changes made on this computer after the backup were exported in {file}, and "
        "headquarters has not confirmed them yet: keep {file} until headquarters' next "
        "bundle confirms them", n, file=ltr(file))


def _sent_bundle(restored: Mapping[str, Any]) -> str:
    """The file name of the bundle that carried the changes of ``not_received_text``,
    or words for it when the restore could not read it."""
    from fieldplan.i18n import _

    # Translators: stands for a bundle's file name where it is not known: "… were
    # exported in {file} …", "import {file} at headquarters again"
    return restored.get("bundle") or _("the last bundle exported before the restore")


def _sent_changes(restored: Mapping[str, Any]) -> str:
    """The changes of ``not_received_text`` in short: "PA1.2 (1st semester 2026),
    PA1.3 (1st semester 2026)" ("" when not known)."""
    from fieldplan.i18n import _
    from fieldplan.sync.state import change_words

    names = []
    for item in restored.get("sent_changes", ()):
        if item.get("entity") == "progress":
            _office, _sep, rest = str(item.get("id", "")).partition("|")
            action, _sep, period = rest.partition("|")
            # Translators: a report: {action} is an action code such as PA1.2,
            # {period} a period in words, "1st semester 2026"
            names.append(_("{action} ({period})").format(action=action,
                                                         period=period_text(period)))
        else:
            names.append(change_words(item.get("entity", ""), item.get("id", ""),
                                      item.get("fields") or {}))
    return named_changes(list(dict.fromkeys(names)))


def went_back_notice(rep: Replica) -> str:
    """(once renewed) The warning ``went_back_text`` gives in status, for the command
    or the window that found it, in the current language."""
    from fieldplan.i18n import get_language
    from fieldplan.sync.state import restored_state

    restored = restored_state(rep) or {}
    if not isinstance(restored.get("went_back"), dict):
        return ""
    lang = get_language()
    return went_back_text(restored, lambda stamp: stamp_text(stamp, lang), hq=rep.is_hq)


def stamp_text(stamp: Any, lang: str) -> str:
    """A UTC time as stored ("2026-12-03T18:50:37Z") in ``lang``, or the text as it is
    when it is not one."""
    from fieldplan.i18n import format_datetime

    try:
        at = dt.datetime.strptime(str(stamp), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return str(stamp or "")
    return format_datetime(at.replace(tzinfo=dt.UTC), lang)


def went_back_text(restored: dict[str, Any], when: Callable[[Any], str], *,
                   hq: bool) -> str:
    """What the write mark found (``fieldplan.writemark``): this database had gone back
    to an older copy, caught when it was opened, before anything was written."""
    from fieldplan.i18n import _

    gone = restored["went_back"]
    at, replica = when(restored.get("at")), str(restored.get("replica", ""))[:8]
    if gone.get("written", 0) > gone.get("held", 0):
        found = _("on {at} this database had events of this computer up to {held} only, "
                  "while this computer had written them up to {written}: it had gone back "
                  "to an older copy (put in its place, or its -wal file lost)").format(
                      at=at, held=gone.get("held"), written=gone.get("written"))
    else:
        found = _("on {at} this database's event {written} of this computer was not the "
                  "one this computer had written: it had gone back to an older copy and "
                  "was written on since").format(at=at, written=gone.get("written"))
    if hq:
        then = _("It continues as a new replica (it was {replica}) before anything more "
                 "was written; the changes it lost (plan changes, period locks, keys or "
                 "headquarters' own reports) are listed here as offices report holding "
                 "them: make them again").format(
                     replica=replica)
    else:
        then = _("It continues as a new replica (it was {replica}) before anything more "
                 "was written; the changes it lost that were sent come back with the next "
                 "bundle from headquarters, the others must be made again").format(
                     replica=replica)
    # Translators: {found} says what was found, {then} what was done and what comes next
    return _("{found}. {then}").format(found=found, then=then)


#: How many reports changed after a lock ``status`` names before "and N more".
NAMED_REPORTS = 3


def _first_and_more(names: list[str], shown: int,
                    say: Callable[[int, str], str]) -> str:
    """``names`` joined, or the first ``shown`` of them followed by how many more
    (``say(more, first)``, the caller's own message: more reports, offices, files)."""
    from fieldplan.i18n import join_list

    if len(names) <= shown + 1:  # "1 more" would take the room of its name
        return join_list(names)
    return say(len(names) - shown, join_list(names[:shown]))


def named_reports(names: list[str], shown: int = NAMED_REPORTS) -> str:
    """"ML PA3.1, SN PA1.2": the first ``shown`` names, then how many more."""
    from fieldplan.i18n import counted

    return _first_and_more(names, shown, lambda more, first: counted(
        "{names} and {n} more", "{names} and {n} more", more, names=first))


def named_offices(names: list[str], shown: int = NAMED_REPORTS) -> str:
    """"BN, GM, KG and 3 more offices": the first ``shown`` office codes, then how many
    more offices (``named_reports`` counts more reports, which Arabic says in words)."""
    from fieldplan.i18n import counted

    # Translators: office codes, then how many more offices, "BN, GM, KG and 3
    # more offices"
    return _first_and_more(names, shown, lambda more, first: counted(
        "{names} and {n} more office", "{names} and {n} more offices", more,
        names=first))


def named_files(names: list[str], shown: int = NAMED_REPORTS) -> str:
    """"ML-1.fieldplan, ML-2.fieldplan, ML-3.fieldplan and 2 more files": the first
    ``shown`` file names, then how many more files (``named_reports`` counts reports)."""
    from fieldplan.i18n import counted, ltr

    # Translators: file names of bundles, then how many more files,
    # "ML-1.fieldplan, ML-2.fieldplan, ML-3.fieldplan and 2 more files"
    return _first_and_more([ltr(name) for name in names], shown, lambda more, first: counted(
        "{names} and {n} more file", "{names} and {n} more files", more, names=first))


def named_changes(names: list[str], shown: int = NAMED_REPORTS) -> str:
    """"PA1.2 (1st semester 2026), … and 2 more changes": the first ``shown`` changes
    in words, then how many more changes (reports, but also a conflict resolved or any
    other change of the office's, which ``named_reports`` would call reports)."""
    from fieldplan.i18n import counted

    # Translators: changes in short ("PA1.2 (1st semester 2026)"), then how many
    # more changes, "PA1.2 (1st semester 2026), PA1.3 (1st semester 2026), PA2.1
    # (1st semester 2026) and 2 more changes"
    return _first_and_more(names, shown, lambda more, first: counted(
        "{names} and {n} more change", "{names} and {n} more changes", more,
        names=first))


def revoked_lost_text(item: Mapping[str, Any]) -> str:
    """(HQ, restored from a backup older than a revocation) What it lost of the revoked
    computer (``sync.state.revoked_lost``'s ``item``), and how it comes back."""
    from fieldplan.i18n import counted

    return counted(
        "the restore lost {n} event of {office}'s computer {replica}, whose key {key_id} "
        "headquarters revoked after the backup, but held then: import that computer's "
        "bundles again, its last and any it sent before (headquarters takes what it held "
        "of them, nothing later)",
        "the restore lost {n} events of {office}'s computer {replica}, whose key {key_id} "
        "headquarters revoked after the backup, but held then: import that computer's "
        "bundles again, its last and any it sent before (headquarters takes what it held "
        "of them, nothing later)",
        item["events"],
        office=item["office"], replica=str(item["replica"])[:8], key_id=item["key_id"])


#: How many bundle files ``offices_lost_text`` names before "and N more".
BUNDLES_NAMED = 3


def offices_lost_text(item: Mapping[str, Any]) -> str:
    """(HQ, restored from a backup) What it lost of an office's events that it had
    received after the backup (``sync.state.offices_lost``'s ``item``), what that
    does, and what brings them back."""
    from fieldplan.i18n import _, counted

    office, n = item["office"], item["events"]
    files = list(item.get("bundles") or ())
    # Translators: inside "… import {bundles} again …": the files of the bundles
    bundles = named_files(files, BUNDLES_NAMED) if files else _(
        "the bundles received from {office} since the backup").format(office=office)
    # Translators: {office} is an office code such as ML; {bundles} file names, or
    # "the bundles received from ML since the backup"
    return counted(
        "the restore lost {n} event of {office} that headquarters had received after the "
        "backup: {office}'s figures here lack it, and {office}'s next bundle leaves it out "
        "(its receipts say headquarters has it); import {bundles} again, or send {office} "
        "a bundle and import the one it exports next",
        "the restore lost {n} events of {office} that headquarters had received after the "
        "backup: {office}'s figures here lack them, and {office}'s next bundle leaves them "
        "out (its receipts say headquarters has them); import {bundles} again, or send "
        "{office} a bundle and import the one it exports next",
        n, office=office, bundles=bundles)


#: How many of the changes a restore lost ``status`` lists before "and N more".
LOST_SHOWN = 10


def lost_lines(restored: dict[str, Any], shown: int | None = LOST_SHOWN) -> list[str]:
    """The changes a restore lost, one line each, in the order they were made: those
    known here in words (offices hold them, or none has said so yet), the others by
    their numbers with the offices that hold them
    (``fieldplan.sync.state.restored_state``); the first ``shown``, then how many
    more (None: all)."""
    from fieldplan.i18n import counted

    items = [*restored.get("lost_changes", ()), *restored.get("lost_unknown", ()),
             *restored.get("lost_unreported", ())]
    replicas = list(dict.fromkeys(item.get("replica", "") for item in items))
    items.sort(key=lambda item: (replicas.index(item.get("replica", "")),
                                 item.get("seq", item.get("first", 0))))
    lines = [item.get("text", "") for item in items]
    if shown is None or len(lines) <= shown + 1:
        return lines
    more = len(lines) - shown
    return [*lines[:shown], counted(
        "{n} more: 'fieldplan status --json' lists them all",
        "{n} more: 'fieldplan status --json' lists them all", more)]


def last_import_text(last: Mapping[str, Any] | None, when: Callable[[str], str],
                     name: Callable[[str], str] = str) -> str:
    """The last import for people: "3 Dec 2026, 10:12 — SN-….fieldplan, rejected" (a
    refused bundle is not taken for one that went in). ``last``: SyncState.last_import;
    ``when`` writes its time, ``name`` its file name (the client isolates it in a
    right-to-left sentence)."""
    from fieldplan.i18n import _, ltr
    from fieldplan.sync.exchange import outcome_label

    if not last:
        return _("never")
    at = when(last.get("at") or "")
    counts = last.get("counts")
    if isinstance(counts, dict) and sum(counts.values()) > 1:
        # several files at once (``exchange.note_import_batch``): what became of each
        # kind, not the last file's alone ("…, rejected" read like a failure of the lot)
        return import_batch_text(at, counts)
    file, outcome = last.get("file"), last.get("outcome")
    if not file or not outcome:
        return at
    # Translators: the last import: {when} its date and time, {file} the bundle's file
    # name, {outcome} what became of it (merged, duplicate, quarantined, rejected)
    return _("{when} — {file}, {outcome}").format(when=at, file=ltr(name(str(file))),
                                                   outcome=outcome_label(str(outcome)))


def import_batch_text(at: str, counts: Mapping[str, int]) -> str:
    """Several files imported at once: "3 Dec 2026, 10:12 — 5 files: 2 merged, 1
    already held, 2 rejected" (``at``: its time as written for people)."""
    from fieldplan.i18n import counted, join_list

    words = {
        # Translators: a count in the last import of several files, "5 files: 2
        # merged, 1 already held, 2 rejected"
        "merged": lambda n: counted("{n} merged", "{n} merged", n),
        # Translators: files of the last import that were here already (duplicates),
        # "5 files: 2 merged, 1 already held, 2 rejected"
        "duplicate": lambda n: counted("{n} already held", "{n} already held", n),
        # Translators: files of the last import held until their key is trusted
        "quarantined": lambda n: counted("{n} quarantined", "{n} quarantined", n),
        # Translators: files of the last import that were refused
        "rejected": lambda n: counted("{n} rejected", "{n} rejected", n),
    }
    total = sum(counts.values())
    parts = [words[kind](counts[kind]) for kind in words if counts.get(kind)]
    # Translators: the last import of several files at once: {when} its date and time,
    # {outcomes} what became of them, "2 merged, 1 already held, 2 rejected"
    return counted("{when} — {n} file: {outcomes}", "{when} — {n} files: {outcomes}",
                   total, when=at, outcomes=join_list(parts))


def revoked_text(unsent: int = 0, replaced_by: str = "") -> str:
    """What a computer whose key headquarters revoked is told; ``unsent``: the changes
    made here that headquarters has not acknowledged (they go nowhere from here).
    ``replaced_by``: the key headquarters trusted for this computer in place of its key
    (``keys.replaced_here``), which cuts it off as a revocation does."""
    from fieldplan.i18n import _, counted, join_clauses

    if replaced_by:
        # Translators: {key_id} is a key id such as 1A2B3C4D5E6F7A8B
        text = _("headquarters trusted key {key_id} for this computer in place of its key "
                 "and refuses its bundles: if nobody changed this computer's key, tell "
                 "headquarters that key {key_id} is not this office's; ask headquarters "
                 "for a new setup bundle").format(key_id=replaced_by)
    else:
        text = _("headquarters revoked this computer's key and refuses its bundles; ask "
                 "headquarters for a new setup bundle")
    if unsent:
        # setting up again ('init --from FILE --replace-revoked', the client's File ▸
        # Set this computer up again…) keeps this database in a folder beside it; a
        # database deleted by hand (what 'init' suggests when told to use this file)
        # would lose what was typed here for good
        text = join_clauses([text, counted(
            "{n} change made here has not reached headquarters: setting this computer up "
            "again keeps this database in a folder beside it, where it can be read and "
            "typed again",
            "{n} changes made here have not reached headquarters: setting this computer up "
            "again keeps this database in a folder beside it, where they can be read and "
            "typed again", unsent)])
    return text


def revoked_work_text(way: str, replaced_by: str = "") -> str:
    """What a computer whose key headquarters revoked is told when something is
    recorded there (``progress set``, the client's report editor): it is kept, and
    goes nowhere. ``way``: how this computer is set up again, a command or a menu."""
    from fieldplan.i18n import _

    if replaced_by:
        # Translators: {key_id} is a key id such as 1A2B3C4D5E6F7A8B; {way} a command
        # ('fieldplan init --from FILE --replace-revoked') or a menu path
        return _("headquarters trusted key {key_id} for this computer in place of its "
                 "key: what is recorded here is kept on this computer but can never be "
                 "sent; set this computer up again from a new setup bundle ({way}) and "
                 "type it again there").format(key_id=replaced_by, way=way)
    # Translators: {way} is a command ('fieldplan init --from FILE --replace-revoked')
    # or a menu path ("File ▸ Set this computer up again…")
    return _("headquarters revoked this computer's key: what is recorded here is kept on "
             "this computer but can never be sent; set this computer up again from a new "
             "setup bundle ({way}) and type it again there").format(way=way)


def key_revoked(rep: Replica) -> bool:
    """Whether headquarters revoked this (office) computer's key (``sync_state``'s
    ``key_revoked``): nothing made here reaches headquarters any more."""
    from fieldplan.sync.keys import own_key_status

    return not rep.is_hq and own_key_status(rep) == "revoked"


def key_replaced_by(rep: Replica) -> str:
    """The key headquarters trusted in place of this computer's, which cut it off
    (``keys.replaced_here``); "" when none did (a revocation, or nothing)."""
    from fieldplan.sync.keys import replaced_here

    return replaced_here(rep)


def continued_text(new: str) -> str:
    """What a computer is told when another one continues its identity (``new``, a
    replica id): its database and key file were copied there."""
    from fieldplan.i18n import _

    # Translators: {replica} is the first 8 digits of a replica id
    return _("another computer writes under this computer's identity (replica {replica} "
             "continues it): this database and its key file were copied to it; export "
             "what was typed here, then set this computer up again from a new setup "
             "bundle").format(replica=new[:8])


def replica_status(rep: Replica) -> ReplicaStatus:
    from fieldplan.progress import changed_after_lock, locked_periods
    from fieldplan.sync import hq_key, sync_state
    from fieldplan.sync.keys import own_key_status, public_key

    pub = public_key(rep)
    hq = hq_key(rep)  # (None at headquarters)
    key_status = own_key_status(rep)
    total = rep.conn.execute("SELECT count(*) FROM events").fetchone()[0]
    own = rep.conn.execute("SELECT count(*) FROM events WHERE origin = ?",
                           (rep.replica_id,)).fetchone()[0]
    from fieldplan.offices import HQ
    from fieldplan.planops import PlanScope

    plan = rep.plan()
    # an office counts its own, as its window lists them: headquarters' reports on
    # global actions travel to it too, but it never sees them ("2 held, 1 of them
    # hidden" of an office whose one report is hidden)
    office = None if rep.is_hq else rep.office
    # the reports, those the plan hides (``planops.hidden_reports``), and the drafts it
    # shows, read once: a draft it hides stays a draft for good (``progress submit``
    # leaves it, nobody can write it), counted with the hidden ones, as the review pack
    # counts it
    scope = PlanScope(plan)
    reports = hidden = drafts = hq_drafts = 0
    locked = tuple(locked_periods(rep))
    in_locked: dict[str, int] = dict.fromkeys(locked, 0)
    hq_in_locked: dict[str, int] = dict.fromkeys(locked, 0)
    for who, action, period, state in rep.conn.execute(
            "SELECT office, action, period, state FROM progress"
            + (" WHERE office = ?" if office else ""), (office,) if office else ()):
        reports += 1
        if not scope.shows(who, action, period):
            hidden += 1
        elif state == "draft":
            drafts += 1
            ours = rep.is_hq and who == HQ
            hq_drafts += ours
            if period in in_locked:
                in_locked[period] += 1
                hq_in_locked[period] += ours
    changed = changed_after_lock(rep, office=office)
    awaited: tuple[Any, ...] = ()
    if rep.is_hq:
        from fieldplan.sync.export import awaited_offices, open_periods

        awaited = tuple(awaited_offices(rep, plan, period)
                        for period in open_periods(rep, plan))
    return ReplicaStatus(
        role=rep.role, office=rep.office, replica=rep.replica_id, key_id=pub.key_id_hex,
        fingerprint=pub.fingerprint, plan_id=rep.plan_id, plan_version=plan.version,
        events=total, own_events=own, reports=reports,
        sync=sync_state(rep, changed),  # (read once)
        key_status=key_status, locked_periods=locked,
        hidden_reports=hidden, draft_reports=drafts,
        locked_drafts={period: n for period, n in in_locked.items() if n},
        hq_drafts=hq_drafts,
        locked_hq_drafts={period: n for period, n in hq_in_locked.items() if n},
        hq_key_id=hq.key_id if hq else "", hq_fingerprint=hq.fingerprint if hq else "",
        changed_after_lock=changed, awaited=awaited)
