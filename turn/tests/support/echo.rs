//! A UDP echo peer on loopback: the "peer" behind a TURN relay.

use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use super::poll;

/// What the peer received: (source address, bytes), in arrival order.
type Seen = Mutex<Vec<(SocketAddr, Vec<u8>)>>;

/// Echoes every datagram back to its sender, from a thread, and records each one
/// (source address and bytes). Stops and joins its thread on drop.
pub(crate) struct EchoPeer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    seen: Arc<Seen>,
    thread: Option<JoinHandle<()>>,
}

impl EchoPeer {
    /// Binds `ip:0` (`ip` must be 127.0.0.1 or ::1) and starts echoing.
    pub(crate) fn start(ip: IpAddr) -> EchoPeer {
        assert!(ip.is_loopback(), "echo peer on {ip}: loopback only");
        let sock = UdpSocket::bind(SocketAddr::new(ip, 0)).unwrap();
        // Short, so that drop is prompt.
        sock.set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = sock.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (stop, seen) = (Arc::clone(&stop), Arc::clone(&seen));
            thread::Builder::new()
                .name(format!("echo-peer-{addr}"))
                .spawn(move || echo_loop(&sock, &stop, &seen))
                .unwrap()
        };
        EchoPeer {
            addr,
            stop,
            seen,
            thread: Some(thread),
        }
    }

    /// The address to send to (and to give the TURN server as the peer address).
    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every datagram received so far: (source address, bytes), in arrival order.
    pub(crate) fn received(&self) -> Vec<(SocketAddr, Vec<u8>)> {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// How many datagrams have been received so far.
    pub(crate) fn count(&self) -> usize {
        self.seen.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits until at least `n` datagrams have arrived; `false` after `timeout`.
    pub(crate) fn wait_for(&self, n: usize, timeout: Duration) -> bool {
        poll(timeout, || (self.count() >= n).then_some(())).is_some()
    }
}

fn echo_loop(sock: &UdpSocket, stop: &AtomicBool, seen: &Seen) {
    let mut buf = vec![0u8; 65536];
    while !stop.load(Ordering::Relaxed) {
        match sock.recv_from(&mut buf) {
            Ok((n, from)) => {
                let data = &buf[..n];
                // A send error (the sender is gone) must not stop the peer.
                let _ = sock.send_to(data, from);
                seen.lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((from, data.to_vec()));
            }
            // Timeouts, and ICMP errors from an earlier echo to a closed port.
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock
                        | ErrorKind::TimedOut
                        | ErrorKind::ConnectionRefused
                        | ErrorKind::ConnectionReset
                        | ErrorKind::Interrupted
                ) => {}
            Err(e) => {
                eprintln!("echo peer {:?}: recv_from: {e}", sock.local_addr());
                return;
            }
        }
    }
}

impl Drop for EchoPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
