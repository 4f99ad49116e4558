"""Table models, without any widget."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from fieldplan.model import ProgressReport
from ui.models import (
    COMPACT_ROLE,
    ROW_ROLE,
    SORT_ROLE,
    ConflictModel,
    InboxModel,
    KeysModel,
    OverviewModel,
    QuarantineModel,
    ReportTableModel,
    in_listing_order,
)


def report(
    office="SN",
    action="PA1.1",
    period="2026-S1",
    status="on-track",
    percent=50,
    achievements="",
    challenges="",
    next_steps="",
    state="draft",
) -> ProgressReport:
    return ProgressReport(
        office,
        action,
        period,
        status,
        percent,
        (),
        achievements,
        challenges,
        next_steps,
        state,
        "2026-03-01T10:00:00Z",
        "amina",
    )


REPORTS = [
    report("SN", "PA1.1", status="on-track", achievements="Trained 40 border officials"),
    report("SN", "PA2.1", status="at-risk", percent=None, challenges="Funding gap"),
    report("ML", "PA1.1", status="off-track", achievements="Dialogue with ministère"),
    report("ML", "PA1.2", period="2026-S2", status="completed", percent=100),
]


def test_report_model_passes_modeltester(qtmodeltester):
    model = ReportTableModel()
    model.set_reports(REPORTS)
    qtmodeltester.check(model)
    model.set_filter("official")
    qtmodeltester.check(model)


def test_report_model_shows_status_as_symbol_word_and_colour():
    model = ReportTableModel()
    model.set_reports(REPORTS)
    index = model.index(1, ReportTableModel.STATUS)
    assert model.data(index) == "▲ At risk"
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(index, ROW_ROLE) is REPORTS[1]
    assert model.data(model.index(1, ReportTableModel.PERCENT)) == ""


def test_report_model_says_the_period_in_words_and_sorts_by_its_code():
    from fieldplan import i18n

    rows = [report(period="2026-S2"), report(period="2025-S2"), report(period="2027-X")]
    model = ReportTableModel()
    model.set_reports(rows)
    column = ReportTableModel.PERIOD
    assert model.data(model.index(0, column)) == "2nd semester 2026"
    assert model.data(model.index(2, column)) == "\u200e2027-X"  # not a period: as written
    # by the code: "2025-S2" before "2026-S2", though "1st…" < "2nd…" by the words
    assert [model.data(model.index(i, column), SORT_ROLE) for i in range(3)] == [
        "2026-S2", "2025-S2", "2027-X"]
    try:
        i18n.set_language("ar")
        assert model.data(model.index(1, column)) == i18n.format_period("2025-S2", "ar")
        assert "2025-S2" not in model.data(model.index(1, column))
    finally:
        i18n.set_language("en")


def test_report_model_full_text_filter_and_narrowing():
    model = ReportTableModel()
    model.set_reports(REPORTS)
    model.set_filter("FUND")
    assert [model.row_at(i).action for i in range(model.rowCount())] == ["PA2.1"]
    model.set_filter("ministère")
    assert model.rowCount() == 1 and model.row_at(0).office == "ML"
    model.set_filter("m")
    assert model.rowCount() == 2  # "ML" office and "ministère"
    model.set_filter("mi")  # narrows from the rows shown
    assert model.rowCount() == 1
    model.set_filter("", lambda r: r.period == "2026-S2")
    assert model.rowCount() == 1 and model.row_at(0).status == "completed"
    model.set_filter("")
    assert model.rowCount() == len(REPORTS)


def test_report_model_search_finds_each_word_in_any_field():
    """An office's code and a word of its narrative, typed together, find its report:
    "SN تقدم" (SN's report on progress, typed in Arabic) found nothing, the search
    looking for the words side by side, which an office and a narrative never are.
    Found by QA."""
    reports = [*REPORTS, report("SN", "PA1.3", achievements="تقدم جيد في ورش العمل"),
               report("ML", "PA1.3", achievements="تقدم بطيء")]
    model = ReportTableModel()
    model.set_reports(reports)
    for typed, found in (("SN تقدم", [("SN", "PA1.3")]),
                         ("sn  TRAINED", [("SN", "PA1.1")]),
                         ("pa1.1 ministère", [("ML", "PA1.1")]),
                         ("border officials", [("SN", "PA1.1")]),
                         ("SN nothing", [])):
        model.set_filter(typed)
        assert [(model.row_at(i).office, model.row_at(i).action)
                for i in range(model.rowCount())] == found, typed
    model.set_filter("SN")
    model.set_filter("SN ت")  # a word more narrows from the rows shown
    assert [model.row_at(i).action for i in range(model.rowCount())] == ["PA1.3"]


def test_report_model_search_ignores_accents_and_arabic_vowel_marks():
    """"ministere" found nothing of "ministère" (54 reports found with the accent,
    none without); a search without Arabic's vowel marks finds vowelled text, and a
    vowelled search the plain one."""
    reports = [*REPORTS,
               report("EG", "PA1.1", achievements="عُقِدَ حِوارٌ مع الوزارة"),
               report("JO", "PA1.1", achievements="الـهجرة النظامية")]
    model = ReportTableModel()
    model.set_reports(reports)
    for typed, office in (("ministere", "ML"), ("MINISTÈRE", "ML"), ("Ministére", "ML"),
                          ("حوار", "EG"), ("عقد", "EG"), ("الهِجْرة", "JO")):
        model.set_filter(typed)
        assert [model.row_at(i).office for i in range(model.rowCount())] == [office], typed
    model.set_filter("ministe")
    model.set_filter("ministè")  # one more letter, with its accent: narrows as before
    assert model.rowCount() == 1


def test_report_model_sorts_by_sort_key():
    model = ReportTableModel()
    model.set_reports(REPORTS)
    model.sort(ReportTableModel.PERCENT, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).percent == 100
    assert model.row_at(model.rowCount() - 1).percent is None
    model.sort(ReportTableModel.STATUS)
    assert model.data(model.index(0, 3), SORT_ROLE) <= model.data(model.index(1, 3), SORT_ROLE)


def test_report_model_lists_offices_in_the_review_packs_order():
    """Reports are listed by period, then office in the review pack's order in the
    reader's language (the countries by name, not BD, BN, HQ…; a code this version
    does not know after them; headquarters last, apart, as the pack's matrix and the
    Overview list it, where it came first), then action; the Office column sorts by
    that order."""
    from fieldplan import i18n

    held = [report(office, action, period) for period in ("2025-S2", "2026-S1")
            for office in ("AE", "BD", "EG", "HQ", "O7", "TD") for action in ("PA1.2", "PA1.1")]
    orders = {"en": ["BD", "TD", "EG", "AE", "O7", "HQ"],
              "ar": ["AE", "BD", "TD", "EG", "O7", "HQ"]}
    for lang, offices in orders.items():
        listed = in_listing_order(reversed(held), lang)
        assert [(r.period, r.office, r.action) for r in listed] == [
            (p, o, a) for p in ("2025-S2", "2026-S1") for o in offices
            for a in ("PA1.1", "PA1.2")]
        try:
            i18n.set_language(lang)
            model = ReportTableModel()
            model.set_reports(held)
            model.sort(ReportTableModel.OFFICE)
            assert [model.row_at(r).office for r in range(0, len(held), 4)] == offices
            model.sort(ReportTableModel.OFFICE, Qt.SortOrder.DescendingOrder)
            assert [model.row_at(r).office for r in range(0, len(held), 4)] == offices[::-1]
        finally:
            i18n.set_language("en")


AREAS = [("PA1", "Governance"), ("PA2", "Mobility")]
AREA_OF = {"PA1.1": "PA1", "PA1.2": "PA1", "PA2.1": "PA2"}


def overview(reports=REPORTS, area_of=AREA_OF, expected=None) -> OverviewModel:
    """ML and SN on PA1 and PA2 (``expected``: the actions each should report on)."""
    model = OverviewModel()
    model.set_data(["ML", "SN"], AREAS, reports, area_of, expected)
    return model


def test_overview_model(qtmodeltester):
    model = overview()
    qtmodeltester.check(model)
    assert model.columnCount() == 3 and model.rowCount() == 2
    # ML's PA1: off-track and completed -> the one that needs attention, with counts
    assert model.data(model.index(0, 1)).startswith("▼ Off track (1/2) ✎2")
    assert model.data(model.index(1, 2)).startswith("▲ At risk (1/1) ✎1")
    assert "no report" in model.data(model.index(0, 2))
    assert model.data(model.index(0, 1), Qt.ItemDataRole.BackgroundRole) is not None
    assert (
        model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == "Governance"
    )


def test_inbox_events_agree_with_the_new_count() -> None:
    from fieldplan import i18n

    inbox = InboxModel()
    rows = [SimpleNamespace(file=f"{n}.fieldplan", office="SN", received_at="2026-03-01T10:00:00Z",
                            outcome="merged", reason="", events=61, events_new=n, bundle_id=str(n))
            for n in (1, 5, 0)]
    inbox.set_rows(rows)
    # none new: in words, not "0 new of 61" (Arabic "0 جديد من أصل 61")
    assert inbox.display(rows[2], InboxModel.EVENTS) == "none new of 61"
    try:
        i18n.set_language("fr")
        assert inbox.display(rows[0], InboxModel.EVENTS) == "1 nouveau sur 61"
        assert inbox.display(rows[1], InboxModel.EVENTS) == "5 nouveaux sur 61"
    finally:
        i18n.set_language("en")


def test_inbox_outcome_says_a_repaired_refusal_apart() -> None:
    """A bundle refused as a forked history and repaired since (``repaired_in``) is
    told apart in the Outcome column, and sorts beside the other refusals."""
    from fieldplan.sync import InboxEntry

    def entry(outcome: str, repaired_in: str = "") -> InboxEntry:
        return InboxEntry(file=f"{outcome}{repaired_in}.fieldplan", office="ML",
                          received_at="2026-03-01T10:00:00Z", outcome=outcome, reason="r",
                          events=1, events_new=0, bundle_id="b", repaired_in=repaired_in)

    rows = [entry("merged"), entry("rejected", "ML-2.fieldplan"), entry("rejected"),
            entry("duplicate")]
    inbox = InboxModel()
    inbox.set_rows(rows)
    shown = [inbox.data(inbox.index(r, InboxModel.OUTCOME)) for r in range(4)]
    assert shown == ["Merged", "Rejected, repaired since", "Rejected", "Already here"]
    keys = sorted(inbox.data(inbox.index(r, InboxModel.OUTCOME), SORT_ROLE) for r in range(4))
    assert keys == ["Already here", "Merged", "Rejected", "Rejected, repaired since"]


def test_inbox_quarantine_conflict_models(qtmodeltester):
    from fieldplan.sync import InboxEntry

    inbox = InboxModel()
    inbox.set_rows(
        [
            InboxEntry(
                file="SN.fieldplan",
                office="SN",
                received_at="2026-03-01T10:00:00Z",
                outcome="rejected",
                reason="bad signature",
                events=3,
                events_new=0,
                bundle_id="b1",
            )
        ]
    )
    qtmodeltester.check(inbox)
    assert inbox.data(inbox.index(0, InboxModel.OUTCOME)) == "Rejected"
    assert inbox.data(inbox.index(0, InboxModel.REASON)) == "bad signature"

    quarantine = QuarantineModel()
    quarantine.set_rows(
        [
            SimpleNamespace(
                bundle_id="b",
                office="ML",
                sender="r",
                key_id="k",
                fingerprint="ABCD 1234",
                file="ML.fieldplan",
                received_at="2026-03-01T10:00:00Z",
                events=5,
            )
        ]
    )
    qtmodeltester.check(quarantine)
    assert quarantine.data(quarantine.index(0, QuarantineModel.FINGERPRINT)) == "ABCD 1234"
    # named as the Inbox names offices, not by a bare code
    assert quarantine.data(quarantine.index(0, QuarantineModel.OFFICE)) == "ML · Mali"

    keys = KeysModel()
    keys.set_rows(
        [
            SimpleNamespace(key_id="K1", office="ML", replica="0123456789abcdef", status="revoked",
                            renews="", fingerprint="ABCD 1234"),
            SimpleNamespace(key_id="K2", office="ML", replica="fedcba9876543210", status="active",
                            renews="0123456789abcdef", fingerprint="EF01 2345"),
        ]
    )
    qtmodeltester.check(keys)
    assert keys.data(keys.index(0, KeysModel.STATUS)) == "Revoked"
    assert keys.data(keys.index(1, KeysModel.REPLICA)) == "fedcba98 (continues 01234567)"

    conflicts = ConflictModel()
    conflicts.set_rows(
        [
            SimpleNamespace(
                id="c1",
                office="SN",
                action="PA1.1",
                period="2026-S1",
                field="achievements",
                candidates=(1, 2),
            )
        ]
    )
    qtmodeltester.check(conflicts)
    assert conflicts.data(conflicts.index(0, ConflictModel.FIELD)) == "Achievements"


def test_conflict_columns_are_fitted_to_each_text_once(qtbot) -> None:
    """The table's columns were fitted by writing out every row's office, action,
    period and field: 20,000 conflicts at headquarters held the window at each load.
    Each text once; the widths those of every row's texts. (Office, action and period
    are read from one conflict of each record: a report's several fields in conflict
    share them.)"""
    from fieldplan.sync.conflicts import Conflict
    from ui.hq_desk import _table
    from ui.table_fit import column_texts

    rows = [Conflict(f"c{i}", "progress", f"{office}|PA{i % 4 + 1}.{i % 3 + 1}|"
                              f"202{5 + i % 3}-S{i % 2 + 1}", field,
                     (SimpleNamespace(value="v", full_id="r:1"),))
            for i, (office, field) in enumerate(
                (o, f) for o in ("ML", "SN", "BF") for f in ("status", "achievements",
                                                             "value.trained") * 40)]
    # the plan's own records' conflicts (headquarters'), one of an id like a report's
    rows += [Conflict("p1", "plan", "PA1", "title", ()),
             Conflict("p2", "action", "ML|PA1.1|2026-S1", "title", ())]
    conflicts = ConflictModel()
    conflicts.indicator_titles = {"trained": "People trained on the new procedures"}
    short = (ConflictModel.OFFICE, ConflictModel.ACTION, ConflictModel.PERIOD,
             ConflictModel.FIELD)
    every_row = {column: {conflicts.display(c, column) for c in rows} for column in short}
    written = []
    display = conflicts.display
    conflicts.display = lambda c, column: written.append(column) or display(c, column)
    view = _table(conflicts, "Conflicts")
    qtbot.addWidget(view)
    conflicts.set_rows(rows)
    for column in short:
        assert set(column_texts(conflicts, column)) == every_row[column]
        assert written.count(column) <= 2 * len(every_row[column]) + 2


# --- what the plan hides ---------------------------------------------------------------


#: Mali's reports: one the plan shows (PA1.2), and ones it hides: on a regional action
#: (PA1.4), on an action it does not have (PA9.9), for a period outside its dates
HIDDEN_TOO = [report("ML", "PA1.2"), report("ML", "PA1.4"), report("ML", "PA9.9"),
              report("ML", "PA1.3", "2030-S1")]


def test_dashboard_counts_only_what_the_plan_shows() -> None:
    from fieldplan.plan import default_plan
    from ui.context import Identity
    from ui.dashboard import summarise

    identity = Identity("office", "ML", "r", default_plan(), "")
    summary = summarise(identity, "2026-S1", HIDDEN_TOO)
    assert summary.reports == 1 and sum(n for _s, n in summary.counts) == 1


def test_hq_overview_counts_only_what_the_plan_shows(open_window, hq_db, qtbot) -> None:
    from tests.ui.conftest import wait_idle

    window = open_window(hq_db)
    page = window.hq_desk.overview
    wait_idle(qtbot, window.session)
    page._loaded((HIDDEN_TOO, [], page.period))
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.office_at(r) == "ML")
    column = next(c for c in range(1, model.columnCount()) if model.area_at(c) == "PA1")
    assert model.cell(row, column).actions == ["PA1.2"]


def _why(reports) -> list[tuple[str, ...]]:
    from fieldplan.plan import default_plan
    from fieldplan.planops import PlanScope

    scope = PlanScope(default_plan())
    return [scope.why_hidden(r.office, r.action, r.period) for r in reports]


def test_report_model_greys_what_the_plan_hides_and_says_why(qtmodeltester) -> None:
    model = ReportTableModel()
    model.set_reports(HIDDEN_TOO, _why(HIDDEN_TOO))
    qtmodeltester.check(model)
    assert model.hidden_shown() == 3
    foreground, tooltip = Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.ToolTipRole
    action = ReportTableModel.ACTION
    shown = model.index(0, action)
    assert model.data(shown, foreground) is None and model.data(shown, tooltip) == "PA1.2"
    assert model.data(shown, Qt.ItemDataRole.AccessibleDescriptionRole) is None
    assert model.hidden_text(0) == ""
    reasons = {
        "PA1.4": "Hidden by the plan: the action is no longer at this office's level.",
        "PA9.9": "Hidden by the plan: the plan no longer has this action.",
        "PA1.3": "Hidden by the plan: this period is outside the plan's dates.",
    }
    for row in range(1, 4):
        code = model.row_at(row).action
        for column in range(model.columnCount()):
            assert model.data(model.index(row, column), foreground) is not None
        index = model.index(row, action)
        assert model.data(index, tooltip) == f"{code}\n{reasons[code]}"
        assert model.data(index, Qt.ItemDataRole.AccessibleDescriptionRole) == reasons[code]
        assert model.hidden_text(row) == reasons[code]
    # greyed, yet readable: darker than mid-grey on the light table
    grey = model.data(model.index(1, action), foreground).color()
    assert grey.lightness() < 128 and grey != QColor("#000000")
    # the status cell keeps its colour, with dark grey text on it
    status = model.index(1, ReportTableModel.STATUS)
    assert model.data(status, Qt.ItemDataRole.BackgroundRole) is not None
    assert model.data(status, foreground).color() == QColor("#555555")
    # the reasons follow their rows through sorting and filtering
    model.sort(ReportTableModel.ACTION, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(r).action for r in range(4)] == ["PA9.9", "PA1.4", "PA1.3", "PA1.2"]
    assert [bool(model.why_hidden(r)) for r in range(4)] == [True, True, True, False]
    assert model.hidden_text(0) == reasons["PA9.9"]
    model.set_filter("", lambda r: r.period == "2026-S1")
    assert model.rowCount() == 3 and model.hidden_shown() == 2
    model.set_filter("pa1.2")
    assert model.rowCount() == 1 and model.hidden_shown() == 0
    qtmodeltester.check(model)


def test_a_hidden_report_says_so_in_words_not_only_in_grey(qtmodeltester) -> None:
    """Grey alone is lost without colours, on a dim screen and to a screen reader: the
    State cell says it; the tooltip still says why."""
    model = ReportTableModel()
    model.set_reports(HIDDEN_TOO, _why(HIDDEN_TOO))
    qtmodeltester.check(model)
    state = ReportTableModel.STATE
    texts = [model.data(model.index(row, state)) for row in range(4)]
    assert texts[0] == "Draft"
    assert texts[1:] == ["Draft · hidden by the plan"] * 3
    tip = model.data(model.index(1, state), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Draft\nHidden by the plan: ")
    # sorted by state, the hidden ones are among their own state's rows
    assert model.sort_key(model.row_at(1), state) == "Draft"


def test_every_reason_at_once_is_said_in_one_sentence() -> None:
    from fieldplan.planops import why_hidden_text
    from ui.models import hidden_sentence

    assert hidden_sentence(("action", "period")) == (
        "Hidden by the plan: the plan no longer has this action; this period is outside "
        "the plan's dates.")
    assert hidden_sentence(()) == "" and why_hidden_text(()) == ""


def test_report_model_without_reasons_marks_nothing() -> None:
    model = ReportTableModel()
    model.set_reports(HIDDEN_TOO)
    assert model.hidden_shown() == 0
    assert model.data(model.index(1, 1), Qt.ItemDataRole.ForegroundRole) is None


def test_hq_reports_page_marks_what_a_new_plan_hides(open_window, hq_db, qtbot) -> None:
    """HQ's Reports page lists every report held: those a plan amendment hides are
    greyed, counted, and the pane under the table says why (the review pack leaves
    them out), as soon as the new plan is in."""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan
    from fieldplan.replica import Changes, open_replica
    from tests.ui.conftest import wait_idle
    from ui.hq_desk import select_row
    from ui.qtcompat import emit

    window = open_window(hq_db)
    page = window.hq_desk.reports
    window.show_page(page)
    page.scope.setCurrentIndex(page.scope.findData(""))  # all periods
    wait_idle(qtbot, window.session)
    model = page.model
    qtbot.waitUntil(lambda: model.total() == 2, timeout=5000)
    assert page.count.text() == "2 of 2" and model.hidden_shown() == 0
    # an amendment drops PA3.6 (written by another fieldplan: the CLI)
    with open_replica(hq_db) as rep:
        plan = rep.plan()
        path = hq_db.parent / "v2.json"
        dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=tuple(
            a for a in plan.actions if a.code != "PA3.6")), path)
        replace_plan(rep, path, allow_hiding=True)
    emit(window.session.changes_did_happen, Changes(entities=(("plan", plan.id),)))
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: model.hidden_shown() == 1, timeout=5000)
    assert page.count.text() == "2 of 2, 1 hidden by the plan"
    row = next(r for r in range(model.rowCount()) if model.row_at(r).action == "PA3.6")
    select_row(page.view, row)
    note = page.hidden_note
    assert note.isVisibleTo(page)
    assert note.text().startswith("Hidden by the plan: the plan no longer has this action.")
    assert "review pack" in note.text() and page.detail.accessibleDescription() == note.text()
    assert model.data(model.index(row, 0), Qt.ItemDataRole.ForegroundRole) is not None
    select_row(page.view, 1 - row)  # PA1.6: shown
    assert not note.isVisibleTo(page) and page.detail.accessibleDescription() == ""
    assert "Joint statement drafted" in page.detail.toPlainText()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_hq_reports_page_counts_a_thousand_reports_and_more(open_window, hq_db, qtbot,
                                                             qapp, lang) -> None:
    """Headquarters of 57 offices holds thousands of reports: the Reports page's count
    formatted its numbers twice, and "1,896" ("1 896" in French) read again as a
    number was refused (InvalidOperation): the count was never shown, the error in
    its place."""
    from tests.ui.conftest import wait_idle
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window = open_window(hq_db)
        page = window.hq_desk.reports
        window.show_page(page)
        wait_idle(qtbot, window.session)
        page.model.total = lambda: 1_896
        page._show_count()
        shown = page.model.rowCount()
        assert page.count.text() == (f"{shown} of 1,896" if lang == "en"
                                     else f"{shown} sur 1\u202f896")
    finally:
        apply_language(qapp, "en")


def test_hq_overview_shows_an_enrolled_office_that_sent_nothing(open_window, hq_db, qtbot,
                                                                tmp_path) -> None:
    """An office enrolled whose bundle never came (or was refused) is a row of "no
    report": the grid listed only offices with a report in the period."""
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office
    from tests.ui.conftest import wait_idle

    with open_replica(hq_db) as rep:
        enroll_office(rep, "AZ", tmp_path / "AZ-setup.fieldplan")
    window = open_window(hq_db)
    page = window.hq_desk.overview
    window.show_page(page)
    wait_idle(qtbot, window.session)
    model = page.model
    offices = [model.office_at(r) for r in range(model.rowCount())]
    assert "AZ" in offices
    row = offices.index("AZ")
    assert all(model.cell(row, c) is None for c in range(1, model.columnCount()))
    assert model.data(model.index(row, 1)).endswith("no report")
    # headquarters reports on the plan's global actions: a row of its own, as in the
    # review pack, before it has reported anything
    assert "HQ" in offices
    assert model.data(model.index(offices.index("HQ"), 1)).endswith("no report")


