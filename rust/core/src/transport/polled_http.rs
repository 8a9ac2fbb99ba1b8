//! The core's own HTTP for frame delivery, on native platforms: one request
//! at a time over a non-blocking socket, advanced by
//! [`PolledTransport::poll`] a little each frame and never waiting. It is
//! used where the engine layer gives no transport of its own (the core's
//! tests and benchmarks, a host other than Godot); in Godot, frame delivery
//! goes through Godot's `HTTPClient` (the engine crate's `godot_http.rs`).
//! The request is written by hand (a POST with a known length and
//! `Connection: close`); the answer's head is parsed by `httparse`, the
//! parser hyper uses.
//!
//! ```text
//!  start ─► resolve ─► Connecting ─► Writing ─► Reading ─► Reply
//!                     (each poll moves as far as the socket allows)
//! ```
//!
//! Limits: plain `http://` only (an `https://` URL is refused with a
//! message), and host names are resolved when a request starts, which
//! blocks for a name that is not an address or `localhost` until the system
//! answers.

use crate::clock::Instant;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};

use socket2::{Domain, Protocol, Socket, Type};

use crate::encode::Payload;
use crate::stats::Signal;
use crate::transport::http_target::HttpTarget;
use crate::transport::{PolledTransport, Reply, ERROR_BODY_READ};

/// The most bytes read at once from the socket.
const READ_CHUNK: usize = 16 * 1024;
/// The most response headers parsed.
const MAX_HEADERS: usize = 64;

enum Step {
    Idle,
    Connecting {
        socket: Socket,
        request: Vec<u8>,
    },
    Writing {
        stream: TcpStream,
        request: Vec<u8>,
        written: usize,
    },
    Reading {
        stream: TcpStream,
        response: Vec<u8>,
    },
    Done(Reply),
}

pub struct PolledHttp {
    target: HttpTarget,
    step: Step,
    deadline: Instant,
}

impl PolledHttp {
    pub fn new(target: HttpTarget) -> Self {
        PolledHttp {
            target,
            step: Step::Idle,
            deadline: Instant::now(),
        }
    }

    fn request_bytes(&self, payload: &Payload) -> Vec<u8> {
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: game_tracker/{}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.target.path,
            self.target.authority,
            env!("CARGO_PKG_VERSION"),
            payload.body.len()
        );
        for (k, v) in self.target.request_headers(payload) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&payload.body);
        bytes
    }

    fn failed(&self, what: impl std::fmt::Display) -> Step {
        Step::Done(self.target.failed(what))
    }

    fn connect(&self, request: Vec<u8>) -> Step {
        let address = match self
            .target
            .authority
            .to_socket_addrs()
            .map(|mut a| a.next())
        {
            Ok(Some(address)) => address,
            Ok(None) => return self.failed("the host name has no address"),
            Err(e) => return self.failed(format!("cannot resolve: {e}")),
        };
        match start_connect(address) {
            Ok(socket) => Step::Connecting { socket, request },
            Err(e) => self.failed(format!("connect: {e}")),
        }
    }

    /// Moves the request on as far as the socket allows without waiting.
    fn advance(&mut self, step: Step) -> Step {
        match step {
            Step::Connecting { socket, request } => match socket.take_error() {
                Ok(Some(e)) | Err(e) => self.failed(format!("connect: {e}")),
                Ok(None) => match socket.peer_addr() {
                    Ok(_) => self.advance(Step::Writing {
                        stream: socket.into(),
                        request,
                        written: 0,
                    }),
                    Err(e)
                        if e.kind() == ErrorKind::NotConnected
                            || e.kind() == ErrorKind::WouldBlock =>
                    {
                        Step::Connecting { socket, request }
                    }
                    Err(e) => self.failed(format!("connect: {e}")),
                },
            },
            Step::Writing {
                mut stream,
                request,
                mut written,
            } => {
                while written < request.len() {
                    match stream.write(&request[written..]) {
                        Ok(0) => return self.failed("the connection closed while sending"),
                        Ok(n) => written += n,
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            return Step::Writing {
                                stream,
                                request,
                                written,
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return self.failed(format!("send: {e}")),
                    }
                }
                self.advance(Step::Reading {
                    stream,
                    response: Vec::new(),
                })
            }
            Step::Reading {
                mut stream,
                mut response,
            } => {
                let mut chunk = [0u8; READ_CHUNK];
                loop {
                    match stream.read(&mut chunk) {
                        Ok(0) => return self.answer_at_close(&response),
                        Ok(n) => {
                            response.extend_from_slice(&chunk[..n]);
                            if let Some(done) = self.answer_if_complete(&response) {
                                return done;
                            }
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            return Step::Reading { stream, response }
                        }
                        Err(e) if e.kind() == ErrorKind::Interrupted => {}
                        Err(e) => return self.failed(format!("receive: {e}")),
                    }
                }
            }
            other => other,
        }
    }

    /// The outcome once the answer is complete enough: a 2xx as soon as
    /// its head is in; any other status once its body (or the first
    /// `ERROR_BODY_READ` bytes of it) is.
    fn answer_if_complete(&self, response: &[u8]) -> Option<Step> {
        let head = match Head::parse(response) {
            Ok(head) => head?,
            Err(e) => return Some(self.failed(format!("unreadable answer: {e}"))),
        };
        let body = response.len() - head.len;
        let complete = (200..300).contains(&head.status)
            || body >= ERROR_BODY_READ
            || head.content_length.is_some_and(|n| body >= n);
        complete.then(|| self.answer(&head, response))
    }

    /// The outcome of what was read when the receiver closed the
    /// connection: nothing more comes.
    fn answer_at_close(&self, response: &[u8]) -> Step {
        match Head::parse(response) {
            Ok(Some(head)) => self.answer(&head, response),
            Ok(None) => self.failed("the connection closed before an answer"),
            Err(e) => self.failed(format!("unreadable answer: {e}")),
        }
    }

    /// The outcome of an answer whose head is `head`.
    fn answer(&self, head: &Head, response: &[u8]) -> Step {
        let mut body = &response[head.len..];
        if head.chunked {
            // The first chunk's size line is framing, not text.
            body = body
                .iter()
                .position(|&b| b == b'\n')
                .map_or(body, |i| &body[i + 1..]);
        }
        let body = String::from_utf8_lossy(&body[..body.len().min(ERROR_BODY_READ)]);
        Step::Done(
            self.target
                .answer(head.status, head.retry_after.as_deref(), &body),
        )
    }
}

