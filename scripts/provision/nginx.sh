#!/usr/bin/env bash
# Debian's nginx, for the edge in front of the receivers (deploy/), run from
# .cache/nginx (scripts/provision/debian_program.sh).
#
#   scripts/provision/nginx.sh -p PREFIX -c CONF [-e LOG]...      the arguments of nginx
#
# Bookworm's 1.22. It runs unpacked as long as the configuration names
# every path nginx would otherwise take from its build (pid, error log, the
# five *_temp_path); deploy/nginx/README.md says which.
set -euo pipefail
source "$(dirname "$0")/debian_program.sh"
run_debian_program nginx usr/sbin/nginx "nginx libpcre2-8-0 libssl3 zlib1g libcrypt1" "$@"
