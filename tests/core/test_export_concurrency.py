"""Exports while another program writes to the same database: a bundle carries what
its signed manifest lists, and nothing else (found with commands run at once)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from fieldplan import progress
from fieldplan.replica import open_replica
from fieldplan.sync import export_bundle

S1 = "2026-S1"


def test_a_save_during_an_export_is_left_for_the_next_one(make_office, tmp_path: Path,
                                                          monkeypatch) -> None:
    """Another program saved between the export's reading of its ranges and its
    reading of the events: the bundle carried events its manifest did not list, and
    the status counted them as not sent although they were."""
    ml = make_office("ML")
    actions = [a.code for a in ml.plan().actions_of(level="national")]
    progress.record_progress(ml, actions[0], S1, status="on-track")
    real = type(ml).mark_now

    def another_program_saves(rep) -> None:
        real(rep)
        with open_replica(rep.path) as other:
            progress.record_progress(other, actions[1], S1, status="at-risk")

    monkeypatch.setattr(type(ml), "mark_now", another_program_saves)
    out = tmp_path / "out"
    out.mkdir()
    result = export_bundle(ml, out_dir=out)
    monkeypatch.undo()
    with zipfile.ZipFile(result.path) as z:
        manifest = json.loads(z.read("manifest.json"))
        lines = z.read("events.jsonl").splitlines()
    listed = sum(hi - lo + 1 for lo, hi in manifest["ranges"].values())
    assert len(lines) == listed == result.events == manifest["event_count"]
    own = manifest["ranges"][ml.replica_id]
    # the save made meanwhile goes with the next export
    again = export_bundle(ml, out_dir=out)
    with zipfile.ZipFile(again.path) as z:
        assert json.loads(z.read("manifest.json"))["ranges"][ml.replica_id][1] == own[1] + 1


def test_two_exports_into_one_folder_at_once_keep_both_bundles(make_office, tmp_path: Path,
                                                               monkeypatch) -> None:
    """The name an export chose was free when it looked, and another export wrote a
    bundle under it before this one was written: the rename went over it (eight
    exports at once printed five times the same name; three files were left)."""
    from fieldplan import files

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, S1,
                             status="on-track")
    out = tmp_path / "out"
    out.mkdir()
    real = files.free_name
    other: list[Path] = []

    def chosen_then_taken(path: Path) -> Path:
        found = real(path)
        found.write_bytes(b"another export's bundle")  # written meanwhile
        other.append(found)
        return found

    monkeypatch.setattr("fieldplan.sync.export.free_name", chosen_then_taken)
    result = export_bundle(ml, out_dir=out)
    assert other[0].read_bytes() == b"another export's bundle"
    assert result.path != other[0] and result.path.name.endswith("_2.fieldplan")
    assert zipfile.is_zipfile(result.path)
    assert sorted(p.name for p in out.iterdir()) == sorted([other[0].name, result.path.name])


def test_without_hard_links_a_taken_name_is_still_kept(tmp_path: Path, monkeypatch) -> None:
    """A file system without hard links (FAT on a USB stick): a look, then the rename."""
    import errno
    import os

    from fieldplan import files

    def no_links(*_args) -> None:
        raise OSError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "ML-1-5.fieldplan"
    target.write_bytes(b"kept")
    placed: list[Path] = []
    with files.atomic_output(target, fresh=True, placed=placed) as f:
        f.write(b"new")
    assert target.read_bytes() == b"kept"
    assert placed == [tmp_path / "ML-1-5_2.fieldplan"] and placed[0].read_bytes() == b"new"
    assert files.free_name(target) == tmp_path / "ML-1-5_3.fieldplan"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary
