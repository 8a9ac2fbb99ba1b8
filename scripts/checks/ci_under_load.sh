#!/usr/bin/env bash
# CI on a busy machine: N times in a row (default 3), clones the repository's
# committed HEAD into a fresh temporary folder and runs `bash .ci/run` there
# while every core is kept busy by a busy loop (niced, so the runs still get
# their turn; CI_LOAD_NICE=0 makes the loops compete as equals). Prints each
# run's result and time, then one summary line; exits non-zero if any run
# failed.
#   bash scripts/checks/ci_under_load.sh [N]
# The tests assert nothing about speed (timing lives in tests/bench), so a
# loaded machine must pass them as an idle one does. About 10-15 minutes a run.
# Each clone shares .cache (Godot, Prometheus) with this checkout, so nothing
# is fetched again; its target/ is its own, so every run builds from scratch,
# as CI does.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-3}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N]" >&2; exit 2; }
cores=$(nproc)
work=$(mktemp -d)
hogs=()
cleanup() {
  # Only the loops this script started, by their ids.
  for pid in "${hogs[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fresh_clone() {
  rm -rf "$work/repo"
  git clone -q --no-hardlinks "$root" "$work/repo"
  if [[ -e "$root/.cache" ]]; then
    ln -s "$(readlink -f "$root/.cache")" "$work/repo/.cache"
  fi
}

# Bounded: each loop ends by itself after the longest the runs may take,
# should this script be killed before its trap runs.
bound=$((runs * 3600))
for _ in $(seq "$cores"); do
  nice -n "${CI_LOAD_NICE:-10}" timeout "$bound" bash -c 'while :; do :; done' &
  hogs+=("$!")
done
echo "ci_under_load: $(git -C "$root" rev-parse --short HEAD), $runs run(s), $cores busy loop(s) on $cores core(s)"

passed=0
times=()
for i in $(seq "$runs"); do
  log="$work/run$i.log"
  fresh_clone
  started=$(date +%s)
  status=0
  (cd "$work/repo" && bash .ci/run) >"$log" 2>&1 || status=$?
  took=$(($(date +%s) - started))
  times+=("${took}s")
  summary=$(grep -E '^tests: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
  if [[ $status -eq 0 ]]; then
    passed=$((passed + 1))
    echo "run $i: green in ${took}s (${summary:-no summary line})"
  else
    echo "run $i: RED (exit $status) in ${took}s (${summary:-no summary line}); failures:"
    grep -E '^test .* FAILED$|^---- .* stdout ----$|panicked at' "$log" | head -n 20 | sed 's/^/  /' || true
    mkdir -p "$root/target"
    cp "$log" "$root/target/ci_under_load_run$i.log" && echo "  full log: target/ci_under_load_run$i.log"
  fi
done
echo "ci_under_load: $passed of $runs runs green under load (times: ${times[*]})"
[[ $passed -eq $runs ]]
