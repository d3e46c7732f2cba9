//! Our TURN client against a real coturn on loopback, over UDP, TCP and TLS (a rustls
//! driver verifying coturn's certificate through a CA made in the test), with long-term
//! and REST (KVS-style) credentials: allocate, permit a UDP echo peer, send through the
//! relay with Send indications and with a channel, get the echo back byte for byte,
//! refresh, deallocate. A wrong password fails clearly.

// These tests spawn host programs (coturn), which do not exist under qemu-mipsel.
#![cfg(not(target_arch = "mips"))]
// clippy.toml's allow-*-in-tests covers #[test] functions only, not the helpers below.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use rtcam_stun::AddressFamily;
use rtcam_turn::{Client, Config, Event, Failure, Received, Transport, frame_len};
use support::{Auth, Coturn, EchoPeer, IO_TIMEOUT, LT_PASS, LT_USER, REST_SECRET, V4, V6};

/// The driver's side of the connection to the server.
enum Link {
    Udp(UdpSocket),
    Stream(Box<dyn Stream>, Vec<u8>),
}

trait Stream: Read + Write {}
impl<T: Read + Write> Stream for T {}

impl Link {
    fn send(&mut self, to: SocketAddr, bytes: &[u8]) {
        match self {
            Link::Udp(s) => {
                s.send_to(bytes, to).unwrap();
            }
            Link::Stream(s, _) => s.write_all(bytes).unwrap(),
        }
    }

    /// One datagram or one whole frame, or `None` after a short wait.
    fn recv(&mut self, buf: &mut Vec<u8>) -> Option<SocketAddr> {
        match self {
            Link::Udp(s) => {
                buf.resize(2048, 0);
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                match s.recv_from(buf) {
                    Ok((n, from)) => {
                        buf.truncate(n);
                        Some(from)
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        None
                    }
                    Err(e) => panic!("recv: {e}"),
                }
            }
            Link::Stream(s, pending) => loop {
                if let Some(n) = frame_len(pending).unwrap() {
                    if pending.len() >= n {
                        *buf = pending.drain(..n).collect();
                        return Some(SocketAddr::from(([0, 0, 0, 0], 0)));
                    }
                }
                let mut chunk = [0u8; 4096];
                match s.read(&mut chunk) {
                    Ok(0) => panic!("server closed the stream"),
                    Ok(n) => pending.extend_from_slice(&chunk[..n]),
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                        return None;
                    }
                    Err(e) => panic!("read: {e}"),
                }
            },
        }
    }
}

/// A minimal driver: the sans-IO client, a socket, and a real clock.
struct Driver {
    client: Client<rand_core::OsRng, 4>,
    link: Link,
    stream: bool,
    start: Instant,
    events: Vec<Event>,
    received: Vec<(SocketAddr, Vec<u8>)>,
}

impl Driver {
    fn new(coturn: &Coturn, transport: Transport, ip: IpAddr, user: &str, pass: &str) -> Driver {
        let (server, link) = match transport {
            Transport::Udp => {
                let server = coturn.udp_addr(ip);
                let sock = UdpSocket::bind(SocketAddr::new(ip, 0)).unwrap();
                (server, Link::Udp(sock))
            }
            Transport::Tcp => {
                let server = coturn.tcp_addr(ip);
                let s = TcpStream::connect_timeout(&server, IO_TIMEOUT).unwrap();
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                (server, Link::Stream(Box::new(s), Vec::new()))
            }
            Transport::Tls => {
                let server = coturn.tls_addr(ip);
                let s = coturn.connect_tls(ip);
                s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
                (server, Link::Stream(Box::new(s), Vec::new()))
            }
        };
        let mut config = Config::new(server, user, pass);
        config.transport = transport;
        if ip.is_ipv6() {
            config.family = AddressFamily::V6;
        }
        Driver {
            client: Client::new(&config, rand_core::OsRng).unwrap(),
            link,
            stream: transport != Transport::Udp,
            start: Instant::now(),
            events: Vec::new(),
            received: Vec::new(),
        }
    }

