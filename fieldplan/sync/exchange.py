"""Verify and import signed bundles (fieldplan.sync.export writes them).

Import runs every check before anything is kept: the container (fieldplan.bundle),
plan id, recipient, the signing key (trusted, not revoked, bound to the office and
replica the manifest claims), then each event's shape, ownership and hash chain —
all inside one write transaction, rolled back on the first failure. A bundle from an
unknown key is kept whole in quarantine until a person trusts the key.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import hmac
import io
import json
import math
import os
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO

from fieldplan import bundle as bundlefmt
from fieldplan import events, store
from fieldplan.errors import (
    BundleError,
    FieldplanError,
    ForkedHistoryError,
    KeyAlreadySettledError,
    OwnershipError,
    StoreError,
    ValidationError,
)
from fieldplan.files import shown_name
from fieldplan.i18n import (
    N_,
    _,
    capturing,
    counted,
    format_date,
    format_number,
    join_clauses,
    join_list,
    ltr,
    message_record,
    ngettext,
    pgettext,
    render_record,
)
from fieldplan.minisign import PublicKey
from fieldplan.model import (
    ACTION_CODE,
    INDICATOR_KEY,
    NARRATIVE_FIELDS,
    REPORT_STATES,
    STATUSES,
)
from fieldplan.progress import MAX_TEXT, lock_clocks, locked_periods
from fieldplan.replica import Replica, receipt_limit, renew_if_gone_back
from fieldplan.status import periods_text, revoked_text
from fieldplan.sync import fork, formats
from fieldplan.sync import keys as keyreg
from fieldplan.sync.state import note_hq_bundle
from fieldplan.text import for_message

Progress = Callable[[int, int, str], None]
Source = str | os.PathLike[str] | bytes | BinaryIO

KIND_SYNC = "sync"
KIND_SETUP = "setup"
#: Why import refuses a setup bundle, in the command line's words. The client says it
#: in its own (the first-run screen's button, not a command): it knows the reason by
#: this message id, kept in the inbox with the reason (``message_record``).
SETUP_BUNDLE_REASON = N_("this is a setup bundle: start a new office with "
                         "'fieldplan init --from FILE'")
#: Why headquarters refuses a bundle headquarters wrote for an office, imported there
#: by mistake (the review pack knows it by this message id, as the setup bundle's).
HQ_BUNDLE_FOR_OFFICE_REASON = N_("bundle is addressed to {recipient}, not to {me}: "
                                 "headquarters wrote it for {recipient}; send it there")
#: Why an office refuses headquarters' bundle for another office (emailed to the wrong
#: office): its own is to be asked for. ``settle_other_offices_bundles`` knows it by
#: this message id, and drops that request when the office's own came in the same lot
#: (a stick or folder of headquarters' bundles for every office).
HQ_BUNDLE_FOR_OTHER_OFFICE_REASON = N_(
    "bundle is addressed to {recipient}, not to {me}: headquarters wrote it for "
    "{recipient}; send it there, and ask headquarters for the bundle for {me}")
#: Why headquarters finds nothing new in a setup bundle it wrote, met again (a
#: duplicate; the client knows it by this message id, as a setup bundle refused).
HQ_OWN_SETUP_REASON = N_("headquarters wrote this setup bundle for {recipient}: nothing "
                         "new here; it sets up a computer of {recipient}")
#: Why an office computer finds nothing new in its own bundle for headquarters, met
#: again (a duplicate; ``settle_own_bundles`` knows it by this message id).
OFFICE_OWN_REASON = N_("this computer wrote this bundle for headquarters: nothing new "
                       "here; send it to headquarters")
#: Why a bundle still waits in quarantine when its key was registered by an import
#: that then could not take it (``_release_quarantined``): the quarantine list knows
#: these inbox lines by this message id (``list_quarantine``), and says them only
#: while the key stays on record
# Translators: why a bundle still waits in quarantine; {file} is the bundle file whose
# import registered its key, {error} what the database said, {then} what takes it
# ("trusting its key or importing its file again imports it")
KEY_ON_RECORD_FAILED_REASON = N_(
    "its key is on record now (registered by {file}), but it could not be imported "
    "then ({error}): {then}")
#: Why a bundle left waiting in quarantine, its key on record (``KEY_ON_RECORD_FAILED
#: _REASON``), is in the inbox as rejected when a person removed it (``refuse_key``):
#: not a refusal of its key, which stays on record
# Translators: why a bundle is listed as not imported; a person at headquarters
# removed it from quarantine
KEY_ON_RECORD_REMOVED_REASON = N_(
    "removed from quarantine by hand, not imported: its key stays on record, and "
    "importing its file again imports it")
BATCH = 2000
ENROL_CONTEXT = b"fieldplan-enrolment\0"
#: manifest key (HQ's bundles for an office): how many of its events are the key records
#: of a revoked computer of the office, carried in every bundle so that it learns it
#: (``export.revocation_news``), and those a computer left on a continued replica
#: lacks up to the registration of the one continuing it (``export.renewal_news``);
#: the office's other computers hold them already
REVOCATION_RECORDS = "revocation_records"
#: meta key (a computer headquarters revoked): per origin, up to which event the
#: bundles headquarters wrote for its office once it was cut off left out what they
#: did not carry on purpose (JSON: origin → seq, ``note_not_sent``): headquarters sends
#: such a computer its key records alone (``export.revocation_news``), so the holes
#: below are no missing bundle (``list_gaps`` leaves them out)
NOT_SENT_UPTO = "not_sent_upto"


# --- results ----------------------------------------------------------------------------

# Reasons are one line for a person, written in the language of the moment; the inbox
# keeps them as written (an import made in French shows its reason in French later).

_OUTCOME_LABELS = {
    "merged": lambda: pgettext("import outcome", "merged"),
    "duplicate": lambda: pgettext("import outcome", "duplicate"),
    "quarantined": lambda: pgettext("import outcome", "quarantined"),
    "rejected": lambda: pgettext("import outcome", "rejected"),
}


def outcome_label(outcome: str) -> str:
    """An import outcome (merged, duplicate, quarantined, rejected) in the current language."""
    make = _OUTCOME_LABELS.get(outcome)
    return make() if make else outcome


def events_text(new: int, total: int) -> str:
    """What an imported bundle brought, "3 new of 5 events": each number with its own
    plural (French "1 nouveau sur 2 événements", not one plural from the total for
    both); "no events" for a bundle of receipts only (Arabic said "0 new out of no
    events"); when none is new, that they were all known (not "0 new of 1 event")."""
    if not total:
        # Translators: what an imported bundle brought, in "ML-….fieldplan: merged (no
        # events)": it carried receipts only
        return _("no events")
    if not new:
        # Translators: what an imported bundle brought when every event of it was here
        # already, in "ML-….fieldplan: duplicate (nothing new: 5 events already
        # known)"; said apart from "3 new of 5 events", which read "0 new of 1 event"
        return counted("nothing new: {count} event already known",
                       "nothing new: {count} events already known", total)
    # Translators: the end of "3 new of 5 events" ({new} new {of_events}), apart so
    # that it takes the plural of the total (and its case after "of")
    of_events = counted("of {count} event", "of {count} events", total)
    # Translators: what an imported bundle brought, "3 new of 5 events"; {of_events} is
    # "of 5 events", translated apart with its own plural; the plural here agrees
    # with {new}
    return ngettext("{new} new {of_events}", "{new} new {of_events}", new).format(
        new=format_number(new), of_events=of_events)


def _event_where(seq: int, office: str) -> str:
    if office == "HQ":  # (French: "du Siège", not "du bureau HQ")
        return _("event {seq} of headquarters").format(seq=seq)
    return _("event {seq} of {office}").format(seq=seq, office=office)


def _events_line(n: int) -> str:
    return _("{file} line {line}").format(file=bundlefmt.EVENTS, line=n)


#: What a crafted bundle can still raise past the checks (a number too large for
#: SQLite, nesting too deep, text that is not text): refused like any bad bundle.
_HOSTILE = (OverflowError, RecursionError, UnicodeError, ValueError)


def _malformed(exc: BaseException, where: str = "") -> str:
    """The reason for a bundle refused by an error no check foresaw (``_HOSTILE``): a
    fixed sentence of what kind of value it holds, naming where (``where``: a member,
    "events.jsonl line 4") when that is known. Python's own words ("invalid literal
    for int() with base 10", "'utf-8' codec can't encode…"), which the reason quoted,
    are for a programmer: FIELDPLAN_DEBUG=1 prints them, with the traceback, on
    stderr."""
    if os.environ.get("FIELDPLAN_DEBUG"):
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if isinstance(exc, OverflowError):
        # Translators: what a refused bundle holds, in "malformed bundle: it holds {problem}"
        problem = _("a number too large to store")
    elif isinstance(exc, RecursionError):
        # Translators: as above
        problem = _("values nested too deeply")
    elif isinstance(exc, UnicodeError):
        # Translators: as above
        problem = _("text that is not valid Unicode")
    else:
        # Translators: as above; an error no check of fieldplan's foresaw
        problem = _("a value fieldplan cannot read")
    if where:
        # Translators: {where} is a part of the bundle ("events.jsonl line 4",
        # "events.jsonl"); {problem} what it holds ("a number too large to store")
        return _("malformed bundle: {where} holds {problem}").format(
            where=where, problem=problem)
    # Translators: {problem} is what the bundle holds ("a number too large to store")
    return _("malformed bundle: it holds {problem}").format(problem=problem)


def _cannot_read(exc: OSError) -> str:
    from fieldplan.files import os_error_reason

    return _("cannot read: {error}").format(error=os_error_reason(exc))


def _released_name(o: ImportOutcome) -> str:
    """A bundle a key brought out of quarantine, merged, as the line of the import
    that brought it names it: its file, and what else its own line says of it (a
    locked period it changed, reports now in conflict, gaps), which the command
    line's lines and the client's result said nowhere else (the inbox only)."""
    plain = _("{file}: {outcome} ({detail})").format(
        file=ltr(o.file), outcome=outcome_label(o.outcome),
        detail=events_text(o.events_new, o.events_total))
    line = o.line()
    return ltr(o.file) if line == plain else line


@dataclass(frozen=True)
class ImportOutcome:
    """What importing one file did. outcome: merged, duplicate, quarantined or rejected;
    reason: one line for a person; events_new / events_total: events added / carried."""

    file: str
    outcome: str
    reason: str = ""
    office: str = ""
    replica: str = ""
    key_id: str = ""
    fingerprint: str = ""
    bundle_id: str = ""
    events_new: int = 0
    events_total: int = 0
    gaps: tuple[str, ...] = ()
    #: periods headquarters had locked that this bundle still changed (late data)
    late_periods: tuple[str, ...] = ()
    #: the gaps as data: origin, office, first, last, message (``gaps``: the messages)
    gap_ranges: tuple[dict[str, Any], ...] = ()
    #: the plan's version after this import, when the bundle brought a new plan
    #: (an amendment from headquarters); 0 when the plan stayed as it was
    plan_version: int = 0
    #: (at an office) how many of this office's reports the new plan hides that the
    #: plan before it showed (planops.PlanScope)
    plan_hidden: int = 0
    #: (at an office) the indicators (``ACTION/KEY``) of which the new plan hides
    #: values this office recorded, in reports it still shows, that the plan before
    #: showed: an indicator dropped or moved to another action (the values are kept)
    plan_hidden_values: tuple[str, ...] = ()
    #: (at an office) those of ``plan_hidden_values`` whose indicator the new plan
    #: moved to another action, each with that action (``Plan.moved_values``): the
    #: plan has them still, elsewhere, and the import says where
    plan_moved_values: tuple[tuple[str, str], ...] = ()
    #: what the new plan changes of the one before it, a short line each ("Action
    #: added (1): PA1.9"; plan_diff.short_lines); () when the plan stayed as it was
    plan_changes: tuple[str, ...] = ()
    #: (at an office) what the repair of a forked history did (fieldplan.sync.fork), or ""
    repair: str = ""
    #: of the reports this bundle changed, those the plan (after it) hides, and why
    #: (``planops.PlanScope.why_hidden``'s words): an office still on an older plan,
    #: reporting on an action headquarters removed or moved to another level
    hidden_brought: int = 0
    hidden_why: tuple[str, ...] = ()
    #: the indicators (``ACTION/KEY``) of which this bundle brought values, in reports
    #: the plan shows, that the plan no longer has: an office's values typed against
    #: an older plan (kept, as the reports on a dropped action are)
    hidden_values_brought: tuple[str, ...] = ()
    #: (at an office) when headquarters wrote this bundle (ISO UTC), when that is far
    #: earlier than this computer's clock says (``clock_ahead_since``): its date is
    #: likely wrong; "" otherwise
    clock_ahead: str = ""
    #: (at an office) when headquarters wrote this bundle (ISO UTC), when that is later
    #: than this computer's clock says (``clock_behind_since``): a computer whose date
    #: went back (a flat BIOS battery: 2000) dates its changes before they were made
    clock_behind: str = ""
    #: (at headquarters) the time an office's bundle or its changes are dated (ISO
    #: UTC) and the bundle's arrival, when that date cannot be right
    #: (``office_clock_wrong``): the office's computer's clock seems wrong; () otherwise
    office_clock: tuple[str, ...] = ()
    #: the periods this bundle locked, and those it unlocked: headquarters' locks
    #: after its review, reaching an office (their reports can no longer be changed
    #: there, or can again)
    locked: tuple[str, ...] = ()
    unlocked: tuple[str, ...] = ()
    #: (at an office) this bundle revoked this computer's key: nothing made here can
    #: reach headquarters any more (``status.revoked_text``)
    revoked_here: bool = False
    #: (with ``revoked_here``) the key headquarters trusted for this computer in place
    #: of its own (``keys.replaced_here``), when that cut it off; else ""
    replaced_by: str = ""
    #: its receipt named more of this computer's events than it ever sent, and was
    #: taken only as far as it sent (``false_receipt_text``); "" otherwise
    false_receipt: str = ""
    #: rejected for now: an earlier bundle of a revoked computer, taken once the one
    #: it sent next is imported (``HeldWaiting``; ``retry_waiting``)
    waits: bool = False
    #: of the reports its new events changed, how many are in an open conflict after
    #: it (two computers of an office wrote them differently): only the count in the
    #: status bar changed, and the person importing did not know to look
    conflicts: int = 0
    #: of those, how many hold a field one computer wrote every version in conflict of
    #: (its own history holds versions that do not replace each other: not two
    #: computers), and how many a field two computers wrote differently (None: those
    #: not counted in ``conflicts_own``); a report of both kinds is counted in each
    conflicts_own: int = 0
    conflicts_two: int | None = None
    #: a duplicate because this replica wrote it (its reason says whose it is and where
    #: it goes): the line says that reason too
    written_here: bool = False
    #: the bundles that waited in quarantine for a key on record once this bundle
    #: registered its key (an enrolment proof, a rotation's endorsement): that key's, an
    #: older key its rotation replaced, imported after it (``_release_quarantined``)
    released: tuple[ImportOutcome, ...] = ()
    #: merged, and committed, but what had to follow the merge failed (a full disk):
    #: what, in words (``MergedThenStopped``); "" otherwise
    stopped_after: str = ""
    #: the bundles that waited in quarantine for a key now registered that the database
    #: could not take after it (a full disk, a lock): what failed, and that they still
    #: wait, in words (``_release_quarantined``); "" otherwise
    release_failed: str = ""
    #: (at headquarters) it registered the key of a computer of its office that had
    #: none on record (a first bundle, vouched for by its setup bundle): headquarters'
    #: bundles for the office reach that computer from now on (``key_news_text``)
    computer_registered: bool = False
    #: (at an office) the fingerprint of headquarters' new key, which this bundle made
    #: known here (headquarters changed its key: a rotation, a restore); "" otherwise
    hq_new_key: str = ""
    #: the id of the inbox line written for it (0: none known): what is said of it
    #: later (``settle_own_bundles``) changes that line, not another file's of the same
    #: name and bundle (a copy of it in another folder)
    inbox_id: int = field(default=0, compare=False)

    def line(self, registered_said: bool = False) -> str:
        """One line for people, in the current language: "ML-….fieldplan: merged (3 new
        of 5 events)"; the reason was written in the language of the import.
        ``registered_said``: what a new computer's key registered means is said once
        for the whole import (``registered_note``), so the line says it short."""
        word = outcome_label(self.outcome)
        if self.outcome in ("rejected", "quarantined"):
            return _("{file}: {outcome}: {reason}").format(
                file=ltr(self.file), outcome=word, reason=self.reason)
        detail = events_text(self.events_new, self.events_total)
        notes = list(self.gaps)
        if self.written_here:
            notes.append(self.reason)
        # (early: news, where what is left to do comes last)
        notes.append(key_registered_text(self.office) if registered_said
                     and self.computer_registered else self.key_news_text())
        if self.late_periods:
            notes.append(late_text(self.late_periods))
        if self.plan_version:
            notes.append(self.plan_text())
        notes.append(self.locks_text())
        notes.append(self.revoked_text())
        if self.hidden_brought or self.hidden_values_brought:
            notes.append(self.hidden_text())
        notes.append(self.conflicts_text())
        if self.repair:
            notes.append(self.repair)  # (last: what to do now)
        if self.clock_ahead or self.clock_behind:
            notes.append(self.clock_text())
        notes.append(self.office_clock_text())
        notes.append(self.false_receipt)
        notes.append(self.released_text())
        notes.append(self.release_failed)
        notes.append(self.stopped_after)
        return join_clauses([_("{file}: {outcome} ({detail})").format(
            file=ltr(self.file), outcome=word, detail=detail), *notes])

    def key_news_text(self) -> str:
        """What the import says of a key it made known: at headquarters, a new
        computer's of the office, now registered; at an office, headquarters' new key
        ("" when neither)."""
        return key_news_text(self.office, self.computer_registered, self.hq_new_key)

    def released_text(self) -> str:
        """What became of the bundles that waited in quarantine for a key on record
        once it registered its key ("" when none did): each is its own outcome
        (``released``)."""
        if not self.released:
            return ""
        merged = sum(o.outcome in ("merged", "duplicate") for o in self.released)
        if merged == len(self.released):
            files = join_list([_released_name(o) for o in self.released])
            if self.computer_registered:
                # (after key_news_text's "the key of a new computer of ML is now
                # registered: …": said once, the bundles named as that computer's)
                return counted(
                    "{count} bundle of that computer that waited in quarantine was "
                    "imported too ({files})",
                    "{count} bundles of that computer that waited in quarantine were "
                    "imported too ({files})", merged, files=files)
            return counted(
                "it registered its key: {count} bundle that waited in quarantine for a "
                "key now registered was imported too ({files})",
                "it registered its key: {count} bundles that waited in quarantine for a "
                "key now registered were imported too ({files})", merged, files=files)
        files = join_list([o.line() for o in self.released])
        if self.computer_registered:
            return counted(
                "{count} bundle of that computer that waited in quarantine was imported "
                "too, but not merged ({files})",
                "{count} bundles of that computer that waited in quarantine were imported "
                "too, not all of them merged ({files})", len(self.released), files=files)
        return counted(
            "it registered its key: {count} bundle that waited in quarantine for a key "
            "now registered was imported too, but not merged ({files})",
            "it registered its key: {count} bundles that waited in quarantine for a key "
            "now registered were imported too, not all of them merged ({files})",
            len(self.released), files=files)

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "outcome": self.outcome, "reason": self.reason,
                "office": self.office, "replica": self.replica, "key_id": self.key_id,
                "fingerprint": self.fingerprint, "bundle_id": self.bundle_id,
                "events_new": self.events_new, "events": self.events_total,
                "gaps": list(self.gaps), "late_periods": list(self.late_periods),
                "gap_ranges": list(self.gap_ranges),
                "plan_version": self.plan_version or None,
                "plan_hidden_reports": self.plan_hidden,
                "plan_hidden_values": list(self.plan_hidden_values),
                "plan_moved_values": dict(self.plan_moved_values),
                "plan_changes": [str.__str__(line) for line in self.plan_changes],
                "repair": self.repair,
                "reports_the_plan_hides": self.hidden_brought,
                "values_the_plan_hides": list(self.hidden_values_brought),
                "clock_ahead": bool(self.clock_ahead),
                "clock_behind": bool(self.clock_behind),
                "office_clock_wrong": bool(self.office_clock),
                "office_clock_dated": self.office_clock[0] if self.office_clock else None,
                "periods_locked": list(self.locked), "periods_unlocked": list(self.unlocked),
                "key_revoked": self.revoked_here, "false_receipt": self.false_receipt,
                "waits": self.waits, "conflicts": self.conflicts,
                "released": [o.to_dict() for o in self.released],
                "release_failed": self.release_failed,
                "stopped_after": self.stopped_after,
                "computer_registered": self.computer_registered,
                "hq_new_key": self.hq_new_key or None}

    def conflicts_text(self) -> str:
        """"2 reports it changed are in conflict …": what the import says of the
        reports it left in an open conflict ("" when none)."""
        return conflicts_text(self.conflicts, self.conflicts_own, self.conflicts_two)

    def revoked_text(self) -> str:
        """"headquarters revoked this computer's key …; ask headquarters for a new setup
        bundle": what the import says when the bundle revoked this computer's key ("" when
        it did not)."""
        if not self.revoked_here:
            return ""
        from fieldplan.status import revoked_text

        return revoked_text(0, self.replaced_by)

    def clock_text(self) -> str:
        """"this computer's clock seems to be ahead (or behind) …: check its date": what
        the import says of a clock far later than headquarters' bundle, or earlier than
        it ("" when it is neither)."""
        return clock_text(self.clock_ahead) or clock_behind_text(self.clock_behind)

    def office_clock_text(self) -> str:
        """(at headquarters) "the office's computer's clock seems wrong …": what the
        import says of an office's bundle dated when it cannot have been ("" when not)."""
        return office_clock_text(*self.office_clock) if self.office_clock else ""

    def locks_text(self) -> str:
        """"headquarters locked 1st semester 2026": what the import says of the periods
        the bundle locked or unlocked ("" when none)."""
        return locks_text(self.locked, self.unlocked)

    def hidden_text(self) -> str:
        """"it brings 2 reports the plan hides (the plan no longer has this action)":
        what the import says of them ("" when there are none)."""
        return hidden_text(self.hidden_brought, self.hidden_why, self.hidden_values_brought)

    def plan_text(self) -> str:
        """"the plan is now version 3; it hides 2 reports of this office": what the
        import said of a new plan it brought ("" when it brought none)."""
        return plan_text(self.plan_version, self.plan_hidden, self.plan_hidden_values,
                         dict(self.plan_moved_values))


#: What the import says of an office's first bundle from a new computer, at
#: headquarters (``key_news_text``); the Inbox's table says it short
#: (``InboxEntry.table_reason``), its detail whole.
# Translators: said of an office's first bundle from a new computer, imported at
# headquarters; {office} is the office's code ("CI")
COMPUTER_REGISTERED_NEWS = N_("the key of a new computer of {office} is now registered: "
                              "headquarters' bundles for {office} reach that computer "
                              "from now on")


def key_news_text(office: str, computer_registered: bool, hq_new_key: str) -> str:
    """``ImportOutcome.key_news_text`` (news, not a reason: the inbox lists the keys
    elsewhere, and a reason there is something to look at). The Enrol
    dialog promised that an office receives bundles once its first bundle reached
    headquarters, and nothing then said that it had; an office saw headquarters' new
    fingerprint only in the key dialog."""
    if computer_registered:
        return _(COMPUTER_REGISTERED_NEWS).format(office=office)
    if hq_new_key:
        from fieldplan.sync.keys import own_key_menu

        # Translators: said at an office of a bundle from headquarters signed by its
        # new key; {menu} is a menu path such as "Help ▸ This computer's key…"
        return _("headquarters changed its key: its new fingerprint is {fingerprint} "
                 "(shown under {menu})").format(fingerprint=ltr(hq_new_key),
                                                  menu=own_key_menu())
    return ""


def key_registered_text(office: str) -> str:
    """A file's clause of a new computer's key registered, short, where the import
    says once for all its files what that means (``registered_note``)."""
    # Translators: in a row of the import result, under a sentence above the
    # table that says what it means; {office} is the office's code ("CI")
    return _("the key of a new computer of {office} is now registered").format(
        office=office)


def registered_note(outcomes: list) -> str:
    """What an import says once, of the new computers' keys its files registered,
    where two files or more did ("" else: the one file's line says it whole). A first
    import of 57 offices' bundles said the same long sentence 57 times, pushing each
    office's own facts (its events, gaps, clock) out of sight."""
    count = sum(bool(getattr(o, "computer_registered", False)) for o in outcomes)
    if count < 2:
        return ""
    return counted(
        "The key of {count} new computer is now registered: headquarters' bundles for "
        "its office reach it from now on.",
        "The keys of {count} new computers are now registered: headquarters' bundles "
        "for each office reach its new computers from now on.", count)


