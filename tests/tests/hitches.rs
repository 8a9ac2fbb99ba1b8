//! The hitch game (`tests/godot/hitch_game.gd`) in real Godot: every stall
//! it causes is reported as a hitch of its scene with the `load_chunk` span
//! in its context and in its trace, the frozen frame as frozen, no other
//! frame unless the game itself saw one that slow, and Prometheus 3 with
//! exemplar storage keeps each hitch's trace id on the frame-time bucket
//! it fell in.

use std::collections::HashMap;
use std::time::Duration;

use game_tracker_testkit::decode::{loki_lines, otlp_spans};
use game_tracker_testkit::processes::{import_project, run_godot, PromQl, Prometheus};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;
use serde_json::Value as Json;

const SCENE: &str = "res://hitch_game.tscn";
/// As `hitch_game.gd` causes them.
const STALLS: usize = 3;
const STALL_MS: f64 = 120.0;
const FROZEN_MS: f64 = 800.0;

struct Hitch {
    duration_ms: f64,
    frozen: bool,
    scene: String,
    /// (name, open) of the spans in its context.
    spans: Vec<(String, bool)>,
    trace_id: String,
    span_id: String,
}

fn hitches(rx: &Receiver) -> Vec<Hitch> {
    loki_lines(&rx.requests_to("/loki/api/v1/push"))
        .into_iter()
        .filter(|line| line["msg"] == "hitch")
        .map(|line| {
            let data = &line["data"];
            let text = |v: &Json| v.as_str().unwrap_or_default().to_string();
            Hitch {
                duration_ms: data["hitch.duration_ms"].as_f64().unwrap(),
                frozen: data["hitch.frozen"].as_bool().unwrap(),
                scene: text(&data["scene"]),
                spans: data["spans"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| (text(&s["name"]), s["open"].as_bool().unwrap()))
                    .collect(),
                trace_id: text(&data["trace_id"]),
                span_id: text(&data["span_id"]),
            }
        })
        .collect()
}

/// `/api/v1/query_exemplars` over the last hour: the trace ids by `le`.
fn exemplars_by_bucket(prometheus: &Prometheus, selector: &str) -> HashMap<String, Vec<String>> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let url = format!(
        "http://127.0.0.1:{}/api/v1/query_exemplars",
        prometheus.port()
    );
    let mut response = ureq::get(&url)
        .query("query", selector)
        .query("start", (now - 3600).to_string())
        .query("end", (now + 60).to_string())
        .call()
        .expect("query exemplars");
    let body: Json = serde_json::from_str(&response.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["status"], "success", "{body}");
    let mut by_bucket: HashMap<String, Vec<String>> = HashMap::new();
    for series in body["data"].as_array().cloned().unwrap_or_default() {
        let le = series["seriesLabels"]["le"]
            .as_str()
            .unwrap_or("")
            .to_string();
        for e in series["exemplars"].as_array().cloned().unwrap_or_default() {
            by_bucket
                .entry(le.clone())
                .or_default()
                .push(e["labels"]["trace_id"].as_str().unwrap_or("").to_string());
        }
    }
    by_bucket
}

