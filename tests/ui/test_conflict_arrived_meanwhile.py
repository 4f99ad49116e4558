"""The Conflicts page keeps a value against the versions it showed: a third laptop's
version of another value, imported while the page showed two, is not replaced unseen
by a Keep; the page says why and shows it."""

from __future__ import annotations

from pathlib import Path

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle, import_bundle, list_conflicts
from tests.scenes import closed, laptops_in_conflict, send
from tests.ui.conftest import wait_idle


def test_keep_refuses_a_value_that_arrived_unseen_and_shows_it(
        open_window, qtbot, hq, make_office, tmp_path: Path) -> None:
    third = make_office("ML", "ml-c")  # (set up before the others wrote: it saw neither)
    scene = laptops_in_conflict(hq, make_office, tmp_path, {"status": "on-track"},
                                {"status": "at-risk"})
    progress.record_progress(third, scene.code, "2026-S1", status="off-track")
    send(third, hq, tmp_path)
    path = closed(scene.a)
    window = open_window(path)
    page = window.conflicts
    window.show_page(page)
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    # the third version arrives behind the page's back (another window's import)
    (tmp_path / "back").mkdir()
    with open_replica(path) as other:
        import_bundle(other, export_bundle(hq, for_office="ML",
                                           out_dir=tmp_path / "back").path)
    on_track = next(b for b in page._boxes[:2] if any(
        c.value == "on-track" and c.value_id == b.ids[1]
        for c in list_conflicts_shown(page)))
    on_track.keep_button.click()
    qtbot.waitUntil(lambda: len(page.keep_buttons) == 3, timeout=5000)
    wait_idle(qtbot, window.session)
    assert "arrived since the conflict was shown" in page.message.text()
    with open_replica(path) as rep:
        [now] = list_conflicts(rep)
        assert sorted(c.value for c in now.candidates) == [
            "at-risk", "off-track", "on-track"]


def list_conflicts_shown(page):
    from ui.models import ROW_ROLE

    return page.model.data(page.view.currentIndex(), ROW_ROLE).candidates
