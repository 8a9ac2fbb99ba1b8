//! The aggregation tier (`deploy/victoriametrics/stream_aggr.yaml`) in
//! Debian's VictoriaMetrics, started with the shipped flags: sessions
//! simulated with the core's own aggregator and remote-write encoder write
//! to two servers, one with the tier and one without. With it, the series
//! stored stay the same when the sessions quadruple, the totals are the
//! sums of every session's, and the dashboard's queries give the answers
//! they give over the per-session series (a moving gauge's mean: nearly).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use game_tracker_testkit::eventually;
use game_tracker_testkit::processes::{PromQl, VictoriaMetrics};

#[path = "sim/sessions.rs"]
mod sessions;
use sessions::{SimSession, CRASH_EVERY, SERIES_PER_SESSION};

const GAME: &str = "aggregation-test";
/// How long a sum or a count may take to show: the aggregated server
/// writes once an interval, and either makes new series searchable within
/// seconds.
const WAIT: Duration = Duration::from_secs(30);
/// The shipped interval is 1 m; the test's, so that it waits seconds.
const INTERVAL: &str = "2s";
/// Stored series with the tier: per label value, not per session: 3
/// death causes, 3 levels started, 3 scenes' load-time histograms of 15
/// series, health, 3 scenes' fps, sessions started and crashed.
const AGGREGATED_SERIES: usize = 3 + 3 + 3 * 15 + 1 + 3 + 2;

/// Series the first `sessions` sessions store without the tier.
fn per_session_series(sessions: usize) -> usize {
    sessions * SERIES_PER_SESSION + sessions.div_ceil(CRASH_EVERY)
}

fn now() -> (u64, i64) {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    (since.as_nanos() as u64, since.as_millis() as i64)
}

