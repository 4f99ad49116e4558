"""Where the person was in a database (tab, period, action, the office of HQ's last
status sheet) is that database's own; the language, the window's size and the paper
size stay the person's. Before, a new office (or the demo, or a second database opened
with --db) opened on the period and action last chosen in another database."""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QEvent, QObject, QSettings
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import wait_idle
from tests.ui.test_office_work import choose
from tests.ui.test_plan_amendment import import_in_window, office  # noqa: F401
from ui.window_settings import (
    KEEP_DATABASES,
    OPENED,
    REPORT_OFFICE,
    VIEW,
    carry_over,
    database_key,
    database_value,
    note_opened,
    remove_value,
    set_database_value,
    set_value,
    write_now,
)

OTHER_PERIOD = "2025-S2"


def shot(widget, name: str) -> None:
    """A picture of what the test shows, into FIELDPLAN_SHOTS when it is set."""
    folder = os.environ.get("FIELDPLAN_SHOTS")
    if folder:
        Path(folder).mkdir(exist_ok=True)
        assert widget.grab().save(str(Path(folder) / name))


@pytest.fixture
def open_shell(qtbot, settings):
    """open_shell(db) → a shell showing db's window (as the client starts on it); the
    window is closed and the shell shut down at the next call and after the test."""
    from ui.app import Shell

    made: list = []

    def close_last() -> None:
        if made:
            shell = made.pop()
            if shell.window is not None:
                shell.window.close()
            shell.shutdown()

    def open_(db: Path):
        close_last()
        shell = Shell(QApplication.instance(), settings)
        made.append(shell)
        shell.start(db)
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.isVisible(),
                        timeout=10_000)
        wait_idle(qtbot, shell.session)
        return shell.window

    yield open_
    close_last()


@pytest.fixture
def other_hq(tmp_path) -> Path:
    """A second headquarters database on the same computer."""
    from fieldplan.replica import init_hq

    path = tmp_path / "other" / "hq.sqlite3"
    path.parent.mkdir()
    init_hq(path).close()
    return path


def test_each_database_opens_where_the_person_was_in_it(open_shell, qtbot, hq_db,
                                                        other_hq, settings):
    window = open_shell(hq_db)
    window.set_period(OTHER_PERIOD)
    assert window.office_view.tree.select("PA3.6")
    wait_idle(qtbot, window.session)
    window = open_shell(other_hq)
    # its own start: today's period, not the other database's period and action
    assert window.period == window.identity.current_period() != OTHER_PERIOD
    current = window.office_view.tree.current_action()
    assert current is None or current.code != "PA3.6"
    shot(window, "other-database-opens-afresh.png")
    window = open_shell(hq_db)
    assert window.period == OTHER_PERIOD
    assert window.office_view.tree.current_action().code == "PA3.6"
    # the person's settings stay shared
    assert settings.contains("window/geometry") and not settings.contains(VIEW)


def test_an_earlier_releases_place_is_the_first_databases(open_shell, qtbot, hq_db,
                                                          other_hq, settings):
    """Kept for every database by an earlier release: the first database opened takes
    it, and it is that one's from then on."""
    settings.setValue(VIEW, {"tab": 0, "period": OTHER_PERIOD, "action": "PA3.6"})
    settings.setValue(REPORT_OFFICE, "HQ")
    window = open_shell(hq_db)
    assert window.period == OTHER_PERIOD
    assert window.office_view.tree.current_action().code == "PA3.6"
    assert not settings.contains(VIEW) and not settings.contains(REPORT_OFFICE)
    assert settings.value(database_key(window.identity.replica_id, REPORT_OFFICE)) == "HQ"
    first = window.identity.replica_id
    window = open_shell(other_hq)
    assert window.period != OTHER_PERIOD
    assert window.identity.replica_id != first
    window = open_shell(hq_db)
    assert window.period == OTHER_PERIOD


