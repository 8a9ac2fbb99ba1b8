//! The whole pipeline (Tracker → worker → sender threads → HTTP) against a
//! loopback receiver: batching, headers, one request in flight per signal,
//! nothing lost while the receiver is slow, and every drop counted.

use std::time::{Duration, Instant};

use common::calls::TestCalls;
use common::frames;
use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::{
    Config, DeviceInfo, DropReason, Level, MetricKind, Signal, SpanStatus, Tracker,
};
use game_tracker_testkit::decode::loki_lines as log_lines;
use game_tracker_testkit::receiver::Receiver;
use game_tracker_testkit::tls::TlsReceiver;

mod common;
use common::assert_identity;

const LOGS: &str = "/loki/api/v1/push";
const METRICS: &str = "/api/v1/metrics/write";
const TRACES: &str = "/v1/traces";

fn config(receiver: &Receiver, extra: Vec<(&str, Value)>) -> Config {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(receiver.base_url())),
        ("game".to_string(), Value::Str("pipeline-test".into())),
        // Long enough that only explicit flushes and size triggers send.
        ("flush_interval".to_string(), Value::Int(3600)),
        // Only what the test makes: session events have tests/health.rs.
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Config::from_fields(&fields).unwrap()
}

fn start(receiver: &Receiver, extra: Vec<(&str, Value)>) -> Tracker {
    Tracker::start(config(receiver, extra), DeviceInfo::default()).unwrap()
}

/// Runs frames until `cond`, at most 10 s: what it waits for takes
/// milliseconds.
fn eventually(t: &Tracker, cond: impl Fn() -> bool) -> bool {
    frames::until(t, Duration::from_secs(10), cond)
}

#[test]
fn batches_close_at_batch_size_and_on_flush() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("batch_size", Value::Int(10))]);
    for i in 0..25 {
        t.log(
            Level::Info,
            format!("event {i}"),
            vec![("i".into(), Value::Int(i))],
        );
    }
    // What the engine layer does once per frame.
    t.handover();
    assert!(
        frames::until_received(&t, &rx, Duration::from_secs(5), |r| r.len() >= 2),
        "two full batches go out without a flush"
    );
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let requests = rx.requests_to(LOGS);
    assert_eq!(requests.len(), 3);
    let lines = log_lines(&requests);
    let ids: Vec<i64> = lines
        .iter()
        .map(|l| l["data"]["i"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ids,
        (0..25).collect::<Vec<_>>(),
        "every event once, in order"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.produced, s.sent, s.requests, s.dropped_total()),
        (25, 25, 3, 0)
    );
}

#[test]
fn the_flush_interval_sends_without_being_asked() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("flush_interval", Value::Float(0.2))]);
    t.log(Level::Warn, "tick".into(), vec![]);
    t.handover();
    assert!(frames::until_received(
        &t,
        &rx,
        Duration::from_secs(3),
        |r| r.iter().any(|q| q.path == LOGS)
    ));
    // The receiver records a request just before answering it.
    assert!(
        eventually(&t, || t.stats(Signal::Logs).sent == 1),
        "{:?}",
        t.stats(Signal::Logs)
    );
}

#[test]
fn configured_and_protocol_headers_are_sent() {
    let rx = Receiver::start();
    let headers = Value::Map(vec![
        ("X-Scope-OrgID".into(), Value::Str("tenant-7".into())),
        ("Authorization".into(), Value::Str("Bearer t0ken".into())),
    ]);
    let t = start(&rx, vec![("headers", headers)]);
    t.log(Level::Info, "hello".into(), vec![]);
    t.metric(MetricKind::Counter, "hits".into(), 1.0, vec![]);
    let span = t.start_span("op", Vec::new(), None);
    t.end_span(&span, SpanStatus::Ok, "");
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    for path in [LOGS, METRICS, TRACES] {
        let r = &rx.requests_to(path)[0];
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("x-scope-orgid"), Some("tenant-7"), "{path}");
        assert_eq!(r.header("authorization"), Some("Bearer t0ken"), "{path}");
    }
    let m = &rx.requests_to(METRICS)[0];
    assert_eq!(m.header("content-type"), Some("application/x-protobuf"));
    assert_eq!(m.header("content-encoding"), Some("snappy"));
    assert_eq!(m.header("x-prometheus-remote-write-version"), Some("0.1.0"));
    let decoded = remote_write::decode(&m.body).unwrap();
    assert_eq!(decoded.timeseries.len(), 1);
    assert_eq!(
        rx.requests_to(LOGS)[0].header("content-type"),
        Some("application/json")
    );
    assert_eq!(
        rx.requests_to(TRACES)[0].header("content-type"),
        Some("application/json")
    );
}

