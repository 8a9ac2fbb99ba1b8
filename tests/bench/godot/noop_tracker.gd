extends Node
## The `NoopTracker` autoload: GameTracker's API with nothing behind it. The
## game-frame benchmark's baseline: what any tracker costs before it does
## anything (the game building fresh argument Dictionaries, GDScript's
## dispatch, the calls' arguments). Parameters are untyped, like the addon's.


class NoopSpan extends RefCounted:
	func end() -> void:
		pass


## One span handed out every time: a do-nothing tracker allocates nothing.
var _span := NoopSpan.new()


func log_info(_message, _data = null) -> void:
	pass


func increment(_name, _labels = null, _amount = 1) -> void:
	pass


func gauge(_name, _value, _labels = null) -> void:
	pass


func histogram(_name, _value, _labels = null) -> void:
	pass


func start_span(_name, _attributes = null, _parent = null):
	return _span
