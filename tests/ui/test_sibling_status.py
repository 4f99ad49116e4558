"""The status bar of a laptop that lacks reports another laptop of its office sent
headquarters: it says so, and its tip says how they come."""

from __future__ import annotations

from pathlib import Path

from fieldplan.replica import init_hq
from fieldplan.status import hq_only_text
from tests.scenes import second_laptop_behind


def test_the_status_bar_says_the_siblings_changes_are_not_here_yet(
        open_window, qtbot, tmp_path: Path) -> None:
    with init_hq(tmp_path / "hq.sqlite3") as hq:
        one, two, _bundle, written = second_laptop_behind(hq, tmp_path)
        one.close()
        two.close()
    window = open_window(tmp_path / "two.sqlite3")
    # (a laptop's width: in a narrower status bar this new laptop's deadline for its
    # first bundle comes before the siblings' words, which then go to the tip)
    window.resize(1366, 700)
    # (read once the window is painted: "Sync: …" until then, on a busy machine)
    qtbot.waitUntil(lambda: f"{written} changes of this office's other computers are not "
                    "here yet" in window.sync_label.text(), timeout=10_000)
    tip = window.sync_label.toolTip()
    assert hq_only_text(written)[1:] in tip  # (as a sentence: its capital)
