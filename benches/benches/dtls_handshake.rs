//! DTLS handshake: one complete DTLS 1.2 handshake for DTLS-SRTP, client and server in one
//! thread with datagrams passed through memory, rtcam's `Endpoint` pair against OpenSSL 3
//! (through `c/dtls_shim.c`; native builds only). `cargo bench -p rtcam-benches --bench
//! dtls_handshake`.
//!
//! Both do the same work per operation (see `rtcam_benches::dtls_handshake`): ECDHE P-256,
//! ECDSA P-256 certificates on both sides, AES-128-GCM, use_srtp, EMS, no
//! HelloVerifyRequest, fingerprint pinning, both sides' SRTP keying material. ns/op is the
//! CPU time of both sides together (one thread, nothing else runs).
//!
//! Where our time goes: the eight P-256 operations of a handshake (per side: ECDHE keygen,
//! ECDH, ECDSA sign, ECDSA verify), which use RustCrypto's portable `p256` crate. OpenSSL
//! has hand-written x86-64 assembly for P-256 (`ecp_nistz256`, with precomputed tables for
//! the fixed-base multiplications), several times faster, so OpenSSL is expected to win on
//! x86. The second table times each of those primitives alone and adds them up, to show
//! how much of our handshake is P-256 and how much is everything else.
//!
//! webrtc-rs's `dtls` crate is not a row (yet): see the note printed at the end.

use std::hint::black_box;

use rtcam_benches::dtls_handshake::{
    self, KM_LEN, MTU, OPENSSL, OPENSSL_SKIPPED, OpenSsl, OursFixture, P256Primitives, PROFILE,
};
use rtcam_benches::{Comparison, Config, Mode, measure};

const OURS: &str = "rtcam-dtls-srtp Endpoint pair (p256)";

fn main() {
    let cfg = Config::from_env();
    let ours = OursFixture::new();
    let first = dtls_handshake::ours_handshake(&ours);
    assert_eq!(first.keying_material.as_bytes().len(), KM_LEN);

    let mut openssl = OpenSsl::new(MTU);
    let openssl_row = match (&mut openssl, OpenSsl::version()) {
        (Some(lib), Some(v)) => {
            let (profile, _) = lib.handshake().expect("OpenSSL handshake");
            assert_eq!(profile, PROFILE.id(), "OpenSSL negotiated another profile");
            println!(
                "{v}: its heap use goes through C's malloc, which the allocation counter does \
                 not see: its allocs/op read 0.\n"
            );
            format!("{v} (C heap uncounted)")
        }
        _ => {
            println!(
                "OpenSSL: not linked in this build ({}): no OpenSSL row.\n",
                OPENSSL_SKIPPED.unwrap_or("unknown reason")
            );
            String::new()
        }
    };

    let mut cmp = Comparison::new(
        format!(
            "DTLS 1.2 handshake, client + server in one thread: ECDHE-ECDSA-AES128-GCM-SHA256, \
             P-256 certificates both ways, use_srtp (AEAD_AES_128_GCM), EMS, MTU {MTU}, \
             {KM_LEN}-byte keying material exported on both sides"
        ),
        &cfg,
    );
    cmp.ours(OURS, || {
        dtls_handshake::ours_handshake(black_box(&ours)).keying_material
    });
    if let Some(lib) = openssl.as_mut() {
        cmp.peer(&openssl_row, || lib.handshake().expect("OpenSSL handshake"));
    }
    cmp.print();

    // The P-256 share of ours.
    let prim = P256Primitives::new();
    type Op = fn(&P256Primitives) -> usize;
    let ops: [(&str, Op); 4] = [
        ("ECDHE keygen (fixed-base mul)", |p| p.keygen().into()),
        ("ECDH shared secret (var-base mul)", |p| p.ecdh().into()),
        ("ECDSA sign (SHA-256, RFC 6979)", P256Primitives::sign),
        ("ECDSA verify (SHA-256)", |p| p.verify().into()),
    ];
    println!(
        "== where ours goes: the P-256 operations alone (p256 0.13), each done twice per handshake =="
    );
    if cfg.mode == Mode::Smoke {
        println!("SMOKE RUN: times not meaningful, pass --bench to measure");
    }
    println!(
        "{:<36} {:>12} {:>14}",
        "operation", "ns/op", "x2 per hshake"
    );
    let mut p256_total = 0.0;
    for (name, f) in &ops {
        let m = measure(&cfg, || black_box(f(black_box(&prim))));
        p256_total += 2.0 * m.median_ns;
        println!(
            "{name:<36} {:>12.0} {:>14.0}",
            m.median_ns,
            2.0 * m.median_ns
        );
    }
    let hs = cmp.baseline().expect("ours measured").measurement.median_ns;
    println!(
        "{:<36} {:>12} {:>14.0}  = {:.0}% of our {:.0} ns handshake; the rest (SHA-256, PRF, \
         AES-GCM, parsing, framing, and the noise of both medians) {:.0} ns",
        "sum of the eight",
        "",
        p256_total,
        100.0 * p256_total / hs,
        hs,
        hs - p256_total
    );
    if let Some(r) = cmp.ratio(&openssl_row).filter(|_| OPENSSL) {
        println!(
            "OpenSSL / ours = {r:.3}: ours takes {:.2}x OpenSSL's time; ours without its P-256 \
             share would take {:.0} ns",
            1.0 / r,
            hs - p256_total
        );
    }
    println!(
        "\nwebrtc-rs `dtls` 0.17: not a row yet. Its handshake runs inside DTLSConn::new as \
         async tasks on a tokio runtime over a webrtc-util Conn (an in-memory pipe would do), \
         which this crate does not build yet; left for later."
    );
}
