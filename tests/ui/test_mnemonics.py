"""Alt+letter opens one thing: no two menu-bar titles or tabs of the main window share
a mnemonic, in any language (read from the catalogs at run time). Arabic titles carry
none: Alt with an Arabic letter is of little use on the keyboards offices have."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QGroupBox,
    QLabel,
    QTabBar,
    QWidget,
)

from tests.ui.conftest import wait_idle
from ui.app import apply_language

_MNEMONIC = re.compile(r"&(?!&)(.)")


def mnemonic(text: str) -> str | None:
    """The letter after the single "&" of ``text``, lower case; None without one."""
    found = _MNEMONIC.search(text.replace("&&", ""))
    return found[1].casefold() if found else None


def clashes(texts: list[str]) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        key = mnemonic(text)
        if key is not None:
            by_key[key].append(text)
    return {k: v for k, v in by_key.items() if len(v) > 1}


def test_mnemonic_parsing():
    assert mnemonic("Pro&gress") == "g"
    assert mnemonic("Save && close") is None
    assert clashes(["&Edit", "P&eriod", "&File"]) == {"e": ["&Edit", "P&eriod"]}


def window_titles(window) -> list[str]:
    """The menu-bar titles and the tab titles: they answer Alt+letter on every page."""
    return [a.text() for a in window.menuBar().actions()] + [
        window.tabs.tabText(i) for i in range(window.tabs.count())
    ]


def page_texts(page: QWidget, window: QWidget) -> list[str]:
    """What answers Alt+letter in ``page`` as shown in ``window``: its buttons, the
    labels that name a field (QFormLayout makes its row labels buddies too) and the
    titles of checkable group boxes (a tab bar's buttons are the tabs: not here)."""
    texts = [label.text() for label in page.findChildren(QLabel)
             if label.buddy() is not None and label.isVisibleTo(window)]
    texts += [b.text() for b in page.findChildren(QAbstractButton)
              if b.isVisibleTo(window) and b.text() and not isinstance(b.parent(), QTabBar)]
    texts += [g.title() for g in page.findChildren(QGroupBox)
              if g.isCheckable() and g.isVisibleTo(window)]
    return texts


@pytest.fixture
def language():
    app = QApplication.instance()
    yield lambda lang: apply_language(app, lang)
    apply_language(app, "en")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
@pytest.mark.parametrize("db", ["hq_db", "office_db"])
def test_menu_titles_and_tabs_have_distinct_mnemonics(lang, db, language, open_window, request):
    language(lang)
    window = open_window(request.getfixturevalue(db))
    menus = [a.text() for a in window.menuBar().actions()]
    tabs = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    # all of them answer Alt+letter at once, wherever the focus is
    assert clashes(menus + tabs) == {}


@pytest.mark.parametrize("submitted", [False, True])
def test_the_progress_page_adds_no_clash_in_english(open_window, hq_db, qtbot, submitted):
    """Its field labels and, on a submitted report, Reopen (the window with the most
    tabs: headquarters')."""
    if submitted:
        from fieldplan.progress import submit_period
        from fieldplan.replica import open_replica

        with open_replica(hq_db) as rep:
            submit_period(rep, "2026-S1")
    window = open_window(hq_db)
    window.set_period("2026-S1")
    wait_idle(qtbot, window.session)
    window.office_view.select_action("PA1.6")
    wait_idle(qtbot, window.session)
    texts = page_texts(window.office_view, window)
    reopen = window.office_view.editor.reopen_button
    assert (reopen.text() in texts) == submitted
    assert len(texts) >= 6
    assert clashes(window_titles(window) + texts) == {}
