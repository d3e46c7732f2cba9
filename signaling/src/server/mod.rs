//! A local KVS-compatible signaling server: what makes rtcam runnable (and testable)
//! with no AWS account. Real KVS clients — the C and JS SDKs, our own client — talk to
//! it as they would to the service.
//!
//! One listener (HTTP, or HTTPS with a certificate generated for `localhost`,
//! `127.0.0.1` and `::1`) serves:
//!
//! - the control-plane REST calls (`/createSignalingChannel`, `/describeSignalingChannel`,
//!   `/deleteSignalingChannel`, `/getSignalingChannelEndpoint`,
//!   `/describeMediaStorageConfiguration`), the HTTPS endpoint's
//!   `/v1/get-ice-server-config` and the WEBRTC endpoint's `/joinStorageSession` and
//!   `/joinStorageSessionAsViewer` — all SigV4 header-signed;
//! - the signaling WebSocket: `GET /?X-Amz-ChannelARN=…[&X-Amz-ClientId=…]&X-Amz-…`
//!   presigned, master when there is no client id;
//! - admin calls on loopback (`POST /_rtcam/go-away?channel=…[&client=…]`,
//!   `/_rtcam/reconnect-ice-server`, `/_rtcam/media-storage?channel=…&stream=…`,
//!   `GET /_rtcam/stats`), unsigned, when [`Config::admin`] is on.
//!
//! The endpoints GetSignalingChannelEndpoint returns point back at this listener
//! (`wss://<host>` / `https://<host>`, or `ws://` / `http://` in plain mode), with the
//! host the client used in its `Host` header (or [`Config::public_host`]).
//!
//! # Service rules enforced
//!
//! SigV4 against [`Config::access_keys`] (403 `UnrecognizedClientException` for an
//! unknown key, 403 `InvalidSignatureException` for a wrong signature and for a
//! timestamp more than 5 minutes off — "Signature expired: …" — so clients can correct
//! their clock from the `Date` header every response carries); channel-name and
//! client-id grammar; one master per channel (a new one replaces the old connection),
//! at most [`Limits::max_viewers`] viewers (the next is refused with 400
//! `ClientLimitExceededException`), a viewer reconnecting with its client id replaces
//! its old connection; payloads ≤ 10 KB; offers/answers ≤ 5/s and candidates ≤ 20/s per
//! connection; STATUS_RESPONSE with the correlation id for refused messages; idle
//! timeout (10 min) and connection cap (1 h), both configurable.
//!
//! # Deliberate shortcuts
//!
//! - JoinStorageSession is accepted and recorded ([`ServerHandle::storage_joins`]) but
//!   no media peer joins: a real storage session would send the master an SDP offer
//!   from a media server, which this server does not have.
//! - Messages from a viewer while no master is connected are held for the channel's
//!   `MessageTtlSeconds` (bounded) and delivered when a master connects; messages from
//!   the master to a viewer that is not connected are refused (STATUS_RESPONSE).
//! - Messages from the master carry `"senderClientId":""`.
//! - Control-plane rate limiting is one token bucket for the whole server
//!   ([`Limits::api_calls_per_sec`]), not per account and API as the service does.
//! - HTTP/1.1 only; the certificate is self-signed (clients add it as a trust anchor).

pub mod request;

#[cfg(feature = "server")]
mod http;
#[cfg(feature = "server")]
mod hub;
#[cfg(feature = "server")]
mod rest;
#[cfg(feature = "server")]
mod tls;
#[cfg(feature = "server")]
pub mod turn;
#[cfg(feature = "server")]
mod ws;

#[cfg(feature = "server")]
pub use hub::{ChannelInfo, Peers, Role, StatsSnapshot, StorageJoin};
pub use request::AccessKey;

#[cfg(feature = "server")]
use std::string::{String, ToString};
#[cfg(feature = "server")]
use std::sync::Arc;
#[cfg(feature = "server")]
use std::vec::Vec;
#[cfg(feature = "server")]
use std::{net::SocketAddr, time::Duration};

