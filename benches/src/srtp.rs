//! The SRTP case: protecting and unprotecting media, what every RTP packet of a call goes
//! through (RFC 3711, RFC 7714).
//!
//! The packet is a 12-byte RTP header (version 2, payload type 96, SSRC [`SSRC`]) and a
//! [`PAYLOAD_LEN`] = 1200-byte payload ([`PACKET_LEN`] = 1212 bytes), in each of the four
//! profiles WebRTC negotiates ([`PROFILES`]). Four implementations, each with its keys
//! derived once from the same master key and salt ([`master_key`], [`master_salt`]):
//!
//! - rtcam: [`Context`], in place in the caller's buffer;
//! - libsrtp2 (Debian's `libsrtp2-dev`, through the C shim `c/srtp_shim.c`), in place;
//!   only on native builds (see `build.rs`): [`LIBSRTP2`] says whether it is linked;
//! - webrtc-rs's `webrtc-srtp` 0.17, which returns each packet in a new `Bytes`;
//! - [`Primitives`]: the bare RustCrypto crates rtcam is built on (AES-128-CTR and
//!   HMAC-SHA1, or AES-GCM) with every key prepared once and the ROC given rather than
//!   estimated, no replay window, no header parsing beyond the SSRC and sequence number:
//!   the limit an SRTP implementation on these crates can approach.
//!
//! All four produce the same bytes, and each unprotects what the others protect: checked
//! by [`assert_equivalent`] in the tests and by the bench before it times anything.

use std::hint::black_box;

use aes::cipher::{InnerIvInit, KeyInit, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes256};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use bytes::Bytes;
use hmac::{Hmac, Mac};
use rtcam_dtls_srtp::srtp::{Context, Profile};
use sha1::Sha1;
use webrtc_srtp::context::Context as PeerContext;
use webrtc_srtp::option::srtp_replay_protection;
use webrtc_srtp::protection_profile::ProtectionProfile;

pub use libsrtp::{LIBSRTP2, LIBSRTP2_SKIPPED, LibSrtp};

/// The RTP header: no CSRCs, no extension.
pub const HEADER_LEN: usize = 12;
/// The media payload per packet.
pub const PAYLOAD_LEN: usize = 1200;
/// The RTP packet protected by each operation.
pub const PACKET_LEN: usize = HEADER_LEN + PAYLOAD_LEN;
/// Working buffers: room for the packet plus libsrtp2's `SRTP_MAX_TRAILER_LEN` (144),
/// which `srtp_protect` documents it may write, and more.
pub const BUF_LEN: usize = 2048;
/// The stream's SSRC.
pub const SSRC: u32 = 0x5ea1_c0de;
/// The profiles, in the order the bench prints them.
pub const PROFILES: [Profile; 4] = [
    Profile::Aes128CmHmacSha1_80,
    Profile::Aes128CmHmacSha1_32,
    Profile::AeadAes128Gcm,
    Profile::AeadAes256Gcm,
];
/// Packets in the receive ring ([`Ring`]): about 5 MB, more than L2, so the in-place
/// rows read each packet from L3 (or memory) while copying it into their work buffer, as
/// a socket read would; the bench times that copy alone as its own row.
pub const RING_LEN: usize = 4096;
/// Packet index (ROC << 16 | SEQ) of the ring's first packet: halfway through, the
/// sequence number wraps and the ROC moves from 0 to 1, so every receiver estimates
/// across a rollover once per pass.
pub const RING_START: u64 = (1 << 16) - (RING_LEN as u64) / 2;
/// Packet index the protect bench's senders start from (then one more per operation).
pub const PROTECT_START: u64 = 0x1f40;

/// The profile's name as RFC 5764 / RFC 7714 spell it.
pub fn name(profile: Profile) -> &'static str {
    match profile {
        Profile::Aes128CmHmacSha1_80 => "AES_CM_128_HMAC_SHA1_80",
        Profile::Aes128CmHmacSha1_32 => "AES_CM_128_HMAC_SHA1_32",
        Profile::AeadAes128Gcm => "AEAD_AES_128_GCM",
        Profile::AeadAes256Gcm => "AEAD_AES_256_GCM",
    }
}

/// Master key bytes: the first 16 or 32 are used.
const MASTER_KEY: [u8; 32] = [
    0xe1, 0xf9, 0x7a, 0x0d, 0x3e, 0x01, 0x8b, 0xe0, 0xd6, 0x4f, 0xa3, 0x2c, 0x06, 0xde, 0x41, 0x39,
    0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6, 0x5a, 0x11,
];
/// Master salt bytes: the first 14 or 12 are used.
const MASTER_SALT: [u8; 14] = [
    0x0e, 0xc6, 0x75, 0xad, 0x49, 0x8a, 0xfe, 0xeb, 0xb6, 0x96, 0x0b, 0x3a, 0xab, 0xe6,
];

/// The master key, of the profile's length (fixed bytes, no allocation).
pub fn master_key(profile: Profile) -> &'static [u8] {
    &MASTER_KEY[..profile.master_key_len()]
}

/// The master salt, of the profile's length.
pub fn master_salt(profile: Profile) -> &'static [u8] {
    &MASTER_SALT[..profile.master_salt_len()]
}

