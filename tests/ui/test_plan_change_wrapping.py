"""Replace the plan…: the list of changes keeps each code whole on a line, in Arabic and
French ("PA5.1/" at the end of a line and "clinics" on the next, "policies-" over
"supported", found by QA), and says what a retitled item was called and is called now.
(Screenshots: in FIELDPLAN_SHOTS, when set.)"""

from __future__ import annotations

import dataclasses
import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from fieldplan.plan import Indicator, Text, default_plan
from fieldplan.plan_diff import diff_plans
from fieldplan.planops import PlanChange
from ui.app import apply_language
from ui.bidi import codes_unbroken, text_direction, without_marks
from ui.dialogs import ConfirmDialog
from ui.plan_files import change_text


@pytest.fixture
def language(qapp):
    app = QApplication.instance()
    yield lambda lang: apply_language(app, lang)
    apply_language(app, "en")


def test_codes_get_word_joiners_and_titles_do_not():
    line = "Indicator retitled (1): PA1.1/policies-supported: “\u2068follow-up/x\u2069”"
    held = codes_unbroken(line)
    assert "PA1.1/\u2060policies-\u2060supported" in held
    assert "“\u2068follow-up/x\u2069”" in held  # a title wraps as words do
    assert without_marks(held) == without_marks(line)


def _wide_change() -> PlanChange:
    """Many actions and indicators added and retitled: lines long enough to wrap."""
    plan = default_plan()
    first = plan.actions[0]
    ind = first.indicators[0]
    first = dataclasses.replace(
        first, title=Text("Migration governance", "Gouvernance des migrations",
                          "حوكمة الهجرة"),
        indicators=(dataclasses.replace(ind, title=Text(
            "Policies supported", "Politiques appuyées", "السياسات المدعومة")),
            *first.indicators[1:],
            *(Indicator(f"policies-supported-{n}", Text(f"Policies {n}"), "count", None,
                        None) for n in range(8))))
    added = tuple(dataclasses.replace(plan.actions[1], code=f"PA5.{n}", area="PA1")
                  for n in range(1, 9))
    new = dataclasses.replace(plan, version=2, actions=(first, *plan.actions[1:], *added))
    return PlanChange(new, plan, diff=diff_plans(plan, new))


def _line_ends(dialog: ConfirmDialog) -> list[str]:
    """The text of each line as the details box lays it out."""
    document = dialog.details.document()
    ends = []
    block = document.begin()
    while block.isValid():
        layout = block.layout()
        text = block.text()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            ends.append(text[line.textStart():line.textStart() + line.textLength()])
        block = block.next()
    return ends


@pytest.mark.parametrize("lang", ["ar", "fr", "en"])
def test_no_line_of_the_changes_breaks_inside_a_code(qtbot, language, lang):
    language(lang)
    text, details = change_text(_wide_change(), "v2.csv")
    dialog = ConfirmDialog(None, "Replace the plan", text, details, "Replace")
    qtbot.addWidget(dialog)
    dialog.resize(460, 560)
    dialog.show()
    qtbot.waitExposed(dialog)
    if lang == "ar":
        # each line reads right to left, a retitled item's too (its code and titles
        # isolated, it had no letter to say so and was laid out left to right)
        assert all(text_direction(line) == Qt.LayoutDirection.RightToLeft
                   for line in details.splitlines() if line)
    lines = [without_marks(line).rstrip() for line in _line_ends(dialog)]
    assert len(lines) > len(details.splitlines())  # (it wraps)
    for line in lines:
        assert not line.endswith(("/", "-")), line
    shown = without_marks(dialog.details.toPlainText())
    assert "PA1.1/policies-supported" in shown
    # the titles in the language in use
    assert {"en": "Policies supported", "fr": "Politiques appuyées",
            "ar": "السياسات المدعومة"}[lang] in shown
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"replace-plan-wrapped-{lang}.png"))
    dialog.close()
