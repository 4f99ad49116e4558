"""File ▸ Export table…: progress as an Excel workbook, CSV or HXL file from the
client, at offices and at headquarters: the file the core's export_table writes, for
the period and language chosen, written on the database worker; one message and no
file when it cannot be written; the result said with a way to open it."""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

import fieldplan.tabular
from fieldplan import i18n
from fieldplan.replica import open_replica
from tests.core.test_i18n import WordsCatalog
from tests.ui.conftest import path_shown_whole, wait_idle
from tests.ui.test_mnemonics import clashes
from ui.dialogs import MessageDialog
from ui.table_export import TableExportDialog, documents_dir


@pytest.fixture
def three_reports(hq_db) -> Path:
    """HQ with two reports for 2026-S1 and one for 2025-S2."""
    from fieldplan.progress import record_progress

    with open_replica(hq_db) as rep:
        record_progress(rep, "PA1.6", "2025-S2", status="completed", percent=100)
    return hq_db


@pytest.fixture
def spy(monkeypatch) -> list[dict]:
    """Each call of the core's write_table: its thread and its arguments."""
    calls: list[dict] = []
    real = fieldplan.tabular.write_table

    def write_table(rep, fmt, out, **kwargs):
        calls.append({"thread": threading.get_ident(), "fmt": fmt, "out": str(out), **kwargs})
        return real(rep, fmt, out, **kwargs)

    monkeypatch.setattr(fieldplan.tabular, "write_table", write_table)
    return calls


def file_menu(window):
    return window.menuBar().actions()[0].menu()


def open_dialog(window, qtbot) -> TableExportDialog:
    """From the File menu entry, as a person would."""
    (action,) = [a for a in file_menu(window).actions()
                 if a.objectName() == "export-table-action"]
    action.trigger()
    (dialog,) = [d for d in window.findChildren(TableExportDialog, "table-export-dialog")
                 if d.isVisible()]  # (one closed before waits for its deletion)
    return dialog


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def save(dialog, qtbot, path: Path) -> None:
    """Write the table to ``path`` and wait for the worker to answer."""
    dialog.export_to(str(path))
    wait_idle(qtbot, dialog.session)


def direct(db: Path, fmt: str, out: Path, **kwargs) -> int:
    with open_replica(db) as rep:
        return fieldplan.tabular.export_table(rep, fmt, out, **kwargs)


def errors(window) -> list[MessageDialog]:
    return [m for m in window.findChildren(MessageDialog, "table-export-error")
            if m.isVisible()]


@pytest.mark.parametrize("db", ["office_db", "hq_db"])
def test_file_menu_has_export_table_at_offices_and_headquarters(db, open_window, request,
                                                                 qtbot):
    window = open_window(request.getfixturevalue(db))
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    assert dialog.windowTitle() == "Export table"
    # a workbook for people; the period the window shows; the interface's language
    assert dialog.format_combo.currentData() == "xlsx"
    assert [dialog.format_combo.itemData(i) for i in range(3)] == ["xlsx", "csv", "hxl"]
    assert dialog.period_combo.currentData() == "2026-S1"
    assert dialog.period_combo.findData("") >= 0  # all periods
    assert dialog.lang_combo.currentData() == "en"
    assert not dialog.open_button.isVisible() and not dialog.message.isVisible()
    dialog.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("db", ["office_db", "hq_db"])
def test_file_menu_letters_stay_distinct(db, lang, language, open_window, request):
    """Alt+F, T: no other entry of the File menu answers T. (The Arabic menu already
    gives two entries the same letter ت, Export… and Prepare for email….)"""
    language(lang)
    window = open_window(request.getfixturevalue(db))
    texts = [a.text() for a in file_menu(window).actions() if not a.isSeparator()]
    assert any(a.objectName() == "export-table-action" for a in file_menu(window).actions())
    assert clashes(texts) == {}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_dialog_letters_are_distinct(lang, language, open_window, office_db, qtbot,
                                         tmp_path):
    from PySide6.QtWidgets import QAbstractButton, QLabel

    language(lang)
    window = open_window(office_db)
    dialog = open_dialog(window, qtbot)
    save(dialog, qtbot, tmp_path / "t.xlsx")  # the open buttons shown too
    texts = [w.text() for w in dialog.findChildren(QLabel) if w.buddy() is not None]
    texts += [b.text() for b in dialog.findChildren(QAbstractButton) if b.isVisible()]
    assert len(texts) >= 7
    assert clashes(texts) == {}
    dialog.close()


