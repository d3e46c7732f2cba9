//! The memory a negotiation takes, printed for the README's footprint table and bounded so
//! growth is a visible decision (the KVS C SDK keeps ~840 KB of SDP structs per session).
//! Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rtcam_sdp::{Candidate, Capabilities, Local, Negotiated, Offer, Sdp, Section};

#[test]
fn footprint() {
    let sizes = [
        ("sdp::Sdp (8 media)", size_of::<Sdp<'_>>()),
        ("sdp::Negotiated (8 media)", size_of::<Negotiated<'_>>()),
        ("sdp::Section", size_of::<Section<'_>>()),
        ("sdp::Offer (8 media)", size_of::<Offer>()),
        ("sdp::Candidate", size_of::<Candidate<'_>>()),
        ("sdp::Capabilities", size_of::<Capabilities<'_>>()),
        ("sdp::Local", size_of::<Local<'_>>()),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    assert!(size_of::<Sdp<'_>>() <= 1024, "Sdp grew past 1 KiB");
    assert!(
        size_of::<Negotiated<'_>>() <= 4096,
        "Negotiated grew past 4 KiB"
    );
}
