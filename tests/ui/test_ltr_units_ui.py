"""The client's messages that name a path, a folder or a file: in Arabic each is one
left-to-right unit (``fieldplan.i18n.ltr``, or ``ui.bidi.isolated`` in a right-to-left
layout: the same isolate), a path with an Arabic folder name whole and in order, never
isolated twice; in English as they were."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from fieldplan.text import ltr_isolated

#: an Arabic folder name, as a USB stick's folder of reports
FOLDER = "تقارير"


def nested_ltr_isolate(text: str) -> bool:
    """Whether a left-to-right isolate opens inside another one (a value isolated twice)."""
    open_ltr, stack = 0, []
    for char in text:
        if char in "\u2066\u2067\u2068":
            if char == "\u2066" and open_ltr:
                return True
            stack.append(char)
            open_ltr += char == "\u2066"
        elif char == "\u2069" and stack:
            open_ltr -= stack.pop() == "\u2066"
    return False


def _label(text: str) -> str:
    """``text`` as a label shows it (set, read back)."""
    label = QLabel()
    label.setText(text)
    return label.text()


# --- each place: (what it shows, the path it names) -------------------------------------

def _cannot_open_database(folder: Path, qtbot):
    from fieldplan import store
    from ui.first_run import CannotOpenDialog

    path = folder / "fieldplan.sqlite3"
    dialog = CannotOpenDialog(path, store.not_set_up_text(path), backups=[])
    qtbot.addWidget(dialog)
    return dialog.text.text(), str(path)


def _last_import(folder: Path):
    from fieldplan.sync.state import SyncState
    from ui.main_window import sync_text

    name = "ML-2026-S1.fieldplan"
    state = SyncState(None, {"at": "2026-12-01T10:00:00Z", "file": name,
                             "outcome": "merged"}, None, None, 0, (), 0, 0)
    return _label(sync_text(state)), name


PLACES = {
    "cannot open the database": _cannot_open_database,
    "status bar last import": _last_import,
}


def shown(place, folder, request):
    make = PLACES[place]
    wanted = {"monkeypatch", "qtbot"} & set(make.__code__.co_varnames[:make.__code__.co_argcount])
    return make(folder, **{name: request.getfixturevalue(name) for name in wanted})


@pytest.fixture
def language(qapp):
    from ui.app import apply_language

    def use(lang):
        apply_language(qapp, lang)

    yield use
    apply_language(qapp, "en")


@pytest.mark.parametrize("place", list(PLACES))
def test_an_arabic_message_names_a_path_as_one_unit(place, qapp, language, tmp_path,
                                                     request):
    """In Arabic the path (an Arabic folder name in it) is one left-to-right isolate,
    its characters in their order, named once and isolated once."""
    folder = tmp_path / FOLDER
    folder.mkdir()
    language("ar")
    text, value = shown(place, folder, request)
    assert re.search("[\u0600-\u06ff]", text.replace(value, ""))  # an Arabic sentence
    assert text.count(ltr_isolated(value)) == 1, repr(text)
    assert not nested_ltr_isolate(text), repr(text)
    if os.environ.get("FIELDPLAN_SHOTS") and place in ("cannot open the database",
                                                         "status bar last import"):
        from ui.dialogs import MessageDialog

        box = MessageDialog(None, "fieldplan", text)
        request.getfixturevalue("qtbot").addWidget(box)
        box.show()
        box.grab().save(os.path.join(os.environ["FIELDPLAN_SHOTS"],
                                     f"ltr-{place.replace(' ', '-')}.png"))


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("place", list(PLACES))
def test_an_english_or_french_message_names_a_path_as_it_is(place, lang, qapp, language,
                                                            tmp_path, request):
    folder = tmp_path / "reports"
    folder.mkdir()
    language(lang)
    text, value = shown(place, folder, request)
    assert value in text
    assert not re.search("[\u2066-\u2069]", text), repr(text)


def test_a_path_the_core_named_as_one_unit_is_not_isolated_again(qapp, language, tmp_path):
    """``isolated_paths`` (the cannot-open dialog, a core notice, the backups' faults)
    found the path inside the core's isolate (``i18n.ltr``) and isolated it again."""
    from fieldplan import store
    from ui.bidi import isolated_paths

    path = tmp_path / "fieldplan.sqlite3"  # (no Arabic name: the core's isolate holds it as is)
    language("ar")
    said = isolated_paths(store.not_set_up_text(path), [str(path)])
    assert said.count(ltr_isolated(str(path))) == 1
    assert not nested_ltr_isolate(said), repr(said)