def test_the_status_sheets_office_is_the_databases_and_the_paper_the_persons(
        open_window, qtbot, hq_db, other_hq, tmp_path, settings, monkeypatch):
    from fieldplan.replica import open_replica
    from fieldplan.sync import enroll_office
    from tests.ui.test_report_preview import choose

    for db in (hq_db, other_hq):
        with open_replica(db) as rep:
            enroll_office(rep, "ML", tmp_path / f"ml-{rep.replica_id}.setup")
    built = []
    monkeypatch.setattr("ui.report_preview.generate",
                        lambda session, parent, request: built.append(request))
    first = open_window(hq_db)
    dialog = choose(first, "sheet")
    wait_idle(qtbot, first.session)
    dialog.office_combo.setCurrentIndex(dialog.office_combo.findData("ML"))
    dialog.paper_combo.setCurrentIndex(dialog.paper_combo.findData("Letter"))
    dialog.ok_button.click()
    assert [r.office for r in built] == ["ML"]
    second = open_window(other_hq)
    dialog = choose(second, "sheet")
    wait_idle(qtbot, second.session)
    assert dialog.office_combo.currentData() == "HQ"  # not the other database's ML
    assert dialog.paper_combo.currentData() == "Letter"  # the person's paper
    dialog.reject()
    dialog = choose(first, "sheet")
    wait_idle(qtbot, first.session)
    assert dialog.office_combo.currentData() == "ML"
    dialog.reject()


def test_headquarters_filters_and_dividers_are_the_databases_at_the_next_start(
        open_shell, qtbot, hq_db, other_hq, settings):
    """Headquarters' pages opened at each start with every filter cleared and their
    dividers back in the middle: the Reports' search, filters and report chosen, the
    Overview's filters and the Conflicts' divider are kept with the database's place
    (a page not shown is not made for them: it takes them when first shown)."""
    window = open_shell(hq_db)
    window.set_period("2026-S1")
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    reports.status.setCurrentIndex(reports.status.findData("at-risk"))
    reports.search.setText("statement")
    reports.search.clear()
    reports.office.setCurrentIndex(reports.office.findData("HQ"))
    reports.setSizes([200, 400])
    split = reports.sizes()
    overview = window.hq_desk.overview
    overview.level.setCurrentIndex(overview.level.findData("global"))
    overview.office.setText("HQ")
    conflicts = window.hq_desk.conflicts
    window.show_page(conflicts)
    conflicts.splitter.setSizes([100, 500])
    conflicts_split = conflicts.splitter.sizes()
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    window = open_shell(other_hq)  # another database: its own, none set
    reports = window.hq_desk.reports
    assert (reports.status.currentData(), reports.office.currentData()) == ("", "")
    window = open_shell(hq_db)
    assert not window.hq_desk._tabs["overview"].built()  # (not made before it is shown)
    reports = window.hq_desk.reports
    assert new_tab_shows(window, reports)
    assert (reports.status.currentData(), reports.office.currentData()) == ("at-risk", "HQ")
    assert reports.sizes() == split
    qtbot.waitUntil(lambda: reports.model.rowCount() == 1, timeout=5000)
    assert reports.model.row_at(0).action == "PA3.6"
    shot(window, "hq-reports-filters-kept.png")
    overview = window.hq_desk.overview
    assert (overview.level.currentData(), overview.office.text()) == ("global", "HQ")
    conflicts = window.hq_desk.conflicts
    window.show_page(conflicts)
    assert conflicts.splitter.sizes() == conflicts_split


def new_tab_shows(window, page) -> bool:
    return window.tabs.currentWidget().isAncestorOf(page)


def test_a_restored_database_keeps_the_settings_of_the_one_it_continues(settings):
    """A restore from a backup goes on as a new replica naming those it continues
    (Identity.replicas: its own first, then the earlier ones, oldest first)."""
    oldest = SimpleNamespace(replica_id="r1", replicas=("r1",))
    set_database_value(settings, oldest, VIEW, {"period": "2026-S1"})
    middle = SimpleNamespace(replica_id="r2", replicas=("r2", "r1"))
    set_database_value(settings, middle, VIEW, {"period": "2027-S1"})
    restored = SimpleNamespace(replica_id="r3", replicas=("r3", "r1", "r2"))
    assert database_value(settings, restored, VIEW) == {"period": "2027-S1"}  # the latest
    assert settings.value(database_key("r3", VIEW)) == {"period": "2027-S1"}
    stranger = SimpleNamespace(replica_id="r9", replicas=("r9",))
    assert database_value(settings, stranger, VIEW, "none") == "none"
    carry_over(settings, "r3", stranger)  # (a set-up-again)
    assert database_value(settings, stranger, VIEW) == {"period": "2027-S1"}


