"""The report editor: one office's report on one action for one period.

Saved as you type: every edit restarts a 500 ms timer, and leaving a field, switching
report or closing the window saves at once, so nothing typed is lost. Each save is
one command on the window's QUndoStack; undoing it writes the previous values back
through the core (never only to the widgets).

Never over newer data unseen: each field remembers the version it shows (``_base_ids``,
from ``fieldplan.progress.report_versions``) and a save replaces that version only. When
the report changes underneath (an import, a draft retried), the fields not typed in
show the new values at once; a field typed in keeps the typing, and its save is kept
beside the newer value as a conflict, which the editor says.

There is one undo in the editor, the window's: Ctrl+Z (and redo) typed in a field
goes to the window's undo and redo actions, not to Qt's own per-field undo (which
would change the text without the database knowing), and so does the fields'
context menu. Typing not saved yet is saved first, so it is the step undone.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldplan.errors import ValidationError
from fieldplan.i18n import (
    STATUS_SYMBOLS,
    _,
    counted,
    field_label,
    format_number,
    format_percent,
    join_list,
    lead_label,
    level_label,
    ngettext,
    period_words,
    state_label,
    status_label,
)
from fieldplan.model import NARRATIVE_FIELDS, STATUSES, ProgressReport
from fieldplan.numbers import (
    number_error,
    parse_number,
    parse_percent,
    too_large_error,
    without_percent_sign,
)
from fieldplan.plan import Action, Text
from fieldplan.progress import (
    MAX_TEXT,
    changed_after_lock,
    check_base,
    get_report,
    is_locked,
    level_error,
    record_progress,
    reopen_report,
    report_conflicts,
    report_versions,
    status_percent_note,
    value_problem,
)
from fieldplan.recorded_units import recorded_in
from fieldplan.status import key_replaced_by, key_revoked
from fieldplan.text import brackets_held, clean_text, held_whole
from ui.bidi import embedded, in_layout_direction, isolated, isolated_codes
from ui.context import (
    Identity,
    action_title,
    illustrative_tip,
    lang,
    office_label,
    read_only_text,
    time_text,
    unbroken,
)
from ui.indicator_grid import NARROWEST_NUMBER, GridLabel, HeldLabel, number_field_width
from ui.ops import DbOp, Debouncer, Session, error_text, sentence
from ui.qtcompat import Qt, emit
from ui.wrapped_label import DocumentLabel, WrappedLabel

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QEvent

SAVE_DELAY_MS = 500
#: The colour of a note under a field (``ReportEditor._note_label``): dark amber, apart
#: from the errors' red (#a40000); 6.5:1 on the window's grey, 7.5:1 on white
NOTE_COLOUR = "#7a4a00"
#: what is typed goes to the draft journal (ui.drafts) this soon, well before the save
JOURNAL_DELAY_MS = 150
#: and this soon at the latest while typing goes on without a pause (a steady typist
#: never gives JOURNAL_DELAY_MS of quiet): a crash loses no more than this of typing
JOURNAL_MAX_WAIT_MS = 1000
#: closing (or logging off) while keys typed in the report being read are held
#: (ui.held_keys): how long it waits for the report, to type them in where they were
#: aimed; a read that takes longer has them put in the drafts file as they were typed
HELD_KEYS_WAIT_MS = 3000

#: Values of a report as the editor holds them: status, "percent", "value.<key>" and
#: the narrative fields; None for an empty number.
Values = dict[str, Any]


@dataclass(frozen=True)
class GoneReport:
    """A report an amendment hid while the person was at it, left on screen read-only
    (``ReportEditor._show_gone``): what the window a language change makes again shows
    again, in its language (``ReportEditor.show_gone``)."""

    #: the action, as the plan that had it named it (titles, indicators)
    action: Action
    #: the report's period
    period: str
    #: the report as the database held it when shown (None: none saved)
    report: ProgressReport | None
    #: why the plan hides it (``PlanScope.why_hidden``), said in the reader's language
    why: tuple[str, ...]
    #: the version of the plan that hides it
    version: int
    #: whether something typed in it is kept outside the plan (View ▸ Text set
    #: aside…)
    typed: bool
    #: each field's text as on screen (``ui.editor_place.fields_of``'s names; the
    #: status: its value), kept as typed, valid or not
    texts: Mapping[str, str]
    #: its values of indicators an earlier amendment dropped (``dropped_values``),
    #: said under its indicators
    dropped: tuple[tuple[Text | None, str, Any], ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        """(action, period)"""
        return (self.action.code, self.period)


def report_values(report: ProgressReport | None, action: Action) -> Values:
    """The editable values of a report (or of an unwritten one)."""
    names = ["status", "percent", *(f"value.{ind.key}" for ind in action.indicators),
             *NARRATIVE_FIELDS]
    return {name: field_value(report, name) for name in names}


def field_value(report: ProgressReport | None, name: str) -> Any:
    """One editable value of a report (or of an unwritten one) by its field name."""
    if name == "status":
        return report.status if report else "not-started"
    if name == "percent":
        return report.percent if report else None
    if name.startswith("value."):
        return report.value(name[len("value."):]) if report else None
    return getattr(report, name) if report else ""


def _stored_as(stored: Any, sent: Any) -> bool:
    """Whether the database's value is the one sent (as the core keeps text)."""
    return stored == sent or (isinstance(sent, str) and clean_text(sent) == stored)


def write_values(rep, action: str, period: str, values: Values,
                 base: dict[str, list[str] | None] | None = None):
    """(worker) write editor values through the core, each over the versions in
    ``base`` it was typed over (record_progress); returns its Changes."""
    kwargs: dict[str, Any] = {}
    indicator_values = {}
    for name, value in values.items():
        if name == "status":
            kwargs["status"] = value
        elif name == "percent":
            if value is None:
                kwargs["clear_percent"] = True
            else:
                kwargs["percent"] = value
        elif name.startswith("value."):
            indicator_values[name[len("value.") :]] = value
        elif name in NARRATIVE_FIELDS:
            kwargs[name] = value
        else:
            # a name no editor writes (a drafts file damaged on disk): refused as a
            # value is (kept, said, not retried for ever), never a TypeError retried
            # every few seconds
            raise ValidationError(_("{field} is not a field of a progress report").format(
                field=repr(str(name))))
    if indicator_values:
        kwargs["values"] = indicator_values
    return record_progress(rep, action, period, base=base, **kwargs)


def dropped_values(rep, report: ProgressReport | None, have: set[str]
                   ) -> tuple[tuple[Text | None, str, Any], ...]:
    """(worker) ``report``'s values of indicators its action no longer has (not among
    ``have``): (their title in the latest earlier plan version that had them, or None;
    key; value), in the report's order."""
    if report is None:
        return ()
    from fieldplan.tabular import earlier_titles

    values = [(key, value) for key, value in report.values
              if key not in have and value is not None]
    if not values:
        return ()
    _codes, titles = earlier_titles(rep, rep.plan(), (),
                                    [(report.action, key) for key, _v in values])
    return tuple((titles.get((report.action, key)), key, value) for key, value in values)


def _receipt(rep, action: str, period: str):
    """(on the worker) Whether headquarters holds this office's report as this
    computer shows it (``receipts.report_receipt``); None at headquarters."""
    if rep.is_hq:
        return None
    from fieldplan.sync.receipts import report_receipt

    return report_receipt(rep, action, period)


def after_lock_text(rep, action: str, period: str, office: str) -> str:
    """(worker) The warning ``fieldplan status`` gives when this report of a locked
    period was changed after headquarters locked it ("" when it was not)."""
    from fieldplan.status import after_lock_lines

    mine = tuple(c for c in changed_after_lock(rep, period, office).get(period, ())
                 if c.action == action)
    # (none for a draft the plan hides: nothing submits it, unlocked or not)
    lines = after_lock_lines({period: mine}, hq=False) if mine else []
    return lines[0] if lines else ""


def locked_period_text(is_hq: bool) -> str:
    """What a locked period's report form (and the status bar's period, in its tooltip)
    says of it: to an office, that headquarters locked it; to headquarters, which can
    unlock it, where to (it read "Headquarters has locked this period." there too)."""
    if not is_hq:
        return _("Headquarters has locked this period.")
    from fieldplan.i18n import menu_path

    # Translators: {menu} is the Period menu's item, as in "Period ▸ Unlock period…"
    return _("This period is locked: its reports cannot be changed unless you unlock "
             "it ({menu}).").format(menu=menu_path(_("&Period"), _("&Unlock period…")))


class EditCommand(QUndoCommand):
    """One save: the values before and after. The first redo is the save itself,
    already done, so it is skipped."""

    def __init__(
        self, editor: ReportEditor, action: str, period: str, before: Values, after: Values
    ) -> None:
        super().__init__()
        self.editor, self.action, self.period = editor, action, period
        self.before, self.after = before, after
        self.setText(self._title())
        self._done = True
        #: the next undo or redo only moves the stack: a write-back that failed put the
        #: stack back where the database is (ReportEditor.write_back)
        self.skip = False
        #: per field, the version its last write (the save, an undo, a redo) made: the
        #: next undo or redo replaces that one, so a value written since by someone
        #: else is kept as a conflict, not overwritten
        self.written: dict[str, str] = {}

    def _title(self) -> str:
        # what it changed, for the Undo and Redo tips: "Challenges (PA1.2)", each step
        # told apart (all read "Edit PA1.2")
        # Translators: an undo step's name: {fields} the fields a save changed, joined
        # ("Challenges, Next steps"), {action} the action's code
        return _("{fields} ({action})").format(
            fields=join_list([self.editor._field_name(name) for name in self.after]),
            action=self.action)

    def adopt(self, editor: ReportEditor) -> None:
        """(a language change) Belong to the editor of the window that takes over,
        named in its language."""
        self.editor = editor
        self.setText(self._title())

    def undo(self) -> None:
        if self.skip:
            self.skip = False
            return
        self.editor.write_back(self, self.before, self.after, undoing=True)

    def redo(self) -> None:
        if self._done or self.skip:
            self._done = self.skip = False
            return
        self.editor.write_back(self, self.after, self.before, undoing=False)


_UNDO_KEYS = (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)


