//! What a DTLS endpoint needs to know before its first datagram: its role, its identity, the
//! peer's pinned fingerprint, what to negotiate, and its timers.

use core::time::Duration;

use crate::dtls::Error;
use crate::dtls::cert::{Fingerprint, Identity};
use crate::dtls::wire::CipherSuite;
use crate::srtp::Profile;

/// Which side of the DTLS handshake we are: WebRTC's `a=setup` decides (`active` = client).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Sends the ClientHello (`a=setup:active`).
    Client,
    /// Answers it (`a=setup:passive`).
    Server,
}

/// The cipher suites we implement, in our default preference order.
pub const DEFAULT_CIPHER_SUITES: [CipherSuite; 3] = [
    CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
    CipherSuite::ECDHE_ECDSA_AES256_GCM_SHA384,
    CipherSuite::ECDHE_RSA_AES128_GCM_SHA256,
];

/// Default path MTU for handshake flights: safe for every path WebRTC meets (IPv6 + TURN).
pub const DEFAULT_MTU: usize = 1200;

/// Everything an [`crate::dtls::Endpoint`] is configured with.
#[derive(Clone)]
pub struct Config {
    /// Client or server.
    pub role: Role,
    /// Our certificate and signing key (ECDSA P-256).
    pub identity: Identity,
    /// What the peer's certificate must hash to (its SDP `a=fingerprint`): anything else
    /// fails the handshake closed with [`Error::FingerprintMismatch`].
    pub peer_fingerprint: Fingerprint,
    /// SRTP profiles in our preference order (a server picks the first the client offers;
    /// a client offers them in this order).
    pub srtp_profiles: heapless::Vec<Profile, 4>,
    /// Cipher suites in preference order. A server only ever picks ECDHE_ECDSA suites (our
    /// certificate is ECDSA); ECDHE_RSA is for a client talking to an RSA-certificate server.
    pub cipher_suites: heapless::Vec<CipherSuite, 4>,
    /// Largest datagram a handshake flight is packed into (UDP payload bytes).
    pub mtu: usize,
    /// Server only: answer a ClientHello without a valid cookie with a HelloVerifyRequest
    /// (RFC 6347 §4.2.1), so a spoofed source cannot make us do ECDHE and signing work.
    pub hello_verify: bool,
    /// First retransmission timeout (RFC 6347 §4.2.4.1: 1 s).
    pub initial_rto: Duration,
    /// Retransmission timeout cap (60 s).
    pub max_rto: Duration,
    /// The whole handshake must finish within this long after the endpoint is created.
    pub handshake_timeout: Duration,
}

impl Config {
    /// A configuration with the defaults: all four SRTP profiles (AEAD first), all three
    /// suites, MTU 1200, HelloVerifyRequest off, 1 s → 60 s retransmission, 30 s handshake.
    pub fn new(role: Role, identity: Identity, peer_fingerprint: Fingerprint) -> Config {
        let mut srtp_profiles = heapless::Vec::new();
        for p in Profile::ALL {
            let _ = srtp_profiles.push(p);
        }
        let mut cipher_suites = heapless::Vec::new();
        for s in DEFAULT_CIPHER_SUITES {
            let _ = cipher_suites.push(s);
        }
        Config {
            role,
            identity,
            peer_fingerprint,
            srtp_profiles,
            cipher_suites,
            mtu: DEFAULT_MTU,
            hello_verify: false,
            initial_rto: Duration::from_secs(1),
            max_rto: Duration::from_secs(60),
            handshake_timeout: Duration::from_secs(30),
        }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        let known = |s: &CipherSuite| DEFAULT_CIPHER_SUITES.contains(s);
        if self.srtp_profiles.is_empty()
            || self.cipher_suites.is_empty()
            || !self.cipher_suites.iter().all(known)
            || self.mtu < 128
            || self.initial_rto.is_zero()
        {
            return Err(Error::BadConfig);
        }
        Ok(())
    }
}

impl core::fmt::Debug for Config {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Config")
            .field("role", &self.role)
            .field("peer_fingerprint", &self.peer_fingerprint)
            .field("srtp_profiles", &self.srtp_profiles)
            .field("cipher_suites", &self.cipher_suites)
            .field("mtu", &self.mtu)
            .field("hello_verify", &self.hello_verify)
            .finish_non_exhaustive()
    }
}
