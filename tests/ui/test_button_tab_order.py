"""Tab goes through a dialog's buttons in the order they are shown: left to right in
English and French, right to left in Arabic, whatever order the platform lays them out
in. A button box made before it is put in its dialog had its Tab order reset to the
order its buttons were made in (Close, made first, came before "New key…", shown
before it; on a GNOME desktop, which shows Cancel before OK, OK came first)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QWidget,
)

from tests.ui.conftest import wait_idle


class _GnomeButtons(QProxyStyle):
    """Lays button boxes out as GNOME does: Cancel (or Close) before OK."""

    def styleHint(self, hint, option=None, widget=None, data=None):
        if hint == QStyle.StyleHint.SH_DialogButtonLayout:
            return QDialogButtonBox.ButtonLayout.GnomeLayout.value
        return super().styleHint(hint, option, widget, data)


@pytest.fixture(params=["default", "gnome"])
def platform_layout(request):
    """The style's own button layout, and GNOME's."""
    app = QApplication.instance()
    name = app.style().name()
    if request.param == "gnome":
        app.setStyle(_GnomeButtons(QStyleFactory.create(name)))
    yield request.param
    if request.param == "gnome":
        app.setStyle(QStyleFactory.create(name))


def shown_order(dialog: QDialog, box: QDialogButtonBox) -> list[QWidget]:
    """The box's visible buttons as a person reads them: from the left, in Arabic from
    the right."""
    buttons = [b for b in box.buttons() if b.isVisibleTo(dialog)]
    buttons.sort(key=lambda b: b.mapTo(dialog, b.rect().center()).x(),
                 reverse=dialog.isRightToLeft())
    return buttons


def tab_order(dialog: QDialog, box: QDialogButtonBox) -> list[QWidget]:
    """The box's visible buttons in the order Tab reaches them (the dialog's focus
    chain, as QWidget.focusNextChild follows it)."""
    buttons = [b for b in box.buttons() if b.isVisibleTo(dialog)]
    found, widget = [], dialog.nextInFocusChain()
    while widget is not dialog:
        if widget in buttons:
            found.append(widget)
        widget = widget.nextInFocusChain()
    return found


Made = Callable[[], tuple[QDialog, QDialogButtonBox]]


def _dialogs(window, tmp_path) -> dict[str, Made]:
    """Each dialog with buttons of its own beside OK or Close, or OK and Cancel, as it
    opens (and in the states where it shows more buttons)."""
    from fieldplan.replica import open_replica
    from ui.dialogs import ConfirmDialog
    from ui.drafts import journal_for
    from ui.enrol import EnrolDialog
    from ui.own_key import OwnKeyDialog, read_own_key
    from ui.report_preview import ReportDialog
    from ui.set_up_again import SetUpAgainDialog, SetUpAgainDone
    from ui.table_export import TableExportDialog
    from ui.unkept import UnkeptDialog

    def own_key():
        with open_replica(window.session.db_path) as rep:
            keys = read_own_key(rep)
        dialog = OwnKeyDialog(window.identity, keys, window)
        return dialog, dialog.rotate_button.parent()

    def set_up_again():
        dialog = SetUpAgainDialog(window, window.session.db_path, 2, str(tmp_path / "x"))
        return dialog, dialog.ok_button.parent()

    def set_up_again_done():
        dialog = SetUpAgainDone(window, str(tmp_path), 2)
        return dialog, dialog.buttons

    def table_export(written: bool):
        def make():
            dialog = TableExportDialog(window, window.session, window.identity,
                                       window.period, window.settings)
            if written:  # as once a file is written
                for button in (dialog.open_button, dialog.folder_button):
                    button.setVisible(True)
            return dialog, dialog.save_button.parent()
        return make

    def unkept(copied: bool):
        def make():
            key = ("PA1.6", "2026-S1")
            dialog = UnkeptDialog(window, journal_for(window.session), [key], lambda: [key])
            dialog.discard_button.setVisible(copied)  # "Close anyway", once copied
            return dialog, dialog.back_button.parent()
        return make

    def confirm():
        dialog = ConfirmDialog(window, "Submit", "Submit the reports?", ok_text="&Submit")
        return dialog, dialog.ok_button.parent()

    def report():
        dialog = ReportDialog(window, window.session, window.identity, window.period,
                              window.settings)
        return dialog, dialog.ok_button.parent()

    def enrol():
        dialog = EnrolDialog(window.session, window.identity, window)
        return dialog, dialog.ok.parent()

    return {
        "a question": confirm,
        "status sheet": report,
        "enrol an office": enrol,
        "own key": own_key,
        "set up again": set_up_again,
        "set up again, done": set_up_again_done,
        "export table": table_export(False),
        "export table, a file written": table_export(True),
        "not saved": unkept(False),
        "not saved, copied": unkept(True),
    }


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_tab_goes_through_the_buttons_as_they_are_shown(lang, platform_layout, language,
                                                        open_window, office_db, qtbot,
                                                        tmp_path):
    language(lang)
    window = open_window(office_db)
    wrong = {}
    for name, make in _dialogs(window, tmp_path).items():
        dialog, box = make()
        dialog.show()
        qtbot.waitExposed(dialog)
        shown = shown_order(dialog, box)
        assert len(shown) >= 2, name
        tabbed = tab_order(dialog, box)
        if tabbed != shown:
            wrong[name] = ([b.text() for b in shown], [b.text() for b in tabbed])
        dialog.close()
        wait_idle(qtbot, window.session)
    assert wrong == {}