/// A [`BUF_LEN`] buffer holding the plaintext RTP packet with index `index` in its first
/// [`PACKET_LEN`] bytes: the header (marker clear, timestamp advancing 3000 a packet, as
/// 30 fps video) and a pseudo-random payload that does not depend on the index.
pub fn plaintext(index: u64) -> Vec<u8> {
    let mut buf = vec![0u8; BUF_LEN];
    buf[0] = 0x80;
    buf[1] = 96;
    set_seq(&mut buf, index as u16);
    let ts = 0x002d_9610_u32.wrapping_add((index as u32).wrapping_mul(3000));
    buf[4..8].copy_from_slice(&ts.to_be_bytes());
    buf[8..12].copy_from_slice(&SSRC.to_be_bytes());
    let mut x: u32 = 0x9e37_79b9;
    for chunk in buf[HEADER_LEN..PACKET_LEN].chunks_mut(4) {
        // xorshift32
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        chunk.copy_from_slice(&x.to_be_bytes()[..chunk.len()]);
    }
    buf
}

/// Writes the sequence number into the RTP header in `buf`.
#[inline(always)]
pub fn set_seq(buf: &mut [u8], seq: u16) {
    buf[2..4].copy_from_slice(&seq.to_be_bytes());
}

/// The SRTP length of a [`PACKET_LEN`] packet in `profile`.
pub fn srtp_len(profile: Profile) -> usize {
    PACKET_LEN + profile.rtp_overhead()
}

// ---------------------------------------------------------------------------------------
// rtcam

/// rtcam's context (default stream table of 8 SSRCs).
pub type Ours = Context;

/// An rtcam context for `profile` with the fixture's master key and salt.
pub fn ours_context(profile: Profile) -> Ours {
    Ours::new(profile, master_key(profile), master_salt(profile)).expect("fixture key lengths")
}

/// rtcam protect: writes `seq` into the header, then [`Context::protect_rtp`] in place:
/// header parse, SSRC lookup in the stream table, ROC estimation and update, AES-CM
/// keystream from the prepared key schedule (cloned) + HMAC-SHA1 from the prepared keyed
/// state (cloned), or AES-GCM with the header as AAD; tag appended after the packet.
/// Returns the SRTP length. Zero heap allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_protect(
    ctx: &mut Ours,
    buf: &mut [u8],
    seq: u16,
) -> Result<usize, rtcam_dtls_srtp::srtp::Error> {
    set_seq(buf, seq);
    ctx.protect_rtp(buf, PACKET_LEN)
}

/// rtcam unprotect: [`Context::unprotect_rtp`] in place on the received SRTP packet:
/// header parse, ROC estimation, replay check (64-packet window), tag verified
/// (constant-time) before decrypting, then the stream state moved on. Returns the RTP
/// length. Zero heap allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_unprotect(
    ctx: &mut Ours,
    srtp: &mut [u8],
) -> Result<usize, rtcam_dtls_srtp::srtp::Error> {
    ctx.unprotect_rtp(srtp)
}

// ---------------------------------------------------------------------------------------
// webrtc-rs

/// webrtc-srtp's name for `profile`.
pub fn peer_profile(profile: Profile) -> ProtectionProfile {
    match profile {
        Profile::Aes128CmHmacSha1_80 => ProtectionProfile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32 => ProtectionProfile::Aes128CmHmacSha1_32,
        Profile::AeadAes128Gcm => ProtectionProfile::AeadAes128Gcm,
        Profile::AeadAes256Gcm => ProtectionProfile::AeadAes256Gcm,
    }
}

/// A webrtc-srtp sending context (no replay protection, as for a sender).
pub fn webrtc_rs_sender(profile: Profile) -> PeerContext {
    PeerContext::new(
        master_key(profile),
        master_salt(profile),
        peer_profile(profile),
        None,
        None,
    )
    .expect("webrtc-srtp context")
}

/// A webrtc-srtp receiving context with a 64-packet SRTP replay window, like rtcam's.
pub fn webrtc_rs_receiver(profile: Profile) -> PeerContext {
    PeerContext::new(
        master_key(profile),
        master_salt(profile),
        peer_profile(profile),
        Some(srtp_replay_protection(64)),
        None,
    )
    .expect("webrtc-srtp context")
}

/// webrtc-srtp protect: writes `seq` into the header, then `Context::encrypt_rtp`, as
/// its `SessionSRTP::write` does per packet: unmarshals the RTP header into an
/// `rtp::header::Header`, looks the SSRC up in a `HashMap`, estimates the ROC, copies the
/// packet into a new buffer (`Vec`/`BytesMut`), encrypts there (AES-CM: `Ctr128BE::new`
/// with the session key, i.e. a key schedule per packet, and HMAC-SHA1 from a cloned
/// keyed state; GCM: `Aead::encrypt`, which allocates the ciphertext) and returns it as
/// `Bytes`. `buf` itself is not modified beyond the sequence number.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_protect(
    ctx: &mut PeerContext,
    buf: &mut [u8],
    seq: u16,
) -> Result<Bytes, webrtc_srtp::Error> {
    set_seq(buf, seq);
    ctx.encrypt_rtp(&buf[..PACKET_LEN])
}

