"""The event log: every write is an event, appended in the same transaction that
changes the state tables, and state is what applying all known events gives.

An event is one canonical JSON line::

    {"author": "amina", "base": {"status": ["<origin>:41"]}, "entity": "progress",
     "fields": {"percent": 40, "status": "on-track"}, "hlc": 113..., "id": "ML|PA1.2|2026-S1",
     "origin": "<replica uuid>", "prev": "<sha256 of the previous event of origin>", "seq": 42}

Its hash is the SHA-256 of exactly those bytes; ``prev`` chains a replica's events
(tamper-evident), ``seq`` numbers them 1, 2, 3… without gaps, ``hlc`` is a hybrid
logical clock (milliseconds << 16 | counter) that never goes backwards.

Merging is per field. Each field an event writes is a *version*; ``base`` names the
versions the writer saw (and so replaces). Versions nobody replaced are the *heads*;
the field's value is the head with the greatest (hlc, origin, seq) — the same winner
on every machine. Two heads of one field with different values are a conflict, kept
until a person resolves it with an event whose base names every head. Because heads
are a function of the set of known events, applying is idempotent and commutative:
any order of imports gives the same state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldplan.errors import BundleError, ForkedHistoryError
from fieldplan.i18n import _
from fieldplan.text import for_message

GENESIS = ""
PROGRESS = "progress"


#: What ``json.dumps`` would build at each call with canonical_json's arguments, built
#: once (it holds no state between calls): the merge encodes every event it imports
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                              allow_nan=False)


def canonical_json(obj: Any) -> str:
    """The one serialisation of events and manifests: sorted keys, no spaces, UTF-8."""
    return _CANONICAL.encode(obj)


_encode_str = json.encoder.encode_basestring  # what json.dumps uses for a str

#: The C encoder ``_CANONICAL.encode`` builds at each call with canonical_json's
#: settings, built once, without the check for circular references: for values read
#: from JSON, which hold none (the merge encodes every event it imports again)
_C_CANONICAL = (json.encoder.c_make_encoder(  # type: ignore[attr-defined]
    None, _CANONICAL.default, _encode_str, None, ":", ",", True, False, False)
    if getattr(json.encoder, "c_make_encoder", None) is not None else None)


def decoded_json(obj: Any) -> str:
    """``canonical_json`` of a value read from JSON (or built of such values), the
    same text, faster."""
    if _C_CANONICAL is None:  # pragma: no cover - a Python without the C json module
        return canonical_json(obj)
    if type(obj) is str:  # (the C encoder takes containers only, as json.dumps')
        return _encode_str(obj)
    return "".join(_C_CANONICAL(obj, 0))


def value_json(value: Any) -> str:
    """``canonical_json`` of one field value, with a fast path for the common scalars
    (the merge encodes every field of every event it imports)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return canonical_json(value)


def wall_ms() -> int:
    """The system clock in milliseconds (a function so tests can move the clock)."""
    return time.time_ns() // 1_000_000


def local_today() -> dt.date:
    """Today in this computer's time zone, by ``wall_ms`` (the clock writes are stamped
    with, which tests move); in UTC where the system's local time cannot hold the year
    (past 3000 on Windows, 9999 east of UTC: a clock far ahead)."""
    seconds = wall_ms() / 1000
    try:
        return dt.datetime.fromtimestamp(seconds).date()
    except (OverflowError, OSError, ValueError):
        return dt.datetime.fromtimestamp(seconds, tz=dt.UTC).date()


def hlc_to_datetime(hlc: int) -> dt.datetime:
    """The wall-clock time an HLC value stands for (UTC)."""
    return dt.datetime.fromtimestamp((hlc >> 16) / 1000, tz=dt.UTC)


def hlc_to_iso(hlc: int) -> str:
    """ISO-8601 UTC to the second, e.g. ``2026-03-12T09:30:00Z``."""
    return utc_iso(hlc_to_datetime(hlc))


