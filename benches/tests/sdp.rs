//! The SDP case outside the bench: both implementations parse the offer alike and write
//! the same answer, and ours never touches the heap.

use std::hint::black_box;

use rtcam_benches::sdp::{self, ANSWER_CAPACITY, OFFER, PeerLocal};
use rtcam_benches::{assert_counting_active, count_allocations};

#[test]
fn both_sides_parse_alike_and_write_the_same_answer() {
    sdp::assert_equivalent();
}

/// Parse, and parse + answer + write: 0 heap allocations, counted on this thread only
/// (the test harness allocates on its own threads).
#[test]
fn sdp_makes_zero_allocations() {
    assert_counting_active();
    let local = sdp::local();
    let mut buf = [0u8; ANSWER_CAPACITY];
    // Once to rule out any lazy one-time setup, then many times.
    assert!(sdp::ours_answer(OFFER, &local, &mut buf).is_ok());
    let (ok, n) = count_allocations(|| {
        (0..100).all(|_| sdp::ours_parse(black_box(OFFER)).is_ok_and(|s| s.media_count() == 3))
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "parse: {n:?} over 100 offers");
    let (ok, n) = count_allocations(|| {
        (0..100).all(|_| sdp::ours_answer(black_box(OFFER), &local, &mut buf).is_ok())
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "parse + answer + write: {n:?} over 100 offers");

    // Refusals do not allocate either: a malformed offer, an answer that does not fit.
    let broken = OFFER.replace("a=rtpmap:108 H264/90000", "a=rtpmap:108 H264/ninety");
    let (res, n) = count_allocations(|| sdp::ours_answer(&broken, &local, &mut buf).is_err());
    assert!(res, "malformed rtpmap accepted");
    assert_eq!(n.allocs, 0, "malformed offer: {n:?}");
    let mut small = [0u8; 512];
    let (res, n) = count_allocations(|| sdp::ours_answer(OFFER, &local, &mut small).is_err());
    assert!(res, "answer fitted in 512 bytes");
    assert_eq!(n.allocs, 0, "short buffer: {n:?}");
}

/// The counter is not vacuous: the peer's paths allocate and are seen doing so.
#[test]
fn peer_allocations_are_counted() {
    let (ok, n) = count_allocations(|| sdp::webrtc_rs_parse(OFFER).is_ok());
    assert!(ok);
    assert!(n.allocs > 0, "{n:?}");
    let peer_local = PeerLocal::new();
    let (ok, n) = count_allocations(|| sdp::webrtc_rs_answer(OFFER, &peer_local).is_ok());
    assert!(ok);
    assert!(n.allocs > 0, "{n:?}");
}
