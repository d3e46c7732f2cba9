//! The memory one SRTP direction and one DTLS endpoint take, printed for the README's footprint table and
//! bounded so growth is a visible decision. Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rand_core::OsRng;
use rtcam_dtls_srtp::dtls::{Endpoint, cert::Identity};
use rtcam_dtls_srtp::srtp::Context;

#[test]
fn footprint() {
    let sizes = [
        ("srtp::Context<8> (default)", size_of::<Context>()),
        ("srtp::Context<2>", size_of::<Context<2>>()),
        (
            "dtls::Endpoint<OsRng> (handshake + records)",
            size_of::<Endpoint<OsRng>>(),
        ),
        ("dtls::cert::Identity", size_of::<Identity>()),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    // Two directions per viewer, ten viewers: keep one direction under 4 KiB.
    assert!(
        size_of::<Context>() <= 4096,
        "an SRTP context grew past 4 KiB"
    );
    // One per viewer: keep a DTLS endpoint under 16 KiB.
    assert!(
        size_of::<Endpoint<OsRng>>() <= 16 * 1024,
        "a DTLS endpoint grew past 16 KiB"
    );
}
