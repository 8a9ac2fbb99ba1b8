extends RefCounted
## `get_stats()` with no tracker behind it: the native tracker's keys (the
## core's stats_report.rs) as they read before `init`, zeros and empty
## strings. The stand-in answers with it, and the Web's autoload until the
## worker's first report. tests/godot/test_stand_in.gd compares it with the
## native tree, value types included.

const SIGNALS := ["logs", "metrics", "traces"]
## The drop reasons, in the native tracker's order.
const DROP_REASONS := ["queue_full", "backlog_full", "rejected", "send_failed", "retry_exhausted",
	"too_large", "invalid", "series_limit", "no_destination", "shutdown", "disabled", "spool_full", "too_old",
	"unsampled", "filtered", "thread_panicked", "hitch_limit", "not_initialized", "wrong_thread"]


static func zeros() -> Dictionary:
	var stats := {"active": false, "session_id": "", "sampled": true, "thread_panics": 0,
		"local_store": {"path": "", "rows_written": 0, "rows_lost": {"store_full": 0, "write_failed": 0, "disabled": 0},
			"file_bytes": 0, "last_error": "", "last_export": {"path": "", "rows": 0, "error": ""}},
		"queue": {"events": 0, "capacity": 0, "bytes": 0, "max_bytes": 0}}
	for signal_name in SIGNALS:
		var dropped := {}
		for reason in DROP_REASONS:
			dropped[reason] = 0
		stats[signal_name] = {"produced": 0, "sent": 0, "pending": 0, "requests": 0, "retries": 0,
			"bytes_sent": 0, "dropped": dropped, "dropped_total": 0, "spooled": 0, "replayed": 0,
			"buffered_bytes": 0, "last_error": ""}
	return stats
