"""Text from outside (a file name, a path, a narrative, an office's report) shown as
written in a tooltip: never taken for HTML, its bidi controls kept from reordering the
words around it.

Labels that show such text are ``Qt.PlainText`` (``ui.dialogs.text_label``); a tooltip
has no text format, and Qt takes one for rich text when its first line looks like HTML
(``Qt::mightBeRichText``).
"""

from __future__ import annotations

import html

from fieldplan.text import bidi_contained


def tip_text(text: str | None) -> str | None:
    """``text`` for ``setToolTip`` or a model's ``ToolTipRole``, shown as written. A
    tooltip that Qt would take for rich text (a bundle named "<b><font color=red
    size=6>URGENT …", a narrative starting "<table bgcolor=red>") becomes rich text of
    its own with the text escaped in it, laid out as Qt lays out a plain tooltip (its
    spaces and line breaks kept, no wrapping: Qt wraps a rich tooltip to a fifth of a
    line, a file name over four lines); any other is left as it is. Bidi controls are
    contained either way (``fieldplan.text.bidi_contained``)."""
    if not text:
        return text
    text = bidi_contained(text)
    if "<" not in text and "&lt;" not in text:  # no tag, no "&lt;": never rich text
        return text
    # (asked only then: Qt's namespace costs the first screen ~15 ms, ui.qtcompat)
    from PySide6.QtGui import Qt as gui

    if not gui.mightBeRichText(text):
        return text
    return '<p style="white-space:pre">' + html.escape(text, quote=False) + "</p>"
