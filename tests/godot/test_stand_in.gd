extends RefCounted
## The stand-in (addons/game_tracker/stand_in/), which exports for a platform
## with no library get instead of the native tracker, has the API a game
## calls: every public method of the native GameTrackerClient and of the
## autoload's script, with the same parameters, defaults, return types and
## static-ness; its span has GameTrackerSpan's; its get_stats() has the
## native tracker's keys. Every call answers and does nothing.

const Output := preload("res://addons/game_tracker/output.gd")
const StandIn := preload("res://addons/game_tracker/stand_in/game_tracker.gd")
const STAND_IN_SPAN_PATH := "res://addons/game_tracker/stand_in/span.gd"
const StandInSpan := preload(STAND_IN_SPAN_PATH)
const Autoload := preload("res://addons/game_tracker/game_tracker.gd")
const WebAutoload := preload("res://addons/game_tracker/web/web_tracker.gd")
const WEB_SPAN_PATH := "res://addons/game_tracker/web/web_span.gd"
const WebSpan := preload(WEB_SPAN_PATH)


func run(t) -> void:
	var expected := _native_methods("GameTrackerClient")
	expected.merge(_script_methods(Autoload))
	_compare(t, _script_methods(StandIn), expected, "the stand-in autoload")
	_compare(t, _script_methods(StandInSpan), _native_methods("GameTrackerSpan"), "the stand-in span")
	# The Web's autoload and span, which Web exports get: the same API.
	_compare(t, _script_methods(WebAutoload), expected, "the Web autoload")
	_compare(t, _script_methods(WebSpan), _native_methods("GameTrackerSpan"), "the Web span")
	t.eq(Output.PREFIX, GameTrackerClient._output_prefix(), "the scripts' lines start as the library's")

	var stand_in: Node = StandIn.new()
	GameTracker.get_tree().root.add_child.call_deferred(stand_in)
	await stand_in.ready
	var stats: Dictionary = stand_in.get_stats()
	t.eq(t.shape(stats.duplicate(true)).erase("disabled_reason"), true, "get_stats() says why it is off")
	var without_reason := stats.duplicate(true)
	without_reason.erase("disabled_reason")
	t.eq(t.shape(without_reason), t.shape(GameTracker.get_stats()), "get_stats() has the native keys, nested")
	# The native tree has the same keys in every state: a tracker that was
	# never started answers with the running one's.
	var never_started := GameTrackerClient.new()
	t.eq(t.shape(never_started.get_stats()), t.shape(GameTracker.get_stats()), "the native keys do not depend on the state")
	never_started.free()
	t.eq(stats["active"], false, "inactive")
	t.check(str(stats["disabled_reason"]).contains("no library for this platform"), "the reason: %s" % stats["disabled_reason"])

	t.eq(stand_in.init({"endpoint": t.endpoint()}), true, "init answers as for a valid configuration")
	t.eq(stand_in.is_active(), false, "and nothing runs")
	stand_in.log_info("hello", {"a": 1})
	stand_in.increment("kills", {"weapon": "sword"})
	stand_in.gauge("health", 3)
	stand_in.histogram("load_ms", 12.5)
	var span = stand_in.start_span("level", {"n": 1})
	var child = stand_in.start_span("child", {}, span)
	child.set_attribute("k", "v")
	child.set_error("nope")
	child.end()
	span.end()
	t.eq(span.get_script(), StandInSpan, "start_span returns the stand-in span")
	t.eq([span.is_ended(), span.get_trace_id(), span.traceparent()], [true, "", ""], "a span of a tracker that is off")
	t.eq(stand_in.flush_and_wait(1.0), true, "nothing to wait for")
	t.eq(stand_in.get_stats()["logs"]["produced"], 0, "nothing counted")
	stand_in.shutdown()
	stand_in.queue_free()


## Each public method: name → [parameter names, parameter types, defaults,
## return type and class, static].
func _native_methods(native_class: String) -> Dictionary:
	var out := {}
	for m in ClassDB.class_get_method_list(native_class, true):
		if not m["name"].begins_with("_"):
			out[m["name"]] = _signature(m)
	return out


func _script_methods(script: Script) -> Dictionary:
	var out := {}
	for m in script.get_script_method_list():
		if not m["name"].begins_with("_"):
			out[m["name"]] = _signature(m)
	return out


func _signature(m: Dictionary) -> Array:
	var names := []
	var types := []
	for a in m["args"]:
		names.append(a["name"].trim_prefix("_"))
		types.append(type_string(a["type"]))
	var returned: Dictionary = m["return"]
	var return_class: String = returned["class_name"]
	# The stand-in span stands for the native span.
	if return_class in [STAND_IN_SPAN_PATH, WEB_SPAN_PATH, "RefCounted"]:
		return_class = "GameTrackerSpan"
	return [names, types, m["default_args"], type_string(returned["type"]), return_class,
		bool(m["flags"] & METHOD_FLAG_STATIC)]


func _compare(t, actual: Dictionary, expected: Dictionary, what: String) -> void:
	for name in expected:
		t.eq(actual.get(name), expected[name], "%s: %s" % [what, name])
	for name in actual:
		t.check(expected.has(name), "%s: %s is not in the native API" % [what, name])
