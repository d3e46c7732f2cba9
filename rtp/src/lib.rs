//! RTP/RTCP (RFC 3550, 4585, 5104): payloaders, depayloaders, retransmission ring, jitter buffer.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
