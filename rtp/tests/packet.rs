//! RTP packets (RFC 3550 §5.1) and header extensions (RFC 8285): hand-checked byte
//! vectors, truncation and malformed-length rejection, parse ∘ emit round trips, and
//! emit into too-small buffers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_rtp::{
    AbsSendTime, Element, Error, Extension, ExtensionElements, ExtensionForm, ExtensionKind,
    ExtensionMap, ExtensionValue, Header, Packet, elements_len, emit_elements,
};

/// What a Chromium sender puts on the wire for a video packet: one-byte extensions with
/// abs-send-time (id 2), transport-wide sequence number (id 3) and `sdes:mid` (id 4), as
/// negotiated by `a=extmap:2 .../abs-send-time`, `a=extmap:3 ...transport-wide-cc...`,
/// `a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid`.
const CHROME: &[u8] = &[
    0x90, // V=2, P=0, X=1, CC=0
    0xe0, // M=1, PT=96
    0x1a, 0x2b, // sequence number 6699
    0x00, 0x01, 0xe2, 0x40, // timestamp 123456
    0x8b, 0xdc, 0x2c, 0x1e, // SSRC
    0xbe, 0xde, 0x00, 0x03, // one-byte form, 3 words of elements
    0x22, 0x12, 0x34, 0x56, // id 2, L=2 (3 bytes): abs-send-time 0x123456
    0x31, 0x00, 0x2a, // id 3, L=1 (2 bytes): transport-wide seq 42
    0x40, 0x30, // id 4, L=0 (1 byte): mid "0"
    0x00, 0x00, 0x00, // padding to the 32-bit boundary
    0x7c, 0x85, 0x88, 0x84, 0x21, // payload (an H.264 FU-A start)
];
const CHROME_HEADER_LEN: usize = 28;

/// Two CSRCs (a mixer's output) and 4 bytes of padding.
const CSRC_PADDED: &[u8] = &[
    0xa2, // V=2, P=1, X=0, CC=2
    0x00, // M=0, PT=0 (PCMU)
    0xff, 0xff, // sequence number 65535
    0xde, 0xad, 0xbe, 0xef, // timestamp
    0x00, 0x00, 0x00, 0x01, // SSRC 1
    0x00, 0x00, 0x00, 0x02, // CSRC 2
    0x00, 0x00, 0x00, 0x03, // CSRC 3
    0xd5, 0xd5, 0xd4, 0xd6, // payload (G.711 µ-law silence-ish)
    0x00, 0x00, 0x00, 0x04, // padding: 3 zeros and the count, 4
];

/// The two-byte form (0x1000): an empty element, a 3-byte one with an id above 14.
const TWO_BYTE: &[u8] = &[
    0x90, 0x6f, // V=2, X=1; M=0, PT=111
    0x00, 0x07, // sequence number 7
    0x00, 0x00, 0x03, 0xc0, // timestamp 960
    0x12, 0x34, 0x56, 0x78, // SSRC
    0x10, 0x00, 0x00, 0x02, // two-byte form, appbits 0, 2 words
    0x01, 0x00, // id 1, length 0
    0x14, 0x03, b'a', b'b', b'c', // id 20, length 3, "abc"
    0x00, // padding
    0xfc, 0xff, // payload (an Opus TOC and a byte)
];

#[test]
fn chrome_packet_view() {
    let p = Packet::new_checked(CHROME).unwrap();
    assert_eq!(p.version(), 2);
    assert!(!p.has_padding());
    assert!(p.has_extension());
    assert_eq!(p.csrc_count(), 0);
    assert!(p.marker());
    assert_eq!(p.payload_type(), 96);
    assert_eq!(p.sequence_number(), 6699);
    assert_eq!(p.timestamp(), 123_456);
    assert_eq!(p.ssrc(), 0x8bdc_2c1e);
    assert_eq!(p.csrcs().count(), 0);
    assert_eq!(p.extension_profile(), Some(0xbede));
    assert_eq!(p.extension().unwrap().1.len(), 12);
    assert_eq!(p.header_len(), CHROME_HEADER_LEN);
    assert_eq!(p.padding_len(), 0);
    assert_eq!(p.payload(), &[0x7c, 0x85, 0x88, 0x84, 0x21]);

    let iter = p.extension_elements().unwrap().unwrap();
    assert_eq!(iter.form(), ExtensionForm::OneByte);
    let elements: Vec<_> = iter.collect();
    assert_eq!(
        elements,
        [
            Element {
                id: 2,
                data: &[0x12, 0x34, 0x56]
            },
            Element {
                id: 3,
                data: &[0x00, 0x2a]
            },
            Element { id: 4, data: b"0" },
        ]
    );
    assert_eq!(p.extension_element(3), Some(&[0x00, 0x2a][..]));
    assert_eq!(p.extension_element(5), None);
}

