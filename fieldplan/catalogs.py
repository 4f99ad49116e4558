"""Maintain the translation catalogs: ``python -m fieldplan.catalogs extract|update|check``.

The developer loop, from the top of a checkout:

1. Mark text in ``fieldplan/`` or ``ui/`` with ``_()``, ``N_()``, ``ngettext()``,
   ``counted()``, ``pgettext()``, ``npgettext()`` or ``pcounted()`` from
   ``fieldplan.i18n``, with ``{name}`` placeholders filled by ``.format()`` after
   translation. A ``# Translators:`` comment just above helps. A count phrase held by
   a larger sentence ("they hold {events}") gets its own message with a context
   (``pcounted``) when a language declines it there (Arabic's accusative).
2. ``python -m fieldplan.catalogs extract`` rewrites ``resources/locale/fieldplan.pot``
   from the source (sorted, file names without line numbers, no dates: small diffs).
3. ``python -m fieldplan.catalogs update`` merges the template into the French and
   Arabic ``.po`` files, keeping every translation; a message whose wording changed
   comes back as fuzzy with the old translation as a suggestion.
4. Translate the new (empty) and fuzzy entries in ``resources/locale/{fr,ar}/
   LC_MESSAGES/fieldplan.po`` with any PO editor or by hand (delete the ``fuzzy``
   flag once checked), following the glossary at the top of each file. French has
   three plural forms (``msgstr[0]`` for 0 and 1, ``[1]`` for millions, ``[2]`` the
   ordinary plural); Arabic six (zero, one, two, 3-10, 11-99, 100 and up). Arabic's
   forms for one and two say the number in words, with no figure ("تقرير واحد",
   "تقريران"): they leave out the placeholder holding the count (read from the call in
   the source, fieldplan/catalog_counts.py: in "{n} of {total} actions" it is {total})
   and keep every other.
5. ``python -m fieldplan.catalogs check`` exits 1 listing what is left: messages not
   extracted, untranslated or fuzzy ones, ``{placeholders}`` that differ from the
   English, wrong numbers of plural forms, a count written as a figure in a form for
   one number. The tests run the same check.

Messages are ``{name}`` format strings, except argparse's own (fieldplan/cli/
argparse_words.py), which argparse fills with ``%``: for those (babel flags them
``python-format``) the check compares the ``%s`` / ``%r`` / ``%(name)s`` conversions
instead, in order for the unnamed ones, and every plural form must keep them all.

Nothing is compiled by hand: ``fieldplan.i18n`` compiles each ``.po`` on first use.
"""

from __future__ import annotations

import argparse
import functools
import gettext
import io
import re
import string
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po, unescape, write_po

from fieldplan import __version__
from fieldplan.catalog_counts import count_fields
from fieldplan.i18n import DOMAIN, LANGUAGES, locale_dir

#: Languages with a catalog to translate (English is the source).
TRANSLATED: tuple[str, ...] = tuple(lang for lang in LANGUAGES if lang != "en")

_TEMPLATE_HEADER = """\
# Translations template for fieldplan. Do not edit: regenerate it with
#   python -m fieldplan.catalogs extract
# then merge it into the catalogs with `python -m fieldplan.catalogs update`.
# This file is distributed under the same license as the fieldplan package.
#"""

# Header lines that change on every run or with the tools, not with the messages.
_VOLATILE_HEADER = re.compile(rb'^"(POT-Creation-Date|PO-Revision-Date|Generated-By): .*"\n', re.M)


def source_root() -> Path:
    """The directory holding fieldplan/ and ui/ (the checkout)."""
    return Path(__file__).resolve().parent.parent


def template_path() -> Path:
    return locale_dir() / f"{DOMAIN}.pot"


def catalog_path(lang: str) -> Path:
    return locale_dir() / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _key(message: Message) -> tuple[str, str | None]:
    return (message.id if isinstance(message.id, str) else message.id[0], message.context)


def _messages(catalog: Catalog) -> Iterable[Message]:
    return (m for m in catalog if m.id)


