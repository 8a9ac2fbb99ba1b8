//! A receiver as a polled HTTP transport sees it: the URL split into what a
//! client connects with, every header a request carries, and what an answer
//! means. Frame delivery's transports start from it: the core's own
//! (`polled_http.rs`, native) and the one the engine layer gives
//! ([`MakePolledHttp`]: Godot's `HTTPClient`, which is the browser's fetch on
//! the Web). So a request says the same on every platform, and header values
//! and URL passwords stay out of errors on all of them.

use std::time::Duration;

use base64::Engine;

use crate::config::{Config, Destination};
use crate::encode::Payload;
use crate::redact::without_userinfo;
use crate::stats::Signal;
use crate::transport::{redacted, reply_of, PolledTransport, Reply};

/// Makes the polled HTTP transport of one lane; the engine layer gives its
/// own (`Lifecycle::with_polled_http`). Called on the thread that starts the
/// tracker, which in frame delivery is the one that polls it.
pub type MakePolledHttp = fn(HttpTarget) -> Box<dyn PolledTransport>;

#[derive(Debug, Clone, PartialEq)]
pub struct HttpTarget {
    /// `https://`.
    pub secure: bool,
    /// The host name or address, IPv6 without its brackets.
    pub host: String,
    pub port: u16,
    /// `host:port` as the URL writes the host: the `Host` header.
    pub authority: String,
    /// `/path?query`.
    pub path: String,
    /// The URL as errors show it: without `user:password@`.
    pub shown_url: String,
    pub timeout: Duration,
    /// OTLP/HTTP's retry rules rather than Loki's and remote write's.
    pub otlp: bool,
    /// The configured headers (`headers`): tokens, tenants.
    headers: Vec<(String, String)>,
    /// `Basic …` from the URL's `user:password@`, as ureq sends it.
    basic_auth: Option<String>,
}

impl HttpTarget {
    /// `url` is an `http://` or `https://` URL (the config checked it).
    pub fn new(
        url: &str,
        headers: Vec<(String, String)>,
        timeout: Duration,
        otlp: bool,
    ) -> Result<HttpTarget, String> {
        let shown_url = without_userinfo(url);
        let (secure, rest) = match (url.strip_prefix("http://"), url.strip_prefix("https://")) {
            (Some(rest), _) => (false, rest),
            (_, Some(rest)) => (true, rest),
            _ => return Err(format!("{shown_url} : not an http:// or https:// URL")),
        };
        let (authority, path) = rest
            .find(['/', '?'])
            .map_or((rest, "/"), |i| (&rest[..i], &rest[i..]));
        let (userinfo, authority) = match authority.rsplit_once('@') {
            Some((userinfo, host)) => (Some(userinfo), host),
            None => (None, authority),
        };
        let (host, port) = split_host_port(authority)
            .ok_or_else(|| format!("{shown_url} : no host, or a bad port"))?;
        let port = port.unwrap_or(if secure { 443 } else { 80 });
        let written_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host.to_string()
        };
        Ok(HttpTarget {
            secure,
            host: host.to_string(),
            port,
            authority: format!("{written_host}:{port}"),
            path: if path.starts_with('?') {
                format!("/{path}")
            } else {
                path.to_string()
            },
            shown_url,
            timeout,
            otlp,
            headers,
            basic_auth: userinfo.map(|u| {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(u)
                )
            }),
        })
    }

    /// The receiver `signal` goes to in `config`, if it is a URL.
    pub fn for_signal(config: &Config, signal: Signal) -> Option<Result<HttpTarget, String>> {
        match config.destination(signal) {
            Destination::Url(url) => Some(HttpTarget::new(
                url,
                config.headers.clone(),
                config.request_timeout,
                config.speaks_otlp(signal),
            )),
            _ => None,
        }
    }

    /// The URL a request goes to: without `user:password@` (those go as
    /// `Authorization`, [`HttpTarget::request_headers`]).
    pub fn request_url(&self) -> String {
        let scheme = if self.secure { "https" } else { "http" };
        format!("{scheme}://{}{}", self.authority, self.path)
    }

    /// Every header of a request carrying `payload`, but those the client
    /// writes itself (`Host`, `Content-Length`, `User-Agent`): its format's,
    /// the URL's credentials, then the configured ones.
    pub fn request_headers(&self, payload: &Payload) -> Vec<(String, String)> {
        let mut all = vec![(
            "Content-Type".to_string(),
            payload.content_type().to_string(),
        )];
        if let Some(encoding) = payload.content_encoding() {
            all.push(("Content-Encoding".into(), encoding.to_string()));
        }
        all.extend(
            payload
                .protocol_headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        if let Some(basic) = &self.basic_auth {
            all.push(("Authorization".into(), basic.clone()));
        }
        all.extend(self.headers.iter().cloned());
        all
    }

    /// The outcome of an answer: `retry_after` is its `Retry-After` header,
    /// `body` the start of its body.
    pub fn answer(&self, status: u16, retry_after: Option<&str>, body: &str) -> Reply {
        self.redacted(reply_of(
            status,
            retry_after,
            body,
            &self.shown_url,
            self.otlp,
        ))
    }

    /// A request that got no answer: worth sending again.
    pub fn failed(&self, what: impl std::fmt::Display) -> Reply {
        self.redacted(Reply::Failed {
            message: format!("{} : {what}", self.shown_url),
            retry_after: None,
        })
    }

    pub fn timed_out(&self) -> Reply {
        self.failed(format!("timed out after {:?}", self.timeout))
    }

    /// A request this transport can never make: sending again cannot help.
    pub fn refused(&self, why: impl std::fmt::Display) -> Reply {
        Reply::Rejected(format!("{} : {why}", self.shown_url))
    }

    fn redacted(&self, outcome: Reply) -> Reply {
        redacted(outcome, &self.headers)
    }
}

/// `host[:port]` or `[v6][:port]`: the bare host and the port if written.
fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (host, after) = v6.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return None;
    }
    match port {
        None | Some("") => Some((host, None)),
        Some(port) => port.parse().ok().map(|p| (host, Some(p))),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::HttpTarget;

    fn target(url: &str) -> HttpTarget {
        HttpTarget::new(url, vec![], Duration::from_secs(1), false).unwrap()
    }

    #[test]
    fn urls_split_into_what_a_client_connects_with() {
        let t = target("http://127.0.0.1:3100/loki/api/v1/push");
        assert_eq!(
            (
                t.secure,
                t.host.as_str(),
                t.port,
                t.authority.as_str(),
                t.path.as_str()
            ),
            (
                false,
                "127.0.0.1",
                3100,
                "127.0.0.1:3100",
                "/loki/api/v1/push"
            )
        );
        let t = target("https://alloy.example");
        assert_eq!(
            (t.secure, t.port, t.authority.as_str(), t.path.as_str()),
            (true, 443, "alloy.example:443", "/")
        );
        assert_eq!(target("http://h:1?x=1").path, "/?x=1");
        let t = target("http://[::1]:4318/v1/logs");
        assert_eq!(
            (t.host.as_str(), t.port, t.authority.as_str()),
            ("::1", 4318, "[::1]:4318")
        );
        let t = target("http://u:p@h:9/p");
        assert_eq!(
            (t.host.as_str(), t.shown_url.as_str()),
            ("h", "http://h:9/p")
        );
        assert!(HttpTarget::new("http://h:99999/", vec![], Duration::ZERO, false).is_err());
        assert!(HttpTarget::new("ftp://h/", vec![], Duration::ZERO, false).is_err());
    }
}
