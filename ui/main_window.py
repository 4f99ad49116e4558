"""The main window: menus, toolbar, shortcuts, status bar, and the pages (office
work, dashboard and, at headquarters, the HQ desk)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QByteArray, QObject, QSettings, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMenuBar,
    QPushButton,
    QStatusBar,
    QTabBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

import fieldplan
from fieldplan.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    _,
    counted,
    format_period,
    get_language,
    join_list,
    ngettext,
    pgettext,
)
from ui import window_settings
from ui.bidi import in_layout_direction, isolated, isolated_codes, isolated_paths
from ui.context import (
    Identity,
    allow_writes,
    date_text,
    read_only_text,
    time_text,
    unbroken,
    unbroken_span,
)
from ui.office_view import OfficeView
from ui.ops import DbOp, Session, error_sentence, sentence
from ui.pages import HqDesk, LazyTab, conflicts_tab, inbox_tab
from ui.plain_text import tip_text
from ui.qtcompat import Qt, emit, namespace_built
from ui.report_editor import linked_report, locked_period_text, recovered_text
from ui.screen import FRAME_ROOM, fit_to_screen, keep_on_screen

# What the first screen does not show (the other pages, dialogs, moving files, the
# core's write functions) is imported when first used: a faster first paint.
if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QSessionManager
    from PySide6.QtWidgets import QMenu

    from ui.dashboard import Dashboard
    from ui.dialogs import MessageDialog
    from ui.editor_place import EditorPlace
    from ui.held_keys import HeldTyping
    from ui.report_editor import GoneReport

SYNC_REFRESH_MS = 60_000
#: how long after the last change of period, action or page the window writes where
#: the person is (MainWindow.keep_place)
PLACE_WRITE_MS = 400
#: how often the window asks whether another program wrote to the database
OUTSIDE_CHECK_MS = 2_000
#: how often while another program is in front (the window is looked at again the
#: moment fieldplan is back in front): left open behind a browser all day, on battery
OUTSIDE_CHECK_AWAY_MS = 10_000


#: Between the items of the status bar's sync words; a narrow window drops the last ones.
SYNC_SEPARATOR = " · "


def sync_text(state, *, short: bool = False, whole: bool = False) -> str:
    """The status bar's sync words, from fieldplan.sync.sync_state: what needs a
    person first (conflicts, quarantined bundles, gaps), then the times, so that a
    narrow window cuts the times, not the counts. ``short``: a new office's deadline
    for its first bundle without its why and way (``key_deadline_text``), for a
    status bar where the whole does not fit. ``whole``: each date and time never
    broken across lines (``unbroken``), for View ▸ Sync details…, whose lines wrap
    ("avant le 6 mars 2027 à" ended a line, "15:44" began the next)."""
    if state is None:
        return _("Sync: not available")
    # (short: the day alone, as a table column with no room for more says it; a
    # 1024-pixel French status bar cut "Dernier export" off, what HQ holds with it)
    when_text = ((lambda when: unbroken(time_text(when))) if whole
                 else date_text if short else time_text)
    parts = []
    key_file = getattr(state, "key_file", "")
    if key_file:
        # first: nothing can be exported until it is put right; its tip says the whole
        # of it, with the way out (fieldplan.sync.keys.key_file_problem)
        if key_file == "missing":
            parts.append(_("this computer's key file is missing: nothing can be exported"))
        elif key_file == "other":
            parts.append(_("the key file beside this database does not hold this "
                           "computer's key: nothing can be exported"))
        else:
            parts.append(_("this computer's key file cannot be used: nothing can be "
                           "exported"))
    if getattr(state, "key_revoked", False):
        from fieldplan.status import revoked_text

        # first: nothing typed here will reach HQ
        parts.append(revoked_text(0, getattr(state, "key_replaced_by", "")))
    if getattr(state, "continued_by", ""):
        # its tip says the whole of it (fieldplan.status.continued_text)
        parts.append(_("this database was copied to another computer: export, then set "
                       "this computer up again"))
    forked = getattr(state, "hq_forks", ())
    if forked:
        # (HQ) its own history forked: nothing it sends reaches these offices
        offices = sorted({o for f in forked for o in f["offices"]})
        parts.append(ngettext("Headquarters' history forked: {offices} refuses its bundles",
                              "Headquarters' history forked: {offices} refuse its bundles",
                              len(offices)).format(
            offices=join_list(isolated(o) for o in offices)))
    from fieldplan.sync.state import to_make_again

    restored = state.restored or {}
    lost = to_make_again(restored)
    office_restored = restored_office_text(restored)
    if office_restored:
        parts.append(office_restored)
    elif lost:
        # HQ restored from a backup: what it wrote after it must be made again
        parts.append(counted(
            "restored from a backup: {n} change made after it (plan, locks, keys or "
            "headquarters' own reports) was lost; make it again",
            "restored from a backup: {n} changes made after it (plan, locks, keys or "
            "headquarters' own reports) were lost; make them again", lost))
    revoked_lost = sum(item["events"] for item in restored.get("revoked_lost", ()))
    if revoked_lost:
        # (HQ) what it held of a computer it revoked: that computer's last bundle brings
        # it back (no office sends it again); the tip names the computer
        parts.append(counted(
            "restored from a backup: {n} event of a revoked computer was lost; import its "
            "bundles again",
            "restored from a backup: {n} events of a revoked computer were lost; import its "
            "bundles again", revoked_lost))
    offices_lost = restored.get("offices_lost", ())
    if offices_lost:
        # (HQ) offices' events it had received after the backup: their figures lack
        # them until they come back; the tip says, per office, how many and the ways
        # back (fieldplan.status.offices_lost_text)
        n = sum(item["events"] for item in offices_lost)
        parts.append(counted(
            "restored from a backup: {n} event received from {offices} after it was lost; "
            "import those bundles again",
            "restored from a backup: {n} events received from {offices} after it were "
            "lost; import those bundles again", n,
            offices=join_list(isolated(item["office"]) for item in offices_lost)))
    if state.conflicts:
        parts.append(
            counted("{n} conflict", "{n} conflicts", state.conflicts)
        )
    if state.quarantined:
        # (the plural of 'fieldplan status': Arabic read the one-file form of a
        # message without a count, "one file in quarantine", for any number of them)
        parts.append(counted("{n} quarantined", "{n} quarantined", state.quarantined))
    if state.gaps:
        parts.append(counted("{n} gap", "{n} gaps", len(state.gaps)))
    behind = getattr(state, "hq_only_count", 0)
    if behind:
        # (an office) a sibling's reports headquarters holds: its tip says how they come
        parts.append(counted(
            "{n} change of this office's other computers is not here yet",
            "{n} changes of this office's other computers are not here yet",
            behind))
    # (an office) what no bundle carried yet, as 'fieldplan status' says it: "HQ has
    # your data up to …" alone was read as all of it. Not for a revoked computer, whose
    # words say what is left to type again
    fresh = getattr(state, "unsent", 0) - getattr(state, "sent_unacknowledged", 0)
    if fresh > 0 and not getattr(state, "key_revoked", False):
        if short:
            # Translators: the status bar's short words for "{n} changes not sent yet",
            # where the whole line does not fit
            parts.append(counted("{n} not sent", "{n} not sent", fresh))
        else:
            parts.append(counted("{n} change not sent yet", "{n} changes not sent yet",
                                 fresh))
    words = deadline_part(state, short=short, whole=whole)
    if words:
        parts.append(words)
    # reports changed after headquarters locked their period, as 'fieldplan status'
    # warns: at an office its own (stuck until headquarters unlocks the period), at
    # headquarters every office's (to look at before the review, or to unlock for)
    parts += [isolated_codes(line) for line in getattr(state, "after_lock", ())]
    offices = getattr(state, "forked_offices", ())
    if offices:
        # (HQ) only a bundle from here repairs it: say to whom to send one
        parts.append(ngettext(
            "forked history at {offices}: export a bundle for it",
            "forked histories at {offices}: export a bundle for each", len(offices)).format(
                offices=join_list(isolated(o) for o in offices)))
    shared = tuple(dict.fromkeys(r["office"] for r in getattr(state, "shared_records", ())))
    if shared:
        # (HQ) a database and its key copied to another computer: the tip says what to do
        # Translators: {offices} are office codes, "ML, SN"
        parts.append(ngettext(
            "two computers write under one identity at {offices}",
            "two computers write under one identity at each of {offices}",
            len(shared)).format(offices=join_list(isolated(o) for o in shared)))
    if state.hq_has_at:
        parts.append(_("HQ has your data up to {when}").format(when=when_text(state.hq_has_at)))
        if getattr(state, "sent_unacknowledged", 0) and state.last_export:
            # a bundle on its way with changes headquarters has not acknowledged: said,
            # or the export just made left no trace beside the older "up to"
            parts.append(_("Last export {when}").format(
                when=when_text(state.last_export.get("at", ""))))
    elif state.last_export:
        parts.append(
            _("Last export {when}").format(when=when_text(state.last_export.get("at", "")))
        )
    else:
        parts.append(_("Never exported"))
    if state.last_import:
        from fieldplan.status import last_import_text

        # its file and outcome too, as 'fieldplan status' says: a refused bundle is
        # not taken for one that went in
        last = state.last_import
        if short and not (isinstance(last.get("counts"), dict)
                          and sum(last["counts"].values()) > 1):
            # the day, and what became of the file unless merged, without its name
            # (the tip and View ▸ Sync details… name it)
            what = when_text(last.get("at") or "")
            if last.get("outcome") not in (None, "", "merged"):
                from fieldplan.sync.exchange import outcome_label

                # Translators: the status bar's short last import: {when} its day,
                # {outcome} what became of the file (duplicate, quarantined, rejected)
                what = _("{when}, {outcome}").format(
                    when=what, outcome=outcome_label(str(last["outcome"])))
        else:
            # (its bidi controls contained, in English too: the core names the file as
            # one unit in an Arabic sentence, ``i18n.ltr``, not to be isolated twice)
            from fieldplan.text import bidi_contained

            what = last_import_text(last, when_text, bidi_contained)
        parts.append(_("Last import {what}").format(what=what))
    # each part is an item of its own, with a capital ("Last export … · Last import …");
    # the core's messages among them are lower case
    return SYNC_SEPARATOR.join(sentence(part) for part in parts)


def restored_office_text(restored: dict) -> str:
    """(an office restored from a backup) The status bar's words for what it may have
    lost, each with its own count (``restored_state``): changes in a bundle
    headquarters never received (to import there again or make again), changes never
    sent (to make again), changes in a bundle headquarters has not confirmed yet (to
    keep the bundle); "" when there are none."""
    not_received = restored.get("not_received", 0)
    never_sent = restored.get("never_sent", 0)
    unconfirmed = restored.get("unconfirmed", 0)
    if not_received and not never_sent:
        # its tip names the file and the reports
        return counted(
            "restored from a backup: {n} change made here after it did not reach "
            "headquarters; import its bundle there again or make it again",
            "restored from a backup: {n} changes made here after it did not reach "
            "headquarters; import their bundle there again or make them again",
            not_received)
    if never_sent and not (not_received or unconfirmed):
        # what was typed after it and never sent is gone (its tip names the reports,
        # when the damaged file could tell)
        return counted(
            "restored from a backup: {n} change made here after it was never sent, and "
            "is lost; make it again",
            "restored from a backup: {n} changes made here after it were never sent, and "
            "are lost; make them again", never_sent)
    clauses = []
    if not_received:
        # Translators: a part of "restored from a backup: {changes}"; "it" is the backup
        clauses.append(counted(
            "{n} change made here after it did not reach headquarters (import its "
            "bundle there again or make it again)",
            "{n} changes made here after it did not reach headquarters (import their "
            "bundle there again or make them again)",
            not_received))
    if never_sent:
        # Translators: a part of "restored from a backup: {changes}"; "it" is the backup
        clauses.append(counted(
            "{n} change made here after it was never sent, and is lost (make it again)",
            "{n} changes made here after it were never sent, and are lost (make them "
            "again)", never_sent))
    if unconfirmed:
        # sent before the restore: safe once headquarters' next bundle confirms them
        # Translators: a part of "restored from a backup: {changes}"; "it" is the backup
        clauses.append(counted(
            "{n} change made here after it was sent, and headquarters has not "
            "confirmed it yet (keep its bundle)",
            "{n} changes made here after it were sent, and headquarters has not "
            "confirmed them yet (keep their bundle)", unconfirmed))
    if not clauses:
        return ""
    if len(clauses) == 1:
        # Translators: {changes} says how many changes made after the backup were
        # lost or are in doubt, and what to do
        return _("restored from a backup: {changes}").format(changes=clauses[0])
    # (never more than two: a bundle is either not confirmed yet or not received)
    # Translators: {first} and {second} each say how many changes made after the
    # backup, and what to do, e.g. "1 change made here after it was never sent, and
    # is lost (make it again)"
    return _("restored from a backup: {first}; {second}").format(
        first=clauses[0], second=clauses[1])


def office_lost_said(not_received: int, never_sent: int) -> str:
    """(an office restored from a backup) What the dialog that ends the warning says:
    the changes in a bundle headquarters never received and those never sent, each
    with its own count (``restored_state``)."""
    if not never_sent:
        return counted(
            "{n} change made on this computer after the backup this database was restored "
            "from did not reach headquarters, and is lost unless its bundle is imported "
            "there again. Type it again, then stop the warning.",
            "{n} changes made on this computer after the backup this database was restored "
            "from did not reach headquarters, and are lost unless their bundle is imported "
            "there again. Type them again, then stop the warning.",
            not_received)
    if not not_received:
        return counted(
            "{n} change made on this computer after the backup this database was restored "
            "from was never sent to headquarters, and is lost. Type it again, then stop "
            "the warning.",
            "{n} changes made on this computer after the backup this database was restored "
            "from were never sent to headquarters, and are lost. Type them again, then stop "
            "the warning.", never_sent)
    # Translators: {not_received} and {never_sent} are the two sentences before it:
    # "1 change made on this computer … did not reach headquarters, …" and "1 other
    # change … was never sent to headquarters, and is lost."
    return _("{not_received} {never_sent} Type them again, then stop the warning.").format(
        not_received=counted(
            "{n} change made on this computer after the backup this database was restored "
            "from did not reach headquarters, and is lost unless its bundle is imported "
            "there again.",
            "{n} changes made on this computer after the backup this database was restored "
            "from did not reach headquarters, and are lost unless their bundle is imported "
            "there again.", not_received),
        never_sent=counted(
            "{n} other change made on this computer after the backup was never sent to "
            "headquarters, and is lost.",
            "{n} other changes made on this computer after the backup were never sent to "
            "headquarters, and are lost.", never_sent))


class _ElideOnResize(QObject):
    """Fits the save state and the sync words to the status bar whenever it or
    their label is resized. Installed after
    the first paint: an event filter in Python makes PySide build QEvent."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window

    def eventFilter(self, watched: QObject, event) -> bool:
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.Resize:
            # the red save state first: the sync words take the room it leaves
            self._window._elide_save_state()
            self._window._elide_sync()
        return False


class MenuBar(QMenuBar):
    """The menu bar, the title chosen with the keyboard shown chosen. Fusion (the style
    on Linux) highlights a title only while its menu is open: after Alt, and in Arabic,
    whose titles have no letter underlined, nothing on screen changed, and the arrows
    moved a choice no one could see until Down opened its menu."""

    def initStyleOption(self, option, action) -> None:  # (Qt's name)
        super().initStyleOption(option, action)
        # (the bar has the focus while the keyboard moves in it; not while the mouse
        # passes over it, where Fusion does not highlight either)
        if self.hasFocus() and self.style().name() == "fusion":
            from PySide6.QtWidgets import QStyle

            if option.state & QStyle.StateFlag.State_Selected:
                option.state |= QStyle.StateFlag.State_Sunken

    def enter_by_keyboard(self) -> None:
        """(F10) The keyboard in the bar, its first title chosen and no menu open, as
        after Alt; again, out of it. Qt keeps that mode to itself and enters it on a
        lone Alt seen by the bar's watch on the window: what is sent here."""
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent
        from PySide6.QtWidgets import QApplication

        from ui.qtcompat import Qt

        window = self.window()
        # (the modifiers as a keyboard sends them, before the key: QKeyEvent adds Alt
        # to those of the Alt key's press, and takes it away from its release's)
        for kind, before in ((QEvent.Type.ShortcutOverride, Qt.KeyboardModifier.NoModifier),
                             (QEvent.Type.KeyRelease, Qt.KeyboardModifier.AltModifier)):
            QApplication.sendEvent(window, QKeyEvent(kind, Qt.Key.Key_Alt, before))


