"""fieldplan's licence ships with the wheel, and the one-folder build carries the
licence texts of everything it bundles (packaging/notices.py)."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_licence_pyproject_names_is_there_and_goes_into_the_wheel():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"
    assert project["project"]["license-files"] == ["LICENSE"]
    assert "LICENSE" in project["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


def test_the_build_gathers_the_licence_of_each_distribution_it_ships(tmp_path):
    spec = importlib.util.spec_from_file_location("notices", ROOT / "packaging" / "notices.py")
    notices = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notices)
    shipped = ["PySide6.QtCore", "PySide6/Qt/lib/libQt6Core.so.6", "shiboken6",
               "reportlab.lib.utils", "babel.numbers", "cryptography", "platformdirs",
               "sqlite_utils.db", "bidi", "arabic_reshaper", "PIL.Image", "_cffi_backend",
               "fieldplan.store", "ui.main_window", "os", "encodings.utf_8"]
    out = notices.write(tmp_path, shipped)
    readme = (out / "README.txt").read_text(encoding="utf-8")
    for name in ("Python", "reportlab", "babel", "cryptography", "platformdirs",
                 "sqlite-utils", "python-bidi", "arabic-reshaper", "pillow", "cffi",
                 "shiboken6"):
        assert f"\n{name} " in readme, name
        assert any((out / name).iterdir()), name
    assert "fieldplan" not in [p.name for p in out.iterdir()]
    # Qt's wheels name the LGPL without its text: the build brings the text
    pyside = [p for p in out.iterdir() if p.name.lower().startswith("pyside6")]
    assert pyside and all((p / "LGPL-3.0.txt").is_file() for p in pyside)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (pyside[0] / "LGPL-3.0.txt").read_text()
    assert "PSF" in (out / "Python" / "LICENSE.txt").read_text(encoding="utf-8")
