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
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    // A Header is built per packet on the media path: keep it small.
    assert!(size_of::<Header<'_>>() <= 512, "Header grew past 512 bytes");
    // RTCP Reprs borrow their lists: a few words each.
    assert!(
        size_of::<rtcp::Repr<'_>>() <= 128,
        "rtcp::Repr grew past 128 bytes"
    );
}
