//! Signature checks the DTLS handshake needs: the peer's ServerKeyExchange or
//! CertificateVerify signature under its certificate's key. ECDSA comes from `p256`; RSA
//! (PKCS#1 v1.5 and PSS, RFC 8017) is the public-key operation on `crypto-bigint`'s
//! fixed-size integers (`U2048`/`U3072`/`U4096` by modulus size) plus our own padding
//! checks, with no allocation.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Integer, Limb, U64, U2048, U3072, U4096, Uint, Word};
use p256::ecdsa::Signature;
use p256::ecdsa::signature::hazmat::PrehashVerifier;

use super::parse::{PublicKey, RsaPublicKey};
use super::{Error, HashAlgorithm, hash_parts};

/// A TLS signature scheme (the TLS 1.2 `SignatureAndHashAlgorithm` pair, RFC 5246
/// §7.4.1.4.1, written as one 16-bit code point as RFC 8446 does): which hash and which
/// padding a handshake signature uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureScheme {
    /// ECDSA with SHA-256 (0x0403, `ecdsa_secp256r1_sha256`): ours, and most peers'.
    EcdsaSha256,
    /// ECDSA with SHA-384 (0x0503). In TLS 1.2 the hash is not tied to the curve.
    EcdsaSha384,
    /// ECDSA with SHA-512 (0x0603).
    EcdsaSha512,
    /// RSA PKCS#1 v1.5 with SHA-256 (0x0401): GStreamer/OpenSSL RSA peers.
    RsaPkcs1Sha256,
    /// RSA PKCS#1 v1.5 with SHA-384 (0x0501).
    RsaPkcs1Sha384,
    /// RSA PKCS#1 v1.5 with SHA-512 (0x0601).
    RsaPkcs1Sha512,
    /// RSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt, rsaEncryption key (0x0804).
    RsaPssRsaeSha256,
    /// RSA-PSS with SHA-384 (0x0805).
    RsaPssRsaeSha384,
    /// RSA-PSS with SHA-512 (0x0806).
    RsaPssRsaeSha512,
}

impl SignatureScheme {
    /// Every scheme, in our order of preference for `signature_algorithms`.
    pub const ALL: [SignatureScheme; 9] = [
        SignatureScheme::EcdsaSha256,
        SignatureScheme::RsaPssRsaeSha256,
        SignatureScheme::RsaPkcs1Sha256,
        SignatureScheme::EcdsaSha384,
        SignatureScheme::RsaPssRsaeSha384,
        SignatureScheme::RsaPkcs1Sha384,
        SignatureScheme::EcdsaSha512,
        SignatureScheme::RsaPssRsaeSha512,
        SignatureScheme::RsaPkcs1Sha512,
    ];

    /// The wire code point (hash byte, then signature byte, for the TLS 1.2 pairs).
    pub const fn to_u16(self) -> u16 {
        match self {
            SignatureScheme::EcdsaSha256 => 0x0403,
            SignatureScheme::EcdsaSha384 => 0x0503,
            SignatureScheme::EcdsaSha512 => 0x0603,
            SignatureScheme::RsaPkcs1Sha256 => 0x0401,
            SignatureScheme::RsaPkcs1Sha384 => 0x0501,
            SignatureScheme::RsaPkcs1Sha512 => 0x0601,
            SignatureScheme::RsaPssRsaeSha256 => 0x0804,
            SignatureScheme::RsaPssRsaeSha384 => 0x0805,
            SignatureScheme::RsaPssRsaeSha512 => 0x0806,
        }
    }

    /// The scheme for a wire code point, if we implement it.
    pub fn from_u16(code: u16) -> Option<SignatureScheme> {
        Self::ALL.into_iter().find(|s| s.to_u16() == code)
    }

    /// The hash the message is digested with before signing.
    pub const fn hash(self) -> HashAlgorithm {
        match self {
            SignatureScheme::EcdsaSha256
            | SignatureScheme::RsaPkcs1Sha256
            | SignatureScheme::RsaPssRsaeSha256 => HashAlgorithm::Sha256,
            SignatureScheme::EcdsaSha384
            | SignatureScheme::RsaPkcs1Sha384
            | SignatureScheme::RsaPssRsaeSha384 => HashAlgorithm::Sha384,
            SignatureScheme::EcdsaSha512
            | SignatureScheme::RsaPkcs1Sha512
            | SignatureScheme::RsaPssRsaeSha512 => HashAlgorithm::Sha512,
        }
    }

    /// Whether this scheme is an ECDSA one (for an EC certificate).
    pub const fn is_ecdsa(self) -> bool {
        matches!(
            self,
            SignatureScheme::EcdsaSha256
                | SignatureScheme::EcdsaSha384
                | SignatureScheme::EcdsaSha512
        )
    }
}

