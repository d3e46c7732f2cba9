//! SDP: parsing Chromium's viewer offer, and answering it as a camera, rtcam against
//! webrtc-rs. `cargo bench -p rtcam-benches --bench sdp`.
//!
//! What each row does per operation is documented on the functions it calls in
//! `rtcam_benches::sdp`: `ours_parse`, `webrtc_rs_parse`, `ours_answer`,
//! `webrtc_rs_answer` and `webrtc_rs_answer_media_engine`. Every answer row writes the
//! same answer, byte for byte (checked before anything is timed).

use std::hint::black_box;

use rtcam_benches::sdp::{self, ANSWER_CAPACITY, OFFER, PeerLocal};
use rtcam_benches::{Comparison, Config};

fn main() {
    let cfg = Config::from_env();
    // Both sides parse the offer to the same sections and write the same answer: nothing
    // below can be timing an error path or a different amount of output.
    sdp::assert_equivalent();

    let mut parse = Comparison::new(
        format!(
            "SDP: parse Chromium 156's {}-byte viewer offer (3 m-lines, 34 video + 8 audio payload types)",
            OFFER.len()
        ),
        &cfg,
    );
    parse
        .ours("rtcam-sdp (Sdp::parse, borrowed view)", || {
            sdp::ours_parse(black_box(OFFER))
                .map(|s| s.media_count())
                .ok()
        })
        .peer("webrtc-rs sdp 0.17 (unmarshal)", || {
            sdp::webrtc_rs_parse(black_box(OFFER)).ok()
        });
    parse.print();

    // Prepared once per session on both sides.
    let local = sdp::local();
    let peer_local = PeerLocal::new();
    // The caller's answer buffer, reused from negotiation to negotiation.
    let mut buf = vec![0u8; ANSWER_CAPACITY];
    let answer_len = sdp::ours_answer(OFFER, &local, &mut buf)
        .expect("rtcam answers")
        .0
        .len();
    let mut answer = Comparison::new(
        format!(
            "SDP: parse the offer + negotiate as a camera + write the {answer_len}-byte answer"
        ),
        &cfg,
    );
    answer
        .ours("rtcam-sdp (into caller buffer)", || {
            sdp::ours_answer(black_box(OFFER), black_box(&local), &mut buf)
                .map(|(text, remote)| (black_box(text).len(), remote.ice_ufrag.len()))
                .ok()
        })
        .peer("webrtc-rs sdp 0.17 (one attribute pass)", || {
            sdp::webrtc_rs_answer(black_box(OFFER), black_box(&peer_local)).ok()
        })
        .peer("webrtc-rs sdp 0.17 (codecs as webrtc reads them)", || {
            sdp::webrtc_rs_answer_media_engine(black_box(OFFER), black_box(&peer_local)).ok()
        });
    answer.print();
}
