extends Node
## Loads the test script named by `-- --test=NAME`, runs its `run(t)` with
## this node as `t`, prints one result line and exits non-zero on any failed
## check (or if the test made none).

var checks := 0
var failures := 0


func _ready() -> void:
	var name := ""
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("--test="):
			name = arg.trim_prefix("--test=")
	var script: GDScript = load("res://%s.gd" % name) if name != "" else null
	if script == null:
		printerr("runner: cannot load test script '%s'" % name)
		get_tree().quit(3)
		return
	var test = script.new()
	await test.run(self)
	print("runner: %s: %d checks, %d failed" % [name, checks, failures])
	get_tree().quit(1 if failures > 0 or checks == 0 else 0)


func check(condition: bool, what: String) -> void:
	checks += 1
	if not condition:
		failures += 1
		printerr("FAIL: %s" % what)


func eq(actual, expected, what: String) -> void:
	check(typeof(actual) == typeof(expected) and actual == expected,
		"%s: expected %s, got %s" % [what, var_to_str(expected), var_to_str(actual)])


## Environment variable set by the Rust harness: the loopback receiver.
func endpoint() -> String:
	return OS.get_environment("GAMETRACKER_TEST_ENDPOINT")


## `delivery` for init: the harness's choice, "thread" unless it says.
func delivery() -> String:
	var chosen := OS.get_environment("GAMETRACKER_TEST_DELIVERY")
	return chosen if chosen != "" else "thread"


## produced == sent + dropped + spooled + pending, for every signal.
func check_accounting(stats: Dictionary, what: String) -> void:
	for signal_name in ["logs", "metrics", "traces"]:
		var s: Dictionary = stats[signal_name]
		eq(s["produced"], s["sent"] + s["dropped_total"] + s["spooled"] + s["pending"], "%s: %s accounting" % [what, signal_name])


## The dictionary's keys, nested, with every value's type: what a
## `get_stats()` tree is made of, to compare two.
func shape(value) -> Variant:
	if value is Dictionary:
		var out := {}
		for key in value:
			out[key] = shape(value[key])
		return out
	return type_string(typeof(value))
