"""An amendment that hides the report being typed in (headquarters dropped its action,
moved it to another level, or ended the plan before its period), imported by the window
(File ▸ Import…, a dropped bundle) or by another fieldplan on the same database (the
CLI) while the window is open. The window showed the report now in the old one's place
in the same form, the keyboard still in the same text box: the next keys went into that
report, one the person never chose. The report typed in now stays on screen, read-only
(as one whose period headquarters locks meanwhile), saying that headquarters' update
hides it, where what was typed in it is kept, and to choose an action; no action is
chosen in the plan until the person chooses one."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import import_bundle
from tests.scenes import AMENDMENT
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose
from tests.ui.test_plan_amendment import (  # noqa: F401
    drafts_file,
    import_in_window,
    office,
    started_with_amendment,
)
from ui.qtcompat import Qt

#: the notice's lines, of a report whose action the amendment dropped and text typed
GONE = ("Headquarters' update of the plan (version 2) hides this report: the plan no "
        "longer has this action.")
KEPT = ("What was typed in it cannot be saved any more. It is kept, not lost: View ▸ Text "
        "set aside… shows it, to copy or discard.")
SAVED = ("What was saved in it can still be read at the end of the plan, among the "
         "reports not in the current plan.")
ON = "It can no longer be edited here: choose an action in the plan to go on."


def bn_texts(db) -> dict[tuple[str, str], tuple[str, str, str]]:
    """Every narrative of every report of BN's in the database (the plan's or not)."""
    with open_replica(db) as rep:
        return {(r.action, r.period): (r.achievements, r.challenges, r.next_steps)
                for r in progress.list_reports(rep, office="BN")}


def amended(window, qtbot, bn, bundle, how: str) -> None:
    """``bundle`` imported as File ▸ Import does, or by another fieldplan (the CLI),
    which the window notices (``check_outside``, every few seconds)."""
    if how == "window":
        import_in_window(window, qtbot, bundle).close()
    else:
        window.check_outside()  # (where the database stands, noted)
        wait_idle(qtbot, window.session)
        with open_replica(bn) as rep:
            import_bundle(rep, bundle)
        window.check_outside()
    qtbot.waitUntil(lambda: window.identity.plan.version == 2, timeout=10_000)
    wait_idle(qtbot, window.session)


def typing_in_the_report_it_hides(window, qtbot):
    """(editor, its Challenges box) on PA1.3 of 2026-S1, the report the amendment
    (tests.scenes.AMENDMENT) hides, "Roads cut" typed in it, the keyboard there."""
    editor = choose(window, qtbot, "PA1.3", "2026-S1")
    box = editor.narratives["challenges"]
    window.activateWindow()
    box.setFocus()
    qtbot.keyClicks(box, "Roads cut")
    return editor, box


@pytest.mark.parametrize("how", ["window", "cli"])
def test_keys_typed_after_the_amendment_go_into_no_other_report(
        open_window, qtbot, office, monkeypatch, how):  # noqa: F811
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)  # (typing not saved)
    bn, amend = office
    bundle = amend(**AMENDMENT)  # PA1.3 renamed PA1.7: PA1.3 is no longer in the plan
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.3", "2026-S1")
    box = editor.narratives["challenges"]
    box.setFocus()
    qtbot.keyClicks(box, "Roads cut")
    before = bn_texts(bn)
    amended(window, qtbot, bn, bundle, how)
    # the report typed in stays, read-only, saying why and where the typing is
    qtbot.waitUntil(lambda: editor.notice.text() == "\n".join((GONE, KEPT, SAVED, ON)),
                    timeout=5000)
    assert editor.notice.isVisible() and editor.title.text().startswith("PA1.3 · ")
    assert editor.action is None and window.office_view.tree.current_action() is None
    assert box.isReadOnly() and box.toPlainText() == "Roads cut"
    assert window.focusWidget() is box  # (the keyboard left where it was: nothing is taken)
    # the keys typed next, as the person goes on: taken by no report
    qtbot.keyClicks(box, " and bridges")
    assert box.toPlainText() == "Roads cut"
    assert not editor.save_now()
    wait_idle(qtbot, window.session)
    assert bn_texts(bn) == before
    # what was typed is set aside, where View ▸ Text set aside… shows it
    qtbot.waitUntil(lambda: ("PA1.3", "2026-S1") in drafts_file(bn, ".drafts-set-aside.json"),
                    timeout=5000)
    aside = drafts_file(bn, ".drafts-set-aside.json")
    assert aside[("PA1.3", "2026-S1")]["values"] == {"challenges": "Roads cut"}
    qtbot.waitUntil(window.aside_action.isEnabled, timeout=5000)
    # an action chosen: its own report, to type in
    assert window.office_view.tree.select("PA1.7")
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA1.7"
                    and editor.status.isEnabled(), timeout=5000)
    assert box.toPlainText() == "" and not box.isReadOnly()
    assert GONE not in editor.notice.text()


def test_the_keyboard_in_the_form_is_enough(open_window, qtbot, office):  # noqa: F811
    """Nothing typed yet, the keyboard in a text box: the same (the keys to come would
    have gone into the other report), without a word of typing kept."""
    bn, amend = office
    bundle = amend(drop=("PA1.2",))
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.2", "2026-S1")
    box = editor.narratives["achievements"]
    box.setFocus()
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.notice.text() == "\n".join((GONE, SAVED, ON)),
                    timeout=5000)
    qtbot.keyClicks(box, "Trained")
    editor.save_now()
    wait_idle(qtbot, window.session)
    assert box.toPlainText() == "" and editor.action is None
    assert not any("Trained" in "".join(texts) for texts in bn_texts(bn).values())


def test_a_period_the_plan_ends_before_and_another_level(
        open_window, qtbot, office, monkeypatch):  # noqa: F811
    """The window goes to the period the plan still has; the report typed in stays, of
    its own period, saying why; the same action chosen again shows the period the
    window shows. An action moved to another level: said so."""
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    bn, amend = office
    bundle = amend(end="2026-06-30", regional=("PA2.1",))
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.1", "2026-S2")
    box = editor.narratives["next_steps"]
    box.setFocus()
    qtbot.keyClicks(box, "Pilot")
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: window.period == "2026-S1" and editor.action is None,
                    timeout=5000)
    assert editor.notice.text().startswith(
        "Headquarters' update of the plan (version 2) hides this report: this period is "
        "outside the plan's dates.\n")
    assert editor.period == "2026-S2" and box.toPlainText() == "Pilot"
    assert box.isReadOnly()
    assert window.office_view.tree.select("PA1.1")
    qtbot.waitUntil(lambda: editor.period == "2026-S1" and editor.status.isEnabled(),
                    timeout=5000)
    assert box.toPlainText() == ""

    # PA2.1, now regional: not this office's to report on
    bundle = amend(regional=("PA2.1", "PA1.1"), end="2026-06-30")
    qtbot.keyClicks(box, "More")
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.action is None, timeout=5000)
    assert editor.notice.text().startswith(
        "Headquarters' update of the plan (version 3) hides this report: the action is "
        "no longer at this office's level.\n")
    assert box.toPlainText() == "More" and box.isReadOnly()


def test_not_at_the_form_the_report_in_its_place_is_shown(open_window, qtbot,
                                                         office):  # noqa: F811
    """Reading with the keyboard in the plan, nothing typed: the report now in the old
    one's place is shown, as before (nothing typed goes into it unchosen)."""
    bn, amend = office
    bundle = amend(**AMENDMENT)
    window = open_window(bn)
    editor = choose(window, qtbot, "PA1.3", "2026-S1")
    window.office_view.tree.tree.setFocus()
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.action is not None and editor.action.code == "PA1.7"
                    and editor.status.isEnabled(), timeout=5000)
    assert window.office_view.tree.current_action().code == "PA1.7"


