extends RefCounted
## The in-game overlay (run with a display: tests/tests/screenshots.rs): it
## shows the tracker's state over the game, the `overlay_key` toggles it, and
## a screenshot of it is taken (GAMETRACKER_SCREENSHOT_DIR).


func run(t) -> void:
	var tree: SceneTree = GameTracker.get_tree()
	RenderingServer.set_default_clear_color(Color(0.16, 0.26, 0.22))
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "overlay", "flush_interval": 0.5, "overlay_key": "F9"}),
		true, "init")
	t.eq(GameTracker.is_overlay_visible(), false, "off by default")
	var f9 := InputEventKey.new()
	f9.keycode = KEY_F9
	f9.pressed = true
	Input.parse_input_event(f9)
	await tree.process_frame
	await tree.process_frame
	t.eq(GameTracker.is_overlay_visible(), true, "the overlay key shows it")
	GameTracker.show_overlay(false)
	t.eq(GameTracker.is_overlay_visible(), false, "hidden")
	GameTracker.show_overlay(true)
	# A second of a game's events, so events/s and the counters move; and
	# at least 10 frames, so the overlay's Timer (at most once a frame) has
	# read the stats twice however slow the frames are.
	var until := Time.get_ticks_msec() + 1200
	var i := 0
	while Time.get_ticks_msec() < until or i < 10:
		GameTracker.log_info("enemy_hit", {"damage": i % 13})
		GameTracker.increment("enemies_killed", {"weapon": "sword"})
		GameTracker.start_span("ai_think").end()
		i += 1
		await tree.process_frame
	var overlay: CanvasLayer = GameTracker.get_node("GameTrackerOverlay")
	var text: String = overlay.get_child(0).get_child(0).text
	t.check(text.contains("session " + GameTracker.get_session_id()), "the session: " + text)
	# The rate line starts with the rate ("%.1f events/s"): a rate of
	# 180.0 is fine, only exactly 0.0 is not.
	var rate_line := ""
	for line in text.split("\n"):
		if line.contains(" events/s"):
			rate_line = line
	t.check(rate_line != "" and not rate_line.begins_with("0.0 events/s"), "events per second: " + text)
	t.check(text.contains("logs     produced"), "a row per signal: " + text)
	var image := tree.root.get_texture().get_image()
	t.check(image != null and image.get_width() > 0, "the viewport has pixels")
	if image == null:
		return
	# Not blank: the panel (top left) holds text of many shades.
	var shades := {}
	for y in range(14, 160, 2):
		for x in range(14, 520, 2):
			shades[image.get_pixel(x, y).to_rgba32()] = true
	t.check(shades.size() > 20, "the overlay is drawn (%d shades in its corner)" % shades.size())
	var dir := OS.get_environment("GAMETRACKER_SCREENSHOT_DIR")
	if dir != "":
		t.eq(image.save_png(dir.path_join("overlay.png")), OK, "screenshot saved")
