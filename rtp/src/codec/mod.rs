//! Media payloaders and depayloaders: H.264 (RFC 6184), H.265 (RFC 7798), VP8 (RFC 7741),
//! Opus (RFC 7587) and G.711 PCMU/PCMA (RFC 3551).
//!
//! # Sending
//!
//! A payloader writes RTP *payloads only* straight into the caller's buffer: the sender
//! puts the RTP header in front and SRTP its tag after, so nothing is copied twice and
//! nothing is allocated. One frame in, payload after payload out:
//!
//! ```
//! use rtcam_rtp::codec::h264::H264Payloader;
//! # fn main() -> Result<(), rtcam_rtp::codec::Error> {
//! let access_unit = [0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x68, 0xce, 0, 0, 1, 0x65, 0x88, 0x84];
//! let mut payloader = H264Payloader::new(1188);
//! let mut out = [0u8; 1188];
//! let mut frame = payloader.frame(&access_unit)?;
//! while let Some(meta) = frame.next_into(&mut out)? {
//!     let _payload = &out[..meta.len]; // + header with meta.marker, then send
//! }
//! # Ok(()) }
//! ```
//!
//! Every payload of one frame shares one RTP timestamp; [`Clock`] turns capture time into
//! it. `max_payload` is the MTU minus IP/UDP, RTP header (12 bytes + CSRCs + extensions)
//! and SRTP tag; [`max_payload`] computes it for the common case.
//!
//! # Receiving
//!
//! A depayloader takes RTP packets *in sequence order* (the jitter buffer reorders) as
//! [`RtpPayload`] and rebuilds one frame at a time into caller-provided storage (Annex-B
//! with 4-byte start codes for H.264/H.265, the raw frame for VP8). After each
//! `push`, drain `poll` until it returns `None`: it yields [`Event::Dropped`] for every
//! frame that could not be rebuilt exactly and [`Event::Frame`] for each complete one. A
//! frame is complete only when it ends with the marker bit, no sequence number is missing
//! inside it and every fragmentation unit has its start and end: nothing is guessed or
//! spliced. A delivered frame's bytes stay valid until the next `push`.
//!
//! # Deliberate shortcuts
//!
//! - H.264: packetization-mode 1 only (single NAL, STAP-A, FU-A). STAP-B, MTAP16/24 and
//!   FU-B (interleaved mode) are rejected with [`Error::Unsupported`].
//! - H.265: no DONL/DOND (`sprop-max-don-diff` = 0) and no PACI (type 50, rejected).
//! - Annex-B input: trailing zero bytes of a NAL unit (`trailing_zero_8bits`, and
//!   `cabac_zero_words` that end in zero) are stripped; the receiver's decoder does not
//!   need them.
//! - Parameter-set re-sending keeps at most [`PARAM_SET_CAPACITY`] bytes per parameter
//!   set; a larger one is not cached (and a stale cached copy is forgotten).
//! - A frame ends only on the marker bit: a sender that never sets it (non-conformant for
//!   all codecs here) has every frame reported as dropped (`MarkerMissing`).
//! - A sequence gap breaks the frame the next packet belongs to, even if the lost packets
//!   might have been whole earlier frames: the decoder has lost a reference anyway.
//! - VP8: the payload descriptor's picture id, TL0PICIDX and TID/KEYIDX are parsed and
//!   skipped, not used for loss detection (the sequence numbers are).

mod assemble;
mod nal;

pub mod audio;
pub mod h264;
pub mod h265;
pub mod vp8;

pub use assemble::{DropReason, Dropped, Event, Frame};
pub use nal::{AnnexB, PARAM_SET_CAPACITY};

use core::fmt;
use core::time::Duration;

/// Everything that can go wrong packetizing a frame or depacketizing a payload.
///
/// A peer's malformed payload is one of these, never a panic; the frame it belonged to is
/// also reported as dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The output buffer is shorter than the payloader's `max_payload`.
    BufferTooSmall,
    /// `max_payload` cannot hold even one fragment with its headers.
    MaxPayloadTooSmall,
    /// The frame has no data (or, for Annex-B, no NAL unit).
    EmptyFrame,
    /// Annex-B input that does not begin with a start code.
    NoStartCode,
    /// An unfragmented frame (Opus) is larger than `max_payload`.
    FrameTooLarge,
    /// The rebuilt frame does not fit the depayloader's storage.
    FrameBufferFull,
    /// A payload shorter than its own headers say (or empty).
    Truncated,
    /// An aggregation packet (STAP-A / AP) whose NAL unit sizes do not add up.
    InvalidAggregate,
    /// A fragmentation unit with both start and end set, or no data.
    InvalidFragment,
    /// A packet type this implementation does not speak (the type is given).
    Unsupported(u8),
    /// A packet older than (or a duplicate of) the last one: the jitter buffer's job.
    StalePacket,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BufferTooSmall => f.write_str("output buffer shorter than max_payload"),
            Error::MaxPayloadTooSmall => f.write_str("max_payload too small for this codec"),
            Error::EmptyFrame => f.write_str("empty frame"),
            Error::NoStartCode => f.write_str("Annex-B data does not begin with a start code"),
            Error::FrameTooLarge => f.write_str("frame larger than max_payload"),
            Error::FrameBufferFull => f.write_str("frame does not fit the depayloader buffer"),
            Error::Truncated => f.write_str("RTP payload truncated"),
            Error::InvalidAggregate => f.write_str("aggregation packet with bad NAL sizes"),
            Error::InvalidFragment => f.write_str("malformed fragmentation unit"),
            Error::Unsupported(t) => write!(f, "unsupported payload type {t}"),
            Error::StalePacket => f.write_str("RTP packet older than the last one"),
        }
    }
}

