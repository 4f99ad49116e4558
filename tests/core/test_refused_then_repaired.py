"""A bundle headquarters refused as a forked history stayed "refused (not merged)" in
the inbox and the review pack after the repair, so HQ could not tell whether anything
was left to do; the repaired laptop's bundles may even reuse the refused file's name.
Once the fork is repaired (no record of it at HQ, and the computer that continues the
forked replica merged events after the refusal) the inbox line says where its data
arrived, and the pack says so in a sentence instead of listing it as refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fieldplan import progress
from fieldplan.reports import build_review_pack
from fieldplan.sync import list_inbox
from tests.core.test_reports import _pack, pdf_text
from tests.scenes import hq_with_a_forked_office, send

PERIOD = "2026-S1"


def refused_line(hq):
    (line,) = [e for e in list_inbox(hq) if e.outcome == "rejected"]
    return line


def test_a_refused_fork_is_repaired_once_the_computer_that_continues_it_merges(
        hq, make_office, tmp_path: Path) -> None:
    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    forked = ml.replica_id
    act = ml.plan().actions_of(level="national")[1].code
    assert refused_line(hq).repaired_in == ""
    # another laptop of the office merging after the refusal repairs nothing
    other = make_office("ML")
    progress.record_progress(other, act, PERIOD, status="at-risk")
    assert send(other, hq, tmp_path)[1].outcome == "merged"
    assert refused_line(hq).repaired_in == ""
    # the forked laptop imports HQ's repair bundle: repaired there, not yet at HQ
    assert send(hq, ml, tmp_path)[1].outcome == "merged"
    assert ml.replica_id != forked
    assert refused_line(hq).repaired_in == ""
    # its next bundle (written again as the new replica) merges: the data arrived
    result, outcome = send(ml, hq, tmp_path)
    assert outcome.outcome == "merged" and outcome.events_new > 0
    assert hq.conn.execute("SELECT count(*) FROM forks").fetchone()[0] == 0
    line = refused_line(hq)
    assert line.repaired_in == result.path.name
    assert [e.repaired_in for e in list_inbox(hq) if e.outcome != "rejected"] == [""] * 3
    # while a fork of that replica is on record, the repair has not done its work
    with hq.conn:
        hq.conn.execute("INSERT INTO forks (origin, seq, found_at) VALUES (?, 2, ?)",
                        (forked, line.received_at))
    assert refused_line(hq).repaired_in == ""


def test_a_refused_fork_repaired_since_is_not_listed_as_refused_in_the_pack(
        hq, make_office, tmp_path: Path) -> None:
    """The reviewer's case: the refused bundle had the name of
    one merged before it, listed under late data, and stayed under "Bundles refused
    since the period began (not merged)" after the repair."""
    if not shutil.which("pdftotext"):
        pytest.skip("needs poppler-utils")
    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    refused = refused_line(hq)
    pack = _pack(hq)
    assert pack.sync.refused == [refused] and pack.sync.repaired == []
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "before.pdf"))
    assert "Bundles refused since the period began (not merged)" in text
    assert "refused as a forked history" not in text

    send(hq, ml, tmp_path)
    result, _outcome = send(ml, hq, tmp_path)
    pack = _pack(hq)
    assert pack.sync.refused == [] and [e.file for e in pack.sync.repaired] == [refused.file]
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "after.pdf"))
    assert "Bundles refused since the period began" not in text
    assert ("Mali (ML): 1 bundle refused as a forked history was repaired since; its "
            f"data arrived in {result.path.name}. Nothing is left to do about it.") in text


def test_in_arabic_the_count_stays_after_the_office_code(hq, make_office, monkeypatch,
                                                        tmp_path: Path) -> None:
    """"مالي (ML): 1 …" printed as "مالي (1 :(ML …": the count went into the code's
    left-to-right run."""
    from tests.draft_catalog import with_messages

    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    send(hq, ml, tmp_path)
    send(ml, hq, tmp_path)
    with_messages(monkeypatch, "ar", {(
        "{office}: {count} bundle refused as a forked history was repaired since; its "
        "data arrived in {files}. Nothing is left to do about it.",
        "{office}: {count} bundles refused as a forked history were repaired since; their "
        "data arrived in {files}. Nothing is left to do about them."):
        ("{office}: {count} حزمة رُفضت لتشعّب تاريخها أُصلحت منذ ذلك؛ وصلت بياناتها في "
         "{files}. لم يبق ما يُفعل بشأنها.",) * 6})
    pack = _pack(hq, "ar")
    (note,) = pack._repaired(pack.sync.repaired)
    first = note._layout(2000)[0][0]  # (in drawing order, left to right)
    assert "1 :(ML)" in first and "ML):" not in first


def test_in_arabic_a_file_named_in_the_sentence_keeps_its_own_order(
        hq, make_office, tmp_path: Path) -> None:
    """The repaired data arrived in a bundle saved as "2026-S1 ML (copy 2).fieldplan":
    its table cell kept the name whole, the sentence printed it as "ML (copy
    2).fieldplan 2026-S1". The sentence keeps it as the cell does."""
    if not shutil.which("pdftotext"):
        pytest.skip("needs poppler-utils")
    from fieldplan.sync import export_bundle, import_bundle

    ml = hq_with_a_forked_office(hq, make_office, tmp_path)
    send(hq, ml, tmp_path)
    name = "2026-S1 ML (copy 2).fieldplan"
    renamed = tmp_path / name
    shutil.move(export_bundle(ml, out_dir=tmp_path).path, renamed)
    assert import_bundle(hq, renamed).outcome == "merged"
    text = pdf_text(build_review_pack(hq, PERIOD, tmp_path / "pack.pdf", lang="ar"))
    arrived = "وصلت بياناتها في"  # "its data arrived in"
    assert text.count(arrived) == 1
    after = text.index(arrived) + len(arrived)
    assert name in text[after:after + len(name) + 4]
