"""Plans as CSV: a spreadsheet of one row per indicator, read and written.

CSV layout (a spreadsheet saved as CSV, UTF-8 with or without BOM, or UTF-16 with its
BOM as Excel's "Unicode Text" is: see plan.load_plan; ``,``, ``;`` or tab separated,
seen from the header row; a number whose marks leave one reading is read alike
whatever the separator, and one mark before three digits, 1,500 or 1.500, as the
separator says: ``_Reader._plain_number``):
one row per indicator, columns

    plan_id plan_version plan_start plan_end plan_signed_at plan_signed_place
    plan_illustrative plan_title_en plan_title_fr plan_title_ar
    area area_illustrative area_title_en area_title_fr area_title_ar
    action level lead action_illustrative action_title_en action_title_fr
    action_title_ar description_en description_fr description_ar
    indicator indicator_title_en indicator_title_fr indicator_title_ar
    unit unit_fr unit_ar baseline target
    target_2025-S2 target_2026-S1 ... (one per period, optional)

in any order. Plan, area and action cells may be repeated on every row of that
plan/area/action (as ``dump_plan`` writes them) or left blank on all rows but one;
two different values are an error. A row with an empty ``indicator`` describes an
action without indicators, a row with an empty ``action`` an area without actions.
Order of appearance gives the order of areas, actions and indicators. Row numbers in
messages are the spreadsheet's (the header is row 1). Dates are ``YYYY-MM-DD`` (or as
a spreadsheet writes them back, when that says which is the day: ``_iso_day``);
true/false cells accept true, false, yes, no, 1, 0 (and vrai/faux, and TRUE and FALSE
as Excel in other languages writes them). Columns ``plan_signed_at``,
``plan_signed_place``, the ``*_illustrative``, ``*_fr``, ``*_ar`` (``unit_fr`` and
``unit_ar``: the unit in French and Arabic; ``unit`` is in English), ``description_*``,
``baseline``, ``target`` and ``target_*`` columns may be left out.

A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, their full-width forms, a tab or a carriage return) is written with a
``'`` before it, and a cell read that starts with ``'`` then one of those loses that
one ``'``; a text that itself starts with ``'`` before one of those characters is
written with one ``'`` more. So every text reads back as it was, and HQ can open
the file in Excel safely.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

from fieldplan.errors import PlanError, ValidationError
from fieldplan.i18n import _, counted, format_number, ltr
from fieldplan.model import LEADS, LEVELS
from fieldplan.periods import parse_period
from fieldplan.plan import (
    _ACTION_CODE_RE,
    _AREA_CODE_RE,
    _PLAN_ID_RE,
    HIJRI_YEARS,
    LANGS,
    MAX_VERSION,
    PLAN_YEARS,
    FieldPath,
    Plan,
    _Locator,
    _number_text,
    _Reader,
    _show,
    _show_pair,
    _shown,
    format_path,
    hijri_date,
    plan_to_dict,
    where_what,
)
from fieldplan.text import guard_formula, unguard_formula


def _text_columns(prefix: str, field: str) -> dict[str, tuple[str, ...]]:
    return {f"{prefix}_{lang}": (field, lang) for lang in LANGS}


# Column → field of the plan, area, action or indicator dict.
_PLAN_COLUMNS: dict[str, tuple[str, ...]] = {
    **{f"plan_{k}": (k,) for k in ("id", "version", "start", "end", "signed_at")},
    **{f"plan_{k}": (k,) for k in ("signed_place", "illustrative")},
    **_text_columns("plan_title", "title"),
}
#: the plan's dates, checked row by row (``merge``)
_DATE_COLUMNS = frozenset(("plan_start", "plan_end", "plan_signed_at"))
#: the columns of numbers (and the target_* ones)
_NUMBER_COLUMNS = frozenset(("plan_version", "baseline", "target"))
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


#: a day as a spreadsheet re-saves the plan's YYYY-MM-DD (21/06/2025, 6/21/2025,
#: 21.06.2025, 21-06-2025): day and month in either order, the year in full, one mark
_SHOWN_DAY = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})", re.ASCII)
#: the same, year first (2025/06/21, 2025.06.21: Persian and East Asian locales)
_YEAR_FIRST_DAY = re.compile(r"([0-9]{4})([/.])([0-9]{1,2})\2([0-9]{1,2})", re.ASCII)


#: a day with a time of day after it, as a spreadsheet saves a date cell formatted
#: as a date and time (21/06/2025 00:00, 2025-06-21 00:00:00, 6/21/2025 12:00 AM,
#: 2025-06-21T00:00): the day, then the hours, minutes, seconds, AM or PM
_WITH_TIME = re.compile(r"(\S+)(?:[ \u00a0]+|T)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?"
                        r"(?:[ \u00a0]*([AaPp]\.?[Mm]\.?|\u0635|\u0645))?", re.ASCII)
#: a day with a two-digit year (21/06/25): refused, the century is not known
_SHORT_YEAR = re.compile(r"[0-9]{1,2}([/.-])[0-9]{1,2}\1[0-9]{2}", re.ASCII)


def column_letter(number: int) -> str:
    """A column's number (1, 9, 27) as a spreadsheet names it (A, I, AA)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def without_midnight(text: str) -> str:
    """``text`` (ASCII digits) without a midnight time after its day ("21/06/2025
    00:00" is "21/06/2025"): a spreadsheet saves a date cell so when it is formatted as
    a date and time. ValueError saying so for another time of day (a plan's dates are
    days) and for a two-digit year (21/06/25: which century is not said)."""
    found = _WITH_TIME.fullmatch(text)
    if found is not None:
        day, hours, minutes, seconds, half = found.groups()
        hours_n = int(hours) % 12 if half else int(hours)
        if hours_n or int(minutes) or int(seconds or 0) or (half or "a")[0] in "Pp\u0645":
            raise ValueError(_("{value} has a time of day; a plan's dates are days: write "
                               "YYYY-MM-DD").format(value=_show(text)))
        text = day
    if _SHORT_YEAR.fullmatch(text):
        raise ValueError(_("{value} has a two-digit year; write the year in four digits: "
                           "YYYY-MM-DD").format(value=_show(text)))
    return text


