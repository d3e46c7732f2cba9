//! H.264 payloader and depayloader (RFC 6184): packet shapes byte for byte, FU-A at the
//! exact MTU boundaries, STAP-A aggregation, parameter-set re-sending, random round trips
//! through the crate's RTP header, loss/reorder/wrap-around and malformed payloads.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod codec_util;

use codec_util::{Depay, Got, Payload, Rng, annex_b, collect, send_frame};
use rtcam_rtp::codec::h264::{self, H264Depayloader, H264Payloader};
use rtcam_rtp::codec::{DropReason, Dropped, Error, PARAM_SET_CAPACITY};

fn pay(p: &mut H264Payloader, au: &[u8]) -> Vec<Payload> {
    let max = p.max_payload();
    let mut f = p.frame(au).unwrap();
    collect(max, |out| f.next_into(out))
}

fn nal(header: u8, len: usize, rng: &mut Rng) -> Vec<u8> {
    let mut v = vec![header];
    rng.nal_body(len - 1, &mut v);
    v
}

const SPS: [u8; 8] = [0x67, 0x42, 0xc0, 0x1e, 0xd9, 0x00, 0xa0, 0x47];
const PPS: [u8; 4] = [0x68, 0xce, 0x06, 0xe2];

fn frame(data: &[u8], timestamp: u32, keyframe: bool) -> Got {
    Got::Frame {
        data: data.to_vec(),
        timestamp,
        keyframe,
    }
}

fn dropped(timestamp: u32, reason: DropReason, keyframe: bool) -> Got {
    Got::Dropped(Dropped {
        timestamp,
        reason,
        keyframe,
    })
}

#[test]
fn single_nal_unit_packet_is_the_nal() {
    let mut p = H264Payloader::new(1200);
    let au = [0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21];
    let out = pay(&mut p, &au);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].data, [0x65, 0x88, 0x84, 0x21]);
    assert!(out[0].marker);
}

#[test]
fn stap_a_carries_sps_pps_idr_with_max_nri() {
    let mut p = H264Payloader::new(1200);
    // 3-byte and 4-byte start codes mixed; IDR has NRI 1, SPS NRI 3 -> STAP-A NRI 3.
    let mut au = vec![0, 0, 0, 1];
    au.extend_from_slice(&SPS);
    au.extend_from_slice(&[0, 0, 1]);
    au.extend_from_slice(&PPS);
    au.extend_from_slice(&[0, 0, 0, 1, 0x25, 0xb8, 0x40]);
    let out = pay(&mut p, &au);
    assert_eq!(out.len(), 1);
    let mut expect = vec![0x78, 0, 8];
    expect.extend_from_slice(&SPS);
    expect.extend_from_slice(&[0, 4]);
    expect.extend_from_slice(&PPS);
    expect.extend_from_slice(&[0, 3, 0x25, 0xb8, 0x40]);
    assert_eq!(out[0].data, expect);
    assert!(out[0].marker);
}

#[test]
fn stap_a_forbidden_bit_is_or_of_units() {
    let mut p = H264Payloader::new(1200);
    let au = [0, 0, 1, 0x06, 5, 0, 0, 1, 0x81, 9];
    let out = pay(&mut p, &au);
    assert_eq!(out[0].data, [0x80 | 24, 0, 2, 0x06, 5, 0, 2, 0x81, 9]);
}

#[test]
fn aggregation_stops_when_the_next_unit_does_not_fit() {
    let mut rng = Rng::new(1);
    let max = 100;
    let mut p = H264Payloader::new(max);
    let a = nal(0x41, 40, &mut rng);
    let b = nal(0x41, 50, &mut rng); // 1 + 2+40 + 2+50 = 95: fits
    let c = nal(0x41, 3, &mut rng); // + 2+3 = 100: fits exactly
    let d = nal(0x41, 1, &mut rng); // + 2+1 = 103: next packet, alone
    let nals = [a.as_slice(), &b, &c, &d];
    let mut f = p.frame_nals(&nals).unwrap();
    let out = collect(max, |o| f.next_into(o));
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].data.len(), 100);
    assert_eq!(out[0].data[0], 0x40 | 24);
    assert_eq!(out[1].data, d);
    assert_eq!(
        out.iter().map(|p| p.marker).collect::<Vec<_>>(),
        [false, true]
    );
}

