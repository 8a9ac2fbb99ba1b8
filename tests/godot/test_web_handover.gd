extends RefCounted
## The Web's autoload (addons/game_tracker/web/web_tracker.gd) in native
## Godot, with a recording stand-in for the page's glue: each frame's calls
## reach the glue in one hand-over at the end of that frame, in the order
## they were made, in the format the worker reads (rust/web/src/replay.rs);
## a frame with no calls hands nothing over; get_stats() answers from the
## glue's last report with the native keys.

const WebTracker := preload("res://addons/game_tracker/web/web_tracker.gd")
const WebSpan := preload("res://addons/game_tracker/web/web_span.gd")
const Vitals := preload("res://addons/game_tracker/web/web_vitals.gd")


## What the page's `GameTrackerWeb` object offers the autoload.
class RecordingGlue:
	var frames: Array = []
	var report := ""

	func handover(text: String) -> void:
		frames.append([Engine.get_process_frames(), text])

	func stats() -> String:
		return report


func run(t) -> void:
	var glue := RecordingGlue.new()
	var web: Node = WebTracker.new()
	web.bridge = glue
	GameTracker.get_tree().root.add_child.call_deferred(web)
	await web.ready

	web.log_info("before init")
	t.eq(web.get_stats()["logs"]["dropped"]["not_initialized"], 1, "a call before init is counted")
	# The vitals are checked on their own below: here a frame holds only the test's calls.
	t.eq(web.init({"endpoint": "http://127.0.0.1:9/", "capture_errors": false, "vitals": false}), true, "init")
	t.eq(web.is_active(), true, "active")

	# Frame 1: the calls of one frame (after init's own hand-over).
	await GameTracker.get_tree().process_frame
	await GameTracker.get_tree().process_frame
	t.eq(JSON.parse_string(glue.frames[0][1])["calls"].map(func(c): return c[0]), ["init", "scene"], "init and the current scene")
	glue.frames.clear()
	var frame := Engine.get_process_frames()
	web.log_info("hello", {"a": 1})
	web.increment("kills", {"weapon": "sword"})
	web.gauge("health", 2.5)
	var span = web.start_span("level", {"n": 1})
	var child = web.start_span("child", null, span)
	web.add_breadcrumb("ui", "clicked", {"button": "play"})
	web.set_tag("region", "eu")
	await GameTracker.get_tree().process_frame
	t.eq(glue.frames.size(), 1, "one hand-over for the frame")
	t.eq(glue.frames[0][0], frame, "handed over in the frame of the calls")
	var handed: Dictionary = JSON.parse_string(glue.frames[0][1])
	t.eq(handed.keys(), ["clock", "calls"], "the hand-over's keys")
	var calls: Array = handed["calls"]
	t.eq(calls.map(func(c): return c[0]), ["log", "metric", "metric", "span_start", "span_start", "breadcrumb", "tag"],
		"the frame's calls, in order")
	t.eq([calls[0][1], calls[0][3], calls[0][4]], [1.0, "hello", {"a": 1.0}], "log: level info, message, data")
	t.check(calls[0][2] is float and calls[0][2] > 0, "log: the time of the call")
	t.eq(calls[1].slice(1), [0.0, "kills", 1.0, {"weapon": "sword"}], "increment: counter, name, amount, labels")
	t.eq(calls[2].slice(1), [1.0, "health", 2.5, null], "gauge")
	t.eq(span.get_trace_id().length(), 32, "a trace id at once")
	t.eq(span.get_span_id().length(), 16, "a span id at once")
	t.eq(calls[3].slice(2), ["level", {"n": 1.0}, span.get_trace_id(), span.get_span_id(), null], "span_start")
	t.eq(calls[4].slice(4), [span.get_trace_id(), child.get_span_id(), span.get_span_id()], "a child: the parent's trace")
	t.eq(span.traceparent(), "00-%s-%s-01" % [span.get_trace_id(), span.get_span_id()], "traceparent")

	# Frame 2: nothing called, nothing handed over.
	await GameTracker.get_tree().process_frame
	t.eq(glue.frames.size(), 1, "no hand-over for a frame with no calls")

	# Frame 3: the ends, with what was set on the spans.
	child.set_attribute("k", "v")
	child.set_error("nope")
	child.end()
	span.end()
	span.end()
	await GameTracker.get_tree().process_frame
	t.eq(glue.frames.size(), 2, "the next hand-over")
	calls = JSON.parse_string(glue.frames[1][1])["calls"]
	t.eq(calls.map(func(c): return [c[0], c[1]]), [["span_end", child.get_span_id()], ["span_end", span.get_span_id()]],
		"each span ended once")
	t.eq(calls[0].slice(3), [2.0, "nope", {"k": "v"}], "status error, its message, the attributes")
	t.check(calls[0][2] >= JSON.parse_string(glue.frames[0][1])["calls"][4][1], "ends after it started")

	# Each frame with calls: one hand-over, however many calls.
	var before: int = glue.frames.size()
	for i in 5:
		for j in i + 1:
			web.log_debug("burst %d.%d" % [i, j])
		await GameTracker.get_tree().process_frame
	t.eq(glue.frames.size() - before, 5, "five frames, five hand-overs")
	t.eq(glue.frames.slice(before).map(func(f): return JSON.parse_string(f[1])["calls"].size()), [1, 2, 3, 4, 5],
		"each with that frame's calls")

	# get_stats(): the worker's report, with the native keys.
	var native_shape = t.shape(GameTracker.get_stats())
	t.eq(t.shape(web.get_stats()), native_shape, "before a report: the native keys")
	glue.report = JSON.stringify(_with_session(GameTracker.get_stats(), "abc"))
	t.eq(web.get_session_id(), "abc", "the session from the report")
	t.eq(t.shape(web.get_stats()), native_shape, "a report read back: the native keys and types")
	t.eq(web.get_stats()["logs"]["dropped"]["not_initialized"], 1, "the page's own count added")

	_check_vitals(t)

	web.shutdown()
	web.log_info("after shutdown")
	await GameTracker.get_tree().process_frame
	t.eq(JSON.parse_string(glue.frames[-1][1])["calls"].map(func(c): return c[0]), ["shutdown"], "shutdown, then nothing")
	web.queue_free()


## The vitals: a second of frames at 60 fps, one of them a hitch, makes one
## histogram update of every frame time, the hitch count and the monitors,
## all labelled with the scene; nothing before the second is up.
func _check_vitals(t) -> void:
	var vitals := Vitals.new()
	vitals.scene = "res://level.tscn"
	var calls := []
	for i in 50:
		vitals.frame(0.05 if i == 10 else 1.0 / 60.0, calls)
	t.eq(calls, [], "nothing before a second is up")
	for i in 10:
		vitals.frame(1.0 / 60.0, calls)
	var names: Array = calls.map(func(c): return c[1] if c[0] == "samples" else c[2])
	t.eq(names, ["game_frame_time_ms", "game_hitches_total", "game_fps", "game_memory_static_bytes",
		"game_video_memory_bytes", "game_draw_calls", "game_objects"], "the native vitals' names")
	t.check(calls[0][2].size() == 58 and is_equal_approx(calls[0][2][10], 50.0), "every frame's time, in ms: %s" % [calls[0][2]])
	t.eq(calls[1].slice(3), [1, {"scene": "res://level.tscn"}], "one hitch, labelled with the scene")


func _with_session(stats: Dictionary, id: String) -> Dictionary:
	stats["session_id"] = id
	return stats