def _iso_day(text: str) -> str:
    """``text`` as YYYY-MM-DD when it is a day written as a spreadsheet writes it back
    (Excel turns the exported 2025-06-21 into 21/06/2025, or 6/21/2025, 21-06-2025 or
    2025/06/21 as its locale says, on every row, which was then refused row by row):
    year first, the month comes next; else whichever of its first two numbers can only
    be the day says which is which. In Arabic-Indic or Persian digits alike (٢١/٠٦/٢٠٢٥,
    ۲۰۲۵-۰۶-۲۱: as a spreadsheet set to Arabic or Persian writes it; they were refused
    where numbers in those digits were read). ``text`` as it is otherwise; ValueError
    (its message says both readings) when either order makes a day."""
    from datetime import date

    from fieldplan.numbers import ascii_digits

    shown, text = text, without_midnight(ascii_digits(text).strip())
    if _ISO_DAY.fullmatch(text):
        return text if _is_day(text) else shown  # (no such day: said as written)
    year_first = _YEAR_FIRST_DAY.fullmatch(text)
    if year_first is not None:
        with contextlib.suppress(ValueError):  # (no such day: said as not a date)
            return date(*(int(year_first.group(i)) for i in (1, 3, 4))).isoformat()
        return shown
    found = _SHOWN_DAY.fullmatch(text)
    if found is None:
        return shown
    a, b, year = (int(found.group(i)) for i in (1, 3, 4))
    if HIJRI_YEARS[0] <= year <= HIJRI_YEARS[1]:
        # (a Hijri 02/07/1449 was said to be either of two days of the year 1449)
        raise ValueError(hijri_date(_show(shown)))
    readings: list[date] = []
    for day, month in ((a, b), (b, a)):
        with contextlib.suppress(ValueError):  # (not a day in that order)
            readings.append(date(year, month, day))
    readings = list(dict.fromkeys(readings))
    if len(readings) == 1:
        return readings[0].isoformat()
    if len(readings) == 2:
        raise ValueError(_("{value} could be {first} or {second}; write YYYY-MM-DD").format(
            value=_show(shown), first=readings[0].isoformat(), second=readings[1].isoformat()))
    return shown


#: a whole number, as a spreadsheet saves a date cell whose date format was lost
_WHOLE_NUMBER = re.compile(r"[0-9]{5}(?:\.0+)?", re.ASCII)


def _serial_day(text: str) -> str:
    """The day (YYYY-MM-DD) ``text`` stands for when it is a date's number in a
    spreadsheet's usual count of days (Excel's 1900 date system, LibreOffice's: 45829 is
    2025-06-21) and that day is in the years of a plan, else "". Said, not read: a CSV
    file does not say its workbook's date system (Excel for Mac's 1904 one counts four
    years apart), which a workbook does (plan_xlsx reads such a cell)."""
    from datetime import date, timedelta

    from fieldplan.numbers import ascii_digits

    text = ascii_digits(text.strip())
    if not _WHOLE_NUMBER.fullmatch(text):
        return ""
    day = date(1899, 12, 30) + timedelta(days=int(float(text)))
    return day.isoformat() if PLAN_YEARS[0] <= day.year <= PLAN_YEARS[1] else ""


def _is_day(text: str) -> bool:
    """Whether ``text`` is a date as the plan's reader takes it: YYYY-MM-DD in ASCII
    digits, a day the calendar has (not 2025-02-30)."""
    from datetime import date

    if not _ISO_DAY.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True