/// Service limits and timeouts; the defaults are the service's.
#[cfg(feature = "server")]
#[derive(Debug, Clone)]
pub struct Limits {
    /// Channels that may exist at once (`AccountChannelLimitExceededException` past it).
    pub max_channels: usize,
    /// Viewers per channel (the service's 10).
    pub max_viewers: usize,
    /// WebSocket connections at once, all channels together.
    pub max_connections: usize,
    /// A connection with no frame from the client for this long is closed (10 min).
    pub idle_timeout: Duration,
    /// A connection is closed after this long whatever it does (1 h).
    pub max_connection_duration: Duration,
    /// SDP offers + answers per second per connection (5).
    pub offers_answers_per_sec: u32,
    /// ICE candidates per second per connection (20).
    pub candidates_per_sec: u32,
    /// Control-plane calls per second, whole server (then 400
    /// `ClientLimitExceededException`).
    pub api_calls_per_sec: u32,
    /// Messages queued for one connection before further ones are refused.
    pub queue_per_connection: usize,
    /// Viewer messages held per channel while no master is connected.
    pub pending_per_channel: usize,
    /// Bytes of such held messages across all channels (one budget, so that many
    /// masterless channels cannot add up to gigabytes).
    pub pending_bytes_total: usize,
    /// Time allowed for a TLS handshake plus a request head, and for a whole request.
    pub request_timeout: Duration,
    /// How long a connection stays open after an injected GO_AWAY.
    pub go_away_grace: Duration,
    /// Largest WebSocket frame / message accepted (bigger closes the connection).
    pub max_frame_len: usize,
    /// HTTP connections (REST and WebSocket before upgrade) at once.
    pub max_http_connections: usize,
}

#[cfg(feature = "server")]
impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_channels: 1000,
            max_viewers: 10,
            max_connections: 1000,
            idle_timeout: Duration::from_secs(600),
            max_connection_duration: Duration::from_secs(3600),
            offers_answers_per_sec: 5,
            candidates_per_sec: 20,
            api_calls_per_sec: 100,
            queue_per_connection: 256,
            pending_per_channel: 64,
            pending_bytes_total: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(10),
            go_away_grace: Duration::from_secs(1),
            max_frame_len: 64 * 1024,
            max_http_connections: 512,
        }
    }
}

/// Everything the server is started with.
#[cfg(feature = "server")]
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// HTTPS/WSS with a generated self-signed certificate; plain HTTP/WS otherwise.
    pub tls: bool,
    /// The region signatures must be scoped to and ARNs carry.
    pub region: String,
    /// The 12-digit account id in ARNs.
    pub account_id: String,
    /// Accepted credentials.
    pub access_keys: Vec<AccessKey>,
    /// STUN URIs listed by GetIceServerConfig (e.g. `stun:127.0.0.1:3478`).
    pub stun_uris: Vec<String>,
    /// TURN URIs listed by GetIceServerConfig (e.g. `turn:127.0.0.1:3478?transport=udp`),
    /// up to four per server entry, at most five entries.
    pub turn_uris: Vec<String>,
    /// The TURN server's `static-auth-secret`: credentials are derived from it.
    pub turn_secret: Option<String>,
    /// Lifetime of TURN credentials (the service's 300 s).
    pub turn_ttl: Duration,
    /// Host (and port) put in returned endpoints instead of the request's `Host`.
    pub public_host: Option<String>,
    /// Serve the `/_rtcam/` admin calls to loopback peers.
    pub admin: bool,
    /// Limits and timeouts.
    pub limits: Limits,
    /// Added to the system clock when checking signatures and writing `Date` (tests of
    /// skew handling can also move the server instead of the client).
    pub clock_offset_secs: i64,
}

#[cfg(feature = "server")]
impl Default for Config {
    fn default() -> Config {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            tls: false,
            region: "us-west-2".into(),
            account_id: "123456789012".into(),
            access_keys: Vec::new(),
            stun_uris: Vec::new(),
            turn_uris: Vec::new(),
            turn_secret: None,
            turn_ttl: Duration::from_secs(300),
            public_host: None,
            admin: true,
            limits: Limits::default(),
            clock_offset_secs: 0,
        }
    }
}

#[cfg(feature = "server")]
impl Config {
    /// Now in unix milliseconds (system clock + offset): the server's one clock read,
    /// for signature windows, `Date` headers, TURN expiries and channel creation times.
    pub(crate) fn now_ms(&self) -> u64 {
        let sys = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0);
        sys.saturating_add_signed(self.clock_offset_secs.saturating_mul(1000))
    }

    /// [`Config::now_ms`] in unix seconds.
    pub(crate) fn now_unix(&self) -> u64 {
        self.now_ms() / 1000
    }
}

