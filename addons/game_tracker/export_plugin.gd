@tool
extends EditorExportPlugin
## What an export gets of GameTracker, by platform:
## - a platform with a library in game_tracker.gdextension: that library
##   (Godot's own export step copies it);
## - the Web: no library. The autoload becomes web/web_tracker.gd, which
##   hands each frame's calls to a Web Worker running the tracker's core.
##   The page's glue and the `init` keys' table go into the pack; the
##   worker's script and module go beside the exported page. Any Web
##   template works: official or not, threads or not, Extensions Support
##   on or off;
## - any other platform (32-bit desktops, Android arm32, Windows on arm64): the
##   stand-in (stand_in/), where every call does nothing.
## For the Web and the stand-in, the class cache names their scripts
## `GameTrackerClient` and `GameTrackerSpan`, and the `.gdextension` stays
## out, so a game's scripts that name those classes parse.

const Output := preload("res://addons/game_tracker/output.gd")
const Libraries := preload("res://addons/game_tracker/libraries.gd")
const AUTOLOAD_PATH := "res://addons/game_tracker/game_tracker.gd"
const STAND_IN := {"autoload": "res://addons/game_tracker/stand_in/game_tracker.gd",
	"span": "res://addons/game_tracker/stand_in/span.gd"}
const WEB := {"autoload": "res://addons/game_tracker/web/web_tracker.gd",
	"span": "res://addons/game_tracker/web/web_span.gd"}
const WebFiles := preload("res://addons/game_tracker/web/web_files.gd")
const SETTINGS_PATH := "res://addons/game_tracker/settings.gd"
const CLASS_CACHE := "res://.godot/global_script_class_cache.cfg"
const EXTENSION_LIST := "res://.godot/extension_list.cfg"

## The scripts standing in for the native classes in the export under
## way (STAND_IN or WEB), or empty when the library goes.
var _replacement := {}
## The autoload settings pointed at the replacement for the export under
## way, with their values to put back when it ends.
var _autoloads := {}


func _get_name() -> String:
	return "GameTracker"


func _export_begin(features: PackedStringArray, _is_debug: bool, path: String, _flags: int) -> void:
	_replacement = {}
	if features.has("web"):
		_replacement = WEB
		_export_web(path)
	else:
		var library := Libraries.library_for(features)
		if library != "":
			# Godot's own export step copies it, and fails the export when
			# it is missing: say how to build it.
			if not FileAccess.file_exists(library):
				push_error(Output.PREFIX + "%s is not built, and this export (%s) needs it: build it (docs/contributing.md, \"Other platforms\")"
					% [library, ", ".join(features)])
			return
		_replacement = STAND_IN
		print(Output.PREFIX + "no library in %s for this export (%s): it gets the stand-in, every call does nothing"
			% [Libraries.EXTENSION_PATH, ", ".join(features)])
	# Godot keeps the first file written under a path, and these come before
	# its own copies of the two files (tests/tests/export.rs runs the result).
	add_file(CLASS_CACHE, _class_cache_with(_replacement), false)
	add_file(EXTENSION_LIST, _extension_list_without_ours(), false)
	# The exported project settings are written from the editor's, during
	# the export: the autoload points at the replacement until it ends.
	for setting in ProjectSettings.get_property_list():
		var name: String = setting["name"]
		if name.begins_with("autoload/") and str(ProjectSettings.get_setting(name)).trim_prefix("*") == AUTOLOAD_PATH:
			_autoloads[name] = ProjectSettings.get_setting(name)
			ProjectSettings.set_setting(name, "*" + _replacement["autoload"])


## The Web's files: the glue and the `init` keys' table into the pack, the
## worker's files beside the page at `path`.
func _export_web(path: String) -> void:
	add_file(WebFiles.PAGE_GLUE, FileAccess.get_file_as_bytes(WebFiles.PAGE_GLUE), false)
	var schema: Array = load(SETTINGS_PATH).schema() if ClassDB.class_exists("GameTrackerClient") else []
	add_file(WebFiles.SCHEMA_FILE, var_to_str(schema).to_utf8_buffer(), false)
	var folder := path.get_base_dir()
	for file in WebFiles.BESIDE_PAGE:
		var bytes := FileAccess.get_file_as_bytes(file)
		if bytes.is_empty():
			push_error(Output.PREFIX + "%s is missing, and a Web export needs it beside its page: build it (scripts/build.sh --release --target web)" % file)
			continue
		var out := FileAccess.open(folder.path_join(file.get_file()), FileAccess.WRITE)
		if out == null:
			push_error(Output.PREFIX + "cannot write %s beside the exported page: %s" % [file.get_file(), error_string(FileAccess.get_open_error())])
			continue
		out.store_buffer(bytes)


func _export_end() -> void:
	for name in _autoloads:
		ProjectSettings.set_setting(name, _autoloads[name])
	_autoloads.clear()
	_replacement = {}


func _export_file(path: String, _type: String, _features: PackedStringArray) -> void:
	if not _replacement.is_empty() and path == Libraries.EXTENSION_PATH:
		skip()


## The project's class cache with `scripts`' autoload and span under the
## native classes' names, so game scripts that name them parse.
func _class_cache_with(scripts: Dictionary) -> PackedByteArray:
	var cache := ConfigFile.new()
	cache.load(CLASS_CACHE)
	var classes: Array = cache.get_value("", "list", [])
	for stand_in in [["GameTrackerSpan", &"RefCounted", scripts["span"]], ["GameTrackerClient", &"Node", scripts["autoload"]]]:
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
