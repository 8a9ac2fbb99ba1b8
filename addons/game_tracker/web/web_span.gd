extends RefCounted
## `GameTrackerSpan` on the Web (see web_tracker.gd): a number in the
## page's session, from which the worker and this object make the same ids
## (rust/web/src/replay.rs), so a game can read them at once (`traceparent()`
## for its own requests) and nothing is drawn per span. `end()` records the
## end for the frame's hand-over, with what was set since the start.

const Op := preload("res://addons/game_tracker/web/handover.gd").Op

## The autoload that records the end; null for a span of a tracker that
## was not running (every method then answers as an ended span does).
var _tracker: Node
## Its number, and its trace's (the number of the trace's first span).
var _n := 0
var _trace := 0
var _ended := false
## [status, message, attributes] once set_attribute, set_error or set_ok
## was called; status 0 unset, 1 ok, 2 error (the core's `SpanStatus` tags).
var _details = null


func end() -> void:
	if _ended:
		if _tracker != null:
			_tracker._warn_once("end_twice", "GameTrackerSpan.end() called on a span that already ended; ignored")
		return
	_ended = true
	if _tracker == null:
		return
	if _details == null:
		_tracker._calls.append_array([Op.SPAN_END, _n, Time.get_ticks_usec()])
	else:
		_tracker._calls.append_array([Op.SPAN_END_WITH, _n, Time.get_ticks_usec(), _details[0], _details[1], _details[2]])


func set_attribute(key, value) -> void:
	if _ended:
		return
	if key == null:
		_tracker._warn_once("set_attribute_key", "GameTrackerSpan.set_attribute(): key is null; ignored")
		return
	_set_details()[2][str(key)] = value


func set_error(message: String = "") -> void:
	var details := _set_details()
	details[0] = 2
	details[1] = message


func set_ok() -> void:
	var details := _set_details()
	details[0] = 1
	details[1] = ""


func _set_details() -> Array:
	if _details == null:
		_details = [0, "", {}]
	return _details


func is_ended() -> bool:
	return _ended


func get_trace_id() -> String:
	return _tracker._trace_id(_trace) if _tracker != null else ""


func get_span_id() -> String:
	return _tracker._span_id(_n) if _tracker != null else ""


func traceparent() -> String:
	return "00-%s-%s-01" % [get_trace_id(), get_span_id()] if _tracker != null else ""
