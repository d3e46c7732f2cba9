//! SDP (RFC 8866) parse/emit and the JSEP offer/answer rules WebRTC needs.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
