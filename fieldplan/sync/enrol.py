"""Enrolment: headquarters writes a setup bundle for an office; the office's new
replica starts from it, pinning the HQ key.

How HQ comes to trust the new replica's key without anyone re-typing fingerprints:
the setup bundle carries a random enrolment token (valid 90 days, for any number of
the office's laptops). The new replica proves it holds the token in each bundle it
sends until HQ has registered its key: an HMAC-SHA256 keyed by the token over its
public key and replica id. HQ checks the HMAC against the token it kept (never
exported in a sync bundle) and registers the key for that office. A bundle without a
valid proof waits in quarantine until a person compares fingerprints and trusts it.
The setup bundle is therefore a secret: send it only to the office it names.

HQ judges the token's expiry when it imports the bundle (an office's clock can be set
back: "set up before the expiry" cannot be proven). So people are told in time: the
setup bundle names its expiry (manifest ``enrolment.expires``, which an office keeps),
the enrolment's note says a first bundle must reach HQ by then, and an office whose
key HQ has not registered yet is reminded of the date (``key_deadline``) and, once it
has passed, that HQ will check its key's fingerprint by phone.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fieldplan import bundle as bundlefmt
from fieldplan import events, store
from fieldplan.errors import BundleError, ValidationError
from fieldplan.files import free_name
from fieldplan.i18n import _
from fieldplan.replica import ROLE_OFFICE, Replica, _create
from fieldplan.sync import exchange, export, formats
from fieldplan.sync import keys as keyreg

ENROLMENT_DAYS = 90


def enroll_office(rep: Replica, office: str, out: str | os.PathLike[str]) -> export.ExportResult:
    """(HQ) write a setup bundle for an office: the plan, the key registry, period locks,
    the office's data held so far, and an enrolment token."""
    from fieldplan.files import check_output_name
    from fieldplan.offices import check_office

    if not rep.is_hq:
        raise ValidationError(_("only headquarters can enrol an office"))
    office = check_office(office)
    check_output_name("bundle", out)
    if office == "HQ":
        raise ValidationError(_("enrol a country or regional office, not headquarters"))
    now = dt.datetime.now(dt.UTC)
    expires = events.utc_iso(now + dt.timedelta(days=ENROLMENT_DAYS))
    enrol_id = uuid.uuid4().hex[:16]
    token = secrets.token_urlsafe(32)
    origins = export.origins_for(rep, office)
    ranges = {}
    for origin in origins:
        lo, hi = rep.conn.execute(
            "SELECT min(seq), max(seq) FROM events WHERE origin = ?", (origin,)).fetchone()
        if lo is not None:
            ranges[origin] = [lo, hi]
    manifest = {
        "kind": exchange.KIND_SETUP, "plan_id": rep.plan_id, "sender": rep.replica_id,
        "office": "HQ", "recipient": office, "ranges": ranges, "acks": {},
        # (``expires``: an older fieldplan reads only id and token, and ignores it)
        "enrolment": {"id": enrol_id, "token": token, "office": office, "expires": expires},
        **formats.manifest_fields(),
    }
    # the office's installer may be of any age: the oldest format the events fit in
    needs = formats.needed_formats(rep, [(o, 0) for o in ranges])
    version = max(needs, default=bundlefmt.OLDEST_FORMAT_VERSION)
    secret = keyreg.secret_key(rep)
    path = Path(out)
    fresh = path.is_dir()
    if fresh:
        # a name the enrolment chose never replaces another setup bundle (one not sent
        # yet, whose token is still open; and a failed write removes what it wrote)
        path = free_name(path / f"{office}-setup.fieldplan")
    else:  # named by the person: never over another computer's bundle
        export.check_bundle_target(rep, path, office, exchange.KIND_SETUP)
    # the token is kept only if its bundle is written (a failed write leaves no
    # enrolment behind), the bundle only if its token is (a full disk at the commit
    # leaves no setup bundle HQ would not know), and the bundle, a secret, is
    # readable by its owner only
    rep.mark_now()  # (no peer may hold an event of this replica the mark lacks)
    info = None
    try:
        with store.write_transaction(rep.conn):
            # stamped by the clock writes are stamped with (the demo's story, a test's
            # clock: export.enrolment_times compares it with periods and key records);
            # its expiry by the system's, which the office's computer checks
            rep.conn.execute(
                "INSERT INTO enrolments VALUES (?, ?, ?, ?, ?)",
                (enrol_id, office, token, events.utc_iso(), expires))
            _note_setup(rep, enrol_id, {o: r[1] for o, r in ranges.items()})
            events.note_exported(rep.conn, {o: r[1] for o, r in ranges.items()})
            info = bundlefmt.write_bundle(path, manifest,
                                          export.event_lines(rep, [(o, 0, r[1]) for o, r
                                                                   in ranges.items()]),
                                          secret, mode=0o600, version=version,
                                          fresh=fresh)
    except BaseException:
        if info is not None:  # the file written (a link's target), never only a link
            Path(os.path.realpath(info.path)).unlink(missing_ok=True)
        raise
    warning = formats.setup_format_text(office, version, needs)
    return export.ExportResult(info.path, info.event_count, info.size, info.bundle_id,
                                 office, warning=warning, note=reuse_text(office, expires))


