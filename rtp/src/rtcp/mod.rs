//! RTCP (RFC 3550 §6, RFC 4585, RFC 5104, RFC 5506): the packet view, the compound
//! iterator, a [`Repr`] per packet type and the compound emitter.
//!
//! Lists inside packets (report blocks, SDES chunks, NACK pairs...) are [`List`]s: on
//! parse they borrow the received bytes and decode items on demand, on emit they borrow
//! the caller's values. No Repr copies or bounds more than a few words.

mod feedback;
mod list;
mod report;
mod sdes;
mod twcc;

use crate::Error;
use crate::bytes::{put_u8, put_u16, slice_at, u8_at, u16_at, u32_at};

pub use feedback::{App, Bye, Fir, FirEntry, MAX_REMB_BITRATE, Nack, NackPair, Pli, Remb};
pub use list::{List, ListIter, WireItem};
pub use report::{ReceiverReport, ReportBlock, SenderReport};
pub use sdes::{Sdes, SdesChunk, SdesChunks, SdesItem, SdesItems, sdes_type};
pub use twcc::{DELTA_TICK_US, REFERENCE_TICK_US, TransportFeedback, TwccIter, TwccStatuses};

/// Size of the common RTCP header (V, P, count, PT, length).
pub const HEADER_LEN: usize = 4;
/// The most items a 5-bit count field can announce (report blocks, SDES chunks, BYE SSRCs).
pub const MAX_COUNT: usize = 31;

/// Packet type numbers (RFC 3550, RFC 4585).
pub mod packet_type {
    /// Sender report.
    pub const SR: u8 = 200;
    /// Receiver report.
    pub const RR: u8 = 201;
    /// Source description.
    pub const SDES: u8 = 202;
    /// Goodbye.
    pub const BYE: u8 = 203;
    /// Application-defined.
    pub const APP: u8 = 204;
    /// Transport-layer feedback (RFC 4585): generic NACK, transport-wide CC.
    pub const RTPFB: u8 = 205;
    /// Payload-specific feedback (RFC 4585): PLI, FIR, REMB.
    pub const PSFB: u8 = 206;
}

/// Feedback message types (the FMT field of RTPFB/PSFB).
pub mod fmt {
    /// RTPFB generic NACK (RFC 4585 §6.2.1).
    pub const NACK: u8 = 1;
    /// RTPFB transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    pub const TWCC: u8 = 15;
    /// PSFB picture loss indication (RFC 4585 §6.3.1).
    pub const PLI: u8 = 1;
    /// PSFB full intra request (RFC 5104 §4.3.1).
    pub const FIR: u8 = 4;
    /// PSFB application layer feedback; REMB is one (draft-alvestrand-rmcat-remb).
    pub const AFB: u8 = 15;
}

/// Whether a datagram on a muxed RTP/RTCP port is RTCP (RFC 5761 §4: the second byte,
/// RTP's M bit + payload type, falls in 192..=223 for RTCP packet types).
pub fn is_rtcp(datagram: &[u8]) -> bool {
    matches!(u8_at(datagram, 1), Some(192..=223))
        && matches!(u8_at(datagram, 0), Some(b) if b >> 6 == 2)
}

