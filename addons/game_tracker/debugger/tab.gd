@tool
extends VBoxContainer
## The "GameTracker" tab of the editor's Debugger panel: the running game's
## logs (level and text filters, each line's data expandable), metrics (value,
## a short history, histogram p50/p95), recent traces as a waterfall, the
## session's timeline (timeline.gd: frame time and hitches, scenes, logs,
## spans; a hitch's context on click; or a local store file opened from the
## page), and the tracker's own health, with its local store (where, how
## big, and a button that has the game export it). It keeps the last MAX_*
## of each, and redraws at most REDRAWS_PER_SECOND times a second however
## fast events arrive.

## The Export button: the game writes its local store's file beside it.
signal export_requested

const Timeline := preload("res://addons/game_tracker/debugger/timeline.gd")

const MAX_LIVE_EVENTS := 20000
const MAX_LOGS := 1000
const MAX_SPANS := 400
const MAX_HISTORY := 60
const MAX_OBSERVATIONS := 1000
const REDRAWS_PER_SECOND := 4
const LEVEL_COLORS := {"debug": Color(0.6, 0.6, 0.6), "info": Color(0.85, 0.9, 1.0), "warn": Color(1.0, 0.8, 0.3), "error": Color(1.0, 0.4, 0.4)}

## The log levels' names, lowest first, as the library names them.
var _levels := GameTrackerClient._level_names()
var logs: Array = []
## Series key → {"name", "labels", "kind", "value", "history", "observations", "count"}.
var series := {}
var spans: Array = []
var stats = null
var session_id := ""
## Events the game could not send us (over its per-frame cap).
var overflow := 0
## What arrived, per signal, since the session started.
var received := {"logs": 0, "metrics": 0, "traces": 0}

var _dirty := false
var _tabs: TabContainer
var _log_tree: Tree
var _level: OptionButton
var _filter: LineEdit
var _log_count: Label
var _metric_tree: Tree
var _waterfall: Control
var _health_tree: Tree
var _health_label: Label
var _store_label: Label
var _export_button: Button
## Shown, above the pages, when the game's feed has another version.
var _version_label: Label
## Reads this run's feed, hitches and scenes included (one per run).
var _reader := GameTrackerFeedReader.new()
var timeline: Timeline
var _timeline_source: Label
## A file's sessions, latest first: pick one to see it (hidden for one).
var _session_picker: OptionButton
## The file on the timeline, and its sessions' ids in the picker's order.
var _file_path := ""
var _file_sessions: Array = []
var _hitch_details: RichTextLabel
var _file_dialog: EditorFileDialog
## Showing a file, not the running game: the live feed is kept meanwhile.
var _showing_file := false
var _live_started_ms := 0.0
var _live_ended_ms := 0.0
## The running game's events, to show again after a file (the last MAX_LIVE_EVENTS).
var _live_events: Array = []


func _init() -> void:
	size_flags_vertical = Control.SIZE_EXPAND_FILL
	custom_minimum_size = Vector2(0, 220)
	_version_label = Label.new()
	_version_label.visible = false
	_version_label.autowrap_mode = TextServer.AUTOWRAP_WORD_SMART
	_version_label.add_theme_color_override("font_color", LEVEL_COLORS["warn"])
	add_child(_version_label)
	_tabs = TabContainer.new()
	_tabs.size_flags_vertical = Control.SIZE_EXPAND_FILL
	add_child(_tabs)
	_tabs.add_child(_make_logs())
	_tabs.add_child(_make_metrics())
	_tabs.add_child(_make_traces())
	_tabs.add_child(_make_timeline())
	_tabs.add_child(_make_health())
	var timer := Timer.new()
	timer.wait_time = 1.0 / REDRAWS_PER_SECOND
	timer.autostart = true
	timer.timeout.connect(_redraw_if_dirty)
	add_child(timer)


## A new run of the game: start empty.
func clear() -> void:
	logs.clear()
	series.clear()
	spans.clear()
	stats = null
	overflow = 0
	received = {"logs": 0, "metrics": 0, "traces": 0}
	_version_label.visible = false
	_reader = GameTrackerFeedReader.new()
	_live_started_ms = 0.0
	_live_ended_ms = 0.0
	_live_events.clear()
	if not _showing_file:
		_show_live()
	_dirty = true


## The game stopped: the live timeline's session ends now.
func session_stopped() -> void:
	_live_ended_ms = Time.get_unix_time_from_system() * 1000.0
	if not _showing_file:
		timeline.set_session(_live_started_ms, _live_ended_ms)


