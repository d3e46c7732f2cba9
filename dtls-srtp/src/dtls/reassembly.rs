//! Handshake message reassembly (RFC 6347 §4.2.3) and fragmentation for an MTU.
//!
//! [`Reassembler`] collects fragments of the next few messages of a flight in a fixed
//! buffer: in any order, overlapping, duplicated, several per datagram. Messages come out in
//! `message_seq` order. [`Fragmenter`] cuts an outgoing message into fragments whose records
//! fit a path MTU.

use crate::dtls::Error;
use crate::dtls::wire::{
    HANDSHAKE_HEADER_LEN, HandshakeFragment, HandshakeHeader, HandshakeType, MAX_HANDSHAKE_LEN,
    RECORD_HEADER_LEN,
};

/// A complete, reassembled handshake message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message<'a> {
    /// Its type.
    pub msg_type: HandshakeType,
    /// Its sequence number.
    pub message_seq: u16,
    /// The whole body.
    pub body: &'a [u8],
}

impl Message<'_> {
    /// The header as the transcript hash sees it (unfragmented, RFC 6347 §4.2.6).
    pub fn header(&self) -> HandshakeHeader {
        HandshakeHeader::unfragmented(
            self.msg_type,
            self.message_seq,
            u32::try_from(self.body.len()).unwrap_or(MAX_HANDSHAKE_LEN),
        )
    }
}

/// What [`Reassembler::insert`] did with a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    /// Stored (or already had those bytes); see [`Reassembler::next_message`].
    Stored,
    /// Belongs to a message already delivered: the peer is retransmitting, which usually
    /// means it lost our last flight (RFC 6347 §4.2.4).
    Old,
    /// Too far ahead of the next expected message to buffer; dropped (the peer retransmits).
    TooFarAhead,
}

#[derive(Debug, Clone)]
struct Slot<const R: usize> {
    seq: u16,
    msg_type: HandshakeType,
    length: usize,
    /// Where the body starts in the buffer.
    start: usize,
    /// Received byte ranges `[from, to)`, sorted, disjoint and non-adjacent.
    have: heapless::Vec<(usize, usize), R>,
    /// At least one fragment seen (a zero-length message is then complete).
    seen: bool,
}

impl<const R: usize> Slot<R> {
    fn complete(&self) -> bool {
        self.seen && (self.length == 0 || self.have.as_slice() == [(0, self.length)])
    }

