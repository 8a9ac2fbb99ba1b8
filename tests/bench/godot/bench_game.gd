extends RefCounted
## Frame cost the way a game pays it. A headless scene at 60 fps whose game
## nodes (NODES of them, like enemies) make the frame's tracker calls from
## their own `_process`: every call builds a fresh argument Dictionary, half
## the calls go through the autoload's name (`GameTracker.log_info(...)`)
## and half through an untyped variable holding the tracker
## (`tracker.log_info(...)`), and the nodes do a little game work of their
## own. Per 10 events: 4 logs, 2 counters, 1 gauge, 1 histogram, 2 spans (a
## root and its child), the mix of the other frame benchmark.
##
## Modes, taking turns in blocks of BLOCK_USEC in one process (the first
## SETTLE_USEC of a block are not measured):
## - off: the same nodes and game work, no tracker calls;
## - noop: the calls, on `NoopTracker`: the stand-in that platforms with no
##   library get (addons/game_tracker/stand_in/), GDScript methods that do
##   nothing: what any tracker costs for arguments and dispatch;
## - floor: the calls, on `FloorTracker` (native methods reached the way
##   the addon's are, doing nothing: the engine's share of a call);
## - gdext: the same do-nothing methods as gdext `#[func]`s with optional
##   parameters (`GdextFloorTracker`: what the addon's calls cost to reach
##   before it registered them by hand);
## - addon: the calls, on GameTracker;
## - gdscript: the calls, on the pure-GDScript tracker;
## - debugger: the addon with the editor's GameTracker tab fed (as when a
##   debugger is attached): each frame's events taken back and encoded as
##   the debugger's message would be;
## - idle: GameTracker running, the game making no calls (the addon's
##   per-frame work outside the calls).
## Each mode's node script is compiled from NODE_SOURCE with TRACKER replaced
## by its autoload's name, so the autoload calls are compiled as a game's
## would be. GameTracker's own `_process` runs only in its modes.
##
## A frame's time is the main thread's process step: from SceneTree's
## `process_frame` signal (where the addon drains captured engine errors) to
## the last node processed (the addon's hand-over to its worker is the last
## node but one). Its parts: the signal (`after_signal` - `frame_start`), the
## calls (first game node to last) and the hand-over.

const WARMUP_USEC := 2_000_000
const BLOCK_USEC := 1_000_000
const SETTLE_USEC := 200_000
const NODES := 8
const MODES := ["off", "noop", "floor", "gdext", "addon", "debugger", "gdscript", "idle"]
## The autoload each mode calls; "" for none.
const TRACKERS := {"off": "", "noop": "NoopTracker", "floor": "FloorTracker", "gdext": "GdextFloorTracker", "addon": "GameTracker", "debugger": "GameTracker", "gdscript": "GDTracker", "idle": ""}

## A game node. TRACKER is the mode's autoload; `tracker` holds the same
## node, untyped. Ten events per block; `blocks` is set each frame.
const NODE_SOURCE := """extends Node
var tracker
var blocks := 0
var hp := 100
var kills := 0
var pos := Vector2.ZERO

func _process(delta: float) -> void:
	for b in blocks:
		hp = (hp + 7) % 100
		kills += int(hp < 10)
		pos += Vector2(delta, -delta)
		TRACKER.log_info("enemy_hit", {"enemy": name, "damage": hp % 13, "hp": hp})
		tracker.increment("enemies_killed", {"weapon": "sword"})
		var span = TRACKER.start_span("ai_think")
		tracker.log_info("path_found", {"length": b, "x": pos.x})
		TRACKER.gauge("enemy_hp", hp)
		var step = tracker.start_span("attack", {"target": name}, span)
		step.end()
		span.end()
		TRACKER.increment("shots_fired", {"weapon": "bow"}, 2)
		tracker.log_info("loot_dropped", {"item": "coin", "amount": kills})
		TRACKER.histogram("damage", float(hp % 13))
		tracker.log_info("state", {"hp": hp, "alive": hp > 0})
"""
## Events one block of NODE_SOURCE makes.
const EVENTS_PER_BLOCK := 10
const NO_BLOCK := -1_000_000_000


## Records when it runs, each frame.
class Marker extends Node:
	var times: Array[int] = []

	func _process(_delta: float) -> void:
		stamp()

	func stamp() -> void:
		times.append(Time.get_ticks_usec())