def extract(root: Path | None = None) -> Catalog:
    """The template catalog extracted from the source under ``root``."""
    root = source_root() if root is None else root
    with open(locale_dir() / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    tops = {pattern.split("/")[0] for pattern, _method in method_map}

    def wanted(dirpath: str) -> bool:
        rel = Path(dirpath).resolve().relative_to(root.resolve()).parts
        return not rel or (rel[0] in tops and not any(p[0] in "._" for p in rel))

    catalog = Catalog(
        project="fieldplan",
        version=__version__,
        domain=DOMAIN,
        header_comment=_TEMPLATE_HEADER,
        charset="utf-8",
        fuzzy=False,
    )
    found = extract_from_dir(
        root,
        method_map,
        options_map,
        keywords={},
        comment_tags=("Translators:",),
        strip_comment_tags=True,
        directory_filter=wanted,
    )
    for filename, lineno, message, comments, context in found:
        location = (Path(filename).as_posix(), lineno)
        catalog.add(message, None, [location], auto_comments=comments, context=context)
    return catalog


def dump(catalog: Catalog) -> bytes:
    """Deterministic PO text: sorted, no line numbers, no dates, no obsolete entries."""
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        sort_output=True,
        include_lineno=False,
        ignore_obsolete=True,
        include_previous=False,
        width=79,
    )
    return _VOLATILE_HEADER.sub(b"", out.getvalue())


def _write(path: Path, data: bytes) -> bool:
    if path.is_file() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return True


def write_template(root: Path | None = None) -> Path:
    """extract: rewrite fieldplan.pot from the source."""
    path = template_path()
    _write(path, dump(extract(root)))
    return path


def read_catalog(path: Path, lang: str | None = None) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, locale=lang, domain=DOMAIN)


def update() -> list[Path]:
    """update: merge the template into every translated catalog, keeping translations."""
    template = read_catalog(template_path())
    paths = []
    for lang in TRANSLATED:
        path = catalog_path(lang)
        if path.is_file():
            catalog = read_catalog(path, lang)
        else:
            catalog = Catalog(locale=lang, domain=DOMAIN, project="fieldplan", fuzzy=False)
        catalog.update(template, update_creation_date=False)
        catalog.project, catalog.version = "fieldplan", template.version
        _write(path, dump(catalog))
        paths.append(path)
    return paths


# --- check --------------------------------------------------------------------------


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a format string; ValueError if its braces are malformed."""
    return {
        field for _lit, field, _spec, _conv in string.Formatter().parse(text) if field is not None
    }


# A %-conversion, as Python's % operator reads it (babel's PYTHON_FORMAT, plus %%).
_PERCENT = re.compile(
    r"%(?:\(([^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])"
)


def percent_placeholders(text: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The %-conversions of a %-style message: named ones (``"%(prog)s"``, as a set) and
    unnamed ones (``"%s"``, ``"%r"``, in order); ``%%`` is a literal percent sign."""
    named, unnamed = set(), []
    for match in _PERCENT.finditer(text):
        name, kind = match.group(1), match.group(2)
        if kind == "%" and name is None:
            continue
        if name is None:
            unnamed.append("%" + kind)
        else:
            named.add(f"%({name}){kind}")
    return frozenset(named), tuple(unnamed)


def _is_percent_style(message: Message) -> bool:
    return "python-format" in message.flags or message.python_format


def _percent_problems(ids: list[str], text: str) -> str | None:
    """How a translation's %-conversions differ from the English, or None."""
    want_named, want_unnamed = percent_placeholders(ids[0])
    for other in ids[1:]:
        named, unnamed = percent_placeholders(other)
        want_named |= named
        if len(unnamed) > len(want_unnamed):
            want_unnamed = unnamed
    named, unnamed = percent_placeholders(text)
    detail = [f"missing {p}" for p in sorted(want_named - named)]
    detail += [f"unknown {p}" for p in sorted(named - want_named)]
    if unnamed != want_unnamed:
        detail.append(f"{' '.join(unnamed) or 'none'} instead of {' '.join(want_unnamed)}")
    if not detail:
        return None
    return "%-placeholders differ from the English: " + ", ".join(detail)