#[test]
fn a_slow_receiver_gets_one_request_at_a_time_and_loses_nothing() {
    let rx = Receiver::start();
    rx.delay(Duration::from_millis(300));
    let t = start(&rx, vec![("batch_size", Value::Int(20))]);
    // The receiver answers nothing until the game's calls have returned, so
    // "no call waited on the network" is an order, not a duration: a call
    // that waited would still be waiting when the watchdog lets the
    // receiver answer, and the answer would be on record before the calls
    // returned. The watchdog only keeps such a failure from hanging the suite.
    rx.hold();
    let (calls_returned, watchdog) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        let receiver = &rx;
        scope.spawn(move || {
            let _ = watchdog.recv_timeout(Duration::from_secs(30));
            receiver.release();
        });
        // 10 frames of 20 logs, each handed over as the engine layer does
        // once per frame: the worker batches and sends while the game plays.
        for frame in 0..10 {
            for i in frame * 20..(frame + 1) * 20 {
                t.log(
                    Level::Info,
                    format!("e{i}"),
                    vec![("i".into(), Value::Int(i))],
                );
            }
            t.handover();
        }
        assert!(
            rx.requests_to(LOGS).is_empty(),
            "API calls waited on the network: an answer came before they returned"
        );
        // The calls did reach the network: the worker's first batch is at the
        // receiver, waiting for its answer.
        assert!(
            eventually(&t, || rx.in_flight(LOGS) == 1),
            "a request held at the receiver"
        );
        calls_returned.send(()).unwrap();
    });
    // Ten batches at 300 ms each: 3 s of answers.
    assert!(t.flush_and_wait(Duration::from_secs(30)));
    assert_eq!(
        rx.max_concurrent(LOGS),
        1,
        "one request in flight per signal"
    );
    let lines = log_lines(&rx.requests_to(LOGS));
    assert_eq!(lines.len(), 200);
    let s = t.stats(Signal::Logs);
    assert_eq!((s.sent, s.dropped_total(), s.requests), (200, 0, 10));
}

#[test]
fn a_full_queue_drops_and_counts_instead_of_blocking() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("queue_capacity", Value::Int(5))]);
    for i in 0..100_000 {
        t.log(Level::Debug, format!("burst {i}"), vec![]);
    }
    // No duration is asserted: the drops counted below are what shows that
    // no call waited for room (a call that waited would have dropped nothing).
    t.flush_and_wait(Duration::from_secs(5));
    let s = t.stats(Signal::Logs);
    assert_eq!(s.produced, 100_000);
    assert!(s.dropped(DropReason::QueueFull) > 0, "{s:?}");
    assert_eq!(s.sent + s.dropped(DropReason::QueueFull), 100_000, "{s:?}");
    assert_eq!(log_lines(&rx.requests_to(LOGS)).len() as u64, s.sent);
}

#[test]
fn a_4xx_is_counted_as_rejected_with_the_first_line_of_the_answer() {
    let rx = Receiver::start();
    rx.respond_with(400);
    let t = start(
        &rx,
        vec![(
            "headers",
            Value::Map(vec![(
                "Authorization".into(),
                Value::Str("Bearer hush".into()),
            )]),
        )],
    );
    for _ in 0..3 {
        t.log(Level::Error, "bad".into(), vec![]);
    }
    t.flush_and_wait(Duration::from_secs(5));
    let s = t.stats(Signal::Logs);
    assert_eq!(s.dropped(DropReason::Rejected), 3);
    assert!(s.last_error.contains("HTTP 400"), "{}", s.last_error);
    assert!(
        s.last_error.ends_with("receiver says no"),
        "first line only: {}",
        s.last_error
    );
    assert!(!s.last_error.contains("hush"), "tokens never reach errors");
    let warnings = t.take_diagnostics(10);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_identity(&t);
}

#[test]
fn https_endpoints_speak_tls_and_refuse_a_certificate_no_public_root_vouches_for() {
    let server = TlsReceiver::start();
    let cfg = Config::from_fields(&vec![
        ("logs_url".into(), Value::Str(server.url(LOGS))),
        ("release_health".into(), Value::Bool(false)),
        ("self_metrics".into(), Value::Bool(false)),
    ])
    .unwrap();
    let t = Tracker::start(cfg, DeviceInfo::default()).unwrap();
    t.log(Level::Info, "over TLS".into(), vec![]);
    t.flush();
    assert!(eventually(&t, || !t
        .stats(Signal::Logs)
        .last_error
        .is_empty()));
    let error = t.stats(Signal::Logs).last_error;
    if common::frame_delivery() {
        // Plain HTTP only there: refused with the reason, nothing sent.
        assert!(error.contains("use thread delivery for https"), "{error}");
        assert_eq!(t.stats(Signal::Logs).dropped(DropReason::Rejected), 1);
        assert!(server.outcomes().is_empty(), "no connection made");
        return;
    }
    assert!(
        error.contains("UnknownIssuer") || error.contains("certificate"),
        "{error}"
    );
    assert!(eventually(&t, || !server.outcomes().is_empty()));
    assert_ne!(
        server.outcomes()[0],
        "handshake completed",
        "the client hung up during the handshake"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.sent, s.pending),
        (0, 1),
        "nothing sent in the clear; the batch waits for a retry: {s:?}"
    );
}

