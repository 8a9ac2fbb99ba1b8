//! Moves one encoded payload to its destination: an HTTP receiver (ureq, with
//! timeouts on every request; not on the Web, where requests are the
//! browser's and go through a polled transport) or, with no endpoint, a
//! folder of files.
//! Header values and URL passwords never appear in errors: they are usually
//! tokens, and errors end up in `get_stats()`, the Godot output and logs.
//!
//! Two shapes: a [`Transport`] blocks until the answer (a lane's sender
//! thread runs it: thread delivery); a [`PolledTransport`] starts a request
//! and is asked each step whether it was answered (the worker polls it:
//! frame delivery, where there are no threads).
//!
//! Beside them: which answers are retried and the backoff (`retry.rs`), a
//! receiver as a polled transport reaches it (`http_target.rs`), and frame
//! delivery's HTTP where the engine does it (`polled_http.rs`).

pub mod http_target;
#[cfg(not(target_family = "wasm"))]
pub mod polled_http;
pub mod retry;

#[cfg(not(target_family = "wasm"))]
use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use crate::encode::Payload;
use crate::redact::redact;
#[cfg(not(target_family = "wasm"))]
use crate::redact::without_userinfo;
use crate::stats::Signal;

/// How much of a rejection's body is kept for `get_stats()`.
const ERROR_BODY_CHARS: usize = 200;
/// How much of a rejection's body is read to find that much.
pub const ERROR_BODY_READ: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// 2xx.
    Delivered,
    /// An answer that sending again cannot change (most 4xx; see
    /// [`crate::transport::retry::retryable_status`]).
    Rejected(String),
    /// Connection error, timeout, 429 or a retryable 5xx: worth sending
    /// again, after `retry_after` if the receiver named a time.
    Failed {
        message: String,
        retry_after: Option<Duration>,
    },
    /// 413: the body is over the receiver's cap (an edge's
    /// `client_max_body_size`). Its events may go in smaller requests.
    TooLarge(String),
}

pub trait Transport: Send {
    fn send(&mut self, signal: Signal, payload: &Payload) -> Reply;
}

/// A transport that never waits: `start` begins a request, `poll` moves it
/// on and gives the outcome once there is one. One request at a time.
pub trait PolledTransport: Send {
    fn start(&mut self, signal: Signal, payload: &Payload);
    fn poll(&mut self) -> Option<Reply>;
}

/// A blocking transport that finishes at once (files), polled: the outcome
/// of `start` is the next `poll`'s.
pub struct Synchronous<T: Transport> {
    transport: T,
    outcome: Option<Reply>,
}

impl<T: Transport> Synchronous<T> {
    pub fn new(transport: T) -> Self {
        Synchronous {
            transport,
            outcome: None,
        }
    }
}

impl<T: Transport> PolledTransport for Synchronous<T> {
    fn start(&mut self, signal: Signal, payload: &Payload) {
        self.outcome = Some(self.transport.send(signal, payload));
    }

    fn poll(&mut self) -> Option<Reply> {
        self.outcome.take()
    }
}

/// HTTP's "Content Too Large" (RFC 9110 §15.5.14).
const PAYLOAD_TOO_LARGE: u16 = 413;

/// What an HTTP answer means for the batch: delivered (2xx), worth sending
/// again (429, a retryable 5xx: after `Retry-After` if given), too large
/// (413: split), or refused for good, with the first line of its body.
pub(crate) fn reply_of(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
    shown_url: &str,
    otlp: bool,
) -> Reply {
    if (200..300).contains(&status) {
        return Reply::Delivered;
    }
    let retry_after = retry_after.and_then(|v| {
        crate::transport::retry::parse_retry_after(v, crate::clock::SystemTime::now())
    });
    let first_line: String = body
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(ERROR_BODY_CHARS)
        .collect();
    let message = format!("HTTP {status} from {shown_url}: {first_line}");
    if status == PAYLOAD_TOO_LARGE {
        Reply::TooLarge(message)
    } else if crate::transport::retry::retryable_status(otlp, status) {
        Reply::Failed {
            message,
            retry_after,
        }
    } else {
        Reply::Rejected(message)
    }
}