## What a game run from the editor does each frame for the GameTracker tab
## (game_tracker.gd's `_send_to_debugger`, minus the socket): takes the
## frame's records and encodes them as the debugger's message. Runs
## after GameTracker's hand-over; `costs` holds each frame's time (µs).
class DebuggerFeeder extends Node:
	var costs: Array[float] = []

	func _process(_delta: float) -> void:
		var start := Time.get_ticks_usec()
		var batch: Dictionary = GameTracker._take_debugger_events(false)
		var message := var_to_bytes(["game_tracker:frame", [batch["records"], batch["overflow"], null, ""]])
		costs.append(float(Time.get_ticks_usec() - start + 0 * message.size()))


## Picks each frame's mode and hands out the frame's events to its nodes.
class Director extends Node:
	var modes: Array = []
	var nodes := {}
	var rate: float
	var began := 0
	var settle_usec := SETTLE_USEC
	## Per frame: the mode it ran (-1 during warm-up and settling).
	var frame_modes: Array[int] = []
	## Events made in measured frames, per mode.
	var emitted := {}
	## The current block (warm-up blocks are negative); NO_BLOCK before the first.
	var block := NO_BLOCK
	var block_start := 0
	var requested := 0
	var carry := 0
	var turn := 0
	## GameTracker's own timing of its `process` parts (benchmark build),
	## summed per mode over its blocks; `costs_at` when the block began.
	var costs := {}
	var costs_at := {}

	func _process(_delta: float) -> void:
		var now := Time.get_ticks_usec()
		var since := now - began - WARMUP_USEC
		var b := int(floor(float(since) / (BLOCK_USEC / 2 if since < 0 else BLOCK_USEC)))
		if b != block:
			if block != NO_BLOCK:
				_leave(modes[posmod(block, modes.size())])
			block = b
			block_start = now
			requested = 0
			carry = 0
			_enter(modes[posmod(block, modes.size())])
		var mode: String = modes[posmod(block, modes.size())]
		var measured := since >= 0 and now - block_start >= settle_usec
		frame_modes.append(modes.find(mode) if measured else -1)
		var due := int(float(now - block_start) * rate / 1e6)
		carry += due - requested
		requested = due
		var blocks := carry / EVENTS_PER_BLOCK
		carry -= blocks * EVENTS_PER_BLOCK
		if mode == "idle":
			blocks = 0
		# Spread over the nodes, the remainder going round.
		var list: Array = nodes[mode]
		for i in list.size():
			list[i].blocks = blocks / list.size() + int(posmod(i - turn, list.size()) < blocks % list.size())
		turn += blocks % list.size()
		if measured:
			emitted[mode] = emitted.get(mode, 0) + blocks * EVENTS_PER_BLOCK

	var feeder: DebuggerFeeder

	func _enter(mode: String) -> void:
		feeder.set_process(mode == "debugger")
		for node in nodes[mode]:
			node.set_process(true)
		GameTracker.set_process(mode in ["addon", "debugger", "idle"])
		GameTracker._set_debugger_feed(mode == "debugger")
		# The GDScript tracker's Timer and HTTPRequest nodes run only in its
		# own blocks (its flush would otherwise land in another mode's
		# frames): what its block left queued is sent in its next block.
		GDTracker.process_mode = Node.PROCESS_MODE_INHERIT if mode == "gdscript" else Node.PROCESS_MODE_DISABLED
		if GameTracker.has_method("bench_frame_costs"):
			costs_at = GameTracker.bench_frame_costs()

	func _leave(mode: String) -> void:
		for node in nodes[mode]:
			node.blocks = 0
			node.set_process(false)
		if GameTracker.has_method("bench_frame_costs"):
			var now: Dictionary = GameTracker.bench_frame_costs()
			var sums: Dictionary = costs.get_or_add(mode, {})
			for part in now:
				var sum: Dictionary = sums.get_or_add(part, {"frames": 0, "total_ns": 0, "max_ns": 0})
				sum.frames += now[part].frames - costs_at[part].frames
				sum.total_ns += now[part].total_ns - costs_at[part].total_ns
		# The mode's last events go out while the next block settles.
		if mode == "addon":
			GameTracker.flush()


static func percentile(sorted: Array[float], q: float) -> float:
	return sorted[mini(int(sorted.size() * q), sorted.size() - 1)]


static func summary(values: Array[float]) -> Dictionary:
	var n := values.size()
	var sum: float = values.reduce(func(a, b): return a + b, 0.0)
	values.sort()
	return {"p50": percentile(values, 0.5), "p99": percentile(values, 0.99), "max": values[n - 1], "mean": sum / n}


