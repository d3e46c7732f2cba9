//! One direction of SRTP/SRTCP protection: session keys derived once, per-SSRC state,
//! protect and unprotect in place in the caller's buffer.

use aes::cipher::{InnerIvInit, KeyInit, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes256};
use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes128Gcm, Aes256Gcm, Nonce, Tag};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::Error;
use super::profile::Profile;
use super::replay::ReplayWindow;

type Aes128Ctr = ctr::Ctr128BE<Aes128>;

/// KDF labels (RFC 3711 §4.3.2).
const LABEL_RTP_ENC: u8 = 0;
const LABEL_RTP_AUTH: u8 = 1;
const LABEL_RTP_SALT: u8 = 2;
const LABEL_RTCP_ENC: u8 = 3;
const LABEL_RTCP_AUTH: u8 = 4;
const LABEL_RTCP_SALT: u8 = 5;

/// The HMAC-SHA1 session authentication key (RFC 3711 §8.2: n_a = 160).
const CM_AUTH_KEY: usize = 20;
/// The HMAC-SHA1 tag SRTCP carries in the counter-mode profiles (RFC 5764 §4.1.2).
const RTCP_CM_TAG: usize = 10;
/// The GCM tag.
const GCM_TAG: usize = 16;
/// SRTCP's E flag.
const E_FLAG: u32 = 0x8000_0000;

/// The AES-CM key derivation function (RFC 3711 §4.3.1 with kdr = 0): the keystream of
/// AES in counter mode under the master key, from `(salt XOR label) || 0x0000`. GCM
/// profiles use it too, with their 12-byte salt padded to 14 (RFC 7714 §11).
fn derive(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    let mut iv = [0u8; 16];
    for (d, s) in iv.iter_mut().zip(master_salt) {
        *d = *s;
    }
    iv[7] ^= label;
    out.fill(0);
    if let Ok(mut c) = ctr::Ctr128BE::<Aes256>::new_from_slices(master_key, &iv) {
        c.apply_keystream(out);
    } else if let Ok(mut c) = Aes128Ctr::new_from_slices(master_key, &iv) {
        c.apply_keystream(out);
    }
}

/// Session keys for AES-CM + HMAC-SHA1, one set for RTP and one for RTCP.
#[derive(Clone)]
struct CmKeys {
    aes: Aes128,
    salt: [u8; 14],
    /// Keyed HMAC state, cloned per packet (no per-packet key setup).
    auth: Hmac<Sha1>,
}

impl CmKeys {
    fn derive(master_key: &[u8], master_salt: &[u8], labels: [u8; 3]) -> Result<CmKeys, Error> {
        let mut enc = [0u8; 16];
        let mut auth = [0u8; CM_AUTH_KEY];
        let mut salt = [0u8; 14];
        derive(master_key, master_salt, labels[0], &mut enc);
        derive(master_key, master_salt, labels[1], &mut auth);
        derive(master_key, master_salt, labels[2], &mut salt);
        CmKeys::new(&enc, &salt, &auth)
    }

    /// From session keys, derived or given (lengths checked by the caller).
    fn new(enc: &[u8], salt: &[u8], auth: &[u8]) -> Result<CmKeys, Error> {
        Ok(CmKeys {
            aes: Aes128::new_from_slice(enc).map_err(|_| Error::BadKeyLength)?,
            salt: salt.try_into().map_err(|_| Error::BadKeyLength)?,
            auth: <Hmac<Sha1> as Mac>::new_from_slice(auth).map_err(|_| Error::BadKeyLength)?,
        })
    }

    /// XORs the AES-CM keystream for (ssrc, index) into `data` (RFC 3711 §4.1.1).
    fn apply(&self, ssrc: u32, index: u64, data: &mut [u8]) {
        let mut iv = [0u8; 16];
        iv[..14].copy_from_slice(&self.salt);
        for (d, s) in iv[4..8].iter_mut().zip(ssrc.to_be_bytes()) {
            *d ^= s;
        }
        for (d, s) in iv[8..14].iter_mut().zip(&index.to_be_bytes()[2..]) {
            *d ^= s;
        }
        let mut c = Aes128Ctr::from_core(ctr::CtrCore::inner_iv_init(self.aes.clone(), &iv.into()));
        c.apply_keystream(data);
    }

