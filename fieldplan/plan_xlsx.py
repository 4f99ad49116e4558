"""Plans as XLSX workbooks: the CSV layout (fieldplan.plan_csv), one sheet of it.

HQ keeps the plan in Excel; saving it as CSV is where a French or Arabic Excel broke
it (``;`` separators, decimal commas, each row in one cell, Windows-1252). A workbook
is read as it is: the sheet whose first row has the plan's columns (another sheet
beside it is no matter), each cell turned into the text a CSV file of the same plan
holds, then read by the CSV reader (``plan_csv.read_records``), so a mistake gets the
same message in either format. Number cells are their exact value (``12.5``; ``150``
for 150.0), date cells at midnight their day (``2025-06-21``), and so a date
column's whole numbers (a date cell that lost its format: ``_serial_day``); a
formula is its value as the spreadsheet last computed it, and one without (a file
a program wrote and no spreadsheet saved) is refused naming its cell, as are error
cells (``#REF!``) and true/false cells outside the ``*_illustrative`` columns. A
cell merged down the rows of an area or an action is read on each of them, as Excel
shows it.

The file is checked before openpyxl parses it: a ZIP archive (not CSV text renamed,
not an .xls or a workbook encrypted with a password), whose members unpack to at most
MAX_XLSX_UNPACKED_BYTES. openpyxl is imported only here, when a workbook is read:
start-up does not pay for it. Writing uses fieldplan's own writer (fieldplan.xlsx).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from fieldplan.errors import PlanError
from fieldplan.i18n import _, counted, format_number, join_list, ltr
from fieldplan.plan import PLAN_YEARS, Plan, _number_text, _show, where_what
from fieldplan.plan_csv import (
    _DATE_COLUMNS,
    _NUMBER_COLUMNS,
    _PROGRESS_COLUMNS,
    _REQUIRED_COLUMNS,
    _TARGET_PREFIX,
    _header_below,
    plan_to_csv,
    read_records,
)
from fieldplan.text import FORMULA_START, for_spreadsheet, guard_formula, unguard_formula

#: The most a plan workbook's members may unpack to, all together, checked from the
#: ZIP's table of contents before anything is parsed (Python's zipfile reads no more
#: of a member than the table says). A plan at its largest (plan.MAX_PLAN_EVENT_BYTES)
#: takes some 10 MB of sheet XML; a ZIP bomb claims gigabytes.
MAX_XLSX_UNPACKED_BYTES = 32 * 1024 * 1024
#: The most members a plan workbook may have (Excel writes a dozen or two).
MAX_XLSX_MEMBERS = 1000
#: The most cells (counting each row's empty ones up to its last) read from a sheet:
#: a plan of 5,000 indicators by 60 columns takes 300,000.
MAX_XLSX_CELLS = 4_000_000
#: An encrypted workbook is an OLE2 compound file (as an .xls is) holding this stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: a formula in a worksheet's XML (<f>, <f t="shared" …/>, with a namespace prefix)
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


# --- reading --------------------------------------------------------------------------


def read_xlsx(data: bytes, source: str, *, clean: bool = False, strict: bool = False) -> Plan:
    """Read a plan from the bytes of an .xlsx workbook (see the module's docstring);
    ``source``: the file's name, for messages; ``clean``, ``strict``: as
    plan_csv.read_csv. PlanError, one line naming the file, for anything else."""
    _check_archive(data, source)
    records, where = _plan_sheet(data, source)
    return read_records(records, where, ",", clean=clean, strict=strict, workbook=True)


def _check_archive(data: bytes, source: str) -> None:
    """PlanError unless ``data`` is a ZIP archive a workbook could be, unencrypted and
    small enough unpacked: what a .xlsx named file that is none is said to be."""
    if data.startswith(_OLE2):
        if _ENCRYPTED_PACKAGE in data:
            raise _encrypted(source)
        raise PlanError(_(
            "{file}: an Excel 97-2003 workbook (.xls), not an .xlsx one; in the spreadsheet, "
            "save it as 'Excel Workbook (.xlsx)'").format(file=ltr(source)))
    if not data.startswith(b"PK"):
        if _looks_like_text(data):
            raise PlanError(_(
                "{file}: text, not an .xlsx workbook; if it is CSV, name it .csv (or save "
                "it from the spreadsheet as 'Excel Workbook (.xlsx)')").format(file=ltr(source)))
        raise PlanError(_not_a_workbook(source))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
                   for info in infos):
                # zipfile unpacks a bzip2 or LZMA member's data whole as it reads it,
                # whatever size its header claims (a few kilobytes of bzip2 are
                # gigabytes unpacked): no spreadsheet writes them, so no workbook has them
                raise PlanError(_damaged(source))
            names = {info.filename for info in infos}
            mimetype = (archive.read("mimetype")[:100] if "mimetype" in names
                        and archive.getinfo("mimetype").file_size < 100 else b"")
            # (the start of each: where a Strict Open XML workbook names its namespaces)
            heads = b"".join(_head(archive, name) for name in _STRICT_MARKED if name in names)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError,
            NotImplementedError):
        raise PlanError(_damaged(source)) from None
    if b"opendocument" in mimetype:
        raise PlanError(_(
            "{file}: an OpenDocument spreadsheet (.ods), not an .xlsx workbook; in the "
            "spreadsheet, save it as 'Excel Workbook (.xlsx)'").format(file=ltr(source)))
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise PlanError(_not_a_workbook(source))
    # kinds of workbook openpyxl does not read, renamed .xlsx (or saved so by choosing
    # the kind in Excel's list): they were said to be damaged, and saving them again as
    # they were changed nothing
    if "xl/workbook.bin" in names:
        raise PlanError(_(
            "{file}: an Excel Binary Workbook (.xlsb), a kind of workbook fieldplan does "
            "not read; in the spreadsheet, save it as 'Excel Workbook (.xlsx)'").format(
                file=ltr(source)))
    if _STRICT_NAMESPACE in heads:
        raise PlanError(_(
            "{file}: a Strict Open XML workbook, a kind of workbook fieldplan does not "
            "read; in the spreadsheet, save it as 'Excel Workbook (.xlsx)'").format(
                file=ltr(source)))
    if any(info.flag_bits & 0x1 for info in infos):
        raise _encrypted(source)
    if (len(infos) > MAX_XLSX_MEMBERS
            or sum(info.file_size for info in infos) > MAX_XLSX_UNPACKED_BYTES):
        raise PlanError(_(
            "{file}: the workbook unpacks to more than {limit} MB, too large for a plan; "
            "is it the right file?").format(
                file=ltr(source), limit=format_number(MAX_XLSX_UNPACKED_BYTES // 2**20)))


#: The members where a Strict Open XML workbook (Excel's "Strict Open XML
#: Spreadsheet") names its namespaces, near their start, ``_STRICT_NAMESPACE``
_STRICT_MARKED = ("_rels/.rels", "xl/workbook.xml")
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/"


def _head(archive: zipfile.ZipFile, name: str) -> bytes:
    """The first few KB of a member, unpacked (no more, however large it says it is);
    nothing when it cannot be read (encrypted, damaged: said once read whole)."""
    try:
        with archive.open(name) as member:
            return member.read(4096)
    except Exception:  # (zipfile's and zlib's errors, a password asked for)
        return b""


def _encrypted(source: str) -> PlanError:
    return PlanError(_(
        "{file}: the workbook is protected by a password (encrypted); save a copy without "
        "the password and import that").format(file=ltr(source)))


def _not_a_workbook(source: str) -> str:
    return _("{file}: not an .xlsx workbook; in the spreadsheet, save it as 'Excel "
             "Workbook (.xlsx)'").format(file=ltr(source))


def _damaged(source: str) -> str:
    return _("{file}: the workbook is damaged and cannot be read; open it in the "
             "spreadsheet and save it again").format(file=ltr(source))


def _looks_like_text(data: bytes) -> bool:
    """Whether ``data`` starts as a text file does: a byte-order mark, or no control
    bytes but tabs and line ends."""
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    sample = data[:4096]
    return bool(sample) and not any(b < 0x20 and b not in b"\t\r\n" for b in sample)


def _plan_sheet(data: bytes, source: str) -> tuple[list[list[str]], str]:
    """The plan sheet's rows as cell texts, and the place to name in messages (the
    file and the sheet)."""
    import warnings

    try:
        # (openpyxl warns of what it leaves out, data validation, a missing default
        # style: nothing of the cells read, and no line for the person)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            formulas = _formula_cells(data) if _has_formulas(data) else None
            return _read_plan_sheet(data, source, formulas)
    except PlanError:
        raise
    except _TooManyCells as exc:
        raise PlanError(_(
            "{file}: sheet {sheet} has more cells than a plan has; is it the right file?")
            .format(file=ltr(source), sheet=_show(exc.args[0]))) from None
    except Exception:  # (openpyxl's parser, on a damaged or hostile file: any error)
        raise PlanError(_damaged(source)) from None


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the (checked) archive holds a formula."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(_FORMULA_ELEMENT.search(archive.read(info))
                   for info in archive.infolist()
                   if info.filename.startswith("xl/worksheets/"))


def _load(data: bytes, data_only: bool) -> Any:
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS

    class Reader(ExcelReader):  # type: ignore[misc]
        def read_strings(self) -> None:
            # openpyxl deletes every "x005F_" from a shared string: Excel's
            # "_x005F_x000D_", the letters _x000D_ typed in a cell, came out as the
            # escape "_x000D_", which _unescaped then read as a carriage return (and
            # "Ax005F_" lost its letters). Kept as the file has them, a string's escapes
            # are read once, by _unescaped, as the cells written inline are.
            found = self.package.find(SHARED_STRINGS)
            if found is not None:
                with self.archive.open(found.PartName[1:]) as src:
                    self.shared_strings = _shared_strings(src)

    reader = Reader(io.BytesIO(data), read_only=True, data_only=data_only,
                    keep_links=False)
    reader.read()
    return reader.wb


def _shared_strings(source: Any) -> list[str]:
    """A workbook's shared strings, each the text of its runs as the file writes it
    (its ``_xHHHH_`` escapes left for ``_unescaped``; its phonetic runs left out, as
    Excel shows the cell)."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    strings = []
    tag = f"{{{SHEET_MAIN_NS}}}si"
    for _event, node in iterparse(source):
        if node.tag == tag:
            strings.append(Text.from_tree(node).content)
            node.clear()
    return strings


