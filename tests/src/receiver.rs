//! A minimal HTTP/1.1 server on 127.0.0.1 that records each request and
//! answers with a configurable status after a configurable delay, or
//! misbehaves on purpose (see [`Fault`]). Enough HTTP for ureq:
//! Content-Length bodies and keep-alive connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    /// Lower-cased names.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub received_at: Instant,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// One scripted answer (see [`Receiver::answer_in_turn`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Option<String>,
}

impl Answer {
    pub fn new(status: u16) -> Answer {
        Answer {
            status,
            retry_after: None,
            body: None,
        }
    }

    pub fn retry_after(mut self, value: &str) -> Answer {
        self.retry_after = Some(value.into());
        self
    }

    pub fn body(mut self, body: &str) -> Answer {
        self.body = Some(body.into());
        self
    }
}

/// How the receiver misbehaves, beyond its status code and delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fault {
    /// Answers every request properly.
    #[default]
    None,
    /// Reads the headers and half the body, then closes the connection with
    /// the rest unread (the kernel answers with a reset). Nothing is recorded.
    ResetMidBody,
    /// Reads the whole request, answers bytes that are not HTTP and closes.
    /// Nothing is recorded: the client cannot know whether it was stored.
    Garbage,
}

#[derive(Default)]
struct Shared {
    fault: Mutex<Fault>,
    requests: Mutex<Vec<Request>>,
    /// Benchmarks: count requests and bytes per path, keep no bodies.
    discard: AtomicBool,
    /// Answers browsers' CORS: preflights, and the headers a page may read.
    cors: AtomicBool,
    totals: Mutex<Vec<(String, usize)>>,
    /// Each answered request's first and last moment (see [`Receiver::busy_windows`]).
    windows: Mutex<Vec<(u64, u64)>>,
    retry_after: Mutex<Option<String>>,
    error_body: Mutex<Option<String>>,
    /// Answers for the next requests to a path, one each, before `status` applies.
    script: Mutex<std::collections::HashMap<String, std::collections::VecDeque<Answer>>>,
    total_bytes: Mutex<Vec<(String, usize)>>,
    status: AtomicUsize,
    /// Bodies over this many bytes are answered 413 and not recorded, as
    /// an edge's `client_max_body_size` refuses them (0: no cap).
    max_body: AtomicUsize,
    /// How many bodies `max_body` refused.
    too_large: AtomicUsize,
    delay_ms: AtomicUsize,
    in_flight: Mutex<Vec<(String, usize)>>,
    max_in_flight: Mutex<Vec<(String, usize)>>,
    stop: AtomicBool,
    /// While true, requests are read and then wait unanswered (see [`Receiver::hold`]).
    held: Mutex<bool>,
    released: Condvar,
}

pub struct Receiver {
    pub port: u16,
    shared: Arc<Shared>,
    /// The accept loop; `None` while the receiver is down.
    acceptor: Mutex<Option<thread::JoinHandle<()>>>,
}

impl Receiver {
    /// A receiver that keeps only counts (see [`Receiver::received`]), for
    /// benchmarks that send more than memory should hold.
    pub fn start_discarding() -> Receiver {
        let r = Receiver::start();
        r.shared.discard.store(true, Ordering::SeqCst);
        r
    }

    /// Requests and body bytes received on `path` so far.
    pub fn received(&self, path: &str) -> (usize, usize) {
        let get = |l: &Mutex<Vec<(String, usize)>>| {
            l.lock()
                .unwrap()
                .iter()
                .find(|(p, _)| p == path)
                .map_or(0, |(_, n)| *n)
        };
        (get(&self.shared.totals), get(&self.shared.total_bytes))
    }

    /// When the receiver was busy with each request, in Unix microseconds:
    /// from reading its first line to writing the answer. Benchmarks match
    /// these with frame times to find the frames during which the tracker
    /// was sending.
    pub fn busy_windows(&self) -> Vec<(u64, u64)> {
        self.shared.windows.lock().unwrap().clone()
    }

