//! The blocking I/O driver (feature `client`): the pieces around the sans-IO core that
//! talk to the real service (or the local server).
//!
//! - [`tls`]: one rustls trust configuration (system roots, `AWS_KVS_CACERT_PATH`,
//!   explicit extra roots; optional client certificate), ring provider.
//! - [`credentials`]: env, shared credentials file, AWS IoT role alias, cached and
//!   refreshed before expiry.
//! - [`http`] + [`control`]: signed HTTPS calls (ureq) and the eight typed KVS REST
//!   operations with [`crate::api`] bodies and `ServiceError` mapping.
//! - [`cache`]: the 10-hour endpoint cache, in memory and in a JSON file.
//! - [`wss`]: the presigned WebSocket over tungstenite + rustls.
//! - `session`: [`SignalingClient`], which drives [`crate::policy::Policy`] on one
//!   thread.
//!
//! # Deliberate shortcuts
//!
//! - Control-plane requests are signed by [`crate::sign_kvs_post`] as botocore signs
//!   them (`content-type;host;x-amz-date[;x-amz-security-token]`); `user-agent` is sent
//!   unsigned.
//! - Blocking calls (HTTPS, the WSS connect) run inside
//!   [`SignalingClient::poll_event`], bounded by [`ClientConfig::call_timeout`]; frames
//!   arriving meanwhile wait in the socket.
//! - Make-before-break: once the replacement connection is up, what already arrived on
//!   the old one is delivered, then it is closed; later frames on it are lost (the
//!   service replaces a master's connection anyway).
//! - Outgoing messages wait in a bounded queue ([`MAX_QUEUED`]) for the rate limiter
//!   or for a connection, and survive a reconnect (they may be stale by then).
//! - Candidate buffering also holds a viewer's candidates from the master until it
//!   calls [`SignalingClient::offer_applied`] for the answer; a new offer from a sender
//!   starts its buffering again.
//! - An ICE server list without `Ttl` is treated as valid for 300 s.
//! - `ExpiredTokenException` is reported to the policy as a signature failure (it then
//!   checks the `Date`) and drops the cached credentials so the next call refetches.
//! - [`ClientConfig::clock_error_secs`] simulates a wrong device clock (tests).
//!
//! ```no_run
//! use std::time::Duration;
//! use rtcam_signaling::client::{ClientConfig, ClientEvent, SignalingClient};
//! use rtcam_signaling::client::credentials::default_provider;
//! use rtcam_signaling::policy::Role;
//!
//! let cfg = ClientConfig::new("us-west-2", "my-camera", Role::Master, "cam-1");
//! let mut client = SignalingClient::new(cfg, Box::new(default_provider()?))?;
//! loop {
//!     match client.poll_event(Duration::from_secs(1))? {
//!         Some(ClientEvent::Offer(offer)) => {
//!             // apply offer.payload, then:
//!             client.offer_applied(offer.sender.as_deref());
//!             client.send_answer(offer.sender.as_deref(), br#"{"type":"answer","sdp":"v=0..."}"#)?;
//!         }
//!         Some(ClientEvent::Candidate(c)) => { /* add c.payload */ }
//!         _ => {}
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod cache;
mod clock;
pub mod control;
pub mod credentials;
pub mod http;
mod session;
pub mod tls;
pub mod wss;

pub use session::{
    BUFFER_BYTES, BUFFER_SENDERS, ClientConfig, ClientError, ClientEvent, MAX_QUEUED, PeerMessage,
    ReconnectReason, SignalingClient,
};