def utc_iso(when: dt.datetime | None = None) -> str:
    """A time (default: now, by ``wall_ms``: the clock local writes are stamped with,
    so an event's arrival and its clock value compare) as the database and manifests
    write it: ``2026-03-12T09:30:00Z``."""
    if when is None:
        when = dt.datetime.fromtimestamp(wall_ms() / 1000, tz=dt.UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def arrival_hlc(received_at: str) -> int | None:
    """The greatest clock value of the second ``received_at`` (``utc_iso``'s form)
    names: an event received then was held by that value. None if it is not such a
    time."""
    try:
        when = dt.datetime.strptime(received_at, "%Y-%m-%dT%H:%M:%SZ")
    except (TypeError, ValueError):
        return None
    ms = int(when.replace(tzinfo=dt.UTC).timestamp()) * 1000 + 999
    return (ms << 16) | 0xFFFF


def held_hlc(hlc: int, received_at: str | None) -> int:
    """By which clock value this replica held an event: its own value, or its arrival
    here when that came first (its writer's clock was ahead: a laptop with a wrong
    year). The local clock never follows such a value far (``observe_hlc``), so a
    write made here after the arrival, a lock, is later than this, not than the
    event's own value."""
    arrived = arrival_hlc(received_at) if received_at else None
    return hlc if arrived is None else min(hlc, arrived)


def shown_time(hlc: int, received_at: str | None, earliest: int = 0) -> str:
    """When a change was made, for people (ISO UTC): its writer's clock, never later
    than its arrival here (a writer's clock far ahead would say 4199); its arrival too
    when its clock is below ``earliest`` (``plan_start_hlc``: a writer's clock gone
    back to 2000 dates it before the plan existed, where only its arrival is known)."""
    made = hlc_to_iso(hlc)
    if not (received_at and arrival_hlc(received_at)):
        return made
    return received_at if hlc < earliest else min(made, received_at)


def plan_start_hlc(start: dt.date) -> int:
    """The least clock value a change to a plan starting on ``start`` can have been
    made at by a right clock: the start's day, a day early (MAX_DRIFT_MS: time zones,
    a clock a few hours off)."""
    ms = int(dt.datetime(start.year, start.month, start.day, tzinfo=dt.UTC).timestamp()
             * 1000) - MAX_DRIFT_MS
    return max(ms, 0) << 16


@dataclass(frozen=True)
class Event:
    """One event, parsed.

    origin: the replica that wrote it. seq: its number in that replica's log.
    hlc: hybrid logical clock value. author: the person (login name).
    entity / entity_id: what it writes (``progress``, ``ML|PA1.2|2026-S1``).
    fields: field → JSON value. base: field → version ids (``origin:seq``) it replaces.
    prev: hash of the origin's previous event. body: the canonical line. hash: its SHA-256.
    """

    origin: str
    seq: int
    hlc: int
    author: str
    entity: str
    entity_id: str
    fields: Mapping[str, Any]
    base: Mapping[str, Sequence[str]]
    prev: str
    body: str
    hash: str

    @property
    def version_id(self) -> str:
        """``origin:seq``, how a base names this event's field versions."""
        return f"{self.origin}:{self.seq}"


def _where(where: str | Callable[[], str]) -> str:
    return where if isinstance(where, str) else where()


_EVENT_KEYS = {"author", "base", "entity", "fields", "hlc", "id", "origin", "prev", "seq"}

#: Sequence numbers and clock values above this are refused: a clock pushed to
#: SQLite's largest integer would leave the receiver unable to write ever again (its
#: next value would not fit). 2**62 ms << 16 is thousands of years away.
MAX_COUNTER = 2**62
#: At most this many fields in one event, and replaced versions per field: a report
#: has a handful; thousands would only make the merge slow (a denial of service).
MAX_EVENT_FIELDS = 64
MAX_BASE_PER_FIELD = 32
#: At most this many characters in an event's author (a login name, or a name typed
#: at set-up): headquarters prints it in every list of changes, and a name of a
#: million characters took 250 pages of the review pack
MAX_AUTHOR = 500


def _no_constant(name: str) -> Any:
    raise ValueError(_("{name} is not a JSON number").format(name=name))


#: What ``json.loads(body, parse_constant=_no_constant)`` would build at each call,
#: built once (NaN, Infinity: not JSON)
_EVENT_DECODER = json.JSONDecoder(parse_constant=_no_constant)


_scan_event = _EVENT_DECODER.scan_once


def _loads_event(body: str) -> Any:
    """``json.loads(body, parse_constant=_no_constant)``, with its decoder built once.
    A line that is one JSON value from its first character to its last (every line
    fieldplan writes) is read by the decoder's scanner alone, without the Python
    layers around it (``JSONDecoder.decode``, ``raw_decode``: the whitespace they
    skip is not there); any other is decoded as before, raising what it raised."""
    if body.startswith("\ufeff"):  # (refused as json.loads refuses it)
        return json.loads(body, parse_constant=_no_constant)
    try:
        value, end = _scan_event(body, 0)
    except StopIteration:
        return _EVENT_DECODER.decode(body)  # (says why, as before)
    if end == len(body):
        return value
    return _EVENT_DECODER.decode(body)


def json_error_reason(exc: BaseException) -> str:
    """Where and why JSON was refused, in the reader's language (the json module's
    own texts are English): "line 1, column 2", "nested too deep"."""
    if isinstance(exc, json.JSONDecodeError):
        return _("line {line}, column {column}").format(line=exc.lineno, column=exc.colno)
    if isinstance(exc, RecursionError):
        return _("nested too deep")
    if isinstance(exc, ValueError) and "integer string conversion" in str(exc):
        # Python's own words, which tell a programmer to raise its limit
        # (sys.set_int_max_str_digits): a figure of thousands of digits is damage
        return _("a number has thousands of digits")
    if isinstance(exc, UnicodeError):
        # a text escaped as half of a character ("\ud800"): valid JSON, but no text
        # UTF-8 can write, and Python's words ("'utf-8' codec can't encode character
        # '\ud800' in position 3: surrogates not allowed") are a programmer's
        return _("a text holds a character that is not valid Unicode")
    if isinstance(exc, ValueError) and "Out of range float" in str(exc):
        # a number such as 1e999, read as infinity, that no canonical JSON writes:
        # Python's words ("Out of range float values are not JSON compliant") are a
        # programmer's
        return _("a number is too large")
    return error_line(exc)


def error_line(exc: BaseException) -> str:
    """An error's own text, its first line at most 200 characters (its kind without
    one): for a reason put in brackets after a message of ours."""
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


#: an escaped surrogate, "\ud800" (a pair stands for one character; one alone for none)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def parse_event(body: str | bytes, *, where: str | Callable[[], str] = "event",
                digest: str | None = None, received: bool = False) -> Event:
    """Parse and check the shape of one event line (no ownership or chain checks).

    ``where`` names the line in error messages; a function is called only on error.
    ``digest``: the line's SHA-256 (hex) when the caller has worked it out already.
    ``received``: the line comes from a bundle, and must be the event's canonical
    JSON (``canonical_json``), as the log stores its own: keys repeated would be read
    one way here and another elsewhere, and a bundle written from a line in another
    form would be misread (``bundle``'s left-out prev).
    """
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BundleError(_("{where}: not valid UTF-8").format(where=_where(where))) from exc
    body = body.rstrip("\n")
    try:
        raw = _loads_event(body)
    except (ValueError, RecursionError) as exc:
        raise BundleError(_("{where}: invalid JSON ({error})").format(
            where=_where(where), error=json_error_reason(exc))) from None
    # (the keys view compared with the set: no set built for every event)
    if not isinstance(raw, dict) or raw.keys() != _EVENT_KEYS:
        raise BundleError(_("{where}: not a fieldplan event").format(where=_where(where)))
    if not received and "\\u" in body and _SURROGATE_ESCAPE.search(body):
        # half of a character, escaped ("\ud800"): valid JSON, but no text SQLite can
        # store. Headquarters' lines are not held to canonical JSON (see _merge), and
        # one reached the log's insert: 'malformed bundle ('utf-8' codec can't
        # encode…)', and a setup bundle's an internal error of init --from. (A line
        # held to canonical JSON is refused as not canonical: its text is written
        # unescaped there, and this costs those lines nothing)
        try:
            decoded_json(raw).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BundleError(_("{where}: invalid JSON ({error})").format(
                where=_where(where), error=json_error_reason(exc))) from None
    if received and _not_canonical(raw, body):
        raise BundleError(
            _("{what} is not canonical JSON (keys unsorted or repeated, or extra spaces)")
            .format(what=_where(where)))
    origin, seq, hlc, entity, entity_id = (raw["origin"], raw["seq"], raw["hlc"],
                                           raw["entity"], raw["id"])
    fields, base = raw["fields"], raw["base"]
    ok = (
        isinstance(origin, str) and origin
        and type(seq) is int and 1 <= seq < MAX_COUNTER
        and type(hlc) is int and 0 <= hlc < MAX_COUNTER
        and isinstance(raw["author"], str)
        and isinstance(entity, str) and entity
        and isinstance(entity_id, str) and entity_id
        and isinstance(fields, dict) and 0 < len(fields) <= MAX_EVENT_FIELDS
        and isinstance(base, dict) and len(base) <= MAX_EVENT_FIELDS
        and isinstance(raw["prev"], str)
        and _base_shaped(base)
    )
    if not ok:
        raise BundleError(_("{where}: malformed event").format(where=_where(where)))
    return _new_event(
        origin, seq, hlc, raw["author"], entity, entity_id, fields, base, raw["prev"], body,
        digest or hashlib.sha256(body.encode("utf-8")).hexdigest())