/// webrtc-srtp unprotect: `Context::decrypt_rtp` on the received bytes (not modified):
/// header unmarshalled, ROC estimated, replay checked, tag verified, and the RTP packet
/// decrypted into a new buffer returned as `Bytes`.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_unprotect(
    ctx: &mut PeerContext,
    srtp: &[u8],
) -> Result<Bytes, webrtc_srtp::Error> {
    ctx.decrypt_rtp(srtp)
}

// ---------------------------------------------------------------------------------------
// The bare primitives

/// The RFC 3711 §4.3.1 key derivation (kdr 0), written out on the bare crates (an
/// independent copy: its output is checked against libsrtp2's through the packets): AES
/// in counter mode under the master key from `(salt XOR label) || 0x0000`; the GCM
/// profiles' 12-byte salts are zero-padded (RFC 7714 §11).
fn kdf(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    iv[..master_salt.len()].copy_from_slice(master_salt);
    iv[7] ^= label;
    out.fill(0);
    match master_key.len() {
        16 => ctr::Ctr128BE::<Aes128>::new(master_key.into(), &iv.into()).apply_keystream(out),
        32 => ctr::Ctr128BE::<Aes256>::new(master_key.into(), &iv.into()).apply_keystream(out),
        n => panic!("master key of {n} bytes"),
    }
}

/// Session keys on the bare crates, prepared once: the SRTP lower bound.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // key schedules inline, as in rtcam
pub enum Primitives {
    /// AES-128 counter mode and HMAC-SHA1.
    Cm {
        /// The expanded session encryption key, cloned per packet.
        aes: Aes128,
        /// The session salt.
        salt: [u8; 14],
        /// HMAC-SHA1 keyed with the session authentication key, cloned per packet.
        mac: Hmac<Sha1>,
        /// Tag bytes kept (10 or 4).
        tag_len: usize,
    },
    /// AEAD_AES_128_GCM.
    Gcm128 {
        /// The prepared AEAD (key schedule and GHASH key).
        aead: Aes128Gcm,
        /// The session salt.
        salt: [u8; 12],
    },
    /// AEAD_AES_256_GCM.
    Gcm256 {
        /// The prepared AEAD.
        aead: Aes256Gcm,
        /// The session salt.
        salt: [u8; 12],
    },
}

impl Primitives {
    /// The SRTP session keys of `profile` for the fixture's master key and salt.
    pub fn new(profile: Profile) -> Primitives {
        let (mk, ms) = (master_key(profile), master_salt(profile));
        match profile {
            Profile::Aes128CmHmacSha1_80 | Profile::Aes128CmHmacSha1_32 => {
                let (mut enc, mut auth, mut salt) = ([0u8; 16], [0u8; 20], [0u8; 14]);
                kdf(mk, ms, 0, &mut enc);
                kdf(mk, ms, 1, &mut auth);
                kdf(mk, ms, 2, &mut salt);
                Primitives::Cm {
                    aes: Aes128::new(&enc.into()),
                    salt,
                    mac: <Hmac<Sha1> as Mac>::new_from_slice(&auth).expect("any HMAC key length"),
                    tag_len: profile.rtp_overhead(),
                }
            }
            Profile::AeadAes128Gcm => {
                let (mut enc, mut salt) = ([0u8; 16], [0u8; 12]);
                kdf(mk, ms, 0, &mut enc);
                kdf(mk, ms, 2, &mut salt);
                Primitives::Gcm128 {
                    aead: Aes128Gcm::new(&enc.into()),
                    salt,
                }
            }
            Profile::AeadAes256Gcm => {
                let (mut enc, mut salt) = ([0u8; 32], [0u8; 12]);
                kdf(mk, ms, 0, &mut enc);
                kdf(mk, ms, 2, &mut salt);
                Primitives::Gcm256 {
                    aead: Aes256Gcm::new(&enc.into()),
                    salt,
                }
            }
        }
    }
}

/// The AES-CM IV (RFC 3711 §4.1.1): salt XOR (SSRC << 64) XOR (index << 16).
#[inline(always)]
fn cm_iv(salt: &[u8; 14], ssrc: [u8; 4], index: u64) -> [u8; 16] {
    let mut iv = [0u8; 16];
    iv[..14].copy_from_slice(salt);
    for (d, s) in iv[4..8].iter_mut().zip(ssrc) {
        *d ^= s;
    }
    for (d, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
        *d ^= s;
    }
    iv
}

/// The GCM nonce (RFC 7714 §8.1): salt XOR (0x0000 || SSRC || ROC || SEQ).
#[inline(always)]
fn gcm_nonce(salt: &[u8; 12], ssrc: [u8; 4], roc: u32, seq: [u8; 2]) -> [u8; 12] {
    let mut n = *salt;
    for (d, s) in n[2..6].iter_mut().zip(ssrc) {
        *d ^= s;
    }
    for (d, s) in n[6..10].iter_mut().zip(roc.to_be_bytes()) {
        *d ^= s;
    }
    n[10] ^= seq[0];
    n[11] ^= seq[1];
    n
}

