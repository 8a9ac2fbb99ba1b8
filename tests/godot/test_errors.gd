extends RefCounted
## Engine and script errors become logs (the harness decodes them): file,
## line, function and backtrace; one line per source line per second with
## the repeats counted; at most 10 a frame; the tracker's own warnings are
## never captured.


func _fail_repeatedly() -> void:
	for i in 50:
		push_error("boom in a loop")


func _twelve_errors_in_one_frame() -> void:
	push_error("burst 1")
	push_error("burst 2")
	push_error("burst 3")
	push_error("burst 4")
	push_error("burst 5")
	push_error("burst 6")
	push_error("burst 7")
	push_error("burst 8")
	push_error("burst 9")
	push_error("burst 10")
	push_error("burst 11")
	push_error("burst 12")


# Below the functions above: the harness checks the line of their errors.
const ErrorCapture := preload("res://addons/game_tracker/error_capture.gd")


func run(t) -> void:
	t.eq(GameTracker.init({"endpoint": t.endpoint(), "game": "errors", "capture_errors": true, "flush_interval": 60.0}),
		true, "init")
	var tree: SceneTree = GameTracker.get_tree()
	_fail_repeatedly()
	push_warning("careful")
	# A game's own error is captured whatever its text.
	push_error("GameTrackerHUD: texture missing")
	var node := Node.new()
	node.add_child(node)
	node.free()
	GameTracker.log_info("bad data", "not a dictionary")
	await tree.process_frame
	await tree.process_frame
	t.eq(GameTracker.get_errors_not_sent(), 49, "the loop's repeats within a second are held back")
	# The loop was sent by now: wait out its window on the clock the capture
	# reads (a Timer counts frame deltas, which need not add up to it).
	var window_from := Time.get_ticks_msec()
	while Time.get_ticks_msec() - window_from <= ErrorCapture.SAME_LINE_INTERVAL_MS:
		await tree.process_frame
	_fail_repeatedly()
	await tree.process_frame
	await tree.process_frame
	_twelve_errors_in_one_frame()
	await tree.process_frame
	await tree.process_frame
	t.eq(GameTracker.get_errors_not_sent(), 49 + 49 + 2, "the burst is cut at 10 a frame")
	t.eq(GameTracker.flush_and_wait(10.0), true, "sent")
