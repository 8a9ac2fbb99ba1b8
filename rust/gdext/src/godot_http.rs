//! Frame delivery's HTTP in Godot: Godot's own `HTTPClient` (its socket
//! client, with TLS for `https://`), moved on by the worker's slice each
//! frame and never waited on. One client per lane, kept alive between
//! requests.
//!
//! ```text
//!  start ─► Connecting ─► Sent ─► Reading ─► Reply
//!  (connect_to_host)  (request_raw)  (read_response_body_chunk)
//! ```
//!
//! Natively, `request_raw` writes the whole request before it returns; a
//! batch (at most 100 events in frame delivery) fits the socket's buffer,
//! so it does not wait unless a receiver stops reading altogether.
//!
//! This build's bindings leave `HTTPClient` out (gdext's minimal codegen),
//! so its methods are called by name. The core asks for a `Send` transport
//! (thread delivery moves the worker to a thread); the Godot object itself
//! stays in this thread's table, and the transport holds its key: frame
//! delivery polls it on the thread that made it, the game's.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::time::Instant;

use game_tracker_core::encode::Payload;
use game_tracker_core::transport::http_target::HttpTarget;
use game_tracker_core::transport::{PolledTransport, Reply, ERROR_BODY_READ};
use game_tracker_core::Signal;
use godot::classes::ClassDb;
use godot::prelude::*;

/// `HTTPClient.Status`, as Godot 4 numbers it.
const STATUS_DISCONNECTED: i64 = 0;
const STATUS_RESOLVING: i64 = 1;
const STATUS_CANT_RESOLVE: i64 = 2;
const STATUS_CONNECTING: i64 = 3;
const STATUS_CANT_CONNECT: i64 = 4;
const STATUS_CONNECTED: i64 = 5;
const STATUS_REQUESTING: i64 = 6;
const STATUS_BODY: i64 = 7;
const STATUS_CONNECTION_ERROR: i64 = 8;
const STATUS_TLS_HANDSHAKE_ERROR: i64 = 9;
/// `HTTPClient.METHOD_POST`.
const METHOD_POST: i64 = 2;
/// `Error.OK`.
const OK: i64 = 0;
/// Polls that take a connection to `STATUS_CONNECTED` at most in one go
/// (resolving, connecting, connected).
const CONNECT_POLLS: usize = 3;

thread_local! {
    /// The lanes' `HTTPClient`s, by key.
    static CLIENTS: RefCell<HashMap<u64, Gd<RefCounted>>> = RefCell::new(HashMap::new());
    static NEXT_KEY: Cell<u64> = const { Cell::new(0) };
}

/// The core's [`game_tracker_core::transport::http_target::MakePolledHttp`].
pub fn make(target: HttpTarget) -> Box<dyn PolledTransport> {
    Box::new(GodotHttp::new(target))
}

enum Step {
    Idle,
    /// Waiting for the connection.
    Connecting {
        headers: Vec<String>,
        body: Vec<u8>,
    },
    /// Waiting for the answer's head.
    Sent,
    /// Reading the body: kept up to `ERROR_BODY_READ` bytes, the rest read
    /// and dropped so the connection can serve the next request.
    Reading {
        body: Vec<u8>,
    },
    Done(Reply),
}

struct GodotHttp {
    target: HttpTarget,
    /// The key of this lane's client in `CLIENTS`, if one could be made.
    key: Option<u64>,
    step: Step,
    deadline: Instant,
}

impl GodotHttp {
    fn new(target: HttpTarget) -> GodotHttp {
        let client = ClassDb::singleton()
            .instantiate("HTTPClient")
            .try_to::<Gd<RefCounted>>()
            .ok();
        let key = client.map(|client| {
            let key = NEXT_KEY.with(|k| k.replace(k.get() + 1));
            CLIENTS.with(|c| c.borrow_mut().insert(key, client));
            key
        });
        GodotHttp {
            target,
            key,
            step: Step::Idle,
            deadline: Instant::now(),
        }
    }

    /// The client, if this is the thread that made it.
    fn client(&self) -> Option<Gd<RefCounted>> {
        CLIENTS.with(|c| c.borrow().get(&self.key?).cloned())
    }

    fn connect(&self, client: &mut Gd<RefCounted>) -> Result<(), Reply> {
        let _ = client.try_call("poll", &[]);
        if status(client) == STATUS_CONNECTED {
            return Ok(());
        }
        let _ = client.try_call("close", &[]);
        let scheme = if self.target.secure { "https" } else { "http" };
        let host = format!("{scheme}://{}", self.target.host);
        let port = i64::from(self.target.port);
        match client
            .try_call("connect_to_host", &[host.to_variant(), port.to_variant()])
            .map(|e| e.try_to::<i64>())
        {
            Ok(Ok(OK)) => Ok(()),
            Ok(Ok(error)) => Err(self
                .target
                .failed(format!("cannot connect (Godot error {error})"))),
            _ => Err(self
                .target
                .failed("Godot's HTTPClient refused connect_to_host")),
        }
    }

