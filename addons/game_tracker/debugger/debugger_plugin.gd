@tool
extends EditorDebuggerPlugin
## The editor side of the GameTracker debugger tab: each game session run
## from the editor gets a "GameTracker" tab in the Debugger panel, fed by
## the game's `game_tracker:frame` messages (game_tracker.gd sends them
## while a debugger is attached).

const Tab := preload("res://addons/game_tracker/debugger/tab.gd")

## Session id → its tab.
var tabs := {}


func _has_capture(prefix: String) -> bool:
	return prefix == "game_tracker"


func _capture(message: String, data: Array, session_id: int) -> bool:
	var tab: Tab = tabs.get(session_id)
	if tab == null or message != "game_tracker:frame":
		return false
	tab.add_message(data)
	return true


func _setup_session(session_id: int) -> void:
	var tab := Tab.new()
	tab.name = "GameTracker"
	tabs[session_id] = tab
	var session := get_session(session_id)
	session.started.connect(tab.clear)
	session.stopped.connect(tab.session_stopped)
	tab.export_requested.connect(func(): session.send_message("game_tracker:export_local", []))
	session.add_session_tab(tab)
