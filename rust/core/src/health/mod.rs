//! Release health, on the worker: does this build crash more than the last,
//! and what did the player do just before?
//!
//! ```text
//!  start ─┬─ markers of earlier sessions whose game is gone (marker.rs):
//!         │    error log `session_crashed` / `session_abnormal` with their breadcrumbs,
//!         │    game_sessions_total{status="crashed"|"abnormal", version=<theirs>}
//!         ├─ log `session_start`, game_sessions_total{status="started"}
//!         └─ this session's marker, locked; the crash handler armed (crash_signal.rs)
//!  each event and note ─► breadcrumbs.rs; an error-level log gets them attached
//!  about once a second ─► the marker rewritten (duration, scene, breadcrumbs)
//!  clean end ─► log `session_end`, game_sessions_total{status="exited"|"errored"},
//!               marker removed
//! ```
//!
//! Crash-free rate by version, in PromQL (docs/release-health.md):
//! `1 - sum by (version) (max_over_time(game_sessions_total{status="crashed"}[1d]))
//!    / sum by (version) (max_over_time(game_sessions_total{status="started"}[1d]))`.

pub mod breadcrumbs;
pub mod crash_signal;
pub mod marker;

use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Instant;

use crate::config::Config;
use crate::diagnostics::Diagnostics;
use crate::model::event::{now_unix_nano, Event, Level, LogRecord, MetricKind, MetricUpdate, Note};
use crate::model::session::Session;
use crate::model::value::{round3, Fields, Value};

use breadcrumbs::{Breadcrumbs, Crumb};
use marker::{DeadSession, Marker, MarkerFile, CRASHED_EXTENSION};

/// OpenTelemetry's name for the session id (semantic conventions: session,
/// development) on `session_start`/`session_end`; `session.previous_id` on
/// a dead session's report names the session that died.
const SESSION_ID: &str = "session.id";
const PREVIOUS_SESSION_ID: &str = "session.previous_id";
/// OpenTelemetry's event for a crash: a crashed session's report is one.
const CRASH_EVENT: &str = "app.crash";

/// The counter every session adds 1 to, under its status.
pub const SESSIONS_METRIC: &str = "game_sessions_total";
/// How often the marker is rewritten while the session runs: a killed
/// session's duration is known to within this.
pub const MARKER_INTERVAL: Duration = Duration::from_secs(1);

/// How a session ended, as `game_sessions_total`'s `status` label says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStatus {
    Started,
    /// Ended cleanly.
    Exited,
    /// Ended cleanly after logging an error.
    Errored,
    /// Died from a crash signal (`SIGSEGV`, `OS.crash()`, …).
    Crashed,
    /// Died some other way: killed, frozen and force-closed, or killed by a
    /// mobile OS in the background.
    Abnormal,
}

impl SessionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Started => "started",
            SessionStatus::Exited => "exited",
            SessionStatus::Errored => "errored",
            SessionStatus::Crashed => "crashed",
            SessionStatus::Abnormal => "abnormal",
        }
    }
}

pub(crate) struct SessionHealth {
    session: Session,
    started_unix_ms: u64,
    started: Instant,
    crumbs: Breadcrumbs,
    scene: String,
    paused: bool,
    errored: bool,
    marker: Option<MarkerFile>,
    next_marker_write: Instant,
    /// Marker rewrites so far (for the write rate in the benchmarks).
    pub marker_writes: u64,
}

impl SessionHealth {
    /// `None` when `release_health` is off. The events to send first: reports
    /// of earlier sessions that died, then `session_start`.
    pub fn start(
        config: &Config,
        session: &Session,
        warn: &mut Diagnostics,
    ) -> Option<(SessionHealth, Vec<Event>)> {
        if !config.release_health {
            return None;
        }
        let now = now_unix_nano();
        let mut events = Vec::new();
        let mut marker = None;
        if let Some(dir) = config.session_dir.as_deref().map(PathBuf::from) {
            for dead in marker::take_dead_sessions(&dir, &session.session_id) {
                events.extend(dead_session_report(&dead, now));
            }
            match MarkerFile::create(&dir, &session.session_id) {
                Ok(m) => {
                    crash_signal::arm(
                        &dir.join(format!("{}.{CRASHED_EXTENSION}", session.session_id)),
                    );
                    marker = Some(m);
                }
                Err(e) => warn.warn(format!(
                    "release health: cannot write the session marker in {}: {e}",
                    dir.display()
                )),
            }
        }
        events.push(session_event(
            now,
            "session_start",
            "session.start",
            &session.session_id,
            Fields::new(),
        ));
        events.push(sessions_counter(now, SessionStatus::Started, None));
        let mut health = SessionHealth {
            session: session.clone(),
            started_unix_ms: now / 1_000_000,
            started: Instant::now(),
            crumbs: Breadcrumbs::new(config.breadcrumbs),
            scene: String::new(),
            paused: false,
            errored: false,
            marker,
            next_marker_write: Instant::now(),
            marker_writes: 0,
        };
        health.write_marker();
        Some((health, events))
    }

