"""The ``fieldplan`` command line: thin commands over the core.

Each command opens the database, calls one core function and prints. Errors from
the core become one line on stderr and exit status 1; usage errors exit 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from fieldplan import __version__
from fieldplan.errors import FieldplanError

#: Modules under fieldplan/cli/ that each add their commands with register(sub).
COMMAND_MODULES = ("core_cmds", "sync_cmds", "data_cmds", "report_cmds")

EXIT_ERROR = 1
EXIT_USAGE = 2


class CommandError(FieldplanError):
    """A command cannot go on; the message is shown as is."""


class UsageError(CommandError):
    """The command line is wrong in a way argparse cannot see (options that do not go
    together, a number out of range): shown with the usage line, exit status 2."""


def check_output_name(fmt: str, path: str) -> str:
    """The name to write an output file under: ``path``, with its format's ending added
    when it has none (``-o sheet`` writes sheet.pdf, as the client's Save dialogs do;
    ``files.with_ending``), the command printing the name written. One named as
    another kind of file (``-o sheet.csv`` for a PDF, ``--format csv -o x.xlsx``,
    ``plan export -o plan.pdf``): a usage error, before the database is opened.
    ``fmt``: as ``files.check_output_name``, or ``plan``."""
    from fieldplan import files
    from fieldplan.errors import PlanError, ValidationError
    from fieldplan.i18n import _
    from fieldplan.plan import plan_file_format

    if path == "-":
        # (data export's standard output; elsewhere a file named "-" was written in the
        # current folder, a PDF or bundle no one asked for by that name)
        raise UsageError(_("'-' names standard output, which only data export writes "
                           "to; give a file name"))
    path = files.with_ending(fmt, path)
    try:
        if fmt != "plan":
            files.check_output_name(fmt, path)
        elif not os.path.isdir(path):  # a folder: the writer says so (exit 1)
            plan_file_format(path)
    except (ValidationError, PlanError) as exc:
        raise UsageError(str(exc)) from None
    return path


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's, with an option's help never wrapped after a hyphen: a code such as
    RO-Nairobi stays whole on one line ("RO-" and "Nairobi" on two were read as two)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        import textwrap

        text = self._whitespace_matcher.sub(" ", text).strip()
        return textwrap.wrap(text, width, break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """argparse with fieldplan's one-line errors (exit 2) and translated headings."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        super().__init__(*args, **kwargs)

    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None
                         ) -> tuple[argparse.Namespace, list[str]]:
        # (what ``error`` looks at: a command's parser is given the rest of the line)
        self._given = list(sys.argv[1:] if args is None else args)
        return super().parse_known_args(args, namespace)

    def _value_lacking_was_dashed(self, option: str) -> bool:
        """Whether ``option`` (``--note``), whose value is missing, was followed by a
        word starting with "-" (a value taken for an option); False when it ended the
        line: no value was given at all."""
        given = getattr(self, "_given", [])
        at = [i for i, word in enumerate(given)
              if len(word) > 2 and option.startswith(word.partition("=")[0])]
        return not at or (at[-1] + 1 < len(given) and given[at[-1] + 1].startswith("-"))

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        # argparse's own, with the choices listed as the language lists ("'en'، 'fr'،
        # 'ar'" in Arabic, where argparse's ", " put Latin commas in an Arabic line)
        if action.choices is not None and value not in action.choices:
            from fieldplan.i18n import _, join_list

            raise argparse.ArgumentError(action, _(
                "invalid choice: %(value)r (choose from %(choices)s)") % {
                    "value": value, "choices": join_list(map(repr, action.choices))})

    @staticmethod
    def _listed(message: str) -> str:
        """argparse's "the following arguments are required: ACTION, --period" with
        the arguments listed as the language lists them (argparse joins them with
        ", ": Latin commas in an Arabic line)."""
        from fieldplan.i18n import _, join_list

        head, _s, tail = _("the following arguments are required: %s").partition("%s")
        if not (message.startswith(head) and message.endswith(tail)) or not _s:
            return message
        names = message[len(head):len(message) - len(tail)].split(", ")
        return head + join_list(names) + tail

    def _print_message(self, message: str, file: Any = None) -> None:
        """argparse's, without passing over a write that fails: ``fieldplan --help >
        /dev/full`` (or ``--version``) exited 0 with nothing written. Standard output
        that cannot be written is said in one line, exit 1, as a command's output is;
        a reader gone away (``--help | head``) is no error."""
        if not message or sys.stderr is None:
            return  # (no stderr: pythonw, where nothing can be said)
        # (argparse passes None for standard output when it is closed: ``>&-``, where
        # the help went to stderr, exit 0)
        file = file or _ClosedOutput()
        try:
            file.write(message)
            if file is not sys.stderr:
                file.flush()
        except BrokenPipeError:
            with contextlib.suppress(OSError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), file.fileno())
        except OSError as exc:
            if file is sys.stderr:
                return  # (stderr, where the one line would go, fails too)
            fail_line(_output_failed(exc))
            self.exit(EXIT_ERROR)

    def error(self, message: str) -> None:  # type: ignore[override]
        from fieldplan.i18n import _

        # argparse calls this inside its "except ArgumentError": a value that starts
        # with "-" ("--next-steps '-2 trainings'") is taken for an option, and its
        # option then lacks its value; the "=" form passes it as it is
        exc = sys.exc_info()[1]
        name = getattr(exc, "argument_name", None) or ""
        message = self._listed(message)
        option = name.split("/")[-1]
        if (isinstance(exc, argparse.ArgumentError) and name.startswith("--")
                and exc.message == _("expected one argument")
                and self._value_lacking_was_dashed(option)):
            message = _("{error} (a value that starts with \"-\" is written "
                        "{option}=VALUE)").format(error=message, option=option)
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, _("{prog}: usage error: {message}\n").format(
            prog=self.prog, message=message))


