//! DTLS wire formats and handshake reassembly, against real flights captured from Chromium 156
//! and aiortc (tests/fixtures/README.md) and against hand-built messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_dtls_srtp::dtls::Error;
use rtcam_dtls_srtp::dtls::reassembly::{Fragmenter, Inserted, Message, Reassembler};
use rtcam_dtls_srtp::dtls::wire::*;
use rtcam_dtls_srtp::srtp::Profile;

const CH1: &[u8] = include_bytes!("fixtures/chromium156-clienthello-1.bin");
const CH2: &[u8] = include_bytes!("fixtures/chromium156-clienthello-2.bin");
const AIORTC_SERVER_FLIGHT: &[u8] = include_bytes!("fixtures/aiortc-server-flight.bin");
const CHROMIUM_CLIENT_FLIGHT: &[u8] = include_bytes!("fixtures/chromium156-client-flight.bin");

type Reasm = Reassembler<4096>;

/// All handshake fragments of the epoch-0 handshake records of a datagram.
fn fragments(datagram: &[u8]) -> Vec<HandshakeFragment<'_>> {
    let mut out = Vec::new();
    for rec in Records::new(datagram) {
        let rec = rec.unwrap();
        if rec.header.content_type == ContentType::HANDSHAKE && rec.header.epoch == 0 {
            for f in HandshakeFragments::new(rec.fragment) {
                out.push(f.unwrap());
            }
        }
    }
    out
}

