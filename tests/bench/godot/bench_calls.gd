extends RefCounted
## Main-thread cost of each API call: `calls` calls in a tight loop, `runs`
## times, for three implementations side by side in one process:
## - floor: GameTrackerBenchFloor, native methods with the same arguments
##   that do nothing (what any native call from GDScript costs);
## - addon: the GameTracker autoload, as a game calls it;
## - gdscript: GDTracker, the pure-GDScript tracker (gdscript_tracker.gd).
## Arguments are built once, outside the timed loop: building them is the
## game's cost whichever tracker it uses. Between runs both trackers send
## what they queued (not timed), so no run measures a full queue.

const IMPLS := ["floor", "addon", "gdscript"]
const CASES := ["log_info", "increment", "gauge", "histogram", "span", "child_span", "set_tag"]

var message := "enemy_killed"
var data := {"enemy": "goblin", "weapon": "sword", "damage": 42}
var labels := {"level": "forest"}
var no_labels := {}
var floor_impl := GameTrackerBenchFloor.new()
var addon_parent
var gd_parent


func run(r) -> void:
	var calls: int = r.option("calls", 200000)
	var runs: int = r.option("runs", 5)
	# Queues hold a whole run, so drops never make a call look cheap.
	GameTracker.init({"endpoint": r.option("endpoint", ""), "game": "bench", "queue_capacity": calls * 2,
		"max_queue_bytes": 1 << 30, "max_backlog_bytes": 1 << 30, "flush_interval": 1.0, "batch_size": 5000})
	GDTracker.init({"endpoint": r.option("endpoint", ""), "game": "bench", "max_queue": calls * 2})
	addon_parent = GameTracker.start_span("parent")
	gd_parent = GDTracker.start_span("parent")
	var cases: Array = Array(r.option("cases", ",".join(CASES)).split(","))
	var impls: Array = Array(r.option("impls", ",".join(IMPLS)).split(","))
	for case in cases:
		var samples := {"floor": [], "addon": [], "gdscript": []}
		var dropped_before := _addon_dropped()
		for i in runs:
			for impl in impls:
				var t0 := Time.get_ticks_usec()
				_loop(case, impl, calls)
				samples[impl].append(float(Time.get_ticks_usec() - t0) * 1000.0 / calls)
				await _settle()
		var result := {"kind": "call", "call": case, "calls": calls, "runs": runs,
			"addon_dropped": _addon_dropped() - dropped_before}
		for impl in impls:
			result[impl + "_ns"] = _median(samples[impl])
			result[impl + "_runs_ns"] = samples[impl]
		r.report(result)
	addon_parent.end()
	GameTracker.flush_and_wait(30.0)


func _addon_dropped() -> int:
	var stats: Dictionary = GameTracker.get_stats()
	return stats.logs.dropped_total + stats.metrics.dropped_total + stats.traces.dropped_total


func _loop(case: String, impl: String, n: int) -> void:
	match [case, impl]:
		["log_info", "floor"]:
			for i in n: floor_impl.log_info(message, data)
		["log_info", "addon"]:
			for i in n: GameTracker.log_info(message, data)
		["log_info", "gdscript"]:
			for i in n: GDTracker.log_info(message, data)
		["increment", "floor"]:
			for i in n: floor_impl.increment("enemies_killed", labels, 1)
		["increment", "addon"]:
			for i in n: GameTracker.increment("enemies_killed", labels)
		["increment", "gdscript"]:
			for i in n: GDTracker.increment("enemies_killed", labels)
		["gauge", "floor"]:
			for i in n: floor_impl.gauge("fps", 59.5, null)
		["gauge", "addon"]:
			for i in n: GameTracker.gauge("fps", 59.5)
		["gauge", "gdscript"]:
			for i in n: GDTracker.gauge("fps", 59.5)
		["histogram", "floor"]:
			for i in n: floor_impl.histogram("load_time_ms", 42.0, null)
		["histogram", "addon"]:
			for i in n: GameTracker.histogram("load_time_ms", 42.0)
		["histogram", "gdscript"]:
			for i in n: GDTracker.histogram("load_time_ms", 42.0)
		["span", "floor"]:
			for i in n: floor_impl.end_span(floor_impl.start_span("load_level", null, null))
		["span", "addon"]:
			for i in n: GameTracker.start_span("load_level").end()
		["span", "gdscript"]:
			for i in n: GDTracker.start_span("load_level").end()
		["child_span", "floor"]:
			for i in n: floor_impl.end_span(floor_impl.start_span("step", null, self))
		["child_span", "addon"]:
			for i in n: GameTracker.start_span("step", no_labels, addon_parent).end()
		["child_span", "gdscript"]:
			for i in n: GDTracker.start_span("step", no_labels, gd_parent).end()
		["set_tag", "floor"]:
			for i in n: floor_impl.set_tag("region", "us-west")
		["set_tag", "addon"]:
			for i in n: GameTracker.set_tag("region", "us-west")
		["set_tag", "gdscript"]:
			for i in n: GDTracker.set_tag("region", "us-west")


## Lets both trackers send what the last run queued, outside the timing.
func _settle() -> void:
	GameTracker.flush_and_wait(30.0)
	GDTracker.flush()
	while GDTracker.pending() > 0 or GDTracker._busy.values().any(func(n): return n > 0):
		await GameTracker.get_tree().process_frame
		GDTracker.flush()


static func _median(values: Array) -> float:
	var sorted := values.duplicate()
	sorted.sort()
	return sorted[sorted.size() / 2]
