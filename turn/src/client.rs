//! The client state machine for one allocation.

use core::net::{IpAddr, SocketAddr};
use core::time::Duration;

use heapless::{Deque, String, Vec};
use rand_core::{CryptoRng, RngCore};
use rtcam_stun::{
    AddressFamily, Attribute, Class, Key, MacAlgorithm, Message, MessageBuilder, Method,
    PasswordAlgorithm, PasswordAlgorithms, Repr, Seal, TransactionId, code,
};

use crate::Error;
use crate::channel_data::{self, ChannelData, MAX_CHANNEL, MIN_CHANNEL};

/// How the client reaches the server. TLS is the driver's business: to this crate TLS
/// and TCP are the same byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// `turn:` over UDP: requests are retransmitted.
    Udp,
    /// `turn:?transport=tcp`.
    Tcp,
    /// `turns:` (TLS over TCP).
    Tls,
}

impl Transport {
    fn is_stream(self) -> bool {
        !matches!(self, Transport::Udp)
    }
}

/// Longest username or password the client stores (KVS usernames are ~100 bytes).
pub const MAX_CREDENTIAL: usize = 256;
/// Longest REALM the client stores.
pub const MAX_REALM: usize = 128;
/// Longest NONCE the client stores.
pub const MAX_NONCE: usize = 256;

/// RFC 8489 §6.2.1: first retransmission after 500 ms, doubling, 7 sends, then 16 × RTO.
const RTO: Duration = Duration::from_millis(500);
const MAX_SENDS: u8 = 7;
const LAST_WAIT_RTOS: u32 = 16;
/// Over TCP/TLS there are no retransmissions; the transaction times out after 39.5 s.
const STREAM_TIMEOUT: Duration = Duration::from_millis(39_500);
/// Permissions last 300 s and channels 600 s (RFC 8656 §9, §12); refresh one minute early.
const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
const CHANNEL_REFRESH: Duration = Duration::from_secs(540);
/// How many 438 / 401-after-nonce-change rounds a single request may take.
const MAX_AUTH_RETRIES: u8 = 3;
/// How many 300 redirects an allocation follows.
const MAX_REDIRECTS: u8 = 2;
/// Requests in flight at once; when full, due refreshes wait a second and try again.
const MAX_TRANSACTIONS: usize = 8;
/// Retry delay for a refresh that found the transaction table full.
const BUSY_RETRY: Duration = Duration::from_secs(1);
/// Room for one request: attributes plus integrity, fingerprint and long credentials.
pub const MAX_REQUEST_LEN: usize = 1400;

/// What the client is told to do.
#[derive(Debug, Clone, Copy)]
pub struct Config<'a> {
    /// The server's address (already resolved by the driver).
    pub server: SocketAddr,
    /// How the server is reached.
    pub transport: Transport,
    /// Long-term credential username (KVS: `<expiry>:<name>`).
    pub username: &'a str,
    /// Long-term credential password.
    pub password: &'a str,
    /// Family of the relayed address to ask for.
    pub family: AddressFamily,
    /// With `family` IPv4, also ask for an IPv6 relayed address (RFC 8656 dual allocation).
    pub dual_stack: bool,
    /// Requested allocation lifetime (the server may shorten it); 600 s is the default.
    pub lifetime: Duration,
}

impl<'a> Config<'a> {
    /// UDP, IPv4 relay, 600 s lifetime.
    pub fn new(server: SocketAddr, username: &'a str, password: &'a str) -> Config<'a> {
        Config {
            server,
            transport: Transport::Udp,
            username,
            password,
            family: AddressFamily::V4,
            dual_stack: false,
            lifetime: Duration::from_secs(600),
        }
    }
}

/// Why something failed, from the server's ERROR-CODE or from the client itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// No answer after all retransmissions.
    Timeout,
    /// 401 again after authenticating: the username or password is wrong.
    Unauthorized,
    /// 441: the credentials differ from those the allocation was made with.
    WrongCredentials,
    /// 403: the server refuses (for a permission: that peer address is not allowed).
    Forbidden,
    /// 437: an allocation already exists for this 5-tuple, or no longer exists.
    AllocationMismatch,
    /// 440: the requested address family is not supported.
    AddressFamilyNotSupported,
    /// 442: the server does not relay UDP.
    UnsupportedTransport,
    /// 443: the peer's family differs from the relayed address's.
    PeerAddressFamilyMismatch,
    /// 486: the user has too many allocations.
    QuotaReached,
    /// 508: the server is out of capacity.
    InsufficientCapacity,
    /// Too many 438s, 401s or redirects in a row.
    TooManyRetries,
    /// The server's REALM or NONCE is longer than this client stores.
    ChallengeTooLong,
    /// Any other error code.
    Other(u16),
}

