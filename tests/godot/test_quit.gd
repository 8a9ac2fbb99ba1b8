extends RefCounted
## Pausing and quitting with a logs receiver that never answers: a mobile
## pause sends and waits at most `quit_timeout`; quitting (the runner calls
## get_tree().quit() after this) does the same, so the game still exits
## promptly. The harness times the whole process.


func run(t) -> void:
	var hole := OS.get_environment("GAMETRACKER_TEST_BLACKHOLE")
	t.eq(GameTracker.init({
		"logs_url": hole + "/loki/api/v1/push",
		"metrics_url": t.endpoint() + "/api/v1/metrics/write",
		"game": "quit-test",
		"flush_interval": 60.0,
		"quit_timeout": 1.0,
		"request_timeout": 60.0,
	}), true, "init")
	GameTracker.increment("paused")
	GameTracker.log_info("never answered")
	var started := Time.get_ticks_msec()
	GameTracker.notification(Node.NOTIFICATION_APPLICATION_PAUSED)
	var waited := Time.get_ticks_msec() - started
	# At least the deadline (the send is never answered), and far under the
	# 60 s request timeout: ten times quit_timeout, for a busy machine.
	t.check(waited >= 900 and waited < 10000, "a pause waits for the send, at most quit_timeout: %d ms" % waited)
	t.eq(GameTracker.get_stats()["metrics"]["sent"], 1, "metrics were sent before the pause returned")
	for i in 100:
		GameTracker.log_info("before quit", {"i": i})
	# The harness times the quit from here to the process's exit (start-up
	# left out): the same clock on both sides.
	print("quit-test: quitting at %d" % int(Time.get_unix_time_from_system() * 1000.0))
