@tool
extends EditorPlugin
## Enabling the plugin registers the `GameTracker` autoload; disabling
## removes it. While enabled, Project Settings show `game_tracker/config/…`
## and the editor's Debugger panel has a GameTracker tab while a game runs.

const AUTOLOAD_NAME := "GameTracker"
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"
const Settings := preload("res://addons/game_tracker/settings.gd")
const DebuggerPlugin := preload("res://addons/game_tracker/debugger/debugger_plugin.gd")

## The Debugger panel's GameTracker tab (one per game session).
var debugger: DebuggerPlugin


func _enter_tree() -> void:
	Settings.register()
	debugger = DebuggerPlugin.new()
	add_debugger_plugin(debugger)


func _exit_tree() -> void:
	if debugger != null:
		remove_debugger_plugin(debugger)
		debugger = null


func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD_NAME, AUTOLOAD_PATH)
	Settings.register()
	ProjectSettings.save()


func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD_NAME)
	ProjectSettings.save()
