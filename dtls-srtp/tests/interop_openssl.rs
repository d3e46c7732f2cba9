//! Our DTLS endpoint against OpenSSL's `s_server` / `s_client` on 127.0.0.1, for each SRTP
//! profile OpenSSL supports, with and without HelloVerifyRequest, and with a 300-byte MTU
//! (fragmented flights both ways). The "EXTRACTOR-dtls_srtp" keying material must equal the
//! one OpenSSL prints byte for byte, and application data must flow both ways. Also an
//! RSA-2048 OpenSSL server (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) for our client.
//!
//! Needs the `openssl` binary (scripts/install.sh installs it); missing, the tests fail
//! with a message saying so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand_core::OsRng;
use rtcam_dtls_srtp::dtls::cert::{CertParams, Fingerprint, HashAlgorithm, Identity};
use rtcam_dtls_srtp::dtls::wire::CipherSuite;
use rtcam_dtls_srtp::dtls::{Config, Connected, Endpoint, Event, Role};
use rtcam_dtls_srtp::srtp::Profile;

const TIMEOUT: Duration = Duration::from_secs(10);

fn openssl() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let c = dir.join("openssl");
        if c.is_file() {
            return c;
        }
    }
    panic!("`openssl` was not found on PATH: run scripts/install.sh (Debian package `openssl`)");
}

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "rtcam-dtls-openssl-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An OpenSSL certificate + key in `dir`, and its SHA-256 fingerprint.
fn openssl_cert(dir: &Path, rsa: bool) -> (PathBuf, PathBuf, Fingerprint) {
    let cert = dir.join(if rsa { "rsa.crt" } else { "ec.crt" });
    let key = dir.join(if rsa { "rsa.key" } else { "ec.key" });
    let mut cmd = Command::new(openssl());
    cmd.args([
        "req",
        "-x509",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=openssl-peer",
    ]);
    if rsa {
        cmd.args(["-newkey", "rsa:2048"]);
    } else {
        cmd.args(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]);
    }
    let out = cmd
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "openssl req: {out:?}");
    let out = Command::new(openssl())
        .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
        .arg(&cert)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let hex = text.trim().rsplit('=').next().unwrap();
    let digest: Vec<u8> = hex
        .split(':')
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect();
    let fp = Fingerprint::new(HashAlgorithm::Sha256, &digest).unwrap();
    (cert, key, fp)
}

/// A child process whose output is collected in the background; killed on drop.
struct Peer {
    child: Child,
    stdin: Option<ChildStdin>,
    output: Arc<Mutex<String>>,
}

