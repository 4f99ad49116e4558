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
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from fieldplan import events, minisign, store
from fieldplan.errors import ValidationError
from fieldplan.i18n import _
from fieldplan.minisign import PublicKey, SecretKey
from fieldplan.replica import Changes, Replica, key_path, register_key

ROTATION_CONTEXT = b"fieldplan-key-rotation\0"


@dataclass(frozen=True)
class KeyInfo:
    """A known key. key_id: minisign hex id. public_key: base64 raw key. office and
    replica: what it is bound to. status: active, retired or revoked. source:
    ``registry`` (HQ's key events) or ``local`` (trusted on this replica only)."""

    key_id: str
    public_key: str
    office: str
    replica: str
    status: str
    source: str
    #: the replica this key's replica continues (a database restored from a backup)
    renews: str = ""

    @property
    def fingerprint(self) -> str:
        return PublicKey.from_base64(self.public_key).fingerprint

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "office": self.office, "replica": self.replica,
                "status": self.status, "source": self.source,
                "fingerprint": self.fingerprint, "renews": self.renews}


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
    """Changes whenever the registry or local trust does (a rollback brings it back)."""
    return tuple(rep.conn.execute(
        "SELECT (SELECT count(*) || ':' || coalesce(max(hlc), 0) FROM versions "
        "INDEXED BY versions_heads WHERE entity = 'key' AND superseded = 0), "
        "(SELECT count(*) FROM versions WHERE entity = 'key'), "
        "(SELECT group_concat(key_id) FROM local_trust)").fetchone())


def _load_keys(rep: Replica) -> dict[str, KeyInfo]:
    out: dict[str, KeyInfo] = {}
    for row in rep.conn.execute(
        "SELECT key_id, public_key, office, replica FROM local_trust"
    ):
        out[row[0]] = KeyInfo(row[0], row[1], row[2], row[3], "active", "local")
    for key_id, f in events.entities_of(rep.conn, "key").items():
        out[key_id] = KeyInfo(key_id, f.get("public_key", ""), f.get("office", ""),
                              f.get("replica", ""), f.get("status", "active"), "registry",
                              f.get("renews", ""))
    return out


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
    out = {k.replica: k.office for k in all_keys(rep).values() if k.replica}
    out[rep.replica_id] = rep.office
    return out


def secret_key(rep: Replica) -> SecretKey:
    """This replica's private key (from the key file beside the database)."""
    return minisign.load_secret_key(key_path(rep.path))


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


def revoke_key(rep: Replica, key_id: str) -> Changes:
    """(HQ) revoke a key: every later bundle it signs is rejected everywhere, and so are
    the computer's earlier keys and any new key it makes; the office's enrolment tokens
    end."""
    if not rep.is_hq:
        raise ValidationError(_("only headquarters can revoke keys"))
    key_id = key_id.strip().upper()
    keys = all_keys(rep)
    info = keys.get(key_id)
    if info is None or info.source != "registry":
        raise ValidationError(_("no key {key_id} in the registry (see 'fieldplan keys list')")
                              .format(key_id=key_id))
    if key_id == rep.meta("key_id"):
        raise ValidationError(_("this is headquarters' own signing key; rotate it instead"))
    if info.status == "revoked":
        return Changes()
    with store.write_transaction(rep.conn):
        events.append(rep.conn, "key", key_id, {"status": "revoked"}, author=rep.author)
        # the office's enrolment tokens may sit on the lost computer too: end them
        # (new computers of the office need a new setup bundle)
        now = events.utc_iso()
        rep.conn.execute("UPDATE enrolments SET expires_at = ? WHERE office = ? AND "
                         "expires_at > ?", (now, info.office, now))
    return Changes(entities=(("key", key_id),), events=1)


#: How many past rotations a replica's bundles carry: a peer that last saw the key
#: of several rotations ago still follows the chain to the current key.
MAX_ROTATIONS = 8


def endorsements(raw: object) -> list[dict]:
    """The rotation endorsements a manifest (or this replica's settings) carries, oldest
    first: a list of ``{previous_public_key, previous_key_id, signature}``, or one such
    dict as written before chains existed."""
    items = [raw] if isinstance(raw, dict) else raw if isinstance(raw, list) else []
    return [e for e in items[-MAX_ROTATIONS:] if isinstance(e, dict)]


