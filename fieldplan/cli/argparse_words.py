"""argparse's own words, in fieldplan's catalogs.

argparse passes its headings and error messages through the module-level ``_`` and
``ngettext`` it imported from gettext; ``route_argparse()`` points both at
fieldplan.i18n. The messages below are argparse's msgids (Python 3.11), listed here so
that ``python -m fieldplan.catalogs extract`` finds them: they are %-style, filled by
argparse after translation, so a translation keeps every ``%s``, ``%r`` and
``%(name)s`` (the catalog check makes sure of it).
"""

from __future__ import annotations

from fieldplan.i18n import N_, ngettext

#: Headings, help texts and error messages argparse shows to people.
WORDS: tuple[str, ...] = (
    # Translators: the start of the usage line, followed by the command line
    # ("usage: fieldplan [-h] ..."); keep the space at the end.
    N_("usage: "),
    # Translators: headings of the help, after which argparse puts a colon (French:
    # end them with a no-break space)
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    # Translators: %(argument_name)s is an option such as --period; %(message)s the
    # problem with it.
    N_("argument %(argument_name)s: %(message)s"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("one of the arguments %s is required"),
    N_("not allowed with argument %s"),
    N_("unrecognized arguments: %s"),
    N_("ignored explicit argument %r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("unexpected option string: %s"),
    # Translators: %(type)s is a Python type name such as int; %(value)r what was typed.
    N_("invalid %(type)s value: %(value)r"),
    # Translators: %(value)r is what was typed, %(choices)s the accepted values.
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("can't open '%(filename)s': %(error)s"),
)


def _plural_words(n: int) -> tuple[str, ...]:
    """argparse's ngettext messages (never called: it marks them for extraction)."""
    return (ngettext("expected %s argument", "expected %s arguments", n),)


def route_argparse() -> None:
    """Make argparse translate through fieldplan's catalogs, in the current language."""
    import argparse

    from fieldplan import i18n

    argparse._ = i18n._  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
