"""The README's account of the client agrees with the window: every menu and menu item
is named there (under "The desktop client"), with the keys the window gives it, and
every "Menu ▸ Item" the README names anywhere is in that menu."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: the README with its lines joined (an item's name may be cut at the end of a line)
README = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def _client_section() -> str:
    start = README.index("## The desktop client")
    return README[start:README.index(" ## ", start + 1)]


def _plain(text: str) -> str:
    return text.replace("&", "")


def _menus(window) -> dict[str, list]:
    """Each menu's title (no mnemonics) and its actions, hidden ones too (shown when
    they apply), submenus' actions as well."""
    out = {}
    for top in window.menuBar().actions():
        actions = []
        for a in top.menu().actions():
            if a.isSeparator():
                continue
            actions.append(a)
            if a.menu() is not None:
                actions += [b for b in a.menu().actions() if not b.isSeparator()]
        out[_plain(top.text())] = actions
    return out


def _keys(action) -> set[str]:
    return {k.toString() for k in action.shortcuts()}


@pytest.mark.parametrize("where", ["hq", "office"])
def test_every_menu_item_is_in_the_readme(where, open_window, hq_db, office_db) -> None:
    window = open_window(hq_db if where == "hq" else office_db)
    section = _client_section()
    missing, wrong_keys = [], []
    tabs = {_plain(window.tabs.tabText(i)) for i in range(window.tabs.count())}
    for menu, actions in _menus(window).items():
        if menu not in section:
            missing.append(menu)
        for action in actions:
            text = _plain(action.text())
            if menu == "View" and text in tabs:
                continue  # the pages: named as such
            if menu == "Settings" and action.data() is not None:
                continue  # the languages, each in its own tongue
            if text not in section:
                missing.append(f"{menu} ▸ {text}")
                continue
            # a fixed key written after the item, "Export… (Ctrl+E", is the window's
            said = re.search(re.escape(text) + r" \((Ctrl[\w+]*)", section)
            if said and said.group(1).replace("Enter", "Return") not in _keys(action) | {
                    k.replace("Enter", "Return") for k in _keys(action)}:
                wrong_keys.append(f"{text}: {said.group(1)} not in {sorted(_keys(action))}")
    for tab in tabs:
        if tab not in section:
            missing.append(f"page {tab}")
    assert missing == []
    assert wrong_keys == []


def test_the_readme_names_no_menu_item_the_window_lacks(open_window, hq_db) -> None:
    # (at headquarters, whose menus hold every item: an office's hidden ones too)
    menus = {menu: {_plain(a.text()) for a in actions}
             for menu, actions in _menus(open_window(hq_db)).items()}
    named = re.findall(r"(\w+) ▸ ((?:[^…|();,]+?…)(?: / [^…|();,]+?…)*|\w+)", README)
    assert named
    for menu, items in named:
        assert menu in menus, menu
        for item in items.split(" / "):
            assert item in menus[menu], f"{menu} ▸ {item}"
