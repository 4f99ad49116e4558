"""ui.qt_i18n: Qt's own strings translated, layout mirrored for Arabic."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QDialogButtonBox

from ui.qt_i18n import install_qt_translations

Cancel = QDialogButtonBox.StandardButton.Cancel


@pytest.fixture
def app(qapp):
    """The application, put back as it was: no translators, default locale, LTR."""
    saved = QLocale()
    yield qapp
    install_qt_translations(qapp, "en")
    QLocale.setDefault(saved)


def _cancel_text() -> str:
    box = QDialogButtonBox(Cancel)
    try:
        return box.button(Cancel).text().replace("&", "")
    finally:
        box.deleteLater()


def test_french_translates_standard_buttons(app):
    translators = install_qt_translations(app, "fr")
    assert [t.filePath().rsplit("/", 1)[-1] for t in translators] == ["qtbase_fr.qm"]
    assert _cancel_text() == "Annuler"
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert QLocale().toString(12345) == "12\u202f345"


def test_arabic_is_right_to_left_with_western_digits(app):
    translators = install_qt_translations(app, "ar")
    assert [t.filePath().rsplit("/", 1)[-1] for t in translators] == ["qtbase_ar.qm"]
    assert _cancel_text() == "ألغِ"
    assert app.layoutDirection() == Qt.LayoutDirection.RightToLeft
    assert QLocale().toString(12345) == "12,345"  # as fieldplan.i18n.format_number("ar")


def test_switching_language_replaces_the_translators(app):
    install_qt_translations(app, "ar")
    install_qt_translations(app, "fr")
    assert _cancel_text() == "Annuler"
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight
    assert install_qt_translations(app, "en") == []
    assert _cancel_text() == "Cancel"
    assert app.layoutDirection() == Qt.LayoutDirection.LeftToRight


def test_right_to_left_languages_are_those_qt_writes_right_to_left():
    """RTL_LANGUAGES spares the start-up Qt's enums; Qt's locale data decides."""
    from ui.qt_i18n import QT_LOCALES, RTL_LANGUAGES

    for code, name in QT_LOCALES.items():
        rtl = QLocale(name).textDirection() == Qt.LayoutDirection.RightToLeft
        assert rtl == (code in RTL_LANGUAGES), code


@pytest.mark.parametrize("lang, look_in", [("fr", "Voir dans\u00a0:"), ("ar", None)])
def test_file_dialog_labels_are_translated(app, lang, look_in):
    """Qt 6.12 asks for "&Look in:" and "Files of &type:"; its catalogs hold them
    without the "&" only: the labels were English beside translated buttons."""
    from PySide6.QtWidgets import QFileDialog, QLabel

    install_qt_translations(app, lang)
    dialog = QFileDialog(None, "t")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    try:
        labels = [label.text().replace("&", "") for label in dialog.findChildren(QLabel)]
    finally:
        dialog.deleteLater()
    assert not {"Look in:", "Files of type:", "File name:"} & set(labels), labels
    if look_in:
        assert look_in in labels
    install_qt_translations(app, "en")
    dialog = QFileDialog(None, "t")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
    try:
        assert "Look in:" in [label.text().replace("&", "")
                              for label in dialog.findChildren(QLabel)]
    finally:
        dialog.deleteLater()


@pytest.mark.parametrize("lang, shown", [("fr", "Ctrl+Maj+S"), ("ar", "Ctrl+Shift+S")])
def test_strings_the_catalogs_miss_stay_in_english_not_blank(app, lang, shown):
    """The accelerator fallback answered "" for what it did not know, which Qt takes
    for a translation: in Arabic every shortcut in the menus read "CtrlShiftS" (the
    "+" is not in qtbase_ar), and any string the catalogs miss was blank."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtGui import QKeySequence

    install_qt_translations(app, lang)
    native = QKeySequence.SequenceFormat.NativeText
    assert QKeySequence("Ctrl+Shift+S").toString(native) == shown
    assert QCoreApplication.translate("QShortcut", "+") == "+"
    assert QCoreApplication.translate("QFileDialog", "No such text") == "No such text"


def test_a_language_change_makes_no_new_translator_class(app):
    """The accelerator fallback's class was made again at each language change, and
    each stayed in memory for good (found by the soak test)."""
    from ui import qt_i18n

    kinds = set()
    for lang in ("fr", "ar", "fr"):
        install_qt_translations(app, lang)
        kinds |= {type(t) for t in qt_i18n._installed if not t.filePath()}
    assert len(kinds) == 1
    assert _cancel_text() == "Annuler"
