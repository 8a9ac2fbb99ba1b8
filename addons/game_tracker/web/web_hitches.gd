extends RefCounted
## Hitch detection on the Web, as the native `hitch_detector.rs`: each
## frame's wall time, from one of the autoload's `_process` calls to the
## next (it runs after the game's nodes), compared with the threshold. That
## is all a frame that is not a hitch pays. A hitch reads the engine's
## monitors and goes to the worker (`Op.HITCH`), whose core says what ran
## in the frame (docs/hitches.md).

const Op := preload("res://addons/game_tracker/web/handover.gd").Op
## The frame rate assumed when the game sets no `max_fps`: most displays'.
const DEFAULT_TARGET_FPS := 60.0
## `hitch_threshold_ms` 0: this many target frame times, at least
## MIN_AUTO_HITCH_USEC (the core's `HITCH_FACTOR` and `MIN_AUTO_HITCH`,
## which rust/web/tests/replay.rs holds these to).
const HITCH_FACTOR := 2.0
const MIN_AUTO_HITCH_USEC := 33000
## The engine's monitors a hitch carries, and the names it gives them (the
## native `hitch_detector.rs` MONITORS).
const MONITORS := {
	Performance.TIME_PROCESS: "process_time_max_s",
	Performance.TIME_PHYSICS_PROCESS: "physics_time_max_s",
	Performance.RENDER_TOTAL_DRAW_CALLS_IN_FRAME: "draw_calls",
	Performance.OBJECT_COUNT: "objects",
	Performance.OBJECT_NODE_COUNT: "nodes",
	Performance.OBJECT_ORPHAN_NODE_COUNT: "orphan_nodes",
	Performance.MEMORY_STATIC: "static_memory_bytes",
}

## A frame longer than this is a hitch.
var threshold_usec: int
## Whether the frame `frame()` last timed was a hitch (the vitals count it).
var hitch := false
## `capture_hitches`: without it frames are only timed (for the vitals).
var report: bool
## The page's glue: asked, on a frame over the threshold, whether the page
## was hidden in it (a hidden page runs no frames: that is not a hitch).
var _page: Object
## When the last frame's `_process` ran; -1 after a pause.
var _last := -1


## `config`: `init`'s (the worker checks its values; a key that is not a
## number here counts as its default).
func _init(config: Dictionary, page: Object) -> void:
	_page = page
	report = config.get("capture_hitches", true) != false
	var ms = config.get("hitch_threshold_ms", 0)
	if (ms is int or ms is float) and ms > 0:
		threshold_usec = int(ms * 1000.0)
	else:
		var fps: float = Engine.max_fps if Engine.max_fps > 0 else DEFAULT_TARGET_FPS
		threshold_usec = maxi(int(HITCH_FACTOR * 1000000.0 / fps), MIN_AUTO_HITCH_USEC)


## Once a frame, at `now_usec` (`Time.get_ticks_usec()`): the length in µs
## of the frame that just ended, or -1 (the first frame, or the page was
## hidden); a hitch is appended to `calls` when reported.
func frame(now_usec: int, calls: Array) -> int:
	var started := _last
	_last = now_usec
	hitch = false
	if started < 0:
		return -1
	var length := now_usec - started
	if length <= threshold_usec:
		return length
	# Only on a frame already over the threshold: one call to the page.
	if _page != null and _page.hiddenWithin(length / 1000.0):
		return -1
	hitch = true
	if report:
		var monitors := {}
		for monitor in MONITORS:
			monitors[MONITORS[monitor]] = Performance.get_monitor(monitor)
		calls.append_array([Op.HITCH, now_usec, length, threshold_usec, monitors])
	return length


## The app was paused or the tracker stopped: the time until the next
## frame is not a frame.
func forget_last_frame() -> void:
	_last = -1
