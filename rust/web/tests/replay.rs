//! The worker's replay of the page's hand-overs, natively (the core's own
//! HTTP under it): what the page says a game called reaches a receiver as
//! the native class would send it, at the times the page read.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

mod common;

use common::godot_bytes;
use game_tracker_core::model::value::Value;
use game_tracker_testkit::decode::{otlp_logs, otlp_spans};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_web::replay::{op, Replay};
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use serde_json::json;

/// The page's clocks: its wall clock in µs now, and its ticks (µs since
/// the game started) at an arbitrary point.
fn page_clock() -> (i64, i64) {
    let unix_us = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_micros() as i64;
    (unix_us, 5_000_000)
}

/// One call: its operation, then its fields (JSON values; a JSON object's
/// keys come sorted, so a test of their order writes a `Value::Map`).
fn call(op: i64, fields: serde_json::Value) -> Vec<Value> {
    let serde_json::Value::Array(fields) = fields else {
        panic!("fields are a JSON array")
    };
    std::iter::once(Value::Int(op))
        .chain(fields.iter().map(Value::from_json))
        .collect()
}

/// A frame's hand-over as the autoload makes it (handover.gd).
fn frame_text(clock: (i64, i64), calls: &[Vec<Value>]) -> String {
    let mut items = vec![
        Value::Int(op::FORMAT),
        Value::Int(clock.0),
        Value::Int(clock.1),
    ];
    items.extend(calls.iter().flatten().cloned());
    godot_bytes::hex(&items)
}

fn hand_over(replay: &mut Replay, clock: (i64, i64), calls: &[Vec<Value>]) {
    replay
        .frame(&frame_text(clock, calls))
        .expect("a hand-over the worker reads");
}

/// The ids the page's span numbers make (replay.rs): `span_base + n`, and
/// the trace's high half then its first span's id.
const TRACE_HIGH: i64 = 0x0af7_6519_16cd_43dd;
const SPAN_BASE: i64 = 0x4000_0000_0000_0000;

fn init(config: serde_json::Value) -> Vec<Value> {
    let mut init = call(
        op::INIT,
        json!([config, {"os": "Web", "godot_version": "4.6"}]),
    );
    init.extend([Value::Int(TRACE_HIGH), Value::Int(SPAN_BASE)]);
    init
}

