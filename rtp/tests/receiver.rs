//! The receiving side: jitter buffer → H.264 depayloader with reordering, duplicates, loss
//! and wrap-around; NACK timing and caps; NACK → retransmission → complete frame; PLI on
//! unrecoverable loss; RFC 3550 report blocks against hand computation; TWCC feedback read
//! back through the RTCP parser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod codec_util;

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use codec_util::{Rng, annex_b, rtp};
use rtcam_rtp::codec::Event;
use rtcam_rtp::codec::h264::{H264Depayloader, H264Payloader};
use rtcam_rtp::receiver::{Config, JitterBuffer, Pushed, TwccRecorder};
use rtcam_rtp::rtcp::{Repr, SenderReport};
use rtcam_rtp::sender::RetransmissionRing;
use rtcam_rtp::{ExtensionKind, ExtensionMap, Header};

const SSRC: u32 = 0x1234_5678;
const LOCAL: u32 = 0xabcd_0001;

type Jb = JitterBuffer<512, 262_144>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// One RTP packet of a test stream.
#[derive(Clone)]
struct Pkt {
    bytes: Vec<u8>,
    seq: u16,
    frame: usize,
}

/// `n` access units (a keyframe every 10th, first included) and their packets from
/// `start_seq`, timestamps 3000 apart, `mtu`-byte payloads.
fn stream(rng: &mut Rng, n: usize, start_seq: u16, mtu: usize) -> (Vec<Vec<u8>>, Vec<Pkt>) {
    let mut pay = H264Payloader::new(mtu);
    let mut aus = Vec::new();
    let mut pkts = Vec::new();
    let mut seq = start_seq;
    for f in 0..n {
        let mut nals = Vec::new();
        if f % 10 == 0 {
            nals.push(vec![0x67, 0x42, 0xc0, 0x1e, 0xd9]);
            nals.push(vec![0x68, 0xce, 0x06, 0xe2]);
            let mut idr = vec![0x65];
            let len = 2500 + rng.below(1000);
            rng.nal_body(len, &mut idr);
            nals.push(idr);
        } else {
            let mut p = vec![0x41];
            let len = 100 + rng.below(2000);
            rng.nal_body(len, &mut p);
            nals.push(p);
        }
        let au = annex_b(&nals);
        let mut frame = pay.frame(&au).unwrap();
        let mut out = vec![0u8; mtu];
        while let Some(m) = frame.next_into(&mut out).unwrap() {
            pkts.push(Pkt {
                bytes: rtp(seq, 3000 * f as u32, m.marker, &out[..m.len]),
                seq,
                frame: f,
            });
            seq = seq.wrapping_add(1);
        }
        aus.push(au);
    }
    (aus, pkts)
}

/// A jitter buffer feeding a depayloader, collecting what comes out.
struct Rx {
    jb: Box<Jb>,
    depay: H264Depayloader<Vec<u8>>,
    frames: Vec<(u32, Vec<u8>)>,
    dropped: Vec<u32>,
    released: Vec<u64>,
}

impl Rx {
    fn new(config: Config) -> Rx {
        Rx {
            jb: Box::new(JitterBuffer::new(config)),
            depay: H264Depayloader::new(vec![0u8; 64 * 1024]),
            frames: Vec::new(),
            dropped: Vec::new(),
            released: Vec::new(),
        }
    }

    fn push(&mut self, now: Duration, bytes: &[u8]) -> Pushed {
        let r = self.jb.push(now, bytes).unwrap();
        self.drain(now);
        r
    }

    fn drain(&mut self, now: Duration) {
        self.jb.handle_timeout(now);
        while let Some(r) = self.jb.pop(now) {
            self.released.push(r.extended_seq);
            let _ = self.depay.push(r.rtp);
            while let Some(e) = self.depay.poll() {
                match &e {
                    Event::Frame(f) => self.frames.push((f.timestamp, f.data.to_vec())),
                    Event::Dropped(d) => self.dropped.push(d.timestamp),
                }
                self.jb.on_depayloader_event(&e);
            }
        }
    }
}