## One `game_tracker:frame` message from the game (game_tracker.gd's
## `_send_to_debugger`): records, events lost, stats or null, session id,
## the feed's version, and the game's hitch settings (its hitches are made
## here as its worker makes them). Records of another version (a game with another
## version of the addon) would be misread, so they are not read at all: the
## tab says which versions differ instead, and shows nothing of that game.
func add_message(data: Array) -> void:
	var ours := GameTrackerClient._debugger_feed_version()
	# A game from before the feed had a version sends four items.
	var theirs = data[4] if data.size() > 4 else null
	if typeof(theirs) != TYPE_INT or theirs != ours:
		_version_label.text = ("This game sends GameTracker's debugger feed in version %s; this editor reads version %d. "
			+ "Its events are not shown: use the same version of the GameTracker addon in the game and in the editor.") % [
			str(theirs) if typeof(theirs) == TYPE_INT else "(none: an older addon)", ours]
		_version_label.visible = true
		return
	if data.size() > 5 and data[5] is Array:
		_reader.use_hitch_settings(data[5])
	add_frame(_reader.read(data[0]), data[1], data[2], data[3])


## One message from the game: the events of a frame, how many it could not
## send, and (twice a second) its `get_stats()`.
func add_frame(events: Array, lost: int, new_stats, session: String) -> void:
	session_id = session
	overflow += lost
	if new_stats != null:
		stats = new_stats
	for e in events:
		# A hitch's line and span: the game's worker made them, no call did.
		var derived: bool = e.get("derived", false)
		match e.get("type"):
			"log":
				received["logs"] += 0 if derived else 1
				logs.append(e)
			"metric":
				received["metrics"] += 1
				_add_metric(e)
			"span":
				received["traces"] += 0 if derived else 1
				spans.append(e)
			"overflow":
				overflow += e["count"]
	if _live_started_ms == 0.0 and not events.is_empty():
		_live_started_ms = Time.get_unix_time_from_system() * 1000.0
		if not _showing_file:
			timeline.set_session(_live_started_ms, 0.0)
	_live_events.append_array(events)
	if _live_events.size() > MAX_LIVE_EVENTS:
		_live_events = _live_events.slice(_live_events.size() - MAX_LIVE_EVENTS)
	if not _showing_file:
		timeline.add_events(events)
	if logs.size() > MAX_LOGS:
		logs = logs.slice(logs.size() - MAX_LOGS)
	if spans.size() > MAX_SPANS:
		spans = spans.slice(spans.size() - MAX_SPANS)
	_dirty = true


## What arrived, for tests and tools: counts per signal, the last stats.
func counts() -> Dictionary:
	return {"received": received.duplicate(), "overflow": overflow, "stats": stats, "session_id": session_id,
		"store": _store_label.text, "export_enabled": not _export_button.disabled,
		"series": series.size(), "logs_kept": logs.size(), "spans_kept": spans.size(),
		"version_message": _version_label.text if _version_label.visible else ""}


## Shows one of the tab's pages: "Logs", "Metrics", "Traces", "Timeline" or "Health".
func show_page(page: String) -> void:
	for i in _tabs.get_tab_count():
		if _tabs.get_tab_title(i) == page:
			_tabs.current_tab = i
	_redraw()


func _add_metric(e: Dictionary) -> void:
	var labels: Dictionary = e.get("labels", {})
	var keys := labels.keys()
	keys.sort()
	var parts := []
	for k in keys:
		parts.append("%s=%s" % [k, labels[k]])
	var key := "%s{%s}" % [e["name"], ",".join(parts)]
	var s: Dictionary = series.get_or_add(key, {"name": e["name"], "labels": ",".join(parts), "kind": e["kind"],
		"value": 0.0, "history": PackedFloat64Array(), "observations": PackedFloat64Array(), "count": 0})
	var values: PackedFloat64Array = e["values"]
	match e["kind"]:
		"counter":
			for v in values:
				s["value"] += v
		"gauge":
			s["value"] = values[values.size() - 1]
		"histogram":
			s["observations"].append_array(values)
			if s["observations"].size() > MAX_OBSERVATIONS:
				s["observations"] = s["observations"].slice(s["observations"].size() - MAX_OBSERVATIONS)
			s["count"] += values.size()
			s["value"] = s["count"]
	s["history"].append(s["value"] if e["kind"] != "histogram" else values[values.size() - 1])
	if s["history"].size() > MAX_HISTORY:
		s["history"] = s["history"].slice(1)


