extends GameTrackerClient
## The `GameTracker` autoload: the GDScript API (docs/api.md).
##
## The API (log_info, increment, gauge, histogram, start_span, set_user, …)
## is native: GameTrackerClient's methods are called directly, with no
## GDScript function in between, because each extra script call costs about
## as much as the tracker's own work. Parameters are untyped (Variant) on
## purpose: a wrong type reaches the native side, which warns once and
## carries on, instead of stopping the game with a script error.
##
## Only `init` and the start from Project Settings live here: `init` is
## reserved for the constructor on the native side. The native side calls
## `_send_captured_errors()` and `_send_to_debugger(quitting)` by name: they
## must stay (it warns once at start if one is missing).

const Settings := preload("res://addons/game_tracker/settings.gd")
const ErrorCapture := preload("res://addons/game_tracker/error_capture.gd")
const Overlay := preload("res://addons/game_tracker/overlay.gd")

var _init_called := false
var _error_capture: ErrorCapture
var _overlay: Overlay
## The key that shows and hides the overlay (`overlay_key`), if any.
var _overlay_keycode := KEY_NONE
## The editor's debugger gets the tracker's counters this often (and at quit).
const DEBUGGER_STATS_INTERVAL_MS := 500
## When `get_stats()` last went to the editor's debugger.
var _debugger_stats_msec := -DEBUGGER_STATS_INTERVAL_MS
## At quit, the last message gets this long to leave: Godot's debugger
## connection drops what it has not written when the game exits. Only a game
## run from the editor waits.
const DEBUGGER_QUIT_DRAIN_MS := 150


func _ready() -> void:
	set_process_unhandled_key_input(false)
	# Deferred to the end of the first frame, so an `init` in any `_ready`
	# (the main scene's, typically) comes first and overrides the settings.
	for name in Settings.unknown():
		_warn("Project Setting %s is not one GameTracker reads; it changes nothing (docs/configuration.md lists the settings)" % name)
	var settings := Settings.read()
	if GameTrackerClient.has_destination(settings):
		_start_from_settings.call_deferred(settings)
	# Not `_exit_tree`/`_process`: those are the native class's own.
	tree_exiting.connect(_stop_error_capture)


func _start_from_settings(settings: Dictionary) -> void:
	if not _init_called:
		_configure(settings)


## Starts the tracker with the `game_tracker/config/…` Project Settings,
## `config`'s keys overriding them. docs/configuration.md lists the keys. Returns
## false (after one error naming the bad keys) if the configuration is
## invalid.
func init(config = {}) -> bool:
	_init_called = true
	if not config is Dictionary:
		return configure(config)
	var merged := Settings.read()
	merged.merge(config, true)
	return _configure(merged)


func _configure(config: Dictionary) -> bool:
	var started := configure(config)
	var options := engine_options()
	var key: String = options["overlay_key"]
	_overlay_keycode = OS.find_keycode_from_string(key) if key != "" else KEY_NONE
	set_process_unhandled_key_input(_overlay_keycode != KEY_NONE)
	# Engine and script errors become logs: on by default in debug builds.
	# Run from the editor: its GameTracker debugger tab gets every event.
	# An exported game has no debugger attached and never connects this.
	if started and EngineDebugger.is_active() and not get_tree().process_frame.is_connected(_send_to_debugger):
		_set_debugger_feed(true)
		get_tree().process_frame.connect(_send_to_debugger)
		if not EngineDebugger.has_capture("game_tracker"):
			EngineDebugger.register_message_capture("game_tracker", _on_editor_message)
	if started and options["capture_errors"] and _error_capture == null:
		_error_capture = ErrorCapture.new()
		OS.add_logger(_error_capture)
	return started


## The previous frame's events (and, twice a second, the counters) to the
## editor's debugger tab (addons/game_tracker/debugger/). The native side
## calls it with `quitting` as the node leaves the tree, before the last
## flush.
func _send_to_debugger(quitting := false) -> void:
	var batch: Dictionary = _take_debugger_events(quitting)
	var now := Time.get_ticks_msec()
	var stats = null
	if quitting or now - _debugger_stats_msec >= DEBUGGER_STATS_INTERVAL_MS:
		_debugger_stats_msec = now
		stats = get_stats()
	if batch["records"].is_empty() and batch["overflow"] == 0 and stats == null:
		return
	# The feed's version and what came after it go last, so an editor that
	# reads the first four (one from before the version existed) still finds
	# them where it looks.
	EngineDebugger.send_message("game_tracker:frame",
		[batch["records"], batch["overflow"], stats, get_session_id(), batch["version"], batch["hitches"]])
	if quitting:
		OS.delay_msec(DEBUGGER_QUIT_DRAIN_MS)


## What the editor's tab asks (`game_tracker:…` messages): "export_local"
## writes the local store's whole file beside it, as export-<unix time>.db.
func _on_editor_message(message: String, _data: Array) -> bool:
	if message != "export_local":
		return false
	var store: String = get_stats().get("local_store", {}).get("path", "")
	if store == "":
		_warn("no local store to export (local_store)")
		return true
	export_local(store.get_base_dir().path_join("export-%d.db" % int(Time.get_unix_time_from_system())))
	return true


## Shows (or hides) a small panel over the game with the session, events
## per second, pending events, drops by reason and the last error: for
## testers on devices with no editor. Off by default.
func show_overlay(visible = true) -> void:
	_overlay = Overlay.shown(self, _overlay, visible)


## True while the overlay is shown.
func is_overlay_visible() -> bool:
	return _overlay != null


func _unhandled_key_input(event: InputEvent) -> void:
	if Overlay.toggles(event, _overlay_keycode):
		show_overlay(_overlay == null)


## Called by the native `_process` when the Logger has queued an error
## (see error_capture.gd): nothing runs per frame while there are none.
func _send_captured_errors() -> void:
	if _error_capture != null:
		_error_capture.drain(self)


## How many engine errors were not sent because of a rate limit.
func get_errors_not_sent() -> int:
	return _error_capture.overflowed if _error_capture != null else 0


func _stop_error_capture() -> void:
	if _error_capture != null:
		OS.remove_logger(_error_capture)
		_error_capture = null
