@tool
extends Control
## One session on one time axis, for the GameTracker tab's Timeline page:
## frame time as a line with the hitches marked (frozen frames darker),
## the scenes, log lines by level (errors larger), spans as bars, and the
## session's start and end. Clicking a hitch selects it (`hitch_selected`).
##
## It reads the same event Dictionaries as the rest of the tab (the live
## feed, `GameTrackerFeedReader.read`) or a file's
## (`GameTrackerClient._read_timeline`): logs, spans, metrics (the
## `game_frame_time_ms` updates give one point per frame), scenes, frame
## times and the session's bounds. It keeps the last MAX_* of each.

signal hitch_selected(hitch: Dictionary)

const FRAME_METRIC := "game_frame_time_ms"
const MAX_FRAMES := 36000
const MAX_ITEMS := 5000
const LEVELS := ["debug", "info", "warn", "error"]
const LEVEL_COLORS := {"debug": Color(0.6, 0.6, 0.6), "info": Color(0.55, 0.75, 1.0), "warn": Color(1.0, 0.8, 0.3), "error": Color(1.0, 0.35, 0.35)}
const HITCH_COLOR := Color(1.0, 0.55, 0.2)
const FROZEN_COLOR := Color(0.85, 0.1, 0.25)
const SPAN_COLOR := Color(0.4, 0.7, 1.0)
const SCENE_COLORS := [Color(0.25, 0.35, 0.5, 0.55), Color(0.35, 0.28, 0.5, 0.55)]
## Pixels a click may miss a hitch's marker by.
const CLICK_SLOP := 7.0
const MARGIN := 56.0
const FRAME_LANE_HEIGHT := 90.0
const ROW := 16.0
const MAX_SPAN_ROWS := 6

## [time_ms, frame ms] pairs, in order of arrival.
var frames := PackedFloat64Array()
## {time_ms, start_ms, duration_ms, frozen, scene, spans, logs, breadcrumbs, monitors, trace_id}
var hitches: Array = []
## {time_ms, name}
var scenes: Array = []
## {time_ms, level, message}
var logs: Array = []
## {start_ms, end_ms, name, error}
var spans: Array = []
var session_start_ms := 0.0
var session_end_ms := 0.0
## What the axis shows: from the session's start to its end (or the last event).
var _t0 := 0.0
var _t1 := 1.0
var selected := -1


func _init() -> void:
	custom_minimum_size = Vector2(400, FRAME_LANE_HEIGHT + ROW * (3 + LEVELS.size() + MAX_SPAN_ROWS) + 40)
	size_flags_horizontal = Control.SIZE_EXPAND_FILL
	size_flags_vertical = Control.SIZE_EXPAND_FILL
	mouse_filter = Control.MOUSE_FILTER_STOP


func clear() -> void:
	frames = PackedFloat64Array()
	hitches.clear()
	scenes.clear()
	logs.clear()
	spans.clear()
	session_start_ms = 0.0
	session_end_ms = 0.0
	selected = -1
	queue_redraw()


## The session's bounds, when known (a file's `sessions` row; live, the
## first message and the game's end).
func set_session(started_ms: float, ended_ms: float) -> void:
	session_start_ms = started_ms
	session_end_ms = ended_ms
	queue_redraw()


func add_events(events: Array) -> void:
	for e in events:
		match e.get("type"):
			"log":
				_add_log(e)
			"span":
				if e["name"] != "hitch":
					spans.append({"start_ms": e["start_ms"], "end_ms": e["end_ms"], "name": e["name"], "error": e["error"]})
			"metric":
				if e["name"] == FRAME_METRIC:
					_add_frame_times(e["time_ms"], e["values"])
			"frame_time":
				_add_frame(e["time_ms"], e["ms"])
			"scene":
				scenes.append({"time_ms": e["time_ms"], "name": e["name"]})
	for list in [logs, spans, hitches, scenes]:
		if list.size() > MAX_ITEMS:
			list.assign(list.slice(list.size() - MAX_ITEMS))
	if frames.size() > 2 * MAX_FRAMES:
		frames = frames.slice(frames.size() - 2 * MAX_FRAMES)
	queue_redraw()


## What is shown, for tests and tools.
func summary() -> Dictionary:
	var by_level := {}
	for l in logs:
		by_level[l["level"]] = by_level.get(l["level"], 0) + 1
	return {"frames": frames.size() / 2, "hitches": hitches.duplicate(true), "scenes": scenes.duplicate(true),
		"logs": by_level, "spans": spans.size(), "session": [session_start_ms, session_end_ms]}


