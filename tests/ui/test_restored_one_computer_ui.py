"""The Conflicts tab of a laptop restored from a backup, of a field it wrote before
the restore and again after it: one computer's history (this one's), both versions
this computer's (the one from before under the replica id the laptop had then), where
it said another computer had written the one from before."""

from __future__ import annotations

import os

from tests.core.test_restored_one_computer import restored_laptop_in_conflict_with_itself
from tests.scenes import closed
from tests.ui.conftest import wait_idle

SHOTS = os.environ.get("FIELDPLAN_SHOTS")


def bare(text: str) -> str:
    """``text`` without the isolates and marks that keep its inserted pieces whole."""
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069\u200e\u200f")


def test_the_restored_laptop_says_every_version_is_its_own(
        open_window, qtbot, hq, make_office, tmp_path, in_language) -> None:
    from fieldplan.i18n import _

    ml, _before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    replica = ml.replica_id
    window = open_window(closed(ml))
    page = window.conflicts
    window.show_page(page)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)
    qtbot.waitUntil(lambda: bool(page.message.text()), timeout=5000)
    said = page.message.text()
    # (isolated ids in the sentence: compared without the isolates)
    plain = bare(said)
    assert _("Every version comes from this computer ({computer}): its own history "
             "holds versions that do not replace each other, no other computer wrote "
             "this field").format(computer=replica[:8]) in plain
    boxes = [box for box in page._boxes if box.isVisibleTo(page)]
    assert len(boxes) == 2
    for box in boxes:
        computer = box.ids[1].split(":")[0]
        mine = (_("this computer ({computer})") if replica.startswith(computer) else
                _("this computer before its restore ({computer})")).format(computer=computer)
        plain = bare(box.heading.text())
        assert mine in plain, plain
        assert mine in box.pane.accessibleName()
    if SHOTS:
        window.grab().save(os.path.join(SHOTS, f"restored-one-computer-{in_language}.png"))


def test_the_restored_laptops_report_form_says_this_computer_changed_it_twice(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    from tests.ui.test_office_work import choose

    ml, _before = restored_laptop_in_conflict_with_itself(hq, make_office, tmp_path)
    window = open_window(closed(ml))
    editor = choose(window, qtbot, "PA1.2", "2026-S1")
    qtbot.waitUntil(lambda: bool(editor.notice.text()), timeout=5000)
    assert editor.notice.text().split("\n")[0] == (
        "Changed twice on this computer, neither change replacing the other: Percent "
        "complete, Status. Both versions are kept; choose one in Conflicts.")
    window.show_page(window.dashboard)
    qtbot.waitUntil(lambda: "PA1.2" in window.dashboard.conflicts.text(), timeout=5000)
    assert window.dashboard.conflicts.text().split("\n")[1].startswith(
        "One computer's history holds versions of this report's values")
