@tool
extends "debugger_check.gd"
## Test only (tests/tests/screenshots.rs puts it into a copy of the GDScript
## tests' project whose main scene is the hitch game): plays the hitch game
## from the editor, reads the GameTracker tab's live timeline, then opens the
## local store file the game wrote (GAMETRACKER_TEST_STORE_DIR) in the same
## timeline, picks the file's older session in the session picker and
## comes back to the latest, clicks a hitch, takes a screenshot (GAMETRACKER_SCREENSHOT_DIR)
## of the Timeline page, writes `result.json` into GAMETRACKER_EDITOR_TEST_OUT
## and quits.


func _run() -> void:
	var out := OS.get_environment("GAMETRACKER_EDITOR_TEST_OUT")
	var result := {}
	var tree := get_tree()
	var tab: Control = await _play_main_scene(result)
	if tab == null:
		_finish(out, result)
		return
	result["live"] = tab.timeline.summary()
	var file := OS.get_environment("GAMETRACKER_TEST_STORE_DIR").path_join("telemetry.db")
	result["open_error"] = tab.open_file(file)
	result["file"] = tab.timeline.summary()
	# The file's sessions, latest first: pick the older one, then back.
	var picker: OptionButton = tab._session_picker
	result["picker_visible"] = picker.visible
	result["picker"] = range(picker.item_count).map(func(i): return picker.get_item_text(i))
	if picker.item_count > 1:
		picker.select(1)
		picker.item_selected.emit(1)
		result["older"] = tab.timeline.summary()
		result["older_source"] = tab._timeline_source.text
		picker.select(0)
		picker.item_selected.emit(0)
		result["back"] = tab.timeline.summary()
	# A click on the first stall's marker shows its context.
	var first := -1
	for i in tab.timeline.hitches.size():
		if not tab.timeline.hitches[i]["frozen"] and first < 0:
			first = i
	if DisplayServer.get_name() != "headless":
		show_tab(tab)
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
		result["timeline_rect"] = save_shot(tab, tab.timeline, "debugger_timeline.png", out)
	_finish(out, result)