# --- pages ---------------------------------------------------------------

func _make_logs() -> Control:
	var page := VBoxContainer.new()
	page.name = "Logs"
	var bar := HBoxContainer.new()
	_level = OptionButton.new()
	# Item i shows level i and those above it.
	_level.add_item("all levels")
	for level in _levels.slice(1):
		_level.add_item("%s and up" % level)
	_level.item_selected.connect(func(_i): _dirty = true)
	bar.add_child(_level)
	_filter = LineEdit.new()
	_filter.placeholder_text = "Filter messages and data"
	_filter.size_flags_horizontal = Control.SIZE_EXPAND_FILL
	_filter.text_changed.connect(func(_t): _dirty = true)
	bar.add_child(_filter)
	_log_count = Label.new()
	bar.add_child(_log_count)
	page.add_child(bar)
	_log_tree = _make_tree(["time", "level", "message"])
	_log_tree.set_column_expand(0, false)
	_log_tree.set_column_custom_minimum_width(0, 130)
	_log_tree.set_column_expand(1, false)
	_log_tree.set_column_custom_minimum_width(1, 60)
	page.add_child(_log_tree)
	return page


func _make_metrics() -> Control:
	_metric_tree = _make_tree(["series", "kind", "value / count", "history", "p50 / p95"])
	_metric_tree.name = "Metrics"
	_metric_tree.set_column_expand_ratio(0, 3)
	_metric_tree.set_column_custom_minimum_width(3, 160)
	return _metric_tree


func _make_traces() -> Control:
	var scroll := ScrollContainer.new()
	scroll.name = "Traces"
	_waterfall = Control.new()
	_waterfall.size_flags_horizontal = Control.SIZE_EXPAND_FILL
	_waterfall.draw.connect(_draw_waterfall)
	scroll.add_child(_waterfall)
	return scroll


func _make_timeline() -> Control:
	var page := VBoxContainer.new()
	page.name = "Timeline"
	var bar := HBoxContainer.new()
	var open := Button.new()
	open.text = "Open a local store file…"
	open.tooltip_text = "telemetry.db, a player's export or a merged file: its latest session, or pick another (or drop one here from the FileSystem dock)"
	open.pressed.connect(_choose_file)
	bar.add_child(open)
	var live := Button.new()
	live.text = "Running game"
	live.pressed.connect(_show_live)
	bar.add_child(live)
	_session_picker = OptionButton.new()
	_session_picker.tooltip_text = "The file's sessions, latest first: when, how long, how it ended, its version, its hitches"
	_session_picker.visible = false
	_session_picker.item_selected.connect(func(i): open_file(_file_path, _file_sessions[i]))
	bar.add_child(_session_picker)
	_timeline_source = Label.new()
	_timeline_source.size_flags_horizontal = Control.SIZE_EXPAND_FILL
	_timeline_source.clip_text = true
	bar.add_child(_timeline_source)
	page.add_child(bar)
	var split := VSplitContainer.new()
	split.size_flags_vertical = Control.SIZE_EXPAND_FILL
	timeline = Timeline.new()
	timeline.hitch_selected.connect(_show_hitch)
	split.add_child(timeline)
	_hitch_details = RichTextLabel.new()
	_hitch_details.custom_minimum_size = Vector2(0, 70)
	_hitch_details.selection_enabled = true
	_hitch_details.bbcode_enabled = true
	_hitch_details.text = "Click a hitch (▼) to see what ran in its frame."
	split.add_child(_hitch_details)
	page.add_child(split)
	page.set_drag_forwarding(Callable(), _can_drop_file, _drop_file)
	return page


## The running game's session on the timeline (what the feed brought).
func _show_live() -> void:
	_showing_file = false
	_session_picker.visible = false
	_timeline_source.text = "the running game" + ((" · session " + session_id) if session_id != "" else "")
	timeline.clear()
	timeline.set_session(_live_started_ms, _live_ended_ms)
	timeline.add_events(_live_events)


func _choose_file() -> void:
	if _file_dialog == null:
		_file_dialog = EditorFileDialog.new()
		_file_dialog.file_mode = EditorFileDialog.FILE_MODE_OPEN_FILE
		_file_dialog.access = EditorFileDialog.ACCESS_FILESYSTEM
		_file_dialog.add_filter("*.db", "GameTracker local store")
		_file_dialog.file_selected.connect(open_file)
		add_child(_file_dialog)
	_file_dialog.popup_file_dialog()


