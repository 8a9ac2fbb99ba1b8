#!/bin/sh
# First headless import of a project that uses GameTracker (for a game's CI).
#
#   sh addons/game_tracker/ci/import.sh [PROJECT_DIR]     (default: .)
#
# Godot 4.5/4.6 abort (SIGSEGV, exit 134) at the end of the first
# `godot --headless --import` of a project whose .godot/ folder does not list
# its GDExtensions yet: the editor discovers them during the scan and crashes
# on exit. Any GDExtension that registers a class does this, not only this
# one. Listing every .gdextension in .godot/extension_list.cfg first makes
# Godot load them at startup instead, and the import exits 0.
#
# Godot is $GODOT if set, else `godot` on PATH.
set -eu
project=${1:-.}
godot=${GODOT:-godot}
mkdir -p "$project/.godot"
list="$project/.godot/extension_list.cfg"
touch "$list"
# Every .gdextension under the project (not inside .godot/), as res:// paths.
(cd "$project" && find -L . -path ./.godot -prune -o -name '*.gdextension' -print) | sed 's|^\./|res://|' |
  while IFS= read -r entry; do
    grep -qxF "$entry" "$list" || echo "$entry" >> "$list"
  done
exec "$godot" --headless --path "$project" --import
