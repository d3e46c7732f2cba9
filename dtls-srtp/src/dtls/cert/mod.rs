//! X.509 certificates for DTLS-SRTP: our self-signed identity and reading the peer's.
//!
//! WebRTC does not use a PKI. Each side makes a throw-away self-signed certificate, puts its
//! hash in the SDP (`a=fingerprint`), and the DTLS handshake proves possession of the key.
//! So this module does three things, all without `alloc` and without panicking on input:
//!
//! - [`Identity::generate`]: a fresh ECDSA P-256 key and a self-signed X.509 v3 certificate
//!   (ecdsa-with-SHA256, random positive serial, `CN=<name>` as subject and issuer, validity
//!   from an injected wall clock) DER-encoded into the identity itself, plus
//!   [`Identity::fingerprint`] for SDP and [`Identity::sign`] for ServerKeyExchange /
//!   CertificateVerify.
//! - [`Certificate::parse`]: the peer's DER certificate from a DTLS Certificate message,
//!   giving the to-be-signed bytes, the signature algorithm and value, and its public key
//!   ([`PublicKey`]: EC P-256 or RSA 2048–4096 bits).
//! - [`fingerprint`] / [`verify_fingerprint`] (constant time, fails closed) and
//!   [`PublicKey::verify`] for the signature schemes a TLS 1.2 peer uses: ECDSA P-256 with
//!   SHA-256/384/512, RSA PKCS#1 v1.5 with SHA-256/384/512, RSA-PSS-RSAE with
//!   SHA-256/384/512.
//!
//! # Deliberate shortcuts
//!
//! - The peer's certificate is pinned by its fingerprint (RFC 8122, RFC 8827 §6.5), not
//!   validated: its validity dates, names, extensions and its own signature are not checked.
//!   [`Certificate::verify_self_signed`] exists for tests and diagnostics only.
//! - Peer keys: EC P-256 and RSA (2048–4096 bits, public exponent up to 64 bits) only. P-384,
//!   Ed25519 and RSA-PSS-only (`id-RSASSA-PSS`) keys are [`Error::UnsupportedKey`].
//! - RSA-PSS signatures must use a salt as long as the hash (RFC 8446 §4.2.3, which
//!   TLS 1.2 stacks follow for `rsa_pss_rsae_*`).
//! - DER is read strictly (definite minimal lengths, low tag numbers); BER encodings a
//!   lenient parser would accept are [`Error::Malformed`].
//! - The DER writer and reader are our own ~200 lines (`der.rs`) rather than RustCrypto
//!   `der`/`x509-cert`: `x509-cert` needs `alloc`, and for one fixed certificate shape
//!   plus a walk to four fields of the peer's, a bounded cursor is simpler than `der`'s
//!   derive/trait machinery.
//! - RSA verification runs variable-time modular exponentiation (`crypto-bigint`'s
//!   Montgomery form): it only ever sees public values.

mod der;
mod identity;
mod parse;
mod time;
mod verify;

use core::fmt;

pub use identity::{CertParams, Identity, MAX_CERT_LEN, MAX_COMMON_NAME_LEN, MAX_ECDSA_SIG_LEN};
pub use parse::{Certificate, PublicKey, RsaPublicKey, SignatureAlgorithm};
pub use verify::SignatureScheme;

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha384, Sha512};
use subtle::ConstantTimeEq;

/// Everything that can go wrong building, reading or checking a certificate or signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not a DER certificate (or key, or signature) of the expected shape.
    Malformed,
    /// The public key is of a type or size we do not verify with.
    UnsupportedKey,
    /// The signature scheme or algorithm is one we do not implement, or does not fit the key.
    UnsupportedAlgorithm,
    /// The signature does not verify.
    BadSignature,
    /// The certificate's digest differs from the pinned `a=fingerprint`.
    FingerprintMismatch,
    /// The caller's output buffer cannot hold the result.
    BufferTooSmall,
    /// A configuration value is out of range (e.g. an empty or over-long common name).
    InvalidParams,
    /// The random number generator failed.
    Rng,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Malformed => "malformed certificate, key or signature encoding",
            Error::UnsupportedKey => "unsupported public key type or size",
            Error::UnsupportedAlgorithm => "unsupported signature algorithm",
            Error::BadSignature => "signature verification failed",
            Error::FingerprintMismatch => "certificate does not match the expected fingerprint",
            Error::BufferTooSmall => "output buffer too small",
            Error::InvalidParams => "invalid certificate parameters",
            Error::Rng => "random number generator failure",
        })
    }
}

impl core::error::Error for Error {}