#[test]
fn tokens_and_url_passwords_never_reach_errors_even_when_the_receiver_echoes_them() {
    let token = "Bearer glc_s3cr3t-t0ken";
    let rx = Receiver::start();
    rx.respond_with(401);
    rx.error_body(&format!("invalid credentials: {token}"));
    let headers = Value::Map(vec![("Authorization".into(), Value::Str(token.into()))]);
    let with_password = rx
        .base_url()
        .replace("http://", "http://player:hunter2-pw@");
    let t = start(
        &rx,
        vec![
            ("headers", headers.clone()),
            ("endpoint", Value::Str(with_password)),
        ],
    );
    t.log(Level::Error, "refused".into(), vec![]);
    t.flush_and_wait(Duration::from_secs(5));
    let s = t.stats(Signal::Logs);
    assert_eq!(s.dropped(DropReason::Rejected), 1, "{s:?}");
    assert!(
        s.last_error.contains("invalid credentials: <redacted>"),
        "{}",
        s.last_error
    );
    let warnings = t.take_diagnostics(10).join("\n");
    for text in [&s.last_error, &warnings] {
        assert!(
            !text.contains("s3cr3t") && !text.contains("hunter2"),
            "secret leaked: {text}"
        );
    }
    // A connection error names the URL, without its password.
    drop(rx);
    t.log(Level::Error, "unreachable".into(), vec![]);
    t.flush();
    assert!(eventually(&t, || t
        .stats(Signal::Logs)
        .last_error
        .contains("refused")));
    let error = t.stats(Signal::Logs).last_error;
    assert!(
        error.contains("http://127.0.0.1:") && !error.contains("hunter2"),
        "{error}"
    );
    // Nor do configuration errors echo them.
    let bad = Config::from_fields(&vec![(
        "endpoint".into(),
        Value::Str("ftp://player:hunter2-pw@host".into()),
    )]);
    let message = bad.unwrap_err().to_string();
    assert!(
        message.contains("ftp://host") && !message.contains("hunter2"),
        "{message}"
    );
}

#[test]
fn failed_metrics_stay_pending_and_arrive_when_the_receiver_recovers() {
    let rx = Receiver::start();
    rx.respond_with(503);
    let t = start(&rx, vec![]);
    for _ in 0..4 {
        t.metric(MetricKind::Counter, "retries".into(), 1.0, vec![]);
    }
    t.flush();
    assert!(frames::until_received(
        &t,
        &rx,
        Duration::from_secs(5),
        |r| r.iter().any(|q| q.path == METRICS)
    ));
    let s = t.stats(Signal::Metrics);
    assert_eq!((s.sent, s.pending, s.dropped_total()), (0, 4, 0), "{s:?}");
    rx.respond_with(200);
    t.metric(MetricKind::Counter, "retries".into(), 1.0, vec![]);
    // The retry waits out its backoff (a few seconds at most after one or two failures).
    assert!(t.flush_and_wait(Duration::from_secs(20)));
    let s = t.stats(Signal::Metrics);
    assert_eq!((s.sent, s.pending), (5, 0), "{s:?}");
    let last = rx.requests_to(METRICS).pop().unwrap();
    let ts = &remote_write::decode(&last.body).unwrap().timeseries[0];
    assert_eq!(
        ts.samples.first().unwrap().value,
        0.0,
        "the unacknowledged zero is sent again"
    );
    assert_eq!(ts.samples.last().unwrap().value, 5.0);
}

#[test]
fn logs_that_cannot_be_delivered_are_retried_until_max_retry_age_then_counted() {
    let rx = Receiver::start();
    let url = rx.url(LOGS);
    drop(rx);
    std::thread::sleep(Duration::from_millis(50));
    let cfg = Config::from_fields(&vec![
        ("logs_url".into(), Value::Str(url)),
        ("request_timeout".into(), Value::Int(2)),
        // A refused connection fails within milliseconds: the first failure
        // is seen long before this age, on any machine.
        ("max_retry_age".into(), Value::Float(3.0)),
        ("release_health".into(), Value::Bool(false)),
        ("self_metrics".into(), Value::Bool(false)),
    ])
    .unwrap();
    let t = Tracker::start(cfg, DeviceInfo::default()).unwrap();
    t.log(Level::Info, "lost".into(), vec![]);
    t.flush();
    // After a failed attempt (not after a guessed time), the batch is kept.
    assert!(eventually(&t, || !t
        .stats(Signal::Logs)
        .last_error
        .is_empty()));
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.pending, s.dropped_total()),
        (1, 0),
        "still retrying: {s:?}"
    );
    assert!(t.flush_and_wait(Duration::from_secs(30)));
    let s = t.stats(Signal::Logs);
    assert_eq!(s.dropped(DropReason::RetryExhausted), 1, "{s:?}");
    assert!(
        s.last_error.contains(LOGS),
        "the error names the URL that failed: {s:?}"
    );
    assert_identity(&t);
    // Metrics and traces have no URL here.
    t.metric(MetricKind::Gauge, "g".into(), 1.0, vec![]);
    t.flush_and_wait(Duration::from_secs(5));
    assert_eq!(
        t.stats(Signal::Metrics).dropped(DropReason::NoDestination),
        1
    );
}