def test_the_save_dialog_offers_a_name_for_the_choice(open_window, office_db, hq_db, qtbot,
                                                      monkeypatch):
    office = open_window(office_db)
    office.set_period("2026-S1")
    dialog = open_dialog(office, qtbot)
    file_dialog = dialog.save_as()
    assert file_dialog.objectName() == "save-table-dialog"
    assert file_dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert file_dialog.nameFilters() == ["Excel workbooks (*.xlsx)"]
    assert file_dialog.defaultSuffix() == "xlsx"
    assert file_dialog.selectedFiles() == [
        str(Path(documents_dir()) / "progress-SN-2026-S1-en.xlsx")]
    file_dialog.reject()

    choose(dialog.format_combo, "hxl")
    choose(dialog.period_combo, "")
    file_dialog = dialog.save_as()
    assert file_dialog.nameFilters() == ["HXL files (*.csv *.hxl)"]
    assert file_dialog.defaultSuffix() == "csv"
    assert Path(file_dialog.selectedFiles()[0]).name == "progress-SN-all-periods-en-hxl.csv"
    file_dialog.reject()
    choose(dialog.format_combo, "csv")
    assert dialog.save_as().nameFilters() == ["CSV files (*.csv)"]
    dialog.close()

    hq = open_window(hq_db)
    hq.set_period("2026-S2")
    dialog = open_dialog(hq, qtbot)
    # the name's words follow the table's language, in ASCII (i18n.file_name_word): a
    # French table was offered as "progress-…-fr.xlsx"; an Arabic one keeps English
    # words (the French catalog's words may not be there yet: given here)
    monkeypatch.setitem(i18n._translations, "fr", WordsCatalog({
        "progress": "avancement", "all-periods": "toutes les périodes"}))
    choose(dialog.lang_combo, "fr")
    # HQ's table holds every office: no office code in its name
    assert Path(dialog.default_path()).name == "avancement-2026-S2-fr.xlsx"
    choose(dialog.period_combo, "")
    assert Path(dialog.default_path()).name == "avancement-toutes-les-periodes-fr.xlsx"
    choose(dialog.lang_combo, "ar")
    assert Path(dialog.default_path()).name == "progress-all-periods-ar.xlsx"
    dialog.close()


def test_the_documents_folder_or_else_home(tmp_path, monkeypatch):
    from PySide6.QtCore import QStandardPaths

    docs = tmp_path / "Documents"
    monkeypatch.setattr(QStandardPaths, "writableLocation",
                        staticmethod(lambda _where: str(docs)))
    assert documents_dir() == str(Path.home())  # not made yet: not where it opens
    docs.mkdir()
    assert documents_dir() == str(docs)


def test_the_table_is_what_export_table_writes_made_off_the_gui_thread(
        open_window, hq_db, qtbot, tmp_path, spy):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    file_dialog = dialog.findChild(QFileDialog, "save-table-dialog")
    assert file_dialog is not None and file_dialog.isVisible()
    (tmp_path / "out").mkdir()
    file_dialog.selectFile(str(tmp_path / "out" / "progress"))  # the ending is added
    file_dialog.accept()
    wait_idle(qtbot, window.session)

    out = tmp_path / "out" / "progress.xlsx"
    ((call),) = spy
    assert call["thread"] != threading.main_thread().ident
    assert (call["fmt"], call["out"], call["lang"], call["period"]) == (
        "xlsx", str(out), "en", "2026-S1")
    reference = tmp_path / "reference.xlsx"
    assert direct(hq_db, "xlsx", reference, period="2026-S1") == 2
    assert workbook_rows(out) == workbook_rows(reference)
    assert dialog.said() == f"Saved 2 rows in:\n{out}"
    assert not dialog.path_label.text().startswith("\u2067")  # (left to right in English)
    assert dialog.message.toolTip() == str(out)
    assert window.statusBar().whole_message() == "Saved 2 rows in: progress.xlsx"
    assert dialog.open_button.isVisible() and dialog.folder_button.isVisible()
    assert not errors(window)
    assert sorted(p.name for p in out.parent.iterdir()) == ["progress.xlsx"]

    # CSV and HXL: byte for byte what the command line writes
    for fmt, name in (("csv", "p.csv"), ("hxl", "p-hxl.csv")):
        choose(dialog.format_combo, fmt)
        save(dialog, qtbot, tmp_path / "out" / name)
        direct(hq_db, fmt, tmp_path / f"ref-{name}", period="2026-S1")
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / f"ref-{name}").read_bytes()
    dialog.close()