/// Why the server could not start.
#[cfg(feature = "server")]
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerError {
    /// Binding the listener or building the runtime failed.
    Io(std::io::Error),
    /// Generating the certificate or building the TLS config failed.
    Tls(String),
    /// The configuration is unusable (the text says why).
    Config(String),
}

#[cfg(feature = "server")]
impl core::fmt::Display for ServerError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ServerError::Io(e) => write!(f, "server I/O: {e}"),
            ServerError::Tls(e) => write!(f, "server TLS: {e}"),
            ServerError::Config(e) => write!(f, "server config: {e}"),
        }
    }
}

#[cfg(feature = "server")]
impl core::error::Error for ServerError {}

#[cfg(feature = "server")]
impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> Self {
        ServerError::Io(e)
    }
}

/// The server entry points.
#[cfg(feature = "server")]
#[derive(Debug)]
pub struct Server;

#[cfg(feature = "server")]
impl Server {
    /// Starts the server on its own tokio runtime (two worker threads) and returns
    /// once it listens: the form blocking callers (tests of the blocking client, the
    /// binary) use. Dropping the handle stops it.
    pub fn start(config: Config) -> Result<ServerHandle, ServerError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rtcam-signaling")
            .enable_all()
            .build()?;
        let mut handle = rt.block_on(Server::spawn(config))?;
        handle.runtime = Some(rt);
        Ok(handle)
    }

    /// Starts the server on the current tokio runtime.
    pub async fn spawn(config: Config) -> Result<ServerHandle, ServerError> {
        validate(&config)?;
        let tls = if config.tls {
            Some(tls::generate()?)
        } else {
            None
        };
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let local_addr = listener.local_addr()?;
        let hub = Arc::new(hub::Hub::new(config));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let acceptor = tls.as_ref().map(|t| t.acceptor.clone());
        let task = tokio::spawn(http::serve(listener, hub.clone(), acceptor, stop_rx));
        Ok(ServerHandle {
            local_addr,
            hub,
            cert_pem: tls.as_ref().map(|t| t.cert_pem.clone()),
            cert_der: tls.map(|t| t.cert_der),
            stop: stop_tx,
            task: Some(task),
            runtime: None,
        })
    }
}

#[cfg(feature = "server")]
fn validate(c: &Config) -> Result<(), ServerError> {
    if c.access_keys.is_empty() {
        return Err(ServerError::Config(
            "at least one access key is required".into(),
        ));
    }
    if c.region.is_empty()
        || !c
            .region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ServerError::Config(std::format!(
            "bad region {:?}",
            c.region
        )));
    }
    if c.account_id.len() != 12 || !c.account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ServerError::Config("account id must be 12 digits".into()));
    }
    if c.turn_uris.len() > 20 || c.stun_uris.len() > 4 {
        return Err(ServerError::Config(
            "at most 20 TURN and 4 STUN URIs".into(),
        ));
    }
    // GetIceServerConfig lists TURN URIs four to an entry plus one STUN entry, and the
    // answer holds at most `MAX_ICE_SERVERS` entries: past that an entry (the STUN one)
    // was silently left out of every answer.
    let entries =
        c.turn_uris.len().div_ceil(crate::api::MAX_ICE_URIS) + usize::from(!c.stun_uris.is_empty());
    if entries > crate::api::MAX_ICE_SERVERS {
        return Err(ServerError::Config(std::format!(
            "{} TURN and {} STUN URIs need {entries} ICE server entries; at most {} fit (4 URIs each, STUN in one)",
            c.turn_uris.len(),
            c.stun_uris.len(),
            crate::api::MAX_ICE_SERVERS
        )));
    }
    Ok(())
}

/// A running server: its address, certificate, injection calls; dropping it stops the
/// server.
#[cfg(feature = "server")]
pub struct ServerHandle {
    local_addr: SocketAddr,
    hub: Arc<hub::Hub>,
    cert_pem: Option<String>,
    cert_der: Option<Vec<u8>>,
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    runtime: Option<tokio::runtime::Runtime>,
}

#[cfg(feature = "server")]
impl core::fmt::Debug for ServerHandle {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerHandle")
            .field("local_addr", &self.local_addr)
            .field("tls", &self.cert_pem.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "server")]
impl ServerHandle {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `https://127.0.0.1:PORT` (or `http://` in plain mode): the control-plane
    /// endpoint to give a client.
    pub fn endpoint(&self) -> String {
        let scheme = if self.cert_pem.is_some() {
            "https"
        } else {
            "http"
        };
        std::format!("{scheme}://{}", self.local_addr)
    }

