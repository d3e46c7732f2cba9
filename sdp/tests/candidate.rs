//! `a=candidate` grammar (RFC 8839 §5.1 + the libwebrtc extensions) and the KVS
//! candidate JSON, both ways.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::net::IpAddr;

use rtcam_sdp::{
    Address, Attribute, Candidate, CandidateInit, CandidateJsonError, CandidateKind, TcpType,
    Transport,
};

fn ip(s: &str) -> Address<'static> {
    Address::Ip(s.parse::<IpAddr>().unwrap())
}

#[test]
fn browser_candidates_read_field_by_field() {
    // Chromium host UDP with libwebrtc extensions.
    let c = Candidate::parse(
        "candidate:1572499130 1 udp 2122260223 127.0.0.1 59507 typ host generation 0 network-id 1 network-cost 50",
    )
    .unwrap();
    assert_eq!(c.foundation, "1572499130");
    assert_eq!(
        (c.component, c.transport, c.priority),
        (1, Transport::Udp, 2_122_260_223)
    );
    assert_eq!(
        (c.address, c.port, c.kind),
        (ip("127.0.0.1"), 59507, CandidateKind::Host)
    );
    assert_eq!(
        (c.generation, c.network_id, c.network_cost),
        (Some(0), Some(1), Some(50))
    );
    assert_eq!(c.related, None);
    // TCP active with port 9.
    let c = Candidate::parse(
        "594906146 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1",
    )
    .unwrap();
    assert_eq!(
        (c.transport, c.port, c.tcp_type),
        (Transport::Tcp, 9, Some(TcpType::Active))
    );
    // Firefox: upper-case transport, srflx with raddr/rport.
    let c = Candidate::parse(
        "candidate:1 1 UDP 1686052863 203.0.113.7 61234 typ srflx raddr 192.168.1.2 rport 61234",
    )
    .unwrap();
    assert_eq!(c.transport, Transport::Udp);
    assert_eq!(
        (c.kind, c.related),
        (
            CandidateKind::ServerReflexive,
            Some((ip("192.168.1.2"), 61234))
        )
    );
    // mDNS name, ufrag.
    let c = Candidate::parse(
        "a=candidate:3 1 udp 2113937151 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host generation 0 ufrag EsAw network-cost 999",
    )
    .unwrap();
    assert_eq!(
        c.address,
        Address::Name("1f4712db-ea17-4bcf-a596-105139dfd8bf.local")
    );
    assert!(c.address.is_mdns());
    assert_eq!((c.ufrag, c.network_cost), (Some("EsAw"), Some(999)));
    // IPv6 relay, with an unknown extension skipped and counted.
    let c =
        Candidate::parse("4 1 udp 16777215 ::1 3478 typ relay raddr 0.0.0.0 rport 0 future-ext 7")
            .unwrap();
    assert_eq!((c.address, c.kind), (ip("::1"), CandidateKind::Relay));
    assert_eq!(c.unknown_extensions, 1);
    // Passive and simultaneous-open TCP, prflx.
    for (t, want) in [
        ("passive", TcpType::Passive),
        ("so", TcpType::SimultaneousOpen),
    ] {
        let line = format!("5 1 tcp 1 ::1 443 typ prflx tcptype {t}");
        let c = Candidate::parse(&line).unwrap();
        assert_eq!(
            (c.tcp_type, c.kind),
            (Some(want), CandidateKind::PeerReflexive)
        );
    }
}

#[test]
fn candidates_write_back_what_was_read() {
    for line in [
        "1572499130 1 udp 2122260223 127.0.0.1 59507 typ host generation 0 network-id 1 network-cost 50",
        "594906146 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0 network-id 1",
        "1 1 udp 1686052863 203.0.113.7 61234 typ srflx raddr 192.168.1.2 rport 61234",
        "4 2 udp 16777215 2001:db8::1 3478 typ relay raddr 198.51.100.1 rport 50000 generation 3 ufrag abcd",
        "x/+Y 1 udp 2113937151 1f4712db-ea17-4bcf-a596-105139dfd8bf.local 54321 typ host",
    ] {
        let c = Candidate::parse(line).unwrap();
        assert_eq!(c.to_string(), line);
        assert_eq!(c.attribute().to_string(), format!("candidate:{line}"));
        assert_eq!(
            Attribute::parse(&format!("candidate:{line}")).unwrap(),
            Attribute::Candidate(c)
        );
    }
}

#[test]
fn every_grammar_violation_is_an_error() {
    for bad in [
        "",
        "candidate:",
        "1",
        "1 1",
        "1 1 udp",
        "1 1 udp 1",
        "1 1 udp 1 127.0.0.1",
        "1 1 udp 1 127.0.0.1 9",
        "1 1 udp 1 127.0.0.1 9 typ",
        "1 1 udp 1 127.0.0.1 9 type host",
        "1 1 udp 1 127.0.0.1 9 typ nat",
        "1 0 udp 1 127.0.0.1 9 typ host",
        "1 257 udp 1 127.0.0.1 9 typ host",
        "1 1 sctp 1 127.0.0.1 9 typ host",
        "1 1 udp 4294967296 127.0.0.1 9 typ host",
        "1 1 udp -1 127.0.0.1 9 typ host",
        "1 1 udp 1 127.0.0.1 65536 typ host",
        "1 1 udp 1 bad_host! 9 typ host",
        "1 1 udp 1 .local 9 typ host",
        "f*o 1 udp 1 127.0.0.1 9 typ host",
        "123456789012345678901234567890123 1 udp 1 127.0.0.1 9 typ host",
        "1 1 udp 1 127.0.0.1 9 typ host generation",
        "1 1 udp 1 127.0.0.1 9 typ host generation x",
        "1 1 udp 1 127.0.0.1 9 typ srflx raddr 1.2.3.4",
        "1 1 udp 1 127.0.0.1 9 typ srflx rport 1",
        "1 1 tcp 1 127.0.0.1 9 typ host tcptype sideways",
        "1 1 udp 1 127.0.0.1 9 typ host network-cost -5",
    ] {
        let e = Candidate::parse(bad).unwrap_err();
        assert_eq!(e.attribute, "candidate", "{bad}");
    }
}

