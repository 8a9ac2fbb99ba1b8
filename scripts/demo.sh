#!/usr/bin/env bash
# Runs the demo project headless: builds the addon, provisions Godot if needed,
# plays a short scripted session and prints what was sent per signal.
#   scripts/demo.sh                                  writes request bodies to demo_project/telemetry_out/
#   scripts/demo.sh --endpoint=http://alloy:8080     sends them (or set GAMETRACKER_ENDPOINT, or the
#                                                    per-signal GAMETRACKER_{LOGS,METRICS,TRACES}_URL)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
godot=("$root/scripts/godot.sh" --headless --path "$root/demo_project")
# First run in a fresh checkout: let Godot import the project.
[[ -d $root/demo_project/.godot/imported ]] || bash "$root/scripts/import_project.sh" "$root/demo_project" >/dev/null
if (( $# )); then
  exec "${godot[@]}" -- "$@"
fi
exec "${godot[@]}"
