"""Headquarters ▸ Export the plan… / Replace the plan…: the plan as a file from the
client, as `fieldplan plan export` and `plan import` do. A file that cannot be
installed is one message and nothing changes; the plan installed already is said;
a new version is asked about first, in words (what it would hide), and installed only
once the person agrees; the window then shows it. Offices have neither entry."""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

import fieldplan.planops
from fieldplan import store
from fieldplan.errors import PlanError
from fieldplan.plan import MAX_INDICATORS, Text, dump_plan, load_plan
from fieldplan.planops import read_plan_file
from fieldplan.replica import open_replica
from tests.scenes import amended
from tests.ui.conftest import wait_idle
from tests.ui.test_mnemonics import clashes
from tests.ui.test_plan_amendment import tree_codes
from ui.bidi import without_marks
from ui.dialogs import ConfirmDialog, MessageDialog

PLAN_ID = "iom-oic-poa-2025-2027"


def snapshot(db: Path) -> tuple[list[str], list[str]]:
    """Every row of the database and its backups: what a refusal leaves as it was."""
    with open_replica(db) as rep:
        return list(rep.conn.iterdump()), [p.name for p in store.list_backups(db)]


def installed_version(db: Path) -> int:
    with open_replica(db) as rep:
        return rep.plan().version


def hiding_plan(db: Path, folder: Path, name: str = "v2.json") -> Path:
    """Version 2 without PA3.6 (HQ reported on it) and with PA4.6 renamed PA4.7."""
    with open_replica(db) as rep:
        new = amended(rep.plan(), drop=("PA3.6",), rename={"PA4.6": "PA4.7"})
    path = folder / name
    dump_plan(new, path)
    return path


def retitled_plan(db: Path, folder: Path, name: str = "v2.csv") -> Path:
    """Version 2 with a new title for the first action: it hides nothing."""
    with open_replica(db) as rep:
        new = amended(rep.plan(), title="Policies, strategies and laws")
    path = folder / name
    dump_plan(new, path)
    return path


def hq_action(window, name: str):
    [action] = [a for a in window.findChildren(type(window.quit_action)) if a.objectName() == name]
    return action


def pick(window, qtbot, action_name: str, path: Path) -> None:
    """Choose the Headquarters menu entry, then ``path`` in its file dialog."""
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    action = hq_action(window, action_name)
    assert action in menus["Headq&uarters"].actions() and action.isEnabled()
    action.trigger()
    dialogs = [d for d in window.findChildren(QFileDialog) if d.isVisible()]
    assert len(dialogs) == 1
    # (Qt's own question about a file there already would wait in a loop of its own)
    dialogs[0].setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialogs[0].selectFile(str(path))
    dialogs[0].accept()


def shown_dialog(window, qtbot, kind=QApplication, name: str = ""):
    """The dialog named ``name`` that the window opens (once the work is done)."""
    found = []

    def opened() -> bool:
        found[:] = [d for d in window.findChildren(kind, name) if d.isVisible()]
        return len(found) == 1

    qtbot.waitUntil(opened, timeout=10_000)
    return found[0]


def test_offices_have_no_plan_entries(open_window, office_db):
    window = open_window(office_db)
    names = {a.objectName() for menu in window.menuBar().actions() if menu.menu()
             for a in menu.menu().actions()}
    assert not {"export-plan-action", "replace-plan-action"} & names
    assert not hasattr(window, "replace_plan_action")


def test_the_headquarters_menu_has_distinct_mnemonics(open_window, hq_db):
    window = open_window(hq_db)
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    texts = [a.text() for a in menus["Headq&uarters"].actions() if not a.isSeparator()]
    assert "E&xport the plan…" in texts and "Replace the &plan…" in texts
    assert clashes(texts) == {}


def bad_csv(db: Path, folder: Path) -> tuple[Path, str]:
    path = folder / "bad.csv"
    path.write_text("id,version\nx\n", encoding="utf-8")
    try:
        read_plan_file(path)
    except PlanError as exc:
        return path, str(exc)
    raise AssertionError("read")


def other_plan(db: Path, folder: Path) -> tuple[Path, str]:
    with open_replica(db) as rep:
        plan = dataclasses.replace(rep.plan(), id="another-plan", version=2)
    path = folder / "other.json"
    dump_plan(plan, path)
    return path, f"other.json is plan 'another-plan'; this database holds '{PLAN_ID}'"


