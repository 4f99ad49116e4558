"""Make the Windows icon (resources/icons/fieldplan.ico) from fieldplan.svg: one PNG
image per size Windows asks for (16 to 256 pixels), in an ICO file; and the 48-pixel
PNG that packaging/linux/install.sh puts beside the SVG (menus and file managers that
do not draw SVG). Run it again after changing the SVG (a test checks they agree):

    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "resources" / "icons" / "fieldplan.svg"
ICO = ROOT / "resources" / "icons" / "fieldplan.ico"
PNG_48 = ROOT / "resources" / "icons" / "fieldplan-48.png"
#: the sizes Windows shows (Explorer's views, the taskbar, the title bar, at 100–200 %)
SIZES = (16, 20, 24, 32, 40, 48, 64, 256)


def render_png(svg: Path, size: int) -> bytes:
    """The SVG drawn on a transparent square of ``size`` pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    buf.close()
    return bytes(data.data())


def ico(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO file of PNG images (``(size, png)``; Windows Vista and later read PNG
    entries): the header, one directory entry per image, then the images."""
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries, blobs = [], []
    for size, png in images:
        side = 0 if size >= 256 else size  # (0 means 256)
        entries.append(struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset))
        blobs.append(png)
        offset += len(png)
    return head + b"".join(entries) + b"".join(blobs)


def make(svg: Path = SVG) -> bytes:
    """The ICO file's bytes for ``svg``."""
    return ico([(size, render_png(svg, size)) for size in SIZES])


if __name__ == "__main__":
    ICO.write_bytes(make())
    print(f"wrote {ICO.relative_to(ROOT)} ({ICO.stat().st_size:,} bytes)")
    PNG_48.write_bytes(render_png(SVG, 48))
    print(f"wrote {PNG_48.relative_to(ROOT)} ({PNG_48.stat().st_size:,} bytes)")
