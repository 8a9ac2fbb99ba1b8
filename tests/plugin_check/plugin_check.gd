@tool
extends EditorPlugin
## Test-only: toggles the GameTracker plugin the way the Plugins tab does and
## prints what Project Settings held after each step (GAMETRACKER_PLUGIN_CHECK=1),
## or only enables it, as a developer does after unpacking the addon
## (GAMETRACKER_PLUGIN_ENABLE=1). Run by tests/tests/godot.rs and
## tests/tests/package.rs in a headless editor (not during the import).


func _enter_tree() -> void:
	if OS.get_environment("GAMETRACKER_PLUGIN_CHECK") == "1":
		_check.call_deferred()
	elif OS.get_environment("GAMETRACKER_PLUGIN_ENABLE") == "1":
		_enable.call_deferred()


func _enable() -> void:
	EditorInterface.set_plugin_enabled("game_tracker", true)
	print("plugin-enable: autoload=%s" % ProjectSettings.has_setting("autoload/GameTracker"))
	get_tree().quit()


func _check() -> void:
	var before := ProjectSettings.has_setting("autoload/GameTracker")
	EditorInterface.set_plugin_enabled("game_tracker", true)
	var autoload_on := ProjectSettings.has_setting("autoload/GameTracker")
	var settings_on := ProjectSettings.has_setting("game_tracker/config/endpoint")
	EditorInterface.set_plugin_enabled("game_tracker", false)
	var autoload_off := not ProjectSettings.has_setting("autoload/GameTracker")
	print("plugin-check: before=%s autoload_on=%s settings_on=%s autoload_off=%s" % [before, autoload_on, settings_on, autoload_off])
	get_tree().quit()