## Shows a session of a local store file (`session_id` "": its latest),
## and lists the file's sessions to pick from; returns the error, or "".
func open_file(path: String, session_id := "") -> String:
	var result: Dictionary = GameTrackerClient._read_timeline(ProjectSettings.globalize_path(path), session_id)
	if result["error"] != "":
		_timeline_source.text = result["error"]
		return result["error"]
	_showing_file = true
	_file_path = path
	var session: Dictionary = result["session"]
	timeline.clear()
	timeline.set_session(session["started_ms"], session["ended_ms"])
	timeline.add_events(result["events"])
	_list_sessions(result["session_list"], session["id"], result["sessions"])
	_timeline_source.text = "%s · session %s (%s)" % [path.get_file(), session["id"], session["status"]]
	show_page("Timeline")
	return ""


## The picker: one line per session of the file, the one shown selected.
func _list_sessions(sessions: Array, shown: String, count: int) -> void:
	_session_picker.clear()
	_file_sessions = sessions.map(func(s): return s["id"])
	for s in sessions:
		_session_picker.add_item(_session_line(s))
	if count > sessions.size():
		_session_picker.add_separator("%d older sessions not listed" % (count - sessions.size()))
	_session_picker.select(_file_sessions.find(shown))
	_session_picker.visible = count > 1


## "2026-12-07 14:03 · 12 min · crashed · v1.2 · 3 hitches", in local time.
static func _session_line(s: Dictionary) -> String:
	var local_offset: int = Time.get_time_zone_from_system()["bias"] * 60
	var started := Time.get_datetime_string_from_unix_time(int(s["started_ms"] / 1000.0) + local_offset, true)
	var parts := [started.substr(0, 16)]
	if s["ended_ms"] > 0.0:
		var minutes: float = (s["ended_ms"] - s["started_ms"]) / 60000.0
		parts.append("%d min" % roundi(minutes) if minutes >= 1.0 else "%d s" % roundi(minutes * 60.0))
	parts.append(s["status"])
	if s["version"] != "":
		parts.append("v" + s["version"])
	parts.append("%d hitch%s" % [s["hitches"], "" if s["hitches"] == 1 else "es"])
	return " · ".join(parts)


func _can_drop_file(_at: Vector2, data: Variant) -> bool:
	return data is Dictionary and data.get("type") == "files" and not data["files"].is_empty() \
		and str(data["files"][0]).ends_with(".db")


func _drop_file(_at: Vector2, data: Variant) -> void:
	open_file(data["files"][0])


func _show_hitch(h: Dictionary) -> void:
	var text := "[b]%s%.1f ms[/b] in %s · trace %s\n" % ["frozen frame · " if h["frozen"] else "hitch · ",
		h["duration_ms"], h["scene"], h["trace_id"]]
	var spans_text := []
	for s in h["spans"]:
		spans_text.append("%s %.1f ms%s" % [s["name"], s["duration_ms"], " (open)" if s["open"] else ""])
	text += "spans: %s\n" % (", ".join(spans_text) if not spans_text.is_empty() else "none")
	for l in h["logs"]:
		text += "[color=#%s]%s[/color] %s\n" % [LEVEL_COLORS.get(l["level"], Color.WHITE).to_html(false), l["level"], l["message"]]
	for c in h["breadcrumbs"]:
		text += "breadcrumb %s: %s\n" % [c["category"], c["message"]]
	var monitors := []
	for m in h["monitors"]:
		monitors.append("%s %s" % [m, _number(h["monitors"][m])])
	if not monitors.is_empty():
		text += "monitors: " + ", ".join(monitors)
	_hitch_details.text = text


func _make_health() -> Control:
	var page := VBoxContainer.new()
	page.name = "Health"
	_health_label = Label.new()
	page.add_child(_health_label)
	var store := HBoxContainer.new()
	_store_label = Label.new()
	_store_label.size_flags_horizontal = Control.SIZE_EXPAND_FILL
	_store_label.autowrap_mode = TextServer.AUTOWRAP_WORD_SMART
	store.add_child(_store_label)
	_export_button = Button.new()
	_export_button.text = "Export the local store"
	_export_button.tooltip_text = "The game writes its telemetry.db's rows into export-<time>.db beside it"
	_export_button.disabled = true
	_export_button.pressed.connect(func(): export_requested.emit())
	store.add_child(_export_button)
	page.add_child(store)
	_health_tree = _make_tree(["signal", "produced", "sent", "pending", "dropped", "last error"])
	page.add_child(_health_tree)
	return page


