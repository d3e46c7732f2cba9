//! rtcam-stun against coturn, an independent STUN/TURN implementation, on loopback.
//!
//! 1. Our client → coturn's `turnserver`: Binding over UDP (127.0.0.1 and ::1) and TCP,
//!    with and without FINGERPRINT, and a request with an unknown comprehension-required
//!    attribute (coturn must answer 420 with UNKNOWN-ATTRIBUTES).
//! 2. coturn's clients → a tiny Binding server written with rtcam-stun only:
//!    `turnutils_stunclient` (plain and RFC 5780 mode) and `turnutils_natdiscovery`
//!    (mapping discovery, and with a PADDING attribute that earns a 420).
//!
//! Every socket is bound to 127.0.0.1 or ::1 and every packet goes to one of them. Each test
//! starts its own peers on its own ports, so they run in parallel (threads or processes).
//! A missing coturn fails the tests with a message: run scripts/test.sh.

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

use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use rtcam_stun::{
    Attribute, Class, ErrorCode, Message, MessageBuilder, Method, Repr, Seal, TransactionId,
    UnknownAttributes, code, frame_len,
};

use support::{ChildGuard, IO_TIMEOUT, TempDir, V4, V6, free_port, poll, require_tool, tail};

/// A comprehension-required attribute type nobody has registered.
const UNKNOWN_REQUIRED: u16 = 0x0033;
/// RFC 5780 attribute types coturn's clients send (comprehension-required).
const CHANGE_REQUEST: u16 = 0x0003;
const PADDING: u16 = 0x0026;
const RESPONSE_PORT: u16 = 0x0027;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses a message from a peer; a failure is a finding, reported with the bytes.
fn parse(bytes: &[u8]) -> Repr<'_> {
    Repr::parse_bytes(bytes).unwrap_or_else(|e| {
        panic!(
            "rtcam-stun rejected a message from coturn: {e:?}\n{}",
            hex(bytes)
        )
    })
}

/// The attribute types of a message, in wire order.
fn kinds(bytes: &[u8]) -> Vec<u16> {
    Message::new_checked(bytes)
        .map(|m| m.attributes().map(|a| a.kind).collect())
        .unwrap_or_default()
}

/// A Binding request with a fresh random transaction id.
fn binding_request(extra: &[Attribute<'_>], seal: Seal<'_>) -> (TransactionId, Vec<u8>) {
    let tid = TransactionId::random(&mut OsRng);
    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, tid).unwrap();
    for a in extra {
        b.add(a).unwrap();
    }
    (tid, b.seal(seal).unwrap().to_vec())
}

/// Sends `request` over UDP from a fresh loopback socket of the server's family and waits
/// for the response with the same transaction id, retransmitting every 250 ms.
/// Returns the response and the local address it was sent from.
fn udp_transaction(
    server: SocketAddr,
    tid: TransactionId,
    request: &[u8],
) -> (Vec<u8>, SocketAddr) {
    udp_transaction_within(server, tid, request, IO_TIMEOUT)
        .unwrap_or_else(|| panic!("no STUN response from {server} within {IO_TIMEOUT:?}"))
}

fn udp_transaction_within(
    server: SocketAddr,
    tid: TransactionId,
    request: &[u8],
    timeout: Duration,
) -> Option<(Vec<u8>, SocketAddr)> {
    let sock = UdpSocket::bind(SocketAddr::new(server.ip(), 0)).unwrap();
    let local = sock.local_addr().unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(250)))
        .unwrap();
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 2048];
    while Instant::now() < deadline {
        sock.send_to(request, server).unwrap();
        let resend_at = Instant::now() + Duration::from_millis(250);
        while Instant::now() < resend_at {
            match sock.recv_from(&mut buf) {
                Ok((n, from)) => {
                    let msg = &buf[..n];
                    if from == server && parse(msg).transaction_id == tid {
                        return Some((msg.to_vec(), local));
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    break;
                }
                // ICMP port unreachable while the server starts up.
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    thread::sleep(Duration::from_millis(20));
                    break;
                }
                Err(e) => panic!("recv_from: {e}"),
            }
        }
    }
    None
}

