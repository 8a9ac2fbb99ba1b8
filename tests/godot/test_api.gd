extends RefCounted
## The whole API surface, called the way docs/api.md shows, against the
## harness's loopback receiver. The harness then decodes what arrived.


func run(t) -> void:
	# Before init: calls are harmless and counted.
	t.eq(GameTracker.is_active(), false, "inactive before init")
	GameTracker.log_info("too early")
	GameTracker.increment("too_early")
	var early := GameTracker.start_span("too_early")
	early.end()
	t.eq(early.get_trace_id(), "", "inert span has no trace id")
	var stats: Dictionary = GameTracker.get_stats()
	t.eq(stats["logs"]["dropped"]["not_initialized"], 1, "log before init counted")
	t.eq(stats["metrics"]["dropped"]["not_initialized"], 1, "metric before init counted")
	t.eq(stats["traces"]["dropped"]["not_initialized"], 1, "span before init counted")
	for reason in ["queue_full", "backlog_full", "rejected", "send_failed", "retry_exhausted", "too_large", "invalid", "series_limit",
			"no_destination", "shutdown", "disabled", "spool_full", "too_old", "unsampled", "filtered", "wrong_thread"]:
		t.eq(stats["logs"]["dropped"][reason], 0, "every drop reason is present before init: " + reason)

	t.eq(GameTracker.init({
		"endpoint": t.endpoint(),
		"game": "api-test",
		"version": "2.0.0",
		"environment": "test",
		"headers": {"X-Scope-OrgID": "tenant-api"},
		"flush_interval": 60.0,
		"delivery": t.delivery(),
	}), true, "init succeeds")
	t.eq(GameTracker.is_active(), true, "active after init")
	t.eq(GameTracker.init({"game": "again"}), false, "second init is refused")
	var session_id: String = GameTracker.get_session_id()
	var uuid := RegEx.create_from_string("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
	t.check(uuid.search(session_id) != null, "session id is a UUID v4: %s" % session_id)
	print("api-test session ", session_id)

	GameTracker.set_user({"id": "player_123", "tier": "premium"})
	GameTracker.set_context("player", {"health": 100, "level": 5})
	GameTracker.set_tag("build", "demo")
	GameTracker.set_tag("region", "us-west")

	GameTracker.log_info("Player joined", {"player_id": "123"})
	GameTracker.log_warn("Low memory", {"available_mb": 128})
	GameTracker.log_error("Failed to load", {"path": "res://missing.png"})
	GameTracker.log_debug("State change", {"from": "menu", "to": "game"})
	GameTracker.log_info("no data")

	GameTracker.increment("enemies_killed", {"level": "forest"})
	GameTracker.increment("enemies_killed", {"level": "forest"})
	GameTracker.increment("gold_earned", {}, 50)
	GameTracker.increment("plain")
	GameTracker.gauge("player_health", 85, {"player_id": "123"})
	GameTracker.gauge("fps", 59.5)
	GameTracker.histogram("load_time_ms", 1250, {"scene": "level_3"})
	GameTracker.histogram("load_time_ms", 40.0, {"scene": "level_3"})

	var span := GameTracker.start_span("level_load", {"level": "forest"})
	span.set_attribute("assets", 12)
	span.end()
	var parent := GameTracker.start_span("game_session")
	var child := GameTracker.start_span("tutorial", {}, parent)
	var grandchild := GameTracker.start_span("step", {"n": 1}, child)
	t.eq(child.get_trace_id(), parent.get_trace_id(), "child inherits the trace id")
	t.eq(grandchild.get_trace_id(), parent.get_trace_id(), "grandchild inherits the trace id")
	t.eq(parent.get_trace_id().length(), 32, "trace id is 32 hex chars")
	t.eq(parent.get_span_id().length(), 16, "span id is 16 hex chars")
	var traceparent := RegEx.create_from_string("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$")
	t.check(traceparent.search(child.traceparent()) != null, "traceparent is W3C: %s" % child.traceparent())
	t.eq(child.traceparent(), "00-%s-%s-01" % [child.get_trace_id(), child.get_span_id()], "traceparent names the span")
	t.eq(early.traceparent(), "", "an inert span has no traceparent")
	t.check(child.get_span_id() != parent.get_span_id(), "child has its own span id")
	grandchild.set_error("step failed")
	grandchild.end()
	child.end()
	t.eq(child.is_ended(), true, "ended span says so")
	child.end()  # second end: ignored with one warning
	parent.end()

	GameTracker.flush()
	t.eq(GameTracker.flush_and_wait(10.0), true, "flush_and_wait answers")

	stats = GameTracker.get_stats()
	t.eq(stats["active"], true, "stats say active")
	t.eq(stats["session_id"], session_id, "stats carry the session id")
	t.eq(stats["logs"]["sent"], 5, "5 logs sent")
	t.eq(stats["metrics"]["sent"], 8, "8 metric updates sent")
	t.eq(stats["traces"]["sent"], 4, "4 spans sent (the second end() adds none)")
	t.eq(stats["logs"]["requests"], 1, "logs went in one request")
	t.eq(stats["logs"]["last_error"], "", "no error")
	t.check_accounting(stats, "after flush")

	GameTracker.shutdown()
	t.eq(GameTracker.is_active(), false, "inactive after shutdown")
