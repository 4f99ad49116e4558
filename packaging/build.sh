#!/bin/sh
# Build the one-folder app with PyInstaller into dist/fieldplan (after
# `sh packaging/bootstrap.sh`; pip runs only for what its venv lacks), then smoke-test
# what was built: the frozen program must run every kind of command, make PDFs in
# Arabic and French, and open its window.
#   sh packaging/build.sh [--no-smoke]
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    echo "no .venv here: run 'sh packaging/bootstrap.sh' first (it makes it, with the" \
        "system packages the build needs)" >&2
    exit 1
fi
# what the build needs (the project's requirements and PyInstaller) from pip only when
# the venv lacks some: an offline machine whose venv has them all builds as it is
if ! missing=$(.venv/bin/python packaging/missing.py build); then
    missing=$(echo "$missing" | paste -sd ';' - | sed 's/;/; /g')
    echo "installing what the build needs: $missing"
    if ! .venv/bin/python -m pip install -q -e '.[build]'; then
        echo "pip could not install what the build needs ($missing): without the" \
            "network, point pip at a folder of wheels" \
            "(PIP_NO_INDEX=1 PIP_FIND_LINKS=FOLDER) or install them into .venv, and run" \
            "this again" >&2
        exit 1
    fi
fi
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/fieldplan.spec
echo "built dist/fieldplan ($(du -sh dist/fieldplan | cut -f1))"
if [ "${1:-}" != "--no-smoke" ]; then
    sh packaging/smoke.sh "$PWD/dist/fieldplan/fieldplan"
fi
