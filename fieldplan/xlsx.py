"""A small XLSX writer: what the table export needs (text, numbers, dates and times;
a bold header row, frozen, with filters, and printed on every page; column widths;
wrapped columns; right to left; landscape pages), and fast.

openpyxl made every cell an object, styled and serialised one XML element at a time
in pure Python: 4 s of CPU for the 60,000 cells of the 57-office table (still 3.5 s in
its write-only mode with shared styles, 3.1 s with lxml), 10 s on a busy laptop. Here
each row is one string: 0.4 s.
The parts are byte for byte the ones openpyxl wrote (its theme among them, in
resources/xlsx), but for the document properties and the cell formats' numbering, so
spreadsheets read the same workbook as before; openpyxl reads them back in the tests.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from math import isfinite
from typing import Any

from fieldplan.text import SKIPPED_BEFORE_FORMULA, first_strong, has_rtl, paragraph_direction

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_OFFICE = "application/vnd.openxmlformats-officedocument"

TIME_FORMAT = 'yyyy-mm-dd hh:mm:ss "UTC"'
DATE_FORMAT = "yyyy-mm-dd"

# the cell formats (styles.xml's cellXfs), by their index: a cell's s="…"
_HEADER, _TOP, _WRAP, _TIME, _DATE, _TOP_QUOTED, _WRAP_QUOTED = range(1, 8)
#: the text formats, then each again read right to left, then left to right (a text
#: whose first letter would lay it out the other way than most of its words read)
_TEXT_FORMATS = (
    (0, 0, 'vertical="top"', 0),  # _TOP
    (0, 0, 'vertical="top" wrapText="1"', 0),  # _WRAP
    (0, 0, 'vertical="top"', 1),  # _TOP_QUOTED
    (0, 0, 'vertical="top" wrapText="1"', 1),  # _WRAP_QUOTED
)
_READ_AS = {
    direction: dict(zip((_TOP, _WRAP, _TOP_QUOTED, _WRAP_QUOTED),
                        range(8 + 4 * n, 12 + 4 * n), strict=True))
    for n, direction in enumerate(("R", "L"))}
_STYLES = (
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss &quot;UTC'
    '&quot;" /><numFmt numFmtId="165" formatCode="yyyy-mm-dd" /></numFmts>'
    '<fonts count="2"><font><name val="Calibri" /><family val="2" /><color theme="1" />'
    '<sz val="11" /><scheme val="minor" /></font><font><b val="1" /></font></fonts>'
    '<fills count="2"><fill><patternFill /></fill><fill><patternFill patternType="gray125" />'
    '</fill></fills><borders count="1"><border><left /><right /><top /><bottom /><diagonal />'
    '</border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
    'borderId="0" /></cellStyleXfs><cellXfs count="16">'
    + "".join(
        f'<xf numFmtId="{fmt}" fontId="{font}" fillId="0" borderId="0"'
        + (' applyAlignment="1"' if align else "")
        + f' pivotButton="0" quotePrefix="{quote}" xfId="0"'
        + (f"><alignment {align} /></xf>" if align else " />")
        for fmt, font, align, quote in (
            (0, 0, "", 0),  # no cell has it: the default
            (0, 1, "", 0),  # _HEADER
            (0, 0, 'vertical="top"', 0),  # _TOP
            (0, 0, 'vertical="top" wrapText="1"', 0),  # _WRAP
            (164, 0, 'vertical="top"', 0),  # _TIME
            (165, 0, 'vertical="top"', 0),  # _DATE
            (0, 0, 'vertical="top"', 1),  # _TOP_QUOTED
            (0, 0, 'vertical="top" wrapText="1"', 1),  # _WRAP_QUOTED
            # the same four read right to left (readingOrder 2), then left to right
            *((fmt, font, f'{align} readingOrder="{order}"', quote)
              for order in (2, 1) for fmt, font, align, quote in _TEXT_FORMATS),
        ))
    + '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" '
    'hidden="0" /></cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" '
    'defaultPivotStyle="PivotStyleLight16" /></styleSheet>')

#: The most a spreadsheet cell holds, in UTF-16 code units (Excel's limit): a text of
#: more makes Excel call the whole file damaged, and its repair cuts the text.
CELL_UNITS = 32_767


def cell_units(text: str) -> int:
    """The UTF-16 code units of ``text``: what Excel counts against CELL_UNITS (a
    character outside the Basic Multilingual Plane, an emoji, takes two). Exact past
    CELL_UNITS // 2 characters; below, the characters alone (fewer than the units of
    a text with emoji, and as sure to fit)."""
    if len(text) <= CELL_UNITS // 2:
        return len(text)  # (at most two units a character: the usual case, at once)
    return len(text.encode("utf-16-le")) // 2


#: Excel's day 0 (1899-12-30: its 1900 leap-year bug counted in)
_EPOCH = datetime(1899, 12, 30)


@dataclass(frozen=True)
class Sheet:
    """A worksheet. title: its tab; header: the column names (the first row, bold,
    frozen, with filters); widths: each column's, in characters; wrap: whether each
    column's text wraps; rows: the cells under the header, each a str, an int or
    float, a date, a datetime (naive) or None (no cell: a blank); quote: text that
    starts with one of these, after any of ``text.SKIPPED_BEFORE_FORMULA`` (" =1+1"),
    is marked "quote prefix" (it stays text when edited);
    right_to_left: the sheet reads right to left; own_direction: a text cell reads the
    way most of its words read (``fieldplan.text.paragraph_direction``) where its first
    letter, which spreadsheets go by, would lay it out the other way (an Arabic
    narrative that starts with "IOM" read left to right, its words in the wrong
    order)."""

    title: str
    header: tuple[str, ...]
    widths: tuple[float, ...]
    wrap: tuple[bool, ...]
    rows: Sequence[Sequence[Any]]
    quote: tuple[str, ...] = ()
    right_to_left: bool = False
    own_direction: bool = False


def workbook_bytes(sheets: Sequence[Sheet],
                   row_done: Callable[[], None] | None = None) -> bytes:
    """The XLSX file of ``sheets``; ``row_done()`` is called after each row made (it
    may raise to stop)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _content_types(len(sheets)))
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("docProps/app.xml", _APP)
        z.writestr("docProps/core.xml", _core(datetime.now(UTC)))
        z.writestr("xl/workbook.xml", _workbook(sheets))
        z.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        z.writestr("xl/styles.xml", _STYLES)
        z.writestr("xl/theme/theme1.xml", _theme())
        for n, sheet in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{n}.xml", _sheet_xml(sheet, row_done))
    return buf.getvalue()


