//! The sans-IO WebRTC peer connection: composes ICE, DTLS-SRTP, SCTP, RTP and SDP; stats.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
