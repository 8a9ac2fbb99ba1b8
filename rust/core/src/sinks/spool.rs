//! The offline spool: encoded batches that could not be sent this launch
//! (retry budget spent, backlog overflow, pending at quit) are kept as files
//! and sent by the next launch, oldest first.
//!
//! One file per batch, holding exactly the request body. Everything else a
//! batch needs is in its name, so no file format can go stale:
//! `<created unix ms>-<random>-<signal>-<events>.<json|json.gz|pb|pb.gz|pb.snappy>`.
//! Files are written to `*.tmp` and renamed, so a crash mid-write never
//! leaves a half batch to replay.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::encode::{BodyFormat, Payload};
use crate::stats::Signal;

/// Loki refuses entries older than `reject_old_samples_max_age` (default
/// 168 h); Tempo has no such limit but its queries look back by time too.
pub const MAX_REPLAY_AGE_LOGS_AND_TRACES: Duration = Duration::from_secs(7 * 24 * 3600);
pub use crate::config::MAX_REPLAY_AGE_METRICS;

/// One spooled batch, known from its file name.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub path: PathBuf,
    pub signal: Signal,
    pub events: u64,
    pub created_unix_ms: u64,
    pub size: u64,
}

impl Entry {
    fn parse(path: PathBuf, size: u64) -> Option<Entry> {
        let name = path.file_name()?.to_str()?;
        let stem = name.split('.').next()?;
        let mut parts = stem.split('-');
        let created_unix_ms = parts.next()?.parse().ok()?;
        let _random = parts.next()?;
        let signal_name = parts.next()?;
        let signal = Signal::ALL
            .into_iter()
            .find(|s| s.as_str() == signal_name)?;
        let events = parts.next()?.parse().ok()?;
        Some(Entry {
            path,
            signal,
            events,
            created_unix_ms,
            size,
        })
    }

    pub fn age(&self, now_unix_ms: u64) -> Duration {
        Duration::from_millis(now_unix_ms.saturating_sub(self.created_unix_ms))
    }
}

#[derive(Debug)]
pub enum SpoolError {
    /// Writing would pass `max_spool_bytes`.
    Full,
    Io(io::Error),
}

pub struct Spool {
    dir: PathBuf,
    max_bytes: u64,
    /// Bytes in the folder's batch files.
    used: u64,
    /// How many batch files the folder holds.
    files: u64,
}

impl Spool {
    /// Opens (creating) the folder and lists its batches oldest first.
    /// Unreadable names and leftover `*.tmp` files are deleted.
    pub fn open(dir: impl Into<PathBuf>, max_bytes: usize) -> io::Result<(Spool, Vec<Entry>)> {
        let dir = dir.into();
        fs::create_dir_all(&dir)?;
        let mut entries = Vec::new();
        for item in fs::read_dir(&dir)? {
            let item = item?;
            if !item.file_type()?.is_file() {
                continue;
            }
            let size = item.metadata()?.len();
            match Entry::parse(item.path(), size) {
                Some(entry) => entries.push(entry),
                None => {
                    let _ = fs::remove_file(item.path());
                }
            }
        }
        // Zero-padded creation time first: name order is age order.
        entries.sort_by(|a, b| a.path.cmp(&b.path));
        let used = entries.iter().map(|e| e.size).sum();
        let files = entries.len() as u64;
        Ok((
            Spool {
                dir,
                max_bytes: max_bytes as u64,
                used,
                files,
            },
            entries,
        ))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn used_bytes(&self) -> u64 {
        self.used
    }

    pub fn files(&self) -> u64 {
        self.files
    }

    /// Keeps one batch for the next launch.
    pub fn write(
        &mut self,
        signal: Signal,
        events: u64,
        created_unix_ms: u64,
        payload: &Payload,
    ) -> Result<(), SpoolError> {
        let size = payload.body.len() as u64;
        if self.used + size > self.max_bytes {
            return Err(SpoolError::Full);
        }
        let name = format!(
            "{created_unix_ms:013}-{:08x}-{}-{events}.{}",
            rand::random::<u32>(),
            signal.as_str(),
            payload.format.extension()
        );
        let path = self.dir.join(name);
        let tmp = path.with_extension("tmp");
        fs::write(&tmp, &payload.body)
            .and_then(|_| fs::rename(&tmp, &path))
            .map_err(|e| {
                let _ = fs::remove_file(&tmp);
                SpoolError::Io(e)
            })?;
        self.used += size;
        self.files += 1;
        Ok(())
    }

    /// The request a spooled batch was: same body, same headers (known from
    /// the file's extension, see [`BodyFormat::extension`]).
    pub fn load(&self, entry: &Entry) -> io::Result<Payload> {
        let body = fs::read(&entry.path)?;
        let name = entry.path.to_string_lossy();
        let format = BodyFormat::of_file_name(&name).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                "not a request body's file extension",
            )
        })?;
        Ok(Payload { format, body })
    }

    /// Deletes a batch that was sent, refused or is too old.
    pub fn remove(&mut self, entry: &Entry) {
        if fs::remove_file(&entry.path).is_ok() {
            self.used = self.used.saturating_sub(entry.size);
            self.files = self.files.saturating_sub(1);
        }
    }

    /// Deletes every batch (player consent withdrawn).
    pub fn clear(&mut self) {
        clear_dir(&self.dir);
        self.used = 0;
        self.files = 0;
    }
}

/// Deletes every spooled batch in `dir`, and only those: the folder may be
/// one the game also uses. A missing folder is already clear.
pub fn clear_dir(dir: impl AsRef<Path>) {
    let Ok(items) = fs::read_dir(dir) else { return };
    for item in items.flatten() {
        let path = item.path();
        let ours =
            path.extension().is_some_and(|e| e == "tmp") || Entry::parse(path.clone(), 0).is_some();
        if ours {
            let _ = fs::remove_file(path);
        }
    }
}
