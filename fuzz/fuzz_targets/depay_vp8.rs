//! VP8 depayloader on arbitrary packet sequences, and payloader -> depayloader round trips
//! of arbitrary frames.
//!
//! Byte 0 picks the frame buffer size, byte 1 the payloader's max_payload. The rest is
//! read twice: as packets (control byte: marker, timestamp step, sequence jump; length
//! byte; payload) into a depayloader with a small buffer, which must never panic; and as
//! one frame that must survive packetization and depacketization unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::codec::vp8::{self, Vp8Depayloader, Vp8Payloader};
use rtcam_rtp::codec::{Event, RtpPayload};

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let [size_sel, max_sel, rest @ ..] = data else {
        return;
    };
    let buf_len = 16 + usize::from(*size_sel) * 16;
    packets(rest, buf_len);
    round_trip(rest, 5 + usize::from(*max_sel) * 5);
}

fn packets(mut rest: &[u8], buf_len: usize) {
    let mut d = Vp8Depayloader::new(vec![0u8; buf_len]);
    let (mut seq, mut ts) = (65_530u16, 0u32);
    while let [ctl, len, tail @ ..] = rest {
        let n = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(n);
        rest = next;
        seq = seq.wrapping_add(1 + u16::from(ctl >> 5));
        if ctl & 2 != 0 {
            ts = ts.wrapping_add(3000);
        }
        let _ = vp8::Descriptor::parse(payload);
        let _ = d.push(RtpPayload {
            payload,
            sequence_number: seq,
            timestamp: ts,
            marker: ctl & 1 != 0,
        });
        while let Some(e) = d.poll() {
            if let Event::Frame(f) = e {
                assert!(!f.data.is_empty() && f.data.len() <= buf_len);
            }
        }
    }
}

fn round_trip(frame: &[u8], max_payload: usize) {
    let mut p = Vp8Payloader::new(max_payload).with_picture_id(0x7fff);
    let Ok(mut f) = p.frame(frame) else {
        assert!(frame.is_empty());
        return;
    };
    let mut d = Vp8Depayloader::new(vec![0u8; frame.len()]);
    let mut out = vec![0u8; max_payload];
    let mut seq = 65_535u16;
    let mut got = None;
    while let Some(m) = f.next_into(&mut out).expect("payloader") {
        d.push(RtpPayload {
            payload: &out[..m.len],
            sequence_number: seq,
            timestamp: 1,
            marker: m.marker,
        })
        .expect("our own payload");
        seq = seq.wrapping_add(1);
        if let Some(e) = d.poll() {
            match e {
                Event::Frame(x) => got = Some((x.data.to_vec(), x.keyframe)),
                Event::Dropped(x) => panic!("dropped {x:?}"),
            }
        }
    }
    assert_eq!(
        got.expect("a frame"),
        (frame.to_vec(), vp8::is_keyframe(frame))
    );
}
