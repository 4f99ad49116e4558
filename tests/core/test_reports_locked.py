"""A locked period's status sheet and review pack say that the period is locked, and
mark the reports changed after the lock, on the sheet printed alone and on the same
sheet in the pack's annex."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_changed_after_lock import YEAR_MS, late_world, skewed
from test_reports import pdf_text
from test_sync import national, send

from fieldplan import events, progress
from fieldplan.reports import build_review_pack, build_status_sheet
from fieldplan.reports import common as cm
from fieldplan.reports.review import Pack
from fieldplan.reports.sheet import gather
from tests.fixtures.reports.seed import write_progress

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")

PERIOD = "2025-S2"
MARK = "Changed or received after the lock"


@pytest.fixture(autouse=True)
def _clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A clock a second further at each reading (as test_changed_after_lock's)."""
    now = iter(range(events.wall_ms(), 2**45, 1000))
    monkeypatch.setattr(events, "wall_ms", lambda: next(now))


def test_the_sheet_says_the_period_is_locked_and_marks_the_changed_row(
        hq, make_office, tmp_path: Path) -> None:
    ml, act = late_world(hq, make_office, tmp_path)
    data = gather(hq, PERIOD, "ML")
    assert data.after_lock == {act} and data.locked_at
    ctx = cm.make_ctx(hq, PERIOD, "en", "A4")
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf"))
    # (its no-break spaces read as spaces)
    assert f"Locked by headquarters: {' '.join(ctx.when(data.locked_at).split())}" in text
    assert ("1 report was changed or received after headquarters locked the period: its "
            f"row is marked “{MARK}”.") in text
    # the note and the one row's mark, under its status (the other report has none)
    assert text.count(MARK) == 2 and national(ml, 1) not in data.after_lock


def test_an_unlocked_period_says_nothing_of_a_lock(hq, tmp_path: Path) -> None:
    write_progress(hq, "ML", "2026-S1")
    assert gather(hq, "2026-S1", "ML").locked_at is None
    text = pdf_text(build_status_sheet(hq, "2026-S1", "ML", out=tmp_path / "s.pdf"))
    assert "Locked" not in text and MARK not in text
    pack = pdf_text(build_review_pack(hq, "2026-S1", tmp_path / "p.pdf"))
    assert "Locked" not in pack and MARK not in pack


def test_the_pack_says_the_period_is_locked_and_marks_rows_in_its_sheets(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a second office, whose report arrived before the lock
    sn = make_office("SN")
    progress.record_progress(sn, national(sn), PERIOD, status="on-track", percent=40)
    progress.submit_period(sn, PERIOD)
    send(sn, hq, tmp_path)
    _ml, act = late_world(hq, make_office, tmp_path)
    calls = []
    real = progress.changed_after_lock
    monkeypatch.setattr(progress, "changed_after_lock",
                        lambda *a, **kw: calls.append(a) or real(*a, **kw))
    pdf = build_review_pack(hq, PERIOD, tmp_path / "p.pdf")
    assert len(calls) == 1  # once for the pack, not once an office
    assert "Locked by headquarters: " in pdf_text(pdf, 1)
    text = pdf_text(pdf)
    annex = text[text.rindex("Annex: status sheets by office"):]
    mali, senegal = annex.index("Mali (ML)"), annex.index("Senegal (SN)")
    assert MARK in annex[mali:senegal] and MARK not in annex[senegal:]
    assert annex.count("Locked by headquarters: ") == 2  # each sheet, as printed alone
    sheets = Pack(hq, cm.make_ctx(hq, PERIOD, "en", "A4"), None, 1).sheets
    assert {d.office: d.after_lock for d in sheets} == {"ML": {act}, "SN": frozenset()}



#: the sheet's mark and note, in French and Arabic (translated after the code changes)
TRANSLATED = {
    "Changed or received after the lock": {
        "fr": "Modifié ou reçu après le verrouillage",
        "ar": "غُيِّر أو وصل بعد القفل",
    },
    ("{count} report was changed or received after headquarters locked the period: its "
     "row is marked “Changed or received after the lock”.",
     "{count} reports were changed or received after headquarters locked the period: "
     "their rows are marked “Changed or received after the lock”."): {
        "fr": ("{count} rapport a été modifié ou reçu après le verrouillage de la période "
               "par le Siège\u00a0: sa ligne porte la mention «\u00a0Modifié ou reçu après "
               "le verrouillage\u00a0».",
               "{count} de rapports ont été modifiés ou reçus après le verrouillage de la "
               "période par le Siège\u00a0: leurs lignes portent la mention «\u00a0Modifié "
               "ou reçu après le verrouillage\u00a0».",
               "{count} rapports ont été modifiés ou reçus après le verrouillage de la "
               "période par le Siège\u00a0: leurs lignes portent la mention «\u00a0Modifié "
               "ou reçu après le verrouillage\u00a0»."),
        "ar": ("التقارير التي غُيِّرت أو وصلت بعد أن أقفل المقر الرئيسي الفترة ({count}): "
               "صفوفها معلَّمة «غُيِّر أو وصل بعد القفل».",) * 6,
    },
}


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_a_report_written_before_the_lock_and_received_after_it_is_marked_so(
        hq, make_office, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang) -> None:
    """Written in July, imported after a December lock: the rule names it (headquarters
    had not reviewed it), and the sheet marked it "Changed after the lock", which it
    was not. The sheet says "changed or received", as the review pack does (the pack
    gives the dates; the sheet the words only)."""
    from tests.draft_catalog import with_messages

    offset = skewed(monkeypatch)
    ml = make_office("ML")
    act = national(ml)
    progress.record_progress(ml, act, "2026-S1", status="on-track")
    send(ml, hq, tmp_path)  # its key registered (its setup bundle's enrolment ends)
    progress.record_progress(ml, act, PERIOD, status="completed", percent=100)
    offset[0] = YEAR_MS // 2  # months later, headquarters locks, then imports it
    progress.set_period_lock(hq, PERIOD)
    send(ml, hq, tmp_path)
    [changed] = progress.changed_after_lock(hq)[PERIOD]
    assert changed.last_at < progress.lock_clocks(hq)[PERIOD].at < changed.received_at
    assert gather(hq, PERIOD, "ML").after_lock == {act}
    if lang != "en":
        with_messages(monkeypatch, lang, {k: v[lang] for k, v in TRANSLATED.items()})
    text = pdf_text(build_status_sheet(hq, PERIOD, "ML", out=tmp_path / "s.pdf",
                                       lang=lang))
    if lang == "en":
        mark = MARK
        note = ("1 report was changed or received after headquarters locked the period: "
                f"its row is marked “{MARK}”.")
    else:
        mark = TRANSLATED[MARK][lang]
        note_id = next(k for k in TRANSLATED if isinstance(k, tuple))
        note = TRANSLATED[note_id][lang][0].format(count="1")
    assert "Changed after the lock" not in text and "Modifié après" not in text \
        and "غُيِّر بعد الإقفال" not in text
    assert text.count(mark) == 2  # the note and the row's mark
    if lang != "ar":  # (pdftotext reorders the Arabic note's parts)
        assert " ".join(note.split()) in text

