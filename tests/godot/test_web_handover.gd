extends RefCounted
## The Web's autoload (addons/game_tracker/web/web_tracker.gd) in native
## Godot, with a recording stand-in for the page's glue: each frame's calls
## reach the glue in one hand-over at the end of that frame, in the order
## they were made, in the format the worker reads (handover.gd,
## rust/web/src/replay.rs): hex of `var_to_bytes`, read back here with
## Godot's own `bytes_to_var`; a frame with no calls hands nothing over;
## get_stats() answers from the glue's last report with the native keys.
## Hitches: a frame over the threshold goes with its length and monitors,
## unless the page was hidden in it.

const WebTracker := preload("res://addons/game_tracker/web/web_tracker.gd")
const WebSpan := preload("res://addons/game_tracker/web/web_span.gd")
const Vitals := preload("res://addons/game_tracker/web/web_vitals.gd")
const Hitches := preload("res://addons/game_tracker/web/web_hitches.gd")
const Handover := preload("res://addons/game_tracker/web/handover.gd")
const Op := Handover.Op


## What the page's `GameTrackerWeb` object offers the autoload.
class RecordingGlue:
	var frames: Array = []
	var report := ""
	## What `hiddenWithin` answers, and what it was asked.
	var hidden := false
	var asked: Array = []

	func handover(text: String) -> void:
		frames.append([Engine.get_process_frames(), text])

	func stats() -> String:
		return report

	func hiddenWithin(ms: float) -> bool:
		asked.append(ms)
		return hidden


func run(t) -> void:
	var glue := RecordingGlue.new()
	var web: Node = WebTracker.new()
	web.bridge = glue
	GameTracker.get_tree().root.add_child.call_deferred(web)
	await web.ready

	web.log_info("before init")
	t.eq(web.get_stats()["logs"]["dropped"]["not_initialized"], 1, "a call before init is counted")
	# The vitals and hitches are checked on their own below: here a frame
	# holds only the test's calls, however long a busy machine makes it.
	t.eq(web.init({"endpoint": "http://127.0.0.1:9/", "capture_errors": false, "vitals": false,
		"capture_hitches": false}), true, "init")
	t.eq(web.is_active(), true, "active")

	# Frame 1: the calls of one frame (after init's own hand-over).
	await GameTracker.get_tree().process_frame
	await GameTracker.get_tree().process_frame
	t.eq(_calls(glue.frames[0][1]).map(func(c): return c[0]), [Op.INIT, Op.SCENE], "init and the current scene")
	var init_call: Array = _calls(glue.frames[0][1])[0]
	t.check(init_call[3] is int and init_call[4] >= 1 << 62, "init: the session's id halves")
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
	var handed: Array = bytes_to_var(glue.frames[0][1].hex_decode())
	t.eq(handed[0], Handover.FORMAT, "the hand-over's format first")
	t.check(abs(handed[1] / 1000000.0 - Time.get_unix_time_from_system()) < 5.0 and handed[2] <= Time.get_ticks_usec(),
		"then the page's two clocks")
	var calls: Array = _calls(glue.frames[0][1])
	t.eq(calls.map(func(c): return c[0]), [Op.LOG_INFO, Op.COUNTER, Op.GAUGE, Op.SPAN_ROOT, Op.SPAN_CHILD, Op.BREADCRUMB, Op.TAG],
		"the frame's calls, in order")
	t.eq([calls[0][2], calls[0][3]], ["hello", {"a": 1}], "log: message, data")
	t.check(calls[0][1] is int and calls[0][1] > 0 and calls[0][1] <= handed[2], "log: the time of the call")
	t.eq(calls[1].slice(1), ["kills", 1, {"weapon": "sword"}], "increment: name, amount, labels")
	t.eq(calls[2].slice(1), ["health", 2.5, null], "gauge")
	t.eq(span.get_trace_id().length(), 32, "a trace id at once")
	t.eq(span.get_span_id().length(), 16, "a span id at once")
	t.check(span.get_span_id() != child.get_span_id(), "each span its id")
	t.eq(calls[3].slice(2), ["level", {"n": 1}, span._n], "a root span: name, attributes, its number")
	t.eq(calls[4].slice(2), ["child", null, child._n, span._n, span._n], "a child: its parent's number and trace")
	t.eq(child.get_trace_id(), span.get_trace_id(), "a child: the parent's trace")
	t.eq(span.get_trace_id().substr(16), span.get_span_id(), "a trace's id ends with its first span's")
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
	calls = _calls(glue.frames[1][1])
	t.eq(calls.map(func(c): return [c[0], c[1]]), [[Op.SPAN_END_WITH, child._n], [Op.SPAN_END, span._n]],
		"each span ended once; what was set only where it was")
	t.eq(calls[0].slice(3), [2, "nope", {"k": "v"}], "status error, its message, the attributes")
	t.check(calls[0][2] >= _calls(glue.frames[0][1])[4][1], "ends after it started")

	# Each frame with calls: one hand-over, however many calls.
	var before: int = glue.frames.size()
	for i in 5:
		for j in i + 1:
			web.log_debug("burst %d.%d" % [i, j])
		await GameTracker.get_tree().process_frame
	t.eq(glue.frames.size() - before, 5, "five frames, five hand-overs")
	t.eq(glue.frames.slice(before).map(func(f): return _calls(f[1]).size()), [1, 2, 3, 4, 5],
		"each with that frame's calls")

	# A frame Godot cannot encode (a Dictionary holding itself: var_to_bytes
	# gives nothing, after a thousand lines of engine errors, so it is not
	# made here): its events counted as invalid, by signal.
	web.log_warn("loop", {})
	web.increment("loops")
	web.start_span("loop").end()
	web._lost_unencodable()
	web._calls.resize(Handover.HEADER_SIZE)
	var invalid: Array = ["logs", "metrics", "traces"].map(func(s): return web.get_stats()[s]["dropped"]["invalid"])
	t.eq(invalid, [1, 1, 1], "an unencodable frame's events counted as invalid")

	# get_stats(): the worker's report, with the native keys.
	var native_shape = t.shape(GameTracker.get_stats())
	t.eq(t.shape(web.get_stats()), native_shape, "before a report: the native keys")
	glue.report = JSON.stringify(_with_session(GameTracker.get_stats(), "abc"))
	t.eq(web.get_session_id(), "abc", "the session from the report")
	t.eq(t.shape(web.get_stats()), native_shape, "a report read back: the native keys and types")
	t.eq(web.get_stats()["logs"]["dropped"]["not_initialized"], 1, "the page's own count added")

	_check_vitals(t)
	_check_hitches(t)

	web.shutdown()
	web.log_info("after shutdown")
	await GameTracker.get_tree().process_frame
	t.eq(_calls(glue.frames[-1][1]).map(func(c): return c[0]), [Op.SHUTDOWN], "shutdown, then nothing")
	web.queue_free()
	await _check_a_real_hitch(t)