#[cfg(not(target_family = "wasm"))]
pub struct HttpTransport {
    agent: ureq::Agent,
    url: String,
    /// `url` as errors show it: without `user:password@`.
    shown_url: String,
    headers: Vec<(String, String)>,
    /// OTLP/HTTP's retry rules rather than Loki's and remote write's.
    otlp: bool,
}

#[cfg(not(target_family = "wasm"))]
impl HttpTransport {
    pub fn new(url: String, headers: Vec<(String, String)>, timeout: Duration, otlp: bool) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("game_tracker/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpTransport {
            agent,
            shown_url: without_userinfo(&url),
            url,
            headers,
            otlp,
        }
    }
}

#[cfg(not(target_family = "wasm"))]
impl Transport for HttpTransport {
    fn send(&mut self, _signal: Signal, payload: &Payload) -> Reply {
        redacted(self.attempt(payload), &self.headers)
    }
}

/// Header values never appear in errors: a receiver may echo the token it
/// refused.
pub(crate) fn redacted(outcome: Reply, headers: &[(String, String)]) -> Reply {
    match outcome {
        Reply::Rejected(message) => Reply::Rejected(redact(message, headers)),
        Reply::Failed {
            message,
            retry_after,
        } => Reply::Failed {
            message: redact(message, headers),
            retry_after,
        },
        Reply::TooLarge(message) => Reply::TooLarge(redact(message, headers)),
        Reply::Delivered => Reply::Delivered,
    }
}

#[cfg(not(target_family = "wasm"))]
impl HttpTransport {
    fn attempt(&mut self, payload: &Payload) -> Reply {
        let mut req = self
            .agent
            .post(&self.url)
            .header("Content-Type", payload.content_type());
        if let Some(enc) = payload.content_encoding() {
            req = req.header("Content-Encoding", enc);
        }
        for (k, v) in payload.protocol_headers() {
            req = req.header(*k, *v);
        }
        for (k, v) in &self.headers {
            req = req.header(k.as_str(), v.as_str());
        }
        match req.send(payload.body.as_slice()) {
            Ok(mut response) => {
                let status = response.status().as_u16();
                let mut text = String::new();
                if (200..300).contains(&status) {
                    // Drain so the connection can be reused.
                    let _ = response.body_mut().as_reader().read_to_end(&mut Vec::new());
                } else {
                    let _ = response
                        .body_mut()
                        .as_reader()
                        .take(ERROR_BODY_READ as u64)
                        .read_to_string(&mut text);
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok());
                reply_of(status, retry_after, &text, &self.shown_url, self.otlp)
            }
            Err(e) => Reply::Failed {
                message: format!("{} : {e}", self.shown_url),
                retry_after: None,
            },
        }
    }
}

/// Writes each payload to `<dir>/<seq>-<signal>.<ext>`, byte for byte what
/// would have gone on the wire.
pub struct FileTransport {
    dir: PathBuf,
    seq: u64,
}

impl FileTransport {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileTransport {
            dir: dir.into(),
            seq: 0,
        }
    }
}

impl Transport for FileTransport {
    fn send(&mut self, signal: Signal, payload: &Payload) -> Reply {
        self.seq += 1;
        let name = format!(
            "{:04}-{}.{}",
            self.seq,
            signal.as_str(),
            payload.format.extension()
        );
        let path = self.dir.join(name);
        match std::fs::create_dir_all(&self.dir).and_then(|_| std::fs::write(&path, &payload.body))
        {
            Ok(()) => Reply::Delivered,
            Err(e) => Reply::Failed {
                message: format!("cannot write {}: {e}", path.display()),
                retry_after: None,
            },
        }
    }
}
