"""Structured fuzzing of the bundles headquarters and offices import: real bundles of a
demo world, taken apart, changed one way or several (manifest fields of other types,
huge or odd values; event lines cut, repeated, reordered, given other origins, seqs,
clocks, fields; ZIP members reordered, bits flipped), and signed again with the
sender's own key, so that the change reaches the checks past the signature. Each
import must end merged or refused in one line, a refusal leaving the database as it
was (digest, events, versions), and whatever merged must still be listed, counted and
exported.

    .venv/bin/python -m tests.bundle_fuzz [--examples N] [--seed S] [--only SOURCE] [--deep]
                                          [--kinds K,K...] [--timeout SECONDS]

(SOURCE: an office code of the demo world, ``HQ>BN`` or ``setup``; ``--deep`` also
prints the review pack and writes the XLSX table after each import; ``--kinds``
keeps to some kinds of change, e.g. the one-field-at-its-edge ones, NEW_KINDS:
``manifest_odd,manifest_raw,ranges_odd,event_odd,event_raw,hq_entity``; a case that
takes longer than ``--timeout`` is a failure.) A reason must be one line in the
reader's words, never Python's own (PYTHON_WORDS).
tests/core/test_fuzz_inputs.py runs a few dozen of the same, derandomized.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import sys
import tempfile
import traceback
import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldplan import bundle as bundlefmt
from fieldplan import events as eventsmod
from fieldplan import minisign, progress
from fieldplan.errors import FieldplanError

# --- a world to fuzz --------------------------------------------------------------------


def make_world(out: Path) -> Path:
    from fieldplan.demo import make_demo
    from fieldplan.progress import set_period_lock
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office, export_bundle, import_bundle

    make_demo(out, offices=3, seed=1)
    # headquarters' own bundles too: the offices' merged, a period locked, for BN
    # (imported at BN) and a setup bundle (init --from)
    shutil.copy2(out / "hq.sqlite3", out / "hq-merged.sqlite3")
    shutil.copy2(out / "hq.sqlite3.key", out / "hq-merged.sqlite3.key")
    hq = open_replica(out / "hq-merged.sqlite3")
    try:
        for path in sorted((out / "bundles").glob("*.fieldplan")):
            import_bundle(hq, path, backup=False)
        set_period_lock(hq, "2025-S2", True)
        (out / "from-hq").mkdir()
        export_bundle(hq, for_office="BN", out_file=out / "from-hq" / "HQ-to-BN.fieldplan",
                      full=True)
        enroll_office(hq, "ML", out / "from-hq" / "ML-setup.fieldplan")
    finally:
        hq.close()
    return out


def snapshot(rep) -> tuple:
    return (progress.digest(rep), rep.conn.execute("SELECT count(*) FROM events").fetchone()[0],
            rep.conn.execute("SELECT count(*) FROM versions").fetchone()[0])


def unpack(data: bytes) -> tuple[dict, list[dict]]:
    """A real bundle's manifest and its events (every prev put back)."""
    with bundlefmt.open_bundle(data) as b:
        return dict(b.manifest), list(b.iter_events())


