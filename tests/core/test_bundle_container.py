"""The .fieldplan container: writing, reading, and every hostile input we can think of.

Hostile bundles are built by `make_zip` (arbitrary members) and `signed_members`
(a manifest with the right hash for whatever events bytes it is given, signed by
whatever key), so each test breaks exactly one thing.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import random
import re
import shutil
import stat
import struct
import subprocess
import tracemalloc
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest

from fieldplan import bundle, minisign
from fieldplan.bundle import (
    EVENTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    PREV_LEFT_OUT_SINCE,
    SIGNATURE,
    BundleInfo,
    canonical_json,
    open_bundle,
    write_bundle,
)
from fieldplan.errors import BundleError, SignatureError
from fieldplan.i18n import format_number
from fieldplan.minisign import SecretKey

KEY = SecretKey.from_seed(bytes(range(32)))
OTHER = SecretKey.from_seed(bytes(range(1, 33)))
BUNDLE_ID = "3f2a9c1b0d4e4f6a8b7c6d5e4f3a2b1c"
CREATED = "2026-03-12T09:30:00Z"
STATUSES = ["not-started", "on-track", "at-risk", "off-track", "completed"]


def make_events(n: int, seed: int = 0) -> list[dict]:
    """Realistic small progress events of one replica."""
    rng = random.Random(seed)
    events = []
    for seq in range(1, n + 1):
        action = f"PA{rng.randint(1, 4)}.{rng.randint(1, 9)}"
        events.append(
            {
                "origin": "6f1c2b9e-0d7a-4c1e-9a53-3f2a9c1b7e44",
                "seq": seq,
                "hlc": f"2026-0{rng.randint(1, 6)}-{rng.randint(10, 28)}T"
                f"{rng.randint(10, 23)}:{rng.randint(10, 59)}:00.{rng.randint(0, 999):03d}Z/{seq}",
                "author": rng.choice(["a.diallo", "f.traore", "m.keita"]),
                "entity": "progress",
                "key": {"office": "ML", "action": action, "period": "2026-S1"},
                "fields": {
                    "status": rng.choice(STATUSES),
                    "percent": rng.randint(0, 100),
                    "note": rng.choice(["", "Atelier tenu à Bamako.", "تم عقد ورشة عمل"]),
                },
                "prev": hashlib.sha256(str(seq - 1).encode()).hexdigest(),
            }
        )
    return events


def jsonl(events) -> bytes:
    return b"".join(canonical_json(e) + b"\n" for e in events)


def write(tmp_path: Path, events, name: str = "ML-test.fieldplan", **manifest) -> Path:
    fields = {"bundle_id": BUNDLE_ID, "created": CREATED, "plan_id": "iom-oic-2025", **manifest}
    path = tmp_path / name
    write_bundle(path, fields, events, KEY)
    return path


def signed_members(
    events: bytes,
    *,
    key: SecretKey = KEY,
    sign_with: SecretKey | None = None,
    comment: str | None = None,
    **changes,
) -> dict[str, bytes]:
    """Members of a bundle holding `events` verbatim, with a manifest that matches
    them (plus `changes`; a value of None deletes the field), signed by `sign_with`."""
    manifest = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "bundle_id": BUNDLE_ID,
        "created": CREATED,
        "event_count": events.count(b"\n"),
        "members": {EVENTS: {"sha256": hashlib.sha256(events).hexdigest(), "size": len(events)}},
        "public_key": key.public.to_base64(),
        "key_id": key.public.key_id_hex,
    }
    manifest.update(changes)
    manifest = {k: v for k, v in manifest.items() if v is not None}
    manifest_bytes = canonical_json(manifest)
    signature = minisign.sign(
        sign_with or key,
        manifest_bytes,
        comment if comment is not None else f"bundle_id:{BUNDLE_ID} created:{CREATED}",
    )
    return {EVENTS: events, MANIFEST: manifest_bytes, SIGNATURE: signature.encode()}


def make_zip(members, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP of (name or ZipInfo, bytes) pairs, as given: no checks."""
    if isinstance(members, dict):
        members = list(members.items())
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name"
        with zipfile.ZipFile(buf, "w", compression) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def expect(data, match: str, error=BundleError, **limits) -> str:
    with pytest.raises(error, match=match) as e:
        open_bundle(data, **limits)
    message = str(e.value)
    assert "\n" not in message
    return message


def read_all(data, **limits) -> list[dict]:
    with open_bundle(data, **limits) as b:
        return list(b.iter_events())


GOOD_EVENTS = jsonl(make_events(5))


# ------------------------------------------------------------------ writing and reading


def test_canonical_json() -> None:
    assert canonical_json({"b": 1, "a": [1.5, "é", None, True]}) == (
        '{"a":[1.5,"é",null,true],"b":1}'.encode()
    )
    assert canonical_json({"z": {"y": 1, "x": 2}}) == b'{"z":{"x":2,"y":1}}'
    for bad in [float("nan"), float("inf"), -float("inf")]:
        with pytest.raises(ValueError):
            canonical_json({"v": bad})


def test_round_trip(tmp_path) -> None:
    events = make_events(250)
    path = tmp_path / "out.fieldplan"
    info = write_bundle(
        path,
        {"bundle_id": BUNDLE_ID, "created": CREATED, "office": "ML", "acks": {"HQ": 12}},
        events,
        KEY,
    )
    assert info == BundleInfo(path, BUNDLE_ID, 250, path.stat().st_size)
    with open_bundle(path) as b:
        m = b.manifest
        assert m["format"] == "fieldplan-bundle" and m["version"] == FORMAT_VERSION
        assert (m["bundle_id"], m["created"], m["event_count"]) == (BUNDLE_ID, CREATED, 250)
        assert m["office"] == "ML" and m["acks"] == {"HQ": 12}
        lines = jsonl(events)
        assert m["members"] == {
            EVENTS: {"sha256": hashlib.sha256(lines).hexdigest(), "size": len(lines)}
        }
        assert m["public_key"] == KEY.public.to_base64()
        assert m["key_id"] == KEY.public.key_id_hex == b.key_id
        assert b.public_key == KEY.public
        assert (b.bundle_id, b.created, b.event_count) == (BUNDLE_ID, CREATED, 250)
        assert b.size == info.size
        assert b.trusted_comment == f"bundle_id:{BUNDLE_ID} created:{CREATED}"
        assert list(b.iter_events()) == events
        assert list(b.iter_events()) == events  # can be read again
        assert list(b.iter_lines()) == lines.splitlines()
    assert b.closed


def test_zero_events(tmp_path) -> None:
    path = write(tmp_path, [])
    assert read_all(path) == []


def test_defaults_for_id_and_time_and_caller_dict_untouched(tmp_path) -> None:
    manifest = {"office": "ML"}
    info = write_bundle(tmp_path / "a.fieldplan", manifest, iter(make_events(3)), KEY)
    assert manifest == {"office": "ML"}
    with open_bundle(info.path) as b:
        assert re.fullmatch(r"[0-9a-f]{32}", b.bundle_id) and b.bundle_id == info.bundle_id
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b.created)


