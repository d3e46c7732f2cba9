//! The DTLS handshake case: one complete DTLS 1.2 handshake for DTLS-SRTP (RFC 6347,
//! RFC 5764), client and server in the same thread, datagrams passed through memory —
//! what every WebRTC call pays once before its first media packet.
//!
//! Both sides of every implementation are configured alike: ECDHE on P-256, ECDSA P-256
//! certificates on both sides (the server asks for the client's), TLS_ECDHE_ECDSA_WITH_
//! AES_128_GCM_SHA256, use_srtp offering all four profiles (SRTP_AEAD_AES_128_GCM is
//! negotiated), extended master secret, no HelloVerifyRequest, MTU [`MTU`]. Each peer's
//! certificate is pinned by its SHA-256 fingerprint, and both sides end up holding the
//! [`KM_LEN`] bytes of "EXTRACTOR-dtls_srtp" keying material, which must be equal. The
//! certificates and keys are generated once, outside the timed loop.
//!
//! - rtcam: two [`Endpoint`]s ([`OursFixture`], [`ours_handshake`]) on a fixed virtual
//!   clock, randomness from the OS ([`OsRng`]: a few `getrandom` calls per handshake).
//!   Zero heap allocations. The keying material is part of [`Event::Connected`].
//! - OpenSSL 3 (Debian's `libssl-dev`, through the C shim `c/dtls_shim.c`): two `SSL`s
//!   over memory BIOs, then `SSL_export_keying_material` on both. Only on native builds
//!   (see `build.rs`): [`OPENSSL`] says whether it is linked.
//!
//! Where the time goes, per handshake (both sides together), is public-key arithmetic:
//! 2 ECDHE key generations (a fixed-base scalar multiplication each), 2 ECDH shared-secret
//! computations (variable-base), 2 ECDSA signatures (ServerKeyExchange, CertificateVerify)
//! and 2 ECDSA verifications. [`P256Primitives`] times each of those on its own with the
//! same p256 crate the engine uses, so the bench can print how much of our handshake they
//! are. The rest — SHA-256 transcripts and fingerprints, the PRF, two AES-GCM Finished
//! records, parsing, the certificate's DER — is small next to them.

use std::time::Duration;

use p256::ecdh::EphemeralSecret;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::{OsRng, RngCore};
use rtcam_dtls_srtp::dtls::cert::{
    CertParams, Fingerprint, HashAlgorithm, Identity, MAX_ECDSA_SIG_LEN, PublicKey, SignatureScheme,
};
use rtcam_dtls_srtp::dtls::wire::CipherSuite;
use rtcam_dtls_srtp::dtls::{Config, Connected, Endpoint, Event, Role};
use rtcam_dtls_srtp::srtp::Profile;

pub use openssl::{OPENSSL, OPENSSL_SKIPPED, OpenSsl};

/// Largest datagram of a flight, both implementations (rtcam's default).
pub const MTU: usize = 1200;
/// Keying material for SRTP_AEAD_AES_128_GCM: 2 × (16-byte key + 12-byte salt).
pub const KM_LEN: usize = 56;
/// The SRTP profile both implementations must negotiate (their first preference).
pub const PROFILE: Profile = Profile::AeadAes128Gcm;
/// The cipher suite both must negotiate.
pub const SUITE: CipherSuite = CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256;

/// The virtual clock both endpoints run on: no timer fires during a clean handshake.
const NOW: Duration = Duration::from_secs(1);

// ---------------------------------------------------------------------------------------
// rtcam

/// Both endpoints' configurations, identities included, made once.
#[derive(Debug, Clone)]
pub struct OursFixture {
    /// The client's (`a=setup:active`).
    pub client: Config,
    /// The server's.
    pub server: Config,
}

fn pin(id: &Identity) -> Fingerprint {
    id.fingerprint(HashAlgorithm::Sha256)
}

impl OursFixture {
    /// Two fresh identities (P-256 key + self-signed certificate), each side pinning the
    /// other's, default configuration otherwise (all four SRTP profiles with AEAD_AES_128_GCM
    /// first, ECDHE-ECDSA-AES128-GCM first, MTU 1200, no HelloVerifyRequest).
    pub fn new() -> OursFixture {
        let now_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        let params = CertParams::default();
        let c = Identity::generate(&mut OsRng, now_unix, &params).expect("client identity");
        let s = Identity::generate(&mut OsRng, now_unix, &params).expect("server identity");
        let (pin_c, pin_s) = (pin(&c), pin(&s));
        let client = Config::new(Role::Client, c, pin_s);
        let server = Config::new(Role::Server, s, pin_c);
        assert!(!server.hello_verify && client.mtu == MTU);
        OursFixture { client, server }
    }
}

impl Default for OursFixture {
    fn default() -> OursFixture {
        OursFixture::new()
    }
}