def rotate_key(rep: Replica) -> PublicKey:
    """Give this replica a new key pair. The old key signs an endorsement of the new
    one, which travels in the next bundles (with the endorsements of earlier
    rotations) so peers accept the new key without a fingerprint check; at HQ the
    registry records the new key and retires the old."""
    if not rep.is_hq and own_key_status(rep) == "revoked":
        from fieldplan.status import revoked_text

        raise ValidationError(revoked_text())  # HQ would refuse the new key too
    old = secret_key(rep)
    new = minisign.generate_key()
    payload = ROTATION_CONTEXT + new.public.raw + rep.replica_id.encode()
    endorsement = {"signature": minisign.sign(old, payload, f"rotation to {new.key_id_hex}")}
    staged = _stage_key(rep, old, new, endorsement)
    with store.write_transaction(rep.conn):
        _adopt_key(rep, new, staged)
        if rep.is_hq:
            register_key(rep, new.public, office=rep.office, replica_id=rep.replica_id)
            events.append(rep.conn, "key", old.key_id_hex, {"status": "retired"},
                          author=rep.author)
        staged.file.replace(key_path(rep.path))
    return new.public


def renew_identity(rep: Replica) -> str:
    """Continue a database restored from a backup as a new replica of the same computer.

    The replica id it had may have written events after the backup was taken, which
    peers hold: a write under it now would fork that history and every later bundle of
    this computer would be refused. So it takes a new replica id and key, endorsed by
    its key (like a rotation); its earlier events stay under the old id, still travel,
    and the events it lost come back from peers that hold them. Returns the new id."""
    from fieldplan.replica import _uuid4

    with store.write_transaction(rep.conn):
        # inside the transaction: a second program opening the same restored file
        # waits here, then finds the work done
        mark = rep.meta(store.BACKUP_MARK)
        if mark is None:
            rep.cache.clear()
            return rep.replica_id
        old = secret_key(rep)
        before = rep.replica_id
        after = _uuid4()
        new = minisign.generate_key()
        payload = ROTATION_CONTEXT + new.public.raw + after.encode() + b"\0" + before.encode()
        endorsement = {"signature": minisign.sign(old, payload, f"restored as {after[:8]}"),
                       "previous_replica": before}
        staged = _stage_key(rep, old, new, endorsement)
        renewed = json.loads(rep.meta("renewed_from") or "[]")
        events.set_meta(rep.conn, "replica_id", after)
        events.set_meta(rep.conn, "renewed_from", events.canonical_json([*renewed, before]))
        events.set_meta(rep.conn, "restored", events.canonical_json(
            {"at": events.utc_iso(), "backup_taken": json.loads(mark).get("taken", ""),
             "replica": before}))
        rep.conn.execute("DELETE FROM meta WHERE key = ?", (store.BACKUP_MARK,))
        retired = rep.meta("key_id")
        _adopt_key(rep, new, staged)
        rep.cache.clear()
        if rep.is_hq:
            register_key(rep, new.public, office=rep.office, replica_id=after, renews=before)
            for key_id in {retired, old.key_id_hex} & set(all_keys(rep)):
                events.append(rep.conn, "key", key_id, {"status": "retired"},
                              author=rep.author)
        staged.file.replace(key_path(rep.path))
    rep.cache.clear()
    return after


@dataclass(frozen=True)
class _Staged:
    file: Path
    chain: list[dict]


