//! The client against a scripted server built from rtcam-stun: every answer RFC 8656 lets
//! a server give, malformed and forged ones included, on a virtual clock.

// Test code: a failed unwrap is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use rtcam_stun::{
    AddressFamily, Class, ErrorCode, Key, Method, PasswordAlgorithm, PasswordAlgorithms, Repr,
    Seal, code,
};
use rtcam_turn::{
    ChannelData, Client, Config, Error, Event, Failure, Received, Transport, frame_len,
};

const SERVER: &str = "192.0.2.10:3478";
const RELAYED: &str = "192.0.2.10:49152";
const MAPPED: &str = "198.51.100.7:40000";
const PEER: &str = "203.0.113.5:5000";
const REALM: &str = "kvs.test";
const USER: &str = "1700000000:camera1";
const PASS: &str = "s3cret";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A deterministic RNG standing in for the driver's CSPRNG.
struct TestRng(u64);
impl rand_core::RngCore for TestRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}
impl rand_core::CryptoRng for TestRng {}

type TestClient = Client<TestRng, 4>;

fn client_with(config: Config<'_>) -> TestClient {
    Client::new(&config, TestRng(7)).unwrap()
}

fn client() -> TestClient {
    client_with(Config::new(addr(SERVER), USER, PASS))
}

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

/// Takes the one request the client has to send now.
fn request(c: &mut TestClient, now: Duration) -> Vec<u8> {
    let mut buf = [0u8; 1500];
    let t = c
        .poll_transmit(now, &mut buf)
        .unwrap()
        .expect("a request to send");
    assert_eq!(t.destination, c.server());
    buf[..t.len].to_vec()
}

fn no_request(c: &mut TestClient, now: Duration) {
    let mut buf = [0u8; 1500];
    assert_eq!(c.poll_transmit(now, &mut buf).unwrap(), None);
}

fn events(c: &mut TestClient) -> Vec<Event> {
    core::iter::from_fn(|| c.poll_event()).collect()
}

/// The server side: answers built with rtcam-stun.
struct Server {
    nonce: &'static str,
    key: Key<'static>,
}

impl Server {
    fn new() -> Server {
        Server {
            nonce: "nonce-1",
            key: Key::long_term(PasswordAlgorithm::Md5, USER, REALM, PASS).unwrap(),
        }
    }