def test_settings_of_databases_long_unopened_are_forgotten(settings):
    """The settings file kept every database's settings forever (one set per new office,
    demo or restore): those of a database not opened for a year go, and no more than
    KEEP_DATABASES are kept, those opened last; the one open and those it continues
    stay."""
    import datetime as dt

    today = dt.date(2027, 3, 1)
    here = SimpleNamespace(replica_id="open", replicas=("open", "continued"))
    for replica in ("open", "continued", "gone", "undated"):
        set_database_value(settings, SimpleNamespace(replica_id=replica), VIEW, {"tab": 1})
    settings.setValue(database_key("continued", OPENED), "2024-01-01")
    settings.setValue(database_key("gone", OPENED), "2026-02-27")  # a year and a day
    for n in range(KEEP_DATABASES + 5):
        recent = SimpleNamespace(replica_id=f"recent{n:02}")
        set_database_value(settings, recent, REPORT_OFFICE, "ML")
        settings.setValue(database_key(recent.replica_id, OPENED),
                          (today - dt.timedelta(days=n)).isoformat())
    note_opened(settings, here, today)
    settings.beginGroup("databases")
    kept = set(settings.childGroups())
    settings.endGroup()
    assert len(kept) == KEEP_DATABASES and {"open", "continued"} <= kept
    assert "gone" not in kept and not settings.contains(database_key("gone", VIEW))
    # an earlier release's (no day noted): of too many, it goes first
    assert "undated" not in kept
    assert kept - {"open", "continued"} == {f"recent{n:02}" for n in range(KEEP_DATABASES - 2)}
    assert settings.value(database_key("open", OPENED)) == "2027-03-01"
    assert database_value(settings, here, VIEW) == {"tab": 1}


def test_an_undated_databases_settings_are_kept_a_year_from_now(settings):
    import datetime as dt

    set_database_value(settings, SimpleNamespace(replica_id="undated"), VIEW, {"tab": 1})
    note_opened(settings, SimpleNamespace(replica_id="open"), dt.date(2027, 3, 1))
    assert settings.value(database_key("undated", OPENED)) == "2027-03-01"
    note_opened(settings, SimpleNamespace(replica_id="open"), dt.date(2028, 2, 29))
    assert settings.contains(database_key("undated", VIEW))  # 365 days on
    note_opened(settings, SimpleNamespace(replica_id="open"), dt.date(2028, 3, 1))
    assert not settings.contains(database_key("undated", VIEW))


def test_opening_a_database_notes_the_day(open_shell, hq_db, settings):
    import datetime as dt

    window = open_shell(hq_db)
    assert settings.value(database_key(window.identity.replica_id, OPENED)) == \
        dt.date.today().isoformat()


def test_the_offices_divider_is_the_databases_at_the_next_start(open_shell, qtbot, office_db):
    """The divider between the plan and the report went back to its first place at
    each start (a person who widened the plan to read its titles did so every day)."""
    window = open_shell(office_db)
    splitter = window.office_view.splitter
    splitter.setSizes([700, 300])
    split = splitter.sizes()
    assert split != [540, 680]  # (not where it starts)
    wait_idle(qtbot, window.session)
    window = open_shell(office_db)
    assert window.office_view.splitter.sizes() == split


def test_a_clock_years_ahead_forgets_no_databases_settings(settings, monkeypatch):
    """The day is the clock writes are stamped with; set years ahead (4199), it would
    make every other database look unopened for years."""
    import datetime as dt

    from fieldplan import events

    for replica, day in (("open", "2026-12-01"), ("other", "2026-11-20")):
        set_database_value(settings, SimpleNamespace(replica_id=replica), VIEW, {"tab": 1})
        settings.setValue(database_key(replica, OPENED), day)
    ahead = dt.datetime(4199, 11, 23, 12, tzinfo=dt.UTC).timestamp() * 1000
    monkeypatch.setattr(events, "wall_ms", lambda: int(ahead))
    note_opened(settings, SimpleNamespace(replica_id="open"))
    assert settings.value(database_key("open", OPENED)) == "4199-11-23"
    assert settings.contains(database_key("other", VIEW))
    # the clock put right: the day noted ahead counts as today, not as a day to come
    monkeypatch.setattr(events, "wall_ms", lambda: int(
        dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC).timestamp() * 1000))
    note_opened(settings, SimpleNamespace(replica_id="other"))
    assert settings.contains(database_key("open", VIEW))
    assert settings.value(database_key("other", OPENED)) == "2026-12-07"


