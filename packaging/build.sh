#!/bin/sh
# Build the one-folder app with PyInstaller into dist/fieldplan (after
# `sh packaging/bootstrap.sh`), then smoke-test what was built: the frozen program
# must run every kind of command, make PDFs in Arabic and French, and open its window.
#   sh packaging/build.sh [--no-smoke]
set -eu
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    echo "no .venv here: run 'sh packaging/bootstrap.sh' first (it makes it, with the" \
        "system packages the build needs)" >&2
    exit 1
fi
.venv/bin/python -m pip install -q -e '.[build]'
.venv/bin/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    packaging/fieldplan.spec
echo "built dist/fieldplan ($(du -sh dist/fieldplan | cut -f1))"
if [ "${1:-}" != "--no-smoke" ]; then
    sh packaging/smoke.sh "$PWD/dist/fieldplan/fieldplan"
fi