def workbook_rows(path: Path) -> list[tuple]:
    from openpyxl import load_workbook

    return list(load_workbook(path).active.iter_rows(values_only=True))


def test_the_period_choice(open_window, three_reports, qtbot, tmp_path, spy):
    window = open_window(three_reports)
    window.set_period("2025-S2")
    dialog = open_dialog(window, qtbot)
    assert dialog.period_combo.currentData() == "2025-S2"  # the window's period
    choose(dialog.format_combo, "csv")
    expected = {"2025-S2": 1, "2026-S1": 2, "": 3, "2027-S1": 0}
    for period, count in expected.items():
        choose(dialog.period_combo, period)
        out = tmp_path / f"got-{period or 'all'}.csv"
        save(dialog, qtbot, out)
        assert spy[-1]["period"] == (period or None)
        ref = tmp_path / f"ref-{period or 'all'}.csv"
        assert direct(three_reports, "csv", ref, period=period or None) == count
        assert out.read_bytes() == ref.read_bytes()
    assert dialog.said() == (
        "Saved with the column headings only (no progress report is recorded for 1st "
        f"semester 2027):\n{out}")
    choose(dialog.period_combo, "")
    save(dialog, qtbot, tmp_path / "all.csv")
    assert dialog.said() == f"Saved 3 rows in:\n{tmp_path / 'all.csv'}"
    dialog.close()


