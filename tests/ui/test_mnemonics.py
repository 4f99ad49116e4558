"""Alt+letter opens one thing: no two menu-bar titles or tabs of the main window share
a mnemonic, nor two things of one page with them, nor two things of one dialog, in any
language (read from the catalogs at run time). Arabic titles carry none: Alt with an
Arabic letter is of little use on the keyboards offices have."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QTabBar,
    QWidget,
)

from tests.ui.conftest import backups_checked, wait_idle
from ui.hq_desk import select_row

_MNEMONIC = re.compile(r"&(?!&)(.)")
LANGUAGES = ("en", "fr", "ar")


def mnemonic(text: str) -> str | None:
    """The letter after the single "&" of ``text``, lower case; None without one."""
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found[1].casefold() if found else None


def clashes(texts: list[str]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        key = mnemonic(text)
        if key is not None:
            by_key[key].append(text)
    return {k: v for k, v in by_key.items() if len(v) > 1}


def test_mnemonic_parsing():
    assert mnemonic("Pro&gress") == "g"
    assert mnemonic("Save && close") is None
    assert clashes(["&Edit", "P&eriod", "&File"]) == {"e": ["&Edit", "P&eriod"]}


def window_titles(window) -> list[str]:
    """The menu-bar titles and the tab titles: they answer Alt+letter on every page."""
    return [a.text() for a in window.menuBar().actions()] + [
        window.tabs.tabText(i) for i in range(window.tabs.count())
    ]


def page_texts(page: QWidget, window: QWidget) -> list[str]:
    """What answers Alt+letter in ``page`` as shown in ``window``: its buttons, the
    labels that name a field (QFormLayout makes its row labels buddies too) and the
    titles of checkable group boxes (a tab bar's buttons are the tabs: not here)."""
    texts = [label.text() for label in page.findChildren(QLabel)
             if label.buddy() is not None and label.isVisibleTo(window)]
    texts += [b.text() for b in page.findChildren(QAbstractButton)
              if b.isVisibleTo(window) and b.text() and not isinstance(b.parent(), QTabBar)]
    texts += [g.title() for g in page.findChildren(QGroupBox)
              if g.isCheckable() and g.isVisibleTo(window)]
    return texts


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
@pytest.mark.parametrize("db", ["hq_db", "office_db"])
def test_menu_titles_and_tabs_have_distinct_mnemonics(lang, db, language, open_window, request):
    language(lang)
    window = open_window(request.getfixturevalue(db))
    menus = [a.text() for a in window.menuBar().actions()]
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    # all of them answer Alt+letter at once, wherever the focus is
    assert clashes(menus + tabs) == {}


def menus_of(menu) -> list[tuple[str, list[str]]]:
    """(title, the texts of its items) of ``menu`` and of each menu in it."""
    found = [(menu.title(), [a.text() for a in menu.actions() if a.text()])]
    for action in menu.actions():
        if action.menu() is not None:
            found += menus_of(action.menu())
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("db", ["hq_db", "office_db"])
def test_the_items_of_each_menu_have_distinct_mnemonics(lang, db, language, open_window,
                                                        request):
    """An open menu answers its items' letters, whatever the window has: one letter
    for two items of a menu only moves between them, and an item without one is out
    of the keyboard's reach but by the arrows (the languages had none). (Hidden items
    are counted: they show when needed, among the others.) In Arabic the View menu's
    items are the tabs' titles, which go without (each has Ctrl+1…9)."""
    language(lang)
    window = open_window(request.getfixturevalue(db))
    tabs = {window.tabs.tabText(i) for i in range(window.tabs.count())}
    found, without = {}, []
    for action in window.menuBar().actions():
        for title, texts in menus_of(action.menu()):
            clashing = clashes(texts)
            if clashing:
                found[title] = clashing
            without += [f"{title} ▸ {text}" for text in texts if mnemonic(text) is None
                        and not (lang == "ar" and text in tabs)]
    assert found == {}
    assert without == []


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("submitted", [False, True])
def test_the_progress_page_adds_no_clash(open_window, hq_db, qtbot, submitted, lang,
                                         language):
    """Its field labels and, on a submitted report, Reopen (the window with the most
    tabs: headquarters'). In French, Alt+L went to the Keys tab ("C&lés"), never to
    the achievements ("Réa&lisations"), and the next steps had no letter; Reopen had
    none ("Rouvrir (retour au brouillon)": each of its letters was taken). Each button
    and each field's label has one, but an indicator's (the plan's words)."""
    language(lang)
    if submitted:
        from fieldplan.progress import submit_period
        from fieldplan.replica import open_replica

        with open_replica(hq_db) as rep:
            submit_period(rep, "2026-S1")
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.office_view.select_action("PA1.6")
    wait_idle(qtbot, window.session)
    QApplication.processEvents()  # (widgets added to a shown layout show queued)
    texts = page_texts(window.office_view, window)
    reopen = window.office_view.editor.reopen_button
    assert (reopen.text() in texts) == submitted
    assert len(texts) >= 6
    assert clashes(window_titles(window) + texts) == {}
    indicators = {label.text() for label in window.office_view.editor.findChildren(QLabel)
                  if label.buddy() in window.office_view.editor.indicator_edits.values()}
    assert [t for t in texts if mnemonic(t) is None and t not in indicators] == []
    # each narrative's label has its letter
    narratives = set(window.office_view.editor.narratives.values())
    named = [label.text() for label in window.office_view.editor.findChildren(QLabel)
             if label.buddy() in narratives]
    assert len(named) == 3 and all(map(mnemonic, named)), named


# --- every dialog, and every page of headquarters' desk -------------------------------
#
# Alt+letter answers in the window that is active: a dialog's buttons and labels are
# checked among themselves (the main window's menus and tabs do not answer while it is
# open), a page's with the window's menu-bar titles and tabs. The same text twice (a
# Keep button per value) is one command, Alt+letter going from one to the next.

def _distinct(texts: list[str]) -> list[str]:
    return list(dict.fromkeys(texts))


@pytest.fixture
def desk_world(tmp_path) -> Path:
    """Headquarters with something on every page of its desk: ML's reports and key
    (revocable), a bundle of SN's in quarantine, a conflict between ML's two laptops,
    drafts of its own for 2026-S1 (to submit); and SN's setup bundle. (In the test's
    own folders: made once for all, it would be made outside them.)"""
    from fieldplan import progress, store
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, export_bundle, import_bundle, init_from_setup

    root = tmp_path / "desk"
    root.mkdir()
    out = root / "out"
    out.mkdir()
    with init_hq(root / "hq.sqlite3") as hq:
        laptops = []
        for name, code in (("ml-a", "ML"), ("ml-b", "ML"), ("sn", "SN")):
            enroll_office(hq, code, root / f"{name}-setup.fieldplan")
            laptops.append(init_from_setup(root / f"{name}.sqlite3",
                                           root / f"{name}-setup.fieldplan"))
        a, b, sn = laptops
        with store.write_transaction(sn.conn):
            sn.conn.execute("DELETE FROM meta WHERE key = 'enrolment'")  # quarantined
        for rep, status in ((a, "on-track"), (b, "at-risk"), (sn, "on-track")):
            code = rep.plan().actions_of(level="national")[0].code
            progress.record_progress(rep, code, "2026-S1", status=status, percent=30)
            import_bundle(hq, export_bundle(rep, out_dir=out).path)
            rep.close()
        progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code,
                                 "2026-S1", status="on-track", percent=10)
    return root


