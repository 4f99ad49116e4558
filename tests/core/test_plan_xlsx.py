"""Plans as Excel workbooks: HQ exports the plan to .xlsx, edits it in Excel and
imports it back, with no CSV step (where a French or Arabic Excel broke the file).
A workbook HQ made itself (a title row, other sheets, merged cells, formulas, dates
and numbers as cells) is read as the same plan as its CSV, through the same checks;
a file that is no workbook, too large unpacked or encrypted is one line, and the
database is unchanged."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from fieldplan.cli import main
from fieldplan.errors import PlanError
from fieldplan.plan import Plan, Text, default_plan, dump_plan, format_plan, load_plan
from fieldplan.plan_diff import diff_plans
from fieldplan.plan_xlsx import MAX_XLSX_UNPACKED_BYTES, plan_to_xlsx, read_xlsx

FIXTURES = Path(__file__).parent.parent / "fixtures" / "plans"
NUMBERS = {"plan_version", "baseline", "target"}
DATES = {"plan_start", "plan_end", "plan_signed_at"}


def csv_rows(plan: Plan) -> tuple[list[str], list[list[str]]]:
    header, *rows = csv.reader(io.StringIO(format_plan(plan, "csv"), newline=""))
    return header, rows


def typed(column: str, text: str):
    """A cell as a person typing the CSV's text into Excel gets it: numbers and dates
    as such, TRUE/FALSE as true/false cells."""
    if not text:
        return None
    if column in NUMBERS or column.startswith("target_"):
        number = float(text)
        return int(number) if number.is_integer() else number
    if column in DATES:
        return dt.datetime.fromisoformat(text)
    if column.endswith("_illustrative"):
        return text == "true"
    return text


def hq_workbook(plan: Plan, *, title_row: bool = False, notes_first: bool = False,
                edit=None) -> bytes:
    """The plan as HQ types it into a workbook of its own (openpyxl): typed cells;
    ``title_row``: a merged title above the header; ``notes_first``: a sheet of notes
    before the plan's; ``edit(sheet, header)`` may change cells."""
    header, rows = csv_rows(plan)
    book = Workbook()
    sheet = book.active
    if notes_first:
        sheet.title = "ملاحظات"  # notes, in Arabic
        sheet.append(["Plan of action, amended after the semester review"])
        sheet = book.create_sheet("Plan")
    else:
        sheet.title = "Plan"
    if title_row:
        sheet.append(["خطة العمل 2025–2027"])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    sheet.append(header)
    for row in rows:
        sheet.append([typed(c, t) for c, t in zip(header, row, strict=True)])
    if edit is not None:
        edit(sheet, header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def cell(header: list[str], column: str, row: int) -> str:
    """The reference of ``column``'s cell on ``row`` ("AC3")."""
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(header.index(column) + 1)}{row}"


