"""Data files PyInstaller gathers that fieldplan never reads at run time, left out of
the one-folder build (packaging/fieldplan.spec asks ``kept`` of each;
tests/core/test_packaging_files.py checks that what the program reads stays)."""

from __future__ import annotations

#: babel's locale data (babel/locale-data/NAME.dat) fieldplan reads: the locales it
#: formats with (fieldplan.i18n: en_GB for English, fr, ar) and those they inherit
#: from. Babel's 200 others (fr_CA, ar_EG, en_US…: 1.6 MB) are never asked for: every
#: call names one of these, whatever the system's locale
BABEL_LOCALES = frozenset({"root", "en", "en_001", "en_GB", "fr", "ar"})

#: resources of the catalog loop (python -m fieldplan.catalogs), not of the program:
#: the template and the extraction's settings. The .po catalogs stay: fieldplan.i18n
#: compiles them on first use
RESOURCES_LEFT_OUT = frozenset({"resources/locale/fieldplan.pot",
                                "resources/locale/babel.cfg"})


def kept(dest: str) -> bool:
    """Whether a data file, at ``dest`` in the build, ships."""
    dest = dest.replace("\\", "/")
    if dest.startswith("babel/locale-data/"):
        return dest.rsplit("/", 1)[1].removesuffix(".dat") in BABEL_LOCALES
    return dest not in RESOURCES_LEFT_OUT
