//! The RTP fixed header (RFC 3550 §5.1): a checked view over a packet and the [`Header`]
//! Repr that reads and writes it.

use crate::Error;
use crate::bytes::{put, put_u8, put_u16, put_u32, slice_at, u8_at, u16_at, u32_at, zero};
use crate::ext::{Element, ElementIter, Extension, ExtensionElements, ExtensionKind};
use crate::ext::{ExtensionMap, ExtensionValue};

/// RTP version this crate speaks (RFC 3550).
pub const VERSION: u8 = 2;
/// Size of the fixed header, before CSRCs and extension.
pub const HEADER_LEN: usize = 12;
/// The most CSRCs a header can list (a 4-bit count).
pub const MAX_CSRCS: usize = 15;

/// The contributing sources of a header, in wire order.
pub type Csrcs = heapless::Vec<u32, MAX_CSRCS>;

/// A checked, zero-copy view over an RTP packet.
///
/// [`Packet::new_checked`] validates the version, the CSRC list, the extension block and
/// the padding against the packet's length; every accessor is panic-free regardless (an
/// unchecked view returns zeros and empty slices where bytes are missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps bytes without checking them.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps bytes after [`Packet::check`].
    pub fn new_checked(buffer: T) -> Result<Packet<T>, Error> {
        let packet = Packet::new_unchecked(buffer);
        packet.check()?;
        Ok(packet)
    }

    /// Validates the structure: version 2, the fixed header, CSRCs and extension block all
    /// inside the packet, and a padding count (when the P bit is set) between 1 and the
    /// bytes after the header.
    pub fn check(&self) -> Result<(), Error> {
        let b = self.buffer.as_ref();
        let first = u8_at(b, 0).ok_or(Error::Truncated)?;
        if first >> 6 != VERSION {
            return Err(Error::BadVersion);
        }
        if b.len() < HEADER_LEN {
            return Err(Error::Truncated);
        }
        let header_len = self.header_len_checked().ok_or(Error::Truncated)?;
        if header_len > b.len() {
            return Err(Error::Truncated);
        }
        if self.has_padding() {
            let pad = usize::from(b.last().copied().unwrap_or(0));
            if pad == 0 || pad > b.len() - header_len {
                return Err(Error::BadPadding);
            }
        }
        Ok(())
    }

    /// The header length including CSRCs and extension, `None` if the extension word is
    /// missing.
    fn header_len_checked(&self) -> Option<usize> {
        let b = self.buffer.as_ref();
        let base = HEADER_LEN + 4 * usize::from(self.csrc_count());
        if !self.has_extension() {
            return Some(base);
        }
        let words = u16_at(b, base + 2)?;
        Some(base + 4 + 4 * usize::from(words))
    }

    /// The bytes underneath.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole packet.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    fn byte(&self, at: usize) -> u8 {
        u8_at(self.buffer.as_ref(), at).unwrap_or(0)
    }

    /// The version field (2 in a checked packet).
    pub fn version(&self) -> u8 {
        self.byte(0) >> 6
    }

    /// The P bit: the packet ends with padding whose last byte counts it.
    pub fn has_padding(&self) -> bool {
        self.byte(0) & 0x20 != 0
    }

    /// The X bit: a header extension follows the CSRCs.
    pub fn has_extension(&self) -> bool {
        self.byte(0) & 0x10 != 0
    }

    /// The CC field: how many CSRCs follow the fixed header.
    pub fn csrc_count(&self) -> u8 {
        self.byte(0) & 0x0f
    }

    /// The M bit (end of a video frame, start of a talkspurt).
    pub fn marker(&self) -> bool {
        self.byte(1) & 0x80 != 0
    }

    /// The payload type (7 bits).
    pub fn payload_type(&self) -> u8 {
        self.byte(1) & 0x7f
    }

    /// The sequence number.
    pub fn sequence_number(&self) -> u16 {
        u16_at(self.buffer.as_ref(), 2).unwrap_or(0)
    }

    /// The media timestamp.
    pub fn timestamp(&self) -> u32 {
        u32_at(self.buffer.as_ref(), 4).unwrap_or(0)
    }

    /// The synchronization source.
    pub fn ssrc(&self) -> u32 {
        u32_at(self.buffer.as_ref(), 8).unwrap_or(0)
    }

    /// The CSRCs, in wire order.
    pub fn csrcs(&self) -> impl Iterator<Item = u32> + '_ {
        let b = self.buffer.as_ref();
        (0..usize::from(self.csrc_count())).map_while(move |i| u32_at(b, HEADER_LEN + 4 * i))
    }

    /// The header extension's profile field and body (without the profile/length word),
    /// or `None` without the X bit.
    pub fn extension(&self) -> Option<(u16, &[u8])> {
        extension_of(self.buffer.as_ref())
    }

    /// The header extension's profile field (0xBEDE, 0x100X for RFC 8285).
    pub fn extension_profile(&self) -> Option<u16> {
        self.extension().map(|(profile, _)| profile)
    }

    /// The RFC 8285 elements: `Ok(None)` without an extension or with another profile,
    /// `BadExtension` if the element list is malformed.
    pub fn extension_elements(&self) -> Result<Option<ElementIter<'_>>, Error> {
        match self.extension() {
            None => Ok(None),
            Some((profile, body)) => ElementIter::new(profile, body),
        }
    }

    /// The data of RFC 8285 element `id`, if present (and the list is well formed).
    pub fn extension_element(&self, id: u8) -> Option<&[u8]> {
        self.extension_elements()
            .ok()
            .flatten()?
            .find(|e| e.id == id)
            .map(|e| e.data)
    }

    /// The header's length: fixed part, CSRCs and extension (clamped to the packet).
    pub fn header_len(&self) -> usize {
        header_len_of(self.buffer.as_ref())
    }

    /// The number of padding bytes at the end (0 without the P bit).
    pub fn padding_len(&self) -> usize {
        padding_len_of(self.buffer.as_ref())
    }

    /// The payload, without header and padding.
    pub fn payload(&self) -> &[u8] {
        payload_of(self.buffer.as_ref())
    }
}