    /// Moves the request on as far as the client allows without waiting.
    fn advance(&self, client: &mut Gd<RefCounted>, step: Step) -> Step {
        let _ = client.try_call("poll", &[]);
        if matches!(step, Step::Connecting { .. }) {
            for _ in 1..CONNECT_POLLS {
                if !matches!(status(client), STATUS_RESOLVING | STATUS_CONNECTING) {
                    break;
                }
                let _ = client.try_call("poll", &[]);
            }
        }
        match (step, status(client)) {
            (step @ Step::Connecting { .. }, STATUS_RESOLVING | STATUS_CONNECTING) => step,
            (Step::Connecting { headers, body }, STATUS_CONNECTED) => {
                self.send(client, headers, body)
            }
            (Step::Sent, STATUS_REQUESTING) => Step::Sent,
            (Step::Sent, STATUS_BODY) => self.advance(client, Step::Reading { body: Vec::new() }),
            (Step::Reading { mut body }, STATUS_BODY) => {
                let chunk = client
                    .try_call("read_response_body_chunk", &[])
                    .ok()
                    .and_then(|c| c.try_to::<PackedByteArray>().ok());
                if let Some(chunk) = chunk {
                    let room = ERROR_BODY_READ.saturating_sub(body.len());
                    body.extend_from_slice(&chunk.as_slice()[..chunk.len().min(room)]);
                }
                Step::Reading { body }
            }
            (Step::Sent, STATUS_CONNECTED | STATUS_DISCONNECTED) => self.answer(client, &[]),
            (Step::Reading { body }, STATUS_CONNECTED | STATUS_DISCONNECTED) => {
                self.answer(client, &body)
            }
            (_, failure) => {
                let _ = client.try_call("close", &[]);
                Step::Done(self.target.failed(failure_text(failure)))
            }
        }
    }

    fn send(&self, client: &mut Gd<RefCounted>, headers: Vec<String>, body: Vec<u8>) -> Step {
        let headers: PackedStringArray = headers.iter().map(GString::from).collect();
        let args = [
            METHOD_POST.to_variant(),
            self.target.path.to_variant(),
            headers.to_variant(),
            PackedByteArray::from(body.as_slice()).to_variant(),
        ];
        match client
            .try_call("request_raw", &args)
            .map(|e| e.try_to::<i64>())
        {
            Ok(Ok(OK)) => Step::Sent,
            Ok(Ok(error)) => Step::Done(
                self.target
                    .failed(format!("cannot send (Godot error {error})")),
            ),
            _ => Step::Done(self.target.failed("Godot's HTTPClient refused request_raw")),
        }
    }

    /// The outcome once the answer is all read (or the connection closed).
    /// An answer is its status code: on the Web `has_response()` is false
    /// for one whose headers CORS hides all of (a 204 has none to show).
    fn answer(&self, client: &mut Gd<RefCounted>, body: &[u8]) -> Step {
        let code = client
            .try_call("get_response_code", &[])
            .ok()
            .and_then(|v| v.try_to::<i64>().ok())
            .unwrap_or(0);
        if code <= 0 {
            return Step::Done(self.target.failed("the connection closed before an answer"));
        }
        let headers = client
            .try_call("get_response_headers", &[])
            .ok()
            .and_then(|v| v.try_to::<PackedStringArray>().ok());
        let retry_after = headers.and_then(|h| header(&h, "retry-after"));
        let body = String::from_utf8_lossy(body);
        Step::Done(self.target.answer(
            u16::try_from(code).unwrap_or(0),
            retry_after.as_deref(),
            &body,
        ))
    }
}

impl PolledTransport for GodotHttp {
    fn start(&mut self, _signal: Signal, payload: &Payload) {
        self.deadline = Instant::now() + self.target.timeout;
        let Some(mut client) = self.client() else {
            self.step = Step::Done(
                self.target
                    .refused("Godot's HTTPClient is not available on this thread"),
            );
            return;
        };
        let headers = self
            .target
            .request_headers(payload)
            .into_iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect();
        self.step = match self.connect(&mut client) {
            // A connection that is there at once is written to now.
            Ok(()) => self.advance(
                &mut client,
                Step::Connecting {
                    headers,
                    body: payload.body.clone(),
                },
            ),
            Err(outcome) => Step::Done(outcome),
        };
    }

    fn poll(&mut self) -> Option<Reply> {
        let step = std::mem::replace(&mut self.step, Step::Idle);
        let step = match (step, self.client()) {
            (Step::Done(outcome), _) => return Some(outcome),
            (Step::Idle, _) => return None,
            (_, None) => {
                return Some(
                    self.target
                        .refused("Godot's HTTPClient is not available on this thread"),
                )
            }
            (step, Some(mut client)) => match self.advance(&mut client, step) {
                Step::Done(outcome) => return Some(outcome),
                _ if Instant::now() >= self.deadline => {
                    let _ = client.try_call("close", &[]);
                    return Some(self.target.timed_out());
                }
                waiting => waiting,
            },
        };
        self.step = step;
        None
    }
}

impl Drop for GodotHttp {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            // Another thread's table has no such key: nothing to free there.
            let _ = CLIENTS.try_with(|c| c.borrow_mut().remove(&key));
        }
    }
}

fn status(client: &mut Gd<RefCounted>) -> i64 {
    client
        .try_call("get_status", &[])
        .ok()
        .and_then(|v| v.try_to::<i64>().ok())
        .unwrap_or(STATUS_CONNECTION_ERROR)
}

fn failure_text(status: i64) -> String {
    match status {
        STATUS_CANT_RESOLVE => "cannot resolve the host".into(),
        STATUS_CANT_CONNECT => "cannot connect".into(),
        STATUS_CONNECTION_ERROR => "connection error".into(),
        STATUS_TLS_HANDSHAKE_ERROR => "TLS handshake failed".into(),
        STATUS_DISCONNECTED => "the connection closed".into(),
        other => format!("unexpected HTTPClient status {other}"),
    }
}

/// The value of the header `name` (lower case) among `Name: value` lines.
fn header(headers: &PackedStringArray, name: &str) -> Option<String> {
    headers.as_slice().iter().find_map(|line| {
        let line = line.to_string();
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_string())
    })
}
