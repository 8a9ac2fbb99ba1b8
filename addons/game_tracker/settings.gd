@tool
extends RefCounted
## The `game_tracker/config/…` Project Settings: registered by the editor
## plugin, read by the autoload at startup. Each setting is the `init` key of
## the same name; an empty String means "not set".

const PREFIX := "game_tracker/config/"

## [key, default, type, hint, hint_string, basic] (a static var: a
## PackedStringArray default is not a constant expression).
static var SETTINGS := [
	["endpoint", "", TYPE_STRING, PROPERTY_HINT_NONE, "https://alloy.example.com", true],
	["logs_url", "", TYPE_STRING, PROPERTY_HINT_NONE, "", false],
	["metrics_url", "", TYPE_STRING, PROPERTY_HINT_NONE, "", false],
	["traces_url", "", TYPE_STRING, PROPERTY_HINT_NONE, "", false],
	["headers", {}, TYPE_DICTIONARY, PROPERTY_HINT_NONE, "", true],
	["game", "", TYPE_STRING, PROPERTY_HINT_PLACEHOLDER_TEXT, "application/config/name", true],
	["version", "", TYPE_STRING, PROPERTY_HINT_PLACEHOLDER_TEXT, "application/config/version", true],
	["environment", "", TYPE_STRING, PROPERTY_HINT_PLACEHOLDER_TEXT, "development in debug builds, else production", true],
	["enabled", true, TYPE_BOOL, PROPERTY_HINT_NONE, "", true],
	["flush_interval", 5.0, TYPE_FLOAT, PROPERTY_HINT_RANGE, "0.05,60,0.05,suffix:s", false],
	["sample_rate", 1.0, TYPE_FLOAT, PROPERTY_HINT_RANGE, "0,1,0.01", false],
	["min_level", "debug", TYPE_STRING, PROPERTY_HINT_ENUM, "debug,info,warn,error", false],
	["drop_names", PackedStringArray(), TYPE_PACKED_STRING_ARRAY, PROPERTY_HINT_NONE, "", false],
	["spool", false, TYPE_BOOL, PROPERTY_HINT_NONE, "", false],
	["capture_errors", "debug builds", TYPE_STRING, PROPERTY_HINT_ENUM, "debug builds,always,never", true],
]


## Adds every setting that is missing, with its editor hint and default.
static func register() -> void:
	for s in SETTINGS:
		var name: String = PREFIX + s[0]
		if not ProjectSettings.has_setting(name):
			ProjectSettings.set_setting(name, s[1])
		ProjectSettings.set_initial_value(name, s[1])
		ProjectSettings.add_property_info({"name": name, "type": s[2], "hint": s[3], "hint_string": s[4]})
		ProjectSettings.set_as_basic(name, s[5])


## The settings as an `init` dictionary: only those that were changed,
## plus game, version and environment, which always have a value.
static func read() -> Dictionary:
	var config := {}
	for s in SETTINGS:
		var name: String = PREFIX + s[0]
		if ProjectSettings.has_setting(name) and ProjectSettings.get_setting(name) != s[1]:
			config[s[0]] = ProjectSettings.get_setting(name)
	if config.has("capture_errors"):
		config["capture_errors"] = config["capture_errors"] == "always"
	if config.has("drop_names"):
		config["drop_names"] = Array(config["drop_names"])
	if not config.has("game"):
		config["game"] = ProjectSettings.get_setting("application/config/name", "unknown")
	if not config.has("version") and ProjectSettings.get_setting("application/config/version", "") != "":
		config["version"] = ProjectSettings.get_setting("application/config/version")
	if not config.has("environment"):
		config["environment"] = "development" if OS.is_debug_build() else "production"
	return config


## True when the settings name somewhere to send events.
static func has_destination(config: Dictionary) -> bool:
	for key in ["endpoint", "logs_url", "metrics_url", "traces_url"]:
		if config.get(key, "") != "":
			return true
	return false