    /// HMAC-SHA1 over `parts`, truncated to `out.len()`.
    fn tag(&self, parts: &[&[u8]], out: &mut [u8]) {
        let mut mac = self.auth.clone();
        for p in parts {
            mac.update(p);
        }
        let full = mac.finalize().into_bytes();
        for (d, s) in out.iter_mut().zip(full.iter()) {
            *d = *s;
        }
    }
}

/// Session keys for AES-GCM.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // no heap: the key schedule lives inline
enum Gcm {
    Aes128(Aes128Gcm),
    Aes256(Aes256Gcm),
}

#[derive(Clone)]
struct GcmKeys {
    aead: Gcm,
    salt: [u8; 12],
}

impl GcmKeys {
    fn derive(
        master_key: &[u8],
        master_salt: &[u8],
        enc_label: u8,
        salt_label: u8,
    ) -> Result<GcmKeys, Error> {
        let mut salt = [0u8; 12];
        derive(master_key, master_salt, salt_label, &mut salt);
        // Every profile's session key is as long as its master key.
        let mut k = [0u8; 32];
        let k = k.get_mut(..master_key.len()).ok_or(Error::BadKeyLength)?;
        derive(master_key, master_salt, enc_label, k);
        GcmKeys::new(k, &salt)
    }

    /// From a session key (16 or 32 bytes: AES-128 or AES-256) and 12-byte session salt.
    fn new(key: &[u8], salt: &[u8]) -> Result<GcmKeys, Error> {
        let aead = match key.len() {
            32 => Aes256Gcm::new_from_slice(key).map(Gcm::Aes256),
            _ => Aes128Gcm::new_from_slice(key).map(Gcm::Aes128),
        }
        .map_err(|_| Error::BadKeyLength)?;
        Ok(GcmKeys {
            aead,
            salt: salt.try_into().map_err(|_| Error::BadKeyLength)?,
        })
    }

    /// The 12-byte nonce: the salt XOR (two zero bytes || `mid`).
    fn nonce(&self, mid: [u8; 10]) -> [u8; 12] {
        let mut n = self.salt;
        for (d, m) in n.iter_mut().skip(2).zip(mid) {
            *d ^= m;
        }
        n
    }

    fn seal(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8]) -> [u8; GCM_TAG] {
        let nonce = Nonce::from_slice(nonce);
        let tag = match &self.aead {
            Gcm::Aes128(a) => a.encrypt_in_place_detached(nonce, aad, data),
            Gcm::Aes256(a) => a.encrypt_in_place_detached(nonce, aad, data),
        };
        tag.map(Into::into).unwrap_or([0; GCM_TAG])
    }

    fn open(&self, nonce: &[u8; 12], aad: &[u8], data: &mut [u8], tag: &[u8]) -> Result<(), Error> {
        let nonce = Nonce::from_slice(nonce);
        let tag = Tag::from_slice(tag);
        match &self.aead {
            Gcm::Aes128(a) => a.decrypt_in_place_detached(nonce, aad, data, tag),
            Gcm::Aes256(a) => a.decrypt_in_place_detached(nonce, aad, data, tag),
        }
        .map_err(|_| Error::AuthenticationFailed)
    }
}

#[derive(Clone)]
#[allow(clippy::large_enum_variant)] // no heap: the key schedules live inline
enum Keys {
    Cm {
        rtp: CmKeys,
        rtcp: CmKeys,
        rtp_tag: usize,
    },
    Gcm {
        rtp: GcmKeys,
        rtcp: GcmKeys,
    },
}

/// What one SSRC needs across packets.
#[derive(Debug, Clone, Copy)]
struct Stream {
    ssrc: u32,
    /// Rollover counter and highest sequence number (RFC 3711 §3.3.1).
    roc: u32,
    highest_seq: u16,
    rtp_replay: ReplayWindow,
    /// Next SRTCP index to send, and the window of those received.
    rtcp_index: u32,
    rtcp_replay: ReplayWindow,
}

impl Stream {
    fn new(ssrc: u32, seq: u16) -> Stream {
        Stream {
            ssrc,
            roc: 0,
            highest_seq: seq,
            rtp_replay: ReplayWindow::default(),
            rtcp_index: 0,
            rtcp_replay: ReplayWindow::default(),
        }
    }

