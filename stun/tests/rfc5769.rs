//! The sample messages of RFC 5769, parsed, authenticated and tampered with.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::net::SocketAddr;

use rtcam_stun::{Class, Error, Key, Method, PasswordAlgorithm, Repr, TransactionId};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// §2.1: a request with short-term credentials; padding bytes are 0x20 on purpose.
const REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// §2.2: an IPv4 success response.
const RESPONSE_V4: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// §2.3: an IPv6 success response.
const RESPONSE_V6: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

/// §2.4: a request with long-term credentials (no FINGERPRINT).
const LONG_TERM: &str = "
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

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