/// Waits until the receiver has seen `n` requests for logs.
fn wait_for_log_requests(t: &Tracker, rx: &Receiver, n: usize) {
    assert!(
        frames::until_received(t, rx, Duration::from_secs(10), |r| r
            .iter()
            .filter(|q| q.path == LOGS)
            .count()
            >= n),
        "{n} requests"
    );
}

#[test]
fn a_server_error_is_retried_with_backoff_and_nothing_is_lost() {
    let rx = Receiver::start();
    rx.respond_with(503);
    let t = start(&rx, vec![]);
    for i in 0..10 {
        t.log(
            Level::Info,
            format!("{i}"),
            vec![("i".into(), Value::Int(i))],
        );
    }
    t.flush();
    wait_for_log_requests(&t, &rx, 1);
    rx.respond_with(204);
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    let requests = rx.requests_to(LOGS);
    assert!(requests.len() >= 2, "a failure, then a retry");
    let gap = requests[1].received_at - requests[0].received_at;
    assert!(
        gap >= Duration::from_millis(450),
        "backoff before the retry: {gap:?}"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!((s.sent, s.dropped_total()), (10, 0), "{s:?}");
    assert_eq!(
        log_lines(&requests[requests.len() - 1..]).len(),
        10,
        "the same batch, whole"
    );
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let rx = Receiver::start();
    rx.respond_with(429);
    rx.retry_after(Some("2"));
    let t = start(&rx, vec![]);
    t.log(Level::Info, "throttled".into(), vec![]);
    t.flush();
    wait_for_log_requests(&t, &rx, 1);
    rx.respond_with(204);
    assert!(t.flush_and_wait(Duration::from_secs(30)));
    let requests = rx.requests_to(LOGS);
    let gap = requests[1].received_at - requests[0].received_at;
    // A busy machine only makes the gap longer. The upper bound, ten times
    // the header's 2 s, still catches a header read in the wrong unit.
    assert!(
        gap >= Duration::from_millis(1900) && gap < Duration::from_secs(20),
        "Retry-After: 2 → {gap:?}"
    );
    assert_eq!(t.stats(Signal::Logs).sent, 1);
}

#[test]
fn otlp_retries_only_its_retryable_codes_and_other_errors_are_rejected_at_once() {
    let rx = Receiver::start();
    rx.respond_with(500);
    let t = start(&rx, vec![("max_retry_age", Value::Int(60))]);
    let span = t.start_span("op", Vec::new(), None);
    t.end_span(&span, SpanStatus::Ok, "");
    t.log(Level::Info, "retried".into(), vec![]);
    t.flush();
    wait_for_log_requests(&t, &rx, 1);
    assert!(frames::until_received(
        &t,
        &rx,
        Duration::from_secs(5),
        |r| r.iter().any(|q| q.path == TRACES)
    ));
    rx.respond_with(204);
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    // OTLP/HTTP: 500 is not retryable; Loki: every 5xx is.
    assert_eq!(rx.requests_to(TRACES).len(), 1);
    assert_eq!(t.stats(Signal::Traces).dropped(DropReason::Rejected), 1);
    assert!(rx.requests_to(LOGS).len() >= 2);
    assert_eq!(t.stats(Signal::Logs).sent, 1);
    assert_identity(&t);
}

#[test]
fn shutdown_sends_what_is_queued_and_later_calls_are_counted() {
    let rx = Receiver::start();
    let t = start(&rx, vec![]);
    for i in 0..10 {
        t.log(Level::Info, format!("{i}"), vec![]);
    }
    t.shutdown(Duration::from_secs(5));
    assert_eq!(log_lines(&rx.requests_to(LOGS)).len(), 10);
    t.log(Level::Info, "after".into(), vec![]);
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.produced, s.sent, s.dropped(DropReason::Shutdown)),
        (11, 10, 1)
    );
}

#[test]
fn shutdown_never_waits_past_its_deadline() {
    let rx = Receiver::start();
    // The answer would take 30 s; the bound, ten times the deadline, is
    // far from both.
    rx.delay(Duration::from_secs(30));
    let t = start(&rx, vec![("request_timeout", Value::Int(60))]);
    t.log(Level::Info, "slow".into(), vec![]);
    let started = Instant::now();
    t.shutdown(Duration::from_millis(300));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(s.dropped(DropReason::Shutdown), 1, "{s:?}");
    assert_identity(&t);
}

