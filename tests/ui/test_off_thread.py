"""Work that needs no database, on a thread of its own (ui.ops.OffThread): a report
saved to a USB stick, the drives offered for an export."""

from __future__ import annotations

import threading

from ui.ops import OffThread, off_thread_jobs, wait_off_thread


def test_the_result_comes_back_on_the_gui_thread(qtbot):
    ran_on, got = [], []

    def work() -> int:
        ran_on.append(threading.get_ident())
        return 42

    OffThread(work, lambda result: got.append(("done", result, threading.get_ident())),
              got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert ran_on != [threading.main_thread().ident]
    assert got == [("done", 42, threading.main_thread().ident)]
    assert not off_thread_jobs()

    def fails() -> None:
        raise OSError("the stick was pulled out")

    errors: list[BaseException] = []
    OffThread(fails, got.append, errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "the stick was pulled out" and len(got) == 1


def test_quitting_waits_for_a_file_being_written_not_for_a_look_at_the_drives(qtbot):
    """Shell.shutdown calls wait_off_thread: a report being saved is written whole
    before the app ends; a look at a stalled mount does not keep it from ending."""
    release, written, hung = threading.Event(), [], threading.Event()
    writer = OffThread(lambda: release.wait(10) and written.append(True), print, print)
    looker = OffThread(lambda: hung.wait(10), print, print, daemon=True)
    joined = []
    real_join = writer.thread.join

    def join(timeout=None):
        joined.append("writer")
        release.set()  # the stick finishes while the app waits for it
        real_join(timeout)

    writer.thread.join = join
    looker.thread.join = lambda timeout=None: joined.append("looker")
    try:
        wait_off_thread()
        assert joined == ["writer"] and written == [True]
        assert not writer.thread.is_alive()
    finally:
        del writer.thread.join, looker.thread.join  # their own again, for the delivery
        release.set()
        hung.set()
        qtbot.waitUntil(lambda: not off_thread_jobs(), timeout=10_000)


def test_shutdown_waits_for_files_being_written(monkeypatch, settings):
    import ui.app

    called = []
    monkeypatch.setattr(ui.app, "wait_off_thread", lambda: called.append(True))
    from PySide6.QtWidgets import QApplication

    ui.app.Shell(QApplication.instance(), settings).shutdown()
    assert called == [True]
