//! TURN: ChannelData wrap and unwrap of a 1200-byte media packet, rtcam against
//! webrtc-rs. `cargo bench -p rtcam-benches --bench turn`.
//!
//! What each row does per operation is documented on the functions it calls in
//! `rtcam_benches::turn`: `ours_wrap`, `webrtc_rs_wrap`, `webrtc_rs_wrap_reused`,
//! `ours_unwrap`, `webrtc_rs_unwrap` and `webrtc_rs_unwrap_reused`. Throughput counts the
//! 1200 payload bytes per operation; rtcam's unwrap never reads the payload (it returns a
//! borrowed slice), so its Gbit/s is a rate of packets framed, not of bytes copied.

use std::hint::black_box;

use rtcam_benches::turn::{self, CHANNEL, MESSAGE_LEN, PAYLOAD_LEN};
use rtcam_benches::{Comparison, Config};
use webrtc_turn::proto::chandata::ChannelData as PeerChannelData;

fn main() {
    let cfg = Config::from_env();
    let payload = turn::payload();
    let message = turn::message();
    assert_eq!((payload.len(), message.len()), (PAYLOAD_LEN, MESSAGE_LEN));
    // Both sides produce the same bytes and the same (channel, payload), and reject the
    // same malformed messages: nothing below can be timing an error path.
    turn::assert_equivalent(&payload, &message);

    // The caller's transmit buffer, reused from packet to packet (a UDP datagram's worth).
    let mut tx = vec![0u8; 1500];
    let mut peer_tx = PeerChannelData::default();
    let mut wrap = Comparison::new(
        format!(
            "TURN: wrap a {PAYLOAD_LEN}-byte SRTP packet into ChannelData (UDP, unpadded: {MESSAGE_LEN} bytes)"
        ),
        &cfg,
    );
    wrap.bytes_per_op(PAYLOAD_LEN as u64)
        .ours("rtcam-turn (into caller buffer)", || {
            let n = turn::ours_wrap(black_box(CHANNEL), black_box(&payload), &mut tx).ok()?;
            Some(black_box(&tx[..n]).len())
        })
        .peer("webrtc-rs turn 0.17 (fresh, as client)", || {
            turn::webrtc_rs_wrap(black_box(CHANNEL), black_box(&payload))
        })
        .peer("webrtc-rs turn 0.17 (reused ChannelData)", || {
            black_box(turn::webrtc_rs_wrap_reused(
                &mut peer_tx,
                black_box(CHANNEL),
                black_box(&payload),
            ))
            .len()
        });
    wrap.print();

    let mut peer_rx = PeerChannelData::default();
    let mut unwrap = Comparison::new(
        format!(
            "TURN: unwrap a received {MESSAGE_LEN}-byte ChannelData into (channel, {PAYLOAD_LEN}-byte payload)"
        ),
        &cfg,
    );
    unwrap
        .bytes_per_op(PAYLOAD_LEN as u64)
        .ours("rtcam-turn (borrowed payload)", || {
            turn::ours_unwrap(black_box(&message))
                .map(|(ch, p)| (ch, black_box(p).len()))
                .ok()
        })
        .peer("webrtc-rs turn 0.17 (fresh, as client)", || {
            turn::webrtc_rs_unwrap(black_box(&message)).ok()
        })
        .peer("webrtc-rs turn 0.17 (reused ChannelData)", || {
            turn::webrtc_rs_unwrap_reused(&mut peer_rx, black_box(&message))
                .map(|(ch, p)| (ch, black_box(p).len()))
                .ok()
        });
    unwrap.print();
}