#[test]
fn kvs_candidate_json_both_ways() {
    // What the KVS JS SDK / a browser's RTCIceCandidate.toJSON() sends.
    let json = r#"{"candidate":"candidate:1572499130 1 udp 2122260223 127.0.0.1 59507 typ host generation 0 ufrag QeGG network-id 1","sdpMid":"0","sdpMLineIndex":0,"usernameFragment":"QeGG"}"#;
    let init = CandidateInit::from_json(json).unwrap();
    let c = init.candidate.unwrap();
    assert_eq!((c.port, c.ufrag), (59507, Some("QeGG")));
    assert_eq!(
        (init.sdp_mid, init.sdp_mline_index, init.username_fragment),
        (Some("0"), Some(0), Some("QeGG"))
    );
    let mut out = String::new();
    init.write_json(&mut out).unwrap();
    assert_eq!(out, json);

    // Field order, whitespace, nulls and unknown fields do not matter.
    let firefox = r#" { "sdpMLineIndex" : 1 , "extra": [1, {"x": null}], "sdpMid": null,
        "candidate": "candidate:0 1 UDP 2122252543 10.0.0.2 49203 typ host" } "#;
    let init = CandidateInit::from_json(firefox).unwrap();
    assert_eq!((init.sdp_mid, init.sdp_mline_index), (None, Some(1)));
    let mut out = String::new();
    init.write_json(&mut out).unwrap();
    assert_eq!(
        out,
        r#"{"candidate":"candidate:0 1 udp 2122252543 10.0.0.2 49203 typ host","sdpMLineIndex":1}"#
    );
    // ... and what we write reads back to the same thing.
    assert_eq!(CandidateInit::from_json(&out).unwrap(), init);

    // A candidate line from a description becomes JSON for trickling.
    let line = "a=candidate:4 1 udp 16777215 ::1 3478 typ relay raddr 127.0.0.1 rport 50000";
    let Attribute::Candidate(c) = Attribute::parse(&line[2..]).unwrap() else {
        panic!()
    };
    let init = CandidateInit {
        candidate: Some(c),
        sdp_mid: Some("0"),
        sdp_mline_index: Some(0),
        username_fragment: None,
    };
    let mut out = String::new();
    init.write_json(&mut out).unwrap();
    assert_eq!(
        out,
        r#"{"candidate":"candidate:4 1 udp 16777215 ::1 3478 typ relay raddr 127.0.0.1 rport 50000","sdpMid":"0","sdpMLineIndex":0}"#
    );
    let back = CandidateInit::from_json(&out).unwrap();
    assert_eq!(format!("a={}", back.candidate.unwrap().attribute()), line);

    // End of candidates: an empty candidate string.
    let end =
        CandidateInit::from_json(r#"{"candidate":"","sdpMid":"0","sdpMLineIndex":0}"#).unwrap();
    assert_eq!(end.candidate, None);

    // Strings needing escapes are written escaped.
    let odd = CandidateInit {
        candidate: None,
        sdp_mid: Some("a\"b\\c"),
        sdp_mline_index: None,
        username_fragment: None,
    };
    let mut out = String::new();
    odd.write_json(&mut out).unwrap();
    assert_eq!(out, r#"{"candidate":"","sdpMid":"a\"b\\c"}"#);
}

#[test]
fn bad_candidate_json_is_a_clear_error() {
    for (json, want) in [
        ("", CandidateJsonError::Json),
        ("[]", CandidateJsonError::Json),
        ("{", CandidateJsonError::Json),
        (r#"{"sdpMid":"0"}"#, CandidateJsonError::Json),
        (r#"{"candidate":5,"sdpMid":"0"}"#, CandidateJsonError::Json),
        (
            r#"{"candidate":"candidate:1 1 udp 1 1.2.3.4 9 typ host","sdpMLineIndex":-1}"#,
            CandidateJsonError::Json,
        ),
        (
            r#"{"candidate":"candidate:1 1 udp 1 1.2.3.4 9 typ host"}"#,
            CandidateJsonError::NoSection,
        ),
    ] {
        assert_eq!(CandidateInit::from_json(json).unwrap_err(), want, "{json}");
    }
    let e =
        CandidateInit::from_json(r#"{"candidate":"candidate:1 1 udp","sdpMid":"0"}"#).unwrap_err();
    assert!(matches!(e, CandidateJsonError::Candidate(a) if a.attribute == "candidate"));
    assert!(e.to_string().contains("candidate"));
}
