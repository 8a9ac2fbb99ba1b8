extends RefCounted
## Starting from Project Settings (the harness writes them to override.cfg):
## with no code at all, and with an `init` whose keys override them.


func run(t) -> void:
	var tree: SceneTree = GameTracker.get_tree()
	match OS.get_environment("GAMETRACKER_TEST_PHASE"):
		"auto":
			t.eq(GameTracker.is_active(), false, "waits for the end of the first frame (an init may come first)")
			await tree.process_frame
			await tree.process_frame
			t.eq(GameTracker.is_active(), true, "started from Project Settings with no code")
			GameTracker.log_debug("below min_level from the settings")
			GameTracker.log_info("from settings")
		"override":
			t.eq(GameTracker.init({"environment": "override"}), true, "init with settings underneath")
			await tree.process_frame
			await tree.process_frame
			t.eq(GameTracker.get_stats()["logs"]["produced"], 0, "the settings did not start a second tracker")
			GameTracker.log_info("overridden")
		var phase:
			t.check(false, "unknown phase '%s'" % phase)
	t.eq(GameTracker.flush_and_wait(10.0), true, "sent")
