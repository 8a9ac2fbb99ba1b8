#!/usr/bin/env bash
# The runs behind BENCHMARKS.md's "A public endpoint under load" (which
# tests/bench/run.sh writes): simulated players' sessions through the
# shipped edge into each backend started from deploy/
# (tests/examples/load.rs), on loopback only.
#
#   scripts/load_test.sh [SESSIONS...]      default: 10000 100000
#
# Each run: 3 snapshots per session, 1 % of the sessions behind one shared
# address, one address flooding 2,000 requests. One line per run. Needs
# the memory the backends take (about 4 GB for 100,000 sessions in
# Prometheus); run it on a quiet machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
counts=("$@")
[[ ${#counts[@]} -gt 0 ]] || counts=(10000 100000)
cargo build --release -q -p game_tracker_testkit --example load
for sessions in "${counts[@]}"; do
  for backend in prometheus victoriametrics victoriametrics-aggregated; do
    target/release/examples/load --backend "$backend" --sessions "$sessions" --rounds 3 --shared 0.01 --flood 2000
  done
done
