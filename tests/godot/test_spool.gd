extends RefCounted
## The offline spool through the engine, in two launches: `spool: true`
## keeps what a dead receiver did not take under user://, and the next
## launch sends it (the harness checks what arrived).

const SPOOL := "user://game_tracker/spool"


func run(t) -> void:
	match OS.get_environment("GAMETRACKER_TEST_PHASE"):
		"offline":
			for f in DirAccess.get_files_at(SPOOL):
				DirAccess.remove_absolute(SPOOL.path_join(f))
			t.eq(GameTracker.init({"endpoint": OS.get_environment("GAMETRACKER_TEST_DEAD"), "game": "spool",
				"spool": true, "request_timeout": 0.5, "flush_interval": 60.0}), true, "init with a spool")
			GameTracker.log_info("written while offline")
			GameTracker.increment("offline")
			GameTracker.shutdown(1.0)
			t.eq(DirAccess.get_files_at(SPOOL).size(), 2, "a log batch and a metrics snapshot on disk")
		"online":
			t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "spool", "spool": true, "flush_interval": 60.0}), true,
				"init with a spool")
			t.eq(GameTracker.flush_and_wait(10.0), true, "the spool is sent")
			var stats: Dictionary = GameTracker.get_stats()
			t.eq(stats["logs"]["replayed"], 1, "the offline line was read back")
			t.eq(stats["logs"]["sent"], 1, "and sent")
			t.eq(stats["metrics"]["replayed"], 1, "the offline increment was read back")
			t.check_accounting(stats, "after the replay")
			t.eq(DirAccess.get_files_at(SPOOL).size(), 0, "sent batches are deleted")
		var phase:
			t.check(false, "unknown phase '%s'" % phase)
