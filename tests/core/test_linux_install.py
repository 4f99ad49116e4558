"""packaging/linux/install.sh, run on a small stand-in for the PyInstaller build: a
`fieldplan` that is a real program (a copy of sleep, so that /proc/PID/exe names it)
and an _internal/base_library.zip that says which build it is."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLEEP = shutil.which("sleep")

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or SLEEP is None, reason="the Linux installer")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of what install.sh reads from the repository, with no build yet."""
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "packaging" / "linux", repo / "packaging" / "linux")
    shutil.copytree(ROOT / "resources" / "icons", repo / "resources" / "icons")
    shutil.copy(ROOT / "pyproject.toml", repo)
    return repo


def build(repo: Path, name: str) -> None:
    """A new stand-in build in repo/dist/fieldplan, its base_library.zip saying ``name``."""
    dist = repo / "dist" / "fieldplan"
    shutil.rmtree(dist, ignore_errors=True)
    (dist / "_internal").mkdir(parents=True)
    shutil.copy(SLEEP, dist / "fieldplan")
    (dist / "_internal" / "base_library.zip").write_text(name)


def install(repo: Path, opt: Path | None, prefix: Path,
            *args: str) -> subprocess.CompletedProcess:
    """Run install.sh with ``args`` and PREFIX, and OPT unless ``opt`` is None."""
    env = {k: v for k, v in os.environ.items() if k != "OPT"}
    if opt is not None:
        env["OPT"] = str(opt)
    return subprocess.run(
        ["sh", str(repo / "packaging" / "linux" / "install.sh"), *args, str(prefix)],
        env=env, capture_output=True, text=True, check=False)


def versions(opt: Path) -> dict[str, str]:
    """The version folders in ``opt``, by which build each holds."""
    return {d.name: (d / "_internal" / "base_library.zip").read_text()
            for d in opt.iterdir() if d.is_dir() and not d.is_symlink()
            and not d.name.startswith(".")}


@contextlib.contextmanager
def running_first_install(repo: Path, opt: Path, prefix: Path) -> Iterator[Path]:
    """Version "one" built and installed, and a fieldplan of it running while the block
    runs (killed after it): its folder."""
    build(repo, "one")
    assert install(repo, opt, prefix).returncode == 0
    running = subprocess.Popen([str(prefix / "bin" / "fieldplan"), "60"])
    try:
        yield Path(os.readlink(f"/proc/{running.pid}/exe")).parent
    finally:
        running.kill()
        running.wait()


