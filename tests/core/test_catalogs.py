"""The translation catalogs are complete and consistent, and the tools that keep them so work."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from fieldplan import catalogs
from fieldplan.i18n import locale_dir


def _keys(catalog: Catalog) -> set[tuple[str, str | None]]:
    return {catalogs._key(m) for m in catalogs._messages(catalog)}


@pytest.fixture(scope="module")
def template() -> Catalog:
    return catalogs.read_catalog(catalogs.template_path())


def test_template_is_up_to_date_with_the_source(template):
    """Fails when someone adds or changes a _() message and forgets `extract`."""
    extracted = _keys(catalogs.extract())
    in_template = _keys(template)
    assert sorted(extracted - in_template, key=str) == [], (
        "run: python -m fieldplan.catalogs extract"
    )
    assert sorted(in_template - extracted, key=str) == [], (
        "run: python -m fieldplan.catalogs extract"
    )


def test_every_plural_call_has_plural_forms_in_the_template(template):
    """A call to _() among counted()'s arguments made babel's extraction take that
    counted() message for one without plural forms: the catalog held its singular
    alone, and French and Arabic readers got the English plural."""
    import ast

    plural = {m.id[0] for m in catalogs._messages(template) if isinstance(m.id, tuple)}
    top = Path(__file__).resolve().parents[2]
    wrong = []
    # where each plural call's singular is (pcounted's after its context)
    starts = {"counted": 0, "ngettext": 0, "pcounted": 1}
    for path in sorted([*top.joinpath("fieldplan").rglob("*.py"),
                        *top.joinpath("ui").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            start = starts.get(getattr(node.func, "id", getattr(node.func, "attr", "")))
            if (start is not None and len(node.args) > start
                    and isinstance(node.args[start], ast.Constant)
                    and isinstance(node.args[start].value, str)
                    and node.args[start].value not in plural):
                wrong.append(f"{path.relative_to(top)}:{node.lineno}")
    assert wrong == [], "plural messages extracted without their plural forms"


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_every_message_is_translated(lang, template):
    """Untranslated, fuzzy, placeholder mismatches, plural forms: see fieldplan.catalogs."""
    assert catalogs.check_catalog(catalogs.catalog_path(lang), lang, template) == []


def test_check_command_passes_on_the_repository(capsys):
    assert catalogs.main(["check"]) == 0
    assert "catalogs complete" in capsys.readouterr().out


def test_template_is_deterministic(template):
    text = catalogs.dump(catalogs.extract()).decode()
    assert text == catalogs.dump(catalogs.extract()).decode()
    assert "POT-Creation-Date" not in text and "Generated-By" not in text
    locations = [line for line in text.splitlines() if line.startswith("#:")]
    assert locations and not [line for line in locations if ":" in line[2:]]


def test_english_spells_enrol_as_the_client_does():
    """The client's menu says "Enrol an office…"; the command line's help said "(HQ)
    enroll an office" and "a secret enrollment token" beside "only headquarters can
    enrol an office". English messages spell it one way; the command stays
    ``office enroll`` (the command-line contract)."""
    command = re.compile(r"(?:fieldplan )?office enroll\b")
    american = sorted(
        text for message in catalogs._messages(catalogs.extract())
        for text in (message.id if isinstance(message.id, tuple | list) else (message.id,))
        if re.search(r"\b[Ee]nroll(?!ed\b)\w*", command.sub("", text)))
    assert american == []
    # and the client's words are the British ones this holds them to
    assert "Enrol an office" in {m.id for m in catalogs._messages(catalogs.extract())}


# --- the checker on deliberately broken catalogs ------------------------------------


def _po(path: Path, catalog: Catalog) -> Path:
    with open(path, "wb") as f:
        write_po(f, catalog)
    return path


@pytest.fixture
def small_template() -> Catalog:
    t = Catalog(domain="fieldplan")
    t.add("Hello {name}")
    t.add("Saved {file} in {folder}")
    t.add("Plain")
    t.add("Draft", context="report state")
    t.add("Changed")
    t.add("Gone")
    t.add(("{count} file", "{count} files"))
    return t


def test_checker_accepts_a_good_catalog(tmp_path, small_template):
    good = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    good.add("Hello {name}", "مرحبًا {name}")
    good.add("Saved {file} in {folder}", "حُفظ {file} في {folder}")
    good.add("Plain", "عادي")
    good.add("Draft", "مسودة", context="report state")
    good.add("Changed", "تغيّر")
    good.add("Gone", "ذهب")
    forms = ("لا ملفات", "ملف واحد", "ملفان", "{count} ملفات", "{count} ملفًا", "{count} ملف")
    good.add(("{count} file", "{count} files"), forms)
    assert catalogs.check_catalog(_po(tmp_path / "ar.po", good), "ar", small_template) == []


def test_checker_finds_every_kind_of_problem(tmp_path, small_template):
    bad = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    bad.add("Hello {name}", "مرحبًا {nom}")  # renamed placeholder
    bad.add("Saved {file} in {folder}", "حُفظ {file}")  # missing placeholder
    bad.add("Plain", "")  # untranslated
    # "Draft" (report state) left out: not merged
    bad.add("Changed", "تغيّر", flags=("fuzzy",))
    bad.add("Gone", "{oops")  # malformed
    bad.add(
        ("{count} file", "{count} files"), ("لا ملفات", "ملف واحد", "{count} ملفات", "x", "y", "z")
    )
    bad.add("Stale", "قديم")  # no longer in the template
    path = _po(tmp_path / "ar.po", bad)
    # babel pads plural forms when writing: cut three of them as a hand edit would
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text(
        "".join(x for x in lines if not x.startswith(("msgstr[3]", "msgstr[4]", "msgstr[5]"))),
        encoding="utf-8",
    )
    problems = "\n".join(catalogs.check_catalog(path, "ar", small_template))

    assert (
        "'Hello {name}': placeholders differ from the English: missing {name}, unknown {nom}"
        in problems
    )
    assert (
        "'Saved {file} in {folder}': placeholders differ from the English: missing {folder}"
        in problems
    )
    assert "'Plain': untranslated" in problems
    assert "missing report state|'Draft' (run update)" in problems
    assert "'Changed': fuzzy" in problems
    assert "'Gone': malformed placeholder" in problems
    assert "'{count} file': 3 plural forms, expected 6" in problems
    assert "'Stale' is not in the template" in problems


def test_french_wants_no_break_spaces_before_its_high_punctuation(tmp_path):
    """An ordinary space before ":" or inside « » lets a line break there and leave the
    colon or the guillemet alone at the start of the next line."""
    t = Catalog(domain="fieldplan")
    for text in ("Saved: {file}", "Lock it?", "Say {word}", "Done; go", "Fine"):
        t.add(text)
    fr = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    fr.add("Saved: {file}", "Enregistré : {file}")
    fr.add("Lock it?", "Le verrouiller ?")
    fr.add("Say {word}", "Dites « {word} »")
    fr.add("Done; go", "Fait\u202f; allez")
    fr.add("Fine", "Bien\u00a0: oui")
    problems = catalogs.check_catalog(_po(tmp_path / "fr.po", fr), "fr", t)
    assert len(problems) == 3
    for label in ("'Lock it?'", "'Saved: {file}'", "'Say {word}'"):
        assert any(f"(fr): {label}: an ordinary space" in p for p in problems), label
    assert "an ordinary space in ' :'" in "\n".join(problems)


def test_plural_forms_for_a_single_number_may_drop_the_count(tmp_path):
    t = Catalog(domain="fieldplan")
    t.add(("{count} file", "{count} files"))
    ar = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    # zero/one/two may say "one file" in words; 3-10 (form 3) may not
    ar.add(
        ("{count} file", "{count} files"),
        ("لا ملفات", "ملف واحد", "ملفان", "ملفات", "{count} ملفًا", "{count} ملف"),
    )
    problems = catalogs.check_catalog(_po(tmp_path / "ar.po", ar), "ar", t)
    assert problems == [
        "ar.po (ar): '{count} file': form 3: placeholders differ from the English: missing {count}"
    ]

    fr = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    # French form 0 serves 0 and 1: it must keep the number
    fr.add(
        ("{count} file", "{count} files"), ("un fichier", "{count} de fichiers", "{count} fichiers")
    )
    problems = catalogs.check_catalog(_po(tmp_path / "fr.po", fr), "fr", t)
    assert problems == [
        "fr.po (fr): '{count} file': form 0: placeholders differ from the English: missing {count}"
    ]


def test_arabic_forms_for_one_and_two_say_the_count_in_words(tmp_path):
    """The forms for one and for two say their number in words ("بايت واحد",
    "بايتان"): "1 بايت" and "2 بايت" put a figure before a singular noun. And they leave
    out the count only: "{n} of {total} actions" takes its form from {total}, and a form
    for one that said "one action of {total}" lost the {n} offices had reported on."""
    t = Catalog(domain="fieldplan")
    byte = ("{count} byte", "{count} bytes")
    done = ("{n} of {total} action has a report", "{n} of {total} actions have a report")
    saved = ("Saved {count} of {total} bundle", "Saved {count} of {total} bundles")
    for ids in (byte, done, saved):
        t.add(ids)
    counts = {(done[0], None): "total", (saved[0], None): "total"}

    bad = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    bad.add(byte, ("{count} بايت", "{count} بايت", "{count} بايت", "{count} بايتات",
                   "{count} بايتًا", "{count} بايت"))
    bad.add(done, ("{n} من {total} إجراء", "إجراء واحد من {total} له تقرير",
                   "إجراءان من {total} لهما تقرير", "{n} من {total} إجراءات",
                   "{n} من {total} إجراءً", "{n} من {total} إجراء"))
    # its count is {total}: keeping {count} in the forms for one and two is right
    bad.add(saved, ("حُفظت {count} من {total} حزمة", "حُفظت {count} من حزمة واحدة",
                    "حُفظت {count} من حزمتين", "حُفظت {count} من {total} حزم",
                    "حُفظت {count} من {total} حزمةً", "حُفظت {count} من {total} حزمة"))
    problems = catalogs.check_catalog(_po(tmp_path / "bad.po", bad), "ar", t, counts)
    in_words = " as a figure in a form for one number: say it in words (as «تقرير واحد», «تقريران»)"
    assert problems == [
        "bad.po (ar): '{count} byte': form 1: {count}" + in_words,
        "bad.po (ar): '{count} byte': form 2: {count}" + in_words,
        "bad.po (ar): '{n} of {total} action has a report': form 1: {total}" + in_words,
        "bad.po (ar): '{n} of {total} action has a report': form 1: placeholders differ from"
        " the English: missing {n} (only the count, {total}, goes into words)",
        "bad.po (ar): '{n} of {total} action has a report': form 2: {total}" + in_words,
        "bad.po (ar): '{n} of {total} action has a report': form 2: placeholders differ from"
        " the English: missing {n} (only the count, {total}, goes into words)",
    ]

    good = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    good.add(byte, ("{count} بايت", "بايت واحد", "بايتان", "{count} بايتات", "{count} بايتًا",
                    "{count} بايت"))
    good.add(done, ("{n} من {total} إجراء", "{n} من إجراء واحد", "{n} من إجراءين",
                    "{n} من {total} إجراءات", "{n} من {total} إجراءً", "{n} من {total} إجراء"))
    good.add(saved, bad.get(saved[0]).string)
    assert catalogs.check_catalog(_po(tmp_path / "good.po", good), "ar", t, counts) == []


def test_the_count_of_a_plural_message_is_read_from_the_source(tmp_path):
    """The placeholder holding the number that picks the form, as the code fills it."""
    from fieldplan.catalog_counts import count_fields

    (tmp_path / "fieldplan").mkdir()
    (tmp_path / "fieldplan" / "thing.py").write_text(
        "from fieldplan.i18n import counted, format_number, ngettext, npgettext, pcounted\n"
        "def f(done, total, parts, other):\n"
        "    a = counted('{n} file', '{n} files', done)\n"
        "    b = counted('{count} row of {n}', '{count} rows of {n}', done, n=total)\n"
        "    c = ngettext('{n} of {total} office', '{n} of {total} offices', total).format(\n"
        "        n=format_number(done), total=format_number(total))\n"
        "    said = ngettext('Saved {count} of {total}', 'Saved {count} of {total}', total)\n"
        "    d = [part.format(count=format_number(done), total=format_number(total))\n"
        "         for part in parts(said)]\n"
        "    e = ngettext('{count} thing', '{count} things', other)\n"
        "    g = npgettext('unit', 'person', 'people', done)\n"
        "    h = pcounted('held', '{count} event', '{count} events', done)\n",
        encoding="utf-8",
    )
    assert count_fields(tmp_path) == {
        ("{n} file", None): "n",
        ("{count} event", "held"): "count",
        ("{count} row of {n}", None): "count",
        ("{n} of {total} office", None): "total",
        ("Saved {count} of {total}", None): "total",
    }
    # the messages whose form follows another placeholder than their first
    found = catalogs._source_counts()
    assert found[("{n} of {total} action of this area has a submitted report", None)] == "total"
    assert found[("Saved {count} of {total} bundle in this folder:\n{folder}", None)] == "total"
    assert found[("{total} held, {own} written here", None)] == "own"


def test_percent_style_messages_keep_their_conversions(tmp_path):
    """argparse's messages are filled with %: a translation keeps every %s, %r and
    %(name)s (unnamed ones in order, in every plural form); braces are not checked."""
    t = Catalog(domain="fieldplan")
    t.add("%(prog)s: error: %(message)s\n", flags=("python-format",))
    t.add("invalid choice: %(value)r (choose from %(choices)s)", flags=("python-format",))
    t.add("not allowed with argument %s", flags=("python-format",))
    t.add("unrecognized arguments: %s", flags=("python-format",))
    t.add("usage: ")
    t.add(("expected %s argument", "expected %s arguments"), flags=("python-format",))
    fr = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    fr.add("%(prog)s: error: %(message)s\n", "%(prog)s\u00a0: erreur\u00a0: %(message)s\n")
    fr.add(
        "invalid choice: %(value)r (choose from %(choices)s)",
        "choix non valide\u00a0: %(value)r (choisir parmi %(choices)s) {}",
    )
    fr.add("not allowed with argument %s", "non autorisé avec l’argument %s (100 %%)")
    fr.add("unrecognized arguments: %s", "arguments non reconnus\u00a0: %s")
    fr.add("usage: ", "utilisation\u00a0: ")
    fr.add(
        ("expected %s argument", "expected %s arguments"),
        ("%s argument attendu", "%s d’arguments attendus", "%s arguments attendus"),
    )
    assert catalogs.check_catalog(_po(tmp_path / "fr.po", fr), "fr", t) == []

    bad = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    bad.add("%(prog)s: error: %(message)s\n", "%(programme)s\u00a0: erreur\u00a0: %(message)s\n")
    bad.add(
        "invalid choice: %(value)r (choose from %(choices)s)",
        "choix non valide\u00a0: %(value)s (choisir parmi %(choices)s)",
    )
    bad.add("not allowed with argument %s", "non autorisé avec l’argument")
    bad.add("unrecognized arguments: %s", "arguments %s non reconnus\u00a0: %r")
    bad.add("usage: ", "utilisation\u00a0: ")
    bad.add(
        ("expected %s argument", "expected %s arguments"),
        ("un argument attendu", "%s d’arguments attendus", "%s arguments attendus"),
    )
    problems = catalogs.check_catalog(_po(tmp_path / "bad.po", bad), "fr", t)
    assert problems == [
        "bad.po (fr): '%(prog)s: error: %(message)s\\n': %-placeholders differ from the "
        "English: missing %(prog)s, unknown %(programme)s",
        "bad.po (fr): 'expected %s argument': form 0: %-placeholders differ from the "
        "English: none instead of %s",
        "bad.po (fr): 'invalid choice: %(value)r (choose from %(choices)s)': %-placeholders "
        "differ from the English: missing %(value)r, unknown %(value)s",
        "bad.po (fr): 'not allowed with argument %s': %-placeholders differ from the "
        "English: none instead of %s",
        "bad.po (fr): 'unrecognized arguments: %s': %-placeholders differ from the English: "
        "%s %r instead of %s",
    ]


def test_argparse_words_are_in_the_catalogs(template):
    """Every msgid argparse 3.11 passes to _() or ngettext() that a person can see."""
    from fieldplan.cli import argparse_words

    ids = {catalogs._key(m)[0] for m in catalogs._messages(template)}
    assert set(argparse_words.WORDS) <= ids
    assert "expected %s argument" in ids
    for word in argparse_words.WORDS:
        assert template.get(word) is not None
    assert "python-format" in template.get("invalid %(type)s value: %(value)r").flags


def test_wrong_plural_header_is_reported(tmp_path):
    t = Catalog(domain="fieldplan")
    t.add("Plain")
    path = _po(tmp_path / "fr.po", Catalog(locale="fr", domain="fieldplan", fuzzy=False))
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("nplurals=3", "nplurals=2"), encoding="utf-8")
    problems = catalogs.check_catalog(path, "fr", t)
    assert any("nplurals=2, fr needs 3" in p for p in problems)


# --- extract and update on a scratch tree -------------------------------------------


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A copy of resources/locale and a tiny source tree, with catalogs pointed at them."""
    locale = tmp_path / "locale"
    shutil.copytree(locale_dir(), locale, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(catalogs, "locale_dir", lambda: locale)
    src = tmp_path / "src"
    (src / "fieldplan").mkdir(parents=True)
    (src / "ui" / "views").mkdir(parents=True)
    (src / "tests").mkdir()
    (src / "fieldplan" / "thing.py").write_text(
        "from fieldplan.i18n import _, N_, pgettext\n"
        "# Translators: a made-up message, unlike any real one\n"
        "a = _('Zebra crossing {stripes}')\n"
        "b = N_('Period')\n"
        "c = pgettext('status', 'On track')\n",
        encoding="utf-8",
    )
    (src / "ui" / "views" / "view.py").write_text(
        "from fieldplan.i18n import ngettext\nd = ngettext('{count} row', '{count} rows', 3)\n",
        encoding="utf-8",
    )
    (src / "tests" / "test_x.py").write_text("_('Not extracted: a test')\n", encoding="utf-8")
    return src


def test_extract_finds_every_keyword_with_comments_and_contexts(scratch):
    found = catalogs.extract(scratch)
    assert _keys(found) == {
        ("Zebra crossing {stripes}", None),
        ("Period", None),
        ("On track", "status"),
        ("{count} row", None),
    }
    assert found.get("Zebra crossing {stripes}").auto_comments == [
        "a made-up message, unlike any real one"
    ]
    assert found.get("{count} row").id == ("{count} row", "{count} rows")
    assert found.get("On track", context="status").locations == [("fieldplan/thing.py", 5)]


def test_extract_takes_pcounted_as_a_plural_with_a_context(tmp_path):
    """A count phrase inside a larger sentence gets its own message with a context
    (``pcounted``), where a language declines it there (Arabic's accusative): both
    forms, and the context, reach the template, beside the phrase said on its own."""
    (tmp_path / "fieldplan").mkdir()
    (tmp_path / "fieldplan" / "thing.py").write_text(
        "from fieldplan.i18n import counted, pcounted\n"
        "a = counted('{count} stripe', '{count} stripes', 3)\n"
        "# Translators: the object of 'they cross'\n"
        "b = pcounted('crossed', '{count} stripe', '{count} stripes', 3)\n",
        encoding="utf-8",
    )
    found = catalogs.extract(tmp_path)
    assert _keys(found) == {("{count} stripe", None), ("{count} stripe", "crossed")}
    held = found.get("{count} stripe", context="crossed")
    assert held.id == ("{count} stripe", "{count} stripes")
    assert held.auto_comments == ["the object of 'they cross'"]


def test_new_message_fails_the_check_until_extract_update_and_translation(scratch):
    def problems() -> str:
        return "\n".join(catalogs.check(scratch))

    assert (
        "'Zebra crossing {stripes}' is in the source but not in the template (run extract)"
        in problems()
    )
    catalogs.write_template(scratch)
    assert "is in the source but not in the template" not in problems()
    assert "missing 'Zebra crossing {stripes}' (run update)" in problems()

    catalogs.update()
    fr = catalogs.read_catalog(catalogs.catalog_path("fr"), "fr")
    assert fr.get("Period").string == "Période"  # an existing translation is kept
    assert fr.get("On track", context="status").string == "En bonne voie"
    assert fr.get("Zebra crossing {stripes}").string == ""
    assert fr.get("{count} row").fuzzy  # offered "{count} report"'s translation to check
    assert "'Zebra crossing {stripes}': untranslated" in problems()
    assert "'{count} row': fuzzy" in problems()
    assert catalogs.main(["--root", str(scratch), "check"]) == 1

    for lang, text, forms in [
        ("fr", "Passage {stripes}", ("{count} ligne", "{count} de lignes", "{count} lignes")),
        (
            "ar",
            "ممر المشاة {stripes}",
            ("لا صفوف", "صف واحد", "صفان", "{count} صفوف", "{count} صفًا", "{count} صف"),
        ),
    ]:
        path = catalogs.catalog_path(lang)
        catalog = catalogs.read_catalog(path, lang)
        catalog.get("Zebra crossing {stripes}").string = text
        catalog.get("{count} row").string = forms
        catalog.get("{count} row").flags.discard("fuzzy")
        path.write_bytes(catalogs.dump(catalog))
    assert catalogs.check(scratch) == []

    before = {p: p.read_bytes() for p in catalogs.locale_dir().rglob("*.po*")}
    catalogs.write_template(scratch)
    catalogs.update()
    assert before == {p: p.read_bytes() for p in catalogs.locale_dir().rglob("*.po*")}  # stable


def test_french_wants_the_right_no_break_space(tmp_path):
    """U+202F before ";", "?", "!" and U+00A0 before ":": the other kind is found too."""
    t = Catalog(domain="fieldplan")
    for text in ("Done; go", "Lock it?", "Saved: {file}", "Fine"):
        t.add(text)
    fr = Catalog(locale="fr", domain="fieldplan", fuzzy=False)
    fr.add("Done; go", "Fait\u00a0; allez")
    fr.add("Lock it?", "Le verrouiller\u00a0?")
    fr.add("Saved: {file}", "Enregistré\u202f: {file}")
    fr.add("Fine", "Bien\u00a0: oui\u202f; non\u202f?")
    problems = catalogs.check_catalog(_po(tmp_path / "fr.po", fr), "fr", t)
    assert len(problems) == 3
    for label in ("'Done; go'", "'Lock it?'", "'Saved: {file}'"):
        assert any(f"(fr): {label}: the other no-break space" in p for p in problems), label


def test_arabic_quotes_commands_in_guillemets(tmp_path):
    """ASCII quotes around a command in an Arabic sentence landed apart from it."""
    t = Catalog(domain="fieldplan")
    for text in ("Run 'fieldplan keys show'", "Run 'fieldplan status'"):
        t.add(text)
    ar = Catalog(locale="ar", domain="fieldplan", fuzzy=False)
    ar.add("Run 'fieldplan keys show'", "شغّل 'fieldplan keys show'")
    ar.add("Run 'fieldplan status'", "شغّل «fieldplan status»")
    problems = catalogs.check_catalog(_po(tmp_path / "ar.po", ar), "ar", t)
    assert len(problems) == 1 and "'fieldplan keys show'" in problems[0], problems


#: A keyboard letter (Alt+letter): "&" before a letter; "&&" is an ampersand.
_MNEMONIC = re.compile(r"&\w")

#: French labels that go without the letter the English has: none. ("Rouvrir (retour
#: au brouillon)" had none, every one of its letters answering something else at
#: headquarters; it is "Rouvrir pour mise à &jour", J being free there.)
FRENCH_WITHOUT_LETTER: frozenset[str] = frozenset()


#: Arabic menu-bar titles and tabs go without (tests/ui/test_mnemonics.py): they answer
#: Alt+letter in every page, where an Arabic letter is of little use; the labels and
#: buttons of a page or a dialog keep theirs, as the others in it do.
ARABIC_WITHOUT_LETTER = frozenset({
    "&File", "&Edit", "&Period", "Headq&uarters", "&View", "&Settings", "&Help",
    "Pro&gress", "&Dashboard", "&Overview", "&Reports", "&Inbox", "&Quarantine",
    "&Conflicts", "&Keys",
})


def _has_letter(text: str) -> bool:
    return bool(_MNEMONIC.search(text.replace("&&", "")))


def _without_letter(lang: str) -> list[str]:
    """The English messages with a keyboard letter whose translation has none."""
    catalog = catalogs.read_catalog(catalogs.catalog_path(lang), lang)
    lost = []
    for message in catalogs._messages(catalog):
        ids = list(message.id) if message.pluralizable else [message.id]
        forms = list(message.string) if message.pluralizable else [message.string]
        if any(map(_has_letter, ids)) and any(f and not _has_letter(f) for f in forms):
            lost.append(ids[0])
    return sorted(lost)


@pytest.mark.parametrize("lang, known", [("fr", FRENCH_WITHOUT_LETTER),
                                         ("ar", ARABIC_WITHOUT_LETTER)])
def test_translations_keep_a_keyboard_letter_where_the_english_has_one(lang, known):
    """A label without the Alt+letter of its English one is out of reach of the
    keyboard's letters, and nothing said so: the check that asked for one in French was
    dropped with "Rouvrir (retour au brouillon)", which had none to spare; in Arabic
    the status, the narratives and "Refuse key…" had none, beside buttons that had."""
    assert _without_letter(lang) == sorted(known)


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return catalogs.extract()


@pytest.mark.parametrize("message, comment", [
    ("name recorded on this computer's changes", "FIELDPLAN_AUTHOR is the name"),
    ("status of the action: {statuses}", "{statuses} lists the words to type"),
    ("folder to write it in: DIR/hq.sqlite3", "DIR is the option's value"),
])
def test_translators_comments_of_command_options_reach_the_template(message, comment,
                                                                    extracted):
    """A comment for translators above ``parser.add_argument(`` while its ``help=_(``
    is on a line below is dropped by the extraction (babel keeps only a comment on the
    line right before the call's): the translators of 'demo --out' were not told to
    keep DIR and the file names, nor those of '--author' to keep FIELDPLAN_AUTHOR."""
    found = [m for m in catalogs._messages(extracted)
             if isinstance(m.id, str) and m.id.startswith(message)]
    assert len(found) == 1
    assert any(comment in c for c in found[0].auto_comments), found[0].auto_comments


def test_every_translators_comment_reaches_the_template(extracted) -> None:
    """Each ``# Translators:`` comment in the source is one the extraction keeps: babel
    keeps only a comment on the line(s) right before the line of the call, and a note
    written a line too high (above ``add_argument(``, above the ``if`` the call is in,
    above a statement whose call is on a later line) reached no translator, silently."""
    said = " || ".join(" ".join(c.split()) for m in catalogs._messages(extracted)
                       for c in m.auto_comments)
    root = Path(__file__).resolve().parents[2]
    lost = []
    for path in sorted([*root.joinpath("fieldplan").rglob("*.py"),
                        *root.joinpath("ui").rglob("*.py")]):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            text = line.strip()
            if text.startswith("# Translators:"):
                first = " ".join(text[len("# Translators:"):].split())
                if first and first[:40] not in said:
                    lost.append(f"{path.relative_to(root)}:{number}")
    assert lost == []