def _formula_cells(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Each sheet's formula cells (row, column): their values are read as the
    spreadsheet last computed them, and one it never computed is refused."""
    book = _load(data, data_only=False)
    try:
        return {sheet.title: {(cell.row, cell.column)
                              for row in _rows(sheet) for cell in row
                              if getattr(cell, "data_type", "") == "f"}
                for sheet in book.worksheets}
    finally:
        book.close()


def _rows(sheet: Any, max_row: int | None = None) -> Iterator[tuple[Any, ...]]:
    """A read-only sheet's rows of cells from row 1 (a missing row: an empty tuple),
    each as long as its last cell; _TooManyCells past MAX_XLSX_CELLS."""
    sheet.reset_dimensions()  # (a size the file claims may be wrong, or huge)
    cells = 0
    for row in sheet.iter_rows(min_row=1, max_row=max_row):
        cells += max(len(row), 1)
        if cells > MAX_XLSX_CELLS:
            raise _TooManyCells(sheet.title)
        yield row


class _TooManyCells(Exception):
    """A sheet holds more cells than MAX_XLSX_CELLS (its title)."""


def _read_plan_sheet(data: bytes, source: str,
                     formulas: dict[str, set[tuple[int, int]]] | None
                     ) -> tuple[list[list[str]], str]:
    book = _load(data, data_only=True)
    try:
        sheets = book.worksheets
        tops = [[[_header_text(c) for c in row] for row in _rows(s, 6)] for s in sheets]
        chosen = _choose(tops)
        folded = next((i for i, top in enumerate(tops) if _header_in_one_cell(top)), None)
        if folded is not None and (chosen is None or not _has_header(tops[chosen])):
            # a CSV file opened in a spreadsheet that splits at another separator (a
            # French or Arabic Excel, fieldplan's ","), then saved as a workbook
            raise PlanError(where_what(where_what(
                _("{file}, sheet {sheet}").format(file=ltr(source),
                                                  sheet=_show(sheets[folded].title)),
                _("row {row}").format(row=1)), _(
                "the whole row is in one cell: the spreadsheet opened a CSV file without "
                "splitting it into columns; split them (Data ▸ Text to Columns) and save "
                "the workbook again")))
        if chosen is None:
            raise PlanError(_(
                "{file}: no sheet has the plan's columns (plan_id, plan_version, …) in its "
                "first row; its sheets: {sheets}").format(
                    file=ltr(source), sheets=_sheet_names([s.title for s in sheets])))
        _one_plan_sheet(sheets, tops, source)
        sheet = sheets[chosen]
        where = _("{file}, sheet {sheet}").format(file=ltr(source), sheet=_show(sheet.title))
        computed = (formulas or {}).get(sheet.title, set())
        # (the header's row: the first, or one below a title, which the reader names)
        top = tops[chosen]
        header_row = _header_below(top) if top and not set(_REQUIRED_COLUMNS) <= {
            c.strip().lower() for c in top[0]} else 0
        header_row = header_row or 1
        columns = [c.strip().lower() for c in top[header_row - 1]] if top else []
        records: list[list[str]] = []
        for number, row in enumerate(_rows(sheet), start=1):
            if number <= header_row:
                records.append([_header_text(c) for c in row])
                continue
            records.append([_cell_text(cell, columns[i] if i < len(columns) else "",
                                       computed, where, book.epoch)
                            for i, cell in enumerate(row)])
        _fill_merged_down(records, _merged_ranges(data, sheet), header_row, sheet.title)
    finally:
        book.close()
    while records and not any(c.strip() for c in records[-1]):
        records.pop()  # (rows a spreadsheet formatted and left empty)
    if not records:
        raise PlanError(_("{file}: the sheet is empty").format(file=where))
    return records, where


#: a merged range of a worksheet's XML (<mergeCell ref="A2:A5"/>): its first and last
#: column letters and row numbers
_MERGE_CELL = re.compile(
    rb'<(?:\w+:)?mergeCell\s[^>]*?\bref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


def _merged_ranges(data: bytes, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of ``sheet`` (a read-only sheet of the workbook ``data``), as
    (first row, last row, first column, last column), from its XML: openpyxl's read-only
    sheets do not give them. None known where the sheet's part is not found."""
    from openpyxl.utils import column_index_from_string

    part = str(getattr(sheet, "_worksheet_path", "") or "").lstrip("/")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            xml = archive.read(part) if part else b""
    except KeyError:
        return []
    return [(int(top), int(bottom), column_index_from_string(left.decode()),
             column_index_from_string(right.decode()))
            for left, top, right, bottom in _MERGE_CELL.findall(xml)]


def _fill_merged_down(records: list[list[str]], ranges: list[tuple[int, int, int, int]],
                      header_row: int, title: str) -> None:
    """Each cell under the header merged down with the one above it (an area's code
    merged across its actions' rows, an action's across its indicators') given that
    cell's text, as Excel shows it on each row: it keeps it in the first cell only, and
    the CSV reader takes each row as a whole. Only where the row has other values: a
    merge past the plan's last row makes no row. Merges across columns are left (a
    title merged over its translations is no translation)."""
    filled = 0
    for top, bottom, left, right in ranges:
        if left != right or top <= header_row or top > len(records):
            continue
        column = left - 1
        first = records[top - 1]
        value = first[column] if column < len(first) else ""
        for number in range(top + 1, min(bottom, len(records)) + 1):
            row = records[number - 1]
            if not any(c.strip() for c in row) or (column < len(row) and row[column].strip()):
                continue
            row.extend([""] * (column + 1 - len(row)))
            row[column] = value
            filled += 1
            if filled > MAX_XLSX_CELLS:
                raise _TooManyCells(title)


def _choose(tops: list[list[list[str]]]) -> int | None:
    """Which sheet holds the plan, from each one's first rows: the first whose first
    row has the plan's required columns; else the first with them on a row below (the
    CSV reader says to delete the rows above); else the only sheet, or a table of
    progress picked by mistake (the reader says what is wrong); else None."""
    required = set(_REQUIRED_COLUMNS)

    def first_row(top: list[list[str]]) -> set[str]:
        return {c.strip().lower() for c in top[0]} if top else set()

    for index, top in enumerate(tops):
        if required <= first_row(top):
            return index
    for index, top in enumerate(tops):
        if top and _header_below(top):
            return index
    if len(tops) == 1:
        return 0
    for index, top in enumerate(tops):
        if first_row(top) >= _PROGRESS_COLUMNS:
            return index
    return None


def _one_plan_sheet(sheets: list[Any], tops: list[list[list[str]]], source: str) -> None:
    """PlanError when more than one sheet has the plan's header, in its first row or
    under a title: a copy of the plan sheet (Excel's Move or Copy puts it before the
    one copied), an older version kept beside it. Reading the first, whichever HQ
    edited, installed the other's plan without a word."""
    # (a copy with a title typed above its header counts: the sheet with the header on
    # its first row was read, whichever of the two HQ edited)
    found = [sheet for sheet, top in zip(sheets, tops, strict=True) if _has_header(top)]
    if len(found) <= 1:
        return
    # (a hidden sheet, an older version kept out of sight, is not among the tabs: named
    # alone, the person could not find it)
    hidden = {id(s) for s in found if getattr(s, "sheet_state", "visible") != "visible"}
    if not hidden:
        raise PlanError(_(
            "{file}: more than one sheet has the plan's columns (plan_id, plan_version, "
            "…): {sheets}; keep the plan in one sheet (delete the others, or move them to "
            "another workbook)").format(file=ltr(source),
                                        sheets=_sheet_names([s.title for s in found])))
    # Translators: a sheet's name, quoted ('Plan v1'), then that it is hidden
    names = [_("{sheet} (hidden)").format(sheet=_show(s.title)) if id(s) in hidden
             else _show(s.title) for s in found]
    # Translators: "Unhide" is the command of a sheet tab's menu in the spreadsheet
    # (Excel's and LibreOffice's): use its name in your language's Excel
    raise PlanError(_(
        "{file}: more than one sheet has the plan's columns (plan_id, plan_version, …): "
        "{sheets}; keep the plan in one sheet (show a hidden sheet with Unhide, on the "
        "menu of a sheet's tab; then delete the others, or move them to another "
        "workbook)").format(file=ltr(source), sheets=_sheet_names(names, quoted=True)))


#: How many sheets a message names before "and N more" (a hostile workbook has
#: a thousand: its line was some 60 KB)
SHOWN_SHEETS = 5


def _sheet_names(titles: list[str], quoted: bool = False) -> str:
    """The sheets' names, quoted (``quoted``: they are already), the first SHOWN_SHEETS
    then "and N more"."""
    shown = join_list(t if quoted else _show(t) for t in titles[:SHOWN_SHEETS])
    more = len(titles) - SHOWN_SHEETS
    if more <= 0:
        return shown
    return counted("{names} and {count} more", "{names} and {count} more", more,
                   names=shown)


def _has_header(top: list[list[str]]) -> bool:
    """Whether a sheet's first rows hold the plan's header, on the first or below."""
    return bool(top) and (set(_REQUIRED_COLUMNS) <= {c.strip().lower() for c in top[0]}
                          or bool(_header_below(top)))


def _header_in_one_cell(top: list[list[str]]) -> bool:
    """Whether a sheet's first row holds the plan's header all in one cell, its
    names separated by ",", ";" or tabs."""
    cells = [c for c in top[0] if c.strip()] if top else []
    if len(cells) != 1:
        return False
    names = {n.strip().strip('"').lower() for n in re.split("[,;\t]", cells[0])}
    return set(_REQUIRED_COLUMNS) <= names


def _header_text(cell: Any) -> str:
    """A header cell's text: its value as typed (a number as written)."""
    value = getattr(cell, "value", None)
    if value is None:
        return ""
    if isinstance(value, float):
        return _number(value)
    return str(value)


def _number(value: float) -> str:
    """A number cell's exact value as text: ``150`` for 150.0, every digit of a large
    whole number (the reader refuses scientific notation), else the shortest text
    that reads back as the same number."""
    if value.is_integer():
        return str(int(value))
    return _number_text(value)


def _cell_text(cell: Any, column: str, computed: set[tuple[int, int]], where: str,
               epoch: datetime | None = None) -> str:
    """What a CSV file of the same plan holds for ``cell`` of ``column`` (its header,
    lower case); PlanError naming the cell ("cell D7") for a cell no plan holds.
    ``epoch``: the workbook's day 0 (its 1900 or 1904 date system)."""
    value = getattr(cell, "value", None)
    if value is None:
        # (a text formula that gave "", =IF(…,"",…): Excel saves it computed as t="str"
        # with an empty value, which openpyxl reads as None; it is an empty cell)
        if ((getattr(cell, "row", None), getattr(cell, "column", None)) in computed
                and getattr(cell, "data_type", "") != "str"):
            raise _cell_error(where, cell, _(
                "a formula whose value was never computed (a program wrote the file); "
                "open it in the spreadsheet and save it again, or type the value"))
        return ""
    kind = getattr(cell, "data_type", "")
    if kind == "e":
        raise _cell_error(where, cell, _(
            "the cell shows the error {error}; correct its formula or type the value")
            .format(error=ltr(str(value))))  # ("#N/A": the "#" stays before, in Arabic)
    if isinstance(value, bool):
        if column.endswith("_illustrative"):
            return "true" if value else "false"
        if not column:  # (under no header: the reader says so, naming the column)
            return "TRUE" if value else "FALSE"
        raise _cell_error(where, cell, _(
            "a true/false cell ({value}), where column {column} takes no such value; "
            "only the *_illustrative columns do").format(
                value="TRUE" if value else "FALSE", column=_show(column)))
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, int | float) and "%" in re.sub(
            r'"[^"]*"|\\.', "", str(getattr(cell, "number_format", "") or "")):
        # 50% is held as 0.5: read so, a target of 50 percent would be one of 0.5
        figure = _percent_figure(value)
        raise _cell_error(where, cell, _(
            "a percentage cell ({shown}), which the spreadsheet holds as {value}; format "
            "it as a number and type {figure}").format(
                shown=figure + "%", value=_number(float(value)), figure=figure))
    if column in _DATE_COLUMNS and isinstance(value, int | float):
        day = _serial_day(value, epoch)
        if day:
            return day
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, int):
        return str(value)
    # a text cell is text, whatever it starts with: the CSV reader drops one "'" from a
    # cell that would be a formula, so it gets one
    return guard_formula(_unescaped(str(value)))


