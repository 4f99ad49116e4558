"""A revoked laptop's bundles, dropped or chosen together on headquarters' window
after a restore, are taken back whatever their order: the earlier one waited for the
later one and was refused, though the later one came in the same import."""

from __future__ import annotations

from fieldplan import progress
from fieldplan.replica import open_replica
from tests.scenes import revoked_laptop_sent_twice
from tests.ui.conftest import wait_idle


def test_bundles_imported_together_in_the_order_sent_are_both_taken(
        open_window, qtbot, hq, tmp_path):
    a, b, (first, second), shown, hq2 = revoked_laptop_sent_twice(hq, tmp_path)
    path = hq2.path
    hq2.close()
    a.close()
    b.close()
    window = open_window(path)
    window.import_files([str(first), str(second)])
    qtbot.waitUntil(lambda: window.findChild(object, "import-result") is not None,
                    timeout=20_000)
    dialog = window.findChild(object, "import-result")
    assert [(o.file, o.outcome) for o in dialog.outcomes] == [
        (first.name, "merged"), (second.name, "merged")]
    dialog.accept()
    wait_idle(qtbot, window.session)
    with open_replica(path) as rep:
        assert progress.digest(rep, office="ML") == shown
