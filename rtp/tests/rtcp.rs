//! RTCP (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506, REMB, transport-wide CC): packets
//! built byte by byte from the specifications' figures, compound parsing, byte-exact
//! round trips, TWCC chunk encodings, NACK packing and malformed lengths.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_rtp::Error;
use rtcam_rtp::rtcp::{
    App, Bye, Compound, CompoundIter, Fir, FirEntry, List, Nack, NackPair, Packet, Pli,
    ReceiverReport, Remb, ReportBlock, Repr, Sdes, SdesChunk, SdesItem, SdesItems, SenderReport,
    TransportFeedback, TwccStatuses, emit_compound, is_rtcp, sdes_type,
};

/// SR (RFC 3550 §6.4.1) with one report block, then SDES (§6.5) with a CNAME: what every
/// WebRTC sender sends once a second or so.
const SR_SDES: &[u8] = &[
    // SR header: V=2, P=0, RC=1; PT=200; length 12 words (52 bytes).
    0x81, 0xc8, 0x00, 0x0c, //
    0x90, 0x2f, 0x9e, 0x2e, // SSRC of sender
    0xda, 0x8b, 0xd1, 0xfc, // NTP timestamp, most significant word
    0xdd, 0x11, 0xe8, 0xe9, // NTP timestamp, least significant word
    0x00, 0x00, 0x27, 0x10, // RTP timestamp 10000
    0x00, 0x00, 0x00, 0x64, // sender's packet count 100
    0x00, 0x00, 0xfa, 0x00, // sender's octet count 64000
    0xbc, 0x5e, 0x9a, 0x40, // report block: SSRC_1
    0x10, 0xff, 0xff, 0xfe, // fraction lost 16/256, cumulative lost -2
    0x00, 0x01, 0x00, 0x10, // extended highest sequence number (1 cycle, seq 16)
    0x00, 0x00, 0x00, 0x05, // interarrival jitter
    0xd1, 0xfc, 0xdd, 0x11, // LSR
    0x00, 0x01, 0x00, 0x00, // DLSR (1 s)
    // SDES header: V=2, P=0, SC=1; PT=202; length 6 words (28 bytes).
    0x81, 0xca, 0x00, 0x06, //
    0x90, 0x2f, 0x9e, 0x2e, // chunk 1: SSRC
    0x01, 0x10, // CNAME, 16 bytes
    b'4', b'T', b'X', b'v', b'k', b'w', b'Q', b'J', //
    b'9', b'X', b'S', b'L', b'V', b'Q', b'7', b'T', //
    0x00, 0x00, // END, then padding to the 32-bit boundary
];

/// RR, then a generic NACK, a PLI and a REMB: a receiver's feedback in one compound.
const RR_NACK_PLI_REMB: &[u8] = &[
    // RR header: RC=1, PT=201, length 7 words.
    0x81, 0xc9, 0x00, 0x07, //
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // report block about SSRC 2
    0x00, 0x00, 0x00, 0x00, // nothing lost
    0x00, 0x00, 0x03, 0xe8, // highest seq 1000
    0x00, 0x00, 0x00, 0x20, // jitter 32
    0x00, 0x00, 0x00, 0x00, // LSR (no SR yet)
    0x00, 0x00, 0x00, 0x00, // DLSR
    // Generic NACK (RFC 4585 §6.2.1): FMT=1, PT=205, length 3 words.
    0x81, 0xcd, 0x00, 0x03, //
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // SSRC of media source
    0x03, 0xe8, 0x00, 0x05, // PID 1000, BLP 0b101: 1000, 1001, 1003 lost
    // PLI (RFC 4585 §6.3.1): FMT=1, PT=206, length 2 words, no FCI.
    0x81, 0xce, 0x00, 0x02, //
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // SSRC of media source
    // REMB: FMT=15 (AFB), PT=206, length 5 words.
    0x8f, 0xce, 0x00, 0x05, //
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00, // SSRC of media source (unused, 0)
    b'R', b'E', b'M', b'B', // unique identifier
    0x01, 0x0b, 0xd0, 0x90, // 1 SSRC; exp 2, mantissa 250000: 1 000 000 bit/s
    0x00, 0x00, 0x00, 0x02, // SSRC feedback
];