def pack(manifest: dict, lines: list[bytes], secret: minisign.SecretKey, *,
         keep_hash: bool = False, order: tuple[str, ...] = bundlefmt.MEMBERS,
         raw_manifest: bytes | tuple | None = None) -> bytes:
    """A bundle of these lines and this manifest (its hash, size and count made right
    unless ``keep_hash``), signed by ``secret``."""
    body = b"".join(line + b"\n" for line in lines)
    manifest = dict(manifest)
    if not keep_hash:
        manifest["members"] = {bundlefmt.EVENTS: {"sha256": hashlib.sha256(body).hexdigest(),
                                                  "size": len(body)}}
        manifest["event_count"] = len(lines)
    manifest["public_key"] = secret.public.to_base64()
    manifest["key_id"] = secret.key_id_hex
    try:
        if isinstance(raw_manifest, tuple):  # (a way of writing it, see _raw_manifest)
            mbytes = _raw_manifest(manifest, *raw_manifest)
        else:
            mbytes = (raw_manifest if raw_manifest is not None
                      else bundlefmt.canonical_json(manifest))
    except (ValueError, TypeError):
        mbytes = json.dumps(manifest, default=str).encode("utf-8", "surrogatepass")
    comment = bundlefmt.trusted_comment(str(manifest.get("bundle_id")),
                                        str(manifest.get("created")))
    try:
        sig = minisign.sign(secret, mbytes, comment).encode("ascii")
    except (UnicodeError, ValueError):  # (a bundle id or time no signer writes)
        sig = minisign.sign(secret, mbytes, "bundle_id:x created:x").encode("ascii")
    members = {bundlefmt.EVENTS: body, bundlefmt.MANIFEST: mbytes, bundlefmt.SIGNATURE: sig}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in order:
            zf.writestr(name, members[name])
    return out.getvalue()


def line_of(event: dict) -> bytes:
    try:
        return eventsmod.canonical_json(event).encode("utf-8")
    except (ValueError, TypeError):
        return json.dumps(event, default=str, sort_keys=True, separators=(",", ":")).encode()


def line_of_any(event: dict, odd: str | None) -> bytes:
    return _odd_line(event, odd) if odd else line_of(event)


def rechain(evs: list[dict], odd: dict[int, str] | None = None) -> list[dict]:
    """Each event's prev made the hash of its origin's event just before it in the
    list (an origin's first keeps its own): a chain a signer could well write.
    ``odd``: lines written another way (``_odd_line``), their hash that of those bytes."""
    last: dict[str, str] = {}
    out = []
    for k, e in enumerate(evs):
        e = dict(e)
        o = e.get("origin")
        if isinstance(o, str) and o in last:
            e["prev"] = last[o]
        line = line_of_any(e, (odd or {}).get(k))
        if isinstance(o, str):
            last[o] = hashlib.sha256(line).hexdigest()
        out.append(e)
    return out


# --- mutations --------------------------------------------------------------------------

json_leaf = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20), st.sampled_from(["", "HQ", "BN", "NG", "UG", "ML", "0", "1",
                                          "2026-S1", "2099-S2", "PA1.1", "\u202e", "x" * 5000,
                                          "\x00", "ـ", "é", "𝟙", "A\nB", "BN\n", "\r",
                                          "NG\u2028", "y" * 300000]),
    st.sampled_from([10**18, 2**63, 2**63 - 1, -1, 0, 10**30]),
)
json_value = st.recursive(json_leaf, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.text(max_size=8), c, max_size=3)), max_leaves=6)

MANIFEST_KEYS = ["ack_hashes", "acks", "app_version", "bundle_id", "created", "enrolment",
                 "event_count", "format", "key_id", "kind", "members", "office", "plan_id",
                 "public_key", "ranges", "reads_version", "recipient", "sender", "version",
                 "locks", "keys", "lost", "seen"]
EVENT_KEYS = ["author", "base", "entity", "fields", "hlc", "id", "origin", "prev", "seq"]


@st.composite
def mutation(draw):
    """A list of (kind, args) steps."""
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(KINDS_ONLY or KINDS))
        steps.append((kind, draw(st.integers(0, 10**6)), draw(json_value),
                      draw(st.text(max_size=12))))
    rechained = draw(st.booleans()) or draw(st.booleans())
    return steps, rechained


#: the kinds of change ``--kinds`` may keep to (all when empty)
KINDS_ONLY: list[str] = []
KINDS = [
    "manifest_field", "manifest_drop", "event_field", "event_drop_key", "field_value",
    "field_drop", "dup_line", "drop_line", "swap_lines", "cut_lines", "origin_other", "seq",
    "hlc", "entity_id_office", "reverse", "member_order", "raw_line", "ranges", "acks",
    "add_field",
    # one field at a time, with values a reader meets at the edges
    "manifest_odd", "manifest_raw", "ranges_odd", "event_odd", "event_raw", "hq_entity",
]
NEW_KINDS = KINDS[KINDS.index("manifest_odd"):]


