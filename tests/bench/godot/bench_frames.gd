extends RefCounted
## Frame time under load: a headless scene at a fixed 60 fps emits `rate`
## events per second (bench_load.gd's mix) with tracking off, through
## no-op native methods (floor), with the addon, with the Web's autoload
## (web: web/web_tracker.gd, its hand-over going to a glue that only keeps
## the text's length, as no browser runs here), through the stand-in's
## methods that do nothing (stand_in: what the Web's calls cost before any
## tracker work), or with the pure-GDScript
## tracker (`--modes=`, comma-separated).
##
## The modes of one run take turns in blocks of BLOCK_USEC until each has
## `seconds` of measured frames, so whatever else the machine does meanwhile
## (a busy neighbour on the host, another process) falls on each mode alike:
## on the 2-vCPU VM, separate runs a minute apart differed more than the
## modes did. With more than one mode, the first SETTLE_USEC of each block
## are left out: the previous mode's work (the addon's last send) settles
## there. A single mode runs without such gaps, so no periodic work of its own
## (the GDScript tracker's flush timer) can hide in them.
##
## A frame's time is the main thread's busy time from the first node
## processed in the frame to the last: every node's _process and internal
## process, so the GDScript tracker's Timer flush and HTTPRequest polling and
## GameTracker's hand-over to its worker all count. (Performance.TIME_PROCESS
## cannot be used: it is the maximum over the last second.) Nothing else runs
## on the main thread per frame: when the addon's worker sent requests is
## worked out afterwards from the receiver's clock and each frame's wall-clock
## window (`windows`).

const WARMUP_USEC := 2_000_000
const BLOCK_USEC := 1_000_000
const SETTLE_USEC := 200_000


class Marker extends Node:
	var times: Array[int] = []

	func _process(_delta: float) -> void:
		times.append(Time.get_ticks_usec())


## The Web's glue as far as the game's thread sees it: it takes the text.
class LengthGlue:
	var bytes := 0

	func handover(text: String) -> void:
		bytes += text.length()

	func stats() -> String:
		return ""

	func hiddenWithin(_ms: float) -> bool:
		return false


class Emitter extends Node:
	var loads := {}
	var modes: Array = []
	var rate: float
	var began := 0
	var settle_usec := SETTLE_USEC
	## Per frame: the mode it ran (-1 during warm-up and settling).
	var frame_modes: Array[int] = []
	## Events emitted in measured frames, per mode.
	var emitted := {}
	var block := -1
	var block_start := 0
	var requested := 0

	func _process(_delta: float) -> void:
		var now := Time.get_ticks_usec()
		var since := now - began - WARMUP_USEC
		# Warm-up cycles through the modes too, so each is warm when measured.
		var b := int(floor(float(since) / (BLOCK_USEC / 2 if since < 0 else BLOCK_USEC)))
		if b != block:
			if block >= 0 and modes[posmod(block, modes.size())] == "addon":
				GameTracker.flush()  # its last events go out while the next block settles
			block = b
			block_start = now
			requested = 0
		var mode: String = modes[posmod(block, modes.size())]
		var measured := since >= 0 and now - block_start >= settle_usec
		frame_modes.append(modes.find(mode) if measured else -1)
		var due := int(float(now - block_start) * rate / 1e6)
		var events: int = loads[mode].emit(due - requested)
		requested = due
		if measured:
			emitted[mode] = emitted.get(mode, 0) + events


