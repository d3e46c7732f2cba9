//! Record protection for the AES-GCM suites (RFC 5288) in DTLS (RFC 6347 §4.1.2.1): the
//! fragment is `explicit_nonce(8) ‖ ciphertext ‖ tag(16)`, the nonce is the 4-byte implicit
//! IV ‖ the explicit part, and the additional data is `epoch ‖ seq ‖ type ‖ version ‖
//! plaintext length`. Everything happens in the caller's buffer.

use core::fmt;

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, KeyInit, Nonce, Tag};

use crate::dtls::Error;
use crate::dtls::prf::PrfHash;
use crate::dtls::wire::{CipherSuite, RECORD_HEADER_LEN, RecordHeader};

/// The explicit nonce carried at the start of each protected fragment.
pub const EXPLICIT_NONCE_LEN: usize = 8;
/// The GCM tag at the end of each protected fragment.
pub const TAG_LEN: usize = 16;
/// Bytes protection adds to a fragment.
pub const OVERHEAD: usize = EXPLICIT_NONCE_LEN + TAG_LEN;
/// Where [`RecordProtection::seal`] expects the plaintext in the record buffer.
pub const PLAINTEXT_OFFSET: usize = RECORD_HEADER_LEN + EXPLICIT_NONCE_LEN;
/// The implicit (fixed) IV length from the key block.
pub const FIXED_IV_LEN: usize = 4;

/// The AEAD of a cipher suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aead {
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
}

impl Aead {
    /// Key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            Aead::Aes128Gcm => 16,
            Aead::Aes256Gcm => 32,
        }
    }

    /// The AEAD and PRF hash of a suite we implement.
    pub fn for_suite(suite: CipherSuite) -> Result<(Aead, PrfHash), Error> {
        match suite {
            CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256
            | CipherSuite::ECDHE_RSA_AES128_GCM_SHA256 => Ok((Aead::Aes128Gcm, PrfHash::Sha256)),
            CipherSuite::ECDHE_ECDSA_AES256_GCM_SHA384
            | CipherSuite::ECDHE_RSA_AES256_GCM_SHA384 => Ok((Aead::Aes256Gcm, PrfHash::Sha384)),
            _ => Err(Error::UnsupportedCipherSuite),
        }
    }

    /// Length of the key block the PRF must produce: two keys and two implicit IVs (GCM
    /// suites have no MAC keys).
    pub const fn key_block_len(self) -> usize {
        2 * self.key_len() + 2 * FIXED_IV_LEN
    }
}

// No alloc to box the larger AES-256 key schedule; one instance per direction and epoch.
#[allow(clippy::large_enum_variant)]
enum Cipher {
    Aes128(Aes128Gcm),
    Aes256(Aes256Gcm),
}

/// The keys protecting one direction of one epoch.
pub struct RecordProtection {
    cipher: Cipher,
    fixed_iv: [u8; FIXED_IV_LEN],
}

impl fmt::Debug for RecordProtection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self.cipher {
            Cipher::Aes128(_) => "RecordProtection(AES-128-GCM, redacted)",
            Cipher::Aes256(_) => "RecordProtection(AES-256-GCM, redacted)",
        })
    }
}

impl RecordProtection {
    /// Keys for one direction: `key` of [`Aead::key_len`] bytes and the 4-byte implicit IV.
    pub fn new(aead: Aead, key: &[u8], fixed_iv: &[u8]) -> Result<Self, Error> {
        if key.len() != aead.key_len() {
            return Err(Error::BadKeyLength);
        }
        let fixed_iv: [u8; FIXED_IV_LEN] = fixed_iv.try_into().map_err(|_| Error::BadKeyLength)?;
        let cipher = match aead {
            Aead::Aes128Gcm => {
                Cipher::Aes128(Aes128Gcm::new_from_slice(key).map_err(|_| Error::BadKeyLength)?)
            }
            Aead::Aes256Gcm => {
                Cipher::Aes256(Aes256Gcm::new_from_slice(key).map_err(|_| Error::BadKeyLength)?)
            }
        };
        Ok(RecordProtection { cipher, fixed_iv })
    }

    /// Splits a key block (RFC 5246 §6.3: client key, server key, client IV, server IV)
    /// into (client-write, server-write) protection.
    pub fn from_key_block(aead: Aead, key_block: &[u8]) -> Result<(Self, Self), Error> {
        if key_block.len() != aead.key_block_len() {
            return Err(Error::BadKeyLength);
        }
        let k = aead.key_len();
        let (keys, ivs) = key_block
            .split_at_checked(2 * k)
            .ok_or(Error::BadKeyLength)?;
        let (ck, sk) = keys.split_at_checked(k).ok_or(Error::BadKeyLength)?;
        let (civ, siv) = ivs
            .split_at_checked(FIXED_IV_LEN)
            .ok_or(Error::BadKeyLength)?;
        Ok((
            RecordProtection::new(aead, ck, civ)?,
            RecordProtection::new(aead, sk, siv)?,
        ))
    }