    fn now(&self) -> Duration {
        self.start.elapsed()
    }

    /// Sends what is due, reads what arrived, runs timers; once.
    fn pump(&mut self) {
        let now = self.now();
        self.client.handle_timeout(now);
        let mut buf = [0u8; rtcam_turn::MAX_REQUEST_LEN];
        while let Some(t) = self.client.poll_transmit(now, &mut buf).unwrap() {
            self.link.send(t.destination, &buf[..t.len]);
        }
        let mut input = Vec::new();
        while let Some(from) = self.link.recv(&mut input) {
            // A stream has one peer: the server.
            let from = if self.stream {
                self.client.server()
            } else {
                from
            };
            match self.client.handle_input(self.now(), from, &input) {
                Received::PeerData { peer, data } => self.received.push((peer, data.to_vec())),
                Received::Handled => {}
                Received::Ignored => panic!("input ignored: {:?}", self.client.stats()),
            }
        }
        while let Some(e) = self.client.poll_event() {
            self.events.push(e);
        }
    }

    /// Pumps until `done` holds (or fails the test after a timeout).
    fn until(&mut self, what: &str, mut done: impl FnMut(&mut Driver) -> bool) {
        let deadline = Instant::now() + IO_TIMEOUT;
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {:?}",
                self.events
            );
            self.pump();
        }
    }

    fn wait_event(&mut self, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
        self.until(what, |d| d.events.iter().any(&pred));
        let i = self.events.iter().position(&pred).unwrap();
        self.events.remove(i)
    }

    fn send(&mut self, peer: SocketAddr, data: &[u8]) -> usize {
        let mut buf = [0u8; 1500];
        let t = self.client.send_to(peer, data, &mut buf).unwrap();
        self.link.send(t.destination, &buf[..t.len]);
        t.len
    }

    fn wait_echo(&mut self, peer: SocketAddr, data: &[u8]) {
        self.until("the echo", |d| {
            d.received.iter().any(|(p, b)| *p == peer && b == data)
        });
        self.received.clear();
    }
}

/// The whole life of an allocation through coturn.
fn full_cycle(auth: Auth, transport: Transport, ip: IpAddr) {
    let coturn = Coturn::start(auth.clone());
    let echo = EchoPeer::start(ip);
    let (user, pass) = match &auth {
        Auth::LongTerm => (LT_USER.to_owned(), LT_PASS.to_owned()),
        Auth::Rest { secret } => support::rest_credentials(secret, "camera1", 3600),
    };
    let mut d = Driver::new(&coturn, transport, ip, &user, &pass);
    d.client.allocate(d.now()).unwrap();
    let Event::Allocated {
        relayed,
        mapped,
        lifetime,
        ..
    } = d.wait_event("Allocated", |e| matches!(e, Event::Allocated { .. }))
    else {
        unreachable!()
    };
    assert_eq!(relayed.ip(), ip, "relayed on loopback");
    assert!(coturn.relay_ports().contains(&relayed.port()), "{relayed}");
    assert_eq!(mapped.map(|m| m.ip()), Some(ip));
    assert!(lifetime > Duration::ZERO);

    // A permission, then Send indications.
    let peer = echo.addr();
    d.client.create_permission(d.now(), peer.ip()).unwrap();
    d.wait_event("PermissionCreated", |e| {
        *e == Event::PermissionCreated(peer.ip())
    });
    let payload: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    d.send(peer, &payload);
    d.wait_echo(peer, &payload);
    assert!(
        echo.received().iter().all(|(from, _)| *from == relayed),
        "sent from the relay"
    );

    // A channel, then ChannelData both ways (odd length: padding on streams).
    let channel = d.client.bind_channel(d.now(), peer).unwrap();
    d.wait_event("ChannelBound", |e| {
        *e == Event::ChannelBound { peer, channel }
    });
    let odd = b"channel data, 37 bytes, odd length!!";
    let n = d.send(peer, odd);
    assert_eq!(
        n,
        if transport == Transport::Udp {
            4 + odd.len()
        } else {
            4 + 36
        }
    );
    d.wait_echo(peer, odd);

    // Refresh, then release.
    d.client.refresh(d.now()).unwrap();
    d.wait_event("Refreshed", |e| matches!(e, Event::Refreshed { .. }));
    d.client.close(d.now()).unwrap();
    d.wait_event("Closed", |e| *e == Event::Closed);
    assert!(!d.client.is_allocated());
    assert_eq!(d.client.stats().integrity_failures, 0);
    assert_eq!(d.client.stats().malformed, 0);
}

