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
from fieldplan.i18n import format_date, format_period, status_label
from fieldplan.model import STATUSES
from fieldplan.offices import office_name
from fieldplan.reports import build_review_pack, build_status_sheet
from fieldplan.reports.review import check_deadline
from tests.fixtures.reports.seed import NARRATIVES, amended_actions, write_progress
from tests.scenes import laptops_in_conflict

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


def _pdf_title(path: Path) -> str:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                          check=True).stdout
    return next(line.split(":", 1)[1].strip() for line in info.splitlines()
                if line.startswith("Title:"))


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_file_title_names_the_period_and_office(world, tmp_path, lang) -> None:
    """A reader's window named every pack "Semester review pack" and a sheet "Status
    sheet: Mali", whatever the semester."""
    sheet = build_status_sheet(world, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang)
    pack = build_review_pack(world, PERIOD, tmp_path / "p.pdf", lang=lang)
    period = format_period(PERIOD, lang)
    assert period in _pdf_title(sheet) and office_name("ML", lang) in _pdf_title(sheet)
    assert period in _pdf_title(pack)
    if lang == "en":
        assert _pdf_title(sheet) == "Status sheet: Mali · 1st semester 2026"
        assert _pdf_title(pack) == "Semester review pack · 1st semester 2026"


def test_arabic_is_shaped_and_in_reading_order(world, tmp_path) -> None:
    pdf = build_status_sheet(world, PERIOD, "EG", out=tmp_path / "ar.pdf", lang="ar")
    raw = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    # shaped: joined presentation forms are drawn, not isolated letters; they copy
    # as the letters written (see test_reports_copied_text.py)
    from fieldplan.reports import text as tx

    assert re.search("[\ufe70-\ufefc]", tx.shape(NARRATIVES["ar"][0]))
    assert not re.search("[\ufe70-\ufefc]", raw)
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


def test_office_replicas_reads_the_offices_range_of_the_index(hq) -> None:
    """The replicas of an office's progress are found by a range of the (entity,
    entity_id, origin) index, "ML|" up to "ML}", not a substr of every progress event's
    id, and read from the index alone, not each event's row; same replicas: no id of
    another office, of another entity, or that only starts like the office's code."""
    from fieldplan.reports.common import office_replicas

    rows = [  # (origin, seq, entity, entity_id)
        ("r-ml", 1, "progress", "ML|PA1.1|2026-S1"),
        ("r-ml", 2, "progress", "ML|PA9.9|2027-S2"),
        ("r-ml2", 1, "progress", "ML|"),
        ("r-mli", 1, "progress", "MLI|PA1.1|2026-S1"),
        ("r-brace", 1, "progress", "ML{|PA1.1|2026-S1"),
        ("r-close", 1, "progress", "ML}|PA1.1|2026-S1"),
        ("r-bare", 1, "progress", "ML"),
        ("r-m", 1, "progress", "M|PA1.1|2026-S1"),
        ("r-lower", 1, "progress", "ml|PA1.1|2026-S1"),
        ("r-plan", 1, "plan", "ML|PA1.1|2026-S1"),
    ]
    with hq.conn:
        hq.conn.executemany(
            "INSERT INTO events (origin, seq, hlc, entity, entity_id, hash, body, "
            "received_at) VALUES (?, ?, 1, ?, ?, 'h', '{}', '2026-01-01T00:00:00Z')", rows
        )
    sql: list[str] = []
    hq.conn.set_trace_callback(sql.append)
    try:
        got = office_replicas(hq, "ML")
    finally:
        hq.conn.set_trace_callback(None)
    assert got == {"r-ml": 2, "r-ml2": 1}
    plan = " ".join(
        str(row[-1]) for row in hq.conn.execute("EXPLAIN QUERY PLAN " + sql[0])
    )
    assert "entity_id>? AND entity_id<?" in plan, plan
    assert "COVERING INDEX events_entity_origin" in plan, plan


def test_sheet_says_its_digest_is_the_offices_whole(world, tmp_path) -> None:
    """The footer's digest is `fieldplan digest --office ML`: a change in another
    semester changes it, so the sheet does not say it identifies only what it prints."""
    pdf = build_status_sheet(world, PERIOD, "ML", out=tmp_path / "s.pdf")
    text = pdf_text(pdf)
    assert "'fieldplan digest --office ML'" in text
    assert "not only this sheet's" in text and "identify the data printed here" not in text


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


def test_pack_progress_moves_with_each_page_laid_out(world, tmp_path) -> None:
    """Laying out a big pack takes seconds a pass: its progress was said before each
    pass only ("Laying out pages", the bar still). Each page of each pass is said now,
    the steps rising within the layout's share; raising from progress (the user
    cancelled) stops the layout there, and no file is written."""
    from fieldplan.reports import common as cm

    said: list[tuple[int, int, str]] = []
    pdf = build_review_pack(world, PERIOD, tmp_path / "pack.pdf",
                            progress=lambda d, t, label: said.append((d, t, label)))
    count = pages(pdf)
    laid = [(d, label) for d, t, label in said if label.startswith("Laying out page ")]
    # every page of the two passes: the first does not know the count yet
    assert [label for _d, label in laid] == (
        [f"Laying out page {n}" for n in range(1, count + 1)]
        + [f"Laying out page {n} of {count}" for n in range(1, count + 1)])
    steps = [d for d, _t, _label in said]
    assert steps == sorted(steps) and {t for _d, t, _label in said} == {cm.STEPS}
    assert said[-1] == (cm.STEPS, cm.STEPS, "Done")
    assert laid[0][0] >= cm.GATHER_STEPS and laid[-1][0] < cm.STEPS
    assert len({d for d, _label in laid}) > count  # the bar moves, page by page

    class Cancelled(Exception):
        pass

    calls = []

    def cancel_at_third_page(done: int, total: int, label: str) -> None:
        calls.append(label)
        if label == "Laying out page 3":
            raise Cancelled

    out = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        build_review_pack(world, PERIOD, out, progress=cancel_at_third_page)
    assert calls[-1] == "Laying out page 3" and not out.exists()
    assert list(tmp_path.glob("cancelled*")) == []


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
    # the matrix's notes explain a table that is not there
    assert "Each cell shows the status needing most attention" not in text
    assert "None known" in text or "no late, quarantined or conflicting data" in text


def test_the_summary_chart_says_it_leaves_out_the_actions_with_no_report(hq, tmp_path) -> None:
    """The bars were shorter than the table's totals, and nothing said why."""
    write_progress(hq, "ML", PERIOD, only=3)
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"), 3)
    assert ("Actions with no report are not drawn; the table's “No report” column counts "
            "them.") in text


def test_a_pack_printed_before_the_deadline_does_not_say_nothing_came_after_it(
        hq, tmp_path, clock) -> None:
    """Printed before the reports are due, the pack said "no data arrived after the
    deadline (30 Jan 2027)" of a deadline still weeks away: as if the data were all in."""
    deadline = format_date(check_deadline(hq.plan(), "2026-S2", None), "en")
    clock("2026-12-06")
    text = " ".join(pdf_text(build_review_pack(hq, "2026-S2", tmp_path / "early.pdf")).split())
    assert f"None known: the deadline ({deadline}, which ends at " in text
    assert " UTC) has not passed yet, no bundle" in text
    assert "arrived after" not in text
    clock("2027-02-01")
    text = " ".join(pdf_text(build_review_pack(hq, "2026-S2", tmp_path / "late.pdf")).split())
    assert f"None known: no data arrived after the deadline ({deadline}, which ended at " \
        in text


def test_the_deadline_passes_at_this_computers_midnight(hq, tmp_path, clock, monkeypatch):
    """As for late data (the deadline's day ends at local midnight): in Dhaka, at 2:00
    on the day after the deadline, the pack said it had not passed (UTC's date)."""
    import time

    deadline = check_deadline(hq.plan(), "2026-S2", None)
    monkeypatch.setenv("TZ", "Asia/Dhaka")
    time.tzset()
    try:
        clock(f"{deadline.isoformat()}T20:00")  # 2:00 the next day in Dhaka
        pack = build_review_pack(hq, "2026-S2", tmp_path / "p.pdf")
        text = " ".join(pdf_text(pack).split())
        assert "no data arrived after the deadline" in text
        # when it ended, as the pack prints times (in UTC): Dhaka's midnight after it
        ended = format_date(deadline, "en") + ", 18:00:00 UTC"
        assert f"({format_date(deadline, 'en')}, which ended at {ended})" in text
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_pack_lists_conflicts_in_its_language(world, tmp_path, monkeypatch, lang) -> None:
    """Fields and values read as the conflicts list reads them: a status by its word,
    an indicator by its title, a number in the language's form."""
    from fieldplan import sync
    from fieldplan.i18n import field_label, format_number
    from fieldplan.sync.conflicts import Candidate, Conflict

    def conflict(field: str, first, second) -> Conflict:
        return Conflict(
            field,
            "progress",
            f"ML|PA1.1|{PERIOD}",
            field,
            (
                Candidate("r1:3", "r1:3", first, "a", "2026-07-01T00:00:00+00:00", True),
                Candidate("r2:4", "r2:4", second, "b", "2026-07-02T00:00:00+00:00", False),
            ),
        )

    fakes = [conflict("status", "on-track", "off-track"),
             conflict("value.policies-supported", 1500, 2500),
             # each value reads in its own direction
             conflict("achievements", "تم تدريب المفتشين.", "Inspectors trained (draft).")]
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: fakes)
    text = pdf_text(build_review_pack(world, PERIOD, tmp_path / "c.pdf", lang=lang))
    assert "on-track" not in text and "policies-supported" not in text
    indicator = world.plan().action("PA1.1").indicator("policies-supported").title.get(lang)
    for word in (field_label("status", lang), status_label("on-track", lang),
                 status_label("off-track", lang), format_number(1500, lang),
                 format_number(2500, lang), " ".join(indicator.split()[:2])):
        word = " ".join(unicodedata.normalize("NFKC", word).split())  # as pdf_text reads
        assert word in text, word
    assert "Inspectors trained (draft)." in text and "تم تدريب المفتشين" in text
    if lang == "en":
        assert "Open conflicts" in text
        # each value with the computer and person that wrote it, the one printed marked
        assert ("On track Computer r1, a (shown in this pack) Off track Computer r2, b "
                in text)
        assert "1,500 Computer r1, a (shown in this pack) 2,500 Computer r2, b" in text
        assert text.count("(shown in this pack)") == 3


