"""Benchmark: making a new database (a first run, each ``init``, and every test that
builds its own): ``init_hq`` and an office's ``init --from`` a setup bundle, CPU time
and seconds each (the least of a few rounds), and the disk syncs one takes (counted
with strace when it is there). With ``--root OLD``, the same in another checkout, in
alternating child processes, and the ratios. Targets: an HQ's ≤ 10 syncs, ≤ 40 ms of
CPU on a developer's laptop.

    python tests/bench/bench_init.py [--rounds 5] [--count 10] [--root OLD]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: run in a child process with the checkout's fieldplan: prints {"hq": [cpu, s], ...}
_CHILD = r"""
import json, sys, tempfile, time
from pathlib import Path
from fieldplan.replica import init_hq
from fieldplan.sync import enroll_office, init_from_setup
count = int(sys.argv[1])
d = Path(tempfile.mkdtemp())
init_hq(d / "warm.sqlite3").close()  # imports, caches: not a new database's cost
hq = init_hq(d / "hq.sqlite3")
for i in range(count):
    enroll_office(hq, "ML", d / f"s{i}.fieldplan")

def timed(make):
    c, t = time.process_time(), time.perf_counter()
    for i in range(count):
        make(i).close()
    return [(time.process_time() - c) / count, (time.perf_counter() - t) / count]

out = {"hq": timed(lambda i: init_hq(d / f"h{i}.sqlite3")),
       "office": timed(lambda i: init_from_setup(d / f"o{i}.sqlite3", d / f"s{i}.fieldplan"))}
print(json.dumps(out))
"""

#: one init_hq, between two marks on standard error (for strace)
_SYNCS = r"""
import os, tempfile
from pathlib import Path
from fieldplan.replica import init_hq
d = Path(tempfile.mkdtemp())
init_hq(d / "warm.sqlite3").close()
os.write(2, b"<<init>>\n")
init_hq(d / "hq.sqlite3").close()
os.write(2, b"<</init>>\n")
"""


def _env(root: Path, home: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(root), FIELDPLAN_AUTHOR="bench",
               TMPDIR=str(home))
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME"):
        env[var] = str(home / var.lower())
    return env


def measure(root: Path, count: int) -> dict[str, list[float]]:
    home = Path(tempfile.mkdtemp(prefix="bench-init-"))
    try:
        out = subprocess.run([sys.executable, "-c", _CHILD, str(count)], cwd=root,
                             env=_env(root, home), capture_output=True, text=True,
                             check=True)
        return json.loads(out.stdout)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def syncs(root: Path) -> int | None:
    if shutil.which("strace") is None:
        return None
    home = Path(tempfile.mkdtemp(prefix="bench-init-"))
    try:
        log = home / "strace.txt"
        subprocess.run(["strace", "-f", "-e", "trace=fsync,fdatasync,write", "-o", str(log),
                        sys.executable, "-c", _SYNCS], cwd=root, env=_env(root, home),
                       capture_output=True, check=True)
        lines = log.read_text().splitlines()
        start = next(i for i, line in enumerate(lines) if "<<init>>" in line)
        end = next(i for i, line in enumerate(lines) if "<</init>>" in line)
        return sum(1 for line in lines[start:end] if "sync(" in line)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--root", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    roots = {"this": ROOT}
    if args.root:
        roots["other"] = args.root.resolve()
    best: dict[str, dict[str, list[float]]] = {name: {} for name in roots}
    for _ in range(args.rounds):
        for name, root in roots.items():  # alternating: a busy machine weighs on both
            for kind, figures in measure(root, args.count).items():
                was = best[name].get(kind)
                best[name][kind] = figures if was is None else [
                    min(a, b) for a, b in zip(was, figures, strict=True)]
    for name, root in roots.items():
        print(f"{name} ({root}): {syncs(root)} disk syncs for an HQ's init")
        for kind, (cpu, wall) in best[name].items():
            line = f"  {kind:7} {cpu * 1000:6.1f} ms CPU {wall * 1000:6.1f} ms"
            if name == "this" and "other" in best:
                ocpu, owall = best["other"][kind]
                line += f"  (×{cpu / ocpu:.2f} CPU, ×{wall / owall:.2f} time of the other)"
            print(line)


if __name__ == "__main__":
    main()