/// Feeds fragments and collects every completed message (owned).
fn feed(r: &mut Reasm, frags: &[HandshakeFragment<'_>]) -> Vec<(HandshakeType, u16, Vec<u8>)> {
    let mut out = Vec::new();
    for f in frags {
        r.insert(f).unwrap();
        while let Some(Message {
            msg_type,
            message_seq,
            body,
        }) = r.next_message()
        {
            out.push((msg_type, message_seq, body.to_vec()));
            r.advance();
        }
    }
    out
}

fn chromium_client_hello_body() -> Vec<u8> {
    let mut frags = fragments(CH1);
    frags.extend(fragments(CH2));
    let mut r = Reasm::new(0);
    let msgs = feed(&mut r, &frags);
    assert_eq!(msgs.len(), 1);
    msgs.into_iter().next().unwrap().2
}

#[test]
fn chromium_client_hello_records() {
    let recs: Vec<_> = Records::new(CH1).map(Result::unwrap).collect();
    assert_eq!(recs.len(), 1);
    let h = recs[0].header;
    assert_eq!(h.content_type, ContentType::HANDSHAKE);
    assert_eq!(
        h.version,
        ProtocolVersion::DTLS1_0,
        "Chromium's ClientHello record says DTLS 1.0"
    );
    assert_eq!((h.epoch, h.sequence), (0, 0));
    let f1 = fragments(CH1);
    let f2 = fragments(CH2);
    assert_eq!(f1.len(), 1);
    assert_eq!(f2.len(), 1);
    assert_eq!(f1[0].header.length, 1413);
    assert_eq!(
        (f1[0].header.fragment_offset, f1[0].header.fragment_length),
        (0, 1175)
    );
    assert_eq!(
        (f2[0].header.fragment_offset, f2[0].header.fragment_length),
        (1175, 238)
    );
    assert!(is_dtls(CH1));
}

#[test]
fn chromium_client_hello_reassembles_in_any_order_and_duplicated() {
    let a = fragments(CH1)[0];
    let b = fragments(CH2)[0];
    let want = chromium_client_hello_body();
    assert_eq!(want.len(), 1413);
    for order in [
        vec![a, b],
        vec![b, a],
        vec![b, b, a, a],
        vec![a, a, b],
        vec![b, a, b, a],
    ] {
        let mut r = Reasm::new(0);
        let msgs = feed(&mut r, &order);
        assert_eq!(msgs.len(), 1, "{order:?}");
        assert_eq!(msgs[0].0, HandshakeType::CLIENT_HELLO);
        assert_eq!(msgs[0].2, want);
        // Anything more of seq 0 is now a retransmission.
        assert_eq!(r.insert(&a).unwrap(), Inserted::Old);
        assert_eq!(r.buffered(), 0);
    }
}

#[test]
fn chromium_client_hello_contents() {
    let body = chromium_client_hello_body();
    let ch = ClientHello::parse(&body).unwrap();
    assert_eq!(ch.version, ProtocolVersion::DTLS1_2);
    assert!(ch.cookie.is_empty());
    let suites: Vec<u16> = ch.cipher_suites.iter().collect();
    assert_eq!(
        suites,
        [
            0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014,
            0x009c, 0x002f, 0x0035
        ]
    );
    assert!(ch.offers(CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256));
    assert_eq!(ch.compression_methods, [0]);
    let ext = &ch.extensions;
    let srtp = ext.use_srtp.unwrap();
    let profiles: Vec<_> = srtp.profiles.iter().map(Profile::from_id).collect();
    assert_eq!(
        profiles,
        [
            Some(Profile::Aes128CmHmacSha1_80),
            Some(Profile::AeadAes256Gcm),
            Some(Profile::AeadAes128Gcm)
        ]
    );
    assert!(srtp.mki.is_empty());
    assert!(ext.extended_master_secret);
    assert_eq!(ext.renegotiation_info, Some(&[][..]));
    assert_eq!(ext.ec_point_formats, Some(&[0u8][..]));
    let groups: Vec<_> = ext.supported_groups.unwrap().iter().collect();
    assert_eq!(groups, [0x11ec, 0x001d, 0x0017, 0x0018]);
    let sigs: Vec<_> = ext.signature_algorithms.unwrap().iter().collect();
    assert_eq!(
        sigs,
        [
            0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201
        ]
    );
    let versions: Vec<_> = ext.supported_versions.unwrap().iter().collect();
    assert_eq!(versions, [0xfefc, 0xfefd]);
    assert!(ext.offers_dtls13());
    // key_share and psk_key_exchange_modes are skipped but still iterable.
    let others: Vec<_> = ext.others().map(|e| e.kind).collect();
    assert!(others.contains(&ExtensionType::KEY_SHARE), "{others:?}");
    assert!(
        others.contains(&ExtensionType(45)),
        "psk_key_exchange_modes: {others:?}"
    );
    assert_eq!(ext.raw.iter().count(), 9);
    let key_share = ext.raw.get(ExtensionType::KEY_SHARE).unwrap();
    assert_eq!(key_share.len(), 2 + 4 + 1216 + 4 + 32);

    // emit → parse round trip (extension order changes, contents do not).
    let mut buf = [0u8; 2048];
    let n = ch.emit(&mut buf).unwrap();
    assert_eq!(n, body.len());
    assert_eq!(ClientHello::parse(&buf[..n]).unwrap(), ch);
}

#[test]
fn aiortc_server_flight() {
    let frags = fragments(AIORTC_SERVER_FLIGHT);
    assert_eq!(
        frags.len(),
        7,
        "ServerHello, 3 Certificate fragments, SKE, CR, SHD"
    );
    let mut r = Reasm::new(0);
    let msgs = feed(&mut r, &frags);
    let types: Vec<_> = msgs.iter().map(|m| m.0).collect();
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::CERTIFICATE_REQUEST,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    let sh = ServerHello::parse(&msgs[0].2).unwrap();
    assert_eq!(sh.cipher_suite, CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256);
    assert!(sh.extensions.extended_master_secret);
    let srtp = sh.extensions.use_srtp.unwrap();
    assert_eq!(srtp.profiles.len(), 1);
    assert_eq!(
        Profile::from_id(srtp.profiles.iter().next().unwrap()),
        Some(Profile::AeadAes256Gcm)
    );
    let cert = Certificate::parse(&msgs[1].2).unwrap();
    assert_eq!(cert.certificates.len(), 1);
    assert_eq!(cert.certificates.first().unwrap()[0], 0x30, "DER SEQUENCE");
    let ske = ServerKeyExchange::parse(&msgs[2].2).unwrap();
    assert_eq!(ske.group, NamedGroup::X25519);
    assert_eq!(ske.public.len(), 32);
    assert_eq!(
        ske.signature.scheme,
        SignatureScheme::ECDSA_SECP256R1_SHA256
    );
    let cr = CertificateRequest::parse(&msgs[3].2).unwrap();
    assert!(
        cr.signature_algorithms
            .contains(SignatureScheme::ECDSA_SECP256R1_SHA256.0)
    );
    assert_eq!(
        Handshake::parse(msgs[4].0, &msgs[4].2).unwrap(),
        Handshake::ServerHelloDone
    );

    // Every message of the flight round-trips byte for byte through Handshake.
    for (t, seq, body) in &msgs {
        let m = Handshake::parse(*t, body).unwrap();
        let mut buf = [0u8; 2048];
        let n = m.emit(*seq, &mut buf).unwrap();
        let h = HandshakeHeader::parse(&buf).unwrap();
        assert_eq!(
            h,
            HandshakeHeader::unfragmented(*t, *seq, body.len() as u32)
        );
        assert_eq!(
            Handshake::parse(*t, &buf[HANDSHAKE_HEADER_LEN..n]).unwrap(),
            m
        );
        if *t != HandshakeType::SERVER_HELLO {
            assert_eq!(&buf[HANDSHAKE_HEADER_LEN..n], &body[..], "{t:?}");
        }
    }
}

#[test]
fn chromium_client_flight() {
    let recs: Vec<_> = Records::new(CHROMIUM_CLIENT_FLIGHT)
        .map(Result::unwrap)
        .collect();
    let kinds: Vec<_> = recs
        .iter()
        .map(|r| (r.header.content_type, r.header.epoch))
        .collect();
    assert_eq!(
        kinds,
        [
            (ContentType::HANDSHAKE, 0),
            (ContentType::HANDSHAKE, 0),
            (ContentType::HANDSHAKE, 0),
            (ContentType::CHANGE_CIPHER_SPEC, 0),
            (ContentType::HANDSHAKE, 1)
        ]
    );
    parse_change_cipher_spec(recs[3].fragment).unwrap();
    assert_eq!(
        recs[4].fragment.len(),
        48,
        "8 nonce + 12+12 Finished + 16 tag"
    );
    let frags = fragments(CHROMIUM_CLIENT_FLIGHT);
    let mut r = Reasm::new(1);
    let msgs = feed(&mut r, &frags);
    assert_eq!(msgs.len(), 3);
    let cert = Certificate::parse(&msgs[0].2).unwrap();
    assert_eq!(cert.certificates.len(), 1);
    let cke = ClientKeyExchange::parse(&msgs[1].2).unwrap();
    assert_eq!(cke.public.len(), 32, "x25519");
    let cv = CertificateVerify::parse(&msgs[2].2).unwrap();
    assert_eq!(cv.signature.scheme, SignatureScheme::ECDSA_SECP256R1_SHA256);
}

// ---- hand-built messages ----

const RANDOM: [u8; 32] = [7; 32];
const SUITES: [u16; 3] = [0xc02b, 0xc02c, 0xc02f];
const GROUPS: [u16; 2] = [0x0017, 0x001d];
const SIGS: [u16; 2] = [0x0403, 0x0401];
const PROFILES: [u16; 4] = [0x0007, 0x0008, 0x0001, 0x0002];
const VERSIONS: [u16; 2] = [0xfefc, 0xfefd];
const CERT_A: [u8; 5] = [0x30, 3, 1, 2, 3];
const CERT_B: [u8; 3] = [0x30, 1, 9];
const CERTS: [&[u8]; 2] = [&CERT_A, &CERT_B];
// An unknown extension (0x1234, 2 bytes) to carry through.
const EXTRA: [u8; 6] = [0x12, 0x34, 0, 2, 0xab, 0xcd];

fn full_extensions(kind: HelloKind) -> HelloExtensions<'static> {
    HelloExtensions {
        use_srtp: Some(UseSrtp {
            profiles: U16List::new(match kind {
                HelloKind::Client => &PROFILES,
                HelloKind::Server => &PROFILES[..1],
            }),
            mki: &[],
        }),
        extended_master_secret: true,
        renegotiation_info: Some(&[]),
        supported_groups: Some(U16List::new(&GROUPS)),
        ec_point_formats: Some(&[0]),
        signature_algorithms: Some(U16List::new(&SIGS)),
        supported_versions: Some(U16List::new(match kind {
            HelloKind::Client => &VERSIONS,
            HelloKind::Server => &VERSIONS[1..],
        })),
        raw: RawExtensions::new_checked(&EXTRA).unwrap(),
    }
}

