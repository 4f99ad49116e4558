"""How the status sheets' tables of the review pack split across pages (run on
demand, not by pytest):

    python tests/bench/bench_sheet_splits.py DB [--period 2026-S1] [--lang en]
        [--paper A4]

Builds the pack and prints its pages and, for the sheets' tables of three actions,
how many print whole and how many split, by the parts' rows ("1+2": the first action
alone at a page's foot, the other two on the next page; "2+1": the last action alone
at the next page's top). A part that goes on inside
an action's row (a row taller than a page) counts that action in both parts.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def count(db: str, period: str, lang: str, paper: str) -> dict:
    from fieldplan.replica import open_replica
    from fieldplan.reports import build_review_pack
    from fieldplan.reports import common as cm

    drawn: list[tuple[int, list[str]]] = []
    draw = cm.GridTable.drawOn

    def text(value) -> str:
        if isinstance(value, (list, tuple)):
            return " ".join(text(v) for v in value)
        return getattr(value, "text", "")

    def drawOn(self, canv, x, y, _sW=0):  # (ReportLab's name)
        if len(self._colWidths) == 6:  # a sheet's table (Code … Narrative)
            if drawn and canv.getPageNumber() < drawn[-1][0]:
                drawn.clear()  # a new layout pass (the pack's are several)
            codes = [re.findall(r"PA\d\.\d+", text(row))[:1] for row in self._cellvalues[1:]]
            drawn.append((canv.getPageNumber(), [c[0] for c in codes if c]))
        return draw(self, canv, x, y, _sW)

    cm.GridTable.drawOn = drawOn
    with tempfile.TemporaryDirectory() as tmp, open_replica(db) as rep:
        out = build_review_pack(rep, period, Path(tmp) / "pack.pdf", lang=lang, paper=paper)
        info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True,
                              check=True).stdout
        pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    tables: list[list[tuple[int, list[str]]]] = []
    for page, codes in drawn:
        if not codes:
            continue
        last = tables[-1][-1] if tables else None
        if (last and page == last[0] + 1 and codes[0][:3] == last[1][-1][:3]
                and codes[0] >= last[1][-1]):
            tables[-1].append((page, codes))
        else:
            tables.append([(page, codes)])
    shapes: collections.Counter = collections.Counter()
    for parts in tables:
        actions = sorted({c for _p, codes in parts for c in codes})
        if len(actions) == 3:
            shapes["+".join(str(len(codes)) for _p, codes in parts)] += 1
    return {"lang": lang, "paper": paper, "pages": pages,
            "three_action_tables": sum(shapes.values()),
            "split": sum(n for s, n in shapes.items() if s != "3"),
            "1+2": shapes.get("1+2", 0), "2+1": shapes.get("2+1", 0),
            "shapes": dict(sorted(shapes.items()))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db")
    ap.add_argument("--period", default="2026-S1")
    ap.add_argument("--lang", default="en")
    ap.add_argument("--paper", default="A4")
    args = ap.parse_args()
    print(json.dumps(count(args.db, args.period, args.lang, args.paper)))


if __name__ == "__main__":
    main()