def conflicts_text(count: int, own: int = 0, two: int | None = None) -> str:
    """``ImportOutcome.conflicts_text``; the inbox keeps it as the reason. ``own``: of
    the ``count`` reports, those with a field whose every version in conflict one
    computer wrote (20,000 versions of a field from a single key, none replacing
    another); ``two``: those with a field two computers wrote differently (None: the
    others than ``own``). A report of both kinds is in both (``conflicts.split_apart``):
    counted as two computers' alone, its field of one computer's history went unsaid."""
    if not count:
        return ""
    two = count - own if two is None else two
    if not two:
        return counted(
            "{count} report it changed is in conflict (one computer's history holds "
            "versions of it that do not replace each other) until a person of the office "
            "keeps one of the values",
            "{count} reports it changed are in conflict (one computer's history holds "
            "versions of them that do not replace each other) until a person of the "
            "office keeps one of the values",
            count)
    if not own:
        return counted(
            "{count} report it changed is in conflict (two computers of the office wrote "
            "it differently) until a person of the office keeps one of the values",
            "{count} reports it changed are in conflict (two computers of the office "
            "wrote them differently) until a person of the office keeps one of the values",
            count)
    if count == 1:
        # one report of both kinds: "1 of them" twice said nothing of the one report
        # Translators: of an import: one report it changed holds a field two computers
        # of the office wrote differently and another field whose versions one
        # computer wrote (before and after a restore from a backup, say)
        return _("1 report it changed is in conflict (two computers of the office wrote "
                 "some of its values differently, and one computer's history holds "
                 "versions of others that do not replace each other) until a person of "
                 "the office keeps one of the values")
    # some of each: both said, with their counts (as the status sheet's notes say
    # them), where "two computers" was said of them all
    # Translators: of an import at headquarters; {apart} is "two computers of the
    # office wrote 2 of them differently", {own} "one computer's history holds
    # versions of 1 of them that do not replace each other"
    return counted(
        "{count} report it changed is in conflict ({apart}, and {own}) until a person "
        "of the office keeps one of the values",
        "{count} reports it changed are in conflict ({apart}, and {own}) until a person "
        "of the office keeps one of the values", count,
        # Translators: in "3 reports it changed are in conflict (…)": those of them two
        # computers of the office wrote differently
        apart=counted("two computers of the office wrote {count} of them differently",
                      "two computers of the office wrote {count} of them differently",
                      two),
        # Translators: in "3 reports it changed are in conflict (…)": those whose
        # versions in conflict one computer wrote alone
        own=counted("one computer's history holds versions of {count} of them that do "
                    "not replace each other",
                    "one computer's history holds versions of {count} of them that do "
                    "not replace each other", own))


def hidden_text(count: int, why: Iterable[str], values: tuple[str, ...] = ()) -> str:
    """``ImportOutcome.hidden_text`` of ``count`` reports brought that the plan hides,
    for the reasons ``why`` (PlanScope.why_hidden's words), and of values brought of
    the indicators ``values`` (``ACTION/KEY``) it no longer has; the inbox keeps it as
    the reason."""
    from fieldplan.planops import why_hidden_text

    return join_clauses([
        counted("it brings {count} report the plan hides ({why})",
                "it brings {count} reports the plan hides ({why})",
                count, why=why_hidden_text(why)) if count else "",
        # Translators: {items} lists indicators as ACTION/KEY ("PA1.2/data-reports")
        counted("it brings values of {count} indicator the plan no longer has "
                "({items}): kept in their reports",
                "it brings values of {count} indicators the plan no longer has "
                "({items}): kept in their reports",
                len(values), items=_shown_names(values)) if values else ""])


def _shown_names(items: tuple[str, ...]) -> str:
    """``items`` in a list, the first few named before "and N more"."""
    from fieldplan.planops import _names

    return _names(items)


def plan_text(version: int, hidden: int, values: tuple[str, ...] = (),
              moved: Mapping[str, str] | None = None) -> str:
    """``ImportOutcome.plan_text`` of a plan now at ``version`` (0: no new plan) that
    hides ``hidden`` reports of this office, and its values of the indicators
    ``values`` (``ACTION/KEY``), of which those in ``moved`` the plan moved to another
    action (``ACTION/KEY`` → that action); the inbox keeps it as the reason."""
    if not version:
        return ""
    moved = moved or {}
    dropped = tuple(v for v in values if v not in moved)
    went = tuple(v for v in values if v in moved)
    text = _("the plan is now version {version}").format(version=version)
    # those the version before showed: not all it hides ('status' counts those, and
    # the count read as theirs)
    return join_clauses([text, counted(
        "it hides {count} report of this office that the version before showed",
        "it hides {count} reports of this office that the version before showed",
        hidden) if hidden else "",
        # (an indicator dropped: the figures typed in it were no longer in any field or
        # sheet, and nothing said so)
        # Translators: {items} lists indicators as ACTION/KEY ("PA1.2/data-reports")
        counted("it hides this office's values of {count} indicator it no longer has "
                "({items}): they are kept in their reports",
                "it hides this office's values of {count} indicators it no longer has "
                "({items}): they are kept in their reports",
                len(dropped), items=_shown_names(dropped)) if dropped else "",
        # (the plan has such an indicator still, under another action: "no longer has"
        # sent the person to look for it nowhere)
        # Translators: {items} lists indicators as "PA1.2/data-reports to PA1.1" (the
        # action it was in, its key, the action that has it now)
        counted("it hides this office's values of {count} indicator it moved to another "
                "action ({items}): they are kept in their reports",
                "it hides this office's values of {count} indicators it moved to another "
                "action ({items}): they are kept in their reports",
                len(went), items=_shown_names(tuple(moved_to_text(v, moved[v])
                                                    for v in went))) if went else ""])


def moved_to_text(indicator: str, action: str) -> str:
    """"PA1.2/data-reports to PA1.1": an indicator (``ACTION/KEY``) an amendment moved,
    and the action that has it now."""
    # Translators: an indicator (ACTION/KEY) an amendment moved to another action, and
    # that action: "PA1.2/data-reports to PA1.1"
    return _("{indicator} to {action}").format(indicator=indicator, action=action)


#: How much later than a headquarters bundle's creation an office computer's clock
#: may be before the import says its date seems wrong: headquarters sends after each
#: semester's review, and no bundle of its waits a year to be imported, while a year
#: set wrong (2099) is years ahead. The computer cannot see that its own clock is the
#: wrong one: its writes carry the date it shows (headquarters shows them by arrival).
CLOCK_AHEAD_DAYS = 366


def clock_text(created: str) -> str:
    """"this computer's clock seems to be ahead (it says …; headquarters wrote this file
    on …): check its date", of a bundle ``created`` (``clock_ahead_since``) far earlier
    than this computer's clock; "" when ``created`` is empty."""
    return _clock_said(_("this computer's clock seems to be ahead (it says {today}; "
                         "headquarters wrote this file on {created}): check its date"),
                       created)


def _clock_said(text: str, created: str) -> str:
    """``text`` (a clock ahead or behind) with this computer's day and the day
    headquarters wrote its bundle (``created``); "" when ``created`` is empty."""
    if not created:
        return ""
    from fieldplan.i18n import format_date

    return text.format(today=format_date(events.utc_iso()), created=format_date(created))


#: How much earlier than a headquarters bundle's creation an office computer's clock
#: may be before the import says its date seems behind: no file is imported before it
#: was written, but headquarters' own clock may be a little ahead, or a clock set to
#: the local time with its time zone left on UTC (a few hours).
CLOCK_BEHIND_MS = events.MAX_DRIFT_MS


def clock_behind_text(created: str) -> str:
    """"this computer's clock seems to be behind (it says …; headquarters wrote this
    file on …): check its date", of a bundle ``created`` (``clock_behind_since``) later
    than this computer's clock; "" when ``created`` is empty."""
    return _clock_said(_("this computer's clock seems to be behind (it says {today}; "
                         "headquarters wrote this file on {created}): check its date"),
                       created)


def clock_behind_since(rep: Replica, m: dict[str, Any]) -> str:
    """(at an office) a headquarters bundle's creation time when it is more than
    CLOCK_BEHIND_MS later than this computer's clock, else ""."""
    created = str(m.get("created", ""))
    made = events.arrival_hlc(created)
    if rep.is_hq or m.get("office") != "HQ" or made is None:
        return ""
    return created if (made >> 16) - events.wall_ms() > CLOCK_BEHIND_MS else ""


#: How much later than its arrival at headquarters an office's bundle or its changes
#: may be dated before the import says the office's clock seems wrong: an office
#: computer's clock follows headquarters' values up to a day ahead of its own
#: (``events.MAX_DRIFT_MS``), and headquarters' clock or the office's may be a few
#: hours off (a clock set to the local time with its zone left on UTC).
OFFICE_CLOCK_AHEAD_MS = 2 * events.MAX_DRIFT_MS


def office_clock_wrong(rep: Replica, m: dict[str, Any], office_hlc: tuple[int, int] | None,
                       received_at: str) -> tuple[str, ...]:
    """(at headquarters) (when an office's bundle or its changes are dated, ISO UTC;
    ``received_at``) when no right clock could have dated them so, else ().

    An office exports days, weeks or months after typing, and a bundle may wait as long
    to be imported, so nothing is said of a date before the arrival unless it is
    impossible: before the plan started, or a bundle written earlier than a
    headquarters bundle it acknowledges (written by headquarters' clock, read by the
    office before it exported). A date later than the arrival is wrong beyond
    ``OFFICE_CLOCK_AHEAD_MS``. Nothing is said when headquarters' own clock is before
    the plan started: then it is the one that is wrong."""
    arrived = events.arrival_hlc(received_at)
    made = events.arrival_hlc(str(m.get("created", "")))
    if not rep.is_hq or m.get("office") == "HQ" or arrived is None or made is None:
        return ()
    made_ms, arrived_ms = made >> 16, arrived >> 16
    plan_ms = events.plan_start_hlc(rep.plan().start) >> 16
    if arrived_ms < plan_ms:
        # this computer's own clock is before the plan started (its date went back):
        # no office's date can be judged by it
        return ()
    lo_ms, hi_ms = ((office_hlc[0] >> 16, office_hlc[1] >> 16) if office_hlc
                    else (made_ms, made_ms))
    latest = max(hi_ms, made_ms)
    if latest - arrived_ms > OFFICE_CLOCK_AHEAD_MS:
        return (_ms_iso(latest), received_at)
    earliest = min(lo_ms, made_ms)
    if earliest < plan_ms:
        return (_ms_iso(earliest), received_at)
    hq_offices = keyreg.replica_offices(rep)
    acks = m.get("acks") if isinstance(m.get("acks"), dict) else {}
    hashes = m.get("ack_hashes") if isinstance(m.get("ack_hashes"), dict) else {}
    # (an event the receipt names by another hash is not the one held here: this
    # database went back and wrote its number again, later: ``fork.check_hq_receipts``)
    read = [row[0] for origin, seq in acks.items()
            if hq_offices.get(origin) == "HQ" and isinstance(seq, int)
            for row in rep.conn.execute(
                "SELECT hlc, hash FROM events WHERE origin = ? AND seq = ?", (origin, seq))
            if hashes.get(origin, row[1]) == row[1]]
    if read and (max(read) >> 16) - made_ms > OFFICE_CLOCK_AHEAD_MS:
        return (_ms_iso(made_ms), received_at)
    return ()


def _ms_iso(ms: int) -> str:
    return events.utc_iso(dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC))


def office_clock_text(dated: str, arrived: str) -> str:
    """(at headquarters) "the office's computer's clock seems wrong: …", of an office's
    bundle whose changes are ``dated`` when they cannot have been; it ``arrived``."""
    from fieldplan.i18n import format_date

    return _("the office's computer's clock seems wrong (its changes are dated {dated}; "
             "this bundle arrived on {arrived}): ask the office to check its "
             "date").format(dated=format_date(dated), arrived=format_date(arrived))


def locks_text(locked: Sequence[str], unlocked: Sequence[str]) -> str:
    """"headquarters locked 1st semester 2026": what an import says of the periods its
    bundle locked or unlocked ("" when none)."""
    said = []
    if locked:
        said.append(ngettext("headquarters locked {periods}", "headquarters locked {periods}",
                             len(locked)).format(periods=periods_text(locked)))
    if unlocked:
        said.append(ngettext("headquarters unlocked {periods}",
                             "headquarters unlocked {periods}", len(unlocked)).format(
                                 periods=periods_text(unlocked)))
    return join_clauses(said)


def clock_ahead_since(rep: Replica, m: dict[str, Any], outcome: str = "merged") -> str:
    """(at an office) a headquarters bundle's creation time when this computer's clock
    is more than CLOCK_AHEAD_DAYS later than it, else "". Only of a bundle ``merged``:
    a duplicate (imported again, or found after a later one of headquarters) is old
    because it is, and its day says nothing of this computer's clock (last year's
    bundles on a stick, imported beside this month's, said a right clock was ahead)."""
    created = str(m.get("created", ""))
    arrived = events.arrival_hlc(created)
    if rep.is_hq or m.get("office") != "HQ" or arrived is None or outcome != "merged":
        return ""
    behind = events.wall_ms() - (arrived >> 16)
    return created if behind > CLOCK_AHEAD_DAYS * 24 * 3600 * 1000 else ""


def late_text(periods: Iterable[str]) -> str:
    """"changes to the locked period 1st semester 2026": what a merge says of late data
    (periods in words, as the lock clauses say them)."""
    periods = list(periods)
    return ngettext("changes to the locked period {periods}",
                    "changes to the locked periods {periods}", len(periods)).format(
                        periods=periods_text(periods))


def false_receipt_text(office: str, claimed: int, sent: int) -> str:
    """What an import says of a receipt naming more of this computer's events than it
    ever sent (``replica.receipt_limit``): a damaged or forged file, which must not
    make this computer take a new identity (as a database that went back does)."""
    return _("{office} says it holds this computer's changes up to number {claimed}, but "
             "this computer never sent any past number {sent}: its receipt was taken as "
             "{sent} (a damaged or forged file; nothing else changes here)").format(
                 office=office, claimed=claimed, sent=sent)


@dataclass(frozen=True)
class Gap:
    """Events of one replica that this replica lacks: origin's first..last.
    ``several``: its office has several computers (replicas), so which one must be
    named."""

    origin: str
    office: str
    first: int
    last: int
    several: bool = False

    def message(self) -> str:
        if self.office == "HQ":
            return self._headquarters_message()
        who = self.office or self.origin[:8]
        if self.office and self.several:
            # Translators: an office and which of its computers: "ML (computer ab510ac4)"
            who = _("{office} (computer {replica})").format(office=self.office,
                                                           replica=self.origin[:8])
        if self.first == self.last:  # not "events 7–7"
            return _("missing bundle from {office}, event {seq}").format(
                office=who, seq=self.first)
        return _("missing bundle from {office}, events {first}–{last}").format(
            office=who, first=self.first, last=self.last)

    def _headquarters_message(self) -> str:
        """``message`` for headquarters' events (at an office): headquarters by its
        name, as French says it ("du Siège"; "du bureau HQ" read as an office)."""
        replica = self.origin[:8]
        if self.several:
            if self.first == self.last:
                # Translators: events of headquarters an office lacks, and which
                # computer of headquarters wrote them
                return _("missing bundle from headquarters (computer {replica}), event "
                         "{seq}").format(replica=replica, seq=self.first)
            return _("missing bundle from headquarters (computer {replica}), events "
                     "{first}–{last}").format(replica=replica, first=self.first,
                                             last=self.last)
        if self.first == self.last:
            return _("missing bundle from headquarters, event {seq}").format(seq=self.first)
        return _("missing bundle from headquarters, events {first}–{last}").format(
            first=self.first, last=self.last)

    def events_text(self) -> str:
        """The missing events in a table cell: "41–57", or "7" for one."""
        return str(self.first) if self.first == self.last else f"{self.first}–{self.last}"

    def to_dict(self) -> dict[str, Any]:
        return {"origin": self.origin, "office": self.office, "first": self.first,
                "last": self.last, "message": self.message()}


@dataclass
class _MergeStats:
    total: int = 0
    new: int = 0
    origins: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: of the new progress events: period → the greatest clock among them
    periods: dict[str, int] = field(default_factory=dict)
    #: the reports (``office|action|period``) the new events changed
    reports: set[str] = field(default_factory=set)
    #: (report id, indicator key) of the values (not cleared) the new events wrote
    values: set[tuple[str, str]] = field(default_factory=set)
    #: those of them with a field of several heads when their events were applied
    #: (``store.Connection.several_heads``): the only ones that can be in conflict
    several_heads: set[str] = field(default_factory=set)
    receipts: int = 0  # acknowledgements that moved forward
    #: (claimed, limit) of a receipt for this replica naming events it never sent
    #: (``replica.receipt_limit``), stored as the limit; None when there was none
    false_receipt: tuple[int, int] | None = None
    #: (a revoked computer's bundle, ``_HeldRuns``) replica → (first, last) of the
    #: events refused
    refused: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: (HQ, an office's bundle) the least and greatest clock values among the new
    #: events of the sending office's computers; None when it brought none
    office_hlc: tuple[int, int] | None = None
    #: (an office, headquarters' bundle) headquarters' replica → (its first event
    #: taken out, how many, the retired key that had brought them): what a key
    #: headquarters had rotated out brought past its retirement (``_Merger``)
    cut_retired: dict[str, tuple[int, int, str]] = field(default_factory=dict)


# --- what a replica holds ---------------------------------------------------------------


def list_gaps(rep: Replica, origins: Iterable[str] | None = None,
              language: str | None = None) -> list[Gap]:
    """Ranges of events known to exist (a later one is held) but not received; of
    some origins only, when given. By office, as a reader of ``language`` (the one in
    use by default) looks for one (``offices.office_order``: headquarters, the regional
    offices, the countries by their names), then by computer and event: in the order
    of the computers' random ids, Uganda's came before Bangladesh's, and among 57
    offices a person read the whole list for the one on the phone."""
    if origins is None:
        # (every origin: what the log's shape kept from the last time says, brought
        # up to date with the events added since)
        rows = [(o, a, b) for o, holes in log_shape(rep).holes.items() for a, b in holes]
    else:
        rows = _holes(rep.conn, events.runs_from_one(rep.conn, origins)[1])
    if not rows:
        return []
    offices = keyreg.replica_offices(rep)
    computers = Counter(offices.values())
    # (a revoked computer) what headquarters chose not to send it is no gap
    not_sent = _not_sent_upto(rep)
    out = []
    for o, a, b in rows:
        a = max(a, not_sent.get(o, 0) + 1)
        if a <= b:
            out.append(Gap(o, offices.get(o, ""), a, b,
                           several=computers[offices.get(o, "")] > 1))
    return gaps_in_order(out, language)


def gaps_in_order(gaps: Iterable[Gap], language: str | None = None) -> list[Gap]:
    """``gaps`` by office as a reader of ``language`` (the one in use by default)
    looks for one, then by computer and event (``list_gaps``)."""
    from fieldplan.i18n import get_language
    from fieldplan.offices import office_order

    gaps = list(gaps)
    language = language or get_language()
    order = {office: office_order(office, language) for office in {g.office for g in gaps}}
    # (a computer no key names, its office unknown: last, by its id)
    return sorted(gaps, key=lambda g: (order[g.office], g.origin, g.first))


def _holes(conn: sqlite3.Connection, holed: Sequence[str]) -> list[tuple[str, int, int]]:
    """(origin, first, last) of each range of events missing below the last one held,
    of the origins ``holed``."""
    if not holed:
        return []
    where, params = events.origin_filter(holed)
    return conn.execute(
        f"""
        SELECT origin, 1, min(seq) - 1 FROM events {where} GROUP BY origin HAVING min(seq) > 1
        UNION ALL
        SELECT origin, seq + 1, nxt - 1 FROM (
            SELECT origin, seq, lead(seq) OVER (PARTITION BY origin ORDER BY seq) AS nxt
            FROM events {where}) WHERE nxt > seq + 1
        ORDER BY 1, 2
        """, params + params
    ).fetchall()


@dataclass
class LogShape:
    """What the window's sync state reads of the whole log (``state.sync_state``, after
    every save): each origin's last event and count of events, the ranges missing of
    those with a hole, and the fields in an open conflict. Read of every event and
    every head, it took seconds at a headquarters of a million events; kept per open
    replica (``Replica.cache``) and brought up to date from the events added since,
    it costs what they do: events only ever join the log at its end (its rowid), and
    a conflict changes only on a record an event is added to. ``cut``: the log's
    ``events.LOG_CUTS`` when read; another says events left it, and all is read
    again."""

    cut: str
    top: int  # the greatest rowid of the log when read
    tops: dict[str, tuple[int, int]]  # origin → (its greatest seq, how many held)
    holes: dict[str, list[tuple[int, int]]]  # origin with a hole → its missing ranges
    conflicts: set[tuple[str, str, str]]  # (entity, entity_id, field) in conflict


_LOG_SHAPE = "log_shape"


def log_shape(rep: Replica) -> LogShape:
    """``LogShape`` of the log as it is now."""
    from fieldplan.sync.conflicts import conflicted_of

    conn = rep.conn
    cut = events.get_meta(conn, events.LOG_CUTS, "") or ""
    top = conn.execute("SELECT coalesce(max(rowid), 0) FROM events").fetchone()[0]
    # (taken out while it changes: an error half-way leaves none, never a wrong one)
    shape: LogShape | None = rep.cache.pop(_LOG_SHAPE, None)
    if shape is None or shape.cut != cut or top < shape.top:
        tops = {o: (m, c) for o, m, c in conn.execute(
            "SELECT origin, max(seq), count(*) FROM events GROUP BY origin")}
        holes: dict[str, list[tuple[int, int]]] = {}
        for o, a, b in _holes(conn, [o for o, (m, c) in tops.items() if m != c]):
            holes.setdefault(o, []).append((a, b))
        shape = LogShape(cut, top, tops, holes, conflicted_of(rep))
    elif top > shape.top:
        # (NOT INDEXED: by the rowid, the added alone; else a whole index is read in order)
        added = conn.execute("SELECT origin, max(seq), count(*) FROM events NOT INDEXED "
                             "WHERE rowid > ? GROUP BY origin", (shape.top,)).fetchall()
        for o, m, c in added:
            held_top, held = shape.tops.get(o, (0, 0))
            shape.tops[o] = (max(held_top, m), held + c)
            shape.holes.pop(o, None)
        for o, a, b in _holes(conn, [o for o, _m, _c in added
                                     if shape.tops[o][0] != shape.tops[o][1]]):
            shape.holes.setdefault(o, []).append((a, b))
        records = conn.execute("SELECT DISTINCT entity, entity_id FROM events NOT INDEXED "
                               "WHERE rowid > ?", (shape.top,)).fetchall()
        touched = {(entity, entity_id) for entity, entity_id in records}
        shape.conflicts = {c for c in shape.conflicts if c[:2] not in touched}
        shape.conflicts |= conflicted_of(rep, records)
        shape.top = top
    rep.cache[_LOG_SHAPE] = shape
    return shape


def _not_sent_upto(rep: Replica) -> dict[str, int]:
    """``NOT_SENT_UPTO``: origin → seq; {} where nothing was left out on purpose."""
    try:
        marks = json.loads(rep.meta(NOT_SENT_UPTO) or "{}")
    except ValueError:
        return {}
    if not isinstance(marks, dict):
        return {}
    return {o: s for o, s in marks.items() if isinstance(o, str) and type(s) is int}


def note_not_sent(rep: Replica, m: dict[str, Any]) -> None:
    """(inside the import's transaction, after the merge) A bundle of headquarters'
    (manifest ``m``) that carries a revoked computer's key records
    (``REVOCATION_RECORDS``), merged on that very computer: headquarters left out on
    purpose what the office's other computers hold (``export._peers`` leaves the
    revoked one out), and never sends it more. What this computer lacks of each
    origin up to the top of the bundle's range is no missing bundle
    (``NOT_SENT_UPTO``). On any other computer the same bundle leaves no hole: its
    records are below what the office's computers acknowledged."""
    if (rep.is_hq or m.get("office") != "HQ" or not m.get(REVOCATION_RECORDS)
            or keyreg.own_key_status(rep) != "revoked"):
        return
    marks = _not_sent_upto(rep)
    for origin, span in m["ranges"].items():
        if (isinstance(origin, str) and isinstance(span, list) and len(span) == 2
                and type(span[1]) is int):
            marks[origin] = max(marks.get(origin, 0), span[1])
    events.set_meta(rep.conn, NOT_SENT_UPTO, events.canonical_json(marks))


# --- import -----------------------------------------------------------------------------


def _source_name(source: Source, name: str | None) -> str:
    if name:
        # (the desktop client names each file by its own name: one from a stick an
        # older system wrote, not UTF-8, failed the inbox's write, the import ended)
        return shown_name(name)
    if isinstance(source, str | os.PathLike):
        return shown_name(Path(source).name)
    return "bundle"


def _kept_bytes(b: bundlefmt.Bundle, source: Source) -> bytes:
    """The bytes of the bundle ``b`` was opened from, to be kept (quarantine): read
    again, and checked whole as the very bundle verified (its events only here: the
    caller has not read them). A file changed since (a copy still being written,
    another program) is refused (BundleError), never kept in place of the one
    checked, to be found damaged once its key is trusted and the file it came from
    is gone. Never more than a bundle's size limit is read."""
    limit = bundlefmt.MAX_BUNDLE_BYTES + 1
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            data = f.read(limit)
    else:
        source.seek(0)
        data = source.read(limit)
        source.seek(0)
    try:
        again = bundlefmt.open_bundle(io.BytesIO(data), check_events=False)
    except (BundleError, *_HOSTILE):
        again = None
    if again is not None and again.manifest != b.manifest:
        again.close()
        again = None
    if again is None:
        raise BundleError(_("the file changed while it was read (is it still being copied?): "
                            "import it again"))
    with again:
        again.check_events()  # (what the manifest says of them: the signed word)
    return data


def _sha256(source: Source) -> str:
    """The SHA-256 of the file the inbox line names; "" for one that cannot be read or
    is over a bundle's size limit (``open_bundle`` refuses it unread: a file of
    gigabytes picked up from a folder was hashed whole first, for minutes)."""
    limit = bundlefmt.MAX_BUNDLE_BYTES
    h = hashlib.sha256()
    if isinstance(source, bytes):
        if len(source) > limit:
            return ""
        h.update(source)
    elif isinstance(source, str | os.PathLike):
        try:
            with open(source, "rb") as f:
                if os.fstat(f.fileno()).st_size > limit:
                    return ""
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
        except OSError:
            return ""
    else:
        pos = source.tell()
        if source.seek(0, io.SEEK_END) - pos > limit:
            source.seek(pos)
            return ""
        source.seek(pos)
        for chunk in iter(lambda: source.read(1 << 20), b""):
            h.update(chunk)
        source.seek(pos)
    return h.hexdigest()


def _check_manifest(rep: Replica, m: dict[str, Any], *, setup: bool = False,
                    outgoing: bool = False, fields_checked: bool = False) -> None:
    """The manifest's fields (``_check_manifest_fields``, unless ``fields_checked``),
    then, unless ``setup`` (a setup bundle's: its fields only), that it is a sync
    bundle for this plan and this database."""
    if not fields_checked:
        _check_manifest_fields(m)
    if setup:
        return
    _check_manifest_for(rep, m, outgoing=outgoing)


def _check_manifest_fields(m: dict[str, Any]) -> None:
    """Each field a manifest must have, of its type and range."""
    from fieldplan.offices import check_office
    from fieldplan.plan import where_what

    for key in ("kind", "plan_id", "sender", "office", "recipient"):
        if not isinstance(m.get(key), str) or not m[key]:
            raise BundleError(_("manifest.json: missing or bad '{field}'").format(field=key))
    for key in ("ranges", "acks"):
        if not isinstance(m.get(key), dict):
            raise BundleError(_("manifest.json: missing or bad '{field}'").format(field=key))
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < events.MAX_COUNTER
               for v in m["acks"].values()):
        raise BundleError(_("manifest.json: bad 'acks'"))
    # (optional: older versions write none) the hash of each event a receipt names
    hashes = m.get("ack_hashes")
    if hashes is not None and not (
            isinstance(hashes, dict) and set(hashes) <= set(m["acks"])
            and all(isinstance(v, str) and _HEX64.fullmatch(v) for v in hashes.values())):
        raise BundleError(_("manifest.json: bad 'ack_hashes'"))
    records = m.get(REVOCATION_RECORDS, 0)
    if not (isinstance(records, int) and not isinstance(records, bool)
            and 0 <= records < events.MAX_COUNTER):
        raise BundleError(_("manifest.json: bad '{field}'").format(field=REVOCATION_RECORDS))
    for key in ("office", "recipient"):
        try:
            office = check_office(m[key])
        except ValidationError as exc:
            raise BundleError(where_what("manifest.json", str(exc))) from exc
        if office != m[key]:
            # every later check and record takes the code as written: "hq" would be an
            # office of its own beside HQ, with a key and reports of its own
            raise BundleError(_("manifest.json: bad '{field}': the office code '{code}' "
                                "is written '{office}'").format(
                                    field=key, code=for_message(m[key]), office=office))


