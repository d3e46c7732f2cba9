//! DTLS identity and peer certificates (`dtls::cert`) against OpenSSL, the reference every
//! DTLS peer we meet (GStreamer, KVS C SDK, `openssl s_server`) is built on:
//!
//! 1. Our self-signed certificate is read by `openssl x509` (v3, ecdsa-with-SHA256,
//!    prime256v1, CN), passes `openssl verify` with itself as the trust anchor at the real
//!    time, is valid exactly from now − 1 day to now + 30 days (`-attime` probes on both
//!    edges, UTCTime and GeneralizedTime), and our SHA-1/256/384/512 fingerprints equal
//!    `openssl x509 -fingerprint`.
//! 2. Our ECDSA signatures verify with `openssl dgst -verify`, and a changed message fails.
//! 3. Certificates made by `openssl req -x509` (EC P-256, RSA 2048/3072/4096) parse with the
//!    right key type and size, their own signatures verify with our code, and their
//!    fingerprints match; P-384 and Ed25519 keys are `UnsupportedKey`.
//! 4. Signatures made by `openssl dgst -sign` — ECDSA with SHA-256/384/512, RSA PKCS#1 v1.5
//!    and RSA-PSS (salt = hash length) with SHA-256/384/512 — verify with our code and fail
//!    when one byte of the message, the signature or the key changes, or under the wrong
//!    scheme.
//! 5. Every truncation and every single-byte change of a certificate is handled without a
//!    panic, and truncations are always errors.
//!
//! A missing `openssl` binary fails the tests with a message: run scripts/install.sh.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use rand_core::{OsRng, RngCore};
use rtcam_dtls_srtp::dtls::cert::{
    self, CertParams, Certificate, Error, HashAlgorithm, Identity, PublicKey, SignatureAlgorithm,
    SignatureScheme,
};

const DAY: u64 = 86_400;

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn openssl() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        let candidate = dir.join("openssl");
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`openssl` was not found on PATH. These tests need the OpenSSL command-line tool \
         (Debian package `openssl`). Run scripts/install.sh (or `apt-get install openssl`)."
    );
}

/// Runs `openssl ARGS` in `dir`; returns its output whether or not it succeeded.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(openssl())
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("spawning openssl {args:?}: {e}"))
}

/// Runs `openssl ARGS` and returns stdout; panics with stderr when it fails.
fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "rtcam-cert-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    fn write(&self, name: &str, bytes: &[u8]) {
        std::fs::write(self.0.join(name), bytes).unwrap();
    }
    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.0.join(name)).unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// "sha256 Fingerprint=AB:CD:..." → bytes.
