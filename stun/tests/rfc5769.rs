//! The sample messages of RFC 5769, parsed, authenticated and tampered with.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::net::SocketAddr;

use rtcam_stun::{Class, Error, Key, Method, PasswordAlgorithm, Repr, TransactionId};

#[path = "vectors/rfc5769.rs"]
mod rfc5769;
use rfc5769::{LONG_TERM, PASSWORD, REQUEST, RESPONSE_V4, RESPONSE_V6, hex};

#[test]
fn sample_request() {
    let bytes = hex(REQUEST);
    let repr = Repr::parse_bytes(&bytes).unwrap();
    assert_eq!(repr.class, Class::Request);
    assert_eq!(repr.method, Method::BINDING);
    assert_eq!(
        repr.transaction_id,
        TransactionId([
            0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae
        ])
    );
    let a = &repr.attributes;
    assert_eq!(a.software, Some("STUN test client"));
    assert_eq!(a.priority, Some(0x6e0001ff));
    assert_eq!(a.ice_controlled, Some(0x932ff9b151263b36));
    assert_eq!(a.username, Some("evtj:h6vY"));
    assert!(repr.has_fingerprint());
    assert!(repr.has_integrity());
    assert!(!repr.has_unknown_required());
    repr.verify(&Key::short_term(PASSWORD).unwrap()).unwrap();
    assert_eq!(
        repr.verify(&Key::short_term("VOkJxbRl1RmTxUk/WvJxBu").unwrap()),
        Err(Error::IntegrityMismatch)
    );
}

#[test]
fn sample_ipv4_response() {
    let bytes = hex(RESPONSE_V4);
    let repr = Repr::parse_bytes(&bytes).unwrap();
    assert_eq!(repr.class, Class::Success);
    assert_eq!(repr.attributes.software, Some("test vector"));
    let expected: SocketAddr = "192.0.2.1:32853".parse().unwrap();
    assert_eq!(repr.attributes.xor_mapped_address, Some(expected));
    repr.verify(&Key::short_term(PASSWORD).unwrap()).unwrap();
}

#[test]
fn sample_ipv6_response() {
    let bytes = hex(RESPONSE_V6);
    let repr = Repr::parse_bytes(&bytes).unwrap();
    let expected: SocketAddr = "[2001:db8:1234:5678:11:2233:4455:6677]:32853"
        .parse()
        .unwrap();
    assert_eq!(repr.attributes.xor_mapped_address, Some(expected));
    repr.verify(&Key::short_term(PASSWORD).unwrap()).unwrap();
}

#[test]
fn sample_long_term_request() {
    let bytes = hex(LONG_TERM);
    let repr = Repr::parse_bytes(&bytes).unwrap();
    let a = &repr.attributes;
    assert_eq!(a.username, Some("マトリックス"));
    assert_eq!(a.nonce, Some("f//499k954d6OL34oL9FSTvy64sA"));
    assert_eq!(a.realm, Some("example.org"));
    assert!(!repr.has_fingerprint());
    // RFC 5769 predates OpaqueString: its password "The\u{AD}M\u{AA}tr\u{2168}" is
    // SASLprep-ed to "TheMatrIX". OpaqueString refuses the soft hyphen instead.
    let key = Key::long_term(
        PasswordAlgorithm::Md5,
        "マトリックス",
        "example.org",
        "TheMatrIX",
    )
    .unwrap();
    repr.verify(&key).unwrap();
    assert_eq!(
        Key::long_term(
            PasswordAlgorithm::Md5,
            "マトリックス",
            "example.org",
            "The\u{AD}M\u{AA}tr\u{2168}"
        ),
        Err(Error::InvalidCredential)
    );
}

/// Every single-bit flip anywhere in an authenticated message is caught — by the
/// structure checks, the FINGERPRINT or MESSAGE-INTEGRITY — or changes nothing the
/// receiver acts on. (Turning FINGERPRINT's type into an unknown optional type is such a
/// flip: RFC 8489 §14.5 has receivers ignore whatever follows MESSAGE-INTEGRITY.)
#[test]
fn every_bit_flip_is_rejected_or_harmless() {
    let short = Key::short_term(PASSWORD).unwrap();
    let long = Key::long_term(
        PasswordAlgorithm::Md5,
        "マトリックス",
        "example.org",
        "TheMatrIX",
    )
    .unwrap();
    for (sample, key) in [
        (REQUEST, &short),
        (RESPONSE_V4, &short),
        (RESPONSE_V6, &short),
        (LONG_TERM, &long),
    ] {
        let bytes = hex(sample);
        let original = Repr::parse_bytes(&bytes).unwrap();
        let mut harmless = 0;
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut t = bytes.clone();
                t[i] ^= 1 << bit;
                let Ok(repr) = Repr::parse_bytes(&t) else {
                    continue;
                };
                if repr.verify(key).is_err() {
                    continue;
                }
                assert_eq!(
                    (
                        repr.class,
                        repr.method,
                        repr.transaction_id,
                        &repr.attributes
                    ),
                    (
                        original.class,
                        original.method,
                        original.transaction_id,
                        &original.attributes
                    ),
                    "flip of bit {bit} in byte {i} changed an authenticated message"
                );
                assert!(
                    i >= bytes.len() - 8,
                    "flip of bit {bit} in byte {i} went unnoticed"
                );
                harmless += 1;
            }
        }
        assert!(harmless <= 16, "{harmless} harmless flips");
    }
}

#[test]
fn every_truncation_is_an_error() {
    for sample in [REQUEST, RESPONSE_V4, RESPONSE_V6, LONG_TERM] {
        let bytes = hex(sample);
        for n in 0..bytes.len() {
            assert!(
                Repr::parse_bytes(&bytes[..n]).is_err(),
                "prefix of {n} bytes accepted"
            );
        }
    }
}
