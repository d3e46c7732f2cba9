//! DTLS identity: certificate generation (ECDSA P-256 keygen + self-signed X.509 v3 DER +
//! ecdsa-with-SHA256 signature), its SHA-256 fingerprint, ECDSA P-256 sign/verify and
//! RSA-2048 PKCS#1 v1.5 verify — the per-handshake public-key work — rtcam against rcgen
//! 0.14 / ring 0.17 in the same process. `cargo bench -p rtcam-benches --bench dtls_cert`.
//!
//! Both generation rows draw from the OS (ours: `rand_core::OsRng`; rcgen: ring's
//! `SystemRandom`), make a P-256 key, a 16-byte random serial, `CN=rtcam`, and sign.
//! rcgen returns heap-allocated DER and key; ours writes into the `Identity` (0 allocations).
//! The RSA fixture (a 2048-bit OpenSSL certificate and an `openssl dgst -sha256 -sign`
//! signature over 200 random bytes) is embedded below so the bench runs under qemu too.

use std::hint::black_box;
use std::time::{SystemTime, UNIX_EPOCH};

use rand_core::{OsRng, RngCore};
use rtcam_benches::{Comparison, Config};
use rtcam_dtls_srtp::dtls::cert::{
    self, CertParams, Certificate, HashAlgorithm, Identity, PublicKey, SignatureScheme,
};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

fn rcgen_generate() -> Vec<u8> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("keygen");
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::CommonName, "rtcam");
    params.distinguished_name = dn;
    params.not_before = rcgen::date_time_ymd(2025, 11, 23);
    params.not_after = rcgen::date_time_ymd(2025, 12, 24);
    let mut serial = [0u8; 16];
    OsRng.fill_bytes(&mut serial);
    serial[0] = (serial[0] & 0x7f) | 0x40;
    params.serial_number = Some(rcgen::SerialNumber::from_slice(&serial));
    let cert = params.self_signed(&key).expect("self-signed");
    cert.der().to_vec()
}

