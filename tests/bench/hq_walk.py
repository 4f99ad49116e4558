"""The child of bench_hq_walk.py: opens a headquarters database with ``ui.app.start``
and drives its window offscreen through an HQ officer's day, step by step, writing
each step's longest GUI-thread stall to a JSON file.

    python tests/bench/hq_walk.py HQ.sqlite3 OUT.json SETTINGS.ini

A 10 ms timer on the GUI thread records the longest gap between its ticks in each
step; a step ends once no database job and no thread of ``ui.ops.OffThread`` has run
for 0.3 s. A helper thread notes where the GUI thread was whenever it has not ticked
for 80 ms ("where"), and database jobs of more than 0.1 s and collections of more
than 20 ms are printed as they happen.
"""

import collections
import gc
import json
import os
import sys
import threading
import time
import traceback

T0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
DB, OUT, INI = sys.argv[1], sys.argv[2], sys.argv[3]

from PySide6.QtCore import QElapsedTimer, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog  # noqa: E402

import ui.ops as _ops  # noqa: E402
from ui.app import start  # noqa: E402

_job_init = _ops._Job.__init__
slow_jobs = []
#: the step under way (a database job of the opening may end before the first step)
current = {"step": "start"}


def _timed_init(self, fn, *a, **k):
    def timed(*args, _fn=fn):
        t = time.perf_counter()
        try:
            return _fn(*args)
        finally:
            took = time.perf_counter() - t
            if took > 0.1:
                name = getattr(_fn, "__qualname__", repr(_fn))
                slow_jobs.append((current["step"], name, round(took, 2)))
                print("   worker:", current["step"], name, round(took, 2), flush=True)
    _job_init(self, timed, *a, **k)


_ops._Job.__init__ = _timed_init
import ui.collector as _collector  # noqa: E402

_check = _collector.MainThreadCollector.check


def _timed_check(self):
    t = time.perf_counter()
    before = gc.get_count()
    _check(self)
    took = time.perf_counter() - t
    if took > 0.02:
        print("   gc:", current["step"], before, round(took, 3), flush=True)


_collector.MainThreadCollector.check = _timed_check


def rss(field: str = "VmRSS") -> float:
    """The process's resident memory (``VmHWM``: its peak so far), MB."""
    return int(next(ln for ln in open("/proc/self/status")
                    if ln.startswith(field)).split()[1]) / 1024


QApplication.setQuitOnLastWindowClosed(False)
shell = start(db=DB, lang="en", prefs=QSettings(INI, QSettings.Format.IniFormat))
app = shell.app
main_id = threading.get_ident()
clock = QElapsedTimer()
clock.start()
#: the longest gap between two ticks, and the GUI thread's own processor time in the
#: costliest gap ("cpu"): what a machine busy with other work does not inflate
beat = {"last": time.perf_counter(), "gap": 0.0, "cpu_last": time.thread_time(), "cpu": 0.0}
samples: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


def tick() -> None:
    now, cpu = time.perf_counter(), time.thread_time()
    beat["gap"] = max(beat["gap"], now - beat["last"])
    beat["cpu"] = max(beat["cpu"], cpu - beat["cpu_last"])
    beat["last"], beat["cpu_last"] = now, cpu


def restart_beat() -> None:
    beat["gap"], beat["cpu"] = 0.0, 0.0
    beat["last"], beat["cpu_last"] = time.perf_counter(), time.thread_time()


ticker = QTimer()
ticker.setTimerType(Qt.TimerType.PreciseTimer)
ticker.timeout.connect(tick)
ticker.start(10)


def sampler() -> None:
    while True:
        time.sleep(0.02)
        if time.perf_counter() - beat["last"] > 0.08:
            frame = sys._current_frames().get(main_id)
            if frame is None:
                continue
            stack = traceback.extract_stack(frame)
            ours = [f"{os.path.relpath(f.filename, ROOT)}:{f.lineno} {f.name}"
                    for f in stack if ROOT in f.filename and "tests/bench" not in f.filename]
            samples[current["step"]][" < ".join(reversed(ours[-4:]))] += 1


