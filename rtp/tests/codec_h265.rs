//! H.265 payloader and depayloader (RFC 7798, no DONL): AP and FU shapes byte for byte
//! (2-byte NAL headers, F/LayerId/TID rules), FU boundaries, VPS/SPS/PPS re-sending,
//! random round trips, loss and malformed payloads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod codec_util;

use codec_util::{Depay, Got, Payload, Rng, annex_b, collect, send_frame};
use rtcam_rtp::codec::h265::{self, H265Depayloader, H265Payloader};
use rtcam_rtp::codec::{DropReason, Dropped, Error};

fn pay(p: &mut H265Payloader, au: &[u8]) -> Vec<Payload> {
    let max = p.max_payload();
    let mut f = p.frame(au).unwrap();
    collect(max, |out| f.next_into(out))
}

/// A NAL unit of `typ`, layer 0, TID 1, `len` bytes in all.
fn nal(typ: u8, len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut v = vec![typ << 1, 1];
    rng.nal_body(len - 2, &mut v);
    v
}

fn frame(data: &[u8], timestamp: u32, keyframe: bool) -> Got {
    Got::Frame {
        data: data.to_vec(),
        timestamp,
        keyframe,
    }
}

const VPS: [u8; 5] = [0x40, 0x01, 0x0c, 0x01, 0xff];
const SPS: [u8; 5] = [0x42, 0x01, 0x01, 0x01, 0x60];
const PPS: [u8; 4] = [0x44, 0x01, 0xc1, 0x72];
const IDR: [u8; 4] = [0x26, 0x01, 0xaf, 0x09]; // IDR_W_RADL (19)

fn au(nals: &[&[u8]]) -> Vec<u8> {
    let mut v = Vec::new();
    for n in nals {
        v.extend_from_slice(&[0, 0, 0, 1]);
        v.extend_from_slice(n);
    }
    v
}

fn ap(units: &[&[u8]], header: [u8; 2]) -> Vec<u8> {
    let mut v = header.to_vec();
    for u in units {
        v.extend_from_slice(&(u.len() as u16).to_be_bytes());
        v.extend_from_slice(u);
    }
    v
}

#[test]
fn aggregation_packet_shape() {
    let mut p = H265Payloader::new(1200);
    let out = pay(&mut p, &au(&[&VPS, &SPS, &PPS, &IDR]));
    assert_eq!(out.len(), 1);
    // Type 48, F 0, LayerId 0, TID 1.
    assert_eq!(out[0].data, ap(&[&VPS, &SPS, &PPS, &IDR], [0x60, 0x01]));
    assert!(out[0].marker);
    // F is the OR, LayerId and TID the lowest.
    let a = [0x02 | 0x80, (2 << 3) | 3, 9]; // F=1, type 1, layer 16 (high bit in byte 0 = 0)
    let b = [0x02, (1 << 3) | 2, 8];
    let out = pay(&mut p, &au(&[&a, &b]));
    assert_eq!(out[0].data, ap(&[&a, &b], [0x80 | 0x60, (1 << 3) | 2]));
}

#[test]
fn single_nal_unit_and_fu_boundaries() {
    let mut rng = Rng::new(11);
    for max in [4usize, 5, 50, 1188] {
        for size in [
            max - 1,
            max,
            max + 1,
            2 * (max - 3) + 2,
            2 * (max - 3) + 3,
            3 * max,
        ] {
            if size < 2 {
                continue;
            }
            let n = nal(19, size.max(3), &mut rng);
            let mut p = H265Payloader::new(max);
            let nals = [n.as_slice()];
            let mut f = p.frame_nals(&nals).unwrap();
            let out = collect(max, |o| f.next_into(o));
            if n.len() <= max {
                assert_eq!(out.len(), 1);
                assert_eq!(out[0].data, n);
            } else {
                assert_eq!(
                    out.len(),
                    (n.len() - 2).div_ceil(max - 3),
                    "max {max} size {size}"
                );
                let mut body = Vec::new();
                for (i, pk) in out.iter().enumerate() {
                    let last = i + 1 == out.len();
                    // Payload header: type 49, the NAL's F/LayerId/TID; FU header S/E/type.
                    assert_eq!(pk.data[..2], [49 << 1, 1]);
                    assert_eq!(
                        pk.data[2],
                        (u8::from(i == 0) << 7) | (u8::from(last) << 6) | 19
                    );
                    if !last {
                        // Up to 3 bytes short: the word alignment in `NalFrame::fragment`.
                        assert!(pk.data.len() + 3 >= max, "{} of {max}", pk.data.len());
                    }
                    body.extend_from_slice(&pk.data[3..]);
                }
                assert_eq!(body, n[2..]);
            }
            let mut d = H265Depayloader::new(vec![0u8; 8192]);
            let mut seq = 65535;
            assert_eq!(
                send_frame(&mut d, &mut seq, 3, &out),
                [frame(&annex_b(&[n]), 3, true)]
            );
        }
    }
    assert_eq!(
        H265Payloader::new(3).frame(&au(&[&IDR])).err(),
        Some(Error::MaxPayloadTooSmall)
    );
}

