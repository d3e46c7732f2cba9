//! The reconnect/refresh policy of a KVS signaling client, as a sans-IO state machine:
//! time in, actions out. It decides *what* to do and *when* (describe the channel, get its
//! endpoints, fetch ICE servers, connect, ping, rotate the connection before the service's
//! one-hour cap, join the storage session, refresh credentials, back off, give up); a thin
//! driver does the I/O and reports back. Because it owns no clock and no socket, days of
//! simulated time run in milliseconds (`tests/policy_week.rs`).
//!
//! # Driving it
//!
//! ```text
//! loop {
//!     while let Some(action) = policy.poll_action(now) { start(action) }   // drain
//!     wait for I/O or until policy.poll_timeout()
//!     policy.handle(now, input)                                          // results
//! }
//! ```
//!
//! `now` is a monotonic [`Duration`] (any epoch). At most one request action
//! ([`PolicyAction::Describe`], [`PolicyAction::GetEndpoint`],
//! [`PolicyAction::GetIceServerConfig`], [`PolicyAction::Connect`],
//! [`PolicyAction::JoinStorageSession`], [`PolicyAction::RefreshCredentials`]) is
//! outstanding at a time; each is answered by [`Input::ApiDone`] (with its latency and a
//! [`CallOutcome`]). Extra facts come before that answer: [`Input::IceServers`] (the
//! smallest TTL of the list just fetched), [`Input::ServerDate`] (the `Date` header of
//! a refused request), [`Input::Credentials`] (what a refresh produced). A request with
//! no answer after [`PolicyConfig::call_timeout`] counts as a network failure.
//! [`PolicyAction::SendPing`] and [`PolicyAction::Close`] are fire-and-forget.
//!
//! # Rules
//!
//! - Startup: Describe → GetEndpoint → GetIceServerConfig → Connect, then (with
//!   `storage`) JoinStorageSession (the driver calls JoinStorageSessionAsViewer for a
//!   viewer). Describe/GetEndpoint results are trusted for
//!   [`PolicyConfig::endpoint_cache_ttl`] (10 h; the driver may persist them and report
//!   [`Input::EndpointCached`] at start-up), re-queried after expiry, after GO_AWAY, after
//!   `NotFound`, and after two connect failures in a row (a stale endpoint).
//! - Failures of the transient kind (network, 5xx, throttling, limits) and unexpected
//!   closes back off: the n-th retry waits a uniformly random time in
//!   `[0, min(10 s, 100 ms · 2ⁿ)]` (full jitter, seeded SplitMix64). The exponent resets
//!   once a connection has stayed up for [`PolicyConfig::backoff_reset_after`].
//! - The connection is replaced [`PolicyConfig::rotate_margin`] before it is an hour old,
//!   make-before-break: [`PolicyAction::Connect`] comes with `replace: true` while the old
//!   connection is still up; the driver opens the new one and, once it reports it
//!   connected, closes the old one itself (messages arriving on the old one meanwhile are
//!   still delivered). If the new one cannot be made in time, the policy closes the old
//!   one at the hour ([`PolicyAction::Close`]) rather than let the service cut it.
//! - Pings every 10 s; no pong (or any received message) for
//!   [`PolicyConfig::pong_timeout`] means a dead connection: Close and reconnect.
//! - ICE servers are refetched when the smallest TTL minus 30 s has passed (or at half
//!   the TTL if it is shorter than a minute), and never offered for a new connection
//!   after that point ([`Policy::ice_config_valid`]). A TTL under 1 s is a malformed
//!   answer (backed off), not a list to refetch in a loop.
//! - GO_AWAY: Describe and GetEndpoint again and reconnect at once (make-before-break,
//!   no backoff): well within the service's one minute. RECONNECT_ICE_SERVER: refetch ICE
//!   servers, then reconnect.
//! - Clock skew: a `SignatureExpired` failure preceded by [`Input::ServerDate`] showing
//!   the server more than 5 min away from the offset in use sets
//!   [`Policy::clock_offset_secs`] and retries at once — once per change of skew: a
//!   second `SignatureExpired` with the same skew is retried slowly (every
//!   [`PolicyConfig::auth_retry_delay`]), never in a loop.
//! - Wrong credentials (`AccessDenied`, `InvalidSignature`): [`PolicyAction::Fatal`] at
//!   once by default. With [`PolicyConfig::auth_retries`] > 0 (a provider that may hand
//!   out new credentials, e.g. IoT role aliases) each failure refreshes the credentials
//!   and retries after `auth_retry_delay`, doubling (capped at an hour), then Fatal.
//!   `ExpiredToken` refreshes the credentials and retries at once, once until something
//!   succeeds; a second one in a row is handled like wrong credentials.
//!   `NotFound` on Describe and `InvalidArgument` anywhere become Fatal after
//!   [`PolicyConfig::permanent_failures_before_fatal`] tries.
//! - Credentials with an expiry are refreshed [`PolicyConfig::credentials_refresh_margin`]
//!   before it (or half-way through, if they live shorter than that).

