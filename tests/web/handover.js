// The Web autoload's hand-over, made in JavaScript for the browser tests
// that drive the page's glue with no Godot (glue_test.js, glue_bench.js):
// hex of Godot's `var_to_bytes` of the frame's flat Array, as
// addons/game_tracker/web/web_tracker.gd sends it (the format and the
// operations: addons/game_tracker/web/handover.gd). Writes the types a
// hand-over holds as Godot writes them: null, bools, ints (32 bits when
// they fit; a JavaScript number that is a whole number is written as an
// int), floats (32 bits when that loses nothing), strings, Arrays,
// Dictionaries (objects, keys in their order).
const GodotHandover = (() => {
  const FORMAT = 2;
  const Op = {
    LOG_DEBUG: 1, LOG_INFO: 2, LOG_WARN: 3, LOG_ERROR: 4,
    COUNTER: 5, GAUGE: 6, HISTOGRAM: 7, SAMPLES: 8,
    SPAN_ROOT: 9, SPAN_CHILD: 10, SPAN_END: 11, SPAN_END_WITH: 12,
    BREADCRUMB: 13, USER: 14, CONTEXT: 15, TAG: 16, SCENE: 17,
    INIT: 18, ENABLED: 19, FLUSH: 20, SHUTDOWN: 21, HITCH: 22,
  };
  const utf8 = new TextEncoder();
  // Time.get_ticks_usec() as the page sees it.
  const ticks = () => Math.round(performance.now() * 1000);

  function write(out, value) {
    const u32 = (x) => out.push(x & 0xff, (x >>> 8) & 0xff, (x >>> 16) & 0xff, (x >>> 24) & 0xff);
    const bytesOf = (array) => out.push(...new Uint8Array(array.buffer));
    if (value === null || value === undefined) {
      u32(0);
    } else if (typeof value === "boolean") {
      u32(1);
      u32(value ? 1 : 0);
    } else if (typeof value === "number" && Number.isInteger(value)) {
      if (value >= -(2 ** 31) && value < 2 ** 31) {
        u32(2);
        u32(value);
      } else {
        u32(2 | (1 << 16));
        bytesOf(new BigInt64Array([BigInt(value)]));
      }
    } else if (typeof value === "number") {
      if (Math.fround(value) === value) {
        u32(3);
        bytesOf(new Float32Array([value]));
      } else {
        u32(3 | (1 << 16));
        bytesOf(new Float64Array([value]));
      }
    } else if (typeof value === "string") {
      u32(4);
      writeString(out, value);
    } else if (Array.isArray(value)) {
      u32(28);
      u32(value.length);
      for (const item of value) write(out, item);
    } else {
      const entries = Object.entries(value);
      u32(27);
      u32(entries.length);
      for (const [key, item] of entries) {
        u32(4);
        writeString(out, key);
        write(out, item);
      }
    }
  }

  function writeString(out, text) {
    const bytes = utf8.encode(text);
    const n = bytes.length;
    out.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff, ...bytes);
    for (let pad = (4 - (n % 4)) % 4; pad > 0; pad--) out.push(0);
  }

  // The hand-over of a frame whose calls are `calls` (each [op, ...fields]),
  // the page's clocks read now.
  function frame(calls) {
    const items = [FORMAT, Date.now() * 1000, ticks()];
    for (const call of calls) items.push(...call);
    const out = [];
    write(out, items);
    let hex = "";
    for (const b of out) hex += (b < 16 ? "0" : "") + b.toString(16);
    return hex;
  }

  return { Op, frame, ticks };
})();
