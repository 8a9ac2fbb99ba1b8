#!/usr/bin/env bash
# Sourced by scripts/build.sh for `--target web`: what builds the Web
# worker's module (rust/web) for wasm32-unknown-unknown, provisioned into
# .cache/ without touching the system, as the other cross builds are:
#   - Debian unstable's rustc and cargo (scripts/provision/cross_toolchain.sh,
#     debian_rust) with the prebuilt standard library Debian ships for this
#     target (libstd-rust-dev-wasm32, in step with that rustc);
#   - wasm-ld from Debian unstable's lld-22, of the LLVM that rustc uses
#     (Debian's rustc has no rust-lld of its own), run through its root's
#     loader;
#   - wasm-bindgen's CLI from crates.io, of exactly the version Cargo.lock
#     has for the wasm-bindgen crate (the two must match).
#
#   source scripts/provision/web_toolchain.sh
#   web_env      # exports CARGO, RUSTC, CARGO_TARGET_DIR, the linker,
#                # RUSTFLAGS, and WASM_BINDGEN (the CLI's path)
set -euo pipefail

web_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$web_repo/scripts/provision/cross_toolchain.sh"

web_env() {
  local rust; rust=$(debian_rust)
  local wasm="$cross_cache/wasm-unstable"
  "$web_repo/scripts/provision/debfetch.sh" unstable "$wasm" libstd-rust-dev-wasm32 >&2
  ln -sfn "$wasm/root/usr/lib/rustlib/wasm32-unknown-unknown" "$rust/usr/lib/rustlib/wasm32-unknown-unknown"
  local lld="$cross_cache/wasm-lld"
  "$web_repo/scripts/provision/debfetch.sh" unstable "$lld" --closure lld-22 >&2
  local r="$lld/root" bin="$cross_cache/web-bin"
  mkdir -p "$bin"
  printf '#!/bin/sh\nexec %s --library-path %s/usr/lib/x86_64-linux-gnu:%s/lib/x86_64-linux-gnu %s/usr/lib/llvm-22/bin/wasm-ld "$@"\n' \
    "$(private_root_loader "$r")" "$r" "$r" "$r" > "$bin/wasm-ld"
  chmod +x "$bin/wasm-ld"
  export CARGO="$cross_cache/debian-rust-bin/cargo" RUSTC="$cross_cache/debian-rust-bin/rustc"
  export CARGO_TARGET_DIR="$web_repo/target/web"
  export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER="$bin/wasm-ld"
  # rand's getrandom (0.3) takes the browser's crypto only with this cfg;
  # uuid's (0.4) with its feature alone (rust/core/Cargo.toml).
  export RUSTFLAGS='--cfg getrandom_backend="wasm_js"'
  # wasm-bindgen reads the module's target features from a section that
  # stripping removes.
  export CARGO_PROFILE_RELEASE_STRIP=false
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' "$web_repo/Cargo.lock")
  local cli="$cross_cache/wasm-bindgen-$version"
  if [[ ! -x $cli/bin/wasm-bindgen ]]; then
    echo "web_toolchain: building wasm-bindgen-cli $version (crates.io, once)" >&2
    # The host's own cargo: the CLI runs here, not in the browser.
    env -u CARGO -u RUSTC -u CARGO_TARGET_DIR -u RUSTFLAGS -u CARGO_PROFILE_RELEASE_STRIP \
      cargo install -q wasm-bindgen-cli --version "$version" --root "$cli" >&2
  fi
  export WASM_BINDGEN="$cli/bin/wasm-bindgen"
}
