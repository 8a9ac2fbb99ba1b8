//! Hitches as a receiver decodes them: a slow frame's log line names the
//! spans, logs and breadcrumbs of that frame; its span sits in the trace of
//! the longest span open in the frame; `game_frame_time_ms` carries an
//! exemplar with that span's ids, in OTLP and in remote write; past the
//! minute's budget hitches are counted, and the identity holds.

use std::time::Duration;

use common::calls::TestCalls;
use common::{assert_identity, settled_stats};
use game_tracker_core::model::value::Value;
use game_tracker_core::{
    Config, DeviceInfo, DropReason, Level, Signal, Tracker, FRAME_TIME_METRIC, SCENE_LABEL,
};
use game_tracker_testkit::decode::{otlp, otlp_logs, otlp_spans};
use game_tracker_testkit::receiver::Receiver;
use opentelemetry_proto::tonic::collector::metrics::v1::ExportMetricsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::metrics::v1::metric;

mod common;

const SCENE: &str = "res://levels/forest.tscn";
const STALL: Duration = Duration::from_millis(120);

fn start(rx: &Receiver, extra: &[(&str, Value)]) -> Tracker {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(rx.base_url())),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
        ("flush_interval".to_string(), Value::Int(3600)),
    ];
    fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

/// One frame that stalls inside `load_chunk`, under a `level` span that
/// stays open, as the engine layer reports it; then the second's frame times.
/// Returns the `level` span's ids (trace, span) in hex.
fn play_a_hitch(t: &Tracker) -> (String, String) {
    t.set_scene(SCENE);
    let level = t.start_span("level", Vec::<(String, Value)>::new(), None);
    t.log(Level::Info, "before the frame".into(), vec![]);
    // Lines carry the wall clock, the frame is timed by the monotonic one:
    // the two may run apart while NTP slews (up to 500 ppm, 60 µs over the
    // stall), so the line before the frame is logged well before it.
    std::thread::sleep(Duration::from_millis(5));
    // The engine layer times a frame from one hand-over to the next.
    let frame_start = std::time::Instant::now();
    t.handover();
    let chunk = t.start_span("load_chunk", Vec::<(String, Value)>::new(), None);
    t.log(Level::Info, "loading chunk 3".into(), vec![]);
    t.add_breadcrumb_with("world", "chunk 3 requested", Vec::<(String, Value)>::new());
    std::thread::sleep(STALL);
    t.end_span(&chunk, game_tracker_core::SpanStatus::Ok, "");
    let frame_end = std::time::Instant::now();
    let frame = frame_end - frame_start;
    t.hitch(
        frame_start,
        frame_end,
        Duration::from_millis(33),
        &[("draw_calls", 12.0), ("orphan_nodes", 0.0)],
    );
    let scene = vec![(SCENE_LABEL.to_string(), SCENE.to_string())];
    t.histogram_samples(
        FRAME_TIME_METRIC,
        &[16.0, frame.as_secs_f64() * 1000.0],
        scene.as_slice(),
    );
    t.handover();
    (level.trace_id.to_hex(), level.span_id.to_hex())
}

fn text(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_string()
}