def test_bad_bundle_id_or_time_refused_when_writing(tmp_path) -> None:
    with pytest.raises(BundleError, match="bad bundle id"):
        write(tmp_path, [], bundle_id="id with spaces")
    with pytest.raises(BundleError, match="bad created time"):
        write(tmp_path, [], created="2026-03-12 09:30")
    assert list(tmp_path.iterdir()) == []


def test_zip_is_deterministic(tmp_path) -> None:
    a = write(tmp_path, make_events(50), "a.fieldplan").read_bytes()
    b = write(tmp_path, make_events(50), "b.fieldplan").read_bytes()
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert sorted(zf.namelist()) == sorted([EVENTS, MANIFEST, SIGNATURE])
        for info in zf.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == stat.S_IFREG | 0o644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_progress_reports_events(tmp_path) -> None:
    calls = []
    write_bundle(
        tmp_path / "p.fieldplan",
        {},
        make_events(12_000),
        KEY,
        progress=lambda done, total, label: calls.append((done, total)),
    )
    assert calls == [(5000, 12_000), (10_000, 12_000), (12_000, 12_000)]


class Boom(Exception):
    pass


def failing_events(n: int):
    yield from make_events(n)
    raise Boom("disk full, say")


def test_failed_write_leaves_nothing(tmp_path) -> None:
    with pytest.raises(Boom):
        write_bundle(tmp_path / "x.fieldplan", {}, failing_events(2000), KEY)
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_the_previous_file(tmp_path) -> None:
    path = write(tmp_path, make_events(3), "x.fieldplan")
    before = path.read_bytes()
    with pytest.raises(Boom):
        write_bundle(path, {}, failing_events(2000), KEY)
    with pytest.raises(BundleError, match="event 2 cannot be written"):
        write_bundle(path, {}, [{"a": 1}, {"a": float("nan")}], KEY)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["x.fieldplan"]


def test_temporary_name_is_hidden_part_file(tmp_path, monkeypatch) -> None:
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src).name, Path(dst).name))
        real_replace(src, dst)

    monkeypatch.setattr(bundle.os, "replace", spy)
    write(tmp_path, [], "x.fieldplan")
    ((tmp_name, final),) = seen
    assert final == "x.fieldplan"
    assert tmp_name.startswith(".x.fieldplan.") and tmp_name.endswith(".part")


def test_oversized_event_refused_when_writing(tmp_path) -> None:
    with pytest.raises(BundleError, match=r"event 2 is .*larger than the 1 KiB limit"):
        write_bundle(
            tmp_path / "x.fieldplan",
            {},
            [{"note": "ok"}, {"note": "x" * 2000}],
            KEY,
            max_event_line_bytes=1024,
        )
    assert list(tmp_path.iterdir()) == []


def test_write_streams_events(tmp_path) -> None:
    # 16 MB of events made one at a time: memory must not grow with their size.
    def events():
        for i in range(30_000):
            yield {"seq": i, "note": f"event {i} " + "x" * 500}

    tracemalloc.start()
    try:
        write_bundle(tmp_path / "big.fieldplan", {}, events(), KEY)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024
    with open_bundle(tmp_path / "big.fieldplan") as b:
        assert b.event_count == 30_000 and b.events_size > 15_000_000


def test_size_close_to_gzip(tmp_path) -> None:
    events = make_events(3000)
    path = write(tmp_path, events)
    gz = gzip.compress(jsonl(events), compresslevel=9)
    assert path.stat().st_size <= 1.10 * len(gz), (path.stat().st_size, len(gz))


@pytest.mark.skipif(shutil.which("minisign") is None, reason="stock minisign not installed")
def test_stock_minisign_verifies_a_bundle_manifest(tmp_path) -> None:
    path = write(tmp_path, make_events(20))
    with zipfile.ZipFile(path) as zf:
        (tmp_path / "manifest.json").write_bytes(zf.read(MANIFEST))
        (tmp_path / "manifest.json.minisig").write_bytes(zf.read(SIGNATURE))
    public_key = json.loads((tmp_path / "manifest.json").read_bytes())["public_key"]
    result = subprocess.run(
        ["minisign", "-V", "-P", public_key, "-m", str(tmp_path / "manifest.json")],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert f"bundle_id:{BUNDLE_ID} created:{CREATED}" in result.stdout


def test_bundle_filename() -> None:
    assert bundle.bundle_filename("ML", "3f2a9c1b", 41, 57) == "ML-3f2a9c1b-41-57.fieldplan"
    assert bundle.bundle_filename("RO-Dakar", "ab", 1, 1) == "RO-Dakar-ab-1-1.fieldplan"
    assert bundle.bundle_filename("RO-Bénin/../x", "a b", 0, 3) == "RO-Benin_x-a_b-0-3.fieldplan"
    # none of the sender's own events: named by its last one (0: it has none yet)
    assert bundle.bundle_filename("HQ-to-ML", "3f2a9c1b", None, 57) == \
        "HQ-to-ML-3f2a9c1b-57.fieldplan"
    assert bundle.bundle_filename("ML", "ab", None, 0) == "ML-ab-0.fieldplan"
    with pytest.raises(ValueError):
        bundle.bundle_filename("ML", "ab", None, -1)
    with pytest.raises(ValueError):
        bundle.bundle_filename("ML", "ab", 5, 4)
    with pytest.raises(ValueError):
        bundle.bundle_filename("../", "ab", 1, 2)


def test_the_office_a_bundles_file_name_says() -> None:
    """For a file that cannot be read, only its name says which office sent it: a name
    as fieldplan gives bundles, of an office it knows; nothing else is taken for one."""
    says = bundle.office_in_file_name
    assert says(bundle.bundle_filename("AZ", "3f2a9c1b", 41, 57)) == "AZ"
    assert says("/media/usb/AZ-3f2a9c1b-41-57_2.fieldplan") == "AZ"  # a name taken
    assert says(bundle.bundle_filename("RO-Dakar", "3f2a9c1b", 1, 1)) == "RO-Dakar"
    assert says(bundle.bundle_filename("HQ-to-AZ", "3f2a9c1b", 0, 3)) == "HQ"
    assert says(bundle.bundle_filename("HQ-to-AZ", "3f2a9c1b", None, 3)) == "HQ"
    assert says("AZ-3f2a9c1b-57_2.fieldplan") == "AZ"
    for name in ("AZ.fieldplan", "AZ-report.fieldplan", "AZ-3f2a9c1b-41-57 (1).fieldplan",
                 "XX-3f2a9c1b-41-57.fieldplan", "AZ-3f2a9c1b-41-57.zip", "AZ-setup.fieldplan",
                 "AZ-3F2A9C1Z-41-57.fieldplan"):
        assert says(name) == "", name


# ------------------------------------------------------------------ sources


def test_every_kind_of_source(tmp_path) -> None:
    events = make_events(10)
    path = write(tmp_path, events)
    data = path.read_bytes()
    assert read_all(path) == events
    assert read_all(str(path)) == events
    assert read_all(data) == events
    assert read_all(bytearray(data)) == events
    assert read_all(memoryview(data)) == events
    assert read_all(io.BytesIO(data)) == events
    with open(path, "rb") as f:
        assert read_all(f) == events
        assert not f.closed  # the caller's file stays the caller's

    class Stream(io.RawIOBase):  # a pipe or socket: cannot seek
        def __init__(self) -> None:
            self.inner = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, b) -> int:
            chunk = self.inner.read(len(b))
            b[: len(chunk)] = chunk
            return len(chunk)

    assert read_all(io.BufferedReader(Stream())) == events
    with pytest.raises(BundleError, match="larger than the 1 KiB limit"):
        open_bundle(io.BufferedReader(Stream()), max_bundle_bytes=1024)


