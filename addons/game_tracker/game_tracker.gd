extends GameTrackerClient
## The `GameTracker` autoload: the GDScript API from the README.
##
## Every function forwards to the native GameTrackerClient in one call. The
## defaults live here because native (gdext) default arguments cannot be
## Dictionaries or null. Parameters are untyped on purpose: a wrong type
## reaches the native side, which warns once and carries on, instead of
## stopping the game with a script error.

const _DEBUG := 0
const _INFO := 1
const _WARN := 2
const _ERROR := 3
const _COUNTER := 0
const _GAUGE := 1
const _HISTOGRAM := 2


## Starts the tracker. See the README for the keys. Returns false (after one
## error naming the bad keys) if the configuration is invalid.
func init(config = {}) -> bool:
	return configure(config)


func log_debug(message, data = null) -> void:
	emit_log(_DEBUG, message, data)


func log_info(message, data = null) -> void:
	emit_log(_INFO, message, data)


func log_warn(message, data = null) -> void:
	emit_log(_WARN, message, data)


func log_error(message, data = null) -> void:
	emit_log(_ERROR, message, data)


## Adds `amount` to the counter `<name>_total`.
func increment(name, labels = null, amount = 1) -> void:
	emit_metric(_COUNTER, name, amount, labels)


## Sets the gauge `name` to `value`.
func gauge(name, value, labels = null) -> void:
	emit_metric(_GAUGE, name, value, labels)


## Observes `value` into the histogram `name`.
func histogram(name, value, labels = null) -> void:
	emit_metric(_HISTOGRAM, name, value, labels)


## Starts a span; call `end()` on it when done. Pass a span as `parent` to nest.
func start_span(name, attributes = null, parent = null) -> GameTrackerSpan:
	return begin_span(name, attributes, parent)
