"""Fixtures for the Qt client's tests: offscreen Qt, isolated settings, databases made
with the core, and a guard that fails any test leaving a thread or timer running
(like napari's conftest)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path
from weakref import WeakSet

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, QThread, QTimer


@pytest.fixture(scope="session", autouse=True)
def _collect_on_the_gui_thread(qapp):
    """As the client does (ui.collector): cycles holding widgets are never collected
    on a worker thread, where Qt crashes."""
    from ui.collector import collect_on_gui_thread

    collector = collect_on_gui_thread(qapp)
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _no_window_outlives_its_test(qapp):
    """The windows a test made (not those there before it) deleted once it is done,
    with all they hold; and those pytest-qt closed and left to Qt's deferred deletion
    (``qtbot.addWidget``), which only an event loop run later did, if one did. Closed
    and left alive, they heard the next tests' font and language changes, and once
    Python's collector had cleared their Python side (ui.collector) each override read
    attributes that were gone: a test that changed the application's font failed, and
    every one after it. (Declared before the other guards: torn down after them and
    after every fixture of the test, which may still close its windows.)"""
    import shiboken6
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    def key(widget) -> int:
        return shiboken6.getCppPointer(widget)[0]

    before = {key(w) for w in QApplication.topLevelWidgets()}
    yield
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    for widget in QApplication.topLevelWidgets():
        # (a window of another's, a dialog or a menu, goes with its owner; Qt's own
        # pop-ups, a tooltip's label, are Qt's to delete)
        if (key(widget) not in before and widget.parentWidget() is None
                and shiboken6.createdByPython(widget)):
            widget.hide()
            widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def _no_dangling_threads_or_timers(monkeypatch, request):
    """Fail a test that leaves a QThread running, a file being written or a QTimer
    active."""
    from ui.ops import Worker

    threads: WeakSet = WeakSet()
    timers: WeakSet = WeakSet()
    thread_start, timer_start = QThread.start, QTimer.start
    worker_start = Worker.start

    def start_thread(self, *args, **kwargs):
        threads.add(self)
        return thread_start(self, *args, **kwargs)

    def start_worker(self):  # (the database's worker: a daemon thread, not a QThread)
        threads.add(self)
        return worker_start(self)

    def start_timer(self, *args, **kwargs):
        timers.add(self)
        return timer_start(self, *args, **kwargs)

    monkeypatch.setattr(QThread, "start", start_thread)
    monkeypatch.setattr(Worker, "start", start_worker)
    monkeypatch.setattr(QTimer, "start", start_timer)
    yield
    import shiboken6

    # (the thread the settings file is written on lives with the process: it runs no
    # Python, and the client's end stops it, ui.window_settings.write_now)
    running = [t for t in threads if shiboken6.isValid(t) and t.isRunning()
               and t.objectName() != "fieldplan-settings"]
    # (nor the collector's timer: it lives with the application, stopped while it is
    # idle and started again as it wakes, ui.collector)
    from ui.collector import TIMER_NAME

    active = [t for t in timers if shiboken6.isValid(t) and t.isActive()
              and t.objectName() != TIMER_NAME]
    for t in running:  # do not let one test's thread break the next one
        if isinstance(t, Worker):
            t.submit(None)
        else:
            t.quit()
        t.wait(2000)
    for t in active:
        t.stop()
    # a file still being written on a thread of its own (ui.ops.OffThread)
    from ui.ops import off_thread_jobs

    writing = [j for j in off_thread_jobs() if not j.thread.daemon and j.thread.is_alive()]
    for job in writing:
        job.thread.join(15)  # (a loaded CI machine: a write may take seconds)
    # (those still writing once waited for: a write that ended meanwhile is no leak)
    writing = [j for j in writing if j.thread.is_alive()]
    assert not running, f"test left {len(running)} thread(s) running"
    assert not writing, f"test left {len(writing)} file(s) being written"
    assert not active, f"test left {len(active)} timer(s) active"


@pytest.fixture(autouse=True)
def _english():
    from fieldplan.i18n import set_language

    set_language("en")
    yield
    set_language("en")


@pytest.fixture
def language(qapp):
    """Switch the client's language for one test: ``language("ar")``; English again
    after."""
    from ui.app import apply_language

    yield lambda code: apply_language(qapp, code)
    apply_language(qapp, "en")


#: the languages a test given ``in_language`` runs in, unless its module names fewer
#: (``LANGUAGES = ("en", "ar")``)
LANGUAGES = ("en", "fr", "ar")


def pytest_generate_tests(metafunc):
    if "in_language" in metafunc.fixturenames:
        metafunc.parametrize("in_language", getattr(metafunc.module, "LANGUAGES", LANGUAGES),
                             indirect=True)


@pytest.fixture
def in_language(request, qapp):
    """The client switched to one language, once for each of ``LANGUAGES``: its code;
    English again after."""
    from ui.app import apply_language

    apply_language(qapp, request.param)
    yield request.param
    apply_language(qapp, "en")


@pytest.fixture
def settings(tmp_path) -> QSettings:
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def hq_db(tmp_path) -> Path:
    """An HQ database with a few global reports."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import init_hq

    path = tmp_path / "hq.sqlite3"
    with init_hq(path, author="hq.desk") as rep:
        record_progress(
            rep,
            "PA1.6",
            "2026-S1",
            status="on-track",
            percent=40,
            achievements="Joint statement drafted",
        )
        record_progress(rep, "PA3.6", "2026-S1", status="at-risk", percent=10)
    return path


