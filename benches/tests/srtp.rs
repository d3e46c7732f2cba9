//! The SRTP case outside the bench: every implementation produces the same bytes (libsrtp2
//! included, on native builds), ours never touches the heap, and the counter does see the
//! peer's allocations.

use std::hint::black_box;

use rtcam_benches::srtp::{
    self, HEADER_LEN, LIBSRTP2, LIBSRTP2_SKIPPED, LibSrtp, PACKET_LEN, PROFILES, Primitives,
};
use rtcam_benches::{assert_counting_active, count_allocations};

#[test]
fn every_implementation_agrees_in_every_profile() {
    if !LIBSRTP2 {
        eprintln!("libsrtp2 not linked ({LIBSRTP2_SKIPPED:?}): checking the others only");
    }
    for profile in PROFILES {
        srtp::assert_equivalent(profile);
    }
}

/// libsrtp2 is there unless build.rs said why not: a native build without it fails to
/// build, so the byte comparison can never be skipped silently.
#[test]
fn libsrtp2_is_linked_unless_skipped_on_purpose() {
    // Checked at compile time.
    const {
        assert!(
            LIBSRTP2 || LIBSRTP2_SKIPPED.is_some(),
            "libsrtp2 neither linked nor skipped"
        )
    };
    if LIBSRTP2 {
        let v = LibSrtp::version().expect("version string");
        assert!(v.starts_with("libsrtp2 "), "{v}");
    }
}

/// Beyond the bench's fixture: payloads of 0 to 1200 bytes, sequence numbers across a
/// wrap (ROC 0 to 1), fresh sessions on both sides. libsrtp2's protected bytes equal
/// ours, and each side unprotects the other's.
#[test]
fn libsrtp2_and_ours_produce_identical_bytes() {
    const PAYLOADS: [usize; 8] = [0, 1, 15, 16, 17, 160, 1000, 1200];
    if !LIBSRTP2 {
        eprintln!("skipped: libsrtp2 not linked ({LIBSRTP2_SKIPPED:?})");
        return;
    }
    for profile in PROFILES {
        let key = srtp::master_key(profile);
        let salt = srtp::master_salt(profile);
        let mut ours_tx = srtp::ours_context(profile);
        let mut ours_rx = srtp::ours_context(profile);
        let mut lib_tx = LibSrtp::new(profile, key, salt, false).unwrap();
        let mut lib_rx = LibSrtp::new(profile, key, salt, true).unwrap();
        // Protecting an index twice is a replay to libsrtp2's sender: the payload length
        // changes from packet to packet instead.
        for index in 65_500u64..65_600 {
            let payload = PAYLOADS[(index % PAYLOADS.len() as u64) as usize];
            let len = HEADER_LEN + payload;
            let plain = srtp::plaintext(index);
            let mut a = plain.clone();
            let mut b = plain.clone();
            let na = ours_tx.protect_rtp(&mut a, len).unwrap();
            let nb = lib_tx.protect(&mut b, len).unwrap();
            assert_eq!(
                a[..na],
                b[..nb],
                "{}: index {index}, {payload}-byte payload",
                srtp::name(profile)
            );
            assert_eq!(na, len + profile.rtp_overhead());
            let n = ours_rx.unprotect_rtp(&mut b[..nb]).unwrap();
            assert_eq!(b[..n], plain[..len]);
            let n = lib_rx.unprotect(&mut a[..na]).unwrap();
            assert_eq!(a[..n], plain[..len]);
        }
    }
}

/// Protect and unprotect: 0 heap allocations on our side (and on the primitives'),
/// counted on this thread only (the test harness allocates on its own threads).
#[test]
fn ours_makes_zero_allocations() {
    // Packets per direction and profile: enough to see any per-packet allocation, few
    // enough for a debug build under qemu (software AES).
    const N: usize = 256;
    assert_counting_active();
    for profile in PROFILES {
        let name = srtp::name(profile);
        let mut tx = srtp::ours_context(profile);
        let mut buf = srtp::plaintext(0);
        // Once outside the count (the stream is created on the first packet; it lives in
        // the context's fixed table, but rule out any lazy set-up), then many times.
        srtp::ours_protect(&mut tx, &mut buf, 0).unwrap();
        let (n, allocs) = count_allocations(|| {
            (1..=N as u16)
                .map(|seq| srtp::ours_protect(&mut tx, black_box(&mut buf), seq).unwrap())
                .sum::<usize>()
        });
        assert_eq!(n, N * srtp::srtp_len(profile));
        assert_eq!(
            allocs.allocs, 0,
            "{name} protect: {allocs:?} over {N} packets"
        );

        // Packets to receive, made outside the count.
        let mut sender = srtp::ours_context(profile);
        let packets: Vec<Vec<u8>> = (0..N as u64)
            .map(|index| {
                let mut p = srtp::plaintext(index);
                let n = srtp::ours_protect(&mut sender, &mut p, index as u16).unwrap();
                p.truncate(n);
                p
            })
            .collect();
        let mut work = packets.clone();
        let mut rx = srtp::ours_context(profile);
        let (n, allocs) = count_allocations(|| {
            work.iter_mut()
                .map(|p| srtp::ours_unprotect(&mut rx, black_box(p)).unwrap())
                .sum::<usize>()
        });
        assert_eq!(n, N * PACKET_LEN);
        assert_eq!(
            allocs.allocs, 0,
            "{name} unprotect: {allocs:?} over {N} packets"
        );

        // The failure paths do not allocate either (a flood of forged packets is cheap).
        let mut forged = packets[10].clone();
        forged[HEADER_LEN] ^= 1;
        let (res, allocs) = count_allocations(|| srtp::ours_unprotect(&mut rx, &mut forged));
        assert!(res.is_err(), "{name}: forged packet accepted");
        assert_eq!(allocs.allocs, 0, "{name} forged: {allocs:?}");
        let mut replayed = packets[N - 1].clone();
        let (res, allocs) = count_allocations(|| srtp::ours_unprotect(&mut rx, &mut replayed));
        assert!(res.is_err(), "{name}: replay accepted");
        assert_eq!(allocs.allocs, 0, "{name} replay: {allocs:?}");

        // The limit row is allocation-free too, so the comparison is like for like.
        let keys = Primitives::new(profile);
        let (_, allocs) = count_allocations(|| {
            for index in 0..100 {
                srtp::primitives_protect(&keys, black_box(&mut buf), index);
            }
        });
        assert_eq!(allocs.allocs, 0, "{name} primitives: {allocs:?}");
    }
}

/// The counter is not vacuous: webrtc-srtp's paths allocate and are seen doing so.
#[test]
fn peer_allocations_are_counted() {
    for profile in PROFILES {
        let name = srtp::name(profile);
        let mut tx = srtp::webrtc_rs_sender(profile);
        let mut rx = srtp::webrtc_rs_receiver(profile);
        let mut buf = srtp::plaintext(0);
        let first = srtp::webrtc_rs_protect(&mut tx, &mut buf, 0).unwrap();
        srtp::webrtc_rs_unprotect(&mut rx, &first).unwrap();
        let (out, allocs) = count_allocations(|| srtp::webrtc_rs_protect(&mut tx, &mut buf, 1));
        let out = out.unwrap();
        assert!(allocs.allocs > 0, "{name} protect: {allocs:?}");
        let (res, allocs) = count_allocations(|| srtp::webrtc_rs_unprotect(&mut rx, &out));
        assert_eq!(res.unwrap().len(), PACKET_LEN);
        assert!(allocs.allocs > 0, "{name} unprotect: {allocs:?}");
    }
}