use core::fmt;
use core::time::Duration;

use crate::metrics::Metrics;
use crate::time::UtcTime;

/// The side of the channel this client is: decides nothing in the policy except what the
/// driver asks for (the endpoint role, which storage call to make).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The camera: one per channel.
    Master,
    /// A viewer (up to 10 per channel).
    Viewer,
}

/// The requests the policy asks the driver to make, as reported back in
/// [`Input::ApiDone`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// DescribeSignalingChannel (control plane).
    Describe,
    /// GetSignalingChannelEndpoint (control plane).
    GetEndpoint,
    /// GetIceServerConfig (the channel's HTTPS endpoint).
    GetIceServerConfig,
    /// The WebSocket connect (the WSS endpoint, presigned URL).
    Connect,
    /// JoinStorageSession or JoinStorageSessionAsViewer (the WEBRTC endpoint).
    JoinStorageSession,
    /// Fetching fresh credentials from the provider.
    RefreshCredentials,
}

impl Call {
    /// How many calls there are (for per-call tables).
    pub const COUNT: usize = 6;

    /// A dense index `0..COUNT`.
    pub const fn index(self) -> usize {
        match self {
            Call::Describe => 0,
            Call::GetEndpoint => 1,
            Call::GetIceServerConfig => 2,
            Call::Connect => 3,
            Call::JoinStorageSession => 4,
            Call::RefreshCredentials => 5,
        }
    }
}

/// How a call ended, as the policy needs to know it. The failure names mirror the
/// service's error kinds ([`crate::api::ServiceErrorKind`], which converts with `into()`);
/// the last three are the driver's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallOutcome {
    /// It worked.
    Ok,
    /// `ResourceNotFoundException`: the channel (or a cached endpoint) is gone.
    NotFound,
    /// `AccessDeniedException` (or 403 without a better name): wrong or insufficient
    /// credentials.
    AccessDenied,
    /// `ClientLimitExceededException`: too many calls.
    ClientLimitExceeded,
    /// `InvalidArgumentException`: a bad name, ARN or client id.
    InvalidArgument,
    /// 403 "Signature expired" / "Signature not yet current": the clock is off (or the
    /// session token has expired).
    SignatureExpired,
    /// 403 "signature does not match": the secret key is wrong.
    InvalidSignature,
    /// `ExpiredTokenException`: the session token has expired.
    ExpiredToken,
    /// `ResourceInUseException`.
    ResourceInUse,
    /// `VersionMismatchException`.
    VersionMismatch,
    /// Throttling of any other name (429).
    Throttled,
    /// Any other service error.
    Other,
    /// No answer: DNS, TCP, TLS, timeout, connection reset.
    Network,
    /// An HTTP 5xx.
    ServerError,
    /// An answer that could not be understood.
    Malformed,
}

impl From<crate::api::ServiceErrorKind> for CallOutcome {
    /// How the policy reacts to each service error (`api` parses them).
    fn from(kind: crate::api::ServiceErrorKind) -> CallOutcome {
        use crate::api::ServiceErrorKind as K;
        match kind {
            K::NotFound => CallOutcome::NotFound,
            K::AccessDenied | K::NotAuthorized | K::UnrecognizedClient => CallOutcome::AccessDenied,
            K::ClientLimitExceeded => CallOutcome::ClientLimitExceeded,
            K::InvalidArgument | K::InvalidClient | K::TagsPerResourceExceeded => {
                CallOutcome::InvalidArgument
            }
            K::SignatureExpired => CallOutcome::SignatureExpired,
            K::InvalidSignature => CallOutcome::InvalidSignature,
            K::ExpiredToken => CallOutcome::ExpiredToken,
            K::ResourceInUse => CallOutcome::ResourceInUse,
            K::VersionMismatch => CallOutcome::VersionMismatch,
            K::Throttled => CallOutcome::Throttled,
            // SessionExpired, AccountChannelLimitExceeded, Other and anything added
            // later: transient as far as reconnecting goes.
            _ => CallOutcome::Other,
        }
    }
}