#: values at the edges of what a manifest field or an event value may hold
ODD = [float("nan"), float("inf"), float("-inf"), 1e308, -1e308, 5e-324, -0.0, -1, 0,
       2**53 + 1, 2**63, 2**64, 10**400, True, None, "", "\x00", "\ud800", "ＢＮ", "ΜL",
       "B\u200bN", "بن", "BN ", "bn", "x" * 1_000_000, [], {}, [[[[[[]]]]]], {"": {"": {}}},
       "2026-S1", "2099-S9", "NaN", "Infinity", "1e308"]

#: what a progress report's fields may be given (one at a time)
ODD_FIELDS = {
    "percent": [1e308, -1, 101, 100.0000001, 50.5, True, "50", None, 2**70, -0.0, 5e-324,
                float("nan"), float("inf")],
    "status": ["bogus", "", "COMPLETED", "completed ", None, 1, "on track", "\x00"],
    "state": ["weird", "final", "submitted", "", None, "draft\n"],
    "achievements": ["x" * 1_000_000, "a\x00b", "\ud800", "\u202e\u2066", "مرحبا", None, 7,
                     ["a"], {"en": "a"}, "\r\n" * 1000],
    "challenges": ["\x00" * 100, "\udfff\ud800", "y" * 300_000],
    "value.nope": [1, "x", None],
    "value.": [1],
    "value." + "k" * 1000: [1],
    "value.joint-statements": [1e308, -5, "x", float("nan"), 2**64, [], 0.5, None],
    "value.\x00": [3],
    "percent ": [3],
    "": [3],
}
#: report ids whose period or action is outside the plan, or of another shape
ODD_IDS = ["{o}|PA1.1|2099-S1", "{o}|PA1.1|2025-S3", "{o}|PA99.9|2026-S1", "{o}|PA1.1|",
           "{o}||", "{o}|PA1.1|2026-S1|x", "{o}|PA1.1|2026-s1", "{o}|pa1.1|2026-S1",
           "{o}|PA1.1|2026-S1\x00", "{o}|PA1.1|1900-S1", "{o}|PA1.1|2026-S1 ", "{o}"]
#: what headquarters' own records may be given: period locks, keys, the plan
ODD_HQ = {
    "lock": [("id", "2099-S1"), ("id", ""), ("id", "2025-S2\n"), ("id", "x" * 100_000),
             ("id", "2026-S2"), ("id", "2025-s2"), ("locked", "yes"), ("locked", 1),
             ("locked", None), ("locked", False), ("locked", 2), ("extra", True)],
    "key": [("status", "weird"), ("status", None), ("status", "revoked"),
            ("public_key", "RWQ" + "A" * 53), ("public_key", ""), ("public_key", 5),
            ("office", "ZZ"), ("office", "ΜL"), ("office", ""), ("office", "BN"),
            ("office", None), ("replica", "x"), ("replica", ""), ("replica", 3),
            ("id", "0000000000000000"), ("id", "zz"), ("scope", ["BN"]), ("scope", "x")],
}


def _odd_line(e: dict, mode: str) -> bytes:
    """An event's line written another way than canonical JSON: repeated keys, NaN,
    lone surrogates as escapes, deep nesting, a byte order mark."""
    line = json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode("utf-8", "surrogatepass")
    if mode == "dupkey":
        return line[:-1] + b',"origin":"x"}'
    if mode == "nan":
        return line.replace(b'"fields":{', b'"fields":{"percent":NaN,', 1)
    if mode == "ascii":
        return json.dumps(e, sort_keys=True, separators=(",", ":"), default=str).encode()
    if mode == "deep":
        return line.replace(b'"fields":{', b'"fields":{"x":' + b"[" * 100_000 + b"]" * 100_000
                            + b",", 1)
    if mode == "bom":
        return b"\xef\xbb\xbf" + line
    if mode == "spaces":
        return line.replace(b",", b", ", 1)
    if mode == "crlf":
        return line + b"\r"
    return line


