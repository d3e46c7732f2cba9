//! Round trips of every attribute, building into short buffers, and malformed messages.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use core::net::SocketAddr;

use rtcam_stun::{
    AddressFamily, Attribute, Attributes, Class, Error, ErrorCode, Key, MacAlgorithm, Message,
    MessageBuilder, Method, PasswordAlgorithm, PasswordAlgorithms, Repr, Seal, TransactionId,
    UnknownAttributes, code, frame_len, is_stun, kind, userhash,
};

#[path = "vectors/rfc5769.rs"]
mod rfc5769;

const TID: TransactionId = TransactionId([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

fn v4() -> SocketAddr {
    "192.0.2.1:32853".parse().unwrap()
}
fn v6() -> SocketAddr {
    "[2001:db8::1234:5678:9abc]:4242".parse().unwrap()
}

/// A message carrying every attribute `Attributes` knows.
fn everything<'a>(ua: UnknownAttributes<'a>, pa: PasswordAlgorithms<'a>) -> Attributes<'a> {
    let mut a = Attributes {
        mapped_address: Some(v4()),
        xor_mapped_address: Some(v6()),
        username: Some("evtj:h6vY"),
        userhash: Some(&[0x5a; 32]),
        error_code: Some(ErrorCode {
            code: 438,
            reason: "Stale Nonce",
        }),
        realm: Some("kvs.test"),
        nonce: Some("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"),
        password_algorithm: Some(PasswordAlgorithm::Sha256),
        password_algorithms: Some(pa),
        unknown_attributes: Some(ua),
        software: Some("rtcam"),
        alternate_server: Some(v6()),
        alternate_domain: Some("turn.example.org"),
        priority: Some(0x6e00_01ff),
        use_candidate: true,
        ice_controlled: Some(0x932f_f9b1_5126_3b36),
        ice_controlling: Some(u64::MAX),
        channel_number: Some(0x4001),
        lifetime: Some(600),
        data: Some(b"\x00\x01hello, relay"),
        requested_address_family: Some(AddressFamily::V6),
        additional_address_family: Some(AddressFamily::V6),
        address_error_code: Some((
            AddressFamily::V6,
            ErrorCode {
                code: 440,
                reason: "",
            },
        )),
        even_port: Some(true),
        requested_transport: Some(17),
        dont_fragment: true,
        reservation_token: Some(&[9; 8]),
        ..Attributes::default()
    };
    a.xor_peer_address = Some(v4());
    a.xor_relayed_addresses.push(v4()).unwrap();
    a.xor_relayed_addresses.push(v6()).unwrap();
    a
}

#[test]
fn every_attribute_round_trips_with_every_seal() {
    let mut ua_buf = [0u8; 4];
    let ua = UnknownAttributes::build(&[0x0033, 0x7fff], &mut ua_buf).unwrap();
    let mut pa_buf = [0u8; 8];
    let pa = PasswordAlgorithms::build(
        &[PasswordAlgorithm::Sha256, PasswordAlgorithm::Md5],
        &mut pa_buf,
    )
    .unwrap();
    let key = Key::long_term(PasswordAlgorithm::Sha256, "user", "kvs.test", "pass").unwrap();
    for class in [
        Class::Request,
        Class::Indication,
        Class::Success,
        Class::Error,
    ] {
        for alg in [
            None,
            Some(MacAlgorithm::Sha1),
            Some(MacAlgorithm::Sha256),
            Some(MacAlgorithm::Both),
        ] {
            for fingerprint in [false, true] {
                let mut repr = Repr::new(class, Method::ALLOCATE, TID);
                repr.attributes = everything(ua, pa);
                let mut buf = [0u8; 1024];
                let seal = Seal {
                    integrity: alg.map(|a| (&key, a)),
                    fingerprint,
                };
                let n = repr.emit(&mut buf, seal).unwrap();
                let parsed = Repr::parse_bytes(&buf[..n]).unwrap();
                assert_eq!(parsed.class, class);
                assert_eq!(parsed.method, Method::ALLOCATE);
                assert_eq!(parsed.transaction_id, TID);
                assert_eq!(parsed.attributes, repr.attributes);
                assert_eq!(parsed.has_fingerprint(), fingerprint);
                assert!(parsed.unknown_required.is_empty());
                match alg {
                    None => assert_eq!(parsed.verify(&key), Err(Error::NoIntegrity)),
                    Some(_) => {
                        parsed.verify(&key).unwrap();
                        let wrong =
                            Key::long_term(PasswordAlgorithm::Sha256, "user", "kvs.test", "pasS")
                                .unwrap();
                        assert_eq!(parsed.verify(&wrong), Err(Error::IntegrityMismatch));
                    }
                }
                assert_eq!(
                    parsed.has_integrity_sha256(),
                    matches!(alg, Some(MacAlgorithm::Sha256 | MacAlgorithm::Both))
                );
                let ua: Vec<u16> = parsed
                    .attributes
                    .unknown_attributes
                    .unwrap()
                    .iter()
                    .collect();
                assert_eq!(ua, [0x0033, 0x7fff]);
                let pa: Vec<_> = parsed
                    .attributes
                    .password_algorithms
                    .unwrap()
                    .iter()
                    .collect();
                assert_eq!(pa, [PasswordAlgorithm::Sha256, PasswordAlgorithm::Md5]);
                // The view agrees with the Repr.
                let view = Message::new_checked(&buf[..n]).unwrap();
                assert_eq!(view.class(), class);
                assert_eq!(view.transaction_id(), TID);
                assert_eq!(view.body_len(), n - 20);
                assert_eq!(frame_len(&buf[..n]), Ok(Some(n)));
                assert!(is_stun(&buf[..n]));
            }
        }
    }
}

#[test]
fn building_into_every_short_buffer_fails_cleanly() {
    let key = Key::short_term("pass").unwrap();
    let mut ua_buf = [0u8; 2];
    let ua = UnknownAttributes::build(&[0x0033], &mut ua_buf).unwrap();
    let mut pa_buf = [0u8; 4];
    let pa = PasswordAlgorithms::build(&[PasswordAlgorithm::Md5], &mut pa_buf).unwrap();
    let mut repr = Repr::new(Class::Request, Method::BINDING, TID);
    repr.attributes = everything(ua, pa);
    let mut full = [0u8; 1024];
    let n = repr.emit(&mut full, Seal::sha1(&key)).unwrap();
    for size in 0..n {
        let mut buf = vec![0u8; size];
        assert_eq!(
            repr.emit(&mut buf, Seal::sha1(&key)),
            Err(Error::BufferTooSmall),
            "size {size}"
        );
    }
    let mut exact = vec![0u8; n];
    assert_eq!(repr.emit(&mut exact, Seal::sha1(&key)), Ok(n));
    assert_eq!(exact[..], full[..n]);
}

#[test]
fn nothing_after_fingerprint() {
    let mut buf = [0u8; 64];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
    b.add_fingerprint().unwrap();
    assert_eq!(
        b.add(&Attribute::Priority(1)).err(),
        Some(Error::AttributeAfterFingerprint)
    );
    assert_eq!(
        b.add_fingerprint().err(),
        Some(Error::AttributeAfterFingerprint)
    );
}

#[test]
fn values_that_cannot_be_encoded() {
    let mut buf = [0u8; 2048];
    let long = "x".repeat(764);
    for attr in [
        Attribute::Username(&long),
        Attribute::Realm(&long),
        Attribute::Software(&long),
        Attribute::ErrorCode(ErrorCode {
            code: 299,
            reason: "",
        }),
        Attribute::ErrorCode(ErrorCode {
            code: 700,
            reason: "",
        }),
        Attribute::MessageIntegritySha256(&[0; 15]),
    ] {
        let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
        assert_eq!(b.add(&attr).err(), Some(Error::ValueOutOfRange), "{attr:?}");
    }
}

/// Builds a message from raw (type, value) attributes, no integrity.
fn raw_message(attrs: &[(u16, &[u8])]) -> Vec<u8> {
    let mut m = vec![0x00, 0x01, 0, 0, 0x21, 0x12, 0xa4, 0x42];
    m.extend_from_slice(&TID.0);
    for (t, v) in attrs {
        m.extend_from_slice(&t.to_be_bytes());
        m.extend_from_slice(&(v.len() as u16).to_be_bytes());
        m.extend_from_slice(v);
        while m.len() % 4 != 0 {
            m.push(0);
        }
    }
    let len = (m.len() - 20) as u16;
    m[2..4].copy_from_slice(&len.to_be_bytes());
    m
}

#[test]
fn malformed_headers() {
    let good = raw_message(&[(kind::PRIORITY, &[0, 0, 0, 1])]);
    assert!(Repr::parse_bytes(&good).is_ok());

    let mut m = good.clone();
    m[0] |= 0x80;
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::NotStun));
    let mut m = good.clone();
    m[4] = 0;
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::NoMagicCookie));
    let mut m = good.clone();
    m[3] = 6; // not a multiple of 4
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::BadLength));
    let mut m = good.clone();
    m[3] = 12; // longer than the datagram
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::Truncated));
    let mut m = good.clone();
    m.extend_from_slice(&[0; 4]); // trailing bytes the length does not cover
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::BadLength));
    assert_eq!(Repr::parse_bytes(&[]).err(), Some(Error::Truncated));
    // RTP, DTLS and ChannelData are not STUN.
    assert!(!is_stun(&[0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1]));
    assert!(!is_stun(&[
        0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
    ]));
    assert!(!is_stun(&[0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4]));
}

#[test]
fn malformed_attributes() {
    // Attribute length past the end (the header length is right, the TLV is not).
    let mut m = raw_message(&[(kind::USERNAME, b"abcd")]);
    m[23] = 5;
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::AttributeOverrun));
    // Missing padding: value of 5 bytes with the message ending right after it.
    let mut m = raw_message(&[(kind::USERNAME, b"abcde")]);
    m.truncate(m.len() - 3);
    let len = (m.len() - 20) as u16;
    m[2..4].copy_from_slice(&len.to_be_bytes());
    assert!(Repr::parse_bytes(&m).is_err());
    // A lone attribute header fragment.
    let mut m = raw_message(&[]);
    m.extend_from_slice(&[0x00, 0x24, 0x00, 0x04]);
    m[3] = 4;
    assert_eq!(Repr::parse_bytes(&m).err(), Some(Error::AttributeOverrun));

    let bad: &[(u16, &[u8])] = &[
        (kind::XOR_MAPPED_ADDRESS, &[0, 3, 0, 0, 1, 2, 3, 4]), // family 3
        (kind::XOR_MAPPED_ADDRESS, &[0, 1, 0, 0, 1, 2, 3]),    // short IPv4
        (kind::MAPPED_ADDRESS, &[0, 2, 0, 0, 1, 2, 3, 4]),     // IPv6 family, IPv4 size
        (kind::USERNAME, &[0xff, 0xfe]),                       // not UTF-8
        (kind::ERROR_CODE, &[0, 0, 7, 0]),                     // class 7
        (kind::ERROR_CODE, &[0, 0, 4, 100]),                   // number 100
        (kind::ERROR_CODE, &[0, 0, 4]),                        // short
        (kind::MESSAGE_INTEGRITY, &[0; 19]),
        (kind::MESSAGE_INTEGRITY_SHA256, &[0; 12]),
        (kind::MESSAGE_INTEGRITY_SHA256, &[0; 18]),
        (kind::FINGERPRINT, &[0; 3]),
        (kind::PRIORITY, &[0; 3]),
        (kind::ICE_CONTROLLING, &[0; 4]),
        (kind::USE_CANDIDATE, &[0]),
        (kind::CHANNEL_NUMBER, &[0x40, 0x00]),
        (kind::LIFETIME, &[0; 5]),
        (kind::REQUESTED_ADDRESS_FAMILY, &[3, 0, 0, 0]),
        (kind::EVEN_PORT, &[0x80, 0]),
        (kind::REQUESTED_TRANSPORT, &[17]),
        (kind::DONT_FRAGMENT, &[0]),
        (kind::RESERVATION_TOKEN, &[0; 7]),
        (kind::USERHASH, &[0; 31]),
        (kind::UNKNOWN_ATTRIBUTES, &[0, 1, 0]),
        (kind::PASSWORD_ALGORITHM, &[0, 1, 0, 4]),
        (kind::PASSWORD_ALGORITHMS, &[0, 1, 0, 4, 0]),
        (kind::ADDRESS_ERROR_CODE, &[9, 0, 4, 40]),
    ];
    for (t, v) in bad {
        let m = raw_message(&[(*t, v)]);
        assert_eq!(
            Repr::parse_bytes(&m).err(),
            Some(Error::InvalidAttribute(*t)),
            "{t:04x} {v:?}"
        );
    }
    let too_long = vec![b'u'; 513];
    let m = raw_message(&[(kind::USERNAME, &too_long)]);
    assert_eq!(
        Repr::parse_bytes(&m).err(),
        Some(Error::InvalidAttribute(kind::USERNAME))
    );
}

#[test]
fn duplicate_integrity_and_late_attributes() {
    let mi = [0u8; 20];
    let m = raw_message(&[
        (kind::MESSAGE_INTEGRITY, &mi),
        (kind::MESSAGE_INTEGRITY, &mi),
    ]);
    assert_eq!(
        Repr::parse_bytes(&m).err(),
        Some(Error::DuplicateIntegrity(kind::MESSAGE_INTEGRITY))
    );
    let m = raw_message(&[
        (kind::MESSAGE_INTEGRITY_SHA256, &[0; 32]),
        (kind::MESSAGE_INTEGRITY_SHA256, &[0; 32]),
    ]);
    assert_eq!(
        Repr::parse_bytes(&m).err(),
        Some(Error::DuplicateIntegrity(kind::MESSAGE_INTEGRITY_SHA256))
    );

    // Attributes after MESSAGE-INTEGRITY are ignored, and verification still works.
    let key = Key::short_term("secret").unwrap();
    let mut buf = [0u8; 128];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
    b.add(&Attribute::Username("a:b")).unwrap();
    b.add_message_integrity(&key).unwrap();
    b.add(&Attribute::Software("injected")).unwrap();
    b.add(&Attribute::Priority(7)).unwrap();
    let n = b.finish().len();
    let repr = Repr::parse_bytes(&buf[..n]).unwrap();
    assert_eq!(repr.attributes.username, Some("a:b"));
    assert_eq!(repr.attributes.software, None);
    assert_eq!(repr.attributes.priority, None);
    repr.verify(&key).unwrap();

    // After FINGERPRINT nothing may follow.
    let mut buf = [0u8; 128];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
    b.add_fingerprint().unwrap();
    let mut m = b.finish().to_vec();
    m.extend_from_slice(&[0x00, 0x24, 0x00, 0x04, 0, 0, 0, 1]);
    let len = (m.len() - 20) as u16;
    m[2..4].copy_from_slice(&len.to_be_bytes());
    assert_eq!(
        Repr::parse_bytes(&m).err(),
        Some(Error::AttributeAfterFingerprint)
    );

    // A wrong FINGERPRINT.
    let mut buf = [0u8; 128];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
    b.add_fingerprint().unwrap();
    let mut m = b.finish().to_vec();
    *m.last_mut().unwrap() ^= 1;
    assert_eq!(
        Repr::parse_bytes(&m).err(),
        Some(Error::FingerprintMismatch)
    );
}

#[test]
fn truncated_sha256_integrity_verifies() {
    // RFC 8489 §14.6 allows MESSAGE-INTEGRITY-SHA256 truncated to 16..=32 bytes.
    let key = Key::short_term("secret").unwrap();
    let mut buf = [0u8; 128];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, TID).unwrap();
    b.add(&Attribute::Username("a:b")).unwrap();
    b.add_message_integrity_sha256(&key).unwrap();
    let full = b.finish().to_vec();
    // Cut the MAC to 16 bytes: rewrite the attribute length and the message length.
    let mut m = full[..full.len() - 16].to_vec();
    let at = m.len() - 20;
    m[at + 2..at + 4].copy_from_slice(&16u16.to_be_bytes());
    let len = (m.len() - 20) as u16;
    m[2..4].copy_from_slice(&len.to_be_bytes());
    // The truncated MAC was computed with the full length: recompute it for the new one.
    let repr = Repr::parse_bytes(&m).unwrap();
    assert_eq!(repr.verify(&key), Err(Error::IntegrityMismatch));
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
    mac.update(&m[..at]);
    let tag = mac.finalize().into_bytes();
    m[at + 4..].copy_from_slice(&tag[..16]);
    let repr = Repr::parse_bytes(&m).unwrap();
    repr.verify(&key).unwrap();
}