def test_missing_file(tmp_path) -> None:
    expect(tmp_path / "nope.fieldplan", "cannot open .*nope.fieldplan")


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_nothing_left_open(tmp_path) -> None:
    good = write(tmp_path, make_events(5))
    data = good.read_bytes()
    bad = tmp_path / "bad.fieldplan"
    before = open_fds()
    failures = []  # keeping the tracebacks keeps open_bundle's locals alive
    for content in [b"", b"junk", data[: len(data) // 2], data[:-3] + b"xyz"]:
        bad.write_bytes(content)
        with pytest.raises(BundleError) as e:
            open_bundle(bad)
        failures.append(e)
    assert open_fds() == before
    with open_bundle(good) as b:
        assert open_fds() == before + 1
        list(b.iter_events())
    assert open_fds() == before
    with pytest.raises(ValueError):
        list(b.iter_events())


def test_file_changed_after_verification_is_caught() -> None:
    events = b"".join(b'{"n":%d}\n' % i for i in range(100))
    data = make_zip(signed_members(events), compression=zipfile.ZIP_STORED)
    buf = io.BytesIO(data)
    with open_bundle(buf) as b:
        start = data.index(b'{"n":50}')
        buf.seek(start)
        buf.write(b'{"n":99}')  # same size, other bytes
        with pytest.raises(BundleError, match=EVENTS):
            list(b.iter_events())


# ------------------------------------------------------------------ hostile files


def test_empty_file(tmp_path) -> None:
    (tmp_path / "e.fieldplan").write_bytes(b"")
    expect(tmp_path / "e.fieldplan", "^empty file, not a fieldplan bundle$")
    expect(b"", "^empty file")


# (named: a gzip's bytes hold the time it was made, and a test's name must be the same
# in every process that collects it: pytest-xdist's workers)
@pytest.mark.parametrize("data", [b"hello", b"%PDF-1.7\n" + bytes(2000),
                                  gzip.compress(b"x", mtime=0)], ids=["text", "pdf", "gzip"])
def test_not_a_zip(data) -> None:
    expect(data, r"^not a fieldplan bundle \(not a ZIP archive\)$")


def test_plan_files_are_named(tmp_path) -> None:
    """A plan file picked or dropped for a bundle (headquarters sent the plan, or an
    office thought it should import it) was "not a fieldplan bundle (not a ZIP
    archive)": true, and no help. It is named, with who installs it; in each of the
    formats `plan export` writes, with a byte-order mark too."""
    from fieldplan.plan import dump_plan, load_plan
    from fieldplan.resources import resource_path

    plan = load_plan(resource_path("plan") / "plan.toml")
    said = ("a plan file, not a fieldplan bundle: headquarters installs plan files, and "
            "offices receive the plan in headquarters' bundles")
    for suffix in ("toml", "json", "csv"):
        path = tmp_path / f"plan.{suffix}"
        dump_plan(plan, path)
        assert expect(path, ".") == said, suffix
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
        for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
            assert expect(data, ".") == said, (suffix, data[:4])
    # other text stays what it was
    for other in (b'{"name": "x"}', b"a,b,c\n1,2,3\n", b"[tool]\nx = 1\n"):
        expect(other, r"^not a fieldplan bundle \(not a ZIP archive\)$")


def test_other_zip_archives_are_named() -> None:
    """A workbook (a ZIP) or a ZIP of photos was refused for its first member's name
    ("bad member name '_rels/.rels': a bundle holds only plain file names"), which
    told the person nothing of what went wrong. A ZIP holding none of a bundle's
    members is said to be no bundle, and a workbook a workbook."""
    xlsx = make_zip([("[Content_Types].xml", b"<Types/>"), ("_rels/.rels", b"<R/>"),
                     ("xl/workbook.xml", b"<w/>")])
    assert expect(xlsx, ".") == ("not a fieldplan bundle (an Office document, such as an "
                                 ".xlsx workbook)")
    ods = make_zip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                    ("META-INF/manifest.xml", b"<m/>"), ("content.xml", b"<c/>")])
    assert expect(ods, ".") == ("not a fieldplan bundle (an OpenDocument file, such as an "
                                ".ods spreadsheet)")
    photos = make_zip([("photos/", b""), ("photos/a.jpg", b"\xff\xd8"), ("b.png", b"x")])
    assert expect(photos, ".") == "not a fieldplan bundle (a ZIP archive of other files)"
    # a bundle's own member in a folder is still a hostile name, said as before
    members = signed_members(GOOD_EVENTS)
    expect(make_zip([(f"x/{n}", d) for n, d in members.items()]), "^bad member name")


def test_too_large(tmp_path) -> None:
    path = write(tmp_path, make_events(50))
    size = path.stat().st_size
    # (the limit with the language's separators: "4,404", as every count a person reads)
    limit = format_number(size - 1, "en")
    expect(path, f"bundle is .*larger than the {limit} bytes limit", max_bundle_bytes=size - 1)
    assert read_all(path, max_bundle_bytes=size)


