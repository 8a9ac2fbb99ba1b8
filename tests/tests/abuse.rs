//! Abusive clients against the shipped edge and backends, while honest
//! sessions play: every honest session's data arrives, the backends stay
//! up, and the series stored stay bounded. What stops each attack, and
//! with what answer, is printed as a table (deploy/README.md has it).
//!
//! Honest: 20 simulated sessions, each from its own loopback address with
//! the core's own aggregator and remote-write encoder, writing through the
//! edge to VictoriaMetrics (with the aggregation tier, as shipped) and to
//! Prometheus 3.5, and one real tracker (logs, metrics, traces) from
//! 127.0.0.1. Attackers: addresses of their own, 127.9.x.y.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::Ipv4Addr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use game_tracker_core::encode::prompb::{Label, Sample, TimeSeries, WriteRequest};
use game_tracker_core::encode::remote_write;
use game_tracker_core::model::value::Value;
use game_tracker_core::{Config, DeviceInfo, Level, MetricKind, Signal, SpanStatus, Tracker};
use game_tracker_testkit::decode::loki_lines;
use game_tracker_testkit::edge::{Edge, KEY_HEADER, SHIPPED_KEY, SHIPPED_TENANT};
use game_tracker_testkit::eventually;
use game_tracker_testkit::processes::{PromQl, Prometheus, VictoriaMetrics};
use game_tracker_testkit::receiver::Receiver;

#[path = "sim/sessions.rs"]
mod sessions;
use sessions::SimSession;
#[path = "sim/post.rs"]
mod post;
use post::{connect_from, post, REMOTE_WRITE};

const GAME: &str = "abuse-test";
const HONEST: usize = 20;
/// The shipped `-storage.maxHourlySeries=200000`, lowered so that the
/// label attack reaches it in seconds.
const SERIES_CAP: usize = 5_000;
const WRITE: &str = "/api/v1/write";

fn honest_address(i: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 1, 0, 10 + i as u8)
}

