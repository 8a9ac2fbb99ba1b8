// GameTracker's page glue: starts the worker (game_tracker_worker.js, in
// the same folder as this file) and gives the game's autoload
// (web/web_tracker.gd) one object, `GameTrackerWeb`, that it reaches
// through JavaScriptBridge.get_interface:
//   handover(text)  once per frame: the frame's calls, posted to the worker
//   stats()         get_stats() as the worker last reported it (JSON text)
// Nothing else runs on the page's thread. The page's hide and leave
// events go to the worker from here, where they fire.
(function () {
  if (globalThis.GameTrackerWeb) return;
  const here = document.currentScript ? document.currentScript.src : document.baseURI;
  let worker = null;
  let stats = "";

  function start() {
    worker = new Worker(new URL("game_tracker_worker.js", here), { type: "module" });
    worker.onmessage = (event) => {
      if (event.data.stats !== undefined) stats = event.data.stats;
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
  };

  document.addEventListener("visibilitychange", () => {
    if (worker) worker.postMessage({ hidden: document.visibilityState === "hidden" });
  });
  // Leaving for good ends the session as a clean exit; a page kept in the
  // back-forward cache may come back, and only flushes (its worker is
  // frozen with it). A worker may be stopped before it reads this: what it
  // held is sent at the hide that comes first in most cases (switching
  // tabs, a phone's home screen), not at a tab's close (docs/web.md).
  addEventListener("pagehide", (event) => {
    if (worker) worker.postMessage(event.persisted ? { hidden: true } : { leave: true });
  });
})();
