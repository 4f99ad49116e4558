"""The review pack lists offices as a reader looks for them: by their names in the
pack's language (the regional offices, then the countries, headquarters' own last,
apart, as the matrix sets them), not by their codes, in every list of the pack alike.
"Égypte" among the E in French, "الأردن" before "الجزائر" in Arabic."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fieldplan.offices import office_name, offices_in_order
from fieldplan.reports import build_review_pack
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from tests.fixtures.reports.seed import write_progress

PERIOD = "2026-S1"
#: reported for the period (code order: AE, DZ, EG, JO)
REPORTED = ("EG", "DZ", "AE", "JO")
#: reported only for an earlier one: not reported (code order: TD, TR)
MISSING = ("TR", "TD")
ORDER = {
    "en": ["DZ", "EG", "JO", "AE"],  # Algeria, Egypt, Jordan, United Arab Emirates
    "fr": ["DZ", "EG", "AE", "JO"],  # Algérie, Égypte, Émirats arabes unis, Jordanie
    "ar": ["JO", "AE", "DZ", "EG"],  # الأردن، الإمارات، الجزائر، مصر
}
#: (headquarters, awaited on the global actions, is said apart: no office)
MISSING_ORDER = {
    "en": ["TD", "TR"],  # Chad, Türkiye
    "fr": ["TD", "TR"],  # Tchad, Turquie
    "ar": ["TR", "TD"],  # تركيا، تشاد
}


def test_offices_in_order_by_name_in_each_language() -> None:
    assert offices_in_order(["TR", "TD", "EG", "AE"], "fr") == ["EG", "AE", "TD", "TR"]
    # headquarters, the regional offices, then the countries; an unknown code last
    assert offices_in_order(["ZZ", "AF", "RO-Cairo", "HQ"], "en") == [
        "HQ", "RO-Cairo", "AF", "ZZ"]
    # French: "Bureau régional, Le Caire" after "…, Dakar"
    assert offices_in_order(["RO-Cairo", "RO-Dakar"], "fr") == ["RO-Dakar", "RO-Cairo"]
    assert offices_in_order(["RO-Cairo", "RO-Dakar"], "en") == ["RO-Cairo", "RO-Dakar"]


@pytest.fixture
def world(hq):
    for office in REPORTED:
        write_progress(hq, office, PERIOD, only=2)
    for office in MISSING:
        write_progress(hq, office, "2025-S2", only=1)
    # as if the offices' bundles had brought this period's reports after its deadline
    hq.conn.execute("PRAGMA foreign_keys = OFF")
    hq.conn.execute(
        "UPDATE events SET origin = 'r-' || substr(entity_id, 1, 2), "
        "received_at = '2026-08-01T10:00:00Z' WHERE entity = 'progress'")
    return hq


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_every_list_of_the_pack_has_the_offices_by_name(world, lang) -> None:
    pack = Pack(world, cm.make_ctx(world, PERIOD, lang, "A4"), None, 1)
    assert pack.offices == ORDER[lang]
    assert [s.office for s in pack.sheets] == ORDER[lang]  # the annex's status sheets
    # the matrix, the annex and its contents: those that have not reported among them,
    # by name, and headquarters' own reports last, set apart
    listed = [*offices_in_order([*REPORTED, *MISSING], lang), "HQ"]
    assert pack.listed == listed
    annex = [key[2:] for _level, _title, key in pack.entries() if key.startswith("o-")]
    assert annex == listed
    assert pack.not_reported_offices == MISSING_ORDER[lang]
    assert [late.office for late in pack.sync.late] == ORDER[lang]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_printed_matrix_reads_in_that_order(world, tmp_path: Path, lang) -> None:
    pdf = build_review_pack(world, PERIOD, tmp_path / "pack.pdf", lang=lang)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    matrix = text[text.index(f"{office_name('DZ', lang)} (DZ)"):]
    places = [matrix.index(f"({code})") for code in ORDER[lang]]
    assert places == sorted(places)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_headquarters_comes_last_in_the_packs_tables_as_in_its_matrix(world, lang) -> None:
    """Headquarters' own reports changed by data received late (a second computer of
    headquarters) came first in "Late data", and its bundles first in "Quarantine",
    while the pack's matrix and annex set headquarters last, apart: one pack, two
    orders. Its tables list headquarters last too."""
    write_progress(world, "HQ", PERIOD, only=1)
    world.conn.execute(
        "UPDATE events SET origin = 'r-HQ', received_at = '2026-08-01T10:00:00Z' "
        "WHERE entity = 'progress' AND entity_id LIKE 'HQ|%'")
    pack = Pack(world, cm.make_ctx(world, PERIOD, lang, "A4"), None, 1)
    assert pack.listed[-1] == "HQ"
    assert [late.office for late in pack.sync.late] == [*ORDER[lang], "HQ"]
