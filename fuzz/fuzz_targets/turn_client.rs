//! The TURN client state machine fed arbitrary server input: datagrams, stream bytes cut
//! with `frame_len`, timer ticks and user operations, in any order.
//!
//! The fuzzer's bytes are a script. Each step takes one opcode byte:
//! - datagram: a length byte, then that many bytes from the "server";
//! - stream: a length byte, then bytes appended to a stream buffer that is cut into
//!   frames with `rtcam_turn::frame_len` and fed frame by frame;
//! - tick: advance the virtual clock by a byte's worth of 100 ms steps (or to the next
//!   timeout) and run `handle_timeout`;
//! - user operations: allocate, create_permission, bind_channel, send_to, set_credentials,
//!   close.
//!
//! After every step all transmits and events are drained. Properties checked (beyond
//! "never panics"): every transmit fits the buffer and goes to the server; every request
//! the client writes parses as STUN; `poll_timeout` is never in the past after a
//! `handle_timeout`; peer data handed back lies inside the input.
//!
//! With `cfg(fuzzing)` rtcam-stun skips FINGERPRINT CRC checks, so mutated server answers
//! reach the state machine (MESSAGE-INTEGRITY is still checked: forged successes must be
//! dropped).

#![no_main]

use std::net::SocketAddr;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use rtcam_turn::{Client, Config, Received, Transport, frame_len};

struct Rng(u64);
impl rand_core::RngCore for Rng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
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
impl rand_core::CryptoRng for Rng {}

fuzz_target!(|data: &[u8]| run(data));

fn run(data: &[u8]) {
    let server: SocketAddr = "127.0.0.1:3478".parse().unwrap();
    let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    let mut it = data.iter().copied();
    let transport = match it.next() {
        Some(b) if b % 3 == 1 => Transport::Tcp,
        Some(b) if b % 3 == 2 => Transport::Tls,
        _ => Transport::Udp,
    };
    let mut config = Config::new(server, "1700000000:camera1", "s3cret");
    config.transport = transport;
    let mut client: Client<Rng, 4> = Client::new(&config, Rng(1)).unwrap();
    let mut now = Duration::ZERO;
    let mut stream: Vec<u8> = Vec::new();
    client.allocate(now).unwrap();
    drain(&mut client, now, server);
    while let Some(op) = it.next() {
        match op % 10 {
            0..=2 => {
                let len = usize::from(it.next().unwrap_or(0));
                let input: Vec<u8> = it.by_ref().take(len).collect();
                check_received(client.handle_input(now, server, &input), &input);
            }
            3 => {
                let len = usize::from(it.next().unwrap_or(0));
                stream.extend(it.by_ref().take(len));
                loop {
                    match frame_len(&stream) {
                        Ok(Some(n)) if n <= stream.len() => {
                            let frame: Vec<u8> = stream.drain(..n).collect();
                            check_received(client.handle_input(now, server, &frame), &frame);
                        }
                        Ok(_) => break,
                        Err(_) => {
                            // A broken stream: the driver would reconnect.
                            stream.clear();
                            break;
                        }
                    }
                }
            }
            4 => {
                let step = it.next().unwrap_or(0);
                now = if step == 0 {
                    client.poll_timeout().map_or(now, |t| t.max(now))
                } else {
                    now + Duration::from_millis(100 * u64::from(step))
                };
                client.handle_timeout(now);
                if let Some(t) = client.poll_timeout() {
                    // Anything due was handled; a past deadline would spin the driver.
                    assert!(
                        t > now || client_has_queued(&mut client, now, server),
                        "timeout in the past"
                    );
                }
            }
            5 => {
                let _ = client.create_permission(now, peer.ip());
            }
            6 => {
                let _ = client.bind_channel(now, peer);
            }
            7 => {
                let mut buf = [0u8; 600];
                let len = usize::from(it.next().unwrap_or(0));
                let payload: Vec<u8> = it.by_ref().take(len).collect();
                if let Ok(t) = client.send_to(peer, &payload, &mut buf) {
                    assert!(t.len <= buf.len());
                    assert_eq!(t.destination, client.server());
                }
            }
            8 => {
                let _ = client.set_credentials("1800000000:camera1", "n3w");
            }
            _ => {
                let _ = client.close(now);
            }
        }
        drain(&mut client, now, server);
    }
}

/// True if transmits were waiting (then draining makes the timeout move on).
fn client_has_queued(client: &mut Client<Rng, 4>, now: Duration, server: SocketAddr) -> bool {
    drain(client, now, server)
}

/// Drains transmits (checking each) and events; true if anything was transmitted.
fn drain(client: &mut Client<Rng, 4>, now: Duration, server: SocketAddr) -> bool {
    let mut any = false;
    let mut buf = [0u8; rtcam_turn::MAX_REQUEST_LEN];
    while let Ok(Some(t)) = client.poll_transmit(now, &mut buf) {
        any = true;
        assert!(t.len <= buf.len());
        assert_eq!(t.destination, client.server());
        let _ = server;
        rtcam_stun::Repr::parse_bytes(&buf[..t.len]).expect("the client writes valid STUN");
    }
    while client.poll_event().is_some() {}
    any
}

fn check_received(r: Received<'_>, input: &[u8]) {
    if let Received::PeerData { data, .. } = r {
        let start = input.as_ptr() as usize;
        let at = data.as_ptr() as usize;
        assert!(data.is_empty() || (at >= start && at + data.len() <= start + input.len()));
    }
}
