//! Real SDP peers for the `sdp` interop tests: headless Chromium (driven by
//! `tests/interop/browser.mjs` through playwright-core) and aiortc (`tests/interop/aiortc_sdp.py`).
//!
//! Every peer runs as a child process inside a private network namespace that has only `lo`
//! (`tests/interop/netns.sh`), in a scratch directory removed afterwards (kept, with its path
//! printed, when `RTCAM_KEEP_INTEROP=1`), with a timeout; the child is stopped on every exit path,
//! a panic included. Std only, plus `serde_json` for the peers' reports.
//!
//! Missing tools are a test failure that names them and `scripts/install.sh`, never a skip.

// Test helpers: a failure must stop the test loudly. Each test binary uses a subset.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

mod host;
use host::{INSTALL_HINT, require_netns, scratch_dir, terminate};
pub(crate) use host::{cache_dir, require_chromium};

/// How long one driver run (browser launch included) may take before the test fails.
pub(crate) const PEER_TIMEOUT: Duration = Duration::from_secs(60);

/// The direction one side asks for on a media kind; `None` means no m-section of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dir {
    /// No transceiver of this kind.
    None,
    /// `a=recvonly` (a KVS viewer's default).
    RecvOnly,
    /// `a=sendonly`, with a fake/synthetic source.
    SendOnly,
    /// `a=sendrecv`, with a fake/synthetic source.
    SendRecv,
    /// `a=inactive`.
    Inactive,
}

impl Dir {
    /// The word the drivers take (`--video WORD`).
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Dir::None => "none",
            Dir::RecvOnly => "recvonly",
            Dir::SendOnly => "sendonly",
            Dir::SendRecv => "sendrecv",
            Dir::Inactive => "inactive",
        }
    }
}

/// Which video codec the offerer restricts itself to (`setCodecPreferences`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Codec {
    /// Everything the peer supports, in its own order.
    Any,
    /// H.264 (plus RTX/RED/FEC where the peer offers them).
    H264,
    /// VP8 (plus RTX/RED/FEC where the peer offers them).
    Vp8,
}

/// What the driven peer puts in its offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Media {
    /// Video transceiver direction.
    pub(crate) video: Dir,
    /// Audio transceiver direction.
    pub(crate) audio: Dir,
    /// Whether a data channel (`kvsDataChannel`) is opened, adding an m=application section.
    pub(crate) data: bool,
    /// Video codec restriction.
    pub(crate) codec: Codec,
}

impl Media {
    /// The KVS JS viewer's offer: video and audio `recvonly`, plus a data channel.
    pub(crate) const VIEWER: Media = Media {
        video: Dir::RecvOnly,
        audio: Dir::RecvOnly,
        data: true,
        codec: Codec::Any,
    };

    /// The same with one video codec only.
    pub(crate) fn with_codec(self, codec: Codec) -> Media {
        Media { codec, ..self }
    }

    /// The driver arguments for this media set.
    pub(crate) fn args(&self) -> Vec<String> {
        let mut v = vec![
            "--video".to_owned(),
            self.video.as_str().to_owned(),
            "--audio".to_owned(),
            self.audio.as_str().to_owned(),
            "--codec".to_owned(),
            match self.codec {
                Codec::Any => "any",
                Codec::H264 => "H264",
                Codec::Vp8 => "VP8",
            }
            .to_owned(),
        ];
        if self.data {
            v.push("--data".to_owned());
        }
        v
    }
}

/// One negotiated codec, as the peer reports it after applying the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodecReport {
    /// e.g. `video/H264`, `audio/opus`.
    pub(crate) mime_type: String,
    /// The payload type both sides agreed on.
    pub(crate) payload_type: u8,
    /// RTP clock rate.
    pub(crate) clock_rate: u32,
    /// Audio channels when known.
    pub(crate) channels: Option<u8>,
    /// The format parameters, `k=v;k=v` (Chromium's `sdpFmtpLine`; aiortc's, joined); empty if none.
    pub(crate) fmtp: String,
}