fn all_messages() -> Vec<Handshake<'static>> {
    vec![
        Handshake::ClientHello(ClientHello {
            version: ProtocolVersion::DTLS1_2,
            random: RANDOM,
            session_id: &[],
            cookie: &[5; 20],
            cipher_suites: U16List::new(&SUITES),
            compression_methods: &[0],
            extensions: full_extensions(HelloKind::Client),
        }),
        Handshake::ClientHello(ClientHello {
            version: ProtocolVersion::DTLS1_2,
            random: RANDOM,
            session_id: &[1; 32],
            cookie: &[],
            cipher_suites: U16List::new(&SUITES[..1]),
            compression_methods: &[0],
            extensions: HelloExtensions::default(),
        }),
        Handshake::ServerHello(ServerHello {
            version: ProtocolVersion::DTLS1_2,
            random: RANDOM,
            session_id: &[3; 32],
            cipher_suite: CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
            compression_method: 0,
            extensions: full_extensions(HelloKind::Server),
        }),
        Handshake::HelloVerifyRequest(HelloVerifyRequest {
            version: ProtocolVersion::DTLS1_0,
            cookie: &[9; 32],
        }),
        Handshake::Certificate(Certificate {
            certificates: CertificateList::new(&CERTS),
        }),
        Handshake::ServerKeyExchange(ServerKeyExchange {
            group: NamedGroup::SECP256R1,
            public: &[4; 65],
            signature: DigitallySigned {
                scheme: SignatureScheme::ECDSA_SECP256R1_SHA256,
                signature: &[0x30; 70],
            },
        }),
        Handshake::CertificateRequest(CertificateRequest {
            certificate_types: &[64, 1],
            signature_algorithms: U16List::new(&SIGS),
            certificate_authorities: &[0, 2, 0x30, 0],
        }),
        Handshake::ServerHelloDone,
        Handshake::ClientKeyExchange(ClientKeyExchange { public: &[4; 65] }),
        Handshake::CertificateVerify(CertificateVerify {
            signature: DigitallySigned {
                scheme: SignatureScheme::RSA_PKCS1_SHA256,
                signature: &[1; 256],
            },
        }),
        Handshake::Finished(Finished {
            verify_data: &[0xf1; 12],
        }),
        Handshake::Unknown(HandshakeType::NEW_SESSION_TICKET, &[0, 0, 0, 1, 0, 0]),
    ]
}