threading.Thread(target=sampler, daemon=True).start()
results = []


def idle() -> bool:
    from ui.ops import off_thread_jobs

    s = shell.session
    if s is None:
        return True
    return s is not None and s.pending == 0 and not any(
        j.thread.is_alive() for j in off_thread_jobs())


def window():
    return shell.window


def dialogs(kind=QDialog):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def walk():
    # -- start ------------------------------------------------------------------------
    yield lambda: window() is not None and window().isVisible()
    results.append({"step": "window shown (s from process start)",
                    "value": round(time.perf_counter() - T0, 3)})
    yield "settle"
    yield lambda: True
    results.append({"step": "everything loaded (s from process start)",
                    "value": round(time.perf_counter() - T0, 3)})
    results.append({"step": "RSS after open (MB)", "value": round(rss())})
    w = window()
    w.resize(1366, 768)
    tabs = {w.tabs.tabText(i).replace("&", ""): i for i in range(w.tabs.count())}

    yield ("Dashboard tab", lambda: w.go_to_tab(tabs["Dashboard"]))
    yield ("Overview tab", lambda: w.go_to_tab(tabs["Overview"]))
    ov = w.hq_desk.overview
    yield ("Overview: type office filter", lambda: QTest.keyClicks(ov.office, "mal"))
    yield ("Overview: clear filter", lambda: ov.office.clear())
    yield ("Overview: status filter", lambda: ov.status.setCurrentIndex(2))
    yield ("Overview: status filter back", lambda: ov.status.setCurrentIndex(0))
    yield ("Overview: open a cell", lambda: ov._open(ov.proxy.index(3, 1)))
    yield ("Overview tab again", lambda: w.go_to_tab(tabs["Overview"]))
    periods = [w.period_combo.itemData(i) for i in range(w.period_combo.count())]
    yield ("change period (combo)", lambda: w.period_combo.setCurrentIndex(
        (w.period_combo.currentIndex() + 1) % len(periods)))
    yield ("Reports tab", lambda: w.go_to_tab(tabs["Reports"]))
    rp = w.hq_desk.reports
    yield ("Reports: status filter", lambda: rp.status.setCurrentIndex(2))
    yield ("Reports: office filter", lambda: rp.office.setCurrentIndex(rp.office.findData("ML")))
    yield ("Reports: office all", lambda: rp.office.setCurrentIndex(0))
    yield ("Reports: all periods", lambda: rp.scope.setCurrentIndex(1))
    yield ("Reports: status all", lambda: rp.status.setCurrentIndex(0))
    yield ("Reports: type search 'workshop'", lambda: QTest.keyClicks(rp.search, "workshop"))
    yield ("Reports: backspace search", lambda: [QTest.keyClick(rp.search, Qt.Key.Key_Backspace)
                                                 for _ in range(8)])
    yield ("Reports: scroll to the end", lambda: rp.view.scrollToBottom())
    yield ("Reports: scroll to the top", lambda: rp.view.scrollToTop())
    yield ("Reports: choose a report", lambda: rp.view.setCurrentIndex(rp.model.index(3, 0)))
    yield ("Reports: sort by status", lambda: rp.view.sortByColumn(3, Qt.SortOrder.AscendingOrder))
    yield ("Inbox tab", lambda: w.go_to_tab(tabs["Inbox"]))
    yield ("Inbox: choose a bundle", lambda: w.inbox.view.setCurrentIndex(
        w.inbox.view.model().index(5, 0)))
    yield ("Inbox: scroll to the end", lambda: w.inbox.view.scrollToBottom())
    yield ("Quarantine tab", lambda: w.go_to_tab(tabs["Quarantine"]))
    qp = w.hq_desk.quarantine
    yield ("Quarantine: choose one", lambda: qp.view.setCurrentIndex(qp.view.model().index(0, 0)))
    if qp.selected() is not None:
        yield ("Quarantine: trust (merge)", lambda: qp.trust(qp.selected().fingerprint))
        yield ("Import result close", lambda: [d.accept() for d in dialogs()])
    yield ("Conflicts tab", lambda: w.go_to_tab(tabs["Conflicts"]))
    cf = w.conflicts
    yield ("Conflicts: choose one", lambda: cf.view.setCurrentIndex(cf.view.model().index(2, 0)))
    yield ("Conflicts: scroll to the end", lambda: cf.view.scrollToBottom())
    yield ("Keys tab", lambda: w.go_to_tab(tabs["Keys"]))
    yield ("Progress tab", lambda: w.go_to_tab(tabs["Progress"]))
    yield ("open a report (PA1.6)", lambda: w.open_report("PA1.6", w.period))
    yield ("open another report (PA3.6)", lambda: w.open_report("PA3.6", w.period))
    yield ("open a draft report (PA1.6, 2027-S2)", lambda: w.open_report("PA1.6", "2027-S2"))
    typer = {"left": list("Joint review held with partners; next steps agreed. "), "at": []}
    edit = w.office_view.editor.narratives["achievements"]

    def type_one():
        if typer["left"]:
            ch = typer["left"].pop(0)
            QTest.keyClicks(edit, ch)
            QTimer.singleShot(150, type_one)

    def start_typing():
        edit.setFocus()
        edit.moveCursor(edit.textCursor().MoveOperation.End)
        type_one()
    yield ("type a narrative at HQ (1 key / 150 ms)", start_typing, lambda: not typer["left"])
    yield ("Key dialog", lambda: w.own_key_dialog())
    yield ("Key dialog close", lambda: [d.reject() for d in dialogs()])
    from ui.transfer import ALL_OFFICES, ExportDialog

    out = os.path.join(os.path.dirname(OUT), "export-out")
    os.makedirs(out, exist_ok=True)
    yield ("Export dialog", lambda: w.export_dialog())
    ex = next(d for d in dialogs() if isinstance(d, ExportDialog))
    yield lambda: ex.ok.isEnabled()

    def export_all():
        ex.recipient.setCurrentIndex(ex.recipient.findData(ALL_OFFICES))
        ex.folder.setText(out)
        QTest.mouseClick(ex.ok, Qt.MouseButton.LeftButton)
    yield ("Export: All offices", export_all)
    yield lambda: ex.result_info is not None
    yield ("Export close", lambda: ex.reject())
    yield ("Enrol dialog", lambda: w.enrol_dialog())

    def enrol():
        d = next(d for d in dialogs() if d.objectName() == "enrol-dialog")
        d.office.setCurrentIndex(d.office.findData("ML"))
        d.folder.setText(out)
        QTest.mouseClick(d.ok, Qt.MouseButton.LeftButton)
    yield ("Enrol: write ML", enrol)
    yield ("Enrol close", lambda: [d.reject() for d in dialogs()])
    yield ("Lock dialog (2025-S2)", lambda: w.lock_dialog(True, "2025-S2"))
    yield lambda: any(d.objectName() == "lock-dialog" for d in dialogs())
    yield ("Lock: accept", lambda: [d.accept() for d in dialogs()
                                    if d.objectName() == "lock-dialog"])
    from ui.report_preview import PreviewWindow, ReportDialog

    yield ("Status sheet dialog", lambda: w.report_dialog("sheet"))
    left = Qt.MouseButton.LeftButton
    yield ("Status sheet: preview", lambda: [QTest.mouseClick(d.ok_button, left)
                                             for d in dialogs(ReportDialog)])
    yield lambda: bool(w.findChildren(PreviewWindow))
    yield ("Preview close (sheet)", lambda: [p.close() for p in w.findChildren(PreviewWindow)])
    yield ("Review pack dialog", lambda: w.report_dialog("pack"))

    def pack():
        d = dialogs(ReportDialog)[0]
        d.period_combo.setCurrentIndex(d.period_combo.findData("2026-S1"))
        QTest.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    yield ("Review pack: build + preview", pack)
    yield lambda: any(p.isVisible() for p in w.findChildren(PreviewWindow))
    yield ("Preview close (pack)", lambda: [p.close() for p in w.findChildren(PreviewWindow)])
    from PySide6.QtWidgets import QMenu

    yield ("Language menu opened", lambda: [m.aboutToShow.emit() for m in w.findChildren(QMenu)
                                            if m.title() == "&Language"])
    yield ("Language: French", lambda: shell.change_language("fr"))
    yield lambda: shell.window is not w and shell.window is not None
    yield ("Language: English", lambda: shell.change_language("en"))
    results.append({"step": "RSS at end (MB)", "value": round(rss())})
    def close():
        t = time.perf_counter()
        shell.window.close()
        shell.shutdown()
        results.append({"step": "close + shutdown (s)", "value": round(time.perf_counter() - t, 3)})
    yield ("close", close)