def with_cell_xml(data: bytes, ref: str, xml: str) -> bytes:
    """The workbook with cell ``ref`` of its first sheet replaced by ``xml`` (as Excel
    writes a formula with the value it computed, which openpyxl cannot write)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                text, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, body.decode())
                assert n == 1
                body = text.encode()
            dst.writestr(info, body)
    return out.getvalue()


def refusal(book) -> str:
    """The one line a workbook made with openpyxl is refused with, as plan.xlsx."""
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(PlanError) as caught:
        read_xlsx(out.getvalue(), "plan.xlsx")
    return str(caught.value)


def test_export_edit_import_round_trip(hq, tmp_path, capsys):
    """plan export -o plan.xlsx, then plan import of it: the same plan, no change."""
    db = str(hq.path)
    hq.close()
    assert main(["--db", db, "plan", "export", "-o", str(tmp_path / "plan.xlsx")]) == 0
    plan = default_plan()
    read = load_plan(tmp_path / "plan.xlsx", clean=True, strict=True)
    assert read == plan
    assert diff_plans(plan, read).lines() == []
    capsys.readouterr()
    assert main(["--db", db, "plan", "import", "--dry-run", str(tmp_path / "plan.xlsx")]) == 0
    assert "already installed" in capsys.readouterr().out
    # the same columns as the CSV; numbers, dates and flags as cells of their kind
    sheet = load_workbook(tmp_path / "plan.xlsx").active
    header, rows = csv_rows(plan)
    assert [c.value for c in sheet[1]] == header
    second = {h: c.value for h, c in zip(header, sheet[2], strict=True)}
    assert second["plan_start"] == dt.datetime(2025, 6, 21)
    assert second["plan_version"] == 1 and second["plan_illustrative"] is True
    assert isinstance(second["target"], int | float)
    assert sheet.max_row == len(rows) + 1


def test_texts_that_look_like_formulas_and_arabic_read_back(tmp_path):
    plan = default_plan()
    first = plan.actions[0]
    odd = Text(en="=SUM(A1:A3) is not a formula", fr="'+33 1 23", ar="- خطة العمل")
    plan = dataclasses.replace(plan, version=2, actions=(
        dataclasses.replace(first, title=odd, description=Text(en="Line one\nline two")),
        *plan.actions[1:]))
    assert read_xlsx(plan_to_xlsx(plan), "plan.xlsx") == plan


def test_an_arabic_title_that_starts_with_a_latin_name_reads_right_to_left(tmp_path):
    """Excel lays a cell out by its first letter: "OIC و IOM …" read left to right in
    the workbook HQ edits, its words in the wrong order; the cell says it reads right
    to left (fieldplan.xlsx.reading_order), and is read back as written."""
    plan = default_plan()
    first = plan.actions[0]
    title = dataclasses.replace(first.title, ar="OIC و IOM تدعمان سياسات الهجرة الوطنية")
    plan = dataclasses.replace(plan, version=2, actions=(
        dataclasses.replace(first, title=title), *plan.actions[1:]))
    data = plan_to_xlsx(plan)
    ws = load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    cells = {name: cell for name, cell in zip(header, ws[2], strict=True)}
    assert cells["action_title_ar"].value == title.ar
    assert cells["action_title_ar"].alignment.readingOrder == 2
    assert cells["action_title_en"].alignment.readingOrder == 0  # its first letter is right
    assert read_xlsx(data, "plan.xlsx") == plan


def test_a_workbook_hq_made_with_another_sheet_before_the_plan(tmp_path):
    """Typed numbers, dates as date cells, true/false cells, Arabic sheet names and
    titles, a notes sheet first: the plan sheet is the one with the header."""
    plan = default_plan()
    path = tmp_path / "plan.xlsx"
    path.write_bytes(hq_workbook(plan, notes_first=True))
    assert load_plan(path) == plan


def test_numbers_typed_as_text_and_formulas_computed(tmp_path):
    plan = default_plan()
    header, _rows = csv_rows(plan)

    def edit(sheet, header):
        sheet[cell(header, "baseline", 2)] = "12.5"  # a number as text
        sheet[cell(header, "target", 2)] = 150.0  # a whole number as a float
        sheet[cell(header, "plan_start", 3)] = dt.date(2025, 6, 21)  # a date, not a datetime

    data = hq_workbook(plan, edit=edit)
    # Excel saves a formula with the value it computed
    data = with_cell_xml(data, cell(header, "target", 3),
                         f'<c r="{cell(header, "target", 3)}"><f>10*3</f><v>30</v></c>')
    read = read_xlsx(data, "plan.xlsx")
    indicators = [i for a in read.actions for i in a.indicators]
    assert indicators[0].baseline == 12.5 and indicators[0].target == 150
    assert indicators[1].target == 30


def test_decimals_are_exact(tmp_path):
    plan = default_plan()

    def edit(sheet, header):
        sheet[cell(header, "target", 2)] = 12.5
        sheet[cell(header, "baseline", 2)] = 0.1

    read = read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    first = read.actions[0].indicators[0]
    assert (first.baseline, first.target) == (0.1, 12.5)


def test_a_formula_without_its_value_is_refused_naming_its_cell():
    plan = default_plan()
    header, _rows = csv_rows(plan)
    ref = cell(header, "target", 7)

    def edit(sheet, header):
        sheet[ref] = "=10*3"  # openpyxl writes the formula without a value

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        f"plan.xlsx, sheet 'Plan': cell {ref}: a formula whose value was never computed (a "
        "program wrote the file); open it in the spreadsheet and save it again, or type "
        "the value")


def test_an_error_cell_and_a_true_false_cell_outside_the_flags_are_refused():
    plan = default_plan()
    header, _rows = csv_rows(plan)
    ref = cell(header, "target", 4)
    data = with_cell_xml(hq_workbook(plan), ref,
                         f'<c r="{ref}" t="e"><f>A1/0</f><v>#REF!</v></c>')
    with pytest.raises(PlanError, match=rf"^plan\.xlsx, sheet 'Plan': cell {ref}: the cell "
                                        r"shows the error #REF!; correct its formula"):
        read_xlsx(data, "plan.xlsx")

    def edit(sheet, header):
        sheet[cell(header, "unit", 5)] = True

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        f"plan.xlsx, sheet 'Plan': cell {cell(header, 'unit', 5)}: a true/false cell "
        "(TRUE), where column 'unit' takes no such value; only the *_illustrative columns "
        "do")


def test_a_percentage_cell_is_refused_not_read_a_hundred_times_too_small():
    """HQ types 50% in a percent indicator's target: Excel holds 0.5, which read as
    it is would be a target of half a percent."""
    plan = default_plan()
    header, _rows = csv_rows(plan)
    ref = cell(header, "target", 3)

    def edit(sheet, header):
        sheet[ref] = 0.5
        sheet[ref].number_format = "0%"

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        f"plan.xlsx, sheet 'Plan': cell {ref}: a percentage cell (50%), which the "
        "spreadsheet holds as 0.5; format it as a number and type 50")


def test_a_mistake_is_said_as_for_csv_with_the_sheet():
    plan = default_plan()

    def edit(sheet, header):
        sheet[cell(header, "level", 5)] = "nation"

    with pytest.raises(PlanError, match=r"^plan\.xlsx, sheet 'Plan': row 5, column 'level': "
                                        r"'nation' is not one of"):
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")


def test_a_title_row_merged_above_the_header_is_named():
    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(default_plan(), title_row=True), "plan.xlsx")
    assert str(caught.value) == (
        "plan.xlsx, sheet 'Plan': row 1: the header (plan_id, plan_version, …) is on row 2: "
        "delete the rows above it, the header must be the first row")


def test_merged_header_cells_leave_a_column_without_a_name():
    """Two header cells merged: the second column has no name; a value under it is
    named as in a CSV file."""
    plan = default_plan()

    def edit(sheet, header):
        column = header.index("unit") + 1
        sheet.insert_cols(column + 1)
        sheet.merge_cells(start_row=1, start_column=column, end_row=1, end_column=column + 1)
        sheet.cell(row=3, column=column + 1, value="people")

    with pytest.raises(PlanError, match=r"^plan\.xlsx, sheet 'Plan': row 3: a value in "
                                        r"column [A-Z]+ \(\d+\), which has no header$"):
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")


def test_no_sheet_with_the_header_is_one_line():
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["nothing here"])
    book.create_sheet("Budget").append(["line", "amount"])
    assert refusal(book) == (
        "plan.xlsx: no sheet has the plan's columns (plan_id, plan_version, …) in its "
        "first row; its sheets: 'Notes', 'Budget'")


def test_hundreds_of_sheets_without_the_plan_are_not_all_named():
    """A hostile workbook of a thousand sheets, none with the plan's columns: the line
    named every one of them (some 60 KB). It names the first few, then how many more;
    so does the line for more than one sheet with the plan. (300 sheets here: quicker
    to make, and as many lines as a thousand once cut.)"""
    book = Workbook(write_only=True)
    for n in range(300):
        book.create_sheet(f"Sheet number {n:04}").append(["nothing here"])
    assert refusal(book) == (
        "plan.xlsx: no sheet has the plan's columns (plan_id, plan_version, …) in its "
        "first row; its sheets: 'Sheet number 0000', 'Sheet number 0001', 'Sheet number "
        "0002', 'Sheet number 0003', 'Sheet number 0004' and 295 more")
    plan = default_plan()
    book = load_workbook(io.BytesIO(hq_workbook(plan)))
    for n in range(7):
        book.copy_worksheet(book["Plan"]).title = f"Copy {n}"
    assert refusal(book) == (
        "plan.xlsx: more than one sheet has the plan's columns (plan_id, plan_version, "
        "…): 'Plan', 'Copy 0', 'Copy 1', 'Copy 2', 'Copy 3' and 3 more; keep the plan in "
        "one sheet (delete the others, or move them to another workbook)")


def test_a_csv_opened_whole_in_column_a_then_saved_as_a_workbook():
    """fieldplan's "," CSV opened in a French Excel (whose separator is ";") lands
    each line in column A; saved as .xlsx, it was 'unknown column' and the line."""
    book = Workbook()
    for line in format_plan(default_plan(), "csv").splitlines():
        book.active.append([line])
    assert refusal(book) == (
        "plan.xlsx, sheet 'Sheet': row 1: the whole row is in one cell: the spreadsheet "
        "opened a CSV file without splitting it into columns; split them (Data ▸ Text to "
        "Columns) and save the workbook again")


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_row_in_one_cell_below_the_header_is_said_as_in_a_workbook(separator):
    """A CSV line pasted into a workbook below a good header (with either separator):
    the reader told a workbook to be saved 'as CSV UTF-8', advice for a CSV file."""
    _header, rows = csv_rows(default_plan())

    def edit(sheet, header):
        for column in range(1, len(header) + 1):
            sheet.cell(row=3, column=column).value = None
        sheet.cell(row=3, column=1, value=separator.join(rows[1]))

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(default_plan(), edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        "plan.xlsx, sheet 'Plan': row 3: the whole row is in one cell: it was pasted or "
        f"opened from a CSV file without splitting it into columns at '{separator}'; split "
        "them (Data ▸ Text to Columns) and save the workbook again")


def test_question_marks_where_letters_were_are_said_as_in_a_workbook():
    """Arabic lost in a CSV file saved as 'CSV (Comma delimited)', then pasted into a
    workbook: saving the workbook as 'CSV UTF-8' (the CSV advice) brings nothing back."""

    def edit(sheet, header):
        sheet[cell(header, "action_title_ar", 2)] = "????? ??????"

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(default_plan(), edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        "plan.xlsx, sheet 'Plan': row 2, column 'action_title_ar': '????? ??????' has "
        "question marks where its letters were: they were lost before the text came into "
        "the workbook (a CSV file saved in an encoding without them, as 'CSV (Comma "
        "delimited)' saves Arabic); type or copy the text again from where it was written")


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return out.getvalue()


def zip_bomb() -> bytes:
    """A workbook whose sheet unpacks to 40 MB of blanks from some 40 KB."""
    data = plan_to_xlsx(default_plan())
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    members["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"<sheetData>", b"<sheetData>" + b" " * (MAX_XLSX_UNPACKED_BYTES + 1))
    return _zip(members)


def binary_workbook() -> bytes:
    """What Excel writes for 'Excel Binary Workbook (.xlsb)': a ZIP archive as an
    .xlsx is, its parts binary (xl/workbook.bin, xl/worksheets/sheet1.bin)."""
    return _zip({
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/content-types"><Override PartName="/xl/'
        b'workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.'
        b'main"/></Types>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
        b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'officeDocument" Target="xl/workbook.bin"/></Relationships>',
        "xl/workbook.bin": bytes(range(256)),
        "xl/worksheets/sheet1.bin": bytes(range(256)),
    })


def strict_workbook() -> bytes:
    """The plan saved as Excel's 'Strict Open XML Spreadsheet': the parts of an .xlsx,
    their namespaces ISO's (http://purl.oclc.org/ooxml/…), which openpyxl does not
    know."""
    with zipfile.ZipFile(io.BytesIO(plan_to_xlsx(default_plan()))) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    for name, body in members.items():
        members[name] = body.replace(
            b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
            b"http://purl.oclc.org/ooxml/spreadsheetml/main").replace(
            b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
            b"http://purl.oclc.org/ooxml/officeDocument/relationships")
    return _zip(members)


def encrypted_workbook() -> bytes:
    """The start of what Excel writes for a workbook with a password: an OLE2
    compound file holding the EncryptedPackage stream."""
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    return head + "EncryptionInfo".encode("utf-16-le") + bytes(50) + \
        "EncryptedPackage".encode("utf-16-le") + bytes(400)


@pytest.mark.parametrize("data, message", [
    (lambda: (FIXTURES / "good_semicolon.csv").read_bytes(),
     "plan.xlsx: text, not an .xlsx workbook; if it is CSV, name it .csv (or save it from the "
     "spreadsheet as 'Excel Workbook (.xlsx)')"),
    (lambda: b"\x00\x01garbage" * 20,
     "plan.xlsx: not an .xlsx workbook; in the spreadsheet, save it as 'Excel Workbook "
     "(.xlsx)'"),
    (lambda: b"PK\x03\x04" + bytes(100),
     "plan.xlsx: the workbook is damaged and cannot be read; open it in the spreadsheet and "
     "save it again"),
    (lambda: _zip({"manifest.json": b"{}", "events.jsonl": b""}),
     "plan.xlsx: not an .xlsx workbook; in the spreadsheet, save it as 'Excel Workbook "
     "(.xlsx)'"),
    (lambda: _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}),
     "plan.xlsx: an OpenDocument spreadsheet (.ods), not an .xlsx workbook; in the "
     "spreadsheet, save it as 'Excel Workbook (.xlsx)'"),
    (zip_bomb,
     "plan.xlsx: the workbook unpacks to more than 32 MB, too large for a plan; is it the "
     "right file?"),
    (encrypted_workbook,
     "plan.xlsx: the workbook is protected by a password (encrypted); save a copy without "
     "the password and import that"),
    (lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000),
     "plan.xlsx: an Excel 97-2003 workbook (.xls), not an .xlsx one; in the spreadsheet, "
     "save it as 'Excel Workbook (.xlsx)'"),
    (lambda: re.sub(rb"<sheetData>.*</sheetData>", b"<sheetData><row",
                    _unzipped_sheet(plan_to_xlsx(default_plan())), flags=re.S),
     "plan.xlsx: the workbook is damaged and cannot be read; open it in the spreadsheet and "
     "save it again"),
    (binary_workbook,
     "plan.xlsx: an Excel Binary Workbook (.xlsb), a kind of workbook fieldplan does not "
     "read; in the spreadsheet, save it as 'Excel Workbook (.xlsx)'"),
    (strict_workbook,
     "plan.xlsx: a Strict Open XML workbook, a kind of workbook fieldplan does not read; "
     "in the spreadsheet, save it as 'Excel Workbook (.xlsx)'"),
], ids=["csv", "binary", "broken-zip", "bundle", "ods", "zip-bomb", "encrypted", "xls",
        "broken-xml", "xlsb", "strict"])
def test_hostile_files_are_one_line_and_change_nothing(hq, tmp_path, capsys, data, message):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(data())
    db = str(hq.path)
    before = list(hq.conn.iterdump())
    hq.close()
    code = main(["--db", db, "plan", "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err == f"fieldplan: error: {message}\n"
    from fieldplan.replica import open_replica

    with open_replica(db) as rep:
        assert list(rep.conn.iterdump()) == before


def _unzipped_sheet(data: bytes) -> bytes:
    """The workbook with its sheet's XML cut short (stored, not deflated, so the
    member's bytes are the XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    return _zip(members, compression=zipfile.ZIP_STORED)


