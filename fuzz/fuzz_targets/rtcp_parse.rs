//! Arbitrary bytes into the RTCP parser: the compound check, the lenient iterator, every
//! packet type's Repr, and the emit → re-parse round trip.
//!
//! Properties checked (beyond "never panics"):
//! - `Compound::new_checked` accepts exactly when the lenient iterator covers the whole
//!   datagram (plus the first-packet rule), and both yield the same packets;
//! - every packet whose Repr parses emits into an exactly sized buffer (not one byte
//!   less), never larger than it came in, and re-parses to an equal Repr; the second emit
//!   is byte-identical;
//! - list accessors (report blocks, NACK lost numbers, SDES items, TWCC statuses and
//!   arrival times) iterate without panicking and agree with their lengths.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_rtp::Error;
use rtcam_rtp::rtcp::{Compound, CompoundIter, Packet, Repr, packet_type};

fuzz_target!(|data: &[u8]| check(data));

fn check(data: &[u8]) {
    let lenient: Vec<Packet<&[u8]>> = CompoundIter::new(data).collect();
    let covered: usize = lenient.iter().map(|p| p.total_len()).sum();
    match Compound::new_checked(data) {
        Ok(c) => {
            assert_eq!(covered, data.len());
            assert!(c.packets().eq(lenient.iter().copied()));
            let first = lenient.first().expect("non-empty").packet_type();
            assert_eq!(
                c.is_reduced_size(),
                !matches!(first, packet_type::SR | packet_type::RR)
            );
        }
        Err(_) => {
            let first_ok = lenient.first().is_some_and(|p| {
                matches!(
                    p.packet_type(),
                    packet_type::SR | packet_type::RR | packet_type::RTPFB | packet_type::PSFB
                )
            });
            assert!(covered != data.len() || data.is_empty() || !first_ok);
        }
    }
    for p in &lenient {
        packet(p);
    }
}

fn packet(p: &Packet<&[u8]>) {
    assert!(p.body().len() + p.padding_len() + 4 == p.total_len());
    let repr = match Repr::parse(p) {
        Ok(r) => r,
        Err(_) => return,
    };
    walk(&repr);
    let n = repr.buffer_len();
    assert_eq!(n % 4, 0);
    assert!(
        n <= p.total_len(),
        "emit grew the packet: {} -> {n}",
        p.total_len()
    );
    let mut out = vec![0u8; n];
    assert_eq!(
        repr.emit(&mut out),
        Ok(n),
        "parsed packet does not emit: {repr:?}"
    );
    assert_eq!(
        repr.emit(&mut out.clone()[..n - 1]),
        Err(Error::BufferTooSmall { needed: n })
    );
    let again = Repr::parse_bytes(&out).unwrap_or_else(|e| panic!("re-parse: {e:?}\n{repr:?}"));
    assert_eq!(again, repr);
    let mut second = vec![0u8; n];
    assert_eq!(again.emit(&mut second), Ok(n));
    assert_eq!(second, out, "second emit differs");
}

fn walk(repr: &Repr<'_>) {
    match repr {
        Repr::SenderReport(sr) => assert_eq!(sr.reports.iter().count(), sr.reports.len()),
        Repr::ReceiverReport(rr) => assert_eq!(rr.reports.iter().count(), rr.reports.len()),
        Repr::Sdes(s) => {
            let mut n = 0;
            for c in s.chunks.iter() {
                n += 1;
                for i in c.items.iter() {
                    assert!(i.kind != 0 && i.text.len() <= 255);
                }
                let _ = c.cname();
            }
            assert_eq!(n, s.chunks.len());
        }
        Repr::Bye(b) => assert_eq!(b.sources.iter().count(), b.sources.len()),
        Repr::Nack(n) => assert!(n.lost().count() >= n.pairs.len()),
        Repr::TransportFeedback(t) => {
            assert_eq!(t.statuses.iter().count(), t.statuses.len());
            assert_eq!(t.arrivals().count(), t.statuses.len());
        }
        Repr::Fir(f) => assert_eq!(f.entries.iter().count(), f.entries.len()),
        Repr::Remb(r) => assert_eq!(r.ssrcs.iter().count(), r.ssrcs.len()),
        _ => {}
    }
}
