#!/usr/bin/env bash
# Runs a game exported with scripts/checks/export_template.sh's template, from any
# folder: the template needs the provisioned Godot's libraries.
#   scripts/checks/run_exported.sh /path/to/game.x86_64 [args…]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
r="$root/.cache/godot/root"
libs="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib"
exec env LD_LIBRARY_PATH="$libs" "$@"
