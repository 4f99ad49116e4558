"""Screenshots of the desktop client's main screens, for the docs and for review.

Office and HQ, in English, French and Arabic. Not for the AppStream file
(packaging/linux), which has none: AppStream takes a screenshot only at a web address,
and fieldplan, made for offices without connectivity, publishes none.

    python packaging/screenshots.py [--out DIR] [--langs en,fr,ar]

Makes a demo world in a temporary folder, opens windows offscreen at 1366×768 and
saves each screen with ``widget.grab().save()``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

SIZE = (1366, 768)


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


def shoot(out: Path, world: Path, lang: str, settings: QSettings) -> list[Path]:
    from ui.app import apply_language

    app = QApplication.instance()
    apply_language(app, lang)
    saved = []
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
        for name, page in pages:
            window.show_page(page)
            wait_for(session, 300)
            if name == "reports":  # a report chosen: its narrative in the pane below
                page.view.setCurrentIndex(page.model.index(0, 0))
                wait_for(session, 100)
            path = out / f"{kind}-{name}-{lang}.png"
            window.grab().save(str(path))
            saved.append(path)
        window.close()
        session.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parent / "screenshots"))
    parser.add_argument("--langs", default="en,fr,ar")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    from ui.app import apply_font

    apply_font(app)
    from fieldplan.demo import make_demo

    with tempfile.TemporaryDirectory() as tmp:
        world = Path(tmp) / "world"
        make_demo(world, offices=12, seed=1, merge=True)
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        for lang in args.langs.split(","):
            for path in shoot(out, world, lang, settings):
                print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