def _check_manifest_for(rep: Replica, m: dict[str, Any], *, outgoing: bool) -> None:
    """That a manifest whose fields are checked is a sync bundle's, for this plan and
    this database (``outgoing``: one this database wrote, being checked)."""
    if m["kind"] == KIND_SETUP:
        raise BundleError(_(SETUP_BUNDLE_REASON))
    if m["kind"] != KIND_SYNC:
        raise BundleError(_("unknown bundle kind '{kind}'").format(
            kind=for_message(m["kind"])))
    if m["plan_id"] != rep.plan_id:
        raise BundleError(_("bundle is for plan '{plan}', this database holds '{held}'")
                          .format(plan=for_message(m["plan_id"]), held=rep.plan_id))
    me = "HQ" if rep.is_hq else rep.office
    if m["recipient"] != me and not outgoing:
        if m["sender"] in keyreg.own_replicas(rep) and not rep.is_hq:
            # this computer's own export, picked up again from the stick or the outbox
            # (before a restore too: not "another computer of" the office)
            raise BundleError(_(
                "this is the bundle this computer wrote for headquarters: send it to "
                "headquarters; there is nothing to import here"))
        if m["office"] == me and not rep.is_hq:
            # a second laptop's bundle: what it says is what to do instead
            raise BundleError(_(
                "bundle is addressed to {recipient}, not to {me}: it comes from another "
                "computer of {me}, and an office's computers exchange their data through "
                "headquarters (send it there; headquarters' next bundle brings it here)"
            ).format(recipient=m["recipient"], me=me))
        if m["office"] == me:  # headquarters' own bundle for an office, dropped here
            raise BundleError(_(HQ_BUNDLE_FOR_OFFICE_REASON).format(
                recipient=m["recipient"], me=me))
        if m["office"] == "HQ":  # headquarters' bundle for another office, sent here
            raise BundleError(_(HQ_BUNDLE_FOR_OTHER_OFFICE_REASON).format(
                recipient=m["recipient"], me=me))
        if m["recipient"] == "HQ":  # another office's bundle for headquarters
            raise BundleError(_(
                "bundle is addressed to HQ, not to {me}: {office} wrote it for "
                "headquarters; send it there").format(office=m["office"], me=me))
        raise BundleError(_("bundle is addressed to {recipient}, not to {me}").format(
            recipient=m["recipient"], me=me))


_HEX64 = re.compile(r"[0-9a-f]{64}")


def _written_here(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any]) -> str:
    """Why a bundle this very computer wrote, met again, is a duplicate: at
    headquarters one it wrote for an office or an office's setup bundle (the stick it
    shares with the offices' bundles), at an office the one it wrote for headquarters
    (its stick, or its outbox dropped whole). Sent by this replica, signed by its own
    key (``_own_key_signed``), for its plan, whole (events.jsonl as its manifest says)
    and every event it carries held here (``_all_held``), as held (``_same_as_held``):
    it has nothing new for this database. "" for any other bundle, checked as ever: one
    of a computer put back from a backup that lost what it carries is refused as
    before, a sibling laptop's, another office's, or a copy of this database's with its
    key (a forked history) too. Raises BundleError for a damaged copy (it is not worth
    sending on). This replica: or one it continues after a restore from a backup
    (its bundles from before the restore are this computer's too)."""
    if m["sender"] not in keyreg.own_replicas(rep) or m["plan_id"] != rep.plan_id:
        return ""
    if rep.is_hq:
        if m["kind"] not in (KIND_SYNC, KIND_SETUP) or m["recipient"] == "HQ":
            return ""
    elif m["kind"] != KIND_SYNC or m["recipient"] != "HQ" or m["office"] != rep.office:
        return ""
    if not _own_key_signed(rep, b, m["sender"]) or not _all_held(rep, m["ranges"]):
        return ""
    b.check_events()  # (a damaged copy is refused as damaged: it is no use there either)
    if not _same_as_held(rep, b):
        return ""
    if not rep.is_hq:
        return _office_own_reason(rep, m["ranges"])
    if m["kind"] == KIND_SETUP:
        return _(HQ_OWN_SETUP_REASON).format(recipient=m["recipient"])
    return _("headquarters wrote this bundle for {recipient}: nothing new here; send it "
             "to {recipient}").format(recipient=m["recipient"])


def _office_own_reason(rep: Replica, ranges: dict[str, Any] | None = None) -> str:
    """Why an office computer's own bundle for headquarters, met again, is a duplicate,
    as its key stands now: "send it to headquarters", or, its key revoked, why sending
    it is no use (headquarters refuses it) and what to do instead. Headquarters' receipts
    covering every event it carries (``ranges``, its manifest's), that it has them: an
    officer who found last month's bundle beside headquarters' reply on the stick was
    told to send it, though headquarters had acknowledged it."""
    if keyreg.own_key_status(rep) == "revoked":
        return join_clauses([_("this computer wrote this bundle for headquarters: "
                               "nothing new here"), revoked_text()])
    if ranges and _hq_has_all(rep, ranges):
        return _("this computer wrote this bundle for headquarters, which has received "
                 "it: nothing new here, nothing to send")
    return _(OFFICE_OWN_REASON)


def _hq_has_all(rep: Replica, ranges: dict[str, Any]) -> bool:
    """Whether headquarters' receipts (``receipts.hq_acks``) cover every event a
    bundle's ranges name."""
    from fieldplan.sync.receipts import hq_acks

    acks = hq_acks(rep)
    return all(acks.get(origin, 0) >= span[1] for origin, span in ranges.items())


def settle_own_bundles(rep: Replica, outcomes: list[ImportOutcome]) -> None:
    """After several files imported at once, at an office: its own bundles met again
    among them (duplicates, ``written_here``) say what the end of the batch makes of
    them, whatever the order of the files. Headquarters' bundle revoking this
    computer's key, imported after the own bundle, left it saying "send it to
    headquarters", where imported before it, it said headquarters refuses it. The
    outcomes are changed in place, and their inbox lines (each its own:
    ``ImportOutcome.inbox_id``) with them."""
    if rep.is_hq or keyreg.own_key_status(rep) != "revoked":
        return
    with capturing():
        reason = _office_own_reason(rep)
    record = message_record(reason)
    for i, o in enumerate(outcomes):
        said = message_record(o.reason) or {}
        if not (o.written_here and o.outcome == "duplicate" and (
                said.get("id") == OFFICE_OWN_REASON or o.reason == _(OFFICE_OWN_REASON))):
            continue
        outcomes[i] = replace(o, reason=reason)
        # its own line: two copies of it under one name (two folders) have a line each
        row = (o.inbox_id,) if o.inbox_id else rep.conn.execute(
            "SELECT max(id) FROM inbox WHERE outcome = 'duplicate' AND file_name = ? "
            "AND coalesce(bundle_id, '') = ?", (o.file, o.bundle_id)).fetchone()
        if row[0] is None:
            continue
        try:
            with store.write_transaction(rep.conn):
                rep.conn.execute(
                    "UPDATE inbox SET reason = ?, reason_msg = ? WHERE id = ?",
                    (str.__str__(reason), json.dumps(record) if record else None, row[0]))
        except StoreError:
            # (words only, after every file was merged or refused: the outcome shown
            # says it; the inbox keeps the words of the moment it was imported)
            pass


def settle_other_offices_bundles(rep: Replica, outcomes: list[ImportOutcome]) -> None:
    """After several files imported at once, at an office: headquarters' bundles for
    other offices among them (a folder or stick of the bundles headquarters wrote for
    every office, imported whole) asked headquarters for this office's bundle, though
    it came in the same lot and was imported: they now say only whose they are and
    where they go. Changed in place, with their inbox lines, as ``settle_own_bundles``
    changes its own."""
    if rep.is_hq or not any(o.office == "HQ" and o.outcome in ("merged", "duplicate")
                            for o in outcomes):
        return
    for i, o in enumerate(outcomes):
        said = message_record(o.reason) or {}
        if o.outcome != "rejected" or said.get("id") != HQ_BUNDLE_FOR_OTHER_OFFICE_REASON:
            continue
        kw = said.get("kw") or {}
        with capturing():
            reason = _(HQ_BUNDLE_FOR_OFFICE_REASON).format(
                recipient=kw.get("recipient", ""), me=kw.get("me", ""))
        outcomes[i] = replace(o, reason=reason)
        if not o.inbox_id:
            continue
        try:
            with store.write_transaction(rep.conn):
                rep.conn.execute(
                    "UPDATE inbox SET reason = ?, reason_msg = ? WHERE id = ?",
                    (str.__str__(reason), json.dumps(message_record(reason)), o.inbox_id))
        except StoreError:
            pass  # (words only: the outcome shown says it; the inbox keeps the first)


def _own_key_signed(rep: Replica, b: bundlefmt.Bundle, sender: str) -> bool:
    """Whether this computer's own key for ``sender`` (this replica or one it
    continues) signed the bundle: the key ``keys show`` shows (the database's, whose
    secret half is the key file beside it), one the registry binds to that replica
    (headquarters' keys; an office's before a rotation), or an earlier key of it kept
    beside the key file (a rotation or a restore headquarters has not heard of). A key
    trusted here by hand binds nothing to a replica."""
    from fieldplan.minisign import KeyFileError, load_secret_key, secret_key_replica
    from fieldplan.replica import old_key_files

    signer = b.public_key.to_base64()
    if sender == rep.replica_id and b.key_id == rep.meta("key_id") \
            and signer == rep.meta("public_key"):
        return True
    key = keyreg.all_keys(rep).get(b.key_id)
    if key is not None and key.source == "registry" and key.replica == sender \
            and key.public_key == signer:
        return True
    for path in old_key_files(rep.path).get(b.key_id, []):
        try:
            kept = load_secret_key(path)
        except KeyFileError:
            continue
        if kept.public.to_base64() == signer and secret_key_replica(path) == sender:
            return True
    return False


def _all_held(rep: Replica, ranges: dict[str, Any]) -> bool:
    """Whether every event a bundle's ranges (its manifest's) name is held here."""
    return _not_held(rep, ranges) == 0


def _not_held(rep: Replica, ranges: Any) -> int | None:
    """How many of the events a bundle's ranges (its manifest's) name are not held
    here; None for ranges that name no events (checked as ever)."""
    if not isinstance(ranges, dict):
        return None
    missing = 0
    for origin, span in ranges.items():
        if not (isinstance(span, list) and len(span) == 2
                and all(type(v) is int for v in span)
                and 1 <= span[0] <= span[1] < events.MAX_COUNTER):
            return None  # (a range past any sequence number: SQLite cannot hold it)
        held = rep.conn.execute(
            "SELECT count(*) FROM events WHERE origin = ? AND seq BETWEEN ? AND ?",
            (origin, span[0], span[1])).fetchone()[0]
        missing += span[1] - span[0] + 1 - held
    return missing


def _lost_here(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any]) -> str:
    """(HQ) Why headquarters refuses a bundle it wrote for an office whose events this
    database no longer holds all of: put back from a backup older than the bundle, it
    lost what the bundle carries (the status lists those changes, to be made again,
    and the reason points there while it does).
    It was refused as one imported by mistake (``HQ_BUNDLE_FOR_OFFICE_REASON``), which
    the review pack leaves out; it needs a person's attention. "" for any other bundle:
    a copy of this database's (a forked history, as many events held), another
    headquarters' or one signed by another key is checked as ever."""
    if not rep.is_hq or m["kind"] != KIND_SYNC or m["office"] != "HQ" \
            or m["recipient"] == "HQ" or m["plan_id"] != rep.plan_id:
        return ""
    if m["sender"] not in keyreg.own_replicas(rep) or not _own_key_signed(
            rep, b, m["sender"]):
        return ""
    lost = _not_held(rep, m["ranges"])
    if not lost:
        return ""
    from fieldplan.sync.state import restored_state, to_make_again

    if not to_make_again(restored_state(rep)):
        # the status lists nothing of it: a backup copied over the database by hand
        # (no restore on record), or the changes it lost said to be made again
        # Translators: {recipient} is an office code
        return counted(
            "bundle is addressed to {recipient}, not to HQ: headquarters wrote it for "
            "{recipient} before this database was put back from a backup, which lost {n} "
            "event it carries; send it to {recipient} if it was not sent",
            "bundle is addressed to {recipient}, not to HQ: headquarters wrote it for "
            "{recipient} before this database was put back from a backup, which lost {n} "
            "events it carries; send it to {recipient} if it was not sent", lost,
            recipient=m["recipient"])
    # Translators: {recipient} is an office code
    return counted(
        "bundle is addressed to {recipient}, not to HQ: headquarters wrote it for "
        "{recipient} before this database was put back from a backup, which lost {n} "
        "event it carries (the status lists what it lost, to be made again); send it to "
        "{recipient} if it was not sent",
        "bundle is addressed to {recipient}, not to HQ: headquarters wrote it for "
        "{recipient} before this database was put back from a backup, which lost {n} "
        "events it carries (the status lists what it lost, to be made again); send it "
        "to {recipient} if it was not sent", lost, recipient=m["recipient"])


def _same_as_held(rep: Replica, b: bundlefmt.Bundle) -> bool:
    """Whether each event the bundle carries is held here, as it is held (its hash):
    a copy of this database and its key writes other events under the same sequence
    numbers, and its bundle, whose ranges name as many events held here, carries a
    forked history, not nothing new (checked as ever, headquarters reports it)."""
    for n, (line, digest) in enumerate(b.iter_hashed_lines(), 1):
        try:
            e = events.parse_event(line, where=functools.partial(_events_line, n),
                                   digest=digest)
        except BundleError:
            return False  # (checked as ever: the merge names what is wrong with it)
        row = rep.conn.execute("SELECT hash FROM events WHERE origin = ? AND seq = ?",
                               (e.origin, e.seq)).fetchone()
        if row is None or not hmac.compare_digest(row[0], e.hash):
            return False
    return True


def _enrolment_ok(rep: Replica, m: dict[str, Any], signer: PublicKey) -> bool:
    token = _proven_enrolment(rep, m, signer)
    # a token ended "now" (a revocation) is ended for this very second too
    return token is not None and token[1] > events.utc_iso()


def _proven_enrolment(rep: Replica, m: dict[str, Any],
                      signer: PublicKey) -> tuple[str, str] | None:
    """(HQ) The enrolment token (id, expires_at) of the bundle's office whose proof the
    bundle carries for its key and replica, ended or not; None without one."""
    e = m.get("enrolment")
    if not rep.is_hq or not isinstance(e, dict):
        return None
    row = rep.conn.execute(
        "SELECT id, office, token, expires_at FROM enrolments WHERE id = ?",
        (str(e.get("id")),)).fetchone()
    if row is None or row[1] != m["office"]:
        return None
    want = hmac.new(row[2].encode(), ENROL_CONTEXT + signer.raw + m["sender"].encode(),
                    hashlib.sha256).hexdigest()
    # (compare_digest raises TypeError for text other than ASCII: such a proof is a
    # wrong one, not a bundle that stops the import)
    proof = str(e.get("proof", ""))
    return (row[0], row[3]) if proof.isascii() and hmac.compare_digest(want, proof) else None


def _proven_elsewhere(rep: Replica, m: dict[str, Any], signer: PublicKey) -> str:
    """(HQ) The office whose enrolment token the bundle truly proves when that is not
    the office it claims; "" otherwise."""
    e = m.get("enrolment")
    if not rep.is_hq or not isinstance(e, dict):
        return ""
    row = rep.conn.execute("SELECT office FROM enrolments WHERE id = ?",
                           (str(e.get("id")),)).fetchone()
    if row is None or row[0] == m["office"]:
        return ""
    return row[0] if _proven_enrolment(rep, {**m, "office": row[0]}, signer) else ""


def _setup_reported(rep: Replica, m: dict[str, Any], signer: PublicKey) -> None:
    """(HQ) The computer of the setup bundle whose enrolment the bundle proves has
    reported: HQ's bundles for its office go by its receipts from now on."""
    token = _proven_enrolment(rep, m, signer)
    if token is not None:
        from fieldplan.sync.enrol import setup_reported

        setup_reported(rep, token[0])
        # which setup bundle registered it: revoking another computer set up from the
        # same one names this one (a stolen laptop's token may have set up a second)
        keyreg.record_enrolment(rep, signer.key_id_hex, token[0])


def ended_enrolment(rep: Replica, m: dict[str, Any], signer: PublicKey) -> tuple[str, bool]:
    """Why a bundle's setup bundle did not vouch for its key, when the bundle carries a
    true proof of an enrolment token that has ended: ("its setup bundle's enrolment was
    ended on 2026-12-03 when key … of ML was revoked", True), or (…"expired on …",
    False); the flag: ended by a revocation (the bundle may be the revoked computer's).
    ("", False) for any other bundle."""
    token = _proven_enrolment(rep, m, signer)
    if token is None or token[1] > events.utc_iso():
        return "", False
    enrol_id, ended_at = token
    why = keyreg.ended_enrolments(rep).get(enrol_id)
    # (its day where this computer is, as the office reads its deadline: key_deadline_text)
    date = format_date(ended_at)
    if not isinstance(why, dict):
        return _("its setup bundle's enrolment expired on {date}").format(date=date), False
    key_id = str(why.get("key_id") or "")
    if key_id:
        return _("its setup bundle's enrolment was ended on {date} when key {key_id} of "
                 "{office} was revoked").format(date=date, key_id=key_id,
                                                office=m["office"]), True
    return _("its setup bundle's enrolment was ended on {date} when a key of {office} was "
             "revoked").format(date=date, office=m["office"]), True


_PROGRESS_FIELDS = {"status", "percent", "state", *NARRATIVE_FIELDS}
_NARRATIVE_FIELDS = frozenset(NARRATIVE_FIELDS)


def _check_event(e: events.Event, origin_office: str, sender_office: str) -> None:
    def where() -> str:  # built only for a bad event: this check runs for every event
        return _event_where(e.seq, origin_office)

    from_office = sender_office != "HQ"
    if from_office and origin_office != sender_office:
        raise OwnershipError(_("{where} is in a bundle from {sender}; an office sends only its "
                               "own data").format(where=where(), sender=sender_office))
    if e.base:
        _check_base(e, where, strict=from_office)
    if from_office and len(e.author) > events.MAX_AUTHOR:
        # (at HQ only, as the indicator keys below: what HQ relays it took)
        raise BundleError(_("{where}: its author's name is longer than {limit} characters")
                          .format(where=where(), limit=format_number(events.MAX_AUTHOR)))
    if e.entity == "progress":
        parts = e.entity_id.split("|")
        if len(parts) != 3:
            raise BundleError(_("{where}: bad report id '{id}'").format(
                where=where(), id=for_message(e.entity_id)))
        if parts[0] != origin_office:
            # (the code as the bundle wrote it, quoted safely: a signed bundle may name
            # any text there, a line break, a bidi override, a megabyte)
            raise OwnershipError(_("{where} writes progress of {office}; only {office}'s "
                                   "replicas may").format(where=where(),
                                                          office=for_message(parts[0])))
        # an action code as plans write them (model.ACTION_CODE): nothing else reaches
        # HQ's spreadsheets, where a text like "=HYPERLINK(…)" would be a formula
        if not ACTION_CODE.fullmatch(parts[1]) or not _PERIOD.fullmatch(parts[2]):
            raise BundleError(_("{where}: bad report id '{id}'").format(
                where=where(), id=for_message(e.entity_id)))
        for name, value in e.fields.items():
            # the usual fields' values checked here as _valid_progress_value checks
            # them, without a call for each field of each event
            if name in _NARRATIVE_FIELDS:
                ok = isinstance(value, str) and len(value) <= MAX_TEXT
            elif name == "status":
                ok = value in STATUSES
            elif name == "percent":
                ok = value is None or (type(value) is int and 0 <= value <= 100)
            else:
                if name not in _PROGRESS_FIELDS and not name.startswith("value."):
                    raise BundleError(_unknown_field(where(), name))
                if from_office and name.startswith("value.") and \
                        not INDICATOR_KEY.fullmatch(name[len("value."):]):
                    # an indicator key as plans write them: a name like "=HYPERLINK(…)",
                    # "a;b=9" or one with a bidi override would show as it is in HQ's
                    # data exports and conflict lists. (At HQ only: what HQ relays it
                    # took, and a value an earlier fieldplan took must not stop its
                    # every bundle)
                    raise BundleError(_("{where}: bad indicator key '{key}'").format(
                        where=where(), key=for_message(name[len("value."):])))
                ok = _valid_progress_value(name, value)
            if not ok:
                raise BundleError(_("{where}: bad value for '{field}'").format(
                    where=where(), field=name))
    elif e.entity in ("plan", "key", "lock"):
        if origin_office != "HQ":
            # what is changed, in words: the record's name ("key", "lock") is the
            # event's, which a French or Arabic sentence quoted in English
            if e.entity == "plan":
                text = _("{where} changes the plan, which only headquarters may write")
            elif e.entity == "key":
                text = _("{where} changes the key registry, which only headquarters may "
                         "write")
            else:
                text = _("{where} changes a period's lock, which only headquarters may "
                         "write")
            raise OwnershipError(text.format(where=where()))
        _check_registry_event(e, where())
    else:
        raise BundleError(_("{where}: unknown kind of record '{record}', probably written by "
                            "a newer fieldplan: update fieldplan").format(
            where=where(), record=for_message(e.entity)))


def _unknown_field(where: str, name: str) -> str:
    """A field this fieldplan does not know: a newer one's, not a damaged bundle."""
    return _("{where}: unknown field '{field}', probably written by a newer fieldplan: "
             "update fieldplan").format(where=where, field=for_message(name))


def _check_known_fields(e: events.Event, where: str, known: set[str]) -> None:
    for name in sorted(set(e.fields) - known):
        raise BundleError(_unknown_field(where, name))


_PERIOD = re.compile(r"[0-9]{4}-S[12]")



