//! Harness for the cross-crate interop tests of `peer`: our protocol crates, composed by the
//! test itself (there is no ICE crate and no peer connection yet), against real WebRTC stacks.
//!
//! # Why the test re-executes itself
//!
//! A real peer must only ever reach 127.0.0.1, so it runs in a private network namespace
//! whose only interface is `lo` (`sdp/tests/interop/netns.sh`). Our socket side has to sit in
//! the *same* namespace — loopback of the host is a different `lo`. A test cannot move its
//! own process into a namespace (that needs `unsafe` `unshare(2)`), so each test does this:
//!
//! 1. Outside (the normal `cargo test` run, [`in_netns`]): check every tool is installed
//!    (failing loudly with what to install), then start
//!    `netns.sh <this test binary> <test name> --exact --nocapture` with
//!    `RTCAM_PEER_NETNS=<test name>`, wait for it (bounded), print its output, and require
//!    that exactly that one test passed inside.
//! 2. Inside (same binary, same test function, the variable set): run the real body — bind
//!    UDP on 127.0.0.1, start the peer (Chromium...) as a child, answer its offer, pump
//!    datagrams through our STUN responder and DTLS endpoint, assert. netns.sh kills whatever
//!    the body left behind in the namespace when it exits.
//!
//! Std only, plus `serde_json` for the driver's report.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fs::{self, File};
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand_core::{OsRng, RngCore};
use rtcam_dtls_srtp::dtls::{Connected, Endpoint, Event};
use rtcam_stun::{Attribute, Class, Key, Message, MessageBuilder, Method, Seal, kind};

// Tools, scratch directories and stopping children: shared with the SDP interop harness,
// whose browser driver these tests use too.
#[path = "../../../sdp/tests/support/host.rs"]
mod host;
pub(crate) use host::sdp_interop_dir;
use host::{require_netns, scratch_dir, terminate};

/// Set (to the test's name) in the re-executed test binary that runs inside the namespace.
const INSIDE_VAR: &str = "RTCAM_PEER_NETNS";

/// The whole namespaced run of one test, Chromium start-up included.
const NETNS_TIMEOUT: Duration = Duration::from_secs(55);

// ------------------------------------------------------------------------------------------------
// Namespace re-execution

/// Runs `body` inside a fresh lo-only network namespace (see the module docs). `name` must be
/// the calling test function's name (the re-executed binary is filtered on it).
pub(crate) fn in_netns(name: &str, require: impl FnOnce(), body: impl FnOnce()) {
    if std::env::var(INSIDE_VAR).is_ok_and(|v| v == name) {
        body();
        return;
    }
    require();
    require_netns();
    let scratch = Scratch::new(&format!("netns-{name}"));
    let (out, err) = (scratch.path("stdout"), scratch.path("stderr"));
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let child = Command::new("bash")
        .arg(sdp_interop_dir().join("netns.sh"))
        .arg(&exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(INSIDE_VAR, name)
        .stdin(Stdio::null())
        .stdout(File::create(&out).unwrap())
        .stderr(File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start netns.sh: {e}"));
    let mut child = ChildGuard::new("netns.sh", child);
    let status = child.wait(NETNS_TIMEOUT);
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    // Forward the inner run (shown with `cargo test -- --nocapture`, or on failure).
    println!(
        "--- inside the namespace ({:.1} s):",
        start.elapsed().as_secs_f64()
    );
    println!("{stdout}");
    eprintln!("{stderr}");
    let Some(status) = status else {
        panic!("{name}: timed out after {NETNS_TIMEOUT:?} inside the namespace");
    };
    assert!(
        status.success(),
        "{name}: failed inside the namespace ({status})"
    );
    assert!(
        stdout.contains("1 passed"),
        "{name}: the re-executed test binary did not run exactly this test"
    );
}

// ------------------------------------------------------------------------------------------------
// Tools

/// Chromium, node and playwright-core (fails the test naming what is missing).
pub(crate) fn require_chromium() {
    host::require_chromium();
}

/// `peer/tests/interop/`: this crate's own peer drivers.
pub(crate) fn peer_interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// Debian's python3 with GStreamer's introspection data, webrtcbin and libnice.
pub(crate) fn require_gstreamer() {
    let ok = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import gi; gi.require_version('Gst', '1.0'); gi.require_version('GstWebRTC', '1.0'); \
             gi.require_version('Nice', '0.1'); from gi.repository import Gst, GstWebRTC, Nice; \
             Gst.init(None); assert Gst.ElementFactory.find('webrtcbin') and \
             Gst.ElementFactory.find('nicesrc')",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        panic!(
            "GStreamer webrtcbin from Python is missing: /usr/bin/python3 with python3-gi, \
             gir1.2-gst-plugins-bad-1.0, gir1.2-nice-0.1, gstreamer1.0-nice and \
             gstreamer1.0-plugins-bad. Run scripts/install.sh."
        );
    }
}

