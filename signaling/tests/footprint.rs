//! The memory the no_std signaling core takes, printed for the README's footprint table and
//! bounded so growth is a visible decision. Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rtcam_signaling::api::{IceServerList, Request, Response, ServiceError};
use rtcam_signaling::{CandidateBuffer, Metrics, Policy, SigningKey, TokenBucket};

#[test]
fn footprint() {
    let sizes = [
        ("signaling::Policy (metrics included)", size_of::<Policy>()),
        ("signaling::Metrics", size_of::<Metrics>()),
        ("signaling::TokenBucket", size_of::<TokenBucket>()),
        (
            "signaling::CandidateBuffer<10, 16384> (10 viewers)",
            size_of::<CandidateBuffer<10, 16384>>(),
        ),
        ("signaling::SigningKey", size_of::<SigningKey>()),
        ("signaling::api::Request", size_of::<Request<'_>>()),
        ("signaling::api::Response", size_of::<Response<'_>>()),
        (
            "signaling::api::IceServerList",
            size_of::<IceServerList<'_>>(),
        ),
        (
            "signaling::api::ServiceError",
            size_of::<ServiceError<'_>>(),
        ),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    assert!(size_of::<Policy>() <= 1024, "Policy grew past 1 KiB");
    assert!(
        size_of::<CandidateBuffer<10, 16384>>() <= 16384 + 3 * 1024,
        "CandidateBuffer's overhead beside its arena (sender ids of up to 256 bytes) grew past 3 KiB"
    );
}
