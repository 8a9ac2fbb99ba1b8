//! The Web, in Debian's Chromium, headless:
//! - the addon's page glue and the worker's module (the core built for
//!   wasm32-unknown-unknown), driven by a test page that hands over one
//!   frame's calls per animation frame as the Web autoload does
//!   (tests/web/glue_test.js), against a loopback receiver that answers
//!   CORS: every event arrives by OTLP with the native labels, a 429's
//!   Retry-After is waited out, an outage loses nothing, hiding the page
//!   sends what waited, leaving it sends the rest and ends the session,
//!   and the console shows no error;
//! - the demo exported for the Web with Godot's templates, when a folder of
//!   them is named by GAMETRACKER_WEB_TEMPLATES (none can be fetched here).
//!
//! Needs the Web build (scripts/build.sh --release --target web, which
//! tests/run.sh runs first).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use game_tracker_testkit::browser::{console_line, console_of, start_browser, web_site};
use game_tracker_testkit::decode::{otlp, otlp_logs, otlp_spans};
use game_tracker_testkit::demo::web_demo_project;
use game_tracker_testkit::receiver::{Answer, Receiver};
use game_tracker_testkit::repo_root;
use game_tracker_testkit::static_site::StaticSite;
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use serde_json::Value as Json;

/// Console levels that fail a test.
const ERROR_LEVELS: [&str; 3] = ["error", "exception", "assert"];
/// Frames of the glue test that make events: about 5 s at 60 frames a second.
const FRAMES: usize = 300;
const SPAN_EVERY: usize = 30;

fn message(log: &LogRecord) -> String {
    match log.body.as_ref().and_then(|b| b.value.as_ref()) {
        Some(AnyValue::StringValue(s)) => s.clone(),
        other => format!("{other:?}"),
    }
}

