//! TURN client (RFC 8656) for rtcam: one sans-IO state machine per allocation, no_std,
//! no alloc.
//!
//! [`Client`] runs the long-term credential dance (401 → REALM/NONCE → MESSAGE-INTEGRITY,
//! PASSWORD-ALGORITHMS with SHA-256 when the server offers it, 438 stale nonce), follows
//! 300 ALTERNATE-SERVER, refreshes the allocation, permissions (every 4 minutes) and
//! channels (every 9 minutes), and releases the allocation with LIFETIME 0. Data goes as
//! Send indications until a channel is bound, then as ChannelData; a 403 for one peer
//! fails only that peer. Over TCP and TLS the driver cuts the byte stream into frames
//! with [`frame_len`]; TLS itself is the driver's job.
//!
//! Sans-IO: `now` is a [`core::time::Duration`] since an epoch the driver picks; the
//! random transaction ids come from the RNG the client is given; requests are written
//! into the caller's buffer by [`Client::poll_transmit`]; peer data comes back from
//! [`Client::handle_input`] borrowed from the input, without a copy.
//!
//! # Deliberate shortcuts
//!
//! - A 437 to Allocate is reported ([`Failure::AllocationMismatch`]) rather than retried:
//!   retrying needs a new local port, which is the driver's to open.
//! - Only UDP relaying (REQUESTED-TRANSPORT 17): WebRTC needs nothing else.
//! - EVEN-PORT and RESERVATION-TOKEN are not requested (RTP/RTCP are muxed in WebRTC).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

mod channel_data;
mod client;
mod error;

pub use channel_data::{
    ChannelData, HEADER_LEN as CHANNEL_DATA_HEADER_LEN, MAX_CHANNEL, MIN_CHANNEL,
    encode as encode_channel_data, frame_len, is_channel,
};
pub use client::{
    Client, Config, Event, Failure, MAX_CREDENTIAL, MAX_NONCE, MAX_REALM, MAX_REQUEST_LEN,
    Received, Stats, Transmit, Transport,
};
pub use error::Error;
