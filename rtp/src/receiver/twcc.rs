//! Transport-wide congestion control feedback, receiving side
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01): which transport-wide sequence
//! numbers arrived, and when, reported back every ~100 ms.

use core::time::Duration;

use super::seq::ORIGIN;
use crate::ext::{ExtensionKind, ExtensionMap};
use crate::packet::Packet;
use crate::rtcp::{Repr, TransportFeedback, TwccStatuses};

/// Records arrivals of every RTP packet of a connection (all SSRCs) by transport-wide
/// sequence number, and writes them as transport feedback for the sender's bandwidth
/// estimator.
///
/// Holds up to `N` sequence numbers not yet reported (16 bytes each): a feedback is due
/// every [`interval`](Self::set_interval) (100 ms) or as soon as `N / 2` packets wait, so
/// `N = 256` covers ~2500 packets/s. Arrivals older than the window, or of sequence
/// numbers already reported, are counted and ignored.
#[derive(Debug, Clone)]
pub struct TwccRecorder<const N: usize> {
    local_ssrc: u32,
    media_ssrc: u32,
    /// Arrival (µs) of `base + i`.
    arrivals: [Option<i64>; N],
    base: u64,
    /// One past the highest recorded.
    end: u64,
    /// Highest extended sequence number seen (unwrapping reference).
    last: Option<u64>,
    /// Everything below was reported (or given up).
    reported: u64,
    pending: usize,
    first_pending: Option<Duration>,
    last_feedback: Option<Duration>,
    interval: Duration,
    feedback_count: u8,
    ignored: u32,
}

impl<const N: usize> TwccRecorder<N> {
    /// A recorder writing feedback from `local_ssrc`.
    pub const fn new(local_ssrc: u32) -> Self {
        TwccRecorder {
            local_ssrc,
            media_ssrc: 0,
            arrivals: [None; N],
            base: 0,
            end: 0,
            last: None,
            reported: 0,
            pending: 0,
            first_pending: None,
            last_feedback: None,
            interval: Duration::from_millis(100),
            feedback_count: 0,
            ignored: 0,
        }
    }

    /// Sets the feedback interval (100 ms by default; libwebrtc uses 50–250 ms).
    pub fn set_interval(&mut self, interval: Duration) {
        self.interval = interval;
    }

    /// Arrivals ignored: too old for the window, duplicates, or already reported.
    pub const fn ignored(&self) -> u32 {
        self.ignored
    }

    /// Feedback packets written so far (mod 256, the count field's value for the next).
    pub const fn feedback_count(&self) -> u8 {
        self.feedback_count
    }

    /// Records one RTP packet's arrival from its transport-wide sequence number extension
    /// (id from `map`); false if it has none. The first one also names the media SSRC
    /// written in feedback.
    pub fn record_packet(&mut self, now: Duration, packet: &[u8], map: &ExtensionMap) -> bool {
        let p = Packet::new_unchecked(packet);
        let Some(seq) = map
            .id(ExtensionKind::TransportCc)
            .and_then(|id| p.extension_element(id))
            .and_then(|d| d.first_chunk::<2>())
            .map(|b| u16::from_be_bytes(*b))
        else {
            return false;
        };
        if self.media_ssrc == 0 {
            self.media_ssrc = p.ssrc();
        }
        self.record(now, seq);
        true
    }

    /// Records that transport-wide sequence number `seq` arrived at `now`.
    pub fn record(&mut self, now: Duration, seq: u16) {
        let ext = match self.last {
            None => ORIGIN + u64::from(seq),
            Some(last) => {
                let delta = i64::from(seq.wrapping_sub(last as u16) as i16);
                last.saturating_add_signed(delta)
            }
        };
        if self.last.is_none() {
            self.base = ext;
            self.end = ext;
        }
        self.last = Some(self.last.map_or(ext, |l| l.max(ext)));
        let cap = N as u64;
        if ext < self.reported || (ext < self.base && self.end - ext > cap) {
            self.ignored += 1;
            return;
        }
        if ext < self.base {
            // Reordered before the first recorded one, nothing reported yet: move back.
            let k = (self.base - ext) as usize;
            let used = (self.end - self.base) as usize;
            self.arrivals.copy_within(0..used, k);
            self.arrivals.iter_mut().take(k).for_each(|a| *a = None);
            self.base = ext;
            self.reported = ext;
        }
        if ext >= self.base + cap {
            // Window full (feedback not polled): the oldest go unreported.
            let drop = (ext + 1 - self.base - cap).min(cap);
            self.shift(drop as usize);
            self.base = ext + 1 - cap;
            self.reported = self.base;
            self.end = self.end.max(self.base);
        }
        let Some(slot) = self.arrivals.get_mut((ext - self.base) as usize) else {
            return;
        };
        if slot.is_some() {
            self.ignored += 1;
            return;
        }
        *slot = Some(now.as_micros() as i64);
        self.pending += 1;
        self.first_pending.get_or_insert(now);
        self.end = self.end.max(ext + 1);
    }

    /// Drops the first `n` entries (counting the received ones out of `pending`).
    fn shift(&mut self, n: usize) {
        let n = n.min(N);
        let gone = self.arrivals.iter().take(n).flatten().count();
        self.pending -= gone.min(self.pending);
        self.arrivals.copy_within(n.., 0);
        self.arrivals.iter_mut().skip(N - n).for_each(|a| *a = None);
        if self.pending == 0 {
            self.first_pending = None;
        }
    }

    /// When a feedback is due: an interval after the last one (or after the first
    /// arrival), at once when half the window waits.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let first = self.first_pending?;
        if self.pending >= N / 2 {
            return Some(Duration::ZERO);
        }
        Some(self.last_feedback.unwrap_or(first) + self.interval)
    }

    /// Writes one transport feedback packet (RTPFB FMT 15) when one is due, covering the
    /// recorded sequence numbers from the oldest unreported one (as many as `out` holds);
    /// returns its length. Call again until `None`: a window too big for `out` takes
    /// several packets, each with the next feedback count.
    pub fn poll_feedback(&mut self, now: Duration, out: &mut [u8]) -> Option<usize> {
        let due = self.poll_timeout()?;
        if now < due && self.last_feedback != Some(now) {
            return None;
        }
        // Worst case 2.5 bytes per status (2-byte delta + a 2-byte chunk per 7), after the
        // 20-byte header and fixed fields.
        let fit = out.len().saturating_sub(24) * 2 / 5;
        let span = ((self.end - self.base) as usize).min(N).min(fit);
        let arrivals = self.arrivals.get(..span)?;
        let mut statuses = [None; N];
        let (reference_time, used) =
            TransportFeedback::deltas_from_arrivals(arrivals, &mut statuses);
        let fb = TransportFeedback {
            sender_ssrc: self.local_ssrc,
            media_ssrc: self.media_ssrc,
            base_sequence: self.base as u16,
            reference_time,
            feedback_count: self.feedback_count,
            statuses: TwccStatuses::from_values(statuses.get(..used).filter(|s| !s.is_empty())?),
        };
        let len = Repr::TransportFeedback(fb).emit(out).ok()?;
        self.shift(used);
        self.base += used as u64;
        self.reported = self.base;
        self.feedback_count = self.feedback_count.wrapping_add(1);
        self.last_feedback = Some(now);
        if self.pending > 0 {
            self.first_pending = Some(now);
        }
        Some(len)
    }

    /// Whether arrivals wait to be reported.
    pub const fn has_pending(&self) -> bool {
        self.pending > 0
    }
}
