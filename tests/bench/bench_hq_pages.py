"""Two HQ pages a person waits on, CPU time against another checkout (run on demand,
not as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_hq_pages.py --db HQ.sqlite3 \
        [--root OLD] [--rounds 3]

- the Reports page's fetch (``ReportsPage.refresh``'s worker job: the reports, why the
  plan hides each, their search texts, those changed after a lock, the fields in
  conflict and the reports of one computer's history), on a headquarters with
  thousands of conflicted reports (bench_hq_walk.py's ``large``, or its
  ``make_large(out, offices=14)``: 833 conflicted reports);
- the Inbox's table of 1,000 rows (the HQ's inbox lines repeated, each a row of its
  own): loading it, then each paint of a scroll through it a third of a page at a
  time, and how many reasons are made again from their records a paint.

Each figure is taken in a child process of its own, the checkouts alternating. Measured
on 2 shared cores, the 14-office ``large`` HQ (833 conflicted reports of 859), three
rounds each, before today's one-computer changes (defb09b2), with them, and after
``conflicted_fields_apart`` and the Reason cell written once:

    Reports fetch:  0.22-0.23 s CPU before; 0.28 s with them; 0.22-0.25 s after
    Inbox scroll:   36 reasons made a paint before and with them (every row in
                    sight); after, each row's once in the whole scroll (1,000 rows
                    over 88 paints: 11 a paint, none on a repaint); the paint's CPU is
                    mostly Qt's (18-34 ms a paint, noisy)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_REPORTS = r"""
import json, sys, time
from fieldplan.replica import open_replica
from fieldplan.sync import conflicts as C
from fieldplan.progress import changed_after_lock, list_reports
from fieldplan.planops import PlanScope
from ui.hq_desk import in_listing_order, search_texts
with open_replica(sys.argv[1]) as rep:
    rep.plan()
    c = time.process_time()
    reports = in_listing_order(list_reports(rep), "en")
    scope = PlanScope(rep.plan())
    late = [x for ch in changed_after_lock(rep).values() for x in ch]
    hidden = [scope.why_hidden(r.office, r.action, r.period) for r in reports]
    texts = search_texts(reports)
    if hasattr(C, "conflicts_apart"):
        conflicted = C.conflicts_apart(rep)
    elif hasattr(C, "conflicted_fields_apart"):
        conflicted, one = C.conflicted_fields_apart(rep)
    else:
        conflicted = C.conflicted_fields(rep)
        one = None
        if "one_computer_reports" in open(sys.argv[2]).read():
            one = C.one_computer_reports(rep, conflicted) if conflicted else set()
    print(json.dumps({"fetch_cpu": time.process_time() - c, "reports": len(reports),
                      "conflicted": len(conflicted)}))
"""

_INBOX = r"""
import dataclasses, json, sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from fieldplan.replica import open_replica
from fieldplan.sync import exchange, list_inbox
from ui.hq_desk import _table
from ui.models import InboxModel
made = [0]
reason_in = exchange._reason_in
def counted(*a, **k):
    made[0] += 1
    return reason_in(*a, **k)
exchange._reason_in = counted
with open_replica(sys.argv[1]) as rep:
    base = list_inbox(rep)
rows = [dataclasses.replace(e) for e in (base * (1000 // max(1, len(base)) + 1))[:1000]]
model = InboxModel()
view = _table(model, "Inbox")
view.resize(1280, 800)
view.show()
app.processEvents()
c = time.process_time()
model.set_rows(rows)
app.processEvents()
view.viewport().repaint()
load = time.process_time() - c
made[0] = 0
bar = view.verticalScrollBar()
paints = 0
c = time.process_time()
for value in range(bar.minimum(), bar.maximum() + 1, max(1, bar.pageStep() // 3)):
    bar.setValue(value)
    view.viewport().repaint()
    paints += 1
scroll = time.process_time() - c
print(json.dumps({"load_cpu": load, "paint_ms": scroll / paints * 1000,
                  "reasons_a_paint": made[0] / paints}))
"""


def child(code: str, root: Path, db: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(root), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code, str(db),
                          str(root / "ui" / "hq_desk.py")],
                         env=env, cwd=root, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--root", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    roots = [ROOT] + ([args.root.resolve()] if args.root else [])
    for name, code in (("Reports fetch", _REPORTS), ("Inbox, 1,000 rows", _INBOX)):
        print(name)
        for _round in range(args.rounds):
            for root in roots:
                figures = child(code, root, args.db.resolve())
                print(f"  {'this ' if root == ROOT else 'other'} " + ", ".join(
                    f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                    for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
