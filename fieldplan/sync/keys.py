"""The key registry: which Ed25519 key belongs to which replica and office.

Headquarters keeps the registry as ``key`` events (so it travels to offices in HQ
bundles); a replica may also trust a key locally (``local_trust``), which never
travels. Key statuses: ``active``; ``retired`` (replaced by a rotation, bundles it
signed are still accepted); ``revoked`` (every bundle it signs is rejected).

A database restored from a backup continues as a new replica of the same computer
(``renew_identity``): its old replica id may have written events after the backup
that peers hold, so writing on under it would fork that history. The new key's
registry record names the replica it ``renews``; together they are one computer for
revocation, and its earlier replicas' events still travel with it.

A database and its key file copied to a second computer make two computers under one
replica; a fork repair gives one of them a new replica continuing it
(``fork.copies_in_use``). Revoking the key of the replica left in use then cuts off
that replica alone (the revocation's ``scope``: ``REPLICA_ALONE``), not the computer
continuing it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from fieldplan import events, minisign, store
from fieldplan.errors import (
    BackupError,
    DamagedDatabaseError,
    FileError,
    SignatureError,
    ValidationError,
)
from fieldplan.i18n import _, join_clauses, join_list, ltr, ngettext
from fieldplan.minisign import KeyFileError, PublicKey, SecretKey
from fieldplan.replica import (
    Changes,
    Replica,
    kept_keys,
    key_path,
    old_key_files,
    old_key_path,
    pending_key_path,
    register_key,
    renewed_from,
)

ROTATION_CONTEXT = b"fieldplan-key-rotation\0"
#: A revocation's ``scope`` when it cuts off its replica alone: a copy of a database in
#: use beside the replica continuing it (``revoke_key``). Without a scope (every
#: revocation before this existed) it cuts off the whole computer (``computer``).
REPLICA_ALONE = "replica"


@dataclass(frozen=True)
class KeyInfo:
    """A known key. key_id: minisign hex id. public_key: base64 raw key. office and
    replica: what it is bound to. status: active, retired or revoked (or, for this
    computer's key headquarters has not registered yet, unregistered). source:
    ``registry`` (HQ's key events) or ``local`` (trusted on this replica only)."""

    key_id: str
    public_key: str
    office: str
    replica: str
    status: str
    source: str
    #: the replica this key's replica continues (a database restored from a backup)
    renews: str = ""
    #: of a revoked key: ``REPLICA_ALONE`` when the revocation cuts off its replica
    #: only, else "" (the whole computer)
    scope: str = ""
    #: (``listed_keys``) of a key the registry holds active or retired whose computer
    #: a revocation of another of its keys cut off: that key's id (``status`` is then
    #: ``revoked``); else ""
    revoked_with: str = ""

    @property
    def fingerprint(self) -> str:
        """The key's fingerprint; "" for a key known only by a later change of its
        status, whose registration never reached this computer (``known_by_status``)."""
        if self.known_by_status:
            return ""
        return PublicKey.from_base64(self.public_key).fingerprint

    @property
    def known_by_status(self) -> bool:
        """Whether this computer holds only a change of the key's status, not the key:
        a revoked computer was sent its own keys' records only (headquarters' too
        since), and may hold a headquarters key's retirement without its
        registration. Nothing is signed by it here; only its id is known."""
        return self.source == "registry" and not self.public_key

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "office": self.office, "replica": self.replica,
                "status": self.status, "source": self.source,
                "fingerprint": self.fingerprint, "renews": self.renews,
                "scope": self.scope, "revoked_with": self.revoked_with}


def all_keys(rep: Replica) -> dict[str, KeyInfo]:
    """Every key this replica knows, by key id (the registry wins over local trust).
    Cached on the replica until a key event or a local trust changes it."""
    stamp = _stamp(rep)
    cached = rep.cache.get("keys")
    if cached and cached[0] == stamp:
        return dict(cached[1])
    out = _load_keys(rep)
    rep.cache["keys"] = (stamp, out)
    return dict(out)


def _stamp(rep: Replica) -> tuple:
    """Changes whenever the registry or local trust does as committed. Not always
    when a write that rolled back changed them: the next one may have the same count
    and clock (a clock behind what it received takes that plus one, as the one rolled
    back did), so a rollback empties the cache (``Replica``'s ``after_rollback``)."""
    # the same connection, nothing written on it since it was read (every row a write
    # changes counts) and nothing committed by another one: the same stamp (an import
    # asks several times)
    conn = rep.conn
    unchanged = (conn, conn.total_changes, conn.execute("PRAGMA data_version").fetchone()[0])
    held = rep.cache.get("keys_stamp")
    if held is not None and held[0] == unchanged:
        return held[1]
    # over every key version, not the heads: the primary key holds hlc and superseded,
    # the heads index would look each row up (an HQ asks for this with every bundle)
    stamp = tuple(conn.execute(
        "SELECT (SELECT count(*) || ':' || coalesce(max(hlc), 0) || ':' || "
        "coalesce(sum(superseded), 0) FROM versions WHERE entity = 'key'), "
        "(SELECT group_concat(key_id) FROM local_trust)").fetchone())
    rep.cache["keys_stamp"] = (unchanged, stamp)
    return stamp


def _load_keys(rep: Replica) -> dict[str, KeyInfo]:
    out: dict[str, KeyInfo] = {}
    for row in rep.conn.execute(
        "SELECT key_id, public_key, office, replica FROM local_trust"
    ):
        out[row[0]] = KeyInfo(row[0], row[1], row[2], row[3], "active", "local")
    for key_id, f in events.entities_of(rep.conn, "key").items():
        out[key_id] = KeyInfo(key_id, f.get("public_key", ""), f.get("office", ""),
                              f.get("replica", ""), f.get("status", "active"), "registry",
                              f.get("renews", ""), f.get("scope", ""))
    return out


@dataclass(frozen=True)
class KeyUse:
    """What tells an office's computers apart, beside their key and replica ids.
    author: who wrote the latest event of the key's replica that this database holds
    (the person or computer name its events carry), or "". last_bundle: when this
    database last merged a bundle signed by the key (ISO UTC), or "". registered: when
    the registry recorded the key (ISO UTC, ``events.shown_time``), or "" for a key
    trusted locally."""

    author: str = ""
    last_bundle: str = ""
    registered: str = ""


def key_uses(rep: Replica) -> dict[str, KeyUse]:
    """Key id → ``KeyUse``, for every key ``all_keys`` gives: which is the lost laptop
    when an office has two."""
    keys = all_keys(rep)
    # one pass over the inbox and the key events, not one per key
    last = dict(rep.conn.execute(
        "SELECT key_id, max(received_at) FROM inbox WHERE outcome = 'merged' "
        "AND key_id IS NOT NULL GROUP BY key_id").fetchall())
    # shown as every change is (``events.shown_time``): no later than its arrival, and
    # its arrival when headquarters' clock had gone back before the plan's start
    earliest = events.plan_start_hlc(rep.plan().start)
    registered = {key_id: events.shown_time(hlc, received_at, earliest)
                  for key_id, hlc, received_at in rep.conn.execute(
                      "SELECT entity_id, min(hlc), received_at FROM events "
                      "WHERE entity = 'key' GROUP BY entity_id")}
    authors: dict[str, str] = {}
    for replica in {k.replica for k in keys.values() if k.replica}:
        row = rep.conn.execute("SELECT body FROM events WHERE origin = ? "
                               "ORDER BY seq DESC LIMIT 1", (replica,)).fetchone()
        try:
            author = json.loads(row[0]).get("author", "") if row else ""
        except (ValueError, AttributeError):
            author = ""
        authors[replica] = author if isinstance(author, str) else ""
    return {key_id: KeyUse(authors.get(k.replica, ""), last.get(key_id) or "",
                           registered.get(key_id, ""))
            for key_id, k in keys.items()}


def predecessors(keys: dict[str, KeyInfo], replica: str) -> set[str]:
    """The replicas ``replica`` continues, through any number of restores."""
    renews = {k.replica: k.renews for k in keys.values() if k.renews}
    out: set[str] = set()
    while replica in renews and renews[replica] not in out:
        replica = renews[replica]
        out.add(replica)
    return out


def successor_of(keys: dict[str, KeyInfo]) -> dict[str, str]:
    """replica → the replica that continues it (a database restored from a backup)."""
    return {k.renews: k.replica for k in keys.values() if k.renews}


def computer(keys: dict[str, KeyInfo], replica: str) -> set[str]:
    """Every replica of the computer ``replica`` is one of: it, the replicas it
    continues, and the replicas that continue it."""
    after = successor_of(keys)
    out = {replica}
    while replica in after and after[replica] not in out:
        replica = after[replica]
        out.add(replica)
    last = replica
    return out | predecessors(keys, last)


def replica_offices(rep: Replica) -> dict[str, str]:
    """replica id → office, for every replica with a known key (and this one)."""
    keys = all_keys(rep).values()
    # a replica a restored one continues belongs to that office too, key or not (a
    # computer restored before HQ ever registered it)
    out = {k.renews: k.office for k in keys if k.renews}
    out.update({k.replica: k.office for k in keys if k.replica})
    out.update(dict.fromkeys(own_replicas(rep), rep.office))
    return out


def secret_key(rep: Replica) -> SecretKey:
    """This replica's private key (from the key file beside the database). Raises
    KeyFileError, saying what is wrong and the way out, when the file is missing,
    cannot be read, or holds a key that is not this computer's (``key_file_problem``):
    nothing is ever signed with another computer's key."""
    key, problem = _own_key(rep)
    if key is None:
        raise KeyFileError(problem.text if problem else "")
    return key


@dataclass(frozen=True)
class KeyFileProblem:
    """What is wrong with the key file beside the database. kind: ``missing`` (no
    file), ``other`` (it holds a key that is not this computer's current one: a key
    file copied from another computer, or an earlier key put back), ``unreadable``
    (damaged, or open to others). text: what is wrong and the way out, for people."""

    kind: str
    text: str


def key_file_problem(rep: Replica) -> KeyFileProblem | None:
    """What keeps this computer from signing a bundle with its key file, or None when
    the key file holds its key (``secret_key``). Said at once by ``status`` and the
    client, not first by a failed export."""
    return _own_key(rep)[1]


def _own_key(rep: Replica) -> tuple[SecretKey | None, KeyFileProblem | None]:
    """(this computer's secret key, None), or (None, what is wrong with the key file);
    (the key file's key, None) where the database cannot tell yet (a backup put back,
    not continued yet: its renewal judges the key file, ``_key_file_replica``)."""
    kpath = key_path(rep.path)
    expected = rep.meta("key_id") or ""
    try:
        key = minisign.load_secret_key(kpath)
    except KeyFileError as exc:
        if not kpath.exists() and not kpath.is_symlink():
            return None, KeyFileProblem("missing", missing_key_text(rep, kpath))
        # Translators: {error} says what is wrong with the key file (damaged, open to
        # others: then it names the command that mends it)
        return None, KeyFileProblem("unreadable", _(
            "{error}; until it is mended or put back, nothing can be exported from this "
            "computer").format(error=exc))
    if key.key_id_hex == expected or rep.meta(store.BACKUP_MARK) is not None:
        return key, None
    # a key change another program committed and has not moved in place yet
    # (``finish_key_change``): the database names the key written beside it as .new
    try:
        staged = minisign.load_secret_key(pending_key_path(rep.path))
    except KeyFileError:
        staged = None
    if staged is not None and staged.key_id_hex == expected:
        return staged, None
    # the key file newer than the database (an older copy of it put back after a
    # rotation here): this computer's own, its earlier key kept beside it
    if expected in old_key_files(rep.path) and \
            minisign.secret_key_replica(kpath) in own_replicas(rep):
        return key, None
    if _earlier_own_key(rep, key, kpath):
        return None, KeyFileProblem("other", earlier_key_text(rep, kpath, key.key_id_hex,
                                                              expected))
    # Translators: {key} is the key file's name; {found} and {expected} are key ids
    # such as 1A2B3C4D5E6F7A8B
    return None, KeyFileProblem("other", _(
        "the key file {key} holds key {found}, not this computer's key {expected} (a key "
        "file copied from another computer?): nothing can be exported until this "
        "computer's own key file is put back beside the database (from where it was "
        "copied or backed up)").format(key=ltr(kpath.name), found=key.key_id_hex,
                                       expected=expected))


def _earlier_own_key(rep: Replica, key: SecretKey, kpath: Path) -> bool:
    """Whether the key file's ``key`` is an earlier key of this computer, one a key
    change here replaced (a backup of the key file from before it put back): the file
    says it signs for this computer's replica, and this database knows the key as
    its own earlier one (its rotation endorsements, its registry, the copy kept
    beside the key file)."""
    if minisign.secret_key_replica(kpath) not in own_replicas(rep):
        return False
    public = key.public.to_base64()
    if any(e.get("previous_public_key") == public for e in rotation_chain(rep)):
        return True
    info = all_keys(rep).get(key.key_id_hex)
    if info is not None and info.public_key == public and info.replica in own_replicas(rep):
        return True
    return key.key_id_hex in old_key_files(rep.path)


def earlier_key_text(rep: Replica, kpath: Path, found: str, expected: str) -> str:
    """What a computer whose key file holds its own earlier key is told, with the way
    out: the key file of its current key back, or (lost) what its loss means."""
    if rep.is_hq:
        # Translators: {key} is the key file's name; {found} and {expected} are key ids
        # such as 1A2B3C4D5E6F7A8B
        return _("the key file {key} holds key {found}, this computer's earlier key, "
                 "which a key change replaced with key {expected} (a backup of the key "
                 "file from before the change put back?): nothing can be signed with it. "
                 "Put back the key file holding key {expected} (a copy or backup made "
                 "since the change); a new headquarters key would mean setting every "
                 "office up again").format(key=ltr(kpath.name), found=found,
                                           expected=expected)
    # Translators: {key} is the key file's name; {found} and {expected} are key ids
    # such as 1A2B3C4D5E6F7A8B
    return _("the key file {key} holds key {found}, this computer's earlier key, which a "
             "key change replaced with key {expected} (a backup of the key file from "
             "before the change put back?): nothing can be exported with it. Put back the "
             "key file holding key {expected} (a copy or backup made since the change); "
             "if it is lost, keep this database and ask headquarters for a new setup "
             "bundle").format(key=ltr(kpath.name), found=found, expected=expected)


def missing_key_text(rep: Replica, kpath: Path) -> str:
    """What a computer whose key file is gone is told, with the way out."""
    if rep.is_hq:
        # Translators: {key} is the key file's name
        return _("the key file {key} is missing: headquarters cannot sign a bundle "
                 "without it. Put it back beside the database (from where it was copied "
                 "or backed up); a new headquarters key would mean setting every office up "
                 "again").format(key=ltr(kpath.name))
    # Translators: {key} is the key file's name
    return _("the key file {key} is missing: nothing can be exported without it. Put it "
             "back beside the database (from where it was copied or backed up); if it is "
             "lost, keep this database and ask headquarters for a new setup bundle").format(
                 key=ltr(kpath.name))


def public_key(rep: Replica) -> PublicKey:
    return PublicKey.from_base64(rep.meta("public_key") or "")


def show_key(rep: Replica, as_minisign: bool = False) -> str:
    """This replica's public key: a minisign public-key file, or id and fingerprint."""
    pub = public_key(rep)
    if as_minisign:
        return minisign.public_key_file(
            pub, f"fieldplan public key {pub.key_id_hex} ({rep.office}, replica "
                 f"{rep.replica_id[:8]})")
    return f"{pub.key_id_hex}  {pub.fingerprint}"


def own_key_menu() -> str:
    """Where the client shows this computer's fingerprint: its Help menu's item (the
    client's own words, in this language)."""
    from fieldplan.i18n import menu_path

    return menu_path(_("&Help"), _("This computer's &key…"))


def where_office_reads_key(replica: str = "") -> str:
    """Where the office reads its fingerprint, for headquarters checking a quarantined
    key with it on the phone: in the client or with ``fieldplan keys show``; on which
    of its computers when ``replica`` (a replica id) is given."""
    if replica:
        from fieldplan.text import for_message

        # Translators: {replica} is the first 8 digits of a replica id (the client
        # shows it as "Computer"); {menu} a menu path such as "Help ▸ This computer's
        # key…"; 'fieldplan keys show' is a command, not to be translated
        return _("the office reads the fingerprint on its computer {replica}: in fieldplan "
                 "under {menu}, or with 'fieldplan keys show'").format(
                     # (the bundle's word, any text: a line break in it broke the
                     # trust question's first line in two, a bidi override turned it)
                     replica=for_message(replica[:8]), menu=own_key_menu())
    # Translators: {menu} is a menu path such as "Help ▸ This computer's key…";
    # 'fieldplan keys show' is a command, not to be translated
    return _("The office reads its fingerprint in fieldplan under {menu}, or with "
             "'fieldplan keys show'.").format(menu=own_key_menu())


@dataclass(frozen=True)
class Revocation(Changes):
    """What ``revoke_key`` changed; ``warning``: what went wrong beside a revocation
    that stands (the backup after it), or "". ``spared``: when the key's replica alone
    is cut off (a copy in use beside the replica continuing it), that replica, which
    is not; else ""."""

    #: the key revoked (named by its fingerprint, the id it has)
    key_id: str = ""
    warning: str = ""
    replica: str = ""
    spared: str = ""
    #: of an earlier key: the computer's current keys, revoked with it
    #: (``revoked_with``)
    also: tuple[str, ...] = ()
    #: the key's office, when setup bundles written for it stopped setting up
    #: computers with this revocation (its open enrolment tokens ended)
    enrolments_ended: str = ""
    #: the other computers of the office its setup bundle registered, still active:
    #: the revocation does not end them (``same_setup``), the person is told
    same_setup: tuple[SameSetup, ...] = ()

    def same_setup_text(self, when: Callable[[str], str] | None = None) -> str:
        """``same_setup_text`` of ``same_setup``; "" for none."""
        return same_setup_text(self.same_setup, when)

    def enrolments_text(self) -> str:
        """That the office's setup bundles no longer set up computers, and what to do;
        else ""."""
        if not self.enrolments_ended:
            return ""
        return _("the setup bundles written for {office} no longer set up new computers "
                 "(the revoked one may hold them): write a new one for any computer of "
                 "{office} still to be set up").format(office=self.enrolments_ended)

    def also_text(self) -> str:
        """For an earlier key of a computer: that its current key goes too; else ""."""
        return revoked_with_text(self.also)

    def spared_text(self) -> str:
        """For a revocation of a copy alone: that only it is cut off; else ""."""
        if not self.spared:
            return ""
        # Translators: {replica} and {new} are the first 8 digits of replica ids
        return _("only the computer still on replica {replica} is cut off; the computer "
                 "on replica {new}, which continues it, goes on").format(
                     replica=self.replica[:8], new=self.spared[:8])


def revoke_key(rep: Replica, key_id: str) -> Revocation:
    """(HQ) revoke a key: every later bundle it signs is rejected everywhere, and so are
    the computer's earlier keys and any new key it makes; the office's enrolment tokens
    end. A key of a replica whose database is in use beside the replica continuing it
    (``fork.copies_in_use``: copied to a second computer) cuts off that replica alone:
    the computer now on the replica continuing it is another one, and goes on."""
    from fieldplan.sync.fork import copies_in_use

    if not rep.is_hq:
        raise ValidationError(_("only headquarters can revoke keys"))
    keys = all_keys(rep)
    key_id = _registry_key_id(keys, key_id)
    info = keys.get(key_id)
    if info is None or info.source != "registry":
        raise ValidationError(_("no key {key_id} in the registry (see 'fieldplan keys list')")
                              .format(key_id=key_id))
    if key_id == rep.meta("key_id") or key_id in own_key_ids(rep):
        raise ValidationError(_("this is headquarters' own signing key; rotate it instead"))
    if info.status == "revoked":
        return Revocation(key_id=key_id)
    # (before: its own computer is revoked with it, the others stay active)
    siblings = same_setup(rep, key_id)
    with store.write_transaction(rep.conn):
        # (even once its replica is cut off: another key of it revoked later spares
        # the successor too)
        spared = copies_in_use(rep, revoked_too=True).get(info.replica, "")
        also = tuple(revoked_with(keys, key_id, alone=bool(spared)))
        fields = {"status": "revoked", **({"scope": REPLICA_ALONE} if spared else {})}
        _key_event(rep, key_id, fields)
        _record_held(rep, key_id, {info.replica} if spared else computer(keys, info.replica))
        # the office's enrolment tokens may sit on the lost computer too: end them
        # (new computers of the office need a new setup bundle)
        ended = _end_enrolments(rep, info.office, key_id)
    # the latest backup holds every revocation: headquarters put back from it after a
    # disk failure still refuses the lost computer (an older backup would not); the
    # revocation stands even if that backup cannot be written, and says so
    warning = ""
    try:
        rep.backup("after-revoke")
    except (BackupError, DamagedDatabaseError) as exc:  # damaged: not copied
        warning = _("the key is revoked, but the backup after it could not be written: "
                    "{error}").format(error=exc)
    return Revocation(entities=(("key", key_id),), events=1, key_id=key_id,
                      warning=warning,
                      replica=info.replica, spared=spared, also=also,
                      enrolments_ended=info.office if ended else "",
                      same_setup=siblings)


#: meta key (HQ): how far headquarters held each replica a revocation cut off when it
#: revoked it, by key id: ``{key_id: {replica: [seq, hash]}}``, the seq and hash of the
#: replica's latest event held then (or before a restore that lost it: ``_held_before``).
#: Kept here, never in the key event: a field an office's fieldplan does not know would
#: make it refuse every bundle of headquarters.
#: A restore from an older backup carries it over from the replaced database
#: (``store._revoked_held_here``): the revoked computer's last bundle, imported again,
#: then brings back what headquarters held of it (``held_only``), nothing beyond.
REVOKED_HELD = "revoked_held"


def _record_held(rep: Replica, key_id: str, replicas: set[str]) -> None:
    """(HQ, in the revocation's transaction) How far this database held ``replicas``,
    the ones the revocation of ``key_id`` cuts off (``REVOKED_HELD``): the last event
    of each one's unbroken run from its first (what lies beyond a hole was held, but
    taking back "everything up to the last held" would fill the hole with events
    headquarters never had), counting those a restore before the revocation lost
    (``_held_before``)."""
    tops = events.holdings(rep.conn, replicas)
    lost = _lost_by_restore(rep)
    held = {}
    for r in sorted(replicas):
        last = _held_before(rep, r, tops.get(r, 0), lost.get(r, ()))
        if last is not None:
            held[r] = list(last)
    if held:
        recorded = revoked_held(rep)
        recorded[key_id] = held
        events.set_meta(rep.conn, REVOKED_HELD, events.canonical_json(recorded))


def _lost_by_restore(rep: Replica) -> dict[str, list[dict]]:
    """(HQ) replica → the items of the last restore's record (``store.OFFICE_EVENTS``,
    warned of or dismissed) saying which of its events the replaced database held."""
    try:
        info = json.loads(rep.meta("restored") or "{}")
    except ValueError:
        return {}
    out: dict[str, list[dict]] = {}
    for key in (store.OFFICE_EVENTS, store.OFFICE_EVENTS_DISMISSED):
        kept = info.get(key) if isinstance(info, dict) else None
        for origin, item in (kept.items() if isinstance(kept, dict) else ()):
            if isinstance(item, dict) and store.valid_ranges(item.get("ranges")):
                out.setdefault(str(origin), []).append(item)
    return out


def _held_before(rep: Replica, replica: str, top: int,
                 lost: Iterable[dict]) -> tuple[int, str] | None:
    """(seq, hash) of the last event of ``replica``'s unbroken run from its first that
    headquarters held before the revocation: here (``top``, ``events.holdings``), or
    in the database a restore replaced (``lost``: its record's items,
    ``_lost_by_restore``). Headquarters took those from the computer while its key
    was good, and may have passed them on to its siblings: its bundle, imported
    again, must bring them back, or the siblings keep reports headquarters never
    shows again. Pinned by the latest event of that run whose hash is known (held
    here, or the last of a run the record names), which the hash chain ties to the
    rest; None when nothing was held."""
    runs = store.seq_ranges(rep.conn, replica, events.last_event(rep.conn, replica)[0])
    hashes: dict[int, str] = {}
    for item in lost:
        runs += item["ranges"]
        if store.valid_hashes(item.get("hashes")):
            hashes.update({int(k): v for k, v in item["hashes"].items()})
    whole = store.union_ranges(runs)
    end = whole[0][1] if whole and whole[0][0] == 1 else top
    # (an event held here over the record's hash of it)
    hashes.update(rep.conn.execute(
        "SELECT seq, hash FROM events WHERE origin = ? AND seq <= ? ORDER BY seq DESC "
        "LIMIT 1", (replica, max(end, top))).fetchall())
    known = [seq for seq in hashes if seq <= end]
    return (max(known), hashes[max(known)]) if known else None


def revoked_held(rep: Replica) -> dict[str, dict[str, list]]:
    """``REVOKED_HELD``, well formed entries only: key id → replica → [seq, hash]."""
    try:
        raw = json.loads(rep.meta(REVOKED_HELD) or "{}")
    except ValueError:
        return {}
    return merged_held({}, raw)


def merged_held(into: dict[str, dict[str, list]], more: object) -> dict[str, dict[str, list]]:
    """``into`` with the well-formed entries of ``more`` (a ``REVOKED_HELD`` value, as
    a replaced database held it) it lacks."""
    out = {k: dict(v) for k, v in into.items()}
    if not isinstance(more, dict):
        return out
    for key_id, held in more.items():
        if not isinstance(key_id, str) or not isinstance(held, dict):
            continue
        for replica, item in held.items():
            if isinstance(replica, str) and isinstance(item, list) and len(item) == 2 \
                    and type(item[0]) is int and item[0] > 0 and isinstance(item[1], str):
                out.setdefault(key_id, {}).setdefault(replica, list(item))
    return out


def held_only(rep: Replica, revoked: KeyInfo) -> dict[str, tuple[int, str]]:
    """(HQ) For a bundle signed by a key cut off by the revocation of ``revoked``
    (itself or another key of its computer): how far this database held
    the replicas the revocation cut off when it revoked it, replica → (seq, hash);
    {} when it never recorded that (a revocation before this was kept). Events up to
    there were taken before the revocation; a bundle may bring them back after a
    restore lost them, never anything beyond."""
    held = revoked_held(rep).get(revoked.key_id, {})
    return {r: (item[0], item[1]) for r, item in held.items()}


#: The direction marks and bidi controls a key id or fingerprint copied from Arabic
#: output comes with (``keys list`` isolates each, a terminal line may start with a
#: mark): LRM, RLM, ALM, the embeddings and overrides, the isolates. Taken out.
_PASTED_MARKS = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d"
                                       "\u202e\u2066\u2067\u2068\u2069"))


