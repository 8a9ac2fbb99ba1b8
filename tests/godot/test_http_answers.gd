extends RefCounted
## What the tracker makes of a receiver's answers, in the delivery the
## harness chose: with "frame", requests go through Godot's HTTPClient (the
## browser's fetch on the Web). The harness answers 401 with an echo of the
## token, then 503 with Retry-After until it has seen the retry, then 204.

const TOKEN := "Bearer glc_s3cr3t-t0ken"


func run(t) -> void:
	t.eq(GameTracker.init({
		"endpoint": t.endpoint(),
		"game": "answers-test",
		"headers": {"Authorization": TOKEN},
		"flush_interval": 60.0,
		"delivery": t.delivery(),
	}), true, "init succeeds")

	GameTracker.log_error("refused")
	t.eq(GameTracker.flush_and_wait(10.0), true, "the refusal is answered")
	var logs: Dictionary = GameTracker.get_stats()["logs"]
	t.eq(logs["dropped"]["rejected"], 1, "a 401 drops the batch as rejected")
	var error: String = logs["last_error"]
	t.check(error.begins_with("HTTP 401 from " + t.endpoint() + "/loki/api/v1/push: invalid credentials: <redacted>"),
		"the error names the status, the URL and the body's first line: " + error)
	t.check(not error.contains("s3cr3t"), "the echoed token is redacted: " + error)
	print("answers-test: rejected")

	# The harness now answers 503 with Retry-After: 1, then 204 once it saw
	# the retry: the batch arrives, and the retry is counted.
	GameTracker.log_info("retried")
	t.eq(GameTracker.flush_and_wait(20.0), true, "the retried batch is answered")
	logs = GameTracker.get_stats()["logs"]
	t.eq(logs["sent"], 1, "the retried batch arrived")
	t.check(logs["retries"] >= 1, "the 503 was retried: %d" % logs["retries"])
	t.check_accounting(GameTracker.get_stats(), "after the answers")
	GameTracker.shutdown()