/// Reads one STUN message from a byte stream, framed with [`frame_len`].
fn read_frame(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Vec<u8> {
    loop {
        if let Some(len) = frame_len(pending).unwrap_or_else(|e| {
            panic!("bad STUN frame header from coturn: {e:?}: {}", hex(pending))
        }) {
            if pending.len() >= len {
                return pending.drain(..len).collect();
            }
        }
        let mut chunk = [0u8; 1024];
        let n = stream
            .read(&mut chunk)
            .unwrap_or_else(|e| panic!("reading STUN over TCP: {e}"));
        assert!(n > 0, "coturn closed the TCP connection mid-frame");
        pending.extend_from_slice(&chunk[..n]);
    }
}

// ---------------------------------------------------------------------------------------
// coturn's turnserver
// ---------------------------------------------------------------------------------------

/// A `turnserver` on 127.0.0.1 and ::1 (UDP and TCP), on ports of its own.
struct Coturn {
    // Dropped first: the process is gone before its directory is removed.
    _child: ChildGuard,
    port: u16,
    _dir: TempDir,
}

impl Coturn {
    fn start() -> Coturn {
        let bin = require_tool("turnserver");
        let mut failures = String::new();
        // A port can be lost to a race between our check and coturn's bind (coturn then
        // retries the bind for ever): give up on that instance and take fresh ports.
        for attempt in 1..=4 {
            let dir = TempDir::new("coturn");
            let (port, alt_port) = (free_port(), free_port());
            let log_path = dir.path().join("turnserver.log");
            let log = File::create(&log_path).unwrap();
            let child = Command::new(&bin)
                .arg("-n") // no configuration file
                .args(["--listening-ip=127.0.0.1", "--listening-ip=::1"])
                .args(["--relay-ip=127.0.0.1", "--relay-ip=::1"])
                .arg(format!("--listening-port={port}"))
                // The RFC 5780 alternate port (coturn's default is port + 1).
                .arg(format!("--alt-listening-port={alt_port}"))
                .args(["--no-tls", "--no-dtls", "--no-cli"])
                .args(["--log-file=stdout", "--simple-log"])
                .arg(format!("--userdb={}", dir.path().join("turndb").display()))
                .arg(format!(
                    "--pidfile={}",
                    dir.path().join("turnserver.pid").display()
                ))
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("spawning {}: {e}", bin.display()));
            let mut child = ChildGuard::new("turnserver", child);
            match wait_ready(&mut child, port) {
                Ok(()) => {
                    return Coturn {
                        _child: child,
                        port,
                        _dir: dir,
                    };
                }
                Err(why) => {
                    failures.push_str(&format!(
                        "attempt {attempt} (port {port}): {why}\n{}\n",
                        tail(&log_path, 15)
                    ));
                }
            }
        }
        panic!("coturn did not come up:\n{failures}");
    }

    fn addr(&self, ip: IpAddr) -> SocketAddr {
        SocketAddr::new(ip, self.port)
    }
}