def _registry_key_id(keys: dict[str, KeyInfo], given: str) -> str:
    """The key id ``given`` names: itself (spaces, case and direction marks aside), or
    the id of the one registered key whose whole fingerprint it is (as ``keys list``
    shows it, with its spaces). A fingerprint several registered keys share names none
    of them: a ValidationError asks for the key id."""
    key_id = given.translate(_PASTED_MARKS).strip().upper()
    if key_id in keys:
        return key_id
    compact = "".join(key_id.split())
    same = sorted(k.key_id for k in keys.values() if k.source == "registry"
                  and "".join(k.fingerprint.split()).upper() == compact)
    if len(same) > 1:
        raise ValidationError(_("that is the fingerprint of keys {key_ids}; give the key id "
                                "of the one to revoke").format(key_ids=join_list(same)))
    return same[0] if same else key_id


#: meta key: why enrolment tokens ended before their term, by token id: ``{"at": when,
#: "key_id": the revoked key}``. A bundle from a computer set up with such a token waits
#: in quarantine saying so (``sync.exchange``): it may be the revoked computer itself.
ENDED_ENROLMENTS = "ended_enrolments"


#: meta key (HQ): the setup bundle (enrolment id) whose proof registered each computer's
#: first key, by key id: ``{key_id: enrol_id}``. Kept here, never in the key event (an
#: office's fieldplan refuses a field it does not know). Recorded from this version on:
#: a key registered before it has no entry (its bundle's proof was not kept, and the
#: token alone cannot tell which computer proved it).
KEY_ENROLMENTS = "key_enrolments"


