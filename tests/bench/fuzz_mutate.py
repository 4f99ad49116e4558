"""Mutation fuzzing of what fieldplan reads from outside, seeded and reproducible (run
on demand, never in the suite). Beyond tests/bundle_fuzz.py (hypothesis, structured
changes of the JSON) it changes the files as bytes and as ZIP archives:

- ``zip``: real bundles of a demo world (office → HQ, HQ → office, a setup bundle for
  ``init --from``), signed again with the sender's key, then written again as a ZIP
  archive another way (member order, compression method, data descriptors, zip64
  extra fields, odd extra fields, archive comment, names, sizes and offsets in the
  headers, versions and flags), or their bytes flipped, cut, repeated, taken out;
- ``content``: the manifest's and events' JSON text changed as text (repeated keys,
  deep nesting, NaN, huge numbers, unicode oddities, fields missing, seq gaps, hlc
  at its edges, hashes of the wrong length) and signed again;
- ``plan``: plan files for ``plan import`` (csv, json, toml, xlsx) as exported by a
  demo HQ, their bytes or their text changed;
- ``drafts``: an office's drafts journal (``<db>.drafts.json``) changed, then read by
  the client's DraftJournal.

Each case must end as DESIGN says: merged / duplicate / quarantined / rejected with a
one-line reason, or a one-line error (exit 1), never an unexpected exception; a refusal
leaves the database's digest, events and versions as they were, and PRAGMA
integrity_check ok. A failing case is saved under --keep DIR with its seed.

    .venv/bin/python tests/bench/fuzz_mutate.py [--kinds zip,content,plan,drafts]
        [--cases N] [--seed S] [--keep DIR] [--cli-every K]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from fieldplan.errors import FieldplanError
from tests.bundle_fuzz import (
    PYTHON_WORDS,
    Checker,
    line_of,
    make_world,
    pack,
    snapshot,
)

# --- a ZIP writer with every knob ------------------------------------------------------


def write_zip(members: list[tuple[str, bytes]], rnd: random.Random, knobs: set[str]) -> bytes:
    """A ZIP archive of ``members`` written by hand, so that each header can be odd."""
    out = bytearray()
    central = bytearray()
    for name, data in members:
        nb = name.encode("utf-8")
        method = 8
        if "stored" in knobs or ("mixed_method" in knobs and rnd.random() < 0.5):
            method = 0
        if "method_odd" in knobs and rnd.random() < 0.5:
            method = rnd.choice([1, 6, 9, 12, 14, 93, 95, 98, 99, 65535])
        if method == 8:
            co = zlib.compressobj(rnd.choice([0, 1, 9]), zlib.DEFLATED, -15)
            comp = co.compress(data) + co.flush()
        else:
            comp = data
        crc = zlib.crc32(data)
        if "bad_crc" in knobs and rnd.random() < 0.4:
            crc ^= 1 << rnd.randrange(32)
        flags = 0x800 if "utf8_flag" in knobs else 0
        descriptor = "descriptor" in knobs and rnd.random() < 0.7
        if descriptor:
            flags |= 0x8
        if "flags_odd" in knobs:
            flags |= rnd.choice([0x1, 0x2, 0x4, 0x40, 0x2000, 0x20])
        zip64 = "zip64" in knobs and rnd.random() < 0.7
        extra = b""
        csize, usize = len(comp), len(data)
        l_csize, l_usize = (0, 0) if descriptor else (csize, usize)
        if zip64:
            extra += struct.pack("<HHQQ", 1, 16, usize, csize)
            l_csize, l_usize = 0xFFFFFFFF, 0xFFFFFFFF
        if "extra_odd" in knobs:
            extra += rnd.choice([
                struct.pack("<HH", 0x5455, 5) + b"\x01" + struct.pack("<I", 0),  # time
                struct.pack("<HH", 0x7875, 11) + b"\x01\x04" + b"\0" * 4 + b"\x04" + b"\0" * 4,
                struct.pack("<HH", 0xCAFE, 0),
                struct.pack("<HH", 0x0001, 4) + b"\0\0\0\0",       # zip64 too short
                struct.pack("<HH", 0x0001, 200),                 # longer than the field
                struct.pack("<HH", 0x7075, 9) + b"\x01" + b"\0" * 4 + b"x" * 4,  # unicode path
                os.urandom(rnd.randrange(1, 40)),
            ])
        version = 45 if zip64 else 20
        if "version_odd" in knobs:
            version = rnd.choice([0, 63, 255, 0xFFFF])
        if "size_lie" in knobs and rnd.random() < 0.5:
            l_usize = rnd.choice([0, 1, usize + 1, 0xFFFFFFFE, usize * 1000 & 0xFFFFFFFF])
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, version, flags, method, 0, 0x21,
                           crc if not descriptor else 0, l_csize, l_usize, len(nb), len(extra))
        out += nb + extra + comp
        if descriptor:
            if zip64:
                out += struct.pack("<IIQQ", 0x08074B50, crc, csize, usize)
            elif rnd.random() < 0.5:
                out += struct.pack("<IIII", 0x08074B50, crc, csize, usize)
            else:
                out += struct.pack("<III", crc, csize, usize)
        c_extra = b""
        c_csize, c_usize, c_off = csize, usize, offset
        if zip64:
            c_extra = struct.pack("<HHQQQ", 1, 24, usize, csize, offset)
            c_csize = c_usize = c_off = 0xFFFFFFFF
            if rnd.random() < 0.2:  # the zip64 field lying
                c_extra = struct.pack("<HHQQQ", 1, 24, usize * 7 + 1, csize, offset + 3)
        if "extra_odd" in knobs:
            c_extra += extra[-min(len(extra), 12):] if extra else b""
        if "size_lie" in knobs and rnd.random() < 0.5:
            c_usize = rnd.choice([0, 1, usize - 1 if usize else 0, 0xFFFFFFFE, 2**31])
        if "offset_lie" in knobs and rnd.random() < 0.5:
            c_off = rnd.choice([0, 1, offset + 1, max(0, offset - 1), 0xFFFFFFFE])
        ext_attr = 0o100644 << 16
        if "attrs_odd" in knobs:
            ext_attr = rnd.choice([0, 0o120777 << 16, 0o040755 << 16, 0x10, 0o060644 << 16,
                                   0xFFFFFFFF])
        cnb = nb
        if "central_name" in knobs and rnd.random() < 0.5:
            cnb = rnd.choice([nb.upper(), nb + b" ", b"./" + nb, nb[:-1], b"x" + nb[1:]])
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, version, flags,
                               method, 0, 0x21, crc, c_csize, c_usize, len(cnb), len(c_extra),
                               0, 0, 0, ext_attr, c_off)
        central += cnb + c_extra
    cd_off = len(out)
    out += central
    count = len(members)
    if "count_lie" in knobs:
        count = rnd.choice([0, 1, 2, 4, 0xFFFF])
    comment = b""
    if "comment" in knobs:
        comment = rnd.choice([b"hello", b"PK\x05\x06" + b"\0" * 18, os.urandom(200),
                              b"x" * 65535, "é".encode()])
    if "zip64_end" in knobs:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count,
                           len(central), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                           0xFFFFFFFF, len(comment))
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), cd_off,
                           len(comment) if "comment_len_lie" not in knobs else
                           rnd.choice([0, min(len(comment) + 5, 0xFFFF), 0xFFFF]))
    return bytes(out + comment)


ZIP_KNOBS = ["stored", "mixed_method", "method_odd", "bad_crc", "utf8_flag", "descriptor",
             "flags_odd", "zip64", "extra_odd", "version_odd", "size_lie", "offset_lie",
             "attrs_odd", "central_name", "count_lie", "comment", "zip64_end",
             "comment_len_lie"]
#: knobs a careful reader might well accept (the others should be refused)
BENIGN = ["stored", "mixed_method", "utf8_flag", "descriptor", "zip64", "comment",
          "zip64_end", "extra_odd"]


def members_of(data: bytes) -> list[tuple[str, bytes]]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def byte_mutation(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.choice([1, 1, 1, 2, 3, 8])):
        op = rnd.randrange(8)
        if not b:
            break
        i = rnd.randrange(len(b))
        if op == 0:
            b[i] ^= 1 << rnd.randrange(8)
        elif op == 1:
            b[i] = rnd.choice([0, 0xFF, 0x7F, 0x80, ord("P"), ord("K")])
        elif op == 2:
            del b[i:i + rnd.randrange(1, 64)]
        elif op == 3:
            b[i:i] = os.urandom(rnd.randrange(1, 64))
        elif op == 4:
            b = b[:i]
        elif op == 5:
            j = rnd.randrange(len(b))
            b[i:i] = b[j:j + rnd.randrange(1, 200)]
        elif op == 6:  # a 16 or 32-bit field somewhere set to an edge
            v = rnd.choice([0, 0xFFFF, 0xFFFFFFFF, 0x7FFFFFFF, 1])
            b[i:i + 4] = struct.pack("<I", v)
        else:
            b = b.replace(b"\n", b"\r\n") if rnd.random() < 0.5 else b + os.urandom(20)
    return bytes(b)


# --- text mutations of JSON ------------------------------------------------------------

ODD_TEXT = ["NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1" + "0" * 400, "-0", "0.0",
            "1e-400", "9007199254740993", "18446744073709551616", "true", "null", '""',
            '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '"\u202e"', '"\ufeff"', '"ＢＮ"',
            '"B\u0301N"', '[' * 3000 + ']' * 3000, '{"a":' * 500 + '1' + '}' * 500,
            '"' + "x" * 70000 + '"', '[]', '{}', '"' + "a" * 63 + '"', '"' + "a" * 65 + '"',
            '"' + "0" * 64 + '"', '"' + "A" * 64 + '"', "2147483648", "-9223372036854775809",
            '"9999-12-31T23:59:59Z"', '"0000-00-00T00:00:00Z"', '"2026-02-30T00:00:00Z"',
            '"\\"', "1.5", "[1,2", '"a"a', "\x00", "tru", "01", "+1", ".5", "1.", "0x10"]


def json_text_mutation(text: str, rnd: random.Random) -> str:
    """Change a canonical JSON object's text as text."""
    import re

    for _ in range(rnd.choice([1, 1, 2, 3])):
        op = rnd.randrange(7)
        values = [m.span() for m in re.finditer(
            r'(?<=:)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false|null)', text)]
        keys = [m.span() for m in re.finditer(r'"(?:[^"\\]|\\.)*"(?=:)', text)]
        if op <= 1 and values:  # a value replaced
            s, e = rnd.choice(values)
            text = text[:s] + rnd.choice(ODD_TEXT) + text[e:]
        elif op == 2 and keys:  # a key repeated (the later one a different value)
            s, e = rnd.choice(keys)
            k = text[s:e]
            text = text[:1] + k + ":" + rnd.choice(ODD_TEXT) + "," + text[1:]
        elif op == 3 and keys:  # a key-value pair taken out
            m = list(re.finditer(r',?"(?:[^"\\]|\\.)*":("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|'
                                 r'true|false|null)', text))
            if m:
                mm = rnd.choice(m)
                text = text[:mm.start()] + text[mm.end():]
                text = text.replace("{,", "{")
        elif op == 4 and keys:  # a key renamed to an odd one
            s, e = rnd.choice(keys)
            text = text[:s] + rnd.choice(['""', '"\\u0000"', '"seq "', '"Seq"', '"__proto__"',
                                          '"\ufeffseq"']) + text[e:]
        elif op == 5:  # whitespace or a BOM
            i = rnd.randrange(len(text) + 1)
            text = text[:i] + rnd.choice([" ", "\t", "\ufeff", "\u00a0", "\n"]) + text[i:]
        else:  # a value nested deep
            if values:
                s, e = rnd.choice(values)
                d = rnd.choice([5, 100, 990, 5000])
                text = text[:s] + "[" * d + text[s:e] + "]" * d + text[e:]
    return text


