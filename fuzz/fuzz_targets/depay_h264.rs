//! H.264 depayloader on arbitrary packet sequences, and payloader -> depayloader round
//! trips of arbitrary access units.
//!
//! Byte 0 picks the frame buffer size, byte 1 the payloader's max_payload. The rest is
//! read twice: as packets (control byte: marker, timestamp step, sequence jump; length
//! byte; payload) into a depayloader with a small buffer, which must never panic and only
//! report frames of well-formed Annex-B; and as a NAL unit list (split at 0xff bytes)
//! that must survive packetization and depacketization unchanged. The Annex-B scanner
//! must split the same bytes exactly as a naive byte-by-byte splitter does.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::codec::h264::{H264Depayloader, H264Payloader};
use rtcam_rtp::codec::{Event, RtpPayload};

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let [size_sel, max_sel, rest @ ..] = data else {
        return;
    };
    let buf_len = 16 + usize::from(*size_sel) * 16;
    packets(rest, buf_len);
    round_trip(rest, 3 + usize::from(*max_sel) * 5);
    annex_b(rest);
}

fn annex_b(data: &[u8]) {
    let Ok(scanner) = rtcam_rtp::codec::AnnexB::new(data) else {
        return;
    };
    let ours: Vec<&[u8]> = scanner.collect();
    // Naive: cut at every 00 00 01, strip trailing zeros, drop empty units and the
    // leading zeros before the first start code.
    let mut naive = Vec::new();
    let mut start = None;
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i..i + 3] == [0, 0, 1] {
            if let Some(s) = start {
                naive.push(&data[s..i]);
            }
            start = Some(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    if let Some(s) = start {
        naive.push(&data[s..]);
    }
    let naive: Vec<&[u8]> = naive
        .into_iter()
        .map(|mut n| {
            while let [rest @ .., 0] = n {
                n = rest;
            }
            n
        })
        .filter(|n| !n.is_empty())
        .collect();
    assert_eq!(ours, naive);
}

fn packets(mut rest: &[u8], buf_len: usize) {
    let mut d = H264Depayloader::new(vec![0u8; buf_len]);
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
    // NAL units with a header type the depayloader reads as a single NAL unit (1-23).
    let nals: Vec<Vec<u8>> = rest
        .split(|&b| b == 0xff)
        .filter(|n| !n.is_empty())
        .map(|n| {
            let mut n = n.to_vec();
            n[0] = (n[0] & 0xe0) | (1 + (n[0] & 0x1f) % 23);
            n
        })
        .collect();
    let refs: Vec<&[u8]> = nals.iter().map(Vec::as_slice).collect();
    // Access unit delimiters are not sent: the marker bit delimits access units.
    let sent: Vec<&Vec<u8>> = nals.iter().filter(|n| n[0] & 0x1f != 9).collect();
    let mut p = H264Payloader::new(max_payload).resend_parameter_sets(true);
    let Ok(mut frame) = p.frame_nals(&refs) else {
        assert!(sent.is_empty());
        return;
    };
    let mut d = H264Depayloader::new(vec![0u8; 8 + rest.len() * 2 + 4096]);
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