    /// Adds `[from, to)` and merges neighbours.
    fn add(&mut self, from: usize, to: usize) -> Result<(), Error> {
        self.seen = true;
        if from == to {
            return Ok(());
        }
        let (mut lo, mut hi) = (from, to);
        let mut merged: heapless::Vec<(usize, usize), R> = heapless::Vec::new();
        let mut placed = false;
        for &(a, b) in self.have.iter() {
            if b < lo {
                merged.push((a, b)).map_err(|_| Error::TooFragmented)?;
            } else if a > hi {
                if !placed {
                    merged.push((lo, hi)).map_err(|_| Error::TooFragmented)?;
                    placed = true;
                }
                merged.push((a, b)).map_err(|_| Error::TooFragmented)?;
            } else {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        if !placed {
            merged.push((lo, hi)).map_err(|_| Error::TooFragmented)?;
        }
        self.have = merged;
        Ok(())
    }
}

/// Reassembles the handshake messages of a flight in an `N`-byte buffer, tracking up to `M`
/// messages ahead of the next expected one, each with up to `R` disjoint received ranges.
///
/// Buffer space goes to messages in arrival order and is reclaimed when every buffered
/// message has been delivered, so `N` must hold the largest flight (a camera's peer sends
/// at most a few KiB: ClientHello ≤ 1.5 KiB, a certificate flight 1–3 KiB).
#[derive(Debug, Clone)]
pub struct Reassembler<const N: usize, const M: usize = 8, const R: usize = 8> {
    buf: [u8; N],
    used: usize,
    next_seq: u16,
    slots: heapless::Vec<Slot<R>, M>,
}

impl<const N: usize, const M: usize, const R: usize> Default for Reassembler<N, M, R> {
    fn default() -> Self {
        Self::new(0)
    }
}

impl<const N: usize, const M: usize, const R: usize> Reassembler<N, M, R> {
    /// An empty reassembler expecting `next_seq` first.
    pub const fn new(next_seq: u16) -> Self {
        Reassembler {
            buf: [0; N],
            used: 0,
            next_seq,
            slots: heapless::Vec::new(),
        }
    }

    /// Drops everything buffered and expects `next_seq` next.
    pub fn reset(&mut self, next_seq: u16) {
        self.used = 0;
        self.slots.clear();
        self.next_seq = next_seq;
    }

    /// The message_seq delivered next.
    pub const fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Buffer bytes held by partly or fully received messages.
    pub const fn buffered(&self) -> usize {
        self.used
    }

    /// Adds one fragment. Errors leave what was buffered before intact:
    /// [`Error::MessageTooLarge`] (the buffer cannot take the message),
    /// [`Error::FragmentMismatch`] (type or length differ from earlier fragments),
    /// [`Error::TooFragmented`] (more than `R` holes).
    pub fn insert(&mut self, fragment: &HandshakeFragment<'_>) -> Result<Inserted, Error> {
        let h = &fragment.header;
        if h.message_seq < self.next_seq {
            return Ok(Inserted::Old);
        }
        if usize::from(h.message_seq - self.next_seq) >= M {
            return Ok(Inserted::TooFarAhead);
        }
        let length = usize::try_from(h.length).map_err(|_| Error::MessageTooLarge)?;
        let from = usize::try_from(h.fragment_offset).map_err(|_| Error::FragmentOutOfRange)?;
        let to = from
            .checked_add(fragment.body.len())
            .ok_or(Error::FragmentOutOfRange)?;
        if to > length || u32::try_from(fragment.body.len()).ok() != Some(h.fragment_length) {
            return Err(Error::FragmentOutOfRange);
        }
        let index = match self.slots.iter().position(|s| s.seq == h.message_seq) {
            Some(i) => {
                let s = self.slots.get(i).ok_or(Error::FragmentMismatch)?;
                if s.msg_type != h.msg_type || s.length != length {
                    return Err(Error::FragmentMismatch);
                }
                i
            }
            None => {
                let end = self
                    .used
                    .checked_add(length)
                    .filter(|&e| e <= N)
                    .ok_or(Error::MessageTooLarge)?;
                let slot = Slot {
                    seq: h.message_seq,
                    msg_type: h.msg_type,
                    length,
                    start: self.used,
                    have: heapless::Vec::new(),
                    seen: false,
                };
                // Cannot be full: at most M distinct seqs fit the window checked above.
                self.slots.push(slot).map_err(|_| Error::TooFragmented)?;
                self.used = end;
                self.slots.len() - 1
            }
        };
        let slot = self.slots.get_mut(index).ok_or(Error::FragmentMismatch)?;
        // Record the range first: if that fails, the buffer is untouched.
        let before = slot.clone();
        slot.add(from, to)?;
        let dst = slot
            .start
            .checked_add(from)
            .and_then(|a| Some(a..a.checked_add(fragment.body.len())?))
            .and_then(|r| self.buf.get_mut(r));
        match dst {
            Some(dst) => dst.copy_from_slice(fragment.body),
            None => {
                *slot = before;
                return Err(Error::MessageTooLarge);
            }
        }
        Ok(Inserted::Stored)
    }

    /// The next message in sequence, once all of its bytes are in.
    pub fn next_message(&self) -> Option<Message<'_>> {
        let slot = self.slots.iter().find(|s| s.seq == self.next_seq)?;
        if !slot.complete() {
            return None;
        }
        let body = self
            .buf
            .get(slot.start..slot.start.checked_add(slot.length)?)?;
        Some(Message {
            msg_type: slot.msg_type,
            message_seq: slot.seq,
            body,
        })
    }

    /// Marks the next message as delivered (whether or not it was buffered: an engine that
    /// handled a complete single-fragment message straight from the record calls this too).
    pub fn advance(&mut self) {
        if let Some(i) = self.slots.iter().position(|s| s.seq == self.next_seq) {
            self.slots.swap_remove(i);
        }
        self.next_seq = self.next_seq.wrapping_add(1);
        if self.slots.is_empty() {
            self.used = 0;
        }
    }
}

/// Cuts one outgoing handshake message into fragments of at most `max_body` body bytes.
#[derive(Debug, Clone)]
pub struct Fragmenter<'a> {
    msg_type: HandshakeType,
    message_seq: u16,
    body: &'a [u8],
    offset: usize,
    max_body: usize,
    done: bool,
}

impl<'a> Fragmenter<'a> {
    /// Fragments of at most `max_body` body bytes each.
    pub fn new(
        msg_type: HandshakeType,
        message_seq: u16,
        body: &'a [u8],
        max_body: usize,
    ) -> Result<Self, Error> {
        if max_body == 0 {
            return Err(Error::MtuTooSmall);
        }
        if u32::try_from(body.len()).map_or(true, |l| l > MAX_HANDSHAKE_LEN) {
            return Err(Error::TooLong);
        }
        Ok(Fragmenter {
            msg_type,
            message_seq,
            body,
            offset: 0,
            max_body,
            done: false,
        })
    }

    /// Fragments whose records (header, `record_overhead` bytes of protection, handshake
    /// header, body) each fit in `mtu` bytes of UDP payload.
    pub fn for_mtu(
        msg_type: HandshakeType,
        message_seq: u16,
        body: &'a [u8],
        mtu: usize,
        record_overhead: usize,
    ) -> Result<Self, Error> {
        let max_body = mtu
            .checked_sub(RECORD_HEADER_LEN + record_overhead + HANDSHAKE_HEADER_LEN)
            .ok_or(Error::MtuTooSmall)?;
        Fragmenter::new(msg_type, message_seq, body, max_body)
    }
}

impl<'a> Iterator for Fragmenter<'a> {
    type Item = HandshakeFragment<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let rest = self.body.get(self.offset..)?;
        let n = rest.len().min(self.max_body);
        let chunk = rest.get(..n)?;
        let header = HandshakeHeader {
            msg_type: self.msg_type,
            length: u32::try_from(self.body.len()).ok()?,
            message_seq: self.message_seq,
            fragment_offset: u32::try_from(self.offset).ok()?,
            fragment_length: u32::try_from(n).ok()?,
        };
        self.offset += n;
        if self.offset >= self.body.len() {
            self.done = true;
        }
        Some(HandshakeFragment {
            header,
            body: chunk,
        })
    }
}
