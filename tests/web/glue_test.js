// Drives the addon's page glue as the Web autoload (web_tracker.gd) does:
// once per animation frame, one GameTrackerWeb.handover(text) holding that
// frame's calls, in the format rust/web/src/replay.rs reads (handover.js
// writes it). Parameters:
//   endpoint   the receiver
//   frames     how many frames make events (one log and one metric each,
//              a span every SPAN_EVERY frames)
// Frame HITCH_FRAME also reports a hitch (120 ms), as web_hitches.gd does,
// while the first span is open. When every event of those frames was sent (the worker's report says
// nothing is pending), it hands over TAIL more logs with no flush, and the
// page is hidden (its visibility event, as a browser fires it when the
// player switches tabs); once the report says they were sent, it hands
// over GOODBYE more logs, prints "glue: done <stats>" (the report before
// them) and leaves those to the page's exit: the driver then leaves the
// page, whose pagehide sends the worker's farewell. The glue's answer to
// the autoload's hitch check (hiddenWithin) is checked around the hiding;
// a wrong answer is a console error.
const params = new URLSearchParams(location.search);
const endpoint = params.get("endpoint");
const FRAMES = Number(params.get("frames") || 300);
const SPAN_EVERY = 30;
const TAIL = 3;
const GOODBYE = 3;
const HITCH_FRAME = 5;

const Op = GodotHandover.Op;
const ticks = GodotHandover.ticks;
// The session's trace-id high half and span-id base (web_tracker.gd draws them).
const TRACE_HIGH = 0x0af7651916cd;
const SPAN_BASE = 2 ** 52;

function handover(calls) {
  GameTrackerWeb.handover(GodotHandover.frame(calls));
}

let frame = 0;
let hidden = false;
let sentBeforeTail = 0;

// The page goes to the background: the browser's visibility event.
function hide() {
  hidden = true;
  setVisibility("hidden");
}

function setVisibility(state) {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange"));
}

// A frame over the hitch threshold asks whether the page was hidden in it:
// no while it never was; yes while hidden; yes just after it is shown
// again, for a frame as long as the hiding; no for a frame that began after.
function checkHiddenWithin() {
  const expect = (answer, ms, what) => {
    if (GameTrackerWeb.hiddenWithin(ms) !== answer) console.error(`glue: hiddenWithin(${ms}) is not ${answer} ${what}`);
  };
  expect(false, 1e9, "before any hiding");
  setVisibility("hidden");
  expect(true, 0, "while hidden");
  setVisibility("visible");
  expect(true, 1000, "just after it was shown again");
  setTimeout(() => expect(false, 5, "for a frame that began after it was shown"), 50);
}
let spans = 0;
let span = 0;
let trace = 0;

function pendingOf(stats) {
  return ["logs", "metrics", "traces"].reduce((n, s) => n + stats[s].pending, 0);
}

function step() {
  if (frame === 0) {
    handover([
      [Op.INIT, { endpoint, game: "glue_test", version: "1.2.3", environment: "ci", flush_interval: 60, batch_size: 50 },
        { os: "Web", godot_version: "4.6.test", locale: "en" }, TRACE_HIGH, SPAN_BASE],
      [Op.SCENE, "res://glue_test.tscn"],
    ]);
    checkHiddenWithin();
  } else if (frame <= FRAMES) {
    const calls = [
      [Op.LOG_INFO, ticks(), `event ${frame}`, { frame }],
      [Op.COUNTER, "frames_total", 1, { scene: "glue" }],
    ];
    // The spans of the run share one trace: the first starts it, each next
    // one is its child.
    if (frame % SPAN_EVERY === 1) {
      span = ++spans;
      if (span === 1) {
        trace = span;
        calls.push([Op.SPAN_ROOT, ticks(), "chunk", { first: frame }, span]);
      } else {
        calls.push([Op.SPAN_CHILD, ticks(), "chunk", { first: frame }, span, 1, trace]);
      }
    } else if (frame % SPAN_EVERY === 0) {
      calls.push([Op.SPAN_END_WITH, span, ticks(), 1, "", { last: frame }]);
    }
    if (frame === HITCH_FRAME) {
      calls.push([Op.HITCH, ticks(), 120000, 33333, { draw_calls: 7, objects: 1234 }]);
    }
    handover(calls);
  } else if (frame === FRAMES + 1) {
    handover([[Op.FLUSH]]);
  } else {
    const text = GameTrackerWeb.stats();
    const stats = text ? JSON.parse(text) : null;
    if (stats && stats.logs.produced > FRAMES && pendingOf(stats) === 0 && !hidden) {
      // Counted from this report, the one that shows everything sent.
      sentBeforeTail = stats.logs.produced;
      handover([1, 2, 3].slice(0, TAIL).map((k) => [Op.LOG_WARN, ticks(), `tail ${k}`, null]));
      hide();
    } else if (stats && hidden && stats.logs.produced === sentBeforeTail + TAIL && pendingOf(stats) === 0) {
      handover([1, 2, 3].slice(0, GOODBYE).map((k) => [Op.LOG_INFO, ticks(), `goodbye ${k}`, null]));
      document.getElementById("out").textContent = "done";
      console.log("glue: done " + text);
      return;
    }
  }
  frame++;
  requestAnimationFrame(step);
}

requestAnimationFrame(step);
