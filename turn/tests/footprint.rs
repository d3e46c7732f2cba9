//! The memory one TURN allocation takes, printed for the README's footprint table and
//! bounded so growth is a visible decision. Run with `--nocapture` to see the numbers.

use core::mem::size_of;

use rtcam_turn::Client;

/// A zero-sized stand-in: the driver's RNG is usually a handle to the OS source.
struct NoRng;
impl rand_core::RngCore for NoRng {
    fn next_u32(&mut self) -> u32 {
        4
    }
    fn next_u64(&mut self) -> u64 {
        4
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        dest.fill(4);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        dest.fill(4);
        Ok(())
    }
}
impl rand_core::CryptoRng for NoRng {}

#[test]
fn footprint() {
    let sizes = [
        ("turn::Client<_, 8> (default)", size_of::<Client<NoRng>>()),
        ("turn::Client<_, 4>", size_of::<Client<NoRng, 4>>()),
    ];
    for (name, size) in sizes {
        println!("footprint {name}: {size} bytes ({} bit)", usize::BITS);
    }
    // Up to five TURN servers per viewer, ten viewers: 50 allocations must stay small.
    assert!(
        size_of::<Client<NoRng>>() <= 5 * 1024,
        "a TURN client grew past 5 KiB"
    );
}