#[test]
fn a_hitch_names_its_frame_and_sits_in_the_trace_of_the_longest_open_span() {
    for encoding in ["protobuf", "json"] {
        let rx = Receiver::start();
        let t = start(
            &rx,
            &[
                ("protocol", Value::Str("otlp".into())),
                ("otlp_encoding", Value::Str(encoding.into())),
            ],
        );
        let (level_trace, level_span) = play_a_hitch(&t);
        assert!(t.flush_and_wait(Duration::from_secs(10)));

        let logs = otlp_logs(&rx.requests_to("/v1/logs"));
        let hitch = logs
            .iter()
            .find(|l| {
                matches!(&l.body.as_ref().and_then(|b| b.value.clone()),
                    Some(any_value::Value::StringValue(s)) if s == "hitch")
            })
            .unwrap_or_else(|| panic!("{encoding}: a hitch log line in {logs:?}"));
        let attributes: serde_json::Map<String, serde_json::Value> = hitch
            .attributes
            .iter()
            .map(|kv| {
                let key = kv.key.strip_prefix("data.").unwrap_or(&kv.key);
                (key.to_string(), any_to_json(kv.value.as_ref()))
            })
            .collect();
        assert_eq!(hitch.event_name, "app.jank");
        assert!(
            attributes.contains_key("app.jank.period") && attributes.contains_key("scene"),
            "{attributes:?}"
        );
        let a = serde_json::Value::Object(attributes);
        assert_eq!(text(&a, "scene"), SCENE, "{a}");
        assert_eq!(a["app.jank.frame_count"], 1, "{a}");
        assert_eq!(a["app.jank.threshold"], 0.033, "{a}");
        let period = a["app.jank.period"].as_f64().unwrap();
        assert!(period >= STALL.as_secs_f64(), "{a}");
        assert_eq!(a["hitch.frozen"], false, "{a}");
        let spans = a["spans"].as_array().expect("spans");
        let names: Vec<(String, bool)> = spans
            .iter()
            .map(|s| (text(s, "name"), s["open"].as_bool().unwrap()))
            .collect();
        assert_eq!(
            names,
            [
                ("level".to_string(), true),
                ("load_chunk".to_string(), false)
            ],
            "longest first, `level` still open: {a}"
        );
        let messages: Vec<String> = a["logs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| text(l, "message"))
            .collect();
        assert_eq!(messages, ["loading chunk 3"], "only the frame's: {a}");
        assert_eq!(text(&a["breadcrumbs"][0], "message"), "chunk 3 requested");
        assert_eq!(a["monitors"]["draw_calls"], 12.0, "{a}");

        let spans = otlp_spans(&rx.requests_to("/v1/traces"));
        let hitch_span = spans
            .iter()
            .find(|s| s.name == "hitch")
            .expect("a hitch span");
        assert_eq!(
            hex(&hitch_span.trace_id),
            level_trace,
            "in the level's trace"
        );
        assert_eq!(
            hex(&hitch_span.parent_span_id),
            level_span,
            "under the level span"
        );
        assert_eq!(text(&a, "trace_id"), level_trace);
        assert_eq!(text(&a, "span_id"), hex(&hitch_span.span_id));
        let length = hitch_span.end_time_unix_nano - hitch_span.start_time_unix_nano;
        assert!(length as f64 >= STALL.as_nanos() as f64, "{length}");

        let exemplars: Vec<_> = rx
            .requests_to("/v1/metrics")
            .iter()
            .map(otlp::<ExportMetricsServiceRequest>)
            .flat_map(|r| r.resource_metrics)
            .flat_map(|rm| rm.scope_metrics)
            .flat_map(|sm| sm.metrics)
            .filter(|m| m.name == FRAME_TIME_METRIC)
            .flat_map(|m| match m.data {
                Some(metric::Data::Histogram(h)) => h.data_points,
                _ => vec![],
            })
            .flat_map(|p| p.exemplars)
            .collect();
        assert_eq!(exemplars.len(), 1, "{encoding}: {exemplars:?}");
        assert_eq!(hex(&exemplars[0].trace_id), level_trace);
        assert_eq!(hex(&exemplars[0].span_id), hex(&hitch_span.span_id));
        assert_identity(&t);
    }
}

#[test]
fn remote_write_puts_the_exemplar_on_the_bucket_the_hitch_fell_in() {
    let rx = Receiver::start();
    let t = start(&rx, &[]);
    let (level_trace, _) = play_a_hitch(&t);
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let with_exemplars: Vec<(String, Vec<(String, String)>)> = rx
        .requests_to(game_tracker_core::config::METRICS_PATH)
        .iter()
        .flat_map(|r| {
            game_tracker_core::encode::remote_write::decode(&r.body)
                .unwrap()
                .timeseries
        })
        .filter(|ts| !ts.exemplars.is_empty())
        .map(|ts| {
            let le = ts
                .labels
                .iter()
                .find(|l| l.name == "le")
                .map(|l| l.value.clone())
                .unwrap_or_default();
            let labels = ts.exemplars[0]
                .labels
                .iter()
                .map(|l| (l.name.clone(), l.value.clone()))
                .collect();
            (le, labels)
        })
        .collect();
    assert_eq!(with_exemplars.len(), 1, "{with_exemplars:?}");
    // 120 ms and a little: the default buckets' 250.
    assert_eq!(with_exemplars[0].0, "250");
    assert!(with_exemplars[0]
        .1
        .contains(&("trace_id".to_string(), level_trace)));
    assert_identity(&t);
}

#[test]
fn past_the_minutes_budget_hitches_are_counted_not_sent() {
    let rx = Receiver::start();
    let t = start(&rx, &[("max_hitches_per_minute", Value::Int(2))]);
    for _ in 0..5 {
        t.handover();
        hitch_of(&t, Duration::from_millis(50));
    }
    t.handover();
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    for signal in [Signal::Logs, Signal::Traces] {
        let s = settled_stats(&t, signal);
        assert_eq!(
            (s.produced, s.sent, s.dropped(DropReason::HitchLimit)),
            (5, 2, 3),
            "{signal:?}: {s:?}"
        );
    }
    assert_identity(&t);
}

#[test]
fn a_frame_over_frozen_frame_ms_is_frozen() {
    let rx = Receiver::start();
    let t = start(&rx, &[("frozen_frame_ms", Value::Int(700))]);
    hitch_of(&t, Duration::from_millis(800));
    hitch_of(&t, Duration::from_millis(699));
    t.handover();
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let frozen: Vec<bool> =
        game_tracker_testkit::decode::loki_lines(&rx.requests_to("/loki/api/v1/push"))
            .iter()
            .filter(|l| l["msg"] == "hitch" && l["event"] == "app.jank")
            .map(|l| l["data"]["hitch.frozen"].as_bool().unwrap())
            .collect();
    assert_eq!(frozen, [true, false]);
}

/// A hitch of `length` that ended now.
fn hitch_of(t: &Tracker, length: Duration) {
    let now = std::time::Instant::now();
    t.hitch(now - length, now, Duration::from_millis(33), &[]);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn any_to_json(v: Option<&opentelemetry_proto::tonic::common::v1::AnyValue>) -> serde_json::Value {
    use serde_json::json;
    match v.and_then(|v| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => json!(s),
        Some(any_value::Value::BoolValue(b)) => json!(b),
        Some(any_value::Value::IntValue(i)) => json!(i),
        Some(any_value::Value::DoubleValue(d)) => json!(d),
        Some(any_value::Value::ArrayValue(a)) => {
            serde_json::Value::Array(a.values.iter().map(|v| any_to_json(Some(v))).collect())
        }
        Some(any_value::Value::KvlistValue(kv)) => serde_json::Value::Object(
            kv.values
                .iter()
                .map(|kv| (kv.key.clone(), any_to_json(kv.value.as_ref())))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    }
}