/// BYE (RFC 3550 §6.6) with a reason, 3 bytes of padding after it.
const BYE: &[u8] = &[
    0x81, 0xcb, 0x00, 0x04, // SC=1, PT=203, length 4 words
    0x12, 0x34, 0x56, 0x78, // SSRC
    0x08, b's', b'h', b'u', b't', b'd', b'o', b'w', b'n', 0x00, 0x00, 0x00, // reason
];

/// APP (RFC 3550 §6.7): subtype 2, name "RTCM", 4 bytes of data.
const APP: &[u8] = &[
    0x82, 0xcc, 0x00, 0x03, // subtype 2, PT=204, length 3 words
    0x12, 0x34, 0x56, 0x78, // SSRC
    b'R', b'T', b'C', b'M', // name
    0xca, 0xfe, 0xba, 0xbe, // data
];

/// FIR (RFC 5104 §4.3.1): FMT=4, PT=206, one entry.
const FIR: &[u8] = &[
    0x84, 0xce, 0x00, 0x04, // FMT=4, PT=206, length 4 words
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x00, // SSRC of media source (unused)
    0x00, 0x00, 0x00, 0x02, // FCI: SSRC to send a key frame
    0x07, 0x00, 0x00, 0x00, // command sequence number 7, reserved
];

/// TWCC feedback with one run-length chunk of small deltas, the sequence numbers wrapping
/// past 65535, and two bytes of padding (P bit).
const TWCC_RUN: &[u8] = &[
    0xaf, 0xcd, 0x00, 0x06, // V=2, P=1, FMT=15; PT=205; length 6 words
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // SSRC of media source
    0xff, 0xfe, 0x00, 0x04, // base sequence 65534, status count 4
    0x00, 0x01, 0x02, 0x05, // reference time 258 (x 64 ms), feedback count 5
    0x20, 0x04, // run-length chunk: symbol 01 (small delta), run 4
    0x04, 0x00, 0x01, 0xff, // receive deltas: 1 ms, 0, 0.25 ms, 63.75 ms
    0x00, 0x02, // padding, count 2
];

/// TWCC feedback with a 1-bit status vector (14 statuses) then a 2-bit status vector (3
/// used of 7) carrying a negative (large) delta.
const TWCC_VECTORS: &[u8] = &[
    0xaf, 0xcd, 0x00, 0x07, // V=2, P=1, FMT=15; PT=205; length 7 words
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // SSRC of media source
    0x00, 0x64, 0x00, 0x11, // base sequence 100, status count 17
    0x00, 0x00, 0x00, 0x00, // reference time 0, feedback count 0
    0xac, 0x00, // 1-bit vector: R L R R L L L L L L L L L L (seq 100..113)
    0xe1, 0x00, // 2-bit vector: large, lost, small, (unused x4) (seq 114..116)
    0x01, 0x02, 0x00, // small deltas for 100, 102, 103
    0xff, 0xfc, // large delta for 114: -4 (-1 ms)
    0x0a, // small delta for 116
    0x00, 0x02, // padding
];

/// TWCC feedback with a run of large deltas (2 bytes each), no padding needed.
const TWCC_LARGE: &[u8] = &[
    0x8f, 0xcd, 0x00, 0x07, // P=0, FMT=15; PT=205; length 7 words
    0x00, 0x00, 0x00, 0x01, // SSRC of packet sender
    0x00, 0x00, 0x00, 0x02, // SSRC of media source
    0xff, 0xfd, 0x00, 0x04, // base sequence 65533, status count 4
    0xff, 0xff, 0xff, 0xff, // reference time 0xffffff, feedback count 255
    0x40, 0x04, // run-length chunk: symbol 10 (large delta), run 4
    0x01, 0x00, 0xff, 0x00, 0x7f, 0xff, 0x80, 0x00, // 256, -256, 32767, -32768
    0x00, 0x00, // no padding (P=0), 2 zero bytes to the 32-bit boundary
];

fn emit(repr: &Repr<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; repr.buffer_len()];
    let n = repr.emit(&mut buf).unwrap();
    assert_eq!(n, buf.len());
    // Every shorter buffer fails cleanly with the size that would do.
    for short in 0..n {
        assert_eq!(
            repr.emit(&mut buf.clone()[..short]),
            Err(Error::BufferTooSmall { needed: n })
        );
    }
    buf
}

fn parse_one(bytes: &[u8]) -> Repr<'_> {
    Repr::parse_bytes(bytes).unwrap()
}

