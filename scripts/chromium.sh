#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for scripts/web_test.sh:
# Debian unstable's `chromium` with its library closure in .cache/chromium
# (scripts/debfetch.sh, nothing installed on the system). The root's C
# library is newer than the host's, so its programs get the root's loader as
# their interpreter and the root's library folders as their search path
# (patchelf, as scripts/web_toolchain.sh does for Emscripten); Chromium
# starts its helper processes from its own file, which then runs the same.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache/chromium"
bash "$root/scripts/debfetch.sh" unstable "$cache" --closure chromium >&2
r="$cache/root"
exec 9>"$cache/.patch-lock"
flock 9
if [[ ! -f $cache/.patched ]]; then
  bash "$root/scripts/debfetch.sh" bookworm "$root/.cache/patchelf" patchelf >&2
  patchelf="$root/.cache/patchelf/root/usr/bin/patchelf"
  loader="$r/usr/lib64/ld-linux-x86-64.so.2"
  [[ -e $loader ]] || loader="$r/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  path="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib/chromium:$r/usr/lib"
  for program in chromium chrome_crashpad_handler; do
    "$patchelf" --set-interpreter "$loader" --force-rpath --set-rpath "$path" "$r/usr/lib/chromium/$program"
  done
  # Libraries with a search path of their own (libpulse names
  # /usr/lib/x86_64-linux-gnu/pulseaudio) look only there for what they need.
  while IFS= read -r -d '' file; do
    if [[ -n $("$patchelf" --print-rpath "$file" 2>/dev/null) ]]; then
      "$patchelf" --force-rpath --set-rpath "$path" "$file"
    fi
  done < <(find "$r/usr/lib/x86_64-linux-gnu" "$r/lib/x86_64-linux-gnu" -maxdepth 1 -type f -name '*.so*' -print0 2>/dev/null)
  touch "$cache/.patched"
fi
echo "$r/usr/lib/chromium/chromium"