    fn answer(&self, req: &[u8], build: impl FnOnce(&mut Repr<'_>)) -> Vec<u8> {
        let r = Repr::parse_bytes(req).unwrap();
        let mut resp = Repr::new(Class::Success, r.method, r.transaction_id);
        build(&mut resp);
        let mut buf = [0u8; 1500];
        let seal = if resp.class == Class::Success || r.attributes.username.is_some() {
            Seal::sha1(&self.key)
        } else {
            Seal::FINGERPRINT
        };
        let n = resp.emit(&mut buf, seal).unwrap();
        buf[..n].to_vec()
    }

    fn challenge(&self, req: &[u8]) -> Vec<u8> {
        let r = Repr::parse_bytes(req).unwrap();
        let mut resp = Repr::new(Class::Error, r.method, r.transaction_id);
        resp.attributes.error_code = Some(ErrorCode {
            code: 401,
            reason: "Unauthorized",
        });
        resp.attributes.realm = Some(REALM);
        resp.attributes.nonce = Some(self.nonce);
        let mut buf = [0u8; 1500];
        let n = resp.emit(&mut buf, Seal::FINGERPRINT).unwrap();
        buf[..n].to_vec()
    }

    fn error(&self, req: &[u8], code: u16, extra: impl FnOnce(&mut Repr<'_>)) -> Vec<u8> {
        self.answer(req, |resp| {
            resp.class = Class::Error;
            resp.attributes.error_code = Some(ErrorCode { code, reason: "" });
            extra(resp);
        })
    }

    fn allocated(&self, req: &[u8]) -> Vec<u8> {
        self.answer(req, |resp| {
            resp.attributes
                .xor_relayed_addresses
                .push(addr(RELAYED))
                .unwrap();
            resp.attributes.xor_mapped_address = Some(addr(MAPPED));
            resp.attributes.lifetime = Some(600);
        })
    }

    /// Checks the request authenticates as a server would.
    fn check_auth(&self, req: &[u8]) {
        let r = Repr::parse_bytes(req).unwrap();
        assert_eq!(r.attributes.username, Some(USER));
        assert_eq!(r.attributes.realm, Some(REALM));
        assert_eq!(r.attributes.nonce, Some(self.nonce));
        r.verify(&self.key).expect("request authenticates");
        assert!(r.has_fingerprint());
    }
}

fn feed(c: &mut TestClient, now: Duration, msg: &[u8]) {
    assert_eq!(c.handle_input(now, addr(SERVER), msg), Received::Handled);
}

/// Starts an allocation and answers the unauthenticated first Allocate with the 401
/// challenge; returns the authenticated second Allocate.
fn authenticated_allocate(c: &mut TestClient, s: &Server) -> Vec<u8> {
    c.allocate(secs(0)).unwrap();
    let first = request(c, secs(0));
    feed(c, secs(0), &s.challenge(&first));
    request(c, secs(0))
}

/// Allocates through the 401 challenge; returns the client and server.
fn allocated() -> (TestClient, Server) {
    let mut c = client();
    let s = Server::new();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    let r = Repr::parse_bytes(&first).unwrap();
    assert_eq!(r.method, Method::ALLOCATE);
    assert_eq!(r.attributes.requested_transport, Some(17));
    assert!(
        r.attributes.username.is_none(),
        "first Allocate carries no credentials"
    );
    feed(&mut c, secs(0), &s.challenge(&first));
    let second = request(&mut c, secs(0));
    s.check_auth(&second);
    assert_ne!(
        Repr::parse_bytes(&second).unwrap().transaction_id,
        r.transaction_id,
        "a new transaction after the challenge"
    );
    feed(&mut c, secs(0), &s.allocated(&second));
    assert_eq!(
        events(&mut c),
        [Event::Allocated {
            relayed: addr(RELAYED),
            relayed_v6: None,
            mapped: Some(addr(MAPPED)),
            lifetime: secs(600),
        }]
    );
    assert!(c.is_allocated());
    (c, s)
}

#[test]
fn allocate_through_the_challenge() {
    let (c, _) = allocated();
    assert_eq!(c.relayed_address(), Some(addr(RELAYED)));
    assert_eq!(c.stats().malformed, 0);
}

#[test]
fn wrong_password_fails_clearly() {
    let mut c = client();
    let s = Server::new();
    let second = authenticated_allocate(&mut c, &s);
    // The server cannot verify the MAC: it challenges again.
    feed(&mut c, secs(0), &s.challenge(&second));
    assert_eq!(
        events(&mut c),
        [Event::AllocationFailed(Failure::Unauthorized)]
    );
    no_request(&mut c, secs(1));
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn allocate_errors_map_to_failures() {
    for (code, failure) in [
        (437, Failure::AllocationMismatch),
        (441, Failure::WrongCredentials),
        (486, Failure::QuotaReached),
        (508, Failure::InsufficientCapacity),
        (440, Failure::AddressFamilyNotSupported),
        (442, Failure::UnsupportedTransport),
        (403, Failure::Forbidden),
        (400, Failure::Other(400)),
    ] {
        let mut c = client();
        let s = Server::new();
        let second = authenticated_allocate(&mut c, &s);
        feed(&mut c, secs(0), &s.error(&second, code, |_| {}));
        assert_eq!(events(&mut c), [Event::AllocationFailed(failure)], "{code}");
        assert!(!c.is_allocated());
    }
}

#[test]
fn stale_nonce_is_retried_with_the_new_nonce() {
    let mut c = client();
    let mut s = Server::new();
    let second = authenticated_allocate(&mut c, &s);
    s.nonce = "nonce-2";
    let stale = s.error(&second, code::STALE_NONCE, |r| {
        r.attributes.realm = Some(REALM);
        r.attributes.nonce = Some("nonce-2");
    });
    feed(&mut c, secs(0), &stale);
    let third = request(&mut c, secs(0));
    s.check_auth(&third);
    feed(&mut c, secs(0), &s.allocated(&third));
    assert!(matches!(events(&mut c)[..], [Event::Allocated { .. }]));
}

#[test]
fn endless_stale_nonces_give_up() {
    let mut c = client();
    let s = Server::new();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    feed(&mut c, secs(0), &s.challenge(&first));
    for _ in 0..10 {
        let mut buf = [0u8; 1500];
        let Some(t) = c.poll_transmit(secs(0), &mut buf).unwrap() else {
            break;
        };
        let stale = s.error(&buf[..t.len], code::STALE_NONCE, |r| {
            r.attributes.realm = Some(REALM);
            r.attributes.nonce = Some("nonce-1");
        });
        feed(&mut c, secs(0), &stale);
    }
    assert_eq!(
        events(&mut c),
        [Event::AllocationFailed(Failure::TooManyRetries)]
    );
}

#[test]
fn alternate_server_redirects() {
    let mut c = client();
    let s = Server::new();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    let alt = addr("192.0.2.99:3478");
    let redirect = s.error(&first, code::TRY_ALTERNATE, |r| {
        r.attributes.alternate_server = Some(alt)
    });
    // Unauthenticated answer to an unauthenticated request: FINGERPRINT only.
    let r = Repr::parse_bytes(&redirect).unwrap();
    assert!(!r.has_integrity());
    feed(&mut c, secs(0), &redirect);
    assert_eq!(events(&mut c), [Event::Redirected { server: alt }]);
    assert_eq!(c.server(), alt);
    let again = request(&mut c, secs(0));
    assert_eq!(Repr::parse_bytes(&again).unwrap().method, Method::ALLOCATE);
    // The old server is no longer listened to.
    assert_eq!(
        c.handle_input(secs(0), addr(SERVER), &s.challenge(&again)),
        Received::Ignored
    );
    assert_eq!(
        c.handle_input(secs(0), alt, &s.challenge(&again)),
        Received::Handled
    );
}

#[test]
fn udp_retransmits_then_times_out() {
    let mut c = client();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, Duration::ZERO);
    let mut sent_at = vec![Duration::ZERO];
    let mut now = Duration::ZERO;
    while let Some(t) = c.poll_timeout() {
        now = t;
        c.handle_timeout(now);
        let mut buf = [0u8; 1500];
        while let Some(tx) = c.poll_transmit(now, &mut buf).unwrap() {
            // The same transaction is retransmitted byte for byte.
            assert_eq!(&buf[..tx.len], &first[..]);
            sent_at.push(now);
        }
        if !events(&mut c).is_empty() {
            break;
        }
        assert!(now < secs(60), "never timed out");
    }
    let ms: Vec<u128> = sent_at.iter().map(Duration::as_millis).collect();
    assert_eq!(ms, [0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert_eq!(now, Duration::from_millis(39_500));
    assert_eq!(c.stats().retransmissions, 6);
    assert!(!c.is_allocated());
}

#[test]
fn tcp_sends_once_and_waits_39_5_seconds() {
    let mut config = Config::new(addr(SERVER), USER, PASS);
    config.transport = Transport::Tcp;
    let mut c = client_with(config);
    c.allocate(secs(0)).unwrap();
    request(&mut c, secs(0));
    assert_eq!(c.poll_timeout(), Some(Duration::from_millis(39_500)));
    c.handle_timeout(secs(20));
    no_request(&mut c, secs(20));
    c.handle_timeout(Duration::from_millis(39_500));
    assert_eq!(events(&mut c), [Event::AllocationFailed(Failure::Timeout)]);
}

#[test]
fn permissions_channels_and_data() {
    let (mut c, s) = allocated();
    let peer = addr(PEER);
    let mut buf = [0u8; 1500];
    assert_eq!(c.send_to(peer, b"x", &mut buf), Err(Error::NoPermission));

    c.create_permission(secs(1), peer.ip()).unwrap();
    let req = request(&mut c, secs(1));
    s.check_auth(&req);
    let r = Repr::parse_bytes(&req).unwrap();
    assert_eq!(r.method, Method::CREATE_PERMISSION);
    assert_eq!(
        r.attributes.xor_peer_address.map(|a| a.ip()),
        Some(peer.ip())
    );
    feed(&mut c, secs(1), &s.answer(&req, |_| {}));
    assert_eq!(events(&mut c), [Event::PermissionCreated(peer.ip())]);

    // Before a channel: Send indications.
    let t = c.send_to(peer, b"hello", &mut buf).unwrap();
    let ind = Repr::parse_bytes(&buf[..t.len]).unwrap();
    assert_eq!((ind.class, ind.method), (Class::Indication, Method::SEND));
    assert_eq!(ind.attributes.xor_peer_address, Some(peer));
    assert_eq!(ind.attributes.data, Some(&b"hello"[..]));

    // Data indications from the peer come back, borrowed.
    let data_ind = s.answer(&req, |r| {
        r.class = Class::Indication;
        r.method = Method::DATA;
        r.attributes.xor_peer_address = Some(peer);
        r.attributes.data = Some(b"back");
    });
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &data_ind),
        Received::PeerData {
            peer,
            data: b"back"
        }
    );

    // A channel: ChannelBind, then ChannelData both ways.
    let channel = c.bind_channel(secs(2), peer).unwrap();
    assert_eq!(channel, 0x4000);
    let req = request(&mut c, secs(2));
    let r = Repr::parse_bytes(&req).unwrap();
    assert_eq!(
        (r.method, r.attributes.channel_number),
        (Method::CHANNEL_BIND, Some(channel))
    );
    assert_eq!(r.attributes.xor_peer_address, Some(peer));
    feed(&mut c, secs(2), &s.answer(&req, |_| {}));
    assert_eq!(events(&mut c), [Event::ChannelBound { peer, channel }]);
    let t = c.send_to(peer, b"hello", &mut buf).unwrap();
    assert_eq!(t.len, 9, "no padding over UDP");
    let cd = ChannelData::new_checked(&buf[..t.len]).unwrap();
    assert_eq!((cd.channel(), cd.data()), (channel, &b"hello"[..]));
    let mut back = [0u8; 8];
    let n = rtcam_turn::encode_channel_data(channel, b"pong", false, &mut back).unwrap();
    assert_eq!(
        c.handle_input(secs(2), addr(SERVER), &back[..n]),
        Received::PeerData {
            peer,
            data: b"pong"
        }
    );
    // An unbound channel number is dropped and counted.
    let n = rtcam_turn::encode_channel_data(0x4abc, b"?", false, &mut back).unwrap();
    assert_eq!(
        c.handle_input(secs(2), addr(SERVER), &back[..n]),
        Received::Ignored
    );
    assert_eq!(c.stats().ignored, 1);
}

#[test]
fn forbidden_peer_fails_only_that_peer() {
    let (mut c, s) = allocated();
    let bad: IpAddr = "10.0.0.1".parse().unwrap();
    let good: IpAddr = "203.0.113.5".parse().unwrap();
    c.create_permission(secs(1), bad).unwrap();
    c.create_permission(secs(1), good).unwrap();
    let r1 = request(&mut c, secs(1));
    let r2 = request(&mut c, secs(1));
    feed(&mut c, secs(1), &s.error(&r1, code::FORBIDDEN, |_| {}));
    feed(&mut c, secs(1), &s.answer(&r2, |_| {}));
    assert_eq!(
        events(&mut c),
        [
            Event::PermissionFailed(bad, Failure::Forbidden),
            Event::PermissionCreated(good)
        ]
    );
    assert!(c.is_allocated());
    let mut buf = [0u8; 64];
    assert_eq!(
        c.send_to(SocketAddr::new(bad, 1), b"x", &mut buf),
        Err(Error::NoPermission)
    );
    assert!(c.send_to(SocketAddr::new(good, 1), b"x", &mut buf).is_ok());
    // Nor is data from the refused peer delivered.
    let from_bad = s.answer(&r1, |r| {
        r.class = Class::Indication;
        r.method = Method::DATA;
        r.attributes.xor_peer_address = Some(SocketAddr::new(bad, 1));
        r.attributes.data = Some(b"x");
    });
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &from_bad),
        Received::Ignored
    );
}