class WindowUndoKeys(QObject):
    """Event filter on the editor's text fields: their undo and redo keys (and the
    Undo/Redo entries of their context menu) belong to the window's actions."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.undo: QAction | None = None
        self.redo: QAction | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # imported here: events reaching Python make PySide build QEvent and its 45
        # subclasses (~3 ms), which the first screen (it has no field yet) does without
        from PySide6.QtCore import QEvent
        from PySide6.QtGui import QKeyEvent

        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            if not isinstance(event, QKeyEvent):
                return False
            which = next((k for k in _UNDO_KEYS if event.matches(k)), None)
            if which is None:
                return False
            if kind == QEvent.Type.ShortcutOverride:
                # not taken by the field: the window's shortcut gets the key
                event.ignore()
                return True
            # the key reached the field (no window shortcut took it): act the same way
            action = self.undo if which == QKeySequence.StandardKey.Undo else self.redo
            if action is not None and action.isEnabled():
                action.trigger()
            return True
        if kind == QEvent.Type.ContextMenu and self.undo is not None:
            self._context_menu(watched, event)
            return True
        return False

    def _context_menu(self, watched: QObject, event: QEvent) -> None:
        from PySide6.QtWidgets import QLineEdit

        # a text edit's menu event arrives on its viewport
        field = watched if isinstance(watched, QLineEdit) else watched.parent()
        menu = field.createStandardContextMenu()
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for entry in menu.actions():
            mine = {"edit-undo": self.undo, "edit-redo": self.redo}.get(entry.objectName())
            if mine is not None:
                menu.insertAction(entry, mine)
                menu.removeAction(entry)
        menu.popup(event.globalPos())


class _ErrorLabel(WrappedLabel):
    """An error under a field, in red; while shown, it is also the field's accessible
    description, so a screen reader says it with the field (not by colour alone),
    before what the field's description says at all times (``about``).

    A note under the error (``after``: the error; ``ReportEditor._note_label``)
    describes the error's field too, after the error: what looks wrong but is saved.
    A note of two fields (``after``: both errors) describes both."""

    def __init__(self, field: QWidget | None, about: str = "",
                 after: _ErrorLabel | tuple[_ErrorLabel, ...] | None = None) -> None:
        super().__init__()
        self._field = field
        self.about = about
        self._leads = (after,) if isinstance(after, _ErrorLabel) else tuple(after or ())
        self._notes: list[_ErrorLabel] = []
        for lead in self._leads:
            lead._notes.append(self)
        self._describe()

    def setText(self, text: str) -> None:  # Qt's names: the editor calls these
        super().setText(text)
        self._describe()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        self._describe()

    def _describe(self) -> None:
        if self._leads:
            for lead in self._leads:
                lead._describe()
        elif self._field is not None:
            said = [label.text() for label in (self, *self._notes) if not label.isHidden()]
            self._field.setAccessibleDescription(" ".join(t for t in (*said, self.about) if t))


class ReportEditor(QScrollArea):
    """Status, percent, indicator actuals and narrative of the chosen report."""

    report_did_save = Signal(str, str)  # action, period
    report_did_load = Signal(str, str)
    #: typing started or a save was queued: what undo would undo has changed
    edits_did_change = Signal()
    #: what is not saved yet, for the window's status bar: (text, details, is_error);
    #: text is "" when everything typed is saved
    save_state_did_change = Signal(str, str, bool)
    #: the plan refused a write (ui.drafts.RefusedByPlan): the database may hold a plan
    #: this window does not show yet
    plan_did_refuse = Signal()

    def __init__(
        self,
        session: Session,
        identity: Identity,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.identity = identity
        self.undo_stack = undo_stack
        self.action: Action | None = None
        self.period = ""
        self.report: ProgressReport | None = None
        #: the report's values of indicators the plan no longer has (``dropped_values``),
        #: as loaded: a report an amendment hides keeps them on screen (``GoneReport``)
        self._dropped: tuple[tuple[Text | None, str, Any], ...] = ()
        self._saved: Values = {}
        #: the values the database is known to hold (as loaded, then as saved)
        self._base: Values = {}
        #: per field, the versions (report_versions; [] for none) the value on screen
        #: was typed over: a save replaces those, and if the field has moved on since,
        #: the core keeps both as a conflict instead of overwriting the newer value
        #: (None: not known, a draft of an older journal restored)
        self._base_ids: dict[str, list[str] | None] = {}
        #: saves on their way, per (action, period, field)
        self._in_flight: dict[tuple[str, str, str], int] = {}
        #: whether Headquarters had locked the period when the report was loaded
        self._locked = False
        #: a refresh from the database is on its way / is wanted again after it
        self._refreshing = False
        self._refresh_again = False
        #: the last save of the report on screen failed: it is retried (``_set_failed``),
        #: and undo and redo wait for it (``undo_blocked``); why it failed
        self._failed_here = False
        self._failed_why = ""
        #: fields showing the editor's own check (not a number, too long…)
        self._checked: set[str] = set()
        #: number fields whose text the drafts held back as no number when it was typed
        #: and that read as one now (typed in another language: French "12.500", two
        #: readings there, is 12.5 in English; "45 %" in an indicator an amendment has
        #: made a percent since), until the person types in them: never saved as they
        #: read now, unseen (``_held_error`` says why)
        self._unconfirmed: dict[str, str] = {}
        #: the notice's line on the report's open conflicts ("" when none is shown), and
        #: the fields its own saves wrote as conflicts (said by ``_tell_conflicts``)
        self._conflicts_line = ""
        self._told: set[str] = set()
        self._closed = False
        #: whether headquarters holds the report on screen is being read again
        self._receipt_asked = False
        self._retry = None  # ui.drafts.DraftRetry, made with the journal
        #: the reports whose values an earlier session left unsaved (resume_drafts), not
        #: saved yet; of those, the ones not tried yet (no failure to say yet); and the
        #: ones the retry has saved since, said once (``_drafts_did_change``) until the
        #: next save typed here
        self._recovered: set[tuple[str, str]] = set()
        self._untried: set[tuple[str, str]] = set()
        self.recovered_saved: list[tuple[str, str]] = []
        #: the journal's reports that cannot take what was typed in them now, as the
        #: database last said (``_read_blocked``): "submitted" (reopen it first) or
        #: "locked" (by headquarters: never here). Not retried; the status bar says
        #: what to do, and the editor offers to discard the text (``discard_dialog``)
        self._blocked: dict[tuple[str, str], str] = {}
        #: why the last discarding of text set aside (``discard_aside``) failed, or ""
        self._aside_discard_error = ""
        #: the save state's words as a narrow status bar says them (the long ones, set
        #: aside text, in a few words), as said with ``save_state_did_change``
        self.short_save_words = ""
        self._loading = False
        self._editable = False
        #: something was typed in the report on screen since it was shown (an amendment
        #: that hides it then leaves it on screen, read-only: ``_show_gone``)
        self._typed_here = False
        #: the report on screen an amendment hid, read-only, until another is shown
        self.gone: GoneReport | None = None
        #: (a language change) the report whose undo steps the window took over from the
        #: one it replaces (MainWindow.hand_over_editing): its first showing keeps them
        self.keep_undo_for: tuple[str, str] | None = None
        #: (a language change) the report being read in the window replaced, with what
        #: was typed in it meanwhile (ui.held_keys.HeldTyping): typed in once this
        #: editor has read it (the new window's first reading of the report)
        self.keys_taken_over: tuple[tuple[str, str], Any] | None = None
        #: the widget Tab goes from to the form's first field (set by the office view)
        self.tab_from: QWidget | None = None
        #: what is typed in the form while its report is read (ui.held_keys), made
        #: with the form
        self._held_keys = None
        #: the report being read is the one the person was typing in, read again (an
        #: import's lock or submit): what is typed meanwhile is its draft's
        #: (``_keep_held_typing``)
        self._typing_in = False
        #: the report being read is not the one shown before: its fields are shown
        #: empty until it is read (its values unseen, their versions not known yet)
        self._read_unseen = False
        #: where the cursor was in each field then (ui.editor_place.EditorPlace)
        self._typing_place = None
        self._saves_in_flight = 0
        #: writes issued so far: a report fetched before the last write is stale
        self._writes = 0
        self._debounce = Debouncer(SAVE_DELAY_MS, self.save_now, self)
        self._journal_debounce = Debouncer(JOURNAL_DELAY_MS, self.journal_now, self,
                                           max_wait=JOURNAL_MAX_WAIT_MS)
        self.undo_keys = WindowUndoKeys(self)
        # save when focus leaves a field (QApplication.focusChanged rather than an event
        # filter on every field)
        # (a bound slot of a QObject: Qt disconnects it when the editor is destroyed)
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self.setWidgetResizable(True)
        self.setAccessibleName(_("Report"))
        self._build()
        session.changes_did_happen.connect(self._changes_did_happen)

    # layout --------------------------------------------------------------------------
    #: The widgets of the form, made when an action is first chosen (or one of them is
    #: first asked for): the first screen shows only "Choose an action in the plan."
    FORM = frozenset(
        (
            "description",
            "meta",
            "hq_line",
            "notice",
            "reopen_button",
            "discard_button",
            "status",
            "status_read_only",
            "percent",
            "errors",
            "indicator_box",
            "indicator_grid",
            "indicator_edits",
            "indicator_notes",
            "status_note",
            "narratives",
            "general_error",
            "saved_label",
        )
    )

    def __getattr__(self, name: str) -> Any:
        # only reached for attributes not set yet: the form's widgets before it is made
        if name in ReportEditor.FORM and self.__dict__.get("_body") is not None:
            self._build_form()
            return self.__dict__[name]
        raise AttributeError(name)

    def _build(self) -> None:
        body = QWidget()
        self._outer = QVBoxLayout(body)
        self.title = WrappedLabel()
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        # the title and, beside it, whether what is typed is saved (saved_label)
        self._title_row = QHBoxLayout()
        self._title_row.addWidget(self.title, 1)
        self._outer.addLayout(self._title_row)
        self._outer.addStretch(1)
        self._form: QWidget | None = None
        self._body = body
        self.setWidget(body)
        self.title.setText(_("Choose an action in the plan."))

    def _build_form(self) -> None:
        if self._form is not None:
            return
        # the form's own kinds of widget are loaded with it: the first screen has none
        from PySide6.QtWidgets import QFormLayout, QGridLayout, QLineEdit, QPushButton

        from ui.bidi_widgets import PlainTextEdit
        from ui.combo import find_by_words

        self._form = QWidget()
        # the scroll area is no stop of its own when tabbing: from the tree to Status
        # (also set once the window is painted: MainWindow._after_first_paint)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # the form wraps to the width it has; when even its narrowest is wider (large
        # fonts, long words), a scrollbar reaches the rest: nothing is ever cut off
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        # the title shows the plan's text from now on (until now only "Choose an action")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        outer = QVBoxLayout(self._form)
        outer.setContentsMargins(0, 0, 0, 0)
        self.description = WrappedLabel()
        self.description.setTextFormat(Qt.TextFormat.PlainText)
        self.meta = WrappedLabel()
        self.meta.setTextFormat(Qt.TextFormat.PlainText)
        # (an office) whether headquarters holds the report as shown: ui.hq_receipt
        self.hq_line = WrappedLabel()
        self.hq_line.setObjectName("hq-receipt")
        self.hq_line.setTextFormat(Qt.TextFormat.PlainText)
        self.hq_line.setAccessibleName(_("Headquarters"))
        self.hq_line.setVisible(False)
        self.notice = DocumentLabel()
        self.notice.setWordWrap(True)
        self.notice.setObjectName("notice")
        # why the fields are read-only (submitted, locked, hidden by the plan) and what
        # to do: read and copied with the keyboard, the first stop of Tab in the form
        # while it says something (out of reach, a screen reader user Tabbed from the
        # plan to fields that took no keys, never told why)
        from ui.dialogs import reached_by_tab, selectable

        self.notice.setTextInteractionFlags(selectable())
        reached_by_tab(self.notice)
        # Alt+B: every letter of "Reopen for editing" is taken in HQ's window (menus,
        # tabs, the form's labels: &Reports, Challe&nges, S&tatus…)
        self.reopen_button = QPushButton(_("Reopen (&back to draft)"))
        self.reopen_button.setAutoDefault(True)  # Enter presses it, as Space does
        self.reopen_button.clicked.connect(self.reopen)
        # text kept unsaved in a report that cannot take it (submitted, locked): seen,
        # copied, and thrown away only by the person's own choice
        self.discard_button = QPushButton(_("Discard unsaved text…"))
        self.discard_button.setObjectName("discard-draft")
        self.discard_button.setAutoDefault(True)
        self.discard_button.clicked.connect(self.discard_dialog)
        self.discard_button.setVisible(False)
        # the buttons beside the notice where there is room, under it where there is
        # not: beside it at the pane's narrowest, the notice wrapped one word a line and
        # both buttons made the form scroll sideways (560 pixels wide in French)
        from ui.flow import FlowLayout

        notice_row = FlowLayout()
        notice_row.addWidget(self.notice)
        notice_row.addWidget(self.reopen_button)
        notice_row.addWidget(self.discard_button)
        for w in (self.description, self.meta, self.hq_line):
            outer.addWidget(w)
        outer.addLayout(notice_row)
        # near the top: an error of the whole save is seen without scrolling
        self.general_error = self._error_label()
        outer.addWidget(self.general_error)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # a field goes under its label when both do not fit side by side ("Pourcentage
        # d'achèvement (0–100)" beside its field was most of the form's narrowest width)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.status = QComboBox()
        for status in STATUSES:
            self.status.addItem(f"{STATUS_SYMBOLS[status]} {status_label(status)}", status)
        find_by_words(self.status)  # ("o": On track, past its symbol)
        self.status.setAccessibleName(_("Status"))
        self.status.currentIndexChanged.connect(self._edited)
        # in its place while the report cannot be edited: a disabled combo is skipped
        # by Tab and by screen readers, so the status of a submitted or locked report
        # was never heard. Read-only, as the other fields are then.
        self.status_read_only = QLineEdit()
        self.status_read_only.setReadOnly(True)
        self.status_read_only.setAccessibleName(_("Status"))
        show_read_only(self.status_read_only, True)
        self.status_read_only.setVisible(False)
        self.status.currentTextChanged.connect(self.status_read_only.setText)
        status_box = QWidget()
        status_row = QHBoxLayout(status_box)
        status_row.setContentsMargins(0, 0, 0, 0)
        status_row.addWidget(self.status)
        status_row.addWidget(self.status_read_only)
        self.percent = QLineEdit()
        # left to right in Arabic too, as the label's "(0–100)" beside it reads ("100–0")
        self.percent.setPlaceholderText(isolated(_("0–100")))
        self.percent.setAccessibleName(_("Percent complete"))
        self.percent.setMaximumWidth(120)
        self.percent.setAlignment(_leading())
        self.percent.textEdited.connect(self._edited)
        self.percent.installEventFilter(self.undo_keys)
        from ui.held_keys import HeldKeys

        self._held_keys = HeldKeys(self._name_of, self)
        for field in (self.status, self.status_read_only, self.percent):
            self._held_keys.watch(field)
        self.errors: dict[str, QLabel] = {}
        # labels of their own: addRow(text, …) made the row's box their buddy, which
        # takes no focus, so Alt+T and Alt+M did nothing
        self._status_name = QLabel(_("S&tatus"))
        self._status_name.setBuddy(self.status)
        form.addRow(self._status_name, self._with_error("status", status_box, self.status))
        # the range in the label: the placeholder says it too, but in light grey
        # on two lines where the form is narrow ("Pourcentage d’achèvement (0–100)"
        # held it at 358 pixels at 14 points), on one where it is not
        from ui.flow import OneLineLabel

        percent_name = OneLineLabel(_("Percent co&mplete (0–100)"))
        percent_name.setBuddy(self.percent)
        percent_box = self._with_error("percent", self.percent)
        # a status and a percent that disagree (completed at 50 %): shown under both,
        # and read with either: a screen reader user who chose "Completed" in the
        # status heard nothing of the percent left at 40
        self.status_note = self._note_label(self.errors["percent"], self.errors["status"])
        percent_box.layout().addWidget(self.status_note)
        form.addRow(percent_name, percent_box)
        outer.addLayout(form)

        from ui.indicator_grid import IndicatorBox

        self.indicator_box = IndicatorBox(_("Indicators"))
        self.indicator_grid = QGridLayout(self.indicator_box)
        self.indicator_edits: dict[str, QLineEdit] = {}
        #: the indicators whose unit is percent ("4,8 %" may be typed there)
        self.percent_indicators: set[str] = set()
        self.indicator_notes: dict[str, QLabel] = {}
        outer.addWidget(self.indicator_box)

        self.narratives: dict[str, PlainTextEdit] = {}
        labels = {
            "achievements": _("&Achievements"),
            "challenges": _("Challe&nges"),
            "next_steps": _("Ne&xt steps"),
        }
        for name in NARRATIVE_FIELDS:
            edit = PlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setUndoRedoEnabled(False)  # undo goes through the window's stack
            edit.installEventFilter(self.undo_keys)
            edit.viewport().installEventFilter(self.undo_keys)
            self._held_keys.watch(edit)
            edit.setAccessibleName(labels[name].replace("&", ""))
            # all three fit beside the tree at 1366×768; longer text scrolls inside
            edit.setMinimumHeight(70)
            edit.setMaximumHeight(130)
            edit.textChanged.connect(self._edited)
            # the lines typed past the bottom of what the editor shows stay in sight
            edit.cursorPositionChanged.connect(self._caret_moved)
            label = QLabel(labels[name])
            label.setBuddy(edit)
            outer.addWidget(label)
            outer.addWidget(self._with_error(name, edit))
            self.narratives[name] = edit
        self.saved_label = QLabel()
        #: whether the next "Saved." or "Not saved." is said (``say_when_saved``); no
        #: longer once another report is shown
        self._saying_save = False
        self.saved_label.setObjectName("saved")
        self.saved_label.setAccessibleName(_("Save state"))
        self._title_row.addWidget(self.saved_label, 0, Qt.AlignmentFlag.AlignTop)
        self._outer.insertWidget(1, self._form)
        self._form.setVisible(self.action is not None)
        self._set_editable(False, for_now=True)  # until a report is loaded

    def say_when_saved(self) -> None:
        """Say to a screen reader whether the save asked for now (Ctrl+S) went
        through: "Saved." or "Not saved." beside the title was seen, and heard by no
        one. (Not for the saves made as one types: each would interrupt the typing.)"""
        if self._saves_in_flight == 0:  # (refused at once: "Not saved." is there)
            from ui.dialogs import say_in_passing

            if self.saved_label.text():
                say_in_passing(self.saved_label, self.saved_label.text())
            return
        self._saying_save = True

    def _say(self, text: str) -> None:
        """Whether what is typed is saved, beside the title ("Not saved." in red)."""
        self.saved_label.setText(text)
        # (the save's outcome only: "Unsaved changes…" of a key typed meanwhile is not
        # it, and took the saying with it)
        if self._saying_save and text in (_("Saved."), _("Not saved.")):
            from ui.dialogs import say_in_passing

            self._saying_save = False
            say_in_passing(self.saved_label, text)
        failed = text == _("Not saved.")
        self.saved_label.setStyleSheet("color: #a40000; font-weight: bold;" if failed else "")

    def _error_label(self, field: QWidget | None = None, about: str = "") -> QLabel:
        label = _ErrorLabel(field, about)
        label.setTextFormat(Qt.TextFormat.PlainText)  # a core error may name a path
        label.setStyleSheet("color: #a40000;")
        label.setAccessibleName(_("Error"))
        label.setVisible(False)
        return label

    def _note_label(self, error: _ErrorLabel, *also: _ErrorLabel) -> QLabel:
        """A note under ``error``'s field of what looks wrong there but is saved as
        typed (``_show_notes``): dark amber, not the errors' red; read with the field
        as its error is, and with the fields of ``also`` (errors elsewhere) too."""
        label = _ErrorLabel(None, after=(error, *also))
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {NOTE_COLOUR};")
        label.setAccessibleName(_("Note"))
        label.setVisible(False)
        return label

    def _with_error(self, name: str, widget: QWidget, field: QWidget | None = None) -> QWidget:
        """``widget`` above its error, which describes ``field`` (the widget itself
        unless given)."""
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(widget)
        err = self._error_label(field or widget)
        lay.addWidget(err)
        self.errors[name] = err
        return box

    def use_window_undo(self, undo: QAction, redo: QAction) -> None:
        """Send the fields' undo and redo keys to the window's actions."""
        self.undo_keys.undo, self.undo_keys.redo = undo, redo

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self._form is not None and self._form.isAncestorOf(new):
            self.keep_in_sight(new)
        if old is None or not self._editable:
            return
        fields = [
            self.status,
            self.percent,
            *self.indicator_edits.values(),
            *self.narratives.values(),
        ]
        if any(old is f for f in fields):
            self.save_now()
            self._reformat(old)

    def keep_in_sight(self, field: QWidget, *, whole: bool = True) -> None:
        """Scroll the form so that ``field`` is in sight: all of it where it fits
        (``whole``), else where its caret is. Qt's scroll area follows Tab only as far
        as a text box's first line, and neither a label's key (Alt+X, "Next steps")
        nor the caret going down as lines are typed: on a small screen (1024×600 at
        150 %) the box came up half shown or not at all, and the lines typed went on
        out of sight."""
        form = self._form
        if form is None or not form.isVisible() or not form.isAncestorOf(field):
            return
        from PySide6.QtCore import QPoint

        body = self.widget()  # (the form and the title above it: what scrolls)
        view = self.viewport().height()
        if whole and field.height() <= view:
            top = field.mapTo(body, QPoint(0, 0)).y()
            bottom = top + field.height()
            # and the line above it where there is room: a box's label ("Next steps")
            above = self.fontMetrics().lineSpacing() + 8
            if field.height() + above <= view:
                top = max(0, top - above)
            self.ensureVisible(0, (top + bottom) // 2, 0, (bottom - top + 1) // 2)
            return
        caret = getattr(field, "cursorRect", None)
        if caret is None:
            self.ensureWidgetVisible(field, 0, 0)
            return
        rect = caret()  # (a text box's: in its viewport, which scrolls in the box)
        inner = field.viewport() if hasattr(field, "viewport") else field
        centre = inner.mapTo(body, rect.center())
        self.ensureVisible(centre.x(), centre.y(), 0, rect.height())

    def _caret_moved(self) -> None:
        field = self.sender()
        if isinstance(field, QWidget) and field.hasFocus() and not self._loading:
            self.keep_in_sight(field, whole=False)

    def _reformat(self, field: QWidget) -> None:
        """An actual that was left shows its number as the Target does ("12000" typed
        becomes "12,000"), the percent as a saved one is shown ("٤٥٪" typed becomes
        "45"): the same number, so nothing is edited by it. A text that is not a
        number, or a number too large, stays as typed, beside its error."""
        if self._loading:
            return
        if field is self.percent:
            percent = parse_percent(field.text())
            if percent is None:
                return
            text = _percent_text(None if percent == "" else percent)
        elif any(e is field for e in self.indicator_edits.values()):
            number = parse_number(field.text())
            if number is None or (number != "" and too_large_error(number, field.text())):
                return  # refused: kept as typed, beside its error
            text = _number_text(None if number == "" else number)
        else:
            return
        if text != field.text():
            self._loading = True
            try:
                field.setText(text)
            finally:
                self._loading = False

    # loading -------------------------------------------------------------------------
    def show_report(self, action: Action | None, period: str) -> None:
        """Show (after saving what is typed) the report on ``action`` for ``period``.

        Until its data is in, the form is read-only and says it is loading: what is
        typed always goes to the report whose title is shown."""
        self.save_now()
        same = (
            action is not None
            and self.action is not None
            and action.code == self.action.code
            and period == self.period
        )
        if same and self._editable and not self._loading:
            from ui.editor_place import place_of

            self._typing_place = place_of(self)
        elif not same:
            self._typing_place = None
        self._typing_in = same and (self._typing_in or self._editable)
        self._read_unseen = not same or self._read_unseen
        if not same:
            self._typed_here = False
            self._dropped = ()  # (another report's, until this one's are loaded)
            # Ctrl+S's save of the report left comes back unheard (not shown here), and
            # the next save made as one types on this one is no save asked for
            self._saying_save = False
        self.gone = None
        if not same and not self._keeps_undo(action, period):
            # undo and redo apply to the report on screen only
            self.undo_stack.clear()
            self._set_failed(False)
            emit(self.edits_did_change)
        self.action, self.period = action, period
        if action is None:
            self.title.setText(_("Choose an action in the plan."))
            if self._form is not None:
                self._held_keys.drop()
                self._set_editable(False)
                self._form.setVisible(False)
            self._drafts_did_change()
            return
        self._build_form()
        self._form.setVisible(True)
        # what is typed until it is read is kept for it (typed in once it is read);
        # what was kept for another report is not for this one
        if same:
            self._held_keys.keep_holding()
        else:
            self._held_keys.hold()
            taken, self.keys_taken_over = self.keys_taken_over, None
            if taken is not None and taken[0] == (action.code, period):
                self._held_keys.take_over(taken[1])
        self._show_loading(action, clear=not same)
        code, office = action.code, self.identity.office
        # the journal's draft of this report: which of its values were saved already
        # (the program ended before it heard so) is told by the database
        key = (code, period)
        journal = self._journal()
        draft = journal.values(key)
        typed_over = {k: v for k, v in journal.base(key).items() if k in draft}

        have = {ind.key for ind in action.indicators}

        def fetch(rep):
            written = check_base(rep, code, period, draft, typed_over).written if draft else ()
            locked = is_locked(rep, period)
            report = get_report(rep, code, period, office)
            return (report, locked,
                    report_versions(rep, code, period, office), written,
                    _conflicts_shown(rep, code, period, office),
                    after_lock_text(rep, code, period, office) if locked else "",
                    # (the key headquarters trusted in its place, if that cut it off)
                    key_revoked(rep) and (key_replaced_by(rep) or True),
                    dropped_values(rep, report, have),
                    _receipt(rep, code, period), recorded_in(rep, code, period, office))

        writes = self._writes
        DbOp(self.session, self, fetch).success(
            lambda res, a=action, p=period: self._loaded(a, p, *res[:-2], writes=writes,
                                                         receipt=res[-2], recorded=res[-1])
        ).run()

    def _keeps_undo(self, action: Action | None, period: str) -> bool:
        """Whether the undo steps taken over on a language change stay: while no
        report is shown yet, and for theirs when it is."""
        kept = self.keep_undo_for
        if kept is None:
            return False
        if action is None:
            return True
        self.keep_undo_for = None
        return (action.code, period) == kept

    def reload(self) -> None:
        if self.action is not None:
            self.show_report(self.action, self.period)

    def _show_loading(self, action: Action, clear: bool) -> None:
        """Read-only, saying so, until the report is fetched; another report's text
        is cleared away at once."""
        self._set_editable(False, for_now=True)  # the same report again keeps its undo
        self.title.setText(in_layout_direction(action_title(action)))
        self.notice.setText(_("Loading…"))
        self.notice.setVisible(True)
        self.reopen_button.setVisible(False)
        self.discard_button.setVisible(False)
        if clear:
            self._loading = True
            try:
                self.description.setText(action.description.get(lang()))
                self.meta.setText("")
                self.percent.setText("")
                for edit in self.indicator_edits.values():
                    edit.setText("")
                for edit in self.narratives.values():
                    edit.setPlainText("")
                self.indicator_box.setVisible(False)
            finally:
                self._loading = False
            self._say("")
            self.hq_line.setVisible(False)  # (another report's)
            self.general_error.setVisible(False)
            for err in self.errors.values():
                err.setVisible(False)

    def _loaded(
        self,
        action: Action,
        period: str,
        report: ProgressReport | None,
        locked: bool,
        versions: dict[str, str] | None = None,
        written: Any = (),
        conflicts: Mapping[str, Any] | frozenset[str] = frozenset(),
        after_lock: str = "",
        revoked: bool | str = False,
        dropped: tuple[tuple[Text | None, str, Any], ...] = (),
        writes: int = 0,
        receipt: Any = None,
        recorded: Mapping[str, Any] | None = None,
    ) -> None:
        if action is not self.action or period != self.period:
            return  # the user moved on meanwhile
        if writes != self._writes:
            self.reload()  # an edit, undo or redo was written since: fetch again
            return
        self.report = report
        self._show_receipt(receipt)
        self._locked = locked
        # the field the keyboard is in: its Actual fields are made again below, and the
        # focus went with the one it was in (to no widget: the next keys went nowhere)
        focused = self.window().focusWidget()
        aimed = self._name_of(focused) if focused is not None else None
        self._loading = True
        try:
            self._fill(action, report)
            self._show_recorded(report, recorded or {})
            self._dropped = dropped
            self._show_dropped(len(action.indicators), dropped)
            self._base = dict(self._saved)
            versions = versions or {}
            self._base_ids = {k: [versions[k]] if k in versions else [] for k in self._saved}
            restored = self._restore_drafts(action.code, period, set(written))
        finally:
            self._loading = False
        own = action.level == self.identity.level
        submitted = report is not None and report.state == "submitted"
        if not own:
            # the refusal a write on it gets (the command line's too), which says the
            # level the office reports on: a regional office that chose "National" in
            # the tree read only "This is a National action: RO-Dakar does not report
            # on it", the level capitalised inside the sentence
            self.notice.setText(isolated_codes(sentence(str(level_error(
                action, self.identity.office, self.identity.level)))))
        elif after_lock:
            # changed after the lock (before it reached this computer): stuck until
            # headquarters unlocks the period, as 'fieldplan status' warns
            self.notice.setText(isolated_codes(sentence(after_lock)))
        elif locked and report is not None and report.state == "draft":
            # as the dashboard and 'fieldplan status' say of it: a draft left when the
            # period was locked is not "submitted later"; headquarters' own draft, to
            # the one who can unlock it
            self.notice.setText(_("This period is locked: this draft will not be "
                                  "submitted unless you unlock the period.")
                                if self.identity.is_hq else
                                _("Headquarters has locked this period: this draft will "
                                  "not be submitted unless headquarters unlocks the "
                                  "period."))
        elif locked:
            self.notice.setText(locked_period_text(self.identity.is_hq))
        elif self.identity.read_only:
            self.notice.setText(read_only_text())
        elif submitted:
            self.notice.setText(_("This report is submitted. Reopen it to edit it."))
        else:
            self.notice.setText("")
        editable = own and not locked and not submitted and not self.identity.read_only
        if not editable and own and self._typing_in and self._held_keys.held():
            restored = self._keep_held_typing(action.code, period) or restored
        self._typing_in, self._typing_place = False, None
        self._read_unseen = False
        if own and revoked:
            # headquarters revoked this computer's key: what is saved here stays here
            from fieldplan.status import revoked_work_text
            from ui.set_up_again import set_up_again_menu

            cut_off = sentence(revoked_work_text(
                set_up_again_menu(), revoked if isinstance(revoked, str) else "")) + "."
            self.notice.setText("\n".join(t for t in (cut_off, self.notice.text()) if t))
        key = (action.code, period)
        blocked = "locked" if locked else "submitted" if submitted else ""
        if own and blocked:
            self._blocked[key] = blocked
        else:
            self._blocked.pop(key, None)
        if restored and not editable:
            if own and locked:
                # (HQ may unlock it: kept until then, or until the person discards it)
                kept = _("What was typed is shown below, not saved: it cannot be saved "
                         "while the period is locked. You can copy it, or discard it.")
            else:
                kept = _("Unsaved changes are shown below and kept until they can be "
                         "saved.")
            self.notice.setText("\n".join(t for t in (self.notice.text(), kept) if t))
        self._conflicts_line, self._told = "", set()
        self._show_conflicts(conflicts)
        self.notice.setVisible(bool(self.notice.text()))
        self.reopen_button.setVisible(own and submitted and not locked
                                      and not self.identity.read_only)
        self.discard_button.setVisible(restored and not editable)
        self._set_editable(editable)
        if restored:
            self._say(_("Restored unsaved changes"))
            refused = self._journal().errors.get(key)
            if editable:
                self.save_now()  # (reopened since it was refused: tried again)
            elif refused:
                self._say(_("Not saved."))
                self.general_error.setText(sentence(refused))
                self.general_error.setVisible(True)
        self._drafts_did_change()
        if aimed is not None:
            self._keep_focus_in(aimed)
        emit(self.report_did_load, action.code, period)
        if editable:
            self._held_keys.replay(self._field)
        else:  # (its notice says why nothing can be typed in it)
            self._held_keys.drop()

    def _keep_held_typing(self, code: str, period: str) -> bool:
        """(``_loaded``) The report the person was typing in was read again and can be
        edited no more (an import locked its period, or submitted it): the keys typed
        while it was read are typed in all the same and kept in its draft, shown below
        its notice with the rest of what the database could not take. They went nowhere,
        unsaid: the end of a word typed as the lock came in. Whether the draft holds
        anything now (made read-only by ``_set_editable`` next)."""
        try:
            # (where the keys went: its draft put back, at the start of each text)
            with self._typing_held_keys(at_place=True):
                self.journal_now()
        finally:
            emit(self.edits_did_change)  # (nothing to undo: typing in a draft kept)
        return (code, period) in self._journal()

    @contextmanager
    def _typing_held_keys(self, *, at_place: bool, read_only_after: bool = False
                          ) -> Iterator[None]:
        """The keys held (ui.held_keys) typed into the form's fields, opened for them,
        as typed in the report (``_editable``, for ``journal_now``), ``at_place`` where
        the cursor was when they were typed (``_typing_place``); inside, what keeps
        them. After, no save to make (it would be refused, or the report is not read),
        the fields read-only again when ``read_only_after``."""
        fields = (self.percent, *self.indicator_edits.values(), *self.narratives.values())
        for edit in fields:
            edit.setReadOnly(False)
        if at_place and self._typing_place is not None:
            from ui.editor_place import put_back

            put_back(self, self._typing_place)
        self._editable = True
        try:
            self._held_keys.replay(self._field)
            yield
        finally:
            self._editable = False
            if read_only_after:
                for edit in fields:
                    edit.setReadOnly(True)
            self._debounce.cancel()

    def _name_of(self, widget: object) -> str | None:
        """The name of the form's field ``widget`` is (``_field``'s; "status" for the
        read-only status in the combo's place), or None."""
        if self._form is None:
            return None
        if widget is self.status or widget is self.status_read_only:
            return "status"
        if widget is self.percent:
            return "percent"
        for key, edit in self.indicator_edits.items():
            if widget is edit:
                return f"value.{key}"
        for name, edit in self.narratives.items():
            if widget is edit:
                return name
        return None

    def _keep_focus_in(self, name: str) -> None:
        """(a report read again) The keyboard back in the field ``name`` it was in
        before, unless the person is elsewhere now."""
        field = self._field(name)
        if name == "status" and not self._editable:
            field = self.status_read_only
        if field is None:
            return
        if name.startswith("value."):
            # (made just now: the layout shows it later, and a hidden widget takes no
            # focus)
            field.show()
        focused = self.window().focusWidget()
        if (focused is field or not field.isVisible()
                or (focused is not None and not self._form.isAncestorOf(focused))):
            return
        field.setFocus(Qt.FocusReason.OtherFocusReason)

    # the draft journal ---------------------------------------------------------------
    def _journal(self):
        """The draft journal of this database (ui.drafts), loaded when first needed."""
        from ui.drafts import DraftRetry, journal_for

        journal = journal_for(self.session, self.identity)
        if self._retry is None:
            self._retry = DraftRetry(
                journal, self._showing, self._write, self._drafts_did_change, self
            )
            self._retry.tick_here = self._retry_here
            self._retry.refused_by_plan = self._refused_by_plan
            self._retry.set_apart_again = self._set_apart_again
            self._retry.tried = self._retried
            journal.write_state_did_change.connect(self._drafts_did_change)
            journal.aside_did_end.connect(self._aside_did_end)
        return journal

    def resume_drafts(self) -> None:
        """(after the first paint) retry what a previous session could not save; what
        the plan refuses now (amended since) is set aside, not retried."""
        if not self._closed:
            journal = self._journal()
            self._set_aside_refused()
            # tried now, not in RETRY_MS: until a try fails there is no failure to say
            self._recovered = {key for key in journal.reports() if journal.values(key)}
            self._untried = set(self._recovered)
            self._drafts_did_change()
            self._read_blocked()
            if self._untried:
                self._retry.retry()

    def _read_blocked(self) -> None:
        """Ask the database which of the journal's reports cannot take their text now
        (submitted, or locked by headquarters): said, and not retried, until that
        changes (a reopen, an unlock: ``_changes_did_happen`` asks again)."""
        journal = self._journal()
        keys = journal.reports()
        office = self.identity.office
        if not keys and not self._blocked:
            return

        def read(rep) -> dict[tuple[str, str], str]:
            found = {}
            for key in keys:
                if is_locked(rep, key[1]):
                    found[key] = "locked"
                else:
                    report = get_report(rep, *key, office)
                    if report is not None and report.state == "submitted":
                        found[key] = "submitted"
            return found

        def got(found: dict[tuple[str, str], str]) -> None:
            if self._closed:
                return
            # (a report the journal took meanwhile was typed in: not blocked then)
            blocked = {k: v for k, v in found.items() if k in journal}
            if blocked != {k: v for k, v in self._blocked.items() if k in journal}:
                self._blocked = blocked
                self._drafts_did_change()
                if self._retry is not None:
                    self._retry.update()
            else:
                self._blocked = blocked

        DbOp(self.session, self, read).success(got).failure(lambda _e: None).run()

    def discard_dialog(self) -> QWidget | None:
        """(Discard unsaved text…) Ask, showing the text, then throw away what the
        report on screen holds unsaved and cannot take (submitted, locked)."""
        from ui.unkept import discard_dialog

        if self.action is None or self._editable:
            return None
        key = (self.action.code, self.period)
        journal = self._journal()
        if key not in journal:
            return None
        dialog = discard_dialog(self, journal, key)
        dialog.accepted.connect(lambda: self.discard_draft(key))
        dialog.open()
        return dialog

    def aside_reports(self) -> list[tuple[tuple[str, str], str]]:
        """The reports whose text the plan refused and is set aside (ui.drafts), and
        those whose text was typed in another database and found beside this one, with
        why: the window offers to read, copy and discard it (``aside_dialog``)."""
        if self._retry is None:
            return []
        journal = self._retry.journal
        return [*journal.put_aside,
                *((key, typed_elsewhere(office)) for key, office in journal.foreign)]

    def aside_dialog(self) -> QWidget | None:
        """(Text set aside…) Show the text set aside, to copy, and discard it
        once the person says so: the status bar's red message then ends. None when
        there is none."""
        from ui.unkept import set_aside_dialog

        journal = self._journal()
        entries = journal.aside_entries()
        foreign = journal.foreign_entries()
        if not entries and not foreign:
            self._discard(entries, foreign)  # (gone meanwhile: said no more)
            return None
        dialog = set_aside_dialog(self, entries, [
            (typed_elsewhere(str(entry.get("_office") or "")), entry)
            for _path, entry in foreign])
        dialog.accepted.connect(lambda: self.discard_aside(entries, foreign))
        dialog.open()
        return dialog

    def discard_aside(self, entries: list[dict],
                      foreign: list[tuple[Path, dict]] | None = None) -> None:
        """Throw away these entries of the set-aside text, and of another database's
        text found beside this one (``DraftJournal.foreign_entries``): the person saw
        them and chose to. What was set aside since stays, and is said. Off the GUI
        thread: the set-aside file is changed under its lock, which another fieldplan
        writing it holds (waited for up to ``ui.drafts.LOCK_WAIT_MS``: the window
        froze meanwhile); the status bar says it once done, or why it could not be."""
        self._discard(entries, foreign or [])

    def _discard(self, entries: list[dict], foreign: list[tuple[Path, dict]]) -> None:
        """``discard_aside``, on a thread of its own (none of the database's: the
        worker may be busy with a save); with none of either, what the files hold is
        read again (they are no more: said no more)."""
        from ui.ops import OffThread

        journal = self._journal()

        def run() -> str:
            error = journal.discard_aside(entries)
            if foreign or not entries:
                error = journal.discard_foreign(foreign) or error
            return error

        def done(error: str) -> None:
            if shiboken6.isValid(self) and not self._closed:
                self._aside_discard_error = error
                self._drafts_did_change()
            elif shiboken6.isValid(journal):
                # (a language change made the window again meanwhile) said there: the
                # text is gone from the file, or still there to discard again
                journal.aside_did_end.emit()

        def failed(exc: BaseException) -> None:
            done(error_text(exc))

        OffThread(run, done, failed, name="fieldplan-discard-aside")

    def discard_draft(self, key: tuple[str, str]) -> None:
        """Throw away what ``key`` holds unsaved (the person chose to): the journal no
        longer keeps it, the status bar no longer says it, and the report shows what
        the database holds."""
        journal = self._journal()
        journal.put(key, {}, {})
        journal.write()
        self._blocked.pop(key, None)
        self._drafts_did_change()
        if self._showing() == key:
            # the text thrown away goes from the fields at once (and its errors)
            self._show_loading(self.action, clear=True)
            self.reload()

    def _retried(self, key: tuple[str, str], saved: bool) -> None:
        """(DraftRetry) a write of a report not on screen ended: one an earlier session
        left is said once saved."""
        self._untried.discard(key)
        if saved and key in self._recovered:
            self._recovered.discard(key)
            self.recovered_saved.append(key)

    def set_identity(self, identity: Identity) -> bool:
        """A new plan (an amendment): the drafts it refuses are set aside, the report
        on screen's too when the plan refuses it. Whether that report stays on screen,
        read-only, saying why (``_show_gone``): the person was at it, typing or with
        the keyboard in its form, and the next keys must not go into a report they did
        not choose. Else the office view shows the report the plan offers in its
        place."""
        from fieldplan.planops import PlanScope

        self.identity = identity
        if self._closed:
            return False
        here = self._showing()
        why = PlanScope(identity.plan).why_hidden(identity.office, *here) if here else ()
        at_work = bool(why) and self._at_work()
        if why and self._editable:
            # what is typed goes with the draft, and is never sent: it cannot be saved
            self.journal_now()
            self._debounce.cancel()
            self._set_editable(False)
        if at_work:
            self._show_gone(why)
        self._set_aside_refused()
        self._drafts_did_change()
        return at_work

    def person_at_it(self) -> bool:
        """Whether the person is at the report on screen (``_at_work``), or it holds
        text the database does not: typed and not saved yet, or kept in the drafts
        journal (a save on its way, or refused), or it is one the plan hides, shown as
        the person left it (``gone``). The window does not move them away from it by
        itself (a lock imported: MainWindow._period_after_lock)."""
        if self.gone is not None:
            return True
        key = self._showing()
        if key is None:
            return False
        return (self._at_work() or self.dirty()
                or (self._retry is not None and key in self._retry.journal))

    def _at_work(self) -> bool:
        """Whether the person is at the report on screen: typed in it since it was
        shown, or the window's keyboard focus (kept while a dialog has it) is in the
        form."""
        focus = self.window().focusWidget()
        return self._typed_here or (focus is not None and self.isAncestorOf(focus))

    def _show_gone(self, why: tuple[str, ...]) -> None:
        """(an amendment hid the report on screen while the person was at it) The
        report stays on screen, read-only (the keys typed next go nowhere, as in a
        period locked meanwhile), saying that headquarters' plan update hides it, where
        what was typed in it is kept, and to choose an action to go on. No report is
        the editor's any more: nothing reloads it, and choosing any action shows it."""
        from ui.editor_place import texts_of

        key = self._showing()
        journal = self._journal()
        typed = key in journal or any(k == key for k, _why in journal.put_aside)
        gone = GoneReport(self.action, self.period, self.report, tuple(why),
                          self.identity.plan.version, typed, texts_of(self), self._dropped)
        self._set_editable(False)
        self.action, self.report, self._locked = None, None, False
        self._blocked.pop(key, None)
        self._set_failed(False)
        self._say_gone(gone)

    def show_gone(self, gone: GoneReport) -> None:
        """(a language change) The report an amendment hid that the window this one
        replaces showed (``_show_gone``): shown again as it was, read-only, its words in
        this window's language."""
        from ui.editor_place import put_texts

        self.save_now()
        self.undo_stack.clear()  # (the old window's were cleared with it read-only)
        self._build_form()
        self._form.setVisible(True)
        self.action, self.period, self.report = gone.action, gone.period, gone.report
        self._loading = True
        try:
            self._fill(gone.action, gone.report)
            # (the line under the indicators of values an earlier amendment dropped)
            self._show_dropped(len(gone.action.indicators), gone.dropped)
            put_texts(self, gone.texts)
        finally:
            self._loading = False
        self._set_editable(False)
        self.action, self.report, self._locked = None, None, False
        self._say_gone(gone)

    def _say_gone(self, gone: GoneReport) -> None:
        """The notice of a report an amendment hid (``_show_gone``)."""
        from fieldplan.i18n import menu_path
        from fieldplan.planops import why_hidden_text

        self.gone = gone
        self._saying_save = False  # (no report is the editor's: none is saved here)
        lines = [
            # Translators: {reasons} as in "Hidden by the plan: {reasons}." (the plan no
            # longer has this action; this period is outside the plan's dates…)
            _("Headquarters' update of the plan (version {version}) hides this report: "
              "{reasons}.").format(version=gone.version, reasons=why_hidden_text(gone.why))]
        if gone.typed:
            lines.append(_(
                "What was typed in it cannot be saved any more. It is kept, not lost: "
                "{menu} shows it, to copy or discard.").format(
                    menu=menu_path(_("&View"), _("Te&xt set aside…"))))
        if gone.report is not None:
            # Translators: the last entry of the plan tree lists them, as in "3 reports
            # not in the current plan"
            lines.append(_("What was saved in it can still be read at the end of the "
                           "plan, among the reports not in the current plan."))
        lines.append(_("It can no longer be edited here: choose an action in the plan to "
                       "go on."))
        self.notice.setText("\n".join(lines))
        self.notice.setVisible(True)
        for widget in (self.reopen_button, self.discard_button, self.hq_line,
                       self.general_error, *self.errors.values()):
            widget.setVisible(False)
        self._say("")
        # said now: the focus stays in the field typed in, read-only since, and the keys
        # typed next go nowhere; a screen reader said nothing of why (the notice is above,
        # away from the focus). In the window a language change makes again too.
        from ui.dialogs import announce

        announce(self.notice, self.notice.text())

    def _set_aside_refused(self) -> None:
        """Set aside (ui.drafts) the journal's drafts the plan refuses: typed before an
        amendment that dropped their action or period or moved the action to another
        level, they can never be saved, and their period or action may no longer be
        reachable to throw them away. And the fields of the others the editor cannot
        show (``DraftJournal.set_apart``: a field this version has not, a value of
        another kind): opening the report would drop them."""
        from fieldplan.planops import PlanScope
        from ui.drafts import UNFIT

        journal = self._journal()
        plan = self.identity.plan
        scope = PlanScope(plan)
        office = self.identity.office
        reasons: dict[tuple[str, str], tuple[str, ...]] = {}
        moved = []
        for key in journal.reports():
            why = scope.why_hidden(office, *key)
            if why:
                reasons[key] = tuple(why)  # (said in the language it is read in)
                continue
            moved += _follow_moved(journal, plan, scope, office, key)
            if journal.set_apart(key, _indicators(plan, key[0])):
                reasons[key] = (UNFIT,)
        self._save_moved(moved)
        for key in journal.apart():  # (earlier tries the set-aside file refused)
            reasons.setdefault(key, (UNFIT,))
        if reasons:
            self._set_aside(reasons)

    def _save_moved(self, moved: list[tuple[str, str]]) -> None:
        """Save now the drafts that took values of indicators moved to their action
        (``_follow_moved``), not at the next retry: meanwhile the status bar said them
        "not saved yet — retrying", as if a save had failed."""
        if moved and self._retry is not None and not self._closed:
            self._retry.journal.write()
            self._retry.retry()

    def _set_aside(self, reasons: dict[tuple[str, str], tuple[str, ...]]) -> None:
        """Set these reports' drafts aside (``DraftJournal.set_aside_off_thread``): on a
        thread of its own, as the set-aside file's lock may be held by another fieldplan
        writing it (waited for up to ``ui.drafts.LOCK_WAIT_MS``: the window froze
        meanwhile). Until the file holds them they stay in the journal, and the status
        bar says they are being set aside; then what became of them. What was typed in
        them meanwhile is set aside in its turn."""
        if self._journal().set_aside_off_thread(reasons):
            self._drafts_did_change()

    def _aside_did_end(self) -> None:
        """(``DraftJournal.aside_did_end``) A setting aside ended, this editor's or the
        one of the window a language change replaced: said, and what was typed in those
        reports meanwhile set aside in its turn."""
        if self._closed or self._retry is None:
            return
        if not self._retry.journal.aside_error:
            self._set_aside_refused()
        self._drafts_did_change()

    def _set_apart_again(self, keys: list[tuple[str, str]]) -> None:
        """(retry timer) Send again to the set-aside file the fields the editor cannot
        show that it could not take (``DraftJournal.apart``: busy, a full disk)."""
        from ui.drafts import UNFIT

        if not self._closed:
            self._set_aside({key: (UNFIT,) for key in keys})

    def _refused_by_plan(self, key: tuple[str, str], error: BaseException) -> None:
        """A write the plan refused (the database holds an amendment this window may
        not show yet): its draft is set aside, and the window told to read the plan."""
        self._set_aside({key: tuple(getattr(error, "why", ()))})
        emit(self.plan_did_refuse)

    def _showing(self) -> tuple[str, str] | None:
        """The report on screen, if the editor looks after it itself."""
        if self.action is None or self._closed:
            return None
        return (self.action.code, self.period)

    def _write(
        self,
        key: tuple[str, str],
        values: Values,
        base: dict[str, list[str] | None] | None = None,
        got: dict[str, Any] | None = None,
        *,
        outlives: bool = False,
    ) -> DbOp:
        """The write of ``values`` to a report, each over the versions in ``base`` it
        was typed over (a field not in it: over what the report shows), waiting only
        briefly for another writer's lock (saves, undo/redo and draft retries all go
        this way). ``got`` receives what the database holds afterwards: ``report``,
        ``versions`` (report_versions), ``moved`` (the fields written as a conflict
        with a newer value) and ``moved_here`` (those of them whose every version this
        computer wrote, each with whether one was written before a restore from a
        backup), and at once ``sent``: the save's number in the draft
        journal (``DraftJournal.sending``), for its ``confirm``. ``outlives``: its
        outcome is delivered even once this editor is gone (an undo step's write: a
        language change hands the step to the window made again, whose undo then
        writes over the version it made); the callbacks check
        ``shiboken6.isValid(self)``.

        The worker confirms the write in the draft journal as soon as it is made: a
        save made as the program ends (Worker.stop, after the event loop) leaves no
        draft behind."""
        from ui.drafts import RefusedByPlan, plan_refusal, with_short_wait

        action, period = key
        journal = self._journal()
        office = self.identity.office
        got = {} if got is None else got
        # (numbered as it is sent: the worker runs saves in that order)
        sent = got["sent"] = journal.sending(key, values)

        def write(rep):
            try:
                return write_over(rep)
            except ValidationError as exc:
                # one the plan refuses (an amendment since it was typed) is set aside,
                # not retried for ever
                why = plan_refusal(rep, office, key)
                if why:
                    raise RefusedByPlan(str(exc), why) from exc
                raise

        def write_over(rep):
            typed_over = None
            if base:
                # typed over a version this program's own earlier write (still on its
                # way when this was typed) replaced: over that write, not a conflict
                # with it (the journal keeps the chain of them)
                typed_over = {name: journal.follow(key, name, ids)
                              for name, ids in base.items()}
            shown = report_versions(rep, action, period, office)
            moved = (
                check_base(rep, action, period, values, typed_over).moved
                if typed_over
                else frozenset()
            )
            changes = write_values(rep, action, period, values, typed_over)
            versions = report_versions(rep, action, period, office)
            report = get_report(rep, action, period, office)
            wrote: dict[str, tuple[list[str], list[str]]] = {}
            for name, value in values.items():
                if name in versions and _stored_as(field_value(report, name), value):
                    if typed_over is not None and typed_over.get(name) is not None:
                        replaced = typed_over[name]
                    else:
                        replaced = [shown[name]] if name in shown else []
                    if replaced != [versions[name]]:
                        wrote[name] = (replaced, [versions[name]])
            # and the fields the same write set without being sent (a new report's
            # "not started"): a value typed meanwhile over none replaces that one
            mine = {ids[0] for _replaced, ids in wrote.values()}
            for name, vid in versions.items():
                if name not in values and vid in mine and shown.get(name) != vid:
                    wrote[name] = ([shown[name]] if name in shown else [], [vid])
            journal.confirm(key, values, wrote, sent)
            journal.write()
            # (those moved on by this computer's own writes: another window or program
            # on this database, or a version from before a restore an import brought)
            mine: dict[str, bool] = {}
            if moved:
                from fieldplan.sync.conflicts import written_here_before_restore

                mine = {name: restored for name, restored in written_here_before_restore(
                    rep, action, period, office).items() if name in moved}
            got.update(report=report, versions=versions, moved=moved, moved_here=mine)
            return changes

        return DbOp(self.session, None if outlives else self, with_short_wait(write))

    def _retry_here(self) -> bool:
        """(retry timer) save the report on screen again after a failed save; whether
        it still needs it."""
        if not self._failed_here or self._closed:
            return False
        idle = self._saves_in_flight == 0 and not self._debounce.pending()
        if self._editable and not self._loading and idle:
            self.save_now()
        return self._failed_here

    def _restore_drafts(self, action: str, period: str, written: Any = ()) -> bool:
        """Put the journal's values for this report, where they differ from the
        database's and were not saved already (``written``), in the form, each to be
        saved over the versions it was typed over; whether there were any."""
        from ui.drafts import UNFIT

        self._unconfirmed = {}
        journal = self._journal()
        key = (action, period)
        # what the form cannot show (a field it has not, a value of another kind: a
        # drafts file damaged on disk, or one a later release wrote) is set aside and
        # said, never dropped by the ``put`` below
        from fieldplan.planops import PlanScope

        plan = self.identity.plan
        self._save_moved(_follow_moved(journal, plan, PlanScope(plan), self.identity.office,
                                       key))
        if journal.set_apart(key, set(self.indicator_edits)):
            self._set_aside({key: (UNFIT,)})
        if key not in journal:
            return False
        typed_over = journal.base(key)
        draft = {
            k: v
            for k, v in journal.values(key).items()
            if k in self._saved and k not in written and self._saved[k] != v
        }
        # (a damaged file's: a field the form has not, a status that is none of them)
        held = {k: t for k, t in journal.held(key).items() if self._field(k) is not None
                and (k != "status" or t in STATUSES)}
        journal.put(key, draft, held, typed_over)
        journal.write()
        if not draft and not held:
            return False
        self._show_values(draft)
        from ui.editor_place import put_texts

        put_texts(self, held)  # (as typed: the editor's checks refused them)
        _values, bad = self.current_values()
        self._unconfirmed = {name: text for name, text in held.items()
                             if name not in self.narratives and name != "status"
                             and name not in bad}
        for name in (*draft, *held):
            # (None: an older journal's, versions not known)
            ids = typed_over.get(name, [])
            self._base_ids[name] = None if ids is None else list(ids)
        return True

    def _field(self, name: str) -> QWidget | None:
        if name == "status":
            return self.status
        if name == "percent":
            return self.percent
        if name.startswith("value."):
            return self.indicator_edits.get(name[len("value.") :])
        return self.narratives.get(name)

    def journal_now(self) -> None:
        """Put what is typed in the report on screen and not known to be saved in the
        draft journal, and write it."""
        self._journal_debounce.cancel()
        if self.action is None or not self._editable or self._loading or self._closed:
            return
        values, bad = self.current_values()
        # what differs from the database, or from a save on its way there (typed back
        # to the stored value while a save of other text is on the worker: that save
        # will replace it)
        pending = {k: v for k, v in values.items() if k not in bad
                   and (self._base.get(k) != v or self._saved.get(k) != v)}
        held = {name: self._text_of(name) for name in bad}
        base = {name: _ids(self._base_ids.get(name, [])) for name in (*pending, *held)}
        journal = self._journal()
        key = (self.action.code, self.period)
        # a field of its draft the form has none for stays: a value of an indicator an
        # amendment moved to this action, put in this draft as the plan changed
        # (``_follow_moved``) while the form was still the plan before's, is shown once
        # the form is made for the new plan. Put over, it was in no report, no draft
        # and no set-aside file
        pending.update({name: value for name, value in journal.values(key).items()
                        if name not in pending and self._field(name) is None})
        held.update({name: text for name, text in journal.held(key).items()
                     if name not in held and self._field(name) is None})
        journal.put(key, pending, held, base)
        if not journal.write():
            self._drafts_did_change()

    def _text_of(self, name: str) -> str:
        field = self._field(name)
        return field.text()

    def _drafts_did_change(self) -> None:
        """Tell the window what is not saved yet; keep retrying while anything is."""
        from ui.unkept import draft_period

        retry = self._retry
        if retry is None or self._closed:
            return
        journal = retry.journal
        self._blocked = {k: v for k, v in self._blocked.items() if k in journal}
        retry.blocked = frozenset(self._blocked)
        retry.update(here=self._failed_here)
        waiting = retry.waiting()
        # (one look each: the worker thread may drop one when a save of it is done)
        has_values = {key: bool(journal.values(key)) for key in waiting}
        self._recovered = {key for key in self._recovered if journal.values(key)}
        self._untried &= self._recovered
        blocked = {key: self._blocked[key] for key in waiting if key in self._blocked}
        # a report holding only text that is not valid is not retried: it waits for
        # the person to correct it; nor is one submitted (reopened first) or locked
        # (it can never take the text here: the person discards it)
        held_only = [key for key in waiting if not has_values[key] and key not in blocked]
        to_reopen = [key for key in waiting if blocked.get(key) == "submitted"]
        locked = [key for key in waiting if blocked.get(key) == "locked"]
        # the plan refuses them and the set-aside file could not take them: kept safe
        # in the journal, not "not saved yet — retrying" (said once, below); and so
        # while each try again is on its way (its save refused again on the retry
        # timer sends it anew), said as waiting through it, not as moved afresh every
        # few seconds
        failing = journal.aside_failed() if journal.aside_error else frozenset()
        on_the_way = journal.setting_aside()
        # (those of them on their way again are not in ``waiting``: said all the same)
        shown = [*waiting, *sorted(k for k in failing if k in on_the_way
                                   and k not in waiting)]
        retrying = [key for key in waiting if has_values[key] and key not in self._untried
                    and key not in blocked and key not in failing]
        count = len(retrying) + (1 if self._failed_here else 0)
        lines = []
        for code, period in shown:
            refusal = journal.errors.get((code, period))
            if blocked.get((code, period)) == "locked":
                reason = _("headquarters has locked this period: what was typed cannot be "
                           "saved here; open the report to copy it or discard it")
            elif blocked.get((code, period)) == "submitted":
                reason = _("the report is submitted: reopen it to correct or save what "
                           "was typed, or discard it there")
            elif (code, period) in failing:
                reason = _("outside the plan now; what was typed is safe in the drafts "
                           "file until it is set aside")
            elif refusal is not None:
                reason = refusal
            elif not has_values[(code, period)]:
                reason = _("not valid, kept unsaved")
            else:
                reason = _("waiting for the database")
            lines.append(
                _("{action} ({period}): {reason}").format(
                    action=code, period=draft_period(period), reason=reason
                )
            )
        text = ""
        if count:
            text = counted(
                "{n} report not saved yet — retrying", "{n} reports not saved yet — retrying", count
            )
            refused = [
                line for key, line in zip(shown, lines, strict=True)
                if key in journal.errors and key in retrying
            ]
            if refused:
                text += " · " + refused[0]
        # each kind of report kept unsaved: one named, or the first few (the tooltip
        # names them all)
        for keys, one, many in (
            (held_only,
             # Translators: {report} is "PA1.1 (2nd semester 2026)"
             lambda report: _("{report}: not valid, kept unsaved — open it to "
                              "correct").format(report=report),
             # Translators: {reports} lists reports ("PA1.1 (2nd semester 2026),
             # PA3.6 (1st semester 2026)")
             lambda n, reports: counted(
                 "{n} report holds text that is not valid, kept unsaved — open it to "
                 "correct: {reports}",
                 "{n} reports hold text that is not valid, kept unsaved — open them to "
                 "correct: {reports}", n, reports=reports)),
            (to_reopen,
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; what was typed in
             # it waits until the report is reopened (back to draft)
             lambda report: _("{report}: submitted, text kept unsaved — reopen it "
                              "first").format(report=report),
             lambda n, reports: counted(
                 "{n} submitted report holds text kept unsaved — reopen it first: "
                 "{reports}",
                 "{n} submitted reports hold text kept unsaved — reopen them first: "
                 "{reports}", n, reports=reports)),
            (locked,
             # Translators: {report} is "PA1.1 (2nd semester 2026)", in a period
             # headquarters has locked: what was typed in it can never be saved
             lambda report: _("{report}: period locked, text cannot be saved — open it "
                              "to copy or discard it").format(report=report),
             lambda n, reports: counted(
                 "{n} report of a locked period holds text that cannot be saved — open "
                 "it to copy or discard it: {reports}",
                 "{n} reports of locked periods hold text that cannot be saved — open "
                 "them to copy or discard it: {reports}", n, reports=reports)),
        ):
            if not keys:
                continue
            said = (one(_report_name(keys[0])) if len(keys) == 1
                    else many(len(keys), _named(keys)))
            text = f"{text} · {said}" if text else said
        problems = []
        if journal.write_error:
            problems.append(_("The drafts file cannot be written: {error}").format(
                error=journal.write_error
            ))
        if journal.set_aside is not None:
            # Translators: {file} is the name the unreadable drafts file was given
            problems.append(_("The drafts file could not be read; it is kept as {file}.")
                            .format(file=isolated(journal.set_aside.name)))
        # the few words a narrow status bar says some of them in, beside the button
        # that shows the text (at the narrowest window, "PA1.1 …" was all it showed)
        shorter: dict[str, str] = {}
        aside = journal.put_aside
        # (text the editor could not show, set aside from a report the plan keeps:
        # said in words of its own)
        from ui.drafts import DROPPED, MOVED, UNFIT

        unfit = [(key, why) for key, why in aside if getattr(why, "why", ()) == (UNFIT,)]
        # (values typed for indicators an amendment dropped since: the plan's doing,
        # not a newer fieldplan's)
        dropped = [(key, why) for key, why in aside
                   if getattr(why, "why", ()) == (DROPPED,)]
        # (and those it moved to an action this office does not report on)
        moved = [(key, why) for key, why in aside
                 if getattr(why, "why", ())[:1] == (MOVED,)]
        outside = [item for item in aside
                   if item not in unfit and item not in dropped and item not in moved]
        # each kind of text set aside, on its way there or waiting to go: one report
        # named, or how many, and the few words a narrow status bar says it in
        apart_why = journal.setting_apart_why()
        apart = sorted(key for key, why in apart_why.items()
                       if why != (DROPPED,) and why[:1] != (MOVED,))
        # fields the editor cannot show that the set-aside file could not take: safe in
        # the drafts file, tried again on the retry timer (said as waiting through each
        # try, not as moved afresh every few seconds)
        apart_waiting = sorted({*journal.apart(), *apart}) if journal.aside_error else []
        if apart_waiting:
            apart = []
        failing_now = sorted(key for key in shown if key in failing)
        where = isolated(journal.aside_path.name)
        error = journal.aside_error
        for keys, one, many, short in (
            ([key for key, _why in unfit],
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; a field this
             # version has not (a damaged drafts file, or one a later fieldplan
             # wrote), or a value of another kind; {file} the file it is kept in
             lambda report: _("{report} holds text this version of fieldplan cannot "
                              "show; it is kept in {file}").format(report=report,
                                                                   file=where),
             lambda n: counted(
                 "{n} report holds text this version of fieldplan cannot show; it is "
                 "kept in {file}",
                 "{n} reports hold text this version of fieldplan cannot show; it is "
                 "kept in {file}", n, file=where),
             _SET_ASIDE),
            ([key for key, _why in dropped],
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; headquarters'
             # update of the plan dropped the indicator since the value was typed;
             # {file} the file it is kept in
             lambda report: _("{report} holds a value for an indicator the current "
                              "plan does not have; it is kept in {file}").format(
                                  report=report, file=where),
             lambda n: counted(
                 "{n} report holds values for indicators the current plan does not "
                 "have; they are kept in {file}",
                 "{n} reports hold values for indicators the current plan does not "
                 "have; they are kept in {file}", n, file=where),
             _SET_ASIDE),
            ([key for key, _why in moved],
             # Translators: {report} is "PA1.2 (2nd semester 2026)"; headquarters'
             # update of the plan moved the indicator, since the value was typed, to an
             # action whose report this office does not write; {file} the file it is
             # kept in
             lambda report: _("{report} holds a value for an indicator the current "
                              "plan moved to an action this office does not report "
                              "on; it is kept in {file}").format(report=report,
                                                                  file=where),
             lambda n: counted(
                 "{n} report holds values for indicators the current plan moved to an "
                 "action this office does not report on; they are kept in {file}",
                 "{n} reports hold values for indicators the current plan moved to an "
                 "action this office does not report on; they are kept in {file}", n,
                 file=where),
             _SET_ASIDE),
            ([key for key, _why in outside],
             lambda report: _("{report} is outside the plan now; what was typed is kept "
                              "in {file}").format(report=report, file=where),
             lambda n: counted(
                 "{n} report is outside the plan now; what was typed is kept in {file}",
                 "{n} reports are outside the plan now; what was typed is kept in {file}",
                 n, file=where),
             _SET_ASIDE),
            # (kept in the journal until the set-aside file holds them)
            (apart,
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; {file} the file
             # the text this version cannot show (a field it has not, a value of
             # another kind) is moved to
             lambda report: _("Moving text of {report} this version of fieldplan "
                              "cannot show to {file}…").format(report=report, file=where),
             lambda n: counted(
                 "Moving text of {n} report this version of fieldplan cannot show to "
                 "{file}…",
                 "Moving text of {n} reports this version of fieldplan cannot show to "
                 "{file}…", n, file=where),
             _SETTING_ASIDE),
            # (values of indicators the plan has no longer: as above)
            (sorted(key for key, why in apart_why.items()
                    if why == (DROPPED,) and key not in apart_waiting),
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; headquarters'
             # update of the plan dropped the indicator since the value was typed;
             # {file} the file it is moved to
             lambda report: _("Moving a value of {report} for an indicator the "
                              "current plan does not have to {file}…").format(
                                  report=report, file=where),
             lambda n: counted(
                 "Moving values of {n} report for indicators the current plan does not "
                 "have to {file}…",
                 "Moving values of {n} reports for indicators the current plan does not "
                 "have to {file}…", n, file=where),
             _SETTING_ASIDE),
            # (values of indicators moved to an action this office does not report
            # on: as above)
            (sorted(key for key, why in apart_why.items()
                    if why[:1] == (MOVED,) and key not in apart_waiting),
             # Translators: {report} is "PA1.2 (2nd semester 2026)"; headquarters'
             # update of the plan moved the indicator, since the value was typed, to an
             # action whose report this office does not write; {file} the file it is
             # moved to
             lambda report: _("Moving to {file} a value of {report} for an indicator "
                              "the current plan moved to an action this office does "
                              "not report on…").format(report=report, file=where),
             lambda n: counted(
                 "Moving to {file} values of {n} report for indicators the current plan "
                 "moved to an action this office does not report on…",
                 "Moving to {file} values of {n} reports for indicators the current "
                 "plan moved to an action this office does not report on…", n,
                 file=where),
             _SETTING_ASIDE),
            (sorted(set(on_the_way) - set(apart_why) - set(apart_waiting) - failing),
             # Translators: {report} is "PA1.1 (2nd semester 2026)", which the plan
             # no longer has; {file} the file its text is kept in
             lambda report: _("Moving what was typed in {report}, outside the plan "
                              "now, to {file}…").format(report=report, file=where),
             lambda n: counted(
                 "Moving what was typed in {n} report, outside the plan now, to {file}…",
                 "Moving what was typed in {n} reports, outside the plan now, to "
                 "{file}…", n, file=where),
             _SETTING_ASIDE),
            # what the person needs to know: nothing is lost, nothing to do (the journal
            # keeps the text, and the next try moves it), and why it waits
            (failing_now,
             # Translators: {report} is "PA1.1 (2nd semester 2026)", which the plan
             # no longer has; {file} the file its text is to be kept in; {error}
             # why that file cannot take it now ("another fieldplan is writing it")
             lambda report: _("What was typed in {report}, outside the plan now, is "
                              "safe in the drafts file and will be moved to {file} as "
                              "soon as it can be ({error})").format(
                                  report=report, file=where, error=error),
             lambda n: counted(
                 "What was typed in {n} report, outside the plan now, is safe in the "
                 "drafts file and will be moved to {file} as soon as it can be "
                 "({error})",
                 "What was typed in {n} reports, outside the plan now, is safe in the "
                 "drafts file and will be moved to {file} as soon as it can be "
                 "({error})", n, file=where, error=error),
             _SAFE),
            # a report the plan keeps (the rest of its draft is saved as ever): as above
            (apart_waiting,
             # Translators: {report} is "PA1.1 (2nd semester 2026)"; the text is a
             # field this version has not (a damaged drafts file, or one a later
             # fieldplan wrote) or a value of another kind; {file} the file it is to
             # be kept in; {error} why that file cannot take it now ("another
             # fieldplan is writing it")
             lambda report: _("Text of {report} this version of fieldplan cannot "
                              "show is safe in the drafts file and will be moved to "
                              "{file} as soon as it can be ({error})").format(
                                  report=report, file=where, error=error),
             lambda n: counted(
                 "Text of {n} report this version of fieldplan cannot show is safe in "
                 "the drafts file and will be moved to {file} as soon as it can be "
                 "({error})",
                 "Text of {n} reports this version of fieldplan cannot show is safe in "
                 "the drafts file and will be moved to {file} as soon as it can be "
                 "({error})", n, file=where, error=error),
             _SAFE),
        ):
            if not keys:
                continue
            if len(keys) == 1:
                problems.append(one(_report_name(keys[0])))
                shorter[problems[-1]] = _shorter(short, action=keys[0][0])
            else:
                problems.append(many(len(keys)))
                shorter[problems[-1]] = _shorter(short, n=len(keys))
        if journal.aside_error and not failing_now and not apart_waiting:
            problems.append(_("Reports outside the plan cannot be set aside: {error}").format(
                error=journal.aside_error))
        foreign = journal.foreign
        if foreign:
            # typed in another database (deleted, and another made in its place):
            # never saved here; kept for the person to read, copy and discard
            where = isolated(journal.foreign_files[-1].name) if journal.foreign_files else ""
            if len(foreign) == 1:
                (code, period), office = foreign[0]
                report = _("{action} ({period})").format(action=code,
                                                        period=draft_period(period))
                problems.append(
                    _("{report} holds text typed in another database ({office}): not "
                      "saved here, kept in {file}").format(
                          report=report, office=office_label(office), file=where)
                    if office else
                    _("{report} holds text typed in another database: not saved here, "
                      "kept in {file}").format(report=report, file=where))
            else:
                problems.append(counted(
                    "{n} report holds text typed in another database: not saved here, "
                    "kept in {file}",
                    "{n} reports hold text typed in another database: not saved here, "
                    "kept in {file}", len(foreign), file=where))
        if journal.foreign_error:
            problems.append(_("Drafts typed in another database are beside this one and "
                              "cannot be moved aside: {error}").format(
                                  error=journal.foreign_error))
        if (aside or foreign) and self._aside_discard_error:
            problems.append(_("What was typed outside the plan cannot be discarded: "
                              "{error}").format(error=self._aside_discard_error))
        for problem in problems:
            text = f"{text} · {problem}" if text else problem
            lines.append(problem)
        if aside:  # the details: each report set aside, why, and the file's whole path
            lines.extend(_("{action} ({period}): {reason}").format(
                action=code, period=draft_period(period), reason=str(why))
                for (code, period), why in aside)
            lines.append(isolated(str(journal.aside_path)))
        if foreign:  # and each report typed in another database, and its files
            lines.extend(_("{action} ({period}): {reason}").format(
                action=code, period=draft_period(period), reason=typed_elsewhere(office))
                for (code, period), office in foreign)
            lines.extend(isolated(str(path)) for path in journal.foreign_files)
        is_error = bool(text)
        self.short_save_words = " · ".join(
            shorter.get(item, item) for item in text.split(" · ")) if text else ""
        if not text and self.recovered_saved:
            # not an error: what an earlier session could not save (it ended, or was
            # ended) is in the database now
            text = recovered_text(self.recovered_saved)
            lines = [text]
        emit(self.save_state_did_change, text, "\n".join(lines), is_error)

    def unkept(self) -> list[tuple[str, str]]:
        """(before closing) Save what is typed and wait for the drafts file: the
        reports whose typing neither the database nor the drafts file holds (the file
        cannot be written: a full disk). Closing now would lose it."""
        if self._closed:
            return []
        self._keep_held_keys()
        self.save_now()  # journals what is typed first (and opens the journal for it)
        if self._retry is None:
            return []  # nothing was ever typed
        journal = self._retry.journal
        journal.write(again=True)  # a write that failed is tried once more, now
        journal.flush()
        return journal.unkept()

    def _keep_held_keys(self) -> None:
        """(``unkept``: closing, logging off) Keys typed while the report is read
        (ui.held_keys) were in neither the database nor the drafts file: closing lost
        them unasked. The report is waited for (HELD_KEYS_WAIT_MS at most; a read takes
        a moment), and they are typed in as they would have been, then saved and
        journaled as any typing; a read that takes longer (a worker busy with an
        import, a slow disk) has them journaled as typed (``_journal_held_keys``)."""
        held = self._held_keys
        if held is None or not held.holding or not held.held():
            return
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(HELD_KEYS_WAIT_MS, loop, loop.quit)
        self.report_did_load.connect(loop.quit)  # (typed in right after, in its call)
        try:
            # (the person's own keys and clicks wait: no second close meanwhile)
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        finally:
            self.report_did_load.disconnect(loop.quit)
        if held.holding and held.held() and not self._closed:
            self._journal_held_keys()

    def _journal_held_keys(self) -> None:
        """(``_keep_held_keys``, the report still not read) The keys typed in the
        fields as the person saw them (the same report read again: its text; another
        report: empty fields), and what they make put in the drafts file with the
        report's other unsaved text. Typed over an unseen report, each is kept as typed
        over no version: where the report had a value, the save at the next start keeps
        both as a conflict, never one over the other unseen."""
        if self.action is None:
            return
        unseen = self._read_unseen
        # (a status's letter chooses among the statuses from the one read: not known)
        names = set(self._held_keys.held()) - ({"status"} if unseen else set())
        with self._typing_held_keys(at_place=not unseen, read_only_after=True):
            if not unseen:  # (the form holds the report: its draft, as typing is)
                self.journal_now()
                return
            values, bad = self.current_values()
            typed = {k: v for k, v in values.items() if k in names and k not in bad}
            texts = {k: self._text_of(k) for k in bad if k in names}
            key = (self.action.code, self.period)
            journal = self._journal()
            journal.put(key, {**{k: v for k, v in journal.values(key).items()
                                 if k not in names}, **typed},
                        {**{k: t for k, t in journal.held(key).items() if k not in names},
                         **texts},
                        {k: [] for k in (*typed, *texts)})
            journal.write()

    def close_down(self) -> None:
        """(the window closes) save what is typed, keep it in the journal, and stop:
        a locked database is not waited for, the journal keeps the values for the
        next start."""
        if self._closed:
            return
        # (journals what is typed, then sends the save; the worker confirms it in the
        # journal even if the program has ended by then)
        self.save_now()
        if self._retry is not None:  # the journal is open: its file reaches the disk
            self._retry.journal.flush()
        self._closed = True
        self._journal_debounce.cancel()
        if self._retry is not None:
            self._retry.stop()

    def _fill(self, action: Action, report: ProgressReport | None) -> None:
        from PySide6.QtWidgets import QLineEdit  # loaded with the form

        self.title.setText(in_layout_direction(action_title(action)))
        self.description.setText(action.description.get(lang()))
        self.meta.setText(self._meta_text(report, action))
        self.meta.setToolTip(illustrative_tip() if action.illustrative else "")
        # indicators
        while self.indicator_grid.count():
            item = self.indicator_grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.indicator_edits = {}
        self.percent_indicators = set()
        self.indicator_notes = {}
        #: indicator key → the line under its row saying the unit its value was
        #: recorded in, another than the plan's now (``_show_recorded``)
        self.recorded_notes: dict[str, QLabel] = {}
        self._below: dict[str, QVBoxLayout] = {}
        self.dropped_values: list[QLabel] = []
        self.errors = {k: v for k, v in self.errors.items() if not k.startswith("value.")}
        # the name column takes the room the Target and Actual columns do not need
        # (ui.indicator_grid): those as wide as a number field, their words wrapped past it
        field = QLineEdit()
        numbers = number_field_width(field)
        least = number_field_width(field, NARROWEST_NUMBER)
        heads = (_("Indicator"), _("Target"), _("Actual"))
        headings = []
        for col, head in enumerate(heads):
            # a long heading (Arabic "القيمة المستهدفة") on two lines rather than
            # widening its column, or the form past the pane at large fonts
            label = GridLabel(f"<b>{html.escape(head)}</b>",  # rich text: bold
                              widest=None if col == 0 else numbers)
            label.setAlignment(_leading())
            if col == 2:
                # a clear gap after the Target heading: "القيمة المستهدفة" and
                # "القيمة الفعلية", both wrapped (800 pixels, 14 points), had 4 pixels
                # between "المستهدفة" and "الفعلية", read as one phrase; and whole,
                # the Target heading read on into the Actual one. (As wide as a number
                # field and the gap: on one line where there is room.)
                label.set_gap_before(1)
                margins = label.contentsMargins()
                label.widest = numbers + margins.left() + margins.right()
            self.indicator_grid.addWidget(label, 0, col)
            headings.append(label)
        targets = []
        for row, ind in enumerate(action.indicators, start=1):
            name = GridLabel(
                _("{title} ({unit})").format(title=ind.title.get(lang()), unit=ind.unit_in())
            )
            name.setTextFormat(Qt.TextFormat.PlainText)
            target = ind.target_for(self.period)
            at_end = target is not None and ind.target_is_end(self.period)
            if ind.unit == "percent":
                self.percent_indicators.add(ind.key)
            # a percent with its sign, as the sheets print it ("5,5 %", not "5,5")
            shown = "—" if target is None else (
                format_percent(target, decimals=True) if ind.unit == "percent"
                else format_number(target))
            later = ind.target_period(self.period) if target is not None else None
            # "200 (for 2nd semester 2026)" on two lines rather than in a column as
            # wide, beside a name on one word a line; but its bracket, and else its
            # semester, on a line of its own where they fit the column ("(end of" over
            # "plan)", "2nd" over "semester 2026)" read as pieces)
            tlabel = HeldLabel(widest=numbers)

            def fits(text: str, label: QLabel = tlabel) -> bool:
                return label.fontMetrics().horizontalAdvance(text) <= numbers

            if at_end:
                # Translators: the target column of the report editor, when the
                # period has no milestone of its own or after it: "600 (end of plan)"
                shown = _("{target} (end of plan)").format(target=shown)
            elif later:
                # Translators: the target column of the report editor, when the period
                # has no milestone of its own, a later one's: "200 (for 2nd semester 2026)"
                words = period_words(later)
                loose = _("{target} (for {period})").format(target=shown, period=words)
                shown = _("{target} (for {period})").format(
                    target=shown, period=held_whole(words, lambda t: fits(t + ")")))
            if not later or at_end:
                loose = shown
            # (held where the column has the room, free to wrap where the window is
            # narrow: the form never wider than it for a bracket)
            tlabel.set_texts(brackets_held(shown, fits), loose)
            tlabel.setTextFormat(Qt.TextFormat.PlainText)
            # numbers have no direction of their own: put them under their heading,
            # on the layout's leading side (right in Arabic)
            tlabel.setAlignment(_leading())
            targets.append(tlabel)
            edit = QLineEdit()
            edit.setAlignment(_leading())
            edit.setAccessibleName(
                _("Actual for {indicator}").format(indicator=ind.title.get(lang()))
            )
            # a number's width: a long one's where there is room, no wider; a shorter
            # one's at least where there is not (the grid squeezed it to three digits)
            edit.setMinimumWidth(least)
            edit.setMaximumWidth(numbers)
            edit.textEdited.connect(self._edited)
            edit.installEventFilter(self.undo_keys)
            self._held_keys.watch(edit)
            name.setBuddy(edit)
            # what the row shows beside the field, for a screen reader: the name says
            # only the indicator's title
            unit = ind.unit_in()
            if target is None:
                about = _("No target for this period ({unit}).").format(unit=unit)
            elif at_end:
                about = _("Target for the end of the plan: {target} ({unit}).").format(
                    target=format_number(target), unit=unit)
            elif later:
                about = _("Target for {period}: {target} ({unit}).").format(
                    period=period_words(later), target=format_number(target), unit=unit)
            else:
                about = _("Target: {target} ({unit}).").format(
                    target=format_number(target), unit=unit)
            err = self._error_label(edit, about)
            self.errors[f"value.{ind.key}"] = err
            # under the row: its error, then its note (a count below zero)
            below = QWidget()
            below_lay = QVBoxLayout(below)
            below_lay.setContentsMargins(0, 0, 0, 0)
            below_lay.addWidget(err)
            self.indicator_notes[ind.key] = self._note_label(err)
            below_lay.addWidget(self.indicator_notes[ind.key])
            self._below[ind.key] = below_lay
            self.indicator_grid.addWidget(name, row * 2 - 1, 0)
            self.indicator_grid.addWidget(tlabel, row * 2 - 1, 1)
            self.indicator_grid.addWidget(edit, row * 2 - 1, 2)
            self.indicator_grid.addWidget(below, row * 2, 0, 1, 3)
            self.indicator_edits[ind.key] = edit
        # the Target heading no wider than the targets under it where the name needs
        # the room ("القيمة المستهدفة" over "3" on two lines), whole where it has it
        headings[1].widest = max((t.sizeHint().width() for t in targets), default=0)
        self.indicator_box.fit_heading(headings[1], headings[1].widest,
                                       max(numbers, headings[2].sizeHint().width()))
        self.indicator_grid.setColumnStretch(0, 1)
        self.indicator_box.setVisible(bool(action.indicators))
        self._saved = report_values(report, action)
        self._show_values(self._saved)
        for err in self.errors.values():
            err.setVisible(False)
        self._checked = set()
        self.general_error.setVisible(False)
        self._say("")
        self._fix_tab_order()

    def _show_recorded(self, report: ProgressReport | None,
                       recorded: Mapping[str, Any]) -> None:
        """Under an indicator whose value was recorded under a plan version that
        counted it in another unit (``recorded_units``: 750 people, the plan counting
        households now), that figure in its own unit, and that a figure typed in the
        field counts the unit now: the field's number alone read as the new unit."""
        from ui.dialogs import text_label

        if report is None or self.action is None:
            return
        for ind in self.action.indicators:
            then, value = recorded.get(ind.key), report.value(ind.key)
            if then is None or value is None or ind.key not in self._below:
                continue
            note = text_label("recorded-unit")
            note.setTextFormat(Qt.TextFormat.PlainText)
            note.setStyleSheet(f"color: {NOTE_COLOUR};")
            # Translators: under an indicator's field in the report form, when the
            # figure was typed under an earlier plan version that counted it in another
            # unit: "Recorded as 750 people under plan version 1. The unit is now
            # households: a figure typed here counts households."
            note.setText(_("Recorded as {figure} {unit_then} under plan version {version}. "
                           "The unit is now {unit_now}: a figure typed here counts "
                           "{unit_now}.").format(
                figure=_number_text(value), unit_then=then.unit_in(), version=then.version,
                unit_now=ind.unit_in()))
            self._below[ind.key].addWidget(note)
            self.recorded_notes[ind.key] = note
            edit = self.indicator_edits.get(ind.key)
            if edit is not None:
                edit.setToolTip(note.text())

    def _show_dropped(self, rows: int,
                      dropped: tuple[tuple[Text | None, str, Any], ...]) -> None:
        """Under the indicators' ``rows``, the values ``dropped_values`` found: those of
        indicators the plan no longer has (an amendment dropped them). Kept and exported,
        but neither printed nor editable: said, not left for the reader to miss. Those
        of an indicator an amendment moved to another action say where it is now."""
        if not dropped:
            return
        # (an indicator an amendment moved to another action: the plan has it still,
        # there, and "no longer has" sent the person to look for it nowhere)
        code = self.action.code if self.action is not None else ""
        moved = self.identity.plan.moved_values
        gone = [d for d in dropped if (code, d[1]) not in moved]
        went = [d for d in dropped if (code, d[1]) in moved]
        row = rows * 2 + 1
        for group, words in ((gone, ngettext(
                "Also recorded, for an indicator the current plan no longer has (kept, and "
                "listed by a data export, but not printed):",
                "Also recorded, for indicators the current plan no longer has (kept, and "
                "listed by a data export, but not printed):", len(gone))), (went, ngettext(
                "Also recorded, for an indicator an amendment moved to another action "
                "(kept here, and listed by a data export, but not printed; a value typed "
                "now goes in that action's report):",
                "Also recorded, for indicators an amendment moved to other actions (kept "
                "here, and listed by a data export, but not printed; a value typed now "
                "goes in the report of the action each is in):", len(went)))):
            if group:
                row = self._dropped_rows(row, words, group, moved, code)
        self.indicator_box.setVisible(True)
        self._fix_tab_order()

    def _dropped_rows(self, row: int, heading: str,
                      dropped: list[tuple[Text | None, str, Any]],
                      moved: Mapping[tuple[str, str], str], code: str) -> int:
        """``_show_dropped``'s ``heading`` and, under it, a line of each of ``dropped``
        (one ``moved`` names where it is now), from the grid's ``row``; the row after."""
        from ui.dialogs import detail_label, text_label

        note = text_label("dropped-note")
        note.setText(heading)
        self.indicator_grid.addWidget(note, row, 0, 1, 3)
        for text, key, value in dropped:
            row += 1
            title = text.get(lang()) if text is not None else key
            if (code, key) in moved:
                # Translators: an indicator's title under "Also recorded, for an
                # indicator an amendment moved to another action": "Data reports
                # (moved to PA1.1)"
                title = _("{indicator} (moved to {action})").format(
                    indicator=title, action=moved[(code, key)])
            name = GridLabel(title)
            name.setTextFormat(Qt.TextFormat.PlainText)
            shown = detail_label("dropped-value")
            shown.setText(_number_text(value))
            shown.setAlignment(_leading())
            shown.setAccessibleName(_("{label}: {n}").format(label=title, n=shown.text()))
            self.indicator_grid.addWidget(name, row, 0)
            self.indicator_grid.addWidget(shown, row, 2)
            self.dropped_values.append(shown)
        return row + 1

    def _meta_text(self, report: ProgressReport | None, action: Action | None = None) -> str:
        action = action or self.action
        state = state_label(report.state) if report else _("Not written yet")
        if report is not None and report.state == "draft" and self._locked:
            # Translators: a report's state in the report form's details line ("National
            # · lead: Joint · Draft, left when the period was locked"), as the review
            # pack says of such drafts
            state = _("{state}, left when the period was locked").format(state=state)
        meta = _("{level} · lead: {lead} · {state}").format(
            level=level_label(action.level), lead=lead_label(action.lead), state=state
        )
        if action.illustrative:  # a placeholder's words, not the signed plan's (tooltip)
            # Translators: {details} is "National · lead: Joint · Draft"; the action's
            # text is a placeholder until headquarters installs the signed plan's
            meta = _("{details} · illustrative").format(details=meta)
        if report is None and self.period:  # an amendment added it after this period
            why = self.identity.plan.added_text(action.code, self.period)
            meta = f"{meta}\n{why}" if why else meta
        elif report is not None and report.updated_by:
            # who changed it last: on the other laptop of an office, a status and a
            # percent that a conflict settled elsewhere replaced were shown with no word
            # of who had chosen them
            # Translators: under "National · lead: Joint · Draft": {author} is an
            # account name, {when} a date and time ("7 Dec 2026, 06:06")
            meta = "{meta}\n{changed}".format(meta=meta, changed=_(
                "Last changed by {author}, {when}").format(
                    author=embedded(report.updated_by),
                    when=embedded(unbroken(time_text(report.updated_at)))))
        return meta

    def _fix_tab_order(self) -> None:
        # from what comes before the editor (the plan tree) straight to the form: the
        # form is made after the toolbar, which would otherwise come in between. The
        # notice, Reopen and Discard unsaved text… first, as they are read, above the
        # fields (Tab skips those hidden). Discard was left where it was made: after
        # the window's toolbar, past every field.
        before = [self.tab_from] if self.tab_from is not None else []
        chain: list[QWidget] = [
            *before,
            self.notice,
            self.reopen_button,
            self.discard_button,
            self.status,
            self.status_read_only,  # (Tab skips the one hidden)
            self.percent,
            *self.indicator_edits.values(),
            *self.dropped_values,
            *self.narratives.values(),
        ]
        for a, b in itertools.pairwise(chain):
            QWidget.setTabOrder(a, b)

    def _show_values(self, values: Values) -> None:
        was = self._loading
        self._loading = True
        try:
            if "status" in values:
                self.status.setCurrentIndex(max(0, self.status.findData(values["status"])))
            if "percent" in values:
                p = values["percent"]
                self.percent.setText(_percent_text(p))
            for key, edit in self.indicator_edits.items():
                name = f"value.{key}"
                if name in values:
                    edit.setText(_number_text(values[name]))
            for name, edit in self.narratives.items():
                if name in values and edit.text() != values[name]:
                    edit.setPlainText(values[name])
        finally:
            self._loading = was
        self._show_notes()

    def _show_notes(self) -> None:
        """Say under their fields what looks wrong in the values on screen, though it
        is saved as typed (``fieldplan.progress`` says when, as ``progress set`` does):
        a status and a percent that disagree, an actual that looks wrong (a count below
        zero or with a fraction, a percent above 100). Kept up to date as
        they are typed; not on a report that cannot be edited (nothing to do there)."""
        if self._form is None:
            return
        shown = self._editable and self.action is not None
        percent, bad = self._typed_percent()
        self._set_note(self.status_note, status_percent_note(
            self.status.currentData(), percent) if shown and not bad else "")
        indicators = {ind.key: ind for ind in self.action.indicators} if shown else {}
        for key, note in self.indicator_notes.items():
            value = self._typed_number(key)
            number = value if isinstance(value, int | float) else None
            self._set_note(note, value_problem(indicators[key], number)
                           if key in indicators else "")

    @staticmethod
    def _set_note(note: QLabel, text: str) -> None:
        if note.text() != text:
            note.setText(text)
        if note.isHidden() == bool(text):
            note.setVisible(bool(text))

    def _set_editable(self, editable: bool, *, for_now: bool = False) -> None:
        """Whether the report on screen can be edited. Read-only for good (not only
        ``for_now``, while it loads): submitted, locked, not this office's, refused by
        the plan. Its undo and redo go then: each would write an edit the core refuses."""
        self._editable = editable
        if not editable and not for_now and self._held_keys is not None:
            self._held_keys.drop()  # (read-only for good: nothing kept is typed in)
        if not editable and not for_now and self.undo_stack.count():
            self.undo_stack.clear()
            emit(self.edits_did_change)
        # the combo enabled before it takes the read-only field's place (and with it
        # the focus), disabled after giving its place and focus to it: disabled first,
        # it handed the focus to the next field (Percent), where the next letter typed
        # for the status went
        if editable:
            self.status.setEnabled(True)
        self._show_status(editable)
        if not editable:
            self.status.setEnabled(False)
        for edit in (self.percent, *self.indicator_edits.values(), *self.narratives.values()):
            edit.setReadOnly(not editable)
            show_read_only(edit, not editable)
        self._show_notes()
        if self.action is None:
            self.reopen_button.setVisible(False)
            self.notice.setVisible(False)
            self.indicator_box.setVisible(False)

    def _show_status(self, editable: bool) -> None:
        """The status combo, or while the report cannot be edited a read-only field
        saying the same in its place (the focus moves with it)."""
        # (the first status, shown before any change, had no signal to say it: a
        # submitted "Not started" report showed an empty status)
        self.status_read_only.setText(self.status.currentText())
        shown, hidden = ((self.status, self.status_read_only) if editable
                         else (self.status_read_only, self.status))
        focused = hidden.hasFocus()
        shown.setVisible(True)
        hidden.setVisible(False)
        self._status_name.setBuddy(shown)  # Alt+T
        if focused:
            shown.setFocus(Qt.FocusReason.OtherFocusReason)

    # saving --------------------------------------------------------------------------
    def _edited(self, *args: object) -> None:
        if self._loading or not self._editable:
            return
        self._typed_here = True
        if self._unconfirmed:  # typed in again: read as the person types it now
            typed_in = self.sender()
            self._unconfirmed = {name: text for name, text in self._unconfirmed.items()
                                 if self._field(name) is not typed_in}
        self._show_notes()
        self._say(_("Unsaved changes…"))
        pending = self._debounce.pending()
        self._debounce.poke()
        self._journal_debounce.poke()
        if not pending:
            emit(self.edits_did_change)

    def current_values(self) -> tuple[Values, dict[str, str]]:
        """The values in the widgets, and the fields whose text is not valid.

        Checked here as the core checks them (percent 0–100, finite numbers,
        narratives up to MAX_TEXT): a field the core would refuse is held back with
        its error, so that it does not take the valid fields of its save with it."""
        values: Values = {"status": self.status.currentData()}
        bad: dict[str, str] = {}
        percent, error = self._typed_percent()
        if error:
            bad["percent"] = error
        else:
            values["percent"] = percent
        for key, edit in self.indicator_edits.items():
            number = self._typed_number(key)
            if number == "":
                values[f"value.{key}"] = None
            elif number is None:
                # (read as ``_typed_number`` read it: a percent's sign did not hide
                # why, "4,8 %" told only "Type a number.")
                bad[f"value.{key}"] = number_error(
                    without_percent_sign(edit.text()) if key in self.percent_indicators
                    else edit.text())
            elif too_large := too_large_error(number, edit.text()):
                bad[f"value.{key}"] = too_large
            else:
                values[f"value.{key}"] = number
        for name, edit in self.narratives.items():
            text = edit.text()
            length = len(clean_text(text))
            if length > MAX_TEXT:
                bad[name] = _("{field} is {length} characters long; the limit is {limit}").format(
                    field=field_label(name),
                    length=format_number(length),
                    limit=format_number(MAX_TEXT),
                )
            else:
                values[name] = text
        for name, text in self._unconfirmed.items():
            if name not in bad:
                values.pop(name, None)
                bad[name] = self._held_error(name, text)
        return values, bad

    def _held_error(self, name: str, text: str) -> str:
        """Why ``text``, held back as not valid when it was typed in field ``name`` and
        valid now, waits to be typed again: typed in another language, in an indicator
        that was no percent then (an amendment of the plan made it one), or for a
        reason neither says (the report's percent, which reads alike in every
        language)."""
        from fieldplan.numbers import HELD_AS_NO_PERCENT, HELD_IN_ANOTHER_LANGUAGE, why_held

        shown = text.strip()
        if name == "percent":
            return _("When it was typed, {text} was not read as a whole number from 0 to "
                     "100: type it again as you mean it.").format(text=shown)
        why = why_held(text, percent=name[len("value."):] in self.percent_indicators)
        if why == HELD_IN_ANOTHER_LANGUAGE:
            return _("When it was typed, in another language, {text} was not read as a "
                     "number: type it again as you mean it.").format(text=shown)
        if why == HELD_AS_NO_PERCENT:
            return _("When it was typed, {text} was not read as a number: this indicator "
                     "was not a percentage then (the plan has been amended since). Type it "
                     "again as you mean it.").format(text=shown)
        return _("When it was typed, {text} was not read as a number: type it again as "
                 "you mean it.").format(text=shown)

    def _typed_number(self, key: str) -> float | int | str | None:
        """What is typed in indicator ``key``'s field, as ``parse_number`` reads it
        ("" empty, None not a number); in percent, without its sign ("4,8 %": its unit
        says it), for the save and the notes alike (the notes read "150 %" as no
        number, and said nothing of a percent past 100)."""
        text = self.indicator_edits[key].text()
        if key in self.percent_indicators:
            text = without_percent_sign(text)
        return parse_number(text)

    def _typed_percent(self) -> tuple[int | None, str]:
        """The percent typed (None: none), or why it is not valid."""
        # "45 %", "٤٥٪": the sign the field's label already says
        percent = parse_percent(self.percent.text())
        if percent == "":
            return None, ""
        if isinstance(percent, int) and 0 <= percent <= 100:
            return percent, ""
        return None, _("Type a whole number from 0 to 100.")

    def dirty(self) -> bool:
        if self.action is None or not self._editable:
            return False
        values, bad = self.current_values()
        return bool(bad) or any(self._saved.get(k) != v for k, v in values.items())

    def save_now(self) -> bool:
        """Save what differs from the last save (called by the timer, on focus change,
        when switching report and on close, and by Ctrl+S). False when nothing was
        waiting: no change, none on its way, no field refused."""
        self._debounce.cancel()
        if self.action is None or not self._editable or self._loading or self._closed:
            return False
        # in the journal before it is sent: a save that fails loses nothing
        self.journal_now()
        values, bad = self.current_values()
        for name, err in self.errors.items():
            if name in bad:
                err.setText(bad[name])
                err.setVisible(True)
            elif name in self._checked:
                err.setVisible(False)  # valid now
        self._checked = set(bad)
        if bad:
            self._reveal(self.errors.get(next(iter(bad))))
        changed = {k: v for k, v in values.items() if k not in bad and self._saved.get(k) != v}
        if not changed:
            if self._failed_here and self._saves_in_flight == 0:
                # nothing differs from the database any more (an undo that went through
                # wrote back what it holds): nothing is left to retry
                self._set_failed(False)
                self.general_error.setVisible(False)
                self._drafts_did_change()
            if not bad and not self._failed_here:
                self._say("")
            elif bad:
                self._say(_("Not saved."))
            return bool(bad) or self._failed_here or self._saves_in_flight > 0
        before = {k: self._saved.get(k) for k in changed}
        action, period = self.action.code, self.period
        key = (action, period)
        # each over the version it was typed over (the field may have moved on since)
        base = {k: _ids(self._base_ids.get(k, [])) for k in changed}
        self._saved.update(changed)  # what is on its way to the database
        self.recovered_saved = []  # said once: the person is at work again
        self._saves_in_flight += 1
        self._writes += 1
        self._count_in_flight(key, changed, +1)
        # on the stack now, not when the write comes back: an undo pressed meanwhile
        # undoes this save (its write-back queues behind it on the one worker)
        command = EditCommand(self, action, period, before, changed)
        self.undo_stack.push(command)
        emit(self.edits_did_change)
        got: dict[str, Any] = {}

        def done(_result, after=changed) -> None:
            if shiboken6.isValid(command):
                command.written = dict(got["versions"])
            if not shiboken6.isValid(self):
                return  # (a language change: the step goes on in the window made again)
            self._saves_in_flight -= 1
            self._count_in_flight(key, after, -1)
            journal = self._journal()
            journal.confirm(key, after, sent=got["sent"])
            journal.write()
            if self._showing() == key:
                self._base.update(after)
                self._take_db(got, after)
                self._set_failed(False)
                for name in after:
                    if name in self.errors and name not in bad:
                        self.errors[name].setVisible(False)
                self.general_error.setVisible(False)
                self._say(_("Saved.") if not bad else _("Not saved."))
                self._tell_conflicts(got["moved"], got["moved_here"])
            self._drafts_did_change()
            emit(self.report_did_save, action, period)

        def failed(error: BaseException, before=before, after=changed) -> None:
            from ui.drafts import RefusedByPlan, is_permanent

            if not shiboken6.isValid(self):
                # (a language change) the window made again has the step: nothing to
                # undo; its journal keeps the text, retried there
                if shiboken6.isValid(command) and shiboken6.isValid(command.editor):
                    command.editor._drop(command)
                return
            self._saves_in_flight -= 1
            self._count_in_flight(key, after, -1)
            self._drop(command)
            if isinstance(error, RefusedByPlan):
                if self._showing() == key:
                    # the latest typing goes aside with the draft; no more of it
                    self.journal_now()
                    self._debounce.cancel()
                    self._set_editable(False)
                self._refused_by_plan(key, error)
            elif is_permanent(error):
                self._journal().refused(key, error_text(error))
                self._journal().write()
            if self._showing() == key:
                for name, value in before.items():
                    if self._saved.get(name) == after[name]:
                        self._saved[name] = value  # not saved: still differs, still dirty
                # retried every few seconds (unless the core refused it for good)
                self._set_failed(not is_permanent(error), error_text(error))
                self._show_error(error, list(after))
                self._say(_("Not saved."))
            self._drafts_did_change()

        self._write(key, changed, base, got, outlives=True).success(done).failure(
            failed).run()
        return True

    def _count_in_flight(self, key: tuple[str, str], values: Values, step: int) -> None:
        for name in values:
            at = (*key, name)
            count = self._in_flight.get(at, 0) + step
            if count > 0:
                self._in_flight[at] = count
            else:
                self._in_flight.pop(at, None)

    def _set_failed(self, failed: bool, why: str = "") -> None:
        """Whether the last save of the report on screen failed (and why): undo and
        redo wait until it is saved (``undo_blocked``)."""
        if (failed, why if failed else "") == (self._failed_here, self._failed_why):
            return
        self._failed_here, self._failed_why = failed, why if failed else ""
        emit(self.edits_did_change)

    def undo_refused_typing(self) -> bool:
        """(Undo) Put back, in the fields whose text the core would refuse (a number
        that is no number, a text over the limit), what was last saved there, and
        their errors away; True when there were any. Such typing is never saved, so
        it is what an undo takes away: the window's Undo undid the save before it
        instead (another field's, written to the database), and left the refused text
        where it was."""
        if self.action is None or not self._editable:
            return False
        _values, bad = self.current_values()
        if not bad:
            return False
        self._show_values({k: self._saved.get(k, "" if k in self.narratives else None)
                           for k in bad})
        for name in bad:
            self._unconfirmed.pop(name, None)
        for name in bad:
            if name in self.errors:
                self.errors[name].setVisible(False)
        self._checked -= set(bad)
        self.journal_now()  # (the journal held the refused text: it holds none now)
        self._say("")
        emit(self.edits_did_change)
        return True

    def undo_blocked(self) -> str:
        """Why undo and redo wait ("" when they do not): the last save of the report on
        screen failed and is retried. An undo then would write back over a save the
        database never took, and its own failure would leave the typing taken for
        saved: the typing is saved first."""
        if not self._failed_here or self._showing() is None:
            return ""
        return _("Not until what was typed is saved: {reason}").format(
            reason=self._failed_why or _("Not saved."))

    def _drop(self, command: EditCommand) -> None:
        """Take a save that failed off the undo stack: there is nothing to undo."""
        if not shiboken6.isValid(command):
            return
        command.setObsolete(True)
        self.drop_obsolete()

    def drop_obsolete(self) -> None:
        """Take the saves that failed (obsolete) off the undo stack where undo or redo
        would come to them next (a save that failed below another one, which failed or
        was undone since): Undo and Redo are never on with nothing to do. An obsolete
        command is removed without being undone or redone."""
        stack = self.undo_stack
        while stack.index() > 0 and stack.command(stack.index() - 1).isObsolete():
            stack.undo()
        while stack.index() < stack.count() and stack.command(stack.index()).isObsolete():
            stack.redo()

    def _show_error(self, error: BaseException, fields: list[str]) -> None:
        text = error_text(error)
        target = None
        if isinstance(error, ValidationError):
            if len(fields) == 1:
                target = fields[0]
            else:
                lowered = text.lower()
                for name in fields:
                    key = name.split(".", 1)[-1]
                    if key.replace("_", " ") in lowered or key in lowered:
                        target = name
                        break
        label = self.errors.get(target) if target else None
        # the label's whole text: a sentence with its capital
        (label or self.general_error).setText(isolated_codes(sentence(text)))
        (label or self.general_error).setVisible(True)
        self._reveal(label or self.general_error)

    def _reveal(self, label: QLabel | None) -> None:
        """Scroll an error into sight (its field and the error below it)."""
        if label is None or self._form is None:
            return
        widget = label.parentWidget() if label.parentWidget() is not self._form else label
        self.ensureWidgetVisible(widget, 0, 20)
        self.ensureWidgetVisible(label, 0, 10)

    def write_back(
        self, command: EditCommand, values: Values, revert: Values, undoing: bool
    ) -> None:
        """(undo/redo) write ``values`` through the core and show them if this report
        is on screen. If the write fails, the screen shows ``revert`` (what the
        database holds) again and the undo stack goes back to where it was."""
        action, period = command.action, command.period
        key = (action, period)
        self._debounce.cancel()
        showing = self._showing() == key
        if showing:
            self._saved.update(values)
            self._show_values(values)
            self.journal_now()
        self._saves_in_flight += 1
        self._writes += 1
        self._count_in_flight(key, values, +1)
        # over what the save (or the last undo or redo) wrote: a value someone else
        # wrote since is kept as a conflict (until that write is known: what is shown)
        base = {k: [command.written[k]] for k in values if k in command.written}
        got: dict[str, Any] = {}

        def done(_result) -> None:
            if shiboken6.isValid(command):
                command.written = dict(got["versions"])
            if not shiboken6.isValid(self):
                return  # (a language change: the step goes on in the window made again)
            self._saves_in_flight -= 1
            self._count_in_flight(key, values, -1)
            journal = self._journal()
            journal.confirm(key, values, sent=got["sent"])
            journal.write()
            if self._showing() == key:
                self._base.update(values)
                self._take_db(got, values)
                self._say(_("Saved."))
                self._tell_conflicts(got["moved"], got["moved_here"])
            self._drafts_did_change()
            emit(self.report_did_save, action, period)

        def failed(error: BaseException) -> None:
            if not shiboken6.isValid(self):
                # (a language change) the stack goes back to where the database is,
                # in the window made again
                if shiboken6.isValid(command) and shiboken6.isValid(command.editor):
                    command.editor._step_back(command, undoing)
                return
            self._saves_in_flight -= 1
            self._count_in_flight(key, values, -1)
            if self._showing() == key and self._editable:
                now, _bad = self.current_values()
                # fields changed since by typing keep the typing
                back = {k: v for k, v in revert.items() if now.get(k) == values.get(k)}
                # what the database holds, not ``revert``: the save ``revert`` came from
                # may have failed too (an undo pressed while it was on its way), and its
                # text, shown again, is still to be saved. (A field with another write
                # on its way: that one decides.)
                held = {k: v if (*key, k) in self._in_flight else self._base.get(k, v)
                        for k, v in back.items()}
                self._saved.update(held)
                self._show_values(back)
                self.journal_now()
                if any(held[k] != v for k, v in back.items()):
                    self._set_failed(True, error_text(error))  # retried
            elif self._showing() == key:
                self._saved.update(revert)
                self._show_values(revert)
            if self._showing() == key:
                self._show_error(error, list(values))
                self._say(_("Not saved."))
            self._step_back(command, undoing)
            self._drafts_did_change()

        self._write(key, values, base, got, outlives=True).success(done).failure(
            failed).run()

    def _step_back(self, command: EditCommand, undoing: bool) -> None:
        """An undo (``undoing``) or redo of ``command`` failed: the stack goes back to
        where the database is, that step only moving it (``EditCommand.skip``)."""
        if not shiboken6.isValid(command):
            return
        stack = self.undo_stack
        at = stack.index()
        if undoing and stack.command(at) is command:
            command.skip = True
            stack.redo()
        elif not undoing and at > 0 and stack.command(at - 1) is command:
            command.skip = True
            stack.undo()

    def busy(self) -> bool:
        return self._saves_in_flight > 0 or self._debounce.pending()

    def reopen(self) -> None:
        if self.action is None:
            return
        code, period = self.action.code, self.period
        DbOp(self.session, self, lambda rep: reopen_report(rep, code, period)).success(
            lambda _r: self.reload()
        ).failure(lambda e: self._show_error(e, [])).run()

    # the report changed underneath ------------------------------------------------------
    def _changes_did_happen(self, changes) -> None:
        if self._closed:
            return
        if self._retry is not None and (changes.touches("progress")
                                        or changes.touches("lock")):
            # a submit, a reopen, a lock or unlock (an import): what the journal's
            # reports can take may have changed
            self._read_blocked()
        if self.action is None:
            return
        from fieldplan.progress import report_id

        rid = report_id(self.identity.office, self.action.code, self.period)
        if changes.names("progress", rid) or changes.touches("lock"):
            self._refresh()
        elif not self.identity.is_hq and (changes.touches("inbox")
                                          or changes.touches("outbox")):
            # headquarters' receipts imported (no event of the report), or a bundle
            # exported: only whether headquarters holds it may have changed
            self._refresh_receipt()

    def _refresh_receipt(self) -> None:
        """Read again, on the worker, whether headquarters holds the report on screen."""
        if self._receipt_asked or self.action is None:
            return
        self._receipt_asked = True
        code, period = self.action.code, self.period

        def got(receipt) -> None:
            self._receipt_asked = False
            if (not self._closed and self.action is not None
                    and (self.action.code, self.period) == (code, period)):
                self._show_receipt(receipt)

        def failed(_error: BaseException) -> None:
            self._receipt_asked = False

        DbOp(self.session, self, lambda rep: _receipt(rep, code, period)).success(
            got).failure(failed).run()

    def _show_receipt(self, receipt: Any) -> None:
        """The form's line on whether headquarters holds the report as shown
        (``receipts.HqReceipt``; None: nothing to say, at headquarters or with no
        report written yet)."""
        from ui.hq_receipt import receipt_text

        text = receipt_text(receipt) if not self.identity.is_hq else ""
        self.hq_line.setText(in_layout_direction(text) if text else "")
        self.hq_line.setVisible(bool(text))

    def _refresh(self) -> None:
        """Fetch the report on screen again (an import or another write changed it):
        the fields not typed in show what the database holds now (``_take_db``)."""
        if self._refreshing:
            self._refresh_again = True  # after the one on its way
            return
        if self.action is None:
            return
        self._refreshing = True
        action, period = self.action, self.period
        code, office = action.code, self.identity.office

        def fetch(rep):
            return (get_report(rep, code, period, office), is_locked(rep, period),
                    report_versions(rep, code, period, office),
                    _conflicts_shown(rep, code, period, office),
                    _receipt(rep, code, period))

        def over() -> None:
            self._refreshing = False
            if self._refresh_again:
                self._refresh_again = False
                self._refresh()

        def fetched(result) -> None:
            try:
                if action is self.action and period == self.period and not self._closed:
                    self._refreshed(*result)
            finally:
                over()

        DbOp(self.session, self, fetch).success(fetched).failure(lambda _e: over()).run()

    def _refreshed(
        self, report: ProgressReport | None, locked: bool, versions: dict[str, str],
        conflicts: Mapping[str, Any] | frozenset[str] = frozenset(), receipt: Any = None,
    ) -> None:
        self._show_receipt(receipt)
        submitted = report is not None and report.state == "submitted"
        was_submitted = self.report is not None and self.report.state == "submitted"
        if not self._editable or locked != self._locked or submitted != was_submitted:
            # whether it can be edited changed (or it cannot be, so nothing is typed):
            # the whole report again, what is typed saved (or kept) first
            self.reload()
            return
        self.report = report
        self.meta.setText(self._meta_text(report))
        self._take_db({"report": report, "versions": versions}, {})
        self._show_conflicts(conflicts)

    def _take_db(self, got: dict[str, Any], sent: Values) -> None:
        """What the database holds (``got``: its report, and the version of each field)
        after a write of ``sent`` or a refresh: a field written as sent is based on the
        version written; a field moved on (another computer's, another program's) shows
        its new value unless it is typed in, being saved or held back — its save is then
        over the older version, a conflict the core keeps and the editor tells."""
        if self.action is None or not self._editable:
            return
        report, versions = got["report"], got["versions"]
        for name, value in sent.items():
            if name in versions and _stored_as(field_value(report, name), value):
                self._base_ids[name] = [versions[name]]
        now, bad = self.current_values()
        key = (self.action.code, self.period)
        fresh: Values = {}
        for name in self._saved:
            ids = [versions[name]] if name in versions else []
            if ids == self._base_ids.get(name, []):
                continue
            typed = (
                name in bad
                or (*key, name) in self._in_flight
                or now.get(name) != self._base.get(name)
                or self._saved.get(name) != self._base.get(name)
            )
            if typed:
                continue  # saved over the version it was typed over: a conflict
            fresh[name] = field_value(report, name)
            self._base_ids[name] = ids
        if fresh:
            self._saved.update(fresh)
            self._base.update(fresh)
            self._show_values(fresh)

    def _field_name(self, name: str) -> str:
        """A field as a notice names it: an indicator by its title in the language, as
        the Conflicts table does (its key only when the plan no longer has it)."""
        return self.action.field_label(name) if self.action is not None else field_label(name)

    def _tell_conflicts(self, fields: Any, here: Mapping[str, bool] | None = None) -> None:
        """Say that values typed here were saved beside newer ones written elsewhere,
        or (``here``: those of ``fields`` whose every version this computer wrote, each
        with whether one was written before a restore from a backup) on this computer:
        by another window or program, or before its restore, an import bringing that
        back. Both were said to be changed elsewhere, where the Conflicts tab says every
        version comes from this computer."""
        if not fields:
            return
        here = here or {}
        groups: dict[str, list[str]] = {}
        for name in sorted(fields):
            kind = "elsewhere" if name not in here else (
                "restored" if here[name] else "here")
            groups.setdefault(kind, []).append(name)
        said = []
        for kind, names in groups.items():
            listed = join_list(self._field_name(name) for name in names)
            if kind == "here":
                # Translators: {fields} lists report fields ("Challenges, Percent
                # complete") changed on this computer, by another window or program
                # on the same database, since they were typed here; "Conflicts" is
                # the window's tab of that name, where a person keeps one value.
                text = _(
                    "Also changed on this computer since you typed it, outside this "
                    "window: {fields}. Both versions are kept; choose one in Conflicts."
                ).format(fields=listed)
            elif kind == "restored":
                # Translators: {fields} lists report fields ("Challenges, Percent
                # complete"): an import brought back the versions of them this
                # computer wrote before its database was restored from a backup;
                # "Conflicts" is the window's tab of that name.
                text = _(
                    "A version this computer wrote before its restore from a backup "
                    "came back since you typed it: {fields}. Both versions are kept; "
                    "choose one in Conflicts.").format(fields=listed)
            else:
                # Translators: {fields} lists report fields ("Challenges, Percent
                # complete"); "Conflicts" is the window's tab of that name, where a
                # person keeps one value.
                text = _(
                    "Also changed elsewhere since you typed it: {fields}. Both versions "
                    "are kept; choose one in Conflicts.").format(fields=listed)
            said.append(text)
        lines = [t for t in self.notice.text().split("\n") if t and t not in said]
        self.notice.setText("\n".join([*lines, *said]))
        self.notice.setVisible(True)
        self._told |= set(fields)

    def _whose(self, fields: Mapping[str, Any] | frozenset[str],
               shown: list[str]) -> list[str]:
        """A line for each other computer whose version of fields in conflict the form
        shows: its author, its computer and when. At the laptop whose status and
        narrative lost, the form showed the other laptop's as if they were the
        person's own, and said only that two computers changed them."""
        if not isinstance(fields, Mapping):
            return []
        from fieldplan.sync.conflicts import computer_text

        groups: dict[tuple[str, str, str], list[str]] = {}
        for name in shown:
            cand = fields.get(name)
            if cand is None or cand.here:
                continue
            who = (cand.author, computer_text(cand, embedded), time_text(cand.at))
            groups.setdefault(who, []).append(name)
        # Translators: under "Changed on two computers…": {fields} lists report fields
        # ("Status, Achievements"); the values the form shows of them were written by
        # {author} (an account name) on {computer} ("computer 3d434ae3") at {when} (a
        # date and time); the other versions are in the Conflicts tab
        return [_("Shown here for {fields}: what {author} wrote on {computer}, "
                  "{when}.").format(
                      fields=join_list(self._field_name(name) for name in names),
                      author=embedded(author), computer=computer,
                      when=embedded(unbroken(when)))
                for (author, computer, when), names in groups.items()]

    def _show_conflicts(self, fields: Mapping[str, Any] | frozenset[str]) -> None:
        """Say which fields of the report on screen have an open conflict (an import
        brought another computer's value of a field changed here too, or of one two
        other computers changed): the value shown is one of them, the others are kept;
        ``fields`` may map each field to the version shown (``_conflicts_shown``): those
        another computer wrote are said by whom, on which computer and when (``_whose``).
        Not those its own saves made (``_tell_conflicts`` said them). While the period
        is locked no one settles them: said too, and who unlocks it (as the Conflicts
        page's ``locked_note``), as the printed sheet still says "Values in conflict".
        A submitted report's are settled once it is reopened (the Conflicts page's Keep
        is disabled till then); one whose only conflict is its state (submitted on one
        computer while another changed it) is settled by reopening it."""
        shown = sorted(set(fields) - self._told)
        # (fields of which every version kept was written here: a person typed over
        # another computer's value shown, their own earlier one kept beside it)
        here = sorted(set(shown) & getattr(fields, "written_here", frozenset()))
        # (and those of which another computer wrote every version kept: its own
        # history holds versions that do not replace each other, no two computers)
        one: dict[str, str] = getattr(fields, "one_computer", {})
        others: dict[str, list[str]] = {}
        for name in shown:
            if name not in here and one.get(name):
                others.setdefault(one[name], []).append(name)
        alone = {name for names in others.values() for name in names}
        apart = [name for name in shown if name not in here and name not in alone]
        text = self._conflicts_text(apart, False)
        if text:  # whose values it shows, of those another computer wrote
            text = "\n".join([text, *self._whose(fields, apart)])
        for computer, names in others.items():
            text = "\n".join(t for t in (
                text, self._conflicts_text(names, False, computer),
                *self._whose(fields, names)) if t)
        text = "\n".join(t for t in (text, self._conflicts_text(here, True)) if t)
        lines = [t for t in self.notice.text().split("\n")
                 if t and t not in (*self._conflicts_line.split("\n"), *text.split("\n"))]
        self._conflicts_line = text
        self.notice.setText("\n".join([*lines, text] if text else lines))
        self.notice.setVisible(bool(self.notice.text()))

    def _conflicts_text(self, shown: list[str], here: bool, computer: str = "") -> str:
        """What the notice says of the report's ``shown`` fields in an open conflict
        ("" for none): changed on two computers, or (``here``) twice on this one, or
        twice on another ``computer`` (a replica id) whose history alone holds their
        versions, and where to choose one of the values kept."""
        if not shown:
            return ""
        names = join_list(self._field_name(name) for name in shown)
        submitted = self.report is not None and self.report.state == "submitted"
        if computer:
            return self._one_computer_text(shown, names, embedded(computer[:8]),
                                           submitted)
        if not self._locked and submitted and shown == ["state"] and not here:
            # Translators: of a submitted report whose status is in conflict: one
            # computer submitted it while another changed it (reopening settles it)
            return _(
                "Submitted on one computer while another changed it, neither seeing "
                "the other: reopen the report, check it, then submit it again.")
        if here and not self._locked and submitted:
            # Translators: as "Changed twice on this computer…; choose one in
            # Conflicts.", of a submitted report
            return _(
                "Changed twice on this computer, neither change replacing the other: "
                "{fields}. Both versions are kept; reopen "
                "the report to choose one in Conflicts.").format(fields=names)
        if here and not self._locked:
            # Translators: {fields} lists report fields ("Challenges, Percent
            # complete"), each written twice on this computer, the later typed over
            # another value shown then (the earlier stays beside it); "Conflicts" is
            # the window's tab of that name, where a person keeps one value
            return _(
                "Changed twice on this computer, neither change replacing the other: "
                "{fields}. Both versions are kept; choose "
                "one in Conflicts.").format(fields=names)
        if here and self.identity.is_hq:
            # Translators: as "Changed twice on this computer…; choose one in
            # Conflicts.", in a period headquarters (this computer) has locked
            return _(
                "Changed twice on this computer, neither change replacing the other: "
                "{fields}. Both versions are kept; unlock "
                "the period to choose one in Conflicts.").format(fields=names)
        if here:
            # Translators: as "Changed twice on this computer…; choose one in
            # Conflicts.", in a period headquarters has locked
            return _(
                "Changed twice on this computer, neither change replacing the other: "
                "{fields}. Both versions are kept; ask "
                "headquarters to unlock the period to choose one in Conflicts."
            ).format(fields=names)
        if not self._locked and submitted:
            # Translators: as "Changed on two computers…; choose one in Conflicts.",
            # of a submitted report
            return _(
                "Changed on two computers, neither seeing the other's change: {fields}. "
                "Both versions are kept; reopen the report to choose one in Conflicts."
            ).format(fields=names)
        if not self._locked:
            # Translators: {fields} lists report fields ("Challenges, Percent
            # complete"); "Conflicts" is the window's tab of that name, where a
            # person keeps one value.
            return _(
                "Changed on two computers, neither seeing the other's change: {fields}. "
                "Both versions are kept; choose one in Conflicts."
            ).format(fields=names)
        if self.identity.is_hq:
            # Translators: as "Changed on two computers…; choose one in Conflicts.",
            # in a period headquarters (this computer) has locked
            return _(
                "Changed on two computers, neither seeing the other's change: {fields}. "
                "Both versions are kept; unlock the period to choose one in Conflicts."
            ).format(fields=names)
        # Translators: as "Changed on two computers…; choose one in Conflicts.",
        # in a period headquarters has locked
        return _(
            "Changed on two computers, neither seeing the other's change: {fields}. "
            "Both versions are kept; ask headquarters to unlock the period to "
            "choose one in Conflicts."
        ).format(fields=names)


    def _one_computer_text(self, shown: list[str], names: str, computer: str,
                           submitted: bool) -> str:
        """``_conflicts_text`` of fields whose every version one other computer
        (``computer``, its short id) wrote, none replacing another (its history, after
        a restore from a backup, say): it said they were changed on two computers."""
        if not self._locked and submitted and shown == ["state"]:
            # Translators: of a submitted report whose status is in conflict in one
            # other computer's history alone: {computer} is its short id ("3d434ae3")
            return _(
                "Submitted and changed on computer {computer}, neither replacing the "
                "other: reopen the report, check it, then submit it again."
            ).format(computer=computer)
        if not self._locked and submitted:
            # Translators: as "Changed twice on computer {computer}…; choose one in
            # Conflicts.", of a submitted report
            return _(
                "Changed twice on computer {computer}, neither change replacing the "
                "other: {fields}. Both versions are kept; reopen the report to choose "
                "one in Conflicts.").format(computer=computer, fields=names)
        if not self._locked:
            # Translators: {fields} lists report fields ("Challenges, Percent
            # complete"), each written twice on one other computer, {computer} (its
            # short id, "3d434ae3"), neither version replacing the other (its history
            # holds both: no second computer wrote them); "Conflicts" is the window's
            # tab of that name, where a person keeps one value
            return _(
                "Changed twice on computer {computer}, neither change replacing the "
                "other: {fields}. Both versions are kept; choose one in Conflicts."
            ).format(computer=computer, fields=names)
        if self.identity.is_hq:
            # Translators: as "Changed twice on computer {computer}…; choose one in
            # Conflicts.", in a period headquarters (this computer) has locked
            return _(
                "Changed twice on computer {computer}, neither change replacing the "
                "other: {fields}. Both versions are kept; unlock the period to choose "
                "one in Conflicts.").format(computer=computer, fields=names)
        # Translators: as "Changed twice on computer {computer}…; choose one in
        # Conflicts.", in a period headquarters has locked
        return _(
            "Changed twice on computer {computer}, neither change replacing the other: "
            "{fields}. Both versions are kept; ask headquarters to unlock the period to "
            "choose one in Conflicts.").format(computer=computer, fields=names)


