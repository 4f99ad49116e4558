"""A laptop importing headquarters' bundle that brings the other laptop's different
values of its reports: each row of the import result said the report was in conflict
"until a person of the office keeps one of the values", and OK was the only step the
dialog showed, though the person reading it is the one to keep them. Now a line above
the rows says where: the Conflicts tab. Headquarters, which does not settle an
office's conflicts, is not told to."""

from __future__ import annotations

import os

from fieldplan import progress
from fieldplan.sync import export_bundle
from tests.scenes import closed, send
from tests.ui.test_sync_ui import result_dialog

SHOTS = os.environ.get("FIELDPLAN_SHOTS")


def test_a_laptop_is_told_where_to_settle_what_the_import_left_in_conflict(
        open_window, qtbot, hq, make_office, tmp_path, in_language) -> None:
    from fieldplan.i18n import _, counted, without_mnemonic

    a, b = make_office("ML"), make_office("ML")
    progress.record_progress(a, "PA1.1", "2026-S1", status="on-track", percent=40)
    progress.record_progress(b, "PA1.1", "2026-S1", status="at-risk", percent=65)
    send(a, hq, tmp_path)
    send(b, hq, tmp_path)
    (tmp_path / "usb").mkdir()
    bundle = export_bundle(hq, for_office="ML", out_dir=tmp_path / "usb").path
    window = open_window(closed(b))
    window.import_files([str(bundle)])
    dialog = result_dialog(window, qtbot)
    assert dialog.outcomes[0].conflicts == 1
    assert dialog.conflicts_note.isVisibleTo(dialog)
    assert dialog.conflicts_note.text() == counted(
        "{count} report this import changed is in conflict: open the {tab} tab to "
        "settle it.",
        "{count} reports this import changed are in conflict: open the {tab} tab to "
        "settle them.", 1, tab=without_mnemonic(_("&Conflicts")))
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, f"import-conflicts-{in_language}.png"))
    dialog.accept()


def test_headquarters_is_not_told_to_settle_an_offices_conflict(
        open_window, qtbot, hq, make_office, tmp_path) -> None:
    a, b = make_office("ML"), make_office("ML")
    progress.record_progress(a, "PA1.1", "2026-S1", status="on-track")
    progress.record_progress(b, "PA1.1", "2026-S1", status="at-risk")
    send(a, hq, tmp_path)
    (tmp_path / "usb").mkdir()
    bundle = export_bundle(b, out_dir=tmp_path / "usb").path
    window = open_window(closed(hq))
    window.import_files([str(bundle)])
    dialog = result_dialog(window, qtbot)
    assert dialog.outcomes[0].conflicts == 1
    assert not dialog.conflicts_note.isVisibleTo(dialog)
    dialog.accept()
