extends RefCounted
## Memory under an outage: the addon at `rate` events per second (the
## bench_load.gd mix) for `seconds` against an endpoint that never answers.
## The harness samples this process's resident memory from outside; this
## script reports the drop counters every 10 s and at the end.

const TICK_USEC := 10_000_000


func run(r) -> void:
	var rate: float = r.option("rate", 10000.0)
	var seconds: float = r.option("seconds", 120.0)
	Engine.max_fps = 60
	GameTracker.init({"endpoint": r.option("endpoint", ""), "game": "bench", "flush_interval": 1.0,
		"request_timeout": 5.0})
	var load = load("res://bench_load.gd").new(GameTracker)
	var tree: SceneTree = r.get_tree()
	var start := Time.get_ticks_usec()
	r.report({"kind": "memory_start"})
	var emitted := 0
	var requested := 0
	var next_tick := start + TICK_USEC
	while true:
		await tree.process_frame
		var now := Time.get_ticks_usec()
		if now - start >= int(seconds * 1e6):
			break
		var due := int(float(now - start) * rate / 1e6)
		emitted += load.emit(due - requested)
		requested = due
		if now >= next_tick:
			next_tick += TICK_USEC
			r.report({"kind": "memory_tick", "t": (now - start) / 1e6, "events": emitted, "stats": GameTracker.get_stats()})
	var before_quit: Dictionary = GameTracker.get_stats()
	var quit_started := Time.get_ticks_usec()
	GameTracker.shutdown(2.0)
	r.report({"kind": "memory_end", "events": emitted, "stats": before_quit,
		"shutdown_ms": (Time.get_ticks_usec() - quit_started) / 1000.0})