def _conflicts_shown(rep: Any, code: str, period: str, office: str) -> dict[str, Any]:
    """The report's fields in an open conflict (``report_conflicts``), each with the
    version the form shows (``shown_versions_of_report``; None if it cannot be told)."""
    fields = report_conflicts(rep, code, period, office)
    if not fields:
        return {}
    from fieldplan.sync.conflicts import one_computer_fields, shown_versions_of_report

    shown = shown_versions_of_report(rep, code, period, office)
    one = one_computer_fields(rep, code, period, office)
    return _Conflicts({field: shown.get(field) for field in fields},
                      written_here=frozenset(f for f, r in one.items()
                                             if r == rep.replica_id),
                      one_computer=one)


class _Conflicts(dict):
    """``_conflicts_shown``: field → the version shown; ``written_here``: the fields of
    which every version kept was written on this computer (``written_here_only``);
    ``one_computer``: field → the computer (replica id) that wrote every version of it
    kept, of those one computer wrote (``one_computer_fields``), this one's too."""

    def __init__(self, shown: dict[str, Any], *, written_here: frozenset[str],
                 one_computer: dict[str, str] | None = None) -> None:
        super().__init__(shown)
        self.written_here = written_here
        self.one_computer = one_computer or {}


def _follow_moved(journal: Any, plan: Any, scope: Any, office: str,
                  key: tuple[str, str]) -> list[tuple[str, str]]:
    """Move the values of a draft typed for indicators an amendment moved to another
    action (``Plan.moved_values``) to the draft of that action's report for the same
    period, where the plan shows that report to this office: saved there, where
    the plan has the indicator now. The reports that took values."""
    from ui.drafts import MOVED

    action, period = key
    moves = {f"value.{k}": (to, period) for (code, k), to in plan.moved_values.items()
             if code == action and scope.shows(office, to, period)}
    # (one moved to an action the plan does not show this office, for the period: set
    # aside, saying where it went and why that report is not this office's, not "the
    # current plan has no such indicator")
    away = {f"value.{k}": (MOVED, to, *scope.why_hidden(office, to, period))
            for (code, k), to in plan.moved_values.items()
            if code == action and not scope.shows(office, to, period)}
    if away:
        journal.moved_away(key, away)
    return journal.move_fields(key, moves) if moves else []