fn expect_frames(rx: &Rx, aus: &[Vec<u8>], skip: &[usize]) {
    let want: Vec<(u32, Vec<u8>)> = aus
        .iter()
        .enumerate()
        .filter(|(i, _)| !skip.contains(i))
        .map(|(i, au)| (3000 * i as u32, au.clone()))
        .collect();
    assert_eq!(rx.frames.len(), want.len(), "frame count");
    for (got, want) in rx.frames.iter().zip(&want) {
        assert_eq!(got.0, want.0, "timestamp");
        assert_eq!(got.1, want.1, "frame bytes at ts {}", want.0);
    }
}

#[test]
fn in_order_across_wrap_delivers_every_frame() {
    let mut rng = Rng::new(1);
    let (aus, pkts) = stream(&mut rng, 40, 65_500, 1000);
    assert!(pkts.len() > 40);
    let mut rx = Rx::new(Config::new(LOCAL, 90_000));
    let mut buf = [0u8; 1500];
    for (i, p) in pkts.iter().enumerate() {
        assert_eq!(rx.push(ms(i as u64), &p.bytes), Pushed::Stored);
        assert_eq!(rx.jb.poll_nack(ms(i as u64), &mut buf), None);
    }
    expect_frames(&rx, &aus, &[]);
    assert!(rx.dropped.is_empty());
    let s = rx.jb.stats();
    assert_eq!(s.packets_received, pkts.len() as u64);
    assert_eq!(s.jitter_buffer_emitted_count, pkts.len() as u64);
    // Only the first 10 ms wait (for packets reordered before the first one).
    assert!(
        s.jitter_buffer_delay <= ms(10 * 10),
        "{:?}",
        s.jitter_buffer_delay
    );
    assert_eq!(s.frames_received, 40);
    assert_eq!(s.key_frames_received, 4);
    assert_eq!(s.packets_lost, 0);
    assert_eq!(rx.jb.poll_pli(ms(1000), &mut buf), None);
    // The extended sequence numbers count on across the wrap.
    assert!(rx.released.windows(2).all(|w| w[1] == w[0] + 1));
    let block = rx.jb.report_block(ms(100)).unwrap();
    let last = pkts.last().unwrap().seq;
    assert_eq!(block.highest_sequence, (1 << 16) | u32::from(last));
}

#[test]
fn reordered_and_duplicated_packets_come_out_in_order() {
    for seed in 0..20 {
        let mut rng = Rng::new(100 + seed);
        let (aus, pkts) = stream(&mut rng, 30, 65_400 + seed as u16 * 7, 700);
        let mut order: Vec<Pkt> = Vec::new();
        let mut dups = 0;
        for chunk in pkts.chunks(1 + rng.below(12)) {
            let mut c = chunk.to_vec();
            for i in (1..c.len()).rev() {
                c.swap(i, rng.below(i + 1));
            }
            for p in c {
                if rng.below(10) == 0 {
                    order.push(p.clone());
                    dups += 1;
                }
                order.push(p);
            }
        }
        let mut rx = Rx::new(Config::new(LOCAL, 90_000));
        for (i, p) in order.iter().enumerate() {
            rx.push(ms(i as u64), &p.bytes);
        }
        expect_frames(&rx, &aus, &[]);
        assert!(rx.dropped.is_empty(), "seed {seed}: {:?}", rx.dropped);
        let s = rx.jb.stats();
        assert_eq!(
            s.packets_duplicated + s.packets_discarded,
            dups,
            "seed {seed}"
        );
        assert_eq!(s.packets_received, order.len() as u64);
        assert!(rx.jb.is_empty());
    }
}

