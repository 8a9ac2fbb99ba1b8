// The Web's costs in Chromium that need no Godot (tests/src/bin/bench.rs,
// `--web-only`), on a cross-origin isolated page (the clock then reads to
// about 5 µs):
// 1. hand-over: at RATES events a second for SECONDS each, every animation
//    frame hands the frame's calls (bench_load.gd's mix, as the autoload
//    records them) to the glue; the glue's part, `GameTrackerWeb.handover`
//    (a postMessage of the frame's text), is timed. Building the text is
//    Godot's var_to_bytes in a game, not measured here (handover.js
//    writes it here).
// 2. worker: BURST events handed over as fast as the worker takes them
//    (a frame of BURST_FRAME events whenever fewer than QUEUE_ROOM handed
//    over are not yet read from its queue by its last report, which can
//    only be behind: its bounded queue, 10,000 events, never drops), then the
//    time until the report says every one was sent: the worker's events a
//    second, replay, encoding and fetch included.
// Prints `bench: {json}` lines, then `bench: done`.
const params = new URLSearchParams(location.search);
const endpoint = params.get("endpoint");
const SECONDS = Number(params.get("seconds") || 10);
const RATES = [100, 1000];
const BURST = Number(params.get("burst") || 100000);
const BURST_FRAME = 1000;
const QUEUE_ROOM = 5000;

const Op = GodotHandover.Op;
const ticks = GodotHandover.ticks;
const frameText = GodotHandover.frame;
const data = { enemy: "goblin", weapon: "sword", damage: 42 };
const labels = { level: "forest" };
let spans = 0;

// bench_load.gd's block of 10 events.
function block(calls) {
  const t = ticks();
  const span = () => {
    const n = ++spans;
    calls.push([Op.SPAN_ROOT, t, "load_chunk", null, n], [Op.SPAN_END, n, t]);
  };
  calls.push([Op.LOG_INFO, t, "enemy_killed", data], [Op.COUNTER, "enemies_killed", 1, labels]);
  calls.push([Op.LOG_INFO, t, "enemy_killed", data], [Op.GAUGE, "fps", 59.5, null]);
  span();
  calls.push([Op.LOG_INFO, t, "enemy_killed", data], [Op.COUNTER, "enemies_killed", 1, labels]);
  calls.push([Op.LOG_INFO, t, "enemy_killed", data], [Op.HISTOGRAM, "frame_ms", 16.6, null]);
  span();
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const stats = () => JSON.parse(GameTrackerWeb.stats() || "null");
const produced = (s) => (s ? s.logs.produced + s.metrics.produced + s.traces.produced : 0);
const pending = (s) => (s ? s.logs.pending + s.metrics.pending + s.traces.pending : 1);

async function handoverCost(rate) {
  const costs = [];
  let made = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    await nextFrame();
    const due = Math.floor(((performance.now() - start) / 1000) * rate / 10) * 10;
    const calls = [];
    while (made < due) {
      block(calls);
      made += 10;
    }
    if (calls.length === 0) continue;
    const text = frameText(calls);
    const before = performance.now();
    GameTrackerWeb.handover(text);
    costs.push((performance.now() - before) * 1000);
  }
  costs.sort((a, b) => a - b);
  console.log("bench: " + JSON.stringify({ kind: "web_handover", rate, frames: costs.length, events: made,
    p50_us: percentile(costs, 0.5), p99_us: percentile(costs, 0.99), max_us: costs[costs.length - 1] }));
}

async function workerThroughput() {
  const before = produced(stats());
  const start = performance.now();
  const read = () => {
    const s = stats();
    return produced(s) - s.queue.events - before;
  };
  for (let made = 0; made < BURST; made += BURST_FRAME) {
    while (made - read() >= QUEUE_ROOM) await new Promise((resolve) => setTimeout(resolve, 1));
    const calls = [];
    for (let i = 0; i < BURST_FRAME; i += 10) block(calls);
    GameTrackerWeb.handover(frameText(calls));
  }
  // The last batch goes now, not at the flush interval.
  GameTrackerWeb.handover(frameText([[Op.FLUSH]]));
  const handed = performance.now();
  let s = stats();
  while (produced(s) < before + BURST || pending(s) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    s = stats();
    if (performance.now() - start > 120000) break;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log("bench: " + JSON.stringify({ kind: "web_worker", events: BURST, handed_ms: handed - start, seconds,
    events_per_s: BURST / seconds, sent: s.logs.sent + s.metrics.sent + s.traces.sent, dropped:
      s.logs.dropped_total + s.metrics.dropped_total + s.traces.dropped_total }));
}

async function main() {
  GameTrackerWeb.handover(frameText([[Op.INIT, { endpoint, game: "bench" }, { os: "Web" }, 1, 2 ** 52]]));
  while (!stats()) await nextFrame();
  for (const rate of RATES) await handoverCost(rate);
  while (pending(stats()) > 0) await nextFrame();
  await workerThroughput();
  console.log("bench: done");
}

main();