def test_the_language_of_the_names(open_window, hq_db, qtbot, tmp_path, spy):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    choose(dialog.format_combo, "csv")
    choose(dialog.lang_combo, "fr")
    save(dialog, qtbot, tmp_path / "fr.csv")
    assert spy[-1]["lang"] == "fr"
    direct(hq_db, "csv", tmp_path / "ref.csv", lang="fr", period="2026-S1")
    assert (tmp_path / "fr.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    english = tmp_path / "en.csv"
    direct(hq_db, "csv", english, lang="en", period="2026-S1")
    assert english.read_bytes() != (tmp_path / "fr.csv").read_bytes()  # names in French
    dialog.close()


def test_the_choices_are_remembered(open_window, office_db, qtbot, tmp_path):
    window = open_window(office_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    choose(dialog.format_combo, "csv")
    (tmp_path / "tables").mkdir()
    save(dialog, qtbot, tmp_path / "tables" / "t.csv")
    dialog.close()
    again = open_dialog(window, qtbot)
    assert again.format_combo.currentData() == "csv"
    assert again.default_path() == str(tmp_path / "tables" / "progress-SN-2026-S1-en.csv")
    again.close()


def test_what_cannot_be_written_is_one_message_and_no_file(
        open_window, hq_db, qtbot, tmp_path, monkeypatch):
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    work = tmp_path / "work"
    work.mkdir()
    a_file = work / "a-file"
    a_file.write_text("kept")
    old = work / "old.xlsx"
    old.write_bytes(b"the table of last week")
    cases = [
        (work / "sheet.csv", "is named as a .csv file but the format is XLSX"),
        (work / "no-such-folder" / "t.xlsx", "its folder does not exist"),
        (a_file / "t.xlsx", "part of the path is a file, not a folder"),
        (hq_db, "is named as a .sqlite3 file but the format is XLSX"),
        (old, "the disk is full"),
        # typed past the file system's 255 bytes: was "Unexpected error: … too long"
        (work / ("تقرير" * 26 + ".xlsx"), "the name is too long"),
    ]
    real_fsync = os.fsync

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = sorted(work.rglob("*"))
    database = hq_db.read_bytes()
    for target, reason in cases:
        if reason == "the disk is full":
            monkeypatch.setattr(os, "fsync", full)
        save(dialog, qtbot, target)
        monkeypatch.setattr(os, "fsync", real_fsync)
        (message,) = errors(dialog)
        text = message.text.text()
        assert text.startswith("The table could not be saved: ")
        assert reason in text and "Traceback" not in text and "Unexpected" not in text
        message.close()
        qtbot.waitUntil(lambda: not errors(dialog))
        # nothing said as written; the dialog ready for another name
        assert not dialog.message.isVisible() and not dialog.open_button.isVisible()
        assert dialog.save_button.isEnabled() and dialog.format_combo.isEnabled()
        assert window.statusBar().whole_message() == ""
    # nothing written, nothing half-written (no temporary file left), nothing replaced
    assert sorted(work.rglob("*")) == before
    assert old.read_bytes() == b"the table of last week" and a_file.read_text() == "kept"
    assert not list(tmp_path.glob(".hq.sqlite3.*.part"))
    assert hq_db.read_bytes()[:16] == database[:16] == b"SQLite format 3\x00"
    dialog.close()


def test_the_window_never_waits_for_the_table(open_window, hq_db, qtbot, tmp_path,
                                              monkeypatch):
    started, release = threading.Event(), threading.Event()
    real = fieldplan.tabular.write_table
    threads = []

    def slow(rep, fmt, out, **kwargs):
        threads.append(threading.get_ident())
        started.set()
        release.wait(10)
        return real(rep, fmt, out, **kwargs)

    monkeypatch.setattr(fieldplan.tabular, "write_table", slow)
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    dialog.export_to(str(tmp_path / "t.xlsx"))
    qtbot.waitUntil(started.is_set)
    # the GUI thread goes on: the dialog says what it is doing and is not asked twice
    assert threads[0] != threading.main_thread().ident
    assert dialog.message.text() == "Writing the table…"
    assert not dialog.save_button.isEnabled() and not dialog.format_combo.isEnabled()
    window.set_period("2026-S2")  # the window answers meanwhile
    assert window.period_label.text() == "2nd semester 2026"
    # closed before the table is written: the window's status bar says where it went
    dialog.close()
    release.set()
    wait_idle(qtbot, window.session)
    assert (tmp_path / "t.xlsx").exists()
    assert window.statusBar().whole_message() == "Saved 2 rows in: t.xlsx"


def click_as_a_person(button) -> None:
    """A click through the window system, which a modal dialog blocks (as it blocks a
    person's click; QTest's widget click goes through regardless)."""
    from PySide6.QtTest import QTest

    top = button.window()
    QTest.mouseClick(top.windowHandle(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, button.mapTo(top, button.rect().center()))


def test_a_progress_bar_with_cancel_and_a_cancel_leaves_no_file(
        open_window, hq_db, qtbot, tmp_path, monkeypatch):
    """At headquarters the table takes seconds: a progress bar counts its rows, over
    the export dialog, and its Cancel (which the dialog does not block) stops it with
    no file written and nothing replaced; the dialog says so, no error."""
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    reference = tmp_path / "reference.xlsx"
    counted: list[tuple[int, int]] = []
    direct(hq_db, "xlsx", reference, period="2026-S1",
           progress=lambda done, total, _label: counted.append((done, total)))
    rows = counted[-1][1]  # the reports (and their indicator values)
    started, release = threading.Event(), threading.Event()
    real = fieldplan.tabular.write_table

    def held(rep, fmt, out, *, progress, cancel, **kwargs):
        def first_row_held(done, total, label):
            progress(done, total, label)
            if done == 1:
                started.set()
                release.wait(10)

        return real(rep, fmt, out, progress=first_row_held, cancel=cancel, **kwargs)

    monkeypatch.setattr(fieldplan.tabular, "write_table", held)
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    folder = tmp_path / "out"
    folder.mkdir()
    old = folder / "t.xlsx"
    old.write_bytes(b"the table of last week")
    dialog.export_to(str(old))
    qtbot.waitUntil(started.is_set)
    bar = window.findChild(QProgressDialog)
    qtbot.waitUntil(bar.isVisible)  # shown once the job has taken a moment
    assert bar.windowTitle() == bar.labelText() == "Writing the table…"
    qtbot.waitUntil(lambda: bar.maximum() == rows)  # a real bar, not a busy one
    assert dialog.message.text() == "Writing the table…"
    click_as_a_person(bar.findChild(QPushButton))  # its Cancel button
    release.set()
    wait_idle(qtbot, window.session)
    assert sorted(p.name for p in folder.iterdir()) == ["t.xlsx"]
    assert old.read_bytes() == b"the table of last week"
    assert not errors(window)
    assert dialog.message.text() == "The table was not written: the export was cancelled."
    assert dialog.save_button.isEnabled() and not dialog.open_button.isVisible()
    # and then written whole, the bar at its end
    save(dialog, qtbot, old)
    assert workbook_rows(old) == workbook_rows(reference)
    assert dialog.said() == f"Saved 2 rows in:\n{old}"
    dialog.close()


def test_open_the_file_or_its_folder(open_window, office_db, qtbot, tmp_path, monkeypatch):
    opened: list[QUrl] = []
    answer = [True]
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url) or answer[0]))
    window = open_window(office_db)
    dialog = open_dialog(window, qtbot)
    out = tmp_path / "t.xlsx"
    save(dialog, qtbot, out)
    # what comes next: Enter opens the table
    assert dialog.open_button.isVisible() and dialog.focusWidget() is dialog.open_button
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.folder_button, Qt.MouseButton.LeftButton)
    assert opened == [QUrl.fromLocalFile(str(out)), QUrl.fromLocalFile(str(tmp_path))]
    answer[0] = False  # no spreadsheet program
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    (message,) = errors(dialog)
    assert message.text.text() == (
        "No program to open t.xlsx was found. Open the folder and open it from there.")
    message.close()
    dialog.close()