def _base_shaped(base: dict[str, Any]) -> bool:
    """Each field of a base names a list of at most MAX_BASE_PER_FIELD texts (a loop,
    not nested generators: this runs for every event imported)."""
    for targets in base.values():
        if not isinstance(targets, list) or len(targets) > MAX_BASE_PER_FIELD:
            return False
        for target in targets:
            if not isinstance(target, str):
                return False
    return True


_object_new = object.__new__


def _new_event(origin: str, seq: int, hlc: int, author: str, entity: str, entity_id: str,
               fields: Mapping[str, Any], base: Mapping[str, Sequence[str]], prev: str,
               body: str, hash: str) -> Event:
    """``Event(...)`` of checked values, built as its ``__init__`` would build it, without
    the frozen dataclass's ``object.__setattr__`` for each field (a third of the time,
    for every event imported)."""
    event = _object_new(Event)
    vars(event).update(origin=origin, seq=seq, hlc=hlc, author=author, entity=entity,
                       entity_id=entity_id, fields=fields, base=base, prev=prev, body=body,
                       hash=hash)
    return event


def _not_canonical(raw: dict[str, Any], body: str) -> bool:
    try:
        return decoded_json(raw) != body
    except ValueError:
        return False  # a number past a float's range: the checks of its field say so


# --- reading the replica's settings -------------------------------------------------


#: meta key: how many times events were taken out of the log (``note_cut``: whatever
#: takes one out calls it, in the same write). Events otherwise only join it, at its
#: end: what is kept of the whole log from one time to the next
#: (``fieldplan.sync.exchange.LogShape``) is read again when this changed
LOG_CUTS = "log_cuts"


def note_cut(conn: sqlite3.Connection) -> None:
    """Record that events were taken out of the log (inside that write)."""
    set_meta(conn, LOG_CUTS, str(int(get_meta(conn, LOG_CUTS, "0") or 0) + 1))


def get_meta(conn: sqlite3.Connection, key: str, default: str | None = None) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else default


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def tick(conn: sqlite3.Connection, written: int) -> int:
    """The next HLC value for a local write: later than the wall clock and than every
    value this replica has written (``written``: its latest event's) or received. Call
    inside the write transaction.

    What it received is kept in meta (``observe_hlc``); what it wrote is read from the
    log with its latest event (``_local_event``): nothing is written for the clock at
    each save (one page less in every save's commit). A renewal keeps the value the
    replica it continues had written (``keys.renew_in_transaction``)."""
    last = int(get_meta(conn, "hlc", "0") or 0)
    return max(clock_now(), last + 1, written + 1)


#: The latest wall-clock time (ms) a local clock value stands for: an hour before the
#: clock's range ends (MAX_COUNTER: 24 Nov 4199), which leaves room for 2**16 writes in
#: each millisecond of that hour. A computer whose date is later (a year mistyped as
#: 4205 or 9999) writes as at that time, each write after the one before. Stamped with
#: its own date, its events were refused by every peer ("malformed event"), and with
#: them every later event of that computer; past 6429 no value fitted the database,
#: and every save ended on an internal error.
MAX_WALL_MS = (MAX_COUNTER >> 16) - 3_600_000


def clock_now() -> int:
    """The clock value of the wall clock now (``wall_ms``), held within the clock's
    range (MAX_WALL_MS)."""
    return min(wall_ms(), MAX_WALL_MS) << 16


#: How far ahead of this computer's wall clock a received value may move the local
#: clock. A value further ahead (a laptop whose date is wrong, or a hostile one) is
#: kept in its event, but the local clock does not follow it: otherwise one event
#: near the largest value would leave this replica no room to write ever again.
MAX_DRIFT_MS = 24 * 3600 * 1000


def observe_hlc(conn: sqlite3.Connection, hlc: int) -> None:
    """Move the local clock past a received value (so later local writes win over it),
    at most MAX_DRIFT_MS ahead of the wall clock."""
    hlc = min(hlc, (wall_ms() + MAX_DRIFT_MS) << 16)
    last = int(get_meta(conn, "hlc", "0") or 0)
    if hlc > last:
        set_meta(conn, "hlc", str(hlc))


# --- writing --------------------------------------------------------------------------


#: meta key prefix, with an origin: the highest seq of its events any bundle this
#: database wrote has carried (``note_exported``): a later event of this computer no
#: other one can have seen, and what status counts as sent. One key per origin: a
#: save reads its own replica's alone
EXPORTED = "exported:"


def note_exported(conn: sqlite3.Connection, tops: Mapping[str, int]) -> None:
    """Record that a bundle carries events up to ``tops`` (origin → last seq), inside
    the write transaction that notes the bundle."""
    conn.executemany(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE "
        "SET value = excluded.value WHERE CAST(excluded.value AS INTEGER) > "
        "CAST(value AS INTEGER)",
        [(EXPORTED + origin, str(seq)) for origin, seq in tops.items()])


def exported_seq(conn: sqlite3.Connection, origin: str) -> int:
    """The highest seq of ``origin``'s events a bundle this database wrote carried."""
    value = get_meta(conn, EXPORTED + origin, "0") or "0"
    return int(value) if value.isdigit() else 0


def exported_seqs(conn: sqlite3.Connection) -> dict[str, int]:
    """``exported_seq`` of every origin a bundle this database wrote carried."""
    return {key[len(EXPORTED):]: int(value) for key, value in conn.execute(
        "SELECT key, value FROM meta WHERE key > ? AND key < ?",
        (EXPORTED, EXPORTED[:-1] + ";")) if value.isdigit()}