## A frame that stalls in real frames: its hand-over holds the frame's
## calls, then the hitch, with the frame's length.
func _check_a_real_hitch(t) -> void:
	var glue := RecordingGlue.new()
	var web: Node = WebTracker.new()
	web.bridge = glue
	GameTracker.get_tree().root.add_child.call_deferred(web)
	await web.ready
	web.init({"endpoint": "http://127.0.0.1:9/", "capture_errors": false, "vitals": false,
		"capture_hitches": true, "hitch_threshold_ms": 50})
	await GameTracker.get_tree().process_frame
	web.log_info("loading")
	OS.delay_msec(120)
	await GameTracker.get_tree().process_frame
	var with_log: Array = glue.frames.map(func(f): return _calls(f[1])).filter(
		func(calls): return calls.any(func(c): return c[0] == Op.LOG_INFO))
	t.eq(with_log.size(), 1, "the stalled frame handed over")
	var ops: Array = with_log[0].map(func(c): return c[0])
	t.eq(ops.slice(ops.find(Op.LOG_INFO)), [Op.LOG_INFO, Op.HITCH], "the frame's calls, then its hitch")
	var hitch: Array = with_log[0][-1]
	t.check(hitch[2] >= 120000 and hitch[3] == 50000, "the frame's length and the threshold, in µs: %s" % [hitch])
	t.check(hitch[1] >= with_log[0][0][1], "ends after the frame's calls")
	t.check(glue.asked.has(hitch[2] / 1000.0), "the page asked whether it was hidden in that frame: %s" % [glue.asked])
	web.shutdown()
	web.queue_free()


