//! The STUN case outside the bench: both implementations agree, and ours never touches
//! the heap.

use rtcam_benches::stun::{self, PASSWORD};
use rtcam_benches::{assert_counting_active, count_allocations};
use rtcam_stun::Key;

#[test]
fn both_sides_accept_the_request_and_reject_tampering() {
    stun::assert_equivalent(&stun::binding_request(), PASSWORD);
}

/// Parse + FINGERPRINT + MESSAGE-INTEGRITY + reading the values: 0 heap allocations,
/// counted on this thread only (the test harness allocates on its own threads).
#[test]
fn stun_check_makes_zero_allocations() {
    assert_counting_active();
    let request = stun::binding_request();
    let key = Key::short_term(PASSWORD).unwrap();
    // Once to rule out any lazy one-time setup, then many times.
    assert!(stun::ours(&request, &key).is_ok());
    let (ok, n) = count_allocations(|| {
        (0..1000).all(|_| stun::ours(std::hint::black_box(&request), &key).is_ok())
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "{n:?} over 1000 checks");
    let (ok, n) = count_allocations(|| {
        (0..1000).all(|_| stun::ours_repr(std::hint::black_box(&request), &key).is_ok())
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "Repr path: {n:?} over 1000 checks");

    // The failure paths must not allocate either (a flood of bad checks is cheap).
    for (what, bad) in stun::tampered(&request) {
        let (res, n) = count_allocations(|| stun::ours(&bad, &key).is_err());
        assert!(res, "{what} accepted");
        assert_eq!(n.allocs, 0, "{what}: {n:?}");
        let (res, n) = count_allocations(|| stun::ours_repr(&bad, &key).is_err());
        assert!(res, "{what} accepted by the Repr path");
        assert_eq!(n.allocs, 0, "{what} (Repr path): {n:?}");
    }
}

/// The counter is not vacuous: the peer's path allocates and is seen doing so.
#[test]
fn peer_allocations_are_counted() {
    let request = stun::binding_request();
    let integrity =
        webrtc_stun::integrity::MessageIntegrity::new_short_term_integrity(PASSWORD.to_owned());
    let (ok, n) = count_allocations(|| stun::webrtc_rs(&request, &integrity).is_ok());
    assert!(ok);
    assert!(n.allocs > 0, "{n:?}");
}