func node_script(mode: String) -> GDScript:
	var source := NODE_SOURCE
	if TRACKERS[mode] == "":
		# No tracker: the same game work without the calls.
		var kept := []
		for line in source.split("\n"):
			if not ("TRACKER" in line or "tracker." in line or ".end()" in line):
				kept.append(line)
		source = "\n".join(kept)
	var script := GDScript.new()
	script.source_code = source.replace("TRACKER", TRACKERS[mode])
	var err := script.reload()
	assert(err == OK, "game node script for %s: %s" % [mode, error_string(err)])
	return script


func run(r) -> void:
	var modes: Array = Array(r.option("modes", ",".join(MODES)).split(","))
	var rate: float = r.option("rate", 10000.0)
	var seconds: float = r.option("seconds", 10.0)
	var endpoint: String = r.option("endpoint", "")
	Engine.max_fps = 60
	var tree: SceneTree = r.get_tree()
	# Connected before GameTracker's error drain, so it runs first.
	var frame_start := Marker.new()
	tree.process_frame.connect(frame_start.stamp)
	if modes.has("addon") or modes.has("idle"):
		GameTracker.init({"endpoint": endpoint, "game": "bench", "flush_interval": 1.0})
	if modes.has("gdscript"):
		GDTracker.init({"endpoint": endpoint, "game": "bench"})
	var after_signal := Marker.new()
	tree.process_frame.connect(after_signal.stamp)
	GameTracker.set_process(false)

	var director := Director.new()
	director.modes = modes
	director.rate = rate
	director.settle_usec = SETTLE_USEC if modes.size() > 1 else 0
	director.process_priority = -2147483647
	var first := Marker.new()
	first.process_priority = -2147483648
	var calls_begin := Marker.new()
	calls_begin.process_priority = -1000
	var calls_end := Marker.new()
	calls_end.process_priority = 1000
	# Just before GameTracker's own _process (priority 1 << 30).
	var before_handover := Marker.new()
	before_handover.process_priority = (1 << 30) - 1
	var last := Marker.new()
	last.process_priority = 2147483647
	var feeder := DebuggerFeeder.new()
	feeder.process_priority = (1 << 30) + 1
	director.feeder = feeder
	for node in [first, director, calls_begin, calls_end, before_handover, feeder, last]:
		r.add_child(node)
	feeder.set_process(false)
	for mode in modes:
		var script := node_script(mode)
		var list := []
		for i in NODES:
			var node = Node.new()
			node.set_script(script)
			node.name = "%s_enemy_%d" % [mode, i]
			if TRACKERS[mode] != "":
				node.tracker = r.get_node("/root/" + TRACKERS[mode])
			r.add_child(node)
			# After add_child: a node with `_process` starts processing at ready.
			node.set_process(false)
			list.append(node)
		director.nodes[mode] = list

	director.began = Time.get_ticks_usec()
	var blocks := int(ceil(seconds * 1e6 / (BLOCK_USEC - director.settle_usec)))
	var total_usec := WARMUP_USEC + blocks * BLOCK_USEC * modes.size()
	# One timer, not an await per frame: a coroutine resumed from
	# `process_frame` every frame would be timed as part of the signal.
	await tree.create_timer(total_usec / 1e6, true, false, true).timeout
	director.set_process(false)
	GameTracker.set_process(true)
	var flushed := GameTracker.flush_and_wait(10.0) if modes.has("addon") else true
	var elapsed := float(Time.get_ticks_usec() - director.began) / 1e6
	var count := director.frame_modes.size()
	for marker in [frame_start, after_signal, first, calls_begin, calls_end, before_handover, last]:
		count = mini(count, marker.times.size())
	for m in modes.size():
		var mode: String = modes[m]
		var frames: Array[float] = []
		var signal_part: Array[float] = []
		var calls: Array[float] = []
		var handovers: Array[float] = []
		for i in count:
			if director.frame_modes[i] != m:
				continue
			var start: int = frame_start.times[i]
			frames.append(float(last.times[i] - start))
			signal_part.append(float(after_signal.times[i] - start))
			calls.append(float(calls_end.times[i] - calls_begin.times[i]))
			handovers.append(float(last.times[i] - before_handover.times[i]))
		var n := frames.size()
		var result := {"kind": "game_frames", "mode": mode, "rate": rate, "seconds": seconds, "frames": n,
			"events": director.emitted.get(mode, 0), "fps": float(count) / elapsed,
			"frame": summary(frames), "signal": summary(signal_part), "calls": summary(calls),
			"handover": summary(handovers)}
		result["costs"] = director.costs.get(mode, {})
		if mode == "debugger" and not feeder.costs.is_empty():
			result["feed"] = summary(feeder.costs)
		if mode == "addon":
			result["flushed"] = flushed
			result["stats"] = GameTracker.get_stats()
		r.report(result)