impl Failure {
    fn from_code(code: u16) -> Failure {
        match code {
            code::UNAUTHENTICATED => Failure::Unauthorized,
            code::WRONG_CREDENTIALS => Failure::WrongCredentials,
            code::FORBIDDEN => Failure::Forbidden,
            code::ALLOCATION_MISMATCH => Failure::AllocationMismatch,
            code::ADDRESS_FAMILY_NOT_SUPPORTED => Failure::AddressFamilyNotSupported,
            code::UNSUPPORTED_TRANSPORT_PROTOCOL => Failure::UnsupportedTransport,
            code::PEER_ADDRESS_FAMILY_MISMATCH => Failure::PeerAddressFamilyMismatch,
            code::ALLOCATION_QUOTA_REACHED => Failure::QuotaReached,
            code::INSUFFICIENT_CAPACITY => Failure::InsufficientCapacity,
            other => Failure::Other(other),
        }
    }
}

/// What happened, for the ICE agent and the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The allocation exists: its relayed address(es), the server-reflexive address, and
    /// the lifetime the server granted.
    Allocated {
        /// The relayed transport address (the requested family).
        relayed: SocketAddr,
        /// The second relayed address of a dual-stack allocation.
        relayed_v6: Option<SocketAddr>,
        /// XOR-MAPPED-ADDRESS: how the server sees the client.
        mapped: Option<SocketAddr>,
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// The allocation could not be made, or was lost; nothing more will be sent.
    AllocationFailed(Failure),
    /// The server answered 300: the client now talks to `server` (a stream driver must
    /// connect there and feed the new stream).
    Redirected {
        /// The alternate server.
        server: SocketAddr,
    },
    /// A Refresh succeeded.
    Refreshed {
        /// Granted lifetime.
        lifetime: Duration,
    },
    /// A permission for this peer IP is installed.
    PermissionCreated(IpAddr),
    /// A permission request failed (e.g. 403 for that peer): only this peer is affected.
    PermissionFailed(IpAddr, Failure),
    /// A channel is bound: data to `peer` now goes as ChannelData.
    ChannelBound {
        /// The peer.
        peer: SocketAddr,
        /// The channel number.
        channel: u16,
    },
    /// A ChannelBind failed; data to the peer keeps using Send indications.
    ChannelFailed(SocketAddr, Failure),
    /// The allocation was released (LIFETIME 0 acknowledged, or it expired).
    Closed,
}

/// What an input turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// Application data relayed from `peer`, borrowed from the input (no copy).
    PeerData {
        /// Who sent it.
        peer: SocketAddr,
        /// The bytes.
        data: &'a [u8],
    },
    /// A response or indication the client consumed.
    Handled,
    /// Not for this client (unknown transaction, wrong source, unbound channel): dropped
    /// and counted in [`Stats`].
    Ignored,
}

/// One datagram or stream chunk to send to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Where: the TURN server.
    pub destination: SocketAddr,
    /// How many bytes of the caller's buffer to send.
    pub len: usize,
}

/// Counters for what was dropped and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Inputs that failed to parse.
    pub malformed: u32,
    /// Responses whose MESSAGE-INTEGRITY did not verify.
    pub integrity_failures: u32,
    /// Inputs not belonging to this client (wrong source, unknown transaction/channel).
    pub ignored: u32,
    /// Events dropped because the caller did not drain them.
    pub events_dropped: u32,
    /// Requests retransmitted.
    pub retransmissions: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Request {
    Allocate,
    Refresh { lifetime: u32 },
    CreatePermission { ip: IpAddr },
    ChannelBind { peer: SocketAddr, channel: u16 },
}