def last_event(conn: sqlite3.Connection, origin: str) -> tuple[int, str]:
    """(seq, hash) of an origin's latest event held here, (0, GENESIS) if none."""
    row = conn.execute(
        "SELECT seq, hash FROM events WHERE origin = ? ORDER BY seq DESC LIMIT 1", (origin,)
    ).fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def origin_filter(origins: Iterable[str] | None) -> tuple[str, tuple[str, ...]]:
    """A WHERE clause on ``origin`` (none for None) and its parameters."""
    if origins is None:
        return "", ()
    params = tuple(origins)
    return f"WHERE origin IN ({','.join('?' * len(params))})", params


def runs_from_one(conn: sqlite3.Connection,
                  origins: Iterable[str] | None) -> tuple[dict[str, int], list[str]]:
    """(origin → highest seq for the origins held without a hole, the others). Seqs
    are unique and ≥ 1, so an origin holds 1..max exactly when it holds max events:
    one pass over the log's primary key, instead of numbering every event (which at
    headquarters, near a million events, takes seconds); only the rare origin with a
    hole needs its events looked at one by one."""
    where, params = origin_filter(origins)
    whole: dict[str, int] = {}
    holed: list[str] = []
    for origin, top, count in conn.execute(
            f"SELECT origin, max(seq), count(*) FROM events {where} GROUP BY origin", params):
        if count == top:
            whole[origin] = top
        else:
            holed.append(origin)
    return whole, holed


def holdings(conn: sqlite3.Connection, origins: Iterable[str] | None = None) -> dict[str, int]:
    """origin → the highest seq such that 1..seq are all held here (of some origins
    only, when given)."""
    held, holed = runs_from_one(conn, origins)
    if holed:
        where, params = origin_filter(holed)
        held.update(conn.execute(
            "SELECT origin, max(seq) FROM (SELECT origin, seq, row_number() OVER "
            f"(PARTITION BY origin ORDER BY seq) AS rn FROM events {where}) WHERE seq = rn "
            "GROUP BY origin", params))
    return held


def append(
    conn: sqlite3.Connection,
    entity: str,
    entity_id: str,
    fields: Mapping[str, Any],
    *,
    author: str,
    base: Mapping[str, Sequence[str]] | None = None,
) -> Event:
    """Write a change of one record here and apply it. Must run inside a write
    transaction.

    By default each field replaces the value this replica currently shows: the winning
    head and every other head holding the same value (see ``shown_versions``); a
    conflict resolution passes ``base`` naming every head it settles. A write of more
    fields than one event carries (MAX_EVENT_FIELDS), or a field whose base names more
    versions than one event may (MAX_BASE_PER_FIELD: 33 laptops that wrote the same
    value), is written by several events (``append_chain``). Returns the write's last
    event: of a write of one event's fields, the one whose versions are the fields'
    heads.
    """
    return append_chain(conn, entity, entity_id, fields, author=author, base=base)[-1]


def append_replacing(conn: sqlite3.Connection, entity: str, entity_id: str, field: str,
                     value: Any, *, author: str, replaced: Sequence[str]) -> list[Event]:
    """Write ``value`` to one field over every version in ``replaced`` (version ids),
    however many (``append_chain``). Returns the events written, in order. Must run
    inside a write transaction (a conflict of more versions than one base names is
    settled in one action)."""
    if not conn.in_transaction:
        raise RuntimeError("events.append_replacing needs a write transaction")
    return append_chain(conn, entity, entity_id, {field: value}, author=author,
                        base={field: list(dict.fromkeys(replaced))})


def append_chain(conn: sqlite3.Connection, entity: str, entity_id: str,
                 fields: Mapping[str, Any], *, author: str,
                 base: Mapping[str, Sequence[str]] | None = None) -> list[Event]:
    """Write ``fields`` of one record, each over every version its ``base`` names
    (version ids; None: the versions shown, ``shown_versions``), however many, and
    apply them. One event when the write fits in one (at most MAX_EVENT_FIELDS fields,
    and every field's base at most MAX_BASE_PER_FIELD versions: what peers accept), as
    given. Else several events, all written here at once:

    - more fields than one event may carry (a report of 60 indicators saved whole):
      the fields in the order given, MAX_EVENT_FIELDS at a time, each part an event
      of its own. Each field is merged on its own (DESIGN, "Changes and sync"), so the
      parts together are the write; a peer that takes only some of them (a bundle
      missing) shows those fields new and the others as they were, never a value nobody
      wrote. Written as one event, peers refused it ("malformed event"), and with it
      every later event of the computer that wrote it;
    - a part whose base names more versions of a field than one event may replace: a
      chain of events, each of every field of the part, each replacing the one before
      it and at most MAX_BASE_PER_FIELD - 1 more versions of a field still to replace:
      the last one is each field's only head. Every event of the chain holds the
      part's whole write: a peer that takes only the first of them shows it beside the
      versions still open, never another value.

    Returns the events written, in order. Must run inside a write transaction."""
    if not conn.in_transaction:
        raise RuntimeError("events.append needs a write transaction")
    origin = get_meta(conn, "replica_id")
    if not origin:
        raise RuntimeError("this database has no replica identity")
    if base is None:
        base = {field: list(ids) for field, (_value, ids)
                in shown_versions(conn, entity, entity_id).items() if field in fields}
    if len(fields) <= MAX_EVENT_FIELDS and all(
            len(ids) <= MAX_BASE_PER_FIELD for ids in base.values()):
        # (every write of up to MAX_EVENT_FIELDS fields and MAX_BASE_PER_FIELD versions a
        # field: the event as ever)
        event = _local_event(conn, origin, entity, entity_id, fields, author=author,
                             base=base)
        _insert(conn, [event], observe=False)  # (its clock value was just ticked)
        return [event]
    names = list(fields)
    chain: list[Event] = []
    for start in range(0, len(names), MAX_EVENT_FIELDS):
        part = {field: fields[field] for field in names[start:start + MAX_EVENT_FIELDS]}
        chain += _logged_chain(conn, origin, entity, entity_id, part, author=author,
                               base={field: ids for field, ids in base.items()
                                     if field in part})
    # derived together once: derived one by one, each would read the record's every
    # head again (thousands, for a conflict of 200,000 versions)
    derive(conn, chain)
    return chain


