//! Writes the seed corpus of the `stun_parse` fuzz target: the RFC 5769 sample messages
//! and messages built with rtcam-stun covering the attributes ICE and TURN use.
//!
//! ```text
//! cargo run --manifest-path fuzz/Cargo.toml --example stun_seeds [-- OUT_DIR]
//! ```
//!
//! OUT_DIR defaults to `fuzz/corpus/stun_parse`. Files are named `seed-*` (the only
//! corpus files git keeps). Every seed is checked to parse, with its FINGERPRINT and
//! MESSAGE-INTEGRITY, before it is written: this runs without `cfg(fuzzing)`.

use std::net::SocketAddr;
use std::path::PathBuf;

use rtcam_stun::{
    AddressFamily, Attribute, Class, ErrorCode, Key, MacAlgorithm, MessageBuilder, Method,
    PasswordAlgorithm, PasswordAlgorithms, Repr, Seal, TransactionId, UnknownAttributes, code,
    userhash,
};

/// RFC 5769 §2.1: request with short-term credentials (padding bytes are 0x20).
const RFC5769_REQUEST: &str = "
    00 01 00 58 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 10 53 54 55 4e 20 74 65 73 74 20 63 6c 69 65 6e 74
    00 24 00 04 6e 00 01 ff
    80 29 00 08 93 2f f9 b1 51 26 3b 36
    00 06 00 09 65 76 74 6a 3a 68 36 76 59 20 20 20
    00 08 00 14 9a ea a7 0c bf d8 cb 56 78 1e f2 b5 b2 d3 f2 49 c1 b5 71 a2
    80 28 00 04 e5 7a 3b cf";

/// RFC 5769 §2.2: IPv4 success response.
const RFC5769_IPV4_RESPONSE: &str = "
    01 01 00 3c 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 08 00 01 a1 47 e1 12 a6 43
    00 08 00 14 2b 91 f5 99 fd 9e 90 c3 8c 74 89 f9 2a f9 ba 53 f0 6b e7 d7
    80 28 00 04 c0 7d 4c 96";

/// RFC 5769 §2.3: IPv6 success response.
const RFC5769_IPV6_RESPONSE: &str = "
    01 01 00 48 21 12 a4 42 b7 e7 a7 01 bc 34 d6 86 fa 87 df ae
    80 22 00 0b 74 65 73 74 20 76 65 63 74 6f 72 20
    00 20 00 14 00 02 a1 47 01 13 a9 fa a5 d3 f1 79 bc 25 f4 b5 be d2 b9 d9
    00 08 00 14 a3 82 95 4e 4b e6 7b f1 17 84 c9 7c 82 92 c2 75 bf e3 ed 41
    80 28 00 04 c8 fb 0b 4c";

/// RFC 5769 §2.4: request with long-term credentials (no FINGERPRINT).
const RFC5769_LONG_TERM: &str = "
    00 01 00 60 21 12 a4 42 78 ad 34 33 c6 ad 72 c0 29 da 41 2e
    00 06 00 12 e3 83 9e e3 83 88 e3 83 aa e3 83 83 e3 82 af e3 82 b9 00 00
    00 15 00 1c 66 2f 2f 34 39 39 6b 39 35 34 64 36 4f 4c 33 34 6f 4c 39 46 53 54 76 79 36 34 73 41
    00 14 00 0b 65 78 61 6d 70 6c 65 2e 6f 72 67 00
    00 08 00 14 f6 70 24 65 6d d6 4a 3e 02 b8 e0 71 2e 85 c9 a2 8c a8 96 66";

const ICE_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";

fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| match c {
            b'0'..=b'9' => c - b'0',
            _ => (c | 0x20) - b'a' + 10,
        })
        .collect();
    assert!(digits.len().is_multiple_of(2), "odd number of hex digits");
    digits.chunks_exact(2).map(|p| (p[0] << 4) | p[1]).collect()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("socket address")
}

