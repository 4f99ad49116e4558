"""The report editor words an indicator's unit in the language in use, as the plan
words it (``Indicator.unit_fr``, ``unit_ar``), else as before."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from tests.ui.test_office_work import choose

WORDS = {"en": "workshops", "fr": "ateliers", "ar": "حلقات دراسية"}


def word_unit(db: Path, unit: str, fr: str, ar: str) -> Path:
    """``db`` whose plan words PA3.6's indicator in ``unit``, worded ``fr`` and
    ``ar``."""
    from fieldplan.planops import install_plan
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:
        plan = rep.plan()
        actions = []
        for action in plan.actions:
            if action.code == "PA3.6":
                ind = dataclasses.replace(action.indicators[0], unit=unit,
                                          unit_fr=fr, unit_ar=ar)
                action = dataclasses.replace(action, indicators=(ind, *action.indicators[1:]))
            actions.append(action)
        install_plan(rep, dataclasses.replace(plan, version=2, actions=tuple(actions)),
                     "v2.toml")
    return db


@pytest.fixture
def worded_db(hq_db: Path) -> Path:
    """``hq_db`` whose plan words PA3.6's indicator in workshops, in three languages."""
    return word_unit(hq_db, WORDS["en"], WORDS["fr"], WORDS["ar"])


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_report_editor_words_the_unit_in_its_language(open_window, qtbot, worded_db,
                                                           language, lang):
    language(lang)
    window = open_window(worded_db)
    editor = choose(window, qtbot, "PA3.6")
    field = next(iter(editor.indicator_edits.values()))
    assert WORDS[lang] in field.accessibleDescription()
    names = [label.text() for label in editor.widget().findChildren(QLabel)]
    shown = [text for text in names if WORDS[lang] in text]
    assert shown, names
    assert not any(w in text for text in names for code, w in WORDS.items() if code != lang)


def test_the_replace_dialog_lists_a_unit_worded_anew(open_window, qtbot, hq_db: Path,
                                                     tmp_path: Path):
    """A unit worded in French alone (the English one kept) changes what offices read:
    the question before installing says so, as for the English unit."""
    from fieldplan.plan import dump_plan
    from fieldplan.replica import open_replica
    from tests.ui.conftest import wait_idle
    from tests.ui.test_plan_menu import shown_dialog
    from ui import plan_files
    from ui.bidi import without_marks
    from ui.dialogs import ConfirmDialog

    with open_replica(hq_db) as rep:
        plan = rep.plan()
    first = plan.actions[0]
    ind = dataclasses.replace(first.indicators[0], unit_fr="documents-cadres")
    new = dataclasses.replace(plan, version=2, actions=(
        dataclasses.replace(first, indicators=(ind, *first.indicators[1:])),
        *plan.actions[1:]))
    dump_plan(new, tmp_path / "v2.csv")
    window = open_window(hq_db)
    plan_files.read_for_replacing(window, str(tmp_path / "v2.csv"))
    dialog = shown_dialog(window, qtbot, ConfirmDialog, "replace-plan-dialog")
    assert without_marks(dialog.details.toPlainText()).splitlines() == [
        "What it changes:",
        "Unit changed (1): PA1.1/policies-supported in French from none to "
        "documents-cadres"]
    dialog.reject()
    wait_idle(qtbot, window.session)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_report_editor_words_a_count_as_the_sheet_does(open_window, qtbot, hq_db,
                                                           language, lang):
    """A count worded "pays" / "بلدان" by the plan: the sheets ignore the word (a
    count's figures carry no unit), the editor showed it; it now shows fieldplan's
    word for a count in each language. Found by review."""
    from fieldplan.i18n import unit_label

    word_unit(hq_db, "count", "pays", "بلدان")
    language(lang)
    window = open_window(hq_db)
    editor = choose(window, qtbot, "PA3.6")
    names = [label.text() for label in editor.widget().findChildren(QLabel)]
    assert not any("pays" in text or "بلدان" in text for text in names), names
    assert any(f"({unit_label('count', lang)})" in text for text in names), names


def test_the_replace_question_names_the_offices_to_update(qapp):
    """As ``plan import`` warns: offices whose fieldplan cannot read the new plan."""
    from fieldplan.plan import default_plan
    from fieldplan.planops import PlanChange
    from tests.core.test_unit_words import worded
    from ui.bidi import without_marks
    from ui.plan_files import change_text

    plan = default_plan()
    text, _details = change_text(PlanChange(worded(plan), plan, to_update=("ML", "SN")),
                                 "v2.csv")
    assert without_marks(text).endswith(
        "\n\n2 offices run a fieldplan that cannot read units in French or Arabic (ML, "
        "SN): they must be updated to receive this plan.")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_enrol_dialog_says_the_setup_bundle_needs_this_fieldplan(
        open_window, qtbot, worded_db, tmp_path, language, lang):
    """As ``office enroll`` warns: the setup bundle of a plan that words its units is in
    bundle format 4, which fieldplan 0.3 refuses as newer. (Screenshots: in
    FIELDPLAN_SHOTS, when set.) Found by QA."""
    import os

    from PySide6.QtCore import Qt

    from tests.ui.conftest import wait_idle
    from tests.ui.test_read_by_keyboard import enrol_dialog
    from ui.bidi import without_marks

    language(lang)
    window, dialog = enrol_dialog(open_window, qtbot, worded_db, str(tmp_path))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.result_path is not None, timeout=10_000)
    said = without_marks(dialog.said())
    if lang == "en":
        assert ("ML's computers need this version of fieldplan or a later one to be set up "
                "from this file: an older one refuses it as newer (bundle format 4, for the "
                "plan's units in French or Arabic).") in said
    else:  # (the plan's units in French or Arabic, in the dialog's language)
        assert any(words in said for words in (
            "French or Arabic", "en français ou en arabe", "بالفرنسية أو العربية"))
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"enrol-format-{lang}.png"))
    wait_idle(qtbot, window.session)
