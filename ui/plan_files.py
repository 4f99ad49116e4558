"""(HQ) The plan as a file, from inside the client: Headquarters ▸ Export the plan…
saves the installed plan as ``fieldplan plan export`` does, and Replace the plan…
installs a new version from a file as ``fieldplan plan import [--allow-hiding]`` does.

Replacing reads and checks the file first (on a thread of its own: a plan file may
take 4 MiB), then asks the core what the new version would change
(planops.preview_plan, on the database worker) and says it in words: its version,
its actions, what it changes (plan_diff: areas, actions and indicators added, dropped
or changed, its dates), the titles it leaves without French or Arabic, and what of
the recorded reports it would hide. Only once the person
agrees is that same plan installed (planops.install_plan, which backs the database
up and checks again as it writes); the window then shows it (MainWindow.plan_did_install).
An invalid file is one message, and nothing is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from fieldplan.i18n import _, counted
from ui.bidi import RLM, codes_unbroken, isolated, isolated_codes, text_direction
from ui.dialogs import (
    ConfirmDialog,
    MessageDialog,
    documents_dir,
    file_dialog,
    save_file_dialog,
    set_name_filters,
)
from ui.ops import DbOp, OffThread, error_text, sentence
from ui.qtcompat import Qt
from ui.window_settings import set_value

if TYPE_CHECKING:
    from fieldplan.plan import Plan
    from fieldplan.planops import PlanChange
    from ui.main_window import MainWindow

#: The plan file types, in the order offered (``fieldplan plan export`` writes each): the
#: workbook first, which HQ edits in Excel and imports back as it is (a CSV saved by a
#: French or Arabic Excel has ";" separators and decimal commas)
PLAN_SUFFIXES = ("xlsx", "csv", "json", "toml")
#: Where the last plan file was chosen (QSettings key).
FOLDER_KEY = "plan/folder"


def name_filters() -> list[str]:
    """The save dialog's filters, one for each plan file type (in PLAN_SUFFIXES' order)."""
    return [_("Excel workbooks (*.xlsx)"), _("CSV files (*.csv)"), _("JSON files (*.json)"),
            _("TOML files (*.toml)")]


def _folder(window: MainWindow) -> str:
    """The folder of the last plan file, while it is there; else Documents."""
    folder = str(window.settings.value(FOLDER_KEY, "") or "")
    return folder if folder and Path(folder).is_dir() else documents_dir()


def _alive(window: MainWindow) -> bool:
    return shiboken6.isValid(window)


def _set_busy(window: MainWindow, busy: bool) -> None:
    """One plan file at a time: both menu entries wait while one is read or written."""
    if _alive(window):
        for action in (window.export_plan_action, window.replace_plan_action):
            action.setEnabled(not busy)


def _say(window: MainWindow, text: str, msec: int = 0) -> None:
    if _alive(window):
        window.statusBar().showMessage(text, msec)


def _message(window: MainWindow, title: str, text: str) -> None:
    if not _alive(window):
        return
    window.statusBar().clearMessage()
    box = MessageDialog(window, title, text)
    box.setObjectName("plan-file-message")
    box.open()


# --- export ---------------------------------------------------------------------------


def ask_export(window: MainWindow) -> QFileDialog:
    """The save dialog for the installed plan (XLSX, CSV, JSON or TOML by the filter or
    the name's ending); writing starts when a name is chosen."""
    plan = window.identity.plan
    suggested = Path(_folder(window)) / f"{plan.id}-v{plan.version}.{PLAN_SUFFIXES[0]}"
    filters = name_filters()
    dialog = save_file_dialog(window, _("Export the plan"), str(suggested),
                              "export-plan-file-dialog", ";;".join(filters), PLAN_SUFFIXES[0],
                              lambda path: export_to(window, path))
    # a name typed without an ending gets the chosen type's
    dialog.filterSelected.connect(
        lambda chosen: dialog.setDefaultSuffix(
            PLAN_SUFFIXES[filters.index(chosen)] if chosen in filters else PLAN_SUFFIXES[0]))
    return dialog


def export_to(window: MainWindow, path: str) -> None:
    """Save the installed plan to ``path`` as ``fieldplan plan export`` does: the plan
    read on the worker, the file written on a thread of its own (a USB stick may be
    slow), never over a database, a key or a backup."""
    from fieldplan.planops import write_plan_file

    _set_busy(window, True)
    _say(window, _("Saving the plan…"))

    def write(plan: Plan) -> None:
        def done(_none: None) -> None:
            _set_busy(window, False)
            if _alive(window):
                set_value(window.settings, FOLDER_KEY, str(Path(path).parent))
            _say(window, _("Plan {plan} version {version} saved as {file}.").format(
                plan=plan.id, version=plan.version, file=isolated(Path(path).name)), 15_000)

        def write_file() -> None:  # (its thread)
            from ui.transfer import check_stick

            # its folder gone with the USB stick it was on: said so (none is made)
            check_stick(str(Path(path).parent))
            write_plan_file(plan, Path(path))

        OffThread(write_file, done, failed, name="fieldplan-save-plan")

    def failed(error: BaseException) -> None:
        _set_busy(window, False)
        _message(window, _("Export the plan"), _("The plan could not be saved: {reason}")
                 .format(reason=isolated_codes(error_text(error))))

    DbOp(window.session, window, lambda rep: rep.plan()).success(write).failure(failed).run()


# --- replace --------------------------------------------------------------------------


def ask_replace(window: MainWindow) -> QFileDialog:
    """The open dialog for a plan file; reading it starts when one is chosen."""
    dialog = file_dialog(window, _("Replace the plan"), _folder(window))
    dialog.setObjectName("replace-plan-file-dialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    set_name_filters(dialog, [_("Plan files (*.xlsx *.csv *.json *.toml *.txt)"),
                              _("All files (*)")])
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.fileSelected.connect(lambda path: read_for_replacing(window, path))
    dialog.open()
    return dialog