/// The primitives' protect, the limit: writes the sequence number of `index`, then
/// - AES-CM: `Ctr128BE<Aes128>` over the payload from a clone of the prepared key
///   schedule (the IV from salt, SSRC and `index`), HMAC-SHA1 over header, payload and
///   ROC from a clone of the prepared keyed state, truncated into the tail;
/// - GCM: `encrypt_in_place_detached` with the 12-byte nonce and the header as AAD, the
///   tag copied into the tail.
///
/// The ROC comes with `index` (no estimation), the header is taken to be 12 bytes.
/// Returns the SRTP length. Zero heap allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn primitives_protect(keys: &Primitives, buf: &mut [u8], index: u64) -> usize {
    set_seq(buf, index as u16);
    let roc = (index >> 16) as u32;
    let (head, rest) = buf.split_at_mut(HEADER_LEN);
    let (payload, tail) = rest.split_at_mut(PAYLOAD_LEN);
    let ssrc = [head[8], head[9], head[10], head[11]];
    let seq = [head[2], head[3]];
    match keys {
        Primitives::Cm {
            aes,
            salt,
            mac,
            tag_len,
        } => {
            let iv = cm_iv(salt, ssrc, index);
            let mut c = ctr::Ctr128BE::<Aes128>::from_core(ctr::CtrCore::inner_iv_init(
                aes.clone(),
                &iv.into(),
            ));
            c.apply_keystream(payload);
            let mut m = mac.clone();
            m.update(head);
            m.update(payload);
            m.update(&roc.to_be_bytes());
            let full = m.finalize().into_bytes();
            tail[..*tag_len].copy_from_slice(&full[..*tag_len]);
            PACKET_LEN + tag_len
        }
        Primitives::Gcm128 { aead, salt } => {
            let nonce = gcm_nonce(salt, ssrc, roc, seq);
            let tag = aead
                .encrypt_in_place_detached(Nonce::from_slice(&nonce), head, payload)
                .expect("1200 bytes are within GCM's limit");
            tail[..16].copy_from_slice(&tag);
            PACKET_LEN + 16
        }
        Primitives::Gcm256 { aead, salt } => {
            let nonce = gcm_nonce(salt, ssrc, roc, seq);
            let tag = aead
                .encrypt_in_place_detached(Nonce::from_slice(&nonce), head, payload)
                .expect("1200 bytes are within GCM's limit");
            tail[..16].copy_from_slice(&tag);
            PACKET_LEN + 16
        }
    }
}

/// The primitives' unprotect, the limit: the received packet `srtp` (12-byte header) of
/// known `index`; AES-CM: HMAC-SHA1 over header, ciphertext and ROC from the prepared
/// state, compared in constant time with the truncated tag (`verify_truncated_left`),
/// then the keystream applied; GCM: `decrypt_in_place_detached`. No replay window.
/// Returns the RTP length, or `None` if the tag does not verify.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn primitives_unprotect(keys: &Primitives, srtp: &mut [u8], index: u64) -> Option<usize> {
    let roc = (index >> 16) as u32;
    let tag_len = match keys {
        Primitives::Cm { tag_len, .. } => *tag_len,
        _ => 16,
    };
    let len = srtp.len().checked_sub(tag_len)?;
    let (packet, tag) = srtp.split_at_mut(len);
    let (head, payload) = packet.split_at_mut(HEADER_LEN);
    let ssrc = [head[8], head[9], head[10], head[11]];
    let seq = [head[2], head[3]];
    match keys {
        Primitives::Cm { aes, salt, mac, .. } => {
            let mut m = mac.clone();
            m.update(head);
            m.update(payload);
            m.update(&roc.to_be_bytes());
            m.verify_truncated_left(tag).ok()?;
            let iv = cm_iv(salt, ssrc, index);
            let mut c = ctr::Ctr128BE::<Aes128>::from_core(ctr::CtrCore::inner_iv_init(
                aes.clone(),
                &iv.into(),
            ));
            c.apply_keystream(payload);
        }
        Primitives::Gcm128 { aead, salt } => {
            let nonce = gcm_nonce(salt, ssrc, roc, seq);
            aead.decrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                head,
                payload,
                Tag::from_slice(tag),
            )
            .ok()?;
        }
        Primitives::Gcm256 { aead, salt } => {
            let nonce = gcm_nonce(salt, ssrc, roc, seq);
            aead.decrypt_in_place_detached(
                Nonce::from_slice(&nonce),
                head,
                payload,
                Tag::from_slice(tag),
            )
            .ok()?;
        }
    }
    Some(len)
}

// ---------------------------------------------------------------------------------------
// Receiving: a ring of protected packets

/// [`RING_LEN`] SRTP packets of `profile` with consecutive indices from [`RING_START`],
/// protected by rtcam (byte-identical to the others', see [`assert_equivalent`]) and
/// stored back to back. Unprotecting needs a fresh packet each time: a receiver walks
/// the ring in order, and takes a new context when it wraps ([`RingReceiver`]).
#[derive(Debug, Clone)]
pub struct Ring {
    profile: Profile,
    stride: usize,
    bytes: Vec<u8>,
}

