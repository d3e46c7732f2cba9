//! `a=fingerprint` (RFC 8122): the hash of the peer's DTLS certificate, which DTLS pins.

use core::fmt;

use subtle::ConstantTimeEq;

use crate::error::AttributeError;
use crate::text::next_token;

/// The hash functions WebRTC peers use in `a=fingerprint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashAlgorithm {
    /// SHA-1 (legacy peers only).
    Sha1,
    /// SHA-224.
    Sha224,
    /// SHA-256: what every browser sends.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The digest size in bytes.
    pub const fn digest_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha224 => 28,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The name as written in SDP (`sha-256`).
    pub const fn name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha224 => "sha-224",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }

    /// Reads a hash name, case-insensitively; `None` for hashes we do not support
    /// (md5, md2: RFC 8122 forbids them for new offers).
    pub fn from_name(name: &str) -> Option<Self> {
        [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha224,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|h| h.name().eq_ignore_ascii_case(name))
    }
}

/// A certificate fingerprint: the hash and its digest (up to SHA-512's 64 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Fingerprint {
    algorithm: HashAlgorithm,
    digest: [u8; 64],
}

impl Fingerprint {
    /// A fingerprint from a digest; `None` if its length is not the hash's.
    pub fn new(algorithm: HashAlgorithm, digest: &[u8]) -> Option<Self> {
        if digest.len() != algorithm.digest_len() {
            return None;
        }
        let mut d = [0u8; 64];
        d.get_mut(..digest.len())?.copy_from_slice(digest);
        Some(Fingerprint {
            algorithm,
            digest: d,
        })
    }

    /// The hash function.
    pub const fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest bytes.
    pub fn digest(&self) -> &[u8] {
        self.digest
            .get(..self.algorithm.digest_len())
            .unwrap_or(&[])
    }

    /// Whether `digest` (the hash of the certificate the peer presented, computed with
    /// [`Fingerprint::algorithm`]) equals this one, in constant time.
    pub fn matches(&self, digest: &[u8]) -> bool {
        let own = self.digest();
        own.len() == digest.len() && bool::from(own.ct_eq(digest))
    }

    /// Parses `sha-256 AB:CD:...`. `Ok(None)` for a well-formed line with a hash we do
    /// not support (the attribute is then kept as an unknown one, never fatal).
    pub fn parse(value: &str) -> Result<Option<Self>, AttributeError> {
        const BAD: AttributeError =
            AttributeError::new("fingerprint", "expected <hash> <hex:hex:...>");
        let (name, hex) = next_token(value).ok_or(BAD)?;
        let Some(algorithm) = HashAlgorithm::from_name(name) else {
            return Ok(None);
        };
        let hex = hex.trim_end_matches(' ');
        let mut digest = [0u8; 64];
        let mut n = 0usize;
        for pair in hex.split(':') {
            let b = pair.as_bytes();
            let (Some(&hi), Some(&lo), 2) = (b.first(), b.get(1), b.len()) else {
                return Err(BAD);
            };
            let byte = (hex_val(hi).ok_or(BAD)? << 4) | hex_val(lo).ok_or(BAD)?;
            *digest.get_mut(n).ok_or(BAD)? = byte;
            n += 1;
        }
        if n != algorithm.digest_len() {
            return Err(AttributeError::new(
                "fingerprint",
                "digest length does not match the hash",
            ));
        }
        Ok(Some(Fingerprint { algorithm, digest }))
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for Fingerprint {
    /// `sha-256 AB:CD:...` (upper-case hex, as browsers write it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.algorithm.name())?;
        for (i, b) in self.digest().iter().enumerate() {
            f.write_str(if i == 0 { " " } else { ":" })?;
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Fingerprint({self})")
    }
}