#: A version id's seq as fieldplan writes it (``events.Event.version_id``): ASCII
#: digits, no leading zero, below events.MAX_COUNTER (19 digits at most)
_VERSION_SEQ = re.compile(r"[1-9][0-9]{0,18}")


def _check_base(e: events.Event, where: Callable[[], str], *, strict: bool = True) -> None:
    """An event replaces versions of the fields it writes, written before it: never
    other fields (that would hide values it does not set) or its origin's later ones
    (that would hide values not written yet). Each version is named ``origin:seq`` as
    fieldplan writes it (``strict``: at HQ, of an office's bundle); else (what HQ
    relays, which an earlier fieldplan may have taken) a seq a database can hold: a
    seq of 40 digits or '¹' stopped the import with no event named."""
    for name, targets in e.base.items():
        if name not in e.fields:
            raise BundleError(_("{where} replaces versions of '{field}', which it does not "
                                "write").format(where=where(), field=for_message(name)))
        for target in targets:
            origin, _sep, seq = target.rpartition(":")
            if strict:
                ok = bool(origin) and _VERSION_SEQ.fullmatch(seq) is not None \
                    and int(seq) < events.MAX_COUNTER
            else:
                try:
                    ok = seq.isdigit() and int(seq) < 2**63
                except ValueError:  # a digit int() does not read ('¹')
                    ok = False
            if not ok:
                raise BundleError(_("{where}: bad base '{target}'").format(
                    where=where(), target=for_message(target)))
            if origin == e.origin and int(seq) >= e.seq:
                raise BundleError(_("{where} replaces a version written after it").format(
                    where=where()))


def _check_registry_event(e: events.Event, where: str) -> None:
    """Headquarters' records must be well formed too: a damaged plan would leave an
    office unable to work."""
    if e.entity == "plan":
        from fieldplan.errors import PlanError
        from fieldplan.plan import plan_from_dict, where_what

        _check_known_fields(e, where, {"document"})
        if set(e.fields) != {"document"} or not isinstance(e.fields["document"], dict):
            raise BundleError(_("{where}: malformed plan record").format(where=where))
        try:
            plan = plan_from_dict(e.fields["document"], source=_("plan in bundle"))
        except PlanError as exc:
            raise BundleError(where_what(where, str(exc))) from exc
        if plan.id != e.entity_id:
            raise BundleError(_("{where}: plan record for '{id}' holds '{plan}'").format(
                where=where, id=for_message(e.entity_id), plan=for_message(plan.id)))
    elif e.entity == "key":
        # (scope: since bundle format version bundlefmt.KEY_SCOPE_SINCE)
        _check_known_fields(e, where, {"office", "replica", "public_key", "status",
                                       "renews", "scope"})
        ok = all(isinstance(v, str) for v in e.fields.values())
        if ok and "status" in e.fields:
            ok = e.fields["status"] in ("active", "retired", "revoked")
        if ok and "office" in e.fields:
            # an office code as written everywhere else ("hq" would be an office apart)
            ok = _is_office_code(e.fields["office"])
        if ok and "scope" in e.fields:
            # what a revocation cuts off: written with it, never alone or on another status
            ok = (e.fields["scope"] == keyreg.REPLICA_ALONE
                  and e.fields.get("status") == "revoked")
        if ok and "public_key" in e.fields:
            try:
                ok = PublicKey.from_base64(e.fields["public_key"]).key_id_hex == e.entity_id
            except BundleError:
                ok = False
        if not ok:
            raise BundleError(_("{where}: malformed key record").format(where=where))
    else:
        _check_known_fields(e, where, {"locked"})
        if (set(e.fields) != {"locked"} or not isinstance(e.fields["locked"], bool)
                or not _is_period_code(e.entity_id)):
            # (a period as headquarters writes it, "2026-S1": one named "2026-s1", with
            # a line break or of a megabyte was merged, and every import said
            # "headquarters locked" it as it was, over lines or megabytes)
            raise BundleError(_("{where}: malformed period lock").format(where=where))


def _is_period_code(value: str) -> bool:
    """``value`` is a period as fieldplan writes it (``2026-S1``, not ``2026-s1``)."""
    from fieldplan.periods import parse_period

    try:
        return str(parse_period(value)) == value
    except ValidationError:
        return False


def _is_office_code(value: str) -> bool:
    """``value`` is an office code written as fieldplan writes it (``SN``, not ``sn``)."""
    from fieldplan.offices import check_office

    try:
        return check_office(value) == value
    except ValidationError:
        return False


def _valid_progress_value(name: str, value: Any) -> bool:
    if name == "status":
        return value in STATUSES
    if name == "state":
        return value in REPORT_STATES
    if name == "percent":
        return value is None or (type(value) is int and 0 <= value <= 100)
    if name.startswith("value."):
        if type(value) is int:  # (math.isfinite raises past a float's range: 10**400)
            return abs(value) <= sys.float_info.max
        return value is None or (type(value) is float and math.isfinite(value))
    return isinstance(value, str) and len(value) <= MAX_TEXT


class _Merger:
    """Checks and stores a bundle's events in batches inside one transaction."""

    def __init__(self, rep: Replica, m: dict[str, Any],
                 arrival: events.Arrival | None = None,
                 repair: fork.Repair | None = None, signer: str = "") -> None:
        sender, sender_office = m["sender"], m["office"]
        self.rep = rep
        #: the id of the key that signed the bundle
        self.signer = signer
        self.manifest = m
        self.arrival = arrival
        self.repair = repair
        self.sender_office = sender_office
        self.offices = keyreg.replica_offices(rep)
        self.offices[sender] = sender_office
        # (HQ) the sending office computer's replicas; (office, HQ's bundle) this
        # computer's: a run of theirs that does not follow the held event is a fork
        self.hq_own = (fork.computer_replicas(rep, sender)
                       if rep.is_hq and sender_office != "HQ" else set())
        self.office_own = (keyreg.own_replicas(rep) if fork.may_repair(rep, m) else set())
        self.last: dict[str, tuple[int, str, str]] = {}  # origin → open run's end
        self.deferred: list[events.Event] = []
        self.stats = _MergeStats()
        #: the winners of the reports of many heads met so far (``events.WideHeads``)
        self.wide = events.WideHeads()
        #: (HQ, an office's bundle) the versions of another computer its new events
        #: replace, each checked once the whole bundle is in (``_check_seen``); not at
        #: an HQ restored from a backup (or gone back), which may have lost versions
        #: its offices saw
        self.seen_elsewhere: list[tuple[events.Event, str, str]] | None = (
            [] if rep.is_hq and sender_office != "HQ" and not rep.meta("renewed_from")
            else None)

    def _held_hash(self, origin: str, seq: int) -> str | None:
        row = self.rep.conn.execute(
            "SELECT hash FROM events WHERE origin = ? AND seq = ?", (origin, seq)).fetchone()
        return row[0] if row else None

    def _close_run(self, origin: str) -> None:
        """The event after a run of consecutive events, if held, must follow it."""
        seq, digest, office = self.last.pop(origin)
        row = self.rep.conn.execute(
            "SELECT body FROM events WHERE origin = ? AND seq = ?", (origin, seq + 1)
        ).fetchone()
        if row is not None and json.loads(row[0])["prev"] != digest:
            raise BundleError(_("{where}: broken hash chain (event {next} does not follow it)")
                              .format(where=_event_where(seq, office), next=seq + 1))

    def _check_chain(self, e: events.Event, office: str) -> None:
        """Chain links are checked inside each run of consecutive events of an origin,
        and against the log at both ends of the run (two look-ups a run, not an event)."""
        run = self.last.get(e.origin)
        held_before = False  # whether ``before`` is the log's (else the bundle's)
        if run is not None and run[0] + 1 == e.seq:
            before: str | None = run[1]
        else:
            if run is not None:
                self._close_run(e.origin)
            before = events.GENESIS if e.seq == 1 else self._held_hash(e.origin, e.seq - 1)
            held_before = e.seq > 1
        if before is not None and before != e.prev:
            # a held event before the run that the run does not follow: the computer's
            # history forked (sync.fork), at HQ for the sender's replicas, at an office
            # for its own ones in HQ's bundle
            if held_before and e.origin in self.hq_own:
                raise fork.ChainFork(self._broken_text(e, office), e.origin, e.seq)
            if held_before and e.origin in self.office_own:
                raise fork.OwnChainBroken(e.origin, e.seq)
            if held_before and office == "HQ" and fork.may_repair(self.rep, self.manifest):
                # headquarters' own history forked: its database went back and wrote on
                raise ForkedHistoryError(fork.hq_forked_text(e.origin, e.seq),
                                         {e.origin: e.seq})
            raise BundleError(self._broken_text(e, office))
        self.last[e.origin] = (e.seq, e.hash, office)

    @staticmethod
    def _broken_text(e: events.Event, office: str) -> str:
        return _broken_chain_text(e, office)

    def add(self, batch: list[events.Event]) -> None:
        ready = []
        # (names bound once: this loop runs for every event imported)
        offices, sender_office, spans = self.offices, self.sender_office, self.stats.origins
        check_chain = self._check_chain
        for e in batch:
            origin, seq = e.origin, e.seq
            office = offices.get(origin)
            if office is None:
                self.deferred.append(e)
                continue
            _check_event(e, office, sender_office)
            check_chain(e, office)
            ready.append(e)
            span = spans.get(origin)
            if span is None:
                spans[origin] = (seq, seq)
            elif seq < span[0] or seq > span[1]:
                spans[origin] = (min(span[0], seq), max(span[1], seq))
        self.stats.total += len(ready)
        conn = self.rep.conn
        conn.several_heads = self.stats.several_heads
        try:
            while True:
                try:
                    new = events.store_events(conn, ready, self.arrival, self.wide)
                    break
                except ForkedHistoryError as exc:
                    # (an office) what a key headquarters rotated out brought past its
                    # retirement, taken out; headquarters' copies of events this
                    # computer wrote again after its database went back: repaired, not
                    # refused (sync.fork). Each cut takes out another replica's events
                    if not (self._cut_retired(exc, ready) or (
                            self.repair is not None and self.repair.cut(self.manifest,
                                                                        exc))):
                        raise
                    self.wide = events.WideHeads()  # (the cut took versions out)
        finally:
            conn.several_heads = None
        if not self.rep.is_hq and any(e.origin == self.rep.replica_id for e in new):
            # (read in the import's transaction: the key records the bundle brought so
            # far) headquarters trusted another key for this computer, whose events
            # these are: headquarters is to know the office never made that key
            replaced = keyreg.replaced_here(self.rep)
            if replaced:
                # Translators: one line; {key_id} is a key id such as 1A2B3C4D5E6F7A8B
                raise TakenOver(_(
                    "the bundle carries events of this computer that it never wrote, "
                    "signed with key {key_id}, which headquarters trusted for this "
                    "computer in place of its key: tell headquarters that key {key_id} "
                    "is not this office's, to revoke it").format(key_id=replaced), replaced)
            never = _("the bundle carries events of this computer that it never wrote")
            if keyreg.own_key_status(self.rep) == "revoked":
                # (that key revoked since: this computer with it)
                raise TakenOver(join_clauses([never, revoked_text()]))
            raise OwnershipError(never)
        self.stats.new += len(new)
        if self.sender_office != "HQ":  # (an office's bundle: its clock, office_clock_wrong)
            office_hlc = [e.hlc for e in new
                          if self.offices.get(e.origin) == self.sender_office]
            if office_hlc:
                lo, hi = min(office_hlc), max(office_hlc)
                if self.stats.office_hlc is not None:
                    lo, hi = min(lo, self.stats.office_hlc[0]), max(hi, self.stats.office_hlc[1])
                self.stats.office_hlc = (lo, hi)
        seen, periods, reports = self.seen_elsewhere, self.stats.periods, self.stats.reports
        for e in new:
            if seen is not None and e.base:
                seen += [(e, name, target) for name, targets in e.base.items()
                         for target in targets if target.rpartition(":")[0] != e.origin]
            if e.entity == "progress":
                period = e.entity_id.rpartition("|")[2]
                if e.hlc > periods.get(period, 0):
                    periods[period] = e.hlc
                elif period not in periods:
                    periods[period] = 0  # (as max(0, 0) stored it)
                reports.add(e.entity_id)
                self.stats.values.update(
                    (e.entity_id, name[len("value."):]) for name, value in e.fields.items()
                    if name.startswith("value.") and value is not None)
        if any(e.entity == "key" for e in new):
            self.offices.update(keyreg.replica_offices(self.rep))

    def finish(self) -> _MergeStats:
        self._drain_deferred()
        for origin in list(self.last):
            self._close_run(origin)
        self._check_seen()
        if self.stats.cut_retired:
            # what the events taken out wrote (a lock, a plan change, a key) goes: every
            # table derived from the log again
            events.rebuild(self.rep.conn)
        return self.stats

    def _cut_retired(self, exc: ForkedHistoryError, ready: list[events.Event]) -> bool:
        """(an office, headquarters' bundle) Take out of the log the events of a
        replica of headquarters from where the bundle's differ, when every one of them
        came in bundles of a key that this bundle (or the log, before that point)
        retires with an event of that replica up to that point: a key headquarters
        rotated out signs nothing written after its retirement (a leaked key), and
        until this office heard of the rotation it took them. They would fork
        headquarters' history here for good: its real bundles, the rotation's first,
        refused. Whether any was taken out."""
        if self.rep.is_hq or self.sender_office != "HQ":
            return False
        conn = self.rep.conn
        done = False
        retired_json = events.value_json("retired")
        for origin, seq in sorted(exc.forks.items()):
            if self.offices.get(origin) != "HQ" or origin in self.stats.cut_retired:
                continue
            # (a rotation registers the new key, then retires the old one: the bundles
            # of both records are the new key's)
            mine = {e.seq: e for e in ready if e.origin == origin and e.entity == "key"}
            retired = {e.entity_id for e in mine.values()
                       if e.fields.get("status") == "retired" and (e.seq <= seq or (
                           e.seq == seq + 1 and seq in mine
                           and mine[seq].fields.get("replica") == origin
                           and mine[seq].fields.get("status", "active") == "active"))}
            retired.update(key_id for (key_id,) in conn.execute(
                "SELECT entity_id FROM versions WHERE entity = 'key' AND field = 'status' "
                "AND value = ? AND origin = ? AND seq < ?", (retired_json, origin, seq)))
            retired.discard(self.signer)
            if not retired:
                continue
            brought = _brought_by(conn, origin, seq)
            if not brought or not set(brought) <= retired:
                continue
            # the replicas the key records taken out registered (a made-up computer of
            # headquarters, with a key of the holder's): their events go with them
            named = {json.loads(v) for (v,) in conn.execute(
                "SELECT value FROM versions WHERE entity = 'key' AND field = 'replica' "
                "AND origin = ? AND seq >= ?", (origin, seq))}
            self._take_out(origin, seq)
            for replica in sorted(named - {origin, self.rep.replica_id}):
                if isinstance(replica, str) and conn.execute(
                        "SELECT 1 FROM versions WHERE entity = 'key' AND field = 'replica' "
                        "AND value = ?", (events.value_json(replica),)).fetchone() is None:
                    also = _brought_by(conn, replica, 1)
                    if also and set(also) <= retired:
                        self._take_out(replica, 1)
                        brought += also
            events.note_cut(conn)
            self.stats.cut_retired[origin] = (seq, len(brought), sorted(set(brought))[0])
            done = True
        return done

    def _take_out(self, origin: str, seq: int) -> None:
        """Take ``origin``'s events from ``seq`` on out of the log, with what was
        derived from them (``finish`` derives the rest again)."""
        conn = self.rep.conn
        conn.execute("DELETE FROM versions WHERE origin = ? AND seq >= ?", (origin, seq))
        conn.execute("DELETE FROM supersedes WHERE by_origin = ? AND by_seq >= ?",
                     (origin, seq))
        conn.execute("DELETE FROM events WHERE origin = ? AND seq >= ?", (origin, seq))

    def _check_seen(self) -> None:
        """(HQ) An office computer replaces only versions it saw: another computer's
        reach it through headquarters alone, so headquarters holds each. A version it
        never held is one no computer showed it: a bundle naming versions a sibling
        has not written yet hid that sibling's next saves, at headquarters and then on
        the sibling itself, with no conflict to show it."""
        for e, name, target in self.seen_elsewhere or ():
            origin, _sep, seq = target.rpartition(":")
            if self.rep.conn.execute(
                    "SELECT 1 FROM versions WHERE entity = ? AND entity_id = ? AND field = ? "
                    "AND origin = ? AND seq = ?",
                    (e.entity, e.entity_id, name, origin, int(seq))).fetchone() is None:
                raise BundleError(_(
                    "{where} replaces a version of '{field}' that headquarters never held "
                    "(event {seq} of replica {replica}): no computer can have seen it").format(
                        where=_event_where(e.seq, self.offices.get(e.origin, "?")),
                        field=for_message(name), seq=seq,
                        replica=for_message(origin[:8])))  # (the bundle's word)

    def _drain_deferred(self) -> None:
        while self.deferred:
            pending, self.deferred = self.deferred, []
            self.add(pending)
            if self.deferred and len(self.deferred) == len(pending):
                o = self.deferred[0].origin
                raise OwnershipError(_("events from replica {replica}, which no known key "
                                       "belongs to").format(
                                           replica=for_message(o[:8])))  # (made up)


def _brought_by(conn, origin: str, seq: int) -> list[str | None]:
    """The key that signed the bundle each of ``origin``'s events from ``seq`` on came
    in (by its inbox line), one per event."""
    return [row[0] for row in conn.execute(
        "SELECT (SELECT key_id FROM inbox WHERE id = events.inbox_id) FROM events "
        "WHERE origin = ? AND seq >= ?", (origin, seq))]


def cut_retired_text(cut: dict[str, tuple[int, int, str]]) -> str:
    """What an office's import of headquarters' bundle took out of its log: the events
    a key headquarters rotated out brought past its retirement (``_MergeStats``)."""
    # Translators: {key_id} is a key id such as 1A2B3C4D5E6F7A8B; {seq}, the number of
    # headquarters' first change taken out
    return join_clauses([counted(
        "{count} change of headquarters from number {seq} on was taken out: key "
        "{key_id} brought it after headquarters had retired that key (a leaked key); "
        "headquarters' own changes replace it",
        "{count} changes of headquarters from number {seq} on were taken out: key "
        "{key_id} brought them after headquarters had retired that key (a leaked key); "
        "headquarters' own changes replace them",
        n, seq=format_number(seq), key_id=key_id)
        for _origin, (seq, n, key_id) in sorted(cut.items())])


def retired_key_text(key_id: str, seq: int, office: str) -> str:
    """Why a bundle signed by a retired key that carries an event written after the
    key's retirement (``keyreg.retired_at``) is refused."""
    # Translators: one line; {office} is an office code such as ML, or HQ
    return _("signed with key {key_id} ({office}), which was retired before event {seq} "
             "of {office} it carries: a retired key signs nothing written after its "
             "retirement (a leaked key or a forged file); ask {office} for a new bundle"
             ).format(key_id=key_id, office=office, seq=seq)


def _newer_key_merged(rep: Replica, key_id: str) -> bool:
    """Whether a bundle signed by the active key that replaced ``key_id``
    (``keyreg.rotated_out``) was merged here: it carried all that a bundle of
    ``key_id`` can (before it, a trust releases the older key's bundles first)."""
    keys = keyreg.all_keys(rep)
    replica = keys[key_id].replica
    newer = [k.key_id for k in keys.values() if k.replica == replica and k.status == "active"]
    return rep.conn.execute(
        f"SELECT 1 FROM inbox WHERE key_id IN ({','.join('?' * len(newer))}) AND outcome IN "
        "('merged', 'duplicate') LIMIT 1", newer).fetchone() is not None


def rotated_out_text(key_id: str, office: str) -> str:
    """Why a bundle signed by a key a rotation replaced that brings new events
    (``keyreg.rotated_out``) is refused."""
    # Translators: one line; {office} is an office code such as ML, or HQ
    return _("signed with key {key_id} ({office}), which a newer key of that computer "
             "replaced: a bundle it signed brings nothing the newer key's bundles did not "
             "(a leaked key or a forged file); ask {office} for a new bundle").format(
                 key_id=key_id, office=office)


def _broken_chain_text(e: events.Event, office: str) -> str:
    """The reason for an event that does not follow the one before it (also the trust
    preview's, ``trust_preview``)."""
    return _("{where}: broken hash chain (does not follow event {previous})").format(
        where=_event_where(e.seq, office), previous=e.seq - 1)


def _out_of_order_text(n: int, e: events.Event) -> str:
    """The reason for a computer's event at line ``n`` not after its one before in the
    bundle (also the trust preview's)."""
    return _("{where}: event {seq} of replica {replica} is out of order or "
             "repeated").format(where=_events_line(n), seq=e.seq,
                                replica=for_message(e.origin[:8]))


def _add_batch(merger: _Merger, batch: list[events.Event]) -> None:
    """``merger.add``, an error no check foresaw (a number SQLite cannot store) said as
    the bundle's events' fault."""
    try:
        merger.add(batch)
    except _HOSTILE as exc:
        raise BundleError(_malformed(exc, bundlefmt.EVENTS)) from exc


def _merge(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any], *,
           progress: Progress | None, cancel: Callable[[], bool] | None,
           arrival: events.Arrival | None = None,
           repair: fork.Repair | None = None,
           held: HeldOnly | None = None) -> _MergeStats:
    """Check and store the bundle's events (``arrival``: the import that brings them,
    whose inbox line is written with its id) and its receipts; ``repair``: a forked
    history of this computer is repaired (else refused). ``held``: a revoked
    computer's bundle, of which only the events headquarters held when it revoked it
    are taken (``_HeldRuns``), and no receipts."""
    merger = _Merger(rep, m, arrival, repair, signer=b.key_id)
    runs = _HeldRuns(held, rep) if held is not None else None
    batch: list[events.Event] = []
    total = b.event_count
    # at HQ, an office computer's events come from that computer only (and from the
    # replicas it continues after a restore): a sibling could otherwise write into its
    # chain and have its real events refused
    own_only = rep.is_hq and m["office"] != "HQ"
    own = merger.hq_own  # (the sender and the replicas it continues: computer_replicas)
    # a retired key signs nothing written after the record that retired it (a key
    # headquarters rotated out because it leaked wrote locks, plan and keys at offices)
    retired = keyreg.retired_at(rep, b.key_id)
    replaced = keyreg.rotated_out(rep, b.key_id) and _newer_key_merged(rep, b.key_id)
    last_seq: dict[str, int] = {}
    for n, (line, digest) in enumerate(b.iter_hashed_lines(), 1):
        # (HQ, an office's bundle) in canonical form: HQ relays what it stores, and a
        # line in another form fails every bundle written with it. HQ's own bundles are
        # taken as HQ stored them: one an earlier fieldplan took in another form is
        # relayed so, and refusing it would refuse every bundle of HQ's
        try:
            e = events.parse_event(line, where=functools.partial(_events_line, n),
                                   digest=digest, received=own_only)
        except _HOSTILE as exc:  # (named: said as the bundle's fault, with its line)
            raise BundleError(_malformed(exc, _events_line(n))) from exc
        if own_only and e.origin not in own:
            raise OwnershipError(_("{where} carries events of replica {replica}; an office "
                                   "computer sends its own events only").format(
                                       where=_events_line(n),
                                       replica=for_message(e.origin[:8])))  # (made up)
        # each computer's events in increasing order, each once, as exports write them:
        # the chain check relies on it
        if e.seq <= last_seq.get(e.origin, 0):
            raise BundleError(_out_of_order_text(n, e))
        last_seq[e.origin] = e.seq
        if retired and e.seq > retired.get(e.origin, e.seq):
            raise BundleError(retired_key_text(b.key_id, e.seq, merger.offices.get(
                e.origin, "?")))
        if runs is not None and not runs.take(e):
            continue
        batch.append(e)
        if len(batch) >= BATCH:
            _add_batch(merger, batch)
            batch = []
            if progress:
                progress(n, total, _("merging"))
            if cancel and cancel():
                raise FieldplanError(_("import cancelled; nothing was changed"))
    _add_batch(merger, batch)
    stats = merger.finish()
    if replaced and stats.new:
        # (the events it brings were written after the rotation: a leaked key's)
        raise BundleError(rotated_out_text(b.key_id, str(m["office"])))
    if repair is not None:
        repair.finish()
    if runs is not None:
        runs.finish(stats)
    if progress:
        progress(total, total, pgettext("import outcome", "merged"))
    if runs is not None or replaced:
        # a revoked computer's receipts say nothing any more, nor a key's a rotation
        # replaced (false ones from a leaked key would have a computer go on as a new
        # replica, or say headquarters holds what it never received)
        return stats
    limits: dict[str, int] = {}
    # (HQ, an office's bundle) more of HQ than it holds: it went back, or the receipt
    # lies (a forged bundle would renew HQ's identity at will: renew_if_gone_back; of
    # a replica a restore continues, it would list changes to make again that never
    # were). Not stored past what HQ can tell it ever sent. An office believes HQ's
    # signed receipts: past its whole mark they say a copy of its database wrote too
    # (a second laptop), and it renews, as it must
    for origin in keyreg.own_replicas(rep) if own_only else ():
        if m["acks"].get(origin, 0) > events.last_event(rep.conn, origin)[0]:
            limit = receipt_limit(rep, origin)
            if limit is not None:
                limits[origin] = limit
    # (HQ, an office's bundle) receipts of computers HQ knows: its replicas and those
    # of the registry. Another one tells HQ nothing to send, and a forged bundle could
    # fill the table with thousands of made-up names, bundle after bundle
    known = {k.replica for k in keyreg.all_keys(rep).values()} if own_only else None
    # (an office, headquarters' bundle) a receipt for this computer's own events, within
    # what it holds, is what makes its next export leave them out: taken only with the
    # hash of the event it names, from a headquarters whose fieldplan gives one with
    # every receipt (its earlier bundles say so). A bundle of headquarters' key that
    # leaked, rotated out before this office heard of it, named all this computer held
    # with no hash: what it had not sent yet never reached headquarters, and
    # headquarters' true receipts, lower, never brought it back. (A hash that differs
    # is stored, as before: it shows a fork, and the replica goes from 1 again,
    # ``fork.check_receipts``; nothing is left out)
    unhashed = (() if rep.is_hq or m["office"] != "HQ"
                or not formats.hashes_receipts(rep, str(m["sender"]))
                else set(_own_receipts_held(rep, m["acks"]))
                - set(m.get("ack_hashes") or {}))
    for origin, seq in m["acks"].items():
        if known is not None and origin not in known and rep.conn.execute(
                "SELECT 1 FROM events WHERE origin = ? LIMIT 1", (origin,)).fetchone() is None:
            continue
        if origin in unhashed:
            continue
        if origin in limits and seq > limits[origin]:
            stats.false_receipt, seq = (seq, limits[origin]), limits[origin]
        stats.receipts += rep.conn.execute(
            "INSERT INTO acks (peer, origin, seq) VALUES (?, ?, ?) ON CONFLICT (peer, origin) "
            "DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq",
            (m["sender"], origin, seq)).rowcount
    fork.check_receipts(rep, m)
    fork.check_hq_receipts(rep, m)
    return stats


