extends Node
## The `GameTracker` autoload where GameTracker has no library for the
## platform (32-bit desktops, Android arm32 and Windows on arm64, unless one is
## built for them): the same methods with the same parameters and return
## types, each doing nothing, so the game runs unchanged. One line at start
## says why; `get_stats()` reports the tracker inactive, with the reason.
##
## An export for a platform that no `[libraries]` entry of
## game_tracker.gdextension covers uses this script as the autoload
## (export_plugin.gd). tests/tests/stand_in.rs checks that the methods here
## are exactly the native class's and the autoload's.

const Output := preload("res://addons/game_tracker/output.gd")
const Span := preload("res://addons/game_tracker/stand_in/span.gd")
const StatsShape := preload("res://addons/game_tracker/stats_shape.gd")

## Why there is no tracker here, as `get_stats()["disabled_reason"]` gives it.
var disabled_reason := ""
## The one span every `start_span` returns: a tracker that does nothing
## allocates nothing.
var _span := Span.new()


func _ready() -> void:
	disabled_reason = "no library for this platform (%s, %s) in game_tracker.gdextension: every call does nothing" \
		% [OS.get_name(), Engine.get_architecture_name()]
	print(Output.PREFIX, disabled_reason)


## True, as for a valid configuration, so the game goes on as it would
## with the tracker; `is_active()` stays false.
func init(_config = {}) -> bool:
	return true


func configure(_config) -> bool:
	return true


func set_enabled(_enabled: bool) -> void:
	pass


func is_active() -> bool:
	return false


func log_debug(_message, _data = null) -> void:
	pass


func log_info(_message, _data = null) -> void:
	pass


func log_warn(_message, _data = null) -> void:
	pass


func log_error(_message, _data = null) -> void:
	pass


func increment(_name, _labels = null, _amount = 1) -> void:
	pass


func gauge(_name, _value, _labels = null) -> void:
	pass


func histogram(_name, _value, _labels = null) -> void:
	pass


## Typed as the span's base class: in the editor, where the export runs,
## `GameTrackerSpan` is the native class, and a game's function that takes
## one must accept what this returns.
func start_span(_name, _attributes = null, _parent = null) -> RefCounted:
	return _span


func add_breadcrumb(_category, _message, _data = null) -> void:
	pass


func set_user(_user) -> void:
	pass


func set_context(_name, _context) -> void:
	pass


func set_tag(_key, _value) -> void:
	pass


func flush() -> void:
	pass


func flush_and_wait(_timeout_sec: float = 2.0) -> bool:
	return true


func export_local(_path: String, _since_unix: float = 0.0) -> bool:
	return false


func shutdown(_timeout_sec: float = 2.0) -> void:
	pass


func get_session_id() -> String:
	return ""


static func settings_schema() -> Array:
	return []


static func has_destination(_config) -> bool:
	return false


func engine_options() -> Dictionary:
	return {"overlay_key": "", "capture_errors": false, "vitals": false, "enabled": false}


## The native tracker's keys, as they read before `init`.
func get_stats() -> Dictionary:
	var stats := StatsShape.zeros()
	stats["disabled_reason"] = disabled_reason
	return stats


func show_overlay(_visible = true) -> void:
	pass


func is_overlay_visible() -> bool:
	return false


func get_errors_not_sent() -> int:
	return 0