/// NAL sizes around max_payload: single packet up to max_payload, FU-A beyond, with
/// fragments of exactly max_payload bytes and S/E/NRI/type as RFC 6184 §5.8 says.
#[test]
fn fu_a_at_exact_mtu_boundaries() {
    let mut rng = Rng::new(2);
    for max in [3usize, 4, 10, 100, 1188] {
        for size in [
            max.saturating_sub(1).max(1),
            max,
            max + 1,
            max + 2,
            2 * (max - 2),
            2 * (max - 2) + 1,
            2 * (max - 2) + 2,
            5 * max + 7,
        ] {
            let n = nal(0x65, size, &mut rng); // NRI 3, IDR
            let mut p = H264Payloader::new(max);
            let nals = [n.as_slice()];
            let mut f = p.frame_nals(&nals).unwrap();
            let out = collect(max, |o| f.next_into(o));
            if size <= max {
                assert_eq!(out.len(), 1, "max {max} size {size}");
                assert_eq!(out[0].data, n);
                continue;
            }
            let per = max - 2;
            let expect_packets = (size - 1).div_ceil(per);
            assert_eq!(out.len(), expect_packets, "max {max} size {size}");
            let mut body = Vec::new();
            for (i, pk) in out.iter().enumerate() {
                let last = i + 1 == out.len();
                assert_eq!(pk.data[0], 0x60 | 28, "FU indicator");
                let s = u8::from(i == 0) << 7;
                let e = u8::from(last) << 6;
                assert_eq!(pk.data[1], s | e | 5, "FU header");
                if !last {
                    // Up to 3 bytes short: see the word alignment in `NalFrame::fragment`.
                    assert!(
                        pk.data.len() + 3 >= max,
                        "non-final fragments are nearly full"
                    );
                }
                body.extend_from_slice(&pk.data[2..]);
            }
            assert_eq!(body, n[1..]);
            // And back.
            let mut d = H264Depayloader::new(vec![0u8; 64 * 1024]);
            let mut seq = 65534;
            let got = send_frame(&mut d, &mut seq, 9000, &out);
            assert_eq!(got, [frame(&annex_b(std::slice::from_ref(&n)), 9000, true)]);
        }
    }
}

#[test]
fn annex_b_edge_cases() {
    let mut p = H264Payloader::new(1200);
    // Leading zeros, trailing zeros, empty NAL units between start codes.
    let au = [
        0, 0, 0, 0, 0, 1, 0x41, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0x41, 3, 0, 0,
    ];
    let out = pay(&mut p, &au);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].data, [0x40 | 24, 0, 3, 0x41, 1, 2, 0, 2, 0x41, 3]);
    let nals: Vec<&[u8]> = h264::nal_units(&au).unwrap().collect();
    assert_eq!(nals, [&[0x41, 1, 2][..], &[0x41, 3]]);

    assert_eq!(
        p.frame(&[0x41, 0, 0, 1, 0x41]).err(),
        Some(Error::NoStartCode)
    );
    assert_eq!(p.frame(&[0, 1, 0x41]).err(), Some(Error::NoStartCode));
    assert_eq!(p.frame(&[]).err(), Some(Error::NoStartCode));
    assert_eq!(p.frame(&[0, 0, 1]).err(), Some(Error::EmptyFrame));
    assert_eq!(
        p.frame(&[0, 0, 1, 0, 0, 0, 1]).err(),
        Some(Error::EmptyFrame)
    );
    assert_eq!(p.frame_nals(&[]).err(), Some(Error::EmptyFrame));
    assert_eq!(
        H264Payloader::new(2).frame(&[0, 0, 1, 0x41]).err(),
        Some(Error::MaxPayloadTooSmall)
    );
    let mut f = p.frame(&[0, 0, 1, 0x41]).unwrap();
    assert_eq!(f.next_into(&mut [0u8; 1199]), Err(Error::BufferTooSmall));
}

#[test]
fn keyframe_detection() {
    assert!(h264::is_keyframe(&[0, 0, 1, 0x67, 1, 0, 0, 1, 0x65, 2]));
    assert!(!h264::is_keyframe(&[0, 0, 1, 0x41, 1]));
    assert!(!h264::is_keyframe(&[0x65]));
}

fn sps_pps_idr(idr: &[u8]) -> Vec<u8> {
    let mut au = Vec::new();
    for n in [&SPS[..], &PPS, idr] {
        au.extend_from_slice(&[0, 0, 0, 1]);
        au.extend_from_slice(n);
    }
    au
}