#[test]
fn every_message_round_trips() {
    for (seq, m) in all_messages().into_iter().enumerate() {
        let mut buf = [0u8; 1024];
        let n = m.emit(seq as u16, &mut buf).unwrap();
        let h = HandshakeHeader::parse(&buf[..n]).unwrap();
        assert_eq!(h.msg_type, m.msg_type());
        assert!(h.is_complete());
        assert_eq!(h.length as usize, n - HANDSHAKE_HEADER_LEN);
        let back = Handshake::parse(h.msg_type, &buf[HANDSHAKE_HEADER_LEN..n]).unwrap();
        assert_eq!(back, m, "{:?}", m.msg_type());
        // emit of the parsed form is byte-identical (stable order).
        let mut again = [0u8; 1024];
        let n2 = back.emit(seq as u16, &mut again).unwrap();
        assert_eq!(&again[..n2], &buf[..n]);
        // Too small an output buffer is an error, never a panic.
        for short in 0..n {
            assert_eq!(
                m.emit(seq as u16, &mut buf[..short]),
                Err(Error::BufferTooSmall),
                "{:?} {short}",
                m.msg_type()
            );
        }
    }
}

#[test]
fn every_truncation_is_an_error() {
    for m in all_messages() {
        let mut buf = [0u8; 1024];
        let n = m.emit_body(&mut buf).unwrap();
        let body = &buf[..n];
        // Hellos may legally end before the extensions block; Finished and unknown types
        // have no inner framing.
        let ext_start = match &m {
            Handshake::ClientHello(ch) => Some(
                2 + 32
                    + 1
                    + ch.session_id.len()
                    + 1
                    + ch.cookie.len()
                    + 2
                    + ch.cipher_suites.wire_len()
                    + 1
                    + 1,
            ),
            Handshake::ServerHello(sh) => Some(2 + 32 + 1 + sh.session_id.len() + 3),
            Handshake::Finished(_) | Handshake::Unknown(..) => continue,
            _ => None,
        };
        for cut in 0..n {
            if Some(cut) == ext_start {
                continue;
            }
            let r = Handshake::parse(m.msg_type(), &body[..cut]);
            assert!(
                r.is_err(),
                "{:?} truncated to {cut} of {n} parsed: {r:?}",
                m.msg_type()
            );
        }
        // And one trailing byte too many.
        if !matches!(m, Handshake::ClientHello(_) | Handshake::ServerHello(_)) {
            let mut long = body.to_vec();
            long.push(0);
            assert!(
                Handshake::parse(m.msg_type(), &long).is_err(),
                "{:?} + 1",
                m.msg_type()
            );
        }
    }
    // The captured ClientHello too.
    let body = chromium_client_hello_body();
    for cut in 0..body.len() {
        assert!(
            ClientHello::parse(&body[..cut]).is_err() || cut == 2 + 32 + 1 + 1 + 2 + 28 + 2,
            "cut {cut}"
        );
    }
    // Records: any cut of a datagram is an error in the last record.
    for cut in 1..AIORTC_SERVER_FLIGHT.len() {
        let results: Vec<_> = Records::new(&AIORTC_SERVER_FLIGHT[..cut]).collect();
        assert!(
            results.last().unwrap().is_err() || cut_on_record_boundary(cut),
            "cut {cut}"
        );
    }
}

