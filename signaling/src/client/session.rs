//! [`SignalingClient`]: one thread drives the [`Policy`] — it performs each
//! [`PolicyAction`] (blocking HTTPS calls, the WSS connect), reports the result, and
//! between actions waits on the WebSocket with the socket read timeout set to the
//! policy's next deadline (or the caller's `max_wait`, or the rate limiter's next
//! token, whichever is first).

use std::boxed::Box;
use std::collections::VecDeque;
use std::path::PathBuf;
use std::string::{String, ToString};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::vec::Vec;
use std::{fmt, format};

use crate::api::{ApiError, ChannelRef, ChannelRole, validate_channel_name, validate_client_id};
use crate::candidates::{CandidateBuffer, Push};
use crate::message::{
    Action, IncomingMessage, MAX_DECODED_PAYLOAD_LEN, MAX_PAYLOAD_LEN, OutgoingMessage,
    SignalMessage,
};
use crate::metrics::Metrics;
use crate::policy::{
    Call, CallOutcome, FatalReason, Input, Policy, PolicyAction, PolicyConfig, Role,
};
use crate::ratelimit::TokenBucket;
use crate::sigv4::{Scope, SigningKey, WssConnect, write_presigned_wss_url};

use super::cache::{CachedEndpoints, EndpointCache};
use super::clock;
use super::control::{ControlError, ControlPlane, ControlPlaneConfig, Endpoints, IceServerInfo};
use super::credentials::{Cached, CredentialsError, CredentialsProvider, OwnedCredentials};
use super::http::signing_time;
use super::tls::{TlsError, TlsOptions, TlsSetup};
use super::wss::{WsEvent, WssConn, WssError};

/// Senders whose candidates can be buffered at once (10 viewers + the storage session).
pub const BUFFER_SENDERS: usize = 11;
/// Bytes of buffered candidate JSON for all senders together.
pub const BUFFER_BYTES: usize = 32 * 1024;
/// Outgoing messages waiting for the rate limiter or a (re)connection.
pub const MAX_QUEUED: usize = 64;
/// The presigned WSS URL's lifetime (the service checks it only at connect).
const WSS_EXPIRES_SECS: u32 = 299;

/// Everything a [`SignalingClient`] needs besides credentials.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The region (e.g. `us-west-2`).
    pub region: String,
    /// The signaling channel's name (it must exist; see [`ControlPlane::create_channel`]).
    pub channel_name: String,
    /// Master (the camera) or viewer.
    pub role: Role,
    /// The viewer's client id; for a master, the id sent with GetIceServerConfig.
    pub client_id: String,
    /// Join the storage session (WebRTC ingestion) after connecting.
    pub storage: bool,
    /// Replaces the public control-plane URL (the local server).
    pub endpoint_override: Option<String>,
    /// Dual-stack control-plane host.
    pub dual_stack: bool,
    /// Trust roots and client identity.
    pub tls: TlsOptions,
    /// Reconnect/refresh rules.
    pub policy: PolicyConfig,
    /// Per-call timeout (HTTP calls and the WSS connect).
    pub call_timeout: Duration,
    /// Persist the endpoint cache in this JSON file.
    pub cache_file: Option<PathBuf>,
    /// Seconds added to the system clock before anything else sees it: simulates a
    /// device whose clock is wrong (tests of the skew correction). 0 in production.
    pub clock_error_secs: i64,
    /// Backoff jitter seed; `None` derives one from the clock and the process id.
    pub seed: Option<u64>,
}

impl ClientConfig {
    /// A configuration with the service's defaults.
    pub fn new(region: &str, channel_name: &str, role: Role, client_id: &str) -> ClientConfig {
        ClientConfig {
            region: region.to_string(),
            channel_name: channel_name.to_string(),
            role,
            client_id: client_id.to_string(),
            storage: false,
            endpoint_override: None,
            dual_stack: false,
            tls: TlsOptions::from_env(),
            policy: PolicyConfig::DEFAULT,
            call_timeout: Duration::from_secs(10),
            cache_file: None,
            clock_error_secs: 0,
            seed: None,
        }
    }
}

/// An offer, answer or candidate from a peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerMessage {
    /// `senderClientId`; `None` for the storage session.
    pub sender: Option<String>,
    /// The decoded payload: SDP JSON (`{"type":…,"sdp":…}`) or candidate JSON.
    pub payload: Vec<u8>,
}

impl PeerMessage {
    /// The payload as text (it is JSON).
    pub fn payload_str(&self) -> &str {
        core::str::from_utf8(&self.payload).unwrap_or("")
    }
}

/// Why the client is reconnecting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconnectReason {
    /// The service sent GO_AWAY.
    GoAway,
    /// The service sent RECONNECT_ICE_SERVER.
    ReconnectIceServer,
    /// The connection closed or failed unexpectedly.
    Closed,
}