fn parse_openssl_fingerprint(text: &str) -> Vec<u8> {
    let hex = text.trim().split('=').nth(1).unwrap();
    hex.split(':')
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

const ALL_HASHES: [(HashAlgorithm, &str); 4] = [
    (HashAlgorithm::Sha1, "-sha1"),
    (HashAlgorithm::Sha256, "-sha256"),
    (HashAlgorithm::Sha384, "-sha384"),
    (HashAlgorithm::Sha512, "-sha512"),
];

fn assert_fingerprints_match_openssl(dir: &TempDir, der_name: &str, der: &[u8]) {
    for (alg, flag) in ALL_HASHES {
        let text = ok(
            dir.path(),
            &[
                "x509",
                "-inform",
                "DER",
                "-in",
                der_name,
                "-noout",
                "-fingerprint",
                flag,
            ],
        );
        let theirs = parse_openssl_fingerprint(&text);
        assert_eq!(
            cert::fingerprint(der, alg).as_bytes(),
            &theirs[..],
            "{flag}"
        );
        cert::verify_fingerprint(der, alg, &theirs).unwrap();
    }
}

#[test]
fn our_certificate_is_accepted_by_openssl() {
    let dir = TempDir::new("ours");
    let now = now_unix();
    let id = Identity::generate(&mut OsRng, now, &CertParams::default()).unwrap();
    dir.write("ours.der", id.der());
    ok(
        dir.path(),
        &[
            "x509", "-inform", "DER", "-in", "ours.der", "-out", "ours.pem",
        ],
    );

    let text = ok(
        dir.path(),
        &[
            "x509", "-inform", "DER", "-in", "ours.der", "-noout", "-text",
        ],
    );
    for needle in [
        "Version: 3 (0x2)",
        "Signature Algorithm: ecdsa-with-SHA256",
        "Issuer: CN = rtcam",
        "Subject: CN = rtcam",
        "Public Key Algorithm: id-ecPublicKey",
        "ASN1 OID: prime256v1",
        "NIST CURVE: P-256",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
    }

    // Self-signed, trusted as its own anchor, at the real current time.
    let verify = ok(dir.path(), &["verify", "-CAfile", "ours.pem", "ours.pem"]);
    assert!(verify.contains("ours.pem: OK"), "{verify}");

    // Validity edges: not before now - 1 day, not after now + 30 days.
    let at = |t: u64| {
        let t = t.to_string();
        run(
            dir.path(),
            &["verify", "-attime", &t, "-CAfile", "ours.pem", "ours.pem"],
        )
        .status
        .success()
    };
    assert!(at(now - DAY + 1));
    assert!(!at(now - DAY - 1), "valid before notBefore");
    assert!(at(now + 30 * DAY - 1));
    assert!(!at(now + 30 * DAY + 1), "valid after notAfter");

    assert_fingerprints_match_openssl(&dir, "ours.der", id.der());
    assert_eq!(
        id.fingerprint(HashAlgorithm::Sha256),
        cert::fingerprint(id.der(), HashAlgorithm::Sha256)
    );

    // Two identities never share a serial or key.
    let other = Identity::generate(&mut OsRng, now, &CertParams::default()).unwrap();
    assert_ne!(
        Certificate::parse(other.der()).unwrap().serial(),
        Certificate::parse(id.der()).unwrap().serial()
    );
    assert_ne!(other.verifying_key(), id.verifying_key());
}

#[test]
fn our_certificate_parameters_and_generalized_time() {
    let dir = TempDir::new("params");
    // 2060: past 2049, so both dates are GeneralizedTime (RFC 5280 §4.1.2.5).
    let now = 2_871_763_200; // 2061-01-01T00:00:00Z
    let params = CertParams {
        common_name: "camera-01.example",
        backdate_secs: 3600,
        valid_for_secs: 7 * DAY,
    };
    let id = Identity::generate(&mut OsRng, now, &params).unwrap();
    dir.write("c.der", id.der());
    ok(
        dir.path(),
        &["x509", "-inform", "DER", "-in", "c.der", "-out", "c.pem"],
    );
    let dates = ok(
        dir.path(),
        &[
            "x509",
            "-in",
            "c.pem",
            "-noout",
            "-subject",
            "-startdate",
            "-enddate",
        ],
    );
    assert!(dates.contains("subject=CN = camera-01.example"), "{dates}");
    assert!(
        dates.contains("notBefore=Dec 31 23:00:00 2060 GMT"),
        "{dates}"
    );
    assert!(
        dates.contains("notAfter=Jan  8 00:00:00 2061 GMT"),
        "{dates}"
    );
    let asn1 = ok(dir.path(), &["asn1parse", "-in", "c.pem"]);
    assert_eq!(asn1.matches("GENERALIZEDTIME").count(), 2, "{asn1}");
    let at = |t: u64| {
        let t = t.to_string();
        run(
            dir.path(),
            &["verify", "-attime", &t, "-CAfile", "c.pem", "c.pem"],
        )
        .status
        .success()
    };
    assert!(at(now));
    assert!(!at(now - 3601));
    assert!(!at(now + 7 * DAY + 1));

    // A 2049 date stays UTCTime.
    let id = Identity::generate(&mut OsRng, 2_500_000_000, &CertParams::default()).unwrap();
    dir.write("u.der", id.der());
    let asn1 = ok(dir.path(), &["asn1parse", "-inform", "DER", "-in", "u.der"]);
    assert_eq!(asn1.matches("UTCTIME").count(), 2, "{asn1}");

    // Longest name fits; empty and over-long names are refused.
    let long = "x".repeat(cert::MAX_COMMON_NAME_LEN);
    let id = Identity::generate(
        &mut OsRng,
        u64::MAX,
        &CertParams {
            common_name: &long,
            ..CertParams::default()
        },
    )
    .unwrap();
    assert!(id.der().len() <= cert::MAX_CERT_LEN);
    Certificate::parse(id.der())
        .unwrap()
        .verify_self_signed()
        .unwrap();
    for bad in ["", &"x".repeat(cert::MAX_COMMON_NAME_LEN + 1)] {
        let p = CertParams {
            common_name: bad,
            ..CertParams::default()
        };
        assert_eq!(
            Identity::generate(&mut OsRng, now, &p).err(),
            Some(Error::InvalidParams)
        );
    }
    // Too small a buffer is an error, at every size.
    let key = id.signing_key().clone();
    let mut buf = [0u8; cert::MAX_CERT_LEN];
    let n = CertParams::default()
        .write_self_signed(&key, &[1, 2, 3], now, &mut buf)
        .unwrap();
    for short in 0..n {
        assert_eq!(
            CertParams::default().write_self_signed(&key, &[1, 2, 3], now, &mut buf[..short]),
            Err(Error::BufferTooSmall)
        );
    }
}

#[test]
fn our_certificate_parses_with_our_reader() {
    let id = Identity::generate(&mut OsRng, now_unix(), &CertParams::default()).unwrap();
    let c = Certificate::parse(id.der()).unwrap();
    assert_eq!(c.der(), id.der());
    assert_eq!(c.signature_algorithm(), SignatureAlgorithm::EcdsaSha256);
    assert_eq!(c.public_key(), &PublicKey::EcP256(*id.verifying_key()));
    assert_eq!(c.serial().len(), 16);
    c.verify_self_signed().unwrap();
    // Deterministic for fixed inputs (RFC 6979).
    let mut a = [0u8; cert::MAX_CERT_LEN];
    let mut b = [0u8; cert::MAX_CERT_LEN];
    let p = CertParams::default();
    let na = p
        .write_self_signed(id.signing_key(), &[9; 16], 1_700_000_000, &mut a)
        .unwrap();
    let nb = p
        .write_self_signed(id.signing_key(), &[9; 16], 1_700_000_000, &mut b)
        .unwrap();
    assert_eq!(a[..na], b[..nb]);
}

#[test]
fn our_signatures_verify_with_openssl() {
    let dir = TempDir::new("sign");
    let id = Identity::generate(&mut OsRng, now_unix(), &CertParams::default()).unwrap();
    dir.write("c.der", id.der());
    let pubkey = ok(
        dir.path(),
        &[
            "x509", "-inform", "DER", "-in", "c.der", "-noout", "-pubkey",
        ],
    );
    dir.write("pub.pem", pubkey.as_bytes());
    let key = PublicKey::EcP256(*id.verifying_key());
    for len in [0usize, 1, 32, 100, 1000, 5000] {
        let mut msg = vec![0u8; len];
        OsRng.fill_bytes(&mut msg);
        let mut sig = [0u8; cert::MAX_ECDSA_SIG_LEN];
        let n = id.sign(&msg, &mut sig).unwrap();
        key.verify(Identity::SIGNATURE_SCHEME, &msg, &sig[..n])
            .unwrap();
        dir.write("msg", &msg);
        dir.write("sig", &sig[..n]);
        let out = ok(
            dir.path(),
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig",
                "msg",
            ],
        );
        assert!(out.contains("Verified OK"), "{out}");
        msg.push(1);
        dir.write("msg", &msg);
        let out = run(
            dir.path(),
            &[
                "dgst",
                "-sha256",
                "-verify",
                "pub.pem",
                "-signature",
                "sig",
                "msg",
            ],
        );
        assert!(!out.status.success(), "openssl accepted a changed message");
        assert_eq!(
            key.verify(Identity::SIGNATURE_SCHEME, &msg, &sig[..n]),
            Err(Error::BadSignature)
        );
    }
    let mut small = [0u8; 8];
    assert_eq!(id.sign(b"x", &mut small), Err(Error::BufferTooSmall));
}