#[test]
#[ignore = "runs Godot and Prometheus; use the README's test command"]
fn every_stall_is_a_hitch_with_its_span_and_prometheus_keeps_its_trace_as_an_exemplar() {
    let rx = Receiver::start();
    let prometheus = Prometheus::shipped();
    let project = repo_root().join("tests/godot");
    import_project(&project);
    let run = run_godot(
        &project,
        &[SCENE],
        &[
            ("GAMETRACKER_TEST_ENDPOINT", rx.base_url()),
            ("GAMETRACKER_TEST_METRICS_URL", prometheus.write_url()),
        ],
        Duration::from_secs(120),
    );
    assert!(run.status.success(), "{}", run.all_output());
    assert!(run.engine_failures().is_empty(), "{}", run.all_output());
    let seen_by_game: Vec<f64> = run
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("hitch_game: slow frames "))
        .map(|json| serde_json::from_str(json).unwrap())
        .expect("the game prints the slow frames it saw");

    let hitches = hitches(&rx);
    let stalls: Vec<&Hitch> = hitches
        .iter()
        .filter(|h| h.spans.contains(&("load_chunk".to_string(), false)))
        .collect();
    let frozen: Vec<&Hitch> = hitches.iter().filter(|h| h.frozen).collect();
    let summary: Vec<String> = hitches
        .iter()
        .map(|h| {
            format!(
                "{} ms frozen={} spans={:?}",
                h.duration_ms, h.frozen, h.spans
            )
        })
        .collect();
    eprintln!("hitches reported: {summary:?}; slow frames the game saw: {seen_by_game:?}");
    assert_eq!(stalls.len(), STALLS, "every stall, once: {summary:?}");
    for stall in &stalls {
        assert_eq!(stall.scene, SCENE);
        assert!(stall.duration_ms >= STALL_MS, "{}", stall.duration_ms);
        assert!(!stall.frozen);
    }
    assert_eq!(frozen.len(), 1, "the frozen frame: {summary:?}");
    assert!(frozen[0].duration_ms >= FROZEN_MS);
    assert_eq!(frozen[0].scene, SCENE);
    // Any other hitch must be a frame the game itself timed near the
    // threshold or past it (a busy machine makes some): none made up.
    let caused = STALLS + 1;
    assert!(
        hitches.len() - caused <= seen_by_game.len().saturating_sub(caused),
        "no frame reported that the game did not see slow: {summary:?}, game: {seen_by_game:?}"
    );

    // Each stall's hitch span sits under its `load_chunk` span.
    let spans = otlp_spans(&rx.requests_to("/v1/traces"));
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    for stall in &stalls {
        let span = spans
            .iter()
            .find(|s| hex(&s.span_id) == stall.span_id)
            .expect("the hitch's span was sent");
        assert_eq!(span.name, "hitch");
        let parent = spans
            .iter()
            .find(|s| s.span_id == span.parent_span_id)
            .expect("its parent was sent");
        assert_eq!(parent.name, "load_chunk");
        assert_eq!(hex(&span.trace_id), stall.trace_id);
        assert_eq!(hex(&parent.trace_id), stall.trace_id);
    }

    // The exemplars: each stall's trace on the 250 ms bucket, the frozen
    // frame's on the 1000 ms one.
    let by_bucket = exemplars_by_bucket(
        &prometheus,
        "game_frame_time_ms_bucket{game=\"hitch-game\"}",
    );
    for stall in &stalls {
        assert!(
            by_bucket
                .get("250")
                .is_some_and(|ids| ids.contains(&stall.trace_id)),
            "{} on le=250: {by_bucket:?}",
            stall.trace_id
        );
    }
    assert!(
        by_bucket
            .get("1000")
            .is_some_and(|ids| ids.contains(&frozen[0].trace_id)),
        "frozen on le=1000: {by_bucket:?}"
    );
}

/// What VictoriaMetrics does with the exemplars: it takes the request and
/// its samples, and keeps no exemplar (docs/hitches.md says so; this is
/// where that is checked).
#[test]
#[ignore = "runs VictoriaMetrics; use the README's test command"]
fn victoriametrics_keeps_the_samples_of_a_request_with_exemplars_and_no_exemplar() {
    use game_tracker_core::model::value::Value;
    use game_tracker_core::{Config, DeviceInfo, Signal, Tracker};

    let vm = game_tracker_testkit::processes::VictoriaMetrics::start();
    let fields = vec![
        ("metrics_url".to_string(), Value::Str(vm.write_url())),
        ("game".to_string(), Value::Str("hitch-vm".into())),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    let t = Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap();
    let scene = vec![(
        game_tracker_core::SCENE_LABEL.to_string(),
        SCENE.to_string(),
    )];
    t.set_scene(SCENE);
    t.histogram_samples(
        game_tracker_core::FRAME_TIME_METRIC,
        &[16.0],
        scene.as_slice(),
    );
    t.handover();
    let now = std::time::Instant::now();
    t.hitch(
        now - Duration::from_millis(130),
        now,
        Duration::from_millis(33),
        &[],
    );
    t.histogram_samples(
        game_tracker_core::FRAME_TIME_METRIC,
        &[130.0],
        scene.as_slice(),
    );
    t.handover();
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let metrics = t.stats(Signal::Metrics);
    assert_eq!(
        (metrics.sent, metrics.dropped_total()),
        (2, 0),
        "{metrics:?}"
    );

    let selector = "game_frame_time_ms_bucket{game=\"hitch-vm\",le=\"250\"}";
    // VictoriaMetrics makes what it took searchable within a few seconds.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while vm.first_value(selector).is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(
        vm.first_value(selector),
        Some(2.0),
        "the request's samples were kept"
    );
    let url = format!("http://127.0.0.1:{}/api/v1/query_exemplars", vm.port());
    let answer = ureq::get(&url)
        .query("query", selector)
        .call()
        .map(|mut r| r.body_mut().read_to_string().unwrap_or_default());
    eprintln!("VictoriaMetrics' /api/v1/query_exemplars: {answer:?}");
    if let Ok(body) = answer {
        let body: Json = serde_json::from_str(&body).unwrap_or_default();
        assert!(
            body["data"].as_array().is_none_or(|d| d.is_empty()),
            "no exemplar kept: {body}"
        );
    }
}
