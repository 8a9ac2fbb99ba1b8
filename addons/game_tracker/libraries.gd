@tool
extends RefCounted
## Which library of game_tracker.gdextension a platform gets, decided as
## Godot decides it: the `[libraries]` entry whose dot-separated feature tags
## are all among the platform's, the one with the most tags winning. Read
## from the file itself, so the file stays the one list of platforms.

const EXTENSION_PATH := "res://addons/game_tracker/game_tracker.gdextension"


## The library path for a platform with these feature tags, or "" if no
## entry covers it.
static func library_for(features: PackedStringArray) -> String:
	var config := ConfigFile.new()
	if config.load(EXTENSION_PATH) != OK or not config.has_section("libraries"):
		return ""
	var best := ""
	var best_tags := 0
	for key in config.get_section_keys("libraries"):
		var tags: PackedStringArray = key.split(".")
		if tags.size() > best_tags and Array(tags).all(func(tag): return features.has(tag.strip_edges())):
			best = config.get_value("libraries", key)
			best_tags = tags.size()
	return best
