//! Per-sender buffering of trickled ICE candidates until that sender's offer is applied.
//!
//! The service relays messages from one viewer in order but over one connection per
//! peer, and a viewer may start trickling before its offer has been processed (or even
//! delivered, after a reconnect): a candidate handed to a peer connection that has no
//! remote description yet is lost. [`CandidateBuffer`] holds candidate payloads per
//! sender in a fixed arena and hands them back in arrival order once
//! [`CandidateBuffer::offer_applied`] is called for that sender.
//!
//! Bounded twice: `SENDERS` senders (a master has at most 10 viewers, plus the storage
//! session) and `BYTES` bytes of payload for all of them. What does not fit is dropped
//! and counted, never reallocated. The storage session's messages carry no
//! `senderClientId`: use the empty string as its sender id.

/// The longest sender (client) id the service allows.
pub const MAX_SENDER_ID_LEN: usize = 256;

/// Bytes of bookkeeping stored in front of each buffered payload (slot and length).
pub const ENTRY_OVERHEAD: usize = 4;

/// What [`CandidateBuffer::push`] did with a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Push {
    /// That sender's offer is already applied: hand the candidate to the peer
    /// connection now (it was not stored).
    Ready,
    /// Stored until [`CandidateBuffer::offer_applied`] for that sender.
    Buffered,
    /// Not stored (and counted in [`CandidateBuffer::dropped`]).
    Dropped(DropReason),
}

/// Why a candidate was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// Every sender slot holds candidates of a sender whose offer is still pending.
    TooManySenders,
    /// The byte arena is full.
    Full,
    /// The sender id is longer than [`MAX_SENDER_ID_LEN`] (the service never sends one).
    InvalidSender,
    /// The payload alone is larger than the arena (or than 65535 bytes).
    TooLarge,
    /// The sender's slot was taken over by a sender whose offer was applied (its
    /// buffered candidates were discarded).
    Evicted,
}

#[derive(Debug, Clone, Copy)]
struct Sender {
    in_use: bool,
    ready: bool,
    id_len: u16,
    id: [u8; MAX_SENDER_ID_LEN],
    queued: u16,
    /// Last activity, for picking a slot to take over.
    touched: u32,
}

impl Sender {
    const EMPTY: Sender = Sender {
        in_use: false,
        ready: false,
        id_len: 0,
        id: [0; MAX_SENDER_ID_LEN],
        queued: 0,
        touched: 0,
    };

    fn id(&self) -> &[u8] {
        self.id.get(..usize::from(self.id_len)).unwrap_or(&[])
    }
}

/// Candidate payloads buffered per sender: `SENDERS` senders, `BYTES` bytes of arena
/// (each entry costs its payload plus [`ENTRY_OVERHEAD`]).
#[derive(Debug, Clone)]
pub struct CandidateBuffer<const SENDERS: usize, const BYTES: usize> {
    senders: [Sender; SENDERS],
    arena: [u8; BYTES],
    used: usize,
    dropped: u64,
    clock: u32,
}

impl<const SENDERS: usize, const BYTES: usize> Default for CandidateBuffer<SENDERS, BYTES> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const SENDERS: usize, const BYTES: usize> CandidateBuffer<SENDERS, BYTES> {
    /// An empty buffer.
    pub const fn new() -> Self {
        CandidateBuffer {
            senders: [Sender::EMPTY; SENDERS],
            arena: [0; BYTES],
            used: 0,
            dropped: 0,
            clock: 0,
        }
    }

    /// A candidate payload from `sender`: [`Push::Ready`] if its offer is applied (apply
    /// it now), otherwise stored in arrival order or dropped.
    pub fn push(&mut self, sender: &str, payload: &[u8]) -> Push {
        let r = self.push_inner(sender, payload);
        if let Push::Dropped(_) = r {
            self.dropped = self.dropped.saturating_add(1);
        }
        r
    }

    fn push_inner(&mut self, sender: &str, payload: &[u8]) -> Push {
        if sender.len() > MAX_SENDER_ID_LEN {
            return Push::Dropped(DropReason::InvalidSender);
        }
        let Ok(len16) = u16::try_from(payload.len()) else {
            return Push::Dropped(DropReason::TooLarge);
        };
        let need = payload.len().saturating_add(ENTRY_OVERHEAD);
        if need > BYTES {
            return Push::Dropped(DropReason::TooLarge);
        }
        let slot = match self.find(sender) {
            Some(i) => i,
            None => match self.free_slot(false) {
                Some(i) => self.claim(i, sender),
                None => return Push::Dropped(DropReason::TooManySenders),
            },
        };
        self.touch(slot);
        let Some(&Sender { ready, queued, .. }) = self.senders.get(slot) else {
            return Push::Dropped(DropReason::TooManySenders);
        };
        if ready {
            return Push::Ready;
        }
        let end = self.used.saturating_add(need);
        let (Ok(slot16), Some(dst)) = (u16::try_from(slot), self.arena.get_mut(self.used..end))
        else {
            if queued == 0 {
                self.release(slot);
            }
            return Push::Dropped(DropReason::Full);
        };
        let (head, body) = dst.split_at_mut(ENTRY_OVERHEAD);
        head.copy_from_slice(&[
            slot16.to_le_bytes()[0],
            slot16.to_le_bytes()[1],
            len16.to_le_bytes()[0],
            len16.to_le_bytes()[1],
        ]);
        body.copy_from_slice(payload);
        self.used = end;
        if let Some(s) = self.senders.get_mut(slot) {
            s.queued = s.queued.saturating_add(1);
        }
        Push::Buffered
    }