func _add_log(e: Dictionary) -> void:
	var data: Dictionary = e.get("data", {})
	if e["message"] == "hitch" and data.has("hitch.duration_ms"):
		var duration: float = data["hitch.duration_ms"]
		hitches.append({"time_ms": e["time_ms"], "start_ms": e["time_ms"] - duration, "duration_ms": duration,
			"frozen": data.get("hitch.frozen", false), "scene": data.get("scene", ""), "spans": data.get("spans", []),
			"logs": data.get("logs", []), "breadcrumbs": data.get("breadcrumbs", []),
			"monitors": data.get("monitors", {}), "trace_id": data.get("trace_id", "")})
		return
	logs.append({"time_ms": e["time_ms"], "level": e["level"], "message": e["message"]})


## One update of the frame-time histogram: the frames of the second before
## `time_ms`, oldest first, each ending where the next began.
func _add_frame_times(time_ms: float, values: PackedFloat64Array) -> void:
	var t := time_ms
	var ends := PackedFloat64Array()
	ends.resize(values.size())
	for i in range(values.size() - 1, -1, -1):
		ends[i] = t
		t -= values[i]
	for i in values.size():
		_add_frame(ends[i], values[i])


func _add_frame(time_ms: float, ms: float) -> void:
	frames.append(time_ms)
	frames.append(ms)


func _bounds() -> void:
	var lo := INF
	var hi := -INF
	for i in range(0, frames.size(), 2):
		lo = min(lo, frames[i] - frames[i + 1])
		hi = max(hi, frames[i])
	for list in [logs, scenes, hitches]:
		for x in list:
			lo = min(lo, x["time_ms"])
			hi = max(hi, x["time_ms"])
	for s in spans:
		lo = min(lo, s["start_ms"])
		hi = max(hi, s["end_ms"])
	if session_start_ms > 0.0:
		lo = min(lo, session_start_ms)
	if session_end_ms > 0.0:
		hi = max(hi, session_end_ms)
	if lo == INF:
		lo = 0.0
		hi = 1.0
	_t0 = lo
	_t1 = max(hi, lo + 1.0)


func _x(time_ms: float) -> float:
	return MARGIN + (size.x - MARGIN - 8.0) * (time_ms - _t0) / (_t1 - _t0)


