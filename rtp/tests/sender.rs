//! The RTP sender: packets byte by byte and through the `Packet` view (sequence and
//! timestamp wrap-around, marker, negotiated extensions, a shared transport-wide
//! counter), the retransmission ring's eviction and lookup, NACK answers (plain and RTX,
//! duplicates, unknown numbers, the byte budget), PLI/FIR, sender reports and the round
//! trip from a receiver report computed by hand.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::time::Duration;

use rtcam_rtp::codec::vp8::Vp8Payloader;
use rtcam_rtp::rtcp::{
    self, Compound, Fir, FirEntry, List, Nack, NackPair, Pli, ReportBlock, Repr,
};
use rtcam_rtp::sender::{
    Error, RetransmissionRing, RtxConfig, Sender, SenderConfig, Sent, TransportSequencer, Whole,
    ntp_from_unix, ring_bytes, ring_slots,
};
use rtcam_rtp::{ExtensionKind, ExtensionMap, ExtensionValue, Header, Packet};

const SSRC: u32 = 0x1122_3344;
const PT: u8 = 96;
const MID_ID: u8 = 1;
const ABS_ID: u8 = 2;
const TWCC_ID: u8 = 3;

type Small = Sender<16_384, 32>;

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn extensions() -> ExtensionMap {
    let mut map = ExtensionMap::new();
    map.set(ExtensionKind::Mid, MID_ID).unwrap();
    map.set(ExtensionKind::AbsSendTime, ABS_ID).unwrap();
    map.set(ExtensionKind::TransportCc, TWCC_ID).unwrap();
    map
}

fn config(seq: u16) -> SenderConfig<'static> {
    SenderConfig {
        extensions: extensions(),
        mid: "0",
        ..SenderConfig::new(SSRC, PT, 90_000, seq)
    }
}

fn rtx_config(seq: u16) -> SenderConfig<'static> {
    SenderConfig {
        rtx: Some(RtxConfig {
            ssrc: 0x5566_7788,
            payload_type: 97,
            initial_sequence: 1000,
        }),
        ..config(seq)
    }
}

/// Sends `frame` through VP8 packetization with `max_payload`; returns the packets.
fn send_vp8<const B: usize, const S: usize>(
    sender: &mut Sender<B, S>,
    twcc: &mut TransportSequencer,
    now: Duration,
    ts: u32,
    frame: &[u8],
    max_payload: usize,
) -> Vec<(Sent, Vec<u8>)> {
    let mut payloader = Vp8Payloader::new(max_payload);
    let mut packets = Vec::new();
    let mut buf = [0u8; 1500];
    let keyframe = rtcam_rtp::codec::vp8::is_keyframe(frame);
    let mut f = sender.frame(now, ts, keyframe, payloader.frame(frame).unwrap(), twcc);
    while let Some(sent) = f.next_into(&mut buf).unwrap() {
        packets.push((sent, buf[..sent.len].to_vec()));
    }
    packets
}

fn nack(media: u32, lost: &[u16]) -> Vec<NackPair> {
    let mut pairs = vec![NackPair::default(); lost.len()];
    let n = NackPair::pack(lost, &mut pairs).unwrap();
    pairs.truncate(n);
    let _ = media;
    pairs
}

fn handle_nack<const B: usize, const S: usize>(
    sender: &mut Sender<B, S>,
    now: Duration,
    lost: &[u16],
) -> usize {
    let pairs = nack(SSRC, lost);
    sender.handle_nack(
        now,
        &Nack {
            sender_ssrc: 9,
            media_ssrc: SSRC,
            pairs: List::from_values(&pairs),
        },
    )
}

fn drain<const B: usize, const S: usize>(
    sender: &mut Sender<B, S>,
    twcc: &mut TransportSequencer,
    now: Duration,
) -> Vec<(Sent, Vec<u8>)> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1500];
    while let Some(sent) = sender.poll_retransmit(now, twcc, &mut buf).unwrap() {
        out.push((sent, buf[..sent.len].to_vec()));
    }
    out
}

