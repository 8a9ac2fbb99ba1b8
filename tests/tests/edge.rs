//! The shipped edge (`deploy/nginx/`) in a real nginx, in front of a
//! loopback receiver: what it lets through and what it refuses, and the
//! addon behind it (413 split, 429 with Retry-After honoured, nothing
//! lost).

use std::collections::BTreeSet;
use std::time::Duration;

use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, DropReason, Level, Signal, Tracker};
use game_tracker_testkit::decode::loki_lines;
use game_tracker_testkit::edge::{Edge, KEY_HEADER, SHIPPED_KEY, SHIPPED_TENANT};
use game_tracker_testkit::receiver::Receiver;

const PUSH: &str = "/loki/api/v1/push";
/// The edge's `client_max_body_size 1m`.
const EDGE_CAP: usize = 1024 * 1024;
/// Its `add_header Retry-After 2`.
const RETRY_AFTER_S: f64 = 2.0;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(20)))
        .build()
        .into()
}

/// Status and Retry-After of one request.
fn send(
    edge: &Edge,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &[u8],
) -> (u16, Option<String>) {
    let url = format!("{}{path}", edge.base_url());
    let builder = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("X-Scope-OrgID", "someone-else");
    let builder = match key {
        Some(k) => builder.header(KEY_HEADER, k),
        None => builder,
    };
    let response = agent()
        .run(builder.body(body.to_vec()).unwrap())
        .expect("the edge answers");
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (response.status().as_u16(), retry_after)
}

#[test]
fn the_edge_forwards_only_posts_to_the_write_paths_with_its_own_tenant() {
    let rx = Receiver::start();
    rx.respond_with(204);
    let edge = Edge::start(rx.port);
    let body = b"{\"streams\":[]}";

    assert_eq!(
        send(&edge, "POST", PUSH, Some(SHIPPED_KEY), body).0,
        204,
        "a write with the build's key"
    );
    let forwarded = rx.requests();
    assert_eq!(forwarded.len(), 1);
    assert_eq!(
        forwarded[0].header("x-scope-orgid"),
        Some(SHIPPED_TENANT),
        "the edge's tenant, not the client's"
    );
    assert_eq!(
        forwarded[0].header("x-gametracker-key"),
        None,
        "the key stays at the edge"
    );
    for path in [
        "/api/v1/metrics/write",
        "/api/v1/write",
        "/api/v1/push",
        "/v1/traces",
        "/v1/logs",
        "/v1/metrics",
    ] {
        assert_eq!(
            send(&edge, "POST", path, Some(SHIPPED_KEY), body).0,
            204,
            "{path}"
        );
    }
    let written = rx.requests().len();
    assert_eq!(written, 7);

    let refused = [
        ("POST", PUSH, None, 401, "no key"),
        (
            "POST",
            PUSH,
            Some("a-key-nobody-shipped"),
            401,
            "an unknown key",
        ),
        (
            "GET",
            PUSH,
            Some(SHIPPED_KEY),
            403,
            "a read of a write path",
        ),
        (
            "PUT",
            "/v1/traces",
            Some(SHIPPED_KEY),
            403,
            "another method",
        ),
        (
            "POST",
            "/loki/api/v1/raw",
            Some(SHIPPED_KEY),
            404,
            "Loki's raw path (Alloy's loki.source.api)",
        ),
        (
            "GET",
            "/loki/api/v1/query_range?query=%7Bjob%3D%22x%22%7D",
            Some(SHIPPED_KEY),
            404,
            "a Loki query",
        ),
        (
            "GET",
            "/api/v1/query?query=up",
            Some(SHIPPED_KEY),
            404,
            "a PromQL query",
        ),
        (
            "POST",
            "/api/v1/query",
            Some(SHIPPED_KEY),
            404,
            "a PromQL query by POST",
        ),
        (
            "GET",
            "/api/v1/label/__name__/values",
            Some(SHIPPED_KEY),
            404,
            "metric names",
        ),
        (
            "POST",
            "/api/v1/admin/tsdb/delete_series",
            Some(SHIPPED_KEY),
            404,
            "Prometheus' admin API",
        ),
        ("GET", "/", Some(SHIPPED_KEY), 404, "the root"),
        (
            "GET",
            "/metrics",
            Some(SHIPPED_KEY),
            404,
            "a backend's own metrics",
        ),
    ];
    let url = format!("{}{PUSH}", edge.base_url());
    let gzipped = ureq::http::Request::builder()
        .method("POST")
        .uri(url)
        .header(KEY_HEADER, SHIPPED_KEY)
        .header("Content-Encoding", "gzip");
    assert_eq!(
        agent()
            .run(gzipped.body(body.to_vec()).unwrap())
            .unwrap()
            .status()
            .as_u16(),
        415,
        "a compressed Loki push"
    );
    for (method, path, key, status, what) in refused {
        assert_eq!(
            send(&edge, method, path, key, body).0,
            status,
            "{what}: {method} {path}"
        );
    }

    let at_cap = vec![b'x'; EDGE_CAP];
    assert_eq!(
        send(&edge, "POST", PUSH, Some(SHIPPED_KEY), &at_cap).0,
        204,
        "a body of exactly the cap"
    );
    let over = vec![b'x'; EDGE_CAP + 1];
    assert_eq!(
        send(&edge, "POST", PUSH, Some(SHIPPED_KEY), &over).0,
        413,
        "one byte over the cap"
    );
    assert_eq!(
        rx.requests().len(),
        written + 1,
        "nothing refused reached the receiver"
    );
}

