"""Gaps at their edges: an office's events in three bundles of their own (each sent
after headquarters' receipt of the one before), which headquarters, put back to a
copy holding the first alone, meets in every order. Each import says what is
missing from the first event after those held up to the last one held, a hole filled
by a bundle imported later is no gap, and every order ends with the same data."""

from __future__ import annotations

import itertools
import shutil
from pathlib import Path

from scenes import forget_write_marks

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle, list_gaps

S1 = "2026-S1"


def test_three_bundles_in_every_order_leave_the_right_gaps(hq, make_office,
                                                           tmp_path: Path) -> None:
    ml = make_office("ML")
    acts = [a.code for a in ml.plan().actions_of(level="national")]
    bundles = []
    for i in range(4):  # events 1–3, 4–6, 7–9, 10–12
        for j in range(3):
            progress.record_progress(ml, acts[j], S1, percent=10 * i + j + 1)
        folder = tmp_path / f"ml-{i}"
        folder.mkdir()
        bundles.append(export_bundle(ml, out_dir=folder).path)
        assert import_bundle(hq, bundles[-1], backup=False).outcome == "merged"
        if i == 0:  # a copy of headquarters holding the first bundle alone
            hq.close()
            for end in ("", ".key"):
                shutil.copy(tmp_path / f"hq.sqlite3{end}", tmp_path / f"copy.sqlite3{end}")
            hq = open_replica(tmp_path / "hq.sqlite3")
        back = tmp_path / f"hq-{i}"
        back.mkdir()
        assert import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=back).path,
                             backup=False).outcome == "merged"
    digest = progress.digest(hq, "ML")
    hq.close()
    ranges = {1: (4, 6), 2: (7, 9), 3: (10, 12)}
    for order in itertools.permutations((1, 2, 3)):
        target = tmp_path / "in-order.sqlite3"
        for end in ("", ".key"):
            Path(f"{target}{end}").unlink(missing_ok=True)
            shutil.copy(tmp_path / f"copy.sqlite3{end}", f"{target}{end}")
        for side in ("-wal", "-shm"):
            Path(f"{target}{side}").unlink(missing_ok=True)
        forget_write_marks()  # (each copy put back afresh: none went back)
        held = {1, 2, 3}
        with open_replica(target) as rep:
            arrived = set()
            for n in order:
                outcome = import_bundle(rep, bundles[n], backup=False)
                assert outcome.outcome == "merged"
                arrived.add(n)
                top = max(arrived)
                missing = [m for m in sorted(held) if m < top and m not in arrived]
                # consecutive missing bundles are one gap: 4–9, not 4–6 and 7–9
                runs: list[list[int]] = []
                for m in missing:
                    if runs and runs[-1][-1] == m - 1:
                        runs[-1].append(m)
                    else:
                        runs.append([m])
                want = [(ranges[r[0]][0], ranges[r[-1]][1]) for r in runs]
                assert [(g.first, g.last) for g in list_gaps(rep)] == want, order
                assert [(g.first, g.last) for g in list_gaps(rep, [ml.replica_id])] == want
            assert progress.digest(rep, "ML") == digest
