"""The reports' cache without Qt (ui.report_cache): the clean-up removes only what
fieldplan wrote and nobody changed; the system viewer's read-only copies; Windows'
read-only attribute."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from ui import report_cache
from ui.report_cache import (
    KEEP_SECONDS,
    VIEWER_KEEP_SECONDS,
    prune,
    record_written,
    remove_written,
    viewer_copy,
)

DAY = 24 * 3600


def written(folder: Path, name: str, data: bytes = b"%PDF-1.4 report\n%%EOF\n") -> Path:
    path = folder / name
    path.write_bytes(data)
    record_written(path)
    return path


def age(path: Path, seconds: float) -> None:
    """Make ``path`` look ``seconds`` older (changed, to its record, until recorded
    again)."""
    then = path.stat().st_mtime - seconds
    os.utime(path, (then, then))


@pytest.fixture
def cache(tmp_path) -> Path:
    folder = tmp_path / "reports"
    folder.mkdir()
    return folder


def test_old_unchanged_reports_go_changed_and_unknown_ones_stay_said_once(cache):
    old = written(cache, "review-pack-2026-S1-en-1a2b3c4d.pdf")
    age(old, KEEP_SECONDS + 60)
    record_written(old)
    young = written(cache, "status-sheet-ML-2026-S1-en-5e6f7a8b.pdf")
    annotated = written(cache, "review-pack-2026-S1-fr-99aa88bb.pdf")
    with annotated.open("ab") as f:  # notes saved into it by a viewer
        f.write(b"% annotation\n")
    age(annotated, KEEP_SECONDS + 60)
    touched = written(cache, "status-sheet-SN-2026-S1-en-12345678.pdf")
    age(touched, KEEP_SECONDS + 60)  # same size, another time: changed
    mine = cache / "my annotated pack.pdf"  # saved there with a viewer's Save as…
    mine.write_bytes(b"%PDF mine")
    age(mine, 3 * DAY)

    kept = prune(cache)
    assert not old.exists() and not (cache / f".{old.name}.written").exists()
    assert young.exists() and annotated.exists() and touched.exists() and mine.exists()
    assert sorted(kept) == sorted([annotated, touched, mine])
    assert annotated.read_bytes().endswith(b"% annotation\n")
    # said once: the next clean-ups keep them without a word
    assert prune(cache) == []
    assert annotated.exists() and touched.exists() and mine.exists()


def test_a_young_report_is_never_said(cache):
    fresh = cache / "fresh.pdf"
    fresh.write_bytes(b"%PDF")
    assert prune(cache) == [] and fresh.exists()


def test_viewer_copies_are_read_only_and_stay_a_week_unless_changed(cache, tmp_path):
    source = written(cache, "review-pack-2026-S1-en-1a2b3c4d.pdf")
    copy = viewer_copy(source, cache, "review-pack-2026-S1-en.pdf")
    assert copy.name == "review-pack-2026-S1-en.pdf" and copy.parent.parent == cache
    assert copy.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) & 0o222 == 0
    other = viewer_copy(source, cache, "review-pack-2026-S1-en.pdf")
    assert other.parent != copy.parent  # (a folder each: the same plain name)
    now = copy.stat().st_mtime
    prune(cache, now=now + 2 * DAY)  # a day is a built report's time, not a copy's
    assert copy.exists() and other.exists()
    # a viewer saved notes into one (Okular makes it writable again when it saves)
    os.chmod(other, 0o644)
    other.write_bytes(other.read_bytes() + b"% notes\n")
    os.utime(other, (now, now))  # (and the same time: the size tells)
    kept = prune(cache, now=now + VIEWER_KEEP_SECONDS + 60)
    assert not copy.exists() and not copy.parent.exists()
    assert kept == [other] and other.read_bytes().endswith(b"% notes\n")


def test_read_only_copies_are_removed_on_windows_too(cache, monkeypatch):
    """On Windows, ``os.chmod`` sets the read-only attribute, and a file that has it
    cannot be removed (POSIX only asks the folder): taken off first."""
    real_unlink = os.unlink

    def windows_unlink(path, *args, **kwargs):
        if not os.stat(path).st_mode & stat.S_IWRITE:
            raise PermissionError(13, "Access is denied", str(path))
        return real_unlink(path, *args, **kwargs)

    monkeypatch.setattr(report_cache.os, "unlink", windows_unlink)
    source = written(cache, "r.pdf")
    copy = viewer_copy(source, cache, "r-plain.pdf")
    assert remove_written(copy) and not copy.exists()


def test_remove_written_never_removes_a_changed_or_unrecorded_file(cache):
    report = written(cache, "r.pdf")
    report.write_bytes(b"something else, longer than before")
    assert not remove_written(report) and report.exists()
    unknown = cache / "u.pdf"
    unknown.write_bytes(b"x")
    assert not remove_written(unknown) and unknown.exists()
    same = written(cache, "s.pdf")
    assert remove_written(same) and not same.exists()


def test_old_temporaries_and_lone_records_go(cache):
    part = cache / ".review.pdf.1a2b3c4d.part"
    part.write_bytes(b"half")
    printing = cache / ".printing-abc.pdf"
    printing.write_bytes(b"half")
    for p in (part, printing):
        age(p, KEEP_SECONDS + 60)
    lone = cache / ".gone.pdf.written"
    lone.write_text("{}")
    assert prune(cache) == []
    assert not part.exists() and not printing.exists() and not lone.exists()


def test_a_report_held_by_previews_stays_until_the_last_lets_go(cache):
    """Two previews of one report (a preview's file is its own, but held twice is
    counted twice): the clean-up keeps it until both have let go."""
    path = written(cache, "review-pack-2026-S1-en-0a1b2c3d.pdf")
    age(path, 2 * DAY)
    record_written(path)
    report_cache.hold(path)
    report_cache.hold(path)
    report_cache.let_go(path)
    assert prune(cache) == [] and path.exists()
    report_cache.let_go(path)
    assert not report_cache.held(path)
    assert prune(cache) == [] and not path.exists()