_AREA_COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("code",),
    "area_illustrative": ("illustrative",),
    **_text_columns("area_title", "title"),
}
_ACTION_COLUMNS: dict[str, tuple[str, ...]] = {
    "action": ("code",),
    "level": ("level",),
    "lead": ("lead",),
    "action_illustrative": ("illustrative",),
    **_text_columns("action_title", "title"),
    **_text_columns("description", "description"),
}
_INDICATOR_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicator": ("key",),
    **_text_columns("indicator_title", "title"),
    # the unit in English keeps its name from before units in French and Arabic
    "unit": ("unit", "en"),
    "unit_fr": ("unit", "fr"),
    "unit_ar": ("unit", "ar"),
    **{k: (k,) for k in ("baseline", "target")},
}
#: Columns a plan with no unit in French or Arabic is written without, as fieldplan
#: wrote it before them (and an earlier fieldplan reads it).
_UNIT_LANG_COLUMNS = ("unit_fr", "unit_ar")
_ACTION_FIELDS = {**_ACTION_COLUMNS, "area": ("area",)}  # an action's area is its row's
_COLUMNS = (*_PLAN_COLUMNS, *_AREA_COLUMNS, *_ACTION_COLUMNS, *_INDICATOR_COLUMNS)
_REQUIRED_COLUMNS = (
    "plan_id",
    "plan_version",
    "plan_start",
    "plan_end",
    "plan_title_en",
    "area",
    "area_title_en",
    "action",
    "level",
    "lead",
    "action_title_en",
    "indicator",
    "indicator_title_en",
    "unit",
)
_TARGET_PREFIX = "target_"

# Where an entity of the plan dict lives: the same keys as in _CsvLocator.rows.
EntityKey = tuple[Any, ...]


class _CsvLocator(_Locator):
    """Names a spreadsheet row and column for a field path of the dict built from a CSV."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.rows: dict[EntityKey, int] = {}  # entity → its first row
        self.cells: dict[EntityKey, int] = {}  # entity + field → row of the value

    def _place(self, path: FieldPath) -> tuple[int | None, str | None]:
        plain = tuple(p[0] if isinstance(p, tuple) else p for p in path)
        if plain[:1] == ("plan",):
            entity, rest, columns = plain[:1], plain[1:], _PLAN_COLUMNS
        elif plain[:1] == ("areas",) and len(plain) > 1:
            entity, rest, columns = plain[:2], plain[2:], _AREA_COLUMNS
        elif len(plain) > 3 and plain[0] == "actions" and plain[2] == "indicators":
            entity, rest, columns = plain[:4], plain[4:], _INDICATOR_COLUMNS
        elif plain[:1] == ("actions",) and len(plain) > 1:
            entity, rest, columns = plain[:2], plain[2:], _ACTION_FIELDS
        else:
            return None, None
        column = None
        if rest[:1] == ("targets",) and len(rest) == 2:
            column = _TARGET_PREFIX + str(rest[1])
        elif rest:
            column = next((c for c, f in columns.items() if f[: len(rest)] == rest), None)
        row = self.cells.get(entity + rest, self.rows.get(entity))
        return row, column

    def where(self, path: FieldPath) -> str:
        row, column = self._place(path)
        if row is None:
            return super().where(path)
        return where_what(self.source, _row_column(row, column))

    def brief(self, path: FieldPath) -> str:
        row, _column = self._place(path)
        return _("row {row}").format(row=row) if row is not None else format_path(path)


class _CellLocator(_Locator):
    """Names one cell of a CSV file, whatever the field path: a cell checked on the
    row that holds it (``_cell_value``)."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.row, self.column = 0, ""

    def where(self, path: FieldPath) -> str:
        return where_what(self.source, _row_column(self.row, self.column))


def _cell_value(reader: _Reader, column: str, value: str) -> Any:
    """The value of a cell of a plan, area or action column that can be checked on
    its own, as the plan reads it ("National" and "national" are one level, "yes" and
    "true" one flag); PlanError naming the reader's cell when it is no such value;
    ``value`` itself for a column checked only with the rest of the plan.

    Such cells may be repeated on every row of an action (or area, or the plan): each
    is checked on its own row before rows are compared, so that a typo on an action's
    first row is said of that row, not of the next (good) row that differs from it."""
    if column in ("level", "lead"):
        return reader.choice(value, (), LEVELS if column == "level" else LEADS)
    if column.endswith("_illustrative"):
        return reader.boolean(value, ())
    if column == "plan_version":
        return reader.positive_int(value, (), MAX_VERSION)
    if column == "plan_id":
        return reader.pattern(value, (), _PLAN_ID_RE,
                              _("a plan id (letters, digits, '.', '-', '_')"))
    if column == "area":
        return reader.pattern(
            value, (), _AREA_CODE_RE,
            _("an area code (a letter, then up to 31 letters, digits, '-' or '_', e.g. PA1)"))
    return value


