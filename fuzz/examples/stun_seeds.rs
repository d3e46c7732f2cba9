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

// The RFC 5769 samples, shared with the stun crate's own RFC 5769 tests.
#[path = "../../stun/tests/vectors/rfc5769.rs"]
mod rfc5769;
use rfc5769::{
    LONG_TERM as RFC5769_LONG_TERM, PASSWORD as ICE_PASSWORD, REQUEST as RFC5769_REQUEST,
    RESPONSE_V4 as RFC5769_IPV4_RESPONSE, RESPONSE_V6 as RFC5769_IPV6_RESPONSE, hex,
};

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
