//! Credentials, MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT (RFC 8489 §9, §14.5-14.7).

use core::fmt;

use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Error;
use crate::attr::PasswordAlgorithm;
use crate::message::{ATTR_HEADER_LEN, HEADER_LEN};
use crate::prep::{is_prepared, opaque_string};

/// XOR-ed into the CRC-32 so FINGERPRINT differs from other protocols' CRCs.
const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// The HMAC key for MESSAGE-INTEGRITY, derived once and reused for every message.
///
/// It keeps the keyed HMAC-SHA1 state (the hashed inner and outer pads), so checking a
/// message costs only the message's own SHA-1 blocks — a third less work per ICE check
/// on the camera's CPU, which has no SHA instructions. Its `Debug` output never shows the
/// key bytes.
#[derive(Clone)]
pub struct Key<'a> {
    bytes: KeyBytes<'a>,
    sha1: Hmac<Sha1>,
}

#[derive(Clone)]
enum KeyBytes<'a> {
    Password(&'a [u8]),
    Md5([u8; 16]),
    Sha256([u8; 32]),
}

impl<'a> Key<'a> {
    fn new(bytes: KeyBytes<'a>) -> Key<'a> {
        let raw: &[u8] = match &bytes {
            KeyBytes::Password(p) => p,
            KeyBytes::Md5(k) => k,
            KeyBytes::Sha256(k) => k,
        };
        // HMAC accepts keys of any length: this cannot fail.
        let sha1 = <Hmac<Sha1> as Mac>::new_from_slice(raw).unwrap_or_else(|_| unreachable!());
        Key { bytes, sha1 }
    }

    /// A short-term credential (ICE): the key is the password itself (RFC 8489 §9.1.1).
    ///
    /// The password must already be in OpaqueString form — ICE passwords are ice-chars,
    /// which always are; anything else is refused rather than silently mis-keyed.
    pub fn short_term(password: &'a str) -> Result<Key<'a>, Error> {
        if !is_prepared(password) {
            return Err(Error::InvalidCredential);
        }
        Ok(Key::new(KeyBytes::Password(password.as_bytes())))
    }

    /// A long-term credential (TURN): `H(username ":" OpaqueString(realm) ":"
    /// OpaqueString(password))` with H = MD5 or SHA-256 as PASSWORD-ALGORITHM chose
    /// (RFC 8489 §9.2.2).
    pub fn long_term(
        algorithm: PasswordAlgorithm,
        username: &str,
        realm: &str,
        password: &str,
    ) -> Result<Key<'static>, Error> {
        fn feed<D: Digest>(mut d: D, u: &str, r: &str, p: &str) -> Result<D, Error> {
            d.update(u.as_bytes());
            d.update(b":");
            opaque_string(r, |b| d.update(b))?;
            d.update(b":");
            opaque_string(p, |b| d.update(b))?;
            Ok(d)
        }
        let bytes = match algorithm {
            PasswordAlgorithm::Md5 => KeyBytes::Md5(
                feed(Md5::new(), username, realm, password)?
                    .finalize()
                    .into(),
            ),
            PasswordAlgorithm::Sha256 => KeyBytes::Sha256(
                feed(Sha256::new(), username, realm, password)?
                    .finalize()
                    .into(),
            ),
            PasswordAlgorithm::Other(_) => return Err(Error::InvalidCredential),
        };
        Ok(Key::new(bytes))
    }

    /// The raw HMAC key.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.bytes {
            KeyBytes::Password(p) => p,
            KeyBytes::Md5(k) => k,
            KeyBytes::Sha256(k) => k,
        }
    }
}

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Key<'_>) -> bool {
        ct_eq(self.as_bytes(), other.as_bytes()).is_ok()
    }
}

impl Eq for Key<'_> {}

impl fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.bytes {
            KeyBytes::Password(_) => "short-term",
            KeyBytes::Md5(_) => "long-term MD5",
            KeyBytes::Sha256(_) => "long-term SHA-256",
        };
        write!(f, "Key({kind}, redacted)")
    }
}

