//! Harness for rtcam-turn's tests against a real TURN server (coturn) on loopback.
//!
//! Include it from an integration test with `mod support;`. It gives:
//! - [`Coturn`]: a `turnserver` on 127.0.0.1 and ::1 (UDP+TCP, TLS) with long-term or REST
//!   shared-secret credentials ([`Auth`]), on ports of its own, killed on drop;
//! - [`TestCa`]: a throw-away CA and the server certificate coturn presents, so clients verify
//!   coturn through that CA (never "accept any certificate");
//! - [`TlsStream`]: a blocking rustls 0.23 (ring) client stream over TCP;
//! - [`EchoPeer`]: a UDP echo peer on loopback that records what it saw;
//! - [`rest_credentials`]: TURN REST API (KVS-style) username and password;
//! - small STUN helpers built on rtcam-stun ([`binding_request`], [`read_stun_frame`]).
//!
//! The process guards, scratch directories, free ports and timeouts are rtcam-stun's test
//! harness (`stun/tests/support/mod.rs`), included here as `common` and re-exported.
//!
//! Std only. Loopback only: every address handed out here is 127.0.0.1 or ::1.

// Each test binary uses a different part of the harness.
#![allow(dead_code, unused_imports)]
// These are test helpers: a failure must stop the test loudly, with a message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../stun/tests/support/mod.rs"]
mod common;

mod coturn;
mod echo;
mod rest;
mod tls;

pub(crate) use common::{
    ChildGuard, IO_TIMEOUT, TempDir, V4, V6, free_port, poll, require_tool, tail,
};
pub(crate) use coturn::{Auth, Coturn, LT_PASS, LT_USER, REALM, REST_SECRET};
pub(crate) use echo::EchoPeer;
pub(crate) use rest::{rest_credentials, rest_password};
pub(crate) use tls::{ServerCert, TestCa, TlsStream, tls_error};

use std::io::{self, ErrorKind, Read};
use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use rand_core::OsRng;
use rtcam_stun::{Class, MessageBuilder, Method, Repr, Seal, TransactionId, frame_len};

/// Lowercase hex, for failure messages.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A Binding request with a fresh random transaction id and the given seal.
pub(crate) fn binding_request(seal: Seal<'_>) -> (TransactionId, Vec<u8>) {
    let tid = TransactionId::random(&mut OsRng);
    let mut buf = [0u8; 128];
    let b = MessageBuilder::new(&mut buf, Class::Request, Method::BINDING, tid).unwrap();
    (tid, b.seal(seal).unwrap().to_vec())
}

/// Sends a Binding request over UDP to `server` from a fresh socket of its family,
/// retransmitting every 100 ms, and returns the Binding success response's bytes, or `None`
/// if none came within `timeout`.
pub(crate) fn udp_binding(server: SocketAddr, timeout: Duration) -> Option<Vec<u8>> {
    let sock = UdpSocket::bind(SocketAddr::new(server.ip(), 0)).unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let (tid, req) = binding_request(Seal::FINGERPRINT);
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 1500];
    while Instant::now() < deadline {
        // ICMP port unreachable (server not up yet) surfaces as an error on send or recv.
        let _ = sock.send_to(&req, server);
        let resend_at = Instant::now() + Duration::from_millis(100);
        while Instant::now() < resend_at {
            match sock.recv_from(&mut buf) {
                Ok((n, from)) if from == server => {
                    let msg = &buf[..n];
                    if Repr::parse_bytes(msg)
                        .is_ok_and(|r| r.transaction_id == tid && r.class == Class::Success)
                    {
                        return Some(msg.to_vec());
                    }
                }
                Ok(_) => {}
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    std::thread::sleep(Duration::from_millis(20));
                    break;
                }
                Err(_) => break,
            }
        }
    }
    None
}

/// Reads one whole STUN message from a byte stream (TCP or TLS), framed with
/// [`frame_len`]. `pending` keeps bytes read past the message for the next call.
/// Fails with `InvalidData` on a bad header and `UnexpectedEof` on a close mid-frame;
/// the stream's read timeout bounds the wait.
pub(crate) fn read_stun_frame<R: Read>(
    stream: &mut R,
    pending: &mut Vec<u8>,
) -> io::Result<Vec<u8>> {
    loop {
        let len = frame_len(pending).map_err(|e| {
            io::Error::new(
                ErrorKind::InvalidData,
                format!("bad STUN frame header {e:?}: {}", hex(pending)),
            )
        })?;
        if let Some(len) = len {
            if pending.len() >= len {
                return Ok(pending.drain(..len).collect());
            }
        }
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(io::Error::new(
                ErrorKind::UnexpectedEof,
                format!("stream closed with {} bytes of a frame", pending.len()),
            ));
        }
        pending.extend_from_slice(&chunk[..n]);
    }
}
