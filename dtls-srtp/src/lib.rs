//! DTLS 1.2 (RFC 6347) and DTLS-SRTP (RFC 5764) in [`dtls`], and SRTP/SRTCP (RFC 3711,
//! RFC 7714) in [`srtp`], for rtcam: no_std, no alloc, in place, never panicking on input.
//!
//! [`dtls`] so far holds the building blocks of the handshake: wire formats (records,
//! every DTLS 1.2 handshake message, the extensions WebRTC peers send), the TLS 1.2 PRF
//! with extended master secret, Finished and the RFC 5705 exporter, AES-GCM record
//! protection, the replay window, handshake reassembly and fragmentation, and the
//! certificate identity (a self-signed ECDSA P-256 certificate built without alloc; the
//! peer's certificate read, pinned by fingerprint, ECDSA and RSA signatures verified).
//!
//! # Deliberate shortcuts
//!
//! - DTLS 1.2 only; record version 0xfeff (DTLS 1.0) is accepted at epoch 0 only, as
//!   ClientHellos use it. No renegotiation or resumption (HelloRequest and
//!   NewSessionTicket parse as unknown messages).
//! - Only AES-GCM cipher suites; the record nonce's explicit part is read from the wire.
//! - Peer certificates are pinned by fingerprint (RFC 8122): names, validity dates and
//!   chains are not checked. DER is read strictly (no BER). RSA keys of 2048–4096 bits;
//!   RSA-PSS only with salt length = hash length; no P-384 peer keys.
//! - Reassembly frees buffer space once all buffered messages are delivered, so its
//!   buffer must hold a whole flight.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod dtls;
pub mod srtp;
