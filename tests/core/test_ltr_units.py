"""Paths named in messages: one left-to-right unit in Arabic (``i18n.ltr``), shown as
marks in a terminal, unchanged in English and French."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


# --- each module's messages: a representative one, in Arabic and English ---------------

FOLDER = "/media/usb/تقارير"
#: the folder as ``ltr_isolated`` names it: its Arabic name a first-strong isolate
FOLDER_SHOWN = "/media/usb/\u2068تقارير\u2069"


def _raised(make):
    """The text of what ``make`` raises."""
    try:
        make()
    except Exception as exc:  # (each module raises its own kind)
        return str(exc)
    raise AssertionError("nothing raised")


def _import_outcome_line(file):
    from fieldplan.sync.exchange import ImportOutcome

    return ImportOutcome(file, "rejected", "r").line()


def _json_error(file):
    import json

    from fieldplan.syntax import json_error

    try:
        json.loads("{")
    except json.JSONDecodeError as exc:
        return json_error(exc, file)
    raise AssertionError


def _bundle_cannot_open(file):
    from fieldplan.bundle import open_bundle

    return _raised(lambda: open_bundle(Path(file)))


def _plan_empty_csv(file):
    from fieldplan.plan_csv import read_csv

    return _raised(lambda: read_csv("", file))


def _plan_text_as_xlsx(file):
    from fieldplan.plan_xlsx import read_xlsx

    return _raised(lambda: read_xlsx(b"plan_id,plan_version\n", file))


def _plan_unreadable(file):
    from fieldplan.plan import load_plan

    return _raised(lambda: load_plan(Path(FOLDER) / file))


def _secret_key_missing(file):
    from fieldplan.minisign import load_secret_key

    return _raised(lambda: load_secret_key(file))


def _set_up_again_missing(file):
    from fieldplan.sync.again import set_up_again

    return _raised(lambda: set_up_again(file, "setup.fieldplan"))


def _status_files(file):
    from fieldplan.status import named_files

    return named_files([file, "ML-2.fieldplan"])


def _replica_read_only(file):
    from fieldplan.replica import read_only_text

    return read_only_text(Path(file))


def _cli_file_reason(file):
    import errno

    from fieldplan.cli import _os_error_message

    return _os_error_message(PermissionError(errno.EACCES, "denied", file))


# (module, what makes a message naming the path, the path it names, as isolated in it)
MESSAGES = [
    ("store", lambda p: store.no_backup_text(p), f"{FOLDER}/hq.sqlite3",
     f"{FOLDER_SHOWN}/hq.sqlite3"),
    ("replica", _replica_read_only, f"{FOLDER}/hq.sqlite3", f"{FOLDER_SHOWN}/hq.sqlite3"),
    ("bundle", _bundle_cannot_open, f"{FOLDER}/ML.fieldplan", f"{FOLDER_SHOWN}/ML.fieldplan"),
    ("sync.exchange", _import_outcome_line, "تقرير.fieldplan", "تقرير.fieldplan"),
    ("sync.again", _set_up_again_missing, f"{FOLDER}/ml.sqlite3", f"{FOLDER_SHOWN}/ml.sqlite3"),
    ("status", _status_files, "مالي.fieldplan", "مالي.fieldplan"),
    ("plan", _plan_unreadable, "خطة.toml", "خطة.toml"),
    ("plan_csv", _plan_empty_csv, "خطة.csv", "خطة.csv"),
    ("plan_xlsx", _plan_text_as_xlsx, "خطة.xlsx", "خطة.xlsx"),
    ("syntax", _json_error, "خطة.json", "خطة.json"),
    ("minisign", _secret_key_missing, f"{FOLDER}/hq.key", f"{FOLDER_SHOWN}/hq.key"),
    ("cli", _cli_file_reason, f"{FOLDER}/out.pdf", f"{FOLDER_SHOWN}/out.pdf"),
]


@pytest.mark.parametrize(("module", "make", "path", "isolated"), MESSAGES,
                         ids=[m[0] for m in MESSAGES])
def test_a_path_a_module_names_is_one_unit_in_arabic(module, make, path, isolated):
    """In Arabic each of these messages cut a path with an Arabic folder or file name
    in two at that name ("/media/usb" at the sentence's right, the rest at its left):
    it is one left-to-right isolate now, its characters in their order, and English
    names it as it always did."""
    said = in_language("ar", lambda: make(path))
    assert "\u2066" + isolated + "\u2069" in said, said
    outside = re.sub("\u2066(?:[^\u2066-\u2069]|\u2068[^\u2066-\u2069]*\u2069)*\u2069", "",
                     said)
    assert not ISOLATES.search(outside)  # nothing of it left outside, no isolate apart
    assert ISOLATES.sub("", isolated) == path  # its characters in order
    english = make(path)
    assert path in english and not ISOLATES.search(english)


def test_a_fingerprint_is_one_unit_in_arabic():
    """A fingerprint starting with a group of figures had its groups laid out right to
    left in an Arabic sentence ("5678 1234 …"): one isolate now."""
    from fieldplan.sync.exchange import _own_key_stands

    fingerprint = "1234 5678 9ABC DEF0 1111 2222 3333 4444 5555 6666"
    said = in_language("ar", lambda: _raised(lambda: _own_key_stands(fingerprint, False)))
    assert "\u2066" + fingerprint + "\u2069" in said
    assert fingerprint in _raised(lambda: _own_key_stands(fingerprint, False))


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


@pytest.mark.parametrize("name", ["تقارير 2026", "مجلد 2", "تقارير (2)"])
def test_a_terminal_shows_an_arabic_folder_with_figures_in_its_own_order(name):
    """A folder named in Arabic with a figure ("تقارير 2026"), in a path of an Arabic
    terminal line: its words were laid out left to right inside the path, the figure
    after the name ("تقارير" then "2026", read "2026 تقارير"), where the client shows
    the name as Arabic writes it. Each such name keeps its own direction."""
    from bidi.algorithm import get_display

    path = f"/tmp/{name}/x.pdf"
    said = in_language("ar", lambda: i18n._("cannot write {file}: {reason}").format(
        file=i18n.ltr(path), reason="r"))
    line = for_rtl_terminal(said)
    assert not ISOLATES.search(line)
    seen = get_display(line, base_dir="R").replace("\u200e", "").replace("\u200f", "")
    assert f"/tmp/{get_display(name, base_dir='R')}/x.pdf" in seen, seen


def test_the_error_a_cell_shows_is_one_unit_in_arabic():
    """"#N/A" named in an Arabic line, from a CSV file or a workbook's error cell: its
    "#" was laid out after the letters, "N/A#". Found by QA."""
    import io
    import zipfile

    from fieldplan.plan import default_plan, format_plan, parse_plan_text
    from fieldplan.plan_xlsx import plan_to_xlsx, read_xlsx

    plan = default_plan()
    title = plan.actions[0].title.en
    text = format_plan(plan, "csv").replace(title, "#N/A", 1)
    out = io.BytesIO()
    with (zipfile.ZipFile(io.BytesIO(plan_to_xlsx(plan))) as src,
          zipfile.ZipFile(out, "w") as dst):
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = re.sub(rf'<c r="(\w+)"[^>]*><is><t>{re.escape(title)}</t></is></c>',
                              r'<c r="\1" t="e"><f>NA()</f><v>#N/A</v></c>', body.decode(),
                              count=1).encode()
            dst.writestr(info, body)
    for make in (lambda: parse_plan_text(text, "csv", "p.csv"),
                 lambda: read_xlsx(out.getvalue(), "p.xlsx")):
        said = in_language("ar", lambda make=make: _raised(make))
        assert "\u2066#N/A\u2069" in said, said
        english = _raised(make)
        assert "error #N/A;" in english and not ISOLATES.search(english)
