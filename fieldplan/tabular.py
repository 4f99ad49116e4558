"""Tabular export of merged progress: CSV (for spreadsheets), HXL (the Humanitarian
Exchange Language: CSV with a row of hashtags, for humanitarian data tools) and XLSX.

Narratives are user text: a cell that would start a spreadsheet formula (= + - @)
is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fieldplan.errors import ValidationError
from fieldplan.i18n import _
from fieldplan.replica import Replica

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


def _safe(value: Any) -> Any:
    """Keep text from being read as a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
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
    out = Path(out)
    tmp = out.with_name(f".{out.name}.part")
    try:
        if fmt == "xlsx":
            _write_xlsx(tmp, data)
        else:
            with open(tmp, "w", newline="", encoding="utf-8-sig" if fmt == "csv" else "utf-8") \
                    as f:
                _write_csv(f, data, hxl=fmt == "hxl")
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(data)


def _write_csv(f, data: Sequence[dict[str, Any]], *, hxl: bool) -> None:
    w = csv.writer(f)
    w.writerow([c for c, _ in COLUMNS])
    if hxl:
        w.writerow([tag for _, tag in COLUMNS])
    for row in data:
        w.writerow(["" if row[c] is None else (_safe(row[c]) if c in _TEXT else row[c])
                    for c, _ in COLUMNS])


def _write_xlsx(path: Path, data: Sequence[dict[str, Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "progress"
    ws.append([c for c, _ in COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in data:
        ws.append([row[c] for c, _ in COLUMNS])
        for cell, (c, _tag) in zip(ws[ws.max_row], COLUMNS, strict=True):
            if c in _TEXT and isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text, even "=SUM(...)"
    ws.freeze_panes = "A2"
    wb.save(path)