def test_keyboard(open_window, office_db, qtbot):
    window = open_window(office_db)
    dialog = open_dialog(window, qtbot)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    for key, combo in ((Qt.Key.Key_P, dialog.period_combo), (Qt.Key.Key_L, dialog.lang_combo),
                       (Qt.Key.Key_T, dialog.format_combo)):
        qtbot.keyClick(dialog, key, Qt.KeyboardModifier.AltModifier)
        qtbot.waitUntil(combo.hasFocus)
    qtbot.keyClick(dialog.format_combo, Qt.Key.Key_Return)  # Enter: Save as…
    qtbot.waitUntil(lambda: dialog.findChild(QFileDialog, "save-table-dialog") is not None)
    dialog.findChild(QFileDialog, "save-table-dialog").reject()
    dialog.close()


def test_arabic_right_to_left(language, open_window, office_db, qtbot, tmp_path, spy):
    language("ar")
    window = open_window(office_db)
    dialog = open_dialog(window, qtbot)
    assert dialog.isRightToLeft()
    assert dialog.lang_combo.currentData() == "ar"  # the interface's language
    out = tmp_path / "t.xlsx"
    save(dialog, qtbot, out)
    assert spy[-1]["lang"] == "ar" and out.exists()
    # the file's path whole on a line of its own, left to right, on the layout's side
    # (inside the wrapped sentence a long one broke at a hyphen, its parts out of order)
    assert dialog.path_label.text() == f"\u200f\u2066{out}\u2069"
    assert dialog.path_label.isVisibleTo(dialog) and path_shown_whole(dialog.path_label)
    assert str(out) not in dialog.message.text()
    dialog.close()


def test_the_workbook_is_offered_for_spreadsheets(language):
    """A French or Arabic Excel opens a comma-separated file as one column: the CSV
    label no longer promises any spreadsheet, the workbook's does."""
    from ui.table_export import format_label

    for lang in ("en", "fr"):
        language(lang)
        assert "tableur" in format_label("xlsx") or "spreadsheet" in format_label("xlsx")
        assert "tableur" not in format_label("csv") and "spreadsheet" not in format_label("csv")


def test_arabic_file_types_read_right_to_left(language, monkeypatch):
    """".csv" showed as "csv." and "(.xlsx)" lost a bracket inside Arabic words; a
    label starting with "CSV" was laid out left to right."""
    import ui.table_export
    from ui.bidi import text_direction
    from ui.table_export import format_label

    language("ar")
    assert format_label("xlsx") == "مصنف \u2066Excel\u2069، لأي جدول بيانات (\u2066.xlsx\u2069)"
    assert "(\u2066.csv\u2069)" in format_label("hxl")
    monkeypatch.setattr(ui.table_export, "_", lambda text: {
        "CSV, comma-separated, for other programs ({suffix})":
            "CSV مفصول بفواصل، للبرامج الأخرى ({suffix})"}[text])
    label = format_label("csv")
    assert label.startswith("\u2066CSV\u2069")
    assert text_direction(label) == Qt.LayoutDirection.RightToLeft


