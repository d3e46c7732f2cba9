//! The DTLS anti-replay window (RFC 6347 §4.1.2.6): a 64-record bitmap behind the highest
//! sequence number accepted in the current epoch.

/// Records this far behind the newest are rejected as too old.
pub const WINDOW: u64 = 64;

/// Which record sequence numbers of the current epoch have been accepted near the top.
///
/// Use: `check` before opening a record (cheap rejection), `accept` only after it
/// authenticated (RFC 6347 §4.1.2.6: the window must not move on forged records).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    epoch: u16,
    /// Highest accepted sequence number, if any.
    top: Option<u64>,
    /// Bit `n` set: sequence `top - n` was accepted.
    seen: u64,
}

impl ReplayWindow {
    /// An empty window for `epoch`.
    pub const fn new(epoch: u16) -> Self {
        ReplayWindow {
            epoch,
            top: None,
            seen: 0,
        }
    }

    /// The epoch this window tracks.
    pub const fn epoch(&self) -> u16 {
        self.epoch
    }

    /// Moves to a new epoch (after a ChangeCipherSpec): its sequence numbers start over.
    pub fn set_epoch(&mut self, epoch: u16) {
        *self = ReplayWindow::new(epoch);
    }

    /// True if a record of `epoch` with `sequence` may be accepted: the right epoch, not
    /// seen, not older than the window. Does not record it.
    pub fn check(&self, epoch: u16, sequence: u64) -> bool {
        if epoch != self.epoch {
            return false;
        }
        let Some(top) = self.top else {
            return true;
        };
        if sequence > top {
            return true;
        }
        let behind = top - sequence;
        behind < WINDOW && self.seen & (1u64 << behind) == 0
    }

    /// Records an authenticated record. Returns false (and changes nothing) if `check`
    /// would have refused it.
    pub fn accept(&mut self, epoch: u16, sequence: u64) -> bool {
        if !self.check(epoch, sequence) {
            return false;
        }
        match self.top {
            None => {
                self.top = Some(sequence);
                self.seen = 1;
            }
            Some(top) if sequence > top => {
                let ahead = sequence - top;
                self.seen = if ahead >= WINDOW {
                    1
                } else {
                    (self.seen << ahead) | 1
                };
                self.top = Some(sequence);
            }
            Some(top) => {
                self.seen |= 1u64 << (top - sequence);
            }
        }
        true
    }

    /// The highest sequence number accepted so far in this epoch.
    pub const fn highest(&self) -> Option<u64> {
        self.top
    }
}
