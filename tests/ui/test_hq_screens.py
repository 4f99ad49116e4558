"""The headquarters' pages for a keyboard user and on small screens: where the keyboard
is can be seen, it is not lost when a page's content changes, and tables stay readable
in a narrow window (a keyboard and small-screen walk in English, French and Arabic)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from tests.ui.test_sync_ui import drop, result_dialog


def _focus_shows(widget, elsewhere) -> bool:
    """Whether ``widget`` is drawn otherwise with the keyboard than without it (given
    to ``elsewhere`` meanwhile)."""
    widget.setFocus()
    assert QApplication.focusWidget() is widget
    focused = widget.grab().toImage()
    elsewhere.setFocus()
    return focused != widget.grab().toImage()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_an_empty_inbox_says_what_it_is_for_where_the_keyboard_can_be_seen(
        open_window, qtbot, hq_db, language, lang):
    """Before any import the Inbox's empty table took the keyboard with no sign of it,
    and said "Choose a bundle…" of none. Its sentence says now what the page lists and
    where bundles come from, has the keyboard when the page is shown, framed; found by
    QA (a keyboard walk)."""
    from ui.transfer import import_menu

    language(lang)
    window = open_window(hq_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.go_to_tab(window.tabs.indexOf(window._inbox_tab))
    page = window.inbox
    wait_idle(qtbot, window.session)
    assert page.empty.is_empty() and page.empty.label.isVisible()
    assert not page.view.isVisible() and not page.detail.isVisible()
    assert import_menu() in page.empty.label.text()
    assert QApplication.focusWidget() is page.empty.label
    assert _focus_shows(page.empty.label, window.period_combo)


@pytest.mark.parametrize("tab", ["quarantine", "conflicts"])
def test_an_empty_pages_sentence_shows_it_has_the_keyboard(open_window, qtbot, hq_db, tab):
    """An empty Quarantine or Conflicts page's sentence, a stop of Tab, showed that it
    had the keyboard by a caret after its last word alone; found by QA."""
    window = open_window(hq_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    page = getattr(window.hq_desk, tab)
    window.show_page(page)
    wait_idle(qtbot, window.session)
    assert page.empty.is_empty()
    assert _focus_shows(page.empty.label, window.period_combo)
    # framed round its words, in the middle of the page, not round the page
    label = page.empty.label
    assert label.width() < page.width() / 2 + label.fontMetrics().horizontalAdvance(
        label.text())
    assert label.height() < 4 * label.fontMetrics().lineSpacing()


def test_the_first_bundles_take_the_keyboard_from_the_empty_inbox(open_window, qtbot,
                                                                  demo_world, tmp_path):
    """The first import, from an empty Inbox that had the keyboard: the table of the
    bundles shows and has it (not lost with the sentence that went)."""

    empty = tmp_path / "hq.sqlite3"
    from fieldplan.replica import init_hq

    init_hq(empty, author="hq.desk").close()
    window = open_window(empty)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.go_to_tab(window.tabs.indexOf(window._inbox_tab))
    page = window.inbox
    wait_idle(qtbot, window.session)
    assert QApplication.focusWidget() is page.empty.label
    drop(window, sorted((demo_world / "bundles").glob("*.fieldplan"))[:1])
    dialog = result_dialog(window, qtbot)
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    wait_idle(qtbot, window.session)
    window.activateWindow()  # (as the dialog's closing does on a desktop)
    qtbot.waitUntil(window.isActiveWindow)
    assert QApplication.focusWidget() is page.view
    assert not page.empty.is_empty() and page.detail.isVisible()


@pytest.fixture(scope="module")
def imported(demo_world, tmp_path_factory) -> list:
    """The outcomes of importing every office's bundle of the demo world at HQ (merged),
    then one of them again (duplicate), and one to a database that knows none of the
    offices' keys (quarantined, its reason a sentence with a key fingerprint)."""
    from fieldplan import sync
    from fieldplan.replica import init_hq, open_replica
    from tests.ui.test_sync_ui import copy_db

    folder = tmp_path_factory.mktemp("imported")
    bundles = sorted((demo_world / "bundles").glob("*.fieldplan"))
    db = copy_db(demo_world / "hq.sqlite3", folder / "hq.sqlite3")
    with open_replica(db) as rep:
        outcomes = [sync.import_bundle(rep, path) for path in bundles]
        outcomes.append(sync.import_bundle(rep, bundles[0]))
    with init_hq(folder / "new-hq.sqlite3", author="hq.desk") as rep:
        outcomes.append(sync.import_bundle(rep, bundles[1]))
    assert {o.outcome for o in outcomes} == {"merged", "duplicate", "quarantined"}
    return outcomes


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_import_result_stacks_its_columns_in_a_narrow_window(qtbot, imported, language,
                                                                  lang):
    """At 420 pixels (a small screen, the window narrowed) the import result's table
    cut its columns and wrapped its details a letter a line. Narrower than its columns
    need, each file's lines are stacked in one column now, every line whole (no
    sideways scrolling); wider again, the table comes back. The keyboard stays on the
    files as they change; found by QA (a small-screen walk)."""
    from PySide6.QtWidgets import QStyleOptionViewItem

    from ui.transfer import ImportResultDialog

    language(lang)
    dialog = ImportResultDialog(None, imported)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert dialog.table.isVisible() and not dialog.stacked.isVisible()
    dialog.table.setFocus()
    dialog.resize(420, dialog.height())
    qtbot.waitUntil(dialog.stacked.isVisible)
    assert not dialog.table.isVisible()
    assert QApplication.focusWidget() is dialog.stacked
    view = dialog.stacked
    assert view.columnWidth(0) <= view.viewport().width()
    assert not view.horizontalScrollBar().isVisible()
    delegate = view.itemDelegate()
    for row, (_first, texts, _tips) in enumerate(dialog._rows):
        text = view.item(row, 0).text()
        assert all(t in text for t in (texts[0], texts[2], texts[3]))
        option = QStyleOptionViewItem()
        option.initFrom(view.viewport())
        option.rect.setWidth(view.columnWidth(0))
        index = view.model().index(row, 0)
        assert view.rowHeight(row) >= delegate.sizeHint(option, index).height()
        # a line wraps at its words, not a few letters a line
        assert view.rowHeight(row) < 12 * view.fontMetrics().lineSpacing()
    dialog.resize(1000, dialog.height())
    qtbot.waitUntil(dialog.table.isVisible)
    assert not dialog.stacked.isVisible()
    assert QApplication.focusWidget() is dialog.table


