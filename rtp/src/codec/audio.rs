//! Audio: Opus (RFC 7587) and G.711 PCMU/PCMA (RFC 3551).
//!
//! Opus puts exactly one Opus packet (one encoder call, 2.5 to 120 ms) in each RTP packet,
//! at a 48 kHz timestamp clock whatever the encoder's rate. G.711 is one byte per sample
//! at 8 kHz and may be cut anywhere; the payloader cuts a buffer of samples into packets
//! of `ptime`.

use super::{Error, PayloadMeta};

/// Writes Opus packets as RTP payloads.
#[derive(Debug, Clone, Copy)]
pub struct OpusPayloader {
    max_payload: usize,
}

impl OpusPayloader {
    /// A payloader for payloads of at most `max_payload` bytes.
    pub const fn new(max_payload: usize) -> Self {
        OpusPayloader { max_payload }
    }

    /// Copies one Opus packet into `out` as one payload (never fragmented: RFC 7587 has no
    /// fragmentation, so a packet above `max_payload` is an error). The marker stays
    /// clear (RFC 7587 §4.2: it may mark the end of DTX; the sender decides).
    pub fn payload_into(&self, opus_packet: &[u8], out: &mut [u8]) -> Result<PayloadMeta, Error> {
        if opus_packet.is_empty() {
            return Err(Error::EmptyFrame);
        }
        if opus_packet.len() > self.max_payload {
            return Err(Error::FrameTooLarge);
        }
        let dst = out
            .get_mut(..opus_packet.len())
            .ok_or(Error::BufferTooSmall)?;
        dst.copy_from_slice(opus_packet);
        Ok(PayloadMeta {
            len: opus_packet.len(),
            marker: false,
            timestamp_offset: 0,
        })
    }
}

/// The Opus packet in an RTP payload (zero copy: the payload is the packet). Empty
/// payloads are rejected: there is nothing to decode (conceal the loss instead).
pub fn opus_depayload(payload: &[u8]) -> Result<&[u8], Error> {
    if payload.is_empty() {
        Err(Error::Truncated)
    } else {
        Ok(payload)
    }
}

/// The number of 48 kHz samples (per channel) an Opus packet decodes to, from its TOC
/// byte and frame count (RFC 6716 §3.1); what the RTP timestamp advances by.
pub fn opus_samples(packet: &[u8]) -> Result<u32, Error> {
    let (&toc, rest) = packet.split_first().ok_or(Error::Truncated)?;
    let config = toc >> 3;
    // Frame size in 48 kHz samples per configuration (RFC 6716 §3.1, Table 2).
    // SILK and hybrid: 10, 20, 40, 60 ms (hybrid only 10, 20); CELT: 2.5, 5, 10, 20 ms.
    let frame: u32 = match config {
        0..=11 => 480 << (config & 3),
        12..=15 => 480 << (config & 1),
        _ => 120 << (config & 3),
    };
    // SILK's 60 ms is 3 * 20 ms, not 4 * 10 ms.
    let frame = if config <= 11 && config & 3 == 3 {
        2880
    } else {
        frame
    };
    let frames = match toc & 3 {
        0 => 1,
        1 | 2 => 2,
        _ => u32::from(rest.first().ok_or(Error::Truncated)? & 0x3f),
    };
    Ok(frame * frames)
}

/// Cuts G.711 (PCMU/PCMA) samples into RTP payloads of `ptime` samples.
#[derive(Debug, Clone, Copy)]
pub struct G711Payloader {
    max_payload: usize,
    packet_samples: usize,
}

impl G711Payloader {
    /// A payloader for payloads of at most `max_payload` bytes, 20 ms (160 samples) each.
    pub const fn new(max_payload: usize) -> Self {
        G711Payloader {
            max_payload,
            packet_samples: 160,
        }
    }

    /// Samples per packet (8 per millisecond); capped by `max_payload`.
    pub const fn with_packet_samples(mut self, samples: usize) -> Self {
        self.packet_samples = samples;
        self
    }

    /// Starts cutting `samples` (one byte each) into payloads.
    pub fn frame<'a>(&self, samples: &'a [u8]) -> Result<G711Frame<'a>, Error> {
        let chunk = self.max_payload.min(self.packet_samples);
        if chunk == 0 {
            return Err(Error::MaxPayloadTooSmall);
        }
        if samples.is_empty() {
            return Err(Error::EmptyFrame);
        }
        Ok(G711Frame {
            rest: samples,
            chunk,
            offset: 0,
        })
    }
}

/// The payloads of one buffer of G.711 samples.
#[derive(Debug)]
pub struct G711Frame<'a> {
    rest: &'a [u8],
    chunk: usize,
    offset: u32,
}

impl G711Frame<'_> {
    /// Writes the next payload (at most `chunk` samples) into `out`; its
    /// `timestamp_offset` is the number of samples before it.
    pub fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, Error> {
        if self.rest.is_empty() {
            return Ok(None);
        }
        let n = self.rest.len().min(self.chunk);
        let dst = out.get_mut(..n).ok_or(Error::BufferTooSmall)?;
        let (data, rest) = self.rest.split_at(n);
        dst.copy_from_slice(data);
        self.rest = rest;
        let offset = self.offset;
        self.offset = offset.wrapping_add(n as u32);
        Ok(Some(PayloadMeta {
            len: n,
            marker: false,
            timestamp_offset: offset,
        }))
    }
}
