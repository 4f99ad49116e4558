"""CPU time of a key typed at the end of a 5,000-character narrative, one paragraph
(run on demand, not as a timed test):

    QT_QPA_PLATFORM=offscreen python tests/bench/bench_narrative_keys.py [--lang ar]

The narrative box (``ui.bidi_widgets.PlainTextEdit``) looks at the paragraph a key
changed again at each key (its direction by most of its words, as the sheet prints
it); one 5,000-character paragraph is the most it looks at. Against Qt's own
QTextEdit, which lays the paragraph out again at each key anyway. Each in a process of
its own, three runs alternating.

Measured (2 shared cores, session 35), 210 keys, Arabic layout, mixed paragraph:

    QTextEdit alone:             7.0 ms a key
    the narrative box:           9.5-10.3 ms a key (of which paragraph_direction on
                                 the 5,000 characters: about 1.6 ms)
    an English paragraph (ASCII: paragraph_direction at once) costs nothing more.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time


def run(kind: str, lang: str) -> float:
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent, QTextCursor
    from PySide6.QtWidgets import QApplication, QTextEdit

    from ui.bidi_widgets import PlainTextEdit

    app = QApplication([])
    if lang == "ar":
        QApplication.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    para = "IOM قدمت الدعم الفني لوزارة الداخلية في القاهرة Visa delays; التأخير في التأشيرات. "
    text = (para * 80)[:5000]
    box = QTextEdit() if kind == "qt" else PlainTextEdit()
    box.setPlainText(text)
    box.resize(700, 400)
    box.show()
    app.processEvents()
    cursor = box.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    box.setTextCursor(cursor)
    box.setFocus()
    keys = "و ت" * 70
    start = time.process_time()
    for ch in keys:
        for event in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(box, QKeyEvent(event, Qt.Key.Key_unknown,
                                                  Qt.KeyboardModifier.NoModifier, ch))
        app.processEvents()
    return 1000 * (time.process_time() - start) / len(keys)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", default="ar")
    parser.add_argument("--one", choices=["qt", "box"])
    args = parser.parse_args()
    if args.one:
        print(f"{run(args.one, args.lang):.2f}")
        return
    for _ in range(3):
        for kind in ("qt", "box"):
            out = subprocess.run([sys.executable, __file__, "--lang", args.lang, "--one", kind],
                                 capture_output=True, text=True, check=True).stdout.strip()
            print(f"{kind:4} {out} ms CPU a key")


if __name__ == "__main__":
    main()
