//! Real parsers accept our SDP: Chromium 156 (`setRemoteDescription`, headless, in a
//! private lo-only namespace) and aiortc 1.16 take our answers to their offers, and answer
//! our viewer offer with something we read back.
//!
//! Needs what scripts/install.sh installs (Chromium, node + playwright-core, the aiortc
//! venv, iproute2); a missing tool fails the test with a message naming it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use rtcam_sdp::{
    Candidate, Capabilities, Codec as SdpCodec, Direction, DtlsRole, Fingerprint, HashAlgorithm,
    Local, MediaKind, Negotiated, Offer, Sdp, SendStream,
};
use support::{Codec, Dir, Media};

fn local<'l>(candidates: &'l [Candidate<'l>]) -> Local<'l> {
    Local {
        session_id: 7_310_845_391_027_493_112,
        session_version: 2,
        ice_ufrag: "rtcm",
        ice_pwd: "YWJjZGVmZ2hpamtsbW5vcHFy",
        ice_lite: false,
        fingerprint: Fingerprint::new(HashAlgorithm::Sha256, &[0x5a; 32]).unwrap(),
        cname: "rtcam-camera",
        stream_id: "rtcam",
        video: Some(SendStream {
            track_id: "video0",
            ssrc: 0x1122_3344,
            rtx_ssrc: 0x5566_7788,
        }),
        audio: Some(SendStream {
            track_id: "audio0",
            ssrc: 0x0a0b_0c0d,
            rtx_ssrc: 0x0e0f_1011,
        }),
        candidates,
        end_of_candidates: true,
        relay_only: false,
        max_message_size: 262_144,
    }
}

/// Our camera's answer to a real offer, checked against what we negotiated.
fn camera_answer(offer: &str, caps: &Capabilities<'_>) -> String {
    let cand =
        [Candidate::parse("1 1 udp 2122260223 127.0.0.1 50000 typ host generation 0").unwrap()];
    let parsed: Sdp<'_> = Sdp::parse(offer).unwrap_or_else(|e| panic!("{e}\n{offer}"));
    let neg: Negotiated<'_> =
        Negotiated::answer(&parsed, caps).unwrap_or_else(|e| panic!("{e}\n{offer}"));
    let mut answer = String::new();
    neg.write_answer(&local(&cand), &mut answer).unwrap();
    answer
}

fn mime(c: &support::CodecReport) -> String {
    c.mime_type.to_ascii_lowercase()
}

#[test]
fn chromium_applies_our_answer_to_its_viewer_offer() {
    // The KVS viewer: video + audio recvonly and a data channel, every codec Chromium has.
    let report = support::chromium_offer_accept(&Media::VIEWER, |offer| {
        camera_answer(offer, &Capabilities::CAMERA)
    })
    .unwrap_or_else(|e| panic!("Chromium rejected our answer: {e}"));
    assert_eq!(report.signaling_state, "stable");
    let video = report.kind("video");
    assert_eq!(
        video.current_direction.as_deref(),
        Some("recvonly"),
        "{}",
        report.raw
    );
    // A receiving transceiver lists every codec it can decode; ours must be among them.
    let h264 = video
        .codecs
        .iter()
        .find(|c| mime(c) == "video/h264" && c.payload_type == 108)
        .unwrap_or_else(|| panic!("{}", report.raw));
    assert!(
        h264.fmtp.contains("packetization-mode=1") && h264.fmtp.contains("profile-level-id=42e01f"),
        "{}",
        h264.fmtp
    );
    let audio = report.kind("audio");
    assert_eq!(audio.current_direction.as_deref(), Some("recvonly"));
    assert_eq!(mime(&audio.codecs[0]), "audio/opus");
    assert!(report.sctp, "data channel accepted: {}", report.raw);
}

#[test]
fn chromium_applies_our_answer_to_its_sendrecv_offer() {
    // A viewer with camera and microphone (two-way talk): we send video, exchange audio.
    let media = Media {
        video: Dir::SendRecv,
        audio: Dir::SendRecv,
        data: false,
        codec: Codec::H264,
    };
    let report =
        support::chromium_offer_accept(&media, |offer| camera_answer(offer, &Capabilities::CAMERA))
            .unwrap_or_else(|e| panic!("Chromium rejected our answer: {e}"));
    assert_eq!(
        report.kind("video").current_direction.as_deref(),
        Some("recvonly")
    );
    assert_eq!(
        report.kind("audio").current_direction.as_deref(),
        Some("sendrecv")
    );
    assert!(!report.sctp);
}

#[test]
fn chromium_applies_our_vp8_answer_and_our_rejection_of_video() {
    // A camera that only has H.264 refuses a VP8-only video section (port 0) but keeps the
    // data channel; Chromium accepts that answer too.
    let media = Media::VIEWER.with_codec(Codec::Vp8);
    let report =
        support::chromium_offer_accept(&media, |offer| camera_answer(offer, &Capabilities::CAMERA))
            .unwrap_or_else(|e| panic!("Chromium rejected our answer: {e}"));
    // Chromium stops a rejected transceiver: no video transceiver is left.
    assert!(
        report
            .transceivers
            .iter()
            .all(|t| t.kind.as_deref() != Some("video")),
        "{}",
        report.raw
    );
    assert_eq!(
        report.kind("audio").current_direction.as_deref(),
        Some("recvonly")
    );
    assert!(report.sctp);
    // A VP8 camera answers it.
    let vp8 = Capabilities {
        video: &[SdpCodec::Vp8],
        ..Capabilities::CAMERA
    };
    let report = support::chromium_offer_accept(&media, |offer| camera_answer(offer, &vp8))
        .unwrap_or_else(|e| panic!("Chromium rejected our answer: {e}"));
    assert_eq!(
        report.kind("video").current_direction.as_deref(),
        Some("recvonly")
    );
    assert_eq!(mime(&report.kind("video").codecs[0]), "video/vp8");
}

#[test]
fn aiortc_applies_our_answer_to_its_viewer_offer() {
    let report = support::aiortc_offer_accept(&Media::VIEWER.with_codec(Codec::H264), |offer| {
        camera_answer(offer, &Capabilities::CAMERA)
    })
    .unwrap_or_else(|e| panic!("aiortc rejected our answer: {e}"));
    assert_eq!(report.signaling_state, "stable");
    let video = report.kind("video");
    assert_eq!(
        video.current_direction.as_deref(),
        Some("recvonly"),
        "{}",
        report.raw
    );
    assert_eq!(mime(&video.codecs[0]), "video/h264");
    assert_eq!(
        report.kind("audio").current_direction.as_deref(),
        Some("recvonly")
    );
    assert!(report.sctp);
}

#[test]
fn aiortc_parses_our_answers_to_every_offer_fixture() {
    let offers = [
        (
            include_str!("fixtures/chromium156-viewer-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/chromium156-sendrecv-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/firefox-esr-viewer-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/safari17-viewer-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/libwebrtc-android-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/aiortc116-viewer-offer.sdp"),
            Capabilities::CAMERA,
        ),
        (
            include_str!("fixtures/kvs-storage-session-offer.sdp"),
            Capabilities::STORAGE_SESSION,
        ),
    ];
    let answers: Vec<String> = offers
        .iter()
        .map(|(o, caps)| camera_answer(o, caps))
        .collect();
    let refs: Vec<&str> = answers.iter().map(String::as_str).collect();
    for (answer, parsed) in answers.iter().zip(support::aiortc_parse_many(&refs)) {
        let v = parsed.unwrap_or_else(|e| panic!("aiortc cannot parse our answer: {e}\n{answer}"));
        assert!(
            v.to_string().contains("H264") || v.to_string().contains("opus"),
            "{v}"
        );
    }
}

/// Our viewer's offer, answered by a real camera-side peer, read back.
fn viewer_round_trip(answerer: fn(&str) -> Result<String, String>, who: &str) {
    let offer = Offer::<8>::new(&Capabilities::VIEWER).unwrap();
    let mut l = local(&[]);
    l.video = None;
    let cand = [Candidate::parse("1 1 udp 2122260223 127.0.0.1 50002 typ host").unwrap()];
    l.candidates = &cand;
    let mut text = String::new();
    offer.write(&l, &mut text).unwrap();
    let answer =
        answerer(&text).unwrap_or_else(|e| panic!("{who} rejected our offer: {e}\n{text}"));
    let parsed: Sdp<'_> = Sdp::parse(&answer).unwrap_or_else(|e| panic!("{e}\n{answer}"));
    let neg: Negotiated<'_> = Negotiated::from_answer(&parsed, &offer, &Capabilities::VIEWER)
        .unwrap_or_else(|e| panic!("{who}'s answer: {e}\n{answer}"));
    // Both peers answer actpass with active.
    assert_eq!(neg.dtls_role, DtlsRole::Server, "{who}");
    assert!(!neg.ice_ufrag.is_empty() && !neg.ice_pwd.is_empty());
    // Neither has a camera here: video comes back inactive from a peer with nothing to
    // send, but the codec agreement is still read and must be H.264.
    let video = &neg.sections[0];
    assert_eq!(video.kind, MediaKind::Video);
    assert!(!video.codecs.is_empty(), "{who}: {answer}");
    assert!(
        matches!(video.codecs[0].codec, SdpCodec::H264(_)),
        "{who}: {:?}",
        video.codecs
    );
    assert!(
        video.direction == Direction::RecvOnly || video.direction == Direction::Inactive,
        "{who}"
    );
    let audio = &neg.sections[1];
    assert_eq!(audio.codecs[0].codec, SdpCodec::Opus, "{who}");
    assert!(
        neg.section(MediaKind::Application).is_some(),
        "{who}: data channel"
    );
}

#[test]
fn chromium_answers_our_viewer_offer() {
    viewer_round_trip(support::chromium_answer, "Chromium");
}

#[test]
fn aiortc_answers_our_viewer_offer() {
    viewer_round_trip(support::aiortc_answer, "aiortc");
}