func _draw() -> void:
	_bounds()
	var font := get_theme_default_font()
	var fs := 11
	var grey := Color(0.65, 0.65, 0.65)
	draw_rect(Rect2(Vector2.ZERO, size), Color(0.11, 0.12, 0.14))
	var y := 4.0
	# The axis: seconds since the start.
	var seconds := (_t1 - _t0) / 1000.0
	var step := 1.0
	for s in [1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0]:
		step = s
		if seconds / s <= 12.0:
			break
	var tick := 0.0
	while tick <= seconds:
		var x := _x(_t0 + tick * 1000.0)
		draw_line(Vector2(x, y + 12), Vector2(x, size.y), Color(1, 1, 1, 0.06))
		draw_string(font, Vector2(x + 2, y + 10), "%ds" % int(tick) if step >= 1.0 else "%.1fs" % tick,
			HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)
		tick += step
	y += 16.0
	# Frame time, with the hitches.
	var lane := Rect2(MARGIN, y, size.x - MARGIN - 8.0, FRAME_LANE_HEIGHT)
	draw_rect(lane, Color(1, 1, 1, 0.03))
	var top := 50.0
	for i in range(1, frames.size(), 2):
		top = max(top, frames[i])
	for h in hitches:
		top = max(top, h["duration_ms"])
	top = min(top * 1.1, 2000.0)
	draw_string(font, Vector2(4, y + 10), "frame", HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)
	draw_string(font, Vector2(4, y + 22), "%d ms" % int(top), HORIZONTAL_ALIGNMENT_LEFT, -1, fs - 1, grey)
	var points := PackedVector2Array()
	for i in range(0, frames.size(), 2):
		points.append(Vector2(_x(frames[i]), lane.end.y - lane.size.y * min(frames[i + 1], top) / top))
	if points.size() >= 2:
		draw_polyline(points, Color(0.5, 0.85, 0.6), 1.0)
	for i in hitches.size():
		var h: Dictionary = hitches[i]
		var color := FROZEN_COLOR if h["frozen"] else HITCH_COLOR
		var x0 := _x(h["start_ms"])
		var x1: float = max(_x(h["time_ms"]), x0 + 2.0)
		draw_rect(Rect2(x0, lane.position.y, x1 - x0, lane.size.y), Color(color, 0.25))
		var x := (x0 + x1) / 2.0
		var tip := Vector2(x, lane.position.y + 9.0)
		draw_colored_polygon(PackedVector2Array([tip + Vector2(-6, -8), tip + Vector2(6, -8), tip]), color)
		if i == selected:
			draw_rect(Rect2(x0 - 2, lane.position.y - 1, x1 - x0 + 4, lane.size.y + 2), Color.WHITE, false, 1.5)
	y += FRAME_LANE_HEIGHT + 6.0
	# Scenes.
	draw_string(font, Vector2(4, y + 12), "scene", HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)
	for i in scenes.size():
		if str(scenes[i]["name"]) == "":
			continue  # before the first scene
		var start := _x(scenes[i]["time_ms"])
		var end := _x(scenes[i + 1]["time_ms"]) if i + 1 < scenes.size() else _x(_t1)
		draw_rect(Rect2(start, y, max(end - start, 1.0), ROW), SCENE_COLORS[i % 2])
		draw_string(font, Vector2(start + 3, y + 12), str(scenes[i]["name"]).get_file(), HORIZONTAL_ALIGNMENT_LEFT,
			max(end - start - 4, 1.0), fs, Color.WHITE)
	y += ROW + 4.0
	# Logs by level, errors larger.
	for level in LEVELS:
		draw_string(font, Vector2(4, y + 12), level, HORIZONTAL_ALIGNMENT_LEFT, -1, fs, LEVEL_COLORS[level])
		for l in logs:
			if l["level"] == level:
				var radius := 4.5 if level == "error" else 2.5
				draw_circle(Vector2(_x(l["time_ms"]), y + ROW / 2.0), radius, LEVEL_COLORS[level])
		y += ROW
	y += 4.0
	# Spans as bars, packed into rows.
	draw_string(font, Vector2(4, y + 12), "spans", HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)
	var row_ends := []
	for s in spans:
		var x0 := _x(s["start_ms"])
		var x1: float = max(_x(s["end_ms"]), x0 + 2.0)
		var row := 0
		while row < row_ends.size() and row_ends[row] > x0:
			row += 1
		if row >= MAX_SPAN_ROWS:
			continue
		if row == row_ends.size():
			row_ends.append(x1)
		else:
			row_ends[row] = x1
		var color := LEVEL_COLORS["error"] if s["error"] else SPAN_COLOR
		var bar := Rect2(x0, y + row * ROW + 2.0, x1 - x0, ROW - 4.0)
		draw_rect(bar, color)
		if bar.size.x > 40.0:
			draw_string(font, bar.position + Vector2(2, 10), s["name"], HORIZONTAL_ALIGNMENT_LEFT, bar.size.x - 4, fs - 1, Color.BLACK)
	# The session's start and end.
	for bound in [session_start_ms, session_end_ms]:
		if bound > 0.0:
			var x := _x(bound)
			draw_line(Vector2(x, 14), Vector2(x, size.y), Color(0.9, 0.9, 0.9, 0.7), 1.0)
	if session_start_ms > 0.0:
		draw_string(font, Vector2(_x(session_start_ms) + 3, size.y - 4), "start", HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)
	if session_end_ms > 0.0:
		draw_string(font, Vector2(_x(session_end_ms) - 26, size.y - 4), "end", HORIZONTAL_ALIGNMENT_LEFT, -1, fs, grey)


func _gui_input(event: InputEvent) -> void:
	if event is InputEventMouseButton and event.pressed and event.button_index == MOUSE_BUTTON_LEFT:
		var index := hitch_at(event.position.x)
		if index >= 0:
			select_hitch(index)
			accept_event()


## The hitch whose marker is at `x` (within CLICK_SLOP), or -1.
func hitch_at(x: float) -> int:
	var best := -1
	var best_distance := CLICK_SLOP
	for i in hitches.size():
		var h: Dictionary = hitches[i]
		var x0 := _x(h["start_ms"])
		var x1: float = max(_x(h["time_ms"]), x0 + 2.0)
		var distance: float = 0.0 if x >= x0 and x <= x1 else min(abs(x - x0), abs(x - x1))
		if distance <= best_distance:
			best = i
			best_distance = distance
	return best


## Where hitch `index`'s marker is drawn (for tests: a click there selects it).
func hitch_position(index: int) -> Vector2:
	_bounds()
	var h: Dictionary = hitches[index]
	return Vector2((_x(h["start_ms"]) + max(_x(h["time_ms"]), _x(h["start_ms"]) + 2.0)) / 2.0, 16.0 + FRAME_LANE_HEIGHT / 2.0)


func select_hitch(index: int) -> void:
	selected = index
	queue_redraw()
	hitch_selected.emit(hitches[index])
