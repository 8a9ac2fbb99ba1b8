#!/usr/bin/env bash
# Prepares a Godot project that uses the addon for headless runs: registers the
# GDExtension in .godot/extension_list.cfg, then lets Godot import the project.
#   scripts/import_project.sh demo_project
# Registering the extension first makes Godot load it at startup. Otherwise the
# first import finds it mid-scan, and the headless editor crashes on exit
# (seen with Godot 4.6.3).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
project=$(cd "$1" && pwd)
mkdir -p "$project/.godot"
list="$project/.godot/extension_list.cfg"
entry="res://addons/game_tracker/game_tracker.gdextension"
grep -qxF "$entry" "$list" 2>/dev/null || echo "$entry" >> "$list"
"$root/scripts/godot.sh" --headless --path "$project" --import