/// Builds one message; `attrs` in order, then `seal`.
fn build(
    class: Class,
    method: Method,
    tid: u8,
    attrs: &[Attribute<'_>],
    seal: Seal<'_>,
) -> Vec<u8> {
    let mut buf = [0u8; 1500];
    let mut b = MessageBuilder::new(&mut buf, class, method, TransactionId([tid; 12]))
        .expect("header fits");
    for a in attrs {
        b.add(a).unwrap_or_else(|e| panic!("add {a:?}: {e:?}"));
    }
    b.seal(seal).expect("seal").to_vec()
}

fn main() {
    let out: PathBuf = std::env::args_os().nth(1).map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus/stun_parse"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&out).expect("create the corpus directory");

    let ice_key = Key::short_term(ICE_PASSWORD).expect("ICE key");
    let rfc_long_key = Key::long_term(
        PasswordAlgorithm::Md5,
        "マトリックス",
        "example.org",
        "TheMatrIX",
    )
    .expect("RFC 5769 long-term key");
    let turn_md5 =
        Key::long_term(PasswordAlgorithm::Md5, "user", "realm", "pass").expect("TURN MD5 key");
    let turn_sha256 = Key::long_term(PasswordAlgorithm::Sha256, "user", "realm", "pass")
        .expect("TURN SHA-256 key");

    let mut unknown_scratch = [0u8; 8];
    let unknown = UnknownAttributes::build(&[0x0031, 0x7fff], &mut unknown_scratch)
        .expect("UNKNOWN-ATTRIBUTES");
    let mut algs_scratch = [0u8; 8];
    let algs = PasswordAlgorithms::build(
        &[PasswordAlgorithm::Sha256, PasswordAlgorithm::Md5],
        &mut algs_scratch,
    )
    .expect("PASSWORD-ALGORITHMS");
    let hash = userhash("user", "realm").expect("USERHASH");
    let token = [0x5a; 8];

    // (name, bytes, key that must verify it)
    let seeds: Vec<(&str, Vec<u8>, Option<&Key<'_>>)> = vec![
        ("rfc5769-request", hex(RFC5769_REQUEST), Some(&ice_key)),
        (
            "rfc5769-ipv4-response",
            hex(RFC5769_IPV4_RESPONSE),
            Some(&ice_key),
        ),
        (
            "rfc5769-ipv6-response",
            hex(RFC5769_IPV6_RESPONSE),
            Some(&ice_key),
        ),
        (
            "rfc5769-long-term",
            hex(RFC5769_LONG_TERM),
            Some(&rfc_long_key),
        ),
        (
            "ice-binding-request",
            build(
                Class::Request,
                Method::BINDING,
                1,
                &[
                    Attribute::Username("evtj:h6vY"),
                    Attribute::Priority(0x6e00_01ff),
                    Attribute::IceControlling(0x0123_4567_89ab_cdef),
                    Attribute::UseCandidate,
                ],
                Seal::sha1(&ice_key),
            ),
            Some(&ice_key),
        ),
        (
            "ice-binding-success-v6",
            build(
                Class::Success,
                Method::BINDING,
                2,
                &[
                    Attribute::XorMappedAddress(addr("[2001:db8::1]:49152")),
                    Attribute::MappedAddress(addr("192.0.2.7:3478")),
                    Attribute::IceControlled(7),
                ],
                Seal::sha1(&ice_key),
            ),
            Some(&ice_key),
        ),
        (
            "ice-binding-error-487",
            build(
                Class::Error,
                Method::BINDING,
                3,
                &[
                    Attribute::ErrorCode(ErrorCode {
                        code: code::ROLE_CONFLICT,
                        reason: "Role Conflict",
                    }),
                    Attribute::Software("rtcam"),
                ],
                Seal::FINGERPRINT,
            ),
            None,
        ),
        (
            "turn-allocate-request",
            build(
                Class::Request,
                Method::ALLOCATE,
                4,
                &[
                    Attribute::Username("user"),
                    Attribute::Realm("realm"),
                    Attribute::Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"),
                    Attribute::PasswordAlgorithm(PasswordAlgorithm::Sha256),
                    Attribute::PasswordAlgorithms(algs),
                    Attribute::RequestedTransport(17),
                    Attribute::RequestedAddressFamily(AddressFamily::V4),
                    Attribute::AdditionalAddressFamily(AddressFamily::V6),
                    Attribute::EvenPort(true),
                    Attribute::DontFragment,
                    Attribute::Lifetime(600),
                ],
                Seal {
                    integrity: Some((&turn_sha256, MacAlgorithm::Both)),
                    fingerprint: true,
                },
            ),
            Some(&turn_sha256),
        ),
        (
            "turn-allocate-401",
            build(
                Class::Error,
                Method::ALLOCATE,
                5,
                &[
                    Attribute::ErrorCode(ErrorCode {
                        code: code::UNAUTHENTICATED,
                        reason: "Unauthorized",
                    }),
                    Attribute::Realm("realm"),
                    Attribute::Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"),
                    Attribute::PasswordAlgorithms(algs),
                    Attribute::Software("Coturn-4.6.1 'Gorst'"),
                ],
                Seal::FINGERPRINT,
            ),
            None,
        ),
        (
            "turn-allocate-success",
            build(
                Class::Success,
                Method::ALLOCATE,
                6,
                &[
                    Attribute::XorRelayedAddress(addr("203.0.113.5:50000")),
                    Attribute::XorRelayedAddress(addr("[2001:db8::5]:50002")),
                    Attribute::AddressErrorCode(
                        AddressFamily::V6,
                        ErrorCode {
                            code: code::INSUFFICIENT_CAPACITY,
                            reason: "",
                        },
                    ),
                    Attribute::XorMappedAddress(addr("198.51.100.2:61000")),
                    Attribute::Lifetime(600),
                    Attribute::ReservationToken(&token),
                ],
                Seal {
                    integrity: Some((&turn_md5, MacAlgorithm::Sha1)),
                    fingerprint: true,
                },
            ),
            Some(&turn_md5),
        ),
        (
            "turn-create-permission",
            build(
                Class::Request,
                Method::CREATE_PERMISSION,
                7,
                &[
                    Attribute::XorPeerAddress(addr("192.0.2.10:0")),
                    Attribute::XorPeerAddress(addr("[2001:db8::10]:0")),
                    Attribute::Userhash(&hash),
                    Attribute::Realm("realm"),
                    Attribute::Nonce("n0nce"),
                ],
                Seal {
                    integrity: Some((&turn_md5, MacAlgorithm::Sha1)),
                    fingerprint: false,
                },
            ),
            Some(&turn_md5),
        ),
        (
            "turn-channel-bind",
            build(
                Class::Request,
                Method::CHANNEL_BIND,
                8,
                &[
                    Attribute::ChannelNumber(0x4001),
                    Attribute::XorPeerAddress(addr("192.0.2.10:5000")),
                    Attribute::Username("user"),
                ],
                Seal {
                    integrity: Some((&turn_md5, MacAlgorithm::Sha256)),
                    fingerprint: true,
                },
            ),
            Some(&turn_md5),
        ),
        (
            "turn-send-indication",
            build(
                Class::Indication,
                Method::SEND,
                9,
                &[
                    Attribute::XorPeerAddress(addr("192.0.2.10:5000")),
                    Attribute::DontFragment,
                    Attribute::Data(b"\x80\x60\x00\x01 an RTP packet, say"),
                ],
                Seal::NONE,
            ),
            None,
        ),
        (
            "unknown-attributes-420",
            build(
                Class::Error,
                Method::BINDING,
                10,
                &[
                    Attribute::ErrorCode(ErrorCode {
                        code: code::UNKNOWN_ATTRIBUTE,
                        reason: "Unknown Attribute",
                    }),
                    Attribute::UnknownAttributes(unknown),
                ],
                Seal::FINGERPRINT,
            ),
            None,
        ),
        (
            "alternate-server-300",
            build(
                Class::Error,
                Method::ALLOCATE,
                11,
                &[
                    Attribute::ErrorCode(ErrorCode {
                        code: code::TRY_ALTERNATE,
                        reason: "Try Alternate",
                    }),
                    Attribute::AlternateServer(addr("[2001:db8::3]:5349")),
                    Attribute::AlternateDomain("turn.example.org"),
                    // Unknown, comprehension-optional then -required: kept raw, the
                    // second listed in `unknown_required`.
                    Attribute::Other {
                        kind: 0xc001,
                        value: b"opt",
                    },
                    Attribute::Other {
                        kind: 0x0031,
                        value: b"required",
                    },
                ],
                Seal::FINGERPRINT,
            ),
            None,
        ),
    ];

    for (name, bytes, key) in &seeds {
        let repr = Repr::parse_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        if let Some(key) = key {
            repr.verify(key)
                .unwrap_or_else(|e| panic!("{name}: integrity: {e:?}"));
        }
        let path = out.join(format!("seed-{name}"));
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        println!("{:5} bytes  {}", bytes.len(), path.display());
    }
}