/// USERHASH: SHA-256(OpaqueString(username) ":" OpaqueString(realm)) (RFC 8489 §14.4).
pub fn userhash(username: &str, realm: &str) -> Result<[u8; 32], Error> {
    let mut d = Sha256::new();
    opaque_string(username, |b| d.update(b))?;
    d.update(b":");
    opaque_string(realm, |b| d.update(b))?;
    Ok(d.finalize().into())
}

/// Which MESSAGE-INTEGRITY attribute(s) to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlgorithm {
    /// MESSAGE-INTEGRITY (HMAC-SHA1): every RFC 5389 peer.
    Sha1,
    /// MESSAGE-INTEGRITY-SHA256 only.
    Sha256,
    /// Both, SHA-1 first: understood by old and new receivers.
    Both,
}

/// Feeds `mac` the bytes integrity covers: the message up to the integrity attribute,
/// with the header's length field replaced by `len_field` (RFC 8489 §14.5).
fn covered<M: Mac>(mut mac: M, prefix: &[u8], len_field: u16) -> M {
    mac.update(prefix.get(..2).unwrap_or(&[]));
    mac.update(&len_field.to_be_bytes());
    mac.update(prefix.get(4..).unwrap_or(&[]));
    mac
}

fn hmac_sha256(key: &Key<'_>) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap_or_else(|_| unreachable!())
}

pub(crate) fn message_integrity(key: &Key<'_>, prefix: &[u8], len_field: u16) -> [u8; 20] {
    covered(key.sha1.clone(), prefix, len_field)
        .finalize()
        .into_bytes()
        .into()
}

pub(crate) fn message_integrity_sha256(key: &Key<'_>, prefix: &[u8], len_field: u16) -> [u8; 32] {
    covered(hmac_sha256(key), prefix, len_field)
        .finalize()
        .into_bytes()
        .into()
}

/// Where a received integrity attribute sits, so it can be verified later with a key
/// (the key often depends on the message's own USERNAME or REALM). Kept as two small
/// numbers so a parsed message stays cheap to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IntegrityRef {
    /// Offset of the attribute in the message.
    pub(crate) offset: u32,
    /// Length of the received MAC (20 for SHA-1, 16..=32 for SHA-256).
    pub(crate) mac_len: u8,
}

impl IntegrityRef {
    /// The bytes the MAC covers, the header length the sender used, and the MAC.
    fn split<'m>(&self, msg: &'m [u8]) -> (&'m [u8], u16, &'m [u8]) {
        let at = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let mac_at = at + ATTR_HEADER_LEN;
        let end = mac_at + usize::from(self.mac_len);
        let len_field = u16::try_from(end - HEADER_LEN).unwrap_or(0);
        (
            msg.get(..at).unwrap_or(&[]),
            len_field,
            msg.get(mac_at..end).unwrap_or(&[]),
        )
    }

    pub(crate) fn verify_sha1(&self, msg: &[u8], key: &Key<'_>) -> Result<(), Error> {
        let (prefix, len_field, mac) = self.split(msg);
        ct_eq(&message_integrity(key, prefix, len_field), mac)
    }

    pub(crate) fn verify_sha256(&self, msg: &[u8], key: &Key<'_>) -> Result<(), Error> {
        let (prefix, len_field, mac) = self.split(msg);
        let expected = message_integrity_sha256(key, prefix, len_field);
        // A truncated MAC is compared against the same-length prefix (RFC 8489 §14.6).
        ct_eq(expected.get(..mac.len()).unwrap_or(&[]), mac)
    }
}

/// Constant-time equality: the differences are OR-ed together and only the final byte
/// goes through `subtle`, so timing depends on neither where nor how the inputs differ.
fn ct_eq(a: &[u8], b: &[u8]) -> Result<(), Error> {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    if a.len() == b.len() && bool::from(diff.ct_eq(&0)) {
        Ok(())
    } else {
        Err(Error::IntegrityMismatch)
    }
}

/// FINGERPRINT value for a message whose bytes before the attribute are `prefix`
/// (the header's length must already include the FINGERPRINT attribute).
pub(crate) fn fingerprint(prefix: &[u8]) -> u32 {
    crc32fast::hash(prefix) ^ FINGERPRINT_XOR
}