fn attacker(n: usize) -> Ipv4Addr {
    Ipv4Addr::new(127, 9, (n >> 8) as u8, n as u8)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn with_key(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut headers = vec![(KEY_HEADER, SHIPPED_KEY)];
    headers.extend_from_slice(extra);
    headers
}

/// A remote-write body of one sample per series.
fn series_body(
    series: impl IntoIterator<Item = (Vec<(&'static str, String)>, f64, i64)>,
) -> Vec<u8> {
    let timeseries = series
        .into_iter()
        .map(|(labels, value, timestamp)| TimeSeries {
            labels: labels
                .into_iter()
                .map(|(name, value)| Label {
                    name: name.into(),
                    value,
                })
                .collect(),
            samples: vec![Sample { value, timestamp }],
            exemplars: vec![],
        })
        .collect();
    remote_write::encode(&WriteRequest { timeseries }).body
}

/// An attack, what stops it, and its answers counted by status.
type Row = (String, String, BTreeMap<String, usize>);

/// Answers per attack, in the order they were recorded.
#[derive(Default)]
struct Table(Mutex<Vec<Row>>);

impl Table {
    fn record(
        &self,
        attack: &str,
        stopped_by: &str,
        answers: impl IntoIterator<Item = Option<u16>>,
    ) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for a in answers {
            *counts
                .entry(a.map_or("closed".to_string(), |s| s.to_string()))
                .or_insert(0) += 1;
        }
        self.0
            .lock()
            .unwrap()
            .push((attack.to_string(), stopped_by.to_string(), counts.clone()));
        counts
    }
}

struct Honest {
    sessions: Vec<SimSession>,
    answers: Vec<Option<u16>>,
}

impl Honest {
    fn play(&mut self, steps: usize, edges: &[&Edge]) {
        for _ in 0..steps {
            for (i, session) in self.sessions.iter_mut().enumerate() {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap();
                session.play(now.as_nanos() as u64);
                let body = session.snapshot(now.as_millis() as i64).unwrap().body;
                for edge in edges {
                    self.answers.push(post(
                        honest_address(i),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &body,
                    ));
                }
            }
            std::thread::sleep(Duration::from_millis(400));
        }
    }
}

#[test]
fn abusive_clients_are_stopped_while_every_honest_session_is_delivered() {
    let rx = Receiver::start();
    rx.respond_with(204);
    let vm = VictoriaMetrics::shipped_with(
        Some("2s"),
        &[&format!("-storage.maxHourlySeries={SERIES_CAP}")],
    );
    let prometheus = Prometheus::shipped();
    let edge = Edge::start_with(&[
        ("logs", rx.port),
        ("metrics", vm.port()),
        ("traces", rx.port),
        ("otlp", rx.port),
    ]);
    let edge_prometheus = Edge::start_with(&[
        ("logs", rx.port),
        ("metrics", prometheus.port()),
        ("traces", rx.port),
        ("otlp", rx.port),
    ]);

    // The real addon, from 127.0.0.1: logs and traces to the receiver,
    // metrics to VictoriaMetrics, all through the edge.
    let fields: Vec<(String, Value)> = vec![
        ("endpoint".into(), Value::Str(edge.base_url())),
        (
            "metrics_url".into(),
            Value::Str(format!("{}{WRITE}", edge.base_url())),
        ),
        (
            "headers".into(),
            Value::Map(vec![(KEY_HEADER.into(), Value::Str(SHIPPED_KEY.into()))]),
        ),
        ("game".into(), Value::Str(GAME.into())),
        ("flush_interval".into(), Value::Float(1.0)),
        ("release_health".into(), Value::Bool(false)),
        ("self_metrics".into(), Value::Bool(false)),
    ];
    let tracker =
        Tracker::start(Config::from_fields(&fields).unwrap(), DeviceInfo::default()).unwrap();
    let mut honest = Honest {
        sessions: (0..HONEST)
            .map(|i| SimSession::new(GAME, "1.0.0", i))
            .collect(),
        answers: Vec::new(),
    };
    honest.play(2, &[&edge, &edge_prometheus]);
    // The honest sums are stored series before the attacks start: a cap on
    // new series holds attackers' back, not these.
    // (VictoriaMetrics' cap on new series is global: while an attack holds
    // it at its limit, a series new to the honest too, such as a new
    // version's, waits for the next hour.)
    tracker.metric_with(
        MetricKind::Counter,
        "player_deaths",
        1.0,
        [("cause".to_string(), "lava".to_string())].as_slice(),
    );
    tracker.handover();
    let deaths =
        format!("sum(player_deaths_total{{game=\"{GAME}\", cause=~\"lava|spikes|fall\"}})");
    eventually("the first honest sums", Duration::from_secs(30), || {
        vm.first_value(&deaths) == Some((HONEST * 2 + 1) as f64)
    });

    let table = Table::default();
    std::thread::scope(|scope| {
        let (table, edge, edge_p) = (&table, &edge, &edge_prometheus);
        // The game goes on during the attacks.
        let game = scope.spawn(move || {
            for i in 0..200 {
                tracker.log_with(
                    Level::Info,
                    format!("honest line {i:03}"),
                    Vec::<(String, Value)>::new(),
                );
                if i % 10 == 0 {
                    let span = tracker.start_span(format!("honest span {i:03}"), Vec::new(), None);
                    tracker.end_span(&span, SpanStatus::Ok, "");
                    tracker.metric_with(
                        MetricKind::Counter,
                        "player_deaths",
                        1.0,
                        [("cause".to_string(), "lava".to_string())].as_slice(),
                    );
                }
                tracker.handover();
                std::thread::sleep(Duration::from_millis(20));
            }
            tracker
        });
        scope.spawn(move || {
            let over = vec![b'x'; 2 * 1024 * 1024];
            table.record(
                "a body over the cap (2 MiB)",
                "edge: client_max_body_size",
                (0..3).map(|n| {
                    post(
                        attacker(n),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &over,
                    )
                }),
            );
        });
        scope.spawn(move || {
            // 200 MB of zeros in a gzip body of about 200 KB: under the cap.
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..200 {
                gz.write_all(&zeros).unwrap();
            }
            let bomb = gz.finish().unwrap();
            let headers = with_key(&[
                ("Content-Type", "application/x-protobuf"),
                ("Content-Encoding", "gzip"),
            ]);
            table.record(
                "a gzip bomb (200 KB inflating to 200 MB) as remote write",
                "backend: remote write is snappy, not gzip",
                (0..3).map(|n| post(attacker(10 + n), edge.port, WRITE, &headers, &bomb)),
            );
            let loki = with_key(&[
                ("Content-Type", "application/json"),
                ("Content-Encoding", "gzip"),
            ]);
            table.record(
                "the gzip bomb as a Loki push",
                "edge: no compressed Loki pushes",
                (0..3).map(|n| {
                    post(
                        attacker(13 + n),
                        edge.port,
                        "/loki/api/v1/push",
                        &loki,
                        &bomb,
                    )
                }),
            );
            // A snappy body that says it holds 4 GB.
            let liar = [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00, 0x00];
            table.record(
                "a snappy body declaring 4 GB",
                "backend: VictoriaMetrics",
                (0..3).map(|n| {
                    post(
                        attacker(20 + n),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &liar,
                    )
                }),
            );
        });
        scope.spawn(move || {
            let body = series_body([(
                vec![
                    ("__name__", "player_deaths_total".into()),
                    ("game", "flood".into()),
                ],
                1.0,
                now_ms(),
            )]);
            table.record(
                "a flood from one address (300 requests)",
                "edge: limit_req",
                (0..300).map(|_| {
                    post(
                        attacker(30),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &body,
                    )
                }),
            );
        });
        scope.spawn(move || {
            // Two requests from each of 10 addresses, 1,000 new label values each.
            let answers = (0..20).map(|r| {
                let body = series_body((0..1000).map(|v| {
                    (
                        vec![
                            ("__name__", "player_deaths_total".into()),
                            ("game", "labels".into()),
                            ("cause", format!("made-up-{r}-{v}")),
                        ],
                        1.0,
                        now_ms(),
                    )
                }));
                post(
                    attacker(40 + r / 2),
                    edge.port,
                    WRITE,
                    &with_key(REMOTE_WRITE),
                    &body,
                )
            });
            table.record(
                "a new label value in every series (20,000)",
                "backend: -storage.maxHourlySeries",
                answers.collect::<Vec<_>>(),
            );
            let foreign = series_body([
                (
                    vec![("__name__", "bitcoin_price".into()), ("game", GAME.into())],
                    1.0,
                    now_ms(),
                ),
                (
                    vec![
                        ("__name__", "player_deaths_total".into()),
                        ("game", GAME.into()),
                        ("wallet", "x".into()),
                    ],
                    1.0,
                    now_ms(),
                ),
            ]);
            table.record(
                "foreign metric and label names",
                "backend: relabelling (keep, labelkeep)",
                (0..3).map(|n| {
                    post(
                        attacker(60 + n),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &foreign,
                    )
                }),
            );
        });
        scope.spawn(move || {
            let year = 365 * 86_400_000;
            let old = series_body([(
                vec![
                    ("__name__", "player_health".into()),
                    ("game", "timestamps".into()),
                ],
                1.0,
                now_ms() - year,
            )]);
            let ahead = series_body([(
                vec![
                    ("__name__", "player_health".into()),
                    ("game", "timestamps".into()),
                ],
                1.0,
                now_ms() + 86_400_000,
            )]);
            for (name, edge) in [("VictoriaMetrics", edge), ("Prometheus", edge_p)] {
                table.record(
                    &format!("a sample a year old, to {name}"),
                    "backend",
                    [post(
                        attacker(70),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &old,
                    )],
                );
                table.record(
                    &format!("a sample a day ahead, to {name}"),
                    "backend",
                    [post(
                        attacker(71),
                        edge.port,
                        WRITE,
                        &with_key(REMOTE_WRITE),
                        &ahead,
                    )],
                );
            }
            let garbage = snap::raw::Encoder::new()
                .compress_vec(b"\x0a\xff\xff\xff\xff\x0fnot a protobuf")
                .unwrap();
            for (name, edge) in [("VictoriaMetrics", edge), ("Prometheus", edge_p)] {
                table.record(
                    &format!("a malformed protobuf, to {name}"),
                    "backend",
                    (0..3).map(|n| {
                        post(
                            attacker(80 + n),
                            edge.port,
                            WRITE,
                            &with_key(REMOTE_WRITE),
                            &garbage,
                        )
                    }),
                );
            }
            let spoofed = with_key(&[
                ("X-Scope-OrgID", "someone-else"),
                ("Content-Type", "application/json"),
            ]);
            table.record(
                "a spoofed tenant header",
                "edge: sets X-Scope-OrgID",
                [post(
                    attacker(90),
                    edge.port,
                    "/loki/api/v1/push",
                    &spoofed,
                    b"{\"streams\":[]}",
                )],
            );
        });
        scope.spawn(move || {
            // Slowloris: a header that never ends, one byte a second.
            let started = Instant::now();
            let mut closed = None;
            if let Some(mut stream) = connect_from(attacker(100), edge.port) {
                let _ = stream.write_all(b"POST /api/v1/write HTTP/1.1\r\nHost: edge\r\n");
                stream
                    .set_read_timeout(Some(Duration::from_millis(900)))
                    .unwrap();
                for _ in 0..30 {
                    if stream.write_all(b"X").is_err()
                        || matches!(stream.read(&mut [0; 256]), Ok(0))
                    {
                        closed = Some(started.elapsed());
                        break;
                    }
                }
            }
            let closed = closed.map_or("not closed in 30 s".to_string(), |d| {
                format!("closed after {:.0} s", d.as_secs_f64())
            });
            table.record(
                &format!("a slowloris header ({closed})"),
                "edge: client_header_timeout",
                [None],
            );
        });
        honest.play(4, &[edge, edge_p]);
        let tracker = game.join().unwrap();
        honest.play(2, &[edge, edge_p]);
        assert!(
            tracker.flush_and_wait(Duration::from_secs(60)),
            "the addon's last batches"
        );
        for signal in Signal::ALL {
            let s = tracker.stats(signal);
            assert_eq!(
                (s.sent, s.dropped_total(), s.pending),
                (s.produced, 0, 0),
                "the addon behind the edge, {signal:?}: {s:?}"
            );
        }
    });

    let rows = table.0.lock().unwrap().clone();
    eprintln!("| attack | what stops it | answers |\n|---|---|---|");
    for (attack, stopped_by, counts) in &rows {
        eprintln!("| {attack} | {stopped_by} | {counts:?} |");
    }

    // Each attack got the answer of what stops it.
    let answers = |prefix: &str| -> BTreeMap<String, usize> {
        rows.iter()
            .find(|(attack, _, _)| attack.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix}"))
            .2
            .clone()
    };
    let only = |status: &str, n: usize| BTreeMap::from([(status.to_string(), n)]);
    assert_eq!(answers("a body over the cap"), only("413", 3));
    assert_eq!(answers("a gzip bomb"), only("400", 3));
    assert_eq!(answers("the gzip bomb as a Loki push"), only("415", 3));
    assert_eq!(answers("a snappy body declaring 4 GB"), only("400", 3));
    assert!(
        answers("a flood from one address")["429"] >= 250,
        "the flood: {:?}",
        answers("a flood")
    );
    for backend in ["VictoriaMetrics", "Prometheus"] {
        assert_eq!(
            answers(&format!("a malformed protobuf, to {backend}")),
            only("400", 3)
        );
    }
    for when in [
        "a sample a year old, to Prometheus",
        "a sample a day ahead, to Prometheus",
    ] {
        assert_eq!(answers(when), only("400", 1), "{when}");
    }
    let slowloris = rows
        .iter()
        .find(|(attack, _, _)| attack.starts_with("a slowloris"))
        .unwrap();
    let closed_after: Option<u64> = slowloris
        .0
        .split("closed after ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next()?.parse().ok());
    assert!(
        closed_after.is_some_and(|s| (9..=15).contains(&s)),
        "the edge's 10 s header timeout: {}",
        slowloris.0
    );

    // Every honest request was taken, on both backends.
    let taken = honest.answers.iter().filter(|a| **a == Some(204)).count();
    assert_eq!(
        taken,
        honest.answers.len(),
        "honest requests answered 204: {:?}",
        honest
            .answers
            .iter()
            .filter(|a| **a != Some(204))
            .collect::<Vec<_>>()
    );
    // And stored: 8 steps of 20 sessions, one death each, and the addon's 21.
    let expected = (HONEST * 8) as f64;
    eventually(
        "honest deaths summed in VictoriaMetrics",
        Duration::from_secs(30),
        || vm.first_value(&deaths) == Some(expected + 21.0),
    );
    assert_eq!(
        prometheus.first_value(&format!(
            "sum(player_deaths_total{{game=\"{GAME}\", instance!=\"\"}})"
        )),
        Some(expected),
        "Prometheus, per session"
    );
    let lines: Vec<String> = loki_lines(&rx.requests_to("/loki/api/v1/push"))
        .iter()
        .filter_map(|l| l["msg"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("honest line"))
            .count(),
        200,
        "the addon's log lines"
    );
    assert!(
        rx.requests()
            .iter()
            .all(|r| r.header("x-scope-orgid") == Some(SHIPPED_TENANT)),
        "every request forwarded under the edge's tenant"
    );

    // The series stayed bounded, and nothing foreign was stored.
    let series = vm.first_value("count({__name__!=\"\"})").unwrap_or(0.0);
    assert!(
        series <= (SERIES_CAP + 100) as f64,
        "series stored: {series}"
    );
    assert!(vm.query("bitcoin_price").is_empty(), "a foreign name");
    assert!(
        vm.query("player_deaths_total{wallet!=\"\"}").is_empty(),
        "a foreign label"
    );
    // Both backends are up.
    assert!(
        vm.first_value("vector(1)") == Some(1.0)
            && prometheus.first_value("vector(1)") == Some(1.0),
        "both backends answer"
    );
}
