"""An office put back from a backup after it exported a bundle (lost in the mail) and
typed a report it never sent: the status bar and the dialog that ends the warning say
each with its own count, and ending the never-sent warning leaves the bundle's, which
is said from the start (not only in the tip)."""

from __future__ import annotations

import pytest

from fieldplan import sync
from fieldplan.replica import open_replica
from tests.scenes import office_restored_after_a_lost_bundle, round_trips, ticking_clock
from tests.ui.conftest import wait_idle

NEVER_SENT = "1 change made here after it was never sent, and is lost (make it again)"
UNCONFIRMED = ("1 change made here after it was sent, and headquarters has not confirmed "
               "it yet (keep its bundle)")
NOT_RECEIVED = ("1 change made here after it did not reach headquarters (import its "
                "bundle there again or make it again)")


@pytest.fixture(autouse=True)
def _seconds_pass(monkeypatch) -> None:
    """Headquarters answers seconds after the office's export, as in life
    (``state.note_hq_bundle``)."""
    ticking_clock(monkeypatch)


@pytest.fixture(params=["en", "ar"])
def lang(request):
    from PySide6.QtWidgets import QApplication

    from ui.app import apply_language

    apply_language(QApplication.instance(), request.param)
    yield request.param
    apply_language(QApplication.instance(), "en")


def shown(window, qtbot, lost_action: bool) -> str:
    window.refresh_sync_state()
    wait_idle(qtbot, window.session)
    assert window.lost_action.isVisible() == lost_action
    return window._sync_words


def assert_count_goes_with_the_words(tip: str, name: str) -> None:
    """Arabic puts the count after the bundle's name ("وصُدِّرت في ML-….fieldplan (1)
    لم يؤكدها"): the name's isolate took it in, and "(1)" was drawn inside the name's
    left-to-right run; it goes with the sentence's words, left of the name."""
    import re

    from tests.ui.test_rtl import _seen

    plain = [re.sub("[\u200e\u200f\u2066-\u2069]", "", line) for line in tip.splitlines()]
    if not any(f"{name} (1)" in line for line in plain):
        # (Arabic says one change in words, "تغيير واحد …": no figure to draw inside
        # the name's run; the name is drawn whole, nothing of the sentence in it)
        line = next(line for line in tip.splitlines() if name in line)
        assert "(1)" not in line
        assert name in re.sub("[\u200e\u200f\u2066-\u2069]", "", _seen(line))
        return
    line = next(line for line, bare in zip(tip.splitlines(), plain, strict=True)
                if f"{name} (1)" in bare)
    seen = re.sub("[\u200e\u200f\u2066-\u2069]", "", _seen(line))
    assert f"{name} (1)" not in seen
    assert re.search(f"[()]1[()] {re.escape(name)} ", seen)


def test_the_status_bar_says_a_bundle_not_confirmed_yet(open_window, qtbot, hq,
                                                       make_office, tmp_path) -> None:
    """Right after the restore, only the tip said the last bundle was not confirmed:
    the status bar said nothing, while `fieldplan status` and `restore` did."""
    path, _lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path)
    window = open_window(path)
    assert shown(window, qtbot, lost_action=False).startswith(
        f"Restored from a backup: {UNCONFIRMED} · ")


def test_never_sent_and_not_confirmed_are_said_apart(open_window, qtbot, hq, make_office,
                                                      tmp_path, lang) -> None:
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                     unsent=True)
    window = open_window(path)
    words = shown(window, qtbot, lost_action=True)
    window.grab().save(str(tmp_path / f"restored-unconfirmed-{lang}.png"))
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    dialog.grab().save(str(tmp_path / f"restored-unconfirmed-dialog-{lang}.png"))
    if lang == "ar":
        assert_count_goes_with_the_words(window.sync_label.toolTip(), lost.name)
    if lang == "en":
        assert words.startswith(f"Restored from a backup: {NEVER_SENT}; {UNCONFIRMED} · ")
        assert dialog.text.text().startswith(
            "1 change made on this computer after the backup this database was restored "
            "from was never sent to headquarters, and is lost. Type it again")
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    if lang == "en":
        # the bundle's warning stays: headquarters may never have had it
        assert window._sync_words.startswith(f"Restored from a backup: {UNCONFIRMED} · ")
        assert lost.name in window.sync_label.toolTip()
    with open_replica(path) as ml:
        restored = sync.sync_state(ml).restored
        assert (restored["never_sent"], restored["unconfirmed"]) == (0, 1)


def test_never_sent_and_not_received_are_counted_apart(open_window, qtbot, hq,
                                                        make_office, tmp_path,
                                                        lang) -> None:
    """Both were said as one number, "2 changes … did not reach headquarters; import
    their bundle there again", while the bundle held one."""
    path, lost = office_restored_after_a_lost_bundle(hq, make_office, tmp_path,
                                                     unsent=True)
    with open_replica(path) as ml:
        round_trips(ml, hq, tmp_path)
    window = open_window(path)
    words = shown(window, qtbot, lost_action=True)
    window.grab().save(str(tmp_path / f"restored-not-received-{lang}.png"))
    window.lost_action.trigger()
    dialog = window.findChild(object, "dismiss-lost-dialog")
    assert lost.name in dialog.details.toPlainText()
    dialog.grab().save(str(tmp_path / f"restored-not-received-dialog-{lang}.png"))
    if lang != "en":
        dialog.reject()
        return
    assert words.startswith(f"Restored from a backup: {NOT_RECEIVED}; {NEVER_SENT} · ")
    assert "2 changes" not in words
    assert dialog.text.text() == (
        "1 change made on this computer after the backup this database was restored from "
        "did not reach headquarters, and is lost unless its bundle is imported there "
        "again. 1 other change made on this computer after the backup was never sent to "
        "headquarters, and is lost. Type them again, then stop the warning.")
    dialog.accept()
    qtbot.waitUntil(lambda: not window.lost_action.isVisible(), timeout=10_000)
    assert "restored" not in window._sync_words.lower()