    /// Every event the game made, before filters: breadcrumbs, and an
    /// error-level log gets the breadcrumbs before it attached.
    pub fn observe(&mut self, event: &mut Event) {
        match event {
            Event::Log(log) => {
                if log.level == Level::Error {
                    self.errored = true;
                    if !self.crumbs.is_empty() {
                        log.data
                            .push(("breadcrumbs".into(), self.crumbs.to_value()));
                    }
                }
                self.crumbs
                    .push_text(log.time_unix_nano, "log", Some(log.level), &log.message);
            }
            Event::Span(span) => {
                let mut message = String::with_capacity(span.name.len() + 8);
                for (time, what) in [
                    (span.start_time_unix_nano, " started"),
                    (span.end_time_unix_nano, " ended"),
                ] {
                    message.clear();
                    message.push_str(&span.name);
                    message.push_str(what);
                    self.crumbs.push_text(time, "span", None, &message);
                }
            }
            Event::Metric(_) => {}
        }
    }

    pub fn note(&mut self, note: Note) {
        match note {
            Note::Breadcrumb {
                time_unix_nano,
                category,
                message,
                data,
            } => {
                self.crumbs.push(Crumb {
                    time_unix_nano,
                    category,
                    level: None,
                    message,
                    data,
                });
            }
            Note::Scene {
                time_unix_nano,
                name,
            } => {
                self.crumbs.push_text(time_unix_nano, "scene", None, &name);
                self.scene = name;
            }
            Note::Paused {
                time_unix_nano,
                paused,
            } => {
                self.crumbs.push_text(
                    time_unix_nano,
                    "app",
                    None,
                    if paused { "paused" } else { "resumed" },
                );
                self.paused = paused;
                // The OS may kill a paused app without another second.
                self.write_marker();
            }
            // Hitches are reported on their own (`crate::hitches`).
            Note::SpanStarted { .. } | Note::Hitch(_) => {}
        }
    }

    /// When the marker is next due.
    pub fn next_wake(&self) -> Option<Instant> {
        self.marker.as_ref().map(|_| self.next_marker_write)
    }

    /// Rewrites the marker when it is due.
    pub fn tick(&mut self, now: Instant) {
        if now >= self.next_marker_write {
            self.write_marker();
        }
    }

    fn write_marker(&mut self) {
        self.next_marker_write = Instant::now() + MARKER_INTERVAL;
        let Some(file) = self.marker.as_mut() else {
            return;
        };
        let marker = Marker {
            session_id: self.session.session_id.clone(),
            game: self.session.game.clone(),
            version: self.session.version.clone(),
            environment: self.session.environment.clone(),
            started_unix_ms: self.started_unix_ms,
            updated_unix_ms: now_unix_nano() / 1_000_000,
            scene: self.scene.clone(),
            paused: self.paused,
            breadcrumbs: serde_json::to_value(self.crumbs.to_value()).unwrap_or_default(),
        };
        if file.write(&marker).is_ok() {
            self.marker_writes += 1;
        }
    }

    /// The session ends. `clean`: the game quit or called `shutdown`: the
    /// events that say so. Otherwise (consent withdrawn) nothing is sent.
    /// Either way the marker goes.
    pub fn end(mut self, clean: bool) -> Vec<Event> {
        crash_signal::disarm();
        if let Some(marker) = self.marker.take() {
            marker.remove();
        }
        if !clean {
            return Vec::new();
        }
        self.end_events()
    }

