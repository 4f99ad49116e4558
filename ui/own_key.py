"""This computer as headquarters knows it: its office, its replica id and the key that
signs its bundles (what ``fieldplan keys show`` and ``fieldplan status`` print). When
headquarters holds a bundle of a key it does not know yet in quarantine, it calls the
office and they read the fingerprint together: this is where the office reads it.

At an office it shows headquarters' key too, which the office checks with them (a
setup bundle of someone else's would have another): once when the office has just
been set up from the setup bundle, and whenever it is opened from the Help menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _
from ui.bidi import in_layout_direction, isolated_codes
from ui.context import Identity
from ui.dialogs import (
    ScrolledContent,
    fixed_font,
    selectable,
    size_to_content,
    tab_in_layout_order,
)
from ui.ops import sentence
from ui.qtcompat import Qt
from ui.wrapped_label import DocumentLabel

if TYPE_CHECKING:
    from fieldplan.minisign import PublicKey
    from fieldplan.sync.enrol import EarlierHqKey
    from fieldplan.sync.keys import KeyInfo


@dataclass(frozen=True)
class OwnKeys:
    """What the dialog shows. own: this replica's signing key (its ``key_id_hex`` as
    minisign prints it, its ``fingerprint`` in 10 groups of 4 hex digits, read aloud to
    headquarters). hq: (office) the headquarters key it trusts, to check with
    headquarters (``fieldplan.sync.enrol.hq_key``); None at headquarters.
    key_deadline: (an office whose key headquarters has not registered yet) when its
    setup bundle's enrolment ends (``fieldplan.sync.enrol.key_deadline``), else "";
    exported: a bundle was exported here already. earlier: (headquarters) its earlier
    keys that setup bundles still open carry (``fieldplan.sync.enrol.earlier_hq_keys``):
    an office set up from one reads that key's fingerprint, not the one of now."""

    own: PublicKey
    hq: KeyInfo | None = None
    key_deadline: str = ""
    exported: bool = False
    earlier: tuple[EarlierHqKey, ...] = ()


def read_own_key(rep) -> OwnKeys:
    """(worker) this replica's key, and at an office headquarters' key; at
    headquarters its earlier keys that open setup bundles carry."""
    from fieldplan.sync.enrol import earlier_hq_keys, hq_key, key_deadline
    from fieldplan.sync.keys import public_key

    return OwnKeys(public_key(rep), hq_key(rep), key_deadline(rep),
                   bool(rep.meta("last_export")), tuple(earlier_hq_keys(rep)))


def code_field(text: str, name: str) -> QLineEdit:
    """A code shown to be read out or copied: selectable, and left to right in Arabic
    too (a right-to-left field showed the fingerprint "4135 0B77 … 457C" as "0B77 …
    457C 4135"). The widget's own direction, not marks in the text: what is copied is
    the code as it is written. It stays on the side of its label."""
    field = QLineEdit(text)
    field.setReadOnly(True)
    field.setFrame(False)
    field.setAccessibleName(name)
    field.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
    if QGuiApplication.isRightToLeft():
        field.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    # a read-only text, not a field to fill in: the dialog's background
    field.setStyleSheet("QLineEdit { background: transparent; }")
    field.setMinimumWidth(field.fontMetrics().horizontalAdvance(text) + 12)
    field.setCursorPosition(0)
    return field