def _row_column(row: int, column: str | None) -> str:
    """Where in a CSV file: "row 3, column 'unit'" or "row 3". The column as its
    header names it, cut as other values are: a header the reader took for one column
    (another separator) was quoted whole, a message of thousands of characters."""
    if column:
        return _("row {row}, column '{column}'").format(row=row, column=_shown(column))
    return _("row {row}").format(row=row)


#: columns of the progress table (tabular.COLUMNS) that no plan file has
_PROGRESS_COLUMNS = frozenset(("office", "period", "status", "percent"))
# The line Excel reads (and may write) before the header to name the separator.
_SEP_LINE = re.compile("sep=([,;\t])\r?", re.IGNORECASE)


def _separated(text: str) -> tuple[str, str]:
    """The separator of CSV ``text`` (seen from its header row, or named by Excel's
    "sep=" line), and the text from its header row on."""
    first_line, *rest = re.split("\r\n|\r|\n", text, maxsplit=1)  # (lines may end in CR)
    declared = _SEP_LINE.fullmatch(first_line)
    if declared:
        # Excel's "sep=;" line names the separator; Excel does not show it as a row,
        # so the header stays row 1 in messages, as the person sees it there
        return declared.group(1), rest[0] if rest else ""
    return max((",", ";", "\t"), key=first_line.count), text


def place_of_end(text: str) -> str:
    """Where the end of ``text``, the start of a CSV file, is in that file: "row 3,
    column 'unit'" (its header row's name for the column), or "row 3" (a column
    without a name, the header row itself)."""
    import csv

    delimiter, text = _separated(text)
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)
    # (a mark at the end, so that the row it ends in is read even when empty)
    records = list(csv.reader(io.StringIO(text + "x", newline=""), delimiter=delimiter))
    row, index = len(records), len(records[-1]) - 1
    names = records[0] if row > 1 else []
    column = names[index].strip() if index < len(names) else ""
    return _row_column(row, column or None)


def read_csv(text: str, source: str, *, clean: bool = False, strict: bool = False) -> Plan:
    """Read a plan from CSV text; ``clean``: texts lose their control characters;
    ``strict``: titles are one line, of at most plan.MAX_TITLE_CHARS (a file to install)."""
    import csv

    delimiter, text = _separated(text)
    from fieldplan.plan import MAX_PLAN_BYTES

    # a cell may be as long as a plan file may be: Python's csv stops at 128 KB, so a
    # plan with a long text exported as CSV could not be read back
    if csv.field_size_limit() < MAX_PLAN_BYTES:
        csv.field_size_limit(MAX_PLAN_BYTES)
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            records.append(record)
    except csv.Error as exc:
        from fieldplan.syntax import csv_reason

        raise PlanError(where_what(where_what(ltr(source), _row_column(len(records) + 1, None)),
                                   csv_reason(exc))) from None
    if not records:
        raise PlanError(_("{file}: the file is empty").format(file=ltr(source)))
    return read_records(records, source, delimiter, clean=clean, strict=strict)