def test_a_zip_whose_table_lies_about_sizes_reads_no_more_than_it_says():
    """The check counts the sizes the ZIP's table gives: Python's zipfile stops a
    member there (a member that unpacks to more fails its checksum)."""
    data = _zip({"a.xml": b"x" * 100_000})
    lying = data.replace((100_000).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    with (zipfile.ZipFile(io.BytesIO(lying)) as archive, pytest.raises(zipfile.BadZipFile),
          archive.open("a.xml") as member):
        assert len(member.read()) <= 10


def test_openpyxl_is_not_imported_until_a_workbook_is_read():
    import subprocess
    import sys

    probe = ("import sys, fieldplan.cli, fieldplan.plan, fieldplan.planops\n"
             "from fieldplan.plan import default_plan\n"
             "default_plan()\n"
             "print('openpyxl' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=120, cwd=Path(__file__).parent.parent.parent)
    assert result.stdout.strip() == "False", result.stderr


def test_dump_plan_writes_a_workbook(tmp_path):
    plan = default_plan()
    dump_plan(plan, tmp_path / "plan.XLSX")
    assert (tmp_path / "plan.XLSX").read_bytes().startswith(b"PK")
    assert load_plan(tmp_path / "plan.XLSX") == plan


def test_a_formula_whose_value_is_empty_text_is_an_empty_cell():
    """Excel saves =IF(…,"",…) that gives nothing as a text formula with an empty value
    (t="str", <v/>): it was computed, and the cell is empty, not refused as a formula
    never computed (which told HQ to save again a file Excel had just saved)."""
    plan = default_plan()
    header, rows = csv_rows(plan)
    column = "target_2025-S2"
    row = next(n for n, r in enumerate(rows, start=2) if not r[header.index(column)])
    ref = cell(header, column, row)

    def edit(sheet, header):
        sheet[ref] = 0  # (a cell for with_cell_xml to replace)

    data = with_cell_xml(hq_workbook(plan, edit=edit), ref,
                         f'<c r="{ref}" t="str"><f>IF(TRUE,"","x")</f><v/></c>')
    assert read_xlsx(data, "plan.xlsx") == plan
    # a number formula without a value is still refused
    data = with_cell_xml(hq_workbook(plan, edit=edit), ref,
                         f'<c r="{ref}"><f>10*3</f><v/></c>')
    with pytest.raises(PlanError, match="a formula whose value was never computed"):
        read_xlsx(data, "plan.xlsx")


def test_numbers_that_need_seventeen_digits_survive_the_round_trip():
    """A target HQ computed in Excel (=100/3: 33.333333333333336) needs 17 significant
    digits to be the same number again; written with 16 (33.33333333333334), the
    workbook exported and imported back changed the plan's target."""
    plan = default_plan()
    first = plan.actions[0]
    indicator = dataclasses.replace(first.indicators[0], target=100 / 3, baseline=0.1 + 0.2)
    plan = dataclasses.replace(plan, actions=(
        dataclasses.replace(first, indicators=(indicator, *first.indicators[1:])),
        *plan.actions[1:]))
    read = read_xlsx(plan_to_xlsx(plan), "plan.xlsx")
    assert diff_plans(plan, read).lines() == []
    assert read == plan


def test_two_sheets_with_the_plan_are_refused_naming_them():
    """A copy of the plan sheet (Excel's Move or Copy puts 'Plan (2)' before the sheet
    copied) held the plan's columns too: the first was read, whichever HQ edited, and
    'plan import' installed the other one's plan without a word."""
    plan = default_plan()
    book = load_workbook(io.BytesIO(hq_workbook(plan)))
    copy = book.copy_worksheet(book["Plan"])
    copy.title = "Plan (2)"
    book.move_sheet(copy, offset=-1)
    book["Plan"][cell(csv_rows(plan)[0], "unit", 2)] = "edited"
    assert refusal(book) == (
        "plan.xlsx: more than one sheet has the plan's columns (plan_id, plan_version, "
        "…): 'Plan (2)', 'Plan'; keep the plan in one sheet (delete the others, or move "
        "them to another workbook)")


def test_a_sheet_with_the_plan_under_a_title_counts_as_one_with_the_plan():
    """HQ copied the plan sheet and typed a title above the copy's header: the sheet
    with the header on its first row was read, whichever HQ edited, and 'plan import'
    installed the other one's plan without a word. Found by QA."""
    plan = default_plan()
    book = load_workbook(io.BytesIO(hq_workbook(plan, title_row=True)))
    old = book.copy_worksheet(book["Plan"])
    old.title = "Old"
    old.delete_rows(1)  # (its header on the first row)
    book["Plan"][cell(csv_rows(plan)[0], "unit", 3)] = "edited"
    assert refusal(book) == (
        "plan.xlsx: more than one sheet has the plan's columns (plan_id, plan_version, "
        "…): 'Plan', 'Old'; keep the plan in one sheet (delete the others, or move "
        "them to another workbook)")


def test_a_hidden_sheet_with_the_plan_is_named_as_hidden():
    """An older copy of the plan sheet kept hidden (right-click a tab ▸ Hide): the line
    named it beside the plan's sheet, a sheet the person could not see among the tabs
    nor find; it says which one is hidden, and how to show it. Found by QA."""
    plan = default_plan()
    book = load_workbook(io.BytesIO(hq_workbook(plan)))
    copy = book.copy_worksheet(book["Plan"])
    copy.title = "Plan v1"
    copy.sheet_state = "hidden"
    book["Plan"][cell(csv_rows(plan)[0], "unit", 2)] = "edited"
    assert refusal(book) == (
        "plan.xlsx: more than one sheet has the plan's columns (plan_id, plan_version, "
        "…): 'Plan', 'Plan v1' (hidden); keep the plan in one sheet (show a hidden sheet "
        "with Unhide, on the menu of a sheet's tab; then delete the others, or move them "
        "to another workbook)")


def test_a_true_false_cell_in_a_column_without_a_header_is_said_as_a_csv_value():
    """A column of checkboxes HQ added beside the plan, with no header: said as any
    value past the header is in a CSV file, where it named "column ''"."""
    plan = default_plan()
    header, _rows = csv_rows(plan)
    spare = len(header) + 1

    def edit(sheet, header):
        sheet.cell(row=4, column=spare, value=True)

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    assert str(caught.value) == (
        f"plan.xlsx, sheet 'Plan': row 4: {spare} cells but the header has {len(header)}: "
        f"a value in column {get_column_letter(spare)} ({spare}), after the header's last column")


def test_characters_excel_escapes_in_a_cell_are_read_as_themselves():
    """Excel writes a carriage return in a cell's text (a description pasted with
    Windows line ends) as _x000D_, and an underscore that would start such an escape as
    _x005F_: the description read '…one_x000D_' with the six letters in it, sent to
    every office."""
    plan = default_plan()
    header, _rows = csv_rows(plan)
    ref = cell(header, "description_en", 2)
    data = with_cell_xml(hq_workbook(plan), ref, (
        f'<c r="{ref}" t="inlineStr"><is><t>Line one_x000D_\nline two, '
        "not an escape: _x005F_x0041_</t></is></c>"))
    assert read_xlsx(data, "plan.xlsx", clean=True).actions[0].description.en == (
        "Line one\nline two, not an escape: _x0041_")


@pytest.mark.parametrize("epoch", [dt.datetime(1899, 12, 30), dt.datetime(1904, 1, 1)],
                         ids=["1900", "1904"])
def test_a_date_column_of_serial_numbers_is_read_as_their_days(epoch):
    """A date column whose cells lost their date format (formatted as General, or
    values pasted into it) shows each date as Excel's serial number, 45829 for 21 June
    2025: the plan was refused, "'45829' is not a date", though Excel counts the cell as
    that day. It is read as the day, in the workbook's date system (1900, or 1904 as
    older Mac workbooks keep); a number that is no day of a plan's years (a year typed
    alone) is still refused, naming the cell."""
    plan = default_plan()

    def serials(value):
        def edit(sheet, header):
            sheet.parent.epoch = epoch
            for column in DATES:
                for row in sheet.iter_rows(min_row=2, min_col=header.index(column) + 1,
                                           max_col=header.index(column) + 1):
                    if isinstance(row[0].value, dt.datetime):
                        row[0].value = value(row[0].value)
                        row[0].number_format = "General"
        return edit

    data = hq_workbook(plan, edit=serials(lambda day: (day - epoch).days))
    assert read_xlsx(data, "plan.xlsx", clean=True, strict=True) == plan
    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=serials(lambda day: day.year)), "plan.xlsx")
    assert str(caught.value) == (
        "plan.xlsx, sheet 'Plan': row 2, column 'plan_start': '2025' is not a date; write "
        "YYYY-MM-DD")


