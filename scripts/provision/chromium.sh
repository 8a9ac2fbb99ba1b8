#!/usr/bin/env bash
# Prints the path of a headless-capable Chromium for the browser tests (tests/tests/web.rs):
# Debian unstable's `chromium` with its library closure in .cache/chromium
# (scripts/provision/debfetch.sh, nothing installed on the system). The root's C
# library is newer than the host's, so its programs are patched to run
# under the root's loader (scripts/provision/private_root.sh); Chromium starts its
# helper processes from its own file, which then runs the same.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/provision/private_root.sh"
cache="$root/.cache/chromium"
bash "$root/scripts/provision/debfetch.sh" unstable "$cache" --closure chromium >&2
r="$cache/root"
exec 9>"$cache/.patch-lock"
flock 9
# The patch names the root by its absolute path: a cache copied from
# another checkout is patched again for this one.
if [[ $(cat "$cache/.patched" 2>/dev/null) != "$r" ]]; then
  # libpulse looks for its own libraries in the pulseaudio folder.
  patch_private_root "$r" \
    "$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib/chromium:$r/usr/lib" \
    "$r/usr/lib/chromium/chromium" "$r/usr/lib/chromium/chrome_crashpad_handler"
  echo "$r" >"$cache/.patched"
fi
echo "$r/usr/lib/chromium/chromium"
