//! The jitter buffer of one incoming SSRC, with the NACK, PLI and receiver-report state that
//! follow from what it holds.

use core::time::Duration;

use super::seq::{ORIGIN, SeqUnwrapper, Unwrapped};
use super::since;
use crate::Error;
use crate::codec::{Clock, Event, RtpPayload};
use crate::packet::Packet;
use crate::rtcp::{List, Nack, NackPair, Pli, ReceiverReport, ReportBlock, Repr, SenderReport};
use crate::stats::InboundRtpStats;

/// The most sequence numbers one NACK packet names (its worst case is 64 pairs: 268 bytes).
pub const MAX_NACK_SEQS: usize = 64;

/// Receiver tuning. [`Config::new`] gives camera-viewer defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Our SSRC: the sender SSRC of the NACKs, PLIs and reports we write.
    pub local_ssrc: u32,
    /// The stream's RTP clock rate (90 000 for video), for jitter and delay.
    pub clock_rate: u32,
    /// The longest a packet waits behind a gap before the gap is skipped (200 ms): the
    /// playout latency added by loss repair.
    pub max_delay: Duration,
    /// How long a gap may be plain reordering before it is NACKed (10 ms).
    pub reorder_wait: Duration,
    /// NACKs per missing sequence number at most (10; 0 disables NACK).
    pub max_nacks: u8,
    /// The round-trip time to the sender (100 ms until [`JitterBuffer::set_rtt`]): the
    /// spacing of repeated NACKs.
    pub rtt: Duration,
    /// The least time between two PLIs (300 ms): a keyframe takes about a round trip to
    /// come, asking again sooner only makes the sender waste bandwidth.
    pub pli_interval: Duration,
}

impl Config {
    /// Defaults for a video stream received by `local_ssrc` at `clock_rate` Hz.
    pub const fn new(local_ssrc: u32, clock_rate: u32) -> Config {
        Config {
            local_ssrc,
            clock_rate,
            max_delay: Duration::from_millis(200),
            reorder_wait: Duration::from_millis(10),
            max_nacks: 10,
            rtt: Duration::from_millis(100),
            pli_interval: Duration::from_millis(300),
        }
    }
}

/// What [`JitterBuffer::push`] did with a well-formed packet (every case is counted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pushed {
    /// Stored, to be released in order.
    Stored,
    /// Already held: dropped (`packets_duplicated`).
    Duplicate,
    /// Its place was already released or skipped: dropped (`packets_discarded`).
    TooLate,
    /// Another SSRC than the one this buffer locked onto: ignored, not counted.
    OtherSsrc,
    /// A sequence jump not (yet) confirmed as a sender restart (RFC 3550 A.1): dropped
    /// (`packets_discarded`).
    Rejected,
    /// The payload does not fit the byte arena at all: dropped (`packets_discarded`).
    TooLarge,
    /// The arena is full of packets newer than this one: dropped (`packets_discarded`).
    NoRoom,
}

/// A packet released in order: feed `rtp` to a depayloader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released<'a> {
    /// The payload and the header fields a depayloader needs.
    pub rtp: RtpPayload<'a>,
    /// The extended sequence number (counts from 65536 + the first sequence number).
    pub extended_seq: u64,
    /// When it arrived.
    pub arrival: Duration,
    /// How long it waited in the buffer.
    pub delay: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Empty,
    Missing {
        /// When the gap was seen (arrival of the packet after it).
        since: Duration,
        last_nack: Duration,
        nacks: u8,
    },
    Filled {
        arrival: Duration,
        /// Start in the arena, as an ever-growing byte count (position = pos % BYTES).
        pos: u64,
        len: u16,
        timestamp: u32,
        marker: bool,
    },
}

/// RFC 3550 A.3/A.8 reception state for the report block.
#[derive(Debug, Clone, Copy, Default)]
struct Reception {
    base: u64,
    received: u64,
    expected_prior: u64,
    received_prior: u64,
    /// Interarrival jitter × 16, in timestamp units (A.8).
    jitter_q4: u32,
    last_transit: Option<u32>,
    /// Middle 32 bits of the last SR's NTP time, and when it arrived.
    last_sr: Option<(u32, Duration)>,
}

