#!/bin/sh
# Install the one-folder build (dist/fieldplan, made by packaging/build.sh) for every
# user of this computer: the program in $OPT (default /opt/fieldplan), the `fieldplan`
# command, the menu entry with its icons, and the .fieldplan file type (double-clicking
# a bundle opens it in fieldplan). --uninstall removes all of it again.
#   sudo [OPT=/opt/fieldplan] sh packaging/linux/install.sh [PREFIX]   (PREFIX: /usr/local)
#   sudo sh packaging/linux/install.sh --uninstall [PREFIX]
# Without OPT, the install PREFIX/bin/fieldplan runs (or PREFIX's menu entry starts) is
# the one upgraded or uninstalled; with none there, /opt/fieldplan. OPT goes after sudo
# (sudo OPT=… sh …): sudo drops what is set before it.
# Each install goes into a folder of its own ($OPT/VERSION-TIME) and $OPT/current is
# switched to it in one step. A fieldplan still running keeps reading its own folder
# (PyInstaller opens the program and _internal/base_library.zip again by path for late
# imports), so a folder is removed only once no program runs from it.
set -eu
cd "$(dirname "$0")/../.."
ACTION=install
if [ "${1:-}" = "--uninstall" ]; then
    ACTION=uninstall
    shift
fi
PREFIX=${1:-/usr/local}
SHARE="$PREFIX/share"
ICONS="$SHARE/icons/hicolor"
MIME_ICON=application-x-fieldplan-bundle  # the icon name the MIME type's own name gives
DESKTOP="$SHARE/applications/org.iom_oic.fieldplan.desktop"
MARK=.fieldplan-install  # in $OPT: the folders here are fieldplan's, to be removed
ROOT=no
if [ "$(id -u)" = 0 ]; then ROOT=yes; fi

# the $OPT of the install PREFIX's command (a link to $OPT/current/fieldplan) or menu
# entry (Exec="$OPT/current/fieldplan" …, or unquoted as installs before wrote it) runs,
# or nothing
BIN=$(readlink "$PREFIX/bin/fieldplan" 2>/dev/null || true)
case $BIN in
    /*/current/fieldplan) LINKED=${BIN%/current/fieldplan} ;;
    *) BIN= LINKED=$(sed -n -e 's|^Exec="\(/.*\)/current/fieldplan" .*|\1|p' \
                -e 's|^Exec=\(/[^"]*\)/current/fieldplan .*|\1|p' "$DESKTOP" 2>/dev/null \
                | head -n 1 || true) ;;
esac
OPT=${OPT:-${LINKED:-/opt/fieldplan}}

# the menu entry names the program in double quotes (a space in $OPT made the desktop
# run a program named after the path's first word: GLib dropped the entry from the menu
# and from the .fieldplan file type); the characters the desktop entry's quoting would
# need escaped in its turn, and a line break, are refused before anything is done
case $OPT in
    *[\"\`\$\\%]* | *"
"*)
        echo "OPT may hold no \" \` \$ \\ % nor line break (the menu entry could not name" \
            "the program): choose another OPT" >&2
        exit 1 ;;
esac

# whether $OPT is an install of fieldplan: its mark, its `current`, an install made
# before version folders (the program in $OPT itself), or (made before the mark) only
# version folders, each with a fieldplan program
ours() {
    if [ -f "$OPT/$MARK" ] || [ -L "$OPT/current" ] || [ -f "$OPT/fieldplan" ]; then
        return 0
    fi
    for entry in "$OPT"/*; do
        if [ -L "$entry" ] || [ ! -x "$entry/fieldplan" ]; then return 1; fi
    done
    [ -n "$(ls "$OPT")" ]
}

# everything in $OPT may be removed: never a folder that is not an install of fieldplan
# (OPT=/opt by mistake would take every other program with it)
if [ -e "$OPT" ] && [ -n "$(ls -A "$OPT")" ] && ! ours; then
    echo "$OPT is there and is not an install of fieldplan: choose another OPT" >&2
    exit 1
fi

# the programs running now, one a line (only root sees every user's)
running() {
    ls -l /proc/[0-9]*/exe 2>/dev/null | sed -n 's/.* -> //p' || true
}

# whether a program in $RUNNING runs from $1, a folder or the program itself (an
# absolute path without symbolic links), or fuser sees one using $1/fieldplan
in_use() {
    if printf '%s\n' "$RUNNING" | awk -v p="$1" '
            $0 == p || $0 == p " (deleted)" || index($0, p "/") == 1 { found = 1 }
            END { exit !found }'; then
        return 0
    fi
    if command -v fuser >/dev/null 2>&1 && fuser -s "$1/fieldplan" 2>/dev/null; then
        return 0
    fi
    return 1
}

