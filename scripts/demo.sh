#!/usr/bin/env bash
# Runs the demo project headless: builds the addon, provisions Godot if needed,
# plays a short scripted session and prints what was sent per signal.
#   scripts/demo.sh                                  writes request bodies to demo_project/telemetry_out/
#                                                    and the session to demo_project/telemetry_db/telemetry.db,
#                                                    then asks that database a question (docs/local-store.md)
#   scripts/demo.sh --endpoint=http://alloy:8080     sends them (or set GAMETRACKER_ENDPOINT, or the
#                                                    per-signal GAMETRACKER_{LOGS,METRICS,TRACES}_URL)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/build.sh"
godot=("$root/scripts/provision/godot.sh" --headless --path "$root/demo_project")
# First run in a fresh checkout: let Godot import the project.
[[ -d $root/demo_project/.godot/imported ]] || bash "$root/scripts/provision/import_project.sh" "$root/demo_project" >/dev/null
if (( $# )); then
  exec "${godot[@]}" -- "$@"
fi
db="$root/demo_project/telemetry_db/telemetry.db"
before=$(stat -c %Y "$db" 2>/dev/null || echo 0)
"${godot[@]}"
# Only when this run wrote it (an endpoint in the environment sends instead).
if (( $(stat -c %Y "$db" 2>/dev/null || echo 0) > before )); then
  echo "demo: the local store, $db: sessions by version and status"
  bash "$root/scripts/sqlite3.sh" -header -column "$db" \
    "SELECT version, status, count(*) AS sessions FROM sessions GROUP BY version, status ORDER BY version, status;"
fi
