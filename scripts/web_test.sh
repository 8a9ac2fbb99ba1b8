#!/usr/bin/env bash
# The Web proof, outside .ci/run (README "The Web"): builds both Web
# libraries (scripts/build.sh --release --target web), Godot's Web templates
# with the same Emscripten (scripts/web_template.sh; Godot's source is read
# only the first time), and Chromium (scripts/chromium.sh), then runs
# tests/tests/web.rs: the demo exported for the Web in headless Chromium
# against a CORS receiver, for both builds (nothreads and threads) by
# default, or for one with --only.
#
#   scripts/web_test.sh [--only nothreads|threads] [GODOT_SOURCE]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
variants=(nothreads threads)
filter=from_chromium
if [[ ${1:-} == --only ]]; then
  case ${2:-} in
    nothreads) variants=(nothreads); filter=without_threads ;;
    threads) variants=(threads); filter=with_threads ;;
    *) echo "web_test.sh: --only nothreads or --only threads" >&2; exit 2 ;;
  esac
  shift 2
fi
bash scripts/build.sh --release --target web
bash scripts/web_template.sh "${1:-}" "${variants[@]}"
chromium=$(bash scripts/chromium.sh)
venv="$root/.cache/godot-web/venv"
[[ -x $venv/bin/python ]] || python3 -m venv "$venv"
# The browser driver speaks the DevTools protocol over a WebSocket.
"$venv/bin/python" -c "import websocket" 2>/dev/null || "$venv/bin/pip" install -q --disable-pip-version-check "websocket-client==1.9.0"
GAMETRACKER_WEB_TEMPLATES="$root/.cache/godot-web/templates" GAMETRACKER_CHROMIUM="$chromium" GAMETRACKER_WEB_PYTHON="$venv/bin/python" \
  cargo test -p game_tracker_testkit --test web -- --ignored --test-threads 1 --nocapture "$filter"