    /// A receiver a Web page may send to, as Alloy's OTLP receiver with
    /// `cors` set does: it answers the preflight (`OPTIONS`, not recorded)
    /// and lets the page read `Retry-After`.
    pub fn start_with_cors() -> Receiver {
        let r = Receiver::start();
        r.shared.cors.store(true, Ordering::SeqCst);
        r
    }

    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared::default());
        shared.status.store(204, Ordering::SeqCst);
        let acceptor = Mutex::new(Some(accept_loop(listener, shared.clone())));
        Receiver {
            port,
            shared,
            acceptor,
        }
    }

    /// Closes the listening socket: connections are refused until [`Receiver::come_up`].
    pub fn go_down(&self) {
        if let Some(handle) = self.acceptor.lock().unwrap().take() {
            self.shared.stop.store(true, Ordering::SeqCst);
            // Wake the accept loop so it sees `stop` and drops the listener.
            let _ = TcpStream::connect(("127.0.0.1", self.port));
            let _ = handle.join();
        }
    }

    /// Listens again on the same port.
    pub fn come_up(&self) {
        let mut acceptor = self.acceptor.lock().unwrap();
        if acceptor.is_none() {
            self.shared.stop.store(false, Ordering::SeqCst);
            let listener =
                TcpListener::bind(("127.0.0.1", self.port)).expect("rebind the same port");
            *acceptor = Some(accept_loop(listener, self.shared.clone()));
        }
    }

    /// Misbehave as `fault` on the following requests.
    pub fn fault(&self, fault: Fault) {
        *self.shared.fault.lock().unwrap() = fault;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Requests read from now on wait, unanswered and unrecorded, until
    /// [`Receiver::release`]: a test can then tell what happened before any
    /// answer, whatever the machine's speed.
    pub fn hold(&self) {
        *self.shared.held.lock().unwrap() = true;
    }

    /// Answers the held requests, and the following ones as usual.
    pub fn release(&self) {
        *self.shared.held.lock().unwrap() = false;
        self.shared.released.notify_all();
    }

    /// Requests to `path` read and not answered yet (held or delayed).
    pub fn in_flight(&self, path: &str) -> usize {
        self.shared
            .in_flight
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| p == path)
            .map_or(0, |(_, n)| *n)
    }

    /// Status code for the following requests (default 204).
    /// Refuses bodies over `bytes` with 413, unrecorded (0: no cap).
    pub fn max_body(&self, bytes: usize) {
        self.shared.max_body.store(bytes, Ordering::SeqCst);
    }

    /// How many bodies the `max_body` cap refused.
    pub fn refused_too_large(&self) -> usize {
        self.shared.too_large.load(Ordering::SeqCst)
    }

    pub fn respond_with(&self, status: u16) {
        self.shared.status.store(status as usize, Ordering::SeqCst);
    }

    /// The next requests to `path` get these answers, one each in turn;
    /// later ones are answered as before.
    pub fn answer_in_turn(&self, path: &str, answers: &[Answer]) {
        self.shared
            .script
            .lock()
            .unwrap()
            .entry(path.to_string())
            .or_default()
            .extend(answers.iter().cloned());
    }

    /// A `Retry-After` header on the following error answers.
    pub fn retry_after(&self, value: Option<&str>) {
        *self.shared.retry_after.lock().unwrap() = value.map(str::to_string);
    }

    /// The body of the following error answers (default: two short lines).
    pub fn error_body(&self, body: &str) {
        *self.shared.error_body.lock().unwrap() = Some(body.to_string());
    }

    /// Delay before answering the following requests.
    pub fn delay(&self, d: Duration) {
        self.shared
            .delay_ms
            .store(d.as_millis() as usize, Ordering::SeqCst);
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Request> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    /// Most requests to `path` that were being answered at the same time.
    pub fn max_concurrent(&self, path: &str) -> usize {
        self.shared
            .max_in_flight
            .lock()
            .unwrap()
            .iter()
            .find(|(p, _)| p == path)
            .map_or(0, |(_, n)| *n)
    }

    /// Waits until `pred` holds for the recorded requests, at most `timeout`.
    pub fn wait_for(&self, timeout: Duration, pred: impl Fn(&[Request]) -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if pred(&self.shared.requests.lock().unwrap()) {
                return true;
            }
            thread::sleep(Duration::from_millis(10));
        }
        pred(&self.shared.requests.lock().unwrap())
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.go_down();
    }
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for stream in listener.incoming() {
            if shared.stop.load(Ordering::SeqCst) {
                break;
            }
            if let Ok(stream) = stream {
                let s = shared.clone();
                thread::spawn(move || serve(stream, s));
            }
        }
    })
}

fn adjust(list: &Mutex<Vec<(String, usize)>>, path: &str, f: impl Fn(usize) -> usize) -> usize {
    let mut l = list.lock().unwrap();
    if let Some(e) = l.iter_mut().find(|(p, _)| p == path) {
        e.1 = f(e.1);
        e.1
    } else {
        let v = f(0);
        l.push((path.to_string(), v));
        v
    }
}

/// On every answer of a CORS receiver: any page may send, and read
/// `Retry-After`.
const CORS_HEADERS: &str =
    "Access-Control-Allow-Origin: *\r\nAccess-Control-Expose-Headers: Retry-After\r\n";
