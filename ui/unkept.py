"""The question before closing with typing that nothing holds.

What is typed is saved in the database and, until it is, kept in the drafts file
(ui.drafts). When neither can be written (a full disk), closing would lose it: the
window asks first (``UnkeptDialog``), offering to save the text to a file of the
person's choice or to copy it to the clipboard, or to go back (the default). While the
question is open the saves go on being retried: once one of them keeps the text, the
window closes as it was asked to.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import (
    _,
    field_label,
    format_number,
    format_period,
    join_list,
    status_label,
)
from fieldplan.model import NARRATIVE_FIELDS
from fieldplan.text import bidi_contained, has_rtl
from ui.bidi import (
    LRM,
    RLM,
    embedded,
    in_layout_direction,
    in_layout_isolate,
    isolated_codes,
    text_direction,
)
from ui.dialogs import (
    fit_to_screen,
    note_label,
    save_file_dialog,
    tab_in_layout_order,
    text_label,
)
from ui.ops import OffThread, error_text, sentence
from ui.qtcompat import Qt, emit
from ui.wrapped_label import WrappedLabel

#: (action code, period)
Key = tuple[str, str]


def report_name(key: Key) -> str:
    """"PA1.1 (2026 S2)"."""
    return _("{action} ({period})").format(action=key[0], period=draft_period(key[1]))


def draft_period(period: str) -> str:
    """A draft's period in words; one that is no period (a drafts file damaged on
    disk: "2026-Sx") as the file gives it, quoted, rather than a ValueError that left
    the status bar silent about the draft it set aside."""
    try:
        return format_period(period)
    except ValueError:
        from fieldplan.text import for_message

        return repr(for_message(str(period)))


def _field_order(name: str) -> tuple[int, str]:
    if name == "status":
        return (0, "")
    if name == "percent":
        return (1, "")
    if name in NARRATIVE_FIELDS:
        return (3, str(NARRATIVE_FIELDS.index(name)))
    return (2, name)  # indicators


def _value_text(name: str, value: Any) -> str:
    if value is None:
        return ""
    if name == "status":
        try:
            return status_label(str(value))
        except ValueError:  # none of this version's (a damaged or later drafts file)
            return str(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value, exact=True)
    return str(value)


def _known_field(name: str) -> bool:
    """Whether ``field_label`` has words for the field ``name`` (else it gives the
    name as it is)."""
    return name in ("status", "percent", *NARRATIVE_FIELDS) or name.startswith("value.")


def _raw_name(name: str) -> str:
    """A field's name as a drafts file gives it, inside a line: isolated where a
    right-to-left layout or its own letters could mix it with the words around it
    (``embedded``); its bidi controls contained in any layout."""
    if QGuiApplication.isRightToLeft() or has_rtl(name):
        return embedded(name)
    return bidi_contained(name)


def _in_layout_line(text: str) -> str:
    """A line that reads in the layout's direction whatever its first letter (none, or
    inside an isolate, included): a direction mark in front where it would not."""
    rtl = QGuiApplication.isRightToLeft()
    want = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    if text_direction(text) == want:
        return text
    return (RLM if rtl else LRM) + text


def unkept_text(journal: Any, keys: list[Key], *, apart: bool = True) -> str:
    """What was typed in these reports and is not kept, as plain text to read or to
    paste back: each report's name, then each field's name and text (a field held back
    as not valid as it was typed); then, with ``apart``, the fields the editor cannot
    show that wait for the set-aside file (``DraftJournal.apart_fields``:
    ``set_apart``), after a line saying why."""
    from ui.drafts import AsideReason, _apart_why

    blocks = []
    for key in keys:
        # in Arabic, "PA1.1 (النصف الأول 2026)" starts a line right to left
        parts = [in_layout_direction(report_name(key)),
                 *_field_parts(journal.values(key), journal.held(key))]
        fields = (journal.apart_fields(key)
                  if apart and hasattr(journal, "apart_fields") else {})
        if fields.get("values") or fields.get("held"):
            why = str(AsideReason("", _apart_why(fields)))
            parts += [in_layout_direction(sentence(why)),
                      *_field_parts(fields.get("values", {}), fields.get("held", {}))]
        blocks.append("\n\n".join(parts))
    return "\n\n\n".join(blocks) + "\n"


def _field_parts(values: dict[str, Any], held: dict[str, str]) -> list[str]:
    """(``unkept_text``) Each field's name and text, in the editor's order."""
    # Translators: one field of a report in the text of what was not saved; French
    # puts a no-break space before the colon
    line = _("{label}: {n}")
    parts = []
    for name in sorted({*values, *held}, key=_field_order):
        text = held[name] if name in held else _value_text(name, values[name])
        if name in NARRATIVE_FIELDS:  # its name on a line, then the text as typed
            parts.append(line.format(label=field_label(name), n="").rstrip() + "\n" + text)
        elif _known_field(name):
            parts.append(line.format(label=field_label(name), n=text))
        else:
            # a field this version has not ("chalXenges": a drafts file damaged on
            # disk, or one a later release wrote), named as the file names it: the
            # name kept apart, the line read in the layout's direction (in Arabic
            # it read left to right, from its Latin name)
            parts.append(_in_layout_line(line.format(label=_raw_name(name), n=text)))
    return parts


def discard_dialog(parent: QWidget, journal: Any, key: Key) -> QDialog:
    """Ask before throwing away the text a report holds unsaved and cannot take now
    (submitted, or locked by headquarters): the text itself is shown, and can be
    copied; Cancel is the default. The caller discards it on ``accepted``. Not the
    fields waiting for the set-aside file (``set_apart``), which a discard keeps: they
    go to that file, to be read and discarded there (View ▸ Text set aside…)."""
    return _discard_dialog(parent, [key], unkept_text(journal, [key], apart=False))


class _Entry:
    """One entry of the set-aside file (ui.drafts) read as ``unkept_text`` reads a
    journal."""

    def __init__(self, entry: dict[str, Any]) -> None:
        values, held = entry.get("values"), entry.get("held")
        self._values = dict(values) if isinstance(values, dict) else {}
        self._held = {str(k): str(v) for k, v in held.items()} if isinstance(held, dict) else {}

    def values(self, _key: Key) -> dict[str, Any]:
        return self._values

    def held(self, _key: Key) -> dict[str, str]:
        return self._held


def set_aside_dialog(parent: QWidget, entries: list[dict[str, Any]],
                     foreign: list[tuple[str, dict[str, Any]]] = ()) -> QDialog:
    """(the drafts the plan refuses, ``DraftJournal.aside_entries``) The text each
    entry holds, to read and copy, and to discard at the person's word, as
    ``discard_dialog`` asks; Cancel is the default. The caller discards them on
    ``accepted``. ``foreign``: entries typed in another database
    (``DraftJournal.foreign_entries``), each after a line saying so (``why``), as is
    an entry of fields the editor could not show (``ui.drafts.UNFIT``, ``DROPPED``)."""
    from ui.drafts import APART_KEY, AsideReason, _apart_why, _is_apart, _reason_of

    blocks, keys = [], []
    # (text the editor could not show, set aside from a report still in the plan: why,
    # or it reads as if the plan had refused it)
    said = [(str(_reason_of(e)) if _is_apart(e) else "", e) for e in entries]
    shown: list[tuple[str, dict[str, Any]]] = []
    for why, entry in [*said, *foreign]:
        shown.append((why, entry))
        # fields the editor could not show, a value typed in the same field since
        # (ui.drafts: "apart"), after it: with why
        apart = entry.get(APART_KEY)
        if isinstance(apart, dict) and any(isinstance(apart.get(part), dict)
                                           and apart[part] for part in ("values", "held")):
            fields = {part: apart[part] for part in ("values", "held")
                      if isinstance(apart.get(part), dict)}
            shown.append((str(AsideReason("", _apart_why(fields))),
                          {"action": entry["action"], "period": entry["period"], **fields}))
    for why, entry in shown:
        key = (str(entry["action"]), str(entry["period"]))
        text = unkept_text(_Entry(entry), [key])
        if why:  # under the report's name: whose text it is
            name, _sep, rest = text.partition("\n\n")
            text = f"{name}\n{in_layout_direction(sentence(why))}\n\n{rest}"
        blocks.append(text)
        keys.append(key)
    return _discard_dialog(parent, list(dict.fromkeys(keys)), "\n\n".join(blocks))


def _discard_dialog(parent: QWidget, keys: list[Key], unkept: str) -> QDialog:
    """``discard_dialog`` of these reports, ``unkept`` their text."""
    from ui.dialogs import ConfirmDialog

    # Translators: {report} is "PA1.1 (2nd semester 2026)" (or several, "PA1.1 (2nd
    # semester 2026) and PA1.2 (1st semester 2026)")
    text = _("Discard what was typed in {report} and not saved? It cannot be brought "
             "back. Copy it first if you may need it.").format(
                 report=join_list(in_layout_isolate(report_name(k)) for k in keys))
    dialog = ConfirmDialog(parent, _("Discard unsaved text"), isolated_codes(text),
                           unkept, _("&Discard"), cautious=True)
    dialog.setObjectName("discard-draft-dialog")
    role = QDialogButtonBox.ButtonRole
    copy = dialog.buttons.addButton(_("&Copy to the clipboard"), role.ActionRole)
    copy.setAutoDefault(False)
    tab_in_layout_order(dialog.buttons)  # (Copy was added after the box's order was set)
    dialog.copy_button = copy

    def copied() -> None:
        QApplication.clipboard().setText(unkept)
        copy.setText(_("Copied"))

    copy.clicked.connect(copied)
    return dialog


class UnkeptDialog(QDialog):
    """Closing would lose typing: save it to a file, copy it, or go back (the default).

    ``recheck()`` answers which reports are still not kept, without waiting (after a
    save or a write of the drafts file), and whether that file is still being
    written; ``try_again()`` saves, writes and waits, as
    closing does. ``close_now`` asks the window to close: False once what was typed is
    kept (the window checks again), True when the person closes without it."""

    close_now = Signal(bool)  # discard

    def __init__(
        self,
        parent: QWidget,
        journal: Any,
        unkept: list[Key],
        try_again: Callable[[], list[Key]],
        default_folder: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("unkept-dialog")
        self.setWindowTitle(_("Not saved"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.journal = journal
        self.unkept = list(unkept)
        self._try_again = try_again
        self._default_folder = default_folder
        #: a file being written: the dialog stays until it is (or is not)
        self.saving = False
        self._over = False
        lay = QVBoxLayout(self)
        self.text = text_label("unkept-text")
        lay.addWidget(self.text)
        from ui.bidi_widgets import PlainTextEdit

        # what would be lost, to read (and to select and copy from)
        self.details = PlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Not saved"))
        lay.addWidget(self.details, 1)
        self.reason = text_label("unkept-reason")
        lay.addWidget(self.reason)
        # a write of the drafts file still going (a slow disk) is no failure: said so,
        # until it ends
        self.writing = text_label("unkept-writing")
        self.writing.setText(_("The drafts file is still being written (a slow disk); "
                               "this question closes by itself when it is done."))
        lay.addWidget(self.writing)
        self.how = WrappedLabel(_(
            "Save it to a file of your choice (on a USB stick, for example) or copy it "
            "to the clipboard, or go back. fieldplan keeps trying to save it: if it "
            "succeeds while this question is open, fieldplan closes."))
        lay.addWidget(self.how)
        self.message = note_label("unkept-message")
        self.message.setStyleSheet("font-weight: bold;")
        lay.addWidget(self.message)
        # the two ways of keeping the text on a row of their own, above the dialog's
        # buttons (and before them for Tab): the five on one row were 1,041 pixels wide
        # in French at 14 points, cut to "gistrer dans un fichi" on a laptop at 200 %
        self.save_button = QPushButton(_("&Save to a file…"))
        self.copy_button = QPushButton(_("&Copy to the clipboard"))
        keep_row = QHBoxLayout()
        keep_row.addWidget(self.save_button)
        keep_row.addWidget(self.copy_button)
        keep_row.addStretch(1)
        lay.addLayout(keep_row)
        buttons = QDialogButtonBox()
        role = QDialogButtonBox.ButtonRole
        self.retry_button = buttons.addButton(_("&Try again"), role.ActionRole)
        # shown once the text is copied: closing then is the person's own choice
        self.discard_button = buttons.addButton(_("Close &anyway"), role.DestructiveRole)
        self.discard_button.setVisible(False)
        self.back_button = buttons.addButton(_("&Go back"), role.RejectRole)
        self.save_button.clicked.connect(self.choose_file)
        self.copy_button.clicked.connect(self.copy)
        self.retry_button.clicked.connect(self.try_again)
        self.discard_button.clicked.connect(lambda: self._close(discard=True))
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)
        # Enter and Escape both go back: closing without the text is never one key away
        for b in (self.save_button, self.copy_button, *buttons.buttons()):
            if isinstance(b, QPushButton):
                b.setAutoDefault(False)
        self.back_button.setDefault(True)
        self.back_button.setFocus()
        self._show()
        fit_to_screen(self, 620, 440)

    def _show(self) -> None:
        self.text.setText(isolated_codes(_(
            "What you typed in {reports} is neither in the database nor in the drafts "
            "file. If fieldplan closes now, it is lost.").format(
                reports=join_list(in_layout_isolate(report_name(k))
                                     for k in self.unkept))))
        self.details.setPlainText(unkept_text(self.journal, self.unkept))
        error = self.journal.file_error
        self.reason.setText(isolated_codes(_("The drafts file cannot be written: {error}")
                                           .format(error=error)) if error else "")
        self.reason.setVisible(bool(error))
        self._show_writing()

    def _show_writing(self) -> None:
        # (its text and the question close together once the write keeps it all)
        self.writing.setVisible(self.journal.writing and not self.journal.file_error)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    # what the person chose ------------------------------------------------------------
    def copy(self) -> None:
        """The text to the clipboard; closing is offered from now on."""
        QApplication.clipboard().setText(unkept_text(self.journal, self.unkept))
        self._say(_("Copied to the clipboard. Paste it somewhere safe (an email, a "
                    "document) before you close fieldplan."))
        self.discard_button.setVisible(True)

    def choose_file(self) -> None:
        from fieldplan.events import utc_iso

        stamp = utc_iso()[:16].replace(":", "").replace("-", "")
        folder = self._default_folder or str(Path.home())
        save_file_dialog(self, _("Save what you typed"),
                         str(Path(folder) / f"fieldplan-not-saved-{stamp}.txt"),
                         "unkept-file-dialog", _("Text files (*.txt)"), "txt", self.save_to)

    def save_to(self, path: str) -> None:
        """Write the text to ``path`` (on a thread of its own: a USB stick takes its
        time); once it is written, the window closes."""
        if self.saving:
            return
        data = unkept_text(self.journal, self.unkept).encode("utf-8")

        def write() -> None:  # (its thread)
            from fieldplan import files

            files.write_atomic(path, data)

        me = self

        def done(_result: None) -> None:
            if shiboken6.isValid(me):
                me.saving = False
                me._close(discard=True)  # kept in the file: nothing is lost

        def failed(error: BaseException) -> None:
            if shiboken6.isValid(me):
                me.saving = False
                me._set_enabled(True)
                me._say(_("Not saved to the file: {error}").format(
                    error=isolated_codes(error_text(error))))

        self.saving = True
        self._set_enabled(False)
        self._say(_("Saving…"))
        OffThread(write, done, failed, name="fieldplan-save-unkept")

    def try_again(self) -> None:
        """Save and write the drafts file again now; closes if that keeps it all."""
        self._recheck(self._try_again())
        if not self._over:
            self._say(_("Still not saved."))

    def recheck(self) -> None:
        """(a save or a write of the drafts file ended) close if all is kept now."""
        if self._over:
            return
        if self.saving:  # (its outcome decides; the drafts file's write may have ended)
            self._show_writing()
        else:
            self._recheck(self.journal.unkept())

    def _recheck(self, unkept: list[Key]) -> None:
        if not unkept:
            self._close(discard=False)
            return
        self.unkept = list(unkept)
        self._show()

    def _set_enabled(self, enabled: bool) -> None:
        for b in (self.save_button, self.copy_button, self.retry_button,
                  self.discard_button):
            b.setEnabled(enabled)

    def _close(self, *, discard: bool) -> None:
        if self._over:
            return
        self._over = True
        self.accept()
        emit(self.close_now, discard)

    def reject(self) -> None:
        if self.saving:
            return  # the file is being written: its outcome is said here
        self._over = True
        super().reject()
