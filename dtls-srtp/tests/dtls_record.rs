//! Record protection (AES-GCM, RFC 5288 in DTLS) and the anti-replay window. The decryption of
//! real OpenSSL records is in dtls_prf.rs; these are the local rules.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_dtls_srtp::dtls::Error;
use rtcam_dtls_srtp::dtls::record_crypto::{
    Aead, OVERHEAD, PLAINTEXT_OFFSET, RecordProtection, TAG_LEN,
};
use rtcam_dtls_srtp::dtls::replay::{ReplayWindow, WINDOW};
use rtcam_dtls_srtp::dtls::wire::*;

fn header(seq: u64) -> RecordHeader {
    RecordHeader {
        content_type: ContentType::APPLICATION_DATA,
        version: ProtocolVersion::DTLS1_2,
        epoch: 1,
        sequence: seq,
        length: 0,
    }
}

fn pair(aead: Aead) -> (RecordProtection, RecordProtection) {
    let kb: Vec<u8> = (0..aead.key_block_len() as u8).collect();
    RecordProtection::from_key_block(aead, &kb).unwrap()
}

fn seal(p: &RecordProtection, seq: u64, msg: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; PLAINTEXT_OFFSET + msg.len() + TAG_LEN];
    buf[PLAINTEXT_OFFSET..PLAINTEXT_OFFSET + msg.len()].copy_from_slice(msg);
    let n = p.seal(&header(seq), &mut buf, msg.len()).unwrap();
    assert_eq!(n, buf.len());
    buf
}

#[test]
fn seal_open_round_trip() {
    for aead in [Aead::Aes128Gcm, Aead::Aes256Gcm] {
        let (client, _server) = pair(aead);
        for len in [0usize, 1, 15, 16, 17, 1200] {
            let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let mut rec = seal(&client, 77, &msg);
            let mut recs = Records::new(&rec);
            let r = recs.next().unwrap().unwrap();
            assert_eq!(r.header.sequence, 77);
            assert_eq!(r.fragment.len(), len + OVERHEAD);
            assert_eq!(
                &r.fragment[..8],
                &epoch_sequence(1, 77),
                "explicit nonce = epoch ‖ seq"
            );
            let h = r.header;
            let plain = client.open(&h, &mut rec[RECORD_HEADER_LEN..]).unwrap();
            assert_eq!(plain, &msg[..]);
        }
    }
}

#[test]
fn tampering_fails() {
    let (client, server) = pair(Aead::Aes128Gcm);
    let rec = seal(&client, 5, b"secret media keys");
    let (h, _) = RecordHeader::parse(&rec).unwrap();
    // Wrong direction's keys.
    assert_eq!(
        server.open(&h, &mut rec.clone()[13..]).unwrap_err(),
        Error::AuthenticationFailed
    );
    // Every single bit flip of the fragment.
    for i in 13..rec.len() {
        let mut bad = rec.clone();
        bad[i] ^= 0x01;
        assert_eq!(
            client.open(&h, &mut bad[13..]).unwrap_err(),
            Error::AuthenticationFailed,
            "byte {i}"
        );
    }
    // Header fields are authenticated (additional data).
    for bad_h in [
        RecordHeader { sequence: 6, ..h },
        RecordHeader { epoch: 2, ..h },
        RecordHeader {
            content_type: ContentType::HANDSHAKE,
            ..h
        },
        RecordHeader {
            version: ProtocolVersion::DTLS1_0,
            ..h
        },
    ] {
        assert_eq!(
            client.open(&bad_h, &mut rec.clone()[13..]).unwrap_err(),
            Error::AuthenticationFailed
        );
    }
    // Truncated fragments.
    for cut in 13..rec.len() {
        let mut short = rec[..cut].to_vec();
        assert_eq!(
            client.open(&h, &mut short[13..]).unwrap_err(),
            Error::AuthenticationFailed
        );
    }
}