    /// The generated certificate (PEM) in TLS mode: the trust anchor a client adds
    /// (e.g. `NODE_EXTRA_CA_CERTS`, `AWS_KVS_CACERT_PATH`).
    pub fn certificate_pem(&self) -> Option<&str> {
        self.cert_pem.as_deref()
    }

    /// The generated certificate (DER) in TLS mode.
    pub fn certificate_der(&self) -> Option<&[u8]> {
        self.cert_der.as_deref()
    }

    /// Sends GO_AWAY to `peers` of `channel` (name or ARN); they are closed after
    /// [`Limits::go_away_grace`]. Returns how many connections were told.
    pub fn inject_go_away(&self, channel: &str, peers: &Peers) -> Result<usize, ServerError> {
        let grace = self.hub.cfg.limits.go_away_grace;
        self.hub
            .inject(channel, peers, "GO_AWAY", Some(grace))
            .map_err(|r| ServerError::Config(r.message))
    }

    /// Sends RECONNECT_ICE_SERVER to `peers` of `channel`.
    pub fn inject_reconnect_ice_server(
        &self,
        channel: &str,
        peers: &Peers,
    ) -> Result<usize, ServerError> {
        self.hub
            .inject(channel, peers, "RECONNECT_ICE_SERVER", None)
            .map_err(|r| ServerError::Config(r.message))
    }

    /// Enables media storage for `channel` with `stream_arn` (what
    /// DescribeMediaStorageConfiguration then reports), or disables it with `None`.
    pub fn set_media_storage(
        &self,
        channel: &str,
        stream_arn: Option<&str>,
    ) -> Result<(), ServerError> {
        self.hub
            .set_media_storage(channel, stream_arn.map(str::to_string))
            .map_err(|r| ServerError::Config(r.message))
    }

    /// The storage-session joins recorded for `channel` (most recent last).
    pub fn storage_joins(&self, channel: &str) -> Vec<StorageJoin> {
        self.hub.storage_joins(channel)
    }

    /// Creates a channel (as CreateSignalingChannel would, message TTL 60 s): lets a
    /// test or the binary's `--channel` start with channels in place.
    pub fn create_channel(&self, name: &str) -> Result<ChannelInfo, ServerError> {
        if !request::is_valid_name(name) {
            return Err(ServerError::Config(std::format!(
                "bad channel name {name:?}"
            )));
        }
        self.hub
            .create_channel(name, 60, Vec::new(), self.hub.cfg.now_ms())
            .map_err(|r| ServerError::Config(r.message))
    }

    /// A channel's description, by name.
    pub fn channel(&self, name: &str) -> Option<ChannelInfo> {
        self.hub.describe(Some(name), None).ok()
    }

    /// Counters and sizes.
    pub fn stats(&self) -> StatsSnapshot {
        self.hub.snapshot()
    }

    /// Stops accepting, closes every connection, and (with its own runtime) waits
    /// for the tasks to go.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        let _ = self.stop.send(true);
        self.hub.close_all();
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(rt) = self.runtime.take() {
            // Waiting is only allowed outside an async context.
            if tokio::runtime::Handle::try_current().is_ok() {
                rt.shutdown_background();
            } else {
                rt.shutdown_timeout(Duration::from_secs(2));
            }
        }
    }
}

#[cfg(feature = "server")]
impl Drop for ServerHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        self.hub.close_all();
        if let Some(t) = self.task.take() {
            t.abort();
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// `Date` header value (RFC 7231 IMF-fixdate) for unix seconds.
#[cfg(feature = "server")]
pub(crate) fn http_date(unix: u64) -> String {
    crate::UtcTime::from_unix_seconds(unix).map_or_else(
        || "Thu, 01 Jan 1970 00:00:00 GMT".into(),
        |t| t.http_date().as_str().to_string(),
    )
}

#[cfg(all(test, feature = "server"))]
mod tests {
    #[test]
    fn http_date_known_instants() {
        assert_eq!(super::http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(
            super::http_date(1_700_000_000),
            "Tue, 14 Nov 2023 22:13:20 GMT"
        );
        assert_eq!(
            super::http_date(1_709_251_199),
            "Thu, 29 Feb 2024 23:59:59 GMT"
        );
    }
}
