@tool
extends EditorPlugin
## Enabling the plugin registers the `GameTracker` autoload; disabling
## removes it. While enabled, Project Settings show `game_tracker/config/…`,
## the editor's Debugger panel has a GameTracker tab while a game runs, and
## exports for a platform with no library get the stand-in
## (export_plugin.gd).
##
## On a machine that game_tracker.gdextension has no library for, the
## native classes do not exist: the plugin says so once, and loads nothing
## that names them.

const AUTOLOAD_NAME := "GameTracker"
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"
const SETTINGS_PATH := "res://addons/game_tracker/settings.gd"
const DEBUGGER_PLUGIN_PATH := "res://addons/game_tracker/debugger/debugger_plugin.gd"
const Output := preload("res://addons/game_tracker/output.gd")
const ExportPlugin := preload("res://addons/game_tracker/export_plugin.gd")
const Libraries := preload("res://addons/game_tracker/libraries.gd")

## The Debugger panel's GameTracker tab (one per game session).
var debugger: EditorDebuggerPlugin
var export_plugin: ExportPlugin


func _enter_tree() -> void:
	export_plugin = ExportPlugin.new()
	add_export_plugin(export_plugin)
	if not _has_library():
		return
	load(SETTINGS_PATH).register()
	debugger = load(DEBUGGER_PLUGIN_PATH).new()
	add_debugger_plugin(debugger)


func _exit_tree() -> void:
	if debugger != null:
		remove_debugger_plugin(debugger)
		debugger = null
	if export_plugin != null:
		remove_export_plugin(export_plugin)
		export_plugin = null


func _enable_plugin() -> void:
	add_autoload_singleton(AUTOLOAD_NAME, AUTOLOAD_PATH)
	if ClassDB.class_exists("GameTrackerClient"):
		load(SETTINGS_PATH).register()
	ProjectSettings.save()


func _disable_plugin() -> void:
	remove_autoload_singleton(AUTOLOAD_NAME)
	ProjectSettings.save()


## True when the native library is loaded; otherwise says why, once.
func _has_library() -> bool:
	if ClassDB.class_exists("GameTrackerClient"):
		return true
	var features := PackedStringArray([OS.get_name().to_lower(), Engine.get_architecture_name()])
	push_error(Output.PREFIX + "%s has no library for this editor's platform (%s), so the game cannot run here with it: build one (scripts/build.sh, docs/contributing.md, \"Other platforms\") or add its line. Exports for platforms it has no library for get the stand-in, where every call does nothing."
		% [Libraries.EXTENSION_PATH, ".".join(features)])
	return false
