//! Proves the real-peer SDP harness (tests/support) with no rtcam code in the loop: Chromium and
//! aiortc negotiate with each other through it, every fixture in tests/fixtures parses in aiortc
//! and is accepted by Chromium, and a broken description is reported as a rejection (so a
//! passing interop test means the peer really accepted our SDP).
//!
//! Needs what scripts/install.sh installs (Chromium, node + playwright-core, the aiortc venv,
//! iproute2); a missing tool fails the test with a message naming it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::fs;
use std::path::PathBuf;
use std::time::Instant;

use support::{Codec, Dir, Media};

fn fixtures() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut v: Vec<(String, String)> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sdp"))
        .map(|p| {
            let name = p.file_name().unwrap().to_str().unwrap().to_owned();
            (name, fs::read_to_string(&p).unwrap())
        })
        .collect();
    v.sort();
    assert!(
        v.len() >= 10,
        "expected the SDP fixtures in {}",
        dir.display()
    );
    v
}

/// An offer with neither ICE credentials nor a DTLS fingerprint: every WebRTC peer must refuse it.
const BROKEN_OFFER: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
    a=group:BUNDLE 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n\
    a=recvonly\r\na=rtcp-mux\r\na=rtpmap:96 VP8/90000\r\n";

#[test]
fn chromium_offers_aiortc_answers_chromium_accepts() {
    let t = Instant::now();
    let media = Media {
        video: Dir::SendRecv,
        audio: Dir::RecvOnly,
        data: true,
        codec: Codec::H264,
    };
    let report = support::chromium_offer_accept(&media, |offer| {
        assert!(offer.contains("a=rtpmap:") && offer.contains(" H264/90000"));
        assert!(
            !offer.contains(" VP8/90000"),
            "setCodecPreferences(H264) was ignored"
        );
        support::aiortc_answer(offer).expect("aiortc rejected Chromium's offer")
    })
    .expect("Chromium rejected aiortc's answer");
    assert_eq!(report.signaling_state, "stable");
    assert!(report.sctp, "the data channel m-section was not accepted");
    // aiortc has nothing to send: it answers recvonly to video and inactive to audio.
    let video = report.kind("video");
    assert_eq!(
        video.current_direction.as_deref(),
        Some("sendonly"),
        "{}",
        report.raw
    );
    assert!(
        video
            .codecs
            .iter()
            .any(|c| c.mime_type == "video/H264" && c.fmtp.contains("packetization-mode=1")),
        "{}",
        report.raw
    );
    let audio = report.kind("audio");
    assert_eq!(
        audio.current_direction.as_deref(),
        Some("inactive"),
        "{}",
        report.raw
    );
    assert!(report.answer.contains("a=setup:active") || report.answer.contains("a=setup:passive"));
    eprintln!(
        "chromium offer -> aiortc answer -> chromium accept: {:?}",
        t.elapsed()
    );
}

#[test]
fn aiortc_offers_chromium_answers_aiortc_accepts() {
    let t = Instant::now();
    let media = Media {
        video: Dir::SendRecv,
        audio: Dir::SendRecv,
        data: true,
        codec: Codec::Any,
    };
    let report = support::aiortc_offer_accept(&media, |offer| {
        assert!(offer.contains("a=end-of-candidates"));
        support::chromium_answer(offer).expect("Chromium rejected aiortc's offer")
    })
    .expect("aiortc rejected Chromium's answer");
    assert_eq!(report.signaling_state, "stable");
    assert!(report.sctp);
    // Chromium has no tracks of its own: it answers recvonly to both.
    for kind in ["video", "audio"] {
        let tr = report.kind(kind);
        assert_eq!(
            tr.current_direction.as_deref(),
            Some("sendonly"),
            "{}",
            report.raw
        );
        assert!(!tr.codecs.is_empty(), "{}", report.raw);
    }
    assert!(
        report
            .kind("audio")
            .codecs
            .iter()
            .any(|c| c.mime_type == "audio/opus")
    );
    eprintln!(
        "aiortc offer -> chromium answer -> aiortc accept: {:?}",
        t.elapsed()
    );
}

#[test]
fn aiortc_parses_every_fixture() {
    let t = Instant::now();
    let fx = fixtures();
    let sdps: Vec<&str> = fx.iter().map(|(_, s)| s.as_str()).collect();
    let results = support::aiortc_parse_many(&sdps);
    let mut bad = Vec::new();
    for ((name, sdp), res) in fx.iter().zip(&results) {
        match res {
            Ok(v) => {
                let media = v["media"].as_array().unwrap();
                assert_eq!(media.len(), sdp.matches("\nm=").count(), "{name}: {v}");
                for m in media {
                    assert!(m["mid"].is_string(), "{name}: m-section without mid: {m}");
                    if m["kind"] != "application" {
                        assert!(!m["codecs"].as_array().unwrap().is_empty(), "{name}: {m}");
                    }
                }
            }
            Err(e) => bad.push(format!("{name}: {e}")),
        }
    }
    assert!(
        bad.is_empty(),
        "aiortc could not parse:\n{}",
        bad.join("\n")
    );
    // The parser is not a rubber stamp.
    assert!(support::aiortc_parse("v=0\r\nm=video x RTP/AVP 96\r\n").is_err());
    eprintln!("aiortc parsed {} fixtures: {:?}", fx.len(), t.elapsed());
}

#[test]
fn chromium_accepts_every_offer_fixture() {
    let t = Instant::now();
    let fx: Vec<(String, String)> = fixtures()
        .into_iter()
        .filter(|(n, _)| n.contains("offer"))
        .collect();
    assert!(fx.len() >= 8);
    // One browser launch for all of them, plus the broken offer as a negative control.
    let mut sdps: Vec<&str> = fx.iter().map(|(_, s)| s.as_str()).collect();
    sdps.push(BROKEN_OFFER);
    let mut results = support::chromium_answer_many(&sdps);
    let broken = results.pop().unwrap();
    let err = broken.expect_err("Chromium accepted an offer without ICE credentials/fingerprint");
    assert!(err.starts_with("setRemoteDescription:"), "{err}");
    let mut bad = Vec::new();
    let mut answers = Vec::new();
    for ((name, _), res) in fx.iter().zip(results) {
        match res {
            Ok(a) => answers.push(a),
            Err(e) => bad.push(format!("{name}: {e}")),
        }
    }
    assert!(bad.is_empty(), "Chromium rejected:\n{}", bad.join("\n"));
    // Chromium's answers are well-formed for aiortc too.
    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
    for (r, (name, _)) in support::aiortc_parse_many(&refs).iter().zip(&fx) {
        assert!(
            r.is_ok(),
            "aiortc cannot parse Chromium's answer to {name}: {r:?}"
        );
    }
    eprintln!(
        "chromium answered {} offer fixtures: {:?}",
        fx.len(),
        t.elapsed()
    );
}

#[test]
fn rejections_are_reported() {
    let t = Instant::now();
    let err = support::aiortc_answer(BROKEN_OFFER).expect_err("aiortc accepted a broken offer");
    assert!(err.starts_with("setRemoteDescription:"), "{err}");
    let res = support::chromium_offer_accept(&Media::VIEWER, |offer| {
        // Our "answer" is the offer itself: wrong type, actpass, must be refused.
        offer.to_owned()
    });
    let err = res.expect_err("Chromium applied its own offer as an answer");
    assert!(err.starts_with("setRemoteDescription:"), "{err}");
    eprintln!("rejections: {:?}", t.elapsed());
}