#[test]
fn unknown_attributes_are_reported_or_ignored() {
    let m = raw_message(&[
        (0x0033, b"x"),
        (0x7fff, b""),
        (0xc001, b"optional"),
        (0x0003, &[0; 4]),
    ]);
    let repr = Repr::parse_bytes(&m).unwrap();
    assert_eq!(repr.unknown_required.as_slice(), &[0x0033, 0x7fff, 0x0003]);
    // The view still shows everything in wire order.
    let msg = Message::new_checked(&m[..]).unwrap();
    let kinds: Vec<u16> = msg.attributes().map(|a| a.kind).collect();
    assert_eq!(kinds, [0x0033, 0x7fff, 0xc001, 0x0003]);
    assert!(msg.attributes().next().unwrap().is_comprehension_required());
    // A bounded list: more unknown types than it holds are still detected.
    let many: Vec<(u16, &[u8])> = (0x0040..0x0050).map(|t| (t, &b""[..])).collect();
    let m = raw_message(&many);
    let repr = Repr::parse_bytes(&m).unwrap();
    assert!(repr.has_unknown_required());
    assert_eq!(repr.unknown_required.len(), rtcam_stun::MAX_UNKNOWN);
}

#[test]
fn repeated_attributes_keep_the_first() {
    let m = raw_message(&[
        (kind::PRIORITY, &[0, 0, 0, 1]),
        (kind::PRIORITY, &[0, 0, 0, 2]),
    ]);
    assert_eq!(Repr::parse_bytes(&m).unwrap().attributes.priority, Some(1));
}

#[test]
fn an_error_response_answers_unknown_attributes() {
    // What a server does with a request it cannot fully understand (RFC 8489 §6.3.1.1).
    let request = raw_message(&[(0x0033, b"")]);
    let req = Repr::parse_bytes(&request).unwrap();
    let mut scratch = [0u8; 2 * rtcam_stun::MAX_UNKNOWN];
    let list = UnknownAttributes::build(&req.unknown_required, &mut scratch).unwrap();
    let mut resp = Repr::new(Class::Error, req.method, req.transaction_id);
    resp.attributes.error_code = Some(ErrorCode {
        code: code::UNKNOWN_ATTRIBUTE,
        reason: "Unknown Attribute",
    });
    resp.attributes.unknown_attributes = Some(list);
    let mut buf = [0u8; 128];
    let n = resp.emit(&mut buf, Seal::FINGERPRINT).unwrap();
    let parsed = Repr::parse_bytes(&buf[..n]).unwrap();
    assert_eq!(parsed.attributes.error_code.unwrap().code, 420);
    assert_eq!(
        parsed
            .attributes
            .unknown_attributes
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [0x0033]
    );
}