/// Why the policy gave up: nothing it can do will help; a person has to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FatalReason {
    /// The service refuses these credentials (`AccessDeniedException`).
    AccessDenied,
    /// The signature does not match: the secret access key is wrong.
    InvalidSignature,
    /// DescribeSignalingChannel says the channel does not exist.
    ChannelNotFound,
    /// The service calls the request invalid (channel name, ARN, client id).
    InvalidArgument,
    /// The session token has expired and refreshing the credentials did not help.
    ExpiredToken,
}

impl fmt::Display for FatalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FatalReason::AccessDenied => {
                "access denied: the credentials are not allowed to use this signaling channel"
            }
            FatalReason::InvalidSignature => {
                "signature does not match: the secret access key is wrong"
            }
            FatalReason::ChannelNotFound => "the signaling channel does not exist",
            FatalReason::InvalidArgument => {
                "the service rejected the channel name, ARN or client id as invalid"
            }
            FatalReason::ExpiredToken => {
                "the session token has expired and no fresh credentials could be had"
            }
        })
    }
}

impl core::error::Error for FatalReason {}

/// What the driver should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyAction {
    /// Call DescribeSignalingChannel.
    Describe,
    /// Call GetSignalingChannelEndpoint.
    GetEndpoint,
    /// Call GetIceServerConfig (then report [`Input::IceServers`] and [`Input::ApiDone`]).
    GetIceServerConfig,
    /// Open the WebSocket (presigned with [`Policy::clock_offset_secs`] applied).
    Connect {
        /// A connection is still up: open the new one beside it, and close the old one
        /// once the new one is connected (make-before-break), without reporting
        /// [`Input::Disconnected`] for it. If the old one dies (or the policy closes it)
        /// first, the new one simply has nothing to replace.
        replace: bool,
    },
    /// Send a WebSocket ping.
    SendPing,
    /// Close the current WebSocket connection now (no [`Input::Disconnected`] is
    /// expected for it).
    Close,
    /// Call JoinStorageSession (master) or JoinStorageSessionAsViewer (viewer).
    JoinStorageSession,
    /// Fetch fresh credentials (then report [`Input::Credentials`]).
    RefreshCredentials,
    /// Stop: the reason is final. Reported once; nothing follows.
    Fatal(FatalReason),
}

/// What the driver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// A requested call finished (successful or not) after `latency`.
    ApiDone {
        /// Which.
        call: Call,
        /// How long it took.
        latency: Duration,
        /// How it ended.
        outcome: CallOutcome,
    },
    /// The WebSocket asked for by [`PolicyAction::Connect`] is open: the same as
    /// `ApiDone { call: Connect, outcome: Ok }`.
    Connected {
        /// How long the handshake took.
        latency: Duration,
    },
    /// The established connection (the one last reported connected) closed without
    /// being asked to.
    Disconnected,
    /// The service sent GO_AWAY.
    GoAway,
    /// The service sent RECONNECT_ICE_SERVER.
    ReconnectIceServer,
    /// A pong arrived.
    Pong,
    /// The ICE server list just fetched: the smallest `Ttl` in it. Report it before the
    /// `ApiDone` of the GetIceServerConfig call.
    IceServers {
        /// The smallest TTL.
        min_ttl: Duration,
    },
    /// Credentials in use (at start, or after [`PolicyAction::RefreshCredentials`]).
    Credentials {
        /// When they stop working, on the policy's clock; `None` for static keys.
        expires_at: Option<Duration>,
    },
    /// The `Date` header of a refused request, with the local wall clock (uncorrected)
    /// read when it arrived. Report it before the failing `ApiDone`.
    ServerDate {
        /// The server's time.
        date: UtcTime,
        /// Ours, without [`Policy::clock_offset_secs`].
        local: UtcTime,
    },
    /// The storage session's peer connection ended: join again.
    StorageSessionEnded,
    /// The driver loaded Describe/GetEndpoint results from its file cache; they are
    /// `age` old. Report before the first [`Policy::poll_action`].
    EndpointCached {
        /// How old.
        age: Duration,
    },
    /// A message was sent on the WebSocket.
    MessageSent,
    /// A message was received (also proves the connection alive, like a pong).
    MessageReceived,
    /// The driver hit an error outside an API call.
    RuntimeError,
    /// An offer was answered `elapsed` after it arrived.
    OfferToAnswer {
        /// Offer received → answer sent.
        elapsed: Duration,
    },
}

