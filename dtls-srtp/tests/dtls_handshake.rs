//! Our DTLS client against our DTLS server in one process, over a simulated network with a
//! virtual clock: every suite × SRTP profile, with and without HelloVerifyRequest, a small
//! MTU, lost / reordered / duplicated flights, fingerprint mismatch, tampering, replay,
//! a peer that stops mid-handshake, and close_notify.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::VecDeque;
use std::time::Duration;

use rand_core::{CryptoRng, RngCore};
use rtcam_dtls_srtp::dtls::cert::{CertParams, Fingerprint, HashAlgorithm, Identity};
use rtcam_dtls_srtp::dtls::wire::CipherSuite;
use rtcam_dtls_srtp::dtls::{Config, Connected, Endpoint, Error, Event, Role};
use rtcam_dtls_srtp::srtp::{Profile, split_keying_material};

/// Deterministic test randomness (splitmix64): NOT cryptographic, tests only.
struct TestRng(u64);

impl RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl CryptoRng for TestRng {}

const NOW_UNIX: u64 = 1_760_000_000;

fn identity(seed: u64) -> Identity {
    Identity::generate(&mut TestRng(seed), NOW_UNIX, &CertParams::default()).unwrap()
}

fn pin(id: &Identity) -> Fingerprint {
    id.fingerprint(HashAlgorithm::Sha256)
}

struct Setup {
    client: Config,
    server: Config,
}

