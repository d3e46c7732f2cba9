//! The RTP case: what a camera does with every encoded video frame before SRTP.
//!
//! The workload ([`gop`]) is one second of a realistic H.264 stream, 1.2 Mbit/s at 30 fps,
//! generated deterministically (no files): a GOP of 30 Annex-B access units (4-byte start
//! codes, an access unit delimiter on every frame as x264 writes by default), frame 0 an IDR
//! access unit (AUD + SPS + PPS + IDR slice, [`IDR_BYTES`] in all) and 29 P frames (AUD + one
//! slice) whose sizes vary by up to ±25 % around the mean that makes the GOP exactly
//! [`GOP_BYTES`] (150 000 bytes = 1.2 Mbit). NAL bodies are pseudo-random bytes with no
//! start-code emulation (never two zero bytes in a row, never a trailing zero), like
//! entropy-coded slice data after emulation prevention.
//!
//! One operation of every side takes one access unit and produces complete RTP packets,
//! each a 12-byte header (sequence number, frame timestamp, marker on the frame's last
//! packet) followed by a payload of at most [`MAX_PAYLOAD`] bytes, i.e. at most [`MTU`]
//! bytes ready to encrypt, and hands each one to a sink:
//!
//! - [`Ours`]: rtcam's [`H264Payloader`] writes each payload straight after the header
//!   space of one reused [`MTU`]-byte buffer, then [`Header::emit`] writes the header in
//!   front of it. No copy, no allocation.
//! - [`WebrtcRs`]: webrtc-rs's packetizer (`rtp::packetizer::new_packetizer` with
//!   `rtp::codecs::h264::H264Payloader`) returns a `Vec<rtp::packet::Packet>` per frame;
//!   each packet is `marshal()`led to `Bytes`, which is what its peer connection hands to
//!   SRTP.
//! - [`Str0m`]: str0m's `H264Packetizer` (public as `str0m::unversioned` since 0.25; the
//!   RTP header writer is crate-private) returns a `Vec<Vec<u8>>` of payloads; each is
//!   copied behind a header written with the same [`Header::emit`] as ours into one reused
//!   buffer, which is what str0m's send path does before SRTP.
//!
//! Two more rows give context, not competition: [`Ours::send_nals`] takes the access unit
//! as the NAL units an encoder such as the T31's already delimits (no Annex-B scan), and
//! [`Floor`] only writes headers and copies 1188-byte chunks (no H.264 logic): the least
//! any packetizer must do.
//!
//! The three packetizers differ in one visible way: webrtc-rs and str0m drop access unit
//! delimiters (and send SPS + PPS as one STAP-A before the IDR slice), while rtcam keeps
//! every NAL unit it is given, so it sends the 2-byte AUD as one more small packet per
//! frame. [`assert_equivalent`] checks, with rtcam's depayloader, that every side's packets
//! rebuild the access units exactly (without the AUDs for the peers).

use std::hint::black_box;

use bytes::Bytes;
use rtcam_rtp::codec::h264::{H264Depayloader, H264Payloader};
use rtcam_rtp::codec::{Event, RtpPayload};
use rtcam_rtp::{HEADER_LEN, Header, Packet};
use str0m::unversioned::{H264Packetizer, Packetizer as _};
use webrtc_rtp::codecs::h264::H264Payloader as WH264Payloader;
use webrtc_rtp::packetizer::new_packetizer;
use webrtc_rtp::sequence::new_fixed_sequencer;
use webrtc_util::marshal::Marshal;