/// A key and self-signed certificate made by `openssl req -x509`.
struct Theirs {
    dir: TempDir,
    der: Vec<u8>,
}

fn openssl_cert(tag: &str, newkey: &[&str]) -> Theirs {
    let dir = TempDir::new(tag);
    let mut args = vec!["req", "-x509"];
    args.extend_from_slice(newkey);
    args.extend_from_slice(&[
        "-nodes", "-keyout", "key.pem", "-out", "cert.der", "-outform", "DER", "-subj", "/CN=peer",
        "-days", "2",
    ]);
    ok(dir.path(), &args);
    let der = dir.read("cert.der");
    Theirs { dir, der }
}

fn ec_p256() -> Theirs {
    openssl_cert(
        "ec",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    )
}

fn rsa(bits: u32) -> Theirs {
    let spec = format!("rsa:{bits}");
    openssl_cert("rsa", &["-newkey", &spec])
}

/// `openssl dgst -<hash> -sign key.pem [sigopts] msg` → signature bytes.
fn openssl_sign(t: &Theirs, hash: &str, sigopts: &[&str], msg: &[u8]) -> Vec<u8> {
    t.dir.write("msg", msg);
    let mut args = vec!["dgst", hash, "-sign", "key.pem"];
    for o in sigopts {
        args.extend_from_slice(&["-sigopt", o]);
    }
    args.extend_from_slice(&["-out", "sig", "msg"]);
    ok(t.dir.path(), &args);
    t.dir.read("sig")
}

