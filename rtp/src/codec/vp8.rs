//! VP8 over RTP (RFC 7741).
//!
//! Sending: every payload starts with a 4-byte descriptor: X=1, S=1 and PID=0 on the
//! frame's first packet, I=1 with a 15-bit picture id (M=1) that advances by one per
//! frame. The frame is split in order into chunks as large as `max_payload` allows (no partition
//! boundaries: PID is always 0, which RFC 7741 §4.4 allows).

use super::assemble::{Assembler, DropReason};
use super::{Error, Event, PayloadMeta, RtpPayload};

/// The payload descriptor the payloader writes: X, I, M + 15-bit picture id.
const DESCRIPTOR: usize = 4;

/// Whether a VP8 frame (its first bytes) is a key frame: P bit of the frame tag clear.
pub fn is_keyframe(frame: &[u8]) -> bool {
    frame.first().is_some_and(|b| b & 1 == 0)
}

/// Packetizes VP8 frames into RTP payloads of at most `max_payload` bytes.
#[derive(Debug, Clone)]
pub struct Vp8Payloader {
    max_payload: usize,
    picture_id: u16,
}

impl Vp8Payloader {
    /// A payloader for payloads of at most `max_payload` bytes (at least 5), picture ids
    /// starting at 0.
    pub const fn new(max_payload: usize) -> Self {
        Vp8Payloader {
            max_payload,
            picture_id: 0,
        }
    }

    /// Starts picture ids at `id` (15 bits; a random start hides the stream's age).
    pub const fn with_picture_id(mut self, id: u16) -> Self {
        self.picture_id = id & 0x7fff;
        self
    }

    /// The picture id the next frame gets.
    pub const fn picture_id(&self) -> u16 {
        self.picture_id
    }

    /// Starts packetizing one frame; its picture id is taken now.
    pub fn frame<'a>(&mut self, frame: &'a [u8]) -> Result<Vp8Frame<'a>, Error> {
        if self.max_payload <= DESCRIPTOR {
            return Err(Error::MaxPayloadTooSmall);
        }
        if frame.is_empty() {
            return Err(Error::EmptyFrame);
        }
        let id = self.picture_id;
        self.picture_id = (id + 1) & 0x7fff;
        Ok(Vp8Frame {
            rest: frame,
            first: true,
            max_payload: self.max_payload,
            picture_id: id,
        })
    }
}

/// The payloads of one VP8 frame, written one at a time.
#[derive(Debug)]
pub struct Vp8Frame<'a> {
    rest: &'a [u8],
    first: bool,
    max_payload: usize,
    picture_id: u16,
}

impl Vp8Frame<'_> {
    /// Whether this frame is a key frame.
    pub fn is_keyframe(&self) -> bool {
        self.first && is_keyframe(self.rest)
    }

    /// The frame's picture id.
    pub fn picture_id(&self) -> u16 {
        self.picture_id
    }

    /// Writes the next payload at the start of `out` (at least `max_payload` bytes long);
    /// `None` once the frame is sent. The last payload carries the marker.
    pub fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, Error> {
        let out = out
            .get_mut(..self.max_payload)
            .ok_or(Error::BufferTooSmall)?;
        if self.rest.is_empty() {
            return Ok(None);
        }
        let chunk = self.rest.len().min(self.max_payload - DESCRIPTOR);
        let (data, rest) = self.rest.split_at(chunk);
        let [hi, lo] = self.picture_id.to_be_bytes();
        let s = if self.first { 0x10 } else { 0 };
        let (d, tail) = out.split_at_mut(DESCRIPTOR);
        d.copy_from_slice(&[0x80 | s, 0x80, 0x80 | hi, lo]);
        if let Some(dst) = tail.get_mut(..chunk) {
            dst.copy_from_slice(data);
        }
        self.rest = rest;
        self.first = false;
        Ok(Some(PayloadMeta {
            len: DESCRIPTOR + chunk,
            marker: rest.is_empty(),
            timestamp_offset: 0,
        }))
    }
}

/// A parsed VP8 payload descriptor (RFC 7741 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Descriptor {
    /// S: the first packet of a partition.
    pub start: bool,
    /// PID: the partition index.
    pub partition: u8,
    /// N: a non-reference frame (can be discarded).
    pub non_reference: bool,
    /// The 7- or 15-bit picture id, if present.
    pub picture_id: Option<u16>,
    /// The descriptor's size: the VP8 payload follows it.
    pub len: usize,
}

impl Descriptor {
    /// Parses the descriptor at the start of an RTP payload.
    pub fn parse(payload: &[u8]) -> Result<Descriptor, Error> {
        let (&b0, mut rest) = payload.split_first().ok_or(Error::Truncated)?;
        let mut picture_id = None;
        if b0 & 0x80 != 0 {
            let (&x, r) = rest.split_first().ok_or(Error::Truncated)?;
            rest = r;
            if x & 0x80 != 0 {
                let (&p0, r) = rest.split_first().ok_or(Error::Truncated)?;
                rest = r;
                if p0 & 0x80 != 0 {
                    let (&p1, r) = rest.split_first().ok_or(Error::Truncated)?;
                    rest = r;
                    picture_id = Some(u16::from_be_bytes([p0 & 0x7f, p1]));
                } else {
                    picture_id = Some(u16::from(p0));
                }
            }
            // TL0PICIDX (L), then one byte for TID/Y/KEYIDX (T or K).
            let skip = usize::from(x & 0x40 != 0) + usize::from(x & 0x30 != 0);
            rest = rest.get(skip..).ok_or(Error::Truncated)?;
        }
        Ok(Descriptor {
            start: b0 & 0x10 != 0,
            partition: b0 & 0x07,
            non_reference: b0 & 0x20 != 0,
            picture_id,
            len: payload.len() - rest.len(),
        })
    }
}

/// Rebuilds VP8 frames from RTP payloads into caller storage `B`.
#[derive(Debug)]
pub struct Vp8Depayloader<B> {
    asm: Assembler<B>,
    started: bool,
}

impl<B: AsMut<[u8]> + AsRef<[u8]>> Vp8Depayloader<B> {
    /// A depayloader whose largest frame is `buf`'s length.
    pub fn new(buf: B) -> Self {
        Vp8Depayloader {
            asm: Assembler::new(buf),
            started: false,
        }
    }

    /// Takes the next packet in sequence order; then drain [`poll`](Self::poll). An error
    /// is about this packet (it also drops its frame); the depayloader stays usable.
    pub fn push(&mut self, packet: RtpPayload<'_>) -> Result<(), Error> {
        let started = &mut self.started;
        self.asm.push(packet, |asm, new_frame, payload| {
            if new_frame {
                *started = false;
            }
            let d = Descriptor::parse(payload)?;
            let data = payload.get(d.len..).unwrap_or_default();
            if data.is_empty() {
                return Err(Error::Truncated);
            }
            if d.start && d.partition == 0 {
                if *started {
                    // A second frame start under one timestamp.
                    asm.fail(DropReason::Malformed);
                }
                *started = true;
                if is_keyframe(data) {
                    asm.set_keyframe();
                }
            } else if !*started {
                asm.fail(DropReason::FragmentStartMissing);
                return Ok(());
            }
            asm.append(&[data])
        })
    }

    /// The next dropped or completed frame.
    pub fn poll(&mut self) -> Option<Event<'_>> {
        self.asm.poll()
    }

    /// The frame storage back.
    pub fn into_inner(self) -> B {
        self.asm.into_inner()
    }
}