#[test]
fn lost_packets_drop_only_their_frames_after_the_timeout() {
    let mut rng = Rng::new(7);
    let (aus, pkts) = stream(&mut rng, 30, 65_530, 500);
    // Lose a middle packet (never first or last) of two P frames of 3+ packets.
    let mut lose = BTreeSet::new();
    let mut lost_frames = Vec::new();
    for f in 1..30 {
        let idx: Vec<usize> = (0..pkts.len()).filter(|&i| pkts[i].frame == f).collect();
        if idx.len() >= 3 && f % 10 != 0 && lost_frames.len() < 2 {
            lose.insert(idx[1]);
            lost_frames.push(f);
        }
    }
    assert_eq!(lost_frames.len(), 2);
    let mut cfg = Config::new(LOCAL, 90_000);
    cfg.max_nacks = 0;
    let mut rx = Rx::new(cfg);
    let mut t = 0;
    let mut held_seen = false;
    for (i, p) in pkts.iter().enumerate() {
        if lose.contains(&i) {
            continue;
        }
        t = i as u64 * 2;
        rx.push(ms(t), &p.bytes);
        if i > *lose.first().unwrap() && t < 2 * *lose.first().unwrap() as u64 + 190 {
            // Still waiting for the gap: nothing after it released.
            assert!(rx.frames.len() <= lost_frames[0]);
            held_seen = true;
        }
    }
    assert!(held_seen);
    let deadline = rx.jb.poll_timeout().unwrap();
    assert!(deadline <= ms(t + 200));
    rx.drain(ms(t + 1000));
    expect_frames(&rx, &aus, &lost_frames);
    let want: Vec<u32> = lost_frames.iter().map(|f| 3000 * *f as u32).collect();
    assert_eq!(rx.dropped, want);
    let s = rx.jb.stats();
    assert_eq!(s.frames_dropped, 2);
    assert_eq!(s.packets_lost, 2);
    // The delay of packets held behind the gap shows in the stats.
    assert!(s.jitter_buffer_delay >= ms(150));
}

#[test]
fn extended_sequence_numbers_survive_many_wraps() {
    let mut jb = Box::new(JitterBuffer::<64, 8192>::new(Config::new(LOCAL, 90_000)));
    let start = 65_000u16;
    let total = 4 * 65_536 + 1000u64;
    let mut expect = None;
    let mut rng = Rng::new(3);
    let mut i = 0u64;
    while i < total {
        // Swap pairs now and then.
        let n = if rng.below(5) == 0 && i + 2 <= total {
            2
        } else {
            1
        };
        for k in (0..n).rev() {
            let s = start.wrapping_add((i + k) as u16);
            let b = rtp(s, (i + k) as u32 * 10, true, &[0x41, 1, 2, 3]);
            assert_eq!(jb.push(ms(i), &b).unwrap(), Pushed::Stored);
        }
        while let Some(r) = jb.pop(ms(i)) {
            let e = expect.unwrap_or(r.extended_seq);
            assert_eq!(r.extended_seq, e);
            assert_eq!(r.rtp.sequence_number, e as u16);
            expect = Some(e + 1);
        }
        i += n;
    }
    let first = expect.unwrap() - total;
    assert_eq!(first, 65_536 + u64::from(start));
    let b = jb.report_block(ms(i)).unwrap();
    let last = u64::from(start) + total - 1;
    assert_eq!(u64::from(b.highest_sequence), last);
    assert_eq!(b.cumulative_lost, 0);
}

/// Single-NAL frames, one packet each, seq 100.. at 1 ms intervals, minus `lose`.
fn simple_packets(n: u16, lose: &[u16]) -> Vec<(u16, Vec<u8>)> {
    (100..100 + n)
        .filter(|s| !lose.contains(s))
        .map(|s| (s, rtp(s, u32::from(s) * 3000, true, &[0x41, s as u8, 0xaa])))
        .collect()
}

fn nacked(buf: &[u8]) -> Vec<u16> {
    match Repr::parse_bytes(buf).unwrap() {
        Repr::Nack(n) => {
            assert_eq!(n.sender_ssrc, LOCAL);
            assert_eq!(n.media_ssrc, SSRC);
            n.lost().collect()
        }
        other => panic!("not a NACK: {other:?}"),
    }
}

