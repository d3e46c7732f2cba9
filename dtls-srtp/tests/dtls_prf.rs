//! TLS 1.2 PRF, key schedule and exporter: published vectors, and a live cross-check with
//! OpenSSL's DTLS 1.2 (s_server ↔ s_client on 127.0.0.1 through a recording UDP relay): from
//! the key log and the captured hellos we must reproduce the "Keying material" both print,
//! decrypt the client's records with our record protection, and recompute its Finished.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use common::hex;
use rtcam_dtls_srtp::dtls::prf::{self, MasterSecret, PrfHash, Side, TranscriptHash};
use rtcam_dtls_srtp::dtls::reassembly::Reassembler;
use rtcam_dtls_srtp::dtls::record_crypto::{Aead, RecordProtection};
use rtcam_dtls_srtp::dtls::wire::*;
use rtcam_dtls_srtp::srtp::{Profile, split_keying_material};

#[test]
fn prf_sha256_vector() {
    // The TLS 1.2 PRF vector from the IETF TLS list (msg03416), used by many implementations.
    let mut out = [0u8; 100];
    prf::prf(
        PrfHash::Sha256,
        &hex("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&hex("a0ba9f936cda311827a6f796ffd5198c")],
        &mut out,
    );
    assert_eq!(
        out.to_vec(),
        hex(
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a\
             6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab\
             4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701\
             87347b66"
        )
    );
}

#[test]
fn prf_sha384_vector() {
    let seed = hex("cd665cf6a8447dd6ff8b27555edb7465");
    let mut out = [0u8; 148];
    // Split seed: the parts are concatenated.
    prf::prf(
        PrfHash::Sha384,
        &hex("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &[&seed[..5], &seed[5..]],
        &mut out,
    );
    assert_eq!(
        out.to_vec(),
        hex(
            "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd\
             e9ca0faa60be9fe34f82b1233c9146a0e534cb400fed2700884f9dc236f80edd\
             8bfa961144c9e8d792eca722a7b32fc3d416d473ebc2c5fd4abfdad05d918425\
             9b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9aee6\
             91c8f3a26854308d5eaa3be85e0990703d73e56f"
        )
    );
}

#[test]
fn derived_values_are_prf_calls() {
    // master secret, EMS, key block, verify_data and exporter are the PRF with their labels
    // and seeds (RFC 5246 §8.1, RFC 7627 §4, §6.3, §7.4.9, RFC 5705 §4).
    let pms = [0x11u8; 32];
    let cr = [0x22u8; 32];
    let sr = [0x33u8; 32];
    for hash in [PrfHash::Sha256, PrfHash::Sha384] {
        let ms = prf::master_secret(hash, &pms, &cr, &sr);
        let mut want = [0u8; 48];
        prf::prf(hash, &pms, b"master secret", &[&cr, &sr], &mut want);
        assert_eq!(ms.0, want);
        let ems = prf::extended_master_secret(hash, &pms, &[0x44; 32]);
        prf::prf(
            hash,
            &pms,
            b"extended master secret",
            &[&[0x44; 32]],
            &mut want,
        );
        assert_eq!(ems.0, want);
        assert_eq!(format!("{ms:?}"), "MasterSecret(redacted)");
        let mut kb = [0u8; 40];
        prf::key_block(hash, &ms, &cr, &sr, &mut kb);
        let mut want = [0u8; 40];
        prf::prf(hash, &ms.0, b"key expansion", &[&sr, &cr], &mut want);
        assert_eq!(kb, want);
        let vd = prf::verify_data(hash, &ms, Side::Server, &[0x55; 48]);
        let mut want = [0u8; 12];
        prf::prf(hash, &ms.0, b"server finished", &[&[0x55; 48]], &mut want);
        assert_eq!(vd, want);
        assert!(prf::verify_data_matches(&vd, &want));
        assert!(!prf::verify_data_matches(&vd, &want[..11]));
        let mut a = [0u8; 60];
        let mut b = [0u8; 60];
        prf::export_srtp_keying_material(hash, &ms, &cr, &sr, &mut a);
        prf::export_keying_material(hash, &ms, b"EXTRACTOR-dtls_srtp", &cr, &sr, None, &mut b)
            .unwrap();
        assert_eq!(a, b);
        prf::export_keying_material(hash, &ms, b"EXPORTER-x", &cr, &sr, Some(b"ctx"), &mut b)
            .unwrap();
        let mut want = [0u8; 60];
        prf::prf(
            hash,
            &ms.0,
            b"EXPORTER-x",
            &[&cr, &sr, &[0, 3], b"ctx"],
            &mut want,
        );
        assert_eq!(b, want);
        assert!(
            prf::export_keying_material(hash, &ms, b"key expansion", &cr, &sr, None, &mut b)
                .is_err()
        );
    }
}

// ---- OpenSSL cross-check ----

fn require_tool(name: &str) {
    let found = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file()))
        .unwrap_or(false);
    assert!(
        found,
        "`{name}` was not found on PATH. This interop test needs the OpenSSL command-line tool \
         (Debian package `openssl`); scripts/install.sh installs it."
    );
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads lines from a child's stdout on a thread.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

fn wait_for(rx: &mpsc::Receiver<String>, what: &str, log: &mut Vec<String>) -> String {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(100)) {
            log.push(line.clone());
            if line.contains(what) {
                return line;
            }
        }
    }
    panic!(
        "openssl never printed {what:?}; output so far:\n{}",
        log.join("\n")
    );
}

