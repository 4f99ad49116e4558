"""Right-to-left details: the reports count keeps clear of the window's edge, and
mixed-script cells are laid out, aligned and elided in their own text's direction."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QStyleOptionViewItem

from fieldplan.model import ProgressReport
from tests.ui.conftest import wait_idle
from ui.bidi import text_direction
from ui.models import ReportTableModel

LTR, RTL = Qt.LayoutDirection.LeftToRight, Qt.LayoutDirection.RightToLeft
ENGLISH = "A 4-day technical workshop was held with civil society partners. " * 4
ARABIC = "عقدت ورشة عمل فنية لمدة أربعة أيام مع شركاء المجتمع المدني. " * 4


@pytest.fixture
def arabic(qapp):
    from ui.app import apply_language

    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


def report(achievements: str) -> ProgressReport:
    return ProgressReport(
        "SN",
        "PA1.1",
        "2026-S1",
        "on-track",
        40,
        (),
        achievements,
        "",
        "",
        "draft",
        "2026-03-01T10:00:00Z",
        "x",
    )


def test_text_direction_is_the_first_strong_character():
    assert text_direction(ENGLISH) == LTR
    assert text_direction(ARABIC) == RTL
    assert text_direction("2026 — " + ARABIC) == RTL  # digits decide nothing
    assert text_direction("Réunion à Dakar") == LTR
    assert text_direction("\u200e2026-S1") == LTR  # the mark the period column uses
    assert text_direction("40 %") is None
    assert text_direction("") is None


def _option(view, row: int, column: int) -> QStyleOptionViewItem:
    """The style option the view's delegate paints a cell with."""
    index = view.model().index(row, column)
    option = QStyleOptionViewItem()
    option.initFrom(view)  # the view's direction, as when it paints
    option.textElideMode = view.textElideMode()
    view.itemDelegateForIndex(index).initStyleOption(option, index)
    return option


@pytest.mark.parametrize("layout", [RTL, LTR])
def test_table_cells_take_their_own_direction(qtbot, layout):
    from ui.hq_desk import _table

    QApplication.setLayoutDirection(layout)
    try:
        model = ReportTableModel()
        model.set_reports([report(ENGLISH), report(ARABIC), report("")])
        view = _table(model, "Reports")
        qtbot.addWidget(view)
        column = ReportTableModel.ACHIEVEMENTS
        english, arabic = _option(view, 0, column), _option(view, 1, column)
        # the start of each text stays visible, its ellipsis at the text's own end
        assert english.direction == LTR and arabic.direction == RTL
        assert english.textElideMode == arabic.textElideMode == Qt.TextElideMode.ElideRight
        assert _option(view, 2, column).direction == layout  # nothing to go by
        # codes and numbers keep the layout's direction and alignment
        for column in (ReportTableModel.OFFICE, ReportTableModel.PERCENT):
            assert _option(view, 0, column).direction == layout
    finally:
        QApplication.setLayoutDirection(LTR)


def _conflict_of(values: tuple[str, ...]):
    from fieldplan.sync.conflicts import Candidate, Conflict

    return Conflict("c1", "progress", "ML|PA1.1|2026-S2", "achievements", tuple(
        Candidate(f"v{i}", f"full{i}", v, f"author{i}", "2026-11-27T23:15:36Z", i == 0)
        for i, v in enumerate(values)))