def read_records(records: list[list[str]], source: str, delimiter: str = ",", *,
                 clean: bool = False, strict: bool = False, workbook: bool = False) -> Plan:
    """Read a plan from the rows of a sheet, each a list of its cells' texts (a CSV
    file's records, or a workbook's: fieldplan.plan_xlsx), the header first;
    ``delimiter``: the CSV file's separator, which says its decimal mark (``,``: the
    point, as a workbook's number cells give it). ``clean``, ``strict``: as read_csv;
    ``workbook``: the rows are a workbook's (its messages say what to do in one, not
    to save a CSV file again)."""
    import difflib

    def fail(row: int, column: str | None, message: str) -> PlanError:
        return PlanError(where_what(where_what(ltr(source), _row_column(row, column)), message))

    if {cell.strip().lower() for cell in records[0]} >= _PROGRESS_COLUMNS:
        # the other table headquarters exports, picked by mistake: "unknown column
        # 'office'" left the person to guess which file this is
        raise PlanError(_(
            "{file}: a table of progress reports (Export table, 'fieldplan data export'), "
            "not a plan file; a plan file has a row per indicator, under columns plan_id, "
            "plan_version, …").format(file=ltr(source)))
    def header_below(records: list[list[str]]) -> None:
        """PlanError saying where the header is, if it is in one of the next rows."""
        below = _header_below(records)
        if below:
            raise fail(1, None, _(
                "the header (plan_id, plan_version, …) is on row {row}: delete the "
                "rows above it, the header must be the first row").format(row=below))

    header: list[str | None] = []
    known = {c.lower(): c for c in _COLUMNS}
    for index, raw in enumerate(records[0]):
        name = raw.strip()
        if not name:
            header.append(None)
            continue
        if name.lower().startswith(_TARGET_PREFIX):
            try:
                name = _TARGET_PREFIX + str(parse_period(name[len(_TARGET_PREFIX) :]))
            except ValidationError as exc:
                raise fail(1, name, str(exc)) from None
        elif name.lower() in known:
            name = known[name.lower()]
        else:
            # a title or a row of group names (merged cells) above the header:
            # "unknown column" named the title and left the header unseen
            header_below(records)
            close = difflib.get_close_matches(name.lower(), _COLUMNS, n=1)
            if close:
                message = _("unknown column {name} (did you mean '{close}'?)")
            else:
                message = _("unknown column {name}")
            raise fail(1, None, message.format(name=_show(name), close=close[0] if close else ""))
        if name in header:
            raise fail(
                1, name, _("column given twice (columns {first} and {second})").format(
                    first=header.index(name) + 1, second=index + 1)
            )
        header.append(name)
    for column in _REQUIRED_COLUMNS:
        if column not in header:
            header_below(records)  # (a title's row emptied, not deleted)
            raise fail(1, None, _("missing column '{column}'").format(column=column))

    loc = _CsvLocator(source)
    plan: dict[str, Any] = {}
    # a date's cell as written where it was not its YYYY-MM-DD (_Reader.written)
    written: dict[EntityKey, str] = {}
    areas: dict[str, dict[str, Any]] = {}
    actions: dict[str, dict[str, Any]] = {}
    # code → index in areas/actions: looking it up in a list made big files quadratic
    area_index: dict[str, int] = {}
    action_index: dict[str, int] = {}
    indicators: dict[str, list[dict[str, Any]]] = {}
    targets = {
        c: ("targets", c[len(_TARGET_PREFIX) :])
        for c in header
        if c and c.startswith(_TARGET_PREFIX)
    }
    indicator_columns = {**_INDICATOR_COLUMNS, **targets}

    def cells_of(record: list[str]) -> dict[str, str]:
        """A row's cells by column (a cell a short row lacks: empty)."""
        return {name: unguard_formula(value.strip())
                for name, value in zip(header, record, strict=False) if name is not None}

    @cache
    def row_cells() -> list[dict[str, str]]:
        """Every row's cells (read when two rows differ: which one to name)."""
        return [cells_of(record) for record in records[1:]]

    cell_loc = _CellLocator(source)
    cell_reader = _Reader(cell_loc, from_text=True)

    def checked(column: str, value: str, row: int) -> Any:
        """``_cell_value`` of the cell at ``row``, ``column``."""
        cell_loc.row, cell_loc.column = row, column
        return _cell_value(cell_reader, column, value)

    def read_as(column: str, value: str) -> Any:
        """``value`` as ``checked`` reads it, itself when it is no such value."""
        try:
            if column in _DATE_COLUMNS:
                return _iso_day(value)
            return checked(column, value, 0)
        except (PlanError, ValueError):
            return value

    def odd_one_out(column: str, old: str, value: str, member: Callable[[dict[str, str]], bool],
                    area: str | None) -> bool:
        """Whether ``old``, the value an earlier row gave, is the one to mend rather than
        ``value``, the current row's: an action's area its code does not name
        (``area``: the one it names), else a value fewer of the entity's rows give (a
        typo on an action's first row; two rows that differ: the later one is named)."""
        if area is not None and area in (old, value):
            return value == area
        votes = Counter(read_as(column, c[column]) for c in row_cells() if member(c)
                        and c.get(column))
        return votes[read_as(column, old)] < votes[read_as(column, value)]

    def merge(
        entity: dict[str, Any],
        key: EntityKey,
        columns: Mapping[str, tuple[str, ...]],
        cells: dict[str, str],
        row: int,
        what: str,
        member: Callable[[dict[str, str]], bool],
        area: str | None = None,
    ) -> None:
        """Copy a row's cells into an entity; a different value on another row is an error
        said of the row to mend: a value that is wrong on its own (a date that is no
        date, a level that is none) is said of its own row first, and of two that
        differ, the odd one out among the entity's rows (``member``: whether a row's
        cells are the entity's; ``area``: an action's, the area its code names)."""
        for column, field in columns.items():
            value = cells.get(column, "")
            if not value:
                continue
            cell = value
            if column in _DATE_COLUMNS:
                try:
                    value = _iso_day(value)
                except ValueError as exc:
                    raise fail(row, column, str(exc)) from None
                if not _is_day(value):
                    serial = _serial_day(value)
                    if serial:
                        raise fail(row, column, _(
                            "{value} is a day as a spreadsheet counts them ({day} in "
                            "Excel's usual count), in a column that lost its date format; "
                            "format the column as dates and save the file again, or write "
                            "YYYY-MM-DD").format(value=_show(value), day=serial))
                    raise fail(row, column, _("{value} is not a date; write YYYY-MM-DD")
                               .format(value=_show(value)))
            checked(column, value, row)
            node = entity
            for part in field[:-1]:
                node = node.setdefault(part, {})
            old = node.get(field[-1])
            if old is None:
                node[field[-1]] = value
                loc.cells[key + field] = row
                if cell != value:
                    written[key + field] = cell
            elif read_as(column, old) != read_as(column, value):
                here, other = row, loc.cells[key + field]
                if odd_one_out(column, old, value, member, area):
                    here, other, value, old = other, here, old, value
                shown, shown_old = _show_pair(value, old)
                raise fail(
                    here,
                    column,
                    _("{value} differs from {old} on row {other} for {what}").format(
                        value=shown, old=shown_old, other=other, what=what),
                )

    def stray(cells: dict[str, str], columns: Iterable[str], empty: str, row: int) -> None:
        column = next((c for c in columns if cells.get(c)), None)
        if column:
            raise fail(row, column, _("a value on a row whose '{column}' is empty").format(
                column=empty))

    for row, record in enumerate(records[1:], start=2):
        folded = next((d for d in ((",", ";") if workbook else (delimiter,))
                       if _whole_row_in_one_cell(record, len(header), d)), None)
        if folded is not None and workbook:
            # (a CSV line pasted into the sheet: its separator may be either)
            raise fail(row, None, _(
                "the whole row is in one cell: it was pasted or opened from a CSV file "
                "without splitting it into columns at '{separator}'; split them (Data ▸ "
                "Text to Columns) and save the workbook again").format(separator=folded))
        if folded is not None:
            raise fail(row, None, _(
                "the whole row is in one cell: the spreadsheet opened the file without "
                "splitting it into columns at '{separator}'; split them (Data ▸ Text to "
                "Columns) and save it again as 'CSV UTF-8'").format(
                    separator=delimiter))
        extra = next((i for i in range(len(header), len(record)) if record[i].strip()), None)
        if extra is not None:
            # (the first extra cell that holds a value is named, as a value in a column
            # without a header is: a count alone left the person to count columns)
            # Translators: {header} is the header's count of cells; {letter} is the
            # column as a spreadsheet names it (Q), {number} its number (17)
            raise fail(row, None, counted(
                "{count} cell but the header has {header}: a value in column {letter} "
                "({number}), after the header's last column",
                "{count} cells but the header has {header}: a value in column {letter} "
                "({number}), after the header's last column",
                len(record), header=format_number(len(header)),
                letter=column_letter(extra + 1), number=extra + 1))
        # a spreadsheet leaves empty cells off the end of a row (and a cut file its
        # last row short): the missing cells are empty ones
        # (and a trailing separator one empty cell more: refused above when not empty)
        record = record[:len(header)] + [""] * (len(header) - len(record))
        cells = cells_of(record)
        unnamed = [
            i + 1
            for i, (name, value) in enumerate(zip(header, record, strict=True))
            if name is None and value.strip()
        ]
        if unnamed:
            # Translators: {letter} is the column as a spreadsheet names it (I), {number}
            # its number (9): "a value in column I (9), which has no header"
            raise fail(row, None, _(
                "a value in column {letter} ({number}), which has no header").format(
                    letter=column_letter(unnamed[0]), number=unnamed[0]))
        failed = next((name for name, value in cells.items() if _shown_error(value)), None)
        if failed is not None:
            # (a lookup that found nothing, a reference deleted: in a CSV file the error
            # is the cell's text, and was installed as a title; a workbook's error
            # cells are refused alike, plan_xlsx)
            raise fail(row, failed, _(
                "the cell shows the error {error}; correct its formula or type the value")
                .format(error=ltr(cells[failed])))  # ("#N/A" kept whole in Arabic)
        narrow = next((name for name, value in cells.items() if _NARROW.fullmatch(value)
                       and (name in _DATE_COLUMNS or name in _NUMBER_COLUMNS
                            or name.startswith(_TARGET_PREFIX))), None)
        if narrow is not None:
            raise fail(row, narrow, _(
                "{value} is what the spreadsheet shows of a date or number its column is "
                "too narrow for; widen the column and save the file again").format(
                    value=_show(cells[narrow])))
        if not any(cells.values()):
            continue
        lost = next((name for name, value in cells.items() if _letters_lost(value, name)),
                    None)
        if lost is not None and workbook:
            # (a workbook holds any letter: they were lost in a CSV file the text came
            # from, which saving the workbook again does not bring back)
            raise fail(row, lost, _(
                "{value} has question marks where its letters were: they were lost before "
                "the text came into the workbook (a CSV file saved in an encoding without "
                "them, as 'CSV (Comma delimited)' saves Arabic); type or copy the text "
                "again from where it was written").format(value=_show(cells[lost])))
        if lost is not None:
            raise fail(row, lost, _(
                "{value} has question marks where its letters were: the spreadsheet saved "
                "the file in an encoding without them (Arabic in 'CSV (Comma delimited)'); "
                "save it as 'CSV UTF-8'").format(value=_show(cells[lost])))
        loc.rows.setdefault(("plan",), row)
        merge(plan, ("plan",), _PLAN_COLUMNS, cells, row, _("the plan"), lambda c: True)

        area = cells["area"]
        if not area:
            raise fail(row, "area", _("missing (required)"))
        if area not in areas:
            area_index[area] = len(areas)
            areas[area] = {}
            loc.rows[("areas", len(areas) - 1)] = row
        key: EntityKey = ("areas", area_index[area])
        merge(areas[area], key, _AREA_COLUMNS, cells, row, _("area {code}").format(code=area),
              lambda c, area=area: c.get("area") == area)

        action = cells["action"]
        if not action:
            stray(cells, [*_ACTION_COLUMNS, *indicator_columns], "action", row)
            continue
        if action not in actions:
            action_index[action] = len(actions)
            actions[action] = {}
            indicators[action] = []
            loc.rows[("actions", len(actions) - 1)] = row
        key = ("actions", action_index[action])
        named = _ACTION_CODE_RE.match(action)
        merge(actions[action], key, _ACTION_FIELDS, cells, row,
              _("action {code}").format(code=action),
              lambda c, action=action: c.get("action") == action,
              area=named.group(1) if named else None)

        if not cells["indicator"]:
            stray(cells, indicator_columns, "indicator", row)
            continue
        key = (*key, "indicators", len(indicators[action]))
        loc.rows[key] = row
        indicators[action].append({})
        merge(indicators[action][-1], key, indicator_columns, cells, row, _("the indicator"),
              lambda c: False)  # (one row each)

    if not loc.rows:
        raise PlanError(_("{file}: no rows under the header").format(file=ltr(source)))
    data = {
        "plan": plan,
        "areas": list(areas.values()),
        "actions": [{**fields, "indicators": indicators[code]} for code, fields in actions.items()],
    }
    # a ";" file comes from a spreadsheet that writes decimal commas (French, Arabic…);
    # a tab-separated one from any (Excel's "Unicode Text" keeps the shown numbers)
    comma = {",": False, ";": True}.get(delimiter)
    reader = _Reader(loc, from_text=True, decimal_comma=comma, clean=clean,
                     strict=strict)
    reader.written.update(written)
    return reader.plan(data)