def record_enrolment(rep: Replica, key_id: str, enrol_id: str) -> None:
    """(HQ, in the import's write transaction) Key ``key_id`` was registered by the
    proof of enrolment ``enrol_id``: a revocation of another computer set up from the
    same setup bundle names it (``same_setup``)."""
    links = key_enrolments(rep)
    if links.get(key_id) == enrol_id:
        return
    links[key_id] = enrol_id
    events.set_meta(rep.conn, KEY_ENROLMENTS, events.canonical_json(links))


def key_enrolments(rep: Replica) -> dict[str, str]:
    """``KEY_ENROLMENTS``: key id → the enrolment id that registered it."""
    try:
        raw = json.loads(rep.meta(KEY_ENROLMENTS) or "{}")
    except ValueError:
        return {}
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}


@dataclass(frozen=True)
class SameSetup:
    """An active key of another computer that the same setup bundle registered:
    ``key_id``, its ``replica`` and when that computer first reported (``first``, ISO
    UTC as ``KeyUse.registered``: the registration of its key the setup bundle
    vouched for)."""

    key_id: str
    replica: str
    first: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "replica": self.replica, "first_reported": self.first}


def same_setup_each(rep: Replica, uses: dict[str, KeyUse] | None = None
                    ) -> dict[str, tuple[SameSetup, ...]]:
    """Key id → the active keys of the other computers of its office registered with
    the setup bundle (enrolment token) its computer was registered with, for every key
    that has some. Revoking a key ends the office's open enrolment tokens, not the
    computers a stolen laptop's token registered already: a thief's spare computer
    set up from it before the revocation goes on until it is revoked too."""
    links = key_enrolments(rep)
    if not links:
        return {}
    # (a key whose computer a revocation of an earlier key cut off: revoked)
    keys = listed_keys(all_keys(rep))
    if uses is None:
        uses = key_uses(rep)
    # the computers (every replica of each) each enrolment registered, with the key
    # it registered
    by_enrolment: dict[str, list[tuple[frozenset[str], str]]] = {}
    for key_id, enrol_id in links.items():
        k = keys.get(key_id)
        if k is None or not k.replica:
            continue
        by_enrolment.setdefault(enrol_id, []).append(
            (frozenset(computer(keys, k.replica)), key_id))
    out: dict[str, tuple[SameSetup, ...]] = {}
    for found in by_enrolment.values():
        if len(found) < 2:
            continue
        for replicas, _first_key in found:
            others = []
            for other, first_key in found:
                if other == replicas:
                    continue
                first = uses.get(first_key, KeyUse()).registered
                others += [SameSetup(k.key_id, k.replica, first)
                           for k in keys.values()
                           if k.replica in other and k.status == "active"
                           and k.source == "registry"]
            mine = [k.key_id for k in keys.values() if k.replica in replicas]
            for key_id in mine:
                if others:
                    out[key_id] = tuple(sorted(others, key=lambda s: (s.first, s.key_id)))
    return out


def same_setup(rep: Replica, key_id: str) -> tuple[SameSetup, ...]:
    """``same_setup_each`` of one key."""
    return same_setup_each(rep).get(key_id, ())