def with_shared_strings(data: bytes, cells: dict[str, str]) -> bytes:
    """The workbook with each cell of ``cells`` (its reference → the XML of its text, as
    the file holds it) a shared string, as Excel and LibreOffice write every text (the
    workbooks openpyxl and fieldplan write hold their texts inline)."""
    refs = list(cells)
    table = "".join(f"<si><t>{xml}</t></si>" for xml in cells.values())
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info).decode()
            if info.filename == "xl/worksheets/sheet1.xml":
                for index, ref in enumerate(refs):
                    body, n = re.subn(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)',
                                      f'<c r="{ref}" t="s"><v>{index}</v></c>', body)
                    assert n == 1
            elif info.filename == "[Content_Types].xml":
                body = body.replace("</Types>", (
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    "</Types>"))
            elif info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace("</Relationships>", (
                    '<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/sharedStrings" '
                    'Target="sharedStrings.xml"/></Relationships>'))
            dst.writestr(info, body.encode())
        n = len(cells)
        dst.writestr("xl/sharedStrings.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
            f'schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount='
            f'"{n}">{table}</sst>'))
    return out.getvalue()


def test_a_shared_string_is_unescaped_once_as_excel_reads_it():
    """Excel writes the letters _x000D_ typed in a cell as "_x005F_x000D_" in its table of
    shared strings (ECMA-376 ST_Xstring: the underscore that would start an escape is
    escaped itself). openpyxl took "x005F_" out of every shared string, and the letters
    were then read as a carriage return: a title with them was refused as having a line
    break, a description changed. Each escape is now read once, left to right, as Excel
    reads it; a true escape ("_x000D_" before a line feed) is still a carriage return."""
    plan = default_plan()
    header, _rows = csv_rows(plan)
    title, description = cell(header, "action_title_en", 2), cell(header, "description_en", 2)
    data = with_shared_strings(hq_workbook(plan), {
        title: "Code _x005F_x000D_ and _x005F_x005F_x005F_x0041_ and Ax005F_ as typed",
        description: "Line one_x000D_\nline two, _x005F_x0041__x0042_"})
    action = read_xlsx(data, "plan.xlsx", clean=True, strict=True).actions[0]
    assert action.title.en == "Code _x000D_ and _x005F_x0041_ and Ax005F_ as typed"
    assert action.description.en == "Line one\nline two, _x0041_B"