def test_a_clock_years_ahead_forgets_no_databases_settings_at_the_next_opening(settings):
    """The clock stays ahead: the database open is opened again the next day. Its day
    noted at the first opening (4199) is no jump, and the other's (2026) was forgotten
    then as unopened for two thousand years."""
    import datetime as dt

    for replica, day in (("open", "2026-12-01"), ("other", "2026-11-20"),
                         ("stale", "2025-10-01")):
        set_database_value(settings, SimpleNamespace(replica_id=replica), VIEW, {"tab": 1})
        settings.setValue(database_key(replica, OPENED), day)
    here = SimpleNamespace(replica_id="open")
    note_opened(settings, here, dt.date(4199, 11, 23))
    note_opened(settings, here, dt.date(4199, 11, 24))
    assert settings.contains(database_key("other", VIEW))
    # (their ages between them are kept: one unopened for over a year before the
    # jump is forgotten as it would have been)
    assert not settings.contains(database_key("stale", VIEW))
    # a year on by that clock, the other, never opened again, goes as any would
    note_opened(settings, here, dt.date(4200, 11, 24))
    assert not settings.contains(database_key("other", VIEW))
    assert settings.contains(database_key("open", VIEW))


def test_a_clock_gone_back_forgets_no_databases_settings(settings):
    """A flat battery: opened on 1 January 2000, then the date put right. The day noted
    (2000) made the database look unopened for 26 years at the next right opening, and
    its settings went; a clock in 2000 forgets nothing either."""
    import datetime as dt

    for replica, day in (("a", "2026-12-01"), ("b", "2026-11-20"), ("c", "2000-01-01")):
        set_database_value(settings, SimpleNamespace(replica_id=replica), VIEW, {"tab": 1})
        settings.setValue(database_key(replica, OPENED), day)
    note_opened(settings, SimpleNamespace(replica_id="a"), dt.date(2000, 1, 1))
    assert settings.value(database_key("a", OPENED)) == "2026-12-01"
    note_opened(settings, SimpleNamespace(replica_id="b"), dt.date(2026, 12, 7))
    for replica in ("a", "b", "c"):
        assert settings.contains(database_key(replica, VIEW)), replica
    assert settings.value(database_key("c", OPENED)) == "2026-12-07"


def test_the_place_is_on_the_disk_as_it_changes_not_only_at_closing(open_shell, qtbot,
                                                                     hq_db, settings):
    """Kept at closing only: a window killed (a power cut) opened again on the report of
    the last clean closing, not the one being typed in. What another program reads of
    the settings file while the window is open is where the person is."""
    def on_disk() -> dict:
        return database_value(QSettings(settings.fileName(), QSettings.Format.IniFormat),
                              window.identity, VIEW) or {}

    window = open_shell(hq_db)
    window.set_period(OTHER_PERIOD)
    assert window.office_view.tree.select("PA3.6")
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: (on_disk().get("period"), on_disk().get("action"))
                    == (OTHER_PERIOD, "PA3.6"), timeout=5000)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: on_disk().get("tab") == 1, timeout=5000)


def test_the_place_is_written_off_the_gui_thread(open_shell, qtbot, hq_db, settings,
                                                 monkeypatch):
    """Qt writes a settings file with an fdatasync, which waits for the disk. The place
    was written on the GUI thread at each change of tab, report, period or filter: a
    laptop's disk busy with an import's backup froze the window each time. Then on a
    Python thread, which held Python's lock through QSettings.sync (PySide does): the
    GUI thread waited as long. It is written by Qt on a thread that runs no Python, and
    the window reads it at once."""
    window = open_shell(hq_db)
    qtbot.waitUntil(lambda: window.painted, timeout=5000)
    syncs = sync_threads(monkeypatch)
    qts_own = QtsOwnWrites(settings)
    window.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: place_on_disk(settings, window).get("tab") == 1, timeout=5000)
    assert syncs == [] and qts_own.count == 0
    assert database_value(settings, window.identity, VIEW)["tab"] == 1
    # closing writes the place itself, after the write under way: not undone by it
    window.tabs.setCurrentIndex(2)
    window.close()
    assert database_value(settings, window.identity, VIEW)["tab"] == 2
    write_now()
    assert place_on_disk(settings, window)["tab"] == 2