#[test]
fn packet_is_byte_exact_without_extensions() {
    let mut sender: Small = Sender::new(&SenderConfig::new(SSRC, PT, 90_000, 0xfffe)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    let mut buf = [0u8; 64];
    let mut f = sender.frame(
        ms(0),
        0xffff_ff00,
        false,
        Whole::new(b"abc", true),
        &mut twcc,
    );
    let sent = f.next_into(&mut buf).unwrap().unwrap();
    assert_eq!(f.next_into(&mut buf).unwrap(), None);
    assert_eq!(
        &buf[..sent.len],
        &[
            0x80, 0xe0, 0xff, 0xfe, // V=2, M=1, PT=96, seq 65534
            0xff, 0xff, 0xff, 0x00, // timestamp
            0x11, 0x22, 0x33, 0x44, // SSRC
            b'a', b'b', b'c',
        ]
    );
    assert_eq!(sent.transport_sequence, None);
    assert_eq!(twcc.peek(), 0, "no TWCC negotiated, no number drawn");
    assert_eq!(sender.header_len(), 12);
}

#[test]
fn sequence_and_timestamp_wrap_marker_on_last() {
    let mut sender: Small = Sender::new(&config(65530)).unwrap();
    let mut twcc = TransportSequencer::new(0xfffe);
    let frame: Vec<u8> = (0..250u8).collect();
    let mut seqs = Vec::new();
    for (i, ts) in [0xffff_ff00u32, 0xffff_ff00u32.wrapping_add(3000)]
        .into_iter()
        .enumerate()
    {
        let packets = send_vp8(&mut sender, &mut twcc, ms(33 * i as u64), ts, &frame, 104);
        assert_eq!(packets.len(), 3, "250 bytes at 100 per payload");
        for (k, (sent, bytes)) in packets.iter().enumerate() {
            let p = Packet::new_checked(&bytes[..]).unwrap();
            assert_eq!(p.timestamp(), ts);
            assert_eq!(p.ssrc(), SSRC);
            assert_eq!(p.payload_type(), PT);
            assert_eq!(p.marker(), k == 2);
            assert_eq!(sent.marker, k == 2);
            assert_eq!(p.sequence_number(), sent.sequence_number);
            assert_eq!(p.header_len(), sender.header_len());
            seqs.push((p.sequence_number(), sent.transport_sequence.unwrap()));
        }
    }
    assert_eq!(
        seqs.iter().map(|s| s.0).collect::<Vec<_>>(),
        [65530, 65531, 65532, 65533, 65534, 65535]
    );
    assert_eq!(
        seqs.iter().map(|s| s.1).collect::<Vec<_>>(),
        [0xfffe, 0xffff, 0, 1, 2, 3]
    );
    // And across the sequence number wrap.
    let packets = send_vp8(&mut sender, &mut twcc, ms(66), 2744, &frame, 104);
    let got: Vec<u16> = packets.iter().map(|(s, _)| s.sequence_number).collect();
    assert_eq!(got, [0, 1, 2]);
    assert_eq!(
        Packet::new_checked(&packets[0].1[..]).unwrap().timestamp(),
        2744
    );
}

#[test]
fn negotiated_extensions_are_written() {
    let mut sender: Small = Sender::new(&config(7)).unwrap();
    let mut twcc = TransportSequencer::new(513);
    let packets = send_vp8(&mut sender, &mut twcc, ms(1500), 1, &[0x10, 1, 2, 3], 1100);
    let bytes = &packets[0].1;
    let (header, payload) = Header::parse_packet(bytes).unwrap();
    let map = extensions();
    assert_eq!(
        header.extension_value(&map, ExtensionKind::Mid),
        Some(Ok(ExtensionValue::Mid("0")))
    );
    assert_eq!(
        header.extension_value(&map, ExtensionKind::TransportCc),
        Some(Ok(ExtensionValue::TransportCc(513)))
    );
    // 1.5 s in 6.18 fixed point.
    let abs = header.extension_data(ABS_ID).unwrap();
    assert_eq!(abs, &[0x06, 0x00, 0x00]);
    // One-byte form: mid (2) + abs (4) + twcc (3) = 9, padded to 12, + 4-byte word.
    assert_eq!(sender.header_len(), 12 + 16);
    assert_eq!(&bytes[12..16], &[0xbe, 0xde, 0x00, 0x03]);
    assert_eq!(&payload[4..], &[0x10, 1, 2, 3]);
    assert_eq!(sender.max_payload(1200, 10), 1200 - 28 - 28 - 10);
}

#[test]
fn two_senders_share_the_transport_sequencer() {
    let mut video: Small = Sender::new(&config(100)).unwrap();
    let audio_cfg = SenderConfig {
        extensions: extensions(),
        mid: "1",
        ..SenderConfig::new(0xaaaa, 111, 48_000, 5000)
    };
    let mut audio: Small = Sender::new(&audio_cfg).unwrap();
    let mut twcc = TransportSequencer::new(40);
    let mut buf = [0u8; 1500];
    let mut got = Vec::new();
    for i in 0..3 {
        let v = send_vp8(&mut video, &mut twcc, ms(i), 0, &[0x10; 150], 104);
        got.extend(v.iter().map(|(s, _)| s.transport_sequence.unwrap()));
        let mut f = audio.frame(
            ms(i),
            960 * i as u32,
            false,
            Whole::new(&[0xfc; 40], false),
            &mut twcc,
        );
        while let Some(s) = f.next_into(&mut buf).unwrap() {
            let (h, _) = Header::parse_packet(&buf[..s.len]).unwrap();
            assert_eq!(h.extension_data(MID_ID), Some(&b"1"[..]));
            got.push(s.transport_sequence.unwrap());
        }
    }
    assert_eq!(got, (40..49).collect::<Vec<u16>>());
}

#[test]
fn ring_evicts_by_bytes_and_slots() {
    // By bytes: 100 bytes hold two 40-byte packets, not three.
    let mut ring: RetransmissionRing<100, 8> = RetransmissionRing::new();
    for seq in 0..3u16 {
        ring.push(seq, &[seq as u8; 40]);
    }
    assert_eq!(ring.get(0), None);
    assert_eq!(ring.get(1), Some(&[1u8; 40][..]));
    assert_eq!(ring.get(2), Some(&[2u8; 40][..]));
    assert_eq!(ring.range(), Some((1, 2)));
    // By slots: 4 slots keep the last 4 small packets.
    let mut ring: RetransmissionRing<1000, 4> = RetransmissionRing::new();
    for seq in 10..20u16 {
        ring.push(seq, &[seq as u8; 10]);
    }
    assert_eq!(ring.len(), 4);
    assert_eq!(ring.get(15), None, "too old");
    for seq in 16..20u16 {
        assert_eq!(ring.get(seq), Some(&[seq as u8; 10][..]));
    }
    assert_eq!(ring.get(20), None, "not sent yet");
    // Many laps of the byte arena with varying sizes: always the newest ones held.
    let mut ring: RetransmissionRing<500, 16> = RetransmissionRing::new();
    for i in 0..1000u32 {
        let seq = (i as u16).wrapping_add(65000);
        let len = 20 + (i * 37 % 90) as usize;
        ring.push(seq, &vec![i as u8; len]);
        let got = ring.get(seq).unwrap();
        assert_eq!(got.len(), len);
        assert!(got.iter().all(|&b| b == i as u8));
        let held: usize = (0..ring.len())
            .filter_map(|b| ring.get(seq.wrapping_sub(b as u16)))
            .map(<[u8]>::len)
            .sum();
        assert!(held <= 500);
        // What it holds is intact.
        for back in 0..ring.len() as u32 {
            if let Some(p) = ring.get(seq.wrapping_sub(back as u16)) {
                assert!(p.iter().all(|&b| b == (i - back) as u8));
            }
        }
    }
    // A packet larger than the arena is not kept, but the run goes on.
    ring.push(65000u16.wrapping_add(1000), &[0; 600]);
    assert_eq!(ring.get(65000u16.wrapping_add(1000)), None);
    ring.push(65000u16.wrapping_add(1001), &[7; 30]);
    assert_eq!(ring.get(65000u16.wrapping_add(1001)), Some(&[7u8; 30][..]));
}

#[test]
fn ring_lookup_across_wrap_and_gap_restarts() {
    let mut ring: RetransmissionRing<4096, 16> = RetransmissionRing::new();
    for seq in [65533u16, 65534, 65535, 0, 1, 2] {
        ring.push(seq, &seq.to_be_bytes());
    }
    for seq in [65533u16, 65534, 65535, 0, 1, 2] {
        assert_eq!(ring.get(seq), Some(&seq.to_be_bytes()[..]));
    }
    assert_eq!(ring.get(65532), None);
    assert_eq!(ring.get(3), None);
    assert_eq!(ring.get(30000), None);
    ring.push(10, b"x");
    assert_eq!(ring.len(), 1, "a gap starts afresh");
    assert_eq!(ring.get(2), None);
}

#[test]
fn keyframe_fits_ring_sized_with_helpers() {
    const MAX_FRAME: usize = 20_000;
    const PAYLOAD: usize = 1100;
    const SLOTS: usize = ring_slots(MAX_FRAME, PAYLOAD);
    const BYTES: usize = ring_bytes(SLOTS, PAYLOAD + 28);
    assert_eq!(SLOTS, 20);
    let mut sender: Box<Sender<BYTES, SLOTS>> = Box::new(Sender::new(&config(60_000)).unwrap());
    let mut twcc = TransportSequencer::new(0);
    // A few delta frames first so the ring has wrapped.
    for i in 0..7 {
        send_vp8(&mut sender, &mut twcc, ms(i), 0, &[1; 3000], PAYLOAD);
    }
    let key = vec![0x10; MAX_FRAME];
    let packets = send_vp8(&mut sender, &mut twcc, ms(8), 0, &key, PAYLOAD);
    assert_eq!(packets.len(), 19);
    for (sent, bytes) in &packets {
        assert_eq!(sender.ring().get(sent.sequence_number), Some(&bytes[..]));
    }
}

#[test]
fn nack_plain_resend() {
    let mut sender: Small = Sender::new(&config(65534)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    let packets = send_vp8(&mut sender, &mut twcc, ms(0), 77, &[0x10; 300], 104);
    assert_eq!(packets.len(), 3);
    assert_eq!(handle_nack(&mut sender, ms(20), &[65535, 0]), 2);
    let resent = drain(&mut sender, &mut twcc, ms(20));
    assert_eq!(resent.len(), 2);
    for ((sent, bytes), original) in resent.iter().zip(&packets[1..]) {
        let (h, payload) = Header::parse_packet(bytes).unwrap();
        let (oh, opayload) = Header::parse_packet(&original.1).unwrap();
        assert!(sent.retransmission);
        assert_eq!(h.ssrc, SSRC);
        assert_eq!(h.payload_type, PT);
        assert_eq!(h.sequence_number, oh.sequence_number);
        assert_eq!(h.timestamp, 77);
        assert_eq!(h.marker, oh.marker);
        assert_eq!(payload, opayload);
        // A new transport-wide number, the same mid.
        assert_eq!(h.extension_data(MID_ID), Some(&b"0"[..]));
        assert_eq!(
            h.extension_data(TWCC_ID),
            Some(&sent.transport_sequence.unwrap().to_be_bytes()[..])
        );
        assert_eq!(bytes.len(), original.1.len());
    }
    assert_eq!(
        resent
            .iter()
            .map(|r| r.0.transport_sequence.unwrap())
            .collect::<Vec<_>>(),
        [3, 4]
    );
    let stats = sender.stats(ms(20));
    assert_eq!(stats.nack_count, 1);
    assert_eq!(stats.retransmitted_packets_sent, 2);
    assert_eq!(stats.retransmitted_bytes_sent, 2 * 104);
    assert_eq!(stats.packets_sent, 5);
}

#[test]
fn nack_rtx_resend() {
    let mut sender: Small = Sender::new(&rtx_config(65535)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    let packets = send_vp8(&mut sender, &mut twcc, ms(0), 5, &[0x10; 300], 104);
    assert_eq!(handle_nack(&mut sender, ms(30), &[65535, 1]), 2);
    let resent = drain(&mut sender, &mut twcc, ms(30));
    assert_eq!(resent.len(), 2);
    for (i, ((sent, bytes), original)) in resent.iter().zip([&packets[0], &packets[2]]).enumerate()
    {
        let (h, payload) = Header::parse_packet(bytes).unwrap();
        let (oh, opayload) = Header::parse_packet(&original.1).unwrap();
        assert_eq!(h.ssrc, 0x5566_7788);
        assert_eq!(h.payload_type, 97);
        assert_eq!(h.sequence_number, 1000 + i as u16);
        assert_eq!(sent.sequence_number, h.sequence_number);
        assert_eq!(h.timestamp, 5);
        assert_eq!(h.marker, oh.marker);
        assert_eq!(&payload[..2], &oh.sequence_number.to_be_bytes());
        assert_eq!(&payload[2..], opayload);
        assert_eq!(bytes.len(), original.1.len() + 2);
    }
}

#[test]
fn unknown_and_duplicate_nacks() {
    let mut sender: Small = Sender::new(&config(100)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    send_vp8(&mut sender, &mut twcc, ms(0), 0, &[0x10; 300], 104); // 100..=102
    // 99 was never sent, 103 not yet: both ignored and counted.
    assert_eq!(handle_nack(&mut sender, ms(5), &[99, 100, 103]), 1);
    assert_eq!(sender.stats(ms(5)).nack_unknown, 2);
    // The same number again within 10 ms (no RTT known yet): not queued twice.
    assert_eq!(handle_nack(&mut sender, ms(9), &[100]), 0);
    assert_eq!(drain(&mut sender, &mut twcc, ms(9)).len(), 1);
    assert_eq!(handle_nack(&mut sender, ms(14), &[100]), 0);
    assert_eq!(sender.stats(ms(14)).nack_suppressed, 2);
    // After the interval it is resent again.
    assert_eq!(handle_nack(&mut sender, ms(15), &[100]), 1);
    assert_eq!(drain(&mut sender, &mut twcc, ms(15)).len(), 1);
    // A NACK for another SSRC is not ours.
    let pairs = nack(1, &[101]);
    let other = Nack {
        sender_ssrc: 9,
        media_ssrc: 1,
        pairs: List::from_values(&pairs),
    };
    assert_eq!(sender.handle_nack(ms(20), &other), 0);
    assert_eq!(sender.stats(ms(20)).nack_count, 4);
}

#[test]
fn byte_budget_caps_a_nack_storm() {
    let cfg = SenderConfig {
        retransmit_bytes_per_sec: 10_000,
        retransmit_burst_bytes: 1_000,
        ..config(0)
    };
    let mut sender: Small = Sender::new(&cfg).unwrap();
    let mut twcc = TransportSequencer::new(0);
    let packets = send_vp8(&mut sender, &mut twcc, ms(0), 0, &[0x10; 3000], 104);
    let len = packets[0].1.len(); // 132 bytes
    assert_eq!(len, 132);
    let all: Vec<u16> = packets.iter().map(|p| p.0.sequence_number).collect();
    let mut sent_bytes = 0;
    for t in 0..20u64 {
        // A NACK for everything every 11 ms.
        let now = ms(11 * t);
        handle_nack(&mut sender, now, &all);
        sent_bytes += drain(&mut sender, &mut twcc, now)
            .iter()
            .map(|r| r.1.len())
            .sum::<usize>();
        let allowed = 1_000 + 10_000 * 11 * t as usize / 1000;
        assert!(sent_bytes <= allowed, "{sent_bytes} > {allowed} at {t}");
    }
    // The burst went out at once (7 packets), then the rate: about 2 kB over 209 ms.
    assert!(sent_bytes >= 2_500, "{sent_bytes}");
    assert!(sender.stats(ms(220)).retransmits_dropped > 100);
}

#[test]
fn keyframe_requests_from_pli_and_fir() {
    let mut sender: Small = Sender::new(&config(0)).unwrap();
    assert!(!sender.take_keyframe_request());
    assert!(!sender.handle_pli(&Pli {
        sender_ssrc: 1,
        media_ssrc: 2
    }));
    assert!(sender.handle_pli(&Pli {
        sender_ssrc: 1,
        media_ssrc: SSRC
    }));
    assert!(sender.take_keyframe_request());
    assert!(!sender.take_keyframe_request(), "cleared once taken");
    let entries = [
        FirEntry {
            ssrc: 5,
            sequence: 0,
        },
        FirEntry {
            ssrc: SSRC,
            sequence: 7,
        },
    ];
    let fir = Fir {
        sender_ssrc: 1,
        media_ssrc: 0,
        entries: List::from_values(&entries),
    };
    assert!(sender.handle_fir(&fir));
    assert!(
        !sender.handle_fir(&fir),
        "same command sequence number: a repeat"
    );
    let entries = [FirEntry {
        ssrc: SSRC,
        sequence: 8,
    }];
    let next = Fir {
        entries: List::from_values(&entries),
        ..fir
    };
    sender.handle_rtcp(ms(0), &Repr::Fir(next));
    assert!(sender.take_keyframe_request());
    let stats = sender.stats(ms(0));
    assert_eq!((stats.pli_count, stats.fir_count), (1, 3));
}

#[test]
fn sender_report_counts_and_clock_mapping() {
    let mut sender: Small = Sender::new(&config(0)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    let mut buf = [0u8; 256];
    assert_eq!(
        sender.write_sender_report(ms(0), 0, b"cam", &[], &mut buf),
        Err(Error::NothingSent)
    );
    send_vp8(
        &mut sender,
        &mut twcc,
        ms(1000),
        0xffff_0000,
        &[0x10; 250],
        104,
    );
    send_vp8(
        &mut sender,
        &mut twcc,
        ms(1033),
        0xffff_0000 + 2970,
        &[0x10; 50],
        104,
    );
    // 1.5 s after the Unix epoch.
    let ntp = ntp_from_unix(ms(1500));
    assert_eq!(ntp, ((2_208_988_800u64 + 1) << 32) | 0x8000_0000);
    let block = ReportBlock {
        ssrc: 0xbeef,
        fraction_lost: 3,
        ..ReportBlock::default()
    };
    let n = sender
        .write_sender_report(ms(1533), ntp, b"cam", &[block], &mut buf)
        .unwrap();
    let compound = Compound::new_checked(&buf[..n]).unwrap();
    let reprs: Vec<Repr<'_>> = compound.reprs().map(Result::unwrap).collect();
    let Repr::SenderReport(sr) = reprs[0] else {
        panic!("{:?}", reprs[0]);
    };
    assert_eq!(sr.ssrc, SSRC);
    assert_eq!(sr.ntp_time, ntp);
    // 500 ms after the second frame at 90 kHz: 45 000 ticks (wrapping).
    assert_eq!(sr.rtp_time, (0xffff_0000u32 + 2970).wrapping_add(45_000));
    assert_eq!(sr.packet_count, 4);
    assert_eq!(sr.octet_count, 250 + 3 * 4 + 50 + 4);
    assert_eq!(sr.reports.iter().collect::<Vec<_>>(), [block]);
    let Repr::Sdes(sdes) = reprs[1] else {
        panic!("{:?}", reprs[1]);
    };
    let chunk = sdes.chunks.iter().next().unwrap();
    assert_eq!((chunk.ssrc, chunk.cname()), (SSRC, Some(&b"cam"[..])));
    // The mapping also runs backwards from the last frame.
    assert_eq!(sender.rtp_time(ms(1022)), Some(0xffff_0000 + 2970 - 990));
    // Retransmissions on the media SSRC count; stats see payload and header bytes.
    let stats = sender.stats(ms(1533));
    assert_eq!(stats.packets_sent, 4);
    assert_eq!(stats.bytes_sent, 316);
    assert_eq!(stats.header_bytes_sent, 4 * 28);
    let _ = rtcp::sdes_type::CNAME;
}

#[test]
fn round_trip_time_from_receiver_report() {
    let mut sender: Small = Sender::new(&config(0)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    send_vp8(&mut sender, &mut twcc, ms(900), 0, &[0x10; 10], 104);
    // SR at monotonic 1 s, wall clock NTP 0x0001_2345_6789_0000: LSR = 0x2345_6789.
    let ntp = 0x0001_2345_6789_0000u64;
    sender.sender_report(ms(1000), ntp).unwrap();
    // The RR arrives 500 ms later; the receiver held the SR 0.2 s: DLSR = 13107/65536 s.
    let block = ReportBlock {
        ssrc: SSRC,
        fraction_lost: 64,
        cumulative_lost: -2,
        highest_sequence: 1,
        jitter: 900, // 10 ms at 90 kHz
        last_sr: 0x2345_6789,
        delay_since_last_sr: 13107,
    };
    let blocks = [block];
    let rr = Repr::ReceiverReport(rtcp::ReceiverReport {
        ssrc: 9,
        reports: List::from_values(&blocks),
        extension: &[],
    });
    sender.handle_rtcp(ms(1500), &rr);
    // 13107 / 65536 s = 199 996 µs (rounded down): RTT = 500 000 - 199 996 µs.
    let remote = sender.remote_inbound_stats();
    assert_eq!(remote.round_trip_time, Some(Duration::from_micros(300_004)));
    assert_eq!(remote.smoothed_round_trip_time, remote.round_trip_time);
    assert_eq!(remote.fraction_lost, 64);
    assert_eq!(remote.packets_lost, -2);
    assert_eq!(remote.jitter, ms(10));
    assert_eq!(remote.reports_received, 1);
    // A second report 100 ms after a second SR: RTT 100 ms, smoothed 7/8 + 1/8.
    sender
        .sender_report(ms(2000), 0x0001_3000_0000_0000)
        .unwrap();
    let second = ReportBlock {
        last_sr: 0x3000_0000,
        delay_since_last_sr: 0,
        ..block
    };
    assert!(sender.handle_report_block(ms(2100), &second));
    let remote = sender.remote_inbound_stats();
    assert_eq!(remote.round_trip_time, Some(ms(100)));
    assert_eq!(
        remote.smoothed_round_trip_time,
        Some((Duration::from_micros(300_004) * 7 + ms(100)) / 8)
    );
    assert_eq!(remote.round_trip_time_measurements, 2);
    // An LSR we never sent gives no measurement; another SSRC's block is not ours.
    let unknown = ReportBlock {
        last_sr: 0x1234,
        ..block
    };
    assert!(sender.handle_report_block(ms(2200), &unknown));
    assert!(!sender.handle_report_block(ms(2200), &ReportBlock { ssrc: 1, ..block }));
    let remote = sender.remote_inbound_stats();
    assert_eq!(remote.round_trip_time_measurements, 2);
    assert_eq!(remote.reports_received, 3);
}

#[test]
fn frame_statistics() {
    let mut sender: Small = Sender::new(&config(0)).unwrap();
    let mut twcc = TransportSequencer::new(0);
    // 30 frames per second for 2 s: 1000-byte frames, a 3000-byte key frame every second.
    for i in 0..60u64 {
        let key = i % 30 == 0;
        let frame = if key {
            vec![0x10; 3000]
        } else {
            vec![0x11; 1000]
        };
        send_vp8(
            &mut sender,
            &mut twcc,
            Duration::from_micros(i * 33_333),
            0,
            &frame,
            1100,
        );
    }
    let now = Duration::from_micros(59 * 33_333);
    let stats = sender.stats(now);
    assert_eq!(stats.frames_encoded, 60);
    assert_eq!(stats.frames_sent, 60);
    assert_eq!(stats.key_frames_encoded, 2);
    // The first key frame had no average to compare with; the second is ≥ 2.5× it.
    assert_eq!(stats.huge_frames_sent, 1);
    assert!(
        (29..=31).contains(&stats.frames_per_second),
        "{}",
        stats.frames_per_second
    );
    assert_eq!(sender.stats(now + ms(2000)).frames_per_second, 0);
}
