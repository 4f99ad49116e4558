"""Tabular export of merged progress: CSV (for spreadsheets), HXL (the Humanitarian
Exchange Language: CSV with a row of hashtags, for humanitarian data tools) and XLSX.

Narratives are user text: a cell that would start a spreadsheet formula (= + - @)
is written as text, never as a formula, and control characters a spreadsheet refuses
(possible in data from older versions) are left out.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from typing import Any, BinaryIO

from fieldplan.errors import ValidationError
from fieldplan.files import atomic_output
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

_TEXT = {"office_name", "action_title", "indicators", "achievements", "challenges",
         "next_steps", "updated_by"}


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


def _cell(value: Any, column: str) -> Any:
    """A value as a cell: text without the control characters spreadsheets refuse
    (older databases may hold them), and user text never read as a formula."""
    if not isinstance(value, str):
        return value
    value = for_spreadsheet(value)
    if column in _TEXT and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def export_table(rep: Replica, fmt: str, out: str | os.PathLike[str], *, lang: str = "en",
                 period: str | None = None) -> int:
    """Write merged progress as csv, hxl or xlsx; returns the number of rows.
    Written to a temporary file and renamed, so a full disk never leaves half a file."""
    if fmt not in FORMATS:
        raise ValidationError(_("unknown format '{format}': use one of {choices}").format(
            format=fmt, choices=", ".join(FORMATS)))
    data = rows(rep, lang, period)
    with atomic_output(out) as raw:
        if fmt == "xlsx":
            _write_xlsx(raw, data)
        else:
            f = io.TextIOWrapper(raw, encoding="utf-8-sig" if fmt == "csv" else "utf-8",
                                 newline="")
            _write_csv(f, data, hxl=fmt == "hxl")
            f.flush()
            f.detach()  # atomic_output closes the file itself
    return len(data)


def _write_csv(f, data: Sequence[dict[str, Any]], *, hxl: bool) -> None:
    w = csv.writer(f)
    w.writerow([c for c, _ in COLUMNS])
    if hxl:
        w.writerow([tag for _, tag in COLUMNS])
    for row in data:
        w.writerow(["" if row[c] is None else _cell(row[c], c) for c, _ in COLUMNS])


def _write_xlsx(out: BinaryIO, data: Sequence[dict[str, Any]]) -> None:
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
        for cell, (c, _tag) in zip(ws[ws.max_row], COLUMNS, strict=True):
            if c in _TEXT and isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even "=SUM(...)"
    ws.freeze_panes = "A2"
    wb.save(out)