def reuse_text(office: str, expires: str) -> str:
    """What a setup bundle is good for: every computer of ``office`` (a second laptop
    too) until ``expires`` (ISO UTC), each sending headquarters a first bundle by then;
    a bundle HQ imports later, or a computer's set up later, waits in quarantine."""
    return _("every computer of {office} can be set up from this file until {date} at "
             "{time}, and must send headquarters a first bundle by then (after that, "
             "headquarters checks its key fingerprint with the office by phone); to set "
             "up a computer later, write a new one").format(office=office,
                                                            **deadline_words(expires))


def deadline_words(expires: str, lang: str | None = None) -> dict[str, str]:
    """``date`` and ``time`` of a deadline ``expires`` (ISO UTC) in this computer's time
    zone, for the messages that name it: a setup bundle's enrolment ends at a time of
    its day, and its day alone let an office send on its evening, too late."""
    from fieldplan.i18n import format_date, format_time

    return {"date": format_date(expires, lang), "time": format_time(expires, lang)}


#: what a setup bundle's ``enrolment.expires`` is: an ISO UTC time to the second
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", re.ASCII)


def _expiry(value: object) -> str:
    """``value`` when it is an ``enrolment.expires`` (``_ISO_UTC``), else "" (none, from
    an older headquarters, or not a time)."""
    return value if isinstance(value, str) and _ISO_UTC.fullmatch(value) else ""


def key_deadline(rep: Replica) -> str:
    """(office) When the enrolment of this computer's setup bundle ends (ISO UTC),
    while headquarters has not registered a key of this computer yet: a first bundle
    imported there later waits in quarantine until a person checks the key's
    fingerprint. "" at headquarters, once a key of this computer is registered (or
    revoked), and for a setup bundle of an older headquarters, which named no date."""
    if rep.is_hq or keyreg.own_key_status(rep) != "unregistered":
        return ""
    keys = keyreg.all_keys(rep)
    mine = keyreg.own_replicas(rep)
    # (restored from a backup: the registry knows the computer by an earlier key)
    if any(k.source == "registry" and keyreg.computer(keys, k.replica) & mine
           for k in keys.values()):
        return ""
    try:
        expires = _expiry(json.loads(rep.meta("enrolment") or "{}").get("expires"))
    except (ValueError, AttributeError):
        return ""
    return (_ended_early(rep, expires, keys) or expires) if expires else ""


def _ended_early(rep: Replica, expires: str, keys: dict[str, keyreg.KeyInfo]) -> str:
    """(office) When headquarters ended this computer's enrolment before ``expires``
    (ISO UTC), as the revocation of any key of the office does (``keyreg.revoke_key``:
    the lost computer may hold the setup bundle too), if a revocation made while the
    enrolment was open has reached this computer; else "". (Its setup bundle was
    written ``ENROLMENT_DAYS`` before ``expires``, both by headquarters' clock, as the
    revocation's time is.)"""
    ids = [k.key_id for k in keys.values()
           if k.source == "registry" and k.office == rep.office]
    if not ids:
        return ""
    written = dt.datetime.fromisoformat(expires) - dt.timedelta(days=ENROLMENT_DAYS)
    marks = ",".join("?" * len(ids))
    for (hlc,) in rep.conn.execute(
            "SELECT hlc FROM versions WHERE entity = 'key' AND field = 'status' AND "
            f"value = '\"revoked\"' AND entity_id IN ({marks}) ORDER BY hlc", ids):
        when = events.hlc_to_datetime(hlc)
        if written < when:
            ended = events.utc_iso(when)
            return ended if ended < expires else ""
    return ""