def test_a_title_with_what_excel_would_read_as_an_escape_is_written_escaped():
    """A title with the letters of an escape in it ('_x000D_') is written with its
    underscore escaped, as Excel writes one, so that Excel (and the reader) shows the
    letters, not a carriage return."""
    plan = default_plan()
    first = plan.actions[0]
    plan = dataclasses.replace(plan, actions=(
        dataclasses.replace(first, title=Text(en="Code _x000D_ and _X0041_ as written")),
        *plan.actions[1:]))
    data = plan_to_xlsx(plan)
    assert b"_x005F_x000D_" in _unzipped_sheet(data)
    assert read_xlsx(data, "plan.xlsx") == plan


@pytest.mark.parametrize("held, figure", [
    (1 / 3, "33.33333333333333"), (0.123456789012, "12.3456789012"), (1e-12, "0.0000000001"),
    (0.07, "7")])
def test_a_percentage_cell_names_the_figure_to_type_whole(held, figure):
    """The figure to type is the cell's, every digit of it: rounded to nine decimals, a
    target computed as =A2/B2 (1/3) was to be typed 33.333333333, and a tiny one 0."""
    plan = default_plan()
    header, _rows = csv_rows(plan)
    ref = cell(header, "target", 3)

    def edit(sheet, header):
        sheet[ref] = held
        sheet[ref].number_format = "0%"

    with pytest.raises(PlanError) as caught:
        read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx")
    assert str(caught.value).endswith(f"; format it as a number and type {figure}")
    assert f"a percentage cell ({figure}%)" in str(caught.value)


