"""The child of bench_ui.py's walk: opens a database with ``ui.app.start`` and drives
its window offscreen through every page, filter and dialog a person uses, the
resizing, the dividers, a report typed and saved, a status sheet previewed and three
language changes there and back, writing each step's longest GUI-thread stall to a
JSON file.

    python tests/bench/ui_walk.py DB OUT.json SETTINGS.ini

Each step is one action, then the event loop until no database job and no thread of
``ui.ops.OffThread`` has run for 0.3 s. Two figures a step: ``stall_ms``, the longest
gap between the ticks of a 5 ms timer on the GUI thread (what a person sees, on this
machine as loaded as it is), and ``cpu_ms``, the GUI thread's own processor time in
the longest turn of the event loop (the action itself, or one turn after it): on a
machine shared with other work the first is mostly waiting for the processor, the
second is what the window costs.
"""

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
DB, OUT, INI = sys.argv[1], sys.argv[2], sys.argv[3]

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QMenu  # noqa: E402

from ui.app import start  # noqa: E402
from ui.ops import off_thread_jobs  # noqa: E402

QApplication.setQuitOnLastWindowClosed(False)
shell = start(db=DB, lang="en", prefs=QSettings(INI, QSettings.Format.IniFormat))
app = shell.app
beat = {"last": time.perf_counter(), "gap": 0.0, "cpu": 0.0}


def tick() -> None:
    now = time.perf_counter()
    beat["gap"] = max(beat["gap"], now - beat["last"])
    beat["last"] = now


ticker = QTimer()
ticker.setTimerType(Qt.TimerType.PreciseTimer)
ticker.timeout.connect(tick)
ticker.start(5)


def idle() -> bool:
    s = shell.session
    return s is None or (s.pending == 0 and not any(
        j.thread.is_alive() for j in off_thread_jobs()))


def spin(until=None, quiet: float = 0.3, limit: float = 60) -> None:
    """The event loop, one turn at a time, until ``until()`` and quiet."""
    began, calm = time.perf_counter(), None
    while time.perf_counter() - began < limit:
        cpu = time.thread_time()
        app.processEvents()
        beat["cpu"] = max(beat["cpu"], time.thread_time() - cpu)
        time.sleep(0.002)
        if until is not None and not until():
            continue
        if not idle():
            calm = None
        elif calm is None:
            calm = time.perf_counter()
        elif time.perf_counter() - calm > quiet:
            return


results: list[dict] = []


def step(name: str, act, until=None) -> None:
    spin(quiet=0.1)
    beat["gap"], beat["last"] = 0.0, time.perf_counter()
    cpu = time.thread_time()
    act()
    beat["cpu"] = time.thread_time() - cpu
    spin(until)
    results.append({"step": name, "stall_ms": round(beat["gap"] * 1000),
                    "cpu_ms": round(beat["cpu"] * 1000)})
    print(f"{name:44} {results[-1]['stall_ms']:6} ms  cpu {results[-1]['cpu_ms']:4} ms",
          flush=True)


def dialogs(kind=QDialog) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def close_dialogs() -> None:
    for d in dialogs():
        d.reject()


def tabs() -> dict[str, int]:
    w = shell.window
    return {w.tabs.tabText(i).replace("&", ""): i for i in range(w.tabs.count())}


def go(name: str) -> None:
    shell.window.go_to_tab(tabs()[name])


spin(lambda: shell.window is not None and shell.window.isVisible() and shell.window.painted)
shell.window.resize(1366, 768)
spin()
names = list(tabs())  # (in English: the language changes come last)
for name in names:
    step(f"page {name}", lambda n=name: go(n))
for name in names:
    step(f"page {name} again", lambda n=name: go(n))
