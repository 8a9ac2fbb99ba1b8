#!/usr/bin/env bash
# The Godot editor on a private display (scripts/provision/xvfb.sh, Mesa's OpenGL), run
# from an executable of its own so that the games it launches (Run, F5) start
# the same Godot: the provisioned binary with its interpreter set to the
# closure's loader (scripts/checks/export_template.sh) and the closure's libraries.
#   scripts/checks/editor_on_display.sh --path PROJECT [GODOT ARG...]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
godot=$(bash "$root/scripts/checks/export_template.sh")
r="$root/.cache/godot/root"
libs="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib"
exec bash "$root/scripts/provision/xvfb.sh" bash -c 'LD_LIBRARY_PATH="$1:$GODOT_EXTRA_LIBS" exec "$2" --editor --rendering-driver opengl3 "${@:3}"' \
  editor "$libs" "$godot" "$@"
