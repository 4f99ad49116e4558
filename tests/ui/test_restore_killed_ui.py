"""The client started on a database a killed restore left set aside (no file at its
name) opens it as it was: it showed the first run, whose Restore put the backup in
its place without a word of what the database set aside held (see
tests/core/test_restore_killed.py)."""

from __future__ import annotations

from fieldplan.replica import open_replica
from tests.core.test_restore_killed import kill_a_restore
from tests.ui.conftest import wait_idle


def test_the_client_opens_the_database_a_killed_restore_set_aside(shell, qtbot, hq,
                                                                    make_office, tmp_path):
    db, events, _digest = kill_a_restore(hq, make_office, tmp_path, "copy-in-place")
    shell.start(db)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=20_000)  # (was: the first run, offering Restore)
    assert shell.dialog is None
    wait_idle(qtbot, shell.session)
    shell.window.close()
    shell.session.close()
    with open_replica(db) as rep:
        assert rep.conn.execute("SELECT count(*) FROM events").fetchone()[0] == events
