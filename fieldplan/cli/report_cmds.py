"""Printable reports: ``report sheet`` and ``report review``."""

from __future__ import annotations

import argparse
from datetime import date

from fieldplan.cli import (
    check_output_name,
    code_text,
    command,
    file_name,
    output,
    period_name,
    subcommands,
    warn,
)
from fieldplan.i18n import _, counted

PAPERS = ("A4", "Letter")


def _paper(text: str) -> str:
    for paper in PAPERS:
        if paper.lower() == text.lower():
            return paper
    raise argparse.ArgumentTypeError(
        _("unknown paper '{value}': use A4 or Letter").format(value=text)
    )


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-07-31").format(
                value=text)) from None


def register(sub: argparse._SubParsersAction) -> None:
    p = command(sub, "report", _("print status sheets and the review pack (PDF)"),
                _("Write printable PDF reports, in the language given by --lang."))
    rsub = subcommands(p, "report_command")
    s = command(rsub, "sheet", _("an office's status sheet for a period"),
                _("Write an office's status sheet for a period as PDF."), func=cmd_report_sheet)
    s.add_argument("--period", required=True, metavar="P", type=period_name,
                   help=_("period, e.g. 2026-S1"))
    s.add_argument("--office", metavar="O", type=code_text,
                   help=_("office code (default: this office)"))
    _output_options(s)
    s = command(rsub, "review", _("(HQ) the semester review pack for a period"),
                _("Write the headquarters semester review pack for a period as PDF."),
                func=cmd_report_review)
    s.add_argument("--period", required=True, metavar="P", type=period_name,
                   help=_("period, e.g. 2026-S1"))
    s.add_argument("--deadline", type=_day, metavar="YYYY-MM-DD",
                   help=_("the day the period's reports were due: data received later is "
                          "listed as late. Kept for the period in this database, as the "
                          "client's review pack dialog keeps it (default: the day last "
                          "kept, else 30 days after the period ends)"))
    _output_options(s)


def _output_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("-o", "--output", required=True, metavar="FILE.pdf", type=file_name,
                   help=_("PDF file to write (a name without an ending gets .pdf)"))
    s.add_argument("--paper", type=_paper, default="A4", metavar="A4|Letter",
                   help=_("paper size (default A4)"))


def cmd_report_sheet(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of, open_db, period_of
    from fieldplan.reports import build_status_sheet

    args.output = check_output_name("pdf", args.output)  # -o sheet: sheet.pdf
    args.period = period_of(args)  # no period at all: a usage error
    with open_db(args) as rep:
        # an office computer asked for another office's sheet: OtherOfficeError, exit 1
        # as for the other things only headquarters does (the command line is right)
        path = build_status_sheet(
            rep, args.period, args.office, out=args.output, lang=lang_of(args),
            paper=args.paper
        )
        hidden = _hidden(rep, args.period, args.office or rep.office)
    output(args, {"path": str(path), "hidden": hidden}, str(path))
    _warn_hidden(hidden)
    return 0


def cmd_report_review(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of, open_db, period_of
    from fieldplan.reports import build_review_pack

    args.output = check_output_name("pdf", args.output)  # -o sheet: sheet.pdf
    args.period = period_of(args)
    with open_db(args) as rep:
        path = build_review_pack(
            rep, args.period, args.output, lang=lang_of(args), paper=args.paper,
            deadline=args.deadline
        )
        not_kept = None
        if args.deadline is not None:
            # the period's deadline from now on, as the client's dialog keeps the day
            # it printed with: the next pack, from here or the client, and the client's
            # "Sent late" list the offices this one did (once it is written: a pack
            # refused changes nothing)
            from fieldplan.errors import StoreError
            from fieldplan.reports.deadlines import set_deadline

            try:
                set_deadline(rep, args.period, args.deadline)
            except StoreError as exc:
                # (a read-only stick, a full disk) the pack is written, with that day:
                # failing here said "nothing was changed" of a pack made
                not_kept = exc
        from fieldplan.reports.deadlines import period_deadline

        # (the day the pack was printed with, also when the database could not keep it)
        deadline = args.deadline or period_deadline(rep, args.period)
        hidden = _hidden(rep, args.period)
    output(args, {"path": str(path), "hidden": hidden, "deadline": deadline.isoformat()},
           str(path))
    if not_kept is not None:
        from fieldplan.i18n import format_date

        # Translators: {date} is the deadline given with --deadline, {error} why the
        # database could not keep it
        warn(_("the review pack is written, but its deadline ({date}) could not be kept "
               "in the database: {error}").format(date=format_date(args.deadline),
                                                  error=not_kept))
    _warn_hidden(hidden)
    return 0


def _hidden(rep, period: str, office: str | None = None) -> int:
    """The reports of the period (and office) the PDF left out, the plan hiding them."""
    from fieldplan.offices import check_office
    from fieldplan.periods import parse_period
    from fieldplan.planops import hidden_reports

    return hidden_reports(rep, period=str(parse_period(period)),
                          office=check_office(office) if office else None)


def _warn_hidden(count: int) -> None:
    """On stderr, as ``data export`` does: the path stays the only line a script reads."""
    if count:
        # Translators: plan_hidden is the name of a column of the data export: keep it.
        warn(counted(
            "{count} report the current plan hides is not in the PDF; 'fieldplan data "
            "export' lists it, marked in the column plan_hidden",
            "{count} reports the current plan hides are not in the PDF; 'fieldplan data "
            "export' lists them, marked in the column plan_hidden", count))
