extends Node
## The `GameTracker` autoload on the Web, where no GDExtension loads (any
## Web template works: official or not, threads or not, Extensions Support
## on or off). The export plugin makes this script the autoload of Web
## exports and names it `GameTrackerClient` there (export_plugin.gd).
##
## Each call appends its operation and arguments to the frame's flat list
## and returns: no check, no conversion, no object but a span's (the worker
## checks and converts). Once per frame (in `_process`, after every other
## node's) the list goes to the page's glue as the hex of its
## `var_to_bytes`, in one JavaScriptBridge call, and the glue posts it to a
## Web Worker where the tracker's Rust core runs (handover.gd and
## rust/web/src/replay.rs give the format; docs/web.md draws the path).
## `get_stats()` answers from the worker's last report, a frame or so late.
##
## Same methods, parameters and return types as the native class and the
## autoload's script (tests/godot/test_stand_in.gd checks it).

const Output := preload("res://addons/game_tracker/output.gd")
const Settings := preload("res://addons/game_tracker/settings.gd")
const ErrorCapture := preload("res://addons/game_tracker/error_capture.gd")
const Overlay := preload("res://addons/game_tracker/overlay.gd")
const StatsShape := preload("res://addons/game_tracker/stats_shape.gd")
const Span := preload("res://addons/game_tracker/web/web_span.gd")
const WebFiles := preload("res://addons/game_tracker/web/web_files.gd")
const Vitals := preload("res://addons/game_tracker/web/web_vitals.gd")
const Hitches := preload("res://addons/game_tracker/web/web_hitches.gd")
const Handover := preload("res://addons/game_tracker/web/handover.gd")
const Op := Handover.Op
## After every other node's `_process`, so the frame's last calls go with it.
const PROCESS_PRIORITY := 1 << 30
## The keys that name a receiver: the Web writes no files.
const DESTINATION_KEYS := ["endpoint", "logs_url", "metrics_url", "traces_url"]
const SIGNALS := ["logs", "metrics", "traces"]

## Where the frame's hand-over goes: the glue's `GameTrackerWeb` object in
## a browser, or (tests) any object with `handover(text)` and `stats()`.
var bridge: Object
## This frame's calls, in order, after the header (handover.gd).
var _calls: Array = Handover.header()
## Spans started so far: the next span's number (its id, replay.rs).
var _span_count := 0
## The session's trace-id high half and span-id base (replay.rs), drawn
## once: span ids are `_span_base + n`, readable at once, never drawn per span.
var _trace_high := 0
var _span_base := 0
var _active := false
var _init_called := false
var _options := {"overlay_key": "", "capture_errors": false, "vitals": false, "enabled": true}
## Calls made before `init`, per signal: `not_initialized` in get_stats().
var _not_started := [0, 0, 0]
## Events of frames that could not be encoded, per signal: `invalid`.
var _invalid := [0, 0, 0]
## Warnings already given, by key.
var _warned := {}
## The last report's text and tree.
var _stats_text := ""
var _stats := {}
var _error_capture: ErrorCapture
var _overlay: Overlay
## Frame times, hitches and monitors (`vitals`, on by default).
var _vitals: Vitals
## Times each frame, for the vitals and hitch capture (`capture_hitches`).
var _frames: Hitches
## True while the tracker prints its own warnings (error capture skips them).
static var _printing := false


func _ready() -> void:
	process_mode = Node.PROCESS_MODE_ALWAYS
	process_priority = PROCESS_PRIORITY
	var settings := Settings.read()
	if has_destination(settings):
		_start_from_settings.call_deferred(settings)
	tree_exiting.connect(_stop_error_capture)
	get_tree().scene_changed.connect(_on_scene_changed)


func _start_from_settings(settings: Dictionary) -> void:
	if not _init_called:
		configure(settings)


func _process(_delta: float) -> void:
	if _error_capture != null:
		_error_capture.drain(self)
	if _active and _frames != null:
		var length := _frames.frame(Time.get_ticks_usec(), _calls)
		if length >= 0 and _vitals != null:
			_vitals.frame(length, _frames.hitch, _calls)
	if _calls.size() > Handover.HEADER_SIZE and bridge != null:
		_calls[1] = int(Time.get_unix_time_from_system() * 1000000.0)
		_calls[2] = Time.get_ticks_usec()
		# Godot's binary encoder: the cheapest serializer a frame can call
		# (BENCHMARKS.md); hex, since JavaScriptBridge passes text, not bytes.
		var bytes := var_to_bytes(_calls)
		if bytes.is_empty():
			_lost_unencodable()
		else:
			bridge.handover(bytes.hex_encode())
		_calls.resize(Handover.HEADER_SIZE)


## Sent to the background (a phone's browser): the time until the next
## frame is not a frame. A hidden page is asked by web_hitches.gd.
func _notification(what: int) -> void:
	if what == NOTIFICATION_APPLICATION_PAUSED and _frames != null:
		_frames.forget_last_frame()