/// What [`SignalingClient::poll_event`] reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The WebSocket is open (again, when `reconnect`).
    Connected {
        /// Not the first connection.
        reconnect: bool,
    },
    /// The connection is being replaced or was lost; a new one follows.
    Reconnecting(ReconnectReason),
    /// [`SignalingClient::ice_servers`] changed.
    IceServersUpdated,
    /// An SDP offer.
    Offer(PeerMessage),
    /// An SDP answer.
    Answer(PeerMessage),
    /// An ICE candidate (held back until [`SignalingClient::offer_applied`] for its
    /// sender).
    Candidate(PeerMessage),
    /// A message sent with this correlation id was refused by the service.
    StatusResponse {
        /// The id [`SignalingClient::send_offer`] & co. returned.
        correlation_id: Option<String>,
        /// E.g. `InvalidArgumentException`.
        error_type: Option<String>,
        /// E.g. 400.
        status_code: Option<u16>,
        /// The service's reason.
        description: Option<String>,
    },
    /// The storage session was joined (its offer follows on the WebSocket).
    StorageSessionJoined,
    /// Nothing more will happen: the reason and the last error seen.
    Fatal {
        /// Why.
        reason: FatalReason,
        /// The error that led there (the service's message).
        detail: String,
    },
}

/// Why a client call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientError {
    /// TLS setup failed.
    Tls(TlsError),
    /// No credentials.
    Credentials(CredentialsError),
    /// A configuration or argument the service would refuse (name, client id).
    Invalid(ApiError),
    /// The message's payload is over the service's 10 KB (base64) limit: trickle
    /// candidates instead of sending a fat offer.
    PayloadTooLarge {
        /// Base64 length it would have.
        len: usize,
        /// [`MAX_PAYLOAD_LEN`].
        max: usize,
    },
    /// A master must name the viewer a message goes to.
    MissingRecipient,
    /// [`MAX_QUEUED`] messages already wait to be sent.
    QueueFull,
    /// The client gave up (see [`ClientEvent::Fatal`]).
    Fatal {
        /// Why.
        reason: FatalReason,
        /// The error that led there.
        detail: String,
    },
    /// The control plane failed outside the policy-driven loop.
    Control(ControlError),
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientError::Tls(e) => write!(f, "{e}"),
            ClientError::Credentials(e) => write!(f, "{e}"),
            ClientError::Invalid(e) => write!(f, "invalid signaling argument: {e}"),
            ClientError::PayloadTooLarge { len, max } => write!(
                f,
                "signaling payload too large: {len} bytes of base64, the service allows {max}"
            ),
            ClientError::MissingRecipient => {
                f.write_str("a master must name the recipient viewer's client id")
            }
            ClientError::QueueFull => f.write_str("too many signaling messages waiting to be sent"),
            ClientError::Fatal { reason, detail } => write!(f, "{reason} ({detail})"),
            ClientError::Control(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ClientError {}

impl From<TlsError> for ClientError {
    fn from(e: TlsError) -> Self {
        ClientError::Tls(e)
    }
}

impl From<CredentialsError> for ClientError {
    fn from(e: CredentialsError) -> Self {
        ClientError::Credentials(e)
    }
}

#[derive(Debug)]
struct Queued {
    action: Action,
    text: String,
}

/// A KVS signaling client (master, viewer, or storage-session master) on one thread.
pub struct SignalingClient {
    cfg: ClientConfig,
    tls: TlsSetup,
    control: ControlPlane,
    creds: Cached<Box<dyn CredentialsProvider>>,
    policy: Policy,
    cache: EndpointCache,
    epoch: Instant,
    arn: Option<String>,
    endpoints: Endpoints,
    ice: Vec<IceServerInfo>,
    conn: Option<WssConn>,
    wss_key: Option<SigningKey>,
    events: VecDeque<ClientEvent>,
    queue: VecDeque<Queued>,
    sdp_bucket: TokenBucket,
    cand_bucket: TokenBucket,
    candidates: Box<CandidateBuffer<BUFFER_SENDERS, BUFFER_BYTES>>,
    offers_at: VecDeque<(String, Instant)>,
    next_correlation: u64,
    connections: u64,
    last_error: String,
    fatal: Option<(FatalReason, String)>,
    wss_connects: u64,
    /// The policy clock offset last applied (see `policy_sync`).
    synced_offset: i64,
}

impl fmt::Debug for SignalingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalingClient")
            .field("channel", &self.cfg.channel_name)
            .field("role", &self.cfg.role)
            .field("arn", &self.arn)
            .field("connected", &self.conn.is_some())
            .finish_non_exhaustive()
    }
}

fn channel_role(role: Role) -> ChannelRole {
    match role {
        Role::Master => ChannelRole::Master,
        Role::Viewer => ChannelRole::Viewer,
    }
}