/// A checked, zero-copy view over one RTCP packet (the first one in its buffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps bytes without checking them (accessors stay panic-free).
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps bytes after [`Packet::check`].
    pub fn new_checked(buffer: T) -> Result<Packet<T>, Error> {
        let p = Packet::new_unchecked(buffer);
        p.check()?;
        Ok(p)
    }

    /// Validates version 2, the length field against the buffer (which may hold more
    /// packets after this one), and the padding count when the P bit is set.
    pub fn check(&self) -> Result<(), Error> {
        let b = self.buffer.as_ref();
        let first = u8_at(b, 0).ok_or(Error::Truncated)?;
        if first >> 6 != 2 {
            return Err(Error::BadVersion);
        }
        let words = u16_at(b, 2).ok_or(Error::Truncated)?;
        let len = 4 * (usize::from(words) + 1);
        if len > b.len() {
            return Err(Error::Truncated);
        }
        if self.has_padding() {
            let pad = usize::from(u8_at(b, len - 1).unwrap_or(0));
            if pad == 0 || pad > len - HEADER_LEN {
                return Err(Error::BadPadding);
            }
        }
        Ok(())
    }

    /// The bytes underneath.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn byte(&self, at: usize) -> u8 {
        u8_at(self.buffer.as_ref(), at).unwrap_or(0)
    }

    /// The version field (2 in a checked packet).
    pub fn version(&self) -> u8 {
        self.byte(0) >> 6
    }

    /// The P bit.
    pub fn has_padding(&self) -> bool {
        self.byte(0) & 0x20 != 0
    }

    /// The 5-bit count field: report count, source count, APP subtype or feedback FMT.
    pub fn count(&self) -> u8 {
        self.byte(0) & 0x1f
    }

    /// The packet type (see [`packet_type`]).
    pub fn packet_type(&self) -> u8 {
        self.byte(1)
    }

    /// This packet's length in bytes, from its length field (clamped to the buffer).
    pub fn total_len(&self) -> usize {
        let b = self.buffer.as_ref();
        let words = u16_at(b, 2).map_or(0, usize::from);
        (4 * (words + 1)).min(b.len())
    }

    /// Padding bytes at the end of this packet (0 without the P bit).
    pub fn padding_len(&self) -> usize {
        if !self.has_padding() {
            return 0;
        }
        let len = self.total_len();
        let pad = usize::from(u8_at(self.buffer.as_ref(), len.wrapping_sub(1)).unwrap_or(0));
        pad.min(len.saturating_sub(HEADER_LEN))
    }

    /// The bytes after the 4-byte header, without padding.
    pub fn body(&self) -> &[u8] {
        body_of(self.buffer.as_ref(), self.total_len(), self.padding_len())
    }

    /// The first 32-bit word after the header: the sender's SSRC for SR, RR, APP and
    /// feedback packets (the first chunk's or source's SSRC for SDES and BYE).
    pub fn ssrc(&self) -> u32 {
        u32_at(self.buffer.as_ref(), HEADER_LEN).unwrap_or(0)
    }

    /// This packet's bytes (header to padding included).
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer
            .as_ref()
            .get(..self.total_len())
            .unwrap_or_default()
    }
}

impl<'a> Packet<&'a [u8]> {
    /// [`Packet::body`], borrowed for as long as the underlying bytes.
    pub fn body_ref(&self) -> &'a [u8] {
        body_of(self.buffer, self.total_len(), self.padding_len())
    }
}

fn body_of(b: &[u8], total: usize, pad: usize) -> &[u8] {
    b.get(HEADER_LEN..total.saturating_sub(pad))
        .unwrap_or_default()
}

/// A checked compound RTCP datagram.
///
/// [`Compound::new_checked`] walks every packet: each must be version 2 with a length
/// inside the datagram and the packets must exactly fill it. The first must be SR or RR
/// (RFC 3550 §6.1) unless it is a feedback packet (RTPFB/PSFB), which RFC 5506 allows
/// alone or followed by others when reduced-size RTCP was negotiated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Compound<'a> {
    bytes: &'a [u8],
}

impl<'a> Compound<'a> {
    /// Checks a datagram's packet structure (not each packet's contents: see [`Repr::parse`]).
    pub fn new_checked(bytes: &'a [u8]) -> Result<Compound<'a>, Error> {
        let mut rest = bytes;
        let mut first = true;
        if bytes.is_empty() {
            return Err(Error::Truncated);
        }
        while !rest.is_empty() {
            let p = Packet::new_checked(rest)?;
            if first {
                first = false;
                if !matches!(
                    p.packet_type(),
                    packet_type::SR | packet_type::RR | packet_type::RTPFB | packet_type::PSFB
                ) {
                    return Err(Error::BadCompound);
                }
            }
            rest = rest.get(p.total_len()..).unwrap_or_default();
        }
        Ok(Compound { bytes })
    }

    /// The whole datagram.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Whether this is a reduced-size datagram (RFC 5506): it does not start with SR/RR.
    pub fn is_reduced_size(&self) -> bool {
        !matches!(
            u8_at(self.bytes, 1),
            Some(packet_type::SR | packet_type::RR)
        )
    }

    /// The packets, in order.
    pub fn packets(&self) -> CompoundIter<'a> {
        CompoundIter { rest: self.bytes }
    }