#[test]
fn udp_long_term_v4() {
    full_cycle(Auth::LongTerm, Transport::Udp, V4);
}

#[test]
fn udp_long_term_v6() {
    full_cycle(Auth::LongTerm, Transport::Udp, V6);
}

#[test]
fn tcp_long_term_v4() {
    full_cycle(Auth::LongTerm, Transport::Tcp, V4);
}

#[test]
fn tls_long_term_v4() {
    full_cycle(Auth::LongTerm, Transport::Tls, V4);
}

#[test]
fn udp_rest_credentials_v4() {
    full_cycle(Auth::rest(), Transport::Udp, V4);
}

#[test]
fn tls_rest_credentials_v6() {
    full_cycle(Auth::rest(), Transport::Tls, V6);
}

#[test]
fn wrong_password_is_a_clear_failure() {
    let coturn = Coturn::start(Auth::LongTerm);
    let mut d = Driver::new(&coturn, Transport::Udp, V4, LT_USER, "wrong");
    d.client.allocate(d.now()).unwrap();
    let e = d.wait_event("AllocationFailed", |e| {
        matches!(e, Event::AllocationFailed(_))
    });
    assert_eq!(e, Event::AllocationFailed(Failure::Unauthorized));

    // REST credentials made with another secret fail the same way.
    let coturn = Coturn::start(Auth::rest());
    let (user, pass) = support::rest_credentials("not-the-secret", "camera1", 3600);
    assert_ne!(REST_SECRET, "not-the-secret");
    let mut d = Driver::new(&coturn, Transport::Tcp, V4, &user, &pass);
    d.client.allocate(d.now()).unwrap();
    let e = d.wait_event("AllocationFailed", |e| {
        matches!(e, Event::AllocationFailed(_))
    });
    assert_eq!(e, Event::AllocationFailed(Failure::Unauthorized));
}

#[test]
fn new_credentials_keep_the_allocation() {
    // KVS rotates REST credentials: the next request uses the new ones, traffic goes on.
    let coturn = Coturn::start(Auth::rest());
    let echo = EchoPeer::start(V4);
    let (user, pass) = support::rest_credentials(REST_SECRET, "camera1", 3600);
    let mut d = Driver::new(&coturn, Transport::Udp, V4, &user, &pass);
    d.client.allocate(d.now()).unwrap();
    d.wait_event("Allocated", |e| matches!(e, Event::Allocated { .. }));
    let peer = echo.addr();
    d.client.create_permission(d.now(), peer.ip()).unwrap();
    d.wait_event("PermissionCreated", |e| {
        matches!(e, Event::PermissionCreated(_))
    });
    // Same username: a changed username is a different allocation owner to coturn (441).
    let (_, new_pass) = support::rest_credentials(REST_SECRET, "camera1", 3600);
    d.client.set_credentials(&user, &new_pass).unwrap();
    d.send(peer, b"still flowing");
    d.wait_echo(peer, b"still flowing");
    d.client.refresh(d.now()).unwrap();
    d.wait_event("Refreshed", |e| matches!(e, Event::Refreshed { .. }));
}