#[test]
fn nacks_wait_repeat_with_spacing_and_stop_at_the_cap() {
    let mut cfg = Config::new(LOCAL, 90_000);
    cfg.max_nacks = 3;
    cfg.max_delay = ms(2000);
    let mut jb = Box::new(Jb::new(cfg));
    for (s, b) in simple_packets(20, &[105, 106, 110]) {
        jb.push(ms(u64::from(s - 100)), &b).unwrap();
    }
    while jb.pop(ms(19)).is_some() {}
    let mut buf = [0u8; 300];
    let mut log: HashMap<u16, Vec<u64>> = HashMap::new();
    for t in 19..1500u64 {
        if t == 400 {
            // 106 arrives (late): never NACKed again.
            jb.push(ms(t), &simple_packets(20, &[])[6].1).unwrap();
        }
        assert!(jb.poll_timeout().is_some());
        while let Some(n) = jb.poll_nack(ms(t), &mut buf) {
            for s in nacked(&buf[..n]) {
                log.entry(s).or_default().push(t);
            }
        }
    }
    // 105/106 revealed at t=7 (arrival of 107), 110 at t=11; first NACK 10 ms later.
    assert_eq!(log[&105], vec![19, 119, 219]);
    assert_eq!(log[&106], vec![19, 119, 219]);
    assert_eq!(log[&110], vec![21, 121, 221]);
    assert_eq!(log.len(), 3);
    assert_eq!(jb.stats().nack_count, 6);

    // Arrived before the repeat: not NACKed again.
    let mut jb = Box::new(Jb::new(Config::new(LOCAL, 90_000)));
    for (s, b) in simple_packets(20, &[105]) {
        jb.push(ms(u64::from(s - 100)), &b).unwrap();
    }
    let n = jb.poll_nack(ms(20), &mut buf).unwrap();
    assert_eq!(nacked(&buf[..n]), vec![105]);
    jb.push(ms(60), &simple_packets(20, &[])[5].1).unwrap();
    for t in 60..1000 {
        assert_eq!(jb.poll_nack(ms(t), &mut buf), None);
    }
    // A buffer too small writes nothing and marks nothing.
    let mut jb = Box::new(Jb::new(Config::new(LOCAL, 90_000)));
    for (s, b) in simple_packets(20, &[105]) {
        jb.push(ms(u64::from(s - 100)), &b).unwrap();
    }
    assert_eq!(jb.poll_nack(ms(20), &mut [0u8; 8]), None);
    assert!(jb.poll_nack(ms(20), &mut buf).is_some());
}

#[test]
fn nack_then_retransmission_completes_the_keyframe() {
    let mut rng = Rng::new(11);
    let (aus, pkts) = stream(&mut rng, 5, 65_534, 800);
    let key: Vec<usize> = (0..pkts.len()).filter(|&i| pkts[i].frame == 0).collect();
    assert!(key.len() >= 4);
    let lost = key[2];
    // The sender keeps what it sent in its retransmission ring.
    let mut ring = Box::new(RetransmissionRing::<65_536, 64>::new());
    let mut rx = Rx::new(Config::new(LOCAL, 90_000));
    for (i, p) in pkts.iter().enumerate() {
        ring.push(p.seq, &p.bytes);
        if i != lost {
            rx.push(ms(i as u64), &p.bytes);
        }
    }
    assert!(rx.frames.is_empty());
    let mut buf = [0u8; 1500];
    let t = ms(pkts.len() as u64 + 20);
    let n = rx.jb.poll_nack(t, &mut buf).unwrap();
    let asked = nacked(&buf[..n]);
    assert_eq!(asked, vec![pkts[lost].seq]);
    // The sender answers from its ring half a round trip later.
    let resent = ring.get(asked[0]).unwrap();
    assert_eq!(resent, &pkts[lost].bytes[..]);
    rx.push(t + ms(50), resent);
    expect_frames(&rx, &aus, &[]);
    assert!(rx.dropped.is_empty());
    rx.drain(t + ms(2000));
    assert_eq!(rx.jb.poll_pli(t + ms(2000), &mut buf), None);
    let s = rx.jb.stats();
    assert_eq!((s.pli_count, s.frames_dropped, s.packets_lost), (0, 0, 0));
    assert_eq!(s.nack_count, 1);
}

#[test]
fn unrecoverable_loss_sends_rate_limited_plis() {
    let mut cfg = Config::new(LOCAL, 90_000);
    cfg.max_nacks = 2;
    let mut rx = Rx::new(cfg);
    let mut buf = [0u8; 1500];
    let mut plis = Vec::new();
    // One-packet frames every 10 ms; one lost every 50 packets; never retransmitted.
    let pkts = simple_packets(400, &[]);
    for (i, (s, b)) in pkts.iter().enumerate() {
        let now = ms(10 * i as u64);
        if s % 50 != 0 {
            rx.push(now, b);
        }
        rx.drain(now);
        while rx.jb.poll_nack(now, &mut buf).is_some() {}
        if let Some(n) = rx.jb.poll_pli(now, &mut buf) {
            match Repr::parse_bytes(&buf[..n]).unwrap() {
                Repr::Pli(p) => assert_eq!((p.sender_ssrc, p.media_ssrc), (LOCAL, SSRC)),
                other => panic!("not a PLI: {other:?}"),
            }
            plis.push(now);
        }
    }
    assert!(!plis.is_empty());
    assert!(plis.windows(2).all(|w| w[1] - w[0] >= ms(300)), "{plis:?}");
    let s = rx.jb.stats();
    assert_eq!(s.pli_count as usize, plis.len());
    // Single-packet frames: a gap drops nothing whole, but the skip itself is loss.
    assert!(s.packets_lost >= 7);
    // Gaps are skipped once both NACKs went unanswered (2 × RTT), before max_delay.
    assert!(rx.released.len() >= pkts.len() - 8 - 2);
}

