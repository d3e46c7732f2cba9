//! Credentials, MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT (RFC 8489 §9, §14.5-14.7).

use core::fmt;

use hmac::{Hmac, Mac};
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Error;
use crate::attr::PasswordAlgorithm;
use crate::prep::{is_prepared, opaque_string};

/// XOR-ed into the CRC-32 so FINGERPRINT differs from other protocols' CRCs.
const FINGERPRINT_XOR: u32 = 0x5354_554E;

/// The HMAC key for MESSAGE-INTEGRITY, derived once and reused for every message.
///
/// Its `Debug` output never shows the key bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key<'a> {
    inner: KeyBytes<'a>,
}

#[derive(Clone, PartialEq, Eq)]
enum KeyBytes<'a> {
    Password(&'a [u8]),
    Md5([u8; 16]),
    Sha256([u8; 32]),
}

impl<'a> Key<'a> {
    /// A short-term credential (ICE): the key is the password itself (RFC 8489 §9.1.1).
    ///
    /// The password must already be in OpaqueString form — ICE passwords are ice-chars,
    /// which always are; anything else is refused rather than silently mis-keyed.
    pub fn short_term(password: &'a str) -> Result<Key<'a>, Error> {
        if !is_prepared(password) {
            return Err(Error::InvalidCredential);
        }
        Ok(Key {
            inner: KeyBytes::Password(password.as_bytes()),
        })
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
        let inner = match algorithm {
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
        Ok(Key { inner })
    }

    /// The raw HMAC key.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.inner {
            KeyBytes::Password(p) => p,
            KeyBytes::Md5(k) => k,
            KeyBytes::Sha256(k) => k,
        }
    }
}

impl fmt::Debug for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.inner {
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

fn hmac_sha1(key: &Key<'_>) -> Hmac<Sha1> {
    // HMAC accepts keys of any length; this cannot fail.
    <Hmac<Sha1> as Mac>::new_from_slice(key.as_bytes()).unwrap_or_else(|_| unreachable!())
}

fn hmac_sha256(key: &Key<'_>) -> Hmac<Sha256> {
    <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()).unwrap_or_else(|_| unreachable!())
}

pub(crate) fn message_integrity(key: &Key<'_>, prefix: &[u8], len_field: u16) -> [u8; 20] {
    covered(hmac_sha1(key), prefix, len_field)
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
/// (the key often depends on the message's own USERNAME or REALM).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IntegrityRef<'a> {
    /// The message bytes before the attribute.
    pub(crate) prefix: &'a [u8],
    /// The header length value the sender used when computing the MAC.
    pub(crate) len_field: u16,
    /// The received MAC (20 bytes for SHA-1, 16..=32 for SHA-256).
    pub(crate) mac: &'a [u8],
}

impl IntegrityRef<'_> {
    pub(crate) fn verify_sha1(&self, key: &Key<'_>) -> Result<(), Error> {
        let expected = message_integrity(key, self.prefix, self.len_field);
        ct_eq(&expected, self.mac)
    }

    pub(crate) fn verify_sha256(&self, key: &Key<'_>) -> Result<(), Error> {
        let expected = message_integrity_sha256(key, self.prefix, self.len_field);
        // A truncated MAC is compared against the same-length prefix (RFC 8489 §14.6).
        ct_eq(expected.get(..self.mac.len()).unwrap_or(&[]), self.mac)
    }
}

fn ct_eq(a: &[u8], b: &[u8]) -> Result<(), Error> {
    if a.len() == b.len() && bool::from(a.ct_eq(b)) {
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
