"""The client started on a database on a network drive: it says why it does not open
it and the way out, in every language, and offers no restore (which would put a file
there that could only be refused in its turn)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.ui.test_cannot_open import reason_text, shown_dialog


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_database_on_a_network_drive_is_refused_with_the_way_out(
        shell, qtbot, hq_db: Path, language, monkeypatch, lang) -> None:
    from fieldplan import netdrive, store
    from fieldplan.replica import open_replica

    with open_replica(hq_db) as rep:
        store.backup(rep.conn, hq_db, "test")
    before = hq_db.read_bytes()
    share = hq_db.parent
    place = netdrive.network_place
    monkeypatch.setattr(netdrive, "network_place",
                        lambda path: "cifs" if Path(os.path.abspath(path)).parent == share
                        else place(path))
    language(lang)
    shell.start(hq_db)
    dialog = shown_dialog(shell, qtbot)
    assert dialog.objectName() == "cannot-open"
    text = reason_text(dialog)
    assert "cifs" in text and text.count(str(hq_db)) == 1
    if lang == "en":
        assert text.startswith(f"{hq_db} is on a network drive (cifs)")
        assert "copy the database's folder to this computer's own disk" in text
    assert not dialog.restore_button.isEnabled()
    assert shell.window is None
    assert hq_db.read_bytes() == before
    dialog.grab().save(str(share.parent / f"network-drive-{lang}.png"))