impl Ring {
    /// The ring for `profile`.
    pub fn new(profile: Profile) -> Ring {
        let stride = srtp_len(profile);
        let mut ctx = ours_context(profile);
        let mut bytes = Vec::with_capacity(RING_LEN * stride);
        for i in 0..RING_LEN {
            let index = Ring::index(i);
            let mut buf = plaintext(index);
            let n = ours_protect(&mut ctx, &mut buf, index as u16).expect("rtcam protects");
            assert_eq!(n, stride);
            bytes.extend_from_slice(&buf[..n]);
        }
        Ring {
            profile,
            stride,
            bytes,
        }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The `i`th SRTP packet.
    pub fn get(&self, i: usize) -> &[u8] {
        &self.bytes[i * self.stride..(i + 1) * self.stride]
    }

    /// The packet index (ROC << 16 | SEQ) of the `i`th packet.
    pub fn index(i: usize) -> u64 {
        RING_START + i as u64
    }
}

/// One receiver walking a [`Ring`] in order, one packet per call: what each row of the
/// unprotect bench does per operation. When the ring wraps, `reset` makes the receiver
/// forget the stream (its packets would be replays to it): rtcam, webrtc-srtp and the
/// primitives take a new context (session keys derived again), libsrtp2 removes the
/// SSRC's stream (`srtp_remove_stream`; a new context costs it ~1 ms with NSS). So every
/// [`RING_LEN`] operations include one reset; the bench measures a context set-up on its
/// own, so its share (1/[`RING_LEN`]) can be read off.
pub struct RingReceiver<'r, R> {
    ring: &'r Ring,
    reset: fn(&mut R, Profile),
    rx: R,
    next: usize,
    work: Vec<u8>,
}

impl<'r, R> RingReceiver<'r, R> {
    /// `rx` at the start of `ring`, reset by `reset` when the ring wraps.
    pub fn new(ring: &'r Ring, rx: R, reset: fn(&mut R, Profile)) -> Self {
        RingReceiver {
            ring,
            reset,
            rx,
            next: 0,
            work: vec![0u8; BUF_LEN],
        }
    }

    #[inline(always)]
    fn advance(&mut self) -> usize {
        if self.next == RING_LEN {
            (self.reset)(&mut self.rx, self.ring.profile);
            self.next = 0;
        }
        let i = self.next;
        self.next += 1;
        i
    }

    /// For in-place implementations: copies the next packet into the working buffer (as
    /// the socket read would have) and calls `f(receiver, packet, index)` on it.
    #[inline(always)]
    pub fn next_in_place<T>(&mut self, f: impl FnOnce(&mut R, &mut [u8], u64) -> T) -> T {
        let i = self.advance();
        let n = self.ring.stride;
        let work = &mut self.work[..n];
        work.copy_from_slice(self.ring.get(i));
        f(&mut self.rx, black_box(work), Ring::index(i))
    }

    /// For implementations that copy on their own (webrtc-srtp): calls
    /// `f(receiver, packet)` on the next packet in the ring, not copied.
    #[inline(always)]
    pub fn next_borrowed<T>(&mut self, f: impl FnOnce(&mut R, &[u8]) -> T) -> T {
        let i = self.advance();
        f(&mut self.rx, black_box(self.ring.get(i)))
    }
}

/// Resets for [`RingReceiver`]: a new rtcam context.
pub fn ours_reset(rx: &mut Ours, profile: Profile) {
    *rx = ours_context(profile);
}

/// Resets for [`RingReceiver`]: the primitives' keys derived again (they keep no stream
/// state, but pay the same as rtcam's reset).
pub fn primitives_reset(rx: &mut Primitives, profile: Profile) {
    *rx = Primitives::new(profile);
}

/// Resets for [`RingReceiver`]: a new webrtc-srtp receiving context.
pub fn webrtc_rs_reset(rx: &mut PeerContext, profile: Profile) {
    *rx = webrtc_rs_receiver(profile);
}

/// Resets for [`RingReceiver`]: libsrtp2 forgets the stream of [`SSRC`].
pub fn libsrtp_reset(rx: &mut LibSrtp, _: Profile) {
    rx.remove_stream(SSRC).expect("libsrtp2 removes the stream");
}

// ---------------------------------------------------------------------------------------
// Equivalence

/// Packet indices the equivalence check protects in a row on fresh senders: across a
/// sequence-number wrap, so the ROC goes from 0 to 1.
pub const CHECK_INDICES: std::ops::Range<u64> = 65_530..65_542;