def too_many_indicators(db: Path, folder: Path) -> tuple[Path, str]:
    """A workbook whose PA1.1 has one indicator more than a report can hold."""
    with open_replica(db) as rep:
        plan = rep.plan()
    extra = MAX_INDICATORS + 1 - len(plan.action("PA1.1").indicators)
    path = folder / "wide.xlsx"
    dump_plan(amended(plan, add_indicators=[("PA1.1", f"extra-{i}") for i in range(extra)]),
              path)
    return path, (f"wide.xlsx: action PA1.1 has {MAX_INDICATORS + 1} indicators, more than "
                  f"a report on one action can hold (at most {MAX_INDICATORS}); move some "
                  "of them to another action")


@pytest.mark.parametrize("make", [bad_csv, other_plan, too_many_indicators],
                         ids=["unreadable", "another plan", "too many indicators"])
def test_a_file_that_cannot_be_installed_is_one_message_and_changes_nothing(
        open_window, hq_db, qtbot, tmp_path, make):
    path, reason = make(hq_db, tmp_path)
    window = open_window(hq_db)
    before = snapshot(hq_db)
    pick(window, qtbot, "replace-plan-action", path)
    message = shown_dialog(window, qtbot, MessageDialog, "plan-file-message")
    assert message.text.text() == f"The plan was not replaced: {reason}"
    assert "\n" not in message.text.text()
    assert window.findChild(ConfirmDialog, "replace-plan-dialog") is None
    message.accept()
    wait_idle(qtbot, window.session)
    assert snapshot(hq_db) == before
    assert window.replace_plan_action.isEnabled() and window.export_plan_action.isEnabled()


def test_the_installed_plan_is_said_to_be_installed(open_window, hq_db, qtbot, tmp_path):
    window = open_window(hq_db)
    with open_replica(hq_db) as rep:
        fieldplan.planops.write_plan_file(rep.plan(), tmp_path / "current.csv")
    before = snapshot(hq_db)
    pick(window, qtbot, "replace-plan-action", tmp_path / "current.csv")
    message = shown_dialog(window, qtbot, MessageDialog, "plan-file-message")
    assert message.text.text() == (
        f"Plan {PLAN_ID} version 1 is already installed; nothing was changed.")
    message.accept()
    assert snapshot(hq_db) == before  # not even a backup


def test_a_plan_that_hides_reports_is_asked_about_and_cancel_changes_nothing(
        open_window, hq_db, qtbot, tmp_path):
    path = hiding_plan(hq_db, tmp_path)
    window = open_window(hq_db)
    before = snapshot(hq_db)
    pick(window, qtbot, "replace-plan-action", path)
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    # (read without the marks that lay it out: the word joiners that keep a code whole)
    assert without_marks(dialog.text.text()) == (
        f"Replace plan {PLAN_ID} version 1 with version 2, from v2.json? The new version "
        "has 23 actions; the installed one has 24 actions.\n\n"
        "It would hide 1 report recorded so far. What it hides is kept in the database, "
        "not deleted, and shows again if a later version brings back its actions, periods "
        "or indicators. The database is backed up first.")
    assert without_marks(dialog.details.toPlainText()).splitlines() == [
        "What it changes:",
        "Action added (1): PA4.7",
        "Actions removed (2): PA3.6, PA4.6",
        "",
        "What it would hide:",
        "Reports on 1 action it does not have (PA3.6)"]
    # hiding reports by accident: Enter cancels
    assert dialog.ok_button.text() == "&Replace and hide"
    assert dialog.cancel_button.isDefault() and not dialog.ok_button.isDefault()
    assert not window.replace_plan_action.isEnabled()  # one plan file at a time
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    wait_idle(qtbot, window.session)
    assert snapshot(hq_db) == before
    assert window.identity.plan.version == 1 and "PA3.6" in tree_codes(window)
    assert window.statusBar().whole_message() == "The plan was not replaced."
    assert window.replace_plan_action.isEnabled()


