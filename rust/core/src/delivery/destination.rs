//! Where each signal goes, chosen once when the worker starts: a lane to a
//! transport (an HTTP receiver, or `output_dir` files), the JSON-lines file,
//! or nowhere (counted as `no_destination`). The lane's courier follows
//! `delivery`: a sender thread with a blocking transport, or a transport
//! the worker polls (for HTTP, the engine layer's when it gives one).

use crossbeam_channel::Sender;

use crate::config::{Config, Delivery, Destination};
use crate::delivery::lane::Lane;
use crate::delivery::reply::SenderReply;
use crate::delivery::sender::Courier;
use crate::sinks::spool::MAX_REPLAY_AGE_LOGS_AND_TRACES;
use crate::stats::Signal;
use crate::transport::http_target::{HttpTarget, MakePolledHttp};
use crate::transport::{FileTransport, PolledTransport, Synchronous, Transport};

pub(crate) enum Route {
    /// Boxed: a lane is large, and the other routes are empty.
    Lane(Box<Lane>),
    /// One JSON line per event (`jsonl_dir`), when the sink could be opened.
    JsonLines,
    Nowhere,
}

impl Route {
    /// The route to the signal's [`Config::destination`]; the JSON-lines
    /// route only when its sink could be opened (`jsonl`). `polled_http`:
    /// the engine layer's HTTP for frame delivery, if it gives one.
    pub fn for_signal(
        config: &Config,
        signal: Signal,
        results: &Sender<SenderReply>,
        jsonl: bool,
        polled_http: Option<MakePolledHttp>,
    ) -> std::io::Result<Route> {
        let results = results.clone();
        let (headers, timeout, otlp) = (
            config.headers.clone(),
            config.request_timeout,
            config.speaks_otlp(signal),
        );
        let courier = match (config.destination(signal), config.delivery) {
            (Destination::Url(url), Delivery::Thread) => {
                Courier::thread(signal, blocking_http(url, headers, timeout, otlp)?, results)?
            }
            (Destination::Url(_), Delivery::Frame) => {
                let target = HttpTarget::for_signal(config, signal)
                    .expect("a URL")
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                let transport = match polled_http {
                    Some(make) => make(target),
                    None => own_polled_http(target)?,
                };
                Courier::polled(signal, transport, results)
            }
            (Destination::Folder(dir), Delivery::Thread) => {
                Courier::thread(signal, Box::new(FileTransport::new(dir)), results)?
            }
            (Destination::Folder(dir), Delivery::Frame) => Courier::polled(
                signal,
                Box::new(Synchronous::new(FileTransport::new(dir))),
                results,
            ),
            (Destination::JsonLines(_), _) if jsonl => return Ok(Route::JsonLines),
            (Destination::JsonLines(_) | Destination::Nowhere, _) => return Ok(Route::Nowhere),
        };
        let max_replay_age = match signal {
            Signal::Metrics => config.max_metrics_replay_age,
            Signal::Logs | Signal::Traces => MAX_REPLAY_AGE_LOGS_AND_TRACES,
        };
        let lane = Lane::new(
            signal,
            courier,
            config.max_backlog_bytes,
            config.max_retry_age,
            max_replay_age,
        );
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

#[cfg(not(target_family = "wasm"))]
fn blocking_http(
    url: &str,
    headers: Vec<(String, String)>,
    timeout: std::time::Duration,
    otlp: bool,
) -> std::io::Result<Box<dyn Transport>> {
    Ok(Box::new(crate::transport::HttpTransport::new(
        url.to_string(),
        headers,
        timeout,
        otlp,
    )))
}

#[cfg(not(target_family = "wasm"))]
fn own_polled_http(target: HttpTarget) -> std::io::Result<Box<dyn PolledTransport>> {
    Ok(Box::new(crate::transport::polled_http::PolledHttp::new(
        target,
    )))
}

/// The Web has no HTTP client of the core's own (no ureq, no sockets): its
/// requests are the browser's, through the engine layer's transport, and
/// the config delivers in frames there.
#[cfg(target_family = "wasm")]
fn blocking_http(
    _: &str,
    _: Vec<(String, String)>,
    _: std::time::Duration,
    _: bool,
) -> std::io::Result<Box<dyn Transport>> {
    Err(no_http_of_its_own())
}

#[cfg(target_family = "wasm")]
fn own_polled_http(_: HttpTarget) -> std::io::Result<Box<dyn PolledTransport>> {
    Err(no_http_of_its_own())
}

#[cfg(target_family = "wasm")]
fn no_http_of_its_own() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "no HTTP client on the Web but the engine's, and none was given",
    )
}