def test_an_upgrade_leaves_a_running_fieldplan_its_files(repo, tmp_path):
    """PyInstaller opens the program and base_library.zip again by path while it runs:
    an upgrade that swapped the folder made a running window fail ('ZipImportError: bad
    local file header'). Each install has its own folder, `current` is switched to
    it, and a folder a program still runs from is kept until it ends."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    with running_first_install(repo, opt, prefix) as one:
        assert one.parent == opt.resolve() and one.name.startswith("0.")
        for name in ("two", "three"):
            build(repo, name)
            done = install(repo, opt, prefix)
            assert done.returncode == 0, done.stderr
        assert versions(opt)[one.name] == "one"
        assert f"kept {one}" in done.stdout
        newest = (prefix / "bin" / "fieldplan").resolve().parent
        assert (newest / "_internal" / "base_library.zip").read_text() == "three"
        assert (opt / "current").resolve() == newest
        assert os.readlink(opt / "current") == newest.name  # relative: moves with $OPT
    build(repo, "four")
    assert install(repo, opt, prefix).returncode == 0
    left = versions(opt)
    assert one.name not in left and "four" in left.values()
    assert "one" not in left.values()
    entry = (prefix / "share" / "applications" / "org.iom_oic.fieldplan.desktop").read_text()
    assert f'Exec="{opt.resolve()}/current/fieldplan" gui %F' in entry.splitlines()


@pytest.mark.skipif(os.geteuid() != 0, reason="installs as root")
def test_as_root_the_program_is_roots_and_only_root_may_change_it(repo, tmp_path):
    """cp -a kept the builder's ownership: anyone who built it could change the program
    every user runs."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    for path in [repo / "dist" / "fieldplan", *(repo / "dist" / "fieldplan").rglob("*")]:
        os.chown(path, 1000, 1000)
        path.chmod(path.stat().st_mode | stat.S_IWGRP | stat.S_IWOTH)
    assert install(repo, opt, prefix).returncode == 0
    for path in [opt, *opt.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat()
        assert (mode.st_uid, mode.st_gid) == (0, 0), path
        assert not mode.st_mode & (stat.S_IWGRP | stat.S_IWOTH), path
        assert mode.st_mode & stat.S_IROTH, path


@pytest.mark.parametrize("planted", ["resources/icons/fieldplan.svg",
                                     "packaging/linux/fieldplan-bundle.xml", "dist/fieldplan"])
def test_a_link_out_of_the_checkout_is_not_installed(repo, tmp_path, planted):
    """Run as root in a checkout an ordinary user owns, `install -m 644` followed a link
    that user planted (fieldplan.svg -> /etc/shadow) and installed what it points to
    readable by everyone. A source that leads out of the checkout stops the install
    before anything is copied."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    secret = tmp_path / "secret"
    if planted == "dist/fieldplan":
        shutil.move(repo / "dist" / "fieldplan", secret)
    else:
        secret.write_text("ROOT-ONLY SECRET")
        (repo / planted).unlink()
    (repo / planted).symlink_to(secret)
    done = install(repo, opt, prefix)
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert f"{planted} is a link out of" in done.stderr
    assert not prefix.exists() and not opt.exists()


def test_a_build_linked_inside_the_checkout_is_installed(repo, tmp_path):
    """dist/fieldplan may be a link to another build folder of the same checkout."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    shutil.move(repo / "dist" / "fieldplan", repo / "dist" / "fieldplan-1")
    (repo / "dist" / "fieldplan").symlink_to("fieldplan-1")
    done = install(repo, opt, prefix)
    assert done.returncode == 0, done.stderr
    assert versions(opt) and set(versions(opt).values()) == {"one"}


def test_uninstall_removes_what_install_put_in_place_and_says_where_data_stays(
        repo, tmp_path):
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    assert install(repo, opt, prefix).returncode == 0
    icons = prefix / "share" / "icons" / "hicolor"
    for icon in ("48x48/apps/fieldplan.png", "scalable/apps/fieldplan.svg",
                 "48x48/mimetypes/application-x-fieldplan-bundle.png",
                 "scalable/mimetypes/application-x-fieldplan-bundle.svg"):
        assert (icons / icon).is_file(), icon
    gone = install(repo, opt, prefix, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert not opt.exists()
    ours = ("fieldplan", "application-x-fieldplan-bundle", "org.iom_oic.fieldplan")
    assert [p for p in prefix.rglob("*") if p.name.startswith(ours)] == []
    # every folder a user's fieldplan writes, so that one who wants all of it gone
    # knows each (the settings' folder went unsaid, and stayed)
    for folder in ("~/.local/share/fieldplan", "~/.local/state/fieldplan/marks",
                   "~/.config/fieldplan", "~/.cache/fieldplan"):
        assert folder in gone.stdout, folder


def test_an_install_made_before_version_folders_is_replaced(repo, tmp_path):
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "old")
    shutil.copytree(repo / "dist" / "fieldplan", opt)
    build(repo, "new")
    assert install(repo, opt, prefix).returncode == 0
    assert not (opt / "fieldplan").exists() and not (opt / "_internal").exists()
    assert list(versions(opt).values()) == ["new"]


@pytest.mark.parametrize("inside", ["other", "fieldplan"])
def test_a_folder_that_is_not_fieldplans_is_never_used(repo, tmp_path, inside):
    """OPT=/opt by mistake: refused, also when fieldplan's own folder is in it (a
    folder named fieldplan passed for an earlier install's program)."""
    opt, prefix = tmp_path / "opt", tmp_path / "usr"
    (opt / inside).mkdir(parents=True)
    build(repo, "one")
    for args in ((), ("--uninstall",)):
        done = install(repo, opt, prefix, *args)
        assert done.returncode == 1 and "not an install of fieldplan" in done.stderr
    assert [p.name for p in opt.iterdir()] == [inside]


@pytest.mark.parametrize("then", ["install", "uninstall"])
def test_a_folder_kept_by_an_uninstall_is_removed_by_the_next_run(repo, tmp_path, then):
    """Uninstalled while a fieldplan ran, its folder was kept 'for the next install', and
    the next install (or uninstall) refused $OPT as 'not an install of fieldplan': only
    `current` or an old-style program marked it as ours."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    with running_first_install(repo, opt, prefix) as one:
        gone = install(repo, opt, prefix, "--uninstall")
        assert gone.returncode == 0, gone.stderr
        assert f"kept {one}" in gone.stdout and one.is_dir()
    build(repo, "two")
    done = install(repo, opt, prefix, *(["--uninstall"] if then == "uninstall" else []))
    assert done.returncode == 0, done.stderr
    assert not one.exists()
    if then == "install":
        assert list(versions(opt).values()) == ["two"]
    else:
        assert not opt.exists()


def test_a_folder_kept_before_the_mark_is_recognised(repo, tmp_path):
    """An install made before the mark in $OPT, kept by an uninstall: only version
    folders, each with its fieldplan program."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "old")
    shutil.copytree(repo / "dist" / "fieldplan", opt / "0.1.0-20250101000000")
    build(repo, "new")
    done = install(repo, opt, prefix)
    assert done.returncode == 0, done.stderr
    assert list(versions(opt).values()) == ["new"]


def test_without_opt_the_install_prefix_runs_is_upgraded_and_uninstalled(repo, tmp_path):
    """`OPT=/srv/x sudo sh install.sh` loses OPT (sudo resets the environment), and an
    uninstall without the install's OPT removed the menu entry, said it uninstalled
    /opt/fieldplan and left the program and PREFIX/bin/fieldplan working. Without OPT,
    the install PREFIX/bin/fieldplan runs is the one meant."""
    opt, prefix = tmp_path / "srv" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    assert install(repo, opt, prefix).returncode == 0
    build(repo, "two")
    done = install(repo, None, prefix)
    assert done.returncode == 0, done.stderr
    assert list(versions(opt).values()) == ["two"]
    gone = install(repo, None, prefix, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert not opt.exists() and not (prefix / "bin" / "fieldplan").is_symlink()
    assert f"from {opt.resolve()} and {prefix}" in gone.stdout


def test_an_uninstall_with_another_opt_removes_nothing_and_says_so(repo, tmp_path):
    opt, prefix = tmp_path / "srv" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    assert install(repo, opt, prefix).returncode == 0
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")
                    if "repo" not in p.parts)
    gone = install(repo, tmp_path / "opt" / "fieldplan", prefix, "--uninstall")
    assert gone.returncode == 1 and gone.stderr.count("\n") == 1, gone.stderr
    assert f"runs the one in {opt.resolve()}" in gone.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")
                  if "repo" not in p.parts) == before


