//! A real DTLS-SRTP handshake with headless Chromium 156, built only from our crates:
//! `rtcam-sdp` answers Chromium's offer (ICE-lite, one host candidate on 127.0.0.1),
//! `rtcam-stun` answers its connectivity checks (a minimal ICE-lite responder, see
//! `support::IceLite`), and `rtcam-dtls-srtp`'s `Endpoint` does the handshake with
//! Chromium's own DTLS stack (BoringSSL) — as the server (Chromium sends its real, fragmented,
//! DTLS-1.3-capable ClientHello) and as the client (we meet Chromium's DTLS server).
//!
//! Both sides must agree: our endpoint reports `Connected` with the SRTP profile and the
//! fingerprint Chromium's offer announced; Chromium reports `connectionState == connected`,
//! `dtlsState == connected`, DTLS 1.2 (`tlsVersion` FEFD), our cipher suite and SRTP profile,
//! and our certificate's fingerprint. Chromium's SCTP INIT, which it sends over the new DTLS
//! association, must decrypt on our side (application data works Chromium → us).
//!
//! GStreamer webrtcbin (OpenSSL, RSA-2048 certificate) too: our client negotiates
//! TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 with it (`tests/interop/gst_offer_connect.py`).
//!
//! Each test re-executes itself inside a private lo-only network namespace together with
//! Chromium (see `support`'s module docs). Needs what scripts/install.sh installs (Chromium,
//! node + playwright-core, iproute2); a missing tool fails the test naming it.
//!
//! Host only: the test re-executes its own binary inside the namespace, which a
//! cross-compiled binary run by qemu-mipsel cannot do (the peers are native anyway).
#![cfg(not(target_arch = "mips"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::fs;
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use rtcam_dtls_srtp::dtls::cert::{self, CertParams, Identity};
use rtcam_dtls_srtp::dtls::wire::CipherSuite;
use rtcam_dtls_srtp::dtls::{Config, Endpoint, Event, Role};
use rtcam_dtls_srtp::srtp::Profile;
use rtcam_sdp::{
    Candidate, Capabilities, DtlsRole, Fingerprint, HashAlgorithm, Local, Negotiated, Sdp,
    SendStream, Setup,
};
use serde_json::Value;
use support::{ChildGuard, IceLite, Pump, Scratch};

/// Chromium's start-up and offer (a cold start in the namespace takes a few seconds).
const OFFER_TIMEOUT: Duration = Duration::from_secs(25);
/// From writing our answer to Chromium's report (it waits at most 20 s for `connected`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(25);

#[test]
fn chromium_dtls_client_meets_our_dtls_server() {
    support::in_netns(
        "chromium_dtls_client_meets_our_dtls_server",
        support::require_chromium,
        || chromium(Setup::Passive),
    );
}

#[test]
fn our_dtls_client_meets_webrtcbin_rsa_dtls_server() {
    support::in_netns(
        "our_dtls_client_meets_webrtcbin_rsa_dtls_server",
        support::require_gstreamer,
        || webrtcbin(Setup::Active),
    );
}

#[test]
fn our_dtls_client_meets_chromium_dtls_server() {
    support::in_netns(
        "our_dtls_client_meets_chromium_dtls_server",
        support::require_chromium,
        || chromium(Setup::Active),
    );
}

/// SRTP profile name as Chromium's stats spell it (`RTCTransportStats.srtpCipher`: the
/// RFC 5764 / RFC 7714 registry names).
fn stats_name(p: Profile) -> &'static str {
    match p {
        Profile::Aes128CmHmacSha1_80 => "SRTP_AES128_CM_HMAC_SHA1_80",
        Profile::Aes128CmHmacSha1_32 => "SRTP_AES128_CM_HMAC_SHA1_32",
        Profile::AeadAes128Gcm => "SRTP_AEAD_AES_128_GCM",
        Profile::AeadAes256Gcm => "SRTP_AEAD_AES_256_GCM",
    }
}

