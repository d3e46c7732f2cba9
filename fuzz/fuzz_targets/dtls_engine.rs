//! Both DTLS roles fed arbitrary datagrams and timer ticks: never panics, never yields
//! application data before the handshake completed.

#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rand_core::{CryptoRng, RngCore};
use rtcam_dtls_srtp::dtls::cert::{CertParams, HashAlgorithm, Identity};
use rtcam_dtls_srtp::dtls::{Config, Endpoint, Event, Role};

/// Deterministic randomness so crashes reproduce (fuzzing only).
struct FuzzRng(u64);

impl RngCore for FuzzRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for FuzzRng {}

fn identity() -> &'static Identity {
    static ID: OnceLock<Identity> = OnceLock::new();
    ID.get_or_init(|| {
        Identity::generate(&mut FuzzRng(7), 1_760_000_000, &CertParams::default()).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let id = identity();
    let fp = id.fingerprint(HashAlgorithm::Sha256);
    let role = if first & 1 == 0 {
        Role::Client
    } else {
        Role::Server
    };
    let mut config = Config::new(role, id.clone(), fp);
    config.hello_verify = first & 2 != 0;
    config.mtu = if first & 4 != 0 { 200 } else { 1200 };
    let mut ep = Endpoint::new(config, FuzzRng(u64::from(first)), Duration::ZERO).unwrap();
    let mut now = Duration::ZERO;
    let mut connected = false;
    let mut out = [0u8; 1500];
    // Input: chunks of [len_hi, len_lo, bytes...]; a zero length is a timer tick.
    let mut rest = rest;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_be_bytes([rest[0], rest[1]])) % 1600;
        rest = &rest[2..];
        if len == 0 {
            now += Duration::from_millis(700);
            ep.handle_timeout(now);
        } else {
            let n = len.min(rest.len());
            let mut dgram = rest[..n].to_vec();
            rest = &rest[n..];
            let got = ep.handle_input(now, &mut dgram);
            assert!(got.is_empty() || connected || ep.is_connected());
        }
        while let Ok(Some(_)) = ep.poll_transmit(now, &mut out) {}
        while let Some(e) = ep.poll_event() {
            if matches!(e, Event::Connected(_)) {
                connected = true;
            }
        }
        let _ = ep.send(b"x", &mut out);
    }
});
