"""Paths named in messages: one left-to-right unit in Arabic (``i18n.ltr``), shown as
marks in a terminal, unchanged in English and French."""

from __future__ import annotations

import re
from pathlib import Path

from fieldplan import i18n, store
from fieldplan.text import for_rtl_terminal

ISOLATES = re.compile("[\u2066-\u2069]")


def in_language(lang, make):
    i18n.set_language(lang)
    try:
        return make()
    finally:
        i18n.set_language("en")


def test_a_database_path_with_an_arabic_folder_is_one_unit_in_arabic():
    path = Path("/media/usb/تقارير/x.sqlite3")
    said = in_language("ar", lambda: store.not_set_up_text(path))
    assert "\u2066/media/usb/\u2068تقارير\u2069/x.sqlite3\u2069" in said
    line = for_rtl_terminal(said)
    assert not ISOLATES.search(line)  # a terminal gets marks, not isolates
    assert "\u200e/media/usb" in line and "x.sqlite3\u200e" in line


def test_a_path_is_as_written_in_english_and_french():
    for lang in ("en", "fr"):
        assert in_language(lang, lambda: i18n.ltr("/media/usb/تقارير/x")) == \
            "/media/usb/تقارير/x"


def test_a_kept_message_names_the_path_as_the_language_it_is_read_in_needs():
    with i18n.capturing():
        said = in_language("ar", lambda: i18n._("cannot write {file}: {reason}").format(
            file=i18n.ltr("/tmp/x.pdf"), reason="r"))
    record = i18n.message_record(said)
    assert i18n.render_record(record, "en") == "cannot write /tmp/x.pdf: r"
    assert "\u2066/tmp/x.pdf\u2069" in i18n.render_record(record, "ar")


def test_a_terminal_shows_a_path_with_arabic_folders_in_its_order():
    """Marks alone could not keep such a path whole in a right-to-left line: its Arabic
    name split it ("/x.pdf‎مجلد/‎تقارير/‎/tmp"), and two names side by side were
    swapped. The terminal line embeds it left to right, a mark either side of each
    name."""
    from bidi.algorithm import get_display

    path = "/tmp/تقارير/مجلد/x.pdf"
    said = in_language("ar", lambda: i18n._("cannot write {file}: {reason}").format(
        file=i18n.ltr(path), reason="r"))
    line = for_rtl_terminal(said)
    assert not ISOLATES.search(line)
    seen = get_display(line, base_dir="R").replace("\u200e", "").replace("\u200f", "")
    assert f"/tmp/{'تقارير'[::-1]}/{'مجلد'[::-1]}/x.pdf" in seen, seen