def place_on_disk(settings: QSettings, window) -> dict:
    """Where ``window``'s person is, as another program reads the settings file now."""
    return database_value(on_disk(settings), window.identity, VIEW) or {}


def on_disk(settings: QSettings) -> QSettings:
    """The settings file as another program reads it now. (Every QSettings of this
    process on the same file shares its values, written or not: a copy is read.)"""
    on_disk.copies += 1
    copy = Path(f"{settings.fileName()}.read-{on_disk.copies}")
    if Path(settings.fileName()).exists():
        shutil.copyfile(settings.fileName(), copy)
    return QSettings(str(copy), QSettings.Format.IniFormat)


on_disk.copies = 0


class QtsOwnWrites(QObject):
    """Counts the writes Qt makes of ``settings`` by itself: at a change, a QSettings
    posts itself an UpdateRequest, at which it writes its file, with an fdatasync that
    waits for the disk, on its own thread (the GUI's)."""

    def __init__(self, settings: QSettings) -> None:
        super().__init__()
        self.count = 0
        settings.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            self.count += 1
        return False


def sync_threads(monkeypatch) -> list[int]:
    """The threads that call QSettings.sync from Python, as they do: PySide holds
    Python's lock through it, and the GUI thread waits for its fdatasync."""
    syncs: list[int] = []
    real = QSettings.sync
    monkeypatch.setattr(QSettings, "sync",
                        lambda self: (syncs.append(threading.get_ident()), real(self))[1])
    return syncs


def test_a_setting_is_written_off_the_gui_thread_and_read_at_once(qtbot, settings,
                                                                  monkeypatch):
    """Every setting the client changes as it runs (a folder chosen, the window's size,
    the language) is written on a thread of its own that runs no Python: Qt's own
    write, on the GUI thread, waited for the disk. Read at once by every QSettings of
    the program; written in order, the last value kept; nothing left unwritten by the
    client's end."""
    from PySide6.QtCore import QThread

    import ui.window_settings

    qts_own = QtsOwnWrites(settings)
    syncs = sync_threads(monkeypatch)
    other = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    for n in range(1, 4):
        set_value(settings, "bundles/import-folder", f"/media/stick{n}")
    set_value(settings, "gone", 1)
    remove_value(settings, "gone")
    assert other.value("bundles/import-folder") == "/media/stick3"
    assert not other.contains("gone")
    qtbot.waitUntil(lambda: on_disk(settings).value("bundles/import-folder")
                    == "/media/stick3", timeout=5000)
    assert not on_disk(settings).contains("gone")
    QApplication.processEvents()
    assert qts_own.count == 0 and syncs == []
    writer = ui.window_settings._writers[(settings.fileName(), settings.format())]
    assert writer.thread() is not QThread.currentThread()
    # changed and the client ended before the next turn of the event loop: written
    set_value(settings, "language", "ar")
    write_now()
    assert on_disk(settings).value("language") == "ar"


def test_no_setting_is_written_on_the_gui_thread_as_the_window_runs(
        qtbot, hq_db, settings, monkeypatch):
    """A window's opening (the day noted), a language change (the language, the
    window's size), View ▸ Larger list and the closing: the settings file was written on
    the GUI thread after each, by Qt, with an fdatasync that waits for the disk."""
    from ui.app import Shell

    qts_own = QtsOwnWrites(settings)
    syncs = sync_threads(monkeypatch)
    shell = Shell(QApplication.instance(), settings)
    try:
        shell.start(hq_db)
        qtbot.waitUntil(lambda: shell.window is not None and shell.window.painted,
                        timeout=10_000)
        wait_idle(qtbot, shell.session)
        identity = shell.window.identity
        qtbot.waitUntil(lambda: on_disk(settings).contains(
            database_key(identity.replica_id, OPENED)), timeout=5000)
        shell.change_language("fr")
        wait_idle(qtbot, shell.session)
        qtbot.waitUntil(lambda: on_disk(settings).value("language") == "fr"
                        and on_disk(settings).contains("window/geometry"), timeout=5000)
        window = shell.window
        qtbot.waitUntil(lambda: window.painted, timeout=5000)
        before = place_on_disk(settings, window)
        assert window.move_divider(larger=True)
        qtbot.waitUntil(lambda: place_on_disk(settings, window) not in ({}, before),
                        timeout=5000)
        assert place_on_disk(settings, window) == window.view_state()
        QApplication.processEvents()
        assert qts_own.count == 0 and syncs == []
        window.tabs.setCurrentIndex(1)
        window.close()
    finally:
        shell.shutdown()
    # the closing's place, written as the client ends (it may wait, then)
    assert place_on_disk(settings, window)["tab"] == 1
    assert qts_own.count == 0 and set(syncs) == {threading.get_ident()}