def test_the_dialog_says_how_many_rows_the_plan_hides(open_window, hq_db, qtbot, tmp_path,
                                                     monkeypatch):
    """As the command line does: the rows marked in plan_hidden are counted, so that
    totals that differ from the review pack's are not a surprise."""
    real = fieldplan.tabular.write_table

    def one_hidden(rep, fmt, out, **kwargs):
        written = real(rep, fmt, out, **kwargs)
        return fieldplan.tabular.TableExport(written.rows, 1)

    monkeypatch.setattr(fieldplan.tabular, "write_table", one_hidden)
    window = open_window(hq_db)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    save(dialog, qtbot, tmp_path / "t.xlsx")
    # what the client shows, not the command line's `status`
    note = ("1 row is a report the current plan hides, marked in the column plan_hidden: "
            "the review pack, the status sheets and the dashboards leave it out.")
    assert dialog.said() == f"Saved 2 rows in:\n{tmp_path / 't.xlsx'}\n{note}"
    assert window.statusBar().whole_message() == f"Saved 2 rows in: t.xlsx {note}"


def test_the_hidden_rows_note_in_arabic_keeps_the_column_name_whole(language) -> None:
    """The column's name is the file's heading in every language, kept left to right
    in an Arabic sentence."""
    from ui.table_export import TableRequest, saved_text

    language("ar")
    text = saved_text(TableRequest(lang="ar"), 406, "t.xlsx", hidden=188)
    assert "\u2066plan_hidden\u2069" in text


def periods_offered(dialog) -> list[str]:
    combo = dialog.period_combo
    return [combo.itemData(i) for i in range(combo.count())]


def test_an_open_dialog_follows_a_plan_amendment(open_window, hq_db, qtbot, tmp_path, spy):
    """`fieldplan plan import` while the dialog is open (the window's minute look finds
    the new plan): the periods offered are the new plan's, the one chosen stays while
    the plan has it, else the nearest is chosen and the dialog says so; the file type
    and language chosen stay."""
    from tests.scenes import amend_plan

    window = open_window(hq_db)
    dialog = open_dialog(window, qtbot)
    choose(dialog.format_combo, "csv")
    choose(dialog.lang_combo, "fr")
    choose(dialog.period_combo, "2027-S2")
    assert not dialog.plan_note.isVisible()
    with open_replica(hq_db) as rep:  # the plan now ends with 2026
        amend_plan(rep, tmp_path, end="2026-12-31")
    window.poll()
    qtbot.waitUntil(lambda: "2027-S2" not in periods_offered(dialog), timeout=5000)
    wait_idle(qtbot, window.session)
    assert periods_offered(dialog) == ["2025-S2", "2026-S1", "2026-S2", ""]
    assert dialog.period_combo.currentData() == "2026-S2"
    assert dialog.period_combo.currentText() == "2nd semester 2026"
    assert (dialog.format_combo.currentData(), dialog.lang_combo.currentData()) == (
        "csv", "fr")
    assert dialog.plan_note.isVisible() and dialog.plan_note.text() == (
        "The plan is now version 2: 2nd semester 2027 is no longer in it, 2nd semester "
        "2026 is chosen instead.")
    save(dialog, qtbot, tmp_path / "t.csv")
    assert (spy[-1]["period"], spy[-1]["fmt"], spy[-1]["lang"]) == ("2026-S2", "csv", "fr")
    assert not errors(window)
    # all periods, chosen, stays all periods; a period the plan adds is offered
    choose(dialog.period_combo, "")
    with open_replica(hq_db) as rep:
        amend_plan(rep, tmp_path, end="2028-06-30")
    window.poll()
    qtbot.waitUntil(lambda: "2028-S1" in periods_offered(dialog), timeout=5000)
    wait_idle(qtbot, window.session)
    assert periods_offered(dialog) == ["2025-S2", "2026-S1", "2026-S2", "2027-S1",
                                       "2027-S2", "2028-S1", ""]
    assert dialog.period_combo.currentData() == ""
    dialog.close()


