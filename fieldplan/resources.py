"""Locate files under resources/ from a checkout, an installed wheel or a frozen app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path


@cache
def resources_dir() -> Path:
    """The resources directory: `fieldplan/_resources` in a wheel, `resources/` in a
    checkout, `_MEIPASS/resources` in a PyInstaller build."""
    here = Path(__file__).resolve().parent
    candidates = [here / "_resources", here.parent / "resources"]
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        candidates.insert(0, Path(frozen) / "resources")
    for candidate in candidates:
        if (candidate / "plan").is_dir():
            return candidate
    raise FileNotFoundError("fieldplan resources not found (looked in "
                            + ", ".join(str(c) for c in candidates) + ")")


def resource_path(*parts: str) -> Path:
    """Path of a file under resources/, e.g. resource_path("plan", "plan.toml")."""
    return resources_dir().joinpath(*parts)