/// Each session plays `steps` steps; after each, every session's snapshot
/// goes to every server, as its game would send it.
fn play(sessions: &mut [SimSession], steps: usize, servers: &[&VictoriaMetrics]) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    for _ in 0..steps {
        for session in sessions.iter_mut() {
            let (nanos, millis) = now();
            session.play(nanos);
            let body = session.snapshot(millis).expect("a snapshot").body;
            for server in servers {
                let request = ureq::http::Request::builder()
                    .method("POST")
                    .uri(server.write_url())
                    .header("Content-Type", "application/x-protobuf")
                    .header("Content-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .body(body.clone())
                    .unwrap();
                assert_eq!(agent.run(request).unwrap().status().as_u16(), 204);
            }
        }
        // Samples of one series must be apart in time.
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// Series with a sample in the last minutes.
fn series_count(server: &VictoriaMetrics) -> usize {
    server
        .first_value(&format!("count({{game=\"{GAME}\"}})"))
        .map_or(0, |n| n as usize)
}

fn scalar(server: &VictoriaMetrics, promql: &str) -> f64 {
    let result = server.query(promql);
    assert_eq!(result.len(), 1, "{promql}: {result:?}");
    result[0]["value"][1].as_str().unwrap().parse().unwrap()
}

#[test]
fn aggregated_series_stay_the_same_when_sessions_grow_and_keep_every_sessions_totals() {
    let aggregated = VictoriaMetrics::shipped(Some(INTERVAL));
    let per_session = VictoriaMetrics::shipped(None);
    let servers = [&aggregated, &per_session];
    let mut sessions: Vec<SimSession> =
        (0..30).map(|i| SimSession::new(GAME, "1.0.0", i)).collect();
    play(&mut sessions, 3, &servers);
    let deaths = "sum(player_deaths_total{game=\"aggregation-test\"})";
    eventually("30 sessions' deaths summed", WAIT, || {
        aggregated.first_value(deaths) == Some(90.0)
    });
    eventually("30 sessions' deaths, per session", WAIT, || {
        per_session.first_value(deaths) == Some(90.0)
    });
    eventually("30 sessions' series", WAIT, || {
        series_count(&per_session) == per_session_series(30)
    });
    eventually("the aggregated series", WAIT, || {
        series_count(&aggregated) == AGGREGATED_SERIES
    });

    // Four times the players, more steps for the first ones.
    sessions.extend((30..120).map(|i| SimSession::new(GAME, "1.0.0", i)));
    play(&mut sessions, 3, &servers);
    eventually("120 sessions' deaths summed", WAIT, || {
        aggregated.first_value(deaths) == Some(450.0)
    });
    // 30 sessions x 6 steps + 90 x 3.
    eventually("120 sessions' deaths, per session", WAIT, || {
        per_session.first_value(deaths) == Some(450.0)
    });
    eventually("per session: the series grow with players", WAIT, || {
        series_count(&per_session) == per_session_series(120)
    });
    assert_eq!(
        series_count(&aggregated),
        AGGREGATED_SERIES,
        "aggregated: the same as with 30"
    );
    for instance_query in [
        "count(player_deaths_total{instance!=\"\"})",
        "count(load_time_ms_bucket{instance!=\"\"})",
    ] {
        assert!(
            aggregated.query(instance_query).is_empty(),
            "no per-session series stored: {instance_query}"
        );
    }

    // The dashboard's panels over these metrics give the same answers (as
    // instant sums: rate() needs minutes of samples, and a counter summed
    // is what its rate is taken of).
    let panels = [
        "histogram_quantile(0.5, sum by (le) (load_time_ms_bucket{game=\"aggregation-test\"}))",
        "histogram_quantile(0.95, sum by (le) (load_time_ms_bucket{game=\"aggregation-test\"}))",
        "avg by (scene) (game_fps{game=\"aggregation-test\"})",
        "sum by (cause) (player_deaths_total{game=\"aggregation-test\"})",
        "sum(levels_started_total{game=\"aggregation-test\"})",
    ];
    for panel in panels {
        let (a, p) = (results(&aggregated, panel), results(&per_session, panel));
        assert_eq!(a.len(), p.len(), "{panel}: {a:?} vs {p:?}");
        for ((labels, a), (_, p)) in a.iter().zip(&p) {
            assert!(
                (a - p).abs() <= 1e-6 * p.abs().max(1.0),
                "{panel} {labels}: aggregated {a}, per session {p}"
            );
        }
    }
    // A gauge that moves is averaged over the samples of an interval, not
    // over each session's last value: close to the per-session mean (97.25
    // here: health 95 in 30 sessions, 98 in 90), within what was sent.
    let health = scalar(&aggregated, "avg(player_health{game=\"aggregation-test\"})");
    assert!((95.0..=100.0).contains(&health), "mean health {health}");

    // Release health: the dashboard's session panels over per-session
    // series, its aggregated variant's over the sums: 120 started, 12
    // crashed, 90 % crash-free.
    let main = dashboard_queries("deploy/grafana/dashboard.json");
    let variant = dashboard_queries("deploy/grafana/dashboard-aggregated.json");
    for title in ["Sessions by status", "Crash-free sessions by version"] {
        let (p, a) = (
            results(&per_session, &main[title]),
            results(&aggregated, &variant[title]),
        );
        assert_eq!(p, a, "{title}: per session {p:?}, aggregated {a:?}");
    }
    assert_eq!(
        results(&aggregated, &variant["Sessions by status"])
            .iter()
            .map(|r| r.1)
            .collect::<Vec<_>>(),
        [12.0, 120.0]
    );
    assert_eq!(
        results(&aggregated, &variant["Crash-free sessions by version"])[0].1,
        0.9
    );
}

/// Each panel's first query by title, for this test's game and a 10-minute range.
fn dashboard_queries(file: &str) -> std::collections::HashMap<String, String> {
    let path = game_tracker_testkit::repo_root().join(file);
    let dashboard: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| {
            let expr = p["targets"][0]["expr"].as_str()?;
            let query = expr
                .replace("$game", GAME)
                .replace("$env", ".*")
                .replace("$__range", "10m");
            Some((p["title"].as_str()?.to_string(), query))
        })
        .collect()
}

#[test]
fn the_aggregated_dashboard_is_the_dashboard_with_its_session_counts_and_pending_changed() {
    let root = game_tracker_testkit::repo_root();
    let mut expected = std::fs::read_to_string(root.join("deploy/grafana/dashboard.json")).unwrap();
    for (from, to) in [
        // The sessions a running total gained in the range. MetricsQL's
        // increase_pure counts a series that began in the range from 0
        // (increase would leave out its first value: the sessions of the
        // first interval).
        ("max_over_time(game_sessions_total", "increase_pure(game_sessions_total"),
        // Gauges are stored as a mean over sessions: a sum cannot be had.
        ("sum by (signal) (gametracker_events_pending", "avg by (signal) (gametracker_events_pending"),
        ("\"pending {{signal}}\"", "\"pending per session {{signal}}\""),
        ("\"title\": \"GameTracker: game overview\"", "\"title\": \"GameTracker: game overview (aggregated series)\""),
        ("\"uid\": \"gametracker-overview\"", "\"uid\": \"gametracker-overview-aggregated\""),
        (
            "Import, then pick the three data sources.",
            "Import, then pick the three data sources. This variant reads metrics summed across sessions (deploy/README.md, \\\"The aggregation tier\\\"): sessions are counted with MetricsQL's increase_pure(), pending events are a mean per session.",
        ),
    ] {
        assert!(expected.contains(from), "{from}");
        expected = expected.replace(from, to);
    }
    let expected: serde_json::Value = serde_json::from_str(&expected).unwrap();
    let variant: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("deploy/grafana/dashboard-aggregated.json")).unwrap(),
    )
    .unwrap();
    assert!(variant == expected, "deploy/grafana/dashboard-aggregated.json is deploy/grafana/dashboard.json with these changes, and no other");
}

/// Each result's labels and value, sorted by labels.
fn results(server: &VictoriaMetrics, promql: &str) -> Vec<(String, f64)> {
    let mut rows: Vec<(String, f64)> = server
        .query(promql)
        .iter()
        .map(|r| {
            (
                r["metric"].to_string(),
                r["value"][1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!rows.is_empty(), "{promql}: no data");
    rows
}