def read_for_replacing(window: MainWindow, path: str) -> None:
    """Read and check the plan file at ``path`` (off the GUI thread), then ask what it
    would change (``confirm``); one message if it cannot be installed."""
    from fieldplan.planops import preview_plan, read_plan_file

    name = Path(path).name
    _set_busy(window, True)
    _say(window, _("Reading {file}…").format(file=isolated(name)))
    set_value(window.settings, FOLDER_KEY, str(Path(path).parent))

    def ask_core(plan: Plan) -> None:
        if _alive(window):
            DbOp(window.session, window, lambda rep: preview_plan(rep, plan, name)).success(
                lambda change: confirm(window, change, name)).failure(failed).run()

    def failed(error: BaseException) -> None:
        refused(window, error)

    # daemon: quitting need not wait for a file on a stalled network drive
    OffThread(lambda: read_plan_file(Path(path)), ask_core, failed,
              name="fieldplan-read-plan", daemon=True)


def refused(window: MainWindow, error: BaseException) -> None:
    """The plan file cannot be installed: the core's reason, and nothing changed."""
    _set_busy(window, False)
    _message(window, _("Replace the plan"), _("The plan was not replaced: {reason}")
             .format(reason=isolated_codes(error_text(error))))


def already_installed_text(plan: Plan) -> str:
    return sentence(_("Plan {plan} version {version} is already installed; nothing was "
                      "changed").format(plan=plan.id, version=plan.version)) + "."


def action_count(n: int) -> str:
    return counted("{n} action", "{n} actions", n)


