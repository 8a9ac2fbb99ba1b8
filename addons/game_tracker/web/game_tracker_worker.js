// GameTracker's worker: the core (game_tracker_web.js and its .wasm, built
// by scripts/build.sh --target web) in a dedicated Web Worker. The page's
// glue (game_tracker_page.js) posts one message per frame:
//   {frame: text}    the frame's calls (rust/web/src/replay.rs)
//   {hidden: bool}   the page was hidden or shown: flush, and requests made
//                    while hidden are keepalive, so they outlive the page
//   {leave: true}    the page goes but could not send the farewell itself:
//                    the session ends, the rest goes out
//   {left: true}     the page went and sent the farewell: nothing more
// and gets back {stats: text} (get_stats() as JSON) at most every
// STATS_INTERVAL_MS, and {farewell: [{url, headers, body}]} when what it
// holds changed, at most every FAREWELL_INTERVAL_MS: the requests the page
// sends as it goes (pagehide), since a browser stops a page's worker then.
// Batching, encoding, retries and Retry-After are the core's; this file
// only moves bytes between it and fetch().
import init, { WebTracker } from "./game_tracker_web.js";

// How often the core runs when the page sends nothing and it has read
// everything: answers, retries and flush intervals move on at this pace.
// While events wait to be read it runs again at once (after the browser's
// own tasks: fetch answers, the page's messages).
const TICK_MS = 50;
// How often the page hears the counters: a frame late is fine for
// get_stats(), and a message a frame would cost the page's thread.
const STATS_INTERVAL_MS = 100;
// The browser lets keepalive requests in flight carry 64 KiB in all.
const KEEPALIVE_BUDGET = 64 * 1024;
// How often the page's farewell is made again, while what it would say
// changes: each is an encode of what the worker holds.
const FAREWELL_INTERVAL_MS = 250;
// How much of a refusal's body the core keeps.
const ERROR_BODY_CHARS = 4096;

let hidden = false;
let keepaliveBytes = 0;
let nextRequest = 1;
const requests = new Map();

// The core's HTTP (rust/web/src/fetch.rs): it starts a request and asks
// each slice whether it was answered.
globalThis.gameTrackerFetch = {
  start(url, headerLines, body, timeoutMs) {
    const id = nextRequest++;
    const request = { status: -1, retryAfter: "", text: "" };
    requests.set(id, request);
    const headers = new Headers();
    for (const line of headerLines.split("\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
    }
    // A copy: the view into the module's memory moves when it grows.
    const bytes = body.slice();
    const keepalive = hidden && keepaliveBytes + bytes.byteLength <= KEEPALIVE_BUDGET;
    if (keepalive) keepaliveBytes += bytes.byteLength;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    fetch(url, { method: "POST", headers, body: bytes, keepalive, signal: controller.signal, credentials: "omit" })
      .then(async (response) => {
        request.retryAfter = response.headers.get("Retry-After") || "";
        request.text = response.ok ? "" : (await response.text()).slice(0, ERROR_BODY_CHARS);
        request.status = response.status;
      })
      .catch((error) => {
        request.text = controller.signal.aborted ? `timed out after ${timeoutMs} ms` : String(error);
        request.status = 0;
      })
      .finally(() => {
        clearTimeout(timer);
        if (keepalive) keepaliveBytes -= bytes.byteLength;
        // The core hears of the answer at its next slice: now, not a tick later.
        wake();
      });
    return id;
  },
  status: (id) => requests.get(id)?.status ?? 0,
  retryAfter: (id) => requests.get(id)?.retryAfter ?? "",
  text: (id) => requests.get(id)?.text ?? "",
  forget: (id) => requests.delete(id),
};

let tracker = null;
let statsSent = 0;
let farewellMade = 0;
// The stats the last farewell was made with: none is made while they stay.
let farewellStats = "";
let tickTimer = 0;

// One slice of the core; the next at once while events wait to be read,
// else in TICK_MS.
function tick() {
  if (!tracker) return;
  tracker.tick();
  report(false);
  tickTimer = setTimeout(tick, tracker.busy() ? 0 : TICK_MS);
}

// The next slice as soon as the browser is free (an answer came).
function wake() {
  if (!tracker) return;
  clearTimeout(tickTimer);
  tickTimer = setTimeout(tick, 0);
}

// Messages that came while the module loaded, in order.
const early = [];

function report(force) {
  for (const line of tracker.diagnostics()) console.warn(line);
  const now = performance.now();
  if (force || now - statsSent >= STATS_INTERVAL_MS) {
    statsSent = now;
    const stats = tracker.stats();
    postMessage({ stats });
    if (stats !== farewellStats && now - farewellMade >= FAREWELL_INTERVAL_MS) {
      farewellMade = now;
      farewellStats = stats;
      const farewell = tracker.farewell().map((f) => {
        const request = { url: f.url, headers: f.headers, body: f.body.buffer };
        f.free(); // the module's copy: the page gets its own
        return request;
      });
      postMessage({ farewell }, farewell.map((f) => f.body));
    }
  }
}

function handle(message) {
  if (message.left) {
    // The page sent what this worker held: sending it again would double it.
    clearTimeout(tickTimer);
    tracker = null;
    onmessage = null;
    return;
  }
  if (message.frame !== undefined) {
    try {
      tracker.frame(message.frame);
    } catch (error) {
      console.warn("GameTracker: " + error);
    }
  }
  if (message.hidden !== undefined) {
    hidden = message.hidden;
    if (hidden) tracker.flush();
  }
  if (message.leave) {
    hidden = true;
    tracker.leave();
  }
  report(message.leave || message.hidden !== undefined);
}

onmessage = (event) => (tracker ? handle(event.data) : early.push(event.data));

init({ module_or_path: new URL("game_tracker_web_bg.wasm", import.meta.url) }).then(() => {
  tracker = new WebTracker();
  for (const message of early.splice(0)) handle(message);
  tick();
});
