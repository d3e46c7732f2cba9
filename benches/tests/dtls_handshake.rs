//! The DTLS handshake case outside the bench: ours completes with zero heap allocations,
//! and OpenSSL (on native builds) completes the same handshake, negotiating the same SRTP
//! profile and agreeing on the keying material between its two sides.

use std::hint::black_box;

use rtcam_benches::dtls_handshake::{
    self, KM_LEN, MTU, OPENSSL, OPENSSL_SKIPPED, OpenSsl, OursFixture, P256Primitives, PROFILE,
    SUITE,
};
use rtcam_benches::{assert_counting_active, count_allocations};

#[test]
fn ours_makes_no_heap_allocation() {
    assert_counting_active();
    let f = OursFixture::new();
    // The first run is not special (no lazy statics), but warm up anyway.
    let c = dtls_handshake::ours_handshake(&f);
    assert_eq!(c.keying_material.as_bytes().len(), KM_LEN);
    for _ in 0..3 {
        let (c, n) = count_allocations(|| dtls_handshake::ours_handshake(black_box(&f)));
        assert_eq!(n.allocs, 0, "one handshake allocated {n:?}");
        assert_eq!((c.srtp_profile, c.cipher_suite), (PROFILE, SUITE));
        assert!(c.extended_master_secret);
    }
}

#[test]
fn ours_primitives_run() {
    let p = P256Primitives::new();
    assert!(p.verify());
    assert!(p.sign() >= 8);
    black_box((p.keygen(), p.ecdh()));
}

/// OpenSSL is there unless build.rs said why not: a native build without it fails to
/// build, so the comparison can never be skipped silently.
#[test]
fn openssl_is_linked_unless_skipped_on_purpose() {
    const {
        assert!(
            OPENSSL || OPENSSL_SKIPPED.is_some(),
            "OpenSSL neither linked nor skipped"
        )
    };
    if OPENSSL {
        let v = OpenSsl::version().expect("version string");
        assert!(v.starts_with("OpenSSL 3"), "{v}");
    }
}

#[test]
fn openssl_completes_the_same_handshake() {
    let Some(mut lib) = OpenSsl::new(MTU) else {
        eprintln!("skipped: OpenSSL not linked ({OPENSSL_SKIPPED:?})");
        return;
    };
    let mut previous = None;
    for _ in 0..3 {
        let (profile, km) = lib.handshake().expect("OpenSSL handshake");
        assert_eq!(profile, PROFILE.id());
        // Fresh randoms every handshake: fresh keys.
        assert_ne!(Some(km), previous);
        previous = Some(km);
    }
}