def _own_receipts_held(rep: Replica, acks: dict[str, Any]) -> list[str]:
    """(an office) The replicas of this computer that receipts ``acks`` name an event
    it holds of. (One past what it holds is ``replica._mark_if_gone_back``'s: a copy
    of its database wrote too.)"""
    return [origin for origin in keyreg.own_replicas(rep) & set(acks)
            if type(acks[origin]) is int and 0 < acks[origin]
            <= events.last_event(rep.conn, origin)[0]]


def _merge_held(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any],
                held: HeldOnly | None, **kw: Any) -> _MergeStats:
    """``_merge``; of a revoked computer's bundle (``held``), a fork is refused as the
    revocation: under a run pinned by its last event's hash, a link that does not
    follow can only be forged, and no fork may be recorded for a computer that can
    never repair it."""
    try:
        return _merge(rep, b, m, held=held, **kw)
    except ForkedHistoryError as exc:
        if held is not None:
            raise BundleError(held.reason) from exc
        raise


def held_only_text(held: HeldOnly, stats: _MergeStats) -> str:
    """What ``verify`` says of a revoked computer's bundle that an import takes in
    part (``HeldOnly``): why, how many events it takes back, and which it refuses."""
    return join_clauses([
        # Translators: {reason} says which key was revoked
        counted("{reason}: an import takes back {n} event of it, one headquarters held "
                "when it revoked the key",
                "{reason}: an import takes back {n} events of it, ones headquarters held "
                "when it revoked the key", stats.new, reason=held.reason),
        refused_text(stats.refused, held.reason)])


class TakenOver(OwnershipError):
    """(an office) Headquarters' bundle carries events of this computer that it never
    wrote, and its key records cut this computer off: ``replaced``, the key
    headquarters trusted in its place (``keys.replaced_here``), or "" (revoked). The
    bundle is refused; that this computer is cut off is kept (``keys.CUT_OFF_HERE``)."""

    def __init__(self, message: str, replaced: str = "") -> None:
        super().__init__(message)
        self.replaced = replaced


class HeldWaiting(BundleError):
    """An earlier bundle of a revoked computer whose events nothing ties to what
    headquarters held yet (``_HeldRuns``): refused for now, taken once the bundle the
    computer sent next is imported (``ImportOutcome.waits``)."""


class _HeldRuns:
    """Which events of a revoked computer's bundle are taken (``HeldOnly``): of each
    replica, those up to the last headquarters held when it revoked it. They must be
    one run of consecutive events ending with that very event (its hash as recorded),
    or with the one before an event headquarters holds again (an earlier bundle of the
    computer, when it sent several: its next event's ``prev`` names it): the hash chain
    then vouches for each of them, though headquarters no longer holds them (the
    revoked key's holder could sign anything else). Events beyond it are refused; a
    bundle of nothing but refused events is rejected as before."""

    def __init__(self, held: HeldOnly, rep: Replica) -> None:
        self.held = held
        self.rep = rep
        self.last: dict[str, tuple[int, str]] = {}  # replica → the last event taken
        self.refused: dict[str, tuple[int, int]] = {}  # replica → (first, last)

    def take(self, e: events.Event) -> bool:
        limit = self.held.held.get(e.origin)
        if limit is None or e.seq > limit[0]:
            first, _last = self.refused.get(e.origin, (e.seq, e.seq))
            self.refused[e.origin] = (first, e.seq)
            return False
        before = self.last.get(e.origin)
        if (before is not None and e.seq != before[0] + 1) or (
                e.seq == limit[0] and not hmac.compare_digest(e.hash, limit[1])):
            raise BundleError(self.held.reason)
        self.last[e.origin] = (e.seq, e.hash)
        return True

    def _vouched(self, origin: str, seq: int, sha: str) -> bool | None:
        """Whether the run of ``origin`` ending with event ``seq`` (hash ``sha``) ends
        where the chain ties it: the event recorded at the revocation, or one whose
        next event headquarters holds (restored, or taken again) and names it. None:
        headquarters does not hold that next event yet (a later bundle brings it)."""
        if seq == self.held.held[origin][0]:
            return True  # (its hash checked as it was taken)
        row = self.rep.conn.execute("SELECT body FROM events WHERE origin = ? AND seq = ?",
                                    (origin, seq + 1)).fetchone()
        if row is None:
            return None
        try:
            after = events.parse_event(row[0])
        except ValidationError:
            return False
        return hmac.compare_digest(after.prev, sha)

    def finish(self, stats: _MergeStats) -> None:
        ties = [self._vouched(origin, *last) for origin, last in self.last.items()]
        if False in ties:
            raise BundleError(self.held.reason)
        if None in ties:
            raise HeldWaiting(_("{reason}; what this earlier bundle of it brings back is "
                                "taken once the bundle it sent next is imported: import "
                                "that one, then this one again").format(
                                    reason=self.held.reason))
        if self.refused and not stats.new:
            raise BundleError(self.held.reason)
        stats.refused = dict(self.refused)


def refused_text(refused: dict[str, tuple[int, int]], reason: str) -> str:
    """What a revoked computer's bundle had beyond what headquarters held of it when
    it revoked it (``_HeldRuns``), refused; "" when nothing was."""
    return join_clauses([
        # Translators: {replica} is the first 8 digits of a replica id; {reason} says
        # which key was revoked
        _("events {first}–{last} of replica {replica}, beyond what headquarters held of "
          "it when it revoked its key, are refused: {reason}").format(
              first=first, last=last, replica=replica[:8], reason=reason)
        for replica, (first, last) in sorted(refused.items())])


def _record(rep: Replica, outcome: ImportOutcome, sha: str,
            forks: dict[str, int] | None = None, resend: str = "") -> ImportOutcome:
    """Write an inbox line in its own transaction (the import's may have rolled back);
    ``forks``: (HQ) the forked history it refused, recorded with it; ``resend``: (an
    office) its own replica to send from 1 again (sync.fork)."""
    with store.write_transaction(rep.conn):
        inbox_id = _inbox_row(rep, outcome, sha)
        if forks:
            fork.record_forks(rep, forks)
        if resend:
            fork.mark_resend(rep, {resend: 1})
    return replace(outcome, inbox_id=inbox_id)


def _inbox_row(rep: Replica, o: ImportOutcome, sha: str,
               arrival: events.Arrival | None = None) -> int:
    """Write the inbox line of a bundle, and return its id; ``arrival``: the id and time
    the merge of its events took (their link to this line), else the next id, now."""
    # the reason as written, and how it was made (shown again in the reader's language)
    reason = _merged_notes(o) if o.outcome == "merged" else o.reason
    record = message_record(reason)
    at = arrival.received_at if arrival else events.utc_iso()
    cursor = rep.conn.execute(
        "INSERT INTO inbox (id, bundle_id, file_name, sha256, office, sender, key_id, "
        "received_at, outcome, reason, reason_msg, events, events_new, plan_changes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (arrival.inbox_id if arrival else None, o.bundle_id or None, o.file, sha, o.office,
         o.replica, o.key_id, at, o.outcome, str.__str__(reason),
         json.dumps(record) if record else None, o.events_total, o.events_new,
         json.dumps([{"text": str.__str__(line), "msg": message_record(line)}
                     for line in o.plan_changes]) if o.plan_changes else None))
    events.set_meta(rep.conn, "last_import", events.canonical_json(
        {"at": at, "file": o.file, "outcome": o.outcome}))
    return arrival.inbox_id if arrival else int(cursor.lastrowid or 0)


def _merged_notes(o: ImportOutcome) -> str:
    """What the inbox keeps as a merged bundle's reason: what its import said beyond
    its events (``ImportOutcome.line``'s notes: the gaps it left, a new computer's key
    it registered, then its reason: late data, a repair, a new plan, locks,
    conflicts, clocks). The Inbox's Reason column was empty where the import's result,
    closed since, had said "the key of a new computer of ML is now registered"."""
    return join_clauses([*o.gaps, o.key_news_text(), o.reason])


def import_bundle(
    rep: Replica,
    source: Source,
    *,
    name: str | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
    backup: bool = True,
) -> ImportOutcome:
    """Verify and merge one bundle. Never raises for a bad bundle: the outcome says
    rejected with the reason, and the database is as it was."""
    # what is said of the bundle is kept in the inbox, to be shown in any language
    with capturing():
        return _import_bundle(rep, source, name=name, progress=progress, cancel=cancel,
                              backup=backup)


def _import_bundle(rep: Replica, source: Source, *, name: str | None,
                   progress: Progress | None, cancel: Callable[[], bool] | None,
                   backup: bool) -> ImportOutcome:
    fname = _source_name(source, name)
    sha = _sha256(source)
    rep.reread_identity()  # (renewed by another program's import since it was read)
    try:
        # events.jsonl is checked once the manifest and the key are accepted: a bundle
        # refused for its key or address costs no decompression (a hostile one may
        # hold gigabytes)
        b = bundlefmt.open_bundle(source, check_events=False)
    except BundleError as exc:
        return _record(rep, ImportOutcome(fname, "rejected", str(exc)), sha)
    except OSError as exc:
        return _record(rep, ImportOutcome(fname, "rejected", _cannot_read(exc)), sha)
    except _HOSTILE as exc:
        return _record(rep, ImportOutcome(fname, "rejected", _malformed(exc)), sha)
    with b:
        m = b.manifest
        # a setup bundle (refused: it starts a new computer) is named by the office it is
        # for, not by headquarters, which signs every one: the inbox and the review
        # pack's refused bundles listed it under "HQ"
        office = m.get("recipient" if m.get("kind") == KIND_SETUP else "office", "")
        base = dict(file=fname, office=str(office), replica=str(m.get("sender", "")),
                    key_id=b.key_id, fingerprint=b.public_key.fingerprint,
                    bundle_id=b.bundle_id, events_total=b.event_count)
        try:
            _check_manifest_fields(m)
            again = _written_here(rep, b, m)
            if again:
                return _record(rep, ImportOutcome(outcome="duplicate", reason=again,
                                                  written_here=True, **base), sha)
            lost = _lost_here(rep, b, m)
            if lost:
                return _record(rep, ImportOutcome(outcome="rejected", reason=lost, **base),
                               sha)
            _check_manifest(rep, m, fields_checked=True)
            if m["sender"] == rep.replica_id:
                if not _own_key_signed(rep, b, m["sender"]):
                    # any key may write this computer's replica id in a manifest: such
                    # a file is no copy of its own, and no key of it is to be trusted
                    # Translators: {replica} is the first 8 digits of a replica id
                    raise BundleError(_(
                        "bundle gives this computer (replica {replica}) as its sender but "
                        "is not signed by its key: it was not written here (a damaged or "
                        "forged file)").format(replica=rep.replica_id[:8]))
                return _record(rep, ImportOutcome(
                    outcome="duplicate", reason=_("written by this replica"),
                    written_here=True, **base), sha)
            accept = _check_key(rep, b, m)
            data = None
            if accept == "quarantine":
                # the bytes kept, checked whole (events.jsonl once): the inbox names them
                data = _kept_bytes(b, source)
                sha = hashlib.sha256(data).hexdigest()
            else:
                b.check_events()
        except BundleError as exc:
            return _record(rep, ImportOutcome(outcome="rejected", reason=str(exc), **base), sha)
        except OSError as exc:
            return _record(rep, ImportOutcome(outcome="rejected", reason=_cannot_read(exc),
                                              **base), sha)
        if data is not None:
            return _quarantine(rep, b, data, base, sha)
        if backup:
            rep.backup("before-import")
        # the key file a repair makes goes in place after the commit (away on failure)
        repair = fork.Repair(rep) if fork.may_repair(rep, m) else None
        try:
            with repair or contextlib.nullcontext(), store.write_transaction(rep.conn):
                # the key again, with the write lock held: another program may have
                # revoked it (or ended the enrolment that vouched for it) since it was
                # checked, while events.jsonl was read and the backup taken
                accept = _check_key(rep, b, m)
                if accept == "quarantine":
                    raise _NoLongerVouched
                # what the import then says it did is what it finds changed from here,
                # with the write lock held (another program may have merged the same
                # bundle meanwhile)
                seen = rep.conn.execute(
                    "SELECT 1 FROM inbox WHERE bundle_id = ? AND outcome IN "
                    "('merged', 'duplicate')", (b.bundle_id,)).fetchone()
                plan_before = rep.plan()
                locks_before = set(locked_periods(rep))
                revoked_before = not rep.is_hq and keyreg.own_key_status(rep) == "revoked"
                hq_key_before = None if rep.is_hq else _hq_key_id(rep)
                # (headquarters) a computer's first key, vouched for by its setup bundle:
                # no key of it replaced (a rotation's retires one)
                registered = (rep.is_hq and isinstance(accept, tuple) and accept[1] is None
                              and m["office"] != "HQ")
                if isinstance(accept, tuple):
                    keyreg.accept_new_key(rep, b.public_key, m["office"], m["sender"],
                                          retire=accept[1], lineage=accept[2],
                                          earlier=accept[3])
                    _setup_reported(rep, m, b.public_key)
                # the events stored link to this import's inbox line, written below with
                # this id (the write lock is held: no other line takes it) and this time
                arrival = events.Arrival(events.utc_iso(), rep.conn.execute(
                    "SELECT coalesce(max(id), 0) + 1 FROM inbox").fetchone()[0])
                held = accept if isinstance(accept, HeldOnly) else None
                stats = _merge_held(rep, b, m, held, progress=progress, cancel=cancel,
                                    arrival=arrival, repair=repair)
                # a bundle of events all held already is a duplicate, unless it brought
                # receipts that move forward (what the other side now holds), or those
                # events are only the records every bundle for the office carries for
                # a revoked computer of it, or a copy left on a continued replica
                # (REVOCATION_RECORDS: HQ's word alone, an office's bundle carries none).
                # A key it registered (a rotation's, the key it replaced retired) changed
                # the registry: merged, though its events were all held (sent again
                # before headquarters' receipt reached the computer)
                carried = stats.total - (m.get(REVOCATION_RECORDS, 0)
                                         if m["office"] == "HQ" else 0)
                outcome = ("duplicate" if seen or (
                    stats.new == 0 and carried > 0 and not stats.receipts
                    and not isinstance(accept, tuple)) else "merged")
                if rep.is_hq and m["office"] != "HQ" and held is None and outcome == "merged":
                    # (a revoked computer's receipts say nothing any more; a duplicate
                    # changes nothing: the forked computer's bundle from before it went
                    # back, imported again, names headquarters' copies as a repaired
                    # one's receipt does)
                    fork.clear_repaired(rep, m)
                note_not_sent(rep, m)
                found = list_gaps(rep, stats.origins)
                gaps = tuple(g.message() for g in found)
                # changes the lock did not cover, by the rule ``changed_after_lock``
                # and the review pack name them with (LockMark.missed: at headquarters,
                # every new event of a period locked before this import)
                locks = lock_clocks(rep) if rep.is_hq and stats.periods else {}
                late = tuple(sorted(
                    p for p, hlc in stats.periods.items() if p in locks
                    and locks[p].missed(hlc, arrival.received_at, arrival.inbox_id)))
                plan_version, plan_hidden, plan_values, plan_changes = _plan_change(
                    rep, plan_before)
                plan_moved = _moved_of(rep, plan_values)
                hidden_brought, hidden_why = _hidden_brought(rep, stats.reports)
                values_brought = _hidden_values_brought(rep, stats.values)
                from fieldplan.sync.conflicts import (
                    conflicts_apart,
                    reports_in_conflict,
                    split_apart,
                )

                # (a conflict is a field of several heads: the other reports are not
                # asked; all are after a repair, which rebuilt every report)
                conflicted = reports_in_conflict(
                    rep, stats.reports if repair is not None
                    else stats.reports & stats.several_heads)
                in_conflict = len(conflicted)
                # (told apart: two computers' writes, one computer's history; a report
                # of both kinds counted in each)
                in_conflict_two, in_conflict_own = (
                    len(kind) for kind in split_apart(
                        conflicts_apart(rep, conflicted) if conflicted else {}, conflicted))
                locks_after = set(locked_periods(rep))
                repaired = repair.text if repair is not None else ""
                # (the inbox keeps what was done; the outcome says to export too)
                export_now = fork.export_now_text(repaired) if repaired else ""
                false_receipt = false_receipt_text(str(m["office"]), *stats.false_receipt) \
                    if stats.false_receipt else ""
                refused = refused_text(stats.refused, accept.reason) \
                    if isinstance(accept, HeldOnly) else ""
                cut = cut_retired_text(stats.cut_retired) if stats.cut_retired else ""
                locked = tuple(sorted(locks_after - locks_before))
                unlocked = tuple(sorted(locks_before - locks_after))
                clock = clock_ahead_since(rep, m, outcome)
                behind = clock_behind_since(rep, m)
                office_clock = office_clock_wrong(rep, m, stats.office_hlc,
                                                  arrival.received_at)
                hq_new_key = ""
                if not rep.is_hq:
                    from fieldplan.sync.enrol import hq_key

                    hq_now = hq_key(rep)
                    if hq_now is not None and hq_now.key_id != hq_key_before:
                        hq_new_key = PublicKey.from_base64(hq_now.public_key).fingerprint
                # the inbox keeps the reason: there HQ sees late data too
                result = ImportOutcome(outcome=outcome, events_new=stats.new, gaps=gaps,
                                       gap_ranges=tuple(g.to_dict() for g in found),
                                       late_periods=late, plan_version=plan_version,
                                       plan_hidden=plan_hidden, plan_changes=plan_changes,
                                       plan_hidden_values=plan_values,
                                       plan_moved_values=plan_moved,
                                       hidden_values_brought=values_brought,
                                       repair=export_now,
                                       hidden_brought=hidden_brought, hidden_why=hidden_why,
                                       clock_ahead=clock, clock_behind=behind,
                                       office_clock=office_clock,
                                       locked=locked, unlocked=unlocked,
                                       revoked_here=not rep.is_hq and not revoked_before
                                       and keyreg.own_key_status(rep) == "revoked",
                                       replaced_by="" if revoked_before
                                       else keyreg.replaced_here(rep),
                                       false_receipt=false_receipt,
                                       conflicts=in_conflict,
                                       conflicts_two=in_conflict_two,
                                       conflicts_own=in_conflict_own,
                                       computer_registered=registered,
                                       hq_new_key=hq_new_key,
                                       reason=join_clauses([
                                           late_text(late) if late else (
                                               repaired or false_receipt),
                                           # the Inbox keeps saying it (the dialog
                                           # that said it is closed)
                                           refused,
                                           cut,
                                           plan_text(plan_version, plan_hidden,
                                                     plan_values, dict(plan_moved)),
                                           locks_text(locked, unlocked),
                                           hidden_text(hidden_brought, hidden_why,
                                                       values_brought),
                                           conflicts_text(in_conflict, in_conflict_own,
                                                          in_conflict_two),
                                           clock_text(clock),
                                           clock_behind_text(behind),
                                           office_clock_text(*office_clock)
                                           if office_clock else ""]),
                                       **base)
                result = replace(result, inbox_id=_inbox_row(rep, result, sha, arrival))
                if outcome == "merged" and m["office"] == "HQ":
                    # after a restore: headquarters' receipts now answer for the export
                    note_hq_bundle(rep, str(m["created"]), arrival.inbox_id)
                if result.revoked_here:  # the inbox says it of this line (list_inbox)
                    events.set_meta(rep.conn, KEY_REVOKED_BY, str(arrival.inbox_id))
                # what its writer reads: what this replica's bundles for it may be (a
                # revoked computer's no more)
                if held is None:
                    formats.record_sender(rep, m, b.version)
                rep.conn.execute(
                    "DELETE FROM quarantine WHERE bundle_id IN (?, ?) AND public_key = ?",
                    (b.bundle_id, f"{b.bundle_id}.{b.key_id}", b.public_key.to_base64()))
        except _NoLongerVouched:
            try:
                data = _kept_bytes(b, source)
            except BundleError as exc:
                return _record(rep, ImportOutcome(outcome="rejected", reason=str(exc),
                                                  **base), sha)
            except OSError as exc:
                return _record(rep, ImportOutcome(outcome="rejected",
                                                  reason=_cannot_read(exc), **base), sha)
            return _quarantine(rep, b, data, base, hashlib.sha256(data).hexdigest())
        except ForkedHistoryError as exc:
            # at HQ, an office computer's: recorded, so that HQ's next bundle repairs it
            why = fork.hq_refusal(rep, m, exc)
            reason = why or fork.office_refusal(rep, m, exc) or str(exc)
            return _record(rep, ImportOutcome(outcome="rejected", reason=reason, **base),
                           sha, exc.forks if why else None)
        except fork.OwnChainBroken as exc:
            # (an office) refused, and the replica goes from 1 to headquarters, which
            # then records the fork: its next bundle repairs it
            return _record(rep, ImportOutcome(outcome="rejected", reason=str(exc), **base),
                           sha, resend=exc.origin)
        except TakenOver as exc:
            # (rolled back) this computer is cut off all the same: kept, so that it says
            # so and can be set up again, as the key records refused with it would
            with store.write_transaction(rep.conn):
                events.set_meta(rep.conn, keyreg.CUT_OFF_HERE,
                                events.canonical_json({"replaced": exc.replaced}))
            rep.cache.clear()
            return _record(rep, ImportOutcome(outcome="rejected", reason=str(exc), **base),
                           sha)
        except (BundleError, sqlite3.IntegrityError) as exc:
            return _record(rep, ImportOutcome(outcome="rejected", reason=str(exc),
                                              waits=isinstance(exc, HeldWaiting), **base),
                           sha)
        except _HOSTILE as exc:  # a value no check foresaw: still refused, one line
            return _record(rep, ImportOutcome(outcome="rejected", reason=_malformed(exc),
                                              **base), sha)
    # receipts saying a peer holds more of this computer's events than it does: it
    # lost its last writes, and goes on as a new replica before writing any more
    try:
        renew_if_gone_back(rep)
    except FieldplanError as exc:
        # the bundle stays merged (committed): said so, and what failed after it
        raise MergedThenStopped(replace(result, stopped_after=_(
            "after it was merged, this computer could not go on as a new replica, as the "
            "receipts it brought require (this database lost its last changes): {error}; "
            "it does when the database is next opened").format(error=exc))) from exc
    if isinstance(accept, tuple):
        # the key it registered vouches for the bundles of it that waited for a trust
        released, stopped, failed = _release_quarantined(rep, fname)
        if released or failed:
            result = replace(result, released=released, release_failed=failed)
        if stopped:
            raise MergedThenStopped(replace(result, stopped_after=stopped))
    return result


