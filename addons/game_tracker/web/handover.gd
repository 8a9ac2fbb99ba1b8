extends RefCounted
## The hand-over's format, as the worker reads it (rust/web/src/replay.rs,
## whose module doc gives each operation's fields): once a frame, one flat
## Array, the header then each call as its operation's number followed by
## its fields, sent to the page's glue as the hex of its `var_to_bytes`.

## The format: the Array's first item (replay.rs `op::FORMAT`).
const FORMAT := 2
## FORMAT, then the page's wall clock and ticks in µs, read at the hand-over.
const HEADER_SIZE := 3

## The operations' numbers (replay.rs `op`, which must say the same).
enum Op {
	LOG_DEBUG = 1, LOG_INFO, LOG_WARN, LOG_ERROR,
	COUNTER, GAUGE, HISTOGRAM, SAMPLES,
	SPAN_ROOT, SPAN_CHILD, SPAN_END, SPAN_END_WITH,
	BREADCRUMB, USER, CONTEXT, TAG, SCENE,
	INIT, ENABLED, FLUSH, SHUTDOWN, HITCH,
}

## How many fields follow each operation (replay.rs `op::field_count`).
const FIELDS := {
	Op.LOG_DEBUG: 3, Op.LOG_INFO: 3, Op.LOG_WARN: 3, Op.LOG_ERROR: 3,
	Op.COUNTER: 3, Op.GAUGE: 3, Op.HISTOGRAM: 3, Op.SAMPLES: 3,
	Op.SPAN_ROOT: 4, Op.SPAN_CHILD: 6, Op.SPAN_END: 2, Op.SPAN_END_WITH: 5,
	Op.BREADCRUMB: 4, Op.USER: 1, Op.CONTEXT: 2, Op.TAG: 2, Op.SCENE: 1,
	Op.INIT: 4, Op.ENABLED: 1, Op.FLUSH: 0, Op.SHUTDOWN: 0, Op.HITCH: 4,
}


## A fresh frame: the header, its clocks read at the hand-over.
static func header() -> Array:
	return [FORMAT, 0, 0]


## The events a frame's calls hold, per signal (logs, metrics, traces):
## what is counted when a frame cannot be encoded. A span is one event, at
## its start.
static func events_in(calls: Array) -> Array:
	var counts := [0, 0, 0]
	var i := HEADER_SIZE
	while i < calls.size():
		var op: int = calls[i]
		if op >= Op.LOG_DEBUG and op <= Op.LOG_ERROR:
			counts[0] += 1
		elif op >= Op.COUNTER and op <= Op.HISTOGRAM:
			counts[1] += 1
		elif op == Op.SPAN_ROOT or op == Op.SPAN_CHILD:
			counts[2] += 1
		i += 1 + FIELDS.get(op, 0)
	return counts