def _merged_down(sheet, header: list[str], columns: tuple[str, ...], key: str) -> None:
    """Merge each of ``columns``' cells down the rows that share ``key``'s value, as HQ
    formats a sheet in Excel: an area's or an action's cells once, across its rows."""
    rows: dict[str, list[int]] = {}
    for number in range(2, sheet.max_row + 1):
        rows.setdefault(sheet.cell(row=number, column=header.index(key) + 1).value,
                        []).append(number)
    for numbers in rows.values():
        if len(numbers) > 1:
            for column in columns:
                at = header.index(column) + 1
                sheet.merge_cells(start_row=numbers[0], start_column=at,
                                  end_row=numbers[-1], end_column=at)


def test_cells_merged_down_an_area_or_an_action_are_read_on_each_of_its_rows():
    """An area's code and titles merged across its actions' rows, an action's across
    its indicators': Excel shows the value on each of them, and keeps it in the first
    cell only. Each row after the first was 'area: missing (required)'. A merge past
    the plan's last row makes no row of its own."""
    plan = default_plan()

    def edit(sheet, header):
        _merged_down(sheet, header, ("action", "level", "lead", "action_title_en",
                                     "description_en"), "action")
        _merged_down(sheet, header, ("area", "area_title_en", "area_title_fr"), "area")
        below = sheet.max_row + 3
        at = header.index("unit") + 1
        sheet.merge_cells(start_row=sheet.max_row, start_column=at, end_row=below,
                          end_column=at)

    assert read_xlsx(hq_workbook(plan, edit=edit), "plan.xlsx") == plan


