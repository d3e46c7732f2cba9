//! Reading descriptions: every captured/written fixture, round trips, every malformed
//! shape, every bound.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_sdp::{
    Attribute, Direction, HashAlgorithm, Limits, MediaKind, ParseErrorKind, Sdp, Setup,
};

fn parse(text: &str) -> Result<Sdp<'_>, rtcam_sdp::ParseError> {
    Sdp::parse(text)
}

const FIXTURES: &[(&str, &str)] = &[
    (
        "chromium156-viewer-offer",
        include_str!("fixtures/chromium156-viewer-offer.sdp"),
    ),
    (
        "chromium156-h264-viewer-offer",
        include_str!("fixtures/chromium156-h264-viewer-offer.sdp"),
    ),
    (
        "chromium156-sendrecv-offer",
        include_str!("fixtures/chromium156-sendrecv-offer.sdp"),
    ),
    (
        "chromium156-fakecam-offer",
        include_str!("fixtures/chromium156-fakecam-offer.sdp"),
    ),
    (
        "chromium156-answer-to-aiortc",
        include_str!("fixtures/chromium156-answer-to-aiortc.sdp"),
    ),
    (
        "chromium156-answer-to-firefox",
        include_str!("fixtures/chromium156-answer-to-firefox.sdp"),
    ),
    (
        "firefox-esr-viewer-offer",
        include_str!("fixtures/firefox-esr-viewer-offer.sdp"),
    ),
    (
        "aiortc116-viewer-offer",
        include_str!("fixtures/aiortc116-viewer-offer.sdp"),
    ),
    (
        "aiortc116-sendrecv-offer",
        include_str!("fixtures/aiortc116-sendrecv-offer.sdp"),
    ),
    (
        "aiortc116-answer-to-chromium",
        include_str!("fixtures/aiortc116-answer-to-chromium.sdp"),
    ),
    (
        "safari17-viewer-offer",
        include_str!("fixtures/safari17-viewer-offer.sdp"),
    ),
    (
        "libwebrtc-android-offer",
        include_str!("fixtures/libwebrtc-android-offer.sdp"),
    ),
    (
        "kvs-storage-session-offer",
        include_str!("fixtures/kvs-storage-session-offer.sdp"),
    ),
];

/// Every line of the text, as `Attribute`s where they are `a=` lines.
fn all_attributes<'a>(sdp: &Sdp<'a>) -> Vec<Attribute<'a>> {
    let mut v: Vec<_> = sdp.attributes().collect();
    for m in sdp.media() {
        v.extend(m.attributes());
    }
    v
}

#[test]
fn every_fixture_parses_and_every_attribute_is_typed() {
    for (name, text) in FIXTURES {
        let sdp: Sdp<'_> = Sdp::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sdp.media_count() >= 1, "{name}");
        let attrs = all_attributes(&sdp);
        let a_lines = text.lines().filter(|l| l.starts_with("a=")).count();
        assert_eq!(attrs.len(), a_lines, "{name}: every a= line is read");
        // What WebRTC uses is typed; the rest stays as name/value.
        for a in &attrs {
            if let Attribute::Other { name: n, .. } = a {
                assert!(
                    ![
                        "rtpmap",
                        "fmtp",
                        "candidate",
                        "mid",
                        "ice-ufrag",
                        "setup",
                        "extmap"
                    ]
                    .contains(n),
                    "{name}: {n} left untyped"
                );
            }
        }
        for m in sdp.media() {
            assert!(
                m.ice_ufrag().is_some() || m.line().port == 0,
                "{name}: ufrag"
            );
            assert!(
                m.fingerprint().is_some() || m.line().port == 0,
                "{name}: fingerprint"
            );
        }
    }
}

