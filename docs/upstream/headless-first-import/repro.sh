#!/usr/bin/env bash
# Reproduces the abort: builds the 60-line C extension, then imports the
# project headless three ways. Godot: $GODOT, else `godot` on PATH.
#   bash docs/upstream/headless-first-import/repro.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
godot=${GODOT:-godot}
work=$(mktemp -d)
cp -r "$here/project/." "$work/"
mkdir -p "$work/bin"
gcc -shared -fPIC -O1 -Wall -o "$work/bin/libempty.so" "$work/empty_extension.c" || exit 1
run() { "$godot" --headless --path "$work" --import >/dev/null 2>&1; echo "$1: exit $?"; }
rm -rf "$work/.godot"; run "first import, no .godot/"
run "second import"
rm -rf "$work/.godot"; mkdir -p "$work/.godot"
echo "res://empty.gdextension" > "$work/.godot/extension_list.cfg"
run "first import, extension listed in .godot/extension_list.cfg"
rm -rf "$work"