#[test]
fn long_term_keys() {
    // MD5(username ":" realm ":" password), checked against an independent digest.
    use md5::Digest;
    let key = Key::long_term(PasswordAlgorithm::Md5, "testuser", "kvs.test", "testpass").unwrap();
    assert_eq!(
        key.as_bytes(),
        &md5::Md5::digest(b"testuser:kvs.test:testpass")[..]
    );
    let key = Key::long_term(
        PasswordAlgorithm::Sha256,
        "testuser",
        "kvs.test",
        "testpass",
    )
    .unwrap();
    assert_eq!(
        key.as_bytes(),
        &sha2::Sha256::digest(b"testuser:kvs.test:testpass")[..]
    );
    assert_eq!(
        Key::long_term(PasswordAlgorithm::Other(9), "u", "r", "p"),
        Err(Error::InvalidCredential)
    );
    // Non-ASCII spaces in the password map to U+0020 before hashing.
    let a = Key::long_term(PasswordAlgorithm::Md5, "u", "r", "p\u{3000}w").unwrap();
    let b = Key::long_term(PasswordAlgorithm::Md5, "u", "r", "p w").unwrap();
    assert_eq!(a, b);
    assert_eq!(
        userhash("testuser", "kvs.test").unwrap(),
        <[u8; 32]>::from(sha2::Sha256::digest(b"testuser:kvs.test"))
    );
    // A short-term key must already be prepared; the key never shows in Debug output.
    assert_eq!(Key::short_term("a\u{0}b"), Err(Error::InvalidCredential));
    let dbg = format!("{:?}", Key::short_term("hunter2").unwrap());
    assert!(!dbg.contains("hunter2"), "{dbg}");
}

/// A deterministic stand-in for the driver's CSPRNG.
struct CountingRng(u8);
impl rand_core::RngCore for CountingRng {
    fn next_u32(&mut self) -> u32 {
        rand_core::impls::next_u32_via_fill(self)
    }
    fn next_u64(&mut self) -> u64 {
        rand_core::impls::next_u64_via_fill(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for CountingRng {}

#[test]
fn transaction_ids_come_from_the_injected_rng() {
    let mut rng = CountingRng(0);
    let a = TransactionId::random(&mut rng);
    let b = TransactionId::random(&mut rng);
    assert_eq!(a.0, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_ne!(a, b);
    let os = TransactionId::random(&mut rand_core::OsRng);
    assert_ne!(os, TransactionId::random(&mut rand_core::OsRng));
}

/// A 420 captured from coturn 4.6.1: its ERROR-CODE length counts the padding, so the
/// reason phrase arrives with trailing NULs, which are dropped.
#[test]
fn captured_coturn_420() {
    let hex = "011100442112a4423d407c471dd55fe553d551380009001800000414556e6b6e6f776e20417474726962757465000000000a00020033000080220014436f7475726e2d342e362e312027476f7273742780280004c52ad216";
    let bytes = rfc5769::hex(hex);
    let repr = Repr::parse_bytes(&bytes).unwrap();
    assert_eq!(repr.class, Class::Error);
    assert!(repr.has_fingerprint());
    assert_eq!(
        repr.attributes.error_code,
        Some(ErrorCode {
            code: 420,
            reason: "Unknown Attribute"
        })
    );
    assert_eq!(
        repr.attributes
            .unknown_attributes
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [0x0033]
    );
    assert_eq!(repr.attributes.software, Some("Coturn-4.6.1 'Gorst'"));
}

/// Over TCP a message may be as long as the 16-bit length allows: offsets past 65535 work.
#[test]
fn largest_message_with_integrity_and_fingerprint() {
    let key = Key::short_term("secret").unwrap();
    let data = vec![0xabu8; 65535 - 4 - 24 - 8 - 3];
    let mut buf = vec![0u8; 70_000];
    let mut b = MessageBuilder::new(&mut buf, Class::Indication, Method::SEND, TID).unwrap();
    b.add(&Attribute::Data(&data)).unwrap();
    let m = b.seal(Seal::sha1(&key)).unwrap().to_vec();
    assert!(m.len() > 65535, "{}", m.len());
    let repr = Repr::parse_bytes(&m).unwrap();
    assert_eq!(repr.attributes.data.map(<[u8]>::len), Some(data.len()));
    repr.verify(&key).unwrap();
    let view = Message::new_checked(&m[..]).unwrap();
    view.check_fingerprint().unwrap();
    view.verify(&key).unwrap();
    // One more byte of data does not fit the length field.
    let data = vec![0u8; 65535 - 4];
    let mut b = MessageBuilder::new(&mut buf, Class::Indication, Method::SEND, TID).unwrap();
    assert_eq!(
        b.add(&Attribute::Data(&data)).err(),
        Some(Error::ValueOutOfRange)
    );
}
