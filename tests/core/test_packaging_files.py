"""What packaging/ says of itself is true: the AppStream file validates, and the
screenshots script says what its images are for (it named the AppStream file, which
has no screenshots: AppStream takes them only at a web address), in a --help line
that is a whole sentence (it was cut at "…for the docs and the AppStream")."""

from __future__ import annotations

import ast
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
METAINFO = ROOT / "packaging" / "linux" / "org.iom_oic.fieldplan.metainfo.xml"


def test_the_screenshots_script_says_what_its_images_are_for() -> None:
    doc = ast.get_docstring(ast.parse((ROOT / "packaging" / "screenshots.py").read_text()))
    assert doc is not None
    described = doc.splitlines()[0]  # (its --help's description)
    assert described.endswith(".")
    says_appstream = "AppStream" in described
    assert says_appstream == ("<screenshots>" in METAINFO.read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="appstreamcli not installed")
def test_the_appstream_file_validates() -> None:
    done = subprocess.run(["appstreamcli", "validate", "--no-net", "--pedantic", str(METAINFO)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
