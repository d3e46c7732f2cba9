//! AWS's own KVS clients against our local KVS signaling server: the official KVS WebRTC JS
//! SDK (`amazon-kinesis-video-streams-webrtc`) and the AWS SDK for JavaScript v3
//! (`@aws-sdk/client-kinesis-video`, `@aws-sdk/client-kinesis-video-signaling`), pinned in
//! `tests/js/package-lock.json`, run under Node by the drivers in `tests/js/`.
//!
//! What passes here is what a real KVS client accepts: the SDKs sign their requests (SigV4
//! headers with whatever headers they choose to sign, presigned WSS URLs, session tokens), the
//! server verifies them, and the SDKs parse its answers and errors into their own types.
//!
//! - `control_plane_through_aws_sdk_v3`: create / describe (name, ARN) / endpoints (MASTER,
//!   VIEWER) / GetIceServerConfig / DescribeMediaStorageConfiguration / delete, the typed
//!   exceptions, a wrong key's 403, and the SDK's own clock-skew correction from `Date`.
//! - `js_master_and_js_viewers`: a JS master and two JS viewers exchange offers, answers
//!   and candidates through the server, byte for byte, routed per viewer; a bad message's
//!   STATUS_RESPONSE carries its correlation id; presigned URLs with a wrong key, a stale
//!   time, a bad client id or an unknown channel are refused.
//! - `js_master_with_rust_viewer`, `rust_master_with_js_viewer` (feature `client`): our
//!   `SignalingClient` on one side, the JS SDK on the other.
//!
//! Needs Node.js >= 20 and `scripts/install.sh kvs-js` (npm ci into
//! `${XDG_CACHE_HOME:-$HOME/.cache}/rtcam/node/kvs`); fails with that message when missing.
//! Run: `cargo test -p rtcam-signaling --features server,client --test js_sdk` (compiled out
//! without `server`; the two cross tests need `client` too).
//! Everything runs on 127.0.0.1 over TLS: the JS SDK only speaks `wss://`, so the server
//! generates its certificate and Node trusts it through `NODE_EXTRA_CA_CERTS`.

#![cfg(feature = "server")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use rtcam_signaling::server::turn::turn_password;
use rtcam_signaling::server::{AccessKey, Config, Server, ServerHandle};
use serde_json::{Value, json};

const REGION: &str = "us-west-2";
const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// Temporary credentials: the token must travel in `x-amz-security-token` (REST) and
/// `X-Amz-Security-Token` (presigned WSS URL); its `/`, `+` and `=` need percent-encoding.
const TEMP_ACCESS_KEY: &str = "ASIAIOSFODNN7EXAMPLE";
const TEMP_SECRET: &str = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY";
const TEMP_TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLXdlc3QtMiJHMEUCIQD+abc/def=";
const TURN_SECRET: &str = "rtcam-js-sdk-turn-secret";
/// The longest a driver may run (each also has its own, shorter, deadline).
const DRIVER_TIMEOUT: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Harness: Node, the npm packages, the server, the drivers.

/// The cache directory `scripts/install.sh` installs into.
fn rtcam_cache() -> PathBuf {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("neither XDG_CACHE_HOME nor HOME is set")
        .join("rtcam")
}

/// Node.js >= 20 (the AWS SDK v3 needs it): the one `scripts/install.sh` put in the cache
/// where the system's is older (Debian 12 ships 18), else `node` on PATH; fails the test
/// loudly otherwise.
fn require_node() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let cached = rtcam_cache().join("node20/bin/node");
    let node = std::iter::once(cached)
        .chain(std::env::split_paths(&path).map(|d| d.join("node")))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`node` was not found on PATH. The KVS JS SDK tests need Node.js >= 20 and the \
                 pinned npm packages: run `scripts/install.sh kvs-js` (Debian packages nodejs npm, \
                 then npm ci into ~/.cache/rtcam/node/kvs)."
            )
        });
    let out = Command::new(&node).arg("--version").output().unwrap();
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let major: u32 = v
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    assert!(
        major >= 20,
        "{} is Node.js {v}; the AWS SDK for JavaScript v3 clients need Node.js >= 20",
        node.display()
    );
    node
}