def test_truncated_at_every_eighth(tmp_path) -> None:
    data = write(tmp_path, make_events(200)).read_bytes()
    expect(data[:0], "^empty file")
    for k in range(1, 8):
        expect(data[: len(data) * k // 8], "^the bundle is cut short")


def compressed_span(data: bytes, name: str) -> tuple[int, int]:
    """Start and end of a member's compressed data inside the ZIP."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    name_len, extra_len = struct.unpack(
        "<HH", data[info.header_offset + 26 : info.header_offset + 30]
    )
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


@pytest.mark.parametrize("member", [EVENTS, MANIFEST, SIGNATURE])
def test_flipped_bit_in_each_member(tmp_path, member) -> None:
    data = write(tmp_path, make_events(200)).read_bytes()
    start, end = compressed_span(data, member)
    # Inside the deflate stream: its first bit (BFINAL) and last byte can change
    # without changing what it inflates to, which the hashes check anyway.
    for offset in (start + (end - start) * k // 4 for k in (1, 2, 3)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[offset] ^= 1 << bit
            message = expect(bytes(flipped), re.escape(member))
            assert "damaged" in message or "does not match" in message


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_damage_is_said_in_the_readers_language(tmp_path, lang) -> None:
    """zipfile's and zlib's own texts ("File is not a zip file", "Error -3 while
    decompressing data") are English: the usual ones are said in the reader's words."""
    from fieldplan import i18n

    data = write(tmp_path, make_events(200)).read_bytes()
    start, end = compressed_span(data, EVENTS)
    flipped = bytearray(data)
    flipped[(start + end) // 2] ^= 0xFF
    i18n.set_language(lang)
    try:
        messages = [expect(data[: len(data) // 2], "."), expect(bytes(flipped), ".")]
    finally:
        i18n.set_language("en")
    for message in messages:
        assert not re.search(r"zip file|[Ee]rror -?\d|CRC|decompress", message), message
    i18n.set_language("en")
    assert expect(data[: len(data) // 2], ".") == (
        "the bundle is cut short: its end never arrived (an attachment size limit, or a USB "
        "stick removed while it was copied); ask the sender to send it again")


def test_damage_on_the_way_says_to_send_it_again(tmp_path) -> None:
    """A bit flipped on the way said "events.jsonl is damaged (its checksum does not
    match its content)", and a copy that turned line ends into CRLF "manifest.json is
    damaged (its table of contents …)": no next step, and the second blamed a member
    for the archive's fault (every member after the first CR is out of place)."""
    stored = make_zip(signed_members(GOOD_EVENTS), zipfile.ZIP_STORED)
    start, _end = compressed_span(stored, EVENTS)
    flipped = bytearray(stored)
    flipped[start + 5] ^= 0x10
    assert expect(bytes(flipped), ".") == ("events.jsonl is damaged (its checksum does not "
                                           "match its content); ask the sender to send it "
                                           "again")
    data = write(tmp_path, make_events(200)).read_bytes()
    crlf = data.replace(b"\n", b"\r\n")
    assert expect(crlf, ".") == ("damaged on its way: its line ends were changed to Windows "
                                 "ones (CR LF), as a transfer in text mode does; ask the "
                                 "sender to send it again as a binary file, not as text")
    # a byte inserted inside (not a line-end change): the archive's fault, still
    inserted = data[:100] + b"x" + data[100:]
    assert expect(inserted, ".") == ("damaged ZIP archive (its files are not where its table "
                                     "of contents says); ask the sender to send it again")
    # bytes lost inside the first member (found by fuzzing setup bundles): its table of
    # contents puts it before the file's start, and the reason was "events.jsonl is
    # damaged ([Errno 22] Invalid argument)", Python's words for the seek it made
    start, _end = compressed_span(data, EVENTS)
    removed = data[:start + 10] + data[start + 60:]
    assert expect(removed, ".") == ("damaged ZIP archive (its files are not where its table "
                                    "of contents says); ask the sender to send it again")


def test_a_zip_made_around_a_bundle_says_to_extract_it(tmp_path) -> None:
    """A mail program's ZIP of the attachment was refused as "unexpected member
    'NG-….fieldplan'" (or "bad member name" when in a folder): it is a bundle, wrapped."""
    inner = write(tmp_path, make_events(3), "NG-5e1c1b7c-1-65.fieldplan").read_bytes()
    name = "NG-5e1c1b7c-1-65.fieldplan"
    for members in ([(name, inner)],
                    [("Bundles/", b""), (f"Bundles/{name}", inner),
                     (f"__MACOSX/Bundles/._{name}", b"attrs")]):
        stored = members[-2][0] if len(members) > 1 else name
        assert expect(make_zip(members), ".") == (
            f"this ZIP holds the bundle {stored}; extract it, then import that file")
    several = make_zip([(f"{office}-1.fieldplan", inner) for office in ("BN", "ML", "SN", "UG")])
    assert expect(several, ".") == ("this ZIP holds 4 bundles (BN-1.fieldplan, ML-1.fieldplan, "
                                    "SN-1.fieldplan, …); extract them, then import those files")
    # a name with control characters is shown escaped, in one line
    odd = expect(make_zip([("a\nb.fieldplan", inner)]), ".")
    assert "\n" not in odd and odd.startswith("this ZIP holds the bundle a")
    # a bundle's own members beside a .fieldplan: not a wrapper, refused as before
    members = signed_members(GOOD_EVENTS)
    expect(make_zip([*members.items(), (name, inner)]), "^unexpected member")


def test_member_names_with_paths() -> None:
    members = signed_members(GOOD_EVENTS)
    for name in [
        "../events.jsonl",
        "/events.jsonl",
        "dir/events.jsonl",
        "dir\\events.jsonl",
        "C:events.jsonl",
        "C:\\events.jsonl",
        "..",
        "events.jsonl/",
    ]:
        hostile = [(MANIFEST, members[MANIFEST]), (SIGNATURE, members[SIGNATURE])]
        message = expect(make_zip([*hostile, (name, members[EVENTS])]), "^bad member name")
        assert repr(name) in message


def member_info(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


def test_symlink_member() -> None:
    members = signed_members(GOOD_EVENTS)
    link = member_info(EVENTS, stat.S_IFLNK | 0o777)
    hostile = [(MANIFEST, members[MANIFEST]), (SIGNATURE, members[SIGNATURE])]
    expect(
        make_zip([*hostile, (link, b"/etc/passwd")]), "^member 'events.jsonl' is a symbolic link"
    )


def test_directory_and_special_members() -> None:
    members = signed_members(GOOD_EVENTS)
    hostile = [(MANIFEST, members[MANIFEST]), (SIGNATURE, members[SIGNATURE])]
    directory = member_info(EVENTS, stat.S_IFDIR | 0o755)
    expect(make_zip([*hostile, (directory, b"")]), "is a directory")
    fifo = member_info(EVENTS, stat.S_IFIFO | 0o644)
    expect(make_zip([*hostile, (fifo, b"")]), "is not a regular file")


def test_duplicate_member() -> None:
    members = signed_members(GOOD_EVENTS)
    zip_bytes = make_zip([*members.items(), (EVENTS, b'{"evil":1}\n')])
    expect(zip_bytes, "^member 'events.jsonl' appears more than once$")


def many_entries_zip(count: int, *, zip64: bool = False) -> bytes:
    """A ZIP archive whose central directory holds ``count`` entries, the first
    manifest.json's, the others of names of their own, all of the one local header
    (``zip64``: its sizes in a ZIP64 end record, the plain one saying 0)."""
    name = MANIFEST.encode()
    out = bytearray(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0,
                                len(name), 0) + name)
    start = len(out)
    for i in range(count):
        name = MANIFEST.encode() if i == 0 else b"%x" % i
        out += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0,
                           len(name), 0, 0, 0, 0, 0, 0) + name
    size = len(out) - start
    if zip64:
        at = len(out)
        out += struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, count, count,
                           size, start)
        out += struct.pack("<4sLQL", b"PK\x06\x07", 0, at, 1)
        count = size = 0
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF),
                       min(count, 0xFFFF), size, start, 0)
    return bytes(out)


@pytest.mark.parametrize("zip64", [False, True], ids=["zip", "zip64"])
def test_a_table_of_contents_of_a_bundle_never_holds_thousands_of_entries(
        monkeypatch, zip64) -> None:
    """A ZIP archive of 46-byte entries: Python's reader made an object of each (some
    400 bytes) before any was looked at, and the check for members named twice
    counted each name among all the others. 2 MB of 40,000 entries took 30 s; the
    512 MB a bundle may be, gigabytes of memory and days. Such a table of contents is
    never a bundle's: refused unread."""
    def read_whole(self):
        raise AssertionError("the whole central directory was read")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", read_whole)
    message = expect(many_entries_zip(25_000, zip64=zip64), ".")
    assert message == "not a fieldplan bundle (a ZIP archive of other files)"


def test_extra_member() -> None:
    members = signed_members(GOOD_EVENTS)
    expect(make_zip([*members.items(), ("README.txt", b"hi")]), "^unexpected member 'README.txt'")


@pytest.mark.parametrize("missing", [EVENTS, MANIFEST, SIGNATURE])
def test_missing_member(missing) -> None:
    members = signed_members(GOOD_EVENTS)
    del members[missing]
    expect(make_zip(members), f"^missing member {re.escape(missing)}$")


def test_encrypted_member() -> None:
    data = bytearray(make_zip(signed_members(GOOD_EVENTS)))
    # Set the "encrypted" flag of every entry in the central directory.
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        data[pos + 8] |= 0x01
        pos = data.find(b"PK\x01\x02", pos + 4)
    expect(bytes(data), "is encrypted$")


def test_unsupported_compression() -> None:
    data = make_zip(signed_members(GOOD_EVENTS), compression=zipfile.ZIP_BZIP2)
    expect(data, "compression method 12; only stored and deflated")


def test_stored_members_are_fine() -> None:
    data = make_zip(signed_members(GOOD_EVENTS), compression=zipfile.ZIP_STORED)
    assert len(read_all(data)) == 5


def test_manifest_too_large() -> None:
    members = signed_members(GOOD_EVENTS, padding="x" * 5000)
    expect(
        make_zip(members), "^manifest.json decompresses to more than 4 KiB", max_manifest_bytes=4096
    )


@pytest.mark.parametrize(
    ("manifest", "match"),
    [
        (b"\xff\xfe{}", "^manifest.json is not valid UTF-8$"),
        (b"{not json", r"^manifest.json is not valid JSON \(line 1, column 2\)$"),
        (b"[1,2]", "^manifest.json is not a JSON object$"),
        (b'{"format":NaN}', r"^manifest.json is not valid JSON \(NaN is not allowed"),
        (b"[" * 100_000, r"^manifest.json is not valid JSON \(nested too deep\)$"),
        (b'{"format":"zip"}', "^not a fieldplan bundle \\(manifest format is 'zip'\\)$"),
        (b"{}", "^not a fieldplan bundle \\(manifest format is None\\)$"),
        (b'{"format":"fieldplan-bundle","version":"1"}', "^bad bundle format version '1'$"),
        (
            b'{"format":"fieldplan-bundle","version":5}',
            r"^bundle format version 5 is newer than this fieldplan understands \(4\); "
            r"update fieldplan$",
        ),
    ],
)
def test_bad_manifest_json(manifest, match) -> None:
    members = signed_members(GOOD_EVENTS)
    members[MANIFEST] = manifest
    expect(make_zip(members), match)


def test_newer_version_reported_before_anything_else() -> None:
    # A newer writer may change any other field; the version is what to act on.
    manifest = {"format": FORMAT_NAME, "version": FORMAT_VERSION + 1, "new": "layout"}
    members = {**signed_members(GOOD_EVENTS), MANIFEST: json.dumps(manifest, indent=2).encode()}
    expect(make_zip(members), f"^bundle format version {FORMAT_VERSION + 1} is newer")


def test_manifest_must_be_canonical() -> None:
    members = signed_members(GOOD_EVENTS)
    pretty = json.dumps(json.loads(members[MANIFEST]), indent=1).encode()
    expect(make_zip({**members, MANIFEST: pretty}), "^manifest.json is not canonical JSON")
    repeated = members[MANIFEST].replace(b'{"bundle_id"', b'{"bundle_id":"x","bundle_id"')
    expect(make_zip({**members, MANIFEST: repeated}), "^manifest.json is not canonical JSON")


@pytest.mark.parametrize(
    "field", ["bundle_id", "created", "event_count", "members", "public_key", "key_id"]
)
def test_manifest_field_missing(field) -> None:
    expect(make_zip(signed_members(GOOD_EVENTS, **{field: None})), f"^manifest has no {field}$")


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"event_count": "5"}, "^manifest event_count is not an integer$"),
        ({"event_count": True}, "^manifest event_count is not an integer$"),
        ({"event_count": -1}, "^manifest event_count is negative$"),
        ({"event_count": 2**63}, "^manifest event_count 9,223,372,036,854,775,808 is more events "
                                 "than events.jsonl of .* can hold$"),
        ({"event_count": 1, "members": {EVENTS: {"sha256": "a" * 64, "size": 1}}},
         "^manifest event_count 1 is more events than events.jsonl of 1 byte can hold$"),
        # a count of 502 digits (JSON holds it, Python reads up to 4,300): said, not
        # an unexpected error of the separators' rounding
        ({"event_count": 10**501}, "^manifest event_count 1(,000)+ is more events "
                                   "than events.jsonl of .* can hold$"),
        ({"bundle_id": 7}, "^manifest bundle_id is not a string$"),
        ({"members": []}, "^manifest members is not an object$"),
        ({"bundle_id": "a b"}, "^bad bundle id 'a b'"),
        ({"created": "yesterday"}, "^bad created time 'yesterday'"),
        ({"created": "2026-02-30T09:30:00Z"}, "^bad created time"),
        ({"members": {}}, "^manifest members must list exactly events.jsonl$"),
        ({"members": {EVENTS: {"sha256": "ab", "size": 1}}}, "no valid sha256"),
        ({"members": {EVENTS: {"sha256": "a" * 64, "size": "1"}}}, "no valid size"),
        ({"public_key": "bm90IGEga2V5"}, "^manifest public_key is not a minisign public key$"),
        ({"key_id": OTHER.public.key_id_hex}, "^manifest key_id .* does not match its public key"),
    ],
)
def test_manifest_field_wrong(changes, match) -> None:
    expect(make_zip(signed_members(GOOD_EVENTS, **changes)), match)


