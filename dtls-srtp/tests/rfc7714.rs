//! RFC 7714 test vectors: §16 (SRTP, AEAD_AES_128_GCM and AEAD_AES_256_GCM) and §17
//! (SRTCP). The RFC states *session* keys and salts, so the contexts are built with
//! [`Context::from_session_keys`]; `from_session_keys_is_new_without_the_kdf` pins that
//! this is the same transform `Context::new` sets up after key derivation.
//!
//! Every §16/§17 vector shares the key 00 01 .. 0f (128-bit) or 00 01 .. 1f (256-bit) and
//! the salt 51756964 2070726f 2071756f ("Quid pro quo").

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use rtcam_dtls_srtp::srtp::{Context, Error, Profile, SessionKeys, kdf};

mod common;
use common::hex;

const KEY_128: &str = "000102030405060708090a0b0c0d0e0f";
const KEY_256: &str = "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f";
const SALT: &str = "517569642070726f2071756f";

/// §16.1.1/§16.2.1 "Encrypting the following packet": SSRC 5501a0b2, SEQ f17b, ROC 0
/// (IV 51753c65 80c2726f 20718414; AAD is the 12-octet header), payload "Gallia est omnis
/// divisa in partes tres".
const RTP: &str = "8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973
                   20646976 69736120 696e2070 61727465 73207472 6573";

/// §16.1.1 "Encrypted and tagged packet" (AEAD_AES_128_GCM); §16.1.2 decrypts it.
const SRTP_128: &str = "8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca
                        be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1
                        6a9152cf 765ee439 0cce";

/// §16.2.1 "Encrypted and tagged packet" (AEAD_AES_256_GCM); §16.2.2 decrypts it.
const SRTP_256: &str = "8040f17b 8041f8d3 5501a0b2 32b1de78 a822fe12 ef9f78fa 332e33aa
                        b1801238 9a58e2f3 b50b2a02 76ffae0f 1ba63799 b87b7aa3 db36dfff
                        d6b0f9bb 7878d7a7 6c13";

/// §17.1-§17.4 plaintext SRTCP packet: a sender report from SSRC 4d617273 ("Mars").
const RTCP: &str = "81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930
                    4c756e61 deadbeef deadbeef deadbeef deadbeef deadbeef";

/// Every §17 vector uses SRTCP index 000005d4 (IV 51752405 5203726f 207170bb).
const SRTCP_INDEX: u32 = 0x5d4;

/// §17.1 "Encrypted and tagged packet" (AEAD_AES_128_GCM, E = 1): AAD 81c8000d 4d617273
/// 800005d4, then ciphertext || tag || E||index.
const SRTCP_128: &str = "81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7
                         6c06f32d c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458
                         96cf4d2f c5abf872 45d9eade 800005d4";

/// §17.2 "Decrypting the following packet" (AEAD_AES_256_GCM, E = 1).
const SRTCP_256: &str = "81c8000d 4d617273 d50ae4d1 f5ce5d30 4ba297e4 7d470c28 2c3ece5d
                         bffe0a50 a2eaa5c1 110555be 8415f658 c61de047 6f1b6fad 1d1eb30c
                         4446839f 57ff6f6c b26ac3be 800005d4";

/// §17.3 (AEAD_AES_128_GCM) and §17.4 (AEAD_AES_256_GCM): tagged only (E = 0), the
/// plaintext packet followed by these tags and 000005d4.
const SRTCP_128_TAG_ONLY: &str = "841dd968 3dd78ec9 2ae58790 125f62b3";
const SRTCP_256_TAG_ONLY: &str = "91db4afb feee5a97 8fab4393 ed2615fe";

fn context(profile: Profile) -> Context {
    let key = hex(if profile == Profile::AeadAes256Gcm {
        KEY_256
    } else {
        KEY_128
    });
    let salt = hex(SALT);
    let k = SessionKeys {
        key: &key,
        salt: &salt,
        auth: &[],
    };
    Context::from_session_keys(profile, k, k).unwrap()
}

const SRTP_VECTORS: [(Profile, &str); 2] = [
    (Profile::AeadAes128Gcm, SRTP_128), // §16.1
    (Profile::AeadAes256Gcm, SRTP_256), // §16.2
];

const SRTCP_VECTORS: [(Profile, &str); 2] = [
    (Profile::AeadAes128Gcm, SRTCP_128), // §17.1
    (Profile::AeadAes256Gcm, SRTCP_256), // §17.2
];

