"""In Arabic the whole main window is laid out right to left (menus, tabs, forms,
tables), and goes back to left to right in the other languages."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolBar

RTL, LTR = Qt.LayoutDirection.RightToLeft, Qt.LayoutDirection.LeftToRight


@pytest.mark.parametrize(("lang", "direction"), [("ar", RTL), ("fr", LTR), ("en", LTR)])
def test_main_window_direction_follows_the_language(
    lang, direction, language, open_window, office_db, qtbot
):
    language(lang)
    window = open_window(office_db)
    assert window.layoutDirection() == direction
    for widget in (
        window.menuBar(),
        window.tabs,
        window.statusBar(),
        window.office_view,
        window.office_view.editor,
        window.office_view.tree,
        *window.findChildren(QToolBar),
    ):
        assert widget.layoutDirection() == direction, widget
    if lang == "ar":
        # the tabs start at the right: the first tab is right of the second
        bar = window.tabs.tabBar()
        assert bar.tabRect(0).center().x() > bar.tabRect(1).center().x()


def _ink(image) -> int:
    """How many pixels of ``image`` are dark (a letter's)."""
    from PySide6.QtGui import QImage

    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    data, line, width = bytes(gray.constBits()), gray.bytesPerLine(), gray.width()
    dark = bytes(range(160))
    return sum(width - len(data[y * line:y * line + width].translate(None, dark))
               for y in range(gray.height()))


def _assert_whole_at_every_width(label, text: str, font, widths: range) -> None:
    """At each of ``widths``, ``label`` (Arabic plain text, wrapped) shows all of its
    lines' ink: as much as the same lines drawn with room all around them, and none in
    its leftmost column (a letter running on past its edge)."""
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QStyle

    label.setStyleSheet("background: white; color: black")
    for width in widths:
        label.resize(width, label.heightForWidth(width))
        shown = label.grab().toImage()
        free = QImage(width + 100, label.height(), QImage.Format.Format_RGB32)
        free.fill(QColor("white"))
        painter = QPainter(free)
        painter.setFont(font)
        painter.setPen(QColor("black"))
        painter.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        room = label.contentsRect().translated(50, 0)
        flags = QStyle.visualAlignment(Qt.LayoutDirection.RightToLeft, label.alignment())
        painter.drawText(room, int(flags) | int(Qt.TextFlag.TextWordWrap)
                         | int(Qt.TextFlag.TextDontClip), text)
        painter.end()
        assert _ink(shown) == _ink(free), width
        assert all(shown.pixelColor(0, y).lightness() >= 160 for y in range(shown.height()))


@pytest.mark.parametrize("points", [10, 14])
def test_an_arabic_indicators_name_is_never_cut_at_its_labels_edge(language, qtbot, points):
    """Qt breaks a wrapped label's lines by the letters' advances; the last letter of
    "الهجرة" is drawn past its advance, and was cut off at the label's edge in the
    report editor with the window at its narrowest (784 pixels, the label 98 wide).
    And Qt aligns a wrapped Arabic line with the space after its last word: a line
    nearly as wide as the label began past the text's edge, where QLabel cut it off
    (at 14 points the last letter of "الحكوميين", the label its longest word's width
    at 800 pixels; at many other widths at 10 points too). Each line's ink is in the
    label whole, at every width from its narrowest on."""
    from PySide6.QtGui import QFont

    from ui.app import load_fonts
    from ui.indicator_grid import GridLabel

    font = QFont(load_fonts())  # the client's font (ui.app.apply_font)
    font.setPointSize(points)
    language("ar")
    text = "عدد الموظفين الحكوميين المدرَّبين على جمع بيانات الهجرة وتحليلها (أشخاص)"
    label = GridLabel(text)
    label.setFont(font)
    qtbot.addWidget(label)
    label.setTextFormat(Qt.TextFormat.PlainText)
    least = label.minimumSizeHint().width()
    _assert_whole_at_every_width(label, text, font, range(least, least + 40))


#: wrapped Arabic plain text the client shows: an action's description in the report
#: editor, a Target cell of its indicators grid, a dialog's note (Cannot open), the
#: dashboard's note
WRAPPED_TEXTS = {
    "description": "تقديم المساعدة التقنية إلى الدول الأعضاء في منظمة التعاون الإسلامي"
                   " الراغبة في ذلك من أجل إعداد سياساتها واستراتيجياتها الوطنية للهجرة"
                   " أو مراجعتها أو تنفيذها، من خلال مشاورات تشمل جميع الجهات الحكومية"
                   " المعنية.",
    "target": "10 (نهاية الخطة)",
    "dialog": "إن كان برنامج fieldplan آخر يعمل، فأغلقه وأعد المحاولة.",
    "note": "لا يشمل متوسط التقدم الإجراءات الملغاة.",
}


@pytest.mark.parametrize("points", [10, 14])
@pytest.mark.parametrize("kind", sorted(WRAPPED_TEXTS))
def test_wrapped_arabic_text_is_never_cut_at_its_labels_edge(language, qtbot, points, kind):
    """Any word-wrapped label of plain text was cut off as the indicators' names were
    (Qt places a wrapped Arabic line as if the space after its last word were part of
    it): an action's description lost its last letter at 26 of 110 widths at 10
    points, 40 at 14; a Target cell "10 (نهاية الخطة)" and a dialog's text too. The
    client shows such text in a ``WrappedLabel``: all of its ink, at every width."""
    from PySide6.QtGui import QFont

    from ui.app import load_fonts
    from ui.wrapped_label import WrappedLabel

    font = QFont(load_fonts())
    font.setPointSize(points)
    language("ar")
    text = WRAPPED_TEXTS[kind]
    label = WrappedLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(font)  # (after: the room past the lines' ends follows the font)
    qtbot.addWidget(label)
    least = label.minimumSizeHint().width()
    widths = range(least, least + 60) if kind == "target" else range(least, least + 300, 3)
    _assert_whole_at_every_width(label, text, font, widths)


def test_wrapped_arabic_text_that_starts_with_an_isolated_code_is_never_cut(language, qtbot):
    """A line that starts with a code ("{action}: …", "{office}: …") has it in a
    left-to-right isolate in Arabic (``ui.bidi.isolated_codes``). QLabel lays it out
    right to left all the same (QString::isRightToLeft skips what an isolate holds),
    but the ``WrappedLabel`` took its direction from the code's Latin letters, did not
    paint it itself, and its lines lost their last letter at about half the widths.
    Its text is painted whole, at every width, as one without the code."""
    from PySide6.QtGui import QFont

    from ui.app import load_fonts
    from ui.bidi import isolated_codes
    from ui.wrapped_label import WrappedLabel

    font = QFont(load_fonts())
    font.setPointSize(10)
    language("ar")
    text = isolated_codes("PA1.2: " + WRAPPED_TEXTS["description"])
    assert text.startswith("\u2066PA1.2\u2069")
    label = WrappedLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(font)
    qtbot.addWidget(label)
    assert label._paints_itself()
    least = label.minimumSizeHint().width()
    _assert_whole_at_every_width(label, text, font, range(least, least + 300, 3))
    # and a line whose first letter outside an isolate is Latin (an Arabic name
    # quoted in it) is Qt's to lay out left to right, not painted right to left
    other = WrappedLabel("\u2067" + WRAPPED_TEXTS["note"] + "\u2069 is the note")
    qtbot.addWidget(other)
    assert not other._paints_itself()


def test_a_wrapped_arabic_label_is_at_least_a_line_high_as_an_english_one(language, qtbot):
    """A ``WrappedLabel`` of Arabic plain text said its least height was that of its
    text at its narrowest, a word a line: a layout's least height was the sum of its
    labels' so, and a dialog sized to it (the first run's) had blank bands between its
    lines. Like Qt's labels (an English one), it asks for a line: its layout gives it
    the height its width needs."""
    from ui.wrapped_label import WrappedLabel

    texts = {"en": "Its backups are there: restore the latest, or start another way.",
             "ar": "نسخه الاحتياطية موجودة: استعد آخرها، أو ابدأ بطريقة أخرى."}
    least = {}
    for lang, text in texts.items():
        language(lang)
        label = WrappedLabel(text)
        qtbot.addWidget(label)
        assert label._paints_itself() == (lang == "ar")
        least[lang] = label.minimumSizeHint()
        assert least[lang].height() <= label.heightForWidth(label.sizeHint().width())
        # at its narrowest it is as high as its text there all the same (no line cut)
        assert label.heightForWidth(least[lang].width()) > 3 * least[lang].height()
    assert least["ar"].height() == least["en"].height()


def test_a_wrapped_arabic_label_with_a_buddy_paints_its_mnemonics_as_qt_sizes_them(
        language, qtbot) -> None:
    """A label with a buddy (an indicator's name in the report form) has Qt take "&"
    as a mnemonic, "&&" as one "&", and size it so; a ``WrappedLabel`` of Arabic
    plain text paints its text itself, and painted "&&" as written. It paints the
    ink of the text as Qt takes it: that of the same text with one "&", no buddy."""
    from PySide6.QtWidgets import QLineEdit

    from ui.wrapped_label import WrappedLabel

    language("ar")
    buddy = QLineEdit()
    qtbot.addWidget(buddy)
    labels = []
    for text, with_buddy in (("مؤشر المياه && الصرف الصحي", True),
                             ("مؤشر المياه & الصرف الصحي", False)):
        label = WrappedLabel(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if with_buddy:
            label.setBuddy(buddy)
        qtbot.addWidget(label)
        label.setFixedSize(120, 60)
        assert label._paints_itself()
        labels.append(label)
    named, plain = (label.grab().toImage() for label in labels)
    assert named == plain


def test_the_clients_wrapped_arabic_text_is_in_wrapped_labels(
    language, open_window, office_db, qtbot
):
    """The report editor's title, description and meta, and its grid's names and
    Target cells, are ``WrappedLabel``s, with room past their lines' ends (on the
    left)."""
    from tests.ui.conftest import wait_idle
    from ui.wrapped_label import WrappedLabel

    language("ar")
    window = open_window(office_db)
    window.office_view.select_action("PA1.2")  # (its second target "10 (نهاية الخطة)")
    wait_idle(qtbot, window.session)
    editor = window.office_view.editor
    qtbot.waitUntil(lambda: bool(editor.indicator_edits), timeout=5000)
    grid = editor.indicator_grid
    name, target = grid.itemAtPosition(1, 0).widget(), grid.itemAtPosition(3, 1).widget()
    assert "(" in target.text()
    for label in (editor.title, editor.description, editor.meta, name, target):
        assert isinstance(label, WrappedLabel), label
        assert label.contentsMargins().left() > 0 == label.contentsMargins().right(), label


def _cut(label) -> int:
    """The dark pixels of ``label``'s text cut off at its height: those that the same
    label 200 pixels higher (its text centred 100 pixels lower) shows more."""
    shown = _ink(label.grab().toImage())
    geometry = label.geometry()
    label.resize(geometry.width(), geometry.height() + 200)
    whole = _ink(label.grab().toImage())
    label.setGeometry(geometry)
    return whole - shown


def test_the_marks_under_a_selectable_labels_last_line_are_never_cut(
        language, qtbot, monkeypatch, tmp_path):
    """A label whose text can be selected is laid out by Qt's text document, as high as
    its lines, which end at the font's descent; the two marks under the last letter of
    "ثوانٍ" go lower, and were cut off: the demo dialog's "Preparing the demo…" lost
    them at 142 of 158 widths of the dialog from 300 to 1400 pixels (and a line's
    first word "جارٍ" where the text was one line). A ``DocumentLabel`` is as high as
    its ink: whole at every width."""

    from ui import first_run

    monkeypatch.setattr(first_run, "OneShot", lambda *args, **kwargs: None)  # (no demo)
    language("ar")
    dialog = first_run.DemoDialog(tmp_path / "demo.sqlite3")
    qtbot.addWidget(dialog)
    dialog.show()
    label = dialog.message
    assert "ثوانٍ" in label.text()
    for width in range(300, 1401, 7):
        dialog.resize(width, dialog.heightForWidth(width))
        QApplication.processEvents()
        assert _cut(label) == 0, width


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "Its backups are there: restore the latest, or start another way."),
    ("ar", "نسخه الاحتياطية موجودة: استعد آخرها، أو ابدأ بطريقة أخرى."),
])
def test_a_selectable_label_whose_ink_stays_in_its_lines_is_as_high_as_qt_has_it(
        language, qtbot, lang, text):
    """The room a ``DocumentLabel`` adds is for marks below its last line only: a text
    without them is as high as Qt has it (the dialogs' texts, ``PlainLabel``), at
    every width."""
    from PySide6.QtWidgets import QLabel

    from ui.path_label import PlainLabel

    language(lang)
    label = PlainLabel(text)
    qtbot.addWidget(label)
    for width in range(40, 700, 3):
        assert label.heightForWidth(width) == QLabel.heightForWidth(label, width), width