/// Largest RTP packet (header + payload) any side produces: the "MTU 1200" WebRTC stacks use.
pub const MTU: usize = 1200;
/// Largest payload behind the 12-byte header.
pub const MAX_PAYLOAD: usize = MTU - HEADER_LEN;
/// Frames per second, and frames per GOP (one keyframe a second).
pub const FPS: usize = 30;
/// Bytes of one GOP: one second at 1.2 Mbit/s.
pub const GOP_BYTES: usize = 1_200_000 / 8;
/// Bytes of the IDR access unit (start codes included).
pub const IDR_BYTES: usize = 25_000;
/// 90 kHz RTP clock ticks per frame.
pub const TICKS_PER_FRAME: u32 = 90_000 / FPS as u32;
/// Dynamic payload type negotiated for H.264.
pub const PAYLOAD_TYPE: u8 = 102;
/// The stream's SSRC.
pub const SSRC: u32 = 0x5eed_cafe;
/// First sequence number (ours and str0m's; webrtc-rs's fixed sequencer starts here too).
pub const FIRST_SEQ: u16 = 4321;
/// First frame's RTP timestamp (webrtc-rs draws its own at random).
pub const FIRST_TIMESTAMP: u32 = 0x1234_0000;

const START_CODE: [u8; 4] = [0, 0, 0, 1];
/// Access unit delimiter, primary_pic_type 7 (any slice type), as x264 writes it.
const AUD: [u8; 2] = [0x09, 0xf0];
/// A plausible High-profile 720p SPS (emulation prevention bytes included).
const SPS: [u8; 25] = [
    0x67, 0x64, 0x00, 0x1f, 0xac, 0xd9, 0x40, 0x50, 0x05, 0xbb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00,
    0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x83, 0x19,
];
/// A plausible PPS.
const PPS: [u8; 6] = [0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];
/// NAL header of an IDR slice (nal_ref_idc 3, type 5).
const IDR_HEADER: u8 = 0x65;
/// NAL header of a P slice (nal_ref_idc 2, type 1).
const P_HEADER: u8 = 0x41;

/// xorshift64*: deterministic, fast, good enough for filler bytes and size jitter.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Appends one NAL unit: start code, `header`, `body_len` filler bytes: uniform bytes plus
/// extra zeros, about one byte in 85 zero and one in 256 a one, close to what x264enc's
/// slice data holds at 1.2 Mbit/s (720p GStreamer test patterns: zeros 1 in 96-99, ones 1
/// in 200-209). Never two zeros in a row and never a trailing zero, so no start code is
/// emulated and nothing is trimmed.
fn push_nal(au: &mut Vec<u8>, header: u8, body_len: usize, rng: &mut Rng) {
    au.extend_from_slice(&START_CODE);
    au.push(header);
    let mut prev_zero = false;
    for i in 0..body_len {
        let r = rng.next();
        let mut b = if r & 127 == 0 { 0 } else { (r >> 32) as u8 };
        if b == 0 && (prev_zero || i + 1 == body_len) {
            b = 0xa5;
        }
        prev_zero = b == 0;
        au.push(b);
    }
}

/// The 30 access units of one second of video, frame 0 the IDR; always the same bytes.
pub fn gop() -> Vec<Vec<u8>> {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    let mut frames = Vec::with_capacity(FPS);

    let mut idr = Vec::with_capacity(IDR_BYTES);
    for nal in [&AUD[..], &SPS, &PPS] {
        idr.extend_from_slice(&START_CODE);
        idr.extend_from_slice(nal);
    }
    let body = IDR_BYTES - idr.len() - START_CODE.len() - 1;
    push_nal(&mut idr, IDR_HEADER, body, &mut rng);
    frames.push(idr);

    // P-frame sizes: weights in [0.75, 1.25), scaled so the GOP totals GOP_BYTES exactly.
    let p_total = GOP_BYTES - IDR_BYTES;
    let weights: Vec<f64> = (1..FPS).map(|_| 0.75 + 0.5 * rng.unit()).collect();
    let sum: f64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| (w / sum * p_total as f64).round() as usize)
        .collect();
    let assigned: usize = sizes.iter().sum();
    let last = sizes.last_mut().expect("29 P frames");
    *last = (*last + p_total).checked_sub(assigned).expect("rounding");
    for size in sizes {
        let mut p = Vec::with_capacity(size);
        p.extend_from_slice(&START_CODE);
        p.extend_from_slice(&AUD);
        let body = size - p.len() - START_CODE.len() - 1;
        push_nal(&mut p, P_HEADER, body, &mut rng);
        frames.push(p);
    }
    debug_assert_eq!(frames.iter().map(Vec::len).sum::<usize>(), GOP_BYTES);
    frames
}

