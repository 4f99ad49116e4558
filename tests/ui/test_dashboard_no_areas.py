"""A dashboard with no area to show (the plan has no action at the office's level)
has no empty "Progress by area" box: a bare grey bar over the sentence saying why,
read as the areas not loaded yet; it comes back with the areas."""

from __future__ import annotations

from tests.ui.conftest import wait_idle
from tests.ui.test_dashboard_conflicts import dashboard_of


def test_no_area_no_empty_box(in_language, open_window, qtbot, hq, make_office, tmp_path):
    from tests.scenes import amend_plan, send

    ml = make_office("ML")
    sn = make_office("SN")  # (set up before the amendment, and not sent it)
    amend_plan(hq, tmp_path, drop=tuple(a.code for a in hq.plan().actions
                                        if a.level == "national"))
    send(hq, ml, tmp_path)
    path = ml.path
    ml.close()
    window, dash = dashboard_of(open_window, qtbot, path)
    assert dash.summary.areas == ()
    assert not dash.areas_box.isVisible()
    assert dash.missing_box.isVisible() and dash.missing.count() == 1
    window.grab().save(str(tmp_path / f"dashboard-no-areas-{in_language}.png"))
    # an office whose plan has its actions: the box shows its areas
    path = sn.path
    sn.close()
    window.close()
    window, dash = dashboard_of(open_window, qtbot, path)
    wait_idle(qtbot, window.session)
    assert dash.summary.areas and dash.areas_box.isVisible()