fn main() {
    let cfg = Config::from_env();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let params = CertParams::default();

    // Both outputs are certificates our reader and OpenSSL-style parsers accept, signed
    // with ecdsa-with-SHA256 by a P-256 key: nothing below times an error path.
    let ours = Identity::generate(&mut OsRng, now, &params).expect("ours");
    let theirs = rcgen_generate();
    for der in [ours.der(), &theirs[..]] {
        let c = Certificate::parse(der).expect("parses");
        assert!(matches!(c.public_key(), PublicKey::EcP256(_)));
        c.verify_self_signed().expect("self-signed");
    }

    let mut generate = Comparison::new(
        format!(
            "DTLS identity: P-256 keygen + self-signed X.509 v3 certificate (ours {} bytes, rcgen {} bytes)",
            ours.der().len(),
            theirs.len()
        ),
        &cfg,
    );
    generate
        .ours("rtcam-dtls-srtp Identity::generate (p256)", || {
            Identity::generate(&mut OsRng, black_box(now), black_box(&params)).map(|id| id.der()[0])
        })
        .peer("rcgen 0.14 (ring 0.17)", || rcgen_generate().len());
    generate.print();

    let der = ours.der().to_vec();
    let mut fp = Comparison::new(
        format!("certificate SHA-256 fingerprint ({} bytes)", der.len()),
        &cfg,
    );
    fp.ours("rtcam-dtls-srtp cert::fingerprint (sha2)", || {
        cert::fingerprint(black_box(&der), HashAlgorithm::Sha256)
    })
    .peer("ring 0.17 digest::digest(SHA256)", || {
        ring::digest::digest(&ring::digest::SHA256, black_box(&der))
    });
    fp.print();

    // ECDSA P-256 / SHA-256 over a ServerKeyExchange-sized message (curve, point, randoms).
    let mut msg = vec![0u8; 64 + 4 + 65];
    OsRng.fill_bytes(&mut msg);
    let ring_rng = ring::rand::SystemRandom::new();
    let pkcs8 = ring::signature::EcdsaKeyPair::generate_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        &ring_rng,
    )
    .expect("ring keygen");
    let ring_key = ring::signature::EcdsaKeyPair::from_pkcs8(
        &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
        pkcs8.as_ref(),
        &ring_rng,
    )
    .expect("ring key");
    let mut sign = Comparison::new(
        format!(
            "ECDSA P-256 SHA-256 sign, DER signature ({}-byte message)",
            msg.len()
        ),
        &cfg,
    );
    sign.ours("rtcam-dtls-srtp Identity::sign (p256, RFC 6979)", || {
        let mut sig = [0u8; cert::MAX_ECDSA_SIG_LEN];
        ours.sign(black_box(&msg), &mut sig).map(|n| sig[n - 1])
    })
    .peer("ring 0.17 EcdsaKeyPair::sign", || {
        ring_key
            .sign(&ring_rng, black_box(&msg))
            .map(|s| s.as_ref()[0])
    });
    sign.print();

    let mut sig = [0u8; cert::MAX_ECDSA_SIG_LEN];
    let n = ours.sign(&msg, &mut sig).expect("sign");
    let sig = &sig[..n];
    let our_pub = PublicKey::EcP256(*ours.verifying_key());
    let point = ours.verifying_key().to_encoded_point(false);
    let ring_pub = ring::signature::UnparsedPublicKey::new(
        &ring::signature::ECDSA_P256_SHA256_ASN1,
        point.as_bytes().to_vec(),
    );
    our_pub
        .verify(SignatureScheme::EcdsaSha256, &msg, sig)
        .expect("ours verifies");
    ring_pub.verify(&msg, sig).expect("ring verifies");
    let mut verify = Comparison::new("ECDSA P-256 SHA-256 verify, DER signature", &cfg);
    verify
        .ours("rtcam-dtls-srtp PublicKey::verify (p256)", || {
            our_pub.verify(
                SignatureScheme::EcdsaSha256,
                black_box(&msg),
                black_box(sig),
            )
        })
        .peer("ring 0.17 UnparsedPublicKey::verify", || {
            ring_pub.verify(black_box(&msg), black_box(sig)).is_ok()
        });
    verify.print();

    // RSA-2048 PKCS#1 v1.5 SHA-256: what a GStreamer webrtcbin peer's signature costs us.
    let rsa_cert = hex(RSA2048_CERT_HEX);
    let rsa_sig = hex(RSA2048_SIG_HEX);
    let rsa_msg = hex(RSA2048_MSG_HEX);
    let c = Certificate::parse(&rsa_cert).expect("RSA fixture parses");
    let PublicKey::Rsa(rsa_key) = *c.public_key() else {
        panic!("fixture is not RSA")
    };
    let rsa_pub = PublicKey::Rsa(rsa_key);
    let ring_rsa = ring::signature::RsaPublicKeyComponents {
        n: rsa_key.modulus(),
        e: rsa_key.exponent(),
    };
    rsa_pub
        .verify(SignatureScheme::RsaPkcs1Sha256, &rsa_msg, &rsa_sig)
        .expect("ours verifies RSA");
    ring_rsa
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &rsa_msg,
            &rsa_sig,
        )
        .expect("ring verifies RSA");
    let mut rsa = Comparison::new(
        "RSA-2048 PKCS#1 v1.5 SHA-256 verify (e = 65537) of an OpenSSL signature",
        &cfg,
    );
    rsa.ours(
        "rtcam-dtls-srtp PublicKey::verify (crypto-bigint U2048)",
        || {
            rsa_pub.verify(
                SignatureScheme::RsaPkcs1Sha256,
                black_box(&rsa_msg),
                black_box(&rsa_sig),
            )
        },
    )
    .peer("ring 0.17 RsaPublicKeyComponents::verify", || {
        ring_rsa
            .verify(
                &ring::signature::RSA_PKCS1_2048_8192_SHA256,
                black_box(&rsa_msg),
                black_box(&rsa_sig),
            )
            .is_ok()
    });
    rsa.print();
}