def _serial_day(value: float, epoch: datetime | None) -> str:
    """The day (YYYY-MM-DD) a whole number is in the workbook's date system (``epoch``:
    its day 0), where it is one of the years a plan's dates may be in: a date cell whose
    format was lost (the column formatted as General or Number, values pasted into it)
    holds the date's serial number, 45829 for 21 June 2025, which Excel shows as such
    and counts as that day. "" for any other number (a year typed alone, 2025, is no
    such day: said not to be a date)."""
    from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

    if not float(value).is_integer():
        return ""
    try:
        day = from_excel(int(value), epoch or WINDOWS_EPOCH)
    except (OverflowError, ValueError):
        return ""
    first, last = PLAN_YEARS
    return day.date().isoformat() if first <= day.year <= last else ""


#: A character Excel wrote escaped in a cell's text (OOXML's ST_Xstring): "_x000D_" for
#: a carriage return (a text pasted with Windows line ends), "_x005F_" for an underscore
#: that would start such an escape. openpyxl leaves them as they are in a text written
#: inline, and ``_shared_strings`` in a shared one.
_EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def _unescaped(text: str) -> str:
    """A cell's text with Excel's escapes (``_EXCEL_ESCAPE``) read as the characters
    they stand for (a surrogate's left as written: it is no character)."""
    if "_x" not in text:
        return text

    def char(found: re.Match[str]) -> str:
        code = int(found.group(1), 16)
        return found.group() if 0xD800 <= code <= 0xDFFF else chr(code)

    return _EXCEL_ESCAPE.sub(char, text)


