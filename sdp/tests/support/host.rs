//! What every real-peer harness needs from the host, in one place: the tools the peers run
//! on (found or the test fails naming `scripts/install.sh`), scratch directories, and
//! stopping a child that runs a private network namespace.
//!
//! Used by this crate's `support` module and, through `#[path]`, by `peer/tests/support`,
//! whose DTLS tests drive the same browser.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// What to run when a tool is missing.
pub(crate) const INSTALL_HINT: &str = "Run scripts/install.sh (or `scripts/install.sh \
     sdp-interop`): Debian chromium + nodejs + iproute2, an aiortc venv and playwright-core \
     under ${XDG_CACHE_HOME:-~/.cache}/rtcam/.";

/// `sdp/tests/interop/`: the browser and aiortc drivers and `netns.sh`.
pub(crate) fn sdp_interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdp/tests/interop")
}

/// `${XDG_CACHE_HOME:-$HOME/.cache}/rtcam`, where scripts/install.sh puts the venvs and npm
/// packages.
pub(crate) fn cache_dir() -> PathBuf {
    match std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        Some(x) => PathBuf::from(x).join("rtcam"),
        None => {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is not set")).join(".cache/rtcam")
        }
    }
}

/// The Chromium binary (`RTCAM_CHROMIUM` or /usr/bin/chromium), with node and
/// playwright-core to drive it; fails the test when any is missing.
pub(crate) fn require_chromium() -> PathBuf {
    let exe = std::env::var_os("RTCAM_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    if !exe.is_file() {
        panic!(
            "{} (Debian package `chromium`) is missing. {INSTALL_HINT}",
            exe.display()
        );
    }
    require_on_path("node", "Node.js (`node`, Debian package `nodejs`)");
    let pw = cache_dir().join("node/node_modules/playwright-core/package.json");
    if !pw.is_file() {
        panic!(
            "playwright-core is missing ({} not found). {INSTALL_HINT}",
            pw.display()
        );
    }
    exe
}

/// What `netns.sh` needs to make a private lo-only namespace.
pub(crate) fn require_netns() {
    require_on_path("ip", "`ip` (Debian package `iproute2`)");
    require_on_path("unshare", "`unshare` (Debian package `util-linux`)");
    require_on_path("bash", "`bash`");
}

/// `name` on PATH (or in the sbin/bin directories PATH may lack); fails the test naming
/// `what` when it is nowhere.
pub(crate) fn require_on_path(name: &str, what: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(
        ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
            .iter()
            .map(PathBuf::from),
    );
    for dir in dirs {
        let p = dir.join(name);
        if p.is_file() {
            return p;
        }
    }
    panic!("{what} was not found on PATH. {INSTALL_HINT}");
}

/// A fresh directory under the system temp dir, unique across threads and runs
/// (`rtcam-<prefix>-<tag>-<pid>-<n>-<nanos>`).
pub(crate) fn scratch_dir(prefix: &str, tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let dir = std::env::temp_dir().join(format!(
        "rtcam-{prefix}-{tag}-{}-{}-{nanos:08x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// Stops a child: SIGTERM first (so `netns.sh` kills what it started in the namespace),
/// SIGKILL after 3 s.
pub(crate) fn terminate(child: &mut Child) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(3);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}