def _indicators(plan: Any, code: str) -> frozenset[str]:
    """The keys of the indicators of the plan's action ``code`` (none when it has no
    such action)."""
    try:
        action = plan.action(code)
    except ValidationError:
        return frozenset()
    return frozenset(ind.key for ind in action.indicators)


#: (``_shorter``) the kinds of the status bar's short words for text set aside
_SET_ASIDE, _SETTING_ASIDE, _SAFE = "set", "setting", "safe"


def _shorter(kind: str, *, action: str = "", n: int = 0) -> str:
    """The status bar's short words, at its narrowest, for text of one report
    (``action``: its code) or of ``n`` reports set aside (``_SET_ASIDE``), on its way
    to the set-aside file (``_SETTING_ASIDE``) or safe in the drafts file until that
    file can take it (``_SAFE``); beside the button "Text set aside…"."""
    if kind == _SET_ASIDE:
        # Translators: the status bar's short words, at its narrowest, for "PA1.1 (2nd
        # semester 2026) is outside the plan now; what was typed is kept in {file}"
        # (or its text this version cannot show, or its value of an indicator the
        # plan has no longer); beside the button "Text set aside…"
        return (_("{action}: text set aside").format(action=action) if action else
                counted("{n} report: text set aside", "{n} reports: text set aside",
                        n))
    if kind == _SETTING_ASIDE:
        # Translators: the status bar's short words, at its narrowest, for "Moving
        # what was typed in PA1.1 (2nd semester 2026), outside the plan now, to
        # {file}…"
        return (_("{action}: setting text aside…").format(action=action) if action else
                counted("{n} report: setting text aside…",
                        "{n} reports: setting text aside…", n))
    # Translators: the status bar's short words, at its narrowest, for "What was typed
    # in PA1.1 (2nd semester 2026), outside the plan now, is safe in the drafts file
    # and will be moved to {file} as soon as it can be ({error})"
    return (_("{action}: text safe, to set aside").format(action=action) if action else
            counted("{n} report: text safe, to set aside",
                    "{n} reports: text safe, to set aside", n))