#[test]
fn chrome_packet_repr_and_typed_values() {
    let mut map = ExtensionMap::new();
    for (id, uri) in [
        (
            2,
            "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
        ),
        (
            3,
            "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        ),
        (4, "urn:ietf:params:rtp-hdrext:sdes:mid"),
    ] {
        map.set(ExtensionKind::from_uri(uri).unwrap(), id).unwrap();
    }
    assert_eq!(map.kind(3), Some(ExtensionKind::TransportCc));
    assert_eq!(map.id(ExtensionKind::AudioLevel), None);

    let (h, payload) = Header::parse_packet(CHROME).unwrap();
    assert_eq!(payload.len(), 5);
    assert!(h.marker);
    assert_eq!((h.payload_type, h.sequence_number), (96, 6699));
    assert_eq!(
        h.extension_value(&map, ExtensionKind::Mid),
        Some(Ok(ExtensionValue::Mid("0")))
    );
    assert_eq!(
        h.extension_value(&map, ExtensionKind::TransportCc),
        Some(Ok(ExtensionValue::TransportCc(42)))
    );
    assert_eq!(
        h.extension_value(&map, ExtensionKind::AbsSendTime),
        Some(Ok(ExtensionValue::AbsSendTime(AbsSendTime::new(0x12_3456))))
    );
    assert_eq!(h.extension_value(&map, ExtensionKind::AudioLevel), None);

    // The map decodes elements straight from the view too.
    let p = Packet::new_checked(CHROME).unwrap();
    let decoded: Vec<_> = p
        .extension_elements()
        .unwrap()
        .unwrap()
        .filter_map(|e| map.decode(e))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(decoded.len(), 3);
}

#[test]
fn csrc_and_padding_vector() {
    let p = Packet::new_checked(CSRC_PADDED).unwrap();
    assert!(p.has_padding());
    assert!(!p.has_extension());
    assert_eq!(p.csrc_count(), 2);
    assert!(!p.marker());
    assert_eq!(p.payload_type(), 0);
    assert_eq!(p.sequence_number(), 65535);
    assert_eq!(p.timestamp(), 0xdead_beef);
    assert_eq!(p.ssrc(), 1);
    assert_eq!(p.csrcs().collect::<Vec<_>>(), [2, 3]);
    assert_eq!(p.extension(), None);
    assert_eq!(p.header_len(), 20);
    assert_eq!(p.padding_len(), 4);
    assert_eq!(p.payload(), &[0xd5, 0xd5, 0xd4, 0xd6]);

    let (h, payload) = Header::parse_packet(CSRC_PADDED).unwrap();
    assert_eq!(&h.csrcs[..], &[2, 3]);
    assert_eq!(h.extension, None);
    let mut out = [0u8; 64];
    let n = h.emit_packet(payload, 4, &mut out).unwrap();
    assert_eq!(&out[..n], CSRC_PADDED);
}

#[test]
fn two_byte_vector() {
    let p = Packet::new_checked(TWO_BYTE).unwrap();
    assert_eq!(p.extension_profile(), Some(0x1000));
    let iter = p.extension_elements().unwrap().unwrap();
    assert_eq!(iter.form(), ExtensionForm::TwoByte);
    assert_eq!(
        iter.collect::<Vec<_>>(),
        [
            Element { id: 1, data: &[] },
            Element {
                id: 20,
                data: b"abc"
            }
        ]
    );
    assert_eq!(p.payload(), &[0xfc, 0xff]);

    // Neither element fits the one-byte form (empty data, id 20): re-emitted two-byte,
    // byte for byte.
    let (h, payload) = Header::parse_packet(TWO_BYTE).unwrap();
    let mut out = [0u8; 64];
    let n = h.emit_packet(payload, 0, &mut out).unwrap();
    assert_eq!(&out[..n], TWO_BYTE);
}

#[test]
fn round_trips_are_byte_exact() {
    for v in [CHROME, CSRC_PADDED, TWO_BYTE] {
        let p = Packet::new_checked(v).unwrap();
        let (h, payload) = Header::parse_packet(v).unwrap();
        let mut out = vec![0u8; v.len()];
        let n = h
            .emit_packet(payload, p.padding_len() as u8, &mut out)
            .unwrap();
        assert_eq!(&out[..n], v);
        assert_eq!(n, v.len());
        // emit() alone writes the header and says where the payload goes.
        let hl = h.emit(&mut out).unwrap();
        assert_eq!(hl, p.header_len());
        assert_eq!(hl, h.buffer_len());
        assert_eq!(Header::parse_packet(&out[..n]).unwrap().0, h);
    }
}

#[test]
fn every_header_truncation_is_an_error() {
    for v in [CHROME, CSRC_PADDED, TWO_BYTE] {
        let header_len = Packet::new_checked(v).unwrap().header_len();
        for n in 0..header_len {
            assert!(Packet::new_checked(&v[..n]).is_err(), "{n} bytes accepted");
            assert!(Header::parse_packet(&v[..n]).is_err());
        }
    }
    // Without padding, a shorter payload is still a valid packet: RTP has no length.
    for n in CHROME_HEADER_LEN..CHROME.len() {
        let p = Packet::new_checked(&CHROME[..n]).unwrap();
        assert_eq!(p.payload().len(), n - CHROME_HEADER_LEN);
    }
    // With padding, cutting the end leaves a bogus count: every cut is an error.
    for n in 0..CSRC_PADDED.len() {
        assert!(Packet::new_checked(&CSRC_PADDED[..n]).is_err(), "{n}");
    }
}

#[test]
fn malformed_lengths_are_rejected() {
    // Version 1 and 3.
    for first in [0x40u8, 0xc0] {
        let mut v = CHROME.to_vec();
        v[0] = first | (v[0] & 0x3f);
        assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadVersion));
    }
    // Padding count 0, and one byte more than what follows the header.
    let mut v = CSRC_PADDED.to_vec();
    *v.last_mut().unwrap() = 0;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadPadding));
    *v.last_mut().unwrap() = 9;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadPadding));
    // Padding exactly up to the header: empty payload, fine.
    *v.last_mut().unwrap() = 8;
    assert_eq!(Packet::new_checked(&v[..]).unwrap().payload(), &[]);
    // Padding eating into the extension.
    let mut v = CHROME.to_vec();
    v[0] |= 0x20;
    *v.last_mut().unwrap() = 6;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadPadding));
    // CSRC count past the end.
    let mut v = CSRC_PADDED[..20].to_vec();
    v[0] = 0x8f;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
    // Extension length past the end.
    let mut v = CHROME[..CHROME_HEADER_LEN].to_vec();
    v[15] = 4;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::Truncated));
}