def _stage_key(rep: Replica, old: SecretKey, new: SecretKey, endorsement: dict) -> _Staged:
    """Keep a copy of the old key file, write the new one beside it (moved in place by
    the caller's transaction), and the rotation chain that leads to it."""
    chain = endorsements(json.loads(rep.meta("rotation") or "null"))
    chain.append({"previous_public_key": old.public.to_base64(),
                  "previous_key_id": old.key_id_hex, **endorsement})
    kpath = key_path(rep.path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    shutil.copy2(kpath, kpath.with_name(f"{kpath.name}.{old.key_id_hex}.{stamp}.old"))
    tmp = kpath.with_name(kpath.name + ".new")
    tmp.unlink(missing_ok=True)
    minisign.save_secret_key(tmp, new)
    return _Staged(tmp, chain[-MAX_ROTATIONS:])


def _adopt_key(rep: Replica, new: SecretKey, staged: _Staged) -> None:
    events.set_meta(rep.conn, "key_id", new.key_id_hex)
    events.set_meta(rep.conn, "public_key", new.public.to_base64())
    events.set_meta(rep.conn, "rotation", events.canonical_json(staged.chain))


def check_rotation(rep: Replica, manifest: dict,
                   signer: PublicKey) -> tuple[KeyInfo, str] | None:
    """If a bundle signed by an unknown key carries a chain of endorsements that leads
    from a key this replica trusts for the same replica and office to the signer,
    return that trusted key's record, and the replica the sender continues when the
    chain crosses a restore from a backup (else ""). A revoked key anywhere on the
    chain, or an endorsement that does not verify, ends it: None."""
    sender = str(manifest.get("sender", ""))
    keys = all_keys(rep)
    current = signer
    replica = sender  # whose key ``current`` is, walking back through the chain
    for rot in reversed(endorsements(manifest.get("rotation"))):
        previous = rot.get("previous_replica")
        payload = ROTATION_CONTEXT + current.raw + replica.encode()
        if previous is not None:
            if not isinstance(previous, str) or not previous or previous == replica:
                return None
            payload += b"\0" + previous.encode()
        try:
            prev = PublicKey.from_base64(str(rot.get("previous_public_key", "")))
            minisign.verify(prev, payload, str(rot.get("signature", "")))
        except Exception:
            return None
        replica = previous or replica
        info = keys.get(prev.key_id_hex)
        if info is not None:
            # only a computer's current key may endorse its next one: a retired key
            # (an old key file left on a stolen laptop) may not
            if info.status != "active" or info.public_key != prev.to_base64():
                return None
            if info.replica != replica or info.office != manifest.get("office"):
                return None
            if replica != sender and any(k.replica == sender for k in keys.values()):
                return None  # a restored database takes a new id, never one in use
            return info, "" if replica == sender else replica
        current = prev
    return None


def own_key_status(rep: Replica) -> str:
    """What the registry says of this computer's current key: active, retired or revoked;
    ``revoked`` too when headquarters has not registered it and revoked an earlier key
    of this computer (it will not accept the new one); else ``unregistered``."""
    info = all_keys(rep).get(rep.meta("key_id") or "")
    if info is not None and info.source == "registry":
        return info.status
    return "revoked" if revoked_replica(rep, rep.replica_id) is not None else "unregistered"


def revoked_replica(rep: Replica, replica: str) -> KeyInfo | None:
    """A revoked key of that replica's computer (the replica, those it continues after
    a restore, and those that continue it), if any: its later keys are not accepted
    without a new enrolment."""
    keys = all_keys(rep)
    same = computer(keys, replica)
    return next((k for k in keys.values() if k.replica in same and k.status == "revoked"),
                None)


def accept_new_key(rep: Replica, signer: PublicKey, office: str, replica: str,
                   *, retire: str | None = None, renews: str = "") -> None:
    """Record a newly trusted key (inside a write transaction): a registry event at HQ,
    local trust elsewhere. ``renews``: the replica a restored database continues."""
    if rep.is_hq:
        cached = rep.cache.get("keys")
        fresh = cached is not None and cached[0] == _stamp(rep)
        register_key(rep, signer, office=office, replica_id=replica, renews=renews)
        if retire:
            events.append(rep.conn, "key", retire, {"status": "retired"}, author=rep.author)
        elif fresh:
            # HQ registers a key with most first bundles of an office: add it to the
            # cache instead of reading the whole registry again
            keys = dict(cached[1])
            keys[signer.key_id_hex] = KeyInfo(signer.key_id_hex, signer.to_base64(), office,
                                              replica, "active", "registry")
            rep.cache["keys"] = (_stamp(rep), keys)
    else:
        rep.conn.execute(
            "INSERT OR REPLACE INTO local_trust VALUES (?, ?, ?, ?, ?)",
            (signer.key_id_hex, signer.to_base64(), office, replica,
             events.utc_iso()),
        )