#[test]
fn sr_and_sdes_compound() {
    assert!(is_rtcp(SR_SDES));
    let c = Compound::new_checked(SR_SDES).unwrap();
    assert!(!c.is_reduced_size());
    let packets: Vec<_> = c.packets().collect();
    assert_eq!(packets.len(), 2);
    assert_eq!(packets[0].packet_type(), 200);
    assert_eq!(packets[0].count(), 1);
    assert_eq!(packets[0].total_len(), 52);
    assert_eq!(packets[0].ssrc(), 0x902f_9e2e);
    assert_eq!(packets[1].packet_type(), 202);

    let reprs: Vec<_> = c.reprs().collect::<Result<_, _>>().unwrap();
    let Repr::SenderReport(sr) = reprs[0] else {
        panic!("not an SR: {:?}", reprs[0])
    };
    assert_eq!(sr.ssrc, 0x902f_9e2e);
    assert_eq!(sr.ntp_time, 0xda8b_d1fc_dd11_e8e9);
    assert_eq!(sr.rtp_time, 10_000);
    assert_eq!(sr.packet_count, 100);
    assert_eq!(sr.octet_count, 64_000);
    assert_eq!(sr.reports.len(), 1);
    let block = ReportBlock {
        ssrc: 0xbc5e_9a40,
        fraction_lost: 16,
        cumulative_lost: -2,
        highest_sequence: 0x0001_0010,
        jitter: 5,
        last_sr: 0xd1fc_dd11,
        delay_since_last_sr: 0x0001_0000,
    };
    assert_eq!(sr.reports.get(0), Some(block));
    assert!(sr.extension.is_empty());

    let Repr::Sdes(sdes) = reprs[1] else {
        panic!("not SDES")
    };
    let chunks: Vec<_> = sdes.chunks.iter().collect();
    assert_eq!(chunks.len(), 1);
    assert_eq!(chunks[0].ssrc, 0x902f_9e2e);
    assert_eq!(chunks[0].cname(), Some(&b"4TXvkwQJ9XSLVQ7T"[..]));

    // Built from values, the compound comes out byte for byte.
    let blocks = [block];
    let items = [SdesItem {
        kind: sdes_type::CNAME,
        text: b"4TXvkwQJ9XSLVQ7T",
    }];
    let chunk = [SdesChunk {
        ssrc: 0x902f_9e2e,
        items: SdesItems::from_values(&items),
    }];
    let built = [
        Repr::SenderReport(SenderReport {
            ssrc: 0x902f_9e2e,
            ntp_time: 0xda8b_d1fc_dd11_e8e9,
            rtp_time: 10_000,
            packet_count: 100,
            octet_count: 64_000,
            reports: List::from_values(&blocks),
            extension: &[],
        }),
        Repr::Sdes(Sdes::new(&chunk)),
    ];
    assert_eq!(built[..], reprs[..], "values equal wire");
    let mut buf = [0u8; 128];
    let n = emit_compound(&built, &mut buf).unwrap();
    assert_eq!(&buf[..n], SR_SDES);
    for short in 0..n {
        assert_eq!(
            emit_compound(&built, &mut buf[..short]),
            Err(Error::BufferTooSmall { needed: n })
        );
    }
    // And the parsed (wire-borrowing) Reprs re-emit identically.
    let n = emit_compound(&reprs, &mut buf).unwrap();
    assert_eq!(&buf[..n], SR_SDES);
}

