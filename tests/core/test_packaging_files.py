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


def test_every_packaging_file_names_the_version_the_program_says() -> None:
    """The version is written in six places, which nothing tied together: a release that
    moved pyproject.toml and forgot the Windows installer would ship a setup file named,
    and registered in Windows' list of programs, as the version before (and the
    AppStream file's newest release, the README's install step, likewise)."""
    import re
    import tomllib

    from fieldplan import __version__

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    assert __version__ == version
    iss = (ROOT / "packaging" / "windows" / "fieldplan.iss").read_text(encoding="utf-8")
    assert re.findall(r"^AppVersion=(.*)$", iss, re.M) == [version]
    assert re.findall(r"^OutputBaseFilename=(.*)$", iss, re.M) == [f"fieldplan-{version}-setup"]
    releases = re.findall(r'<release version="([^"]+)"', METAINFO.read_text(encoding="utf-8"))
    assert releases[0] == version  # the newest first, as AppStream wants them
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert set(re.findall(r"fieldplan-([0-9][^-\s`]*)-setup\.exe", readme)) == {version}


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-utils not installed")
def test_the_desktop_entry_validates() -> None:
    entry = ROOT / "packaging" / "linux" / "org.iom_oic.fieldplan.desktop"
    done = subprocess.run(["desktop-file-validate", str(entry)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_build_keeps_the_locale_data_fieldplan_reads_and_no_other() -> None:
    """The build shipped babel's data for every regional French, English and Arabic
    locale (fr_CA, ar_EG…: 200 files) and the catalogs' template, none of which the
    program reads. What it reads while it formats in each of its languages must stay:
    a locale left out fails the first date or figure shown in that language."""
    import json
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import trim
    finally:
        sys.path.remove(str(ROOT / "packaging"))

    # in a fresh interpreter: babel's data already read by earlier tests (its cache,
    # fieldplan's cached locales) would be read from memory, and nothing recorded
    script = """
import json
from datetime import UTC, date, datetime

import babel.localedata

read = set()
load = babel.localedata.load


def recorded(name, merge_inherited=True):
    read.add(str(name))
    return load(name, merge_inherited)


babel.localedata.load = recorded
from fieldplan import i18n, offices
from fieldplan.reports.sheet import plural_count

for lang in i18n.LANGUAGES:
    i18n.set_language(lang)
    i18n.warm_formats(lang)
    i18n.is_rtl(lang)
    i18n.format_number(1234.5)
    i18n.format_percent(0.45)
    i18n.format_date(date(2026, 1, 2))
    i18n.format_datetime(datetime(2026, 1, 2, 15, 4, tzinfo=UTC))
    i18n.format_time(datetime(2026, 1, 2, 15, 4, tzinfo=UTC))
    offices.office_name("ML", lang)
    plural_count(2.5, lang)
print(json.dumps(sorted(read)))
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    read = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert read and all(trim.kept(f"babel/locale-data/{name}.dat") for name in read), read
    for regional in ("fr_CA", "ar_EG", "en_US", "de"):
        assert not trim.kept(f"babel/locale-data/{regional}.dat")
    assert not trim.kept("resources/locale/fieldplan.pot")
    for lang in ("fr", "ar"):
        assert trim.kept(f"resources/locale/{lang}/LC_MESSAGES/fieldplan.po")
        assert trim.kept(f"resources\\locale\\{lang}\\LC_MESSAGES\\fieldplan.po")  # Windows
    assert trim.kept("resources/fonts/NotoSansArabic-Regular.ttf")


def test_the_windows_installer_removes_only_its_own_files_and_opens_bundles_quoted() -> None:
    """What an upgrade or an uninstall deletes is under the program's folder ({app}),
    never the data (%LOCALAPPDATA%\\fieldplan, which a broader entry would take), and
    a bundle double-clicked in a folder whose path has spaces (or a user name in
    Arabic) reaches fieldplan as one argument, from a program path quoted too."""
    import re

    iss = (ROOT / "packaging" / "windows" / "fieldplan.iss").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^\[(\w+)\]\n(.*?)(?=^\[|\Z)", iss, re.M | re.S))
    for section in ("InstallDelete", "UninstallDelete"):
        for line in sections.get(section, "").splitlines():
            if line.strip() and not line.startswith(";"):
                name = re.search(r'Name: "([^"]+)"', line).group(1)
                assert name.startswith("{app}\\") and ".." not in name, line
    assert "{app}\\_internal" in sections["InstallDelete"]  # (the sections were read)
    assert re.findall(r"^DefaultDirName=(.*)$", iss, re.M) == [
        "{localappdata}\\Programs\\fieldplan"]
    assert "UsePreviousAppDir=no" not in iss  # an upgrade goes where the last install went
    command = re.search(r'Subkey: "Software\\Classes\\fieldplan\.bundle\\shell\\open\\command";'
                        r'.*ValueData: "(.*?)"; Flags', iss).group(1)
    assert command == '""{app}\\fieldplan.exe"" gui ""%1""'
    # per user: no administrator asked for, and the file type in the user's own classes
    assert re.findall(r"^PrivilegesRequired=(.*)$", iss, re.M) == ["lowest"]
    assert all(line.startswith("Root: HKCU;") for line in sections["Registry"].splitlines()
               if line.startswith("Root:"))


def test_the_build_without_its_venv_says_what_to_run_first(tmp_path: Path) -> None:
    """`sh packaging/build.sh` in a fresh checkout said only
    "build.sh: 8: .venv/bin/python: not found" (exit 127)."""
    (tmp_path / "packaging").mkdir()
    shutil.copy(ROOT / "packaging" / "build.sh", tmp_path / "packaging")
    done = subprocess.run(["sh", str(tmp_path / "packaging" / "build.sh")], cwd=tmp_path,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "run 'sh packaging/bootstrap.sh' first" in done.stderr
    assert not (tmp_path / "dist").exists()


def _build_here(tmp_path: Path, build_extra: str | None) -> Path:
    """A checkout in ``tmp_path`` with build.sh, a venv whose python is this one
    (recording each run; ``-m pip`` fails as it does offline) and a pyinstaller that
    makes an empty dist/fieldplan; ``build_extra`` replaces the build extra's list."""
    import sys

    (tmp_path / "packaging").mkdir()
    for name in ("build.sh", "missing.py"):
        shutil.copy(ROOT / "packaging" / name, tmp_path / "packaging")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    if build_extra is not None:
        pyproject = pyproject.replace('build = ["pyinstaller>=6.10"]', f"build = {build_extra}")
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    (bin_ / "python").write_text(
        "#!/bin/sh\n"
        f'echo "python $*" >> "{tmp_path}/ran"\n'
        'if [ "$1" = -m ] && [ "$2" = pip ]; then\n'
        '    echo "ERROR: Could not find a version that satisfies the requirement" >&2\n'
        "    exit 1\n"
        "fi\n"
        f'exec "{sys.executable}" "$@"\n')
    (bin_ / "pyinstaller").write_text(
        f'#!/bin/sh\necho "pyinstaller $*" >> "{tmp_path}/ran"\nmkdir -p dist/fieldplan\n')
    for script in bin_.iterdir():
        script.chmod(0o755)
    return tmp_path


def test_the_build_with_everything_in_its_venv_needs_no_network(tmp_path: Path) -> None:
    """build.sh ran `pip install -e .[build]` every time: on a machine without the
    network, with PyInstaller and every requirement already in the venv, it failed in
    pip's retries. Now pip runs only for what the venv lacks."""
    here = _build_here(tmp_path, '["pytest>=1"]')  # (what this venv has)
    done = subprocess.run(["sh", str(here / "packaging" / "build.sh"), "--no-smoke"],
                          cwd=here, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    ran = (here / "ran").read_text().splitlines()
    assert not [line for line in ran if line.startswith("python -m pip")], ran
    assert ran[-1].startswith("pyinstaller ") and ran[-1].endswith("packaging/fieldplan.spec")


def test_the_build_says_what_it_lacks_when_pip_cannot_get_it(tmp_path: Path) -> None:
    """Offline and without PyInstaller: one line naming it and the way out, not the
    build going on to `.venv/bin/pyinstaller: not found`."""
    here = _build_here(tmp_path, '["fieldplan-no-such-tool>=1"]')
    done = subprocess.run(["sh", str(here / "packaging" / "build.sh")], cwd=here,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    said = done.stderr.strip().splitlines()[-1]
    assert said.startswith("pip could not install what the build needs "
                           "(fieldplan-no-such-tool>=1 (not installed)): "), said
    assert "PIP_NO_INDEX=1 PIP_FIND_LINKS=FOLDER" in said
    assert "installing what the build needs: fieldplan-no-such-tool>=1" in done.stdout
    ran = (here / "ran").read_text().splitlines()
    assert any(line.startswith("python -m pip install") for line in ran), ran
    assert not any(line.startswith("pyinstaller ") for line in ran), ran
    assert not (here / "dist").exists()


def test_missing_names_a_requirement_installed_at_a_version_it_excludes() -> None:
    import sys

    sys.path.insert(0, str(ROOT / "packaging"))
    try:
        import missing
    finally:
        sys.path.remove(str(ROOT / "packaging"))
    import pytest as installed

    assert missing.missing(["pytest>=1", f"pytest=={installed.__version__}"]) == []
    assert missing.missing(["pytest<1"]) == [f"pytest<1 ({installed.__version__} installed)"]
    assert missing.missing(['pytest<1; python_version < "3"']) == []
    assert "pyinstaller>=6.10" in missing.requirements(["build"])


def test_the_bundle_file_type_is_one_the_desktop_reads_and_opens_with_fieldplan(
        tmp_path: Path) -> None:
    """The shared-mime-info file names the type the desktop entry opens, by the
    glob a bundle's name ends in, as a kind of ZIP (which a bundle is), with the icon
    install.sh puts under that type's name, and a name in each language; the
    desktop's own tool (update-mime-database, where installed) reads it so."""
    import re
    import xml.etree.ElementTree as ET
    import zipfile

    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    linux = ROOT / "packaging" / "linux"
    [mime] = ET.parse(linux / "fieldplan-bundle.xml").getroot().findall("m:mime-type", ns)
    kind = mime.get("type")
    entry = (linux / "org.iom_oic.fieldplan.desktop").read_text(encoding="utf-8")
    assert re.findall(r"^MimeType=(.*)$", entry, re.M) == [f"{kind};"]
    assert [g.get("pattern") for g in mime.findall("m:glob", ns)] == ["*.fieldplan"]
    assert [s.get("type") for s in mime.findall("m:sub-class-of", ns)] == ["application/zip"]
    for bundle in (ROOT / "tests" / "fixtures" / "bundles").rglob("*.fieldplan"):
        assert zipfile.is_zipfile(bundle), bundle
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {c.get(lang) for c in mime.findall("m:comment", ns)} == {None, "fr", "ar"}
    icon = mime.find("m:icon", ns).get("name")
    assert icon == kind.replace("/", "-")  # (the name the type gives when none is said)
    install = (linux / "install.sh").read_text(encoding="utf-8")
    assert f"MIME_ICON={icon} " in install
    if shutil.which("update-mime-database") is None:
        return
    (tmp_path / "mime" / "packages").mkdir(parents=True)
    shutil.copy(linux / "fieldplan-bundle.xml", tmp_path / "mime" / "packages")
    done = subprocess.run(["update-mime-database", str(tmp_path / "mime")],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    globs = (tmp_path / "mime" / "globs2").read_text(encoding="utf-8").splitlines()
    assert f"50:{kind}:*.fieldplan" in globs
    assert f"{kind} application/zip" in (tmp_path / "mime" / "subclasses").read_text()


def test_the_appstream_file_names_the_entry_and_its_releases_in_order() -> None:
    """What software centres read without appstreamcli: the component is the desktop
    entry's (its id, the launchable), provides the command, and lists its releases
    newest first, each dated YYYY-MM-DD, no later one dated before an earlier."""
    import re
    import xml.etree.ElementTree as ET
    from datetime import date

    root = ET.parse(METAINFO).getroot()
    entry = "org.iom_oic.fieldplan.desktop"
    assert (ROOT / "packaging" / "linux" / entry).is_file()
    assert root.findtext("id") == entry.removesuffix(".desktop")
    assert [(la.get("type"), la.text) for la in root.findall("launchable")] == [
        ("desktop-id", entry)]
    assert [b.text for b in root.findall("provides/binary")] == ["fieldplan"]
    releases = root.findall("releases/release")
    versions = [tuple(int(n) for n in r.get("version").split(".")) for r in releases]
    assert versions == sorted(set(versions), reverse=True)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", r.get("date")) for r in releases)
    dates = [date.fromisoformat(r.get("date")) for r in releases]
    assert dates == sorted(dates, reverse=True)


def test_the_builds_qt_runtime_hook_names_the_plugins_without_importing_qt(
        tmp_path: Path) -> None:
    """PyInstaller's own hook for PySide6 imported QtCore at every start of the built
    program, to write a qt.conf PySide6 writes itself: every command (`--version`
    too) loaded Qt, ICU and shiboken first. The spec runs packaging/rth_qt.py in its
    place, which only says where the plugins are (smoke.sh checks the built program
    loads no Qt for a command, and finds its plugins and translations)."""
    import re
    import sys

    script = f"""
import os, runpy, sys
sys._MEIPASS = {str(tmp_path)!r}
runpy.run_path({str(ROOT / "packaging" / "rth_qt.py")!r})
print(os.environ["QT_PLUGIN_PATH"])
print(sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6")))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    plugins, modules = done.stdout.strip().splitlines()[-2:]
    qt = tmp_path / "PySide6" if sys.platform.startswith("win") else tmp_path / "PySide6" / "Qt"
    assert plugins == str(qt / "plugins")
    assert modules == "[]"
    spec = (ROOT / "packaging" / "fieldplan.spec").read_text(encoding="utf-8")
    assert re.search(r'runtime_hooks=\[str\(root / "packaging" / "rth_qt\.py"\)\] if OWN_QT_HOOK',
                     spec)
    assert 'a.scripts = [s for s in a.scripts if s[0] != "pyi_rth_pyside6"]' in spec
    assert 'OWN_QT_HOOK = sys.platform.startswith("linux")' in spec
