//! VP8 payloader and depayloader (RFC 7741): descriptor bytes, picture id wrap, chunking
//! at max_payload, keyframe detection, descriptors as other senders write them, loss and
//! truncation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod codec_util;

use codec_util::{Depay, Got, Payload, Rng, collect, send_frame};
use rtcam_rtp::codec::vp8::{self, Descriptor, Vp8Depayloader, Vp8Payloader};
use rtcam_rtp::codec::{DropReason, Dropped, Error};

fn pay(p: &mut Vp8Payloader, max: usize, frame: &[u8]) -> Vec<Payload> {
    let mut f = p.frame(frame).unwrap();
    collect(max, |o| f.next_into(o))
}

fn frame(data: &[u8], timestamp: u32, keyframe: bool) -> Got {
    Got::Frame {
        data: data.to_vec(),
        timestamp,
        keyframe,
    }
}

#[test]
fn descriptor_and_chunks() {
    let mut rng = Rng::new(21);
    for max in [5usize, 6, 100, 1188] {
        for size in [
            1,
            max - 5,
            max - 4,
            max - 3,
            2 * (max - 4),
            2 * (max - 4) + 1,
            7 * max,
        ] {
            if size == 0 {
                continue;
            }
            let mut f: Vec<u8> = (0..size).map(|_| rng.byte()).collect();
            f[0] &= 0xfe; // key frame
            let mut p = Vp8Payloader::new(max).with_picture_id(0x1234);
            let out = pay(&mut p, max, &f);
            assert_eq!(out.len(), size.div_ceil(max - 4), "max {max} size {size}");
            let mut body = Vec::new();
            for (i, pk) in out.iter().enumerate() {
                let s = if i == 0 { 0x10 } else { 0 };
                assert_eq!(pk.data[..4], [0x80 | s, 0x80, 0x80 | 0x12, 0x34]);
                if i + 1 < out.len() {
                    assert_eq!(pk.data.len(), max);
                }
                body.extend_from_slice(&pk.data[4..]);
            }
            assert_eq!(body, f);
            let mut d = Vp8Depayloader::new(vec![0u8; 16384]);
            let mut seq = 65534;
            assert_eq!(send_frame(&mut d, &mut seq, 5, &out), [frame(&f, 5, true)]);
        }
    }
    assert_eq!(
        Vp8Payloader::new(4).frame(&[0]).err(),
        Some(Error::MaxPayloadTooSmall)
    );
    assert_eq!(
        Vp8Payloader::new(100).frame(&[]).err(),
        Some(Error::EmptyFrame)
    );
}

#[test]
fn picture_id_wraps_at_15_bits() {
    let mut p = Vp8Payloader::new(100).with_picture_id(0x7ffe);
    let ids: Vec<u16> = (0..4)
        .map(|_| {
            let out = pay(&mut p, 100, &[1, 2, 3]);
            let d = Descriptor::parse(&out[0].data).unwrap();
            assert_eq!(d.len, 4);
            d.picture_id.unwrap()
        })
        .collect();
    assert_eq!(ids, [0x7ffe, 0x7fff, 0, 1]);
    assert_eq!(p.picture_id(), 2);
}

#[test]
fn keyframe_flag() {
    assert!(vp8::is_keyframe(&[0x50, 0x42]));
    assert!(!vp8::is_keyframe(&[0x51, 0x42]));
    assert!(!vp8::is_keyframe(&[]));
    let mut p = Vp8Payloader::new(100);
    assert!(p.frame(&[0x10]).unwrap().is_keyframe());
    assert!(!p.frame(&[0x11]).unwrap().is_keyframe());
}