def key_deadline_text(expires: str, way: str, *, exported: bool = False,
                      lang: str | None = None, short: bool = False) -> str:
    """What an office whose key headquarters has not registered yet is told
    (``key_deadline``, its ``expires``): before it, to send a first bundle in time
    (``way``: a command or a menu path); after it, that headquarters will check the
    key's fingerprint by phone. ``exported``: a bundle was written here already (before
    the deadline: to make sure it reaches headquarters; after, it may have reached
    headquarters in time, its registration not back here yet). The date
    in ``lang`` (None: the current language). ``short``: before the deadline, without
    the why and the way (the status bar's, when the whole does not fit: the date kept,
    its tip saying the rest)."""
    from fieldplan.i18n import get_language, speaking

    if lang is not None and lang != get_language():
        with speaking(lang):  # its words too, not its date only
            # (as the code spoken now: "fr_FR" named French, and was never equal to it)
            return key_deadline_text(expires, way, exported=exported,
                                     lang=get_language(), short=short)
    when = deadline_words(expires, lang)
    if events.utc_iso() < expires:
        if short and not exported:
            return _("send headquarters a first bundle before {date} at {time}").format(
                **when)
        if exported:
            # (it said to send a first bundle, the one just written, until headquarters'
            # bundle came back; and cut off the status bar's "Last export")
            return _("make sure your bundle reaches headquarters before {date} at "
                     "{time}").format(**when)
        # Translators: {way} is a command ('fieldplan export') or a menu path
        # ("File ▸ Export…")
        return _("send headquarters a first bundle before {date} at {time} so that it "
                 "knows this computer's key ({way})").format(**when, way=way)
    if exported:
        return _("unless a bundle from this computer reached headquarters before {date} "
                 "at {time}, headquarters will check this computer's key fingerprint with "
                 "you by phone before it takes your bundles").format(**when)
    return _("headquarters will check this computer's key fingerprint with you by phone "
             "before it takes your bundles")


def init_from_setup(path: str | os.PathLike[str], setup: str | os.PathLike[str] | bytes,
                    *, author: str | None = None) -> Replica:
    """A new office replica from a setup bundle. The bundle's signer must be the
    headquarters key its own registry names; that key is pinned from now on."""
    path = Path(path)
    with open_setup_bundle(setup) as b:
        m = b.manifest
        _check_setup_manifest(m)
        enrol = m.get("enrolment")

        def fill(rep: Replica, _secret: object) -> None:
            kept = {"id": str(enrol.get("id")), "token": str(enrol.get("token"))}
            expires = _expiry(enrol.get("expires"))  # (none from an older headquarters)
            if expires:
                kept["expires"] = expires
            events.set_meta(rep.conn, "enrolment", json.dumps(kept))
            events.set_meta(rep.conn, "hq_key", b.key_id)
            exchange._merge(rep, b, m, progress=None, cancel=None)
            formats.record_sender(rep, m, b.version)
            info = keyreg.all_keys(rep).get(b.key_id)
            if info is None or info.office != "HQ" or \
                    info.public_key != b.public_key.to_base64():
                raise BundleError(_("setup bundle is not signed by a headquarters key of "
                                    "its own registry"))
            if events.entity_state(rep.conn, "plan", rep.plan_id).get("document") is None:
                # (said of the bundle: "this database holds no plan yet" named the
                # database being made, which no one can do anything about)
                raise BundleError(_("the setup bundle holds no plan; ask headquarters "
                                    "for this office's setup bundle again"))
            rep.plan()

        rep = _create(path, role=ROLE_OFFICE, office=m["recipient"], plan_id=m["plan_id"],
                      author=author, fill=fill)
    # a computer whose date went back (2000) would date every change it makes so
    behind = exchange.clock_behind_since(rep, m)
    if behind:
        rep.notices.append(exchange.clock_behind_text(behind))
    return rep