/// Ready when it answers a Binding request over UDP on both addresses and accepts TCP
/// connections on both.
fn wait_ready(child: &mut ChildGuard, port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pending = vec![(V4, true), (V4, false), (V6, true), (V6, false)];
    while !pending.is_empty() {
        if let Some(status) = child.try_wait() {
            return Err(format!("turnserver exited: {status}"));
        }
        if Instant::now() >= deadline {
            return Err(format!("not ready after 10 s: {pending:?} (ip, udp)"));
        }
        pending.retain(|&(ip, udp)| {
            let addr = SocketAddr::new(ip, port);
            let up = if udp {
                let (tid, req) = binding_request(&[], Seal::NONE);
                udp_transaction_within(addr, tid, &req, Duration::from_millis(100)).is_some()
            } else {
                TcpStream::connect_timeout(&addr, Duration::from_millis(100)).is_ok()
            };
            !up
        });
        if !pending.is_empty() {
            thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(())
}

fn coturn_binding_udp(ip: IpAddr) {
    let coturn = Coturn::start();
    let server = coturn.addr(ip);
    for seal in [Seal::FINGERPRINT, Seal::NONE] {
        let (tid, req) = binding_request(&[], seal);
        let (bytes, local) = udp_transaction(server, tid, &req);
        let resp = parse(&bytes);
        println!(
            "coturn {server} -> our UDP client {local} (fingerprint {}): XOR-MAPPED-ADDRESS {:?}, \
             MAPPED-ADDRESS {:?}, SOFTWARE {:?}, attributes {:04x?}",
            seal.fingerprint,
            resp.attributes.xor_mapped_address,
            resp.attributes.mapped_address,
            resp.attributes.software,
            kinds(&bytes)
        );
        assert_eq!(resp.class, Class::Success, "{}", hex(&bytes));
        assert_eq!(resp.method, Method::BINDING);
        assert_eq!(resp.transaction_id, tid);
        assert_eq!(resp.attributes.xor_mapped_address, Some(local));
        // coturn keeps RFC 3489 backward compatibility: MAPPED-ADDRESS too, same value.
        assert_eq!(resp.attributes.mapped_address, Some(local));
        assert!(resp.attributes.error_code.is_none());
        // Its RFC 5780 attributes (RESPONSE-ORIGIN, OTHER-ADDRESS) are comprehension-optional.
        assert!(
            resp.unknown_required.is_empty(),
            "{:04x?}",
            resp.unknown_required
        );
        assert!(
            resp.attributes
                .software
                .is_some_and(|s| s.contains("Coturn")),
            "{:?}",
            resp.attributes.software
        );
        // coturn adds FINGERPRINT when the request had one; parse() verified its CRC.
        assert_eq!(resp.has_fingerprint(), seal.fingerprint);
        assert!(!resp.has_integrity());
    }
}

#[test]
fn coturn_answers_our_binding_over_udp_v4() {
    coturn_binding_udp(V4);
}

#[test]
fn coturn_answers_our_binding_over_udp_v6() {
    coturn_binding_udp(V6);
}

#[test]
fn coturn_rejects_our_unknown_comprehension_required_attribute_with_420() {
    let coturn = Coturn::start();
    let server = coturn.addr(V4);
    let unknown = Attribute::Other {
        kind: UNKNOWN_REQUIRED,
        value: b"rtcam",
    };
    // A comprehension-optional stranger next to it must not be listed.
    let optional = Attribute::Other {
        kind: 0xC0DE,
        value: &[1, 2, 3, 4],
    };
    let (tid, req) = binding_request(&[unknown, optional], Seal::FINGERPRINT);
    let (bytes, local) = udp_transaction(server, tid, &req);
    let resp = parse(&bytes);
    println!(
        "coturn {server} -> our UDP client {local}: {:?} {:?}, UNKNOWN-ATTRIBUTES {:04x?}, \
         attributes {:04x?}\n{}",
        resp.class,
        resp.attributes.error_code,
        resp.attributes
            .unknown_attributes
            .map(|u| u.iter().collect::<Vec<_>>()),
        kinds(&bytes),
        hex(&bytes)
    );
    assert_eq!(resp.class, Class::Error, "{}", hex(&bytes));
    assert_eq!(resp.method, Method::BINDING);
    assert_eq!(resp.transaction_id, tid);
    let err = resp.attributes.error_code.expect("ERROR-CODE");
    assert_eq!(err.code, code::UNKNOWN_ATTRIBUTE, "{err:?}");
    let listed: Vec<u16> = resp
        .attributes
        .unknown_attributes
        .expect("UNKNOWN-ATTRIBUTES")
        .iter()
        .collect();
    assert_eq!(listed, [UNKNOWN_REQUIRED]);
    assert!(resp.attributes.xor_mapped_address.is_none());
}

fn coturn_binding_tcp(ip: IpAddr) {
    let coturn = Coturn::start();
    let server = coturn.addr(ip);
    let mut stream = TcpStream::connect_timeout(&server, IO_TIMEOUT).unwrap();
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    let local = stream.local_addr().unwrap();
    // Two requests in one write: the answers must be framed apart with frame_len.
    let (tid1, req1) = binding_request(&[], Seal::FINGERPRINT);
    let (tid2, req2) = binding_request(&[Attribute::Software("rtcam-stun interop")], Seal::NONE);
    stream.write_all(&[req1, req2].concat()).unwrap();
    let mut pending = Vec::new();
    for (tid, fingerprint) in [(tid1, true), (tid2, false)] {
        let bytes = read_frame(&mut stream, &mut pending);
        let resp = parse(&bytes);
        println!(
            "coturn tcp {server} -> our TCP client {local}: XOR-MAPPED-ADDRESS {:?}, \
             attributes {:04x?}",
            resp.attributes.xor_mapped_address,
            kinds(&bytes)
        );
        assert_eq!(resp.class, Class::Success, "{}", hex(&bytes));
        assert_eq!(resp.method, Method::BINDING);
        assert_eq!(resp.transaction_id, tid);
        assert_eq!(resp.attributes.xor_mapped_address, Some(local));
        assert!(resp.unknown_required.is_empty());
        assert_eq!(resp.has_fingerprint(), fingerprint);
    }
    assert!(pending.is_empty(), "trailing bytes: {}", hex(&pending));
}

#[test]
fn coturn_answers_our_binding_over_tcp_v4() {
    coturn_binding_tcp(V4);
}

#[test]
fn coturn_answers_our_binding_over_tcp_v6() {
    coturn_binding_tcp(V6);
}

// ---------------------------------------------------------------------------------------
// Our Binding server, for coturn's clients
// ---------------------------------------------------------------------------------------

const SOFTWARE: &str = "rtcam-stun interop test server";

/// What our server did with one datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Success,
    Error { code: u16, unknown: Vec<u16> },
    Dropped(String),
}

#[derive(Debug, Clone)]
struct Served {
    from: SocketAddr,
    /// Attribute types of the request, in wire order.
    kinds: Vec<u16>,
    outcome: Outcome,
}

/// The answer to one datagram, per RFC 8489 §6.3: malformed input and non-requests are
/// dropped, unknown comprehension-required attributes get 420 + UNKNOWN-ATTRIBUTES, other
/// methods 400, Binding gets XOR-MAPPED-ADDRESS (and MAPPED-ADDRESS for RFC 3489-era
/// clients). Every answer carries SOFTWARE and FINGERPRINT.
fn answer(request: &[u8], from: SocketAddr, out: &mut [u8]) -> (Outcome, usize) {
    let repr = match Repr::parse_bytes(request) {
        Ok(r) => r,
        Err(e) => return (Outcome::Dropped(format!("{e:?}")), 0),
    };
    if repr.class != Class::Request {
        return (Outcome::Dropped(format!("{:?}", repr.class)), 0);
    }
    let error = |code: u16, reason: &str, unknown: &[u16], out: &mut [u8]| {
        let mut scratch = [0u8; 2 * rtcam_stun::MAX_UNKNOWN];
        let mut b =
            MessageBuilder::new(out, Class::Error, repr.method, repr.transaction_id).unwrap();
        b.add(&Attribute::ErrorCode(ErrorCode { code, reason }))
            .unwrap();
        if !unknown.is_empty() {
            let list = UnknownAttributes::build(unknown, &mut scratch).unwrap();
            b.add(&Attribute::UnknownAttributes(list)).unwrap();
        }
        b.add(&Attribute::Software(SOFTWARE)).unwrap();
        let n = b.seal(Seal::FINGERPRINT).unwrap().len();
        let outcome = Outcome::Error {
            code,
            unknown: unknown.to_vec(),
        };
        (outcome, n)
    };
    if repr.has_unknown_required() {
        return error(
            code::UNKNOWN_ATTRIBUTE,
            "Unknown Attribute",
            &repr.unknown_required,
            out,
        );
    }
    if repr.method != Method::BINDING {
        return error(code::BAD_REQUEST, "Bad Request", &[], out);
    }
    let mut resp = Repr::new(Class::Success, Method::BINDING, repr.transaction_id);
    resp.attributes.xor_mapped_address = Some(from);
    resp.attributes.mapped_address = Some(from);
    resp.attributes.software = Some(SOFTWARE);
    let n = resp.emit(out, Seal::FINGERPRINT).unwrap();
    // What we send must be what we meant.
    let check = Repr::parse_bytes(&out[..n]).unwrap();
    assert_eq!(check.attributes.xor_mapped_address, Some(from));
    assert!(check.has_fingerprint());
    (Outcome::Success, n)
}

/// A UDP Binding server on a loopback address, on a thread; stops on drop.
struct OurServer {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Served>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl OurServer {
    fn start(ip: IpAddr) -> OurServer {
        let sock = UdpSocket::bind(SocketAddr::new(ip, 0)).unwrap();
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = sock.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (log, stop) = (Arc::clone(&log), Arc::clone(&stop));
            thread::spawn(move || serve(&sock, &log, &stop))
        };
        OurServer {
            addr,
            log,
            stop,
            thread: Some(thread),
        }
    }

    fn served(&self) -> Vec<Served> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until at least `n` datagrams have been handled.
    fn wait_served(&self, n: usize) -> Vec<Served> {
        poll(IO_TIMEOUT, || {
            let s = self.served();
            (s.len() >= n).then_some(s)
        })
        .unwrap_or_else(|| panic!("our server handled {:?}, expected {n}", self.served()))
    }
}

impl Drop for OurServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve(sock: &UdpSocket, log: &Mutex<Vec<Served>>, stop: &AtomicBool) {
    let mut buf = [0u8; 4096];
    let mut out = [0u8; 512];
    while !stop.load(Ordering::Relaxed) {
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(r) => r,
            Err(_) => continue, // timeout (checks `stop`), or an ICMP error: keep serving
        };
        let request = &buf[..n];
        let (outcome, len) = answer(request, from, &mut out);
        if len > 0 {
            let _ = sock.send_to(&out[..len], from);
        }
        log.lock().unwrap().push(Served {
            from,
            kinds: kinds(request),
            outcome,
        });
    }
}

