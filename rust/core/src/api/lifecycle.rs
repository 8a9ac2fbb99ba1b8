//! The tracker's life as the game sees it, whatever the engine:
//!
//! ```text
//!              init (valid, consent)            shutdown
//!  NotStarted ───────────────────────► Running ──────────► ShutDown
//!      │  ▲ init (invalid): stays          │  ▲
//!      │  │                  set_enabled(false) set_enabled(true): a new session
//!      │  │                                ▼  │
//!      └──┴── init (enabled: false) ──► Disabled (nothing sent, every call counted)
//! ```
//!
//! Calls made while no tracker runs (before `init`, after a failed one) go
//! to a do-nothing stand-in that counts them as `not_initialized`. The
//! engine layer converts arguments, maps its notifications onto
//! [`Lifecycle::pause`] / [`Lifecycle::close_requested`] /
//! [`Lifecycle::exit`], and shapes what [`Lifecycle::stats`] returns.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use crate::api::tracker::Tracker;
use crate::config::{
    Config, ConfigError, Destination, EngineOptions, HitchConfig, DEFAULT_QUIT_TIMEOUT,
};
use crate::model::session::DeviceInfo;
use crate::model::value::Fields;
use crate::stats::{Signal, SignalStats};
use crate::transport::http_target::{HttpTarget, MakePolledHttp};

/// Where the tracker is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Before a successful `init`, or after a failed one.
    NotStarted,
    Running,
    /// Player consent withheld: nothing is sent, the spool is deleted.
    Disabled,
    /// After `shutdown`: final until the next `init`.
    ShutDown,
}

#[derive(Debug)]
pub enum InitError {
    /// A tracker is already running; `shutdown` first to change it.
    AlreadyStarted,
    Invalid(ConfigError),
    /// A thread could not start, or a destination has no client here.
    Start(std::io::Error),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::AlreadyStarted => write!(
                f,
                "init() called again; the running tracker keeps its configuration (call shutdown() first to change it)"
            ),
            InitError::Invalid(e) => write!(f, "{e}"),
            InitError::Start(e) => write!(f, "GameTracker.init: cannot start: {e}"),
        }
    }
}

/// A request of the Web page's farewell ([`Lifecycle::farewell`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FarewellRequest {
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Calls made while no tracker runs, per signal.
#[derive(Debug, Default)]
pub struct NotStarted {
    calls: [Cell<u64>; 3],
}

impl NotStarted {
    pub fn count(&self, signal: Signal) {
        let c = &self.calls[signal.index()];
        c.set(c.get() + 1);
    }

    pub fn calls(&self, signal: Signal) -> u64 {
        self.calls[signal.index()].get()
    }
}

pub struct Lifecycle {
    /// Running or disabled: kept while disabled so its counts stay readable,
    /// shared (`Rc`) so spans can end after the engine's node is gone.
    tracker: Option<Rc<Tracker>>,
    /// The configuration `init` accepted, kept so consent given again can
    /// start a new session.
    config: Option<Config>,
    consent: bool,
    shut_down: bool,
    not_started: NotStarted,
    /// The engine's HTTP client for frame delivery (the only one on the Web).
    polled_http: Option<MakePolledHttp>,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle {
            tracker: None,
            config: None,
            consent: true,
            shut_down: false,
            not_started: NotStarted::default(),
            polled_http: None,
        }
    }
}

impl Lifecycle {
    pub fn state(&self) -> State {
        match (&self.tracker, self.consent) {
            (_, false) => State::Disabled,
            (Some(t), true) if t.is_disabled() => State::Disabled,
            (Some(_), true) => State::Running,
            (None, true) if self.shut_down => State::ShutDown,
            (None, true) => State::NotStarted,
        }
    }

    /// A lifecycle whose trackers send frame delivery's requests through
    /// `make` (the engine's own HTTP client).
    pub fn with_polled_http(make: MakePolledHttp) -> Lifecycle {
        Lifecycle {
            polled_http: Some(make),
            ..Lifecycle::default()
        }
    }

    /// Starts from `fields` (the `init` Dictionary with the engine's paths
    /// filled in). `Ok(false)`: valid, but consent is withheld
    /// (`"enabled": false`, or `set_enabled(false)` earlier).
    pub fn init(
        &mut self,
        fields: &Fields,
        device: impl FnOnce() -> DeviceInfo,
    ) -> Result<bool, InitError> {
        if self.tracker.is_some() {
            return Err(InitError::AlreadyStarted);
        }
        let config = Config::from_fields(fields).map_err(InitError::Invalid)?;
        if !config.engine.enabled {
            self.consent = false;
        }
        self.config = Some(config);
        self.shut_down = false;
        if !self.consent {
            self.set_enabled(false, device)?;
            return Ok(false);
        }
        self.start(device).map(|()| true)
    }