@pytest.mark.parametrize("act", ["trust", "refuse"])
def test_the_keyboard_stays_on_the_quarantine_after_a_trust_or_a_refusal(
        open_window, qtbot, hq, make_office, tmp_path, act):
    """Trust key… or Refuse key… pressed from the keyboard and confirmed: the button,
    disabled while the work went on, passed the keyboard to the window's tabs, where
    nothing said what had happened. It goes to the sentence that says no bundle waits
    now (the table when some still do); found by QA (a keyboard walk)."""
    from tests.ui.test_keyboard import _desk_page, _one_quarantined
    from ui.hq_desk import select_row

    path = _one_quarantined(hq, make_office, tmp_path)
    window, page = _desk_page(open_window, qtbot, path, "quarantine", rows=1)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    select_row(page.view, 0)
    button = page.trust_button if act == "trust" else page.refuse_button
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    dialog = page.findChild(object, f"{act}-dialog")
    qtbot.waitUntil(dialog.isVisible)
    dialog.accept()
    qtbot.waitUntil(lambda: page.model.rowCount() == 0, timeout=10_000)
    wait_idle(qtbot, window.session)
    result = window.findChild(object, "import-result")  # (a trust says what it merged)
    if result is not None:
        result.accept()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert page.empty.is_empty()
    assert QApplication.focusWidget() is page.empty.label


def _quarantined(hq, make_office, tmp_path, offices, later=()):
    """Bundles of ``offices`` (keys with no proof), imported in that order into HQ's
    quarantine; those of ``later``, exported only (their paths)."""
    from fieldplan import progress, store, sync

    paths = []
    for code in [*offices, *later]:
        rep = make_office(code)
        with store.write_transaction(rep.conn):
            rep.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")
        progress.record_progress(rep, rep.plan().actions_of(level="national")[0].code,
                                 "2026-S1", status="on-track")
        paths.append(sync.export_bundle(rep, out_dir=tmp_path).path)
    for path in paths[:len(offices)]:
        assert sync.import_bundle(hq, path).outcome == "quarantined"
    return paths[len(offices):]


@pytest.mark.parametrize(("lang", "order"), [("en", ["DZ", "TD", "EG"]),
                                             ("fr", ["DZ", "EG", "TD"])])
def test_the_quarantine_lists_offices_by_name_and_keeps_the_one_chosen(
        open_window, qtbot, hq, make_office, tmp_path, language, lang, order):
    """The Quarantine listed its bundles as they came, those of one import by their
    ids (MV, MZ, MA): a person looking for the office on the phone searched the whole
    list. By office, in the reader's language (Tchad after Égypte in French), as the
    Reports page and the review pack list them, then as they came; the bundle chosen
    stays chosen as others arrive."""
    [later] = _quarantined(hq, make_office, tmp_path, ["TD", "EG", "DZ"], later=["AF"])
    path = hq.path
    hq.close()
    language(lang)
    window = open_window(path)
    page = window.hq_desk.quarantine
    window.show_page(page)
    qtbot.waitUntil(lambda: page.model.rowCount() == 3, timeout=5000)
    assert [q.office for q in page.model.rows()] == order
    page.view.selectRow(2)
    chosen = page.selected().bundle_id
    from fieldplan import sync
    from fieldplan.replica import open_replica

    with open_replica(path) as rep:  # (Afghanistan's: before the others)
        assert sync.import_bundle(rep, later).outcome == "quarantined"
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() == 4, timeout=5000)
    assert page.model.rows()[0].office == "AF"
    assert page.selected().bundle_id == chosen


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_stacked_import_result_keeps_the_order_and_the_file_chosen(
        qtbot, imported, language, lang, tmp_path):
    """The import result sorted by File, a file chosen, then narrowed to 420 pixels:
    its stacked lines were in the first order, the first file current, the person's
    order and choice lost. They keep both now, and widened again the table has the
    file chosen there."""
    from ui.transfer import ImportResultDialog

    language(lang)
    dialog = ImportResultDialog(None, imported)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    table = dialog.table
    table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.DescendingOrder)
    names = [table.item(row, 0).text() for row in range(table.rowCount())]
    assert names != [texts[0] for _first, texts, _tips in dialog._rows]  # (re-sorted)
    table.setFocus()
    table.setCurrentCell(3, 0)
    chosen = names[3]
    dialog.resize(420, dialog.height())
    qtbot.waitUntil(dialog.stacked.isVisible)
    view = dialog.stacked
    assert [view.item(row, 0).text().split("\n")[0] for row in range(view.rowCount())] == (
        names)
    assert view.currentRow() == 3
    view.grab().save(str(tmp_path.parent / f"stacked-{lang}.png"))
    view.setCurrentCell(5, 0)
    dialog.resize(1000, dialog.height())
    qtbot.waitUntil(table.isVisible)
    assert table.item(table.currentRow(), 0).text() == names[5] != chosen