/// One transceiver of the offerer after it applied our answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TransceiverReport {
    /// The m-section's `a=mid`.
    pub(crate) mid: Option<String>,
    /// `audio` / `video` when the driver can tell.
    pub(crate) kind: Option<String>,
    /// The direction the offerer asked for.
    pub(crate) direction: String,
    /// The negotiated direction (`currentDirection`), from the offerer's point of view.
    pub(crate) current_direction: Option<String>,
    /// The codecs the offerer will use on this transceiver (may be empty when `inactive`).
    pub(crate) codecs: Vec<CodecReport>,
}

/// What a real offerer says after `setRemoteDescription(our answer)` succeeded.
#[derive(Clone, Debug)]
pub(crate) struct Report {
    /// The offer it made (the SDP `make_answer` got).
    pub(crate) offer: String,
    /// The answer it accepted.
    pub(crate) answer: String,
    /// `stable` once the answer is applied.
    pub(crate) signaling_state: String,
    /// Its transceivers, in order.
    pub(crate) transceivers: Vec<TransceiverReport>,
    /// Whether an SCTP transport exists (the data channel m-section was accepted).
    pub(crate) sctp: bool,
    /// The driver's JSON, as printed.
    pub(crate) raw: Value,
}

impl Report {
    /// The transceiver with this mid; fails the test when there is none.
    pub(crate) fn mid(&self, mid: &str) -> &TransceiverReport {
        self.transceivers
            .iter()
            .find(|t| t.mid.as_deref() == Some(mid))
            .unwrap_or_else(|| panic!("no transceiver with mid {mid} in {}", self.raw))
    }

    /// The first transceiver of this kind (`audio`/`video`); fails the test when there is none.
    pub(crate) fn kind(&self, kind: &str) -> &TransceiverReport {
        self.transceivers
            .iter()
            .find(|t| t.kind.as_deref() == Some(kind))
            .unwrap_or_else(|| panic!("no {kind} transceiver in {}", self.raw))
    }
}

// ------------------------------------------------------------------------------------------------
// Chromium

/// Chromium makes an offer with `media` (after ICE gathering, so it carries 127.0.0.1 candidates).
pub(crate) fn chromium_offer(media: &Media) -> Result<String, String> {
    let run = Run::new("chromium-offer");
    let out = run.path("offer.sdp");
    let mut args = vec!["offer".to_owned(), "--out".to_owned(), s(&out)];
    args.extend(media.args());
    let res = run.node(&args).finish(PEER_TIMEOUT);
    res.ok_json()?;
    Ok(fs::read_to_string(out).unwrap())
}

/// Chromium answers our offer: `setRemoteDescription(offer)`, `createAnswer`,
/// `setLocalDescription`. `Err` carries the step and Chromium's error message.
pub(crate) fn chromium_answer(offer_sdp: &str) -> Result<String, String> {
    chromium_answer_many(&[offer_sdp]).pop().unwrap()
}

/// [`chromium_answer`] for several offers with one browser launch (each offer gets a fresh
/// `RTCPeerConnection`); one result per offer, in order.
pub(crate) fn chromium_answer_many(offers: &[&str]) -> Vec<Result<String, String>> {
    let run = Run::new("chromium-answer");
    let mut args = vec!["answer".to_owned()];
    for (i, offer) in offers.iter().enumerate() {
        let o = run.path(&format!("offer{i}.sdp"));
        fs::write(&o, offer).unwrap();
        args.extend(["--offer".to_owned(), s(&o), "--out".to_owned()]);
        args.push(s(&run.path(&format!("answer{i}.sdp"))));
    }
    let res = run.node(&args).finish(PEER_TIMEOUT);
    let lines = res.json_lines();
    if lines.len() != offers.len() {
        panic!(
            "browser.mjs answer: expected {} result lines\n{res}",
            offers.len()
        );
    }
    lines
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if v["ok"] == true {
                Ok(fs::read_to_string(run.path(&format!("answer{i}.sdp"))).unwrap())
            } else {
                Err(step_error(v))
            }
        })
        .collect()
}

