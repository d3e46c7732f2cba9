//! Reading the peer's certificate: a bounded walk over its DER to the four things a DTLS
//! handshake needs (what was signed, how, the signature, and the subject's public key).

use p256::ecdsa::VerifyingKey;

use super::Error;
use super::der::{Reader, tag};
use super::verify::SignatureScheme;

/// The object identifiers we recognise, as DER content bytes.
pub(crate) mod oid {
    /// 1.2.840.10045.2.1 id-ecPublicKey
    pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
    /// 1.2.840.10045.3.1.7 prime256v1 / secp256r1
    pub(crate) const P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    /// 1.2.840.10045.4.3.2 ecdsa-with-SHA256
    pub(crate) const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    /// 1.2.840.10045.4.3.3 ecdsa-with-SHA384
    pub(crate) const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    /// 1.2.840.10045.4.3.4 ecdsa-with-SHA512
    pub(crate) const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    /// 1.2.840.113549.1.1.1 rsaEncryption
    pub(crate) const RSA_ENCRYPTION: &[u8] =
        &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    /// 1.2.840.113549.1.1.5 sha1WithRSAEncryption
    pub(crate) const RSA_SHA1: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x05];
    /// 1.2.840.113549.1.1.10 id-RSASSA-PSS
    pub(crate) const RSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
    /// 1.2.840.113549.1.1.11 sha256WithRSAEncryption
    pub(crate) const RSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    /// 1.2.840.113549.1.1.12 sha384WithRSAEncryption
    pub(crate) const RSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    /// 1.2.840.113549.1.1.13 sha512WithRSAEncryption
    pub(crate) const RSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    /// 2.5.4.3 commonName
    pub(crate) const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
}

/// The algorithm a certificate was signed with (its outer `signatureAlgorithm`). Since
/// WebRTC pins certificates by fingerprint, an unknown one is not an error: it is only
/// reported, so SHA-1-signed certificates from old stacks still connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureAlgorithm<'a> {
    /// ecdsa-with-SHA256.
    EcdsaSha256,
    /// ecdsa-with-SHA384.
    EcdsaSha384,
    /// ecdsa-with-SHA512.
    EcdsaSha512,
    /// sha1WithRSAEncryption (legacy).
    RsaPkcs1Sha1,
    /// sha256WithRSAEncryption.
    RsaPkcs1Sha256,
    /// sha384WithRSAEncryption.
    RsaPkcs1Sha384,
    /// sha512WithRSAEncryption.
    RsaPkcs1Sha512,
    /// id-RSASSA-PSS (its parameters are not decoded).
    RsaPss,
    /// Anything else: the OID's DER content bytes.
    Other(&'a [u8]),
}

impl<'a> SignatureAlgorithm<'a> {
    fn from_oid(oid_bytes: &'a [u8]) -> Self {
        match oid_bytes {
            o if o == oid::ECDSA_SHA256 => SignatureAlgorithm::EcdsaSha256,
            o if o == oid::ECDSA_SHA384 => SignatureAlgorithm::EcdsaSha384,
            o if o == oid::ECDSA_SHA512 => SignatureAlgorithm::EcdsaSha512,
            o if o == oid::RSA_SHA1 => SignatureAlgorithm::RsaPkcs1Sha1,
            o if o == oid::RSA_SHA256 => SignatureAlgorithm::RsaPkcs1Sha256,
            o if o == oid::RSA_SHA384 => SignatureAlgorithm::RsaPkcs1Sha384,
            o if o == oid::RSA_SHA512 => SignatureAlgorithm::RsaPkcs1Sha512,
            o if o == oid::RSA_PSS => SignatureAlgorithm::RsaPss,
            o => SignatureAlgorithm::Other(o),
        }
    }