/// Reorders one incoming SSRC's packets and releases them in sequence order.
///
/// `SLOTS` is the reorder window in packets (one slot per sequence number, about 40 bytes
/// each); `BYTES` the payload arena, used as a ring in arrival order. Packets are pushed as
/// they arrive (plain RTP, after SRTP), in any order; [`pop`](Self::pop) releases the next
/// one in sequence once it is there, or skips a gap once the packet behind it has waited
/// [`Config::max_delay`] (sooner when every NACK for it went unanswered). A skipped gap
/// makes the depayloader report the damaged frame as dropped: nothing is guessed.
///
/// Missing sequence numbers are NACKed ([`poll_nack`](Self::poll_nack)); lost frames ask
/// for a keyframe ([`poll_pli`](Self::poll_pli)); [`report_block`](Self::report_block)
/// gives the RFC 3550 reception report. When either bound is hit the oldest packets are
/// evicted (counted in `packets_discarded`; their frames are then reported as dropped).
#[derive(Debug, Clone)]
pub struct JitterBuffer<const SLOTS: usize, const BYTES: usize> {
    config: Config,
    slots: [Slot; SLOTS],
    arena: [u8; BYTES],
    /// Arena write cursor and a lower bound of every live packet's start.
    write: u64,
    oldest: u64,
    seq: SeqUnwrapper,
    ssrc: Option<u32>,
    /// Next extended sequence number to release, and the highest stored (valid once a
    /// packet arrived: `ssrc` is `Some`).
    next: u64,
    highest: u64,
    missing: usize,
    /// When the first packet arrived, until the first release: packets reordered before
    /// it may still extend the window backwards.
    warmup: Option<Duration>,
    rx: Reception,
    pli_pending: bool,
    last_pli: Option<Duration>,
    stats: InboundRtpStats,
}

impl<const SLOTS: usize, const BYTES: usize> JitterBuffer<SLOTS, BYTES> {
    /// An empty buffer; it locks onto the SSRC of the first packet pushed.
    pub const fn new(config: Config) -> Self {
        JitterBuffer {
            config,
            slots: [Slot::Empty; SLOTS],
            arena: [0; BYTES],
            write: 0,
            oldest: 0,
            seq: SeqUnwrapper::new(),
            ssrc: None,
            next: 0,
            highest: 0,
            missing: 0,
            warmup: None,
            rx: Reception {
                base: 0,
                received: 0,
                expected_prior: 0,
                received_prior: 0,
                jitter_q4: 0,
                last_transit: None,
                last_sr: None,
            },
            pli_pending: false,
            last_pli: None,
            stats: InboundRtpStats::new(),
        }
    }

    /// The configuration in use.
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// Updates the round-trip time (from the peer's reports): NACK spacing follows it.
    pub fn set_rtt(&mut self, rtt: Duration) {
        self.config.rtt = rtt;
    }

    /// The SSRC this buffer receives, once a packet arrived.
    pub const fn ssrc(&self) -> Option<u32> {
        self.ssrc
    }

