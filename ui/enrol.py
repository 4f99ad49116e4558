"""(HQ) Enrolling an office: write the setup bundle it starts from, and say how to
hand it over. Which offices are enrolled (they have a key in the registry) is also
what the export dialog offers as recipients."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from fieldplan.i18n import _
from fieldplan.offices import office_name
from ui.context import Identity, lang
from ui.dialogs import (
    add_folder_row,
    after_path_label,
    announce,
    around,
    ask_at,
    detail_label,
    path_label,
    reached_by_tab,
    said_by,
    say_around_path,
    size_to_content,
    tab_in_layout_order,
)
from ui.ops import DbOp, Session, error_sentence, sentence
from ui.qtcompat import emit
from ui.wrapped_label import WrappedLabel


def enrolled_offices(rep) -> list[str]:
    """(worker) offices with a key in the registry that is not revoked, HQ aside:
    the ones a bundle can be written for."""
    from fieldplan.sync import all_keys

    return sorted(
        {k.office for k in all_keys(rep).values() if k.office != "HQ" and k.status != "revoked"}
    )


def enrolment_states(rep) -> dict[str, str]:
    """(worker) office → "enrolled" (a key of it registered, not revoked) or "waiting"
    (a setup bundle written whose enrolment is still open, no key registered yet)."""
    from fieldplan import events

    states = {office: "waiting" for (office,) in rep.conn.execute(
        "SELECT DISTINCT office FROM enrolments WHERE expires_at > ?", (events.utc_iso(),))}
    states.update({office: "enrolled" for office in enrolled_offices(rep)})
    return states


class EnrolDialog(QDialog):
    """Choose an office and a folder; writes ``<CODE>-setup.fieldplan`` there
    (``<CODE>-setup_2.fieldplan``… when that name is taken, as ``office enroll -o
    FOLDER`` does: the dialog cannot ask for another file name)."""

    office_did_enrol = Signal(str, str)  # office, setup file

    def __init__(self, session: Session, identity: Identity, parent: QWidget) -> None:
        super().__init__(parent)
        from fieldplan.offices import all_offices
        from ui.transfer import outbox_dir

        self.session, self.identity = session, identity
        self.result_path: Path | None = None
        self.setObjectName("enrol-dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(_("Enrol an office"))
        lay = QVBoxLayout(self)
        intro = WrappedLabel(
            _(
                "A setup bundle starts an office's fieldplan: the plan, the key of "
                "headquarters and the office's data held here. Give it to the office on "
                "a USB stick or by email; they open it when fieldplan first starts."
            )
        )
        lay.addWidget(intro)
        form = QFormLayout()
        self.office = QComboBox()
        self.office.setAccessibleName(_("Office"))
        # the country offices first (most of those enrolled), then the regional ones
        # after a line; none chosen: the first in the list ("RO-Bangkok" before) was
        # written for by a person who pressed Enter, an enrolment of an office no one
        # meant (a letter typed in the list goes to its offices, "S" to Saudi Arabia)
        offices = [code for code in all_offices() if code != "HQ"]
        national = [code for code in offices if not code.startswith("RO-")]
        for code in national + [code for code in offices if code.startswith("RO-")]:
            self.office.addItem(f"{code} · {office_name(code, lang())}", code)
        if len(national) < len(offices):
            self.office.insertSeparator(len(national))
        self.office.setPlaceholderText(_("Choose an office…"))
        self.office.setCurrentIndex(-1)
        form.addRow(_("&Office"), self.office)
        self.folder = add_folder_row(self, form, outbox_dir())
        lay.addLayout(form)
        # plain text (a path: as written); where the focus goes to have it read while
        # the bundle is written and after (Write disabled passed it on to Close)
        self.message = detail_label("enrol-message")
        # no stop for Tab until it says something: Tab from Browse stopped on an empty
        # line, a frame around nothing that a screen reader read as nothing
        self.message.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        # and hidden: an empty line was a blank band of its height above the buttons
        self.message.hide()
        lay.addWidget(self.message)
        # the setup bundle written on a line of its own, whole and left to right (as
        # the Export dialog shows a bundle's): inside the wrapped sentence an Arabic
        # one broke, its parts out of order, and it is the file to hand over
        self.path_label = path_label("enrol-path", _("Path of the setup bundle saved"))
        # lined up with the text of the labels around it (their frame and padding)
        self.path_label.setContentsMargins(5, 0, 5, 0)
        lay.addWidget(self.path_label)
        #: what to do with it, after the path (reached with Tab, as the message)
        self.after_path = after_path_label("enrol-after-path")
        reached_by_tab(self.after_path)
        lay.addWidget(self.after_path)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Close
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(_("&Write setup bundle"))
        self.ok.clicked.connect(self.enrol)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
        tab_in_layout_order(buttons)  # (OK came first on GNOME, which shows it last)
        size_to_content(self, 600)
        #: office → what is known of it here ("enrolled"…), once read (``_mark``)
        self.marks: dict[str, str] = {}
        self._states: dict[str, str] = {}
        DbOp(session, self, enrolment_states).success(self._mark).run()

    def _mark(self, states: dict[str, str]) -> None:
        """Each office enrolled already, or whose setup bundle waits for a first
        bundle, says so in the list: headquarters could not tell which offices it had
        enrolled (another setup bundle is still right for a new computer of one)."""
        words = {"enrolled": _("enrolled"),
                 # Translators: an office whose setup bundle is written, and no bundle
                 # from it has reached headquarters yet
                 "waiting": _("setup bundle written")}
        self._states = states
        self.marks = {office: words[state] for office, state in states.items()}
        for i in range(self.office.count()):
            code = self.office.itemData(i)
            if code is None:  # (the line between the country and the regional offices)
                continue
            text = f"{code} · {office_name(code, lang())}"
            if code in self.marks:
                # Translators: an office in the Enrol dialog's list, and what is known of
                # it: "ML · Mali (enrolled)"
                text = _("{office} ({state})").format(office=text, state=self.marks[code])
            self.office.setItemText(i, text)

    def choose(self, office: str) -> None:
        self.office.setCurrentIndex(max(0, self.office.findData(office)))

    def enrol(self) -> None:
        folder = self.folder.text().strip()
        if not folder:
            self._say(_("Choose a folder first."))
            ask_at(self.folder, self.message.text())
            return
        office = self.office.currentData()
        if not office:
            self._say(_("Choose an office first."))
            ask_at(self.office, self.message.text())
            return
        self._say(_("Writing the setup bundle…"))
        self.message.setFocus(Qt.FocusReason.OtherFocusReason)  # (before Write is disabled)
        self.ok.setEnabled(False)

        from ui.transfer import outbox_dir, prepare_folder

        # only the outbox, the client's own folder, is made when missing (as export)
        own = folder == outbox_dir()

        def run(rep):
            from fieldplan.sync import enroll_office

            prepare_folder(folder, make=own)
            # the folder, not a file in it: the core picks a name no file has (a
            # setup bundle not sent yet, another HQ database's, a damaged one), where
            # a name given is refused when taken: a dead end in a dialog that asks for
            # a folder
            return enroll_office(rep, office, folder)

        DbOp(self.session, self, run).success(
            lambda result, o=office: self._done(o, result)
        ).failure(self._failed).run()

    def _done(self, office: str, result) -> None:
        self.ok.setEnabled(True)
        self.result_path = Path(result.path)
        before, text = around(_(
            "Saved the setup bundle:\n{file}\n\nGive it to {office}: they choose it when "
            "fieldplan first starts on their computer. {office} can receive bundles once "
            "its first bundle has reached headquarters."
        ), "file")
        text = text.format(office=office_name(office, lang()))
        if result.warning:  # a format older fieldplans refuse
            text += "\n\n" + sentence(result.warning) + "."
        if result.note:  # every computer of the office, until a date
            text += "\n\n" + sentence(result.note) + "."
        self._say(before, str(result.path), text)
        self.message.setFocus(Qt.FocusReason.OtherFocusReason)
        # the focus reads the message's first line alone ("Saved the setup bundle:"):
        # the path and what to do with the file (give it to the office, until when)
        # are said too, as the Export dialog says its bundle (after the focus moves,
        # which would cut it short)
        announce(self.message, self.said())
        # Enter, as the result is read, writes no second bundle (Tab to Write does)
        self.ok.setDefault(False)
        self._mark({office: "waiting", **self._states})  # (an enrolled one stays so)
        emit(self.office_did_enrol, office, str(result.path))
        from fieldplan.replica import Changes

        # awaited from now on (``sync.export.expected_offices``): the Overview open
        # beside this dialog lists it, as `status` and the review pack count it
        emit(self.session.changes_did_happen, Changes(entities=(("enrolment", office),)))

    def _say(self, text: str, path: str = "", after: str = "") -> None:
        """Show ``text`` in the message; then, for a setup bundle written, its ``path``
        on a line of its own and ``after`` it what to do with it (else both hidden)."""
        say_around_path(self.message, self.path_label, self.after_path, text, path, after)
        self.message.setVisible(bool(text))
        self.message.setFocusPolicy(Qt.FocusPolicy.StrongFocus if text
                                    else Qt.FocusPolicy.NoFocus)

    def said(self) -> str:
        """All the dialog says, as shown: the message, the path, what follows it."""
        return said_by(self.message, self.path_label, self.after_path)

    def _failed(self, error: BaseException) -> None:
        self.ok.setEnabled(True)
        self._say(error_sentence(error))
        self.message.setFocus(Qt.FocusReason.OtherFocusReason)