def same_setup_text(others: Iterable[SameSetup],
                    when: Callable[[str], str] | None = None) -> str:
    """That other computers were set up from the same setup bundle and stay active,
    with their keys and first report (each time written by ``when``: the client's as
    its tables show times; by default ``format_datetime``'s); "" for none."""
    others = list(others)
    if not others:
        return ""
    from fieldplan.i18n import counted, format_datetime

    when = when or format_datetime
    listed = join_list([
        # Translators: one computer in a list: its key id and when it first reported
        _("key {key_id} (first reported {when})").format(
            key_id=s.key_id, when=when(s.first) if s.first else "—")
        for s in others])
    return counted(
        "{count} other computer was registered with the same setup bundle and stays "
        "active: {keys}; revoke it too if it is not the office's own",
        "{count} other computers were registered with the same setup bundle and stay "
        "active: {keys}; revoke them too if they are not the office's own",
        len(others), keys=listed)


def _end_enrolments(rep: Replica, office: str, key_id: str) -> int:
    """(in a write transaction) End the office's open enrolment tokens, as the
    revocation of ``key_id`` asks: a revoked computer may hold them too (new computers
    of the office need a new setup bundle). Why each ended is kept. Returns how many
    ended."""
    now = events.utc_iso()
    ids = [r[0] for r in rep.conn.execute(
        "SELECT id FROM enrolments WHERE office = ? AND expires_at > ?", (office, now))]
    if not ids:
        return 0
    rep.conn.execute("UPDATE enrolments SET expires_at = ? WHERE office = ? AND "
                     "expires_at > ?", (now, office, now))
    ended = ended_enrolments(rep)
    ended.update({i: {"at": now, "key_id": key_id} for i in ids})
    events.set_meta(rep.conn, ENDED_ENROLMENTS, events.canonical_json(ended))
    return len(ids)


def ended_enrolments(rep: Replica) -> dict[str, dict[str, str]]:
    """Enrolment token id → why it ended before its term (``ENDED_ENROLMENTS``)."""
    try:
        ended = json.loads(rep.meta(ENDED_ENROLMENTS) or "{}")
    except ValueError:
        return {}
    return ended if isinstance(ended, dict) else {}


def own_replicas(rep: Replica) -> set[str]:
    """This computer's replicas: this one and those it continues after restores."""
    return {rep.replica_id, *renewed_from(rep)}


def own_key_ids(rep: Replica) -> set[str]:
    """The registry's keys of this computer, earlier ones too (HQ rotates those; it
    never revokes them: every office would refuse HQ)."""
    keys = all_keys(rep)
    mine = own_replicas(rep)
    return {k.key_id for k in keys.values() if computer(keys, k.replica) & mine}


#: How many past rotations a replica's bundles carry at least: a peer that last saw
#: the key of several rotations ago still follows the chain to the current key.
MAX_ROTATIONS = 8
#: The most a chain may hold: a replica keeps every endorsement since the last key HQ
#: registered (a restore and many rotations before HQ hears of any), up to this; a
#: bundle carrying more is read only this far back.
MAX_CHAIN = 64


def rotation_payload(new_key: bytes, replica: str, previous_replica: str = "") -> bytes:
    """What an endorsement signs: the new key for ``replica``, and for a restore from a
    backup the replica it continues."""
    payload = ROTATION_CONTEXT + new_key + replica.encode()
    return payload + b"\0" + previous_replica.encode() if previous_replica else payload


def rotation_chain(rep: Replica) -> list[dict]:
    """The endorsements this replica's bundles carry, oldest first."""
    return endorsements(json.loads(rep.meta("rotation") or "null"))


def endorsements(raw: object) -> list[dict]:
    """The rotation endorsements a manifest (or this replica's settings) carries, oldest
    first: a list of ``{previous_public_key, previous_key_id, signature}``, or one such
    dict as written before chains existed."""
    items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    return [e for e in items[-MAX_CHAIN:] if isinstance(e, dict)]


def rotate_key(rep: Replica) -> PublicKey:
    """Give this replica a new key pair. The old key signs an endorsement of the new
    one, which travels in the next bundles (with the endorsements of earlier
    rotations) so peers accept the new key without a fingerprint check; at HQ the
    registry records the new key and retires the old."""
    if not rep.is_hq and own_key_status(rep) == "revoked":
        from fieldplan.status import revoked_text

        # HQ would refuse the new key too (its old key endorses nothing any more)
        raise ValidationError(revoked_text(0, replaced_here(rep)))
    old = secret_key(rep)
    _check_key_file_writable(rep)
    new = minisign.generate_key()
    payload = rotation_payload(new.public.raw, rep.replica_id)
    endorsement = {"signature": minisign.sign(old, payload, f"rotation to {new.key_id_hex}")}
    chain = [*rotation_chain(rep), _endorsement(old, endorsement)]
    files: tuple[Path, Path] | None = None
    try:
        with store.write_transaction(rep.conn):
            files = _stage_key_files(rep, old, new, rep.replica_id)
            _adopt_key(rep, new, chain)
            if rep.is_hq:
                register_key(rep, new.public, office=rep.office, replica_id=rep.replica_id)
                _key_event(rep, old.key_id_hex, {"status": "retired"})
    except BaseException:
        # rolled back (a full disk under the commit): no rotation, so neither its new
        # key nor a copy of the key it keeps stays beside the database (a secret key
        # copy more at each try)
        for path in files or ():
            path.unlink(missing_ok=True)
        raise
    staged = files[0]
    _move_in_place(staged, key_path(rep.path), new)  # after the commit: finish_key_change
    return new.public


def _check_key_file_writable(rep: Replica) -> None:
    """FileError, before anything is changed, unless the key file can be written: the
    new key is moved over it once the database has committed the rotation. A key file
    that cannot be (Windows' read-only attribute, a locked file) refused that move
    after the commit: the database named a key its file did not hold, and every
    command after it, even ``status``, failed with words of the ``.key.new`` file."""
    import errno
    import os

    from fieldplan.files import cannot_write

    kpath = key_path(rep.path)
    try:
        fd = os.open(kpath, os.O_WRONLY | os.O_APPEND)  # (nothing is written)
    except PermissionError as exc:
        # POSIX: a key file its owner made read-only (chmod 400, as for an SSH key) is
        # replaced all the same, by a rename, which asks the folder alone (an immutable
        # file refuses with EPERM, the rename too)
        if not (os.name == "posix" and exc.errno == errno.EACCES
                and os.access(kpath.parent, os.W_OK | os.X_OK)):
            raise cannot_write(kpath, exc, own=True) from None
        return
    except OSError as exc:
        raise cannot_write(kpath, exc, own=True) from None
    os.close(fd)


def new_key_next_step(is_hq: bool) -> str:
    """What makes a new key (``rotate_key``) known to the other computers."""
    return (_("offices learn it from headquarters' next bundle for them") if is_hq else
            _("export a bundle for headquarters: it registers the new key from it"))


def new_key_text(key: PublicKey, is_hq: bool) -> str:
    """What ``keys rotate`` and the client say once a new key is made: which, what
    makes it known (``new_key_next_step``), then its fingerprint: last, as the status
    bar cuts a line at its end (a fingerprint before the next step filled a window
    784 pixels wide, and the next step was in its tooltip only)."""
    # Translators: the start of "New key 5A3F…; offices learn it from …; fingerprint …"
    return join_clauses([_("New key {key}").format(key=key.key_id_hex),
                         new_key_next_step(is_hq),
                         # Translators: the end of "New key 5A3F…; offices learn it from
                         # …; fingerprint DD92 209F …"
                         _("fingerprint {fingerprint}").format(
                             fingerprint=ltr(key.fingerprint))])


def renew_identity(rep: Replica) -> str:
    """Continue a database restored from a backup as a new replica of the same computer.

    The replica id it had may have written events after the backup was taken, which
    peers hold: a write under it now would fork that history and every later bundle of
    this computer would be refused. So it takes a new replica id and key, endorsed by
    its key (like a rotation); its earlier events stay under the old id, still travel,
    and the events it lost come back from peers that hold them. Returns the new id.

    The key file may be newer than the backup (a rotation, or an earlier restore of
    the same backup, made since): the new replica continues the replica the key file
    signs for, and the endorsement the backup lacks is signed again with the older
    key kept beside it, so that peers who know only that key still follow."""
    staged: StagedKey | None = None
    try:
        with store.write_transaction(rep.conn):
            # inside the transaction: a second program opening the same restored file
            # waits here, then finds the work done
            staged = renew_in_transaction(rep)
    except BaseException:
        if staged is not None:  # rolled back (a full disk under the commit)
            staged.discard(rep)
        raise
    if staged is None:
        return rep.replica_id
    staged.move_in_place(rep)
    return staged.replica


@dataclass(frozen=True)
class StagedKey:
    """A renewal's new key, written beside the key file (``.key.new``) until the
    transaction that adopts it has committed: ``move_in_place`` then, or ``discard``
    after a rollback (else ``finish_key_change`` does either at the next opening)."""

    path: Path
    key: SecretKey
    replica: str
    #: the copy of the key it replaces (``old_key_path``): kept once committed, and
    #: gone with the new key after a rollback (a secret key copy more at each try)
    kept: Path | None = None

    def move_in_place(self, rep: Replica) -> None:
        _move_in_place(self.path, key_path(rep.path), self.key)
        rep.cache.clear()

    def discard(self, rep: Replica) -> None:
        self.path.unlink(missing_ok=True)
        if self.kept is not None:
            self.kept.unlink(missing_ok=True)
        rep.cache.clear()  # the identity read inside the rolled-back transaction


def renew_in_transaction(rep: Replica) -> StagedKey | None:
    """``renew_identity``'s work inside the caller's write transaction, for a database
    marked ``store.BACKUP_MARK``; None (nothing done) without the mark. The caller
    moves the new key in place once it has committed, or discards it after a rollback
    (``StagedKey``); failed here, the key files it wrote go at once."""
    written: list[Path] = []
    try:
        return _renew_in_transaction(rep, written)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        rep.cache.clear()
        raise