## A table with these column titles, filling the page.
func _make_tree(titles: Array) -> Tree:
	var tree := Tree.new()
	tree.size_flags_vertical = Control.SIZE_EXPAND_FILL
	tree.columns = titles.size()
	tree.hide_root = true
	tree.column_titles_visible = true
	for i in titles.size():
		tree.set_column_title(i, titles[i])
	return tree


# --- drawing -------------------------------------------------------------

func _redraw_if_dirty() -> void:
	if _dirty and is_visible_in_tree():
		_redraw()


func _redraw() -> void:
	_dirty = false
	_fill_logs()
	_fill_metrics()
	_fill_health()
	_waterfall.queue_redraw()


func _fill_logs() -> void:
	_log_tree.clear()
	var root := _log_tree.create_item()
	var min_level: int = _level.selected
	var needle := _filter.text.to_lower()
	var shown := 0
	for i in range(logs.size() - 1, -1, -1):
		var e: Dictionary = logs[i]
		if _levels.find(e["level"]) < min_level:
			continue
		var data_text := JSON.stringify(e["data"])
		if needle != "" and not (e["message"].to_lower().contains(needle) or data_text.to_lower().contains(needle)):
			continue
		var item := _log_tree.create_item(root)
		item.set_text(0, Time.get_time_string_from_unix_time(int(e["time_ms"] / 1000.0)) + ".%03d" % (int(e["time_ms"]) % 1000))
		item.set_text(1, e["level"])
		item.set_custom_color(1, LEVEL_COLORS.get(e["level"], Color.WHITE))
		item.set_text(2, e["message"])
		var data: Dictionary = e["data"]
		for key in data:
			var child := _log_tree.create_item(item)
			child.set_text(2, "%s = %s" % [key, JSON.stringify(data[key]) if data[key] is Dictionary or data[key] is Array else str(data[key])])
		item.collapsed = true
		shown += 1
		if shown >= 300:
			break
	_log_count.text = "%d of %d kept · %d received" % [shown, logs.size(), received["logs"]]


func _fill_metrics() -> void:
	_metric_tree.clear()
	var root := _metric_tree.create_item()
	var keys := series.keys()
	keys.sort()
	for key in keys:
		var s: Dictionary = series[key]
		var item := _metric_tree.create_item(root)
		item.set_text(0, s["name"] + ("  {" + s["labels"] + "}" if s["labels"] != "" else ""))
		item.set_text(1, s["kind"])
		item.set_text(2, _number(s["value"]))
		item.set_cell_mode(3, TreeItem.CELL_MODE_CUSTOM)
		item.set_custom_draw_callback(3, _draw_history.bind(s["history"]))
		if s["kind"] == "histogram":
			var sorted: PackedFloat64Array = s["observations"].duplicate()
			sorted.sort()
			item.set_text(4, "%s / %s" % [_number(_quantile(sorted, 0.5)), _number(_quantile(sorted, 0.95))])


func _fill_health() -> void:
	_health_tree.clear()
	var root := _health_tree.create_item()
	_health_label.text = "session %s · received %d logs, %d metric updates, %d spans%s" % [session_id, received["logs"],
		received["metrics"], received["traces"], (" · %d not sent to the editor (over its per-frame cap)" % overflow) if overflow > 0 else ""]
	if stats == null:
		return
	_fill_store(stats.get("local_store", {}))
	var queue: Dictionary = stats.get("queue", {})
	if not queue.is_empty():
		_health_label.text += "\nqueue to the worker: %d of %d events, %d of %d KiB (%.0f %% full)" % [queue["events"],
			queue["capacity"], queue["bytes"] / 1024, queue["max_bytes"] / 1024,
			100.0 * max(float(queue["events"]) / max(queue["capacity"], 1), float(queue["bytes"]) / max(queue["max_bytes"], 1))]
	for signal_name in ["logs", "metrics", "traces"]:
		var s: Dictionary = stats.get(signal_name, {})
		var item := _health_tree.create_item(root)
		item.set_text(0, signal_name)
		item.set_text(1, str(s.get("produced", 0)))
		item.set_text(2, str(s.get("sent", 0)))
		item.set_text(3, str(s.get("pending", 0)))
		var reasons := []
		var dropped: Dictionary = s.get("dropped", {})
		for reason in dropped:
			if dropped[reason] > 0:
				reasons.append("%s %d" % [reason, dropped[reason]])
		item.set_text(4, ", ".join(reasons) if not reasons.is_empty() else "0")
		item.set_text(5, s.get("last_error", ""))
		if s.get("dropped_total", 0) > 0:
			item.set_custom_color(4, LEVEL_COLORS["warn"])