/// The directory `scripts/install.sh kvs-js` installed the pinned packages into; fails the
/// test when they are missing or were installed from another lockfile.
fn require_js_packages() -> PathBuf {
    let dir = std::env::var_os("RTCAM_KVS_JS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| rtcam_cache().join("node/kvs"));
    for pkg in [
        "amazon-kinesis-video-streams-webrtc",
        "@aws-sdk/client-kinesis-video",
        "@aws-sdk/client-kinesis-video-signaling",
        "ws",
    ] {
        let manifest = dir.join("node_modules").join(pkg).join("package.json");
        assert!(
            manifest.is_file(),
            "npm package {pkg} not found under {}: run `scripts/install.sh kvs-js` \
             (npm ci of signaling/tests/js/package-lock.json)",
            dir.display()
        );
    }
    let want = std::fs::read(js_src().join("package-lock.json")).unwrap();
    let have = std::fs::read(dir.join("package-lock.json")).unwrap_or_default();
    assert!(
        want == have,
        "the npm packages under {} were not installed from signaling/tests/js/package-lock.json \
         (stale install): run `scripts/install.sh kvs-js`",
        dir.display()
    );
    dir
}

fn js_src() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// A file removed on drop.
struct TempFile(PathBuf);

impl TempFile {
    fn new(tag: &str, contents: &str) -> TempFile {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "rtcam-js-sdk-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&path, contents).unwrap();
        TempFile(path)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The local server in TLS mode, its certificate in a file for `NODE_EXTRA_CA_CERTS`, and
/// what a driver needs to run.
struct Fixture {
    server: ServerHandle,
    ca: TempFile,
    node: PathBuf,
    js_dir: PathBuf,
}

impl Fixture {
    fn start() -> Fixture {
        let node = require_node();
        let js_dir = require_js_packages();
        let config = Config {
            tls: true,
            region: REGION.into(),
            access_keys: vec![
                AccessKey {
                    access_key_id: ACCESS_KEY.into(),
                    secret_access_key: SECRET.into(),
                    session_token: None,
                },
                AccessKey {
                    access_key_id: TEMP_ACCESS_KEY.into(),
                    secret_access_key: TEMP_SECRET.into(),
                    session_token: Some(TEMP_TOKEN.into()),
                },
            ],
            turn_uris: vec![
                "turn:127.0.0.1:3478?transport=udp".into(),
                "turn:127.0.0.1:3478?transport=tcp".into(),
                "turns:127.0.0.1:5349?transport=tcp".into(),
            ],
            turn_secret: Some(TURN_SECRET.into()),
            ..Config::default()
        };
        let server = Server::start(config).expect("start the local KVS server");
        let pem = server
            .certificate_pem()
            .expect("TLS mode has a certificate")
            .to_string();
        Fixture {
            ca: TempFile::new("ca.pem", &pem),
            server,
            node,
            js_dir,
        }
    }

    /// The config every driver takes: where the control plane is, and the credentials.
    fn base(&self, temporary: bool) -> Value {
        let (key, secret, token) = if temporary {
            (TEMP_ACCESS_KEY, TEMP_SECRET, Some(TEMP_TOKEN))
        } else {
            (ACCESS_KEY, SECRET, None)
        };
        json!({
            "endpoint": self.server.endpoint(),
            "region": REGION,
            "accessKeyId": key,
            "secretAccessKey": secret,
            "sessionToken": token,
        })
    }

    fn driver(&self, script: &str, config: &Value) -> Driver {
        let mut child = Command::new(&self.node)
            // The AWS SDK warns on stderr that Node 20 support ends in 2027; nothing else.
            .arg("--no-warnings")
            .arg(js_src().join(script))
            .arg(config.to_string())
            .env("RTCAM_KVS_JS_DIR", &self.js_dir)
            .env("NODE_EXTRA_CA_CERTS", &self.ca.0)
            .current_dir(js_src())
            // Held open: a driver in master mode stays connected until it ends.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("run node {script}: {e}"));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        Driver {
            name: script.to_string(),
            stdin: child.stdin.take(),
            child,
            lines,
            stderr: Some(stderr),
            started: Instant::now(),
        }
    }
}

/// A running Node driver; killed on drop.
struct Driver {
    name: String,
    stdin: Option<ChildStdin>,
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Option<thread::JoinHandle<String>>,
    started: Instant,
}

impl Driver {
    fn remaining(&self) -> Duration {
        DRIVER_TIMEOUT.saturating_sub(self.started.elapsed())
    }

    /// The next stdout line, as JSON.
    fn next_json(&mut self) -> Value {
        match self.lines.recv_timeout(self.remaining()) {
            Ok(line) => serde_json::from_str(&line)
                .unwrap_or_else(|e| self.die(&format!("not a JSON line ({e}): {line}"))),
            Err(_) => self.die("exited or timed out before its next line"),
        }
    }

    /// Ends the driver's stdin: a master-mode driver then reports and disconnects.
    #[cfg_attr(not(feature = "client"), allow(dead_code))] // the `client` tests use it
    fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Waits for the driver's `{"ok":true}` report line and its exit; fails the test with the
    /// report and the driver's stderr otherwise.
    fn report(mut self) -> Value {
        let v = self.next_json();
        if v["ok"] != json!(true) {
            self.die(&format!("reported failure: {v}"));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait().unwrap() {
                Some(status) if status.success() => break,
                Some(status) => self.die(&format!("exited with {status} after reporting {v}")),
                None if Instant::now() > deadline => self.die("did not exit after its report"),
                None => thread::sleep(Duration::from_millis(10)),
            }
        }
        eprintln!("{}: {v}", self.name);
        v
    }

    fn die(&mut self, what: &str) -> ! {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        // Whatever else it printed (e.g. its {"ok":false,...} line).
        let rest: Vec<String> = self.lines.try_iter().collect();
        panic!(
            "node {}: {what}\nstdout: {}\nstderr: {stderr}",
            self.name,
            rest.join("\n")
        );
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Real-looking signaling payloads, as compact JSON text the way the JS SDK writes them
// (`JSON.stringify` of the RTCSessionDescription / RTCIceCandidate init objects).

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// A browser-like viewer offer (audio, video, data channel) or the camera's answer.
fn sdp(kind: &str, session: u64, ufrag: &str) -> String {
    let (audio_dir, video_dir, setup) = if kind == "offer" {
        ("sendrecv", "recvonly", "actpass")
    } else {
        ("sendrecv", "sendonly", "passive")
    };
    let fp = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:8D:2F:5E:\
              1B:0A:3C:E5:5D:6D:8E:9A:2F";
    let mut s = format!(
        "v=0\r\no=- {session} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
         a=group:BUNDLE 0 1 2\r\na=extmap-allow-mixed\r\na=msid-semantic: WMS\r\n"
    );
    for (mid, m) in [
        ("0", "audio 9 UDP/TLS/RTP/SAVPF 111"),
        ("1", "video 9 UDP/TLS/RTP/SAVPF 96 97"),
        ("2", "application 9 UDP/DTLS/SCTP webrtc-datachannel"),
    ] {
        s += &format!(
            "m={m}\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:{ufrag}\r\n\
             a=ice-pwd:{ufrag}Xq7v2mB9kLwP0sR4tY6uZ1\r\na=ice-options:trickle\r\n\
             a=fingerprint:{fp}\r\na=setup:{setup}\r\na=mid:{mid}\r\n"
        );
        match mid {
            "0" => {
                s += &format!(
                    "a={audio_dir}\r\na=rtcp-mux\r\na=rtpmap:111 opus/48000/2\r\n\
                     a=rtcp-fb:111 transport-cc\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
                )
            }
            "1" => {
                s += &format!(
                    "a={video_dir}\r\na=rtcp-mux\r\na=rtcp-rsize\r\na=rtpmap:96 H264/90000\r\n\
                     a=rtcp-fb:96 nack\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:96 goog-remb\r\n\
                     a=fmtp:96 level-asymmetry-allowed=1;packetization-mode=1;\
                     profile-level-id=42e01f\r\na=rtpmap:97 rtx/90000\r\na=fmtp:97 apt=96\r\n"
                )
            }
            _ => s += "a=sctp-port:5000\r\na=max-message-size:262144\r\n",
        }
    }
    format!(r#"{{"type":{},"sdp":{}}}"#, json_str(kind), json_str(&s))
}

/// Host, server-reflexive and relay candidates for m-line 0, numbered from `port`.
fn candidates(port: u16, ufrag: &str) -> Vec<String> {
    [
        format!("candidate:1467250027 1 udp 2122260223 127.0.0.1 {port} typ host generation 0 ufrag {ufrag} network-id 1"),
        format!("candidate:2354716745 1 udp 1686052607 192.0.2.10 {} typ srflx raddr 127.0.0.1 rport {port} generation 0 ufrag {ufrag} network-id 1", port + 1),
        format!("candidate:3745183467 1 udp 41885439 198.51.100.7 {} typ relay raddr 192.0.2.10 rport {} generation 0 ufrag {ufrag} network-id 1", port + 2, port + 1),
        format!("candidate:1 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 ufrag {ufrag} network-id 1"),
    ]
    .iter()
    .map(|c| format!(r#"{{"candidate":{},"sdpMid":"0","sdpMLineIndex":0}}"#, json_str(c)))
    .collect()
}

/// One viewer's side of the exchange and the master's replies to it.
fn viewer_script(i: u16, client_id: &str) -> Value {
    let vu = format!("vw{i}X");
    let mu = format!("ms{i}Y");
    json!({
        "clientId": client_id,
        "offer": sdp("offer", 4_611_686_018_427_387_000 + u64::from(i), &vu),
        "candidates": candidates(50_000 + 10 * i, &vu),
        "answer": sdp("answer", 7_001_000 + u64::from(i), &mu),
        "masterCandidates": candidates(60_000 + 10 * i, &mu),
    })
}

fn with(mut base: Value, extra: Value) -> Value {
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    base
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn control_plane_through_aws_sdk_v3() {
    let f = Fixture::start();
    let r = f
        .driver(
            "control.mjs",
            &with(f.base(false), json!({"channelName": "js-control-plane"})),
        )
        .report();

    let arn = r["channelArn"].as_str().unwrap();
    assert!(
        arn.starts_with("arn:aws:kinesisvideo:us-west-2:123456789012:channel/js-control-plane/"),
        "{arn}"
    );
    // The endpoints point back at this server, over TLS.
    let port = f.server.local_addr().port();
    for role in ["MASTER", "VIEWER"] {
        let wss = r["endpoints"][role]["WSS"].as_str().unwrap();
        let https = r["endpoints"][role]["HTTPS"].as_str().unwrap();
        assert!(
            wss.starts_with("wss://") && wss.ends_with(&format!(":{port}")),
            "{wss}"
        );
        assert!(
            https.starts_with("https://") && https.ends_with(&format!(":{port}")),
            "{https}"
        );
    }
    // TURN REST credentials a coturn with the same static-auth-secret accepts: the password
    // is base64(HMAC-SHA1(secret, username)), the username `<expiry>:<ClientId>`.
    let ice = r["iceServerList"].as_array().unwrap();
    assert!(!ice.is_empty(), "no ICE servers: {r}");
    let uris: Vec<&str> = ice
        .iter()
        .flat_map(|s| s["Uris"].as_array().unwrap())
        .map(|u| u.as_str().unwrap())
        .collect();
    assert!(
        uris.contains(&"turns:127.0.0.1:5349?transport=tcp"),
        "{uris:?}"
    );
    for s in ice {
        let user = s["Username"].as_str().unwrap();
        let (expiry, client) = user.split_once(':').unwrap();
        assert_eq!(client, "js-viewer-1");
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let expiry: u64 = expiry.parse().unwrap();
        assert!(
            expiry > now && expiry <= now + 301,
            "expiry {expiry} now {now}"
        );
        assert_eq!(
            s["Password"].as_str().unwrap(),
            turn_password(TURN_SECRET, user)
        );
        assert_eq!(s["Ttl"], json!(300));
    }
    assert_eq!(r["notFound"]["name"], "ResourceNotFoundException");
    assert_eq!(r["duplicateCreate"]["name"], "ResourceInUseException");
    assert_eq!(r["staleDelete"]["name"], "VersionMismatchException");
    assert_eq!(r["wrongKey"]["httpStatusCode"], 403);
    assert_eq!(r["clockSkew"]["attempts"], 2);
    assert_eq!(r["mediaStorageConfiguration"]["Status"], "DISABLED");
    assert!(f.server.channel("js-control-plane").is_none(), "deleted");
}

#[test]
fn js_master_and_js_viewers() {
    let f = Fixture::start();
    let viewers = vec![
        viewer_script(1, "js-viewer-1"),
        viewer_script(2, "js-viewer.2_b"),
    ];
    // Temporary credentials: the session token goes through both the REST headers and the
    // presigned WSS URL.
    let r = f
        .driver(
            "signal.mjs",
            &with(
                f.base(true),
                json!({"mode": "pair", "channelName": "js-pair", "create": true,
                       "viewers": viewers}),
            ),
        )
        .report();
    // Routed per viewer, both ways, and nothing else arrived anywhere.
    let frames = |v: &Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["messageType"].as_str().unwrap().to_string(),
                    f["senderClientId"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let master = frames(&r["masterFrames"]);
    for id in ["js-viewer-1", "js-viewer.2_b"] {
        let from: Vec<&str> = master
            .iter()
            .filter(|(_, s)| s == id)
            .map(|(t, _)| t.as_str())
            .collect();
        let extra = usize::from(id == "js-viewer-1"); // the candidate after the STATUS_RESPONSE
        assert_eq!(from.first(), Some(&"SDP_OFFER"), "{id}: {from:?}");
        assert_eq!(
            from.iter().filter(|t| **t == "ICE_CANDIDATE").count(),
            4 + extra,
            "{id}: {from:?}"
        );
        let to = frames(&r["viewerFrames"][id]);
        let types: Vec<&str> = to.iter().map(|(t, _)| t.as_str()).collect();
        let status = usize::from(id == "js-viewer-1");
        assert_eq!(types.len(), 1 + 4 + status, "{id}: {types:?}");
        assert_eq!(types[0], "SDP_ANSWER", "{id}: {types:?}");
    }
    assert_eq!(r["statusResponse"]["correlationId"], "corr-oversized-1");
    let stats = f.server.stats();
    // Per viewer: offer + 4 candidates in, answer + 4 candidates out; then one more candidate.
    assert!(stats.delivered >= 21, "{stats:?}");
    assert!(stats.status_responses >= 1, "{stats:?}");
    // Four presigned URLs refused at the upgrade (wrong key, stale, bad id, unknown channel).
    let codes: Vec<&str> = r["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            x["error"]
                .as_str()
                .unwrap()
                .trim_start_matches("Unexpected server response: ")
        })
        .collect();
    assert_eq!(codes.len(), 4, "{r}");
    assert_eq!(&codes[..3], ["403", "403", "400"], "{r}");
    assert!(codes[3].starts_with('4'), "{r}");
    assert!(stats.connections_refused >= 4, "{stats:?}");
}

/// Our `SignalingClient` on one side of the channel, the JS SDK on the other.
#[cfg(feature = "client")]
mod with_our_client {
    use super::*;
    use rtcam_signaling::client::credentials::{OwnedCredentials, StaticProvider};
    use rtcam_signaling::client::tls::{RootSource, TlsOptions};
    use rtcam_signaling::client::{ClientConfig, ClientEvent, PeerMessage, SignalingClient};
    use rtcam_signaling::policy::Role;

    /// Our client, trusting exactly the server's certificate.
    fn our_client(
        f: &Fixture,
        channel: &str,
        role: Role,
        client_id: &str,
        temporary: bool,
    ) -> SignalingClient {
        let mut c = ClientConfig::new(REGION, channel, role, client_id);
        c.endpoint_override = Some(f.server.endpoint());
        c.tls = TlsOptions {
            roots: RootSource::ExtraOnly,
            ..TlsOptions::default()
        }
        .with_extra_roots_pem(f.server.certificate_pem().unwrap().as_bytes())
        .unwrap();
        c.call_timeout = Duration::from_secs(5);
        let creds = if temporary {
            OwnedCredentials::new(TEMP_ACCESS_KEY, TEMP_SECRET, Some(TEMP_TOKEN))
        } else {
            OwnedCredentials::new(ACCESS_KEY, SECRET, None)
        };
        SignalingClient::new(c, Box::new(StaticProvider(creds))).unwrap()
    }

    /// Polls until `pick` accepts an event; anything else but `Connected` fails the test.
    fn next<T>(
        c: &mut SignalingClient,
        what: &str,
        mut pick: impl FnMut(&ClientEvent) -> Option<T>,
    ) -> T {
        let end = Instant::now() + Duration::from_secs(15);
        while Instant::now() < end {
            match c.poll_event(Duration::from_millis(50)) {
                Ok(Some(ev)) => {
                    if let Some(t) = pick(&ev) {
                        return t;
                    }
                    match ev {
                        ClientEvent::Connected { .. } | ClientEvent::IceServersUpdated => {}
                        other => panic!("waiting for {what}: unexpected {other:?}"),
                    }
                }
                Ok(None) => {}
                Err(e) => panic!("waiting for {what}: {e}"),
            }
        }
        panic!("no {what} within 15 s");
    }

    fn connected(c: &mut SignalingClient) {
        next(c, "Connected", |e| {
            matches!(e, ClientEvent::Connected { .. }).then_some(())
        });
        assert!(!c.ice_servers().is_empty(), "our client got no ICE servers");
    }

    fn texts(v: &Value) -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap().to_string())
            .collect()
    }

    /// The payload as text, and that it is exactly `want` (byte for byte).
    fn same_bytes(m: &PeerMessage, want: &str, what: &str) {
        assert_eq!(
            m.payload_str(),
            want,
            "{what}: payload differs from what the JS SDK sent"
        );
        assert_eq!(m.payload, want.as_bytes(), "{what}");
    }

    #[test]
    fn js_master_with_rust_viewer() {
        let f = Fixture::start();
        let script = viewer_script(3, "rust-viewer-1");
        let mut master = f.driver(
            "signal.mjs",
            &with(
                f.base(false),
                json!({"mode": "master", "channelName": "js-master-rust-viewer", "create": true,
                       "viewers": [script.clone()]}),
            ),
        );
        let ready = master.next_json();
        assert_eq!(
            ready,
            json!({"ready": true}),
            "the JS master did not come up"
        );

        let mut viewer = our_client(
            &f,
            "js-master-rust-viewer",
            Role::Viewer,
            "rust-viewer-1",
            false,
        );
        connected(&mut viewer);
        viewer
            .send_offer(None, script["offer"].as_str().unwrap().as_bytes())
            .unwrap();
        for c in texts(&script["candidates"]) {
            viewer.send_candidate(None, c.as_bytes()).unwrap();
        }
        let answer = next(&mut viewer, "the JS master's answer", |e| match e {
            ClientEvent::Answer(m) => Some(m.clone()),
            _ => None,
        });
        same_bytes(&answer, script["answer"].as_str().unwrap(), "SDP answer");
        // Candidates are held until the answer is applied.
        viewer.offer_applied(answer.sender.as_deref());
        for (i, want) in texts(&script["masterCandidates"]).iter().enumerate() {
            let c = next(&mut viewer, "the JS master's candidates", |e| match e {
                ClientEvent::Candidate(m) => Some(m.clone()),
                _ => None,
            });
            assert_eq!(c.sender, answer.sender);
            same_bytes(&c, want, &format!("candidate {i}"));
        }
        master.close_stdin();
        // The JS master checked our offer and candidates byte for byte on its raw frames.
        let r = master.report();
        let from_us = r["masterFrames"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["senderClientId"] == "rust-viewer-1")
            .count();
        assert_eq!(from_us, 1 + 4, "{r}");
        viewer.close();
    }

    #[test]
    fn rust_master_with_js_viewer() {
        let f = Fixture::start();
        f.server.create_channel("rust-master-js-viewer").unwrap();
        let script = viewer_script(4, "js-viewer-7");
        // Temporary credentials on our side (token in the headers and the presigned URL).
        let mut master = our_client(&f, "rust-master-js-viewer", Role::Master, "rust-cam", true);
        connected(&mut master);
        let viewer = f.driver(
            "signal.mjs",
            &with(
                f.base(false),
                json!({"mode": "viewer", "channelName": "rust-master-js-viewer",
                       "viewers": [script.clone()]}),
            ),
        );
        let offer = next(&mut master, "the JS viewer's offer", |e| match e {
            ClientEvent::Offer(m) => Some(m.clone()),
            _ => None,
        });
        assert_eq!(offer.sender.as_deref(), Some("js-viewer-7"));
        same_bytes(&offer, script["offer"].as_str().unwrap(), "SDP offer");
        master.offer_applied(Some("js-viewer-7"));
        master
            .send_answer(
                Some("js-viewer-7"),
                script["answer"].as_str().unwrap().as_bytes(),
            )
            .unwrap();
        for c in texts(&script["masterCandidates"]) {
            master
                .send_candidate(Some("js-viewer-7"), c.as_bytes())
                .unwrap();
        }
        for (i, want) in texts(&script["candidates"]).iter().enumerate() {
            let c = next(&mut master, "the JS viewer's candidates", |e| match e {
                ClientEvent::Candidate(m) => Some(m.clone()),
                _ => None,
            });
            assert_eq!(c.sender.as_deref(), Some("js-viewer-7"));
            same_bytes(&c, want, &format!("candidate {i}"));
        }
        // The JS viewer checked our answer and candidates byte for byte on its raw frames.
        let r = viewer.report();
        assert_eq!(
            r["viewerFrames"]["js-viewer-7"].as_array().unwrap().len(),
            1 + 4
        );
        master.close();
    }
}