#[test]
fn keyframe_cancels_a_pending_pli() {
    let mut rx = Rx::new(Config::new(LOCAL, 90_000));
    let mut buf = [0u8; 64];
    rx.push(ms(0), &rtp(1, 0, true, &[0x41, 1]));
    rx.push(ms(1), &rtp(2, 3000, true, &[0x41, 1]));
    assert_eq!(rx.jb.poll_timeout(), Some(ms(10)));
    rx.drain(ms(20));
    assert_eq!(rx.frames.len(), 2);
    assert!(rx.jb.poll_pli(ms(20), &mut buf).is_none());
    rx.jb.request_keyframe();
    assert!(rx.jb.poll_pli(ms(20), &mut buf).is_some());
    rx.jb.request_keyframe();
    assert!(rx.jb.poll_pli(ms(21), &mut buf).is_none());
    assert_eq!(rx.jb.poll_timeout(), Some(ms(320)));
    rx.push(ms(30), &rtp(3, 6000, true, &[0x65, 1]));
    assert!(rx.jb.poll_pli(ms(400), &mut buf).is_none());
}

#[test]
fn receiver_report_matches_hand_computation() {
    let mut jb = Box::new(Jb::new(Config::new(LOCAL, 90_000)));
    // 10 packets 3000 ticks apart (33.3 ms), seq 65534.., arrival offsets in ms.
    let offsets = [0i64, 5, -3, 10, 0, 2, 7, -1, 0, 4];
    let lose = [3usize, 6];
    let mut arrivals = Vec::new();
    for (i, offset) in offsets.iter().enumerate() {
        let nominal = 1_000_000 + i as i64 * 100_000 / 3; // µs
        let at = Duration::from_micros((nominal + offset * 1000) as u64);
        if lose.contains(&i) {
            continue;
        }
        let seq = 65_534u16.wrapping_add(i as u16);
        jb.push(at, &rtp(seq, 7777 + 3000 * i as u32, true, &[0x41, 0]))
            .unwrap();
        arrivals.push((at, 7777 + 3000 * i as u32));
    }
    // RFC 3550 A.8, in floating point: J += (|D| - J) / 16 over arrival (in 90 kHz
    // units, truncated) minus timestamp.
    let mut j = 0f64;
    let mut last: Option<i64> = None;
    for (at, ts) in &arrivals {
        let units = (at.as_nanos() * 90_000 / 1_000_000_000) as i64;
        let transit = units - i64::from(*ts);
        if let Some(l) = last {
            j += ((transit - l).abs() as f64 - j) / 16.0;
        }
        last = Some(transit);
    }
    let sr = SenderReport {
        ssrc: SSRC,
        ntp_time: 0x1234_5678_9abc_def0,
        ..Default::default()
    };
    jb.handle_sender_report(ms(1200), &sr);
    let b = jb.report_block(ms(1700)).unwrap();
    assert_eq!(b.ssrc, SSRC);
    assert_eq!(b.cumulative_lost, 2);
    assert_eq!(b.fraction_lost, (2 * 256 / 10) as u8);
    assert_eq!(b.highest_sequence, (1 << 16) | 7);
    assert!(
        (f64::from(b.jitter) - j).abs() <= 1.0,
        "{} vs {j}",
        b.jitter
    );
    assert_eq!(b.last_sr, 0x5678_9abc);
    assert_eq!(b.delay_since_last_sr, 32_768);
    // Next interval: 5 more, one a duplicate, none lost.
    for i in 10..15u32 {
        let seq = 65_534u16.wrapping_add(i as u16);
        jb.push(ms(1400 + u64::from(i)), &rtp(seq, 3000 * i, true, &[0x41]))
            .unwrap();
    }
    jb.push(
        ms(1500),
        &rtp(65_534u16.wrapping_add(14), 42_000, true, &[0x41]),
    )
    .unwrap();
    let b = jb.report_block(ms(1800)).unwrap();
    assert_eq!((b.fraction_lost, b.cumulative_lost), (0, 1));
    let s = jb.stats();
    assert_eq!(s.packets_lost, 1);
    assert_eq!(s.packets_duplicated + s.packets_discarded, 1);
    // And as an RR on the wire.
    let mut buf = [0u8; 64];
    let n = jb.emit_receiver_report(ms(1800), &mut buf).unwrap();
    match Repr::parse_bytes(&buf[..n]).unwrap() {
        Repr::ReceiverReport(rr) => {
            assert_eq!(rr.ssrc, LOCAL);
            let got = rr.reports.get(0).unwrap();
            assert_eq!(got.highest_sequence, (1 << 16) | 12);
            assert_eq!(got.cumulative_lost, 1);
        }
        other => panic!("{other:?}"),
    }
}

