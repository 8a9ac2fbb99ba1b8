extends Node
## A short scripted play session that uses every GameTracker call the way the
## docs/api.md's example does, then flushes, prints what was sent and exits.
##
## Where the data goes: `--endpoint=URL` after `--` on the command line, or the
## environment variables GAMETRACKER_ENDPOINT / GAMETRACKER_LOGS_URL /
## GAMETRACKER_METRICS_URL / GAMETRACKER_TRACES_URL (GAMETRACKER_PROTOCOL=otlp
## sends all three by OTLP, GAMETRACKER_OTLP_ENCODING=protobuf as protobuf,
## GAMETRACKER_DELIVERY=frame with no thread). In a browser, the same keys in the
## page's address: `?endpoint=URL&otlp_encoding=protobuf`. With none, the exact request bodies are written
## to demo_project/telemetry_out/, and the session to the local store,
## demo_project/telemetry_db/telemetry.db.

const LEVELS := ["forest", "caves", "missing_level"]
const SHOP := [["sword", 100], ["potion", 25], ["sword", 100], ["dragon_egg", 5000], ["potion", 25]]
const LOAD_TIMES_MS := [120.0, 480.0, 950.0, 3100.0]

var health := 100
var gold := 300
var last_damage_source := ""
var _started_unix := 0.0


func _ready() -> void:
	_started_unix = Time.get_unix_time_from_system()
	var config := _config()
	if not GameTracker.init(config):
		printerr("demo: GameTracker.init failed")
		get_tree().quit(2)
		return
	print("demo: session %s -> %s" % [GameTracker.get_session_id(), _destination(config)])
	var bench_rate := _page_parameter("bench").to_int()
	if bench_rate > 0:
		var bench: Node = preload("res://web_bench.gd").new()
		bench.rate = bench_rate
		add_child(bench)
		return
	await _play()
	if config.has("local_store_dir"):
		# What a tester would send: this run's rows, as one SQLite file.
		GameTracker.export_local(config["local_store_dir"].path_join("export.db"), _started_unix)
	var answered: bool = await _send_everything()
	_print_summary(answered)
	if config.has("local_store_dir"):
		var export: Dictionary = GameTracker.get_stats()["local_store"].get("last_export", {})
		print("demo: exported %d rows of this run to %s %s" % [export.get("rows", 0), export.get("path", ""), export.get("error", "")])
	if OS.has_feature("web"):
		# A page is not quit: it shows the tracker's overlay, and the
		# session ends when the player leaves the page.
		GameTracker.show_overlay(true)
		return
	get_tree().quit(0)


func _play() -> void:
	GameTracker.set_user({"id": "player_123", "tier": "premium"})
	GameTracker.set_tag("build", "demo")
	GameTracker.set_context("player", {"health": health, "level": 1})
	GameTracker.log_info("player_spawned", {"level": "forest"})

	var session := GameTracker.start_span("game_session", {"mode": "story"})
	for level_name in LEVELS:
		load_level(level_name, session)
		await get_tree().process_frame

	for hit in [["spikes", 30], ["goblin", 45], ["spikes", 40]]:
		take_damage(hit[1], hit[0])
	health = 100
	for hit in [["spikes", 60], ["spikes", 60]]:
		take_damage(hit[1], hit[0])

	for item in SHOP:
		purchase_item(item[0], item[1])
	for ms in LOAD_TIMES_MS:
		GameTracker.histogram("load_time_ms", ms, {"scene": "level"})
	GameTracker.log_debug("state_change", {"from": "game", "to": "menu"})
	GameTracker.log_warn("low_memory", {"available_mb": 128})
	session.end()


func take_damage(amount: int, source: String) -> void:
	health -= amount
	last_damage_source = source
	GameTracker.gauge("player_health", health)
	if health <= 0:
		GameTracker.increment("player_deaths", {"cause": last_damage_source})


func load_level(level_name: String, parent: GameTrackerSpan) -> void:
	var span := GameTracker.start_span("level_load", {"level": level_name}, parent)
	var assets := GameTracker.start_span("load_assets", {"count": 42}, span)
	var textures := GameTracker.start_span("decode_textures", {"gpu": false}, assets)
	textures.end()
	assets.end()
	if level_name == "missing_level":
		GameTracker.log_error("level_load_failed", {"level": level_name})
		span.set_error("scene not found: res://levels/%s.tscn" % level_name)
		span.end()
		return
	var nav := GameTracker.start_span("build_navmesh", {"cells": 1024, "ratio": 0.5}, span)
	nav.end()
	GameTracker.log_info("level_loaded", {"level": level_name})
	GameTracker.increment("levels_started", {"level": level_name})
	span.end()