def _header_below(records: list[list[str]]) -> int:
    """The row (counted as a spreadsheet does) of a header under the first row, in the
    next few: a row with every required column's name, and no unknown name beside them;
    0 for none."""
    known = {c.lower() for c in _COLUMNS}
    required = set(_REQUIRED_COLUMNS)
    for row, record in enumerate(records[1:6], start=2):
        if len(record) == 1:
            # a title on a line of its own (no separator) above a ";" or tab header:
            # the separator was seen from the title's line, and the header is one cell
            record = re.split("[;\t]", record[0])
        names = {cell.strip().lower() for cell in record if cell.strip()}
        if required <= names and all(n in known or n.startswith(_TARGET_PREFIX)
                                     for n in names):
            return row
    return 0


#: The error values a spreadsheet shows in a cell whose formula failed, and saves as
#: the cell's text in a CSV file: Excel's (in English, and those a French Excel
#: writes), Google Sheets' #ERROR!, LibreOffice's (its own Err:502 and the like). No
#: plan's text or number is one.
_SHOWN_ERRORS = frozenset((
    "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
    "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!",
    "#EXTERNAL!", "#PYTHON!", "#ERROR!", "#NUL!", "#VALEUR!", "#NOM?", "#NOMBRE!",
))
_NUMBERED_ERROR = re.compile("Err:[0-9]{3}", re.ASCII)
#: what a spreadsheet shows, and saves in a CSV file "as shown", of a date or number
#: its column is too narrow for
_NARROW = re.compile("#{2,}")