@pytest.mark.parametrize("layout", [RTL, LTR])
def test_conflict_values_read_in_the_order_of_the_panes(qtbot, layout):
    """In Arabic, two English values read "Laptop B … | Laptop A …" left to right,
    the first on the left, while the panes below put the first on the right: the
    cell took the direction of its first letter. Each value is drawn in its own
    direction, the cell in the layout's, the first value at the layout's start."""
    from bidi import get_display

    from ui.hq_desk import _table
    from ui.models import ConflictModel

    pairs = [
        ("Laptop B: workshop postponed", "Laptop A: workshop held with ministry"),
        (ARABIC[:30], ARABIC[30:55]),
        ("Laptop B: workshop postponed", ARABIC[:30]),
    ]
    QApplication.setLayoutDirection(layout)
    try:
        model = ConflictModel()
        model.set_rows([_conflict_of(pair) for pair in pairs])
        view = _table(model, "Conflicts")
        qtbot.addWidget(view)
        base = "R" if layout == RTL else "L"
        for row, (first, second) in enumerate(pairs):
            option = _option(view, row, ConflictModel.VALUES)
            assert option.direction == layout
            drawn = _unmarked(get_display(option.text, base_dir=base))
            # each value as it is drawn alone, in its own direction
            first, second = get_display(first.strip()), get_display(second.strip())
            assert drawn == (f"{second} | {first}" if layout == RTL else f"{first} | {second}")
    finally:
        QApplication.setLayoutDirection(LTR)


def test_latin_text_is_drawn_the_same_in_both_layouts(qtbot):
    """An English cell, elided, looks exactly as it does in the English layout."""
    from ui.hq_desk import _table

    def cell_image(layout):
        QApplication.setLayoutDirection(layout)
        model = ReportTableModel()
        model.set_reports([report(ENGLISH)])
        view = _table(model, "Reports")
        qtbot.addWidget(view)
        view.horizontalHeader().setVisible(False)
        view.setShowGrid(False)
        for column in range(model.columnCount()):
            view.setColumnHidden(column, column != ReportTableModel.ACHIEVEMENTS)
        view.resize(400, 80)
        view.show()
        qtbot.waitExposed(view)
        rect = view.visualRect(model.index(0, ReportTableModel.ACHIEVEMENTS))
        return view.viewport().grab(rect).toImage()

    try:
        english = cell_image(LTR)
        arabic = cell_image(RTL)
    finally:
        QApplication.setLayoutDirection(LTR)
    assert english.size() == arabic.size()
    assert english == arabic


def test_reports_count_is_not_clipped_in_arabic(open_window, qtbot, hq_db, arabic):
    window = open_window(hq_db)
    window.resize(1366, 768)
    page = window.hq_desk.reports
    window.show_page(page)
    wait_idle(qtbot, window.session)
    count = page.count
    qtbot.waitUntil(lambda: count.isVisible() and "2" in count.text(), timeout=5000)
    QApplication.processEvents()  # let the bar lay out its new text
    left = count.mapTo(window, QPoint(0, 0)).x()
    right = left + count.width()
    assert count.width() >= count.fontMetrics().horizontalAdvance(count.text())
    # the count is at the left end of the bar in Arabic: it keeps a margin there
    assert left >= 4 and right <= window.width() - 4
    search = page.search.mapTo(window, QPoint(0, 0)).x() + page.search.width()
    assert search <= window.width() - 4


def _edges(widget, window) -> tuple[int, int]:
    """The first and last pixel columns of ``widget`` in ``window``'s coordinates."""
    left = widget.mapTo(window, QPoint(0, 0)).x()
    return left, left + widget.width() - 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_report_editor_keeps_its_margin_in_arabic(lang, qapp, open_window, qtbot, office_db):
    """In Arabic the report editor began 5 pixels left of the window, its scrollbar half
    cut off, with no margin: the splitter mirrored its widgets without its own margins.
    Both sides keep the English margin, the plan on the right."""
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window = open_window(office_db)
        window.resize(1100, 700)
        view = window.office_view
        view.select_action("PA3.2")
        editor = view.editor
        qtbot.waitUntil(lambda: "PA3.2" in editor.title.text(), timeout=5000)
        wait_idle(qtbot, window.session)
        QApplication.processEvents()
        width = window.width()
        edit_left, edit_right = _edges(editor, window)
        tree_left, tree_right = _edges(view.tree, window)
        bar = editor.verticalScrollBar()
        assert bar.isVisible()
        bar_left, bar_right = _edges(bar, window)
        if lang == "ar":  # the editor on the left, its scrollbar at its left side
            outer, inner = edit_left, width - 1 - tree_right
            assert bar_left - edit_left <= 2 and tree_left > edit_right
        else:
            outer, inner = width - 1 - edit_right, tree_left
            assert edit_right - bar_right <= 2 and edit_left > tree_right
        assert bar_left >= 0 and bar_right < width
        # the same margin as the plan's on the other side, give or take Qt's pixel
        assert outer >= 4 and abs(outer - inner) <= 1, (outer, inner)
    finally:
        apply_language(qapp, "en")