/// The hash functions SDP `a=fingerprint` names (RFC 8122 §5; sha-1 for old peers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-1: legacy, accepted from peers but never offered.
    Sha1,
    /// SHA-256: what every WebRTC stack offers.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl HashAlgorithm {
    /// The SDP token (`sha-256`), as in `a=fingerprint:sha-256 AB:CD:...`.
    pub const fn sdp_name(self) -> &'static str {
        match self {
            HashAlgorithm::Sha1 => "sha-1",
            HashAlgorithm::Sha256 => "sha-256",
            HashAlgorithm::Sha384 => "sha-384",
            HashAlgorithm::Sha512 => "sha-512",
        }
    }

    /// Parses an SDP token, case-insensitively (RFC 8122 hash names are case-insensitive).
    pub fn from_sdp_name(name: &str) -> Option<HashAlgorithm> {
        [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ]
        .into_iter()
        .find(|h| h.sdp_name().eq_ignore_ascii_case(name))
    }

    /// Digest length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }
}

/// A certificate digest: what `a=fingerprint` carries (hex-formatted by the SDP layer).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    algorithm: HashAlgorithm,
    bytes: [u8; 64],
}

impl Fingerprint {
    /// A fingerprint from its hash and digest bytes (as decoded from SDP hex): what the
    /// peer's `a=fingerprint` announced, for [`Config`](crate::dtls::Config) to pin. The
    /// digest length must be the hash's output length.
    pub fn new(algorithm: HashAlgorithm, digest: &[u8]) -> Result<Self, Error> {
        if digest.len() != algorithm.output_len() {
            return Err(Error::InvalidParams);
        }
        let mut bytes = [0u8; 64];
        bytes
            .get_mut(..digest.len())
            .ok_or(Error::InvalidParams)?
            .copy_from_slice(digest);
        Ok(Fingerprint { algorithm, bytes })
    }

    /// The hash function used.
    pub const fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }

    /// The digest bytes (20–64 of them).
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.output_len())
            .unwrap_or(&self.bytes)
    }
}

impl fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ", self.algorithm.sdp_name())?;
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:02X}")?;
        }
        Ok(())
    }
}

/// The digest of a DER certificate, for `a=fingerprint` (ours) or to compare (the peer's).
pub fn fingerprint(der: &[u8], algorithm: HashAlgorithm) -> Fingerprint {
    hash_parts(algorithm, &[der])
}

/// The digest of the concatenation of `parts`.
pub(crate) fn hash_parts(algorithm: HashAlgorithm, parts: &[&[u8]]) -> Fingerprint {
    fn run<D: Digest>(parts: &[&[u8]], out: &mut [u8]) {
        let mut d = D::new();
        for p in parts {
            d.update(p);
        }
        let digest = d.finalize();
        if let Some(out) = out.get_mut(..digest.len()) {
            out.copy_from_slice(&digest);
        }
    }
    let mut bytes = [0u8; 64];
    match algorithm {
        HashAlgorithm::Sha1 => run::<Sha1>(parts, &mut bytes),
        HashAlgorithm::Sha256 => run::<Sha256>(parts, &mut bytes),
        HashAlgorithm::Sha384 => run::<Sha384>(parts, &mut bytes),
        HashAlgorithm::Sha512 => run::<Sha512>(parts, &mut bytes),
    }
    Fingerprint { algorithm, bytes }
}

/// Checks the peer's DER certificate against the digest from its SDP in constant time.
/// Any difference, including a wrong length, is [`Error::FingerprintMismatch`].
pub fn verify_fingerprint(
    der: &[u8],
    algorithm: HashAlgorithm,
    expected: &[u8],
) -> Result<(), Error> {
    let actual = fingerprint(der, algorithm);
    let actual = actual.as_bytes();
    // Lengths are public (they follow from the algorithm); only the content is secret-ish.
    if actual.len() == expected.len() && bool::from(actual.ct_eq(expected)) {
        Ok(())
    } else {
        Err(Error::FingerprintMismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_lengths_and_names() {
        for h in [
            HashAlgorithm::Sha1,
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            let fp = fingerprint(b"abc", h);
            assert_eq!(fp.as_bytes().len(), h.output_len());
            assert_eq!(HashAlgorithm::from_sdp_name(h.sdp_name()), Some(h));
            assert!(verify_fingerprint(b"abc", h, fp.as_bytes()).is_ok());
            assert_eq!(
                verify_fingerprint(b"abd", h, fp.as_bytes()),
                Err(Error::FingerprintMismatch)
            );
            assert_eq!(
                verify_fingerprint(b"abc", h, &fp.as_bytes()[1..]),
                Err(Error::FingerprintMismatch)
            );
        }
        assert_eq!(
            HashAlgorithm::from_sdp_name("SHA-256"),
            Some(HashAlgorithm::Sha256)
        );
        // FIPS 180-2 "abc".
        let fp = fingerprint(b"abc", HashAlgorithm::Sha256);
        assert_eq!(
            std::format!("{fp:?}"),
            "sha-256 BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD"
        );
    }
}