#[test]
fn malformed_elements_are_rejected() {
    // One-byte element claiming 4 bytes where 3 remain in the block (id 4, L=3).
    let mut v = CHROME.to_vec();
    v[23] = 0x43;
    let p = Packet::new_checked(&v[..]).unwrap();
    // Its id 4 element now takes 0x30 and the 3 padding bytes: still inside the block.
    assert_eq!(p.extension_element(4), Some(&[0x30, 0, 0, 0][..]));
    v[23] = 0x44;
    let p = Packet::new_checked(&v[..]).unwrap();
    assert_eq!(p.extension_elements().err(), Some(Error::BadExtension));
    assert_eq!(p.extension_element(2), None);
    assert_eq!(
        Header::parse_packet(&v[..]).err(),
        Some(Error::BadExtension)
    );

    // Two-byte form whose last element has an id but no length byte.
    let mut v = TWO_BYTE.to_vec();
    v[23] = 0x05;
    let p = Packet::new_checked(&v[..]).unwrap();
    assert_eq!(p.extension_elements().err(), Some(Error::BadExtension));
    // ...or a length running past the block.
    let mut v = TWO_BYTE.to_vec();
    v[19] = 0x05;
    assert_eq!(
        Packet::new_checked(&v[..])
            .unwrap()
            .extension_elements()
            .err(),
        Some(Error::BadExtension)
    );
}

#[test]
fn one_byte_id_15_ends_the_list_and_padding_is_skipped() {
    let mut v = CHROME.to_vec();
    // Padding bytes between elements, then id 15 hiding the mid element.
    v[16..28].copy_from_slice(&[
        0x00, 0x00, 0x31, 0x00, 0x2a, 0x00, 0xf5, 0x40, 0x30, 0, 0, 0,
    ]);
    let p = Packet::new_checked(&v[..]).unwrap();
    let elements: Vec<_> = p.extension_elements().unwrap().unwrap().collect();
    assert_eq!(
        elements,
        [Element {
            id: 3,
            data: &[0, 0x2a]
        }]
    );
}

