"""Which bundle format a recipient reads: HQ and its offices update fieldplan at
different times, and a reader refuses a bundle of a newer format than its own.

Every bundle imported says what its writer reads (manifest ``reads_version``; a
fieldplan older than that key reads the version it wrote) and which fieldplan wrote
it (``app_version``). Each replica keeps, per sender replica, the highest of these
(meta ``bundle_formats``). An export writes the oldest format its content fits in,
up to what every replica of the recipient reads; a replica never heard from is
taken to read the oldest format (a setup bundle goes to an installer of any age).
Content an older reader would refuse as damaged (a key revoked for one computer
alone, a plan that words units in French or Arabic) needs the format that introduced
it; written for a recipient that reads only older formats, the export says that
recipient must update fieldplan.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Container, Iterable, Mapping
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan import events
from fieldplan.i18n import _
from fieldplan.replica import Replica

META_KEY = "bundle_formats"
#: the manifest key naming the newest format the bundle's writer reads
READS = "reads_version"
_MAX_APP_VERSION = 40  # characters kept of a manifest's app_version
#: an origin's run of events a bundle carries: (origin, after) to its last event, or
#: (origin, after, up to)
Run = tuple[str, int] | tuple[str, int, int]


def manifest_fields() -> dict[str, Any]:
    """What an exporter adds to a manifest: the newest format this fieldplan reads."""
    return {READS: bundlefmt.FORMAT_VERSION}


def _load(rep: Replica) -> dict[str, dict[str, Any]]:
    raw = rep.meta(META_KEY)
    try:
        seen = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return seen if isinstance(seen, dict) else {}


def _int(value: Any) -> int:
    return value if type(value) is int and 0 < value < 1000 else 0


def record_sender(rep: Replica, m: dict[str, Any], version: int) -> None:
    """(inside the import's transaction) What the writer of an accepted bundle reads,
    and its fieldplan: ``m`` its manifest, ``version`` its format version."""
    seen = _load(rep)
    sender = str(m.get("sender", ""))
    before = seen.get(sender) if isinstance(seen.get(sender), dict) else {}
    app = m.get("app_version")
    entry = {
        "office": str(m.get("office", "")),
        "format": max(_int(before.get("format")), _int(m.get(READS)), _int(version)),
        "app_version": (app[:_MAX_APP_VERSION] if isinstance(app, str) and app
                        else str(before.get("app_version", ""))),
    }
    if entry != before:
        seen[sender] = entry
        events.set_meta(rep.conn, META_KEY, events.canonical_json(seen))


#: The oldest format a fieldplan that reads it always gives its receipts with the hash
#: of the event each names (``ack_hashes``: written since before format 3 existed)
HASHED_RECEIPTS_SINCE = bundlefmt.KEY_SCOPE_SINCE


def hashes_receipts(rep: Replica, sender: str) -> bool:
    """Whether ``sender``'s bundles merged here so far say its fieldplan gives each
    receipt with the hash of the event it names (``record_sender``'s record, which a
    later bundle never lowers: a forged one cannot say it is of an older fieldplan)."""
    entry = _load(rep).get(sender)
    return isinstance(entry, dict) and _int(entry.get("format")) >= HASHED_RECEIPTS_SINCE


def reader_format(rep: Replica, office: str, replicas: Iterable[str]) -> int:
    """The newest format every one of ``replicas`` reads (the oldest for a replica
    never heard from). Without any (every computer of ``office`` cut off), what the
    office's computers heard from read."""
    seen = {r: e for r, e in _load(rep).items() if isinstance(e, dict)}
    replicas = list(replicas) or [r for r, e in seen.items() if e.get("office") == office]
    known = [_int(seen.get(r, {}).get("format")) for r in replicas]
    return max(bundlefmt.OLDEST_FORMAT_VERSION, min(known, default=0))


def office_versions(rep: Replica) -> dict[str, tuple[str, ...]]:
    """The fieldplan versions each office's replicas last wrote a bundle with, by
    office ("" for one older than the manifest's app_version)."""
    out: dict[str, set[str]] = {}
    for entry in _load(rep).values():
        if isinstance(entry, dict) and entry.get("office"):
            out.setdefault(str(entry["office"]), set()).add(str(entry.get("app_version", "")))
    return {office: tuple(sorted(v)) for office, v in sorted(out.items())}


def offices_reading_before(rep: Replica, version: int,
                           replicas: Container[str] | None = None) -> tuple[str, ...]:
    """The offices a replica of which last said it reads only formats before
    ``version`` (an office never heard from is not known to: its export says so);
    ``replicas``: of these replicas alone (those an export is for, not a computer
    revoked or replaced since, ``export._peers``)."""
    return tuple(sorted({str(entry["office"]) for replica, entry in _load(rep).items()
                         if isinstance(entry, dict) and entry.get("office")
                         and (replicas is None or replica in replicas)
                         and entry["office"] != "HQ" and _int(entry.get("format")) < version}))


def needed_formats(rep: Replica, plan: Iterable[Run],
                   also: Mapping[str, Iterable[int]] | None = None) -> frozenset[int]:
    """The formats that the events of ``plan`` (``Run``: origin, after-seq) and ``also``
    (origin → seqs of single events) need, each for content it introduced: a key
    record with a scope KEY_SCOPE_SINCE, a plan record that words a unit in French or
    Arabic UNIT_WORDS_SINCE; empty when everything fits the oldest (what each is for:
    ``needed_for``)."""
    need: set[int] = set()
    for _origin, _seq, version in _needs(rep, plan, also):
        need.add(version)
    return frozenset(need)


def _needs(rep: Replica, plan: Iterable[Run],
           also: Mapping[str, Iterable[int]] | None = None
           ) -> Iterable[tuple[str, int, int]]:
    """(origin, seq, format) of each event of ``plan`` and ``also`` (as
    ``needed_formats`` takes them) that needs a format after the oldest, by origin and
    seq."""
    # (origin, after[, up to]): a run up to its end, or to where the export stops it
    runs = {origin: (after, upto[0] if upto else None) for origin, after, *upto in plan}
    single = {(o, s) for o, seqs in (also or {}).items() for s in seqs}
    if not runs and not single:
        return
    for origin, seq, entity, body in rep.conn.execute(
            "SELECT origin, seq, entity, body FROM events WHERE entity IN ('key', 'plan') "
            "ORDER BY origin, seq"):
        after, upto = runs.get(origin, (None, None))
        carried = ((after is not None and seq > after and (upto is None or seq <= upto))
                   or (origin, seq) in single)
        if not carried:
            continue
        fields = json.loads(body)["fields"]
        if entity == "key" and "scope" in fields:
            yield origin, seq, bundlefmt.KEY_SCOPE_SINCE
        elif entity == "plan" and words_units(fields.get("document")):
            yield origin, seq, bundlefmt.UNIT_WORDS_SINCE


def held_back(rep: Replica, readers: Iterable[str], plan: Iterable[Run],
              also: Mapping[str, Iterable[int]] | None = None
              ) -> tuple[dict[str, int], int, frozenset[int]]:
    """What a bundle for the replicas ``readers`` of an office holds back because none
    of them reads it: (per origin, the seq of its first event of ``plan`` and ``also``
    that needs a format newer than any of them reads; that format; the formats the
    held-back events need). Each origin's events from that one on are held back, so
    that what is sent has no gap: an office whose computers all run an older fieldplan
    still gets headquarters' receipts, locks and keys written before a plan that words
    its units in French or Arabic, where a bundle in the newer format reached it with
    nothing at all (refused whole as newer) until it was updated. Nothing is held back
    when a computer of the office was never heard from (what it reads is not known) or
    one reads it all (it gets it, as before: ``choose_format`` warns of the others)."""
    seen = _load(rep)
    known = [_int(seen.get(r, {}).get("format")) if isinstance(seen.get(r), dict) else 0
             for r in readers]
    if not known or 0 in known:
        return {}, 0, frozenset()
    reads = max(known)
    cut: dict[str, int] = {}
    needs: set[int] = set()
    for origin, seq, version in _needs(rep, plan, also):
        if version > reads:
            cut.setdefault(origin, seq)
            needs.add(version)
    return cut, reads, frozenset(needs)


def held_back_text(office: str, reads: int, needs: Collection[int]) -> str:
    """What an export says of what it held back for ``office`` (``held_back``)."""
    # Translators: {office} is an office code; {why} says what needs the format: "for
    # the plan's units in French or Arabic"
    return _("{office}'s fieldplan reads bundle format {known} only: the bundle carries "
             "the receipts and what came before the changes that need format {version} "
             "({why}); {office} must update fieldplan to receive those changes and what "
             "came after them").format(office=office, known=reads, version=max(needs),
                                     why=needed_for(needs))


def needed_format(rep: Replica, plan: Iterable[Run],
                  also: Mapping[str, Iterable[int]] | None = None) -> int:
    """The oldest format that holds the events of ``plan`` and ``also``
    (``needed_formats``)."""
    return max(needed_formats(rep, plan, also), default=bundlefmt.OLDEST_FORMAT_VERSION)


def needed_for(needs: Collection[int]) -> str:
    """What the content needing the formats ``needs`` (``needed_formats``) is, as said
    after a format: "for the plan's units in French or Arabic", "for a key revoked for
    one computer alone", or both; "" for none. Said of what the bundle carries, not of
    its format: a format 4 bundle may carry a scoped key alone."""
    units, scope = bundlefmt.UNIT_WORDS_SINCE in needs, bundlefmt.KEY_SCOPE_SINCE in needs
    if units and scope:
        # Translators: what a bundle carries that needs its format, said after it as
        # in "(bundle format 4, for the plan's units in French or Arabic and for a key
        # revoked for one computer alone)"
        return _("for the plan's units in French or Arabic and for a key revoked for one "
                 "computer alone")
    if units:
        return _("for the plan's units in French or Arabic")
    if scope:
        return _("for a key revoked for one computer alone")
    return ""


def setup_format_text(office: str, version: int,
                      needs: Collection[int] | None = None) -> str:
    """(HQ) What a setup bundle for ``office`` written in format ``version`` asks of the
    office's computers ("" when every fieldplan reads it): a fieldplan that reads it,
    as older ones refuse it as newer and nothing tells them first (no receipt of the
    office says which format it reads). Said as "this version of fieldplan or a later
    one", the one writing it, which reads it: no release number is kept per format,
    and this one's (``__version__``) would ask of the office more than it needs once
    fieldplan moves on. ``needs``: the formats its content needs
    (``needed_formats``), what it says the format is for; else the content that
    ``version`` introduced."""
    why = needed_for({version} if needs is None else needs)
    if not why:
        return ""
    # Translators: {office} is an office code; {why} says what needs the format: "for
    # the plan's units in French or Arabic"
    return _("{office}'s computers need this version of fieldplan or a later one to be "
             "set up from this file: an older one refuses it as newer (bundle format "
             "{version}, {why})").format(office=office, version=version, why=why)


def words_units(document: Any) -> bool:
    """Whether a plan record's document (``plan.plan_to_dict``'s shape) words a unit
    in languages (a table, as a title), which readers of formats before
    UNIT_WORDS_SINCE refuse: a plan that gives its units in English alone is written
    as those readers read it."""
    actions = document.get("actions") if isinstance(document, dict) else None
    return any(isinstance(indicator, dict) and isinstance(indicator.get("unit"), dict)
               for action in (actions if isinstance(actions, list) else ())
               if isinstance(action, dict)
               for indicator in (action.get("indicators") or ()))


def choose_format(rep: Replica, recipient: str, readers: Iterable[str],
                  plan: Iterable[Run],
                  also: Mapping[str, Iterable[int]] | None = None) -> tuple[int, str]:
    """The format to write ``plan``'s events (and ``also``'s, see ``needed_format``)
    in for ``recipient``'s replicas ``readers``, and a line for the sender when the
    recipient must update fieldplan to read it ("" when it reads it)."""
    reads = reader_format(rep, recipient, readers)
    needs = needed_formats(rep, plan, also)
    version = max(max(needs, default=bundlefmt.OLDEST_FORMAT_VERSION),
                  min(reads, bundlefmt.FORMAT_VERSION))
    if version <= reads:
        return version, ""
    # what the bundle carries that the recipient cannot read (a reader of format 3
    # reads a scoped key: it lacks the units' words alone)
    unread = {n for n in needs if n > reads}
    # Translators: {why} says what needs the format: "for the plan's units in French or
    # Arabic and for a key revoked for one computer alone"
    return version, _(
        "{office}'s fieldplan reads bundle format {known} only: it must be updated to "
        "read this bundle (format {version}, {why})").format(
        office=recipient, known=reads, version=version, why=needed_for(unread))
