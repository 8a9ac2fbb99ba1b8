//! Load and abuse on loopback: many players' sessions, simulated with the
//! core's own aggregator and remote-write encoder (`tests/sim/sessions.rs`),
//! send their metrics snapshots through the shipped edge (`deploy/nginx/`,
//! in Debian's nginx) into a real backend started from `deploy/`: Prometheus
//! 3.5, or VictoriaMetrics with or without the aggregation tier. Each
//! session sends from its own loopback address (127.x.y.z), as players do
//! from theirs; a share of them can be put behind one address (a LAN party,
//! a campus NAT), and one address can flood. Every loop is bounded by the
//! arguments.
//!
//!   cargo run --release -p game_tracker_testkit --example load -- \
//!       --backend prometheus|victoriametrics|victoriametrics-aggregated \
//!       --sessions 10000 [--rounds 3] [--shared 0.01] [--flood 2000]
//!
//! Prints one line per run (`LOAD {json}`): requests answered by status,
//! accepted metric updates per second, the backend's series and its
//! resident memory. `tests/bench/run.sh` runs it for BENCHMARKS.md's table,
//! `scripts/load_test.sh` on its own.

use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use game_tracker_testkit::edge::{Edge, KEY_HEADER, SHIPPED_KEY};
use game_tracker_testkit::processes::{PromQl, Prometheus, VictoriaMetrics};

#[path = "../tests/sim/sessions.rs"]
mod sessions;
use sessions::SimSession;
#[path = "../tests/sim/post.rs"]
mod post;
use post::REMOTE_WRITE;

/// A remote-write POST from `from` with the build's key: its status, or
/// None when the connection failed.
fn post(from: Ipv4Addr, port: u16, body: &[u8]) -> Option<u16> {
    post::post(
        from,
        port,
        "/api/v1/write",
        &[REMOTE_WRITE, &[(KEY_HEADER, SHIPPED_KEY)]].concat(),
        body,
    )
}

/// Threads sending at once: the edge and the backend share this machine's
/// two cores with them.
const SENDERS: usize = 8;
/// The shipped aggregation interval: its sums are written once a minute.
const AGGREGATION_INTERVAL: Duration = Duration::from_secs(60);

struct Args {
    backend: String,
    sessions: usize,
    rounds: usize,
    /// Share of sessions behind one shared address.
    shared: f64,
    /// Requests one abusive address sends as fast as it can (0: none).
    flood: usize,
}

