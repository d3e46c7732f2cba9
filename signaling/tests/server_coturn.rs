//! The TURN credentials GetIceServerConfig hands out are accepted by a real coturn
//! started with the same `static-auth-secret` (TURN REST API, `use-auth-secret`): a
//! UDP Allocate with them succeeds, one with a tampered password is refused.
//!
//! Needs `turnserver` (Debian package `coturn`, installed by scripts/install.sh).

#![cfg(all(feature = "server", not(target_arch = "mips")))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use server_support::*;

const REALM: &str = "rtcam.test";

fn require_turnserver() -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = PathBuf::from(dir).join("turnserver");
        if p.is_file() {
            return p;
        }
    }
    panic!("`turnserver` not found: install the Debian package `coturn` (scripts/install.sh does)");
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A STUN message: type, transaction id, attributes (padded), optionally closed by
/// MESSAGE-INTEGRITY computed with `key`.
fn stun(ty: u16, tid: [u8; 12], attrs: &[(u16, Vec<u8>)], key: Option<&[u8]>) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, v) in attrs {
        body.extend_from_slice(&t.to_be_bytes());
        body.extend_from_slice(&(v.len() as u16).to_be_bytes());
        body.extend_from_slice(v);
        while body.len() % 4 != 0 {
            body.push(0);
        }
    }
    let mi_len = if key.is_some() { 24 } else { 0 };
    let mut msg = Vec::new();
    msg.extend_from_slice(&ty.to_be_bytes());
    msg.extend_from_slice(&((body.len() + mi_len) as u16).to_be_bytes());
    msg.extend_from_slice(&0x2112_A442u32.to_be_bytes());
    msg.extend_from_slice(&tid);
    msg.extend_from_slice(&body);
    if let Some(k) = key {
        let mut mac = Hmac::<sha1::Sha1>::new_from_slice(k).unwrap();
        mac.update(&msg);
        msg.extend_from_slice(&0x0008u16.to_be_bytes());
        msg.extend_from_slice(&20u16.to_be_bytes());
        msg.extend_from_slice(&mac.finalize().into_bytes());
    }
    msg
}

fn attr(msg: &[u8], want: u16) -> Option<Vec<u8>> {
    let mut at = 20;
    while at + 4 <= msg.len() {
        let t = u16::from_be_bytes([msg[at], msg[at + 1]]);
        let l = usize::from(u16::from_be_bytes([msg[at + 2], msg[at + 3]]));
        let v = msg.get(at + 4..at + 4 + l)?;
        if t == want {
            return Some(v.to_vec());
        }
        at += 4 + l.div_ceil(4) * 4;
    }
    None
}

/// Allocates a UDP relay with long-term credentials; returns the response type
/// (0x0103 success, 0x0113 error) and the error code if any.
fn allocate(sock: &UdpSocket, user: &str, password: &str) -> (u16, Option<u16>) {
    const ALLOCATE: u16 = 0x0003;
    let transport = (0x0019u16, vec![17, 0, 0, 0]);
    let mut buf = [0u8; 1500];
    // First attempt without credentials: 401 with REALM and NONCE.
    let first = stun(ALLOCATE, [1; 12], std::slice::from_ref(&transport), None);
    sock.send(&first).unwrap();
    let n = sock.recv(&mut buf).expect("coturn answers");
    let resp = &buf[..n];
    let realm = attr(resp, 0x0014).expect("REALM");
    let nonce = attr(resp, 0x0015).expect("NONCE");
    let key =
        Md5::digest(format!("{user}:{}:{password}", String::from_utf8_lossy(&realm)).as_bytes());
    let attrs = [
        (0x0006u16, user.as_bytes().to_vec()),
        (0x0014, realm),
        (0x0015, nonce),
        transport,
    ];
    let second = stun(ALLOCATE, [2; 12], &attrs, Some(&key));
    sock.send(&second).unwrap();
    let n = sock
        .recv(&mut buf)
        .expect("coturn answers the authenticated Allocate");
    let resp = &buf[..n];
    let ty = u16::from_be_bytes([resp[0], resp[1]]);
    let code = attr(resp, 0x0009).map(|v| u16::from(v[2]) * 100 + u16::from(v[3]));
    (ty, code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coturn_accepts_the_ice_server_credentials() {
    let bin = require_turnserver();
    let dir = std::env::temp_dir().join(format!("rtcam-sig-coturn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (port, alt) = (free_udp_port(), free_udp_port());
    let child = Command::new(bin)
        .arg("-n")
        .args(["--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1"])
        .arg(format!("--listening-port={port}"))
        .arg(format!("--alt-listening-port={alt}"))
        .args(["--min-port=49400", "--max-port=49500"])
        .arg(format!("--realm={REALM}"))
        .args(["--use-auth-secret"])
        .arg(format!("--static-auth-secret={TURN_SECRET}"))
        .args([
            "--no-tls",
            "--no-dtls",
            "--no-tcp",
            "--no-cli",
            "--simple-log",
        ])
        .arg(format!("--userdb={}", dir.join("turndb").display()))
        .arg(format!("--pidfile={}", dir.join("pid").display()))
        .arg(format!("--log-file={}", dir.join("log").display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _guard = Kill(child);

    let mut cfg = config();
    cfg.turn_uris = vec![format!("turn:127.0.0.1:{port}?transport=udp")];
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "with-turn").await;
    let ice = post(
        &t,
        "/v1/get-ice-server-config",
        &format!(r#"{{"ChannelARN":"{arn}","ClientId":"viewer-1","Service":"TURN"}}"#),
    )
    .await;
    assert_eq!(ice.status, 200, "{ice:?}");
    let server = ice.json()["IceServerList"][0].clone();
    let user = server["Username"].as_str().unwrap().to_string();
    let pass = server["Password"].as_str().unwrap().to_string();

    let result = tokio::task::spawn_blocking(move || {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.connect(("127.0.0.1", port)).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        // Wait until coturn answers at all.
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut buf = [0u8; 1500];
        loop {
            sock.send(&stun(0x0001, [9; 12], &[], None)).unwrap();
            if sock.recv(&mut buf).is_ok() {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "coturn did not start on port {port}"
            );
        }
        sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
        let good = allocate(&sock, &user, &pass);
        let other = UdpSocket::bind("127.0.0.1:0").unwrap();
        other.connect(("127.0.0.1", port)).unwrap();
        other
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        let bad = allocate(&other, &user, &format!("{pass}x"));
        (good, bad)
    })
    .await
    .unwrap();
    let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(
        result.0,
        (0x0103, None),
        "allocation with the server's credentials; coturn log:\n{log}"
    );
    assert_eq!(
        result.1,
        (0x0113, Some(401)),
        "a tampered password is refused"
    );
}