gen = walk()
pending = {"cond": None, "step": "open (loop start to all loaded)", "t": 0.0, "quiet": None,
           "first": True}


#: HQ_WALK_PROFILE=1: each step's GUI thread under cProfile (slower), the functions that
#: took most of a step of more than 100 ms listed with it ("profile")
PROFILE = os.environ.get("HQ_WALK_PROFILE") == "1"
profiler = {"p": None}


def profile_start() -> None:
    if PROFILE:
        import cProfile

        profiler["p"] = cProfile.Profile()
        profiler["p"].enable()


def profile_top() -> list[str]:
    p, profiler["p"] = profiler["p"], None
    if p is None:
        return []
    import io
    import pstats

    p.disable()
    if beat["gap"] < 0.1:
        return []
    out = io.StringIO()
    pstats.Stats(p, stream=out).sort_stats("cumulative").print_stats(25)
    return [ln for ln in out.getvalue().splitlines() if ln.strip()][-26:]


def record() -> None:
    step = pending["step"]
    if step is None:
        return
    top = profile_top()
    results.append({"step": step, "stall_ms": round(beat["gap"] * 1000),
                    "cpu_ms": round(beat["cpu"] * 1000),
                    "took_s": round(time.perf_counter() - pending["t"] - 0.3, 2),
                    "where": samples.get(step, collections.Counter()).most_common(3),
                    "rss_mb": round(rss()), "peak_mb": round(rss("VmHWM"))})
    if top:
        results[-1]["profile"] = top
    print(results[-1], flush=True)
    pending["step"] = None


