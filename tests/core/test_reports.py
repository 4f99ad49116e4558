"""PDF reports: status sheet and review pack, read back as a reader would (pdftotext,
qpdf), in English, French and Arabic."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import unicodedata
from pathlib import Path

import pytest

from fieldplan.errors import ValidationError
from fieldplan.i18n import format_period, status_label
from fieldplan.offices import office_name
from fieldplan.reports import build_review_pack, build_status_sheet
from tests.fixtures.reports.seed import NARRATIVES, write_progress

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("qpdf")),
    reason="needs poppler-utils and qpdf (see packaging/debian-packages.txt)",
)

PERIOD = "2026-S1"
# the office whose sheet is printed in each language, writing in that language
OFFICE_OF = {"en": "ML", "fr": "SN", "ar": "EG"}
_BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def pdf_text(path: Path, page: int | None = None) -> str:
    """pdftotext's reading of the PDF, Arabic presentation forms folded back (NFKC),
    bidi marks removed and whitespace collapsed."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if page:
        args += ["-f", str(page), "-l", str(page)]
    raw = subprocess.run([*args, str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = _BIDI_MARKS.sub("", unicodedata.normalize("NFKC", raw))
    return " ".join(text.split())


def pages(path: Path) -> int:
    out = subprocess.run(
        ["qpdf", "--show-npages", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(out)


def qpdf_ok(path: Path) -> None:
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def outline(path: Path) -> list[dict]:
    out = subprocess.run(
        ["qpdf", "--json", "--json-key=outlines", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat: list[dict] = []

    def walk(items: list[dict], depth: int) -> None:
        for item in items:
            flat.append({"title": item["title"], "page": item["destpageposfrom1"], "depth": depth})
            walk(item["kids"], depth + 1)

    walk(json.loads(out)["outlines"], 0)
    return flat


@pytest.fixture
def world(hq):
    """HQ holding 2026-S1 reports of ML (English), SN (French) and EG (Arabic); TR
    reported only in 2025-S2, so it is missing for 2026-S1."""
    for lang, office in OFFICE_OF.items():
        write_progress(hq, office, PERIOD, lang=lang)
    write_progress(hq, "TR", "2025-S2", only=2)
    return hq


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_sheet_reads_back_in_each_language(world, tmp_path, lang) -> None:
    office = OFFICE_OF[lang]
    pdf = build_status_sheet(world, PERIOD, office, out=tmp_path / "s.pdf", lang=lang)
    qpdf_ok(pdf)
    text = pdf_text(pdf)
    plan = world.plan()
    # the title may wrap; its words come out in reading order
    assert " ".join(plan.title.get(lang).split()[:4]) in text
    assert office_name(office, lang) in text
    assert format_period(PERIOD, lang) in text
    for status in ("at-risk", "off-track", "completed"):  # one-line labels
        assert status_label(status, lang) in text
    for narrative in NARRATIVES[lang]:
        assert narrative in text
    n = pages(pdf)
    if lang == "en":
        assert f"Page 1 of {n}" in pdf_text(pdf, 1)
        assert f"Page {n} of {n}" in pdf_text(pdf, n)
    # the footer: digest of the office's data
    from fieldplan.progress import digest

    assert digest(world, office) in text


def test_arabic_is_shaped_and_in_reading_order(world, tmp_path) -> None:
    pdf = build_status_sheet(world, PERIOD, "EG", out=tmp_path / "ar.pdf", lang="ar")
    raw = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # shaped: joined presentation forms are in the PDF, not isolated letters
    assert re.search("[\ufe70-\ufefc]", raw)
    text = pdf_text(pdf)
    assert "عقدت ورشة عمل تقنية مع وزارة العمل." in text
    assert "مصر" in text
    # reversed words would read backwards
    assert "لمعلا ةرازو" not in text


def test_sheet_letter_paper_and_page_count(world, tmp_path) -> None:
    a4 = build_status_sheet(world, PERIOD, "ML", out=tmp_path / "a4.pdf")
    letter = build_status_sheet(world, PERIOD, "ML", out=tmp_path / "l.pdf", paper="Letter")
    info = subprocess.run(["pdfinfo", str(letter)], capture_output=True, text=True).stdout
    assert "612 x 792" in info
    # 12 national actions with short narratives in four area tables, then signatures
    assert pages(a4) == 2
    assert "Page 2 of 2" in pdf_text(a4, 2)
    text = pdf_text(a4)
    assert "Prepared by" in text and "Approved by" in text


def test_sheet_qr_payload_names_the_data(world, tmp_path) -> None:
    from fieldplan.progress import digest
    from fieldplan.reports.common import office_replicas, qr_payload

    payload = json.loads(
        qr_payload("ML", PERIOD, digest(world, "ML"), office_replicas(world, "ML"))
    )
    assert payload["digest"] == digest(world, "ML")
    assert payload["replicas"] == {
        world.replica_id: world.conn.execute(
            "SELECT max(seq) FROM events WHERE origin = ?", (world.replica_id,)
        ).fetchone()[0]
    }
    assert payload["office"] == "ML" and payload["period"] == PERIOD


HOSTILE = (
    "<b>bold</b> & <font color='red'>red</font> <para>x</para> &amp; <br/> ]]> %PDF",
    "x" * 240 + "MIDDLE" + "y" * 254,  # one 500-character word
    "مرحبا PA2.3 (IOM) and العالم: 45% « mixed » text",
)


def test_hostile_narratives_print_as_written(hq, tmp_path) -> None:
    long_text = "START " + " ".join(f"word{i}" for i in range(1400)) + " END"
    assert len(long_text) > 10_000
    write_progress(
        hq, "ML", PERIOD, narrative=(HOSTILE[0] + " " + HOSTILE[1], long_text, HOSTILE[2]), only=1
    )
    pdf = build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "h.pdf")
    qpdf_ok(pdf)
    text = pdf_text(pdf)
    assert HOSTILE[0] in text
    assert HOSTILE[1] in text.replace(" ", "")  # split across lines, nothing lost
    assert "START word0 word1" in text and "word1399 END" in text
    assert "PA2.3" in text and "مرحبا" in text and "العالم" in text
    assert pages(pdf) >= 4  # the 10,000 characters flow over pages in the annex


def test_hostile_text_in_arabic_pack(hq, tmp_path) -> None:
    write_progress(hq, "EG", PERIOD, narrative=HOSTILE, only=2)
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang="ar")
    qpdf_ok(pdf)
    text = pdf_text(pdf)
    assert "<b>bold</b> & <font color='red'>red</font>" in text
    assert "مرحبا" in text and "العالم" in text


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_pack_sections_offices_and_outline(world, tmp_path, lang) -> None:
    done = []
    pdf = build_review_pack(
        world,
        PERIOD,
        tmp_path / "pack.pdf",
        lang=lang,
        progress=lambda d, t, label: done.append((d, t)),
    )
    assert done[-1][0] == done[-1][1]
    qpdf_ok(pdf)
    text = pdf_text(pdf)
    for office in OFFICE_OF.values():
        assert office_name(office, lang) in text
    for narrative in NARRATIVES[lang]:
        assert narrative in text
    entries = outline(pdf)
    titles = [e["title"] for e in entries]
    for office in OFFICE_OF.values():
        assert f"{office_name(office, lang)} ({office})" in titles
    assert len(entries) >= 5 + 4 + 1 + 3
    # cover, contents, sections, detail, three sheets of two pages or more
    assert pages(pdf) >= 1 + 1 + 1 + 1 + 3 * 2
    if lang == "en":
        for title in (
            "Summary by area",
            "Offices × areas",
            "Offices that have not reported",
            "Late, quarantined and conflicting data",
            "Detail by area",
            "Annex: status sheets by office",
        ):
            assert title in titles
            assert title in text
        # TR reported for 2025-S2 only: listed as not reported, with its last period
        missing = pdf_text(
            pdf, next(e["page"] for e in entries if e["title"] == "Offices that have not reported")
        )
        assert "Türkiye" in missing or "Turkey" in missing
        assert format_period("2025-S2", "en") in missing
        # the contents give the page each outline entry points to
        contents = pdf_text(pdf, 2)
        ml = next(e for e in entries if e["title"] == "Mali (ML)")
        assert f"Mali (ML) {ml['page']}" in contents
        assert "Mali (ML)" in pdf_text(pdf, ml["page"])


def test_pack_without_reports_and_sync_sentence(hq, tmp_path) -> None:
    pdf = build_review_pack(hq, PERIOD, tmp_path / "empty.pdf")
    text = pdf_text(pdf)
    assert "No office has reported for this period." in text
    assert "None known" in text or "no late, quarantined or conflicting data" in text


def test_pack_lists_conflicts(world, tmp_path, monkeypatch) -> None:
    from fieldplan import sync
    from fieldplan.sync.conflicts import Candidate, Conflict

    fake = Conflict(
        "abc",
        "progress",
        f"ML|PA1.1|{PERIOD}",
        "status",
        (
            Candidate("r1:3", "r1:3", "on-track", "a", "2026-07-01T00:00:00+00:00", True),
            Candidate("r2:4", "r2:4", "off-track", "b", "2026-07-02T00:00:00+00:00", False),
        ),
    )
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [fake])
    text = pdf_text(build_review_pack(world, PERIOD, tmp_path / "c.pdf"))
    assert "Open conflicts" in text and "on-track | off-track" in text


def test_bad_arguments(world, tmp_path) -> None:
    with pytest.raises(ValidationError, match="paper"):
        build_status_sheet(world, PERIOD, "ML", out=tmp_path / "x.pdf", paper="A3")
    with pytest.raises(ValidationError, match="language"):
        build_status_sheet(world, PERIOD, "ML", out=tmp_path / "x.pdf", lang="de")
    with pytest.raises(ValidationError, match="outside the plan"):
        build_status_sheet(world, "2030-S1", "ML", out=tmp_path / "x.pdf")
    with pytest.raises(ValidationError, match="unknown office"):
        build_status_sheet(world, PERIOD, "XX", out=tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def test_office_prints_own_sheet_but_no_pack(make_office, tmp_path) -> None:
    office = make_office("ML")
    with pytest.raises(ValidationError, match="headquarters"):
        build_review_pack(office, PERIOD, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
    pdf = build_status_sheet(office, PERIOD, out=tmp_path / "own.pdf")
    assert "Mali" in pdf_text(pdf) and "No report" in pdf_text(pdf)


def test_builders_run_in_worker_threads(world, tmp_path) -> None:
    """Two sheets at once, each thread with its own connection, as the client does."""
    from fieldplan.replica import open_replica

    errors: list[BaseException] = []

    def work(lang: str) -> None:
        try:
            with open_replica(world.path) as rep:
                build_status_sheet(
                    rep, PERIOD, OFFICE_OF[lang], out=tmp_path / f"{lang}.pdf", lang=lang
                )
        except BaseException as exc:  # reported below
            errors.append(exc)

    world.conn.commit()
    threads = [threading.Thread(target=work, args=(lang,)) for lang in ("en", "ar")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert "عقدت ورشة عمل" in pdf_text(tmp_path / "ar.pdf")
    assert NARRATIVES["en"][0] in pdf_text(tmp_path / "en.pdf")