def _placeholders_or_problem(text: str) -> tuple[set[str], str | None]:
    try:
        return placeholders(text), None
    except ValueError as exc:
        return set(), f"malformed placeholder ({exc})"


def _single_count_forms(lang: str) -> set[int]:
    """Plural forms used for exactly one number (Arabic zero, one, two), which may leave
    the number out ("إجراء واحد" for "{count} action")."""
    nplurals, expr = get_plural(lang)
    choose = gettext.c2py(expr.strip().rstrip(";"))
    sample = list(range(1001)) + [m * 10**k for k in range(3, 10) for m in (1, 2, 3, 7)]
    seen: dict[int, int] = {}
    for n in sample:
        index = choose(n)
        seen[index] = seen.get(index, 0) + 1
    return {i for i in range(nplurals) if seen.get(i) == 1}


def _words_only_forms(lang: str) -> set[int]:
    """The single-number forms but zero's (Arabic one and two): they say their number in
    words, with no figure ("تقرير واحد", "تقريران", never "1 تقرير" or "2 تقريران");
    zero's may keep the figure ("0 تقرير") or say none ("لا تقارير")."""
    _nplurals, expr = get_plural(lang)
    zero = gettext.c2py(expr.strip().rstrip(";"))(0)
    return _single_count_forms(lang) - {zero}


@functools.cache
def _source_counts() -> dict[tuple[str, str | None], str]:
    """count_fields of this checkout, read once (it parses every module)."""
    return count_fields(source_root())


def _count_field(original: Message, counts: Mapping[tuple[str, str | None], str]) -> str | None:
    """The placeholder holding the number that picks the form: as the source fills it
    (fieldplan.catalog_counts), else ``{count}`` or ``{n}`` as ``counted`` does."""
    found = counts.get(_key(original))
    if found:
        return found
    plural = original.id[1]
    return "count" if "{count}" in plural else "n" if "{n}" in plural else None


def _plural_form_counts(path: Path) -> list[tuple[str, int]]:
    """(msgid, number of msgstr[N] lines) of each plural entry, read from the text: babel
    pads missing forms and drops extra ones when it parses a catalog."""
    entries: list[tuple[str, int]] = []
    msgid: list[str] = []
    forms = 0
    in_msgid = False
    for line in [*path.read_text(encoding="utf-8").splitlines(), 'msgid ""']:
        line = line.strip()
        if line.startswith("msgid "):
            if forms:
                entries.append(("".join(unescape(part) for part in msgid), forms))
            msgid, forms, in_msgid = [line[6:]], 0, True
        elif line.startswith('"') and in_msgid:
            msgid.append(line)
        else:
            in_msgid = False
            forms += line.startswith("msgstr[")
    return entries


def _label(message: Message) -> str:
    text = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}|{text!r}" if message.context else repr(text)


