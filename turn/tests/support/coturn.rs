//! coturn's `turnserver` as the TURN server under test, on loopback ports of its own.

use std::collections::HashSet;
use std::fs::{self, File};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use rand_core::{OsRng, RngCore};
use rustls::ClientConfig;

use super::tls::{TestCa, TlsStream};
use super::{ChildGuard, IO_TIMEOUT, TempDir, V4, V6, free_port, require_tool, tail, udp_binding};

/// The realm coturn is started with, in both modes.
pub(crate) const REALM: &str = "kvs.test";
/// The long-term credential user ([`Auth::LongTerm`]).
pub(crate) const LT_USER: &str = "testuser";
/// The long-term credential password ([`Auth::LongTerm`]).
pub(crate) const LT_PASS: &str = "testpass";
/// A shared secret for [`Auth::Rest`] (the interop kit's default).
pub(crate) const REST_SECRET: &str = "kvs-shared-secret";

/// How coturn authenticates TURN requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `--lt-cred-mech --user=testuser:testpass` ([`LT_USER`], [`LT_PASS`]).
    LongTerm,
    /// `--use-auth-secret --static-auth-secret=SECRET`: TURN REST API credentials, see
    /// [`super::rest_credentials`].
    Rest {
        /// The shared secret.
        secret: String,
    },
}

impl Auth {
    /// REST mode with [`REST_SECRET`].
    pub(crate) fn rest() -> Auth {
        Auth::Rest {
            secret: REST_SECRET.to_owned(),
        }
    }
}

/// Relay ports per server.
const RELAY_PORTS: u16 = 32;

/// A `turnserver` listening on 127.0.0.1 and ::1: STUN/TURN over UDP and TCP on one port,
/// TLS on another (no DTLS), relaying from a range of its own, realm [`REALM`], with
/// `--fingerprint` and `--allow-loopback-peers`. Killed on drop; if the test is panicking
/// then, the end of its log is printed.
pub(crate) struct Coturn {
    // Dropped first: the process is gone before its directory is removed.
    child: ChildGuard,
    auth: Auth,
    port: u16,
    tls_port: u16,
    relay: RangeInclusive<u16>,
    ca: TestCa,
    client_config: Arc<ClientConfig>,
    log_path: PathBuf,
    dir: TempDir,
}

impl Coturn {
    /// Starts coturn with `auth` and waits until it is ready (see [`Coturn::start_with`]).
    pub(crate) fn start(auth: Auth) -> Coturn {
        Coturn::start_with(auth, &[])
    }