#[test]
fn rr_nack_pli_remb_compound() {
    let c = Compound::new_checked(RR_NACK_PLI_REMB).unwrap();
    let reprs: Vec<_> = c.reprs().collect::<Result<_, _>>().unwrap();
    assert_eq!(reprs.len(), 4);
    let Repr::ReceiverReport(rr) = reprs[0] else {
        panic!()
    };
    assert_eq!(rr.ssrc, 1);
    let b = rr.reports.get(0).unwrap();
    assert_eq!((b.ssrc, b.highest_sequence, b.jitter), (2, 1000, 32));

    let Repr::Nack(nack) = reprs[1] else { panic!() };
    assert_eq!((nack.sender_ssrc, nack.media_ssrc), (1, 2));
    assert_eq!(nack.lost().collect::<Vec<_>>(), [1000, 1001, 1003]);

    assert_eq!(
        reprs[2],
        Repr::Pli(Pli {
            sender_ssrc: 1,
            media_ssrc: 2
        })
    );

    let Repr::Remb(remb) = reprs[3] else { panic!() };
    assert_eq!(remb.bitrate, 1_000_000);
    assert_eq!(remb.ssrcs.iter().collect::<Vec<_>>(), [2]);

    let mut buf = [0u8; 256];
    let n = emit_compound(&reprs, &mut buf).unwrap();
    assert_eq!(&buf[..n], RR_NACK_PLI_REMB);

    // From values.
    let blocks = [ReportBlock {
        ssrc: 2,
        highest_sequence: 1000,
        jitter: 32,
        ..ReportBlock::default()
    }];
    let mut pairs = [NackPair::default(); 4];
    let np = NackPair::pack(&[1000, 1001, 1003], &mut pairs).unwrap();
    let ssrcs = [2];
    let built = [
        Repr::ReceiverReport(ReceiverReport {
            ssrc: 1,
            reports: List::from_values(&blocks),
            extension: &[],
        }),
        Repr::Nack(Nack {
            sender_ssrc: 1,
            media_ssrc: 2,
            pairs: List::from_values(&pairs[..np]),
        }),
        Repr::Pli(Pli {
            sender_ssrc: 1,
            media_ssrc: 2,
        }),
        Repr::Remb(Remb {
            sender_ssrc: 1,
            media_ssrc: 0,
            bitrate: 1_000_000,
            ssrcs: List::from_values(&ssrcs),
        }),
    ];
    let n = emit_compound(&built, &mut buf).unwrap();
    assert_eq!(&buf[..n], RR_NACK_PLI_REMB);
}

#[test]
fn bye_app_fir_vectors() {
    let Repr::Bye(bye) = parse_one(BYE) else {
        panic!()
    };
    assert_eq!(bye.sources.iter().collect::<Vec<_>>(), [0x1234_5678]);
    assert_eq!(bye.reason, Some(&b"shutdown"[..]));
    assert_eq!(emit(&Repr::Bye(bye)), BYE);
    let built = Bye {
        sources: List::from_values(&[0x1234_5678]),
        reason: Some(b"shutdown"),
    };
    assert_eq!(emit(&Repr::Bye(built)), BYE);
    // Without a reason, and with several sources.
    let plain = Bye {
        sources: List::from_values(&[1, 2, 3]),
        reason: None,
    };
    let bytes = emit(&Repr::Bye(plain));
    assert_eq!(&bytes[..4], &[0x83, 0xcb, 0x00, 0x03]);
    assert_eq!(parse_one(&bytes), Repr::Bye(plain));

    let app = App {
        subtype: 2,
        ssrc: 0x1234_5678,
        name: *b"RTCM",
        data: &[0xca, 0xfe, 0xba, 0xbe],
    };
    assert_eq!(parse_one(APP), Repr::App(app));
    assert_eq!(emit(&Repr::App(app)), APP);

    let entries = [FirEntry {
        ssrc: 2,
        sequence: 7,
    }];
    let fir = Fir {
        sender_ssrc: 1,
        media_ssrc: 0,
        entries: List::from_values(&entries),
    };
    assert_eq!(parse_one(FIR), Repr::Fir(fir));
    assert_eq!(emit(&Repr::Fir(fir)), FIR);
}

#[test]
fn twcc_run_length_with_wrap() {
    let Repr::TransportFeedback(fb) = parse_one(TWCC_RUN) else {
        panic!()
    };
    assert_eq!((fb.sender_ssrc, fb.media_ssrc), (1, 2));
    assert_eq!(fb.base_sequence, 65534);
    assert_eq!(fb.reference_time, 258);
    assert_eq!(fb.feedback_count, 5);
    assert_eq!(fb.statuses.len(), 4);
    assert_eq!(
        fb.packets().collect::<Vec<_>>(),
        [
            (65534, Some(4)),
            (65535, Some(0)),
            (0, Some(1)),
            (1, Some(255))
        ]
    );
    let t0 = 258 * 64_000;
    assert_eq!(
        fb.arrivals().collect::<Vec<_>>(),
        [
            (65534, Some(t0 + 1000)),
            (65535, Some(t0 + 1000)),
            (0, Some(t0 + 1250)),
            (1, Some(t0 + 65_000))
        ]
    );
    assert_eq!(emit(&Repr::TransportFeedback(fb)), TWCC_RUN);

    // The same from values: the encoder picks the same run-length chunk.
    let values = [Some(4), Some(0), Some(1), Some(255)];
    let built = TransportFeedback {
        statuses: TwccStatuses::from_values(&values),
        ..fb
    };
    assert_eq!(built, fb);
    assert_eq!(emit(&Repr::TransportFeedback(built)), TWCC_RUN);
}

