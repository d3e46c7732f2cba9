//! STUN (RFC 8489, compatible with RFC 5389) for rtcam: no_std, no alloc, no panics on
//! input.
//!
//! Two ways to read a message, in the smoltcp style:
//! - [`Message`] is a checked, zero-copy view. [`Message::new_checked`] validates the
//!   header, every attribute's bounds and where the integrity attributes sit; then
//!   [`Message::check_fingerprint`], [`Message::verify`] (MESSAGE-INTEGRITY(-SHA256) with a
//!   [`Key`], in constant time) and [`Message::get`] (one attribute, decoded on demand)
//!   are the cheapest path — what an ICE agent does with every connectivity check.
//! - [`Repr`] decodes and validates every attribute in one pass ([`Repr::parse`]) into
//!   [`Attributes`], verifies FINGERPRINT, authenticates with [`Repr::verify`], and
//!   writes messages back ([`Repr::emit`]).
//!
//! To write, [`MessageBuilder`] appends attributes into the caller's buffer and seals the
//! message with MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT. [`TransactionId::random`]
//! draws from an injected RNG: this crate never fetches randomness, reads a clock or
//! allocates. Unknown comprehension-required attributes are reported
//! ([`Repr::unknown_required`]) so a server can answer 420.
//!
//! ```
//! use rtcam_stun::{kind, Attribute, Class, Key, Message, MessageBuilder, Method, Repr, Seal,
//!     TransactionId};
//!
//! let key = Key::short_term("VOkJxbRl1RmTxUk/WvJxBt").unwrap();
//! let mut buf = [0u8; 128];
//! let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING,
//!     TransactionId([7; 12])).unwrap();
//! b.add(&Attribute::Username("evtj:h6vY")).unwrap();
//! b.add(&Attribute::Priority(0x6e00_01ff)).unwrap();
//! let request = b.seal(Seal::sha1(&key)).unwrap();
//!
//! // The view: check, authenticate, read what is needed.
//! let msg = Message::new_checked(request).unwrap();
//! msg.check_fingerprint().unwrap();
//! msg.verify(&key).unwrap();
//! assert_eq!(msg.get(kind::USERNAME), Some(Ok(Attribute::Username("evtj:h6vY"))));
//!
//! // The Repr: everything decoded.
//! let repr = Repr::parse_bytes(request).unwrap();
//! assert_eq!(repr.attributes.priority, Some(0x6e00_01ff));
//! repr.verify(&key).unwrap();
//! ```
//!
//! # Deliberate shortcuts
//!
//! - RFC 3489 messages (no magic cookie) are rejected: ICE and TURN require RFC 5389+.
//! - Credentials are prepared with OpaqueString but without NFC normalization tables;
//!   see the `prep` module notes. ASCII credentials are exact.
//! - Only the first occurrence of a repeated attribute is decoded into [`Attributes`]
//!   (XOR-RELAYED-ADDRESS keeps both of a dual-stack allocation); all of them remain
//!   available from [`Message::attributes`].

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

mod attr;
mod builder;
mod bytes;
mod error;
mod integrity;
mod message;
mod prep;
mod repr;

pub use attr::{
    AddressFamily, Attribute, ErrorCode, MAX_TEXT_LEN, MAX_USERNAME_LEN, PasswordAlgorithm,
    PasswordAlgorithms, UnknownAttributes, code, kind,
};
pub use builder::{MessageBuilder, Seal};
pub use error::Error;
pub use integrity::{Key, MacAlgorithm, userhash};
pub use message::{
    ATTR_HEADER_LEN, Class, HEADER_LEN, MAGIC_COOKIE, Message, Method, RawAttribute, RawAttributes,
    TransactionId, frame_len, is_stun,
};
pub use repr::{Attributes, MAX_RELAYED_ADDRESSES, MAX_UNKNOWN, Repr};