    /// Starts coturn with `auth` plus `extra` turnserver flags (e.g.
    /// `"--max-allocate-lifetime=30"`), and waits until it answers a Binding over UDP,
    /// accepts TCP and completes a TLS handshake (verified through its CA), on both
    /// 127.0.0.1 and ::1. Retries with fresh ports when a port was lost to a race; fails the
    /// test (with the server's log) when it never comes up.
    pub(crate) fn start_with(auth: Auth, extra: &[&str]) -> Coturn {
        let bin = require_tool("turnserver");
        let mut failures = String::new();
        for attempt in 1..=4 {
            let dir = TempDir::new("coturn");
            let ca = TestCa::new("rtcam turn test CA");
            let server = ca.issue_server_cert(&[V4, V6]);
            let cert_path = dir.path().join("server.crt");
            let key_path = dir.path().join("server.key");
            fs::write(&cert_path, &server.cert_pem).unwrap();
            fs::write(&key_path, &server.key_pem).unwrap();
            let (port, alt_port, tls_port, alt_tls_port) =
                (free_port(), free_port(), free_port(), free_port());
            let relay = relay_range();
            let log_path = dir.path().join("turnserver.log");
            let log = File::create(&log_path).unwrap();
            let mut cmd = Command::new(&bin);
            cmd.arg("-n") // no configuration file
                .args(["--listening-ip=127.0.0.1", "--listening-ip=::1"])
                .args(["--relay-ip=127.0.0.1", "--relay-ip=::1"])
                .arg(format!("--listening-port={port}"))
                .arg(format!("--tls-listening-port={tls_port}"))
                // RFC 5780 alternate ports: coturn's default (port + 1) may not be ours.
                .arg(format!("--alt-listening-port={alt_port}"))
                .arg(format!("--alt-tls-listening-port={alt_tls_port}"))
                .arg(format!("--min-port={}", relay.start()))
                .arg(format!("--max-port={}", relay.end()))
                .arg(format!("--realm={REALM}"))
                .args(["--fingerprint", "--allow-loopback-peers"])
                .args(["--no-dtls", "--no-cli"])
                .arg(format!("--cert={}", cert_path.display()))
                .arg(format!("--pkey={}", key_path.display()))
                .args(["--log-file=stdout", "--simple-log", "--verbose"])
                .arg(format!("--userdb={}", dir.path().join("turndb").display()))
                .arg(format!(
                    "--pidfile={}",
                    dir.path().join("turnserver.pid").display()
                ));
            match &auth {
                Auth::LongTerm => {
                    cmd.arg("--lt-cred-mech")
                        .arg(format!("--user={LT_USER}:{LT_PASS}"));
                }
                Auth::Rest { secret } => {
                    cmd.arg("--use-auth-secret")
                        .arg(format!("--static-auth-secret={secret}"));
                }
            }
            let child = cmd
                .args(extra)
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("spawning {}: {e}", bin.display()));
            let mut child = ChildGuard::new("turnserver", child);
            let client_config = ca.client_config();
            let started = Instant::now();
            match wait_ready(&mut child, port, tls_port, &client_config) {
                Ok(()) => {
                    println!(
                        "coturn ready after {:?}: udp/tcp {port}, tls {tls_port}, relay \
                         {relay:?}, {auth:?}, log {}",
                        started.elapsed(),
                        log_path.display()
                    );
                    return Coturn {
                        child,
                        auth,
                        port,
                        tls_port,
                        relay,
                        ca,
                        client_config,
                        log_path,
                        dir,
                    };
                }
                Err(why) => {
                    drop(child);
                    failures.push_str(&format!(
                        "attempt {attempt} (udp/tcp {port}, tls {tls_port}): {why}\n{}\n",
                        tail(&log_path, 20)
                    ));
                }
            }
        }
        panic!("coturn did not come up:\n{failures}");
    }

    /// STUN/TURN over UDP on `ip` (127.0.0.1 or ::1).
    pub(crate) fn udp_addr(&self, ip: IpAddr) -> SocketAddr {
        SocketAddr::new(ip, self.port)
    }

    /// STUN/TURN over TCP on `ip` (the same port number as UDP).
    pub(crate) fn tcp_addr(&self, ip: IpAddr) -> SocketAddr {
        SocketAddr::new(ip, self.port)
    }

    /// STUN/TURN over TLS on `ip`.
    pub(crate) fn tls_addr(&self, ip: IpAddr) -> SocketAddr {
        SocketAddr::new(ip, self.tls_port)
    }

    /// The UDP/TCP listening port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The TLS listening port.
    pub(crate) fn tls_port(&self) -> u16 {
        self.tls_port
    }

    /// The ports relayed transport addresses are allocated from.
    pub(crate) fn relay_ports(&self) -> RangeInclusive<u16> {
        self.relay.clone()
    }

    /// How it authenticates.
    pub(crate) fn auth(&self) -> &Auth {
        &self.auth
    }

    /// The CA that signed coturn's certificate (for IP 127.0.0.1 and ::1).
    pub(crate) fn ca(&self) -> &TestCa {
        &self.ca
    }

    /// The CA certificate in DER: the one root a client should trust.
    pub(crate) fn ca_cert_der(&self) -> rustls::pki_types::CertificateDer<'static> {
        self.ca.cert_der()
    }

    /// The CA certificate in PEM.
    pub(crate) fn ca_cert_pem(&self) -> String {
        self.ca.cert_pem()
    }

    /// A rustls client configuration trusting only [`Coturn::ca`].
    pub(crate) fn client_config(&self) -> Arc<ClientConfig> {
        Arc::clone(&self.client_config)
    }

    /// A TLS connection to [`Coturn::tls_addr`], handshake done and verified through the CA.
    pub(crate) fn connect_tls(&self, ip: IpAddr) -> TlsStream {
        let addr = self.tls_addr(ip);
        TlsStream::connect(addr, self.client_config())
            .unwrap_or_else(|e| panic!("TLS to coturn {addr}: {e}\n{}", self.log_tail(20)))
    }

    /// `--log-file=stdout`, captured here.
    pub(crate) fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// Its whole log so far.
    pub(crate) fn log(&self) -> String {
        fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `n` lines of its log.
    pub(crate) fn log_tail(&self, n: usize) -> String {
        tail(&self.log_path, n)
    }

    /// The scratch directory (certificates, user db, pid file, log).
    pub(crate) fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// `true` while the process runs.
    pub(crate) fn is_running(&mut self) -> bool {
        self.child.try_wait().is_none()
    }
}

