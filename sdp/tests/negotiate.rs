//! Offer/answer: answers to every kind of offer KVS meets, the viewer's offer, codec and
//! feedback matching, directions, DTLS roles, and every reason an offer is refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_sdp::{
    Address, Candidate, CandidateKind, Capabilities, Codec, Direction, DtlsRole, Feedback,
    Fingerprint, H264, H264Profile, HashAlgorithm, KVS_MAX_PAYLOAD, Local, MediaKind, Negotiated,
    NegotiationError, Offer, Payload, ProfileLevelId, Sdp, SendStream, Setup, SliceWriter,
    Transport, kvs_payload_len,
};

fn parse(text: &str) -> Sdp<'_> {
    Sdp::parse(text).unwrap()
}

fn local<'l>(candidates: &'l [Candidate<'l>]) -> Local<'l> {
    Local {
        session_id: 4_611_686_018_427_387_903,
        session_version: 2,
        ice_ufrag: "rtcm",
        ice_pwd: "c2VjcmV0LXBhc3N3b3JkLTEy",
        ice_lite: false,
        fingerprint: Fingerprint::new(HashAlgorithm::Sha256, &[0xab; 32]).unwrap(),
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
            rtx_ssrc: 0,
        }),
        candidates,
        end_of_candidates: false,
        relay_only: false,
        max_message_size: 262_144,
    }
}

fn answer_text(neg: &Negotiated<'_>, local: &Local<'_>) -> String {
    let mut s = String::new();
    neg.write_answer(local, &mut s).unwrap();
    s
}

fn pts(neg: &Negotiated<'_>, kind: MediaKind) -> Vec<(u8, Option<u8>)> {
    neg.section(kind)
        .unwrap()
        .codecs
        .iter()
        .map(|p| (p.pt, p.rtx))
        .collect()
}

const CHROMIUM_VIEWER: &str = include_str!("fixtures/chromium156-viewer-offer.sdp");

#[test]
fn chromium_viewer_offer_gets_a_camera_answer() {
    let offer = parse(CHROMIUM_VIEWER);
    let neg = Negotiated::answer(&offer, &Capabilities::CAMERA).unwrap();
    assert_eq!(
        neg.dtls_role,
        DtlsRole::Client,
        "actpass is answered active, like the KVS SDK"
    );
    assert!(neg.trickle && !neg.ice_lite && neg.extmap_allow_mixed);
    assert_eq!(neg.fingerprint.algorithm(), HashAlgorithm::Sha256);
    // H.264 only, in our preference order, with the offerer's payload types and RTX.
    let video = neg.section(MediaKind::Video).unwrap();
    assert_eq!(video.direction, Direction::SendOnly);
    let codecs: Vec<_> = video
        .codecs
        .iter()
        .map(|p| (p.pt, p.rtx, p.codec))
        .collect();
    let h264 = |plid: u32| {
        Codec::H264(H264 {
            profile_level_id: ProfileLevelId::from_u32(plid),
            packetization_mode: 1,
        })
    };
    assert_eq!(
        codecs,
        [
            (108, Some(109), h264(0x42e01f)),
            (102, Some(103), h264(0x42001f)),
            (116, Some(117), h264(0x4d001f))
        ]
    );
    assert_eq!(video.codecs[0].feedback, Feedback::ALL);
    assert_eq!(video.send_codec().unwrap().pt, 108);
    // Extensions: the offerer's ids for the three we implement, nothing else.
    assert_eq!(
        (
            video.extensions.mid,
            video.extensions.abs_send_time,
            video.extensions.transport_cc
        ),
        (Some(9), Some(2), Some(4))
    );
    assert!(video.rtcp_rsize);
    // Audio: Opus, PCMU, PCMA; the viewer only receives, so we only send.
    let audio = neg.section(MediaKind::Audio).unwrap();
    assert_eq!(audio.direction, Direction::SendOnly);
    assert_eq!(
        pts(&neg, MediaKind::Audio),
        [(111, None), (0, None), (8, None)]
    );
    assert_eq!(audio.codecs[0].feedback, Feedback::TRANSPORT_CC);
    let data = neg.section(MediaKind::Application).unwrap();
    assert_eq!(data.sctp.unwrap().port, 5000);

    let text = answer_text(&neg, &local(&[]));
    let answer = parse(&text);
    let video = answer.media_at(0).unwrap();
    assert_eq!(video.line().formats.as_str(), "108 109 102 103 116 117");
    assert_eq!(video.setup(), Some(Setup::Active));
    assert_eq!(video.direction(), Direction::SendOnly);
    assert_eq!(answer.bundle().unwrap().as_str(), "0 1 2");
    for line in [
        "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
        "a=rtcp-fb:108 nack pli",
        "a=rtcp-fb:108 transport-cc",
        "a=fmtp:109 apt=108",
        "a=extmap:4 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=ssrc-group:FID 287454020 1432778632",
        "a=ssrc:287454020 cname:rtcam-camera",
        "a=msid:rtcam video0",
        "a=rtpmap:111 opus/48000/2",
        "a=sctp-port:5000",
        "a=max-message-size:262144",
    ] {
        assert!(
            text.contains(&format!("{line}\r\n")),
            "missing {line}\n{text}"
        );
    }
    // Nothing was echoed that we do not do.
    for absent in [
        "toffset",
        "video-orientation",
        "playout-delay",
        "VP8",
        "VP9",
        "AV1",
        "red/",
        "ulpfec",
        "goog-lntf",
        "rtcp-xr",
    ] {
        assert!(!text.contains(absent), "{absent} echoed\n{text}");
    }
}

