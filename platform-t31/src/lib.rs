//! The thin Linux driver for the Ingenic T31: sockets, clock, randomness, event loop, media
//! sources, binaries.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.