def _logged_chain(conn: sqlite3.Connection, origin: str, entity: str, entity_id: str,
                  fields: Mapping[str, Any], *, author: str,
                  base: Mapping[str, Sequence[str]]) -> list[Event]:
    """The chain of events that writes ``fields`` (at most MAX_EVENT_FIELDS) over every
    version ``base`` names (``append_chain``), logged, not derived yet: one event when
    every field's base fits in one."""
    rest = {field: list(dict.fromkeys(ids)) for field, ids in base.items()}
    step = {field: ids[:MAX_BASE_PER_FIELD] for field, ids in rest.items()}
    rest = {field: ids[MAX_BASE_PER_FIELD:] for field, ids in rest.items()}
    chain: list[Event] = []
    while True:
        # logged one by one: the next reads its seq, hash and clock from the log
        event = _local_event(conn, origin, entity, entity_id, fields, author=author,
                             base={field: ids for field, ids in step.items() if ids})
        _log(conn, [event])
        chain.append(event)
        if not any(rest.values()):
            return chain
        more = MAX_BASE_PER_FIELD - 1
        step = {field: [event.version_id, *rest.get(field, ())[:more]] for field in fields}
        rest = {field: ids[more:] for field, ids in rest.items()}


def _local_event(conn: sqlite3.Connection, origin: str, entity: str, entity_id: str,
                 fields: Mapping[str, Any], *, author: str,
                 base: Mapping[str, Sequence[str]], hlc: int | None = None) -> Event:
    """The next event of ``origin`` (this replica), chained to its latest; ``hlc``:
    its clock value, else the clock's next (``tick``)."""
    row = conn.execute("SELECT seq, hash, hlc FROM events WHERE origin = ? "
                       "ORDER BY seq DESC LIMIT 1", (origin,)).fetchone()
    seq, prev, written = row if row else (0, GENESIS, 0)
    if hlc is None:
        hlc = tick(conn, written)
    raw = {
        "author": author, "base": {k: list(v) for k, v in sorted(base.items())},
        "entity": entity, "fields": dict(fields), "hlc": hlc, "id": entity_id,
        "origin": origin, "prev": prev, "seq": seq + 1,
    }
    body = canonical_json(raw)
    return Event(origin=origin, seq=seq + 1, hlc=hlc, author=author, entity=entity,
                 entity_id=entity_id, fields=raw["fields"], base=raw["base"], prev=prev,
                 body=body, hash=hashlib.sha256(body.encode("utf-8")).hexdigest())


def write_again(conn: sqlite3.Connection, lost: Event,
                base: Mapping[str, Sequence[str]]) -> Event:
    """Write ``lost`` (an event taken out of this database's log) again as this
    replica's next event: the same entity, fields, author and clock value, with
    ``base``. Its derived state is left to the caller (``rebuild``). Must run inside a
    write transaction."""
    if not conn.in_transaction:
        raise RuntimeError("events.write_again needs a write transaction")
    origin = get_meta(conn, "replica_id") or ""
    event = _local_event(conn, origin, lost.entity, lost.entity_id, lost.fields,
                         author=lost.author, base=base, hlc=lost.hlc)
    conn.execute(
        "INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, body, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (event.origin, event.seq, event.hlc, event.entity, event.entity_id, event.hash,
         event.body, utc_iso()))
    return event


@dataclass(frozen=True)
class Arrival:
    """How events came: ``received_at``, the import's one time (its inbox line's too);
    ``inbox_id``, the inbox line of the import that brought them."""

    received_at: str
    inbox_id: int


def store_events(conn: sqlite3.Connection, events: Sequence[Event],
                 arrival: Arrival | None = None, wide: WideHeads | None = None
                 ) -> list[Event]:
    """Insert events not held yet and apply them; returns the new ones. ``arrival``:
    the import bringing them (None: received now, by no import). ``wide``: the
    winners of the reports of many heads the import's earlier batches met (``derive``).

    An event with the same (origin, seq) as one held but other content is a forked
    history: ForkedHistoryError (which names each origin's first differing seq), and
    the caller's transaction is rolled back.
    """
    if not events:
        return []
    held = _held_of(conn, events)
    forks: dict[str, int] = {}
    for o, s, same in held:
        if not same:
            forks[o] = min(s, forks.get(o, s))
    if forks:
        o, s = min(forks.items())
        # the computer went on from an older copy of its database, before any receipt
        # could tell it (fieldplan.replica._mark_if_gone_back catches it when one can)
        raise ForkedHistoryError(
            _("event {seq} of replica {replica} differs from the one already held (forked "
              "history): the computer that wrote it went on from an older copy of its "
              "database (copied while fieldplan had it open, or its -wal file lost); set "
              "that computer up again from a new setup bundle, on a new database file, and "
              "type again what it wrote since").format(seq=s, replica=o[:8]), forks)
    held_ids = {(o, s) for o, s, _ in held}
    new: list[Event] = []
    seen: set[tuple[str, int]] = set()
    for e in events:
        key = (e.origin, e.seq)
        if key in held_ids or key in seen:
            continue
        seen.add(key)
        new.append(e)
    if not new:
        return []
    _insert(conn, new, arrival, wide=wide)
    return new


def _held_of(conn: sqlite3.Connection, events: Sequence[Event]) -> list[tuple[str, int, bool]]:
    """(origin, seq, same hash) of those of ``events`` held already. None is when each
    origin's first event here comes after the last one held of it (a bundle bringing
    what is new, the usual case): one look-up an origin, no work table."""
    first: dict[str, int] = {}
    for e in events:
        if e.seq < first.get(e.origin, e.seq + 1):
            first[e.origin] = e.seq
    if all(conn.execute("SELECT coalesce(max(seq), 0) < ? FROM events WHERE origin = ?",
                        (seq, origin)).fetchone()[0] for origin, seq in first.items()):
        return []
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS staging (origin TEXT, seq INTEGER, hash TEXT, "
        "PRIMARY KEY (origin, seq)) WITHOUT ROWID"
    )
    conn.execute("DELETE FROM temp.staging")
    conn.executemany(
        "INSERT OR IGNORE INTO temp.staging VALUES (?, ?, ?)",
        [(e.origin, e.seq, e.hash) for e in events],
    )
    return conn.execute(
        "SELECT s.origin, s.seq, s.hash = e.hash FROM temp.staging s "
        "JOIN events e ON e.origin = s.origin AND e.seq = s.seq"
    ).fetchall()