// ------------------------------------------------------------------------------------------------
// Scratch directories and child processes

/// A temp directory removed on drop (kept, path printed, with `RTCAM_KEEP_INTEROP=1`).
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(tag: &str) -> Scratch {
        Scratch(scratch_dir("peer", tag))
    }

    pub(crate) fn dir(&self) -> &Path {
        &self.0
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if std::env::var_os("RTCAM_KEEP_INTEROP").is_some_and(|v| v == "1") {
            eprintln!("kept {}", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// A child we started, stopped on every exit path (SIGTERM, then SIGKILL).
pub(crate) struct ChildGuard {
    name: String,
    child: Option<Child>,
    status: Option<ExitStatus>,
}

impl ChildGuard {
    pub(crate) fn new(name: &str, child: Child) -> ChildGuard {
        ChildGuard {
            name: name.to_owned(),
            child: Some(child),
            status: None,
        }
    }

    /// The exit status once it exited by itself.
    pub(crate) fn try_status(&mut self) -> Option<ExitStatus> {
        if let Some(c) = self.child.as_mut() {
            if let Some(st) = c.try_wait().unwrap() {
                self.status = Some(st);
                self.child = None;
            }
        }
        self.status
    }

    /// Waits at most `timeout` for it to exit (then stops it and returns `None`).
    pub(crate) fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while self.try_status().is_none() {
            if Instant::now() > deadline {
                eprintln!("{}: stopping it after {timeout:?}", self.name);
                self.stop();
                return None;
            }
            thread::sleep(Duration::from_millis(20));
        }
        self.status
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits for `path` to appear (written atomically by the driver) while `child` runs.
pub(crate) fn wait_for_file(path: &Path, child: &mut ChildGuard, timeout: Duration) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(s) = fs::read_to_string(path) {
            return s;
        }
        if let Some(st) = child.try_status() {
            panic!(
                "{} exited ({st}) before writing {}",
                child.name,
                path.display()
            );
        }
        if Instant::now() > deadline {
            panic!("{}: no {} after {timeout:?}", child.name, path.display());
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// `n` random characters from the ICE alphabet (letters and digits are enough).
pub(crate) fn ice_string(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| char::from(ALPHABET[(OsRng.next_u32() % ALPHABET.len() as u32) as usize]))
        .collect()
}

/// Seconds since the Unix epoch (certificate validity).
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ------------------------------------------------------------------------------------------------
// A minimal ICE-lite agent: answer the controlling peer's connectivity checks.

/// The STUN side of an ICE-lite agent (RFC 8445 §2.5): it never sends checks, it answers
/// the full agent's Binding requests that carry our credentials, and the full agent decides
/// (nominates) the pair. Enough for one host candidate and one component (rtcp-mux, BUNDLE).
pub(crate) struct IceLite {
    /// `USERNAME` every check must carry: `<our ufrag>:<their ufrag>`.
    username: String,
    /// Our ice-pwd: checks are signed with it, and so are our responses.
    pwd: String,
    /// Counters for the report.
    pub(crate) requests: u32,
    pub(crate) nominations: u32,
    pub(crate) rejected: u32,
    pub(crate) last_reject: Option<String>,
}

impl IceLite {
    pub(crate) fn new(local_ufrag: &str, local_pwd: &str, remote_ufrag: &str) -> IceLite {
        IceLite {
            username: format!("{local_ufrag}:{remote_ufrag}"),
            pwd: local_pwd.to_owned(),
            requests: 0,
            nominations: 0,
            rejected: 0,
            last_reject: None,
        }
    }

    /// Handles one STUN datagram from `from`. Returns the response's length in `out` (0 for
    /// a keepalive indication: nothing to send) and whether the check nominated the pair
    /// (USE-CANDIDATE), or `None` (counted and remembered) for
    /// anything that is not a valid check for us.
    pub(crate) fn handle(
        &mut self,
        datagram: &[u8],
        from: SocketAddr,
        out: &mut [u8],
    ) -> Option<(usize, bool)> {
        match self.check(datagram, from, out) {
            Ok((0, _)) => Some((0, false)),
            Ok(r) => {
                self.requests += 1;
                self.nominations += u32::from(r.1);
                Some(r)
            }
            Err(why) => {
                self.rejected += 1;
                self.last_reject = Some(why);
                None
            }
        }
    }

    fn check(
        &self,
        datagram: &[u8],
        from: SocketAddr,
        out: &mut [u8],
    ) -> Result<(usize, bool), String> {
        let msg = Message::new_checked(datagram).map_err(|e| format!("malformed STUN: {e}"))?;
        if msg.method() == Method::BINDING && msg.class() == Class::Indication {
            // A keepalive (RFC 8445 §11, libnice sends them): nothing to answer.
            return Ok((0, false));
        }
        if msg.method() != Method::BINDING || msg.class() != Class::Request {
            return Err(format!("not a Binding request: {msg:?}"));
        }
        // RFC 8445 §7.3: FINGERPRINT is mandatory in ICE; then the short-term credential.
        msg.check_fingerprint()
            .map_err(|e| format!("FINGERPRINT: {e}"))?;
        match msg.get(kind::USERNAME) {
            Some(Ok(Attribute::Username(u))) if u == self.username => {}
            other => {
                return Err(format!("USERNAME {other:?}, expected {:?}", self.username));
            }
        }
        let key = Key::short_term(&self.pwd).map_err(|e| format!("our pwd: {e}"))?;
        msg.verify(&key)
            .map_err(|e| format!("MESSAGE-INTEGRITY: {e}"))?;
        // The full agent is controlling (a lite agent is always controlled) and says how it
        // would prioritise a peer-reflexive candidate.
        if !matches!(
            msg.get(kind::ICE_CONTROLLING),
            Some(Ok(Attribute::IceControlling(_)))
        ) {
            return Err("no ICE-CONTROLLING".to_owned());
        }
        if !matches!(msg.get(kind::PRIORITY), Some(Ok(Attribute::Priority(_)))) {
            return Err("no PRIORITY".to_owned());
        }
        let nominated = msg.get(kind::USE_CANDIDATE).is_some();
        // Success response: where we saw it come from, signed with our pwd, fingerprinted.
        let mut b = MessageBuilder::new(out, Class::Success, Method::BINDING, msg.transaction_id())
            .map_err(|e| format!("response: {e}"))?;
        b.add(&Attribute::XorMappedAddress(from))
            .map_err(|e| format!("response: {e}"))?;
        let n = b
            .seal(Seal::sha1(&key))
            .map_err(|e| format!("response: {e}"))?
            .len();
        Ok((n, nominated))
    }
}

// ------------------------------------------------------------------------------------------------
// The datagram pump: one UDP socket demultiplexed (RFC 7983) to ICE-lite and DTLS.

/// What happened on the wire, for assertions and the report.
#[derive(Debug, Default)]
pub(crate) struct Pump {
    /// When the first valid check arrived (since the pump started).
    pub(crate) first_check: Option<Duration>,
    /// When our endpoint reported `Connected`.
    pub(crate) connected_at: Option<Duration>,
    pub(crate) connected: Option<Connected>,
    /// Every DTLS event, in order.
    pub(crate) events: Vec<Event>,
    /// Where the nominated (else: the first valid) check came from: where DTLS goes.
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) nominated: bool,
    pub(crate) dtls_in: u32,
    pub(crate) dtls_out: u32,
    /// Decrypted application data records (SCTP, from a browser).
    pub(crate) app_data: Vec<Vec<u8>>,
    /// Datagrams that were neither STUN nor DTLS (RTP/RTCP, first byte 128..=191).
    pub(crate) other: u32,
}

impl Pump {
    /// Moves datagrams between `sock` and `ice`/`dtls` until `stop()` says so or `deadline`.
    /// The DTLS clock is `now = start.elapsed()` (sans-IO: the endpoint never reads time).
    /// `dtls` may be a client: its ClientHello waits until a check tells us where the peer is.
    pub(crate) fn run<R: rand_core::CryptoRngCore>(
        &mut self,
        sock: &UdpSocket,
        ice: &mut IceLite,
        dtls: &mut Endpoint<R>,
        start: Instant,
        deadline: Instant,
        mut stop: impl FnMut(&Pump) -> bool,
    ) {
        let mut buf = [0u8; 2048];
        let mut out = [0u8; 1500];
        while Instant::now() < deadline && !stop(self) {
            let now = start.elapsed();
            // Sleep in recv until the next datagram, the endpoint's timer, or 50 ms (to check
            // `stop`), whichever comes first.
            let wait = dtls
                .poll_timeout()
                .map_or(Duration::from_millis(50), |t| t.saturating_sub(now))
                .clamp(Duration::from_millis(1), Duration::from_millis(50));
            sock.set_read_timeout(Some(wait)).unwrap();
            match sock.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let now = start.elapsed();
                    let d = &mut buf[..n];
                    match d.first().copied().unwrap_or(0) {
                        // RFC 7983: 0..=3 STUN, 20..=63 DTLS, 128..=191 RTP/RTCP.
                        0..=3 => {
                            if let Some((len, nominated)) =
                                ice.handle(d, from, &mut out).filter(|r| r.0 > 0)
                            {
                                sock.send_to(&out[..len], from).unwrap();
                                self.first_check.get_or_insert(now);
                                if nominated && !self.nominated {
                                    self.nominated = true;
                                    self.peer = Some(from);
                                }
                                self.peer.get_or_insert(from);
                            }
                        }
                        20..=63 => {
                            self.dtls_in += 1;
                            self.peer.get_or_insert(from);
                            let rx = dtls.handle_input(now, d);
                            self.app_data.extend(rx.iter().map(<[u8]>::to_vec));
                        }
                        _ => self.other += 1,
                    }
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("recv_from: {e}"),
            }
            let now = start.elapsed();
            if dtls.poll_timeout().is_some_and(|t| t <= now) {
                dtls.handle_timeout(now);
            }
            if let Some(peer) = self.peer {
                while let Some(n) = dtls.poll_transmit(now, &mut out).unwrap() {
                    sock.send_to(&out[..n], peer).unwrap();
                    self.dtls_out += 1;
                }
            }
            while let Some(ev) = dtls.poll_event() {
                if let Event::Connected(c) = ev {
                    self.connected = Some(c);
                    self.connected_at = Some(now);
                }
                self.events.push(ev);
            }
        }
    }

    pub(crate) fn closed(&self) -> bool {
        self.events.iter().any(|e| matches!(e, Event::Closed))
    }
}
