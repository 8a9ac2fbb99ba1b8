#!/usr/bin/env bash
# Sourced: runs a program of a Debian package that this machine's own
# suite (bookworm) carries, fetched into .cache/NAME without touching the
# system (scripts/provision/debfetch.sh) and run with the libraries it came with.
# Bookworm's libraries match the host's C library, so no private loader is
# needed (unlike unstable's: scripts/provision/private_root.sh).
#
#   source scripts/provision/debian_program.sh
#   run_debian_program NAME PROGRAM "PACKAGE..." ARGS...
#       PROGRAM is its path inside the package (usr/bin/sqlite3); replaces
#       the calling shell with it.

debian_program_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

run_debian_program() {
  local name=$1 program=$2 packages=$3
  shift 3
  local dest="$debian_program_repo/.cache/$name"
  # shellcheck disable=SC2086 # one package a word
  bash "$debian_program_repo/scripts/provision/debfetch.sh" bookworm "$dest" $packages >&2
  local lib="$dest/root/usr/lib/x86_64-linux-gnu:$dest/root/lib/x86_64-linux-gnu"
  LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$dest/root/$program" "$@"
}
