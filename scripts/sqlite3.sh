#!/usr/bin/env bash
# Debian's sqlite3 shell, for the local store's queries (README "The local
# store"): fetched into .cache/sqlite3 without touching the system
# (scripts/debfetch.sh) and run with its own libraries.
#
#   scripts/sqlite3.sh DATABASE [SQL]...      the arguments of sqlite3
#
# Bookworm's, the suite this machine runs: its libraries match the host's C
# library, so no private loader is needed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/sqlite3"
bash "$root/scripts/debfetch.sh" bookworm "$dest" sqlite3 libsqlite3-0 libreadline8 libtinfo6 >&2
lib="$dest/root/usr/lib/x86_64-linux-gnu:$dest/root/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$dest/root/usr/bin/sqlite3" "$@"
