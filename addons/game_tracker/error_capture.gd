extends Logger
## Engine errors, script errors, `push_error` and `push_warning`, captured
## through Godot's Logger (4.5+) and sent as error/warn logs with file, line,
## function and the script backtrace.
##
## Godot may call a Logger from any thread, and the tracker's API is
## main-thread only: errors wait here under a mutex, and the tracker sends
## them from the main thread at the end of the frame they were queued in
## (`drain`, called only when something waits).
## The tracker's own warnings and errors are never captured (the native side
## marks them while it prints them), so a warning about a captured error
## cannot feed itself; a game's own message is captured whatever its text.

## Errors waiting for the next frame; more are counted in `overflowed`.
const MAX_WAITING := 256
## At most this many are sent per frame: an error in `_process` on many
## nodes cannot turn into thousands of log lines a second.
const MAX_PER_FRAME := 10
## One log line per source line (file:line) per this many milliseconds; the
## repeats in between are counted in the next line's `data.repeated`.
const SAME_LINE_INTERVAL_MS := 1000

const TYPES := ["error", "warning", "script", "shader"]

var _mutex := Mutex.new()
var _waiting: Array = []
## Errors not sent because of a limit (waiting list full, per-frame cap,
## or a repeat of the same line within a second).
var overflowed := 0
## file:line → [last sent (ms), repeats since].
var _last_sent := {}


func _log_error(function: String, file: String, line: int, code: String, rationale: String,
		_editor_notify: bool, error_type: int, script_backtraces: Array[ScriptBacktrace]) -> void:
	if GameTrackerClient._is_printing_own_output():
		return
	var message := rationale if rationale != "" else code
	var backtrace := ""
	var engine_source := ""
	for bt in script_backtraces:
		if bt.is_empty():
			continue
		backtrace += bt.format(0, 2)
		if engine_source == "":
			# The script line that led here is the useful source; the C++
			# location is kept for engine errors (for push_error it is
			# push_error itself).
			if function not in ["push_error", "push_warning"]:
				engine_source = "%s:%d (%s)" % [file, line, function]
			file = bt.get_frame_file(0)
			line = bt.get_frame_line(0)
			function = bt.get_frame_function(0)
	_mutex.lock()
	if _waiting.size() < MAX_WAITING:
		_waiting.append([error_type, message, file, line, function, backtrace, engine_source])
	else:
		overflowed += 1
	_mutex.unlock()
	# After the append: a frame that sees the flag finds the error queued.
	GameTrackerClient._captured_error_waiting()


## Sends what waited, within the limits. Called on the main thread.
func drain(tracker: Node) -> void:
	_mutex.lock()
	var batch := _waiting
	_waiting = []
	_mutex.unlock()
	var now := Time.get_ticks_msec()
	var sent := 0
	for e in batch:
		var key := "%s:%d" % [e[2], e[3]]
		var last: Array = _last_sent.get(key, [-SAME_LINE_INTERVAL_MS, 0])
		if sent >= MAX_PER_FRAME or now - last[0] < SAME_LINE_INTERVAL_MS:
			last[1] += 1
			_last_sent[key] = last
			overflowed += 1
			continue
		var data := {"source": "engine", "type": TYPES[e[0]] if e[0] < TYPES.size() else str(e[0]),
			"file": e[2], "line": e[3], "function": e[4]}
		if e[5] != "":
			data["backtrace"] = e[5]
		if e[6] != "":
			data["engine_source"] = e[6]
		if last[1] > 0:
			data["repeated"] = last[1]
		_last_sent[key] = [now, 0]
		if e[0] == ERROR_TYPE_WARNING:
			tracker.log_warn(e[1], data)
		else:
			tracker.log_error(e[1], data)
		sent += 1
