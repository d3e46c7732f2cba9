//! The receiving side of one RTP stream, sans-IO: reordering, loss repair requests and the
//! reports a receiver owes its sender.
//!
//! - [`JitterBuffer`] takes plain (SRTP-decrypted) RTP packets of one SSRC in any order and
//!   releases their payloads in sequence order, ready for a
//!   [`codec`](crate::codec) depayloader. It also generates the generic NACKs (RFC 4585)
//!   for what is missing, the PLI after unrecoverable loss, and the RFC 3550 reception
//!   report block (loss, extended highest sequence, interarrival jitter, LSR/DLSR).
//! - [`TwccRecorder`] records transport-wide sequence numbers and arrival times for all
//!   SSRCs of a connection and writes transport-wide CC feedback.
//!
//! Both take `now` (monotonic, any epoch) and write RTCP into caller buffers; neither reads
//! a clock or allocates. After any input, drain the outputs (`pop`, `poll_nack`, `poll_pli`,
//! `poll_feedback`) and call back at `poll_timeout`.

mod jitter;
mod seq;
mod twcc;

pub use jitter::{Config, JitterBuffer, MAX_NACK_SEQS, Pushed, Released};
pub use seq::{MAX_DROPOUT, MAX_MISORDER, SeqUnwrapper, Unwrapped};
pub use twcc::TwccRecorder;

use core::time::Duration;

/// `a - b`, zero if `b` is later (monotonic clocks can still be fed out of order).
pub(crate) fn since(a: Duration, b: Duration) -> Duration {
    a.saturating_sub(b)
}
