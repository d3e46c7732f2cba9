//! Runs one side of the STUN case in a loop, for a profiler:
//! `valgrind --tool=callgrind target/release/examples/stun_profile ours 100000`
//! (`ours`, `webrtc-rs` or `webrtc-rs-reused`; the count defaults to 100000).

use std::hint::black_box;

use rtcam_benches::stun::{self, PASSWORD};
use rtcam_stun::Key;
use webrtc_stun::integrity::MessageIntegrity;
use webrtc_stun::message::Message;

fn main() {
    let mut args = std::env::args().skip(1);
    let side = args.next().unwrap_or_else(|| "ours".to_owned());
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let request = stun::binding_request();
    let key = Key::short_term(PASSWORD).expect("ice-chars password");
    let integrity = MessageIntegrity::new_short_term_integrity(PASSWORD.to_owned());
    let mut reused = Message::new();
    let ok = (0..n)
        .filter(|_| match side.as_str() {
            "ours" => stun::ours(black_box(&request), &key).is_ok(),
            "webrtc-rs" => stun::webrtc_rs(black_box(&request), &integrity).is_ok(),
            "webrtc-rs-reused" => {
                stun::webrtc_rs_reused(&mut reused, black_box(&request), &integrity).is_ok()
            }
            other => panic!("unknown side {other}"),
        })
        .count();
    assert_eq!(ok, n as usize, "every check must pass");
    println!("{side}: {n} checks passed");
}
