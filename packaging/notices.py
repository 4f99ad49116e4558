"""The licence texts of everything the one-folder build ships, for its
THIRD-PARTY-NOTICES folder: each Python distribution's own licence files (from its
dist-info), Python's licence, and the LGPL and GPL texts for Qt and PySide6 (their
wheels name the licence but carry no text). packaging/fieldplan.spec calls write()
once the folder is built; the Windows installer ships it with the rest.
"""

from __future__ import annotations

import importlib.metadata
import shutil
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: fieldplan's own code (its licence is LICENSE, beside the program)
OURS = frozenset({"fieldplan"})
#: licence texts for distributions whose wheels name the licence without its text
TEXTS = {"LGPL-3.0": ("LGPL-3.0.txt", "GPL-3.0.txt"), "GPL-3.0": ("GPL-3.0.txt",)}
QT_SOURCE = ("Qt and Qt for Python (PySide6, shiboken6) are used under the LGPL 3.0. "
             "Their source code: https://download.qt.io/official_releases/ and "
             "https://code.qt.io/cgit/pyside/pyside-setup.git/. The Qt libraries are "
             "the separate files in _internal/PySide6 (and beside it) and may be "
             "replaced by other builds of the same version.")


def distributions(modules: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions that provide ``modules`` (dotted module names or
    build paths such as ``PySide6/Qt/lib/libQt6Core.so.6``), fieldplan's own left out."""
    owners = importlib.metadata.packages_distributions()
    names = set()
    for module in modules:
        top = module.replace("\\", "/").split("/")[0].split(".")[0]
        names.update(owners.get(top, ()))
    found = {}
    for name in names:
        dist = importlib.metadata.distribution(name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key not in OURS:
            found[key] = dist
    return [found[key] for key in sorted(found)]


def licence(dist: importlib.metadata.Distribution) -> str:
    """The licence a distribution declares, in one line."""
    meta = dist.metadata
    if meta.get("License-Expression"):
        return meta["License-Expression"]
    classifiers = [c.rsplit(" :: ", 1)[1] for c in meta.get_all("Classifier") or ()
                   if c.startswith("License ::")]
    text = (meta.get("License") or "").strip()
    if text and (len(text) < 100 or not classifiers):
        return text.splitlines()[0]
    return ", ".join(classifiers) or "see its licence files"


def licence_files(dist: importlib.metadata.Distribution) -> list[Path]:
    """The licence, copying and notice files the distribution installed."""
    files = []
    for file in dist.files or ():
        parts = file.parts
        name = parts[-1].upper()
        in_meta = parts[0].endswith(".dist-info")
        if in_meta and ((len(parts) > 2 and parts[1] == "licenses") or name.startswith(
                ("LICEN", "COPYING", "NOTICE", "AUTHORS"))):
            files.append(Path(dist.locate_file(file)))
    return [f for f in files if f.is_file()]


def python_licence() -> Path | None:
    """Python's own LICENSE.txt (in the standard library's folder on Linux, beside
    python.exe on Windows)."""
    for place in (Path(sysconfig.get_paths()["stdlib"]), Path(sys.base_prefix)):
        if (place / "LICENSE.txt").is_file():
            return place / "LICENSE.txt"
    return None


def write(folder: Path, modules: Iterable[str]) -> Path:
    """Write THIRD-PARTY-NOTICES into ``folder`` (the built program's folder) for the
    distributions that provide ``modules``; return it."""
    out = folder / "THIRD-PARTY-NOTICES"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    lines = ["fieldplan includes the following software, each under its own licence;",
             "the licence texts are in the folder named after it.", ""]
    python = python_licence()
    version = ".".join(map(str, sys.version_info[:3]))
    if python is not None:
        (out / "Python").mkdir()
        shutil.copy(python, out / "Python" / "LICENSE.txt")
    lines.append(f"Python {version}: PSF-2.0")
    for dist in distributions(modules):
        name, named = dist.metadata["Name"], licence(dist)
        place = out / name
        place.mkdir()
        files = licence_files(dist)
        for file in files:
            shutil.copy(file, place / file.name)
        if not files:
            for key, texts in TEXTS.items():
                if key in named:
                    for text in texts:
                        shutil.copy(HERE / "licenses" / text, place / text)
                    break
        lines.append(f"{name} {dist.version}: {named}")
    lines += ["", QT_SOURCE, ""]
    (out / "README.txt").write_text("\n".join(lines), encoding="utf-8")
    return out