class StatusBar(QStatusBar):
    """The window's status bar: a passing message too long for the room it has ends
    with "…" and is whole in the bar's tooltip. Qt cut it at the bar's edge, mid-word
    ("… next bundle for ther"), with nothing to show that more was there. (Messages
    Qt shows itself, a menu item's tip, are short.)

    A message the client shows ("3 reports submitted.", a period locked) is said to a
    screen reader too, whole: it was painted in a corner away from the focus, and read
    by no one. (Qt's own, a menu item's tip as it is hovered, are not: the menu item is
    said already.)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._whole = ""
        #: when the message shown goes (time.monotonic()), or 0: until replaced
        self._until = 0.0
        # its tooltip goes with the message (its time up: Qt clears it without a word)
        self.messageChanged.connect(self._message_changed)

    def showMessage(self, message: str, timeout: int = 0) -> None:
        import time

        super().showMessage(message, timeout)  # (the widgets it covers hidden first)
        self._whole = message
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else 0.0
        self._fit(timeout)
        if message.strip():
            from ui.dialogs import say_in_passing

            say_in_passing(self, message)

    def _fit(self, timeout: int) -> None:
        """The message shown cut to the room it has now, "…" at its end."""
        message = self._whole
        fitted, room = message, self.message_room()
        # (not laid out yet, the window just shown: no room to measure, and Qt's own
        # clipping is better than a message cut to nothing)
        if self.isVisible() and room >= 10 * self.fontMetrics().averageCharWidth():
            fitted = self.fontMetrics().elidedText(message, Qt.TextElideMode.ElideRight, room)
        if fitted != self.currentMessage():
            super().showMessage(fitted, timeout)
        self.setToolTip(message if fitted != message else "")

    def refit_on_layout(self) -> None:
        """From now on, fit the message again whenever the widgets beside it are laid
        out again (the red save state shown, its button), and once now: a message fitted
        to the room it had was cut by Qt mid-word under them, or stayed cut when they
        went. (Once
        the window is painted: the first event Python sees makes PySide build QEvent
        and its subclasses, a cost the first paint does not wait for: FirstPaint.)"""
        if self.findChild(_LaidOut) is None:
            self.installEventFilter(_LaidOut(self))
            # and now: the widgets beside it may have come up before (a message shown
            # as the window opens, then the red save state), laid out unwatched
            self.refit()

    def refit(self) -> None:
        """The message shown fitted again to the room it has now, for the time it has
        left."""
        if not (self._whole and self.currentMessage()):
            return
        import time

        left = 0 if not self._until else max(1, round((self._until - time.monotonic())
                                                       * 1000))
        self._fit(left)

    def whole_message(self) -> str:
        """The passing message shown now, whole ("" when none)."""
        return self._whole if self.currentMessage() else ""

    def _message_changed(self, text: str) -> None:
        if not text:
            self._whole = ""
            self.setToolTip("")

    def message_room(self) -> int:
        """The width a passing message is drawn in, as Qt works it out: the bar less
        the permanent widgets shown and the size grip, less Qt's margins."""
        rtl = self.isRightToLeft()
        left, right = 6, self.width() - 12
        for child in self.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if not child.isVisible() or child.isWindow():
                continue  # (those a message covers are hidden by now)
            if rtl:
                left = max(left, child.x() + child.width() + 2)
            else:
                right = min(right, child.x() - 2)
        return max(0, right - left - 16)


class _FocusedTab(QObject):
    """(on the window's tab bar, once the window is painted) The tab with the keyboard
    framed in the selection's colour: Qt shows the focus on a tab by a tint hardly told
    from white (Tab from the toolbar's Period list onto the tabs, and nothing on screen
    said where the keyboard was, nor that the arrows now change the page)."""

    def eventFilter(self, watched: QObject, event) -> bool:  # (Qt's name)
        from PySide6.QtCore import QEvent

        if (event.type() != QEvent.Type.Paint or not watched.hasFocus()
                or watched.currentIndex() < 0):
            return False
        from PySide6.QtGui import QPainter, QPalette, QPen

        QTabBar.paintEvent(watched, event)  # Qt's tabs, then the frame over them
        painter = QPainter(watched)
        pen = QPen(watched.palette().color(QPalette.ColorRole.Highlight))
        pen.setWidth(FOCUS_FRAME)
        painter.setPen(pen)
        inset = FOCUS_FRAME // 2 + 1
        painter.drawRect(watched.tabRect(watched.currentIndex()).adjusted(
            inset, inset, -inset - 1, -inset - 1))
        painter.end()
        return True


#: the width of the frame around the tab with the keyboard, in pixels
FOCUS_FRAME = 2


class _Tabs(QTabWidget):
    """The window's pages. Ctrl+Tab and Ctrl+Shift+Tab go to the next (previous) page
    as Ctrl+number does (``go_to``): Qt's own switch hid the page left with the
    keyboard in it, which moved the focus to the toolbar's Period list (next in the
    focus chain) before the page shown took it, and a screen reader said "Period"."""

    def __init__(self, go_to: Callable[[int], None]) -> None:
        super().__init__()
        # made here (not by Qt) so that its own painting can be called (_FocusedTab)
        self.setTabBar(QTabBar())
        self._go_to = go_to

    def keyPressEvent(self, event) -> None:  # (Qt's name)
        key, mods = event.key(), event.modifiers()
        if (key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and self.count() > 1
                and mods & Qt.KeyboardModifier.ControlModifier):
            step = -1 if (key == Qt.Key.Key_Backtab
                          or mods & Qt.KeyboardModifier.ShiftModifier) else 1
            index = self.currentIndex()
            for _pass in range(self.count()):
                index = (index + step) % self.count()
                if self.isTabEnabled(index):
                    self._go_to(index)
                    break
            event.accept()
            return
        super().keyPressEvent(event)


class _LaidOut(QObject):
    """(StatusBar.refit_on_layout) Its bar's message fitted again at each layout and
    resize."""

    def eventFilter(self, watched: QObject, event) -> bool:
        from PySide6.QtCore import QEvent  # (not at the cold start: FirstPaint)

        # (a resize too: a message cut in a narrow window stayed cut once it was wider)
        if event.type() in (QEvent.Type.LayoutRequest, QEvent.Type.Resize):
            bar = self.parent()
            # (after Qt's own handling of it: the widgets are where they go then)
            QTimer.singleShot(0, bar, bar.refit)  # (not if the bar is gone by then)
        return False


def _first_focusable(page: QWidget) -> QWidget | None:
    """The widget the keyboard starts in when ``page`` (or the tab that holds it, built)
    is shown: the one the page names as its ``first_focus`` (its list or table, where
    a filter or a line of notes comes first in the Tab order: the Progress page's plan,
    not its Level filter; the Inbox's bundles, not its one-line Gaps list), else the
    first widget inside it that Tab stops at, in its focus chain."""
    if isinstance(page, LazyTab) and page.built():
        page = page.page()
    tab_focus = Qt.FocusPolicy.TabFocus.value
    named = getattr(page, "first_focus", None)
    if (isinstance(named, QWidget) and named.isEnabled() and named.isVisibleTo(page)
            and named.focusPolicy().value & tab_focus):
        return named
    widget = page.nextInFocusChain()
    while widget is not None and widget is not page:
        if (page.isAncestorOf(widget) and widget.isEnabled() and widget.isVisibleTo(page)
                and widget.focusPolicy().value & tab_focus):
            return widget
        widget = widget.nextInFocusChain()
    return None


def set_app_icon() -> None:
    """The application's icon on its windows (once; the task bar and window list
    show it where no desktop entry gives one)."""
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from fieldplan.resources import resource_path

    app = QApplication.instance()
    if app is not None and app.windowIcon().isNull():
        app.setWindowIcon(QIcon(str(resource_path("icons", "fieldplan.svg"))))


def read_locked_periods(rep, known: frozenset[str] | None = None,
                        ) -> tuple[frozenset[str], frozenset[str], dict[str, int]]:
    """(worker) the periods headquarters has locked, as this database holds them, and
    (HQ, restored from a backup) those offices may hold otherwise: a lock or unlock of
    them was lost (``sync.state.lost_lock_periods``); and (an office) of the periods
    locked since ``known`` (those the window had read), its drafts each lock leaves
    unsubmitted (``status.drafts_left_by_locks``), which the lock's news says."""
    from fieldplan.progress import locked_periods
    from fieldplan.status import drafts_left_by_locks

    locked = frozenset(locked_periods(rep))
    new = locked - known if known is not None and not rep.is_hq else ()
    lost: frozenset[str] = frozenset()
    if rep.is_hq and rep.meta("restored"):
        # (only then: the sync core, bundles and signatures, is not imported for it
        # while the first window is painted, the worker holding Python's lock)
        from fieldplan.sync.state import lost_lock_periods

        lost = frozenset(lost_lock_periods(rep))
    return (locked, lost, drafts_left_by_locks(rep, new, rep.office) if new else {})


def period_text(period: str, locked: bool) -> str:
    """A period as the window names it: "1st semester 2026 · locked" when locked."""
    if locked:
        # Translators: a period in the window's period chooser and status bar
        return _("{period} · locked").format(period=format_period(period))
    return format_period(period)


def read_sync_state(rep):
    try:
        from fieldplan.sync import sync_state
    except ImportError:  # the sync core is not there: show that, do not fail
        return None
    return sync_state(rep)


