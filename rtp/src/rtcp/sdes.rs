//! Source description (RFC 3550 §6.5): chunks of (type, text) items per source.

use core::fmt;

use super::MAX_COUNT;
use crate::Error;
use crate::bytes::{pad4, put, put_u32, u8_at, u32_at, zero};

/// SDES item types (RFC 3550 §6.5).
pub mod sdes_type {
    /// Ends a chunk's item list (never an item).
    pub const END: u8 = 0;
    /// Canonical end-point identifier: the one item WebRTC sends.
    pub const CNAME: u8 = 1;
    /// User name.
    pub const NAME: u8 = 2;
    /// E-mail address.
    pub const EMAIL: u8 = 3;
    /// Phone number.
    pub const PHONE: u8 = 4;
    /// Geographic location.
    pub const LOC: u8 = 5;
    /// Application or tool name.
    pub const TOOL: u8 = 6;
    /// Notice/status.
    pub const NOTE: u8 = 7;
    /// Private extension (prefix length, prefix, value inside `text`).
    pub const PRIV: u8 = 8;
}

/// One SDES item; `text` is borrowed (UTF-8 per the RFC, not checked here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesItem<'a> {
    /// The item type (see [`sdes_type`]), never 0.
    pub kind: u8,
    /// The item's value, at most 255 bytes.
    pub text: &'a [u8],
}

#[derive(Clone, Copy)]
enum ItemsInner<'a> {
    /// Validated item bytes (type, length, text...) without the END octet.
    Wire(&'a [u8]),
    Values(&'a [SdesItem<'a>]),
}

/// The items of one chunk: received bytes or the caller's values.
#[derive(Clone, Copy)]
pub struct SdesItems<'a>(ItemsInner<'a>);

impl<'a> SdesItems<'a> {
    /// Items to emit.
    pub const fn from_values(items: &'a [SdesItem<'a>]) -> SdesItems<'a> {
        SdesItems(ItemsInner::Values(items))
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = SdesItem<'a>> + 'a {
        let (wire, values): (&'a [u8], &'a [SdesItem<'a>]) = match self.0 {
            ItemsInner::Wire(b) => (b, &[]),
            ItemsInner::Values(v) => (&[], v),
        };
        let mut at = 0;
        let from_wire = core::iter::from_fn(move || {
            let kind = u8_at(wire, at)?;
            let len = usize::from(u8_at(wire, at + 1)?);
            let text = wire.get(at + 2..at + 2 + len)?;
            at += 2 + len;
            Some(SdesItem { kind, text })
        });
        from_wire.chain(values.iter().copied())
    }

    /// The value of the first item of type `kind`.
    pub fn get(&self, kind: u8) -> Option<&'a [u8]> {
        self.iter().find(|i| i.kind == kind).map(|i| i.text)
    }

    /// Bytes of the items, the END octet and padding (from the chunk's SSRC on, so the
    /// total with the 4-byte SSRC is a multiple of 4).
    fn wire_len(&self) -> usize {
        let items: usize = self.iter().map(|i| 2 + i.text.len()).sum();
        pad4(4 + items + 1) - 4
    }
}

impl PartialEq for SdesItems<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SdesItems<'_> {}

impl fmt::Debug for SdesItems<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One chunk: a source and its items.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SdesChunk<'a> {
    /// The source described.
    pub ssrc: u32,
    /// Its items.
    pub items: SdesItems<'a>,
}

impl<'a> SdesChunk<'a> {
    /// The CNAME item, if present.
    pub fn cname(&self) -> Option<&'a [u8]> {
        self.items.get(sdes_type::CNAME)
    }

    /// Reads one chunk at the start of `b`: the chunk and its padded length.
    fn read(b: &'a [u8]) -> Result<(SdesChunk<'a>, usize), Error> {
        let ssrc = u32_at(b, 0).ok_or(Error::Truncated)?;
        let mut at = 4;
        loop {
            let kind = u8_at(b, at).ok_or(Error::Malformed)?;
            if kind == sdes_type::END {
                break;
            }
            let len = usize::from(u8_at(b, at + 1).ok_or(Error::Truncated)?);
            if at + 2 + len > b.len() {
                return Err(Error::Truncated);
            }
            at += 2 + len;
        }
        let items = b.get(4..at).unwrap_or_default();
        let end = pad4(at + 1);
        if end > b.len() {
            return Err(Error::Truncated);
        }
        Ok((
            SdesChunk {
                ssrc,
                items: SdesItems(ItemsInner::Wire(items)),
            },
            end,
        ))
    }
}

