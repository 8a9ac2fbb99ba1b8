//! The demo project, run headless by the provisioned Godot, sends its metrics
//! to a real receiver and its logs and traces to a loopback receiver: in the
//! native mode to Prometheus 3 (remote write), in the OTLP mode to
//! VictoriaMetrics' OTLP receiver, configured as docs/backends.md says (Debian's
//! Prometheus is built without its OTLP receiver). PromQL over the server's
//! HTTP API must return exactly the values the demo's scripted session
//! produced, under the same labels in both modes.
//!
//! The expected values follow from `demo_project/main.gd`: two deaths by
//! spikes, gold 300 spent on sword+potion+sword+potion (the dragon egg is too
//! expensive), load times 120/480/950/3100 ms, health ending at -20.

use std::time::Duration;

use game_tracker_testkit::decode::{loki_entries, otlp_logs, otlp_spans};
use game_tracker_testkit::processes::{
    import_project, run_godot, PromQl, Prometheus, VictoriaMetrics,
};
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::repo_root;
use serde_json::Value as Json;

fn scalar(results: &[Json]) -> f64 {
    assert_eq!(results.len(), 1, "expected one series, got {results:?}");
    results[0]["value"][1].as_str().unwrap().parse().unwrap()
}

/// Runs the demo with `env`; returns its session id.
fn play_demo(env: &[(&str, String)]) -> String {
    let project = repo_root().join("demo_project");
    import_project(&project);
    let run = run_godot(&project, &[], env, Duration::from_secs(120));
    assert!(run.status.success(), "demo failed:\n{}", run.all_output());
    assert!(run.engine_failures().is_empty(), "{}", run.all_output());
    for signal in ["logs", "metrics", "traces"] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.contains(&format!("demo:   {signal}")))
            .expect("summary line");
        assert!(line.contains(" dropped=0"), "{line}");
        assert!(line.contains(" pending=0"), "{line}");
    }
    run.stdout
        .lines()
        .find_map(|l| l.strip_prefix("demo: session "))
        .and_then(|l| l.split_whitespace().next())
        .expect("demo prints its session id")
        .to_string()
}

/// The demo's metrics as one session's series, by PromQL.
fn check_session_metrics(prometheus: &impl PromQl, session: &str) {
    let q = |promql: &str| prometheus.query(promql);
    let sel = format!(
        "game=\"gametracker-demo\",env=\"development\",version=\"1.0.0\",instance=\"{session}\""
    );
    assert_eq!(
        scalar(&q(&format!(
            "player_deaths_total{{{sel},cause=\"spikes\"}}"
        ))),
        2.0
    );
    assert!(
        q("player_deaths_total{cause=\"goblin\"}").is_empty(),
        "the goblin never killed"
    );
    assert_eq!(scalar(&q(&format!("player_health{{{sel}}}"))), -20.0);
    assert_eq!(scalar(&q(&format!("player_gold{{{sel}}}"))), 50.0);
    assert_eq!(
        scalar(&q(&format!(
            "levels_started_total{{{sel},level=\"forest\"}}"
        ))),
        1.0
    );
    assert_eq!(
        scalar(&q(&format!(
            "levels_started_total{{{sel},level=\"caves\"}}"
        ))),
        1.0
    );
    assert!(q("levels_started_total{level=\"missing_level\"}").is_empty());
    assert_eq!(
        scalar(&q(&format!("purchases_total{{{sel},item=\"sword\"}}"))),
        2.0
    );
    assert_eq!(
        scalar(&q(&format!("purchases_total{{{sel},item=\"potion\"}}"))),
        2.0
    );
    assert!(q("purchases_total{item=\"dragon_egg\"}").is_empty());
    assert_eq!(
        scalar(&q(&format!("revenue_gold_total{{{sel},item=\"sword\"}}"))),
        200.0
    );
    assert_eq!(
        scalar(&q(&format!("revenue_gold_total{{{sel},item=\"potion\"}}"))),
        50.0
    );

    // Classic histogram: cumulative buckets, +Inf, sum and count.
    let bucket = |le: &str| {
        scalar(&q(&format!(
            "load_time_ms_bucket{{{sel},scene=\"level\",le=\"{le}\"}}"
        )))
    };
    let buckets: Vec<f64> = ["100", "250", "500", "1000", "2500", "5000", "+Inf"]
        .iter()
        .map(|le| bucket(le))
        .collect();
    assert_eq!(buckets, vec![0.0, 1.0, 2.0, 3.0, 3.0, 4.0, 4.0]);
    assert_eq!(scalar(&q(&format!("load_time_ms_sum{{{sel}}}"))), 4650.0);
    assert_eq!(scalar(&q(&format!("load_time_ms_count{{{sel}}}"))), 4.0);
    let median = scalar(&q(&format!(
        "histogram_quantile(0.5, load_time_ms_bucket{{{sel}}})"
    )));
    assert!((250.0..=500.0).contains(&median), "median {median}");

    // The 0 sample before the first increment lets increase() count it.
    assert_eq!(
        scalar(&q(&format!(
            "min_over_time(player_deaths_total{{{sel}}}[10m])"
        ))),
        0.0
    );
    assert!(scalar(&q(&format!("increase(player_deaths_total{{{sel}}}[10m])"))) >= 2.0);
}