def _percent_figure(value: float) -> str:
    """The figure a percentage cell holding ``value`` shows (0.5: ``50``), every digit
    of it and no exponent, as a person types it (``1/3``: ``33.33333333333333``)."""
    from decimal import Decimal

    exact = (Decimal(repr(float(value))) * 100).normalize()
    return format(exact, "f") if exact.is_finite() else str(value * 100)


def _cell_error(where: str, cell: Any, message: str) -> PlanError:
    return PlanError(where_what(where_what(where, _("cell {cell}").format(
        cell=cell.coordinate)), message))


# --- writing --------------------------------------------------------------------------


def plan_to_xlsx(plan: Plan, source: str = "plan.xlsx") -> bytes:
    """The plan as an .xlsx workbook: one sheet, ``plan``, with the CSV's columns and
    rows (plan_csv.plan_to_csv); numbers as number cells, dates as date cells, the
    ``*_illustrative`` flags as true/false cells, text that would be a formula kept as
    text. ``read_xlsx`` reads it back as the same plan. PlanError naming ``source``
    (the file's name) for a text longer than a cell holds (``_check_cell_sizes``)."""
    from fieldplan.xlsx import Sheet, workbook_bytes

    # (the CSV writer's rows: its order of areas, actions and indicators, one layout)
    records = list(csv.reader(io.StringIO(plan_to_csv(plan), newline="")))
    header, rows = tuple(records[0]), records[1:]
    table = [[_xlsx_value(column, unguard_formula(text))
              for column, text in zip(header, row, strict=True)] for row in rows]
    _check_cell_sizes(header, table, source)
    widths = []
    for i, column in enumerate(header):
        longest = max([len(column), *(len(max(r[i].split("\n"), key=len)) for r in rows)])
        widths.append(min(max(longest, 8), 60 if column.startswith("description_") else 45) + 2)
    sheet = Sheet(title="plan", header=header, widths=tuple(widths),
                  wrap=tuple(c.startswith("description_") for c in header), rows=table,
                  # an Arabic title that starts with "OIC" reads right to left in Excel
                  quote=FORMULA_START, own_direction=True)
    return workbook_bytes([sheet])