fn cut_on_record_boundary(cut: usize) -> bool {
    let mut at = 0;
    for r in Records::new(AIORTC_SERVER_FLIGHT) {
        at += r.unwrap().buffer_len();
        if at == cut {
            return true;
        }
    }
    false
}

#[test]
fn record_layer_rules() {
    let header = RecordHeader {
        content_type: ContentType::APPLICATION_DATA,
        version: ProtocolVersion::DTLS1_2,
        epoch: 1,
        sequence: 0x0000_1234_5678_9abc,
        length: 0,
    };
    let mut dgram = [0u8; 64];
    let n1 = Record {
        header,
        fragment: b"abc",
    }
    .emit(&mut dgram)
    .unwrap();
    let n2 = Record {
        header: RecordHeader {
            sequence: MAX_SEQUENCE,
            ..header
        },
        fragment: b"",
    }
    .emit(&mut dgram[n1..])
    .unwrap();
    let recs: Vec<_> = Records::new(&dgram[..n1 + n2])
        .map(Result::unwrap)
        .collect();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0].fragment, b"abc");
    assert_eq!(recs[0].header.sequence, 0x1234_5678_9abc);
    assert_eq!(recs[1].header.sequence, MAX_SEQUENCE);
    assert_eq!(
        header.epoch_sequence(),
        [0, 1, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc]
    );
    // Trailing garbage after good records: the good ones come out, then one error.
    let mut with_junk = dgram[..n1].to_vec();
    with_junk.extend_from_slice(&[23, 0xfe]);
    let rs: Vec<_> = Records::new(&with_junk).collect();
    assert!(rs[0].is_ok());
    assert_eq!(rs[1], Err(Error::Truncated));
    assert_eq!(rs.len(), 2);
    // DTLS 1.0 only at epoch 0; other versions never.
    let mut b = dgram[..n1].to_vec();
    b[1..3].copy_from_slice(&[0xfe, 0xff]);
    assert_eq!(RecordHeader::parse(&b), Err(Error::BadVersion));
    b[3..5].copy_from_slice(&[0, 0]);
    assert!(RecordHeader::parse(&b).is_ok());
    b[1..3].copy_from_slice(&[0x03, 0x03]);
    assert_eq!(RecordHeader::parse(&b), Err(Error::BadVersion));
    // Over-long length field.
    let mut big = vec![0u8; 13 + 20000];
    Record {
        header,
        fragment: &[],
    }
    .emit(&mut big)
    .unwrap();
    big[11..13].copy_from_slice(&20000u16.to_be_bytes());
    assert_eq!(RecordHeader::parse(&big), Err(Error::RecordTooLong));
    // Mutable iteration sees the same records.
    let mut m = dgram[..n1 + n2].to_vec();
    let muts: Vec<_> = RecordsMut::new(&mut m)
        .map(|r| r.unwrap().1.len())
        .collect();
    assert_eq!(muts, [3, 0]);
}

