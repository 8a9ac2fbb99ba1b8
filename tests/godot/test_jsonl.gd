extends RefCounted
## With no endpoint, events are written as JSON lines under user://, the
## file rotates at max_jsonl_bytes, and the path is printed at init.

const DIR := "user://game_tracker"


func run(t) -> void:
	for f in DirAccess.get_files_at(DIR):
		if f.begins_with("events"):
			DirAccess.remove_absolute(DIR.path_join(f))
	t.eq(GameTracker.init({"game": "jsonl", "max_jsonl_bytes": 4096}), true, "init with no endpoint")
	for i in 100:
		GameTracker.log_info("line %03d" % i, {"i": i})
	# Refused here exactly as with an endpoint: dropped as invalid, not written.
	GameTracker.increment("bad name!", {"x": 1}, -5)
	GameTracker.gauge("fps", INF)
	GameTracker.increment("lines_written", {}, 100)
	t.eq(GameTracker.flush_and_wait(5.0), true, "written")
	var current := FileAccess.get_file_as_string(DIR.path_join("events.jsonl"))
	var rotated := FileAccess.get_file_as_string(DIR.path_join("events.1.jsonl"))
	t.check(rotated.length() > 0, "the file rotated at 4096 bytes")
	t.check(current.length() <= 4096 and rotated.length() <= 4096, "each file within the cap")
	var last: Dictionary = JSON.parse_string(current.strip_edges().split("\n")[-1])
	t.eq(last["signal"], "metric", "the last event is the last line")
	t.eq(last["name"], "lines_written", "metric name")
	var stats: Dictionary = GameTracker.get_stats()
	t.eq(stats["logs"]["sent"], 100, "every line counts as sent")
	t.eq(stats["metrics"]["sent"], 1, "only the valid metric update is written")
	t.eq(stats["metrics"]["dropped"].get("invalid", 0), 2, "a negative counter and INF are invalid")
	t.check(not current.contains("bad name") and not rotated.contains("bad name"), "the refused counter is not in the file")
	t.check_accounting(stats, "jsonl")
