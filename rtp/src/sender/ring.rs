//! The retransmission ring: the last packets one SSRC sent, kept as plain RTP (before
//! SRTP) so a NACK can be answered by re-protecting them.

/// Packets a frame of `max_frame_bytes` takes at `max_payload` bytes per packet, plus
/// one (an H.264/H.265 payloader may send the parameter sets in a packet of their own):
/// the `SLOTS` that keep one whole key frame retrievable.
pub const fn ring_slots(max_frame_bytes: usize, max_payload: usize) -> usize {
    if max_payload == 0 {
        return 1;
    }
    max_frame_bytes.div_ceil(max_payload) + 1
}

/// The arena `BYTES` that hold `slots` packets of at most `max_packet` bytes (RTP header
/// included) however the ring wraps: one packet more, since a packet never straddles the
/// arena's end and up to one packet's worth may be skipped there.
pub const fn ring_bytes(slots: usize, max_packet: usize) -> usize {
    (slots + 1) * max_packet
}

/// Where one stored packet lives.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    /// Offset in the arena.
    start: u32,
    /// Its length; 0 means "sent but not kept" (larger than the whole arena).
    len: u16,
    seq: u16,
    /// When it was last queued for retransmission (milliseconds, wrapping), if ever.
    resent_ms: Option<u32>,
}

/// The last packets sent on one SSRC, bounded by `BYTES` of storage and `SLOTS` packets;
/// the oldest goes first when either runs out.
///
/// Packets are pushed with consecutive sequence numbers (what a [`Sender`](super::Sender)
/// does), which makes lookup O(1): the distance from the newest sequence number is the
/// distance in the ring. A push that breaks the run starts the ring afresh. The arena is
/// a byte ring: each packet is stored contiguously, starting again at offset 0 when it
/// would run past the end. Size it with [`ring_slots`] and [`ring_bytes`].
///
/// The packets are stored *before* SRTP: a retransmission is a new packet (new transport
/// sequence number, and for RTX a new SSRC and sequence number) and is protected again.
#[derive(Debug, Clone)]
pub struct RetransmissionRing<const BYTES: usize, const SLOTS: usize> {
    arena: [u8; BYTES],
    slots: [Slot; SLOTS],
    /// Index of the oldest slot.
    head: usize,
    /// Live slots.
    count: usize,
    /// Arena offset where the next packet goes.
    write: usize,
}

impl<const BYTES: usize, const SLOTS: usize> Default for RetransmissionRing<BYTES, SLOTS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const BYTES: usize, const SLOTS: usize> RetransmissionRing<BYTES, SLOTS> {
    /// An empty ring.
    pub const fn new() -> Self {
        RetransmissionRing {
            arena: [0; BYTES],
            slots: [Slot {
                start: 0,
                len: 0,
                seq: 0,
                resent_ms: None,
            }; SLOTS],
            head: 0,
            count: 0,
            write: 0,
        }
    }

    /// Packets held (including ones too large to keep, which `get` does not find).
    pub const fn len(&self) -> usize {
        self.count
    }

    /// Nothing held.
    pub const fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Forgets every packet.
    pub fn clear(&mut self) {
        self.head = 0;
        self.count = 0;
        self.write = 0;
    }

    fn index(&self, from_head: usize) -> usize {
        (self.head + from_head) % SLOTS.max(1)
    }

    fn newest(&self) -> Option<&Slot> {
        self.count
            .checked_sub(1)
            .and_then(|i| self.slots.get(self.index(i)))
    }

    fn evict_oldest(&mut self) {
        if self.count > 0 {
            self.head = self.index(1);
            self.count -= 1;
        }
        if self.count == 0 {
            self.head = 0;
            self.write = 0;
        }
    }

    /// Where a `len`-byte packet goes, evicting the oldest packets until it fits.
    fn place(&mut self, len: usize) -> usize {
        loop {
            let Some(oldest) = self.slots.get(self.head).filter(|_| self.count > 0) else {
                return 0;
            };
            let tail = oldest.start as usize;
            if tail < self.write {
                // Live bytes are [tail, write): free after them, or before them.
                if self.write + len <= BYTES {
                    return self.write;
                }
                if len <= tail {
                    return 0;
                }
            } else if self.write + len <= tail {
                // Wrapped: live bytes are [tail, end) and [0, write); free in between.
                return self.write;
            }
            self.evict_oldest();
        }
    }

    /// Keeps `packet` (a plain RTP packet) under sequence number `seq`, evicting the
    /// oldest packets as needed. A packet larger than the arena (or than 65535 bytes)
    /// takes a slot but is not kept. A `seq` that does not follow the newest one clears
    /// the ring first.
    pub fn push(&mut self, seq: u16, packet: &[u8]) {
        if SLOTS == 0 {
            return;
        }
        if self.newest().is_some_and(|n| n.seq.wrapping_add(1) != seq) {
            self.clear();
        }
        if self.count == SLOTS {
            self.evict_oldest();
        }
        let keep = packet.len() <= BYTES && u16::try_from(packet.len()).is_ok();
        let (start, len) = if keep {
            let start = self.place(packet.len());
            match self.arena.get_mut(start..start + packet.len()) {
                Some(dst) => {
                    dst.copy_from_slice(packet);
                    self.write = start + packet.len();
                    (start, packet.len())
                }
                None => (self.write, 0),
            }
        } else {
            (self.write, 0)
        };
        let at = self.index(self.count);
        if let Some(slot) = self.slots.get_mut(at) {
            *slot = Slot {
                start: start as u32,
                len: len as u16,
                seq,
                resent_ms: None,
            };
            self.count += 1;
        }
    }

    fn slot_index(&self, seq: u16) -> Option<usize> {
        let newest = self.newest()?;
        let back = usize::from(newest.seq.wrapping_sub(seq));
        let from_head = (self.count - 1).checked_sub(back)?;
        let at = self.index(from_head);
        let slot = self.slots.get(at)?;
        (slot.seq == seq && slot.len > 0).then_some(at)
    }

    /// The packet sent with sequence number `seq`, if still held.
    pub fn get(&self, seq: u16) -> Option<&[u8]> {
        let slot = self.slots.get(self.slot_index(seq)?)?;
        let start = slot.start as usize;
        self.arena.get(start..start + usize::from(slot.len))
    }

    /// When `seq` was last queued for retransmission (ms, wrapping), if it is held.
    pub(crate) fn resent_ms(&self, seq: u16) -> Option<Option<u32>> {
        Some(self.slots.get(self.slot_index(seq)?)?.resent_ms)
    }

    /// Records that `seq` was queued for retransmission at `ms`.
    pub(crate) fn mark_resent(&mut self, seq: u16, ms: u32) {
        if let Some(slot) = self.slot_index(seq).and_then(|i| self.slots.get_mut(i)) {
            slot.resent_ms = Some(ms);
        }
    }

    /// The oldest and newest sequence numbers held.
    pub fn range(&self) -> Option<(u16, u16)> {
        let oldest = self.slots.get(self.head).filter(|_| self.count > 0)?;
        Some((oldest.seq, self.newest()?.seq))
    }
}
