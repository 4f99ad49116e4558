"""``data export``: merged progress as CSV, HXL or XLSX."""

from __future__ import annotations

import argparse

from fieldplan.cli import check_output_name, command, output, subcommands
from fieldplan.cli.core_cmds import lang_of, open_db
from fieldplan.i18n import _
from fieldplan.tabular import FORMATS, export_table


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
    with open_db(args) as rep:
        count = export_table(rep, args.format, args.output, lang=lang_of(args),
                             period=args.period)
    output(args, {"path": args.output, "format": args.format, "rows": count}, args.output)
    return 0