def _renew_in_transaction(rep: Replica, written: list[Path]) -> StagedKey | None:
    """``renew_in_transaction``; the key files it writes are added to ``written``."""
    from fieldplan.replica import _uuid4

    mark = rep.meta(store.BACKUP_MARK)
    rep.cache.clear()
    if mark is None:
        return None
    kpath = key_path(rep.path)
    # the key file, whichever key it holds: it may be newer than the backup (judged
    # below, as ``_key_file_replica`` does)
    old = minisign.load_secret_key(kpath)
    held = rep.replica_id  # the replica whose events this database holds
    known_key = rep.meta("key_id") or ""
    before = held if old.key_id_hex == known_key else _key_file_replica(rep, old, kpath)
    chain = rotation_chain(rep)
    lineage: list[tuple[SecretKey, str]] = []
    if known_key != old.key_id_hex:
        lineage = _key_file_lineage(rep, known_key, old, held, before)
        chain += _lost_endorsements(lineage)
    after = _uuid4()
    new = minisign.generate_key()
    payload = rotation_payload(new.public.raw, after, before)
    chain.append(_endorsement(old, {
        "signature": minisign.sign(old, payload, f"restored as {after[:8]}"),
        "previous_replica": before}))
    staged, kept = _stage_key_files(rep, old, new, after)
    written += (staged, kept)
    renewed = [*renewed_from(rep), held]
    # (and the replicas between, when the key file came through several restores)
    renewed += [replica for _key, replica in lineage if replica not in renewed]
    if before not in renewed:
        renewed.append(before)
    # the clock goes on past what the replica it continues wrote (events.tick reads
    # the replica's own latest value, and the new one has none yet)
    row = rep.conn.execute("SELECT max(hlc) FROM events WHERE origin IN (?, ?)",
                           (held, before)).fetchone()
    if row[0]:
        events.observe_hlc(rep.conn, row[0])
    events.set_meta(rep.conn, "replica_id", after)
    rep.whole_mark_of = after  # (made here: its write mark covers all it will write)
    events.set_meta(rep.conn, "renewed_from", events.canonical_json(renewed))
    marked = json.loads(mark)
    restored = {"at": events.utc_iso(), "backup_taken": marked.get("taken", ""),
                "replica": held}
    if marked.get("went_back"):  # no backup: it lost its last writes (replica.py)
        restored["went_back"] = marked["went_back"]
    if marked.get("forked"):  # its events written again as this replica's (sync.fork)
        restored["forked"] = {**marked["forked"], "new": after}
    if marked.get("lost"):
        # what the replaced database made that the backup lacks, in a few words
        # (store._lost_here): what is said lost when offices report holding it
        restored["lost_events"] = marked["lost"]
    if marked.get(store.OFFICE_EVENTS):
        # (HQ) what the replaced database had received of the offices that the backup
        # lacks (store._office_events_here): said lost until it comes back
        restored[store.OFFICE_EVENTS] = marked[store.OFFICE_EVENTS]
    if marked.get(store.OFFICE_EVENTS_DISMISSED):
        # (HQ) and those of them a person said to stop warning about: not warned of again
        restored[store.OFFICE_EVENTS_DISMISSED] = marked[store.OFFICE_EVENTS_DISMISSED]
    if marked.get(store.REVOKED_LOST_DISMISSED):
        # (HQ) the revoked computers' events lost that a person said to stop warning
        # about (state.dismiss_revoked_lost): not warned of again
        restored[store.REVOKED_LOST_DISMISSED] = marked[store.REVOKED_LOST_DISMISSED]
    if marked.get("written"):
        # (an office) how far this computer wrote and sent (store._written_here): what
        # it wrote after the backup and never sent is lost, and is said so
        restored["written"] = marked["written"]
        restored["sent"] = marked.get("sent") or {}
        if "acked" in marked:  # (a restore of an earlier fieldplan kept no word of it)
            restored["acked"] = marked["acked"]
        if marked.get("bundle"):
            restored["bundle"] = marked["bundle"]
            if marked.get("bundle_at"):  # (headquarters answers it: state._hq_answered)
                restored["bundle_at"] = marked["bundle_at"]
        # the bundles imported before: headquarters' receipts in them predate the
        # restore (state._hq_answered)
        restored["inbox"] = rep.conn.execute(
            "SELECT coalesce(max(id), 0) FROM inbox").fetchone()[0]
    events.set_meta(rep.conn, "restored", events.canonical_json(restored))
    rep.conn.execute("DELETE FROM meta WHERE key = ?", (store.BACKUP_MARK,))
    _adopt_key(rep, new, chain)
    rep.cache.clear()
    if rep.is_hq:
        lost = marked.get("lost") or []
        keys = all_keys(rep)
        # the keys of HQ's that the backup never knew (a rotation since, or restores
        # from it before this one): on record, retired, so that they endorse nothing
        # any more, each with the replica it continued (offices follow HQ's replicas
        # by it); over their lost registrations, which offices hold (else they would
        # hold the two as a conflict that only HQ could settle, and HQ would see none)
        steps = list(itertools.pairwise(lineage)) or [((old, held), (old, before))]
        for (_older, was), (key, replica) in steps:
            if key.key_id_hex in keys:
                continue
            renews = was if replica != was else ""
            fields = ("office", "replica", "public_key", "status",
                      *(("renews",) if renews else ()))
            register_key(rep, key.public, office=rep.office, replica_id=replica,
                         status="retired", renews=renews,
                         base=_over_lost(rep, lost, key.key_id_hex, fields))
        register_key(rep, new.public, office=rep.office, replica_id=after, renews=before)
        keys = all_keys(rep)
        for key_id in sorted({known_key, old.key_id_hex}):
            if key_id in keys and keys[key_id].status == "active":
                info = keys[key_id]
                fields = {"status": "retired"}
                if before != held and key_id == known_key:
                    # the new key renews the key file's replica, not ``held``: the
                    # replica whose events this database holds is linked to no key
                    # offices may know but its own registration, an event of its own
                    # that they would hold back until they knew it (for good). Its
                    # registration in full, as this replica's event, names it.
                    fields = {"office": info.office, "replica": info.replica,
                              "public_key": info.public_key, "status": "retired",
                              **({"renews": info.renews} if info.renews else {})}
                events.append(rep.conn, "key", key_id, fields, author=rep.author,
                              base=_over_lost(rep, lost, key_id, tuple(fields)))
        again = _revoke_again(rep, lost, keys)
        if again:
            restored["revoked_again"] = again
        _held_again(rep, marked.get(REVOKED_HELD))
        _setups_reported_again(rep, marked.get(store.SETUPS_REPORTED))
        registered = _register_again(rep, lost)
        if registered:
            restored["keys_again"] = registered
        if again or registered:
            events.set_meta(rep.conn, "restored", events.canonical_json(restored))
    return StagedKey(staged, new, after, kept)


def _key_event(rep: Replica, key_id: str, fields: dict[str, object]) -> None:
    """(HQ) A change of a key on record, over the versions of its fields a restore
    lost (``state.over_lost``): offices hold those, and would otherwise keep the two
    as a conflict only headquarters could settle, which it never sees."""
    from fieldplan.sync.state import over_lost

    events.append(rep.conn, "key", key_id, fields, author=rep.author,
                  base=over_lost(rep, "key", key_id, fields))


def _lost_version_ids(lost: list[dict], key_id: str) -> list[str]:
    """The version ids (``origin:seq``) of the lost events of key ``key_id`` that the
    replaced database told the restore of (``store._lost_here``), oldest first."""
    return [f"{item['replica']}:{item['seq']}" for item in lost
            if item.get("entity") == "key" and item.get("id") == key_id
            and isinstance(item.get("replica"), str) and isinstance(item.get("seq"), int)
            and ":" not in item["replica"]]


def _over_lost(rep: Replica, lost: list[dict], key_id: str,
               fields: tuple[str, ...]) -> dict[str, list[str]]:
    """The base of a key event the restore writes: per field, the versions shown here
    (as ``events.append`` names them) and the key's lost versions, newest first. Peers
    hold those lost versions (HQ wrote them after the backup): the event replaces them
    there, as it would have here, instead of standing beside them as a conflict. A
    field a lost event did not write is named in vain, and harmlessly: a base only
    links the versions it names of that very field. Every one of them, however many:
    each restore from one backup adds one (it retires the backup's key again), and
    past what one event names (``events.MAX_BASE_PER_FIELD``) ``events.append``
    writes a chain of events; cut there, the oldest stayed beside the write at an
    office that held it."""
    shown = events.shown_versions(rep.conn, "key", key_id)
    lost_ids = list(reversed(_lost_version_ids(lost, key_id)))
    return {field: list(dict.fromkeys([*(shown[field][1] if field in shown else ()),
                                       *lost_ids]))
            for field in fields}


def _register_again(rep: Replica, lost: list[dict]) -> list[str]:
    """(HQ, in the restore's transaction) Offices' keys that the replaced database
    registered or retired after the backup (``store._lost_here``'s summaries) are
    registered or retired again, as it had: HQ registered each only after its
    enrolment, a person's trust or its rotation endorsement, and without it the
    office's next bundles would wait in quarantine for a fingerprint check by phone.
    Never a key of HQ's own (the restore gave it a new one), nor a revoked one
    (``_revoke_again``). Returns the key ids registered or retired again."""
    mine = own_replicas(rep)
    folded: dict[str, dict] = {}  # key id → its lost fields, later over earlier
    # in the order they were written (a stable sort: one replica's, to the second, by
    # seq), whichever replica of HQ's wrote them
    for item in sorted(lost, key=lambda item: str(item.get("at", ""))):
        key_id = item.get("id")
        if item.get("entity") == "key" and isinstance(key_id, str):
            folded.setdefault(key_id, {}).update(item.get("fields") or {})
    again: list[str] = []
    keys = all_keys(rep)
    for key_id, fields in folded.items():
        info = keys.get(key_id)
        status = fields.get("status", "active")
        if info is None or info.source != "registry":
            # registered after the backup
            try:
                public = PublicKey.from_base64(str(fields.get("public_key", "")))
            except SignatureError:  # not a key: nothing to register
                continue
            office, replica = fields.get("office"), fields.get("replica")
            renews = fields.get("renews") or ""
            if public.key_id_hex != key_id or status not in ("active", "retired") or \
                    not isinstance(office, str) or not isinstance(replica, str) or \
                    not office or not replica or not isinstance(renews, str) or \
                    office == rep.office or {replica, renews} & mine:
                continue
            names = ("office", "replica", "public_key", "status",
                     *(("renews",) if renews else ()))
            register_key(rep, public, office=office, replica_id=replica, status=status,
                         renews=renews, base=_over_lost(rep, lost, key_id, names))
        elif status == "retired" and info.status == "active" and \
                info.office != rep.office and not computer(keys, info.replica) & mine:
            # an office's rotation HQ had followed: its earlier key retired again
            events.append(rep.conn, "key", key_id, {"status": "retired"}, author=rep.author,
                          base=_over_lost(rep, lost, key_id, ("status",)))
        else:
            continue
        again.append(key_id)
    if again:
        rep.cache.clear()
    return again