/// §16.1.1 and §16.2.1: the first packet of the stream (ROC 0, as the vectors assume)
/// protects to the RFC's octets.
#[test]
fn srtp_encryption() {
    for (profile, expected) in SRTP_VECTORS {
        let plain = hex(RTP);
        let expected = hex(expected);
        let mut buf = plain.clone();
        buf.resize(plain.len() + profile.rtp_overhead(), 0);
        let n = context(profile).protect_rtp(&mut buf, plain.len()).unwrap();
        assert_eq!(n, expected.len(), "{profile:?}");
        assert_eq!(buf, expected, "{profile:?}");
    }
}

/// §16.1.2 and §16.2.2: the RFC's packet verifies and decrypts to the RFC's plaintext.
#[test]
fn srtp_decryption() {
    for (profile, protected) in SRTP_VECTORS {
        let mut rx = context(profile);
        let mut buf = hex(protected);
        let n = rx.unprotect_rtp(&mut buf).unwrap();
        assert_eq!(&buf[..n], hex(RTP), "{profile:?}");
        assert_eq!(rx.stats().authentication_failures, 0);
    }
}

/// Not RFC vectors: one flipped bit anywhere in the RFC's packets (header = AAD,
/// ciphertext, tag) fails authentication, and leaves no state behind.
#[test]
fn altered_srtp_vectors_fail() {
    for (profile, protected) in SRTP_VECTORS {
        let protected = hex(protected);
        let mut rx = context(profile);
        for i in 0..protected.len() {
            let mut t = protected.clone();
            t[i] ^= 0x01;
            assert!(rx.unprotect_rtp(&mut t).is_err(), "{profile:?} byte {i}");
        }
        assert_eq!(
            rx.stats().authentication_failures as usize,
            protected.len(),
            "{profile:?}"
        );
        let mut genuine = protected.clone();
        let n = rx.unprotect_rtp(&mut genuine).unwrap();
        assert_eq!(&genuine[..n], hex(RTP), "{profile:?}");
    }
}

/// §17.2 and §17.1: the RFC's SRTCP packets verify and decrypt. The receiver reads the
/// index from the packet, so a fresh context takes them as they are.
#[test]
fn srtcp_decryption() {
    for (profile, protected) in SRTCP_VECTORS {
        let mut rx = context(profile);
        let mut buf = hex(protected);
        let n = rx.unprotect_rtcp(&mut buf).unwrap();
        assert_eq!(&buf[..n], hex(RTCP), "{profile:?}");
    }
}

/// §17.1 and §17.2 in the sending direction. Our sender numbers SRTCP packets from 0, so
/// it first protects `SRTCP_INDEX` (1492) packets of the same SSRC; the next one carries
/// the vector's index 000005d4 and must equal the RFC's octets.
#[test]
fn srtcp_encryption() {
    for (profile, expected) in SRTCP_VECTORS {
        let plain = hex(RTCP);
        let mut tx = context(profile);
        let mut buf = plain.clone();
        buf.resize(plain.len() + profile.rtcp_overhead(), 0);
        for _ in 0..SRTCP_INDEX {
            buf[..plain.len()].copy_from_slice(&plain);
            tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        }
        buf[..plain.len()].copy_from_slice(&plain);
        let n = tx.protect_rtcp(&mut buf, plain.len()).unwrap();
        assert_eq!(&buf[..n], hex(expected), "{profile:?}");
    }
}

/// Not RFC vectors: one flipped bit anywhere in the RFC's SRTCP packets fails.
#[test]
fn altered_srtcp_vectors_fail() {
    for (profile, protected) in SRTCP_VECTORS {
        let protected = hex(protected);
        for i in 0..protected.len() {
            let mut t = protected.clone();
            t[i] ^= 0x01;
            assert!(
                context(profile).unprotect_rtcp(&mut t).is_err(),
                "{profile:?} byte {i}"
            );
        }
    }
}

/// §17.3 and §17.4, tagged but not encrypted (E = 0): the plaintext packet verifies and
/// comes back unchanged; a flipped bit anywhere fails.
#[test]
fn srtcp_tagged_only_verifies() {
    for (profile, tag) in [
        (Profile::AeadAes128Gcm, SRTCP_128_TAG_ONLY), // §17.3
        (Profile::AeadAes256Gcm, SRTCP_256_TAG_ONLY), // §17.4
    ] {
        let plain = hex(RTCP);
        let mut packet = plain.clone();
        packet.extend_from_slice(&hex(tag));
        packet.extend_from_slice(&SRTCP_INDEX.to_be_bytes());
        let mut buf = packet.clone();
        let n = context(profile).unprotect_rtcp(&mut buf).unwrap();
        assert_eq!(&buf[..n], &plain[..], "{profile:?}");
        for i in 0..packet.len() {
            let mut t = packet.clone();
            t[i] ^= 0x01;
            assert!(
                context(profile).unprotect_rtcp(&mut t).is_err(),
                "{profile:?} byte {i}"
            );
        }
    }
}

