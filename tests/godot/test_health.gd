extends RefCounted
## Release health in a real game process. tests/tests/release_health.rs
## launches this several times against one `session_dir` and decides how each
## launch ends, by GAMETRACKER_HEALTH_MODE:
## - "clean": play, then the runner quits normally;
## - "kill": play, print "health: ready", then wait to be killed (SIGKILL);
## - "kill-paused": the same after a mobile pause (sent to the background);
## - "crash": play, then OS.crash() (Godot's crash handler runs);
## - "wait": play, print "health: ready", stay until the harness creates the
##   file GAMETRACKER_TEST_RELEASE (at most 60 s), then quit normally;
## - "kill-writing": play, then log 200 lines a frame into the local store
##   (GAMETRACKER_TEST_STORE_DIR) and print "health: stored N" (the rows it
##   has committed) each frame, until killed (at most 60 s).
## With GAMETRACKER_TEST_STORE_DIR set, every mode writes the local store there.


func run(t) -> void:
	var mode := OS.get_environment("GAMETRACKER_HEALTH_MODE")
	Engine.max_fps = 60
	var config := {
		"endpoint": t.endpoint(),
		"game": "health-test",
		"version": OS.get_environment("GAMETRACKER_TEST_VERSION"),
		"release_health": true,
		"vitals": true,
		"session_dir": OS.get_environment("GAMETRACKER_TEST_SESSION_DIR"),
		"breadcrumbs": 5,
		"flush_interval": 0.5,
	}
	if OS.get_environment("GAMETRACKER_TEST_STORE_DIR") != "":
		config["local_store"] = "on"
		config["local_store_dir"] = OS.get_environment("GAMETRACKER_TEST_STORE_DIR")
	if OS.get_environment("GAMETRACKER_TEST_METRICS_URL") != "":
		config["metrics_url"] = OS.get_environment("GAMETRACKER_TEST_METRICS_URL")
	t.eq(GameTracker.init(config), true, "init")
	print("health: session %s (%s)" % [GameTracker.get_session_id(), mode])
	for i in 3:
		GameTracker.log_info("step", {"i": i})
		await t.get_tree().process_frame
	GameTracker.add_breadcrumb("shop", "opened", {"tab": "swords"})
	var span = GameTracker.start_span("boss_fight")
	await t.get_tree().process_frame
	span.end()
	t.eq(GameTracker.flush_and_wait(5.0), true, "flushed")
	match mode:
		"kill", "kill-paused":
			if mode == "kill-paused":
				GameTracker.notification(Node.NOTIFICATION_APPLICATION_PAUSED)
			print("health: ready")
			await t.get_tree().create_timer(60.0).timeout
		"kill-writing":
			var give_up := Time.get_ticks_msec() + 60_000
			var line := 0
			while Time.get_ticks_msec() < give_up:
				for i in 200:
					GameTracker.log_info("busy", {"line": line})
					line += 1
				print("health: stored %d" % GameTracker.get_stats()["local_store"]["rows_written"])
				await t.get_tree().process_frame
		"crash":
			OS.crash("test_health: crashing on purpose")
		"wait":
			print("health: ready")
			# Until the harness has seen every instance running, however long
			# the others took to start.
			var release := OS.get_environment("GAMETRACKER_TEST_RELEASE")
			var give_up := Time.get_ticks_msec() + 60_000
			while not FileAccess.file_exists(release) and Time.get_ticks_msec() < give_up:
				await t.get_tree().create_timer(0.1).timeout
