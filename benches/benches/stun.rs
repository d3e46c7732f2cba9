//! STUN: parse + FINGERPRINT + MESSAGE-INTEGRITY of an ICE connectivity check, rtcam
//! against webrtc-rs. `cargo bench -p rtcam-benches --bench stun`.
//!
//! What each row does per operation is documented on the functions it calls in
//! `rtcam_benches::stun`: `ours`, `ours_repr`, `webrtc_rs` and `webrtc_rs_reused`.

use std::hint::black_box;

use rtcam_benches::stun::{self, PASSWORD, REQUEST_LEN};
use rtcam_benches::{Comparison, Config};
use rtcam_stun::Key;
use webrtc_stun::integrity::MessageIntegrity;
use webrtc_stun::message::Message;

fn main() {
    let cfg = Config::from_env();
    let request = stun::binding_request();
    assert_eq!(request.len(), REQUEST_LEN);
    // Both sides accept this request with the same values and reject tampered copies:
    // nothing below can be timing an error path.
    stun::assert_equivalent(&request, PASSWORD);

    // Key material is prepared once per session on both sides.
    let key = Key::short_term(PASSWORD).expect("ice-chars password");
    let integrity = MessageIntegrity::new_short_term_integrity(PASSWORD.to_owned());
    let mut reused = Message::new();

    let mut cmp = Comparison::new(
        format!(
            "STUN: parse + FINGERPRINT + MESSAGE-INTEGRITY check of a {REQUEST_LEN}-byte ICE Binding request"
        ),
        &cfg,
    );
    cmp.ours("rtcam-stun (Message view)", || {
        stun::ours(black_box(&request), black_box(&key)).is_ok()
    })
    .peer("rtcam-stun (Repr, all decoded)", || {
        stun::ours_repr(black_box(&request), black_box(&key)).is_ok()
    })
    .peer("webrtc-rs stun 0.17 (fresh Message)", || {
        stun::webrtc_rs(black_box(&request), black_box(&integrity)).is_ok()
    })
    .peer("webrtc-rs stun 0.17 (reused Message)", || {
        stun::webrtc_rs_reused(&mut reused, black_box(&request), black_box(&integrity)).is_ok()
    });
    cmp.print();
}
