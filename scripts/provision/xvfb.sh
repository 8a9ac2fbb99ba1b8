#!/usr/bin/env bash
# A virtual X display for tests that need pixels (editor screenshots): runs
# COMMAND with DISPLAY set to a private Xvfb, and Mesa's OpenGL (llvmpipe)
# where Godot finds it, then stops the display.
#
#   scripts/provision/xvfb.sh COMMAND [ARG...]
#
# Xvfb and Mesa come from Debian unstable into .cache/ (scripts/provision/debfetch.sh),
# nothing is installed on the system. Xvfb compiles its keymap by running
# /usr/bin/xkbcomp, a path compiled into it: the server runs in a private
# mount namespace where /usr/bin also holds the private xkbcomp.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cache="$root/.cache"
bash "$root/scripts/provision/debfetch.sh" unstable "$cache/xvfb" --closure xvfb xauth >&2
bash "$root/scripts/provision/debfetch.sh" unstable "$cache/gl" --closure libgl1 libegl1 libglx-mesa0 libegl-mesa0 libgl1-mesa-dri >&2
x="$cache/xvfb/root"
x_loader="$x/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
x_libs="$x/usr/lib/x86_64-linux-gnu:$x/lib/x86_64-linux-gnu"

work=$(mktemp -d)
cleanup() {
  [[ -n ${xpid:-} ]] && kill "$xpid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/xkbcomp" <<WRAP
#!/bin/sh
exec "$x_loader" --library-path "$x_libs" "$x/usr/bin/xkbcomp" "\$@"
WRAP
chmod +x "$work/xkbcomp"

ns=(unshare --mount)
[[ $(id -u) == 0 ]] || ns=(unshare --user --map-root-user --mount)
# -displayfd: the server picks a free display and writes its number (no
# race between tests starting displays at once).
"${ns[@]}" sh -c '
  set -e
  mkdir -p "$1/orig" "$1/bin"
  mount --bind /usr/bin "$1/orig"
  for f in "$1"/orig/*; do ln -s "$f" "$1/bin/"; done
  ln -sf "$1/xkbcomp" "$1/bin/xkbcomp"
  mount --bind "$1/bin" /usr/bin
  exec "$2" --library-path "$3" "$4/usr/bin/Xvfb" -displayfd 1 -screen 0 1600x900x24 -nolisten tcp -xkbdir "$4/usr/share/X11/xkb"
' xvfb "$work" "$x_loader" "$x_libs" "$x" > "$work/display" 2> "$work/xvfb.log" &
xpid=$!
display=
for _ in $(seq 100); do
  display=$(head -n1 "$work/display" 2>/dev/null || true)
  [[ -n $display ]] && break
  if ! kill -0 "$xpid" 2>/dev/null; then cat "$work/xvfb.log" >&2; exit 1; fi
  sleep 0.1
done
[[ -n $display ]] || { echo "xvfb.sh: the display did not start" >&2; cat "$work/xvfb.log" >&2; exit 1; }

gl="$cache/gl/root"
export DISPLAY=":$display"
# Godot dlopens libGL/libEGL: scripts/provision/godot.sh adds GODOT_EXTRA_LIBS to its library path.
export GODOT_EXTRA_LIBS="$gl/usr/lib/x86_64-linux-gnu:$gl/lib/x86_64-linux-gnu"
export LIBGL_DRIVERS_PATH="$gl/usr/lib/x86_64-linux-gnu/dri"
export __EGL_VENDOR_LIBRARY_DIRS="$gl/usr/share/glvnd/egl_vendor.d"
export LIBGL_ALWAYS_SOFTWARE=1
"$@"