    /// The 48-bit packet index of `seq`, guessing its ROC (RFC 3711 appendix A).
    fn estimate(&self, seq: u16) -> (u32, u64) {
        let s_l = i32::from(self.highest_seq);
        let s = i32::from(seq);
        let v = if s_l < 32768 {
            // ROC 0 has no predecessor (libsrtp agrees): never guess "before the start".
            if s - s_l > 32768 && self.roc > 0 {
                self.roc - 1
            } else {
                self.roc
            }
        } else if s_l - 32768 > s {
            self.roc.wrapping_add(1)
        } else {
            self.roc
        };
        (v, (u64::from(v) << 16) | u64::from(seq))
    }

    /// Moves the highest index forward after an authenticated (or sent) packet.
    fn advance(&mut self, roc: u32, seq: u16) {
        let current = (u64::from(self.roc) << 16) | u64::from(self.highest_seq);
        let index = (u64::from(roc) << 16) | u64::from(seq);
        if index > current {
            self.roc = roc;
            self.highest_seq = seq;
        }
    }
}

/// Session keys for one of SRTP or SRTCP, for [`Context::from_session_keys`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SessionKeys<'a> {
    /// The session encryption key.
    pub key: &'a [u8],
    /// The session salt.
    pub salt: &'a [u8],
    /// The session authentication key (HMAC-SHA1, counter-mode profiles); empty for AEAD.
    pub auth: &'a [u8],
}

impl core::fmt::Debug for SessionKeys<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SessionKeys(redacted)")
    }
}

/// Counters the caller reports (`packetsFailedDecryption` and friends).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Packets whose authentication tag did not verify.
    pub authentication_failures: u32,
    /// Packets rejected as replays or as older than the replay window.
    pub replays: u32,
    /// Packets too short or not RTP/RTCP.
    pub malformed: u32,
    /// Packets from a new SSRC when the stream table was full.
    pub streams_refused: u32,
}

/// SRTP and SRTCP for one direction of one session (the DTLS exporter gives one for
/// what we send and one for what we receive). `STREAMS` bounds the number of SSRCs.
pub struct Context<const STREAMS: usize = 8> {
    profile: Profile,
    keys: Keys,
    streams: heapless::Vec<Stream, STREAMS>,
    stats: Stats,
}

/// Byte offsets of an RTP packet's parts.
fn rtp_header_len(p: &[u8]) -> Result<usize, Error> {
    let first = *p.first().ok_or(Error::Malformed)?;
    if p.len() < 12 || first >> 6 != 2 {
        return Err(Error::Malformed);
    }
    let mut len = 12 + 4 * usize::from(first & 0x0f);
    if first & 0x10 != 0 {
        len += 4 + 4 * usize::from(be16(p, len + 2)?);
    }
    if len > p.len() {
        return Err(Error::Malformed);
    }
    Ok(len)
}

fn be16(p: &[u8], at: usize) -> Result<u16, Error> {
    let b: [u8; 2] = p
        .get(at..at + 2)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::Malformed)?;
    Ok(u16::from_be_bytes(b))
}

fn be32(p: &[u8], at: usize) -> Result<u32, Error> {
    let b: [u8; 4] = p
        .get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::Malformed)?;
    Ok(u32::from_be_bytes(b))
}

fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

impl<const STREAMS: usize> Context<STREAMS> {
    /// Derives the session keys from a master key and salt (RFC 3711 §4.3, RFC 7714 §11).
    pub fn new(profile: Profile, master_key: &[u8], master_salt: &[u8]) -> Result<Self, Error> {
        if master_key.len() != profile.master_key_len()
            || master_salt.len() != profile.master_salt_len()
        {
            return Err(Error::BadKeyLength);
        }
        let keys = if profile.is_aead() {
            Keys::Gcm {
                rtp: GcmKeys::derive(master_key, master_salt, LABEL_RTP_ENC, LABEL_RTP_SALT)?,
                rtcp: GcmKeys::derive(master_key, master_salt, LABEL_RTCP_ENC, LABEL_RTCP_SALT)?,
            }
        } else {
            Keys::Cm {
                rtp: CmKeys::derive(
                    master_key,
                    master_salt,
                    [LABEL_RTP_ENC, LABEL_RTP_AUTH, LABEL_RTP_SALT],
                )?,
                rtcp: CmKeys::derive(
                    master_key,
                    master_salt,
                    [LABEL_RTCP_ENC, LABEL_RTCP_AUTH, LABEL_RTCP_SALT],
                )?,
                rtp_tag: profile.rtp_overhead(),
            }
        };
        Ok(Context::with_keys(profile, keys))
    }