fn until_sent(replay: &Replay, rx: &Receiver, path: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while rx.requests_to(path).is_empty() && std::time::Instant::now() < deadline {
        replay.tick();
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_frame_of_calls_reaches_the_receiver_with_the_pages_times_and_ids() {
    let rx = Receiver::start();
    let mut replay = Replay::new(None);
    let (unix_us, ticks) = page_clock();
    // Span 1 starts the trace, span 2 is its child.
    let trace = "0af7651916cd43dd4000000000000001";
    let (parent, child) = ("4000000000000001", "4000000000000002");
    let data = Value::Map(vec![
        ("b".into(), Value::Int(1)),
        ("a".into(), Value::from_json(&json!([1, 2.5, "x"]))),
    ]);
    let mut log = call(op::LOG_INFO, json!([ticks - 2_000, "hello"]));
    log.push(data);
    hand_over(
        &mut replay,
        (unix_us, ticks),
        &[
            init(json!({"endpoint": rx.base_url(), "protocol": "otlp", "delivery": "frame"})),
            log,
            call(
                op::SPAN_ROOT,
                json!([ticks - 1_500_000, "level", {"n": 1}, 1]),
            ),
            call(
                op::SPAN_CHILD,
                json!([ticks - 1_000_000, "load", null, 2, 1, 1]),
            ),
            call(op::BREADCRUMB, json!([ticks, "ui", "clicked", null])),
        ],
    );
    hand_over(
        &mut replay,
        (unix_us + 16_000, ticks + 16_000),
        &[
            call(
                op::SPAN_END_WITH,
                json!([2, ticks + 16_000, 2, "missing file", {"file": "a.tres"}]),
            ),
            call(op::SPAN_END, json!([1, ticks + 16_000])),
            call(op::LOG_ERROR, json!([ticks + 16_000, "failed", null])),
            call(op::FLUSH, json!([])),
        ],
    );
    until_sent(&replay, &rx, "/v1/logs");
    until_sent(&replay, &rx, "/v1/traces");

    let logs = otlp_logs(&rx.requests_to("/v1/logs"));
    let text = |l: &opentelemetry_proto::tonic::logs::v1::LogRecord| match l
        .body
        .as_ref()
        .and_then(|b| b.value.as_ref())
    {
        Some(AnyValue::StringValue(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    let ours: Vec<_> = logs
        .iter()
        .filter(|l| !text(l).starts_with("session_"))
        .collect();
    assert_eq!(
        ours.iter().map(|l| text(l)).collect::<Vec<_>>(),
        ["hello", "failed"]
    );
    assert_eq!(
        ours[0].time_unix_nano,
        ((unix_us - 2_000) * 1000) as u64,
        "the page's time of the call"
    );
    let keys: Vec<&str> = ours[0].attributes.iter().map(|a| a.key.as_str()).collect();
    assert!(
        keys.windows(2).any(|w| w == ["b", "a"]) || keys.contains(&"data.b"),
        "the data's keys in the page's order: {keys:?}"
    );

    let spans = otlp_spans(&rx.requests_to("/v1/traces"));
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let load = spans
        .iter()
        .find(|s| s.name == "load")
        .expect("the child span");
    assert_eq!(
        (
            hex(&load.trace_id),
            hex(&load.span_id),
            hex(&load.parent_span_id)
        ),
        (trace.into(), child.into(), parent.into())
    );
    assert_eq!(
        load.end_time_unix_nano - load.start_time_unix_nano,
        1_016_000_000,
        "its duration by the page's clock"
    );
    assert_eq!(
        load.status.as_ref().map(|s| s.message.as_str()),
        Some("missing file")
    );
    assert!(
        spans
            .iter()
            .any(|s| s.name == "level" && s.parent_span_id.is_empty()),
        "the root span"
    );

    let stats: serde_json::Value = serde_json::from_str(&replay.stats()).unwrap();
    assert_eq!(stats["active"], true);
    assert_eq!(stats["logs"]["dropped_total"], 0, "{stats}");
    assert!(replay.take_diagnostics().is_empty());
}

#[test]
fn calls_the_worker_cannot_read_are_reported_and_the_rest_replayed() {
    let rx = Receiver::start();
    let mut replay = Replay::new(None);
    let clock = page_clock();
    for (text, why) in [
        ("not hex", "not hex"),
        ("04000000", "not an Array"),
        (
            godot_bytes::hex(&[Value::Int(1)]).as_str(),
            "another format",
        ),
    ] {
        assert!(replay.frame(text).is_err(), "{why}: an error");
    }
    hand_over(
        &mut replay,
        clock,
        &[
            init(json!({"endpoint": rx.base_url(), "protocol": "otlp", "delivery": "frame"})),
            // A span never started, a message that is not text, a value that
            // is not a number, twice each: warned about once per kind.
            call(op::SPAN_END, json!([7, 0])),
            call(op::SPAN_END, json!([8, 0])),
            call(op::LOG_INFO, json!([clock.1, 42, null])),
            call(op::LOG_INFO, json!([clock.1, null, null])),
            call(op::GAUGE, json!(["hp", "full", null])),
            call(op::GAUGE, json!(["hp", null, null])),
            call(op::LOG_INFO, json!([clock.1, "kept", null])),
            call(op::FLUSH, json!([])),
        ],
    );
    let problems = replay.take_diagnostics();
    assert_eq!(problems.len(), 3, "{problems:?}");
    let stats: serde_json::Value = serde_json::from_str(&replay.stats()).unwrap();
    assert_eq!(stats["metrics"]["dropped"]["invalid"], 2, "{stats}");
    until_sent(&replay, &rx, "/v1/logs");
    let messages: Vec<String> = otlp_logs(&rx.requests_to("/v1/logs"))
        .iter()
        .filter_map(|l| match l.body.as_ref().and_then(|b| b.value.as_ref()) {
            Some(AnyValue::StringValue(s)) if !s.starts_with("session_") => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        messages,
        ["42", "<null>", "kept"],
        "the calls made, a message as its text"
    );

    // A call the worker does not know: reported, and the frame's rest,
    // which it cannot read past, left.
    hand_over(
        &mut replay,
        clock,
        &[
            call(99, json!([1])),
            call(op::LOG_INFO, json!([clock.1, "lost", null])),
        ],
    );
    assert_eq!(replay.take_diagnostics(), ["unknown call 99"]);
}

#[test]
fn an_invalid_configuration_is_reported_and_nothing_starts() {
    let mut replay = Replay::new(None);
    hand_over(
        &mut replay,
        page_clock(),
        &[
            init(json!({"endpoint": "ftp://nowhere", "bogus": 1})),
            call(op::LOG_INFO, json!([0, "x", null])),
        ],
    );
    let problems = replay.take_diagnostics();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("endpoint") && problems[0].contains("bogus"),
        "names each bad key: {}",
        problems[0]
    );
    let stats: serde_json::Value = serde_json::from_str(&replay.stats()).unwrap();
    assert_eq!(stats["active"], false);
}

/// The page's farewell: what the worker holds unanswered and the session's
/// clean end, encoded as the requests that would carry them, each within
/// the keepalive budget, the newest events kept; asking changes nothing.
#[test]
fn the_farewell_holds_what_is_unsent_and_the_clean_end_and_changes_nothing() {
    let rx = Receiver::start();
    let mut replay = Replay::new(None);
    let clock = page_clock();
    let mut calls = vec![init(
        json!({"endpoint": rx.base_url(), "protocol": "otlp", "delivery": "frame", "flush_interval": 60}),
    )];
    // Far more than a farewell carries: the newest must be the ones kept.
    for i in 0..3000 {
        calls.push(call(
            op::LOG_INFO,
            json!([clock.1 + i, format!("event {i} {}", "x".repeat(40)), {"i": i}]),
        ));
    }
    hand_over(&mut replay, clock, &calls);
    let before = replay.stats();
    let farewell = replay.farewell();
    assert_eq!(replay.stats(), before, "asking changed nothing");
    assert_eq!(farewell.len(), 1, "one request: logs (no spans were made)");
    let request = &farewell[0];
    assert_eq!(request.url, rx.url("/v1/logs"));
    assert!(
        request.body.len() <= game_tracker_web::replay::FAREWELL_BUDGET,
        "within the budget: {}",
        request.body.len()
    );
    assert!(
        request.headers.iter().any(|(k, _)| k == "Content-Type"),
        "the body's type: {:?}",
        request.headers
    );

    // What the page would send, sent as it would: the newest events and the end.
    let mut http = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .new_agent()
        .post(&request.url);
    for (k, v) in &request.headers {
        http = http.header(k.as_str(), v.as_str());
    }
    http.send(&request.body[..]).expect("the receiver answers");
    let logs = otlp_logs(&rx.requests_to("/v1/logs"));
    let text = |l: &opentelemetry_proto::tonic::logs::v1::LogRecord| match l
        .body
        .as_ref()
        .and_then(|b| b.value.as_ref())
    {
        Some(AnyValue::StringValue(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    let messages: Vec<String> = logs.iter().map(text).collect();
    assert_eq!(
        messages.last().map(String::as_str),
        Some("session_end"),
        "the clean end last"
    );
    assert!(
        messages[messages.len() - 2].starts_with("event 2999 "),
        "the newest event before it: {:?}",
        &messages[messages.len() - 3..]
    );
    let kept: Vec<usize> = messages
        .iter()
        .filter_map(|m| m.strip_prefix("event ")?.split(' ').next()?.parse().ok())
        .collect();
    assert!(
        kept.windows(2).all(|w| w[1] == w[0] + 1),
        "a run of the newest, with no gap"
    );
    assert!(kept.len() < 3000, "not all of them fit: {}", kept.len());
}

/// Spans started and never ended (the page cannot say a span was dropped):
/// the worker keeps at most 10,000 and forgets the oldest, saying so once.
#[test]
fn spans_never_ended_are_bounded() {
    let rx = Receiver::start();
    let mut replay = Replay::new(None);
    let clock = page_clock();
    let mut calls = vec![init(
        json!({"endpoint": rx.base_url(), "protocol": "otlp", "delivery": "frame"}),
    )];
    for n in 1..=10_001 {
        calls.push(call(op::SPAN_ROOT, json!([clock.1, "leak", null, n])));
    }
    // The oldest was forgotten; the newest can still end.
    calls.push(call(op::SPAN_END, json!([1, clock.1])));
    calls.push(call(op::SPAN_END, json!([10_001, clock.1])));
    hand_over(&mut replay, clock, &calls);
    let problems = replay.take_diagnostics();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("the oldest is forgotten"),
        "{problems:?}"
    );
    assert!(problems[1].contains("never saw start (1)"), "{problems:?}");
}

/// A hitch the page timed: the worker's core reports it with what ran in
/// its frame, at the page's times, as natively (docs/hitches.md).
#[test]
fn a_hitch_from_the_page_names_its_frame() {
    let rx = Receiver::start();
    let mut replay = Replay::new(None);
    let (unix_us, ticks) = page_clock();
    hand_over(
        &mut replay,
        (unix_us, ticks),
        &[
            init(
                json!({"endpoint": rx.base_url(), "protocol": "otlp", "delivery": "frame",
                "release_health": false, "vitals": false}),
            ),
            call(op::SPAN_ROOT, json!([ticks - 500_000, "level", null, 1])),
            call(
                op::LOG_INFO,
                json!([ticks - 300_000, "before the frame", null]),
            ),
        ],
    );
    // The next frame: 120 ms, with a log in it, then its hitch.
    let end = ticks + 120_000;
    hand_over(
        &mut replay,
        (unix_us + 120_000, end),
        &[
            call(
                op::LOG_INFO,
                json!([ticks + 1_000, "loading chunk 3", null]),
            ),
            call(
                op::HITCH,
                json!([end, 120_000, 33_333, {"draw_calls": 12, "objects": 345.0}]),
            ),
            call(op::FLUSH, json!([])),
        ],
    );
    until_sent(&replay, &rx, "/v1/logs");
    until_sent(&replay, &rx, "/v1/traces");

    let logs = otlp_logs(&rx.requests_to("/v1/logs"));
    let hitch = logs
        .iter()
        .find(|l| l.event_name == "app.jank")
        .unwrap_or_else(|| panic!("a hitch log line in {logs:?}"));
    assert_eq!(
        hitch.time_unix_nano,
        ((unix_us + 120_000) * 1000) as u64,
        "at the frame's end"
    );
    let attribute = |key: &str| {
        hitch
            .attributes
            .iter()
            .find(|kv| kv.key == key || kv.key == format!("data.{key}"))
            .and_then(|kv| kv.value.as_ref()?.value.clone())
            .unwrap_or_else(|| panic!("{key} in {:?}", hitch.attributes))
    };
    assert_eq!(attribute("hitch.duration_ms"), AnyValue::DoubleValue(120.0));
    assert_eq!(
        attribute("app.jank.threshold"),
        AnyValue::DoubleValue(0.033333)
    );
    let context = format!("{:?} {:?}", attribute("logs"), attribute("monitors"));
    assert!(
        context.contains("loading chunk 3") && !context.contains("before the frame"),
        "only the frame's lines: {context}"
    );
    assert!(
        context.contains("draw_calls") && context.contains("345"),
        "{context}"
    );

    let spans = otlp_spans(&rx.requests_to("/v1/traces"));
    let hitch_span = spans
        .iter()
        .find(|s| s.name == "hitch")
        .expect("a hitch span");
    let hex = |b: &[u8]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    assert_eq!(
        (hex(&hitch_span.trace_id), hex(&hitch_span.parent_span_id)),
        (
            "0af7651916cd43dd4000000000000001".into(),
            "4000000000000001".into()
        ),
        "under the level span the page started"
    );
    assert_eq!(
        hitch_span.end_time_unix_nano - hitch_span.start_time_unix_nano,
        120_000_000
    );
}

/// The page decides what is a hitch with the core's rule:
/// web_hitches.gd's constants are the core's.
#[test]
fn the_page_times_hitches_with_the_cores_defaults() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let gd =
        std::fs::read_to_string(format!("{root}/addons/game_tracker/web/web_hitches.gd")).unwrap();
    let factor = format!(
        "const HITCH_FACTOR := {:?}",
        game_tracker_core::config::HITCH_FACTOR
    );
    let min = format!(
        "const MIN_AUTO_HITCH_USEC := {}",
        game_tracker_core::config::MIN_AUTO_HITCH.as_micros()
    );
    assert!(gd.contains(&factor), "web_hitches.gd: {factor}");
    assert!(gd.contains(&min), "web_hitches.gd: {min}");
}

/// The operations' numbers and field counts have one meaning in the three
/// places that write or read them: handover.gd (the autoload), replay.rs
/// (the worker) and the browser tests' writer (tests/web/handover.js).
#[test]
fn the_page_the_worker_and_the_test_writer_number_the_operations_alike() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let gd =
        std::fs::read_to_string(format!("{root}/addons/game_tracker/web/handover.gd")).unwrap();
    let js = std::fs::read_to_string(format!("{root}/tests/web/handover.js")).unwrap();
    let rust = [
        ("LOG_DEBUG", op::LOG_DEBUG),
        ("LOG_INFO", op::LOG_INFO),
        ("LOG_WARN", op::LOG_WARN),
        ("LOG_ERROR", op::LOG_ERROR),
        ("COUNTER", op::COUNTER),
        ("GAUGE", op::GAUGE),
        ("HISTOGRAM", op::HISTOGRAM),
        ("SAMPLES", op::SAMPLES),
        ("SPAN_ROOT", op::SPAN_ROOT),
        ("SPAN_CHILD", op::SPAN_CHILD),
        ("SPAN_END", op::SPAN_END),
        ("SPAN_END_WITH", op::SPAN_END_WITH),
        ("BREADCRUMB", op::BREADCRUMB),
        ("USER", op::USER),
        ("CONTEXT", op::CONTEXT),
        ("TAG", op::TAG),
        ("SCENE", op::SCENE),
        ("INIT", op::INIT),
        ("ENABLED", op::ENABLED),
        ("FLUSH", op::FLUSH),
        ("SHUTDOWN", op::SHUTDOWN),
        ("HITCH", op::HITCH),
    ];
    // handover.gd: `enum Op { LOG_DEBUG = 1, LOG_INFO, … }`, numbered on.
    let body = &gd[gd.find("enum Op {").unwrap() + 9..];
    let body = &body[..body.find('}').unwrap()];
    let mut gd_ops = Vec::new();
    let mut next = 0;
    for item in body.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        let (name, value) = match item.split_once('=') {
            Some((name, value)) => (name.trim(), value.trim().parse().unwrap()),
            None => (item, next),
        };
        gd_ops.push((name.to_string(), value));
        next = value + 1;
    }
    let rust_ops: Vec<(String, i64)> = rust.iter().map(|(n, v)| (n.to_string(), *v)).collect();
    assert_eq!(gd_ops, rust_ops, "handover.gd's Op");
    for (name, value) in rust {
        assert!(
            js.contains(&format!("{name}: {value},")),
            "handover.js's Op.{name} is {value}"
        );
        let fields = op::field_count(value).unwrap();
        assert!(
            gd.contains(&format!("Op.{name}: {fields},")),
            "handover.gd's FIELDS[Op.{name}] is {fields}"
        );
    }
    let format = format!("FORMAT = {};", op::FORMAT);
    assert!(js.contains(&format), "handover.js's {format}");
    assert!(
        gd.contains(&format!("const FORMAT := {}", op::FORMAT)),
        "handover.gd's FORMAT"
    );
}