def _check_setup_manifest(m: dict) -> None:
    """That a bundle's manifest is a setup bundle's, written by headquarters."""
    if m.get("kind") != exchange.KIND_SETUP:
        # (said to an office, in the client's first screen too: not HQ's command)
        raise BundleError(_("not a setup bundle (a bundle of data to import, "
                            "perhaps); ask headquarters for this office's setup "
                            "bundle"))
    exchange._check_manifest(None, m, setup=True)  # type: ignore[arg-type]
    if m["office"] != "HQ" or not isinstance(m.get("enrolment"), dict):
        raise BundleError(_("setup bundle not written by headquarters"))


def check_setup_bundle(setup: str | os.PathLike[str] | bytes) -> dict[str, Any]:
    """A setup bundle's manifest (``recipient``: the office it sets up), once its
    signature and manifest are checked as ``init_from_setup`` checks them (nothing is
    written): a BundleError when it is not one a new office database could start
    from."""
    with open_setup_bundle(setup) as b:
        _check_setup_manifest(b.manifest)
        return b.manifest


def open_setup_bundle(setup: str | os.PathLike[str] | bytes) -> bundlefmt.Bundle:
    """``bundle.open_bundle`` of a bundle to set this computer up from: a file that came
    in its place (an email saved as a file) says to set the computer up from the file
    to get instead, not to import it."""
    from fieldplan.transit import SET_UP, SaidForUseError

    try:
        return bundlefmt.open_bundle(setup)
    except SaidForUseError as exc:
        raise exc.for_use(SET_UP) from None


def hq_key(rep: Replica) -> keyreg.KeyInfo | None:
    """(office) The headquarters key this office trusts, to check with headquarters
    over the phone: the key its setup bundle was signed with, pinned by
    ``init_from_setup``, or, once headquarters changed keys (a rotation, a restore),
    the key of that computer in use now, which the pinned one endorsed: the one
    headquarters reads with ``keys show``. None at headquarters."""
    keys = keyreg.all_keys(rep)
    pinned = keys.get(rep.meta("hq_key") or "")
    if pinned is None or pinned.status == "active":
        return pinned
    same = keyreg.computer(keys, pinned.replica)
    now = [k for k in keys.values()
           if k.office == "HQ" and k.status == "active" and k.replica in same]
    return now[0] if len(now) == 1 else pinned


@dataclass(frozen=True)
class EarlierHqKey:
    """(HQ) a key headquarters signed with before its key of now, which setup bundles
    still able to set up a computer carry: a computer set up from one reads this key's
    fingerprint, to check with headquarters, until headquarters' next bundle brings it
    the key of now. key_id, fingerprint: the key. offices: the offices of those setup
    bundles, sorted."""

    key_id: str
    fingerprint: str
    offices: tuple[str, ...]


def earlier_hq_keys(rep: Replica) -> list[EarlierHqKey]:
    """(HQ) the earlier keys of headquarters that open setup bundles carry (setup
    bundles written before a ``keys rotate`` and not expired), oldest first; [] at an
    office or when every open setup bundle carries the key of now."""
    if not rep.is_hq:
        return []
    keys = keyreg.all_keys(rep)
    # when each key of headquarters was made (registered), oldest first; a setup bundle
    # carries the newest made by its second (enrolments are stamped to the second). By
    # the time shown (never later than its arrival here, which is the wall clock, as
    # the enrolment's stamp): headquarters' clock follows an office's that is ahead (by
    # up to a day), and a key made then seemed made after the setup bundles it signed
    made: dict[str, tuple[str, int]] = {}  # (and its clock: two made in one second)
    for key_id, hlc, received_at in rep.conn.execute(
            "SELECT entity_id, hlc, received_at FROM events WHERE entity = 'key'"):
        when = (events.shown_time(hlc, received_at), hlc)
        made[key_id] = min(made.get(key_id, when), when)
    ours = [(made[k.key_id][0], k) for k in sorted(
        (k for k in keys.values() if k.office == "HQ" and k.key_id in made),
        key=lambda k: made[k.key_id])]
    now = keyreg.public_key(rep).key_id_hex
    carried: dict[str, set[str]] = {}
    for office, created in rep.conn.execute(
            "SELECT office, created_at FROM enrolments WHERE expires_at > ?",
            (events.utc_iso(),)):
        signed = [k for when, k in ours if when <= created]
        if signed and signed[-1].key_id != now:
            carried.setdefault(signed[-1].key_id, set()).add(office)
    return [EarlierHqKey(k.key_id, k.fingerprint, tuple(sorted(carried[k.key_id])))
            for _when, k in ours if k.key_id in carried]


