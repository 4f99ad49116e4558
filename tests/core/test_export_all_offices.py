"""Headquarters writes a bundle for every office at once (each semester, 57 of them):
one file each, named as ``export_bundle`` names it, and an office whose bundle cannot
be written is said with why while the others are still written, whole."""

from __future__ import annotations

import errno
import json
import os
import re
from pathlib import Path

import pytest

from fieldplan import bundle as bundlefmt
from fieldplan import files, progress
from fieldplan.errors import FileError, ValidationError
from fieldplan.sync import (
    export_all_offices,
    export_bundle,
    import_bundle,
)
from tests import reasons


def national(rep) -> str:
    return rep.plan().actions_of(level="national")[0].code


@pytest.fixture
def world(hq, make_office, tmp_path: Path):
    """ML and SN set up, ML's first bundle merged at HQ (its key registered); RO-Dakar
    enrolled only (its setup bundle written, nothing back yet)."""
    ml, sn = make_office("ML"), make_office("SN")
    progress.record_progress(ml, national(ml), "2026-S1", status="on-track")
    sent = tmp_path / "to-hq"
    sent.mkdir()
    assert import_bundle(hq, export_bundle(ml, out_dir=sent).path).outcome == "merged"
    make_office("RO-Dakar")
    out = tmp_path / "out"
    out.mkdir()
    return {"ML": ml, "SN": sn}, out


def bundles_in(folder: Path) -> list[str]:
    """Every file in ``folder``: a temporary ``.part`` left would show here."""
    return sorted(p.name for p in folder.iterdir())


def test_one_bundle_for_every_office_headquarters_knows(hq, world) -> None:
    offices, out = world
    done = export_all_offices(hq, out)
    assert [o.office for o in done.offices] == ["ML", "RO-Dakar", "SN"]
    assert done.failed == () and not done.cancelled
    # named as the export for one office names it, each for its office
    assert bundles_in(out) == sorted(r.path.name for r in done.written)
    assert all(r.path.parent == out and r.path.name.startswith(f"HQ-to-{r.recipient}-")
               for r in done.written)
    # each one is its office's: it merges there
    for code, rep in offices.items():
        [result] = [r for r in done.written if r.recipient == code]
        assert import_bundle(rep, result.path).outcome in ("merged", "duplicate")
    as_data = done.to_dict()
    assert [(b["office"], Path(b["path"]).name, b["events"]) for b in as_data["bundles"]] == [
        (r.recipient, r.path.name, r.events) for r in done.written]
    assert as_data["failures"] == []


def test_a_second_run_writes_beside_the_first_and_replaces_nothing(hq, world) -> None:
    """A second run with something new for each office: beside the first files, which
    stay as they were. With nothing new, each office's bundle takes the place of its
    first one (a second file the same was no use: ``same_as_before``)."""
    _offices, out = world
    first = export_all_offices(hq, out)
    before = {p: p.read_bytes() for p in out.iterdir()}
    again = export_all_offices(hq, out)
    assert [r.path for r in again.written] == [r.path for r in first.written]
    assert all(r.again for r in again.written) and set(out.iterdir()) == set(before)
    before = {p: p.read_bytes() for p in out.iterdir()}
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, "2026-S1",
                             status="on-track")
    second = export_all_offices(hq, out)
    assert {r.path for r in second.written}.isdisjoint(before)
    assert not any(r.again for r in second.written)
    assert all(p.read_bytes() == data for p, data in before.items())


class _Disk:
    """A temporary file being written on a disk that gives ``room`` bytes in all, or
    (``only``) that fails writes to the ``only``-th file opened, once half a bundle in."""

    def __init__(self, monkeypatch, *, room: int | None = None, only: int | None = None):
        self.room, self.only, self.opened = room, only, 0
        real = os.fdopen

        def fdopen(*args, **kwargs):
            self.opened += 1
            return _File(real(*args, **kwargs), self, self.opened)

        monkeypatch.setattr(files.os, "fdopen", fdopen)


class _File:
    def __init__(self, f, disk: _Disk, number: int) -> None:
        self._f, self._disk, self._number, self._written = f, disk, number, 0

    def write(self, data) -> int:
        disk = self._disk
        full = (disk.room is not None and len(data) > disk.room) or (
            disk.only == self._number and self._written > 0)
        if full:
            raise OSError(errno.ENOSPC, "No space left on device")
        if disk.room is not None:
            disk.room -= len(data)
        self._written += len(data)
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._f.close()