@pytest.mark.parametrize("direction", [LTR, RTL])
def test_a_splitter_keeps_its_widgets_inside_in_both_directions(direction, qtbot):
    from PySide6.QtWidgets import QLabel

    from ui.office_view import _Splitter

    QApplication.setLayoutDirection(direction)
    try:
        splitter = _Splitter()
        qtbot.addWidget(splitter)
        first, second = QLabel("a"), QLabel("b")
        splitter.addWidget(first)
        splitter.addWidget(second)
        splitter.resize(400, 100)
        splitter.show()
        splitter.setSizes([100, 300])
        QApplication.processEvents()
        inside, one, two = splitter.rect(), first.geometry(), second.geometry()
    finally:
        QApplication.setLayoutDirection(LTR)
    assert inside.contains(one) and inside.contains(two)
    assert (one.left() > two.right()) == (direction == RTL)
    # left to right, the splitter's whole width is used
    assert direction == RTL or two.right() == inside.right()


def test_labels_that_start_with_a_code_read_right_to_left_in_arabic(
    open_window, qtbot, hq_db, arabic
):
    """QLabel lays a text out by its first letter: "PA1.6 · <Arabic title>" read left
    to right, code on the left, aligned left (seen in the Arabic screenshots)."""
    from PySide6.QtWidgets import QLabel

    window = open_window(hq_db)
    window.resize(1366, 768)
    window.set_period("2026-S1")
    assert window.office_view.tree.select("PA1.6")
    editor = window.office_view.editor
    qtbot.waitUntil(
        lambda: editor.action is not None and "PA1.6" in editor.title.text(), timeout=5000
    )
    wait_idle(qtbot, window.session)
    assert text_direction(editor.title.text()) == RTL
    assert text_direction(window.office_label.text()) == RTL
    dashboard = window.dashboard
    wait_idle(qtbot, window.session)
    assert text_direction(dashboard.heading.text()) == RTL
    areas = [w for w in dashboard.areas_box.findChildren(QLabel) if w.text().startswith("\u200f")]
    assert len(areas) == len(window.identity.plan.areas)
    # the Level filter's label keeps clear of the window's edge (it is on the right)
    QApplication.processEvents()
    for label in window.office_view.tree.findChildren(QLabel):
        if not label.isVisible():  # (not laid out: the plan's note of no action)
            continue
        right = label.mapTo(window, QPoint(label.width(), 0)).x()
        assert right <= window.width() - 4, label.text()


def test_labels_are_unchanged_in_english(open_window, qtbot, hq_db):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    assert window.office_view.tree.select("PA1.6")
    editor = window.office_view.editor
    qtbot.waitUntil(
        lambda: editor.action is not None and "PA1.6" in editor.title.text(), timeout=5000
    )
    wait_idle(qtbot, window.session)
    assert editor.title.text().startswith("PA1.6 · ")
    assert window.office_label.text() == "HQ · Headquarters"
    label = window.office_view.tree.findChildren(type(editor.title))[0]
    assert label.mapTo(window, QPoint(0, 0)).x() >= 4


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_narrative_paragraphs_take_their_own_side(open_window, qtbot, hq_db, qapp, lang):
    """An Arabic paragraph sits on the right and an English one on the left, in both
    layouts (QPlainTextEdit put every paragraph on the left)."""
    from ui.app import apply_language

    apply_language(qapp, lang)
    try:
        window = open_window(hq_db)
        window.set_period("2026-S1")
        assert window.office_view.tree.select("PA1.6")
        editor = window.office_view.editor
        qtbot.waitUntil(lambda: editor.action is not None and editor._editable, timeout=5000)
        box = editor.narratives["achievements"]
        box.setPlainText("عقدت ورشة عمل.\nA workshop was held.")
        QApplication.processEvents()
        arabic = box.document().firstBlock()
        english = arabic.next()
        width = box.viewport().width()

        def left(block):
            return block.layout().lineAt(0).naturalTextRect().left()

        def right(block):
            return block.layout().lineAt(0).naturalTextRect().right()

        assert right(arabic) > width * 0.8 and left(arabic) > width * 0.5
        assert left(english) < width * 0.1
        editor.save_now()
        wait_idle(qtbot, window.session)
    finally:
        apply_language(qapp, "en")


