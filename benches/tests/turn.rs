//! The TURN case outside the bench: both implementations agree, and ours never touches
//! the heap.

use std::hint::black_box;

use rtcam_benches::turn::{self, BAD_CHANNEL, CHANNEL, MESSAGE_LEN};
use rtcam_benches::{assert_counting_active, count_allocations};
use webrtc_turn::proto::chandata::ChannelData as PeerChannelData;

#[test]
fn both_sides_agree_and_reject_malformed_messages() {
    turn::assert_equivalent(&turn::payload(), &turn::message());
}

/// Wrap into a reused buffer and unwrap with a borrowed payload: 0 heap allocations,
/// counted on this thread only (the test harness allocates on its own threads).
#[test]
fn channel_data_wrap_and_unwrap_make_zero_allocations() {
    assert_counting_active();
    let payload = turn::payload();
    let message = turn::message();
    let mut tx = [0u8; 1500];
    // Once to rule out any lazy one-time setup, then many times.
    assert_eq!(turn::ours_wrap(CHANNEL, &payload, &mut tx), Ok(MESSAGE_LEN));
    let (ok, n) = count_allocations(|| {
        (0..1000).all(|_| {
            turn::ours_wrap(CHANNEL, black_box(&payload), black_box(&mut tx)) == Ok(MESSAGE_LEN)
        })
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "wrap: {n:?} over 1000 packets");
    assert_eq!(&tx[..MESSAGE_LEN], message.as_slice());

    let (ok, n) = count_allocations(|| {
        (0..1000)
            .all(|_| turn::ours_unwrap(black_box(&message)) == Ok((CHANNEL, payload.as_slice())))
    });
    assert!(ok);
    assert_eq!(n.allocs, 0, "unwrap: {n:?} over 1000 packets");

    // The failure paths must not allocate either (a flood of junk is cheap).
    let (res, n) = count_allocations(|| turn::ours_wrap(BAD_CHANNEL, &payload, &mut tx).is_err());
    assert!(res, "wrap on channel {BAD_CHANNEL:#06x} accepted");
    assert_eq!(n.allocs, 0, "wrap on a bad channel: {n:?}");
    for (what, bad) in turn::malformed(&message) {
        let (res, n) = count_allocations(|| turn::ours_unwrap(&bad).is_err());
        assert!(res, "{what} accepted");
        assert_eq!(n.allocs, 0, "{what}: {n:?}");
    }
}

/// The counter is not vacuous: the peer's paths allocate and are seen doing so.
#[test]
fn peer_allocations_are_counted() {
    let payload = turn::payload();
    let message = turn::message();
    let (cd, n) = count_allocations(|| turn::webrtc_rs_wrap(CHANNEL, &payload));
    assert_eq!(cd.raw, message);
    assert!(n.allocs > 0, "wrap: {n:?}");
    let (cd, n) = count_allocations(|| turn::webrtc_rs_unwrap(&message));
    assert!(cd.is_ok());
    assert!(n.allocs > 0, "unwrap: {n:?}");
    // Even with the struct reused, `decode` copies the payload into a fresh `Vec`.
    let mut reused = PeerChannelData::default();
    assert!(turn::webrtc_rs_unwrap_reused(&mut reused, &message).is_ok());
    let (ok, n) =
        count_allocations(|| turn::webrtc_rs_unwrap_reused(&mut reused, &message).is_ok());
    assert!(ok);
    assert!(n.allocs > 0, "unwrap (reused): {n:?}");
}

/// Pins the differences documented in `rtcam_benches::turn`: webrtc-rs's `encode`
/// validates nothing, and its `decode` takes RFC 5766's channel range and any trailing
/// bytes; ours refuses all three.
#[test]
fn documented_differences_hold() {
    let payload = turn::payload();
    let mut tx = [0u8; 1500];
    assert!(turn::ours_wrap(BAD_CHANNEL, &payload, &mut tx).is_err());
    assert_eq!(
        turn::webrtc_rs_wrap(BAD_CHANNEL, &payload).raw[..2],
        BAD_CHANNEL.to_be_bytes()
    );

    let reserved = turn::message_for(0x5000, &payload);
    assert!(turn::ours_unwrap(&reserved).is_err());
    assert!(turn::webrtc_rs_unwrap(&reserved).is_ok());

    let mut trailing = turn::message();
    trailing.extend_from_slice(&[0; 4]);
    assert!(turn::ours_unwrap(&trailing).is_err());
    assert!(turn::webrtc_rs_unwrap(&trailing).is_ok());
}