/// RTP timestamp of frame `i`.
pub fn timestamp(i: usize) -> u32 {
    FIRST_TIMESTAMP.wrapping_add(TICKS_PER_FRAME.wrapping_mul(i as u32))
}

/// rtcam: payloader + header emit into one reused buffer.
#[derive(Debug)]
pub struct Ours {
    payloader: H264Payloader,
    header: Header<'static>,
    buf: [u8; MTU],
}

impl Default for Ours {
    fn default() -> Self {
        Ours {
            payloader: H264Payloader::new(MAX_PAYLOAD),
            header: Header::new(PAYLOAD_TYPE, FIRST_SEQ, FIRST_TIMESTAMP, SSRC),
            buf: [0; MTU],
        }
    }
}

impl Ours {
    /// Packetizes one access unit sent at RTP time `timestamp`, handing each complete
    /// packet to `sink`; returns the number of packets.
    #[inline]
    pub fn send_frame(
        &mut self,
        access_unit: &[u8],
        timestamp: u32,
        mut sink: impl FnMut(&[u8]),
    ) -> usize {
        let mut frame = self
            .payloader
            .frame(access_unit)
            .expect("valid access unit");
        self.header.timestamp = timestamp;
        let mut packets = 0;
        loop {
            let (head, body) = self.buf.split_at_mut(HEADER_LEN);
            let Some(meta) = frame.next_into(body).expect("buffer holds max_payload") else {
                return packets;
            };
            self.header.marker = meta.marker;
            let n = self.header.emit(head).expect("12-byte header fits");
            self.header.sequence_number = self.header.sequence_number.wrapping_add(1);
            sink(&self.buf[..n + meta.len]);
            packets += 1;
        }
    }
}

/// The GOP as an encoder hands it over, e.g. the T31's `IMPEncoderStream` packs: each
/// access unit as its NAL units (no start codes), split once outside any timed loop.
pub fn gop_nals(gop: &[Vec<u8>]) -> Vec<Vec<&[u8]>> {
    gop.iter()
        .map(|au| {
            rtcam_rtp::codec::h264::nal_units(au)
                .expect("Annex-B")
                .collect()
        })
        .collect()
}

impl Ours {
    /// [`Ours::send_frame`] for an access unit given as NAL units ([`H264Payloader::frame_nals`]):
    /// no Annex-B scan.
    #[inline]
    pub fn send_nals(
        &mut self,
        nals: &[&[u8]],
        timestamp: u32,
        mut sink: impl FnMut(&[u8]),
    ) -> usize {
        let mut frame = self.payloader.frame_nals(nals).expect("valid access unit");
        self.header.timestamp = timestamp;
        let mut packets = 0;
        loop {
            let (head, body) = self.buf.split_at_mut(HEADER_LEN);
            let Some(meta) = frame.next_into(body).expect("buffer holds max_payload") else {
                return packets;
            };
            self.header.marker = meta.marker;
            let n = self.header.emit(head).expect("12-byte header fits");
            self.header.sequence_number = self.header.sequence_number.wrapping_add(1);
            sink(&self.buf[..n + meta.len]);
            packets += 1;
        }
    }
}

/// A floor, not a packetizer: the access unit's bytes copied in [`MAX_PAYLOAD`]-byte
/// chunks behind a header, with no H.264 logic at all (what any packetizer must at least
/// do: write headers and move the bytes once).
#[derive(Debug)]
pub struct Floor {
    header: Header<'static>,
    buf: [u8; MTU],
}