#[test]
fn twcc_one_and_two_bit_vectors() {
    let Repr::TransportFeedback(fb) = parse_one(TWCC_VECTORS) else {
        panic!()
    };
    assert_eq!(fb.base_sequence, 100);
    let mut expected = vec![None; 17];
    expected[0] = Some(1);
    expected[2] = Some(2);
    expected[3] = Some(0);
    expected[14] = Some(-4);
    expected[16] = Some(10);
    assert_eq!(fb.statuses.iter().collect::<Vec<_>>(), expected);
    assert_eq!(fb.packets().last(), Some((116, Some(10))));
    // Arrival times: 0.25, 0.75, 0.75, then -1 ms from there, then +2.5 ms.
    let arrivals: Vec<_> = fb.arrivals().filter_map(|(_, t)| t).collect();
    assert_eq!(arrivals, [250, 750, 750, -250, 2250]);

    let built = TransportFeedback {
        statuses: TwccStatuses::from_values(&expected),
        ..fb
    };
    assert_eq!(emit(&Repr::TransportFeedback(built)), TWCC_VECTORS);
    assert_eq!(emit(&Repr::TransportFeedback(fb)), TWCC_VECTORS);
}

#[test]
fn twcc_large_deltas() {
    let Repr::TransportFeedback(fb) = parse_one(TWCC_LARGE) else {
        panic!()
    };
    assert_eq!(fb.reference_time, 0x00ff_ffff);
    assert_eq!(fb.feedback_count, 255);
    assert_eq!(
        fb.packets().collect::<Vec<_>>(),
        [
            (65533, Some(256)),
            (65534, Some(-256)),
            (65535, Some(32767)),
            (0, Some(-32768))
        ]
    );
    // Re-emitted it gains the P bit for its two alignment bytes; contents are equal.
    let out = emit(&Repr::TransportFeedback(fb));
    assert_eq!(&out[1..out.len() - 1], &TWCC_LARGE[1..TWCC_LARGE.len() - 1]);
    assert_eq!(out[0], 0xaf);
    assert_eq!(parse_one(&out), Repr::TransportFeedback(fb));
}

/// A tiny deterministic generator for the property-style tests.
fn lcg(state: &mut u64) -> u32 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    (*state >> 33) as u32
}

#[test]
fn twcc_encoder_round_trips_many_patterns() {
    let mut seed = 7u64;
    for round in 0..500 {
        let len = (lcg(&mut seed) % 300) as usize;
        let lossy = lcg(&mut seed) % 4;
        let values: Vec<Option<i16>> = (0..len)
            .map(|_| match lcg(&mut seed) % 8 {
                x if x < lossy => None,
                7 => Some(lcg(&mut seed) as i16),
                6 if round % 3 == 0 => Some(-((lcg(&mut seed) % 100) as i16)),
                _ => Some((lcg(&mut seed) % 256) as i16),
            })
            .collect();
        let fb = TransportFeedback {
            sender_ssrc: 9,
            media_ssrc: 10,
            base_sequence: lcg(&mut seed) as u16,
            reference_time: lcg(&mut seed) & 0xff_ffff,
            feedback_count: round as u8,
            statuses: TwccStatuses::from_values(&values),
        };
        let mut buf = vec![0u8; Repr::TransportFeedback(fb).buffer_len()];
        let n = Repr::TransportFeedback(fb).emit(&mut buf).unwrap();
        assert_eq!(n % 4, 0);
        let Repr::TransportFeedback(again) = parse_one(&buf[..n]) else {
            panic!()
        };
        assert_eq!(again, fb, "round {round}");
        // Never more than one chunk per 7 statuses.
        let deltas: usize = values
            .iter()
            .flatten()
            .map(|d| if (0..=255).contains(d) { 1 } else { 2 })
            .sum();
        assert!(n <= 4 + 16 + 2 * len.div_ceil(7) + deltas + 3);
    }
}

