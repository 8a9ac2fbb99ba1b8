//! When a failed request is sent again, and how soon, by each protocol's
//! rules: connection errors, timeouts, 429 and 5xx are retried (OTLP/HTTP:
//! only 429, 502, 503 and 504); other answers never are. The wait grows
//! exponentially with jitter, unless the receiver says how long (Retry-After).

use std::time::Duration;

use crate::clock::{SystemTime, UNIX_EPOCH};

use rand::Rng;

/// First wait after a failure: long enough not to hammer a receiver that
/// just fell over, short enough that a blip costs a second of delay.
pub const INITIAL_BACKOFF: Duration = Duration::from_secs(1);
/// Longest wait between attempts without a Retry-After: a receiver back up
/// is noticed within half a minute.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// A Retry-After longer than this is cut to it, so one answer cannot park a
/// signal for hours (batches still expire after `max_retry_age`).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// Whether a request answered with `status` may succeed if sent again.
pub fn retryable_status(otlp: bool, status: u16) -> bool {
    if otlp {
        // OTLP/HTTP spec: "retryable" responses are exactly these.
        matches!(status, 429 | 502 | 503 | 504)
    } else {
        // Loki and remote write: throttling and server errors.
        status == 429 || (500..600).contains(&status)
    }
}

/// A Retry-After value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        // httpdate speaks std's clock, which the Web's `now` is not: both as
        // time since the epoch.
        Err(_) => {
            let at = httpdate::parse_http_date(value)
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?;
            at.saturating_sub(now.duration_since(UNIX_EPOCH).ok()?)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Wait before attempt number `failures + 1`: exponential from
/// `INITIAL_BACKOFF`, capped at `MAX_BACKOFF`, with "equal jitter" (half
/// fixed, half random) so many games that lost the same receiver do not
/// all come back at the same instant.
pub fn backoff(failures: u32, rng: &mut impl Rng) -> Duration {
    let exponent = failures.saturating_sub(1).min(16);
    let full = INITIAL_BACKOFF
        .saturating_mul(1 << exponent)
        .min(MAX_BACKOFF);
    full / 2 + full.mul_f64(rng.random::<f64>() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_retried_by_each_protocol_rules() {
        const LOKI_OR_REMOTE_WRITE: bool = false;
        const OTLP: bool = true;
        for s in [429, 500, 502, 503, 504, 599] {
            assert!(retryable_status(LOKI_OR_REMOTE_WRITE, s), "{s}");
        }
        for s in [429, 502, 503, 504] {
            assert!(retryable_status(OTLP, s), "{s}");
        }
        for s in [500, 501, 505] {
            assert!(!retryable_status(OTLP, s), "OTLP does not retry {s}");
        }
        for s in [400, 401, 403, 404, 413, 422] {
            for protocol in [LOKI_OR_REMOTE_WRITE, OTLP] {
                assert!(!retryable_status(protocol, s), "{protocol} {s}");
            }
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_an_http_date() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO),
            "a date in the past: now"
        );
        assert_eq!(parse_retry_after("86400", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_up_to_the_cap() {
        let mut rng = rand::rng();
        for _ in 0..100 {
            let first = backoff(1, &mut rng);
            assert!(
                first >= INITIAL_BACKOFF / 2 && first <= INITIAL_BACKOFF,
                "{first:?}"
            );
            let third = backoff(3, &mut rng);
            assert!(
                third >= Duration::from_secs(2) && third <= Duration::from_secs(4),
                "{third:?}"
            );
            let late = backoff(40, &mut rng);
            assert!(late >= MAX_BACKOFF / 2 && late <= MAX_BACKOFF, "{late:?}");
        }
    }
}
