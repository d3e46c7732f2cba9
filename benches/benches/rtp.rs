//! H.264 packetization: one second of a 1.2 Mbit/s, 30 fps stream (a GOP of 30 access
//! units) into complete RTP packets of at most 1200 bytes, rtcam against webrtc-rs and
//! str0m. `cargo bench -p rtcam-benches --bench rtp`.
//!
//! The workload and what each row does per packet are documented in `rtcam_benches::rtp`.
//! One operation is the whole GOP; a second table divides it per frame and per packet.
//! Rows 2 and 5 are context (ours without the Annex-B scan; a bare-copy floor).

use std::fmt::Write as _;
use std::hint::black_box;

use rtcam_benches::rtp::{self, FPS, Floor, GOP_BYTES, IDR_BYTES, MTU, Ours, Str0m, WebrtcRs};
use rtcam_benches::{Comparison, Config, Row, describe_ratio};

const OURS: &str = "rtcam-rtp (payloader + Header::emit)";
const OURS_NALS: &str = "rtcam-rtp (NAL list from encoder)";
const FLOOR: &str = "floor: header + memcpy, no H.264";
const WEBRTC: &str = "webrtc-rs rtp 0.17 (packetize + marshal)";
const STR0M: &str = "str0m 0.25 (packetize + header + copy)";

fn main() {
    let cfg = Config::from_env();
    let gop = rtp::gop();
    // Every side's packets rebuild the stream exactly: nothing below times a broken path.
    rtp::assert_equivalent(&gop);
    let gop_bytes = rtp::gop_bytes(&gop);
    let gop_nals = rtp::gop_nals(&gop);
    // Packets per GOP, row by row (the peers send no AUDs: one packet less per frame).
    let packets = [
        rtp::ours_gop(&mut Ours::default(), &gop),
        rtp::ours_nals_gop(&mut Ours::default(), &gop_nals),
        rtp::webrtc_rs_gop(&mut WebrtcRs::default(), &gop_bytes),
        rtp::str0m_gop(&mut Str0m::default(), &gop),
        rtp::floor_gop(&mut Floor::default(), &gop),
    ];

    let mut ours = Ours::default();
    let mut ours_nals = Ours::default();
    let mut webrtc = WebrtcRs::default();
    let mut str0m = Str0m::default();
    let mut floor = Floor::default();

    let mut cmp = Comparison::new(
        format!(
            "RTP: H.264 packetization of one GOP (1 s at 1.2 Mbit/s, {FPS} frames, IDR {IDR_BYTES} B) into packets of <= {MTU} B"
        ),
        &cfg,
    );
    cmp.bytes_per_op(GOP_BYTES as u64);
    cmp.ours(OURS, || rtp::ours_gop(&mut ours, black_box(&gop)))
        .peer(OURS_NALS, || {
            rtp::ours_nals_gop(&mut ours_nals, black_box(&gop_nals))
        })
        .peer(WEBRTC, || {
            rtp::webrtc_rs_gop(&mut webrtc, black_box(&gop_bytes))
        })
        .peer(STR0M, || rtp::str0m_gop(&mut str0m, black_box(&gop)))
        .peer(FLOOR, || rtp::floor_gop(&mut floor, black_box(&gop)));
    cmp.print();
    println!("{}", per_frame_and_packet(&cmp, &packets));
}

/// The GOP rows divided per frame and per packet (each side's own packet count: the peers
/// drop the access unit delimiters rtcam sends, one small packet per frame).
fn per_frame_and_packet(cmp: &Comparison, packets: &[usize]) -> String {
    let mut out = String::new();
    let name_w = cmp
        .rows()
        .iter()
        .map(|r| r.name.chars().count())
        .chain([14])
        .max()
        .unwrap_or(14);
    let _ = writeln!(
        out,
        "== per frame (GOP / {FPS}) and per packet (GOP / packets per GOP) =="
    );
    let _ = writeln!(
        out,
        "{:<name_w$}  {:>9}  {:>9}  {:>11}  {:>12}  {:>13}  vs ours (per frame)",
        "implementation", "ns/frame", "ns/packet", "packets/GOP", "allocs/frame", "allocs/packet"
    );
    let base = cmp.baseline().map(|r| r.measurement.median_ns);
    for (r, &n) in cmp.rows().iter().zip(packets) {
        let Row {
            name,
            ours,
            measurement: m,
        } = r;
        let vs = match (ours, base) {
            (true, _) => "baseline".to_owned(),
            (false, Some(b)) => describe_ratio(m.median_ns / b),
            (false, None) => "-".to_owned(),
        };
        let _ = writeln!(
            out,
            "{:<name_w$}  {:>9.1}  {:>9.1}  {:>11}  {:>12.2}  {:>13.2}  {}",
            name,
            m.median_ns / FPS as f64,
            m.median_ns / n as f64,
            n,
            m.allocs_per_op / FPS as f64,
            m.allocs_per_op / n as f64,
            vs
        );
    }
    out
}
