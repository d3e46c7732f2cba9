//! SRTP/SRTCP: the RFC 3711 key-derivation vectors, round trips for every profile across
//! the sequence-number wrap, replays, tampering, bounds.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use rtcam_dtls_srtp::srtp::{Context, Error, Profile, kdf, split_keying_material};

mod common;
use common::hex;

/// RFC 3711 appendix B.3.
#[test]
fn rfc3711_key_derivation() {
    let key = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
    let salt = hex("0EC675AD498AFEEBB6960B3AABE6");
    let mut enc = [0u8; 16];
    kdf(&key, &salt, 0, &mut enc);
    assert_eq!(enc.to_vec(), hex("C61E7A93744F39EE10734AFE3FF7A087"));
    let mut s = [0u8; 14];
    kdf(&key, &salt, 2, &mut s);
    assert_eq!(s.to_vec(), hex("30CBBC08863D8C85D49DB34A9AE1"));
    let mut auth = [0u8; 20];
    kdf(&key, &salt, 1, &mut auth);
    assert_eq!(
        auth.to_vec(),
        hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4")
    );
}

fn keys(profile: Profile) -> (Vec<u8>, Vec<u8>) {
    let key: Vec<u8> = (0..profile.master_key_len() as u8).collect();
    let salt: Vec<u8> = (0..profile.master_salt_len() as u8)
        .map(|b| b ^ 0xa5)
        .collect();
    (key, salt)
}

fn pair(profile: Profile) -> (Context, Context) {
    let (k, s) = keys(profile);
    (
        Context::new(profile, &k, &s).unwrap(),
        Context::new(profile, &k, &s).unwrap(),
    )
}

fn rtp(seq: u16, ssrc: u32, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x80, 96];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&(u32::from(seq) * 3000).to_be_bytes());
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(payload);
    p
}

fn rtcp(ssrc: u32) -> Vec<u8> {
    // A receiver report with one report block.
    let mut p = vec![0x81, 201, 0, 7];
    p.extend_from_slice(&ssrc.to_be_bytes());
    p.extend_from_slice(&[0x11; 24]);
    p
}

#[test]
fn every_profile_round_trips_across_the_wrap() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile);
        for i in 0..200u32 {
            let seq = (65_500 + i) as u16; // wraps at 65536: ROC 0 -> 1
            let payload: Vec<u8> = (0..(i % 50 + 1) as u8).collect();
            let plain = rtp(seq, 0x1234_5678, &payload);
            let mut buf = plain.clone();
            buf.resize(plain.len() + profile.rtp_overhead(), 0);
            let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
            assert_eq!(n, plain.len() + profile.rtp_overhead());
            assert_eq!(&buf[..12], &plain[..12], "header stays clear");
            if payload.len() > 4 {
                assert_ne!(
                    &buf[12..plain.len()],
                    &plain[12..],
                    "{profile:?} payload encrypted"
                );
            }
            let m = rx.unprotect_rtp(&mut buf[..n]).unwrap();
            assert_eq!(&buf[..m], &plain[..], "{profile:?} seq {seq}");
        }
        for _ in 0..3 {
            let plain = rtcp(0x1234_5678);
            let mut buf = plain.clone();
            buf.resize(plain.len() + profile.rtcp_overhead(), 0);
            let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
            let m = rx.unprotect_rtcp(&mut buf[..n]).unwrap();
            assert_eq!(&buf[..m], &plain[..], "{profile:?} RTCP");
        }
        assert_eq!(rx.stats().authentication_failures, 0);
    }
}

#[test]
fn replays_and_stale_packets_are_rejected() {
    for profile in Profile::ALL {
        let (mut tx, mut rx) = pair(profile);
        let mut sent = Vec::new();
        for seq in 0..100u16 {
            let plain = rtp(seq, 7, b"media");
            let mut buf = plain.clone();
            buf.resize(plain.len() + profile.rtp_overhead(), 0);
            let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
            buf.truncate(n);
            sent.push(buf);
        }
        // Out of order inside the window is fine; a second copy is not.
        rx.unprotect_rtp(&mut sent[50].clone()).unwrap();
        rx.unprotect_rtp(&mut sent[40].clone()).unwrap();
        assert_eq!(
            rx.unprotect_rtp(&mut sent[40].clone()),
            Err(Error::Replayed)
        );
        rx.unprotect_rtp(&mut sent[99].clone()).unwrap();
        // 99 - 64 = 35: index 30 is older than the window.
        assert_eq!(
            rx.unprotect_rtp(&mut sent[30].clone()),
            Err(Error::Replayed)
        );
        rx.unprotect_rtp(&mut sent[36].clone()).unwrap();
        assert_eq!(rx.stats().replays, 2);

        let plain = rtcp(7);
        let mut buf = plain.clone();
        buf.resize(plain.len() + profile.rtcp_overhead(), 0);
        let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        rx.unprotect_rtcp(&mut buf.clone()[..n]).unwrap();
        assert_eq!(rx.unprotect_rtcp(&mut buf[..n]), Err(Error::Replayed));
    }
}