    /// Each packet decoded ([`Repr::parse`]); undecodable ones are `Err` and iteration
    /// goes on with the next.
    pub fn reprs(&self) -> impl Iterator<Item = Result<Repr<'a>, Error>> + 'a {
        self.packets().map(|p| Repr::parse(&p))
    }
}

/// Iterator over the packets of a datagram. Over a [`Compound`] it yields every packet;
/// built with [`CompoundIter::new`] over unchecked bytes, it stops at the first packet
/// whose header or length is bad.
#[derive(Debug, Clone)]
pub struct CompoundIter<'a> {
    rest: &'a [u8],
}

impl<'a> CompoundIter<'a> {
    /// Iterates packets of unchecked bytes, stopping at the first bad one (lenient
    /// receivers; [`Compound::new_checked`] is the strict way).
    pub fn new(bytes: &'a [u8]) -> CompoundIter<'a> {
        CompoundIter { rest: bytes }
    }
}

impl<'a> Iterator for CompoundIter<'a> {
    type Item = Packet<&'a [u8]>;

    fn next(&mut self) -> Option<Packet<&'a [u8]>> {
        let Ok(p) = Packet::new_checked(self.rest) else {
            self.rest = &[];
            return None;
        };
        let len = p.total_len();
        let (this, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        Some(Packet::new_unchecked(this))
    }
}

/// One RTCP packet as values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Repr<'a> {
    /// SR (RFC 3550 §6.4.1).
    SenderReport(SenderReport<'a>),
    /// RR (RFC 3550 §6.4.2).
    ReceiverReport(ReceiverReport<'a>),
    /// SDES (RFC 3550 §6.5).
    Sdes(Sdes<'a>),
    /// BYE (RFC 3550 §6.6).
    Bye(Bye<'a>),
    /// APP (RFC 3550 §6.7).
    App(App<'a>),
    /// Generic NACK (RFC 4585 §6.2.1).
    Nack(Nack<'a>),
    /// Transport-wide congestion control feedback.
    TransportFeedback(TransportFeedback<'a>),
    /// Picture loss indication (RFC 4585 §6.3.1).
    Pli(Pli),
    /// Full intra request (RFC 5104 §4.3.1).
    Fir(Fir<'a>),
    /// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb).
    Remb(Remb<'a>),
}

impl<'a> Repr<'a> {
    /// Decodes one packet. `Unsupported` for packet types and FMTs not listed in [`Repr`]
    /// (XR, other feedback): skip those.
    pub fn parse(packet: &Packet<&'a [u8]>) -> Result<Repr<'a>, Error> {
        packet.check()?;
        let count = packet.count();
        let body = packet.body_ref();
        Ok(match (packet.packet_type(), count) {
            (packet_type::SR, _) => Repr::SenderReport(SenderReport::parse(count, body)?),
            (packet_type::RR, _) => Repr::ReceiverReport(ReceiverReport::parse(count, body)?),
            (packet_type::SDES, _) => Repr::Sdes(Sdes::parse(count, body)?),
            (packet_type::BYE, _) => Repr::Bye(Bye::parse(count, body)?),
            (packet_type::APP, _) => Repr::App(App::parse(count, body)?),
            (packet_type::RTPFB, fmt::NACK) => Repr::Nack(Nack::parse(body)?),
            (packet_type::RTPFB, fmt::TWCC) => {
                Repr::TransportFeedback(TransportFeedback::parse(body)?)
            }
            (packet_type::PSFB, fmt::PLI) => Repr::Pli(Pli::parse(body)?),
            (packet_type::PSFB, fmt::FIR) => Repr::Fir(Fir::parse(body)?),
            (packet_type::PSFB, fmt::AFB) => Repr::Remb(Remb::parse(body)?),
            _ => return Err(Error::Unsupported),
        })
    }

    /// Checks and decodes the first packet of `bytes`.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Repr<'a>, Error> {
        Repr::parse(&Packet::new_checked(bytes)?)
    }

    /// This packet's wire size (a multiple of 4). An unencodable packet reports what it
    /// would take if its fields were valid; [`Repr::emit`] refuses it.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                Repr::SenderReport(p) => p.body_len(),
                Repr::ReceiverReport(p) => p.body_len(),
                Repr::Sdes(p) => p.body_len(),
                Repr::Bye(p) => p.body_len(),
                Repr::App(p) => p.body_len(),
                Repr::Nack(p) => p.body_len(),
                Repr::TransportFeedback(p) => p.body_len(),
                Repr::Pli(p) => p.body_len(),
                Repr::Fir(p) => p.body_len(),
                Repr::Remb(p) => p.body_len(),
            }
    }

    /// Writes this packet at the start of `buf`; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len();
        if buf.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        let body = buf
            .get_mut(HEADER_LEN..len)
            .ok_or(Error::BufferTooSmall { needed: len })?;
        let (pt, count, pad) = match self {
            Repr::SenderReport(p) => (packet_type::SR, p.emit_body(body)?, 0),
            Repr::ReceiverReport(p) => (packet_type::RR, p.emit_body(body)?, 0),
            Repr::Sdes(p) => (packet_type::SDES, p.emit_body(body)?, 0),
            Repr::Bye(p) => (packet_type::BYE, p.emit_body(body)?, 0),
            Repr::App(p) => (packet_type::APP, p.emit_body(body)?, 0),
            Repr::Nack(p) => (packet_type::RTPFB, p.emit_body(body)?, 0),
            Repr::TransportFeedback(p) => {
                let pad = p.emit_body(body)?;
                (packet_type::RTPFB, fmt::TWCC, pad)
            }
            Repr::Pli(p) => (packet_type::PSFB, p.emit_body(body)?, 0),
            Repr::Fir(p) => (packet_type::PSFB, p.emit_body(body)?, 0),
            Repr::Remb(p) => (packet_type::PSFB, p.emit_body(body)?, 0),
        };
        write_header(buf, pad != 0, count, pt, len)?;
        Ok(len)
    }
}

/// Writes the common header for a `len`-byte packet.
fn write_header(buf: &mut [u8], padding: bool, count: u8, pt: u8, len: usize) -> Result<(), Error> {
    let words = u16::try_from(len / 4 - 1).map_err(|_| Error::ValueOutOfRange)?;
    let first = 0x80 | (u8::from(padding) << 5) | (count & 0x1f);
    put_u8(buf, 0, first)
        .and_then(|()| put_u8(buf, 1, pt))
        .and_then(|()| put_u16(buf, 2, words))
        .ok_or(Error::BufferTooSmall { needed: len })
}

/// Writes `packets` back to back into `buf` (a compound packet: put an SR or RR first,
/// or a feedback packet for reduced-size RTCP); returns the total length.
pub fn emit_compound(packets: &[Repr<'_>], buf: &mut [u8]) -> Result<usize, Error> {
    let total: usize = packets.iter().map(Repr::buffer_len).sum();
    if buf.len() < total {
        return Err(Error::BufferTooSmall { needed: total });
    }
    let mut at = 0;
    for p in packets {
        let rest = buf
            .get_mut(at..)
            .ok_or(Error::BufferTooSmall { needed: total })?;
        at += p.emit(rest).map_err(|e| match e {
            Error::BufferTooSmall { .. } => Error::BufferTooSmall { needed: total },
            other => other,
        })?;
    }
    Ok(at)
}

/// Bytes `at..at+len` of a body, or `Truncated`.
pub(crate) fn field(body: &[u8], at: usize, len: usize) -> Result<&[u8], Error> {
    slice_at(body, at, len).ok_or(Error::Truncated)
}

/// The 32-bit word at `at` of a body, or `Truncated`.
pub(crate) fn word(body: &[u8], at: usize) -> Result<u32, Error> {
    u32_at(body, at).ok_or(Error::Truncated)
}
