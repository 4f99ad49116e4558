"""Screenshots of the desktop client's main screens, for the docs and for review.

Office and HQ, in English, French and Arabic. Not for the AppStream file
(packaging/linux), which has none: AppStream takes a screenshot only at a web address,
and fieldplan, made for offices without connectivity, publishes none.

    python packaging/screenshots.py [--out DIR] [--langs en,fr,ar]
    python packaging/screenshots.py --screen 1024x600 --dialogs [--out DIR]

Makes a demo world in a temporary folder, opens windows offscreen at 1366×768 and
saves each screen with ``widget.grab().save()``.

``--screen WxH`` gives the offscreen platform a screen of that size (with
``QT_SCALE_FACTOR=1.25`` in the environment, as a laptop at 125 %) and puts the window
at the room a task bar and the window's frame leave on it. ``--dialogs`` saves each
dialog the windows open too, and lists after it any window wider or taller than the
screen's room (``TOO BIG``), so a review of laptop screens starts from those.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

SIZE = [1366, 768]
#: the task bar's height, on the screens ``--screen`` stands for
TASK_BAR = 40


def wait_for(session, ms: int = 200) -> None:
    """Let queued database jobs come back, then paint."""
    loop = QEventLoop()
    deadline = [0]

    def check() -> None:
        deadline[0] += 20
        if (session.pending == 0 and deadline[0] >= ms) or deadline[0] > 20_000:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(20)
    loop.exec()
    timer.stop()


def open_window(db: Path, settings: QSettings):
    from ui.context import read_identity
    from ui.main_window import MainWindow
    from ui.ops import DbOp, Session

    session = Session(db)
    got: list = []
    DbOp(session, None, read_identity).success(got.append).run()
    wait_for(session)
    window = MainWindow(session, got[0], settings)
    window.resize(*SIZE)
    window.show()
    wait_for(session)
    return window, session


def too_big(widget) -> str:
    """What of ``widget`` (a window) does not fit the room its screen leaves, or ''."""
    room = widget.screen().availableGeometry()  # (a real screen's leaves out its task bar)
    from ui.screen import FRAME_ROOM

    said = []
    for what, size in (("size", widget.size()), ("hint", widget.sizeHint()),
                       ("minimum", widget.minimumSizeHint())):
        if (size.width() > room.width() - FRAME_ROOM[0]
                or size.height() > room.height() - FRAME_ROOM[1]):
            said.append(f"{what} {size.width()}x{size.height()}")
    return ", ".join(said)


def new_windows(before: set) -> list:
    from PySide6.QtWidgets import QApplication

    return [w for w in QApplication.topLevelWidgets()
            if w.isVisible() and id(w) not in before and w.isWindow()
            and w.metaObject().className() not in ("QMenu", "QTipLabel")]


def shoot_dialogs(out: Path, window, session, kind: str, lang: str,
                  world: Path) -> list[Path]:
    """Each dialog the window opens, saved; those too big for the screen said."""
    from PySide6.QtWidgets import QApplication

    bundles = sorted(str(p) for p in (world / "bundles").glob("*.fieldplan"))
    opens = [
        ("about", window.about),
        ("sync-details", window.sync_details_dialog),
        ("save-details", window.save_details_dialog),
        ("export", window.export_dialog),
        ("email", window.email_dialog),
        ("table", window.table_dialog),
        ("sheet", lambda: window.report_dialog("sheet")),
        ("own-key", window.own_key_dialog),
        ("submit", window.submit_dialog),
    ]
    if kind == "hq":
        opens += [
            ("pack", lambda: window.report_dialog("pack")),
            ("enrol", window.enrol_dialog),
            ("lock", lambda: window.lock_dialog(True, "2026-S1")),
            ("import", lambda: window.import_files(bundles[:6])),
        ]
    else:
        opens += [("set-up-again", window.set_up_again_dialog)]
    def preview() -> None:  # the sheet's preview: the dialog's OK
        from ui.report_preview import ask

        ask(window, "sheet").accept()

    opens.append(("preview", preview))
    saved = []
    for name, open_it in opens:
        before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
        open_it()
        wait_for(session, 3000 if name == "preview" else 600)
        for i, dialog in enumerate(new_windows(before)):
            more = f"-{i}" if i else ""
            saved.append(_saved(dialog, out / f"{kind}-dialog-{name}{more}-{lang}.png"))
            dialog.close()
        wait_for(session, 100)
    return saved


def _saved(dialog, path: Path) -> Path:
    """``dialog`` grabbed into ``path``; said when it is larger than the screen gives."""
    dialog.grab().save(str(path))
    said = too_big(dialog)
    if said:
        print(f"TOO BIG {path.name}: {said}")
    return path


def shoot_start(out: Path, world: Path, lang: str) -> list[Path]:
    """The dialogs before a window: the first run's, and the cannot-open one's."""
    from ui.first_run import CannotOpenDialog, FirstRunDialog

    saved = []
    for name, dialog in (
        ("first-run", FirstRunDialog(world / "new" / "fieldplan.sqlite3",
                                     backups_folder=False)),
        ("cannot-open", CannotOpenDialog(world / "hq.sqlite3",
                                         "file is not a database", backups=[])),
    ):
        dialog.show()
        QApplication.processEvents()
        saved.append(_saved(dialog, out / f"start-{name}-{lang}.png"))
        dialog.close()
        dialog.deleteLater()
    return saved


def shoot(out: Path, world: Path, lang: str, settings: QSettings,
          dialogs: bool = False) -> list[Path]:
    from ui.app import apply_language

    app = QApplication.instance()
    apply_language(app, lang)
    saved = shoot_start(out, world, lang) if dialogs else []
    office_db = sorted((world / "offices").glob("*.sqlite3"))[0]
    for kind, db in (("office", office_db), ("hq", world / "hq.sqlite3")):
        window, session = open_window(db, settings)
        window.set_period("2026-S1")
        wait_for(session)
        tree = window.office_view.tree
        first = tree.identity.own_actions()[1 if kind == "office" else 0].code
        tree.select(first)
        wait_for(session, 400)
        pages = [("progress", window.office_view), ("dashboard", window.dashboard)]
        if window.hq_desk is not None:
            pages += [
                ("overview", window.hq_desk.overview),
                ("reports", window.hq_desk.reports),
                ("inbox", window.hq_desk.inbox),
            ]
        if dialogs:  # every tab, by its place
            pages = [(f"tab{i}", window.tabs.widget(i)) for i in range(window.tabs.count())]
        for name, page in pages:
            window.show_page(page)
            wait_for(session, 300)
            # a report chosen: its narrative in the pane below
            if window.hq_desk is not None and window._page_shown() is window.hq_desk.reports:
                page = window.hq_desk.reports
                page.view.setCurrentIndex(page.model.index(0, 0))
                wait_for(session, 100)
            path = out / f"{kind}-{name}-{lang}.png"
            window.grab().save(str(path))
            saved.append(path)
        if dialogs:
            saved += shoot_dialogs(out, window, session, kind, lang, world)
        window.close()
        session.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "screenshots"))
    parser.add_argument("--langs", default="en,fr,ar")
    parser.add_argument("--screen", default="", help="a screen of WxH pixels, e.g. 1024x600")
    parser.add_argument("--dialogs", action="store_true", help="the dialogs too")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    config = Path(tempfile.mkdtemp()) / "screen.json"
    if args.screen:
        width, height = (int(n) for n in args.screen.lower().split("x"))
        config.write_text(json.dumps({"screens": [{
            "name": "laptop", "x": 0, "y": 0, "width": width, "height": height,
            "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    app = QApplication.instance() or QApplication([])
    if args.screen:
        from ui.screen import FRAME_ROOM

        room = app.primaryScreen().availableGeometry()
        SIZE[:] = [room.width() - FRAME_ROOM[0], room.height() - TASK_BAR - FRAME_ROOM[1]]
    config.unlink(missing_ok=True)
    config.parent.rmdir()
    from ui.app import apply_font

    apply_font(app)
    from fieldplan.demo import make_demo

    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        make_demo(world, offices=12, seed=1, merge=True)
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        for lang in args.langs.split(","):
            for path in shoot(out, world, lang, settings, args.dialogs):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