def _revoke_again(rep: Replica, lost: list[dict], keys: dict[str, KeyInfo]) -> list[str]:
    """(HQ, in the restore's transaction) Revocations the replaced database made after
    the backup (``store._lost_here``'s summaries) are made again: a revocation is never
    taken back, and without it the lost or stolen computer's bundles would be taken
    again. The revoked keys' offices' enrolment tokens end, as at the revocation (its
    key may be one the backup never registered). Returns the key ids revoked again."""
    again: list[str] = []
    for item in lost:
        fields = item.get("fields") or {}
        key_id = item.get("id")
        if item.get("entity") != "key" or fields.get("status") != "revoked" or \
                not isinstance(key_id, str):
            continue
        info = keys.get(key_id)
        # its registrations, later over earlier (a restore may have registered it
        # again): with the replica it ``renews``, without which the revocation made
        # again would cut off that replica alone, not the computer's earlier keys
        registration: dict = {}
        for i in sorted(lost, key=lambda i: str(i.get("at", ""))):
            if i.get("entity") == "key" and i.get("id") == key_id \
                    and "office" in (i.get("fields") or {}):
                registration.update(i["fields"])
        office = info.office if info else registration.get("office")
        if office:
            _end_enrolments(rep, office, key_id)
        if key_id in again:
            continue
        scope = REPLICA_ALONE if fields.get("scope") == REPLICA_ALONE else ""
        if info is not None and info.source == "registry" and info.status != "revoked":
            _key_event(rep, key_id, {"status": "revoked", **(
                {"scope": scope} if scope else {})})
            again.append(key_id)
        elif info is None and _revoked_on_record(rep, key_id, registration, scope):
            # registered after the backup, and revoked: on record again, revoked (its
            # bundles would otherwise wait in quarantine as a new computer's)
            again.append(key_id)
    if again:
        rep.cache.clear()
    return again


def _held_again(rep: Replica, replaced: object) -> None:
    """(HQ, in the restore's transaction) How far the replaced database held the
    computers it revoked (``REVOKED_HELD``, as ``store._revoked_held_here`` read it),
    kept for the revocations this database holds (made again or not): what it held
    of them that the backup lacks is taken again from their last bundles."""
    revoked = {k.key_id for k in all_keys(rep).values() if k.status == "revoked"}
    held = {key_id: v for key_id, v in merged_held(revoked_held(rep), replaced).items()
            if key_id in revoked}
    if held != revoked_held(rep):
        events.set_meta(rep.conn, REVOKED_HELD, events.canonical_json(held))


def _setups_reported_again(rep: Replica, reported: object) -> None:
    """(HQ, in the restore's transaction) The setup bundles the replaced database knew
    a computer had reported from (``store._setups_reported_here``) stop waiting here
    too (``enrol.setup_reported``)."""
    from fieldplan.sync.enrol import setup_reported

    for enrol_id in reported if isinstance(reported, list) else ():
        if isinstance(enrol_id, str):
            setup_reported(rep, enrol_id)


def _revoked_on_record(rep: Replica, key_id: str, registration: dict,
                       scope: str = "") -> bool:
    """Register ``key_id`` as revoked (with the revocation's ``scope``) from its lost
    registration's summary (office, replica, public key, and the replica it
    ``renews``); False when the summary does not give them, or another key."""
    try:
        public = minisign.PublicKey.from_base64(str(registration.get("public_key", "")))
    except Exception:
        return False
    office, replica = registration.get("office"), registration.get("replica")
    if public.key_id_hex != key_id or not isinstance(office, str) or \
            not isinstance(replica, str) or not office or not replica:
        return False
    renews = registration.get("renews")
    register_key(rep, public, office=office, replica_id=replica, status="revoked",
                 renews=renews if isinstance(renews, str) else "", scope=scope)
    return True


def _key_file_replica(rep: Replica, key: SecretKey, kpath: Path) -> str:
    """Whose key the key file holds, when it is newer than the database (a rotation or
    a restore since the backup): the replica its comment names. A key, or a named
    replica, that this database knows as another computer's is refused: restoring with
    a sibling's key file would make this computer take over the sibling's place."""
    from fieldplan.errors import StoreError

    held = rep.replica_id
    mine = own_replicas(rep)
    named = minisign.secret_key_replica(kpath) or held
    keys = all_keys(rep)
    info = keys.get(key.key_id_hex)
    others = {k.replica for k in keys.values() if k.replica not in mine}
    held_events = named not in mine and rep.conn.execute(
        "SELECT 1 FROM events WHERE origin = ? LIMIT 1", (named,)).fetchone()
    if (info is not None and info.replica not in mine) or named in others or held_events:
        raise StoreError(_("the key file {key} is another computer's: put this computer's "
                           "key file beside the database").format(key=ltr(kpath.name)))
    return named


def _key_file_lineage(rep: Replica, known_key: str, current: SecretKey, held: str,
                      before: str) -> list[tuple[SecretKey, str]]:
    """The keys the key file held from the one the database knows (``known_key``, of
    ``held``) to the one it holds now (``current``, of ``before``), each with the
    replica it signed for, oldest first. Each key change keeps the key it replaces
    beside the key file, named by its time (``old_key_path``): those kept after the
    database's own came between, one from the next (a restore from one backup made
    again and again: the backup's replica, then each restore's). When one of those
    between cannot be read, the database's own and the key file's only; [] when the
    database's own is not kept there."""
    kept = kept_keys(rep.path)
    starts = [i for i, (_when, key_id, _path) in enumerate(kept) if key_id == known_key]
    out: list[tuple[SecretKey, str]] = []
    for _when, key_id, path in kept[starts[-1]:] if starts else ():
        try:
            key = minisign.load_secret_key(path)
        except KeyFileError:
            key = None
        replica = held if key_id == known_key else minisign.secret_key_replica(path)
        if key is None or key.key_id_hex != key_id or not replica:
            out = []  # a link missing: the two ends alone, below
            break
        if not out or out[-1][0].key_id_hex != key_id:
            out.append((key, replica))
    if not out:
        for path in [path for _when, key_id, path in reversed(kept) if key_id == known_key]:
            try:
                older = minisign.load_secret_key(path)
            except KeyFileError:
                continue
            if older.key_id_hex == known_key:
                out = [(older, held)]
                break
        else:
            return []
    if out[-1][0].key_id_hex != current.key_id_hex:
        out.append((current, before))
    return out


def _lost_endorsements(lineage: list[tuple[SecretKey, str]]) -> list[dict]:
    """The endorsements of each key of the key file's ``lineage`` by the one before
    it, signed again (the backup was taken before they were made), naming the replica
    each continues when a restore made it: the chain offices followed then."""
    out = []
    for (older, was), (newer, now) in itertools.pairwise(lineage):
        previous = was if now != was else ""
        payload = rotation_payload(newer.public.raw, now, previous)
        extra = {"previous_replica": previous} if previous else {}
        out.append(_endorsement(older, {"signature": minisign.sign(older, payload, "again"),
                                        **extra}))
    return out


def finish_key_change(rep: Replica) -> None:
    """Complete a key change a crash interrupted. A rotation or restore writes the new
    key as ``.key.new``, commits the database, then moves the file in place: a
    ``.new`` whose key the database names is moved in place now; any other is what a
    rolled-back change left, and goes."""
    kpath = key_path(rep.path)
    pending = pending_key_path(rep.path)
    if not pending.exists():
        return
    # inside a write transaction: a change in progress in another program (its .new
    # written, its commit to come) is waited for, not taken for a rolled-back one
    with store.write_transaction(rep.conn):
        if not pending.exists():
            return  # the other program moved it in place meanwhile
        try:
            staged = minisign.load_secret_key(pending)
        except KeyFileError:
            staged = None
        if staged is not None and staged.key_id_hex == rep.meta("key_id"):
            _move_in_place(pending, kpath, staged)
        else:
            pending.unlink(missing_ok=True)


def _move_in_place(staged_file: Path, kpath: Path, key: SecretKey) -> None:
    """Move a committed change's new key file in place; another program opening the
    database may have done it already."""
    from fieldplan.files import cannot_write, replace_file

    try:
        # (an antivirus may hold the file just written a moment: after the commit, a
        # failure here said a key change had failed that the database had made)
        replace_file(staged_file, kpath)
    except FileNotFoundError:
        if minisign.load_secret_key(kpath).key_id_hex != key.key_id_hex:
            raise
    except OSError as exc:
        # the key file's name, which is the one to make writable (the system's error
        # named the ".key.new" file, which is not)
        raise cannot_write(kpath, exc, own=True) from None


def _endorsement(old: SecretKey, fields: dict) -> dict:
    return {"previous_public_key": old.public.to_base64(), "previous_key_id": old.key_id_hex,
            **fields}