    /// The TLS signature scheme that checks this algorithm's signatures, when we have one.
    pub fn scheme(&self) -> Option<SignatureScheme> {
        match self {
            SignatureAlgorithm::EcdsaSha256 => Some(SignatureScheme::EcdsaSha256),
            SignatureAlgorithm::EcdsaSha384 => Some(SignatureScheme::EcdsaSha384),
            SignatureAlgorithm::EcdsaSha512 => Some(SignatureScheme::EcdsaSha512),
            SignatureAlgorithm::RsaPkcs1Sha256 => Some(SignatureScheme::RsaPkcs1Sha256),
            SignatureAlgorithm::RsaPkcs1Sha384 => Some(SignatureScheme::RsaPkcs1Sha384),
            SignatureAlgorithm::RsaPkcs1Sha512 => Some(SignatureScheme::RsaPkcs1Sha512),
            _ => None,
        }
    }
}

/// An RSA public key borrowed from a certificate: big-endian magnitudes without leading
/// zeros. The modulus is 2048–4096 bits and odd, the exponent odd, ≥ 3 and ≤ 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsaPublicKey<'a> {
    modulus: &'a [u8],
    exponent: &'a [u8],
}

impl<'a> RsaPublicKey<'a> {
    /// Smallest modulus accepted: 1024-bit keys are not worth a handshake.
    pub const MIN_BITS: usize = 2048;
    /// Largest modulus accepted (the fixed-size arithmetic is `U4096`).
    pub const MAX_BITS: usize = 4096;

    /// Checks and borrows a key given as modulus and public exponent magnitudes.
    pub fn new(modulus: &'a [u8], exponent: &'a [u8]) -> Result<Self, Error> {
        let strip = |b: &'a [u8]| {
            let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
            b.get(start..).unwrap_or(&[])
        };
        let (modulus, exponent) = (strip(modulus), strip(exponent));
        let bits = bit_len(modulus);
        let odd = |b: &[u8]| b.last().is_some_and(|x| x & 1 == 1);
        if !(Self::MIN_BITS..=Self::MAX_BITS).contains(&bits)
            || !odd(modulus)
            || exponent.len() > 8
            || !odd(exponent)
            || exponent == [1]
        {
            return Err(Error::UnsupportedKey);
        }
        Ok(RsaPublicKey { modulus, exponent })
    }

    /// The modulus, big-endian, no leading zeros.
    pub fn modulus(&self) -> &'a [u8] {
        self.modulus
    }

    /// The public exponent, big-endian, no leading zeros.
    pub fn exponent(&self) -> &'a [u8] {
        self.exponent
    }

    /// The modulus size in bits.
    pub fn bits(&self) -> usize {
        bit_len(self.modulus)
    }
}

/// Bits in a big-endian magnitude without leading zero bytes.
pub(crate) fn bit_len(magnitude: &[u8]) -> usize {
    match magnitude.first() {
        None => 0,
        Some(&top) => (magnitude.len() - 1) * 8 + (8 - top.leading_zeros() as usize),
    }
}

/// A public key we can verify handshake signatures with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PublicKey<'a> {
    /// ECDSA on P-256 (the point is validated on parse).
    EcP256(VerifyingKey),
    /// RSA (PKCS#1 v1.5 or PSS signatures).
    Rsa(RsaPublicKey<'a>),
}

impl<'a> PublicKey<'a> {
    /// Reads a DER `SubjectPublicKeyInfo`.
    pub fn from_spki_der(spki: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(spki);
        let key = Self::read_spki(&mut r)?;
        r.finish()?;
        Ok(key)
    }

    fn read_spki(r: &mut Reader<'a>) -> Result<Self, Error> {
        let mut spki = r.nested(tag::SEQUENCE)?;
        let mut alg = spki.nested(tag::SEQUENCE)?;
        let alg_oid = alg.expect(tag::OID)?.content;
        let key = if alg_oid == oid::EC_PUBLIC_KEY {
            let curve = alg.expect(tag::OID)?.content;
            alg.finish()?;
            let point = spki.bit_string_bytes()?;
            if curve != oid::P256 {
                return Err(Error::UnsupportedKey);
            }
            PublicKey::EcP256(VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::Malformed)?)
        } else if alg_oid == oid::RSA_ENCRYPTION {
            // Parameters must be NULL (RFC 3279 §2.3.1); tolerate them absent.
            if !alg.is_empty() {
                let null = alg.expect(tag::NULL)?;
                if !null.content.is_empty() {
                    return Err(Error::Malformed);
                }
            }
            alg.finish()?;
            let mut bits = Reader::new(spki.bit_string_bytes()?);
            let mut rsa = bits.nested(tag::SEQUENCE)?;
            bits.finish()?;
            let modulus = rsa.uint_magnitude()?;
            let exponent = rsa.uint_magnitude()?;
            rsa.finish()?;
            PublicKey::Rsa(RsaPublicKey::new(modulus, exponent)?)
        } else {
            return Err(Error::UnsupportedKey);
        };
        spki.finish()?;
        Ok(key)
    }
}