#[test]
fn emitting_a_parsed_description_round_trips() {
    for (name, text) in FIXTURES {
        let sdp: Sdp<'_> = Sdp::parse(text).unwrap();
        let emitted = sdp.to_string();
        assert!(
            emitted.ends_with("\r\n") && !emitted.contains("\n\n"),
            "{name}"
        );
        let again: Sdp<'_> = Sdp::parse(&emitted).unwrap();
        assert_eq!(all_attributes(&sdp), all_attributes(&again), "{name}");
        assert_eq!(again.to_string(), emitted, "{name}: emit is stable");
        // Typed attributes write back exactly what was read (modulo whitespace).
        for a in all_attributes(&sdp) {
            if matches!(a, Attribute::Candidate(_) | Attribute::Other { .. }) {
                continue;
            }
            let line = format!("a={a}");
            let squeeze = |l: &str| l.replace(' ', "");
            assert!(
                text.lines().any(|l| squeeze(l) == squeeze(&line)),
                "{name}: {line} is not in the original"
            );
        }
    }
}

#[test]
fn chromium_offer_reads_as_captured() {
    let sdp: Sdp<'_> = Sdp::parse(include_str!("fixtures/chromium156-fakecam-offer.sdp")).unwrap();
    assert_eq!(sdp.origin().username, "-");
    assert_eq!(sdp.session_name(), "-");
    let bundle: Vec<_> = sdp.bundle().unwrap().iter().collect();
    assert_eq!(bundle, ["0", "1"]);
    let video = sdp.media_at(0).unwrap();
    assert_eq!(video.kind(), MediaKind::Video);
    assert_eq!(video.mid(), Some("0"));
    assert_eq!(video.direction(), Direction::SendRecv);
    assert_eq!(video.setup(), Some(Setup::ActPass));
    assert!(video.rtcp_mux() && video.rtcp_rsize());
    assert!(video.has_ice_option("trickle"));
    assert_eq!(
        video.fingerprint().unwrap().algorithm(),
        HashAlgorithm::Sha256
    );
    let vp8 = video.rtpmap(96).unwrap();
    assert_eq!(
        (vp8.encoding, vp8.clock_rate, vp8.channels),
        ("VP8", 90_000, None)
    );
    assert_eq!(video.fmtp(97).unwrap().get("apt"), Some("96"));
    assert!(video.extmaps().any(|e| e.uri.ends_with("sdes:mid")));
    let data = sdp.media_at(1).unwrap();
    assert_eq!(data.kind(), MediaKind::Application);
    assert!(data.attributes().any(|a| a == Attribute::SctpPort(5000)));
    assert!(
        data.attributes()
            .any(|a| a == Attribute::MaxMessageSize(262_144))
    );
    assert_eq!(sdp.media_by_mid("1").unwrap().index(), 1);
}

const MINIMAL: &str = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=rtpmap:111 opus/48000/2\r\n";

fn kind_of(text: &str) -> (u32, ParseErrorKind) {
    let e = parse(text).unwrap_err();
    (e.line, e.kind)
}

#[test]
fn lf_only_and_trailing_garbage_lines() {
    let lf = MINIMAL.replace("\r\n", "\n");
    let sdp: Sdp<'_> = Sdp::parse(&lf).unwrap();
    assert_eq!(
        sdp.media_at(0).unwrap().rtpmap(111).unwrap().encoding,
        "opus"
    );
    // Blank lines and unknown type letters are skipped.
    let odd = format!("{MINIMAL}\r\n\r\nx=unknown\r\na=foo-bar:baz\r\n");
    let sdp: Sdp<'_> = Sdp::parse(&odd).unwrap();
    let m = sdp.media_at(0).unwrap();
    assert!(m.attributes().any(|a| a
        == Attribute::Other {
            name: "foo-bar",
            value: Some("baz")
        }));
}

