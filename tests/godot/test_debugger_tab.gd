extends RefCounted
## The editor's GameTracker tab (addons/game_tracker/debugger/tab.gd) given
## the messages a game sends it: records of its own feed version are read;
## those of another version (a game with another version of the addon) are
## not read at all, and the tab says so where it is seen. A hitch is made
## with the game's settings (its frozen frames), not the editor's defaults.

const Tab := preload("res://addons/game_tracker/debugger/tab.gd")


func run(t) -> void:
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "debugger-tab", "flush_interval": 60.0}), true, "init")
	GameTracker._set_debugger_feed(true)
	GameTracker.log_info("seen by the tab", {"n": 1})
	GameTracker.increment("tab_counter")
	# What game_tracker.gd's `_send_to_debugger` sends.
	var batch: Dictionary = GameTracker._take_debugger_events(true)
	GameTracker._set_debugger_feed(false)
	var ours: int = GameTrackerClient._debugger_feed_version()
	t.eq(batch["version"], ours, "the feed carries this build's version")
	var message := [batch["records"], batch["overflow"], null, GameTracker.get_session_id(), batch["version"]]

	var tab := Tab.new()
	t.add_child(tab)
	tab.add_message(message)
	var counts: Dictionary = tab.counts()
	t.eq(counts["received"], {"logs": 1, "metrics": 1, "traces": 0}, "the same version's records are read")
	t.eq(counts["version_message"], "", "nothing to say for the same version")

	# The same bytes, said to be of another version: not read, and said.
	tab.clear()
	var other := message.duplicate()
	other[4] = ours + 1
	tab.add_message(other)
	counts = tab.counts()
	t.eq(counts["received"], {"logs": 0, "metrics": 0, "traces": 0}, "another version's records are not read")
	var said: String = counts["version_message"]
	t.check(said.contains("version %d" % (ours + 1)) and said.contains("reads version %d" % ours),
		"the tab names both versions: " + said)
	t.check(tab._version_label.is_visible_in_tree(), "the message is shown in the tab")

	# A game from before the feed had a version sends four items.
	tab.clear()
	t.check(not tab._version_label.is_visible_in_tree(), "a new run starts without the message")
	tab.add_message(message.slice(0, 4))
	counts = tab.counts()
	t.eq(counts["received"]["logs"], 0, "a feed with no version is not read")
	t.check(counts["version_message"].contains("older addon"), "the tab says the game's addon is older: "
		+ counts["version_message"])
	tab.queue_free()

	# The local store: the Health page says where it is and how big, and its
	# button asks the game, which writes export-<time>.db beside the store.
	GameTracker.shutdown()
	var store_dir := OS.get_user_data_dir().path_join("debugger_tab_store")
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "debugger-tab", "local_store": "on",
		"local_store_dir": store_dir}), true, "init with a local store")
	GameTracker.log_info("stored", {})
	t.eq(GameTracker.flush_and_wait(5.0), true, "flushed")
	var store_tab := Tab.new()
	t.add_child(store_tab)
	store_tab.add_message([[], 0, GameTracker.get_stats(), GameTracker.get_session_id(), ours])
	store_tab._redraw()
	counts = store_tab.counts()
	t.check(counts["store"].contains(store_dir.path_join("telemetry.db")) and counts["store"].contains("rows written"),
		"the page shows the store: " + counts["store"])
	t.eq(counts["export_enabled"], true, "export is offered")
	var asked := [false]
	store_tab.export_requested.connect(func(): asked[0] = true)
	store_tab._export_button.pressed.emit()
	t.eq(asked[0], true, "the button asks")
	# What the game does with the editor's message (debugger_plugin.gd sends it).
	t.eq(GameTracker._on_editor_message("export_local", []), true, "the game takes the message")
	t.eq(GameTracker.flush_and_wait(5.0), true, "the export is written")
	var export: Dictionary = GameTracker.get_stats()["local_store"]["last_export"]
	t.check(export["error"] == "" and export["rows"] > 0 and FileAccess.file_exists(export["path"])
		and export["path"].get_base_dir() == store_dir, "exported beside the store: %s" % export)
	store_tab.add_message([[], 0, GameTracker.get_stats(), GameTracker.get_session_id(), ours])
	store_tab._redraw()
	t.check(store_tab.counts()["store"].contains("last export: " + export["path"]), "and the page says where")
	store_tab.queue_free()
	GameTracker.shutdown()
	for file in DirAccess.get_files_at(store_dir):
		DirAccess.remove_absolute(store_dir.path_join(file))
	await _check_hitch_settings(t)


## A 150 ms frame in a game whose frozen frames start at 100 ms: the tab
## marks it frozen, as the game's worker does (the default is 700 ms).
func _check_hitch_settings(t) -> void:
	GameTracker.shutdown()
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "debugger-tab", "capture_hitches": true,
		"hitch_threshold_ms": 60, "frozen_frame_ms": 100, "max_hitches_per_minute": 5}), true, "init with hitches")
	GameTracker._set_debugger_feed(true)
	var tree := GameTracker.get_tree()
	for i in 3:
		await tree.process_frame
	GameTracker._take_debugger_events(true)
	OS.delay_msec(150)
	for i in 2:
		await tree.process_frame
	var batch: Dictionary = GameTracker._take_debugger_events(true)
	GameTracker._set_debugger_feed(false)
	t.eq(batch["hitches"], [100.0, 5], "the feed carries the game's frozen frame and budget")
	var tab := Tab.new()
	t.add_child(tab)
	tab.add_message([batch["records"], batch["overflow"], null, GameTracker.get_session_id(), batch["version"],
		batch["hitches"]])
	var stalled: Array = tab.timeline.hitches.filter(func(h): return h["duration_ms"] >= 150.0)
	t.check(not stalled.is_empty() and stalled.all(func(h): return h["frozen"] and h["duration_ms"] < 700.0),
		"the stalled frame, frozen by the game's setting: %s" % [tab.timeline.hitches])
	tab.queue_free()
	GameTracker.shutdown()