#[test]
fn parameter_sets_are_resent_before_idr_when_missing() {
    let idr = [0x65, 0x88, 0x80];
    let p_slice = [0, 0, 0, 1, 0x41, 0x9a, 0x02];
    let idr_only = [0, 0, 0, 1, 0x65, 0x88, 0x81];
    let stap = |units: &[&[u8]]| {
        let mut v = vec![0x78];
        for u in units {
            v.extend_from_slice(&(u.len() as u16).to_be_bytes());
            v.extend_from_slice(u);
        }
        v
    };

    let mut p = H264Payloader::new(1200).resend_parameter_sets(true);
    assert_eq!(
        pay(&mut p, &sps_pps_idr(&idr))[0].data,
        stap(&[&SPS, &PPS, &idr])
    );
    assert_eq!(pay(&mut p, &p_slice)[0].data, p_slice[4..]);
    assert_eq!(
        pay(&mut p, &idr_only)[0].data,
        stap(&[&SPS, &PPS, &idr_only[4..]])
    );
    // Only the missing one is injected; the frame's own SPS is sent (and cached).
    let new_sps = [0x67, 0x42, 0xc0, 0x1f];
    let mut au = vec![0, 0, 1];
    au.extend_from_slice(&new_sps);
    au.extend_from_slice(&idr_only);
    assert_eq!(
        pay(&mut p, &au)[0].data,
        stap(&[&new_sps, &PPS, &idr_only[4..]])
    );
    assert_eq!(
        pay(&mut p, &idr_only)[0].data,
        stap(&[&new_sps, &PPS, &idr_only[4..]])
    );

    // Off (the default): untouched.
    let mut q = H264Payloader::new(1200);
    pay(&mut q, &sps_pps_idr(&idr));
    assert_eq!(pay(&mut q, &idr_only)[0].data, idr_only[4..]);

    // A tiny max_payload fragments the injected parameter sets too.
    let mut r = H264Payloader::new(4).resend_parameter_sets(true);
    pay(&mut r, &sps_pps_idr(&idr));
    let out = pay(&mut r, &idr_only);
    let mut d = H264Depayloader::new([0u8; 256]);
    let mut seq = 0;
    let got = send_frame(&mut d, &mut seq, 1, &out);
    let expect = annex_b(&[SPS.to_vec(), PPS.to_vec(), idr_only[4..].to_vec()]);
    assert_eq!(got, [frame(&expect, 1, true)]);
}

#[test]
fn oversized_parameter_set_is_not_cached() {
    let mut rng = Rng::new(3);
    let big_sps = nal(0x67, PARAM_SET_CAPACITY + 1, &mut rng);
    let idr = [0, 0, 0, 1, 0x65, 0x88, 0x81];
    let mut p = H264Payloader::new(1200).resend_parameter_sets(true);
    pay(&mut p, &sps_pps_idr(&[0x65, 1]));
    let mut au = vec![0, 0, 1];
    au.extend_from_slice(&big_sps);
    au.extend_from_slice(&idr);
    pay(&mut p, &au);
    // The old SPS was forgotten rather than resent stale; the PPS still is.
    let out = pay(&mut p, &idr);
    assert_eq!(
        out[0].data,
        [0x78, 0, 4, 0x68, 0xce, 0x06, 0xe2, 0, 3, 0x65, 0x88, 0x81]
    );
}

/// A random access unit: optional SPS/PPS/SEI, then slices of random sizes.
fn random_au(rng: &mut Rng, max_nal: usize) -> Vec<Vec<u8>> {
    let mut nals = Vec::new();
    let key = rng.below(4) == 0;
    if rng.below(3) == 0 {
        nals.push(vec![0x09, 0xf0]); // AUD
    }
    if key {
        nals.push(SPS.to_vec());
        nals.push(PPS.to_vec());
        if rng.below(2) == 0 {
            let len = 2 + rng.below(30);
            nals.push(nal(0x06, len, rng));
        }
    }
    for _ in 0..1 + rng.below(4) {
        let len = 1 + match rng.below(3) {
            0 => rng.below(16),
            1 => rng.below(1500),
            _ => rng.below(max_nal),
        };
        let hdr = if key { 0x65 } else { 0x41 } | ((rng.byte() & 3) << 5);
        nals.push(nal(hdr, len, rng));
    }
    nals
}

