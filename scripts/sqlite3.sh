#!/usr/bin/env bash
# Debian's sqlite3 shell, for the local store's queries (docs/local-store.md), run from .cache/sqlite3 (scripts/provision/debian_program.sh).
#
#   scripts/sqlite3.sh DATABASE [SQL]...      the arguments of sqlite3
set -euo pipefail
source "$(dirname "$0")/provision/debian_program.sh"
run_debian_program sqlite3 usr/bin/sqlite3 "sqlite3 libsqlite3-0 libreadline8 libtinfo6" "$@"