/// Where `got` first differs from `want`, in words (`None` if equal).
fn difference(what: &str, index: u64, got: &[u8], want: &[u8]) -> Option<String> {
    if got == want {
        return None;
    }
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    let region = if at < HEADER_LEN {
        "header"
    } else if at < PACKET_LEN {
        "payload"
    } else {
        "tag"
    };
    let show = |b: &[u8]| {
        b.get(at..(at + 8).min(b.len()))
            .unwrap_or(&[])
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    Some(format!(
        "{what}, index {index:#x} (ROC {}, SEQ {}): {} bytes vs rtcam's {}, first difference at byte {at} ({region}): {} vs {}",
        index >> 16,
        index as u16,
        got.len(),
        want.len(),
        show(got),
        show(want),
    ))
}

/// Every way the implementations disagree on `profile`, in words (empty: none):
/// - protect: fresh senders protect the packets of [`CHECK_INDICES`] in order; libsrtp2's,
///   webrtc-srtp's and the primitives' bytes are compared with rtcam's;
/// - unprotect: each side's fresh receiver unprotects rtcam's packets (the same bytes)
///   and must get the plaintext back;
/// - tampering: each receiver rejects one of them with a flipped payload bit.
pub fn mismatches(profile: Profile) -> Vec<String> {
    let mut out = Vec::new();
    let n = srtp_len(profile);
    let prim = Primitives::new(profile);
    let mut ours = ours_context(profile);
    let mut peer = webrtc_rs_sender(profile);
    let mut lib = LIBSRTP2.then(|| libsrtp_context(profile, false));
    let mut protected = Vec::new();
    for index in CHECK_INDICES {
        let seq = index as u16;
        let plain = plaintext(index);
        let mut a = plain.clone();
        let len = ours_protect(&mut ours, &mut a, seq).expect("rtcam protects");
        assert_eq!(len, n, "rtcam's SRTP length");
        let want = &a[..n];
        let mut p = plain.clone();
        let len = primitives_protect(&prim, &mut p, index);
        out.extend(difference("primitives protect", index, &p[..len], want));
        match webrtc_rs_protect(&mut peer, &mut plain.clone(), seq) {
            Ok(w) => out.extend(difference("webrtc-srtp protect", index, &w, want)),
            Err(e) => out.push(format!("webrtc-srtp protect, index {index:#x}: {e}")),
        }
        if let Some(lib) = lib.as_mut() {
            let mut l = plain.clone();
            match libsrtp_protect(lib, &mut l, seq) {
                Ok(len) => out.extend(difference("libsrtp2 protect", index, &l[..len], want)),
                Err(e) => out.push(format!("libsrtp2 protect, index {index:#x}: error {e}")),
            }
        }
        protected.push((index, plain, want.to_vec()));
    }

    let mut ours_rx = ours_context(profile);
    let mut peer_rx = webrtc_rs_receiver(profile);
    let mut lib_rx = LIBSRTP2.then(|| libsrtp_context(profile, true));
    for (index, plain, srtp) in &protected {
        let (index, plain) = (*index, &plain[..PACKET_LEN]);
        let mut a = srtp.clone();
        match ours_unprotect(&mut ours_rx, &mut a) {
            Ok(len) => out.extend(difference("rtcam unprotect", index, &a[..len], plain)),
            Err(e) => out.push(format!("rtcam unprotect, index {index:#x}: {e}")),
        }
        let mut p = srtp.clone();
        match primitives_unprotect(&prim, &mut p, index) {
            Some(len) => out.extend(difference("primitives unprotect", index, &p[..len], plain)),
            None => out.push(format!("primitives unprotect, index {index:#x}: rejected")),
        }
        match webrtc_rs_unprotect(&mut peer_rx, srtp) {
            Ok(w) => out.extend(difference("webrtc-srtp unprotect", index, &w, plain)),
            Err(e) => out.push(format!("webrtc-srtp unprotect, index {index:#x}: {e}")),
        }
        if let Some(lib) = lib_rx.as_mut() {
            let mut l = srtp.clone();
            match libsrtp_unprotect(lib, &mut l) {
                Ok(len) => out.extend(difference("libsrtp2 unprotect", index, &l[..len], plain)),
                Err(e) => out.push(format!("libsrtp2 unprotect, index {index:#x}: error {e}")),
            }
        }
    }

    // A tampered packet (one payload bit) on fresh receivers: everyone must refuse it.
    let (index, _, srtp) = &protected[0];
    let mut bad = srtp.clone();
    bad[HEADER_LEN + 100] ^= 0x01;
    if ours_unprotect(&mut ours_context(profile), &mut bad.clone()).is_ok() {
        out.push("rtcam accepted a tampered packet".to_owned());
    }
    if primitives_unprotect(&prim, &mut bad.clone(), *index).is_some() {
        out.push("primitives accepted a tampered packet".to_owned());
    }
    if webrtc_rs_unprotect(&mut webrtc_rs_receiver(profile), &bad).is_ok() {
        out.push("webrtc-srtp accepted a tampered packet".to_owned());
    }
    if LIBSRTP2 && libsrtp_unprotect(&mut libsrtp_context(profile, true), &mut bad.clone()).is_ok()
    {
        out.push("libsrtp2 accepted a tampered packet".to_owned());
    }
    out
}

/// Panics with every [`mismatches`] of `profile`, if any: a bench must never time
/// implementations that disagree, or an error path.
pub fn assert_equivalent(profile: Profile) {
    let m = mismatches(profile);
    assert!(
        m.is_empty(),
        "{}: implementations disagree:\n{}",
        name(profile),
        m.join("\n")
    );
}

// ---------------------------------------------------------------------------------------
// libsrtp2

/// libsrtp2 protect: writes `seq` into the header, then `srtp_protect` in place (through
/// the shim): stream lookup by SSRC, index estimation, replay check of the sender's own
/// index (`allow_repeat_tx` off), keystream and HMAC-SHA1 or GCM through its crypto
/// backend (Debian builds libsrtp2 on NSS), tag appended. Returns the SRTP length. Its
/// allocations, if any, go through C's `malloc`, which the counter does not see.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn libsrtp_protect(ctx: &mut LibSrtp, buf: &mut [u8], seq: u16) -> Result<usize, i32> {
    set_seq(buf, seq);
    ctx.protect(buf, PACKET_LEN)
}