#[test]
fn random_round_trips_through_rtp() {
    let mut rng = Rng::new(4);
    for max in [3usize, 5, 17, 200, 1188, 1400] {
        let mut p = H264Payloader::new(max);
        let mut d = H264Depayloader::new(vec![0u8; 200_000]);
        let mut seq = rng.next_u64() as u16;
        let mut ts = rng.next_u64() as u32;
        for _ in 0..if max < 20 { 40 } else { 150 } {
            let nals = random_au(&mut rng, 20_000);
            let key = nals.iter().any(|n| n[0] & 0x1f == 5);
            // Alternate input forms: Annex-B with 3/4-byte start codes, and a NAL list.
            let out = if rng.below(2) == 0 {
                let mut au = Vec::new();
                for n in &nals {
                    let sc: &[u8] = if rng.below(2) == 0 {
                        &[0, 0, 1]
                    } else {
                        &[0, 0, 0, 1]
                    };
                    au.extend_from_slice(sc);
                    au.extend_from_slice(n);
                }
                pay(&mut p, &au)
            } else {
                let refs: Vec<&[u8]> = nals.iter().map(Vec::as_slice).collect();
                let mut f = p.frame_nals(&refs).unwrap();
                collect(max, |o| f.next_into(o))
            };
            let got = send_frame(&mut d, &mut seq, ts, &out);
            // Access unit delimiters are not sent: the marker bit delimits access units.
            let sent: Vec<Vec<u8>> = nals.iter().filter(|n| n[0] & 0x1f != 9).cloned().collect();
            assert_eq!(got, [frame(&annex_b(&sent), ts, key)], "max {max}");
            ts = ts.wrapping_add(3000);
        }
    }
}

/// A 3-packet frame: FU-A start, middle, end.
fn three_packets() -> (Vec<u8>, Vec<Payload>) {
    let mut rng = Rng::new(5);
    let n = nal(0x65, 250, &mut rng);
    let mut p = H264Payloader::new(100);
    let nals = [n.as_slice()];
    let mut f = p.frame_nals(&nals).unwrap();
    let out = collect(100, |o| f.next_into(o));
    assert_eq!(out.len(), 3);
    (annex_b(&[n]), out)
}

#[test]
fn sequence_wraps_mid_frame() {
    let (expect, out) = three_packets();
    for start in [65534u16, 65535, 0] {
        let mut d = H264Depayloader::new([0u8; 1024]);
        let mut seq = start;
        assert_eq!(
            send_frame(&mut d, &mut seq, 7, &out),
            [frame(&expect, 7, true)]
        );
        let mut seq2 = seq;
        assert_eq!(
            send_frame(&mut d, &mut seq2, 8, &out),
            [frame(&expect, 8, true)]
        );
    }
}

#[test]
fn each_lost_packet_drops_its_frame() {
    let (expect, out) = three_packets();
    let small = [0x41u8, 7, 7];
    for lost in 0..3 {
        let mut d = H264Depayloader::new([0u8; 1024]);
        let mut got = d.feed(9, 50, true, &[0x41, 1]).1;
        assert_eq!(got, [frame(&[0, 0, 0, 1, 0x41, 1], 50, false)]);
        got.clear();
        // Frame 1 (ts 100) loses one packet; frame 2 (ts 200) is one packet; frame 3 whole.
        for (i, pk) in out.iter().enumerate() {
            if i != lost {
                got.extend(d.feed(10 + i as u16, 100, pk.marker, &pk.data).1);
            }
        }
        got.extend(d.feed(13, 200, true, &small).1);
        for (i, pk) in out.iter().enumerate() {
            got.extend(d.feed(14 + i as u16, 300, pk.marker, &pk.data).1);
        }
        let mut want = Vec::new();
        match lost {
            // The next packet shows the gap and misses its start.
            0 => want.push(dropped(100, DropReason::SequenceGap, false)),
            1 => want.push(dropped(100, DropReason::SequenceGap, true)),
            // The marker packet is lost: the frame ends by a timestamp change after a gap,
            // and the next frame is dropped as well (its first packets may be the lost).
            _ => {
                want.push(dropped(100, DropReason::SequenceGap, true));
                want.push(dropped(200, DropReason::SequenceGap, false));
            }
        }
        if lost != 2 {
            want.push(frame(&[0, 0, 0, 1, 0x41, 7, 7], 200, false));
        }
        want.push(frame(&expect, 300, true));
        assert_eq!(got, want, "lost packet {lost}");
    }
}