/// `openssl req -x509 -newkey rsa:2048 -subj /CN=peer -days 3650 -outform DER`.
const RSA2048_CERT_HEX: &str = concat!(
    "308202ff308201e7a003020102021439116796038d48b9efa1b9f9c4bb1966559aa7a8300d06092a864886f7",
    "0d01010b0500300f310d300b06035504030c0470656572301e170d3236313132343233353731315a170d3336",
    "313132313233353731315a300f310d300b06035504030c047065657230820122300d06092a864886f70d0101",
    "0105000382010f003082010a02820101009ea1ef75433e0f70f1fcc33ee2651a140d377e87d296f6cb071670",
    "74a5ad1f096e5130f2f60acf604f53965b2b27c9d9d85a6610a6052effaa10bfcfff448ae09ecde84f6a651f",
    "185865fc69aec8b6fec34564daf12efd14a4f5b021c72f4d979d7369264321c09f67e20cdfdf755c99f909ce",
    "43bc955e6987f4b12989f47ad0315d92dea539db842035cfbe05449bc6ee31d8526f3533c9ed17db62cfc642",
    "f74d90e4620210c3449d6bf16151addd21e5e912bfa2260f11dcd03abbbd64babc84c2dd93a2ba0a2a387da3",
    "ebc2fbf3ea35ae499044a1bc43079d201184facbb3a45976818092551be002a8dc185e5edc13814ed8446997",
    "0c7c317429067837110203010001a3533051301d0603551d0e04160414aba1367c2a3cc3b8af32ca3c90d130",
    "7736790e46301f0603551d23041830168014aba1367c2a3cc3b8af32ca3c90d1307736790e46300f0603551d",
    "130101ff040530030101ff300d06092a864886f70d01010b050003820101002f544109fa29de53f262822d3d",
    "bbf929cc740ce9eea330a717578dd6f6c13e89034b728bba09fac3ee4fbcfefd6705842463464e434d89c4c7",
    "d44e502cdedddaf876006097f7f62e75b4929588f08a97e3f8a46c990ace8e66f82f3ff66e5a92860517c439",
    "4f990310b52e1db80617e26645e19f9f66ee4550c0652829d7476fa4d7f14fdc3ea2c39018584af5bcbb2fa0",
    "e2a731d85d8460ffb8b75c4aa30372a045542b762544c7b1b8efe841b4ae73c73ad79244dcfea65a30f59bdf",
    "219acc6402fef77c990cd9b7b6fd6346650f91bb31c93026b4f5fd0a418513540bea7c06aa4f45f6029815fb",
    "d03f67627a64f99eca3210c7868a9a3a1b6f9e1e02639a",
);
/// `openssl dgst -sha256 -sign key.pem msg` over the message below.
const RSA2048_SIG_HEX: &str = concat!(
    "5b060dbf017220255801dcb569674f26fe107afd025d522fd8ff074aed830a5b15b4f14738a581de3a8ca43a",
    "eab755cf52b435af9cd0fb9fc8c618fd372672d0054c9b6ac59159f57b7c1e2d57268276610daad96013d544",
    "42f39e467e826466970e3b5c550b274ea27f3b84e7f4b512ada78da6cf71790f556be8c05723edeb4e61a60f",
    "f39bd5f92609f06c354493570b00ceb77542c28c2b035788d75953949f7bb1ab5c7dbcd8f2e5b9ab3e47935b",
    "450ee160fd5e26867488f6b0c0f6e98ca61098a222a9e703f046d6989787fa2e0b8b5cf5ebd44dc9f9f90675",
    "5ef76d101ef33b774f19bcc8f9b740f8d45476f6d1d4aecf0e77066817fc96dccacabaa3",
);
/// 200 random bytes.
const RSA2048_MSG_HEX: &str = concat!(
    "7cd21a356f4de33b03a25e193e86a22785e5c4c84861a2c5d53eaba0e4fa7aef1307709ce89958f69f372853",
    "7d8aa031078e5846d74df79e44b73bd3e503490c3b2a5a214e1659a35f7ca9edca21eb8eee836711130c8413",
    "b12768adb9fc9407f2d5f038bf84ebcab1c33db3f3ae3a39b7515894ebf438958b4119e3034a9d971314e767",
    "ed6d4f0e829893f205091c4f9d3f29c4c33337d9debb504236c762ad4394ed481b9c2816183f9f5c4df23e2d",
    "a7d4397eaf038ebd3a0ba3dbe18f2385b7d2c081a2603b5a",
);