def test_overview_cells_say_how_many_of_the_areas_actions_reported(qtmodeltester):
    """An office that reported one action of five read "On track (1/1)", as if it had
    reported on everything: the cell says "1/5", of the reports submitted (as the
    review pack counts them), and "✎2" for its drafts. The status shown, and sorting by
    it, are as they were."""
    reports = [report("SN", "PA1.1", status="on-track", state="submitted"),
               report("SN", "PA2.1", status="at-risk", percent=None, state="submitted"),
               report("ML", "PA1.1", status="off-track", state="submitted"),
               report("ML", "PA1.2", status="completed", percent=100),
               report("ML", "PA1.3", status="at-risk", percent=None)]
    model = overview(reports, {**AREA_OF, "PA1.3": "PA1"},
                     {("ML", "PA1"): 5, ("SN", "PA1"): 1, ("SN", "PA2"): 1200})
    qtmodeltester.check(model)
    text = model.data
    # ML's PA1: off track, at risk and completed: the one that needs attention
    assert text(model.index(0, 1)) == "▼ Off track · 1/5 ✎2 · 75%"
    assert text(model.index(1, 1)) == "● On track · 1/1 · 50%"
    assert text(model.index(1, 2)) == "▲ At risk · 1/1,200"  # no percent
    assert text(model.index(0, 2)) == "— no report"
    # an expectation not known: how many reports have the status shown, as before
    model.set_data(["ML"], [("PA1", "Governance")], reports,
                   {"PA1.1": "PA1", "PA1.2": "PA1", "PA1.3": "PA1"})
    assert text(model.index(0, 1)) == "▼ Off track (1/3) ✎2 · 75%"
    model.set_data(
        ["ML", "SN"], [("PA1", "Governance")], reports,
        {"PA1.1": "PA1", "PA1.2": "PA1", "PA1.3": "PA1"}, {("ML", "PA1"): 5, ("SN", "PA1"): 5},
    )
    # still sorted by the status that needs attention, not by the text
    from ui.models import ATTENTION_ORDER

    assert [model.data(model.index(r, 1), SORT_ROLE) for r in (0, 1)] == [
        ATTENTION_ORDER.index("off-track"), ATTENTION_ORDER.index("on-track")]


