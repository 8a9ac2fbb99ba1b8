//! Moves one encoded payload to its destination: an HTTP receiver (ureq, with
//! timeouts on every request) or, with no endpoint, a folder of files.
//! Header values and URL passwords never appear in errors: they are usually
//! tokens, and errors end up in `get_stats()`, the Godot output and logs.

use std::io::Read;
use std::path::PathBuf;
use std::time::Duration;

use crate::encode::Payload;
use crate::redact::{redact, without_userinfo};
use crate::stats::Signal;

/// How much of a rejection's body is kept for `get_stats()`.
const ERROR_BODY_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// An answer that sending again cannot change (most 4xx; see
    /// [`crate::retry::retryable_status`]).
    Rejected(String),
    /// Connection error, timeout, 429 or a retryable 5xx: worth sending
    /// again, after `retry_after` if the receiver named a time.
    Failed { message: String, retry_after: Option<Duration> },
}

pub trait Transport: Send {
    fn send(&mut self, signal: Signal, payload: &Payload) -> Outcome;
}

pub struct HttpTransport {
    agent: ureq::Agent,
    url: String,
    /// `url` as errors show it: without `user:password@`.
    shown_url: String,
    headers: Vec<(String, String)>,
    /// OTLP/HTTP's retry rules rather than Loki's and remote write's.
    otlp: bool,
}

impl HttpTransport {
    pub fn new(url: String, headers: Vec<(String, String)>, timeout: Duration, otlp: bool) -> Self {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .user_agent(format!("game_tracker/{}", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpTransport { agent, shown_url: without_userinfo(&url), url, headers, otlp }
    }
}

impl Transport for HttpTransport {
    fn send(&mut self, _signal: Signal, payload: &Payload) -> Outcome {
        match self.attempt(payload) {
            Outcome::Rejected(message) => Outcome::Rejected(redact(message, &self.headers)),
            Outcome::Failed { message, retry_after } => Outcome::Failed { message: redact(message, &self.headers), retry_after },
            Outcome::Delivered => Outcome::Delivered,
        }
    }
}

impl HttpTransport {
    fn attempt(&mut self, payload: &Payload) -> Outcome {
        let mut req = self.agent.post(&self.url).header("Content-Type", payload.content_type());
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
                if (200..300).contains(&status) {
                    // Drain so the connection can be reused.
                    let _ = response.body_mut().as_reader().read_to_end(&mut Vec::new());
                    return Outcome::Delivered;
                }
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| crate::retry::parse_retry_after(v, std::time::SystemTime::now()));
                let mut text = String::new();
                let _ = response
                    .body_mut()
                    .as_reader()
                    .take(4096)
                    .read_to_string(&mut text);
                let first_line: String = text.lines().next().unwrap_or("").chars().take(ERROR_BODY_CHARS).collect();
                let message = format!("HTTP {status} from {}: {first_line}", self.shown_url);
                if crate::retry::retryable_status(self.otlp, status) {
                    Outcome::Failed { message, retry_after }
                } else {
                    Outcome::Rejected(message)
                }
            }
            Err(e) => Outcome::Failed { message: format!("{} : {e}", self.shown_url), retry_after: None },
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
        FileTransport { dir: dir.into(), seq: 0 }
    }
}

impl Transport for FileTransport {
    fn send(&mut self, signal: Signal, payload: &Payload) -> Outcome {
        self.seq += 1;
        let name = format!("{:04}-{}.{}", self.seq, signal.as_str(), payload.format.extension());
        let path = self.dir.join(name);
        match std::fs::create_dir_all(&self.dir).and_then(|_| std::fs::write(&path, &payload.body)) {
            Ok(()) => Outcome::Delivered,
            Err(e) => Outcome::Failed { message: format!("cannot write {}: {e}", path.display()), retry_after: None },
        }
    }
}
