#!/bin/sh
# Install the one-folder build (dist/fieldplan, made by packaging/build.sh) for every
# user of this computer: the program in $OPT (default /opt/fieldplan), the `fieldplan`
# command, the menu entry with its icon, and the .fieldplan file type (double-clicking
# a bundle opens it in fieldplan).
#   sudo sh packaging/linux/install.sh [PREFIX]      (PREFIX: default /usr/local)
set -eu
cd "$(dirname "$0")/../.."
PREFIX=${1:-/usr/local}
OPT=${OPT:-/opt/fieldplan}
if [ ! -x dist/fieldplan/fieldplan ]; then
    echo "no build in dist/fieldplan: run 'sh packaging/build.sh' first" >&2
    exit 1
fi
# $OPT is replaced whole: never a folder that is not an earlier install of fieldplan
# (OPT=/opt by mistake would take every other program with it)
for dir in "$OPT" "$OPT.new" "$OPT.old"; do
    if [ -e "$dir" ] && [ ! -x "$dir/fieldplan" ]; then
        echo "$dir is there and is not an install of fieldplan: choose another OPT" >&2
        exit 1
    fi
done
# the new copy is made whole beside the old one, then swapped in (a fieldplan still
# running from the old one keeps its files until it ends)
rm -rf "$OPT.new" "$OPT.old"
mkdir -p "$(dirname "$OPT")"
cp -a dist/fieldplan "$OPT.new"
if [ -e "$OPT" ]; then mv "$OPT" "$OPT.old"; fi
mv "$OPT.new" "$OPT"
rm -rf "$OPT.old"
SHARE="$PREFIX/share"
install -d "$PREFIX/bin" "$SHARE/applications" "$SHARE/icons/hicolor/scalable/apps" \
    "$SHARE/mime/packages" "$SHARE/metainfo"
ln -sf "$OPT/fieldplan" "$PREFIX/bin/fieldplan"
install -m 644 packaging/linux/org.iom_oic.fieldplan.desktop "$SHARE/applications/"
install -m 644 resources/icons/fieldplan.svg "$SHARE/icons/hicolor/scalable/apps/"
install -m 644 packaging/linux/fieldplan-bundle.xml "$SHARE/mime/packages/"
install -m 644 packaging/linux/org.iom_oic.fieldplan.metainfo.xml "$SHARE/metainfo/"
# the menus and file managers learn of them (each tool only where it is installed)
if command -v update-mime-database >/dev/null; then update-mime-database "$SHARE/mime"; fi
if command -v update-desktop-database >/dev/null; then
    update-desktop-database "$SHARE/applications"
fi
if command -v gtk-update-icon-cache >/dev/null; then
    gtk-update-icon-cache -q -t "$SHARE/icons/hicolor" || true
fi
echo "installed: $OPT, $PREFIX/bin/fieldplan and the menu entry"