def test_overview_counts_drafts_apart_as_the_review_pack_does(qtmodeltester):
    """Two drafts of three actions read "2 of 3 reported" while the review pack said
    the office had not reported: a draft is not reported. The cell says 0 of 3, and 2
    drafts; the tooltip and what a screen reader reads say it in words, with the
    mean."""
    reports = [report("ML", "PA1.1", status="at-risk", percent=20),
               report("ML", "PA1.2", status="on-track", percent=31),
               report("SN", "PA1.1", status="on-track", percent=60, state="submitted"),
               report("SN", "PA1.2", status="on-track", percent=80)]
    model = overview(reports, expected={("ML", "PA1"): 3, ("SN", "PA1"): 3,
                                        ("ML", "PA2"): 3, ("SN", "PA2"): 3})
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1)) == "▲ At risk · 0/3 ✎2 · 26%"
    assert model.data(model.index(1, 1)) == "● On track · 1/3 ✎1 · 70%"
    ml = model.cell(0, 1)
    assert (ml.submitted, ml.drafts, ml.mean) == (0, 2, 26)
    tip = model.data(model.index(0, 1), Qt.ItemDataRole.ToolTipRole)
    assert tip.split("\n") == ["0 of 3 actions of this area have a submitted report",
                               "2 drafts not yet submitted", "● On track: 1", "▲ At risk: 1",
                               "Mean progress: 26%"]
    spoken = model.data(model.index(0, 1), Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith(
        "0 of 3 actions of this area have a submitted report; 2 drafts not yet submitted;")
    assert "✎" not in spoken
    assert model.data(model.index(0, 2), Qt.ItemDataRole.AccessibleTextRole) == (
        "no report; 0 of 3 actions of this area have a submitted report")


def test_overview_mean_leaves_out_cancelled_actions_as_the_review_pack_does():
    """A cancelled action's 0% is no progress to make: the pack's matrix and the
    dashboard leave it out of the mean, and so does the grid."""
    reports = [report("ML", "PA1.1", status="cancelled", percent=0, state="submitted"),
               report("ML", "PA1.2", status="on-track", percent=60, state="submitted")]
    model = overview(reports, expected={("ML", "PA1"): 2})
    assert model.data(model.index(0, 1)).endswith("· 2/2 · 60%")
    only_cancelled = overview(reports[:1], expected={("ML", "PA1"): 2})
    assert only_cancelled.data(only_cancelled.index(0, 1)) == "✕ Cancelled · 1/2"


def test_overview_tooltips_say_how_many_of_the_areas_actions_reported(qtmodeltester):
    """A cell's "(1/1)" counts the reports held, and read as if the office had reported
    on everything: its tooltip says how many of the area's actions at the office's
    level have a submitted report, a cell of no report too."""
    reports = [report("ML", "PA1.1", status="off-track", state="submitted"),
               report("ML", "PA1.2", status="completed", percent=100, state="submitted"),
               *REPORTS[:2]]
    model = overview(reports, expected={("ML", "PA1"): 5, ("ML", "PA2"): 3, ("SN", "PA1"): 5,
                                        ("SN", "PA2"): 3})
    qtmodeltester.check(model)
    tip = Qt.ItemDataRole.ToolTipRole
    assert model.data(model.index(0, 1), tip).startswith(
        "2 of 5 actions of this area have a submitted report\n")
    assert model.data(model.index(0, 2), tip) == (
        "0 of 3 actions of this area have a submitted report")
    assert model.data(model.index(1, 2), tip).startswith(
        "0 of 3 actions of this area have a submitted report\n1 draft not yet submitted")
    # the mean too: the cell may be too narrow for it
    assert model.data(model.index(0, 1), tip).endswith("\nMean progress: 75%")


def test_the_office_a_refused_bundle_claims_is_shown_escaped_and_short(qtbot) -> None:
    """A hostile manifest's office (escape sequences, thousands of characters) neither
    widens the Office column nor carries control characters into it."""
    import dataclasses

    from fieldplan.sync import InboxEntry
    from fieldplan.sync.exchange import ImportOutcome
    from ui.transfer import ImportResultDialog

    claimed = "\x1b]0;OWNED\x07" + "x" * 5000
    inbox = InboxModel()
    row = InboxEntry(file="odd.fieldplan", office=claimed, received_at="2026-03-01T10:00:00Z",
                     outcome="rejected", reason="unknown office", events=0, events_new=0,
                     bundle_id="b")
    inbox.set_rows([row])
    assert inbox.display(row, InboxModel.OFFICE) == "\\x1b]0;OWNED…"
    dialog = ImportResultDialog(None, [ImportOutcome("odd.fieldplan", "rejected",
                                                     "unknown office", office=claimed)])
    qtbot.addWidget(dialog)
    cell = dialog.table.item(0, 1)
    assert cell.text() == "\\x1b]0;OWNED…"
    assert cell.toolTip().startswith("\\x1b]0;OWNED\\x07xxx") and len(cell.toolTip()) == 80
    # an office code: as the client names offices
    code = dataclasses.replace(row, office="RO-Pretoria")
    assert inbox.display(code, InboxModel.OFFICE).startswith("RO-Pretoria · ")


def test_report_model_contains_a_narratives_bidi_controls():
    # an unclosed RLO (U+202E) reversed the rest of the Achievements cell
    rows = [report(achievements="before\u202ereversed after\nnext\u2028line"),
            report(achievements="keep \u2068\u0645\u0627\u0644\u064a\u2069 whole")]
    model = ReportTableModel()
    model.set_reports(rows)
    column = ReportTableModel.ACHIEVEMENTS
    assert model.data(model.index(0, column)) == "beforereversed after next line"
    assert model.data(model.index(1, column)) == "keep \u2068\u0645\u0627\u0644\u064a\u2069 whole"
    assert "\u202e" not in model.data(model.index(0, column), Qt.ItemDataRole.ToolTipRole)


def test_an_overview_cell_shows_the_status_of_the_reports_that_have_started(qtmodeltester):
    """Three actions on track at 80% and one not started read "○ Not started · 60%",
    grey, as if the office had not begun: the cell shows the status most needing
    attention among the reports that have started, in its colour, and "○1" beside it
    for the one that has not; the tooltip counts each. "Not started" stays for an area
    where nothing has started, and at risk still comes first."""
    from ui.models import STATUS_COLOURS

    reports = [report("ML", f"PA1.{n}", status="on-track", percent=80, state="submitted")
               for n in (1, 2, 3)]
    reports += [report("ML", "PA1.4", status="not-started", percent=0, state="submitted"),
                report("SN", "PA1.1", status="not-started", percent=None),
                report("SN", "PA1.2", status="not-started", percent=None),
                report("ML", "PA2.1", status="at-risk", percent=40, state="submitted"),
                report("ML", "PA2.2", status="not-started", percent=0, state="submitted")]
    area_of = {**{f"PA1.{n}": "PA1" for n in range(1, 5)}, "PA2.1": "PA2", "PA2.2": "PA2"}
    model = overview(reports, area_of, {("ML", "PA1"): 5, ("SN", "PA1"): 5,
                                        ("ML", "PA2"): 2, ("SN", "PA2"): 2})
    qtmodeltester.check(model)
    ml_pa1 = model.index(0, 1)
    assert model.data(ml_pa1) == "● On track · 4/5 ○1 · 60%"
    assert model.data(ml_pa1, Qt.ItemDataRole.BackgroundRole).color() == QColor(
        STATUS_COLOURS["on-track"])
    assert model.data(ml_pa1, Qt.ItemDataRole.ToolTipRole).split("\n") == [
        "4 of 5 actions of this area have a submitted report", "○ Not started: 1",
        "● On track: 3", "Mean progress: 60%"]
    assert model.data(ml_pa1, COMPACT_ROLE) == "● · 4/5 ○1 · 60%"
    assert model.data(model.index(0, 2)) == "▲ At risk · 2/2 ○1 · 20%"
    # nothing started: "Not started", and no "○2" beside it
    assert model.data(model.index(1, 1)) == "○ Not started · 0/5 ✎2"
    assert model.data(model.index(1, 1), Qt.ItemDataRole.BackgroundRole).color() == QColor(
        STATUS_COLOURS["not-started"])


def test_a_tiny_value_shows_its_digits_not_zero() -> None:
    """The client shows an indicator's value with the sheets' formatter: 0.000001 is
    not "0" there either (a conflict's candidates, a hidden report's values)."""
    from fieldplan import i18n
    from ui.models import value_text

    try:
        for lang, shown in (("en", "0.000001"), ("fr", "0,000001"), ("ar", "0.000001")):
            i18n.set_language(lang)
            assert value_text("value.officials-trained", 0.000001) == shown
    finally:
        i18n.set_language("en")



def test_overview_cells_are_worked_out_once_not_at_each_paint(monkeypatch):
    """Headquarters' Overview of 57 offices took 75 ms a paint (three times that for
    a resize of the window) on the GUI thread: each paint asked every cell for its
    text, compact text, colour and sort key, and each time babel formatted its numbers
    and its mean was taken again. They are worked out once for each set of data; new
    data shows new texts."""
    from dataclasses import replace

    import ui.models as models
    from fieldplan.offices import all_offices

    offices = [o for o in all_offices() if len(o) == 2][:57]
    reports = [report(o, action, status=status, percent=40, state="draft")
               for o in offices for action, status in (("PA1.1", "at-risk"),
                                                       ("PA2.1", "on-track"))]
    model = OverviewModel()
    model.set_data(offices, AREAS, reports, AREA_OF)
    formatted = []
    real = models.format_number
    monkeypatch.setattr(models, "format_number",
                        lambda *a, **k: formatted.append(a) or real(*a, **k))
    roles = (Qt.ItemDataRole.DisplayRole, COMPACT_ROLE, Qt.ItemDataRole.BackgroundRole,
             Qt.ItemDataRole.ForegroundRole, SORT_ROLE)

    def paint() -> list:
        return [model.data(model.index(row, column), role)
                for row in range(model.rowCount()) for column in (1, 2) for role in roles]

    first = paint()
    assert formatted  # (the first paint works them out)
    formatted.clear()
    assert paint() == first
    assert formatted == []
    assert model.data(model.index(0, 1)).startswith("▲ At risk (1/1) ✎1")
    model.set_data(offices, AREAS, [replace(r, status="off-track") for r in reports], AREA_OF)
    assert model.data(model.index(0, 1)).startswith("▼ Off track (1/1) ✎1")
    assert model.data(model.index(0, 1), COMPACT_ROLE).startswith("▼ (1/1) ✎1")
    assert model.data(model.index(0, 1), SORT_ROLE) == models.ATTENTION_ORDER.index("off-track")


@pytest.mark.parametrize(("lang", "named"), [("en", "KM · Comoros"), ("fr", "KM · Comores"),
                                            ("ar", "KM · جزر القمر")])
def test_the_conflicts_office_column_names_the_office(lang, named) -> None:
    """Headquarters' Conflicts table said "KM", "GW" alone where every other page, and
    the sentence under the table, names the office ("KM · Comoros"): among 57 offices'
    conflicts the person had to guess the country. Named in the language shown, and
    the column fitted to the names."""
    from fieldplan import i18n
    from fieldplan.sync.conflicts import Conflict
    from ui.table_fit import column_texts

    try:
        i18n.set_language(lang)
        conflicts = ConflictModel()
        conflicts.set_rows([Conflict(f"c{n}", "progress", "KM|PA1.1|2026-S1", field, ())
                            for n, field in enumerate(("status", "percent"))])
        assert [conflicts.data(conflicts.index(r, ConflictModel.OFFICE)) for r in (0, 1)] \
            == [named, named]
        assert list(column_texts(conflicts, ConflictModel.OFFICE)) == [named]
    finally:
        i18n.set_language("en")


def test_inbox_office_width_names_each_office_once(monkeypatch) -> None:
    """The Office column's width (ui.table_fit, on the GUI thread) looked up the office's
    name in the reader's language for each of the inbox's thousand rows, most of the
    table's load as the Inbox opened at a large headquarters: a row of each office (and
    each setup bundle's refusal) is written out, and the widest is among them."""
    from fieldplan.sync import InboxEntry
    from ui import models

    def entry(n: int, office: str, outcome: str = "merged", reason: str = "") -> InboxEntry:
        return InboxEntry(file=f"{office}-{n}.fieldplan", office=office,
                          received_at=f"2026-03-01T10:{n % 60:02d}:00Z", outcome=outcome,
                          reason=reason, events=9, events_new=n % 9, bundle_id=f"{office}{n}")

    rows = [entry(n, office) for n in range(300) for office in ("ML", "SN", "HQ")]
    rows.append(entry(1, "ZZZ", "rejected", "not a fieldplan bundle"))
    inbox = InboxModel()
    inbox.set_rows(rows)
    every = {inbox.display(r, InboxModel.OFFICE) for r in rows}
    looked: list[str] = []
    real = models.shown_office
    monkeypatch.setattr(models, "shown_office", lambda office, *a: (looked.append(office),
                                                                     real(office, *a))[1])
    texts = list(inbox.width_texts(InboxModel.OFFICE))
    assert set(texts) == every
    assert sorted(looked) == ["HQ", "ML", "SN", "ZZZ"]


def test_inbox_events_of_a_bundle_nothing_was_merged_of() -> None:
    """A bundle refused or held in quarantine said "none new of 62", as if its events
    were here already, and a bundle cut short (never read) "0 new of 0"; found by QA
    (an HQ import of 57 bundles and a few bad ones)."""
    inbox = InboxModel()
    rows = [SimpleNamespace(file=f"{name}.fieldplan", office=office,
                            received_at="2026-03-01T10:00:00Z", outcome=outcome,
                            reason=reason, reason_msg="", events=events, events_new=0,
                            bundle_id=name)
            for name, office, outcome, reason, events in (
                ("cut", "", "rejected", "the bundle is cut short", 0),
                ("waiting", "IQ", "quarantined", "unknown key", 62),
                ("refused", "ML", "rejected", "signature does not match", 12),
                ("again", "SN", "merged", "", 61))]
    inbox.set_rows(rows)
    said = [inbox.display(r, InboxModel.EVENTS) for r in rows]
    assert said == ["—", "none merged of 62", "none merged of 12", "none new of 61"]
    # the column is wide enough for them
    widths = list(inbox.width_texts(InboxModel.EVENTS))
    assert "none merged of 62" in widths


def test_sorting_the_reports_keeps_the_chosen_report_chosen(qtbot, qtmodeltester) -> None:
    """A report chosen (its narrative read under the table), then the table sorted by
    another column: the highlighted row stayed at its row number, another report, while
    the narrative still showed the one chosen. Found by QA."""
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QTableView

    model = ReportTableModel()
    model.set_reports(REPORTS)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
             | QItemSelectionModel.SelectionFlag.Rows)
    view.selectionModel().setCurrentIndex(model.index(0, ReportTableModel.ACTION), flags)
    chosen = model.data(view.currentIndex(), ROW_ROLE)
    assert (chosen.office, chosen.action) == ("SN", "PA1.1")
    view.setSortingEnabled(True)
    for column, order in ((ReportTableModel.PERCENT, Qt.SortOrder.DescendingOrder),
                          (ReportTableModel.STATUS, Qt.SortOrder.AscendingOrder),
                          (ReportTableModel.OFFICE, Qt.SortOrder.DescendingOrder)):
        view.sortByColumn(column, order)
        current = view.currentIndex()
        assert model.data(current, ROW_ROLE) is chosen
        assert current.column() == ReportTableModel.ACTION
        assert [model.data(i, ROW_ROLE) for i in view.selectionModel().selectedRows()] == [
            chosen]
    # and through a search that keeps it, then a sort
    model.set_filter("", lambda r: r.period == "2026-S1")
    view.selectionModel().setCurrentIndex(model.index(model.row_of(("ML", "PA1.1",
                                                                     "2026-S1")), 0), flags)
    view.sortByColumn(ReportTableModel.ACTION, Qt.SortOrder.DescendingOrder)
    assert (model.data(view.currentIndex(), ROW_ROLE).office,
            model.data(view.currentIndex(), ROW_ROLE).action) == ("ML", "PA1.1")
    qtmodeltester.check(model)


