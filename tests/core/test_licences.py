"""fieldplan's licence ships with the wheel, and the one-folder build carries the
licence texts of everything it bundles (packaging/notices.py)."""

from __future__ import annotations

import importlib.util
import shutil
import tomllib
from pathlib import Path

import pytest

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
               "uharfbuzz", "fieldplan.store", "ui.main_window", "os", "encodings.utf_8"]
    out = notices.write(tmp_path, shipped)
    readme = (out / "README.txt").read_text(encoding="utf-8")
    for name in ("Python", "reportlab", "babel", "cryptography", "platformdirs",
                 "sqlite-utils", "python-bidi", "arabic-reshaper", "pillow", "cffi",
                 "shiboken6", "uharfbuzz"):
        assert f"\n{name} " in readme, name
        assert any((out / name).iterdir()), name
    assert "fieldplan" not in [p.name for p in out.iterdir()]
    # Qt's wheels name the LGPL without its text: the build brings the text
    pyside = [p for p in out.iterdir() if p.name.lower().startswith("pyside6")]
    assert pyside and all((p / "LGPL-3.0.txt").is_file() for p in pyside)
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (pyside[0] / "LGPL-3.0.txt").read_text()
    assert "PSF" in (out / "Python" / "LICENSE.txt").read_text(encoding="utf-8")
    # uharfbuzz's wheel is HarfBuzz, whose licence its files leave out
    harfbuzz = (out / "uharfbuzz" / "HarfBuzz-COPYING.txt").read_text(encoding="utf-8")
    assert '"Old MIT" license' in harfbuzz and "Behdad Esfahbod" in harfbuzz


def load_notices():
    spec = importlib.util.spec_from_file_location("notices", ROOT / "packaging" / "notices.py")
    notices = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(notices)
    return notices


def system_zlib() -> Path | None:
    for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib"):
        if (Path(folder) / "libz.so.1").is_file():
            return Path(folder) / "libz.so.1"
    return None


@pytest.mark.skipif(shutil.which("dpkg") is None or system_zlib() is None,
                    reason="a Debian system library")
def test_a_system_library_the_build_ships_brings_its_debian_copyright(tmp_path):
    """PyInstaller gathers system libraries (glib, libcups, krb5, libstdc++…) into the
    Linux build: only Python distributions were in the notices. Each comes with the
    copyright file of the Debian package it is from and the licence texts that names;
    a wheel's own libraries and Python's stay under their distribution's notice."""
    import sysconfig

    import PySide6

    notices = load_notices()
    qt = next(Path(PySide6.__file__).parent.rglob("libQt6Core.so*"), None)
    dynload = next(Path(sysconfig.get_paths()["platstdlib"], "lib-dynload").glob("zlib*"),
                   None)
    binaries = [("libz.so.1", str(system_zlib()))]
    binaries += [(f"x/{p.name}", str(p)) for p in (qt, dynload) if p is not None]
    out = notices.write(tmp_path, ["PySide6.QtCore"], binaries)
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "\nzlib1g " in readme and "(libz.so.1): Zlib" in readme
    assert "zlib" in (out / "zlib1g" / "copyright").read_text(encoding="utf-8").lower()
    assert "libQt6Core" not in readme and "lib-dynload" not in readme
    assert "zlib.cpython" not in readme
    for named in ("PDFium", "DejaVu", "Noto Sans Arabic"):
        assert named in readme, named


@pytest.mark.skipif(not Path("/usr/share/doc/libglib2.0-0/copyright").is_file(),
                    reason="glib's Debian copyright file")
def test_the_lgpl_2_1_text_a_copyright_file_refers_to_is_copied(tmp_path):
    notices = load_notices()
    notices.package_notice("libglib2.0-0", tmp_path / "glib")
    text = (tmp_path / "glib" / "LGPL-2.1.txt").read_text(encoding="utf-8")
    assert "Version 2.1, February 1999" in text
    assert text == (ROOT / "packaging" / "licenses" / "LGPL-2.1.txt").read_text(
        encoding="utf-8")


def test_without_dpkg_the_notices_say_the_system_libraries_are_not_listed(
        tmp_path, monkeypatch):
    """Windows has no dpkg: the notices are still written, with a note."""
    notices = load_notices()
    library = tmp_path / "elsewhere" / "libthing.so.1"
    library.parent.mkdir()
    library.write_bytes(b"\x7fELF")
    monkeypatch.setattr(notices.shutil, "which", lambda name: None)
    out = notices.write(tmp_path / "build", ["PySide6.QtCore"], [(library.name, str(library))])
    readme = (out / "README.txt").read_text(encoding="utf-8")
    assert "made without dpkg): libthing.so.1" in readme


def test_the_build_leaves_out_readline_and_what_only_left_out_plugins_load():
    """Python's readline module (through cmd, code, pdb: fieldplan runs none) brought the
    GPL-3 libreadline, and the left-out GTK theme plugin brought cairo, pango, atk and
    gdk-pixbuf; packaging/smoke.sh checks the built folder itself."""
    spec = (ROOT / "packaging" / "fieldplan.spec").read_text(encoding="utf-8")
    excludes = next(line for line in spec.splitlines() if line.strip().startswith("excludes="))
    assert '"readline"' in excludes
    assert "only_for([e for e in a.binaries if not used(e)]" in spec