class FirstPaint(QObject):
    """Calls ``then`` once, soon after ``widget`` is first painted.

    Qt paints a window's widgets when its native window is exposed, and QWindow has
    no signal for that: a timer asks, from ``start()`` (the window is shown) until it
    is. (An event filter would see the paint event itself, but the first event that
    reaches Python makes PySide build QEvent and its 45 subclasses, about 3 ms.) It
    asks often for a moment, then seldom: a window on another desktop may not be on
    screen for hours. A minimised one is not asked at all (it woke a laptop on battery
    4 times a second all day): asked again, often, once it is restored.
    """

    INTERVAL_MS = 5
    #: how long it asks every INTERVAL_MS; then every SLOW_INTERVAL_MS
    FAST_FOR_MS = 1000
    SLOW_INTERVAL_MS = 250

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], None] | None = then
        self._timer = QTimer(self)
        self._timer.setInterval(self.INTERVAL_MS)
        self._timer.timeout.connect(self._check)
        self._fast_ticks = 0
        self._hearing = False

    def start(self) -> None:
        if self._then is None:
            return
        window = self._widget.windowHandle()
        if window is not None and not self._hearing:
            self._hearing = True
            window.visibilityChanged.connect(self._visibility_changed)
        if not self._widget.isMinimized():  # (else: once restored)
            self._ask()

    def _ask(self) -> None:
        self._timer.setInterval(self.INTERVAL_MS)
        self._fast_ticks = max(1, self.FAST_FOR_MS // self.INTERVAL_MS)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _visibility_changed(self, visibility) -> None:
        from PySide6.QtGui import QWindow

        if self._then is None:
            return
        if visibility in (QWindow.Visibility.Minimized, QWindow.Visibility.Hidden):
            self._timer.stop()
        else:  # (the widget may say it is minimised still)
            self._ask()

    @property
    def done(self) -> bool:
        """Whether ``then`` has been called."""
        return self._then is None

    def _check(self) -> None:
        window = self._widget.windowHandle()
        if window is not None and window.isExposed() and self._then is not None:
            then, self._then = self._then, None
            self._timer.stop()
            then()
            return
        if self._fast_ticks > 0:
            self._fast_ticks -= 1
            if self._fast_ticks == 0:
                self._timer.setInterval(self.SLOW_INTERVAL_MS)


class ShortenedLabel(QLabel):
    """A label whose text stays whole (``text()``: what a screen reader reads, what
    is selected and copied) and is painted shortened (``shown``) when the room is too
    narrow for it: the save state at 1024 pixels in French."""

    def __init__(self) -> None:
        super().__init__()
        #: the text as painted, or None: as it is
        self.shown: str | None = None

    def set_shown(self, shown: str | None) -> None:
        if shown != self.shown:
            self.shown = shown
            self.updateGeometry()
            self.update()

    def _fit(self, hint):
        from PySide6.QtCore import QSize

        if self.shown is None:
            return hint
        margins = self.contentsMargins()
        width = (self.fontMetrics().horizontalAdvance(self.shown) + margins.left()
                 + margins.right() + 2 * self.frameWidth())
        return QSize(min(width, hint.width()), hint.height())

    def sizeHint(self):
        return self._fit(super().sizeHint())

    def minimumSizeHint(self):
        return self._fit(super().minimumSizeHint())

    def paintEvent(self, event) -> None:
        if self.shown is None:
            super().paintEvent(event)
            return
        from PySide6.QtGui import QPainter, QPalette
        from PySide6.QtWidgets import QStyle

        painter = QPainter(self)
        self.drawFrame(painter)  # (the frame that shows the focus)
        align = QStyle.visualAlignment(self.layoutDirection(), self.alignment())
        self.style().drawItemText(painter, self.contentsRect(), int(align), self.palette(),
                                  self.isEnabled(), self.shown,
                                  QPalette.ColorRole.WindowText)
        painter.end()


def deadline_part(state, *, short: bool = False, whole: bool = False) -> str:
    """(a new office) The sync words' item that says by when headquarters must get a
    first bundle from this computer (``sync_text``'s ``short`` and ``whole``), or ""
    when there is no such deadline: headquarters registers this computer's key from a
    first bundle it imports before the setup bundle's enrolment ends; after, by
    phone."""
    deadline = getattr(state, "key_deadline", "")
    if not deadline:
        return ""
    from fieldplan.sync.enrol import key_deadline_text
    from ui.transfer import export_menu

    words = key_deadline_text(deadline, export_menu(),
                              exported=bool(state.last_export), short=short)
    if whole:  # (the date, "at" and the time: "avant le 6 mars 2027 à 15:44")
        from fieldplan.sync.enrol import deadline_words

        day = deadline_words(deadline)
        words = unbroken_span(words, day["date"], day["time"])
    return words


def elide_keeping(text: str, keep: str, room: int, width: Callable[[str], int]) -> str:
    """``text`` in ``room`` as ``elide_items`` fits it, ``keep`` (one of its items, or
    "") never dropped: when the items before it leave it no room, it comes after as
    many of them as leave it room (first when none does), the others following it,
    cut from the end. (A new office with a conflict, a bundle in
    quarantine and a gap, in French at 1024 pixels: its deadline for a first bundle
    went with the items after the counts, "… · 5 modif. non envoyées · …", and the
    date by which its key had to reach headquarters was in the tip alone.)"""
    shown = elide_items(text, room, width)
    items = text.split(SYNC_SEPARATOR)
    if not keep or keep not in items:
        return shown
    if keep in shown.split(SYNC_SEPARATOR):
        return shown
    at = items.index(keep)
    rest = items[:at] + items[at + 1:]
    # as many of the items before it as leave it room (a second laptop's "2 changes
    # of this office's other computers are not here yet" stays beside it), else first
    for before in range(at - 1, 0, -1):
        tried = elide_items(SYNC_SEPARATOR.join([*rest[:before], keep, *rest[before:]]),
                            room, width)
        if keep in tried.split(SYNC_SEPARATOR):
            return tried
    return elide_items(SYNC_SEPARATOR.join([keep, *rest]), room, width)


def elide_items(text: str, room: int, width: Callable[[str], int]) -> str:
    """``text`` in ``room``: whole items (between SYNC_SEPARATORs) dropped from the
    end, "…" in their place, the first of them kept up to the clause that fits
    (``clause_heads``); never a clause cut in its middle ("…202/12/05" read as another
    date in Arabic), unless one item alone is wider (``cut_at_a_word``)."""
    if room <= 0 or width(text) <= room:
        return text
    items = text.split(SYNC_SEPARATOR)
    dropped = ""
    while len(items) > 1 and width(text) > room:
        dropped = items.pop()
        text = SYNC_SEPARATOR.join([*items, "…"])
    if width(text) > room:  # one item wider than the window: cut, as a last resort
        return cut_at_a_word(text, room, width)
    # the room left after the items kept holds the first item dropped up to one of its
    # clauses ("Last import 7 Dec 2026, 06:17 …"): "HQ has your data up to …, 15:00 · …"
    # left a third of a 1024-pixel bar empty
    for head in reversed(clause_heads(dropped)):
        fuller = SYNC_SEPARATOR.join([*items, head + " …"])
        if width(fuller) <= room:
            return fuller
    return text


#: where an item of the sync words may end short: after a clause, never inside one
#: (a date, a count and its noun, a name)
CLAUSE_ENDS = (" — ", ", ", "\u060c ", "; ", "\u061b ")
#: the isolates of the bidirectional algorithm: a clause cut inside one (a file name)
#: would leave the " …" after it in that name's direction
_ISOLATE_OPENS, _ISOLATE_CLOSE = "\u2066\u2067\u2068", "\u2069"


def clause_heads(item: str) -> list[str]:
    """The beginnings of ``item`` that end at one of its clauses (``CLAUSE_ENDS``),
    shortest first, each without the mark that ends it: "Last import 7 Dec 2026, 06:17
    — EG-1.fieldplan, merged" gives "Last import 7 Dec 2026", "… 06:17" and "…
    EG-1.fieldplan". None inside an isolate (a file name's own commas)."""
    heads = []
    for i in range(len(item)):
        for end in CLAUSE_ENDS:
            if item.startswith(end, i):
                head = item[:i].rstrip()
                opened = sum(head.count(c) for c in _ISOLATE_OPENS)
                if head and opened == head.count(_ISOLATE_CLOSE):
                    heads.append(head)
                break
    return heads


def cut_at_a_word(text: str, room: int, width: Callable[[str], int]) -> str:
    """``text`` cut after the last whole word that leaves room for " …" (a word cut
    in its middle, "File ▸ Export…", read as the menu's own ellipsis); one word
    wider than ``room`` is cut in its middle, as a last resort."""
    words = text.split(" ")
    while len(words) > 1:
        words.pop()
        short = " ".join(words).rstrip(" ,;:·(") + " …"
        if width(short) <= room:
            return short
    while text and width(text + "…") > room:
        text = text[:-1]
    return text + "…"


@dataclass(frozen=True)
class EditingHandOver:
    """What a window made again for a language change takes over from the one it
    replaces (``MainWindow.hand_over_editing``)."""

    #: the old window's undo steps, with their place in it (what can be redone too)
    undo_stack: QUndoStack
    #: (action, period) of the report they belong to (None: none shown)
    report: tuple[str, str] | None
    #: where the person was in that report (ui.editor_place.EditorPlace), or in
    #: ``gone``
    place: EditorPlace | None
    #: the report an amendment hid, left on screen read-only (ReportEditor.gone)
    gone: GoneReport | None = None
    #: what was typed in ``report`` while it was being read (ui.held_keys.HeldTyping),
    #: still to be typed in once it is: lost with the old window otherwise
    held: HeldTyping | None = None


def window_title(identity: Identity) -> str:
    """The window's title: the office, and on the demo's database (``gui --demo``, the
    first run's Open the demo) that it is the demo: titled as a real headquarters is,
    it offered Enrol an office… to a person who forgot, and the setup bundles written
    there would bind real offices to a made-up headquarters."""
    from pathlib import Path

    from ui.context import demo_path

    office = identity.office_text()
    # (both paths as spelt: a look at the disk has no place on the GUI thread)
    if identity.db_path and Path(identity.db_path) == demo_path():
        # Translators: the window's title on the demo database; {office} is
        # "HQ · Headquarters"
        return _("{office} (demo: made-up data)").format(office=office)
    return office


class MainWindow(QMainWindow):
    """One window on one open database (``session``)."""

    language_did_change = Signal(str)
    period_did_change = Signal(str)
    #: a new plan is shown (set_identity): open dialogs that offer its periods follow
    identity_did_change = Signal(object)
    #: the window has been painted once: what the first screen need not wait for runs
    was_painted = Signal()
    #: (an office whose key headquarters revoked) the person chose to set this computer
    #: up again: the setup bundle, the folder for the old files (ui.app.Shell does it)
    set_up_again_was_asked = Signal(str, str)

    def __init__(
        self,
        session: Session,
        identity: Identity,
        settings: QSettings,
        parent: QWidget | None = None,
        taken_over: EditingHandOver | None = None,
    ) -> None:
        """``taken_over``: (a language change) the undo steps and the place in the
        report editor of the window this one replaces (``hand_over_editing``)."""
        from ui import wrapped_label

        # its wrapped labels watched once it is painted (not before the first paint)
        with wrapped_label.deferred() as labels:
            self._build(session, identity, settings, parent, taken_over)
        self._unwatched_labels = labels

    def _build(self, session: Session, identity: Identity, settings: QSettings,
               parent: QWidget | None, taken_over: EditingHandOver | None) -> None:
        super().__init__(parent)
        self.session = session
        self.identity = identity
        self.setMenuBar(MenuBar())  # (before its menus are added)
        self._lost = 0  # changes a restore lost, as the last sync state said (HQ)
        self._lost_lines: list[str] = []  # which, in words (fieldplan.status.lost_lines)
        # (an office) of them, how many were sent in a bundle HQ never got, and how
        # many never sent
        self._sent_lost = self._never_sent = 0
        #: (HQ) the offices' events a restore lost, as the last sync state said
        #: (fieldplan.sync.state.offices_lost): ``lost_action`` ends their warning too
        self._offices_lost: list[dict] = []
        #: (HQ) the events of revoked computers a restore lost
        #: (fieldplan.sync.state.revoked_lost): their bundles may never be found
        self._revoked_lost: list[dict] = []
        #: changes made here headquarters has not acknowledged, as the last sync state
        #: said (what a computer set up again leaves behind to type again)
        self._unsent = 0
        self._replaced_by = ""  # (the key headquarters trusted in place of this one's)
        #: closing asks first when what is typed would be lost (ui.unkept): the question
        #: open, and the ways of closing that do not ask
        self._close_question = None
        self._handed_over = False
        self._closing_anyway = False
        #: the window was closed: what a look begun before (a drop's) finds is dropped
        self._closed = False
        #: (a language change) the report an amendment hid that the window this one
        #: replaces showed, and where the person was in it: shown once the view is
        #: restored (``restore_view_state``)
        self._gone_taken: tuple[GoneReport, EditorPlace | None] | None = None
        self.settings = settings
        # where the person was in this database is its own (ui.window_settings); an
        # earlier release's, kept for every database, becomes this one's
        # (written once the window is painted: asking for a write builds QEvent)
        window_settings.hold()
        window_settings.adopt_earlier(settings, identity)
        # (and those of databases long gone are forgotten: the file grew with each)
        window_settings.note_opened(settings, identity)
        self.period = identity.current_period()
        #: the period the window opened on by itself (``Identity.current_period``): one
        #: shown at closing other than it was the person's choice, which the next start
        #: restores; this one is not (by then another may be reported, or locked)
        self.opened_on = self.period
        #: the periods headquarters has locked (None until read: read_locked_periods)
        self.locked: frozenset[str] | None = None
        #: (HQ) the periods offices may hold otherwise than ``locked`` says: locking or
        #: unlocking them as they are shown here is offered all the same
        self.lost_locks: frozenset[str] = frozenset()
        #: what the status bar said of the last new plan (what it says of the locks the
        #: same import brought follows it)
        self._plan_said = ""
        #: what the status bar said of the last submit (an export then clears it)
        self._submit_said = ""
        if taken_over is not None:
            self.undo_stack = taken_over.undo_stack
            self.undo_stack.setParent(self)
        else:
            self.undo_stack = QUndoStack(self)
        self.setObjectName("MainWindow")
        # Qt adds " — fieldplan" (the application's display name) where the system
        # shows window titles
        self.setWindowTitle(window_title(identity))
        self.setAcceptDrops(True)
        # no smaller than the editor needs, nor larger than the screen less the frame
        # and title bar (a 1366×768 laptop at 150% has 911×512 to give)
        room = self.screen().availableGeometry().size() if self.screen() else None
        self.setMinimumSize(
            min(800, room.width() - FRAME_ROOM[0]) if room else 800,
            min(560, room.height() - FRAME_ROOM[1]) if room else 560,
        )

        self.tabs = _Tabs(self.go_to_tab)
        self.tabs.setDocumentMode(True)
        # (said with each page: its tab bar's tabs are named, the container was not)
        self.tabs.setAccessibleName(_("Pages"))
        self.office_view = OfficeView(session, identity, self.undo_stack)
        self.tabs.addTab(self.office_view, _("Pro&gress"))
        # the other pages are built when first shown: a fast first paint, and no
        # database work for pages nobody opens
        self._dashboard_tab = LazyTab(self._make_dashboard)
        self.tabs.addTab(self._dashboard_tab, _("&Dashboard"))
        self.hq_desk = None
        if identity.is_hq:
            # its filters and dividers kept as they change, as the place is
            self.hq_desk = HqDesk(session, identity, self.period,
                                  filters_changed=self.keep_place)
            pages = self.hq_desk.pages()
        else:
            # an office sees what it received and settles its own conflicts
            pages = [
                (inbox_tab(session), _("&Inbox")),
                (conflicts_tab(session, lambda: self.identity), _("&Conflicts")),
            ]
        self._inbox_tab = next(t for t, title in pages if title == _("&Inbox"))
        self._conflicts_tab = next(t for t, title in pages if title == _("&Conflicts"))
        for widget, title in pages:
            self.tabs.addTab(widget, title)
        #: the tabs shown so far (``_tab_changed``)
        self._tabs_shown = {self.office_view}
        self.tabs.currentChanged.connect(self._tab_changed)
        self.setCentralWidget(self.tabs)
        # the keyboard in the plan at a start, once the page is in the window (else on
        # the tab bar, first in the focus chain, where it shows nowhere, and Tab went on
        # to the Level filter); a tab restored (restore_view_state) takes it into its
        # own page. (No reason given: Qt's namespace waits for the first paint.)
        self.office_view.first_focus.setFocus()
        self._build_actions()
        if taken_over is not None:
            self._take_over_editing(taken_over)
            self._update_undo_actions()
        self._build_status_bar()
        self._sync_timer = QTimer(self)
        self._sync_timer.setInterval(SYNC_REFRESH_MS)
        self._sync_timer.timeout.connect(self.poll)
        self._outside_timer = QTimer(self)
        self._outside_timer.setInterval(OUTSIDE_CHECK_MS)
        self._outside_timer.timeout.connect(self.check_outside)
        self._outside_asked = False
        #: the session was closed under the window (``stop_looking``)
        self._looks_stopped = False
        session.changes_did_happen.connect(self._changes_did_happen)
        # a save the plan refused: the database may hold an amendment not shown yet
        self.office_view.editor.plan_did_refuse.connect(
            lambda: self.reread_plan(outside=True))
        session.op_did_fail.connect(self.show_error)
        session.notice_did_arrive.connect(self.show_error)  # a warning box too
        #: where the person is is written as it changes, once the window is painted (not
        #: while the place kept is being read and put back: ``keep_place``)
        self._keeping_place = False
        #: (keep_place) a moment after the last change: one write for a run of arrow keys
        #: through the plan, not one a key
        self._place_timer = QTimer(self)
        self._place_timer.setSingleShot(True)
        self._place_timer.setInterval(PLACE_WRITE_MS)
        self._place_timer.timeout.connect(self._write_place)
        self.office_view.tree.action_did_change.connect(self.keep_place)
        self.period_did_change.connect(self.keep_place)
        self.tabs.currentChanged.connect(self.keep_place)
        # (a drag is a signal a pixel: written once, after its last)
        self.office_view.splitter.splitterMoved.connect(self.keep_place)
        #: what was last written (``_write_place``): a change back and forth, a page
        #: read again (its report chosen again), writes nothing
        self._place_written: dict | None = None
        self.refresh_locks()
        if identity.is_hq:
            self._carry_deadlines()
        self.restore_geometry()
        # the sync state (which loads the signing code) is read once the window has
        # been painted: the first screen does not wait for it
        self._first_paint = FirstPaint(self, self._after_first_paint)

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        if visible and namespace_built():
            # (a window made again, for a language change: Qt's namespace is built) the
            # plan's rows laid out and painted once, at the size shown, as headings and
            # with their titles' lines: done after the first paint, as at a start, they
            # were laid out and painted (by Python, ui.title_delegate) three times
            self.office_view.tree.lock_headings()
            self.office_view.tree.wrap_titles()
        if visible:
            self._first_paint.start()
        else:
            self._first_paint.stop()

    @property
    def painted(self) -> bool:
        """Whether the window has been painted once and what waits for that is done
        (``was_painted`` was emitted): the Tab order, heading rows and keys a person
        finds on the window shown."""
        return self._first_paint.done

    def _after_first_paint(self) -> None:
        self._keeping_place = True  # (nothing the person chose comes before it)
        window_settings.release()
        from ui.wrapped_label import watch

        watch(self._unwatched_labels)  # (their Arabic painted whole from now on)
        self.statusBar().refit_on_layout()
        # babel's locale data read on a thread of its own (not the database worker,
        # which may be importing): not by the first number or date shown, a stall of
        # ~70 ms (e.g. in the result of bundles given as the window opens)
        import threading

        from fieldplan.i18n import warm_formats

        threading.Thread(target=warm_formats, name="warm-formats", daemon=True).start()
        # the chosen rows of the list or table with the keyboard in the selection's
        # colour, the others' muted: which one the arrows move is seen (ui.focus_shown)
        from ui.focus_shown import show_focused_view

        show_focused_view(QApplication.instance())
        # what needs Qt's namespace of enums (ui.qtcompat) and changes nothing on screen
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        # the status bar says file names and office names from now on (sync_text):
        # shown as written, never as HTML (a bundle named "<b><font color=red>URGENT")
        for label in (self.sync_label, self.office_label, self.save_state_label,
                      self.file_gone_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.office_view.tree.lock_headings()
        self.office_view.tree.wrap_titles()
        # the tree's filters end in "…" when cut, as headquarters' filters do (a paint
        # of Python's: not before the first one)
        from ui.combo import ElideWhenCut

        for combo in (self.office_view.tree.level, self.office_view.tree.status):
            ElideWhenCut(combo)
        bar = self.tabs.tabBar()
        bar.installEventFilter(_FocusedTab(bar))
        # the toolbar's ">>" (its buttons that a narrow window has no room for) said
        # by a screen reader as what it is, not as Qt's nameless button
        from PySide6.QtWidgets import QToolButton

        more = self.toolbar.findChild(QToolButton, "qt_toolbar_ext_button")
        if more is not None:
            more.setAccessibleName(_("More toolbar buttons"))
            more.setToolTip(_("More toolbar buttons"))
        # the report's pane is no stop of its own when tabbing, from the first screen
        # on (it was one, showing no focus, until an action was chosen)
        self.office_view.editor.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # View ▸ Larger list and Smaller list, with the arrows of the page shown
        self._show_divider_actions()
        elider = _ElideOnResize(self)
        self.sync_label.installEventFilter(elider)
        self.statusBar().installEventFilter(elider)
        if not self._looks_stopped:
            self._sync_timer.start()
            self.check_outside()  # where the database stands, to compare with
            self._outside_timer.start()
        # no looks while nobody can see the window (minimised, hidden): a laptop on
        # battery, the window open all day, was woken every 2 seconds for them
        self.windowHandle().visibilityChanged.connect(self._visibility_changed)
        from PySide6.QtGui import QGuiApplication

        app = QGuiApplication.instance()
        app.applicationStateChanged.connect(self._application_state_changed)
        self._application_state_changed(app.applicationState())
        self.refresh_sync_state()
        # what an earlier session could not save is retried (ui.drafts)
        self.office_view.editor.resume_drafts()
        set_app_icon()
        # what the core noted while the database opened, before this window listened
        # (old backups removed on a full disk to make room for a migration's backup)
        unheard = self.session.take_unheard_notices()
        if unheard:
            self.show_error("\n".join(unheard))
        emit(self.was_painted)

    def _on_language_in_use(self, menu: QMenu) -> None:
        """(the Language menu opens) The language in use highlighted, once Qt has
        highlighted the first (English) on a menu opened by the keyboard: Enter then
        changed nothing, and the arrows start from it. Not on one opened by the mouse,
        which highlights none."""
        from PySide6.QtCore import QTimer

        def highlight() -> None:
            checked = self.language_group.checkedAction()
            if (shiboken6.isValid(menu) and menu.isVisible()
                    and menu.activeAction() is not None and checked is not None):
                menu.setActiveAction(checked)

        QTimer.singleShot(0, menu, highlight)

    def _warm_languages(self) -> None:
        """(the Language menu opens) The other languages' catalogs and locale data
        loaded on a thread of their own while the person chooses: a change to a
        language not loaded yet compiled its catalog on the GUI thread (0.1 s the
        first time) before the window was made again."""
        import threading

        from fieldplan.i18n import LANGUAGES, get_language, warm_language

        others = [code for code in LANGUAGES if code not in ("en", get_language())]

        def warm() -> None:
            for code in others:
                warm_language(code)

        threading.Thread(target=warm, name="warm-languages", daemon=True).start()

    def _make_dashboard(self) -> Dashboard:
        from ui.dashboard import Dashboard

        dashboard = Dashboard(self.session, self.identity)
        dashboard.set_period(self.period)
        dashboard.report_was_asked.connect(self.open_report)
        return dashboard

    def _tab_changed(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, LazyTab):
            tab.page()
        if tab not in self._tabs_shown:
            self._tabs_shown.add(tab)
            # shown for the first time (built just now, or by a look at it): Qt moved
            # the focus to the bare tab, or, from a field of the page left, to the first
            # widget of this one's focus chain (the Inbox's one-line Gaps list): to
            # the one the page starts in. Shown again, Qt puts it back where it was.
            focused = QApplication.focusWidget()
            if focused is None or focused is tab or tab.isAncestorOf(focused):
                first = _first_focusable(tab)
                if first is not None and first is not focused:
                    first.setFocus(Qt.FocusReason.TabFocusReason)
        self._show_divider_actions()

    def _page_shown(self) -> QWidget | None:
        """The page of the tab shown (None: one not built yet)."""
        tab = self.tabs.currentWidget()
        if isinstance(tab, LazyTab):
            tab = tab.page() if tab.built() else None
        return tab

    def _list_splitter(self):
        """The splitter of the page shown between its list and the rest, if any."""
        from ui.panes import list_splitter

        return list_splitter(self._page_shown())

    def _show_divider_actions(self) -> None:
        """View ▸ Larger list and Smaller list: for the page shown, with its arrows
        (the divider's direction, mirrored right to left); again whenever its list
        comes into sight or goes (ui.panes.watch_list_splitter)."""
        from ui.panes import divider_keys, watch_list_splitter

        watch_list_splitter(self._page_shown(), self._show_divider_actions)
        splitter = self._list_splitter()
        for action, larger in ((self.larger_list_action, True),
                               (self.smaller_list_action, False)):
            action.setEnabled(splitter is not None)
            keys = divider_keys(splitter, larger)
            action.setShortcuts([keys] if not keys.isEmpty() else [])

    def move_divider(self, larger: bool) -> bool:
        """(View ▸ Larger list, Smaller list) One step more room for the list of the
        page shown, or less; whether the divider moved."""
        from ui.panes import move_divider

        splitter = self._list_splitter()
        moved = splitter is not None and move_divider(splitter, larger)
        if moved:
            self.keep_place()  # (Qt says only a drag by mouse: splitterMoved)
        return moved

    @property
    def dashboard(self) -> Dashboard:
        return self._dashboard_tab.page()

    @property
    def inbox(self):
        return self._inbox_tab.page()

    @property
    def conflicts(self):
        return self._conflicts_tab.page()

    def show_page(self, page: QWidget) -> None:
        """Bring the tab holding ``page`` to the front."""
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if tab is page or (isinstance(tab, LazyTab) and tab.built() and tab.page() is page):
                self.tabs.setCurrentIndex(i)
                return

    # actions -------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable, shortcut=None, tip: str = "") -> QAction:
        # QAction(text, parent) would make PySide build QIcon (an overload takes one)
        action = QAction(self)
        action.setText(text)
        if shortcut is not None:
            # setShortcuts: setShortcut's overloads make PySide build the Qt namespace
            keys = QKeySequence(shortcut)
            action.setShortcuts([keys] if not keys.isEmpty() else [])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        std = QKeySequence.StandardKey
        #: the actions that write to the database, each with its tip, besides Submit
        #: and the locks (``_show_period``): disabled on a database opened read-only
        self._writing: list[tuple[QAction, str]] = []
        self.import_action = self._action(
            _("&Import bundles…"),
            self.import_dialog,
            std.Open,
            # the file ending kept whole in Arabic: its period was drawn after it,
            # "fieldplan." (a tip, and the status bar as the menu item is chosen)
            isolated_paths(_("Import .fieldplan files from other offices"), [".fieldplan"]),
        )
        self.export_action = self._action(
            _("&Export…"),
            self.export_dialog,
            "Ctrl+E",
            _("Write a bundle to a folder or removable drive"),
        )
        self.email_action = self._action(
            _("Prepare for e&mail…"),
            self.email_dialog,
            "Ctrl+Shift+E",
            _("Save a bundle to attach to an email"),
        )
        self.quit_action = self._action(_("&Quit"), self.close)
        # the platform's Quit keys, and Ctrl+Q where it has none (Windows): closing
        # loses nothing (what is typed is saved, or the window asks)
        self.quit_action.setShortcuts(QKeySequence.keyBindings(std.Quit)
                                      or [QKeySequence("Ctrl+Q")])
        # the one undo of the window, also what Ctrl+Z does inside the report's fields
        self.undo_action = self._action(_("&Undo"), self.undo)
        self.undo_action.setShortcuts(QKeySequence.keyBindings(std.Undo))
        self.redo_action = self._action(_("&Redo"), self.redo)
        self.redo_action.setShortcuts(QKeySequence.keyBindings(std.Redo))
        editor = self.office_view.editor
        editor.use_window_undo(self.undo_action, self.redo_action)
        for signal in (self.undo_stack.indexChanged, editor.edits_did_change):
            signal.connect(self._update_undo_actions)
        self._update_undo_actions()
        # the report saves as it is typed; Ctrl+S, pressed out of habit, saves at once
        # and says so (nothing happened before: was it saved?)
        self.save_action = self._action(
            _("Save &now"), self.save_now, std.Save,
            _("Save what was just typed (fieldplan also saves as you type)"))
        # not Ctrl+Shift+S, which it had: the system's Save as (the report preview's
        # too); pressed for it while the main window was active (a preview opened
        # behind it), it asked to submit, and Enter then submitted. Ctrl+Shift+Enter is
        # no other program's, nor typed by accident in the report's fields
        self.submit_action = self._action(
            _("&Submit period…"),
            self.submit_dialog,
            "Ctrl+Shift+Return",
            _("Mark this period's draft reports submitted"),
        )
        # the keypad's Enter too: Qt tells the two keys apart
        self.submit_action.setShortcuts([QKeySequence("Ctrl+Shift+Return"),
                                         QKeySequence("Ctrl+Shift+Enter")])
        self._submit_tip = self.submit_action.toolTip()
        self._writing += [(a, a.toolTip()) for a in (self.import_action, self.save_action)]
        self.about_action = self._action(_("&About fieldplan"), self.about)
        # what headquarters asks for on the phone before it trusts this computer's key
        self.own_key_action = self._action(
            _("This computer's &key…"),
            self.own_key_dialog,
            tip=_("The fingerprint headquarters checks before it trusts this computer"),
        )
        self.own_key_action.setObjectName("own-key-action")
        self.sheet_action = self._action(
            _("Status &sheet…"),
            lambda: self.report_dialog("sheet"),
            std.Print,
            _("Preview, print or save a status sheet"),
        )
        self.sheet_action.setObjectName("report-sheet-action")
        self.pack_action = None
        if self.identity.is_hq:
            self.pack_action = self._action(
                _("Semester &review pack…"),
                lambda: self.report_dialog("pack"),
                tip=_("Preview, print or save the semester review pack"),
            )
            self.pack_action.setObjectName("report-pack-action")
        # progress as a spreadsheet, as `fieldplan data export` writes it; Alt+T: the
        # File menu's other letters are I, E, M, S, R, Q (fr: I, E, C, F, R, Q)
        self.table_action = self._action(
            _("Export &table…"),
            self.table_dialog,
            tip=_("Save progress as an Excel workbook, a CSV or an HXL file"),
        )
        self.table_action.setObjectName("export-table-action")
        # (an office) shown once headquarters revoked this computer's key: its way on
        self.again_action = self._action(
            _("Set this computer &up again…"),
            self.set_up_again_dialog,
            tip=_("Headquarters revoked this computer's key: set it up again from a new "
                  "setup bundle"),
        )
        self.again_action.setObjectName("set-up-again-action")
        self.again_action.setVisible(False)

        menu = self.menuBar().addMenu(_("&File"))
        for a in (self.import_action, self.export_action, self.email_action):
            menu.addAction(a)
        menu.addAction(self.again_action)
        menu.addSeparator()
        menu.addAction(self.sheet_action)
        if self.pack_action is not None:
            menu.addAction(self.pack_action)
        menu.addAction(self.table_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        menu = self.menuBar().addMenu(_("&Edit"))
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        menu.addSeparator()
        menu.addAction(self.save_action)
        # Alt+letter: the menu titles and the tabs each have their own
        # (tests/ui/test_mnemonics.py)
        menu = self.menuBar().addMenu(_("&Period"))
        # the toolbar's period by keyboard (Alt+P, C): its label has no letter of its
        # own (every letter of "Period" answers a menu or a tab), and Tab reached it
        # only after every field of the report
        self.choose_period_action = self._action(
            _("&Choose the period…"), self.choose_period,
            tip=_("Choose the semester the window shows"))
        self.choose_period_action.setObjectName("choose-period-action")
        menu.addAction(self.choose_period_action)
        menu.addSeparator()
        menu.addAction(self.submit_action)
        if self.identity.is_hq:
            self.lock_action = self._action(_("&Lock period…"), lambda: self.lock_dialog(True))
            self.unlock_action = self._action(_("&Unlock period…"), lambda: self.lock_dialog(False))
            menu.addAction(self.lock_action)
            menu.addAction(self.unlock_action)
            self.enrol_action = self._action(
                _("&Enrol an office…"),
                self.enrol_dialog,
                tip=_("Write the setup bundle a new office starts from"),
            )
            # the plan as a file, as `fieldplan plan export` / `plan import` (ui.plan_files)
            self.export_plan_action = self._action(
                _("E&xport the plan…"),
                self.export_plan_dialog,
                tip=_("Save the installed plan as a CSV, JSON or TOML file"),
            )
            self.export_plan_action.setObjectName("export-plan-action")
            self.replace_plan_action = self._action(
                _("Replace the &plan…"),
                self.replace_plan_dialog,
                tip=_("Install a new version of the plan from a CSV, JSON or TOML file"),
            )
            self.replace_plan_action.setObjectName("replace-plan-action")
            menu = self.menuBar().addMenu(_("Headq&uarters"))
            menu.addAction(self.enrol_action)
            menu.addSeparator()
            menu.addAction(self.export_plan_action)
            menu.addAction(self.replace_plan_action)
            menu.addSeparator()
            self._writing += [(a, a.toolTip()) for a in (
                self.enrol_action, self.replace_plan_action)]
        # after a restore from a backup: shown while it says what was lost (at HQ what
        # offices report it lost, at an office what was typed after it and never sent)
        self.lost_action = self._action(
            _("Changes lost in the &restore made again…"),
            self.dismiss_lost_dialog,
            tip=_("Stop warning about the changes the restore lost, once they are made "
                  "again"),
        )
        self.lost_action.setObjectName("dismiss-lost-action")
        self.lost_action.setVisible(False)
        if not self.identity.is_hq:
            menu.addSeparator()  # (the Period menu: the office types them again there)
        menu.addAction(self.lost_action)
        self._writing.append((self.lost_action, self.lost_action.toolTip()))
        view = self.menuBar().addMenu(_("&View"))
        for i in range(self.tabs.count()):
            title = self.tabs.tabText(i)
            act = self._action(
                title, lambda i=i: self.go_to_tab(i), f"Ctrl+{i + 1}" if i < 9 else None
            )
            view.addAction(act)
        # the divider between a page's list and its report, moved by keyboard too (Qt's
        # splitters move by mouse only); the keys set for the page shown (ui.panes)
        view.addSeparator()
        self.larger_list_action = self._action(
            _("&Larger list"), lambda: self.move_divider(larger=True),
            tip=_("Move the divider to give the list on this page more room"))
        self.larger_list_action.setObjectName("larger-list-action")
        self.smaller_list_action = self._action(
            _("S&maller list"), lambda: self.move_divider(larger=False),
            tip=_("Move the divider to give what is beside or below the list more room"))
        self.smaller_list_action.setObjectName("smaller-list-action")
        view.addAction(self.larger_list_action)
        view.addAction(self.smaller_list_action)
        view.aboutToShow.connect(self._show_divider_actions)  # (their keys: first paint)
        # the status bar's sync words in full: a narrow window shortens them, and what
        # they leave out was only in a tooltip, which the keyboard does not reach
        self.sync_details_action = self._action(
            _("&Sync details…"), self.sync_details_dialog,
            tip=_("What the status bar says of sending and receiving, in full"))
        self.sync_details_action.setObjectName("sync-details-action")
        view.addSeparator()
        view.addAction(self.sync_details_action)
        # the same for the red words of what is not saved, and what to do about it
        self.save_details_action = self._action(
            _("Sa&ving details…"), self.save_details_dialog,
            tip=_("What the status bar says of what is not saved, in full"))
        self.save_details_action.setObjectName("save-details-action")
        self.save_details_action.setEnabled(False)
        view.addAction(self.save_details_action)
        # the text set aside: of reports the plan no longer has (an amendment since it
        # was typed), typed in another database, or that this version cannot show (a
        # field it has not, a value of another kind): to read, copy and discard, which
        # ends the red message
        self.aside_action = self._action(
            _("Te&xt set aside…"), self.aside_dialog,
            tip=_("Read, copy or discard the text set aside: typed in reports the plan "
                  "no longer has or in another database, or that this version of "
                  "fieldplan cannot show"))
        self.aside_action.setObjectName("aside-action")
        self.aside_action.setEnabled(False)
        view.addAction(self.aside_action)
        settings = self.menuBar().addMenu(_("&Settings"))
        lang_menu = settings.addMenu(_("&Language"))
        # the language in use is the checked one of an exclusive group
        self.language_group = QActionGroup(self)
        current = get_language()
        for code in LANGUAGES:
            # each name in its own language, with its own first letter (E, F, and
            # alef, under an Arabic keyboard)
            act = self._action(
                "&" + LANGUAGE_NAMES[code], lambda c=code: emit(self.language_did_change, c)
            )
            act.setCheckable(True)
            act.setChecked(code == current)
            act.setData(code)
            self.language_group.addAction(act)
            lang_menu.addAction(act)
        lang_menu.aboutToShow.connect(self._warm_languages)
        lang_menu.aboutToShow.connect(lambda menu=lang_menu: self._on_language_in_use(menu))
        help_menu = self.menuBar().addMenu(_("&Help"))
        help_menu.addAction(self.own_key_action)
        help_menu.addAction(self.about_action)
        # F10 goes to the menu bar as on Windows and Linux desktops (none of fieldplan's
        # keys is F10; Shift+F10 in a table opens its sort menu). A key in no menu: no
        # words of its own
        self.menu_bar_action = self._action(
            "", lambda: self.menuBar().enter_by_keyboard(), "F10")
        self.menu_bar_action.setObjectName("menu-bar-action")
        self.addAction(self.menu_bar_action)

        self.toolbar = bar = QToolBar(_("Main toolbar"))
        bar.setObjectName("main-toolbar")
        # text only (set after the first paint; actions without icons show their text)
        self.addToolBar(bar)
        period_label = QLabel(_("Period") + " ")
        self.period_combo = QComboBox()
        self.period_combo.setAccessibleName(_("Period"))
        # as wide as its longest item, also once a period is marked locked
        self.period_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for p in self.identity.periods():
            self.period_combo.addItem(self._period_text(p), p)
        self.period_combo.setCurrentIndex(self.period_combo.findData(self.period))
        self.period_combo.currentIndexChanged.connect(
            lambda _i: self.set_period(self.period_combo.currentData())
        )
        period_label.setBuddy(self.period_combo)
        bar.addWidget(period_label)
        bar.addWidget(self.period_combo)
        bar.addSeparator()
        # the toolbar's words are short, so that Submit, Undo and Redo stay in sight
        # at the window's minimum width in French too (the menus have the long ones)
        short_words = {
            self.import_action: ("Import", pgettext("toolbar", "Import")),
            self.export_action: ("Export", pgettext("toolbar", "Export")),
            self.email_action: ("Email", pgettext("toolbar", "Email")),
            self.submit_action: ("Submit", pgettext("toolbar", "Submit")),
        }
        for a in (
            self.import_action,
            self.export_action,
            self.email_action,
            self.submit_action,
            self.undo_action,
            self.redo_action,
        ):
            english, short = short_words.get(a, ("", ""))
            # a catalog without the short word keeps the long one in its own
            # language rather than show an English word
            if short and (short != english or get_language() == "en"):
                a.setIconText(short)
            bar.addAction(a)
        self._show_writable()

    def _show_writable(self) -> None:
        """The actions that write, disabled on a database opened read-only and saying
        why (Export, the reports and printing work there: they write elsewhere)."""
        for action, tip in self._writing:
            allow_writes(action, self.identity, tip=tip)

    # undo ----------------------------------------------------------------------------
    def undo(self) -> None:
        """Undo the last save; typing not saved yet is saved first and is what goes,
        and typing that cannot be saved (refused) is taken away alone
        (``ReportEditor.undo_refused_typing``). Not while a save of the report failed
        (``ReportEditor.undo_blocked``)."""
        editor = self.office_view.editor
        if not editor.undo_blocked():
            editor.save_now()
            if editor.undo_refused_typing():
                return
        self._step(self.undo_stack.undo)

    def redo(self) -> None:
        self._step(self.undo_stack.redo)  # (new typing, saved first, ends what can be redone)

    def _step(self, move) -> None:
        """Undo or redo (``move``), the typing saved first, the failed saves then off the
        stack; nothing while a save of the report failed."""
        editor = self.office_view.editor
        if editor.undo_blocked():
            return
        editor.save_now()
        move()
        editor.drop_obsolete()

    def _update_undo_actions(self, *_args) -> None:
        stack, editor = self.undo_stack, self.office_view.editor
        blocked = editor.undo_blocked()
        self.undo_action.setEnabled(not blocked and (stack.canUndo() or editor.dirty()))
        self.redo_action.setEnabled(not blocked and stack.canRedo())
        undo, redo = stack.undoText(), stack.redoText()
        self.undo_action.setToolTip(
            blocked or (_("Undo: {what}").format(what=undo) if undo else _("Undo")))
        self.redo_action.setToolTip(
            blocked or (_("Redo: {what}").format(what=redo) if redo else _("Redo")))

    def _build_status_bar(self) -> None:
        from PySide6.QtWidgets import QSizePolicy

        self.setStatusBar(StatusBar(self))

        self.role_label = QLabel(self.identity.role_text())
        self.office_label = QLabel(in_layout_direction(self.identity.office_text()))
        self.period_label = QLabel()
        self.sync_label = QLabel(_("Sync: …"))
        self._sync_words = self.sync_label.text()
        self._sync_whole = self._sync_words  # (show_sync)
        self._sync_short = ""  # (show_sync)
        self._sync_keep = ("", "")  # (show_sync)
        self._sync_lines: list[str] = []  # what the sync words' tip adds to them
        self._save_failed = False  # the save state shows a failure (announced once)
        #: the save state's words whole (the label may show them shortened), and the
        #: lines View ▸ Saving details… shows
        self._save_words = ""
        #: those words as a narrow status bar says them (ReportEditor.short_save_words)
        self._save_short = ""
        self._save_lines: list[str] = []
        # the sync words take the room the others leave and are shortened to it (with
        # "…"), never widening the window: their counts come first (sync_text)
        self.sync_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.sync_label.setContentsMargins(6, 0, 6, 0)
        self.statusBar().addWidget(self.sync_label, 1)
        # beside the sync words that say the key is revoked: the way on, in sight
        self.again_button = QPushButton(_("Set up again…"))
        self.again_button.setObjectName("set-up-again-button")
        self.again_button.setToolTip(self.again_action.toolTip())
        self.again_button.clicked.connect(lambda _checked=False: self.set_up_again_dialog())
        self.again_button.setVisible(False)
        self.statusBar().addWidget(self.again_button)
        # the database file deleted, moved or replaced while open (``_show_file_gone``):
        # first, in red, as long as it lasts
        self.file_gone_label = QLabel()
        self.file_gone_label.setObjectName("file-gone")
        self.file_gone_label.setStyleSheet("color: #a40000; font-weight: bold;")
        self.file_gone_label.setContentsMargins(6, 0, 6, 0)
        self.file_gone_label.setVisible(False)
        self.statusBar().addPermanentWidget(self.file_gone_label)
        # what is not saved yet (a busy or locked database): first, in red, never
        # shortened away; hidden while everything typed is saved
        self.save_state_label = ShortenedLabel()
        self.save_state_label.setObjectName("save-state")
        self.save_state_label.setStyleSheet("color: #a40000; font-weight: bold;")
        self.save_state_label.setContentsMargins(6, 0, 6, 0)
        self.save_state_label.setVisible(False)
        # Translators: a screen reader's name for the status bar's note of what is not
        # saved yet (or what was recovered)
        self.save_state_label.setAccessibleName(_("Saving"))
        self.statusBar().addPermanentWidget(self.save_state_label)
        # beside the red message that text is set aside: the way to deal with it
        self.aside_button = QPushButton(_("Text set aside…"))
        self.aside_button.setObjectName("aside-button")
        self.aside_button.setToolTip(self.aside_action.toolTip())
        self.aside_button.clicked.connect(lambda _checked=False: self.aside_dialog())
        self.aside_button.setVisible(False)
        self.statusBar().addPermanentWidget(self.aside_button)
        self.office_view.editor.save_state_did_change.connect(self._show_save_state)
        self.save_state_label.linkActivated.connect(self._open_linked_report)
        for w in (self.role_label, self.office_label, self.period_label):
            w.setContentsMargins(6, 0, 6, 0)
            self.statusBar().addPermanentWidget(w)
        self.sync_label.setAccessibleName(_("Sync state"))
        self._show_period()

    def _show_save_state(self, text: str, details: str, is_error: bool) -> None:
        # red for what is not saved; plain for a notice (what an earlier session left,
        # saved now)
        self.save_state_label.setStyleSheet(
            "color: #a40000; font-weight: bold;" if is_error else "")
        # a failure that was not on show is announced (a screen reader says it now),
        # not only painted red in a corner
        newly_failed = bool(text) and is_error and not self._save_failed
        self._save_failed = bool(text) and is_error
        recovered = self.office_view.editor.recovered_saved if text and not is_error else []
        if recovered:  # each report a link that opens it, by mouse or keyboard (Tab, Enter)
            text = recovered_text(recovered, links=True)
        self.save_state_label.setTextFormat(
            Qt.TextFormat.RichText if recovered else Qt.TextFormat.PlainText)
        # reached by Tab: its links (recovered reports), or a failure with what it
        # says in full (which reports, why) read with it, not only in a tooltip
        self.save_state_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard if recovered
            else Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard if is_error
            else Qt.TextInteractionFlag.NoTextInteraction)
        self.save_state_label.setFocusPolicy(
            Qt.FocusPolicy.StrongFocus if recovered or (text and is_error)
            else Qt.FocusPolicy.NoFocus)
        self.save_state_label.setText(in_layout_direction(text) if text else "")
        self._save_words = self.save_state_label.text()
        short = self.office_view.editor.short_save_words if is_error else ""
        self._save_short = in_layout_direction(short) if short else self._save_words
        # what the status bar has no room for: its words whole, then what they stand
        # for (each report, why), as the tooltip says them
        self._save_lines = [*text.split(SYNC_SEPARATOR),
                            *(line for line in details.split("\n") if line
                              and line not in text)] if text else []
        self.save_details_action.setEnabled(bool(text))
        aside = bool(self.office_view.editor.aside_reports())
        self.aside_action.setEnabled(aside)
        self.aside_button.setVisible(aside)
        self._elide_save_state()
        self.save_state_label.setToolTip(tip_text(details))
        self.save_state_label.setAccessibleDescription(details)
        self.save_state_label.setVisible(bool(text))
        if newly_failed:
            from ui.dialogs import announce

            announce(self.save_state_label)

    def _open_linked_report(self, link: str) -> None:
        report = linked_report(link)
        if report is not None:
            self.open_report(*report)

    def open_report(self, action: str, period: str) -> None:
        """Show a report in the editor (the Progress tab), as the view is restored at
        start: its period, then its action; the keyboard in its first field."""
        if period in self.identity.periods():
            self.set_period(period)
        self.office_view.select_action(action)
        self.show_page(self.office_view)
        first = _first_focusable(self.office_view.editor)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def show_sync(self, text: str, short: str = "", whole: str = "",
                  keep: tuple[str, str] = ("", "")) -> None:
        """Put ``text`` in the status bar, shortened to the room there is; ``short``:
        the same in fewer words, shown when ``text`` does not fit (its tip says it
        whole); ``whole``: the same with its dates and times never broken across lines,
        for View ▸ Sync details… (``sync_text``; default ``text``); ``keep``: the item
        of ``text`` and of ``short`` that is never shortened away (``elide_keeping``:
        a new office's deadline)."""
        self._sync_words = text
        self._sync_whole = whole or text
        self._sync_short = short
        self._sync_keep = keep
        self._sync_lines = []
        self.sync_label.setToolTip(tip_text(text))
        self.sync_label.setAccessibleDescription(text)
        self._elide_sync()

    def sync_details(self) -> str:
        """The sync words whole, one item a line, then what their tip adds."""
        return "\n".join([*self._sync_whole.split(SYNC_SEPARATOR), *self._sync_lines])

    def sync_details_dialog(self) -> MessageDialog:
        """(View ▸ Sync details…) The sync words whole, to read and copy by keyboard:
        the status bar has room for the first ones only in a narrow window."""
        from ui.dialogs import MessageDialog, reached_by_tab

        dialog = MessageDialog(self, _("Sync state"), self.sync_details())
        dialog.setObjectName("sync-details-dialog")
        reached_by_tab(dialog.text)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        return dialog

    def save_details_dialog(self) -> MessageDialog:
        """(View ▸ Saving details…) What the status bar says of what is not saved,
        whole, to read and copy by keyboard: which reports, why, and what to do."""
        from ui.dialogs import MessageDialog, reached_by_tab

        # (the status bar says nothing then: the menu item is disabled, but a dialog
        # with nothing in it was still a stop of Tab that said nothing)
        text = ("\n".join(in_layout_direction(line) for line in self._save_lines)
                or _("Everything typed is saved."))
        dialog = MessageDialog(self, _("Saving"), text)
        dialog.setObjectName("save-details-dialog")
        reached_by_tab(dialog.text)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.open()
        return dialog

    def aside_dialog(self) -> QWidget | None:
        """(Text set aside…) The text set aside (from reports the plan no longer has,
        typed in another database, or that this version cannot show), to read, copy and
        discard (``ReportEditor.aside_dialog``)."""
        return self.office_view.editor.aside_dialog()

    def _elide_sync(self) -> None:
        """The sync words in the room there is: whole items dropped from the end (the
        times, after the counts that need a person), "…" in their place; never a
        clause cut in its middle ("…202/12/05" read as another date in Arabic). The
        tooltip says it all."""
        label = self.sync_label
        room, width = label.contentsRect().width(), label.fontMetrics().horizontalAdvance
        words, keep = self._sync_words, self._sync_keep[0]
        if self._sync_short and width(words) > room:
            # (a new office's deadline for its first bundle: 1,300 px of French, its
            # date dropped with it, behind a conflict's count, in a laptop's status bar)
            words, keep = self._sync_short, self._sync_keep[1]
        label.setText(elide_keeping(words, keep, room, width))

    def _elide_save_state(self) -> None:
        """The save state's red words painted in the room the status bar has for them
        (its text stays whole: ShortenedLabel): all of it but what the period, office
        and role take, and a third left for the sync words and the notices shown there
        (a lock received). Shortened as the sync words are; whole in its tooltip and in
        View ▸ Saving details…. (At 1024 pixels, French, it was cut off at the bar's
        edge, and left the notices two words.) Where it does not fit, its short words
        (``ReportEditor.short_save_words``) take some of the sync words' third."""
        label, text = self.save_state_label, self._save_words
        if label.textFormat() == Qt.TextFormat.RichText or not text:
            label.set_shown(None)  # (a notice with links, short: never shortened)
            return
        bar = self.statusBar()
        others = sum(w.sizeHint().width() for w in (
            self.file_gone_label, self.aside_button, self.role_label, self.office_label,
            self.period_label) if not w.isHidden())
        # (the spacing between the widgets, and the size grip)
        room = bar.width() - others - bar.width() // 3 - 6 * bar.layout().spacing() - 24
        label.ensurePolished()  # (its bold font, from its style sheet)
        margins = label.contentsMargins()
        room -= margins.left() + margins.right()
        room = max(room, label.fontMetrics().averageCharWidth() * 12)
        width = label.fontMetrics().horizontalAdvance
        shown = elide_items(text, room, width)
        if shown != text and self._save_short not in ("", text):
            # too narrow (the narrowest window showed "PA1.1 …" of text set aside):
            # the long words said short, and room taken from the sync words, which
            # keep an eighth of the bar (View ▸ Sync details… says them whole)
            shown = elide_items(self._save_short,
                                room + max(0, bar.width() // 3 - bar.width() // 8), width)
        label.set_shown(None if shown == text else shown)

    def _period_text(self, period: str) -> str:
        return period_text(period, self.locked is not None and period in self.locked)

    def _show_period(self) -> None:
        """The period shown, and whether it is locked, in the status bar; the actions
        that apply to it."""
        locked = self.locked is not None and self.period in self.locked
        self.period_label.setText(self._period_text(self.period))
        # the report editor's words for it (its fields are read-only then)
        tip = locked_period_text(self.identity.is_hq) if locked else ""
        self.period_label.setToolTip(tip)
        self.period_label.setAccessibleDescription(tip)
        known = self.locked is not None
        # a locked period's drafts cannot be submitted (the core refuses it)
        allow_writes(self.submit_action, self.identity, not locked, self._submit_tip)
        if self.identity.is_hq:
            # until the locks are read, both: the dialog reads the state itself
            lost = self.period in self.lost_locks  # (offices may hold it otherwise)
            # a disabled one says why (its tip said only its own name)
            allow_writes(self.lock_action, self.identity, not locked or lost,
                         "" if not locked or lost else
                         _("{period} is already locked.").format(
                             period=format_period(self.period)))
            allow_writes(self.unlock_action, self.identity, locked or not known or lost,
                         "" if locked or not known or lost else
                         _("{period} is not locked.").format(period=format_period(self.period)))

    def _carry_deadlines(self) -> None:
        """(HQ) The review pack's deadlines an earlier release kept in this computer's
        window settings become the database's, for the periods it names none for (a
        day another computer named since stays), and leave the settings: nobody loses
        the day they set, and the command line and other computers see it."""
        settings, identity = self.settings, self.identity
        days = window_settings.kept_review_deadlines(settings, identity)
        if not days:
            return

        def keep(rep):
            from fieldplan.reports.deadlines import keep_deadlines

            return keep_deadlines(rep, days)

        # (not written, a database read-only for a moment: tried again at the next
        # opening; the Overview hears of the periods written as of a new day named)
        DbOp(self.session, self, keep).success(
            lambda _changes: window_settings.forget_review_deadlines(settings, identity)
        ).failure(lambda _error: None).run()

    # locks ---------------------------------------------------------------------------
    def refresh_locks(self) -> None:
        """Read which periods are locked (on the worker) and show it: the period
        chooser, the status bar, the Period menu. A failed read keeps what is shown
        (the next change or poll reads again)."""
        known = self.locked
        DbOp(self.session, self, lambda rep: read_locked_periods(rep, known)).success(
            self._show_locks).failure(lambda _e: None).run()

    def _show_locks(self, found: tuple[frozenset[str], frozenset[str], dict[str, int]],
                    ) -> None:
        locked, lost, drafts = found
        if lost != self.lost_locks:
            self.lost_locks = lost
            self._show_period()  # (the Period menu's actions)
        if locked == self.locked:
            return
        moved_to = ""
        if self.locked is not None and not self.identity.is_hq:
            # (an office) headquarters' lock or unlock came in, with an import: said
            # after what the status bar says of it (the new plan it brought, read first);
            # the window moves off a period locked now, or back to one unlocked now
            from ui.transfer import locks_note

            news = locks_note(sorted(locked - self.locked), sorted(self.locked - locked),
                              drafts=drafts)
            moved_to = self._period_after_lock(locked)
            if moved_to:
                # (after the lock's sentence, which names the period left)
                news = " ".join((news, _("{shown} is shown instead.").format(
                    shown=format_period(moved_to))))
            shown = self.statusBar().currentMessage()
            if shown and shown == self._plan_said:
                news = f"{shown} {news}"
            self.statusBar().showMessage(in_layout_direction(news), 15_000)
        self.locked = frozenset(locked)
        combo = self.period_combo
        for i in range(combo.count()):
            combo.setItemText(i, self._period_text(combo.itemData(i)))
        self._show_period()
        if moved_to:
            self.opened_on = moved_to  # (still not the person's choice)
            self.set_period(moved_to)

    def _period_after_lock(self, locked: frozenset[str]) -> str:
        """(an office) The period to show now that headquarters has locked or unlocked
        periods (``locked`` now), or "" to stay: the one a window opens on by itself
        (``Identity.current_period``, as at a start), when the window is on the period
        it opened on by itself (a period the person chose stays, as at a start) and
        either that period was locked now, or the one a start opens on was unlocked
        now (the period a lock moved the window off, or skipped at opening, is open
        again: the window goes back), unless the person is at its report (typing in it,
        or text typed not saved: the report then says the lock). A window open on
        1 July stayed on 2026-S1 once its lock came in, where nothing can be written,
        until the next start; and once moved to 2026-S2 by that lock, it stayed there
        when headquarters unlocked 2026-S1 again."""
        was = self.locked or frozenset()
        if self.period != self.opened_on:
            return ""
        period = replace(self.identity, locked=locked).current_period()
        if period == self.period or period in locked:
            return ""
        if self.period not in locked - was and period not in was - locked:
            return ""  # (neither the period shown locked now, nor a start's unlocked)
        if self.office_view.editor.person_at_it():
            return ""
        return period

    # the plan --------------------------------------------------------------------------
    def _changes_did_happen(self, changes) -> None:
        self.refresh_sync_state()
        if changes.touches("plan"):  # an import may have brought an amendment
            self.reread_plan()
        if changes.touches("lock"):  # a lock or unlock, or an import that brought one
            self.refresh_locks()  # (after the plan: its news follows the plan's)

    def _visibility_changed(self, visibility) -> None:
        """The window minimised or hidden: the minute's refresh and the look for other
        programs' writes stop (nobody sees what they would show). Back on screen: both
        done at once, then again as before."""
        from PySide6.QtGui import QWindow

        seen = visibility not in (QWindow.Visibility.Hidden, QWindow.Visibility.Minimized)
        if seen == self._outside_timer.isActive() or not self.painted or self._looks_stopped:
            return
        if not seen:
            self._sync_timer.stop()
            self._outside_timer.stop()
            return
        self.check_outside()
        self.poll()
        self._sync_timer.start()
        self._outside_timer.start()

    def _application_state_changed(self, state) -> None:
        """Another program in front: the look for other programs' writes less often;
        fieldplan back in front: one at once (what ``fieldplan import`` did in the
        terminal just left shows as the window comes up), then every few seconds."""
        active = state == Qt.ApplicationState.ApplicationActive
        interval = OUTSIDE_CHECK_MS if active else OUTSIDE_CHECK_AWAY_MS
        if interval == self._outside_timer.interval():
            return
        self._outside_timer.setInterval(interval)
        if active and self._outside_timer.isActive():
            self.check_outside()
            self._outside_timer.start()  # (the next after a whole interval)

    def stop_looking(self) -> None:
        """(its database found damaged: ui.app.Shell keeps the window, disabled and
        readable, behind the cannot-open dialog, and closes its session) No more
        looks at the database, every few seconds, every minute, nor as the window
        comes back in front or on screen: jobs of a closed session, which no worker
        runs, piled up with what they hold of the window while the dialog waited."""
        self._looks_stopped = True
        self._sync_timer.stop()
        self._outside_timer.stop()

    def poll(self) -> None:
        """(every minute) the sync state (its times move on), the locks and the plan,
        read again whatever ``check_outside`` found."""
        if self._looks_stopped:
            return
        self.refresh_sync_state()
        self.refresh_locks()  # (`fieldplan period lock` at headquarters)
        self.reread_plan(outside=True)
        self._follow_the_day()

    def _follow_the_day(self) -> None:
        """(an office, every minute and at a wake) The window on the period it opened
        on by itself goes where a start would open now (``Identity.current_period``),
        once the day has moved that on: left open all week, it stayed on 2026-S1 after
        its reports were due on 30 July, where a start opened on 2026-S2. Forward only
        (a clock gone back to 2000 for a moment moves nothing), not off a period the
        person chose, nor off a report they are at (a late report is still taken), as
        a lock imported moves it (``_period_after_lock``). Headquarters stays: it works
        on a semester past its deadline (its review), on the Overview too."""
        if self.identity.is_hq or self.locked is None or self.period != self.opened_on:
            return
        period = replace(self.identity, locked=self.locked).current_period()
        if period <= self.period or self.office_view.editor.person_at_it():
            return
        import datetime as dt

        from fieldplan.errors import ValidationError
        from fieldplan.i18n import format_date
        from fieldplan.reports import REPORTING_DAYS

        left = self.period
        try:
            due = format_date(self.identity.plan.period_bounds(left)[1]
                              + dt.timedelta(days=REPORTING_DAYS))
        except ValidationError:  # (a period the plan no longer has: said without it)
            due = ""
        self.opened_on = period  # (still not the person's choice)
        self.set_period(period)
        if due:
            # Translators: said in the status bar of a window left open for days, when
            # the day moves it on: "The reports on 1st semester 2026 were due by
            # 30 Jul 2026: 2nd semester 2026 is shown now."
            news = _("The reports on {left} were due by {date}: {shown} is shown now.").format(
                left=format_period(left), date=due, shown=format_period(period))
        else:
            news = _("{shown} is shown instead.").format(shown=format_period(period))
        self.statusBar().showMessage(in_layout_direction(news), 15_000)

    def check_outside(self) -> None:
        """(every few seconds) Whether another program wrote to the database
        (``fieldplan import`` on the command line while this window is open): what it
        changed is broadcast as this window's own writes are (``DbOp`` does it for a
        ``Changes`` result), and every view shows it. One check at a time: behind a
        long import on the worker, the next waits."""
        if self._looks_stopped:
            return
        # (each time, first: a file gone says so whatever else is found)
        DbOp(self.session, self, lambda rep: rep.file_gone()).success(
            self._show_file_gone).failure(lambda _e: None).run()
        if self._outside_asked:
            return
        self._outside_asked = True

        def over(_result: object = None) -> None:
            self._outside_asked = False

        DbOp(self.session, self, lambda rep: rep.outside_changes()).success(over).failure(
            over).run()

    def _show_file_gone(self, why: str) -> None:
        """The database file was deleted, moved or replaced while open
        (``Replica.file_gone``): said for as long as it is so. Every write is refused
        from then on (``Replica.check_file``): what is typed stays in the drafts
        journal, and closing asks first when that cannot be written either (its
        folder gone too)."""
        label = self.file_gone_label
        if bool(why) == label.isVisibleTo(self):  # (said once, the window shown or not)
            return
        if why:
            tip = "\n".join([
                isolated_codes(sentence(why)) + ".",
                _("What is typed from now on is kept in the drafts file beside it, if its "
                  "folder is still there: it is saved when fieldplan next opens the "
                  "database there. If it cannot be kept, closing the window asks first."),
            ])
            label.setText(in_layout_direction(
                _("The database file was deleted, moved or replaced: nothing typed now is "
                  "saved to it.")))
            label.setToolTip(tip_text(tip))
            label.setAccessibleDescription(tip)
        label.setVisible(bool(why))
        if why:
            from ui.dialogs import announce

            announce(label)

    def reread_plan(self, *, outside: bool = False) -> None:
        """Read the plan again on the worker; a new one is shown (``set_identity``).
        ``outside``: not after a change of this window's, which its views heard: they
        are told of it (``changes_did_happen``) as of any write. A failed read keeps
        what is shown, as ``refresh_locks`` does (the next change or poll reads again):
        said in a box, a drive that stopped answering put one more over the window
        every minute."""
        from ui.context import read_identity

        DbOp(self.session, self, read_identity).success(
            lambda identity: self._plan_read(identity, outside)).failure(
            lambda _e: None).run()

    def _plan_read(self, identity: Identity, outside: bool, said: str = "") -> None:
        # (what amendments added is no part of a plan's equality: an older version
        # that arrived late may change it alone)
        if identity.plan == self.identity.plan and (
                identity.plan.added, identity.plan.added_values) == (
                self.identity.plan.added, self.identity.plan.added_values):
            if identity != self.identity:
                # the same plan, a new replica id: another program's import renewed
                # this computer's identity (its database went back), which it said
                self.identity = identity
                emit(self.identity_did_change, identity)
            if said:  # shown already (the minute's poll came first): said all the same
                self.statusBar().showMessage(in_layout_direction(said), 15_000)
            return
        self.set_identity(identity, said)
        if outside:
            from fieldplan.replica import Changes

            # the views that read the plan themselves (HQ's reports) and what it hides
            emit(self.session.changes_did_happen,
                 Changes(entities=(("plan", identity.plan.id),)))

    def plan_did_install(self, identity: Identity, said: str) -> None:
        """This window installed a plan (ui.plan_files): shown as one read after
        another fieldplan's import, the status bar saying ``said`` first."""
        self._plan_read(identity, outside=True, said=said)

    def set_identity(self, identity: Identity, first: str = "") -> None:
        """Show a new plan (an amendment) everywhere: the same period and action
        while the plan has them, else the period nearest to the one shown and the
        action now in the old one's place; the status bar says what changed, after
        ``first`` (else "The plan is now version N.")."""
        from fieldplan.i18n import level_label

        old_period = self.period
        old_action = self.office_view.tree.current_action()
        self.identity = identity
        period = identity.nearest_period(old_period)
        if old_period == self.opened_on:
            # moved from the period the window opened on by itself (the plan ends
            # earlier now): no more the person's choice than that one was; the place
            # kept said it was, and the next start restored it as chosen
            self.opened_on = period
        combo = self.period_combo
        combo.blockSignals(True)
        combo.clear()
        for p in identity.periods():
            combo.addItem(self._period_text(p), p)
        combo.setCurrentIndex(combo.findData(period))
        combo.blockSignals(False)
        self.period = period
        self._show_period()
        self._show_writable()
        self.refresh_locks()  # (an import that brought the plan may have brought locks)
        kept = self.office_view.set_identity(identity, period)
        if self._dashboard_tab.built():
            self.dashboard.set_identity(identity, period)
        if self.hq_desk is not None:
            self.hq_desk.set_identity(identity)
            if period != old_period:
                self.hq_desk.set_period(period)
        elif self._conflicts_tab.built():
            self.conflicts.set_identity(identity)
        said = [first or _("The plan is now version {version}.").format(
            version=identity.plan.version)]
        if period != old_period:
            said.append(_("{period} is outside it: {shown} is shown.").format(
                period=format_period(old_period), shown=format_period(period)))
        if old_action is not None and not kept:
            moved = next((a for a in identity.plan.actions if a.code == old_action.code), None)
            if moved is None:
                said.append(_("{action} is no longer in it.").format(action=old_action.code))
            else:
                # Translators: {level} is a level name in lower case (national, regional,
                # global)
                said.append(_("{action} is now a {level} action.").format(
                    action=old_action.code, level=level_label(moved.level).lower()))
        self._plan_said = in_layout_direction(" ".join(said))
        self.statusBar().showMessage(self._plan_said, 15_000)
        if period != old_period:
            emit(self.period_did_change, period)
        # the action may have moved (renamed, dropped, another level) with the tree's
        # signals blocked: written as any change of place is, else a window killed
        # before the next change opened on an action the plan no longer has
        self.keep_place()
        emit(self.identity_did_change, identity)

    # period --------------------------------------------------------------------------
    def set_period(self, period: str) -> None:
        if not period or period == self.period:
            return
        self.period = period
        index = self.period_combo.findData(period)
        if index != self.period_combo.currentIndex():
            self.period_combo.setCurrentIndex(index)
        self._show_period()
        self.office_view.set_period(period)
        if self._dashboard_tab.built():
            self.dashboard.set_period(period)
        if self.hq_desk is not None:
            self.hq_desk.set_period(period)
        emit(self.period_did_change, period)

    def go_to_tab(self, index: int) -> None:
        """Tab ``index`` (View menu, Ctrl+1…), with the focus on its first field: it
        stayed where it was (on the tab bar: one more Tab before using the page)."""
        tab = self.tabs.widget(index)
        if isinstance(tab, LazyTab):
            tab.page()  # (built now: its first field known before it is shown)
        first = _first_focusable(tab)
        if first is not None and index != self.tabs.currentIndex():
            # given the keyboard first, then shown: Qt moved it from the page left to the
            # toolbar's Period list (next in the focus chain) as that page was hidden,
            # then into this page, each said by a screen reader
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.tabs.setCurrentIndex(index)
        if first is not None:
            first.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def choose_period(self) -> None:
        """The toolbar's period list, open, with the focus (Period ▸ Choose the
        period…): the arrows and Enter choose."""
        self.toolbar.show()  # (hidden from its context menu: the list opened at the top left)
        self.period_combo.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.period_combo.showPopup()

    def save_now(self) -> None:
        """Save the open report now (its own line then says "Saved."), or say that
        nothing was waiting."""
        editor = self.office_view.editor
        if not editor.save_now():
            self.statusBar().showMessage(
                _("Nothing waiting to be saved: fieldplan saves as you type."), 5000)
        else:
            editor.say_when_saved()

    def submit_dialog(self) -> None:
        """Ask to submit the period, saying what is still empty or in conflict, and what
        the report form warned of in the drafts."""
        from ui.dashboard import read_summary

        self.office_view.editor.save_now()
        period, ident = self.period, self.identity
        DbOp(self.session, self, lambda rep: read_summary(rep, ident, period)).success(
            self._confirm_submit
        ).run()

    def _confirm_submit(self, summary) -> None:
        period = summary.period
        if summary.drafts == 0:
            self.statusBar().showMessage(
                _("No draft reports to submit for {period}.").format(period=format_period(period)),
                8000,
            )
            return
        text = counted(
            "Submit {n} draft report for {period}? Submitted reports cannot be "
            "edited until they are reopened.",
            "Submit {n} draft reports for {period}? Submitted reports cannot be "
            "edited until they are reopened.",
            summary.drafts, period=format_period(period),
        )
        from fieldplan.i18n import format_date
        from fieldplan.progress import not_started_problem

        # a semester to come: most likely not the one meant (said, not refused: the
        # computer's date may be wrong); Enter does not submit
        # (each date whole on its line: an Arabic one broke after its "/", and read as
        # another date)
        not_started = not_started_problem(
            self.identity.plan, period, shown=lambda day: unbroken(format_date(day)))
        if not_started:
            text += "\n\n" + sentence(not_started)
        # reports two computers wrote differently: this laptop would submit the values
        # it shows, the other laptop's unseen. Said first, and Enter does not submit
        # (a report submitted already is not submitted again: not said)
        conflicts = summary.conflicts
        if conflicts:
            from ui.dashboard import conflict_lines

            text += "\n\n" + "\n".join([_("Still in conflict:"),
                                          *conflict_lines(summary, submitting=True)])
        # typing the core refuses (a number that is no number, a text too long) is
        # never saved: the reports would go without it, which nothing said
        from ui.drafts import journal_for

        journal = journal_for(self.session, self.identity)
        refused = sorted(action for action, p in journal.reports()
                         if p == period and journal.held((action, p)))
        if refused:
            text += "\n\n" + ngettext(
                "Typed but not saved, not being a valid value, so not submitted: {actions}. "
                "Correct it, or undo it, first.",
                "Typed but not saved, not being valid values, so not submitted: {actions}. "
                "Correct them, or undo them, first.", len(refused)).format(
                    actions=join_list(refused))
        # values whose save failed (another program writing the database), waiting in
        # the drafts file to be tried again: a submit the database takes first sends
        # the reports without them (they then wait for a reopen). Not those refused for
        # good (a report submitted already: the status bar says why) nor those the plan
        # refuses (on their way to the set-aside file)
        aside = journal.setting_aside()
        waiting = sorted(action for action, p in journal.reports()
                         if p == period and journal.values((action, p))
                         and action not in refused and (action, p) not in aside
                         and (action, p) not in journal.errors)
        if waiting:
            text += "\n\n" + ngettext(
                "Typed but not saved yet, so not submitted: {actions}. Submit once it is "
                "saved.",
                "Typed but not saved yet, so not submitted: {actions}. Submit once they are "
                "saved.", len(waiting)).format(actions=join_list(waiting))
        # what the report form warned of under a field (a fraction in a count, completed
        # at 50 %): saved as typed, but once submitted the form is read-only and says
        # it no more, so a value went unchecked though it had been warned of. Said, not
        # refused (the person may be right); Enter does not submit
        warnings = summary.warnings
        if warnings:
            text += "\n\n" + "\n".join([
                _("The report form warned of these: check them before submitting."),
                *(in_layout_direction(line) for line in warnings)])
        # what the submit concerns (a report submitted already is not submitted again);
        # each line starts with an action's code: read right to left in Arabic
        missing = summary.unsubmitted_missing
        details = "\n".join(in_layout_direction(line) for line in missing)
        if missing:
            text += "\n\n" + _("Still missing:")
        from ui.dialogs import ConfirmDialog

        # (as the lock dialog's warnings: Enter does not submit)
        dialog = ConfirmDialog(self, _("Submit period"), text, details, _("&Submit"),
                               cautious=bool(conflicts or refused or waiting or not_started
                                             or warnings))
        dialog.setObjectName("submit-dialog")
        dialog.accepted.connect(lambda: self._submit(period))
        dialog.open()

    def _submit(self, period: str) -> None:
        from fieldplan.progress import submit_period

        def said(changes) -> None:
            self._submit_said = self._submitted_text(len(changes.entities))
            self.statusBar().showMessage(self._submit_said, 15_000)

        DbOp(self.session, self, lambda rep: submit_period(rep, period)).success(
            said).failure(lambda e: self.show_error(error_sentence(e))).run()

    def _submitted_text(self, count: int) -> str:
        """What a submit did. At an office, also that it sent nothing: a new officer
        read "3 reports submitted." as sent to headquarters, and exported nothing."""
        if self.identity.is_hq:
            return counted("{n} report submitted.", "{n} reports submitted.", count)
        from ui.transfer import export_menu

        # Translators: {menu} is where bundles are exported, "File ▸ Export…"
        return counted("{n} report submitted. It reaches headquarters with the next "
                       "bundle you export ({menu}).",
                       "{n} reports submitted. They reach headquarters with the next "
                       "bundle you export ({menu}).", count, menu=export_menu())

    def lock_dialog(self, locked: bool, period: str = "") -> None:
        """Ask to lock (``locked``) or unlock the period shown (or ``period``: the
        Conflicts page's, which the plan may no longer cover), once the database has
        said whether it is locked and, to lock it, what the lock would leave stuck."""
        period = period or self.period

        def check(rep):
            from fieldplan.sync import lock_check

            return lock_check(rep, period)

        DbOp(self.session, self, check).success(
            lambda found: self._confirm_lock(found, locked)).run()

    def _confirm_lock(self, check, locked: bool) -> None:
        from fieldplan.progress import set_period_lock
        from ui.dialogs import ConfirmDialog, MessageDialog

        period = check.period
        shown = self.locked is not None and period in self.locked
        if self.locked is None or shown != check.locked:
            self.refresh_locks()  # changed elsewhere (`fieldplan period lock`)
        name = format_period(period)
        if check.locked == locked and not check.lost_other:
            text = _("{period} is already locked.") if locked else _("{period} is not locked.")
            box = MessageDialog(self, _("Period lock"), text.format(period=name))
            box.setObjectName("lock-dialog")
            box.setWindowModality(Qt.WindowModality.WindowModal)
            box.open()
            return
        if locked:
            # a laptop that has not received the lock yet can still change a report:
            # 'fieldplan status' and the review pack name those changes
            text = _("Lock {period}? Offices can no longer change their reports for it "
                     "once they receive the lock.").format(period=name)
            # the period not over, reports unsubmitted, conflicts, quarantine: as
            # 'fieldplan period lock' warns of them
            stuck = check.warnings()
        else:
            stuck = ()
            text = _("Unlock {period}? Offices can change their reports for it again.").format(
                period=name)
        lost = ()
        if check.locked == locked:  # (lost_other: shown so here, not at the offices)
            lost = ((_("Offices may still hold {period} unlocked: its unlock was lost with "
                       "the restore from a backup. Locking it again reaches them.") if locked
                     else _("Offices may still hold {period} locked: its lock was lost with "
                            "the restore from a backup. Unlocking it again reaches them.")
                     ).format(period=name),)
        if stuck or lost:
            # each paragraph in the layout's direction (they may start with a number)
            text = "\n\n".join(in_layout_direction(p) for p in [text, *lost, *stuck])
        dialog = ConfirmDialog(
            self,
            _("Period lock"),
            text,
            "",
            _("&Lock") if locked else _("&Unlock"),
            cautious=bool(stuck),  # Enter does not lock over a warning
        )
        dialog.setObjectName("lock-dialog")

        def said(changes) -> None:
            if changes.events:
                text = _("Locked {period}") if locked else _("Unlocked {period}")
            else:  # locked or unlocked elsewhere while the dialog was open
                text = _("{period} is already locked") if locked else _("{period} was not locked")
            self.statusBar().showMessage(text.format(period=name), 8000)

        dialog.accepted.connect(
            lambda: DbOp(self.session, self, lambda rep: set_period_lock(rep, period, locked))
            .success(said).failure(lambda e: self.show_error(error_sentence(e))).run()
        )
        dialog.open()

    # moving files --------------------------------------------------------------------
    def import_dialog(self) -> None:
        from ui import transfer

        transfer.choose_and_import(self.session, self, self.settings)

    def import_files(self, paths: list[str], left_aside: int = 0) -> None:
        from ui import transfer

        if self.identity.read_only:
            # dropped, double-clicked or given at the start (Import is disabled): said
            # at once, not after a backup and a refused write
            self.show_error(read_only_text())
            return
        transfer.import_files(self.session, self, paths, left_aside)

    def export_dialog(self) -> None:
        self._open_export(email=False)

    def _open_export(self, *, email: bool) -> None:
        from ui import transfer

        # what was typed in the last half second (still waiting to be saved) goes in
        # the bundle too, as Submit saves it first: typed, Ctrl+E, Enter, and the
        # bundle on its way to headquarters lacked the last words
        self.office_view.editor.save_now()
        dialog = transfer.ExportDialog(self.session, self.identity, self, email=email,
                                       settings=self.settings)
        # the status bar's "last export" now, not at the next minute's refresh; at an
        # office, the report form's "Sent to headquarters on …" too
        dialog.export_did_finish.connect(self._exported)
        dialog.open()

    def _exported(self, _result: object) -> None:
        # "They reach headquarters with the next bundle you export", still shown over
        # the sync state after that very export (submit, then export at once), told an
        # officer the bundle just saved was not the one: it goes, the sync state's
        # "last export" shown in its place
        bar = self.statusBar()
        if self._submit_said and bar.whole_message() == self._submit_said:
            bar.clearMessage()
        if self.identity.is_hq:
            self.refresh_sync_state()
            return
        from fieldplan.replica import Changes

        # (the window's own _changes_did_happen reads the sync state again)
        emit(self.session.changes_did_happen, Changes(entities=(("outbox", "*"),)))

    def export_plan_dialog(self) -> None:
        from ui import plan_files

        plan_files.ask_export(self)

    def replace_plan_dialog(self) -> None:
        from ui import plan_files

        plan_files.ask_replace(self)

    def enrol_dialog(self) -> None:
        from ui.enrol import EnrolDialog

        EnrolDialog(self.session, self.identity, self).open()

    def email_dialog(self) -> None:
        self._open_export(email=True)

    def report_dialog(self, kind: str) -> None:
        from ui import report_preview  # QtPdf loads when a report is first asked for

        # the typing still waiting to be saved is on the sheet too (as in a bundle)
        self.office_view.editor.save_now()
        report_preview.ask(self, kind)

    def table_dialog(self) -> None:
        from ui import table_export

        self.office_view.editor.save_now()
        table_export.ask(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        from ui.transfer import droppable

        if droppable(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        from ui.transfer import droppable

        if droppable(event.mimeData()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        from ui.transfer import look_into_drop

        event.acceptProposedAction()
        # (what a dropped folder holds is read off the GUI thread: a slow stick froze
        # the window)
        look_into_drop(event.mimeData(), lambda found: (
            self._drop_looked_into(*found) if shiboken6.isValid(self) else None))

    def _drop_looked_into(self, paths: list[str], left_aside: int) -> None:
        """What a drop brings (``transfer.files_dropped``): imported, or said; nothing
        when the window was closed or handed over while the drive answered."""
        from ui.transfer import left_aside_text

        if self._handed_over or self._closed:
            return
        if paths:
            self.import_files(paths, left_aside)
        elif left_aside:  # a folder of other files (photos): said, not silently nothing
            self.statusBar().showMessage(left_aside_text(left_aside), 8000)
        else:  # an empty folder
            self.statusBar().showMessage(_("No .fieldplan bundle in what was dropped."), 8000)

    # status --------------------------------------------------------------------------
    def refresh_sync_state(self) -> None:
        DbOp(self.session, self, read_sync_state).success(self._show_sync_state).failure(
            lambda e: self.show_sync(_("Sync: unknown"))
        ).run()

    def _show_sync_state(self, state) -> None:
        from fieldplan.status import lost_lines, not_received_text, unconfirmed_text
        from fieldplan.sync.state import to_make_again

        restored = getattr(state, "restored", None) or {}
        self._lost = to_make_again(restored)
        # (an office) a bundle exported before the restore: one line, with its file
        # and the reports it carried
        sent = [text for text in (not_received_text(restored), unconfirmed_text(restored))
                if text]
        not_received = sent[:1] if restored.get("not_received") else []
        self._lost_lines = [*(lost_lines(restored, shown=None) if self._lost else ()),
                            *not_received]
        text = sync_text(state)
        short = sync_text(state, short=True)
        # (each as ``sync_text`` has it: a capital first)
        keep = tuple(sentence(words) if words else "" for words in (
            deadline_part(state), deadline_part(state, short=True)))
        self.show_sync(text, short if short != text else "", sync_text(state, whole=True),
                       keep)
        forked = getattr(state, "hq_forks", ())
        if forked:
            from fieldplan.sync.fork import hq_fork_text
        lines = [*(hq_fork_text(f, time_text(f["written"])) for f in forked),
                 *(lost_lines(restored) if self._lost else ()),
                 *(item["text"] for item in restored.get("revoked_lost", ())),
                 *(item["text"] for item in restored.get("offices_lost", ())), *sent,
                 *getattr(state, "forks", ()), *getattr(state, "shared_identities", ())]
        if getattr(state, "hq_only_count", 0):
            from fieldplan.status import hq_only_text

            lines.append(hq_only_text(state.hq_only_count))
        if getattr(state, "continued_by", ""):
            from fieldplan.status import continued_text

            lines.insert(0, continued_text(state.continued_by))
        if getattr(state, "key_file_text", ""):
            lines.insert(0, state.key_file_text)
        revoked = bool(getattr(state, "key_revoked", False))
        self._unsent = getattr(state, "unsent", 0) if revoked else 0
        self._replaced_by = getattr(state, "key_replaced_by", "") if revoked else ""
        if revoked:
            from fieldplan.status import revoked_text

            # with what is left to type again
            lines.insert(0, revoked_text(self._unsent, getattr(state, "key_replaced_by", "")))
        self.again_action.setVisible(revoked)
        self.again_button.setVisible(revoked)
        if lines:
            # the status bar has room for how many; its tip says which (the first
            # changes lost, each forked office)
            self._sync_lines = [isolated_codes(sentence(line)) for line in lines]
            tip = "\n".join([text, *self._sync_lines])
            self.sync_label.setToolTip(tip_text(tip))
            self.sync_label.setAccessibleDescription(tip)
        self._sent_lost = restored.get("not_received", 0)
        self._never_sent = restored.get("never_sent", 0)
        self._offices_lost = list(restored.get("offices_lost", ()))
        self._revoked_lost = list(restored.get("revoked_lost", ()))
        # the offices' events may never come back (the office's computer lost with
        # them), nor a revoked computer's (stolen with its bundles): the warning ends by
        # a person's choice too, not only when they do
        if self._lost or not (self._offices_lost or self._revoked_lost):
            self.lost_action.setText(_("Changes lost in the &restore made again…"))
            tip = _("Stop warning about the changes the restore lost, once they are made "
                    "again")
        else:
            self.lost_action.setText(_("Offices' events lost in the &restore…"))
            tip = _("Stop warning about the offices' events the restore lost, when they "
                    "cannot come back")
        # (disabled on a database opened read-only, its tip saying why)
        self._writing = [(a, tip if a is self.lost_action else t) for a, t in self._writing]
        allow_writes(self.lost_action, self.identity, tip=tip)
        self.lost_action.setVisible(bool(self._lost or self._offices_lost
                                         or self._revoked_lost))

    def set_up_again_dialog(self, setup: str = "") -> None:
        """(headquarters revoked this computer's key) What setting up again does, the
        new setup bundle (``setup``: one imported here, else chosen in the dialog)."""
        from ui.set_up_again import SetUpAgainDialog

        dialog = SetUpAgainDialog(self, self.session.db_path, self._unsent, setup,
                                  replaced_by=self._replaced_by)
        dialog.setup_was_chosen.connect(
            lambda chosen, folder: emit(self.set_up_again_was_asked, chosen, folder))
        dialog.open()

    def dismiss_lost_dialog(self) -> None:
        """Put back from a backup: once the changes it lost are made again (at HQ, what
        offices report it lost; at an office, what was typed after the backup and never
        sent), stop the status bar's warning; at HQ, of the offices' events it lost,
        which may never come back, and of revoked computers' events it lost. Each kind
        shown is a choice of its own (a check box each, when there are two or more),
        and those chosen end in one transaction
        (fieldplan.sync.dismiss_restore_warnings)."""
        from fieldplan.sync import LOST_KINDS, dismiss_restore_warnings
        from ui.dialogs import ConfirmDialog

        n = self._lost
        offices = self._offices_lost if self.identity.is_hq else []
        revoked = self._revoked_lost if self.identity.is_hq else []
        said = ""
        if not self.identity.is_hq:
            said = office_lost_said(self._sent_lost, self._never_sent)
        elif n:
            said = counted(
                "{n} change headquarters made after the backup this database was restored "
                "from (a plan change, a period lock, a key or headquarters' own report) was "
                "lost. Make it again (the plan, the Period menu, the Keys tab, the Progress "
                "tab), then stop the warning. fieldplan warns again if offices report more.",
                "{n} changes headquarters made after the backup this database was restored "
                "from (plan changes, period locks, keys or headquarters' own reports) were "
                "lost. Make them again (the plan, the Period menu, the Keys tab, the Progress "
                "tab), then stop the warning. fieldplan warns again if offices report more.",
                n)
        if offices:
            events = sum(item["events"] for item in offices)
            said = "\n\n".join(filter(None, [said, counted(
                "{n} event received from {offices} after the backup this database was "
                "restored from was lost: their figures here lack it until it comes back "
                "(import the bundles named below again, or send the office a bundle and "
                "import the one it exports next). If it cannot come back (the office's "
                "computer was lost with it), stop the warning: the review pack still "
                "says their figures lack it.",
                "{n} events received from {offices} after the backup this database was "
                "restored from were lost: their figures here lack them until they come "
                "back (import the bundles named below again, or send each office a bundle "
                "and import the one it exports next). If they cannot come back (the "
                "office's computer was lost with them), stop the warning: the review pack "
                "still says their figures lack them.", events,
                offices=join_list(isolated(item["office"]) for item in offices))]))
        if revoked:
            events = sum(item["events"] for item in revoked)
            said = "\n\n".join(filter(None, [said, counted(
                "{n} event of a computer whose key headquarters revoked after the backup "
                "this database was restored from was lost: that computer's bundles, "
                "imported again, bring it back (see below). If they cannot be found, stop "
                "the warning.",
                "{n} events of computers whose keys headquarters revoked after the backup "
                "this database was restored from were lost: those computers' bundles, "
                "imported again, bring them back (see below). If they cannot be found, "
                "stop the warning.", events)]))
        lines = [*self._lost_lines, *(item["text"] for item in offices),
                 *(item["text"] for item in revoked)]
        # the kinds shown, each ended by a choice of its own: HQ's lost changes made
        # again say nothing of an office's events, which may still come back
        shown = [kind for kind, there in (("own", n or not self.identity.is_hq),
                                          ("offices", offices), ("revoked", revoked))
                 if there]
        words = {"own": _("&Headquarters' own changes: made again"),
                 "offices": _("&Offices' events: they cannot come back"),
                 "revoked": _("Re&voked computers' events: their bundles cannot be found")}
        dialog = ConfirmDialog(
            self,
            _("Changes lost in the restore") if n or not (offices or revoked)
            else _("Offices' events lost in the restore"),
            said,
            # which they are, one a line: in words, or where to see them
            "\n".join(isolated_codes(sentence(line)) for line in lines),
            _("&Stop warning"),
            choices={kind: words[kind] for kind in shown} if len(shown) > 1 else None,
            choices_title=_("Stop warning about"),
        )
        dialog.setObjectName("dismiss-lost-dialog")

        def dismiss() -> None:
            kinds = dialog.chosen() if dialog.choices else (shown or LOST_KINDS)
            (DbOp(self.session, self, lambda rep: dismiss_restore_warnings(rep, kinds))
             .success(lambda _done: self.refresh_sync_state())
             .failure(lambda e: self.show_error(error_sentence(e))).run())

        dialog.accepted.connect(dismiss)
        dialog.open()

    def show_error(self, message: str) -> None:
        from ui.dialogs import MessageDialog

        # an error names files and paths, a notice an office's report: as written, read
        # again with Tab and copied without the marks that lay them out (Qt's message
        # box had OK for its only stop of Tab)
        box = MessageDialog(self, _("fieldplan"), message, warning=True)
        box.setObjectName("error-box")
        box.open()

    def own_key_dialog(self, set_up: bool = False, new_key: bool = False) -> None:
        """This computer's office, replica id and key fingerprint, and at an office
        headquarters' (ui.own_key). ``set_up``: the office has just been set up from a
        setup bundle: said first, and the window stays usable beside it. ``new_key``:
        a new key was just made (New key…): the dialog says what makes it known."""
        from ui.own_key import OwnKeyDialog, read_own_key

        identity = self.identity

        def show(keys) -> None:
            dialog = OwnKeyDialog(identity, keys, self, set_up=set_up, new_key=new_key)
            dialog.rotate_button.clicked.connect(
                lambda _checked=False: self._ask_new_key(dialog))
            if set_up:
                dialog.show()  # a note, not a question: nothing waits for it
            else:
                dialog.open()

        DbOp(self.session, self, read_own_key).success(show).run()

    def _ask_new_key(self, shown: QWidget) -> None:
        """(This computer's key ▸ New key…) a new key pair for this computer, as
        ``fieldplan keys rotate`` makes one (there was no other way): asked first."""
        from fieldplan.sync.keys import new_key_next_step
        from ui.dialogs import ConfirmDialog

        then = new_key_next_step(self.identity.is_hq)
        text = _("Make a new key for this computer? The key it has now signs the new one, "
                 "so that the other computers take it without a fingerprint check; do it "
                 "when the key file may have been copied.") + "\n\n" + sentence(then) + "."
        dialog = ConfirmDialog(shown, _("New key"), text, "", _("&Make a new key"),
                               cautious=True)
        dialog.setObjectName("new-key-dialog")
        dialog.accepted.connect(lambda: self._make_new_key(shown))
        dialog.open()

    def _make_new_key(self, shown: QWidget) -> None:
        from fieldplan.replica import Changes
        from fieldplan.sync import rotate_key
        from fieldplan.sync.keys import new_key_text

        def done(pub) -> None:
            self.statusBar().showMessage(new_key_text(pub, self.identity.is_hq), 20_000)
            emit(self.session.changes_did_happen, Changes(entities=(("key", "*"),)))
            if shiboken6.isValid(shown):
                shown.close()
            # what it shows now: the new key, and what makes it known (the status bar
            # of a window 784 pixels wide has no room for it beside the fingerprint)
            self.own_key_dialog(new_key=True)

        def failed(exc) -> None:
            from ui.dialogs import MessageDialog

            MessageDialog(self, _("New key"), error_sentence(exc)).open()

        DbOp(self.session, self, rotate_key).success(done).failure(failed).run()

    def about(self) -> None:
        from ui.dialogs import MessageDialog

        text = _(
            "fieldplan {version}\n\nOffline tracking of the IOM–OIC Plan of Action "
            "2025–2027.\n\nDatabase: {db}"
        ).format(version=fieldplan.__version__, db=isolated(self.identity.db_path))
        # every line in the layout's direction (the first starts with a Latin name)
        text = "\n".join(in_layout_direction(line) for line in text.split("\n"))
        # the database's path, as written, reached with Tab and copied (as show_error)
        box = MessageDialog(self, _("About fieldplan"), text)
        box.setObjectName("about-box")
        box.open()

    # where the user was --------------------------------------------------------------
    def view_state(self) -> dict:
        """Where the person is: the tab, the period, the action, the divider between
        the plan and the report; at headquarters the pages' searches, filters, report
        chosen and dividers too (a language change, and the next start:
        ``window_settings.VIEW``)."""
        action = self.office_view.tree.current_action()
        state = {
            "tab": self.tabs.currentIndex(),
            "period": self.period,
            "period_chosen": self.period != self.opened_on,
            "action": action.code if action else "",
            "split": window_settings.splitter_sizes(self.office_view.splitter),
            # the plan's filters and folded areas: the window a language change made
            # again showed every status of the office's level, every area open
            "plan": self.office_view.tree.filter_state(),
        }
        if self.hq_desk is not None:
            state["hq"] = self.hq_desk.filters()
        return state

    def restore_view_state(self, state: dict, start: bool = True) -> None:
        """Where the person was (``view_state``): at a ``start``, as kept at the last
        closing; else handed over by the window this one replaces (a language change).
        At a start the period is restored if the person had chosen it, even one locked
        since (the window shows the lock): not the one that window opened on by itself,
        for this one's is up to date (an office that closed on 2026-S1 in July, then
        imported its lock, opened on it again, where nothing can be written)."""
        window_settings.restore_sizes(self.office_view.splitter, state.get("split"))
        # a period the plan no longer has (an amendment since) is not offered
        if state.get("period") in self.identity.periods() and (
                not start or self._period_was_chosen(state)):
            self.set_period(state["period"])
            if not start and state.get("period_chosen") is False:
                # (a language change) shown unchosen in the window this one replaces:
                # unchosen here too, whatever this one opened on by itself (its plan,
                # read again since that one opened, brings the locks imported since)
                self.opened_on = self.period
        if state.get("action"):
            self.office_view.select_action(state["action"])
        if not start and isinstance(state.get("plan"), dict):
            # (a language change only: the next start opens on the whole plan). After
            # the action is chosen: its report not read yet, "Show: At risk" had no
            # row for it, and choosing it set the filter back to all statuses
            self.office_view.tree.restore_filter_state(state["plan"])
        if self.hq_desk is not None and isinstance(state.get("hq"), dict):
            self.hq_desk.restore_filters(state["hq"])
        tab = window_settings.whole_number(state.get("tab"))
        if tab is not None and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)
        taken, self._gone_taken = self._gone_taken, None
        if taken is not None:
            # (after the period, whose showing shows no report)
            self._show_gone(*taken)

    def _show_gone(self, gone: GoneReport, place: EditorPlace | None) -> None:
        """(a language change) The report an amendment hid, as the window this one
        replaces showed it (read-only, saying why), with the cursor where it was."""
        from ui.editor_place import put_back

        editor = self.office_view.editor
        editor.show_gone(gone)
        if place is not None and place.report == gone.key:
            put_back(editor, place)

    def keep_place(self, *_changed: object) -> None:
        """Write where the person is (``view_state``) as it changes: kept at closing
        only, a window killed (a power cut, a crash) opened again on the report of the
        last clean closing, not the one being typed in (its typing safe in the drafts).
        Not before the window is painted (the place kept is read after it is made), nor
        once it has handed over to the one a language change makes."""
        if self._keeping_place and not self._handed_over:
            self._place_timer.start()  # (PLACE_WRITE_MS after the last change)

    def _write_place(self) -> None:
        if not self._keeping_place or self._handed_over:
            return
        state = self.view_state()
        if state == self._place_written:
            return
        # on the disk now (a kill does not wait for the window to close), written off
        # the GUI thread: a write waits for the disk (ui.window_settings.set_value)
        window_settings.set_database_value(self.settings, self.identity,
                                           window_settings.VIEW, state)
        self._place_written = state

    def _period_was_chosen(self, state: dict) -> bool:
        """Whether the period of a kept ``state`` was the person's choice. An earlier
        release kept the period shown, chosen or not: taken as chosen unless it is the
        one a window opens on by itself, locks aside (then it most likely was, and the
        person's choice and this window's own are not told apart)."""
        chosen = state.get("period_chosen")
        if isinstance(chosen, str):  # (as some settings formats give a bool back)
            chosen = chosen.lower() == "true"
        if isinstance(chosen, bool):
            return chosen
        return state["period"] != replace(self.identity, locked=frozenset()).current_period()

    def _ask_before_closing(self, unkept: list[tuple[str, str]]) -> None:
        """Closing would lose what is typed: ask (ui.unkept)."""
        from ui.dialogs import documents_dir
        from ui.drafts import journal_for
        from ui.unkept import UnkeptDialog

        editor = self.office_view.editor
        journal = journal_for(self.session, self.identity)
        dialog = UnkeptDialog(self, journal, unkept, editor.unkept, documents_dir())
        # a save or a write of the drafts file ended: all kept now, perhaps. A write
        # that only took longer than closing waits (a very slow disk) changes no error,
        # so the editor says nothing of it: the journal does
        editor.save_state_did_change.connect(dialog.recheck)
        journal.write_did_end.connect(dialog.recheck)
        dialog.close_now.connect(self._close_after_question)
        dialog.finished.connect(lambda _result: self._question_over(dialog))
        self._close_question = dialog
        dialog.open()

    def _question_over(self, dialog) -> None:
        if self._close_question is dialog:
            self._close_question = None

    def _close_after_question(self, discard: bool) -> None:
        self._closing_anyway = discard  # else all is kept now: closing checks again
        self.close()

    def restore_geometry(self) -> None:
        geometry = self.settings.value("window/geometry")
        state = self.settings.value("window/state")
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            keep_on_screen(self)  # saved on a larger screen: brought onto this one
        else:
            # 1280×720, or what the screen has: the title bar and the window's edges
            # stay on a small screen (911×512 on a 1366×768 laptop at 150 %)
            fit_to_screen(self, 1280, 720)
        if isinstance(state, QByteArray | bytes):
            self.restoreState(state)

    def save_geometry(self) -> None:
        """Keep the window's size, place and toolbars for the next window
        (``restore_geometry``): at close, and before a language change's new window
        opens (it took the size saved at the change before)."""
        window_settings.set_value(self.settings, "window/geometry", self.saveGeometry())
        window_settings.set_value(self.settings, "window/state", self.saveState())

    def focus_path(self) -> tuple[tuple[int, ...], str] | None:
        """Where the keyboard's focus is in the window (also while a menu is open): the
        place of the focused widget and of each of its parents among their parent's
        widgets, from the window down, and the focused widget's kind (a language
        change: ``restore_focus``)."""
        focused = widget = self.focusWidget()
        path: list[int] = []
        while widget is not None and widget is not self:
            parent = widget.parentWidget()
            if parent is None:
                return None
            path.append([c for c in parent.children() if isinstance(c, QWidget)].index(widget))
            widget = parent
        if widget is not self or focused is None:
            return None
        return tuple(reversed(path)), type(focused).__name__

    def restore_focus(self, where: tuple[tuple[int, ...], str] | None) -> None:
        """(a language change) The focus where it was in the window this one replaces
        (``focus_path``): it went to the tab bar, which shows no focus in a window just
        made, wherever the person was (a table of headquarters, the plan, a filter) and
        chose the language with the keyboard. In the report, ``_take_over_editing`` puts
        it back once the report is read."""
        if not where:
            return
        path, kind = where

        def put() -> None:
            widget: QWidget = self
            for index in path:
                widgets = [c for c in widget.children() if isinstance(c, QWidget)]
                if index >= len(widgets):
                    return
                widget = widgets[index]
            if (type(widget).__name__ == kind and widget.isVisible() and widget.isEnabled()
                    and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                    and not self.office_view.editor.isAncestorOf(widget)):
                widget.setFocus(Qt.FocusReason.OtherFocusReason)

        # (once the page of the tab shown is shown with it)
        QTimer.singleShot(0, self, put)

    def hand_over_editing(self) -> EditingHandOver:
        """(a language change) What the window that replaces this one takes over of its
        report editor: the undo steps (this window's stack, no longer this window's to
        move) and where the person is in the report (ui.editor_place)."""
        from ui.editor_place import place_of

        editor = self.office_view.editor
        for signal in (self.undo_stack.indexChanged, editor.edits_did_change):
            signal.disconnect(self._update_undo_actions)
        report = (editor.action.code, editor.period) if editor.action else None
        gone = editor.gone
        place = place_of(editor, gone.key if gone is not None else None)
        held = editor._held_keys.kept() if editor._held_keys is not None else None
        return EditingHandOver(self.undo_stack, report, place, gone, held)

    def _take_over_editing(self, taken: EditingHandOver) -> None:
        """The undo steps of the window this one replaces, now this editor's (named in
        this window's language), kept when the same report is shown, and the cursor,
        selection and scrolling of its fields put back once it is."""
        editor = self.office_view.editor
        stack = self.undo_stack
        for i in range(stack.count()):
            command = stack.command(i)
            if hasattr(command, "adopt"):
                command.adopt(editor)
        editor.keep_undo_for = taken.report
        if taken.held is not None and taken.report is not None:
            editor.keys_taken_over = (taken.report, taken.held)
        if taken.gone is not None:
            self._gone_taken = (taken.gone, taken.place)
            return
        if taken.place is None:
            return
        from ui.editor_place import put_back

        place = taken.place

        def loaded(action: str, period: str) -> None:
            editor.report_did_load.disconnect(loaded)
            if (action, period) == place.report:
                put_back(editor, place)

        editor.report_did_load.connect(loaded)

    def hand_over(self) -> None:
        """Close for the window that takes this one's place (a language change): on
        the same session, it has the drafts journal and shows what is typed here and
        not kept yet (a full disk), so nothing is asked."""
        self._handed_over = True
        self.close()

    def commit_data(self, manager: QSessionManager) -> None:
        """(the desktop session ends: logging off, shutting down; Qt's
        ``commitDataRequest``, its QSessionManager) Save what is typed and have it in
        the drafts file before the session manager ends fieldplan. Qt 6 does nothing
        of its own at this request (Qt 5 closed the windows, which asked): the window
        heard of the end only as fieldplan was being ended, if at all, too late to
        wait for the drafts file or to ask, and on a full disk the typing was lost
        unasked. When neither the database nor the drafts file can hold it, the
        logging off is cancelled where the session manager lets fieldplan ask, and the
        person is asked as on closing (ui.unkept)."""
        if self._handed_over or self._closing_anyway:
            return
        unkept = self.office_view.editor.unkept()
        if not unkept or not manager.allowsInteraction():
            return  # (kept; or nothing more can be done: ended all the same)
        manager.cancel()
        manager.release()  # (asked in the window, not in this call)
        question = self._close_question
        if question is not None and shiboken6.isValid(question):
            question.raise_()
            question.activateWindow()
            return
        self._ask_before_closing(unkept)

    def _close_previews(self) -> None:
        """Close the report previews open over the window, as their Close does: their
        print stopped, their report let go of. Deleted with the window instead, a
        print going on lost its window and ended the client as it quit, and the
        report stayed in the cache. (A language change has moved them to the new
        window first: ui.app.show_window.)"""
        from PySide6.QtWidgets import QDialog

        for preview in self.findChildren(QDialog, "report-preview"):
            if preview.parentWidget() is self:
                preview.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        # nothing typed is lost: saved if the database takes it in time, and kept in
        # the draft journal (ui.drafts) for the next start; when neither can hold it
        # (a full disk), the person is asked first (ui.unkept)
        if not (self._handed_over or self._closing_anyway):
            question = self._close_question
            if question is not None and shiboken6.isValid(question):
                question.raise_()
                question.activateWindow()
                event.ignore()
                return
            unkept = self.office_view.editor.unkept()
            if unkept:
                event.ignore()
                self._ask_before_closing(unkept)
                return
        self._closed = True
        self.office_view.editor.close_down()
        self._close_previews()
        self.save_geometry()
        self._place_timer.stop()  # (written here)
        window_settings.set_database_value(self.settings, self.identity,
                                           window_settings.VIEW, self.view_state())
        self._sync_timer.stop()
        self._outside_timer.stop()
        super().closeEvent(event)
