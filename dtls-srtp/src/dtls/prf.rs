//! The TLS 1.2 pseudo-random function (RFC 5246 §5) and everything derived from it: master
//! secret (plain and extended, RFC 7627), key block, Finished verify_data, and the RFC 5705
//! keying-material exporter that yields the SRTP keys (RFC 5764 §4.2).
//!
//! Seeds are passed as lists of slices, so nothing is concatenated into a scratch buffer.

use core::fmt;

use hmac::digest::{FixedOutputReset, KeyInit};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256, Sha384};
use subtle::ConstantTimeEq;

use crate::dtls::Error;
use crate::dtls::wire::RANDOM_LEN;

/// Length of the master secret.
pub const MASTER_SECRET_LEN: usize = 48;
/// Length of Finished verify_data for every suite we implement.
pub const VERIFY_DATA_LEN: usize = 12;
/// The DTLS-SRTP exporter label (RFC 5764 §4.2).
pub const SRTP_EXPORTER_LABEL: &[u8] = b"EXTRACTOR-dtls_srtp";
/// Largest hash output (SHA-384).
pub const MAX_HASH_LEN: usize = 48;

/// The PRF's hash, fixed by the cipher suite (SHA-256 unless the suite says SHA-384).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrfHash {
    /// P_SHA256.
    Sha256,
    /// P_SHA384.
    Sha384,
}

impl PrfHash {
    /// The hash output length.
    pub const fn output_len(self) -> usize {
        match self {
            PrfHash::Sha256 => 32,
            PrfHash::Sha384 => 48,
        }
    }
}

/// P_hash (RFC 5246 §5): fills `out` from HMAC(secret, A(i) ‖ seed).
fn p_hash<M: Mac + KeyInit + Clone>(secret: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let Ok(base) = <M as KeyInit>::new_from_slice(secret) else {
        // HMAC takes keys of any length; unreachable, but never panic.
        out.fill(0);
        return;
    };
    // A(1) = HMAC(secret, seed)
    let mut mac = base.clone();
    for part in seed {
        mac.update(part);
    }
    let mut a = mac.finalize().into_bytes();
    for chunk in out.chunks_mut(a.len()) {
        let mut mac = base.clone();
        mac.update(&a);
        for part in seed {
            mac.update(part);
        }
        let block = mac.finalize().into_bytes();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o = *b;
        }
        let mut mac = base.clone();
        mac.update(&a);
        a = mac.finalize().into_bytes();
    }
}

/// PRF(secret, label, seed) (RFC 5246 §5), filling `out`. `seed` is the concatenation of
/// its parts (at most 7; the exporter with a context needs 4).
pub fn prf(hash: PrfHash, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let mut parts: heapless::Vec<&[u8], 8> = heapless::Vec::new();
    let _ = parts.push(label);
    for s in seed.iter().take(7) {
        let _ = parts.push(s);
    }
    match hash {
        PrfHash::Sha256 => p_hash::<Hmac<Sha256>>(secret, &parts, out),
        PrfHash::Sha384 => p_hash::<Hmac<Sha384>>(secret, &parts, out),
    }
}

/// The 48-byte master secret. Debug never prints it.
#[derive(Clone, PartialEq, Eq)]
pub struct MasterSecret(pub [u8; MASTER_SECRET_LEN]);

impl MasterSecret {
    /// The secret's bytes (for a key log, in tests only).
    pub fn as_bytes(&self) -> &[u8; MASTER_SECRET_LEN] {
        &self.0
    }
}

impl fmt::Debug for MasterSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterSecret(redacted)")
    }
}

/// master_secret = PRF(pre_master, "master secret", client_random ‖ server_random)
/// (RFC 5246 §8.1): only for peers that do not offer extended_master_secret.
pub fn master_secret(
    hash: PrfHash,
    pre_master: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    let mut ms = [0u8; MASTER_SECRET_LEN];
    prf(
        hash,
        pre_master,
        b"master secret",
        &[client_random, server_random],
        &mut ms,
    );
    MasterSecret(ms)
}

/// master_secret = PRF(pre_master, "extended master secret", session_hash) (RFC 7627 §4):
/// `session_hash` is the transcript hash up to and including ClientKeyExchange.
pub fn extended_master_secret(
    hash: PrfHash,
    pre_master: &[u8],
    session_hash: &[u8],
) -> MasterSecret {
    let mut ms = [0u8; MASTER_SECRET_LEN];
    prf(
        hash,
        pre_master,
        b"extended master secret",
        &[session_hash],
        &mut ms,
    );
    MasterSecret(ms)
}

