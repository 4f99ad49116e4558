"""Exporting again with nothing new: the bundle takes the place of the one saved before
under its name, not a second name beside it (found by QA: the folder, a USB stick for
headquarters, held "…-1-1.fieldplan" and "…-1-1_2.fieldplan", the same but for their
names, and a person could not tell which to send)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from fieldplan import progress
from fieldplan.sync import export_bundle

S1 = "2026-S1"


def _manifest(path: Path) -> dict:
    with zipfile.ZipFile(path) as z:
        return json.loads(z.read("manifest.json"))


def test_nothing_new_is_saved_again_under_the_same_name(make_office, tmp_path: Path) -> None:
    ml = make_office("ML")
    actions = [a.code for a in ml.plan().actions_of(level="national")]
    progress.record_progress(ml, actions[0], S1, status="on-track")
    out = tmp_path / "stick"
    out.mkdir()
    first = export_bundle(ml, out_dir=out)
    assert not first.again
    again = export_bundle(ml, out_dir=out)
    assert again.again and again.path == first.path and again.events == first.events
    assert [p.name for p in out.iterdir()] == [first.path.name]
    assert _manifest(again.path)["bundle_id"] == again.bundle_id != first.bundle_id
    assert ml.meta("last_export") and json.loads(ml.meta("last_export"))["path"].endswith(
        first.path.name)
    # something new: a bundle of its own, beside the one before
    progress.record_progress(ml, actions[1], S1, status="at-risk")
    newer = export_bundle(ml, out_dir=out)
    assert not newer.again and newer.path != first.path
    assert sorted(p.name for p in out.iterdir()) == sorted([first.path.name, newer.path.name])


def test_a_bundle_of_other_content_under_the_name_is_kept(hq, make_office,
                                                          tmp_path: Path) -> None:
    """Only a bundle of the same content is replaced: one of the same events with
    other receipts (headquarters' bundle was imported since) is a bundle of its own,
    and a file that is no bundle keeps its name."""
    from fieldplan.sync import import_bundle

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, S1,
                             status="on-track")
    out = tmp_path / "stick"
    out.mkdir()
    first = export_bundle(ml, out_dir=out)
    kept = first.path.read_bytes()
    other = first.path.with_name(first.path.stem + "_2.fieldplan")
    other.write_bytes(b"not a bundle")
    (tmp_path / "from-hq").mkdir()
    progress.record_progress(hq, hq.plan().actions_of(level="global")[0].code, S1,
                             status="on-track")
    import_bundle(ml, export_bundle(hq, for_office="ML", out_dir=tmp_path / "from-hq").path)
    receipts = export_bundle(ml, out_dir=out)
    assert _manifest(receipts.path)["ranges"] == _manifest(first.path)["ranges"]
    assert not receipts.again and receipts.path.name.endswith("_3.fieldplan")
    assert first.path.read_bytes() == kept and other.read_bytes() == b"not a bundle"


def test_the_bundle_saved_in_place_of_the_one_before_is_on_the_disk(
        make_office, tmp_path: Path, monkeypatch) -> None:
    """The bundle that takes the one before's name is renamed over it, then its folder
    is flushed, as after every other rename: a USB stick pulled out, or power lost,
    just after the export said where the bundle is, could be left with the rename not
    on the stick (the second name, or nothing, where the person was told the first)."""
    import os

    from fieldplan import files

    ml = make_office("ML")
    progress.record_progress(ml, ml.plan().actions_of(level="national")[0].code, S1,
                             status="on-track")
    out = tmp_path / "stick"
    out.mkdir()
    first = export_bundle(ml, out_dir=out)
    done: list[tuple] = []
    real_replace, real_fsync = os.replace, files._fsync_directory
    monkeypatch.setattr(os, "replace", lambda src, dst: (
        done.append(("replace", Path(dst))), real_replace(src, dst))[-1])
    monkeypatch.setattr(files, "_fsync_directory", lambda folder: (
        done.append(("fsync", Path(folder))), real_fsync(folder))[-1])
    again = export_bundle(ml, out_dir=out)
    assert again.again and again.path == first.path
    at = done.index(("replace", first.path))
    assert ("fsync", out) in done[at + 1:], done