/// One complete handshake: two [`Endpoint`]s made from clones of the fixture's configs,
/// every datagram the client writes with `poll_transmit` handed at once to the server's
/// `handle_input` and back, until neither has anything to send; then both must report
/// [`Event::Connected`] with the same keying material, the expected profile and suite,
/// and EMS. Returns the client's. Both endpoints live on the stack (~11 KiB each);
/// zero heap allocations.
#[inline(never)]
pub fn ours_handshake(f: &OursFixture) -> Connected {
    let mut client = Endpoint::new(f.client.clone(), OsRng, NOW).expect("client endpoint");
    let mut server = Endpoint::new(f.server.clone(), OsRng, NOW).expect("server endpoint");
    let mut buf = [0u8; MTU];
    // A clean handshake is four flights; more rounds than that means a stall.
    for _ in 0..8 {
        let mut moved = false;
        while let Some(n) = client
            .poll_transmit(NOW, &mut buf)
            .expect("client transmit")
        {
            moved = true;
            let _ = server.handle_input(NOW, &mut buf[..n]);
        }
        while let Some(n) = server
            .poll_transmit(NOW, &mut buf)
            .expect("server transmit")
        {
            moved = true;
            let _ = client.handle_input(NOW, &mut buf[..n]);
        }
        if !moved {
            break;
        }
    }
    let connected = |ep: &mut Endpoint<OsRng>| loop {
        match ep.poll_event() {
            Some(Event::Connected(c)) => break c,
            Some(_) => continue,
            None => panic!("handshake did not complete: {ep:?}"),
        }
    };
    let c = connected(&mut client);
    let s = connected(&mut server);
    assert_eq!(
        c.keying_material, s.keying_material,
        "keying material differs"
    );
    assert!(c.srtp_profile == PROFILE && c.cipher_suite == SUITE && c.extended_master_secret);
    c
}

// ---------------------------------------------------------------------------------------
// The P-256 work inside ours

/// The public-key operations of one handshake side, on their own, with the p256 crate
/// (RustCrypto, 0.13) the engine uses. Each runs twice per handshake (once per side).
pub struct P256Primitives {
    identity: Identity,
    peer: p256::PublicKey,
    secret: EphemeralSecret,
    /// A ServerKeyExchange-sized signed message (randoms + ECDH parameters).
    message: [u8; 64 + 4 + 65],
    signature: [u8; MAX_ECDSA_SIG_LEN],
    signature_len: usize,
}

impl P256Primitives {
    /// A key pair, a peer public key and a signature to verify.
    pub fn new() -> P256Primitives {
        let identity =
            Identity::generate(&mut OsRng, 1_760_000_000, &CertParams::default()).expect("id");
        let peer = EphemeralSecret::random(&mut OsRng).public_key();
        let mut message = [0u8; 64 + 4 + 65];
        OsRng.fill_bytes(&mut message);
        let mut signature = [0u8; MAX_ECDSA_SIG_LEN];
        let signature_len = identity.sign(&message, &mut signature).expect("sign");
        P256Primitives {
            identity,
            peer,
            secret: EphemeralSecret::random(&mut OsRng),
            message,
            signature,
            signature_len,
        }
    }

    /// ECDHE key generation as the engine does it: a random scalar, then its public point
    /// encoded uncompressed (fixed-base scalar multiplication). Returns the point's last byte.
    #[inline(never)]
    pub fn keygen(&self) -> u8 {
        let secret = EphemeralSecret::random(&mut OsRng);
        let point = secret.public_key().to_encoded_point(false);
        point.as_bytes()[64]
    }

    /// The ECDH shared secret with the peer's point (variable-base scalar multiplication).
    #[inline(never)]
    pub fn ecdh(&self) -> u8 {
        self.secret.diffie_hellman(&self.peer).raw_secret_bytes()[0]
    }

    /// An ECDSA P-256 / SHA-256 signature (RFC 6979 nonce), DER-encoded.
    #[inline(never)]
    pub fn sign(&self) -> usize {
        let mut sig = [0u8; MAX_ECDSA_SIG_LEN];
        self.identity.sign(&self.message, &mut sig).expect("sign")
    }

    /// Verifying an ECDSA P-256 / SHA-256 DER signature.
    #[inline(never)]
    pub fn verify(&self) -> bool {
        PublicKey::EcP256(*self.identity.verifying_key())
            .verify(
                SignatureScheme::EcdsaSha256,
                &self.message,
                &self.signature[..self.signature_len],
            )
            .is_ok()
    }
}

impl std::fmt::Debug for P256Primitives {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets.
        f.debug_struct("P256Primitives").finish_non_exhaustive()
    }
}

impl Default for P256Primitives {
    fn default() -> P256Primitives {
        P256Primitives::new()
    }
}

// ---------------------------------------------------------------------------------------
// OpenSSL

