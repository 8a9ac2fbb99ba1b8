extends RefCounted
## The Web page's end. A browser stops a hidden tab's frames, and closing
## the tab ends the game without a quit, so the tracker does not wait for
## a next frame there:
## - when the page is hidden (`visibilitychange`), what is queued is sent at
##   once, from the browser's own event;
## - when the page is left for good (`pagehide`, not kept in the back-forward
##   cache), the session ends (`exited`) and its last events are sent;
## - every request to the tracker's receivers is a keepalive fetch, which the
##   browser finishes after the page is gone, as long as the bodies in flight
##   stay within the 64 KiB the Fetch standard allows; a request over that
##   goes as a plain fetch.
## - while the page is visible, a request to a receiver is fetched by a Web
##   Worker, off the game's thread: starting a fetch costs the calling thread
##   about a millisecond in a browser (a frame's whole budget for the
##   tracker), handing the body to a worker and building the answer back a
##   tenth of that. A hidden page's requests go from the page itself, with
##   keepalive, since a worker ends with its page.
## Godot's HTTPClient calls the page's `fetch` for each request; the wrapper
## installed here does both, for the receivers' URLs only, and answers
## Godot with the same kind of `Response` either way.

## What the Fetch standard lets keepalive requests carry in flight, per page.
const KEEPALIVE_QUOTA := 65536
## How long the hidden page's send may hold the browser's event: enough for
## one slice to close every batch and start its requests (no answer comes
## while it runs).
const HIDDEN_SEND_SEC := 0.05

const INSTALL_JS := """
(function (quota) {
	const page = globalThis.gameTrackerPage;
	if (page.installed) return;
	page.installed = true;
	let inFlight = 0;
	let keepaliveWorks = true;
	const plainFetch = globalThis.fetch;
	// By URL, remembered: parsing one costs more than the rest of a request's start.
	const oursByUrl = new Map();
	const ours = (input) => {
		const text = typeof input === 'string' ? input : input.url;
		let known = oursByUrl.get(text);
		if (known === undefined) {
			const url = new URL(text, location.href);
			known = page.receivers.has(url.origin + url.pathname);
			if (oursByUrl.size < 64) oursByUrl.set(text, known);
		}
		return known;
	};
	// The worker fetches and sends back the status, the headers the
	// receiver lets a page read, and the body.
	const WORKER_SOURCE = `onmessage = async (event) => {
		const { id, url, init } = event.data;
		try {
			const response = await fetch(url, init);
			const body = await response.arrayBuffer();
			postMessage({ id, status: response.status, statusText: response.statusText,
				headers: [...response.headers], body }, [body]);
		} catch (error) {
			postMessage({ id, error: String(error) });
		}
	};`;
	const waiting = new Map();
	let nextId = 0;
	let worker = null;
	const dropWorker = (why) => {
		worker = null;
		for (const pending of waiting.values()) pending.reject(new TypeError(why));
		waiting.clear();
	};
	try {
		worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' })));
		worker.onmessage = (event) => {
			const reply = event.data;
			const pending = waiting.get(reply.id);
			if (!pending) return;
			waiting.delete(reply.id);
			if (reply.error !== undefined) {
				pending.reject(new TypeError(reply.error));
				return;
			}
			// Answers that carry no body by definition must be built without one.
			const empty = [101, 103, 204, 205, 304].includes(reply.status);
			pending.resolve(new Response(empty ? null : reply.body,
				{ status: reply.status, statusText: reply.statusText, headers: reply.headers }));
		};
		worker.onerror = () => dropWorker('the fetch worker failed');
	} catch (error) {
		// A page whose policy forbids workers: requests start on the game's thread.
		worker = null;
	}
	const fetchOffThread = (input, init) => new Promise((resolve, reject) => {
		const id = nextId++;
		waiting.set(id, { resolve, reject });
		const url = typeof input === 'string' ? input : input.url;
		const body = init.body;
		// Godot hands over a copy of the body: its buffer moves to the
		// worker instead of being copied again.
		const whole = body && body.buffer instanceof ArrayBuffer && body.byteOffset === 0
			&& body.byteLength === body.buffer.byteLength;
		worker.postMessage({ id, url, init: { method: init.method, headers: init.headers, body } },
			whole ? [body.buffer] : []);
	});
	globalThis.fetch = function (input, init) {
		if (worker && init && document.visibilityState === 'visible' && ours(input)) {
			return fetchOffThread(input, init);
		}
		const size = init && init.body ? (init.body.byteLength || 0) : 0;
		if (!keepaliveWorks || !ours(input) || inFlight + size > quota) {
			return plainFetch.call(this, input, init);
		}
		inFlight += size;
		const settled = () => { inFlight -= size; };
		return plainFetch.call(this, input, Object.assign({}, init, { keepalive: true })).then(
			(response) => { settled(); return response; },
			(error) => {
				settled();
				// A browser that refuses keepalive here (CORS preflight):
				// this request and the later ones go plain.
				keepaliveWorks = false;
				return plainFetch.call(this, input, init);
			});
	};
	document.addEventListener('visibilitychange', () => {
		if (document.visibilityState === 'hidden') page.onHidden();
	});
	globalThis.addEventListener('pagehide', (event) => {
		if (!event.persisted) page.onLeft();
	});
})(%d);
"""

var _tracker: Node
## Kept: the browser calls them.
var _on_hidden: JavaScriptObject
var _on_left: JavaScriptObject


## On the Web, installs the page's listeners and the fetch wrapper once,
## and points the wrapper at `receivers` (URLs without credentials).
func _init(tracker: Node, receivers: PackedStringArray) -> void:
	_tracker = tracker
	_on_hidden = JavaScriptBridge.create_callback(_page_hidden)
	_on_left = JavaScriptBridge.create_callback(_page_left)
	JavaScriptBridge.eval("globalThis.gameTrackerPage = globalThis.gameTrackerPage || {};", true)
	# Untyped: its properties are the page's, unknown to the parser.
	var page = JavaScriptBridge.get_interface("gameTrackerPage")
	page.onHidden = _on_hidden
	page.onLeft = _on_left
	JavaScriptBridge.eval("globalThis.gameTrackerPage.receivers = new Set(%s.map((u) => { const x = new URL(u); return x.origin + x.pathname; }));" % JSON.stringify(receivers), true)
	JavaScriptBridge.eval(INSTALL_JS % KEEPALIVE_QUOTA, true)


func _page_hidden(_args: Array) -> void:
	_tracker.flush_and_wait(HIDDEN_SEND_SEC)


func _page_left(_args: Array) -> void:
	_tracker.shutdown(HIDDEN_SEND_SEC)