def test_pack_greys_the_computer_under_each_competing_value(hq) -> None:
    """Value, computer, value, computer on lines of one style: "Computer a97b7e83,
    Moussa (shown in this pack)" read as well as the value under it as the one above
    it. The computer under each value is greyed, the values stand out."""
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack
    from fieldplan.sync.conflicts import Candidate, Conflict

    pack = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1)
    cell = pack._candidates(Conflict("c1", "progress", f"ML|PA1.1|{PERIOD}", "percent", (
        Candidate("r1:3", "r1:3", 30, "a", "2026-07-01T00:00:00+00:00", True),
        Candidate("r2:4", "r2:4", 45, "b", "2026-07-02T00:00:00+00:00", False))))
    assert [(f.text, f.style is cm.MUTED_SMALL) for f in cell] == [
        ("30%", False), ("Computer r1, a (shown in this pack)", True),
        ("45%", False), ("Computer r2, b", True)]


def test_pack_tables_give_only_values_their_own_direction(world, monkeypatch) -> None:
    """In the Arabic pack's exchange tables, the report's own text (an office, a field,
    a reason that starts with a file name) is in the report's direction; a value (a
    narrative, a file name) reads in its own."""
    from fieldplan import sync
    from fieldplan.reports.common import USER
    from fieldplan.sync.conflicts import Candidate, Conflict

    fake = Conflict("c1", "progress", f"ML|PA1.1|{PERIOD}", "achievements", (
        Candidate("r1:3", "r1:3", "Met the ministry (وزارة الداخلية).", "a",
                  "2026-07-01T00:00:00+00:00", True),
        Candidate("r2:4", "r2:4", "تم", "b", "2026-07-02T00:00:00+00:00", False)))
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [fake])
    table = next(f for f in _pack(world, "ar").sync_section() if hasattr(f, "_cellvalues"))
    office, action, field, values = reversed(table._cellvalues[1])  # mirrored columns
    assert (office[0].base_dir, action[0].base_dir, field[0].base_dir) == (None, None, None)
    # a value, its computer (a line in the report's language), the next value, …
    assert [v.base_dir for v in values] == [USER, None, USER, None]
    for v in values:
        v.wrap(400, 1000)
    assert [v._lines[0][1] for v in values] == ["L", "R", "R", "R"]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pack_lists_missing_events_as_read(world, tmp_path, monkeypatch, lang) -> None:
    """One missing event is "7", not "7–7"; a range reads "41–57" in Arabic too (it
    printed as "57–41")."""
    from fieldplan import sync
    from fieldplan.sync.exchange import Gap

    gaps = [Gap("a" * 32, "ML", 7, 7), Gap("b" * 32, "SN", 41, 57)]
    monkeypatch.setattr(sync, "list_gaps", lambda rep: gaps)
    text = pdf_text(build_review_pack(world, PERIOD, tmp_path / "g.pdf", lang=lang))
    assert "41–57" in text and "57–41" not in text
    assert "7–7" not in text and re.search(r"\baaaaaaaa 7\b|\b7 aaaaaaaa\b", text), text


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


def test_period_past_the_plan_is_said_as_progress_set_says_it(world, tmp_path) -> None:
    """The plan ends on 2027-12-31: none of 2028-S1's days are in it, so no report may
    say they are "reported in 2027-S2" (the plan's own check, with its dates)."""
    expected = "period 2028-S1 is outside the plan (2025-S2 … 2027-S2)"
    with pytest.raises(ValidationError) as sheet:
        build_status_sheet(world, "2028-S1", "ML", out=tmp_path / "s.pdf")
    with pytest.raises(ValidationError) as pack:
        build_review_pack(world, "2028-S1", tmp_path / "r.pdf")
    with pytest.raises(ValidationError) as plan:
        world.plan().check_period("2028-S1")
    assert str(sheet.value) == str(pack.value) == str(plan.value) == expected
    # before the plan's start (2025-06-21) the days that are in it are still said
    with pytest.raises(ValidationError, match="its days from 21 Jun 2025 are reported in "
                       "2025-S2"):
        build_review_pack(world, "2025-S1", tmp_path / "r.pdf")


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


# --- text: bidi order, direction, shortening -----------------------------------------


def _visual_rtl(text: str) -> str:
    """A right-to-left line in visual order, presentation forms folded back."""
    from fieldplan.reports import text as tx

    return unicodedata.normalize("NFKC", tx.visual(tx.shape(text), "R"))


def test_numbers_keep_their_percent_sign_in_arabic() -> None:
    # drawn left to right: the last figure leftmost, each with its % on its right
    assert _visual_rtl("61% من 70%") == "70% نم 61%"
    assert _visual_rtl("4% من 4%") == "4% نم 4%"
    assert _visual_rtl("المتوسط 54%").startswith("54% ")
    assert _visual_rtl("1,480 من 4,000 شخص").split()[1:] == ["4,000", "نم", "1,480"]
    # French-style percent with a narrow no-break space, a sign, a per-mille
    assert _visual_rtl("تغير -12.5\u202f%").startswith("-12.5 % ")  # NFKC: a space
    assert _visual_rtl("نسبة 3‰").startswith("3‰ ")


def test_number_marks_leave_codes_alone() -> None:
    from fieldplan.reports.text import keep_numbers

    assert keep_numbers("PA2.3 a1", "R") == ("PA2.3 a1", {})
    line, tokens = keep_numbers("نسبة 45%", "R")
    assert line == "نسبة " + next(iter(tokens)) and list(tokens.values()) == ["45%"]
    # already in a Latin run
    assert keep_numbers("Progress 45%", "R") == ("Progress 45%", {})
    # a stand-in is never a letter the line holds
    line, tokens = keep_numbers("\u05d0 نسبة 45%", "L")
    assert "\u05d0" not in tokens and list(tokens.values()) == ["45%"]
    # the marks never reach the PDF
    assert not _BIDI_MARKS.search(_visual_rtl("نسبة 45% PA2.3"))


def test_numbers_and_dates_keep_their_place_in_arabic() -> None:
    # a babel date with its own marks, a time, a percent next to a fraction
    assert _visual_rtl("27\u200f/11\u200f/2026، 11:46:51 م UTC") == \
        "UTC م 11:46:51 ،2026/11/27"
    assert _visual_rtl("المتوسط 54% — 12/12") == "12/12 — 54% طسوتملا"
    assert _visual_rtl("رصيد -5% هذا") == "اذه -5% ديصر"
    assert _visual_rtl("Progress 40% done") == "Progress 40% done"


def _visual(text: str, base_dir: str) -> str:
    from fieldplan.reports import text as tx

    return unicodedata.normalize("NFKC", tx.visual(tx.shape(text), base_dir))


def test_arabic_in_a_left_to_right_paragraph_keeps_its_order() -> None:
    """An Arabic sentence after a code in an English or French report: marks around
    "70%" cut its run in two, and the phrases printed swapped ("…تم70%ي…")."""
    text = "PA2.3: تم تدريب 54 موظفًا، أي 70% من الهدف السنوي."
    arabic = "يونسلا فدهلا نم 70% يأ ،اًفظوم 54 بيردت مت"
    assert _visual(text, "L") == "PA2.3: " + arabic + "."
    assert _visual(text, "R") == "." + arabic + " :PA2.3"
    # the same with the French percent and a range
    assert _visual("PA2.3 : أي 70\u202f% من 41–57", "L") == "PA2.3 : 41–57 نم 70 % يأ"


def test_codes_and_ranges_read_left_to_right_in_arabic() -> None:
    """"2026-S1" printed as "S1-2026" and the plan's "2025–2027" as "2027–2025" in
    right-to-left text."""
    # drawn left to right: the last word leftmost, each code as written
    assert _visual_rtl("الفترة 2026-S1 من خطة 2025–2027") == \
        "2025–2027 ةطخ نم 2026-S1 ةرتفلا"
    assert _visual_rtl("مكتب RO-Dakar في PA1.6 للفترة 2026-S2") == \
        "2026-S2 ةرتفلل PA1.6 يف RO-Dakar بتكم"
    assert _visual_rtl("41–57") == "41–57"
    assert _visual_rtl("الأحداث 41-57 و 1,480–2,000 و 10-20%") == \
        "10-20% و 1,480–2,000 و 41-57 ثادحلأا"
    assert _visual_rtl("التاريخ 2026-03-12") == "2026-03-12 خيراتلا"
    # in a left-to-right paragraph, after Arabic words, as well
    assert _visual("Plan: خطة 2025–2027 للفترة 2026-S1", "L") == \
        "Plan: 2026-S1 ةرتفلل 2025–2027 ةطخ"
    # after Latin text they belong to its run already
    assert _visual_rtl("Plan 2025–2027") == "Plan 2025–2027"


