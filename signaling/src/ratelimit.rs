//! Send-rate limits the service enforces per connection: at most 20 ICE candidates and 5
//! SDP offers/answers per second. Exceeding them gets messages dropped (or the connection
//! throttled), so the client paces itself instead of finding out.
//!
//! [`TokenBucket`] is a token bucket kept as one timestamp (the generic cell rate
//! algorithm): `rate` tokens per second refill a bucket of `burst` tokens. Time is a
//! caller-supplied monotonic [`Duration`], like everywhere in this crate; no clock, no
//! floating point.

use core::time::Duration;

const NANOS_PER_SEC: u64 = 1_000_000_000;

/// A token bucket: [`TokenBucket::try_acquire`] either takes a token or says how long to
/// wait for the next one, so a driver can sleep exactly that long rather than poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenBucket {
    /// Nanoseconds one token takes to refill (1 s / rate).
    interval_ns: u64,
    /// How far ahead of `now` the theoretical arrival time may run: (burst − 1) intervals.
    tolerance_ns: u64,
    /// Theoretical arrival time of the next conforming send, in ns on the caller's clock.
    /// `u128` like `Duration::as_nanos`: a u64 saturates after 584 years of clock, and a
    /// saturated time stopped advancing, letting every send through.
    tat_ns: u128,
}

impl TokenBucket {
    /// `rate` tokens per second, at most `burst` at once (both clamped to at least 1, so
    /// a zero never divides or blocks forever). The bucket starts full.
    pub const fn new(rate_per_sec: u32, burst: u32) -> TokenBucket {
        let rate = if rate_per_sec == 0 { 1 } else { rate_per_sec } as u64;
        let burst = if burst == 0 { 1 } else { burst } as u64;
        let interval_ns = NANOS_PER_SEC / rate;
        TokenBucket {
            interval_ns,
            tolerance_ns: interval_ns.saturating_mul(burst - 1),
            tat_ns: 0,
        }
    }

    /// ICE candidates: never more than 20 in any one-second window (16/s with a burst of
    /// 5, so a burst followed by the steady rate still stays within 20 per second).
    pub const fn candidates() -> TokenBucket {
        TokenBucket::new(16, 5)
    }

    /// SDP offers and answers: never more than 5 in any one-second window (4/s, burst 2).
    pub const fn offers_answers() -> TokenBucket {
        TokenBucket::new(4, 2)
    }

    /// Takes one token at `now`, or returns how long until one is available (nothing is
    /// taken then). `now` must not go backwards by more than the bucket's horizon; if it
    /// does the bucket simply stays conservative.
    pub fn try_acquire(&mut self, now: Duration) -> Result<(), Duration> {
        let now_ns = now.as_nanos();
        let tat = self.tat_ns.max(now_ns);
        let ahead = tat - now_ns;
        let tolerance = u128::from(self.tolerance_ns);
        if ahead > tolerance {
            return Err(duration_from_ns(ahead - tolerance));
        }
        self.tat_ns = tat.saturating_add(u128::from(self.interval_ns));
        Ok(())
    }

    /// When the next token will be available (`now` if one is available already).
    pub fn next_available(&self, now: Duration) -> Duration {
        let ready = self.tat_ns.saturating_sub(u128::from(self.tolerance_ns));
        duration_from_ns(ready).max(now)
    }

    /// Refills the bucket completely: a new connection starts a new count at the service.
    pub fn reset(&mut self) {
        self.tat_ns = 0;
    }
}

/// Nanoseconds back to a `Duration` (saturating at `Duration::MAX`).
fn duration_from_ns(ns: u128) -> Duration {
    let nanos = u32::try_from(ns % u128::from(NANOS_PER_SEC)).unwrap_or(0);
    match u64::try_from(ns / u128::from(NANOS_PER_SEC)) {
        Ok(secs) => Duration::new(secs, nanos),
        Err(_) => Duration::MAX,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use std::vec::Vec;

    /// Saturates the bucket for `secs` seconds and returns the largest number of sends in
    /// any one-second window.
    fn max_per_second(mut b: TokenBucket, start: Duration, secs: u64) -> usize {
        let mut now = start;
        let end = start + Duration::from_secs(secs);
        let mut sent: Vec<Duration> = Vec::new();
        while now < end {
            match b.try_acquire(now) {
                Ok(()) => sent.push(now),
                Err(wait) => {
                    assert!(wait > Duration::ZERO);
                    assert_eq!(b.next_available(now), now + wait);
                    now += wait;
                }
            }
        }
        let mut best = 0;
        for (i, &t) in sent.iter().enumerate() {
            let n = sent[i..]
                .iter()
                .take_while(|&&u| u < t + Duration::from_secs(1))
                .count();
            best = best.max(n);
        }
        best
    }

    #[test]
    fn presets_respect_the_service_limits() {
        for start in [Duration::ZERO, Duration::from_secs(1_000_000)] {
            assert_eq!(max_per_second(TokenBucket::candidates(), start, 10), 20);
            assert_eq!(max_per_second(TokenBucket::offers_answers(), start, 10), 5);
        }
    }

    #[test]
    fn burst_then_wait() {
        let mut b = TokenBucket::new(10, 3);
        let t = Duration::from_secs(5);
        for _ in 0..3 {
            b.try_acquire(t).unwrap();
        }
        assert_eq!(b.try_acquire(t), Err(Duration::from_millis(100)));
        b.try_acquire(t + Duration::from_millis(100)).unwrap();
        // Idle long enough and the bucket is full again, never fuller.
        let later = t + Duration::from_secs(60);
        for _ in 0..3 {
            b.try_acquire(later).unwrap();
        }
        assert!(b.try_acquire(later).is_err());
        b.reset();
        assert!(b.try_acquire(later).is_ok());
    }

    #[test]
    fn zero_and_huge_values_are_safe() {
        let mut b = TokenBucket::new(0, 0);
        let far = Duration::from_secs(1 << 30);
        assert!(b.try_acquire(far).is_ok());
        assert_eq!(b.try_acquire(far), Err(Duration::from_secs(1)));
        // Past u64 nanoseconds the clock saturates instead of wrapping.
        let _ = b.try_acquire(Duration::MAX);
        let mut b = TokenBucket::new(u32::MAX, u32::MAX);
        for _ in 0..1000 {
            assert!(b.try_acquire(Duration::ZERO).is_ok());
        }
    }
}