impl Default for Floor {
    fn default() -> Self {
        Floor {
            header: Header::new(PAYLOAD_TYPE, FIRST_SEQ, FIRST_TIMESTAMP, SSRC),
            buf: [0; MTU],
        }
    }
}

impl Floor {
    /// Copies `access_unit` into packets; returns their number.
    #[inline]
    pub fn send_frame(
        &mut self,
        access_unit: &[u8],
        timestamp: u32,
        mut sink: impl FnMut(&[u8]),
    ) -> usize {
        self.header.timestamp = timestamp;
        let mut chunks = access_unit.chunks(MAX_PAYLOAD).peekable();
        let mut packets = 0;
        while let Some(chunk) = chunks.next() {
            self.header.marker = chunks.peek().is_none();
            let n = self
                .header
                .emit(&mut self.buf)
                .expect("12-byte header fits");
            self.buf[n..n + chunk.len()].copy_from_slice(chunk);
            self.header.sequence_number = self.header.sequence_number.wrapping_add(1);
            sink(&self.buf[..n + chunk.len()]);
            packets += 1;
        }
        packets
    }
}

/// webrtc-rs: its packetizer (H.264 payloader, fixed sequencer), each packet marshalled.
#[derive(Debug)]
pub struct WebrtcRs {
    packetizer: Box<dyn webrtc_rtp::packetizer::Packetizer + Send + Sync>,
}

impl Default for WebrtcRs {
    fn default() -> Self {
        WebrtcRs {
            packetizer: Box::new(new_packetizer(
                MTU,
                PAYLOAD_TYPE,
                SSRC,
                Box::new(WH264Payloader::default()),
                Box::new(new_fixed_sequencer(FIRST_SEQ)),
                90_000,
            )),
        }
    }
}

impl WebrtcRs {
    /// Packetizes one access unit (its `Bytes`, as a webrtc-rs `Sample` carries it),
    /// advancing the timestamp by one frame; hands each marshalled packet to `sink`.
    #[inline]
    pub fn send_frame(&mut self, access_unit: &Bytes, mut sink: impl FnMut(&[u8])) -> usize {
        let packets = self
            .packetizer
            .packetize(access_unit, TICKS_PER_FRAME)
            .expect("packetize");
        for p in &packets {
            let wire = p.marshal().expect("marshal");
            sink(&wire);
        }
        packets.len()
    }
}

/// str0m: its packetizer's payloads, each copied behind a header into one reused buffer.
#[derive(Debug)]
pub struct Str0m {
    packetizer: H264Packetizer,
    header: Header<'static>,
    buf: [u8; MTU],
}

impl Default for Str0m {
    fn default() -> Self {
        Str0m {
            packetizer: H264Packetizer::default(),
            header: Header::new(PAYLOAD_TYPE, FIRST_SEQ, FIRST_TIMESTAMP, SSRC),
            buf: [0; MTU],
        }
    }
}

impl Str0m {
    /// Packetizes one access unit sent at RTP time `timestamp`, handing each complete
    /// packet to `sink`; returns the number of packets.
    #[inline]
    pub fn send_frame(
        &mut self,
        access_unit: &[u8],
        timestamp: u32,
        mut sink: impl FnMut(&[u8]),
    ) -> usize {
        let payloads = self
            .packetizer
            .packetize(MAX_PAYLOAD, access_unit)
            .expect("packetize");
        self.header.timestamp = timestamp;
        let mut previous: Option<&[u8]> = None;
        for (i, payload) in payloads.iter().enumerate() {
            let last = i + 1 == payloads.len();
            self.header.marker = self.packetizer.is_marker(payload, previous, last);
            let n = self
                .header
                .emit(&mut self.buf)
                .expect("12-byte header fits");
            self.buf[n..n + payload.len()].copy_from_slice(payload);
            self.header.sequence_number = self.header.sequence_number.wrapping_add(1);
            sink(&self.buf[..n + payload.len()]);
            previous = Some(payload);
        }
        payloads.len()
    }
}