def _report_name(key: tuple[str, str]) -> str:
    """A report as the status bar names it: "PA1.1 (2nd semester 2026)"."""
    from ui.unkept import draft_period

    return _("{action} ({period})").format(action=key[0], period=draft_period(key[1]))


def typed_elsewhere(office: str) -> str:
    """Why a report's text found beside the database is not saved: it was typed in
    another database (``DraftJournal.foreign``), of ``office`` when its file says."""
    if office:
        # Translators: {office} is "BD · Bangladesh"
        return _("typed in another database ({office}), not saved here").format(
            office=office_label(office))
    return _("typed in another database, not saved here")


#: How a link names a report (``report_link``): "report:PA1.1/2026-S2".
REPORT_LINK = "report:"


def report_link(key: tuple[str, str]) -> str:
    """The link to a report (action code, period) in a rich-text notice."""
    from urllib.parse import quote

    return REPORT_LINK + quote(key[0], safe="") + "/" + quote(key[1], safe="")


def linked_report(link: str) -> tuple[str, str] | None:
    """The report (action code, period) a ``report_link`` names; None for another link."""
    from urllib.parse import unquote

    if not link.startswith(REPORT_LINK) or "/" not in link:
        return None
    action, period = link.removeprefix(REPORT_LINK).split("/", 1)
    return unquote(action), unquote(period)


