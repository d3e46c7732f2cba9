//! The H.264 packetization case outside the bench: every side's packets rebuild the stream,
//! and ours never touches the heap.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_benches::rtp::{self, Ours, Str0m, WebrtcRs};
use rtcam_benches::{assert_counting_active, count_allocations};

#[test]
fn every_side_rebuilds_the_gop() {
    rtp::assert_equivalent(&rtp::gop());
}

/// Packetizing a whole GOP (IDR + 29 P frames) into complete RTP packets: 0 heap
/// allocations, counted on this thread only (the test harness allocates on its own).
#[test]
fn our_gop_makes_zero_allocations() {
    assert_counting_active();
    let gop = rtp::gop();
    let mut ours = Ours::default();
    // Once to rule out any lazy one-time setup, then many times.
    let first = rtp::ours_gop(&mut ours, &gop);
    let (packets, n) = count_allocations(|| {
        (0..20)
            .map(|_| rtp::ours_gop(&mut ours, &gop))
            .sum::<usize>()
    });
    assert_eq!(packets, 20 * first);
    assert_eq!(n.allocs, 0, "{n:?} over 20 GOPs ({packets} packets)");

    // From the encoder's NAL list (made once, outside) as well.
    let nals = rtp::gop_nals(&gop);
    rtp::ours_nals_gop(&mut ours, &nals);
    let (packets, n) = count_allocations(|| {
        (0..20)
            .map(|_| rtp::ours_nals_gop(&mut ours, &nals))
            .sum::<usize>()
    });
    assert_eq!(packets, 20 * first);
    assert_eq!(n.allocs, 0, "NAL list: {n:?} over 20 GOPs");

    // Setting up a sender does not allocate either.
    let (_, n) = count_allocations(Ours::default);
    assert_eq!(n.allocs, 0, "{n:?}");
}

/// The counter is not vacuous: both peers allocate per frame and are seen doing so.
#[test]
fn peer_allocations_are_counted() {
    let gop = rtp::gop();
    let bytes = rtp::gop_bytes(&gop);
    let mut webrtc = WebrtcRs::default();
    let mut str0m = Str0m::default();
    rtp::webrtc_rs_gop(&mut webrtc, &bytes);
    rtp::str0m_gop(&mut str0m, &gop);
    let (_, n) = count_allocations(|| rtp::webrtc_rs_gop(&mut webrtc, &bytes));
    assert!(n.allocs >= gop.len(), "webrtc-rs: {n:?}");
    let (_, n) = count_allocations(|| rtp::str0m_gop(&mut str0m, &gop));
    assert!(n.allocs >= gop.len(), "str0m: {n:?}");
}