impl SignalingClient {
    /// Validates the configuration, sets up TLS, loads the endpoint cache and fetches
    /// credentials once (so a missing key fails here, clearly). Nothing is sent until
    /// [`SignalingClient::poll_event`].
    pub fn new(
        cfg: ClientConfig,
        provider: Box<dyn CredentialsProvider>,
    ) -> Result<SignalingClient, ClientError> {
        validate_channel_name(&cfg.channel_name).map_err(ClientError::Invalid)?;
        validate_client_id(&cfg.client_id).map_err(ClientError::Invalid)?;
        let tls = TlsSetup::new(&cfg.tls)?;
        let control = ControlPlane::new(
            &ControlPlaneConfig {
                region: cfg.region.clone(),
                endpoint_override: cfg.endpoint_override.clone(),
                dual_stack: cfg.dual_stack,
                timeout: cfg.call_timeout,
            },
            &tls,
        )
        .map_err(ClientError::Control)?;
        let mut creds = Cached::new(provider);
        let wall = wall_clock(cfg.clock_error_secs);
        let first = creds.get_at(wall)?.clone();
        let seed = cfg.seed.unwrap_or_else(|| {
            let n = clock::system_now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            n ^ (u64::from(std::process::id()) << 32)
        });
        let epoch = Instant::now();
        let mut policy = Policy::new(cfg.policy, cfg.role, cfg.storage, seed, Duration::ZERO);
        let mut cache = match &cfg.cache_file {
            Some(p) => EndpointCache::with_file(p),
            None => EndpointCache::in_memory(),
        };
        let mut arn = None;
        let mut endpoints = Endpoints::default();
        let role_s = channel_role(cfg.role).as_str();
        if let Some(e) = cache.get(&cfg.region, &cfg.channel_name, role_s, wall) {
            if !cfg.storage || e.webrtc.is_some() {
                arn = Some(e.channel_arn.clone());
                endpoints = Endpoints {
                    wss: Some(e.wss.clone()),
                    https: Some(e.https.clone()),
                    webrtc: e.webrtc.clone(),
                };
                let stored = UNIX_EPOCH + Duration::from_secs(e.stored_at);
                let age = wall.duration_since(stored).unwrap_or(Duration::ZERO);
                policy.handle(Duration::ZERO, Input::EndpointCached { age });
            }
        }
        if arn.is_none() {
            // Do not keep a stale or role-less entry around.
            cache.invalidate(&cfg.region, &cfg.channel_name, role_s);
        }
        let mut client = SignalingClient {
            tls,
            control,
            creds,
            policy,
            cache,
            epoch,
            arn,
            endpoints,
            ice: Vec::new(),
            conn: None,
            wss_key: None,
            events: VecDeque::new(),
            queue: VecDeque::new(),
            sdp_bucket: TokenBucket::offers_answers(),
            cand_bucket: TokenBucket::candidates(),
            candidates: Box::new(CandidateBuffer::new()),
            offers_at: VecDeque::new(),
            next_correlation: 0,
            connections: 0,
            last_error: String::new(),
            fatal: None,
            wss_connects: 0,
            synced_offset: 0,
            cfg,
        };
        let expires = client.policy_expiry(&first);
        client.policy.handle(
            client.now(),
            Input::Credentials {
                expires_at: expires,
            },
        );
        Ok(client)
    }

    fn now(&self) -> Duration {
        self.epoch.elapsed()
    }

    fn wall(&self) -> SystemTime {
        wall_clock(self.cfg.clock_error_secs)
    }

    /// The device clock corrected by the offset the policy learned from the service: the
    /// clock credential expiry times (set by the service) must be compared with.
    fn corrected_wall(&self) -> SystemTime {
        clock::shifted(self.wall(), self.policy.clock_offset_secs())
    }

    fn policy_expiry(&self, c: &OwnedCredentials) -> Option<Duration> {
        let exp = c.expires_at?;
        // Against the corrected clock: a device 10 min slow would otherwise refresh
        // 10 min late (after the session token expired).
        let left = exp
            .duration_since(self.corrected_wall())
            .unwrap_or(Duration::ZERO);
        Some(self.now().saturating_add(left))
    }

    /// The channel ARN (once described, or from the cache).
    pub fn channel_arn(&self) -> Option<&str> {
        self.arn.as_deref()
    }

    /// The current ICE (TURN) servers with their credentials.
    pub fn ice_servers(&self) -> &[IceServerInfo] {
        &self.ice
    }

    /// The policy's counters and averages (API latencies, reconnects, messages...).
    pub fn metrics(&self) -> Metrics {
        *self.policy.metrics()
    }

    /// Candidates dropped by the per-sender buffer (full, too many senders).
    pub fn candidates_dropped(&self) -> u64 {
        self.candidates.dropped()
    }

    /// HTTP requests sent so far (a retry storm would show here).
    pub fn api_requests(&self) -> u64 {
        self.control.requests_sent()
    }