/// Every Prometheus panel of the Grafana dashboard returns data for the demo.
fn check_dashboard(prometheus: &impl PromQl) {
    let dashboard: Json = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("deploy/grafana/dashboard.json")).unwrap(),
    )
    .unwrap();
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().into_iter().flatten() {
            if target["datasource"]["uid"] != "${prometheus}" {
                continue;
            }
            let expr = target["expr"]
                .as_str()
                .unwrap()
                .replace("$game", "gametracker-demo")
                .replace("$env", ".*")
                .replace("$__range", "1h");
            assert!(
                !prometheus.query(&expr).is_empty(),
                "panel '{}' returns nothing: {expr}",
                panel["title"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 23, "{checked} dashboard queries checked");
}

/// The label names of `promql`'s one result.
fn label_names(prometheus: &impl PromQl, promql: &str) -> Vec<String> {
    let results = prometheus.query(promql);
    assert_eq!(results.len(), 1, "{promql}: {results:?}");
    let mut names: Vec<String> = results[0]["metric"]
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    names.sort();
    names
}

#[test]
#[ignore = "runs Godot and Prometheus; use the README's test command"]
fn demo_session_round_trips_through_a_real_prometheus() {
    let prometheus = Prometheus::start();
    let rx = Receiver::start();
    let session = play_demo(&[
        ("GAMETRACKER_METRICS_URL", prometheus.write_url()),
        ("GAMETRACKER_LOGS_URL", rx.url("/loki/api/v1/push")),
        ("GAMETRACKER_TRACES_URL", rx.url("/v1/traces")),
    ]);
    check_session_metrics(&prometheus, &session);
    check_dashboard(&prometheus);
    // The tracker's own metrics (on by default) came with the game's.
    for signal in ["logs", "metrics", "traces"] {
        let produced = prometheus.query(&format!(
            "gametracker_events_produced_total{{instance=\"{session}\",signal=\"{signal}\"}}"
        ));
        assert!(scalar(&produced) > 0.0, "{signal}");
    }
    let sel = format!("instance=\"{session}\",cause=\"spikes\"");
    assert_eq!(
        label_names(&prometheus, &format!("player_deaths_total{{{sel}}}")),
        ["__name__", "cause", "env", "game", "instance", "version"],
        "the native mode's labels"
    );

    // Logs: the Loki push body, with the session in the line, not the labels.
    let entries = loki_entries(&rx.requests_to("/loki/api/v1/push"));
    assert!(entries
        .iter()
        .all(|(labels, _)| labels.get("session_id").is_none()));
    let (session_events, lines): (Vec<Json>, Vec<Json>) = entries
        .into_iter()
        .map(|(_, line)| line)
        .partition(|l| l["msg"].as_str().is_some_and(|m| m.starts_with("session_")));
    assert_eq!(lines.len(), 12, "the demo's own lines");
    let names: Vec<&str> = session_events
        .iter()
        .filter_map(|l| l["msg"].as_str())
        .collect();
    assert!(
        names.contains(&"session_start") && names.contains(&"session_end"),
        "release health is on by default: {names:?}"
    );
    assert!(lines
        .iter()
        .all(|l| l["session_id"] == Json::String(session.clone())));
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["msg"] == "purchase_attempt")
            .count(),
        5
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l["msg"] == "level_load_failed")
            .count(),
        1
    );

    // Traces: one trace, nested three deep, the failed level marked as error.
    let spans = otlp_spans(&rx.requests_to("/v1/traces"));
    assert_eq!(spans.len(), 12);
    let root = spans.iter().find(|s| s.name == "game_session").unwrap();
    assert!(spans.iter().all(|s| s.trace_id == root.trace_id));
    let loads: Vec<_> = spans.iter().filter(|s| s.name == "level_load").collect();
    assert_eq!(loads.len(), 3);
    assert!(loads.iter().all(|s| s.parent_span_id == root.span_id));
    let failed: Vec<_> = loads
        .iter()
        .filter(|s| s.status.as_ref().unwrap().code == 2)
        .collect();
    assert_eq!(failed.len(), 1);
    for texture in spans.iter().filter(|s| s.name == "decode_textures") {
        let assets = spans
            .iter()
            .find(|s| s.span_id == texture.parent_span_id)
            .unwrap();
        assert_eq!(assets.name, "load_assets");
    }
}

