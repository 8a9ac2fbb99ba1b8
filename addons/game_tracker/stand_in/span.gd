extends RefCounted
## The stand-in's span (see game_tracker.gd beside it): `GameTrackerSpan`'s
## methods, each doing nothing, answering as a span of a tracker that is off
## does. An export for a platform with no library registers this script under
## the name `GameTrackerSpan` (export_plugin.gd), so a game's script that
## types a parameter or a variable as `GameTrackerSpan` still parses.


func end() -> void:
	pass


func set_attribute(_key, _value) -> void:
	pass


func set_error(_message: String = "") -> void:
	pass


func set_ok() -> void:
	pass


func is_ended() -> bool:
	return true


func get_trace_id() -> String:
	return ""


func get_span_id() -> String:
	return ""


func traceparent() -> String:
	return ""