#[test]
fn answers_to_every_fixture_are_what_each_peer_needs() {
    struct Case {
        name: &'static str,
        text: &'static str,
        caps: Capabilities<'static>,
        video: Option<Direction>,
        audio: Option<Direction>,
        data: bool,
    }
    let vp8_camera = Capabilities {
        video: &[Codec::Vp8],
        ..Capabilities::CAMERA
    };
    let cases = [
        Case {
            name: "chromium h264 viewer",
            text: include_str!("fixtures/chromium156-h264-viewer-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendOnly),
            data: true,
        },
        Case {
            name: "chromium sendrecv",
            text: include_str!("fixtures/chromium156-sendrecv-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendRecv),
            data: false,
        },
        // Debian's Firefox ESR has no OpenH264 here: video is refused, not guessed.
        Case {
            name: "firefox esr",
            text: include_str!("fixtures/firefox-esr-viewer-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: None,
            audio: Some(Direction::SendOnly),
            data: true,
        },
        Case {
            name: "firefox esr, vp8 camera",
            text: include_str!("fixtures/firefox-esr-viewer-offer.sdp"),
            caps: vp8_camera,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendOnly),
            data: true,
        },
        Case {
            name: "safari 17",
            text: include_str!("fixtures/safari17-viewer-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendOnly),
            data: true,
        },
        Case {
            name: "android libwebrtc",
            text: include_str!("fixtures/libwebrtc-android-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendRecv),
            data: true,
        },
        Case {
            name: "aiortc viewer",
            text: include_str!("fixtures/aiortc116-viewer-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendOnly),
            data: true,
        },
        Case {
            name: "aiortc sendrecv",
            text: include_str!("fixtures/aiortc116-sendrecv-offer.sdp"),
            caps: Capabilities::CAMERA,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendRecv),
            data: false,
        },
        Case {
            name: "kvs storage session",
            text: include_str!("fixtures/kvs-storage-session-offer.sdp"),
            caps: Capabilities::STORAGE_SESSION,
            video: Some(Direction::SendOnly),
            audio: Some(Direction::SendRecv),
            data: false,
        },
    ];
    for c in cases {
        let offer = parse(c.text);
        let neg = Negotiated::answer(&offer, &c.caps).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        assert_eq!(
            neg.section(MediaKind::Video).map(|s| s.direction),
            c.video,
            "{}",
            c.name
        );
        assert_eq!(
            neg.section(MediaKind::Audio).map(|s| s.direction),
            c.audio,
            "{}",
            c.name
        );
        assert_eq!(
            neg.section(MediaKind::Application).is_some(),
            c.data,
            "{}",
            c.name
        );
        // Every answer is a description we read back with the same agreement.
        let text = answer_text(&neg, &local(&[]));
        let answer = parse(&text);
        assert_eq!(
            answer.media_count(),
            offer.media_count(),
            "{}: one m-line per offered m-line",
            c.name
        );
        for (o, a) in offer.media().zip(answer.media()) {
            assert_eq!(o.kind(), a.kind(), "{}", c.name);
            assert_eq!(o.mid(), a.mid(), "{}", c.name);
            let accepted = neg.sections[o.index()].accepted;
            assert_eq!(a.line().port != 0, accepted, "{}", c.name);
            if accepted && a.line().is_rtp() {
                // Only payload types the offer had.
                for pt in a.line().payload_types() {
                    assert!(
                        o.line().payload_types().any(|p| p == pt),
                        "{}: pt {pt}",
                        c.name
                    );
                }
            }
        }
        assert!(
            kvs_payload_len("answer", &text) <= KVS_MAX_PAYLOAD,
            "{}",
            c.name
        );
    }
}

#[test]
fn safari_prefers_constrained_baseline_mode_1_and_skips_high() {
    let offer = parse(include_str!("fixtures/safari17-viewer-offer.sdp"));
    let neg = Negotiated::answer(&offer, &Capabilities::CAMERA).unwrap();
    // 96 is Constrained High (640c1f): not ours. 98 is 42e01f mode 1; 102 is mode 0.
    assert_eq!(pts(&neg, MediaKind::Video)[0], (98, Some(99)));
    assert!(
        neg.section(MediaKind::Video)
            .unwrap()
            .codecs
            .iter()
            .all(|p| p.pt != 96 && p.pt != 102)
    );
    // A High-profile camera gets Safari's High payload type.
    let high = [Codec::H264(H264 {
        profile_level_id: ProfileLevelId::from_u32(0x640c1f),
        packetization_mode: 1,
    })];
    let neg = Negotiated::answer(
        &offer,
        &Capabilities {
            video: &high,
            ..Capabilities::CAMERA
        },
    )
    .unwrap();
    assert_eq!(pts(&neg, MediaKind::Video), [(96, Some(97))]);
}

#[test]
fn storage_session_answer_is_trickle_relay_only_h264_sendonly() {
    let offer = parse(include_str!("fixtures/kvs-storage-session-offer.sdp"));
    let neg = Negotiated::answer(&offer, &Capabilities::STORAGE_SESSION).unwrap();
    assert_eq!(pts(&neg, MediaKind::Video), [(125, Some(107))]);
    assert_eq!(pts(&neg, MediaKind::Audio), [(111, None)]);
    let host = Candidate::parse("1 1 udp 2122260223 192.168.1.20 50000 typ host").unwrap();
    let relay = Candidate::parse(
        "2 1 udp 16777215 198.51.100.9 61000 typ relay raddr 192.168.1.20 rport 50000",
    )
    .unwrap();
    let cands = [host, relay];
    let mut l = local(&cands);
    l.relay_only = true;
    l.end_of_candidates = true;
    let text = answer_text(&neg, &l);
    let answer = parse(&text);
    let written: Vec<_> = answer
        .media()
        .flat_map(|m| m.candidates().collect::<Vec<_>>())
        .collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].kind, CandidateKind::Relay);
    assert!(text.contains("a=ice-options:trickle\r\n") && text.contains("a=end-of-candidates\r\n"));
    // Without relay_only both go out, in the first (bundle-tag) section only.
    let text = answer_text(&neg, &local(&cands));
    let answer = parse(&text);
    assert_eq!(answer.media_at(0).unwrap().candidates().count(), 2);
    assert_eq!(answer.media_at(1).unwrap().candidates().count(), 0);

    // The storage session always trickles: an offer that cannot is refused.
    let no_trickle = include_str!("fixtures/kvs-storage-session-offer.sdp")
        .replace("a=ice-options:trickle\r\n", "");
    assert_eq!(
        Negotiated::answer(&parse(&no_trickle), &Capabilities::STORAGE_SESSION).unwrap_err(),
        NegotiationError::MissingTrickle
    );
}

const SIMPLE: &str = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=group:BUNDLE v a\r\n\
m=video 9 UDP/TLS/RTP/SAVPF 120 121\r\nc=IN IP4 0.0.0.0\r\na=mid:v\r\na=ice-ufrag:abcd\r\n\
a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n\
a=setup:actpass\r\na=recvonly\r\na=rtcp-mux\r\n\
a=rtpmap:120 H264/90000\r\na=fmtp:120 packetization-mode=1;profile-level-id=42e01f\r\n\
a=rtcp-fb:120 nack\r\na=rtcp-fb:120 goog-lntf\r\na=rtcp-fb:* ccm fir\r\n\
a=rtpmap:121 rtx/90000\r\na=fmtp:121 apt=120\r\n\
a=extmap:5 urn:ietf:params:rtp-hdrext:toffset\r\na=extmap:7 urn:ietf:params:rtp-hdrext:sdes:mid\r\n\
m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:a\r\na=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n\
a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n\
a=setup:actpass\r\na=sendrecv\r\na=rtcp-mux\r\n";

#[test]
fn feedback_extensions_and_payload_types_are_negotiated_not_echoed() {
    let offer = parse(SIMPLE);
    let neg = Negotiated::answer(&offer, &Capabilities::CAMERA).unwrap();
    let video = neg.section(MediaKind::Video).unwrap();
    // The offerer's numbering; feedback = what it offered (incl. `*`) ∩ what we do.
    assert_eq!(
        video.codecs[0],
        Payload {
            pt: 120,
            codec: Codec::H264(H264::constrained_baseline()),
            rtx: Some(121),
            feedback: Feedback::NACK.union(Feedback::FIR),
        }
    );
    assert_eq!(
        (
            video.extensions.mid,
            video.extensions.transport_cc,
            video.extensions.abs_send_time
        ),
        (Some(7), None, None)
    );
    // PCMU with its static payload type and no rtpmap.
    assert_eq!(
        neg.section(MediaKind::Audio).unwrap().codecs[0].codec,
        Codec::Pcmu
    );
    let text = answer_text(&neg, &local(&[]));
    assert!(
        text.contains("a=rtcp-fb:120 nack\r\na=rtcp-fb:120 ccm fir\r\n"),
        "{text}"
    );
    assert!(!text.contains("goog-lntf") && !text.contains("toffset") && !text.contains("pli"));
    assert!(text.contains("a=rtpmap:0 PCMU/8000\r\n"));

    // Without RTX or feedback in our capabilities, none is agreed.
    let bare = Capabilities {
        rtx: false,
        feedback: Feedback::NONE,
        ..Capabilities::CAMERA
    };
    let neg = Negotiated::answer(&offer, &bare).unwrap();
    let video = neg.section(MediaKind::Video).unwrap();
    assert_eq!(
        (video.codecs[0].rtx, video.codecs[0].feedback),
        (None, Feedback::NONE)
    );
    let text = answer_text(&neg, &local(&[]));
    assert!(!text.contains("rtx") && !text.contains("rtcp-fb"));
}

#[test]
fn directions_follow_rfc_3264() {
    use Direction::*;
    let all = [SendRecv, SendOnly, RecvOnly, Inactive];
    for offered in all {
        for wanted in all {
            let got = offered.answer(wanted);
            assert_eq!(
                got.sends(),
                wanted.sends() && offered.receives(),
                "{offered:?}/{wanted:?}"
            );
            assert_eq!(
                got.receives(),
                wanted.receives() && offered.sends(),
                "{offered:?}/{wanted:?}"
            );
        }
        assert_eq!(offered.reversed().reversed(), offered);
    }
    assert_eq!(SendRecv.answer(SendOnly), SendOnly);
    assert_eq!(SendOnly.answer(SendOnly), Inactive);
    assert_eq!(RecvOnly.answer(SendRecv), SendOnly);
    assert_eq!(SendOnly.answer(SendRecv), RecvOnly);
}

#[test]
fn setup_decides_the_dtls_role() {
    let role = |setup: &str, ours: Setup| {
        let text = SIMPLE.replace("a=setup:actpass", setup);
        let caps = Capabilities {
            setup: ours,
            ..Capabilities::CAMERA
        };
        Negotiated::answer(&parse(&text), &caps).unwrap().dtls_role
    };
    assert_eq!(role("a=setup:actpass", Setup::Active), DtlsRole::Client);
    assert_eq!(role("a=setup:actpass", Setup::Passive), DtlsRole::Server);
    assert_eq!(role("a=setup:active", Setup::Active), DtlsRole::Server);
    assert_eq!(role("a=setup:passive", Setup::Passive), DtlsRole::Client);
    assert_eq!(role("a=x-no-setup", Setup::Active), DtlsRole::Server);
    let text = SIMPLE.replace("a=setup:actpass", "a=setup:passive");
    let neg = Negotiated::answer(&parse(&text), &Capabilities::CAMERA).unwrap();
    assert!(answer_text(&neg, &local(&[])).contains("a=setup:active\r\n"));
}

#[test]
fn unanswerable_offers_say_what_is_missing() {
    let cases: [(String, NegotiationError); 8] = [
        (
            SIMPLE.replace("a=ice-ufrag:abcd\r\n", ""),
            NegotiationError::MissingIceUfrag,
        ),
        (
            SIMPLE.replace("a=ice-pwd:abcdefghijklmnopqrstuvwx\r\n", ""),
            NegotiationError::MissingIcePwd,
        ),
        (
            SIMPLE
                .lines()
                .filter(|l| !l.starts_with("a=fingerprint"))
                .map(|l| format!("{l}\r\n"))
                .collect(),
            NegotiationError::MissingFingerprint,
        ),
        (
            SIMPLE.replacen("a=rtcp-mux\r\n", "", 1),
            NegotiationError::MissingRtcpMux { mline: 0 },
        ),
        (
            SIMPLE.replace("a=group:BUNDLE v a\r\n", ""),
            NegotiationError::MissingBundle,
        ),
        // Neither section has anything we can use.
        (
            SIMPLE
                .replace("H264/90000", "VP9/90000")
                .replace("UDP/TLS/RTP/SAVPF 0", "UDP/TLS/RTP/SAVPF 9"),
            NegotiationError::NoCommonCodec {
                mline: 0,
                kind: MediaKind::Video,
            },
        ),
        // H.264 in packetization mode 0 only: not what a camera sends.
        (
            SIMPLE
                .replace("packetization-mode=1", "packetization-mode=0")
                .replace("UDP/TLS/RTP/SAVPF 0", "UDP/TLS/RTP/SAVPF 9"),
            NegotiationError::NoCommonCodec {
                mline: 0,
                kind: MediaKind::Video,
            },
        ),
        (
            SIMPLE.replace(" 9 UDP", " 0 UDP"),
            NegotiationError::NoCommonCodec {
                mline: 0,
                kind: MediaKind::Video,
            },
        ),
    ];
    for (text, want) in cases {
        let got = Negotiated::answer(&parse(&text), &Capabilities::CAMERA).unwrap_err();
        assert_eq!(got, want, "{text}");
        assert!(!got.to_string().is_empty());
    }
    // A fingerprint at session level is enough; so are session-level ICE credentials.
    let session_level = SIMPLE
        .replace(
            "a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n",
            "",
        )
        .replace(
            "t=0 0\r\n",
            "t=0 0\r\na=ice-ufrag:sess\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\n",
        );
    let neg = Negotiated::answer(&parse(&session_level), &Capabilities::CAMERA).unwrap();
    assert_eq!(neg.ice_ufrag, "sess");
    // Only one section needs no BUNDLE.
    let one = SIMPLE.replace("a=group:BUNDLE v a\r\n", "");
    let one = &one[..one.find("m=audio").unwrap()];
    assert!(Negotiated::answer(&parse(one), &Capabilities::CAMERA).is_ok());
}

#[test]
fn sections_outside_bundle_or_beyond_the_first_of_a_kind_are_rejected() {
    let offer = format!(
        "{SIMPLE}{}",
        SIMPLE[SIMPLE.find("m=video").unwrap()..]
            .replace("a=mid:v", "a=mid:v2")
            .replace("a=mid:a", "a=mid:a2")
    );
    let offer = offer.replace("a=group:BUNDLE v a", "a=group:BUNDLE v a v2");
    let neg = Negotiated::answer(&parse(&offer), &Capabilities::CAMERA).unwrap();
    let accepted: Vec<_> = neg
        .sections
        .iter()
        .map(|s| (s.mid.unwrap(), s.accepted))
        .collect();
    assert_eq!(
        accepted,
        [("v", true), ("a", true), ("v2", false), ("a2", false)]
    );
    let text = answer_text(&neg, &local(&[]));
    assert!(text.contains("a=group:BUNDLE v a\r\n"));
    assert!(text.contains("m=video 0 UDP/TLS/RTP/SAVPF 120\r\nc=IN IP4 0.0.0.0\r\na=mid:v2\r\n"));
}

#[test]
fn h264_profiles_are_read_from_profile_level_id() {
    let p = |v: u32| ProfileLevelId::from_u32(v).profile();
    assert_eq!(p(0x42e01f), Some(H264Profile::ConstrainedBaseline));
    assert_eq!(p(0x42401f), Some(H264Profile::ConstrainedBaseline));
    assert_eq!(p(0x4de01f), Some(H264Profile::ConstrainedBaseline));
    assert_eq!(p(0x42001f), Some(H264Profile::Baseline));
    assert_eq!(p(0x4d001f), Some(H264Profile::Main));
    assert_eq!(p(0x64001f), Some(H264Profile::High));
    assert_eq!(p(0x640c1f), Some(H264Profile::ConstrainedHigh));
    assert_eq!(p(0xf4001f), Some(H264Profile::PredictiveHigh444));
    assert_eq!(p(0x42e11f), None, "reserved bits set");
    assert_eq!(p(0x12001f), None);
    assert_eq!(
        ProfileLevelId::parse("42e01f"),
        Some(ProfileLevelId::CONSTRAINED_BASELINE_3_1)
    );
    assert_eq!(
        ProfileLevelId::parse("42E01F"),
        Some(ProfileLevelId::CONSTRAINED_BASELINE_3_1)
    );
    for bad in ["", "42e01", "42e01f0", "zze01f", "+2e01f"] {
        assert_eq!(ProfileLevelId::parse(bad), None, "{bad}");
    }
    // Without level asymmetry we answer the lower level.
    let offer = SIMPLE.replace(
        "packetization-mode=1;profile-level-id=42e01f",
        "packetization-mode=1;profile-level-id=42e015",
    );
    let neg = Negotiated::answer(&parse(&offer), &Capabilities::CAMERA).unwrap();
    let Codec::H264(h) = neg.section(MediaKind::Video).unwrap().codecs[0].codec else {
        panic!()
    };
    assert_eq!(h.profile_level_id.to_string(), "42e015");
}

#[test]
fn our_viewer_offer_is_answered_by_our_camera_and_read_back() {
    let offer = Offer::<8>::new(&Capabilities::VIEWER).unwrap();
    let mut viewer_local = local(&[]);
    viewer_local.video = None;
    let mut text = String::new();
    offer.write(&viewer_local, &mut text).unwrap();
    let parsed = parse(&text);
    assert_eq!(parsed.media_count(), 3);
    let v = parsed.media_at(0).unwrap();
    assert_eq!(
        (v.kind(), v.direction(), v.setup()),
        (MediaKind::Video, Direction::RecvOnly, Some(Setup::ActPass))
    );
    assert_eq!(v.line().formats.as_str(), "96 97 98 99 100 101 102 103");
    assert_eq!(
        parsed.media_at(1).unwrap().line().formats.as_str(),
        "104 0 8"
    );

    let camera = Negotiated::answer(&parsed, &Capabilities::CAMERA).unwrap();
    let answer_text = answer_text(&camera, &local(&[]));
    let answer = parse(&answer_text);
    let viewer = Negotiated::from_answer(&answer, &offer, &Capabilities::VIEWER).unwrap();
    assert_eq!(viewer.dtls_role, DtlsRole::Server, "the camera took active");
    assert_eq!(viewer.ice_ufrag, "rtcm");
    let video = viewer.section(MediaKind::Video).unwrap();
    assert_eq!(video.direction, Direction::RecvOnly);
    assert_eq!(video.codecs[0].pt, 96);
    assert_eq!(video.codecs[0].rtx, Some(97));
    assert_eq!(video.remote_ssrc, Some(0x1122_3344));
    assert_eq!(video.remote_rtx_ssrc, Some(0x5566_7788));
    assert_eq!(
        viewer.section(MediaKind::Audio).unwrap().direction,
        Direction::SendRecv
    );
    assert!(viewer.section(MediaKind::Application).is_some());

    // An answer with a payload type we never offered, or `actpass`, is refused.
    let bad_pt = answer_text
        .replace(
            "m=video 9 UDP/TLS/RTP/SAVPF 96",
            "m=video 9 UDP/TLS/RTP/SAVPF 126",
        )
        .replace("a=rtpmap:96 ", "a=rtpmap:126 ");
    assert_eq!(
        Negotiated::from_answer(&parse(&bad_pt), &offer, &Capabilities::VIEWER).unwrap_err(),
        NegotiationError::AnswerMismatch { mline: 0 }
    );
    let actpass = answer_text.replace("a=setup:active", "a=setup:actpass");
    assert!(Negotiated::from_answer(&parse(&actpass), &offer, &Capabilities::VIEWER).is_err());
    let fewer = &answer_text[..answer_text.find("m=application").unwrap()];
    assert_eq!(
        Negotiated::from_answer(&parse(fewer), &offer, &Capabilities::VIEWER).unwrap_err(),
        NegotiationError::AnswerSectionCount
    );
}

#[test]
fn writing_into_small_buffers_fails_cleanly() {
    let offer = parse(CHROMIUM_VIEWER);
    let neg = Negotiated::answer(&offer, &Capabilities::CAMERA).unwrap();
    let relay = Candidate {
        foundation: "1",
        component: 1,
        transport: Transport::Udp,
        priority: 1,
        address: Address::Ip("127.0.0.1".parse().unwrap()),
        port: 3478,
        kind: CandidateKind::Relay,
        related: None,
        tcp_type: None,
        generation: None,
        ufrag: None,
        network_id: None,
        network_cost: None,
        unknown_extensions: 0,
    };
    let cands = [relay; 10];
    let l = local(&cands);
    let full = answer_text(&neg, &l);
    assert!(
        kvs_payload_len("answer", &full) <= KVS_MAX_PAYLOAD,
        "{} bytes",
        full.len()
    );
    let mut buf = vec![0u8; full.len()];
    for n in 0..full.len() {
        let mut w = SliceWriter::new(&mut buf[..n]);
        assert_eq!(
            neg.write_answer(&l, &mut w),
            Err(NegotiationError::BufferTooSmall)
        );
    }
    let mut w = SliceWriter::new(&mut buf);
    neg.write_answer(&l, &mut w).unwrap();
    assert_eq!(w.as_str(), full);
}

#[test]
fn local_strings_cannot_break_out_of_their_line() {
    let neg = Negotiated::answer(&parse(SIMPLE), &Capabilities::CAMERA).unwrap();
    for bad in [
        Local {
            ice_ufrag: "ab cd",
            ..local(&[])
        },
        Local {
            ice_pwd: "pw\r\na=evil",
            ..local(&[])
        },
        Local {
            cname: "",
            ..local(&[])
        },
        Local {
            stream_id: "s\n",
            ..local(&[])
        },
        Local {
            video: Some(SendStream {
                track_id: "a b",
                ssrc: 1,
                rtx_ssrc: 2,
            }),
            ..local(&[])
        },
    ] {
        let mut s = String::new();
        assert_eq!(
            neg.write_answer(&bad, &mut s),
            Err(NegotiationError::InvalidLocal)
        );
    }
}

#[test]
fn kvs_payload_size_is_base64_of_the_json() {
    // {"type":"answer","sdp":"v=0\r\n"} is 33 bytes of JSON -> 44 of base64.
    assert_eq!(kvs_payload_len("answer", "v=0\r\n"), 44);
    // {"type":"offer","sdp":""} is 26 -> 36.
    assert_eq!(kvs_payload_len("offer", ""), 36);
}
