"""fieldplan.xlsx, the table export's own XLSX writer: the workbook openpyxl wrote (the
reference here, written the way the export wrote it before), read back cell for cell,
with every kind of text a narrative may hold."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from fieldplan import xlsx

TEXTS = [
    "plain", " lead", "trail ", "  both  ", " ", "=SUM(A1:A9)", "+1", "-5 displaced", "@x",
    "\tTab", "\uff1dfull width", "a & b < c > d \" ' ]]>", "<t>&amp;</t>", "line\nline 2\n",
    "\U0001F30D emoji", "مرحبا بالعالم", "x" * 300,
]
QUOTE = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
HEADER = ("text", "narrative", "number", "day", "time")
ROWS = [
    [text, TEXTS[-1 - i], n, d, t]
    for i, (text, n, d, t) in enumerate(zip(
        TEXTS,
        [0, 40, -1, 2.5, 1 / 3, 1e20, 12.345, None, True, 7] * 2,
        [date(2026, 1, 1), None, date(1900, 1, 15), date(2027, 6, 30)] * 5,
        [datetime(2026, 3, 12, 9, 30), datetime(2026, 3, 12, 9, 30, 1, 250_000), None] * 6,
        strict=False))
] + [[None] * 5]
WIDTHS = (12.0, 62.0, 10.0, 12.0, 25.0)
WRAP = (False, True, False, False, False)


def reference(path: Path, title: str, rtl: bool) -> None:
    """The sheet as the export wrote it with openpyxl."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(ROWS, start=2):
        for i, value in enumerate(row):
            if value is None:
                continue
            cell = ws.cell(row=r, column=i + 1, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
                cell.quotePrefix = value.startswith(QUOTE)
            elif isinstance(value, datetime):
                cell.number_format = xlsx.TIME_FORMAT
            elif isinstance(value, date):
                cell.number_format = xlsx.DATE_FORMAT
            cell.alignment = Alignment(wrap_text=WRAP[i] or None, vertical="top")
    for i, width in enumerate(WIDTHS):
        ws.column_dimensions[chr(65 + i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:E{len(ROWS) + 1}"
    if rtl:
        ws.sheet_view.rightToLeft = True
    wb.save(path)


def seen(path: Path) -> list[str]:
    """What a reader sees of the workbook: every cell's value, type, format, alignment,
    font and quote prefix, and the sheet's widths, panes, filter, direction, range."""
    from openpyxl import load_workbook

    out = []
    for ws in load_workbook(path).worksheets:
        out.append(f"{ws.title} {ws.dimensions} {ws.freeze_panes} {ws.auto_filter.ref} "
                   f"{ws.sheet_view.rightToLeft}")
        out += [f"{k} {d.width}" for k, d in sorted(ws.column_dimensions.items())]
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    out.append(f"{c.coordinate} {c.data_type} {c.value!r} {c.number_format} "
                               f"{c.alignment.wrap_text} {c.alignment.vertical} {c.font.b} "
                               f"{c.quotePrefix}")
    return out


@pytest.mark.parametrize("rtl", [False, True])
def test_the_workbook_is_the_one_openpyxl_wrote(tmp_path: Path, rtl) -> None:
    made = []
    sheet = xlsx.Sheet(title="progress", header=HEADER, widths=WIDTHS, wrap=WRAP, rows=ROWS,
                       quote=QUOTE, right_to_left=rtl)
    ours = tmp_path / "ours.xlsx"
    ours.write_bytes(xlsx.workbook_bytes([sheet], row_done=lambda: made.append(1)))
    theirs = tmp_path / "theirs.xlsx"
    reference(theirs, "progress", rtl)
    assert seen(ours) == seen(theirs)
    assert len(made) == len(ROWS)
    # the texts whole: nothing escaped twice; spaces at either end kept, for Excel too
    cells = [line for line in seen(ours) if line.startswith("A")]
    assert any("'<t>&amp;</t>'" in line for line in cells)
    with zipfile.ZipFile(ours) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<t xml:space="preserve"> lead</t>' in xml and "<t>plain</t>" in xml


def test_a_stop_from_row_done_stops_the_workbook() -> None:
    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    sheet = xlsx.Sheet(title="t", header=("a",), widths=(8,), wrap=(False,), rows=[["x"]])
    with pytest.raises(Stop):
        xlsx.workbook_bytes([sheet], row_done=stop)


def test_column_letters() -> None:
    assert [xlsx.column_letter(n) for n in (1, 20, 26, 27, 52, 53, 702, 703)] == [
        "A", "T", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


@pytest.mark.parametrize(("text", "order"), [
    ("IOM قدّمت الدعم للوزارة", "R"),  # first letter Latin, most words Arabic
    ("PA1.2: اكتملت الدراسة الميدانية", "R"),
    ("وزارة الداخلية a reçu le rapport final", "L"),  # the other way round
    ("مرحبا بالعالم", None), ("Trained 40 officials", None),  # first letter is right
    ("قدّمت IOM الدعم", None), ("Met وزارة الداخلية today", None),
    ("\u200fIOM قدّمت", None), ("\u200eIOM قدّمت الدعم للوزارة", None),  # a mark says
    ("\u2066IOM OIC UN\u2069 قدّمت الدعم", None),  # an isolate takes no vote, nor P2
    ("2026", None), ("", None),
])
def test_reading_order_where_the_first_letter_misleads(text, order) -> None:
    assert xlsx.reading_order(text) == order


def test_a_cell_says_its_reading_order_only_where_it_must(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    rows = [["IOM قدّمت الدعم", "IOM قدّمت الدعم", "-IOM قدّمت الدعم", "Plain", "مرحبا"]]
    for own in (True, False):
        sheet = xlsx.Sheet(title="t", header=("a", "b", "c", "d", "e"), widths=(9,) * 5,
                           wrap=(False, True, False, False, False), rows=rows,
                           quote=QUOTE, own_direction=own)
        out = tmp_path / f"{own}.xlsx"
        out.write_bytes(xlsx.workbook_bytes([sheet]))
        cells = load_workbook(out).active[2]
        assert [c.alignment.readingOrder for c in cells] == (
            [2, 2, 2, 0, 0] if own else [0] * 5)
        assert [c.alignment.wrap_text for c in cells] == [None, True, None, None, None]
        assert [c.quotePrefix for c in cells] == [False, False, True, False, False]
        assert [c.value for c in cells] == rows[0]


def test_every_printed_page_has_the_header_row(tmp_path: Path) -> None:
    """A 2,000-row table printed: every page after the first was columns of codes with
    no name over them; it also printed upright, five narrow columns to a page."""
    from openpyxl import load_workbook

    sheets = [xlsx.Sheet(title=title, header=HEADER, widths=WIDTHS, wrap=WRAP, rows=ROWS)
              for title in ("progress", "it's")]
    out = tmp_path / "t.xlsx"
    out.write_bytes(xlsx.workbook_bytes(sheets))
    wb = load_workbook(out)
    assert [(ws.title, ws.print_title_rows, ws.page_setup.orientation) for ws in wb] == [
        ("progress", "$1:$1", "landscape"), ("it's", "$1:$1", "landscape")]
    assert [ws.auto_filter.ref for ws in wb] == [f"A1:E{len(ROWS) + 1}"] * 2