fn feedback(buf: &[u8]) -> Vec<(u16, Option<i64>)> {
    match Repr::parse_bytes(buf).unwrap() {
        Repr::TransportFeedback(f) => {
            assert_eq!(f.sender_ssrc, LOCAL);
            f.arrivals().collect()
        }
        other => panic!("not TWCC: {other:?}"),
    }
}

fn feedback_count(buf: &[u8]) -> u8 {
    match Repr::parse_bytes(buf).unwrap() {
        Repr::TransportFeedback(f) => f.feedback_count,
        _ => unreachable!(),
    }
}

#[test]
fn twcc_feedback_reads_back_out_of_order_and_across_wrap() {
    let mut rng = Rng::new(5);
    let mut rec = TwccRecorder::<256>::new(LOCAL);
    let mut map = ExtensionMap::new();
    map.set(ExtensionKind::TransportCc, 3).unwrap();
    // 65520..=65535, 0..=20, shuffled in windows, 3 lost.
    let seqs: Vec<u16> = (0..37u16).map(|i| 65_520u16.wrapping_add(i)).collect();
    let lost = [65_525u16, 2, 3];
    let mut order: Vec<u16> = seqs.iter().copied().filter(|s| !lost.contains(s)).collect();
    for c in order.chunks_mut(5) {
        for i in (1..c.len()).rev() {
            c.swap(i, rng.below(i + 1));
        }
    }
    let mut truth = HashMap::new();
    let base = Duration::from_secs(3600);
    for (k, s) in order.iter().enumerate() {
        let at = base + Duration::from_micros(k as u64 * 2100 + rng.below(900) as u64);
        let twcc = s.to_be_bytes();
        let mut h = Header::new(96, 7, 0, SSRC);
        h.push_extension(3, &twcc).unwrap();
        let mut buf = [0u8; 64];
        let n = h.emit_packet(&[1, 2], 0, &mut buf).unwrap();
        assert!(rec.record_packet(at, &buf[..n], &map));
        truth.insert(*s, at.as_micros() as i64);
    }
    let last = base + ms(100);
    let due = rec.poll_timeout().unwrap();
    assert!(due <= last + ms(100));
    let mut out = [0u8; 1200];
    assert_eq!(rec.poll_feedback(base, &mut out), None, "not due yet");
    let n = rec.poll_feedback(due, &mut out).unwrap();
    let got = feedback(&out[..n]);
    assert_eq!(feedback_count(&out[..n]), 0);
    assert_eq!(
        got.first().unwrap().0,
        order
            .iter()
            .copied()
            .min_by_key(|s| s.wrapping_sub(65_000))
            .unwrap()
    );
    assert_eq!(got.len(), seqs.len());
    let period = 64_000i64 << 24; // the reference time wraps every 2^24 × 64 ms
    for (s, a) in &got {
        match (truth.get(s), a) {
            (Some(t), Some(a)) => assert!(
                ((t - a).rem_euclid(period)) <= 125 || ((a - t).rem_euclid(period)) <= 125,
                "seq {s}: {t} vs {a}"
            ),
            (None, None) => assert!(lost.contains(s)),
            other => panic!("seq {s}: {other:?}"),
        }
    }
    assert_eq!(rec.poll_feedback(due, &mut out), None);
    // More packets: the next feedback starts after the last reported one, count 1; a
    // packet already reported as lost is ignored.
    rec.record(due + ms(1), 2);
    assert_eq!(rec.ignored(), 1);
    rec.record(due + ms(3), 22);
    rec.record(due + ms(2), 21);
    let n = rec.poll_feedback(due + ms(200), &mut out).unwrap();
    assert_eq!(feedback_count(&out[..n]), 1);
    let got = feedback(&out[..n]);
    assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![21, 22]);
    let (a17, a18) = (got[0].1.unwrap(), got[1].1.unwrap());
    assert_eq!(a18 - a17, 1000);
}