@pytest.mark.parametrize("doctype, reference", [
    ('<!DOCTYPE t [<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(7))
     + "]>", "&h;"),
    ('<!DOCTYPE t [<!ENTITY a "' + "x" * 100_000 + '">]>', "&a;" * 200),
    ('<!DOCTYPE t [<!ENTITY e SYSTEM "file:///etc/hostname">]>', "&e;"),
], ids=["billion-laughs", "quadratic-blowup", "external-entity"])
def test_an_xml_bomb_in_a_sheet_is_refused_as_damaged(doctype, reference):
    """Entities in a sheet's XML (the parser's own limits: Python's expat refuses an
    expansion out of all proportion, and reads no external entity): one line, at once,
    nothing expanded nor read. (Some 30 and 20 MB expanded, past expat's threshold: a
    parser without the limits reads them, and the test fails with another message
    rather than run out of memory.)"""
    data = plan_to_xlsx(default_plan())
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].replace(
        b"<t>plan_id</t>", f"<t>{reference}</t>".encode(), 1)
    members["xl/worksheets/sheet1.xml"] = b'<?xml version="1.0"?>' + doctype.encode() + sheet
    with pytest.raises(PlanError, match="the workbook is damaged and cannot be read"):
        read_xlsx(_zip(members), "plan.xlsx")