#[test]
fn malformed_structure_is_rejected_with_its_line() {
    assert_eq!(kind_of(""), (1, ParseErrorKind::NotSdp));
    assert_eq!(kind_of("v=1\r\n"), (1, ParseErrorKind::NotSdp));
    assert_eq!(kind_of("o=- 1 1 IN IP4 0\r\n"), (1, ParseErrorKind::NotSdp));
    assert_eq!(
        kind_of("v=0\r\ns=-\r\n"),
        (0, ParseErrorKind::MissingOrigin)
    );
    assert_eq!(
        kind_of("v=0\r\no=- x 1 IN IP4 0.0.0.0\r\n"),
        (2, ParseErrorKind::BadOrigin)
    );
    assert_eq!(
        kind_of("v=0\r\no=- 1 1 IN IP4\r\n"),
        (2, ParseErrorKind::BadOrigin)
    );
    let base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n";
    for bad_line in ["A=x", "=x", "a", "ab=c", " a=x", "a:x"] {
        assert_eq!(
            kind_of(&format!("{base}{bad_line}\r\n")),
            (4, ParseErrorKind::BadLine),
            "{bad_line}"
        );
    }
    for bad_m in [
        "m=audio",
        "m=audio 9",
        "m=audio 9 RTP/AVP",
        "m=audio x RTP/AVP 0",
        "m=audio 70000 RTP/AVP 0",
        "m=audio 9/x RTP/AVP 0",
    ] {
        assert_eq!(
            kind_of(&format!("{base}{bad_m}\r\n")),
            (4, ParseErrorKind::BadMediaLine),
            "{bad_m}"
        );
    }
    for bad_pt in [
        "m=audio 9 RTP/AVP 128",
        "m=audio 9 RTP/AVP x",
        "m=audio 9 UDP/TLS/RTP/SAVPF 96 -1",
    ] {
        assert_eq!(
            kind_of(&format!("{base}{bad_pt}\r\n")),
            (4, ParseErrorKind::BadPayloadType),
            "{bad_pt}"
        );
    }
}

#[test]
fn malformed_known_attributes_name_the_attribute() {
    let base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
    let cases = [
        ("a=rtpmap:96", "rtpmap"),
        ("a=rtpmap:96 H264", "rtpmap"),
        ("a=rtpmap:96 H264/0", "rtpmap"),
        ("a=rtpmap:200 H264/90000", "rtpmap"),
        ("a=rtpmap:96 H264/90000/2/3", "rtpmap"),
        ("a=fmtp:x apt=96", "fmtp"),
        ("a=rtcp-fb:96", "rtcp-fb"),
        ("a=extmap:0 urn:x", "extmap"),
        ("a=extmap:256 urn:x", "extmap"),
        ("a=extmap:1/sideways urn:x", "extmap"),
        ("a=extmap:1", "extmap"),
        ("a=setup:maybe", "setup"),
        ("a=mid:", "mid"),
        ("a=mid:a b", "mid"),
        ("a=ice-ufrag:", "ice-ufrag"),
        ("a=ice-pwd:has space", "ice-pwd"),
        ("a=fingerprint:sha-256 00:11", "fingerprint"),
        ("a=fingerprint:sha-256 zz:11", "fingerprint"),
        ("a=fingerprint:sha-256", "fingerprint"),
        ("a=ssrc:abc cname:x", "ssrc"),
        ("a=ssrc:1", "ssrc"),
        ("a=ssrc-group:FID 1 x", "ssrc-group"),
        ("a=sctp-port:99999", "sctp-port"),
        ("a=max-message-size:-1", "max-message-size"),
        ("a=rtcp-mux:yes", "rtcp-mux"),
        ("a=sendonly:now", "sendrecv"),
        ("a=msid:a b c", "msid"),
        ("a=rid:1 sideways", "rid"),
        ("a=candidate:1 1 udp 1 1.2.3.4", "candidate"),
        ("a=group:", "group"),
    ];
    for (line, attribute) in cases {
        let (n, kind) = kind_of(&format!("{base}{line}\r\n"));
        assert_eq!(n, 5, "{line}");
        match kind {
            ParseErrorKind::BadAttribute(e) => assert_eq!(e.attribute, attribute, "{line}"),
            other => panic!("{line}: {other:?}"),
        }
        // The message says which line and which attribute.
        let msg = parse(&format!("{base}{line}\r\n")).unwrap_err().to_string();
        assert!(msg.starts_with("SDP line 5: a="), "{msg}");
    }
    // An unsupported fingerprint hash is kept, not fatal.
    let md5 = format!("{base}a=fingerprint:md5 00:11\r\n");
    let sdp: Sdp<'_> = Sdp::parse(&md5).unwrap();
    assert!(sdp.media_at(0).unwrap().fingerprint().is_none());
}

