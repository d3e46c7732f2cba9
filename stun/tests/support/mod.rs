//! Harness for tests that run real, independent peers as host programs: finding the
//! program, a child process that is killed on every exit path, a scratch directory, free
//! loopback ports, and waits that always time out.
//!
//! Std only. Loopback only: every address handed out here is 127.0.0.1 or ::1.

// These are test helpers: a failure must stop the test loudly, with a message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use rand_core::{OsRng, RngCore};

/// The longest any single network wait may take before the test fails.
pub(crate) const IO_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) const V4: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
pub(crate) const V6: IpAddr = IpAddr::V6(Ipv6Addr::LOCALHOST);

/// The absolute path of `name` on PATH; fails the test (never skips it) when missing.
pub(crate) fn require_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join(name);
        if is_executable(&candidate) {
            return candidate;
        }
    }
    panic!(
        "`{name}` was not found on PATH. These interop tests need coturn \
         (Debian package `coturn`: turnserver, turnutils_stunclient, turnutils_natdiscovery). \
         Run scripts/test.sh, which installs it (or `apt-get install coturn`)."
    );
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// A fresh directory under the system temp dir, removed on drop unless
/// `RTCAM_KEEP_INTEROP=1` (then its path is printed).
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    pub(crate) fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "rtcam-{tag}-{}-{n}-{:08x}",
            std::process::id(),
            OsRng.next_u32()
        ));
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if std::env::var_os("RTCAM_KEEP_INTEROP").is_some_and(|v| v == "1") {
            eprintln!("kept {}", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// A child process that is killed (and reaped) when the guard drops: on success, on a
/// failed assertion, on a panic anywhere in the test.
pub(crate) struct ChildGuard {
    child: Child,
    name: String,
}

impl ChildGuard {
    pub(crate) fn new(name: &str, child: Child) -> ChildGuard {
        ChildGuard {
            child,
            name: name.to_owned(),
        }
    }

    /// `Some(status)` once the process has exited.
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().unwrap()
    }

    /// Waits for the process to exit by itself; fails the test after `timeout`.
    /// Returns its exit status and everything it wrote to stdout and stderr.
    pub(crate) fn wait_with_output(mut self, timeout: Duration) -> (ExitStatus, String, String) {
        let stdout = self.child.stdout.take().map(drain);
        let stderr = self.child.stderr.take().map(drain);
        let collect = |h: Option<thread::JoinHandle<String>>| {
            h.map(|h| h.join().unwrap()).unwrap_or_default()
        };
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(status) = self.try_wait() {
                break status;
            }
            if Instant::now() >= deadline {
                self.kill();
                panic!(
                    "{} did not finish within {timeout:?}; stdout:\n{}\nstderr:\n{}",
                    self.name,
                    collect(stdout),
                    collect(stderr)
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        (status, collect(stdout), collect(stderr))
    }

    /// Kills the process (if still running) and reaps it.
    pub(crate) fn kill(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Reads a pipe to its end on a thread, so a chatty child never blocks on a full pipe.
fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Polls `f` every 20 ms until it returns `Some`, or `None` after `timeout`.
pub(crate) fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// A loopback port that is currently free for UDP and TCP on both 127.0.0.1 and ::1.
///
/// Ports come at random from below the kernel's ephemeral range, so sockets bound to
/// port 0 elsewhere (other tests, other processes) cannot take them between this check
/// and the server's bind. No port is handed out twice in one process. The caller still
/// has to detect a lost race (a server that never answers) and retry with a new port.
pub(crate) fn free_port() -> u16 {
    static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);
    let (lo, hi) = port_range();
    for _ in 0..1000 {
        let span = u32::from(hi - lo);
        let port = lo + u16::try_from(OsRng.next_u32() % span).unwrap();
        let mut taken = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        let taken = taken.get_or_insert_with(HashSet::new);
        if taken.contains(&port) || !port_is_free(port) {
            continue;
        }
        taken.insert(port);
        return port;
    }
    panic!("no free loopback port found in {lo}..{hi}");
}

/// [10000, start of the ephemeral range), or [10000, 32768) if it cannot be read.
fn port_range() -> (u16, u16) {
    let ephemeral_low = fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    if ephemeral_low > 12000 {
        (10000, ephemeral_low)
    } else {
        (40000, 60000)
    }
}

fn port_is_free(port: u16) -> bool {
    [V4, V6].iter().all(|&ip| {
        let addr = SocketAddr::new(ip, port);
        UdpSocket::bind(addr).is_ok() && TcpListener::bind(addr).is_ok()
    })
}

/// The last `n` lines of a file, for failure messages.
pub(crate) fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
