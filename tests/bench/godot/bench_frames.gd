extends RefCounted
## Frame time under load: a headless scene at a fixed 60 fps emits `rate`
## events per second (bench_load.gd's mix) for `seconds`, with tracking off,
## with the addon, or with the pure-GDScript tracker (`--mode=`). Mode
## `floor` makes the same calls on native methods that do nothing: what the
## calls alone cost in a frame, before any tracker work.
##
## A frame's time is the main thread's busy time from the first node
## processed in the frame to the last: every node's _process and internal
## process, so the GDScript tracker's Timer flush and HTTPRequest polling and
## GameTracker's hand-over to its worker all count. (Performance.TIME_PROCESS
## cannot be used: it is the maximum over the last second.)

const WARMUP_USEC := 2_000_000


class Marker extends Node:
	var times: Array[int] = []
	## When set (the last marker, addon mode): requests sent so far, read
	## after the frame's end was stamped, so it is not in the frame's time.
	var requests: Callable
	var sent: Array[int] = []

	func _process(_delta: float) -> void:
		times.append(Time.get_ticks_usec())
		if requests.is_valid():
			sent.append(requests.call())


class Emitter extends Node:
	var load
	var rate: float
	var start := 0
	var emitted := 0
	var requested := 0

	func _process(_delta: float) -> void:
		var now := Time.get_ticks_usec()
		if start == 0:
			start = now
		var due := int(float(now - start) * rate / 1e6)
		emitted += load.emit(due - requested)
		requested = due


func run(r) -> void:
	var mode: String = r.option("mode", "addon")
	var rate: float = r.option("rate", 10000.0)
	var seconds: float = r.option("seconds", 10.0)
	var endpoint: String = r.option("endpoint", "")
	Engine.max_fps = 60
	var target = null
	match mode:
		"addon":
			GameTracker.init({"endpoint": endpoint, "game": "bench", "flush_interval": 1.0})
			target = GameTracker
		"gdscript":
			GDTracker.init({"endpoint": endpoint, "game": "bench"})
			target = GDTracker
		"floor":
			target = GameTrackerBenchFloor.new()
	var first := Marker.new()
	first.process_priority = -2147483648
	var last := Marker.new()
	last.process_priority = 2147483647
	# Just before GameTracker's own _process (priority 1 << 30): from here to
	# `last` is its once-per-frame hand-over, the only flush work on the
	# main thread.
	var before_handover := Marker.new()
	before_handover.process_priority = (1 << 30) - 1
	if mode == "addon":
		last.requests = func() -> int:
			var st: Dictionary = GameTracker.get_stats()
			return st["logs"]["requests"] + st["metrics"]["requests"] + st["traces"]["requests"]
	var emitter := Emitter.new()
	emitter.load = load("res://bench_load.gd").new(target)
	emitter.rate = rate
	for node in [first, emitter, before_handover, last]:
		r.add_child(node)
	var tree: SceneTree = r.get_tree()
	var began := Time.get_ticks_usec()
	while Time.get_ticks_usec() - began < WARMUP_USEC + int(seconds * 1e6):
		await tree.process_frame
	emitter.set_process(false)
	var frames: Array[float] = []
	var handovers: Array[float] = []
	# Frames in which the worker got an answer to a request (it was sending
	# while the frame ran), and the others.
	var max_sending := 0.0
	var max_quiet := 0.0
	var sending_frames := 0
	for i in mini(first.times.size(), last.times.size()):
		if first.times[i] - began >= WARMUP_USEC:
			var frame := float(last.times[i] - first.times[i])
			frames.append(frame)
			handovers.append(float(last.times[i] - before_handover.times[i]))
			if mode == "addon" and i > 0:
				if last.sent[i] > last.sent[i - 1]:
					sending_frames += 1
					max_sending = maxf(max_sending, frame)
				else:
					max_quiet = maxf(max_quiet, frame)
	if r.option("dump", false):
		var slow := []
		for i in mini(first.times.size(), last.times.size()):
			var d: int = last.times[i] - first.times[i]
			if d > 250 and first.times[i] - began >= WARMUP_USEC:
				slow.append([(first.times[i] - began) / 1000, d])
		print("SLOW ", slow)
	var flushed := GameTracker.flush_and_wait(10.0) if mode == "addon" else true
	var n := frames.size()
	var mean: float = frames.reduce(func(a, b): return a + b, 0.0) / n
	frames.sort()
	handovers.sort()
	r.report({"kind": "frames", "mode": mode, "rate": rate, "seconds": seconds, "frames": n,
		"events": emitter.emitted, "fps": n / seconds, "p50_us": frames[n / 2], "p99_us": frames[int(n * 0.99)],
		"max_us": frames[n - 1], "mean_us": mean, "flushed": flushed,
		"handover_p99_us": handovers[int(n * 0.99)], "handover_max_us": handovers[n - 1],
		"sending_frames": sending_frames, "max_sending_us": max_sending, "max_quiet_us": max_quiet,
		"stats": GameTracker.get_stats() if mode == "addon" else {}})