def test_the_overview_keeps_the_cell_chosen_when_its_figures_change(qtbot,
                                                                   qtmodeltester) -> None:
    """An Overview cell chosen (ML × PA2, read with the keyboard), then a save or an
    import read the period again: the grid was reset and the cell chosen lost (with
    the focus in it, the office's first cell chosen instead). Its figures change in
    place now, the cell still chosen, sorted where its new status puts it."""
    from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel
    from PySide6.QtWidgets import QTableView

    model = overview()
    qtmodeltester.check(model)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.selectionModel().setCurrentIndex(
        proxy.index(0, 2), QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def chosen() -> tuple[str, str]:
        source = proxy.mapToSource(view.currentIndex())
        return (model.office_at(source.row()), model.area_at(source.column()))

    assert chosen() == ("ML", "PA2")
    # ML reports on PA2 now; SN's PA1 report is completed
    again = [*REPORTS, report("ML", "PA2.1", status="at-risk")]
    again[0] = report("SN", "PA1.1", status="completed", percent=100)
    changed = []
    model.dataChanged.connect(lambda *args: changed.append(args))
    model.set_data(["ML", "SN"], AREAS, again, AREA_OF)
    assert view.currentIndex().isValid() and chosen() == ("ML", "PA2")
    assert changed  # (in place: no reset)
    assert view.currentIndex().data().startswith("▲ At risk")
    # sorted by PA1's status, the rows move: the cell chosen goes with its office
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert chosen() == ("ML", "PA2")
    qtmodeltester.check(model)
    # other offices: the grid is made again
    with qtbot.waitSignal(model.modelReset):
        model.set_data(["ML", "NE", "SN"], AREAS, again, AREA_OF)
    assert model.rowCount() == 3
    qtmodeltester.check(model)


def test_actions_sort_by_their_numbers_not_their_text() -> None:
    """A plan with ten actions or more in an area (HQ replaces the plan from a
    spreadsheet): the Reports page listed PA1.1, PA1.10, PA1.2, and sorted by the
    Action column the same, as if PA1.10 came second. Found by QA."""
    codes = ["PA1.10", "PA1.2", "PA10.1", "PA1.1", "PA2.1", "PA1.9"]
    held = [report("SN", code) for code in codes]
    listed = in_listing_order(held, "en")
    assert [r.action for r in listed] == ["PA1.1", "PA1.2", "PA1.9", "PA1.10", "PA2.1",
                                          "PA10.1"]
    model = ReportTableModel()
    model.set_reports(held)
    model.sort(ReportTableModel.ACTION)
    assert [model.row_at(r).action for r in range(6)] == [
        "PA1.1", "PA1.2", "PA1.9", "PA1.10", "PA2.1", "PA10.1"]
    model.sort(ReportTableModel.ACTION, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(r).action for r in range(6)] == [
        "PA10.1", "PA2.1", "PA1.10", "PA1.9", "PA1.2", "PA1.1"]
    # a code that is not the plan's kind still sorts, beside the others
    odd = [report("SN", code) for code in ("PA1.2", "X", "PA1.10", "")]
    assert [r.action for r in in_listing_order(odd, "en")] == ["", "PA1.2", "PA1.10", "X"]


def test_narratives_sort_as_a_reader_orders_words() -> None:
    """Sorted by Achievements, narratives went by their characters' codes: every one
    starting with a capital first, then "atelier…", then "À la suite…" and "École…"
    after "Zones…"; Arabic ones with a hamza apart from the others. Case, accents
    and Arabic marks aside now, as the offices' names are sorted. Found by QA."""
    texts = ["Zones frontalières", "école nationale", "Élaboration du plan",
             "atelier régional", "Atelier national", "", "À la suite de la visite",
             "وَرْشة عمل", "أجرى الفريق", "اجتماع", "إطلاق"]
    held = [report("SN", f"PA1.{n + 1}", achievements=t) for n, t in enumerate(texts)]
    model = ReportTableModel()
    model.set_reports(held)
    model.sort(ReportTableModel.ACHIEVEMENTS)
    assert [model.row_at(r).achievements for r in range(len(texts))] == [
        "", "À la suite de la visite", "Atelier national", "atelier régional",
        "école nationale", "Élaboration du plan", "Zones frontalières",
        "اجتماع", "أجرى الفريق", "إطلاق", "وَرْشة عمل"]
    model.sort(ReportTableModel.ACHIEVEMENTS, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).achievements == "وَرْشة عمل"
    assert model.row_at(len(texts) - 1).achievements == ""
    # the sort role says the same order (a view or a proxy sorting by it)
    keys = [model.data(model.index(r, ReportTableModel.ACHIEVEMENTS), SORT_ROLE)
            for r in range(len(texts))]
    assert keys == sorted(keys, reverse=True)


def test_the_overview_filter_follows_figures_changed_in_place() -> None:
    """The Overview's cells changed in place (not reset): its status filter lets
    through the offices their new figures put in it, and no longer the others."""
    from ui.hq_desk import OverviewFilter

    model = overview()
    proxy = OverviewFilter()
    proxy.setSourceModel(model)
    proxy.set_filters("", "", "off-track", "")

    def listed() -> list[str]:
        return [model.office_at(proxy.mapToSource(proxy.index(row, 0)).row())
                for row in range(proxy.rowCount())]

    assert listed() == ["ML"]
    again = [r for r in REPORTS if r.status != "off-track"]
    model.set_data(["ML", "SN"], AREAS, [*again, report("SN", "PA2.1", status="off-track")],
                   AREA_OF)
    assert listed() == ["SN"]