/// A peer certificate, parsed in place. Validity, names and extensions are skipped over,
/// not checked: WebRTC trusts the certificate because its fingerprint matches the SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate<'a> {
    der: &'a [u8],
    tbs: &'a [u8],
    serial: &'a [u8],
    signature_algorithm: SignatureAlgorithm<'a>,
    signature: &'a [u8],
    public_key: PublicKey<'a>,
}

impl<'a> Certificate<'a> {
    /// Parses one DER certificate (the whole input, nothing after it). Errors:
    /// [`Error::Malformed`] for bad DER or structure, [`Error::UnsupportedKey`] for a
    /// subject key we cannot verify with.
    pub fn parse(der: &'a [u8]) -> Result<Self, Error> {
        let mut top = Reader::new(der);
        let mut cert = top.nested(tag::SEQUENCE)?;
        top.finish()?;

        let tbs_tlv = cert.expect(tag::SEQUENCE)?;
        let mut outer_alg = cert.nested(tag::SEQUENCE)?;
        // Its parameters (NULL for PKCS#1, RSASSA-PSS-params) are not needed.
        let signature_algorithm = SignatureAlgorithm::from_oid(outer_alg.expect(tag::OID)?.content);
        let signature = cert.bit_string_bytes()?;
        cert.finish()?;

        let mut tbs = Reader::new(tbs_tlv.content);
        if tbs.peek_tag() == Some(tag::CONTEXT_0) {
            tbs.any()?; // version
        }
        let serial = tbs.expect(tag::INTEGER)?.content;
        tbs.expect(tag::SEQUENCE)?; // signature (a copy of the outer algorithm)
        tbs.expect(tag::SEQUENCE)?; // issuer
        tbs.expect(tag::SEQUENCE)?; // validity
        tbs.expect(tag::SEQUENCE)?; // subject
        let public_key = PublicKey::read_spki(&mut tbs)?;
        // issuerUniqueID [1], subjectUniqueID [2], extensions [3]: skipped, but still DER.
        while !tbs.is_empty() {
            tbs.any()?;
        }
        Ok(Certificate {
            der,
            tbs: tbs_tlv.whole,
            serial,
            signature_algorithm,
            signature,
            public_key,
        })
    }

    /// The whole DER certificate (what fingerprints cover).
    pub fn der(&self) -> &'a [u8] {
        self.der
    }

    /// The DER `tbsCertificate`, which the certificate's signature covers.
    pub fn tbs_certificate(&self) -> &'a [u8] {
        self.tbs
    }

    /// The serial number's DER INTEGER content (two's complement, as encoded).
    pub fn serial(&self) -> &'a [u8] {
        self.serial
    }

    /// The algorithm the issuer signed with.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm<'a> {
        self.signature_algorithm
    }

    /// The issuer's signature (for ECDSA, a DER `Ecdsa-Sig-Value`).
    pub fn signature(&self) -> &'a [u8] {
        self.signature
    }

    /// The subject's public key: what the peer's handshake signatures must verify with.
    pub fn public_key(&self) -> &PublicKey<'a> {
        &self.public_key
    }

    /// Checks the certificate's own signature with its own key. Not part of WebRTC's trust
    /// model (fingerprints are); useful in tests and diagnostics.
    pub fn verify_self_signed(&self) -> Result<(), Error> {
        let scheme = self
            .signature_algorithm
            .scheme()
            .ok_or(Error::UnsupportedAlgorithm)?;
        self.public_key.verify(scheme, self.tbs, self.signature)
    }
}