def test_arabic_report_text_is_right_to_left_even_when_it_starts_with_latin() -> None:
    from fieldplan.reports import text as tx
    from fieldplan.reports.common import TextFlow
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    title = "PA1 — حوكمة الهجرة وبيانات الهجرة"
    flow = TextFlow(title, rtl=True)
    flow.wrap(90, 1000)  # narrow: the title wraps
    lines = flow._lines
    assert len(lines) >= 2 and all(d == "R" for _line, d in lines)
    # the code starts the first line, at its right end; the words follow in order
    first = unicodedata.normalize("NFKC", lines[0][0])
    assert first.endswith("— PA1")
    assert "ةمكوح" in first  # the first word after the code, on the first line
    # the same as one line (running header, chart labels)
    assert unicodedata.normalize("NFKC", tx.one_line(title, "R")).endswith("— PA1")
    # text a person wrote keeps its own direction: English in an Arabic report
    assert tx.layout("Funding arrived late.", REGULAR, 8, 500, "auto", "R")[0][1] == "L"
    assert tx.layout("تأخر التمويل PA1", REGULAR, 8, 500, "auto", "R")[0][1] == "R"
    # with no letter at all, the report's
    assert tx.layout("12 / 40", REGULAR, 8, 500, "auto", "R")[0][1] == "R"


def test_a_narrative_reads_in_its_own_direction() -> None:
    """An English narrative naming an Arabic ministry, in an Arabic report, was laid out
    right to left for its one Arabic word: its phrases came out in reverse order."""
    from fieldplan.reports import text as tx
    from fieldplan.reports.common import USER, TextFlow
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    text = "Field teams met the ministry (وزارة الداخلية) and approved 3 procedures."
    [(line, d)] = tx.layout(text, REGULAR, 8, 1000, "auto", "R")
    assert d == "L"
    line = unicodedata.normalize("NFKC", line)
    assert line.startswith("Field teams met the ministry (") and line.endswith(
        ") and approved 3 procedures.")
    # each paragraph its own: an Arabic one after it; a code first leaves an Arabic
    # one right to left (most of its letters are Arabic: test_report_narrative_direction)
    second = "تم اعتماد 3 إجراءات"
    assert [d for _l, d in tx.layout(text + "\n" + second, REGULAR, 8, 1000, "auto", "R")] \
        == ["L", "R"]
    assert tx.layout("PA1 تأخر التمويل", REGULAR, 8, 1000, "auto", "L")[0][1] == "R"
    # the report's own text stays in the report's direction
    flow = TextFlow("PA1 — حوكمة الهجرة", rtl=True)
    flow.wrap(500, 100)
    assert flow._lines[0][1] == "R"
    flow = TextFlow(text, rtl=True, base_dir=USER)
    flow.wrap(1000, 100)
    assert flow._lines[0][1] == "L"


def test_shortened_text_has_no_doubled_punctuation() -> None:
    from fieldplan.reports.text import truncate

    short, cut = truncate("Les activités restantes. Étendre la formation", 30)
    assert cut and short == "Les activités restantes…"
    short, cut = truncate("أنجزت الأنشطة المتبقية، وتوسيع التدريب", 24)
    assert cut and short == "أنجزت الأنشطة المتبقية…"


