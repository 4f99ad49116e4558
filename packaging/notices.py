"""The licence texts of everything the one-folder build ships, for its
THIRD-PARTY-NOTICES folder: each Python distribution's own licence files (from its
dist-info), Python's licence, the LGPL and GPL texts for Qt and PySide6 (their
wheels name the licence but carry no text), and on Linux the copyright file of the
Debian package each system library PyInstaller gathered comes from (glib, ICU's
users, libcups, krb5, libstdc++…), with the licence texts it refers to.
packaging/fieldplan.spec calls write() once the folder is built; the Windows
installer ships it with the rest.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import site
import subprocess
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: fieldplan's own code (its licence is LICENSE, beside the program)
OURS = frozenset({"fieldplan"})
#: licence texts for distributions whose wheels name the licence without its text
TEXTS = {"LGPL-3.0": ("LGPL-3.0.txt", "GPL-3.0.txt"), "GPL-3.0": ("GPL-3.0.txt",)}
#: licence texts of the libraries a wheel is built with, which its own files do not
#: carry: uharfbuzz's module is HarfBuzz itself (the "Old MIT" licence)
BUILT_WITH = {"uharfbuzz": ("HarfBuzz-COPYING.txt",)}
QT_SOURCE = ("Qt and Qt for Python (PySide6, shiboken6) are used under the LGPL 3.0. "
             "Their source code: https://download.qt.io/official_releases/ and "
             "https://code.qt.io/cgit/pyside/pyside-setup.git/. The Qt libraries are "
             "the separate files in _internal/PySide6 (and beside it) and may be "
             "replaced by other builds of the same version.")
#: what the build bundles that is neither a Python distribution nor a system library
BUNDLED = ("Fonts in _internal/resources/fonts, each with its licence beside it: DejaVu "
           "Sans (the Bitstream Vera licence and the Arev fonts' additions, DejaVu-"
           "LICENSE.txt), Noto Sans Arabic and Noto Sans Bengali (SIL Open Font "
           "License 1.1, NotoSansArabic-LICENSE.txt, NotoSansBengali-LICENSE.txt).\n"
           "QtPdf (libQt6Pdf, in PySide6) contains PDFium, under the BSD-3-Clause and "
           "Apache-2.0 licences (https://pdfium.googlesource.com/pdfium/+/main/LICENSE), "
           "and the libraries PDFium uses (FreeType, libjpeg-turbo, libpng, zlib, "
           "OpenJPEG, lcms2, Abseil); Qt's ICU libraries (libicu*.so, the Unicode "
           "licence, https://github.com/unicode-org/icu/blob/main/LICENSE) come with "
           "PySide6 too.")
#: where Debian keeps the licence texts its copyright files refer to
COMMON_LICENSES = Path("/usr/share/common-licenses")


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


def system_libraries(binaries: Iterable[tuple[str, str]]) -> list[Path]:
    """The libraries among ``binaries`` (pairs of place in the build and file copied
    there) that came from the system: not from a Python distribution (whose licence
    files cover what its wheel bundles) nor from Python itself."""
    paths = sysconfig.get_paths()
    # Python's standard library with its extension modules, and the site-packages
    # folders (a wheel's bundled libraries are there, as PySide6/Qt/lib or pillow.libs)
    covered = {Path(paths[key]).resolve() for key in ("stdlib", "platstdlib", "purelib",
                                                      "platlib")}
    covered |= {Path(p).resolve() for p in site.getsitepackages()}
    found = []
    for _, source in binaries:
        path = Path(source).resolve()
        if path.is_file() and not path.name.startswith("libpython") \
                and not any(path.is_relative_to(p) for p in covered):
            found.append(Path(source))
    return sorted(set(found))


def debian_package(library: Path) -> str | None:
    """The Debian package that installed ``library`` (as given or once its links and
    /lib -> /usr/lib are followed), or None."""
    tried = [str(library), str(library.resolve())]
    tried += ["/usr" + p for p in tried if p.startswith("/lib")]
    for path in tried:
        done = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True,
                              check=False)
        if done.returncode == 0 and ":" in done.stdout:
            return done.stdout.split(":")[0].split(",")[0].strip()
    return None


def package_notice(package: str, place: Path) -> str:
    """Copy the package's copyright file and the licence texts it refers to into
    ``place``; return the licences it names, in one line."""
    copyright_file = Path("/usr/share/doc") / package / "copyright"
    place.mkdir(exist_ok=True)
    if not copyright_file.is_file():
        return "its copyright file is missing from /usr/share/doc"
    text = copyright_file.read_text(encoding="utf-8", errors="replace")
    shutil.copy(copyright_file, place / "copyright")
    for name in sorted(set(re.findall(
            r"/usr/share/common-licenses/([A-Za-z0-9+-]+(?:\.[0-9]+)*)", text))):
        own = HERE / "licenses" / f"{name}.txt"
        source = own if own.is_file() else COMMON_LICENSES / name
        if source.is_file():
            shutil.copy(source, place / f"{name}.txt")
    named = sorted({line.split(":", 1)[1].strip() for line in text.splitlines()
                    if line.startswith("License:") and line.split(":", 1)[1].strip()})
    return ", ".join(named) or "see its copyright file"


def system_notices(out: Path, binaries: Iterable[tuple[str, str]]) -> list[str]:
    """Gather the notices of the system libraries among ``binaries`` into ``out``, by
    Debian package; return the README's lines for them."""
    libraries = system_libraries(binaries)
    if not libraries:
        return []
    if shutil.which("dpkg") is None or shutil.which("dpkg-query") is None:
        # Windows (PyInstaller gathers no system library there but the C runtime) or
        # a Linux without dpkg: say so rather than list nothing
        return ["", "System libraries (not listed: this build was made without dpkg): "
                + ", ".join(p.name for p in libraries)]
    packages: dict[str, list[str]] = {}
    unknown = []
    for library in libraries:
        package = debian_package(library)
        if package is None:
            unknown.append(library.name)
        else:
            packages.setdefault(package, []).append(library.name)
    lines = ["", "System libraries, by the Debian package they come from (its copyright "
             "file and the licence texts it refers to are in the folder named after the "
             "package; the source: https://sources.debian.org/):"]
    for package, names in sorted(packages.items()):
        version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                                 capture_output=True, text=True, check=False).stdout
        named = package_notice(package, out / package)
        lines.append(f"{package} {version.strip()} ({', '.join(sorted(names))}): {named}")
    if unknown:
        lines.append("From no Debian package (see each project's licence): "
                     + ", ".join(sorted(unknown)))
    return lines


def write(folder: Path, modules: Iterable[str],
          binaries: Iterable[tuple[str, str]] = ()) -> Path:
    """Write THIRD-PARTY-NOTICES into ``folder`` (the built program's folder) for the
    distributions that provide ``modules`` and the system libraries among
    ``binaries`` (pairs of place in the build and file copied there); return it."""
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
        for text in BUILT_WITH.get(name.lower(), ()):
            shutil.copy(HERE / "licenses" / text, place / text)
        lines.append(f"{name} {dist.version}: {named}")
    lines += system_notices(out, binaries)
    lines += ["", QT_SOURCE, "", BUNDLED, ""]
    (out / "README.txt").write_text("\n".join(lines), encoding="utf-8")
    return out