/// The OpenSSL peer (FFI to `c/dtls_shim.c`). With the counting allocator and the libsrtp2
/// FFI, the only `unsafe` in this crate.
#[allow(unsafe_code)]
mod openssl {
    use super::KM_LEN;

    /// Whether OpenSSL is linked into this build (native builds with `libssl-dev`; see
    /// `build.rs`). Without it, [`OpenSsl::new`] returns `None`.
    pub const OPENSSL: bool = cfg!(rtcam_openssl);

    /// Why OpenSSL is not linked (`None` when it is).
    pub const OPENSSL_SKIPPED: Option<&str> = option_env!("RTCAM_OPENSSL_SKIPPED");

    #[cfg(rtcam_openssl)]
    mod ffi {
        use std::ffi::{c_char, c_int, c_long, c_void};

        // SAFETY (of the declarations): they match the definitions in c/dtls_shim.c, which
        // build.rs compiles and links into this crate together with libssl and libcrypto.
        unsafe extern "C" {
            pub(super) fn rtcam_openssl_version() -> *const c_char;
            pub(super) fn rtcam_dtls_fixture_new(mtu: c_long) -> *mut c_void;
            pub(super) fn rtcam_dtls_fixture_free(f: *mut c_void);
            pub(super) fn rtcam_dtls_handshake(
                f: *mut c_void,
                km_client: *mut u8,
                km_server: *mut u8,
                km_len: usize,
                profile: *mut c_int,
            ) -> c_int;
        }
    }

    /// Two OpenSSL `SSL_CTX`s (client and server), each with its own P-256 identity,
    /// made once. Not `Send`: it stays on the thread that made it.
    #[derive(Debug)]
    pub struct OpenSsl {
        #[cfg(rtcam_openssl)]
        fixture: std::ptr::NonNull<std::ffi::c_void>,
        #[cfg(not(rtcam_openssl))]
        _never: std::convert::Infallible,
    }

    impl OpenSsl {
        /// OpenSSL's version string, or `None` when it is not linked.
        pub fn version() -> Option<String> {
            #[cfg(rtcam_openssl)]
            {
                // SAFETY: `OpenSSL_version` returns a pointer to a static, NUL-terminated
                // string (or NULL, checked).
                let p = unsafe { ffi::rtcam_openssl_version() };
                if p.is_null() {
                    return None;
                }
                // SAFETY: non-null, NUL-terminated and static, as above.
                let s = unsafe { std::ffi::CStr::from_ptr(p) };
                Some(s.to_string_lossy().into_owned())
            }
            #[cfg(not(rtcam_openssl))]
            None
        }

        /// Generates both identities and contexts (MTU `mtu`). `None` when OpenSSL is not
        /// linked; panics when it is but the set-up fails.
        pub fn new(mtu: usize) -> Option<OpenSsl> {
            #[cfg(rtcam_openssl)]
            {
                let mtu = std::ffi::c_long::try_from(mtu).expect("MTU fits a long");
                // SAFETY: plain value argument; the result is NULL or a fixture we own.
                let p = unsafe { ffi::rtcam_dtls_fixture_new(mtu) };
                let fixture = std::ptr::NonNull::new(p).expect("OpenSSL DTLS fixture set-up");
                Some(OpenSsl { fixture })
            }
            #[cfg(not(rtcam_openssl))]
            {
                let _ = mtu;
                None
            }
        }

        /// One complete handshake (see the shim): returns the negotiated SRTP profile id
        /// and the keying material, which both sides exported alike; `Err` is the shim's
        /// error code, or -6 when the two sides' keying material differs.
        pub fn handshake(&mut self) -> Result<(u16, [u8; KM_LEN]), i32> {
            #[cfg(rtcam_openssl)]
            {
                let mut client = [0u8; KM_LEN];
                let mut server = [0u8; KM_LEN];
                let mut profile: std::ffi::c_int = 0;
                // SAFETY: the fixture is live (owned by `self`, used by this thread only),
                // both buffers hold `KM_LEN` writable bytes, `profile` is a valid int.
                let rc = unsafe {
                    ffi::rtcam_dtls_handshake(
                        self.fixture.as_ptr(),
                        client.as_mut_ptr(),
                        server.as_mut_ptr(),
                        KM_LEN,
                        &mut profile,
                    )
                };
                if rc != 0 {
                    return Err(rc);
                }
                if client != server {
                    return Err(-6);
                }
                Ok((u16::try_from(profile).unwrap_or(0), client))
            }
            #[cfg(not(rtcam_openssl))]
            match self._never {}
        }
    }

    impl Drop for OpenSsl {
        fn drop(&mut self) {
            // SAFETY: the fixture came from `rtcam_dtls_fixture_new` and is freed once.
            #[cfg(rtcam_openssl)]
            unsafe {
                ffi::rtcam_dtls_fixture_free(self.fixture.as_ptr())
            }
        }
    }
}