def _shown_error(value: str) -> bool:
    """Whether a cell's (stripped) text is the error a failed formula showed."""
    return value.upper() in _SHOWN_ERRORS or _NUMBERED_ERROR.fullmatch(value) is not None


def _whole_row_in_one_cell(record: list[str], columns: int, delimiter: str) -> bool:
    """Whether a row holds all its cells in its first one, separators and all, the
    others empty: a CSV file opened in a spreadsheet that splits at another separator
    (fieldplan's ``,`` in a French or Arabic Excel, whose is ``;``) puts each line in
    column A, then saves it so, quoting the lines that had quotes. Read as it is, the
    message named the first column and quoted the whole row as its value."""
    import csv

    if columns < 3 or not record or any(cell.strip() for cell in record[1:]):
        return False
    # (a cell a line holds whole: its own quotes doubled, as a CSV line has them)
    line = record[0]
    if delimiter not in line or delimiter == "\t":  # (a tab shows as no character)
        return False
    try:
        cells = next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return len(cells) > columns // 2


#: a word of question marks: two or more, maybe in brackets or quotes, maybe before a
#: stop or comma ("(???)", "???,"): an Arabic word (and its punctuation) saved in an
#: encoding without Arabic letters
_MARKS_WORD = re.compile(r"[(\[\"'«]?\?{2,}[)\]\"'».,:;]?")


