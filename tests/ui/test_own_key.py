"""An office reads its own key's fingerprint to headquarters (Help ▸ This computer's
key…): the same office, replica, key id and fingerprint as ``fieldplan keys show``
and ``fieldplan status``, selectable, and left to right in Arabic. It reads there
headquarters' fingerprint too, to check with them."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from fieldplan.replica import open_replica
from tests.ui.conftest import wait_idle


def _open_own_key(window, qtbot) -> QDialog:
    help_menu = window.menuBar().actions()[-1].menu()
    assert window.own_key_action in help_menu.actions()  # where people look for it
    window.own_key_action.trigger()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "own-key-dialog") is not None,
                    timeout=5000)
    wait_idle(qtbot, window.session)
    return window.findChild(QDialog, "own-key-dialog")


def assert_selectable_fingerprint(label) -> None:
    """Selected and copied whole with the keyboard, reached with Tab, written left to
    right in Arabic too."""
    flags = label.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert label.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert label.layoutDirection() == Qt.LayoutDirection.LeftToRight
    label.setSelection(0, len(label.text()))
    assert label.selectedText() == label.text()
    assert label.accessibleDescription() == label.text()  # read aloud with its name


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_office_sees_its_own_key_fingerprint(open_window, qtbot, office_db, lang):
    from fieldplan.sync import show_key
    from ui.app import apply_language

    with open_replica(office_db) as rep:
        key_id, fingerprint = show_key(rep).split("  ")  # what `keys show` prints
        replica = rep.replica_id
    app = QApplication.instance()
    apply_language(app, lang)
    try:
        window = open_window(office_db)
        dialog = _open_own_key(window, qtbot)
        assert "SN" in dialog.office.text()
        # the codes as they are written (what is copied is what HQ compares)
        assert dialog.replica.text() == replica
        assert dialog.key_id.text() == key_id
        assert dialog.fingerprint.text() == fingerprint
        for field in (dialog.replica, dialog.key_id):
            assert field.isReadOnly() and field.layoutDirection() == Qt.LayoutDirection.LeftToRight
            field.selectAll()
            assert field.selectedText() == field.text()
        assert_selectable_fingerprint(dialog.fingerprint)
        assert dialog.office.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
        # never cut: the whole fingerprint is in sight, on one line where there is room
        fits = dialog.fingerprint.fontMetrics().horizontalAdvance(fingerprint)
        assert dialog.fingerprint.width() >= fits
        dialog.grab().save(str(office_db.parent / f"own-key-{lang}.png"))
        dialog.close()
    finally:
        apply_language(app, "en")


def test_headquarters_sees_its_own_key_too(open_window, qtbot, hq_db):
    from fieldplan.sync import show_key

    with open_replica(hq_db) as rep:
        fingerprint = show_key(rep).split("  ")[1]
    window = open_window(hq_db)
    dialog = _open_own_key(window, qtbot)
    assert dialog.fingerprint.text() == fingerprint
    assert "HQ" in dialog.office.text()
    assert dialog.hq_fingerprint is None and dialog.hq_note is None  # its own is above
    assert dialog.intro.text().startswith("Offices check this fingerprint")  # as init says
    dialog.close()


def test_headquarters_makes_a_new_key_from_the_client(open_window, qtbot, hq_db):
    """A new key was `fieldplan keys rotate` only: the dialog offers it, asks first,
    and then shows the new key (the registry has it, the old one retired)."""
    from fieldplan.sync import all_keys, show_key

    with open_replica(hq_db) as rep:
        old = show_key(rep).split("  ")[0]
    window = open_window(hq_db)
    dialog = _open_own_key(window, qtbot)
    assert dialog.rotate_button.isVisible()
    dialog.rotate_button.click()
    qtbot.waitUntil(lambda: window.findChild(QDialog, "new-key-dialog") is not None,
                    timeout=5000)
    ask = window.findChild(QDialog, "new-key-dialog")
    assert ask.text.text().startswith("Make a new key for this computer?")
    assert ask.cancel_button.isDefault()  # Enter does not do it by accident
    ask.accept()
    qtbot.waitUntil(lambda: (window.findChild(QDialog, "own-key-dialog") is not None
                             and window.findChild(QDialog, "own-key-dialog").key_id.text()
                             != old), timeout=10_000)
    wait_idle(qtbot, window.session)
    with open_replica(hq_db) as rep:
        new = show_key(rep).split("  ")[0]
        keys = all_keys(rep)
    assert new != old and keys[new].status == "active" and keys[old].status == "retired"
    assert window.statusBar().whole_message().startswith(f"New key {new}; ")
    window.findChild(QDialog, "own-key-dialog").close()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_next_step_after_a_new_key_is_in_sight_in_a_narrow_window(
        open_window, qtbot, hq_db, lang):
    """At 784 pixels the status bar cut "New key … (DD92 209F … 5…": the fingerprint
    filled the room and what makes the key known was in the tooltip only. The next
    step comes before the fingerprint (in sight at 1024 pixels), and the dialog that
    shows the new key says it first (the status bar of a window 784 pixels wide has
    room for less than the next step beside the office and the period)."""
    from fieldplan.sync.keys import new_key_next_step
    from ui.app import apply_language

    app = QApplication.instance()
    apply_language(app, lang)
    try:
        window = open_window(hq_db)
        window.resize(784, 560)
        dialog = _open_own_key(window, qtbot)
        assert dialog.new_key_note is None  # (opened from the menu: nothing new)
        old = dialog.key_id.text()
        dialog.rotate_button.click()
        qtbot.waitUntil(lambda: window.findChild(QDialog, "new-key-dialog") is not None,
                        timeout=5000)
        window.findChild(QDialog, "new-key-dialog").accept()
        qtbot.waitUntil(lambda: (window.findChild(QDialog, "own-key-dialog") is not None
                                 and window.findChild(QDialog, "own-key-dialog")
                                 .key_id.text() != old), timeout=10_000)
        wait_idle(qtbot, window.session)
        then = new_key_next_step(True)  # (in the language in use)
        shown = window.findChild(QDialog, "own-key-dialog")
        assert shown.new_key_note is not None and shown.new_key_note.isVisible()
        assert then in shown.new_key_note.text()
        shown.grab().save(str(hq_db.parent / f"new-key-dialog-{lang}.png"))
        bar = window.statusBar()
        window.resize(1024, 640)
        wait_idle(qtbot, window.session)
        qtbot.waitUntil(lambda: then in bar.currentMessage(), timeout=5000)  # as drawn
        assert bar.currentMessage().index(then) < bar.whole_message().index(
            shown.fingerprint.text())  # before the fingerprint
        window.grab().save(str(hq_db.parent / f"new-key-status-{lang}.png"))
        shown.close()
    finally:
        apply_language(app, "en")


def test_headquarters_reads_the_earlier_key_its_open_setup_bundles_carry(
        clock, open_window, qtbot, hq_db, tmp_path):
    """Headquarters enrolled an office, then made a new key: the office set up from
    the setup bundle read the earlier key's fingerprint (the one that signed it) while
    headquarters' dialog showed only the new one, and the office was told that a
    fingerprint that differs means "this database must not be used". The dialog says
    which offices' setup bundles carry the earlier key, and its fingerprint."""
    from fieldplan.sync import enroll_office, init_from_setup, rotate_key
    from fieldplan.sync.enrol import earlier_hq_keys, hq_key

    def enrol(rep, office: str, day: str) -> None:
        enroll_office(rep, office, tmp_path / f"{office}-setup.fieldplan")
        with rep.conn:  # (a day of its own, in the morning)
            rep.conn.execute("UPDATE enrolments SET created_at = ? WHERE office = ?",
                             (f"{day}T09:00:00Z", office))

    setup = tmp_path / "RO-Dakar-setup.fieldplan"
    with open_replica(hq_db) as rep:  # (made on 2 February 2026)
        assert earlier_hq_keys(rep) == []
        enrol(rep, "RO-Dakar", "2026-02-03")
        assert earlier_hq_keys(rep) == []  # it carries the key of now
        clock("2026-03-01")
        rotate_key(rep)
        enrol(rep, "ML", "2026-03-02")  # the new key's
    with init_from_setup(tmp_path / "dakar.sqlite3", setup) as office:
        read_there = hq_key(office).fingerprint  # what the office reads on the phone
    window = open_window(hq_db)
    dialog = _open_own_key(window, qtbot)
    [(note, fingerprint)] = dialog.earlier
    assert fingerprint.text() == read_there != dialog.fingerprint.text()
    assert note.text().startswith("The setup bundles written for RO-Dakar before this key")
    assert_selectable_fingerprint(fingerprint)
    dialog.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_an_office_sees_headquarters_fingerprint_to_check_with_them(
        open_window, qtbot, office_db, lang):
    """The one headquarters reads with ``keys show`` (or in its own Help menu), with
    what to do if it is another."""
    from fieldplan.sync import show_key
    from fieldplan.sync.enrol import hq_key_check_text
    from ui.app import apply_language

    with open_replica(office_db.parent / "hq" / "hq.sqlite3") as hq:
        hq_fingerprint = show_key(hq).split("  ")[1]
    app = QApplication.instance()
    apply_language(app, lang)
    try:
        window = open_window(office_db)
        dialog = _open_own_key(window, qtbot)
        field = dialog.hq_fingerprint
        assert field is not None and field.text() == hq_fingerprint
        assert_selectable_fingerprint(field)
        assert field.width() >= field.fontMetrics().horizontalAdvance(hq_fingerprint)
        assert dialog.hq_note.isVisible()
        shown = dialog.hq_note.text().replace("\u2066", "").replace("\u2069", "")
        # the command on one line: broken at a space, Arabic showed "show»" alone below
        assert "fieldplan\u00a0keys\u00a0show" in shown
        assert shown.replace("\u00a0", " ") == hq_key_check_text().replace("\u00a0", " ")
        assert dialog.set_up_note is None  # from the Help menu: no first-run line
        dialog.grab().save(str(office_db.parent / f"own-key-hq-{lang}.png"))
        dialog.close()
    finally:
        apply_language(app, "en")


