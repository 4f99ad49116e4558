"""How far a set-based (SQL-side) merge could bring issue 3's import target.

Issue 3's target: HQ's import of the 57 office bundles of the whole plan at most 3× a
raw `executemany` of the same lines into a bare table (bench_sync: ~22× wall, ~30×
CPU). Every per-event step of the import is in Python; this measures, on the same
bundles, in one run (least of 5, CPU and wall), how far doing that work in SQLite's C
code instead would bring it: the lines staged as they are, their columns taken by
SQLite's JSON functions, the import's checks as queries, the field versions, supersede
links and reports' rows as INSERT … SELECT. The set-based merge is checked to leave
the same log, versions, supersede links and reports' rows as the real import.

Measured (SQLite 3.40, 6,676 events, two busy cores; two runs, ratios to (a)):

    step                                                        CPU ×(a)   wall ×(a)
    a   raw executemany into a bare table (the target's base)      1.0        1.0
    w   only the writes DESIGN's data model makes, rows ready-made 7.1–8.8    2.7–3.2
        (log; 4.1 version rows an event; supersede links; reports' rows)
    b   the member's lines, as they are, into a TEMP table         0.5–0.6    0.2
    c   + prev put back, SHA-256 (Python), columns by ->>, log     4.7–5.9    2.2–2.3
    c'  the same with SHA-256 by create_function, chain recursive  7.8–9.0    2.6–3.3
    d   + every check of the import SQL can say                   11.5–17.1   4.5–5.2
    e   + versions, supersedes, reports' rows, several heads      19.7–27.9   7.3–9.2
    r   reading (ZIP, signature, one SHA-256 of the member)        1.6–2.1    0.4–0.6
    r+e a whole set-based import (per-bundle work left out)       21.4–30.1   7.8–9.8
        the real import, same runs                                24.2–34.2

Conclusion: a set-based merge cannot meet ≤ 3×; it saves 10–25 % of the import's CPU,
not a factor. The floor is the writes, not Python: writing only the rows DESIGN's
data model keeps, ready-made, costs 7–9× the raw insert in CPU (3× wall). Of it the
field versions (27,494 rows, primary key of five columns, the heads' partial index,
the foreign key to the log: ~5 µs a row) cost ~4× on their own, the log (two
indexes, 600-byte lines) ~1.2×. So ≤ 3× in CPU is out of reach for any merge keeping
DESIGN's field versions, in Python or in SQL; in wall time only the writes alone come
near it. Besides:
- SQLite's JSON (3.40) parses a 600-byte line in ~2.5 µs, more than half what the raw
  insert of it costs; taking its columns once costs ~10 µs an event. Traps: a
  subquery of ->> columns is flattened and each use of a column parses the line again
  (LIMIT -1 keeps it whole); a json_each walk of each line grouped back cost three
  to four times the ->> columns; a join on json-extracted keys without a table of them went
  quadratic (the chain check took 2 s); the heads' query walked every head of every
  report until written with CROSS JOIN.
- The checks as queries cost ~6–7× on their own: each is a pass over every event.
- SHA-256 has no SQL function: the Python pass putting prev back and hashing each
  line costs 2.4–3.8 µs an event (0.6–0.8×); a create_function call costs ~2.5 µs a
  row, and the chain (each prev the hash of the line before) needs a recursive query.

Checks of the real import NOT said set-based here, and what they would add:
- each line's SHA-256 (its hash, the chain, the prev put back): Python, 2.4–3.8 µs
  an event (above), or a C extension Python's SQLite does not have;
- the canonical form of a real number (value.* fields): SQLite keeps its text but
  cannot tell Python's shortest repr; the lines holding one would go through
  json.loads and canonical_json in Python (~10–20 µs each such line; the demo has
  none);
- escapes inside base's version names (arrays come back from SQLite as written): one
  more json_each over non-empty bases would say it, a few µs for those events only;
- which line and column a JSON syntax error is at (->> fails the whole statement):
  Python on the bad line, on failure only;
- headquarters' records (plan documents through plan_from_dict, keys, locks): Python,
  in HQ's bundles only; and the per-bundle work (keys registered from enrolment
  proofs, receipts, backups), not per event, left out of every step.
The grammars of action codes and indicator keys are said with GLOB, instr and length;
repeated keys by the rebuilt line and the keys' order.

    python tests/bench/bench_import_floor_sql.py [--world DIR]

(``--world DIR``: the demo world of 57 offices is made there once, about 30 s, and
reused by later runs; else made in a temporary folder.)
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
os.environ.setdefault("FIELDPLAN_AUTHOR", "bench")

from bench_sync import CPU_RUNS, RAW_SCHEMA, _copy_db, _import_cpu  # noqa: E402

from fieldplan import bundle as bundlefmt  # noqa: E402
from fieldplan import demo  # noqa: E402
from fieldplan.events import MAX_AUTHOR, MAX_COUNTER, MAX_EVENT_FIELDS  # noqa: E402
from fieldplan.model import REPORT_STATES, STATUSES  # noqa: E402
from fieldplan.progress import MAX_TEXT  # noqa: E402
from fieldplan.replica import open_replica  # noqa: E402
from fieldplan.sync import keys as keyreg  # noqa: E402


class Item:
    """One bundle as the steps take it: its events member as stored (prev left out),
    its lines with prev put back (what bench_sync's raw baseline inserts), manifest."""

    def __init__(self, path: Path) -> None:
        with bundlefmt.open_bundle(path) as b:
            self.manifest = b.manifest
            self.restored = list(b.iter_lines())
            self.member = b._zf.read(bundlefmt.EVENTS)
        self.path = path
        self.office = self.manifest["office"]
        self.sender = self.manifest["sender"]
        self.rows: dict[str, list[tuple]] = {}  # (step_writes)


# ----------------------------------------------------------------------------- steps


def step_raw(db: sqlite3.Connection, item: Item) -> None:
    """(a) bench_sync's baseline: the restored lines into a bare table."""
    db.executemany("INSERT INTO events VALUES (?, ?, ?)",
                   [("o", i, line) for i, line in enumerate(item.restored)])


def step_stage(db: sqlite3.Connection, item: Item) -> None:
    """(b) the events member's lines as stored, as they are, into a TEMP table: one
    decode and one split of the whole member (C), tuples made by zip (C)."""
    lines = item.member.decode("utf-8").split("\n")
    lines.pop()  # (after the last newline)
    db.execute("DELETE FROM temp.stage")
    db.executemany("INSERT INTO temp.stage (line) VALUES (?)", zip(lines))


_ORIGIN_KEY = b',"origin":"'


def restore_and_hash(member: bytes) -> tuple[list[bytes], list[str]]:
    """The least Python pass a line-by-line chain needs: each line with its left-out
    prev put back (the hash of the line before, as bundle.Bundle._lines does for
    valid input), and its SHA-256. No parsing."""
    sha = hashlib.sha256
    lines = member.split(b"\n")
    lines.pop()
    bodies: list[bytes] = []
    hashes: list[str] = []
    add_body, add_hash = bodies.append, hashes.append
    follow = run_key = None
    h = ""
    seq = 0
    for line in lines:
        if follow is not None and line.endswith(follow):
            at = len(line) - len(follow) + len(run_key)
            line = line[:at] + b'"prev":"' + h.encode() + b'",' + line[at:]
            seq += 1
        else:
            tail = bundlefmt._event_tail(line)
            run_key = _ORIGIN_KEY + tail["origin"] + b'",'
            seq = int(tail["seq"])
        follow = run_key + b'"seq":%d}' % (seq + 1)
        h = sha(line).hexdigest()
        add_body(line)
        add_hash(h)
    return bodies, hashes


#: (c) the lines and their hashes, then each line's columns, once (SQLite's JSON
#: functions keep the last parses of a statement: 7 columns by ->> cost little more
#: than one; a json_each walk of each line, grouped back, cost 3–4 times as much),
#: and with them what the checks ask: each column's type, and the line rebuilt from
#: its columns is itself (the nine keys in order, none other, no space outside
#: texts: fields and base come back from SQLite without any; the texts escaped as
#: Python writes them). The lines stay in their own table: a table of the columns
#: with the lines again took as long again to fill
_JSON_TEXT = """CASE {j}.type WHEN 'text' THEN json_quote({j}.atom)
                    WHEN 'integer' THEN CAST({j}.atom AS TEXT)
                    WHEN 'null' THEN 'null' ELSE {j}.value END"""
_EXTRACT = """
    INSERT INTO temp.ev
    SELECT n, hash, origin, seq, hlc, entity, id, author, prev, fields, base,
           '{"author":' || json_quote(author) || ',"base":' || base
           || ',"entity":' || json_quote(entity) || ',"fields":' || fields || ',"hlc":'
           || hlc || ',"id":' || json_quote(id) || ',"origin":' || json_quote(origin)
           || ',"prev":' || json_quote(prev) || ',"seq":' || seq || '}' = body,
           typeof(author) || ',' || base_type || ',' || typeof(entity) || ','
           || fields_type || ',' || typeof(hlc) || ',' || typeof(id) || ','
           || typeof(origin) || ',' || typeof(prev) || ',' || typeof(seq)
    FROM (  -- (LIMIT: not flattened, else each use of a column parses the line again)
        SELECT n, body, hash, body ->> '$.origin' AS origin, body ->> '$.seq' AS seq,
               body ->> '$.hlc' AS hlc, body ->> '$.entity' AS entity,
               body ->> '$.id' AS id, body ->> '$.author' AS author,
               body ->> '$.prev' AS prev, body -> '$.fields' AS fields,
               body -> '$.base' AS base, json_type(body, '$.fields') AS fields_type,
               json_type(body, '$.base') AS base_type
        FROM temp.raw ORDER BY n LIMIT -1)
    """
TYPES = "text,object,text,object,integer,text,text,text,integer"

#: each field an event writes (its value's JSON text as events.value_json writes it:
#: the line's own, canonical), and each version its base names
_FIELDS = f"""
    INSERT INTO temp.fv
    SELECT ev.n, f.id, f.key, f.type, f.atom, {_JSON_TEXT.format(j="f")}
    FROM temp.ev, json_each(ev.fields) f
    """
_TARGETS = """
    INSERT INTO temp.bv
    SELECT ev.n, b.key, t.type, t.atom, substr(t.atom, 1, instr(t.atom, ':') - 1),
           substr(t.atom, instr(t.atom, ':') + 1)
    FROM temp.ev, json_each(ev.base) b, json_each(b.value) t
    WHERE ev.base <> '{}' AND b.type = 'array'
    """

_LOG = """
    INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, body, received_at,
                        inbox_id)
    SELECT origin, seq, hlc, entity, id, ev.hash, body, :now, :inbox
    FROM temp.ev JOIN temp.raw USING (n) ORDER BY n
    """


def step_log_py(db: sqlite3.Connection, item: Item, *, log: bool = True) -> None:
    """(c) prev put back and each line hashed in Python (``restore_and_hash``), lines
    and hashes into a TEMP table, their columns extracted by one INSERT … SELECT with
    SQLite's JSON functions, then the log's rows by another."""
    item.member.decode("utf-8")  # (valid UTF-8, checked once for the whole member)
    bodies, hashes = restore_and_hash(item.member)
    _stage_restored(db, "INSERT INTO temp.raw (body, hash) VALUES (CAST(? AS TEXT), ?)",
                    zip(bodies, hashes, strict=True))
    if log:
        _insert_log(db, item)


def _stage_restored(db: sqlite3.Connection, sql: str, rows: object = None) -> None:
    for table in ("raw", "ev", "fv", "bv"):
        db.execute(f"DELETE FROM temp.{table}")
    if rows is None:
        db.execute(sql)
    else:
        db.executemany(sql, rows)
    db.execute(_EXTRACT)


def _insert_log(db: sqlite3.Connection, item: Item) -> None:
    inbox = db.execute(
        "INSERT INTO inbox (file_name, sha256, office, sender, received_at, outcome) "
        "VALUES (?, '', ?, ?, ?, 'merged')",
        (item.path.name, item.office, item.sender, NOW)).lastrowid
    db.execute(_LOG, {"now": NOW, "inbox": inbox})


NOW = "2027-12-31T12:00:00Z"


#: (c') prev put back and each line hashed in SQL: a recursive query over the staged
#: lines, SHA-256 by a function registered with create_function (a Python call a row)
_RESTORED = """CASE WHEN json_type(s.line, '$.prev') IS NULL
                      AND s.line ->> '$.origin' = r.origin
                      AND s.line ->> '$.seq' = r.seq + 1
                 THEN substr(s.line, 1, length(s.line) - length('"seq":' || (r.seq + 1) || '}'))
                      || '"prev":"' || r.h || '",'
                      || substr(s.line, length(s.line) - length('"seq":' || (r.seq + 1) || '}')
                                + 1)
                 ELSE s.line END"""
_RESTORE_UDF = f"""
    WITH RECURSIVE r(n, origin, seq, body, h) AS (
        SELECT n, line ->> '$.origin', line ->> '$.seq', line, sha256(line)
        FROM temp.stage WHERE n = 1
      UNION ALL
        SELECT s.n, s.line ->> '$.origin', s.line ->> '$.seq', {_RESTORED},
               sha256({_RESTORED})
        FROM r JOIN temp.stage s ON s.n = r.n + 1
    )
    INSERT INTO temp.raw (n, body, hash) SELECT n, body, h FROM r
    """


def step_log_udf(db: sqlite3.Connection, item: Item) -> None:
    """(c') as (c), prev and hashes in SQL with a Python SHA-256 function."""
    step_stage(db, item)
    _stage_restored(db, _RESTORE_UDF)
    _insert_log(db, item)


def step_sha_udf_only(db: sqlite3.Connection, item: Item) -> None:
    """(c'') what the registered function alone costs: stage, SELECT sha256(line)."""
    step_stage(db, item)
    db.execute("SELECT count(sha256(line)) FROM temp.stage").fetchone()


#: (d) every check of the real import (exchange._merge, _Merger.add, _check_event,
#: _check_base, events.parse_event(received=True), store_events' forks) that SQL can
#: say, each as a query returning the first line that fails it. :office is the
#: bundle's office, :sender its sender (the only replica whose events it may carry
#: here: exchange's own_only; its continued replicas would join it)
_CHECKS: dict[str, str] = {
    # parse_event: canonical (the line rebuilt is itself), exactly the nine keys, in
    # order, of their JSON types and ranges; the author's length; fields and bases of
    # at most MAX_EVENT_FIELDS
    "shape": f"""
        SELECT n FROM temp.ev WHERE canon IS NOT 1 OR types IS NOT '{TYPES}'
          OR hlc NOT BETWEEN 0 AND {MAX_COUNTER - 1}
          OR seq NOT BETWEEN 1 AND {MAX_COUNTER - 1}
          OR entity = '' OR id = '' OR origin = '' OR length(author) > {MAX_AUTHOR}
          OR (SELECT count(*) FROM temp.fv WHERE fv.n = ev.n) NOT BETWEEN 1
              AND {MAX_EVENT_FIELDS}
          OR (base <> '{{}}' AND (SELECT count(*) FROM json_each(base)) > {MAX_EVENT_FIELDS})
        LIMIT 1""",
    # canonical: the keys of fields and base in strictly increasing order (sorted,
    # none repeated; the top level's are the nine above; a report's values hold no
    # objects); fields rebuilt from their parts are themselves (their texts escaped
    # as Python writes them)
    "key order": """
        SELECT n FROM (SELECT n, key, lag(key) OVER (PARTITION BY n ORDER BY id) AS b
                       FROM temp.fv) WHERE b >= key
        UNION ALL
        SELECT fv.n FROM temp.fv JOIN temp.ev USING (n) GROUP BY fv.n
        HAVING '{' || group_concat(json_quote(fv.key) || ':' || fv.value) || '}'
               IS NOT ev.fields
        UNION ALL
        SELECT n FROM (SELECT ev.n, k.key, lag(k.key) OVER (PARTITION BY ev.n
                                                              ORDER BY k.id) AS b
                       FROM temp.ev, json_each(ev.base) k WHERE ev.base <> '{}')
        WHERE b >= key
        LIMIT 1""",
    # _merge: the sender's events only; each origin's in increasing order, once
    "own, order": """
        SELECT n FROM (
            SELECT n, origin, seq, max(seq) OVER (
                       PARTITION BY origin ORDER BY n
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
            FROM temp.ev)
        WHERE origin <> :sender OR seq <= before LIMIT 1""",
    # _check_event: the origin's office (the key registry) is the bundle's; a report
    # id of three parts, the office's, an action code (model.ACTION_CODE), a period;
    # plan, key and lock records from headquarters only; no other kind
    "ownership, ids": """
        SELECT n FROM (
            SELECT n, entity, id, o.office
            FROM temp.ev LEFT JOIN temp.origin_office o ON o.origin = ev.origin)
        WHERE office IS NOT :office
           OR (entity = 'progress' AND NOT (
                 id GLOB '*|*|*' AND id NOT GLOB '*|*|*|*'
                 AND substr(id, 1, instr(id, '|') - 1) = office
                 AND substr(id, -8) GLOB '|[0-9][0-9][0-9][0-9]-S[12]'
                 AND action GLOB '[A-Za-z]*.[1-9]*'
                 AND action NOT GLOB '*[^A-Za-z0-9_.-]*'
                 AND action NOT GLOB '*.*.*'
                 AND instr(action, '.') <= 33
                 AND length(action) - instr(action, '.') <= 6
                 AND substr(action, instr(action, '.') + 1) NOT GLOB '*[^0-9]*'))
           OR entity NOT IN ('progress', 'plan', 'key', 'lock')
           OR (entity IN ('plan', 'key', 'lock') AND office <> 'HQ')
        LIMIT 1""".replace(
            "action", "substr(id, instr(id, '|') + 1, length(id) - instr(id, '|') - 8)"),
    # _check_event: each field of a report known, its value valid (INDICATOR_KEY as
    # GLOBs: lower-case letters and digits, runs joined by one - or _)
    "values": f"""
        SELECT fv.n FROM temp.fv JOIN temp.ev USING (n)
        WHERE ev.entity = 'progress' AND NOT CASE
            WHEN fv.key IN ('achievements', 'challenges', 'next_steps')
                THEN fv.type = 'text' AND length(fv.atom) <= {MAX_TEXT}
            WHEN fv.key = 'status' THEN fv.type = 'text' AND fv.atom IN
                ({", ".join(f"'{s}'" for s in STATUSES)})
            WHEN fv.key = 'state' THEN fv.type = 'text' AND fv.atom IN
                ({", ".join(f"'{s}'" for s in REPORT_STATES)})
            WHEN fv.key = 'percent' THEN fv.type = 'null' OR
                (fv.type = 'integer' AND fv.atom BETWEEN 0 AND 100)
            WHEN fv.key GLOB 'value.?*' THEN
                substr(fv.key, 7) NOT GLOB '*[^a-z0-9_-]*'
                AND substr(fv.key, 7) NOT GLOB '[_-]*'
                AND substr(fv.key, 7) NOT GLOB '*[_-]'
                AND substr(fv.key, 7) NOT GLOB '*[_-][_-]*'
                AND fv.type IN ('null', 'integer', 'real')
            ELSE 0 END
        LIMIT 1""",
    # _check_base: each field replaced is one the event writes, a list of at most 32
    # texts; each version named origin:seq as fieldplan writes it (_VERSION_SEQ), of
    # its origin's earlier events only
    "bases": f"""
        SELECT ev.n FROM temp.ev, json_each(ev.base) b
        WHERE ev.base <> '{{}}' AND (
            b.type <> 'array' OR json_array_length(b.value) > 32
            OR NOT EXISTS (SELECT 1 FROM temp.fv WHERE fv.n = ev.n AND fv.key = b.key))
        UNION ALL
        SELECT bv.n FROM temp.bv JOIN temp.ev USING (n)
        WHERE bv.type <> 'text' OR bv.t_origin = '' OR bv.t_seq NOT GLOB '[1-9]*'
           OR bv.t_seq GLOB '*[^0-9]*' OR length(bv.t_seq) > 19
           OR CAST(bv.t_seq AS INTEGER) >= {MAX_COUNTER}
           OR (bv.t_origin = ev.origin AND CAST(bv.t_seq AS INTEGER) >= ev.seq)
        LIMIT 1""",
    # the hash chain: each event follows the one before it of its origin, in the
    # bundle or (a run's first) in the log; the log's event after a run follows it
    "chain": """
        SELECT ev.n FROM temp.ev
        LEFT JOIN temp.ev p ON p.origin = ev.origin AND p.seq = ev.seq - 1
        LEFT JOIN events h ON p.n IS NULL AND h.origin = ev.origin AND h.seq = ev.seq - 1
        WHERE ev.prev IS NOT coalesce(p.hash, h.hash,
                                      CASE WHEN ev.seq = 1 THEN '' END, ev.prev)
        UNION ALL
        SELECT ev.n FROM temp.ev JOIN events nx
            ON nx.origin = ev.origin AND nx.seq = ev.seq + 1
        WHERE NOT EXISTS (SELECT 1 FROM temp.ev x
                          WHERE x.origin = nx.origin AND x.seq = nx.seq)
          AND nx.body ->> '$.prev' <> ev.hash
        LIMIT 1""",
    # store_events: an event held already with another hash is a forked history
    "forks": """
        SELECT ev.n FROM temp.ev JOIN events e ON e.origin = ev.origin AND e.seq = ev.seq
        WHERE e.hash <> ev.hash LIMIT 1""",
}

#: (d) after the log's insert: _check_seen, each version of another computer an
#: event replaces is held here
_CHECK_SEEN = """
    SELECT bv.n FROM temp.bv JOIN temp.ev USING (n)
    WHERE bv.t_origin <> ev.origin AND NOT EXISTS (
        SELECT 1 FROM versions v WHERE v.entity = ev.entity AND v.entity_id = ev.id
           AND v.field = bv.key AND v.origin = bv.t_origin
           AND v.seq = CAST(bv.t_seq AS INTEGER))
    LIMIT 1"""


def run_checks(db: sqlite3.Connection, item: Item, names: tuple[str, ...]) -> None:
    params = {"office": item.office, "sender": item.sender}
    for name in names:
        row = db.execute(_CHECKS[name], params).fetchone()
        assert row is None, f"{item.path.name}: line {row[0]} fails '{name}'"


CHECKS_ALL = tuple(_CHECKS)
CHECKS_NO_ORDER = tuple(c for c in _CHECKS if c != "key order")


def step_checked(db: sqlite3.Connection, item: Item,
                 checks: tuple[str, ...] = CHECKS_ALL) -> None:
    """(d) (c) with every check of the real import that SQL can say."""
    step_log_py(db, item, log=False)
    db.execute(_FIELDS)
    db.execute(_TARGETS)
    # (the key its enrolment proof registers, which the real import does first)
    db.execute("INSERT OR REPLACE INTO temp.origin_office VALUES (?, ?)",
               (item.sender, item.office))
    run_checks(db, item, checks)
    _insert_log(db, item)


#: (e) DESIGN's field versions, set-based, as events.derive writes them: the
#: supersede links of each base; a version row for each field written, born
#: superseded when a link already names it; held versions the new links replace
#: marked; each report's merged row from its heads (per field the greatest (hlc,
#: origin, seq) wins; the latest winner's clock and author); the reports with
#: several heads a field (the only ones that can be in conflict: what the import
#: then looks at); the clock; the import's figures
_HEAD_OF_T = "v.entity = 'progress' AND v.entity_id = t.id AND v.superseded = 0"
_DERIVE = (
    """
    INSERT OR IGNORE INTO supersedes
    SELECT ev.entity, ev.id, bv.key, bv.t_origin, CAST(bv.t_seq AS INTEGER), ev.origin,
           ev.seq
    FROM temp.bv JOIN temp.ev USING (n)
    """,
    """
    INSERT OR IGNORE INTO versions (entity, entity_id, field, origin, seq, hlc, author,
                                    value, superseded)
    SELECT ev.entity, ev.id, fv.key, ev.origin, ev.seq, ev.hlc, ev.author, fv.value,
           EXISTS (SELECT 1 FROM supersedes s WHERE s.entity = ev.entity
                      AND s.entity_id = ev.id AND s.field = fv.key
                      AND s.target_origin = ev.origin AND s.target_seq = ev.seq)
    FROM temp.fv JOIN temp.ev USING (n)
    """,
    """
    UPDATE versions SET superseded = 1
    WHERE superseded = 0 AND (entity, entity_id, field, origin, seq) IN (
        SELECT ev.entity, ev.id, bv.key, bv.t_origin, CAST(bv.t_seq AS INTEGER)
        FROM temp.bv JOIN temp.ev USING (n))
    """,
    "DELETE FROM temp.touched",
    "INSERT OR IGNORE INTO temp.touched SELECT id FROM temp.ev WHERE entity = 'progress'",
    # (touched first, CROSS JOIN: else SQLite walks every head of every report; the
    # heads then come in the order of (report, field), which GROUP BY keeps, no sort)
    f"""
    INSERT OR REPLACE INTO progress (office, action, period, status, percent, vals,
        achievements, challenges, next_steps, state, hlc, updated_by)
    SELECT substr(t.id, 1, instr(t.id, '|') - 1),
           substr(t.id, instr(t.id, '|') + 1, length(t.id) - instr(t.id, '|') - 8),
           substr(t.id, -7),
           coalesce(max(CASE v.field WHEN 'status' THEN v.value ->> '$' END),
                    'not-started'),
           max(CASE v.field WHEN 'percent' THEN v.value ->> '$' END),
           coalesce(json_group_object(substr(v.field, 7), json(v.value))
                    FILTER (WHERE v.field GLOB 'value.*' AND v.value <> 'null'), '{{}}'),
           coalesce(max(CASE v.field WHEN 'achievements' THEN v.value ->> '$' END), ''),
           coalesce(max(CASE v.field WHEN 'challenges' THEN v.value ->> '$' END), ''),
           coalesce(max(CASE v.field WHEN 'next_steps' THEN v.value ->> '$' END), ''),
           coalesce(max(CASE v.field WHEN 'state' THEN v.value ->> '$' END), 'draft'),
           max(v.hlc),
           (SELECT author FROM versions l INDEXED BY versions_heads
            WHERE l.entity = 'progress' AND l.entity_id = t.id AND l.superseded = 0
            ORDER BY l.hlc DESC, l.origin DESC, l.seq DESC LIMIT 1)
    FROM temp.touched t CROSS JOIN versions v INDEXED BY versions_heads
    WHERE {_HEAD_OF_T} AND NOT EXISTS (
        SELECT 1 FROM versions w INDEXED BY versions_heads
        WHERE w.entity = 'progress' AND w.entity_id = v.entity_id AND w.field = v.field
          AND w.superseded = 0 AND (w.hlc, w.origin, w.seq) > (v.hlc, v.origin, v.seq))
    GROUP BY t.id
    """,
    f"""
    SELECT t.id FROM temp.touched t CROSS JOIN versions v INDEXED BY versions_heads
    WHERE {_HEAD_OF_T} GROUP BY t.id, v.field HAVING count(*) > 1
    """,
    """
    INSERT INTO meta (key, value) SELECT 'hlc', max(hlc) FROM temp.ev
    WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value
    WHERE CAST(excluded.value AS INTEGER) > CAST(value AS INTEGER)
    """,
    "SELECT origin, min(seq), max(seq) FROM temp.ev GROUP BY 1",
    "SELECT substr(id, -7), max(hlc) FROM temp.ev WHERE entity = 'progress' GROUP BY 1",
)


def step_derived(db: sqlite3.Connection, item: Item) -> None:
    """(e) (d) with the field versions, supersede links, reports' rows and what the
    import counts, set-based."""
    step_checked(db, item)
    for sql in _DERIVE:
        db.execute(sql).fetchall()
    row = db.execute(_CHECK_SEEN).fetchone()
    assert row is None, f"{item.path.name}: line {row[0]} replaces a version not held"


def rows_written(db_path: Path, items: list[Item]) -> None:
    """Each bundle's rows as the merge left them in ``db_path`` (its log, versions,
    supersede links, reports' rows), kept on the item for ``step_writes``."""
    db = sqlite3.connect(db_path)
    for item in items:
        o = item.sender
        item.rows = {
            "events": db.execute(
                "SELECT origin, seq, hlc, entity, entity_id, hash, body, received_at, "
                "NULL FROM events WHERE origin = ? ORDER BY seq", (o,)).fetchall(),
            "versions": db.execute("SELECT * FROM versions WHERE origin = ?", (o,)).fetchall(),
            "supersedes": db.execute("SELECT * FROM supersedes WHERE by_origin = ?",
                                     (o,)).fetchall(),
            "progress": db.execute("SELECT * FROM progress WHERE office = ?",
                                   (item.office,)).fetchall()}
    db.close()


def step_writes(db: sqlite3.Connection, item: Item) -> None:
    """(w) only the writes DESIGN's data model asks for, of rows ready-made (no
    reading, parsing, checking or deriving): the log's rows, a version row for each
    field written, the supersede links, each report's row, by executemany."""
    for table, rows in item.rows.items():
        if rows:
            db.executemany(f"INSERT INTO {table} VALUES "
                           f"({', '.join('?' * len(rows[0]))})", rows)


# ---------------------------------------------------------------------- measuring


_TEMP = """
    CREATE TEMP TABLE stage (n INTEGER PRIMARY KEY, line TEXT);
    CREATE TEMP TABLE raw (n INTEGER PRIMARY KEY, body TEXT, hash TEXT);
    CREATE TEMP TABLE ev (n INTEGER PRIMARY KEY, hash TEXT, origin TEXT, seq INTEGER,
                          hlc INTEGER, entity TEXT, id TEXT, author TEXT, prev TEXT,
                          fields TEXT, base TEXT, canon INTEGER, types TEXT);
    CREATE INDEX temp.ev_origin_seq ON ev (origin, seq);
    CREATE TEMP TABLE fv (n INTEGER, id INTEGER, key TEXT, type TEXT, atom, value TEXT,
                          PRIMARY KEY (n, id)) WITHOUT ROWID;
    CREATE TEMP TABLE bv (n INTEGER, key TEXT, type TEXT, atom, t_origin TEXT,
                          t_seq TEXT);
    CREATE TEMP TABLE origin_office (origin TEXT PRIMARY KEY, office TEXT) WITHOUT ROWID;
    CREATE TEMP TABLE touched (id TEXT PRIMARY KEY) WITHOUT ROWID;
    """


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def open_db(path: Path, hq: Path | None, offices: dict[str, str]) -> sqlite3.Connection:
    """A new database as the import writes (WAL, synchronous=FULL, foreign keys on,
    TEMP tables in memory): a copy of headquarters' before the import, with the key
    registry's replica → office as a TEMP table (``hq``), or empty (None)."""
    db = sqlite3.connect(path, isolation_level=None)
    if hq is not None:
        src = sqlite3.connect(hq)
        src.backup(db)
        src.close()
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA temp_store = MEMORY")
    if hq is None:
        db.executescript(RAW_SCHEMA)
    db.executescript(_TEMP)
    db.executemany("INSERT INTO temp.origin_office VALUES (?, ?)", offices.items())
    db.create_function("sha256", 1, _sha256, deterministic=True)
    return db


def run_step(tmp: Path, name: str, items: list[Item],
             work: Callable[[sqlite3.Connection, Item], None], hq: Path | None,
             offices: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``work`` on each bundle, one committed transaction
    each, on a new database."""
    db = open_db(tmp / f"{name}.sqlite3", hq, offices)
    t0, c0 = time.perf_counter(), time.process_time()
    for item in items:
        db.execute("BEGIN IMMEDIATE")
        work(db, item)
        db.execute("COMMIT")
    out = time.perf_counter() - t0, time.process_time() - c0
    db.close()
    return out


def read_minimal(items: list[Item]) -> None:
    """(r) what reading needs without a look at each line: open the ZIP, check its
    members, the manifest and its signature (open_bundle), then the events member
    read once, its size and SHA-256 checked against the manifest's in one call."""
    for item in items:
        with bundlefmt.open_bundle(item.path, check_events=False) as b:
            data = b._zf.read(bundlefmt.EVENTS)
            assert len(data) == b.events_size
            assert hashlib.sha256(data).hexdigest() == b.events_sha256


def check_same_state(tmp: Path, world: demo.DemoWorld, items: list[Item]) -> None:
    """The set-based merge's tables equal the real import's (the log, the versions,
    the supersede links, the reports' rows): it did the same work."""
    real = _copy_db(world.hq, tmp / "real")
    from fieldplan.sync import import_bundle
    with open_replica(real) as hq:
        for item in items:
            assert import_bundle(hq, item.path, backup=False).outcome == "merged"
    a = sqlite3.connect(real)
    b = sqlite3.connect(tmp / "e-check.sqlite3")
    # (the key registry's events headquarters writes for each office's key aside:
    # per-bundle work, left out of the steps)
    for sql in ("SELECT origin, seq, hlc, entity, entity_id, hash, body FROM events "
                "WHERE entity = 'progress'",
                "SELECT * FROM versions WHERE entity = 'progress'",
                "SELECT * FROM supersedes", "SELECT * FROM progress"):
        ra, rb = sorted(a.execute(sql).fetchall()), sorted(b.execute(sql).fetchall())
        assert ra == rb, (sql, len(ra), len(rb),
                          next((x, y) for x, y in zip(ra, rb, strict=False) if x != y))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--world", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if args.world and (args.world / "hq.sqlite3").exists():
            world = demo.DemoWorld(out=args.world, hq=args.world / "hq.sqlite3", bundles={
                p.name.split("-")[0]: p for p in sorted((args.world / "bundles").iterdir())})
        else:
            demo.DEMO_TODAY = dt.date(2027, 12, 31)  # the whole plan, as bench_sync
            world = demo.make_demo((args.world or tmp / "world"), offices=57, seed=1)
        items = [Item(p) for p in world.bundles.values()]
        n = sum(len(i.restored) for i in items)
        hq = _copy_db(world.hq, tmp / "hq-before")
        with open_replica(hq) as rep:
            offices = keyreg.replica_offices(rep)
        steps: list[tuple[str, str, Callable, Path | None]] = [
            ("a", "raw executemany into a bare table (bench_sync's baseline)", step_raw,
             None),
            ("b", "staging: the member's lines as they are into a TEMP table", step_stage,
             hq),
            ("c", "+ prev put back and SHA-256 in Python; columns by ->>, log rows by "
                  "INSERT … SELECT", step_log_py, hq),
            ("c'", "the same, prev and SHA-256 in SQL (recursive query, SHA-256 by "
                   "create_function)", step_log_udf, hq),
            ("c''", "staging + SELECT sha256(line) by create_function alone",
             step_sha_udf_only, hq),
            ("d-", "(c) + the import's checks SQL can say, but fields' key order and "
                   "escapes",
             lambda db, it: step_checked(db, it, CHECKS_NO_ORDER), hq),
            ("d", "(c) + every check of the import SQL can say",
             step_checked, hq),
            ("e", "(d) + versions, supersedes, reports' rows, several heads, clock, "
                  "figures", step_derived, hq),
        ]
        print(f"{len(items)} bundles, {n} events")
        run_step(tmp, "rows", items, step_derived, hq, offices)
        rows_written(tmp / "rows.sqlite3", items)
        steps.insert(1, ("w", "only the writes: log, versions, supersedes, reports' rows, "
                              "ready-made, by executemany", step_writes, hq))
        results: dict[str, tuple[float, float]] = {}
        for run in range(CPU_RUNS):  # alternating: each step once a round
            for key, _label, work, base in steps:
                wall, cpu = run_step(tmp, f"{key}-{run}".replace("'", "p"), items, work,
                                     base, offices)
                got = results.get(key)
                results[key] = (wall, cpu) if got is None else (min(got[0], wall),
                                                                min(got[1], cpu))
        read_cpu = read_wall = float("inf")
        for _ in range(CPU_RUNS):
            t0, c0 = time.perf_counter(), time.process_time()
            read_minimal(items)
            read_wall = min(read_wall, time.perf_counter() - t0)
            read_cpu = min(read_cpu, time.process_time() - c0)
        py_cpu = float("inf")
        for _ in range(CPU_RUNS):
            c0 = time.process_time()
            for item in items:
                restore_and_hash(item.member)
            py_cpu = min(py_cpu, time.process_time() - c0)
        real_cpu = min(_import_cpu(hq, world, tmp / f"real-{i}") for i in range(CPU_RUNS))
        # the set-based merge left what the real import leaves
        run_step(tmp, "e-check", items, step_derived, hq, offices)
        check_same_state(tmp, world, items)

        base_wall, base_cpu = results["a"]
        print(f"{'step':5} {'CPU s':>7} {'×(a)':>6} {'wall s':>7} {'×(a)':>6}  what")
        for key, label, _work, _base in steps:
            wall, cpu = results[key]
            print(f"{key:5} {cpu:7.3f} {cpu / base_cpu:6.1f} {wall:7.3f} "
                  f"{wall / base_wall:6.1f}  {label}")
        print(f"{'r':5} {read_cpu:7.3f} {read_cpu / base_cpu:6.1f} {read_wall:7.3f} "
              f"{read_wall / base_wall:6.1f}  reading: open, signature, the member's "
              "SHA-256 in one call")
        e_cpu, e_wall = results["e"][1], results["e"][0]
        print(f"{'r+e':5} {read_cpu + e_cpu:7.3f} {(read_cpu + e_cpu) / base_cpu:6.1f} "
              f"{read_wall + e_wall:7.3f} {(read_wall + e_wall) / base_wall:6.1f}  "
              "a whole set-based import, but the per-bundle work (keys, receipts, backup)")
        print(f"  of which the Python pass putting prev back and hashing each line: "
              f"{py_cpu:.3f} s CPU = {py_cpu / base_cpu:.1f}× (a), "
              f"{py_cpu / n * 1e6:.2f} µs an event")
        print(f"  the real import (CPU, least of {CPU_RUNS}): {real_cpu:.3f} s = "
              f"{real_cpu / base_cpu:.1f}× (a); (a) is {base_cpu / n * 1e6:.2f} µs an event")
        print("  the set-based merge's log, versions, supersedes and reports' rows equal "
              "the real import's")


if __name__ == "__main__":
    main()
