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
## Godot's HTTPClient calls the page's `fetch` for each request; a wrapper
## installed here adds `keepalive` for the receivers' URLs.

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
	const ours = (input) => {
		const url = new URL(typeof input === 'string' ? input : input.url, location.href);
		return page.receivers.has(url.origin + url.pathname);
	};
	globalThis.fetch = function (input, init) {
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
