extends Node
## In a browser (the page's address has `?bench=RATE`): the tracker's time on
## the game's thread, each frame, while the game makes RATE events a second
## (the frame-slice benchmark's mix: a log, a counter increment, a span) for
## BENCH_SECONDS. Two stamps bracket the tracker's `_process` (which runs
## last, at process priority 1 << 30): one just before it, one just after.
## Prints `bench: rate=… frames=… p50_us=… p99_us=… max_us=… sent=… pending=…`.
## Browsers coarsen the clock: a cross-origin isolated page reads it to about
## 5 µs (Chromium), another to 100 µs.

const BENCH_SECONDS := 10.0
const TRACKER_PRIORITY := 1 << 30

var rate := 0
var _made := 0
var _elapsed := 0.0
var _costs: Array[int] = []
var _before: Stamp
var _done := false


class Stamp:
	extends Node
	var at := 0

	func _process(_delta: float) -> void:
		at = Time.get_ticks_usec()


class After:
	extends Node
	var before: Stamp
	var costs: Array[int]

	func _process(_delta: float) -> void:
		costs.append(Time.get_ticks_usec() - before.at)


func _ready() -> void:
	_before = Stamp.new()
	_before.process_priority = TRACKER_PRIORITY - 1
	add_child(_before)
	var after := After.new()
	after.process_priority = TRACKER_PRIORITY + 1
	after.before = _before
	after.costs = _costs
	add_child(after)


func _process(delta: float) -> void:
	if _done:
		return
	_elapsed += delta
	var due := int(_elapsed * rate)
	while _made < due:
		match _made % 3:
			0:
				GameTracker.log_info("event %d" % _made, {"i": _made})
			1:
				GameTracker.increment("bench_events")
			_:
				GameTracker.start_span("bench_op", {"i": _made}).end()
		_made += 1
	if _elapsed >= BENCH_SECONDS:
		_done = true
		_report.call_deferred()


func _report() -> void:
	var measured := _costs.duplicate()
	GameTracker.flush()
	var deadline := Time.get_ticks_msec() + 10000
	while Time.get_ticks_msec() < deadline and _pending() > 0:
		await get_tree().process_frame
	var slowest := []
	for i in measured.size():
		if measured[i] > 1000:
			slowest.append("%d:%d" % [i, measured[i]])
	print("bench: frames over 1 ms (frame:µs): ", ", ".join(slowest))
	var sorted := measured.duplicate()
	sorted.sort()
	var at := func(q: float) -> int: return sorted[mini(int(sorted.size() * q), sorted.size() - 1)]
	var stats: Dictionary = GameTracker.get_stats()
	var sent := 0
	for s in ["logs", "metrics", "traces"]:
		sent += stats[s]["sent"]
	var pending := _pending()
	print("bench: rate=%d frames=%d p50_us=%d p99_us=%d max_us=%d made=%d sent=%d pending=%d" % [
		rate, sorted.size(), at.call(0.5), at.call(0.99), sorted[-1], _made, sent, pending])


func _pending() -> int:
	var stats: Dictionary = GameTracker.get_stats()
	var pending := 0
	for s in ["logs", "metrics", "traces"]:
		pending += stats[s]["pending"]
	return pending
