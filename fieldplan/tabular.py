"""Tabular export of merged progress: CSV (for spreadsheets), HXL (the Humanitarian
Exchange Language: CSV with a row of hashtags, for humanitarian data tools) and XLSX.

Every text cell may hold user text (narratives, but also the action part of a report
id an office chose, names, labels), so no text cell ever starts a formula: in CSV and
HXL a text cell starting like one (= + - @, tab, carriage return) gets a leading
``'``; in XLSX every text cell is stored as text (and marked "quote prefix", so that
editing it in the spreadsheet keeps it text), its value unchanged. Characters a
spreadsheet file cannot hold (possible in data from older versions) are left out.

HXL gets the same ``'`` as CSV: HXL files are opened in spreadsheets as often as by
HXL tools, and a cell those tools receive as ``'-5 displaced`` is a blemish where the
same cell read by Excel as a formula is a hole. A reader that wants the text back
drops one ``'`` from a cell that starts with ``'`` followed by one of those characters.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from typing import Any

from fieldplan.errors import ValidationError
from fieldplan.files import atomic_output, check_output_name
from fieldplan.i18n import _
from fieldplan.replica import Replica
from fieldplan.text import for_spreadsheet

FORMATS = ("csv", "hxl", "xlsx")

#: (column header, HXL hashtag)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("office", "#org+code"),
    ("office_name", "#org+name"),
    ("country", "#country+code"),
    ("action", "#activity+code"),
    ("action_title", "#activity+name"),
    ("area", "#sector+code"),
    ("level", "#meta+level"),
    ("period", "#date+period"),
    ("status", "#status"),
    ("percent", "#indicator+pct"),
    ("indicators", "#indicator+values"),
    ("state", "#meta+state"),
    ("achievements", "#description+achievements"),
    ("challenges", "#description+challenges"),
    ("next_steps", "#description+next_steps"),
    ("updated_at", "#date+updated"),
    ("updated_by", "#contact+name"),
)

#: What makes a spreadsheet read a cell as a formula (= + - @; the full-width forms,
#: which East Asian input methods turn into them), or what it skips before looking
#: (tab, carriage return).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def rows(rep: Replica, lang: str = "en", period: str | None = None) -> list[dict[str, Any]]:
    """One row per merged report, joined with the plan and office names."""
    from fieldplan.offices import office_kind, office_name
    from fieldplan.progress import list_reports

    plan = rep.plan()
    by_code = {a.code: a for a in plan.actions}
    out = []
    for r in list_reports(rep, period=period):
        act = by_code.get(r.action)
        out.append({
            "office": r.office, "office_name": office_name(r.office, lang),
            "country": r.office if office_kind(r.office) == "country" else "",
            "action": r.action, "action_title": act.title.get(lang) if act else "",
            "area": act.area if act else "", "level": act.level if act else "",
            "period": r.period, "status": r.status, "percent": r.percent,
            "indicators": "; ".join(f"{k}={_num(v)}" for k, v in r.values),
            "state": r.state, "achievements": r.achievements, "challenges": r.challenges,
            "next_steps": r.next_steps, "updated_at": r.updated_at,
            "updated_by": r.updated_by,
        })
    return out


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else repr(v)


def _cell(value: Any) -> Any:
    """A value as a CSV or HXL cell: text without the characters a spreadsheet
    refuses (older databases may hold them), never read as a formula."""
    if not isinstance(value, str):
        return value
    value = for_spreadsheet(value)
    if value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_table(rep: Replica, fmt: str, out: str | os.PathLike[str], *, lang: str = "en",
                 period: str | None = None) -> int:
    """Write merged progress as csv, hxl or xlsx; returns the number of rows.
    Made in memory, then written to a temporary file and renamed, so a full disk
    never leaves half a file (nor a half-closed ZIP archive behind)."""
    if fmt not in FORMATS:
        raise ValidationError(_("unknown format '{format}': use one of {choices}").format(
            format=fmt, choices=", ".join(FORMATS)))
    check_output_name(fmt, out)
    data = rows(rep, lang, period)
    if fmt == "xlsx":
        content = _xlsx_bytes(data)
    else:
        # utf-8-sig: the byte-order mark tells Excel the CSV is UTF-8; HXL tools
        # expect none
        content = _csv_text(data, hxl=fmt == "hxl").encode(
            "utf-8-sig" if fmt == "csv" else "utf-8")
    with atomic_output(out) as f:
        f.write(content)
    return len(data)


def _csv_text(data: Sequence[dict[str, Any]], *, hxl: bool) -> str:
    f = io.StringIO(newline="")
    w = csv.writer(f)
    w.writerow([c for c, _ in COLUMNS])
    if hxl:
        w.writerow([tag for _, tag in COLUMNS])
    for row in data:
        w.writerow(["" if row[c] is None else _cell(row[c]) for c, _ in COLUMNS])
    return f.getvalue()


def _xlsx_bytes(data: Sequence[dict[str, Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "progress"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in data:
        ws.append([for_spreadsheet(row[c]) if isinstance(row[c], str) else row[c]
                   for c, _ in COLUMNS])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even "=HYPERLINK(...)"
                if cell.value.startswith(_FORMULA_START):
                    cell.quotePrefix = True  # and stays text when edited
    ws.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
