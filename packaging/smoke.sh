#!/bin/sh
# Smoke-test a built fieldplan program (the frozen one: packaging/build.sh) away from
# the source tree, with its own empty home folder: a file it forgot to bundle fails here.
#   sh packaging/smoke.sh PATH/TO/fieldplan
set -eu
APP=$1
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/data" XDG_CONFIG_HOME="$WORK/config" \
    XDG_CACHE_HOME="$WORK/cache" QT_QPA_PLATFORM=offscreen FIELDPLAN_AUTHOR=smoke
mkdir -p "$HOME"
step() { echo "smoke: $*"; }

step "the licences: each system library shipped is in THIRD-PARTY-NOTICES, no readline"
HERE=$(dirname "$APP")
if [ "$(uname)" = Linux ]; then
    for lib in "$HERE"/_internal/lib*.so*; do
        name=$(basename "$lib")
        # a link into a wheel's folder (PySide6/Qt/lib, pillow.libs): under its wheel's notice
        if [ -L "$lib" ] || [ "${name#libpython}" != "$name" ]; then continue; fi
        if ! grep -qF "$name" "$HERE/THIRD-PARTY-NOTICES/README.txt"; then
            echo "smoke: $name is not in THIRD-PARTY-NOTICES/README.txt" >&2
            exit 1
        fi
    done
    # stripped (packaging/fieldplan.spec: strip on Linux): libpython's symbols alone
    # were 17 MB of the download
    for lib in "$HERE"/_internal/libpython*.so* "$HERE"/_internal/cryptography/hazmat/bindings/_rust*.so; do
        # (a pattern that matched nothing stays as written: readelf's error would pass)
        if [ ! -e "$lib" ]; then
            echo "smoke: $lib is not in the folder: nothing to check is stripped" >&2
            exit 1
        fi
        if readelf -S "$lib" | grep -q '\.symtab'; then
            echo "smoke: $(basename "$lib") ships with its symbol table (not stripped)" >&2
            exit 1
        fi
    done
    # (Pillow's AVIF, WebP and colour codecs, Qt's eglfs libraries, image formats no
    # screen reads: packaging/fieldplan.spec leaves them out; babel's regional locales
    # and the catalogs' template: packaging/trim.py)
    for gone in libreadline libcairo libpango libatk libgdk_pixbuf libavif libwebp liblcms2 \
            libQt6EglFS libQt6EglFs libQt6OpenGL PySide6/Qt/lib/libQt6EglFS \
            PySide6/Qt/lib/libQt6OpenGL PySide6/Qt/plugins/imageformats/libqtiff \
            PySide6/Qt/plugins/imageformats/libqwebp PIL/_avif PIL/_webp \
            babel/locale-data/fr_CA babel/locale-data/ar_EG babel/locale-data/en_US \
            resources/locale/fieldplan.pot; do
        if ls "$HERE/_internal/$gone"* >/dev/null 2>&1; then
            echo "smoke: $gone ships, which nothing fieldplan uses needs" >&2
            exit 1
        fi
    done
fi
# (the folder as built: whatever changes in it from here on, the program wrote)
touch "$WORK/built"
step "no link in the folder points at a file it does not have"
broken=$(find "$HERE" -type l ! -exec test -e {} \; -print)
if [ -n "$broken" ]; then
    echo "smoke: broken links (their file was left out):" >&2
    echo "$broken" >&2
    exit 1
fi
step "--version, --help in Arabic"
"$APP" --version
"$APP" --lang ar --help | grep -q "fieldplan"
if [ "$(uname)" = Linux ]; then
    step "a command loads no Qt library (packaging/rth_qt.py)"
    # (the dynamic linker names each library it loads: Qt, its ICU and shiboken cost
    # every command a tenth of a second of CPU)
    if LD_DEBUG=files "$APP" --version 2>&1 >/dev/null \
            | grep -qE 'file=[^ ]*(libQt6Core|libshiboken6|libicudata)'; then
        echo "smoke: 'fieldplan --version' loads Qt: a runtime hook imports PySide6" >&2
        exit 1
    fi
fi
step "a demo world, merged at HQ"
"$APP" demo --out world --offices 3 --seed 1 --merge >/dev/null
HQ="--db world/hq.sqlite3"
"$APP" $HQ status >/dev/null
step "a regional system locale (fr_CA, ar_EG: no babel data of their own) speaks its language"
LANG=fr_CA.UTF-8 "$APP" $HQ status | grep -q "Siège"
LANG=ar_EG.UTF-8 "$APP" $HQ status | grep -q "المقر"
step "PDFs: a status sheet in Arabic, the review pack in French"
OFFICE=$(ls world/offices | head -1 | cut -d. -f1)
"$APP" $HQ --lang ar report sheet --period 2026-S1 --office "$OFFICE" -o sheet-ar.pdf >/dev/null
"$APP" $HQ --lang fr report review --period 2026-S1 -o review-fr.pdf >/dev/null
pdffonts sheet-ar.pdf | grep -q "DejaVu"
pdftotext review-fr.pdf - | grep -q "Plan"
step "PDF fonts: Urdu prints in the Arabic fallback font (resources/fonts bundled)"
ODB="world/offices/$OFFICE.sqlite3"
"$APP" --db "$ODB" progress set PA1.1 --period 2026-S2 --status on-track \
    --note "مہاجرین کی تعداد بڑھ گئی ہے۔" >/dev/null
