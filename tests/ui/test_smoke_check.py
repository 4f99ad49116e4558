"""ui.smoke: the frozen program's check of its report preview and printing
(packaging/smoke.sh runs it through packaging/launch.py). It passes on a working
client, and names in one line what is missing when a part of Qt is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6.QtPdf")

from PySide6.QtGui import QImageWriter
from PySide6.QtWidgets import QApplication

from tests.ui.test_report_preview import pdf_pages
from ui import smoke
from ui.report_preview import PreviewWindow

ROOT = Path(__file__).resolve().parents[2]


def no_preview_left() -> bool:
    return not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, PreviewWindow) and w.isVisible()]


def test_the_check_previews_and_prints_a_status_sheet(qapp, hq_db, tmp_path):
    out = tmp_path / "printed.pdf"
    said = smoke.check_report_preview(hq_db, "HQ", "2026-S1", out)
    pages = pdf_pages(out)
    assert said == f"a status sheet of {pages} page(s) previewed, and printed to printed.pdf"
    assert no_preview_left()


def test_a_blank_preview_fails_the_check(qapp, hq_db, tmp_path, monkeypatch):
    """The view must show ink: QtPdf drawing nothing is a failure, not a pass."""
    monkeypatch.setattr(smoke, "STEP_SECONDS", 1.0)
    monkeypatch.setattr(smoke, "ink", lambda image: 0)
    with pytest.raises(smoke.SmokeFailure, match=r"^the preview window showed a blank page"):
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")
    assert no_preview_left()


def test_a_missing_image_format_fails_the_check(qapp, hq_db, tmp_path, monkeypatch):
    monkeypatch.setattr(QImageWriter, "supportedImageFormats", staticmethod(lambda: []))
    with pytest.raises(smoke.SmokeFailure, match=r"^Qt cannot write jpeg images"):
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")


def test_a_missing_qt_pdf_module_fails_the_check_in_one_line(qapp, hq_db, tmp_path,
                                                             monkeypatch):
    monkeypatch.setitem(sys.modules, "PySide6.QtPdf", None)  # as a library left out
    monkeypatch.delitem(sys.modules, "ui.report_preview")
    with pytest.raises(smoke.SmokeFailure) as failure:
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")
    message = str(failure.value)
    assert message.startswith("the report preview cannot load: ") and "QtPdf" in message
    assert "\n" not in message


def test_the_launcher_runs_the_check_and_says_one_line(hq_db, tmp_path):
    """packaging/launch.py answers --smoke-report-preview before the command line."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    launch = [sys.executable, str(ROOT / "packaging" / "launch.py"), "--smoke-report-preview"]
    done = subprocess.run([*launch, str(hq_db), "HQ", "2026-S1", str(tmp_path / "p.pdf")],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("smoke: a status sheet of ")
    assert done.stdout.count("\n") == 1
    failed = subprocess.run([*launch, str(tmp_path / "none.sqlite3"), "HQ", "2026-S1",
                             str(tmp_path / "q.pdf")],
                            capture_output=True, text=True, env=env, timeout=120)
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[-1].startswith("smoke: the status sheet could not be built")


def test_the_smoke_option_is_no_option_of_the_command_line():
    from fieldplan.cli import build_parser

    assert "smoke" not in build_parser().format_help()
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--smoke-report-preview"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="CUPS's plugin: Linux")
def test_a_missing_print_support_plugin_fails_the_check(qapp, hq_db, tmp_path, monkeypatch):
    from PySide6.QtCore import QCoreApplication

    monkeypatch.setattr(QCoreApplication, "libraryPaths", staticmethod(lambda: [str(tmp_path)]))
    with pytest.raises(smoke.SmokeFailure, match=r"^Qt's CUPS print support plugin is missing"):
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="LD_LIBRARY_PATH: Linux")
def test_a_child_given_the_builds_libraries_fails_the_check(qapp, hq_db, tmp_path,
                                                             monkeypatch):
    """A frozen program whose launcher left the bootloader's library path (the build's
    _internal first) to the programs it starts fails; given back, it passes."""
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    monkeypatch.setenv("LD_LIBRARY_PATH", f"{tmp_path}:/home/me/lib")
    with pytest.raises(smoke.SmokeFailure,
                       match=r"^a program started from fieldplan gets the build's libraries"):
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/home/me/lib")
    smoke.check_children()


def test_qt_translations_not_where_qt_looks_fail_the_check(qapp, hq_db, tmp_path,
                                                           monkeypatch):
    """A build whose Qt looks for its .qm files elsewhere (its qt.conf gone wrong)
    would show the standard buttons and dialogs in English in a French client."""
    from ui import qt_i18n

    monkeypatch.setattr(qt_i18n, "qt_translations_dir", lambda: str(tmp_path))
    with pytest.raises(smoke.SmokeFailure, match=r"^Qt's fr translations \(qtbase_fr\.qm\) "
                                                 r"are not in "):
        smoke.check_report_preview(hq_db, "HQ", "2026-S1", tmp_path / "printed.pdf")
    monkeypatch.undo()
    smoke.check_qt_translations()