def column_letter(n: int) -> str:
    """The letters of column ``n`` (from 1): A … Z, AA …"""
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _used(sheet: Sheet) -> str:
    return f"A1:{column_letter(len(sheet.header))}{len(sheet.rows) + 1}"


def _sheet_xml(sheet: Sheet, row_done: Callable[[], None] | None) -> bytes:
    letters = [column_letter(i + 1) for i in range(len(sheet.header))]
    rtl = ' rightToLeft="1"' if sheet.right_to_left else ""
    cols = "".join(f'<col width="{_number(w)}" customWidth="1" min="{i}" max="{i}" />'
                   for i, w in enumerate(sheet.widths, start=1))
    out = [
        f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
        f'<pageSetUpPr /></sheetPr><dimension ref="{_used(sheet)}" /><sheetViews>'
        f'<sheetView{rtl} workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen" /><selection pane="bottomLeft" '
        'activeCell="A1" sqref="A1" /></sheetView></sheetViews><sheetFormatPr '
        f'baseColWidth="8" defaultRowHeight="15" /><cols>{cols}</cols><sheetData>',
        '<row r="1">',
        *(_text(f"{letter}1", _HEADER, name) for letter, name in zip(letters, sheet.header,
                                                                      strict=True)),
        "</row>",
    ]
    plain = [(_WRAP if wrap else _TOP) for wrap in sheet.wrap]
    quoted = [(_WRAP_QUOTED if wrap else _TOP_QUOTED) for wrap in sheet.wrap]
    quote = sheet.quote
    own_direction = sheet.own_direction
    for r, row in enumerate(sheet.rows, start=2):
        cells = [f'<row r="{r}">']
        for i, value in enumerate(row):
            if value is None:
                continue  # no cell at all: a blank
            ref = f"{letters[i]}{r}"
            if isinstance(value, str):
                style = (quoted[i] if quote and value.lstrip(SKIPPED_BEFORE_FORMULA)
                         .startswith(quote) else plain[i])
                if own_direction and not value.isascii():
                    order = reading_order(value)
                    if order is not None:
                        style = _READ_AS[order][style]
                cells.append(_text(ref, style, value))
            elif isinstance(value, datetime):
                cells.append(f'<c r="{ref}" s="{_TIME}" t="n"><v>{_serial(value)}</v></c>')
            elif isinstance(value, date):
                cells.append(f'<c r="{ref}" s="{_DATE}" t="n"><v>{_serial(value)}</v></c>')
            elif isinstance(value, bool):
                cells.append(f'<c r="{ref}" s="{plain[i]}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                if isfinite(value):
                    cells.append(f'<c r="{ref}" s="{plain[i]}" t="n">'
                                 f"<v>{_number(value)}</v></c>")
                else:  # (no number a spreadsheet holds: an empty cell, as openpyxl did)
                    cells.append(f'<c r="{ref}" s="{plain[i]}" t="n" />')
            else:
                raise TypeError(f"no XLSX cell for {type(value).__name__}")
        cells.append("</row>")
        out.append("".join(cells))
        if row_done is not None:
            row_done()
    # printed, the sheet is as wide as it can be (landscape) and every page has the
    # header row (the workbook's Print_Titles): page 2 was columns of codes with no name
    out.append(f'</sheetData><autoFilter ref="{_used(sheet)}" /><pageMargins left="0.75" '
               'right="0.75" top="1" bottom="1" header="0.5" footer="0.5" />'
               '<pageSetup orientation="landscape" /></worksheet>')
    return "".join(out).encode("utf-8")


#: A letter written left to right in the scripts that fieldplan's narratives mix with
#: Arabic (Latin, accented Latin): a text with none of them reads right to left by any
#: rule (the test at once that spares most Arabic narratives the count of their words).
_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f]")


