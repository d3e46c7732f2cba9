//! The peer-certificate path of `dtls::cert` on arbitrary bytes: `Certificate::parse` (and
//! `PublicKey::from_spki_der` on the same input); when it parses, the fingerprint check and
//! signature verification of the certificate's own (mutated) signature over its own tbs
//! bytes under every scheme the key allows — ECDSA DER decoding and RSA PKCS#1 v1.5/PSS
//! unpadding of arbitrary signature bytes. Never panics; a random signature never
//! verifies (the certificate's own signature, with a byte changed, is tried under every
//! scheme).
//!
//! Seeds (`corpus/dtls_cert_parse/seed-*`): our own certificate and OpenSSL's EC P-256 and
//! RSA 2048 certificates, raw DER.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_dtls_srtp::dtls::cert::{
    self, Certificate, Error, HashAlgorithm, PublicKey, SignatureScheme,
};

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let _ = PublicKey::from_spki_der(data);
    let Ok(c) = Certificate::parse(data) else {
        return;
    };
    assert_eq!(c.der(), data);
    let fp = cert::fingerprint(data, HashAlgorithm::Sha256);
    assert!(cert::verify_fingerprint(data, HashAlgorithm::Sha256, fp.as_bytes()).is_ok());
    assert_eq!(
        cert::verify_fingerprint(data, HashAlgorithm::Sha384, fp.as_bytes()),
        Err(Error::FingerprintMismatch)
    );
    let _ = c.verify_self_signed();
    let key = c.public_key();
    for scheme in SignatureScheme::ALL {
        let res = key.verify(scheme, c.tbs_certificate(), c.signature());
        if !key.supports(scheme) {
            assert_eq!(res, Err(Error::UnsupportedAlgorithm));
        }
        // The signature with its last byte changed never verifies.
        if let Some((last, head)) = c.signature().split_last() {
            let mut sig = head.to_vec();
            sig.push(last ^ 0x5a);
            assert!(key.verify(scheme, c.tbs_certificate(), &sig).is_err());
        }
        let _ = key.verify(scheme, b"", c.signature());
    }
}
