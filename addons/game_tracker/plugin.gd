@tool
extends EditorPlugin
## Enabling the plugin registers the `GameTracker` autoload; disabling
## removes it. While enabled, Project Settings show `game_tracker/config/…`.

const AUTOLOAD_NAME := "GameTracker"
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"
const Settings := preload("res://addons/game_tracker/settings.gd")


func _enter_tree() -> void:
	Settings.register()


func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD_NAME, AUTOLOAD_PATH)
	Settings.register()
	ProjectSettings.save()


func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD_NAME)
	ProjectSettings.save()