#[test]
fn other_profiles_are_opaque() {
    let mut v = CHROME.to_vec();
    v[12] = 0xab;
    v[13] = 0xcd;
    let p = Packet::new_checked(&v[..]).unwrap();
    assert!(p.extension_elements().unwrap().is_none());
    let (h, payload) = Header::parse_packet(&v[..]).unwrap();
    assert_eq!(
        h.extension,
        Some(Extension::Raw {
            profile: 0xabcd,
            data: &CHROME[16..28]
        })
    );
    let mut out = [0u8; 64];
    let n = h.emit_packet(payload, 0, &mut out).unwrap();
    assert_eq!(&out[..n], &v[..]);
}

#[test]
fn emit_into_every_too_small_buffer_fails_cleanly() {
    for v in [CHROME, CSRC_PADDED, TWO_BYTE] {
        let p = Packet::new_checked(v).unwrap();
        let (h, payload) = Header::parse_packet(v).unwrap();
        let pad = p.padding_len() as u8;
        let mut out = vec![0u8; v.len()];
        for n in 0..v.len() {
            assert_eq!(
                h.emit_packet(payload, pad, &mut out[..n]),
                Err(Error::BufferTooSmall { needed: v.len() })
            );
        }
        for n in 0..h.buffer_len() {
            assert_eq!(
                h.emit(&mut out[..n]),
                Err(Error::BufferTooSmall {
                    needed: h.buffer_len()
                })
            );
        }
    }
}

#[test]
fn writer_picks_the_smallest_form() {
    let ast = AbsSendTime::from_micros(1_500_000).to_bytes();
    let twcc = 0xfffeu16.to_be_bytes();
    let one = [
        Element { id: 2, data: &ast },
        Element { id: 3, data: &twcc },
        Element {
            id: 4,
            data: b"video",
        },
    ];
    assert_eq!(
        ExtensionForm::for_elements(&one),
        Ok(ExtensionForm::OneByte)
    );
    // 4 + (4 + 3 + 6) = 17 -> padded to 20.
    assert_eq!(elements_len(&one), Ok(20));
    let mut buf = [0xffu8; 20];
    assert_eq!(emit_elements(&one, &mut buf), Ok(20));
    assert_eq!(
        buf,
        [
            0xbe, 0xde, 0x00, 0x04, // one-byte form, 4 words
            0x22, ast[0], ast[1], ast[2], // id 2, 3 bytes
            0x31, 0xff, 0xfe, // id 3, 2 bytes
            0x44, b'v', b'i', b'd', b'e', b'o', // id 4, 5 bytes
            0, 0, 0, // padding
        ]
    );
    for n in 0..20 {
        assert_eq!(
            emit_elements(&one, &mut buf[..n]),
            Err(Error::BufferTooSmall { needed: 20 })
        );
    }

    // A 17-byte value forces the two-byte form; so does id 15 and empty data.
    let long = [7u8; 17];
    for e in [
        Element { id: 1, data: &long },
        Element { id: 15, data: b"x" },
        Element { id: 1, data: b"" },
    ] {
        let list = [one[0], e];
        assert_eq!(
            ExtensionForm::for_elements(&list),
            Ok(ExtensionForm::TwoByte)
        );
        let mut buf = [0u8; 64];
        let n = emit_elements(&list, &mut buf).unwrap();
        assert_eq!(&buf[..2], &[0x10, 0x00]);
        let ext = Extension::parse(0x1000, &buf[4..n]).unwrap();
        let Extension::Elements(parsed) = ext else {
            panic!("not elements")
        };
        assert_eq!(&parsed[..], &list[..]);
    }
    // Id 0 and 256-byte values cannot be written at all.
    assert_eq!(
        elements_len(&[Element { id: 0, data: b"x" }]),
        Err(Error::ValueOutOfRange)
    );
    assert_eq!(
        elements_len(&[Element {
            id: 1,
            data: &[0; 256]
        }]),
        Err(Error::ValueOutOfRange)
    );
}