    fn start(&mut self, device: impl FnOnce() -> DeviceInfo) -> Result<(), InitError> {
        let Some(config) = self.config.clone() else {
            return Ok(());
        };
        let tracker = Tracker::start_with_http(config, device(), self.polled_http)
            .map_err(InitError::Start)?;
        self.tracker = Some(Rc::new(tracker));
        Ok(())
    }

    /// Player consent. `false` stops collection at once (what was not sent
    /// is dropped as `disabled`, the spool deleted); `true` starts again with
    /// `init`'s configuration, as a new session.
    pub fn set_enabled(
        &mut self,
        enabled: bool,
        device: impl FnOnce() -> DeviceInfo,
    ) -> Result<(), InitError> {
        self.consent = enabled;
        match (enabled, &self.tracker) {
            (false, Some(t)) => t.disable(),
            (false, None) => {
                // Consent withdrawn before tracking started: no earlier
                // launch's batches stay on disk either.
                if let Some(dir) = self.config.as_ref().and_then(|c| c.spool_dir.as_deref()) {
                    crate::sinks::spool::clear_dir(dir);
                }
            }
            (true, Some(t)) if t.is_disabled() => {
                self.tracker = None;
                return self.start(device);
            }
            (true, None) if self.config.is_some() => return self.start(device),
            _ => {}
        }
        Ok(())
    }

    /// Flushes, waits at most `timeout`, then stops. Final: consent given
    /// again does not restart; a new `init` does.
    pub fn shutdown(&mut self, timeout: Duration) {
        self.config = None;
        self.stop(timeout);
    }

    fn stop(&mut self, timeout: Duration) {
        if let Some(t) = self.tracker.take() {
            t.shutdown(timeout);
            self.shut_down = true;
        }
    }

    /// The tracker calls go to: running, or disabled (it counts them).
    pub fn tracker(&self) -> Option<&Rc<Tracker>> {
        self.tracker.as_ref()
    }

    /// The stand-in that counts calls made while no tracker runs.
    pub fn not_started(&self) -> &NotStarted {
        &self.not_started
    }

    pub fn is_active(&self) -> bool {
        self.state() == State::Running
    }

    /// The JSON-lines file events go to when no signal has a URL or an
    /// `output_dir` (for the engine layer to tell the developer where).
    pub fn local_file(&self) -> Option<std::path::PathBuf> {
        let config = self.config.as_ref()?;
        let local_only = Signal::ALL
            .iter()
            .all(|s| matches!(config.destination(*s), Destination::JsonLines(_)));
        let dir = config.jsonl_dir.as_deref().filter(|_| local_only)?;
        Some(std::path::Path::new(dir).join(crate::sinks::jsonl::FILE_NAME))
    }

    /// The running tracker's farewell ([`Tracker::farewell`]), each as the
    /// request that would carry it: its URL (no credentials), every header,
    /// and the body.
    pub fn farewell(&self, budget: usize) -> Vec<FarewellRequest> {
        let (Some(tracker), Some(config)) = (&self.tracker, &self.config) else {
            return Vec::new();
        };
        tracker
            .farewell(budget)
            .into_iter()
            .filter_map(|(signal, payload)| {
                let target = HttpTarget::for_signal(config, signal)?.ok()?;
                Some(FarewellRequest {
                    url: target.request_url(),
                    headers: target.request_headers(&payload),
                    body: payload.body,
                })
            })
            .collect()
    }

    /// The engine layer's keys of the last valid `init` (their defaults
    /// before one).
    pub fn engine_options(&self) -> EngineOptions {
        self.config
            .as_ref()
            .map_or_else(|| Config::default().engine, |c| c.engine.clone())
    }

    /// Hitch capture as the last valid `init` set it: the engine layer times
    /// the frames.
    pub fn hitch_config(&self) -> HitchConfig {
        self.config
            .as_ref()
            .map_or_else(|| Config::default().hitches, |c| c.hitches.clone())
    }

    /// How long quitting waits for the last events.
    pub fn quit_timeout(&self) -> Duration {
        self.config
            .as_ref()
            .map_or(DEFAULT_QUIT_TIMEOUT, |c| c.quit_timeout)
    }

    /// Counters for one signal (zeros before `init`); calls made while no
    /// tracker ran are in `not_started`, not in these.
    pub fn stats(&self, signal: Signal) -> SignalStats {
        self.tracker
            .as_ref()
            .map(|t| t.stats(signal))
            .unwrap_or_default()
    }

    /// The game may still cancel a close request, and quitting runs
    /// [`Lifecycle::exit`]: send now, without waiting.
    pub fn close_requested(&self) {
        if let Some(t) = &self.tracker {
            t.flush();
        }
    }

    /// A paused mobile app may be killed without another frame: send and
    /// wait at most `quit_timeout`.
    pub fn pause(&self) {
        if let Some(t) = &self.tracker {
            t.flush_and_wait(self.quit_timeout());
        }
    }

    /// The game is quitting: the last events go out, waiting at most
    /// `quit_timeout`.
    pub fn exit(&mut self) {
        self.stop(self.quit_timeout());
    }
}
