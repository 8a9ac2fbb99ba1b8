//! A folder served over HTTP on 127.0.0.1, as a Web export is put online:
//! each file with its type (`application/wasm` lets the browser compile
//! while it downloads), and, for a threads build, the two headers that make
//! the page cross-origin isolated (without them a browser gives it no
//! `SharedArrayBuffer`, and Godot's threads build does not start).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;

pub struct StaticSite {
    pub port: u16,
}

impl StaticSite {
    /// Serves `folder` until the process ends; `isolated` adds
    /// `Cross-Origin-Opener-Policy: same-origin` and
    /// `Cross-Origin-Embedder-Policy: require-corp`.
    pub fn serve(folder: &Path, isolated: bool) -> StaticSite {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let folder = folder.to_path_buf();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let folder = folder.clone();
                thread::spawn(move || answer(stream, &folder, isolated));
            }
        });
        StaticSite { port }
    }

    pub fn url(&self, path: &str) -> String {
        format!(
            "http://127.0.0.1:{}/{}",
            self.port,
            path.trim_start_matches('/')
        )
    }
}

fn answer(stream: TcpStream, folder: &Path, isolated: bool) {
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header.trim_end().is_empty() {
                break;
            }
        }
        let path = line.split_whitespace().nth(1).unwrap_or("/");
        let path = path
            .split(['?', '#'])
            .next()
            .unwrap_or("/")
            .trim_start_matches('/');
        let file: Option<PathBuf> = (!path.contains(".."))
            .then(|| folder.join(if path.is_empty() { "index.html" } else { path }));
        let (status, body, kind) = match file.as_deref().map(std::fs::read) {
            Some(Ok(bytes)) => ("200 OK", bytes, content_type(file.as_deref().unwrap())),
            // No favicon: an empty answer, not an error in the page's console.
            _ if path == "favicon.ico" => ("204 No Content", Vec::new(), "image/x-icon"),
            _ => ("404 Not Found", b"not found".to_vec(), "text/plain"),
        };
        let isolation = if isolated {
            "Cross-Origin-Opener-Policy: same-origin\r\nCross-Origin-Embedder-Policy: require-corp\r\n"
        } else {
            ""
        };
        let head = format!("HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n{isolation}\r\n", body.len());
        if writer
            .write_all(head.as_bytes())
            .and_then(|()| writer.write_all(&body))
            .is_err()
        {
            return;
        }
    }
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html",
        "js" => "application/javascript",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "json" => "application/json",
        "pck" => "application/octet-stream",
        _ => "application/octet-stream",
    }
}