#[test]
fn twcc_deltas_from_arrivals() {
    // 64 ms reference ticks, 250 µs deltas rounded from the quantized previous time.
    let arrivals = [
        Some(1_000_100i64),
        None,
        Some(1_000_300),
        Some(1_000_200),
        Some(1_100_000),
    ];
    let mut out = [None; 5];
    let (reference, used) = TransportFeedback::deltas_from_arrivals(&arrivals, &mut out);
    assert_eq!(reference, 15); // 15 * 64 ms = 960 ms
    assert_eq!(used, 5);
    // 960 000 -> 1 000 100: 40 100 µs = 160.4 ticks -> 160 (1 000 000).
    assert_eq!(out, [Some(160), None, Some(1), Some(0), Some(399)]);
    let fb = TransportFeedback {
        sender_ssrc: 1,
        media_ssrc: 2,
        base_sequence: 0,
        reference_time: reference,
        feedback_count: 0,
        statuses: TwccStatuses::from_values(&out),
    };
    let times: Vec<_> = fb.arrivals().map(|(_, t)| t).collect();
    assert_eq!(
        times,
        [
            Some(1_000_000),
            None,
            Some(1_000_250),
            Some(1_000_250),
            Some(1_100_000)
        ]
    );
    // A gap longer than 8 s ends the packet there.
    let arrivals = [Some(0i64), Some(9_000_000), Some(9_000_250)];
    let (_, used) = TransportFeedback::deltas_from_arrivals(&arrivals, &mut out);
    assert_eq!(used, 1);
    // So does a full output.
    let (_, used) = TransportFeedback::deltas_from_arrivals(&[Some(0); 9], &mut out);
    assert_eq!(used, 5);
}

#[test]
fn nack_packing() {
    let mut pairs = [NackPair::default(); 8];
    let n = NackPair::pack(&[1000, 1001, 1003], &mut pairs).unwrap();
    assert_eq!(
        pairs[..n],
        [NackPair {
            pid: 1000,
            blp: 0b101
        }]
    );
    // Wrap-around, and a number 22 past the PID starts a new pair.
    let n = NackPair::pack(&[65534, 65535, 0, 20], &mut pairs).unwrap();
    assert_eq!(
        pairs[..n],
        [
            NackPair {
                pid: 65534,
                blp: 0b11
            },
            NackPair { pid: 20, blp: 0 }
        ]
    );
    // 16 after the PID is the last BLP bit; 17 is a new pair.
    let n = NackPair::pack(&[0, 16], &mut pairs).unwrap();
    assert_eq!(
        pairs[..n],
        [NackPair {
            pid: 0,
            blp: 0x8000
        }]
    );
    let n = NackPair::pack(&[0, 17], &mut pairs).unwrap();
    assert_eq!(n, 2);
    // Duplicates are harmless; nothing lost, no pairs.
    assert_eq!(NackPair::pack(&[5, 5, 6], &mut pairs), Ok(1));
    assert_eq!(pairs[0], NackPair { pid: 5, blp: 1 });
    assert_eq!(NackPair::pack(&[], &mut pairs), Ok(0));
    // Too small an output says how many pairs are needed.
    assert_eq!(
        NackPair::pack(&[0, 100, 200], &mut pairs[..2]),
        Err(Error::BufferTooSmall { needed: 3 })
    );

    // Every lost number comes back out, in order, through the wire.
    let lost: Vec<u16> = (0..200u16)
        .filter(|i| i % 3 != 0 || i % 7 == 0)
        .map(|i| i.wrapping_add(65500))
        .collect();
    let mut pairs = [NackPair::default(); 64];
    let n = NackPair::pack(&lost, &mut pairs).unwrap();
    let nack = Nack {
        sender_ssrc: 1,
        media_ssrc: 2,
        pairs: List::from_values(&pairs[..n]),
    };
    let bytes = emit(&Repr::Nack(nack));
    let Repr::Nack(parsed) = parse_one(&bytes) else {
        panic!()
    };
    assert_eq!(parsed.lost().collect::<Vec<_>>(), lost);
}

