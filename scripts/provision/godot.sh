#!/usr/bin/env bash
# Runs Godot 4 (>= 4.5) with the given arguments.
# Uses $GODOT, else a `godot` on PATH, when either is Godot >= 4.5. Otherwise,
# on Debian-like systems, provisions Debian unstable's `godot` package with its
# dependency closure into .cache/godot (see debfetch.sh: private apt config, no
# change to the system) and starts it through that closure's own dynamic loader.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)

is_godot45() {
  local v
  v=$("$@" --headless --version 2>/dev/null | tail -n1) || return 1
  [[ $v =~ ^([0-9]+)\.([0-9]+) ]] || return 1
  (( BASH_REMATCH[1] > 4 || (BASH_REMATCH[1] == 4 && BASH_REMATCH[2] >= 5) ))
}

# $GODOT may name this very script (scripts/provision/import_project.sh hands it to the
# addon's ci/import.sh that way): that means "provision as below".
self=$(realpath "$0")
if [[ -n ${GODOT:-} && $(realpath "$(command -v "$GODOT" || echo "$GODOT")") != "$self" ]] && is_godot45 "$GODOT"; then
  exec "$GODOT" "$@"
fi
if command -v godot >/dev/null && is_godot45 godot; then exec godot "$@"; fi

cache="$root/.cache/godot"
# debfetch.sh returns at once when it is done, and waits while another run
# (a test beside this one) is still unpacking: the binary alone can be there
# before its libraries are.
if command -v apt-get >/dev/null; then
  "$root/scripts/provision/debfetch.sh" unstable "$cache" --closure godot
elif [[ ! -x $cache/root/usr/bin/godot ]]; then
  echo "godot.sh: no Godot >= 4.5 found; set GODOT=/path/to/godot (Godot 4.5 or newer)" >&2
  exit 127
fi
r="$cache/root"
libs="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib"
# Extra libraries (scripts/provision/xvfb.sh: Mesa's OpenGL, which Godot loads at run time).
[[ -n ${GODOT_EXTRA_LIBS:-} ]] && libs="$libs:$GODOT_EXTRA_LIBS"
source "$root/scripts/provision/private_root.sh"
exec "$(private_root_loader "$r")" --library-path "$libs" "$r/usr/bin/godot" "$@"