func run(r) -> void:
	var modes: Array = Array(r.option("modes", "off,floor,addon").split(","))
	var rate: float = r.option("rate", 10000.0)
	var seconds: float = r.option("seconds", 10.0)
	var endpoint: String = r.option("endpoint", "")
	Engine.max_fps = 60
	var emitter := Emitter.new()
	emitter.modes = modes
	emitter.rate = rate
	emitter.settle_usec = SETTLE_USEC if modes.size() > 1 else 0
	for mode in modes:
		var target = null
		match mode:
			"addon":
				GameTracker.init({"endpoint": endpoint, "game": "bench", "flush_interval": 1.0, "capture_hitches": OS.get_environment("BENCH_NO_HITCHES") == ""})
				target = GameTracker
			"gdscript":
				GDTracker.init({"endpoint": endpoint, "game": "bench"})
				target = GDTracker
			"floor":
				target = GameTrackerBenchFloor.new()
			"stand_in":
				var stand_in: Node = load("res://addons/game_tracker/stand_in/game_tracker.gd").new()
				r.add_child(stand_in)
				target = stand_in
			"web":
				var web: Node = load("res://addons/game_tracker/web/web_tracker.gd").new()
				web.bridge = LengthGlue.new()
				r.add_child(web)
				web.init({"endpoint": "http://127.0.0.1:9", "game": "bench", "capture_errors": false})
				target = web
		emitter.loads[mode] = load("res://bench_load.gd").new(target)
	var first := Marker.new()
	first.process_priority = -2147483648
	var last := Marker.new()
	last.process_priority = 2147483647
	# Just before GameTracker's own _process (priority 1 << 30): from here to
	# `last` is its once-per-frame hand-over, the only flush work on the
	# main thread.
	var before_handover := Marker.new()
	before_handover.process_priority = (1 << 30) - 1
	for node in [first, emitter, before_handover, last]:
		r.add_child(node)
	var tree: SceneTree = r.get_tree()
	emitter.began = Time.get_ticks_usec()
	# Wall clock of tick 0, to place frames on the receiver's clock.
	var unix_at_tick0 := int(Time.get_unix_time_from_system() * 1e6) - Time.get_ticks_usec()
	# Enough blocks that each mode has `seconds` of measured (settled) frames.
	var blocks := int(ceil(seconds * 1e6 / (BLOCK_USEC - emitter.settle_usec)))
	var total_usec := WARMUP_USEC + blocks * BLOCK_USEC * modes.size()
	while Time.get_ticks_usec() - emitter.began < total_usec:
		await tree.process_frame
	emitter.set_process(false)
	var flushed := GameTracker.flush_and_wait(10.0) if modes.has("addon") else true
	var elapsed := float(Time.get_ticks_usec() - emitter.began) / 1e6
	var count := mini(mini(first.times.size(), last.times.size()), emitter.frame_modes.size())
	for m in modes.size():
		var mode: String = modes[m]
		var frames: Array[float] = []
		var handovers: Array[float] = []
		var windows := []
		# Start to start of consecutive frames of this mode: the frame pacing
		# the player sees (16.7 ms at 60 fps unless a frame ran long).
		var intervals: Array[float] = []
		for i in count:
			if emitter.frame_modes[i] != m:
				continue
			if i > 0 and emitter.frame_modes[i - 1] == m:
				intervals.append(float(first.times[i] - first.times[i - 1]))
			frames.append(float(last.times[i] - first.times[i]))
			handovers.append(float(last.times[i] - before_handover.times[i]))
			if mode == "addon":
				windows.append([unix_at_tick0 + first.times[i], unix_at_tick0 + last.times[i]])
		var n := frames.size()
		var mean: float = frames.reduce(func(a, b): return a + b, 0.0) / n
		frames.sort()
		handovers.sort()
		intervals.sort()
		var k := intervals.size()
		var result := {"kind": "frames", "mode": mode, "rate": rate, "seconds": seconds, "frames": n,
			"events": emitter.emitted.get(mode, 0), "fps": float(count) / elapsed,
			"p50_us": frames[n / 2], "p99_us": frames[int(n * 0.99)], "max_us": frames[n - 1], "mean_us": mean,
			"interval_p99_us": intervals[int(k * 0.99)], "interval_max_us": intervals[k - 1]}
		if mode == "web":
			result["handover_p99_us"] = handovers[int(n * 0.99)]
		if mode == "addon":
			if GameTracker.has_method("bench_frame_costs"):
				var costs: Dictionary = GameTracker.bench_frame_costs()
				for part in ["vitals", "hitch_detector", "hitch_reported"]:
					result[part] = costs[part]
			result.merge({"flushed": flushed, "handover_p99_us": handovers[int(n * 0.99)],
				"handover_max_us": handovers[n - 1], "windows": windows, "stats": GameTracker.get_stats()})
		r.report(result)