#[test]
fn reordered_packets_drop_the_frame_and_late_ones_are_stale() {
    let (expect, out) = three_packets();
    let mut d = H264Depayloader::new([0u8; 1024]);
    assert_eq!(d.feed(1, 5, false, &out[0].data), (Ok(()), vec![]));
    assert_eq!(
        d.feed(3, 5, true, &out[2].data),
        (Ok(()), vec![dropped(5, DropReason::SequenceGap, true)])
    );
    assert_eq!(
        d.feed(2, 5, false, &out[1].data),
        (Err(Error::StalePacket), vec![])
    );
    assert_eq!(
        d.feed(3, 5, true, &out[2].data),
        (Err(Error::StalePacket), vec![])
    );
    // A jump far back is a new sequence (sender restart), not a stale packet: the first
    // frame after it counts as a gap, the next one is whole.
    let mut seq = 3u16.wrapping_sub(5000);
    assert_eq!(
        send_frame(&mut d, &mut seq, 6, &out),
        [dropped(6, DropReason::SequenceGap, true)]
    );
    assert_eq!(
        send_frame(&mut d, &mut seq, 7, &out),
        [frame(&expect, 7, true)]
    );
}

#[test]
fn broken_fragmentation_units_are_reported() {
    let (expect, out) = three_packets();
    let idr = [0x65u8, 1, 2];
    // Missing start with consecutive sequence numbers (e.g. the sender restarted a FU).
    let mut d = H264Depayloader::new([0u8; 1024]);
    let _ = d.feed(1, 9, false, &out[1].data);
    let got = d.feed(2, 9, true, &out[2].data).1;
    assert_eq!(got, [dropped(9, DropReason::FragmentStartMissing, false)]);
    // Missing end: a single NAL unit follows the FU start.
    let _ = d.feed(3, 10, false, &out[0].data);
    let got = d.feed(4, 10, true, &idr).1;
    assert_eq!(got, [dropped(10, DropReason::FragmentEndMissing, true)]);
    // Missing end: the marker arrives inside the FU.
    let _ = d.feed(5, 11, false, &out[0].data);
    let got = d.feed(6, 11, true, &out[1].data).1;
    assert_eq!(got, [dropped(11, DropReason::FragmentEndMissing, true)]);
    // Timestamp change mid-FU.
    let _ = d.feed(7, 12, false, &out[0].data);
    let got = d.feed(8, 13, true, &idr).1;
    assert_eq!(
        got,
        [
            dropped(12, DropReason::FragmentEndMissing, true),
            frame(&[0, 0, 0, 1, 0x65, 1, 2], 13, true)
        ]
    );
    // Timestamp change without a marker, no FU open.
    let _ = d.feed(9, 14, false, &[0x41, 1]);
    let got = d.feed(10, 15, true, &[0x41, 2]).1;
    assert_eq!(
        got,
        [
            dropped(14, DropReason::MarkerMissing, false),
            frame(&[0, 0, 0, 1, 0x41, 2], 15, false)
        ]
    );
    // A new FU start while one is open.
    let _ = d.feed(11, 16, false, &out[0].data);
    let _ = d.feed(12, 16, false, &out[0].data);
    let got = d.feed(13, 16, true, &out[2].data).1;
    assert_eq!(got, [dropped(16, DropReason::FragmentEndMissing, true)]);
    // And it recovers.
    let mut seq = 14;
    assert_eq!(
        send_frame(&mut d, &mut seq, 17, &out),
        [frame(&expect, 17, true)]
    );
}

#[test]
fn frame_buffer_overflow_is_an_error() {
    let (expect, out) = three_packets();
    let mut d = H264Depayloader::new([0u8; 150]);
    assert_eq!(d.feed(1, 1, false, &out[0].data).0, Ok(()));
    assert_eq!(
        d.feed(2, 1, false, &out[1].data).0,
        Err(Error::FrameBufferFull)
    );
    let (r, got) = d.feed(3, 1, true, &out[2].data);
    assert_eq!(r, Ok(()));
    assert_eq!(got, [dropped(1, DropReason::FrameBufferFull, true)]);
    // Exactly full is fine.
    let mut d = H264Depayloader::new(vec![0u8; expect.len()]);
    let mut seq = 0;
    assert_eq!(
        send_frame(&mut d, &mut seq, 2, &out),
        [frame(&expect, 2, true)]
    );
    let mut d = H264Depayloader::new(vec![0u8; expect.len() - 1]);
    let mut got = Vec::new();
    for (seq, p) in (0u16..).zip(&out) {
        got.extend(d.feed(seq, 2, p.marker, &p.data).1);
    }
    assert_eq!(got, [dropped(2, DropReason::FrameBufferFull, true)]);
}