def _check_cell_sizes(header: tuple[str, ...], table: list[list[Any]], source: str) -> None:
    """PlanError for the first text longer than a spreadsheet cell holds (an action's
    description pasted from an annex: the plan has no limit on them). Excel called such
    a workbook damaged, and its repair cut the text, which the plan installed again
    from that workbook then lost without a word: the plan is saved as TOML, JSON or
    CSV instead, which hold it whole."""
    from fieldplan.xlsx import CELL_UNITS, cell_units

    for row in table:
        for column, value in zip(header, row, strict=True):
            if isinstance(value, str) and cell_units(value) > CELL_UNITS:
                cells = dict(zip(header, row, strict=True))
                code = cells.get("action") or cells.get("area") or cells.get("plan_id")
                # Translators: {column} is the name of a column of the file, as
                # "description_en"; {code} the action (PA1.2), area (PA1) or plan it
                # describes
                raise PlanError(counted(
                    "{file}: {column} of {code} has {count} character, more than a "
                    "spreadsheet cell holds ({limit}), and Excel would cut it: save the "
                    "plan as .toml, .json or .csv, which hold it whole",
                    "{file}: {column} of {code} has {count} characters, more than a "
                    "spreadsheet cell holds ({limit}), and Excel would cut it: save the "
                    "plan as .toml, .json or .csv, which hold it whole",
                    cell_units(value), file=ltr(source), column=ltr(column), code=code,
                    limit=format_number(CELL_UNITS)))


def _xlsx_value(column: str, text: str) -> Any:
    """A cell of the plan sheet, from its CSV text: None for an empty one. A text loses
    the characters no XML holds (a plan clean_plan could not clean keeps its control
    characters: the workbook would not open)."""
    text = for_spreadsheet(text)
    if not text:
        return None
    if column in _NUMBER_COLUMNS or column.startswith(_TARGET_PREFIX):
        number = float(text)
        return int(text) if re.fullmatch(r"-?\d+", text) else number
    if column in _DATE_COLUMNS:
        return date.fromisoformat(text)
    if column.endswith("_illustrative"):
        return text == "true"
    return text
