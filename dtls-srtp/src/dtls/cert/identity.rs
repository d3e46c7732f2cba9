//! Our identity: an ECDSA P-256 key and its self-signed certificate, built without alloc.

use core::fmt;

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use rand_core::CryptoRngCore;

use super::der::{Writer, tag};
use super::parse::oid;
use super::time::write_time;
use super::verify::SignatureScheme;
use super::{Error, Fingerprint, HashAlgorithm, fingerprint};

/// Room for our certificate: with a 64-byte common name and GeneralizedTime validity it is
/// about 420 bytes; a typical one (`CN=rtcam`, UTCTime) is about 330.
pub const MAX_CERT_LEN: usize = 512;

/// Longest common name we put in a certificate (X.520 `ub-common-name`).
pub const MAX_COMMON_NAME_LEN: usize = 64;

/// Longest DER-encoded ECDSA P-256 signature: SEQUENCE of two 33-byte INTEGERs.
pub const MAX_ECDSA_SIG_LEN: usize = 72;

/// What goes into our self-signed certificate besides the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertParams<'a> {
    /// Subject and issuer common name, 1–64 bytes. WebRTC peers ignore it; it only shows
    /// up in debugging tools.
    pub common_name: &'a str,
    /// `notBefore` is this many seconds before `now`: tolerates a peer whose clock is
    /// behind ours (some stacks do check dates). Default one day.
    pub backdate_secs: u64,
    /// `notAfter` is this many seconds after `now`: how long the certificate may be reused
    /// across sessions. Default 30 days.
    pub valid_for_secs: u64,
}

impl Default for CertParams<'_> {
    fn default() -> Self {
        CertParams {
            common_name: "rtcam",
            backdate_secs: 86_400,
            valid_for_secs: 30 * 86_400,
        }
    }
}

impl CertParams<'_> {
    /// Writes a self-signed X.509 v3 certificate for `key` into `out` and returns its
    /// length. `serial` is the serial number's magnitude (made positive and minimal here;
    /// RFC 5280 wants ≤ 20 bytes, unique per issuer: pass random bytes); `now_unix` is the
    /// wall-clock time in seconds since 1970-01-01 UTC. Deterministic for fixed inputs
    /// (RFC 6979 signatures), which is what tests and reproducible builds want;
    /// [`Identity::generate`] is the everyday entry point.
    pub fn write_self_signed(
        &self,
        key: &SigningKey,
        serial: &[u8],
        now_unix: u64,
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let cn = self.common_name.as_bytes();
        if cn.is_empty() || cn.len() > MAX_COMMON_NAME_LEN || serial.len() > 20 {
            return Err(Error::InvalidParams);
        }
        let not_before = now_unix.saturating_sub(self.backdate_secs);
        let not_after = now_unix.saturating_add(self.valid_for_secs);
        let point = key.verifying_key().to_encoded_point(false);

        let mut w = Writer::new(out);
        let cert = w.open(tag::SEQUENCE)?;
        let tbs_start = w.len();
        let tbs = w.open(tag::SEQUENCE)?;
        {
            let version = w.open(tag::CONTEXT_0)?;
            w.tlv(tag::INTEGER, &[2])?; // v3
            w.close(version)?;
            w.uint(serial)?;
            write_ecdsa_sha256_alg(&mut w)?;
            write_name(&mut w, cn)?; // issuer
            let validity = w.open(tag::SEQUENCE)?;
            write_time(&mut w, not_before)?;
            write_time(&mut w, not_after)?;
            w.close(validity)?;
            write_name(&mut w, cn)?; // subject
            let spki = w.open(tag::SEQUENCE)?;
            let alg = w.open(tag::SEQUENCE)?;
            w.tlv(tag::OID, oid::EC_PUBLIC_KEY)?;
            w.tlv(tag::OID, oid::P256)?;
            w.close(alg)?;
            let bits = w.open(tag::BIT_STRING)?;
            w.push(&[0])?;
            w.push(point.as_bytes())?;
            w.close(bits)?;
            w.close(spki)?;
        }
        w.close(tbs)?;
        let signature: Signature = {
            let tbs_bytes = w.written().get(tbs_start..).ok_or(Error::Malformed)?;
            key.try_sign(tbs_bytes).map_err(|_| Error::BadSignature)?
        };
        write_ecdsa_sha256_alg(&mut w)?;
        let bits = w.open(tag::BIT_STRING)?;
        w.push(&[0])?;
        w.push(signature.to_der().as_bytes())?;
        w.close(bits)?;
        w.close(cert)?;
        Ok(w.len())
    }
}

