//! Starting the project-provisioned Godot and Prometheus from tests. Both
//! come from the project's own scripts (`scripts/provision/godot.sh`,
//! `scripts/provision/debfetch.sh`), never from a hand install.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::repo_root;

/// Output of one headless Godot run.
pub struct GodotRun {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl GodotRun {
    pub fn all_output(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        )
    }

    /// Lines that mean the engine or the extension misbehaved, whatever the
    /// exit code says: script errors and Rust panics.
    pub fn engine_failures(&self) -> Vec<String> {
        self.stdout
            .lines()
            .chain(self.stderr.lines())
            .filter(|l| {
                l.contains("SCRIPT ERROR") || l.contains("panicked at") || l.contains("[panic")
            })
            .map(str::to_string)
            .collect()
    }
}

/// Builds the GDExtension into `addons/game_tracker/bin` (once per process).
pub fn build_addon() {
    BUILT.get_or_init(|| {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/build.sh"))
            .status()
            .expect("run scripts/build.sh");
        assert!(status.success(), "scripts/build.sh failed");
    });
}

static BUILT: std::sync::OnceLock<()> = std::sync::OnceLock::new();

/// Keeps the library already in `addons/game_tracker/bin` (the benchmarks
/// build their own release library) instead of building the debug one.
pub fn use_prebuilt_addon() {
    let _ = BUILT.set(());
}

/// Which build of the library a project copy gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Library {
    /// The one `scripts/build.sh` put in `addons/` (debug: gdext's strict
    /// safeguards on).
    Debug,
    /// The build players run: release builds have no gdext safeguards, so
    /// what they do with misuse (calls from other threads, say) is the
    /// addon's own handling.
    Release,
}

/// A copy of `project` (its scripts, scenes and `project.godot`) under
/// `target/godot-copies/<label>`, with its own copy of the addon holding
/// `library`, and `extra` files (name, text) added, e.g. an `override.cfg`
/// with Project Settings. Made and imported once per test process.
pub fn copy_of(project: &Path, label: &str, library: Library, extra: &[(&str, String)]) -> PathBuf {
    static COPIES: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let root = repo_root();
    let copy = root.join("target/godot-copies").join(label);
    let done = COPIES.lock().unwrap_or_else(|e| e.into_inner());
    if done.contains(&copy) {
        return copy;
    }
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy).expect("create the copy");
    for entry in std::fs::read_dir(project)
        .expect("read the project")
        .flatten()
    {
        let name = entry.file_name();
        if entry.file_type().is_ok_and(|t| t.is_file()) && !name.to_string_lossy().starts_with('.')
        {
            std::fs::copy(entry.path(), copy.join(&name)).expect("copy a file");
        }
    }
    copy_addon(&copy, library);
    for (name, text) in extra {
        let path = copy.join(name);
        std::fs::create_dir_all(path.parent().expect("a file in the copy"))
            .expect("create its folder");
        std::fs::write(path, text).expect("write an extra file");
    }
    drop(done);
    import_project(&copy);
    COPIES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(copy.clone());
    copy
}

/// Puts a copy of `addons/game_tracker/` (its files and folders, `bin/`
/// holding just the host's `library`) into `project`, as a game developer
/// copies the addon into a game.
pub fn copy_addon(project: &Path, library: Library) {
    let root = repo_root();
    let built = match library {
        Library::Debug => {
            build_addon();
            root.join("addons/game_tracker/bin/libgame_tracker.so")
        }
        Library::Release => {
            let status = Command::new("cargo")
                .args([
                    "build",
                    "--release",
                    "-p",
                    "game_tracker",
                    "--manifest-path",
                ])
                .arg(root.join("Cargo.toml"))
                .status()
                .expect("run cargo build --release");
            assert!(status.success(), "release build failed");
            root.join("target/release/libgame_tracker.so")
        }
    };
    let addon = project.join("addons/game_tracker");
    copy_tree(&root.join("addons/game_tracker"), &addon, &["bin"]);
    std::fs::create_dir_all(addon.join("bin")).expect("create bin/");
    std::fs::copy(built, addon.join("bin/libgame_tracker.so")).expect("copy the library");
}

/// Copies `from` into `to` recursively, leaving out hidden entries and the
/// top-level names in `skip`.
fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("create a folder");
    for entry in std::fs::read_dir(from).expect("read a folder").flatten() {
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with('.') || skip.contains(&text.as_ref()) {
            continue;
        }
        match entry.file_type() {
            Ok(t) if t.is_dir() => copy_tree(&entry.path(), &to.join(&name), &[]),
            Ok(_) => {
                std::fs::copy(entry.path(), to.join(&name)).expect("copy a file");
            }
            Err(e) => panic!("{}: {e}", entry.path().display()),
        }
    }
}

