//! ICE agent (RFC 8445, trickle RFC 8838, consent RFC 7675): candidates, checklists, nomination.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