def test_nothing_saved_in_it_no_word_of_the_reports_not_in_the_plan(
        open_window, qtbot, office):  # noqa: F811
    """A report never saved is not among the reports the plan hides: the notice sends
    no one there."""
    bn, amend = office
    bundle = amend(drop=("PA2.2",))
    window = open_window(bn)
    editor = choose(window, qtbot, "PA2.2", "2026-S1")
    editor.narratives["achievements"].setFocus()
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.notice.text() == "\n".join((GONE, ON)), timeout=5000)


def test_a_language_change_keeps_the_hidden_report_and_its_notice(
        shell, qtbot, office, monkeypatch):  # noqa: F811
    """A language change while the report an amendment hid is on screen: the window
    made again showed "Choose an action in the plan." and nothing of the report, its
    notice gone (the text safe all the same, outside the plan). It shows the report
    again, read-only, the notice said in the new language, the keyboard where it was."""
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    window, bundle = started_with_amendment(shell, qtbot, office)
    editor, box = typing_in_the_report_it_hides(window, qtbot)
    qtbot.keyClick(box, Qt.Key.Key_Left)
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.notice.text().startswith(GONE), timeout=5000)
    try:
        shell.change_language("fr")
        new = shell.window
        assert new is not window
        wait_idle(qtbot, shell.session)
        editor = new.office_view.editor
        lines = editor.notice.text().split("\n")
        assert editor.notice.isVisible() and len(lines) == 4
        assert lines[0] == ("La mise à jour du plan par le Siège (version 2) masque ce "
                            "rapport\u00a0: le plan n’a plus cette action.")
        assert lines[1].endswith("Affichage ▸ Texte mis de côté… l’affiche, pour le "
                                 "copier ou l’abandonner.")
        assert lines[3] == ("Il ne peut plus être modifié ici\u00a0: choisissez une "
                            "action dans le plan pour continuer.")
        assert editor.title.text() == (
            "PA1.3 · Intégrer la migration dans la planification nationale du "
            "développement")
        assert editor.status_read_only.text() == "● En bonne voie"
        box = editor.narratives["challenges"]
        assert box.toPlainText() == "Roads cut" and box.isReadOnly()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is box, timeout=5000)
        assert box.textCursor().position() == 8
        assert editor.action is None and new.office_view.tree.current_action() is None
        # the keys typed next go into no report
        qtbot.keyClicks(box, " and bridges")
        assert box.toPlainText() == "Roads cut" and not editor.save_now()
        # and again, back in English: as it was said before the change
        shell.change_language("en")
        wait_idle(qtbot, shell.session)
        editor = shell.window.office_view.editor
        assert editor.notice.text() == "\n".join((GONE, KEPT, SAVED, ON))
        assert editor.narratives["challenges"].toPlainText() == "Roads cut"
        # an action chosen: its own report, to type in
        assert shell.window.office_view.tree.select("PA1.7")
        qtbot.waitUntil(lambda: editor.action is not None and editor.status.isEnabled(),
                        timeout=5000)
        assert GONE not in editor.notice.text() and editor.gone is None
        assert editor.narratives["challenges"].toPlainText() == ""
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def test_a_language_change_keeps_the_values_of_indicators_dropped_before(
        shell, qtbot, office, monkeypatch):  # noqa: F811
    """An earlier amendment dropped one of the report's indicators (its value said under
    the indicators); a later one hides the report while the person is at it; a language
    change then: the window made again showed the report without that line."""
    from PySide6.QtWidgets import QLabel

    from fieldplan.i18n import translation

    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    bn, amend = office
    with open_replica(bn) as rep:
        progress.record_progress(rep, "PA1.2", "2026-S1", values={
            "officials-trained": 40, "data-reports": 3})
        import_bundle(rep, amend(drop_indicators=(("PA1.2", "data-reports"),)))
    hiding = amend(drop=("PA1.2",))
    shell.start(bn)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    wait_idle(qtbot, window.session)
    editor = choose(window, qtbot, "PA1.2", "2026-S1")
    assert [v.text() for v in editor.dropped_values] == ["3"]
    box = editor.narratives["challenges"]
    window.activateWindow()
    box.setFocus()
    qtbot.keyClicks(box, "Roads cut")
    import_in_window(window, qtbot, hiding).close()
    qtbot.waitUntil(lambda: editor.gone is not None, timeout=5000)
    assert [v.text() for v in editor.dropped_values] == ["3"]  # (drawn before: kept)
    try:
        shell.change_language("ar")
        new = shell.window
        assert new is not window
        wait_idle(qtbot, shell.session)
        editor = new.office_view.editor
        assert editor.gone is not None
        [value] = editor.dropped_values
        title = "عدد التقارير الوطنية لبيانات الهجرة أو ملامح الهجرة المنشورة"
        assert value.text() == "3" and value.accessibleName() == f"{title}: 3"
        qtbot.waitUntil(lambda: value.isVisibleTo(editor.indicator_box), timeout=5000)
        shown = [w.text() for w in editor.indicator_box.findChildren(QLabel)
                 if w.isVisibleTo(editor.indicator_box)]
        note = translation("ar").ngettext(
            "Also recorded, for an indicator the current plan no longer has (kept, and "
            "listed by a data export, but not printed):",
            "Also recorded, for indicators the current plan no longer has (kept, and "
            "listed by a data export, but not printed):", 1)
        assert title in shown and note in shown
        assert list(editor.indicator_edits) == ["officials-trained"]
        # an action chosen: none of it is left
        assert new.office_view.tree.select("PA1.1")
        qtbot.waitUntil(lambda: editor.action is not None and editor.status.isEnabled(),
                        timeout=5000)
        wait_idle(qtbot, shell.session)
        assert editor.dropped_values == []
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)