/// Verifies `sig` over `msg`, then checks a changed message byte, a changed signature byte
/// and a changed key byte each fail.
fn check_signature(t: &Theirs, scheme: SignatureScheme, msg: &[u8], sig: &[u8]) {
    let c = Certificate::parse(&t.der).unwrap();
    let key = c.public_key();
    key.verify(scheme, msg, sig)
        .unwrap_or_else(|e| panic!("{scheme:?}: {e}"));
    let digest = cert::fingerprint(msg, scheme.hash());
    key.verify_digest(scheme, digest.as_bytes(), sig).unwrap();

    for i in [0, msg.len() / 2, msg.len() - 1] {
        let mut m = msg.to_vec();
        m[i] ^= 0x01;
        assert_eq!(
            key.verify(scheme, &m, sig),
            Err(Error::BadSignature),
            "msg byte {i}"
        );
    }
    for i in [0, 1, sig.len() / 2, sig.len() - 1] {
        let mut s = sig.to_vec();
        s[i] ^= 0x01;
        assert!(key.verify(scheme, msg, &s).is_err(), "sig byte {i}");
    }
    assert!(key.verify(scheme, msg, &sig[..sig.len() - 1]).is_err());
    // A key byte: somewhere in the middle of the modulus or the point.
    let spki_key_at = match key {
        PublicKey::EcP256(_) => {
            let point = c.public_key_point_offset();
            point + 20
        }
        PublicKey::Rsa(rsa) => {
            let m = rsa.modulus();
            let pos = t.der.windows(m.len()).position(|w| w == m).unwrap();
            pos + m.len() / 2
        }
        _ => unreachable!(),
    };
    let mut der = t.der.clone();
    der[spki_key_at] ^= 0x01;
    let tampered = Certificate::parse(&der).and_then(|c| c.public_key().verify(scheme, msg, sig));
    assert!(tampered.is_err(), "{scheme:?} verified under a changed key");
}

trait PointOffset {
    fn public_key_point_offset(&self) -> usize;
}

impl PointOffset for Certificate<'_> {
    /// Where the 65-byte uncompressed point starts in the DER.
    fn public_key_point_offset(&self) -> usize {
        let PublicKey::EcP256(k) = self.public_key() else {
            panic!("not EC")
        };
        let point = k.to_encoded_point(false);
        let der = self.der();
        der.windows(65).position(|w| w == point.as_bytes()).unwrap()
    }
}

fn random_message() -> Vec<u8> {
    let mut msg = vec![0u8; 1 + (OsRng.next_u32() % 600) as usize];
    OsRng.fill_bytes(&mut msg);
    msg
}

