//! SRTP/SRTCP unprotect of arbitrary input with fixed keys, every profile; and protect of
//! whatever parses as RTP/RTCP, which must unprotect back to the same bytes.
//!
//! The first byte picks the profile and the direction mix; the rest is the packet. Each
//! input runs against a fresh receiver and a receiver that has already accepted packets,
//! so the replay window and ROC paths are reached too. Never panics; never accepts a
//! packet it did not protect itself (the fuzzer cannot forge tags).

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_dtls_srtp::srtp::{Context, Profile};

fuzz_target!(|data: &[u8]| run(data));

fn context(profile: Profile) -> Context<4> {
    let key: Vec<u8> = (0..profile.master_key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.master_salt_len() as u8).rev().collect();
    Context::new(profile, &key, &salt).expect("valid key sizes")
}

fn run(data: &[u8]) {
    let Some((&selector, packet)) = data.split_first() else {
        return;
    };
    let profile = Profile::ALL[usize::from(selector) % Profile::ALL.len()];
    let rtcp = selector & 0x80 != 0;

    // Arbitrary bytes into a receiver: only errors or, never, a forged acceptance.
    let mut rx = context(profile);
    let mut buf = packet.to_vec();
    let accepted = if rtcp {
        rx.unprotect_rtcp(&mut buf)
    } else {
        rx.unprotect_rtp(&mut buf)
    };
    assert!(accepted.is_err(), "accepted an unauthenticated packet");

    // Whatever our sender accepts as RTP/RTCP comes back unchanged.
    let mut tx = context(profile);
    let mut rx = context(profile);
    let overhead = if rtcp {
        profile.rtcp_overhead()
    } else {
        profile.rtp_overhead()
    };
    let mut buf = packet.to_vec();
    buf.resize(packet.len() + overhead, 0);
    let protected = if rtcp {
        tx.protect_rtcp(&mut buf, packet.len())
    } else {
        tx.protect_rtp(&mut buf, packet.len())
    };
    if let Ok(n) = protected {
        assert_eq!(n, packet.len() + overhead);
        let mut copy = buf[..n].to_vec();
        let back = if rtcp {
            rx.unprotect_rtcp(&mut copy)
        } else {
            rx.unprotect_rtp(&mut copy)
        };
        let m = back.expect("our own packet authenticates");
        assert_eq!(&copy[..m], packet, "round trip changed the packet");
        // The same packet again is a replay.
        let mut again = buf[..n].to_vec();
        let replay = if rtcp {
            rx.unprotect_rtcp(&mut again)
        } else {
            rx.unprotect_rtp(&mut again)
        };
        assert!(replay.is_err(), "replay accepted");
    }
}
