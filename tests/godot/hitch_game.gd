extends Node
## A game that hitches on purpose (tests/tests/hitches.rs runs it): every
## 2 s one frame stalls 120 ms inside a span named `load_chunk`; after the
## last stall one frame freezes for 800 ms; then it quits.
## It also times its own frames, so the test can tell a frame the busy
## machine made slow from one the tracker made up.

const STALL_MS := 120
const STALLS := 3
const FROZEN_MS := 800
const PERIOD_S := 2.0
## The test's threshold: well above what a busy CI machine's frames take,
## well below a stall.
const THRESHOLD_MS := 90.0
const NEAR_THRESHOLD_MS := THRESHOLD_MS * 0.8

var _started_us := 0
var _last_us := 0
var _stalls := 0
var _froze := false
var _finishing := false
## Frames this script saw come near the threshold or past it, in ms: it
## times them from its own `_process`, the tracker from its own, so a frame
## just over the threshold for one may be just under for the other.
var _slow_frames: Array[float] = []


func _ready() -> void:
	var store := OS.get_environment("GAMETRACKER_TEST_STORE_DIR")
	GameTracker.init({
		"local_store": "on" if store != "" else "auto",
		"local_store_dir": store,
		"endpoint": OS.get_environment("GAMETRACKER_TEST_ENDPOINT"),
		"metrics_url": OS.get_environment("GAMETRACKER_TEST_METRICS_URL"),
		"game": "hitch-game",
		# This project turns hitches, the vitals and release health off for
		# the API tests: a game has them on. The frame-time histogram carries
		# the hitches' exemplars; the session's end is the timeline's.
		"capture_hitches": true,
		"vitals": true,
		"release_health": true,
		"hitch_threshold_ms": THRESHOLD_MS,
		"flush_interval": 1.0,
	})
	_started_us = Time.get_ticks_usec()


func _process(_delta: float) -> void:
	var now := Time.get_ticks_usec()
	if _last_us > 0 and (now - _last_us) / 1000.0 > NEAR_THRESHOLD_MS:
		_slow_frames.append((now - _last_us) / 1000.0)
	_last_us = now
	var elapsed := (now - _started_us) / 1_000_000.0
	if _stalls < STALLS and elapsed >= PERIOD_S * (_stalls + 1):
		var span := GameTracker.start_span("load_chunk", {"chunk": _stalls})
		GameTracker.log_info("loading chunk", {"chunk": _stalls})
		OS.delay_msec(STALL_MS)
		span.end()
		_stalls += 1
	elif _stalls == STALLS and not _froze and elapsed >= PERIOD_S * (STALLS + 1):
		GameTracker.log_warn("about to freeze")
		OS.delay_msec(FROZEN_MS)
		_froze = true
	elif _froze and not _finishing and elapsed >= PERIOD_S * (STALLS + 1) + 1.0:
		_finishing = true
		_finish()


## Quitting sends the rest (waiting at most `quit_timeout`): a
## `flush_and_wait` here would itself be a frozen frame.
func _finish() -> void:
	print("hitch_game: slow frames %s" % JSON.stringify(_slow_frames))
	get_tree().quit()