@pytest.fixture
def pack_pdf(hq_db, tmp_path) -> Path:
    """The review pack of ``hq_db`` for 2026-S1, as a PDF file."""
    import fieldplan.reports
    from fieldplan.replica import open_replica

    out = tmp_path / "pack.pdf"
    with open_replica(hq_db) as rep:
        fieldplan.reports.build_review_pack(rep, "2026-S1", out)
    return out


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory) -> Path:
    """A demo world (HQ, 6 offices, their bundles), made once per run."""
    pytest.importorskip("fieldplan.demo")
    from fieldplan.demo import make_demo

    out = tmp_path_factory.mktemp("demo") / "world"
    make_demo(out, offices=6, seed=3)
    return out


@pytest.fixture
def office_db(tmp_path) -> Path:
    """A country office (SN) enrolled with a fresh HQ."""
    pytest.importorskip("fieldplan.sync")
    from fieldplan.replica import init_hq
    from fieldplan.sync import enroll_office, init_from_setup

    hq_path = tmp_path / "hq" / "hq.sqlite3"
    hq_path.parent.mkdir()
    with init_hq(hq_path) as hq:
        enroll_office(hq, "SN", tmp_path / "setup.fieldplan")
    path = tmp_path / "sn.sqlite3"
    init_from_setup(path, tmp_path / "setup.fieldplan").close()
    return path


@pytest.fixture
def open_window(qtbot, settings):
    """Open a main window on a database; waits until its first loads are done and
    closes it (and its worker thread) afterwards."""
    from ui.context import read_identity
    from ui.main_window import MainWindow
    from ui.ops import DbOp, Session

    made = []

    def make(db: Path):
        session = Session(db)
        got = []
        DbOp(session, None, read_identity).success(got.append).run()
        qtbot.waitUntil(lambda: bool(got), timeout=10_000)
        window = MainWindow(session, got[0], settings)
        qtbot.addWidget(window)
        window.show()
        made.append((window, session))
        wait_idle(qtbot, session)
        return window

    yield make
    for window, session in made:
        window.close()
        session.close()


def wait_idle(qtbot, session, timeout: int = 10_000) -> None:
    """Wait until every queued database job has come back."""
    qtbot.waitUntil(lambda: session.pending == 0, timeout=timeout)


