//! Shared helpers of the codec tests: a deterministic generator, RTP framing through the
//! crate's own header, and depayloader drivers that collect owned events.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    unreachable_pub
)]

use rtcam_rtp::codec::h264::H264Depayloader;
use rtcam_rtp::codec::h265::H265Depayloader;
use rtcam_rtp::codec::vp8::Vp8Depayloader;
use rtcam_rtp::codec::{Dropped, Error, Event, PayloadMeta, RtpPayload};
use rtcam_rtp::{Header, Packet};

/// xorshift64*: deterministic, seedable, good enough for test data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn byte(&mut self) -> u8 {
        self.next_u64() as u8
    }
    /// NAL unit body bytes with no `00 00` (so no start-code emulation) and no trailing 0.
    pub fn nal_body(&mut self, len: usize, out: &mut Vec<u8>) {
        let mut prev_zero = false;
        for i in 0..len {
            let mut b = if self.below(8) == 0 { 0 } else { self.byte() };
            if b == 0 && (prev_zero || i + 1 == len) {
                b = 0x5a;
            }
            prev_zero = b == 0;
            out.push(b);
        }
    }
}

/// A payload as the payloader produced it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payload {
    pub data: Vec<u8>,
    pub marker: bool,
    pub timestamp_offset: u32,
}

/// Runs a payloader frame's `next_into` to the end.
pub fn collect(
    max_payload: usize,
    mut next: impl FnMut(&mut [u8]) -> Result<Option<PayloadMeta>, Error>,
) -> Vec<Payload> {
    let mut out = vec![0u8; max_payload];
    let mut v = Vec::new();
    while let Some(m) = next(&mut out).unwrap() {
        assert!(
            m.len <= max_payload,
            "payload {} > max {max_payload}",
            m.len
        );
        assert!(m.len > 0, "empty payload");
        v.push(Payload {
            data: out[..m.len].to_vec(),
            marker: m.marker,
            timestamp_offset: m.timestamp_offset,
        });
        assert!(v.len() < 1_000_000, "payloader does not end");
    }
    let markers: Vec<bool> = v.iter().map(|p| p.marker).collect();
    if let Some((last, rest)) = markers.split_last() {
        assert!(*last, "last payload lacks the marker");
        assert!(rest.iter().all(|m| !m), "marker before the last payload");
    }
    v
}

/// A whole RTP packet (the crate's own header, PT 96, fixed SSRC).
pub fn rtp(seq: u16, ts: u32, marker: bool, payload: &[u8]) -> Vec<u8> {
    let mut h = Header::new(96, seq, ts, 0x1234_5678);
    h.marker = marker;
    let mut buf = vec![0u8; payload.len() + 64];
    let n = h.emit_packet(payload, 0, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// What a depayloader reported, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Got {
    Frame {
        data: Vec<u8>,
        timestamp: u32,
        keyframe: bool,
    },
    Dropped(Dropped),
}

/// The three video depayloaders behind one interface.
pub trait Depay {
    fn push_payload(&mut self, p: RtpPayload<'_>) -> Result<(), Error>;
    fn drain(&mut self) -> Vec<Got>;

    /// Parses `packet` with the crate's RTP view and pushes it.
    fn push_rtp(&mut self, packet: &[u8]) -> Result<(), Error> {
        let view = Packet::new_checked(packet).unwrap();
        self.push_payload(RtpPayload::from_packet(&view))
    }

    /// Pushes `payload` with the given header fields and drains.
    fn feed(
        &mut self,
        seq: u16,
        ts: u32,
        marker: bool,
        payload: &[u8],
    ) -> (Result<(), Error>, Vec<Got>) {
        let r = self.push_payload(RtpPayload {
            payload,
            sequence_number: seq,
            timestamp: ts,
            marker,
        });
        (r, self.drain())
    }
}

fn drain_events(mut poll: impl FnMut() -> Option<Got>) -> Vec<Got> {
    let mut v = Vec::new();
    while let Some(g) = poll() {
        v.push(g);
        assert!(v.len() < 10, "poll does not end");
    }
    v
}

fn owned(e: Event<'_>) -> Got {
    match e {
        Event::Frame(f) => Got::Frame {
            data: f.data.to_vec(),
            timestamp: f.timestamp,
            keyframe: f.keyframe,
        },
        Event::Dropped(d) => Got::Dropped(d),
    }
}

macro_rules! depay_impl {
    ($t:ident) => {
        impl<B: AsMut<[u8]> + AsRef<[u8]>> Depay for $t<B> {
            fn push_payload(&mut self, p: RtpPayload<'_>) -> Result<(), Error> {
                self.push(p)
            }
            fn drain(&mut self) -> Vec<Got> {
                drain_events(|| self.poll().map(owned))
            }
        }
    };
}
depay_impl!(H264Depayloader);
depay_impl!(H265Depayloader);
depay_impl!(Vp8Depayloader);

/// Annex-B with 4-byte start codes, as the depayloaders write it.
pub fn annex_b(nals: &[Vec<u8>]) -> Vec<u8> {
    let mut v = Vec::new();
    for n in nals {
        v.extend_from_slice(&[0, 0, 0, 1]);
        v.extend_from_slice(n);
    }
    v
}

/// Sends `payloads` as one frame through RTP starting at `seq`; returns the events.
pub fn send_frame(d: &mut impl Depay, seq: &mut u16, ts: u32, payloads: &[Payload]) -> Vec<Got> {
    let mut got = Vec::new();
    for p in payloads {
        let pkt = rtp(*seq, ts, p.marker, &p.data);
        *seq = seq.wrapping_add(1);
        d.push_rtp(&pkt).unwrap();
        got.extend(d.drain());
    }
    got
}