impl<'a> Packet<&'a [u8]> {
    /// The payload, borrowed for as long as the underlying bytes (not just the view).
    pub fn payload_ref(&self) -> &'a [u8] {
        payload_of(self.buffer)
    }

    /// The extension profile and body, borrowed for as long as the underlying bytes.
    pub fn extension_ref(&self) -> Option<(u16, &'a [u8])> {
        extension_of(self.buffer)
    }
}

/// Header length of `b` (fixed part, CSRCs, extension), clamped to `b`.
fn header_len_of(b: &[u8]) -> usize {
    let first = u8_at(b, 0).unwrap_or(0);
    let base = HEADER_LEN + 4 * usize::from(first & 0x0f);
    let len = if first & 0x10 == 0 {
        base
    } else {
        match u16_at(b, base + 2) {
            Some(words) => base + 4 + 4 * usize::from(words),
            None => usize::MAX,
        }
    };
    len.min(b.len())
}

/// Padding length of `b`, clamped to what follows the header.
fn padding_len_of(b: &[u8]) -> usize {
    if u8_at(b, 0).unwrap_or(0) & 0x20 == 0 {
        return 0;
    }
    let pad = usize::from(b.last().copied().unwrap_or(0));
    pad.min(b.len() - header_len_of(b))
}

fn payload_of(b: &[u8]) -> &[u8] {
    b.get(header_len_of(b)..b.len() - padding_len_of(b))
        .unwrap_or_default()
}