/// The policy's knobs; [`PolicyConfig::DEFAULT`] holds the service's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyConfig {
    /// First backoff ceiling (100 ms).
    pub backoff_base: Duration,
    /// Largest backoff (10 s).
    pub backoff_cap: Duration,
    /// A connection up this long resets the backoff (30 s).
    pub backoff_reset_after: Duration,
    /// The service's connection cap (1 h).
    pub max_connection_age: Duration,
    /// How long before the cap to start the replacement (2 min).
    pub rotate_margin: Duration,
    /// WebSocket ping period (10 s; the service idles out after 10 min).
    pub ping_interval: Duration,
    /// Silence (no pong, no message) that means the connection is dead (35 s).
    pub pong_timeout: Duration,
    /// Refresh ICE servers this long before the smallest TTL ends (30 s).
    pub ice_refresh_margin: Duration,
    /// How long Describe/GetEndpoint results are trusted (10 h).
    pub endpoint_cache_ttl: Duration,
    /// Server time further than this from ours is corrected (300 s).
    pub clock_skew_threshold_secs: u64,
    /// Refresh credentials this long before they expire (5 min).
    pub credentials_refresh_margin: Duration,
    /// A request unanswered this long is a network failure (30 s).
    pub call_timeout: Duration,
    /// Auth failures (AccessDenied / InvalidSignature) retried before Fatal (0).
    pub auth_retries: u8,
    /// First wait after an auth or unfixable-skew failure, doubling (5 min, ≤ 1 h).
    pub auth_retry_delay: Duration,
    /// Tries before `ChannelNotFound` / `InvalidArgument` become Fatal (3).
    pub permanent_failures_before_fatal: u8,
}

impl PolicyConfig {
    /// The service's numbers.
    pub const DEFAULT: PolicyConfig = PolicyConfig {
        backoff_base: Duration::from_millis(100),
        backoff_cap: Duration::from_secs(10),
        backoff_reset_after: Duration::from_secs(30),
        max_connection_age: Duration::from_secs(3600),
        rotate_margin: Duration::from_secs(120),
        ping_interval: Duration::from_secs(10),
        pong_timeout: Duration::from_secs(35),
        ice_refresh_margin: Duration::from_secs(30),
        endpoint_cache_ttl: Duration::from_secs(10 * 3600),
        clock_skew_threshold_secs: 300,
        credentials_refresh_margin: Duration::from_secs(300),
        call_timeout: Duration::from_secs(30),
        auth_retries: 0,
        auth_retry_delay: Duration::from_secs(300),
        permanent_failures_before_fatal: 3,
    };
}

impl PolicyConfig {
    /// The same knobs with the periodic ones floored, so that a zero (a typo, a unit
    /// mix-up) cannot turn pings or retries into a busy loop: pings at most every 100 ms,
    /// backoff at least 1 ms, auth retries at least 1 s apart. [`Policy::new`] applies it.
    pub fn sanitized(self) -> PolicyConfig {
        let backoff_base = self.backoff_base.max(Duration::from_millis(1));
        PolicyConfig {
            ping_interval: self.ping_interval.max(Duration::from_millis(100)),
            backoff_base,
            backoff_cap: self.backoff_cap.max(backoff_base),
            auth_retry_delay: self.auth_retry_delay.max(Duration::from_secs(1)),
            ..self
        }
    }
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig::DEFAULT
    }
}

/// The shortest ICE server TTL accepted: anything shorter would be refetched
/// continuously (see `succeed`).
const MIN_ICE_TTL: Duration = Duration::from_secs(1);