def test_every_settings_change_of_the_client_is_written_off_the_gui_thread():
    """A QSettings changed directly is written by Qt on the GUI thread: every change
    goes through ui.window_settings.set_value or remove_value."""
    ui = Path(__file__).resolve().parents[2] / "ui"
    direct = [f"{path.name}:{number}"
              for path in sorted(ui.glob("*.py")) if path.name != "window_settings.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"settings\.(setValue|remove|clear)\(", line)]
    assert direct == []


def test_an_amendment_that_moves_the_action_writes_the_place(open_window, qtbot, office,  # noqa: F811
                                                              settings):
    """The tree is rebuilt with its signals blocked for a new plan: an amendment that
    renamed the action chosen (the one now in its place shown) wrote no place until
    the next change or closing, and a window killed meanwhile opened on an action the
    plan no longer has."""
    bn, amend = office
    bundle = amend(rename={"PA1.3": "PA1.7"})
    window = open_window(bn)
    choose(window, qtbot, "PA1.3", "2026-S1")
    qtbot.waitUntil(lambda: place_on_disk(settings, window).get("action") == "PA1.3",
                    timeout=5000)
    import_in_window(window, qtbot, bundle).close()
    qtbot.waitUntil(lambda: window.office_view.tree.current_action().code == "PA1.7",
                    timeout=5000)
    qtbot.waitUntil(lambda: place_on_disk(settings, window).get("action") == "PA1.7",
                    timeout=5000)
    assert place_on_disk(settings, window)["period"] == "2026-S1"


def test_headquarters_filters_and_dividers_are_on_the_disk_as_they_change(
        open_shell, qtbot, hq_db, settings, monkeypatch):
    """Written at closing only: a headquarters window killed (a power cut) opened again
    with the filters and dividers of the last clean closing. Written as the place is, a
    moment after the last change: a drag of a divider is one write, not one a pixel."""
    import ui.window_settings

    def kept(page: str) -> dict:
        return place_on_disk(settings, window).get("hq", {}).get(page, {})

    window = open_shell(hq_db)
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    reports.status.setCurrentIndex(reports.status.findData("at-risk"))
    qtbot.keyClicks(reports.search, "statement")
    qtbot.waitUntil(lambda: (kept("reports").get("status"), kept("reports").get("search"))
                    == ("at-risk", "statement"), timeout=5000)
    writes = []
    real = ui.window_settings.set_database_value
    monkeypatch.setattr(ui.window_settings, "set_database_value",
                        lambda *args: (writes.append(args), real(*args)))
    top = reports.sizes()[0]
    for pixel in range(1, 41):  # a drag of the divider, 40 pixels up
        reports.moveSplitter(top - pixel, 1)
    split = reports.sizes()
    assert split[0] == top - 40
    qtbot.waitUntil(lambda: kept("reports").get("split") == split, timeout=5000)
    assert len(writes) == 1
    # by keyboard too (View ▸ Larger list)
    assert window.move_divider(True)
    split = reports.sizes()
    qtbot.waitUntil(lambda: kept("reports").get("split") == split, timeout=5000)
    overview = window.hq_desk.overview
    window.show_page(overview)
    overview.level.setCurrentIndex(overview.level.findData("global"))
    qtbot.keyClicks(overview.office, "HQ")
    qtbot.waitUntil(lambda: (kept("overview").get("level"), kept("overview").get("office"))
                    == ("global", "HQ"), timeout=5000)
    conflicts = window.hq_desk.conflicts
    window.show_page(conflicts)
    conflicts.splitter.moveSplitter(150, 1)
    split = conflicts.splitter.sizes()
    qtbot.waitUntil(lambda: kept("conflicts").get("split") == split, timeout=5000)
    # the Progress page's divider, an office's too
    window.tabs.setCurrentIndex(0)
    splitter = window.office_view.splitter
    splitter.moveSplitter(splitter.sizes()[0] + 60, 1)
    split = splitter.sizes()
    qtbot.waitUntil(lambda: (place_on_disk(settings, window).get("tab"),
                             place_on_disk(settings, window).get("split")) == (0, split),
                    timeout=5000)
    # the same place again (a page read again, its report chosen again) is not written
    reports.search.clear()
    reports.status.setCurrentIndex(reports.status.findData(""))
    reports.scope.setCurrentIndex(reports.scope.findData(""))
    reports.view.setCurrentIndex(reports.model.index(0, 0))
    chosen = list(reports._chosen())
    qtbot.waitUntil(lambda: kept("reports").get("chosen") == chosen, timeout=5000)
    count = len(writes)
    reports.refresh()
    wait_idle(qtbot, window.session)
    qtbot.waitUntil(lambda: not window._place_timer.isActive(), timeout=5000)
    assert len(writes) == count


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_settings_of_the_registry_or_the_system_preferences_keep_qts_own_way(
        qtbot, tmp_path, monkeypatch, platform):
    """On Windows (the registry) and macOS (the system's preferences) each change is
    handed to the system as it is made, and a QSettings opened on the same path would
    share none of the window's: no writer of its own is made, the value is kept as Qt
    keeps it."""
    import ui.window_settings

    monkeypatch.setattr("sys.platform", platform)
    native = QSettings(str(tmp_path / "native.conf"), QSettings.Format.NativeFormat)
    before = dict(ui.window_settings._writers)
    set_value(native, "bundles/import-folder", "E:/")
    assert native.value("bundles/import-folder") == "E:/"
    assert ui.window_settings._writers == before


@pytest.mark.parametrize("kept", [
    {"tab": None}, {"tab": [1]}, {"tab": "Reports"}, {"tab": float("nan")},
    {"split": [1e300, 300]}, {"split": [float("inf"), 300]}, {"split": ["9" * 5000, 300]},
], ids=["tab-none", "tab-list", "tab-text", "tab-nan", "split-huge", "split-inf",
        "split-digits"])
def test_a_damaged_place_in_the_settings_file_opens_the_window_as_a_first_start(
        open_shell, hq_db, settings, kept):
    """Found by fuzzing the settings file: a place kept there whose tab was not a number
    (a damaged or hand-edited file) raised TypeError where the window opens, and one
    whose divider was past what Qt holds (1e300, infinity) OverflowError: the client
    never showed its window, at every start, until the file was deleted. Such a value
    is left, as a list of the wrong length is."""
    settings.setValue(VIEW, {"period": OTHER_PERIOD, **kept})
    window = open_shell(hq_db)
    assert window.isVisible() and window.period == OTHER_PERIOD  # (the rest is taken)
    assert window.tabs.currentIndex() == 0
    assert min(window.office_view.splitter.sizes()) > 0


def test_a_tab_kept_as_text_is_taken(open_shell, hq_db, settings):
    """Some settings formats give a number back as its text."""
    settings.setValue(VIEW, {"tab": "1"})
    window = open_shell(hq_db)
    assert window.tabs.currentIndex() == 1


def test_a_damaged_report_chosen_in_the_settings_file_leaves_the_reports_page_whole(
        open_shell, qtbot, hq_db, settings):
    """Found by fuzzing the settings file: the Reports page's report chosen kept as a
    number (a damaged or hand-edited file) raised TypeError when the page was first
    shown, which then stayed empty. It is left, as no report chosen is."""
    settings.setValue(VIEW, {"hq": {"reports": {"chosen": 5, "status": "at-risk"}}})
    window = open_shell(hq_db)
    reports = window.hq_desk.reports
    window.show_page(reports)
    wait_idle(qtbot, window.session)
    assert new_tab_shows(window, reports)
    assert reports.status.currentData() == "at-risk"  # (the rest is taken)