## A frame Godot could not encode (a container that holds itself): its
## events are counted as `invalid`, the frame's other calls are lost too.
func _lost_unencodable() -> void:
	var lost: Array = Handover.events_in(_calls)
	for i in SIGNALS.size():
		_invalid[i] += lost[i]
	_warn_once("unencodable", "a frame's calls could not be encoded (a Dictionary or Array that contains itself?); its events dropped (counted in get_stats() as invalid)")


func init(config = {}) -> bool:
	_init_called = true
	if not config is Dictionary:
		return configure(config)
	var merged := Settings.read()
	merged.merge(config, true)
	return configure(merged)


## Starts the tracker in the worker. The worker checks the values and says
## what is wrong in the console; here only the shape is checked: a
## Dictionary of known keys.
func configure(config) -> bool:
	if not config is Dictionary:
		_error("init(): config must be a Dictionary, got %s" % type_string(typeof(config)))
		return false
	var known := {}
	for s in settings_schema():
		known[s["name"]] = true
	var unknown: Array = config.keys().filter(func(k): return not known.is_empty() and not known.has(k))
	if not unknown.is_empty():
		_error("init(): unknown keys %s" % [unknown])
		return false
	if bridge == null and not _connect_page():
		return false
	for key in _options:
		if config.has(key):
			_options[key] = config[key]
	if _span_base == 0:
		# Bit 62 set, so `_span_base + n` stays positive and never zero.
		_span_base = (1 << 62) | ((randi() & 0x3FFFFFFF) << 32) | randi()
		_trace_high = ((randi() & 0x7FFFFFFF) << 32) | randi()
	_calls.append_array([Op.INIT, config, _device(), _trace_high, _span_base])
	_active = _options["enabled"] != false
	var key: String = str(_options["overlay_key"])
	set_process_unhandled_key_input(key != "")
	_vitals = Vitals.new() if _active and _options["vitals"] != false else null
	var hitches: Hitches = Hitches.new(config, bridge) if _active else null
	_frames = hitches if _vitals != null or (hitches != null and hitches.report) else null
	if _active and _options["capture_errors"] != false and _error_capture == null:
		_error_capture = ErrorCapture.new()
		OS.add_logger(_error_capture)
	_on_scene_changed()
	return true


## The page's glue, started once.
func _connect_page() -> bool:
	if not OS.has_feature("web"):
		_error("the Web tracker runs in a browser only")
		return false
	if JavaScriptBridge.get_interface("GameTrackerWeb") == null:
		JavaScriptBridge.eval(FileAccess.get_file_as_string(WebFiles.PAGE_GLUE), true)
	bridge = JavaScriptBridge.get_interface("GameTrackerWeb")
	if bridge == null:
		_error("the page's glue did not start (%s)" % WebFiles.PAGE_GLUE)
	return bridge != null


func set_enabled(enabled: bool) -> void:
	_active = enabled and bridge != null
	if _frames != null:
		_frames.forget_last_frame()
	if bridge != null:
		_calls.append_array([Op.ENABLED, enabled])


func is_active() -> bool:
	return _active


func log_debug(message, data = null) -> void:
	if _active:
		_calls.append_array([Op.LOG_DEBUG, Time.get_ticks_usec(), message, data])
	else:
		_before_init(0)


func log_info(message, data = null) -> void:
	if _active:
		_calls.append_array([Op.LOG_INFO, Time.get_ticks_usec(), message, data])
	else:
		_before_init(0)


func log_warn(message, data = null) -> void:
	if _active:
		_calls.append_array([Op.LOG_WARN, Time.get_ticks_usec(), message, data])
	else:
		_before_init(0)


func log_error(message, data = null) -> void:
	if _active:
		_calls.append_array([Op.LOG_ERROR, Time.get_ticks_usec(), message, data])
	else:
		_before_init(0)


func increment(name, labels = null, amount = 1) -> void:
	if _active:
		_calls.append_array([Op.COUNTER, name, amount, labels])
	else:
		_before_init(1)


func gauge(name, value, labels = null) -> void:
	if _active:
		_calls.append_array([Op.GAUGE, name, value, labels])
	else:
		_before_init(1)


func histogram(name, value, labels = null) -> void:
	if _active:
		_calls.append_array([Op.HISTOGRAM, name, value, labels])
	else:
		_before_init(1)


func start_span(name, attributes = null, parent = null) -> RefCounted:
	var span := Span.new()
	if not _active:
		_before_init(2)
		span._ended = true
		return span
	_span_count += 1
	span._tracker = self
	span._n = _span_count
	if parent is Span and parent._trace != 0:
		span._trace = parent._trace
		_calls.append_array([Op.SPAN_CHILD, Time.get_ticks_usec(), name, attributes, _span_count, parent._n, parent._trace])
	else:
		if parent != null:
			_warn_once("span_parent", "start_span(): parent must be a span returned by start_span() (or null); starting a new trace")
		span._trace = _span_count
		_calls.append_array([Op.SPAN_ROOT, Time.get_ticks_usec(), name, attributes, _span_count])
	return span


