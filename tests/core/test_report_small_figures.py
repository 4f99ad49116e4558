"""Indicator figures smaller than three decimals show on the printed status sheet, in
the language's form: 0.000001 printed "0 of 150 people", read as nothing done."""

from __future__ import annotations

import shutil

import pytest

from fieldplan import events, store
from fieldplan.reports import build_status_sheet
from tests.core.test_reports import pdf_text
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"),
                                reason="needs poppler-utils (see packaging/debian-packages.txt)")

PERIOD = "2026-S1"
#: (the figures of PA1.2's first indicator, 0.000001 of 150 people, as printed)
#: (spaces left out: pdftotext joins some words of an Arabic line)
PRINTED = {"en": "0.000001of150people", "fr": "0,000001sur150personnes",
           "ar": "0.000001من150شخص"}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_tiny_figure_prints_its_digits(hq, tmp_path, lang) -> None:
    write_progress(hq, "ML", PERIOD, only=2, lang=lang)
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", f"ML|PA1.2|{PERIOD}",
                      {"value.officials-trained": 0.000001, "value.data-reports": -0.0001},
                      author="ml.officer")
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang))
    text = text.replace(" ", "")
    assert PRINTED[lang] in text
    point = "," if lang == "fr" else "."
    assert f"-0{point}0001" in text
    assert PRINTED[lang].replace("0.000001", "0").replace("0,000001", "0") not in text


@pytest.mark.parametrize(("lang", "figure", "unit"), [
    ("en", 0.5, "people"), ("en", 1.5, "people"), ("en", 1.0000001, "person"),
    ("en", 1, "person"), ("fr", 0.5, "personne"), ("fr", 1.5, "personne"),
    ("fr", 2.5, "personnes"), ("fr", 125_000_000_000, "de personnes"),
    ("ar", 2.5, "شخص"), ("ar", 3, "أشخاص"), ("ar", 11, "شخصًا")])
def test_a_figure_with_decimals_takes_the_plural_form_of_its_language(
        hq, lang, figure, unit) -> None:
    # the unit took the plural of the integer the figure rounds up to: a target of 0.5
    # people printed "0.001 of 0.5 person", one of 2.5 in Arabic the plural of 3
    from fieldplan.reports import common as cm
    from fieldplan.reports.sheet import _unit

    ctx = cm.make_ctx(hq, PERIOD, lang, "A4")
    assert _unit(ctx, "people", figure) == unit