# --- codes inside Arabic sentences -----------------------------------------------------


def _seen(text: str) -> str:
    """The characters of one right-to-left line in the order they are drawn, left to
    right (Unicode's bidi algorithm, isolates included)."""
    from bidi import get_display

    return get_display(text, base_dir="R")


def test_codes_in_arabic_reasons_keep_their_order(qtbot, arabic):
    """In the Arabic inbox "changes to the locked period 2026-S1" showed the period as
    "S1-2026", and a gap's "events 5–6" as "6–5": the bidi algorithm turns a code's
    parts around its hyphen or dash. Each code is put in a left-to-right isolate."""
    from fieldplan.i18n import ngettext
    from fieldplan.sync.exchange import Gap, ImportOutcome, InboxEntry
    from ui.bidi import isolated_codes
    from ui.models import InboxModel
    from ui.transfer import ImportResultDialog

    # as older imports kept it, with the period's code
    late = ngettext("changes to the locked period {periods}",
                    "changes to the locked periods {periods}", 1).format(periods="2026-S1")
    assert "2026-S1" in late and "S1-2026" in _seen(late)  # what was drawn before
    model = InboxModel()
    model.set_rows([InboxEntry("ML-1.fieldplan", "ML", "2026-07-02T10:00:00Z", "merged",
                               late, 3, 3, "b1")])
    shown = model.data(model.index(0, InboxModel.REASON))
    assert "2026-S1" in _seen(shown) and "S1-2026" not in _seen(shown)
    gap = Gap("0" * 32, "ML", 5, 6).message()
    assert "6–5" in _seen(gap)
    assert "5–6" in _seen(isolated_codes(gap))
    dialog = ImportResultDialog(None, [ImportOutcome(
        "ML-1.fieldplan", "merged", office="ML", events_new=1, events_total=1, gaps=(gap,),
        late_periods=("2026-S1",), reason=late)])
    qtbot.addWidget(dialog)
    text = dialog.table.item(0, 3).text()
    detail = _seen(text)
    assert "5–6" in detail
    # the late data said by its own note, the period in words (not the reason's code)
    from fieldplan.status import period_text

    plain = text.replace("\u2066", "").replace("\u2069", "")  # (its numbers isolated)
    assert period_text("2026-S1") in plain and "S1-2026" not in detail
    # a sentence that starts with a code still reads right to left
    assert text_direction(isolated_codes("manifest.json: " + ARABIC)) == RTL


def test_codes_are_left_alone_outside_arabic():
    from ui.bidi import isolated_codes

    QApplication.setLayoutDirection(LTR)
    assert isolated_codes("changes to the locked period 2026-S1") == \
        "changes to the locked period 2026-S1"
    QApplication.setLayoutDirection(RTL)
    try:
        # English text in the Arabic layout: nothing to keep apart from
        assert isolated_codes("missing bundle from ML, events 5–6") == \
            "missing bundle from ML, events 5–6"
        assert isolated_codes("45% " + ARABIC[:10]).startswith("\u206645%\u2069")
    finally:
        QApplication.setLayoutDirection(LTR)


# --- key fingerprints and ids ----------------------------------------------------------

#: A fingerprint whose first group is digits only: the bidi algorithm carried that
#: group to the other end of an Arabic cell.
DIGITS_FIRST = "4135 0B77 9C2D 11E0 A5F3 7D21 0C4B 88E6 F1A9 457C"