#[test]
fn openssl_ec_certificate_and_signatures() {
    let t = ec_p256();
    let c = Certificate::parse(&t.der).unwrap();
    assert!(matches!(c.public_key(), PublicKey::EcP256(_)));
    assert_eq!(c.signature_algorithm(), SignatureAlgorithm::EcdsaSha256);
    c.verify_self_signed().unwrap();
    assert_fingerprints_match_openssl(&t.dir, "cert.der", &t.der);
    for (hash, scheme) in [
        ("-sha256", SignatureScheme::EcdsaSha256),
        ("-sha384", SignatureScheme::EcdsaSha384),
        ("-sha512", SignatureScheme::EcdsaSha512),
    ] {
        // Several signatures: about half of OpenSSL's have a high S, which we must accept.
        for _ in 0..6 {
            let msg = random_message();
            let sig = openssl_sign(&t, hash, &[], &msg);
            check_signature(&t, scheme, &msg, &sig);
        }
    }
    let msg = random_message();
    let sig = openssl_sign(&t, "-sha256", &[], &msg);
    assert_eq!(
        c.public_key()
            .verify(SignatureScheme::RsaPkcs1Sha256, &msg, &sig),
        Err(Error::UnsupportedAlgorithm)
    );
    assert_eq!(
        c.public_key()
            .verify(SignatureScheme::EcdsaSha384, &msg, &sig),
        Err(Error::BadSignature)
    );
}

fn check_rsa(bits: u32) {
    let t = rsa(bits);
    let c = Certificate::parse(&t.der).unwrap();
    let PublicKey::Rsa(key) = c.public_key() else {
        panic!("RSA {bits} parsed as {:?}", c.public_key())
    };
    assert_eq!(key.bits(), bits as usize);
    assert_eq!(key.exponent(), &[1, 0, 1]);
    let modulus = ok(
        t.dir.path(),
        &["rsa", "-in", "key.pem", "-noout", "-modulus"],
    );
    let hex: String = key.modulus().iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(modulus.trim(), format!("Modulus={hex}"));
    assert_eq!(c.signature_algorithm(), SignatureAlgorithm::RsaPkcs1Sha256);
    c.verify_self_signed().unwrap();
    assert_fingerprints_match_openssl(&t.dir, "cert.der", &t.der);

    for (hash, pkcs1, pss, salt) in [
        (
            "-sha256",
            SignatureScheme::RsaPkcs1Sha256,
            SignatureScheme::RsaPssRsaeSha256,
            "rsa_pss_saltlen:32",
        ),
        (
            "-sha384",
            SignatureScheme::RsaPkcs1Sha384,
            SignatureScheme::RsaPssRsaeSha384,
            "rsa_pss_saltlen:48",
        ),
        (
            "-sha512",
            SignatureScheme::RsaPkcs1Sha512,
            SignatureScheme::RsaPssRsaeSha512,
            "rsa_pss_saltlen:64",
        ),
    ] {
        let msg = random_message();
        let sig = openssl_sign(&t, hash, &[], &msg);
        check_signature(&t, pkcs1, &msg, &sig);
        assert_eq!(
            c.public_key().verify(pss, &msg, &sig),
            Err(Error::BadSignature),
            "PKCS#1 v1.5 signature accepted as PSS"
        );
        let sig = openssl_sign(&t, hash, &["rsa_padding_mode:pss", salt], &msg);
        check_signature(&t, pss, &msg, &sig);
        assert_eq!(
            c.public_key().verify(pkcs1, &msg, &sig),
            Err(Error::BadSignature),
            "PSS signature accepted as PKCS#1 v1.5"
        );
    }
    // PSS with another salt length than the hash's is refused (RFC 8446 §4.2.3).
    let msg = random_message();
    let sig = openssl_sign(
        &t,
        "-sha256",
        &["rsa_padding_mode:pss", "rsa_pss_saltlen:20"],
        &msg,
    );
    assert_eq!(
        c.public_key()
            .verify(SignatureScheme::RsaPssRsaeSha256, &msg, &sig),
        Err(Error::BadSignature)
    );
    assert_eq!(
        c.public_key()
            .verify(SignatureScheme::EcdsaSha256, &msg, &sig),
        Err(Error::UnsupportedAlgorithm)
    );
}

#[test]
fn openssl_rsa_2048_certificate_and_signatures() {
    check_rsa(2048);
}

#[test]
fn openssl_rsa_3072_certificate_and_signatures() {
    check_rsa(3072);
}