    /// Takes the session keys as they are, skipping key derivation: for test vectors
    /// (RFC 7714 §16 and §17 state session keys, not master keys) and for keys that arrive
    /// already derived. SDES (RFC 4568) and DTLS-SRTP deliver master keys: use [`Self::new`].
    /// Lengths: key and salt as the profile's master key and salt; `auth` 20 bytes for the
    /// counter-mode profiles, empty for the AEAD ones. Otherwise [`Error::BadKeyLength`].
    pub fn from_session_keys(
        profile: Profile,
        rtp: SessionKeys<'_>,
        rtcp: SessionKeys<'_>,
    ) -> Result<Self, Error> {
        let auth_len = if profile.is_aead() { 0 } else { CM_AUTH_KEY };
        for k in [&rtp, &rtcp] {
            if k.key.len() != profile.master_key_len()
                || k.salt.len() != profile.master_salt_len()
                || k.auth.len() != auth_len
            {
                return Err(Error::BadKeyLength);
            }
        }
        let keys = if profile.is_aead() {
            Keys::Gcm {
                rtp: GcmKeys::new(rtp.key, rtp.salt)?,
                rtcp: GcmKeys::new(rtcp.key, rtcp.salt)?,
            }
        } else {
            Keys::Cm {
                rtp: CmKeys::new(rtp.key, rtp.salt, rtp.auth)?,
                rtcp: CmKeys::new(rtcp.key, rtcp.salt, rtcp.auth)?,
                rtp_tag: profile.rtp_overhead(),
            }
        };
        Ok(Context::with_keys(profile, keys))
    }

    fn with_keys(profile: Profile, keys: Keys) -> Self {
        Context {
            profile,
            keys,
            streams: heapless::Vec::new(),
            stats: Stats::default(),
        }
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Drop counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    fn stream(&mut self, ssrc: u32, seq: u16) -> Result<usize, Error> {
        if let Some(i) = self.streams.iter().position(|s| s.ssrc == ssrc) {
            return Ok(i);
        }
        if self.streams.push(Stream::new(ssrc, seq)).is_err() {
            self.stats.streams_refused += 1;
            return Err(Error::TooManyStreams);
        }
        Ok(self.streams.len() - 1)
    }

    fn malformed<T>(&mut self) -> Result<T, Error> {
        self.stats.malformed += 1;
        Err(Error::Malformed)
    }

    /// Protects the RTP packet in `buf[..len]` in place and appends the tag; returns the
    /// SRTP length. `buf` needs [`Profile::rtp_overhead`] bytes of room after `len`.
    pub fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let overhead = self.profile.rtp_overhead();
        let out_len = len + overhead;
        if buf.len() < out_len {
            return Err(Error::BufferTooSmall);
        }
        let Some(packet) = buf.get(..len) else {
            return self.malformed();
        };
        let Ok(header) = rtp_header_len(packet) else {
            return self.malformed();
        };
        let seq = be16(packet, 2)?;
        let ssrc = be32(packet, 8)?;
        let i = self.stream(ssrc, seq)?;
        let stream = self.streams.get_mut(i).ok_or(Error::TooManyStreams)?;
        let (roc, index) = stream.estimate(seq);
        stream.advance(roc, seq);
        let (head, rest) = buf.split_at_mut(header);
        let (payload, tail) = rest.split_at_mut(len - header);
        match &self.keys {
            Keys::Cm { rtp, rtp_tag, .. } => {
                rtp.apply(ssrc, index, payload);
                let tag = tail.get_mut(..*rtp_tag).ok_or(Error::BufferTooSmall)?;
                rtp.tag(&[head, payload, &roc.to_be_bytes()], tag);
            }
            Keys::Gcm { rtp, .. } => {
                let nonce = rtp.nonce(rtp_nonce(ssrc, roc, seq));
                let tag = rtp.seal(&nonce, head, payload);
                tail.get_mut(..GCM_TAG)
                    .ok_or(Error::BufferTooSmall)?
                    .copy_from_slice(&tag);
            }
        }
        Ok(out_len)
    }

