//! Where each signal goes, chosen once when the worker starts: a lane to a
//! transport (an HTTP receiver, or `output_dir` files), the JSON-lines file,
//! or nowhere (counted as `no_destination`). The lane's courier follows
//! `delivery`: a sender thread with a blocking transport, or a transport
//! the worker polls.

use crossbeam_channel::Sender;

use crate::answer::JobResult;
use crate::config::{Config, Delivery, Destination};
use crate::lane::Lane;
use crate::polled_http::PolledHttp;
use crate::sender::Courier;
use crate::spool::MAX_REPLAY_AGE_LOGS_AND_TRACES;
use crate::stats::Signal;
use crate::transport::{FileTransport, HttpTransport, Synchronous};

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
        let results = results.clone();
        let (headers, timeout, otlp) = (config.headers.clone(), config.request_timeout, config.speaks_otlp(signal));
        let courier = match (config.destination(signal), config.delivery) {
            (Destination::Url(url), Delivery::Thread) => {
                Courier::thread(signal, Box::new(HttpTransport::new(url.to_string(), headers, timeout, otlp)), results)?
            }
            (Destination::Url(url), Delivery::Frame) => {
                Courier::polled(signal, Box::new(PolledHttp::new(url.to_string(), headers, timeout, otlp)), results)
            }
            (Destination::Folder(dir), Delivery::Thread) => Courier::thread(signal, Box::new(FileTransport::new(dir)), results)?,
            (Destination::Folder(dir), Delivery::Frame) => {
                Courier::polled(signal, Box::new(Synchronous::new(FileTransport::new(dir))), results)
            }
            (Destination::JsonLines(_), _) if jsonl => return Ok(Route::JsonLines),
            (Destination::JsonLines(_) | Destination::Nowhere, _) => return Ok(Route::Nowhere),
        };
        let max_replay_age = match signal {
            Signal::Metrics => config.max_metrics_replay_age,
            Signal::Logs | Signal::Traces => MAX_REPLAY_AGE_LOGS_AND_TRACES,
        };
        let lane = Lane::new(signal, courier, config.max_backlog_bytes, config.max_retry_age, max_replay_age);
        Ok(Route::Lane(Box::new(lane)))
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