def _raw_manifest(m: dict, mode: str, n: int) -> bytes:
    """The manifest's bytes written another way than canonical JSON."""
    try:
        line = bundlefmt.canonical_json(m)
    except (ValueError, TypeError):
        line = json.dumps(m, default=str, sort_keys=True, separators=(",", ":")).encode(
            "utf-8", "surrogatepass")
    key = MANIFEST_KEYS[n % len(MANIFEST_KEYS)]
    if mode == "dupkey":
        return line[:-1] + f',"{key}":"BN"}}'.encode()
    if mode == "dupkey_first":
        return b'{"' + key.encode() + b'":"NG",' + line[1:]
    if mode == "nan":
        return line[:-1] + f',"{key}":NaN}}'.encode()
    if mode == "inf":
        return line.replace(b'"event_count":', b'"event_count":Infinity,"x":', 1)
    if mode == "deep":
        return line[:-1] + b',"z":' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    if mode == "deep_obj":
        return line[:-1] + b',"z":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}"
    if mode == "surrogate":
        return line.replace(b'"office":"', b'"office":"\\ud800', 1)
    if mode == "bom":
        return b"\xef\xbb\xbf" + line
    if mode == "latin1":
        return line.replace(b'"office":"', b'"office":"\xe9', 1)
    if mode == "trailing":
        return line + b"\n"
    if mode == "two":
        return line + line
    if mode == "empty":
        return b""
    if mode == "array":
        return b"[" + line + b"]"
    return line


RAW_MANIFEST = ["dupkey", "dupkey_first", "nan", "inf", "deep", "deep_obj", "surrogate",
                "bom", "latin1", "trailing", "two", "empty", "array"]
RAW_LINE = ["dupkey", "nan", "ascii", "deep", "bom", "spaces", "crlf"]