#[test]
fn key_and_buffer_errors() {
    assert_eq!(
        RecordProtection::new(Aead::Aes128Gcm, &[0; 32], &[0; 4]).unwrap_err(),
        Error::BadKeyLength
    );
    assert_eq!(
        RecordProtection::new(Aead::Aes256Gcm, &[0; 32], &[0; 12]).unwrap_err(),
        Error::BadKeyLength
    );
    assert_eq!(
        RecordProtection::from_key_block(Aead::Aes128Gcm, &[0; 39]).unwrap_err(),
        Error::BadKeyLength
    );
    assert_eq!(
        Aead::for_suite(CipherSuite(0x1301)).unwrap_err(),
        Error::UnsupportedCipherSuite
    );
    assert_eq!(Aead::Aes128Gcm.key_block_len(), 40);
    assert_eq!(Aead::Aes256Gcm.key_block_len(), 72);
    let (c, _) = pair(Aead::Aes128Gcm);
    let mut buf = [0u8; 40];
    assert_eq!(
        c.seal(&header(1), &mut buf, 4).unwrap_err(),
        Error::BufferTooSmall
    );
    assert_eq!(format!("{c:?}"), "RecordProtection(AES-128-GCM, redacted)");
}

#[test]
fn gcm_known_answer() {
    // GCM spec (McGrew–Viega) test case 3: K = feffe9928665731c6d6a8f9467308308,
    // IV = cafebabefacedbaddecaf888, no AAD. Our nonce is fixed_iv(4) ‖ explicit(8), so
    // fixed_iv = cafebabe and explicit = facedbaddecaf888 = epoch 0xface, seq 0xdbaddecaf888.
    // The AAD is the record's, so only the ciphertext (not the tag) matches the spec.
    let key = hex("feffe9928665731c6d6a8f9467308308");
    let p = RecordProtection::new(Aead::Aes128Gcm, &key, &hex("cafebabe")).unwrap();
    let pt = hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
         1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
    );
    let h = RecordHeader {
        epoch: 0xface,
        sequence: 0xdbad_deca_f888,
        ..header(0)
    };
    let mut buf = vec![0u8; PLAINTEXT_OFFSET + pt.len() + TAG_LEN];
    buf[PLAINTEXT_OFFSET..PLAINTEXT_OFFSET + pt.len()].copy_from_slice(&pt);
    p.seal(&h, &mut buf, pt.len()).unwrap();
    assert_eq!(
        buf[PLAINTEXT_OFFSET..PLAINTEXT_OFFSET + pt.len()].to_vec(),
        hex(
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
             21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985"
        )
    );
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn replay_window() {
    let mut w = ReplayWindow::new(1);
    // In order.
    for s in 0..10 {
        assert!(w.check(1, s));
        assert!(w.accept(1, s));
    }
    // Duplicate.
    assert!(!w.check(1, 9));
    assert!(!w.accept(1, 5));
    // Reordered within the window.
    assert!(w.accept(1, 20));
    for s in (10..20).rev() {
        assert!(w.accept(1, s), "{s}");
        assert!(!w.check(1, s));
    }
    // Too old.
    assert!(w.accept(1, 200));
    assert!(!w.check(1, 200 - WINDOW));
    assert!(w.check(1, 200 - WINDOW + 1));
    // Huge jump: everything before falls out, the new top is recorded.
    assert!(w.accept(1, MAX_SEQUENCE));
    assert!(!w.check(1, MAX_SEQUENCE));
    assert!(w.check(1, MAX_SEQUENCE - 1));
    assert!(!w.check(1, 201));
    assert_eq!(w.highest(), Some(MAX_SEQUENCE));
    // Wrong epoch.
    assert!(!w.check(2, 0));
    assert!(!w.check(0, MAX_SEQUENCE - 1));
    w.set_epoch(2);
    assert!(w.check(2, 0));
    assert!(!w.check(1, 0));
}
