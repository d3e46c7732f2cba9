//! Arbitrary frames and RTCP feedback (NACK, PLI, FIR, receiver reports) fed to a sender
//! with a small ring, with and without RTX.
//!
//! Properties checked (beyond "never panics"):
//! - every packet written parses with the `Packet` view and every retransmission is a
//!   packet we sent: the same payload (after the OSN for RTX) and timestamp as the
//!   original with that sequence number;
//! - retransmitted bytes never exceed the budget: burst + rate × elapsed time.

#![no_main]

use std::collections::HashMap;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::rtcp::{Fir, FirEntry, List, Nack, NackPair, Pli, ReportBlock};
use rtcam_rtp::sender::{RtxConfig, Sender, SenderConfig, TransportSequencer, Whole};
use rtcam_rtp::{ExtensionKind, ExtensionMap, Packet};

const SSRC: u32 = 0x1234;
const RATE: u32 = 20_000;
const BURST: u32 = 3_000;

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let Some((&flags, mut ops)) = data.split_first() else {
        return;
    };
    let mut map = ExtensionMap::new();
    if flags & 1 != 0 {
        let _ = map.set(ExtensionKind::TransportCc, 3);
        let _ = map.set(ExtensionKind::Mid, 1);
    }
    let rtx = (flags & 2 != 0).then_some(RtxConfig {
        ssrc: 0x5678,
        payload_type: 97,
        initial_sequence: 65530,
    });
    let config = SenderConfig {
        rtx,
        extensions: map,
        mid: "a",
        retransmit_bytes_per_sec: RATE,
        retransmit_burst_bytes: BURST,
        ..SenderConfig::new(SSRC, 96, 90_000, u16::from(flags) << 8 | 0xf0)
    };
    let mut sender: Box<Sender<2048, 16>> = Box::new(Sender::new(&config).expect("config"));
    let mut twcc = TransportSequencer::new(0);
    // Everything sent on the media SSRC: seq -> (timestamp, payload).
    let mut sent: HashMap<u16, (u32, Vec<u8>)> = HashMap::new();
    let mut now = Duration::ZERO;
    let mut rtx_bytes = 0usize;
    let mut first_rtx: Option<Duration> = None;
    let mut buf = [0u8; 1500];
    while let Some((&op, rest)) = ops.split_first() {
        let take = usize::from(rest.first().copied().unwrap_or(0)).min(rest.len());
        let (arg, rest) = rest.split_at(take);
        ops = rest;
        now += Duration::from_millis(u64::from(op >> 4));
        match op & 7 {
            0 | 1 => {
                // A frame of `arg`, cut into payloads of up to 40 bytes.
                let ts = u32::from(op) * 3000;
                for (i, chunk) in arg.chunks(40).enumerate() {
                    let last = (i + 1) * 40 >= arg.len();
                    let mut f =
                        sender.frame(now, ts, op & 1 != 0, Whole::new(chunk, last), &mut twcc);
                    while let Ok(Some(s)) = f.next_into(&mut buf) {
                        let p = Packet::new_checked(&buf[..s.len]).expect("own packet parses");
                        assert_eq!(p.ssrc(), SSRC);
                        sent.insert(s.sequence_number, (p.timestamp(), p.payload().to_vec()));
                    }
                }
            }
            2 => {
                let pairs: Vec<NackPair> = arg
                    .chunks_exact(4)
                    .map(|c| NackPair {
                        pid: u16::from_be_bytes([c[0], c[1]]),
                        blp: u16::from_be_bytes([c[2], c[3]]),
                    })
                    .collect();
                let media = if op & 8 != 0 { 1 } else { SSRC };
                sender.handle_nack(
                    now,
                    &Nack {
                        sender_ssrc: 9,
                        media_ssrc: media,
                        pairs: List::from_values(&pairs),
                    },
                );
            }
            3 => {
                sender.handle_pli(&Pli {
                    sender_ssrc: 9,
                    media_ssrc: if op & 8 != 0 { SSRC } else { 2 },
                });
                let _ = sender.take_keyframe_request();
            }
            4 => {
                let entries: Vec<FirEntry> = arg
                    .chunks_exact(2)
                    .map(|c| FirEntry {
                        ssrc: if c[0] & 1 != 0 { SSRC } else { 3 },
                        sequence: c[1],
                    })
                    .collect();
                sender.handle_fir(&Fir {
                    sender_ssrc: 9,
                    media_ssrc: 0,
                    entries: List::from_values(&entries),
                });
            }
            5 => {
                let word = |i: usize| {
                    let b = arg.get(i..i + 4).unwrap_or(&[0; 4]);
                    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
                };
                let block = ReportBlock {
                    ssrc: if op & 8 != 0 { SSRC } else { word(0) },
                    fraction_lost: op,
                    cumulative_lost: word(4) as i32 >> 8,
                    highest_sequence: word(8),
                    jitter: word(12),
                    last_sr: word(16),
                    delay_since_last_sr: word(20),
                };
                sender.handle_report_block(now, &block);
            }
            6 => {
                let ntp = u64::from(op) << 40 | now.as_millis() as u64;
                let _ = sender.write_sender_report(now, ntp, b"cname", &[], &mut buf);
            }
            _ => {
                let out_len = 12 + usize::from(op);
                while let Ok(Some(s)) = sender.poll_retransmit(now, &mut twcc, &mut buf[..out_len])
                {
                    let bytes = &buf[..s.len];
                    let p = Packet::new_checked(bytes).expect("retransmission parses");
                    let (osn, payload) = match rtx {
                        Some(r) => {
                            assert_eq!((p.ssrc(), p.payload_type()), (r.ssrc, r.payload_type));
                            let (o, pl) = p.payload().split_at(2);
                            (u16::from_be_bytes([o[0], o[1]]), pl)
                        }
                        None => (p.sequence_number(), p.payload()),
                    };
                    let (ts, original) = sent
                        .get(&osn)
                        .expect("retransmission of a packet never sent");
                    assert_eq!((p.timestamp(), payload), (*ts, &original[..]));
                    rtx_bytes += s.len;
                    let start = *first_rtx.get_or_insert(now);
                    let elapsed = now - start;
                    let allowed =
                        u128::from(BURST) + elapsed.as_micros() * u128::from(RATE) / 1_000_000;
                    assert!(
                        rtx_bytes as u128 <= allowed,
                        "budget: {rtx_bytes} > {allowed}"
                    );
                }
            }
        }
        let _ = sender.stats(now);
    }
}