/// Runs `scripts/provision/godot.sh <args>` in `project`, killing it after `timeout`.
pub fn run_godot(
    project: &Path,
    args: &[&str],
    env: &[(&str, String)],
    timeout: Duration,
) -> GodotRun {
    let output = wait_with_timeout(spawn_godot(project, args, env), timeout);
    GodotRun {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs Godot with a display and OpenGL (`scripts/provision/xvfb.sh`, Mesa's
/// software renderer): for tests that look at pixels.
pub fn run_godot_on_display(
    project: &Path,
    args: &[&str],
    env: &[(&str, String)],
    timeout: Duration,
) -> GodotRun {
    let launcher = [
        repo_root()
            .join("scripts/provision/xvfb.sh")
            .display()
            .to_string(),
        "bash".into(),
    ];
    let mut cmd = godot_command(
        &launcher,
        &["--rendering-driver", "opengl3"],
        project,
        args,
        env,
    );
    let output = wait_with_timeout(
        cmd.spawn().expect("start scripts/provision/xvfb.sh"),
        timeout,
    );
    GodotRun {
        status: output.status,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Starts `scripts/provision/godot.sh --headless --path <project> <args>` with piped
/// output. `godot.sh` execs Godot, so the child's pid is Godot's.
pub fn spawn_godot(project: &Path, args: &[&str], env: &[(&str, String)]) -> Child {
    godot_command(&[], &["--headless"], project, args, env)
        .spawn()
        .expect("start scripts/provision/godot.sh")
}

/// `bash <launcher…> scripts/provision/godot.sh <options> --path <project> <args>`
/// with piped output and `env`, the addon built first.
fn godot_command(
    launcher: &[String],
    options: &[&str],
    project: &Path,
    args: &[&str],
    env: &[(&str, String)],
) -> Command {
    build_addon();
    let mut cmd = Command::new("bash");
    own_group(&mut cmd);
    cmd.args(launcher)
        .arg(repo_root().join("scripts/provision/godot.sh"))
        .args(options)
        .arg("--path")
        .arg(project)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// Imports a project once per test process (`scripts/provision/import_project.sh`).
pub fn import_project(project: &Path) {
    static IMPORTED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
    let mut done = IMPORTED.lock().unwrap_or_else(|e| e.into_inner());
    if done.iter().any(|p| p == project) {
        return;
    }
    build_addon();
    let output = Command::new("bash")
        .arg(repo_root().join("scripts/provision/import_project.sh"))
        .arg(project)
        .output()
        .expect("run scripts/provision/import_project.sh");
    assert!(
        output.status.success(),
        "importing {} failed:\n{}{}",
        project.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    done.push(project.to_path_buf());
}

/// Waits for `child`, killing it after `timeout`. A child started in a
/// process group of its own (`own_group`) has the whole group killed: a
/// launcher script's Godot would otherwise outlive it, holding the output
/// pipes open, and the wait would never end.
pub fn wait_with_timeout(mut child: Child, timeout: Duration) -> Output {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = Command::new("kill")
                    .args(["-KILL", "--", &format!("-{}", child.id())])
                    .stderr(Stdio::null())
                    .status();
                let _ = child.kill();
                break;
            }
        }
    }
    child.wait_with_output().expect("collect child output")
}

/// `command` starts in a process group of its own, which
/// [`wait_with_timeout`] kills whole. Unix only: elsewhere (the core's tests
/// under Wine use this crate, never this function) it is left as it is.
pub fn own_group(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// PromQL over a server's HTTP API (`/api/v1/query`).
pub trait PromQl {
    fn port(&self) -> u16;

    /// Instant PromQL query; returns `data.result`.
    fn query(&self, promql: &str) -> Vec<serde_json::Value> {
        let url = format!("http://127.0.0.1:{}/api/v1/query", self.port());
        let mut resp = ureq::get(&url)
            .query("query", promql)
            .call()
            .expect("query the server");
        let body: serde_json::Value =
            serde_json::from_str(&resp.body_mut().read_to_string().unwrap()).unwrap();
        assert_eq!(body["status"], "success", "query {promql} failed: {body}");
        body["data"]["result"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The value of an instant query's first result, if it has one.
    fn first_value(&self, promql: &str) -> Option<f64> {
        self.query(promql)
            .first()
            .and_then(|r| r["value"][1].as_str()?.parse().ok())
    }

    /// A sample of the server's own metrics (`/metrics`) without labels,
    /// e.g. `process_resident_memory_bytes`.
    fn own_metric(&self, name: &str) -> Option<f64> {
        let url = format!("http://127.0.0.1:{}/metrics", self.port());
        let text = ureq::get(&url)
            .call()
            .ok()?
            .body_mut()
            .read_to_string()
            .ok()?;
        text.lines().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(' '))
                .and_then(|v| v.trim().parse().ok())
        })
    }
}

/// Waits for `url` to answer 200.
fn wait_ready(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if ureq::get(url).call().is_ok_and(|r| r.status() == 200) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{what} did not become ready at {url}");
}

/// A Prometheus 3 server (Debian unstable's package, fetched by
/// `scripts/provision/debfetch.sh`) on 127.0.0.1 with the remote-write receiver on;
/// killed on drop. (Debian builds it without the OTLP receiver.)
pub struct Prometheus(Server);

impl Prometheus {
    pub fn start() -> Prometheus {
        Prometheus::start_on(free_port())
    }

    /// On `port`, chosen before it starts: a sender may already be failing
    /// to reach it (a receiver that comes back).
    pub fn start_on(port: u16) -> Prometheus {
        Prometheus(Server::start(
            &prometheus_binary(),
            "prometheus",
            "/-/ready",
            port,
            |port, data| {
                let config = data.join("prometheus.yml");
                std::fs::write(&config, PROMETHEUS_CONFIG).unwrap();
                vec![
                    format!("--config.file={}", config.display()),
                    format!("--storage.tsdb.path={}", data.join("tsdb").display()),
                    format!("--web.listen-address=127.0.0.1:{port}"),
                    "--web.enable-remote-write-receiver".into(),
                ]
            },
        ))
    }

    /// As `deploy/prometheus/` ships it: its `prometheus.yml` and every
    /// flag of its `flags` file, the listen address moved to a free
    /// loopback port.
    pub fn shipped() -> Prometheus {
        let deploy = repo_root().join("deploy/prometheus");
        let flags = shipped_flags(&deploy.join("flags"));
        Prometheus(Server::start(
            &prometheus_binary(),
            "prometheus-shipped",
            "/-/ready",
            free_port(),
            |port, data| {
                let mut args: Vec<String> = flags
                    .into_iter()
                    .filter(|f| !f.starts_with("--web.listen-address="))
                    .collect();
                args.push(format!("--web.listen-address=127.0.0.1:{port}"));
                args.push(format!(
                    "--config.file={}",
                    deploy.join("prometheus.yml").display()
                ));
                args.push(format!(
                    "--storage.tsdb.path={}",
                    data.join("tsdb").display()
                ));
                args
            },
        ))
    }

    pub fn write_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/write", self.0.port)
    }
}

/// The flags of a `deploy/*/flags` file: one a line, `#` comments.
pub fn shipped_flags(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

impl PromQl for Prometheus {
    fn port(&self) -> u16 {
        self.0.port
    }
}

pub const PROMETHEUS_CONFIG: &str = "global:\n  scrape_interval: 1h\n";

/// VictoriaMetrics (Debian unstable's package) on 127.0.0.1: the receiver
/// here that interprets OTLP metrics and answers PromQL. Configured as the
/// docs/backends.md tells users: Prometheus naming, and the resource attributes
/// `game`, `env`, `version`, `instance` promoted to labels. Killed on drop.
pub struct VictoriaMetrics(Server);

impl VictoriaMetrics {
    pub fn start() -> VictoriaMetrics {
        let binary = debian_unstable_binary("victoria-metrics", "victoria-metrics");
        VictoriaMetrics(Server::start_any_port(
            &binary,
            "victoria-metrics",
            "/health",
            |port, data| {
                let mut args = vec![
                    format!("-storageDataPath={}", data.display()),
                    format!("-httpListenAddr=127.0.0.1:{port}"),
                ];
                args.extend(VICTORIA_METRICS_OTLP_FLAGS.iter().map(|f| f.to_string()));
                // Answer queries with samples that just arrived (default: 30 s behind).
                args.push("-search.latencyOffset=0s".into());
                args
            },
        ))
    }

    /// As `deploy/victoriametrics/` ships it: every flag of its `flags`
    /// file, the relabelling and (with `aggregation`) the stream
    /// aggregation, whose `interval: 1m` becomes the one given (a test
    /// waits seconds, not minutes, for the sums). Without `aggregation`,
    /// the same without the aggregation tier: what it saves, compared.
    pub fn shipped(aggregation: Option<&str>) -> VictoriaMetrics {
        VictoriaMetrics::shipped_with(aggregation, &[])
    }

    /// `shipped`, with `overrides` (`-flag=value`) in place of the shipped
    /// flags of the same names.
    pub fn shipped_with(aggregation: Option<&str>, overrides: &[&str]) -> VictoriaMetrics {
        let deploy = repo_root().join("deploy/victoriametrics");
        let name_of = |flag: &str| flag.split('=').next().unwrap_or("").to_string();
        let mut flags: Vec<String> = shipped_flags(&deploy.join("flags"))
            .into_iter()
            .filter(|f| !overrides.iter().any(|o| name_of(o) == name_of(f)))
            .collect();
        flags.extend(overrides.iter().map(|o| o.to_string()));
        let binary = debian_unstable_binary("victoria-metrics", "victoria-metrics");
        VictoriaMetrics(Server::start_any_port(
            &binary,
            "victoria-metrics-shipped",
            "/health",
            |port, data| {
                let mut args = vec![
                    format!("-storageDataPath={}", data.display()),
                    format!("-httpListenAddr=127.0.0.1:{port}"),
                ];
                for flag in flags {
                    if let Some(file) = flag.strip_prefix("-relabelConfig=") {
                        args.push(format!("-relabelConfig={}", deploy.join(file).display()));
                    } else if let Some(file) = flag.strip_prefix("-streamAggr.config=") {
                        let Some(interval) = aggregation else {
                            continue;
                        };
                        let text = std::fs::read_to_string(deploy.join(file)).unwrap();
                        assert!(text.contains("interval: 1m"), "stream_aggr.yaml's interval");
                        let copy = data.join("stream_aggr.yaml");
                        std::fs::write(
                            &copy,
                            text.replace("interval: 1m", &format!("interval: {interval}")),
                        )
                        .unwrap();
                        args.push(format!("-streamAggr.config={}", copy.display()));
                    } else {
                        args.push(flag);
                    }
                }
                args.push("-search.latencyOffset=0s".into());
                args
            },
        ))
    }

    pub fn write_url(&self) -> String {
        format!("http://127.0.0.1:{}/api/v1/write", self.0.port)
    }

    /// Its OTLP/HTTP metrics receiver (protobuf only).
    pub fn otlp_metrics_url(&self) -> String {
        format!("http://127.0.0.1:{}/opentelemetry/v1/metrics", self.0.port)
    }
}

impl PromQl for VictoriaMetrics {
    fn port(&self) -> u16 {
        self.0.port
    }
}

/// A server process on a free loopback port with its own data folder;
/// killed on drop.
struct Server {
    child: Child,
    port: u16,
    _data: TempDir,
}

impl Server {
    /// Starts `binary` with the arguments `args(port, data folder)` gives and
    /// waits until `ready_path` answers 200.
    fn start(
        binary: &Path,
        name: &str,
        ready_path: &str,
        port: u16,
        args: impl FnOnce(u16, &Path) -> Vec<String>,
    ) -> Server {
        let data = TempDir::new(name);
        let child = Command::new(binary)
            .args(args(port, &data.0))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("start {name}: {e}"));
        let server = Server {
            child,
            port,
            _data: data,
        };
        wait_ready(&format!("http://127.0.0.1:{port}{ready_path}"), name);
        server
    }
}

impl Server {
    fn start_any_port(
        binary: &Path,
        name: &str,
        ready_path: &str,
        args: impl FnOnce(u16, &Path) -> Vec<String>,
    ) -> Server {
        Server::start(binary, name, ready_path, free_port(), args)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The flags docs/backends.md gives for VictoriaMetrics receiving OTLP metrics.
pub const VICTORIA_METRICS_OTLP_FLAGS: &[&str] = &[
    "-opentelemetry.usePrometheusNaming",
    "-opentelemetry.promoteAllResourceAttributes=false",
    "-opentelemetry.promoteResourceAttributes=game,env,version,instance",
    "-opentelemetry.promoteScopeMetadata=false",
];

pub fn prometheus_binary() -> PathBuf {
    match std::env::var("PROMETHEUS") {
        Ok(p) => PathBuf::from(p),
        Err(_) => debian_unstable_binary("prometheus", "prometheus"),
    }
}

/// `/usr/bin/<binary>` of Debian unstable's `package`, fetched once per test
/// process into `.cache/<package>-unstable` (two tests must not run apt in
/// one folder at once).
pub fn debian_unstable_binary(package: &str, binary: &str) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _one_at_a_time = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let cache = repo_root().join(format!(".cache/{package}-unstable"));
    let status = Command::new("bash")
        .arg(repo_root().join("scripts/provision/debfetch.sh"))
        .args(["unstable"])
        .arg(&cache)
        .arg(package)
        .status()
        .expect("run scripts/provision/debfetch.sh");
    assert!(
        status.success(),
        "fetching Debian unstable's {package} package failed"
    );
    cache.join("root/usr/bin").join(binary)
}

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "game_tracker_{tag}_{}_{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
