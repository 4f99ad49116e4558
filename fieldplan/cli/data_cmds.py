"""``data export``: merged progress as CSV, HXL or XLSX."""

from __future__ import annotations

import argparse

from fieldplan.cli import check_output_name, command, output, subcommands, warn
from fieldplan.cli.core_cmds import lang_of, open_db, period_of
from fieldplan.i18n import _
from fieldplan.tabular import FORMATS, hidden_note, write_table


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "data", _("tabular export of merged progress"),
                _("Export merged progress as a table."))
    dsub = subcommands(p, "data_command")
    s = command(dsub, "export", _("write progress as CSV, HXL or XLSX"),
                _("Write merged progress as CSV, HXL (CSV with HXL hashtags) or XLSX."),
                func=cmd_data_export)
    s.add_argument("--format", required=True, choices=FORMATS, help=_("file format"))
    s.add_argument("-o", "--output", required=True, metavar="FILE", help=_("output file"))
    s.add_argument("--period", metavar="P", help=_("only this period"))


def cmd_data_export(args: argparse.Namespace) -> int:
    check_output_name(args.format, args.output)
    period = period_of(args) if args.period else None
    with open_db(args) as rep:
        result = write_table(rep, args.format, args.output, lang=lang_of(args),
                             period=period)
    output(args, {"path": args.output, "format": args.format, "rows": result.rows,
                  "hidden": result.hidden}, args.output)
    if result.hidden:  # on stderr: the path stays the only line a script reads
        warn(hidden_note(result.hidden))
    return 0
