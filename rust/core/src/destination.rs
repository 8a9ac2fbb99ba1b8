//! Where each signal goes, chosen once when the worker starts: a lane to a
//! transport (an HTTP receiver, or `output_dir` files), the JSON-lines file,
//! or nowhere (counted as `no_destination`).

use crossbeam_channel::Sender;

use crate::answer::JobResult;
use crate::config::{Config, Destination};
use crate::lane::Lane;
use crate::spool::MAX_REPLAY_AGE_LOGS_AND_TRACES;
use crate::stats::Signal;
use crate::transport::{FileTransport, HttpTransport, Transport};

pub(crate) enum Route {
    /// Boxed: a lane is large, and the other routes are empty.
    Lane(Box<Lane>),
    /// One JSON line per event (`jsonl_dir`), when the sink could be opened.
    JsonLines,
    Nowhere,
}

impl Route {
    /// The route to the signal's [`Config::destination`]; the JSON-lines
    /// route only when its sink could be opened (`jsonl`).
    pub fn for_signal(
        config: &Config,
        signal: Signal,
        results: &Sender<JobResult>,
        jsonl: bool,
    ) -> std::io::Result<Route> {
        let transport: Box<dyn Transport> = match config.destination(signal) {
            Destination::Url(url) => Box::new(HttpTransport::new(
                url.to_string(),
                config.headers.clone(),
                config.request_timeout,
                config.speaks_otlp(signal),
            )),
            Destination::Folder(dir) => Box::new(FileTransport::new(dir)),
            Destination::JsonLines(_) if jsonl => return Ok(Route::JsonLines),
            Destination::JsonLines(_) | Destination::Nowhere => return Ok(Route::Nowhere),
        };
        let max_replay_age = match signal {
            Signal::Metrics => config.max_metrics_replay_age,
            Signal::Logs | Signal::Traces => MAX_REPLAY_AGE_LOGS_AND_TRACES,
        };
        Lane::spawn(signal, transport, results.clone(), config.max_backlog_bytes, config.max_retry_age, max_replay_age)
            .map(|lane| Route::Lane(Box::new(lane)))
    }

    pub fn lane(&mut self) -> Option<&mut Lane> {
        match self {
            Route::Lane(lane) => Some(lane),
            _ => None,
        }
    }

    pub fn lane_ref(&self) -> Option<&Lane> {
        match self {
            Route::Lane(lane) => Some(lane),
            _ => None,
        }
    }
}