/// Runs a coturn client to completion (it must exit within 10 s) and returns its stdout.
fn run_client(tool: &str, args: &[String]) -> String {
    let bin = require_tool(tool);
    let child = Command::new(&bin)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {}: {e}", bin.display()));
    let (status, stdout, stderr) =
        ChildGuard::new(tool, child).wait_with_output(Duration::from_secs(10));
    println!("$ {tool} {}\n{stdout}", args.join(" "));
    assert!(
        status.success(),
        "{tool} {args:?} failed: {status}\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
}

/// Every address coturn's tools print after `label`, e.g.
/// `0: : IPv4. UDP reflexive addr: 127.0.0.1:41093` or `Local addr: : ::1:55258`.
fn addrs_after(stdout: &str, label: &str) -> Vec<SocketAddr> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = &line[line.find(label)? + label.len()..];
            // The address is the last word; IPv6 ones are not bracketed ("::1:55258").
            let (ip, port) = rest.split_whitespace().last()?.rsplit_once(':')?;
            Some(SocketAddr::new(ip.parse().ok()?, port.parse().ok()?))
        })
        .collect()
}

fn stunclient_plain(ip: IpAddr) {
    let server = OurServer::start(ip);
    let out = run_client(
        "turnutils_stunclient",
        &[
            "-p".into(),
            server.addr.port().to_string(),
            server.addr.ip().to_string(),
        ],
    );
    let served = server.wait_served(1);
    assert_eq!(served.len(), 1, "{served:?}");
    let req = &served[0];
    assert_eq!(req.outcome, Outcome::Success, "{req:?}");
    let reflexive = addrs_after(&out, "UDP reflexive addr");
    println!(
        "our server {} saw {}; the client printed {reflexive:?}",
        server.addr, req.from
    );
    assert!(!reflexive.is_empty(), "no reflexive address in:\n{out}");
    assert!(
        reflexive.iter().all(|a| *a == req.from),
        "{reflexive:?} != {}",
        req.from
    );
    // We send no OTHER-ADDRESS, so the client must not go on to RFC 5780 tests.
    assert!(!out.contains("RFC 5780"), "{out}");
    assert!(!out.contains("error"), "{out}");
}