#[test]
fn refreshes_allocation_permission_and_channel_on_time() {
    let (mut c, s) = allocated();
    let peer = addr(PEER);
    c.create_permission(secs(0), peer.ip()).unwrap();
    let req = request(&mut c, secs(0));
    feed(&mut c, secs(0), &s.answer(&req, |_| {}));
    c.bind_channel(secs(0), peer).unwrap();
    let req = request(&mut c, secs(0));
    feed(&mut c, secs(0), &s.answer(&req, |_| {}));
    events(&mut c);

    // Permission refresh at 4 minutes.
    assert_eq!(c.poll_timeout(), Some(secs(240)));
    c.handle_timeout(secs(240));
    let req = request(&mut c, secs(240));
    assert_eq!(
        Repr::parse_bytes(&req).unwrap().method,
        Method::CREATE_PERMISSION
    );
    feed(&mut c, secs(240), &s.answer(&req, |_| {}));
    // Channel refresh at 9 minutes, allocation refresh at 9 minutes (600 s - 60 s).
    assert_eq!(c.poll_timeout(), Some(secs(480)));
    c.handle_timeout(secs(480));
    let req = request(&mut c, secs(480));
    feed(&mut c, secs(480), &s.answer(&req, |_| {}));
    assert_eq!(c.poll_timeout(), Some(secs(540)));
    c.handle_timeout(secs(540));
    let mut methods = Vec::new();
    let mut buf = [0u8; 1500];
    while let Some(t) = c.poll_transmit(secs(540), &mut buf).unwrap() {
        let r = Repr::parse_bytes(&buf[..t.len]).unwrap();
        methods.push(r.method);
        let answer = if r.method == Method::REFRESH {
            assert_eq!(r.attributes.lifetime, Some(600));
            s.answer(&buf[..t.len], |r| r.attributes.lifetime = Some(600))
        } else {
            s.answer(&buf[..t.len], |_| {})
        };
        feed(&mut c, secs(540), &answer);
    }
    methods.sort_by_key(|m| m.value());
    assert_eq!(methods, [Method::REFRESH, Method::CHANNEL_BIND]);
    assert_eq!(
        events(&mut c),
        [Event::Refreshed {
            lifetime: secs(600)
        }]
    );
    assert!(c.is_allocated());
}