#[test]
fn malformed_payloads_are_errors() {
    let mut d = H264Depayloader::new([0u8; 1024]);
    let mut seq = 0u16;
    let mut check = |d: &mut H264Depayloader<[u8; 1024]>, payload: &[u8], err: Error| {
        let (r, got) = d.feed(seq, u32::from(seq), true, payload);
        assert_eq!(r, Err(err), "{payload:02x?}");
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
        seq += 1;
    };
    check(&mut d, &[], Error::Truncated);
    for t in [0u8, 25, 26, 27, 29, 30, 31] {
        check(&mut d, &[0x60 | t, 1, 2, 3, 4, 5], Error::Unsupported(t));
    }
    check(&mut d, &[0x78], Error::InvalidAggregate);
    check(&mut d, &[0x78, 0], Error::InvalidAggregate);
    check(&mut d, &[0x78, 0, 0], Error::InvalidAggregate);
    check(&mut d, &[0x78, 0, 3, 0x41, 1], Error::InvalidAggregate);
    check(&mut d, &[0x78, 0, 1, 0x41, 0], Error::InvalidAggregate);
    check(&mut d, &[0x78, 0, 1, 0x41, 0, 0], Error::InvalidAggregate);
    check(&mut d, &[0x7c], Error::InvalidFragment);
    check(&mut d, &[0x7c, 0x85], Error::InvalidFragment);
    check(&mut d, &[0x7c, 0xc5, 1], Error::InvalidFragment);

    // Every truncation of a valid STAP-A: an error or, at a unit boundary, fewer units.
    let stap = [
        0x78, 0, 8, 0x67, 0x42, 0xc0, 0x1e, 0xd9, 0, 0xa0, 0x47, 0, 4, 0x68, 0xce, 6, 0xe2,
    ];
    for cut in 0..stap.len() {
        let (r, got) = d.feed(seq, u32::from(seq), true, &stap[..cut]);
        seq += 1;
        match cut {
            11 => {
                assert_eq!(r, Ok(()));
                assert_eq!(
                    got,
                    [frame(&annex_b(&[SPS.to_vec()]), u32::from(seq - 1), false)]
                );
            }
            _ => assert!(r.is_err(), "cut {cut}"),
        }
    }
    // Every truncation of a FU-A start is an error only below 3 bytes.
    let fu = [0x7c, 0x85, 1, 2, 3];
    for cut in 0..fu.len() {
        let (r, _) = d.feed(seq, u32::from(seq), true, &fu[..cut]);
        seq += 1;
        assert_eq!(r.is_err(), cut < 3, "cut {cut}");
    }
}

#[test]
fn poll_after_a_frame_is_empty_and_data_lives_until_next_push() {
    let mut d = H264Depayloader::new([0u8; 64]);
    d.push(rtcam_rtp::codec::RtpPayload {
        payload: &[0x41, 9],
        sequence_number: 1,
        timestamp: 2,
        marker: true,
    })
    .unwrap();
    assert!(d.poll().is_some());
    assert!(d.poll().is_none());
    let buf = d.into_inner();
    assert_eq!(buf[..6], [0, 0, 0, 1, 0x41, 9]);
}

#[test]
fn access_unit_delimiters_are_not_sent() {
    let mut p = H264Payloader::new(1188);
    let au = [
        &[0, 0, 0, 1, 0x09, 0xf0][..],
        &[0, 0, 1, 0x41, 0x9a, 0x02, 0x03],
    ]
    .concat();
    let out = pay(&mut p, &au);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0].data, [0x41, 0x9a, 0x02, 0x03]);
    assert!(out[0].marker);
    // An access unit of nothing but a delimiter has nothing to send.
    assert_eq!(
        p.frame(&[0, 0, 0, 1, 0x09, 0xf0]).err(),
        Some(rtcam_rtp::codec::Error::EmptyFrame)
    );
}
