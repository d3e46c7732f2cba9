//! SRTP and SRTCP (RFC 3711) with the AEAD profiles of RFC 7714: in place, no heap.
//!
//! A [`Context`] protects or unprotects one direction: the DTLS-SRTP exporter
//! ([`split_keying_material`]) yields the master keys for both. Every packet is processed
//! in the caller's buffer; authentication failures and replays are errors the caller
//! counts (also kept in [`Stats`]), never panics.
//!
//! # Deliberate shortcuts
//!
//! - Key derivation rate 0 (no re-keying), as WebRTC uses; MKI is not supported.
//! - Unencrypted SRTCP (E flag clear) is accepted when received, for every profile, but
//!   never sent: WebRTC senders always encrypt.
//! - A receiver starts a new SSRC at ROC 0 from its first authenticated packet.

mod context;
mod profile;
mod replay;

use core::fmt;

pub use context::{Context, SessionKeys, Stats, kdf};
pub use profile::Profile;
pub use replay::WINDOW as REPLAY_WINDOW;

/// What can go wrong protecting or unprotecting a packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Not an RTP/RTCP packet of a usable size.
    Malformed,
    /// The caller's buffer has no room for the tag.
    BufferTooSmall,
    /// The authentication tag does not verify.
    AuthenticationFailed,
    /// Seen before, or older than the replay window.
    Replayed,
    /// A new SSRC while the stream table is full.
    TooManyStreams,
    /// Master (or session) key or salt of the wrong length for the profile.
    BadKeyLength,
    /// A packet form this implementation does not handle (see the module's shortcuts).
    Unsupported,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Malformed => "not a valid RTP/RTCP packet",
            Error::BufferTooSmall => "buffer has no room for the SRTP tag",
            Error::AuthenticationFailed => "SRTP authentication failed",
            Error::Replayed => "SRTP replay rejected",
            Error::TooManyStreams => "SRTP stream table full",
            Error::BadKeyLength => "SRTP key or salt has the wrong length",
            Error::Unsupported => "unsupported SRTP packet form",
        })
    }
}

impl core::error::Error for Error {}

/// Master key and salt for one direction.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MasterKey<'a> {
    /// The master key.
    pub key: &'a [u8],
    /// The master salt.
    pub salt: &'a [u8],
}

impl fmt::Debug for MasterKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(redacted)")
    }
}

/// Splits the DTLS-SRTP exporter output (RFC 5764 §4.2: client key, server key, client
/// salt, server salt) into (what the client sends with, what the server sends with).
pub fn split_keying_material(
    profile: Profile,
    material: &[u8],
) -> Result<(MasterKey<'_>, MasterKey<'_>), Error> {
    let k = profile.master_key_len();
    let s = profile.master_salt_len();
    if material.len() != 2 * (k + s) {
        return Err(Error::BadKeyLength);
    }
    let (keys, salts) = material.split_at(2 * k);
    let (client_key, server_key) = keys.split_at(k);
    let (client_salt, server_salt) = salts.split_at(s);
    Ok((
        MasterKey {
            key: client_key,
            salt: client_salt,
        },
        MasterKey {
            key: server_key,
            salt: server_salt,
        },
    ))
}
