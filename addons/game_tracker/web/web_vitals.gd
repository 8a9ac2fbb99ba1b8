extends RefCounted
## The vitals on the Web, the same metrics with the same names and labels
## as the native ones (rust/gdext/src/vitals.rs): each frame only appends
## its time (wall time, timed by web_hitches.gd) and counts it if it was a
## hitch; once a second that second's frame times go as one histogram
## update (`game_frame_time_ms`, milliseconds), with the hitches
## (`game_hitches_total`) and the engine's monitors as gauges, appended to
## the frame's calls for the hand-over.

const Op := preload("res://addons/game_tracker/web/handover.gd").Op
## How often the vitals are sent (the native `VITALS_INTERVAL_SECONDS`).
const INTERVAL_SEC := 1.0
## The engine's monitors sent as gauges.
const MONITORS := {
	Performance.TIME_FPS: "game_fps",
	Performance.MEMORY_STATIC: "game_memory_static_bytes",
	Performance.RENDER_VIDEO_MEM_USED: "game_video_memory_bytes",
	Performance.RENDER_TOTAL_DRAW_CALLS_IN_FRAME: "game_draw_calls",
	Performance.OBJECT_COUNT: "game_objects",
}

## The current scene, as every vital's label.
var scene := ""
var _frame_times: Array[float] = []
var _hitches := 0
var _since := 0.0


## The per-frame part, for a frame of `length_usec` over the hitch
## threshold or not; once a second the send, into `calls`.
func frame(length_usec: int, hitch: bool, calls: Array) -> void:
	_frame_times.append(length_usec / 1000.0)
	if hitch:
		_hitches += 1
	_since += length_usec / 1000000.0
	if _since >= INTERVAL_SEC:
		send(calls)


## What was gathered, and the monitors, now (also before the session ends).
func send(calls: Array) -> void:
	if _frame_times.is_empty():
		return
	var labels := {"scene": scene}
	calls.append_array([Op.SAMPLES, "game_frame_time_ms", _frame_times, labels])
	calls.append_array([Op.COUNTER, "game_hitches_total", _hitches, labels])
	for monitor in MONITORS:
		calls.append_array([Op.GAUGE, MONITORS[monitor], Performance.get_monitor(monitor), labels])
	_frame_times = []
	_hitches = 0
	_since = 0.0