impl Peer {
    fn spawn(mut cmd: Command) -> Peer {
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let output = Arc::new(Mutex::new(String::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let out = output.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    out.lock()
                        .unwrap()
                        .push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        let stdin = child.stdin.take();
        Peer {
            child,
            stdin,
            output,
        }
    }

    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let out = self.output();
            if out.contains(needle) {
                return out;
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "OpenSSL never printed {needle:?}; output:\n{out}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn write_line(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(line.as_bytes()).unwrap();
        stdin.write_all(b"\n").unwrap();
        stdin.flush().unwrap();
    }

    /// The keying material OpenSSL printed, as bytes.
    fn keying_material(&self) -> Vec<u8> {
        let out = self.wait_for("Keying material: ");
        let line = out
            .lines()
            .find_map(|l| l.trim().strip_prefix("Keying material: "))
            .unwrap();
        (0..line.len() / 2)
            .map(|i| u8::from_str_radix(&line[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn openssl_name(p: Profile) -> &'static str {
    match p {
        Profile::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_SHA1_80",
        Profile::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_SHA1_32",
        Profile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        Profile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
    }
}

fn km_len(p: Profile) -> usize {
    2 * (p.master_key_len() + p.master_salt_len())
}

fn our_identity() -> Identity {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Identity::generate(&mut OsRng, now, &CertParams::default()).unwrap()
}

/// Drives our endpoint over a real socket until it connects; returns the Connected event.
struct Driver {
    ep: Endpoint<OsRng>,
    sock: UdpSocket,
    peer: Option<SocketAddr>,
    start: Instant,
    received: Vec<Vec<u8>>,
    events: Vec<Event>,
}

impl Driver {
    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    fn flush(&mut self) {
        let mut buf = [0u8; 1500];
        while let Some(n) = self.ep.poll_transmit(self.now(), &mut buf).unwrap() {
            if let Some(peer) = self.peer {
                self.sock.send_to(&buf[..n], peer).unwrap();
            }
        }
        while let Some(e) = self.ep.poll_event() {
            self.events.push(e);
        }
    }

    /// Runs until `done` or the timeout.
    fn run_until(&mut self, what: &str, peer: &Peer, done: &dyn Fn(&Driver) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        self.sock
            .set_read_timeout(Some(Duration::from_millis(20)))
            .unwrap();
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; events {:?}; stats {:?}; OpenSSL output:\n{}",
                self.events,
                self.ep.stats(),
                peer.output()
            );
            self.flush();
            let mut buf = [0u8; 2048];
            match self.sock.recv_from(&mut buf) {
                Ok((n, from)) => {
                    self.peer.get_or_insert(from);
                    let now = self.now();
                    let got = self.ep.handle_input(now, &mut buf[..n]);
                    let got: Vec<Vec<u8>> = got.iter().map(<[u8]>::to_vec).collect();
                    self.received.extend(got);
                }
                Err(_) => {
                    let now = self.now();
                    if self.ep.poll_timeout().is_some_and(|t| t <= now) {
                        self.ep.handle_timeout(now);
                    }
                }
            }
            self.flush();
        }
    }

    fn connected(&self) -> Option<Connected> {
        self.events.iter().find_map(|e| match e {
            Event::Connected(c) => Some(*c),
            _ => None,
        })
    }

    fn send(&mut self, data: &[u8]) {
        let mut buf = [0u8; 1500];
        let n = self.ep.send(data, &mut buf).unwrap();
        self.sock.send_to(&buf[..n], self.peer.unwrap()).unwrap();
    }

    fn got(&self, needle: &[u8]) -> bool {
        let all: Vec<u8> = self.received.concat();
        all.windows(needle.len()).any(|w| w == needle)
    }
}

/// Checks the handshake result against OpenSSL and exchanges data both ways.
fn finish(d: &mut Driver, peer: &mut Peer, profile: Profile, suite: CipherSuite) {
    d.run_until("the handshake", peer, &|d| d.connected().is_some());
    let c = d.connected().unwrap();
    assert_eq!(c.srtp_profile, profile);
    assert_eq!(c.cipher_suite, suite);
    let theirs = peer.keying_material();
    assert_eq!(theirs.len(), km_len(profile));
    assert_eq!(
        c.keying_material.as_bytes(),
        &theirs[..],
        "keying material differs from OpenSSL's"
    );
    d.send(b"hello-from-rtcam\n");
    peer.wait_for("hello-from-rtcam");
    peer.write_line("hello-from-openssl");
    d.run_until("OpenSSL's application data", peer, &|d| {
        d.got(b"hello-from-openssl")
    });
}

fn client_against_s_server(profile: Profile, listen: bool, mtu: Option<usize>, rsa: bool) {
    let dir = TempDir::new();
    let (cert, key, fp) = openssl_cert(&dir.0, rsa);
    let port = free_port();
    let suite = if rsa {
        CipherSuite::ECDHE_RSA_AES128_GCM_SHA256
    } else {
        CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256
    };
    let mut cmd = Command::new(openssl());
    cmd.args(["s_server", "-dtls1_2", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .args([
            "-cipher",
            if rsa {
                "ECDHE-RSA-AES128-GCM-SHA256"
            } else {
                "ECDHE-ECDSA-AES128-GCM-SHA256"
            },
        ])
        .args(["-use_srtp", openssl_name(profile)])
        .args(["-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen"])
        .arg(km_len(profile).to_string())
        .args(["-verify", "1", "-naccept", "1"]);
    if listen {
        cmd.arg("-listen");
    }
    if let Some(m) = mtu {
        cmd.args(["-mtu", &m.to_string()]);
    }
    let mut peer = Peer::spawn(cmd);
    peer.wait_for("ACCEPT");

    let mut config = Config::new(Role::Client, our_identity(), fp);
    if let Some(m) = mtu {
        config.mtu = m;
    }
    let start = Instant::now();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut d = Driver {
        ep: Endpoint::new(config, OsRng, Duration::ZERO).unwrap(),
        sock,
        peer: Some(SocketAddr::from(([127, 0, 0, 1], port))),
        start,
        received: Vec::new(),
        events: Vec::new(),
    };
    finish(&mut d, &mut peer, profile, suite);
}

fn s_client_against_server(profile: Profile, hello_verify: bool, mtu: Option<usize>) {
    let dir = TempDir::new();
    let (cert, key, fp) = openssl_cert(&dir.0, false);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let mut config = Config::new(Role::Server, our_identity(), fp);
    config.hello_verify = hello_verify;
    if let Some(m) = mtu {
        config.mtu = m;
    }
    let mut d = Driver {
        ep: Endpoint::new(config, OsRng, Duration::ZERO).unwrap(),
        sock,
        peer: None,
        start: Instant::now(),
        received: Vec::new(),
        events: Vec::new(),
    };
    let mut cmd = Command::new(openssl());
    cmd.args(["s_client", "-dtls1_2", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .args(["-use_srtp", openssl_name(profile)])
        .args(["-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen"])
        .arg(km_len(profile).to_string());
    if let Some(m) = mtu {
        cmd.args(["-mtu", &m.to_string()]);
    }
    let mut peer = Peer::spawn(cmd);
    finish(
        &mut d,
        &mut peer,
        profile,
        CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
    );
}

#[test]
fn our_client_with_openssl_server_every_profile() {
    for profile in Profile::ALL {
        client_against_s_server(profile, false, None, false);
    }
}

#[test]
fn our_client_with_openssl_server_hello_verify() {
    for profile in Profile::ALL {
        client_against_s_server(profile, true, None, false);
    }
}

#[test]
fn our_client_with_openssl_server_mtu_300() {
    for profile in Profile::ALL {
        client_against_s_server(profile, true, Some(300), false);
    }
}

#[test]
fn our_client_with_openssl_rsa_server() {
    client_against_s_server(Profile::Aes128CmHmacSha1_80, false, None, true);
    client_against_s_server(Profile::AeadAes128Gcm, true, Some(300), true);
}

#[test]
fn openssl_client_with_our_server_every_profile() {
    for profile in Profile::ALL {
        s_client_against_server(profile, false, None);
    }
}

#[test]
fn openssl_client_with_our_server_hello_verify() {
    for profile in Profile::ALL {
        s_client_against_server(profile, true, None);
    }
}

#[test]
fn openssl_client_with_our_server_mtu_300() {
    for profile in Profile::ALL {
        s_client_against_server(profile, true, Some(300));
    }
}