@pytest.mark.parametrize(("how", "lang"), [("missing", "en"), ("other", "en"),
                                           ("other", "ar")])
def test_the_window_warns_at_once_of_a_key_file_that_cannot_sign(
        how, lang, open_window, qtbot, office_db, tmp_path):
    """The key file gone, or another computer's copied over it: the status bar says
    first that nothing can be exported, its tip says what is wrong and the way out,
    before any export is tried (a window with its key file whole says nothing)."""
    import os
    import shutil
    from pathlib import Path

    from fieldplan import minisign
    from fieldplan.replica import key_path
    from fieldplan.sync.keys import key_file_problem
    from ui.app import apply_language

    calm = open_window(office_db)
    qtbot.waitUntil(lambda: not calm.sync_label.toolTip().startswith("Sync: …"),
                    timeout=5000)
    assert "key file" not in calm.sync_label.toolTip()
    calm.close()
    if how == "missing":
        key_path(office_db).unlink()
        short = "this computer's key file is missing: nothing can be exported"
    else:
        other = tmp_path / "other.key"
        minisign.save_secret_key(other, minisign.generate_key(), replica="another")
        shutil.copyfile(other, key_path(office_db))
        short = ("the key file beside this database does not hold this computer's key: "
                 "nothing can be exported")
    app = QApplication.instance()
    apply_language(app, lang)
    try:
        from fieldplan.i18n import _

        short = _(short)  # (in the language shown)
        first = short[0].upper() + short[1:] + " · "
        with open_replica(office_db) as rep:
            said = key_file_problem(rep).text
        window = open_window(office_db)
        qtbot.waitUntil(lambda: window.sync_label.toolTip().startswith(first), timeout=5000)
        tip = window.sync_label.toolTip()
        assert tip.startswith(first)
        # (the names and codes in it isolated in an Arabic line)
        shown = re.sub("[\u2066-\u2069]", "", tip.splitlines()[1])
        said = re.sub("[\u2066-\u2069]", "", said)
        assert shown == said[0].upper() + said[1:]
        window.resize(1000, 600)
        shots = Path(os.environ.get("FIELDPLAN_SHOTS") or tmp_path)
        window.grab().save(str(shots / f"key-file-{how}-{lang}.png"))
    finally:
        apply_language(app, "en")