#[test]
fn context_is_captured_when_the_event_is_made() {
    let rx = Receiver::start();
    let t = start(&rx, vec![]);
    t.set_user(vec![("id".into(), Value::Str("p1".into()))]);
    t.set_tag("build".into(), "demo".into());
    t.log(Level::Info, "first".into(), vec![]);
    t.set_user(vec![("id".into(), Value::Str("p2".into()))]);
    t.set_tag("build".into(), String::new());
    t.set_context("device".into(), vec![("ram_gb".into(), Value::Int(16))]);
    t.log(Level::Info, "second".into(), vec![]);
    t.flush_and_wait(Duration::from_secs(5));
    let lines = log_lines(&rx.requests_to(LOGS));
    assert_eq!(lines[0]["user"]["id"], "p1");
    assert_eq!(lines[0]["tags"]["build"], "demo");
    assert_eq!(lines[1]["user"]["id"], "p2");
    assert!(
        lines[1].get("tags").is_none(),
        "an empty tag value removes the tag"
    );
    assert_eq!(lines[1]["context"]["device"]["ram_gb"], 16);
}

#[test]
fn events_wait_in_the_staging_buffer_until_handed_over() {
    if common::frame_delivery() {
        // There the worker runs only inside a hand-over: nothing can run
        // while events wait in the staging buffer.
        return;
    }
    let rx = Receiver::start();
    // The tracker's own metrics change with every request, so once one
    // request went out the worker sends metrics at each flush tick: proof
    // that it closed its batches since, whatever the machine's speed.
    let t = start(
        &rx,
        vec![
            ("flush_interval", Value::Float(0.05)),
            ("self_metrics", Value::Bool(true)),
        ],
    );
    t.log(Level::Info, "handed over".into(), vec![]);
    t.handover();
    assert!(frames::until_received(
        &t,
        &rx,
        Duration::from_secs(10),
        |r| r.iter().any(|q| q.path == LOGS)
    ));
    t.log(Level::Info, "staged".into(), vec![]);
    let staged_at = Instant::now();
    let ticks_since = |r: &[game_tracker_testkit::receiver::Request]| {
        r.iter()
            .filter(|q| q.path == METRICS && q.received_at > staged_at)
            .count()
    };
    // Two: the lanes answer in any order, and the second tick's metrics
    // were sent after the first tick's batches had gone out.
    assert!(
        rx.wait_for(Duration::from_secs(10), |r| ticks_since(r) >= 2),
        "the worker kept flushing"
    );
    let messages: Vec<String> = log_lines(&rx.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        messages,
        vec!["handed over"],
        "nothing reaches the worker before the frame ends"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.produced, s.pending),
        (2, 1),
        "a staged event counts as produced and pending"
    );
    t.handover();
    assert!(frames::until_received(
        &t,
        &rx,
        Duration::from_secs(10),
        |r| log_lines(
            &r.iter()
                .filter(|q| q.path == LOGS)
                .cloned()
                .collect::<Vec<_>>()
        )
        .len()
            == 2
    ));
}

#[test]
fn a_full_staging_buffer_is_handed_over_without_waiting_for_the_frame() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("batch_size", Value::Int(100))]);
    // ~200 bytes a record: 2,000 records fill the 64 KiB buffer several times.
    let text = "x".repeat(150);
    for i in 0..2_000 {
        t.log(Level::Info, format!("{i} {text}"), vec![]);
    }
    assert!(
        frames::until_received(&t, &rx, Duration::from_secs(5), |r| r
            .iter()
            .filter(|q| q.path == LOGS)
            .count()
            >= 10),
        "full buffers reach the worker, which sends full batches, with no handover call"
    );
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    assert_eq!(t.stats(Signal::Logs).sent, 2_000);
}

#[test]
fn spans_keep_their_attributes_and_the_last_set_attribute_wins() {
    let rx = Receiver::start();
    let t = start(&rx, vec![]);
    let parent = t.start_span(
        "load_level",
        vec![("level".into(), Value::Str("forest".into()))],
        None,
    );
    let mut child = t.start_span("step", Vec::new(), Some((parent.trace_id, parent.span_id)));
    child.set_attribute("attempt", Value::Int(1));
    child.set_attribute("attempt", Value::Int(2));
    child.set_attribute("ünïcode ✓", Value::Str("ok ✓".into()));
    t.end_span(&child, SpanStatus::Error, "boom");
    t.end_span(&parent, SpanStatus::Unset, "");
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let spans = game_tracker_testkit::decode::otlp_spans(&rx.requests_to(TRACES));
    let by_name = |n: &str| spans.iter().find(|s| s.name == n).unwrap();
    let (parent, child) = (by_name("load_level"), by_name("step"));
    assert_eq!(child.parent_span_id, parent.span_id);
    assert_eq!(child.trace_id, parent.trace_id);
    let attr = |s: &opentelemetry_proto::tonic::trace::v1::Span, k: &str| {
        s.attributes
            .iter()
            .find(|a| a.key == k)
            .and_then(|a| a.value.clone())
            .and_then(|v| v.value)
    };
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    assert_eq!(
        attr(parent, "level"),
        Some(Any::StringValue("forest".into()))
    );
    assert_eq!(attr(child, "attempt"), Some(Any::IntValue(2)));
    assert_eq!(
        child
            .attributes
            .iter()
            .filter(|a| a.key == "attempt")
            .count(),
        1
    );
    assert_eq!(
        attr(child, "ünïcode ✓"),
        Some(Any::StringValue("ok ✓".into()))
    );
    assert_eq!(child.status.as_ref().unwrap().message, "boom");
}