def test_the_hidden_reports_notice_is_said_and_its_fields_are_read_only_by_ear(
        shell, qtbot, office, monkeypatch, announced):  # noqa: F811
    """The report being typed in is hidden by an amendment: the focus stays in its
    field, read-only since, and the keys typed next go nowhere. A screen reader said
    nothing of why, the notice above away from the focus; nor after a language change,
    in the window made again. The notice is said at once, in each language; the
    fields are read-only to a screen reader; the notice is the first stop of Tab."""
    from PySide6.QtGui import QAccessible

    said = announced  # (tests.ui.conftest)
    monkeypatch.setattr("ui.report_editor.SAVE_DELAY_MS", 600_000)
    window, bundle = started_with_amendment(shell, qtbot, office)
    editor, _box = typing_in_the_report_it_hides(window, qtbot)
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: editor.notice.text().startswith(GONE), timeout=5000)
    assert editor.notice.text() in said
    try:
        shell.change_language("ar")
        new = shell.window
        wait_idle(qtbot, shell.session)
        editor = new.office_view.editor
        assert editor.notice.text() in said  # (in Arabic: said again in the new window)
        assert not editor.notice.text().startswith(GONE[:20])
        for field in (editor.status_read_only, editor.percent, *editor.narratives.values()):
            face = QAccessible.queryAccessibleInterface(field)
            assert face.state().readOnly, field.accessibleName()
        new.activateWindow()
        qtbot.waitActive(new)
        tree = new.office_view.tree.tree
        tree.setFocus()
        qtbot.keyClick(tree, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is editor.notice
    finally:
        shell.change_language("en")
        wait_idle(qtbot, shell.session)