    fn nonce(&self, explicit: &[u8; EXPLICIT_NONCE_LEN]) -> [u8; 12] {
        let mut n = [0u8; 12];
        for (d, s) in n
            .iter_mut()
            .zip(self.fixed_iv.iter().chain(explicit.iter()))
        {
            *d = *s;
        }
        n
    }

    /// Protects a record in place. `record` holds the plaintext at [`PLAINTEXT_OFFSET`]
    /// (`plaintext_len` bytes) and room for [`TAG_LEN`] more; the header (from `header`,
    /// whose `length` is ignored), explicit nonce (= epoch ‖ seq) and tag are written around
    /// it. Returns the whole record's length.
    pub fn seal(
        &self,
        header: &RecordHeader,
        record: &mut [u8],
        plaintext_len: usize,
    ) -> Result<usize, Error> {
        let total = PLAINTEXT_OFFSET
            .checked_add(plaintext_len)
            .and_then(|n| n.checked_add(TAG_LEN))
            .ok_or(Error::TooLong)?;
        if record.len() < total {
            return Err(Error::BufferTooSmall);
        }
        let plain_len = u16::try_from(plaintext_len).map_err(|_| Error::TooLong)?;
        let frag_len = u16::try_from(plaintext_len + OVERHEAD).map_err(|_| Error::TooLong)?;
        let explicit = header.epoch_sequence();
        let aad = additional_data(header, plain_len);
        let nonce = self.nonce(&explicit);
        let header = RecordHeader {
            length: frag_len,
            ..*header
        };
        header.emit(record)?;
        let (head, rest) = record
            .split_at_mut_checked(PLAINTEXT_OFFSET)
            .ok_or(Error::BufferTooSmall)?;
        head.get_mut(RECORD_HEADER_LEN..)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(&explicit);
        let (data, rest) = rest
            .split_at_mut_checked(plaintext_len)
            .ok_or(Error::BufferTooSmall)?;
        let nonce = Nonce::from_slice(&nonce);
        let tag = match &self.cipher {
            Cipher::Aes128(c) => c.encrypt_in_place_detached(nonce, &aad, data),
            Cipher::Aes256(c) => c.encrypt_in_place_detached(nonce, &aad, data),
        }
        .map_err(|_| Error::TooLong)?;
        rest.get_mut(..TAG_LEN)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(&tag);
        Ok(total)
    }

    /// Opens a protected fragment in place (the header as parsed, the fragment as received:
    /// explicit nonce ‖ ciphertext ‖ tag). Returns the plaintext, inside `fragment`.
    ///
    /// Any failure is [`Error::AuthenticationFailed`]: a record that does not authenticate is
    /// silently dropped (RFC 6347 §4.1.2.7) and tells an attacker nothing.
    pub fn open<'b>(
        &self,
        header: &RecordHeader,
        fragment: &'b mut [u8],
    ) -> Result<&'b mut [u8], Error> {
        let fail = Error::AuthenticationFailed;
        let plain_len = fragment.len().checked_sub(OVERHEAD).ok_or(fail)?;
        let (explicit, rest) = fragment
            .split_at_mut_checked(EXPLICIT_NONCE_LEN)
            .ok_or(fail)?;
        let explicit: [u8; EXPLICIT_NONCE_LEN] = (&*explicit).try_into().map_err(|_| fail)?;
        let (data, tag) = rest.split_at_mut_checked(plain_len).ok_or(fail)?;
        let aad = additional_data(header, u16::try_from(plain_len).map_err(|_| fail)?);
        let nonce = self.nonce(&explicit);
        let nonce = Nonce::from_slice(&nonce);
        if tag.len() != TAG_LEN {
            return Err(fail);
        }
        let tag = Tag::from_slice(tag);
        match &self.cipher {
            Cipher::Aes128(c) => c.decrypt_in_place_detached(nonce, &aad, data, tag),
            Cipher::Aes256(c) => c.decrypt_in_place_detached(nonce, &aad, data, tag),
        }
        .map_err(|_| fail)?;
        Ok(data)
    }
}

/// `epoch ‖ seq(48) ‖ type ‖ version ‖ length` (RFC 5246 §6.2.3.3 with RFC 6347 §4.1.2.1).
fn additional_data(header: &RecordHeader, plaintext_len: u16) -> [u8; 13] {
    let mut aad = [0u8; 13];
    let es = header.epoch_sequence();
    let tail = [
        header.content_type.0,
        header.version.0.to_be_bytes()[0],
        header.version.0.to_be_bytes()[1],
        plaintext_len.to_be_bytes()[0],
        plaintext_len.to_be_bytes()[1],
    ];
    for (d, s) in aad.iter_mut().zip(es.iter().chain(tail.iter())) {
        *d = *s;
    }
    aad
}