def check_catalog(path: Path, lang: str, template: Catalog,
                  counts: Mapping[tuple[str, str | None], str] | None = None) -> list[str]:
    """Problems of one translated catalog against the template (empty if none).
    ``counts``: the placeholder holding each plural message's count (default: read from
    this checkout's source, fieldplan.catalog_counts)."""
    if counts is None:
        counts = _source_counts()
    catalog = read_catalog(path, lang)
    where = f"{path.name} ({lang})"
    problems = []
    nplurals, _expr = get_plural(lang)
    if catalog.num_plurals != nplurals:
        problems.append(
            f"{where}: Plural-Forms has nplurals={catalog.num_plurals}, {lang} needs {nplurals}"
        )
    if catalog.fuzzy:
        problems.append(f"{where}: the catalog header is marked fuzzy")
    for text, count in _plural_form_counts(path):
        if count != nplurals:
            problems.append(f"{where}: {text!r}: {count} plural forms, expected {nplurals}")
    single = _single_count_forms(lang)
    words = _words_only_forms(lang)
    ours = {_key(m): m for m in _messages(catalog)}
    for key, original in sorted({_key(m): m for m in _messages(template)}.items(), key=str):
        message = ours.get(key)
        if message is None:
            problems.append(f"{where}: missing {_label(original)} (run update)")
            continue
        problems.extend(
            f"{where}: {_label(message)}: {p}"
            for p in _translation_problems(original, message, nplurals, single)
        )
        if original.pluralizable and message.pluralizable and not message.fuzzy:
            problems.extend(f"{where}: {_label(message)}: {p}"
                            for p in _number_in_words_problems(original, message, words,
                                                               _count_field(original, counts)))
        if lang == "fr":
            problems.extend(f"{where}: {_label(message)}: {p}"
                            for p in _french_spacing_problems(message))
        if lang == "ar":
            problems.extend(f"{where}: {_label(message)}: {p}"
                            for p in _arabic_quote_problems(message))

    for key in sorted(set(ours) - {_key(m) for m in _messages(template)}, key=str):
        problems.append(f"{where}: {_label(ours[key])} is not in the template (run update)")
    return problems


#: An ordinary space where French typography puts a no-break one: before ":" (U+00A0),
#: before ";", "?" and "!" (U+202F), inside « » (U+00A0): a line may break there, and
#: leave the colon or the guillemet alone at the start of the next line.
_FRENCH_SPACE = re.compile(r" [:;?!»]|« ")
#: A no-break space of the other width: U+00A0 before ";", "?", "!", or U+202F before
#: ":" (the two kinds mixed in one catalog read unevenly).
_FRENCH_WRONG_SPACE = re.compile("\u00a0[;?!]|\u202f:")


def _french_spacing_problems(message: Message) -> list[str]:
    forms = list(message.string) if message.pluralizable else [message.string]
    rule = "(U+00A0 before ':' and inside « », U+202F before ';', '?', '!')"
    return [f"{what} in {found.group()!r}: French puts {rule}"
            for text in forms if text
            for pattern, what in ((_FRENCH_SPACE, "an ordinary space"),
                                  (_FRENCH_WRONG_SPACE, "the other no-break space"))
            for found in [pattern.search(text)] if found]


#: A command in ASCII quotes: in an Arabic sentence the quotes, neutral, take the
#: sentence's direction and land apart from the command they enclose ("fieldplan
#: keys'" … "show'" over two lines); « » pair up as brackets do.
_ASCII_QUOTED = re.compile("'fieldplan[^']*'")


def _arabic_quote_problems(message: Message) -> list[str]:
    forms = list(message.string) if message.pluralizable else [message.string]
    return [f"{found.group()!r} in ASCII quotes: Arabic quotes a command in « »"
            for text in forms if text for found in [_ASCII_QUOTED.search(text)] if found]


def _number_in_words_problems(original: Message, message: Message, words: set[int],
                              field: str | None) -> list[str]:
    """The forms for one number said in words (Arabic one and two) that write the count
    as a figure ("1 تقرير", "2 تقريران"), or leave out a placeholder that is not the
    count (a figure the sentence needs: "{n} of one action" lost its {n})."""
    if field is None or _is_percent_style(original):
        return []
    expected: set[str] = set()
    for text in original.id:
        expected |= _placeholders_or_problem(text)[0]
    if field not in expected:
        return []
    problems = []
    for index in sorted(words):
        if index >= len(message.string) or not message.string[index]:
            continue
        fields, bad = _placeholders_or_problem(message.string[index])
        if bad:
            continue
        if field in fields:
            problems.append(f"form {index}: {{{field}}} as a figure in a form for one number:"
                            " say it in words (as «تقرير واحد», «تقريران»)")
        lost = sorted(expected - fields - {field})
        if lost:
            problems.append(f"form {index}: placeholders differ from the English: "
                            + ", ".join(f"missing {{{f}}}" for f in lost)
                            + f" (only the count, {{{field}}}, goes into words)")
    return problems