#[test]
fn unanswered_refresh_loses_the_allocation() {
    let (mut c, _) = allocated();
    let mut now = secs(0);
    while let Some(t) = c.poll_timeout() {
        now = t;
        c.handle_timeout(now);
        let mut buf = [0u8; 1500];
        while c.poll_transmit(now, &mut buf).unwrap().is_some() {}
        if !c.is_allocated() {
            break;
        }
    }
    assert_eq!(events(&mut c), [Event::AllocationFailed(Failure::Timeout)]);
    assert_eq!(now, secs(540) + Duration::from_millis(39_500));
}

#[test]
fn close_releases_with_lifetime_zero() {
    let (mut c, s) = allocated();
    c.close(secs(5)).unwrap();
    let req = request(&mut c, secs(5));
    let r = Repr::parse_bytes(&req).unwrap();
    assert_eq!(
        (r.method, r.attributes.lifetime),
        (Method::REFRESH, Some(0))
    );
    s.check_auth(&req);
    feed(
        &mut c,
        secs(5),
        &s.answer(&req, |r| r.attributes.lifetime = Some(0)),
    );
    assert_eq!(events(&mut c), [Event::Closed]);
    let mut buf = [0u8; 64];
    assert_eq!(
        c.send_to(addr(PEER), b"x", &mut buf),
        Err(Error::NotAllocated)
    );
}