"$APP" --db "$ODB" report sheet --period 2026-S2 -o sheet-ur.pdf >/dev/null
pdffonts sheet-ur.pdf | grep -q "NotoSansArabic"
step "PDF fonts: Bengali prints shaped in its font (uharfbuzz bundled) and reads back"
"$APP" --db "$ODB" progress set PA1.2 --period 2026-S2 --status on-track \
    --note "প্রশিক্ষণ সম্পন্ন হয়েছে।" >/dev/null
"$APP" --db "$ODB" report sheet --period 2026-S2 -o sheet-bn.pdf >/dev/null
pdffonts sheet-bn.pdf | grep -q "NotoSansBengali"
pdftotext sheet-bn.pdf - | grep -q "প্রশিক্ষণ সম্পন্ন হয়েছে।"
step "data export, bundles out and in; the plan out as a workbook and in again (openpyxl)"
"$APP" $HQ data export --format xlsx -o progress.xlsx >/dev/null
"$APP" $HQ plan export -o plan.xlsx >/dev/null
"$APP" $HQ plan import --dry-run plan.xlsx | grep -q "already installed"
mkdir out
"$APP" $HQ export --for "$OFFICE" --dir out >/dev/null
"$APP" --db "world/offices/$OFFICE.sqlite3" import out/*.fieldplan >/dev/null
"$APP" --db "world/offices/$OFFICE.sqlite3" verify "$(ls world/bundles/"$OFFICE"-*.fieldplan | head -1)" >/dev/null
step "the window opens on the demo and runs (offscreen)"
set +e
timeout 8 "$APP" gui --demo 2>gui.err
status=$?
set -e
if [ "$status" -ne 124 ] || [ -s gui.err ]; then
    echo "smoke: the window did not keep running (exit $status):" >&2
    cat gui.err >&2
    exit 1
fi
step "the report preview and printing: QtPdf, print support, image formats (offscreen)"
# (packaging/launch.py's hidden --smoke-report-preview, ui/smoke.py): a status sheet
# built on the worker, shown in the preview window with ink on its page, the print
# dialog opened, and its pages printed by a QPrinter to a PDF file. The window and the
# command line above need none of these parts of Qt: a build without them passes there
set +e
timeout 180 "$APP" --smoke-report-preview world/hq.sqlite3 "$OFFICE" 2026-S1 printed.pdf \
    >preview.out 2>preview.err
status=$?
set -e
if [ "$status" -ne 0 ]; then
    # its one line saying what is missing; else (a crash) all it said
    if grep -q '^smoke: ' preview.err; then
        grep '^smoke: ' preview.err >&2
    else
        # (124: still running after 180 s, a window that never drew or a dialog that
        # never closed)
        echo "smoke: the report preview check ended with exit $status:" >&2
        cat preview.err >&2
    fi
    exit 1
fi
sed 's/^smoke: /smoke:   /' preview.out
step "a second start on an open database hands its bundle over and ends"
mkdir -m 700 "$WORK/run"
export XDG_RUNTIME_DIR="$WORK/run"  # its lock and socket (left by the kill) go with $WORK
timeout 30 "$APP" $HQ gui 2>gui1.err &
FIRST=$!
sleep 4  # its window up (it listens once painted; a start before waits a little)
set +e
timeout 15 "$APP" $HQ gui "$(ls world/bundles/*.fieldplan | head -1)" >second.out 2>&1
status=$?
set -e
kill "$FIRST" 2>/dev/null || true
wait "$FIRST" 2>/dev/null || true
if [ "$status" -ne 0 ] || [ -s second.out ]; then
    echo "smoke: the second start did not hand over (exit $status):" >&2
    cat second.out gui1.err >&2
    exit 1
fi
step "nothing was written in the program's folder"
# installed for everyone (/opt/fieldplan) the folder is read-only to whoever runs it, and a
# cache or compiled module written beside the program fails there; installed for one user
# (Windows) it would stay behind after an uninstall
written=$(find "$HERE" -newer "$WORK/built" -print)
if [ -n "$written" ]; then
    echo "smoke: the program wrote in its own folder:" >&2
    echo "$written" >&2
    exit 1
fi
echo "smoke: all passed"