/// Chromium offers `media`; `make_answer` (our code) answers that offer; Chromium applies the
/// answer and reports what it negotiated. `Err` when Chromium rejected the answer.
pub(crate) fn chromium_offer_accept(
    media: &Media,
    make_answer: impl FnOnce(&str) -> String,
) -> Result<Report, String> {
    let run = Run::new("chromium-accept");
    let mut args = vec!["offer-accept".to_owned()];
    args.extend(run.accept_args());
    args.extend(media.args());
    let peer = run.node(&args);
    run.offer_accept(peer, make_answer)
}

// ------------------------------------------------------------------------------------------------
// aiortc

/// aiortc makes an offer with `media` (127.0.0.1 host candidates, `a=end-of-candidates`).
pub(crate) fn aiortc_offer(media: &Media) -> Result<String, String> {
    let run = Run::new("aiortc-offer");
    let out = run.path("offer.sdp");
    let mut args = vec!["offer".to_owned(), "--out".to_owned(), s(&out)];
    args.extend(media.args());
    run.python(&args).finish(PEER_TIMEOUT).ok_json()?;
    Ok(fs::read_to_string(out).unwrap())
}

/// aiortc answers our offer. `Err` carries the failing step and aiortc's exception.
pub(crate) fn aiortc_answer(offer_sdp: &str) -> Result<String, String> {
    let run = Run::new("aiortc-answer");
    let (o, a) = (run.path("offer.sdp"), run.path("answer.sdp"));
    fs::write(&o, offer_sdp).unwrap();
    let args = ["answer", "--offer", &s(&o), "--out", &s(&a)].map(str::to_owned);
    run.python(&args).finish(PEER_TIMEOUT).ok_json()?;
    Ok(fs::read_to_string(a).unwrap())
}

/// aiortc offers `media`; `make_answer` answers; aiortc applies the answer and reports.
pub(crate) fn aiortc_offer_accept(
    media: &Media,
    make_answer: impl FnOnce(&str) -> String,
) -> Result<Report, String> {
    let run = Run::new("aiortc-accept");
    let mut args = vec!["offer-accept".to_owned()];
    args.extend(run.accept_args());
    args.extend(media.args());
    let peer = run.python(&args);
    run.offer_accept(peer, make_answer)
}

/// aiortc's own parser (`aiortc.sdp.SessionDescription.parse`) on `sdp`: a JSON summary
/// (`media[]` with kind, mid, direction, codecs, candidates...), or the exception it raised.
pub(crate) fn aiortc_parse(sdp: &str) -> Result<Value, String> {
    aiortc_parse_many(&[sdp]).pop().unwrap()
}

/// [`aiortc_parse`] for several SDPs in one Python process; one result per SDP, in order.
pub(crate) fn aiortc_parse_many(sdps: &[&str]) -> Vec<Result<Value, String>> {
    let run = Run::new("aiortc-parse");
    let mut args = vec!["parse".to_owned()];
    for (i, sdp) in sdps.iter().enumerate() {
        let f = run.path(&format!("sdp{i}.sdp"));
        fs::write(&f, sdp).unwrap();
        args.push(s(&f));
    }
    let res = run.python(&args).finish(PEER_TIMEOUT);
    let lines = res.json_lines();
    if lines.len() != sdps.len() {
        panic!(
            "aiortc_sdp.py parse: expected {} result lines\n{res}",
            sdps.len()
        );
    }
    lines
        .into_iter()
        .map(|v| {
            if v["ok"] == true {
                Ok(v)
            } else {
                Err(step_error(&v))
            }
        })
        .collect()
}

// ------------------------------------------------------------------------------------------------
// Tools