    /// Authenticates and decrypts the SRTP packet `buf` in place; returns the RTP length.
    /// Authentication failures and replays are errors, counted in [`Stats`].
    pub fn unprotect_rtp(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let overhead = self.profile.rtp_overhead();
        let Some(len) = buf.len().checked_sub(overhead) else {
            return self.malformed();
        };
        let Ok(header) = buf
            .get(..len)
            .ok_or(Error::Malformed)
            .and_then(rtp_header_len)
        else {
            return self.malformed();
        };
        let seq = be16(buf, 2)?;
        let ssrc = be32(buf, 8)?;
        let known = self.streams.iter().position(|s| s.ssrc == ssrc);
        let stream = match known {
            Some(i) => self.streams.get(i).copied().ok_or(Error::TooManyStreams)?,
            None => Stream::new(ssrc, seq),
        };
        let (roc, index) = stream.estimate(seq);
        if !stream.rtp_replay.check(index) {
            self.stats.replays += 1;
            return Err(Error::Replayed);
        }
        let (head, rest) = buf.split_at_mut(header);
        let (payload, tag) = rest.split_at_mut(len - header);
        let verified = match &self.keys {
            Keys::Cm { rtp, rtp_tag, .. } => {
                let mut expected = [0u8; 10];
                let expected = expected.get_mut(..*rtp_tag).unwrap_or(&mut []);
                rtp.tag(&[head, payload, &roc.to_be_bytes()], expected);
                if ct_eq(expected, tag) {
                    rtp.apply(ssrc, index, payload);
                    Ok(())
                } else {
                    Err(Error::AuthenticationFailed)
                }
            }
            Keys::Gcm { rtp, .. } => {
                let nonce = rtp.nonce(rtp_nonce(ssrc, roc, seq));
                rtp.open(&nonce, head, payload, tag)
            }
        };
        if let Err(e) = verified {
            self.stats.authentication_failures += 1;
            return Err(e);
        }
        // Only an authenticated packet may create a stream or move its state.
        let i = match known {
            Some(i) => i,
            None => self.stream(ssrc, seq)?,
        };
        if let Some(s) = self.streams.get_mut(i) {
            s.rtp_replay.accept(index);
            s.advance(roc, seq);
        }
        Ok(len)
    }

    /// Protects the RTCP compound packet in `buf[..len]` in place, appending the SRTCP
    /// index and tag; returns the SRTCP length. Room: [`Profile::rtcp_overhead`].
    pub fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, Error> {
        let out_len = len + self.profile.rtcp_overhead();
        if buf.len() < out_len {
            return Err(Error::BufferTooSmall);
        }
        if len < 8 || buf.first().is_none_or(|b| b >> 6 != 2) {
            return self.malformed();
        }
        let ssrc = be32(buf, 4)?;
        let i = self.stream(ssrc, 0)?;
        let stream = self.streams.get_mut(i).ok_or(Error::TooManyStreams)?;
        let index = stream.rtcp_index & !E_FLAG;
        stream.rtcp_index = (index + 1) & !E_FLAG;
        let e_index = (E_FLAG | index).to_be_bytes();
        match &self.keys {
            Keys::Cm { rtcp, .. } => {
                let (packet, tail) = buf.split_at_mut(len);
                let (head, body) = packet.split_at_mut(8);
                rtcp.apply(ssrc, u64::from(index), body);
                let (idx, tag) = tail.split_at_mut(4);
                idx.copy_from_slice(&e_index);
                let tag = tag.get_mut(..RTCP_CM_TAG).ok_or(Error::BufferTooSmall)?;
                rtcp.tag(&[head, body, &e_index], tag);
            }
            Keys::Gcm { rtcp, .. } => {
                let (packet, tail) = buf.split_at_mut(len);
                let (head, body) = packet.split_at_mut(8);
                let mut aad = [0u8; 12];
                aad[..8].copy_from_slice(head);
                aad[8..].copy_from_slice(&e_index);
                let nonce = rtcp.nonce(rtcp_nonce(ssrc, index));
                let tag = rtcp.seal(&nonce, &aad, body);
                let (t, idx) = tail.split_at_mut(GCM_TAG);
                t.copy_from_slice(&tag);
                idx.get_mut(..4)
                    .ok_or(Error::BufferTooSmall)?
                    .copy_from_slice(&e_index);
            }
        }
        Ok(out_len)
    }

