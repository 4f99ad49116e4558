"""Small window-modal dialogs opened with ``open()`` (never ``exec()``), so the event
loop keeps running and tests can drive them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _
from ui.combo import ElidingComboBox
from ui.path_label import PlainLabel
from ui.qtcompat import Qt

# the screen helpers live in ui.screen, which the main window imports before its first
# paint without this module's widgets; dialogs take them from here as before
from ui.screen import FRAME_ROOM, fit_to_screen, keep_on_screen  # noqa: F401 (theirs)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QFileDialog

    from ui.context import Identity
    from ui.path_label import PathLabel


def tab_in_layout_order(buttons: QDialogButtonBox) -> None:
    """Tab goes through ``buttons`` in the order they are laid out (from the right in
    Arabic, as they are read). Call it once the box is in its dialog: a box made
    without a parent and then put in one has its Tab order reset to the order its
    buttons were made in (Close before "Save bundle" and "Enrol an office…", shown
    after them; on GNOME, which shows Cancel before OK, OK first)."""
    lay = buttons.layout()
    shown = [w for w in (lay.itemAt(i).widget() for i in range(lay.count())) if w is not None]
    for first, then in itertools.pairwise(shown):
        QWidget.setTabOrder(first, then)


def size_to_content(dialog: QDialog, width: int) -> None:
    """``width`` wide and as high as its content at that width: no blank band
    between the content and the buttons. A dialog whose text grows later (a message
    after a save, an error, a note shown) grows with it (``_GrowWithContent``)."""
    lay = dialog.layout()
    lay.activate()
    fit_to_screen(dialog, width, _content_height(dialog, width))
    if dialog.findChild(_GrowWithContent) is None:
        dialog.installEventFilter(_GrowWithContent(dialog))


def _content_height(dialog: QDialog, width: int) -> int:
    lay = dialog.layout()
    if lay.hasHeightForWidth():
        height = lay.totalHeightForWidth(width)
    else:
        height = lay.totalSizeHint().height()
    return max(height, lay.totalMinimumSize().height())


class _GrowWithContent(QObject):
    """Makes its dialog taller when its content no longer fits (never shorter: the
    person may have made it taller). Qt keeps a window at least as high as its
    layout's minimum, which counts a wrapped label as one line: a message of three
    lines set after a save was cut off, and the text above it squeezed."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # a label's new text, a note shown: the layout asks to be done again (the
        # layout has handled the request already when filters see it)
        if event.type() == QEvent.Type.LayoutRequest and isinstance(watched, QDialog):
            height = _content_height(watched, watched.width())
            if height > watched.height():
                fit_to_screen(watched, watched.width(), height)
        return False


class ScrolledContent(QScrollArea):
    """A dialog's content above its buttons, scrolled when the screen is too short
    for it (a laptop at 200 % has 364 pixels of Qt less the task bar) rather than
    squeezed, its lines drawn over each other. As high as its content at its width
    when there is room (``size_to_content`` asks it), the buttons always in sight.
    No stop for Tab of its own: it follows the focus."""

    def __init__(self, content: QWidget) -> None:
        super().__init__()
        self.setObjectName("scrolled-content")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(content)
        content.setAutoFillBackground(False)  # (the dialog's own background)
        self.viewport().setAutoFillBackground(False)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        content = self.widget()
        if content.hasHeightForWidth():
            return content.heightForWidth(width)
        return content.sizeHint().height()

    def sizeHint(self) -> QSize:
        return self.widget().sizeHint()

    def minimumSizeHint(self) -> QSize:
        # as narrow as the content can be, with room for the scrollbar; a few lines high
        bar = self.verticalScrollBar().sizeHint().width()
        return QSize(self.widget().minimumSizeHint().width() + bar,
                     self.fontMetrics().lineSpacing() * 4)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the content's height changed: the dialog asks again
        return super().event(event)


def scrolled_text(label: QLabel, details: str = "") -> QWidget:
    """A dialog's ``label`` as it goes in its layout: in a ``ScrolledContent``, so that
    a text higher than the screen has room for (the lock's warnings in French, 474
    pixels, on a laptop at 150 % with a task bar: 437) scrolls, where Qt squeezed the
    label and cut off its last lines, with no way to read them. A dialog with
    ``details`` (which scroll themselves) or with no text keeps the label as it is."""
    if details or not label.text():
        return label
    return ScrolledContent(label)


