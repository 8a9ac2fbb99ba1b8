#!/usr/bin/env bash
# Merges local stores (telemetry.db files, or files GameTracker.export_local
# wrote) from many machines into one database for analysis (docs/local-store.md). Rows carry their session and their number in it, so a file merged
# twice adds nothing the second time; a session's row keeps the most it knows
# (an end over none, a final status over `running`).
#
#   scripts/merge_local.sh MERGED.db INPUT.db...
#
# MERGED.db is made with the first input's schema when it does not exist.
# Runs Debian's sqlite3 (scripts/sqlite3.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
(( $# >= 2 )) || { echo "usage: scripts/merge_local.sh MERGED.db INPUT.db..." >&2; exit 2; }
merged=$1; shift
sqlite() { bash "$root/scripts/sqlite3.sh" -batch -bail "$@"; }
if [[ ! -f $merged ]]; then
  version=$(sqlite "$1" "PRAGMA user_version;")
  { sqlite "$1" ".schema"; echo "PRAGMA user_version = $version;"; } | sqlite "$merged"
fi
for input in "$@"; do
  [[ -f $input ]] || { echo "merge_local.sh: no file $input" >&2; exit 1; }
  # The input's path as an SQL string literal.
  quoted=${input//\'/\'\'}
  sqlite "$merged" <<SQL
ATTACH DATABASE '$quoted' AS input;
BEGIN;
INSERT OR IGNORE INTO events SELECT * FROM input.events;
INSERT OR IGNORE INTO metric_snapshots SELECT * FROM input.metric_snapshots;
INSERT INTO sessions SELECT * FROM input.sessions WHERE true
  ON CONFLICT (session_id) DO UPDATE SET
    ended_us = coalesce(excluded.ended_us, sessions.ended_us),
    status = CASE WHEN sessions.status = 'running' THEN excluded.status ELSE sessions.status END,
    last_scene = CASE WHEN excluded.last_scene != '' THEN excluded.last_scene ELSE sessions.last_scene END;
COMMIT;
DETACH DATABASE input;
SQL
  echo "merge_local.sh: merged $input" >&2
done
counts=$(sqlite "$merged" "SELECT (SELECT count(*) FROM sessions) || ' sessions, ' || (SELECT count(*) FROM events) || ' events, ' || (SELECT count(*) FROM metric_snapshots) || ' metric snapshots';")
echo "merge_local.sh: $merged holds $counts"
