#!/usr/bin/env bash
# The project's test command. Runs every test: core unit and pipeline tests,
# GDScript tests in headless Godot, and the demo → real Prometheus round trip.
# Godot (Debian unstable's package) and Prometheus (Debian's package) are
# fetched into .cache/ by the project's own scripts on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/build.sh
echo "Godot: $(bash scripts/godot.sh --headless --version | tail -n1)"
cargo test --workspace -- --include-ignored