def earlier_hq_key_text(offices: tuple[str, ...]) -> str:
    """What headquarters' key dialog says above an earlier key that open setup
    bundles carry (``earlier_hq_keys``): their offices by code, or how many when there
    are more than a few (every office, after a first enrolment of them all)."""
    from fieldplan.i18n import counted, join_list

    if len(offices) > export.FEW_OFFICES:
        # Translators: a colon leads to the earlier key's fingerprint, shown below
        return counted(
            "the setup bundles written for {count} office before this key was made carry "
            "headquarters' earlier key: a computer set up from one reads this "
            "fingerprint until headquarters' next bundle reaches it:",
            "the setup bundles written for {count} offices before this key was made carry "
            "headquarters' earlier key: a computer set up from one reads this "
            "fingerprint until headquarters' next bundle reaches it:",
            len(offices))
    # Translators: {offices} lists office codes ("RO-Dakar, ML"); a colon leads to the
    # earlier key's fingerprint, shown below the sentence
    return _("the setup bundles written for {offices} before this key was made carry "
             "headquarters' earlier key: a computer set up from one reads this "
             "fingerprint until headquarters' next bundle reaches it:").format(
                 offices=join_list(list(offices)))


def hq_key_check_text() -> str:
    """What an office does with headquarters' fingerprint, said where it is shown
    (``init --from``, the client's key dialog): check it with headquarters, who read
    theirs where an office reads its own."""
    from fieldplan.sync.keys import own_key_menu

    # Translators: {menu} is a menu path such as "Help ▸ This computer's key…";
    # 'fieldplan keys show' is a command, not to be translated
    return _("Check this fingerprint with headquarters (over the phone, for example), who "
             "read theirs with 'fieldplan keys show' or in fieldplan under {menu}: if it "
             "differs, the setup bundle did not come from them, and this database must "
             "not be used.").format(menu=own_key_menu())


#: meta key prefix (HQ), with an enrolment id: what the setup bundle of an enrolment
#: whose computer has not reported yet carried, {origin: last seq}. Such a computer
#: holds only that: HQ's bundles for its office carry what came since
#: (``pending_setups``)
SETUP_PENDING = "setup_pending:"


def _note_setup(rep: Replica, enrol_id: str, held: dict[str, int]) -> None:
    events.set_meta(rep.conn, SETUP_PENDING + enrol_id, events.canonical_json(held))


def pending_setups(rep: Replica, office: str) -> list[dict[str, int]]:
    """(HQ) What each setup bundle of ``office`` still open carried, origin → last seq,
    when no computer set up from it has reported yet: a second laptop set up while the
    first one reported is not among the office's replicas HQ knows (it has no key in
    the registry yet), and would otherwise never get the reports the first one sent
    since its setup bundle was made."""
    out = []
    for (raw,) in rep.conn.execute(
            "SELECT m.value FROM enrolments e JOIN meta m ON m.key = ? || e.id "
            "WHERE e.office = ? AND e.expires_at > ?",
            (SETUP_PENDING, office, events.utc_iso())):
        try:
            held = json.loads(raw)
            out.append({str(o): int(q) for o, q in held.items()})
        except (ValueError, TypeError, AttributeError):
            continue  # (not one this fieldplan wrote: the receipts decide)
    return out


def setup_reported(rep: Replica, enrol_id: str) -> None:
    """(HQ, inside the import's transaction) A computer set up from this enrolment's
    setup bundle has reported: its receipts say what it holds from now on."""
    rep.conn.execute("DELETE FROM meta WHERE key = ?", (SETUP_PENDING + enrol_id,))