w = shell.window
if w.hq_desk is not None:
    ov, rp = w.hq_desk.overview, w.hq_desk.reports
    step("Overview: office filter typed",
         lambda: (go("Overview"), QTest.keyClicks(ov.office, "mal")))
    step("Overview: filter cleared", lambda: ov.office.clear())
    step("Overview: status filter", lambda: ov.status.setCurrentIndex(2))
    step("Overview: status filter back", lambda: ov.status.setCurrentIndex(0))
    step("Reports: status filter", lambda: (go("Reports"), rp.status.setCurrentIndex(2)))
    step("Reports: all periods", lambda: rp.scope.setCurrentIndex(1))
    step("Reports: search typed", lambda: QTest.keyClicks(rp.search, "workshop"))
    step("Reports: search cleared", lambda: rp.search.clear())
    step("Reports: filters back",
         lambda: (rp.status.setCurrentIndex(0), rp.scope.setCurrentIndex(0)))
step("page Progress", lambda: go("Progress"))
step("period: next", lambda: w.period_combo.setCurrentIndex(
    (w.period_combo.currentIndex() + 1) % w.period_combo.count()))
step("period: back", lambda: w.period_combo.setCurrentIndex(
    (w.period_combo.currentIndex() - 1) % w.period_combo.count()))
codes = [a.code for a in w.identity.plan.actions]
tree = w.office_view.tree
step("action chosen", lambda: w.office_view.select_action(codes[0]))
step("another action chosen", lambda: w.office_view.select_action(codes[1]))
step("plan: status filter", lambda: tree.status.setCurrentIndex(1))
step("plan: status filter back", lambda: tree.status.setCurrentIndex(0))
step("plan: level filter", lambda: tree.level.setCurrentIndex(1))
step("plan: level filter back", lambda: tree.level.setCurrentIndex(0))


def typed() -> None:
    edit = w.office_view.editor.narratives["achievements"]
    edit.setFocus()
    QTest.keyClicks(edit, "Joint review held")


step("report: typed", typed)
step("report: saved", lambda: w.save_now())
step("undo", lambda: w.undo())
step("redo", lambda: w.redo())
step("resized 1000×650", lambda: shell.window.resize(1000, 650))
step("resized 1600×900", lambda: shell.window.resize(1600, 900))
step("resized 1366×768", lambda: shell.window.resize(1366, 768))
step("View ▸ Larger list", lambda: shell.window.move_divider(True))
step("View ▸ Smaller list", lambda: shell.window.move_divider(False))
step("sync details", lambda: shell.window.sync_details_dialog())
step("  closed", close_dialogs)
step("key dialog", lambda: shell.window.own_key_dialog())
step("  closed", close_dialogs)
step("export dialog", lambda: shell.window.export_dialog())
step("  closed", close_dialogs)
step("table export dialog", lambda: shell.window.table_dialog())
step("  closed", close_dialogs)
if not w.identity.is_hq:
    step("submit dialog", lambda: shell.window.submit_dialog())
    step("  closed", close_dialogs)
from ui.report_preview import PreviewWindow, ReportDialog  # noqa: E402

step("status sheet dialog", lambda: shell.window.report_dialog("sheet"))
step("status sheet: preview", lambda: [QTest.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
                                       for d in dialogs(ReportDialog)],
     lambda: any(p.isVisible() for p in shell.window.findChildren(PreviewWindow)))
step("  closed", lambda: [p.close() for p in shell.window.findChildren(PreviewWindow)])
step("Language menu opened", lambda: [m.aboutToShow.emit() for m in
                                      shell.window.findChildren(QMenu) if m.title() == "&Language"])
spin(quiet=1.0)  # (the other languages loaded meanwhile, as while a person chooses)
for lang in ("fr", "ar", "en", "ar", "fr", "en"):
    old = shell.window
    step(f"language: {lang}", lambda lang=lang: shell.change_language(lang),
         lambda old=old: shell.window is not old)
    if lang == "ar":
        step("  resized (Arabic)", lambda: shell.window.resize(1100, 700))
        step("  resized back", lambda: shell.window.resize(1366, 768))
with open(OUT, "w") as f:
    json.dump(results, f, indent=1, ensure_ascii=False)
ticker.stop()
shell.window.close()
shell.shutdown()
os._exit(0)