#[test]
fn alerts_and_change_cipher_spec() {
    assert_eq!(Alert::parse(&[1, 0]).unwrap(), Alert::CLOSE_NOTIFY);
    let a = Alert::fatal(AlertDescription::HANDSHAKE_FAILURE);
    assert_eq!(Alert::parse(&a.to_bytes()).unwrap(), a);
    assert_eq!(format!("{:?}", a.description), "handshake_failure");
    assert_eq!(
        format!("{:?}", AlertDescription(200)),
        "AlertDescription(0xc8)"
    );
    assert_eq!(Alert::parse(&[3, 0]), Err(Error::BadValue));
    assert_eq!(Alert::parse(&[2]), Err(Error::Truncated));
    assert_eq!(Alert::parse(&[2, 40, 0]), Err(Error::BadLength));
    assert!(parse_change_cipher_spec(&CHANGE_CIPHER_SPEC).is_ok());
    assert!(parse_change_cipher_spec(&[2]).is_err());
    assert!(parse_change_cipher_spec(&[]).is_err());
    assert!(parse_change_cipher_spec(&[1, 1]).is_err());
}

#[test]
fn extension_errors() {
    // Duplicate extension.
    let dup = [0, 23, 0, 0, 0, 23, 0, 0];
    assert_eq!(
        HelloExtensions::parse(&dup, HelloKind::Client).unwrap_err(),
        Error::DuplicateExtension
    );
    // Too many.
    let mut many = Vec::new();
    for t in 0..(MAX_EXTENSIONS as u16 + 1) {
        many.extend_from_slice(&(0x4000 + t).to_be_bytes());
        many.extend_from_slice(&[0, 0]);
    }
    assert_eq!(
        HelloExtensions::parse(&many, HelloKind::Client).unwrap_err(),
        Error::TooManyExtensions
    );
    // Malformed known ones.
    for bad in [
        &[0, 23, 0, 1, 0][..],             // EMS with a body
        &[0, 14, 0, 3, 0, 0, 0][..],       // use_srtp with no profiles
        &[0, 14, 0, 4, 0, 2, 0, 1][..],    // use_srtp without MKI length
        &[0, 10, 0, 3, 0, 1, 0][..],       // odd group list
        &[0xff, 1, 0, 2, 5, 0][..],        // renegotiation_info length past body
        &[0, 43, 0, 3, 4, 0xfe, 0xfd][..], // supported_versions list cut
    ] {
        assert_eq!(
            HelloExtensions::parse(bad, HelloKind::Client).unwrap_err(),
            Error::BadExtension,
            "{bad:?}"
        );
    }
    // Unknown extension with garbage inside is fine.
    let ext = HelloExtensions::parse(&[0x99, 0x99, 0, 1, 0xff], HelloKind::Client).unwrap();
    assert_eq!(ext.others().count(), 1);
}

