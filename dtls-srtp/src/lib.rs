//! DTLS 1.2 (RFC 6347) client and server, DTLS-SRTP (RFC 5764), SRTP/SRTCP (RFC 3711, RFC 7714).
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
