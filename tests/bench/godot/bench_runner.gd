extends Node
## Runs the benchmark named by `-- --bench=NAME` (`bench_NAME.gd`, whose
## `run(r)` gets this node), then quits. Results are printed as lines
## `BENCH {json}` for tests/bench/run.sh to collect.

var options := {}


func _ready() -> void:
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("--") and "=" in arg:
			var kv := arg.trim_prefix("--").split("=", true, 1)
			options[kv[0]] = kv[1]
	var script: GDScript = load("res://bench_%s.gd" % options.get("bench", "")) if options.has("bench") else null
	if script == null:
		printerr("bench_runner: unknown benchmark '%s'" % options.get("bench", ""))
		get_tree().quit(3)
		return
	await script.new().run(self)
	get_tree().quit(0)


func option(name: String, default_value):
	if not options.has(name):
		return default_value
	return type_convert(options[name], typeof(default_value))


func report(result: Dictionary) -> void:
	print("BENCH ", JSON.stringify(result))