class ConfirmDialog(QDialog):
    """A question, optional details, optional choices, and OK (with its own words) /
    Cancel."""

    def __init__(
        self,
        parent: QWidget | None,
        title: str,
        text: str,
        details: str = "",
        ok_text: str = "",
        monospace_details: bool = False,
        cautious: bool = False,
        choices: Mapping[str, str] | None = None,
        choices_title: str = "",
    ) -> None:
        """``cautious``: what OK does cannot be undone (revoke, refuse or trust a key):
        Cancel is the default button, so Enter never does it by accident. Otherwise OK
        is, and has the focus (not the details, where Enter would do it unseen).
        ``choices``: key → the words of a check box each, under ``choices_title``,
        none checked: OK is enabled while one is, and ``chosen()`` says which; the
        first has the focus."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        self.text = PlainLabel(text)  # (copied without the marks that lay it out)
        lay.addWidget(scrolled_text(self.text, details))
        # with nothing to say, no place a click or a screen reader stops at to find
        # nothing
        self.text.setVisible(bool(text))
        if text:  # the question, read again with Tab (what a lock leaves stuck, …)
            reached_by_tab(self.text)
        self.details = None
        if details:
            from ui.bidi_widgets import PlainTextEdit

            # each line in its own direction (a list of actions in Arabic reads
            # right to left; a key fingerprint left to right)
            self.details = PlainTextEdit(details, copies_as_written=True)
            self.details.setReadOnly(True)
            self.details.setAccessibleName(_("Details"))
            if monospace_details:
                self.details.setFont(fixed_font())
                self.details.setMaximumHeight(
                    self.details.fontMetrics().lineSpacing() * 3 + 16)
            lay.addWidget(self.details)
        self.choices: dict[str, QCheckBox] = {}
        if choices:
            group = QGroupBox(choices_title)
            group.setObjectName("choices")
            column = QVBoxLayout(group)
            for key, words in choices.items():
                box = QCheckBox(words)
                box.setObjectName(f"choice-{key}")
                box.toggled.connect(self._choice_was_toggled)
                column.addWidget(box)
                self.choices[key] = box
            lay.addWidget(group)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons = buttons  # (a caller may add one of its own: Copy)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        if ok_text:
            self.ok_button.setText(ok_text)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)  # (OK came first on GNOME, which shows it last)
        first = self.cancel_button if cautious else self.ok_button
        other = self.ok_button if cautious else self.cancel_button
        other.setAutoDefault(False)
        other.setDefault(False)
        first.setDefault(True)
        first.setFocus()
        if self.choices:
            self._choice_was_toggled()
            next(iter(self.choices.values())).setFocus()
        if details and not monospace_details:
            fit_to_screen(self, 520, 300)  # a list: room to read it
            if self.choices:  # (and to see every choice under it)
                fit_to_screen(self, 520, max(300, _content_height(self, 520)))
        else:
            size_to_content(self, 520)

    def chosen(self) -> list[str]:
        """The keys of the choices checked, in their order."""
        return [key for key, box in self.choices.items() if box.isChecked()]

    def _choice_was_toggled(self) -> None:
        self.ok_button.setEnabled(bool(self.chosen()))


def selectable() -> Qt.TextInteractionFlag:
    """A label's text selectable with the mouse and the keyboard (a file name or an
    email subject to copy)."""
    return (Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard)


def fixed_font():
    """The system's fixed-width font, as large as the application's (fingerprints are
    read aloud: they grow with a larger font like everything else)."""
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtWidgets import QApplication

    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    size = QApplication.font().pointSizeF()
    if size > 0:
        font.setPointSizeF(size)
    return font


class MessageDialog(QDialog):
    """Information with optional details; OK only."""

    def __init__(self, parent: QWidget | None, title: str, text: str, details: str = "",
                 *, warning: bool = False) -> None:
        """``warning``: an error, with the style's warning sign beside the text, as Qt's
        message box showed one (an error and a notice looked alike without it)."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lay = QVBoxLayout(self)
        # file names, paths: as written, and copied without the marks that lay them out
        self.text = PlainLabel(text)
        #: the warning sign beside the text (``warning``), None without
        self.sign: QLabel | None = None
        if warning:
            from PySide6.QtWidgets import QStyle

            style = self.style()
            size = style.pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize, None, self)
            self.sign = QLabel()
            self.sign.setPixmap(style.standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning, None, self).pixmap(size, size))
            self.sign.setAlignment(Qt.AlignmentFlag.AlignTop)
            self.sign.setAccessibleName(_("Warning"))
            row = QHBoxLayout()  # (mirrored in a right-to-left layout: the sign first)
            row.addWidget(self.sign)
            row.addWidget(scrolled_text(self.text, details), 1)
            lay.addLayout(row)
        else:
            lay.addWidget(scrolled_text(self.text, details))
        # with nothing to say, no stop of Tab (``reached_by_tab``) that says nothing
        self.text.setVisible(bool(text))
        if text:  # read again with Tab, as the details under it are
            reached_by_tab(self.text)
        if details:
            from ui.bidi_widgets import PlainTextEdit

            # (read with the keyboard too, each line its way; copied as written)
            box = PlainTextEdit(details, copies_as_written=True)
            box.setReadOnly(True)
            box.setAccessibleName(_("Details"))
            lay.addWidget(box)
        #: (a subclass may add its own buttons beside OK)
        self.buttons = buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        lay.addWidget(buttons)
        # the focus on OK when it opens, as in Qt's message box: Space closes it as
        # Enter does (the text, first of Tab's stops, had it, and Space did nothing);
        # the text is a stop of Tab still, selected with the keyboard or the mouse
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)
        ok.setFocus(Qt.FocusReason.OtherFocusReason)
        if details:
            fit_to_screen(self, 520, 260)
        else:
            size_to_content(self, 520)