/// libsrtp2 unprotect: `srtp_unprotect` in place (index estimation, replay check in a
/// 128-packet window, tag verified, payload decrypted). Returns the RTP length.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn libsrtp_unprotect(ctx: &mut LibSrtp, srtp: &mut [u8]) -> Result<usize, i32> {
    ctx.unprotect(srtp)
}

/// A libsrtp2 context for `profile` with the fixture's keys, sending or receiving.
pub fn libsrtp_context(profile: Profile, inbound: bool) -> LibSrtp {
    LibSrtp::new(profile, master_key(profile), master_salt(profile), inbound)
        .unwrap_or_else(|e| panic!("libsrtp2 context for {}: error {e}", name(profile)))
}

/// The FFI to libsrtp2 through `c/srtp_shim.c`: the only `unsafe` outside the counting
/// allocator, kept to this module.
#[allow(unsafe_code)]
mod libsrtp {
    use rtcam_dtls_srtp::srtp::Profile;

    /// Whether libsrtp2 is linked into this build (native builds with `libsrtp2-dev`; see
    /// `build.rs`). Without it, [`LibSrtp::new`] fails with [`LibSrtp::NOT_LINKED`].
    pub const LIBSRTP2: bool = cfg!(rtcam_libsrtp2);

    /// Why libsrtp2 is not linked (`None` when it is).
    pub const LIBSRTP2_SKIPPED: Option<&str> = option_env!("RTCAM_LIBSRTP2_SKIPPED");

    #[cfg(rtcam_libsrtp2)]
    mod ffi {
        use std::ffi::{c_char, c_int, c_void};

        // SAFETY (of the declarations): they match the definitions in c/srtp_shim.c, which
        // build.rs compiles and links into this crate together with libsrtp2.
        unsafe extern "C" {
            pub(super) fn rtcam_srtp_version() -> *const c_char;
            pub(super) fn rtcam_srtp_init() -> c_int;
            pub(super) fn rtcam_srtp_max_trailer() -> usize;
            pub(super) fn rtcam_srtp_create(
                out: *mut *mut c_void,
                profile: c_int,
                key: *const u8,
                key_len: usize,
                inbound: c_int,
            ) -> c_int;
            pub(super) fn rtcam_srtp_protect(
                ctx: *mut c_void,
                pkt: *mut u8,
                len: *mut c_int,
            ) -> c_int;
            pub(super) fn rtcam_srtp_unprotect(
                ctx: *mut c_void,
                pkt: *mut u8,
                len: *mut c_int,
            ) -> c_int;
            pub(super) fn rtcam_srtp_remove_stream(ctx: *mut c_void, ssrc: u32) -> c_int;
            pub(super) fn rtcam_srtp_dealloc(ctx: *mut c_void);
        }
    }

    /// One libsrtp2 session (`srtp_t`) for one direction, any SSRC. Not `Send`: libsrtp
    /// sessions are not thread-safe, and the raw pointer keeps this on its thread.
    #[derive(Debug)]
    pub struct LibSrtp {
        #[cfg(rtcam_libsrtp2)]
        ctx: std::ptr::NonNull<std::ffi::c_void>,
        #[cfg(not(rtcam_libsrtp2))]
        _never: std::convert::Infallible,
    }

    #[cfg(rtcam_libsrtp2)]
    fn init() -> Result<(), i32> {
        static INIT: std::sync::OnceLock<i32> = std::sync::OnceLock::new();
        // SAFETY: `srtp_init` takes no arguments; `OnceLock` runs it once per process,
        // before any other libsrtp2 call made through this module.
        let rc = *INIT.get_or_init(|| unsafe { ffi::rtcam_srtp_init() });
        if rc == 0 { Ok(()) } else { Err(rc) }
    }

    impl LibSrtp {
        /// The error [`LibSrtp::new`] returns when libsrtp2 is not linked.
        pub const NOT_LINKED: i32 = -100;

        /// libsrtp2's version string, or `None` when it is not linked.
        pub fn version() -> Option<String> {
            #[cfg(rtcam_libsrtp2)]
            {
                // SAFETY: `srtp_get_version_string` returns a pointer to a static,
                // NUL-terminated string (or NULL, checked).
                let p = unsafe { ffi::rtcam_srtp_version() };
                if p.is_null() {
                    return None;
                }
                // SAFETY: non-null, NUL-terminated and static, as above.
                let s = unsafe { std::ffi::CStr::from_ptr(p) };
                Some(s.to_string_lossy().into_owned())
            }
            #[cfg(not(rtcam_libsrtp2))]
            None
        }

