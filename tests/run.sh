#!/usr/bin/env bash
# The project's test command. Checks the code's shape (rustfmt, clippy), then
# runs every test: core unit and pipeline tests,
# GDScript tests in headless Godot, and the demo → real Prometheus round trip.
# Godot (Debian unstable's package) and Prometheus (Debian's package) are
# fetched into .cache/ by the project's own scripts on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# Shape and lints first: a minute, and they fail before any long test does.
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
bash scripts/build.sh
# The Web worker's module, for the browser tests (tests/tests/web.rs).
bash scripts/build.sh --release --target web
echo "Godot: $(bash scripts/provision/godot.sh --headless --version | tail -n1)"
# The forge workflow that builds every platform cannot run here: lint it.
bash scripts/checks/check_workflows.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# The emulated arm64 demo belongs to the slower platform check,
# scripts/cross_test.sh (docs/contributing.md, "Other platforms").
cargo test --workspace --lib --tests -- --include-ignored --skip under_qemu 2>&1 | tee "$log" || status=$?
# The core's whole delivery suite (faults, retries, spool, health…) again
# with frame delivery: no thread, the worker run in each frame's hand-over,
# requests polled, as the Web worker runs it.
GAMETRACKER_TEST_DELIVERY=frame cargo test -p game_tracker_core --tests 2>&1 | tee -a "$log" || status=$?
# One closing line for the whole suite.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($i ~ /^passed/) p += $(i-1); if ($i ~ /^failed/) f += $(i-1) } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
