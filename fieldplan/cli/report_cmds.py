"""Printable reports: ``report sheet`` and ``report review``."""

from __future__ import annotations

import argparse

from fieldplan.cli import add_common, output
from fieldplan.i18n import _

PAPERS = ("A4", "Letter")


def _paper(text: str) -> str:
    for paper in PAPERS:
        if paper.lower() == text.lower():
            return paper
    raise argparse.ArgumentTypeError(
        _("unknown paper '{value}': use A4 or Letter").format(value=text)
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help=_("print status sheets and the review pack (PDF)"),
        description=_("Write printable PDF reports, in the language given by --lang."),
    )
    add_common(p)
    rsub = p.add_subparsers(
        dest="report_command", metavar=_("SUBCOMMAND"), required=True, parser_class=type(p)
    )
    s = rsub.add_parser(
        "sheet",
        help=_("an office's status sheet for a period"),
        description=_("Write an office's status sheet for a period as PDF."),
    )
    s.add_argument("--period", required=True, metavar="P", help=_("period, e.g. 2026-S1"))
    s.add_argument("--office", metavar="O", help=_("office code (default: this office)"))
    _output_options(s)
    s.set_defaults(func=cmd_report_sheet)
    s = rsub.add_parser(
        "review",
        help=_("(HQ) the semester review pack for a period"),
        description=_("Write the headquarters semester review pack for a period as PDF."),
    )
    s.add_argument("--period", required=True, metavar="P", help=_("period, e.g. 2026-S1"))
    _output_options(s)
    s.set_defaults(func=cmd_report_review)


def _output_options(s: argparse.ArgumentParser) -> None:
    s.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help=_("PDF file to write"))
    s.add_argument(
        "--paper", type=_paper, default="A4", metavar="A4|Letter", help=_("paper size (default A4)")
    )
    add_common(s)


def cmd_report_sheet(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of, open_db
    from fieldplan.reports import build_status_sheet

    with open_db(args) as rep:
        path = build_status_sheet(
            rep, args.period, args.office, out=args.output, lang=lang_of(args), paper=args.paper
        )
    output(args, {"path": str(path)}, str(path))
    return 0


def cmd_report_review(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import lang_of, open_db
    from fieldplan.reports import build_review_pack

    with open_db(args) as rep:
        path = build_review_pack(
            rep, args.period, args.output, lang=lang_of(args), paper=args.paper
        )
    output(args, {"path": str(path)}, str(path))
    return 0
