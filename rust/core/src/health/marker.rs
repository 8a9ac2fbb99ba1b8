//! The session marker: a small file in `session_dir` that says "this session
//! is running". A clean end removes it; one still there at the next launch
//! means that session died.
//!
//! Each running game holds an exclusive lock on its own marker (released by
//! the OS however the process ends, `SIGKILL` included), so two instances
//! sharing `user://` never take each other's marker for a dead one. A marker
//! is claimed by renaming it before it is reported, so two launches never
//! report the same dead session twice.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const MARKER_EXTENSION: &str = "marker";
/// Written by the crash signal handler beside the marker (`<id>.crashed`).
pub const CRASHED_EXTENSION: &str = "crashed";

/// What the next launch needs to report this session if it dies.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub session_id: String,
    pub game: String,
    pub version: String,
    pub environment: String,
    pub started_unix_ms: u64,
    /// Refreshed about once a second: the session lived at least this long.
    pub updated_unix_ms: u64,
    pub scene: String,
    /// Sent to the background (mobile): dying now is the OS's doing.
    pub paused: bool,
    /// Oldest first, each as [`super::breadcrumbs::Crumb::to_value`] writes it.
    pub breadcrumbs: serde_json::Value,
}

/// This session's marker, locked while the session runs.
pub struct MarkerFile {
    file: File,
    path: PathBuf,
    /// Bytes written per rewrite, for the closing figures.
    pub last_size: usize,
}

impl MarkerFile {
    pub fn create(dir: &Path, session_id: &str) -> std::io::Result<MarkerFile> {
        fs::create_dir_all(dir)?;
        let path = dir.join(format!("{session_id}.{MARKER_EXTENSION}"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)?;
        file.try_lock().map_err(|e| match e {
            TryLockError::Error(e) => e,
            TryLockError::WouldBlock => std::io::Error::other("marker locked by another process"),
        })?;
        Ok(MarkerFile {
            file,
            path,
            last_size: 0,
        })
    }

    /// Rewrites the marker in place (a rename would drop the lock). A crash
    /// mid-write leaves a marker that does not parse: still reported.
    pub fn write(&mut self, marker: &Marker) -> std::io::Result<()> {
        let bytes = serde_json::to_vec(marker).map_err(std::io::Error::other)?;
        self.file.seek(SeekFrom::Start(0))?;
        self.file.write_all(&bytes)?;
        self.file.set_len(bytes.len() as u64)?;
        self.last_size = bytes.len();
        Ok(())
    }

    /// The session ended cleanly. Closed before it is deleted (Windows
    /// cannot delete an open file).
    pub fn remove(self) {
        let MarkerFile { file, path, .. } = self;
        drop(file);
        let _ = fs::remove_file(&path);
        let _ = fs::remove_file(path.with_extension(CRASHED_EXTENSION));
    }
}

/// A session that did not end: what its marker said, and whether the crash
/// handler flagged it (the signal number).
#[derive(Debug, Clone, PartialEq)]
pub struct DeadSession {
    /// From the file name: known even when the marker does not parse.
    pub session_id: String,
    pub marker: Option<Marker>,
    pub crash_signal: Option<i32>,
}

/// Markers in `dir` whose process is gone, other than `own_id`'s, each
/// claimed and deleted so no other launch reports it again.
pub fn take_dead_sessions(dir: &Path, own_id: &str) -> Vec<DeadSession> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dead = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != MARKER_EXTENSION) {
            continue;
        }
        let Some(id) = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string)
        else {
            continue;
        };
        if id == own_id {
            continue;
        }
        if let Some(session) = claim(&path, &id, own_id) {
            dead.push(session);
        }
    }
    dead.sort_by_key(|d| d.marker.as_ref().map_or(0, |m| m.started_unix_ms));
    dead
}

fn claim(path: &Path, id: &str, own_id: &str) -> Option<DeadSession> {
    let mut file = OpenOptions::new().read(true).write(true).open(path).ok()?;
    // Locked: that game is still running.
    file.try_lock().ok()?;
    let claimed = path.with_extension(format!("claimed-{own_id}"));
    // Another launch claimed it first.
    fs::rename(path, &claimed).ok()?;
    let mut text = Vec::new();
    let marker = file
        .read_to_end(&mut text)
        .ok()
        .and_then(|_| serde_json::from_slice::<Marker>(&text).ok());
    drop(file);
    let crashed = path.with_extension(CRASHED_EXTENSION);
    let crash_signal = fs::read_to_string(&crashed)
        .ok()
        .map(|s| s.trim().parse().unwrap_or(0));
    let _ = fs::remove_file(&claimed);
    let _ = fs::remove_file(&crashed);
    Some(DeadSession {
        session_id: id.to_string(),
        marker,
        crash_signal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A test's folder, removed when the test ends (passed or not).
    struct Folder(PathBuf);

    impl std::ops::Deref for Folder {
        type Target = Path;

        fn deref(&self) -> &Path {
            &self.0
        }
    }

    impl AsRef<Path> for Folder {
        fn as_ref(&self) -> &Path {
            &self.0
        }
    }

    impl Drop for Folder {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    fn dir(name: &str) -> Folder {
        let d = std::env::temp_dir().join(format!("gt-marker-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        Folder(d)
    }

    #[test]
    fn a_live_marker_is_left_alone_and_a_dead_one_reported_once() {
        let d = dir("live");
        let mut live = MarkerFile::create(&d, "live").unwrap();
        live.write(&Marker {
            session_id: "live".into(),
            ..Marker::default()
        })
        .unwrap();
        // A marker nobody holds: its process is gone.
        fs::write(
            d.join("dead.marker"),
            serde_json::to_vec(&Marker {
                session_id: "dead".into(),
                version: "1.0".into(),
                ..Marker::default()
            })
            .unwrap(),
        )
        .unwrap();
        fs::write(d.join("dead.crashed"), "11").unwrap();
        let found = take_dead_sessions(&d, "me");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].session_id.as_str(), found[0].crash_signal),
            ("dead", Some(11))
        );
        assert_eq!(found[0].marker.as_ref().unwrap().version, "1.0");
        assert!(take_dead_sessions(&d, "me").is_empty(), "reported once");
        assert!(d.join("live.marker").exists());
        live.remove();
        assert!(!d.join("live.marker").exists());
    }

    #[test]
    fn a_marker_cut_short_is_still_reported() {
        let d = dir("cut");
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("half.marker"), "{\"session_id\":\"ha").unwrap();
        let found = take_dead_sessions(&d, "me");
        assert_eq!(
            (found[0].session_id.as_str(), found[0].marker.is_none()),
            ("half", true)
        );
    }
}