impl PublicKey<'_> {
    /// Whether signatures of `scheme` can be checked with this key.
    pub fn supports(&self, scheme: SignatureScheme) -> bool {
        match self {
            PublicKey::EcP256(_) => scheme.is_ecdsa(),
            PublicKey::Rsa(_) => !scheme.is_ecdsa(),
        }
    }

    /// Checks `signature` (DER `Ecdsa-Sig-Value` for ECDSA, a modulus-sized integer for
    /// RSA) over `message` under `scheme`. Errors: [`Error::UnsupportedAlgorithm`] when
    /// the scheme does not fit the key, [`Error::BadSignature`] otherwise.
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        let digest = hash_parts(scheme.hash(), &[message]);
        self.verify_digest(scheme, digest.as_bytes(), signature)
    }

    /// Like [`PublicKey::verify`] for a message already hashed with `scheme.hash()` — so a
    /// handshake can keep running transcript hashes instead of buffering the transcript.
    pub fn verify_digest(
        &self,
        scheme: SignatureScheme,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if !self.supports(scheme) {
            return Err(Error::UnsupportedAlgorithm);
        }
        if digest.len() != scheme.hash().output_len() {
            return Err(Error::UnsupportedAlgorithm);
        }
        match self {
            PublicKey::EcP256(key) => {
                let sig = Signature::from_der(signature).map_err(|_| Error::BadSignature)?;
                key.verify_prehash(digest, &sig)
                    .map_err(|_| Error::BadSignature)
            }
            PublicKey::Rsa(key) => {
                let mut em = [0u8; 512];
                let k = key.modulus().len();
                let em = em.get_mut(..k).ok_or(Error::UnsupportedKey)?;
                rsa_public_op(key, signature, em)?;
                match scheme {
                    SignatureScheme::RsaPkcs1Sha256
                    | SignatureScheme::RsaPkcs1Sha384
                    | SignatureScheme::RsaPkcs1Sha512 => pkcs1_v15_check(scheme.hash(), digest, em),
                    _ => pss_check(scheme.hash(), digest, key.bits(), em),
                }
            }
        }
    }
}

/// `em = signature^e mod n`, written big-endian into `em` (exactly the modulus length).
fn rsa_public_op(key: &RsaPublicKey<'_>, signature: &[u8], em: &mut [u8]) -> Result<(), Error> {
    // RFC 8017 §8.2.2 step 1: the signature is exactly as long as the modulus.
    if signature.len() != key.modulus().len() {
        return Err(Error::BadSignature);
    }
    match key.modulus().len() {
        0..=256 => modexp::<{ U2048::LIMBS }>(key, signature, em),
        257..=384 => modexp::<{ U3072::LIMBS }>(key, signature, em),
        _ => modexp::<{ U4096::LIMBS }>(key, signature, em),
    }
}

fn modexp<const L: usize>(
    key: &RsaPublicKey<'_>,
    signature: &[u8],
    em: &mut [u8],
) -> Result<(), Error> {
    let n = uint_from_be::<L>(key.modulus()).ok_or(Error::UnsupportedKey)?;
    let e = uint_from_be::<{ U64::LIMBS }>(key.exponent()).ok_or(Error::UnsupportedKey)?;
    let s = uint_from_be::<L>(signature).ok_or(Error::BadSignature)?;
    // RFC 8017 §5.2.2: the signature representative must be below the modulus.
    if s >= n {
        return Err(Error::BadSignature);
    }
    if !bool::from(n.is_odd()) {
        return Err(Error::UnsupportedKey); // `DynResidueParams::new` needs an odd modulus
    }
    let params = DynResidueParams::new(&n);
    let m = DynResidue::new(&s, params)
        .pow_bounded_exp(&e, e.bits_vartime())
        .retrieve();
    uint_to_be(&m, em)
}

/// A big-endian magnitude as a `Uint`, or `None` when it does not fit.
fn uint_from_be<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    let mut words: [Word; L] = [0; L];
    for (i, &b) in bytes.iter().rev().enumerate() {
        let word = words.get_mut(i / Limb::BYTES);
        match word {
            Some(w) => *w |= Word::from(b) << (8 * (i % Limb::BYTES)),
            None if b == 0 => {}
            None => return None,
        }
    }
    Some(Uint::from_words(words))
}

/// Writes `x` big-endian into all of `out`; fails if it does not fit.
fn uint_to_be<const L: usize>(x: &Uint<L>, out: &mut [u8]) -> Result<(), Error> {
    let words = x.as_words();
    let byte = |i: usize| -> u8 {
        words
            .get(i / Limb::BYTES)
            .map_or(0, |w| (w >> (8 * (i % Limb::BYTES))) as u8)
    };
    let len = out.len();
    for (i, slot) in out.iter_mut().rev().enumerate() {
        *slot = byte(i);
    }
    if (len..L * Limb::BYTES).any(|i| byte(i) != 0) {
        return Err(Error::BadSignature);
    }
    Ok(())
}