def _insert(conn: sqlite3.Connection, new: Sequence[Event],
            arrival: Arrival | None = None, *, observe: bool = True,
            wide: WideHeads | None = None) -> None:
    """Add events known to be new to the log, and apply them; ``observe``: move the
    local clock past theirs (not needed for a local write, which just ticked it)."""
    _log(conn, new, arrival)
    derive(conn, new, wide)
    if observe:
        observe_hlc(conn, max(e.hlc for e in new))


def _log(conn: sqlite3.Connection, new: Sequence[Event], arrival: Arrival | None = None
         ) -> None:
    """Add events known to be new to the log, not applied yet (``derive``)."""
    now = arrival.received_at if arrival else utc_iso()
    inbox_id = arrival.inbox_id if arrival else None
    conn.executemany(
        "INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, body, received_at, "
        "inbox_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(e.origin, e.seq, e.hlc, e.entity, e.entity_id, e.hash, e.body, now, inbox_id)
         for e in new],
    )


def derive(conn: sqlite3.Connection, events: Sequence[Event],
           wide: WideHeads | None = None) -> None:
    """Turn events already in the log into versions, supersede links and merged state.
    ``wide``: the winners of the reports of many heads that earlier batches of the same
    import or rebuild met, kept up to date here (``WideHeads``)."""
    versions = []
    links = []
    touched: set[tuple[str, str]] = set()
    add_version = versions.append
    for e in events:
        entity, entity_id, origin, seq, hlc, author = (e.entity, e.entity_id, e.origin, e.seq,
                                                       e.hlc, e.author)
        touched.add((entity, entity_id))
        for field, value in e.fields.items():
            # (value_json's fast paths, without a call for each field of each event)
            kind = type(value)
            add_version((entity, entity_id, field, origin, seq, hlc, author,
                         _encode_str(value) if kind is str else
                         int.__repr__(value) if kind is int else value_json(value)))
        for field, targets in e.base.items():
            for target in targets:
                t_origin, _sep, t_seq = target.rpartition(":")
                if not t_seq.isdigit():
                    raise BundleError(_("event {seq} of {replica}: bad base '{target}'").format(
                        seq=e.seq, replica=e.origin[:8], target=for_message(target)))
                links.append((entity, entity_id, field, t_origin, int(t_seq), origin, seq))
    reports = sorted(eid for kind, eid in touched if kind == PROGRESS)
    # (before this batch's rows go in) a report of which nothing is held has as heads
    # this batch's versions of it that no link of the batch replaces: no need to read
    # back what was just written
    fresh = _reports_not_held(conn, reports)
    # Links first, so a version is born superseded when a write that replaced it is
    # already known (it arrived earlier, or sits in this same batch)...
    conn.executemany("INSERT OR IGNORE INTO supersedes VALUES (?, ?, ?, ?, ?, ?, ?)", links)
    conn.executemany(
        """
        INSERT OR IGNORE INTO versions (entity, entity_id, field, origin, seq, hlc, author,
                                        value, superseded)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, EXISTS (
            SELECT 1 FROM supersedes s WHERE s.entity = ?1 AND s.entity_id = ?2
              AND s.field = ?3 AND s.target_origin = ?4 AND s.target_seq = ?5))
        """,
        versions,
    )
    # ...and versions held already are superseded by the links that just arrived (one
    # primary-key lookup each: no work table to fill and empty at every save); those
    # of this batch were born so
    batch = {(e.origin, e.seq) for e in events}
    conn.executemany(
        "UPDATE versions SET superseded = 1 WHERE entity = ? AND entity_id = ? AND field = ? "
        "AND origin = ? AND seq = ? AND superseded = 0",
        {link[:5] for link in links if link[3:5] not in batch})
    won = _fresh_winners(events, fresh, links) if fresh else None
    if wide:
        _advance_wide(conn, wide, {eid for eid in reports if eid in wide}, events, links)
    ids = [eid for eid in reports if eid not in fresh]
    _materialise_progress(conn, ids, {(e.origin, e.seq): e.fields for e in events
                                      if e.entity == PROGRESS and e.entity_id not in fresh}
                          if ids else {}, won, wide)


def _fresh_winners(events: Sequence[Event], fresh: set[str], links: Sequence[tuple]
                   ) -> tuple[dict[str, dict[str, tuple]], dict[str, int]]:
    """The winning head of each field of the reports ``fresh`` (nothing held of them:
    their heads are this batch's versions of them that no link of the batch
    replaces), as ``_materialise_progress`` picks one from heads read back: report →
    field → ((hlc, origin, seq), value, author), the value as the event holds it; and
    report → its heads more than one a field. Worked out event by event, field by
    field, without a row for each head built, gone through and looked up again."""
    # (a field's key built only for an event a link of the batch replaces a version of)
    replaced = {link[:5] for link in links}
    targets = {link[3:5] for link in links}
    won: dict[str, dict[str, tuple]] = {}
    extra: dict[str, int] = {}
    for e in events:
        eid = e.entity_id
        if e.entity != PROGRESS or eid not in fresh:
            continue
        origin, seq, author = e.origin, e.seq, e.author
        some_replaced = (origin, seq) in targets
        order = (e.hlc, origin, seq)
        fields = won.get(eid)
        for field, value in e.fields.items():
            if some_replaced and (PROGRESS, eid, field, origin, seq) in replaced:
                continue
            if fields is None:
                fields = won[eid] = {}
            held = fields.get(field)
            if held is None:
                fields[field] = (order, value, author)
                continue
            extra[eid] = extra.get(eid, 0) + 1
            if order > held[0]:
                fields[field] = (order, value, author)
    return won, extra


#: A report with at least this many heads more than one a field (versions no write
#: replaced: that many laptops writing it unseen, or a bug) is a wide one: an import
#: or a rebuild keeps its winners from batch to batch (``WideHeads``)
WIDE_HEADS = 256


class WideHeads(dict[str, dict[str, tuple]]):
    """Report id → field → ((hlc, origin, seq), author, value) of its winning head, of
    the wide reports (WIDE_HEADS) the earlier batches of one import (or rebuild) met.
    A batch then reads of such a report only what can change a field's winner: its
    own versions of it, and the field's heads again only when it replaces the winner.
    Read again at each batch, every head of a report of 100,000 versions none
    replacing another made an import take minutes (tests/bench/
    bench_concurrent_heads.py). Right while ``derive`` alone changes the versions:
    one for each import, a new one after anything else took versions out
    (``fieldplan.sync.fork.Repair.cut``)."""