    /// The events a clean end sends now, without ending anything.
    pub fn end_events(&self) -> Vec<Event> {
        let now = now_unix_nano();
        let status = if self.errored {
            SessionStatus::Errored
        } else {
            SessionStatus::Exited
        };
        let data = vec![
            (
                "duration_s".to_string(),
                Value::Float(round3(self.started.elapsed().as_secs_f64())),
            ),
            ("status".to_string(), Value::Str(status.as_str().into())),
        ];
        vec![
            session_event(
                now,
                "session_end",
                "session.end",
                &self.session.session_id,
                data,
            ),
            sessions_counter(now, status, None),
        ]
    }
}

/// The error log and the counter that report a session that died.
fn dead_session_report(dead: &DeadSession, now: u64) -> Vec<Event> {
    let status = if dead.crash_signal.is_some() {
        SessionStatus::Crashed
    } else {
        SessionStatus::Abnormal
    };
    let mut data = vec![(
        "previous_session_id".to_string(),
        Value::Str(dead.session_id.clone()),
    )];
    let version = dead
        .marker
        .as_ref()
        .map_or("unknown".to_string(), |m| m.version.clone());
    if let Some(m) = &dead.marker {
        let duration = m.updated_unix_ms.saturating_sub(m.started_unix_ms) as f64 / 1000.0;
        data.extend([
            (
                "previous_version".to_string(),
                Value::Str(m.version.clone()),
            ),
            (
                "previous_environment".to_string(),
                Value::Str(m.environment.clone()),
            ),
            ("duration_s".to_string(), Value::Float(round3(duration))),
            ("last_scene".to_string(), Value::Str(m.scene.clone())),
            ("paused".to_string(), Value::Bool(m.paused)),
            ("breadcrumbs".to_string(), Value::from_json(&m.breadcrumbs)),
        ]);
    } else {
        data.push(("previous_version".to_string(), Value::Str(version.clone())));
    }
    data.push((
        PREVIOUS_SESSION_ID.to_string(),
        Value::Str(dead.session_id.clone()),
    ));
    if let Some(signal) = dead.crash_signal {
        data.push(("signal".to_string(), Value::Int(signal.into())));
        // OpenTelemetry's exception attributes (stable): what a backend's
        // error views read.
        data.push((
            "exception.type".to_string(),
            Value::Str(crash_signal::name(signal)),
        ));
        data.push((
            "exception.message".to_string(),
            Value::Str(format!(
                "the game's previous session crashed ({})",
                crash_signal::name(signal)
            )),
        ));
    }
    let message = if status == SessionStatus::Crashed {
        "session_crashed"
    } else {
        "session_abnormal"
    };
    let mut report = log(now, Level::Error, message, data);
    if let (Event::Log(record), SessionStatus::Crashed) = (&mut report, status) {
        // OpenTelemetry's crash event (development), its exception.* stable.
        record.event_name = Some(CRASH_EVENT);
    }
    vec![report, sessions_counter(now, status, Some(version))]
}

fn log(time_unix_nano: u64, level: Level, message: &str, data: Fields) -> Event {
    Event::Log(LogRecord {
        time_unix_nano,
        level,
        message: message.into(),
        data,
        scope: Default::default(),
        event_name: None,
    })
}

/// A log that is also OpenTelemetry's event `name` (`session.start`,
/// `session.end`), with `session.id` as that convention names it.
fn session_event(
    time_unix_nano: u64,
    message: &str,
    name: &'static str,
    session_id: &str,
    mut data: Fields,
) -> Event {
    data.push((SESSION_ID.to_string(), Value::Str(session_id.to_string())));
    let mut event = log(time_unix_nano, Level::Info, message, data);
    if let Event::Log(record) = &mut event {
        record.event_name = Some(name);
    }
    event
}

/// `version`: counted under an earlier session's version instead of this
/// one's (the game may have been updated since it died).
fn sessions_counter(time_unix_nano: u64, status: SessionStatus, version: Option<String>) -> Event {
    let mut labels = vec![("status".to_string(), status.as_str().to_string())];
    if let Some(v) = version {
        labels.push((crate::model::session::VERSION_LABEL.to_string(), v));
    }
    Event::Metric(MetricUpdate {
        time_unix_nano,
        kind: MetricKind::Counter,
        name: SESSIONS_METRIC.into(),
        value: 1.0,
        labels,
        more: Vec::new(),
    })
}
