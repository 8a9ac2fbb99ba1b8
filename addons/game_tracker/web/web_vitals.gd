extends RefCounted
## The vitals on the Web, the same metrics with the same names and labels
## as the native ones (rust/gdext/src/vitals.rs): each frame only appends
## its time and compares it with the hitch threshold; once a second that
## second's frame times go as one histogram update (`game_frame_time_ms`,
## milliseconds), with the hitches (`game_hitches_total`) and the engine's
## monitors as gauges, appended to the frame's calls for the hand-over.

const Op := preload("res://addons/game_tracker/web/handover.gd").Op
## How often the vitals are sent (the native `VITALS_INTERVAL_SECONDS`).
const INTERVAL_SEC := 1.0
## A frame longer than this many target frame times is a hitch.
const HITCH_FACTOR := 2.0
## The frame rate assumed when the game sets no `max_fps`: most displays'.
const DEFAULT_TARGET_FPS := 60.0
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
var _hitch_over := HITCH_FACTOR / DEFAULT_TARGET_FPS


func _init() -> void:
	if Engine.max_fps > 0:
		_hitch_over = HITCH_FACTOR / Engine.max_fps


## The per-frame part; once a second the send, into `calls`.
func frame(delta: float, calls: Array) -> void:
	_frame_times.append(delta * 1000.0)
	if delta > _hitch_over:
		_hitches += 1
	_since += delta
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