    /// Packets held (stored, not yet released).
    pub fn len(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s, Slot::Filled { .. }))
            .count()
    }

    /// Nothing held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn slot(&self, ext: u64) -> Slot {
        let i = (ext % SLOTS as u64) as usize;
        self.slots.get(i).copied().unwrap_or(Slot::Empty)
    }

    fn set(&mut self, ext: u64, slot: Slot) {
        let i = (ext % SLOTS as u64) as usize;
        if let Some(s) = self.slots.get_mut(i) {
            if matches!(s, Slot::Missing { .. }) {
                self.missing = self.missing.saturating_sub(1);
            }
            if matches!(slot, Slot::Missing { .. }) {
                self.missing += 1;
            }
            *s = slot;
        }
    }

    /// Takes one received packet (plain RTP). `Err` only for a malformed packet; every
    /// other outcome is a [`Pushed`].
    pub fn push(&mut self, now: Duration, packet: &[u8]) -> Result<Pushed, Error> {
        let p = Packet::new_checked(packet)?;
        match self.ssrc {
            Some(s) if s != p.ssrc() => return Ok(Pushed::OtherSsrc),
            _ => {}
        }
        let payload = p.payload_ref();
        self.stats.ssrc = p.ssrc();
        self.stats.packets_received += 1;
        self.stats.bytes_received += payload.len() as u64;
        self.stats.last_packet_received_timestamp = Some(now);
        let ext = match self.seq.unwrap(p.sequence_number()) {
            Unwrapped::Rejected => {
                self.stats.packets_discarded += 1;
                return Ok(Pushed::Rejected);
            }
            Unwrapped::Restart(ext) => {
                self.restart();
                ext
            }
            Unwrapped::Seq(ext) => ext,
        };
        let first = self.ssrc.is_none();
        if first {
            self.ssrc = Some(p.ssrc());
            self.next = ext;
            self.highest = ext;
            self.rx.base = ext;
            self.warmup = Some(now);
        }
        self.rx.received += 1;
        if ext < self.next && self.warmup.is_some() && self.highest - ext < SLOTS as u64 {
            // Reordered before the first packet, nothing released yet: reach back.
            for gap in ext + 1..self.next {
                let missing = Slot::Missing {
                    since: now,
                    last_nack: Duration::ZERO,
                    nacks: 0,
                };
                self.set(gap, missing);
            }
            self.next = ext;
            self.rx.base = self.rx.base.min(ext);
        }
        if ext < self.next {
            self.stats.packets_discarded += 1;
            return Ok(Pushed::TooLate);
        }
        let Ok(len) = u16::try_from(payload.len()) else {
            self.stats.packets_discarded += 1;
            return Ok(Pushed::TooLarge);
        };
        if payload.len() > BYTES {
            self.stats.packets_discarded += 1;
            return Ok(Pushed::TooLarge);
        }
        if matches!(self.slot(ext), Slot::Filled { .. }) {
            self.stats.packets_duplicated += 1;
            return Ok(Pushed::Duplicate);
        }
        if ext > self.highest || first {
            self.update_jitter(now, p.timestamp());
        }
        // Slide the window so `ext` fits: what falls out is evicted.
        if ext >= self.next + SLOTS as u64 {
            let new_next = ext + 1 - SLOTS as u64;
            for old in self.next..new_next.min(self.highest + 1) {
                if matches!(self.slot(old), Slot::Filled { .. }) {
                    self.stats.packets_discarded += 1;
                    self.pli_pending = true;
                }
                self.set(old, Slot::Empty);
            }
            self.next = new_next;
            self.warmup = None;
            self.highest = self.highest.max(new_next - 1);
        }
        let Some(pos) = self.alloc(ext, payload.len()) else {
            self.stats.packets_discarded += 1;
            return Ok(Pushed::NoRoom);
        };
        if ext > self.highest {
            for gap in self.highest + 1..ext {
                let missing = Slot::Missing {
                    since: now,
                    last_nack: Duration::ZERO,
                    nacks: 0,
                };
                self.set(gap, missing);
            }
            self.highest = ext;
        }
        let start = (pos % BYTES as u64) as usize;
        if let Some(dst) = self.arena.get_mut(start..start + payload.len()) {
            dst.copy_from_slice(payload);
        }
        self.set(
            ext,
            Slot::Filled {
                arrival: now,
                pos,
                len,
                timestamp: p.timestamp(),
                marker: p.marker(),
            },
        );
        Ok(Pushed::Stored)
    }

    /// A sender restart (RFC 3550 A.1): everything held belongs to the old sequence.
    fn restart(&mut self) {
        let held = self.len() as u64;
        self.stats.packets_discarded += held;
        self.slots = [Slot::Empty; SLOTS];
        self.missing = 0;
        self.ssrc = None;
        self.warmup = None;
        self.rx = Reception {
            last_sr: self.rx.last_sr,
            ..Reception::default()
        };
        self.pli_pending |= held > 0;
    }

    /// RFC 3550 A.8: J += (|D| - J) / 16, with D the change in transit time.
    fn update_jitter(&mut self, now: Duration, timestamp: u32) {
        let arrival = Clock::new(self.config.clock_rate).ticks(now);
        let transit = arrival.wrapping_sub(timestamp);
        if let Some(last) = self.rx.last_transit {
            let d = (transit.wrapping_sub(last) as i32).unsigned_abs();
            let j = self.rx.jitter_q4;
            self.rx.jitter_q4 = j.saturating_add(d).saturating_sub((j + 8) >> 4);
        }
        self.rx.last_transit = Some(transit);
    }

    /// Drops the oldest held packet if it is older than `ext` (and the gaps before it),
    /// moving the window past it; false if there is none.
    fn evict_before(&mut self, ext: u64) -> bool {
        let Some(victim) = (self.next..ext).find(|e| matches!(self.slot(*e), Slot::Filled { .. }))
        else {
            return false;
        };
        for old in self.next..=victim {
            self.set(old, Slot::Empty);
        }
        self.next = victim + 1;
        self.warmup = None;
        self.stats.packets_discarded += 1;
        self.pli_pending = true;
        true
    }

    /// Room for `len` bytes in the arena ring (contiguous), evicting packets older than
    /// `ext` if needed; returns its ever-growing position, `None` if only newer packets
    /// hold the room.
    fn alloc(&mut self, ext: u64, len: usize) -> Option<u64> {
        let cap = BYTES as u64;
        loop {
            let mut start = self.write;
            let off = start % cap;
            if off + len as u64 > cap {
                start += cap - off;
            }
            let end = start + len as u64;
            if end - self.oldest <= cap {
                self.write = end;
                return Some(start);
            }
            // Find the real oldest live byte; evict if the ring is truly full.
            let live = self.slots.iter().filter_map(|s| match s {
                Slot::Filled { pos, .. } => Some(*pos),
                _ => None,
            });
            match live.min() {
                None => self.oldest = start,
                Some(p) if p > self.oldest => self.oldest = p,
                Some(_) => {
                    if !self.evict_before(ext) {
                        return None;
                    }
                }
            }
        }
    }

    /// Skips a gap at the head of the buffer whose wait is over.
    fn skip_expired(&mut self, now: Duration) {
        let Slot::Missing { since: seen, .. } = self.slot(self.next) else {
            return;
        };
        if now < self.skip_deadline(seen) {
            return;
        }
        while self.next <= self.highest {
            if let Slot::Missing { .. } = self.slot(self.next) {
                self.set(self.next, Slot::Empty);
                self.next += 1;
            } else {
                break;
            }
        }
        self.warmup = None;
        self.pli_pending = true;
    }

    /// When the gap at the head gets skipped: `max_delay` after it was seen, or a round
    /// trip after its last NACK once all NACKs are spent (it is not coming).
    fn skip_deadline(&self, seen: Duration) -> Duration {
        let mut deadline = seen + self.config.max_delay;
        if self.config.max_nacks > 0 {
            let mut ext = self.next;
            let mut all_spent = true;
            let mut last = Duration::ZERO;
            while let Slot::Missing {
                nacks, last_nack, ..
            } = self.slot(ext)
            {
                all_spent &= nacks >= self.config.max_nacks;
                last = last.max(last_nack);
                ext += 1;
                if ext > self.highest {
                    break;
                }
            }
            if all_spent {
                deadline = deadline.min(last + self.config.rtt);
            }
        }
        deadline
    }

    /// The next packet in sequence order, if it is there (skipping a gap whose wait is
    /// over). Drain until `None` after every push and timeout.
    pub fn pop(&mut self, now: Duration) -> Option<Released<'_>> {
        self.ssrc?;
        if let Some(first) = self.warmup {
            if now < first + self.config.reorder_wait {
                return None;
            }
        }
        self.skip_expired(now);
        let ext = self.next;
        let Slot::Filled {
            arrival,
            pos,
            len,
            timestamp,
            marker,
        } = self.slot(ext)
        else {
            return None;
        };
        self.set(ext, Slot::Empty);
        self.next += 1;
        self.warmup = None;
        let delay = since(now, arrival);
        self.stats.jitter_buffer_delay += delay;
        self.stats.jitter_buffer_emitted_count += 1;
        let start = (pos % BYTES as u64) as usize;
        let payload = self
            .arena
            .get(start..start + usize::from(len))
            .unwrap_or_default();
        Some(Released {
            rtp: RtpPayload {
                payload,
                sequence_number: ext as u16,
                timestamp,
                marker,
            },
            extended_seq: ext,
            arrival,
            delay,
        })
    }

    /// Skips gaps whose wait is over (then drain [`pop`](Self::pop)).
    pub fn handle_timeout(&mut self, now: Duration) {
        self.skip_expired(now);
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) and the `poll_*` methods next:
    /// a gap's skip deadline, a NACK becoming due, a rate-limited PLI.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let mut at: Option<Duration> = None;
        let mut earliest = |t: Duration| at = Some(at.map_or(t, |a| a.min(t)));
        if let Some(first) = self.warmup {
            earliest(first + self.config.reorder_wait);
        }
        if let Slot::Missing { since: seen, .. } = self.slot(self.next) {
            earliest(self.skip_deadline(seen));
        }
        if self.ssrc.is_some() && self.missing > 0 {
            for ext in self.next..=self.highest {
                if let Some(t) = self.nack_due(self.slot(ext)) {
                    earliest(t);
                }
            }
        }
        if self.pli_pending && self.ssrc.is_some() {
            earliest(
                self.last_pli
                    .map_or(Duration::ZERO, |t| t + self.config.pli_interval),
            );
        }
        at
    }

    /// When a slot's next NACK is due, if it is missing and has NACKs left.
    fn nack_due(&self, slot: Slot) -> Option<Duration> {
        match slot {
            Slot::Missing {
                since: seen,
                nacks: 0,
                ..
            } if self.config.max_nacks > 0 => Some(seen + self.config.reorder_wait),
            Slot::Missing {
                last_nack, nacks, ..
            } if nacks < self.config.max_nacks => Some(last_nack + self.config.rtt),
            _ => None,
        }
    }

    /// Writes a generic NACK (RFC 4585 §6.2.1, one RTPFB packet: send it alone as
    /// reduced-size RTCP or after a report) for the missing sequence numbers that are due,
    /// at most [`MAX_NACK_SEQS`]; returns its length. `None` when nothing is due or `out`
    /// is too small (268 bytes always suffice); nothing is marked sent then.
    pub fn poll_nack(&mut self, now: Duration, out: &mut [u8]) -> Option<usize> {
        let media_ssrc = self.ssrc?;
        if self.missing == 0 {
            return None;
        }
        let mut exts = [0u64; MAX_NACK_SEQS];
        let mut seqs = [0u16; MAX_NACK_SEQS];
        let mut n = 0;
        for ext in self.next..=self.highest {
            if n == MAX_NACK_SEQS {
                break;
            }
            if self.nack_due(self.slot(ext)).is_some_and(|t| t <= now) {
                if let (Some(e), Some(s)) = (exts.get_mut(n), seqs.get_mut(n)) {
                    *e = ext;
                    *s = ext as u16;
                    n += 1;
                }
            }
        }
        let seqs = seqs.get(..n).filter(|s| !s.is_empty())?;
        let mut pairs = [NackPair::default(); MAX_NACK_SEQS];
        let np = NackPair::pack(seqs, &mut pairs).ok()?;
        let nack = Nack {
            sender_ssrc: self.config.local_ssrc,
            media_ssrc,
            pairs: List::from_values(pairs.get(..np).unwrap_or_default()),
        };
        let len = Repr::Nack(nack).emit(out).ok()?;
        for &ext in exts.get(..n).unwrap_or_default() {
            if let Slot::Missing {
                since: seen, nacks, ..
            } = self.slot(ext)
            {
                let slot = Slot::Missing {
                    since: seen,
                    last_nack: now,
                    nacks: nacks + 1,
                };
                self.set(ext, slot);
            }
        }
        self.stats.nack_count += 1;
        Some(len)
    }

    /// Writes a PLI (RFC 4585 §6.3.1) when a frame was lost since the last keyframe and
    /// the last PLI is at least [`Config::pli_interval`] old; returns its length.
    pub fn poll_pli(&mut self, now: Duration, out: &mut [u8]) -> Option<usize> {
        let media_ssrc = self.ssrc?;
        if !self.pli_pending
            || self
                .last_pli
                .is_some_and(|t| since(now, t) < self.config.pli_interval)
        {
            return None;
        }
        let pli = Pli {
            sender_ssrc: self.config.local_ssrc,
            media_ssrc,
        };
        let len = Repr::Pli(pli).emit(out).ok()?;
        self.pli_pending = false;
        self.last_pli = Some(now);
        self.stats.pli_count += 1;
        Some(len)
    }

    /// Asks for a keyframe (a PLI at the next [`poll_pli`](Self::poll_pli) the rate limit
    /// allows), e.g. when the decoder failed.
    pub fn request_keyframe(&mut self) {
        self.pli_pending = true;
    }

    /// Tells the buffer what the depayloader made of the released packets: a dropped
    /// frame counts and asks for a keyframe; a complete keyframe cancels that request.
    pub fn on_depayloader_event(&mut self, event: &Event<'_>) {
        match event {
            Event::Frame(f) => {
                self.stats.frames_received += 1;
                if f.keyframe {
                    self.stats.key_frames_received += 1;
                    self.pli_pending = false;
                }
            }
            Event::Dropped(_) => {
                self.stats.frames_dropped += 1;
                self.pli_pending = true;
            }
        }
    }

    /// Counts a FIR we sent for this stream (RFC 5104; the peer layer writes FIRs).
    pub fn count_fir(&mut self) {
        self.stats.fir_count += 1;
    }

    /// Notes a sender report from this source, for LSR/DLSR in our next report block.
    pub fn handle_sender_report(&mut self, now: Duration, sr: &SenderReport<'_>) {
        if self.ssrc.is_none_or(|s| s == sr.ssrc) {
            self.rx.last_sr = Some(((sr.ntp_time >> 16) as u32, now));
        }
    }

    /// The reception report block about this source (RFC 3550 §6.4.1, A.3), or `None`
    /// before the first packet. Starts a new reporting interval (for `fraction_lost`):
    /// call it once per report sent.
    pub fn report_block(&mut self, now: Duration) -> Option<ReportBlock> {
        let ssrc = self.ssrc?;
        let rx = &mut self.rx;
        let expected = (self.highest + 1).saturating_sub(rx.base);
        let lost = expected as i64 - rx.received as i64;
        let expected_interval = expected.saturating_sub(rx.expected_prior);
        let received_interval = rx.received.saturating_sub(rx.received_prior);
        rx.expected_prior = expected;
        rx.received_prior = rx.received;
        let lost_interval = expected_interval as i64 - received_interval as i64;
        let fraction_lost = if expected_interval == 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval as i64).min(255) as u8
        };
        let (last_sr, delay_since_last_sr) = match rx.last_sr {
            None => (0, 0),
            Some((lsr, at)) => {
                let d = since(now, at);
                let units = (d.as_micros() << 16) / 1_000_000;
                (lsr, u32::try_from(units).unwrap_or(u32::MAX))
            }
        };
        Some(ReportBlock {
            ssrc,
            fraction_lost,
            cumulative_lost: lost.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
            highest_sequence: self.highest.wrapping_sub(ORIGIN) as u32,
            jitter: rx.jitter_q4 >> 4,
            last_sr,
            delay_since_last_sr,
        })
    }

    /// Writes a receiver report (RFC 3550 §6.4.2) from `local_ssrc` with this stream's
    /// report block (none before the first packet); returns its length. A sending
    /// endpoint puts [`report_block`](Self::report_block) in its SR instead.
    pub fn emit_receiver_report(&mut self, now: Duration, out: &mut [u8]) -> Result<usize, Error> {
        let block = self.report_block(now);
        let blocks = block.as_slice();
        let rr = ReceiverReport {
            ssrc: self.config.local_ssrc,
            reports: List::from_values(blocks),
            extension: &[],
        };
        Repr::ReceiverReport(rr).emit(out)
    }

    /// The `RTCInboundRtpStreamStats` of this stream (loss and jitter as of now).
    pub fn stats(&self) -> InboundRtpStats {
        let mut s = self.stats;
        if self.ssrc.is_some() {
            let expected = (self.highest + 1).saturating_sub(self.rx.base);
            s.packets_lost = expected as i64 - self.rx.received as i64;
            let rate = u64::from(self.config.clock_rate.max(1));
            let nanos = u64::from(self.rx.jitter_q4) * 1_000_000_000 / 16 / rate;
            s.jitter = Duration::from_nanos(nanos);
        }
        s
    }
}
