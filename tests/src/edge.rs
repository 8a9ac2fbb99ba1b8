//! The shipped edge (`deploy/nginx/`) in a real nginx (Debian's, through
//! `scripts/provision/nginx.sh`) on loopback, in front of a loopback receiver. The
//! shipped files are used as they are; only the three that a team edits
//! are written here: `listen.conf` (a loopback port, no TLS) and
//! `backends.conf` (loopback receivers); `keys.conf` is the shipped one,
//! with its example key.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::processes::{free_port, TempDir};
use crate::repo_root;

/// The example key in `deploy/nginx/keys.conf`, and the tenant it names.
pub const SHIPPED_KEY: &str = "9f2c7a41d8e05b63a1f4c2e7d9b08a35";
pub const SHIPPED_TENANT: &str = "mygame";
/// The header the addon sends the key in (`headers` in `init`).
pub const KEY_HEADER: &str = "X-GameTracker-Key";

/// Files of `deploy/nginx/` the edge is made of, used unchanged.
const SHIPPED: &[&str] = &[
    "game_tracker_edge.conf",
    "game_tracker_write.conf",
    "keys.conf",
];

pub struct Edge {
    pub port: u16,
    child: Child,
    prefix: TempDir,
}

/// One line of the edge's access log.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Seconds since the epoch, to the millisecond.
    pub at: f64,
    pub status: u16,
    pub method: String,
    pub uri: String,
}

impl Edge {
    /// nginx with the shipped edge on a free loopback port, forwarding every
    /// signal to `backend_port`.
    pub fn start(backend_port: u16) -> Edge {
        Edge::start_with(&[
            ("logs", backend_port),
            ("metrics", backend_port),
            ("traces", backend_port),
            ("otlp", backend_port),
        ])
    }

    /// The same, each upstream of `backends.conf` (`logs`, `metrics`,
    /// `traces`, `otlp`) to its own port.
    pub fn start_with(backends: &[(&str, u16); 4]) -> Edge {
        let port = free_port();
        let prefix = TempDir::new("edge");
        let conf = prefix.0.join("conf");
        std::fs::create_dir_all(conf.join("tmp")).unwrap();
        for name in SHIPPED {
            std::fs::copy(repo_root().join("deploy/nginx").join(name), conf.join(name)).unwrap();
        }
        std::fs::write(
            conf.join("listen.conf"),
            format!("listen 127.0.0.1:{port};\n"),
        )
        .unwrap();
        let upstreams: String = backends
            .iter()
            .map(|(name, port)| {
                format!(
                    "upstream game_tracker_{name} {{ server 127.0.0.1:{port}; keepalive 16; }}\n"
                )
            })
            .collect();
        std::fs::write(conf.join("backends.conf"), upstreams).unwrap();
        std::fs::write(conf.join("nginx.conf"), main_conf(&prefix.0)).unwrap();
        let child = Command::new("bash")
            .arg(repo_root().join("scripts/provision/nginx.sh"))
            .arg("-p")
            .arg(&prefix.0)
            .arg("-c")
            .arg(conf.join("nginx.conf"))
            .arg("-e")
            .arg(prefix.0.join("error.log"))
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start nginx");
        let mut edge = Edge {
            port,
            child,
            prefix,
        };
        edge.wait_listening();
        edge
    }

    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn wait_listening(&mut self) {
        // The first run fetches the package (scripts/provision/debfetch.sh).
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited ({status}): {}", self.error_log());
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "nginx did not listen on {}: {}",
            self.port,
            self.error_log()
        );
    }

    pub fn error_log(&self) -> String {
        std::fs::read_to_string(self.prefix.0.join("error.log")).unwrap_or_default()
    }

    /// Every request nginx answered so far, in order.
    pub fn access_log(&self) -> Vec<Logged> {
        let Ok(file) = std::fs::File::open(self.prefix.0.join("access.log")) else {
            return Vec::new();
        };
        BufReader::new(file)
            .lines()
            .map_while(Result::ok)
            .filter_map(|line| {
                let mut parts = line.split(' ');
                Some(Logged {
                    at: parts.next()?.parse().ok()?,
                    status: parts.next()?.parse().ok()?,
                    method: parts.next()?.to_string(),
                    uri: parts.next()?.to_string(),
                })
            })
            .collect()
    }
}

/// The main file around the shipped one: what an unpacked nginx must be
/// told (pid, temp paths), and an access log a test can read.
fn main_conf(prefix: &Path) -> String {
    let p = |name: &str| -> PathBuf { prefix.join(name) };
    let tmp = |name: &str| prefix.join("conf/tmp").join(name).display().to_string();
    format!(
        "daemon off;\nworker_processes 1;\npid {pid};\nevents {{ worker_connections 4096; }}\nhttp {{\n\
         client_body_temp_path {body};\nproxy_temp_path {proxy};\nfastcgi_temp_path {fastcgi};\n\
         uwsgi_temp_path {uwsgi};\nscgi_temp_path {scgi};\n\
         log_format edge_test '$msec $status $request_method $uri';\naccess_log {access} edge_test;\n\
         include game_tracker_edge.conf;\n}}\n",
        pid = p("nginx.pid").display(),
        body = tmp("body"),
        proxy = tmp("proxy"),
        fastcgi = tmp("fastcgi"),
        uwsgi = tmp("uwsgi"),
        scgi = tmp("scgi"),
        access = p("access.log").display(),
    )
}

impl Drop for Edge {
    fn drop(&mut self) {
        // TERM: the master stops its workers (a KILL would leave them listening).
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
