//! Warnings for the game developer. Each has a key; a key is warned about
//! once, so a bad call in `_process` or a receiver that stays down cannot
//! flood the output. Used by the worker (delivery problems, metric names,
//! the series limit) and by the engine layer (misused calls).

use std::borrow::Borrow;
use std::collections::HashSet;
use std::hash::Hash;

use crossbeam_channel::Sender;

/// Every warning starts with this, so a reader can tell the tracker's own
/// output. (The error capture skips it by how it is printed, not by this
/// text: the engine layer marks its own output.)
pub const PREFIX: &str = "GameTracker: ";

/// Which keys were already warned about. Keys are Strings on the worker;
/// the engine layer uses pairs of static names, so a misused call repeated
/// every frame costs a lookup, never an allocation.
#[derive(Debug)]
pub struct WarnOnce<K = String> {
    seen: HashSet<K>,
}

impl<K> Default for WarnOnce<K> {
    fn default() -> Self {
        WarnOnce {
            seen: HashSet::new(),
        }
    }
}

impl<K: Eq + Hash> WarnOnce<K> {
    /// True the first time `key` is seen (it is only copied then).
    pub fn first<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    {
        !self.seen.contains(key) && self.seen.insert(key.to_owned())
    }
}

impl WarnOnce<String> {
    /// Forgets every key starting with `prefix`: the next one warns again.
    pub fn forget_prefix(&mut self, prefix: &str) {
        self.seen.retain(|k| !k.starts_with(prefix));
    }
}

enum Out {
    /// To the engine layer, which prints them on the main thread (bounded:
    /// more than it can take are dropped).
    Channel(Sender<String>),
    /// Kept for [`Diagnostics::take`] (tests and tools).
    Collect(Vec<String>),
}

/// Warnings raised off the main thread, on their way to the developer.
pub struct Diagnostics {
    once: WarnOnce,
    out: Out,
}

impl Diagnostics {
    pub fn sending(to: Sender<String>) -> Self {
        Diagnostics {
            once: WarnOnce::default(),
            out: Out::Channel(to),
        }
    }

    pub fn collecting() -> Self {
        Diagnostics {
            once: WarnOnce::default(),
            out: Out::Collect(Vec::new()),
        }
    }

    /// Warns every time.
    pub fn warn(&mut self, message: String) {
        match &mut self.out {
            Out::Channel(tx) => {
                let _ = tx.try_send(format!("{PREFIX}{message}"));
            }
            Out::Collect(v) => v.push(format!("{PREFIX}{message}")),
        }
    }

    /// Warns the first time `key` is seen; `message` is only built then.
    pub fn warn_once(&mut self, key: &str, message: impl Into<String>) {
        if self.once.first(key) {
            self.warn(message.into());
        }
    }

    /// Like [`Diagnostics::warn_once`], building the message lazily.
    pub fn warn_once_with(&mut self, key: &str, message: impl FnOnce() -> String) {
        if self.once.first(key) {
            self.warn(message());
        }
    }

    pub fn forget_prefix(&mut self, prefix: &str) {
        self.once.forget_prefix(prefix);
    }

    /// What was collected since the last call (nothing when sending).
    pub fn take(&mut self) -> Vec<String> {
        match &mut self.out {
            Out::Collect(v) => std::mem::take(v),
            Out::Channel(_) => Vec::new(),
        }
    }
}