def _translate_argparse() -> None:
    """argparse's own words ('usage:', 'options', ...) through our catalogs."""
    from fieldplan.cli.argparse_words import route_argparse

    route_argparse()


def output(args: argparse.Namespace, data: Any, human: Callable[[], None] | str) -> None:
    """Print ``data`` as JSON with ``--json``, else the human form."""
    if getattr(args, "json", False):
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
        sys.stdout.write("\n")
    elif callable(human):
        human()
    else:
        print(human)


def print_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> None:
    """A plain aligned text table. Cells are shown on one line, with any control
    character escaped: user text never drives the terminal. Columns are as wide as
    their cells show (``display_width``): an Arabic word's vowel marks, and the marks
    that keep a code left to right, take no cell."""
    from fieldplan.text import display_width, for_terminal

    rows = [[for_terminal(str(cell)) for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell + " " * (width - display_width(cell))
                         for cell, width in zip(cells, widths, strict=True)).rstrip()

    print(line(headers))
    for row in rows:
        print(line(row))


#: The spellings of --lang argparse takes: the whole name and its abbreviations.
_LANG_OPTIONS = ("--l", "--la", "--lan", "--lang")


def _pre_lang(argv: Sequence[str]) -> str | None:
    """The language --lang names, read before the parser is built (its help is in that
    language), as argparse will read it: the last one given wins, and an abbreviation
    (``--lan ar``) counts. Messages and reports were in two languages otherwise."""
    lang = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        name, equals, value = arg.partition("=")
        if name not in _LANG_OPTIONS:
            continue
        if equals:
            lang = value
        elif i + 1 < len(argv):
            lang = argv[i + 1]
    return lang


def add_common(parser: argparse.ArgumentParser, *, top: bool = False,
               db: bool = True) -> None:
    """--db, --lang and --json, accepted before or after the command. ``db``: False for
    a command that takes no database (demo writes its own), whose --db is still read,
    for the command to refuse it in words, but neither listed in its help nor in its
    usage line (offered there, and refused)."""
    from fieldplan.i18n import LANGUAGES, _

    default = None if top else argparse.SUPPRESS
    # Translators: a heading of the help, after which argparse puts a colon (French:
    # end it with a no-break space)
    group = parser if top else parser.add_argument_group(_("common options"))
    group.add_argument("--db", metavar="PATH", default=default, type=_db_path,
                       help=_("database file (default: FIELDPLAN_DB, else the user data "
                              "folder)") if db else argparse.SUPPRESS)
    group.add_argument("--lang", choices=LANGUAGES, default=default, type=choice_word,
                       help=_("language of messages and reports (en, fr, ar; default: "
                              "FIELDPLAN_LANG, else the system's language)"))
    group.add_argument("--json", action="store_true", default=False if top else
                       argparse.SUPPRESS, help=_("machine-readable output"))


def choice_word(text: str) -> str:
    """argparse type of an option's word from a list of choices, in any case ("CSV" is
    csv, "On-Track" on-track, --lang's "FR" fr, as FIELDPLAN_LANG is read), as codes
    and --paper are read; argparse's choices
    then refuse what is none of them."""
    return text.strip().lower()


def _db_path(text: str) -> str:
    from fieldplan.i18n import _

    if not text.strip():
        raise argparse.ArgumentTypeError(_("give a database file name, not an empty one"))
    from fieldplan.files import names_a_folder

    if names_a_folder(text):
        # a folder's name (the path given to the core loses its last separator)
        from fieldplan.store import not_a_file_error

        refused = not_a_file_error(text)
        if refused is not None:
            raise argparse.ArgumentTypeError(str(refused))
    return text


# An empty value (``--office ""``, a variable not set in a script) is a usage error,
# never the option left out: that would widen the command (every office) or pick a
# default (the current folder, the plan template) the person did not ask for.


def file_name(text: str) -> str:
    """argparse type of an argument naming a file: not empty, else exit 2."""
    from fieldplan.i18n import _

    return _not_empty(text, _("give a file name, not an empty one"))


def folder_name(text: str) -> str:
    """argparse type of an argument naming a folder: not empty, else exit 2."""
    from fieldplan.i18n import _

    return _not_empty(text, _("give a folder name, not an empty one"))


def code_text(text: str) -> str:
    """argparse type of an office, area or action code: not empty, else exit 2."""
    from fieldplan.i18n import _

    return _not_empty(text, _("give a code, not an empty one"))


def period_name(text: str) -> str:
    """argparse type of a period: not empty, else exit 2 (``period_of`` reads it); its
    Arabic-Indic digits in ASCII, as a number's (period ids take ASCII digits only:
    "٢٠٢٦-S1" typed is 2026-S1)."""
    from fieldplan.i18n import _
    from fieldplan.numbers import ascii_number

    return ascii_number(_not_empty(text, _("give a period, e.g. 2026-S1, not an empty one")))


def whole_number(text: str) -> int:
    """argparse type of a count or a seed (``demo --offices N``): a whole number, in
    ASCII or Arabic-Indic digits, else exit 2 saying so in words, as ``--percent``
    does (argparse's own "invalid int value" named a Python type to a person)."""
    import re

    from fieldplan.i18n import _
    from fieldplan.numbers import ascii_number

    plain = ascii_number(text)
    if not re.fullmatch(r"[+-]?[0-9]+", plain):
        raise argparse.ArgumentTypeError(
            _("'{value}' is not a whole number").format(value=text))
    try:
        return int(plain)
    except ValueError:
        # past Python's limit on the digits it reads (4,300): argparse said "invalid
        # whole_number value", this function's name, with every digit echoed
        raise argparse.ArgumentTypeError(_("a number has thousands of digits")) from None


def identifier(text: str) -> str:
    """argparse type of a key id, fingerprint or conflict id: not empty, else exit 2."""
    from fieldplan.i18n import _

    return _not_empty(text, _("give a value, not an empty one"))


def _not_empty(text: str, message: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(message)
    return text  # as given: each command reads it its own way (" 2026-s1 " is a period)


#: The metavars of arguments that name files or folders: what they name need not be
#: UTF-8 (a USB stick or a mail attachment written in Latin-1) and is opened as given.
PATH_METAVARS = frozenset({"PATH", "FILE", "FILE.fieldplan", "SETUP.fieldplan", "BACKUP",
                           "DIR", "FILE.pdf"})


def _undecodable_argument(args: argparse.Namespace,
                          parsers: Sequence[argparse.ArgumentParser]) -> str | None:
    """The name (``--note``, ``FILE``) of the first argument that is not valid UTF-8,
    or None when all are. Python keeps such bytes as lone surrogates, which can be
    neither stored nor printed."""
    for parser in parsers:
        for action in parser._actions:
            if action.metavar in PATH_METAVARS:
                continue  # a file name from a Latin-1 USB stick opens as it is
            value = getattr(args, action.dest, None)
            values = value if isinstance(value, list | tuple) else [value]
            for item in values:
                if isinstance(item, tuple):  # --value KEY=NUM
                    item = item[0]
                if not isinstance(item, str):
                    continue
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError:
                    if action.option_strings:
                        return max(action.option_strings, key=len)
                    return str(action.metavar or action.dest)
    return None


def command(sub: argparse._SubParsersAction, name: str, help: str,
            description: str | None = None,
            func: Callable[[argparse.Namespace], int] | None = None,
            db: bool = True, **defaults: Any) -> argparse.ArgumentParser:
    """A command's (or subcommand's) parser, with the common options; ``func`` runs it
    (a command made of subcommands has none). ``db``: as ``add_common``'s."""
    parser = sub.add_parser(name, help=help, description=description or help)
    add_common(parser, db=db)
    if func is not None:
        parser.set_defaults(func=func, cli_parser=parser, **defaults)
    return parser


def subcommands(parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction:
    """The required subcommands of a command (``progress set``, ``keys trust``…)."""
    from fieldplan.i18n import _

    return parser.add_subparsers(dest=dest, metavar=_("SUBCOMMAND"), required=True,
                                 parser_class=type(parser))


def build_parser() -> Parser:
    import importlib

    from fieldplan.i18n import _

    parser = Parser(
        prog="fieldplan",
        description=_("Track the IOM–OIC Plan of Action 2025–2027 offline: record "
                      "progress, exchange signed bundles, print reports."),
    )
    parser.add_argument("--version", action="version", version=f"fieldplan {__version__}",
                        help=_("show program's version number and exit"))
    add_common(parser, top=True)
    # (`gui` is also what runs with no command: `fieldplan --demo` is `gui --demo`)
    parser.add_argument("--demo", dest="default_demo", action="store_true",
                        help=_("with no command: open the desktop client on a demo "
                               "database, as 'gui --demo'"))
    sub = parser.add_subparsers(dest="command", metavar=_("COMMAND"), parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(f"fieldplan.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C while starting (parsing, importing the commands): nothing done yet
        from fieldplan import i18n

        stopped_line(i18n._("interrupted"))
        return 130


class _OutputFailed(Exception):
    """A write to standard output failed (``> log.txt`` on a full disk), raised from
    the OSError: the command's own files are not the ones that failed."""


class _ClosedOutput:
    """Standard output when it was closed before fieldplan started (``>&-``; Python
    makes sys.stdout None): a write to it fails as one to a closed file does, said as
    the output failing, not as an internal error naming NoneType."""

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, os.strerror(errno.EBADF))

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def _output_failed(exc: OSError) -> str:
    """The line for standard output that could not be written."""
    from fieldplan import i18n
    from fieldplan.files import os_error_reason

    # Translators: {reason} says why, e.g. "the disk is full; make room or choose
    # another disk": what the command printed could not be written where it was
    # sent (fieldplan import … > log.txt); what it did is not undone
    return i18n._("cannot write the command's output: {reason}").format(
        reason=os_error_reason(exc, writing=True))


class _Output:
    """sys.stdout while a command runs. A write to it that fails was said as the
    reason alone ("the disk is full; …") after the command had done its work (an
    import merged, a bundle written), read as the command failing: it is said as the
    output failing (``_OutputFailed``), once the command has done all its work (the
    first failed write ended ``export --all-offices`` there, the other offices left
    without a bundle); what it prints after goes nowhere. A reader gone away (``|
    head -1``) is no error, and no reason to stop either: what is written after it
    goes nowhere (``_reader_gone``), and the command goes on to its end and its own
    exit status (the BrokenPipeError stopped ``export --all-offices`` after the first
    bundles, exit 0, and made an import with a rejected file exit 0). ``errors``: the
    stream is sys.stderr (``2>&1 | head -1``), whose other failures are not the
    output's."""

    def __init__(self, stream: TextIO, *, errors: bool = False) -> None:
        self.stream = stream
        self.errors = errors
        self.gone = False
        #: the first write that failed other than by the reader going (stdout only)
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        if self.gone or self.failed:
            return len(text)
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._reader_gone()
        except OSError as exc:
            if self.errors:
                raise
            self.failed = exc
        return len(text)

    def flush(self) -> None:
        if self.gone or self.failed:
            return
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._reader_gone()
        except OSError as exc:
            if self.errors:
                raise
            self.failed = exc

    def _reader_gone(self) -> None:
        """The stream's file sent to the null device: what it still holds, flushed
        at exit, goes there too, not into a second BrokenPipeError."""
        self.gone = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def _output() -> Iterator[None]:
    """``_Output`` as sys.stdout when it goes to a file or a pipe (a terminal keeps
    ``RightToLeftLines``), flushed before the command's end (a failure then is said
    as the output's too, not left to the interpreter's exit)."""
    before = sys.stdout
    wrapped = None if _is_terminal(before) else _Output(before or _ClosedOutput())
    sys.stdout = wrapped or before  # type: ignore[assignment]
    try:
        yield
        sys.stdout.flush()
        if wrapped is not None and wrapped.failed is not None:
            raise _OutputFailed from wrapped.failed
    finally:
        sys.stdout = before


@contextlib.contextmanager
def _errors_kept() -> Iterator[None]:
    """sys.stderr as ``_Output`` when it goes to a pipe or a file, from the start of a
    run to its end (argparse's usage, the error line of a command that failed): with
    ``2>&1 | head -1``, the reader gone at a warning ("other files in the folder were
    left aside") stopped an import before it began, exit 0."""
    before = sys.stderr
    if before is not None and not _is_terminal(before):
        sys.stderr = _Output(before, errors=True)  # type: ignore[assignment]
    try:
        yield
    finally:
        sys.stderr = before


class RightToLeftLines(io.TextIOBase):
    """A terminal stream for a right-to-left language: each line written is shown with
    its Latin runs kept left to right (``fieldplan.text.for_rtl_terminal``), whoever
    writes it: the commands, ``fail_line``, argparse's help, usage and errors. Lines
    are marked whole (``print`` writes its pieces one by one); a flush writes what is
    there. ``plain`` passes text through as it is: JSON is data, not a sentence."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.plain = False
        self._line = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        from fieldplan.text import for_rtl_terminal

        if self.plain:
            return self.stream.write(text)
        *lines, self._line = (self._line + text).split("\n")
        for line in lines:
            self.stream.write(for_rtl_terminal(line) + "\n")
        return len(text)

    def flush(self) -> None:
        from fieldplan.text import for_rtl_terminal

        if self._line:
            line, self._line = self._line, ""
            self.stream.write(for_rtl_terminal(line))
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self.stream.encoding


def _is_terminal(stream: TextIO) -> bool:
    """Whether ``stream`` goes to a terminal (not a file or a pipe)."""
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _terminal_lines(rtl: bool) -> Iterator[RightToLeftLines | None]:
    """sys.stdout and sys.stderr, those that go to a terminal, as ``RightToLeftLines``
    while a right-to-left command runs (``rtl``); restored, and what is left written,
    when it ends. Output sent to a file or a pipe is left as it is: the marks are for
    the eye, and a script reading a path, a digest or a minisign key gets it bare."""
    if not rtl:
        yield None
        return
    before = sys.stdout, sys.stderr
    out = RightToLeftLines(sys.stdout) if _is_terminal(sys.stdout) else None
    err = RightToLeftLines(sys.stderr) if _is_terminal(sys.stderr) else None
    sys.stdout, sys.stderr = out or sys.stdout, err or sys.stderr
    try:
        yield out
    finally:
        sys.stdout, sys.stderr = before
        for stream in (out, err):
            if stream is not None:
                with contextlib.suppress(OSError, ValueError):
                    stream.flush()


def _set_output_encoding() -> None:
    """Output sent to a file or a pipe is UTF-8 on every system: Windows would write
    it in the ANSI code page (cp1252), where Arabic is "?" (UTF-8 is what Linux and
    macOS write there already, and what ``data export -o -`` writes). A terminal (a
    Windows console) keeps its own encoding, and so does one PYTHONIOENCODING names. A
    file name that is not UTF-8 (FILE arguments may be: PATH_METAVARS) is printed with
    U+FFFD where its odd bytes are, not refused with a traceback."""
    chosen = bool(os.environ.get("PYTHONIOENCODING"))
    for stream, errors in ((sys.stdout, "replace"), (sys.stderr, None)):
        with contextlib.suppress(AttributeError, ValueError, LookupError):
            errors = errors or stream.errors  # (stderr: backslashreplace, as it was)
            if chosen or _is_terminal(stream):
                stream.reconfigure(errors=errors)  # type: ignore[union-attr]
            else:
                stream.reconfigure(encoding="utf-8", errors=errors)  # type: ignore[union-attr]


def _main(argv: Sequence[str] | None) -> int:
    from fieldplan import i18n

    _set_output_encoding()
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _pre_lang(argv)
    unknown = None
    if lang is not None:
        lang = choice_word(lang)
    if lang not in (*i18n.LANGUAGES, i18n.PSEUDO_LANGUAGE):
        # none given, or one argparse refuses ("--lang de"): its usage error is said
        # in the language FIELDPLAN_LANG or the system names, not always in English
        given = lang
        lang, unknown = _env_language(os.environ.get("FIELDPLAN_LANG", ""))
        if given is not None:
            unknown = None  # (the usage error says what is wrong)
    if lang in i18n.LANGUAGES or lang == i18n.PSEUDO_LANGUAGE:
        i18n.set_language(lang)
    with _errors_kept(), _terminal_lines(i18n.is_rtl(i18n.get_language())) as out:
        if unknown is not None:
            # (in the language used instead, which it names)
            from fieldplan.text import for_message

            # Translators: {value} is what the variable holds ("de"); {languages}
            # "en, fr, ar"; {language} the name of the language used, in itself
            # ("English", "Français", "العربية")
            warn(i18n._("FIELDPLAN_LANG is '{value}', a language fieldplan does not know "
                        "({languages}): {language} is used instead")
                 .format(value=for_message(unknown), languages=i18n.join_list(i18n.LANGUAGES),
                         language=i18n.LANGUAGE_NAMES[i18n.get_language()]))
        return _run(argv, out)


def _env_language(value: str) -> tuple[str, str | None]:
    """The language FIELDPLAN_LANG asks for, in any case ("FR", "fr_FR.UTF-8" → "fr"),
    else the system's (``i18n.detect_language``); and the value when it names no
    language fieldplan knows ("de"), to be said (it was English without a word)."""
    from fieldplan import i18n

    wanted = value.strip()
    # (a locale name too, as LANG gives one: the client reads it the same way)
    code = i18n.env_language({"FIELDPLAN_LANG": wanted})
    if code is None:
        return i18n.detect_language(), wanted or None
    return code, None


def _files_for_gui(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """``argv`` with ``gui`` put before its first argument that is no option, when that
    names a bundle (``*.fieldplan``, ``*.zip``, a ZIP file) rather than a command: a
    bundle dropped on fieldplan.exe, or opened with it by Windows' "Open with", or by a
    file manager's own command line (Thunar, Caja), starts ``fieldplan FILE``, which
    was refused as an invalid command. A command's name is always the command."""
    takes_value = {name: action.nargs is None
                   for name, action in parser._option_string_actions.items()}
    commands = next(a.choices for a in parser._actions
                    if isinstance(a, argparse._SubParsersAction))
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--" or not arg.startswith("-") or arg == "-":
            break
        name = arg.partition("=")[0]
        # (an abbreviation, as argparse takes it: --la ar)
        matches = [n for n in takes_value if n.startswith(name) and n.startswith("--")]
        needs = takes_value.get(name, len(matches) == 1 and takes_value[matches[0]])
        i += 2 if needs and "=" not in arg else 1
    if i >= len(argv) or argv[i] == "--" or argv[i] in commands:
        return argv
    given = argv[i]
    from fieldplan.transit import FOLDER_BUNDLE_ENDINGS

    if given.lower().endswith(FOLDER_BUNDLE_ENDINGS) or _zip_file(given):
        return [*argv[:i], "gui", *argv[i:]]
    return argv


def _zip_file(path: str) -> bool:
    """Whether ``path`` is a file that begins as a ZIP archive does (a bundle renamed
    by a mail program): another file (``fieldplan plan.csv``, a command mistyped as a
    file's name) stays the usage error it is, not a client opened to refuse it."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _run(argv: list[str], out: RightToLeftLines | None) -> int:
    from fieldplan import i18n

    _translate_argparse()
    parser = build_parser()
    argv = _files_for_gui(parser, argv)
    args, extras = parser.parse_known_args(argv)
    if extras:
        # said by the command's own parser, with its usage ("fieldplan status: usage
        # error: …"), as its other usage errors are: the top one's usage lists only
        # the commands, not what the command takes
        getattr(args, "cli_parser", parser).error(
            i18n._("unrecognized arguments: %s") % " ".join(extras))
    if out is not None and getattr(args, "json", False):
        out.plain = True  # the JSON on stdout; errors on stderr are still sentences
    sub = getattr(args, "cli_parser", parser)
    bad = _undecodable_argument(args, (sub, parser))
    if bad is not None:
        # argparse's own form ("argument --note: ..."), with its translation
        sub.error(i18n._("argument %(argument_name)s: %(message)s") % {
            "argument_name": bad,
            "message": i18n._("not valid UTF-8 text; check the terminal's character "
                              "encoding")})
    if not args.command:
        args.command = "gui"
        args.func = _gui_default
        args.demo = args.default_demo
    elif args.default_demo:
        if args.command != "gui":
            parser.error(i18n._("--demo opens the desktop client on a demo database: give it "
                                "with no command, or after 'gui', not with '{command}'")
                         .format(command=args.command))
        args.demo = True
    try:
        with _output():
            code = int(args.func(args) or 0)
        return code
    except UsageError as exc:
        sub.error(str(exc))
    except FieldplanError as exc:
        # a damaged database's error says the next step itself (store.damaged_error)
        fail_line(cli_words(exc))
    except BrokenPipeError:
        # the reader went away (`fieldplan progress list | head`): not an error
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        stopped_line(i18n._("interrupted"))
        return 130
    except _OutputFailed as exc:
        fail_line(_output_failed(exc.__cause__))
    except OSError as exc:
        fail_line(_os_error_message(exc))
    except Exception as exc:  # a bug: still one line, details on request
        import sqlite3

        from fieldplan import store
        from fieldplan.text import unexpected_error

        if isinstance(exc, (sqlite3.Error, ValueError)):
            # a damaged page read after the database opened, or an error the damage
            # caused that SQLite does not call damage (a text that is not UTF-8, a
            # stored value that is no longer JSON)
            try:
                path = store.resolve_db_path(getattr(args, "db", None))
            except FieldplanError:  # (FIELDPLAN_DB a folder's name: none was opened)
                path = None
            damaged = exc if path is None else store.as_damage(path, exc)
            if damaged is not exc:
                fail_line(str(damaged))
                return EXIT_ERROR
        if os.environ.get("FIELDPLAN_DEBUG"):
            raise
        fail_line(i18n._("internal error: {error} (set FIELDPLAN_DEBUG=1 for details)").format(
            error=unexpected_error(exc)))
    return EXIT_ERROR


def _os_error_message(exc: OSError) -> str:
    """An OSError no core function turned into a FileError: its reason in words and
    the file the person named (never a temporary ``.name.part`` beside it)."""
    import re

    from fieldplan.files import os_error_reason
    from fieldplan.i18n import _, ltr

    reason = os_error_reason(exc, writing=isinstance(exc.filename, str)
                             and exc.filename.endswith(".part"))
    if exc.filename is None:
        return reason
    name = os.fspath(exc.filename)
    if isinstance(name, bytes):
        name = os.fsdecode(name)
    folder, base = os.path.split(name)
    temp = re.fullmatch(r"\.?(.+?)(?:\.[0-9a-f]{8})?\.part", base)
    if temp:
        name = os.path.join(folder, temp.group(1))
    # Translators: {file} is a file or folder, {reason} why it cannot be used
    # ("the disk is full").
    return _("{file}: {reason}").format(file=ltr(name), reason=reason)


def _one_line(message: str) -> str:
    """``message`` as one line of a terminal: a line break (a file or folder name may
    hold one) joins the line, not cut it short; what a file gave (a bundle's kind, an
    office code) never drives the terminal (``for_terminal``)."""
    from fieldplan.text import for_terminal

    return for_terminal(" ".join(part.strip() for part in message.strip().splitlines()))


def warn(message: str) -> None:
    """One line on stderr for what went wrong beside a command that succeeded."""
    from fieldplan.i18n import _

    sys.stderr.write(_("fieldplan: warning: {message}").format(
        message=_one_line(message)) + "\n")


def stopped_line(message: str) -> None:
    """One "fieldplan: …" line on stderr for a command stopped by Ctrl-C ("fieldplan:
    interrupted"), written as the language writes it (French: "fieldplan : interrompu",
    as its error and warning lines are)."""
    from fieldplan.i18n import _
    from fieldplan.text import for_terminal

    # Translators: the start of a line on the terminal when a command is stopped by
    # Ctrl-C, as "fieldplan: error: {message}" is for an error ("fieldplan:
    # interrupted"); French puts a no-break space before the colon
    sys.stderr.write(_("fieldplan: {message}").format(message=for_terminal(message))
                     + "\n")


def reopen_command(action: str, period: str) -> str:
    """The command that reopens a submitted report: what to type, said where the
    command line refuses a change to it."""
    return f"fieldplan progress reopen {action} --period {period}"


def cli_words(exc: FieldplanError) -> str:
    """An error's message as the command line says it: a submitted report's refusal
    names the command that reopens it, where the client has a Reopen button beside
    its words."""
    from fieldplan.progress import SubmittedReportError, submitted_text

    if isinstance(exc, SubmittedReportError):
        return submitted_text(exc.action, exc.period, reopen_command(exc.action, exc.period))
    return str(exc)


def fail_line(message: str) -> None:
    """One "fieldplan: error: …" line on stderr: the error that ends a command, or
    what failed in one that goes on (one office of many)."""
    from fieldplan.i18n import _

    line = _one_line(message) or _("failed")
    sys.stderr.write(_("fieldplan: error: {message}").format(message=line) + "\n")


def _gui_default(args: argparse.Namespace) -> int:
    from fieldplan.cli.core_cmds import cmd_gui

    return cmd_gui(args)