def test_lines_never_break_at_a_no_break_space() -> None:
    """French puts a no-break space before ":" and "%", and groups thousands with a
    narrow one: "période :" came apart at the end of a line of the review pack, its
    colon alone on the next line, as "45 %" or "4 000" did (``str.split()`` splits at
    U+00A0 and U+202F like at any space)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    nbsp, narrow = "\u00a0", "\u202f"
    start = "qui n’ont soumis aucun rapport pour cette période"
    width = stringWidth(start, REGULAR, 9) + 1  # the words fit; the colon would not
    for tail in (nbsp + ":", narrow + "%", narrow + "000"):
        lines = tx.break_lines(start + tail, REGULAR, 9, width)
        assert len(lines) == 2 and lines[1] == "période" + tail, lines
        assert all(stringWidth(line, REGULAR, 9) <= width for line in lines)
    # measured with its no-break space: a word that does not fit goes down whole
    assert tx.break_lines("a b" + nbsp + "c", REGULAR, 9, stringWidth("a b", REGULAR, 9)) == \
        ["a", "b" + nbsp + "c"]
    assert tx.words("4" + narrow + "000 a\tb  c\u2003d") == ["4" + narrow + "000", "a", "b",
                                                              "c", "d"]
    # shortened text is cut at a space where a line may break, never inside "4 000"
    short, cut = tx.truncate("Personnes formées 4" + narrow + "000 sur 12" + narrow + "500", 21)
    assert cut and short == "Personnes formées…"
    assert tx.one_line("Total" + nbsp + ": 45" + narrow + "%") == "Total" + nbsp + ": 45" + \
        narrow + "%"


def test_arabic_text_still_wraps() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR, register_fonts

    register_fonts()
    text = "أنجزت الأنشطة المتبقية وتوسيع التدريب إلى ثلاث محافظات جديدة بنسبة 45% من 4,000"
    lines = tx.layout(text, REGULAR, 9, 120, "R")
    assert len(lines) >= 3 and all(d == "R" for _line, d in lines)
    assert all(stringWidth(line, REGULAR, 9) <= 120 for line, _d in lines)
    # every word is drawn once, in a line of its own direction
    drawn = " ".join(unicodedata.normalize("NFKC", line) for line, _d in lines)
    assert sorted(drawn.split()) == sorted(
        unicodedata.normalize("NFKC", tx.visual(tx.shape(text), "R")).split())


# --- report data ---------------------------------------------------------------------


def _pack(rep, lang: str = "en", period: str = PERIOD):
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import Pack

    ctx = cm.make_ctx(rep, period, lang, "A4")
    return Pack(rep, ctx, None, 1)


def test_pack_counts_drafts_apart_and_says_it_is_provisional(hq, tmp_path) -> None:
    n_ml = write_progress(hq, "ML", PERIOD)  # submitted
    n_sn = write_progress(hq, "SN", PERIOD, state="draft", only=5)
    pack = _pack(hq)
    assert (pack.submitted, pack.drafts) == (n_ml, n_sn)
    assert pack.reported == ["ML"]
    # headquarters reports on the plan's global actions: expected, and not reported,
    # but said apart from the offices (it is no office that reports to itself)
    assert pack.not_reported_offices == ["SN"] and pack.hq_not_reported
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "Offices that reported: 1 of 2" in text
    assert ("Headquarters has submitted none of its own reports on the global actions "
            "for this period.") in " ".join(text.split())
    assert f"{n_ml} submitted reports" in text
    assert "5 drafts not yet submitted" in text
    assert "Provisional: these figures include 5 draft reports" in text
    # the matrix shows SN's drafts; SN is listed as not reported, with its drafts
    assert "Senegal (SN)" in text and "0/12 5 drafts" in text


def test_the_packs_cover_prints_its_warnings_no_smaller_than_its_facts_need(hq) -> None:
    """"Provisional: …" in 7 points under the cover's facts in 11 was the smallest print
    of the page, easy to pass over on the page a meeting starts from."""
    from fieldplan.reports import common as cm

    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "SN", PERIOD, state="draft", only=5)
    [note] = [f for f in _pack(hq).cover()
              if isinstance(f, cm.TextFlow) and f.text.startswith("Provisional:")]
    assert note.style.size >= 9


def test_pack_expects_headquarters_on_the_global_actions(hq, tmp_path) -> None:
    """Global actions are headquarters' to report on, but the pack never expected HQ:
    its report was counted against none expected ("PA1.6 … Global 1/0"), the summary's
    "No report" and "Total" were one short, and HQ had no row, no sheet, and no place
    among the offices that reported. Its reports count in every table; the cover's
    count of offices that reported leaves it out (it is no office that reports to
    itself)."""
    from fieldplan import events, store

    plan = hq.plan()
    national = plan.actions_of(level="national")
    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "HQ", PERIOD, only=1)
    first_global = plan.actions_of(level="global")[0]
    # a report of an office code this version does not know: expected for nothing
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", f"ZZ|{national[0].code}|{PERIOD}",
                      {"status": "on-track", "percent": 10, "state": "submitted"},
                      author="zz.officer")
    pack = _pack(hq)
    # headquarters' own reports after the offices', set apart (the cover's count of
    # offices leaves it out)
    assert pack.offices == ["ML", "HQ"] and pack.reported == ["ML", "HQ"]
    assert [s.office for s in pack.sheets] == ["ML", "HQ"]
    assert "ZZ" not in pack.by_office and pack.submitted == len(national) + 1
    assert pack.unknown == {"ZZ": 1}
    for area in plan.areas:
        # each expected office's actions of its level in the area, nobody else's
        assert pack._expected(area.code) == len(plan.actions_of(area=area.code, level="national")) \
            + len(plan.actions_of(area=area.code, level="global"))
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "Offices that reported: 1 of 1" in text and not pack.hq_not_reported
    assert "Headquarters has submitted none" not in text
    # left out, but not silently: the data export's total has it
    assert ("1 report of an office this version of fieldplan does not know (ZZ) is not "
            "counted; a data export lists it") in text
    assert "Every known office has reported for this period." in text
    globals_ = len(plan.actions_of(level="global"))
    assert "Headquarters (HQ) " in text and f" 1/{globals_} " in text  # matrix row
    assert re.search(rf"{re.escape(first_global.code)} .*? Global 1/1 ", text)
    assert not re.search(r"\b\d+/0\b", text)  # regional actions: "–", no office expected
    assert "Data digest of HQ" in text  # its sheet in the annex
    # every area's total is the reports expected there: one per office and action
    summary = text[text.rindex("Summary by area"):]  # the section, after the contents
    summary = summary[:summary.index("Offices × areas")]
    for area in plan.areas:
        # six statuses, "No report", "Total"
        row = re.search(rf"{area.code} — \D*((?:\d+ ){{7}}\d+)", summary)
        *statuses, none, total = map(int, row.group(1).split())
        assert total == pack._expected(area.code) == sum(statuses) + none, row.group(0)
        assert sum(statuses) == sum(1 for r in pack.reports if r.action.startswith(area.code + "."))


def test_pack_expects_an_office_only_on_a_level_the_plan_has(hq, tmp_path) -> None:
    """HQ installed a plan without regional actions: the cover still said "Offices that
    reported: 1 of 3" and listed the regional office enrolled (RO-Bangkok) among those
    that have not reported, on actions it could not report on. One rule for every
    office: expected only when the plan has actions of its level."""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan
    from fieldplan.sync import enroll_office, lock_check
    from fieldplan.sync.export import expected_offices

    enroll_office(hq, "RO-Bangkok", tmp_path / "ro-setup.fieldplan")
    write_progress(hq, "ML", PERIOD)
    plan = hq.plan()
    assert plan.actions_of(level="regional")
    assert expected_offices(hq, plan) == ["HQ", "RO-Bangkok", "ML"]
    path = tmp_path / "plan-v2.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, actions=tuple(
        a for a in plan.actions if a.level != "regional")), path)
    replace_plan(hq, path, allow_hiding=True)
    hq.conn.commit()
    assert expected_offices(hq, hq.plan()) == ["HQ", "ML"]
    pack = _pack(hq)
    assert pack.not_reported_offices == [] and pack.hq_not_reported
    check = lock_check(hq, PERIOD)
    assert (check.offices, check.unsubmitted, check.hq_unsubmitted) == (1, 0, True)
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf"))
    assert "Offices that reported: 1 of 1" in text and "RO-Bangkok" not in text
    # and a plan without national actions awaits no country office, HQ alone
    dump_plan(dataclasses.replace(plan, version=plan.version + 2, actions=tuple(
        a for a in plan.actions if a.level == "global")), path)
    replace_plan(hq, path, allow_hiding=True)
    assert expected_offices(hq, hq.plan()) == ["HQ"]


def test_status_counts_hold_to_their_symbols() -> None:
    """"○ 4 ● 20 ▲ 15 ▼ 2 ✓ 15 ✕" ended a line of the Statuses cell, its "1" alone on
    the next; the two spaces between statuses collapsed to one."""
    from collections import Counter

    from fieldplan.i18n import format_number
    from fieldplan.reports import text as tx
    from fieldplan.reports.fonts import REGULAR, register_fonts
    from fieldplan.reports.review import status_mix

    register_fonts()
    counts = Counter({"not-started": 4, "on-track": 20, "at-risk": 15, "off-track": 2,
                      "completed": 15, "cancelled": 1140})
    mix = status_mix(counts, lambda n: format_number(n, "fr"))
    groups = ["○\u00a04", "●\u00a020", "▲\u00a015", "▼\u00a02", "✓\u00a015",
              "✕\u00a01\u202f140"]
    assert mix == "\u2007 ".join(groups)
    assert status_mix(Counter(), str) == "–"
    from fieldplan.reports.fonts import string_width

    widest = max(string_width(g + "\u2007", REGULAR, 7) for g in groups)
    for width in range(int(widest) + 1, 160, 5):  # down to one status a line
        lines = tx.break_lines(mix, REGULAR, 7, width)
        pieces = [w.rstrip("\u2007") for line in lines for w in tx.words(line)]
        assert pieces == groups, (width, lines)
        # a gap wider than one space between statuses on a line
        assert all(line.count("\u2007 ") == len(tx.words(line)) - 1 for line in lines)


def test_pack_tables_write_counts_as_the_language_does(hq, tmp_path, monkeypatch) -> None:
    """The summary's counts and the "reports of expected" cells were str(n), and French
    would print "1140" for "1 140"."""
    from fieldplan.reports.review import Pack

    write_progress(hq, "ML", PERIOD)
    write_progress(hq, "HQ", PERIOD, only=1)
    monkeypatch.setattr(Pack, "_n", lambda self, n: f"#{n}")
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang="fr"))
    summary = text[text.rindex("Synthèse par domaine"):]
    assert re.search(r"PA1 — \D*(#\d+ ){7}#\d+ PA2", summary)  # every count formatted
    assert re.search(r"#\d+/#\d+", text)  # matrix and detail
    assert not re.search(r"(?<![#\d])\d+/#|#\d+/\d", text)


def test_mean_progress_leaves_out_cancelled_actions() -> None:
    from fieldplan.model import ProgressReport
    from fieldplan.reports.review import mean_progress

    def report(status: str, percent: int) -> ProgressReport:
        fields = {f: None for f in ProgressReport.__dataclass_fields__}
        fields.update(status=status, percent=percent)
        return ProgressReport(**fields)

    assert mean_progress([report("on-track", 60), report("cancelled", 0)]) == 60
    assert mean_progress([report("cancelled", 0)]) is None


def test_late_data_counts_events_of_the_period_by_office(hq) -> None:
    from fieldplan.reports.review import _late_data

    write_progress(hq, "SN", PERIOD, only=3)
    write_progress(hq, "ML", PERIOD, only=2)
    write_progress(hq, "ML", "2026-S2", only=4)  # another period: not counted
    # as if other replicas' bundles had brought them after the end of the period
    hq.conn.execute("PRAGMA foreign_keys = OFF")
    hq.conn.execute(
        "UPDATE events SET origin = 'r-' || substr(entity_id, 1, 2), "
        "received_at = '2026-08-01T10:00:00Z' WHERE entity = 'progress'"
    )
    # ML's S2 events came a day later, in a bundle of their own
    hq.conn.execute("UPDATE events SET received_at = '2026-08-02T09:00:00Z' "
                    "WHERE entity_id LIKE 'ML|%|2026-S2'")
    late = _late_data(hq, PERIOD, "2026-06-30", [])
    assert [(d.office, d.reports, d.events) for d in late] == [("ML", 2, 2), ("SN", 3, 3)]
    assert _late_data(hq, PERIOD, "2026-08-01", []) == []
    # the files named are the ones that brought this period's events
    from types import SimpleNamespace

    inbox = [SimpleNamespace(file=f, office="ML", outcome="merged", events_new=2, received_at=t)
             for f, t in (("ML-1.fieldplan", "2026-08-01T10:00:01Z"),
                          ("ML-2.fieldplan", "2026-08-02T09:00:00Z"))]
    [ml] = [d for d in _late_data(hq, PERIOD, "2026-06-30", inbox) if d.office == "ML"]
    assert ml.files == ("ML-1.fieldplan",)


def _late_world(hq, make_office, tmp_path: Path):
    """Two laptops of Mali: one reported on 2025-S2 only, the other on 2026-S1 only;
    then the first reported on 2026-S1 too and exported again (its first report
    rides along, HQ not having acknowledged it). HQ imports all three in one command,
    within one second."""
    from fieldplan import progress
    from fieldplan.sync import export_bundle, import_bundles

    a, b = make_office("ML"), make_office("ML")
    acts = [x.code for x in a.plan().actions_of(level="national")]
    progress.record_progress(a, acts[0], "2025-S2", status="on-track", percent=30)
    progress.record_progress(b, acts[1], "2026-S1", status="at-risk", percent=10)
    usb = tmp_path / "usb"
    usb.mkdir()
    first = export_bundle(a, out_file=usb / "only-2025-S2.fieldplan").path
    other = export_bundle(b, out_file=usb / "only-2026-S1.fieldplan").path
    progress.record_progress(a, acts[2], "2026-S1", status="on-track", percent=50)
    again = export_bundle(a, out_file=usb / "again.fieldplan").path
    outcomes = import_bundles(hq, [first, other, again])
    assert [(o.outcome, o.events_new) for o in outcomes] == [("merged", 1)] * 3
    return first, other, again


def test_late_data_names_only_the_files_that_brought_it(hq, make_office,
                                                        tmp_path: Path) -> None:
    """Files were matched to late events by import time (two seconds either way): a
    bundle of 2026-S1 data only was named under 2025-S2 when imported in the same
    command. Each event now knows the import that brought it."""
    from fieldplan.reports.review import _late_data
    from fieldplan.sync import list_inbox

    _late_world(hq, make_office, tmp_path)
    [ml] = _late_data(hq, "2025-S2", "2025-12-31", list_inbox(hq))
    assert (ml.office, ml.reports, ml.events, ml.files) == (
        "ML", 1, 1, ("only-2025-S2.fieldplan",))
    received = {r[0] for r in hq.conn.execute("SELECT received_at FROM inbox")}
    assert ml.received_at in received  # the import's one time, its inbox line's too
    text = pdf_text(build_review_pack(hq, "2025-S2", tmp_path / "r.pdf"))
    late = text[text.index("Data received after the deadline (30 Jan 2026, which ended at"):]
    assert "only-2025-S2.fieldplan" in late
    assert "only-2026-S1.fieldplan" not in text and "again.fieldplan" not in text


def test_late_means_after_the_deadline(hq, make_office, tmp_path: Path) -> None:
    """Every semester's data arrives after it ends: the pack lists what came after the
    day reports were due, by default 30 days after the period's end."""
    import datetime as dt

    from fieldplan.errors import ValidationError
    from fieldplan.reports import default_deadline

    plan = hq.plan()
    assert default_deadline(plan, "2025-S2") == dt.date(2026, 1, 30)
    assert default_deadline(plan, "2027-S2") == dt.date(2028, 1, 30)
    _late_world(hq, make_office, tmp_path)
    received = hq.conn.execute("SELECT max(received_at) FROM inbox").fetchone()[0]
    day = dt.date.fromisoformat(received[:10])
    # due the day the bundles came: on time
    text = pdf_text(build_review_pack(hq, "2025-S2", tmp_path / "a.pdf", deadline=day))
    assert "Data received after the deadline" not in text
    assert "only-2025-S2.fieldplan" not in text
    # due the day before: late
    text = pdf_text(build_review_pack(hq, "2025-S2", tmp_path / "b.pdf",
                                      deadline=day - dt.timedelta(days=1)))
    assert "only-2025-S2.fieldplan" in text[text.index("Data received after the deadline"):]
    with pytest.raises(ValidationError, match="before the end of 2nd semester 2025"):
        build_review_pack(hq, "2025-S2", tmp_path / "c.pdf", deadline=dt.date(2025, 12, 30))
    assert not (tmp_path / "c.pdf").exists()


