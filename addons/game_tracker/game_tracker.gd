extends GameTrackerClient
## The `GameTracker` autoload: the GDScript API from the README.
##
## The API (log_info, increment, gauge, histogram, start_span, set_user, …)
## is native: GameTrackerClient's methods are called directly, with no
## GDScript function in between, because each extra script call costs about
## as much as the tracker's own work. Parameters are untyped (Variant) on
## purpose: a wrong type reaches the native side, which warns once and
## carries on, instead of stopping the game with a script error.
##
## Only `init` and the start from Project Settings live here: `init` is
## reserved for the constructor on the native side.

const Settings := preload("res://addons/game_tracker/settings.gd")

var _init_called := false


func _ready() -> void:
	# Deferred to the end of the first frame, so an `init` in any `_ready`
	# (the main scene's, typically) comes first and overrides the settings.
	if Settings.has_destination(Settings.read()):
		_start_from_settings.call_deferred()


func _start_from_settings() -> void:
	if not _init_called:
		configure(Settings.read())


## Starts the tracker with the `game_tracker/config/…` Project Settings,
## `config`'s keys overriding them. See the README for the keys. Returns
## false (after one error naming the bad keys) if the configuration is
## invalid.
func init(config = {}) -> bool:
	_init_called = true
	if not config is Dictionary:
		return configure(config)
	var merged := Settings.read()
	merged.merge(config, true)
	return configure(merged)