#[derive(Clone)]
struct Captured {
    from_client: bool,
    data: Vec<u8>,
}

/// A UDP relay between s_client and s_server that records every datagram.
fn relay(server_port: u16) -> (u16, Arc<Mutex<Vec<Captured>>>, Arc<AtomicBool>) {
    let front = UdpSocket::bind("127.0.0.1:0").unwrap();
    let back = UdpSocket::bind("127.0.0.1:0").unwrap();
    back.connect(("127.0.0.1", server_port)).unwrap();
    front
        .set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    back.set_read_timeout(Some(Duration::from_millis(5)))
        .unwrap();
    let port = front.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (log2, stop2) = (log.clone(), stop.clone());
    std::thread::spawn(move || {
        let mut client = None;
        let mut buf = [0u8; 65536];
        while !stop2.load(Ordering::Relaxed) {
            if let Ok((n, from)) = front.recv_from(&mut buf) {
                client = Some(from);
                log2.lock().unwrap().push(Captured {
                    from_client: true,
                    data: buf[..n].to_vec(),
                });
                let _ = back.send(&buf[..n]);
            }
            if let Ok(n) = back.recv(&mut buf) {
                log2.lock().unwrap().push(Captured {
                    from_client: false,
                    data: buf[..n].to_vec(),
                });
                if let Some(c) = client {
                    let _ = front.send_to(&buf[..n], c);
                }
            }
        }
    });
    (port, log, stop)
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn keying_material(line: &str) -> Vec<u8> {
    hex(line.split("Keying material:").nth(1).unwrap().trim())
}

/// One DTLS 1.2 handshake between OpenSSL's client and server with `cipher`, checked against
/// our PRF, exporter, record protection and transcript.
fn openssl_session(cipher: &str, suite: CipherSuite, hash: PrfHash) {
    require_tool("openssl");
    let dir =
        std::env::temp_dir().join(format!("rtcam-dtls-prf-{}-{}", std::process::id(), suite.0));
    std::fs::create_dir_all(&dir).unwrap();
    let (crt, key, keylog) = (dir.join("c.crt"), dir.join("c.key"), dir.join("keylog.txt"));
    let st = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
        ])
        .args(["-subj", "/CN=rtcam-test", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "openssl req failed");
    let common = |c: &mut Command| {
        c.args([
            "-dtls1_2",
            "-cipher",
            cipher,
            "-use_srtp",
            "SRTP_AES128_CM_SHA1_80",
        ])
        .args([
            "-keymatexport",
            "EXTRACTOR-dtls_srtp",
            "-keymatexportlen",
            "60",
        ])
        .arg("-cert")
        .arg(&crt)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    };
    let server_port = free_udp_port();
    let mut s = Command::new("openssl");
    s.arg("s_server").args([
        "-accept",
        &format!("127.0.0.1:{server_port}"),
        "-naccept",
        "1",
    ]);
    common(&mut s);
    let mut server = KillOnDrop(s.spawn().unwrap());
    let srx = lines_of(&mut server.0);
    let mut slog = Vec::new();
    wait_for(&srx, "ACCEPT", &mut slog);
    let (relay_port, captured, stop) = relay(server_port);
    let mut c = Command::new("openssl");
    c.arg("s_client")
        .args(["-connect", &format!("127.0.0.1:{relay_port}")])
        .arg("-keylogfile")
        .arg(&keylog);
    common(&mut c);
    let mut client = KillOnDrop(c.spawn().unwrap());
    let crx = lines_of(&mut client.0);
    let mut clog = Vec::new();
    let client_km = keying_material(&wait_for(&crx, "Keying material:", &mut clog));
    let server_km = keying_material(&wait_for(&srx, "Keying material:", &mut slog));
    client
        .0
        .stdin
        .as_mut()
        .unwrap()
        .write_all(b"hello-over-dtls\n")
        .unwrap();
    wait_for(&srx, "hello-over-dtls", &mut slog);
    stop.store(true, Ordering::Relaxed);
    drop(client);
    drop(server);
    assert_eq!(client_km, server_km, "OpenSSL's two sides disagree");
    assert_eq!(client_km.len(), 60);

    // The key log: CLIENT_RANDOM <client random> <master secret>.
    let keylog = std::fs::read_to_string(&keylog).unwrap();
    let line = keylog
        .lines()
        .find(|l| l.starts_with("CLIENT_RANDOM "))
        .expect("no CLIENT_RANDOM in key log");
    let mut parts = line.split_whitespace().skip(1);
    let log_cr: [u8; 32] = hex(parts.next().unwrap()).try_into().unwrap();
    let ms = MasterSecret(hex(parts.next().unwrap()).try_into().unwrap());
    let _ = std::fs::remove_dir_all(&dir);

    // Reassemble both directions' epoch-0 handshake messages with our own parsers.
    let captured = captured.lock().unwrap().clone();
    let mut rc: Reassembler<8192> = Reassembler::new(0);
    let mut rs: Reassembler<8192> = Reassembler::new(0);
    let mut client_msgs = Vec::new();
    let mut server_msgs = Vec::new();
    let mut client_protected = Vec::new();
    for d in &captured {
        for rec in Records::new(&d.data) {
            let rec = rec.unwrap();
            if rec.header.epoch != 0 {
                if d.from_client {
                    client_protected.push((rec.header, rec.fragment.to_vec()));
                }
                continue;
            }
            if rec.header.content_type != ContentType::HANDSHAKE {
                continue;
            }
            let (r, out) = if d.from_client {
                (&mut rc, &mut client_msgs)
            } else {
                (&mut rs, &mut server_msgs)
            };
            for f in HandshakeFragments::new(rec.fragment) {
                r.insert(&f.unwrap()).unwrap();
                while let Some(m) = r.next_message() {
                    out.push((m.message_seq, m.msg_type, m.body.to_vec()));
                    r.advance();
                }
            }
        }
    }
    // s_server does the cookie exchange: ClientHello, HelloVerifyRequest, ClientHello again.
    let hvr = Handshake::parse(server_msgs[0].1, &server_msgs[0].2).unwrap();
    let Handshake::HelloVerifyRequest(hvr) = hvr else {
        panic!("{hvr:?}")
    };
    let ch_at = client_msgs
        .iter()
        .rposition(|m| m.1 == HandshakeType::CLIENT_HELLO)
        .unwrap();
    let sh_at = server_msgs
        .iter()
        .position(|m| m.1 == HandshakeType::SERVER_HELLO)
        .unwrap();
    let shd_at = server_msgs
        .iter()
        .position(|m| m.1 == HandshakeType::SERVER_HELLO_DONE)
        .unwrap();
    let ch = ClientHello::parse(&client_msgs[ch_at].2).unwrap();
    assert_eq!(ch.cookie, hvr.cookie);
    let sh = ServerHello::parse(&server_msgs[sh_at].2).unwrap();
    // Every message either side sent parses.
    for (_, t, body) in client_msgs.iter().chain(&server_msgs) {
        Handshake::parse(*t, body).unwrap();
    }
    assert_eq!(ch.random, log_cr);
    assert_eq!(sh.cipher_suite, suite);
    assert!(
        sh.extensions.extended_master_secret,
        "OpenSSL 3 negotiates EMS"
    );
    assert_eq!(
        sh.extensions
            .use_srtp
            .unwrap()
            .profiles
            .iter()
            .next()
            .and_then(Profile::from_id),
        Some(Profile::Aes128CmHmacSha1_80)
    );

    // 1. The exporter reproduces OpenSSL's keying material, and splits for SRTP.
    let mut km = [0u8; 60];
    prf::export_srtp_keying_material(hash, &ms, &ch.random, &sh.random, &mut km);
    assert_eq!(km.to_vec(), client_km, "exporter differs from OpenSSL");
    let (ck, sk) = split_keying_material(Profile::Aes128CmHmacSha1_80, &km).unwrap();
    assert_eq!((ck.key.len(), sk.salt.len()), (16, 14));

    // 2. The key block opens the client's protected records: Finished and the app data.
    let (aead, h) = Aead::for_suite(suite).unwrap();
    assert_eq!(h, hash);
    let mut kb = vec![0u8; aead.key_block_len()];
    prf::key_block(hash, &ms, &ch.random, &sh.random, &mut kb);
    let (client_write, _server_write) = RecordProtection::from_key_block(aead, &kb).unwrap();
    let mut finished = None;
    let mut app = Vec::new();
    for (header, frag) in &client_protected {
        let mut frag = frag.clone();
        let plain = client_write
            .open(header, &mut frag)
            .expect("our AES-GCM opens OpenSSL's record")
            .to_vec();
        match header.content_type {
            ContentType::HANDSHAKE => finished = Some(plain),
            ContentType::APPLICATION_DATA => app.extend_from_slice(&plain),
            _ => {}
        }
        // Tampering with the header (the additional data) breaks it.
        let mut frag2 = frag.clone();
        let bad = RecordHeader {
            sequence: header.sequence + 1,
            ..*header
        };
        assert!(client_write.open(&bad, &mut frag2).is_err());
    }
    assert!(app.starts_with(b"hello-over-dtls"), "{app:?}");

    // 3. Its Finished is PRF(ms, "client finished", Hash(transcript)).
    let finished = finished.expect("client Finished captured");
    let fh = HandshakeHeader::parse(&finished).unwrap();
    assert_eq!(fh.msg_type, HandshakeType::FINISHED);
    let mut transcript = TranscriptHash::new(hash);
    // RFC 6347 §4.2.6: the transcript starts at the ClientHello with the cookie.
    let all = std::iter::once(&client_msgs[ch_at])
        .chain(&server_msgs[sh_at..=shd_at])
        .chain(&client_msgs[ch_at + 1..]);
    for (seq, t, body) in all {
        transcript.update(&HandshakeHeader::unfragmented(*t, *seq, body.len() as u32).to_bytes());
        transcript.update(body);
    }
    let want = prf::verify_data(hash, &ms, Side::Client, transcript.current().as_bytes());
    assert_eq!(&finished[HANDSHAKE_HEADER_LEN..], &want[..]);
}

#[test]
fn openssl_dtls12_aes128gcm_sha256() {
    openssl_session(
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
        PrfHash::Sha256,
    );
}

#[test]
fn openssl_dtls12_aes256gcm_sha384() {
    openssl_session(
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        CipherSuite::ECDHE_ECDSA_AES256_GCM_SHA384,
        PrfHash::Sha384,
    );
}