def test_late_data_names_each_file_once(hq, make_office, tmp_path: Path) -> None:
    """A laptop that writes each export to the same name: the files of that name that
    brought the period's events are one line of the table."""
    from fieldplan import progress
    from fieldplan.reports.review import _late_data
    from fieldplan.sync import export_bundle, import_bundle, list_inbox

    ml = make_office("ML")
    acts = [x.code for x in ml.plan().actions_of(level="national")]
    for i, folder in enumerate(("monday", "friday")):
        progress.record_progress(ml, acts[i], "2025-S2", status="on-track")
        (tmp_path / folder).mkdir()
        path = export_bundle(ml, out_file=tmp_path / folder / "ML.fieldplan").path
        assert import_bundle(hq, path).events_new == 1
    [late] = _late_data(hq, "2025-S2", "2025-12-31", list_inbox(hq))
    assert (late.events, late.files) == (2, ("ML.fieldplan",))


def test_late_data_of_reports_changed_several_times(hq, make_office, tmp_path: Path) -> None:
    """The late events are counted in the database, grouped by report, each report's
    imports apart (a million-event headquarters held its 200,000 late events in memory
    at once): each event counts, each report once, each file once in the order of its
    import, with the files of events whose import is not known found by their time."""
    from fieldplan import progress
    from fieldplan.reports.review import _late_data
    from fieldplan.sync import export_bundle, import_bundle, list_inbox

    ml, sn = make_office("ML"), make_office("SN")
    acts = [x.code for x in ml.plan().actions_of(level="national")]
    files = []
    for n, (rep, saves) in enumerate(((ml, (0, 0, 1)), (ml, (0, 2)), (sn, (0, 0, 0)),
                                      (ml, (1,)))):
        for i, act in enumerate(saves):
            progress.record_progress(rep, acts[act], "2025-S2", status="on-track",
                                     percent=10 * (n + i))
        progress.record_progress(rep, acts[3], "2026-S1", status="on-track")  # not counted
        (tmp_path / f"b{n}").mkdir()
        path = export_bundle(rep, out_file=tmp_path / f"b{n}" / f"{n}.fieldplan").path
        assert import_bundle(hq, path).outcome == "merged"
        files.append(path.name)
    inbox = list_inbox(hq)
    # SN's events of its import stored before events knew their import
    hq.conn.execute("UPDATE events SET inbox_id = NULL WHERE entity_id LIKE 'SN|%'")
    events = {office: hq.conn.execute(
        "SELECT count(*) FROM events WHERE entity_id LIKE ?", (f"{office}|%|2025-S2",)
    ).fetchone()[0] for office in ("ML", "SN")}
    assert events["ML"] > 3 and events["SN"] > 1  # several of a report, of an import
    [ml_late, sn_late] = _late_data(hq, "2025-S2", "2025-12-31", inbox)
    assert (ml_late.office, ml_late.reports, ml_late.events, ml_late.files) == (
        "ML", 3, events["ML"], (files[0], files[1], files[3]))
    assert (sn_late.office, sn_late.reports, sn_late.events, sn_late.files) == (
        "SN", 1, events["SN"], (files[2],))
    last = {office: max(e.received_at for e in inbox if e.office == office)
            for office in ("ML", "SN")}
    assert (ml_late.received_at, sn_late.received_at) == (last["ML"], last["SN"])


def test_late_data_groups_the_events_as_the_index_gives_them(hq) -> None:
    """SQLite groups the late events as the event log's index gives them, report by
    report, with no sort: grouped by report and import, every late event was sorted
    first, in memory (a million-event headquarters, 200,000 late events of a period:
    15 MB more than the pack of an empty one)."""
    from fieldplan.reports.late import LATE_SQL as _LATE_SQL

    plan = [row[3] for row in hq.conn.execute(
        "EXPLAIN QUERY PLAN " + _LATE_SQL, ("%|" + PERIOD, "2026-07-01T00:00:00Z", "r"))]
    assert any("USING INDEX events_entity_origin" in step for step in plan), plan
    assert not [step for step in plan if "GROUP BY" in step or "ORDER BY" in step], plan


def test_late_data_of_events_stored_before_imports_were_linked(hq, make_office,
                                                               tmp_path: Path) -> None:
    """A database written before events knew their import (schema 2): upgraded, its
    late events are linked to files by import time, as before; new imports exactly."""
    from fieldplan import schema
    from fieldplan.replica import open_replica
    from fieldplan.reports.review import _late_data
    from fieldplan.sync import list_inbox

    _late_world(hq, make_office, tmp_path)
    hq.conn.execute("ALTER TABLE events DROP COLUMN inbox_id")
    hq.conn.execute("DELETE FROM _sqlite_migrations WHERE name = '0003_events_inbox_id'")
    # the three imports within one second, each inbox line written just after its events
    hq.conn.execute("UPDATE events SET received_at = '2026-08-01T10:00:00Z' "
                    "WHERE received_at IN (SELECT received_at FROM inbox)")
    hq.conn.execute("UPDATE inbox SET received_at = '2026-08-01T10:00:01Z'")
    hq.conn.commit()
    path = hq.path
    hq.close()
    with open_replica(path) as rep:
        assert schema.schema_version(rep.conn) == len(schema.known_migrations())
        assert rep.conn.execute("SELECT count(inbox_id) FROM events").fetchone()[0] == 0
        [ml] = _late_data(rep, "2025-S2", "2025-12-31", list_inbox(rep))
        # imported in one second: all three files, each once
        assert ml.events == 1 and sorted(ml.files) == [
            "again.fieldplan", "only-2025-S2.fieldplan", "only-2026-S1.fieldplan"]


# --- what the plan hides --------------------------------------------------------------


def _amend(rep, tmp_path: Path, **changes) -> None:
    """HQ installs an amendment of its plan (allowed to hide reports)."""
    import dataclasses

    from fieldplan.plan import dump_plan
    from fieldplan.planops import replace_plan

    plan = rep.plan()
    path = tmp_path / f"plan-v{plan.version + 1}.json"
    dump_plan(dataclasses.replace(plan, version=plan.version + 1, **changes), path)
    replace_plan(rep, path, allow_hiding=True)


@pytest.fixture
def amended_world(hq, tmp_path):
    """Mali reported on its 12 national actions for 2026-S1 and Turkey on 2 for
    2025-S2; then an amendment dropped PA4.3, moved PA1.1 to regional and started the
    plan in 2026 (2025-S2 is outside its dates). Mali's reports on PA4.3 and PA1.1,
    and Turkey's, are hidden: 10 of Mali's show."""
    from datetime import date

    assert write_progress(hq, "ML", PERIOD) == 12
    write_progress(hq, "TR", "2025-S2", only=2)
    plan = hq.plan()
    actions = amended_actions(plan)
    _amend(hq, tmp_path, start=date(2026, 1, 1), actions=actions)
    return hq


