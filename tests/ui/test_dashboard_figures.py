"""The office's dashboard and HQ's Overview give the figures the review pack gives: the
same mean (cancelled actions left out, halves rounded up) and the same count of actions
reported (a draft has a report, not a submitted one); the report editor says which
target a semester is held to."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import QRect, Qt

from fieldplan.model import ProgressReport
from fieldplan.plan import default_plan
from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose
from ui.context import Identity
from ui.dashboard import summarise


def report(action: str, status: str, percent: int | None, state: str = "submitted",
           office: str = "SN") -> ProgressReport:
    fields = {f: "" for f in ProgressReport.__dataclass_fields__}
    fields.update(office=office, action=action, period="2026-S1", status=status,
                  percent=percent, state=state, values=())
    return ProgressReport(**fields)


def _area(reports, code: str = "PA1"):
    identity = Identity("office", "SN", "r", default_plan(), "")
    return next(a for a in summarise(identity, "2026-S1", reports).areas if a[0] == code)


def test_the_dashboard_mean_leaves_out_cancelled_actions_as_hq_does() -> None:
    """GN's PA4 read 52% = (24 + 31 + 100) / 3 on its dashboard, 66% in the pack."""
    _code, _title, mean, *_rest = _area([report("PA1.1", "cancelled", 24),
                                         report("PA1.2", "on-track", 31),
                                         report("PA1.3", "completed", 100)])
    assert mean == 66  # (31 + 100) / 2 = 65.5, rounded up


def test_the_dashboard_and_the_overview_round_halves_up() -> None:
    from ui.models import OverviewModel

    reports = [report("PA1.1", "on-track", 55), report("PA1.2", "at-risk", 54)]
    assert _area(reports)[2] == 55
    model = OverviewModel()
    model.set_data(["SN"], [("PA1", "PA1")], reports, {"PA1.1": "PA1", "PA1.2": "PA1"},
                   {("SN", "PA1"): 3})
    assert model.cell(0, 1).mean == 55
    assert model.data(model.index(0, 1)).endswith(" · 55%")


def test_the_overview_prints_a_mean_near_0_or_100_as_neither() -> None:
    """One report at 1% among three read "0%" in the cell, as if nothing were done; two
    at 100% and one at 99% read "100%"."""
    from PySide6.QtCore import Qt

    from ui.models import OverviewModel

    area_of = {"PA1.1": "PA1", "PA1.2": "PA1", "PA1.3": "PA1"}
    model = OverviewModel()
    for percents, shown in (((1, 0, 0), "0.3%"), ((100, 100, 99), "99.6%")):
        reports = [report(f"PA1.{i}", "on-track", p) for i, p in enumerate(percents, 1)]
        model.set_data(["SN"], [("PA1", "PA1")], reports, area_of, {("SN", "PA1"): 3})
        assert model.data(model.index(0, 1)).endswith(" · " + shown)
        tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).split("\n")
        assert tip[-1] == "Mean progress: " + shown
        assert _area(reports)[2] == Decimal(shown[:-1])  # (the dashboard's figure)