def recovered_text(keys: list[tuple[str, str]], links: bool = False) -> str:
    """What the status bar says of the reports saved at start from what the drafts file
    kept; ``links``: as rich text, each report a link to it (``report_link``), kept
    whole in a right-to-left sentence."""
    from ui.bidi import in_layout_isolate

    # Translators: {reports} lists reports ("PA1.1 (2nd semester 2026), PA3.6
    # (1st semester 2026)") saved from the drafts file at start
    text = _("Recovered what was typed before fieldplan closed: {reports} — saved")
    if not links:
        return text.format(reports=join_list([_report_name(key) for key in keys]))
    links = []
    for key in keys:
        href, name = report_link(key), in_layout_isolate(_report_name(key))
        links.append(f'<a href="{html.escape(href)}">{html.escape(name)}</a>')
    return html.escape(text).format(reports=join_list(links))


def _ids(ids: list[str] | None) -> list[str] | None:
    """A copy of a field's base (None: not known)."""
    return None if ids is None else list(ids)


#: how many reports holding text that is not valid the status bar names
HELD_NAMED = 3


def _named(keys: list[tuple[str, str]]) -> str:
    """The first few reports (HELD_NAMED) named, then "…"."""
    names = [_report_name(key) for key in keys[:HELD_NAMED]]
    if len(keys) > HELD_NAMED:
        names.append("…")
    return join_list(names)