#[derive(Debug, Clone, Copy)]
struct Transaction {
    id: TransactionId,
    request: Request,
    /// When the request is (re)sent next; `None` once the last send went out.
    send_at: Option<Duration>,
    /// When the transaction gives up.
    deadline: Duration,
    sends: u8,
    auth_retries: u8,
    queued: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Idle,
    Allocating,
    Allocated { expires: Duration },
    Closing,
    Done,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Install {
    Pending,
    Active { refresh_at: Duration },
    Failed,
}

#[derive(Debug, Clone, Copy)]
struct Permission {
    ip: IpAddr,
    state: Install,
}

#[derive(Debug, Clone, Copy)]
struct Channel {
    peer: SocketAddr,
    number: u16,
    state: Install,
}

/// The long-term credential dance's state (RFC 8489 §9.2).
#[derive(Clone)]
struct Auth {
    username: String<MAX_CREDENTIAL>,
    password: String<MAX_CREDENTIAL>,
    realm: String<MAX_REALM>,
    nonce: String<MAX_NONCE>,
    algorithm: PasswordAlgorithm,
    /// The server's PASSWORD-ALGORITHMS, echoed back as RFC 8489 §9.2.4 requires.
    offered: Vec<PasswordAlgorithm, 4>,
    key: Option<Key<'static>>,
}

impl Auth {
    fn derive_key(&mut self) -> Result<(), Error> {
        self.key = Some(
            Key::long_term(self.algorithm, &self.username, &self.realm, &self.password)
                .map_err(|_| Error::BadCredential)?,
        );
        Ok(())
    }
}

fn copy_str<const N: usize>(s: &str) -> Option<String<N>> {
    let mut out = String::new();
    out.push_str(s).ok()?;
    Some(out)
}

/// A TURN client for one allocation (RFC 8656), sans-IO: time comes in as `now` (a
/// [`Duration`] since an epoch the driver picks), datagrams come in through
/// [`Client::handle_input`], requests go out through [`Client::poll_transmit`] into the
/// caller's buffer, and [`Client::poll_timeout`] says when to call
/// [`Client::handle_timeout`]. `PEERS` bounds the permission and channel tables.
pub struct Client<R, const PEERS: usize = 8> {
    rng: R,
    server: SocketAddr,
    transport: Transport,
    family: AddressFamily,
    dual_stack: bool,
    lifetime: u32,
    auth: Auth,
    state: State,
    relayed: Option<SocketAddr>,
    relayed_v6: Option<SocketAddr>,
    redirects: u8,
    refresh_at: Option<Duration>,
    transactions: Vec<Transaction, MAX_TRANSACTIONS>,
    permissions: Vec<Permission, PEERS>,
    channels: Vec<Channel, PEERS>,
    events: Deque<Event, 16>,
    stats: Stats,
}

impl<R: RngCore + CryptoRng, const PEERS: usize> Client<R, PEERS> {
    /// A client for `config`; nothing is sent until [`Client::allocate`].
    pub fn new(config: &Config<'_>, rng: R) -> Result<Client<R, PEERS>, Error> {
        let auth = Auth {
            username: copy_str(config.username).ok_or(Error::BadCredential)?,
            password: copy_str(config.password).ok_or(Error::BadCredential)?,
            realm: String::new(),
            nonce: String::new(),
            algorithm: PasswordAlgorithm::Md5,
            offered: Vec::new(),
            key: None,
        };
        Ok(Client {
            rng,
            server: config.server,
            transport: config.transport,
            family: config.family,
            dual_stack: config.dual_stack,
            lifetime: u32::try_from(config.lifetime.as_secs()).unwrap_or(u32::MAX),
            auth,
            state: State::Idle,
            relayed: None,
            relayed_v6: None,
            redirects: 0,
            refresh_at: None,
            transactions: Vec::new(),
            permissions: Vec::new(),
            channels: Vec::new(),
            events: Deque::new(),
            stats: Stats::default(),
        })
    }

    /// The server the client talks to (changes after a 300 redirect).
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// The relayed address, once allocated.
    pub fn relayed_address(&self) -> Option<SocketAddr> {
        self.relayed
    }

    /// True while the allocation exists.
    pub fn is_allocated(&self) -> bool {
        matches!(self.state, State::Allocated { .. })
    }

    /// Drop counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// Starts the allocation.
    pub fn allocate(&mut self, now: Duration) -> Result<(), Error> {
        if self.state != State::Idle {
            return Ok(());
        }
        self.state = State::Allocating;
        self.start(now, Request::Allocate, 0)
    }