def test_a_document_labels_ink_is_measured_once_for_each_width_and_text(qtbot,
                                                                        monkeypatch):
    """A layout asks a label's height for the same width again and again: its text
    was laid out and its ink measured at each question (a language change to Arabic
    took twice as long). Once for each width and text now, and measured again when
    the text changes."""
    import ui.wrapped_label
    from ui.wrapped_label import DocumentLabel

    measured = []
    real = ui.wrapped_label.ink_room
    monkeypatch.setattr(ui.wrapped_label, "ink_room",
                        lambda label, width: measured.append(width) or real(label, width))
    label = DocumentLabel("جارٍ تحضير العرض التوضيحي؛ قد يستغرق ذلك بضع ثوانٍ.")
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    qtbot.addWidget(label)
    short = [label.heightForWidth(120) for _ in range(5)]
    assert measured == [120] and len(set(short)) == 1
    label.setText(label.text() * 4)
    assert label.heightForWidth(120) > short[0]
    assert measured == [120, 120]


def test_a_label_without_its_own_gap_is_watched_without_error(qtbot):
    """The suite once met, under load, a WrappedLabel the watcher was told of without
    the gap its ``__init__`` sets, and the event filter raised at every font change
    from then on, each later test failing at its end. The class holds the default."""
    from PySide6.QtGui import QFont

    from ui.wrapped_label import WrappedLabel

    label = WrappedLabel("نص")
    qtbot.addWidget(label)
    del label._gap_before  # (as that label had none)
    label.setFont(QFont("Noto Sans", 15))  # a FontChange, to the watcher
    label.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    assert label.contentsMargins().right() == 0


def test_a_layout_without_its_own_items_answers_qt_without_error(qtbot):
    """As the label above: a flow layout whose Python side lost its items (Python's
    collector clears a cycle's objects while Qt may still hold them) answers Qt's
    questions as an empty layout, where each raised and failed the test running."""
    from PySide6.QtWidgets import QWidget

    from ui.flow import FlowLayout

    widget = QWidget()
    qtbot.addWidget(widget)
    layout = FlowLayout(widget)
    del layout._items
    assert layout.count() == 0 and layout.itemAt(0) is None
    widget.show()
    widget.adjustSize()