#[test]
fn gzip_compresses_log_and_trace_bodies_and_they_decode_to_the_same_events() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("compression", Value::Str("gzip".into()))]);
    for i in 0..200 {
        t.log(
            Level::Info,
            format!("compressed {i}"),
            vec![("i".into(), Value::Int(i))],
        );
    }
    let span = t.start_span("op", Vec::new(), None);
    t.end_span(&span, SpanStatus::Ok, "");
    t.metric(MetricKind::Counter, "hits".into(), 1.0, vec![]);
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let logs = rx.requests_to(LOGS);
    assert_eq!(logs[0].header("content-encoding"), Some("gzip"));
    assert!(
        logs[0].body.len() * 4 < game_tracker_testkit::decode::body(&logs[0]).len(),
        "repetitive JSON shrinks"
    );
    let ids: Vec<i64> = log_lines(&logs)
        .iter()
        .map(|l| l["data"]["i"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, (0..200).collect::<Vec<_>>());
    let traces = rx.requests_to(TRACES);
    assert_eq!(traces[0].header("content-encoding"), Some("gzip"));
    assert_eq!(
        game_tracker_testkit::decode::otlp_spans(&traces)[0].name,
        "op"
    );
    let metrics = rx.requests_to(METRICS);
    assert_eq!(
        metrics[0].header("content-encoding"),
        Some("snappy"),
        "remote write stays snappy"
    );
}

#[test]
fn disable_drops_what_the_worker_holds_sends_nothing_and_counts_later_calls() {
    let rx = Receiver::start();
    let t = start(&rx, vec![]);
    for i in 0..5 {
        t.log(Level::Info, format!("{i}"), vec![]);
    }
    t.metric(MetricKind::Counter, "consented".into(), 1.0, vec![]);
    t.handover();
    // The worker has read them (into its batches): what `disable` must drop there.
    assert!(eventually(&t, || t.queue_fill().events == 0));
    t.log(Level::Info, "staged".into(), vec![]);
    t.disable();
    t.log(Level::Info, "after".into(), vec![]);
    assert!(t.is_disabled());
    // The worker counts what it dropped as it stops; a busy machine may take
    // longer than `disable` waits for it (it then finishes on its own).
    assert!(
        eventually(&t, || t.stats(Signal::Logs).pending == 0),
        "{:?}",
        t.stats(Signal::Logs)
    );
    assert!(
        rx.requests().is_empty(),
        "nothing is sent once consent is withdrawn"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.produced, s.dropped(DropReason::Disabled), s.pending),
        (7, 7, 0),
        "{s:?}"
    );
    assert_eq!(t.stats(Signal::Metrics).dropped(DropReason::Disabled), 1);
    assert_identity(&t);
}

#[test]
fn an_unsampled_session_counts_its_calls_and_sends_nothing() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("sample_rate", Value::Float(0.0))]);
    assert!(!t.is_sampled());
    t.log(Level::Error, "never sent".into(), vec![]);
    t.metric(MetricKind::Counter, "c".into(), 1.0, vec![]);
    assert!(
        t.flush_and_wait(Duration::from_secs(5)),
        "nothing to wait for"
    );
    assert!(rx.requests().is_empty());
    for signal in [Signal::Logs, Signal::Metrics] {
        let s = t.stats(signal);
        assert_eq!(
            (s.produced, s.dropped(DropReason::Unsampled)),
            (1, 1),
            "{signal:?}: {s:?}"
        );
    }
    assert_identity(&t);
}

#[test]
fn sample_rate_picks_about_that_share_of_sessions() {
    let cfg = Config::from_fields(&vec![("sample_rate".into(), Value::Float(0.25))]).unwrap();
    let sampled = (0..400)
        .filter(|_| {
            Tracker::start(cfg.clone(), DeviceInfo::default())
                .unwrap()
                .is_sampled()
        })
        .count();
    // Binomial(400, 0.25): mean 100, sd 8.7; this window is ±5 sd.
    assert!(
        (57..=143).contains(&sampled),
        "{sampled} of 400 sessions sampled at 0.25"
    );
}

