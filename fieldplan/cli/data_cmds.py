"""``data export``: merged progress as CSV, HXL or XLSX."""

from __future__ import annotations

import argparse
import codecs
import errno
import os
import sys

from fieldplan.cli import (
    CommandError,
    UsageError,
    check_output_name,
    choice_word,
    command,
    file_name,
    output,
    period_name,
    subcommands,
    warn,
)
from fieldplan.cli.core_cmds import lang_of, open_db, period_of
from fieldplan.i18n import _
from fieldplan.tabular import FORMATS, hidden_note, table_bytes, write_table

#: The output file name that means standard output, as for most command-line tools.
STDOUT = "-"


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "data", _("tabular export of merged progress"),
                _("Export merged progress as a table."))
    dsub = subcommands(p, "data_command")
    s = command(dsub, "export", _("write progress as CSV, HXL or XLSX"),
                _("Write merged progress as CSV, HXL (CSV with HXL hashtags) or XLSX."),
                func=cmd_data_export)
    s.add_argument("--format", required=True, choices=FORMATS, type=choice_word,
                   help=_("file format"))
    s.add_argument("-o", "--output", required=True, metavar="FILE", type=file_name,
                   help=_("output file (a name without an ending gets the format's: "
                          ".csv, .xlsx); - writes it to standard output (XLSX only when "
                          "that is not a terminal)"))
    s.add_argument("--period", metavar="P", type=period_name, help=_("only this period"))


def cmd_data_export(args: argparse.Namespace) -> int:
    to_stdout = args.output == STDOUT
    if to_stdout:
        _check_stdout(args)
    else:
        args.output = check_output_name(args.format, args.output)  # -o t: t.csv
    period = period_of(args) if args.period else None
    with open_db(args) as rep:
        if to_stdout:
            content, result = table_bytes(rep, args.format, lang=lang_of(args),
                                          period=period)
        else:
            result = write_table(rep, args.format, args.output, lang=lang_of(args),
                                 period=period)
    if to_stdout:
        _write_stdout(content, args.format)
    else:
        output(args, {"path": args.output, "format": args.format, "rows": result.rows,
                      "hidden": result.hidden}, args.output)
    if result.hidden:  # on stderr: the path (or the table) stays all that stdout holds
        warn(hidden_note(result.hidden))
    return 0


def _check_stdout(args: argparse.Namespace) -> None:
    """``-o -``: the table is all that standard output holds; an XLSX file (binary) is
    never shown on a terminal."""
    from fieldplan.cli import _is_terminal

    if getattr(args, "json", False):
        raise UsageError(_("--json and -o - would both write to standard output: give "
                           "-o a file name"))
    if args.format == "xlsx" and _is_terminal(sys.stdout):
        raise UsageError(_("an XLSX file is not for a terminal: give -o a file name, or "
                           "send standard output to a file or a program"))


def _write_stdout(content: bytes, fmt: str) -> None:
    """The table's bytes on standard output, as they are (never marked for a
    right-to-left terminal: it is data)."""
    from fieldplan.cli import RightToLeftLines

    if fmt != "xlsx":
        # the byte-order mark is for spreadsheets opening a file; a program reading a
        # pipe (csvkit, Python's csv) would take it for part of the first header
        content = content.removeprefix(codecs.BOM_UTF8)
    stream = sys.stdout
    stream.flush()
    if isinstance(stream, RightToLeftLines):
        stream = stream.stream
    try:
        # (standard output closed before fieldplan started: no buffer to write to)
        buffer = getattr(stream, "buffer", None)
        if buffer is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        buffer.write(content)
        buffer.flush()
    except BrokenPipeError:
        raise  # (``| head``: no error)
    except OSError as exc:
        from fieldplan.files import os_error_reason

        # said of what was being written: "the disk is full" alone did not say that
        # the export was what could not be written, nor where it was going
        raise CommandError(_(
            "cannot write the export to standard output: {reason}").format(
                reason=os_error_reason(exc, writing=True))) from None
