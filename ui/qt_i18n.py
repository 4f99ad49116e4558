"""Qt's own strings (standard buttons, file and message dialogs) in the user's language,
and the layout direction that goes with it.

fieldplan's own text goes through ``fieldplan.i18n`` (gettext); this module only loads
the ``qtbase_<lang>.qm`` catalogs that PySide6 ships (6.12 has both ``qtbase_fr.qm`` and
``qtbase_ar.qm``) and mirrors the layout for Arabic.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QLocale
from PySide6.QtGui import QGuiApplication

from fieldplan.i18n import PSEUDO_LANGUAGE
from ui.qtcompat import Qt

if TYPE_CHECKING:
    from PySide6.QtCore import QTranslator

#: Qt catalogs to load, by base name: qtbase covers QtCore, QtGui, QtWidgets and
#: QtPrintSupport, which is all the client uses.
QT_CATALOGS: tuple[str, ...] = ("qtbase",)

#: The QLocale used for each language in widgets (spin boxes, date edits): Arabic with
#: Western digits, the same choice as fieldplan.i18n's formatting. Plain QLocale("ar")
#: is Egyptian Arabic, with Arabic-Indic digits.
QT_LOCALES: dict[str, str] = {"en": "en_GB", "fr": "fr_FR", "ar": "ar_AE"}
#: The languages written right to left, as Qt's locale data says of QT_LOCALES (a test
#: compares them): asking QLocale.textDirection() at start-up would build PySide's Qt
#: namespace (ui.qtcompat) before the first paint.
RTL_LANGUAGES = frozenset({"ar"})

# The translators installed by the last call (the catalogs and their fallback): kept
# referenced so Python does not collect them while Qt uses them, and removed when the
# language changes.
_installed: list[QTranslator] = []


def _accelerator_fallback(catalogs: list[QTranslator]) -> QTranslator:
    """A translator Qt asks last: for a string with an ``&`` (a keyboard accelerator)
    that the catalogs miss, the catalogs' translation of the same string without it.
    Qt 6.12's file dialog asks for "&Look in:" and "Files of &type:", which the
    ``qtbase_*.qm`` it ships still hold only as "Look in:" and "Files of type:": the
    labels showed in English beside French or Arabic buttons."""
    return _fallback_class()(catalogs)


@functools.cache
def _fallback_class() -> type:
    """The class of ``_accelerator_fallback``'s translators, made once (made at each
    language change, each class stayed in memory for good)."""
    from PySide6.QtCore import QTranslator

    class AcceleratorFallback(QTranslator):
        def __init__(self, catalogs: list[QTranslator]) -> None:
            super().__init__()
            self.catalogs = catalogs

        def translate(self, context: str, source: str, disambiguation: str | None = None,
                      n: int = -1) -> str | None:
            # None (a null QString) when it has nothing: Qt takes "" for a translation,
            # and every string its catalogs miss showed blank (Arabic key sequences
            # read "CtrlShiftS": "+" is not in qtbase_ar)
            if "&" not in source:
                return None
            plain = source.replace("&", "", 1)
            for catalog in self.catalogs:
                found = catalog.translate(context, plain, disambiguation, n)
                if found:
                    return found
            return None

        def isEmpty(self) -> bool:  # (Qt's name)
            return False

    return AcceleratorFallback


def qt_translations_dir() -> str:
    """Where PySide6 keeps Qt's .qm files."""
    from PySide6.QtCore import QLibraryInfo

    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install_qt_translations(app: QCoreApplication, lang: str) -> list[QTranslator]:
    """Install Qt's translations for ``lang`` on ``app`` (replacing earlier ones), set the
    default QLocale and, on a GUI application, the layout direction. Returns the
    translators that were found and installed (none for English)."""
    while _installed:
        app.removeTranslator(_installed.pop())
    catalogs: list[QTranslator] = []
    code = "en" if lang == PSEUDO_LANGUAGE else lang
    locale = QLocale(QT_LOCALES.get(code, code))
    QLocale.setDefault(locale)
    if code != "en":  # English needs no catalog (nor QTranslator, at start-up)
        from PySide6.QtCore import QTranslator

        folder = qt_translations_dir()
        for name in QT_CATALOGS:
            translator = QTranslator()
            if translator.load(locale, name, "_", folder):
                catalogs.append(translator)
        if catalogs:
            # installed first, so asked last (Qt asks the latest installed first)
            fallback = _accelerator_fallback(catalogs)
            if app.installTranslator(fallback):
                _installed.append(fallback)
        catalogs = [t for t in catalogs if app.installTranslator(t)]
        _installed.extend(catalogs)
    rtl = code in RTL_LANGUAGES
    if isinstance(app, QGuiApplication) and app.isRightToLeft() != rtl:
        # set only when it changes: a left-to-right start never needs Qt's enums
        direction = Qt.LayoutDirection
        app.setLayoutDirection(direction.RightToLeft if rtl else direction.LeftToRight)
    return catalogs