#[test]
fn header_builder_round_trip() {
    let ast = AbsSendTime::from_ntp(0x0000_0001_8000_0000).to_bytes(); // 1.5 s
    assert_eq!(
        AbsSendTime::from_ntp(0x0000_0001_8000_0000).raw(),
        0x06_0000
    );
    let mut h = Header::new(102, 65535, 0xffff_ffff, 42);
    h.csrcs.push(7).unwrap();
    h.push_extension(2, &ast).unwrap();
    h.push_extension(3, &[0, 1]).unwrap();
    assert_eq!(h.push_extension(0, b"x"), Err(Error::ValueOutOfRange));
    let mut buf = [0u8; 1500];
    let n = h.emit_packet(&[1, 2, 3], 3, &mut buf).unwrap();
    assert_eq!(n, 12 + 4 + 12 + 3 + 3);
    let p = Packet::new_checked(&buf[..n]).unwrap();
    assert_eq!(p.padding_len(), 3);
    assert_eq!(p.payload(), &[1, 2, 3]);
    let (again, payload) = Header::parse_packet(&buf[..n]).unwrap();
    assert_eq!(again, h);
    assert_eq!(payload, &[1, 2, 3]);

    // Too many elements for the Repr.
    let mut buf = [0u8; 1500];
    let mut h = Header::new(96, 0, 0, 0);
    for id in 1..=16 {
        h.push_extension(id, b"z").unwrap();
    }
    assert_eq!(h.push_extension(17, b"z"), Err(Error::TooManyExtensions));
    // An empty element list is an empty 0xBEDE block.
    let mut h = Header::new(96, 0, 0, 0);
    h.extension = Some(Extension::Elements(ExtensionElements::new()));
    let n = h.emit(&mut buf).unwrap();
    assert_eq!(&buf[12..n], &[0xbe, 0xde, 0, 0]);
    assert_eq!(Header::parse_packet(&buf[..n]).unwrap().0, h);
    // Payload type over 127 is refused.
    let h = Header::new(128, 0, 0, 0);
    assert_eq!(h.emit(&mut [0u8; 64]), Err(Error::ValueOutOfRange));
}

#[test]
fn in_place_setters() {
    let mut v = CHROME.to_vec();
    let mut p = Packet::new_checked(&mut v[..]).unwrap();
    p.set_marker(false);
    p.set_payload_type(97);
    p.set_sequence_number(1);
    p.set_timestamp(2);
    p.set_ssrc(3);
    p.payload_mut()[0] = 0x5c;
    let p = Packet::new_checked(&v[..]).unwrap();
    assert!(!p.marker());
    assert_eq!(
        (
            p.payload_type(),
            p.sequence_number(),
            p.timestamp(),
            p.ssrc()
        ),
        (97, 1, 2, 3)
    );
    assert_eq!(p.payload()[0], 0x5c);
    assert_eq!(p.extension_element(3), Some(&[0x00, 0x2a][..]));
}

#[test]
fn typed_values() {
    assert_eq!(AbsSendTime::from_micros(0).raw(), 0);
    assert_eq!(AbsSendTime::from_micros(1_000_000).raw(), 1 << 18);
    assert_eq!(
        AbsSendTime::from_micros(64_000_000).raw(),
        0,
        "wraps at 64 s"
    );
    assert_eq!(AbsSendTime::new(1 << 18).to_micros(), 1_000_000);
    assert_eq!(AbsSendTime::new(0x12_3456).to_bytes(), [0x12, 0x34, 0x56]);

    let mut buf = [0u8; 8];
    for (v, bytes) in [
        (ExtensionValue::TransportCc(0x0102), &[1u8, 2][..]),
        (
            ExtensionValue::AbsSendTime(AbsSendTime::new(0x0a0b0c)),
            &[10, 11, 12],
        ),
        (ExtensionValue::Mid("audio"), b"audio"),
        (
            ExtensionValue::AudioLevel {
                voice: true,
                level: 30,
            },
            &[0x9e],
        ),
    ] {
        let n = v.encode(&mut buf).unwrap();
        assert_eq!(&buf[..n], bytes);
        assert_eq!(ExtensionValue::decode(v.kind(), bytes), Ok(v));
    }
    assert_eq!(
        ExtensionValue::decode(ExtensionKind::TransportCc, &[1]),
        Err(Error::BadExtension)
    );
    assert_eq!(
        ExtensionValue::decode(ExtensionKind::Mid, &[0xff]),
        Err(Error::BadExtension)
    );
    assert_eq!(
        ExtensionValue::decode(ExtensionKind::AbsSendTime, &[1, 2]),
        Err(Error::BadExtension)
    );

    // Re-mapping an id moves it.
    let mut map = ExtensionMap::new();
    map.set(ExtensionKind::Mid, 1).unwrap();
    map.set(ExtensionKind::AudioLevel, 1).unwrap();
    assert_eq!(map.id(ExtensionKind::Mid), None);
    assert_eq!(map.kind(1), Some(ExtensionKind::AudioLevel));
    assert_eq!(map.set(ExtensionKind::Mid, 0), Err(Error::ValueOutOfRange));
    for k in ExtensionKind::ALL {
        assert_eq!(ExtensionKind::from_uri(k.uri()), Some(k));
    }
}