#[test]
fn new_credentials_apply_to_the_next_request() {
    let (mut c, _) = allocated();
    c.set_credentials("1800000000:camera1", "n3w").unwrap();
    c.create_permission(secs(1), addr(PEER).ip()).unwrap();
    let req = request(&mut c, secs(1));
    let r = Repr::parse_bytes(&req).unwrap();
    assert_eq!(r.attributes.username, Some("1800000000:camera1"));
    let key = Key::long_term(PasswordAlgorithm::Md5, "1800000000:camera1", REALM, "n3w").unwrap();
    r.verify(&key).unwrap();
    assert_eq!(
        c.set_credentials(&"u".repeat(300), "p"),
        Err(Error::BadCredential)
    );
}

#[test]
fn sha256_password_algorithm_when_offered() {
    let mut c = client();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    let r = Repr::parse_bytes(&first).unwrap();
    let mut resp = Repr::new(Class::Error, r.method, r.transaction_id);
    resp.attributes.error_code = Some(ErrorCode {
        code: 401,
        reason: "",
    });
    resp.attributes.realm = Some(REALM);
    resp.attributes.nonce = Some("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA");
    let mut scratch = [0u8; 8];
    resp.attributes.password_algorithms = Some(
        PasswordAlgorithms::build(
            &[PasswordAlgorithm::Md5, PasswordAlgorithm::Sha256],
            &mut scratch,
        )
        .unwrap(),
    );
    let mut buf = [0u8; 512];
    let n = resp.emit(&mut buf, Seal::FINGERPRINT).unwrap();
    feed(&mut c, secs(0), &buf[..n]);
    let second = request(&mut c, secs(0));
    let r = Repr::parse_bytes(&second).unwrap();
    assert_eq!(
        r.attributes.password_algorithm,
        Some(PasswordAlgorithm::Sha256)
    );
    assert_eq!(
        r.attributes
            .password_algorithms
            .unwrap()
            .iter()
            .collect::<Vec<_>>(),
        [PasswordAlgorithm::Md5, PasswordAlgorithm::Sha256]
    );
    assert!(r.has_integrity_sha256());
    let key = Key::long_term(PasswordAlgorithm::Sha256, USER, REALM, PASS).unwrap();
    r.verify(&key).unwrap();
}

