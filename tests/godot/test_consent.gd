extends RefCounted
## Player consent: set_enabled(false) stops collection at once and drops
## what was not sent (counted as "disabled"); set_enabled(true) starts a new
## session with init's configuration. The harness checks what arrived.


func run(t) -> void:
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "consent-test", "flush_interval": 60.0}), true, "init")
	var first_session: String = GameTracker.get_session_id()
	GameTracker.log_info("before consent was withdrawn")
	GameTracker.increment("before")
	GameTracker.set_enabled(false)
	t.eq(GameTracker.is_active(), false, "inactive once disabled")
	GameTracker.log_info("while disabled")
	GameTracker.start_span("while disabled").end()
	var stats: Dictionary = GameTracker.get_stats()
	t.eq(stats["logs"]["dropped"]["disabled"], 2, "the unsent log and the later one count as disabled")
	t.eq(stats["metrics"]["dropped"]["disabled"], 1, "the unsent metric counts as disabled")
	t.eq(stats["traces"]["dropped"]["disabled"], 1, "a span ended while disabled counts as disabled")
	t.eq(stats["logs"]["sent"], 0, "nothing was sent")
	t.check_accounting(stats, "disabled")

	GameTracker.set_enabled(true)
	t.eq(GameTracker.is_active(), true, "active again")
	t.check(GameTracker.get_session_id() != first_session, "a new session after consent is given again")
	GameTracker.log_info("after consent was given again")
	t.eq(GameTracker.flush_and_wait(5.0), true, "flushed")
	stats = GameTracker.get_stats()
	t.eq(stats["logs"]["sent"], 1, "the new session sends")
	t.check_accounting(stats, "enabled again")