/// The GOP as webrtc-rs takes it: one `Bytes` per access unit (made once, cloned for free).
pub fn gop_bytes(gop: &[Vec<u8>]) -> Vec<Bytes> {
    gop.iter().map(|au| Bytes::from(au.clone())).collect()
}

/// One timed operation of ours: the whole GOP; returns the packet count.
#[inline(never)]
pub fn ours_gop(sender: &mut Ours, gop: &[Vec<u8>]) -> usize {
    gop.iter()
        .enumerate()
        .map(|(i, au)| {
            sender.send_frame(black_box(au), timestamp(i), |p| {
                black_box(p);
            })
        })
        .sum()
}

/// [`ours_gop`] from the encoder's NAL list ([`gop_nals`]).
#[inline(never)]
pub fn ours_nals_gop(sender: &mut Ours, gop: &[Vec<&[u8]>]) -> usize {
    gop.iter()
        .enumerate()
        .map(|(i, nals)| {
            sender.send_nals(black_box(nals), timestamp(i), |p| {
                black_box(p);
            })
        })
        .sum()
}

/// One timed operation of the [`Floor`]: the whole GOP; returns the packet count.
#[inline(never)]
pub fn floor_gop(sender: &mut Floor, gop: &[Vec<u8>]) -> usize {
    gop.iter()
        .enumerate()
        .map(|(i, au)| {
            sender.send_frame(black_box(au), timestamp(i), |p| {
                black_box(p);
            })
        })
        .sum()
}

/// One timed operation of webrtc-rs: the whole GOP; returns the packet count.
#[inline(never)]
pub fn webrtc_rs_gop(sender: &mut WebrtcRs, gop: &[Bytes]) -> usize {
    gop.iter()
        .map(|au| {
            sender.send_frame(black_box(au), |p| {
                black_box(p);
            })
        })
        .sum()
}

/// One timed operation of str0m: the whole GOP; returns the packet count.
#[inline(never)]
pub fn str0m_gop(sender: &mut Str0m, gop: &[Vec<u8>]) -> usize {
    gop.iter()
        .enumerate()
        .map(|(i, au)| {
            sender.send_frame(black_box(au), timestamp(i), |p| {
                black_box(p);
            })
        })
        .sum()
}

/// The access unit without its AUD, as webrtc-rs and str0m send it.
fn without_aud(au: &[u8]) -> Vec<u8> {
    let aud: Vec<u8> = START_CODE.iter().chain(&AUD).copied().collect();
    au.strip_prefix(&aud[..])
        .expect("every frame starts with an AUD")
        .to_vec()
}

/// Checks one side's packets for the GOP: every packet at most [`MTU`] bytes, a valid RTP
/// header with our payload type and SSRC, consecutive sequence numbers, one timestamp per
/// frame advancing by [`TICKS_PER_FRAME`], the marker on each frame's last packet only,
/// and rtcam's depayloader rebuilding exactly `expected`.
fn check_side(side: &str, packets: &[Vec<u8>], expected: &[Vec<u8>]) {
    let mut depay = H264Depayloader::new(vec![0u8; 64 * 1024]);
    let mut got = Vec::new();
    let mut prev: Option<(u16, u32, bool)> = None;
    for (k, p) in packets.iter().enumerate() {
        assert!(p.len() <= MTU, "{side}: packet {k} is {} bytes", p.len());
        let view = Packet::new_checked(&p[..]).unwrap_or_else(|e| panic!("{side}: {e}"));
        assert_eq!(view.header_len(), HEADER_LEN, "{side}");
        assert_eq!(view.payload_type(), PAYLOAD_TYPE, "{side}");
        assert_eq!(view.ssrc(), SSRC, "{side}");
        if let Some((seq, ts, marker)) = prev {
            assert_eq!(
                view.sequence_number(),
                seq.wrapping_add(1),
                "{side}: packet {k}"
            );
            let want = if marker {
                ts.wrapping_add(TICKS_PER_FRAME)
            } else {
                ts
            };
            assert_eq!(view.timestamp(), want, "{side}: packet {k} timestamp");
        }
        prev = Some((view.sequence_number(), view.timestamp(), view.marker()));
        depay
            .push(RtpPayload::from_packet(&view))
            .unwrap_or_else(|e| panic!("{side}: packet {k}: {e}"));
        while let Some(ev) = depay.poll() {
            match ev {
                Event::Frame(f) => got.push(f.data.to_vec()),
                Event::Dropped(d) => panic!("{side}: frame dropped: {d:?}"),
            }
        }
    }
    assert_eq!(got.len(), expected.len(), "{side}: frames rebuilt");
    for (i, (g, e)) in got.iter().zip(expected).enumerate() {
        assert!(g == e, "{side}: frame {i} differs after the round trip");
    }
}