/// `AlgorithmIdentifier { ecdsa-with-SHA256 }`, parameters absent (RFC 5758 §3.2).
fn write_ecdsa_sha256_alg(w: &mut Writer<'_>) -> Result<(), Error> {
    let alg = w.open(tag::SEQUENCE)?;
    w.tlv(tag::OID, oid::ECDSA_SHA256)?;
    w.close(alg)
}

/// `Name ::= SEQUENCE OF SET OF { commonName UTF8String }` with one RDN.
fn write_name(w: &mut Writer<'_>, cn: &[u8]) -> Result<(), Error> {
    let name = w.open(tag::SEQUENCE)?;
    let rdn = w.open(tag::SET)?;
    let atv = w.open(tag::SEQUENCE)?;
    w.tlv(tag::OID, oid::COMMON_NAME)?;
    w.tlv(tag::UTF8_STRING, cn)?;
    w.close(atv)?;
    w.close(rdn)?;
    w.close(name)
}

/// Our DTLS identity: the private key and the DER certificate that carries its public half.
/// About 600 bytes; make one at start-up (or per session) and share it by reference.
#[derive(Clone)]
pub struct Identity {
    key: SigningKey,
    der: [u8; MAX_CERT_LEN],
    der_len: usize,
}

impl Identity {
    /// The signature scheme [`Identity::sign`] produces (TLS `ecdsa_secp256r1_sha256`).
    pub const SIGNATURE_SCHEME: SignatureScheme = SignatureScheme::EcdsaSha256;

    /// A fresh P-256 key from `rng` and a self-signed certificate for it, valid around
    /// `now_unix` (wall-clock seconds since 1970-01-01 UTC) as `params` says, with a random
    /// 126-bit positive serial.
    pub fn generate(
        rng: &mut impl CryptoRngCore,
        now_unix: u64,
        params: &CertParams<'_>,
    ) -> Result<Identity, Error> {
        let key = SigningKey::random(rng);
        Identity::from_key(key, rng, now_unix, params)
    }

    /// Like [`Identity::generate`] for a key the caller already has (e.g. one kept in
    /// secure storage across restarts, so the fingerprint can be too).
    pub fn from_key(
        key: SigningKey,
        rng: &mut impl CryptoRngCore,
        now_unix: u64,
        params: &CertParams<'_>,
    ) -> Result<Identity, Error> {
        let mut serial = [0u8; 16];
        rng.try_fill_bytes(&mut serial).map_err(|_| Error::Rng)?;
        // Positive and with a non-zero first byte, so the INTEGER is always 16 bytes.
        serial[0] = (serial[0] & 0x7f) | 0x40;
        let mut der = [0u8; MAX_CERT_LEN];
        let der_len = params.write_self_signed(&key, &serial, now_unix, &mut der)?;
        Ok(Identity { key, der, der_len })
    }

    /// The DER certificate, as sent in our DTLS Certificate message.
    pub fn der(&self) -> &[u8] {
        self.der.get(..self.der_len).unwrap_or(&[])
    }

    /// The certificate's digest for our SDP `a=fingerprint` (use [`HashAlgorithm::Sha256`]).
    pub fn fingerprint(&self, algorithm: HashAlgorithm) -> Fingerprint {
        fingerprint(self.der(), algorithm)
    }

    /// The private key (for callers that persist it).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// The public key in the certificate.
    pub fn verifying_key(&self) -> &VerifyingKey {
        self.key.verifying_key()
    }

    /// Signs `message` with ECDSA P-256 / SHA-256 (RFC 6979 deterministic nonce) and
    /// writes the DER signature into `out` (at most [`MAX_ECDSA_SIG_LEN`] bytes), returning
    /// its length: the `signature` of our ServerKeyExchange or CertificateVerify.
    pub fn sign(&self, message: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let signature: Signature = self
            .key
            .try_sign(message)
            .map_err(|_| Error::BadSignature)?;
        let der = signature.to_der();
        let der = der.as_bytes();
        out.get_mut(..der.len())
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(der);
        Ok(der.len())
    }
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the private key.
        f.debug_struct("Identity")
            .field("der_len", &self.der_len)
            .field("fingerprint", &self.fingerprint(HashAlgorithm::Sha256))
            .finish_non_exhaustive()
    }
}