def sha_like(rnd: random.Random) -> str:
    return rnd.choice(["", "0" * 63, "0" * 65, "g" * 64, "A" * 64, "0" * 128, "0" * 64])


def content_case(manifest: dict, evs: list[dict], rnd: random.Random):
    """(manifest, lines, raw manifest or None) with one to three changes, the events'
    chain made right again after them most of the time (so that they reach the checks
    past it)."""
    from tests.bundle_fuzz import rechain

    m = dict(manifest)
    evs = [dict(e) for e in evs]
    raw = None
    text_lines: list[int] = []
    line_ops: list[int] = []
    for _ in range(rnd.choice([1, 1, 2, 3])):
        op = rnd.randrange(10)
        i = rnd.randrange(len(evs)) if evs else 0
        e = evs[i] if evs else {}
        if op == 0 and evs:  # an event line changed as text
            text_lines.append(i)
        elif op == 1:  # the manifest changed as text (then signed as it is)
            raw = True
        elif op == 2 and evs:  # a seq gap / repeat / edge
            seq = e.get("seq") if isinstance(e.get("seq"), int) else 1
            e["seq"] = rnd.choice([seq + 1, seq + 1000, 0, -1, 10**17, 10**18 - 1,
                                   10**18, 2**63, 1, seq - 1, float(seq), str(seq)])
        elif op == 3 and evs:  # hlc at its edges
            h = e.get("hlc") if isinstance(e.get("hlc"), int) else 0
            e["hlc"] = rnd.choice([0, -1, 1, 2**63 - 1, 2**63, 2**64, 10**30, h + 1, h - 1,
                                   h * 1000, h // 1000, float(h), str(h), 2**53 + 1,
                                   (2**48 - 1) << 16, 253402300799999 << 16])
        elif op == 4 and evs:  # prev, id or base hashes of the wrong length
            k = rnd.choice(["prev", "id", "base"])
            e[k] = sha_like(rnd) if k != "base" else rnd.choice([
                {"status": [sha_like(rnd)]}, sha_like(rnd), {}, {"status": [[]]},
                {"percent": [sha_like(rnd)] * 3}])
        elif op == 5:  # ranges / acks with odd numbers
            k = rnd.choice(["ranges", "acks", "event_count", "seen", "ack_hashes", "lost"])
            v = m.get(k)
            if isinstance(v, dict) and v:
                kk = rnd.choice(list(v))
                v = dict(v)
                inner = v[kk]
                v[kk] = rnd.choice([[1, 10**30], [5, 1], [0, 0], [-1, 3], [1.5, 2], "1-3",
                                    [None, None], 2**63, {}, inner, [1, 2, 3], sha_like(rnd)])
                m[k] = v
            else:
                m[k] = rnd.choice([2**63, -1, 10**30, 0, "3", [], {}, None])
        elif op == 6:  # a manifest field missing
            if m:
                m.pop(rnd.choice(list(m)), None)
        elif op == 7 and evs:  # a field missing from an event
            if e:
                e.pop(rnd.choice(list(e)), None)
        elif op == 8 and evs:  # a field value of another type, deep or unicode-odd
            f = e.get("fields")
            if isinstance(f, dict) and f:
                f = dict(f)
                kk = rnd.choice([*list(f), "value.x", "percent", "status", "state", "note"])
                f[kk] = rnd.choice([{"a": {"b": {"c": [1]}}}, [[[[[]]]]], "\u0000",
                                    "\u202e" * 50, "x" * 200000, 10**300, -0.0, 1e308, "ـــ",
                                    "\U0010FFFF", ["a"] * 1000, True, None, "e\u0301" * 100,
                                    101, -1, 50.5, "completed", "locked", "submitted", 2**63])
                e["fields"] = f
            else:
                e["fields"] = rnd.choice([[], "x", None, {"": 1}])
        elif evs:  # lines: reordered, repeated, cut, blank, CRLF
            c = rnd.randrange(4)
            if c == 0:
                rnd.shuffle(evs)
            elif c == 1:
                evs.insert(rnd.randrange(len(evs) + 1), dict(rnd.choice(evs)))
            elif c == 2:
                del evs[i]
            else:
                line_ops.append(i)
    if rnd.random() < 0.8:
        evs = rechain(evs)
    if rnd.random() < 0.7 and isinstance(m.get("ranges"), dict):  # ranges said again
        ranges: dict = {}
        for e in evs:
            o, q = e.get("origin"), e.get("seq")
            if isinstance(o, str) and isinstance(q, int) and not isinstance(q, bool):
                lo, hi = ranges.get(o, [q, q])
                ranges[o] = [min(lo, q), max(hi, q)]
        m["ranges"] = ranges
    lines = [line_of(e) for e in evs]
    for i in text_lines:
        if i < len(lines):
            lines[i] = json_text_mutation(lines[i].decode("utf-8", "surrogatepass"),
                                          rnd).encode("utf-8", "surrogatepass")
    for i in line_ops:
        if i <= len(lines):
            if rnd.random() < 0.5:
                lines.insert(i, rnd.choice([b"", b" ", b"\r", b"{}", b"\xef\xbb\xbf"]))
            elif i < len(lines):
                lines[i] = lines[i] + b"\r"
    if raw:
        from fieldplan.bundle import canonical_json
        try:
            base = canonical_json(m).decode()
        except (ValueError, TypeError):
            base = json.dumps(m, sort_keys=True, separators=(",", ":"), default=str)
        raw = json_text_mutation(base, rnd).encode("utf-8", "surrogatepass")
    else:
        raw = None
    return m, lines, raw