def _translation_problems(
    original: Message, message: Message, nplurals: int, single: set[int]
) -> list[str]:
    if message.fuzzy:
        return ["fuzzy"]
    if original.pluralizable != message.pluralizable:
        return ["singular/plural differs from the template (run update)"]
    ids = list(original.id) if original.pluralizable else [original.id]
    percent = _is_percent_style(original)
    expected: set[str] = set()
    for text in ([] if percent else ids):
        fields, bad = _placeholders_or_problem(text)
        if bad:
            return [f"in the English: {bad}"]
        expected |= fields
    forms = list(message.string) if message.pluralizable else [message.string]
    if not any(forms):
        return ["untranslated"]
    problems = []
    if message.pluralizable and len(forms) != nplurals:
        problems.append(f"{len(forms)} plural forms, expected {nplurals}")
    for index, text in enumerate(forms):
        form = f"form {index}: " if message.pluralizable else ""
        if not text:
            problems.append(f"{form}untranslated")
            continue
        if text.endswith("\n") != ids[-1].endswith("\n"):
            problems.append(f"{form}line break at the end differs from the English")
        if percent:
            # argparse fills these with %: every form keeps every conversion, or the %
            # operator fails
            bad = _percent_problems(ids, text)
            if bad:
                problems.append(form + bad)
            continue
        fields, bad = _placeholders_or_problem(text)
        if bad:
            problems.append(form + bad)
            continue
        missing = expected - fields
        if message.pluralizable and index in single:
            missing = set()
        extra = fields - expected
        if missing or extra:
            detail = ", ".join(
                [f"missing {{{f}}}" for f in sorted(missing)]
                + [f"unknown {{{f}}}" for f in sorted(extra)]
            )
            problems.append(f"{form}placeholders differ from the English: {detail}")
    return problems


def check(root: Path | None = None) -> list[str]:
    """Everything the catalogs lack; empty when the template and translations are complete."""
    problems = []
    template = read_catalog(template_path())
    source = extract(root)
    in_template = {_key(m) for m in _messages(template)}
    for message in _messages(source):
        if _key(message) not in in_template:
            problems.append(
                f"{template_path().name}: {_label(message)} is in the source "
                "but not in the template (run extract)"
            )
        fields = set()
        for text in message.id if message.pluralizable else [message.id]:
            if not _is_percent_style(message):
                fields |= _placeholders_or_problem(text)[0]
        positional = sorted(f for f in fields if f == "" or f.isdigit())
        if positional:
            problems.append(f"{_label(message)}: use named placeholders, not {{}} or {{0}}")
    in_source = {_key(m) for m in _messages(source)}
    for message in _messages(template):
        if _key(message) not in in_source:
            problems.append(
                f"{template_path().name}: {_label(message)} is no longer in the "
                "source (run extract)"
            )
    counts = _source_counts() if root is None else count_fields(root)
    for lang in TRANSLATED:
        path = catalog_path(lang)
        if not path.is_file():
            problems.append(f"{path}: missing (run update)")
            continue
        problems.extend(check_catalog(path, lang, template, counts))
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m fieldplan.catalogs",
        description="Maintain fieldplan's translation catalogs (see this module's docstring).",
    )
    parser.add_argument("--root", type=Path, help="checkout to extract from (default: this one)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("extract", help="rewrite resources/locale/fieldplan.pot from the source")
    commands.add_parser("update", help="merge the template into the fr and ar catalogs")
    commands.add_parser(
        "check", help="exit 1 listing missing, untranslated, fuzzy or inconsistent messages"
    )
    args = parser.parse_args(argv)
    if args.command == "extract":
        path = write_template(args.root)
        print(f"{path}: {sum(1 for _m in _messages(read_catalog(path)))} messages")
    elif args.command == "update":
        for path in update():
            print(path)
    else:
        problems = check(args.root)
        for problem in problems:
            print(problem)
        if problems:
            sys.stdout.flush()
            print(f"{len(problems)} problem(s)", file=sys.stderr)
            return 1
        print("catalogs complete")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