func purchase_item(item_id: String, price: int) -> void:
	GameTracker.log_info("purchase_attempt", {"item": item_id, "price": price})
	if gold >= price:
		gold -= price
		GameTracker.increment("purchases", {"item": item_id})
		GameTracker.increment("revenue_gold", {"item": item_id}, price)
	else:
		GameTracker.log_info("purchase_failed_funds", {"item": item_id})
	GameTracker.gauge("player_gold", gold)


func _config() -> Dictionary:
	var config := {
		"game": "gametracker-demo",
		"version": "1.0.0",
		"environment": "development",
	}
	var env_keys := {
		"GAMETRACKER_ENDPOINT": "endpoint",
		"GAMETRACKER_LOGS_URL": "logs_url",
		"GAMETRACKER_METRICS_URL": "metrics_url",
		"GAMETRACKER_TRACES_URL": "traces_url",
		"GAMETRACKER_PROTOCOL": "protocol",
		"GAMETRACKER_OTLP_ENCODING": "otlp_encoding",
		"GAMETRACKER_DELIVERY": "delivery",
	}
	for env_name in env_keys:
		# In a browser the page's address carries them: ?otlp_encoding=protobuf
		var value := OS.get_environment(env_name)
		if value == "":
			value = _page_parameter(env_keys[env_name])
		if value != "":
			config[env_keys[env_name]] = value
	for arg in OS.get_cmdline_user_args():
		if arg.begins_with("--endpoint="):
			config["endpoint"] = arg.trim_prefix("--endpoint=")
	if not (config.has("endpoint") or config.has("logs_url") or config.has("metrics_url") or config.has("traces_url")):
		var out := ProjectSettings.globalize_path("res://telemetry_out")
		DirAccess.make_dir_recursive_absolute(out)
		# Keep Godot's importer out of the folder.
		FileAccess.open(out.path_join(".gdignore"), FileAccess.WRITE)
		config["output_dir"] = out
		# And every session in a SQLite database beside it
		# (docs/local-store.md): scripts/demo.sh queries it after the run.
		var store := ProjectSettings.globalize_path("res://telemetry_db")
		DirAccess.make_dir_recursive_absolute(store)
		FileAccess.open(store.path_join(".gdignore"), FileAccess.WRITE)
		config["local_store"] = "on"
		config["local_store_dir"] = store
	return config


## A parameter of the page's address (`?endpoint=URL`), in a browser.
func _page_parameter(name: String) -> String:
	if not OS.has_feature("web"):
		return ""
	var value = JavaScriptBridge.eval("new URLSearchParams(location.search).get('%s') || ''" % name, true)
	return value if value is String else ""


## Sends what is left and waits for the answers, at most 10 s. A browser
## answers only between frames, so on the Web the wait is frames, not a
## call that would hold this one.
func _send_everything() -> bool:
	if not OS.has_feature("web"):
		return GameTracker.flush_and_wait(10.0)
	GameTracker.flush()
	var deadline := Time.get_ticks_msec() + 10000
	while Time.get_ticks_msec() < deadline:
		await get_tree().process_frame
		var stats: Dictionary = GameTracker.get_stats()
		if ["logs", "metrics", "traces"].all(func(s): return stats[s]["pending"] == 0):
			return true
	return false


func _destination(config: Dictionary) -> String:
	if config.has("output_dir"):
		return "no endpoint set: writing request bodies to %s, and the session to %s/telemetry.db" % [config["output_dir"], config["local_store_dir"]]
	var parts := []
	for key in ["endpoint", "logs_url", "metrics_url", "traces_url"]:
		if config.has(key):
			parts.append("%s=%s" % [key, config[key]])
	return ", ".join(parts)


func _print_summary(answered: bool) -> void:
	var stats: Dictionary = GameTracker.get_stats()
	print("demo: summary (all requests answered: %s)" % answered)
	for signal_name in ["logs", "metrics", "traces"]:
		var s: Dictionary = stats[signal_name]
		var dropped := []
		for reason in s["dropped"]:
			if s["dropped"][reason] > 0:
				dropped.append("%s=%d" % [reason, s["dropped"][reason]])
		print("demo:   %-7s produced=%d sent=%d pending=%d requests=%d bytes=%d dropped=%d %s%s" % [
			signal_name, s["produced"], s["sent"], s["pending"], s["requests"], s["bytes_sent"],
			s["dropped_total"], ", ".join(dropped),
			("" if s["last_error"] == "" else " last_error=" + s["last_error"])])