impl Drop for Coturn {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!(
                "--- turnserver log {} (last 60 lines) ---\n{}\n--- end of turnserver log ---",
                self.log_path.display(),
                self.log_tail(60)
            );
        }
    }
}

/// Ready when, on 127.0.0.1 and ::1, a Binding over UDP is answered, TCP connects on the
/// listening port, and a TLS handshake verified through our CA completes on the TLS port
/// (which also proves the server there is ours).
fn wait_ready(
    child: &mut ChildGuard,
    port: u16,
    tls_port: u16,
    config: &Arc<ClientConfig>,
) -> Result<(), String> {
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Check {
        Udp,
        Tcp,
        Tls,
    }
    let deadline = Instant::now() + IO_TIMEOUT;
    let mut pending: Vec<(IpAddr, Check)> = [V4, V6]
        .into_iter()
        .flat_map(|ip| [(ip, Check::Udp), (ip, Check::Tcp), (ip, Check::Tls)])
        .collect();
    let mut last_tls_error = String::new();
    while !pending.is_empty() {
        if let Some(status) = child.try_wait() {
            return Err(format!("turnserver exited: {status}"));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "not ready after {IO_TIMEOUT:?}: {pending:?} {last_tls_error}"
            ));
        }
        pending.retain(|&(ip, check)| {
            let up = match check {
                Check::Udp => {
                    udp_binding(SocketAddr::new(ip, port), Duration::from_millis(200)).is_some()
                }
                Check::Tcp => TcpStream::connect_timeout(
                    &SocketAddr::new(ip, port),
                    Duration::from_millis(200),
                )
                .is_ok(),
                Check::Tls => {
                    match TlsStream::connect(SocketAddr::new(ip, tls_port), Arc::clone(config)) {
                        Ok(s) => {
                            s.close();
                            true
                        }
                        Err(e) => {
                            last_tls_error = format!("(last TLS error: {e})");
                            false
                        }
                    }
                }
            };
            !up
        });
        if !pending.is_empty() {
            thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(())
}

/// A block of [`RELAY_PORTS`] loopback ports, free for UDP and TCP on 127.0.0.1 and ::1 now,
/// not handed out before in this process.
///
/// Taken above the kernel's ephemeral range when there is room (nothing binds there by
/// chance, and `free_port` never hands those out), else from 10000..60000. Another process
/// may still take one of them: coturn then tries another port of the range.
fn relay_range() -> RangeInclusive<u16> {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let ephemeral_high = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u16>().ok())
        .unwrap_or(60999);
    let (lo, hi) = if ephemeral_high <= 65535 - 16 * RELAY_PORTS {
        (ephemeral_high + 1, 65535 - RELAY_PORTS)
    } else {
        (10000, 60000)
    };
    let blocks = u32::from((hi - lo) / RELAY_PORTS);
    for _ in 0..1000 {
        let block = u16::try_from(OsRng.next_u32() % blocks).unwrap();
        let start = lo + block * RELAY_PORTS;
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        let taken = taken.get_or_insert_with(HashSet::new);
        if taken.contains(&start) {
            continue;
        }
        let range = start..=start + (RELAY_PORTS - 1);
        let free = range.clone().all(|p| {
            [V4, V6].iter().all(|&ip| {
                let addr = SocketAddr::new(ip, p);
                UdpSocket::bind(addr).is_ok() && TcpListener::bind(addr).is_ok()
            })
        });
        if free {
            taken.insert(start);
            return range;
        }
    }
    panic!("no free block of {RELAY_PORTS} loopback ports in {lo}..{hi}");
}