fn extension_of(b: &[u8]) -> Option<(u16, &[u8])> {
    let first = u8_at(b, 0)?;
    if first & 0x10 == 0 {
        return None;
    }
    let at = HEADER_LEN + 4 * usize::from(first & 0x0f);
    let profile = u16_at(b, at)?;
    let words = u16_at(b, at + 2)?;
    let body = slice_at(b, at + 4, 4 * usize::from(words))?;
    Some((profile, body))
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets or clears the M bit (no-op on an empty buffer).
    pub fn set_marker(&mut self, marker: bool) {
        if let Some(b) = self.buffer.as_mut().get_mut(1) {
            *b = (*b & 0x7f) | (u8::from(marker) << 7);
        }
    }

    /// Rewrites the payload type (e.g. for RTX); values above 127 are masked.
    pub fn set_payload_type(&mut self, payload_type: u8) {
        if let Some(b) = self.buffer.as_mut().get_mut(1) {
            *b = (*b & 0x80) | (payload_type & 0x7f);
        }
    }

    /// Rewrites the sequence number.
    pub fn set_sequence_number(&mut self, seq: u16) {
        let _ = put_u16(self.buffer.as_mut(), 2, seq);
    }

    /// Rewrites the timestamp.
    pub fn set_timestamp(&mut self, timestamp: u32) {
        let _ = put_u32(self.buffer.as_mut(), 4, timestamp);
    }

    /// Rewrites the SSRC.
    pub fn set_ssrc(&mut self, ssrc: u32) {
        let _ = put_u32(self.buffer.as_mut(), 8, ssrc);
    }

    /// The payload, writable in place.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let start = self.header_len();
        let end = self.buffer.as_ref().len() - self.padding_len();
        self.buffer.as_mut().get_mut(start..end).unwrap_or_default()
    }
}

/// The RTP header as values: what a payloader fills in, what a depayloader reads.
///
/// Padding is a property of the packet, not of the header: see [`Packet::padding_len`]
/// and [`Header::emit_packet`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Header<'a> {
    /// The M bit.
    pub marker: bool,
    /// The payload type (0..=127).
    pub payload_type: u8,
    /// The sequence number.
    pub sequence_number: u16,
    /// The media timestamp.
    pub timestamp: u32,
    /// The synchronization source.
    pub ssrc: u32,
    /// Contributing sources (mixers only; cameras send none).
    pub csrcs: Csrcs,
    /// The header extension, if any.
    pub extension: Option<Extension<'a>>,
}