def test_sheet_leaves_out_reports_the_plan_hides(amended_world, tmp_path) -> None:
    from fieldplan.reports.sheet import gather

    data = gather(amended_world, PERIOD, "ML")
    assert "PA1.1" not in data.reports and "PA4.3" not in data.reports
    assert len(data.reports) == 10
    text = pdf_text(build_status_sheet(amended_world, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert "Reports: 10 of 10 actions, 10 submitted" in text


def test_pack_counts_leave_out_reports_the_plan_hides(amended_world, tmp_path) -> None:
    pack = _pack(amended_world)
    assert {r.action for r in pack.reports} & {"PA1.1", "PA4.3"} == set()
    assert (pack.submitted, pack.drafts) == (10, 0)
    assert pack.sheets[0].office == "ML" and len(pack.sheets[0].reports) == 10
    # Turkey's only reports are for a period outside the plan's dates: hidden, which
    # is not "never reported"
    assert pack.last_period == {"ML": PERIOD}
    assert pack.last_hidden["TR"] == "2025-S2"
    text = pdf_text(build_review_pack(amended_world, PERIOD, tmp_path / "p.pdf"))
    assert "10 submitted reports" in text
    assert "Mali (ML)" in text and "10/10" in text and "12/10" not in text
    assert "Türkiye" in text and "2nd semester 2025 (hidden by the current plan)" in text
    # headquarters, which has no report at all, is said apart: not among the offices
    assert text.count("never") == 0 and "Headquarters HQ –" not in text
    assert ("Headquarters has submitted none of its own reports on the global actions "
            "for this period.") in " ".join(text.split())
    # PA1.1, regional now: no regional office is known, none is expected, none counted:
    # "–" as where nothing is due ("0/0" read as a count of reports none had sent)
    assert re.search(r"PA1\.1 .*? Regional – ", text)
    assert " 0/0" not in text


def test_late_data_leaves_out_reports_the_plan_hides(amended_world) -> None:
    from fieldplan.reports.review import _late_data

    amended_world.conn.execute("PRAGMA foreign_keys = OFF")
    amended_world.conn.execute(
        "UPDATE events SET origin = 'r-' || substr(entity_id, 1, 2), "
        "received_at = '2026-08-01T10:00:00Z' WHERE entity = 'progress'"
    )
    [ml] = _late_data(amended_world, PERIOD, "2026-06-30", [])
    assert (ml.office, ml.reports, ml.events) == ("ML", 10, 10)


def test_pack_marks_no_conflicting_value_of_a_hidden_report_as_shown(
        amended_world, tmp_path, monkeypatch) -> None:
    """A conflict on a report the plan hides (PA4.3, dropped) is still listed, but no
    value of it is "shown in this pack": the pack prints none; it says the plan hides
    the report. One on a report the plan shows keeps its mark."""
    from fieldplan import sync
    from fieldplan.sync.conflicts import Candidate, Conflict

    def conflict(action: str) -> Conflict:
        return Conflict(action, "progress", f"ML|{action}|{PERIOD}", "status", (
            Candidate("r1:3", "r1:3", "on-track", "a", "2026-07-01T00:00:00+00:00", True),
            Candidate("r2:4", "r2:4", "off-track", "b", "2026-07-02T00:00:00+00:00", False)))

    monkeypatch.setattr(sync, "list_conflicts",
                        lambda rep: [conflict("PA4.3"), conflict("PA1.2")])
    text = pdf_text(build_review_pack(amended_world, PERIOD, tmp_path / "c.pdf"))
    assert text.count("(shown in this pack)") == 1
    assert ("PA4.3 Status On track Computer r1, a Off track Computer r2, b The current plan "
            "hides this report: it is not in this pack.") in text
    assert "On track Computer r1, a (shown in this pack) Off track Computer r2, b" in text


def test_pack_shows_long_conflicting_texts_where_they_differ(hq, tmp_path,
                                                             monkeypatch) -> None:
    """Two long narratives differing near their end: the pack shows each around where
    they differ, as ``conflicts list`` does (cut at their start, they read alike)."""
    from fieldplan import sync
    from fieldplan.sync.conflicts import Candidate, Conflict

    common = "Training of officials in the regions continued as planned " * 3
    one, two = common + "with 40 people.", common + "with 14 people."
    monkeypatch.setattr(sync, "list_conflicts", lambda rep: [Conflict(
        "PA1.2", "progress", f"ML|PA1.2|{PERIOD}", "achievements", (
            Candidate("r1:3", "r1:3", one, "a", "2026-07-01T00:00:00+00:00", True),
            Candidate("r2:4", "r2:4", two, "b", "2026-07-02T00:00:00+00:00", False)))])
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "c.pdf"))
    # ("…" read as "..." by pdf_text's NFKC)
    assert "...in the regions continued as planned with 40 people. Computer r1" in text
    assert "...in the regions continued as planned with 14 people. Computer r2" in text


def test_values_of_a_dropped_indicator_are_said_on_the_cover(hq, tmp_path) -> None:
    """An amendment drops an indicator Mali recorded values for: the sheet and the
    pack's cover say that those values are not shown (their figure reads "–" there)."""
    from datetime import date

    assert write_progress(hq, "ML", PERIOD) == 12
    [dropped, *_] = hq.plan().action("PA2.2").indicators
    _amend(hq, tmp_path, start=date(2026, 1, 1), actions=amended_actions(
        hq.plan(), drop_indicators=frozenset({("PA2.2", dropped.key)})))
    said = ("Values of 1 indicator that the current plan no longer has are not shown; a "
            "data export lists them.")
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    assert said in sheet
    pack = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    assert said in pdf_text(pack, 1)  # the cover
    # none dropped: not said (SN enrolled: HQ refuses the sheet of an office unknown)
    from fieldplan.sync import enroll_office

    enroll_office(hq, "SN", tmp_path / "sn-setup.fieldplan")
    assert "no longer has are not shown" not in pdf_text(
        build_status_sheet(hq, PERIOD, "SN", out=tmp_path / "sn.pdf"))


def test_empty_period_says_so(hq, tmp_path) -> None:
    write_progress(hq, "ML", PERIOD)
    pdf = build_review_pack(hq, "2027-S1", tmp_path / "e.pdf")
    text = pdf_text(pdf)
    assert "No reports yet for this period: no chart." in text
    assert "No office has a report for this period: no status sheet follows." in text
    assert "0.002" not in text
    assert pages(pdf) == 5  # cover, contents, sections, detail, annex: no blank page


def test_sheet_units_agree_with_the_target() -> None:
    from fieldplan.reports import common as cm
    from fieldplan.reports.sheet import _unit

    ctx = cm.Ctx("en", translation_for("en"), None, PERIOD, (0, 0), None)
    assert _unit(ctx, "people", 150) == "people"
    assert _unit(ctx, "people", 1) == "person"
    assert _unit(ctx, "documents", 1) == "document"
    assert _unit(ctx, "count", 3) == "" and _unit(ctx, "percent", 3) == ""
    # as the figure to three decimals: "0.000001 people", "1 of 1 person"
    assert _unit(ctx, "people", 0.000001) == "people"
    assert _unit(ctx, "people", 1.0000001) == "person"
    assert _unit(ctx, "people", 1.5) == "people"


def translation_for(lang: str):
    from fieldplan.i18n import translation

    return translation(lang)


def test_printed_times_say_utc() -> None:
    from datetime import UTC, datetime

    from fieldplan.reports import common as cm

    ctx = cm.Ctx("en", translation_for("en"), None, PERIOD, (0, 0), None)
    # (a no-break space: "UTC" never stands alone on a line)
    assert ctx.when("2026-07-01T09:30:00Z").endswith("\u00a0UTC")
    assert "09:30" in ctx.when(datetime(2026, 7, 1, 9, 30, tzinfo=UTC))


# --- layout --------------------------------------------------------------------------


def test_heading_never_ends_a_page_alone(hq) -> None:
    """A heading whose table's first row does not fit below it moves to the next page
    with the table, while a table whose first row fits starts right away. A tall first
    row (over a third of a page) starts under it and goes on on the next page when a
    sixth of a page is left for it: moved whole, it left that much of the page blank."""
    from reportlab.platypus import Spacer

    from fieldplan.reports import common as cm

    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    frame_h = ctx.pagesize[1] - cm.MARGIN_TOP - cm.MARGIN_BOTTOM

    def build(words: int, left: float, tmp: Path) -> dict[str, int]:
        def story(state: cm.BuildState) -> list:
            rows = [[cm.cell(ctx, "Head")], [cm.cell(ctx, "word " * words)],
                    [cm.cell(ctx, "x")]]
            head = cm.heading("Area", cm.H2, rtl=False, key="h", level=0, pages=state.pages)
            return [Spacer(1, frame_h - left), *cm.keep([*head, cm.table(ctx, rows, [300])])]

        state_pages: dict[str, int] = {}

        def wrapped(state: cm.BuildState) -> list:
            state_pages.clear()
            state.pages = state_pages
            return story(state)

        cm.render(ctx, tmp, wrapped, title="t", left="l", right="r")
        return state_pages

    # a row of about 150 points, which 150 points with the heading do not take
    assert build(250, 150, hq.path.with_name("moves.pdf")) == {"h": 2}
    assert build(2, 150, hq.path.with_name("short.pdf")) == {"h": 1}
    # a row of 240 points: its first lines under the heading, with a sixth of a page
    tall = hq.path.with_name("tall.pdf")
    assert build(400, 180, tall) == {"h": 1}
    assert "word word" in pdf_text(tall, page=1)
    # not with less: a few lines at a page's foot
    assert build(400, 100, hq.path.with_name("tall-foot.pdf")) == {"h": 2}


def test_no_blank_page_when_the_sync_section_ends_at_a_page_foot(
        hq, tmp_path, monkeypatch) -> None:
    """With 40 quarantined bundles (the count the section's last table ends at the foot
    of its page, with this seed) the space after that table spilled onto a page of its
    own, and the page break before "Detail by area" left it blank. The counts around
    it too: no page of the pack is ever empty."""
    from fieldplan import sync
    from fieldplan.sync.exchange import QuarantineItem

    write_progress(hq, "ML", PERIOD)

    def held(n: int) -> list[QuarantineItem]:
        return [QuarantineItem(f"{i:032x}", "SN", f"{i:032x}", f"{i:016X}",
                               "1234 5678 9ABC DEF0 1234 5678 9ABC DEF0",
                               f"SN-{i:08x}-1-1.fieldplan", "2026-07-02T10:00:00Z", 1)
                for i in range(n)]

    for n in (38, 39, 40, 41, 42):
        monkeypatch.setattr(sync, "list_quarantine", lambda rep, n=n: held(n))
        pdf = build_review_pack(hq, PERIOD, tmp_path / f"q{n}.pdf")
        for page in range(1, pages(pdf) + 1):
            # what is left of a page without its header and footer
            body = re.sub(r"IOM–OIC Plan of Action 2025–2027|Semester review pack · 1st "
                          r"semester 2026|Page \d+ of \d+", "", pdf_text(pdf, page))
            assert body.strip(), f"{n} quarantined bundles: page {page} is empty"


