//! SCTP over DTLS (RFC 9260, 8261, 3758, 6525) and WebRTC data channels (RFC 8831, DCEP RFC 8832).
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
