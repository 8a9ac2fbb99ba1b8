//! One set of rules for every metric update, applied before the update's
//! destination is chosen: a call means the same thing whether it goes to
//! remote write, OTLP, `output_dir` or the JSON-lines file.
//!
//! - a value that is not a finite number, a negative counter increment, or a
//!   name with no usable character: the update is dropped as `invalid`;
//! - a name or label name Prometheus does not allow: sanitised (`-`, `.`, ` `
//!   and the like become `_`, a leading digit gets a `_`);
//! - a label with an empty value: left out (Prometheus treats both the same);
//! - a label named like an automatic one (`game`, `env`, `version`, the
//!   session label), `le` or `job`: renamed `exported_<name>`, as Prometheus does
//!   with `honor_labels: false`;
//! - more than [`MAX_METRIC_LABELS`] labels: the rest are ignored.
//!
//! Each distinct problem is warned about once per session.

use crate::diagnostics::Diagnostics;
use crate::model::event::{MetricKind, MetricUpdate};
use crate::stats::DropReason;

/// Labels a single metric call may carry beyond the automatic ones: each
/// label multiplies the series a metric can create.
pub const MAX_METRIC_LABELS: usize = 16;

pub fn is_valid_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with("__")
}

/// Replaces every character Prometheus does not allow with `_` and prefixes
/// a leading digit. Returns `None` when nothing usable is left.
pub fn sanitize_name(s: &str, allow_colon: bool) -> Option<String> {
    let mut out: String = s
        .trim()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || (allow_colon && c == ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.chars().all(|c| c == '_') {
        return None;
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if !allow_colon {
        // `__` prefixes are reserved for Prometheus' internal labels.
        while out.starts_with("__") {
            out.remove(0);
        }
    }
    Some(out)
}

pub struct MetricCheck {
    /// Label names the tracker sets itself, plus `le`.
    reserved_labels: Vec<String>,
}

impl MetricCheck {
    /// `automatic_labels`: the names of the labels added to every series.
    pub fn new<'a>(automatic_labels: impl IntoIterator<Item = &'a str>) -> Self {
        let mut reserved_labels: Vec<String> =
            automatic_labels.into_iter().map(str::to_string).collect();
        // `le` is the histogram's; `job` is what Prometheus and Alloy make
        // of OTLP's `service.name`: a game label must not take either.
        reserved_labels.extend(["le".to_string(), "job".to_string()]);
        MetricCheck { reserved_labels }
    }

    /// The update as every destination gets it, or why it is dropped.
    pub fn check(
        &self,
        update: MetricUpdate,
        warn: &mut Diagnostics,
    ) -> Result<MetricUpdate, DropReason> {
        if !update.value.is_finite() || update.more.iter().any(|v| !v.is_finite()) {
            warn.warn_once_with(&format!("nonfinite:{}", update.name), || {
                format!(
                    "metric '{}': value {} is not a finite number; update dropped",
                    update.name, update.value
                )
            });
            return Err(DropReason::Invalid);
        }
        if update.kind == MetricKind::Counter && update.value < 0.0 {
            warn.warn_once_with(&format!("negative:{}", update.name), || {
                format!("counter '{}': increment by {} is negative, counters only go up; update dropped", update.name, update.value)
            });
            return Err(DropReason::Invalid);
        }
        let name = match sanitize_name(&update.name, true) {
            Some(n) => n,
            None => {
                warn.warn_once_with(&format!("badname:{}", update.name), || {
                    format!(
                        "metric name '{}' has no usable characters; update dropped",
                        update.name
                    )
                });
                return Err(DropReason::Invalid);
            }
        };
        if name != update.name {
            warn.warn_once_with(&format!("name:{}", update.name), || {
                format!(
                    "metric name '{}' is not a valid Prometheus name; sent as '{name}'",
                    update.name
                )
            });
        }
        let labels = self.check_labels(&update.name, update.labels, warn);
        Ok(MetricUpdate {
            name,
            labels,
            ..update
        })
    }

    fn check_labels(
        &self,
        metric: &str,
        raw: Vec<(String, String)>,
        warn: &mut Diagnostics,
    ) -> Vec<(String, String)> {
        let mut labels: Vec<(String, String)> = Vec::with_capacity(raw.len());
        let mut taken = 0;
        for (raw_name, value) in raw {
            if taken == MAX_METRIC_LABELS {
                warn.warn_once_with(&format!("toomany:{metric}"), || {
                    format!("metric '{metric}': more than {MAX_METRIC_LABELS} labels; the rest are ignored")
                });
                break;
            }
            // An empty value is the same as no label in Prometheus.
            if value.is_empty() {
                continue;
            }
            let Some(mut label) = sanitize_name(&raw_name, false) else {
                warn.warn_once_with(&format!("badlabel:{raw_name}"), || {
                    format!("label name '{raw_name}' has no usable characters; label ignored")
                });
                continue;
            };
            if label != raw_name {
                warn.warn_once_with(&format!("label:{raw_name}"), || {
                    format!("label name '{raw_name}' is not a valid Prometheus label name; sent as '{label}'")
                });
            }
            let clashes =
                self.reserved_labels.contains(&label) || labels.iter().any(|(n, _)| *n == label);
            if clashes {
                // Same rule as Prometheus' honor_labels=false: keep both.
                let renamed = format!("exported_{label}");
                warn.warn_once_with(&format!("clash:{raw_name}"), || {
                    format!(
                        "label '{raw_name}' clashes with an automatic label; sent as '{renamed}'"
                    )
                });
                label = renamed;
            }
            match labels.iter_mut().find(|(n, _)| *n == label) {
                Some(existing) => existing.1 = value,
                None => labels.push((label, value)),
            }
            taken += 1;
        }
        labels
    }
}
