#!/usr/bin/env bash
# Prints the path of a Linux x86_64 export template made from the Godot that
# scripts/godot.sh provisions (official templates cannot be fetched here):
# a copy of Debian's `godot` binary whose ELF interpreter is the provisioned
# closure's own loader and whose search path (RPATH) is the closure's
# library folders (scripts/private_root.sh). So an exported game runs from
# any folder with nothing in its environment, and the programs it starts
# (a shell, say) run on the host's own libraries.
#   scripts/export_template.sh      → .cache/godot/template/godot-rpath
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/private_root.sh"
bash "$root/scripts/godot.sh" --headless --version >/dev/null
r="$root/.cache/godot/root"
template="$root/.cache/godot/template/godot-rpath"
mkdir -p "$(dirname "$template")"
# Exports in parallel tests ask at once: one makes it, the others wait for it.
exec 9>"$(dirname "$template")/.lock"
flock 9
if [[ ! -x $template ]]; then
  cp "$r/usr/bin/godot" "$template.tmp"
  patch_private_root "$r" "$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu/pulseaudio:$r/usr/lib" \
    "$template.tmp"
  mv "$template.tmp" "$template"
fi
echo "$template"