/// Every packet `send` hands to its sink, copied.
fn collect(send: impl FnOnce(&mut dyn FnMut(&[u8]))) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    send(&mut |p: &[u8]| out.push(p.to_vec()));
    out
}

/// Every side's packets for `gop` carry exactly the access units, without their AUDs.
pub fn assert_equivalent(gop: &[Vec<u8>]) {
    let ours = collect(|sink| {
        let mut s = Ours::default();
        for (i, au) in gop.iter().enumerate() {
            s.send_frame(au, timestamp(i), &mut *sink);
        }
    });
    // No side sends access unit delimiters: the marker bit delimits access units.
    let stripped: Vec<Vec<u8>> = gop.iter().map(|au| without_aud(au)).collect();
    check_side("rtcam", &ours, &stripped);
    let nals = gop_nals(gop);
    let ours_nals = collect(|sink| {
        let mut s = Ours::default();
        for (i, au) in nals.iter().enumerate() {
            s.send_nals(au, timestamp(i), &mut *sink);
        }
    });
    assert!(
        ours_nals == ours,
        "rtcam: NAL-list and Annex-B paths differ"
    );
    assert_eq!(
        Packet::new_checked(&ours[0][..]).unwrap().timestamp(),
        FIRST_TIMESTAMP
    );

    let bytes = gop_bytes(gop);
    let webrtc = collect(|sink| {
        let mut s = WebrtcRs::default();
        for au in &bytes {
            s.send_frame(au, &mut *sink);
        }
    });
    check_side("webrtc-rs", &webrtc, &stripped);
    let str0m = collect(|sink| {
        let mut s = Str0m::default();
        for (i, au) in gop.iter().enumerate() {
            s.send_frame(au, timestamp(i), &mut *sink);
        }
    });
    check_side("str0m", &str0m, &stripped);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_is_one_second_at_1_2_mbit() {
        let gop = gop();
        assert_eq!(gop.len(), FPS);
        assert_eq!(gop.iter().map(Vec::len).sum::<usize>(), GOP_BYTES);
        assert_eq!(gop[0].len(), IDR_BYTES);
        assert!(rtcam_rtp::codec::h264::is_keyframe(&gop[0]));
        for p in &gop[1..] {
            assert!(!rtcam_rtp::codec::h264::is_keyframe(p));
            assert!((3_200..5_400).contains(&p.len()), "{}", p.len());
        }
        // Deterministic.
        assert_eq!(gop, super::gop());
        // NAL units as generated: no emulated start code split anything.
        let nals = rtcam_rtp::codec::h264::nal_units(&gop[0]).unwrap().count();
        assert_eq!(nals, 4);
        for p in &gop[1..] {
            assert_eq!(rtcam_rtp::codec::h264::nal_units(p).unwrap().count(), 2);
        }
    }
}
