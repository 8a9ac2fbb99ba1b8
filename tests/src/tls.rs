//! A loopback HTTPS endpoint with a fresh self-signed certificate: enough to
//! see that the sender speaks TLS and that it refuses a certificate no
//! public root vouches for (so no man in the middle can read a token).

use std::io::Read;
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::thread;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

pub struct TlsReceiver {
    pub port: u16,
    /// What each connection's handshake ended with, as the server saw it.
    outcomes: Arc<Mutex<Vec<String>>>,
}

impl TlsReceiver {
    pub fn start() -> TlsReceiver {
        let key = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
        ])
        .expect("self-signed certificate");
        let private =
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.signing_key.serialize_der()));
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(vec![key.cert.der().clone()], private)
        .expect("server config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let port = listener.local_addr().unwrap().port();
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let seen = outcomes.clone();
        // Lives until the test process ends; every connection is one handshake.
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let connection =
                    rustls::ServerConnection::new(config.clone()).expect("server connection");
                let mut tls = rustls::StreamOwned::new(connection, stream);
                let outcome = match tls.read(&mut [0u8; 1024]) {
                    Ok(_) => "handshake completed".to_string(),
                    Err(e) => e.to_string(),
                };
                seen.lock().unwrap().push(outcome);
            }
        });
        TlsReceiver { port, outcomes }
    }

    pub fn url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    pub fn outcomes(&self) -> Vec<String> {
        self.outcomes.lock().unwrap().clone()
    }
}
