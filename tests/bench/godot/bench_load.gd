extends RefCounted
## The event mix the frame-time and memory benchmarks emit, in blocks of 10
## events: 4 logs (each with a 3-key data dictionary), 4 metric updates (2
## counters with a label, 1 gauge, 1 histogram) and 2 spans (a root and a
## child of a long-lived span; a span is one event: start + end).
## Straight-line calls, so the benchmark's own dispatch costs next to nothing.

const BLOCK := 10

var message := "enemy_killed"
var data := {"enemy": "goblin", "weapon": "sword", "damage": 42}
var labels := {"level": "forest"}
var no_fields := {}
var t
var parent
## Events owed from earlier frames that did not fill a block.
var carry := 0


## `target`: GameTracker, GDTracker, the Web's autoload, a GameTrackerBenchFloor (native no-op
## methods: what the calls cost before any tracker work), or null (tracking
## off: no calls).
func _init(target) -> void:
	t = target
	if t != null and not t is GameTrackerBenchFloor:
		parent = t.start_span("session")


## Emits `count` events (rounded to whole blocks; the rest is carried over).
## Returns how many were emitted.
func emit(count: int) -> int:
	carry += count
	var blocks := carry / BLOCK
	carry -= blocks * BLOCK
	if t == null:
		return blocks * BLOCK
	# Called by name as a game would (`GameTracker.log_info(...)`), so each
	# tracker gets the engine's fastest dispatch for it.
	if t is GameTrackerBenchFloor:
		var f: GameTrackerBenchFloor = t
		for b in blocks:
			f.log_info(message, data)
			f.increment("enemies_killed", labels, 1)
			f.log_info(message, data)
			f.gauge("fps", 59.5, null)
			f.end_span(f.start_span("load_chunk", null, null))
			f.log_info(message, data)
			f.increment("enemies_killed", labels, 1)
			f.log_info(message, data)
			f.histogram("frame_ms", 16.6, null)
			f.end_span(f.start_span("step", no_fields, parent))
	elif t == GameTracker:
		for b in blocks:
			GameTracker.log_info(message, data)
			GameTracker.increment("enemies_killed", labels)
			GameTracker.log_info(message, data)
			GameTracker.gauge("fps", 59.5)
			GameTracker.start_span("load_chunk").end()
			GameTracker.log_info(message, data)
			GameTracker.increment("enemies_killed", labels)
			GameTracker.log_info(message, data)
			GameTracker.histogram("frame_ms", 16.6)
			GameTracker.start_span("step", no_fields, parent).end()
	elif t != GDTracker:
		# The Web's autoload (a script, called through an untyped variable
		# as its autoload name would be).
		for b in blocks:
			t.log_info(message, data)
			t.increment("enemies_killed", labels)
			t.log_info(message, data)
			t.gauge("fps", 59.5)
			t.start_span("load_chunk").end()
			t.log_info(message, data)
			t.increment("enemies_killed", labels)
			t.log_info(message, data)
			t.histogram("frame_ms", 16.6)
			t.start_span("step", no_fields, parent).end()
	else:
		for b in blocks:
			GDTracker.log_info(message, data)
			GDTracker.increment("enemies_killed", labels)
			GDTracker.log_info(message, data)
			GDTracker.gauge("fps", 59.5)
			GDTracker.start_span("load_chunk").end()
			GDTracker.log_info(message, data)
			GDTracker.increment("enemies_killed", labels)
			GDTracker.log_info(message, data)
			GDTracker.histogram("frame_ms", 16.6)
			GDTracker.start_span("step", no_fields, parent).end()
	return blocks * BLOCK
