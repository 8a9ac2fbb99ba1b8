#!/usr/bin/env bash
# The benchmark command: builds the release library (with the no-op floor
# class the call benchmark compares against), runs every benchmark and
# writes BENCHMARKS.md at the repository root. About 20 minutes, and 5 GB of
# memory for the load runs (100,000 sessions in Prometheus).
#   bash tests/bench/run.sh            full run (the numbers in BENCHMARKS.md)
#   bash tests/bench/run.sh --quick    short runs: checks the harness works
#   bash tests/bench/run.sh --frames-only   the frame benchmark alone, printed
#   bash tests/bench/run.sh --load-only     the public endpoint under load, printed
# Afterwards addons/game_tracker/bin holds that release build; run
# scripts/build.sh (or --release) to put the normal library back.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
cargo build --release -p game_tracker --features bench >&2
mkdir -p addons/game_tracker/bin
cp target/release/libgame_tracker.so addons/game_tracker/bin/libgame_tracker.so
cargo run --release -q -p game_tracker_testkit --bin bench -- "$@"