def _advance_wide(conn: sqlite3.Connection, wide: WideHeads, ids: set[str],
                  events: Sequence[Event], links: Sequence[tuple]) -> None:
    """Bring the winners of the wide reports ``ids`` past this batch, once its versions
    and links are in the tables: a field's winner is the greater of the one before and
    the batch's best version of it that nothing replaces; read again from its heads
    when a link replaced the winner, or that version was born replaced (a write over
    it that arrived first)."""
    lost: set[tuple[str, str]] = set()
    replaced = set()
    for link in links:
        if link[0] == PROGRESS and link[1] in ids:
            replaced.add(link[:5])
            held = wide[link[1]].get(link[2])
            if held is not None and held[0][1] == link[3] and held[0][2] == link[4]:
                lost.add((link[1], link[2]))
    best: dict[tuple[str, str], tuple] = {}
    for e in events:
        if e.entity != PROGRESS or e.entity_id not in ids:
            continue
        order = (e.hlc, e.origin, e.seq)
        for field, value in e.fields.items():
            if (PROGRESS, e.entity_id, field, e.origin, e.seq) in replaced:
                continue
            got = best.get((e.entity_id, field))
            if got is None or order > got[0]:
                best[(e.entity_id, field)] = (order, e.author, value)
    for (entity_id, field), candidate in best.items():
        if (entity_id, field) in lost:
            continue
        held = wide[entity_id].get(field)
        if held is not None and candidate[0] < held[0]:
            continue
        row = conn.execute(
            "SELECT superseded FROM versions WHERE entity = 'progress' AND entity_id = ? "
            "AND field = ? AND origin = ? AND seq = ?",
            (entity_id, field, *candidate[0][1:])).fetchone()
        if row is not None and not row[0]:
            wide[entity_id][field] = candidate
        else:
            lost.add((entity_id, field))
    for entity_id, field in lost:
        row = conn.execute(
            "SELECT hlc, origin, seq, author, value FROM versions INDEXED BY versions_heads "
            "WHERE entity = 'progress' AND entity_id = ? AND field = ? AND superseded = 0 "
            "ORDER BY hlc DESC, origin DESC, seq DESC LIMIT 1", (entity_id, field)).fetchone()
        if row is None:
            wide[entity_id].pop(field, None)
        else:
            wide[entity_id][field] = (tuple(row[:3]), row[3], json.loads(row[4]))