def test_pack_furniture_fonts_links_and_chart(world, tmp_path) -> None:
    pdf = build_review_pack(world, PERIOD, tmp_path / "p.pdf", lang="ar")
    # no unembedded font (ReportLab's default Helvetica) in the file
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        assert "Helvetica" not in fonts
    # the contents entries are links
    assert pdf.read_bytes().count(b"/Link") >= 10
    # the annex pages name their office in the running header, continuation pages too
    entries = outline(pdf)
    eg = next(e for e in entries if e["title"].endswith("(EG)"))
    page = str(eg["page"] + 1)
    layout = subprocess.run(
        ["pdftotext", "-layout", "-f", page, "-l", page, str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    header = unicodedata.normalize("NFKC", layout.strip().splitlines()[0])
    assert office_name("EG", "ar") in header and "EG" in header and "2026" in header


def test_arabic_chart_has_its_axis_on_the_right(world) -> None:
    from collections import Counter

    from reportlab.graphics.charts.barcharts import HorizontalBarChart

    pack = _pack(world, "ar")
    drawing = pack.chart({a.code: Counter({"on-track": 2}) for a in pack.ctx.plan.areas})
    chart = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
    axis = chart.categoryAxis
    assert axis.visibleAxis and axis.tickRight > 0 and axis.tickLeft == 0
    assert chart.valueAxis.reverseDirection
    assert chart.valueAxis.valueStep == 1  # whole numbers of reports


def test_chart_labels_only_segments_wide_enough_for_their_count(world, monkeypatch) -> None:
    """In the chart of 57 offices a segment of one report (of 176) is a sliver at the
    axis, and its "1" in a white box sat on the axis line."""
    from collections import Counter

    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from fieldplan.reports import common as cm
    from fieldplan.reports.review import BAR_LABEL_PADDING, BAR_LABEL_SIZE

    pack = _pack(world, "fr")
    areas = [a.code for a in pack.ctx.plan.areas]
    drawing = pack.chart({a: Counter({"not-started": 1, "on-track": 1140}) for a in areas})
    chart = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
    not_started, on_track = (chart.barLabelFormat[STATUSES.index(s)]
                             for s in ("not-started", "on-track"))
    assert not_started(1) == ""  # about a point wide
    assert on_track(1140) == "●\u00a01\u202f140"  # as French writes it
    assert pack._unlabelled(drawing)
    scale = chart.width / chart.valueAxis.valueMax
    for v in range(1, 1141):
        label = on_track(v)
        if label:  # every label drawn lies inside its segment, off the axis
            assert stringWidth(label, cm.BOLD, BAR_LABEL_SIZE) + 2 * BAR_LABEL_PADDING \
                <= v * scale
    small = pack.chart({a: Counter({"not-started": 1, "on-track": 12}) for a in areas})
    assert not pack._unlabelled(small)
    # the caption says so only when a segment goes without its count
    assert "every bar segment is labelled" in _pack(world).summary()[-1].text
    monkeypatch.setattr(type(pack), "_label_fits", lambda self, s, v, bc: False)
    pack = _pack(world)
    assert "beside the bar's end for a segment too narrow for them" \
        in pack.summary()[-1].text


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_segment_too_narrow_for_its_count_has_it_beside_its_bar(world, lang) -> None:
    """A segment of one report (of 1,141) went without its count: its symbol and
    count are written beside its bar's end, inside the chart, clear of the bar."""
    from collections import Counter

    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import String
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from fieldplan.i18n import STATUS_SYMBOLS
    from fieldplan.reports import common as cm
    from fieldplan.reports.review import BAR_LABEL_SIZE

    pack = _pack(world, lang)
    areas = [a.code for a in pack.ctx.plan.areas]
    counts = {a: Counter({"not-started": 1, "on-track": 1140, "cancelled": 2}) for a in areas}
    counts[areas[-1]] = Counter({"on-track": 1143})  # its label inside
    drawing = pack.chart(counts)
    chart = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
    scale = chart.width / chart.valueAxis.valueMax
    end = 1143 * scale
    beside = [c for c in drawing.contents if isinstance(c, String)
              and c.fontName == cm.BOLD and c.fontSize == BAR_LABEL_SIZE]
    assert len(beside) == len(areas) - 1
    for label in beside:
        width = stringWidth(label.text, cm.BOLD, BAR_LABEL_SIZE)
        for symbol in (STATUS_SYMBOLS["not-started"], STATUS_SYMBOLS["cancelled"]):
            assert symbol in label.text
        assert STATUS_SYMBOLS["on-track"] not in label.text  # (inside its segment)
        if lang == "ar":  # bars grow leftwards from the axis on the right
            assert label.textAnchor == "end"
            assert chart.x <= label.x - width and label.x <= chart.x + chart.width - end
        else:
            assert label.textAnchor == "start"
            assert chart.x + end <= label.x and label.x + width <= chart.x + chart.width
    # the reading order: not started's count first, on its reading side
    first, second = (STATUS_SYMBOLS[s] for s in ("not-started", "cancelled"))
    text = beside[0].text
    assert (text.index(first) < text.index(second)) == (lang != "ar")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_chart_segments_say_their_status_by_symbol(world, lang) -> None:
    """In greyscale on track, off track, completed and cancelled are one dark grey:
    each segment's label has its status's symbol with its count, as the tables write
    them, and the legend has the symbol beside each swatch."""
    from collections import Counter

    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import String

    from fieldplan.i18n import STATUS_SYMBOLS

    pack = _pack(world, lang)
    areas = [a.code for a in pack.ctx.plan.areas]
    counts = {a: Counter({s: 20 + i for i, s in enumerate(STATUSES)}) for a in areas}
    drawing = pack.chart(counts)
    chart = next(c for c in drawing.contents if isinstance(c, HorizontalBarChart))
    assert not pack._unlabelled(drawing)
    for i, s in enumerate(STATUSES):
        label = chart.barLabelFormat[i](20 + i)
        # the symbol on the reading side of the count: "● 21", in Arabic drawn "21 ●"
        assert label.split("\u00a0") == ([f"{20 + i}", STATUS_SYMBOLS[s]] if lang == "ar"
                                          else [STATUS_SYMBOLS[s], f"{20 + i}"])
    legend = [c.text for c in drawing.contents if isinstance(c, String) and c.y < 20]
    assert all(any(STATUS_SYMBOLS[s] in t for t in legend) for s in STATUSES)


def test_pack_expects_enrolled_offices_and_lists_refused_bundles(
        clock, hq, make_office, tmp_path: Path) -> None:
    """An office enrolled (during the period: clock's February) whose one bundle arrived
    damaged: the pack said "Offices that reported: 1 of 1" and "Every known office has
    reported", and named the refused file nowhere. A bundle refused and then sent again
    whole is not listed."""
    from fieldplan import progress
    from fieldplan.sync import enroll_office, export_bundle, import_bundle

    ml = make_office("ML")
    for code in [a.code for a in ml.plan().actions_of(level="national")]:
        progress.record_progress(ml, code, PERIOD, status="on-track", percent=50)
    progress.submit_period(ml, PERIOD)
    bundle = export_bundle(ml, out_dir=tmp_path).path
    whole = bundle.read_bytes()
    bundle.write_bytes(whole[: len(whole) // 2])  # cut short on the way, then sent again
    assert import_bundle(hq, bundle).outcome == "rejected"
    bundle.write_bytes(whole)
    assert import_bundle(hq, bundle).outcome == "merged"
    enroll_office(hq, "AZ", tmp_path / "AZ-setup.fieldplan")
    damaged = tmp_path / "AZ-2026-S1.fieldplan"
    damaged.write_bytes(b"PK\x03\x04" + bytes(200))
    assert import_bundle(hq, damaged).outcome == "rejected"

    pack = _pack(hq)
    assert pack.reported == ["ML"] and "AZ" in pack.not_reported_offices
    assert [e.file for e in pack.sync.refused] == [damaged.name]
    text = " ".join(pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf")).split())
    assert "Offices that reported: 1 of 2" in text  # ML of ML and AZ (HQ apart)
    refused = text[text.index("Bundles refused since the period began"):]
    assert refused.index(damaged.name) < 120


def test_an_office_enrolled_after_the_lock_is_not_awaited_for_the_period(
        clock, hq, make_office, tmp_path: Path) -> None:
    """Headquarters locked 2026-S1 after its review, then enrolled a new office (a
    regional office opening in December): the reprinted pack listed it among the
    offices that have not reported on 2026-S1 ("never"), and its cover, the lock check
    and the Overview counted it, an office that never could report on a period locked
    before it was set up. It is awaited from the next period on; an office enrolled
    before the lock still is. Unlocked, the period still does not await it: it was
    enrolled after the period ended (test_expected_offices)."""
    from fieldplan import progress
    from fieldplan.sync import enroll_office, lock_check
    from fieldplan.sync.export import expected_offices

    ml = make_office("ML")  # enrolled before the lock, silent
    clock("2026-03-02")
    enroll_office(hq, "AZ", tmp_path / "AZ-setup.fieldplan")
    ml.close()
    write_progress(hq, "SN", PERIOD)
    clock("2026-09-15")
    progress.set_period_lock(hq, PERIOD)
    enroll_office(hq, "RO-Dakar", tmp_path / "RO-Dakar-setup.fieldplan")  # today

    plan = hq.plan()
    assert "RO-Dakar" not in expected_offices(hq, plan, PERIOD)
    assert {"ML", "AZ", "SN"} <= set(expected_offices(hq, plan, PERIOD))
    assert "RO-Dakar" in expected_offices(hq, plan, "2026-S2")
    assert "RO-Dakar" not in _pack(hq).not_reported_offices
    check = lock_check(hq, PERIOD)
    assert check.offices == len(expected_offices(hq, plan, PERIOD)) - 1  # HQ apart
    text = " ".join(pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf")).split())
    # named once, as not awaited on the period (in no count, table nor annex)
    assert text.count("Regional Office, Dakar") == 1
    # (locked after it ended: enrolled after the end, which came first)
    assert ("as it was enrolled after the period ended: Regional Office, Dakar "
            "(RO-Dakar).") in text
    progress.set_period_lock(hq, PERIOD, locked=False)
    assert "RO-Dakar" not in expected_offices(hq, hq.plan(), PERIOD)
    assert "AZ" in expected_offices(hq, hq.plan(), PERIOD)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_file_names_sit_in_the_packs_direction_in_their_own_order(hq, tmp_path,
                                                                  lang) -> None:
    """An Arabic file name in the English pack was drawn right to left, right-aligned,
    as "fieldplan.حزمة العراق"; a Latin one starting with a period code in the Arabic
    pack came out as "ML (copy 2).fieldplan 2026-S1". A file name sits in the pack's
    direction and keeps its own order."""
    from fieldplan.reports import text as tx
    from fieldplan.reports.common import NAME
    from fieldplan.sync import import_bundle

    names = ["حزمة العراق.fieldplan", "2026-S1 ML (copy 2).fieldplan"]
    for name in names:
        damaged = tmp_path / name
        damaged.write_bytes(b"PK\x03\x04" + bytes(200))
        assert import_bundle(hq, damaged).outcome == "rejected"
    pack = _pack(hq, lang)
    table = next(f for f in pack.sync_section() if hasattr(f, "_cellvalues"))
    rows = [list(reversed(r)) if lang == "ar" else r for r in table._cellvalues[1:]]
    drawn = {}
    for row in rows:
        cell = row[1][0]
        assert cell.base_dir == NAME
        cell.wrap(400, 1000)
        [(line, d)] = cell._lines
        assert d == ("R" if lang == "ar" else "L")  # the pack's: aligned as its text
        drawn[unicodedata.normalize("NFKC", line)] = d
    arabic = unicodedata.normalize("NFKC", tx.visual(tx.shape("حزمة العراق"), "R"))
    if lang == "en":  # the name, then its extension at the right
        assert arabic + ".fieldplan" in drawn
    else:  # right to left: the extension at the left; a Latin name as written
        assert "fieldplan." + arabic in drawn
    assert "2026-S1 ML (copy 2).fieldplan" in drawn


def test_a_file_named_in_an_arabic_sentence_keeps_its_order_across_lines() -> None:
    """A name put in a sentence (``name_in_sentence``) keeps its own order on each
    line, broken at one of its spaces too: each line's part of it is embedded left to
    right on its own, as bidi orders each line alone."""
    from fieldplan.reports import text as tx
    from fieldplan.reports.common import REGULAR

    name = "2026-S1 ML (copy 2).fieldplan"
    sentence = f"وصلت بياناتها في {tx.name_in_sentence(name)}. لم يبق ما يُفعل بشأنها."
    whole = tx.layout(sentence, REGULAR, 9, 2000, base_dir="R")
    [(line, d)] = whole
    assert d == "R" and name in line
    assert not any(c in line for c in "\u202a\u202c\u2066\u2069")  # (no trace left)
    # as narrow as "2026-S1 ML (copy" and the words after the name's end
    for width in (70, 95, 120):
        lines = [line for line, _d in tx.layout(sentence, REGULAR, 9, width, base_dir="R")]
        parts = [p for line in lines
                 for p in re.findall(r"[0-9A-Za-z(][0-9A-Za-z ().-]*[0-9A-Za-z)]", line)]
        assert " ".join(parts) == name, (width, lines)
    # an Arabic name: its extension's dot stays beside its Arabic letters
    named = tx.name_in_sentence("حزمة العراق.fieldplan")
    arabic = tx.layout(f"وصلت بياناتها في {named}.", REGULAR, 9, 2000, base_dir="R")
    drawn = unicodedata.normalize("NFKC", arabic[0][0])
    assert "fieldplan." + unicodedata.normalize(
        "NFKC", tx.visual(tx.shape("حزمة العراق"), "R")) in drawn


def test_sheet_and_pack_say_which_reports_have_values_in_conflict(hq, make_office,
                                                                  tmp_path: Path) -> None:
    """Two laptops of Mali wrote different statuses of one report: the sheet printed
    the winning one ("On track 30 %") with no sign that another value waits to be
    settled."""
    from fieldplan.reports.sheet import gather, open_conflicts

    code = laptops_in_conflict(hq, make_office, tmp_path, told="").code
    assert open_conflicts(hq, PERIOD) == {"ML": frozenset({code})}
    assert gather(hq, PERIOD, "ML").conflicted == {code}
    assert gather(hq, "2026-S2", "ML").conflicted == frozenset()
    note = ("1 report has values in conflict (two computers of the office wrote different "
            "values): this sheet shows the one that wins for now")
    sheet = " ".join(pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf")).split())
    assert note in sheet and "Values in conflict" in sheet
    pack = " ".join(pdf_text(build_review_pack(hq, PERIOD, tmp_path / "p.pdf")).split())
    assert note in pack


@pytest.mark.parametrize(("lang", "shown"), [("en", "5.6% of 5.5% "), ("fr", "5,6 % sur 5,5 % ")])
def test_an_indicator_in_percent_keeps_its_decimals(hq, tmp_path, lang, shown) -> None:
    """A cost of sending money that fell from 6.4% to 5.6% printed as "6% of 6%": on
    target, it seemed, and baseline, actual and target alike."""
    from fieldplan import events, store

    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", "ML|PA2.3|2026-S2",
                      {"status": "on-track", "value.average-cost": 5.6}, author="ml")
    text = pdf_text(build_status_sheet(hq, "2026-S2", "ML", out=tmp_path / "s.pdf",
                                       lang=lang))
    assert shown in text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_value_too_large_for_a_person_to_type_still_prints(hq, tmp_path, lang) -> None:
    """An older fieldplan let an indicator take 1e25 (a number pasted twice), and an
    import takes it still: the sheets and the review pack of the whole period failed
    with "internal error: InvalidOperation" (babel rounds in Python's default 28
    digits). They print it, in full."""
    from fieldplan import events, store

    action = next(a for a in hq.plan().actions_of(level="national")
                  if len(a.indicators) >= 2)
    first, second = (i.key for i in action.indicators[:2])
    with store.write_transaction(hq.conn):
        events.append(hq.conn, "progress", f"ML|{action.code}|{PERIOD}",
                      {"status": "on-track", f"value.{first}": 1e25,
                       f"value.{second}": 1.7e308}, author="ml")
    sheet = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf", lang=lang))
    digits = re.sub(r"[^0-9\u0660-\u0669]", "", sheet)
    assert "1" + "0" * 25 in digits or "\u0661" + "\u0660" * 25 in digits
    build_review_pack(hq, PERIOD, tmp_path / "p.pdf", lang=lang)


def test_a_conflict_in_a_locked_period_waits_for_the_unlock(hq, make_office,
                                                            tmp_path: Path) -> None:
    """The sheet of a locked period told the office to settle its conflict, which
    'conflicts list' there says headquarters must unlock the period for first."""
    from fieldplan import progress

    laptops_in_conflict(hq, make_office, tmp_path, told="")
    progress.set_period_lock(hq, PERIOD)
    sheet = " ".join(pdf_text(build_status_sheet(hq, PERIOD, "ML",
                                                 out=tmp_path / "s.pdf")).split())
    assert ("this sheet shows the one that wins for now. Headquarters locked the period: "
            "once it unlocks it, someone at the office keeps one (Conflicts in fieldplan).") \
        in sheet
    assert "until someone at the office keeps one" not in sheet


def test_the_sheet_counts_actions_in_the_right_number(make_office, tmp_path) -> None:
    """French printed "Rapports : 1 actions sur 12" (and would say "sur 1 actions");
    English "1 of 1 actions"."""
    from fieldplan import i18n, progress

    ml = make_office("ML")
    actions = ml.plan().actions_of(level="national")
    progress.record_progress(ml, actions[0].code, PERIOD, status="on-track")
    text = " ".join(pdf_text(build_status_sheet(ml, PERIOD, "ML", out=tmp_path / "s.pdf",
                                                lang="fr")).split())
    n = len(actions)
    assert f"Rapports : 1 sur {n} actions, dont 0 soumis" in text.replace("\u00a0", " ")
    one = "Reports: {reported} of {actions} action, {submitted} submitted"
    many = "Reports: {reported} of {actions} actions, {submitted} submitted"
    for lang, said in (("en", "Reports: 1 of 1 action, 0 submitted"),
                       ("fr", "Rapports\u00a0: 1 sur 1 action, dont 0 soumis")):
        assert i18n.translation(lang).ngettext(one, many, 1).format(
            reported=1, actions=1, submitted=0) == said


def test_a_later_semesters_target_says_whose_it_is(make_office, tmp_path) -> None:
    """With no milestone of its own, a semester is held to the next one's: the sheet
    printed "10 of 200 people" as if 200 were the semester's own target (the end
    target said "(end of plan)")."""
    from fieldplan import progress

    ml = make_office("ML")
    ind = next(i for i in ml.plan().action("PA2.1").indicators if i.key == "inspectors-trained")
    assert ind.target_period("2026-S1") == "2026-S2" and ind.target_for("2026-S1") == 200
    assert ind.target_period("2026-S2") is None  # its own
    progress.record_progress(ml, "PA2.1", "2026-S1", status="on-track",
                             values={"inspectors-trained": 10})
    text = " ".join(pdf_text(build_status_sheet(ml, "2026-S1", "ML",
                                                out=tmp_path / "s.pdf")).split())
    assert "10 of 200 people (target for 2nd semester 2026)" in text


def test_not_reported_names_no_period_after_the_packs_own(world, tmp_path) -> None:
    """A pack of an old period printed later: Türkiye has reported since, for 2026-S2,
    and none for 2026-S1. Its row said it had last reported in the 2nd semester 2026,
    after the pack's own period, which read as if it had not missed it; it names the
    latest period up to the pack's own, 2nd semester 2025."""
    write_progress(world, "TR", "2026-S2", only=2)
    pack = _pack(world)
    assert pack.last_period["TR"] == "2025-S2"
    pdf = build_review_pack(world, PERIOD, tmp_path / "pack.pdf")
    entries = outline(pdf)
    missing = pdf_text(
        pdf, next(e["page"] for e in entries if e["title"] == "Offices that have not reported"))
    assert format_period("2025-S2", "en") in missing
    assert format_period("2026-S2", "en") not in missing
