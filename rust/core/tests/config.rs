use std::time::Duration;

use game_tracker_core::config::{Config, DEFAULT_FLUSH_INTERVAL};
use game_tracker_core::model::value::Value;
use game_tracker_core::Signal;

fn s(v: &str) -> Value {
    Value::Str(v.into())
}

fn parse(pairs: Vec<(&str, Value)>) -> Result<Config, game_tracker_core::ConfigError> {
    Config::from_fields(&pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[test]
fn endpoint_expands_to_the_three_standard_paths() {
    let c = parse(vec![("endpoint", s("https://alloy.example.com/"))]).unwrap();
    assert_eq!(
        c.url_for(Signal::Logs),
        Some("https://alloy.example.com/loki/api/v1/push")
    );
    assert_eq!(
        c.url_for(Signal::Metrics),
        Some("https://alloy.example.com/api/v1/metrics/write")
    );
    assert_eq!(
        c.url_for(Signal::Traces),
        Some("https://alloy.example.com/v1/traces")
    );
}

#[test]
fn per_signal_urls_override_the_endpoint_in_any_key_order() {
    let c = parse(vec![
        ("metrics_url", s("http://alloy:9999/api/v1/metrics/write")),
        ("endpoint", s("http://alloy:8080")),
        ("traces_url", s("http://alloy:4318/v1/traces")),
    ])
    .unwrap();
    assert_eq!(
        c.url_for(Signal::Logs),
        Some("http://alloy:8080/loki/api/v1/push")
    );
    assert_eq!(
        c.url_for(Signal::Metrics),
        Some("http://alloy:9999/api/v1/metrics/write")
    );
    assert_eq!(
        c.url_for(Signal::Traces),
        Some("http://alloy:4318/v1/traces")
    );
}

#[test]
fn defaults_match_the_documented_values() {
    let c = parse(vec![]).unwrap();
    assert_eq!(c.game, "unknown");
    assert_eq!(c.version, "0.0.0");
    assert_eq!(c.environment, "development");
    assert_eq!(c.flush_interval, DEFAULT_FLUSH_INTERVAL);
    assert_eq!(c.session_label, "instance");
    assert_eq!(c.url_for(Signal::Logs), None);
    assert_eq!(c.compression, game_tracker_core::encode::Compression::None);
    assert_eq!(c.max_queue_bytes, 16 * 1024 * 1024);
}

#[test]
fn numbers_and_headers_are_read() {
    let c = parse(vec![
        ("flush_interval", Value::Float(0.5)),
        ("request_timeout", Value::Int(3)),
        ("batch_size", Value::Int(10)),
        ("queue_capacity", Value::Int(50)),
        (
            "headers",
            Value::Map(vec![
                ("X-Scope-OrgID".into(), s("tenant-1")),
                ("Authorization".into(), s("Bearer abc")),
            ]),
        ),
        (
            "histogram_buckets",
            Value::List(vec![Value::Int(1), Value::Float(2.5), Value::Int(10)]),
        ),
        ("session_label", s("")),
        ("compression", s("gzip")),
        ("max_queue_bytes", Value::Int(1 << 20)),
        ("quit_timeout", Value::Float(0.5)),
        ("max_retry_age", Value::Int(30)),
    ])
    .unwrap();
    assert_eq!(
        (c.quit_timeout, c.max_retry_age),
        (Duration::from_millis(500), Duration::from_secs(30))
    );
    assert_eq!(c.compression, game_tracker_core::encode::Compression::Gzip);
    assert_eq!(c.max_queue_bytes, 1 << 20);
    assert_eq!(c.flush_interval, Duration::from_millis(500));
    assert_eq!(c.request_timeout, Duration::from_secs(3));
    assert_eq!((c.batch_size, c.queue_capacity), (10, 50));
    assert_eq!(
        c.headers[0],
        ("X-Scope-OrgID".to_string(), "tenant-1".to_string())
    );
    assert_eq!(c.histogram_buckets, vec![1.0, 2.5, 10.0]);
    assert_eq!(c.session_label, "");
}

#[test]
fn every_bad_key_is_named_in_one_error() {
    let err = parse(vec![
        ("endpoint", Value::Int(5)),
        ("flush_interval", s("soon")),
        ("bogus_key", Value::Bool(true)),
        ("game", s("")),
        ("compression", s("brotli")),
    ])
    .unwrap_err();
    let keys: Vec<&str> = err.problems.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        vec![
            "endpoint",
            "flush_interval",
            "bogus_key",
            "game",
            "compression"
        ]
    );
    assert!(
        err.to_string()
            .contains("'compression' must be \"none\" or \"gzip\", got brotli"),
        "{err}"
    );
    let text = err.to_string();
    assert!(text.contains("'bogus_key' is not a known key"), "{text}");
    assert!(
        text.contains("'endpoint' must be a URL String, got int"),
        "{text}"
    );
}

#[test]
fn urls_must_be_http_with_a_host() {
    for bad in [
        "alloy.example.com",
        "ftp://x/y",
        "http://",
        "http://exa mple.com",
        "::",
    ] {
        let err = parse(vec![("endpoint", s(bad))]).expect_err(bad);
        assert_eq!(err.problems[0].0, "endpoint", "{bad}");
    }
}

#[test]
fn header_values_never_appear_in_errors() {
    let err = parse(vec![(
        "headers",
        Value::Map(vec![("Authorization".into(), s("Bearer secret\nvalue"))]),
    )])
    .unwrap_err();
    assert!(!err.to_string().contains("secret"), "{err}");
}

#[test]
fn out_of_range_numbers_are_rejected() {
    assert!(parse(vec![("flush_interval", Value::Float(0.001))]).is_err());
    assert!(parse(vec![("flush_interval", Value::Float(f64::NAN))]).is_err());
    assert!(parse(vec![("queue_capacity", Value::Int(0))]).is_err());
    assert!(parse(vec![("batch_size", Value::Int(-4))]).is_err());
    assert!(parse(vec![(
        "histogram_buckets",
        Value::List(vec![Value::Int(5), Value::Int(1)])
    )])
    .is_err());
    assert!(parse(vec![("session_label", s("9lives"))]).is_err());
}

#[test]
fn sampling_and_filter_keys_are_checked() {
    for bad in [
        Value::Float(1.5),
        Value::Float(-0.1),
        Value::Float(f64::NAN),
        s("half"),
    ] {
        assert!(
            parse(vec![("sample_rate", bad.clone())]).is_err(),
            "sample_rate {bad:?}"
        );
    }
    assert!(parse(vec![("min_level", s("verbose"))]).is_err());
    assert!(parse(vec![("drop_names", Value::List(vec![Value::Int(1)]))]).is_err());
    assert!(
        parse(vec![("drop_names", Value::List(vec![s("")]))]).is_err(),
        "an empty name would match nothing"
    );
    let c = parse(vec![
        ("sample_rate", Value::Int(1)),
        ("min_level", s("info")),
        ("drop_names", Value::List(vec![s("debug_*")])),
    ])
    .unwrap();
    assert_eq!(c.sample_rate, 1.0);
    let drops = |name| game_tracker_core::config::matches_any(&c.drop_names, name);
    assert!(drops("debug_overlay") && !drops("overlay_debug"));
}

#[test]
fn protocol_otlp_points_the_endpoint_at_the_three_otlp_paths() {
    let c = parse(vec![
        ("endpoint", s("http://collector:4318/")),
        ("protocol", s("otlp")),
    ])
    .unwrap();
    assert_eq!(c.logs_url.as_deref(), Some("http://collector:4318/v1/logs"));
    assert_eq!(
        c.metrics_url.as_deref(),
        Some("http://collector:4318/v1/metrics")
    );
    assert_eq!(
        c.traces_url.as_deref(),
        Some("http://collector:4318/v1/traces")
    );
    assert!(
        parse(vec![("protocol", s("grpc"))]).is_err(),
        "OTLP/HTTP only"
    );
    assert!(parse(vec![("otlp_encoding", s("xml"))]).is_err());
}

#[test]
fn the_engine_layers_keys_parse_with_their_defaults() {
    use game_tracker_core::config::CaptureErrors;
    let c = parse(vec![]).unwrap();
    assert!(c.engine.enabled && c.engine.vitals && c.engine.overlay_key.is_empty());
    assert_eq!(c.engine.capture_errors, CaptureErrors::DebugBuilds);
    assert!(c.engine.capture_errors.on(true) && !c.engine.capture_errors.on(false));
    // `init` takes a bool, Project Settings the choice's name.
    for (given, expected) in [
        (Value::Bool(true), CaptureErrors::Always),
        (Value::Bool(false), CaptureErrors::Never),
        (s("always"), CaptureErrors::Always),
        (s("never"), CaptureErrors::Never),
        (s("debug builds"), CaptureErrors::DebugBuilds),
    ] {
        assert_eq!(
            parse(vec![("capture_errors", given.clone())])
                .unwrap()
                .engine
                .capture_errors,
            expected,
            "{given:?}"
        );
    }
    assert!(parse(vec![("capture_errors", s("sometimes"))]).is_err());
    let c = parse(vec![
        ("enabled", Value::Bool(false)),
        ("vitals", Value::Bool(false)),
        ("overlay_key", s("F9")),
    ])
    .unwrap();
    assert!(!c.engine.enabled && !c.engine.vitals);
    assert_eq!(c.engine.overlay_key, "F9");
}

#[test]
fn a_signal_goes_to_its_url_then_output_dir_then_json_lines() {
    use game_tracker_core::config::schema::names_destination;
    use game_tracker_core::config::Destination;
    let c = parse(vec![
        ("logs_url", s("http://a:1/l")),
        ("output_dir", s("/tmp/out")),
        ("jsonl_dir", s("/tmp/j")),
    ])
    .unwrap();
    assert_eq!(
        c.destination(Signal::Logs),
        Destination::Url("http://a:1/l")
    );
    assert_eq!(
        c.destination(Signal::Metrics),
        Destination::Folder("/tmp/out")
    );
    let c = parse(vec![("jsonl_dir", s("/tmp/j"))]).unwrap();
    assert_eq!(
        c.destination(Signal::Traces),
        Destination::JsonLines("/tmp/j")
    );
    assert_eq!(
        parse(vec![]).unwrap().destination(Signal::Traces),
        Destination::Nowhere
    );
    let fields =
        |pairs: Vec<(&str, Value)>| pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    assert!(names_destination(&fields(vec![(
        "traces_url",
        s("http://a:1/t")
    )])));
    assert!(!names_destination(&fields(vec![
        ("endpoint", s("")),
        ("game", s("g"))
    ])));
}