// ---- fragmentation and reassembly ----

#[test]
fn fragmentation_at_every_mtu_reassembles() {
    let body = chromium_client_hello_body();
    for mtu in 200..=1500 {
        for overhead in [0, 24] {
            let mut datagrams: Vec<Vec<u8>> = Vec::new();
            for (i, frag) in
                Fragmenter::for_mtu(HandshakeType::CLIENT_HELLO, 0, &body, mtu, overhead)
                    .unwrap()
                    .enumerate()
            {
                let mut payload = vec![0u8; frag.buffer_len()];
                frag.emit(&mut payload).unwrap();
                let header = RecordHeader {
                    content_type: ContentType::HANDSHAKE,
                    version: ProtocolVersion::DTLS1_2,
                    epoch: 0,
                    sequence: i as u64,
                    length: 0,
                };
                let mut rec = vec![0u8; RECORD_HEADER_LEN + payload.len()];
                Record {
                    header,
                    fragment: &payload,
                }
                .emit(&mut rec)
                .unwrap();
                assert!(
                    rec.len() + overhead <= mtu,
                    "mtu {mtu}: record {}",
                    rec.len()
                );
                datagrams.push(rec);
            }
            // Deliver in reverse order, each twice.
            let mut r = Reasm::new(0);
            let mut got = None;
            for d in datagrams.iter().rev().chain(datagrams.iter()) {
                for f in fragments(d) {
                    r.insert(&f).unwrap();
                }
                if let Some(m) = r.next_message() {
                    got = Some(m.body.to_vec());
                    break;
                }
            }
            assert_eq!(got.as_deref(), Some(&body[..]), "mtu {mtu}");
        }
    }
    assert_eq!(
        Fragmenter::for_mtu(HandshakeType::CLIENT_HELLO, 0, &body, 25, 0).unwrap_err(),
        Error::MtuTooSmall
    );
    // An empty message is one empty fragment.
    let f: Vec<_> = Fragmenter::new(HandshakeType::SERVER_HELLO_DONE, 4, &[], 100)
        .unwrap()
        .collect();
    assert_eq!(f.len(), 1);
    assert!(f[0].header.is_complete());
}

fn frag(seq: u16, len: u32, off: u32, body: &[u8]) -> HandshakeFragment<'_> {
    HandshakeFragment {
        header: HandshakeHeader {
            msg_type: HandshakeType::CERTIFICATE,
            length: len,
            message_seq: seq,
            fragment_offset: off,
            fragment_length: body.len() as u32,
        },
        body,
    }
}

