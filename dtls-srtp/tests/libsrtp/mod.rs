//! libsrtp2 as a child process: `srtp_tool.c` (beside this file) is compiled with the host
//! C compiler against libsrtp2 (pkg-config) into a temporary directory, then spoken to over
//! stdin/stdout one line per packet. A missing compiler, pkg-config or libsrtp2 fails the
//! test with a message (never a skip): scripts/test.sh installs them.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rtcam_dtls_srtp::srtp::{Profile, REPLAY_WINDOW};

/// How long one request may take before the test gives up on the tool.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

const SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/libsrtp/srtp_tool.c");

const HOW_TO_INSTALL: &str = "run scripts/test.sh (scripts/install.sh installs gcc, pkg-config \
     and libsrtp2-dev), or `apt-get install gcc pkg-config libsrtp2-dev`";

/// `srtp_err_status_t` values the tests look for.
pub(crate) const AUTH_FAIL: i32 = 7;
pub(crate) const REPLAY_FAIL: i32 = 9;
pub(crate) const REPLAY_OLD: i32 = 10;
pub(crate) const CANT_CHECK: i32 = 14;

/// libsrtp's name for a profile (the tool's first argument).
pub(crate) fn profile_name(profile: Profile) -> &'static str {
    match profile {
        Profile::Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        Profile::Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        Profile::AeadAes128Gcm => "AEAD_AES_128_GCM",
        Profile::AeadAes256Gcm => "AEAD_AES_256_GCM",
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex length: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap_or_else(|_| panic!("not hex: {s}")))
        .collect()
}

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "rtcam-libsrtp-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path).unwrap_or_else(|e| panic!("mkdir {}: {e}", path.display()));
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `cmd`; panics with its output (and how to install what is missing) on failure.
fn run_or_fail(what: &str, cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {what} ({e}): {HOW_TO_INSTALL}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}\n{HOW_TO_INSTALL}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The compiled tool, in its own temporary directory.
pub(crate) struct Tool {
    bin: PathBuf,
    _dir: TempDir,
}

impl Tool {
    /// Compiles `srtp_tool.c` with `$CC` (default `cc`) and pkg-config's flags for libsrtp2.
    pub(crate) fn build() -> Tool {
        let dir = TempDir::new();
        let bin = dir.0.join("srtp_tool");
        let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
        let flags = run_or_fail(
            "pkg-config --cflags --libs libsrtp2",
            Command::new("pkg-config").args(["--cflags", "--libs", "libsrtp2"]),
        );
        run_or_fail(
            &format!("{cc} (compiling {SOURCE} against libsrtp2)"),
            Command::new(&cc)
                .args([
                    "-std=c11", "-O2", "-Wall", "-Wextra", "-Werror", SOURCE, "-o",
                ])
                .arg(&bin)
                .args(flags.split_whitespace()),
        );
        Tool { bin, _dir: dir }
    }

    /// A libsrtp sender and receiver for `profile` under one master key and salt, with
    /// our replay window size so replay verdicts are comparable.
    pub(crate) fn session(&self, profile: Profile, key: &[u8], salt: &[u8]) -> Session {
        Session::spawn(&self.bin, profile, key, salt)
    }
}

/// One running tool: a libsrtp sending context and a receiving context.
pub(crate) struct Session {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    /// libsrtp's version string, from the tool's greeting.
    pub(crate) version: String,
    label: String,
}

impl Session {
    fn spawn(bin: &Path, profile: Profile, key: &[u8], salt: &[u8]) -> Session {
        let mut child = Command::new(bin)
            .arg(profile_name(profile))
            .arg(hex(key))
            .arg(hex(salt))
            .arg(REPLAY_WINDOW.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut s = Session {
            child,
            stdin,
            lines,
            version: String::new(),
            label: format!("libsrtp {}", profile_name(profile)),
        };
        let greeting = s.next_line("startup");
        s.version = greeting
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("{}: unexpected greeting {greeting:?}", s.label))
            .to_owned();
        s
    }

    fn next_line(&mut self, request: &str) -> String {
        match self.lines.recv_timeout(REPLY_TIMEOUT) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                panic!(
                    "{}: no answer within {REPLY_TIMEOUT:?} to {request}",
                    self.label
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().map(|s| s.to_string());
                panic!("{}: tool exited ({status:?}) at {request}", self.label)
            }
        }
    }

    /// Sends one request; `Ok(packet after the call)` or `Err(srtp_err_status_t)`.
    fn call(&mut self, op: &str, packet: &[u8]) -> Result<Vec<u8>, i32> {
        let request = format!("{op} {}", hex(packet));
        writeln!(self.stdin, "{request}")
            .and_then(|()| self.stdin.flush())
            .unwrap_or_else(|e| panic!("{}: write {op}: {e}", self.label));
        let line = self.next_line(&request);
        if let Some(h) = line.strip_prefix("OK ") {
            Ok(unhex(h))
        } else if let Some(code) = line.strip_prefix("ERR ") {
            Err(code
                .parse()
                .unwrap_or_else(|_| panic!("{}: bad answer {line:?}", self.label)))
        } else {
            panic!("{}: bad answer {line:?} to {request}", self.label)
        }
    }

    /// `srtp_protect` with the sending context.
    pub(crate) fn protect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, i32> {
        self.call("protect_rtp", packet)
    }

    /// `srtp_unprotect` with the receiving context.
    pub(crate) fn unprotect_rtp(&mut self, packet: &[u8]) -> Result<Vec<u8>, i32> {
        self.call("unprotect_rtp", packet)
    }

    /// `srtp_protect_rtcp` with the sending context.
    pub(crate) fn protect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, i32> {
        self.call("protect_rtcp", packet)
    }

    /// `srtp_unprotect_rtcp` with the receiving context.
    pub(crate) fn unprotect_rtcp(&mut self, packet: &[u8]) -> Result<Vec<u8>, i32> {
        self.call("unprotect_rtcp", packet)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // Our own child, by handle: closing stdin ends it; kill in case it is stuck.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
