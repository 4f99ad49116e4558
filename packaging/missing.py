"""Say which of the project's requirements this Python lacks (packaging/build.sh):
pyproject.toml's dependencies and those of the extras named, one line each for a
distribution not installed or installed at a version the requirement excludes.
Exit status 1 when any is missing, 0 when all are there. Reads only what is installed:
no network, so the build can tell an offline machine that has everything from one
that needs pip.

    python packaging/missing.py [EXTRA…]        (e.g. build)
"""

from __future__ import annotations

import importlib.metadata
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def requirements(extras: list[str]) -> list[str]:
    """The requirement strings of the project and of ``extras``."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project.get("dependencies", []))
    optional = project.get("optional-dependencies", {})
    for extra in extras:
        if extra not in optional:
            raise SystemExit(f"pyproject.toml has no extra '{extra}'")
        wanted += optional[extra]
    return wanted


def missing(wanted: list[str]) -> list[str]:
    """The requirements of ``wanted`` this Python does not meet, each with what is
    installed instead (``pyinstaller>=6.10 (not installed)``)."""
    # (pip's own copy of the packaging library: in every venv, whatever else is not)
    from pip._vendor.packaging.requirements import Requirement

    lacking = []
    for line in wanted:
        req = Requirement(line)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        try:
            version = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            lacking.append(f"{line} (not installed)")
            continue
        if req.specifier and not req.specifier.contains(version, prereleases=True):
            lacking.append(f"{line} ({version} installed)")
    return lacking


def main(argv: list[str]) -> int:
    lacking = missing(requirements(argv))
    for line in lacking:
        print(line)
    return 1 if lacking else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