    /// Authenticates and decrypts the SRTCP packet `buf` in place; returns the RTCP length.
    pub fn unprotect_rtcp(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let overhead = self.profile.rtcp_overhead();
        let Some(len) = buf.len().checked_sub(overhead) else {
            return self.malformed();
        };
        if len < 8 || buf.first().is_none_or(|b| b >> 6 != 2) {
            return self.malformed();
        }
        let ssrc = be32(buf, 4)?;
        let e_index_at = if self.profile.is_aead() {
            buf.len() - 4
        } else {
            len
        };
        let e_index = be32(buf, e_index_at)?;
        let index = e_index & !E_FLAG;
        let encrypted = e_index & E_FLAG != 0;
        let known = self.streams.iter().position(|s| s.ssrc == ssrc);
        let window = known
            .and_then(|i| self.streams.get(i))
            .map(|s| s.rtcp_replay)
            .unwrap_or_default();
        if !window.check(u64::from(index)) {
            self.stats.replays += 1;
            return Err(Error::Replayed);
        }
        let verified = match &self.keys {
            Keys::Cm { rtcp, .. } => {
                let (authed, tag) = buf.split_at_mut(len + 4);
                let mut expected = [0u8; RTCP_CM_TAG];
                rtcp.tag(&[authed], &mut expected);
                if ct_eq(&expected, tag) {
                    if encrypted {
                        let body = authed.get_mut(8..len).unwrap_or(&mut []);
                        rtcp.apply(ssrc, u64::from(index), body);
                    }
                    Ok(())
                } else {
                    Err(Error::AuthenticationFailed)
                }
            }
            Keys::Gcm { rtcp, .. } => {
                let nonce = rtcp.nonce(rtcp_nonce(ssrc, index));
                if encrypted {
                    let (packet, tail) = buf.split_at_mut(len);
                    let (head, body) = packet.split_at_mut(8);
                    let mut aad = [0u8; 12];
                    aad[..8].copy_from_slice(head);
                    aad[8..].copy_from_slice(&e_index.to_be_bytes());
                    let tag = tail.get(..GCM_TAG).unwrap_or(&[]);
                    rtcp.open(&nonce, &aad, body, tag)
                } else {
                    // Tagged only (RFC 7714 §9.4): the whole packet and the E/index word
                    // are the AAD. Move the word in front of the tag so they are one slice;
                    // the bytes after `len` are the caller's to discard anyway.
                    let tail = buf.get_mut(len..).unwrap_or(&mut []);
                    tail.rotate_right(4);
                    let (aad, tag) = buf.split_at_mut(len + 4);
                    rtcp.open(&nonce, aad, &mut [], tag)
                }
            }
        };
        if let Err(e) = verified {
            self.stats.authentication_failures += 1;
            return Err(e);
        }
        let i = match known {
            Some(i) => i,
            None => self.stream(ssrc, 0)?,
        };
        if let Some(s) = self.streams.get_mut(i) {
            s.rtcp_replay.accept(u64::from(index));
        }
        Ok(len)
    }
}

/// The middle ten bytes of an RTP GCM nonce: SSRC, ROC, SEQ (RFC 7714 §8.1).
fn rtp_nonce(ssrc: u32, roc: u32, seq: u16) -> [u8; 10] {
    let mut m = [0u8; 10];
    m[..4].copy_from_slice(&ssrc.to_be_bytes());
    m[4..8].copy_from_slice(&roc.to_be_bytes());
    m[8..].copy_from_slice(&seq.to_be_bytes());
    m
}

/// The middle ten bytes of an RTCP GCM nonce: SSRC, two zero bytes, SRTCP index
/// (RFC 7714 §9.1).
fn rtcp_nonce(ssrc: u32, index: u32) -> [u8; 10] {
    let mut m = [0u8; 10];
    m[..4].copy_from_slice(&ssrc.to_be_bytes());
    m[6..].copy_from_slice(&index.to_be_bytes());
    m
}

/// Derivation helpers exposed for the RFC 3711 appendix B test vectors.
#[doc(hidden)]
pub fn kdf(master_key: &[u8], master_salt: &[u8], label: u8, out: &mut [u8]) {
    derive(master_key, master_salt, label, out);
}