def _release_quarantined(rep: Replica, by: str
                         ) -> tuple[tuple[ImportOutcome, ...], str, str]:
    """Import the quarantined bundles whose key is on record now (registered by an
    import since they came: an enrolment proof, a rotation's endorsement, the keys a
    rotation chain replaced), as ``trust_key`` imports those of the key it trusts:
    they were listed as an unknown key's, waiting for a trust no longer needed. One
    refused for what it holds leaves quarantine (the inbox says why). A database that
    cannot take one now (a full disk, a lock) leaves it and the rest waiting: a trust
    of their key, or an import of their files again, takes them. Returns their
    outcomes, what failed after one was merged ("" when nothing did:
    ``MergedThenStopped``), after which none is taken, and what the database could not
    take, in words (``ImportOutcome.release_failed``; "" when it took them all), which
    the inbox keeps for each of those, for the quarantine list (``by``: the file of
    the import that registered their key)."""
    # the bytes of those taken only: every import that registers a key (an office's
    # first bundle) looks, and the bundles of keys still unknown stay waiting
    waiting = rep.conn.execute("SELECT bundle_id, public_key, file_name FROM quarantine "
                               "ORDER BY received_at, bundle_id").fetchall()
    if not waiting:
        return (), "", ""
    registry = keyreg.all_keys(rep)
    on_record = {k.public_key: k.status for k in registry.values()
                 if k.status in ("active", "retired")}
    rows = [r for r in waiting if r[1] in on_record]
    if not rows:
        return (), "", ""
    last = rep.meta("last_import")  # (the file imported: the status names it, not these)
    outcomes: list[ImportOutcome] = []
    stopped = failed = ""
    for at, (bundle_id, public_key, file_name) in enumerate(rows):
        held = rep.conn.execute("SELECT data FROM quarantine WHERE bundle_id = ? AND "
                                "public_key = ?", (bundle_id, public_key)).fetchone()
        if held is None:
            continue  # (taken meanwhile: another program's import, or trust)
        try:
            outcome = _import_quarantined(rep, bundle_id, public_key, file_name, held[0])
        except MergedThenStopped as exc:
            outcomes.append(exc.outcome)
            stopped = exc.outcome.stopped_after
            break
        except FieldplanError as exc:
            # rolled back: this one and the rest still wait, their key on record (the
            # quarantine's "check the fingerprint" is no longer what they wait for)
            failed = _release_failed_text(
                [r[2] for r in rows[at:]], exc,
                retired=any(on_record[r[1]] == "retired" for r in rows[at:]))
            _note_still_waiting(rep, rows[at:], by, exc)
            break
        outcomes.append(outcome)
    if last and outcomes and not stopped:
        # (words only: the imports are done)
        with contextlib.suppress(StoreError), store.write_transaction(rep.conn):
            events.set_meta(rep.conn, "last_import", last)
    return tuple(outcomes), stopped, failed


def _release_failed_text(files: list[str], error: Exception, *, retired: bool) -> str:
    """What an import says of the bundles that waited in quarantine for a key it
    registered when the database could not take them (``_release_quarantined``).
    ``retired``: a key of one of them is on record retired (a later key's rotation
    chain registered it), never trusted again: only importing its file again takes
    it, as the quarantine list says (``still_waiting_then``)."""
    if retired:
        return counted(
            "{count} bundle that waited in quarantine for a key now registered could "
            "not be imported ({error}): it still waits there, and importing its file "
            "again imports it ({files}; its key, retired by a rotation, is not trusted "
            "again)",
            "{count} bundles that waited in quarantine for keys now registered could "
            "not be imported ({error}): they still wait there, and importing their "
            "files again imports them ({files}; a key retired by a rotation is not "
            "trusted again)", len(files), error=error, files=join_list([ltr(f) for f in files]))
    return counted(
        "{count} bundle that waited in quarantine for a key now registered could not be "
        "imported ({error}): it still waits there, and trusting its key or "
        "importing its file again imports it ({files})",
        "{count} bundles that waited in quarantine for a key now registered could not be "
        "imported ({error}): they still wait there, and trusting their key or "
        "importing their files again imports them ({files})", len(files), error=error,
        files=join_list([ltr(f) for f in files]))


def still_waiting_then(retired: bool) -> str:
    """What takes a bundle that waits in quarantine for no trust any more, its key on
    record (``KEY_ON_RECORD_FAILED_REASON``): a retired key is never trusted again."""
    if retired:
        return _("importing its file again imports it (its key, retired by a rotation, "
                 "is not trusted again)")
    return _("trusting its key or importing its file again imports it")


def _note_still_waiting(rep: Replica, rows: list, by: str, error: Exception) -> None:
    """An inbox line for each quarantined bundle (``rows``: bundle_id, public_key,
    file_name) the database could not take after ``by`` registered its key: the
    quarantine list says why it still waits (its inbox line said "unknown key …
    check the fingerprint", no longer what it waits for). Words only, and the
    database has just failed: not written when it fails again (the list then says
    it in general words)."""
    keys = {k.public_key: k for k in keyreg.all_keys(rep).values()}
    last = rep.meta("last_import")  # (the file imported: the status names it, not these)
    with contextlib.suppress(StoreError, sqlite3.Error), store.write_transaction(rep.conn):
        for row_id, public_key, file_name in rows:
            found = rep.conn.execute(
                "SELECT key_id, office, sender, events FROM quarantine WHERE bundle_id = ? "
                "AND public_key = ?", (row_id, public_key)).fetchone()
            if found is None:
                continue
            key_id, office, sender, count = found
            bundle_id = row_id.removesuffix(f".{key_id}")  # (``_quarantine``'s row id)
            sha = rep.conn.execute(
                "SELECT sha256 FROM inbox WHERE bundle_id = ? AND key_id = ? AND outcome = "
                "'quarantined' ORDER BY id DESC LIMIT 1", (bundle_id, key_id)).fetchone()
            if sha is None:
                data = rep.conn.execute("SELECT data FROM quarantine WHERE bundle_id = ? AND "
                                        "public_key = ?", (row_id, public_key)).fetchone()
                sha = (hashlib.sha256(data[0]).hexdigest(),)
            key = keys.get(public_key)
            reason = _(KEY_ON_RECORD_FAILED_REASON).format(
                file=ltr(by), error=error,
                then=still_waiting_then(key is not None and key.status == "retired"))
            _inbox_row(rep, ImportOutcome(
                file_name, "quarantined", reason, office=office, replica=sender,
                key_id=key_id, fingerprint=PublicKey.from_base64(public_key).fingerprint,
                bundle_id=bundle_id, events_total=count), sha[0])
        if last:
            events.set_meta(rep.conn, "last_import", last)


