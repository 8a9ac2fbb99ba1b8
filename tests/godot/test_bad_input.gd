extends RefCounted
## Wrong types, nulls, nested and recursive containers, NaN/INF, huge strings
## and invalid names: every call returns, nothing crashes, the tracker keeps
## working and every event is accounted for.


## A key whose text is script: the tracker must not run it (it reads the
## Dictionary in place, and script could change it under the reader).
class ScriptedText:
	extends RefCounted
	var calls := 0

	func _to_string() -> String:
		calls += 1
		push_error("a key's _to_string ran while GameTracker read its Dictionary")
		return "scripted"


func run(t) -> void:
	t.eq(GameTracker.init("not a dictionary"), false, "init with a String is refused")
	t.eq(GameTracker.init({"endpoint": 42}), false, "init with a bad endpoint type is refused")
	t.eq(GameTracker.init({"endpoint": "not a url"}), false, "init with an unparsable URL is refused")
	t.eq(GameTracker.init({"unknown_key": true}), false, "init with an unknown key is refused")
	t.eq(GameTracker.is_active(), false, "bad config leaves the tracker inert")
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "bad-input", "flush_interval": 60.0}), true, "a good init still works")

	var nested := {}
	var cursor := nested
	for i in 30:
		cursor["level"] = {"depth": i}
		cursor = cursor["level"]
	var recursive := {"name": "loop"}
	recursive["self"] = recursive
	var recursive_array := [1]
	recursive_array.append(recursive_array)
	var node := Node.new()
	var freed := Node.new()
	freed.free()
	# Half of max_request_bytes (1 MiB): a line alone over it is dropped as
	# too_large (rust/core/tests/request_cap.rs), this one arrives whole.
	var huge := "x".repeat(512 * 1024)

	# Logs: 12 calls, all sent (bad arguments are converted, not dropped).
	GameTracker.log_info(42)
	GameTracker.log_info(null)
	GameTracker.log_info("data is a string", "oops")
	GameTracker.log_info("data is an array", [1, 2, 3])
	GameTracker.log_info("nested", nested)
	GameTracker.log_info("recursive", recursive)
	GameTracker.log_info("recursive array", {"a": recursive_array})
	GameTracker.log_info("non-finite", {"nan": NAN, "inf": INF, "ninf": -INF})
	GameTracker.log_info("objects", {"node": node, "freed": freed, "vec": Vector2(1, 2), "color": Color.RED})
	GameTracker.log_info(huge)
	var scripted := ScriptedText.new()
	GameTracker.log_warn("typed", {1: "int key", Vector2i(1, 1): "vector key", [1, 2]: "plain array key",
		scripted: "object key", [scripted]: "array key", {"k": scripted}: "dictionary key"})
	t.eq(scripted.calls, 0, "no key's _to_string ran")
	GameTracker.log_error("packed", {"bytes": PackedByteArray([1, 2]), "ints": PackedInt32Array([3])})

	# Metrics: 6 valid (two after sanitising the name), 8 invalid (counted as dropped/invalid).
	GameTracker.increment(null)
	GameTracker.increment(42)
	GameTracker.increment("")
	GameTracker.increment("bad amount", {}, "five")
	GameTracker.increment("negative", {}, -3)
	GameTracker.gauge("gauge_string", "high")
	GameTracker.gauge("gauge_nan", NAN)
	GameTracker.histogram("hist_inf", INF)
	GameTracker.increment("!!!")
	GameTracker.increment("labels are a string", "oops")
	GameTracker.increment("bad-name.with dots", {"bad label": "x", "": "empty", "ok": recursive})
	var many := {}
	for i in 40:
		many["label_%d" % i] = i
	GameTracker.gauge("many_labels", 1, many)
	GameTracker.histogram("hist_ok", 3)
	GameTracker.gauge("float_from_int", 7)

	# Spans: 4 started and ended.
	var s1 := GameTracker.start_span(null)
	s1.end()
	s1.end()
	var s2 := GameTracker.start_span("bad attrs", 5, "not a span")
	s2.set_attribute(null, 1)
	s2.set_attribute("nested", nested)
	s2.end()
	var s3 := GameTracker.start_span("node parent", {}, node)
	s3.end()
	var s4 := GameTracker.start_span("recursive attrs", recursive)
	s4.end()

	# Context with bad input.
	GameTracker.set_user(5)
	GameTracker.set_user(null)
	GameTracker.set_context(null, {})
	GameTracker.set_context("ctx", recursive)
	GameTracker.set_tag(null, 1)
	GameTracker.set_tag("dict tag", {"a": 1})
	GameTracker.log_info("after bad context")

	GameTracker.flush_and_wait(NAN)
	GameTracker.flush_and_wait(-1)
	GameTracker.flush_and_wait(INF)
	t.eq(GameTracker.flush_and_wait(10.0), true, "flush_and_wait answers")
	var stats: Dictionary = GameTracker.get_stats()
	t.eq(GameTracker.is_active(), true, "still active")
	t.eq(stats["logs"]["produced"], 13, "13 logs produced")
	t.eq(stats["logs"]["sent"], 13, "13 logs sent")
	t.eq(stats["metrics"]["dropped"]["invalid"], 8, "invalid metric calls counted")
	t.eq(stats["metrics"]["sent"], 6, "valid metric updates sent (names sanitised)")
	t.eq(stats["traces"]["sent"], 4, "4 spans sent")
	t.check_accounting(stats, "after bad input")
	node.free()

	# A span outliving its tracker: ending it does nothing, and as a parent
	# it still links the next tracker's span into its trace.
	var orphan := GameTracker.start_span("orphan")
	var orphan_ids := [orphan.get_trace_id(), orphan.get_span_id()]
	GameTracker.shutdown(1.0)
	orphan.end()
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "bad-input", "flush_interval": 60.0}), true, "init after shutdown")
	var adopted := GameTracker.start_span("adopted", {}, orphan)
	t.eq(adopted.get_trace_id(), orphan_ids[0], "the old span's trace goes on")
	adopted.end()
	print("bad-input orphan %s %s" % orphan_ids)
	t.eq(GameTracker.flush_and_wait(10.0), true, "the new tracker sends")
	t.eq(GameTracker.get_stats()["traces"]["sent"], 1, "only the adopted span is sent")
