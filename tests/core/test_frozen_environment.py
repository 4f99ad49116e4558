"""The frozen program gives the programs it starts (the PDF viewer, the spreadsheet,
the file manager through xdg-open; `lp`) the library path the user had, not the one
PyInstaller's bootloader set to the build's own libraries: those older libraries,
loaded in place of a newer system's, kept them from starting."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fieldplan.frozen import give_back_environment

ROOT = Path(__file__).resolve().parents[2]
BUILT = "/opt/fieldplan/current/_internal"

linux = pytest.mark.skipif(not sys.platform.startswith("linux"),
                           reason="the bootloader sets LD_LIBRARY_PATH on Linux")


@linux
def test_the_users_library_path_is_put_back() -> None:
    environ = {"LD_LIBRARY_PATH": f"{BUILT}:/home/me/lib", "LD_LIBRARY_PATH_ORIG": "/home/me/lib",
               "PATH": "/usr/bin"}
    give_back_environment(environ, frozen=True)
    assert environ == {"LD_LIBRARY_PATH": "/home/me/lib", "PATH": "/usr/bin"}


@linux
def test_a_user_without_a_library_path_gets_none() -> None:
    environ = {"LD_LIBRARY_PATH": BUILT, "PATH": "/usr/bin"}
    give_back_environment(environ, frozen=True)
    assert environ == {"PATH": "/usr/bin"}


def test_from_source_a_developers_library_path_stays() -> None:
    environ = {"LD_LIBRARY_PATH": "/home/me/lib", "LD_LIBRARY_PATH_ORIG": "/else"}
    give_back_environment(environ, frozen=False)
    assert environ == {"LD_LIBRARY_PATH": "/home/me/lib", "LD_LIBRARY_PATH_ORIG": "/else"}


@linux
def test_the_launcher_gives_it_back_before_any_command_runs(tmp_path: Path) -> None:
    """packaging/launch.py, as the frozen program runs it: a child started by the
    command sees the user's library path."""
    script = f"""
import os, runpy, subprocess, sys
sys.frozen = True
sys.argv = ["fieldplan", "--version"]
try:
    runpy.run_path({str(ROOT / "packaging" / "launch.py")!r}, run_name="__main__")
except SystemExit:
    pass
seen = subprocess.run(["sh", "-c", 'printf "%s|%s" "${{LD_LIBRARY_PATH-none}}" '
                       '"${{LD_LIBRARY_PATH_ORIG-none}}"'], capture_output=True, text=True)
print(seen.stdout)
"""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT),
           "LD_LIBRARY_PATH": f"{BUILT}:/home/me/lib", "LD_LIBRARY_PATH_ORIG": "/home/me/lib"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=True, cwd=tmp_path)
    assert done.stdout.strip().splitlines()[-1] == "/home/me/lib|none"