class FingerprintLabel(QLabel):
    """A fingerprint in the fixed-width font, read group by group as in the Keys tab:
    on one line where there is room, else wrapped between its groups of hex digits,
    never inside one and never cut. One line would be 572 pixels wide at 14 points,
    and made the dialog wider than a laptop at 200 % (683 pixels): the screen cut it
    off. Selectable with the mouse and the keyboard, and reached with Tab; left to
    right in Arabic as a ``code_field`` is. Its accessible name is what it is ("Key
    fingerprint"), its description the fingerprint, as a field's value was."""

    def __init__(self, fingerprint: str, name: str) -> None:
        super().__init__(fingerprint)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setFont(fixed_font())
        self.setWordWrap(True)
        self.setTextInteractionFlags(selectable())
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(name)
        self.setAccessibleDescription(fingerprint)
        self.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        if QGuiApplication.isRightToLeft():  # beside its label, as a code_field
            self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        # at least half the groups on a line: read in two halves, not a column
        groups = fingerprint.split()
        half = " ".join(groups[:(len(groups) + 1) // 2])
        self.setMinimumWidth(self._width_of(half))

    def _width_of(self, text: str) -> int:
        margins = self.contentsMargins()
        return (self.fontMetrics().horizontalAdvance(text) + 2 * self.margin()
                + margins.left() + margins.right() + 2)

    def sizeHint(self) -> QSize:
        """The fingerprint on one line: the dialog asks for that width."""
        hint = super().sizeHint()
        return QSize(self._width_of(self.text()), hint.height())


def fingerprint_field(fingerprint: str, name: str) -> FingerprintLabel:
    """A fingerprint to read out or copy (``FingerprintLabel``)."""
    return FingerprintLabel(fingerprint, name)


def readable(label: QLabel) -> None:
    """What to do with the fingerprints, reached with Tab and read by keyboard (the
    Close button has the focus first: the dialog is read through)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(selectable())
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class OwnKeyDialog(QDialog):
    """Office, replica id, key id and fingerprint of this computer (Help menu); at an
    office, headquarters' key fingerprint and what to do with it. ``set_up``: shown
    because the office has just been set up from a setup bundle (first run);
    ``new_key``: because this computer has just made a new key (New key…): said
    first, with what makes it known."""

    def __init__(self, identity: Identity, keys: OwnKeys, parent: QWidget | None = None,
                 *, set_up: bool = False, new_key: bool = False) -> None:
        super().__init__(parent)
        key = keys.own
        self.setObjectName("own-key-dialog")
        self.setWindowTitle(_("This computer's key"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # the content scrolls on a short screen, the buttons below it always in sight
        content = QWidget()
        lay = QVBoxLayout(content)
        lay.setContentsMargins(0, 0, 0, 0)
        self.set_up_note: QLabel | None = None
        if set_up:
            self.set_up_note = DocumentLabel(_(
                "This computer is set up from the setup bundle. Before you work with "
                "headquarters, check the headquarters key fingerprint below with them."))
            self.set_up_note.setWordWrap(True)
            readable(self.set_up_note)
            bold = self.set_up_note.font()
            bold.setBold(True)
            self.set_up_note.setFont(bold)
            lay.addWidget(self.set_up_note)
        #: (just made) "This computer has a new key, below; offices learn it from …"
        self.new_key_note: QLabel | None = None
        if new_key:
            from fieldplan.sync.keys import new_key_next_step

            self.new_key_note = DocumentLabel(
                # Translators: said first in This computer's key once New key… made
                # one; {then} is what makes it known ("offices learn it from
                # headquarters' next bundle for them")
                _("This computer has a new key, below; {then}.").format(
                    then=new_key_next_step(identity.is_hq)))
            self.new_key_note.setWordWrap(True)
            readable(self.new_key_note)
            bold = self.new_key_note.font()
            bold.setBold(True)
            self.new_key_note.setFont(bold)
            lay.addWidget(self.new_key_note)
        if identity.is_hq:  # what an office set up from its setup bundle checks
            intro = DocumentLabel(_(
                "Offices check this fingerprint once they are set up from the setup bundle "
                "headquarters sent them. Read it to them on the phone, group by group: it "
                "must match the one they see."))
        else:
            intro = DocumentLabel(_(
                "Headquarters checks this computer's key fingerprint, below, before it "
                "trusts bundles signed by a key it does not know yet (a new computer, or "
                "one restored from a backup). Read it to them on the phone, group by "
                "group: it must match the one they see."))
        self.intro = intro
        intro.setWordWrap(True)
        readable(intro)
        self.deadline_note: QLabel | None = None
        if keys.key_deadline:
            # (a new office) headquarters knows this key once a first bundle reaches it
            # before the enrolment ends; after, it checks the fingerprint above by phone
            from fieldplan.sync.enrol import deadline_words, key_deadline_text
            from ui.context import unbroken_span
            from ui.transfer import export_menu

            # (not isolated_codes: an Arabic date's digits are its own, with their
            # marks); the date and its time never broken across lines ("à" / "15:44")
            day = deadline_words(keys.key_deadline)
            self.deadline_note = DocumentLabel(unbroken_span(sentence(key_deadline_text(
                keys.key_deadline, export_menu(), exported=keys.exported)) + ".",
                day["date"], day["time"]))
            self.deadline_note.setWordWrap(True)
            readable(self.deadline_note)
        form = QFormLayout()
        self.office = QLabel(in_layout_direction(identity.office_text()))
        # reached with Tab as the rows under it are (it was the one left out of them)
        readable(self.office)
        self.office.setAccessibleName(_("Office"))
        # (the name hides the label's text from a screen reader: the office is said as
        # its description, as a fingerprint's is; "Office" was said, and never which)
        self.office.setAccessibleDescription(identity.office_text())
        form.addRow(_("Office"), self.office)
        self.replica = code_field(identity.replica_id, _("Computer"))
        form.addRow(_("Computer"), self.replica)
        self.key_id = code_field(key.key_id_hex, _("Key"))
        form.addRow(_("Key"), self.key_id)
        self.fingerprint = fingerprint_field(key.fingerprint, _("Key fingerprint"))
        form.addRow(_("Key fingerprint"), self.fingerprint)
        #: (headquarters) its earlier keys that open setup bundles carry: the note
        #: saying which offices' setup bundles, and the fingerprint they show
        self.earlier: list[tuple[QLabel, FingerprintLabel]] = []
        #: the note and the fingerprint's row of each earlier key, in order
        earlier_parts: list[QWidget | QFormLayout] = []
        for held in keys.earlier:
            from fieldplan.sync.enrol import earlier_hq_key_text

            note = DocumentLabel(isolated_codes(sentence(earlier_hq_key_text(held.offices))))
            note.setWordWrap(True)
            readable(note)
            label = _("Earlier key fingerprint")
            shown = fingerprint_field(held.fingerprint, label)
            # the note on a line of the dialog's own, not a row across a form: a form
            # gave it the height of fewer lines than it wraps to (French lost its end)
            row = QFormLayout()
            row.addRow(label, shown)
            earlier_parts += [note, row]
            self.earlier.append((note, shown))
        self.hq_fingerprint: FingerprintLabel | None = None
        self.hq_note: QLabel | None = None
        hq_form = QFormLayout()
        if keys.hq is not None:
            from fieldplan.sync.enrol import hq_key_check_text

            label = _("Headquarters key fingerprint")
            self.hq_fingerprint = fingerprint_field(keys.hq.fingerprint, label)
            hq_form.addRow(label, self.hq_fingerprint)
            # the command kept whole in Arabic ("fieldplan keys show"), and on one line:
            # broken at a space, its isolate was cut in two, "show»" alone on the next
            # line. (Read out, not copied: the no-break spaces are not typed)
            command = "fieldplan keys show"
            self.hq_note = DocumentLabel(isolated_codes(hq_key_check_text().replace(
                command, command.replace(" ", "\u00a0"))))
            self.hq_note.setWordWrap(True)
            readable(self.hq_note)
        own = [intro, *([self.deadline_note] if self.deadline_note else []), form,
               *earlier_parts]
        hq = [hq_form, self.hq_note] if self.hq_note is not None else []
        # just set up: headquarters' key, the one to check now, first and apart (below
        # this computer's own, after a paragraph on it, a new office read its own key
        # to headquarters, which matched nothing there)
        for group in ((hq, own) if set_up else (own, hq)):
            if group and lay.count():
                lay.addSpacing(8)  # (the two keys apart)
            for part in group:
                if isinstance(part, QFormLayout):
                    lay.addLayout(part)
                else:
                    lay.addWidget(part)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        #: a new key for this computer (``keys rotate``), the window asks first; not
        #: on a database opened read-only
        self.rotate_button = buttons.addButton(_("&New key…"),
                                               QDialogButtonBox.ButtonRole.ActionRole)
        self.rotate_button.setObjectName("new-key-button")
        self.rotate_button.setVisible(not identity.read_only)
        outer = QVBoxLayout(self)
        outer.addWidget(ScrolledContent(content), 1)
        outer.addWidget(buttons)
        tab_in_layout_order(buttons)  # (Close came first: New key… is shown first)
        buttons.button(QDialogButtonBox.StandardButton.Close).setFocus()
        # as wide as a fingerprint on one line needs, where the screen has room
        size_to_content(self, max(560, self.sizeHint().width()))
