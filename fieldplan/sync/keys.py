"""The key registry: which Ed25519 key belongs to which replica and office.

Headquarters keeps the registry as ``key`` events (so it travels to offices in HQ
bundles); a replica may also trust a key locally (``local_trust``), which never
travels. Key statuses: ``active``; ``retired`` (replaced by a rotation, bundles it
signed are still accepted); ``revoked`` (every bundle it signs is rejected).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass

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

    @property
    def fingerprint(self) -> str:
        return PublicKey.from_base64(self.public_key).fingerprint

    def to_dict(self) -> dict[str, str]:
        return {"key_id": self.key_id, "office": self.office, "replica": self.replica,
                "status": self.status, "source": self.source,
                "fingerprint": self.fingerprint}


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
                              f.get("replica", ""), f.get("status", "active"), "registry")
    return out


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
    endorsement = minisign.sign(old, payload, f"rotation to {new.key_id_hex}")
    chain = endorsements(json.loads(rep.meta("rotation") or "null"))
    chain.append({
        "previous_public_key": old.public.to_base64(),
        "previous_key_id": old.key_id_hex,
        "signature": endorsement,
    })
    kpath = key_path(rep.path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    shutil.copy2(kpath, kpath.with_name(f"{kpath.name}.{old.key_id_hex}.{stamp}.old"))
    tmp = kpath.with_name(kpath.name + ".new")
    tmp.unlink(missing_ok=True)
    minisign.save_secret_key(tmp, new)
    with store.write_transaction(rep.conn):
        events.set_meta(rep.conn, "key_id", new.key_id_hex)
        events.set_meta(rep.conn, "public_key", new.public.to_base64())
        events.set_meta(rep.conn, "rotation",
                        events.canonical_json(chain[-MAX_ROTATIONS:]))
        if rep.is_hq:
            register_key(rep, new.public, office=rep.office, replica_id=rep.replica_id)
            events.append(rep.conn, "key", old.key_id_hex, {"status": "retired"},
                          author=rep.author)
        tmp.replace(kpath)
    return new.public


def check_rotation(rep: Replica, manifest: dict, signer: PublicKey) -> KeyInfo | None:
    """If a bundle signed by an unknown key carries a chain of endorsements that leads
    from a key this replica trusts for the same replica and office to the signer,
    return that trusted key's record. A revoked key anywhere on the chain, or an
    endorsement that does not verify, ends it: None."""
    sender = str(manifest.get("sender", ""))
    keys = all_keys(rep)
    current = signer
    for rot in reversed(endorsements(manifest.get("rotation"))):
        try:
            prev = PublicKey.from_base64(str(rot.get("previous_public_key", "")))
            minisign.verify(prev, ROTATION_CONTEXT + current.raw + sender.encode(),
                            str(rot.get("signature", "")))
        except Exception:
            return None
        info = keys.get(prev.key_id_hex)
        if info is not None:
            # only a computer's current key may endorse its next one: a retired key
            # (an old key file left on a stolen laptop) may not
            if info.status != "active" or info.public_key != prev.to_base64():
                return None
            if info.replica != sender or info.office != manifest.get("office"):
                return None
            return info
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
    """A revoked key of that replica, if any: its later keys are not accepted without a
    new enrolment."""
    return next((k for k in all_keys(rep).values()
                 if k.replica == replica and k.status == "revoked"), None)


def accept_new_key(rep: Replica, signer: PublicKey, office: str, replica: str,
                   *, retire: str | None = None) -> None:
    """Record a newly trusted key (inside a write transaction): a registry event at HQ,
    local trust elsewhere."""
    if rep.is_hq:
        cached = rep.cache.get("keys")
        fresh = cached is not None and cached[0] == _stamp(rep)
        register_key(rep, signer, office=office, replica_id=replica)
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