/// The DER `DigestInfo` header in front of the hash in a PKCS#1 v1.5 signature
/// (RFC 8017 §9.2, note 1).
fn digest_info_prefix(hash: HashAlgorithm) -> Option<&'static [u8]> {
    const SHA256: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    const SHA384: [u8; 19] = [
        0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02,
        0x05, 0x00, 0x04, 0x30,
    ];
    const SHA512: [u8; 19] = [
        0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03,
        0x05, 0x00, 0x04, 0x40,
    ];
    match hash {
        HashAlgorithm::Sha256 => Some(&SHA256),
        HashAlgorithm::Sha384 => Some(&SHA384),
        HashAlgorithm::Sha512 => Some(&SHA512),
        HashAlgorithm::Sha1 => None,
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): rebuild the one valid encoding and compare, the way
/// §8.2.2 recommends (no parsing of the padding, so no parsing bugs).
fn pkcs1_v15_check(hash: HashAlgorithm, digest: &[u8], em: &[u8]) -> Result<(), Error> {
    let prefix = digest_info_prefix(hash).ok_or(Error::UnsupportedAlgorithm)?;
    let t_len = prefix.len() + digest.len();
    let ps_len = em
        .len()
        .checked_sub(t_len + 3)
        .filter(|&n| n >= 8)
        .ok_or(Error::BadSignature)?;
    let (head, rest) = em.split_at_checked(2).ok_or(Error::BadSignature)?;
    let (ps, rest) = rest.split_at_checked(ps_len).ok_or(Error::BadSignature)?;
    let (sep, rest) = rest.split_at_checked(1).ok_or(Error::BadSignature)?;
    let (p, d) = rest
        .split_at_checked(prefix.len())
        .ok_or(Error::BadSignature)?;
    if head == [0x00, 0x01]
        && ps.iter().all(|&b| b == 0xff)
        && sep == [0]
        && p == prefix
        && d == digest
    {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// XORs MGF1(seed) (RFC 8017 §B.2.1) into `out`.
fn mgf1_xor(hash: HashAlgorithm, seed: &[u8], out: &mut [u8]) {
    let h_len = hash.output_len();
    for (counter, chunk) in out.chunks_mut(h_len).enumerate() {
        let c = u32::try_from(counter).unwrap_or(u32::MAX).to_be_bytes();
        let mask = hash_parts(hash, &[seed, &c]);
        for (o, m) in chunk.iter_mut().zip(mask.as_bytes()) {
            *o ^= m;
        }
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with MGF1 over the same hash and a salt as long as
/// the hash. `em` is the full modulus-length output of the RSA operation.
fn pss_check(hash: HashAlgorithm, digest: &[u8], mod_bits: usize, em: &[u8]) -> Result<(), Error> {
    let h_len = hash.output_len();
    let s_len = h_len;
    let em_bits = mod_bits.saturating_sub(1);
    let em_len = em_bits.div_ceil(8);
    // When modBits - 1 is a multiple of 8 the integer has one more (zero) byte than EM.
    let (lead, em) = em
        .split_at_checked(em.len().checked_sub(em_len).ok_or(Error::BadSignature)?)
        .ok_or(Error::BadSignature)?;
    if lead.iter().any(|&b| b != 0) || em_len < h_len + s_len + 2 {
        return Err(Error::BadSignature);
    }
    let (masked_db, rest) = em
        .split_at_checked(em_len - h_len - 1)
        .ok_or(Error::BadSignature)?;
    let (h, trailer) = rest.split_at_checked(h_len).ok_or(Error::BadSignature)?;
    let top_mask = 0xffu8 >> (8 * em_len - em_bits);
    if trailer != [0xbc] || masked_db.first().is_none_or(|&b| b & !top_mask != 0) {
        return Err(Error::BadSignature);
    }
    let mut db_buf = [0u8; 512];
    let db = db_buf
        .get_mut(..masked_db.len())
        .ok_or(Error::BadSignature)?;
    db.copy_from_slice(masked_db);
    mgf1_xor(hash, h, db);
    if let Some(first) = db.first_mut() {
        *first &= top_mask;
    }
    let (ps, rest) = db
        .split_at_checked(em_len - h_len - s_len - 2)
        .ok_or(Error::BadSignature)?;
    let (one, salt) = rest.split_at_checked(1).ok_or(Error::BadSignature)?;
    if ps.iter().any(|&b| b != 0) || one != [1] {
        return Err(Error::BadSignature);
    }
    let h2 = hash_parts(hash, &[&[0u8; 8], digest, salt]);
    if h2.as_bytes() == h {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_codes_round_trip() {
        for s in SignatureScheme::ALL {
            assert_eq!(SignatureScheme::from_u16(s.to_u16()), Some(s));
        }
        assert_eq!(SignatureScheme::from_u16(0x0201), None); // rsa_pkcs1_sha1
    }

    #[test]
    fn uint_bytes_round_trip() {
        let bytes: std::vec::Vec<u8> = (1..=200u8).collect();
        let x = uint_from_be::<{ U2048::LIMBS }>(&bytes).unwrap();
        let mut out = [0u8; 200];
        uint_to_be(&x, &mut out).unwrap();
        assert_eq!(&out[..], &bytes[..]);
        let mut short = [0u8; 199];
        assert!(uint_to_be(&x, &mut short).is_err());
        assert!(uint_from_be::<{ U64::LIMBS }>(&[1, 0, 0, 0, 0, 0, 0, 0, 0]).is_none());
        assert!(uint_from_be::<{ U64::LIMBS }>(&[0, 1, 0, 0, 0, 0, 0, 0, 0]).is_some());
    }
}