def _stage_key_files(rep: Replica, old: SecretKey, new: SecretKey,
                     replica: str) -> tuple[Path, Path]:
    """Keep a copy of the old key file, and write the new one beside it as ``.new``
    (moved in place once the database has committed the change): the new key's file,
    and the old key's copy."""
    from fieldplan.files import write_atomic

    _sweep_killed_copies(rep.path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    kept = old_key_path(rep.path, old.key_id_hex, stamp)
    # the file as it is (its comment names its replica), owner-only from its first
    # byte and whole or not at all: a copy cut short or readable by others is a
    # secret key left about
    try:
        write_atomic(kept, key_path(rep.path).read_bytes(), private=True,
                     allow_protected=True)
    except FileError as exc:
        # (the hidden copy's name, "….key.<id>.<time>.old", means nothing to a person)
        # Translators: {reason} says why, e.g. "the disk is full; make room, then try
        # again"
        raise FileError(_("cannot keep this computer's old key: {reason}").format(
            reason=_own_reason(exc))) from None
    tmp = pending_key_path(rep.path)
    try:
        tmp.unlink(missing_ok=True)
        minisign.save_secret_key(tmp, new, replica=replica)
    except BaseException as exc:
        kept.unlink(missing_ok=True)  # no rotation: no copy of the key it keeps
        if isinstance(exc, FileError):
            # Translators: {reason} says why, e.g. "the disk is full; make room, then
            # try again"
            raise FileError(_("cannot write this computer's new key: {reason}").format(
                reason=_own_reason(exc))) from None
        raise
    return tmp, kept


def _sweep_killed_copies(db_path: Path) -> None:
    """Remove the hidden temporary files of old key copies (``old_key_path``) that a
    killed key change left, an hour old (``files.STALE_TEMPORARY_S``): a secret key,
    whole or cut short. Each copy's name holds its own time, so the sweep of a write's
    own temporaries (``files.atomic_output``) never meets those of an earlier one."""
    import glob
    import time

    from fieldplan.files import STALE_TEMPORARY_S

    kpath = key_path(db_path)
    stale = time.time() - STALE_TEMPORARY_S
    try:
        found = list(kpath.parent.glob(f".{glob.escape(kpath.name)}.*.old.*.part"))
    except OSError:
        return
    for path in found:
        try:
            if path.lstat().st_mtime < stale:
                path.unlink()
        except OSError:
            pass  # (a copy that cannot go now goes at the next key change)


def _own_reason(exc: FileError) -> str:
    """Why one of the key files beside the database could not be written, without its
    name: the system's error in words, else the whole message."""
    from fieldplan.files import os_error_reason

    cause = exc.os_error
    return str(exc) if cause is None else os_error_reason(cause, writing=True, own=True)


def _adopt_key(rep: Replica, new: SecretKey, chain: list[dict]) -> None:
    events.set_meta(rep.conn, "key_id", new.key_id_hex)
    events.set_meta(rep.conn, "public_key", new.public.to_base64())
    events.set_meta(rep.conn, "rotation", events.canonical_json(_trimmed(rep, chain)))


def _trimmed(rep: Replica, chain: list[dict]) -> list[dict]:
    """The last MAX_ROTATIONS endorsements, and every one since the newest endorsement
    by a key headquarters has registered (it may know no later key: dropping one would
    leave it unable to follow), at most MAX_CHAIN."""
    registered = {k.key_id for k in all_keys(rep).values() if k.source == "registry"}
    keep = MAX_ROTATIONS
    for back, item in enumerate(reversed(chain), 1):
        if item.get("previous_key_id") in registered:
            keep = max(keep, back)
            break
    else:
        keep = MAX_CHAIN
    return chain[-min(keep, MAX_CHAIN):]


@dataclass(frozen=True)
class Chain:
    """Where a bundle's rotation endorsements lead, walking back from its signer.

    trusted: the known, active key of the same replica and office they reach (None if
    none). lineage: for each restore the chain crosses, newest first, (replica, its
    key, the replica it continues); the first entry is the sender's own. earlier: the
    keys the chain passed that this replica does not know, newest first, each with
    the replica it was the key of: a rotation replaced each (``accept_new_key``
    registers them retired)."""

    trusted: KeyInfo | None
    lineage: tuple[tuple[str, PublicKey, str], ...] = ()
    earlier: tuple[tuple[str, PublicKey], ...] = ()

    def earlier_of(self, replica: str) -> tuple[tuple[str, PublicKey], ...]:
        """``earlier``'s keys of ``replica`` alone, before the chain crosses a restore
        (for a chain whose restores are not taken: ``lineage_free``)."""
        out = []
        for item in self.earlier:
            if item[0] != replica:
                break
            out.append(item)
        return tuple(out)


def follow_chain(rep: Replica, manifest: dict, signer: PublicKey) -> Chain:
    """Verify the rotation endorsements a bundle signed by an unknown key carries.

    Stops at the first key this replica knows: it must be active and bound to the
    replica and office the chain says; a revoked key, or a key of a revoked computer,
    is refused outright (BundleError). An endorsement that does not verify ends the
    chain with nothing trusted and no lineage. The keys it passes, unknown here, were
    each replaced by the next (``Chain.earlier``)."""
    from fieldplan.errors import BundleError

    sender = str(manifest.get("sender", ""))
    keys = all_keys(rep)
    current = signer
    replica = sender  # whose key ``current`` is, walking back through the chain
    lineage: list[tuple[str, PublicKey, str]] = []
    earlier: list[tuple[str, PublicKey]] = []
    for rot in reversed(endorsements(manifest.get("rotation"))):
        previous = rot.get("previous_replica")
        if previous is not None and (not isinstance(previous, str) or not previous
                                     or previous == replica):
            return Chain(None)
        payload = rotation_payload(current.raw, replica, previous or "")
        try:
            prev = PublicKey.from_base64(str(rot.get("previous_public_key", "")))
            minisign.verify(prev, payload, str(rot.get("signature", "")))
        except Exception:
            return Chain(None)
        if previous:
            lineage.append((replica, current, previous))
            replica = previous
        current = prev
        info = keys.get(prev.key_id_hex)
        if info is not None:
            if info.status == "revoked" or revoked_replica(rep, info.replica) is not None:
                raise BundleError(_(
                    "signed by a key that {key_id} ({office}) endorsed, and that "
                    "computer's key was revoked").format(key_id=info.key_id,
                                                         office=info.office))
            # only a computer's current key may endorse its next one: a retired key
            # (an old key file left on a stolen laptop) may not
            ok = (info.status == "active" and info.public_key == prev.to_base64()
                  and info.replica == replica and info.office == manifest.get("office"))
            if not ok:
                return Chain(None)
            return Chain(info, tuple(lineage), tuple(earlier))
        earlier.append((replica, prev))
    return Chain(None, tuple(lineage), tuple(earlier))


def lineage_free(rep: Replica, chain: Chain) -> bool:
    """Whether the replicas a chain's restores created are new here (no key is bound to
    any of them: a restore never takes over a replica in use) and the replica they
    continue has not been continued already (one restore of a replica, not two).

    A chain that reaches no key known here (a computer HQ never registered, come with
    an enrolment token or a person's trust) proves nothing about the replica it says it
    continues: that replica must be unknown here altogether (no key, no successor, no
    event held), or its holder could write into someone else's chain."""
    if not chain.lineage:
        return True
    keys = all_keys(rep)
    bound = {k.replica for k in keys.values()}
    continued = successor_of(keys)
    if any(replica in bound for replica, _key, _renews in chain.lineage):
        return False
    oldest = chain.lineage[-1][2]
    if oldest in continued:
        return False
    if chain.trusted is None:
        unknown = [oldest, *(replica for replica, _key, _renews in chain.lineage)]
        if oldest in bound or oldest == rep.replica_id or any(
                rep.conn.execute("SELECT 1 FROM events WHERE origin = ? LIMIT 1",
                                 (replica,)).fetchone() for replica in unknown):
            return False
    return True


def own_key_status(rep: Replica) -> str:
    """What the registry says of this computer's current key: active, retired or revoked;
    ``revoked`` too when headquarters revoked another key of this computer, an earlier
    one (every key of the computer goes with it: ``listed_keys``), whether it has
    registered this one or not, and when it holds another key active for this computer
    in its place (``replaced_here``) or a refused bundle of headquarters said one of
    these (``CUT_OFF_HERE``); else ``unregistered``."""
    keys = all_keys(rep)
    if not rep.is_hq and _cut_off_here(rep) is not None:
        return "revoked"
    info = keys.get(rep.meta("key_id") or "")
    if info is not None and info.source == "registry":
        status = listed_keys(keys)[info.key_id].status
        # a key headquarters replaced (``replaced_here``) signs nothing it takes again,
        # as a revoked one: the computer is set up again the same way
        return "revoked" if status == "retired" and replaced_here(rep, keys) else status
    # this computer's replicas: this one and, after a restore, those it continues
    # (headquarters may not know yet that it continues them)
    mine = own_replicas(rep)
    after = successor_of(all_keys(rep))
    for replica in mine:
        revoked = revoked_replica(rep, replica)
        # a copy of a replica this computer continues, revoked alone, spares it
        if revoked is not None and not (revoked.scope == REPLICA_ALONE
                                        and replica != rep.replica_id
                                        and after.get(replica) in mine):
            return "revoked"
    return "unregistered"


#: meta key (an office): headquarters' bundle refused for carrying events of this
#: computer it never wrote, while its key records cut this computer off (a key trusted
#: in its place wrote them: ``exchange.TakenOver``), JSON ``{"replaced": key id or ""}``.
#: The refusal rolls those records back; kept here, this computer knows it is cut off
#: (status, export, setting up again), as the merged records would have said.
CUT_OFF_HERE = "cut_off_by_hq"


def _cut_off_here(rep: Replica) -> dict[str, str] | None:
    """``CUT_OFF_HERE``, or None."""
    try:
        raw = json.loads(rep.meta(CUT_OFF_HERE) or "null")
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    replaced = raw.get("replaced")
    return {"replaced": replaced if isinstance(replaced, str) else ""}


def replaced_here(rep: Replica, keys: dict[str, KeyInfo] | None = None) -> str:
    """(an office) The id of the key headquarters' registry holds active for this
    computer's replica in place of its current key, which it holds retired: a key
    headquarters trusted for this computer (``replace_by_trust``: its bundles signed
    with its own key are refused from then on), or a copy of this database that
    rotated its key elsewhere. This computer never made that key (its own rotations
    change its current key); else "". ``keys``: ``all_keys(rep)`` when read already."""
    if rep.is_hq:
        return ""
    keys = keys if keys is not None else all_keys(rep)
    info = keys.get(rep.meta("key_id") or "")
    others = []
    if info is not None and info.source == "registry" and info.status == "retired":
        others = sorted(k.key_id for k in _active_keys_of(keys, rep.replica_id)
                        if k.key_id != info.key_id)
    if others:
        return others[0]
    # (headquarters' bundle saying so was refused: ``CUT_OFF_HERE``)
    cut = _cut_off_here(rep)
    return cut["replaced"] if cut else ""


def retired_at(rep: Replica, key_id: str) -> dict[str, int]:
    """Where the registry retired ``key_id``, a key on record retired: origin → the seq
    of its first event that did. A rotation writes the record with its replica's
    next event and signs every later bundle with the new key, so no bundle the retired
    key signed can carry an event of that origin past it: one that does was signed
    after the retirement (a leaked key: headquarters rotates its own, never revokes
    it). {} for a key not on record retired."""
    info = all_keys(rep).get(key_id)
    if info is None or info.status != "retired":
        return {}
    return dict(rep.conn.execute(
        "SELECT origin, min(seq) FROM versions WHERE entity = 'key' AND entity_id = ? "
        "AND field = 'status' AND value = ? GROUP BY origin",
        (key_id, events.value_json("retired"))).fetchall())


def rotated_out(rep: Replica, key_id: str) -> bool:
    """Whether ``key_id`` is on record retired while its replica has an active key: a
    rotation replaced it. Every bundle it signed was written before that rotation, and
    each bundle the new key signed carries all that was not acknowledged: once one is
    merged (``exchange._newer_key_merged``), a bundle of the old key brings nothing
    new, nor receipts that move forward. (A key retired because a restore continues its
    replica elsewhere is not: a late bundle of it may bring what the restore lost.)"""
    keys = all_keys(rep)
    info = keys.get(key_id)
    return info is not None and info.status == "retired" and bool(info.replica) and any(
        k.replica == info.replica and k.status == "active" for k in keys.values())


def revoked_replica(rep: Replica, replica: str) -> KeyInfo | None:
    """A revoked key of that replica's computer (the replica, those it continues after
    a restore, and those that continue it), if any: its later keys are not accepted
    without a new enrolment. A key revoked alone (``REPLICA_ALONE``) counts for its
    own replica only."""
    keys = all_keys(rep)
    same = computer(keys, replica)
    return next((k for k in keys.values() if k.status == "revoked" and (
        k.replica == replica if k.scope == REPLICA_ALONE else k.replica in same)), None)


def cut_off(keys: dict[str, KeyInfo]) -> set[str]:
    """The replicas revocations cut off: each revoked key's computer, or its replica
    alone (``REPLICA_ALONE``)."""
    return set(cut_off_by(keys))


def cut_off_by(keys: dict[str, KeyInfo]) -> dict[str, str]:
    """``cut_off``'s replicas, each with the id of a revoked key that cuts it off."""
    out: dict[str, str] = {}
    for k in sorted(keys.values(), key=lambda k: k.key_id):
        if k.status == "revoked":
            reach = {k.replica} if k.scope == REPLICA_ALONE else computer(keys, k.replica)
            for replica in reach:
                out.setdefault(replica, k.key_id)
    return out


def listed_keys(keys: dict[str, KeyInfo]) -> dict[str, KeyInfo]:
    """``keys`` as people are told of them: a key whose computer a revocation of
    another of its keys cut off (an earlier key, or the current one when an earlier
    key was revoked) is ``revoked`` too, its ``revoked_with`` naming that key: its
    bundles are refused as a revoked key's are. The registry still holds it active or
    retired (``all_keys``)."""
    by = cut_off_by(keys)
    return {key_id: (replace(k, status="revoked", revoked_with=by[k.replica])
                     if k.status != "revoked" and k.replica in by else k)
            for key_id, k in keys.items()}


def revoked_with(keys: dict[str, KeyInfo], key_id: str, alone: bool = False) -> list[str]:
    """When ``key_id`` is an earlier key of a computer (retired by a rotation or a
    restore), the keys it signs with now (active, not cut off) that revoking
    ``key_id`` cuts off with it (its replica's alone when ``alone``:
    ``REPLICA_ALONE``); else none."""
    info = keys[key_id]
    if info.status != "retired":
        return []
    reach = {info.replica} if alone else computer(keys, info.replica)
    cut = cut_off(keys)
    return sorted(k.key_id for k in keys.values()
                  if k.key_id != key_id and k.status == "active" and k.replica in reach
                  and k.replica not in cut)


def revoked_with_each(rep: Replica) -> dict[str, list[str]]:
    """(HQ) Key id → ``revoked_with`` of it, for each key whose revocation would cut
    off a computer's current key too (as ``revoke_key`` would revoke it)."""
    from fieldplan.sync.fork import copies_in_use

    keys = all_keys(rep)
    earlier = [k for k in keys.values() if k.status == "retired" and k.source == "registry"]
    if not earlier:
        return {}  # (the usual case: no rotation, no restore)
    copies = copies_in_use(rep, revoked_too=True)
    out = {k.key_id: revoked_with(keys, k.key_id, alone=k.replica in copies)
           for k in earlier}
    return {key_id: also for key_id, also in out.items() if also}


def revoked_with_text(key_ids: list[str] | tuple[str, ...]) -> str:
    """That revoking a computer's earlier key revokes its current one (``key_ids``,
    from ``revoked_with``) with it; "" when there is none."""
    if not key_ids:
        return ""
    # Translators: {key_ids} are key ids such as 1A2B3C4D5E6F7A8B
    return ngettext(
        "it is an earlier key of its computer, whose current key {key_ids} is revoked "
        "with it: that computer is cut off",
        "it is an earlier key of its computer, whose current keys {key_ids} are revoked "
        "with it: that computer is cut off", len(key_ids)).format(key_ids=join_list(key_ids))


def accept_new_key(rep: Replica, signer: PublicKey, office: str, replica: str,
                   *, retire: str | None = None,
                   lineage: tuple[tuple[str, PublicKey, str], ...] = (),
                   earlier: tuple[tuple[str, PublicKey], ...] = ()) -> None:
    """Record a newly trusted key (inside a write transaction): a registry event at HQ,
    local trust elsewhere. ``lineage`` (``Chain.lineage``): the restores the key's
    replica comes from; HQ records each replica crossed, with its last key, retired.
    ``earlier`` (``Chain.earlier``): the keys rotations replaced on the way, which HQ
    never saw; HQ records them retired, as if it had seen each rotation: a late bundle
    one signed is a retired key's, not an unknown key's that a person could trust
    back to active. The key of a replica a restore already continues (a late bundle)
    goes on record retired: it signed that bundle, it endorses nothing.

    Nothing is recorded again of a key on record as it would be: decided before the
    write lock, another import of the same bundle (the client's and a command's at
    once) may have recorded it meanwhile, with all the above."""
    if rep.is_hq:
        cached = rep.cache.get("keys")
        fresh = cached is not None and cached[0] == _stamp(rep)
        on_record = dict(cached[1]) if fresh else all_keys(rep)  # (all_keys' own check)
        status = "retired" if replica in successor_of(on_record) else "active"
        known = on_record.get(signer.key_id_hex)
        if known is not None and known.source == "registry" and (
                known.public_key, known.office, known.replica, known.status) == (
                signer.to_base64(), office, replica, status):
            return
        renews = lineage[0][2] if lineage else ""
        register_key(rep, signer, office=office, replica_id=replica, renews=renews,
                     status=status)
        for was, key, continues in lineage[1:]:
            if key.key_id_hex not in all_keys(rep):
                register_key(rep, key, office=office, replica_id=was, renews=continues,
                             status="retired")
        for was, key in earlier:
            if key.key_id_hex not in all_keys(rep):
                register_key(rep, key, office=office, replica_id=was, status="retired")
        if lineage or earlier or status != "active":
            fresh = False
        if retire:
            _key_event(rep, retire, {"status": "retired"})
        elif fresh:
            # HQ registers a key with most first bundles of an office: add it to the
            # cache instead of reading the whole registry again
            keys = dict(cached[1])
            # the fields the record does not write keep their value in the registry (a
            # key on record retired, continuing a restored replica: its ``renews``)
            before = known if known is not None and known.source == "registry" else None
            keys[signer.key_id_hex] = KeyInfo(
                signer.key_id_hex, signer.to_base64(), office, replica, "active",
                "registry", renews or (before.renews if before else ""),
                before.scope if before else "")
            rep.cache["keys"] = (_stamp(rep), keys)
    else:
        rep.conn.execute(
            "INSERT OR REPLACE INTO local_trust VALUES (?, ?, ?, ?, ?)",
            (signer.key_id_hex, signer.to_base64(), office, replica,
             events.utc_iso()),
        )


#: (HQ) meta: key id → the id of the key a trust put in its place (``replace_by_trust``),
#: JSON. Kept here only: an office learns its key was retired from the registry, and
#: this says why headquarters refuses what that key signs (``replaced_by_trust``).
REPLACED_BY_TRUST = "keys_replaced_by_trust"


@dataclass(frozen=True)
class ReplacedKey:
    """(HQ) The active key on record of the computer a key waiting in quarantine
    claims to be: trusting that key replaces this one (``replace_by_trust``). key_id,
    fingerprint; replica and office: the computer; last_bundle: when this database last
    merged a bundle signed by it (ISO UTC), or ""."""

    key_id: str
    fingerprint: str
    replica: str
    office: str
    last_bundle: str = ""

    def text(self) -> str:
        """What a person deciding on the waiting key is to know: which computer's
        key it replaces, and to ask the office whether that key really changed."""
        from fieldplan.i18n import format_date
        from fieldplan.text import for_message

        if self.last_bundle:
            # Translators: after an active key's fingerprint; {date} is a date
            last = _("its last bundle was merged on {date}").format(
                date=format_date(self.last_bundle))
        else:
            last = _("no bundle signed with it was merged yet")
        # Translators: said of a key waiting in quarantine; {replica} is the first 8
        # digits of a replica id, {office} an office code, {fingerprint} a key's
        # fingerprint, {last} "its last bundle was merged on 5 Mar 2026"
        return _("This key claims to be computer {replica} of office {office}, which "
                 "already has an active key here: {fingerprint} ({last}). Trusting it "
                 "replaces that key: bundles of that computer signed with the old key "
                 "are refused from then on. Ask the office by phone whether that "
                 "computer's key really changed.").format(
                     replica=for_message(self.replica[:8]), office=self.office,
                     fingerprint=ltr(self.fingerprint), last=last)

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "fingerprint": self.fingerprint,
                "replica": self.replica, "office": self.office,
                "last_bundle": self.last_bundle}