def _unmarked(text: str) -> str:
    return "".join(c for c in text if c not in "\u2066\u2067\u2068\u2069")


def test_fingerprints_and_ids_keep_their_order_in_arabic_tables(qtbot, arabic):
    """In the Arabic Keys and Quarantine tabs "4135 0B77 … 457C" read "0B77 … 457C
    4135": the fingerprint HQ reads aloud with the office to trust a key. Every code
    of those tables (fingerprint, key id, replica id, file name) is drawn left to
    right as it is written."""
    from types import SimpleNamespace

    from fieldplan.sync.exchange import ImportOutcome, InboxEntry
    from ui.models import InboxModel, KeysModel, QuarantineModel
    from ui.transfer import ImportResultDialog

    assert _seen(DIGITS_FIRST) != DIGITS_FIRST  # what the tables drew before
    quarantine = QuarantineModel()
    quarantine.set_rows([SimpleNamespace(
        bundle_id="b", office="ML", sender="r", key_id="0123ABCD4567EF89",
        fingerprint=DIGITS_FIRST, file="2026 ML-3f2a.fieldplan",
        received_at="2026-03-01T10:00:00Z", events=5)])
    keys = KeysModel()
    keys.set_rows([SimpleNamespace(
        key_id="0123ABCD4567EF89", office="ML", replica="fedcba9876543210",
        status="active", renews="0123456789abcdef", fingerprint=DIGITS_FIRST)])
    inbox = InboxModel()
    inbox.set_rows([InboxEntry("2026 ML-3f2a.fieldplan", "ML", "2026-07-02T10:00:00Z",
                               "merged", "", 3, 3, "b1")])
    cells = {
        (quarantine, QuarantineModel.FINGERPRINT): DIGITS_FIRST,
        (quarantine, QuarantineModel.FILE): "2026 ML-3f2a.fieldplan",
        (keys, KeysModel.FINGERPRINT): DIGITS_FIRST,
        (keys, KeysModel.KEY): "0123ABCD4567EF89",
        (inbox, InboxModel.FILE): "2026 ML-3f2a.fieldplan",
    }
    for (model, column), written in cells.items():
        shown = model.data(model.index(0, column))
        assert _unmarked(_seen(shown)) == written, (type(model).__name__, column)
    dialog = ImportResultDialog(None, [ImportOutcome(
        "2026 ML-3f2a.fieldplan", "quarantined", office="ML", reason="unknown key")])
    qtbot.addWidget(dialog)
    assert _unmarked(_seen(dialog.table.item(0, 0).text())) == "2026 ML-3f2a.fieldplan"
    # the replica's label is a sentence in Arabic, each id in it left to right
    label = keys.data(keys.index(0, KeysModel.REPLICA))
    assert text_direction(label) == RTL
    seen = _unmarked(_seen(label))
    assert seen.endswith("fedcba98") and "01234567" in seen


def test_paths_in_arabic_error_messages_keep_their_order(qtbot, arabic):
    """An error naming a file ("cannot write /media/usb/…: …") showed the path's
    leading "/" at its other end in an Arabic dialog."""
    from fieldplan import files
    from fieldplan.i18n import _
    from ui.ops import error_sentence

    path = "/media/usb/backups/SN-1a2b3c4d-1-9.fieldplan"
    error = files.FileError(_("cannot write {file}: {reason}").format(
        file=path, reason=_("that folder holds fieldplan's backups; choose another folder")))
    shown = _seen(error_sentence(error))
    assert path in shown, shown


@pytest.mark.parametrize("layout", [RTL, LTR])
def test_a_conflict_heading_reads_office_first(qtbot, layout):
    """In Arabic, "ML · PA3.1 · <period>" showed the action first (on the right): the
    two codes made one left-to-right run."""
    from bidi import get_display

    from ui.hq_desk import conflict_heading

    conflict = _conflict_of(("a", "b"))
    QApplication.setLayoutDirection(layout)
    try:
        drawn = _unmarked(get_display(conflict_heading(conflict, ARABIC[:12]),
                                      base_dir="R" if layout == RTL else "L"))
    finally:
        QApplication.setLayoutDirection(LTR)
    office, action = drawn.index("ML"), drawn.index("PA1.1")
    assert office > action if layout == RTL else office < action


