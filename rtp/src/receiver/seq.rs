//! Extended sequence numbers (RFC 3550 Appendix A.1): 16-bit RTP sequence numbers unwrapped
//! into a 64-bit count that never wraps, with restart detection.

/// Forward jumps up to this many are losses, not a restart (RFC 3550 A.1's `MAX_DROPOUT`).
pub const MAX_DROPOUT: u16 = 3000;
/// Packets up to this far behind the highest are reordered or retransmitted. RFC 3550 uses
/// 100; retransmissions after a NACK round trip arrive later than that at video rates.
pub const MAX_MISORDER: u16 = 1000;
/// Extended numbers start one cycle up, so a packet reordered before the first one still
/// has a (smaller) extended number.
pub(crate) const ORIGIN: u64 = 1 << 16;

/// What one sequence number means for the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unwrapped {
    /// The packet's extended sequence number (possibly behind the highest: late).
    Seq(u64),
    /// Two consecutive packets after a big jump: the sender restarted; the stream starts
    /// over at this extended number.
    Restart(u64),
    /// A big jump not (yet) confirmed by the next packet: dropped, as RFC 3550 A.1 does.
    Rejected,
}

/// Unwraps one source's 16-bit sequence numbers (RFC 3550 A.1 without the probation of a
/// new source: SRTP already authenticated it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeqUnwrapper {
    highest: Option<u64>,
    bad_seq: Option<u16>,
}

impl SeqUnwrapper {
    /// An unwrapper that has seen nothing.
    pub const fn new() -> SeqUnwrapper {
        SeqUnwrapper {
            highest: None,
            bad_seq: None,
        }
    }

    /// The highest extended sequence number seen.
    pub const fn highest(&self) -> Option<u64> {
        self.highest
    }

    /// Classifies `seq` and advances the highest number when it moves forward.
    pub fn unwrap(&mut self, seq: u16) -> Unwrapped {
        let Some(highest) = self.highest else {
            let ext = ORIGIN + u64::from(seq);
            self.highest = Some(ext);
            return Unwrapped::Seq(ext);
        };
        let delta = seq.wrapping_sub(highest as u16);
        if delta < MAX_DROPOUT {
            let ext = highest + u64::from(delta);
            self.highest = Some(ext);
            self.bad_seq = None;
            Unwrapped::Seq(ext)
        } else if delta > u16::MAX - MAX_MISORDER {
            let back = u64::from(delta.wrapping_neg());
            match highest.checked_sub(back) {
                Some(ext) => Unwrapped::Seq(ext),
                None => Unwrapped::Rejected,
            }
        } else if self.bad_seq == Some(seq) {
            let ext = ORIGIN + u64::from(seq);
            *self = SeqUnwrapper {
                highest: Some(ext),
                bad_seq: None,
            };
            Unwrapped::Restart(ext)
        } else {
            self.bad_seq = Some(seq.wrapping_add(1));
            Unwrapped::Rejected
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_reorders_and_restarts() {
        let mut u = SeqUnwrapper::new();
        assert_eq!(u.unwrap(65535), Unwrapped::Seq(ORIGIN + 65535));
        assert_eq!(u.unwrap(1), Unwrapped::Seq(ORIGIN + 65537));
        assert_eq!(u.unwrap(0), Unwrapped::Seq(ORIGIN + 65536));
        assert_eq!(u.unwrap(30_000), Unwrapped::Rejected);
        assert_eq!(u.unwrap(2), Unwrapped::Seq(ORIGIN + 65538));
        assert_eq!(u.unwrap(30_000), Unwrapped::Rejected);
        assert_eq!(u.unwrap(30_001), Unwrapped::Restart(ORIGIN + 30_001));
    }
}