#[test]
fn min_level_and_drop_names_filter_events_without_code_changes() {
    let rx = Receiver::start();
    let names = Value::List(vec![Value::Str("noisy*".into()), Value::Str("fps".into())]);
    let t = start(
        &rx,
        vec![
            ("min_level", Value::Str("warn".into())),
            ("drop_names", names),
        ],
    );
    t.log(Level::Debug, "debug detail".into(), vec![]);
    t.log(Level::Info, "info detail".into(), vec![]);
    t.log(Level::Warn, "kept warning".into(), vec![]);
    t.log(Level::Error, "noisy error in a loop".into(), vec![]);
    t.metric(MetricKind::Gauge, "fps".into(), 60.0, vec![]);
    t.metric(MetricKind::Gauge, "fps_target".into(), 60.0, vec![]);
    let noisy = t.start_span("noisy_span", Vec::new(), None);
    t.end_span(&noisy, SpanStatus::Ok, "");
    let kept = t.start_span("kept_span", Vec::new(), None);
    t.end_span(&kept, SpanStatus::Ok, "");
    assert!(t.flush_and_wait(Duration::from_secs(5)));
    let messages: Vec<String> = log_lines(&rx.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages, vec!["kept warning"]);
    let metrics = remote_write::decode(&rx.requests_to(METRICS)[0].body).unwrap();
    let names: Vec<&str> = metrics
        .timeseries
        .iter()
        .flat_map(|ts| &ts.labels)
        .filter(|l| l.name == "__name__")
        .map(|l| l.value.as_str())
        .collect();
    assert_eq!(
        names,
        vec!["fps_target"],
        "only an exact name or a prefix with * matches"
    );
    let spans = game_tracker_testkit::decode::otlp_spans(&rx.requests_to(TRACES));
    assert_eq!(
        spans.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        vec!["kept_span"]
    );
    assert_eq!(t.stats(Signal::Logs).dropped(DropReason::Filtered), 3);
    assert_eq!(t.stats(Signal::Metrics).dropped(DropReason::Filtered), 1);
    assert_eq!(t.stats(Signal::Traces).dropped(DropReason::Filtered), 1);
    assert_identity(&t);
}

#[test]
fn protocol_otlp_sends_all_three_signals_to_one_otlp_endpoint_in_json_or_protobuf() {
    use game_tracker_testkit::decode::{otlp_last_metrics, otlp_logs};
    use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
    use opentelemetry_proto::tonic::metrics::v1::{
        metric::Data, number_data_point::Value as Number, AggregationTemporality,
    };
    for (encoding, content_type) in [
        ("json", "application/json"),
        ("protobuf", "application/x-protobuf"),
    ] {
        let rx = Receiver::start();
        let t = start(
            &rx,
            vec![
                ("protocol", Value::Str("otlp".into())),
                ("otlp_encoding", Value::Str(encoding.into())),
            ],
        );
        t.set_user(vec![("id".into(), Value::Str("p1".into()))]);
        // A game's own `level` (the forest) next to the log's level (warn).
        t.log(
            Level::Warn,
            "low health".into(),
            vec![
                ("hp".into(), Value::Int(5)),
                ("level".into(), Value::Str("forest".into())),
            ],
        );
        t.log(Level::Debug, "detail".into(), vec![]);
        t.metric(
            MetricKind::Counter,
            "deaths".into(),
            1.0,
            vec![("cause".into(), "spikes".into())],
        );
        t.metric(
            MetricKind::Counter,
            "deaths".into(),
            1.0,
            vec![("cause".into(), "spikes".into())],
        );
        t.metric(MetricKind::Gauge, "fps".into(), 59.5, vec![]);
        t.metric(MetricKind::Histogram, "load_ms".into(), 30.0, vec![]);
        t.metric(MetricKind::Histogram, "load_ms".into(), 3000.0, vec![]);
        let span = t.start_span("level_load", Vec::new(), None);
        t.end_span(&span, SpanStatus::Ok, "");
        assert!(t.flush_and_wait(Duration::from_secs(5)));
        for path in ["/v1/logs", "/v1/metrics", "/v1/traces"] {
            let requests = rx.requests_to(path);
            assert_eq!(requests.len(), 1, "{encoding}: {path}");
            assert_eq!(
                requests[0].header("content-type"),
                Some(content_type),
                "{encoding}: {path}"
            );
        }
        assert!(
            rx.requests_to(LOGS).is_empty() && rx.requests_to(METRICS).is_empty(),
            "nothing in the native formats"
        );

        let logs = otlp_logs(&rx.requests_to("/v1/logs"));
        let severities: Vec<i32> = logs.iter().map(|l| l.severity_number).collect();
        assert_eq!(
            severities,
            vec![13, 5],
            "{encoding}: WARN and DEBUG by the log data model"
        );
        assert_eq!(
            logs[0].body.as_ref().unwrap().value,
            Some(Any::StringValue("low health".into()))
        );
        let attribute = |key: &str| {
            logs[0]
                .attributes
                .iter()
                .find(|a| a.key == key)
                .and_then(|a| a.value.clone())
                .and_then(|v| v.value)
        };
        assert_eq!(
            attribute("data.hp"),
            Some(Any::IntValue(5)),
            "data keys are namespaced"
        );
        assert_eq!(
            attribute("data.level"),
            Some(Any::StringValue("forest".into()))
        );
        assert_eq!(
            (attribute("level"), attribute("hp")),
            (None, None),
            "no bare data key a receiver could read as its own"
        );
        assert_eq!(
            logs[0].severity_text, "WARN",
            "the log's level is its severity"
        );
        assert_eq!(attribute("user.id"), Some(Any::StringValue("p1".into())));

        let metrics = otlp_last_metrics(&rx.requests_to("/v1/metrics"));
        let by_name = |n: &str| {
            metrics
                .iter()
                .find(|m| m.name == n)
                .unwrap_or_else(|| panic!("{n} in {metrics:?}"))
        };
        let Some(Data::Sum(deaths)) = &by_name("deaths").data else {
            panic!("deaths is a sum")
        };
        assert!(
            deaths.is_monotonic
                && deaths.aggregation_temporality == AggregationTemporality::Cumulative as i32
        );
        let [zero, now] = &deaths.data_points[..] else {
            panic!("a 0 point, then the total: {deaths:?}")
        };
        assert_eq!(
            (zero.value, now.value),
            (Some(Number::AsDouble(0.0)), Some(Number::AsDouble(2.0)))
        );
        assert!(
            zero.time_unix_nano == zero.start_time_unix_nano
                && now.time_unix_nano > zero.time_unix_nano,
            "the 0 sits at the start"
        );
        let keys: Vec<&str> = now.attributes.iter().map(|a| a.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["cause"],
            "session labels are in the resource, not on each point"
        );
        assert!(
            now.start_time_unix_nano > 0,
            "cumulative points say when they started"
        );
        let Some(Data::Gauge(fps)) = &by_name("fps").data else {
            panic!("fps is a gauge")
        };
        assert_eq!(fps.data_points.len(), 1, "a gauge has no 0 point");
        assert_eq!(fps.data_points[0].value, Some(Number::AsDouble(59.5)));
        let Some(Data::Histogram(load)) = &by_name("load_ms").data else {
            panic!("load_ms is a histogram")
        };
        assert_eq!(
            load.data_points[0].count, 0,
            "a histogram starts with an empty point too"
        );
        let point = load.data_points.last().unwrap();
        assert_eq!((point.count, point.sum), (2, Some(3030.0)));
        assert_eq!(
            point.bucket_counts.len(),
            point.explicit_bounds.len() + 1,
            "one overflow bucket"
        );
        assert_eq!(point.bucket_counts.iter().sum::<u64>(), 2);
        assert_eq!(
            game_tracker_testkit::decode::otlp_spans(&rx.requests_to(TRACES)).len(),
            1
        );
        for signal in Signal::ALL {
            let s = t.stats(signal);
            assert_eq!(
                (s.sent, s.pending),
                (s.produced, 0),
                "{encoding}: {signal:?}: {s:?}"
            );
        }
    }
}