def backups_checked(qtbot, dialog, timeout: int = 10_000):
    """``dialog`` (first run, cannot open) once its backups are checked, on a thread of
    their own: the restore offered, or why it cannot be said."""
    from PySide6.QtCore import QCoreApplication, QEvent

    qtbot.waitUntil(lambda: not dialog.checking(), timeout=timeout)
    # (the first run's widgets are made again: those of the wait gone)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return dialog


def wait_painted(qtbot, window, timeout: int = 10_000) -> None:
    """Wait until ``window`` has been painted once (``MainWindow.painted``): what it
    leaves until then (the report pane's Tab stop, heading rows, the divider's keys,
    the sync timer) is as a person finds it. ``open_window`` waits for the database
    only: on a busy machine its first paint can come after."""
    qtbot.waitUntil(lambda: window.painted, timeout=timeout)


def error_box(qtbot, window):
    """The warning box (``MainWindow.show_error``) ``window`` shows, once it is up."""
    from ui.dialogs import MessageDialog

    qtbot.waitUntil(lambda: window.findChild(MessageDialog, "error-box") is not None,
                    timeout=5000)
    return window.findChild(MessageDialog, "error-box")


def read_once_shown(window, qtbot, page, read: list[int], meanwhile=None) -> None:
    """A page that reads again only once shown (``ui.hq_desk.ReadWhenShown``): with
    another tab shown (and ``meanwhile`` done then), three changes read nothing; shown,
    it reads once, on the database's thread. ``read``: the thread of each of its
    readings, as the test records them."""
    import threading

    from fieldplan.replica import Changes
    from ui.qtcompat import emit

    window.show_page(window.office_view)
    if meanwhile is not None:
        meanwhile()
    for _ in range(3):
        emit(window.session.changes_did_happen, Changes(entities=(("progress", "*"),)))
    wait_idle(qtbot, window.session)
    assert read == [] and page.stale
    window.show_page(page)
    qtbot.waitUntil(lambda: len(read) == 1, timeout=5000)
    wait_idle(qtbot, window.session)
    assert read[0] != threading.main_thread().ident and not page.stale


@pytest.fixture
def shell(qtbot, settings):
    """The application shell (first-run, window, dialogs), shut down after the test."""
    from PySide6.QtWidgets import QApplication

    from ui.app import Shell

    made = Shell(QApplication.instance(), settings)
    yield made
    if made.window is not None:
        made.window.close()
    if made.dialog is not None:
        made.dialog.close()
    made.shutdown()
    # the dialogs the shell opened over its window (the own key dialog after a set-up)
    # stay shown when it closes: a later test counting dialogs would find them
    from PySide6.QtWidgets import QDialog

    for top in QApplication.topLevelWidgets():
        if isinstance(top, QDialog) and top.isVisible():
            top.close()


@pytest.fixture
def font_size(qapp):
    """Set the application's font size in points, for one test."""
    from PySide6.QtGui import QFont

    before = QFont(qapp.font())

    def size(points: float) -> None:
        font = QFont(before)
        font.setPointSizeF(points)
        qapp.setFont(font)

    yield size
    qapp.setFont(before)


def path_shown_whole(label) -> bool:
    """A path label (ui.path_label.PathLabel) shows all of its path: wrapped at its
    width (a long path no longer widens the dialog), as high as its lines."""
    return label.wordWrap() and label.height() >= label.heightForWidth(label.width())


@pytest.fixture
def announced(monkeypatch) -> list[str]:
    """The messages of the announcement events sent to assistive technology."""
    from PySide6.QtGui import QAccessible

    said: list[str] = []
    update = QAccessible.updateAccessibility

    def record(event) -> None:
        if event.type() == QAccessible.Event.Announcement:
            said.append(event.message())
        update(event)

    monkeypatch.setattr(QAccessible, "updateAccessibility", record)
    return said
