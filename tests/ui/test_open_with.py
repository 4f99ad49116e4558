"""A bundle opened by double-click (``fieldplan gui FILE``) whatever its name, whether
the client is open or not."""

from __future__ import annotations

import os
import shutil
import sys

import pytest

from tests.ui.conftest import wait_idle
from tests.ui.test_single_instance import _fieldplan, _hq_copy, client  # noqa: F401
from tests.ui.test_sync_ui import result_dialog


@pytest.mark.skipif(sys.platform == "win32" or sys.getfilesystemencoding() != "utf-8",
                    reason="names that are not UTF-8 are a POSIX file system's")
def test_a_bundle_whose_name_is_not_utf8_goes_to_the_open_client(
        client, qtbot, demo_world, tmp_path):  # noqa: F811
    """A file from a stick written by an older system (its name in Latin-1, "café"
    as the bytes caf\\xe9) double-clicked while the client is open: the client
    imports it. The second start ended on an internal error instead, nothing shown."""
    db = _hq_copy(demo_world, tmp_path)
    shell = client(db)
    bundle = sorted((demo_world / "bundles").glob("*.fieldplan"))[0]
    folder = tmp_path / "stick"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9 " + os.fsencode(bundle.name)
    shutil.copy(bundle, raw)
    name = os.fsdecode(raw)
    done = _fieldplan(qtbot, "gui", "--db", str(db), name, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    dialog = result_dialog(shell.window, qtbot)
    assert [o.outcome for o in dialog.outcomes] == ["merged"], [vars(o) for o in dialog.outcomes]
    dialog.accept()
    wait_idle(qtbot, shell.session)