# --- the runner ------------------------------------------------------------------------


class Fail(Exception):
    pass


#: Python's own words that zipfile, json and the file system say, beyond PYTHON_WORDS
MORE_PYTHON_WORDS = ("flag bit", "zip file version", "Out of range float", "compression type",
                     "Bad magic", "Corrupt", "File is not a zip", "negative seek",
                     "Invalid argument", "index out of range", "Bad offset", "Truncated ",
                     "Expecting", "Extra data", "Unterminated", "Invalid control")


def one_line(text: str) -> None:
    if "\n" in text.strip() or not text.strip():
        raise Fail(f"not one line: {text[-3000:]!r}")
    if any(w in text for w in (*PYTHON_WORDS, *MORE_PYTHON_WORDS, "Traceback",
                               "internal error")):
        raise Fail(f"Python's own words: {text[-3000:]!r}")


def integrity(db: Path) -> None:
    import sqlite3

    c = sqlite3.connect(db)
    try:
        r = c.execute("PRAGMA integrity_check").fetchall()
    finally:
        c.close()
    if r != [("ok",)]:
        raise Fail(f"integrity_check {r}")


def cli(argv: list[str]) -> tuple[int, str, str]:
    from fieldplan.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
    return code, out.getvalue(), err.getvalue()


class Fuzzer:
    def __init__(self, world: Path, work: Path, keep: Path | None, cli_every: int) -> None:
        self.checker = Checker(world, work)
        self.world, self.work, self.keep, self.cli_every = world, work, keep, cli_every
        self.counts: dict[str, int] = {}
        self.outcomes: dict[tuple[str, str], int] = {}
        self.failures: list[tuple[str, int, str]] = []
        self.reasons: set[tuple[str, str, str]] = set()

    def note(self, kind: str, what: str, why: str) -> None:
        self.reasons.add((kind, what, why))
        self.outcomes[(kind, what, why[:60])] = self.outcomes.get((kind, what, why[:60]), 0) + 1

    # bundles

    def signed(self, source: str, rnd: random.Random) -> bytes:
        (manifest, evs), secret = self.checker.sources[source]
        return pack(manifest, [line_of(e) for e in evs], secret)

    def run_bundle(self, kind: str, source: str, data: bytes, n: int) -> None:
        if self.checker.targets[source] is None:
            self.run_setup(kind, data, n)
            return
        db = self.checker.fresh(self.checker.targets[source])
        try:
            if self.cli_every and n % self.cli_every == 0:
                self.run_cli_import(kind, db, data)
            else:
                self.run_core_import(kind, db, data)
            integrity(db)
        finally:
            shutil.rmtree(db.parent, ignore_errors=True)

    def run_core_import(self, kind: str, db: Path, data: bytes) -> None:
        from fieldplan.replica import open_replica
        from fieldplan.sync import import_bundle, verify_bundle

        rep = open_replica(db)
        try:
            before = snapshot(rep)
            v = verify_bundle(rep, data)
            if not isinstance(v.get("reason"), str) or "\n" in v["reason"]:
                raise Fail(f"verify reason {v!r}"[:3000])
            try:
                outcome = import_bundle(rep, data, name="fuzz.fieldplan", backup=False)
            except FieldplanError as exc:
                one_line(str(exc))
                if snapshot(rep) != before:
                    raise Fail(f"raised {exc} and changed the database") from None
                self.note(kind, "error", str(exc))
                return
            if outcome.outcome not in ("merged", "duplicate", "quarantined", "rejected"):
                raise Fail(f"outcome {outcome.outcome}")
            if outcome.reason:
                one_line(outcome.reason)
            if outcome.outcome == "rejected":
                if not outcome.reason:
                    raise Fail("rejected with no reason")
                if snapshot(rep) != before:
                    raise Fail(f"rejected ({outcome.reason}) and changed the database")
                if v.get("valid") and not v.get("reason"):
                    self.note(kind, "verify-ok-import-rejected", outcome.reason)
            self.note(kind, outcome.outcome, outcome.reason or "")
        finally:
            rep.close()
        code, _out, err = cli(["--db", str(db), "--json", "status"])
        if code != 0:
            raise Fail(f"status after import: {code} {err[-2000:]}")

    def run_cli_import(self, kind: str, db: Path, data: bytes) -> None:
        from fieldplan.replica import open_replica

        f = db.parent / "in.fieldplan"
        f.write_bytes(data)
        rep = open_replica(db)
        try:
            before = snapshot(rep)
        finally:
            rep.close()
        code, out, err = cli(["--db", str(db), "import", str(f)])
        if code not in (0, 1):
            raise Fail(f"import exit {code}: {err[-2000:]}")
        if code == 1:
            one_line(err or out)
            rep = open_replica(db)
            try:
                after = snapshot(rep)
            finally:
                rep.close()
            if after != before:
                raise Fail(f"exit 1 ({err.strip()}) and the database changed")
        self.note(kind, f"cli-exit{code}", (err or out).strip().splitlines()[-1:][0]
                  if (err or out).strip() else "")
        code, out, err = cli(["--db", str(db), "verify", str(f)])
        if code not in (0, 1):
            raise Fail(f"verify exit {code}: {err[-2000:]}")
        if code == 1:
            one_line(err or out)

    def run_setup(self, kind: str, data: bytes, n: int) -> None:
        d = self.work / f"setup{n}"
        d.mkdir()
        try:
            setup = d / "ML-setup.fieldplan"
            setup.write_bytes(data)
            code, _out, err = cli(["--db", str(d / "ML.sqlite3"), "init", "--from", str(setup)])
            if code not in (0, 1):
                raise Fail(f"init --from exit {code}: {err[-2000:]}")
            if code == 1:
                one_line(err)
                left = sorted(p.name for p in d.iterdir() if p.name != setup.name)
                if left:
                    raise Fail(f"init --from refused ({err.strip()}) and left {left}")
                self.note(kind, "setup-refused", err.strip())
            else:
                integrity(d / "ML.sqlite3")
                code, _out, err = cli(["--db", str(d / "ML.sqlite3"), "--json", "status"])
                if code != 0:
                    raise Fail(f"status after init --from: {code} {err[-2000:]}")
                self.note(kind, "setup-ok", "")
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def zip_case(self, rnd: random.Random, n: int) -> tuple[str, bytes]:
        source = rnd.choice(sorted(self.checker.sources))
        data = self.signed(source, rnd)
        how = rnd.random()
        if how < 0.55:
            members = members_of(data)
            if rnd.random() < 0.3:
                rnd.shuffle(members)
            if rnd.random() < 0.1:  # a member repeated, or an extra one
                members.append(rnd.choice(members) if rnd.random() < 0.5 else
                               (rnd.choice(["x.txt", "manifest.json ", "Manifest.json",
                                            "events.jsonl\x00", "a/../events.jsonl"]), b"x"))
            knobs = set(rnd.sample(BENIGN if rnd.random() < 0.5 else ZIP_KNOBS,
                                   rnd.choice([1, 1, 2, 3])))
            data = write_zip(members, rnd, knobs)
            if rnd.random() < 0.2:
                data = byte_mutation(data, rnd)
        else:
            data = byte_mutation(data, rnd)
        return source, data

    def content_case(self, rnd: random.Random) -> tuple[str, bytes]:
        source = rnd.choice(sorted(self.checker.sources))
        (manifest, evs), secret = self.checker.sources[source]
        m, lines, raw = content_case(manifest, evs, rnd)
        return source, pack(m, lines, secret, raw_manifest=raw,
                            keep_hash=rnd.random() < 0.05)

    # plan files

    def plan_setup(self) -> None:
        self.plans = {}
        for fmt in ("csv", "json", "toml", "xlsx"):
            f = self.work / f"plan.{fmt}"
            code, _out, err = cli(["--db", str(self.world / "hq.sqlite3"), "plan", "export",
                                  "-o", str(f)])
            if code != 0:
                raise RuntimeError(err)
            self.plans[fmt] = f.read_bytes()

    def plan_case(self, rnd: random.Random, n: int) -> None:
        fmt = rnd.choice(sorted(self.plans))
        data = self.plans[fmt]
        if fmt == "xlsx":
            data = self.xlsx_mutation(data, rnd) if rnd.random() < 0.6 else byte_mutation(data, rnd)
        elif rnd.random() < 0.5 and fmt in ("json",):
            data = json_text_mutation(data.decode(), rnd).encode("utf-8", "surrogatepass")
        elif rnd.random() < 0.6:
            enc = rnd.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"])
            data = text_mutation(data.decode(), rnd, fmt).encode(
                enc, "surrogatepass" if enc.startswith("utf-8") else "replace")
        else:
            data = byte_mutation(data, rnd)
        self.count_kind(f"plan-{fmt}")
        d = self.work / f"plan{n}"
        d.mkdir()
        try:
            for name in ("hq.sqlite3", "hq.sqlite3.key"):
                shutil.copy2(self.world / name, d / name)
            db = d / "hq.sqlite3"
            f = d / f"new.{fmt}"
            f.write_bytes(data)
            from fieldplan.replica import open_replica

            rep = open_replica(db)
            try:
                before = snapshot(rep)
            finally:
                rep.close()
            args = ["--db", str(db), "plan", "import", str(f)]
            if rnd.random() < 0.3 and self.has_dry_run:
                args.insert(-1, "--dry-run")
            code, out, err = cli(args)
            if code not in (0, 1):
                raise Fail(f"plan import exit {code}: {err[-2000:]}")
            if code == 1:
                one_line(err or out)
                rep = open_replica(db)
                try:
                    if snapshot(rep) != before:
                        raise Fail(f"plan import refused ({err.strip()}) and changed the db")
                finally:
                    rep.close()
                self.note("plan", "refused", err.strip())
            else:
                self.note("plan", "imported", "")
                code, _out, err = cli(["--db", str(db), "--json", "actions"])
                if code != 0:
                    raise Fail(f"actions after plan import: {code} {err[-2000:]}")
                code, _out, err = cli(["--db", str(db), "--json", "progress", "list"])
                if code != 0:
                    raise Fail(f"progress list after plan import: {code} {err[-2000:]}")
            integrity(db)
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def xlsx_mutation(self, data: bytes, rnd: random.Random) -> bytes:
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = [(i.filename, zf.read(i)) for i in zf.infolist()]
        i = rnd.randrange(len(members))
        name, body = members[i]
        if rnd.random() < 0.15:
            del members[i]
        elif name.endswith(".xml") or name.endswith(".rels"):
            text = body.decode("utf-8", "replace")
            import re

            cells = list(re.finditer(r"<v>([^<]*)</v>|<t[^>]*>([^<]*)</t>", text))
            if cells and rnd.random() < 0.6:
                c = rnd.choice(cells)
                s, e = c.span(1) if c.group(1) is not None else c.span(2)
                text = text[:s] + rnd.choice(["", "1e999", "NaN", "-1", "x" * 40000, "&amp;",
                                             "999999999999999999999", "PA1.1", "#REF!",
                                             "\u202e", "2025-13-45", "3.5"]) + text[e:]
            elif rnd.random() < 0.5:
                text = text.replace(rnd.choice(['r="A', 't="s"', 't="n"', "<row", "<c ", "/>"]),
                                    rnd.choice(['r="ZZZ', 't="e"', 't="b"', "<rowx",
                                                '<c t="str" ', "></x>"]), 1)
            else:
                j = rnd.randrange(len(text) + 1)
                odd = rnd.choice(["<", "&", "<!ENTITY a 'b'>", "\x00", "]]>"])
                text = text[:j] + odd + text[j:]
            members[i] = (name, text.encode("utf-8"))
        else:
            members[i] = (name, byte_mutation(body, rnd))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, body in members:
                zf.writestr(name, body)
        return out.getvalue()

    # drafts

    def drafts_setup(self) -> None:
        """A drafts journal as the client writes one, for BN's database."""
        from fieldplan.replica import open_replica

        bn = self.world / "offices" / "BN.sqlite3"
        rep = open_replica(bn)
        try:
            from fieldplan.draftfiles import DraftsOwner

            owner = DraftsOwner.of(rep).header()
            rows = rep.conn.execute(
                "SELECT action, period FROM progress LIMIT 3").fetchall()
        finally:
            rep.close()
        drafts = []
        for action, period in rows:
            drafts.append({"action": action, "period": period,
                           "values": {"status": "on-track", "percent": 40,
                                      "note": "typed", "achievements": "text"},
                           "held": {"percent": "4"},
                           "base": {"status": None, "percent": ["a" * 64]}})
        self.drafts_doc = {"version": 1, "owner": owner, "drafts": drafts}

    def drafts_case(self, rnd: random.Random, n: int) -> None:
        from fieldplan.draftfiles import drafts_paths

        self.count_kind("drafts")
        text = json.dumps(self.drafts_doc, ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        r = rnd.random()
        if r < 0.6:
            text = json_text_mutation(text, rnd)
            data = text.encode("utf-8", "surrogatepass")
        elif r < 0.8:
            data = byte_mutation(text.encode(), rnd)
        else:
            doc = json.loads(text)
            doc = structural(doc, rnd)
            data = json.dumps(doc, ensure_ascii=rnd.random() < 0.5).encode("utf-8",
                                                                        "surrogatepass")
        d = self.work / f"drafts{n}"
        d.mkdir()
        try:
            for name in ("BN.sqlite3", "BN.sqlite3.key"):
                shutil.copy2(self.world / "offices" / name, d / name)
            db = d / "BN.sqlite3"
            journal, aside = drafts_paths(db)
            (journal if rnd.random() < 0.75 else aside).write_bytes(data)
            from ui.drafts import DraftJournal

            owner = None
            if rnd.random() < 0.5:
                from fieldplan.draftfiles import DraftsOwner
                from fieldplan.replica import open_replica

                rep = open_replica(db)
                try:
                    owner = DraftsOwner.of(rep)
                finally:
                    rep.close()
            try:
                j = DraftJournal(db, owner=owner)
            except FieldplanError as exc:
                one_line(str(exc))
                self.note("drafts", "error", str(exc))
                return
            try:
                keys = j.reports()
                for key in keys:
                    j.values(key)
                    j.held(key)
                    j.base(key)
                    _ = key in j
                j.apart()
                j.aside_entries()
                j.foreign_entries()
                for key in keys[:1]:
                    j.put(key, {"note": "more"}, {}, None) if _put_takes(j) else None
                self.note("drafts", "read", f"{len(keys)} reports")
            finally:
                with contextlib.suppress(Exception):
                    from ui.drafts import flush_all
                    flush_all(5)
                with contextlib.suppress(Exception):
                    j.deleteLater()
            code, _out, err = cli(["--db", str(db), "--json", "status"])
            if code != 0:
                raise Fail(f"status with drafts: {err[-2000:]}")
        finally:
            shutil.rmtree(d, ignore_errors=True)

    def count_kind(self, kind: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1


def _put_takes(j) -> bool:
    import inspect

    return len(inspect.signature(j.put).parameters) >= 4


def structural(doc, rnd: random.Random):
    """One value anywhere in a JSON document replaced by an odd one."""
    odd = [None, True, 1e308, -1, 2**70, "", "x" * 100000, [], {}, [[[[]]]], {"a": {"b": {}}},
           "\ud800", "\u202e", "NaN", 0.5, ["status"], {"status": None}]
    paths = []

    def walk(x, p):
        paths.append(p)
        if isinstance(x, dict):
            for k, v in x.items():
                walk(v, (*p, k))
        elif isinstance(x, list):
            for i, v in enumerate(x):
                walk(v, (*p, i))

    walk(doc, ())
    p = rnd.choice(paths[1:])
    cur = doc
    for k in p[:-1]:
        cur = cur[k]
    if rnd.random() < 0.2 and isinstance(cur, dict):
        del cur[p[-1]]
    else:
        cur[p[-1]] = rnd.choice(odd)
    return doc


def text_mutation(text: str, rnd: random.Random, fmt: str) -> str:
    lines = text.split("\n")
    for _ in range(rnd.choice([1, 1, 2, 3])):
        op = rnd.randrange(7)
        if not lines:
            lines = [""]
        i = rnd.randrange(len(lines))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, rnd.choice(lines))
        elif op == 2:
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == 3:  # a token replaced
            import re

            toks = list(re.finditer(r'[^,;\t="\s\[\]{}:]+', lines[i]))
            if toks:
                t = rnd.choice(toks)
                lines[i] = lines[i][:t.start()] + rnd.choice(
                    ["", "nan", "inf", "1e999", "-1", "9" * 400, "PA1.1", "PA9.9", "\u202e",
                     "national", "2027-12-31", "2099-02-30", "\x00", '"', "'''", "[[x]]",
                     "\ud800", "true", "=1+1", "x" * 70000]) + lines[i][t.end():]
        elif op == 4:  # a line cut
            lines[i] = lines[i][:rnd.randrange(len(lines[i]) + 1)]
        elif op == 5:
            lines.insert(i, rnd.choice(["[plan]", "[[actions]]", "a = 1", "a.b.c = 1",
                                        ",,,,,,,,,,", "\"", "{", "[[areas]]", "plan_id,x",
                                        "\ufeff", "# é", "x = [" * 200]))
        else:
            lines = lines[:i]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kinds", default="zip,content,plan,drafts")
    ap.add_argument("--cases", type=int, default=200, help="cases of each kind")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", type=Path, help="save each failing case's input here")
    ap.add_argument("--cli-every", type=int, default=5,
                    help="every K-th bundle case through the command line (0: never)")
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--world", type=Path, help="a world made before (kept between runs)")
    ap.add_argument("--reasons", type=Path, help="write every distinct reason here")
    ap.add_argument("--stop", action="store_true", help="stop at the first failure")
    args = ap.parse_args()

    def too_long(*_):
        raise TimeoutError(f"one case took over {args.timeout} s")

    signal.signal(signal.SIGALRM, too_long)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if args.world and (args.world / "from-hq").exists():
            world = args.world
        else:
            world = make_world(args.world or tmp / "world")
        (tmp / "work").mkdir()
        fz = Fuzzer(world, tmp / "work", args.keep, args.cli_every)
        fz.has_dry_run = "--dry-run" in cli(["plan", "import", "--help"])[1]
        kinds = args.kinds.split(",")
        if "plan" in kinds:
            fz.plan_setup()
        if "drafts" in kinds:
            fz.drafts_setup()
        start = time.process_time()
        for kind in kinds:
            for n in range(args.cases):
                rnd = random.Random(f"{args.seed}-{kind}-{n}")
                data = None
                signal.alarm(args.timeout)
                try:
                    if kind == "zip":
                        source, data = fz.zip_case(rnd, n)
                        fz.count_kind(f"zip:{source}")
                        fz.run_bundle("zip", source, data, n)
                    elif kind == "content":
                        source, data = fz.content_case(rnd)
                        fz.count_kind(f"content:{source}")
                        fz.run_bundle("content", source, data, n)
                    elif kind == "plan":
                        fz.plan_case(rnd, n)
                    elif kind == "drafts":
                        fz.drafts_case(rnd, n)
                except Exception as exc:
                    why = (str(exc) if isinstance(exc, Fail)
                           else "".join(traceback.format_exception(exc))[-3000:])
                    fz.failures.append((kind, n, why))
                    print(f"FAIL {kind} case {n} (seed {args.seed}): {why}", flush=True)
                    if args.keep and data is not None:
                        args.keep.mkdir(parents=True, exist_ok=True)
                        (args.keep / f"{kind}-{args.seed}-{n}.bin").write_bytes(data)
                    if args.stop:
                        return 1
                finally:
                    signal.alarm(0)
        print(f"CPU {time.process_time() - start:.0f} s")
        for k, v in sorted(fz.counts.items()):
            print(f"{v:6} {k}")
        for (kind, what, why), v in sorted(fz.outcomes.items(), key=lambda x: -x[1])[:60]:
            print(f"{v:6} {kind:8} {what:14} {why}")
        print(f"{len(fz.failures)} failures")
        if args.reasons:
            args.reasons.write_text("\n".join(f"{k}\t{w}\t{y}" for k, w, y in
                                              sorted(fz.reasons)) + "\n")
        return 1 if fz.failures else 0


if __name__ == "__main__":
    sys.exit(main())