def test_drafts_have_a_report_but_are_not_submitted() -> None:
    reports = [report(a, "on-track", 10, state="draft") for a in ("PA1.1", "PA1.2", "PA1.3")]
    _code, _title, _mean, done, submitted, total = _area(reports)
    assert (done, submitted) == (3, 0) and total >= 3


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_dashboard_says_how_many_reports_are_submitted(
        lang, language, open_window, office_db, qtbot, tmp_path) -> None:
    """All three drafts read "3 of 3 actions reported", where HQ's Overview said 0/3
    and the pack listed the office as not reported."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    language(lang)
    window = open_window(office_db)
    identity = window.identity
    pa1 = [a.code for a in identity.own_actions() if a.area == "PA1"]
    with open_replica(office_db) as rep:
        for code in pa1:
            record_progress(rep, code, "2026-S1", status="on-track", percent=20)
    window.set_period("2026-S1")
    window.tabs.setCurrentIndex(1)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    window.resize(1000, 700)
    dash.grab().save(str(tmp_path / f"dashboard-{lang}.png"))
    texts = [dash.areas_grid.itemAtPosition(0, 2).widget().text()]
    if lang == "en":
        n = len(pa1)
        assert texts == [f"{n} of {n} actions have a report\n0 submitted"]
    assert len(texts[0].splitlines()) == 2  # (Arabic: as translated)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_editor_says_a_target_is_the_end_of_plan_one(
        lang, language, open_window, office_db, qtbot, tmp_path) -> None:
    """2025-S2 has no target for officials trained: it is held to the first milestone
    (150 in 2026-S1), not the end one (600), and says which (it read as 2025-S2's
    own); data reports have only the end one."""
    language(lang)
    window = open_window(office_db)
    editor = choose(window, qtbot, "PA1.2", "2025-S2")
    editor.grab().save(str(tmp_path / f"editor-{lang}.png"))
    targets = [editor.indicator_grid.itemAtPosition(row, 1).widget().text()
               for row in (1, 3)]  # (each with its error line below)
    assert targets[0].startswith("150") and targets[1].startswith("10")
    if lang == "en":
        assert targets[0] == "150 (for 1st semester 2026)"
        assert editor.errors["value.officials-trained"].about.startswith(
            "Target for 1st semester 2026: 150")
        # its bracket on a line of its own, not "10 (end of" over "plan)"
        assert targets[1] == "10 (end\u00a0of\u00a0plan)"
        # what a screen reader says beside the field
        assert editor.errors["value.data-reports"].about.startswith(
            "Target for the end of the plan: 10")
    else:
        assert targets[1] == "10 (نهاية\u00a0الخطة)"


def test_nothing_missing_at_headquarters_is_said_of_its_own_reports(
        open_window, hq_db, office_db, qtbot) -> None:
    """HQ's dashboard covers its own (global) actions: with those all reported, it said
    "Nothing is missing." while offices had not reported, as if every office had."""
    from dataclasses import replace

    window = open_window(hq_db)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    dash._show(replace(dash.summary, missing=()))
    said = dash.missing.item(0).text()
    assert said.startswith("Nothing is missing from headquarters' own reports")
    assert "Overview tab" in said
    office = open_window(office_db)
    office.dashboard.refresh()
    wait_idle(qtbot, office.session)
    office.dashboard._show(replace(office.dashboard.summary, missing=()))
    assert office.dashboard.missing.item(0).text() == "Nothing is missing."


def test_the_overview_says_its_mean_leaves_out_cancelled_actions() -> None:
    """A cell's 66% with a cancelled 24% among its reports read as a mistake to anyone
    averaging the three (52%): the review pack says why under its table, the cell's
    tooltip did not."""
    from PySide6.QtCore import Qt

    from ui.models import OverviewModel

    area_of = {"PA1.1": "PA1", "PA1.2": "PA1", "PA1.3": "PA1"}
    model = OverviewModel()
    model.set_data(["SN"], [("PA1", "PA1")],
                   [report("PA1.1", "cancelled", 24), report("PA1.2", "on-track", 31),
                    report("PA1.3", "completed", 100)], area_of, {("SN", "PA1"): 3})
    tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert tip[-2:] == ["Mean progress: 66%", "Mean progress leaves out cancelled actions."]
    model.set_data(["SN"], [("PA1", "PA1")],
                   [report("PA1.2", "on-track", 31), report("PA1.3", "completed", 100)],
                   area_of, {("SN", "PA1"): 3})
    tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert tip[-1] == "Mean progress: 66%"


def test_the_dashboard_says_its_mean_leaves_out_cancelled_actions(
        open_window, office_db, qtbot) -> None:
    """ML's PA1 read 27% on its dashboard while its Progress tab listed 22% (cancelled),
    16% and 38%, which make 25%: the dashboard said nothing of why."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    window = open_window(office_db)
    pa1 = [a.code for a in window.identity.own_actions() if a.area == "PA1"]
    with open_replica(office_db) as rep:
        record_progress(rep, pa1[0], "2026-S1", status="on-track", percent=16)
    window.set_period("2026-S1")
    dash = window.dashboard
    window.tabs.setCurrentIndex(1)
    dash.refresh()
    wait_idle(qtbot, window.session)
    assert not dash.means_note.isVisibleTo(dash)
    # (the bar is said with the figures beside it, and the note only where it applies)
    assert dash.areas_grid.itemAtPosition(0, 1).widget().accessibleDescription() == (
        "1 of 3 actions have a report\n0 submitted")
    with open_replica(office_db) as rep:
        record_progress(rep, pa1[1], "2026-S1", status="cancelled", percent=22)
    dash.refresh()
    wait_idle(qtbot, window.session)
    bar = dash.areas_grid.itemAtPosition(0, 1).widget()
    assert bar.value() == 16
    assert dash.means_note.isVisibleTo(dash)
    assert dash.means_note.text() == "Mean progress leaves out cancelled actions."
    # heard with the bar, where the focus is (the note is no stop of Tab)
    assert bar.accessibleDescription() == (
        "2 of 3 actions have a report\n0 submitted\nMean progress leaves out cancelled actions.")