def test_an_uninstall_that_finds_no_fieldplan_fails(repo, tmp_path):
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    gone = install(repo, opt, prefix, "--uninstall")
    assert gone.returncode == 1 and gone.stderr.count("\n") == 1, gone.stderr
    assert "no install of fieldplan in" in gone.stderr and "uninstalled" not in gone.stdout


@pytest.mark.skipif(shutil.which("update-desktop-database") is None,
                    reason="desktop-file-utils not installed")
def test_a_double_clicked_bundle_finds_fieldplan_in_the_menus_cache(repo, tmp_path):
    """GLib's file managers look a file type's program up in mimeinfo.cache only: the
    type without its line there opened nothing (or another program) on a double-click."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    done = install(repo, opt, prefix)
    assert done.returncode == 0, done.stderr
    cache = (prefix / "share" / "applications" / "mimeinfo.cache").read_text()
    assert "application/x-fieldplan-bundle=org.iom_oic.fieldplan.desktop;" in cache
    assert "update-desktop-database" not in done.stdout


def test_without_update_desktop_database_the_install_says_what_the_file_type_needs(
        repo, tmp_path):
    """With no update-desktop-database the install went through in silence, and a
    bundle double-clicked in GNOME's file manager did not open in fieldplan."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for folder in ("/usr/bin", "/bin"):
        for tool in Path(folder).iterdir():
            if tool.name != "update-desktop-database" and not (tools / tool.name).exists():
                (tools / tool.name).symlink_to(tool)
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    env = {k: v for k, v in os.environ.items() if k != "OPT"}
    env.update(OPT=str(opt), PATH=str(tools))
    done = subprocess.run(["sh", str(repo / "packaging" / "linux" / "install.sh"), str(prefix)],
                          env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "desktop-file-utils" in done.stdout
    assert not (prefix / "share" / "applications" / "mimeinfo.cache").exists()


def exec_argv(entry: Path) -> list[str]:
    """The program and arguments a desktop entry's Exec line gives, read as the Desktop
    Entry Specification says (GLib, KDE): a string's escapes undone, then the line split
    at unquoted blanks, a double-quoted argument whole."""
    line = next(x for x in entry.read_text().splitlines() if x.startswith("Exec="))
    value = line.removeprefix("Exec=").replace("\\\\", "\\")
    argv, word, quoted, escaped, started = [], "", False, False, False
    for char in value:
        if escaped:
            word, escaped = word + char, False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted, started = not quoted, True
        elif char == " " and not quoted:
            if started or word:
                argv.append(word)
            word, started = "", False
        else:
            word += char
    return [*argv, word] if word or started else argv


def test_an_opt_with_spaces_is_named_whole_by_the_menu_entry(repo, tmp_path):
    """OPT="/opt/IOM apps/fieldplan" wrote Exec=/opt/IOM apps/fieldplan/current/fieldplan:
    the desktop reads the program as /opt/IOM (GLib drops such an entry from the menu and
    from the .fieldplan file type: a double-clicked bundle opened nothing). And an
    uninstall that finds the install through the menu entry alone finds it still."""
    opt, prefix = tmp_path / "IOM apps" / "field plan & co's", tmp_path / "usr"
    build(repo, "one")
    done = install(repo, opt, prefix)
    assert done.returncode == 0, done.stderr
    entry = prefix / "share" / "applications" / "org.iom_oic.fieldplan.desktop"
    argv = exec_argv(entry)
    assert argv == [f"{opt.resolve()}/current/fieldplan", "gui", "%F"]
    assert os.access(argv[0], os.X_OK)
    if shutil.which("desktop-file-validate"):
        checked = subprocess.run(["desktop-file-validate", str(entry)],
                                 capture_output=True, text=True, check=False)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout
    (prefix / "bin" / "fieldplan").unlink()  # only the menu entry says where it is
    gone = install(repo, None, prefix, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert not opt.exists() and not entry.exists()


def test_an_uninstall_finds_an_install_whose_menu_entry_is_unquoted(repo, tmp_path):
    """Installs before quoting wrote Exec=OPT/current/fieldplan gui %F."""
    opt, prefix = tmp_path / "opt" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    assert install(repo, opt, prefix).returncode == 0
    entry = prefix / "share" / "applications" / "org.iom_oic.fieldplan.desktop"
    entry.write_text(entry.read_text().replace(f'Exec="{opt.resolve()}/current/fieldplan"',
                                               f"Exec={opt.resolve()}/current/fieldplan"))
    (prefix / "bin" / "fieldplan").unlink()
    gone = install(repo, None, prefix, "--uninstall")
    assert gone.returncode == 0, gone.stderr
    assert not opt.exists() and not entry.exists()


@pytest.mark.parametrize("char", ['"', "`", "$", "\\", "%", "\n"])
def test_an_opt_the_menu_entry_cannot_name_is_refused_before_anything_is_done(
        repo, tmp_path, char):
    opt, prefix = tmp_path / f"opt{char}x" / "fieldplan", tmp_path / "usr"
    build(repo, "one")
    done = install(repo, opt, prefix)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("OPT may hold no ")
    assert not opt.parent.exists() and not prefix.exists()
