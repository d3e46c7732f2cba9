//! Self-test of the real-server harness in `tests/support`: coturn comes up in both credential
//! modes and relays for coturn's own client (`turnutils_uclient`) to our echo peer; its TLS
//! port is verified through the test CA (and not through another one); a STUN Binding goes
//! over the TLS stream. Loopback only; each test has its own server and ports.

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

use std::io::{ErrorKind, Write};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::Duration;

use rtcam_stun::{Class, Method, Repr, Seal};
use support::{
    Auth, ChildGuard, Coturn, EchoPeer, IO_TIMEOUT, LT_PASS, LT_USER, REST_SECRET, TestCa,
    TlsStream, V4, V6, binding_request, hex, read_stun_frame, require_tool, rest_credentials,
    rest_password, tls_error,
};

/// `turnutils_uclient` sends `-n` messages 20 ms apart, then waits for the echoes; a run
/// takes a few seconds.
const UCLIENT_TIMEOUT: Duration = Duration::from_secs(20);

/// Runs `turnutils_uclient ARGS -p <coturn port> <coturn ip>` and returns
/// (exit success, tot_send_msgs, tot_recv_msgs, all output). The counts are `None` when
/// the summary line is missing (e.g. the allocation failed).
fn uclient(coturn: &Coturn, server: IpAddr, args: &[&str]) -> (bool, Option<(u64, u64)>, String) {
    let bin = require_tool("turnutils_uclient");
    let child = Command::new(bin)
        // -c: no second ("RTCP") allocation, which would send to the peer port + 1.
        .arg("-c")
        .args(args)
        .arg("-p")
        .arg(coturn.port().to_string())
        .arg(server.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, out, err) =
        ChildGuard::new("turnutils_uclient", child).wait_with_output(UCLIENT_TIMEOUT);
    let all = format!("{out}{err}");
    // "start_mclient: tot_send_msgs=5, tot_recv_msgs=5"
    let counts = all
        .lines()
        .filter_map(|l| l.split("start_mclient: tot_send_msgs=").nth(1))
        .next_back()
        .and_then(|rest| {
            let (sent, recv) = rest.split_once(", tot_recv_msgs=")?;
            Some((sent.trim().parse().ok()?, recv.trim().parse().ok()?))
        });
    (status.success(), counts, all)
}

/// coturn relays uclient's messages to our echo peer and the echoes back: uclient counts as
/// many received as sent, and every datagram the peer saw came from a relayed address of
/// coturn (its relay range, on the peer's family).
fn relays_to_echo_peer(coturn: &Coturn, ip: IpAddr, user: &str, pass: &str, extra: &[&str]) {
    let peer = EchoPeer::start(ip);
    let peer_ip = ip.to_string();
    let peer_port = peer.addr().port().to_string();
    let mut args = extra.to_vec();
    args.extend([
        "-u", user, "-w", pass, "-e", &peer_ip, "-r", &peer_port, "-n", "5",
    ]);
    let (ok, counts, out) = uclient(coturn, ip, &args);
    let seen = peer.received();
    println!(
        "uclient {args:?}: {counts:?} (sent, received); echo peer {} saw {} datagrams from {:?}",
        peer.addr(),
        seen.len(),
        seen.iter()
            .map(|(from, _)| *from)
            .collect::<std::collections::BTreeSet<_>>()
    );
    let Some((sent, received)) = counts else {
        panic!("no uclient summary line:\n{out}")
    };
    assert!(ok, "uclient failed:\n{out}");
    assert!(sent >= 5, "{out}");
    assert_eq!(received, sent, "uclient lost echoes:\n{out}");
    assert!(
        seen.len() as u64 >= sent,
        "echo peer saw {} of {sent} datagrams",
        seen.len()
    );
    let relay = coturn.relay_ports();
    for (from, data) in &seen {
        assert_eq!(from.ip(), ip, "datagram from {from}");
        assert!(
            relay.contains(&from.port()),
            "datagram from {from}, not from the relay range {relay:?}"
        );
        assert!(!data.is_empty());
    }
}