@pytest.mark.parametrize("compression", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_bzip2_or_lzma_member_is_refused_unread(compression):
    """The workbook's first look read its "mimetype" member when it claimed under 100
    bytes, and zipfile unpacks a bzip2 or LZMA member's data whole, whatever size its
    header claims: a plan file of a few kilobytes took gigabytes of memory. No
    spreadsheet compresses so: refused as damaged, nothing unpacked."""
    import struct
    import tracemalloc

    members = {"mimetype": b"\0" * (64 << 20)}
    with zipfile.ZipFile(io.BytesIO(plan_to_xlsx(default_plan()))) as src:
        members |= {i.filename: src.read(i) for i in src.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body,
                             compress_type=compression if name == "mimetype" else None)
    bomb = bytearray(out.getvalue())
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = bomb.find(signature)  # the first member's: it claims to unpack to 1 byte
        bomb[at + size_at:at + size_at + 4] = struct.pack("<L", 1)
    assert len(bomb) < 256 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(PlanError, match="damaged"):
            read_xlsx(bytes(bomb), "plan.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_control_characters_clean_plan_could_not_take_out_leave_a_workbook_that_opens(
        tmp_path):
    """A plan installed before imports cleaned texts may hold control characters; one
    whose cleaning would empty a required title is saved as it is (clean_plan). Its
    workbook had them in its XML, which no XML may hold: Excel called the file damaged
    and openpyxl refused it. They are left out of the cells, as the data export does."""
    from fieldplan.planops import write_plan_file

    plan = default_plan()
    first = plan.actions[0]
    plan = dataclasses.replace(plan, actions=(
        dataclasses.replace(first, title=Text(en="\x01"), description=Text(
            en="A line\x0bbroken in Word", fr="Texte\x1f collé")),
        *plan.actions[1:]))
    write_plan_file(plan, tmp_path / "plan.xlsx")
    sheet = load_workbook(tmp_path / "plan.xlsx").active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, (c.value for c in sheet[2]), strict=True))
    assert row["action"] == first.code
    assert row["description_en"] == "A linebroken in Word"
    assert row["description_fr"] == "Texte collé"
    assert row["action_title_en"] is None


def _with_description(plan: Plan, text: str) -> Plan:
    first = plan.actions[0]
    return dataclasses.replace(plan, version=plan.version + 1, actions=(
        dataclasses.replace(first, description=Text(en=text)), *plan.actions[1:]))


def test_a_text_longer_than_a_cell_holds_is_refused_not_cut_by_excel(hq, tmp_path, capsys):
    """A plan has no limit on an action's description (an annex pasted in). Written
    into a workbook, one of more than 32,767 characters made Excel call the file
    damaged, and its repair cut the text: installed again from that workbook, the plan
    lost the rest without a word. plan export refuses it in one line, nothing written,
    and the plan saves whole as TOML."""
    db = str(hq.path)
    hq.close()
    long = ("The annex of the plan, pasted whole. " * 1000).strip()  # 36,999 characters
    dump_plan(_with_description(default_plan(), long), tmp_path / "long.toml")
    assert main(["--db", db, "plan", "import", str(tmp_path / "long.toml")]) == 0
    capsys.readouterr()
    assert main(["--db", db, "plan", "export", "-o", str(tmp_path / "plan.xlsx")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "plan.xlsx: description_en of PA1.1 has 36,999 characters" in err
    assert "32,767" in err and ".toml" in err
    assert not (tmp_path / "plan.xlsx").exists()
    assert main(["--db", db, "plan", "export", "-o", str(tmp_path / "plan.toml")]) == 0
    assert load_plan(tmp_path / "plan.toml").actions[0].description.en == long


def test_a_cell_counts_what_excel_counts_two_for_an_emoji():
    """Excel counts a cell's UTF-16 units: 17,000 emoji are 34,000 of them, too many;
    32,767 letters are not."""
    with pytest.raises(PlanError, match="34,000 characters"):
        plan_to_xlsx(_with_description(default_plan(), "\U0001f30d" * 17_000))
    data = plan_to_xlsx(_with_description(default_plan(), "a" * 32_767))
    assert read_xlsx(data, "plan.xlsx").actions[0].description.en == "a" * 32_767
