"""The values a plan file's errors quote (a cell, a code, a sheet's name) are quoted
as the language of the message quotes: 'six' in English, « six » in French, «six» in
Arabic (there isolated, so that a value keeps its own direction in the line), as the
catalogs' own messages quote the values they name. A French line read "colonne
« target » : 'six' n’est pas un nombre"."""

from __future__ import annotations

import pytest

from fieldplan import i18n
from fieldplan.errors import PlanError
from fieldplan.i18n import capturing, message_record, render_record, translation
from fieldplan.plan import load_plan
from fieldplan.text import LRM, for_rtl_terminal
from tests.core.test_plan import FIRST, csv_text

FSI, PDI = "\u2068", "\u2069"


def plan_error(tmp_path, rows: list[str]) -> str:
    with pytest.raises(PlanError) as err:
        load_plan(csv_text(tmp_path, rows))
    return str(err.value)


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "plan.csv: row 2, column 'target': 'six' is not a number"),
    ("fr", "plan.csv\u00a0: ligne 2, colonne «\u00a0target\u00a0»\u00a0: «\u00a0six\u00a0» "
           "n’est pas un nombre"),
    ("ar", f"plan.csv: الصف 2، العمود «target»: «{FSI}six{PDI}»"),
])
def test_a_cell_is_quoted_as_the_language_of_the_message_quotes(tmp_path, lang, said):
    i18n.set_language(lang)
    assert plan_error(tmp_path, [FIRST.replace(",0,5", ",0,six")]).startswith(said)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_values_are_quoted_as_the_catalogs_own_messages_quote_them(tmp_path, lang):
    """The quotation marks the code puts around a value are those the catalog puts
    around the value in "'{value}' is not a number" (the command line's message)."""
    i18n.set_language(lang)
    own = translation(lang).gettext("'{value}' is not a number").format(value="six")
    message = plan_error(tmp_path, [FIRST.replace(",0,5", ",0,six")])
    quoted = message[message.index("six") - 2: message.index("six") + 5]
    assert quoted.replace(FSI, "").replace(PDI, "").strip("\u00a0 ") in own


def test_two_values_of_a_pair_and_long_values_in_french(tmp_path):
    i18n.set_language("fr")
    message = plan_error(tmp_path, [FIRST.replace("national", "regional"),
                                    ",,,,,PA1,,PA1.1,national,joint,,p2,P,c,,"])
    assert "«\u00a0national\u00a0» diffère de «\u00a0regional\u00a0»" in message
    message = plan_error(tmp_path, [FIRST.replace(",0,5", ",0," + "9" * 400)])
    assert "«\u00a0" + "9" * 57 + "...\u00a0» n’est pas un nombre fini" in message
    assert "'" not in message


def test_in_arabic_a_value_keeps_its_own_direction(tmp_path):
    """A Latin or signed value is isolated in the right-to-left line, so that its
    parts ("-5 kg") are not reordered by the Arabic around them."""
    i18n.set_language("ar")
    message = plan_error(tmp_path, [FIRST.replace(",0,5", ",0,-5 kg")])
    assert f"«{FSI}-5 kg{PDI}»" in message


def test_a_kept_message_is_quoted_again_in_the_language_it_is_read_in(tmp_path):
    """An import's reason is kept and shown again in the reader's language (the
    inbox): the value's quotation marks are that language's, not the import's."""
    with capturing():
        message = plan_error(tmp_path, [FIRST.replace(",0,5", ",0,six")])
    record = message_record(message)
    assert record is not None
    assert "«\u00a0six\u00a0» n’est pas un nombre" in render_record(record, "fr")
    assert f"«{FSI}six{PDI}»" in render_record(record, "ar")
    assert "'six' is not a number" in render_record(record, "en")


def test_a_terminal_gets_marks_for_the_isolates_around_a_value():
    """Terminals know the bidi marks, not always the isolates (which old ones draw as
    boxes): the value stays whole, between marks."""
    line = for_rtl_terminal(f"خطأ: «{FSI}six{PDI}» ليس عددًا")
    assert FSI not in line and PDI not in line
    assert f"«{LRM}six{LRM}\u200f»" in line