/// `AB:CD:...` as SDP and getStats() print fingerprints.
fn hex_colon(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// The DTLS pin from the SDP `a=fingerprint` (two crates, two `HashAlgorithm` types).
fn pin(fp: &Fingerprint) -> cert::Fingerprint {
    let alg = cert::HashAlgorithm::from_sdp_name(fp.algorithm().name())
        .unwrap_or_else(|| panic!("unsupported fingerprint hash {}", fp.algorithm().name()));
    cert::Fingerprint::new(alg, fp.digest()).unwrap()
}

/// A real peer that offers: how to start it (its offer and answer file paths appended).
struct Offerer {
    name: &'static str,
    cmd: Command,
}

/// Everything one offer → answer → connect run produced, for the assertions.
struct Outcome {
    role: Role,
    port: u16,
    our_fp: cert::Fingerprint,
    peer_fp: Fingerprint,
    ice: IceLite,
    pump: Pump,
    report: Value,
    ctx: String,
    t_offer: Duration,
    t_total: Duration,
}

/// One full run: the peer offers, we answer (rtcam-sdp) with `setup` (`Passive`: we are the
/// DTLS server; `Active`: the client), then pump its checks (rtcam-stun) and DTLS
/// (rtcam-dtls-srtp) until it reports (and closes its peer connection: close_notify).
fn offer_connect(mut peer: Offerer, setup: Setup) -> Outcome {
    let t_start = Instant::now();
    let scratch = Scratch::new(&format!("{}-{setup:?}", peer.name));
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();

    // --- The peer offers and waits for our answer, then for the connection.
    let (offer_path, answer_path) = (scratch.path("offer.sdp"), scratch.path("answer.sdp"));
    let (out_path, err_path) = (scratch.path("peer.stdout"), scratch.path("peer.stderr"));
    let child = peer
        .cmd
        .arg("--offer-out")
        .arg(&offer_path)
        .arg("--answer-in")
        .arg(&answer_path)
        .current_dir(scratch.dir())
        .env("TMPDIR", scratch.dir())
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", peer.name));
    let mut child = ChildGuard::new(peer.name, child);
    let peer_output = || {
        format!(
            "--- {} stdout:\n{}\n--- stderr:\n{}",
            peer.name,
            fs::read_to_string(&out_path).unwrap_or_default(),
            fs::read_to_string(&err_path).unwrap_or_default()
        )
    };
    let offer = support::wait_for_file(&offer_path, &mut child, OFFER_TIMEOUT);
    let t_offer = t_start.elapsed();

    // --- Our answer (rtcam-sdp): ICE-lite, one host candidate, our certificate's fingerprint.
    let identity = Identity::generate(&mut OsRng, support::unix_now(), &CertParams::default())
        .expect("certificate");
    let our_fp = identity.fingerprint(cert::HashAlgorithm::Sha256);
    let (ufrag, pwd) = (support::ice_string(8), support::ice_string(24));
    let cand_text = format!("1 1 udp 2130706431 127.0.0.1 {port} typ host");
    let candidates = [Candidate::parse(&cand_text).unwrap()];
    let local = Local {
        session_id: 4_611_686_018_427_387_904,
        session_version: 2,
        ice_ufrag: &ufrag,
        ice_pwd: &pwd,
        ice_lite: true,
        fingerprint: Fingerprint::new(HashAlgorithm::Sha256, our_fp.as_bytes()).unwrap(),
        cname: "rtcam-peer-test",
        stream_id: "rtcam",
        video: Some(SendStream {
            track_id: "video0",
            ssrc: 0x1234_5678,
            rtx_ssrc: 0x1234_5679,
        }),
        audio: Some(SendStream {
            track_id: "audio0",
            ssrc: 0x2345_6789,
            rtx_ssrc: 0x2345_678a,
        }),
        candidates: &candidates,
        end_of_candidates: true,
        relay_only: false,
        max_message_size: 262_144,
    };
    let caps = Capabilities {
        setup,
        ..Capabilities::CAMERA
    };
    let sdp: Sdp<'_> = Sdp::parse(&offer).unwrap_or_else(|e| panic!("{e}\n{offer}"));
    let neg: Negotiated<'_> =
        Negotiated::answer(&sdp, &caps).unwrap_or_else(|e| panic!("{e}\n{offer}"));
    let mut answer = String::new();
    neg.write_answer(&local, &mut answer).unwrap();
    let role = match neg.dtls_role {
        DtlsRole::Server => Role::Server,
        DtlsRole::Client => Role::Client,
    };
    let expected_role = match setup {
        Setup::Passive => Role::Server,
        _ => Role::Client,
    };
    assert_eq!(role, expected_role, "offer must say actpass:\n{offer}");

    // --- The sans-IO pieces, then hand the peer our answer.
    let mut ice = IceLite::new(&ufrag, &pwd, neg.ice_ufrag);
    let start = Instant::now();
    let config = Config::new(role, identity.clone(), pin(&neg.fingerprint));
    let mut dtls = Endpoint::new(config, OsRng, start.elapsed()).unwrap();
    let tmp = scratch.path("answer.sdp.tmp");
    fs::write(&tmp, &answer).unwrap();
    fs::rename(&tmp, &answer_path).unwrap();

    // --- Pump until the peer has reported (and closed its peer connection: close_notify).
    let mut pump = Pump::default();
    let mut exited_at = None;
    pump.run(
        &sock,
        &mut ice,
        &mut dtls,
        start,
        start + CONNECT_TIMEOUT,
        |p| {
            // After the driver exits, linger 300 ms for stray datagrams (its close_notify).
            if exited_at.is_none() && child.try_status().is_some() {
                exited_at = Some(Instant::now());
            }
            p.closed() || exited_at.is_some_and(|t| t.elapsed() > Duration::from_millis(300))
        },
    );
    let status = child.wait(Duration::from_secs(10));
    let t_total = t_start.elapsed();
    let output = peer_output();
    let report: Value = output
        .lines()
        .rfind(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .unwrap_or_else(|| panic!("{} printed no report ({status:?})\n{output}", peer.name));
    if matches!(report["step"].as_str(), Some("setup" | "args" | "driver")) {
        panic!("{} broke (missing tool?)\n{output}", peer.name);
    }
    let ctx = format!(
        "role {role:?}, ICE: {} checks ({} nominating), {} rejected (last: {:?}); DTLS {} in / \
         {} out, events {:?}, stats {:?}\n{}: {report:#}\n{output}\n--- offer:\n{offer}\n\
         --- our answer:\n{answer}",
        ice.requests,
        ice.nominations,
        ice.rejected,
        ice.last_reject,
        pump.dtls_in,
        pump.dtls_out,
        pump.events,
        dtls.stats(),
        peer.name,
    );
    let peer_fp = neg.fingerprint;
    Outcome {
        role,
        port,
        our_fp,
        peer_fp,
        ice,
        pump,
        report,
        ctx,
        t_offer,
        t_total,
    }
}

/// What every peer must show on our side: connected, pinned the offer's fingerprint, never
/// failed.
fn check_our_side(o: &Outcome) -> rtcam_dtls_srtp::dtls::Connected {
    let ctx = &o.ctx;
    let ours = o
        .pump
        .connected
        .unwrap_or_else(|| panic!("our endpoint never connected\n{ctx}"));
    assert!(o.ice.requests > 0, "no valid connectivity check\n{ctx}");
    assert!(
        o.peer_fp.algorithm() != HashAlgorithm::Sha256
            || o.peer_fp
                .matches(ours.peer_certificate_fingerprint.as_bytes()),
        "peer certificate vs a=fingerprint\n{ctx}"
    );
    assert_eq!(
        ours.keying_material.as_bytes().len(),
        2 * (ours.srtp_profile.master_key_len() + ours.srtp_profile.master_salt_len())
    );
    assert!(
        !o.pump.events.iter().any(|e| matches!(e, Event::Failed(_))),
        "{ctx}"
    );
    ours
}

fn chromium(setup: Setup) {
    let mut cmd = Command::new("node");
    cmd.arg(support::sdp_interop_dir().join("browser.mjs"))
        .arg("offer-connect")
        .args(["--video", "recvonly", "--audio", "recvonly", "--data"])
        .args(["--wait", "25", "--connect-wait", "20"]);
    let o = offer_connect(
        Offerer {
            name: "browser.mjs",
            cmd,
        },
        setup,
    );
    let ours = check_our_side(&o);
    let (ctx, report, role) = (&o.ctx, &o.report, o.role);
    // --- Chromium's side.
    assert_eq!(report["ok"], true, "Chromium did not connect\n{ctx}");
    assert_eq!(report["connectionState"], "connected", "{ctx}");
    let t = &report["transport"];
    assert_eq!(t["dtlsState"], "connected", "{ctx}");
    assert_eq!(t["tlsVersion"], "FEFD", "DTLS 1.2\n{ctx}");
    assert_eq!(
        t["srtpCipher"],
        stats_name(ours.srtp_profile),
        "SRTP profile\n{ctx}"
    );
    assert_eq!(
        t["dtlsCipher"].as_str(),
        ours.cipher_suite.name(),
        "cipher suite\n{ctx}"
    );
    let chromium_role = match role {
        Role::Server => "client",
        Role::Client => "server",
    };
    if !t["dtlsRole"].is_null() {
        assert_eq!(t["dtlsRole"], chromium_role, "{ctx}");
    }
    // Chromium saw our certificate; we saw the one its offer announced.
    assert_eq!(
        report["remoteCertificate"]["fingerprint"].as_str(),
        Some(hex_colon(o.our_fp.as_bytes()).as_str()),
        "our certificate as Chromium saw it\n{ctx}"
    );
    assert_eq!(
        report["localCertificate"]["fingerprint"]
            .as_str()
            .map(str::to_ascii_uppercase),
        Some(hex_colon(o.peer_fp.digest())),
        "{ctx}"
    );
    // Application data Chromium → us: its SCTP association starts with an INIT chunk
    // (12-byte common header, then chunk type 1), sent inside our DTLS association at once.
    let init = o.pump.app_data.iter().find(|d| d.len() >= 16 && d[12] == 1);
    assert!(
        init.is_some(),
        "no SCTP INIT decrypted from Chromium ({} records)\n{ctx}",
        o.pump.app_data.len()
    );
    // Chromium verified our signed Binding responses: the pair to our candidate got answers.
    // (Its `state` is no proof either way: libwebrtc shows "in-progress" whenever a check is
    // outstanding, even on a pair that succeeded, and with regular nomination USE-CANDIDATE
    // follows the first successful check, which DTLS does not wait for.)
    let responses = report["selectedPair"]["responsesReceived"].as_u64();
    assert!(responses.is_some_and(|n| n >= 1), "{ctx}");
    assert_eq!(report["selectedPair"]["remote"]["port"], o.port, "{ctx}");

    println!(
        "Chromium {role:?}-side handshake: ours {:?} {:?} EMS {}, Chromium dtlsState {} tlsVersion \
         {} dtlsCipher {} srtpCipher {} dtlsRole {}; offer after {:.2} s, first check {:?} and \
         Connected {:?} after the answer, Chromium connected in {} ms, close_notify {}, {} \
         app-data records, total {:.2} s",
        ours.cipher_suite,
        ours.srtp_profile,
        ours.extended_master_secret,
        t["dtlsState"],
        t["tlsVersion"],
        t["dtlsCipher"],
        t["srtpCipher"],
        t["dtlsRole"],
        o.t_offer.as_secs_f64(),
        o.pump.first_check,
        o.pump.connected_at,
        report["ms"],
        o.pump.closed(),
        o.pump.app_data.len(),
        o.t_total.as_secs_f64()
    );
}

/// GStreamer webrtcbin (OpenSSL, RSA-2048 certificate by default) offers video recvonly and
/// a data channel; we answer `active`, so our client must negotiate
/// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 and verify its RSA signatures.
fn webrtcbin(setup: Setup) {
    let mut cmd = Command::new("/usr/bin/python3");
    cmd.arg("-B")
        .arg(support::peer_interop_dir().join("gst_offer_connect.py"))
        .args(["--wait", "25", "--connect-wait", "20"]);
    let o = offer_connect(
        Offerer {
            name: "gst_offer_connect.py",
            cmd,
        },
        setup,
    );
    let ours = check_our_side(&o);
    let (ctx, report) = (&o.ctx, &o.report);
    assert_eq!(
        ours.cipher_suite,
        CipherSuite::ECDHE_RSA_AES128_GCM_SHA256,
        "{ctx}"
    );
    assert_eq!(report["ok"], true, "webrtcbin did not connect\n{ctx}");
    assert_eq!(report["dtlsState"], "connected", "{ctx}");
    assert_eq!(report["localCertificate"]["keyType"], "rsa", "{ctx}");
    assert_eq!(
        report["localCertificate"]["fingerprint"].as_str(),
        Some(hex_colon(o.peer_fp.digest()).as_str()),
        "{ctx}"
    );
    assert_eq!(
        report["remoteCertificate"]["fingerprint"].as_str(),
        Some(hex_colon(o.our_fp.as_bytes()).as_str()),
        "our certificate as webrtcbin saw it\n{ctx}"
    );
    println!(
        "webrtcbin {:?}-side handshake: ours {:?} {:?} EMS {}, webrtcbin connectionState {} \
         dtlsState {} certificate {}; offer after {:.2} s, first check {:?} and Connected {:?} \
         after the answer, webrtcbin connected in {} ms, close_notify {}, total {:.2} s",
        o.role,
        ours.cipher_suite,
        ours.srtp_profile,
        ours.extended_master_secret,
        report["connectionState"],
        report["dtlsState"],
        report["localCertificate"]["keyType"],
        o.t_offer.as_secs_f64(),
        o.pump.first_check,
        o.pump.connected_at,
        report["ms"],
        o.pump.closed(),
        o.t_total.as_secs_f64()
    );
}