#[test]
fn openssl_rsa_4096_certificate_and_signatures() {
    check_rsa(4096);
}

#[test]
fn unsupported_keys_are_reported() {
    let p384 = openssl_cert(
        "p384",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    );
    assert_eq!(
        Certificate::parse(&p384.der).err(),
        Some(Error::UnsupportedKey)
    );
    let ed = openssl_cert("ed25519", &["-newkey", "ed25519"]);
    assert_eq!(
        Certificate::parse(&ed.der).err(),
        Some(Error::UnsupportedKey)
    );
    let small = openssl_cert("rsa1024", &["-newkey", "rsa:1024"]);
    assert_eq!(
        Certificate::parse(&small.der).err(),
        Some(Error::UnsupportedKey)
    );
    // A SHA-1-signed certificate (old stacks) still parses: only its fingerprint matters.
    let sha1 = openssl_cert("sha1", &["-newkey", "rsa:2048", "-sha1"]);
    let c = Certificate::parse(&sha1.der).unwrap();
    assert_eq!(c.signature_algorithm(), SignatureAlgorithm::RsaPkcs1Sha1);
    assert_eq!(c.verify_self_signed(), Err(Error::UnsupportedAlgorithm));
}

/// Every prefix is an error, every single-byte change returns (either way) without a panic,
/// and trailing bytes are refused. The (slow, under qemu) signature check runs for a sample
/// of the changed positions; the `dtls_cert_parse` fuzz target covers the rest.
fn mangle(der: &[u8]) {
    Certificate::parse(der).unwrap();
    for n in 0..der.len() {
        assert!(
            Certificate::parse(&der[..n]).is_err(),
            "prefix of {n} bytes parsed"
        );
    }
    let mut long = der.to_vec();
    long.push(0);
    assert_eq!(Certificate::parse(&long).err(), Some(Error::Malformed));
    let mut m = der.to_vec();
    for i in 0..m.len() {
        for x in [0x01u8, 0x80, 0xff] {
            m[i] ^= x;
            let parsed = Certificate::parse(&m);
            if i % 61 == 0 || i + 8 >= m.len() {
                if let Ok(c) = parsed {
                    let _ = c.verify_self_signed();
                }
            }
            m[i] ^= x;
        }
    }
}

#[test]
fn truncated_and_mangled_certificates_never_panic() {
    let id = Identity::generate(&mut OsRng, now_unix(), &CertParams::default()).unwrap();
    mangle(id.der());
    mangle(&ec_p256().der);
    mangle(&rsa(2048).der);
}

#[test]
fn fingerprint_check_fails_closed() {
    let id = Identity::generate(&mut OsRng, now_unix(), &CertParams::default()).unwrap();
    let fp = id.fingerprint(HashAlgorithm::Sha256);
    cert::verify_fingerprint(id.der(), HashAlgorithm::Sha256, fp.as_bytes()).unwrap();
    let other = Identity::generate(&mut OsRng, now_unix(), &CertParams::default()).unwrap();
    assert_eq!(
        cert::verify_fingerprint(other.der(), HashAlgorithm::Sha256, fp.as_bytes()),
        Err(Error::FingerprintMismatch)
    );
    // The right digest under the wrong algorithm, empty, truncated.
    for (alg, expected) in [
        (HashAlgorithm::Sha384, fp.as_bytes()),
        (HashAlgorithm::Sha256, &[][..]),
        (HashAlgorithm::Sha256, &fp.as_bytes()[..31]),
    ] {
        assert_eq!(
            cert::verify_fingerprint(id.der(), alg, expected),
            Err(Error::FingerprintMismatch)
        );
    }
}

/// Prints how long generation (key + certificate + signature) takes on this machine; the
/// number quoted for qemu-mipsel comes from here. Not an assertion: debug builds are slow.
#[test]
fn generation_time() {
    let now = now_unix();
    let n = 20;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(Identity::generate(&mut OsRng, now, &CertParams::default()).unwrap());
    }
    let per = start.elapsed() / n;
    let id = Identity::generate(&mut OsRng, now, &CertParams::default()).unwrap();
    println!(
        "identity generation: {per:?} per certificate ({} bytes, {} build, {})",
        id.der().len(),
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        std::env::consts::ARCH
    );
}