/// Why the current connection is being replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reconnect {
    Rotate,
    GoAway,
    IceServer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Conn {
    since: Duration,
    next_ping: Duration,
    last_alive: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Ice {
    valid_until: Duration,
    refresh_at: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Pending {
    call: Call,
    started: Duration,
}

/// The reconnect/refresh state machine (see the module docs for the rules).
#[derive(Debug, Clone)]
pub struct Policy {
    cfg: PolicyConfig,
    role: Role,
    storage: bool,
    rng: u64,
    metrics: Metrics,
    describe_until: Option<Duration>,
    endpoint_until: Option<Duration>,
    ice: Option<Ice>,
    ice_seen: Option<Duration>,
    conn: Option<Conn>,
    pending: Option<Pending>,
    reconnect: Option<Reconnect>,
    retry_at: Option<Duration>,
    attempt: u32,
    last_failure: Duration,
    last_backoff: Duration,
    connect_failures: u8,
    creds_refresh_at: Option<Duration>,
    storage_joined: bool,
    clock_offset: i64,
    observed_skew: Option<i64>,
    skew_retry_used: bool,
    token_retry_used: bool,
    auth_failures: u8,
    permanent_failures: u8,
    fatal: Option<FatalReason>,
    fatal_reported: bool,
    ever_connected: bool,
}

impl Policy {
    /// A policy for a client of `role` (joining the storage session if `storage`)
    /// starting at `now`; `seed` drives the backoff jitter (use something device-unique,
    /// so a fleet does not retry in lockstep).
    pub fn new(config: PolicyConfig, role: Role, storage: bool, seed: u64, now: Duration) -> Self {
        Policy {
            cfg: config.sanitized(),
            role,
            storage,
            rng: seed,
            metrics: Metrics::new(now),
            describe_until: None,
            endpoint_until: None,
            ice: None,
            ice_seen: None,
            conn: None,
            pending: None,
            reconnect: None,
            retry_at: None,
            attempt: 0,
            last_failure: Duration::ZERO,
            last_backoff: Duration::ZERO,
            connect_failures: 0,
            creds_refresh_at: None,
            storage_joined: false,
            clock_offset: 0,
            observed_skew: None,
            skew_retry_used: false,
            token_retry_used: false,
            auth_failures: 0,
            permanent_failures: 0,
            fatal: None,
            fatal_reported: false,
            ever_connected: false,
        }
    }

    /// The role given at creation.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The counters and averages.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Seconds to add to the local clock when signing (learned from the server's `Date`
    /// on a skew failure; 0 until then).
    pub fn clock_offset_secs(&self) -> i64 {
        self.clock_offset
    }

    /// The time to sign with: `local` corrected by [`Policy::clock_offset_secs`].
    pub fn signing_time(&self, local: UtcTime) -> Option<UtcTime> {
        let secs = i64::try_from(local.to_unix_seconds())
            .ok()?
            .checked_add(self.clock_offset)?;
        UtcTime::from_unix_seconds(u64::try_from(secs).ok()?)
    }

    /// Whether a WebSocket connection is established (as far as the policy knows).
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The current connection's age.
    pub fn connection_age(&self, now: Duration) -> Option<Duration> {
        self.conn.map(|c| now.saturating_sub(c.since))
    }

    /// Whether the ICE servers last fetched may still be handed to a new peer
    /// connection (before their refresh point, so never past their TTL).
    pub fn ice_config_valid(&self, now: Duration) -> bool {
        self.ice.is_some_and(|i| now < i.refresh_at)
    }

    /// When the ICE servers last fetched expire.
    pub fn ice_config_expires(&self) -> Option<Duration> {
        self.ice.map(|i| i.valid_until)
    }

    /// The last backoff delay chosen (for tests and logs).
    pub fn last_backoff(&self) -> Duration {
        self.last_backoff
    }

    /// Whether the policy has given up.
    pub fn fatal(&self) -> Option<FatalReason> {
        self.fatal
    }

    /// The next action due at `now`, `None` when there is nothing to do until new input
    /// or [`Policy::poll_timeout`]. Call until it returns `None`.
    pub fn poll_action(&mut self, now: Duration) -> Option<PolicyAction> {
        if let Some(reason) = self.fatal {
            if self.conn.take().is_some() {
                self.metrics.set_connected(None);
                return Some(PolicyAction::Close);
            }
            if !self.fatal_reported {
                self.fatal_reported = true;
                return Some(PolicyAction::Fatal(reason));
            }
            return None;
        }
        if let Some(p) = self.pending {
            if now >= p.started.saturating_add(self.cfg.call_timeout) {
                self.pending = None;
                self.metrics.record_latency(p.call, self.cfg.call_timeout);
                self.fail(now, p.call, CallOutcome::Network);
                if self.fatal.is_some() {
                    return self.poll_action(now);
                }
            }
        }
        if let Some(c) = self.conn {
            let dead = now >= c.last_alive.saturating_add(self.cfg.pong_timeout);
            let capped = now >= c.since.saturating_add(self.cfg.max_connection_age);
            if dead || capped {
                self.drop_connection(now, dead);
                return Some(PolicyAction::Close);
            }
            if self.attempt > 0 && now >= self.backoff_reset_at(c) {
                self.attempt = 0;
            }
            if now >= c.next_ping {
                if let Some(c) = self.conn.as_mut() {
                    c.next_ping = now.saturating_add(self.cfg.ping_interval);
                }
                return Some(PolicyAction::SendPing);
            }
        }
        if self.pending.is_some() {
            return None;
        }
        match self.retry_at {
            Some(t) if now < t => return None,
            _ => self.retry_at = None,
        }
        if self.creds_refresh_at.is_some_and(|t| now >= t) {
            return Some(self.start(now, Call::RefreshCredentials));
        }
        if let Some(c) = self.conn {
            if self.reconnect.is_none() && now >= self.rotate_at(c) {
                self.reconnect = Some(Reconnect::Rotate);
            }
        }
        if self.conn.is_none() || self.reconnect.is_some() {
            if self.describe_until.is_none_or(|t| now >= t) {
                return Some(self.start(now, Call::Describe));
            }
            if self.endpoint_until.is_none_or(|t| now >= t) {
                return Some(self.start(now, Call::GetEndpoint));
            }
            if !self.ice_config_valid(now) {
                return Some(self.start(now, Call::GetIceServerConfig));
            }
            return Some(self.start(now, Call::Connect));
        }
        if !self.ice_config_valid(now) {
            return Some(self.start(now, Call::GetIceServerConfig));
        }
        if self.storage && !self.storage_joined {
            return Some(self.start(now, Call::JoinStorageSession));
        }
        None
    }

    /// When [`Policy::poll_action`] may have something new without any input (a timer
    /// expires); `None` when only input can wake the policy. May be in the past if the
    /// driver has not drained `poll_action`.
    pub fn poll_timeout(&self) -> Option<Duration> {
        if self.fatal.is_some() {
            return None;
        }
        let mut t: Option<Duration> = None;
        let mut at = |d: Duration| t = Some(t.map_or(d, |x| x.min(d)));
        if let Some(p) = self.pending {
            at(p.started.saturating_add(self.cfg.call_timeout));
        }
        if let Some(c) = self.conn {
            at(c.next_ping);
            at(c.last_alive.saturating_add(self.cfg.pong_timeout));
            at(c.since.saturating_add(self.cfg.max_connection_age));
            if self.attempt > 0 {
                at(self.backoff_reset_at(c));
            }
        }
        if self.pending.is_none() {
            if let Some(r) = self.retry_at {
                at(r);
            } else {
                if let Some(r) = self.creds_refresh_at {
                    at(r);
                }
                if let Some(c) = self.conn {
                    if self.reconnect.is_none() {
                        at(self.rotate_at(c));
                    }
                    if let Some(i) = self.ice {
                        at(i.refresh_at);
                    }
                }
            }
        }
        t
    }

    /// Feeds one report from the driver.
    pub fn handle(&mut self, now: Duration, input: Input) {
        if self.fatal.is_some() {
            return;
        }
        match input {
            Input::ApiDone {
                call,
                latency,
                outcome,
            } => self.done(now, call, latency, outcome),
            Input::Connected { latency } => self.done(now, Call::Connect, latency, CallOutcome::Ok),
            Input::Disconnected => {
                if self.conn.is_some() {
                    self.drop_connection(now, true);
                }
            }
            Input::GoAway => {
                self.metrics.go_aways = self.metrics.go_aways.saturating_add(1);
                self.describe_until = None;
                self.endpoint_until = None;
                self.reconnect_now(Reconnect::GoAway);
            }
            Input::ReconnectIceServer => {
                self.ice = None;
                self.reconnect_now(Reconnect::IceServer);
            }
            Input::Pong => self.alive(now),
            Input::IceServers { min_ttl } => {
                if self.pending_is(Call::GetIceServerConfig) {
                    self.ice_seen = Some(min_ttl);
                }
            }
            Input::Credentials { expires_at } => self.credentials(now, expires_at),
            Input::ServerDate { date, local } => {
                let d = i64::try_from(date.to_unix_seconds()).unwrap_or(i64::MAX);
                let l = i64::try_from(local.to_unix_seconds()).unwrap_or(i64::MAX);
                self.observed_skew = Some(d.saturating_sub(l));
            }
            Input::StorageSessionEnded => self.storage_joined = false,
            Input::EndpointCached { age } => {
                if let Some(left) = self.cfg.endpoint_cache_ttl.checked_sub(age) {
                    let until = now.saturating_add(left);
                    self.describe_until = Some(until);
                    self.endpoint_until = Some(until);
                }
            }
            Input::MessageSent => {
                self.metrics.messages_sent = self.metrics.messages_sent.saturating_add(1)
            }
            Input::MessageReceived => {
                self.metrics.messages_received = self.metrics.messages_received.saturating_add(1);
                self.alive(now);
            }
            Input::RuntimeError => {
                self.metrics.runtime_errors = self.metrics.runtime_errors.saturating_add(1)
            }
            Input::OfferToAnswer { elapsed } => self.metrics.offer_to_answer.record(elapsed),
        }
    }

    fn rotate_at(&self, c: Conn) -> Duration {
        c.since.saturating_add(
            self.cfg
                .max_connection_age
                .saturating_sub(self.cfg.rotate_margin),
        )
    }

    /// The backoff exponent resets once the connection has been up, and nothing has
    /// failed, for `backoff_reset_after`.
    fn backoff_reset_at(&self, c: Conn) -> Duration {
        c.since
            .max(self.last_failure)
            .saturating_add(self.cfg.backoff_reset_after)
    }

    fn pending_is(&self, call: Call) -> bool {
        self.pending.is_some_and(|p| p.call == call)
    }

    fn start(&mut self, now: Duration, call: Call) -> PolicyAction {
        self.pending = Some(Pending { call, started: now });
        self.observed_skew = None;
        self.ice_seen = None;
        match call {
            Call::Describe => PolicyAction::Describe,
            Call::GetEndpoint => PolicyAction::GetEndpoint,
            Call::GetIceServerConfig => PolicyAction::GetIceServerConfig,
            Call::Connect => PolicyAction::Connect {
                replace: self.conn.is_some(),
            },
            Call::JoinStorageSession => PolicyAction::JoinStorageSession,
            Call::RefreshCredentials => PolicyAction::RefreshCredentials,
        }
    }

    fn alive(&mut self, now: Duration) {
        if let Some(c) = self.conn.as_mut() {
            c.last_alive = c.last_alive.max(now);
        }
    }

    /// A reconnect the service asked for: start at once, whatever backoff was running.
    fn reconnect_now(&mut self, why: Reconnect) {
        self.retry_at = None;
        if self.conn.is_some() {
            self.reconnect = Some(why);
        }
    }

    /// The established connection is gone (closed by us because it is dead or capped,
    /// or by the other end).
    fn drop_connection(&mut self, now: Duration, unexpected: bool) {
        self.conn = None;
        self.metrics.set_connected(None);
        self.storage_joined = false;
        if unexpected {
            self.metrics.unexpected_disconnects =
                self.metrics.unexpected_disconnects.saturating_add(1);
        }
        // Already replacing it (rotation, GO_AWAY): carry on, no extra wait.
        if self.reconnect.take().is_none() && !self.pending_is(Call::Connect) {
            self.backoff(now);
        }
    }

    fn credentials(&mut self, now: Duration, expires_at: Option<Duration>) {
        let was_refresh = self.pending_is(Call::RefreshCredentials);
        match expires_at {
            Some(exp) if exp <= now && was_refresh => {
                // The provider handed out dead credentials: a failed refresh.
                self.pending = None;
                self.fail(now, Call::RefreshCredentials, CallOutcome::Other);
                return;
            }
            Some(exp) => {
                let left = exp.saturating_sub(now);
                let lead = self.cfg.credentials_refresh_margin.min(left / 2);
                self.creds_refresh_at = Some(exp.saturating_sub(lead));
            }
            None => self.creds_refresh_at = None,
        }
        if was_refresh {
            self.pending = None;
            self.metrics.credential_refreshes = self.metrics.credential_refreshes.saturating_add(1);
        }
    }

    fn done(&mut self, now: Duration, call: Call, latency: Duration, outcome: CallOutcome) {
        if !self.pending_is(call) {
            // A late answer to a call that already timed out: ignore.
            return;
        }
        self.pending = None;
        self.metrics.record_latency(call, latency);
        if outcome == CallOutcome::Ok {
            self.succeed(now, call);
        } else {
            self.fail(now, call, outcome);
        }
    }

    fn succeed(&mut self, now: Duration, call: Call) {
        self.auth_failures = 0;
        self.permanent_failures = 0;
        self.skew_retry_used = false;
        self.token_retry_used = false;
        let ttl = self.cfg.endpoint_cache_ttl;
        match call {
            Call::Describe => {
                self.describe_until = Some(now.saturating_add(ttl));
                // The endpoint belongs to what Describe returned: ask again.
                self.endpoint_until = None;
            }
            Call::GetEndpoint => self.endpoint_until = Some(now.saturating_add(ttl)),
            Call::GetIceServerConfig => {
                // A TTL under a second (the service's `Ttl: 0`, or garbage) would make
                // the list invalid the moment it arrives and refetch it in a tight loop
                // with no backoff: count it as a malformed answer (which backs off).
                let Some(ttl) = self.ice_seen.take().filter(|t| *t >= MIN_ICE_TTL) else {
                    self.fail(now, call, CallOutcome::Malformed);
                    return;
                };
                let lead = self.cfg.ice_refresh_margin.min(ttl / 2);
                self.ice = Some(Ice {
                    valid_until: now.saturating_add(ttl),
                    refresh_at: now.saturating_add(ttl - lead),
                });
                self.metrics.ice_refreshes = self.metrics.ice_refreshes.saturating_add(1);
            }
            Call::Connect => {
                self.connect_failures = 0;
                if self.ever_connected {
                    self.metrics.reconnects = self.metrics.reconnects.saturating_add(1);
                }
                self.ever_connected = true;
                self.conn = Some(Conn {
                    since: now,
                    next_ping: now.saturating_add(self.cfg.ping_interval),
                    last_alive: now,
                });
                self.reconnect = None;
                self.storage_joined = false;
                self.metrics.set_connected(Some(now));
            }
            Call::JoinStorageSession => {
                self.storage_joined = true;
                self.metrics.storage_joins = self.metrics.storage_joins.saturating_add(1);
            }
            Call::RefreshCredentials => {
                // Done without an `Input::Credentials`: keys with no known expiry.
                self.creds_refresh_at = None;
                self.metrics.credential_refreshes =
                    self.metrics.credential_refreshes.saturating_add(1);
            }
        }
    }

    fn fail(&mut self, now: Duration, call: Call, outcome: CallOutcome) {
        self.metrics.errors = self.metrics.errors.saturating_add(1);
        match outcome {
            CallOutcome::Ok => {}
            CallOutcome::SignatureExpired => {
                let threshold =
                    i64::try_from(self.cfg.clock_skew_threshold_secs).unwrap_or(i64::MAX);
                if let Some(obs) = self.observed_skew.take() {
                    if !self.skew_retry_used
                        && obs.abs_diff(self.clock_offset) > threshold.unsigned_abs()
                    {
                        self.clock_offset = obs;
                        self.skew_retry_used = true;
                        self.metrics.clock_corrections =
                            self.metrics.clock_corrections.saturating_add(1);
                        self.retry_at = None;
                        return;
                    }
                }
                // Not a skew we can fix (or fixed already): maybe an expired session
                // token, maybe a clock NTP will fix. Slow retries, never a loop.
                if self.cfg.auth_retries > 0 || self.creds_refresh_at.is_some() {
                    self.creds_refresh_at = Some(now);
                }
                self.backoff(now);
                let slow = now.saturating_add(self.cfg.auth_retry_delay);
                self.retry_at = Some(self.retry_at.map_or(slow, |r| r.max(slow)));
            }
            CallOutcome::ExpiredToken if !self.token_retry_used => {
                // Refresh and retry at once, once until something succeeds.
                self.token_retry_used = true;
                self.creds_refresh_at = Some(now);
                self.retry_at = None;
            }
            CallOutcome::AccessDenied
            | CallOutcome::InvalidSignature
            | CallOutcome::ExpiredToken => {
                self.auth_failures = self.auth_failures.saturating_add(1);
                if self.auth_failures > self.cfg.auth_retries {
                    self.fatal = Some(match outcome {
                        CallOutcome::AccessDenied => FatalReason::AccessDenied,
                        CallOutcome::ExpiredToken => FatalReason::ExpiredToken,
                        _ => FatalReason::InvalidSignature,
                    });
                    return;
                }
                self.creds_refresh_at = Some(now);
                let shift = u32::from(self.auth_failures - 1).min(16);
                let wait = self
                    .cfg
                    .auth_retry_delay
                    .saturating_mul(1 << shift)
                    .min(Duration::from_secs(3600));
                self.last_backoff = wait;
                self.retry_at = Some(now.saturating_add(wait));
            }
            CallOutcome::NotFound => {
                self.describe_until = None;
                self.endpoint_until = None;
                if call == Call::Describe {
                    self.permanent(now, FatalReason::ChannelNotFound);
                } else {
                    self.backoff(now);
                }
            }
            CallOutcome::InvalidArgument => self.permanent(now, FatalReason::InvalidArgument),
            _ => {
                if call == Call::Connect {
                    self.connect_failures = self.connect_failures.saturating_add(1);
                    if self.connect_failures >= 2 {
                        self.endpoint_until = None;
                    }
                }
                self.backoff(now);
            }
        }
    }

    fn permanent(&mut self, now: Duration, reason: FatalReason) {
        self.permanent_failures = self.permanent_failures.saturating_add(1);
        if self.permanent_failures >= self.cfg.permanent_failures_before_fatal {
            self.fatal = Some(reason);
        } else {
            self.backoff(now);
        }
    }

    /// Schedules the next try after a full-jitter exponential wait.
    fn backoff(&mut self, now: Duration) {
        self.last_failure = now;
        let ceiling = self
            .cfg
            .backoff_base
            .saturating_mul(1u32 << self.attempt.min(31))
            .min(self.cfg.backoff_cap);
        let ceiling_ns = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let r = self.next_random();
        let delay_ns = match ceiling_ns.checked_add(1) {
            Some(span) => r % span,
            None => r,
        };
        let delay = Duration::from_nanos(delay_ns);
        self.attempt = self.attempt.saturating_add(1).min(32);
        self.last_backoff = delay;
        self.retry_at = Some(now.saturating_add(delay));
    }

    /// SplitMix64: tiny, seedable, good enough to spread retries.
    fn next_random(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