    /// `sender`'s offer has been applied: every buffered candidate of that sender is
    /// passed to `apply` in arrival order and removed, and later ones come back as
    /// [`Push::Ready`]. Returns how many were passed. Always records the sender: with
    /// no slot free it takes over the least recently active pending sender's slot
    /// (whose candidates are dropped and counted).
    pub fn offer_applied(&mut self, sender: &str, mut apply: impl FnMut(&[u8])) -> usize {
        if sender.len() > MAX_SENDER_ID_LEN {
            return 0;
        }
        let slot = match self.find(sender) {
            Some(i) => i,
            None => {
                let Some(i) = self.free_slot(true) else {
                    return 0;
                };
                self.claim(i, sender)
            }
        };
        self.touch(slot);
        let mut n = 0;
        for (owner, payload) in Entries::new(self.arena.get(..self.used).unwrap_or(&[])) {
            if usize::from(owner) == slot {
                apply(payload);
                n += 1;
            }
        }
        self.remove_entries(slot);
        if let Some(s) = self.senders.get_mut(slot) {
            s.ready = true;
            s.queued = 0;
        }
        n
    }

    /// Forgets `sender` (its peer connection closed, or it starts a new session): its
    /// buffered candidates are discarded (not counted as drops) and the next candidates
    /// wait for a new offer again.
    pub fn forget(&mut self, sender: &str) {
        if let Some(i) = self.find(sender) {
            self.remove_entries(i);
            self.release(i);
        }
    }

    /// Forgets every sender (the signaling connection was replaced and all peers are
    /// renegotiating).
    pub fn clear(&mut self) {
        self.senders = [Sender::EMPTY; SENDERS];
        self.used = 0;
    }

    /// Candidates dropped since creation (full arena, too many senders, evictions).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Arena bytes in use (payloads plus [`ENTRY_OVERHEAD`] each).
    pub fn buffered_bytes(&self) -> usize {
        self.used
    }

    /// How many candidates are waiting for `sender`'s offer.
    pub fn buffered(&self, sender: &str) -> usize {
        self.find(sender)
            .and_then(|i| self.senders.get(i))
            .map_or(0, |s| usize::from(s.queued))
    }

    /// Whether `sender`'s offer has been applied (candidates pass straight through).
    pub fn is_ready(&self, sender: &str) -> bool {
        self.find(sender)
            .and_then(|i| self.senders.get(i))
            .is_some_and(|s| s.ready)
    }

    fn find(&self, sender: &str) -> Option<usize> {
        self.senders
            .iter()
            .position(|s| s.in_use && s.id() == sender.as_bytes())
    }

    fn touch(&mut self, slot: usize) {
        self.clock = self.clock.wrapping_add(1);
        if let Some(s) = self.senders.get_mut(slot) {
            s.touched = self.clock;
        }
    }

    /// A slot for a new sender: a free one, else a ready one (it holds no candidates,
    /// only the flag), else — only if `evict_pending` — the least recently active
    /// pending one, whose candidates are dropped.
    fn free_slot(&mut self, evict_pending: bool) -> Option<usize> {
        if let Some(i) = self.senders.iter().position(|s| !s.in_use) {
            return Some(i);
        }
        let oldest = |want_ready: bool| {
            self.senders
                .iter()
                .enumerate()
                .filter(|(_, s)| s.ready == want_ready)
                .max_by_key(|(_, s)| self.clock.wrapping_sub(s.touched))
                .map(|(i, _)| i)
        };
        if let Some(i) = oldest(true) {
            self.release(i);
            return Some(i);
        }
        if !evict_pending {
            return None;
        }
        let i = oldest(false)?;
        let lost = self.senders.get(i).map_or(0, |s| u64::from(s.queued));
        self.dropped = self.dropped.saturating_add(lost);
        self.remove_entries(i);
        self.release(i);
        Some(i)
    }

    fn claim(&mut self, slot: usize, sender: &str) -> usize {
        if let Some(s) = self.senders.get_mut(slot) {
            *s = Sender::EMPTY;
            s.in_use = true;
            if let Some(dst) = s.id.get_mut(..sender.len()) {
                dst.copy_from_slice(sender.as_bytes());
                s.id_len = u16::try_from(sender.len()).unwrap_or(0);
            }
        }
        slot
    }

