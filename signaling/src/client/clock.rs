//! The client driver's one source of wall-clock time. The no_std core (SigV4, the
//! policy) takes time as input; this thin driver is where it comes from, so the
//! system clock is read here and nowhere else in the client. A device whose clock is
//! wrong is modelled by shifting this reading ([`shifted`]), never by a second read.

use std::time::{Duration, SystemTime};

/// The system clock, uncorrected.
pub(crate) fn system_now() -> SystemTime {
    SystemTime::now()
}

/// `t` moved by `secs` seconds (either way), saturating at what `SystemTime` can hold.
pub(crate) fn shifted(t: SystemTime, secs: i64) -> SystemTime {
    let d = Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 {
        t.checked_add(d).unwrap_or(t)
    } else {
        t.checked_sub(d).unwrap_or(t)
    }
}
