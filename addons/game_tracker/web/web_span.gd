extends RefCounted
## `GameTrackerSpan` on the Web (see web_tracker.gd): its ids are drawn
## here when the game starts it, so a game can read them at once
## (`traceparent()` for its own requests); `end()` records the end for
## the frame's hand-over, with the attributes set since the start.

## The autoload that records the end; null for a span of a tracker that
## was not running (every method then answers as an ended span does).
var _tracker: Node
var _trace_id := ""
var _span_id := ""
var _ended := false
## 0 unset, 1 ok, 2 error: the core's `SpanStatus` tags.
var _status := 0
var _status_message := ""
var _attributes := {}


func end() -> void:
	if _ended:
		if _tracker != null:
			_tracker._warn_once("end_twice", "GameTrackerSpan.end() called on a span that already ended; ignored")
		return
	_ended = true
	if _tracker != null:
		_tracker._record(["span_end", _span_id, Time.get_ticks_usec(), _status, _status_message, _attributes])


func set_attribute(key, value) -> void:
	if _ended:
		return
	if key == null:
		_tracker._warn_once("set_attribute_key", "GameTrackerSpan.set_attribute(): key is null; ignored")
		return
	_attributes[str(key)] = value


func set_error(message: String = "") -> void:
	_status = 2
	_status_message = message


func set_ok() -> void:
	_status = 1
	_status_message = ""


func is_ended() -> bool:
	return _ended


func get_trace_id() -> String:
	return _trace_id


func get_span_id() -> String:
	return _span_id


func traceparent() -> String:
	return "00-%s-%s-01" % [_trace_id, _span_id] if _trace_id != "" else ""
