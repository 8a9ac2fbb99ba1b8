#!/usr/bin/env bash
# Builds the GDExtension and copies it into addons/game_tracker/bin/.
#   scripts/build.sh            debug build
#   scripts/build.sh --release  optimised build (what you ship)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
profile=debug
args=()
if [[ ${1:-} == --release ]]; then profile=release; args=(--release); fi
cargo build --manifest-path "$root/Cargo.toml" -p game_tracker "${args[@]}" >&2
case "$(uname -s)" in
  Linux) lib=libgame_tracker.so ;;
  Darwin) lib=libgame_tracker.dylib ;;
  *) lib=game_tracker.dll ;;
esac
mkdir -p "$root/addons/game_tracker/bin"
cp "$root/target/$profile/$lib" "$root/addons/game_tracker/bin/$lib"
echo "built $root/addons/game_tracker/bin/$lib ($profile)" >&2