def test_a_disk_full_half_way_says_which_were_written(hq, world, monkeypatch) -> None:
    """The disk fills during the second bundle: the first is there whole, the second
    and third are failures saying so, and nothing else is in the folder (no partial
    file under a bundle's name, no temporary file)."""
    _offices, out = world
    probe = export_bundle(hq, for_office="ML", out_dir=out.parent)
    _Disk(monkeypatch, room=probe.size + probe.size // 2)
    done = export_all_offices(hq, out)
    assert [r.recipient for r in done.written] == ["ML"]
    assert [o.office for o in done.failed] == ["RO-Dakar", "SN"]
    for o in done.failed:  # the file it was writing, as the export for one office says
        assert re.fullmatch(f"cannot write {re.escape(str(out))}/HQ-to-{o.office}-"
                            r"[0-9a-f]{8}-\d+-\d+\.fieldplan: " + re.escape(reasons.DISK_FULL),
                            o.reason)
    assert bundles_in(out) == [done.written[0].path.name]
    with bundlefmt.open_bundle(done.written[0].path) as b:  # whole: it opens and checks
        assert b.manifest["recipient"] == "ML"
    assert done.to_dict()["failures"] == [
        {"office": o.office, "reason": o.reason, "cancelled": False} for o in done.failed]


def test_one_office_failing_does_not_stop_the_others(hq, world, monkeypatch) -> None:
    _offices, out = world
    _Disk(monkeypatch, only=2)  # the second file opened: RO-Dakar's
    seen = []
    done = export_all_offices(hq, out, each=seen.append)
    assert [r.recipient for r in done.written] == ["ML", "SN"]
    assert [o.office for o in done.failed] == ["RO-Dakar"]
    assert "the disk is full" in done.failed[0].reason
    assert bundles_in(out) == sorted(r.path.name for r in done.written)
    assert seen == list(done.offices)  # told of each office as it was done


def test_progress_counts_offices_and_cancel_stops_before_the_next(hq, world) -> None:
    _offices, out = world
    steps = []

    def progress_(done: int, total: int, label: str) -> None:
        steps.append((done, total, label))

    done = export_all_offices(hq, out, progress=progress_, cancel=lambda: len(steps) >= 1)
    assert steps == [(0, 3, "Writing the bundle for ML…"), (3, 3, "")]
    assert done.cancelled and [r.recipient for r in done.written] == ["ML"]
    assert [(o.office, o.reason, o.cancelled) for o in done.failed] == [
        ("RO-Dakar", "not written: the export was cancelled", True),
        ("SN", "not written: the export was cancelled", True)]
    assert bundles_in(out) == [done.written[0].path.name]


def test_a_missing_folder_is_one_error_and_nothing_is_written(hq, world, tmp_path) -> None:
    _offices, _out = world
    before = hq.meta("last_export")
    with pytest.raises(FileError, match=r"^cannot write bundles: the folder .*nowhere does "
                       r"not exist$"):
        export_all_offices(hq, tmp_path / "nowhere")
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(FileError, match="is a file, not a folder"):
        export_all_offices(hq, a_file)
    assert hq.meta("last_export") == before and not (tmp_path / "nowhere").exists()


def test_only_headquarters_exports_for_every_office(make_office, tmp_path) -> None:
    ml = make_office("ML")
    with pytest.raises(ValidationError, match="only headquarters"):
        export_all_offices(ml, tmp_path)


def test_headquarters_with_no_office_is_told_to_enrol_one(hq, tmp_path) -> None:
    with pytest.raises(ValidationError, match="office enroll"):
        export_all_offices(hq, tmp_path)
    assert list(tmp_path.glob("*.fieldplan")) == []


def test_each_export_is_noted_as_the_export_for_one_office_is(hq, world) -> None:
    _offices, out = world
    done = export_all_offices(hq, out)
    last = json.loads(hq.meta("last_export"))
    assert (last["recipient"], last["path"]) == ("SN", str(done.written[-1].path))


def test_a_folder_that_takes_no_file_is_one_error(hq, world, monkeypatch) -> None:
    """A stick whose write-protect switch is on (a read-only disk): each office's bundle
    was refused in turn, the same reason as many times as there are offices (only the
    file's name differing; 57 lines at headquarters). It is one error now, with the
    folder, and nothing is written or noted."""
    _offices, out = world
    before = hq.meta("last_export")
    real = os.open

    def read_only(path, flags, *args, **kwargs):
        if Path(os.fsdecode(path)).parent == out and flags & os.O_CREAT:
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(FileError) as raised:
        export_all_offices(hq, out)
    assert str(raised.value) == (f"cannot write {out}: the disk is read-only; choose "
                                 "another disk")
    monkeypatch.undo()
    assert bundles_in(out) == [] and list(out.iterdir()) == []
    assert hq.meta("last_export") == before
