"""Seeded mutation loops over the files a person hands fieldplan (plan files, setup
bundles, the database itself): whatever the damage, a clear one-line refusal or a
sound result, never an internal error. Small and fixed (a handful of cases each);
the exploratory loops that found the bugs they guard ran thousands of cases."""

from __future__ import annotations

import random
import shutil

import pytest

from fieldplan import progress, store
from fieldplan.bundle import open_bundle
from fieldplan.cli import main
from fieldplan.errors import BundleError, PlanError
from fieldplan.plan import format_plan, load_plan

SEED = 30


def mutated(data: bytes, rng: random.Random) -> bytes:
    """``data`` damaged one way: cut short, a bit flipped, bytes added, removed or
    repeated, a byte that is no UTF-8, a run of bytes overwritten, its start lost."""
    b = bytearray(data)
    i = rng.randrange(len(b))
    kind = rng.randrange(8)
    if kind == 0:
        return bytes(b[:i])
    if kind == 1:
        b[i] ^= 1 << rng.randrange(8)
        return bytes(b)
    if kind == 2:
        return bytes(b[:i] + rng.randbytes(rng.randrange(1, 8)) + b[i:])
    if kind == 3:
        return bytes(b[:i] + b[i + rng.randrange(1, 200):])
    if kind == 4:
        j = min(len(b), i + rng.randrange(1, 200))
        return bytes(b[:j] + b[i:j] + b[j:])
    if kind == 5:
        b[i] = rng.choice([0x80, 0xFF, 0xC3, 0x00])
        return bytes(b)
    if kind == 6:
        n = rng.randrange(1, 64)
        b[i:i + n] = rng.randbytes(n)
        return bytes(b)
    return bytes(b[i:])


@pytest.mark.parametrize("fmt", ["toml", "json", "csv"])
def test_a_damaged_plan_file_is_read_or_refused_in_one_line(hq, tmp_path, fmt) -> None:
    rng = random.Random(f"{SEED}-{fmt}")
    text = format_plan(hq.plan(), fmt).encode("utf-8")
    path = tmp_path / f"plan.{fmt}"
    for _ in range(12):
        path.write_bytes(mutated(text, rng))
        try:
            load_plan(path)
        except PlanError as exc:
            assert "\n" not in str(exc) and str(exc).startswith(f"plan.{fmt}"), str(exc)


def test_a_damaged_setup_bundle_is_refused_in_one_line(hq, tmp_path) -> None:
    from fieldplan.sync import enroll_office

    setup = tmp_path / "setup-ML.fieldplan"
    enroll_office(hq, "ML", setup)
    data = setup.read_bytes()
    rng = random.Random(SEED)
    for _ in range(25):
        try:
            with open_bundle(mutated(data, rng)) as bundle:
                list(bundle.iter_events())
        except BundleError as exc:  # (SignatureError is one)
            message = str(exc)
            assert "\n" not in message and "Errno" not in message, message


def test_a_damaged_database_is_said_in_one_line(make_office, tmp_path, capsys) -> None:
    """A bad run of bytes somewhere in an office's database (a sector, a cut): each
    command works, or says in one line what is wrong (with the restore when the
    file is damaged), never "internal error"."""
    ml = make_office("ML")
    progress.record_progress(ml, "PA1.2", "2026-S1", status="on-track",
                             achievements="Atelier tenu à Bamako")
    store.backup(ml.conn, ml.path, "manual")
    source = ml.path
    ml.close()
    data = source.read_bytes()
    rng = random.Random(SEED)
    for case in range(6):
        folder = tmp_path / f"case{case}"
        folder.mkdir()
        db = folder / source.name
        db.write_bytes(mutated(data, rng))
        shutil.copy(f"{source}.key", f"{db}.key")
        shutil.copytree(store.backup_dir(source), store.backup_dir(db))
        for argv in (["progress", "list"], ["digest"]):
            code = main(["--db", str(db), *argv])
            err = capsys.readouterr().err
            assert code in (0, 1), (case, argv, err)
            assert "internal error" not in err, (case, argv, err)
            if code == 1:
                assert len(err.splitlines()) == 1, (case, argv, err)
            if "is not a usable fieldplan database" in err:
                assert main(["--db", str(db), "restore"]) == 0, (case, argv)
                capsys.readouterr()
                assert main(["--db", str(db), *argv]) == 0, (case, argv)
                capsys.readouterr()
                break