def test_confirming_installs_the_plan_and_the_window_follows_it(
        open_window, hq_db, qtbot, tmp_path, monkeypatch):
    threads = {}
    for name in ("read_plan_file", "preview_plan", "install_plan"):
        real = getattr(fieldplan.planops, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            threads[_name] = threading.get_ident()
            return _real(*args, **kwargs)

        monkeypatch.setattr(fieldplan.planops, name, spy)
    path = hiding_plan(hq_db, tmp_path)
    window = open_window(hq_db)
    assert {"PA3.6", "PA4.6"} <= set(tree_codes(window))
    pick(window, qtbot, "replace-plan-action", path)
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=10_000)
    wait_idle(qtbot, window.session)
    codes = tree_codes(window)
    assert "PA4.7" in codes and not {"PA3.6", "PA4.6"} & set(codes)
    assert window.statusBar().whole_message() == f"Plan {PLAN_ID} version 2 installed."
    assert installed_version(hq_db) == 2
    assert [b.name.endswith("-before-plan-import.sqlite3")
            for b in store.list_backups(hq_db)] == [True]
    # the file read on a thread of its own, the database on its worker: never the GUI's
    assert set(threads) == {"read_plan_file", "preview_plan", "install_plan"}
    assert threading.main_thread().ident not in threads.values()
    assert window.replace_plan_action.isEnabled()


def test_export_then_replace_round_trip(open_window, hq_db, qtbot, tmp_path):
    window = open_window(hq_db)
    # no ending typed: the chosen type's (the workbook, offered first) is added
    pick(window, qtbot, "export-plan-action", tmp_path / "plan")
    exported = tmp_path / "plan.xlsx"
    qtbot.waitUntil(lambda: window.statusBar().whole_message().startswith("Plan "),
                    timeout=10_000)
    assert window.statusBar().whole_message() == (
        f"Plan {PLAN_ID} version 1 saved as plan.xlsx.")
    assert read_plan_file(exported) == window.identity.plan
    # the file just written is the plan installed
    pick(window, qtbot, "replace-plan-action", exported)
    shown_dialog(window, qtbot, MessageDialog, "plan-file-message").accept()
    # edited in a spreadsheet: a new version with a new title hides nothing
    edited = dataclasses.replace(load_plan(exported), version=2)
    edited = dataclasses.replace(edited, actions=(
        dataclasses.replace(edited.actions[0], title=Text(en="Policies and laws")),
        *edited.actions[1:]))
    dump_plan(edited, tmp_path / "edited.xlsx")
    pick(window, qtbot, "replace-plan-action", tmp_path / "edited.xlsx")
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    assert "It hides none of the reports recorded so far." in dialog.text.text()
    # (its French and Arabic titles gone with the new English one: said on its line,
    # not again under "Other texts changed")
    assert without_marks(dialog.details.toPlainText()) == (
        "What it changes:\nAction retitled (1):\n  PA1.1: “Support national migration "
        "policies and strategies” → “Policies and laws” (also changed: French title, "
        "Arabic title)")
    assert dialog.ok_button.text() == "&Replace the plan"
    assert dialog.ok_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=10_000)
    wait_idle(qtbot, window.session)
    assert window.identity.plan.actions[0].title.en == "Policies and laws"
    # and out again, as JSON: the plan now installed
    pick(window, qtbot, "export-plan-action", tmp_path / "again.json")
    qtbot.waitUntil(lambda: (tmp_path / "again.json").exists(), timeout=10_000)
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: window.export_plan_action.isEnabled(), timeout=10_000)
    assert read_plan_file(tmp_path / "again.json") == edited


def test_export_never_writes_over_a_database(open_window, hq_db, qtbot, tmp_path):
    disguised = tmp_path / "other.csv"
    disguised.write_bytes(hq_db.read_bytes())
    window = open_window(hq_db)
    pick(window, qtbot, "export-plan-action", disguised)
    message = shown_dialog(window, qtbot, MessageDialog, "plan-file-message")
    assert message.text.text() == (
        f"The plan could not be saved: cannot write {disguised}: it is a database; choose "
        "another file")
    assert disguised.read_bytes() == hq_db.read_bytes()
    message.accept()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_question_by_keyboard_and_right_to_left(open_window, hq_db, qtbot, tmp_path,
                                                    language, lang):
    """Every control of the question is reached by Tab; in Arabic it is laid out right
    to left, the codes in its sentences kept in their order. (Screenshots: in
    FIELDPLAN_SHOTS, when set.)"""
    language(lang)
    path = hiding_plan(hq_db, tmp_path)
    window = open_window(hq_db)
    from ui import plan_files

    plan_files.read_for_replacing(window, str(path))
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    assert dialog.isRightToLeft() == (lang == "ar")
    reached = []
    for _i in range(6):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert {dialog.ok_button, dialog.cancel_button, dialog.details} <= set(reached)
    if lang == "ar":
        assert "\u2066PA3.6\u2069" in dialog.details.toPlainText()
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"replace-plan-{lang}.png"))
    dialog.reject()
    wait_idle(qtbot, window.session)