def _reports_not_held(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Those of these reports of which no version and no link is held. Each asked by
    whether one row exists (its first, by the primary keys' prefix): not by every row
    of its history, which grew with each save of the report (tests/core/
    test_work_by_size.py)."""
    out: set[str] = set()
    for start in range(0, len(ids), HEADS_CHUNK):
        chunk = ids[start:start + HEADS_CHUNK]
        rows = ",".join(["(?)"] * len(chunk))
        out.update(row[0] for row in conn.execute(
            f"WITH asked(id) AS (VALUES {rows}) SELECT id FROM asked WHERE NOT EXISTS ("
            "SELECT 1 FROM versions WHERE entity = 'progress' AND entity_id = asked.id) "
            "AND NOT EXISTS (SELECT 1 FROM supersedes WHERE entity = 'progress' "
            "AND entity_id = asked.id)", chunk))
    return out


#: The merged progress columns with their value when a report has no (or a null) head.
PROGRESS_DEFAULTS = (("status", "not-started"), ("percent", None), ("vals", "{}"),
                     ("achievements", ""), ("challenges", ""), ("next_steps", ""),
                     ("state", "draft"))


def progress_columns(value: Mapping[str, Any], vals: Any) -> tuple[Any, ...]:
    """status … state of a report's merged row from its winning field values."""
    # (a loop, not a generator over a merged copy of ``value``: this runs for every
    # report an import changes)
    out = []
    for col, default in PROGRESS_DEFAULTS:
        got = vals if col == "vals" else value.get(col)
        out.append(default if got is None else got)
    return tuple(out)


#: Report ids per query of their heads (well under SQLite's limit of parameters).
HEADS_CHUNK = 500


def _report_heads(conn: sqlite3.Connection, ids: Sequence[str]) -> Iterator[tuple]:
    """(entity_id, field, value, hlc, origin, seq, author) of every head of these
    reports."""
    for start in range(0, len(ids), HEADS_CHUNK):
        chunk = ids[start:start + HEADS_CHUNK]
        yield from conn.execute(
            "SELECT entity_id, field, value, hlc, origin, seq, author "
            "FROM versions INDEXED BY versions_heads WHERE entity = 'progress' "
            f"AND superseded = 0 AND entity_id IN ({','.join('?' * len(chunk))})", chunk)


def _materialise_progress(conn: sqlite3.Connection, ids: Sequence[str],
                          parsed: Mapping[tuple[str, int], Mapping[str, Any]],
                          fresh: tuple[dict[str, dict[str, tuple]], dict[str, int]]
                          | None = None, wide: WideHeads | None = None) -> None:
    """Rewrite the merged progress row of these reports, and of those ``fresh`` gives
    the winners of (``_fresh_winners``), from their heads: per
    field the head with the greatest (hlc, origin, seq) wins. ``parsed``: the fields of
    the events just derived, by (origin, seq), whose values need no parsing again.
    Those with a field of several heads, the only ones that can be in conflict, are
    added to the connection's ``several_heads`` when it has one (``store.Connection``:
    an import asks those only). ``wide``: the winners of the wide reports, which are
    taken from it, not read (``WideHeads``); a report found wide here is added to it."""
    several = getattr(conn, "several_heads", None)
    kept: Mapping[str, dict[str, tuple]] = wide if wide is not None else {}
    winners: dict[str, dict[str, tuple]] = {}
    extra: dict[str, int] = {}  # report → its heads more than one a field
    for entity_id, field, value, hlc, origin, seq, author in _report_heads(
            conn, [i for i in ids if i not in kept] if kept else ids):
        fields = winners.get(entity_id)
        if fields is None:
            fields = winners[entity_id] = {}
        order = (hlc, origin, seq)
        held = fields.get(field)
        if held is None:
            fields[field] = (order, value, author)  # value: JSON text
            continue
        extra[entity_id] = extra.get(entity_id, 0) + 1
        if order > held[0]:
            fields[field] = (order, value, author)
    won, won_extra = fresh if fresh is not None else ({}, {})
    if several is not None:
        several.update(extra)
        several.update(won_extra)
    rows = []
    for entity_id, fields in winners.items():
        # json.loads, not SQLite's ->>, which cuts text at a NUL character
        value = {}
        for f, (order, text, _author) in fields.items():
            known = parsed.get(order[1:])
            value[f] = known[f] if known is not None else json.loads(text)
        last = max(fields.values())  # (orders are unique: origin and seq tell any two apart)
        rows.append(_progress_row(entity_id, value, last[0][0], last[2]))
        if wide is not None and extra.get(entity_id, 0) >= WIDE_HEADS:
            wide[entity_id] = {f: (order, author, value[f])
                               for f, (order, _text, author) in fields.items()}
    for entity_id, fields in won.items():  # (their values as the events hold them)
        value = {f: head[1] for f, head in fields.items()}
        last = max(fields.values(), key=_head_order)
        rows.append(_progress_row(entity_id, value, last[0][0], last[2]))
        if wide is not None and won_extra.get(entity_id, 0) >= WIDE_HEADS:
            wide[entity_id] = {f: (order, author, v) for f, (order, v, author) in fields.items()}
    for entity_id in ids:
        fields = kept.get(entity_id)
        if fields is None or entity_id in winners:
            continue
        if several is not None:  # (a wide report: many heads, or had them this import)
            several.add(entity_id)
        last = max(fields.values(), key=lambda head: head[0])
        rows.append(_progress_row(entity_id, {f: v for f, (_o, _a, v) in fields.items()},
                                  last[0][0], last[1]))
    conn.executemany(
        "INSERT OR REPLACE INTO progress (office, action, period, status, percent, vals, "
        "achievements, challenges, next_steps, state, hlc, updated_by) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def _head_order(head: tuple) -> tuple:
    return head[0]


def _progress_row(entity_id: str, value: Mapping[str, Any], hlc: int, author: str
                  ) -> tuple:
    """A report's merged row from its winning field values, and the latest winner's
    clock value and author."""
    office, action, period = entity_id.split("|", 2)
    vals = {f[6:]: v for f, v in value.items() if f.startswith("value.") and v is not None}
    return (office, action, period,
            *progress_columns(value, decoded_json(vals) if vals else "{}"), hlc, author)


def entity_state(conn: sqlite3.Connection, entity: str, entity_id: str, *,
                 with_ids: bool = False) -> dict[str, Any]:
    """The merged fields of one entity (winning head of each field); with ``with_ids``
    each value comes as (value, version id)."""
    # the heads, and the winner of each field picked here: a window over them costs
    # more than the few rows it would spare (this runs at every save)
    win: dict[str, tuple] = {}
    for row in conn.execute(
        "SELECT field, hlc, origin, seq, value FROM versions INDEXED BY versions_heads "
        "WHERE entity = ? AND entity_id = ? AND superseded = 0", (entity, entity_id)):
        held = win.get(row[0])
        if held is None or row[1:4] > held[1:4]:
            win[row[0]] = row
    if with_ids:
        return {f: (json.loads(v), f"{o}:{q}") for f, _h, o, q, v in win.values()}
    return {f: json.loads(v) for f, _h, _o, _q, v in win.values()}


def shown_versions(conn: sqlite3.Connection, entity: str,
                   entity_id: str) -> dict[str, tuple[Any, tuple[str, ...]]]:
    """Per field of one entity, the value shown (the winning head's) and the version
    ids of every head holding that value, the winner's first: what a write over the
    value shown replaces. Two laptops that wrote the same value leave two heads and no
    conflict; a write over only one of them would make a conflict with the other.
    Heads holding another value (an open conflict) are not among them: only a person
    settles that. Every one of them, however many: more than one event replaces
    (MAX_BASE_PER_FIELD) are replaced by a chain of events (``append_chain``)."""
    rows = conn.execute(
        "SELECT field, value, origin, seq, hlc FROM versions INDEXED BY versions_heads "
        "WHERE entity = ? AND entity_id = ? AND superseded = 0",
        (entity, entity_id),
    ).fetchall()
    by_field: dict[str, list[tuple]] = {}
    for row in rows:
        by_field.setdefault(row[0], []).append(row)
    out: dict[str, tuple[Any, tuple[str, ...]]] = {}
    for field, heads in by_field.items():
        # the winner: greatest (hlc, origin, seq), as entity_state chooses it
        win = max(heads, key=lambda r: (r[4], r[2], r[3]))
        same = sorted(f"{o}:{q}" for _f, v, o, q, _h in heads
                      if v == win[1] and (o, q) != win[2:4])
        ids = [f"{win[2]}:{win[3]}", *same]
        out[field] = (json.loads(win[1]), tuple(ids))
    return out


def entities_of(conn: sqlite3.Connection, entity: str) -> dict[str, dict[str, Any]]:
    """The merged fields of every entity of a kind, by id."""
    rows = conn.execute(
        """
        SELECT entity_id, field, value FROM (
            SELECT entity_id, field, value, row_number() OVER (PARTITION BY entity_id, field
                ORDER BY hlc DESC, origin DESC, seq DESC) AS rn
            FROM versions INDEXED BY versions_heads WHERE entity = ? AND superseded = 0)
        WHERE rn = 1
        """,
        (entity,),
    ).fetchall()
    out: dict[str, dict[str, Any]] = {}
    for entity_id, field, value in rows:
        out.setdefault(entity_id, {})[field] = json.loads(value)
    return out


def iter_log(conn: sqlite3.Connection, origin: str | None = None,
             after: int = 0) -> Iterable[Event]:
    """Events held, in (origin, seq) order; one origin's after a sequence number."""
    if origin is None:
        cur = conn.execute("SELECT body FROM events ORDER BY origin, seq")
    else:
        cur = conn.execute(
            "SELECT body FROM events WHERE origin = ? AND seq > ? ORDER BY seq", (origin, after)
        )
    for (body,) in cur:
        yield parse_event(body)


def rebuild(conn: sqlite3.Connection, batch: int = 5000) -> None:
    """Throw away every derived table and derive it again from the event log alone.
    Must run inside a write transaction."""
    if not conn.in_transaction:
        raise RuntimeError("events.rebuild needs a write transaction")
    conn.execute("DELETE FROM versions")
    conn.execute("DELETE FROM supersedes")
    conn.execute("DELETE FROM progress")
    chunk: list[Event] = []
    wide = WideHeads()
    for event in iter_log(conn):
        chunk.append(event)
        if len(chunk) >= batch:
            derive(conn, chunk, wide)
            chunk = []
    if chunk:
        derive(conn, chunk, wide)
