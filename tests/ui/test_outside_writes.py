"""What another program writes to the open database shows in the window within
seconds: a save made with ``fieldplan progress set`` in the report on screen, an
import made with ``fieldplan import`` in headquarters' pages and its Inbox."""

from __future__ import annotations

import shutil

import pytest

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose

sync = pytest.importorskip("fieldplan.sync")

PERIOD = "2026-S1"


def checked(window, qtbot) -> None:
    """What the window's timer does every few seconds, now."""
    window.check_outside()
    wait_idle(qtbot, window.session)


def test_a_save_made_elsewhere_shows_in_the_report_on_screen(open_window, qtbot,
                                                              office_db) -> None:
    window = open_window(office_db)
    # (started once the window is painted, after what open_window waits for)
    qtbot.waitUntil(window._outside_timer.isActive, timeout=5000)
    with open_replica(office_db) as rep:
        code = rep.plan().actions_of(level="national")[0].code
    editor = choose(window, qtbot, code)
    checked(window, qtbot)
    assert editor.narratives["challenges"].toPlainText() == ""
    with open_replica(office_db) as rep:  # `fieldplan progress set`, the window open
        progress.record_progress(rep, code, PERIOD, status="at-risk",
                                 challenges="Roads cut by the rains")
    checked(window, qtbot)
    qtbot.waitUntil(lambda: editor.narratives["challenges"].toPlainText()
                    == "Roads cut by the rains", timeout=5000)
    assert editor.status.currentData() == "at-risk"
    tree = window.office_view.tree  # the plan's tree beside it: its status too
    qtbot.waitUntil(lambda: code in tree._reports and tree._reports[code].status == "at-risk",
                    timeout=5000)


def test_an_import_made_elsewhere_shows_at_headquarters(open_window, qtbot, demo_world,
                                                         tmp_path) -> None:
    db = tmp_path / "hq.sqlite3"
    shutil.copy(demo_world / "hq.sqlite3", db)
    shutil.copy(demo_world / "hq.sqlite3.key", tmp_path / "hq.sqlite3.key")
    window = open_window(db)
    page = window.hq_desk.reports
    window.show_page(page)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    wait_idle(qtbot, window.session)
    before = page.model.total()
    inbox = window.hq_desk.inbox
    wait_idle(qtbot, window.session)
    shown_before = inbox.model.rowCount()
    bundle = sorted((demo_world / "bundles").glob("*.fieldplan"))[0]
    with open_replica(db) as rep:  # `fieldplan import`, the window open
        assert sync.import_bundle(rep, bundle, backup=False).outcome == "merged"
    checked(window, qtbot)
    qtbot.waitUntil(lambda: page.model.total() > before, timeout=5000)
    # (the Inbox, hidden, reads its bundles again once it is shown)
    window.show_page(inbox)
    qtbot.waitUntil(lambda: inbox.model.rowCount() == shown_before + 1, timeout=5000)


def test_a_renewal_made_elsewhere_reaches_the_window(open_window, qtbot, hq, make_office,
                                                     tmp_path) -> None:
    """`fieldplan import` renews the identity of the database the window has open (it
    went back): the window's identity (the own-key dialog's computer) follows."""
    from tests.scenes import went_back_unseen

    path, old, back = went_back_unseen(hq, make_office, tmp_path)
    window = open_window(path)
    checked(window, qtbot)
    assert window.identity.replica_id == old
    with open_replica(path) as cli:
        assert sync.import_bundle(cli, back).outcome == "merged"
        new = cli.replica_id
    checked(window, qtbot)
    qtbot.waitUntil(lambda: window.identity.replica_id == new, timeout=5000)