/// What the tracker reads from an answer's head.
struct Head {
    /// Bytes of the head, where the body starts.
    len: usize,
    status: u16,
    content_length: Option<usize>,
    chunked: bool,
    retry_after: Option<String>,
}

impl Head {
    /// The head, once all of it was read (`None` before).
    fn parse(response: &[u8]) -> Result<Option<Head>, httparse::Error> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut parsed = httparse::Response::new(&mut headers);
        let httparse::Status::Complete(len) = parsed.parse(response)? else {
            return Ok(None);
        };
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(name))
                .and_then(|h| std::str::from_utf8(h.value).ok())
        };
        Ok(Some(Head {
            len,
            status: parsed.code.unwrap_or(0),
            content_length: header("content-length").and_then(|v| v.trim().parse().ok()),
            chunked: header("transfer-encoding")
                .is_some_and(|v| v.to_ascii_lowercase().contains("chunked")),
            retry_after: header("retry-after").map(str::to_string),
        }))
    }
}

impl PolledTransport for PolledHttp {
    fn start(&mut self, _signal: Signal, payload: &Payload) {
        self.deadline = Instant::now() + self.target.timeout;
        self.step = if self.target.secure {
            Step::Done(self.target.refused("the tracker's own frame delivery speaks plain http:// only; use thread delivery for https"))
        } else {
            self.connect(self.request_bytes(payload))
        };
    }

    fn poll(&mut self) -> Option<Reply> {
        let step = std::mem::replace(&mut self.step, Step::Idle);
        let step = match self.advance(step) {
            Step::Done(outcome) => return Some(outcome),
            Step::Idle => return None,
            _ if Instant::now() >= self.deadline => return Some(self.target.timed_out()),
            waiting => waiting,
        };
        self.step = step;
        None
    }
}

/// A non-blocking connect: it is under way when this returns.
fn start_connect(address: SocketAddr) -> std::io::Result<Socket> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    match socket.connect(&address.into()) {
        Ok(()) => Ok(socket),
        Err(e) if e.kind() == ErrorKind::WouldBlock || e.raw_os_error() == Some(EINPROGRESS) => {
            Ok(socket)
        }
        Err(e) => Err(e),
    }
}

#[cfg(unix)]
const EINPROGRESS: i32 = libc::EINPROGRESS;
#[cfg(not(unix))]
const EINPROGRESS: i32 = -1;
