#!/usr/bin/env bash
# Builds the release package a game developer installs without Rust:
# dist/game_tracker-<version>.zip in the Asset Library layout
# (addons/game_tracker/ with the scripts, the .gdextension, every library
# built here under bin/, a LICENSE and a short README).
#   scripts/package.sh              builds the host's release library first
#   scripts/package.sh --cross      also builds Windows x86_64, Linux arm64,
#                                   macOS (universal, signed ad hoc) and the Web
#                                   here (scripts/build.sh --target ...)
#   scripts/package.sh --no-build   packages the libraries already in bin/
#                                   (the forge workflow puts every platform's there)
# Prints the zip's path.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
version=$(sed -n 's/^version="\(.*\)"/\1/p' addons/game_tracker/plugin.cfg)
case ${1:-} in
  --no-build) ;;
  --cross) for target in host windows linux-arm64 macos web; do bash scripts/build.sh --release --target "$target"; done ;;
  *) bash scripts/build.sh --release ;;
esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
addon="$stage/addons/game_tracker"
mkdir -p "$addon"
# The addon as it is in the repository, its libraries included (only
# those built here: bin/ is not tracked), without hidden files.
(cd addons/game_tracker && find . -path ./bin -prune -o -type f ! -name '.*' -print) | while IFS= read -r f; do
  mkdir -p "$addon/$(dirname "$f")"
  cp "addons/game_tracker/$f" "$addon/$f"
done
(cd addons/game_tracker && find bin -type f ! -name '.*' -print) | while IFS= read -r f; do
  mkdir -p "$addon/$(dirname "$f")"
  cp "addons/game_tracker/$f" "$addon/$f"
done
cp LICENSE "$addon/LICENSE"
cp scripts/package/README.md "$addon/README.md"
mkdir -p dist
zip_path="$root/dist/game_tracker-$version.zip"
rm -f "$zip_path"
(cd "$stage" && python3 -m zipfile -c "$zip_path" addons)
echo "$zip_path"