/// The resource attributes of every OTLP logs request, as text.
fn log_resources(rx: &Receiver) -> Vec<BTreeMap<String, String>> {
    rx.requests_to("/v1/logs")
        .iter()
        .map(otlp::<ExportLogsServiceRequest>)
        .flat_map(|r| r.resource_logs)
        .map(|rl| {
            rl.resource
                .map(|r| r.attributes)
                .unwrap_or_default()
                .into_iter()
                .map(|kv| {
                    (
                        kv.key,
                        kv.value
                            .and_then(|v| v.value)
                            .map(|v| format!("{v:?}"))
                            .unwrap_or_default(),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn from_chromium_the_worker_delivers_every_event_through_throttling_an_outage_hiding_and_leaving() {
    let site_folder = web_site(
        "web-glue-site",
        &["glue_test.html", "glue_test.js", "handover.js"],
    );
    // Not cross-origin isolated: many game portals cannot be.
    let site = StaticSite::serve(&site_folder, false);
    let rx = Receiver::start_with_cors();
    // The first logs request is throttled: the next must wait 2 s.
    rx.answer_in_turn("/v1/logs", &[Answer::new(429).retry_after("2")]);
    let url = format!(
        "{}?endpoint={}&frames={FRAMES}",
        site.url("glue_test.html"),
        rx.base_url()
    );
    let driver = start_browser(&url, "glue: done", 180, None);

    // Once the throttled request was sent again, the receiver goes away
    // for 2 s while the page goes on making events.
    let deadline = Instant::now() + Duration::from_secs(60);
    assert!(
        rx.wait_for(deadline - Instant::now(), |r| r
            .iter()
            .filter(|q| q.path == "/v1/logs")
            .count()
            >= 2),
        "the logs were sent again"
    );
    rx.go_down();
    std::thread::sleep(Duration::from_secs(2));
    rx.come_up();

    let console = console_of(driver);
    let text: Vec<String> = console.iter().map(console_line).collect();
    let all = text.join("\n");
    let errors: Vec<&String> = text
        .iter()
        .zip(&console)
        .filter(|(_, l)| ERROR_LEVELS.iter().any(|e| l["level"] == *e))
        .map(|(t, _)| t)
        .collect();
    assert!(
        errors.is_empty(),
        "the page's console shows errors: {errors:?}\n{all}"
    );
    let done = console
        .iter()
        .filter_map(|l| l["text"].as_str())
        .find_map(|t| t.strip_prefix("glue: done "))
        .expect("the page's report");
    let stats: Json = serde_json::from_str(done).expect("get_stats() as JSON");
    for signal in ["logs", "metrics", "traces"] {
        let s = &stats[signal];
        assert_eq!(s["dropped_total"], 0, "{signal}: nothing dropped: {s}");
        assert_eq!(s["produced"], s["sent"], "{signal}: everything sent: {s}");
    }
    assert!(
        stats["logs"]["retries"].as_u64().unwrap() >= 1,
        "the 429 and the outage were retried: {}",
        stats["logs"]
    );

    // The throttled request's retry came no sooner than Retry-After said.
    let logs_requests = rx.requests_to("/v1/logs");
    let waited = logs_requests[1].received_at - logs_requests[0].received_at;
    assert!(
        waited >= Duration::from_millis(1900),
        "Retry-After: 2 waited out, not {waited:?}"
    );

    // Every event once, with the labels native platforms give.
    let messages: Vec<String> = otlp_logs(&logs_requests[1..]).iter().map(message).collect();
    let events: Vec<&String> = messages
        .iter()
        .filter(|m| m.starts_with("event "))
        .collect();
    let expected: Vec<String> = (1..=FRAMES).map(|i| format!("event {i}")).collect();
    let mut sorted: Vec<String> = events.iter().map(|m| m.to_string()).collect();
    sorted.sort_by_key(|m| m[6..].parse::<usize>().unwrap());
    assert_eq!(sorted, expected, "every frame's log, once");
    let resources = log_resources(&rx);
    let resource = resources.last().expect("a logs request");
    for (key, value) in [
        ("service.name", "glue_test"),
        ("service.version", "1.2.3"),
        ("deployment.environment.name", "ci"),
        ("os.name", "Web"),
    ] {
        assert!(
            resource.get(key).is_some_and(|v| v.contains(value)),
            "{key} = {value} in {resource:?}"
        );
    }
    assert!(
        resource.get("session.id").is_some_and(|v| v.len() > 30),
        "a session id: {resource:?}"
    );
    let spans = otlp_spans(&rx.requests_to("/v1/traces"));
    assert_eq!(
        spans.iter().filter(|s| s.name == "chunk").count(),
        FRAMES / SPAN_EVERY,
        "every span"
    );
    assert!(!rx.requests_to("/v1/metrics").is_empty(), "metrics sent");

    // The page's hitch, made by the worker's core: a log line and a span
    // under the span open in its frame.
    let hitches: Vec<LogRecord> = otlp_logs(&logs_requests[1..])
        .into_iter()
        .filter(|l| l.event_name == "app.jank")
        .collect();
    assert_eq!(hitches.len(), 1, "the page's one hitch: {messages:?}");
    let hitch_span = spans
        .iter()
        .find(|s| s.name == "hitch")
        .expect("the hitch's span");
    let first_chunk = spans
        .iter()
        .filter(|s| s.name == "chunk")
        .min_by_key(|s| s.start_time_unix_nano)
        .unwrap();
    assert_eq!(
        (&hitch_span.trace_id, &hitch_span.parent_span_id),
        (&first_chunk.trace_id, &first_chunk.span_id),
        "under the span open in its frame"
    );
    assert_eq!(
        hitch_span.end_time_unix_nano - hitch_span.start_time_unix_nano,
        120_000_000
    );

    // Hiding the page: the tail, held back by a 60 s flush interval, went
    // out at once (the page's report said so before "done"; here it is).
    assert_eq!(
        messages.iter().filter(|m| m.starts_with("tail ")).count(),
        3,
        "the tail when hidden: {messages:?}\n{all}"
    );

    // Leaving the page: its farewell (the worker's, sent by the page with
    // keepalive as it went) carried what was still batching, once, and the
    // session's clean end.
    let goodbyes: Vec<&String> = messages
        .iter()
        .filter(|m| m.starts_with("goodbye "))
        .collect();
    assert_eq!(
        goodbyes,
        ["goodbye 1", "goodbye 2", "goodbye 3"],
        "the rest at pagehide: {messages:?}\n{all}"
    );
    assert_eq!(
        messages.iter().filter(|m| *m == "session_end").count(),
        1,
        "the session ended once: {messages:?}"
    );
    let end = otlp_logs(&logs_requests)
        .into_iter()
        .find(|l| message(l) == "session_end")
        .unwrap();
    let status: Vec<String> = end
        .attributes
        .iter()
        .filter(|a| a.key.ends_with("status"))
        .map(|a| format!("{:?}", a.value))
        .collect();
    assert!(
        status.iter().any(|s| s.contains("exited")),
        "a closed tab is a clean exit, never a crash: {status:?}"
    );
}

/// The demo exported for the Web with `template` (the export plugin adds
/// the tracker's files), in `target/godot-copies/<name>/out`.
fn export_demo_for_web(name: &str, template: &Path) -> PathBuf {
    let (project, out) = web_demo_project(name, &template.display().to_string());
    let export = Command::new("bash")
        .arg(repo_root().join("scripts/provision/godot.sh"))
        .args(["--headless", "--path"])
        .arg(&project)
        .args(["--export-release", "Web"])
        .arg(out.join("index.html"))
        .output()
        .expect("export");
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&export.stdout),
        String::from_utf8_lossy(&export.stderr)
    );
    assert!(
        export.status.success() && out.join("index.html").exists(),
        "export failed:\n{log}"
    );
    for file in [
        "game_tracker_worker.js",
        "game_tracker_web.js",
        "game_tracker_web_bg.wasm",
    ] {
        assert!(
            out.join(file).exists(),
            "the export placed {file} beside the page:\n{log}"
        );
    }
    out
}

/// The demo exported for the Web with Godot's own templates (official ones
/// work: no GDExtension is involved), when GAMETRACKER_WEB_TEMPLATES names
/// a folder holding `web_nothreads_release.zip`; skipped with one line
/// otherwise.
#[test]
fn from_chromium_the_demo_exported_with_godots_web_templates_delivers_its_session() {
    let Ok(folder) = std::env::var("GAMETRACKER_WEB_TEMPLATES") else {
        println!("skipped: GAMETRACKER_WEB_TEMPLATES names no folder of Godot Web export templates (none can be fetched here)");
        return;
    };
    let template = Path::new(&folder).join("web_nothreads_release.zip");
    assert!(template.exists(), "{} is not there", template.display());
    let out = export_demo_for_web("web-export", &template);
    let site = StaticSite::serve(&out, false);
    let rx = Receiver::start_with_cors();
    let url = format!("{}?endpoint={}", site.url("index.html"), rx.base_url());
    let screenshot = repo_root().join("docs/web_demo.png");
    let console = console_of(start_browser(&url, "demo: summary", 240, Some(&screenshot)));
    let text: Vec<String> = console.iter().map(console_line).collect();
    let all = text.join("\n");
    let errors: Vec<&String> = text
        .iter()
        .zip(&console)
        .filter(|(_, l)| ERROR_LEVELS.iter().any(|e| l["level"] == *e))
        .map(|(t, _)| t)
        .collect();
    assert!(
        errors.is_empty(),
        "the page's console shows errors: {errors:?}\n{all}"
    );
    assert!(all.contains("all requests answered: true"), "{all}");
    let messages: Vec<String> = otlp_logs(&rx.requests_to("/v1/logs"))
        .iter()
        .map(message)
        .collect();
    assert_eq!(
        messages
            .iter()
            .filter(|m| !m.starts_with("session_"))
            .count(),
        12,
        "{messages:?}"
    );
    assert_eq!(otlp_spans(&rx.requests_to("/v1/traces")).len(), 12);
    assert_eq!(
        messages.last().map(String::as_str),
        Some("session_end"),
        "{messages:?}\n{all}"
    );
}