/// On its preflight answers: what the tracker's requests carry.
const CORS_PREFLIGHT: &str = "Access-Control-Allow-Methods: POST\r\nAccess-Control-Allow-Headers: Content-Type, Content-Encoding, Authorization, X-Scope-OrgID, X-Prometheus-Remote-Write-Version\r\nAccess-Control-Max-Age: 600\r\n";

fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut writer = match stream.try_clone() {
        Ok(w) => w,
        Err(_) => return,
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let first_line_at = unix_micros();
        if shared.stop.load(Ordering::SeqCst) {
            // Down: kept-alive connections die with the listener.
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((n, v)) = h.split_once(':') {
                headers.push((n.trim().to_ascii_lowercase(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let cors = if shared.cors.load(Ordering::SeqCst) {
            CORS_HEADERS
        } else {
            ""
        };
        if method == "OPTIONS" && !cors.is_empty() {
            let preflight = format!(
                "HTTP/1.1 204 No Content\r\n{cors}{CORS_PREFLIGHT}Content-Length: 0\r\n\r\n"
            );
            if writer.write_all(preflight.as_bytes()).is_err() {
                return;
            }
            continue;
        }
        let fault = *shared.fault.lock().unwrap();
        if fault == Fault::ResetMidBody {
            let mut half = vec![0; len / 2];
            let _ = reader.read_exact(&mut half);
            // Dropping the socket with unread bytes makes the kernel send RST.
            return;
        }
        let mut body = vec![0; len];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if fault == Fault::Garbage {
            let _ = writer.write_all(b"\x00\x13garbage, not HTTP at all\r\n\r\n");
            return;
        }
        let now = adjust(&shared.in_flight, &path, |n| n + 1);
        adjust(&shared.max_in_flight, &path, |m| m.max(now));
        drop(
            shared
                .released
                .wait_while(shared.held.lock().unwrap(), |held| *held)
                .unwrap(),
        );
        let delay = shared.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            thread::sleep(Duration::from_millis(delay as u64));
        }
        let cap = shared.max_body.load(Ordering::SeqCst);
        if cap > 0 && body.len() > cap {
            adjust(&shared.in_flight, &path, |n| n - 1);
            shared.too_large.fetch_add(1, Ordering::SeqCst);
            let refusal = format!("HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 0\r\n{cors}Connection: keep-alive\r\n\r\n");
            if writer.write_all(refusal.as_bytes()).is_err() {
                return;
            }
            continue;
        }
        let scripted = shared
            .script
            .lock()
            .unwrap()
            .get_mut(&path)
            .and_then(|answers| answers.pop_front());
        let status = scripted
            .as_ref()
            .map_or(shared.status.load(Ordering::SeqCst), |a| {
                usize::from(a.status)
            });
        adjust(&shared.totals, &path, |n| n + 1);
        adjust(&shared.total_bytes, &path, |n| n + body.len());
        if !shared.discard.load(Ordering::Relaxed) {
            shared.requests.lock().unwrap().push(Request {
                method,
                path: path.clone(),
                headers,
                body,
                received_at: Instant::now(),
            });
        }
        adjust(&shared.in_flight, &path, |n| n - 1);
        let (error_body, retry_after) = match scripted {
            Some(answer) => (answer.body, answer.retry_after),
            None => (
                shared.error_body.lock().unwrap().clone(),
                shared.retry_after.lock().unwrap().clone(),
            ),
        };
        let body = match status {
            400.. => error_body.unwrap_or_else(|| "receiver says no\nsecond line".into()),
            _ => String::new(),
        };
        let retry_after = match (status >= 400, retry_after) {
            (true, Some(v)) => format!("Retry-After: {v}\r\n"),
            _ => String::new(),
        };
        let response = format!(
            "HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n{retry_after}{cors}Connection: keep-alive\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
        shared
            .windows
            .lock()
            .unwrap()
            .push((first_line_at, unix_micros()));
    }
}

fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

/// A server that accepts connections and never answers: what a receiver
/// behind a dead network looks like to the sender (every request times out).
pub struct BlackHole {
    pub port: u16,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
}

impl BlackHole {
    pub fn start() -> BlackHole {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let connections = Arc::new(AtomicUsize::new(0));
        let counted = connections.clone();
        thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                // Kept open and never read: the client's request hangs.
                held.extend(stream.ok());
                counted.store(held.len(), Ordering::SeqCst);
            }
        });
        BlackHole {
            port,
            stop,
            connections,
        }
    }

    /// Connections accepted (and held) so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for BlackHole {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}