    /// WebSocket connection attempts so far.
    pub fn wss_connects(&self) -> u64 {
        self.wss_connects
    }

    /// Seconds the signing clock is corrected by (learned from the service's `Date`).
    pub fn clock_offset_secs(&self) -> i64 {
        self.policy.clock_offset_secs()
    }

    /// Whether the WebSocket is open.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The control-plane client, for one-off calls (create or delete a channel) with
    /// the same TLS and clock correction.
    pub fn control_plane(&mut self) -> &mut ControlPlane {
        &mut self.control
    }

    /// Current credentials (refreshed if near expiry).
    pub fn credentials(&mut self) -> Result<OwnedCredentials, ClientError> {
        let wall = self.corrected_wall();
        Ok(self.creds.get_at(wall)?.clone())
    }

    /// The application applied the offer (a viewer: the answer) from `sender` (`None`
    /// for the storage session): candidates held back for it are delivered by the next
    /// [`SignalingClient::poll_event`] calls, later ones at once.
    pub fn offer_applied(&mut self, sender: Option<&str>) {
        let key = sender.unwrap_or("");
        let mut released = Vec::new();
        self.candidates
            .offer_applied(key, |p| released.push(p.to_vec()));
        for payload in released {
            self.events.push_back(ClientEvent::Candidate(PeerMessage {
                sender: sender.map(ToString::to_string),
                payload,
            }));
        }
    }

    /// The storage session's peer connection ended: the policy joins again.
    pub fn storage_session_ended(&mut self) {
        let now = self.now();
        self.policy.handle(now, Input::StorageSessionEnded);
    }

    /// Queues an SDP offer (`payload` is the `{"type":"offer","sdp":…}` JSON) and
    /// returns its correlation id. A viewer's recipient is ignored by the service.
    pub fn send_offer(
        &mut self,
        recipient: Option<&str>,
        payload: &[u8],
    ) -> Result<String, ClientError> {
        self.enqueue(Action::SdpOffer, recipient, payload)
    }

    /// Queues an SDP answer (to the viewer that made the offer, for a master).
    pub fn send_answer(
        &mut self,
        recipient: Option<&str>,
        payload: &[u8],
    ) -> Result<String, ClientError> {
        let id = self.enqueue(Action::SdpAnswer, recipient, payload)?;
        let key = recipient.unwrap_or("");
        if let Some(i) = self.offers_at.iter().position(|(s, _)| s == key) {
            if let Some((_, t)) = self.offers_at.remove(i) {
                let now = self.now();
                self.policy.handle(
                    now,
                    Input::OfferToAnswer {
                        elapsed: t.elapsed(),
                    },
                );
            }
        }
        Ok(id)
    }

    /// Queues one ICE candidate (`{"candidate":…,"sdpMid":…,"sdpMLineIndex":…}`).
    pub fn send_candidate(
        &mut self,
        recipient: Option<&str>,
        payload: &[u8],
    ) -> Result<String, ClientError> {
        self.enqueue(Action::IceCandidate, recipient, payload)
    }

    fn enqueue(
        &mut self,
        action: Action,
        recipient: Option<&str>,
        payload: &[u8],
    ) -> Result<String, ClientError> {
        if let Some((reason, detail)) = &self.fatal {
            return Err(ClientError::Fatal {
                reason: *reason,
                detail: detail.clone(),
            });
        }
        let recipient = match (self.cfg.role, recipient) {
            (Role::Master, None) if !self.cfg.storage => return Err(ClientError::MissingRecipient),
            (_, r) => r,
        };
        if let Some(r) = recipient {
            validate_client_id(r).map_err(ClientError::Invalid)?;
        }
        if self.queue.len() >= MAX_QUEUED {
            return Err(ClientError::QueueFull);
        }
        self.next_correlation += 1;
        let correlation = format!("{}-{}", action_tag(action), self.next_correlation);
        let msg = OutgoingMessage {
            action,
            recipient_client_id: recipient,
            payload,
            correlation_id: Some(&correlation),
        };
        // Base64 payload ≤ 10 KB plus ids and keys.
        let mut buf = std::vec![0u8; MAX_PAYLOAD_LEN + 1024];
        let n = match msg.write(&mut buf) {
            Ok(n) => n,
            Err(crate::Error::PayloadTooLarge { len, max }) => {
                return Err(ClientError::PayloadTooLarge { len, max });
            }
            Err(_) => return Err(ClientError::Invalid(ApiError::BufferTooSmall)),
        };
        buf.truncate(n);
        let text = String::from_utf8(buf).map_err(|_| ClientError::Invalid(ApiError::Json))?;
        self.queue.push_back(Queued { action, text });
        self.flush_queue();
        Ok(correlation)
    }