def test_public_key_with_a_foreign_key_id() -> None:
    pub = minisign.PublicKey(raw=KEY.public.raw, key_id=b"12345678")
    members = signed_members(GOOD_EVENTS, public_key=pub.to_base64(), key_id=pub.key_id_hex)
    expect(make_zip(members), "key id not derived from the key")


def test_signed_by_another_key() -> None:
    # The manifest names KEY; OTHER made the signature.
    members = signed_members(GOOD_EVENTS, sign_with=OTHER)
    message = expect(make_zip(members), "^signed with key", error=SignatureError)
    assert message == f"signed with key {OTHER.key_id_hex}, not {KEY.key_id_hex}"


def test_signed_by_another_key_claiming_the_key_id() -> None:
    forged = SecretKey(seed=OTHER.seed, key_id=KEY.key_id)
    expect(
        make_zip(signed_members(GOOD_EVENTS, sign_with=forged)), "^bad signature", SignatureError
    )


def test_manifest_changed_after_signing() -> None:
    members = signed_members(GOOD_EVENTS, office="ML")
    members[MANIFEST] = members[MANIFEST].replace(b'"office":"ML"', b'"office":"SN"')
    expect(make_zip(members), "^bad signature", SignatureError)


def test_trusted_comment_must_name_the_bundle() -> None:
    members = signed_members(GOOD_EVENTS, comment=f"bundle_id:other created:{CREATED}")
    expect(make_zip(members), "trusted comment names bundle 'other'", SignatureError)
    members = signed_members(GOOD_EVENTS, comment=f"bundle_id:{BUNDLE_ID}")
    expect(make_zip(members), "trusted comment says created None", SignatureError)