#[test]
fn twcc_window_full_is_due_at_once_and_splits_across_packets() {
    let mut rec = TwccRecorder::<64>::new(LOCAL);
    for i in 0..40u16 {
        rec.record(ms(u64::from(i)), 100 + i);
    }
    assert_eq!(rec.poll_timeout(), Some(Duration::ZERO));
    // A small buffer takes several packets at the same instant.
    let mut out = [0u8; 40];
    let mut seen = Vec::new();
    while let Some(n) = rec.poll_feedback(ms(40), &mut out) {
        seen.extend(feedback(&out[..n]).into_iter().map(|g| g.0));
    }
    assert_eq!(seen, (100..140).collect::<Vec<u16>>());
    assert!(!rec.has_pending());
    assert!(rec.feedback_count() > 1);
    // Never polled: the oldest fall out, memory stays bounded.
    for i in 0..1000u16 {
        rec.record(ms(100 + u64::from(i)), 140 + i);
    }
    assert!(rec.ignored() == 0 && rec.has_pending());
    assert!(rec.poll_feedback(ms(2000), &mut [0u8; 1200]).is_some());
}

#[test]
fn overflow_evicts_the_oldest_and_bounds_memory() {
    let mut jb = Box::new(JitterBuffer::<16, 2048>::new(Config::new(LOCAL, 90_000)));
    // Seq 1 never comes: everything waits; the window and arena overflow.
    for s in 2..200u16 {
        let b = rtp(s, u32::from(s), true, &[0x41; 300]);
        let r = jb.push(ms(u64::from(s)), &b).unwrap();
        assert!(matches!(r, Pushed::Stored), "{r:?}");
        assert!(jb.len() <= 16);
    }
    assert!(jb.stats().packets_discarded > 100);
    let mut got = Vec::new();
    while let Some(r) = jb.pop(ms(200)) {
        assert_eq!(r.rtp.payload, &[0x41; 300]);
        got.push(r.rtp.sequence_number);
    }
    assert!(got.windows(2).all(|w| w[1] == w[0] + 1));
    assert_eq!(*got.last().unwrap(), 199);
    assert_eq!(
        jb.push(ms(300), &rtp(10, 0, true, &[0x41])).unwrap(),
        Pushed::TooLate
    );
    assert_eq!(
        jb.push(ms(300), &rtp(10, 0, true, &[0x41; 3000])).unwrap(),
        Pushed::TooLate
    );
    let big = rtp(200, 0, true, &[0x41; 3000]);
    assert_eq!(jb.push(ms(300), &big).unwrap(), Pushed::TooLarge);
    let mut other = rtp(201, 0, true, &[0x41]);
    other[8] ^= 1;
    assert_eq!(jb.push(ms(300), &other).unwrap(), Pushed::OtherSsrc);
    assert!(jb.push(ms(300), &[0x80, 96]).is_err());
}

#[test]
fn sender_restart_resets_the_sequence() {
    let mut jb = Box::new(Jb::new(Config::new(LOCAL, 90_000)));
    for s in 10..20u16 {
        jb.push(ms(u64::from(s)), &rtp(s, 0, true, &[0x41]))
            .unwrap();
    }
    while jb.pop(ms(20)).is_some() {}
    assert_eq!(
        jb.push(ms(30), &rtp(40_000, 0, true, &[0x41])).unwrap(),
        Pushed::Rejected
    );
    assert_eq!(
        jb.push(ms(31), &rtp(40_001, 0, true, &[0x41])).unwrap(),
        Pushed::Stored
    );
    assert!(jb.pop(ms(31)).is_none(), "reorder wait of a new sequence");
    let r = jb.pop(ms(41)).unwrap();
    assert_eq!(r.rtp.sequence_number, 40_001);
}