/// Descriptors other senders use: none (X=0), 7-bit picture id, TL0PICIDX, TID/KEYIDX,
/// and partitions after the first (PID > 0).
#[test]
fn foreign_descriptors() {
    let cases: &[(&[u8], Descriptor)] = &[
        (
            &[0x10],
            Descriptor {
                start: true,
                partition: 0,
                non_reference: false,
                picture_id: None,
                len: 1,
            },
        ),
        (
            &[0x90, 0x80, 0x05],
            Descriptor {
                start: true,
                partition: 0,
                non_reference: false,
                picture_id: Some(5),
                len: 3,
            },
        ),
        (
            &[0xb0, 0xe0, 0x85, 0x01, 7, 0x40],
            Descriptor {
                start: true,
                partition: 0,
                non_reference: true,
                picture_id: Some(0x501),
                len: 6,
            },
        ),
        (
            &[0x82, 0x10, 0x40],
            Descriptor {
                start: false,
                partition: 2,
                non_reference: false,
                picture_id: None,
                len: 3,
            },
        ),
        (
            &[0x80, 0x00],
            Descriptor {
                start: false,
                partition: 0,
                non_reference: false,
                picture_id: None,
                len: 2,
            },
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(Descriptor::parse(bytes).unwrap(), *want, "{bytes:02x?}");
        // Every truncation fails.
        for cut in 0..bytes.len() {
            assert_eq!(
                Descriptor::parse(&bytes[..cut]),
                Err(Error::Truncated),
                "{bytes:02x?} cut {cut}"
            );
        }
    }
    // A frame in three packets with partitions, as libwebrtc might send it.
    let mut d = Vp8Depayloader::new([0u8; 64]);
    let _ = d.feed(10, 9, false, &[0x10, 0x31, 1, 2]);
    let _ = d.feed(11, 9, false, &[0x00, 3, 4]);
    let got = d.feed(12, 9, true, &[0x91, 0x80, 0x01, 5]).1;
    assert_eq!(got, [frame(&[0x31, 1, 2, 3, 4, 5], 9, false)]);
}

#[test]
fn random_round_trips() {
    let mut rng = Rng::new(22);
    for max in [5usize, 33, 1188] {
        let mut p = Vp8Payloader::new(max).with_picture_id(rng.next_u64() as u16);
        let mut d = Vp8Depayloader::new(vec![0u8; 50_000]);
        let mut seq = rng.next_u64() as u16;
        for i in 0..100u32 {
            let len = 1 + rng.below(if max < 10 { 300 } else { 30_000 });
            let f: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
            let out = pay(&mut p, max, &f);
            let key = f[0] & 1 == 0;
            assert_eq!(
                send_frame(&mut d, &mut seq, i * 3000, &out),
                [frame(&f, i * 3000, key)]
            );
        }
    }
}

#[test]
fn loss_and_malformed() {
    let mut p = Vp8Payloader::new(10);
    let f = [0x10u8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    let out = pay(&mut p, 10, &f);
    assert_eq!(out.len(), 2);
    let mut d = Vp8Depayloader::new([0u8; 64]);
    let drop = |ts, reason, keyframe| {
        Got::Dropped(Dropped {
            timestamp: ts,
            reason,
            keyframe,
        })
    };
    // First packet missing without a gap (e.g. after a restart): no start.
    let _ = d.feed(0, 1, true, &out[0].data[..4]).0; // empty VP8 payload: an error
    assert_eq!(
        d.feed(1, 2, true, &out[1].data).1,
        [drop(2, DropReason::FragmentStartMissing, false)]
    );
    // Last packet lost: the timestamp changes after a gap.
    let _ = d.feed(2, 3, false, &out[0].data);
    let got = d.feed(4, 4, true, &out[0].data).1;
    assert_eq!(
        got,
        [
            drop(3, DropReason::SequenceGap, true),
            drop(4, DropReason::SequenceGap, true)
        ]
    );
    // Two frame starts under one timestamp.
    let _ = d.feed(5, 5, false, &out[0].data);
    assert_eq!(
        d.feed(6, 5, true, &out[0].data).1,
        [drop(5, DropReason::Malformed, true)]
    );
    // Overflow.
    let mut small = Vp8Depayloader::new([0u8; 10]);
    assert_eq!(small.feed(0, 0, false, &out[0].data).0, Ok(()));
    let (r, got) = small.feed(1, 0, true, &out[1].data);
    assert_eq!(r, Err(Error::FrameBufferFull));
    assert_eq!(got, [drop(0, DropReason::FrameBufferFull, true)]);
    // Recovers.
    let mut seq = 7;
    assert_eq!(send_frame(&mut d, &mut seq, 6, &out), [frame(&f, 6, true)]);
    // Malformed: empty, truncated descriptor, descriptor without data.
    for (i, bad) in [
        &[][..],
        &[0x90],
        &[0x90, 0x80],
        &[0x90, 0x80, 0x80, 1],
        &[0x10],
    ]
    .iter()
    .enumerate()
    {
        let (r, got) = d.feed(seq + i as u16, 100 + i as u32, true, bad);
        assert_eq!(r, Err(Error::Truncated), "{bad:02x?}");
        assert!(matches!(
            got[..],
            [Got::Dropped(Dropped {
                reason: DropReason::Malformed,
                ..
            })]
        ));
    }
}