#[test]
fn tampering_any_byte_fails_authentication() {
    for profile in Profile::ALL {
        let (mut tx, _) = pair(profile);
        let plain = rtp(1000, 42, b"sixteen byte pay");
        let mut buf = plain.clone();
        buf.resize(plain.len() + profile.rtp_overhead(), 0);
        let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
        for i in 0..n {
            let (_, mut rx) = pair(profile);
            let mut t = buf[..n].to_vec();
            t[i] ^= 0x01;
            let r = rx.unprotect_rtp(&mut t);
            assert!(r.is_err(), "{profile:?}: flip in byte {i} accepted");
        }
        let plain = rtcp(42);
        let mut buf = plain.clone();
        buf.resize(plain.len() + profile.rtcp_overhead(), 0);
        let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        for i in 0..n {
            let (_, mut rx) = pair(profile);
            let mut t = buf[..n].to_vec();
            t[i] ^= 0x01;
            assert!(
                rx.unprotect_rtcp(&mut t).is_err(),
                "{profile:?}: RTCP flip {i} accepted"
            );
        }
    }
}

#[test]
fn a_failed_packet_does_not_move_the_state() {
    let profile = Profile::Aes128CmHmacSha1_80;
    let (mut tx, mut rx) = pair(profile);
    let plain = rtp(10, 1, b"x");
    let mut buf = plain.clone();
    buf.resize(plain.len() + profile.rtp_overhead(), 0);
    let n = tx.protect_rtp(&mut buf, plain.len()).unwrap();
    let mut forged = buf[..n].to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 0xff;
    assert_eq!(
        rx.unprotect_rtp(&mut forged),
        Err(Error::AuthenticationFailed)
    );
    // The genuine packet still goes through: the forgery neither created state nor burned
    // the index in the replay window.
    rx.unprotect_rtp(&mut buf[..n]).unwrap();
    assert_eq!(rx.stats().authentication_failures, 1);
}

#[test]
fn malformed_and_bounds() {
    let profile = Profile::AeadAes128Gcm;
    let (mut tx, mut rx) = pair(profile);
    let plain = rtp(1, 1, b"abc");
    let mut small = plain.clone();
    assert_eq!(
        tx.protect_rtp(&mut small, plain.len()),
        Err(Error::BufferTooSmall)
    );
    for len in 0..28 {
        let mut junk = vec![0x80u8; len];
        assert!(rx.unprotect_rtp(&mut junk).is_err());
        assert!(rx.unprotect_rtcp(&mut junk).is_err());
    }
    // Header extension longer than the packet.
    let mut p = rtp(1, 1, b"");
    p[0] |= 0x10;
    p.extend_from_slice(&[0xbe, 0xde, 0x00, 0x09]);
    let len = p.len();
    p.resize(len + 16, 0);
    assert_eq!(tx.protect_rtp(&mut p, len), Err(Error::Malformed));
    // Wrong key sizes.
    assert!(Context::<4>::new(profile, &[0; 15], &[0; 12]).is_err());
    assert!(Context::<4>::new(Profile::Aes128CmHmacSha1_80, &[0; 16], &[0; 12]).is_err());
}

#[test]
fn the_stream_table_is_bounded() {
    let profile = Profile::Aes128CmHmacSha1_80;
    let (k, s) = keys(profile);
    let mut tx = Context::<2>::new(profile, &k, &s).unwrap();
    let mut rx = Context::<2>::new(profile, &k, &s).unwrap();
    for ssrc in 1..=3u32 {
        let plain = rtp(1, ssrc, b"x");
        let mut buf = plain.clone();
        buf.resize(plain.len() + 10, 0);
        match tx.protect_rtp(&mut buf, plain.len()) {
            Ok(n) => {
                rx.unprotect_rtp(&mut buf[..n]).unwrap();
            }
            Err(e) => {
                assert_eq!((ssrc, e), (3, Error::TooManyStreams));
            }
        }
    }
    assert_eq!(tx.stats().streams_refused, 1);
}

#[test]
fn keying_material_splits_per_rfc5764() {
    let profile = Profile::Aes128CmHmacSha1_80;
    let material: Vec<u8> = (0..60).collect();
    let (client, server) = split_keying_material(profile, &material).unwrap();
    assert_eq!(client.key, &material[0..16]);
    assert_eq!(server.key, &material[16..32]);
    assert_eq!(client.salt, &material[32..46]);
    assert_eq!(server.salt, &material[46..60]);
    assert!(split_keying_material(profile, &material[..59]).is_err());
    assert_eq!(format!("{client:?}"), "MasterKey(redacted)");
}
