"""A number that counts something goes through ngettext / counted, so that French and
Arabic can say it in the form it takes ("1 seconde", « ثانية واحدة », « ثانيتين »): one
message for every number read « 1,5 secondes » in French and "2 ثانية" in Arabic (the
busy database's "it stayed locked for {seconds} seconds", found by QA). This scan reads
every message the source marks, as extraction does, and holds the placeholders that
name a count to plural messages; ALLOWED lists those whose number is not a count of
things the sentence names, each with why."""

from __future__ import annotations

import string

from fieldplan import catalogs

#: placeholders whose name says they hold a count of things
COUNT_NAMES = frozenset({"count", "n", "seconds", "minutes", "hours", "days", "weeks",
                         "months"})

#: messages that are not plurals though a placeholder has such a name: why
ALLOWED = {
    "Importing {number} of {count}: {file}…": "a position among files, no noun",
    "Keep “{value}”, version {number} of {count}, written on {computer}":
        "a position among versions",
    "Version {number} of {count}, written on {computer}": "a position among versions",
    "Version {n} of {count}, {value_id}": "a position among versions",
    "a demo has 1 to {most} offices, not {count}": "the number typed, quoted back",
    "manifest event_count {count} is more events than {file} of {size} can hold":
        "a manifest field's value, quoted back",
    "quarantine full for this key: it holds {count} signed with it already; trust or "
    "refuse the key first": "{count} is a counted phrase ('50 bundles')",
    "quarantine full: it holds {count} ({size}) whose keys no one has trusted or refused "
    "yet; trust or refuse waiting keys first": "{count} is a counted phrase ('500 bundles')",
    "the text of {code} has {count} characters; titles, units and places have at most "
    "{limit}": "always more than the limit, hundreds",
    "{count} of at most {max_count} ({size} of {max_size})": "a figure against a figure, "
        "beside the label 'Quarantine', no noun",
    "{label}: {n}": "a figure after a label",
    "{n} KB": "a unit's symbol, which does not decline",
    "{n} MB": "a unit's symbol, which does not decline",
}


def _fields(text: str) -> set[str]:
    return {f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f}


def test_a_number_that_counts_is_in_a_plural_message() -> None:
    singular_counts = {}
    for message in catalogs.extract():
        if not message.id or message.pluralizable or catalogs._is_percent_style(message):
            continue
        named = _fields(message.id) & COUNT_NAMES
        if named:
            singular_counts[message.id] = sorted(named)
    wrong = {text: names for text, names in singular_counts.items() if text not in ALLOWED}
    assert wrong == {}, "use ngettext / counted for these, or say why in ALLOWED"
    # (an allowance whose message changed or went is taken out)
    assert sorted(set(ALLOWED) - set(singular_counts)) == []
