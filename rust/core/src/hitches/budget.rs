//! At most `max_hitches_per_minute` hitches reported in any minute that
//! starts with one: a game that hitches every frame sends a sample.

use std::time::Duration;

use crate::clock::Instant;

const MINUTE: Duration = Duration::from_secs(60);

pub struct MinuteBudget {
    max: usize,
    window_start: Instant,
    used: usize,
}

impl MinuteBudget {
    pub fn new(max: usize, now: Instant) -> MinuteBudget {
        MinuteBudget {
            max,
            window_start: now,
            used: 0,
        }
    }

    /// Whether one more hitch may be reported now (and counts it if so).
    pub fn take(&mut self, now: Instant) -> bool {
        if now.duration_since(self.window_start) >= MINUTE {
            self.window_start = now;
            self.used = 0;
        }
        if self.used >= self.max {
            return false;
        }
        self.used += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_holds_max_then_refills() {
        let t0 = Instant::now();
        let mut budget = MinuteBudget::new(2, t0);
        assert!(budget.take(t0));
        assert!(budget.take(t0 + Duration::from_secs(10)));
        assert!(!budget.take(t0 + Duration::from_secs(59)));
        assert!(budget.take(t0 + Duration::from_secs(61)));
    }
}