#[test]
fn a_burst_past_the_rate_and_connections_past_the_limit_get_429_with_retry_after() {
    let rx = Receiver::start();
    rx.respond_with(204);
    let edge = Edge::start(rx.port);
    // Requests one after another from one address until one is refused:
    // nginx's bucket lets the first and a burst of 40 through, refilled 5 a
    // second, so how many pass depends only on how long they took.
    let started = std::time::Instant::now();
    let mut answers = Vec::new();
    while answers.len() < 200 && answers.last().is_none_or(|(s, _)| *s != 429) {
        answers.push(send(&edge, "POST", PUSH, Some(SHIPPED_KEY), b"{}"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let (status, retry_after) = answers.last().unwrap().clone();
    assert_eq!(status, 429, "throttled within 200 requests: {answers:?}");
    assert_eq!(
        retry_after.as_deref(),
        Some("2"),
        "the 429 says when to come back"
    );
    let passed = answers.len() - 1;
    assert!(
        passed >= 41 && passed as f64 <= 41.0 + 5.0 * elapsed + 1.0,
        "{passed} passed in {elapsed:.2} s before the first 429: {answers:?}"
    );
    assert!(
        answers[..passed].iter().all(|(s, _)| *s == 204),
        "{answers:?}"
    );
    assert_eq!(
        rx.requests().len(),
        passed,
        "nothing refused reached the receiver"
    );

    // Connections: 16 held open by a receiver that does not answer yet,
    // the 17th refused at once. (The rate bucket is refilled first.)
    std::thread::sleep(Duration::from_secs(9));
    rx.hold();
    let edge_ref = &edge;
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let held: Vec<_> = (0..16)
            .map(|_| scope.spawn(move || send(edge_ref, "POST", PUSH, Some(SHIPPED_KEY), b"{}").0))
            .collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while rx.in_flight(PUSH) < 16 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(rx.in_flight(PUSH), 16, "16 requests held at the receiver");
        let extra = send(edge_ref, "POST", PUSH, Some(SHIPPED_KEY), b"{}");
        rx.release();
        let mut statuses: Vec<u16> = held.into_iter().map(|h| h.join().unwrap()).collect();
        statuses.push(extra.0);
        statuses
    });
    assert_eq!(statuses[..16], [204; 16], "the held ones were answered");
    assert_eq!(statuses[16], 429, "the 17th connection from one address");
}

fn tracker_behind(edge: &Edge, extra: Vec<(&str, Value)>) -> Tracker {
    let mut fields = vec![
        ("endpoint".to_string(), Value::Str(edge.base_url())),
        (
            "headers".to_string(),
            Value::Map(vec![(
                KEY_HEADER.to_string(),
                Value::Str(SHIPPED_KEY.into()),
            )]),
        ),
        ("game".to_string(), Value::Str("edge-test".into())),
        ("flush_interval".to_string(), Value::Int(3600)),
        ("release_health".to_string(), Value::Bool(false)),
        ("self_metrics".to_string(), Value::Bool(false)),
    ];
    fields.extend(extra.into_iter().map(|(k, v)| (k.to_string(), v)));
    Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap()
}

fn lines_received(rx: &Receiver) -> Vec<String> {
    loki_lines(&rx.requests_to(PUSH))
        .iter()
        .map(|l| l["msg"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_addon_behind_the_edge_waits_out_each_429_for_its_retry_after_and_loses_nothing() {
    let rx = Receiver::start();
    rx.respond_with(204);
    let edge = Edge::start(rx.port);
    // 70 requests of 10 lines, sent back to back: past the burst.
    let t = tracker_behind(&edge, vec![("batch_size", Value::Int(10))]);
    for i in 0..700 {
        t.log_with(
            Level::Info,
            format!("line {i:04}"),
            Vec::<(String, Value)>::new(),
        );
    }
    t.handover();
    assert!(t.flush_and_wait(Duration::from_secs(60)));
    let expected: Vec<String> = (0..700).map(|i| format!("line {i:04}")).collect();
    assert!(lines_received(&rx) == expected, "every line once, in order");
    let log: Vec<_> = edge
        .access_log()
        .into_iter()
        .filter(|l| l.uri == PUSH)
        .collect();
    let throttled: Vec<usize> = (0..log.len()).filter(|&i| log[i].status == 429).collect();
    assert!(
        !throttled.is_empty(),
        "the edge throttled the addon: {log:?}"
    );
    for &i in &throttled {
        let next = log.get(i + 1).expect("a request after each 429");
        let waited = next.at - log[i].at;
        // nginx logs to the millisecond.
        assert!(
            waited >= RETRY_AFTER_S - 0.002,
            "after the 429 at {}, the next request came {waited:.3} s later",
            log[i].at
        );
    }
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.sent, s.dropped_total(), s.retries),
        (700, 0, throttled.len() as u64),
        "{s:?}"
    );
}

#[test]
fn the_addon_splits_a_batch_the_real_edge_refuses_as_too_large() {
    let rx = Receiver::start();
    rx.respond_with(204);
    let edge = Edge::start(rx.port);
    // Configured past the edge's cap: 3,000 lines of 1 KB make a 3 MB body.
    let t = tracker_behind(
        &edge,
        vec![
            ("batch_size", Value::Int(3000)),
            ("max_request_bytes", Value::Int(8 * EDGE_CAP as i64)),
        ],
    );
    let filler = "q".repeat(1000);
    for i in 0..3000 {
        t.log_with(
            Level::Info,
            format!("big {i:04} {filler}"),
            Vec::<(String, Value)>::new(),
        );
    }
    t.handover();
    assert!(t.flush_and_wait(Duration::from_secs(60)));
    let got: BTreeSet<String> = lines_received(&rx).into_iter().collect();
    assert_eq!(got.len(), 3000, "every line arrived");
    let refused = edge.access_log().iter().filter(|l| l.status == 413).count();
    assert!(refused >= 1, "the edge refused the first body");
    assert!(
        rx.requests().iter().all(|r| r.body.len() <= EDGE_CAP),
        "only bodies under the cap got through"
    );
    let s = t.stats(Signal::Logs);
    assert_eq!(
        (s.sent, s.dropped(DropReason::TooLarge), s.dropped_total()),
        (3000, 0, 0),
        "{s:?}"
    );
}

/// The shipped `deploy/prometheus/` files behind the shipped edge: the
/// addon's metrics arrive through it, and a sample an hour late (a spooled
/// snapshot replayed) is still accepted within the out-of-order window.
#[test]
fn the_shipped_prometheus_takes_the_addons_writes_through_the_edge_and_late_samples() {
    use game_tracker_core::encode::prompb::{Label, Sample, TimeSeries, WriteRequest};
    use game_tracker_core::encode::remote_write;
    use game_tracker_core::MetricKind;
    use game_tracker_testkit::processes::{PromQl, Prometheus};

    let prometheus = Prometheus::shipped();
    let edge = Edge::start(prometheus.port());
    let t = tracker_behind(
        &edge,
        vec![(
            "metrics_url",
            Value::Str(format!("{}/api/v1/write", edge.base_url())),
        )],
    );
    t.metric_with(
        MetricKind::Counter,
        "edge_checks",
        3.0,
        Vec::<(String, String)>::new().as_slice(),
    );
    assert!(t.flush_and_wait(Duration::from_secs(30)));
    assert_eq!(
        t.stats(Signal::Metrics).sent,
        1,
        "{:?}",
        t.stats(Signal::Metrics)
    );
    let result = prometheus.query("edge_checks_total{game=\"edge-test\"}");
    assert_eq!(result.len(), 1, "{result:?}");
    assert_eq!(result[0]["value"][1], "3");

    // A series with a sample now, then one 50 minutes earlier.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let write = |timestamp: i64, value: f64| {
        let series = TimeSeries {
            labels: vec![Label {
                name: "__name__".into(),
                value: "replayed_total".into(),
            }],
            samples: vec![Sample { value, timestamp }],
            exemplars: vec![],
        };
        let payload = remote_write::encode(&WriteRequest {
            timeseries: vec![series],
        });
        let request = ureq::http::Request::builder()
            .method("POST")
            .uri(format!("{}/api/v1/write", edge.base_url()))
            .header(KEY_HEADER, SHIPPED_KEY)
            .header("Content-Type", "application/x-protobuf")
            .header("Content-Encoding", "snappy")
            .header("X-Prometheus-Remote-Write-Version", "0.1.0")
            .body(payload.body.clone())
            .unwrap();
        agent().run(request).unwrap().status().as_u16()
    };
    assert_eq!(write(now_ms, 2.0), 204);
    assert_eq!(
        write(now_ms - 50 * 60 * 1000, 1.0),
        204,
        "50 minutes late, within the shipped 1 h window"
    );
    let late = prometheus.query(&format!(
        "replayed_total @ {}",
        (now_ms - 50 * 60 * 1000) as f64 / 1000.0
    ));
    assert_eq!(late.len(), 1, "the late sample is stored: {late:?}");
    assert_eq!(
        write(now_ms - 2 * 3600 * 1000, 0.5),
        400,
        "two hours late: outside the window"
    );
}