fn setup(seed: u64) -> Setup {
    let c = identity(seed);
    let s = identity(seed + 1000);
    Setup {
        client: Config::new(Role::Client, c.clone(), pin(&s)),
        server: Config::new(Role::Server, s, pin(&c)),
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Dir {
    ToServer,
    ToClient,
}

/// What the network does with one datagram.
#[allow(dead_code)]
enum Fate {
    Deliver,
    Drop,
    Duplicate,
    /// Hold it back behind the next datagram in the same direction.
    Delay,
}

#[derive(Default, Debug)]
struct Outcome {
    client: Vec<Event>,
    server: Vec<Event>,
    now: Duration,
}

impl Outcome {
    fn connected(&self, client: bool) -> Option<Connected> {
        let ev = if client { &self.client } else { &self.server };
        ev.iter().find_map(|e| match e {
            Event::Connected(c) => Some(*c),
            _ => None,
        })
    }
    fn failed(&self, client: bool) -> Option<Error> {
        let ev = if client { &self.client } else { &self.server };
        ev.iter().find_map(|e| match e {
            Event::Failed(e) => Some(*e),
            _ => None,
        })
    }
}

struct Sim {
    client: Endpoint<TestRng>,
    server: Endpoint<TestRng>,
    now: Duration,
    /// (datagram index per direction) counters for fate decisions.
    sent: [usize; 2],
    to_server: VecDeque<Vec<u8>>,
    to_client: VecDeque<Vec<u8>>,
    held: [Option<Vec<u8>>; 2],
    out: Outcome,
    /// Every datagram that went over the wire, for replay tests.
    log: Vec<(Dir, Vec<u8>)>,
}

impl Sim {
    fn new(s: Setup, seed: u64) -> Sim {
        let now = Duration::from_secs(5);
        Sim {
            client: Endpoint::new(s.client, TestRng(seed ^ 0xc1), now).unwrap(),
            server: Endpoint::new(s.server, TestRng(seed ^ 0x5e), now).unwrap(),
            now,
            sent: [0, 0],
            to_server: VecDeque::new(),
            to_client: VecDeque::new(),
            held: [None, None],
            out: Outcome::default(),
            log: Vec::new(),
        }
    }

    /// Moves everything until both sides are connected or done, or `limit` of virtual
    /// time passes. `fate(dir, index, datagram)` decides each datagram's fate.
    fn run(&mut self, limit: Duration, fate: &mut dyn FnMut(Dir, usize, &[u8]) -> Fate) {
        let end = self.now + limit;
        loop {
            let mut buf = [0u8; 1500];
            let mut moved = false;
            for dir in [Dir::ToServer, Dir::ToClient] {
                loop {
                    let ep = match dir {
                        Dir::ToServer => &mut self.client,
                        Dir::ToClient => &mut self.server,
                    };
                    let Some(n) = ep.poll_transmit(self.now, &mut buf).unwrap() else {
                        break;
                    };
                    moved = true;
                    let d = buf[..n].to_vec();
                    let i = dir as usize;
                    let idx = self.sent[i];
                    self.sent[i] += 1;
                    let q = match dir {
                        Dir::ToServer => &mut self.to_server,
                        Dir::ToClient => &mut self.to_client,
                    };
                    match fate(dir, idx, &d) {
                        Fate::Deliver => q.push_back(d.clone()),
                        Fate::Drop => {}
                        Fate::Duplicate => {
                            q.push_back(d.clone());
                            q.push_back(d.clone());
                        }
                        Fate::Delay => {
                            if let Some(h) = self.held[i].replace(d.clone()) {
                                q.push_back(h);
                            }
                            continue;
                        }
                    }
                    if let Some(h) = self.held[i].take() {
                        q.push_back(h);
                    }
                    self.log.push((dir, d));
                }
            }
            while let Some(mut d) = self.to_server.pop_front() {
                moved = true;
                let _ = self.server.handle_input(self.now, &mut d);
            }
            while let Some(mut d) = self.to_client.pop_front() {
                moved = true;
                let _ = self.client.handle_input(self.now, &mut d);
            }
            while let Some(e) = self.client.poll_event() {
                self.out.client.push(e);
            }
            while let Some(e) = self.server.poll_event() {
                self.out.server.push(e);
            }
            let done = |ep: &Endpoint<TestRng>| ep.is_connected() || ep.is_closed();
            if done(&self.client) && done(&self.server) && !moved {
                break;
            }
            if moved {
                continue;
            }
            // Quiet network: flush held datagrams, else advance the clock.
            let mut flushed = false;
            for (i, h) in self.held.iter_mut().enumerate() {
                if let Some(d) = h.take() {
                    if i == 0 {
                        self.to_server.push_back(d);
                    } else {
                        self.to_client.push_back(d);
                    }
                    flushed = true;
                }
            }
            if flushed {
                continue;
            }
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .min();
            match next {
                Some(t) if t <= end => {
                    self.now = self.now.max(t);
                    self.client.handle_timeout(self.now);
                    self.server.handle_timeout(self.now);
                }
                _ => break,
            }
        }
        self.out.now = self.now;
    }

    fn run_clean(&mut self) {
        self.run(Duration::from_secs(120), &mut |_, _, _| Fate::Deliver);
    }

    /// One application-data record each way; checks it arrives intact.
    fn echo(&mut self) {
        let mut buf = [0u8; 1500];
        let n = self.client.send(b"ping from client", &mut buf).unwrap();
        let mut d = buf[..n].to_vec();
        let got: Vec<Vec<u8>> = self
            .server
            .handle_input(self.now, &mut d)
            .iter()
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(got, vec![b"ping from client".to_vec()]);
        let n = self.server.send(b"pong from server", &mut buf).unwrap();
        let mut d = buf[..n].to_vec();
        let got: Vec<Vec<u8>> = self
            .client
            .handle_input(self.now, &mut d)
            .iter()
            .map(<[u8]>::to_vec)
            .collect();
        assert_eq!(got, vec![b"pong from server".to_vec()]);
    }
}

fn assert_connected(sim: &Sim) -> (Connected, Connected) {
    let c = sim
        .out
        .connected(true)
        .unwrap_or_else(|| panic!("client not connected: {:?}", sim.out));
    let s = sim
        .out
        .connected(false)
        .unwrap_or_else(|| panic!("server not connected: {:?}", sim.out));
    assert_eq!(c.srtp_profile, s.srtp_profile);
    assert_eq!(c.keying_material, s.keying_material);
    assert_eq!(c.cipher_suite, s.cipher_suite);
    assert!(c.extended_master_secret && s.extended_master_secret);
    let km = c.keying_material.as_bytes();
    let p = c.srtp_profile;
    assert_eq!(km.len(), 2 * (p.master_key_len() + p.master_salt_len()));
    split_keying_material(p, km).unwrap();
    (c, s)
}

#[test]
fn every_suite_and_profile_with_and_without_hello_verify() {
    let suites = [
        CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
        CipherSuite::ECDHE_ECDSA_AES256_GCM_SHA384,
    ];
    let mut seed = 1;
    for suite in suites {
        for profile in Profile::ALL {
            for hvr in [false, true] {
                seed += 1;
                let mut s = setup(seed);
                s.client.cipher_suites.clear();
                s.client.cipher_suites.push(suite).unwrap();
                s.client.srtp_profiles.clear();
                s.client.srtp_profiles.push(profile).unwrap();
                s.server.hello_verify = hvr;
                let c_fp = s.client.identity.fingerprint(HashAlgorithm::Sha256);
                let s_fp = s.server.identity.fingerprint(HashAlgorithm::Sha256);
                let mut sim = Sim::new(s, seed);
                sim.run_clean();
                let (c, srv) = assert_connected(&sim);
                assert_eq!(c.cipher_suite, suite);
                assert_eq!(c.srtp_profile, profile);
                assert_eq!(c.peer_certificate_fingerprint, s_fp);
                assert_eq!(srv.peer_certificate_fingerprint, c_fp);
                // No retransmission needed on a clean network.
                assert_eq!(
                    sim.client.stats().retransmissions,
                    0,
                    "{suite:?} {profile:?} {hvr}"
                );
                assert_eq!(sim.server.stats().retransmissions, 0);
                sim.echo();
            }
        }
    }
}

#[test]
fn server_preference_order_decides_profile() {
    let mut s = setup(50);
    s.server.srtp_profiles.clear();
    s.server
        .srtp_profiles
        .push(Profile::Aes128CmHmacSha1_32)
        .unwrap();
    s.server.srtp_profiles.push(Profile::AeadAes256Gcm).unwrap();
    let mut sim = Sim::new(s, 50);
    sim.run_clean();
    let (c, _) = assert_connected(&sim);
    assert_eq!(c.srtp_profile, Profile::Aes128CmHmacSha1_32);
}

#[test]
fn small_mtu_fragments_every_flight() {
    for hvr in [false, true] {
        let mut s = setup(60);
        s.client.mtu = 200;
        s.server.mtu = 200;
        s.server.hello_verify = hvr;
        let mut sim = Sim::new(s, 60);
        let mut max = 0;
        sim.run(Duration::from_secs(60), &mut |_, _, d| {
            max = max.max(d.len());
            Fate::Deliver
        });
        assert_connected(&sim);
        assert!(max <= 200, "datagram of {max} bytes");
        // The certificate (~330 bytes) cannot fit: more datagrams than messages.
        assert!(sim.log.len() > 6, "{} datagrams", sim.log.len());
        sim.echo();
    }
}

#[test]
fn losing_each_flight_once_recovers_by_retransmission() {
    // Datagram index per direction: client 0 = ClientHello (or first of it), 1 = its
    // retransmission or the cookie hello...; drop each early datagram in turn.
    for hvr in [false, true] {
        for dir in [Dir::ToServer, Dir::ToClient] {
            for victim in 0..4 {
                let mut s = setup(70 + victim as u64);
                s.server.hello_verify = hvr;
                let mut sim = Sim::new(s, 70);
                sim.run(Duration::from_secs(60), &mut |d, i, _| {
                    if d == dir && i == victim {
                        Fate::Drop
                    } else {
                        Fate::Deliver
                    }
                });
                assert_connected(&sim);
                sim.echo();
            }
        }
    }
}

#[test]
fn loss_with_small_mtu_and_backoff() {
    // Lose the first three copies of the server's second datagram at MTU 200: the timer
    // doubles (1 s, 2 s, 4 s) and the handshake still completes.
    let mut s = setup(80);
    s.client.mtu = 200;
    s.server.mtu = 200;
    let mut sim = Sim::new(s, 80);
    let start = sim.now;
    let mut drops = 0;
    sim.run(Duration::from_secs(60), &mut |d, i, _| {
        if d == Dir::ToClient && i % 5 == 1 && drops < 3 {
            drops += 1;
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    assert_connected(&sim);
    assert!(sim.now - start >= Duration::from_secs(1));
    assert!(sim.server.stats().retransmissions + sim.client.stats().retransmissions >= 1);
}

#[test]
fn reordering_and_duplication() {
    for seed in 0..6u64 {
        let mut s = setup(90 + seed);
        s.client.mtu = 220;
        s.server.mtu = 220;
        s.server.hello_verify = seed % 2 == 0;
        let mut sim = Sim::new(s, seed);
        let mut r = TestRng(seed);
        sim.run(
            Duration::from_secs(60),
            &mut |_, _, _| match r.next_u32() % 4 {
                0 => Fate::Duplicate,
                1 => Fate::Delay,
                _ => Fate::Deliver,
            },
        );
        assert_connected(&sim);
        sim.echo();
    }
}

#[test]
fn fingerprint_mismatch_fails_closed_on_both_sides() {
    // The client expects a different server certificate.
    let mut s = setup(100);
    s.client.peer_fingerprint = pin(&identity(4242));
    let mut sim = Sim::new(s, 100);
    sim.run_clean();
    assert_eq!(sim.out.failed(true), Some(Error::FingerprintMismatch));
    assert!(sim.out.connected(true).is_none());
    assert!(sim.out.connected(false).is_none());
    // The server learns of it through the client's fatal alert.
    assert!(matches!(sim.out.failed(false), Some(Error::PeerAlert(_))));

    // The server expects a different client certificate.
    let mut s = setup(101);
    s.server.peer_fingerprint = pin(&identity(4243));
    let mut sim = Sim::new(s, 101);
    sim.run_clean();
    assert_eq!(sim.out.failed(false), Some(Error::FingerprintMismatch));
    assert!(sim.out.connected(false).is_none());
    assert!(sim.out.connected(true).is_none());
    assert!(matches!(sim.out.failed(true), Some(Error::PeerAlert(_))));
}

#[test]
fn tampered_and_replayed_records_are_dropped_and_counted() {
    let mut sim = Sim::new(setup(110), 110);
    sim.run_clean();
    assert_connected(&sim);
    let mut buf = [0u8; 1500];
    let n = sim.client.send(b"secret", &mut buf).unwrap();
    let original = buf[..n].to_vec();

    // Every single-bit flip of the record is rejected.
    for i in 0..n {
        let mut d = original.clone();
        d[i] ^= 0x01;
        let got = sim.server.handle_input(sim.now, &mut d);
        assert!(got.is_empty(), "flip at byte {i} accepted");
    }
    let st = sim.server.stats();
    assert!(st.auth_failures + st.malformed + st.unexpected >= n as u32 - 13);
    assert!(st.auth_failures > 0);

    // The genuine record once, then its replay.
    let replayed = sim.server.stats().replayed;
    let mut d = original.clone();
    assert_eq!(sim.server.handle_input(sim.now, &mut d).len(), 1);
    let mut d = original.clone();
    assert!(sim.server.handle_input(sim.now, &mut d).is_empty());
    assert_eq!(sim.server.stats().replayed, replayed + 1);

    // A plaintext (epoch 0) application-data record is never accepted.
    let mut fake = vec![23, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 99, 0, 4];
    fake.extend_from_slice(b"evil");
    assert!(sim.server.handle_input(sim.now, &mut fake).is_empty());
    assert!(sim.server.is_connected());
}

#[test]
fn peer_that_stops_mid_handshake_times_out() {
    // The server never hears anything after the first ClientHello.
    let mut sim = Sim::new(setup(120), 120);
    let start = sim.now;
    sim.run(Duration::from_secs(120), &mut |d, i, _| {
        if d == Dir::ToServer && i > 0 {
            Fate::Drop
        } else {
            Fate::Deliver
        }
    });
    assert_eq!(sim.out.failed(true), Some(Error::HandshakeTimeout));
    assert_eq!(sim.out.failed(false), Some(Error::HandshakeTimeout));
    assert!(sim.now - start >= Duration::from_secs(30));
    // Backoff: 1+2+4+8+16 s fit in 30 s, so a handful of retransmissions, not hundreds.
    let r = sim.server.stats().retransmissions;
    assert!((3..=6).contains(&r), "{r} retransmissions");
}

#[test]
fn truncated_flight_times_out() {
    // Only the first datagram of every server flight gets through (MTU 200 splits it).
    let mut s = setup(130);
    s.server.mtu = 200;
    let mut sim = Sim::new(s, 130);
    let mut count = 0;
    sim.run(Duration::from_secs(120), &mut |d, _, data| {
        if d == Dir::ToClient {
            count += 1;
            // Keep datagrams that start with ServerHello (handshake type 2 at offset 25).
            if data.get(25) == Some(&2) {
                return Fate::Deliver;
            }
            return Fate::Drop;
        }
        Fate::Deliver
    });
    assert_eq!(sim.out.failed(true), Some(Error::HandshakeTimeout));
    assert!(sim.out.connected(true).is_none());
}

#[test]
fn close_notify_both_ways() {
    let mut sim = Sim::new(setup(140), 140);
    sim.run_clean();
    assert_connected(&sim);
    sim.client.close();
    assert!(sim.client.is_closed());
    sim.run_clean();
    assert!(sim.out.server.contains(&Event::Closed));
    assert!(sim.server.is_closed());
    let mut buf = [0u8; 100];
    assert_eq!(sim.client.send(b"x", &mut buf), Err(Error::Closed));
    assert_eq!(sim.server.send(b"x", &mut buf), Err(Error::Closed));
}

#[test]
fn send_before_connected_is_refused() {
    let mut sim = Sim::new(setup(150), 150);
    let mut buf = [0u8; 100];
    assert_eq!(sim.client.send(b"x", &mut buf), Err(Error::NotConnected));
    assert_eq!(sim.server.send(b"x", &mut buf), Err(Error::NotConnected));
}

#[test]
fn chromium_clienthello_gets_a_dtls12_answer() {
    // Chromium 156's 1413-byte ClientHello (DTLS 1.3 offer, X25519MLKEM768 key share) in
    // two datagrams: our server reassembles it and answers with a DTLS 1.2 ServerHello.
    let s = setup(160);
    let mut server = Endpoint::new(s.server, TestRng(1), Duration::ZERO).unwrap();
    let mut d1 = include_bytes!("fixtures/chromium156-clienthello-1.bin").to_vec();
    let mut d2 = include_bytes!("fixtures/chromium156-clienthello-2.bin").to_vec();
    let _ = server.handle_input(Duration::ZERO, &mut d2);
    let mut buf = [0u8; 1500];
    assert_eq!(
        server.poll_transmit(Duration::ZERO, &mut buf).unwrap(),
        None
    );
    let _ = server.handle_input(Duration::ZERO, &mut d1);
    let n = server
        .poll_transmit(Duration::ZERO, &mut buf)
        .unwrap()
        .unwrap();
    // Record: handshake, DTLS 1.2; message: ServerHello, server_version DTLS 1.2.
    assert_eq!(&buf[..3], &[22, 0xfe, 0xfd]);
    assert_eq!(buf[13], 2);
    assert_eq!(&buf[25..27], &[0xfe, 0xfd]);
    assert!(n > 100);
    assert!(server.poll_event().is_none());
}
