"""``progress list`` and ``data export`` list the reports as the client's Reports page
does (``plan.in_listing_order``): by period, then the regional offices, the countries
by their names in the language read, headquarters last, then actions by number. They
came by the codes compared as text: AE (United Arab Emirates) before DZ (Algeria),
headquarters' ``HQ`` between them, the regional offices after ``QA``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.cli import main
from fieldplan.sync import export_bundle, import_bundle
from tests.scenes import closed

PERIOD = "2026-S1"

#: (office, action) as read in each language: Algeria before the Emirates in English
#: and French ("Algérie", "Émirats arabes unis"), the Emirates first in Arabic
#: ("الإمارات" before "الجزائر", hamza aside)
EXPECTED = {
    "en": [("RO-Cairo", "PA1.4"), ("DZ", "PA1.1"), ("DZ", "PA1.2"), ("AE", "PA1.1"),
           ("HQ", "PA1.6")],
    "fr": [("RO-Cairo", "PA1.4"), ("DZ", "PA1.1"), ("DZ", "PA1.2"), ("AE", "PA1.1"),
           ("HQ", "PA1.6")],
    "ar": [("RO-Cairo", "PA1.4"), ("AE", "PA1.1"), ("DZ", "PA1.1"), ("DZ", "PA1.2"),
           ("HQ", "PA1.6")],
}


@pytest.fixture
def held(hq, make_office, tmp_path: Path) -> Path:
    """Headquarters holding the reports of AE, DZ (two), RO-Cairo and its own."""
    out = tmp_path / "out"
    out.mkdir()
    for office, codes in (("AE", ["PA1.1"]), ("DZ", ["PA1.2", "PA1.1"]),
                          ("RO-Cairo", ["PA1.4"])):
        rep = make_office(office)
        for code in codes:
            progress.record_progress(rep, code, PERIOD, status="on-track", percent=10)
        import_bundle(hq, export_bundle(rep, out_dir=out).path)
    progress.record_progress(hq, "PA1.6", PERIOD, status="on-track", percent=10)
    return closed(hq)


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_progress_list_in_the_reports_pages_order(held: Path, lang: str, capsys) -> None:
    capsys.readouterr()
    assert main(["--db", str(held), "--lang", lang, "--json", "progress", "list"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["office"], r["action"]) for r in rows] == EXPECTED[lang]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_data_export_in_the_reports_pages_order(held: Path, lang: str, capsys) -> None:
    capsys.readouterr()
    assert main(["--db", str(held), "--lang", lang, "data", "export", "--format", "csv",
                 "-o", "-"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out.lstrip("\ufeff"))))
    assert [(r["office"], r["action"]) for r in rows] == EXPECTED[lang]