## A span's id (`n` its number), as the worker makes it.
func _span_id(n: int) -> String:
	return "%016x" % (_span_base + n)


func _trace_id(trace: int) -> String:
	return "%016x%016x" % [_trace_high, _span_base + trace]


func add_breadcrumb(category, message, data = null) -> void:
	if _active:
		_calls.append_array([Op.BREADCRUMB, Time.get_ticks_usec(), category, message, data])


func set_user(user) -> void:
	if _active:
		_calls.append_array([Op.USER, user])


func set_context(name, context) -> void:
	if _active:
		_calls.append_array([Op.CONTEXT, name, context])


func set_tag(key, value) -> void:
	if _active:
		_calls.append_array([Op.TAG, key, value])


func flush() -> void:
	if _active:
		_calls.append(Op.FLUSH)


## A browser answers requests only between frames: a wait here would
## freeze the page and see no answer. Sends everything and returns at once
## (true once the last report shows nothing pending).
func flush_and_wait(_timeout_sec: float = 2.0) -> bool:
	flush()
	var stats := get_stats()
	return SIGNALS.all(func(s): return stats[s]["pending"] == 0)


## The Web has no local store.
func export_local(_path: String, _since_unix: float = 0.0) -> bool:
	_warn_once("export_local", "export_local(): there is no local store on the Web")
	return false


func shutdown(_timeout_sec: float = 2.0) -> void:
	if _active:
		if _vitals != null:
			_vitals.send(_calls)
			_vitals = null
		_frames = null
		_calls.append(Op.SHUTDOWN)
		_active = false


func get_session_id() -> String:
	return str(get_stats()["session_id"])


static func settings_schema() -> Array:
	if not FileAccess.file_exists(WebFiles.SCHEMA_FILE):
		return []
	var schema = str_to_var(FileAccess.get_file_as_string(WebFiles.SCHEMA_FILE))
	return schema if schema is Array else []


## True when `config` names a receiver (on the Web, events go nowhere else).
static func has_destination(config) -> bool:
	if not config is Dictionary:
		return false
	return DESTINATION_KEYS.any(func(k): return config.get(k) != null and str(config.get(k)) != "")


func engine_options() -> Dictionary:
	return _options.duplicate()


func get_stats() -> Dictionary:
	var text: String = bridge.stats() if bridge != null else ""
	if text != _stats_text or _stats.is_empty():
		_stats_text = text
		var parsed = str_to_var(text) if text != "" else null
		_stats = parsed if parsed is Dictionary else StatsShape.zeros()
	var stats: Dictionary = _stats.duplicate(true)
	for i in SIGNALS.size():
		var s: Dictionary = stats[SIGNALS[i]]
		s["dropped"]["not_initialized"] = _not_started[i]
		s["dropped"]["invalid"] += _invalid[i]
		s["produced"] += _not_started[i] + _invalid[i]
		s["dropped_total"] += _not_started[i] + _invalid[i]
	return stats


func show_overlay(visible = true) -> void:
	_overlay = Overlay.shown(self, _overlay, visible)


func is_overlay_visible() -> bool:
	return _overlay != null


func _unhandled_key_input(event: InputEvent) -> void:
	if Overlay.toggles(event, OS.find_keycode_from_string(str(_options["overlay_key"]))):
		show_overlay(_overlay == null)


func get_errors_not_sent() -> int:
	return _error_capture.overflowed if _error_capture != null else 0


## Error capture's hooks (error_capture.gd names them on GameTrackerClient).
static func _captured_error_waiting() -> void:
	pass


static func _is_printing_own_output() -> bool:
	return _printing


func _on_scene_changed() -> void:
	var scene := get_tree().current_scene if is_inside_tree() else null
	if _active and scene != null:
		var name := scene.scene_file_path if scene.scene_file_path != "" else str(scene.name)
		_calls.append_array([Op.SCENE, name])
		if _vitals != null:
			_vitals.scene = name


func _before_init(signal_index: int) -> void:
	_not_started[signal_index] += 1
	_warn_once("before_init", "a call before a successful init(); event dropped (counted in get_stats() as not_initialized)")


func _warn_once(key: String, message: String) -> void:
	if _warned.has(key):
		return
	_warned[key] = true
	_printing = true
	push_warning(Output.PREFIX + message)
	_printing = false


func _error(message: String) -> void:
	_printing = true
	push_error(Output.PREFIX + message)
	_printing = false


func _stop_error_capture() -> void:
	if _error_capture != null:
		OS.remove_logger(_error_capture)
		_error_capture = null


## The automatic context, read once at `init`.
func _device() -> Dictionary:
	var size := DisplayServer.screen_get_size()
	return {"os": OS.get_name(), "os_version": OS.get_version(), "locale": OS.get_locale(),
		"godot_version": Engine.get_version_info()["string"], "gpu": RenderingServer.get_video_adapter_name(),
		"screen": "%dx%d" % [size.x, size.y]}
