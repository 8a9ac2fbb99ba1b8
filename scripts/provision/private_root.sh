#!/usr/bin/env bash
# Sourced: running programs from a private root that scripts/provision/debfetch.sh
# unpacked (Debian unstable's Godot, rustc, lld, Chromium). Their C
# library is newer than the host's, so they run under the root's own loader.
#
#   private_root_loader ROOT
#       prints the root's dynamic loader
#   patch_private_root ROOT SEARCH PROGRAM...
#       gives each PROGRAM (an ELF with an interpreter; other files are
#       left alone) the root's loader and SEARCH (colon-separated library
#       folders) as its search path, as RPATH, which also reaches its
#       libraries' libraries. Libraries in SEARCH's folders that carry a
#       search path of their own (libLLVM's $ORIGIN/../lib, libpulse's
#       pulseaudio folder) look only there for what they need: they get
#       SEARCH too. patchelf comes from bookworm, into .cache/patchelf.

private_root_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

private_root_loader() {
  local loader="$1/usr/lib64/ld-linux-x86-64.so.2"
  [[ -e $loader ]] || loader="$1/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
  echo "$loader"
}

patch_private_root() {
  local r=$1 search=$2
  shift 2
  bash "$private_root_repo/scripts/provision/debfetch.sh" bookworm "$private_root_repo/.cache/patchelf" patchelf >&2
  local patchelf="$private_root_repo/.cache/patchelf/root/usr/bin/patchelf" loader file dir
  loader=$(private_root_loader "$r")
  for file in "$@"; do
    if [[ $(head -c4 "$file" | od -An -c | tr -d ' ') == 177ELF ]] && "$patchelf" --print-interpreter "$file" >/dev/null 2>&1; then
      "$patchelf" --set-interpreter "$loader" --force-rpath --set-rpath "$search" "$file"
    fi
  done
  local IFS=:
  for dir in $search; do
    [[ -d $dir ]] || continue
    while IFS= read -r -d '' file; do
      if [[ -n $("$patchelf" --print-rpath "$file" 2>/dev/null) ]]; then
        "$patchelf" --force-rpath --set-rpath "$search" "$file"
      fi
    done < <(find "$dir" -maxdepth 1 -type f -name '*.so*' -print0)
  done
}
