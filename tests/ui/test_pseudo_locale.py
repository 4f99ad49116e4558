"""Every piece of text the main screens show goes through the catalogs: run the client
in the pseudo-locale (every translated message comes back as "⟦Àççéñtéð⟧"), visit
each tab of an office and of headquarters, and read every visible text — labels,
buttons, tabs, menus and their actions, group boxes, headers, placeholders, tooltips,
window title, status bar. What is left once the pseudo-translated parts are taken
out must be data: numbers, dates, codes, and names and texts from the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QTabBar,
    QTableView,
    QTextEdit,
    QToolBar,
    QTreeView,
    QWidget,
)

from fieldplan import i18n
from tests.ui.conftest import wait_idle

# Data, not words: what may remain once the pseudo-translated parts are removed, taken
# out in this order.
DATA_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"[\w.-]+\.(fieldplan|sqlite3)\b",  # file names
        r"\b\d{4}-\d\d-\d\d(T[\d:]+Z?)?",  # ISO dates
        r"\b\d{4}-S[12]\b",  # period codes
        r"\bPA\d+(\.\d+)?\b",  # area and action codes
        r"\b(RO-[A-Za-z]+|HQ|[A-Z]{2})\b",  # office codes (RO-Dakar whole, not RO)
        r"\b([0-9a-f]{8,}|[0-9A-F]{16})\b",  # replica and key ids
        r"\b([0-9A-F]{4} ){9}[0-9A-F]{4}\b",  # key fingerprints
        r"\bfieldplan( \d+(\.\d+)*)?\b",  # the program's name and version
        # dates and times as CLDR writes them (the pseudo-locale formats like en_GB), also
        # kept whole on one line (ui.context.unbroken: no-break spaces, word joiners)
        r"\b\d{1,2}[\s\u2060]+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)[a-z]*"
        r"[\s\u2060]+\d{4}\b",
        r"[\d\s.,:%/–—·…|()\[\]●○▲▼✓✕+−\u200e\u200f\u2060\u2066-\u2069-]+",  # digits, symbols
    )
)
#: Rows of each table read (their headers are always read).
ROWS_READ = 30
_PSEUDO = re.compile(r"⟦[^⟦⟧]*⟧")


def without_pseudo(text: str) -> str:
    """The text with every pseudo-translated part (nested ones too) taken out."""
    while True:
        shorter = _PSEUDO.sub(" ", text)
        if shorter == text:
            return text
        text = shorter


def database_texts(db: Path) -> list[str]:
    """Names and texts that come from the database: the plan's titles and descriptions
    in every language, office names, narratives, authors — longest first."""
    from fieldplan.offices import all_offices, office_name
    from fieldplan.progress import list_reports
    from fieldplan.replica import open_replica

    texts: set[str] = set()
    with open_replica(db) as rep:
        plan = rep.plan()
        reports = list_reports(rep)
    for text in (
        plan.title,
        *(a.title for a in plan.areas),
        *(a.title for a in plan.actions),
        *(a.description for a in plan.actions),
        *(i.title for a in plan.actions for i in a.indicators),
    ):
        texts.update((text.en, text.fr, text.ar))
    texts.update(office_name(o, lang) for o in all_offices() for lang in ("en", "fr", "ar"))
    for r in reports:
        for text in (r.achievements, r.challenges, r.next_steps):
            texts.update((text, text.replace("\n", " ")))  # tables show one line
        texts.add(r.updated_by or "")
    return sorted((t for t in texts if t), key=len, reverse=True)


# Letters the pseudo-locale accents: a plain English word holding one of them did not
# go through the catalogs, even inside a pseudo-translated message (a value filled into
# "⟦{title} ({unit})⟧", say).
_ACCENTED_BY_PSEUDO = frozenset("AaCcDEeIiNnOoSsUuYyZz")


def leftover(text: str, data: list[str]) -> str:
    """The words of a visible text that are neither pseudo-translated nor data ("" if
    none): any word outside the ⟦…⟧ parts, and plain English words inside them."""
    text = re.sub(r"<[^>]+>", " ", text.replace("&&", "&"))  # rich-text labels
    stem = text.replace("⟦", "").replace("⟧", "").strip().rstrip("…").strip()
    if len(stem) > 20 and "⟦" not in text and any(stem in item for item in data):
        return ""  # a long text from the database, cut short to fit a table cell
    for item in data:
        text = text.replace(item, " ")
    for pattern in DATA_PATTERNS:
        text = pattern.sub(" ", text)
    outside = re.findall(r"\w+", without_pseudo(text))
    inside = [
        w
        for w in re.findall(r"\w+", text)
        if w.isascii() and w.isalpha() and _ACCENTED_BY_PSEUDO & set(w)
    ]
    return " ".join(dict.fromkeys(outside + inside))


def visible_texts(window: QMainWindow) -> list[tuple[str, str]]:
    """(where, text) of everything a person can read on the window as it is now."""
    out: list[tuple[str, str]] = [("window title", window.windowTitle())]

    def add(widget: QWidget | QMenu, what: str, text: str) -> None:
        if text and text.strip():
            name = widget.objectName() or type(widget).__name__
            out.append((f"{name} {what}", text))

    def walk_menu(menu: QMenu) -> None:
        add(menu, "menu title", menu.title())
        for action in menu.actions():
            add(menu, "menu item", action.text())
            add(menu, "menu item tip", action.statusTip())
            if action.menu() is not None:
                walk_menu(action.menu())

    for action in window.menuBar().actions():
        if action.menu() is not None:
            walk_menu(action.menu())
    out.append(("status bar message", window.statusBar().whole_message()))
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window):
            continue
        if widget.toolTip():
            add(widget, "tooltip", widget.toolTip())
        if isinstance(widget, QLabel):
            add(widget, "label", widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget, "button", widget.text())
        elif isinstance(widget, QToolBar):
            add(widget, "toolbar title", widget.windowTitle())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                add(widget, "tab", widget.tabText(i))
                add(widget, "tab tooltip", widget.tabToolTip(i))
        elif isinstance(widget, QComboBox):
            for i in range(widget.count()):
                add(widget, "item", widget.itemText(i))
            if widget.isEditable():
                add(widget, "placeholder", widget.lineEdit().placeholderText())
        elif isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QAbstractSpinBox):
            add(widget, "special value", getattr(widget, "specialValueText", lambda: "")())
            add(widget, "suffix", getattr(widget, "suffix", lambda: "")())
        if isinstance(widget, QGroupBox):
            add(widget, "group title", widget.title())
        if isinstance(widget, QTableView | QTreeView) and widget.model() is not None:
            header = widget.header() if isinstance(widget, QTreeView) else widget.horizontalHeader()
            if header.isHidden():
                continue
            for section in range(header.count()):
                if header.isSectionHidden(section):
                    continue
                for role, what in (
                    (Qt.ItemDataRole.DisplayRole, "header"),
                    (Qt.ItemDataRole.ToolTipRole, "header tooltip"),
                ):
                    value = widget.model().headerData(section, Qt.Orientation.Horizontal, role)
                    add(widget, what, str(value) if value is not None else "")
            model = widget.model()
            for row in range(min(model.rowCount(), ROWS_READ)):
                for column in range(model.columnCount()):
                    value = model.index(row, column).data(Qt.ItemDataRole.DisplayRole)
                    add(widget, "cell", str(value) if value is not None else "")
    return out


def untranslated(window: QMainWindow, data: list[str]) -> list[str]:
    return sorted(
        {f"{where}: {text!r}" for where, text in visible_texts(window) if leftover(text, data)}
    )


@pytest.fixture
def pseudo():
    i18n.set_language(i18n.PSEUDO_LANGUAGE)
    yield
    i18n.set_language("en")


def test_the_leftover_rule():
    data = ["Senegal", "Joint statement drafted"]
    assert leftover("⟦Ŝàvé⟧", data) == ""
    assert leftover("⟦Ŝübmît 3 ⟦1ŝt ŝéméŝtér 2026⟧?⟧", data) == ""
    assert leftover("SN · Senegal", data) == ""
    assert leftover("PA1.2 · ⟦Àçtîöñ⟧ 45% 2026-S1", data) == ""
    assert leftover("<b>⟦Tàrgét⟧</b>", data) == ""
    assert leftover("Target", data) == "Target"
    assert leftover("⟦Ŝtàtüŝ⟧: draft", data) == "draft"
    assert leftover("⟦Ŝtàtüŝ: draft⟧", data) == "draft"  # filled in, not translated
    assert leftover("⟦Joint statement drafted (count)⟧", data) == "count"
    assert leftover("Période", data) == "Période"  # a word, whatever its language


@pytest.fixture
def world(tmp_path, pseudo) -> Path:
    """A small demo world merged at headquarters, with something in every inbox: HQ's
    bundle merged at the first office, a damaged file rejected at HQ (its reason is
    stored as written, here in the pseudo-locale)."""
    from fieldplan.demo import make_demo
    from fieldplan.replica import open_replica
    from fieldplan.sync import export_bundle, import_bundle

    world = make_demo(tmp_path / "world", offices=3, seed=5, merge=True)
    office = sorted(world.offices)[0]
    with open_replica(world.hq) as hq:
        sent = export_bundle(hq, for_office=office, out_dir=tmp_path)
        import_bundle(hq, b"not a bundle", name="damaged.fieldplan")
    with open_replica(world.offices[office]) as rep:
        import_bundle(rep, sent.path)
    return tmp_path / "world"


@pytest.mark.parametrize("kind", ["office", "hq"])
def test_every_visible_text_goes_through_the_catalogs(kind, world, open_window, qtbot):
    db = (
        sorted((world / "offices").glob("*.sqlite3"))[0]
        if kind == "office"
        else world / "hq.sqlite3"
    )
    data = database_texts(db) + list(i18n.LANGUAGE_NAMES.values())  # names in themselves
    window = open_window(db)
    # wider than the test screen (800×600) lets it open: the status bar's sync line,
    # elided at that width (its tooltip has it whole), is read whole here
    window.resize(1280, 720)
    tree = window.office_view.tree
    assert tree.select(window.identity.own_actions()[0].code)  # an action with indicators
    wait_idle(qtbot, window.session)
    found: set[str] = set()
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        wait_idle(qtbot, window.session)
        found.update(untranslated(window, data))
    assert sorted(found) == []