## Hitch detection: a frame over the threshold is a hitch with the
## monitors, the page is asked only then, a hidden page's frame is no
## frame, and without `capture_hitches` frames are only timed.
func _check_hitches(t) -> void:
	var glue := RecordingGlue.new()
	var hitches := Hitches.new({"hitch_threshold_ms": 40}, glue)
	var calls := []
	t.eq(hitches.frame(1000000, calls), -1, "the first frame has no length")
	t.eq(hitches.frame(1016000, calls), 16000, "a frame's length in µs")
	t.eq([calls, glue.asked, hitches.hitch], [[], [], false], "under the threshold: nothing sent, the page not asked")
	t.eq([hitches.frame(1066000, calls), hitches.hitch], [50000, true], "a hitch's length")
	t.eq(calls.slice(0, 4), [Op.HITCH, 1066000, 50000, 40000], "a hitch: its end, length and threshold")
	t.eq(calls[4].keys(), ["process_time_max_s", "physics_time_max_s", "draw_calls", "objects", "nodes",
		"orphan_nodes", "static_memory_bytes"], "and the native monitors")
	t.check(calls[4]["objects"] > 0, "read now: %s" % [calls[4]])
	t.eq(glue.asked, [50.0], "the page asked whether it was hidden in the frame")
	calls.clear()
	glue.hidden = true
	t.eq(hitches.frame(1266000, calls), -1, "a frame the page was hidden in is no frame")
	t.eq(calls, [], "and no hitch")
	glue.hidden = false
	hitches.forget_last_frame()
	t.eq(hitches.frame(2000000, calls), -1, "after a pause the next frame starts afresh")

	var quiet := Hitches.new({"capture_hitches": false}, glue)
	quiet.frame(0, calls)
	t.eq([quiet.frame(100000, calls), quiet.hitch], [100000, true], "capture_hitches off: still timed, a hitch for the vitals")
	t.eq(calls, [], "and not sent")
	var max_fps := Engine.max_fps
	Engine.max_fps = 0
	t.eq(Hitches.new({}, glue).threshold_usec, 33333, "by default two frames of 60 Hz")
	Engine.max_fps = 144
	t.eq(Hitches.new({}, glue).threshold_usec, Hitches.MIN_AUTO_HITCH_USEC, "at least 33 ms")
	Engine.max_fps = 30
	t.eq(Hitches.new({"hitch_threshold_ms": "x"}, glue).threshold_usec, 66666, "two frames of max_fps")
	Engine.max_fps = max_fps


## The vitals: a second of frames at 60 fps, one of them a hitch, makes one
## histogram update of every frame time, the hitch count and the monitors,
## all labelled with the scene; nothing before the second is up.
func _check_vitals(t) -> void:
	var vitals := Vitals.new()
	vitals.scene = "res://level.tscn"
	var calls := []
	for i in 50:
		vitals.frame(50000 if i == 10 else 16667, i == 10, calls)
	t.eq(calls, [], "nothing before a second is up")
	for i in 10:
		vitals.frame(16667, false, calls)
	calls = _split(calls)
	var names: Array = calls.map(func(c): return c[1])
	t.eq(names, ["game_frame_time_ms", "game_hitches_total", "game_fps", "game_memory_static_bytes",
		"game_video_memory_bytes", "game_draw_calls", "game_objects"], "the native vitals' names")
	t.eq(calls.map(func(c): return c[0]), [Op.SAMPLES, Op.COUNTER, Op.GAUGE, Op.GAUGE, Op.GAUGE, Op.GAUGE, Op.GAUGE],
		"a histogram of samples, a counter, gauges")
	t.check(calls[0][2].size() == 58 and is_equal_approx(calls[0][2][10], 50.0), "every frame's time, in ms: %s" % [calls[0][2]])
	t.eq(calls[1].slice(2), [1, {"scene": "res://level.tscn"}], "one hitch, labelled with the scene")


## A hand-over's calls, each as [op, fields...] (the header left out).
func _calls(text: String) -> Array:
	var items: Array = bytes_to_var(text.hex_decode())
	return _split(items.slice(Handover.HEADER_SIZE))


## A flat list of calls, each as [op, fields...].
func _split(items: Array) -> Array:
	var calls := []
	var i := 0
	while i < items.size():
		var n: int = Handover.FIELDS[items[i]]
		calls.append(items.slice(i, i + 1 + n))
		i += 1 + n
	return calls


func _with_session(stats: Dictionary, id: String) -> Dictionary:
	stats["session_id"] = id
	return stats