def _letters_lost(text: str, column: str = "") -> bool:
    """Whether ``text`` is what a spreadsheet writes of a text its file's encoding
    cannot hold: Excel's "CSV (Comma delimited)" writes Windows-1252, every Arabic
    letter a "?". Valid UTF-8 when the rest is ASCII, such a file was installed with
    titles of "??? ?????" and no word said; more question marks, in runs, than
    letters is no text a person typed.

    Nor is a word of two question marks or more (``_MARKS_WORD``) beside other words
    ("??? IOM", an Arabic word and an acronym: as many marks as letters) in a cell
    Windows-1252 can hold (a cell with an Arabic letter or a narrow no-break space
    was not saved so): in an Arabic column (``column`` ends in ``_ar``) anywhere, as
    Arabic asks with "؟"; in others only as the first word, since French sets its
    "??" apart from the word it ends ("Pourquoi ??"). Marks on a word ("What??"), one
    mark alone ("(?)") are text a person typed."""
    marks = text.count("?")
    if marks >= 2 and "??" in text and marks > sum(ch.isalpha() for ch in text):
        return True
    if "??" not in text:
        return False
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    words = text.split()
    if len(words) < 2:
        return False
    if not column.endswith("_ar"):
        words = words[:1]
    return any(_MARKS_WORD.fullmatch(word) for word in words)


def plan_to_csv(plan: Plan) -> str:
    """The plan as CSV text (see the module's docstring). Texts that a spreadsheet
    would take for a formula get a leading ``'``; NUL characters, which end a cell in
    spreadsheets, are left out."""
    import csv

    period_columns = [f"{_TARGET_PREFIX}{p}" for p in plan.periods()]
    worded = any(i.unit_fr or i.unit_ar for a in plan.actions for i in a.indicators)
    columns = [c for c in (*_COLUMNS, *period_columns)
               if worded or c not in _UNIT_LANG_COLUMNS]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)

    def flat(fields: dict[str, tuple[str, ...]], data: Mapping[str, Any]) -> dict[str, Any]:
        row = {}
        for column, field in fields.items():
            value: Any = data
            for part in field:
                if isinstance(value, str) and part in LANGS:
                    # a unit in English alone: its text (plan.plan_to_dict)
                    value = value if part == "en" else None
                else:
                    value = value.get(part) if isinstance(value, Mapping) else None
            row[column] = _csv_cell(value)
        return row

    data = plan_to_dict(plan)
    plan_cells = flat(_PLAN_COLUMNS, data["plan"])
    area_cells = {a["code"]: flat(_AREA_COLUMNS, a) for a in data["areas"]}
    order = [a.code for a in plan.areas]
    written: set[str] = set()

    def write(cells: dict[str, Any]) -> None:
        writer.writerow([cells.get(c, "") for c in columns])

    def write_areas_up_to(code: str | None) -> None:
        """Area-only rows for the areas before ``code`` that have not appeared yet, so
        that the order of first appearance is the plan's order of areas."""
        for other in order if code is None else order[: order.index(code)]:
            if other not in written:
                written.add(other)
                write({**plan_cells, **area_cells[other]})

    for action in data["actions"]:
        write_areas_up_to(action["area"])
        written.add(action["area"])
        base = {**plan_cells, **area_cells[action["area"]], **flat(_ACTION_COLUMNS, action)}
        if not action["indicators"]:
            write(base)
        for indicator in action["indicators"]:
            cells = {**base, **flat(_INDICATOR_COLUMNS, indicator)}
            for period, value in indicator["targets"].items():
                cells[_TARGET_PREFIX + period] = _csv_cell(value)
            write(cells)
    write_areas_up_to(None)
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            # every digit (1e20 as 100000000000000000000): the reader refuses a large
            # number in scientific notation, as a spreadsheet writes one it rounded
            return str(int(value))
        return _number_text(value)
    if isinstance(value, str):
        return guard_formula(value.replace("\0", ""))
    return str(value)
