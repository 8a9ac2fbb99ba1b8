#!/usr/bin/env bash
# Prints the path of a Python with websocket-client, which the browser
# driver (scripts/checks/web_browser.py) speaks the DevTools protocol with: a venv
# in .cache/, from PyPI, made once.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/.cache/web-python"
mkdir -p "$root/.cache"
exec 9>"$root/.cache/.web-python.lock"
flock 9
[[ -x $venv/bin/python ]] || python3 -m venv "$venv" >&2
"$venv/bin/python" -c "import websocket" 2>/dev/null \
  || "$venv/bin/pip" install -q --disable-pip-version-check "websocket-client==1.9.0" >&2
echo "$venv/bin/python"