/// `tests/interop/` of this crate.
pub(crate) fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop")
}

/// The venv's python with aiortc; fails the test when missing.
pub(crate) fn require_aiortc() -> PathBuf {
    let py = cache_dir().join("venv/bin/python");
    let ok = py.is_file()
        && Command::new(&py)
            .args(["-c", "import aiortc"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        panic!(
            "the aiortc venv ({}, with aiortc) is missing. {INSTALL_HINT}",
            py.display()
        );
    }
    py
}

fn s(p: &Path) -> String {
    p.to_str().expect("non-UTF-8 temp path").to_owned()
}

fn step_error(v: &Value) -> String {
    format!(
        "{}: {}",
        v["step"].as_str().unwrap_or("?"),
        v["error"].as_str().unwrap_or("(no message)")
    )
}

// ------------------------------------------------------------------------------------------------
// One driver run: a scratch directory and a child inside netns.sh.

struct Run {
    dir: PathBuf,
}

impl Run {
    fn new(tag: &str) -> Run {
        Run {
            dir: scratch_dir("sdp", tag),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn accept_args(&self) -> Vec<String> {
        vec![
            "--offer-out".to_owned(),
            s(&self.path("offer.sdp")),
            "--answer-in".to_owned(),
            s(&self.path("answer.sdp")),
            "--wait".to_owned(),
            "30".to_owned(),
        ]
    }

    fn node(&self, args: &[String]) -> Peer {
        require_chromium();
        let mut cmd = vec!["node".to_owned(), s(&interop_dir().join("browser.mjs"))];
        cmd.extend(args.iter().cloned());
        self.spawn("browser.mjs", &cmd)
    }

    fn python(&self, args: &[String]) -> Peer {
        let py = require_aiortc();
        let mut cmd = vec![
            s(&py),
            "-B".to_owned(),
            s(&interop_dir().join("aiortc_sdp.py")),
        ];
        cmd.extend(args.iter().cloned());
        self.spawn("aiortc_sdp.py", &cmd)
    }

    fn spawn(&self, name: &str, cmd: &[String]) -> Peer {
        require_netns();
        let stdout = self.path(&format!("{name}.stdout"));
        let stderr = self.path(&format!("{name}.stderr"));
        let child = Command::new("bash")
            .arg(interop_dir().join("netns.sh"))
            .args(cmd)
            .current_dir(&self.dir)
            // Chromium's profile and every other temp file land in the scratch directory.
            .env("TMPDIR", &self.dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).unwrap())
            .stderr(File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {name} under netns.sh: {e}"));
        Peer {
            name: name.to_owned(),
            child: Some(child),
            stdout,
            stderr,
        }
    }

    /// The offer-accept dance: wait for the offer file, answer it, wait for the report.
    fn offer_accept(
        &self,
        mut peer: Peer,
        make_answer: impl FnOnce(&str) -> String,
    ) -> Result<Report, String> {
        let offer_path = self.path("offer.sdp");
        let deadline = Instant::now() + PEER_TIMEOUT;
        while !offer_path.exists() {
            if peer.exited() || Instant::now() > deadline {
                let res = peer.finish(Duration::from_secs(5));
                res.ok_json()?;
                panic!("{}: no offer written\n{res}", res.name);
            }
            thread::sleep(Duration::from_millis(20));
        }
        let offer = fs::read_to_string(&offer_path).unwrap();
        let answer = make_answer(&offer);
        let tmp = self.path("answer.sdp.tmp");
        fs::write(&tmp, &answer).unwrap();
        fs::rename(&tmp, self.path("answer.sdp")).unwrap();
        let res = peer.finish(PEER_TIMEOUT);
        let v = res.ok_json()?;
        Ok(report(offer, answer, v))
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if std::env::var_os("RTCAM_KEEP_INTEROP").is_some_and(|v| v == "1") {
            eprintln!("kept {}", self.dir.display());
        } else {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn report(offer: String, answer: String, v: Value) -> Report {
    let str_of = |x: &Value| x.as_str().map(str::to_owned);
    let transceivers = v["transceivers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|t| TransceiverReport {
            mid: str_of(&t["mid"]),
            kind: str_of(&t["kind"]),
            direction: str_of(&t["direction"]).unwrap_or_default(),
            current_direction: str_of(&t["currentDirection"]),
            codecs: t["codecs"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .map(|c| CodecReport {
                    mime_type: str_of(&c["mimeType"]).unwrap_or_default(),
                    payload_type: c["payloadType"].as_u64().unwrap_or(0) as u8,
                    clock_rate: c["clockRate"].as_u64().unwrap_or(0) as u32,
                    channels: c["channels"].as_u64().map(|n| n as u8),
                    fmtp: match (&c["sdpFmtpLine"], &c["parameters"]) {
                        (Value::String(l), _) => l.clone(),
                        (_, Value::Object(m)) => m
                            .iter()
                            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                            .collect::<Vec<_>>()
                            .join(";"),
                        _ => String::new(),
                    },
                })
                .collect(),
        })
        .collect();
    Report {
        offer,
        answer,
        signaling_state: str_of(&v["signalingState"]).unwrap_or_default(),
        transceivers,
        sctp: v["sctp"] == true,
        raw: v,
    }
}

/// A driver process (netns.sh + node/python) that is stopped when dropped: SIGTERM first so
/// netns.sh can kill what it started in the namespace (the browser), then SIGKILL.
struct Peer {
    name: String,
    child: Option<Child>,
    stdout: PathBuf,
    stderr: PathBuf,
}

/// A finished driver run.
struct Finished {
    name: String,
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Peer {
    fn exited(&mut self) -> bool {
        self.child
            .as_mut()
            .is_none_or(|c| c.try_wait().unwrap().is_some())
    }

    /// Waits for the driver to exit by itself, at most `timeout` (then stops it: status None).
    fn finish(mut self, timeout: Duration) -> Finished {
        let deadline = Instant::now() + timeout;
        let mut status = None;
        while let Some(c) = self.child.as_mut() {
            if let Some(st) = c.try_wait().unwrap() {
                status = Some(st);
                self.child = None;
                break;
            }
            if Instant::now() > deadline {
                self.stop();
                break;
            }
            thread::sleep(Duration::from_millis(20));
        }
        Finished {
            name: self.name.clone(),
            status,
            stdout: fs::read_to_string(&self.stdout).unwrap_or_default(),
            stderr: fs::read_to_string(&self.stderr).unwrap_or_default(),
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Finished {
    /// Every JSON line of stdout.
    fn json_lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .filter(|l| l.starts_with('{'))
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e} in {l}\n{self}")))
            .collect()
    }

    /// The driver's single JSON result when it reports success; `Err(step: error)` when it
    /// reports a failure of the peer. Fails the test when the driver itself broke (timeout,
    /// no JSON, missing tool).
    fn ok_json(&self) -> Result<Value, String> {
        let Some(status) = self.status else {
            panic!("{} timed out\n{self}", self.name);
        };
        let Some(v) = self.json_lines().pop() else {
            panic!("{} printed no JSON result\n{self}", self.name);
        };
        if v["ok"] == true && status.success() {
            return Ok(v);
        }
        match v["step"].as_str() {
            Some("setup" | "args" | "driver") | None => panic!("{} broke\n{self}", self.name),
            Some(_) => Err(step_error(&v)),
        }
    }
}

impl fmt::Display for Finished {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tail = |t: &str| {
            let lines: Vec<&str> = t.lines().collect();
            lines[lines.len().saturating_sub(30)..].join("\n")
        };
        write!(
            f,
            "--- {} exit {:?}\n--- stdout:\n{}\n--- stderr (tail):\n{}",
            self.name,
            self.status,
            tail(&self.stdout),
            tail(&self.stderr)
        )
    }
}
