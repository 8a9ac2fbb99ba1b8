//! Headless Chromium for the Web's tests and benchmarks: Debian's, fetched
//! by `scripts/provision/chromium.sh`, driven by `scripts/checks/web_browser.py` (the
//! DevTools protocol: every console line of the page and its workers as a
//! JSON line), on the Web files as an export places them beside its page.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value as Json;

use crate::repo_root;

/// A script's printed path, run once per process.
fn provisioned(script: &str, cell: &'static OnceLock<PathBuf>) -> PathBuf {
    cell.get_or_init(|| {
        let out = Command::new("bash")
            .arg(repo_root().join(script))
            .output()
            .expect(script);
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
    })
    .clone()
}

pub fn chromium() -> PathBuf {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    provisioned("scripts/provision/chromium.sh", &CELL)
}

fn driver_python() -> PathBuf {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    provisioned("scripts/provision/web_python.sh", &CELL)
}

/// `target/<name>`: the Web files as an export places them beside its page
/// (the glue, the worker's script, the module with its loader) and
/// `pages`, files of `tests/web/`.
pub fn web_site(name: &str, pages: &[&str]) -> PathBuf {
    let root = repo_root();
    let site = root.join("target").join(name);
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&site).unwrap();
    let addon = root.join("addons/game_tracker/web");
    let module = root.join("addons/game_tracker/bin/web");
    let files = [
        (&addon, "game_tracker_page.js"),
        (&addon, "game_tracker_worker.js"),
        (&module, "game_tracker_web.js"),
        (&module, "game_tracker_web_bg.wasm"),
    ];
    let tests = root.join("tests/web");
    for (folder, file) in files.into_iter().chain(pages.iter().map(|p| (&tests, *p))) {
        std::fs::copy(folder.join(file), site.join(file)).unwrap_or_else(|e| {
            panic!("{file}: {e} (scripts/build.sh --release --target web builds the module)")
        });
    }
    site
}

/// Starts headless Chromium on `url`: it runs until the console says
/// `until` (at most `timeout_s`), then leaves the page (its pagehide) and
/// lingers 5 s. The running driver's stdout is the console.
pub fn start_browser(url: &str, until: &str, timeout_s: u32, screenshot: Option<&Path>) -> Child {
    let mut command = Command::new(driver_python());
    command
        .arg(repo_root().join("scripts/checks/web_browser.py"))
        .arg("--chromium")
        .arg(chromium())
        .args([
            "--url",
            url,
            "--until",
            until,
            "--timeout",
            &timeout_s.to_string(),
            "--linger",
            "5",
        ]);
    if let Some(screenshot) = screenshot {
        command.arg("--screenshot").arg(screenshot);
    }
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start scripts/checks/web_browser.py")
}

/// One console entry as `"level": text`, with where it came from when the
/// driver gave a stack (errors and warnings).
pub fn console_line(entry: &Json) -> String {
    let stack = entry["stack"].as_array().map(|frames| {
        frames
            .iter()
            .filter_map(Json::as_str)
            .map(|f| format!("\n    at {f}"))
            .collect::<String>()
    });
    format!(
        "{}: {}{}",
        entry["level"],
        entry["text"],
        stack.unwrap_or_default()
    )
}

/// The driver's console lines, once it ended; panics if its `until` never
/// came.
pub fn console_of(driver: Child) -> Vec<Json> {
    let output = driver.wait_with_output().expect("the browser driver");
    let console: Vec<Json> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let text: Vec<String> = console.iter().map(console_line).collect();
    assert!(
        output.status.success(),
        "the page never finished:\n{}\n{}",
        text.join("\n"),
        String::from_utf8_lossy(&output.stderr)
    );
    console
}
