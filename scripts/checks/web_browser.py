"""Opens a page in headless Chromium through the DevTools protocol, prints
every console message and page error as a JSON line, and waits until one
contains --until. Then (optionally) takes a screenshot, leaves the page (so
its `pagehide` runs) and waits --linger seconds for what the page sent then.

    python3 scripts/checks/web_browser.py --chromium PATH --url URL --until TEXT
        [--screenshot FILE] [--timeout S] [--linger S] [--profile FILE]

Exit status 0 when --until was seen, 1 otherwise. Needs websocket-client.
"""
import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

parser = argparse.ArgumentParser()
parser.add_argument("--chromium", required=True)
parser.add_argument("--url", required=True)
parser.add_argument("--until", required=True)
parser.add_argument("--screenshot")
parser.add_argument("--timeout", type=float, default=120)
parser.add_argument("--linger", type=float, default=3)
parser.add_argument("--profile", help="write a DevTools CPU profile (.cpuprofile) of the page until --until")
args = parser.parse_args()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


port = free_port()
profile = tempfile.mkdtemp(prefix="gt-chromium-")
browser = subprocess.Popen(
    [
        args.chromium,
        "--headless=new",
        "--no-sandbox",
        "--no-first-run",
        "--disable-gpu-sandbox",
        # WebGL 2 without a GPU: SwiftShader through ANGLE.
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
        "--window-size=1152,648",
        f"--remote-debugging-port={port}",
        f"--user-data-dir={profile}",
        "about:blank",
    ],
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
    # Its own temporary files (the singleton socket's folder) inside the
    # profile, so they go with it.
    env={**os.environ, "TMPDIR": profile},
)


def emit(level, text, stack=None):
    line = {"level": level, "text": text}
    # Where an error or warning came from: the first frames' function and
    # script, enough to tell the engine's, Emscripten's and the tracker's apart.
    frames = (stack or {}).get("callFrames", [])[:12]
    if frames and level not in ("log", "info", "debug"):
        line["stack"] = [f"{f.get('functionName') or '?'} {f.get('url', '').rsplit('/', 1)[-1]}:{f.get('lineNumber')}:{f.get('columnNumber')}" for f in frames]
    print(json.dumps(line), flush=True)


seen = False
try:
    deadline = time.time() + 30
    pages = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=2) as r:
                pages = [p for p in json.load(r) if p.get("type") == "page"]
            if pages:
                break
        except OSError:
            pass
        time.sleep(0.2)
    if not pages:
        emit("driver", "chromium did not start")
        sys.exit(1)
    ws = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=1)
    ids = iter(range(1, 1 << 30))

    def call(method, session=None, **params):
        message = {"id": next(ids), "method": method, "params": params}
        if session:
            message["sessionId"] = session
        ws.send(json.dumps(message))

    def wait_result(method, **params):
        wanted = next(ids)
        ws.send(json.dumps({"id": wanted, "method": method, "params": params}))
        end = time.time() + 30
        while time.time() < end:
            message = receive()
            if message and message.get("id") == wanted:
                return message.get("result", {})
        return {}

    def receive():
        global seen
        try:
            message = json.loads(ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        method = message.get("method")
        params = message.get("params", {})
        if method == "Target.attachedToTarget":
            # A worker (the threads build's pthreads): its console and its
            # uncaught errors, with their stacks, come through its session.
            session = params.get("sessionId")
            call("Runtime.enable", session=session)
            call("Runtime.runIfWaitingForDebugger", session=session)
            return message
        if message.get("sessionId") and method == "Runtime.consoleAPICalled":
            params = dict(params, args=[{"value": "[worker]"}] + params.get("args", []))
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            emit(params.get("type", "log"), text, params.get("stackTrace"))
            if args.until in text:
                seen = True
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            where = "[worker] " if message.get("sessionId") else ""
            emit("exception", where + (details.get("exception", {}).get("description") or details.get("text", "")), details.get("stackTrace"))
        elif method == "Log.entryAdded":
            entry = params.get("entry", {})
            emit(entry.get("level", "log"), f"[{entry.get('source')}] {entry.get('text')} {entry.get('url', '')}".strip(), entry.get("stackTrace"))
        return message

    call("Runtime.enable")
    call("Log.enable")
    call("Page.enable")
    call("Target.setAutoAttach", autoAttach=True, waitForDebuggerOnStart=False, flatten=True)
    if args.profile:
        # Sampled every 100 µs: the frames looked for take 1 ms and more.
        call("Profiler.enable")
        call("Profiler.setSamplingInterval", interval=100)
        call("Profiler.start")
    call("Page.navigate", url=args.url)
    end = time.time() + args.timeout
    while time.time() < end and not seen:
        receive()
    if seen and args.profile:
        profile_result = wait_result("Profiler.stop")
        with open(args.profile, "w") as f:
            json.dump(profile_result.get("profile", {}), f)
    if seen:
        settle = time.time() + 2
        while time.time() < settle:
            receive()
        if args.screenshot:
            shot = wait_result("Page.captureScreenshot", format="png")
            if "data" in shot:
                with open(args.screenshot, "wb") as f:
                    f.write(base64.b64decode(shot["data"]))
        # Leaving the page runs its pagehide: the tracker's last send.
        call("Page.navigate", url="about:blank")
        linger = time.time() + args.linger
        while time.time() < linger:
            receive()
    else:
        emit("driver", f"'{args.until}' not seen within {args.timeout} s")
finally:
    browser.terminate()
    try:
        browser.wait(10)
    except subprocess.TimeoutExpired:
        browser.kill()
    shutil.rmtree(profile, ignore_errors=True)
sys.exit(0 if seen else 1)