#[test]
fn remb_bitrates() {
    for (bitrate, exp, mantissa) in [
        (0u64, 0u8, 0u32),
        (0x3ffff, 0, 0x3ffff),
        (0x40000, 1, 0x20000),
        (1_000_000, 2, 250_000),
        (2_500_000_000, 14, 152_587),
    ] {
        assert_eq!(Remb::encode_bitrate(bitrate), (exp, mantissa), "{bitrate}");
    }
    // Rounded down to 18 significant bits, and stable from then on.
    let rounded = Remb::decode_bitrate(14, 152_587);
    assert_eq!(rounded, 152_587 << 14);
    let (e, m) = Remb::encode_bitrate(rounded);
    assert_eq!(Remb::decode_bitrate(e, m), rounded);
    // Exponent 63 saturates.
    assert_eq!(Remb::decode_bitrate(63, 0x3ffff), 0x3ffff << 46);
}

#[test]
fn reduced_size_and_compound_rules() {
    // A lone PLI (RFC 5506) is a valid datagram; a lone SDES is not.
    let pli = &RR_NACK_PLI_REMB[48..60];
    let c = Compound::new_checked(pli).unwrap();
    assert!(c.is_reduced_size());
    assert_eq!(c.packets().count(), 1);
    let sdes = &SR_SDES[52..];
    assert_eq!(Compound::new_checked(sdes), Err(Error::BadCompound));
    // ...but the lenient iterator walks it.
    assert_eq!(CompoundIter::new(sdes).count(), 1);
    // Feedback packets only (a TWCC then a NACK): reduced size.
    let mut both = TWCC_RUN.to_vec();
    both.extend_from_slice(&RR_NACK_PLI_REMB[32..48]);
    assert_eq!(Compound::new_checked(&both).unwrap().packets().count(), 2);
    // An empty datagram is not RTCP.
    assert_eq!(Compound::new_checked(&[]), Err(Error::Truncated));
}

#[test]
fn malformed_lengths() {
    // Every truncation of a compound is an error (lengths no longer add up), except at
    // a packet boundary, where what is left is a shorter valid compound.
    for (v, boundaries) in [(SR_SDES, &[52][..]), (RR_NACK_PLI_REMB, &[32, 48, 60][..])] {
        for n in 0..v.len() {
            let c = Compound::new_checked(&v[..n]);
            assert_eq!(c.is_ok(), boundaries.contains(&n), "{n}");
        }
        // And trailing garbage too.
        let mut longer = v.to_vec();
        longer.extend_from_slice(&[0x80]);
        assert!(Compound::new_checked(&longer).is_err());
    }
    for v in [BYE, APP, FIR, TWCC_RUN, TWCC_VECTORS, TWCC_LARGE] {
        for n in 0..v.len() {
            assert!(Repr::parse_bytes(&v[..n]).is_err(), "{n}");
        }
    }

    // A length field that shrinks the packet: counts no longer fit.
    let mut v = SR_SDES[..52].to_vec();
    v[3] = 6; // 28 bytes: sender info but no room for the report block
    assert_eq!(Repr::parse_bytes(&v), Err(Error::Truncated));
    // Version 1.
    let mut v = APP.to_vec();
    v[0] = 0x42;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::BadVersion));
    // Padding count 0 or more than the body.
    let mut v = TWCC_RUN.to_vec();
    *v.last_mut().unwrap() = 0;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadPadding));
    *v.last_mut().unwrap() = 25;
    assert_eq!(Packet::new_checked(&v[..]).err(), Some(Error::BadPadding));
    // SDES chunk without its END octet.
    let mut v = SR_SDES[52..].to_vec();
    v[9] = 0x12; // CNAME claims 18 bytes: runs into the padding, then past the end
    assert!(Repr::parse_bytes(&v).is_err());
    // SDES with more chunks than bytes.
    let mut v = SR_SDES[52..].to_vec();
    v[0] = 0x82;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::Truncated));
    // BYE reason longer than the packet.
    let mut v = BYE.to_vec();
    v[8] = 12;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::Truncated));
    // REMB whose SSRC count disagrees with its length.
    let mut v = RR_NACK_PLI_REMB[60..].to_vec();
    v[16] = 2;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::BadLength));
    // NACK without a single pair.
    let v = [0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2];
    assert_eq!(Repr::parse_bytes(&v), Err(Error::BadLength));
    // PLI with an FCI.
    let v = [0x81, 0xce, 0x00, 0x03, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0];
    assert_eq!(Repr::parse_bytes(&v), Err(Error::BadLength));
    // TWCC with the reserved status symbol 11.
    let mut v = TWCC_RUN.to_vec();
    v[20] = 0x60;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::Malformed));
    // TWCC whose deltas are missing: 100 small deltas announced.
    let mut v = TWCC_RUN.to_vec();
    v[14] = 0;
    v[15] = 100;
    v[20] = 0x20;
    v[21] = 100;
    assert_eq!(Repr::parse_bytes(&v), Err(Error::Truncated));
    // Unknown packet types and FMTs are Unsupported, not errors in the compound.
    let xr = [0x80, 0xcf, 0x00, 0x01, 0, 0, 0, 1];
    assert_eq!(Repr::parse_bytes(&xr), Err(Error::Unsupported));
    let mut v = SR_SDES.to_vec();
    v.extend_from_slice(&xr);
    let c = Compound::new_checked(&v).unwrap();
    let results: Vec<_> = c.reprs().collect();
    assert_eq!(results.len(), 3);
    assert_eq!(results[2], Err(Error::Unsupported));
}