def apply(steps, rechained: bool, manifest: dict, evs: list[dict], origins: list[str]):
    manifest = json.loads(json.dumps(manifest))
    evs = json.loads(json.dumps(evs))
    order = list(bundlefmt.MEMBERS)
    raw_lines: dict[int, bytes] = {}
    odd_lines: dict[int, str] = {}
    raw_manifest = None
    for kind, n, value, text in steps:
        i = n % max(1, len(evs))
        if kind == "manifest_odd":
            manifest[MANIFEST_KEYS[n % len(MANIFEST_KEYS)]] = ODD[(n // 29) % len(ODD)]
        elif kind == "manifest_raw":
            raw_manifest = (RAW_MANIFEST[n % len(RAW_MANIFEST)], n)
        elif kind == "ranges_odd" and isinstance(manifest.get("ranges"), dict) \
                and manifest["ranges"]:
            keys = sorted(manifest["ranges"])
            k = keys[n % len(keys)]
            was = manifest["ranges"][k]
            lo, hi = (was if isinstance(was, list) and len(was) == 2 and all(
                type(x) is int for x in was) else (1, 1))
            manifest["ranges"][k] = [
                [-5, hi], [hi, lo], [0, 0], [lo, hi + 10**6], [1.0, float(hi)], [lo, hi, 3],
                [lo], [lo, 2**64], [lo - 1, hi - 1], [-(2**63), 2**63], [True, hi],
                [str(lo), str(hi)], [lo, hi - 1], [lo + 1, hi]][(n // 7) % 14]
            if n % 5 == 0:  # an overlapping range of another origin: the same one
                manifest["ranges"][origins[n % len(origins)]] = [lo, hi]
        elif kind == "hq_entity":
            mine = [e for e in evs if e.get("entity") in ODD_HQ]
            if not mine:
                continue
            e = mine[n % len(mine)]
            what, val = ODD_HQ[e["entity"]][(n // 11) % len(ODD_HQ[e["entity"]])]
            if what == "id":
                e["id"] = val
            elif isinstance(e.get("fields"), dict):
                e["fields"][what] = val
            if e["entity"] == "plan" or n % 13 == 0:
                plan = next((x for x in evs if x.get("entity") == "plan"), None)
                if plan is not None and isinstance(plan.get("fields"), dict):
                    from tests.plan_fuzz import changed

                    doc = plan["fields"].get("document")
                    if isinstance(doc, dict):
                        plan["fields"]["document"] = changed(doc, [(n, value, n % 4 == 0)])
        elif kind == "manifest_field":
            manifest[MANIFEST_KEYS[n % len(MANIFEST_KEYS)]] = value
        elif kind == "manifest_drop":
            manifest.pop(MANIFEST_KEYS[n % len(MANIFEST_KEYS)], None)
        elif kind == "ranges" and isinstance(manifest.get("ranges"), dict):
            for k in list(manifest["ranges"]):
                manifest["ranges"][k] = value if n % 2 else [n % 100, n % 1000]
        elif kind == "acks" and isinstance(manifest.get("acks"), dict):
            manifest["acks"][text or "x"] = value if n % 2 else n
        elif not evs:
            continue
        elif kind == "event_field":
            evs[i][EVENT_KEYS[n % len(EVENT_KEYS)]] = value
        elif kind == "event_drop_key":
            evs[i].pop(EVENT_KEYS[n % len(EVENT_KEYS)], None)
        elif kind == "field_value" and isinstance(evs[i].get("fields"), dict) and evs[i]["fields"]:
            keys = sorted(evs[i]["fields"])
            evs[i]["fields"][keys[n % len(keys)]] = value
        elif kind == "field_drop" and isinstance(evs[i].get("fields"), dict) and evs[i]["fields"]:
            keys = sorted(evs[i]["fields"])
            evs[i]["fields"].pop(keys[n % len(keys)])
        elif kind == "add_field" and isinstance(evs[i].get("fields"), dict):
            evs[i]["fields"][text or "value.x"] = value
        elif kind == "dup_line":
            evs.insert(i, dict(evs[i]))
        elif kind == "drop_line":
            evs.pop(i)
        elif kind == "swap_lines":
            j = (n // 7) % len(evs)
            evs[i], evs[j] = evs[j], evs[i]
        elif kind == "cut_lines":
            evs = evs[: i]
        elif kind == "reverse":
            evs.reverse()
        elif kind == "origin_other":
            evs[i]["origin"] = origins[n % len(origins)]
        elif kind == "seq":
            evs[i]["seq"] = [0, 1, -1, 2**63, 10**18 - 1, 10**18, n][n % 7]
        elif kind == "hlc":
            evs[i]["hlc"] = [0, -1, 2**63 - 1, 2**63, 2**64, 10**30, n][n % 7]
        elif kind == "entity_id_office":
            eid = evs[i].get("id")
            if isinstance(eid, str) and "|" in eid:
                evs[i]["id"] = (text or "NG") + eid[eid.index("|"):]
        elif kind == "member_order":
            order = [order[k] for k in ((n % 3), (n + 1) % 3, (n + 2) % 3)]
        elif kind == "raw_line":
            raw_lines[i] = text.encode("utf-8", "surrogatepass") or b"{}"
        elif kind == "event_odd":
            e = evs[i]
            if not isinstance(e.get("fields"), dict):
                continue
            if n % 4 == 0 and isinstance(e.get("id"), str) and e.get("entity") == "progress":
                e["id"] = ODD_IDS[(n // 4) % len(ODD_IDS)].format(o=e["id"].split("|")[0])
            else:
                keys = sorted(ODD_FIELDS)
                key = keys[(n // 4) % len(keys)]
                e["fields"][key] = ODD_FIELDS[key][(n // 97) % len(ODD_FIELDS[key])]
            if n % 9 == 0:
                e["author"] = ["x" * 1_000_000, "a\nb", "\x00", "\ud800", ""][(n // 9) % 5]
        elif kind == "event_raw":
            odd_lines[i] = RAW_LINE[n % len(RAW_LINE)]
    if rechained:
        evs = rechain(evs, odd_lines)
    lines = [raw_lines.get(k) or (_odd_line(e, odd_lines[k]) if k in odd_lines else line_of(e))
             for k, e in enumerate(evs)]
    return manifest, lines, tuple(order), raw_manifest


#: words of Python's own exceptions, English in every language and meant for a
#: programmer: never in a reason shown to a person
PYTHON_WORDS = ("codec can't", "Errno", "object has no attribute", "invalid literal",
                "not supported between", "unhashable", "NoneType", "Expecting ",
                "surrogates not allowed", "Traceback", "internal error", "object is not",
                "out of range float", "exceeds the limit", "Exceeds the limit")

# --- the check --------------------------------------------------------------------------

class Checker:
    """Sources: each office's bundle (imported at HQ), HQ's for BN (imported at BN),
    HQ's setup bundle for ML (``init --from``)."""

    def __init__(self, world: Path, work: Path) -> None:
        import collections

        from fieldplan.replica import open_replica

        self.world, self.work = world, work
        self.deep = False
        self.outcomes = collections.Counter()
        self.count = 0
        self.sources = {}
        self.targets = {}
        hq_secret = minisign.load_secret_key(world / "hq.sqlite3.key")
        for path in sorted((world / "bundles").glob("*.fieldplan")):
            office = path.name.split("-")[0]
            secret = minisign.load_secret_key(world / "offices" / f"{office}.sqlite3.key")
            self.sources[office] = (unpack(path.read_bytes()), secret)
            self.targets[office] = world / "hq.sqlite3"
        self.sources["HQ>BN"] = (unpack((world / "from-hq" / "HQ-to-BN.fieldplan").read_bytes()),
                                 hq_secret)
        self.targets["HQ>BN"] = world / "offices" / "BN.sqlite3"
        self.sources["setup"] = (unpack((world / "from-hq" / "ML-setup.fieldplan").read_bytes()),
                                 hq_secret)
        self.targets["setup"] = None
        hq = open_replica(world / "hq-merged.sqlite3")
        try:
            self.origins = [r[0] for r in hq.conn.execute("SELECT DISTINCT origin FROM events")]
        finally:
            hq.close()

    def fresh(self, target: Path) -> Path:
        self.count += 1
        d = self.work / f"db{self.count}"
        d.mkdir()
        for name in (target.name, f"{target.name}.key"):
            shutil.copy2(target.parent / name, d / name)
        return d / target.name

    def note(self, what: str, why: str) -> None:
        self.outcomes[(what, why[:70])] += 1
        assert not any(w in why for w in PYTHON_WORDS), ("Python's own words", why[:300])

    def check(self, source: str, steps, rechained: bool, *, pre: list[str] = ()) -> None:
        (manifest, evs), secret = self.sources[source]
        m, lines, order, raw = apply(steps, rechained, manifest, evs, self.origins)
        data = pack(m, lines, secret, order=order, raw_manifest=raw)
        if self.targets[source] is None:
            self.check_setup(data)
        else:
            self.check_import(self.fresh(self.targets[source]), data,
                              [] if source.startswith("HQ") else pre)

    def check_setup(self, data: bytes) -> None:
        from fieldplan.sync import init_from_setup

        self.count += 1
        d = self.work / f"setup{self.count}"
        d.mkdir()
        setup = d / "ML-setup.fieldplan"
        setup.write_bytes(data)
        try:
            rep = init_from_setup(d / "ML.sqlite3", setup)
        except FieldplanError as exc:
            assert "\n" not in str(exc) and len(str(exc)) < 3000, str(exc)[:3000]
            left = sorted(p.name for p in d.iterdir() if p.name != setup.name)
            assert not left, ("refused, and left", left, str(exc))
            self.note("refused", str(exc))
            shutil.rmtree(d, ignore_errors=True)
            return
        rep.close()
        self.note("set up", "")
        try:
            self.read_after(d / "ML.sqlite3")
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def check_import(self, path: Path, data: bytes, pre) -> None:
        from fieldplan.replica import open_replica
        from fieldplan.sync import import_bundle, verify_bundle

        rep = open_replica(path)
        try:
            for other in pre:  # another office's real bundle first
                (om, oe), osecret = self.sources[other]
                import_bundle(rep, pack(om, [line_of(e) for e in oe], osecret), backup=False)
            before = snapshot(rep)
            v = verify_bundle(rep, data)
            assert isinstance(v["reason"], str) and "\n" not in v["reason"], v
            try:
                outcome = import_bundle(rep, data, name="fuzz.fieldplan", backup=False)
            except FieldplanError as exc:
                assert "\n" not in str(exc), str(exc)
                assert snapshot(rep) == before, (str(exc), "database changed")
                outcome = None
            if outcome is None:
                self.note("raised", "")
            else:
                self.note(outcome.outcome, outcome.reason or "")
                assert "\n" not in (outcome.reason or ""), outcome.reason
                assert len(outcome.reason or "") < 3000, outcome.reason[:300]
                if outcome.outcome == "rejected":
                    assert snapshot(rep) == before, (outcome.reason, "database changed")
        finally:
            rep.close()
        try:
            self.read_after(path)
        finally:
            shutil.rmtree(path.parent, ignore_errors=True)

    def read_after(self, path: Path) -> None:
        """Whatever was merged must still be listed, counted and exported."""
        import contextlib

        from fieldplan.cli import main as cli

        for argv in (["status"], ["progress", "list"], ["digest"], ["conflicts", "list"],
                     ["data", "export", "--format", "xlsx", "-o", str(path.parent / "t.xlsx")],
                     # (an office prints its sheet: the review pack is headquarters')
                     ["report", "review" if path.name.startswith("hq") else "sheet",
                      "--period", "2026-S1", "-o", str(path.parent / "r.pdf")]
                     ) if self.deep else (
                     ["status"], ["progress", "list"]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = cli(["--db", str(path), "--json", *argv])
            assert code == 0 and "internal error" not in err.getvalue(), (
                argv, code, err.getvalue()[-2000:])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", help="one source: an office code, HQ>BN or setup")
    ap.add_argument("--deep", action="store_true", help="also the review pack and XLSX export")
    ap.add_argument("--kinds", default="", help="only these kinds of change (comma-separated)")
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds one case may take (a hang is a failure)")
    args = ap.parse_args()
    KINDS_ONLY[:] = [k for k in args.kinds.split(",") if k]
    assert set(KINDS_ONLY) <= set(KINDS), set(KINDS_ONLY) - set(KINDS)
    import signal

    def too_long(*_):
        raise TimeoutError(f"one case took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        world = make_world(tmp / "world")
        (tmp / "work").mkdir()
        checker = Checker(world, tmp / "work")
        checker.deep = args.deep
        sources = sorted(checker.sources)
        offices = [o for o in sources if len(o) == 2]

        @settings(max_examples=args.examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck), derandomize=False)
        @given(office=st.sampled_from(sources if not args.only else [args.only]),
               mut=mutation(), pre=st.booleans())
        def run(office, mut, pre):
            steps, rechained = mut
            signal.alarm(args.timeout)
            try:
                checker.check(office, steps, rechained,
                              pre=[o for o in offices if o != office][:1] if pre else [])
            finally:
                signal.alarm(0)

        import random

        random.seed(args.seed)
        try:
            from hypothesis import seed as hseed

            hseed(args.seed)(run)()
        except Exception:
            traceback.print_exc()
            for (what, why), n in checker.outcomes.most_common(40):
                print(f"{n:5} {what:12} {why}")
            return 1
        for (what, why), n in checker.outcomes.most_common(40):
            print(f"{n:5} {what:12} {why}")
    print(f"{args.examples} examples, no problem found")
    return 0


if __name__ == "__main__":
    sys.exit(main())
