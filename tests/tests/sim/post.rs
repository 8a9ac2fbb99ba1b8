//! One HTTP/1.1 POST from a chosen loopback address (127.x.y.z), on its own
//! connection: how simulated players and attackers look like many
//! machines to the edge's per-address limits. The load generator uses
//! only `post`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::Duration;

/// What a remote-write body carries besides itself.
pub const REMOTE_WRITE: &[(&str, &str)] = &[
    ("Content-Type", "application/x-protobuf"),
    ("Content-Encoding", "snappy"),
    ("X-Prometheus-Remote-Write-Version", "0.1.0"),
];

/// The status of a POST of `body` to `path` on 127.0.0.1:`port`, sent
/// from `from`; None when the connection failed or the answer was not HTTP.
pub fn post(
    from: Ipv4Addr,
    port: u16,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Option<u16> {
    let mut stream = connect_from(from, port)?;
    let mut head = format!(
        "POST {path} HTTP/1.1\r\nHost: edge\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    std::str::from_utf8(answer.get(..answer.len().min(64))?)
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()
}

/// A connection to 127.0.0.1:`port` from `from`.
pub fn connect_from(from: Ipv4Addr, port: u16) -> Option<TcpStream> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).ok()?;
    socket.bind(&SocketAddr::from((from, 0)).into()).ok()?;
    socket
        .connect(&SocketAddr::from(([127, 0, 0, 1], port)).into())
        .ok()?;
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    Some(stream)
}