#[test]
fn dual_stack_and_ipv6_requests() {
    let mut config = Config::new(addr(SERVER), USER, PASS);
    config.dual_stack = true;
    let mut c = client_with(config);
    c.allocate(secs(0)).unwrap();
    let r = request(&mut c, secs(0));
    let r = Repr::parse_bytes(&r).unwrap();
    assert_eq!(
        r.attributes.additional_address_family,
        Some(AddressFamily::V6)
    );
    assert_eq!(r.attributes.requested_address_family, None);

    let s = Server::new();
    let mut config = Config::new(addr(SERVER), USER, PASS);
    config.family = AddressFamily::V6;
    let mut c = client_with(config);
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    assert_eq!(
        Repr::parse_bytes(&first)
            .unwrap()
            .attributes
            .requested_address_family,
        Some(AddressFamily::V6)
    );
    feed(&mut c, secs(0), &s.challenge(&first));
    let second = request(&mut c, secs(0));
    let v6 = addr("[2001:db8::10]:49152");
    feed(
        &mut c,
        secs(0),
        &s.answer(&second, |r| {
            r.attributes
                .xor_relayed_addresses
                .push(addr(RELAYED))
                .unwrap();
            r.attributes.xor_relayed_addresses.push(v6).unwrap();
        }),
    );
    assert!(matches!(
        events(&mut c)[..],
        [Event::Allocated { relayed_v6: Some(a), .. }] if a == v6
    ));
}