fn args() -> Args {
    let mut a = Args {
        backend: "prometheus".into(),
        sessions: 1000,
        rounds: 3,
        shared: 0.0,
        flood: 0,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--backend" => a.backend = value,
            "--sessions" => a.sessions = value.parse().expect("--sessions N"),
            "--rounds" => a.rounds = value.parse().expect("--rounds N"),
            "--shared" => a.shared = value.parse().expect("--shared SHARE"),
            "--flood" => a.flood = value.parse().expect("--flood N"),
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(
        a.sessions <= 250 * 65_536,
        "one address each in 127.1.0.0 - 127.250.255.255"
    );
    a
}

enum Backend {
    Prometheus(Prometheus),
    Victoria(VictoriaMetrics),
}

impl Backend {
    fn start(name: &str) -> Backend {
        match name {
            "prometheus" => Backend::Prometheus(Prometheus::shipped()),
            "victoriametrics" => Backend::Victoria(VictoriaMetrics::shipped(None)),
            "victoriametrics-aggregated" => Backend::Victoria(VictoriaMetrics::shipped(Some("1m"))),
            other => panic!("unknown backend {other}"),
        }
    }

    fn server(&self) -> &dyn PromQl {
        match self {
            Backend::Prometheus(p) => p,
            Backend::Victoria(v) => v,
        }
    }

    /// Series the backend stores.
    fn series(&self) -> f64 {
        match self {
            Backend::Prometheus(p) => p
                .own_metric("prometheus_tsdb_head_series")
                .unwrap_or(f64::NAN),
            // Series with a sample in the last 5 minutes (its series count
            // endpoint lags behind the index by minutes).
            Backend::Victoria(v) => v.first_value("count({__name__!=\"\"})").unwrap_or(0.0),
        }
    }
}

#[derive(Default)]
struct Tally {
    accepted: AtomicU64,
    throttled: AtomicU64,
    other: AtomicU64,
    failed: AtomicU64,
    updates: AtomicU64,
}

impl Tally {
    fn count(&self, status: Option<u16>, updates: u64) {
        match status {
            Some(200..=299) => {
                self.accepted.fetch_add(1, Relaxed);
                self.updates.fetch_add(updates, Relaxed);
            }
            Some(429) => drop(self.throttled.fetch_add(1, Relaxed)),
            Some(_) => drop(self.other.fetch_add(1, Relaxed)),
            None => drop(self.failed.fetch_add(1, Relaxed)),
        }
    }
}

/// Session `i`'s address: its own, or with `shared`, one for all the
/// sessions behind the shared one.
fn address(i: usize, shared_below: usize) -> Ipv4Addr {
    if i < shared_below {
        return Ipv4Addr::new(127, 0, 0, 2);
    }
    Ipv4Addr::new(127, 1 + (i >> 16) as u8, (i >> 8) as u8, i as u8)
}

fn now() -> (u64, i64) {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    (since.as_nanos() as u64, since.as_millis() as i64)
}

fn main() {
    let args = args();
    let backend = Backend::start(&args.backend);
    let edge = Edge::start(backend.server().port());
    let shared_below = (args.sessions as f64 * args.shared) as usize;
    let players = Tally::default();
    let flood = Tally::default();
    let started = Instant::now();
    std::thread::scope(|scope| {
        if args.flood > 0 {
            let (flood, port) = (&flood, edge.port);
            scope.spawn(move || {
                let mut session = SimSession::new("load", "1.0.0", usize::MAX >> 1);
                for _ in 0..args.flood {
                    let (nanos, millis) = now();
                    let updates = session.play(nanos);
                    let body = session.snapshot(millis).unwrap().body;
                    flood.count(post(Ipv4Addr::new(127, 0, 0, 3), port, &body), updates);
                }
            });
        }
        for sender in 0..SENDERS {
            let (players, port) = (&players, edge.port);
            let (sessions, rounds) = (args.sessions, args.rounds);
            scope.spawn(move || {
                let mine: Vec<usize> = (sender..sessions).step_by(SENDERS).collect();
                let mut states: Vec<SimSession> = mine
                    .iter()
                    .map(|&i| SimSession::new("load", "1.0.0", i))
                    .collect();
                for _ in 0..rounds {
                    for (state, &i) in states.iter_mut().zip(&mine) {
                        let (nanos, millis) = now();
                        let updates = state.play(nanos);
                        let body = state.snapshot(millis).unwrap().body;
                        players.count(post(address(i, shared_below), port, &body), updates);
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    if args.backend.ends_with("aggregated") {
        // Sums are written at the end of an interval, and the first ones
        // appeared 1.5 intervals after the samples here: wait for them, at
        // most three intervals.
        let deadline = Instant::now() + 3 * AGGREGATION_INTERVAL;
        while backend.series() == 0.0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_secs(5));
        }
    } else {
        std::thread::sleep(Duration::from_secs(5));
    }
    let series = backend.series();
    let rss = backend
        .server()
        .own_metric("process_resident_memory_bytes")
        .unwrap_or(f64::NAN);
    let l = |a: &AtomicU64| a.load(Relaxed);
    let line = serde_json::json!({
        "backend": args.backend,
        "sessions": args.sessions,
        "rounds": args.rounds,
        "shared_sessions": shared_below,
        "seconds": elapsed.as_secs_f64(),
        "accepted": l(&players.accepted),
        "throttled": l(&players.throttled),
        "other": l(&players.other),
        "failed": l(&players.failed),
        "updates_per_second": l(&players.updates) as f64 / elapsed.as_secs_f64(),
        "flood_sent": args.flood,
        "flood_accepted": l(&flood.accepted),
        "series": series,
        "rss_mib": rss / 1_048_576.0,
    });
    println!("LOAD {line}");
}