def test_the_chosen_file_type_gives_a_name_without_one_its_ending(open_window, hq_db, qtbot,
                                                                  tmp_path):
    window = open_window(hq_db)
    window.export_plan_action.trigger()
    [dialog] = [d for d in window.findChildren(QFileDialog) if d.isVisible()]
    assert dialog.nameFilters() == ["Excel workbooks (*.xlsx)", "CSV files (*.csv)",
                                    "JSON files (*.json)", "TOML files (*.toml)"]
    assert Path(dialog.selectedFiles()[0]).name == f"{PLAN_ID}-v1.xlsx"
    dialog.filterSelected.emit("TOML files (*.toml)")  # as the person's choice does
    assert dialog.defaultSuffix() == "toml"
    dialog.setOption(QFileDialog.Option.DontConfirmOverwrite)
    dialog.selectFile(str(tmp_path / "plan"))
    dialog.accept()
    qtbot.waitUntil(lambda: window.export_plan_action.isEnabled(), timeout=10_000)
    assert read_plan_file(tmp_path / "plan.toml") == window.identity.plan


def test_the_plan_file_to_open_may_be_a_workbook(open_window, hq_db, qtbot):
    """HQ keeps the plan in Excel: the workbook is offered as it is (saving it as CSV
    was where a French or Arabic Excel broke it); so is Excel's "Unicode Text", which
    it names .txt and the reader takes when it is the plan's sheet."""
    window = open_window(hq_db)
    window.replace_plan_action.trigger()
    [dialog] = [d for d in window.findChildren(QFileDialog) if d.isVisible()]
    assert dialog.nameFilters() == ["Plan files (*.xlsx *.csv *.json *.toml *.txt)",
                                    "All files (*)"]
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"], "replace-plan-file.png"))
    dialog.reject()


def test_each_kind_of_thing_hidden_is_a_line_naming_every_code(qapp):
    from fieldplan.plan import default_plan
    from fieldplan.planops import Hidden, PlanChange
    from ui.plan_files import change_text

    plan = default_plan()
    new = amended(plan)
    hidden = Hidden(actions=tuple(f"PA1.{i}" for i in range(1, 11)), periods=("2025-S2",),
                    values=("PA1.2/officials-trained",), levels=("PA2.1",))
    text, details = change_text(PlanChange(new, plan, hidden=hidden, reports=31), "v2.csv")
    details = without_marks(details)
    assert "It would hide 31 reports recorded so far." in text
    assert details.splitlines()[:3] == [
        "It changes none of the areas, actions, indicators or dates.", "",
        "What it would hide:"]
    assert details.splitlines()[3:] == [
        "Reports on 10 actions it does not have (PA1.1, PA1.2, PA1.3, PA1.4, PA1.5, PA1.6, "
        "PA1.7, PA1.8, PA1.9, PA1.10)",
        "Reports on 1 action it moves to another level (PA2.1)",
        "Reports for 1 period outside its dates (2025-S2)",
        "Values of 1 indicator it does not have (PA1.2/officials-trained)"]
    # values only: no report is hidden, and the question says what is
    text, details = change_text(
        PlanChange(new, plan, hidden=Hidden(values=("PA1.2/officials-trained",))), "v2.csv")
    details = without_marks(details)
    assert "It would hide indicator values recorded so far." in text
    assert details.splitlines()[-1] == (
        "Values of 1 indicator it does not have (PA1.2/officials-trained)")


