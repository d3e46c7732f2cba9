//! KVS signaling: SigV4, control-plane REST, WebSocket messages, reconnect policy; a local
//! KVS-compatible server.
//!
//! Layers, from the bottom:
//!
//! - Without `std` or `alloc` (default features), so that a microcontroller integrator can
//!   sign and speak KVS over their own transport:
//!   - [`sigv4`]: AWS Signature Version 4 — the `Authorization` header of control-plane
//!     calls ([`sign_kvs_post`]) and the presigned WebSocket URL
//!     ([`write_presigned_wss_url`]), over an injected [`UtcTime`] and a cacheable
//!     [`SigningKey`]; byte-identical to botocore's (`tests/botocore.rs`); and the
//!     server's side, [`verify_signature`].
//!   - [`message`]: the WebSocket JSON — [`OutgoingMessage::write`] into a caller buffer,
//!     [`IncomingMessage::parse`] borrowing from the received frame, base64 payloads
//!     decoded into caller buffers, the 10 KB payload cap enforced.
//!   - [`api`]: the control-plane REST bodies of all eight calls, both directions
//!     (the client writes requests and reads responses, the server the reverse), the
//!     service's errors ([`api::ServiceError`]) and the name/ARN/client-id grammar.
//!   - [`policy`]: the reconnect/refresh logic as a state machine (below), with
//!     [`ratelimit`], [`candidates`] and [`metrics`].
//! - `client` feature: [`client::SignalingClient`], a one-thread blocking driver of the
//!   policy — HTTPS (ureq) and WSS (tungstenite) over rustls with system roots or
//!   `AWS_KVS_CACERT_PATH`, credentials from the environment, a credentials file or the
//!   AWS IoT role-alias provider, an endpoint cache in memory and in a file.
//! - `server` feature: [`server::Server`], the local KVS-compatible service (REST and
//!   WebSocket on one HTTP or HTTPS listener, SigV4-checked), also the `rtcam-signaling`
//!   binary. Its request parsing ([`server::request`]) needs only `std`, so the fuzz
//!   target drives exactly what the listener runs.
//!
//! Each module's docs list its own deliberate shortcuts (`api`, `client`, `server`);
//! those of the no_std core are below.
//!
//! ```
//! use rtcam_signaling::{Credentials, Scope, SigningKey, UtcTime, WssConnect,
//!     write_presigned_wss_url};
//!
//! let creds = Credentials { access_key_id: "AKIDEXAMPLE",
//!     secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", session_token: None };
//! let now = UtcTime::from_unix_seconds(1_700_000_000).unwrap();
//! let scope = Scope::kvs("us-west-2");
//! let mut cache = None;
//! let key = SigningKey::refresh(&mut cache, creds.secret_access_key, now, scope);
//! let conn = WssConnect { host: "v-1234.kinesisvideo.us-west-2.amazonaws.com",
//!     channel_arn: "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam/1234567890123",
//!     client_id: None, expires_secs: 300 };
//! let mut url = String::new();
//! write_presigned_wss_url(&creds, key, now, scope, &conn, &mut url).unwrap();
//! assert!(url.starts_with("wss://v-1234.kinesisvideo.us-west-2.amazonaws.com/?X-Amz-ChannelARN=arn%3Aaws%3A"));
//! ```
//!
//! # Policy
//!
//! [`policy::Policy`] is the reconnect/refresh logic as a sans-IO state machine (time in,
//! [`PolicyAction`]s out, no clock, no allocation): startup (Describe → GetEndpoint →
//! GetIceServerConfig → Connect → JoinStorageSession), full-jitter backoff 100 ms → 10 s,
//! make-before-break rotation before the one-hour cap, pings, ICE refresh at TTL − 30 s,
//! GO_AWAY / RECONNECT_ICE_SERVER, a 10 h endpoint cache, clock-skew correction from the
//! HTTP `Date` ([`UtcTime::parse_http_date`]) once per change of skew, `Fatal` on wrong
//! credentials, credential refresh before expiry. Beside it: [`ratelimit::TokenBucket`]
//! (the service's per-connection send rates), [`candidates::CandidateBuffer`] (trickled
//! candidates held per sender until its offer is applied) and [`metrics::Metrics`].
//! `tests/policy_week.rs` runs it through a simulated week with zero allocations.
//!
//! # Deliberate shortcuts
//!
//! - SigV4 paths are percent-encoded once and not normalized (no `.`/`..` or `//`
//!   folding): KVS paths are fixed literals. Duplicate header names are rejected rather
//!   than comma-joined. Presigning signs the `host` header only.
//! - Incoming strings are borrowed raw from the frame (JSON escapes not decoded), except
//!   the payload, whose base64 is read through `\/` escapes, and [`JsonStr::unescape`]
//!   on request. `statusCode` is read as a string (the service sends `"400"`), unknown
//!   fields are ignored, nesting deeper than [`MAX_JSON_DEPTH`] is refused before
//!   parsing.
//! - Incoming base64 is accepted with or without `=` padding.
//! - Policy: one request in flight at a time (pings and closes excepted); the ICE list
//!   is judged by its smallest TTL alone; a clock offset is learned only from a refused
//!   request's `Date` (never from successful ones); a skew still refused after one
//!   correction, or with no `Date`, is retried every 5 min rather than fixed; wrong
//!   credentials are Fatal at once unless [`PolicyConfig::auth_retries`] says the
//!   provider may hand out better ones. A viewer with `storage` gets
//!   [`PolicyAction::JoinStorageSession`] too (the driver calls the viewer variant).
//! - HTTP `Date`: only the IMF-fixdate form is read (not the obsolete RFC 850 and
//!   asctime forms), and its day name is not checked against the date.
//! - Rate-limit presets stay under 20 candidates and 5 offers/answers in *any* sliding
//!   second (16/s burst 5, 4/s burst 2), below the nominal rates.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(any(test, feature = "std"))]
extern crate std;