def add_folder_row(parent: QWidget, form: QFormLayout, folder: str) -> QLineEdit:
    """A "Folder" row of ``form``: the folder's field (returned) and a Browse… button
    opening a non-blocking folder chooser that writes into it."""
    field = QLineEdit(folder)
    field.setAccessibleName(_("Folder"))
    browse = QPushButton(_("&Browse…"))
    browse.clicked.connect(lambda: browse_folder(parent, field))
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(browse)
    label = QLabel(_("&Folder"))  # a row of two widgets: name the buddy
    label.setBuddy(field)
    form.addRow(label, row)
    return field


#: how long a folder chooser waits, at most, to open in the folder its field names:
#: looked at off the GUI thread (a USB stick that stalls, a share out of reach can
#: hang the look); past this it opens in Documents (as the import chooser does)
FOLDER_LOOK_MS = 400


def browse_folder(parent: QWidget, target: QLineEdit) -> None:
    """A folder chooser, not blocking, that writes the folder chosen into ``target``:
    in the folder the field names, while it is there; else Documents (not the folder
    fieldplan was started from). Whether it is there is looked at off the GUI thread:
    the field holds the folder last exported to, offered while its own look has not
    answered, and a look at a stalled stick or share froze the window as the chooser
    opened. The chooser opens once the look answers, or after ``FOLDER_LOOK_MS`` in
    Documents."""
    import os

    import shiboken6
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QFileDialog

    from ui.ops import OffThread

    folder = target.text().strip()
    dialog = file_dialog(parent, _("Choose a folder"), documents_dir())
    dialog.setObjectName("choose-folder-dialog")
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(target.setText)
    if not folder:
        dialog.open()
        return
    opened: list[bool] = []

    def open_now() -> None:
        if not opened and shiboken6.isValid(dialog):
            opened.append(True)
            dialog.open()

    def answered(there: bool) -> None:
        if there and not opened and shiboken6.isValid(dialog):
            dialog.setDirectory(folder)
        open_now()

    OffThread(lambda: os.path.isdir(folder), answered, lambda _error: open_now(),
              name="fieldplan-browse-folder", daemon=True)
    QTimer.singleShot(FOLDER_LOOK_MS, dialog, open_now)


def file_dialog(parent: QWidget | None, title: str, folder: str) -> QFileDialog:
    """Qt's file dialog, in ``folder``, no larger than the screen, with its paths
    written left to right in a right-to-left layout too (the "Look in" folder and the
    file name, as an address is): in Arabic Qt's own dialog showed
    "/home/amina/تقارير" as "تقارير/home/amina/", the folders in the wrong order. A
    system's own dialog has no such fields: untouched."""
    from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLineEdit

    from ui.bidi_widgets import PathsLeftToRight

    dialog = QFileDialog(parent, title, folder)
    # Qt's own dialog opens at its size hint whatever the screen: on a 1366×768 laptop
    # at 200 % (683×364 pixels of Qt, less the task bar) it was 412 high, its Open and
    # Cancel buttons below the screen's edge
    fit_to_screen(dialog, dialog.width(), dialog.height())
    if QApplication.isRightToLeft():
        for kind, name in ((QComboBox, "lookInCombo"), (QLineEdit, "fileNameEdit")):
            field = dialog.findChild(kind, name)
            if field is not None:
                field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
                if kind is QComboBox:
                    field.installEventFilter(_FolderLeftToRight(field))
                    # and its list of folders: Qt's menu-like items are drawn in the
                    # application's direction, "/tmp/تقارير" as "tmp/تقارير/"
                    field.setItemDelegate(PathsLeftToRight(field))
                    field.view().setTextElideMode(Qt.TextElideMode.ElideMiddle)
    return dialog