#[test]
fn forged_and_malformed_inputs_are_dropped_and_counted() {
    let (mut c, s) = allocated();
    c.create_permission(secs(1), addr(PEER).ip()).unwrap();
    let req = request(&mut c, secs(1));
    // A success signed with the wrong key is ignored; the real one still lands.
    let forger = Server {
        nonce: "nonce-1",
        key: Key::long_term(PasswordAlgorithm::Md5, USER, REALM, "guess").unwrap(),
    };
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &forger.answer(&req, |_| {})),
        Received::Ignored
    );
    assert_eq!(c.stats().integrity_failures, 1);
    // From the wrong address, garbage, truncated, and an answer to nothing.
    let good = s.answer(&req, |_| {});
    assert_eq!(
        c.handle_input(secs(1), addr("192.0.2.66:3478"), &good),
        Received::Ignored
    );
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &[0xff; 40]),
        Received::Ignored
    );
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &good[..good.len() - 1]),
        Received::Ignored
    );
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &[0x40, 0x00, 0x00, 0x09, 1]),
        Received::Ignored
    );
    let mut other = good.clone();
    other[8] ^= 0xff; // another transaction id (FINGERPRINT now wrong too)
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &other),
        Received::Ignored
    );
    assert_eq!(c.stats().malformed, 4);
    feed(&mut c, secs(1), &good);
    assert_eq!(events(&mut c), [Event::PermissionCreated(addr(PEER).ip())]);
    // A response to an already answered transaction is ignored.
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &good),
        Received::Ignored
    );
    // A Data indication from a peer without permission is dropped.
    let stray = s.answer(&req, |r| {
        r.class = Class::Indication;
        r.method = Method::DATA;
        r.attributes.xor_peer_address = Some(addr("198.18.0.1:1"));
        r.attributes.data = Some(b"x");
    });
    assert_eq!(
        c.handle_input(secs(1), addr(SERVER), &stray),
        Received::Ignored
    );
}

#[test]
fn stream_framing_and_padded_channel_data() {
    let mut config = Config::new(addr(SERVER), USER, PASS);
    config.transport = Transport::Tls;
    let mut c = client_with(config);
    let s = Server::new();
    c.allocate(secs(0)).unwrap();
    let first = request(&mut c, secs(0));
    // Frames cut from one byte stream holding a STUN message and a ChannelData.
    let challenge = s.challenge(&first);
    let mut stream = challenge.clone();
    let mut cd = [0u8; 12];
    let n = rtcam_turn::encode_channel_data(0x4000, b"hello", true, &mut cd).unwrap();
    assert_eq!(n, 12);
    stream.extend_from_slice(&cd[..n]);
    assert_eq!(frame_len(&stream[..10]), Ok(None));
    assert_eq!(frame_len(&stream), Ok(Some(challenge.len())));
    assert_eq!(frame_len(&stream[challenge.len()..]), Ok(Some(12)));
    feed(&mut c, secs(0), &stream[..challenge.len()]);
    let second = request(&mut c, secs(0));
    feed(&mut c, secs(0), &s.allocated(&second));
    let peer = addr(PEER);
    c.bind_channel(secs(0), peer).unwrap();
    let req = request(&mut c, secs(0));
    feed(&mut c, secs(0), &s.answer(&req, |_| {}));
    let mut buf = [0u8; 64];
    let t = c.send_to(peer, b"hello", &mut buf).unwrap();
    assert_eq!(t.len, 12, "padded to 4 bytes on a stream");
    assert_eq!(
        c.handle_input(secs(0), addr(SERVER), &stream[challenge.len()..]),
        Received::PeerData {
            peer,
            data: b"hello"
        }
    );
}
