@tool
extends EditorPlugin
## Test only (tests/tests/screenshots.rs puts it into a copy of the demo):
## plays the main scene from the editor, waits for the game to end, reads
## what GameTracker's debugger tab received, shows the tab and takes a
## screenshot of each page (GAMETRACKER_SCREENSHOT_DIR), writes
## `result.json` into GAMETRACKER_EDITOR_TEST_OUT, quits.

const PAGES := ["Logs", "Metrics", "Traces", "Health"]


func _enter_tree() -> void:
	if OS.get_environment("GAMETRACKER_EDITOR_TEST_OUT") != "":
		_run.call_deferred()


func _run() -> void:
	var out := OS.get_environment("GAMETRACKER_EDITOR_TEST_OUT")
	var result := {}
	var tree := get_tree()
	var tab: Control = await _play_main_scene(result)
	if tab != null:
		result["counts"] = tab.counts()
		if DisplayServer.get_name() == "headless":
			_finish(out, result)
			return
		show_tab(tab)
		for page in PAGES:
			tab.show_page(page)
			for i in 10:
				await tree.process_frame
			result.get_or_add("pages", {})[page.to_lower()] = save_shot(tab,
				tab._tabs.get_current_tab_control(), "debugger_%s.png" % page.to_lower(), out)
	_finish(out, result)


## Saves the Debugger panel, from its tab bar down, as `file_name` (in
## GAMETRACKER_SCREENSHOT_DIR, else `out`); returns where `body` is in the
## picture ([x, y, width, height]), for the test to read its pixels
## (tests/tests/screenshots.rs).
static func save_shot(tab: Control, body_control: Control, file_name: String, out: String) -> Array:
	var image := tab.get_viewport().get_texture().get_image()
	var area := Rect2i(panel_of(tab).get_global_rect()).grow(4).intersection(Rect2i(Vector2i.ZERO, image.get_size()))
	image = image.get_region(area)
	var body := Rect2i(body_control.get_global_rect())
	var shots := OS.get_environment("GAMETRACKER_SCREENSHOT_DIR")
	image.save_png((shots if shots != "" else out).path_join(file_name))
	return [body.position.x - area.position.x, body.position.y - area.position.y, body.size.x, body.size.y]


## Plays the main scene from the editor, waits (at most 2 minutes) for it
## to end and returns the GameTracker tab, or null; `result` gets `played`
## and `tab_found` (timeline_check.gd plays the same way).
func _play_main_scene(result: Dictionary) -> Control:
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
		if t.has_method("counts"):
			tab = t
	result["tab_found"] = tab != null
	return tab


func _finish(out: String, result: Dictionary) -> void:
	var file := FileAccess.open(out.path_join("result.json"), FileAccess.WRITE)
	file.store_string(JSON.stringify(result))
	file.close()
	get_tree().quit()


## Makes the Debugger panel visible with the GameTracker tab selected
## (timeline_check.gd uses it too).
static func show_tab(tab: Control) -> void:
	var node: Node = tab
	while node != null:
		if node is TabContainer:
			node.current_tab = node.get_tab_idx_from_control(_child_towards(node, tab))
		if node is Control and not node.visible:
			node.visible = true
		node = node.get_parent()
	# The bottom panel's Debugger button, where the panel is opened.
	for button in EditorInterface.get_base_control().find_children("*", "Button", true, false):
		if button.text.begins_with("Debugger") and button.toggle_mode and not button.button_pressed:
			button.button_pressed = true
			button.toggled.emit(true)
	tab.grab_focus()


## The debugger's TabContainer holding `tab` (Evaluator, Profiler, …, GameTracker).
static func panel_of(tab: Control) -> Control:
	var node: Node = tab.get_parent()
	while node != null and not node is TabContainer:
		node = node.get_parent()
	return node if node != null else tab


static func _child_towards(container: Node, target: Node) -> Control:
	var node := target
	while node.get_parent() != container:
		node = node.get_parent()
	return node
