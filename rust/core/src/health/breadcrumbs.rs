//! The last N things the player's session did (log lines, spans, scene
//! changes, the game's own `add_breadcrumb`), kept on the worker and
//! attached to error-level logs and crash reports. The main thread pays
//! nothing for them: the worker already sees every event.

use std::collections::VecDeque;

use crate::model::event::Level;
use crate::model::value::{Fields, Value};

#[derive(Debug, Clone, PartialEq)]
pub struct Crumb {
    pub time_unix_nano: u64,
    /// `log`, `span`, `scene`, `app`, or the game's own.
    pub category: String,
    pub level: Option<Level>,
    pub message: String,
    pub data: Fields,
}

impl Crumb {
    /// As attached to a log line: `{time, category, [level], message, [data]}`.
    pub fn to_value(&self) -> Value {
        let mut fields = vec![
            (
                "time".to_string(),
                Value::Str(rfc3339_millis(self.time_unix_nano)),
            ),
            ("category".to_string(), Value::Str(self.category.clone())),
        ];
        if let Some(level) = self.level {
            fields.push(("level".to_string(), Value::Str(level.as_str().into())));
        }
        fields.push(("message".to_string(), Value::Str(self.message.clone())));
        if !self.data.is_empty() {
            fields.push(("data".to_string(), Value::Map(self.data.clone())));
        }
        Value::Map(fields)
    }

    pub fn from_value(v: &Value) -> Option<Crumb> {
        let Value::Map(fields) = v else { return None };
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
        let text = |k: &str| get(k).and_then(Value::as_str).map(str::to_string);
        let level = text("level").and_then(|l| Level::from_name(&l));
        Some(Crumb {
            time_unix_nano: text("time")
                .and_then(|t| parse_rfc3339_millis(&t))
                .unwrap_or(0),
            category: text("category")?,
            level,
            message: text("message").unwrap_or_default(),
            data: match get("data") {
                Some(Value::Map(d)) => d.clone(),
                _ => Fields::new(),
            },
        })
    }
}

/// Oldest first; at capacity the oldest is cut.
#[derive(Debug)]
pub struct Breadcrumbs {
    crumbs: VecDeque<Crumb>,
    capacity: usize,
}

impl Breadcrumbs {
    pub fn new(capacity: usize) -> Self {
        Breadcrumbs {
            crumbs: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Adds one without allocating once the ring is full: the oldest
    /// crumb's strings are reused. The worker calls this for every log line.
    pub fn push_text(
        &mut self,
        time_unix_nano: u64,
        category: &str,
        level: Option<Level>,
        message: &str,
    ) {
        let newest = self.crumbs.back().map_or(0, |c| c.time_unix_nano);
        if self.capacity == 0 || self.crumbs.len() < self.capacity || time_unix_nano < newest {
            let crumb = Crumb {
                time_unix_nano,
                category: category.into(),
                level,
                message: message.into(),
                data: Fields::new(),
            };
            return self.push(crumb);
        }
        let Some(mut oldest) = self.crumbs.pop_front() else {
            return;
        };
        oldest.time_unix_nano = time_unix_nano;
        oldest.category.clear();
        oldest.category.push_str(category);
        oldest.level = level;
        oldest.message.clear();
        oldest.message.push_str(message);
        oldest.data.clear();
        self.crumbs.push_back(oldest);
    }

    /// Adds one in time order: a span's start arrives when it ends, after
    /// what happened in between, so it is put back where it belongs.
    pub fn push(&mut self, crumb: Crumb) {
        if self.capacity == 0 {
            return;
        }
        let at = self
            .crumbs
            .iter()
            .rposition(|c| c.time_unix_nano <= crumb.time_unix_nano)
            .map_or(0, |i| i + 1);
        if at == 0 && self.crumbs.len() == self.capacity {
            return; // older than everything kept
        }
        self.crumbs.insert(at, crumb);
        if self.crumbs.len() > self.capacity {
            self.crumbs.pop_front();
        }
    }

    pub fn is_empty(&self) -> bool {
        self.crumbs.is_empty()
    }

    pub fn to_value(&self) -> Value {
        Value::List(self.crumbs.iter().map(Crumb::to_value).collect())
    }
}

/// `2026-12-01T02:10:00.123Z`: what Grafana and people read.
pub fn rfc3339_millis(unix_nano: u64) -> String {
    let millis = unix_nano / 1_000_000;
    let (secs, ms) = (millis / 1000, millis % 1000);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{ms:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn parse_rfc3339_millis(s: &str) -> Option<u64> {
    let n = |r: std::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let days = days_from_civil(n(0..4)?, n(5..7)?, n(8..10)?);
    let secs = days * 86_400 + n(11..13)? * 3600 + n(14..16)? * 60 + n(17..19)?;
    Some((secs * 1000 + n(20..23)?) as u64 * 1_000_000)
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (y, m, d).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crumb(t: u64, message: &str) -> Crumb {
        Crumb {
            time_unix_nano: t,
            category: "log".into(),
            level: None,
            message: message.into(),
            data: Fields::new(),
        }
    }

    #[test]
    fn keeps_the_newest_in_time_order() {
        let mut b = Breadcrumbs::new(3);
        for (t, m) in [(1, "a"), (2, "b"), (4, "d"), (3, "c"), (5, "e")] {
            b.push(crumb(t, m));
        }
        let messages: Vec<&str> = b.crumbs.iter().map(|c| c.message.as_str()).collect();
        assert_eq!(messages, ["c", "d", "e"]);
        b.push(crumb(0, "too old"));
        assert_eq!(b.crumbs.front().unwrap().message, "c");
    }

    #[test]
    fn reusing_the_oldest_keeps_the_same_order_and_cut() {
        let mut b = Breadcrumbs::new(3);
        for t in 1..=5 {
            b.push_text(t, "log", Some(Level::Info), &format!("m{t}"));
        }
        b.push_text(4, "span", None, "late start");
        let seen: Vec<(u64, &str)> = b
            .crumbs
            .iter()
            .map(|c| (c.time_unix_nano, c.message.as_str()))
            .collect();
        assert_eq!(seen, [(4, "m4"), (4, "late start"), (5, "m5")]);
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let mut b = Breadcrumbs::new(0);
        b.push(crumb(1, "a"));
        assert!(b.is_empty());
    }

    #[test]
    fn times_are_rfc3339_and_read_back() {
        // 2025-12-01T02:10:00.123Z
        let t = 1_764_555_000_123_000_000;
        assert_eq!(rfc3339_millis(t), "2025-12-01T02:10:00.123Z");
        assert_eq!(parse_rfc3339_millis(&rfc3339_millis(t)), Some(t));
        assert_eq!(rfc3339_millis(0), "1970-01-01T00:00:00.000Z");
        let c = Crumb {
            level: Some(Level::Warn),
            data: vec![("k".into(), Value::Int(1))],
            ..crumb(t, "m")
        };
        assert_eq!(Crumb::from_value(&c.to_value()), Some(c));
    }
}
