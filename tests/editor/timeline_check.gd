@tool
extends EditorPlugin
## Test only (tests/tests/screenshots.rs puts it into a copy of the GDScript
## tests' project whose main scene is the hitch game): plays the hitch game
## from the editor, reads the GameTracker tab's live timeline, then opens the
## local store file the game wrote (GAMETRACKER_TEST_STORE_DIR) in the same
## timeline, clicks a hitch, takes a screenshot (GAMETRACKER_SCREENSHOT_DIR)
## of the Timeline page, writes `result.json` into GAMETRACKER_EDITOR_TEST_OUT
## and quits.

const DebuggerCheck := preload("debugger_check.gd")


func _enter_tree() -> void:
	if OS.get_environment("GAMETRACKER_EDITOR_TEST_OUT") != "":
		_run.call_deferred()


func _run() -> void:
	var out := OS.get_environment("GAMETRACKER_EDITOR_TEST_OUT")
	var result := {"played": false}
	var tree := get_tree()
	await tree.create_timer(3.0).timeout
	EditorInterface.play_main_scene()
	var deadline := Time.get_ticks_msec() + 120_000
	while not EditorInterface.is_playing_scene() and Time.get_ticks_msec() < deadline:
		await tree.process_frame
	result["played"] = EditorInterface.is_playing_scene()
	while EditorInterface.is_playing_scene() and Time.get_ticks_msec() < deadline:
		await tree.process_frame
	await tree.create_timer(1.0).timeout
	var tab: Control = null
	for t in EditorInterface.get_base_control().find_children("GameTracker", "", true, false):
		if t.has_method("open_file"):
			tab = t
	result["tab_found"] = tab != null
	if tab == null:
		_finish(out, result)
		return
	result["live"] = tab.timeline.summary()
	var file := OS.get_environment("GAMETRACKER_TEST_STORE_DIR").path_join("telemetry.db")
	result["open_error"] = tab.open_file(file)
	result["file"] = tab.timeline.summary()
	# A click on the first stall's marker shows its context.
	var first := -1
	for i in tab.timeline.hitches.size():
		if not tab.timeline.hitches[i]["frozen"] and first < 0:
			first = i
	if DisplayServer.get_name() != "headless":
		DebuggerCheck.show_tab(tab)
		tab.show_page("Timeline")
		for i in 10:
			await tree.process_frame
	if first >= 0:
		var click := InputEventMouseButton.new()
		click.button_index = MOUSE_BUTTON_LEFT
		click.pressed = true
		click.position = tab.timeline.hitch_position(first)
		tab.timeline._gui_input(click)
		result["selected"] = tab.timeline.selected
		result["details"] = tab._hitch_details.get_parsed_text()
	if DisplayServer.get_name() != "headless":
		for i in 10:
			await tree.process_frame
		var image := tab.get_viewport().get_texture().get_image()
		var panel := DebuggerCheck.panel_of(tab)
		var area := Rect2i(panel.get_global_rect()).grow(4).intersection(Rect2i(Vector2i.ZERO, image.get_size()))
		image = image.get_region(area)
		var body := Rect2i(tab.timeline.get_global_rect())
		result["timeline_rect"] = [body.position.x - area.position.x, body.position.y - area.position.y,
			body.size.x, body.size.y]
		var shots := OS.get_environment("GAMETRACKER_SCREENSHOT_DIR")
		image.save_png((shots if shots != "" else out).path_join("debugger_timeline.png"))
	_finish(out, result)


func _finish(out: String, result: Dictionary) -> void:
	var file := FileAccess.open(out.path_join("result.json"), FileAccess.WRITE)
	file.store_string(JSON.stringify(result))
	file.close()
	get_tree().quit()
