//! H.265 depayloader on arbitrary packet sequences, and payloader -> depayloader round
//! trips of arbitrary access units.
//!
//! Byte 0 picks the frame buffer size, byte 1 the payloader's max_payload. The rest is
//! read twice: as packets (control byte: marker, timestamp step, sequence jump; length
//! byte; payload) into a depayloader with a small buffer, which must never panic and only
//! report frames of well-formed Annex-B; and as a NAL unit list (split at 0xff bytes)
//! that must survive packetization and depacketization unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::codec::h265::{H265Depayloader, H265Payloader};
use rtcam_rtp::codec::{Event, RtpPayload};

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let [size_sel, max_sel, rest @ ..] = data else {
        return;
    };
    let buf_len = 16 + usize::from(*size_sel) * 16;
    packets(rest, buf_len);
    round_trip(rest, 4 + usize::from(*max_sel) * 5);
}

fn packets(mut rest: &[u8], buf_len: usize) {
    let mut d = H265Depayloader::new(vec![0u8; buf_len]);
    let (mut seq, mut ts) = (65_530u16, 0u32);
    while let [ctl, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        seq = seq.wrapping_add(1 + u16::from(ctl >> 5));
        if ctl & 2 != 0 {
            ts = ts.wrapping_add(3000);
        }
        let _ = d.push(RtpPayload {
            payload,
            sequence_number: seq,
            timestamp: ts,
            marker: ctl & 1 != 0,
        });
        while let Some(e) = d.poll() {
            if let Event::Frame(f) = e {
                assert!(
                    f.data.starts_with(&[0, 0, 0, 1]),
                    "frame without start code"
                );
                assert!(f.data.len() <= buf_len);
            }
        }
    }
}

fn round_trip(rest: &[u8], max_payload: usize) {
    // NAL units of 2+ bytes whose type the depayloader reads as a single NAL unit (0-47).
    let nals: Vec<Vec<u8>> = rest
        .split(|&b| b == 0xff)
        .filter(|n| n.len() >= 2)
        .map(|n| {
            let mut n = n.to_vec();
            n[0] = (n[0] & 0x81) | ((((n[0] >> 1) & 0x3f) % 48) << 1);
            n
        })
        .collect();
    let refs: Vec<&[u8]> = nals.iter().map(Vec::as_slice).collect();
    // Access unit delimiters are not sent: the marker bit delimits access units.
    let sent: Vec<&Vec<u8>> = nals.iter().filter(|n| (n[0] >> 1) & 0x3f != 35).collect();
    let mut p = H265Payloader::new(max_payload).resend_parameter_sets(true);
    let Ok(mut frame) = p.frame_nals(&refs) else {
        assert!(sent.is_empty());
        return;
    };
    let mut d = H265Depayloader::new(vec![0u8; 8 + rest.len() * 2 + 4096]);
    let mut out = vec![0u8; max_payload];
    let mut seq = 65_535u16;
    let mut got = None;
    while let Some(m) = frame.next_into(&mut out).expect("payloader") {
        assert!(m.len <= max_payload && m.len > 0);
        d.push(RtpPayload {
            payload: &out[..m.len],
            sequence_number: seq,
            timestamp: 7,
            marker: m.marker,
        })
        .expect("our own payload");
        seq = seq.wrapping_add(1);
        if let Some(e) = d.poll() {
            match e {
                Event::Frame(f) => got = Some(f.data.to_vec()),
                Event::Dropped(x) => panic!("dropped {x:?}"),
            }
        }
    }
    let mut want = Vec::new();
    for n in &sent {
        want.extend_from_slice(&[0, 0, 0, 1]);
        want.extend_from_slice(n);
    }
    assert_eq!(got.expect("a frame"), want);
}
