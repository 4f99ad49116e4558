"""The client's messages that name a path, a folder or a file: in Arabic each is one
left-to-right unit (``fieldplan.i18n.ltr``, or ``ui.bidi.isolated`` in a right-to-left
layout: the same isolate), a path with an Arabic folder name whole and in order, never
isolated twice; in English as they were."""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtWidgets import QLabel, QWidget

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

def _report_saved_as(folder: Path):
    from ui.report_preview import saved_text

    name = "تقرير-2026-S1.pdf"
    return _label(saved_text(str(folder / name))), name


def _reports_kept(folder: Path):
    from ui.report_preview import kept_text

    return _label(kept_text([folder / "review.pdf"])), str(folder)


def _export_folder_missing(folder: Path):
    from ui.ops import error_sentence
    from ui.transfer import _missing

    gone = str(folder / "gone")
    return _label(error_sentence(_missing(gone, ()))), gone


def _usb_stick_pulled_out(folder: Path, monkeypatch):
    from fieldplan.errors import FileError
    from ui import transfer
    from ui.ops import error_sentence

    gone = str(folder / "gone")
    monkeypatch.setattr(transfer, "on_removable_drive", lambda *_a: True)
    with pytest.raises(FileError) as raised:
        transfer.check_stick(gone, ())
    return _label(error_sentence(raised.value)), gone


def _drafts_cannot_move_aside(folder: Path, monkeypatch):
    from fieldplan.errors import FileError
    from ui import drafts
    from ui.ops import error_sentence

    def refused(path):
        raise PermissionError(errno.EACCES, "denied")

    monkeypatch.setattr(drafts, "_move_aside_damaged", refused)
    path = folder / "x.sqlite3.drafts"
    with pytest.raises(FileError) as raised:
        drafts._set_aside_or_keep(path)
    return _label(error_sentence(raised.value)), str(path)


def _reports_folder_is_a_file(folder: Path, monkeypatch):
    from fieldplan.errors import FileError
    from ui import report_preview
    from ui.ops import error_sentence

    taken = folder / "reports"
    taken.write_text("")
    monkeypatch.setattr(report_preview, "reports_dir", lambda: taken)
    with pytest.raises(FileError) as raised:
        report_preview.build_report(None, report_preview.ReportRequest("pack", "2026-S1"))
    return _label(error_sentence(raised.value)), str(taken)


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


def _quarantine_detail(folder: Path):
    from ui.hq_desk import QuarantinePage

    page = SimpleNamespace(detail=QLabel(), view=QWidget())
    name = "تقرير ML.fieldplan"
    QuarantinePage._show_detail(page, SimpleNamespace(file=name, reason_text=lambda: "",
                                                      replaces=None))
    return page.detail.text(), name


def _inbox_detail(which: str):
    from ui.hq_desk import InboxPage

    entry = SimpleNamespace(file="تقرير ML.fieldplan", office="ML",
                            repaired_in="إصلاح ML-2026.fieldplan")
    from ui.bidi import code_text

    # (the table's File cell as its model gives it: its code_text)
    model = SimpleNamespace(data=lambda _index, _role: entry, FILE=1, OUTCOME=3,
                            display=lambda e, column: code_text(e.file) if column == 1
                            else "merged", whole_reason=lambda _entry: "")
    page = SimpleNamespace(model=model, detail=QLabel())
    InboxPage._show_detail(page, SimpleNamespace(isValid=lambda: True))
    return page.detail.text(), getattr(entry, which)


def _inbox_file(folder: Path):
    return _inbox_detail("file")


def _inbox_repaired_in(folder: Path):
    return _inbox_detail("repaired_in")


PLACES = {
    "report saved as": _report_saved_as,
    "reports kept in": _reports_kept,
    "export folder missing": _export_folder_missing,
    "usb stick pulled out": _usb_stick_pulled_out,
    "drafts cannot be moved aside": _drafts_cannot_move_aside,
    "reports folder is a file": _reports_folder_is_a_file,
    "cannot open the database": _cannot_open_database,
    "status bar last import": _last_import,
    "quarantine detail": _quarantine_detail,
    "inbox detail file": _inbox_file,
    "inbox detail repaired in": _inbox_repaired_in,
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
    if os.environ.get("FIELDPLAN_SHOTS") and place in ("export folder missing",
                                                         "reports kept in"):
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