def test_file_types_in_arabic_show_their_names_not_turned_around_patterns(
        open_window, qtbot, hq_db, arabic):
    """The Arabic file dialogs' type box read "ملفات الخطة (csv *.json *.toml.*)": Qt
    draws the patterns turned around. Only the names are shown there; the patterns
    still filter the files."""
    from PySide6.QtWidgets import QComboBox, QFileDialog

    from ui.plan_files import ask_replace
    from ui.transfer import choose_and_import

    window = open_window(hq_db)
    for dialog in (ask_replace(window), choose_and_import(window.session, window)):
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        assert dialog.testOption(QFileDialog.Option.HideNameFilterDetails)
        shown = dialog.findChild(QComboBox, "fileTypeCombo").currentText()
        assert "(" not in shown and shown
        assert "*." in dialog.selectedNameFilter()  # the patterns still apply
        dialog.close()
    QApplication.setLayoutDirection(LTR)
    try:
        english = ask_replace(window)
        assert not english.testOption(QFileDialog.Option.HideNameFilterDetails)
        english.close()
    finally:
        QApplication.setLayoutDirection(RTL)


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_file_dialogs_write_paths_left_to_right(lang, qapp, qtbot, tmp_path):
    """Qt's own file dialog in Arabic showed "/tmp/…/مجلد" as "مجلد/tmp/…/": its folder
    and file name fields read left to right, as an address does; the rest of the dialog
    keeps the layout's direction."""
    from PySide6.QtWidgets import QComboBox, QLineEdit

    from ui.app import apply_language
    from ui.dialogs import save_file_dialog

    folder = tmp_path / "مجلد التقارير"
    folder.mkdir()
    apply_language(qapp, lang)
    try:
        dialog = save_file_dialog(None, "x", str(folder), "save-test", "PDF (*.pdf)", "pdf",
                                  lambda _p: None)
        qtbot.addWidget(dialog)
        look_in = dialog.findChild(QComboBox, "lookInCombo")
        name = dialog.findChild(QLineEdit, "fileNameEdit")
        assert look_in is not None and name is not None
        ltr = Qt.LayoutDirection.LeftToRight
        assert look_in.layoutDirection() == name.layoutDirection() == ltr
        assert dialog.layoutDirection() == (Qt.LayoutDirection.RightToLeft if lang == "ar"
                                            else ltr)
        dialog.reject()
    finally:
        apply_language(qapp, "en")


def test_the_bundles_file_ending_keeps_its_period_first_in_arabic_tips(
        open_window, qtbot, office_db, arabic, tmp_path):
    """"استيراد ملفات بامتداد .fieldplan" was drawn "… fieldplan. …": the period, with no
    direction of its own, went to the Arabic side of the name. Isolated, it stays in
    front of it (the Import tip and status tip, the first-run dialog's set-up tip)."""
    from ui.first_run import FirstRunDialog

    window = open_window(office_db)
    action = window.import_action
    assert "\u2066.fieldplan\u2069" in action.toolTip()
    assert action.statusTip() == action.toolTip()
    dialog = FirstRunDialog(tmp_path / "fieldplan.sqlite3")
    qtbot.addWidget(dialog)
    assert "\u2066.fieldplan\u2069" in dialog.setup_button.toolTip()
    assert "بامتداد" in dialog.setup_button.toolTip()  # (the Arabic catalog's words)


def test_the_bundles_file_ending_is_left_alone_in_english(open_window, office_db):
    window = open_window(office_db)
    assert window.import_action.toolTip() == "Import .fieldplan files from other offices"