impl core::error::Error for Error {}

/// What a payloader wrote into the caller's buffer: the sender wraps it in an RTP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayloadMeta {
    /// Payload bytes written at the start of the output buffer.
    pub len: usize,
    /// The RTP marker bit: set on the last packet of a video frame.
    pub marker: bool,
    /// Add to the frame's RTP timestamp (non-zero only for G.711 chunks after the first).
    pub timestamp_offset: u32,
}

/// One received RTP packet as a depayloader needs it: the fields come from the RTP header
/// (after SRTP), the payload without padding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtpPayload<'a> {
    /// The payload after the header, extensions and padding are removed.
    pub payload: &'a [u8],
    /// RTP sequence number: consecutive packets differ by one (mod 2^16).
    pub sequence_number: u16,
    /// RTP timestamp: every packet of one frame shares it.
    pub timestamp: u32,
    /// RTP marker bit: the last packet of a frame.
    pub marker: bool,
}

impl<'a> RtpPayload<'a> {
    /// The fields of a checked RTP packet view.
    pub fn from_packet(packet: &crate::Packet<&'a [u8]>) -> Self {
        RtpPayload {
            payload: packet.payload_ref(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            marker: packet.marker(),
        }
    }
}

/// The largest payload that fits an `mtu`-byte IP datagram after IPv4/UDP (28 bytes), a
/// plain 12-byte RTP header with `header_extra` more bytes (CSRCs, extensions) and an
/// `srtp_tag`-byte SRTP tag; 0 when nothing fits.
pub const fn max_payload(mtu: usize, header_extra: usize, srtp_tag: usize) -> usize {
    mtu.saturating_sub(28 + 12 + header_extra + srtp_tag)
}

/// An RTP media clock: converts capture time into RTP timestamp ticks.
///
/// The RTP timestamp of a frame is `base.wrapping_add(clock.ticks(elapsed))`, with a random
/// `base` per stream (RFC 3550 §5.1); every packet of one frame carries the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    rate: u32,
}

impl Clock {
    /// Video (H.264, H.265, VP8): 90 kHz.
    pub const VIDEO: Clock = Clock { rate: 90_000 };
    /// Opus: always 48 kHz on the wire, whatever the encoder's rate (RFC 7587 §4.1).
    pub const OPUS: Clock = Clock { rate: 48_000 };
    /// G.711 PCMU/PCMA: 8 kHz, one sample per byte.
    pub const G711: Clock = Clock { rate: 8_000 };

    /// A clock of `rate` Hz.
    pub const fn new(rate: u32) -> Clock {
        Clock { rate }
    }

    /// Ticks per second.
    pub const fn rate(self) -> u32 {
        self.rate
    }

    /// Ticks in `micros` microseconds, modulo 2^32 (exact, no overflow for any input).
    pub const fn ticks_from_micros(self, micros: u64) -> u32 {
        let rate = self.rate as u64;
        let whole = (micros / 1_000_000).wrapping_mul(rate);
        let frac = (micros % 1_000_000) * rate / 1_000_000;
        whole.wrapping_add(frac) as u32
    }

    /// Ticks in `elapsed`, modulo 2^32.
    pub const fn ticks(self, elapsed: Duration) -> u32 {
        let rate = self.rate as u64;
        let whole = elapsed.as_secs().wrapping_mul(rate);
        let frac = (elapsed.subsec_nanos() as u64) * rate / 1_000_000_000;
        whole.wrapping_add(frac) as u32
    }

    /// The RTP timestamp `elapsed` after a stream's `base` timestamp.
    pub const fn timestamp(self, base: u32, elapsed: Duration) -> u32 {
        base.wrapping_add(self.ticks(elapsed))
    }
}
