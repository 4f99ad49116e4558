"""The editor's save over a value 40 laptops wrote, unseen by each other (it types over
the version shown, which the save widens to every version of that value): all 40 are
replaced, by a chain of events each within what peers accept in one event. It replaced
32 and left 8 beside the new value, a conflict nobody made."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import list_conflicts
from tests.scenes import laptops_wrote_alike, send
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose, db_report


def test_a_save_over_forty_alike_leaves_one_version(open_window, qtbot, hq, make_office,
                                                    tmp_path) -> None:
    more, first, codes = laptops_wrote_alike(hq, make_office, tmp_path)
    path = more.path
    more.close()
    window = open_window(path)
    editor = choose(window, qtbot, codes[0])
    editor.percent.setFocus()
    editor.percent.selectAll()
    qtbot.keyClicks(editor.percent, "60")
    editor.save_now()
    qtbot.waitUntil(lambda: db_report(path, codes[0], "2026-S1").percent == 60,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    rid = progress.report_id("ML", codes[0], "2026-S1")
    with open_replica(path) as more:
        assert send(more, hq, tmp_path)[1].outcome == "merged"
        assert send(hq, first, tmp_path)[1].outcome == "merged"
        for rep in (more, hq, first):
            assert list_conflicts(rep) == []
            assert progress.digest(rep, "ML") == progress.digest(hq, "ML")
            assert rep.conn.execute(
                "SELECT count(*) FROM versions WHERE entity_id = ? AND field = 'percent' "
                "AND superseded = 0", (rid,)).fetchone()[0] == 1