#[test]
#[ignore = "runs Godot and VictoriaMetrics; use the README's test command"]
fn otlp_mode_reaches_a_real_receiver_with_the_native_labels_and_two_sessions_stay_two_series_with_either_delivery(
) {
    let server = VictoriaMetrics::start();
    let rx = Receiver::start();
    let env = [
        ("GAMETRACKER_PROTOCOL", "otlp".to_string()),
        // VictoriaMetrics takes OTLP as protobuf only.
        ("GAMETRACKER_OTLP_ENCODING", "protobuf".to_string()),
        ("GAMETRACKER_METRICS_URL", server.otlp_metrics_url()),
        ("GAMETRACKER_LOGS_URL", rx.url("/v1/logs")),
        ("GAMETRACKER_TRACES_URL", rx.url("/v1/traces")),
    ];
    let first = play_demo(&env);
    // The second session with frame delivery (no thread: what the Web's
    // nothreads build runs, by the route the Web uses) lands the same.
    let frame = [&env[..], &[("GAMETRACKER_DELIVERY", "frame".to_string())]].concat();
    let second = play_demo(&frame);
    assert_ne!(first, second);
    // VictoriaMetrics makes what it received searchable within about a
    // second; the wait allows a busy machine far more.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while server.query("player_deaths_total").len() < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    for session in [&first, &second] {
        check_session_metrics(&server, session);
    }
    // Two players' counters are two series, not one interleaved series.
    let spikes = "player_deaths_total{game=\"gametracker-demo\",cause=\"spikes\"}";
    assert_eq!(scalar(&server.query(&format!("count({spikes})"))), 2.0);
    assert_eq!(scalar(&server.query(&format!("sum({spikes})"))), 4.0);
    check_dashboard(&server);
    assert_eq!(
        label_names(
            &server,
            &format!("player_deaths_total{{instance=\"{first}\",cause=\"spikes\"}}")
        ),
        ["__name__", "cause", "env", "game", "instance", "version"],
        "the native mode's labels, no others"
    );

    // Logs: the game's `{"level": "forest"}` is `data.level`, never the level.
    let logs = otlp_logs(&rx.requests_to("/v1/logs"));
    let spawned = logs
        .iter()
        .find(|l| format!("{:?}", l.body).contains("player_spawned"))
        .expect("the player_spawned log");
    let keys: Vec<&str> = spawned.attributes.iter().map(|a| a.key.as_str()).collect();
    assert!(
        keys.contains(&"data.level") && !keys.contains(&"level"),
        "{keys:?}"
    );
    assert_eq!(spawned.severity_text, "INFO");
    assert_eq!(
        otlp_spans(&rx.requests_to("/v1/traces")).len(),
        24,
        "two sessions of 12 spans"
    );
}
