//! Harness for the GStreamer interop tests: finding gst-launch-1.0, running a pipeline as
//! a child that is always reaped, scratch directories and loopback UDP.
//!
//! Std only. Loopback only: every socket here is bound to or sends to 127.0.0.1.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    unreachable_pub
)]

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// How long any one pipeline may run before the test fails.
pub const PIPELINE_TIMEOUT: Duration = Duration::from_secs(30);

/// The path of gst-launch-1.0; fails the test (never skips it) when GStreamer is missing.
pub fn gst_launch() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("gst-launch-1.0");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`gst-launch-1.0` was not found on PATH. The RTP codec interop tests need GStreamer \
         1.22 with x264enc/x265enc/vp8enc/opusenc, the RTP (de)payloaders and the libav \
         decoders (Debian packages gstreamer1.0-tools gstreamer1.0-plugins-base \
         gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly \
         gstreamer1.0-libav). Run scripts/install.sh."
    );
}

/// A fresh directory under the system temp dir, removed on drop unless
/// `RTCAM_KEEP_INTEROP=1`.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let path = std::env::temp_dir().join(format!(
            "rtcam-gst-{tag}-{}-{n}-{nanos:08x}",
            std::process::id()
        ));
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
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

/// A child process killed and reaped on drop (also when the test panics).
pub struct Guard(pub Option<Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn args(pipeline: &str) -> Vec<&str> {
    pipeline.split_whitespace().collect()
}

/// Runs a pipeline to completion (EOS); panics with its output if it fails or hangs.
// The child is waited for: by `wait`, or by `Guard`'s drop when the test panics.
#[allow(clippy::zombie_processes)]
pub fn run(pipeline: &str) {
    let mut child = Guard(Some(
        Command::new(gst_launch())
            .arg("-q")
            .args(args(pipeline))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gst-launch-1.0"),
    ));
    let status = wait(&mut child, PIPELINE_TIMEOUT);
    let mut c = child.0.take().unwrap();
    let mut err = String::new();
    let _ = c.stderr.take().unwrap().read_to_string(&mut err);
    let mut out = String::new();
    let _ = c.stdout.take().unwrap().read_to_string(&mut out);
    assert!(status, "gst-launch-1.0 {pipeline}\nfailed:\n{out}\n{err}");
}

/// Waits for the child to exit with success within `limit`.
fn wait(child: &mut Guard, limit: Duration) -> bool {
    let start = Instant::now();
    loop {
        if let Some(s) = child.0.as_mut().unwrap().try_wait().unwrap() {
            return s.success();
        }
        assert!(
            start.elapsed() < limit,
            "gst-launch-1.0 did not finish in {limit:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// A pipeline that runs until told to stop: started, then stopped with SIGINT, which
/// `gst-launch-1.0 -e` turns into an end-of-stream that drains every element.
pub struct Live {
    child: Guard,
    log: mpsc::Receiver<String>,
    pipeline: String,
}

impl Live {
    /// Starts `pipeline` and returns once it is PLAYING (its udpsrc socket is bound).
    pub fn start(pipeline: &str) -> Live {
        let mut c = Command::new(gst_launch())
            .arg("-e")
            .args(args(pipeline))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn gst-launch-1.0");
        let (tx, log) = mpsc::channel();
        let stdout = c.stdout.take().unwrap();
        let stderr = c.stderr.take().unwrap();
        let tx2 = tx.clone();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx2.send(line);
            }
        });
        let live = Live {
            child: Guard(Some(c)),
            log,
            pipeline: pipeline.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match live.log.recv_timeout(left) {
                Ok(line) => {
                    let playing = line.contains("Setting pipeline to PLAYING");
                    seen.push(line);
                    if playing {
                        break;
                    }
                }
                Err(_) => panic!(
                    "gst-launch-1.0 {pipeline}\ndid not reach PLAYING:\n{}",
                    seen.join("\n")
                ),
            }
        }
        // PLAYING is being set: give the state change a moment to complete.
        thread::sleep(Duration::from_millis(200));
        live
    }

    /// Sends SIGINT (end-of-stream) and waits for a clean exit.
    pub fn stop(mut self) {
        let pid = self.child.0.as_ref().unwrap().id();
        let ok = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -INT {pid} failed");
        let status = wait(&mut self.child, PIPELINE_TIMEOUT);
        let log: Vec<String> = self.log.try_iter().collect();
        assert!(
            status,
            "gst-launch-1.0 {}\nfailed:\n{}",
            self.pipeline,
            log.join("\n")
        );
    }
}

/// A free UDP port on 127.0.0.1 (bound, then released for GStreamer to take).
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Collects every datagram arriving on `sock` until `done` is set and the socket has
/// been quiet for a while.
pub fn receive_all(sock: UdpSocket, done: mpsc::Receiver<()>) -> Vec<Vec<u8>> {
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut packets = Vec::new();
    let mut buf = vec![0u8; 65536];
    let mut finished_at: Option<Instant> = None;
    loop {
        match sock.recv(&mut buf) {
            Ok(n) => packets.push(buf[..n].to_vec()),
            Err(_) => {
                if finished_at.is_none() && done.try_recv().is_ok() {
                    finished_at = Some(Instant::now());
                }
                if finished_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300)) {
                    return packets;
                }
            }
        }
    }
}

/// The files `dir` holds, sorted by name, read whole.
pub fn read_sorted(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names.iter().map(|p| fs::read(p).unwrap()).collect()
}