#[test]
fn overlapping_fragments() {
    let msg: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    let pieces = [
        (100, 400),
        (0, 150),
        (350, 700),
        (650, 1000),
        (0, 1000),
        (500, 600),
    ];
    for rot in 0..pieces.len() {
        let mut r = Reasm::new(2);
        let mut order = pieces.to_vec();
        order.rotate_left(rot);
        let mut done_after = None;
        for (i, &(a, b)) in order.iter().enumerate() {
            r.insert(&frag(2, 1000, a as u32, &msg[a..b])).unwrap();
            if done_after.is_none() && r.next_message().is_some() {
                done_after = Some(i);
            }
        }
        assert_eq!(r.next_message().unwrap().body, &msg[..]);
    }
    // Holes stay holes.
    let mut r = Reasm::new(0);
    r.insert(&frag(0, 10, 0, &msg[..4])).unwrap();
    r.insert(&frag(0, 10, 5, &msg[5..10])).unwrap();
    assert!(r.next_message().is_none());
    r.insert(&frag(0, 10, 4, &msg[4..5])).unwrap();
    assert_eq!(r.next_message().unwrap().body, &msg[..10]);
}

#[test]
fn flight_out_of_order_and_future_messages() {
    let mut r = Reasm::new(0);
    assert_eq!(r.insert(&frag(2, 3, 0, b"ccc")).unwrap(), Inserted::Stored);
    assert_eq!(r.insert(&frag(1, 2, 0, b"bb")).unwrap(), Inserted::Stored);
    assert!(r.next_message().is_none(), "seq 0 missing");
    assert_eq!(
        r.insert(&frag(9, 1, 0, b"z")).unwrap(),
        Inserted::TooFarAhead
    );
    r.insert(&frag(0, 1, 0, b"a")).unwrap();
    let mut got = Vec::new();
    while let Some(m) = r.next_message() {
        got.push((m.message_seq, m.body.to_vec()));
        r.advance();
    }
    assert_eq!(
        got,
        [
            (0, b"a".to_vec()),
            (1, b"bb".to_vec()),
            (2, b"ccc".to_vec())
        ]
    );
    assert_eq!(r.next_seq(), 3);
    assert_eq!(r.buffered(), 0);
}

#[test]
fn reassembly_errors() {
    // Buffer too small for the message: clean error, nothing stored.
    let mut small: Reassembler<1000> = Reassembler::new(0);
    let f1 = fragments(CH1)[0];
    assert_eq!(small.insert(&f1), Err(Error::MessageTooLarge));
    assert_eq!(small.buffered(), 0);
    // Fragments disagreeing on type or length.
    let mut r = Reasm::new(0);
    r.insert(&frag(0, 10, 0, b"abc")).unwrap();
    assert_eq!(
        r.insert(&frag(0, 11, 3, b"def")),
        Err(Error::FragmentMismatch)
    );
    let mut other = frag(0, 10, 3, b"def");
    other.header.msg_type = HandshakeType::FINISHED;
    assert_eq!(r.insert(&other), Err(Error::FragmentMismatch));
    // Past the end of the message.
    assert_eq!(
        r.insert(&frag(0, 10, 8, b"xyz")),
        Err(Error::FragmentOutOfRange)
    );
    assert_eq!(
        HandshakeHeader::parse(&frag(0, 10, 8, b"xyz").header.to_bytes()),
        Err(Error::FragmentOutOfRange)
    );
    // Too many holes.
    let mut holes: Reassembler<256, 4, 2> = Reassembler::new(0);
    holes.insert(&frag(0, 100, 0, b"a")).unwrap();
    holes.insert(&frag(0, 100, 10, b"a")).unwrap();
    assert_eq!(
        holes.insert(&frag(0, 100, 20, b"a")),
        Err(Error::TooFragmented)
    );
    holes.insert(&frag(0, 100, 1, &[0; 9])).unwrap();
    // Several messages exceeding the buffer together.
    let mut two: Reassembler<100> = Reassembler::new(0);
    two.insert(&frag(0, 60, 0, b"a")).unwrap();
    assert_eq!(
        two.insert(&frag(1, 60, 0, b"a")),
        Err(Error::MessageTooLarge)
    );
}