    /// New credentials (KVS hands out fresh ones with each ICE server config). Traffic
    /// keeps flowing: Send indications and ChannelData carry no credentials, and the next
    /// request (a refresh at the latest) authenticates with the new ones.
    pub fn set_credentials(&mut self, username: &str, password: &str) -> Result<(), Error> {
        self.auth.username = copy_str(username).ok_or(Error::BadCredential)?;
        self.auth.password = copy_str(password).ok_or(Error::BadCredential)?;
        if !self.auth.realm.is_empty() {
            self.auth.derive_key()?;
        }
        Ok(())
    }

    /// Asks for a permission for `ip` (refreshed automatically until the client closes).
    pub fn create_permission(&mut self, now: Duration, ip: IpAddr) -> Result<(), Error> {
        self.require_allocation()?;
        if let Some(p) = self.permissions.iter_mut().find(|p| p.ip == ip) {
            if p.state == Install::Failed {
                p.state = Install::Pending;
                return self.start(now, Request::CreatePermission { ip }, 0);
            }
            return Ok(());
        }
        self.permissions
            .push(Permission {
                ip,
                state: Install::Pending,
            })
            .map_err(|_| Error::TableFull)?;
        self.start(now, Request::CreatePermission { ip }, 0)
    }

    /// Binds a channel to `peer` (which also installs its permission); until it is bound
    /// data goes as Send indications.
    pub fn bind_channel(&mut self, now: Duration, peer: SocketAddr) -> Result<u16, Error> {
        self.require_allocation()?;
        if let Some(c) = self.channels.iter().find(|c| c.peer == peer) {
            return Ok(c.number);
        }
        let number = (MIN_CHANNEL..=MAX_CHANNEL)
            .find(|n| !self.channels.iter().any(|c| c.number == *n))
            .ok_or(Error::NoChannel)?;
        self.channels
            .push(Channel {
                peer,
                number,
                state: Install::Pending,
            })
            .map_err(|_| Error::TableFull)?;
        self.start(
            now,
            Request::ChannelBind {
                peer,
                channel: number,
            },
            0,
        )?;
        Ok(number)
    }

    /// Refreshes the allocation now rather than a minute before it expires (after new
    /// credentials, say, to learn at once whether the server takes them).
    pub fn refresh(&mut self, now: Duration) -> Result<(), Error> {
        self.require_allocation()?;
        self.refresh_at = None;
        self.start(
            now,
            Request::Refresh {
                lifetime: self.lifetime,
            },
            0,
        )
    }

    /// Releases the allocation (Refresh with LIFETIME 0, RFC 8656 §8).
    pub fn close(&mut self, now: Duration) -> Result<(), Error> {
        match self.state {
            State::Allocated { .. } => {
                self.state = State::Closing;
                self.transactions.clear();
                self.start(now, Request::Refresh { lifetime: 0 }, 0)
            }
            State::Idle | State::Allocating => {
                self.finish(Event::Closed);
                Ok(())
            }
            State::Closing | State::Done => Ok(()),
        }
    }

    /// Wraps `data` for `peer` into `buf`: ChannelData when a channel is bound (padded on
    /// stream transports), a Send indication otherwise. Returns what to send.
    pub fn send_to(
        &mut self,
        peer: SocketAddr,
        data: &[u8],
        buf: &mut [u8],
    ) -> Result<Transmit, Error> {
        self.require_allocation()?;
        let len = if let Some(c) = self
            .channels
            .iter()
            .find(|c| c.peer == peer && matches!(c.state, Install::Active { .. }))
        {
            channel_data::encode(c.number, data, self.transport.is_stream(), buf)?
        } else {
            let permitted = self.permits(peer.ip());
            if !permitted {
                return Err(Error::NoPermission);
            }
            let id = TransactionId::random(&mut self.rng);
            let mut b =
                MessageBuilder::new(buf, Class::Indication, Method::SEND, id).map_err(map_build)?;
            b.add(&Attribute::XorPeerAddress(peer)).map_err(map_build)?;
            b.add(&Attribute::Data(data)).map_err(map_build)?;
            b.finish().len()
        };
        Ok(Transmit {
            destination: self.server,
            len,
        })
    }

