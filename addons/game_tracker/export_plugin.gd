@tool
extends EditorExportPlugin
## Exports for a platform that no `[libraries]` entry of
## game_tracker.gdextension covers (iOS, 32-bit and Android arm32 builds)
## get the stand-in
## (stand_in/): the autoload's script becomes stand_in/game_tracker.gd, the
## class cache names the stand-in's scripts `GameTrackerClient` and
## `GameTrackerSpan`, and the `.gdextension` stays out, so the game runs with
## every call doing nothing instead of failing to parse. Other exports are
## left as they are.

const Libraries := preload("res://addons/game_tracker/libraries.gd")
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"
const STAND_IN_AUTOLOAD := "res://addons/game_tracker/stand_in/game_tracker.gd"
const STAND_IN_SPAN := "res://addons/game_tracker/stand_in/span.gd"
const CLASS_CACHE := "res://.godot/global_script_class_cache.cfg"
const EXTENSION_LIST := "res://.godot/extension_list.cfg"

## Whether the export under way gets the stand-in.
var _stand_in := false
## The autoload settings pointed at the stand-in for the export under way,
## with their values to put back when it ends.
var _autoloads := {}


func _get_name() -> String:
	return "GameTracker"


func _export_begin(features: PackedStringArray, _is_debug: bool, _path: String, _flags: int) -> void:
	var library := Libraries.library_for(features)
	_stand_in = library == ""
	if not _stand_in:
		# Godot's own export step copies it, and fails the export when it
		# is missing: say how to build it.
		if not FileAccess.file_exists(library):
			push_error("GameTracker: %s is not built, and this export (%s) needs it: build it (README \"Other platforms\"; the Web: scripts/build.sh --release --target web)"
				% [library, ", ".join(features)])
		return
	print("GameTracker: no library in %s for this export (%s): it gets the stand-in, every call does nothing"
		% [Libraries.EXTENSION_PATH, ", ".join(features)])
	# Godot keeps the first file written under a path, and these come before
	# its own copies of the two files (tests/tests/export.rs runs the result).
	add_file(CLASS_CACHE, _class_cache_with_stand_in(), false)
	add_file(EXTENSION_LIST, _extension_list_without_ours(), false)
	# The exported project settings are written from the editor's, during
	# the export: the autoload points at the stand-in until it ends.
	for setting in ProjectSettings.get_property_list():
		var name: String = setting["name"]
		if name.begins_with("autoload/") and str(ProjectSettings.get_setting(name)).trim_prefix("*") == AUTOLOAD_PATH:
			_autoloads[name] = ProjectSettings.get_setting(name)
			ProjectSettings.set_setting(name, "*" + STAND_IN_AUTOLOAD)


func _export_end() -> void:
	for name in _autoloads:
		ProjectSettings.set_setting(name, _autoloads[name])
	_autoloads.clear()
	_stand_in = false


func _export_file(path: String, _type: String, _features: PackedStringArray) -> void:
	if _stand_in and path == Libraries.EXTENSION_PATH:
		skip()


## The project's class cache with the stand-in's scripts under the native
## classes' names, so game scripts that name them parse.
func _class_cache_with_stand_in() -> PackedByteArray:
	var cache := ConfigFile.new()
	cache.load(CLASS_CACHE)
	var classes: Array = cache.get_value("", "list", [])
	for stand_in in [["GameTrackerSpan", &"RefCounted", STAND_IN_SPAN], ["GameTrackerClient", &"Node", STAND_IN_AUTOLOAD]]:
		classes.append({"class": StringName(stand_in[0]), "base": stand_in[1], "path": stand_in[2],
			"language": &"GDScript", "icon": "", "is_abstract": false, "is_tool": false})
	cache.set_value("", "list", classes)
	return cache.encode_to_text().to_utf8_buffer()


## The project's list of GDExtensions to load, without this one.
func _extension_list_without_ours() -> PackedByteArray:
	var kept := PackedStringArray()
	for line in FileAccess.get_file_as_string(EXTENSION_LIST).split("\n", false):
		if line.strip_edges() != Libraries.EXTENSION_PATH:
			kept.append(line)
	return ("\n".join(kept) + "\n").to_utf8_buffer()
