extends Node
## The comparison point for the benchmarks: a telemetry tracker written in
## pure GDScript the way the reference design (and most Godot analytics
## addons) does it. Same API as GameTracker; every call appends a Dictionary
## to a queue (dropping the oldest at the cap); a Timer builds the JSON on
## the main thread and an HTTPRequest per signal sends it.
##
## Not shipped: it exists only so `tests/bench/run.sh` can put numbers for
## "write it yourself in GDScript" beside the addon's.

const FLUSH_INTERVAL := 1.0
var max_queue := 10000

var _config := {}
var _session_id := ""
var _device := {}
var _user := {}
var _contexts := {}
var _tags := {}
var _queues := {"logs": [], "metrics": [], "traces": []}
var _http := {}
var _busy := {}
var _timer: Timer
## Events removed by drop-oldest, per signal (the benchmark reports them).
var dropped := {"logs": 0, "metrics": 0, "traces": 0}
var sent := {"logs": 0, "metrics": 0, "traces": 0}


class Span:
	var tracker: Node
	var name: String
	var trace_id: String
	var span_id: String
	var parent_span_id: String
	var start_time: int
	var attributes: Dictionary

	func _init(p_tracker: Node, p_name: String, p_attrs: Dictionary, p_trace_id: String, p_span_id: String, p_parent: String) -> void:
		tracker = p_tracker
		name = p_name
		attributes = p_attrs
		trace_id = p_trace_id
		span_id = p_span_id
		parent_span_id = p_parent
		start_time = Time.get_ticks_usec()

	func end() -> void:
		tracker._queue_trace(self, Time.get_ticks_usec())


func init(config: Dictionary) -> void:
	_config = {
		"endpoint": config.get("endpoint", ""),
		"game": config.get("game", "unknown"),
		"version": config.get("version", "0.0.0"),
		"environment": config.get("environment", "development"),
	}
	max_queue = config.get("max_queue", max_queue)
	_session_id = "%08x-%04x-4%03x-%04x-%012x" % [randi(), randi() & 0xffff, randi() & 0xfff, (randi() & 0x3fff) | 0x8000, randi()]
	_device = {"os": OS.get_name(), "os_version": OS.get_version(), "locale": OS.get_locale(),
		"godot_version": Engine.get_version_info().string}
	for signal_name in ["logs", "metrics", "traces"]:
		var http := HTTPRequest.new()
		http.timeout = 10.0
		add_child(http)
		http.request_completed.connect(_on_completed.bind(signal_name))
		_http[signal_name] = http
		_busy[signal_name] = 0
	_timer = Timer.new()
	_timer.wait_time = FLUSH_INTERVAL
	add_child(_timer)
	_timer.timeout.connect(flush)
	_timer.start()


func set_user(user: Dictionary) -> void:
	_user = user


func set_context(name: String, data: Dictionary) -> void:
	_contexts[name] = data


func set_tag(key: String, value: String) -> void:
	_tags[key] = value


func log_debug(message: String, data: Dictionary = {}) -> void:
	_queue_log("debug", message, data)


func log_info(message: String, data: Dictionary = {}) -> void:
	_queue_log("info", message, data)


func log_warn(message: String, data: Dictionary = {}) -> void:
	_queue_log("warn", message, data)


func log_error(message: String, data: Dictionary = {}) -> void:
	_queue_log("error", message, data)


func increment(name: String, labels: Dictionary = {}, amount: int = 1) -> void:
	_queue_metric("counter", name, amount, labels)


func gauge(name: String, value: float, labels: Dictionary = {}) -> void:
	_queue_metric("gauge", name, value, labels)


func histogram(name: String, value: float, labels: Dictionary = {}) -> void:
	_queue_metric("histogram", name, value, labels)


func start_span(name: String, attributes: Dictionary = {}, parent: Span = null) -> Span:
	var trace_id: String
	var parent_id := ""
	if parent:
		trace_id = parent.trace_id
		parent_id = parent.span_id
	else:
		trace_id = "%08x%08x%08x%08x" % [randi(), randi(), randi(), randi()]
	return Span.new(self, name, attributes, trace_id, "%08x%08x" % [randi(), randi()], parent_id)


func _push(signal_name: String, entry: Dictionary) -> void:
	var queue: Array = _queues[signal_name]
	if queue.size() >= max_queue:
		queue.pop_front()
		dropped[signal_name] += 1
	queue.append(entry)


func _queue_log(level: String, message: String, data: Dictionary) -> void:
	_push("logs", {"level": level, "msg": message, "data": data, "ts": Time.get_unix_time_from_system()})


func _queue_metric(type: String, name: String, value: float, labels: Dictionary) -> void:
	_push("metrics", {"type": type, "name": name, "value": value, "labels": labels, "ts": Time.get_unix_time_from_system()})


func _queue_trace(span: Span, end_time: int) -> void:
	_push("traces", {"name": span.name, "trace_id": span.trace_id, "span_id": span.span_id,
		"parent_span_id": span.parent_span_id, "start_time": span.start_time, "end_time": end_time,
		"attributes": span.attributes})


## Builds each signal's JSON on the main thread and starts its request; a
## signal whose previous request is still in flight waits for the next tick.
func flush() -> void:
	for signal_name in ["logs", "metrics", "traces"]:
		var queue: Array = _queues[signal_name]
		if queue.is_empty() or _busy[signal_name] > 0:
			continue
		var body: String
		match signal_name:
			"logs": body = _loki_body(queue)
			"metrics": body = JSON.stringify({"game": _config.game, "session_id": _session_id, "metrics": queue})
			"traces": body = JSON.stringify({"resource": _device, "session_id": _session_id, "spans": queue})
		var path: String = {"logs": "/loki/api/v1/push", "metrics": "/api/v1/metrics/write", "traces": "/v1/traces"}[signal_name]
		var err: int = _http[signal_name].request(_config.endpoint + path, ["Content-Type: application/json"], HTTPClient.METHOD_POST, body)
		if err == OK:
			_busy[signal_name] = queue.size()
			_queues[signal_name] = []


func _loki_body(queue: Array) -> String:
	var streams := {}
	for entry in queue:
		var level: String = entry.level
		if not streams.has(level):
			streams[level] = []
		var line := {"msg": entry.msg, "data": entry.data, "session_id": _session_id, "user": _user,
			"contexts": _contexts, "tags": _tags, "device": _device}
		streams[level].append([str(int(entry.ts * 1_000_000_000)), JSON.stringify(line)])
	var out := []
	for level in streams:
		out.append({"stream": {"game": _config.game, "env": _config.environment, "version": _config.version, "level": level},
			"values": streams[level]})
	return JSON.stringify({"streams": out})


func _on_completed(result: int, code: int, _headers: PackedStringArray, _body: PackedByteArray, signal_name: String) -> void:
	if result == HTTPRequest.RESULT_SUCCESS and code >= 200 and code < 300:
		sent[signal_name] += _busy[signal_name]
	_busy[signal_name] = 0


func pending() -> int:
	return _queues.logs.size() + _queues.metrics.size() + _queues.traces.size()