/// key_block = PRF(master, "key expansion", server_random ‖ client_random) (RFC 5246 §6.3),
/// filling `out` (see `record_crypto::key_block_len`).
pub fn key_block(
    hash: PrfHash,
    master: &MasterSecret,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    out: &mut [u8],
) {
    prf(
        hash,
        &master.0,
        b"key expansion",
        &[server_random, client_random],
        out,
    );
}

/// Which side wrote a Finished message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The DTLS client.
    Client,
    /// The DTLS server.
    Server,
}

/// Finished verify_data = PRF(master, "client finished" | "server finished",
/// Hash(handshake_messages))[..12] (RFC 5246 §7.4.9).
pub fn verify_data(
    hash: PrfHash,
    master: &MasterSecret,
    side: Side,
    handshake_hash: &[u8],
) -> [u8; VERIFY_DATA_LEN] {
    let label: &[u8] = match side {
        Side::Client => b"client finished",
        Side::Server => b"server finished",
    };
    let mut out = [0u8; VERIFY_DATA_LEN];
    prf(hash, &master.0, label, &[handshake_hash], &mut out);
    out
}

/// Compares a received verify_data with the expected one in constant time.
pub fn verify_data_matches(expected: &[u8; VERIFY_DATA_LEN], received: &[u8]) -> bool {
    received.len() == VERIFY_DATA_LEN && bool::from(expected.ct_eq(received))
}

/// The RFC 5705 exporter: PRF(master, label, client_random ‖ server_random [‖ u16 len ‖
/// context]) filling `out`.
///
/// Refuses the labels the handshake itself uses (RFC 5705 §4), so an exporter caller can
/// never learn a Finished value or key block.
pub fn export_keying_material(
    hash: PrfHash,
    master: &MasterSecret,
    label: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    context: Option<&[u8]>,
    out: &mut [u8],
) -> Result<(), Error> {
    const RESERVED: [&[u8]; 5] = [
        b"client finished",
        b"server finished",
        b"master secret",
        b"key expansion",
        b"extended master secret",
    ];
    if RESERVED.contains(&label) {
        return Err(Error::BadValue);
    }
    match context {
        None => prf(hash, &master.0, label, &[client_random, server_random], out),
        Some(ctx) => {
            let len = u16::try_from(ctx.len()).map_err(|_| Error::TooLong)?;
            prf(
                hash,
                &master.0,
                label,
                &[client_random, server_random, &len.to_be_bytes(), ctx],
                out,
            );
        }
    }
    Ok(())
}

/// The DTLS-SRTP keying material (RFC 5764 §4.2): the exporter with "EXTRACTOR-dtls_srtp"
/// and no context; hand it to [`crate::srtp::split_keying_material`].
pub fn export_srtp_keying_material(
    hash: PrfHash,
    master: &MasterSecret,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    out: &mut [u8],
) {
    prf(
        hash,
        &master.0,
        SRTP_EXPORTER_LABEL,
        &[client_random, server_random],
        out,
    );
}

/// A hash value of up to 48 bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HashValue {
    bytes: [u8; MAX_HASH_LEN],
    len: usize,
}

impl HashValue {
    /// The hash bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

impl fmt::Debug for HashValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// The running hash of the handshake transcript (RFC 5246 §7.4.9, RFC 6347 §4.2.6: each
/// message as if unfragmented, header included), with the PRF's hash.
#[derive(Clone)]
pub enum TranscriptHash {
    /// SHA-256 suites.
    Sha256(Sha256),
    /// SHA-384 suites.
    Sha384(Sha384),
}

impl fmt::Debug for TranscriptHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TranscriptHash::Sha256(_) => "TranscriptHash(SHA-256)",
            TranscriptHash::Sha384(_) => "TranscriptHash(SHA-384)",
        })
    }
}

impl TranscriptHash {
    /// An empty transcript.
    pub fn new(hash: PrfHash) -> Self {
        match hash {
            PrfHash::Sha256 => TranscriptHash::Sha256(Sha256::new()),
            PrfHash::Sha384 => TranscriptHash::Sha384(Sha384::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            TranscriptHash::Sha256(h) => Digest::update(h, data),
            TranscriptHash::Sha384(h) => Digest::update(h, data),
        }
    }

    /// The hash of everything so far; the transcript continues.
    pub fn current(&self) -> HashValue {
        let mut bytes = [0u8; MAX_HASH_LEN];
        let len = match self.clone() {
            TranscriptHash::Sha256(mut h) => copy_into(&mut bytes, &h.finalize_fixed_reset()),
            TranscriptHash::Sha384(mut h) => copy_into(&mut bytes, &h.finalize_fixed_reset()),
        };
        HashValue { bytes, len }
    }
}

fn copy_into(dst: &mut [u8; MAX_HASH_LEN], src: &[u8]) -> usize {
    let mut n = 0;
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
        n += 1;
    }
    n
}
