#!/usr/bin/env bash
# Prints the path of a Linux x86_64 export template made from the Godot that
# scripts/provision/godot.sh provisions (official templates cannot be fetched here):
# a copy of Debian's `godot` binary that finds the provisioned closure by
# itself, from any folder: its ELF interpreter is the closure's loader and
# its RPATH the closure's library folders. The closure's libraries that
# name folders of their own (libpulse: the system's pulseaudio folder) get
# copies beside the template that search the closure instead; the closure
# itself is never changed, since running editors share it. So an exported
# game needs no LD_LIBRARY_PATH, and the programs it starts (`sh`) run on
# the system's own libraries.
#   scripts/checks/export_template.sh      → .cache/godot/template/godot
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/scripts/provision/private_root.sh"
bash "$root/scripts/provision/godot.sh" --headless --version >/dev/null
r="$root/.cache/godot/root"
template="$root/.cache/godot/template/godot"
mkdir -p "$(dirname "$template")"
# Exports in parallel tests ask at once: one makes it, the others wait for it.
exec 9>"$(dirname "$template")/.lock"
flock 9
libs="$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib"
own="$(dirname "$template")/lib"
# Made once per closure: a cache copied from another checkout is made again.
if [[ ! -x $template || $(cat "$template.root" 2>/dev/null) != "$r" ]]; then
  bash "$root/scripts/provision/debfetch.sh" bookworm "$root/.cache/patchelf" patchelf
  patchelf="$root/.cache/patchelf/root/usr/bin/patchelf"
  rm -rf "$own" && mkdir -p "$own"
  IFS=: read -ra folders <<<"$libs"
  for dir in "${folders[@]}"; do
    while IFS= read -r -d '' lib; do
      # Only a search path outside the closure ($ORIGIN stays inside it).
      path=$("$patchelf" --print-rpath "$lib" 2>/dev/null || true)
      if [[ :$path: == *:/* ]]; then
        # Named as the programs ask for it (its soname).
        name=$("$patchelf" --print-soname "$lib" 2>/dev/null || true)
        copy="$own/${name:-$(basename "$lib")}"
        cp "$lib" "$copy"
        "$patchelf" --force-rpath --set-rpath "$own:$libs" "$copy"
      fi
    done < <(find "$dir" -maxdepth 1 -type f -name '*.so*' -print0)
  done
  cp "$r/usr/bin/godot" "$template.tmp"
  "$patchelf" --set-interpreter "$(private_root_loader "$r")" --force-rpath --set-rpath "$own:$libs" "$template.tmp"
  mv "$template.tmp" "$template"
  echo "$r" >"$template.root"
fi
echo "$template"
