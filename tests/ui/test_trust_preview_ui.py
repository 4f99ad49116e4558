"""The Quarantine page's trust dialog says what the key's waiting bundles hold before
the person trusts it (read off the GUI thread), the fingerprint to compare as before."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from fieldplan import progress, store
from fieldplan.sync import export_bundle, import_bundle
from tests.ui.conftest import wait_idle


def _waiting(hq, make_office, tmp_path: Path) -> None:
    """ML's laptop A sent a report of 2026-S1, then HQ locked the period; laptop B,
    whose key HQ does not know, wrote the same report unaware of A's: it waits."""
    a, b = make_office("ML", "ml-a"), make_office("ML", "ml-b")
    code = a.plan().actions_of(level="national")[0].code
    out = tmp_path / "out"
    out.mkdir()
    progress.record_progress(a, code, "2026-S1", status="on-track", percent=40)
    import_bundle(hq, export_bundle(a, out_dir=out).path)
    progress.set_period_lock(hq, "2026-S1")
    with store.write_transaction(b.conn):
        b.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
    progress.record_progress(b, code, "2026-S1", status="at-risk", percent=10)
    assert import_bundle(hq, export_bundle(b, out_dir=out).path).outcome == "quarantined"


def test_the_trust_dialog_says_what_the_bundles_hold(open_window, qtbot, hq, make_office,
                                                     tmp_path: Path) -> None:
    _waiting(hq, make_office, tmp_path)
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    fingerprint = page.model.row_at(0).fingerprint
    page.view.selectRow(0)
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "trust-dialog")
    assert confirm is not None
    qtbot.waitUntil(lambda: "1 bundle signed with this key waits in quarantine: it holds"
                    in confirm.text.text(), timeout=5000)
    text = confirm.text.text()
    assert "1st semester 2026 is locked" in text
    assert "1 of these reports was also changed by another computer" in text
    # the question last, its colon leading to the fingerprint, as before
    assert text.rstrip().endswith("reads to you:")
    assert confirm.details.toPlainText() == fingerprint
    confirm.reject()
    wait_idle(qtbot, window.session)


def test_the_trust_dialog_says_bundles_too_large_or_refused_as_they_are(
        open_window, qtbot, hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """A waiting bundle past the preview's limits and one the trust's import would
    refuse were said "could not be read": the first is imported by the trust, the
    second refused for a reason the dialog can give."""
    from fieldplan import bundle as bundlefmt
    from fieldplan.sync import trust_preview as tp
    from tests.core.test_trust_preview import _unknown_laptop_bundles

    _fingerprint, first, second = _unknown_laptop_bundles(hq, make_office, tmp_path)
    counts = []
    for path in (first, second):
        with bundlefmt.open_bundle(path.read_bytes()) as held:
            counts.append(held.event_count)
    monkeypatch.setattr(tp, "PREVIEW_MAX_EVENTS", counts[0] + counts[1])
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    page.view.selectRow(0)
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "trust-dialog")
    qtbot.waitUntil(lambda: "too large" in confirm.text.text(), timeout=5000)
    text = confirm.text.text()
    assert "1 bundle is too large to preview; trusting the key will still import it." \
        in text
    assert "1 bundle would be refused: events.jsonl line " in text
    assert "is out of order or repeated" in text
    assert "could not be read" not in text
    assert text.rstrip().endswith("reads to you:")
    confirm.reject()
    wait_idle(qtbot, window.session)


def test_the_quarantine_page_says_when_quarantine_is_full(
        open_window, qtbot, hq, make_office, tmp_path: Path, monkeypatch) -> None:
    """Past its limits quarantine refuses unknown keys' bundles: the page says so
    before a person wonders why an office's new computer was refused."""
    from fieldplan.sync import exchange

    _waiting(hq, make_office, tmp_path)
    monkeypatch.setattr(exchange, "QUARANTINE_MAX_BUNDLES", 1)
    hq_path = hq.path
    hq.close()
    window = open_window(hq_path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    qtbot.waitUntil(lambda: "Quarantine is full: it holds 1 bundle of at most 1 ("
                    in page.room.text(), timeout=5000)
    assert page.room.isVisible()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_quarantine_page_says_which_active_key_a_trust_replaces(
        open_window, qtbot, hq, make_office, tmp_path: Path, language, lang) -> None:
    """A key claiming a registered computer (its replica id is in every bundle it
    sent): the chosen bundle's detail and the trust dialog say that the computer has
    an active key here, which a trust replaces, before all else; in Arabic too."""
    import os

    from tests.core.test_unendorsed_key import _impostor

    b, key, path = _impostor(hq, make_office, tmp_path)
    assert import_bundle(hq, path).outcome == "quarantined"
    hq_path = hq.path
    hq.close()
    language(lang)
    window = open_window(hq_path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    # (the page may read its rows again once the window is up: chosen when it is)
    wait_idle(qtbot, window.session)
    page.view.setFocus()
    page.view.setCurrentIndex(page.model.index(0, 1))
    qtbot.waitUntil(lambda: page.selected() is not None, timeout=5000)
    replaces = page.model.row_at(0).replaces
    assert replaces is not None
    said = replaces.text()
    # (kept on one line: its spaces no-break)
    fingerprint = replaces.fingerprint.replace(" ", "\xa0")
    assert fingerprint in page.detail.text()
    qtbot.mouseClick(page.trust_button, Qt.MouseButton.LeftButton)
    confirm = page.findChild(object, "trust-dialog")
    from fieldplan.i18n import _

    reading = _("Reading what its bundles hold…")
    qtbot.waitUntil(lambda: reading not in confirm.text.text(), timeout=5000)
    text = confirm.text.text()
    # first the key it replaces, once; the question last, before the fingerprint
    # (the client isolates the codes of an Arabic line: compared without isolates)
    def bare(words: str) -> str:
        return re.sub("[\u2066-\u2069]", "", words)

    assert bare(text).startswith(bare(said.split(fingerprint[:4])[0])), text
    assert text.count(fingerprint) == 1
    assert confirm.details.toPlainText() == key.public.fingerprint
    if lang == "en":
        assert text.startswith(f"This key claims to be computer {b.replica_id[:8]}"), text
        assert text.rstrip().endswith("reads to you:")
    shots = os.environ.get("FIELDPLAN_SHOTS")
    if shots:  # (for a person to look at: FIELDPLAN_SHOTS=DIR)
        window.grab().save(f"{shots}/quarantine-{lang}.png")
        confirm.grab().save(f"{shots}/trust-{lang}.png")
    confirm.reject()
    wait_idle(qtbot, window.session)

