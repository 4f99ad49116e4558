"""A bundle opened by double-click (``fieldplan gui FILE``) whatever its name, whether
the client is open or not."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from PySide6.QtCore import Qt

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


def test_a_data_bundle_opened_at_the_first_run_is_not_offered_as_the_setup(
        shell, qtbot, tmp_path, demo_world):
    """A bundle of data (an office's, to import) double-clicked on a computer with no
    database yet: the first-run dialog offered it as the setup ("Set up this office
    from NG-….fieldplan", the default button), only to refuse it once pressed. It is
    not offered; the dialog says it is imported once the computer is set up, and how
    to set it up. Opened with the setup bundle after it, the setup bundle is the one
    offered."""
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office

    data = str(sorted((demo_world / "bundles").glob("*.fieldplan"))[0])
    shell.files_to_import = [data]
    shell.start(tmp_path / "new.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert dialog.given_button is None
    assert dialog.message.isVisibleTo(dialog)
    assert dialog.message.text() == (
        "1 bundle opened with fieldplan is not a setup bundle: it is imported once "
        "this computer is set up. To set up an office, choose the setup bundle "
        "headquarters sent.")
    shell.dialog.close()
    shell.dialog = None

    with init_hq(tmp_path / "hq.sqlite3") as hq:
        enroll_office(hq, "SN", tmp_path / "SN-setup.fieldplan")
    setup = str(tmp_path / "SN-setup.fieldplan")
    shell.files_to_import = [data, setup]
    shell.start(tmp_path / "sn.sqlite3")
    qtbot.waitUntil(lambda: shell.dialog is not None, timeout=10_000)
    dialog = shell.dialog
    assert "SN-setup.fieldplan" in dialog.given_button.text()
    assert not dialog.message.isVisibleTo(dialog)
    qtbot.mouseClick(dialog.given_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                    timeout=10_000)
    # the data bundle, for this database, is imported once it is set up
    dialog = result_dialog(shell.window, qtbot)
    assert [o.file for o in dialog.outcomes] == [os.path.basename(data)]
    dialog.accept()
    wait_idle(qtbot, shell.session)