class MergedThenStopped(FieldplanError):
    """A bundle was merged (committed), and what had to follow its merge failed (a
    full disk): ``outcome`` is its outcome, which says what failed
    (``ImportOutcome.stopped_after``). Nothing more may be written before that is
    done: an import of several files stops there (``ImportStopped``)."""

    def __init__(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        super().__init__(outcome.stopped_after)


class _NoLongerVouched(Exception):
    """(inside the import's write transaction) The bundle's key, trusted when it was
    checked before it, vouches for nothing now (another program ended the enrolment
    that registered it): rolled back, the bundle waits in quarantine."""


def _plan_change(rep: Replica, before: Any
                 ) -> tuple[int, int, tuple[str, ...], tuple[str, ...]]:
    """(inside the import's transaction) the plan's version now, if the bundle brought
    a new plan, at an office how many of its reports that plan hides and ``before``
    showed and the indicators (``ACTION/KEY``) of its values it newly hides, and what
    it changes of ``before`` (plan_diff.short_lines: once per import, not per event);
    (0, 0, (), ()) when the plan is as it was."""
    after = rep.plan()
    if after == before:
        return 0, 0, (), ()
    from fieldplan.plan_diff import diff_plans, short_lines

    hidden, values = 0, ()
    if not rep.is_hq:
        from fieldplan.planops import hidden_by, hidden_reports

        hidden = hidden_reports(rep, after, shown_by=before, office=rep.office)
        values = hidden_by(rep, after, shown_by=before, office=rep.office).values
    return after.version, hidden, values, short_lines(diff_plans(before, after))


def _moved_of(rep: Replica, values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Those of the indicators ``values`` (``ACTION/KEY``) the plan moved to another
    action (``Plan.moved_values``), each with that action."""
    if not values:
        return ()
    moved = rep.plan().moved_values
    out = []
    for value in values:
        action, _sep, key = value.partition("/")
        to = moved.get((action, key))
        if to is not None:
            out.append((value, to))
    return tuple(out)


def _hidden_values_brought(rep: Replica, values: set[tuple[str, str]]) -> tuple[str, ...]:
    """The indicators (``ACTION/KEY``, sorted) of ``values`` (report id ``office|action|
    period``, indicator key) the plan no longer has, in reports it shows. At an office,
    of its own reports only (as ``_hidden_brought``)."""
    if not values:
        return ()
    from fieldplan.planops import PlanScope

    scope = PlanScope(rep.plan())
    own = None if rep.is_hq else rep.office
    found = set()
    held: dict[str, dict[str, Any]] = {}
    for rid, key in values:
        office, action, period = rid.split("|")
        if not ((own is None or office == own) and scope.shows(office, action, period)
                and scope.hidden_values(action, (key,))):
            continue
        if rid not in held:  # (a value the same bundle wrote, then cleared: none held)
            row = rep.conn.execute(
                "SELECT vals FROM progress WHERE office = ? AND action = ? AND period = ?",
                (office, action, period)).fetchone()
            try:
                vals = json.loads(row[0]) if row is not None else {}
            except (TypeError, ValueError):
                vals = {}
            held[rid] = vals if isinstance(vals, dict) else {}
        if held[rid].get(key) is not None:
            found.add(f"{action}/{key}")
    return tuple(sorted(found))


def _hidden_brought(rep: Replica, reports: Iterable[str]) -> tuple[int, tuple[str, ...]]:
    """How many of ``reports`` (ids ``office|action|period``) the plan hides, and
    every reason why (PlanScope.why_hidden's, in its order). At an office, of its own
    reports only (headquarters' bundle carries others' too, such as headquarters' own
    on global actions: not the office's to be told about)."""
    if not reports:
        return 0, ()
    from fieldplan.planops import PlanScope

    scope = PlanScope(rep.plan())
    count, why = 0, set()
    own = None if rep.is_hq else rep.office  # (asked once, not for every report)
    for rid in reports:
        office, action, period = rid.split("|")
        if own is not None and office != own:
            continue
        hidden = scope.why_hidden(office, action, period)
        if hidden:
            count += 1
            why.update(hidden)
    return count, tuple(w for w in ("action", "period", "level") if w in why)


def _hq_key_id(rep: Replica) -> str | None:
    """(office) The id of the headquarters key it trusts now (``enrol.hq_key``)."""
    from fieldplan.sync.enrol import hq_key

    key = hq_key(rep)
    return key.key_id if key is not None else None


def _bound_offices(keys: dict[str, keyreg.KeyInfo], replica: str, claimed: str,
                   error: type[Exception]) -> set[str]:
    """The offices ``replica`` has keys for; ``error`` if that is another office than
    ``claimed`` (a replica id is in every registry: anyone can claim it)."""
    bound = {k.office for k in keys.values() if k.replica == replica}
    if bound - {claimed}:
        raise error(_("replica {replica} belongs to {office}, not to {claimed} as the bundle "
                      "claims").format(replica=replica[:8], office=join_list(sorted(bound)),
                                       claimed=claimed))
    return bound


def _revoked_text(replica: str, revoked: keyreg.KeyInfo) -> str:
    return _("replica {replica} of {office} had its key {key_id} revoked; a new key of that "
             "replica is not accepted: enrol the computer again").format(
                 replica=replica[:8], office=revoked.office, key_id=revoked.key_id)


def _check_key(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any]):
    """'ok', ('new', retire_key_id or None, lineage, earlier) for a key to accept now
    (``keyreg.Chain.lineage`` and ``.earlier``), or 'quarantine'."""
    keys = keyreg.all_keys(rep)
    info = keys.get(b.key_id)
    if info is None:
        if not rep.is_hq and m["office"] != "HQ":
            # before any endorsement is looked at: an office laptop may endorse keys
            # of its own, never ones this office takes
            raise BundleError(_("signed by {office}'s key {key_id}: an office takes bundles "
                                "from headquarters only").format(key_id=b.key_id,
                                                                 office=m["office"]))
        bound = _bound_offices(keys, m["sender"], m["office"], BundleError)
        chain = keyreg.follow_chain(rep, m, b.public_key)
        free = keyreg.lineage_free(rep, chain)
        if chain.trusted is not None and free:
            return ("new", chain.trusted.key_id, chain.lineage, chain.earlier)
        if rep.is_hq and m["office"] == "HQ":
            # headquarters keys come from setup or a rotation, never from a trust
            raise BundleError(_("signed by key {fingerprint}, which is not a known "
                                "headquarters key").format(
                                    fingerprint=ltr(b.public_key.fingerprint)))
        revoked = keyreg.revoked_replica(rep, m["sender"])
        if revoked is not None:
            raise BundleError(_revoked_text(m["sender"], revoked))
        if not rep.is_hq:
            # an office takes bundles from headquarters only, signed by the key it
            # pinned at enrolment, keys of HQ's registry, or their rotations
            raise BundleError(_(
                "signed by key {fingerprint}, which is not a headquarters key this office "
                "knows; if headquarters changed its key, ask it for a new setup bundle")
                .format(fingerprint=ltr(b.public_key.fingerprint)))
        # an enrolment token registers a computer's first key, never a replacement
        if not bound and _enrolment_ok(rep, m, b.public_key):
            # a computer HQ never registered, restored from a backup: its earlier
            # replicas come with it when they are new here too
            return ("new", None, *((chain.lineage, chain.earlier) if free else
                                   ((), chain.earlier_of(m["sender"]))))
        return "quarantine"
    if info.public_key != b.public_key.to_base64():
        raise BundleError(_("key {key_id} does not match the registered key with that id")
                          .format(key_id=b.key_id))
    if info.status == "revoked":
        return _held_only(rep, info, info, b, m, _(
            "signed with key {key_id} ({office}), which was revoked").format(
                key_id=b.key_id, office=info.office))
    revoked = keyreg.revoked_replica(rep, info.replica)
    if revoked is not None:
        return _held_only(rep, info, revoked, b, m, _revoked_key_text(rep, keys, info, b))
    if not rep.is_hq and info.office != "HQ":
        raise BundleError(_("signed by {office}'s key {key_id}: an office takes bundles from "
                            "headquarters only").format(key_id=b.key_id, office=info.office))
    if info.office != m["office"]:
        raise BundleError(_("key {key_id} belongs to office {office}, not to {claimed} as the "
                            "bundle claims").format(key_id=b.key_id, office=info.office,
                                                    claimed=m["office"]))
    if info.replica != m["sender"]:
        raise BundleError(_("key {key_id} belongs to another replica of {office}").format(
            key_id=b.key_id, office=info.office))
    if info.status == "retired" and rep.is_hq:
        # a person trusted, for this computer, a key without its rotation: the key it
        # had is replaced, and what it signs would fork the history the trusted key
        # writes on (``keyreg.replace_by_trust``)
        new = keyreg.replaced_by_trust(rep, b.key_id)
        if new:
            raise BundleError(replaced_by_trust_text(b.key_id, new, info.office))
    return "ok"


def replaced_by_trust_text(key_id: str, new: str, office: str) -> str:
    """Why headquarters refuses a bundle signed by a computer's key that a trust of
    another key for that computer replaced (``keyreg.replace_by_trust``)."""
    # Translators: one line; {key_id} and {new} are key ids, {office} an office code
    return _("signed with key {key_id} ({office}), which headquarters replaced with key "
             "{new} when it trusted that key for the same computer: bundles signed with "
             "the old key are refused; set this computer up again from a new setup "
             "bundle for {office} (and if {office} did not change this computer's key, "
             "revoke key {new}: it is not theirs)").format(
                 key_id=key_id, new=new, office=office)


def _revoked_key_text(rep: Replica, keys: dict[str, keyreg.KeyInfo],
                      info: keyreg.KeyInfo, b: bundlefmt.Bundle) -> str:
    """Why a bundle signed by ``info``, a key of a computer HQ revoked, is refused."""
    revoked = keyreg.revoked_replica(rep, info.replica)
    # a key of a computer HQ revoked, earlier or later than the revoked one (a
    # rotation or a restore): they all go with it. Earlier when the revoked key
    # was the computer's current one: none of its keys is active any more
    same = keyreg.computer(keys, info.replica)
    if info.status == "retired" and not any(
            k.status == "active" and k.replica in same for k in keys.values()):
        return _("signed with key {key_id} ({office}), an earlier key of a "
                 "computer whose key was revoked").format(key_id=b.key_id, office=info.office)
    # Translators: {revoked} is the key id HQ revoked, often an earlier key of the
    # computer (its current key {key_id} goes with it)
    return _("signed with key {key_id} ({office}), a key of a computer whose "
             "key {revoked} was revoked").format(
                 key_id=b.key_id, office=info.office, revoked=revoked.key_id)


@dataclass(frozen=True)
class HeldOnly:
    """A bundle signed by a key of a computer headquarters revoked, taken for the
    events headquarters held of that computer when it revoked it (after a restore
    from an older backup lost them): ``held``, replica → (seq, hash) of the last of
    them (``keyreg.held_only``); ``reason``, why the rest is refused."""

    held: dict[str, tuple[int, str]]
    reason: str


def _held_only(rep: Replica, info: keyreg.KeyInfo, revoked: keyreg.KeyInfo,
               b: bundlefmt.Bundle, m: dict[str, Any], reason: str) -> HeldOnly:
    """(HQ) ``HeldOnly`` for a bundle of a revoked computer, bound as any bundle must
    be, when headquarters recorded how far it held that computer; else BundleError
    with ``reason``."""
    if not rep.is_hq or info.office != m["office"] or info.replica != m["sender"]:
        raise BundleError(reason)
    held = keyreg.held_only(rep, revoked)
    if not _brings_back(rep, held, m["ranges"]):
        raise BundleError(reason)
    return HeldOnly(held, reason)


def _brings_back(rep: Replica, held: dict[str, tuple[int, str]], ranges: dict) -> bool:
    """Whether a bundle's ranges (its manifest's) name events headquarters held of a
    revoked computer and holds no longer: only then are its events read at all (a
    revoked key's bundle may be hostile, and decompress to gigabytes)."""
    for origin, span in ranges.items():
        if origin not in held or not isinstance(span, list) or len(span) != 2 or \
                not all(type(v) is int for v in span):
            continue
        lo, hi = max(span[0], 1), min(span[1], held[origin][0])
        if lo <= hi and rep.conn.execute(
                "SELECT count(*) FROM events WHERE origin = ? AND seq BETWEEN ? AND ?",
                (origin, lo, hi)).fetchone()[0] < hi - lo + 1:
            return True
    return False


#: The most quarantine keeps: bundles, their bytes, bundles of one key. Anyone can mail
#: headquarters bundles signed by keys made on the spot, each kept until a person
#: trusts or refuses its key: without a bound, a few thousand filled its disk and
#: database. What waits for a trust is a new computer's few bundles, each kilobytes
#: to a few megabytes (an office's whole history is some thousands of events): 500
#: bundles is dozens of computers' weeks of them, and the bytes leave room for one
#: bundle of the largest size an import takes (``bundle.MAX_BUNDLE_BYTES``). One key
#: keeps a tenth of the bundles: one computer (or one person's made-up key) never
#: fills what other offices' new computers wait in, and each bundle of an unenrolled
#: computer carries again what the ones before it did (headquarters sends it no
#: receipt), so its 50 latest hold all it wrote.
QUARANTINE_MAX_BUNDLES = 500
QUARANTINE_MAX_BYTES = bundlefmt.MAX_BUNDLE_BYTES
QUARANTINE_MAX_KEY_BUNDLES = 50


def quarantine_totals(rep: Replica) -> tuple[int, int]:
    """How many bundles wait in quarantine, and their bytes."""
    count, size = rep.conn.execute(
        "SELECT count(*), coalesce(sum(length(data)), 0) FROM quarantine").fetchone()
    return count, size


#: The share of a quarantine limit past which the Quarantine page warns that it fills
QUARANTINE_WARN_SHARE = 0.8


def quarantine_room_text(count: int, size: int) -> str:
    """What the Quarantine page says of ``count`` bundles of ``size`` bytes waiting,
    against the limits: nothing below ``QUARANTINE_WARN_SHARE`` of them (there is room),
    else how full it is and what a full one refuses."""
    full = count >= QUARANTINE_MAX_BUNDLES or size >= QUARANTINE_MAX_BYTES
    if not full and count < QUARANTINE_WARN_SHARE * QUARANTINE_MAX_BUNDLES \
            and size < QUARANTINE_WARN_SHARE * QUARANTINE_MAX_BYTES:
        return ""
    fields = dict(bundles=counted("{count} bundle", "{count} bundles", count),
                  most=format_number(QUARANTINE_MAX_BUNDLES), size=bundlefmt._size(size),
                  max_size=bundlefmt._size(QUARANTINE_MAX_BYTES))
    if full:
        # Translators: on the Quarantine page; {bundles} is "500 bundles", {most} "500",
        # {size} "12.5 MiB", {max_size} "512 MiB"
        return _("Quarantine is full: it holds {bundles} of at most {most} ({size} of "
                 "at most {max_size}). Bundles of keys not known here are refused until you "
                 "trust or refuse keys waiting here.").format(**fields)
    # Translators: as above, when quarantine is nearly full
    return _("Quarantine is nearly full: it holds {bundles} of at most {most} ({size} of "
             "at most {max_size}). Once it is full, bundles of keys not known here are "
             "refused: trust or refuse the keys waiting here.").format(**fields)


def _quarantine_full(rep: Replica, public_key: str, size: int) -> str:
    """Why a new bundle of ``size`` bytes signed by ``public_key`` is not kept in
    quarantine (past ``QUARANTINE_MAX_BUNDLES``, ``QUARANTINE_MAX_BYTES``,
    ``QUARANTINE_MAX_KEY_BUNDLES``), else "". Asked with the write lock held."""
    count, held = quarantine_totals(rep)
    if count >= QUARANTINE_MAX_BUNDLES or held + size > QUARANTINE_MAX_BYTES:
        # Translators: why an import refused a bundle of an unknown key; {count} is
        # "500 bundles", {size} "512 MiB"
        return _("quarantine full: it holds {count} ({size}) whose keys no one has "
                 "trusted or refused yet; trust or refuse waiting keys first").format(
                     count=counted("{count} bundle", "{count} bundles", count),
                     size=bundlefmt._size(held))
    mine = rep.conn.execute("SELECT count(*) FROM quarantine WHERE public_key = ?",
                            (public_key,)).fetchone()[0]
    if mine >= QUARANTINE_MAX_KEY_BUNDLES:
        # Translators: why an import refused a bundle of an unknown key; {count} is
        # "50 bundles"
        return _("quarantine full for this key: it holds {count} signed with it "
                 "already; trust or refuse the key first").format(
                     count=counted("{count} bundle", "{count} bundles", mine))
    return ""


def _quarantine(rep: Replica, b: bundlefmt.Bundle, data: bytes, base: dict,
                sha: str) -> ImportOutcome:
    """Keep the bundle ``b``, whose bytes are ``data`` (``_kept_bytes``), until its
    key is trusted or refused; refused, nothing kept, when quarantine is full
    (``_quarantine_full``)."""
    m = b.manifest
    fpr = b.public_key.fingerprint
    # no command in it: the client shows it too (its Quarantine tab has the button)
    ended, revoked = ended_enrolment(rep, m, b.public_key)
    if revoked:
        # the revoked computer may be the one sending it, set up again from its bundle
        reason = _("unknown key {fingerprint} (claims office {office}); {why}: make sure "
                   "this is not the revoked computer before trusting the key").format(
                       fingerprint=ltr(fpr), office=m["office"], why=ended)
    elif ended:
        reason = _("unknown key {fingerprint} (claims office {office}); {why}: check the "
                   "fingerprint with the office before trusting the key").format(
                       fingerprint=ltr(fpr), office=m["office"], why=ended)
    else:
        reason = _("unknown key {fingerprint} (claims office {office}); {why}: check the "
                   "fingerprint with the office before trusting the key").format(
                       fingerprint=ltr(fpr), office=m["office"],
                       why=_why_unknown(rep, m, b.public_key))
    # a computer headquarters knows, whose replica id any of its bundles shows: the
    # person deciding is told that a trust puts this key in the place of its own
    replaces = None if revoked else keyreg.key_to_replace(
        rep, b.public_key.to_base64(), str(m["sender"]))
    if replaces is not None:
        # Translators: {why} says why the key is unknown ("it carries no proof of a
        # setup bundle"); {replaces} is the sentences of ReplacedKey.text ("This key
        # claims to be computer 1a2b3c4d of office ML, which already has an active key
        # here: …")
        reason = _("unknown key {fingerprint} (claims office {office}); {why}. "
                   "{replaces} Check the fingerprint with the office before trusting the "
                   "key.").format(
                       fingerprint=ltr(fpr), office=m["office"],
                       why=ended or _why_unknown(rep, m, b.public_key),
                       replaces=replaces.text())
    with store.write_transaction(rep.conn):
        # a bundle id is the sender's word: another key claiming the same id (to have
        # the real bundle ignored) gets a row of its own
        held = rep.conn.execute("SELECT public_key FROM quarantine WHERE bundle_id = ?",
                                (b.bundle_id,)).fetchone()
        row_id = (b.bundle_id if held is None or held[0] == b.public_key.to_base64()
                  else f"{b.bundle_id}.{b.key_id}")
        there = rep.conn.execute("SELECT 1 FROM quarantine WHERE bundle_id = ?",
                                 (row_id,)).fetchone()
        # (a bundle waiting already, given again, takes no more room)
        full = "" if there else _quarantine_full(rep, b.public_key.to_base64(), len(data))
        if full:
            outcome = ImportOutcome(outcome="rejected", reason=full, **base)
            return replace(outcome, inbox_id=_inbox_row(rep, outcome, sha))
        rep.conn.execute(
            "INSERT OR IGNORE INTO quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row_id, b.key_id, b.public_key.to_base64(), m["office"], m["sender"],
             base["file"], events.utc_iso(), b.event_count, data))
        outcome = ImportOutcome(outcome="quarantined", reason=reason, **base)
        outcome = replace(outcome, inbox_id=_inbox_row(rep, outcome, sha))
    return outcome


def _why_unknown(rep: Replica, m: dict[str, Any], signer: PublicKey) -> str:
    """Why a key is unknown here, as far as the bundle tells: what headquarters is to
    weigh before trusting it (an office it never enrolled, or a setup bundle another
    headquarters wrote, is a warning; no proof at all, a computer set up some other
    way, such as from a copied database; a true proof from a computer that has a key
    here already, a second key for one computer)."""
    office = m["office"]
    if _proven_enrolment(rep, m, signer) is not None:
        # (``_check_key``: an enrolment registers a computer's first key only)
        return _("its computer has another key on record here")
    # (restored from a backup: what headquarters wrote after it, this database never knew)
    restored = rep.is_hq and bool(rep.meta("restored"))
    if rep.is_hq and rep.conn.execute(
            "SELECT 1 FROM enrolments WHERE office = ? LIMIT 1", (office,)).fetchone() is None:
        if restored:
            return _("this database, restored from a backup, knows no enrolment of "
                     "{office}: headquarters may have enrolled it after that backup"
                     ).format(office=office)
        return _("headquarters never enrolled {office}").format(office=office)
    e = m.get("enrolment")
    if isinstance(e, dict):
        other = _proven_elsewhere(rep, m, signer)
        if other:
            # someone holding another office's setup bundle, posing as this one
            return _("it proves the setup bundle headquarters wrote for {other}, not "
                     "for {office}").format(other=other, office=office)
        if rep.conn.execute("SELECT 1 FROM enrolments WHERE id = ? AND office = ?",
                            (str(e.get("id")), office)).fetchone() is None:
            if restored:
                return _("this database, restored from a backup, does not know its setup "
                         "bundle: headquarters may have written it after that backup")
            return _("its setup bundle was not written by this headquarters")
        return _("the proof of its setup bundle does not match that setup bundle")
    return _("it carries no proof of a setup bundle")


class ImportStopped(FieldplanError):
    """A file could not be imported for a reason of this database, not of the bundle
    (a full disk, a lock held too long): the import stops there, that file rolled
    back. ``outcomes``: what became of the files before it, each merged or refused
    whole; ``file``: the one that stopped it; ``error``: why."""

    def __init__(self, outcomes: list[ImportOutcome], file: str, error: FieldplanError,
                 more: bool) -> None:
        self.outcomes = outcomes
        self.file = file
        self.error = error
        if isinstance(error, MergedThenStopped):  # (its outcome is the last of outcomes)
            text = (_("{file} was merged, but the import stopped there and the files "
                      "after it were not imported: {error}") if more
                    else _("{file} was merged, but the import stopped there: {error}"))
        else:
            text = (_("{file} and the files after it were not imported: {error}") if more
                    else _("{file} was not imported: {error}"))
        super().__init__(text.format(file=ltr(file), error=error))


class ImportInterrupted(KeyboardInterrupt):
    """Ctrl-C during ``import_bundles``: ``outcomes`` says what became of the files
    before it (each merged or refused whole); the file being imported was rolled back
    and it and the files after it, ``not_imported`` (their names), were not imported.
    A KeyboardInterrupt still, for whoever catches those."""

    def __init__(self, outcomes: list[ImportOutcome], not_imported: list[str]) -> None:
        super().__init__()
        self.outcomes = outcomes
        self.not_imported = not_imported


def each_file(outcomes: Sequence[ImportOutcome]) -> list[ImportOutcome]:
    """The outcomes of an import as its totals count them, a file once: each file's,
    and beside it those of the bundles a key it registered brought out of quarantine
    (``ImportOutcome.released``, theirs too). A bundle of the lot that waited in
    quarantine and was brought out by a later one counts as what became of it then (not
    as quarantined too), once when the lot held it twice (quarantined twice: one bundle
    waiting); one brought out, then met again later in the lot (nothing new by then),
    counts as what it became when it was brought out."""
    out: list[ImportOutcome] = []
    released_at: dict[tuple[str, str], int] = {}

    def brought(outcome: ImportOutcome) -> None:
        for r in outcome.released:
            key = (r.bundle_id, r.key_id)
            # (the files of the lot it came from: quarantined, or shown as brought out
            # already, ``settle_released``)
            waited = [i for i, o in enumerate(out) if o is r or (
                r.bundle_id and o.outcome == "quarantined"
                and (o.bundle_id, o.key_id) == key)]
            if not waited:
                out.append(r)
                waited = [len(out) - 1]
            else:
                out[waited[0]] = r
                for i in reversed(waited[1:]):  # (the same bundle, given again)
                    del out[i]
            if r.bundle_id:
                released_at[key] = waited[0]
            brought(r)

    for o in outcomes:
        if o.outcome == "duplicate" and (o.bundle_id, o.key_id) in released_at:
            continue  # (the bundle brought out already: that file, counted there)
        if any(x is o for x in out):
            continue  # (a second file of it, ``settle_released``: counted once)
        out.append(o)
        brought(o)
    return out


def settle_released(outcomes: list[ImportOutcome]) -> None:
    """After several files imported at once: a file of the lot quarantined (its key
    unknown), then brought out of quarantine by a later one (a key it registered,
    ``ImportOutcome.released``), is shown as what became of it then, merged, in place
    of "quarantined" with its "check the fingerprint before trusting the key": the
    totals counted it merged (``each_file``) where its own line said it waited. The
    outcomes are changed in place (the inbox keeps both lines, as they happened)."""
    for later, o in enumerate(outcomes):
        for r in o.released:
            key = (r.bundle_id, r.key_id)
            for i, waited in enumerate(outcomes[:later]):
                # (each of its files: one chosen twice was quarantined twice, one
                # bundle waiting, and its second file said to trust a key on record)
                if (r.bundle_id and waited.outcome == "quarantined"
                        and (waited.bundle_id, waited.key_id) == key):
                    outcomes[i] = r  # (its file, as quarantine kept its name)


def outcome_counts(outcomes: Sequence[ImportOutcome]) -> dict[str, int]:
    """How many files of an import had each outcome ({"merged": 2, "duplicate": 1}),
    counted as ``each_file`` counts them."""
    counts: dict[str, int] = {}
    for o in each_file(outcomes):
        counts[o.outcome] = counts.get(o.outcome, 0) + 1
    return counts


def note_import_batch(rep: Replica, outcomes: Sequence[ImportOutcome]) -> None:
    """After several files imported at once (``import FILE...``, the client's import of
    the files chosen or dropped): the last import (meta ``last_import``, which each file
    sets to its own) also counts what became of the batch's files, by outcome:
    ``files`` and ``counts`` ({"merged": 2, "duplicate": 1, "rejected": 2}). The
    status then says the batch, not only its last file ("…, rejected" read like a
    failure of the lot). Files that never reached the inbox (the client's cancelled
    or not imported ones) are not counted; one file alone needs nothing more. The
    bundles a key registered by one of them brought out of quarantine are counted too
    (``each_file``): one file that brought out two is three files."""
    done = [o.outcome for o in each_file(outcomes) if o.outcome in _OUTCOME_LABELS]
    raw = rep.meta("last_import")
    if len(done) < 2 or not raw:
        return
    counts: dict[str, int] = {}
    for outcome in done:
        counts[outcome] = counts.get(outcome, 0) + 1
    last = json.loads(raw)
    try:
        with store.write_transaction(rep.conn):
            events.set_meta(rep.conn, "last_import", events.canonical_json(
                {**last, "files": len(done), "counts": counts}))
    except StoreError:
        # (a words-only note, after every file was merged or refused: another program
        # writing at that moment must not make the import read as failed; the status
        # then says the last file's outcome, as before)
        pass


def _inbox_mark(rep: Replica) -> int:
    return rep.conn.execute("SELECT coalesce(max(id), 0) FROM inbox").fetchone()[0]


def _recorded_since(rep: Replica, mark: int) -> ImportOutcome | None:
    """The outcome of a file whose inbox line was committed after ``mark``: one that
    was finished when Ctrl-C came, before its outcome was handed back."""
    if rep.conn.in_transaction:  # interrupted before its rollback ran: nothing stays
        rep.conn.execute("ROLLBACK")
        rep.cache.clear()  # (what was read inside it, as write_transaction's rollback)
    row = rep.conn.execute(
        "SELECT file_name, outcome, reason, coalesce(office, ''), coalesce(sender, ''), "
        "coalesce(key_id, ''), coalesce(bundle_id, ''), events_new, events FROM inbox "
        "WHERE id > ? ORDER BY id LIMIT 1", (mark,)).fetchone()
    if row is None:
        return None
    return ImportOutcome(file=row[0], outcome=row[1], reason=row[2], office=row[3],
                         replica=row[4], key_id=row[5], bundle_id=row[6],
                         events_new=row[7] or 0, events_total=row[8] or 0)


def retry_waiting(outcomes: list[ImportOutcome],
                  again: Callable[[int], ImportOutcome]) -> None:
    """Import again the files of one import that wait for a later bundle of a revoked
    computer (``ImportOutcome.waits``), ``again(i)`` importing the i-th, in place, while
    that takes one more in: a revoked computer's bundles chosen together are taken back
    whatever their order (the later ones tried first: files are mostly chosen in the
    order they were sent). Only when a file of the lot signed with the same key was
    merged: else none can have brought what they wait for."""
    while True:
        merged = {o.key_id for o in outcomes if o.outcome == "merged"}
        waiting = [i for i, o in enumerate(outcomes) if o.waits and o.key_id in merged]
        taken = False
        for i in reversed(waiting):
            outcomes[i] = again(i)
            taken = taken or not outcomes[i].waits
        if not taken:
            return


def import_again(rep: Replica, source: Source, before: ImportOutcome,
                 cancel: Callable[[], bool] | None, name: str | None = None
                 ) -> ImportOutcome:
    """``retry_waiting``'s import of one file again; ``before``, its outcome, stays
    when the file cannot be read again (a stream, read once; a file gone) or the
    database cannot take it now (that import rolled back; the next one says why)."""
    if not isinstance(source, (str, os.PathLike, bytes)):
        return before
    try:
        return import_bundle(rep, source, name=name, backup=False, cancel=cancel)
    except (FieldplanError, OSError):
        return before


def drop_unused_backup(made: Path | None, outcomes: Sequence[ImportOutcome],
                       error: BaseException) -> None:
    """Remove the backup an import took (``made``) when the disk filled before it
    kept anything: every file before the one ``error`` stopped (rolled back) was
    refused (``outcomes``; a duplicate may still have noted what its sender holds).
    The copy of a database left as it was held the room the next try needed for its
    own backup: that one failed, or pushed an older backup out at each try
    (``store.backup``), until the backups were all copies of one state (as
    ``schema.migrate`` does for its backup)."""
    kept = any(o.outcome != "rejected" for o in each_file(outcomes))
    if made is not None and store.filled_disk(error) and not kept:
        store.remove_backup(made)


def import_bundles(rep: Replica, sources: Iterable[Source], *,
                   progress: Progress | None = None,
                   cancel: Callable[[], bool] | None = None) -> list[ImportOutcome]:
    """Import several files; one backup first, then each file on its own.
    ImportStopped when the database cannot take one (the files before it stay);
    ImportInterrupted on Ctrl-C (likewise)."""
    sources = list(sources)
    out: list[ImportOutcome] = []
    made = None
    try:
        if sources:
            made = rep.backup("before-import")
        for i, src in enumerate(sources):
            if cancel and cancel():
                break
            name = _source_name(src, None)
            if progress:
                progress(i, len(sources), name)
            mark = _inbox_mark(rep)
            try:
                out.append(import_bundle(rep, src, backup=False, cancel=cancel))
            except MergedThenStopped as exc:
                out.append(exc.outcome)
                raise ImportStopped(out, name, exc, more=i + 1 < len(sources)) from exc
            except FieldplanError as exc:
                drop_unused_backup(made, out, exc)
                raise ImportStopped(out, name, exc, more=i + 1 < len(sources)) from exc
            except KeyboardInterrupt:
                finished = _recorded_since(rep, mark)
                if finished is not None:
                    out.append(finished)
                raise
        if not (cancel and cancel()):
            retry_waiting(out, lambda i: import_again(rep, sources[i], out[i], cancel))
        settle_released(out)
        settle_own_bundles(rep, out)
        settle_other_offices_bundles(rep, out)
        note_import_batch(rep, out)
    except KeyboardInterrupt as exc:
        if isinstance(exc, ImportInterrupted):
            raise
        rest = [_source_name(src, None) for src in sources[len(out):]]
        raise ImportInterrupted(out, rest) from exc
    if progress:
        progress(len(sources), len(sources), _("done"))
    return out


def verify_bundle(rep: Replica | None, source: Source) -> dict[str, Any]:
    """Check a bundle without importing it (JSON: valid, reason, office, replica,
    key_id, events). Without a replica only the container and signature are checked.
    With one, the checks run in import's order and refuse what import refuses, with
    the same reason: a setup bundle, a bundle for another replica, an unknown office
    key before a damaged events.jsonl. ``reason`` says why a bundle is not valid, and
    only that ("" when valid); ``note``, what import will say of a valid one this
    computer wrote (``written_here``: a duplicate here, and where it goes)."""
    try:
        # events.jsonl after the manifest and the key, as import checks it
        b = bundlefmt.open_bundle(source, check_events=False)
    except (BundleError, OSError, *_HOSTILE) as exc:
        from fieldplan.transit import VERIFY, SaidForUseError

        # (a file in a bundle's place: the file to get instead is to be checked)
        reason = (exc.said_for(VERIFY) if isinstance(exc, SaidForUseError)
                  else str(exc) if isinstance(exc, BundleError) else _cannot_read(exc)
                  if isinstance(exc, OSError) else _malformed(exc))
        return unusable_verified(reason)
    with b:
        m = b.manifest
        out = {**unusable_verified(""), "valid": True, "office": m.get("office"),
               "replica": m.get("sender"), "key_id": b.key_id,
               "fingerprint": b.public_key.fingerprint, "events": b.event_count,
               "bundle_id": b.bundle_id, "created": b.created, "recipient": m.get("recipient"),
               "kind": m.get("kind")}
        # a bundle this computer wrote (checked before it goes): addressed elsewhere,
        # signed by this computer's own key
        own = rep is not None and m.get("sender") == rep.replica_id \
            and b.public_key.to_base64() == rep.meta("public_key")
        try:
            if rep is not None:
                _check_manifest_fields(m)
                # a bundle this computer wrote that import calls a duplicate (nothing new
                # here), one of a replica it continues after a restore too: said so, and
                # checked as one it wrote (it was refused as one for another office)
                again = _written_here(rep, b, m)
                if again:
                    # valid, and nothing to merge here: said apart from ``reason``,
                    # which a script reads as the bundle's fault
                    own = True
                    out.update(note=again, written_here=True)
                elif not own:
                    # (HQ) its own bundle for an office, of events a restore lost
                    lost = _lost_here(rep, b, m)
                    if lost:
                        raise BundleError(lost)
            # a setup bundle is for 'init --from': with a database, import refuses it,
            # but HQ may check one it wrote before sending it
            _check_manifest(rep, m, setup=rep is None or (own and m.get("kind") == KIND_SETUP),
                            outgoing=own)
            accept = None if rep is None else "ok" if own else _check_key(rep, b, m)
            b.check_events()
            if rep is not None:
                out["trusted"] = accept != "quarantine"
                if own or accept == "quarantine" or not _dry_run(rep, b, m, accept, out):
                    offices = keyreg.replica_offices(rep)
                    offices[m["sender"]] = m["office"]
                    for n, line in enumerate(b.iter_lines(), 1):
                        try:
                            e = events.parse_event(
                                line, where=functools.partial(_events_line, n),
                                received=rep.is_hq and m["office"] != "HQ")  # (as _merge)
                        except _HOSTILE as exc:
                            raise BundleError(_malformed(exc, _events_line(n))) from exc
                        office = offices.get(e.origin)
                        if office is not None:
                            _check_event(e, office, m["office"])
        except (BundleError, sqlite3.IntegrityError) as exc:
            out.update(valid=False, reason=str(exc), note="", written_here=False)
        except OSError as exc:
            out.update(valid=False, reason=_cannot_read(exc), note="", written_here=False)
        except _HOSTILE as exc:
            out.update(valid=False, reason=_malformed(exc), note="", written_here=False)
        return out


def unusable_verified(reason: str) -> dict[str, Any]:
    """What ``verify_bundle`` says of a file it cannot open as a bundle (missing,
    damaged, no bundle at all), ``reason`` saying why: every key it gives of a bundle,
    empty. A script reading ``kind`` or ``fingerprint`` of each file met a KeyError on
    such a file (``note`` and ``written_here`` were added for the same reason)."""
    return {"valid": False, "reason": reason, "office": None, "replica": None,
            "key_id": None, "fingerprint": None, "events": None, "bundle_id": None,
            "created": None, "recipient": None, "kind": None, "trusted": None,
            "repair": "", "held_only": "", "note": "", "written_here": False}


def _dry_run(rep: Replica, b: bundlefmt.Bundle, m: dict[str, Any], accept: Any,
             out: dict[str, Any] | None = None) -> bool:
    """Merge the bundle as ``import`` would, then roll it all back: ``verify`` says
    what ``import`` will say (the hash chain, the order of events and what this
    database holds are checked only by a merge). Raises what the merge raises; False
    when the database cannot be written (read-only, busy), which checks less. A
    bundle whose import repairs a forked history: ``out["repair"]`` says what the
    import will do."""
    conn = rep.conn
    if getattr(conn, "read_only", False):
        # (a write-protected stick: SQLite begins the transaction all the same, and
        # the merge's first write failed as an internal error)
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return False
    repairs: dict[str, int] = {}
    try:
        if isinstance(accept, tuple):
            keyreg.accept_new_key(rep, b.public_key, m["office"], m["sender"],
                                  retire=accept[1], lineage=accept[2], earlier=accept[3])
        held = accept if isinstance(accept, HeldOnly) else None
        stats = _merge_held(rep, b, m, held, progress=None, cancel=None)
        if held is not None and out is not None:
            out["held_only"] = held_only_text(held, stats)
    except ForkedHistoryError as exc:
        if not fork.repairable(rep, m, exc):
            why = fork.hq_refusal(rep, m, exc) or fork.office_refusal(rep, m, exc)
            if why:  # as import says it
                raise ForkedHistoryError(why, exc.forks) from exc
            raise
        repairs = exc.forks  # import repairs it (writing a new key file): checked less
    finally:
        conn.execute("ROLLBACK")
        rep.cache.clear()
    if repairs:
        if out is not None:
            out["repair"] = fork.will_repair_text(rep, repairs)
        return False
    return True


# --- quarantine -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarantineItem:
    """A bundle held back because its key is not trusted yet. reason: why, as the
    import said it (an unknown key; a setup bundle whose enrolment expired, or was
    ended by a revocation: ``ended_enrolment``), from its inbox line."""

    bundle_id: str
    office: str
    sender: str
    key_id: str
    fingerprint: str
    file: str
    received_at: str
    events: int
    reason: str = ""
    #: how the reason was made (fieldplan.i18n.message_record), JSON, or ""
    reason_msg: str = ""
    #: its key is on record now (registered, or trusted, since it came), active or
    #: retired: it waits for no trust, but for an import that failed (the reason says
    #: which, and what takes it: ``KEY_ON_RECORD_FAILED_REASON``)
    key_on_record: bool = False
    #: (HQ) the active key of the computer it claims to be, which trusting it replaces
    #: (``keyreg.key_to_replace``), or None
    replaces: keyreg.ReplacedKey | None = None

    def reason_text(self, lang: str | None = None) -> str:
        """The reason in ``lang`` (default: the current language), as the inbox says it."""
        return _reason_in(self.reason, self.reason_msg, lang)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("reason_msg")
        out["reason"] = self.reason_text()
        out["replaces_key"] = self.replaces.fingerprint if self.replaces else None
        out["replaces"] = self.replaces.to_dict() if self.replaces else None
        return out


def list_quarantine(rep: Replica) -> list[QuarantineItem]:
    rows = rep.conn.execute(
        "SELECT bundle_id, office, sender, key_id, public_key, file_name, received_at, events "
        "FROM quarantine ORDER BY received_at, bundle_id").fetchall()
    # why each waits: said on the inbox line its import wrote (the latest, if the file
    # was given again). A second key claiming the same bundle id has a row id of its
    # own, "<bundle id>.<key id>" (_quarantine); its inbox line has the bundle's id.
    # Its key on record since (an import registered it, then could not take the bundle;
    # a trust stopped half way): why it still waits, from the line that failure wrote,
    # else in general words; the "unknown key … check the fingerprint" no longer is.
    why: dict[tuple[str, str], tuple[str, str]] = {}
    failed: dict[tuple[str, str], tuple[str, str]] = {}
    for bundle_id, key_id, reason, reason_msg in rep.conn.execute(
            "SELECT bundle_id, key_id, reason, coalesce(reason_msg, '') FROM inbox "
            "WHERE outcome = 'quarantined' ORDER BY id"):
        if _record_id(reason_msg) == KEY_ON_RECORD_FAILED_REASON:
            failed[(bundle_id, key_id)] = (reason, reason_msg)
        else:
            why[(bundle_id, key_id)] = (reason, reason_msg)
    registry = keyreg.all_keys(rep)
    on_record = {k.public_key: k.status for k in registry.values()
                 if k.status in ("active", "retired")}
    out = []
    for r in rows:
        keys = ((r[0], r[3]), (r[0].removesuffix(f".{r[3]}"), r[3]))
        status = on_record.get(r[4])
        reason = None
        if status:
            reason = next((failed[k] for k in keys if k in failed), None)
            if reason is None:
                with capturing():
                    # Translators: why a bundle still waits in quarantine; {then}: what
                    # takes it ("trusting its key or importing its file again imports it")
                    text = _("its key is on record now, but it was not imported: {then}"
                             ).format(then=still_waiting_then(status == "retired"))
                record = message_record(text)
                reason = (str.__str__(text), json.dumps(record) if record else "")
        else:
            reason = next((why[k] for k in keys if k in why), None)
        out.append(QuarantineItem(r[0], r[1], r[2], r[3],
                                  PublicKey.from_base64(r[4]).fingerprint, r[5], r[6], r[7],
                                  *(reason or ("", "")), key_on_record=bool(status),
                                  replaces=None if status else keyreg.key_to_replace(
                                      rep, r[4], r[2], keys=registry)))
    return out


def _record_id(reason_msg: str) -> Any:
    """The message id an inbox reason was made from (``message_record``), or None."""
    try:
        record = json.loads(reason_msg) if reason_msg else None
    except ValueError:
        return None
    return record.get("id") if isinstance(record, dict) else None


def normalised_fingerprint(text: str) -> str:
    """The hex digits of a fingerprint as typed, in upper case (spaces and case do not
    matter)."""
    return "".join(ch for ch in text.upper() if ch in "0123456789ABCDEF")


def _quarantined_by(rep: Replica, fingerprint: str, *, trusting: bool) -> list[tuple]:
    """The quarantine rows (bundle_id, public_key, office, sender, file_name, data) of
    the one key whose fingerprint starts with ``fingerprint`` (spaces and case do not
    matter; at least 16 hex digits). None waiting, a key this replica knows is said as
    it stands (``_known_key_stands``); ``trusting``: for ``trust_key``, else
    ``refuse_key``."""
    want = normalised_fingerprint(fingerprint)
    if len(want) < 16:
        raise ValidationError(_("give at least 16 hex digits of the fingerprint"))
    # the bytes of the matching key's bundles only: quarantine may hold thousands of
    # bundles of other keys, each up to a bundle's size limit, and every trust,
    # refusal and trust preview read them all into memory to pick out one key's
    rows = rep.conn.execute(
        "SELECT bundle_id, public_key, office, sender, file_name, NULL FROM quarantine "
        "ORDER BY received_at, bundle_id").fetchall()
    match = [r for r in rows
             if normalised_fingerprint(PublicKey.from_base64(r[1]).fingerprint).startswith(want)]
    if match and len({r[1] for r in match}) == 1:
        data = dict(rep.conn.execute("SELECT bundle_id, data FROM quarantine WHERE "
                                     "public_key = ?", (match[0][1],)))
        # (one another program's refusal or trust took meanwhile is gone)
        match = [(*r[:5], data[r[0]]) for r in match if r[0] in data]
    if not match:
        _not_a_key_id(rows, want)
        _known_key_stands(rep, want, trusting=trusting)
        _refused_key_stands(rep, want, trusting=trusting)
        raise ValidationError(_("no quarantined bundle is signed by a key with fingerprint "
                                "{fingerprint}").format(fingerprint=ltr(fingerprint)))
    if len({r[1] for r in match}) > 1:
        raise ValidationError(_("that fingerprint prefix fits several keys; give all of it"))
    return match


def _known_key_stands(rep: Replica, want: str, *, trusting: bool) -> None:
    """With no bundle of it in quarantine, how a key this replica knows whose
    fingerprint starts with ``want`` stands, as an error: already trusted (or this
    computer's own) for ``keys trust``, revoked for ``keys refuse``
    (``KeyAlreadySettledError``: nothing to do, as asked); revoked or retired for
    ``keys trust``, trusted for ``keys refuse`` (ValidationError). Nothing when no
    known key has that fingerprint (the words "no quarantined bundle" said it, even of
    a key already trusted)."""
    def fits(public_key: str) -> bool:
        return bool(public_key) and normalised_fingerprint(
            PublicKey.from_base64(public_key).fingerprint).startswith(want)

    own = rep.meta("public_key") or ""
    keys = [k for k in keyreg.listed_keys(keyreg.all_keys(rep)).values()
            if not k.known_by_status and fits(k.public_key)]
    if len({k.public_key for k in keys}) > 1:
        raise ValidationError(_("that fingerprint prefix fits several keys; give all of it"))
    if not keys:
        if fits(own):  # not registered yet: this computer's own key all the same
            _own_key_stands(PublicKey.from_base64(own).fingerprint, trusting)
        return
    key = keys[0]
    fingerprint, office, replica = key.fingerprint, key.office, key.replica[:8]
    if key.status == "revoked":
        if trusting:
            raise ValidationError(_("key {fingerprint} of {office} was revoked and is "
                                    "never trusted again").format(fingerprint=ltr(fingerprint),
                                                                  office=office))
        raise KeyAlreadySettledError(_(
            "Key {fingerprint} of {office} (computer {replica}) was revoked: its bundles "
            "are refused already").format(fingerprint=ltr(fingerprint), office=office,
                                          replica=replica))
    if key.status == "retired":
        if trusting:
            raise ValidationError(_(
                "key {fingerprint} of {office} (computer {replica}) was retired by a "
                "rotation and is not trusted again").format(
                    fingerprint=ltr(fingerprint), office=office, replica=replica))
        return  # its bundles are a retired key's, merged: nothing of it to refuse
    if key.public_key == own:
        _own_key_stands(fingerprint, trusting)
    if trusting:
        raise KeyAlreadySettledError(_(
            "Key {fingerprint} of {office} (computer {replica}) is already trusted; no "
            "bundle of it waits in quarantine").format(
                fingerprint=ltr(fingerprint), office=office, replica=replica))
    raise ValidationError(_(
        "key {fingerprint} of {office} (computer {replica}) is trusted and no bundle of "
        "it waits in quarantine: nothing to refuse (headquarters revokes a key it no "
        "longer trusts: fieldplan keys revoke {key_id})").format(
            fingerprint=ltr(fingerprint), office=office, replica=replica, key_id=key.key_id))


def _refused_key_stands(rep: Replica, want: str, *, trusting: bool) -> None:
    """With no bundle of it in quarantine, a key whose fingerprint starts with ``want``
    that ``refuse_key`` refused (the inbox lines it wrote keep its public key), as an
    error: refused already for ``keys refuse`` (``KeyAlreadySettledError``), to be
    imported again for ``keys trust`` (ValidationError: its bundles left quarantine,
    and only a bundle of it there can be trusted). Nothing when none was refused."""
    refused: dict[str, list[tuple]] = {}
    for office, sender, file_name, at, record in rep.conn.execute(
            "SELECT office, sender, file_name, received_at, reason_msg FROM inbox "
            "WHERE outcome = 'rejected' AND reason_msg LIKE '%public_key%' "
            "ORDER BY received_at, id"):
        try:
            public_key = json.loads(record)["kw"]["public_key"]
            fingerprint = PublicKey.from_base64(public_key).fingerprint
        except (ValueError, KeyError, TypeError):
            continue  # (a damaged line: said as no quarantined bundle)
        if normalised_fingerprint(fingerprint).startswith(want):
            refused.setdefault(fingerprint, []).append((office, sender, file_name, at))
    if len(refused) > 1:
        raise ValidationError(_("that fingerprint prefix fits several keys; give all of it"))
    if not refused:
        return
    (fingerprint, rows), = refused.items()
    # (the sender is the bundle's word: any text, quoted as a file's values are)
    office, replica, at = (rows[-1][0] or "?", for_message((rows[-1][1] or "?")[:8]),
                           rows[-1][3])
    files = list(dict.fromkeys(row[2] for row in rows))
    if trusting:
        raise ValidationError(ngettext(
            "key {fingerprint} of {office} (computer {replica}) was refused on {date} "
            "and no bundle of it waits in quarantine: to trust it, import its bundle "
            "{files} again (or one the office sends again), then trust it",
            "key {fingerprint} of {office} (computer {replica}) was refused on {date} "
            "and no bundle of it waits in quarantine: to trust it, import one of its "
            "bundles {files} again (or one the office sends again), then trust it",
            len(files)).format(fingerprint=ltr(fingerprint), office=office, replica=replica,
                               date=format_date(at), files=join_list([ltr(f) for f in files])))
    raise KeyAlreadySettledError(ngettext(
        "Key {fingerprint} of {office} (computer {replica}) was already refused, on "
        "{date}: its bundle {files} is in the inbox as rejected",
        "Key {fingerprint} of {office} (computer {replica}) was already refused, on "
        "{date}: its bundles {files} are in the inbox as rejected",
        len(files)).format(fingerprint=ltr(fingerprint), office=office, replica=replica,
                           date=format_date(at), files=join_list([ltr(f) for f in files])))


def _own_key_stands(fingerprint: str, trusting: bool) -> None:
    if trusting:
        raise KeyAlreadySettledError(_("Key {fingerprint} is this computer's own key; "
                                       "nothing to trust").format(fingerprint=ltr(fingerprint)))
    raise ValidationError(_("key {fingerprint} is this computer's own key: it cannot be "
                            "refused").format(fingerprint=ltr(fingerprint)))


def _not_a_key_id(rows: list[tuple], want: str) -> None:
    """A ValidationError pointing to the fingerprint when ``want`` is the key id of a
    quarantined key (the first column of ``keys list``). The key id is not taken in
    its place: it is the signer's word, which any key may claim (minisign key ids are
    random, not made from the key), so only the fingerprint, read with the office,
    names the key the office holds."""
    keys = {r[1]: r for r in rows if PublicKey.from_base64(r[1]).key_id_hex == want}
    if len(keys) == 1:
        (public_key, row), = keys.items()
        raise ValidationError(_(
            "{key_id} is the key id of the quarantined key of {office} (replica {replica}), "
            "not its fingerprint: read its fingerprint {fingerprint} with the office and "
            "give that").format(key_id=want, office=row[2],
                                replica=for_message(row[3][:8]),  # (the bundle's word)
                                fingerprint=ltr(PublicKey.from_base64(public_key).fingerprint)))
    if keys:
        raise ValidationError(_(
            "{key_id} is the key id of several quarantined keys, not a fingerprint: give "
            "the fingerprint the office reads to you (see 'fieldplan keys list')").format(
                key_id=want))


def _on_record(rep: Replica, public_key: str) -> str:
    """The status of the key ``public_key`` (base64) when it is on record, active or
    retired, else "" (unknown, or revoked). By its public key: a key id is the
    signer's word, which any key may claim."""
    return next((k.status for k in keyreg.all_keys(rep).values()
                 if k.public_key == public_key and k.status in ("active", "retired")), "")


def refuse_key(rep: Replica, fingerprint: str) -> list[ImportOutcome]:
    """Refuse the quarantined bundles of a key whose fingerprint the office did not
    confirm: they leave quarantine, and the inbox keeps them as rejected.

    Of a key on record since they came (an import registered it, then could not take
    them: ``KEY_ON_RECORD_FAILED_REASON``) no fingerprint is left to confirm: the
    bundles leave quarantine unimported, the inbox says so (``KEY_ON_RECORD_REMOVED
    _REASON``, not a refusal of the key), and the key stays on record as it is
    (``keys revoke`` stops a key)."""
    match = _quarantined_by(rep, fingerprint, trusting=False)
    pub = PublicKey.from_base64(match[0][1])
    with capturing():  # the inbox keeps it, to be shown in any language (as an import's)
        if _on_record(rep, pub.to_base64()):
            reason = _(KEY_ON_RECORD_REMOVED_REASON)
        else:
            # the key kept with the reason (its record's arguments; the words name
            # none): a second refusal, or a trust, of the key says it was refused, and
            # when
            reason = _("refused: the office did not confirm the key's fingerprint").format(
                public_key=pub.to_base64())
    outcomes = []
    with store.write_transaction(rep.conn):
        for bundle_id, public_key, office, sender, file_name, data in match:
            rep.conn.execute("DELETE FROM quarantine WHERE bundle_id = ? AND public_key = ?",
                             (bundle_id, public_key))
            outcome = ImportOutcome(file_name, "rejected", reason, office=office,
                                    replica=sender, key_id=pub.key_id_hex,
                                    fingerprint=pub.fingerprint, bundle_id=bundle_id)
            _inbox_row(rep, outcome, hashlib.sha256(data).hexdigest())
            outcomes.append(outcome)
    return outcomes


def trust_refused(rep: Replica, match: list[tuple]) -> Any:
    """The refusals ``trust_key`` makes of the key of the quarantine rows ``match``
    (``_quarantined_by``) before it writes anything, as ValidationError: a key bound to
    another office, a revoked computer's, a revoked key (``keys trust --dry-run`` says
    them as the trust would). The key as this replica knows it, else None."""
    pub = PublicKey.from_base64(match[0][1])
    office, sender = match[0][2], match[0][3]
    _bound_offices(keyreg.all_keys(rep), sender, office, ValidationError)
    revoked = keyreg.revoked_replica(rep, sender)
    if revoked is not None:
        # quarantined before the revocation: the lost computer's bundles stay out
        raise ValidationError(_revoked_text(sender, revoked))
    known = keyreg.all_keys(rep).get(pub.key_id_hex)
    if known is not None and known.status == "revoked":
        raise ValidationError(_("key {fingerprint} of {office} was revoked and is never "
                                "trusted again").format(fingerprint=ltr(pub.fingerprint),
                                                        office=known.office))
    return known


def trust_key(rep: Replica, fingerprint: str) -> list[ImportOutcome]:
    """Trust the key of quarantined bundles (checked with the office by fingerprint),
    then merge them, and those of the keys its rotation chain shows it replaced (on
    record retired now). The fingerprint may be given with or without spaces; at
    least 16 hex digits of it. A key on record revoked is never trusted again
    (ValidationError); one on record retired by a rotation is not trusted again
    either, but its bundles are imported, the key left retired
    (``import_quarantined_again``, with a notice saying so)."""
    match = _quarantined_by(rep, fingerprint, trusting=True)
    pub = PublicKey.from_base64(match[0][1])
    office, sender = match[0][2], match[0][3]
    known = trust_refused(rep, match)
    if known is not None and known.status == "retired":
        # unknown when its bundles came, on record since (a later key's rotation chain):
        # trusting it would make a replaced key, perhaps one that leaked, active again.
        # Its bundles are a retired key's: imported from the copies quarantine holds, as
        # their files imported again (or the client's Import again) would be, and the
        # key stays retired. It was refused, "import its bundles again": a person
        # without the files had no way to take them from the command line
        outcomes = import_quarantined_again(rep, fingerprint)
        rep.notices.append(_(
            "key {fingerprint} of {office} was retired by a rotation and is not trusted "
            "again: its bundles waiting in quarantine were imported as a retired key's, "
            "as their files imported again would be").format(
                fingerprint=ltr(pub.fingerprint), office=known.office))
        return outcomes
    lineage: tuple = ()
    earlier: tuple = ()
    ended, revoked_before = "", False
    try:
        held = bundlefmt.open_bundle(io.BytesIO(match[0][5]), check_events=False)
    except (BundleError, *_HOSTILE):
        held = None  # importing it again below says what is wrong with it
    if held is not None:
        with held:  # a computer restored from a backup: its earlier replicas come along
            try:
                chain = keyreg.follow_chain(rep, held.manifest, pub)
            except BundleError as exc:  # the chain reaches a revoked computer
                raise ValidationError(str(exc)) from exc
            if keyreg.lineage_free(rep, chain):
                lineage, earlier = chain.lineage, chain.earlier
            else:
                earlier = chain.earlier_of(sender)
            ended, revoked_before = ended_enrolment(rep, held.manifest, pub)
    # one backup before the trust writes anything, as an import of several files takes
    # one (import_bundles): each bundle's merge took a backup of its own, after the key
    # was written. At a headquarters of 800 MB the copies took most of the seconds a
    # trust took; a backup that cannot be taken now leaves the key in quarantine
    replacing = keyreg.key_to_replace(rep, pub.to_base64(), sender)
    later = endorsed_by(rep, pub, sender)
    with rep.backup_before("before-import"), store.write_transaction(rep.conn):
        keyreg.accept_new_key(rep, pub, office, sender, lineage=lineage, earlier=earlier)
        # the computer's key it had is retired, as a rotation retires it: never two
        # active keys for one computer, one of them perhaps a stranger's
        retired = keyreg.replace_by_trust(rep, pub, sender)
    if retired and replacing is not None:
        # Translators: after trusting a key; {old} and {fingerprint} are fingerprints,
        # {replica} the first 8 digits of a replica id, {office} an office code
        rep.notices.append(_(
            "key {fingerprint} now replaces key {old} of computer {replica} of office "
            "{office}: bundles that computer signs with the old key are refused from "
            "now on").format(fingerprint=ltr(pub.fingerprint),
                             old=ltr(replacing.fingerprint),
                             replica=for_message(sender[:8]), office=office))
    if ended:
        # trusted all the same (a person decided), but not without a word: the setup
        # bundle it came from was one a revocation ended
        rep.notices.append(
            _("key {fingerprint} trusted, but {why}: if this is the revoked computer, "
              "revoke this key too").format(fingerprint=ltr(pub.fingerprint), why=ended)
            if revoked_before else
            _("key {fingerprint} trusted, but {why}").format(fingerprint=ltr(pub.fingerprint),
                                                             why=ended))
    # the keys it replaced are on record now, retired: their bundles waiting here are a
    # retired key's, merged with it (first: they are the older)
    replaced = {key.to_base64() for _replica, key in earlier} - {pub.to_base64()}
    if replaced:
        match = [r for r in rep.conn.execute(
            "SELECT bundle_id, public_key, office, sender, file_name, data FROM quarantine "
            "ORDER BY received_at, bundle_id") if r[1] in replaced] + match
    outcomes = [_import_quarantined(rep, bundle_id, public_key, file_name, data)
                for bundle_id, public_key, _office, _sender, file_name, data in match]
    # the later keys it endorsed: their bundles come through it now, as they would from
    # the office (the first registers its key, whose other bundles that import brings)
    for bundle_id, public_key, _office, _sender, file_name, data in later:
        if rep.conn.execute("SELECT 1 FROM quarantine WHERE bundle_id = ? AND "
                            "public_key = ?", (bundle_id, public_key)).fetchone():
            outcomes.append(_import_quarantined(rep, bundle_id, public_key, file_name,
                                                data))
    return outcomes


def endorsed_by(rep: Replica, pub: PublicKey, sender: str) -> list[tuple]:
    """The quarantine rows (as ``_quarantined_by``'s) of the other keys of computer
    ``sender`` whose rotation chain, verified, passes ``pub``, unknown here: once
    ``pub`` is trusted, their bundles are a rotation's of a key on record, taken
    without a trust of their own (``trust_key`` imports them after ``pub``'s, its
    preview counts them). Oldest first."""
    own = pub.to_base64()
    rows = rep.conn.execute(
        "SELECT bundle_id, public_key, office, sender, file_name FROM quarantine "
        "WHERE sender = ? AND public_key != ? ORDER BY received_at, bundle_id",
        (sender, own)).fetchall()
    out = []
    for row in rows:
        held = rep.conn.execute("SELECT data FROM quarantine WHERE bundle_id = ? AND "
                                "public_key = ?", row[:2]).fetchone()
        if held is None:
            continue
        try:
            with bundlefmt.open_bundle(io.BytesIO(held[0]), check_events=False) as b:
                if b.public_key.to_base64() != row[1]:
                    continue
                chain = keyreg.follow_chain(rep, b.manifest, b.public_key)
        except (BundleError, *_HOSTILE):
            continue  # (its own trust, or its import again, says what is wrong)
        if chain.trusted is None and any(
                key.to_base64() == own for _replica, key in chain.earlier_of(sender)):
            out.append((*row, held[0]))
    return out


def import_quarantined_again(rep: Replica, fingerprint: str) -> list[ImportOutcome]:
    """Import the bundles waiting in quarantine of a key on record since they came
    (an import registered it, then could not take them: ``KEY_ON_RECORD_FAILED
    _REASON``), from the copy quarantine holds, as importing their files again does:
    no fingerprint to confirm, no trust written (a key retired by a rotation stays
    retired). A backup first, as for a trust. A key not on record: ValidationError
    (a trust takes its bundles, once the office has confirmed its fingerprint)."""
    match = _quarantined_by(rep, fingerprint, trusting=True)
    pub = PublicKey.from_base64(match[0][1])
    if not _on_record(rep, pub.to_base64()):
        raise ValidationError(_(
            "key {fingerprint} of {office} is not on record: trust it once the office "
            "has confirmed its fingerprint").format(fingerprint=ltr(pub.fingerprint),
                                                   office=match[0][2]))
    rep.backup("before-import")
    return [_import_quarantined(rep, bundle_id, public_key, file_name, data)
            for bundle_id, public_key, _office, _sender, file_name, data in match]


def _import_quarantined(rep: Replica, bundle_id: str, public_key: str, file_name: str,
                        data: bytes) -> ImportOutcome:
    """Import a bundle quarantine held, its key on record now (``trust_key``,
    ``_release_quarantined``); one checked whole and refused for what it holds waits
    for nothing any more: it leaves quarantine (the inbox says why)."""
    outcome = import_bundle(rep, io.BytesIO(data), name=file_name, backup=False)
    if outcome.outcome == "rejected":
        with store.write_transaction(rep.conn):
            rep.conn.execute("DELETE FROM quarantine WHERE bundle_id = ? AND "
                             "public_key = ?", (bundle_id, public_key))
    return outcome


# --- inbox ------------------------------------------------------------------------------

#: (at an office) the meta key holding the id of the inbox line of the bundle that
#: revoked this computer's key: the Inbox says it of that line after a restart too
KEY_REVOKED_BY = "key_revoked_by"


@dataclass(frozen=True)
class InboxEntry:
    """One bundle this replica was given and what became of it."""

    file: str
    office: str
    received_at: str
    outcome: str
    reason: str
    events: int
    events_new: int
    bundle_id: str
    #: how the reason was made (fieldplan.i18n.message_record), JSON, or ""
    reason_msg: str = ""
    #: (refused as a forked history, repaired since) the file whose merge brought its
    #: data (``fork.repaired_refusals``), or ""
    repaired_in: str = ""
    #: (at an office) this bundle revoked this computer's key (``ImportOutcome``'s
    #: ``revoked_here``, kept as ``KEY_REVOKED_BY``)
    revoked_here: bool = False
    #: what the new plan it brought changes (``ImportOutcome.plan_changes``), as kept:
    #: JSON, or ""
    plan_changes_msg: str = ""
    #: its line's id in the inbox (the newest has the highest): where a page of older
    #: bundles starts (``list_inbox``'s ``upto``); 0 for an entry made elsewhere
    inbox_id: int = 0

    def reason_text(self, lang: str | None = None) -> str:
        """The reason in ``lang`` (default: the current language); as it was written
        when it cannot be made again (an older import, a message this version lacks)."""
        return _reason_in(self.reason, self.reason_msg, lang)

    def table_reason(self, lang: str | None = None) -> str:
        """The reason as the Inbox's table shows it, in ``lang``: a new computer's key
        registered said short ("a new computer's key is now registered": the row names
        the office), where its whole sentence, the same for every office, filled the
        Reason column after a first import of every office's bundles and pushed each
        one's own facts (late data, conflicts) out of sight. The whole reason is
        ``reason_text``'s (the Inbox's detail says it); as it is when it cannot be made
        again."""
        try:
            record = json.loads(self.reason_msg) if self.reason_msg else None
        except ValueError:
            record = None
        short = _registered_short(record) if isinstance(record, dict) else None
        if short is None:
            return self.reason_text(lang)
        return _reason_in(self.reason, json.dumps(short), lang)

    @property
    def headquarters_own(self) -> bool:
        """Refused as a bundle headquarters writes (imported by mistake from the stick or
        outbox it shares with the offices' bundles): a setup bundle, which starts a new
        computer, or one headquarters wrote for an office. It holds no office's data
        for this database."""
        try:
            record = json.loads(self.reason_msg) if self.reason_msg else None
        except ValueError:
            return False
        return isinstance(record, dict) and record.get("id") in (
            SETUP_BUNDLE_REASON, HQ_BUNDLE_FOR_OFFICE_REASON)

    def plan_changes(self, lang: str | None = None) -> tuple[str, ...]:
        """What the new plan this bundle brought changes, a line each, in ``lang``
        (each line as written when it cannot be made again); () when it brought none."""
        try:
            kept = json.loads(self.plan_changes_msg) if self.plan_changes_msg else []
        except ValueError:
            return ()
        lines = []
        for line in kept if isinstance(kept, list) else ():
            if isinstance(line, dict) and isinstance(line.get("text"), str):
                msg = line.get("msg")
                lines.append(_reason_in(line["text"], json.dumps(msg) if msg else "", lang))
        return tuple(lines)

    def to_dict(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        out.pop("reason_msg")
        out["plan_changes"] = list(self.plan_changes())
        out.pop("plan_changes_msg")
        out["reason"] = self.reason_text()
        out["key_revoked"] = out.pop("revoked_here")  # (as the import's JSON names it)
        return out


#: ``InboxEntry.table_reason``'s short form of ``COMPUTER_REGISTERED_NEWS``
# Translators: in the Reason column of the Inbox at headquarters, whose row names the
# office; the detail under the table says what it means
COMPUTER_REGISTERED_SHORT = N_("a new computer's key is now registered")


def _registered_short(record: dict[str, Any]) -> dict[str, Any] | None:
    """A kept reason (``message_record``) with its clause of a new computer's key
    registered put short (``COMPUTER_REGISTERED_SHORT``); None when it holds none."""
    if record.get("id") == COMPUTER_REGISTERED_NEWS:
        return {"id": COMPUTER_REGISTERED_SHORT}
    parts = record.get("joined")
    if not isinstance(parts, list):
        return None
    changed = False
    shorter = []
    for part in parts:
        inner = part.get("msg") if isinstance(part, dict) else None
        short = _registered_short(inner) if isinstance(inner, dict) else (
            _registered_short(part) if isinstance(part, dict) and "joined" in part
            else None)
        if short is None:
            shorter.append(part)
        else:
            changed = True
            shorter.append({"msg": short} if isinstance(inner, dict) else short)
    return {**record, "joined": shorter} if changed else None


def _reason_in(reason: str, reason_msg: str, lang: str | None) -> str:
    """An inbox reason in ``lang``, made again from how it was made (``reason_msg``);
    as it was written when it cannot be (an older import, a message this version
    lacks)."""
    if reason_msg:
        try:
            return render_record(json.loads(reason_msg), lang)
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            pass
    return reason


#: the bundles ``list_inbox`` gives at once (and the HQ Inbox lists a page of): two
#: years at 57 offices make many more, read a page at a time (``offset``), never all
#: in memory, and the page says how many others it leaves out (``inbox_size``)
INBOX_SHOWN = 1000


def inbox_size(rep: Replica) -> int:
    """How many bundles the inbox holds in all, the ones ``list_inbox`` leaves out
    among them."""
    return rep.conn.execute("SELECT count(*) FROM inbox").fetchone()[0]


def list_inbox(rep: Replica, limit: int = INBOX_SHOWN, offset: int = 0,
               upto: int | None = None) -> list[InboxEntry]:
    """The inbox's bundles, newest first: ``limit`` of them, after the ``offset``
    newest; with ``upto``, from the line of that id down (the Inbox's older pages: a
    page stays the same bundles while new ones arrive, where an offset shifted it)."""
    where, args = ("", ()) if upto is None else ("WHERE id <= ? ", (upto,))
    rows = rep.conn.execute(
        "SELECT id, file_name, coalesce(office, ''), received_at, outcome, reason, events, "
        "events_new, coalesce(bundle_id, ''), coalesce(reason_msg, ''), "
        f"coalesce(plan_changes, '') FROM inbox {where}"
        "ORDER BY id DESC LIMIT ? OFFSET ?", (*args, limit, max(0, offset))).fetchall()
    repaired = fork.repaired_refusals(rep)
    revoked_by = rep.meta(KEY_REVOKED_BY) or ""
    return [InboxEntry(*r[1:-1], repaired_in=repaired.get(r[0], ""),
                       revoked_here=str(r[0]) == revoked_by, plan_changes_msg=r[-1],
                       inbox_id=r[0])
            for r in rows]


def inbox_newer(rep: Replica, than: int) -> int:
    """How many of the inbox's bundles are newer than its line ``than``: where a page
    that starts after it stands, counted from the newest."""
    return rep.conn.execute("SELECT count(*) FROM inbox WHERE id > ?", (than,)).fetchone()[0]


def inbox_page_above(rep: Replica, top: int, limit: int = INBOX_SHOWN) -> int | None:
    """Where the page of ``limit`` bundles newer than the line ``top`` starts (its
    newest line's id, ``list_inbox``'s ``upto``); None when fewer are newer: the newest
    page."""
    row = rep.conn.execute("SELECT id FROM inbox WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?",
                           (top, limit - 1)).fetchone()
    return None if row is None or inbox_newer(rep, row[0]) == 0 else row[0]