# remove the version folders in $OPT other than $1 that no program runs from. Only root
# sees every user's programs: anyone else keeps $2 (the one `current` named before) too.
remove_old() {
    RUNNING=$(running)
    for dir in "$OPT"/*/; do
        dir=${dir%/}
        if [ -L "$dir" ] || [ ! -x "$dir/fieldplan" ] || [ "$dir" = "$1" ]; then continue; fi
        if in_use "$dir"; then
            echo "kept $dir: a fieldplan still runs from it (the next install removes it)"
        elif [ "$ROOT" = no ] && [ "$dir" = "$2" ]; then
            echo "kept $dir: the install before (other users' programs are not visible)"
        else
            rm -rf "$dir"
        fi
    done
    # an install made before version folders: the program and _internal in $OPT itself
    if [ -f "$OPT/fieldplan" ] && [ ! -L "$OPT/fieldplan" ]; then
        if in_use "$OPT/fieldplan"; then
            echo "kept the earlier install in $OPT: a fieldplan still runs from it"
        else
            rm -rf "$OPT/fieldplan" "$OPT/_internal"
        fi
    fi
}

refresh_menus() {
    # the menus and file managers learn of the change (each tool only where installed)
    if command -v update-mime-database >/dev/null; then update-mime-database "$SHARE/mime"; fi
    if command -v update-desktop-database >/dev/null; then
        update-desktop-database "$SHARE/applications"
    fi
    if command -v gtk-update-icon-cache >/dev/null; then
        gtk-update-icon-cache -q -t "$ICONS" || true
    fi
}

if [ "$ACTION" = uninstall ]; then
    # PREFIX's command and menu entry go with the install they run (or with any
    # install, when nothing says which): never those of an install in another $OPT
    MENU=
    if [ -n "$BIN" ] || [ -f "$DESKTOP" ] || [ -f "$SHARE/mime/packages/fieldplan-bundle.xml" ]
    then
        MENU=yes
        if [ -n "$LINKED" ] && [ "$(cd "$LINKED" 2>/dev/null && pwd -P || echo "$LINKED")" \
                != "$(cd "$OPT" 2>/dev/null && pwd -P || echo "$OPT")" ]; then
            MENU=other
        fi
    fi
    if [ ! -d "$OPT" ] && [ "$MENU" != yes ]; then
        if [ "$MENU" = other ]; then
            echo "no install of fieldplan in $OPT: $PREFIX/bin/fieldplan runs the one in" \
                "$LINKED (OPT=$LINKED)" >&2
        else
            echo "no install of fieldplan in $OPT nor $PREFIX: give the OPT and PREFIX" \
                "it was installed with" >&2
        fi
        exit 1
    fi
    FROM=
    if [ -d "$OPT" ]; then
        OPT=$(cd "$OPT" && pwd -P)
        rm -f "$OPT/current"
        remove_old "" ""
        if [ -n "$(ls "$OPT")" ]; then
            echo "left $OPT: remove it once no fieldplan runs"
        else
            rm -f "$OPT/$MARK"
            rmdir "$OPT" 2>/dev/null || echo "left $OPT: remove it once no fieldplan runs"
        fi
        FROM="$OPT and "
    fi
    if [ "$MENU" = other ]; then
        echo "kept $PREFIX/bin/fieldplan and the menu entry: they run the install in $LINKED"
        echo "uninstalled fieldplan from $OPT"
    else
        if [ -n "$BIN" ]; then rm -f "$PREFIX/bin/fieldplan"; fi
        rm -f "$DESKTOP" \
            "$ICONS/scalable/apps/fieldplan.svg" "$ICONS/48x48/apps/fieldplan.png" \
            "$ICONS/scalable/mimetypes/$MIME_ICON.svg" \
            "$ICONS/48x48/mimetypes/$MIME_ICON.png" \
            "$SHARE/mime/packages/fieldplan-bundle.xml" \
            "$SHARE/metainfo/org.iom_oic.fieldplan.metainfo.xml"
        if [ -d "$SHARE/mime" ]; then refresh_menus; fi
        echo "uninstalled fieldplan from $FROM$PREFIX"
    fi
    echo "each user's data stays in ~/.local/share/fieldplan (\$XDG_DATA_HOME/fieldplan):" \
        "the database, its key and backups; with the marks of the last write in" \
        "~/.local/state/fieldplan/marks, the window's settings (language, places) in" \
        "~/.config/fieldplan and the cache in ~/.cache/fieldplan;" \
        "delete those folders to remove them too"
    exit 0
fi

if [ ! -x dist/fieldplan/fieldplan ]; then
    echo "no build in dist/fieldplan: run 'sh packaging/build.sh' first" >&2
    exit 1
fi
# what is copied out must be the checkout's own: run as root in a checkout an ordinary
# user owns, a symbolic link planted there (fieldplan.svg -> /etc/shadow) would be read
# as root and installed readable by everyone
TOP=$(pwd -P)
for source in dist/fieldplan resources/icons/fieldplan.svg resources/icons/fieldplan-48.png \
        packaging/linux/org.iom_oic.fieldplan.desktop packaging/linux/fieldplan-bundle.xml \
        packaging/linux/org.iom_oic.fieldplan.metainfo.xml; do
    case $(realpath -e -- "$source" 2>/dev/null || true) in
        "$TOP"/*) ;;
        *) echo "$source is a link out of $TOP, or missing: not installing it" >&2; exit 1 ;;
    esac
    if [ "$source" != dist/fieldplan ] && { [ -L "$source" ] || [ ! -f "$source" ]; }; then
        echo "$source is a link or not a file: not installing it" >&2
        exit 1
    fi
done
if [ "$ROOT" = yes ]; then install -d -m 755 "$OPT"; else mkdir -p "$OPT"; fi
OPT=$(cd "$OPT" && pwd -P)
echo "the folders here are installs of fieldplan (packaging/linux/install.sh)" > "$OPT/$MARK"
VERSION=$(sed -n 's/^version = "\(.*\)"$/\1/p' pyproject.toml | head -n 1)
STAMP=$(date +%Y%m%d%H%M%S)
NEW="$OPT/${VERSION:-build}-$STAMP"
n=1
while [ -e "$NEW" ]; do NEW="$OPT/${VERSION:-build}-$STAMP-$n"; n=$((n + 1)); done
PREVIOUS=
if [ -L "$OPT/current" ]; then PREVIOUS=$(cd "$OPT/current" 2>/dev/null && pwd -P || true); fi
# copied under a hidden name first: a half-made copy is never a version folder. Not
# with the builder's owner (cp -a would keep it): root's, and nobody else may write.
rm -rf "$OPT/.incoming"
cp -RH dist/fieldplan "$OPT/.incoming"  # -H: dist/fieldplan may be a link, not what is in it
if [ "$ROOT" = yes ]; then chown -R root:root "$OPT/.incoming"; fi
chmod -R go-w,a+rX "$OPT/.incoming"
mv "$OPT/.incoming" "$NEW"
# the switch: a new symbolic link renamed over `current` (rename is atomic)
rm -f "$OPT/.current.new"
ln -s "$(basename "$NEW")" "$OPT/.current.new"
mv -T "$OPT/.current.new" "$OPT/current"
remove_old "$NEW" "$PREVIOUS"

install -d "$PREFIX/bin" "$SHARE/applications" "$ICONS/scalable/apps" "$ICONS/48x48/apps" \
    "$ICONS/scalable/mimetypes" "$ICONS/48x48/mimetypes" "$SHARE/mime/packages" \
    "$SHARE/metainfo"
ln -sfn "$OPT/current/fieldplan" "$PREFIX/bin/fieldplan"
# (awk reads the path from its environment as it is: in sed's replacement a & or | of
# $OPT was taken for sed's own)
PROGRAM="$OPT/current/fieldplan" awk '
    /^Exec=fieldplan / { sub(/^Exec=fieldplan /, ""); print "Exec=\"" ENVIRON["PROGRAM"] "\" " $0; next }
    { print }' packaging/linux/org.iom_oic.fieldplan.desktop > "$OPT/.desktop"
install -m 644 "$OPT/.desktop" "$SHARE/applications/org.iom_oic.fieldplan.desktop"
rm -f "$OPT/.desktop"
install -m 644 resources/icons/fieldplan.svg "$ICONS/scalable/apps/fieldplan.svg"
install -m 644 resources/icons/fieldplan-48.png "$ICONS/48x48/apps/fieldplan.png"
install -m 644 resources/icons/fieldplan.svg "$ICONS/scalable/mimetypes/$MIME_ICON.svg"
install -m 644 resources/icons/fieldplan-48.png "$ICONS/48x48/mimetypes/$MIME_ICON.png"
install -m 644 packaging/linux/fieldplan-bundle.xml "$SHARE/mime/packages/"
install -m 644 packaging/linux/org.iom_oic.fieldplan.metainfo.xml "$SHARE/metainfo/"
refresh_menus
echo "installed: $NEW (as $OPT/current), $PREFIX/bin/fieldplan and the menu entry"
if ! command -v update-desktop-database >/dev/null; then
    # GNOME's and Xfce's file managers (GLib) find the program for a file type only in
    # the mimeinfo.cache that update-desktop-database writes
    echo "update-desktop-database is not installed (Debian, Ubuntu: the desktop-file-utils" \
        "package): double-clicking a .fieldplan file opens fieldplan only once it is" \
        "installed and this script run again"
fi
