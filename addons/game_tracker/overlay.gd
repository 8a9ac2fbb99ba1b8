extends CanvasLayer
## GameTracker's in-game overlay, for testers on devices with no editor: the
## session, events per second, what is pending, what was dropped and why,
## and the last delivery error. Off by default: `GameTracker.show_overlay()`,
## or a key set as `overlay_key` (Project Settings or `init`).
##
## It reads `get_stats()` four times a second, from a Timer: nothing runs
## per frame.

const REFRESH_SECONDS := 0.25
const SIGNALS := ["logs", "metrics", "traces"]

var _tracker: Node
var _label: Label
var _last_produced := -1
var _last_msec := 0
var _rate := 0.0


## The overlay of `tracker` after `show_overlay(visible)`: `current` (or
## none) added under the tracker or taken away. Both autoloads (native and
## Web) keep the result.
static func shown(tracker: Node, current: Node, visible: bool) -> Node:
	if visible and current == null:
		current = new(tracker)
		tracker.add_child(current)
	elif not visible and current != null:
		tracker.remove_child(current)
		current.queue_free()
		current = null
	return current


## True for the press of `keycode` (the `overlay_key`) that toggles it.
static func toggles(event: InputEvent, keycode: Key) -> bool:
	var key := event as InputEventKey
	return key != null and key.pressed and not key.echo and key.keycode == keycode


func _init(tracker: Node) -> void:
	_tracker = tracker
	name = "GameTrackerOverlay"
	layer = 128
	process_mode = Node.PROCESS_MODE_ALWAYS


func _ready() -> void:
	var panel := PanelContainer.new()
	panel.position = Vector2(12, 12)
	var style := StyleBoxFlat.new()
	style.bg_color = Color(0.05, 0.07, 0.1, 0.82)
	style.set_corner_radius_all(6)
	style.set_content_margin_all(10)
	panel.add_theme_stylebox_override("panel", style)
	_label = Label.new()
	_label.add_theme_font_size_override("font_size", 14)
	panel.add_child(_label)
	add_child(panel)
	var timer := Timer.new()
	timer.wait_time = REFRESH_SECONDS
	timer.autostart = true
	timer.timeout.connect(refresh)
	add_child(timer)
	refresh()


## Reads the tracker's counters into the panel's text.
func refresh() -> void:
	var stats: Dictionary = _tracker.get_stats()
	var produced := 0
	var pending := 0
	var dropped := []
	var last_error := ""
	var rows := []
	for signal_name in SIGNALS:
		var s: Dictionary = stats.get(signal_name, {})
		produced += s.get("produced", 0)
		pending += s.get("pending", 0)
		rows.append("%-8s produced %d  sent %d  pending %d  retries %d" % [signal_name, s.get("produced", 0),
			s.get("sent", 0), s.get("pending", 0), s.get("retries", 0)])
		var reasons: Dictionary = s.get("dropped", {})
		for reason in reasons:
			if reasons[reason] > 0:
				dropped.append("%s %d (%s)" % [reason, reasons[reason], signal_name])
		if s.get("last_error", "") != "":
			last_error = "%s: %s" % [signal_name, s["last_error"]]
	var now := Time.get_ticks_msec()
	if _last_produced >= 0 and now > _last_msec:
		_rate = float(produced - _last_produced) * 1000.0 / float(now - _last_msec)
	_last_produced = produced
	_last_msec = now
	var session: String = _tracker.get_session_id()
	var lines := [
		"GameTracker  %s" % ("session " + session if session != "" else "not started"),
		"%.1f events/s   %d pending" % [_rate, pending],
	]
	lines.append_array(rows)
	lines.append("dropped  " + (", ".join(dropped) if not dropped.is_empty() else "none"))
	lines.append("last error  " + (last_error if last_error != "" else "none"))
	_label.text = "\n".join(lines)