#[test]
fn turnutils_stunclient_learns_its_address_from_our_server_v4() {
    stunclient_plain(V4);
}

#[test]
fn turnutils_stunclient_learns_its_address_from_our_server_v6() {
    stunclient_plain(V6);
}

/// `-f` forces RFC 5780 tests: after a plain Binding, coturn's client sends a request
/// with RESPONSE-PORT and CHANGE-REQUEST, which we do not implement, so we answer 420.
/// That client sends the second request from its first socket, closes it and waits on
/// the RESPONSE-PORT socket without a timeout, so it never sees our 420 (sent, as RFC 8489
/// says, to the request's source): it hangs by design and is killed here.
#[test]
fn turnutils_stunclient_rfc5780_request_gets_420_from_our_server() {
    let server = OurServer::start(V4);
    let bin = require_tool("turnutils_stunclient");
    let child = Command::new(&bin)
        .args(["-f", "-p", &server.addr.port().to_string(), "127.0.0.1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut client = ChildGuard::new("turnutils_stunclient -f", child);
    let served = server.wait_served(2);
    client.kill();
    println!("our server {} handled: {served:#?}", server.addr);
    assert_eq!(served[0].outcome, Outcome::Success, "{served:?}");
    let second = &served[1];
    assert_eq!(second.from, served[0].from, "sent from the same socket");
    assert!(
        second.kinds.contains(&RESPONSE_PORT) && second.kinds.contains(&CHANGE_REQUEST),
        "{:04x?}",
        second.kinds
    );
    let Outcome::Error { code, unknown } = &second.outcome else {
        panic!("{second:?}");
    };
    assert_eq!(*code, code::UNKNOWN_ATTRIBUTE);
    let mut unknown = unknown.clone();
    unknown.sort_unstable();
    assert_eq!(unknown, [CHANGE_REQUEST, RESPONSE_PORT]);
}

fn natdiscovery_mapping(ip: IpAddr) {
    let server = OurServer::start(ip);
    let out = run_client(
        "turnutils_natdiscovery",
        &[
            "-m".into(),
            "-L".into(),
            ip.to_string(),
            "-p".into(),
            server.addr.port().to_string(),
            ip.to_string(),
        ],
    );
    let served = server.wait_served(1);
    assert_eq!(served.len(), 1, "{served:?}");
    assert_eq!(served[0].outcome, Outcome::Success);
    let reflexive = addrs_after(&out, "UDP reflexive addr");
    let local = addrs_after(&out, "Local addr");
    println!(
        "our server {} saw {}; natdiscovery printed reflexive {reflexive:?}, local {local:?}",
        server.addr, served[0].from
    );
    assert!(
        !reflexive.is_empty() && reflexive.iter().all(|a| *a == served[0].from),
        "{out}"
    );
    assert!(local.iter().all(|a| *a == served[0].from), "{out}");
    // Mapped == local: coturn's verdict for a loopback path.
    assert!(
        out.contains("No NAT! (Endpoint Independent Mapping)"),
        "{out}"
    );
}

#[test]
fn turnutils_natdiscovery_maps_no_nat_through_our_server_v4() {
    natdiscovery_mapping(V4);
}

#[test]
fn turnutils_natdiscovery_maps_no_nat_through_our_server_v6() {
    natdiscovery_mapping(V6);
}

/// `-P` adds a 1500-byte PADDING attribute (RFC 5780, comprehension-required): our server
/// answers 420, and coturn's client must read our ERROR-CODE.
#[test]
fn turnutils_natdiscovery_reads_our_420_for_padding() {
    let server = OurServer::start(V4);
    let out = run_client(
        "turnutils_natdiscovery",
        &[
            "-m".into(),
            "-P".into(),
            "-L".into(),
            "127.0.0.1".into(),
            "-p".into(),
            server.addr.port().to_string(),
            "127.0.0.1".into(),
        ],
    );
    let served = server.wait_served(1);
    assert_eq!(served.len(), 1, "{served:?}");
    assert!(served[0].kinds.contains(&PADDING), "{served:?}");
    assert_eq!(
        served[0].outcome,
        Outcome::Error {
            code: code::UNKNOWN_ATTRIBUTE,
            unknown: vec![PADDING]
        }
    );
    assert!(
        out.contains("The response is an error 420 (Unknown Attribute)"),
        "{out}"
    );
}

/// Our server drops what it cannot parse and keeps serving (checked with our own client,
/// after garbage and a truncated message).
#[test]
fn our_server_drops_malformed_input() {
    let server = OurServer::start(V4);
    let sock = UdpSocket::bind((V4, 0)).unwrap();
    let (tid, req) = binding_request(&[], Seal::FINGERPRINT);
    sock.send_to(b"not stun at all", server.addr).unwrap();
    sock.send_to(&req[..req.len() - 4], server.addr).unwrap();
    let (bytes, local) = udp_transaction(server.addr, tid, &req);
    let resp = parse(&bytes);
    assert_eq!(resp.attributes.xor_mapped_address, Some(local));
    let served = server.served();
    assert!(
        matches!(served[0].outcome, Outcome::Dropped(_)),
        "{served:?}"
    );
    assert!(
        matches!(served[1].outcome, Outcome::Dropped(_)),
        "{served:?}"
    );
}