use core::fmt;

pub mod api;
pub mod candidates;
#[cfg(feature = "client")]
pub mod client;
mod json;
pub mod message;
pub mod metrics;
pub mod policy;
pub mod ratelimit;
#[cfg(feature = "std")]
pub mod server;
pub mod sigv4;
mod time;

pub use candidates::CandidateBuffer;
pub use message::{
    Action, IncomingMessage, JsonStr, MAX_JSON_DEPTH, MAX_PAYLOAD_LEN, MessageType,
    OutgoingMessage, Payload, SignalMessage, StatusResponse,
};
pub use metrics::Metrics;
pub use policy::{Input, Policy, PolicyAction, PolicyConfig};
pub use ratelimit::TokenBucket;
pub use sigv4::{
    ALGORITHM, AuthorizationError, AuthorizationHeader, CanonicalRequest, CredentialScope,
    Credentials, DEFAULT_WSS_EXPIRES_SECS, EMPTY_PAYLOAD_SHA256, KVS_SERVICE, MAX_EXPIRES_SECS,
    Presign, RestRequest, Scope, SigningKey, WssConnect, payload_sha256_hex, sign_kvs_post,
    verify_signature, write_authorization, write_presigned_query, write_presigned_wss_url,
    write_string_to_sign,
};
pub use time::{AmzDate, HttpDate, UtcTime};

/// Everything the signer and the codec can refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The caller's output buffer (or `fmt::Write` sink) ran out of room.
    BufferTooSmall,
    /// A header name is empty or not an HTTP token.
    InvalidHeaderName,
    /// The same header name (case-insensitively) appears twice.
    DuplicateHeader,
    /// The [`SigningKey`] was derived for another day, region, service or secret.
    SigningKeyMismatch,
    /// `X-Amz-Expires` outside 1..=604800.
    InvalidExpires,
    /// More presign parameters than [`sigv4::MAX_PRESIGN_PARAMS`].
    TooManyParams,
    /// The `X-Amz-Credential` value (key id + scope) is longer than 256 bytes.
    CredentialTooLong,
    /// The message is not JSON, or not a JSON object of the expected shape.
    Json,
    /// JSON nested deeper than [`MAX_JSON_DEPTH`]: refused before parsing.
    JsonTooDeep,
    /// A required field is missing (its wire name).
    MissingField(&'static str),
    /// `messageType` is not one of the six the service sends.
    UnknownMessageType,
    /// A base64 payload (as sent, before decoding) is longer than the service allows.
    PayloadTooLarge {
        /// Its length in base64 characters.
        len: usize,
        /// [`MAX_PAYLOAD_LEN`].
        max: usize,
    },
    /// The payload is not valid base64.
    InvalidBase64,
    /// A JSON string holds a malformed escape, or decodes to invalid UTF-8.
    InvalidString,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::BufferTooSmall => f.write_str("output buffer too small"),
            Error::InvalidHeaderName => f.write_str("header name is not an HTTP token"),
            Error::DuplicateHeader => f.write_str("duplicate header name in signed headers"),
            Error::SigningKeyMismatch => {
                f.write_str("signing key was derived for another date, region, service or secret")
            }
            Error::InvalidExpires => f.write_str("X-Amz-Expires must be 1..=604800 seconds"),
            Error::TooManyParams => f.write_str("too many query parameters to presign"),
            Error::CredentialTooLong => f.write_str("access key id or scope too long"),
            Error::Json => f.write_str("malformed signaling message JSON"),
            Error::JsonTooDeep => f.write_str("signaling message JSON nested too deeply"),
            Error::MissingField(name) => write!(f, "signaling message lacks `{name}`"),
            Error::UnknownMessageType => f.write_str("unknown signaling messageType"),
            Error::PayloadTooLarge { len, max } => write!(
                f,
                "signaling payload of {len} base64 bytes exceeds the {max}-byte limit"
            ),
            Error::InvalidBase64 => f.write_str("signaling payload is not valid base64"),
            Error::InvalidString => f.write_str("invalid JSON string escape or UTF-8"),
        }
    }
}

impl core::error::Error for Error {}

impl From<fmt::Error> for Error {
    fn from(_: fmt::Error) -> Error {
        Error::BufferTooSmall
    }
}

/// A `core::fmt::Write` over a caller's byte buffer: how a no_std caller receives the
/// `Authorization` value or the presigned URL. Overflow is an error, never truncation.
#[derive(Debug)]
pub struct SliceWriter<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceWriter<'a> {
    /// An empty writer over `buf`.
    pub fn new(buf: &'a mut [u8]) -> SliceWriter<'a> {
        SliceWriter { buf, len: 0 }
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so this is always valid UTF-8.
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