@pytest.fixture
def desk_db(desk_world) -> Path:
    return desk_world / "hq.sqlite3"


def _new_dialog(qtbot, start: Callable[[], object]) -> QDialog:
    """The dialog ``start`` opens (at once, or once the database has answered)."""

    def shown() -> list[QDialog]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QDialog) and w.isVisible()]

    # (the one before is closed, if not yet deleted: the new one may have its address)
    assert shown() == []
    made = start()
    if isinstance(made, QDialog) and made.isVisible():
        return made  # found by ``start`` itself
    if isinstance(made, QDialog):
        if made.parent() is None:  # closed, not deleted, when rejected: qtbot deletes it
            made.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
            qtbot.addWidget(made)
        made.show()
    qtbot.waitUntil(lambda: bool(shown()), timeout=10_000)
    [dialog] = shown()
    return dialog


def _dialog_clashes(qtbot, dialogs: dict[str, Callable[[], object]]) -> dict[str, dict]:
    found = {}
    for name, start in dialogs.items():
        dialog = _new_dialog(qtbot, start)
        clashing = clashes(_distinct(page_texts(dialog, dialog)))
        if clashing:
            found[name] = clashing
        dialog.reject()
    return found


def _window_dialogs(window, qtbot, tmp_path) -> dict[str, Callable[[], object]]:
    from ui.report_preview import PreviewWindow, ReportRequest
    from ui.transfer import ImportResultDialog

    desk = window.hq_desk

    def revoke() -> None:
        keys = desk.keys
        window.show_page(keys)
        qtbot.waitUntil(lambda: keys.model.rowCount() > 1, timeout=5000)
        select_row(keys.view, next(i for i in range(keys.model.rowCount())
                                   if keys.model.row_at(i).office == "ML"))
        keys.ask_revoke()

    def quarantined(ask: str) -> Callable[[], None]:
        def start() -> None:
            page = desk.quarantine
            window.show_page(page)
            qtbot.waitUntil(lambda: page.selected() is not None, timeout=5000)
            getattr(page, ask)()
        return start

    def replacing(**changes) -> Callable[[], None]:
        """Headquarters ▸ Replace the plan… once a file is chosen: its question (a
        plan amended by ``changes``, tests.scenes.amended), or its message."""
        from fieldplan.plan import dump_plan
        from tests.scenes import amended
        from ui import plan_files

        def start() -> None:
            path = tmp_path / f"plan-{len(list(tmp_path.glob('plan-*')))}.json"
            if changes:
                dump_plan(amended(window.identity.plan, **changes), path)
            else:
                path.write_text("{", encoding="utf-8")
            plan_files.read_for_replacing(window, str(path))
        return start

    def saved_table() -> QDialog:
        # as after a file is written: "Open the file" and "Open the folder" shown too
        dialog = _new_dialog(qtbot, window.table_dialog)
        for button in (dialog.open_button, dialog.folder_button):
            button.setVisible(True)
        return dialog

    def export_all_offices() -> QDialog:
        # the choice renames the button ("Save bundles"): its letter among the others
        from ui.transfer import ALL_OFFICES

        dialog = _new_dialog(qtbot, window.export_dialog)
        qtbot.waitUntil(lambda: dialog.recipient.findData(ALL_OFFICES) >= 0, timeout=5000)
        dialog.recipient.setCurrentIndex(dialog.recipient.findData(ALL_OFFICES))
        return dialog

    def unkept() -> QDialog:
        # closing with typing kept nowhere, once copied ("Close anyway" shown too)
        from ui.drafts import journal_for
        from ui.unkept import UnkeptDialog

        key = ("PA1.6", "2026-S1")
        dialog = UnkeptDialog(window, journal_for(window.session), [key], lambda: [key])
        dialog.discard_button.setVisible(True)
        return dialog

    return {
        "close, typing not saved": unkept,
        "export": window.export_dialog,
        "export, all offices": export_all_offices,
        "email": window.email_dialog,
        "status sheet": lambda: window.report_dialog("sheet"),
        "review pack": lambda: window.report_dialog("pack"),
        "preview": lambda: PreviewWindow(window, tmp_path / "none.pdf",
                                         ReportRequest("pack", "2026-S1")),
        "export table": window.table_dialog,
        "export table, a file written": saved_table,
        "enrol office": window.enrol_dialog,
        "own key": window.own_key_dialog,
        "submit": window.submit_dialog,
        "lock": lambda: window.lock_dialog(True),
        "unlock": lambda: window.lock_dialog(False),
        "restore warning": window.dismiss_lost_dialog,
        "replace the plan": replacing(title="New title"),
        "replace the plan, hiding reports": replacing(drop=("PA1.1", "PA1.6")),
        "replace the plan, a file refused": replacing(),
        "import result": lambda: ImportResultDialog(window, []),
        "trust key": quarantined("ask_trust"),
        "refuse key": quarantined("ask_refuse"),
        "revoke key": revoke,
        "about": window.about,
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_dialog_of_the_window_has_distinct_mnemonics(lang, language, open_window,
                                                          desk_db, qtbot, tmp_path):
    language(lang)
    window = open_window(desk_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    found = _dialog_clashes(qtbot, _window_dialogs(window, qtbot, tmp_path))
    wait_idle(qtbot, window.session)
    assert found == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_first_run_dialog_has_distinct_mnemonics(lang, language, desk_world, qtbot,
                                                      tmp_path):
    from fieldplan import store
    from fieldplan.replica import open_replica
    from ui.first_run import CannotOpenDialog, FirstRunDialog

    language(lang)
    gone = tmp_path / "gone" / "hq.sqlite3"  # its backup is there, the database not
    gone.parent.mkdir()
    shutil.copy(desk_world / "hq.sqlite3", gone)
    with open_replica(gone) as rep:
        store.backup(rep.conn, gone, "test")
    damaged = gone.with_name("damaged.sqlite3")
    damaged.write_bytes(b"not a database")
    backups = store.list_backups(gone)
    gone.unlink()
    found = _dialog_clashes(qtbot, {
        "first run": lambda: FirstRunDialog(tmp_path / "new.sqlite3"),
        "first run, a setup bundle given": lambda: FirstRunDialog(
            tmp_path / "new.sqlite3", given=str(desk_world / "sn-setup.fieldplan")),
        # (their backups checked: the restore offered)
        "first run, a backup left": lambda: backups_checked(qtbot, FirstRunDialog(gone)),
        "cannot open": lambda: backups_checked(
            qtbot, CannotOpenDialog(damaged, "damaged", backups)),
    })
    assert found == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_desk_page_has_distinct_mnemonics(lang, language, open_window, desk_db, qtbot):
    """Every page of headquarters' window with its rows (so its buttons are enabled),
    with the menu-bar titles and the tabs."""
    language(lang)
    window = open_window(desk_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    found = {}
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        wait_idle(qtbot, window.session)
        QApplication.processEvents()  # (widgets added to a shown layout show queued)
        page = window.tabs.currentWidget()
        clashing = clashes(window_titles(window) + _distinct(page_texts(page, window)))
        if clashing:
            found[window.tabs.tabText(index)] = clashing
    assert found == {}