#[test]
fn parameter_sets_are_resent_before_irap() {
    let cra = [0x2a, 0x01, 0x77]; // CRA (21)
    let trail = [0x02, 0x01, 0x55];
    let mut p = H265Payloader::new(1200).resend_parameter_sets(true);
    pay(&mut p, &au(&[&VPS, &SPS, &PPS, &IDR]));
    assert_eq!(pay(&mut p, &au(&[&trail]))[0].data, trail);
    assert_eq!(
        pay(&mut p, &au(&[&cra]))[0].data,
        ap(&[&VPS, &SPS, &PPS, &cra], [0x60, 0x01])
    );
    assert!(h265::is_keyframe(&au(&[&cra])));
    assert!(!h265::is_keyframe(&au(&[&VPS, &trail])));
}

#[test]
fn random_round_trips() {
    let mut rng = Rng::new(12);
    for max in [4usize, 9, 300, 1188] {
        let mut p = H265Payloader::new(max);
        let mut d = H265Depayloader::new(vec![0u8; 100_000]);
        let mut seq = rng.next_u64() as u16;
        for i in 0..if max < 10 { 30 } else { 120 } {
            let key = i % 10 == 0;
            let mut nals = Vec::new();
            if key {
                nals.extend([VPS.to_vec(), SPS.to_vec(), PPS.to_vec()]);
            }
            for _ in 0..1 + rng.below(4) {
                let range = if rng.below(2) == 0 { 40 } else { 6000 };
                let len = 3 + rng.below(range);
                nals.push(nal(if key { 19 } else { 1 }, len, &mut rng));
            }
            let bytes = annex_b(&nals);
            let out = pay(&mut p, &bytes);
            let ts = i * 3000;
            assert_eq!(
                send_frame(&mut d, &mut seq, ts, &out),
                [frame(&bytes, ts, key)]
            );
        }
    }
}

#[test]
fn loss_and_broken_fragments() {
    let mut rng = Rng::new(13);
    let n = nal(1, 200, &mut rng);
    let mut p = H265Payloader::new(80);
    let nals = [n.as_slice()];
    let mut f = p.frame_nals(&nals).unwrap();
    let out = collect(80, |o| f.next_into(o));
    assert_eq!(out.len(), 3);
    let mut d = H265Depayloader::new([0u8; 1024]);
    let _ = d.feed(1, 1, false, &out[0].data);
    let got = d.feed(3, 1, true, &out[2].data).1;
    let drop = |ts, reason| {
        Got::Dropped(Dropped {
            timestamp: ts,
            reason,
            keyframe: false,
        })
    };
    assert_eq!(got, [drop(1, DropReason::SequenceGap)]);
    let _ = d.feed(4, 2, false, &out[1].data);
    assert_eq!(
        d.feed(5, 2, true, &out[2].data).1,
        [drop(2, DropReason::FragmentStartMissing)]
    );
    let _ = d.feed(6, 3, false, &out[0].data);
    assert_eq!(
        d.feed(7, 3, true, &out[1].data).1,
        [drop(3, DropReason::FragmentEndMissing)]
    );
    let mut seq = 8;
    assert_eq!(
        send_frame(&mut d, &mut seq, 4, &out),
        [frame(&annex_b(&[n]), 4, false)]
    );
}

#[test]
fn malformed_payloads_are_errors() {
    let mut d = H265Depayloader::new([0u8; 256]);
    let cases: &[(&[u8], Error)] = &[
        (&[], Error::Truncated),
        (&[0x02], Error::Truncated),
        (&[50 << 1, 1, 0, 0], Error::Unsupported(50)),
        (&[63 << 1, 1, 0, 0], Error::Unsupported(63)),
        (&[0x60, 1], Error::InvalidAggregate),
        (&[0x60, 1, 0], Error::InvalidAggregate),
        (&[0x60, 1, 0, 1, 2], Error::InvalidAggregate), // unit shorter than its header
        (&[0x60, 1, 0, 3, 2, 1], Error::InvalidAggregate),
        (&[0x60, 1, 0, 2, 2, 1, 0], Error::InvalidAggregate),
        (&[0x62, 1], Error::InvalidFragment),
        (&[0x62, 1, 0x81], Error::InvalidFragment),
        (&[0x62, 1, 0xc1, 5], Error::InvalidFragment),
    ];
    for (i, (payload, err)) in cases.iter().enumerate() {
        let (r, got) = d.feed(i as u16, i as u32, true, payload);
        assert_eq!(r, Err(*err), "{payload:02x?}");
        assert!(
            matches!(
                got[..],
                [Got::Dropped(Dropped {
                    reason: DropReason::Malformed,
                    ..
                })]
            ),
            "{got:?}"
        );
    }
    // Every truncation of a valid AP fails unless it ends on a unit boundary.
    let good = ap(&[&VPS, &SPS], [0x60, 1]);
    for cut in 0..good.len() {
        let seq = 100 + cut as u16;
        let (r, _) = d.feed(seq, u32::from(seq), true, &good[..cut]);
        assert_eq!(r.is_ok(), cut == 2 + 2 + VPS.len(), "cut {cut}");
    }
}
