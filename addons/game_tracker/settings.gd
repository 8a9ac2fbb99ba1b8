@tool
extends RefCounted
## The `game_tracker/config/…` Project Settings: registered by the editor
## plugin, read by the autoload at startup. Each setting is the `init` key of
## the same name; an empty String means "not set".

const PREFIX := "game_tracker/config/"

## The settings, from the native side's one table of `init` keys: each a
## Dictionary with name, default, type, hint, hint_string and basic.
static var _schema: Array = []


static func schema() -> Array:
	if _schema.is_empty():
		_schema = GameTrackerClient.settings_schema()
	return _schema


## Adds every setting that is missing, with its editor hint and default.
static func register() -> void:
	for s in schema():
		var name: String = PREFIX + s["name"]
		if not ProjectSettings.has_setting(name):
			ProjectSettings.set_setting(name, s["default"])
		ProjectSettings.set_initial_value(name, s["default"])
		ProjectSettings.add_property_info({"name": name, "type": s["type"], "hint": s["hint"], "hint_string": s["hint_string"]})
		ProjectSettings.set_as_basic(name, s["basic"])


## Entries under `game_tracker/config/` that are no setting (a typo, or an
## `init` key that is not a Project Setting: docs/configuration.md lists
## them): they would change nothing, silently.
static func unknown() -> PackedStringArray:
	var known := {}
	for s in schema():
		known[PREFIX + s["name"]] = true
	var found := PackedStringArray()
	for property in ProjectSettings.get_property_list():
		var name: String = property["name"]
		if name.begins_with(PREFIX) and not known.has(name):
			found.append(name)
	return found


## The settings as an `init` dictionary: only those that were changed,
## plus `game` and `version` from the project when left empty, and
## `environment` from the build.
static func read() -> Dictionary:
	var config := {}
	for s in schema():
		var name: String = PREFIX + s["name"]
		if ProjectSettings.has_setting(name) and ProjectSettings.get_setting(name) != s["default"]:
			config[s["name"]] = ProjectSettings.get_setting(name)
	if config.has("drop_names"):
		config["drop_names"] = Array(config["drop_names"])
	# Left empty, `game` and `version` are the project's (the table names
	# which Project Setting); `environment` comes from the build.
	for s in schema():
		var source: String = s["from_project"]
		if source != "" and not config.has(s["name"]) and str(ProjectSettings.get_setting(source, "")) != "":
			config[s["name"]] = ProjectSettings.get_setting(source)
	if not config.has("environment"):
		config["environment"] = "development" if OS.is_debug_build() else "production"
	return config
