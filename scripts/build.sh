#!/usr/bin/env bash
# Builds the GDExtension and copies it into addons/game_tracker/bin/.
#   scripts/build.sh                      debug build for this machine
#   scripts/build.sh --release            optimised build (what you ship)
#   scripts/build.sh --target windows     game_tracker.dll (x86_64), built on Linux
#   scripts/build.sh --target linux-arm64 bin/linux-arm64/libgame_tracker.so
#   scripts/build.sh --target web         bin/web/: the Web worker's module
#   scripts/build.sh --target macos       libgame_tracker.dylib (x86_64 + arm64), signed ad hoc
# Other targets go through scripts/provision/cross_toolchain.sh: rustup's target when it
# is installed, otherwise a toolchain it provisions from Debian's packages;
# the Web through scripts/provision/web_toolchain.sh, macOS through
# scripts/provision/macos_toolchain.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=debug
target=host
while (( $# )); do
  case $1 in
    --release) profile=release ;;
    --target) target=$2; shift ;;
    *) echo "build.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
args=()
[[ $profile == release ]] && args=(--release)
bin="$root/addons/game_tracker/bin"

if [[ $target == host ]]; then
  cargo build --manifest-path "$root/Cargo.toml" -p game_tracker "${args[@]}" >&2
  case "$(uname -s)" in
    Linux) lib=libgame_tracker.so ;;
    Darwin) lib=libgame_tracker.dylib ;;
    *) lib=game_tracker.dll ;;
  esac
  built="$root/target/$profile/$lib"; dest="$bin/$lib"
elif [[ $target == web ]]; then
  # The Web: no GDExtension. The core runs in a Web Worker (rust/web),
  # compiled for wasm32-unknown-unknown; wasm-bindgen writes the module's
  # loader beside it, and the addon's glue (addons/game_tracker/web/) starts
  # it. Any Web template works with it.
  source "$root/scripts/provision/web_toolchain.sh"
  web_env
  started=$SECONDS
  "$CARGO" build --manifest-path "$root/Cargo.toml" -p game_tracker_web --target wasm32-unknown-unknown "${args[@]}" >&2
  dest="$bin/web"
  mkdir -p "$dest"
  "$WASM_BINDGEN" --target web --no-typescript --out-dir "$dest" \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/$profile/game_tracker_web.wasm"
  echo "build.sh: web $profile build took $((SECONDS - started)) s" >&2
  echo "built $dest/game_tracker_web_bg.wasm ($profile, $(du -k "$dest/game_tracker_web_bg.wasm" | cut -f1) KiB)" >&2
  exit 0
elif [[ $target == macos ]]; then
  # One universal library for Intel and Apple Silicon Macs, as Godot loads
  # it (a plain .dylib: Godot takes a .framework too, and a .dylib is what
  # the .gdextension names). Its local symbols are stripped before it is
  # signed: any change after signing breaks the signature, and arm64 macOS
  # loads no unsigned code.
  source "$root/scripts/provision/macos_toolchain.sh"
  macos_env
  started=$SECONDS
  "${MACOS_BUILD[@]}" --manifest-path "$root/Cargo.toml" -p game_tracker "${args[@]}" >&2
  echo "build.sh: macos $profile build took $((SECONDS - started)) s" >&2
  dest="$bin/libgame_tracker.dylib"
  mkdir -p "$bin"
  cp "$CARGO_TARGET_DIR/$MACOS_TRIPLE/$profile/libgame_tracker.dylib" "$dest.tmp"
  [[ $profile == release ]] && "$(macos_llvm strip)" -x "$dest.tmp"
  "$(macos_rcodesign)" sign --binary-identifier game_tracker "$dest.tmp" >&2
  mv "$dest.tmp" "$dest"
  echo "built $dest ($profile, $(du -k "$dest" | cut -f1) KiB, $("$(macos_llvm lipo)" -archs "$dest"))" >&2
  exit 0
else
  source "$root/scripts/provision/cross_toolchain.sh"
  cross_env "$target"
  started=$SECONDS
  "$CARGO" build --manifest-path "$root/Cargo.toml" -p game_tracker "${args[@]}" "${CROSS_BUILD_STD[@]}" >&2
  echo "build.sh: $target $profile build took $((SECONDS - started)) s" >&2
  case $target in
    windows) built="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/$profile/game_tracker.dll"; dest="$bin/game_tracker.dll" ;;
    linux-arm64) built="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/$profile/libgame_tracker.so"; dest="$bin/linux-arm64/libgame_tracker.so" ;;
  esac
fi
mkdir -p "$(dirname "$dest")"
cp "$built" "$dest"
echo "built $dest ($profile, $(du -k "$dest" | cut -f1) KiB)" >&2