def change_text(change: PlanChange, file: str) -> tuple[str, str]:
    """What installing ``change.plan`` would do, in words: the question (its version
    and actions, how many reports it would hide, the titles it leaves untranslated)
    and the details: what it changes, a short line for each kind of change, long
    lists cut with "and N more", then what it would hide, one kind a line, every code
    named."""
    from fieldplan.plan_diff import (
        targets_below_zero_text,
        targets_not_whole_text,
        untranslated_text,
        unused_unit_words_text,
    )

    new, old = change.plan, change.installed
    said = [
        # Translators: {plan} is the plan's id, {installed} and {version} numbers, {file}
        # the name of the file chosen
        _("Replace plan {plan} version {installed} with version {version}, from {file}?")
        .format(plan=new.id, installed=old.version, version=new.version, file=file),
        # Translators: {actions} and {installed_actions} are counts: "23 actions"
        _("The new version has {actions}; the installed one has {installed_actions}.")
        .format(actions=action_count(len(new.actions)),
                installed_actions=action_count(len(old.actions))),
    ]
    if not change.hidden:
        said.append(_("It hides none of the reports recorded so far."))
    else:
        if change.reports:
            said.append(counted(
                "It would hide {n} report recorded so far.",
                "It would hide {n} reports recorded so far.", change.reports))
        else:
            said.append(_("It would hide indicator values recorded so far."))
        said.append(_("What it hides is kept in the database, not deleted, and shows "
                      "again if a later version brings back its actions, periods or "
                      "indicators."))
    said.append(_("The database is backed up first."))
    text = " ".join(said[:2]) + "\n\n" + " ".join(said[2:])
    missing = untranslated_text(change.untranslated)
    if missing:
        text += "\n\n" + sentence(missing) + "."
    for said in (targets_below_zero_text(change.below_zero),
                 targets_not_whole_text(change.not_whole),
                 unused_unit_words_text(change.unused_unit_words), change.to_update_text(),
                 change.units_over_values_text()):
        if said:
            text += "\n\n" + sentence(said) + ("" if said.endswith((".", "?")) else ".")
    changes = change.diff.lines()
    lines = ([_("What it changes:"), *changes] if changes else
             [_("It changes none of the areas, actions, indicators or dates.")])
    if change.due_from:
        lines += ["", sentence(change.due_text()) + "."]
    if change.hidden:
        lines += ["", _("What it would hide:"),
                  *(sentence(part) for part in change.hidden.parts(shown=None))]
    # (each code kept whole on a line: codes_unbroken)
    details = "\n".join(_in_layout(isolated_codes(codes_unbroken(line))) for line in lines)
    return isolated_codes(codes_unbroken(text)), details


def _in_layout(line: str) -> str:
    """A line of the details in the layout's direction: in a right-to-left layout, a
    right-to-left mark before one whose first letter outside its isolates is not
    right to left, or that has none ("  PA1.2: «…» ← «…»", its code and titles
    isolated), which the details box otherwise laid out left to right."""
    if line and QGuiApplication.isRightToLeft() and (
            text_direction(line) != Qt.LayoutDirection.RightToLeft):
        return RLM + line
    return line


def confirm(window: MainWindow, change: PlanChange, file: str) -> ConfirmDialog | None:
    """Ask before installing ``change.plan``: what it changes, and, when it hides
    reports, a button that says so (Cancel the default). The plan installed already is
    said, not asked about."""
    if not _alive(window):
        return None
    if change.unchanged:
        _set_busy(window, False)
        _message(window, _("Replace the plan"), already_installed_text(change.plan))
        return None
    _say(window, "")
    text, details = change_text(change, isolated(file))
    hides = bool(change.hidden)
    dialog = ConfirmDialog(
        window, _("Replace the plan"), text, details,
        _("&Replace and hide") if hides else _("&Replace the plan"),
        cautious=hides)  # hiding reports by accident: Enter must not do it
    dialog.setObjectName("replace-plan-dialog")
    dialog.accepted.connect(lambda: install(window, change, file, allow_hiding=hides))

    def cancelled() -> None:
        _set_busy(window, False)
        _say(window, _("The plan was not replaced."), 8000)

    dialog.rejected.connect(cancelled)
    dialog.open()
    return dialog


def install(window: MainWindow, change: PlanChange, file: str, *,
            allow_hiding: bool) -> None:
    """Install the plan the person was shown, on the worker (with the backup before
    it); the window then shows it."""
    from fieldplan.planops import install_plan
    from ui.context import read_identity

    plan = change.plan
    window.office_view.editor.save_now()  # what was typed, saved under the plan it was for
    _say(window, _("Installing plan {plan} version {version}…").format(
        plan=plan.id, version=plan.version))

    def run(rep):
        result = install_plan(rep, plan, file, allow_hiding=allow_hiding)
        return result, read_identity(rep)

    def done(outcome) -> None:
        result, identity = outcome
        _set_busy(window, False)
        if result["unchanged"]:  # installed meanwhile, by another fieldplan
            _message(window, _("Replace the plan"), already_installed_text(plan))
            return
        window.plan_did_install(identity, _("Plan {plan} version {version} installed.")
                                .format(plan=plan.id, version=plan.version))

    DbOp(window.session, window, run).success(done).failure(
        lambda error: refused(window, error)).run()