#[test]
fn emit_refuses_what_the_wire_cannot_say() {
    let blocks = [ReportBlock::default(); 32];
    let rr = Repr::ReceiverReport(ReceiverReport {
        ssrc: 1,
        reports: List::from_values(&blocks),
        extension: &[],
    });
    let mut buf = [0u8; 1024];
    assert_eq!(rr.emit(&mut buf), Err(Error::TooManyItems));
    let rr = Repr::ReceiverReport(ReceiverReport {
        ssrc: 1,
        reports: List::from_values(&blocks[..31]),
        extension: &[1, 2, 3],
    });
    assert_eq!(rr.emit(&mut buf), Err(Error::ValueOutOfRange));
    let nack = Repr::Nack(Nack::default());
    assert_eq!(nack.emit(&mut buf), Err(Error::ValueOutOfRange));
    let item = [SdesItem {
        kind: sdes_type::CNAME,
        text: &[b'x'; 256],
    }];
    let chunk = [SdesChunk {
        ssrc: 1,
        items: SdesItems::from_values(&item),
    }];
    assert_eq!(
        Repr::Sdes(Sdes::new(&chunk)).emit(&mut buf),
        Err(Error::ValueOutOfRange)
    );
    // Cumulative loss is clamped to 24 bits.
    let big = [ReportBlock {
        cumulative_lost: i32::MIN,
        ..ReportBlock::default()
    }];
    let rr = Repr::ReceiverReport(ReceiverReport {
        ssrc: 1,
        reports: List::from_values(&big),
        extension: &[],
    });
    let bytes = emit(&rr);
    assert_eq!(&bytes[13..16], &[0x80, 0x00, 0x00]);
    let Repr::ReceiverReport(parsed) = parse_one(&bytes) else {
        panic!()
    };
    assert_eq!(parsed.reports.get(0).unwrap().cumulative_lost, -(1 << 23));
}

#[test]
fn sdes_with_several_chunks_and_items() {
    let a = [
        SdesItem {
            kind: sdes_type::CNAME,
            text: b"cam@t31",
        },
        SdesItem {
            kind: sdes_type::TOOL,
            text: b"rtcam",
        },
    ];
    let b = [SdesItem {
        kind: sdes_type::NAME,
        text: b"",
    }];
    let chunks = [
        SdesChunk {
            ssrc: 1,
            items: SdesItems::from_values(&a),
        },
        SdesChunk {
            ssrc: 2,
            items: SdesItems::from_values(&b),
        },
        SdesChunk {
            ssrc: 3,
            items: SdesItems::from_values(&[]),
        },
    ];
    let repr = Repr::Sdes(Sdes::new(&chunks));
    let bytes = emit(&repr);
    // chunk 1: 4 + 9 + 7 + 1 -> 24; chunk 2: 4 + 2 + 1 -> 8; chunk 3: 4 + 1 -> 8.
    assert_eq!(bytes.len(), 4 + 24 + 8 + 8);
    assert_eq!(bytes[0], 0x83);
    let parsed = parse_one(&bytes);
    assert_eq!(parsed, repr);
    let Repr::Sdes(s) = parsed else { panic!() };
    assert_eq!(s.chunks.len(), 3);
    assert_eq!(
        s.chunks.iter().next().unwrap().items.get(sdes_type::TOOL),
        Some(&b"rtcam"[..])
    );
}