        /// A session for `profile` with this master key and salt, sending (`inbound`
        /// false) or receiving. Errors are libsrtp2's `srtp_err_status_t`, the shim's -1
        /// (profile) and -2 (key length), or [`LibSrtp::NOT_LINKED`].
        pub fn new(profile: Profile, key: &[u8], salt: &[u8], inbound: bool) -> Result<Self, i32> {
            #[cfg(rtcam_libsrtp2)]
            {
                init()?;
                let mut material = [0u8; 64];
                let len = key.len() + salt.len();
                if len > material.len() {
                    return Err(-2);
                }
                material[..key.len()].copy_from_slice(key);
                material[key.len()..len].copy_from_slice(salt);
                let mut ctx = std::ptr::null_mut();
                // SAFETY: `ctx` is a valid out-pointer; `material` holds `len` readable
                // bytes for the duration of the call, and `srtp_create` derives its
                // session keys from them without keeping the pointer.
                let rc = unsafe {
                    ffi::rtcam_srtp_create(
                        &mut ctx,
                        i32::from(profile.id()),
                        material.as_ptr(),
                        len,
                        i32::from(inbound),
                    )
                };
                if rc != 0 {
                    return Err(rc);
                }
                std::ptr::NonNull::new(ctx)
                    .map(|ctx| LibSrtp { ctx })
                    .ok_or(-3)
            }
            #[cfg(not(rtcam_libsrtp2))]
            {
                let _ = (profile, key, salt, inbound);
                Err(LibSrtp::NOT_LINKED)
            }
        }

        /// `srtp_protect` on the RTP packet `buf[..len]` in place; returns the SRTP
        /// length. `buf` must extend `SRTP_MAX_TRAILER_LEN` (144) bytes past `len`, which
        /// is checked (-4 otherwise).
        pub fn protect(&mut self, buf: &mut [u8], len: usize) -> Result<usize, i32> {
            #[cfg(rtcam_libsrtp2)]
            {
                // SAFETY: a constant getter.
                let trailer = unsafe { ffi::rtcam_srtp_max_trailer() };
                if buf.len() < len.saturating_add(trailer) {
                    return Err(-4);
                }
                let mut n = i32::try_from(len).map_err(|_| -4)?;
                // SAFETY: `self.ctx` is a live session created by `srtp_create` and used
                // by this thread only (`&mut self`); `buf` is writable for `len` plus
                // `SRTP_MAX_TRAILER_LEN` bytes, all libsrtp2 may touch; `n` is a valid
                // in/out pointer.
                let rc =
                    unsafe { ffi::rtcam_srtp_protect(self.ctx.as_ptr(), buf.as_mut_ptr(), &mut n) };
                if rc != 0 {
                    return Err(rc);
                }
                usize::try_from(n).map_err(|_| -5)
            }
            #[cfg(not(rtcam_libsrtp2))]
            {
                let _ = (buf, len);
                match self._never {}
            }
        }

        /// `srtp_unprotect` on the SRTP packet `srtp` in place; returns the RTP length.
        pub fn unprotect(&mut self, srtp: &mut [u8]) -> Result<usize, i32> {
            #[cfg(rtcam_libsrtp2)]
            {
                let mut n = i32::try_from(srtp.len()).map_err(|_| -4)?;
                // SAFETY: `self.ctx` as in `protect`; `srtp_unprotect` reads and writes
                // only within the `n` bytes of `srtp` it is given (it only shortens the
                // packet); `n` is a valid in/out pointer.
                let rc = unsafe {
                    ffi::rtcam_srtp_unprotect(self.ctx.as_ptr(), srtp.as_mut_ptr(), &mut n)
                };
                if rc != 0 {
                    return Err(rc);
                }
                usize::try_from(n).map_err(|_| -5)
            }
            #[cfg(not(rtcam_libsrtp2))]
            {
                let _ = srtp;
                match self._never {}
            }
        }
    }

    impl LibSrtp {
        /// `srtp_remove_stream`: forgets the state (ROC, replay window) of `ssrc`, so its
        /// next packet starts a new stream from the session's template, which shares the
        /// template's prepared ciphers (no key set-up).
        pub fn remove_stream(&mut self, ssrc: u32) -> Result<(), i32> {
            #[cfg(rtcam_libsrtp2)]
            {
                // SAFETY: `self.ctx` as in `protect`; the shim converts `ssrc` to network
                // byte order.
                let rc = unsafe { ffi::rtcam_srtp_remove_stream(self.ctx.as_ptr(), ssrc) };
                if rc == 0 { Ok(()) } else { Err(rc) }
            }
            #[cfg(not(rtcam_libsrtp2))]
            {
                let _ = ssrc;
                match self._never {}
            }
        }
    }

    impl Drop for LibSrtp {
        fn drop(&mut self) {
            #[cfg(rtcam_libsrtp2)]
            // SAFETY: `self.ctx` came from `srtp_create` and is freed exactly once, here.
            unsafe {
                ffi::rtcam_srtp_dealloc(self.ctx.as_ptr())
            };
        }
    }
}
