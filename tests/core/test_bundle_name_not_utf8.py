"""A bundle whose file name is not UTF-8 (copied from a stick an older system wrote:
"café" as the bytes caf\\xe9, which Python keeps as a lone surrogate) imported under the
name it was given, as the desktop client gives each file's name."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from fieldplan.sync import export_bundle, import_bundle


def test_a_bundle_named_by_its_undecodable_file_name_is_merged(tmp_path, hq, make_office):
    office = make_office("ML")
    made = export_bundle(office, out_file=tmp_path / "ml.fieldplan")
    raw = os.fsencode(tmp_path) + b"/caf\xe9.fieldplan"
    try:
        shutil.copy(made.path, raw)
    except (OSError, UnicodeError):
        pytest.skip("this file system takes only UTF-8 names")
    path = os.fsdecode(raw)
    outcome = import_bundle(hq, path, name=Path(path).name)
    assert outcome.outcome == "merged", outcome.reason
    assert outcome.file == "caf\ufffd.fieldplan"
    row = hq.conn.execute("SELECT file_name, outcome FROM inbox").fetchone()
    assert tuple(row) == ("caf\ufffd.fieldplan", "merged")