func _fill_store(store: Dictionary) -> void:
	var path: String = store.get("path", "")
	_export_button.disabled = path == ""
	if path == "":
		_store_label.text = "local store: off (local_store)"
		return
	var lost := 0
	for reason in store.get("rows_lost", {}):
		lost += store["rows_lost"][reason]
	_store_label.text = "local store: %s · %.1f MiB · %d rows written%s" % [path, store.get("file_bytes", 0) / 1048576.0,
		store.get("rows_written", 0), (" · %d lost" % lost) if lost > 0 else ""]
	var export: Dictionary = store.get("last_export", {})
	if not export.is_empty():
		_store_label.text += "\nlast export: " + (("%s, %d rows" % [export["path"], export["rows"]]) if export["error"] == "" else export["error"])


func _draw_history(item: TreeItem, rect: Rect2, history: PackedFloat64Array) -> void:
	if history.size() < 2:
		return
	var lo := history[0]
	var hi := history[0]
	for v in history:
		lo = min(lo, v)
		hi = max(hi, v)
	var span: float = max(hi - lo, 1e-9)
	var points := PackedVector2Array()
	for i in history.size():
		var x := rect.position.x + 4 + (rect.size.x - 8) * i / float(history.size() - 1)
		var y := rect.position.y + rect.size.y - 3 - (rect.size.y - 6) * (history[i] - lo) / span
		points.append(Vector2(x, y))
	_metric_tree.draw_polyline(points, Color(0.45, 0.75, 1.0), 1.5, true)


func _draw_waterfall() -> void:
	var font := get_theme_default_font()
	var font_size := 13
	var row := 20.0
	var label_width := 220.0
	var width := _waterfall.size.x
	# The last traces, newest first, each as a block of its spans.
	var traces := {}
	var order := []
	for i in range(spans.size() - 1, -1, -1):
		var s: Dictionary = spans[i]
		if not traces.has(s["trace_id"]):
			if order.size() >= 8:
				continue
			traces[s["trace_id"]] = []
			order.append(s["trace_id"])
		traces[s["trace_id"]].append(s)
	var y := 4.0
	for trace_id in order:
		var list: Array = traces[trace_id]
		list.sort_custom(func(a, b): return a["start_ms"] < b["start_ms"])
		var t0: float = list[0]["start_ms"]
		var t1: float = t0
		var depth := {}
		for s in list:
			t1 = max(t1, s["end_ms"])
		for s in list:
			depth[s["span_id"]] = depth.get(s["parent_id"], -1) + 1
		var scale: float = (width - label_width - 70.0) / max(t1 - t0, 0.001)
		_waterfall.draw_string(font, Vector2(4, y + 14), "trace %s… · %d spans · %.1f ms" % [trace_id.substr(0, 8), list.size(), t1 - t0],
			HORIZONTAL_ALIGNMENT_LEFT, -1, font_size, Color(0.7, 0.7, 0.7))
		y += row
		for s in list:
			var indent: float = 12.0 * depth[s["span_id"]]
			var error: bool = s["error"]
			var color := Color(1.0, 0.4, 0.4) if error else Color(0.4, 0.7, 1.0)
			_waterfall.draw_string(font, Vector2(8 + indent, y + 14), ("✖ " if error else "") + s["name"],
				HORIZONTAL_ALIGNMENT_LEFT, label_width - indent - 8, font_size, color if error else Color(0.9, 0.9, 0.9))
			var x: float = label_width + (s["start_ms"] - t0) * scale
			var w: float = max((s["end_ms"] - s["start_ms"]) * scale, 2.0)
			_waterfall.draw_rect(Rect2(x, y + 3, w, row - 6), color)
			_waterfall.draw_string(font, Vector2(x + w + 4, y + 14), "%.2f ms" % (s["end_ms"] - s["start_ms"]),
				HORIZONTAL_ALIGNMENT_LEFT, -1, font_size - 2, Color(0.7, 0.7, 0.7))
			y += row
		y += row / 2
	_waterfall.custom_minimum_size = Vector2(0, y)


static func _quantile(sorted: PackedFloat64Array, q: float) -> float:
	if sorted.is_empty():
		return 0.0
	return sorted[mini(int(sorted.size() * q), sorted.size() - 1)]


static func _number(v: float) -> String:
	return str(int(v)) if v == floor(v) and abs(v) < 1e15 else "%.3f" % v