#[test]
fn handed_over_events_reach_the_worker_while_it_polls_and_after_it_went_idle() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("batch_size", Value::Int(2))]);
    // First hand-over wakes the waiting worker; the second arrives while it
    // polls (nobody is woken) and must still be read: the batch of 2 goes out.
    t.log(Level::Info, "first".into(), vec![]);
    t.handover();
    std::thread::sleep(Duration::from_millis(30));
    t.log(Level::Info, "second".into(), vec![]);
    t.handover();
    // A hand-over the worker missed would wait for the next one (the flush
    // interval is an hour): any wait here shows it, so it is generous.
    assert!(
        frames::until_received(&t, &rx, Duration::from_secs(10), |r| r.len() == 1),
        "read while polling, without a flush"
    );
    // Idle past POLL_IDLE_AFTER: the worker waits on the queue again, and a
    // hand-over wakes it.
    std::thread::sleep(game_tracker_core::POLL_IDLE_AFTER + Duration::from_millis(300));
    t.log(Level::Info, "third".into(), vec![]);
    t.log(Level::Info, "fourth".into(), vec![]);
    t.handover();
    assert!(
        frames::until_received(&t, &rx, Duration::from_secs(10), |r| r.len() == 2),
        "read after idling, without a flush"
    );
    let messages: Vec<String> = log_lines(&rx.requests_to(LOGS))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(messages, vec!["first", "second", "third", "fourth"]);
}

/// The tracker's threads, by the names it gives them (Linux shows the first
/// 15 bytes).
#[cfg(target_os = "linux")]
fn tracker_threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .filter(|name| name.starts_with("game_tracker"))
        .collect()
}

/// Thread delivery runs a worker thread and a sender thread per lane; frame
/// delivery runs none in the whole test process, and still delivers (the
/// worker runs in the hand-over, requests are polled).
#[cfg(target_os = "linux")]
#[test]
fn frame_delivery_starts_no_thread_and_thread_delivery_one_per_lane_and_the_worker() {
    let rx = Receiver::start();
    let t = start(&rx, vec![("traces_url", Value::Str(rx.url(TRACES)))]);
    t.log(Level::Info, "counted".into(), vec![]);
    let threads = tracker_threads();
    if common::frame_delivery() {
        assert!(threads.is_empty(), "{threads:?}");
    } else {
        // Other tests' trackers may run beside this one: ours are among them.
        for name in ["game_tracker_wo", "game_tracker_lo", "game_tracker_tr"] {
            assert!(threads.iter().any(|t| t == name), "{name} in {threads:?}");
        }
    }
    assert!(t.flush_and_wait(Duration::from_secs(10)));
    assert_eq!(t.stats(Signal::Logs).sent, 1);
    assert_identity(&t);
}