def test_the_question_asks_about_a_counts_target_below_zero(qapp):
    """As ``plan import`` warns: a stray minus sign in a count's target."""
    from fieldplan.plan import default_plan
    from fieldplan.planops import PlanChange
    from ui.plan_files import change_text

    plan = default_plan()
    change = PlanChange(amended(plan), plan,
                        below_zero=("PA1.1/policies-supported (2nd semester 2026: -12)",))
    text, _details = change_text(change, "v2.csv")
    assert without_marks(text).endswith(
        "\n\n1 target of a count is below zero: is the minus sign a typo? "
        "PA1.1/policies-supported (2nd semester 2026: -12).")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_question_says_what_the_new_version_changes(open_window, hq_db, qtbot, tmp_path,
                                                        language, lang):
    """The reviewer's amendment (PA1.3 dropped, PA1.2 renamed, a target changed, PA5
    and PA5.1 added in English only): each change a line before anything is written,
    and one line for the titles without French or Arabic. (Screenshots: in
    FIELDPLAN_SHOTS, when set.)"""
    from tests.core.test_plan_diff import review_amendment
    from ui import plan_files

    language(lang)
    with open_replica(hq_db) as rep:
        dump_plan(review_amendment(rep.plan()), tmp_path / "v2.csv")
    before = snapshot(hq_db)
    window = open_window(hq_db)
    plan_files.read_for_replacing(window, str(tmp_path / "v2.csv"))
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    assert dialog.isRightToLeft() == (lang == "ar")
    details = without_marks(dialog.details.toPlainText())
    assert "PA1.1/policies-supported" in details and "PA5.1" in details
    if lang == "en":
        assert without_marks(dialog.text.text()).endswith(
            "The database is backed up first.\n\n3 titles have no French or Arabic text "
            "and show in English instead: PA5, PA5.1, PA5.1/returnees.")
        assert details.splitlines() == [
            "What it changes:",
            "Area added (1): PA5",
            "Action added (1): PA5.1",
            "Action removed (1): PA1.3",
            "Action retitled (1):",
            "  PA1.2: “Strengthen national migration data systems” → “Better data on "
            "migration”",
            "Target changed (1): PA1.1/policies-supported for 2nd semester 2026 from 6 to 10"]
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"replace-plan-changes-{lang}.png"))
    dialog.reject()
    wait_idle(qtbot, window.session)
    assert snapshot(hq_db) == before


def test_long_lists_of_changes_are_cut(qapp):
    from fieldplan.plan import default_plan
    from fieldplan.plan_diff import diff_plans
    from fieldplan.planops import PlanChange
    from ui.plan_files import change_text

    plan = default_plan()
    new = dataclasses.replace(plan, version=2, actions=plan.actions[:2])
    _text, details = change_text(PlanChange(new, plan, diff=diff_plans(plan, new)), "v2.csv")
    assert details.splitlines()[1] == (
        "Actions removed (22): PA1.3, PA1.4, PA1.5, PA1.6, PA2.1, PA2.2, PA2.3, PA2.4 and "
        "14 more")


def test_the_question_says_a_count_worded_in_french_or_arabic_is_never_shown(qapp):
    """As ``plan import`` warns: a plain count or a percent the plan words in French or
    Arabic, a word fieldplan never shows. Found by QA."""
    from fieldplan.plan import default_plan
    from fieldplan.planops import PlanChange
    from ui.plan_files import change_text

    plan = default_plan()
    change = PlanChange(amended(plan), plan, unused_unit_words=("PA1.1/policies-supported",))
    text, _details = change_text(change, "v2.csv")
    assert without_marks(text).endswith(
        "\n\n1 indicator counted plainly or in percent words its unit in French or "
        "Arabic: that word is never shown (no unit follows a count's figures, and % a "
        "percent's): PA1.1/policies-supported.")


def test_the_question_says_a_unit_changed_under_recorded_values(qapp):
    """As ``plan import`` warns: values recorded for an indicator whose unit the new
    version changes would read in the new unit. Found by QA."""
    from fieldplan.plan import default_plan
    from fieldplan.planops import PlanChange
    from ui.plan_files import change_text

    plan = default_plan()
    change = PlanChange(amended(plan), plan, units_over_values=("PA4.1/people-assisted",))
    text, _details = change_text(change, "v2.csv")
    assert without_marks(text).endswith(
        "\n\n1 indicator whose unit this version changes has values recorded already, "
        "which will then read in the new unit: check that they still hold, or keep the "
        "unit and add a new indicator: PA4.1/people-assisted.")
