#!/usr/bin/env bash
# Builds the GDExtension and copies it into addons/game_tracker/bin/.
#   scripts/build.sh                      debug build for this machine
#   scripts/build.sh --release            optimised build (what you ship)
#   scripts/build.sh --target windows     game_tracker.dll (x86_64), built on Linux
#   scripts/build.sh --target linux-arm64 bin/linux-arm64/libgame_tracker.so
#   scripts/build.sh --target web         bin/web/ (threads and nothreads)
# Other targets go through scripts/cross_toolchain.sh: rustup's target when it
# is installed, otherwise a toolchain it provisions from Debian's packages;
# the Web also through scripts/web_toolchain.sh (Emscripten).
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
  source "$root/scripts/cross_toolchain.sh"
  source "$root/scripts/web_toolchain.sh"
  web_env
  debian_rust >/dev/null
  export CARGO="$cross_cache/debian-rust-bin/cargo" RUSTC="$cross_cache/debian-rust-bin/rustc"
  export CARGO_TARGET_DIR="$root/target/web" RUSTC_BOOTSTRAP=1
  export CARGO_TARGET_WASM32_UNKNOWN_EMSCRIPTEN_LINKER=emcc
  # Flags from the godot-rust book's "Export to Web" (rustc 1.93 and newer
  # need emscripten-wasm-eh=false, or Godot cannot load the module).
  # Debian's rustc has no self-contained linker: emcc links.
  common="-Zunstable-options -Clink-self-contained=-linker"
  common="$common -Zemscripten-wasm-eh=false -Zdefault-visibility=hidden -Zlink-native-libraries=no"
  common="$common -Cllvm-args=-enable-emscripten-cxx-exceptions=0 -Clink-arg=-sSIDE_MODULE=2"
  # Export only gdext's entry point. rustc would export every #[no_mangle]
  # function of the whole dependency tree, among them wasm-bindgen's (the
  # opentelemetry crate depends on js-sys for every wasm32 but WASI), whose
  # imports no Godot page provides: "Import #25 \"__wbindgen_placeholder__\":
  # module is not an object or function". emcc keeps a setting's last value.
  common="$common -Clink-arg=-sEXPORTED_FUNCTIONS=_gdext_rust_init"
  for variant in threads nothreads; do
    case $variant in
      threads) flags="$common -Clink-arg=-pthread -Ctarget-feature=+atomics"; features=web; name=game_tracker.threads.wasm ;;
      nothreads) flags="$common"; features=web-nothreads; name=game_tracker.wasm ;;
    esac
    started=$SECONDS
    # No class reference (feature docs): nobody opens F1 in a browser.
    RUSTFLAGS="$flags" "$CARGO" build --manifest-path "$root/Cargo.toml" -p game_tracker "${args[@]}" \
      --no-default-features --features "$features" --target wasm32-unknown-emscripten -Zbuild-std=std,panic_abort \
      --target-dir "$CARGO_TARGET_DIR/$variant" >&2
    echo "build.sh: web $variant $profile build took $((SECONDS - started)) s" >&2
    built="$CARGO_TARGET_DIR/$variant/wasm32-unknown-emscripten/$profile/game_tracker.wasm"
    dest="$bin/web/$name"
    mkdir -p "$(dirname "$dest")"
    cp "$built" "$dest"
    echo "built $dest ($profile, $(du -k "$dest" | cut -f1) KiB)" >&2
  done
  exit 0
else
  source "$root/scripts/cross_toolchain.sh"
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