/// `from_session_keys` with the session keys the KDF derives is the same transform as
/// `Context::new` with the master key, for every profile: what the vectors above pin
/// holds for DTLS-keyed contexts too.
#[test]
fn from_session_keys_is_new_without_the_kdf() {
    for profile in Profile::ALL {
        let master_key: Vec<u8> = (0..profile.master_key_len() as u8).collect();
        let master_salt: Vec<u8> = (0..profile.master_salt_len() as u8)
            .map(|b| b ^ 0x5a)
            .collect();
        let mut session = [(); 6].map(|_| Vec::new());
        for (label, out) in session.iter_mut().enumerate() {
            let len = match label % 3 {
                0 => profile.master_key_len(),
                1 if profile.is_aead() => 0,
                1 => 20,
                _ => profile.master_salt_len(),
            };
            out.resize(len, 0);
            kdf(&master_key, &master_salt, label as u8, out);
        }
        let [rtp_key, rtp_auth, rtp_salt, rtcp_key, rtcp_auth, rtcp_salt] = &session;
        let rtp = SessionKeys {
            key: rtp_key,
            salt: rtp_salt,
            auth: rtp_auth,
        };
        let rtcp = SessionKeys {
            key: rtcp_key,
            salt: rtcp_salt,
            auth: rtcp_auth,
        };
        let mut a: Context = Context::new(profile, &master_key, &master_salt).unwrap();
        let mut b: Context = Context::from_session_keys(profile, rtp, rtcp).unwrap();

        let plain = hex(RTP);
        let mut x = plain.clone();
        x.resize(plain.len() + profile.rtp_overhead(), 0);
        let mut y = x.clone();
        a.protect_rtp(&mut x, plain.len()).unwrap();
        b.protect_rtp(&mut y, plain.len()).unwrap();
        assert_eq!(x, y, "{profile:?} SRTP");

        let plain = hex(RTCP);
        let mut x = plain.clone();
        x.resize(plain.len() + profile.rtcp_overhead(), 0);
        let mut y = x.clone();
        a.protect_rtcp(&mut x, plain.len()).unwrap();
        b.protect_rtcp(&mut y, plain.len()).unwrap();
        assert_eq!(x, y, "{profile:?} SRTCP");
    }
}

#[test]
fn from_session_keys_checks_lengths() {
    let ok = SessionKeys {
        key: &[0; 16],
        salt: &[0; 12],
        auth: &[],
    };
    assert!(Context::<1>::from_session_keys(Profile::AeadAes128Gcm, ok, ok).is_ok());
    let bad = [
        (
            Profile::AeadAes128Gcm,
            SessionKeys {
                key: &[0; 15],
                ..ok
            },
        ),
        (
            Profile::AeadAes128Gcm,
            SessionKeys {
                salt: &[0; 14],
                ..ok
            },
        ),
        (
            Profile::AeadAes128Gcm,
            SessionKeys {
                auth: &[0; 20],
                ..ok
            },
        ),
        (Profile::AeadAes256Gcm, ok),
        (Profile::Aes128CmHmacSha1_80, ok),
        (
            Profile::Aes128CmHmacSha1_80,
            SessionKeys {
                salt: &[0; 14],
                ..ok
            },
        ),
    ];
    for (profile, k) in bad {
        assert_eq!(
            Context::<1>::from_session_keys(profile, ok, k).err(),
            Some(Error::BadKeyLength),
            "{profile:?} {k:?}"
        );
        assert_eq!(
            Context::<1>::from_session_keys(profile, k, ok).err(),
            Some(Error::BadKeyLength),
        );
    }
    let cm = SessionKeys {
        key: &[0; 16],
        salt: &[0; 14],
        auth: &[0; 20],
    };
    assert!(Context::<1>::from_session_keys(Profile::Aes128CmHmacSha1_32, cm, cm).is_ok());
    assert_eq!(format!("{cm:?}"), "SessionKeys(redacted)");
}
