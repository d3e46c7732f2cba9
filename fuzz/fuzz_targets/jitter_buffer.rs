//! The receiving pipeline on arbitrary packet sequences and timings: jitter buffer → H.264
//! depayloader, with NACK, PLI, receiver-report and TWCC generation after every step.
//!
//! Ops (first byte's low 2 bits): push a packet (sequence step -8..=+23 from a control
//! byte, marker, timestamp step, payload), let time pass and fire timeouts, deliver a
//! sender report, or jump the sequence far (a possible sender restart). Properties: no
//! panic; the buffer never holds more than its slots; every released payload is one pushed
//! with that sequence number; a NACK never names a sequence number that was stored; every
//! RTCP packet written parses back; TWCC feedback reports exactly the recorded arrivals.

#![no_main]

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::Header;
use rtcam_rtp::codec::h264::H264Depayloader;
use rtcam_rtp::receiver::{Config, JitterBuffer, Pushed, TwccRecorder};
use rtcam_rtp::rtcp::{Repr, SenderReport};

const SLOTS: usize = 32;

fuzz_target!(|data: &[u8]| run(data));

fn run(mut data: &[u8]) {
    let mut cfg = Config::new(1, 90_000);
    cfg.max_nacks = 3;
    let mut jb = Box::new(JitterBuffer::<SLOTS, 4096>::new(cfg));
    let mut depay = H264Depayloader::new(vec![0u8; 2048]);
    let mut twcc = TwccRecorder::<64>::new(1);
    let mut twcc_truth: HashMap<u16, i64> = HashMap::new();
    let mut twcc_seq = 65_500u16;
    let mut pushed: HashMap<u16, Vec<Vec<u8>>> = HashMap::new();
    let mut stored: HashSet<u16> = HashSet::new();
    let (mut seq, mut ts, mut now) = (65_530u16, 0u32, Duration::ZERO);
    let mut out = [0u8; 1500];
    while let [op, ctl, rest @ ..] = data {
        data = rest;
        match op & 3 {
            0 | 1 => {
                let Some((&len, rest)) = data.split_first() else {
                    return;
                };
                let n = usize::from(len).min(rest.len());
                let (payload, rest) = rest.split_at(n);
                data = rest;
                seq = seq.wrapping_add(u16::from(ctl & 0x1f)).wrapping_sub(8);
                if ctl & 0x20 != 0 {
                    ts = ts.wrapping_add(3000);
                }
                let mut h = Header::new(96, seq, ts, 0x1234);
                h.marker = ctl & 0x40 != 0;
                let mut pkt = vec![0u8; 12 + n];
                let len = h.emit_packet(payload, 0, &mut pkt).unwrap();
                now += Duration::from_micros(u64::from(op >> 2) * 500);
                match jb.push(now, &pkt[..len]).unwrap() {
                    Pushed::Stored => {
                        stored.insert(seq);
                        pushed.entry(seq).or_default().push(payload.to_vec());
                    }
                    Pushed::OtherSsrc => panic!("one SSRC only"),
                    _ => {}
                }
                if ctl & 0x80 == 0 {
                    twcc_seq = twcc_seq.wrapping_add(1);
                    twcc.record(now, twcc_seq);
                    twcc_truth.entry(twcc_seq).or_insert(now.as_micros() as i64);
                }
            }
            2 => {
                now += Duration::from_millis(u64::from(*ctl));
                jb.handle_timeout(now);
            }
            _ => {
                if ctl & 1 == 0 {
                    let sr = SenderReport {
                        ssrc: 0x1234,
                        ntp_time: u64::from(*ctl) << 40,
                        ..Default::default()
                    };
                    jb.handle_sender_report(now, &sr);
                } else {
                    // A far jump may restart the stream: sequence numbers may repeat, so
                    // the NACK oracle forgets (payloads are kept: old packets may still
                    // be released).
                    seq = seq.wrapping_add(10_000);
                    stored.clear();
                }
            }
        }
        assert!(jb.len() <= SLOTS);
        while let Some(r) = jb.pop(now) {
            let payloads = pushed.get(&r.rtp.sequence_number);
            assert!(
                payloads.is_some_and(|p| p.iter().any(|p| p == r.rtp.payload)),
                "released a packet never pushed"
            );
            assert!(r.delay <= now);
            let _ = depay.push(r.rtp);
            while let Some(e) = depay.poll() {
                jb.on_depayloader_event(&e);
            }
        }
        while let Some(n) = jb.poll_nack(now, &mut out) {
            let Ok(Repr::Nack(nack)) = Repr::parse_bytes(&out[..n]) else {
                panic!("bad NACK");
            };
            for s in nack.lost() {
                assert!(!stored.contains(&s), "NACKed {s}, which was stored");
            }
        }
        if let Some(n) = jb.poll_pli(now, &mut out) {
            assert!(matches!(Repr::parse_bytes(&out[..n]), Ok(Repr::Pli(_))));
        }
        if op & 0x80 != 0 {
            let n = jb.emit_receiver_report(now, &mut out).unwrap();
            assert!(matches!(
                Repr::parse_bytes(&out[..n]),
                Ok(Repr::ReceiverReport(_))
            ));
        }
        while let Some(n) = twcc.poll_feedback(now, &mut out) {
            let Ok(Repr::TransportFeedback(fb)) = Repr::parse_bytes(&out[..n]) else {
                panic!("bad TWCC feedback");
            };
            for (s, arrival) in fb.arrivals() {
                if let Some(a) = arrival {
                    let t = twcc_truth
                        .get(&s)
                        .copied()
                        .expect("reported an unrecorded packet");
                    let err = (t - a).rem_euclid(64_000 << 24);
                    assert!(err <= 125 || (64_000 << 24) - err <= 125, "{s}: {t} vs {a}");
                }
            }
        }
    }
    let s = jb.stats();
    assert!(s.jitter_buffer_emitted_count <= s.packets_received);
}