def resume() -> None:
    if pending["first"]:
        pending["first"] = False
        pending["t"] = time.perf_counter()
        restart_beat()
        current["step"] = pending["step"]
    cond = pending["cond"]
    if cond == "settle":
        if not idle():
            pending["quiet"] = None
        elif pending["quiet"] is None:
            pending["quiet"] = time.perf_counter()
        elif time.perf_counter() - pending["quiet"] > 0.3:
            pending["cond"] = None
            record()
        QTimer.singleShot(10, resume)
        return
    if cond is not None and not cond():
        QTimer.singleShot(10, resume)
        return
    pending["cond"] = None
    if pending.get("after"):
        pending["cond"], pending["quiet"], pending["after"] = pending["after"], None, None
        QTimer.singleShot(0, resume)
        return
    try:
        item = next(gen)
    except StopIteration:
        QTimer.singleShot(500, finish)
        return
    if isinstance(item, tuple):
        name, act, *until = item
        current["step"] = pending["step"] = name
        pending["t"] = time.perf_counter()
        restart_beat()
        profile_start()
        act()
        pending["cond"], pending["quiet"] = "settle", None
        if until:
            pending["cond"], pending["after"] = until[0], "settle"
    else:
        pending["cond"] = item
        if item == "settle":
            pending["quiet"] = None
    QTimer.singleShot(0, resume)


def finish() -> None:
    with open(OUT, "w") as f:
        json.dump(results, f, indent=1, ensure_ascii=False)
    ticker.stop()
    shell.shutdown()
    os._exit(0)


QTimer.singleShot(0, resume)
app.exec()
with open(OUT, "w") as f:
    json.dump(results, f, indent=1, ensure_ascii=False)
print("ended after", results[-1])
os._exit(0)
