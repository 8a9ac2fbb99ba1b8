#!/usr/bin/env bash
# Prints the path of a Linux x86_64 export template made from the Godot that
# scripts/provision/godot.sh provisions (official templates cannot be fetched here):
# a copy of Debian's `godot` binary whose ELF interpreter points at the
# provisioned closure's own loader. An exported game runs it with
# LD_LIBRARY_PATH set to the closure's libraries (scripts/checks/run_exported.sh).
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
if [[ ! -x $template ]]; then
  bash "$root/scripts/provision/debfetch.sh" bookworm "$root/.cache/patchelf" patchelf
  cp "$r/usr/bin/godot" "$template.tmp"
  "$root/.cache/patchelf/root/usr/bin/patchelf" --set-interpreter "$(private_root_loader "$r")" "$template.tmp"
  mv "$template.tmp" "$template"
fi
echo "$template"