#[derive(Clone, Copy)]
enum ChunksInner<'a> {
    /// Validated chunk bytes.
    Wire(&'a [u8]),
    Values(&'a [SdesChunk<'a>]),
}

/// The chunks of an SDES packet: received bytes or the caller's values.
#[derive(Clone, Copy)]
pub struct SdesChunks<'a>(ChunksInner<'a>);

impl<'a> SdesChunks<'a> {
    /// Chunks to emit.
    pub const fn from_values(chunks: &'a [SdesChunk<'a>]) -> SdesChunks<'a> {
        SdesChunks(ChunksInner::Values(chunks))
    }

    /// The chunks in order.
    pub fn iter(&self) -> impl Iterator<Item = SdesChunk<'a>> + 'a {
        let (mut wire, values): (&'a [u8], &'a [SdesChunk<'a>]) = match self.0 {
            ChunksInner::Wire(b) => (b, &[]),
            ChunksInner::Values(v) => (&[], v),
        };
        let from_wire = core::iter::from_fn(move || {
            let (chunk, len) = SdesChunk::read(wire).ok()?;
            wire = wire.get(len..).unwrap_or_default();
            Some(chunk)
        });
        from_wire.chain(values.iter().copied())
    }

    /// How many chunks.
    pub fn len(&self) -> usize {
        match self.0 {
            ChunksInner::Wire(_) => self.iter().count(),
            ChunksInner::Values(v) => v.len(),
        }
    }

    /// No chunks.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PartialEq for SdesChunks<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for SdesChunks<'_> {}

impl fmt::Debug for SdesChunks<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An SDES packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sdes<'a> {
    /// One chunk per described source (at most 31).
    pub chunks: SdesChunks<'a>,
}

impl<'a> Sdes<'a> {
    /// An SDES packet describing `chunks` (WebRTC sends one chunk with one CNAME item).
    pub const fn new(chunks: &'a [SdesChunk<'a>]) -> Sdes<'a> {
        Sdes {
            chunks: SdesChunks::from_values(chunks),
        }
    }

    pub(crate) fn parse(count: u8, body: &'a [u8]) -> Result<Sdes<'a>, Error> {
        let mut at = 0;
        for _ in 0..count {
            let rest = body.get(at..).unwrap_or_default();
            let (_, len) = SdesChunk::read(rest)?;
            at += len;
        }
        if at != body.len() {
            return Err(Error::BadLength);
        }
        Ok(Sdes {
            chunks: SdesChunks(ChunksInner::Wire(body)),
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        self.chunks.iter().map(|c| 4 + c.items.wire_len()).sum()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        let count = self.chunks.len();
        if count > MAX_COUNT {
            return Err(Error::TooManyItems);
        }
        let needed = Error::BufferTooSmall {
            needed: 4 + self.body_len(),
        };
        let mut at = 0;
        for chunk in self.chunks.iter() {
            let end = at + 4 + chunk.items.wire_len();
            put_u32(b, at, chunk.ssrc).ok_or(needed)?;
            at += 4;
            for item in chunk.items.iter() {
                let len = u8::try_from(item.text.len()).map_err(|_| Error::ValueOutOfRange)?;
                if item.kind == sdes_type::END {
                    return Err(Error::ValueOutOfRange);
                }
                put(b, at, &[item.kind, len]).ok_or(needed)?;
                put(b, at + 2, item.text).ok_or(needed)?;
                at += 2 + item.text.len();
            }
            // END and padding: all zero.
            zero(b, at, end - at).ok_or(needed)?;
            at = end;
        }
        Ok(count as u8)
    }
}
