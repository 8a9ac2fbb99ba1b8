// GameTracker's page glue: starts the worker (game_tracker_worker.js, in
// the same folder as this file) and gives the game's autoload
// (web/web_tracker.gd) one object, `GameTrackerWeb`, that it reaches
// through JavaScriptBridge.get_interface:
//   handover(text)  once per frame: the frame's calls, posted to the worker
//   stats()         get_stats() as the worker last reported it (JSON text)
//   hiddenWithin(ms)  whether the page was hidden in the last `ms`: asked
//                   only of a frame over the hitch threshold, since a
//                   hidden page runs no frames (that is not a hitch)
// Nothing else runs on the page's thread. The page's hide and leave
// events go to the worker from here, where they fire. When the page goes,
// a browser stops its worker before the worker could send anything: the
// worker keeps the page supplied with its farewell (what it holds, and the
// session's clean end, encoded), which the page sends as it goes.
(function () {
  if (globalThis.GameTrackerWeb) return;
  const here = document.currentScript ? document.currentScript.src : document.baseURI;
  let worker = null;
  let stats = "";
  let farewell = [];
  // When the page was last shown again (performance.now()).
  let shownAt = -Infinity;
  // The browser lets keepalive requests in flight carry 64 KiB in all.
  const KEEPALIVE_BUDGET = 64 * 1024;

  function start() {
    worker = new Worker(new URL("game_tracker_worker.js", here), { type: "module" });
    worker.onmessage = (event) => {
      if (event.data.stats !== undefined) stats = event.data.stats;
      if (event.data.farewell !== undefined) farewell = event.data.farewell;
    };
    worker.onerror = (event) => console.warn("GameTracker: the worker failed: " + (event.message || event));
    if (document.visibilityState === "hidden") worker.postMessage({ hidden: true });
  }

  globalThis.GameTrackerWeb = {
    handover(text) {
      if (!worker) start();
      worker.postMessage({ frame: text });
    },
    stats: () => stats,
    hiddenWithin: (ms) => document.visibilityState === "hidden" || performance.now() - shownAt <= ms,
  };

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") shownAt = performance.now();
    if (worker) worker.postMessage({ hidden: document.visibilityState === "hidden" });
  });
  // The page's requests as it goes: keepalive, so they outlive it.
  function sendFarewell() {
    let budget = KEEPALIVE_BUDGET;
    for (const request of farewell) {
      if (request.body.byteLength > budget) continue;
      budget -= request.body.byteLength;
      const headers = new Headers();
      for (const line of request.headers.split("\n")) {
        const colon = line.indexOf(":");
        if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim());
      }
      fetch(request.url, { method: "POST", headers, body: request.body, keepalive: true, credentials: "omit" }).catch(() => {});
    }
  }

  // Leaving for good ends the session as a clean exit: the page sends the
  // farewell, and the worker, if it still reads this, sends nothing more.
  // A page kept in the back-forward cache may come back: it only flushes
  // (its worker is frozen with it, and goes on if it comes back).
  addEventListener("pagehide", (event) => {
    if (!worker) return;
    if (event.persisted) {
      worker.postMessage({ hidden: true });
    } else if (farewell.length > 0) {
      sendFarewell();
      worker.postMessage({ left: true });
    } else {
      worker.postMessage({ leave: true });
    }
  });
})();