def test_the_file_dialogs_folder_is_drawn_left_to_right_in_arabic(qapp, qtbot, tmp_path):
    """The "Look in" box was left to right, but Qt draws text in the application's
    direction: "/tmp/…/مجلد" was painted "tmp/…/مجلد/", its first slash at the end. The
    box is drawn as it is in a left-to-right application."""
    from PySide6.QtWidgets import QComboBox

    from ui.app import apply_language
    from ui.dialogs import file_dialog

    folder = tmp_path / "مجلد"
    folder.mkdir()
    apply_language(qapp, "ar")
    try:
        dialog = file_dialog(None, "x", str(folder))
        qtbot.addWidget(dialog)
        box = dialog.findChild(QComboBox, "lookInCombo")
        assert box.currentText() == str(folder)
        arabic = box.grab().toImage()
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        assert box.grab().toImage() == arabic
    finally:
        apply_language(qapp, "en")


def test_the_file_dialogs_list_of_folders_is_drawn_left_to_right_in_arabic(qapp, qtbot,
                                                                          tmp_path):
    """The "Look in" box's list (its folder and the folders above it) was drawn in the
    application's direction: "/tmp/…/مجلد" as "tmp/…/مجلد/", each icon after its path.
    The list is drawn as it is in a left-to-right application."""
    from PySide6.QtWidgets import QComboBox

    from ui.app import apply_language
    from ui.dialogs import file_dialog

    folder = tmp_path / "مجلد"
    folder.mkdir()

    def drawn(box: QComboBox):
        box.showPopup()
        qtbot.waitUntil(box.view().isVisible)
        image = box.view().viewport().grab().toImage()
        box.hidePopup()
        return image

    apply_language(qapp, "ar")
    try:
        dialog = file_dialog(None, "x", str(folder))
        qtbot.addWidget(dialog)
        dialog.show()
        box = dialog.findChild(QComboBox, "lookInCombo")
        assert box.itemText(0) == str(folder)
        arabic = drawn(box)
        if os.environ.get("FIELDPLAN_SHOTS"):
            box.showPopup()
            box.view().window().grab().save(
                os.path.join(os.environ["FIELDPLAN_SHOTS"], "look-in-list-ar.png"))
            box.hidePopup()
        qapp.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
        assert drawn(box) == arabic
        dialog.reject()
    finally:
        apply_language(qapp, "en")


def _block_directions(text: str) -> list:
    """Each line's direction as a selectable label lays it out: its text document
    takes each block's direction from its first strong letter, isolates or not."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setPlainText(text)
    block, found = document.firstBlock(), []
    while block.isValid():
        found.append(block.textDirection())
        block = block.next()
    return found


def test_a_line_that_starts_with_an_isolated_code_reads_in_the_layouts_direction(arabic):
    """"\u2068ML\u2069 · …" is right to left by Unicode's rule P2, but a text document
    (a selectable label) counts the code inside the isolate: the line was laid out left
    to right."""
    from ui.bidi import in_layout_direction

    line = in_layout_direction("\u2068ML\u2069 · \u2068PA1.1\u2069 · " + ARABIC[:20])
    assert _block_directions(line) == [RTL]
    assert text_direction(line) == RTL


def test_the_conflicts_page_heading_is_aligned_right_in_arabic(open_window, qtbot, hq,
                                                               make_office, tmp_path, arabic):
    """The office's Conflicts page: its bold heading "ML · PA1.1 · النصف الأول 2026 ·
    الإنجازات" was aligned left, the sentence under it right."""
    from tests.scenes import laptop_holding_a_conflict
    from tests.ui.test_conflict_versions import conflicts_page

    path = laptop_holding_a_conflict(hq, make_office, tmp_path,
                                     a={"achievements": "Workshop held"},
                                     b={"achievements": "Workshop postponed"}).path
    _window, page = conflicts_page(open_window, qtbot, path)
    text = page.message.text()
    assert "PA1.1" in text.split("\n")[0]
    assert page.message.textInteractionFlags() != Qt.TextInteractionFlag.NoTextInteraction
    assert _block_directions(text) == [RTL] * len(text.split("\n"))
