//! The memory the STUN types take, printed for the README's footprint table and bounded so
//! growth is a visible decision. Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rtcam_stun::{Attributes, Key, Message, MessageBuilder, Repr};

#[test]
fn footprint() {
    let sizes = [
        ("stun::Message<&[u8]>", size_of::<Message<&[u8]>>()),
        ("stun::Repr", size_of::<Repr<'_>>()),
        ("stun::Attributes", size_of::<Attributes<'_>>()),
        ("stun::Key", size_of::<Key<'_>>()),
        ("stun::MessageBuilder", size_of::<MessageBuilder<'_>>()),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    // Repr lives on the stack of whoever handles a datagram: keep it small.
    assert!(size_of::<Repr<'_>>() <= 1024, "Repr grew past 1 KiB");
    assert!(size_of::<Key<'_>>() <= 256, "Key grew past 256 bytes");
}
