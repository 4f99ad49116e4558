"""Soak test of the desktop client (run on demand, not in the suite):

    QT_QPA_PLATFORM=offscreen python tests/bench/soak_ui.py [--rounds 60] [--only office|hq|idle]

Country offices and headquarters keep the window open for days. This drives one
window (through ui.app.Shell, as the client runs) round after round, as a person
works, and after each round measures what a leak would make grow: resident memory,
open file descriptors (and those on .sqlite3 files: the connections), threads,
widgets, Qt objects of the window, Python wrappers of Qt objects (and those of
objects Qt deleted, which something still holds), sqlite3 connections alive, files
in the temp folder, the report cache (one PDF a report, removed after a day: it grows
by design), the database's folder (backups: rotated) and the state folders, the
receivers of the session's signals (a handler connected again on each open runs N
times).

- office round: another action and period, typing and Save now, the status sheet
  built, previewed, printed to a PDF file, saved as a copy and closed, a bundle
  exported to a folder, an HQ bundle imported, each menu dialog opened and closed
  (This computer's key, Sync and Saving details, About, Export table, Submit), every
  tab shown, the language en → fr → ar → en;
- HQ round: the offices' bundles imported, every page shown, the Overview and
  Reports filtered, the review pack built, previewed and closed, the lock dialog
  opened and cancelled, the Enrol, Export and Export table dialogs opened and
  closed, the language en → fr → ar → en;
- idle round (an office's window left open): another program writes to the
  database, the window's timers look at it 30 times and read the sync state.

It prints each round's figures and, at the end, the growth per round over the second
half (after the caches have filled), and the widget classes whose count grew.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _isolate(base: Path) -> Path:
    """Settings, data, cache and temp files under ``base`` (the temp folder counted),
    new for each run: a database copied again from the demo world is not one that
    went back to an older copy (fieldplan.writemark)."""
    base = base / "env"
    shutil.rmtree(base, ignore_errors=True)
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        (base / name).mkdir(parents=True, exist_ok=True)
        os.environ[name] = str(base / name)
    tmp = base / "tmp"
    tmp.mkdir(exist_ok=True)
    os.environ["TMPDIR"] = str(tmp)
    tempfile.tempdir = str(tmp)
    os.environ["HOME"] = str(base / "home")
    (base / "home").mkdir(exist_ok=True)
    return tmp


def wait(pred, timeout: float = 30.0, what: str = "") -> None:
    from PySide6.QtTest import QTest

    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            from PySide6.QtWidgets import QApplication

            shown = [(type(w).__name__, w.objectName(), w.windowTitle(),
                      getattr(w, "text", lambda: "")())
                     for w in QApplication.topLevelWidgets() if w.isVisible()]
            raise TimeoutError(f"{what or getattr(pred, '__name__', 'condition')}; "
                               f"windows shown: {shown}")
        QTest.qWait(5)


def settle() -> None:
    """Deferred deletions done, cycles collected (as the client's collector would)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtTest import QTest

    for _ in range(3):
        QTest.qWait(20)
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()


def count_files(folder: Path) -> int:
    return sum(len(files) for _root, _dirs, files in os.walk(folder)) if folder.exists() else 0


class Meter:
    """The figures of one moment."""

    def __init__(self, shell, tmp: Path) -> None:
        self.shell, self.tmp = shell, tmp
        self.rows: list[dict] = []
        self.first_classes: Counter | None = None
        #: Python objects by type: compared from the round the caches have filled
        self.first_kinds: Counter | None = None
        self.settled_at = 0

    def sample(self) -> dict:
        import shiboken6
        from PySide6.QtCore import SIGNAL, QObject
        from PySide6.QtWidgets import QApplication

        from ui.ops import off_thread_jobs
        from ui.report_preview import reports_dir

        settle()
        window = self.shell.window
        session = self.shell.session
        fds = os.listdir("/proc/self/fd")
        links = []
        for fd in fds:
            with contextlib.suppress(OSError):  # (the one listdir used, closed)
                links.append(os.readlink(f"/proc/self/fd/{fd}"))
        objects = gc.get_objects()
        wrappers = [o for o in objects if isinstance(o, QObject)]
        # wrappers of objects Qt deleted: PySide keeps those of objects it did not make
        # (the meter's findChildren makes some), so they are told apart
        dead = sum(1 for o in wrappers if not shiboken6.isValid(o))
        conns = sum(1 for o in objects if isinstance(o, sqlite3.Connection))
        with open("/proc/self/status") as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS"))
        receivers = 0
        if session is not None:
            for sig in ("changes_did_happen(PyObject)", "op_did_fail(QString)",
                        "notice_did_arrive(QString)", "job_did_complete()",
                        "damage_was_found(PyObject)"):
                receivers += session.receivers(SIGNAL(sig))
        row = {
            "rss_mib": rss / 1024,
            "fds": len(fds),
            "sqlite_fds": sum(1 for p in links if ".sqlite3" in p),
            "py_threads": threading.active_count(),
            "tasks": len(os.listdir("/proc/self/task")),
            "widgets": len(QApplication.allWidgets()),
            "top_levels": len(QApplication.topLevelWidgets()),
            "window_objs": len(window.findChildren(QObject)) if window is not None else 0,
            "qobj_wrappers": len(wrappers) - dead,
            "dead_wrappers": dead,
            "py_objects": len(objects),
            "sqlite_conns": conns,
            "tmp_files": count_files(self.tmp),
            "report_files": count_files(reports_dir()),
            # the database's folder (its backups, drafts, journal) and the state and
            # data folders (write marks, drafts of other databases)
            "db_files": count_files(session.db_path.parent) if session is not None else 0,
            "state_files": sum(count_files(Path(os.environ[name])) for name in
                               ("XDG_STATE_HOME", "XDG_DATA_HOME")),
            "off_thread": len(off_thread_jobs()),
            "receivers": receivers,
        }
        kinds = Counter(type(o).__name__ for o in objects)
        del objects, wrappers
        if self.first_kinds is None or len(self.rows) == self.settled_at:
            self.first_kinds = kinds
        self.last_kinds = kinds
        classes = Counter(type(w).__name__ for w in QApplication.allWidgets())
        if self.first_classes is None:
            self.first_classes = classes
        self.last_classes = classes
        self.rows.append(row)
        return row

    def report(self, label: str) -> dict:
        rows = self.rows
        half = rows[len(rows) // 2:]
        keys = list(rows[0])
        print(f"\n== {label}: {len(rows) - 1} rounds ==")
        print(f"{'figure':<14}{'start':>10}{'end':>10}{'/round(all)':>13}{'/round(2nd half)':>18}")
        growth = {}
        for k in keys:
            a, b = rows[0][k], rows[-1][k]
            per_all = (b - a) / max(len(rows) - 1, 1)
            per_half = (half[-1][k] - half[0][k]) / max(len(half) - 1, 1)
            growth[k] = per_half
            print(f"{k:<14}{a:>10.1f}{b:>10.1f}{per_all:>13.3f}{per_half:>18.3f}")
        grew = {c: n - self.first_classes.get(c, 0) for c, n in self.last_classes.items()
                if n > self.first_classes.get(c, 0)}
        if grew:
            print("widget classes that grew:", dict(sorted(grew.items(), key=lambda kv: -kv[1])))
        more = sorted(((n - self.first_kinds.get(t, 0), t) for t, n in self.last_kinds.items()),
                      reverse=True)[:12]
        print(f"Python objects that grew since round {self.settled_at}:",
              {t: n for n, t in more if n > 0})
        return growth


def open_shell(db: Path, settings_file: Path):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.app import Shell

    settings = QSettings(str(settings_file), QSettings.Format.IniFormat)
    shell = Shell(QApplication.instance(), settings)
    shell.start(db)
    wait(lambda: shell.window is not None and shell.window.isVisible(), 60, "window")
    idle(shell)
    return shell


def idle(shell, timeout: float = 60) -> None:
    wait(lambda: shell.session.pending == 0, timeout, "worker idle")


def close_shell(shell) -> None:
    shell.window.close()
    shell.shutdown()
    settle()


def find_visible(window, cls, name: str = ""):
    for w in window.findChildren(cls):
        if w.isVisible() and (not name or w.objectName() == name):
            return w
    return None


def close_dialog(window, cls, name: str = "", timeout: float = 30) -> None:
    box = []
    wait(lambda: bool(box.append(find_visible(window, cls, name)) or box[-1]), timeout,
         f"{cls.__name__} {name}")
    box[-1].close()
    settle()


# rounds ------------------------------------------------------------------------------
def print_sheet(shell, out: Path, kind: str = "sheet") -> None:
    from PySide6.QtPrintSupport import QPrinter

    from ui import report_preview
    from ui.report_preview import PreviewWindow

    window = shell.window
    dialog = report_preview.ask(window, kind)
    dialog.ok_button.click()
    wait(lambda: find_visible(window, PreviewWindow) is not None, 120, "preview")
    idle(shell)
    preview = find_visible(window, PreviewWindow)
    if out is not None:
        printer = preview.make_printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        done = []
        preview.print_did_finish.connect(lambda *a: done.append(a))
        preview.print_to(printer)
        wait(lambda: bool(done), 60, "printed")
        saved = []
        preview.save_did_finish.connect(saved.append)
        preview.save_copy(str(out.with_name("saved.pdf")))
        wait(lambda: bool(saved), 60, "saved")
    preview.close()
    settle()


def export_bundle_to(shell, folder: Path) -> None:
    from ui.transfer import ExportDialog

    window = shell.window
    window.export_dialog()
    dialog = find_visible(window, ExportDialog)
    wait(lambda: dialog.drives_known, 10, "drives")
    dialog.folder.setText(str(folder))
    dialog.ok.click()
    wait(lambda: dialog.ok.isEnabled() and shell.session.pending == 0, 60, "exported")
    dialog.close()
    settle()


def import_into(shell, paths: list[Path]) -> None:
    window = shell.window
    window.import_files([str(p) for p in paths])
    wait(lambda: window.findChild(object, "import-result") is not None
         and window.findChild(object, "import-result").isVisible(), 120, "import result")
    window.findChild(object, "import-result").accept()
    idle(shell)
    settle()


def menu_dialogs(shell) -> None:
    from PySide6.QtWidgets import QDialog

    from ui.dialogs import MessageDialog
    from ui.own_key import OwnKeyDialog
    from ui.table_export import TableExportDialog

    window = shell.window
    window.own_key_dialog()
    close_dialog(window, OwnKeyDialog)
    window.sync_details_dialog()
    close_dialog(window, QDialog, "sync-details-dialog")
    window.save_details_dialog()
    close_dialog(window, QDialog, "save-details-dialog")
    window.about()
    close_dialog(window, MessageDialog, "about-box")
    window.table_dialog()
    close_dialog(window, TableExportDialog)
    idle(shell)


def change_language(shell, lang: str) -> None:
    from ui.qtcompat import emit

    old = shell.window
    emit(old.language_did_change, lang)
    wait(lambda: shell.window is not old and shell.window.isVisible(), 60, "new window")
    idle(shell)
    settle()


def office_round(shell, i: int, work: Path, hq_bundle: Path) -> None:
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QDialog

    window = shell.window
    periods = window.identity.periods()[-3:]
    window.set_period(periods[i % 2])
    idle(shell)
    codes = [a.code for a in window.identity.plan.actions_of(level="national")]
    code = codes[i % len(codes)]
    assert window.office_view.tree.select(code)
    editor = window.office_view.editor
    wait(lambda: editor.action is not None and editor.action.code == code, 30, "editor")
    idle(shell)
    box = editor.narratives["achievements"]
    box.setFocus()
    QTest.keyClicks(box, f" round {i}")
    window.save_now()
    idle(shell)
    print_sheet(shell, work / "printed.pdf")
    out = work / "exports"
    out.mkdir(exist_ok=True)
    export_bundle_to(shell, out)
    import_into(shell, [hq_bundle])
    menu_dialogs(shell)
    window.submit_dialog()
    idle(shell)
    submit = find_visible(window, QDialog, "submit-dialog")
    if submit is not None:
        submit.reject()
    for n in range(window.tabs.count()):  # the Dashboard, Inbox and Conflicts built
        window.go_to_tab(n)
        idle(shell)
    window.go_to_tab(0)
    for lang in ("fr", "ar", "en"):
        change_language(shell, lang)


def hq_round(shell, i: int, bundles: list[Path]) -> None:
    from PySide6.QtWidgets import QDialog

    from ui.enrol import EnrolDialog
    from ui.table_export import TableExportDialog
    from ui.transfer import ExportDialog

    window = shell.window
    import_into(shell, bundles)
    desk = window.hq_desk
    for n in range(window.tabs.count()):
        window.go_to_tab(n)
        idle(shell)
    settle()
    overview = desk._tabs["overview"].page()
    reports = desk._tabs["reports"].page()
    for text in ("S", "SN", ""):
        overview.office.setText(text)
        idle(shell)
    for text in ("work", "workshop", ""):
        reports.search.setText(text)
        idle(shell)
    window.go_to_tab(0)
    idle(shell)
    print_sheet(shell, None, "pack")
    window.lock_dialog(i % 2 == 0)
    close_dialog(window, QDialog, "lock-dialog")
    idle(shell)
    window.enrol_dialog()
    close_dialog(window, EnrolDialog)
    window.export_dialog()
    close_dialog(window, ExportDialog)
    window.table_dialog()
    close_dialog(window, TableExportDialog)
    idle(shell)
    for lang in ("fr", "ar", "en"):
        change_language(shell, lang)


def idle_round(shell, i: int) -> None:
    """A window left open: another program writes (the command line), the window's
    timers look at the database (every 2 s) and read the sync state (every minute)."""
    from fieldplan.progress import record_progress
    from fieldplan.replica import open_replica

    window = shell.window
    with open_replica(shell.session.db_path) as rep:
        code = rep.plan().actions_of(level="national")[i % 5].code
        record_progress(rep, code, window.period, status="on-track", percent=i % 100)
    for _ in range(30):
        window.check_outside()
        idle(shell)
    window.poll()
    idle(shell)


def run(kind: str, rounds: int, world: Path, work: Path, tmp: Path) -> dict:
    from fieldplan.replica import open_replica
    from fieldplan.sync import export_bundle

    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    if kind in ("office", "idle"):
        office = sorted((world / "offices").glob("*.sqlite3"))[0]
        code = office.stem
        (work / "db").mkdir()  # (alone in its folder: its files are counted)
        db = work / "db" / office.name
        shutil.copy(office, db)
        for key in office.parent.glob(office.name + ".*"):
            shutil.copy(key, db.parent / key.name)
        hq = work / "hq.sqlite3"
        shutil.copy(world / "hq.sqlite3", hq)
        shutil.copy(str(world / "hq.sqlite3") + ".key", str(hq) + ".key")
        (work / "from-hq").mkdir()
        with open_replica(hq) as rep:
            hq_bundle = export_bundle(rep, for_office=code, out_dir=work / "from-hq",
                                      full=True).path
    else:
        (work / "db").mkdir()
        db = work / "db" / "hq.sqlite3"
        shutil.copy(world / "hq.sqlite3", db)
        shutil.copy(str(world / "hq.sqlite3") + ".key", str(db) + ".key")
        bundles = sorted((world / "bundles").glob("*.fieldplan"))
    shell = open_shell(db, work / "settings.ini")
    meter = Meter(shell, tmp)
    meter.settled_at = max(2, rounds // 2)
    started = time.monotonic()
    for i in range(rounds + 1):
        if i:  # round 0: the figures of the window just opened
            if kind == "office":
                office_round(shell, i, work, Path(hq_bundle))
            elif kind == "idle":
                idle_round(shell, i)
            else:
                hq_round(shell, i, bundles)
        row = meter.sample()
        print(f"{kind} {i:3d} {time.monotonic() - started:6.0f}s "
              + " ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                         for k, v in row.items()), flush=True)
    growth = meter.report(kind)
    close_shell(shell)
    return growth


def main() -> int:
    parser = argparse.ArgumentParser(description="fieldplan desktop client soak test")
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--only", choices=("office", "hq", "idle"))
    parser.add_argument("--keep", help="a folder to work in (kept), else a temp one")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fieldplan-soak-"))
    base.mkdir(parents=True, exist_ok=True)
    tmp = _isolate(base)
    from PySide6.QtWidgets import QApplication

    from fieldplan.demo import make_demo
    from ui.app import apply_font
    from ui.collector import collect_on_gui_thread

    app = QApplication.instance() or QApplication([])
    apply_font(app)
    collector = collect_on_gui_thread(app)
    world = base / "world"
    if not (world / "hq.sqlite3").exists():
        make_demo(world, offices=6, seed=3)
    kinds = [args.only] if args.only else ["office", "hq", "idle"]
    try:
        for kind in kinds:
            run(kind, args.rounds, world, base / kind, tmp)
    finally:
        collector.stop()
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