def _leading() -> Qt.AlignmentFlag:
    """The layout's leading side, as an absolute alignment: QLabel and QLineEdit
    align text with no letters (a number) left even in a right-to-left layout."""
    side = (
        Qt.AlignmentFlag.AlignRight if QApplication.isRightToLeft() else Qt.AlignmentFlag.AlignLeft
    )
    return side | Qt.AlignmentFlag.AlignAbsolute | Qt.AlignmentFlag.AlignVCenter


def show_read_only(field: QWidget, read_only: bool) -> None:
    """Give a read-only field the window's background, as a disabled one has: white
    says "type here". The text stays black and can still be selected and copied."""
    from PySide6.QtGui import QPalette

    if read_only:
        palette = field.palette()
        palette.setBrush(QPalette.ColorRole.Base, palette.brush(QPalette.ColorRole.Window))
        field.setPalette(palette)
    else:
        field.setPalette(QPalette())  # the inherited one again


def _percent_text(value: int | None) -> str:
    """A percent as the editor shows it: the number alone, the label saying "%"."""
    return "" if value is None else str(value)


def _number_text(value: float | None) -> str:
    """An actual as the editor shows it: grouped as the Target is, in the current
    language, with every digit (parse_number reads it back as the same number)."""
    if value is None:
        return ""
    if float(value).is_integer():
        value = int(value)
    return format_number(value, exact=True)