@pytest.mark.parametrize(("lang", "shown"), [("en", "0.3%"), ("fr", "0,3\u00a0%"),
                                             ("ar", "0.3%")])
def test_the_dashboard_prints_a_mean_near_0_as_not_0(
        lang, shown, language, open_window, office_db, qtbot, tmp_path) -> None:
    """An area at 1%, 0% and 0% read "0%" on its bar, as if nothing were done."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    language(lang)
    window = open_window(office_db)
    pa1 = [a.code for a in window.identity.own_actions() if a.area == "PA1"]
    with open_replica(office_db) as rep:
        for code, percent in zip(pa1, (1, 0, 0), strict=False):
            record_progress(rep, code, "2026-S1", status="on-track", percent=percent)
    window.set_period("2026-S1")
    window.tabs.setCurrentIndex(1)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    window.resize(1000, 700)
    dash.grab().save(str(tmp_path / f"dashboard-{lang}.png"))
    bar = dash.areas_grid.itemAtPosition(0, 1).widget()
    assert (bar.value(), bar.text()) == (0, shown)


def test_the_overview_tooltip_counts_take_the_language_s_colon(language) -> None:
    """French put a no-break space before its colon on the mean's line ("Avancement
    moyen : 66 %") and none on the counts' above it ("En bonne voie: 1")."""
    from PySide6.QtCore import Qt

    from ui.models import OverviewModel

    language("fr")
    model = OverviewModel()
    model.set_data(["SN"], [("PA1", "PA1")], [report("PA1.2", "on-track", 31)],
                   {"PA1.2": "PA1"}, {("SN", "PA1"): 3})
    tip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).split("\n")
    assert "● En bonne voie\u00a0: 1" in tip
    assert "Avancement moyen\u00a0: 31\u00a0%" in tip


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_long_missing_line_wraps_at_a_laptop_s_width(
        lang, language, open_window, office_db, qtbot, tmp_path) -> None:
    """What an action still lacks (its percent, narratives, each indicator by its
    title) is one long line: at 1024 pixels it ran past the list's edge, read only by
    scrolling sideways. It wraps at the list's width, as high as its lines."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    language(lang)
    window = open_window(office_db)
    # (the action with the most to fill: its line is the longest)
    action = max(window.identity.own_actions(), key=lambda a: len(a.indicators))
    with open_replica(office_db) as rep:
        record_progress(rep, action.code, "2026-S1", status="on-track")
    window.set_period("2026-S1")
    window.tabs.setCurrentIndex(1)
    window.resize(1024, 600)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    missing = dash.missing
    row = next(i for i in range(missing.count())
               if missing.item(i).text().startswith(action.code))
    text = missing.item(row).text()
    width = missing.viewport().width()
    assert missing.fontMetrics().horizontalAdvance(text) > width  # (one line: too long)
    # (the list lays its items out again after a resize: the rows' heights then)
    wrapped = missing.fontMetrics().boundingRect(
        QRect(0, 0, width - 8, 10_000), Qt.TextFlag.TextWordWrap, text).height()
    assert wrapped >= 2 * missing.fontMetrics().height()
    qtbot.waitUntil(lambda: missing.visualItemRect(missing.item(row)).height() >= wrapped,
                    timeout=5000)
    rect = missing.visualItemRect(missing.item(row))
    assert rect.left() >= 0 and rect.right() < width
    assert missing.horizontalScrollBar().maximum() == 0
    dash.grab().save(str(tmp_path / f"missing-{lang}.png"))


@pytest.mark.parametrize("single_click", [False, True])
def test_a_missing_line_opens_its_report_as_the_desktop_opens_items(
        open_window, qtbot, office_db, single_click) -> None:
    """A line of the missing list opens its report when activated, as every Qt view
    and the desktop's own (the file manager) do: by a double click, or by one click
    where the person set their desktop to open items so (KDE's single-click setting,
    Qt's SH_ItemView_ActivateItemOnSingleClick). Kept so, not made double-click only:
    a person who chose single clicks opens everything so, the HQ desk's tables too;
    Enter opens it in both."""
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class Desktop(QProxyStyle):
        def styleHint(self, hint, option=None, widget=None, data=None):
            if hint == QStyle.StyleHint.SH_ItemView_ActivateItemOnSingleClick:
                return int(single_click)
            return super().styleHint(hint, option, widget, data)

    window = open_window(office_db)
    window.set_period("2026-S1")
    window.tabs.setCurrentIndex(1)
    dash = window.dashboard
    dash.refresh()
    wait_idle(qtbot, window.session)
    missing = dash.missing
    style = Desktop()
    missing.setStyle(style)
    asked = []
    dash.report_was_asked.connect(lambda code, period: asked.append((code, period)))
    item = missing.item(0)
    code = item.data(Qt.ItemDataRole.UserRole)
    assert code
    centre = missing.visualItemRect(item).center()
    qtbot.mouseClick(missing.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert asked == ([(code, "2026-S1")] if single_click else [])
    missing.setStyle(None)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_dashboard_with_no_action_at_its_level_says_so(
        lang, language, open_window, hq, make_office, qtbot, tmp_path) -> None:
    """A plan without national actions (an amendment dropped them): the office's
    dashboard, with no area and nothing to report on, said "Nothing is missing.", as if
    every report were in, where its status sheet says the plan has no action at its
    level; headquarters' said its own reports lacked nothing, on a plan without global
    actions."""
    from tests.scenes import amend_plan, send
    from tests.ui.test_dashboard_conflicts import dashboard_of

    language(lang)
    ml = make_office("ML")
    amend_plan(hq, tmp_path, drop=tuple(a.code for a in hq.plan().actions
                                        if a.level in ("national", "global")))
    send(hq, ml, tmp_path)
    assert not ml.plan().actions_of(level="national")
    paths = ml.path, hq.path
    ml.close()
    hq.close()
    for path, level in zip(paths, ("national", "global"), strict=True):
        window, dash = dashboard_of(open_window, qtbot, path)
        dash.grab().save(str(tmp_path / f"dashboard-{level}-{lang}.png"))
        said = [dash.missing.item(i).text() for i in range(dash.missing.count())]
        assert len(said) == 1 and dash.summary.areas == ()
        if lang == "en":
            head = ("The current plan has no action at this office's level "
                    f"({level.capitalize()}): there is nothing to report here.")
            assert said[0].startswith(head)
            assert ("Overview tab" in said[0]) == (level == "global")
        window.close()


def test_an_english_title_in_an_arabic_missing_line_keeps_its_ellipsis_at_its_end(
        language) -> None:
    """A plan without Arabic titles, read in Arabic: the missing list's line "PA1.1 ·
    Support national migration policies and…: لا يوجد تقرير" showed its "…" and colon
    before "PA1.1", at the English words' start. The English name is kept apart, in its
    own direction: its "…" after its last word. Arabic titles, and every title in
    English, are as they were. Found by QA."""
    import dataclasses

    from PySide6.QtGui import QGuiApplication, QTextLayout, QTextOption
    from PySide6.QtWidgets import QApplication

    from fieldplan.plan import Text

    plan = default_plan()
    english = dataclasses.replace(plan, actions=tuple(
        dataclasses.replace(a, title=Text(a.title.en + " across every member state"))
        if a.area == "PA1" else a for a in plan.actions))

    def drawn_x(line: str, index: int) -> float:
        """Where character ``index`` of ``line`` is, the line laid out right to left."""
        layout = QTextLayout(line, QApplication.font())
        option = QTextOption()
        option.setTextDirection(Qt.LayoutDirection.RightToLeft)
        layout.setTextOption(option)
        layout.beginLayout()
        text_line = layout.createLine()
        text_line.setLineWidth(10_000)
        layout.endLayout()
        return text_line.cursorToX(index)[0]

    language("ar")
    assert QGuiApplication.isRightToLeft()
    lines = summarise(Identity("office", "SN", "r", english, ""), "2026-S1", []).missing
    cut = next(line for line in lines if "PA1.1" in line)
    assert "…" in cut
    # the "…" right of the words before it, the code on their left: read left to right
    assert drawn_x(cut, cut.index("…")) > drawn_x(cut, cut.index("Support"))
    assert drawn_x(cut, cut.index("A1.1")) < drawn_x(cut, cut.index("Support"))
    arabic = next(line for line in lines if "PA2.1" in line)
    assert arabic.startswith("PA2.1 · ") and "\u2066" not in arabic
    language("en")
    lines = summarise(Identity("office", "SN", "r", english, ""), "2026-S1", []).missing
    assert next(line for line in lines if "PA1.1" in line).startswith("PA1.1 · Support")