def test_a_period_the_plan_hides_is_offered_while_reports_are_held(
        open_window, three_reports, qtbot, tmp_path, spy):
    """An amendment moved the plan's dates (allowed to hide reports): the reports of
    the periods it left out are still exported, and each such period can be chosen
    alone, as ``data export --period`` can, said to be hidden, in time order. A
    period it hides that holds no report is not offered."""
    from fieldplan.progress import record_progress
    from tests.scenes import amend_plan

    with open_replica(three_reports) as rep:
        record_progress(rep, "PA1.6", "2027-S1", status="on-track", percent=10)
        amend_plan(rep, tmp_path, start="2026-01-01", end="2026-12-31")
    window = open_window(three_reports)
    window.set_period("2026-S1")
    dialog = open_dialog(window, qtbot)
    wait_idle(qtbot, window.session)
    assert periods_offered(dialog) == ["2025-S2", "2026-S1", "2026-S2", "2027-S1", ""]
    combo = dialog.period_combo
    assert [combo.itemText(i) for i in range(combo.count())] == [
        "2nd semester 2025 · hidden by the plan", "1st semester 2026", "2nd semester 2026",
        "1st semester 2027 · hidden by the plan", "All periods"]
    assert combo.currentData() == "2026-S1"  # the window's period stays chosen
    choose(dialog.format_combo, "csv")
    choose(combo, "2025-S2")
    assert dialog.request().file_name() == "progress-2025-S2-en.csv"
    save(dialog, qtbot, tmp_path / "got.csv")
    assert spy[-1]["period"] == "2025-S2"
    assert direct(three_reports, "csv", tmp_path / "ref.csv", period="2025-S2") == 1
    assert (tmp_path / "got.csv").read_bytes() == (tmp_path / "ref.csv").read_bytes()
    assert dialog.said().startswith(f"Saved 1 row in:\n{tmp_path / 'got.csv'}\n1 row "
                                            "is a report the current plan hides")
    assert not errors(window)
    dialog.close()


def test_a_period_chosen_stays_when_an_amendment_hides_it_with_its_reports(
        open_window, three_reports, qtbot, tmp_path):
    """The dialog open on 2025-S2 when the plan's new start leaves it out: its report
    is still exported, so it stays chosen, now said to be hidden, with no note."""
    from tests.scenes import amend_plan

    window = open_window(three_reports)
    window.set_period("2025-S2")
    dialog = open_dialog(window, qtbot)
    wait_idle(qtbot, window.session)
    assert dialog.period_combo.currentText() == "2nd semester 2025"
    with open_replica(three_reports) as rep:
        amend_plan(rep, tmp_path, start="2026-01-01")
    window.poll()
    qtbot.waitUntil(lambda: dialog.identity.plan.version == 2, timeout=5000)
    wait_idle(qtbot, window.session)
    assert dialog.period_combo.currentData() == "2025-S2"
    assert dialog.period_combo.currentText() == "2nd semester 2025 · hidden by the plan"
    assert periods_offered(dialog)[:2] == ["2025-S2", "2026-S1"]
    assert not dialog.plan_note.isVisible()
    dialog.close()


def test_the_table_has_the_typing_still_waiting_to_be_saved(open_window, office_db, qtbot,
                                                           tmp_path):
    """Typed, then File ▸ Export table… and a file chosen at once: the table was
    written before the half second after which typing is saved, without the last
    words. Asking for it saves them first."""
    import csv

    from tests.ui.test_office_work import choose as choose_report

    window = open_window(office_db)
    editor = choose_report(window, qtbot, "PA1.2", "2026-S2")
    qtbot.keyClicks(editor.narratives["achievements"], "Trained 45 officials")
    assert editor.busy()  # (waiting to be saved)
    dialog = open_dialog(window, qtbot)
    choose(dialog.format_combo, "csv")
    out = tmp_path / "table.csv"
    save(dialog, qtbot, out)
    with out.open(encoding="utf-8-sig", newline="") as f:
        assert any("Trained 45 officials" in cell for row in csv.reader(f) for cell in row)
    dialog.close()


def test_the_clients_save_dialogs_add_the_same_endings() -> None:
    """What a name typed without an ending gets in the client's Save dialogs is what
    the command line adds."""
    from fieldplan import files
    from ui.plan_files import PLAN_SUFFIXES
    from ui.table_export import SUFFIXES

    for fmt, suffix in SUFFIXES.items():
        assert files.FORMAT_SUFFIXES[fmt] == "." + suffix
    assert files.FORMAT_SUFFIXES["plan"] == "." + PLAN_SUFFIXES[0]
