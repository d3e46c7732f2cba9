//! The memory the RTP/RTCP types take, printed for the README's footprint table and
//! bounded so growth is a visible decision. Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rtcam_rtp::rtcp;
use rtcam_rtp::{Element, Extension, ExtensionMap, Header, Packet};

#[test]
fn footprint() {
    let sizes = [
        ("rtp::Packet<&[u8]>", size_of::<Packet<&[u8]>>()),
        ("rtp::Header", size_of::<Header<'_>>()),
        ("rtp::Extension", size_of::<Extension<'_>>()),
        ("rtp::Element", size_of::<Element<'_>>()),
        ("rtp::ExtensionMap", size_of::<ExtensionMap>()),
        ("rtcp::Packet<&[u8]>", size_of::<rtcp::Packet<&[u8]>>()),
        ("rtcp::Repr", size_of::<rtcp::Repr<'_>>()),
        ("rtcp::SenderReport", size_of::<rtcp::SenderReport<'_>>()),
        (
            "rtcp::TransportFeedback",
            size_of::<rtcp::TransportFeedback<'_>>(),
        ),
        ("rtcp::ReportBlock", size_of::<rtcp::ReportBlock>()),
        (
            "sender::Sender<65536, 64> (ring included)",
            size_of::<rtcam_rtp::sender::Sender<65_536, 64>>(),
        ),
        (
            "sender::RetransmissionRing<65536, 64>",
            size_of::<rtcam_rtp::sender::RetransmissionRing<65_536, 64>>(),
        ),
        // Receiving 720p (~1.5 Mbit/s): 128 KiB holds a ~100 KiB keyframe plus 200 ms of
        // P frames, 256 slots ~1.6 s of packets; ~140 KiB in all, what the KVS SDK spends
        // per transceiver. 1080p at 4 Mbit/s wants <512, 262_144>.
        (
            "receiver::JitterBuffer<256, 131072> (720p video)",
            size_of::<rtcam_rtp::receiver::JitterBuffer<256, 131_072>>(),
        ),
        (
            "receiver::JitterBuffer<64, 16384> (audio)",
            size_of::<rtcam_rtp::receiver::JitterBuffer<64, 16_384>>(),
        ),
        (
            "receiver::TwccRecorder<256>",
            size_of::<rtcam_rtp::receiver::TwccRecorder<256>>(),
        ),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    // A Header is built per packet on the media path: keep it small.
    assert!(size_of::<Header<'_>>() <= 512, "Header grew past 512 bytes");
    // The 720p receiver stays near the KVS SDK's per-transceiver budget.
    assert!(
        size_of::<rtcam_rtp::receiver::JitterBuffer<256, 131_072>>() <= 150 * 1024,
        "JitterBuffer<256, 131072> grew past 150 KiB"
    );
    // RTCP Reprs borrow their lists: a few words each.
    assert!(
        size_of::<rtcp::Repr<'_>>() <= 128,
        "rtcp::Repr grew past 128 bytes"
    );
}
