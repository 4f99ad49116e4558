"""A new office's window says by when headquarters must get a first bundle from this
computer (its key is registered from it: ``fieldplan.sync.enrol.key_deadline``), and
once the date has passed that headquarters will check the key's fingerprint by
phone: in the status bar, and in the dialog that ends the first run (This computer's
key)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QDialog

from fieldplan.i18n import format_date, format_time
from fieldplan.replica import open_replica
from fieldplan.sync.enrol import key_deadline
from tests.core.test_key_deadline import later_than
from tests.scenes import wide_conflict
from tests.ui.conftest import wait_idle

BEFORE = ("Send headquarters a first bundle before {date} so that it knows this "
          "computer's key (File ▸ Export…)")
AFTER = ("Headquarters will check this computer's key fingerprint with you by phone "
         "before it takes your bundles")




def shots(tmp_path: Path) -> Path:
    return Path(os.environ.get("FIELDPLAN_SHOTS") or tmp_path)


def test_the_status_bar_words_before_and_after_the_date(monkeypatch) -> None:
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    expires = "2025-09-23T10:00:00Z"
    state = SyncState(None, None, None, None, 0, (), 0, 0, key_deadline=expires)
    later_than(monkeypatch, "2025-07-01T08:00:00Z")
    day = f"23 Sept 2025 at {format_time(expires)}"
    assert sync_text(state) == BEFORE.format(date=day) + " · Never exported"
    # a bundle written: no longer "send a first bundle" (the one written), and short
    # enough to leave "Last export" on a narrow window's status bar
    written = SyncState({"at": "2025-07-01T07:00:00Z"}, None, None, None, 0, (), 0, 0,
                        key_deadline=expires)
    assert sync_text(written).startswith(
        f"Make sure your bundle reaches headquarters before {day} · Last export ")
    later_than(monkeypatch, "2026-01-20T09:00:00Z")
    assert sync_text(state) == AFTER + " · Never exported"
    # registered, or set up from an older headquarters' setup bundle: nothing
    assert sync_text(SyncState(None, None, None, None, 0, (), 0, 0)) == "Never exported"


def _own_key_dialog(window, qtbot) -> QDialog:
    window.own_key_dialog(set_up=True)  # (as the first run ends: ui/app.py)
    qtbot.waitUntil(lambda: window.findChild(QDialog, "own-key-dialog") is not None,
                    timeout=5000)
    return window.findChild(QDialog, "own-key-dialog")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_new_office_is_told_by_when_headquarters_must_get_a_first_bundle(
        open_window, qtbot, office_db, tmp_path, lang) -> None:
    from ui.app import apply_language

    with open_replica(office_db) as rep:
        expires = key_deadline(rep)
    assert expires
    app = QApplication.instance()
    apply_language(app, lang)
    try:
        from fieldplan.i18n import _

        # (the words in the language shown, the date as it writes dates)
        date = format_date(expires)
        window = open_window(office_db)
        window.resize(1100, 650)
        qtbot.waitUntil(lambda: date in window.sync_label.toolTip(), timeout=5000)
        if lang == "en":
            assert window.sync_label.toolTip().startswith(
                BEFORE.format(date=f"{date} at {format_time(expires)}") + " · ")
        dialog = _own_key_dialog(window, qtbot)
        note = dialog.deadline_note
        assert note is not None and note.isVisible()
        plain = _read(note.text().replace("\u2066", "").replace("\u2069", ""))
        assert date in plain and format_time(expires) in plain  # the day and its hour
        if lang == "en":
            assert plain == BEFORE.format(date=f"{date} at {format_time(expires)}") + "."
            # (the day and its hour never broken across lines)
            whole = f"{date} at {format_time(expires)}".replace(" ", "\u00a0")
            assert whole in note.text().replace("\u2060", "")
        assert _("&Export…").replace("&", "") in plain
        window.grab().save(str(shots(tmp_path) / f"key-deadline-window-{lang}.png"))
        dialog.grab().save(str(shots(tmp_path) / f"key-deadline-dialog-{lang}.png"))
        dialog.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(app, "en")


def test_after_the_date_headquarters_will_phone(open_window, qtbot, office_db, tmp_path,
                                                monkeypatch) -> None:
    later_than(monkeypatch, "2099-01-01T00:00:00Z")
    window = open_window(office_db)
    window.resize(1100, 650)
    qtbot.waitUntil(lambda: window.sync_label.toolTip().startswith(AFTER + " · "),
                    timeout=5000)
    dialog = _own_key_dialog(window, qtbot)
    assert dialog.deadline_note.text() == AFTER + "."
    window.grab().save(str(shots(tmp_path) / "key-deadline-after-window-en.png"))
    dialog.grab().save(str(shots(tmp_path) / "key-deadline-after-dialog-en.png"))
    dialog.close()
    wait_idle(qtbot, window.session)


def test_headquarters_is_not_told(open_window, qtbot, hq_db) -> None:
    window = open_window(hq_db)
    qtbot.waitUntil(lambda: not window.sync_label.toolTip().startswith("Sync: …"),
                    timeout=5000)
    assert "first bundle" not in window.sync_label.toolTip()
    dialog = _own_key_dialog(window, qtbot)
    assert dialog.deadline_note is None
    dialog.close()
    wait_idle(qtbot, window.session)


def test_status_bar_words_too_long_for_the_window_are_cut_after_a_word() -> None:
    """At 1024 pixels the deadline's words were cut in "(File ▸ Export…", whose "…"
    read as the menu item's own: cut after the last whole word that fits, " …" after
    it (the tooltip says it all)."""
    from ui.main_window import cut_at_a_word

    text = BEFORE.format(date="6 Mar 2027")
    for room in range(12, len(text)):
        short = cut_at_a_word(text, room, len)
        assert len(short) <= room and short.endswith(" …"), (room, short)
        assert text.startswith(short[:-2]) and text[len(short) - 2] == " ", (room, short)
    assert cut_at_a_word("Unbreakable-word", 8, len) == "Unbreak…"


def test_the_deadline_kept_leaves_the_items_before_it_that_fit() -> None:
    """The deadline kept in a narrow status bar went first, before every other item,
    even where the one before it fitted beside it (a second laptop's "2 changes of this
    office's other computers are not here yet" was then cut away): as many items as
    leave it room stay before it, the deadline first only when none does."""
    from ui.main_window import SYNC_SEPARATOR, elide_keeping

    first, second, keep, after = "a" * 10, "b" * 30, "DEADLINE", "c" * 10
    text = SYNC_SEPARATOR.join([first, second, keep, after])
    shown = elide_keeping(text, keep, 30, len)
    assert shown.split(SYNC_SEPARATOR)[:2] == [first, keep]
    assert elide_keeping(text, keep, 18, len).split(SYNC_SEPARATOR)[0] == keep
    assert elide_keeping(text, keep, 200, len) == text


def test_a_narrow_status_bar_keeps_the_deadlines_date_in_fewer_words(
        open_window, qtbot, office_db, tmp_path) -> None:
    """A new office with a conflict, in French: the deadline's words (1,300 pixels) came
    after the conflict's count, and a laptop's status bar dropped them whole, date and
    all. Where the whole does not fit, the bar says the deadline in fewer words, its
    date and time kept; the tip says it all."""
    from ui.app import apply_language
    from ui.main_window import SYNC_SEPARATOR

    with open_replica(office_db) as rep:
        expires = key_deadline(rep)
        wide_conflict(rep, 2)
    app = QApplication.instance()
    apply_language(app, "fr")
    try:
        from fieldplan.i18n import _

        window = open_window(office_db)
        window.resize(1280, 720)
        qtbot.waitUntil(lambda: format_date(expires) in window.sync_label.toolTip(),
                        timeout=5000)
        shown = window.sync_label.text().split(SYNC_SEPARATOR)
        short = _("send headquarters a first bundle before {date} at {time}").format(
            date=format_date(expires), time=format_time(expires))
        assert short[0].upper() + short[1:] in shown, shown
        # (the tip says it whole: why, and the menu item)
        assert _("&Export…").replace("&", "") in window.sync_label.toolTip()
        # and so does what a screen reader is told, and View ▸ Sync details… (the tip is
        # out of reach of the keyboard): the whole, not the short form
        assert _("&Export…").replace("&", "") in window.sync_label.accessibleDescription()
        assert _("&Export…").replace("&", "") in window.sync_details()
        window.grab().save(str(shots(tmp_path) / "key-deadline-narrow-fr.png"))
        wait_idle(qtbot, window.session)
    finally:
        apply_language(app, "en")



def _line_starts(text: str, font, widths) -> set[int]:
    """Where lines begin when ``text`` wraps at each of ``widths`` pixels in ``font``,
    as a wrapped label breaks it: as indexes of ``text`` without its word joiners."""
    from PySide6.QtGui import QTextLayout, QTextOption

    starts: set[int] = set()
    for width in widths:
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(width)
            start = line.textStart()
            starts.add(start - text[:start].count("\u2060"))
        layout.endLayout()
    return starts


def _read(text: str) -> str:
    """``text`` as read: without word joiners, its no-break spaces plain ones."""
    return text.replace("\u2060", "").replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_sync_details_never_break_a_date_from_its_time(open_window, qtbot, office_db,
                                                      monkeypatch, tmp_path, lang) -> None:
    """View ▸ Sync details… wraps its lines: in French it broke the deadline after
    its "à" ("… avant le 6 mars 2027 à" on one line, "15:44 …" on the next). A date,
    the words up to its time and the time are one whole there (no-break spaces), as
    are the times of "HQ has your data up to" and "Last import", in every language;
    the status bar's words are as they were."""
    from fieldplan.i18n import _
    from fieldplan.sync.enrol import deadline_words
    from fieldplan.sync.state import SyncState
    from ui.app import apply_language
    from ui.context import time_text
    from ui.main_window import sync_text

    def whole_span(text: str, date: str, time: str) -> tuple[int, int]:
        read = _read(text)
        start = read.index(date)
        return start, read.index(time, start) + len(time)

    app = QApplication.instance()
    apply_language(app, lang)
    try:
        font, widths = app.font(), range(100, 700, 2)
        expires = "2025-09-23T13:44:00Z"
        later_than(monkeypatch, "2025-07-01T08:00:00Z")
        state = SyncState({"at": "2025-07-01T07:00:00Z"},
                          {"at": "2025-06-30T16:20:00Z", "file": "hq.fieldplan",
                           "outcome": "merged"},
                          4, "2025-06-29T11:05:00Z", 4, (), 0, 0, key_deadline=expires)
        plain, whole = sync_text(state), sync_text(state, whole=True)
        assert _read(whole) == _read(plain)
        day = deadline_words(expires)
        times = [time_text("2025-06-29T11:05:00Z"), time_text("2025-06-30T16:20:00Z")]
        spans = [whole_span(plain, day["date"], day["time"]),
                 *(whole_span(plain, t, t) for t in times)]
        before, after = _line_starts(plain, font, widths), _line_starts(whole, font, widths)
        for start, end in spans:
            # (the case: a line began inside it at some width)
            assert any(start < b < end for b in before), _read(plain)[start:end]
            assert not any(start < b < end for b in after), _read(plain)[start:end]
        # the dialog of a new office's window says its own deadline whole
        window = open_window(office_db)
        qtbot.waitUntil(lambda: window.sync_label.text() != _("Sync: …"), timeout=5000)
        with open_replica(office_db) as rep:
            day = deadline_words(key_deadline(rep))
        dialog = window.sync_details_dialog()
        qtbot.waitExposed(dialog)
        QApplication.processEvents()
        shown = dialog.text.text()
        start, end = whole_span(shown, day["date"], day["time"])
        assert not any(start < b < end for b in _line_starts(shown, dialog.text.font(),
                                                             widths))
        assert "\u2060" not in window.sync_label.text()  # (the status bar's: as they were)
        dialog.grab().save(str(shots(tmp_path) / f"sync-details-{lang}.png"))
        dialog.close()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(app, "en")


@pytest.mark.parametrize("exported", [False, True])
def test_a_laptops_status_bar_keeps_the_deadline_behind_many_counts(
        open_window, qtbot, office_db, monkeypatch, tmp_path, exported) -> None:
    """A new office with a conflict, two bundles in quarantine, a gap and changes not
    sent, in French at 1024 pixels: its status bar ended "… · 5 modif. non envoyées ·
    …", the deadline for its first bundle (date and time) dropped with the items after
    the counts, in the tip alone. The deadline is said now, after as many counts as
    leave it room (first when none does); the tip and View ▸ Sync details… say it all
    in its order."""
    from fieldplan.sync.state import SyncState
    from ui.app import apply_language
    from ui.main_window import SYNC_SEPARATOR

    app = QApplication.instance()
    apply_language(app, "fr")
    try:
        window = open_window(office_db)
        wait_idle(qtbot, window.session)
        later_than(monkeypatch, "2026-12-01T08:00:00Z")
        expires = "2027-03-06T14:44:00Z"
        state = SyncState({"at": "2026-12-01T07:00:00Z"} if exported else None,
                          {"at": "2026-11-30T16:20:00Z", "file": "hq.fieldplan",
                           "outcome": "merged"},
                          None, None, 9, ("gap",), 2, 1, unsent=5, key_deadline=expires)
        window.resize(1024, 768)
        window._show_sync_state(state)
        shown = window.sync_label.text()
        assert f"{format_date(expires)} à {format_time(expires)}" in shown, shown
        # (its item whole, after the counts that leave it room: the conflict first,
        # as in a wide window)
        items = shown.split(SYNC_SEPARATOR)
        assert any(item.endswith(format_time(expires)) for item in items), shown
        assert items[0] == "1 conflit", shown
        assert window.fontMetrics().horizontalAdvance(shown) <= (
            window.sync_label.contentsRect().width())
        # the whole, counts first, in the tip and the details
        assert window.sync_label.toolTip().startswith("1 conflit · ")
        assert window.sync_details().startswith("1 conflit\n")
        # a wide window: as before, the counts first
        window.resize(1600, 768)
        window._show_sync_state(state)
        assert window.sync_label.text().startswith("1 conflit · ")
        window.resize(1024, 768)
        window._show_sync_state(state)
        window.grab().save(str(shots(tmp_path) / f"key-deadline-counts-fr-{exported}.png"))
        wait_idle(qtbot, window.session)
    finally:
        apply_language(app, "en")