@pytest.mark.parametrize("sig", [b"", b"\xff\xff", b"untrusted comment: x\n", b"x" * 20_000])
def test_garbage_signature(sig) -> None:
    members = {**signed_members(GOOD_EVENTS), SIGNATURE: sig}
    expect(make_zip(members), "malformed signature file|not a minisign signature|minisig")


def test_events_hash_mismatch() -> None:
    members = signed_members(GOOD_EVENTS)
    members[EVENTS] = GOOD_EVENTS.replace(b'"seq":3', b'"seq":4')
    expect(make_zip(members), "^events.jsonl does not match the manifest")
    members[EVENTS] = GOOD_EVENTS + b"{}\n"
    expect(make_zip(members), "^events.jsonl does not match the manifest")


def test_events_declared_larger_than_limit() -> None:
    members = signed_members(GOOD_EVENTS)
    expect(
        make_zip(members),
        "^events.jsonl is .* larger than the 100 bytes limit",
        max_events_bytes=100,
    )


def zip_bomb(uncompressed: int, claimed_size: int) -> bytes:
    """A bundle whose events.jsonl inflates to `uncompressed` bytes of newlines while
    its signed manifest claims `claimed_size`: built by streaming, never in memory."""
    members = signed_members(b"\n" * 0)
    manifest = json.loads(members[MANIFEST])
    manifest["members"][EVENTS] = {"sha256": "0" * 64, "size": claimed_size}
    manifest_bytes = canonical_json(manifest)
    signature = minisign.sign(KEY, manifest_bytes, f"bundle_id:{BUNDLE_ID} created:{CREATED}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open(EVENTS, "w", force_zip64=True) as out:
            block = b"\n" * (1024 * 1024)
            for _ in range(uncompressed // len(block)):
                out.write(block)
        zf.writestr(MANIFEST, manifest_bytes)
        zf.writestr(SIGNATURE, signature)
    return buf.getvalue()


def test_zip_bomb_caught_while_reading() -> None:
    bomb = zip_bomb(64 * 1024 * 1024, claimed_size=10)
    assert len(bomb) < 200_000
    tracemalloc.start()
    try:
        # reading stops as soon as the member is longer than its signed manifest says
        expect(bomb, "^events.jsonl does not match the manifest",
               max_events_bytes=4 * 1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024  # stopped early, chunk by chunk
    # a manifest claiming the whole limit: the limit stops it
    message = expect(zip_bomb(64 * 1024 * 1024, claimed_size=4 * 1024 * 1024),
                     "^events.jsonl decompresses to more than 4 MiB",
                     max_events_bytes=4 * 1024 * 1024)
    assert "larger than allowed" in message


def test_big_events_verified_in_flat_memory(tmp_path) -> None:
    # 32 MiB of events: checking and iterating never holds more than a few chunks.
    def events():
        for i in range(200_000):
            yield {"seq": i, "note": "x" * 120}

    path = tmp_path / "big.fieldplan"
    write_bundle(path, {}, events(), KEY)
    tracemalloc.start()
    try:
        with open_bundle(path) as b:
            assert b.events_size > 24 * 1024 * 1024
            count = sum(1 for _ in b.iter_lines())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 10 * 1024 * 1024


# ------------------------------------------------------------------ events lines


def events_bundle(events: bytes, **changes) -> bytes:
    """A well-signed bundle holding exactly `events`, whatever they are."""
    return make_zip(signed_members(events, **changes))


@pytest.mark.parametrize(
    ("lines", "match"),
    [
        (b'{"a":1}\n\xff\xfe\n', "^events.jsonl line 2 is not valid UTF-8$"),
        (b'{"a":1}\n{"a":2}\n{"a":\n', r"^events.jsonl line 3 is not valid JSON \("),
        (b'{"a":1}\n[1,2]\n', "^events.jsonl line 2 is not a JSON object$"),
        (b'{"a":1}\n"text"\n', "^events.jsonl line 2 is not a JSON object$"),
        (b'{"a":1}\n\n{"a":2}\n', "^events.jsonl line 2 is empty$"),
        (b'{"a":1}\n{"a":NaN}\n', r"^events.jsonl line 2 is not valid JSON \(NaN"),
        (b'{"b":1,"a":2}\n', "^events.jsonl line 1 is not canonical JSON"),
        (b'{"a":1,"a":2}\n', "^events.jsonl line 1 is not canonical JSON"),
        (b'{"a": 1}\n', "^events.jsonl line 1 is not canonical JSON"),
    ],
)
def test_bad_event_lines(lines, match) -> None:
    expect_events(events_bundle(lines), match)


def expect_events(data: bytes, match: str, **limits) -> None:
    with open_bundle(data, **limits) as b, pytest.raises(BundleError, match=match) as e:
        list(b.iter_events())
    assert "\n" not in str(e.value)


def test_events_count_must_match() -> None:
    two = b'{"a":1}\n{"a":2}\n'
    expect_events(
        events_bundle(two, event_count=3), "^events.jsonl has 2 events but the manifest says 3$"
    )
    with open_bundle(events_bundle(two, event_count=1)) as b:
        events = b.iter_events()
        assert next(events) == {"a": 1}
        with pytest.raises(BundleError, match=r"more events than the manifest's event_count \(1\)"):
            next(events)


def test_last_line_without_newline() -> None:
    expect_events(
        events_bundle(b'{"a":1}\n{"a":2}', event_count=2),
        "^events.jsonl line 2 does not end with a newline$",
    )


def test_event_line_too_long() -> None:
    long_line = canonical_json({"note": "x" * 5000}) + b"\n"
    expect_events(
        events_bundle(b'{"a":1}\n' + long_line),
        "^events.jsonl line 2 is longer than the 4 KiB limit",
        max_event_line_bytes=4096,
    )
    endless = b"x" * (3 * 1024 * 1024)  # no newline at all: caught before the end
    expect_events(
        events_bundle(endless, event_count=1), "^events.jsonl line 1 is longer than the 1 MiB"
    )


# ------------------------------------------------------------------ left-out prev

ORIGIN_A = "6f1c2b9e-0d7a-4c1e-9a53-3f2a9c1b7e44"
ORIGIN_B = "0b7c9d2e-5a41-4f3b-8e6d-1c2b3a4f5e6d"


def chain(origin: str, first: int, count: int, prev: str = "") -> list[dict]:
    """`count` events of `origin` from seq `first`, chained as the event log chains
    them: each `prev` the SHA-256 of the canonical line before (`prev` for the first)."""
    out = []
    for seq in range(first, first + count):
        event = {"author": "a.diallo", "base": {}, "entity": "progress",
                 "fields": {"percent": seq % 101, "status": "on-track"},
                 "hlc": (1_780_000_000_000 << 16) + seq, "id": f"ML|PA1.{seq % 9}|2026-S1",
                 "origin": origin, "prev": prev, "seq": seq}
        prev = hashlib.sha256(canonical_json(event)).hexdigest()
        out.append(event)
    return out


def stored_lines(path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return zf.read(EVENTS).splitlines()


def test_prev_left_out_when_the_line_before_is_the_previous_event(tmp_path) -> None:
    a1 = chain(ORIGIN_A, 1, 4)  # seq 1: prev "" (an origin's first event) stays
    b = chain(ORIGIN_B, 7, 3, prev="ab" * 32)  # a run from the middle: its prev stays
    a2 = chain(ORIGIN_A, 5, 2, prev=hashlib.sha256(canonical_json(a1[-1])).hexdigest())
    events = a1 + b + a2  # A's seq 5 follows B's lines, not A's seq 4: its prev stays
    path = write(tmp_path, events)
    stored = stored_lines(path)
    kept = [i for i, line in enumerate(stored) if b'"prev":' in line]
    assert kept == [0, 4, 7]
    assert stored[1] == canonical_json({k: v for k, v in events[1].items() if k != "prev"})
    lines = [canonical_json(e) for e in events]
    with open_bundle(path) as bundle_:
        assert bundle_.version == FORMAT_VERSION >= PREV_LEFT_OUT_SINCE
        # the member hash is of the bytes as stored
        stored_bytes = b"".join(line + b"\n" for line in stored)
        assert bundle_.events_sha256 == hashlib.sha256(stored_bytes).hexdigest()
        assert bundle_.events_size == len(stored_bytes) < len(jsonl(events))
        # the events come back byte for byte, so their hashes are unchanged
        assert list(bundle_.iter_lines()) == lines
        assert list(bundle_.iter_hashed_lines()) == [
            (line, hashlib.sha256(line).hexdigest()) for line in lines]
        assert list(bundle_.iter_events()) == events


def test_prev_kept_when_it_is_not_the_hash_of_the_line_before(tmp_path) -> None:
    events = chain(ORIGIN_A, 1, 5)
    events[3]["prev"] = "0" * 64  # a broken chain travels as it is, for the import to see
    # (and seq 5's prev, the hash of seq 4 as it was, no longer fits the line before)
    gap = chain(ORIGIN_A, 10, 2, prev=hashlib.sha256(canonical_json(events[-1])).hexdigest())
    other = [{"note": "not an event"}]
    after = chain(ORIGIN_A, 12, 2, prev=hashlib.sha256(canonical_json(gap[-1])).hexdigest())
    events += gap + other + after  # seq 10 after seq 5; seq 12 after a line of another kind
    path = write(tmp_path, events)
    kept = [i for i, line in enumerate(stored_lines(path)) if b'"prev":' in line]
    assert kept == [0, 3, 4, 5, 8]
    with open_bundle(path) as bundle_:
        assert list(bundle_.iter_events()) == events


def test_bytes_from_the_log_and_dicts_are_written_alike(tmp_path) -> None:
    events = chain(ORIGIN_A, 1, 30)
    a = write(tmp_path, events, "a.fieldplan").read_bytes()
    b = write(tmp_path, [canonical_json(e) for e in events], "b.fieldplan").read_bytes()
    assert a == b


def test_a_line_ending_like_an_event_without_prev_is_refused_when_writing(tmp_path) -> None:
    event = chain(ORIGIN_A, 1, 1)[0]
    del event["prev"]
    with pytest.raises(BundleError, match=r"^event 2 has an origin and a seq but no prev$"):
        write_bundle(tmp_path / "x.fieldplan", {}, [{"a": 1}, event], KEY)
    assert list(tmp_path.iterdir()) == []


def without_prev(event: dict) -> bytes:
    return canonical_json({k: v for k, v in event.items() if k != "prev"})


@pytest.mark.parametrize(
    ("build", "bad_line"),
    [
        # the first line has nothing before it to follow
        (lambda a, b: [without_prev(a[0])], 1),
        (lambda a, b: [without_prev(a[1])], 1),
        # another origin's line before it
        (lambda a, b: [canonical_json(b[0]), without_prev(a[1])], 2),
        # the same origin, but not the previous seq (a gap, a repeat, going back)
        (lambda a, b: [canonical_json(a[0]), without_prev(a[2])], 2),
        (lambda a, b: [canonical_json(a[1]), without_prev(a[1])], 2),
        (lambda a, b: [canonical_json(a[2]), without_prev(a[1])], 2),
        # a line of another kind before it
        (lambda a, b: [canonical_json(a[0]), b'{"note":"x"}', without_prev(a[1])], 3),
        # a good run, then a line that does not follow
        (lambda a, b: [canonical_json(a[0]), without_prev(a[1]), without_prev(b[1])], 3),
    ],
)
def test_a_left_out_prev_must_follow_the_line_before(build, bad_line) -> None:
    lines = build(chain(ORIGIN_A, 1, 3), chain(ORIGIN_B, 1, 3))
    data = events_bundle(b"".join(line + b"\n" for line in lines))
    expect_events(data, f"^events.jsonl line {bad_line} leaves out prev but does not follow "
                        r"the line before it \(same origin, previous seq\)$")
    with open_bundle(data) as b, pytest.raises(BundleError, match=f"line {bad_line} leaves"):
        list(b.iter_lines())


def test_a_changed_origin_or_seq_in_a_left_out_line_is_refused() -> None:
    a = chain(ORIGIN_A, 1, 2)
    for field, value in (("origin", ORIGIN_B), ("seq", 3)):
        moved = without_prev({**a[1], field: value})
        data = events_bundle(canonical_json(a[0]) + b"\n" + moved + b"\n")
        expect_events(data, "^events.jsonl line 2 leaves out prev")


def test_version_1_lines_are_read_as_they_are() -> None:
    # Version 1 had no left-out prev: a line without one is passed on unchanged (and
    # is not a fieldplan event: the import refuses it).
    a = chain(ORIGIN_A, 1, 2)
    lines = [canonical_json(a[0]), without_prev(a[1])]
    with open_bundle(events_bundle(b"".join(x + b"\n" for x in lines), version=1)) as b:
        assert list(b.iter_lines()) == lines


def test_a_restored_line_must_fit_the_line_limit() -> None:
    a = chain(ORIGIN_A, 1, 2)
    a[1]["fields"]["note"] = "x" * 3880
    a[1]["prev"] = hashlib.sha256(canonical_json(a[0])).hexdigest()
    short = without_prev(a[1])
    assert len(short) <= 4096 < len(canonical_json(a[1]))
    expect_events(events_bundle(canonical_json(a[0]) + b"\n" + short + b"\n"),
                  "^events.jsonl line 2 is longer than the 4 KiB limit",
                  max_event_line_bytes=4096)


def test_lines_that_only_look_like_events_are_left_alone(tmp_path) -> None:
    # origin and seq nested deeper, or a quote in the origin: not an event's ending
    events = [
        {"x": {"origin": "o", "seq": 1}},
        {"origin": 'say "o"', "prev": "", "seq": 1},
        {"origin": 'say "o"', "seq": 2},
        {"origin": "o", "prev": "", "seq": 0},
        {"origin": "o", "seq": 1.5},
    ]
    path = write(tmp_path, events)
    assert stored_lines(path) == [canonical_json(e) for e in events]
    with open_bundle(path) as b:
        assert list(b.iter_events()) == events


def local_extra_length(data: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        offset = zf.getinfo(name).header_offset
    return struct.unpack("<H", data[offset + 28 : offset + 30])[0]


def test_zip64_extras_only_for_a_large_events_member(tmp_path) -> None:
    small = write(tmp_path, make_events(50), "small.fieldplan").read_bytes()
    assert [local_extra_length(small, n) for n in (EVENTS, MANIFEST, SIGNATURE)] == [0, 0, 0]
    big = write(tmp_path, make_events(6000), "big.fieldplan")
    with open_bundle(big) as b:
        assert b.events_size > bundle.CHUNK
        assert list(b.iter_events()) == make_events(6000)
    # streamed past the first chunk: the size was unknown when the header was written
    assert local_extra_length(big.read_bytes(), EVENTS) == 20


def test_signature_file_is_short(tmp_path) -> None:
    with zipfile.ZipFile(write(tmp_path, [])) as zf:
        first = zf.read(SIGNATURE).decode().splitlines()[0]
    assert first == "untrusted comment: fieldplan"


# ------------------------------------------------------------------ robustness


def test_random_damage_only_ever_raises_bundle_error(tmp_path) -> None:
    data = write(tmp_path, make_events(60)).read_bytes()
    expected = make_events(60)
    rng = random.Random(1234)
    for _ in range(300):
        damaged = bytearray(data)
        for _ in range(rng.choice([1, 2, 4])):
            pos = rng.randrange(len(damaged))
            if rng.random() < 0.7:
                damaged[pos] ^= 1 << rng.randrange(8)
            else:
                del damaged[pos : pos + rng.randrange(1, 40)]
        try:
            events = read_all(bytes(damaged))
        except BundleError as e:
            assert str(e) and "\n" not in str(e)
        else:
            assert events == expected  # only bytes nobody reads were hit


def test_zlib_errors_are_bundle_errors() -> None:
    # A deflate stream that is not one: zlib.error must not escape.
    members = signed_members(GOOD_EVENTS)
    data = bytearray(make_zip(members))
    start, end = compressed_span(bytes(data), EVENTS)
    data[start:end] = zlib.compress(b"zz")[:1] * (end - start)
    expect(bytes(data), "^events.jsonl is damaged")


# ------------------------------------------------------------------ released format

FIXTURE = Path(__file__).parent.parent / "fixtures" / "bundles" / "v1-sample.fieldplan"


def test_format_1_fixture_still_opens() -> None:
    # Written by fieldplan 0.1 with KEY: every later version must still read it.
    with open_bundle(FIXTURE) as b:
        assert (b.version, b.bundle_id, b.created) == (
            1,
            "0123456789abcdef0123456789abcdef",
            CREATED,
        )
        assert (b.manifest["office"], b.manifest["plan_id"]) == ("ML", "iom-oic-2025")
        assert b.public_key == KEY.public and b.key_id == KEY.public.key_id_hex
        events = list(b.iter_events())
    assert [e["seq"] for e in events] == [1, 2, 3]
    assert events[1]["fields"]["note"] == "تم عقد ورشة عمل"
    assert events[2]["fields"]["percent"] == 100.0


def _set_zip_headers(data: bytes, *, flags: int = 0, version: int | None = None) -> bytes:
    """``data`` with ``flags`` added to the general-purpose bits of every local and
    central header, and the central headers' version needed to extract set."""
    out = bytearray(data)
    for sig, flag_at, version_at in ((b"PK\x03\x04", 6, 4), (b"PK\x01\x02", 8, 6)):
        pos = out.find(sig)
        while pos != -1:
            out[pos + flag_at] |= flags
            if version is not None and sig == b"PK\x01\x02":
                out[pos + version_at:pos + version_at + 2] = struct.pack("<H", version)
            pos = out.find(sig, pos + 4)
    return bytes(out)


@pytest.mark.parametrize("change", [{"version": 255}, {"flags": 0x40}, {"flags": 0x20}],
                         ids=["zip-version-25.5", "strong-encryption", "patched-data"])
def test_zip_features_python_cannot_read_said_in_our_words(change) -> None:
    """A member Python's ZIP reader refuses as a feature it does not implement (found by
    mutation fuzzing, tests/bench/fuzz_mutate.py) was refused in zipfile's own English:
    "truncated or damaged ZIP archive (zip file version 25.5)", "manifest.json is
    damaged (strong encryption (flag bit 6))", in every language."""
    data = _set_zip_headers(make_zip(signed_members(GOOD_EVENTS)), **change)
    message = expect(data, r"\(it uses ZIP features fieldplan cannot read\); ask the sender")
    assert "flag bit" not in message and "zip file version" not in message


def test_manifest_number_out_of_range_said_in_our_words() -> None:
    """A manifest holding 1e999 (read as infinity, which no canonical JSON writes) was
    refused with Python's "Out of range float values are not JSON compliant" (found
    by mutation fuzzing, tests/bench/fuzz_mutate.py)."""
    members = signed_members(GOOD_EVENTS)
    members[MANIFEST] = b'{"a":1e999,' + members[MANIFEST][1:]
    expect(make_zip(members), r"^manifest.json is not valid JSON \(a number is too large\)$")


@pytest.mark.parametrize(("header", "flag_at", "name_at", "said"), [
    (b"PK\x03\x04", 7, 30, r"^damaged ZIP archive \(its files are not where its table of "
                           r"contents says\); ask the sender"),
    (b"PK\x01\x02", 9, 46, r"^truncated or damaged ZIP archive \(its table of contents is "
                           r"missing or damaged\); ask the sender"),
], ids=["local-header", "central-directory"])
def test_a_member_name_wrongly_flagged_utf8_said_in_our_words(header, flag_at, name_at,
                                                               said) -> None:
    """A member's name flagged UTF-8 (bit 11) that is not UTF-8, in its local header or
    the table of contents, was refused in Python's words, in every language: "events.jsonl
    is damaged ('utf-8' codec can't decode byte 0xff in position 0: invalid start
    byte)"."""
    data = bytearray(make_zip(signed_members(GOOD_EVENTS)))
    at = data.find(header)
    data[at + flag_at] |= 0x08
    data[at + name_at] = 0xFF
    message = expect(bytes(data), said)
    assert "codec" not in message