#[test]
fn coturn_long_term_relays_uclient_to_echo_peer_udp_v4() {
    let coturn = Coturn::start(Auth::LongTerm);
    relays_to_echo_peer(&coturn, V4, LT_USER, LT_PASS, &[]);
}

#[test]
fn coturn_long_term_relays_uclient_to_echo_peer_udp_v6() {
    let coturn = Coturn::start(Auth::LongTerm);
    relays_to_echo_peer(&coturn, V6, LT_USER, LT_PASS, &[]);
}

#[test]
fn coturn_long_term_relays_uclient_to_echo_peer_tcp_v4() {
    let coturn = Coturn::start(Auth::LongTerm);
    relays_to_echo_peer(&coturn, V4, LT_USER, LT_PASS, &["-t"]);
}

/// `turnutils_uclient` with credentials coturn must refuse: no allocation, and nothing
/// reaches the echo peer.
fn refuses_allocation(coturn: &Coturn, user: &str, pass: &str) {
    let peer = EchoPeer::start(V4);
    let port = peer.addr().port().to_string();
    let args = [
        "-u",
        user,
        "-w",
        pass,
        "-e",
        "127.0.0.1",
        "-r",
        &port,
        "-n",
        "3",
    ];
    let (_, counts, out) = uclient(coturn, V4, &args);
    assert!(
        out.contains("Cannot complete Allocation"),
        "{counts:?}\n{out}"
    );
    assert_eq!(peer.count(), 0);
}

#[test]
fn coturn_long_term_rejects_a_wrong_password() {
    let coturn = Coturn::start(Auth::LongTerm);
    refuses_allocation(&coturn, LT_USER, "wrong");
}

#[test]
fn coturn_rest_relays_uclient_to_echo_peer() {
    let coturn = Coturn::start(Auth::rest());
    let (user, pass) = rest_credentials(REST_SECRET, "camera1", 3600);
    relays_to_echo_peer(&coturn, V4, &user, &pass, &[]);
}

#[test]
fn coturn_rest_rejects_credentials_from_another_secret() {
    let coturn = Coturn::start(Auth::rest());
    let (user, pass) = rest_credentials("not-the-secret", "camera1", 3600);
    refuses_allocation(&coturn, &user, &pass);
}

#[test]
fn rest_password_matches_the_kits_openssl_formula() {
    // printf '%s' 1700000000:camera1 | openssl dgst -sha1 -hmac kvs-shared-secret -binary | base64
    assert_eq!(
        rest_password("kvs-shared-secret", "1700000000:camera1"),
        "yvK6QPhwvUpM4Hq7Z3sH5FgMt0s="
    );
    let (user, pass) = rest_credentials("s3cret", "viewer-7", 600);
    let (expiry, name) = user.split_once(':').unwrap();
    assert_eq!(name, "viewer-7");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let expiry: u64 = expiry.parse().unwrap();
    assert!(
        (now + 590..=now + 610).contains(&expiry),
        "{expiry} vs now {now}"
    );
    assert_eq!(pass, rest_password("s3cret", &user));
}

#[test]
fn echo_peer_echoes_and_records_v4_and_v6() {
    for ip in [V4, V6] {
        let peer = EchoPeer::start(ip);
        let sock = UdpSocket::bind(SocketAddr::new(ip, 0)).unwrap();
        sock.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        sock.send_to(b"hello", peer.addr()).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = sock.recv_from(&mut buf).unwrap();
        assert_eq!((&buf[..n], from), (&b"hello"[..], peer.addr()));
        assert!(peer.wait_for(1, IO_TIMEOUT));
        assert_eq!(
            peer.received(),
            vec![(sock.local_addr().unwrap(), b"hello".to_vec())]
        );
    }
}

