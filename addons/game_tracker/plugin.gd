@tool
extends EditorPlugin
## Enabling the plugin registers the `GameTracker` autoload; disabling removes it.

const AUTOLOAD_NAME := "GameTracker"
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"


func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD_NAME, AUTOLOAD_PATH)


func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD_NAME)
