//! DTLS 1.2 (RFC 6347) and DTLS-SRTP (RFC 5764) in [`dtls`], and SRTP/SRTCP (RFC 3711,
//! RFC 7714) in [`srtp`], for rtcam: no_std, no alloc, in place, never panicking on input.
//!
//! [`dtls::Endpoint`] is the DTLS 1.2 client or server (WebRTC's `a=setup` decides),
//! sans-IO like every rtcam engine: datagrams and `now` in, protected datagrams written
//! into caller buffers, events and the next timeout out. It negotiates
//! TLS_ECDHE_ECDSA_WITH_AES_128/256_GCM (and TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 as a
//! client, for RSA-certificate peers such as GStreamer), all four SRTP profiles in a
//! configurable order, extended master secret; fragments and reassembles flights to the
//! MTU, retransmits with exponential backoff, answers or sends HelloVerifyRequest, pins
//! the peer certificate to the SDP fingerprint (fail closed) and exports the SRTP keying
//! material (RFC 5705). Its building blocks are public too: wire formats, PRF and
//! exporter, AES-GCM record protection, the replay window, reassembly, and the
//! certificate identity (a self-signed ECDSA P-256 certificate built without alloc; the
//! peer's certificate read, ECDSA and RSA signatures verified).
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
//!   buffer must hold a whole flight. The endpoint's buffers are fixed: 2 KiB for our
//!   flight, 4 KiB of reassembly, 2 KiB for the peer's certificate.
//! - Extended master secret is preferred, not required. As a server: ECDSA suites and
//!   P-256 only (no X25519), client CertificateVerify with SHA-256/384 schemes, and a
//!   client certificate is required (WebRTC always sends one). No session resumption.
//! - An unauthenticated (epoch 0) fatal alert ends a handshake in progress; after the
//!   key switch only epoch-1 alerts count. One next-epoch record (a Finished overtaking
//!   its ChangeCipherSpec) is buffered; others are left to retransmission.
//! - Our last flight is retransmitted when the first fragment of the peer's previous
//!   flight arrives again (not on every fragment), which bounds amplification.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod dtls;
pub mod srtp;