    fn release(&mut self, slot: usize) {
        if let Some(s) = self.senders.get_mut(slot) {
            *s = Sender::EMPTY;
        }
    }

    /// Removes `slot`'s entries from the arena, keeping the others in order.
    fn remove_entries(&mut self, slot: usize) {
        let mut read = 0;
        let mut write = 0;
        while read < self.used {
            let Some((owner, len)) = entry_header(self.arena.get(read..self.used).unwrap_or(&[]))
            else {
                // Unreachable for entries we wrote; drop the tail rather than loop.
                break;
            };
            let n = ENTRY_OVERHEAD + usize::from(len);
            if usize::from(owner) != slot {
                if read != write {
                    self.arena.copy_within(read..read + n, write);
                }
                write += n;
            }
            read += n;
        }
        self.used = write;
        if let Some(s) = self.senders.get_mut(slot) {
            s.queued = 0;
        }
    }
}

fn entry_header(b: &[u8]) -> Option<(u16, u16)> {
    let h = b.get(..ENTRY_OVERHEAD)?;
    let owner = u16::from_le_bytes([*h.first()?, *h.get(1)?]);
    let len = u16::from_le_bytes([*h.get(2)?, *h.get(3)?]);
    b.get(ENTRY_OVERHEAD..ENTRY_OVERHEAD + usize::from(len))?;
    Some((owner, len))
}

/// The arena's entries in order: (owner slot, payload).
struct Entries<'a> {
    rest: &'a [u8],
}

impl<'a> Entries<'a> {
    fn new(arena: &'a [u8]) -> Self {
        Entries { rest: arena }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        let (owner, len) = entry_header(self.rest)?;
        let (entry, rest) = self
            .rest
            .split_at_checked(ENTRY_OVERHEAD + usize::from(len))?;
        self.rest = rest;
        Some((owner, entry.get(ENTRY_OVERHEAD..)?))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::vec::Vec;

    fn collect<const S: usize, const B: usize>(
        b: &mut CandidateBuffer<S, B>,
        sender: &str,
    ) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let n = b.offer_applied(sender, |p| out.push(p.to_vec()));
        assert_eq!(n, out.len());
        out
    }

    #[test]
    fn buffers_per_sender_in_order() {
        let mut b: CandidateBuffer<4, 256> = CandidateBuffer::new();
        assert_eq!(b.push("v1", b"a1"), Push::Buffered);
        assert_eq!(b.push("v2", b"b1"), Push::Buffered);
        assert_eq!(b.push("v1", b"a2"), Push::Buffered);
        assert_eq!(b.push("", b"storage"), Push::Buffered);
        assert_eq!(b.buffered("v1"), 2);
        assert_eq!(collect(&mut b, "v1"), [b"a1".to_vec(), b"a2".to_vec()]);
        assert_eq!(b.push("v1", b"a3"), Push::Ready);
        assert!(b.is_ready("v1"));
        assert_eq!(collect(&mut b, "v2"), [b"b1".to_vec()]);
        assert_eq!(collect(&mut b, ""), [b"storage".to_vec()]);
        assert_eq!(b.buffered_bytes(), 0);
        b.forget("v1");
        assert_eq!(b.push("v1", b"a4"), Push::Buffered);
        assert_eq!(b.dropped(), 0);
    }

    #[test]
    fn bounded_and_counted() {
        let mut b: CandidateBuffer<2, 32> = CandidateBuffer::new();
        assert_eq!(b.push("a", &[1; 20]), Push::Buffered);
        assert_eq!(b.push("a", &[2; 20]), Push::Dropped(DropReason::Full));
        assert_eq!(b.push("b", &[3; 4]), Push::Buffered);
        assert_eq!(
            b.push("c", &[4; 1]),
            Push::Dropped(DropReason::TooManySenders)
        );
        assert_eq!(b.push("a", &[0; 40]), Push::Dropped(DropReason::TooLarge));
        let long = "x".repeat(MAX_SENDER_ID_LEN + 1);
        assert_eq!(
            b.push(&long, b"z"),
            Push::Dropped(DropReason::InvalidSender)
        );
        assert_eq!(b.dropped(), 4);
        // An applied offer takes over the least recently active pending sender ("a").
        assert_eq!(collect(&mut b, "c"), Vec::<Vec<u8>>::new());
        assert_eq!(b.dropped(), 5);
        assert_eq!(b.buffered("a"), 0);
        assert_eq!(collect(&mut b, "b"), [[3u8; 4].to_vec()]);
        // Ready senders give their slot up to new ones.
        assert_eq!(b.push("d", b"d1"), Push::Buffered);
        b.clear();
        assert_eq!(b.buffered_bytes(), 0);
        assert_eq!(b.push("d", b"d2"), Push::Buffered);
    }
}