    /// Sends queued messages the rate limits allow now; returns when the next one may go.
    fn flush_queue(&mut self) -> Option<Duration> {
        let conn_up = self.conn.is_some();
        if !conn_up {
            return None;
        }
        while let Some(front) = self.queue.front() {
            let now = self.now();
            let bucket = match front.action {
                Action::IceCandidate => &mut self.cand_bucket,
                _ => &mut self.sdp_bucket,
            };
            if let Err(wait) = bucket.try_acquire(now) {
                return Some(now.saturating_add(wait));
            }
            let conn = self.conn.as_mut()?;
            match conn.send_text(&front.text) {
                Ok(()) => {
                    self.queue.pop_front();
                    self.policy.handle(now, Input::MessageSent);
                }
                Err(e) => {
                    // Keep the message for the next connection.
                    self.lost_connection(&format!("send failed: {e}"));
                    return None;
                }
            }
        }
        None
    }

    /// Runs the client for up to `max_wait` and returns the next event, `Ok(None)` when
    /// nothing happened in that time. Blocking calls (HTTPS, the WSS connect) happen
    /// inside, bounded by the call timeout. After [`ClientEvent::Fatal`], every call
    /// returns [`ClientError::Fatal`].
    pub fn poll_event(&mut self, max_wait: Duration) -> Result<Option<ClientEvent>, ClientError> {
        // `Instant + Duration` panics on overflow: a huge `max_wait` (Duration::MAX as
        // "wait forever") is clamped to a day per call instead.
        let start = Instant::now();
        let deadline = start
            .checked_add(max_wait)
            .or_else(|| start.checked_add(Duration::from_secs(86_400)))
            .unwrap_or(start);
        loop {
            if let Some(ev) = self.events.pop_front() {
                return Ok(Some(ev));
            }
            if let Some((reason, detail)) = &self.fatal {
                return Err(ClientError::Fatal {
                    reason: *reason,
                    detail: detail.clone(),
                });
            }
            // Drain the policy (each action may block on I/O).
            while let Some(action) = self.policy.poll_action(self.now()) {
                self.perform(action);
                self.policy_sync();
                if self.fatal.is_some() {
                    break;
                }
            }
            if !self.events.is_empty() {
                continue;
            }
            let next_send = self.flush_queue();
            let now_i = Instant::now();
            if now_i >= deadline {
                return Ok(None);
            }
            let mut wait = deadline - now_i;
            let now = self.now();
            for t in [self.policy.poll_timeout(), next_send]
                .into_iter()
                .flatten()
            {
                wait = wait.min(t.saturating_sub(now));
            }
            let wait = wait.max(Duration::from_millis(1));
            match self.conn.as_mut() {
                Some(conn) => {
                    let _ = conn.set_read_timeout(wait);
                    match conn.recv() {
                        Ok(None) => {}
                        Ok(Some(WsEvent::Text(t))) => self.on_text(&t),
                        Ok(Some(WsEvent::Pong)) => {
                            let now = self.now();
                            self.policy.handle(now, Input::Pong);
                        }
                        Ok(Some(WsEvent::Closed(why))) => {
                            self.lost_connection(&format!(
                                "closed by the service{}",
                                why.map(|w| format!(": {w}")).unwrap_or_default()
                            ));
                        }
                        Err(e) => self.lost_connection(&e.to_string()),
                    }
                }
                None => std::thread::sleep(wait),
            }
        }
    }