def _active_keys_of(keys: dict[str, KeyInfo], replica: str) -> list[KeyInfo]:
    """The active keys of the registry of computer ``replica`` (``all_keys``' ``keys``)."""
    return [k for k in keys.values() if k.replica == replica and k.status == "active"
            and k.source == "registry"]


def key_to_replace(rep: Replica, public_key: str, replica: str, *,
                   keys: dict[str, KeyInfo] | None = None) -> ReplacedKey | None:
    """(HQ) The active key on record of ``replica`` other than ``public_key`` (base64),
    the key of a bundle waiting in quarantine that claims to be that computer: a key
    anyone can make, claiming any replica id a bundle's manifest shows. None when the
    replica has no such key (a new computer), or away from headquarters. ``keys``:
    ``all_keys(rep)`` when read already (a list of waiting bundles asks once a bundle)."""
    if not rep.is_hq or not replica:
        return None
    own = [k for k in _active_keys_of(keys if keys is not None else all_keys(rep), replica)
           if k.public_key and k.public_key != public_key]
    if not own:
        return None
    old = min(own, key=lambda k: k.key_id)
    last = rep.conn.execute(
        "SELECT max(received_at) FROM inbox WHERE outcome = 'merged' AND key_id = ?",
        (old.key_id,)).fetchone()[0]
    return ReplacedKey(old.key_id, old.fingerprint, replica, old.office, last or "")


def replace_by_trust(rep: Replica, signer: PublicKey, replica: str) -> list[str]:
    """(HQ, in the trust's write transaction, once ``signer`` is on record) Retire the
    other active keys of ``replica``, as a rotation retires the key it replaces: a
    computer never has two active keys, one of them a stranger's. Each is kept as
    replaced by this trust (``replaced_by_trust``). Returns their key ids."""
    keys = all_keys(rep)
    mine = keys.get(signer.key_id_hex)
    if not rep.is_hq or mine is None or mine.status != "active":
        return []
    retired = sorted(k.key_id for k in _active_keys_of(keys, replica)
                     if k.key_id != signer.key_id_hex)
    if not retired:
        return []
    links = _replaced_links(rep)
    for key_id in retired:
        _key_event(rep, key_id, {"status": "retired"})
        links[key_id] = signer.key_id_hex
    events.set_meta(rep.conn, REPLACED_BY_TRUST, events.canonical_json(links))
    return retired


def _replaced_links(rep: Replica) -> dict[str, str]:
    try:
        raw = json.loads(rep.meta(REPLACED_BY_TRUST) or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in raw.items()} if isinstance(raw, dict) else {}


def replaced_by_trust(rep: Replica, key_id: str) -> str:
    """(HQ) The id of the key a trust put in the place of ``key_id``, a key on record
    retired by that trust (``replace_by_trust``); else ""."""
    info = all_keys(rep).get(key_id)
    if info is None or info.status != "retired":
        return ""
    return _replaced_links(rep).get(key_id, "")
