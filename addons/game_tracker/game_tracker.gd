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
## Only `init` lives here: `init` is reserved for the constructor on the
## native side.


## Starts the tracker. See the README for the keys. Returns false (after one
## error naming the bad keys) if the configuration is invalid.
func init(config = {}) -> bool:
	return configure(config)