class _FolderLeftToRight(QObject):
    """Paints the "Look in" box's folder as Qt's file dialog does (cut in its middle
    to fit), its text left to right: Qt draws text in the application's direction,
    whatever the box's own, and "/home/amina/تقارير" still showed as
    "home/amina/تقارير/", its first slash at the end."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # (Qt's name)
        if event.type() != QEvent.Type.Paint:
            return False
        from PySide6.QtWidgets import QStyle, QStyleOptionComboBox, QStylePainter

        from ui.bidi import isolated

        painter = QStylePainter(watched)
        opt = QStyleOptionComboBox()
        watched.initStyleOption(opt)
        room = watched.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                              QStyle.SubControl.SC_ComboBoxEditField,
                                              watched)
        shown = opt.fontMetrics.elidedText(opt.currentText, Qt.TextElideMode.ElideMiddle,
                                           room.width() - opt.iconSize.width() - 4)
        opt.currentText = isolated(shown)
        painter.drawComplexControl(QStyle.ComplexControl.CC_ComboBox, opt)
        painter.drawControl(QStyle.ControlElement.CE_ComboBoxLabel, opt)
        painter.end()
        return True


def set_name_filters(dialog: QFileDialog, filters: list[str]) -> None:
    """The types of file ``dialog`` offers ("Plan files (*.csv *.json *.toml)"). In a
    right-to-left layout only their names are shown: Qt draws the patterns turned
    around, "(csv *.json *.toml.*)", and cannot take a mark that would keep them in
    order (it reads the patterns from the brackets at the end of the text)."""
    from PySide6.QtWidgets import QApplication, QFileDialog

    dialog.setNameFilters(filters)
    if QApplication.isRightToLeft():
        dialog.setOption(QFileDialog.Option.HideNameFilterDetails)


def save_file_dialog(parent: QWidget, title: str, path: str, name: str, name_filter: str,
                     suffix: str, chosen) -> QDialog:
    """Qt's Save dialog, open (not modal to the whole application: the event loop
    runs), offering ``path``, files of ``name_filter`` and a name typed without an
    ending getting ``suffix``; ``chosen(path)`` once a file is chosen. ``name``: its
    object name, by which tests find it."""
    from PySide6.QtWidgets import QFileDialog

    dialog = file_dialog(parent, title, path)
    dialog.setObjectName(name)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    set_name_filters(dialog, name_filter.split(";;"))  # as setNameFilter splits it
    dialog.setDefaultSuffix(suffix)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(chosen)
    dialog.open()
    return dialog


def documents_dir() -> str:
    """The Documents folder, or the home folder where there is none (a save dialog
    would otherwise open in whatever folder fieldplan was started from)."""
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths

    docs = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return docs if docs and Path(docs).is_dir() else str(Path.home())


def downloads_dir() -> str:
    """The Downloads folder, where a bundle sent by email lands, or Documents
    (``documents_dir``) where there is none."""
    from pathlib import Path

    from PySide6.QtCore import QStandardPaths

    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
    return folder if folder and Path(folder).is_dir() else documents_dir()


def choice_combo(name: str, items: list[tuple[str, str]], current) -> QComboBox:
    """A combo box of (text, data) items, named for screen readers, on ``current``'s
    item (else the first); a choice wider than the box is elided."""
    combo = ElidingComboBox()
    combo.setAccessibleName(name)
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(current), 0))
    return combo


def refill_combo(combo: QComboBox, items: list[tuple[str, str]], current) -> None:
    """Put ``items`` in ``combo`` in place of the ones it has, on ``current``'s item
    (else the first), as ``choice_combo`` would have made it."""
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    combo.setCurrentIndex(max(combo.findData(current), 0))


def period_choice(identity: Identity, chosen: str) -> tuple[str, str]:
    """A period combo's choice once the plan is ``identity``'s (an amendment, see
    MainWindow.set_identity): ``chosen`` while the plan has it ("", all periods,
    included), else the plan's period nearest to it; and what to tell the person
    ("" when the choice is kept)."""
    from fieldplan.i18n import format_period

    if not chosen or chosen in identity.periods():
        return chosen, ""
    shown = identity.nearest_period(chosen)
    return shown, _("The plan is now version {version}: {period} is no longer in it, "
                    "{shown} is chosen instead.").format(
        version=identity.plan.version, period=format_period(chosen),
        shown=format_period(shown))


def follow_plan_periods(combo: QComboBox, note: QLabel, identity: Identity,
                        items: list[tuple[str, str]]) -> bool:
    """An open dialog's period combo once the plan is ``identity``'s (an amendment):
    ``items`` in place of the old periods, on the period chosen while the plan has it,
    else on the nearest, which ``note`` then says. Returns whether it did (the
    dialog makes room for it)."""
    period, said = period_choice(identity, combo.currentData())
    refill_combo(combo, items, period)
    if said:
        note.setText(said)
        note.setVisible(True)
    return bool(said)


def text_label(name: str) -> QLabel:
    """A label of plain text to read and copy: wrapped, selectable, copied without the
    marks that lay it out (``ui.path_label.PlainLabel``)."""
    return PlainLabel(name=name)


def path_label(name: str, accessible_name: str = "") -> PathLabel:
    """A hidden label for a path on a line of its own (``show_path``), left to right
    and whole: inside a wrapped sentence an Arabic one broke at a hyphen, its parts out
    of order. Wrapped after its slashes, so a long one no longer widens the dialog;
    copied as written, reached by Tab (``ui.path_label.PathLabel``); named
    ``accessible_name`` for a screen reader (what file's path it is)."""
    from ui.path_label import PathLabel

    label = PathLabel(name, accessible_name=accessible_name)
    label.hide()
    return label


def show_path(label: PathLabel, path: str) -> None:
    """``path`` in ``label`` (a ``path_label``), or the label hidden for none. On the
    layout's side, as the lines around it."""
    label.set_path(path)


def after_path_label(name: str, *, blank_line: bool = True) -> QLabel:
    """A hidden ``text_label`` for what follows a path shown on a line of its own
    (``show_path``); ``blank_line``: a blank line above it, as between the parts of a
    message."""
    label = text_label(name)
    if blank_line:
        label.setContentsMargins(0, label.fontMetrics().lineSpacing(), 0, 0)
    label.hide()
    return label


def say_around_path(message: QLabel, path_shown: PathLabel, after: QLabel, text: str,
                    path: str = "", rest: str = "") -> None:
    """``text`` in ``message``; then ``path`` on a line of its own (``path_shown``, a
    ``path_label``) and ``rest`` after it (``after``), both hidden when empty."""
    message.setText(text)
    show_path(path_shown, path)
    after.setText(rest)
    after.setVisible(bool(rest))


def said_by(*labels: QLabel) -> str:
    """What ``labels`` say, as shown: one line each of those shown with a text."""
    return "\n".join(label.text() for label in labels
                     if label.text() and not label.isHidden())


def around(text: str, name: str) -> tuple[str, str]:
    """The parts of a translated ``text`` before and after its ``{name}`` placeholder
    (a path set on a line of its own), each stripped of the line breaks around it."""
    before, _sep, after = text.partition("{" + name + "}")
    return before.strip(), after.strip()


def detail_label(name: str) -> QLabel:
    """A ``text_label`` reached with Tab like a field, so that it can be read and copied
    without a mouse: the line under a table that says all of the chosen row (the table
    cuts a long reason off, and its tooltip is out of reach of the keyboard), the result
    or the error of what a dialog just did, where the focus goes to have it read."""
    label = text_label(name)
    reached_by_tab(label)
    return label


def reached_by_tab(label: QLabel) -> None:
    """``label`` (selectable) a stop of Tab, framed while it has the focus."""
    # a selectable label takes the focus on a click only
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    # and shows that it has it with a caret alone, hard to see: a frame, in the colour
    # of a selection (always there, transparent without the focus: the text stays put),
    # with a little room inside it: the last line of an Arabic result touched its
    # bottom, the lines' ends its sides
    sheet = ("QLabel { border: 1px solid transparent; padding: 2px 4px; }"
             " QLabel:focus { border-color: palette(highlight); }")
    if label.styleSheet() != sheet:  # (set again, it is styled again: at each new text)
        label.setStyleSheet(sheet)


def note_label(name: str) -> QLabel:
    """A hidden ``text_label`` for a word to the person that only some events call for
    (the plan changed under the dialog)."""
    label = text_label(name)
    label.setVisible(False)
    return label


def buddy_label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose Alt+letter (the ``&`` in ``text``) goes to ``buddy``."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def announce(widget: QWidget, text: str = "", *, urgent: bool = True) -> None:
    """Have assistive technology say ``widget`` now: ``text``, or what it says (its
    accessible name, then its description): for a failure or a result that appears
    away from the keyboard's focus, such as the status bar's "not saved". ``urgent``:
    said at once, over what is being read; else once the screen reader is done
    (``say_in_passing``). Nothing happens where no screen reader listens.

    An announcement event is what Qt passes on to NVDA (UI Automation's notification)
    and to Orca (AT-SPI's announcement); an alert alone played the system's sound on
    Windows and was said by neither."""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent

    said = text or what_is_said(widget)
    if urgent:
        QAccessible.updateAccessibility(QAccessibleEvent(widget, QAccessible.Event.Alert))
    if said:
        event = QAccessibleAnnouncementEvent(widget, said)
        event.setPoliteness(QAccessible.AnnouncementPoliteness.Assertive if urgent
                            else QAccessible.AnnouncementPoliteness.Polite)
        QAccessible.updateAccessibility(event)


def ask_at(field: QLineEdit | QComboBox, text: str) -> None:
    """What a dialog needs before it can go on (``text``: "Choose a folder first.") said
    at the ``field`` to fill: the focus goes there and a screen reader reads ``text``
    with it, as its accessible description, until the field changes; told at once
    where the focus was on it already (Enter in the field), as moving it says it. The
    sentence painted under the form alone was said to no one, the focus left on the
    button pressed."""
    had_focus = field.hasFocus()
    field.setAccessibleDescription(text)
    if field.property("asked_at") is None:
        field.setProperty("asked_at", True)
        changed = (field.textChanged if isinstance(field, QLineEdit)
                   else field.currentIndexChanged)
        changed.connect(lambda *_args: field.setAccessibleDescription(""))
    field.setFocus(Qt.FocusReason.OtherFocusReason)
    if had_focus:
        announce(field, text)


def say_in_passing(widget: QWidget, text: str) -> None:
    """Have assistive technology say ``text`` (shown in ``widget``) once it is done
    with what it is reading: news, not an alarm ("3 reports submitted.")."""
    announce(widget, text, urgent=False)


def what_is_said(widget: QWidget) -> str:
    """What a screen reader says of ``widget``, one part a line: its accessible name,
    a label's text (where its name is another, "Saving" in the status bar) and its
    description, each where it adds to what comes before."""
    from PySide6.QtGui import QAccessible

    face = QAccessible.queryAccessibleInterface(widget)
    if face is None:
        return ""
    parts = [face.text(QAccessible.Text.Name),
             widget.text() if isinstance(widget, QLabel) else "",
             face.text(QAccessible.Text.Description)]
    said: list[str] = []
    for part in (p.strip() for p in parts):
        if part and not any(part in before for before in said):
            said.append(part)
    return "\n".join(said)


#: how long after the last letter typed (or filter chosen) what it led to is said
SETTLED_MS = 700


class SaidWhenSettled(QObject):
    """What a run of the person's changes led to, said once they stop: a filter typed
    in or chosen empties or narrows a table away from the focus (the Reports page's
    "3 of 40", the Overview's "No office matches these filters."), and a screen reader
    heard nothing of it. ``changed`` at each change; ``words()`` is said in passing
    (``say_in_passing``, from ``source``) ``SETTLED_MS`` after the last: once, not at
    each letter. Nothing is said once ``page`` is out of sight (``stop`` when it is
    hidden: another page chosen, the window closed)."""

    def __init__(self, page: QWidget, source: QWidget, words) -> None:
        from PySide6.QtCore import QTimer

        super().__init__(page)
        self._page, self._source, self._words = page, source, words
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SETTLED_MS)
        self._timer.timeout.connect(self._say)

    def changed(self, *_args: object) -> None:
        if self._page.isVisible():  # (a filter restored, or set by a test, unseen)
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def waiting(self) -> bool:
        """A change made, its outcome not said yet."""
        return self._timer.isActive()

    def _say(self) -> None:
        text = self._words() if self._page.isVisible() else ""
        if text:
            say_in_passing(self._source, text)