def reading_order(text: str) -> str | None:
    """ "R" or "L" where a spreadsheet, which lays a cell out by its first letter
    (Unicode's rule P2), would read ``text`` the other way than most of its words
    read (``fieldplan.text.paragraph_direction``); None where the two agree."""
    if not has_rtl(text) or _LATIN_LETTER.search(text) is None:
        return None
    words = paragraph_direction(text)
    return words if words is not None and words != first_strong(text) else None


def _text(ref: str, style: int, value: str) -> str:
    # a text starting or ending with spaces keeps them (xml:space), as openpyxl kept them
    stripped = value.strip()
    space = ' xml:space="preserve"' if stripped and stripped != value else ""
    if "_x" in value:
        value = _XSTRING_ESCAPE.sub("_x005F_", value)
    return (f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{_escape(value)}</t>'
            "</is></c>")


#: What Excel reads as a character escaped in a cell's text ("_x000D_": a carriage
#: return): written so, the underscore is escaped itself ("_x005F_"), as Excel writes
#: one, and the letters read as written
_XSTRING_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")


def _escape(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")


def _number(value: float) -> str:
    text = f"{value:.16g}"
    # (17 digits where 16 do not give the same number back: 100/3 is
    # 33.333333333333336, which 16 digits make 33.33333333333334)
    return text if float(text) == value else f"{value:.17g}"


def _serial(when: date) -> str:
    """A date or naive datetime as Excel's day number (time of day as its fraction)."""
    if not isinstance(when, datetime):
        when = datetime(when.year, when.month, when.day)
    delta = when - _EPOCH
    days = delta.days
    if 0 < days <= 60:  # before 1900-03-01, which Excel's 1900-02-29 shifts by one
        days -= 1
    seconds = delta.seconds + delta.microseconds / 1e6
    return _number(days + seconds / 86400 if seconds else days)


def _content_types(sheets: int) -> str:
    parts = [("/xl/styles.xml", f"{_OFFICE}.spreadsheetml.styles+xml"),
             ("/xl/theme/theme1.xml", f"{_OFFICE}.theme+xml"),
             ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
             ("/docProps/app.xml", f"{_OFFICE}.extended-properties+xml"),
             *((f"/xl/worksheets/sheet{n}.xml", f"{_OFFICE}.spreadsheetml.worksheet+xml")
               for n in range(1, sheets + 1)),
             ("/xl/workbook.xml", f"{_OFFICE}.spreadsheetml.sheet.main+xml")]
    return (f'<Types xmlns="{_TYPES}"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml" /><Default Extension="xml" '
            'ContentType="application/xml" />'
            + "".join(f'<Override PartName="{p}" ContentType="{t}" />' for p, t in parts)
            + "</Types>")


_ROOT_RELS = (
    f'<Relationships xmlns="{_PKG_REL}"><Relationship Type="{_REL}/officeDocument" '
    'Target="xl/workbook.xml" Id="rId1" /><Relationship Type="http://schemas.openxmlformats'
    '.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml" '
    f'Id="rId2" /><Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" '
    'Id="rId3" /></Relationships>')

_APP = ('<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-'
        'properties"><Application>Microsoft Excel Compatible / fieldplan</Application>'
        "</Properties>")


def _core(now: datetime) -> str:
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return ('<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/'
            'XMLSchema-instance"><dc:creator>fieldplan</dc:creator><dcterms:created '
            f'xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created><dcterms:modified '
            f'xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified></cp:coreProperties>')


def _workbook(sheets: Sequence[Sheet]) -> str:
    tabs = "".join(f'<sheet name="{_attribute(s.title)}" sheetId="{n}" state="visible" '
                   f'r:id="rId{n}" />' for n, s in enumerate(sheets, start=1))
    # the filters' ranges, as Excel itself names them
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" hidden="1">'
        f"{_escape(_quoted_title(s.title))}!{_absolute(_used(s))}</definedName>"
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
        f"{_escape(_quoted_title(s.title))}!$1:$1</definedName>"
        for n, s in enumerate(sheets))
    return (f'<workbook xmlns:r="{_REL}" xmlns="{_MAIN}"><workbookPr /><workbookProtection />'
            '<bookViews><workbookView visibility="visible" minimized="0" '
            'showHorizontalScroll="1" showVerticalScroll="1" showSheetTabs="1" tabRatio="600" '
            'firstSheet="0" activeTab="0" autoFilterDateGrouping="1" /></bookViews>'
            f"<sheets>{tabs}</sheets><definedNames>{names}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>')


def _quoted_title(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """``A1:T20`` as ``$A$1:$T$20``."""
    def one(cell: str) -> str:
        letters = cell.rstrip("0123456789")
        return f"${letters}${cell[len(letters):]}"

    first, last = ref.split(":")
    return f"{one(first)}:{one(last)}"


def _workbook_rels(sheets: int) -> str:
    rels = [(f"{_REL}/worksheet", f"/xl/worksheets/sheet{n}.xml")
            for n in range(1, sheets + 1)]
    rels += [(f"{_REL}/styles", "styles.xml"), (f"{_REL}/theme", "theme/theme1.xml")]
    return (f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Type="{t}" Target="{target}" Id="rId{n}" />'
                      for n, (t, target) in enumerate(rels, start=1))
            + "</Relationships>")


@cache
def _theme() -> bytes:
    """Office's default theme (the fonts and colours the styles name), as openpyxl
    wrote it (resources/xlsx/README.md); read, not imported from openpyxl, whose
    import takes longer than writing the table."""
    from fieldplan.resources import resource_path

    return resource_path("xlsx", "theme1.xml").read_bytes()