impl<'a> Header<'a> {
    /// A header without CSRCs or extensions.
    pub fn new(payload_type: u8, sequence_number: u16, timestamp: u32, ssrc: u32) -> Header<'a> {
        Header {
            marker: false,
            payload_type,
            sequence_number,
            timestamp,
            ssrc,
            csrcs: Csrcs::new(),
            extension: None,
        }
    }

    /// Reads the header of a packet (checked again here, so an unchecked view is fine).
    /// RFC 8285 extensions are decoded into elements; a malformed element list is
    /// `BadExtension` and more than [`MAX_EXTENSION_ELEMENTS`](crate::MAX_EXTENSION_ELEMENTS)
    /// elements `TooManyExtensions`.
    pub fn parse(packet: &Packet<&'a [u8]>) -> Result<Header<'a>, Error> {
        packet.check()?;
        let mut csrcs = Csrcs::new();
        for c in packet.csrcs() {
            csrcs.push(c).map_err(|_| Error::TooManyCsrcs)?;
        }
        let extension = match packet.extension_ref() {
            None => None,
            Some((profile, body)) => Some(Extension::parse(profile, body)?),
        };
        Ok(Header {
            marker: packet.marker(),
            payload_type: packet.payload_type(),
            sequence_number: packet.sequence_number(),
            timestamp: packet.timestamp(),
            ssrc: packet.ssrc(),
            csrcs,
            extension,
        })
    }

    /// Checks and reads a whole packet: its header and its payload (padding removed).
    pub fn parse_packet(bytes: &'a [u8]) -> Result<(Header<'a>, &'a [u8]), Error> {
        let packet = Packet::new_checked(bytes)?;
        Ok((Header::parse(&packet)?, packet.payload_ref()))
    }

    /// The header's wire size. An extension that cannot be encoded counts as absent (and
    /// [`Header::emit`] refuses it).
    pub fn buffer_len(&self) -> usize {
        let ext = match &self.extension {
            None => 0,
            Some(e) => e.buffer_len().unwrap_or(0),
        };
        HEADER_LEN + 4 * self.csrcs.len() + ext
    }

    /// Writes the header at the start of `buf` (P bit clear); returns its length, where
    /// the payload goes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.emit_with_padding(buf, false)
    }

    fn emit_with_padding(&self, buf: &mut [u8], padding: bool) -> Result<usize, Error> {
        if self.payload_type > 0x7f {
            return Err(Error::ValueOutOfRange);
        }
        let ext_len = match &self.extension {
            None => 0,
            Some(e) => e.buffer_len()?,
        };
        let len = HEADER_LEN + 4 * self.csrcs.len() + ext_len;
        if buf.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        let too_small = Error::BufferTooSmall { needed: len };
        let first = (VERSION << 6)
            | (u8::from(padding) << 5)
            | (u8::from(self.extension.is_some()) << 4)
            | (self.csrcs.len() as u8);
        put_u8(buf, 0, first).ok_or(too_small)?;
        put_u8(buf, 1, (u8::from(self.marker) << 7) | self.payload_type).ok_or(too_small)?;
        put_u16(buf, 2, self.sequence_number).ok_or(too_small)?;
        put_u32(buf, 4, self.timestamp).ok_or(too_small)?;
        put_u32(buf, 8, self.ssrc).ok_or(too_small)?;
        let mut at = HEADER_LEN;
        for c in &self.csrcs {
            put_u32(buf, at, *c).ok_or(too_small)?;
            at += 4;
        }
        if let Some(e) = &self.extension {
            let rest = buf.get_mut(at..).ok_or(too_small)?;
            at += e.emit(rest).map_err(|err| match err {
                Error::BufferTooSmall { .. } => too_small,
                other => other,
            })?;
        }
        Ok(at)
    }

    /// Writes a whole packet: header, `payload`, and `padding` bytes of padding (0 for
    /// none; the last padding byte holds the count, the others are zero). Returns the
    /// packet's length.
    pub fn emit_packet(&self, payload: &[u8], padding: u8, buf: &mut [u8]) -> Result<usize, Error> {
        let len = self.buffer_len() + payload.len() + usize::from(padding);
        if buf.len() < len {
            return Err(Error::BufferTooSmall { needed: len });
        }
        let too_small = Error::BufferTooSmall { needed: len };
        let at = self
            .emit_with_padding(buf, padding != 0)
            .map_err(|err| match err {
                Error::BufferTooSmall { .. } => too_small,
                other => other,
            })?;
        put(buf, at, payload).ok_or(too_small)?;
        let at = at + payload.len();
        if padding != 0 {
            let n = usize::from(padding);
            zero(buf, at, n - 1).ok_or(too_small)?;
            put_u8(buf, at + n - 1, padding).ok_or(too_small)?;
        }
        Ok(at + usize::from(padding))
    }

    /// Adds RFC 8285 element `id` with `data` (creating the extension block if needed).
    /// `ValueOutOfRange` for id 0, data over 255 bytes, or an opaque extension already in
    /// place; `TooManyExtensions` when full.
    pub fn push_extension(&mut self, id: u8, data: &'a [u8]) -> Result<(), Error> {
        if id == 0 || data.len() > 255 {
            return Err(Error::ValueOutOfRange);
        }
        let ext = self
            .extension
            .get_or_insert_with(|| Extension::Elements(ExtensionElements::new()));
        match ext {
            Extension::Elements(elements) => elements
                .push(Element { id, data })
                .map_err(|_| Error::TooManyExtensions),
            Extension::Raw { .. } => Err(Error::ValueOutOfRange),
        }
    }

    /// The data of RFC 8285 element `id`.
    pub fn extension_data(&self, id: u8) -> Option<&'a [u8]> {
        self.extension.as_ref()?.get(id)
    }

    /// The typed value of `kind` under the negotiated `map`: `None` if not negotiated or
    /// absent, `Some(Err)` if malformed.
    pub fn extension_value(
        &self,
        map: &ExtensionMap,
        kind: ExtensionKind,
    ) -> Option<Result<ExtensionValue<'a>, Error>> {
        let data = self.extension_data(map.id(kind)?)?;
        Some(ExtensionValue::decode(kind, data))
    }
}
