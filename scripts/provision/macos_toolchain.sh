#!/usr/bin/env bash
# Sourced by scripts/build.sh and scripts/cross_test.sh: what builds, signs
# and inspects the macOS library on this Linux x86_64 machine, from package
# registries only (no Apple SDK, no Mac), into .cache/:
#   - zig from PyPI (`ziglang`) as the C compiler and linker: it ships
#     macOS's libSystem stubs and headers, which is all the library links
#     (std: libSystem; the libc crate: libiconv);
#   - cargo-zigbuild from PyPI, which drives cargo with zig for both
#     architectures (`universal2-apple-darwin`) and joins them (fat Mach-O),
#     with its own libiconv/libcharset stubs;
#   - Debian unstable's rustc with rust-src (scripts/provision/cross_toolchain.sh):
#     no prebuilt std for Apple targets is packaged, so std is built
#     (-Zbuild-std);
#   - rcodesign (crates.io `apple-codesign`, signing only) for the ad-hoc
#     signature arm64 macOS requires of every library it loads;
#   - bookworm's LLVM 14 tools for the structural checks (llvm-lipo, -otool, -nm).
#
#   source scripts/provision/macos_toolchain.sh
#   macos_env            # exports CARGO, RUSTC, CARGO_TARGET_DIR, ... ; sets MACOS_BUILD
#   macos_rcodesign      # prints rcodesign's path (built once, a few minutes)
#   macos_llvm TOOL      # prints the path of llvm-TOOL (lipo, otool, nm)
set -euo pipefail

macos_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$macos_root/scripts/provision/cross_toolchain.sh"
macos_cache="$macos_root/.cache"

# Pinned: the versions this was checked with.
MACOS_ZIG_VERSION=0.17.1
MACOS_ZIGBUILD_VERSION=0.24.1
MACOS_RCODESIGN_VERSION=0.29.0
# Godot 4.5 runs on macOS 10.13 and later (x86_64), 11 on Apple Silicon;
# the arm64 floor is 11.0, and one version is stamped on both slices.
MACOS_DEPLOYMENT_TARGET=11.0
MACOS_TRIPLE=universal2-apple-darwin

macos_env() {
  local tools="$macos_cache/macos-tools"
  if [[ ! -x $tools/bin/cargo-zigbuild || $(cat "$tools/.versions" 2>/dev/null) != "$MACOS_ZIG_VERSION $MACOS_ZIGBUILD_VERSION" ]]; then
    rm -rf "$tools"
    python3 -m pip install --quiet --disable-pip-version-check --target "$tools" \
      "ziglang==$MACOS_ZIG_VERSION" "cargo-zigbuild==$MACOS_ZIGBUILD_VERSION" >&2
    echo "$MACOS_ZIG_VERSION $MACOS_ZIGBUILD_VERSION" >"$tools/.versions"
  fi
  debian_rust >/dev/null
  export CARGO="$macos_cache/debian-rust-bin/cargo" RUSTC="$macos_cache/debian-rust-bin/rustc"
  # Its own target folder: another compiler and another linker.
  export CARGO_TARGET_DIR="$macos_root/target/macos"
  export RUSTC_BOOTSTRAP=1 MACOSX_DEPLOYMENT_TARGET=$MACOS_DEPLOYMENT_TARGET
  # rustc strips Apple libraries with rust-objcopy, which Debian's rustc
  # does not ship: the symbols are stripped from the joined library instead.
  export CARGO_PROFILE_RELEASE_STRIP=false
  # The library's own name, not the build folder's path, as its install name.
  local triple
  for triple in X86_64 AARCH64; do
    export "CARGO_TARGET_${triple}_APPLE_DARWIN_RUSTFLAGS=-C link-arg=-Wl,-install_name,@rpath/libgame_tracker.dylib"
  done
  export PYTHONPATH="$tools${PYTHONPATH:+:$PYTHONPATH}" PATH="$tools/bin:$PATH"
  MACOS_BUILD=("$tools/bin/cargo-zigbuild" zigbuild --target "$MACOS_TRIPLE" -Zbuild-std=std,panic_abort)
}

macos_rcodesign() {
  local root="$macos_cache/rcodesign" bin="$macos_cache/rcodesign/bin/rcodesign"
  if [[ ! -x $bin ]]; then
    cargo install apple-codesign --version "$MACOS_RCODESIGN_VERSION" --no-default-features --locked \
      --root "$root" >&2
  fi
  echo "$bin"
}

macos_llvm() {
  local tool="llvm-$1-14"
  command -v "$tool" >/dev/null || {
    echo "macos_toolchain: $tool not found (Debian bookworm's llvm-14 package)" >&2
    return 1
  }
  command -v "$tool"
}
