//! Shared test harness: a loopback HTTP receiver that records every request,
//! decoders for what it received, and launchers for the project-provisioned Godot and Prometheus.

pub mod browser;
pub mod decode;
pub mod demo;
pub mod edge;
pub mod picture;
pub mod processes;
pub mod receiver;
pub mod sqlite;
pub mod static_site;
pub mod tls;

use std::path::PathBuf;

/// The repository root (this crate lives in `<root>/tests`).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Waits until `check` holds, at most `timeout` (a server makes what it
/// received searchable within seconds); panics naming `what` if it never does.
pub fn eventually(what: &str, timeout: std::time::Duration, check: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("{what}: not within {timeout:?}");
}