def test_just_set_up_headquarters_key_comes_first(open_window, qtbot, office_db, tmp_path):
    """Shown as the first run ends, the dialog said to check headquarters' fingerprint
    "below", then spoke of "this fingerprint" (the computer's own) and showed it first:
    a new office read its own key to headquarters, which matched nothing there. Now
    headquarters' key and what to do with it come first; the computer's own after,
    named so. From the Help menu, the computer's own key comes first, as before."""
    window = open_window(office_db)
    window.own_key_dialog(set_up=True)  # (as the first run ends: ui/app.py)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "own-key-dialog") is not None,
                    timeout=5000)
    dialog = window.findChild(QDialog, "own-key-dialog")
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)

    def top(widget) -> int:
        return widget.mapTo(dialog, widget.rect().topLeft()).y()

    assert top(dialog.set_up_note) < top(dialog.hq_fingerprint) < top(dialog.hq_note) \
        < top(dialog.intro) < top(dialog.fingerprint)
    assert dialog.intro.text().startswith("Headquarters checks this computer's key "
                                          "fingerprint, below, before it trusts")
    dialog.grab().save(str(tmp_path / "own-key-set-up.png"))
    dialog.close()
    wait_idle(qtbot, window.session)
    dialog = _open_own_key(window, qtbot)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    assert top(dialog.intro) < top(dialog.fingerprint) < top(dialog.hq_fingerprint)
    dialog.close()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_on_a_laptop_at_200_percent_the_fingerprints_wrap_between_their_groups(
        open_window, qtbot, office_db, lang):
    """At 14 points a fingerprint on one line is 572 pixels wide: beside its label it
    made the dialog 876 pixels wide at least, wider than a 1366×768 laptop at 200 %
    (683 pixels), which cut it off. It now wraps between its groups, half of them at
    least on a line, every line shown."""
    from PySide6.QtGui import QFont

    from tests.ui.test_window_fit import LAPTOP_AT_200
    from ui.app import apply_language
    from ui.screen import FRAME_ROOM

    app = QApplication.instance()
    before = QFont(app.font())
    font = QFont(before)
    font.setPointSizeF(14)
    app.setFont(font)
    apply_language(app, lang)
    try:
        window = open_window(office_db)
        dialog = _open_own_key(window, qtbot)
        assert dialog.minimumSizeHint().width() <= LAPTOP_AT_200
        dialog.resize(dialog.minimumSizeHint().width(), dialog.height())
        qtbot.waitUntil(lambda: dialog.width() == dialog.minimumSizeHint().width())
        # every line shown (the dialog grows with its content: ui.dialogs)
        qtbot.waitUntil(lambda: all(
            f.height() >= f.heightForWidth(f.width())
            for f in (dialog.fingerprint, dialog.hq_fingerprint)), timeout=5000)
        for label in (dialog.fingerprint, dialog.hq_fingerprint):
            text = label.text()
            metrics = label.fontMetrics()
            assert label.width() < metrics.horizontalAdvance(text)  # (wrapped)
            half = " ".join(text.split()[:5])
            assert label.width() >= metrics.horizontalAdvance(half)
        # as high as the laptop has room for: the content scrolls, nothing squeezed
        short = 364 - FRAME_ROOM[1]
        assert dialog.minimumSizeHint().height() <= short
        dialog.resize(dialog.width(), short)
        qtbot.waitUntil(lambda: dialog.height() == short)
        QApplication.processEvents()
        for label in (dialog.fingerprint, dialog.hq_fingerprint, dialog.intro, dialog.hq_note):
            assert label.height() >= label.heightForWidth(label.width())
        dialog.close()
    finally:
        apply_language(app, "en")
        app.setFont(before)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_note_on_the_earlier_key_is_shown_whole(clock, open_window, qtbot, hq_db,
                                                    tmp_path, lang):
    """Headquarters made a new key after enrolling Côte d'Ivoire: in French the note on
    the earlier key, three lines, was given the height of two in its form row, and
    "until headquarters' next bundle reaches it" was cut off."""
    from fieldplan.sync import enroll_office, rotate_key
    from ui.app import apply_language

    with open_replica(hq_db) as rep:
        enroll_office(rep, "CI", tmp_path / "CI-setup.fieldplan")
        with rep.conn:  # (a day of its own, in the morning)
            rep.conn.execute("UPDATE enrolments SET created_at = '2026-02-03T09:00:00Z'")
        clock("2026-03-01")
        rotate_key(rep)
    app = QApplication.instance()
    apply_language(app, lang)
    try:
        window = open_window(hq_db)
        dialog = _open_own_key(window, qtbot)
        QApplication.processEvents()
        [(note, _fingerprint)] = dialog.earlier
        assert note.height() >= note.heightForWidth(note.width())
        dialog.grab().save(str(tmp_path / f"own-key-earlier-{lang}.png"))
        dialog.close()
    finally:
        apply_language(app, "en")