#[test]
fn bounds_are_enforced_with_clear_errors() {
    let base = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\n";
    // Media sections: the capacity is the const generic.
    let mut text = base.to_string();
    for _ in 0..3 {
        text.push_str("m=audio 9 RTP/AVP 0\r\n");
    }
    assert!(Sdp::<'_, 3>::parse(&text).is_ok());
    text.push_str("m=audio 9 RTP/AVP 0\r\n");
    let e = Sdp::<'_, 3>::parse(&text).unwrap_err();
    assert_eq!(
        (e.line, e.kind),
        (7, ParseErrorKind::TooManyMedia { max: 3 })
    );

    let limits = Limits {
        max_len: 4096,
        max_formats: 4,
        max_attributes: 3,
        max_candidates: 1,
    };
    let fmts = format!("{base}m=audio 9 RTP/AVP 0 8 9 10 11\r\n");
    assert_eq!(
        Sdp::<'_, 8>::parse_with(&fmts, &limits).unwrap_err().kind,
        ParseErrorKind::TooManyFormats { max: 4 }
    );
    let attrs = format!("{base}m=audio 9 RTP/AVP 0\r\na=x\r\na=y\r\na=z\r\na=w\r\n");
    assert_eq!(
        Sdp::<'_, 8>::parse_with(&attrs, &limits).unwrap_err().kind,
        ParseErrorKind::TooManyAttributes { max: 3 }
    );
    let cand = "a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n";
    let cands = format!("{base}m=audio 9 RTP/AVP 0\r\n{cand}{cand}");
    assert_eq!(
        Sdp::<'_, 8>::parse_with(&cands, &limits).unwrap_err().kind,
        ParseErrorKind::TooManyCandidates { max: 1 }
    );
    // Counts restart with every section.
    let two = format!("{base}m=audio 9 RTP/AVP 0\r\n{cand}m=audio 9 RTP/AVP 0\r\n{cand}");
    assert!(Sdp::<'_, 8>::parse_with(&two, &limits).is_ok());
    let long = format!("{base}{}", "a=x\r\n".repeat(1000));
    assert_eq!(
        Sdp::<'_, 8>::parse_with(&long, &limits).unwrap_err().kind,
        ParseErrorKind::TooLong { max: 4096 }
    );
    // The default limit takes every browser offer and refuses a megabyte.
    let huge = format!("{base}{}", "a=x\r\n".repeat(200_000));
    assert!(matches!(
        parse(&huge).unwrap_err().kind,
        ParseErrorKind::TooLong { .. }
    ));
}

#[test]
fn truncations_and_byte_flips_of_a_browser_offer_never_panic() {
    // Every byte on the host; a sample under qemu-mipsel, where debug builds run ~50x slower.
    let step = if cfg!(target_arch = "mips") { 23 } else { 1 };
    let text = include_str!("fixtures/chromium156-viewer-offer.sdp");
    for end in (0..text.len()).step_by(step) {
        if let Some(prefix) = text.get(..end) {
            let _ = parse(prefix);
        }
    }
    let bytes = text.as_bytes();
    for i in (0..bytes.len()).step_by(7 * step) {
        for b in [b' ', b':', b'/', b'\n', b'0', b'=', 0xff] {
            let mut v = bytes.to_vec();
            v[i] = b;
            if let Ok(s) = std::str::from_utf8(&v) {
                if let Ok(sdp) = parse(s) {
                    // Whatever parses can be read and written back.
                    let _ = all_attributes(&sdp);
                    let _ = parse(&sdp.to_string()).unwrap();
                }
            }
        }
    }
}
