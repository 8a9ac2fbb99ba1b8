#!/usr/bin/env bash
# Debian's nginx, for the edge in front of the receivers (deploy/): fetched
# into .cache/nginx without touching the system (scripts/debfetch.sh) and
# run from there.
#
#   scripts/nginx.sh -p PREFIX -c CONF [-e LOG]...      the arguments of nginx
#
# Bookworm's 1.22, the suite this machine runs: its libraries match the
# host's C library. It runs unpacked as long as the configuration names
# every path nginx would otherwise take from its build (pid, error log, the
# five *_temp_path); deploy/nginx/README.md says which.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.cache/nginx"
bash "$root/scripts/debfetch.sh" bookworm "$dest" nginx libpcre2-8-0 libssl3 zlib1g libcrypt1 >&2
lib="$dest/root/usr/lib/x86_64-linux-gnu:$dest/root/lib/x86_64-linux-gnu"
LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$dest/root/usr/sbin/nginx" "$@"
