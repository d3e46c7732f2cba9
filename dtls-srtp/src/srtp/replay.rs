//! The replay window (RFC 3711 §3.3.2): a 64-packet bitmask behind the highest index seen.

/// Packets this far behind the newest are rejected as too old.
pub const WINDOW: u64 = 64;

/// Which indices have been accepted near the top.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ReplayWindow {
    /// Highest accepted index, if any.
    top: Option<u64>,
    /// Bit `n` set: index `top - n` was accepted.
    seen: u64,
}

impl ReplayWindow {
    /// True if `index` may be accepted (not seen, not too old). Does not record it.
    pub(crate) fn check(&self, index: u64) -> bool {
        let Some(top) = self.top else {
            return true;
        };
        if index > top {
            return true;
        }
        let behind = top - index;
        behind < WINDOW && self.seen & (1 << behind) == 0
    }

    /// Records an authenticated `index`.
    pub(crate) fn accept(&mut self, index: u64) {
        match self.top {
            None => {
                self.top = Some(index);
                self.seen = 1;
            }
            Some(top) if index > top => {
                let ahead = index - top;
                self.seen = if ahead >= WINDOW {
                    1
                } else {
                    (self.seen << ahead) | 1
                };
                self.top = Some(index);
            }
            Some(top) => {
                let behind = top - index;
                if behind < WINDOW {
                    self.seen |= 1 << behind;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_rules() {
        let mut w = ReplayWindow::default();
        assert!(w.check(100));
        w.accept(100);
        assert!(!w.check(100));
        assert!(w.check(99));
        w.accept(99);
        assert!(!w.check(99));
        assert!(w.check(101));
        w.accept(200);
        assert!(!w.check(136), "too old: 64 behind");
        assert!(w.check(137));
        assert!(!w.check(200));
        w.accept(137);
        assert!(!w.check(137));
        w.accept(10_000);
        assert!(w.check(9_999));
        assert!(!w.check(200));
    }
}
