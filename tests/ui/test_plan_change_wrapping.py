"""Replace the plan…: the list of changes keeps each code whole on a line, in Arabic and
French ("PA5.1/" at the end of a line and "clinics" on the next, "policies-" over
"supported", found by QA), and says what a retitled item was called and is called now.
(Screenshots: in FIELDPLAN_SHOTS, when set.)"""

from __future__ import annotations

import dataclasses
import os

import pytest
from PySide6.QtCore import Qt

from fieldplan.plan import Indicator, Text, default_plan
from fieldplan.plan_diff import diff_plans
from fieldplan.planops import PlanChange
from ui.bidi import codes_unbroken, text_direction, without_marks
from ui.dialogs import ConfirmDialog
from ui.plan_files import change_text


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


def _unit_change_outcome():
    """An office's import of a plan whose new version words the units of PA1.2's
    indicators anew (``officials-trained``, ``data-reports``): its ImportOutcome."""
    from fieldplan.plan_diff import short_lines
    from fieldplan.sync.exchange import ImportOutcome

    plan = default_plan()
    action = next(a for a in plan.actions if a.code == "PA1.2")
    assert any("-" in i.key for i in action.indicators)
    moved = dataclasses.replace(action, indicators=tuple(
        dataclasses.replace(i, unit="workshops") for i in action.indicators))
    new = dataclasses.replace(plan, version=2, actions=tuple(
        moved if a.code == "PA1.2" else a for a in plan.actions))
    return ImportOutcome("BN-1a2b3c4d-1-9.fieldplan", "merged", office="HQ",
                         plan_version=2, plan_changes=short_lines(diff_plans(plan, new)))


def _laid_out_lines(text: str, font, width: int) -> list[str]:
    """``text``'s lines as Qt breaks them at ``width`` pixels, as a wrapped label
    does (each paragraph on its own)."""
    from PySide6.QtGui import QTextLayout, QTextOption

    lines = []
    for paragraph in text.split("\n"):
        layout = QTextLayout(paragraph, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            lines.append(paragraph[line.textStart():line.textStart() + line.textLength()])
        layout.endLayout()
    return lines


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_the_import_result_keeps_each_code_of_the_plan_changes_whole(qtbot, language, lang):
    """The French import result of HQ's bundle with a new plan version broke an
    indicator's code at its hyphen ("PA1.2/officials-" at the end of a line, "trained"
    on the next; found by QA): at any width each code stays on one line, and a copy
    of the line gives it as written."""
    from ui.transfer import ImportResultDialog

    language(lang)
    dialog = ImportResultDialog(None, [_unit_change_outcome()])
    qtbot.addWidget(dialog)
    dialog.resize(420, dialog.sizeHint().height())
    dialog.show()
    qtbot.waitExposed(dialog)
    label = dialog.plan_changes
    text = label.text()
    assert "PA1.2/officials-trained" in without_marks(text)
    wrapped = 0
    for width in range(120, 480, 6):
        lines = [without_marks(line).rstrip() for line in
                 _laid_out_lines(text, label.font(), width)]
        wrapped = max(wrapped, len(lines))
        for line in lines:
            assert not line.endswith(("/", "-")), (width, line)
    assert wrapped > len(text.splitlines())  # (it wraps)
    # the label as it is shown, too
    shown = [without_marks(line).rstrip() for line in _laid_out_lines(
        text, label.font(), label.contentsRect().width())]
    assert not any(line.endswith(("/", "-")) for line in shown), shown
    if os.environ.get("FIELDPLAN_SHOTS"):
        dialog.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                        f"import-result-plan-changes-{lang}.png"))
    # copied as written: no word joiner inside the codes
    label.setSelection(0, len(text))
    copied = label.copied_text()
    assert "PA1.2/officials-trained" in copied and "PA1.2/data-reports" in copied
    assert "\u2060" not in copied
    dialog.close()
