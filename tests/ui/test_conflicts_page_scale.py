"""The Conflicts page holds the versions it shows of each conflict, and counts the
rest: its listing made an object for every open version, and 1.6 million of them
(2,002 of one field) took 35 s and 2 GB to show the tab, then froze the window at
each garbage collection. What it says of the versions not shown is counted from all
of them, and a Keep still replaces every one."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync.conflicts import SHOWN_VERSIONS
from tests.scenes import laptop_with_a_wide_conflict
from tests.ui.conftest import wait_idle


def test_the_page_holds_the_versions_shown_and_says_how_many_more(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    path, every = laptop_with_a_wide_conflict(hq, make_office, tmp_path, many=150)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == SHOWN_VERSIONS, timeout=10_000)
    wait_idle(qtbot, window.session)
    [listed] = page.model.rows()
    # no more versions held than shown, and those the versions shown of all of them
    assert listed.candidates == every.shown and listed.versions == 150
    assert ("118 more versions are not shown: each one's value is one of those shown. "
            "Keeping a value replaces every version, shown or not.") in page.message.text()
    cell = page.model.index(0, page.model.VALUES).data()
    assert "99%" in cell and cell.endswith("…")
    [keep] = [b for b in page.keep_buttons if "“99%”" in b.accessibleName()]
    keep.click()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    window.close()
    with open_replica(path) as rep:
        [report] = progress.list_reports(rep, office="ML")
        assert report.percent == 99
        assert rep.conn.execute("SELECT count(*) FROM versions WHERE field = 'percent' "
                                "AND superseded = 0").fetchone()[0] == 1