    /// Closes the WebSocket (the client can be dropped afterwards).
    pub fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            c.close();
        }
    }

    fn policy_sync(&mut self) {
        self.control.set_clock_offset(self.total_offset());
        // The clock offset changed (a skew correction): the credentials' refresh time was
        // computed with the old clock; report their expiry again on the corrected one.
        let off = self.policy.clock_offset_secs();
        if off != self.synced_offset {
            self.synced_offset = off;
            let wall = self.corrected_wall();
            if let Ok(c) = self.creds.get_at(wall).cloned() {
                let expires_at = self.policy_expiry(&c);
                let now = self.now();
                self.policy.handle(now, Input::Credentials { expires_at });
            }
        }
    }

    fn lost_connection(&mut self, why: &str) {
        log::info!("signaling connection lost: {why}");
        self.last_error = why.to_string();
        self.conn = None;
        let now = self.now();
        self.policy.handle(now, Input::Disconnected);
        self.events
            .push_back(ClientEvent::Reconnecting(ReconnectReason::Closed));
    }

    fn on_text(&mut self, text: &str) {
        let now = self.now();
        self.policy.handle(now, Input::MessageReceived);
        let msg = match IncomingMessage::parse(text.as_bytes()) {
            Ok(m) => m,
            Err(e) => {
                log::warn!("unreadable signaling message: {e}");
                self.policy.handle(now, Input::RuntimeError);
                return;
            }
        };
        match msg {
            IncomingMessage::SdpOffer(s) => {
                if let Some(m) = self.peer_message(&s) {
                    let key = m.sender.clone().unwrap_or_default();
                    // A new offer starts a new session: hold its candidates again.
                    self.candidates.forget(&key);
                    self.offers_at.retain(|(k, _)| *k != key);
                    if self.offers_at.len() >= BUFFER_SENDERS {
                        self.offers_at.pop_front();
                    }
                    self.offers_at.push_back((key, Instant::now()));
                    self.events.push_back(ClientEvent::Offer(m));
                }
            }
            IncomingMessage::SdpAnswer(s) => {
                if let Some(m) = self.peer_message(&s) {
                    self.events.push_back(ClientEvent::Answer(m));
                }
            }
            IncomingMessage::IceCandidate(s) => {
                if let Some(m) = self.peer_message(&s) {
                    let key = m.sender.clone().unwrap_or_default();
                    match self.candidates.push(&key, &m.payload) {
                        Push::Ready => self.events.push_back(ClientEvent::Candidate(m)),
                        Push::Buffered => {}
                        Push::Dropped(why) => {
                            log::warn!("candidate from {key:?} dropped: {why:?}");
                        }
                    }
                }
            }
            IncomingMessage::GoAway => {
                self.policy.handle(now, Input::GoAway);
                self.events
                    .push_back(ClientEvent::Reconnecting(ReconnectReason::GoAway));
            }
            IncomingMessage::ReconnectIceServer => {
                self.policy.handle(now, Input::ReconnectIceServer);
                self.events.push_back(ClientEvent::Reconnecting(
                    ReconnectReason::ReconnectIceServer,
                ));
            }
            IncomingMessage::StatusResponse(s) => {
                let owned = |j: Option<crate::message::JsonStr<'_>>| {
                    j.map(|j| {
                        let mut buf = std::vec![0u8; j.raw().len()];
                        j.unescape(&mut buf)
                            .map(ToString::to_string)
                            .unwrap_or_else(|_| j.raw().to_string())
                    })
                };
                self.events.push_back(ClientEvent::StatusResponse {
                    correlation_id: owned(s.correlation_id),
                    error_type: owned(s.error_type),
                    status_code: s.status_code_u16(),
                    description: owned(s.description),
                });
            }
        }
    }

    fn peer_message(&mut self, s: &SignalMessage<'_>) -> Option<PeerMessage> {
        let mut buf = std::vec![0u8; MAX_DECODED_PAYLOAD_LEN];
        let payload = match s.payload.decode(&mut buf) {
            Ok(p) => p.to_vec(),
            Err(e) => {
                log::warn!("undecodable signaling payload: {e}");
                let now = self.now();
                self.policy.handle(now, Input::RuntimeError);
                return None;
            }
        };
        Some(PeerMessage {
            sender: s.sender_client_id.map(|j| j.raw().to_string()),
            payload,
        })
    }

    /// Credentials for a call; on failure the call is reported failed.
    fn creds_for(&mut self, call: Call) -> Option<OwnedCredentials> {
        let wall = self.corrected_wall();
        match self.creds.get_at(wall) {
            Ok(c) => Some(c.clone()),
            Err(e) => {
                self.last_error = e.to_string();
                log::warn!("no credentials for {call:?}: {e}");
                let now = self.now();
                self.policy.handle(
                    now,
                    Input::ApiDone {
                        call,
                        latency: Duration::ZERO,
                        outcome: CallOutcome::Network,
                    },
                );
                None
            }
        }
    }

    /// Reports a control-plane result to the policy (the `Date` first on failure).
    fn report<T>(&mut self, call: Call, result: &Result<T, ControlError>) {
        let latency = self
            .control
            .last_exchange()
            .map_or(Duration::ZERO, |x| x.latency);
        let now = self.now();
        let outcome = match result {
            Ok(_) => CallOutcome::Ok,
            Err(e) => {
                self.last_error = e.to_string();
                log::warn!("{call:?} failed: {e}");
                if let Some(date) = e.server_date() {
                    let local = signing_time(self.wall(), 0);
                    self.policy.handle(now, Input::ServerDate { date, local });
                }
                if e.service_failure()
                    .is_some_and(|f| f.kind == crate::api::ServiceErrorKind::ExpiredToken)
                {
                    self.creds.invalidate();
                }
                e.outcome()
            }
        };
        self.policy.handle(
            now,
            Input::ApiDone {
                call,
                latency,
                outcome,
            },
        );
    }

    fn perform(&mut self, action: PolicyAction) {
        log::debug!("policy: {action:?}");
        self.control.set_clock_offset(self.total_offset());
        match action {
            PolicyAction::Describe => {
                let Some(c) = self.creds_for(Call::Describe) else {
                    return;
                };
                let name = self.cfg.channel_name.clone();
                let r = self.control.describe_channel(&c, ChannelRef::Name(&name));
                if let Ok(d) = &r {
                    self.arn = Some(d.arn.clone());
                }
                self.report(Call::Describe, &r);
            }
            PolicyAction::GetEndpoint => {
                let Some(c) = self.creds_for(Call::GetEndpoint) else {
                    return;
                };
                let Some(arn) = self.arn.clone() else {
                    self.report::<()>(
                        Call::GetEndpoint,
                        &Err(ControlError::Missing("channel ARN")),
                    );
                    return;
                };
                let role = channel_role(self.cfg.role);
                let r = self
                    .control
                    .get_endpoints(&c, &arn, role, self.cfg.storage)
                    .and_then(|e| {
                        if e.wss.is_none() || e.https.is_none() {
                            Err(ControlError::Missing("WSS or HTTPS endpoint"))
                        } else if self.cfg.storage && e.webrtc.is_none() {
                            Err(ControlError::Missing("WEBRTC endpoint"))
                        } else {
                            Ok(e)
                        }
                    });
                if let Ok(e) = &r {
                    self.endpoints = e.clone();
                    let stored_at = self
                        .wall()
                        .duration_since(UNIX_EPOCH)
                        .map_or(0, |d| d.as_secs());
                    self.cache.put(CachedEndpoints {
                        region: self.cfg.region.clone(),
                        channel_name: self.cfg.channel_name.clone(),
                        role: role.as_str().to_string(),
                        channel_arn: arn.clone(),
                        wss: e.wss.clone().unwrap_or_default(),
                        https: e.https.clone().unwrap_or_default(),
                        webrtc: e.webrtc.clone(),
                        stored_at,
                    });
                }
                self.report(Call::GetEndpoint, &r);
            }
            PolicyAction::GetIceServerConfig => {
                let Some(c) = self.creds_for(Call::GetIceServerConfig) else {
                    return;
                };
                let (Some(arn), Some(https)) = (self.arn.clone(), self.endpoints.https.clone())
                else {
                    self.report::<()>(
                        Call::GetIceServerConfig,
                        &Err(ControlError::Missing("HTTPS endpoint")),
                    );
                    return;
                };
                let id = self.cfg.client_id.clone();
                let r = self.control.get_ice_server_config(&c, &https, &arn, &id);
                if let Ok(list) = &r {
                    let min_ttl = list.iter().filter_map(|s| s.ttl).min().unwrap_or(300);
                    let now = self.now();
                    self.policy.handle(
                        now,
                        Input::IceServers {
                            min_ttl: Duration::from_secs(u64::from(min_ttl)),
                        },
                    );
                    self.ice = list.clone();
                    self.events.push_back(ClientEvent::IceServersUpdated);
                }
                self.report(Call::GetIceServerConfig, &r);
            }
            PolicyAction::Connect { replace } => self.connect(replace),
            PolicyAction::SendPing => {
                if let Some(conn) = self.conn.as_mut() {
                    if let Err(e) = conn.ping() {
                        self.lost_connection(&format!("ping failed: {e}"));
                    }
                }
            }
            PolicyAction::Close => {
                if let Some(mut conn) = self.conn.take() {
                    conn.close();
                }
            }
            PolicyAction::JoinStorageSession => {
                let Some(c) = self.creds_for(Call::JoinStorageSession) else {
                    return;
                };
                let (Some(arn), Some(webrtc)) = (self.arn.clone(), self.endpoints.webrtc.clone())
                else {
                    self.report::<()>(
                        Call::JoinStorageSession,
                        &Err(ControlError::Missing("WEBRTC endpoint")),
                    );
                    return;
                };
                let r = match self.cfg.role {
                    Role::Master => self.control.join_storage_session(&c, &webrtc, &arn),
                    Role::Viewer => {
                        let id = self.cfg.client_id.clone();
                        self.control
                            .join_storage_session_as_viewer(&c, &webrtc, &arn, &id)
                    }
                };
                if r.is_ok() {
                    self.events.push_back(ClientEvent::StorageSessionJoined);
                }
                self.report(Call::JoinStorageSession, &r);
            }
            PolicyAction::RefreshCredentials => {
                self.creds.invalidate();
                let wall = self.corrected_wall();
                let now = self.now();
                match self.creds.get_at(wall).cloned() {
                    Ok(c) => {
                        let expires_at = self.policy_expiry(&c);
                        self.policy.handle(now, Input::Credentials { expires_at });
                    }
                    Err(e) => {
                        self.last_error = e.to_string();
                        self.policy.handle(
                            now,
                            Input::ApiDone {
                                call: Call::RefreshCredentials,
                                latency: Duration::ZERO,
                                outcome: CallOutcome::Network,
                            },
                        );
                    }
                }
            }
            PolicyAction::Fatal(reason) => {
                let detail = if self.last_error.is_empty() {
                    String::from("no further detail")
                } else {
                    self.last_error.clone()
                };
                log::error!("signaling client gave up: {reason} ({detail})");
                self.close();
                self.events.push_back(ClientEvent::Fatal {
                    reason,
                    detail: detail.clone(),
                });
                self.fatal = Some((reason, detail));
            }
        }
    }

    /// The policy's learned correction plus nothing else: the device clock error is
    /// already in [`SignalingClient::wall`], which the HTTP signer does not see, so it
    /// is added here.
    fn total_offset(&self) -> i64 {
        self.policy
            .clock_offset_secs()
            .saturating_add(self.cfg.clock_error_secs)
    }

    fn connect(&mut self, replace: bool) {
        self.wss_connects += 1;
        let (Some(arn), Some(wss)) = (self.arn.clone(), self.endpoints.wss.clone()) else {
            self.report::<()>(Call::Connect, &Err(ControlError::Missing("WSS endpoint")));
            return;
        };
        let Some(c) = self.creds_for(Call::Connect) else {
            return;
        };
        let host = wss
            .split_once("://")
            .map_or(wss.as_str(), |(_, r)| r)
            .split(['/', '?'])
            .next()
            .unwrap_or("");
        let host = host.strip_suffix(":443").unwrap_or(host).to_string();
        let time = signing_time(self.wall(), self.policy.clock_offset_secs());
        let scope = Scope::kvs(&self.cfg.region);
        let creds = c.as_credentials();
        let key = SigningKey::refresh(&mut self.wss_key, creds.secret_access_key, time, scope);
        let conn_spec = WssConnect {
            host: &host,
            channel_arn: &arn,
            client_id: match self.cfg.role {
                Role::Viewer => Some(&self.cfg.client_id),
                Role::Master => None,
            },
            expires_secs: WSS_EXPIRES_SECS,
        };
        let mut url = String::new();
        if let Err(e) = write_presigned_wss_url(&creds, key, time, scope, &conn_spec, &mut url) {
            self.last_error = format!("cannot presign the WSS URL: {e}");
            let now = self.now();
            self.policy.handle(
                now,
                Input::ApiDone {
                    call: Call::Connect,
                    latency: Duration::ZERO,
                    outcome: CallOutcome::InvalidArgument,
                },
            );
            return;
        }
        // The endpoint may be ws:// (a local server without TLS).
        if wss.starts_with("ws://") {
            url = url.replacen("wss://", "ws://", 1);
        }
        let start = Instant::now();
        let result = WssConn::connect(&url, self.tls.rustls_config(), self.cfg.call_timeout);
        let latency = start.elapsed();
        let now = self.now();
        match result {
            Ok(new) => {
                if replace {
                    if let Some(mut old) = self.conn.take() {
                        // Deliver what already arrived on the old connection.
                        self.drain_old(&mut old);
                        old.close();
                    }
                }
                self.conn = Some(new);
                self.sdp_bucket.reset();
                self.cand_bucket.reset();
                self.policy.handle(now, Input::Connected { latency });
                self.events.push_back(ClientEvent::Connected {
                    reconnect: self.connections > 0,
                });
                self.connections += 1;
            }
            Err(e) => {
                self.last_error = e.to_string();
                log::warn!("WSS connect failed: {e}");
                let outcome = match &e {
                    WssError::Refused { status, body, date } => {
                        if let Some(date) = date {
                            let local = signing_time(self.wall(), 0);
                            self.policy
                                .handle(now, Input::ServerDate { date: *date, local });
                        }
                        let se = crate::api::ServiceError::parse(*status, None, body.as_bytes());
                        super::control::outcome_of(se.kind, *status)
                    }
                    _ => CallOutcome::Network,
                };
                self.policy.handle(
                    now,
                    Input::ApiDone {
                        call: Call::Connect,
                        latency,
                        outcome,
                    },
                );
            }
        }
    }

    fn drain_old(&mut self, old: &mut WssConn) {
        let _ = old.set_read_timeout(Duration::from_millis(1));
        for _ in 0..32 {
            match old.recv() {
                Ok(Some(WsEvent::Text(t))) => self.on_text(&t),
                Ok(Some(WsEvent::Pong)) => {}
                _ => break,
            }
        }
    }
}

fn action_tag(a: Action) -> &'static str {
    match a {
        Action::SdpOffer => "offer",
        Action::SdpAnswer => "answer",
        Action::IceCandidate => "cand",
    }
}

/// The device clock: the system's, shifted by a simulated device clock error.
fn wall_clock(error_secs: i64) -> SystemTime {
    clock::shifted(clock::system_now(), error_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_can_move_to_its_own_thread() {
        fn is_send<T: Send>() {}
        is_send::<SignalingClient>();
    }

    #[test]
    fn skewed_wall_clock() {
        let now = SystemTime::now();
        let ahead = wall_clock(600).duration_since(now).unwrap_or_default();
        assert!(ahead >= Duration::from_secs(599));
        let behind = now.duration_since(wall_clock(-600)).unwrap_or_default();
        assert!(behind >= Duration::from_secs(599));
    }
}