fn tls_handshake_verified(ip: IpAddr) {
    let coturn = Coturn::start(Auth::LongTerm);
    let tls = coturn.connect_tls(ip);
    println!(
        "TLS to coturn {} from {}: {:?} {:?}",
        tls.peer_addr(),
        tls.local_addr(),
        tls.protocol_version(),
        tls.cipher_suite().map(|s| s.suite())
    );
    assert_eq!(tls.peer_addr(), coturn.tls_addr(ip));
    assert!(tls.protocol_version().is_some());
    // coturn presented the certificate our CA issued for it.
    let chain = tls.peer_certificates();
    assert!(!chain.is_empty());
    assert_ne!(chain[0], coturn.ca_cert_der());
    tls.close();
}

#[test]
fn coturn_tls_verifies_through_the_test_ca_v4() {
    tls_handshake_verified(V4);
}

#[test]
fn coturn_tls_verifies_through_the_test_ca_v6() {
    tls_handshake_verified(V6);
}

#[test]
fn coturn_tls_fails_with_another_ca() {
    let coturn = Coturn::start(Auth::LongTerm);
    let other = TestCa::new("some other CA");
    let err = match TlsStream::connect(coturn.tls_addr(V4), other.client_config()) {
        Ok(_) => panic!("handshake succeeded with a CA that did not sign coturn's certificate"),
        Err(e) => e,
    };
    println!("with another CA: {err}");
    assert_eq!(err.kind(), ErrorKind::InvalidData, "{err:?}");
    assert!(
        matches!(
            tls_error(&err),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer
            ))
        ),
        "{err:?}"
    );
}

#[test]
fn coturn_tls_fails_for_a_name_not_in_the_certificate() {
    let coturn = Coturn::start(Auth::LongTerm);
    // The right CA, but a server name the certificate does not list.
    let name = rustls::pki_types::ServerName::try_from("turn.example.com").unwrap();
    let err = match TlsStream::connect_as(coturn.tls_addr(V4), coturn.client_config(), name) {
        Ok(_) => panic!("handshake succeeded for a name not in coturn's certificate"),
        Err(e) => e,
    };
    println!("wrong name: {err}");
    assert!(
        matches!(
            tls_error(&err),
            Some(rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            ))
        ),
        "{err:?}"
    );
}

#[test]
fn coturn_answers_a_stun_binding_over_our_tls_stream() {
    let coturn = Coturn::start(Auth::LongTerm);
    let mut tls = coturn.connect_tls(V4);
    let local = tls.local_addr();
    // Two requests in one write: the answers are framed apart with frame_len.
    let (tid1, req1) = binding_request(Seal::FINGERPRINT);
    let (tid2, req2) = binding_request(Seal::NONE);
    tls.write_all(&[req1, req2].concat()).unwrap();
    tls.flush().unwrap();
    let mut pending = Vec::new();
    for tid in [tid1, tid2] {
        let bytes = read_stun_frame(&mut tls, &mut pending).unwrap();
        let resp = Repr::parse_bytes(&bytes).unwrap_or_else(|e| {
            panic!(
                "rtcam-stun rejected coturn's answer: {e:?}\n{}",
                hex(&bytes)
            )
        });
        println!(
            "coturn over TLS -> {local}: {:?} XOR-MAPPED-ADDRESS {:?}",
            resp.class, resp.attributes.xor_mapped_address
        );
        assert_eq!(resp.class, Class::Success, "{}", hex(&bytes));
        assert_eq!(resp.method, Method::BINDING);
        assert_eq!(resp.transaction_id, tid);
        assert_eq!(resp.attributes.xor_mapped_address, Some(local));
        // `--fingerprint`: coturn adds FINGERPRINT whether or not the request had one.
        assert!(resp.has_fingerprint());
    }
    assert!(pending.is_empty(), "trailing bytes: {}", hex(&pending));
    tls.close();
}