    /// Feeds one datagram from `from` (UDP), or one frame cut from the stream with
    /// [`crate::frame_len`] (TCP/TLS).
    pub fn handle_input<'a>(
        &mut self,
        now: Duration,
        from: SocketAddr,
        input: &'a [u8],
    ) -> Received<'a> {
        if from != self.server {
            self.stats.ignored += 1;
            return Received::Ignored;
        }
        match input.first().map(|b| b >> 6) {
            Some(0b01) => self.handle_channel_data(input),
            Some(0b00) => match Message::new_checked(input) {
                Ok(msg) => self.handle_stun(now, &msg),
                Err(_) => self.malformed(),
            },
            _ => self.malformed(),
        }
    }

    fn malformed<'a>(&mut self) -> Received<'a> {
        self.stats.malformed += 1;
        Received::Ignored
    }

    fn handle_channel_data<'a>(&mut self, input: &'a [u8]) -> Received<'a> {
        let Ok(cd) = ChannelData::new_checked(input) else {
            return self.malformed();
        };
        let number = cd.channel();
        match self.channels.iter().find(|c| c.number == number) {
            Some(c) => Received::PeerData {
                peer: c.peer,
                data: cd.payload(),
            },
            None => {
                self.stats.ignored += 1;
                Received::Ignored
            }
        }
    }

    fn handle_stun<'a>(&mut self, now: Duration, msg: &Message<&'a [u8]>) -> Received<'a> {
        let Ok(repr) = Repr::parse(msg) else {
            return self.malformed();
        };
        if repr.class == Class::Indication {
            if repr.method != Method::DATA {
                self.stats.ignored += 1;
                return Received::Ignored;
            }
            return match (repr.attributes.xor_peer_address, repr.attributes.data) {
                (Some(peer), Some(data)) if self.permits(peer.ip()) => {
                    Received::PeerData { peer, data }
                }
                _ => {
                    self.stats.ignored += 1;
                    Received::Ignored
                }
            };
        }
        if repr.class == Class::Request {
            self.stats.ignored += 1;
            return Received::Ignored;
        }
        let Some(index) = self
            .transactions
            .iter()
            .position(|t| t.id == repr.transaction_id)
        else {
            self.stats.ignored += 1;
            return Received::Ignored;
        };
        let Some(txn) = self.transactions.get(index).copied() else {
            return Received::Ignored;
        };
        // A success must be authenticated once we have a key; an error response may come
        // without integrity (the 401/438 challenges always do), but if it carries one it
        // must verify.
        if let Some(key) = &self.auth.key {
            let must = repr.class == Class::Success;
            if (must || repr.has_integrity()) && repr.verify(key).is_err() {
                self.stats.integrity_failures += 1;
                return Received::Ignored;
            }
        }
        self.transactions.swap_remove(index);
        if repr.class == Class::Success {
            self.on_success(now, txn, &repr);
        } else {
            self.on_error(now, txn, &repr);
        }
        Received::Handled
    }

    /// A permission for `ip` is installed or on its way — directly, or through a channel
    /// (ChannelBind installs the permission too, RFC 8656 §12).
    fn permits(&self, ip: IpAddr) -> bool {
        self.permissions
            .iter()
            .any(|p| p.ip == ip && p.state != Install::Failed)
            || self
                .channels
                .iter()
                .any(|c| c.peer.ip() == ip && c.state != Install::Failed)
    }

    fn on_success(&mut self, now: Duration, txn: Transaction, repr: &Repr<'_>) {
        let a = &repr.attributes;
        match txn.request {
            Request::Allocate => {
                let Some(relayed) = a.xor_relayed_addresses.first().copied() else {
                    self.fail(Failure::Other(0));
                    return;
                };
                let lifetime = Duration::from_secs(u64::from(a.lifetime.unwrap_or(600)));
                self.relayed = Some(relayed);
                self.relayed_v6 = a.xor_relayed_addresses.get(1).copied();
                self.state = State::Allocated {
                    expires: now + lifetime,
                };
                self.refresh_at = Some(now + refresh_delay(lifetime));
                self.push_event(Event::Allocated {
                    relayed,
                    relayed_v6: self.relayed_v6,
                    mapped: a.xor_mapped_address,
                    lifetime,
                });
            }
            Request::Refresh { lifetime: 0 } => self.finish(Event::Closed),
            Request::Refresh { .. } => {
                let lifetime = Duration::from_secs(u64::from(a.lifetime.unwrap_or(self.lifetime)));
                if lifetime.is_zero() {
                    self.finish(Event::Closed);
                    return;
                }
                self.state = State::Allocated {
                    expires: now + lifetime,
                };
                self.refresh_at = Some(now + refresh_delay(lifetime));
                self.push_event(Event::Refreshed { lifetime });
            }
            Request::CreatePermission { ip } => {
                if let Some(p) = self.permissions.iter_mut().find(|p| p.ip == ip) {
                    let first = p.state == Install::Pending;
                    p.state = Install::Active {
                        refresh_at: now + PERMISSION_REFRESH,
                    };
                    if first {
                        self.push_event(Event::PermissionCreated(ip));
                    }
                }
            }
            Request::ChannelBind { peer, channel } => {
                if let Some(c) = self.channels.iter_mut().find(|c| c.number == channel) {
                    let first = c.state == Install::Pending;
                    c.state = Install::Active {
                        refresh_at: now + CHANNEL_REFRESH,
                    };
                    if first {
                        self.push_event(Event::ChannelBound { peer, channel });
                    }
                }
            }
        }
    }

    fn on_error(&mut self, now: Duration, txn: Transaction, repr: &Repr<'_>) {
        let a = &repr.attributes;
        let code = a.error_code.map_or(0, |e| e.code);
        let challenged = code == code::UNAUTHENTICATED || code == code::STALE_NONCE;
        // A 401 to a request that carried no credentials yet is the normal challenge; a
        // 438 asks for the request again with the new nonce.
        let first_challenge = code == code::UNAUTHENTICATED && self.auth.key.is_none();
        if challenged && (first_challenge || code == code::STALE_NONCE) {
            if txn.auth_retries >= MAX_AUTH_RETRIES {
                return self.request_failed(txn.request, Failure::TooManyRetries);
            }
            match self.take_challenge(repr) {
                Ok(()) => {
                    if self.start(now, txn.request, txn.auth_retries + 1).is_err() {
                        self.request_failed(txn.request, Failure::TooManyRetries);
                    }
                }
                Err(f) => self.request_failed(txn.request, f),
            }
            return;
        }
        if code == code::TRY_ALTERNATE && txn.request == Request::Allocate {
            match a.alternate_server {
                Some(server) if self.redirects < MAX_REDIRECTS => {
                    self.redirects += 1;
                    self.server = server;
                    self.auth.nonce.clear();
                    self.auth.realm.clear();
                    self.auth.key = None;
                    self.push_event(Event::Redirected { server });
                    if self.start(now, Request::Allocate, 0).is_err() {
                        self.fail(Failure::TooManyRetries);
                    }
                }
                _ => self.fail(Failure::TooManyRetries),
            }
            return;
        }
        self.request_failed(txn.request, Failure::from_code(code));
    }

    /// Takes REALM, NONCE and PASSWORD-ALGORITHMS from a 401/438 and derives the key.
    fn take_challenge(&mut self, repr: &Repr<'_>) -> Result<(), Failure> {
        let a = &repr.attributes;
        if let Some(realm) = a.realm {
            self.auth.realm = copy_str(realm).ok_or(Failure::ChallengeTooLong)?;
        }
        let nonce = a.nonce.ok_or(Failure::Other(code::UNAUTHENTICATED))?;
        self.auth.nonce = copy_str(nonce).ok_or(Failure::ChallengeTooLong)?;
        if self.auth.realm.is_empty() {
            return Err(Failure::Other(code::UNAUTHENTICATED));
        }
        if let Some(offered) = a.password_algorithms {
            self.auth.offered.clear();
            for alg in offered.iter() {
                let _ = self.auth.offered.push(alg);
            }
            // Prefer SHA-256 when offered (RFC 8489 §9.2.4), MD5 otherwise.
            self.auth.algorithm = if self.auth.offered.contains(&PasswordAlgorithm::Sha256) {
                PasswordAlgorithm::Sha256
            } else {
                PasswordAlgorithm::Md5
            };
        }
        self.auth.derive_key().map_err(|_| Failure::Unauthorized)
    }

    fn request_failed(&mut self, request: Request, failure: Failure) {
        match request {
            Request::Allocate => self.fail(failure),
            // A failed refresh means the allocation is gone (or soon will be).
            Request::Refresh { lifetime: 0 } => self.finish(Event::Closed),
            Request::Refresh { .. } => self.fail(failure),
            Request::CreatePermission { ip } => {
                if let Some(p) = self.permissions.iter_mut().find(|p| p.ip == ip) {
                    p.state = Install::Failed;
                }
                self.push_event(Event::PermissionFailed(ip, failure));
            }
            Request::ChannelBind { peer, channel } => {
                self.channels.retain(|c| c.number != channel);
                self.push_event(Event::ChannelFailed(peer, failure));
            }
        }
    }

    fn fail(&mut self, failure: Failure) {
        self.finish(Event::AllocationFailed(failure));
    }

    fn finish(&mut self, event: Event) {
        self.state = State::Done;
        self.transactions.clear();
        self.refresh_at = None;
        self.relayed = None;
        self.push_event(event);
    }

    fn push_event(&mut self, event: Event) {
        if self.events.push_back(event).is_err() {
            self.stats.events_dropped += 1;
        }
    }

    fn require_allocation(&self) -> Result<(), Error> {
        match self.state {
            State::Allocated { .. } => Ok(()),
            _ => Err(Error::NotAllocated),
        }
    }

    /// Queues a new transaction for `request` (a fresh transaction id).
    fn start(&mut self, now: Duration, request: Request, auth_retries: u8) -> Result<(), Error> {
        // One transaction per purpose: a newer request replaces an older one.
        self.transactions.retain(|t| t.request != request);
        let deadline = if self.transport.is_stream() {
            now + STREAM_TIMEOUT
        } else {
            now + RTO * ((1u32 << (MAX_SENDS - 1)) - 1) + RTO * LAST_WAIT_RTOS
        };
        self.transactions
            .push(Transaction {
                id: TransactionId::random(&mut self.rng),
                request,
                send_at: Some(now),
                deadline,
                sends: 0,
                auth_retries,
                queued: true,
            })
            .map_err(|_| Error::TableFull)
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Writes the next request due at `now` into `buf`. Call until `None`.
    pub fn poll_transmit(
        &mut self,
        now: Duration,
        buf: &mut [u8],
    ) -> Result<Option<Transmit>, Error> {
        let Some(index) = self.transactions.iter().position(|t| t.queued) else {
            return Ok(None);
        };
        let Some(txn) = self.transactions.get(index).copied() else {
            return Ok(None);
        };
        let len = self.encode(&txn, buf)?;
        let stream = self.transport.is_stream();
        if let Some(t) = self.transactions.get_mut(index) {
            t.queued = false;
            t.sends += 1;
            t.send_at = if stream || t.sends >= MAX_SENDS {
                None
            } else {
                Some(now + RTO * (1u32 << (t.sends - 1)))
            };
        }
        Ok(Some(Transmit {
            destination: self.server,
            len,
        }))
    }

    fn encode(&self, txn: &Transaction, buf: &mut [u8]) -> Result<usize, Error> {
        let method = match txn.request {
            Request::Allocate => Method::ALLOCATE,
            Request::Refresh { .. } => Method::REFRESH,
            Request::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Request::ChannelBind { .. } => Method::CHANNEL_BIND,
        };
        let mut b = MessageBuilder::new(buf, Class::Request, method, txn.id).map_err(map_build)?;
        match txn.request {
            Request::Allocate => {
                b.add(&Attribute::RequestedTransport(17))
                    .map_err(map_build)?;
                if self.family == AddressFamily::V6 {
                    b.add(&Attribute::RequestedAddressFamily(AddressFamily::V6))
                        .map_err(map_build)?;
                } else if self.dual_stack {
                    b.add(&Attribute::AdditionalAddressFamily(AddressFamily::V6))
                        .map_err(map_build)?;
                }
                b.add(&Attribute::Lifetime(self.lifetime))
                    .map_err(map_build)?;
            }
            Request::Refresh { lifetime } => {
                b.add(&Attribute::Lifetime(lifetime)).map_err(map_build)?;
            }
            Request::CreatePermission { ip } => {
                b.add(&Attribute::XorPeerAddress(SocketAddr::new(ip, 0)))
                    .map_err(map_build)?;
            }
            Request::ChannelBind { peer, channel } => {
                b.add(&Attribute::ChannelNumber(channel))
                    .map_err(map_build)?;
                b.add(&Attribute::XorPeerAddress(peer)).map_err(map_build)?;
            }
        }
        let Some(key) = &self.auth.key else {
            return Ok(b.seal(Seal::FINGERPRINT).map_err(map_build)?.len());
        };
        b.add(&Attribute::Username(&self.auth.username))
            .map_err(map_build)?;
        b.add(&Attribute::Realm(&self.auth.realm))
            .map_err(map_build)?;
        b.add(&Attribute::Nonce(&self.auth.nonce))
            .map_err(map_build)?;
        if !self.auth.offered.is_empty() {
            let mut scratch = [0u8; 16];
            let offered =
                PasswordAlgorithms::build(&self.auth.offered, &mut scratch).map_err(map_build)?;
            b.add(&Attribute::PasswordAlgorithms(offered))
                .map_err(map_build)?;
            b.add(&Attribute::PasswordAlgorithm(self.auth.algorithm))
                .map_err(map_build)?;
        }
        let mac = if self.auth.algorithm == PasswordAlgorithm::Sha256 {
            MacAlgorithm::Both
        } else {
            MacAlgorithm::Sha1
        };
        let seal = Seal {
            integrity: Some((key, mac)),
            fingerprint: true,
        };
        Ok(b.seal(seal).map_err(map_build)?.len())
    }

    /// When to call [`Client::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let txns = self
            .transactions
            .iter()
            .map(|t| t.send_at.unwrap_or(t.deadline).min(t.deadline));
        let perms = self.permissions.iter().filter_map(|p| match p.state {
            Install::Active { refresh_at } => Some(refresh_at),
            _ => None,
        });
        let chans = self.channels.iter().filter_map(|c| match c.state {
            Install::Active { refresh_at } => Some(refresh_at),
            _ => None,
        });
        let expiry = match self.state {
            State::Allocated { expires } => Some(expires),
            _ => None,
        };
        txns.chain(perms)
            .chain(chans)
            .chain(self.refresh_at)
            .chain(expiry)
            .min()
    }

    /// Retransmits, times out transactions, and starts refreshes that are due.
    pub fn handle_timeout(&mut self, now: Duration) {
        let mut expired: Vec<Request, MAX_TRANSACTIONS> = Vec::new();
        for t in self.transactions.iter_mut() {
            if now >= t.deadline {
                let _ = expired.push(t.request);
            } else if let Some(at) = t.send_at {
                if now >= at && !t.queued {
                    t.queued = true;
                    self.stats.retransmissions += 1;
                }
            }
        }
        for request in expired {
            self.transactions.retain(|t| t.request != request);
            self.request_failed(request, Failure::Timeout);
        }
        let State::Allocated { expires } = self.state else {
            return;
        };
        if now >= expires {
            self.finish(Event::Closed);
            return;
        }
        if self.refresh_at.is_some_and(|at| now >= at) && self.refresh(now).is_err() {
            self.refresh_at = Some(now + BUSY_RETRY);
        }
        // Permission and channel refreshes that are due. They stay usable while the
        // refresh is in flight (they last 5 and 10 minutes); a refresh that finds the
        // transaction table full is tried again a second later.
        for i in 0..self.permissions.len() {
            let Some(p) = self.permissions.get(i).copied() else {
                break;
            };
            let Install::Active { refresh_at } = p.state else {
                continue;
            };
            if now >= refresh_at {
                let next = match self.start(now, Request::CreatePermission { ip: p.ip }, 0) {
                    Ok(()) => now + PERMISSION_REFRESH,
                    Err(_) => now + BUSY_RETRY,
                };
                if let Some(p) = self.permissions.get_mut(i) {
                    p.state = Install::Active { refresh_at: next };
                }
            }
        }
        for i in 0..self.channels.len() {
            let Some(c) = self.channels.get(i).copied() else {
                break;
            };
            let Install::Active { refresh_at } = c.state else {
                continue;
            };
            if now >= refresh_at {
                let request = Request::ChannelBind {
                    peer: c.peer,
                    channel: c.number,
                };
                let next = match self.start(now, request, 0) {
                    Ok(()) => now + CHANNEL_REFRESH,
                    Err(_) => now + BUSY_RETRY,
                };
                if let Some(c) = self.channels.get_mut(i) {
                    c.state = Install::Active { refresh_at: next };
                }
            }
        }
    }
}

/// Refresh a minute before expiry, or halfway through a short lifetime.
fn refresh_delay(lifetime: Duration) -> Duration {
    let minute = Duration::from_secs(60);
    if lifetime > minute * 2 {
        lifetime - minute
    } else {
        lifetime / 2
    }
}

fn map_build(e: rtcam_stun::Error) -> Error {
    match e {
        rtcam_stun::Error::BufferTooSmall => Error::BufferTooSmall,
        rtcam_stun::Error::ValueOutOfRange => Error::TooLarge,
        other => Error::Stun(other),
    }
}
