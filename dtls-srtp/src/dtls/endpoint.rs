//! The DTLS 1.2 handshake engine (RFC 6347, RFC 5246, RFC 5764), client and server, sans-IO.
//!
//! One [`Endpoint`] is one DTLS association with one peer. Datagrams come in through
//! [`Endpoint::handle_input`] (application data comes back borrowed from the caller's
//! datagram, decrypted in place), datagrams go out through [`Endpoint::poll_transmit`] into
//! a caller buffer, [`Endpoint::poll_timeout`] says when to call
//! [`Endpoint::handle_timeout`], and [`Endpoint::poll_event`] reports
//! [`Event::Connected`] (with the SRTP keying material), [`Event::Closed`] and
//! [`Event::Failed`]. Time is a [`Duration`] since an epoch the driver picks; randomness is
//! injected.
//!
//! Flights are kept whole (unfragmented, as the transcript sees them) and cut into records
//! of at most the configured MTU each time they are sent, so a retransmission gets fresh
//! record sequence numbers (RFC 6347 §4.2.4) and the same fragmentation.
//!
//! Security rules: the peer's certificate must match the pinned fingerprint before its key
//! is used; after the handshake only records that authenticate under epoch 1 and pass the
//! replay window are accepted; epoch-0 records are then only used to notice a peer that
//! retransmits its last flight.

use core::fmt;
use core::time::Duration;

use hmac::{Hmac, Mac};
use p256::ecdh::EphemeralSecret;
use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use rand_core::CryptoRngCore;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::dtls::Error;
use crate::dtls::cert::{
    self, Certificate as X509, Fingerprint, HashAlgorithm, PublicKey, SignatureScheme as Scheme,
};
use crate::dtls::config::{Config, Role};
use crate::dtls::prf::{
    self, HashValue, MasterSecret, PrfHash, Side, TranscriptHash, VERIFY_DATA_LEN,
};
use crate::dtls::reassembly::{Inserted, Message, Reassembler};
use crate::dtls::record_crypto::{Aead, OVERHEAD, PLAINTEXT_OFFSET, RecordProtection, TAG_LEN};
use crate::dtls::replay::ReplayWindow;
use crate::dtls::wire::{
    Alert, AlertDescription, AlertLevel, CHANGE_CIPHER_SPEC, Certificate, CertificateList,
    CertificateRequest, CertificateVerify, CipherSuite, ClientHello, ClientKeyExchange,
    ContentType, DigitallySigned, Finished, HANDSHAKE_HEADER_LEN, Handshake, HandshakeFragment,
    HandshakeFragments, HandshakeHeader, HandshakeType, HelloExtensions, HelloVerifyRequest,
    MAX_SEQUENCE, NAMED_CURVE, NamedGroup, ProtocolVersion, RANDOM_LEN, RECORD_HEADER_LEN,
    RawExtensions, RecordHeader, RecordsMut, ServerHello, ServerKeyExchange, SignatureScheme,
    U16List, UseSrtp, parse_change_cipher_spec,
};
use crate::srtp::Profile;

/// Longest DTLS-SRTP keying material (AEAD_AES_256_GCM: 2 × (32 + 12) bytes).
pub const MAX_KEYING_MATERIAL_LEN: usize = 88;
/// Largest peer certificate we keep (an RSA-4096 self-signed certificate is ~1.4 KiB).
pub const MAX_PEER_CERT_LEN: usize = 2048;
/// Most application-data records one datagram may deliver; more are dropped and counted.
pub const MAX_RECORDS_PER_DATAGRAM: usize = 8;
/// Room for our own flight, kept whole for retransmission (our largest is ~700 bytes).
const FLIGHT_BUF: usize = 2048;
/// Room to reassemble the peer's flight (Chromium's ClientHello is 1413 bytes, an RSA
/// server flight 1.5–3 KiB).
const REASSEMBLY_BUF: usize = 4096;
/// A record of the next epoch that arrived before the ChangeCipherSpec (Finished: 61 bytes).
const FUTURE_RECORD_BUF: usize = 256;
/// HelloVerifyRequests a client follows before giving up.
const MAX_HELLO_VERIFY: u8 = 4;
/// Largest application data record plaintext (RFC 5246 §6.2.1).
const MAX_PLAINTEXT: usize = 1 << 14;
/// ecdsa_sign (RFC 8422 §5.5).
const ECDSA_SIGN: u8 = 64;
/// rsa_sign (RFC 5246 §7.4.4).
const RSA_SIGN: u8 = 1;

/// What we accept in a ServerKeyExchange (its signature is checked over the whole message,
/// so any hash works).
const CLIENT_SIG_ALGS: [u16; 9] = [
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0603, 0x0806, 0x0601,
];
/// What we accept in a client's CertificateVerify: only SHA-256/384, the two transcript
/// hashes we keep.
const SERVER_SIG_ALGS: [u16; 6] = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501];
/// ecdsa_secp256r1_sha256: what we sign with.
const OUR_SCHEME: u16 = 0x0403;
/// Uncompressed SEC1 P-256 point length.
const P256_POINT_LEN: usize = 65;

/// The SRTP master keys and salts both sides derived (RFC 5764 §4.2: client key, server
/// key, client salt, server salt). Hand [`KeyingMaterial::as_bytes`] to
/// [`crate::srtp::split_keying_material`]. Debug never prints it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct KeyingMaterial {
    bytes: [u8; MAX_KEYING_MATERIAL_LEN],
    len: usize,
}

impl KeyingMaterial {
    /// The exporter output, `2 × (key + salt)` bytes for the negotiated profile.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&self.bytes)
    }
}

impl fmt::Debug for KeyingMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyingMaterial({} bytes, redacted)", self.len)
    }
}

/// The handshake's outcome: everything SRTP setup and the stats page need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Connected {
    /// The negotiated SRTP protection profile.
    pub srtp_profile: Profile,
    /// The "EXTRACTOR-dtls_srtp" exporter output for that profile.
    pub keying_material: KeyingMaterial,
    /// SHA-256 of the peer's certificate (it matched the pinned fingerprint).
    pub peer_certificate_fingerprint: Fingerprint,
    /// The negotiated cipher suite.
    pub cipher_suite: CipherSuite,
    /// Whether RFC 7627's extended master secret was used.
    pub extended_master_secret: bool,
}

/// What happened, for the driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The handshake completed; application data can flow and SRTP can start.
    Connected(Connected),
    /// The peer sent close_notify (we answered with ours); nothing more flows.
    Closed,
    /// The association failed (a fatal alert was sent to the peer when that makes sense).
    Failed(Error),
}

/// Application data a datagram carried: up to [`MAX_RECORDS_PER_DATAGRAM`] plaintexts,
/// one per record, decrypted in place inside the caller's datagram.
#[derive(Debug, Default)]
pub struct Received<'a> {
    records: heapless::Vec<&'a [u8], MAX_RECORDS_PER_DATAGRAM>,
}

impl<'a> Received<'a> {
    /// The plaintexts, in record order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        self.records.iter().copied()
    }

    /// True if the datagram carried no application data.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Number of application data records.
    pub fn len(&self) -> usize {
        self.records.len()
    }
}

impl<'a, 'r> IntoIterator for &'r Received<'a> {
    type Item = &'r &'a [u8];
    type IntoIter = core::slice::Iter<'r, &'a [u8]>;

    fn into_iter(self) -> Self::IntoIter {
        self.records.iter()
    }
}

/// Counters for what was dropped and why.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Records whose framing, or handshake fragments whose encoding, was broken.
    pub malformed: u32,
    /// Protected records that did not authenticate (tampered or garbage): dropped.
    pub auth_failures: u32,
    /// Protected records refused by the replay window.
    pub replayed: u32,
    /// Records of an epoch or content type the current state does not take.
    pub unexpected: u32,
    /// Flights we retransmitted (timeout or peer retransmission).
    pub retransmissions: u32,
    /// Application data records beyond [`MAX_RECORDS_PER_DATAGRAM`] in one datagram.
    pub app_records_dropped: u32,
    /// Events lost because the caller did not drain them.
    pub events_dropped: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Client: ClientHello sent; HelloVerifyRequest or ServerHello next.
    ClientHello,
    /// Client: server Certificate next.
    ClientCertificate,
    /// Client: ServerKeyExchange next.
    ClientKeyExchange,
    /// Client: CertificateRequest or ServerHelloDone next.
    ClientHelloDone,
    /// Client: our last flight sent; server ChangeCipherSpec and Finished next.
    ClientFinished,
    /// Server: waiting for a (cookie-verified) ClientHello.
    ServerHello,
    /// Server: our flight sent; client Certificate next.
    ServerCertificate,
    /// Server: ClientKeyExchange next.
    ServerKeyExchange,
    /// Server: CertificateVerify next.
    ServerVerify,
    /// Server: client ChangeCipherSpec and Finished next.
    ServerFinished,
    Connected,
    Closed,
    Failed,
}

impl State {
    fn handshaking(self) -> bool {
        !matches!(self, State::Connected | State::Closed | State::Failed)
    }

    fn terminal(self) -> bool {
        matches!(self, State::Closed | State::Failed)
    }
}

#[derive(Debug, Clone, Copy)]
enum Item {
    Handshake {
        start: usize,
        len: usize,
        epoch: u16,
    },
    Ccs,
}

/// Our last flight, kept whole.
struct Flight {
    buf: [u8; FLIGHT_BUF],
    used: usize,
    items: heapless::Vec<Item, 6>,
}

impl Flight {
    fn clear(&mut self) {
        self.used = 0;
        self.items.clear();
    }

    /// Appends an unfragmented message; returns its bytes (for the transcript).
    fn push(&mut self, msg: &Handshake<'_>, seq: u16, epoch: u16) -> Result<&[u8], Error> {
        let start = self.used;
        let dst = self.buf.get_mut(start..).ok_or(Error::MessageTooLarge)?;
        let len = msg.emit(seq, dst).map_err(|_| Error::MessageTooLarge)?;
        self.items
            .push(Item::Handshake { start, len, epoch })
            .map_err(|_| Error::MessageTooLarge)?;
        self.used = start + len;
        self.buf
            .get(start..start + len)
            .ok_or(Error::MessageTooLarge)
    }

    fn push_ccs(&mut self) -> Result<(), Error> {
        self.items
            .push(Item::Ccs)
            .map_err(|_| Error::MessageTooLarge)
    }
}

#[derive(Debug, Clone, Copy)]
struct Cursor {
    item: usize,
    offset: usize,
}

const START: Cursor = Cursor { item: 0, offset: 0 };

/// Record sequence numbers and write keys.
struct RecordWriter {
    seq: [u64; 2],
    prot: Option<RecordProtection>,
}

impl RecordWriter {
    /// Finishes a record whose plaintext (`plain_len` bytes) sits at
    /// [`plain_offset`]`(epoch)` in `rec`: header, and protection at epoch 1.
    fn finish(
        &mut self,
        rec: &mut [u8],
        content_type: ContentType,
        epoch: u16,
        plain_len: usize,
    ) -> Result<usize, Error> {
        let slot = self
            .seq
            .get_mut(usize::from(epoch))
            .ok_or(Error::BadValue)?;
        if *slot > MAX_SEQUENCE {
            return Err(Error::Closed);
        }
        let header = RecordHeader {
            content_type,
            version: ProtocolVersion::DTLS1_2,
            epoch,
            sequence: *slot,
            length: u16::try_from(plain_len).map_err(|_| Error::TooLong)?,
        };
        let n = if epoch == 0 {
            header.emit(rec)?;
            RECORD_HEADER_LEN + plain_len
        } else {
            self.prot
                .as_ref()
                .ok_or(Error::NotConnected)?
                .seal(&header, rec, plain_len)?
        };
        *slot += 1;
        Ok(n)
    }
}

const fn plain_offset(epoch: u16) -> usize {
    if epoch == 0 {
        RECORD_HEADER_LEN
    } else {
        PLAINTEXT_OFFSET
    }
}

const fn record_overhead(epoch: u16) -> usize {
    if epoch == 0 {
        RECORD_HEADER_LEN
    } else {
        RECORD_HEADER_LEN + OVERHEAD
    }
}

/// SHA-256 and SHA-384 transcripts side by side: the PRF needs the suite's hash, a
/// CertificateVerify the signature scheme's, and the suite is unknown when hashing starts.
#[derive(Clone)]
struct Transcript {
    t256: TranscriptHash,
    t384: TranscriptHash,
}

impl Transcript {
    fn new() -> Self {
        Transcript {
            t256: TranscriptHash::new(PrfHash::Sha256),
            t384: TranscriptHash::new(PrfHash::Sha384),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        self.t256.update(bytes);
        self.t384.update(bytes);
    }

    fn current(&self, hash: PrfHash) -> HashValue {
        match hash {
            PrfHash::Sha256 => self.t256.current(),
            PrfHash::Sha384 => self.t384.current(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct PendingHvr {
    record_seq: u64,
    message_seq: u16,
    cookie: [u8; 32],
}

/// Everything but the reassembler (so a message borrowed from it can be processed).
struct Core<R> {
    rng: R,
    cfg: Config,
    state: State,
    deadline: Duration,
    client_random: [u8; RANDOM_LEN],
    server_random: [u8; RANDOM_LEN],
    /// Client: the cookie to echo. Server: unused.
    cookie: heapless::Vec<u8, 255>,
    cookie_secret: [u8; 32],
    hello_verifies: u8,
    suite: CipherSuite,
    aead: Aead,
    prf: PrfHash,
    profile: Option<Profile>,
    ems: bool,
    cert_requested: bool,
    transcript: Transcript,
    /// Server: our ephemeral key until the ClientKeyExchange.
    ecdh: Option<EphemeralSecret>,
    /// Client: the ECDHE shared secret, computed at ServerKeyExchange.
    pre_master: Option<[u8; 32]>,
    /// Client: our ephemeral public point for the ClientKeyExchange.
    our_point: [u8; P256_POINT_LEN],
    peer_cert: [u8; MAX_PEER_CERT_LEN],
    peer_cert_len: usize,
    master: Option<MasterSecret>,
    /// Server: our write keys, installed when we send our ChangeCipherSpec.
    pending_write: Option<RecordProtection>,
    read_prot: Option<RecordProtection>,
    read_epoch: u16,
    replay: ReplayWindow,
    future: Option<(RecordHeader, heapless::Vec<u8, FUTURE_RECORD_BUF>)>,
    wr: RecordWriter,
    send_seq: u16,
    /// First message_seq of the peer flight our current flight answers: seeing it again
    /// means the peer lost our flight.
    peer_flight_first: Option<u16>,
    flight: Flight,
    tx: Option<Cursor>,
    rto: Duration,
    retransmit_at: Option<Duration>,
    pending_alert: Option<(Alert, u16)>,
    pending_hvr: Option<PendingHvr>,
    last_record_seq: u64,
    events: heapless::Deque<Event, 4>,
    stats: Stats,
}

/// A DTLS 1.2 endpoint for DTLS-SRTP: one handshake (client or server) and then the
/// protected application-data channel SCTP rides on.
///
/// About 11 KiB, all inline: flight and reassembly buffers, the peer certificate, two
/// AES-GCM key schedules. No allocation, no panics on any input.
pub struct Endpoint<R> {
    reasm: Reassembler<REASSEMBLY_BUF, 8, 8>,
    core: Core<R>,
}

impl<R> fmt::Debug for Endpoint<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Endpoint")
            .field("role", &self.core.cfg.role)
            .field("state", &self.core.state)
            .field("stats", &self.core.stats)
            .finish_non_exhaustive()
    }
}

impl<R: CryptoRngCore> Endpoint<R> {
    /// A new endpoint. A client queues its ClientHello at once (drain
    /// [`Endpoint::poll_transmit`]); a server waits for one. The handshake must finish by
    /// `now + config.handshake_timeout`.
    pub fn new(config: Config, rng: R, now: Duration) -> Result<Self, Error> {
        config.validate()?;
        let deadline = now.saturating_add(config.handshake_timeout);
        let rto = config.initial_rto;
        let role = config.role;
        let mut core = Core {
            rng,
            cfg: config,
            state: match role {
                Role::Client => State::ClientHello,
                Role::Server => State::ServerHello,
            },
            deadline,
            client_random: [0; RANDOM_LEN],
            server_random: [0; RANDOM_LEN],
            cookie: heapless::Vec::new(),
            cookie_secret: [0; 32],
            hello_verifies: 0,
            suite: CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256,
            aead: Aead::Aes128Gcm,
            prf: PrfHash::Sha256,
            profile: None,
            ems: false,
            cert_requested: false,
            transcript: Transcript::new(),
            ecdh: None,
            pre_master: None,
            our_point: [0; P256_POINT_LEN],
            peer_cert: [0; MAX_PEER_CERT_LEN],
            peer_cert_len: 0,
            master: None,
            pending_write: None,
            read_prot: None,
            read_epoch: 0,
            replay: ReplayWindow::new(0),
            future: None,
            wr: RecordWriter {
                seq: [0; 2],
                prot: None,
            },
            send_seq: 0,
            peer_flight_first: None,
            flight: Flight {
                buf: [0; FLIGHT_BUF],
                used: 0,
                items: heapless::Vec::new(),
            },
            tx: None,
            rto,
            retransmit_at: None,
            pending_alert: None,
            pending_hvr: None,
            last_record_seq: 0,
            events: heapless::Deque::new(),
            stats: Stats::default(),
        };
        match role {
            Role::Client => {
                core.rng
                    .try_fill_bytes(&mut core.client_random)
                    .map_err(|_| Error::Rng)?;
                core.send_client_hello()?;
            }
            Role::Server => {
                core.rng
                    .try_fill_bytes(&mut core.cookie_secret)
                    .map_err(|_| Error::Rng)?;
            }
        }
        Ok(Endpoint {
            reasm: Reassembler::new(0),
            core,
        })
    }

    /// Our role.
    pub fn role(&self) -> Role {
        self.core.cfg.role
    }

    /// True once the handshake completed (and until close or failure).
    pub fn is_connected(&self) -> bool {
        self.core.state == State::Connected
    }

    /// True after close_notify either way or a failure: the endpoint is done.
    pub fn is_closed(&self) -> bool {
        self.core.state.terminal()
    }

    /// Drop counters.
    pub fn stats(&self) -> Stats {
        self.core.stats
    }

    /// The negotiated SRTP profile, once known.
    pub fn srtp_profile(&self) -> Option<Profile> {
        self.core.profile
    }

    /// The peer's DER certificate, once received (it matched the pinned fingerprint).
    pub fn peer_certificate(&self) -> Option<&[u8]> {
        self.core
            .peer_cert
            .get(..self.core.peer_cert_len)
            .filter(|c| !c.is_empty())
    }

    /// The RFC 5705 exporter for other labels (after the handshake).
    pub fn export_keying_material(
        &self,
        label: &[u8],
        context: Option<&[u8]>,
        out: &mut [u8],
    ) -> Result<(), Error> {
        if self.core.state != State::Connected {
            return Err(Error::NotConnected);
        }
        let master = self.core.master.as_ref().ok_or(Error::NotConnected)?;
        prf::export_keying_material(
            self.core.prf,
            master,
            label,
            &self.core.client_random,
            &self.core.server_random,
            context,
            out,
        )
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.core.events.pop_front()
    }

    /// When to call [`Endpoint::handle_timeout`] next: a retransmission or the handshake
    /// deadline.
    pub fn poll_timeout(&self) -> Option<Duration> {
        let c = &self.core;
        if !c.state.handshaking() {
            return None;
        }
        Some(c.retransmit_at.map_or(c.deadline, |t| t.min(c.deadline)))
    }

    /// Retransmits the last flight when its timer expired (doubling the timeout up to the
    /// cap) and fails the handshake at its deadline.
    pub fn handle_timeout(&mut self, now: Duration) {
        let c = &mut self.core;
        if !c.state.handshaking() {
            return;
        }
        if now >= c.deadline {
            c.fail(Error::HandshakeTimeout);
            return;
        }
        if let Some(at) = c.retransmit_at {
            if now >= at {
                c.retransmit_at = None;
                c.rto = c.rto.saturating_mul(2).min(c.cfg.max_rto);
                if c.tx.is_none() && !c.flight.items.is_empty() {
                    c.tx = Some(START);
                    c.stats.retransmissions += 1;
                }
            }
        }
    }

    /// Sends close_notify and closes. Further input is ignored.
    pub fn close(&mut self) {
        let c = &mut self.core;
        if c.state.terminal() {
            return;
        }
        c.queue_alert(Alert::CLOSE_NOTIFY);
        c.state = State::Closed;
        c.tx = None;
        c.retransmit_at = None;
    }

    /// Protects `data` as one application-data record written into `out`; returns the
    /// datagram length. Needs an established connection.
    pub fn send(&mut self, data: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let c = &mut self.core;
        match c.state {
            State::Connected => {}
            State::Closed | State::Failed => return Err(Error::Closed),
            _ => return Err(Error::NotConnected),
        }
        if data.len() > MAX_PLAINTEXT {
            return Err(Error::TooLong);
        }
        let total = PLAINTEXT_OFFSET + data.len() + TAG_LEN;
        let rec = out.get_mut(..total).ok_or(Error::BufferTooSmall)?;
        rec.get_mut(PLAINTEXT_OFFSET..PLAINTEXT_OFFSET + data.len())
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(data);
        c.wr.finish(rec, ContentType::APPLICATION_DATA, 1, data.len())
    }

    /// Writes the next datagram to send into `buf` (at most the configured MTU); call until
    /// `Ok(None)`. Errors: `buf` (or the MTU) too small for a record.
    pub fn poll_transmit(&mut self, now: Duration, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        let limit = buf.len().min(self.core.cfg.mtu);
        let buf = buf.get_mut(..limit).ok_or(Error::BufferTooSmall)?;
        let c = &mut self.core;
        if let Some(hvr) = c.pending_hvr.take() {
            return c.emit_hvr(&hvr, buf).map(Some);
        }
        if let Some((alert, epoch)) = c.pending_alert.take() {
            let off = plain_offset(epoch);
            buf.get_mut(off..off + 2)
                .ok_or(Error::BufferTooSmall)?
                .copy_from_slice(&alert.to_bytes());
            return c.wr.finish(buf, ContentType::ALERT, epoch, 2).map(Some);
        }
        c.emit_flight(now, buf)
    }

    /// Feeds one received datagram. Handshake records advance the handshake (drain
    /// [`Endpoint::poll_transmit`] and [`Endpoint::poll_event`] afterwards); application
    /// data comes back decrypted in place, borrowed from `datagram`. Anything that does not
    /// parse, authenticate or fit the state is dropped and counted in [`Stats`].
    pub fn handle_input<'a>(&mut self, now: Duration, datagram: &'a mut [u8]) -> Received<'a> {
        let mut out = Received::default();
        for rec in RecordsMut::new(datagram) {
            if self.core.state.terminal() {
                break;
            }
            match rec {
                Ok((header, fragment)) => self.record(now, header, fragment, &mut out),
                Err(_) => {
                    self.core.stats.malformed += 1;
                    break;
                }
            }
        }
        out
    }

    fn record<'a>(
        &mut self,
        now: Duration,
        header: RecordHeader,
        fragment: &'a mut [u8],
        out: &mut Received<'a>,
    ) {
        let c = &mut self.core;
        match header.epoch {
            0 => {
                c.last_record_seq = header.sequence;
                if c.read_epoch != 0 {
                    // Stale plaintext: only a retransmitted handshake flight means anything.
                    if header.content_type == ContentType::HANDSHAKE {
                        self.handshake_record(now, fragment, false);
                    } else {
                        c.stats.unexpected += 1;
                    }
                    return;
                }
                self.plaintext(now, header, fragment, out);
            }
            1 if c.read_epoch == 1 => {
                let Some(prot) = &c.read_prot else {
                    c.stats.unexpected += 1;
                    return;
                };
                if !c.replay.check(1, header.sequence) {
                    c.stats.replayed += 1;
                    return;
                }
                match prot.open(&header, fragment) {
                    Ok(plain) => {
                        c.replay.accept(1, header.sequence);
                        self.plaintext(now, header, plain, out);
                    }
                    Err(_) => c.stats.auth_failures += 1,
                }
            }
            1 if c.future.is_none() && header.content_type == ContentType::HANDSHAKE => {
                // The Finished overtook the ChangeCipherSpec: keep it for when keys switch.
                let mut v = heapless::Vec::new();
                if v.extend_from_slice(fragment).is_ok() {
                    c.future = Some((header, v));
                } else {
                    c.stats.unexpected += 1;
                }
            }
            _ => c.stats.unexpected += 1,
        }
    }

    fn plaintext<'a>(
        &mut self,
        now: Duration,
        header: RecordHeader,
        plain: &'a mut [u8],
        out: &mut Received<'a>,
    ) {
        match header.content_type {
            ContentType::APPLICATION_DATA => {
                if self.core.state == State::Connected && header.epoch == 1 {
                    if out.records.push(plain).is_err() {
                        self.core.stats.app_records_dropped += 1;
                    }
                } else {
                    self.core.stats.unexpected += 1;
                }
            }
            ContentType::HANDSHAKE => self.handshake_record(now, plain, true),
            ContentType::CHANGE_CIPHER_SPEC if header.epoch == 0 => {
                self.change_cipher_spec(now, plain)
            }
            ContentType::ALERT => self.core.alert(plain),
            _ => self.core.stats.unexpected += 1,
        }
    }

    fn change_cipher_spec(&mut self, now: Duration, plain: &[u8]) {
        let c = &mut self.core;
        if parse_change_cipher_spec(plain).is_err() {
            c.stats.malformed += 1;
            return;
        }
        if c.read_epoch != 0 || c.read_prot.is_none() || !c.state.handshaking() {
            // A duplicate, or early (keys not derived yet): the peer will retransmit.
            c.stats.unexpected += 1;
            return;
        }
        c.read_epoch = 1;
        c.replay = ReplayWindow::new(1);
        if let Some((header, mut data)) = c.future.take() {
            let mut plain_copy: Option<heapless::Vec<u8, FUTURE_RECORD_BUF>> = None;
            if c.replay.check(1, header.sequence) {
                if let Some(prot) = &c.read_prot {
                    if let Ok(plain) = prot.open(&header, &mut data) {
                        let mut v = heapless::Vec::new();
                        if v.extend_from_slice(plain).is_ok() {
                            plain_copy = Some(v);
                        }
                    }
                }
            }
            match plain_copy {
                Some(plain) => {
                    c.replay.accept(1, header.sequence);
                    self.handshake_record(now, &plain, true);
                }
                None => c.stats.auth_failures += 1,
            }
        }
    }

    fn handshake_record(&mut self, now: Duration, bytes: &[u8], fresh: bool) {
        let active = fresh && self.core.state.handshaking();
        for frag in HandshakeFragments::new(bytes) {
            let frag = match frag {
                Ok(f) => f,
                Err(_) => {
                    self.core.stats.malformed += 1;
                    break;
                }
            };
            let h = frag.header;
            if !active {
                if h.message_seq < self.reasm.next_seq() {
                    self.core.on_old(&h);
                }
                continue;
            }
            let next = self.reasm.next_seq();
            if self.core.state == State::ServerHello
                && h.msg_type == HandshakeType::CLIENT_HELLO
                && h.message_seq != next
                && (h.message_seq > next || self.reasm.buffered() == 0)
            {
                // A stateless server follows the client's message_seq (RFC 6347 §4.2.2).
                self.reasm.reset(h.message_seq);
            }
            match self.reasm.insert(&frag) {
                Ok(Inserted::Old) => self.core.on_old(&h),
                Ok(_) => {}
                Err(_) => self.core.stats.malformed += 1,
            }
        }
        if active {
            self.drain(now);
        }
    }

    fn drain(&mut self, now: Duration) {
        while self.core.state.handshaking() {
            let Some(msg) = self.reasm.next_message() else {
                break;
            };
            let result = self.core.process(now, &msg);
            self.reasm.advance();
            if let Err(e) = result {
                self.core.fail(e);
                break;
            }
        }
    }
}

impl<R: CryptoRngCore> Core<R> {
    fn push_event(&mut self, e: Event) {
        if self.events.push_back(e).is_err() {
            self.stats.events_dropped += 1;
        }
    }

    /// Queues an alert at the epoch our peer can read.
    fn queue_alert(&mut self, alert: Alert) {
        let epoch = if self.wr.prot.is_some() { 1 } else { 0 };
        self.pending_alert = Some((alert, epoch));
    }

    fn fail(&mut self, err: Error) {
        if self.state.terminal() {
            return;
        }
        self.state = State::Failed;
        self.tx = None;
        self.retransmit_at = None;
        if let Some(desc) = alert_for(err) {
            self.queue_alert(Alert::fatal(desc));
        }
        self.push_event(Event::Failed(err));
    }

    fn alert(&mut self, plain: &[u8]) {
        let Ok(alert) = Alert::parse(plain) else {
            self.stats.malformed += 1;
            return;
        };
        if self.state.terminal() {
            return;
        }
        if alert.description == AlertDescription::CLOSE_NOTIFY {
            self.queue_alert(Alert::CLOSE_NOTIFY);
            self.state = State::Closed;
            self.tx = None;
            self.retransmit_at = None;
            self.push_event(Event::Closed);
        } else if alert.level == AlertLevel::Fatal {
            self.state = State::Failed;
            self.tx = None;
            self.retransmit_at = None;
            self.push_event(Event::Failed(Error::PeerAlert(alert.description)));
        }
        // Other warnings (no_renegotiation, ...) are ignored.
    }

    /// The peer sent a handshake fragment of a message we already processed.
    fn on_old(&mut self, h: &HandshakeHeader) {
        if self.peer_flight_first == Some(h.message_seq)
            && h.fragment_offset == 0
            && self.tx.is_none()
            && !self.flight.items.is_empty()
            && !self.state.terminal()
        {
            self.tx = Some(START);
            self.stats.retransmissions += 1;
        }
    }

    fn start_flight(&mut self) {
        self.tx = Some(START);
        self.retransmit_at = None;
        self.rto = self.cfg.initial_rto;
    }

    fn emit_hvr(&mut self, hvr: &PendingHvr, buf: &mut [u8]) -> Result<usize, Error> {
        let msg = Handshake::HelloVerifyRequest(HelloVerifyRequest {
            version: ProtocolVersion::DTLS1_0,
            cookie: &hvr.cookie,
        });
        let body = buf
            .get_mut(RECORD_HEADER_LEN..)
            .ok_or(Error::BufferTooSmall)?;
        let n = msg.emit(hvr.message_seq, body)?;
        let header = RecordHeader {
            content_type: ContentType::HANDSHAKE,
            version: ProtocolVersion::DTLS1_0,
            epoch: 0,
            sequence: hvr.record_seq,
            length: u16::try_from(n).map_err(|_| Error::TooLong)?,
        };
        header.emit(buf)?;
        Ok(RECORD_HEADER_LEN + n)
    }

    fn emit_flight(&mut self, now: Duration, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        let limit = buf.len();
        let mut pos = 0usize;
        while let Some(mut cur) = self.tx {
            let Some(item) = self.flight.items.get(cur.item).copied() else {
                self.flight_sent(now);
                break;
            };
            let room_total = limit.saturating_sub(pos);
            let rec = buf.get_mut(pos..).ok_or(Error::BufferTooSmall)?;
            match item {
                Item::Ccs => {
                    if RECORD_HEADER_LEN + 1 > room_total {
                        if pos == 0 {
                            return Err(Error::MtuTooSmall);
                        }
                        break;
                    }
                    rec.get_mut(RECORD_HEADER_LEN..RECORD_HEADER_LEN + 1)
                        .ok_or(Error::BufferTooSmall)?
                        .copy_from_slice(&CHANGE_CIPHER_SPEC);
                    pos += self.wr.finish(rec, ContentType::CHANGE_CIPHER_SPEC, 0, 1)?;
                    cur.item += 1;
                }
                Item::Handshake { start, len, epoch } => {
                    let msg = self
                        .flight
                        .buf
                        .get(start..start + len)
                        .ok_or(Error::MessageTooLarge)?;
                    let (hdr, body) = msg
                        .split_at_checked(HANDSHAKE_HEADER_LEN)
                        .ok_or(Error::Truncated)?;
                    let hh = HandshakeHeader::parse(hdr)?;
                    let overhead = record_overhead(epoch) + HANDSHAKE_HEADER_LEN;
                    let fresh_room = limit.saturating_sub(overhead);
                    if fresh_room == 0 {
                        return Err(Error::MtuTooSmall);
                    }
                    let room = room_total.saturating_sub(overhead);
                    let remaining = body.len().saturating_sub(cur.offset);
                    if pos > 0 && (room == 0 || (remaining > room && remaining <= fresh_room)) {
                        break;
                    }
                    let take = remaining.min(room);
                    let chunk = body
                        .get(cur.offset..cur.offset + take)
                        .ok_or(Error::Truncated)?;
                    let frag = HandshakeFragment {
                        header: HandshakeHeader {
                            fragment_offset: u32::try_from(cur.offset)
                                .map_err(|_| Error::TooLong)?,
                            ..hh
                        },
                        body: chunk,
                    };
                    let off = plain_offset(epoch);
                    let n = frag.emit(rec.get_mut(off..).ok_or(Error::BufferTooSmall)?)?;
                    pos += self.wr.finish(rec, ContentType::HANDSHAKE, epoch, n)?;
                    cur.offset += take;
                    if cur.offset >= body.len() {
                        cur.item += 1;
                        cur.offset = 0;
                    }
                }
            }
            self.tx = Some(cur);
            if cur.item >= self.flight.items.len() {
                self.flight_sent(now);
                break;
            }
        }
        Ok(if pos == 0 { None } else { Some(pos) })
    }

    fn flight_sent(&mut self, now: Duration) {
        self.tx = None;
        if self.state.handshaking() {
            self.retransmit_at = Some(now.saturating_add(self.rto));
        }
    }

    fn peer_der(&self) -> &[u8] {
        self.peer_cert.get(..self.peer_cert_len).unwrap_or_default()
    }

    fn store_peer_certificate(&mut self, list: &CertificateList<'_>) -> Result<(), Error> {
        let der = list.first().ok_or(Error::NoPeerCertificate)?;
        let fp = &self.cfg.peer_fingerprint;
        cert::verify_fingerprint(der, fp.algorithm(), fp.as_bytes())
            .map_err(|_| Error::FingerprintMismatch)?;
        X509::parse(der).map_err(|_| Error::BadCertificate)?;
        self.peer_cert
            .get_mut(..der.len())
            .ok_or(Error::BadCertificate)?
            .copy_from_slice(der);
        self.peer_cert_len = der.len();
        Ok(())
    }

    fn process(&mut self, _now: Duration, msg: &Message<'_>) -> Result<(), Error> {
        let hs = match Handshake::parse(msg.msg_type, msg.body) {
            Ok(hs) => hs,
            Err(_) if self.state == State::ServerHello => return Ok(()),
            Err(e) => return Err(e),
        };
        let header = msg.header().to_bytes();
        let seq = msg.message_seq;
        match (self.state, hs) {
            (_, Handshake::HelloRequest) => Ok(()),
            (State::ClientHello, Handshake::HelloVerifyRequest(hvr)) => {
                if self.hello_verifies >= MAX_HELLO_VERIFY || hvr.cookie.is_empty() {
                    return Err(Error::UnexpectedMessage);
                }
                self.hello_verifies += 1;
                self.cookie.clear();
                self.cookie
                    .extend_from_slice(hvr.cookie)
                    .map_err(|_| Error::TooLong)?;
                self.peer_flight_first = Some(seq);
                self.send_client_hello()
            }
            (State::ClientHello, Handshake::ServerHello(sh)) => {
                self.on_server_hello(&sh)?;
                self.hash(&header, msg.body);
                self.peer_flight_first = Some(seq);
                self.state = State::ClientCertificate;
                Ok(())
            }
            (State::ClientCertificate, Handshake::Certificate(c)) => {
                self.store_peer_certificate(&c.certificates)?;
                let cert = X509::parse(self.peer_der()).map_err(|_| Error::BadCertificate)?;
                let rsa_suite = self.suite == CipherSuite::ECDHE_RSA_AES128_GCM_SHA256;
                match (cert.public_key(), rsa_suite) {
                    (PublicKey::EcP256(_), false) | (PublicKey::Rsa(_), true) => {}
                    _ => return Err(Error::BadCertificate),
                }
                self.hash(&header, msg.body);
                self.state = State::ClientKeyExchange;
                Ok(())
            }
            (State::ClientKeyExchange, Handshake::ServerKeyExchange(ske)) => {
                self.on_server_key_exchange(&ske)?;
                self.hash(&header, msg.body);
                self.state = State::ClientHelloDone;
                Ok(())
            }
            (State::ClientHelloDone, Handshake::CertificateRequest(cr)) if !self.cert_requested => {
                if !cr.certificate_types.contains(&ECDSA_SIGN)
                    || !cr.signature_algorithms.contains(OUR_SCHEME)
                {
                    return Err(Error::NoCommonSignatureScheme);
                }
                self.cert_requested = true;
                self.hash(&header, msg.body);
                Ok(())
            }
            (State::ClientHelloDone, Handshake::ServerHelloDone) => {
                self.hash(&header, msg.body);
                self.send_client_flight()
            }
            (State::ClientFinished, Handshake::Finished(f)) => {
                self.check_finished(Side::Server, &f)?;
                self.hash(&header, msg.body);
                self.connected()
            }
            (State::ServerHello, Handshake::ClientHello(ch)) => {
                self.on_client_hello(seq, &ch, &header, msg.body)
            }
            (State::ServerHello, _) => Ok(()), // stray input before a valid hello: ignore
            (State::ServerCertificate, Handshake::Certificate(c)) => {
                self.store_peer_certificate(&c.certificates)?;
                self.hash(&header, msg.body);
                self.state = State::ServerKeyExchange;
                Ok(())
            }
            (State::ServerKeyExchange, Handshake::ClientKeyExchange(cke)) => {
                let peer = parse_point(cke.public)?;
                let secret = self.ecdh.take().ok_or(Error::UnexpectedMessage)?;
                let shared = secret.diffie_hellman(&peer);
                let mut pre_master = [0u8; 32];
                pre_master.copy_from_slice(shared.raw_secret_bytes());
                self.hash(&header, msg.body);
                let (client_w, server_w) = self.derive_keys(&pre_master)?;
                self.read_prot = Some(client_w);
                // Our write keys wait in `wr` but are used only after our CCS.
                self.pending_write = Some(server_w);
                self.state = State::ServerVerify;
                Ok(())
            }
            (State::ServerVerify, Handshake::CertificateVerify(cv)) => {
                self.check_certificate_verify(&cv)?;
                self.hash(&header, msg.body);
                self.state = State::ServerFinished;
                Ok(())
            }
            (State::ServerFinished, Handshake::Finished(f)) => {
                self.check_finished(Side::Client, &f)?;
                self.hash(&header, msg.body);
                self.send_server_finished(seq)
            }
            _ => Err(Error::UnexpectedMessage),
        }
    }

    fn hash(&mut self, header: &[u8], body: &[u8]) {
        self.transcript.update(header);
        self.transcript.update(body);
    }

    fn send_client_hello(&mut self) -> Result<(), Error> {
        let mut suites: heapless::Vec<u16, 4> = heapless::Vec::new();
        for s in &self.cfg.cipher_suites {
            let _ = suites.push(s.0);
        }
        let mut profiles: heapless::Vec<u16, 4> = heapless::Vec::new();
        for p in &self.cfg.srtp_profiles {
            let _ = profiles.push(p.id());
        }
        let groups = [NamedGroup::SECP256R1.0];
        let extensions = HelloExtensions {
            use_srtp: Some(UseSrtp {
                profiles: U16List::new(&profiles),
                mki: &[],
            }),
            extended_master_secret: true,
            renegotiation_info: Some(&[]),
            supported_groups: Some(U16List::new(&groups)),
            ec_point_formats: Some(&[0]),
            signature_algorithms: Some(U16List::new(&CLIENT_SIG_ALGS)),
            supported_versions: None,
            raw: RawExtensions::EMPTY,
        };
        let ch = ClientHello {
            version: ProtocolVersion::DTLS1_2,
            random: self.client_random,
            session_id: &[],
            cookie: &self.cookie,
            cipher_suites: U16List::new(&suites),
            compression_methods: &[0],
            extensions,
        };
        self.flight.clear();
        let bytes = self
            .flight
            .push(&Handshake::ClientHello(ch), self.send_seq, 0)?;
        // The transcript restarts with the ClientHello that carries the cookie.
        self.transcript = Transcript::new();
        self.transcript.update(bytes);
        self.send_seq = self.send_seq.wrapping_add(1);
        self.start_flight();
        Ok(())
    }

    fn on_server_hello(&mut self, sh: &ServerHello<'_>) -> Result<(), Error> {
        if sh.version != ProtocolVersion::DTLS1_2 {
            return Err(Error::BadVersion);
        }
        if !self.cfg.cipher_suites.contains(&sh.cipher_suite) {
            return Err(Error::NoCommonCipherSuite);
        }
        if sh.compression_method != 0 {
            return Err(Error::IllegalParameter);
        }
        let srtp = sh.extensions.use_srtp.ok_or(Error::NoCommonSrtpProfile)?;
        let mut ids = srtp.profiles.iter();
        let (Some(id), None) = (ids.next(), ids.next()) else {
            return Err(Error::IllegalParameter);
        };
        let profile = Profile::from_id(id)
            .filter(|p| self.cfg.srtp_profiles.contains(p))
            .ok_or(Error::NoCommonSrtpProfile)?;
        if !srtp.mki.is_empty() {
            return Err(Error::IllegalParameter);
        }
        if sh
            .extensions
            .renegotiation_info
            .is_some_and(|r| !r.is_empty())
        {
            return Err(Error::IllegalParameter);
        }
        let (aead, prf) = Aead::for_suite(sh.cipher_suite)?;
        self.suite = sh.cipher_suite;
        self.aead = aead;
        self.prf = prf;
        self.profile = Some(profile);
        self.ems = sh.extensions.extended_master_secret;
        self.server_random = sh.random;
        Ok(())
    }

    fn on_server_key_exchange(&mut self, ske: &ServerKeyExchange<'_>) -> Result<(), Error> {
        if ske.group != NamedGroup::SECP256R1 {
            return Err(Error::NoCommonGroup);
        }
        let scheme = Scheme::from_u16(ske.signature.scheme.0)
            .filter(|s| CLIENT_SIG_ALGS.contains(&s.to_u16()))
            .ok_or(Error::NoCommonSignatureScheme)?;
        // client_random ‖ server_random ‖ ServerECDHParams (RFC 8422 §5.4).
        let mut signed = [0u8; 2 * RANDOM_LEN + 4 + 255];
        let (randoms, params) = signed.split_at_mut(2 * RANDOM_LEN);
        let (cr, sr) = randoms.split_at_mut(RANDOM_LEN);
        cr.copy_from_slice(&self.client_random);
        sr.copy_from_slice(&self.server_random);
        let n = ske.emit_params(params)?;
        let signed = signed.get(..2 * RANDOM_LEN + n).ok_or(Error::BadLength)?;
        let cert = X509::parse(self.peer_der()).map_err(|_| Error::BadCertificate)?;
        cert.public_key()
            .verify(scheme, signed, ske.signature.signature)
            .map_err(|_| Error::BadSignature)?;
        let peer = parse_point(ske.public)?;
        let secret = EphemeralSecret::random(&mut self.rng);
        let shared = secret.diffie_hellman(&peer);
        let mut pm = [0u8; 32];
        pm.copy_from_slice(shared.raw_secret_bytes());
        self.pre_master = Some(pm);
        let point = secret.public_key().to_encoded_point(false);
        self.our_point.copy_from_slice(
            point
                .as_bytes()
                .get(..P256_POINT_LEN)
                .ok_or(Error::BadKeyShare)?,
        );
        Ok(())
    }

    /// Master secret (extended when negotiated; the transcript must end with the
    /// ClientKeyExchange) and the (client-write, server-write) record keys.
    fn derive_keys(
        &mut self,
        pre_master: &[u8],
    ) -> Result<(RecordProtection, RecordProtection), Error> {
        let master = if self.ems {
            let session_hash = self.transcript.current(self.prf);
            prf::extended_master_secret(self.prf, pre_master, session_hash.as_bytes())
        } else {
            prf::master_secret(
                self.prf,
                pre_master,
                &self.client_random,
                &self.server_random,
            )
        };
        let mut kb = [0u8; 2 * 32 + 2 * 4];
        let kb = kb
            .get_mut(..self.aead.key_block_len())
            .ok_or(Error::BadKeyLength)?;
        prf::key_block(
            self.prf,
            &master,
            &self.client_random,
            &self.server_random,
            kb,
        );
        let keys = RecordProtection::from_key_block(self.aead, kb)?;
        kb.fill(0);
        self.master = Some(master);
        Ok(keys)
    }

    fn send_client_flight(&mut self) -> Result<(), Error> {
        let pre_master = self.pre_master.take().ok_or(Error::UnexpectedMessage)?;
        self.flight.clear();
        let mut seq = self.send_seq;
        if self.cert_requested {
            let certs = [self.cfg.identity.der()];
            let msg = Handshake::Certificate(Certificate {
                certificates: CertificateList::new(&certs),
            });
            let bytes = self.flight.push(&msg, seq, 0)?;
            self.transcript.update(bytes);
            seq = seq.wrapping_add(1);
        }
        let cke = Handshake::ClientKeyExchange(ClientKeyExchange {
            public: &self.our_point,
        });
        let bytes = self.flight.push(&cke, seq, 0)?;
        self.transcript.update(bytes);
        seq = seq.wrapping_add(1);
        let (client_w, server_w) = self.derive_keys(&pre_master)?;
        if self.cert_requested {
            let digest = self.transcript.current(PrfHash::Sha256);
            let sig: p256::ecdsa::Signature = self
                .cfg
                .identity
                .signing_key()
                .sign_prehash(digest.as_bytes())
                .map_err(|_| Error::BadConfig)?;
            let der = sig.to_der();
            let cv = Handshake::CertificateVerify(CertificateVerify {
                signature: DigitallySigned {
                    scheme: SignatureScheme(OUR_SCHEME),
                    signature: der.as_bytes(),
                },
            });
            let bytes = self.flight.push(&cv, seq, 0)?;
            self.transcript.update(bytes);
            seq = seq.wrapping_add(1);
        }
        self.flight.push_ccs()?;
        let vd = self.verify_data(Side::Client)?;
        let fin = Handshake::Finished(Finished { verify_data: &vd });
        let bytes = self.flight.push(&fin, seq, 1)?;
        self.transcript.update(bytes);
        self.send_seq = seq.wrapping_add(1);
        self.wr.prot = Some(client_w);
        self.read_prot = Some(server_w);
        self.state = State::ClientFinished;
        self.start_flight();
        Ok(())
    }

    fn verify_data(&self, side: Side) -> Result<[u8; VERIFY_DATA_LEN], Error> {
        let master = self.master.as_ref().ok_or(Error::UnexpectedMessage)?;
        let th = self.transcript.current(self.prf);
        Ok(prf::verify_data(self.prf, master, side, th.as_bytes()))
    }

    fn check_finished(&self, side: Side, f: &Finished<'_>) -> Result<(), Error> {
        if self.read_epoch != 1 {
            // A Finished must come under the new keys, after the ChangeCipherSpec.
            return Err(Error::UnexpectedMessage);
        }
        let expected = self.verify_data(side)?;
        if prf::verify_data_matches(&expected, f.verify_data) {
            Ok(())
        } else {
            Err(Error::BadFinished)
        }
    }

    fn connected(&mut self) -> Result<(), Error> {
        let profile = self.profile.ok_or(Error::UnexpectedMessage)?;
        let master = self.master.as_ref().ok_or(Error::UnexpectedMessage)?;
        let len = 2 * (profile.master_key_len() + profile.master_salt_len());
        let mut km = KeyingMaterial {
            bytes: [0; MAX_KEYING_MATERIAL_LEN],
            len,
        };
        prf::export_srtp_keying_material(
            self.prf,
            master,
            &self.client_random,
            &self.server_random,
            km.bytes.get_mut(..len).ok_or(Error::BadKeyLength)?,
        );
        let fp = cert::fingerprint(self.peer_der(), HashAlgorithm::Sha256);
        self.state = State::Connected;
        self.retransmit_at = None;
        self.future = None;
        self.push_event(Event::Connected(Connected {
            srtp_profile: profile,
            keying_material: km,
            peer_certificate_fingerprint: fp,
            cipher_suite: self.suite,
            extended_master_secret: self.ems,
        }));
        Ok(())
    }

    fn cookie_for(&self, ch: &ClientHello<'_>) -> [u8; 32] {
        let mut out = [0u8; 32];
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(&self.cookie_secret) else {
            return out;
        };
        mac.update(&ch.version.0.to_be_bytes());
        mac.update(&ch.random);
        mac.update(&[u8::try_from(ch.session_id.len()).unwrap_or(0)]);
        mac.update(ch.session_id);
        for s in ch.cipher_suites.iter() {
            mac.update(&s.to_be_bytes());
        }
        mac.update(ch.compression_methods);
        out.copy_from_slice(&mac.finalize().into_bytes());
        out
    }

    fn on_client_hello(
        &mut self,
        seq: u16,
        ch: &ClientHello<'_>,
        header: &[u8],
        body: &[u8],
    ) -> Result<(), Error> {
        if self.cfg.hello_verify {
            let expected = self.cookie_for(ch);
            if !bool::from(expected.as_slice().ct_eq(ch.cookie)) {
                self.pending_hvr = Some(PendingHvr {
                    record_seq: self.last_record_seq,
                    message_seq: seq,
                    cookie: expected,
                });
                return Ok(());
            }
        }
        // DTLS versions count down: 0xfefd (1.2) or a newer one (1.3 offers also list 1.2
        // in supported_versions, which we otherwise ignore).
        if ch.version.0 > ProtocolVersion::DTLS1_2.0 || ch.version.0 < 0xfe00 {
            return Err(Error::BadVersion);
        }
        if !ch.compression_methods.contains(&0) {
            return Err(Error::IllegalParameter);
        }
        let suite = self
            .cfg
            .cipher_suites
            .iter()
            .copied()
            .find(|s| {
                matches!(
                    *s,
                    CipherSuite::ECDHE_ECDSA_AES128_GCM_SHA256
                        | CipherSuite::ECDHE_ECDSA_AES256_GCM_SHA384
                ) && ch.offers(*s)
            })
            .ok_or(Error::NoCommonCipherSuite)?;
        let ext = &ch.extensions;
        if ext
            .supported_groups
            .is_some_and(|g| !g.contains(NamedGroup::SECP256R1.0))
        {
            return Err(Error::NoCommonGroup);
        }
        if ext.ec_point_formats.is_some_and(|f| !f.contains(&0)) {
            return Err(Error::IllegalParameter);
        }
        if ext
            .signature_algorithms
            .is_some_and(|s| !s.contains(OUR_SCHEME))
        {
            return Err(Error::NoCommonSignatureScheme);
        }
        let offered = ext.use_srtp.ok_or(Error::NoCommonSrtpProfile)?;
        let profile = self
            .cfg
            .srtp_profiles
            .iter()
            .copied()
            .find(|p| offered.profiles.contains(p.id()))
            .ok_or(Error::NoCommonSrtpProfile)?;
        if ext.renegotiation_info.is_some_and(|r| !r.is_empty()) {
            return Err(Error::IllegalParameter);
        }
        let secure_renegotiation = ext.renegotiation_info.is_some()
            || ch.offers(CipherSuite::EMPTY_RENEGOTIATION_INFO_SCSV);
        let (aead, prf) = Aead::for_suite(suite)?;
        self.suite = suite;
        self.aead = aead;
        self.prf = prf;
        self.profile = Some(profile);
        self.ems = ext.extended_master_secret;
        self.client_random = ch.random;
        self.rng
            .try_fill_bytes(&mut self.server_random)
            .map_err(|_| Error::Rng)?;
        self.transcript = Transcript::new();
        self.transcript.update(header);
        self.transcript.update(body);

        // Flight 4: ServerHello, Certificate, ServerKeyExchange, CertificateRequest,
        // ServerHelloDone. Our message_seq follows the client's (RFC 6347 §4.2.2).
        let mut seq_out = seq;
        self.flight.clear();
        let profile_id = [profile.id()];
        let sh = Handshake::ServerHello(ServerHello {
            version: ProtocolVersion::DTLS1_2,
            random: self.server_random,
            session_id: &[],
            cipher_suite: suite,
            compression_method: 0,
            extensions: HelloExtensions {
                use_srtp: Some(UseSrtp {
                    profiles: U16List::new(&profile_id),
                    mki: &[],
                }),
                extended_master_secret: self.ems,
                renegotiation_info: secure_renegotiation.then_some(&[][..]),
                supported_groups: None,
                ec_point_formats: ext.ec_point_formats.map(|_| &[0u8][..]),
                signature_algorithms: None,
                supported_versions: None,
                raw: RawExtensions::EMPTY,
            },
        });
        let bytes = self.flight.push(&sh, seq_out, 0)?;
        self.transcript.update(bytes);
        seq_out = seq_out.wrapping_add(1);

        let certs = [self.cfg.identity.der()];
        let cert_msg = Handshake::Certificate(Certificate {
            certificates: CertificateList::new(&certs),
        });
        let bytes = self.flight.push(&cert_msg, seq_out, 0)?;
        self.transcript.update(bytes);
        seq_out = seq_out.wrapping_add(1);

        let secret = EphemeralSecret::random(&mut self.rng);
        let point = secret.public_key().to_encoded_point(false);
        let point = point.as_bytes();
        let mut signed = [0u8; 2 * RANDOM_LEN + 4 + P256_POINT_LEN];
        {
            let mut w = signed.iter_mut();
            let params_head = [
                NAMED_CURVE,
                (NamedGroup::SECP256R1.0 >> 8) as u8,
                NamedGroup::SECP256R1.0 as u8,
                P256_POINT_LEN as u8,
            ];
            for b in self
                .client_random
                .iter()
                .chain(self.server_random.iter())
                .chain(params_head.iter())
                .chain(point.iter())
            {
                if let Some(d) = w.next() {
                    *d = *b;
                }
            }
        }
        let mut sig = [0u8; cert::MAX_ECDSA_SIG_LEN];
        let sig_len = self
            .cfg
            .identity
            .sign(&signed, &mut sig)
            .map_err(|_| Error::BadConfig)?;
        let ske = Handshake::ServerKeyExchange(ServerKeyExchange {
            group: NamedGroup::SECP256R1,
            public: point,
            signature: DigitallySigned {
                scheme: SignatureScheme(OUR_SCHEME),
                signature: sig.get(..sig_len).ok_or(Error::BadConfig)?,
            },
        });
        let bytes = self.flight.push(&ske, seq_out, 0)?;
        self.transcript.update(bytes);
        seq_out = seq_out.wrapping_add(1);
        self.ecdh = Some(secret);

        let cr = Handshake::CertificateRequest(CertificateRequest {
            certificate_types: &[ECDSA_SIGN, RSA_SIGN],
            signature_algorithms: U16List::new(&SERVER_SIG_ALGS),
            certificate_authorities: &[],
        });
        let bytes = self.flight.push(&cr, seq_out, 0)?;
        self.transcript.update(bytes);
        seq_out = seq_out.wrapping_add(1);

        let bytes = self.flight.push(&Handshake::ServerHelloDone, seq_out, 0)?;
        self.transcript.update(bytes);
        self.send_seq = seq_out.wrapping_add(1);

        self.peer_flight_first = Some(seq);
        self.state = State::ServerCertificate;
        self.start_flight();
        Ok(())
    }

    fn check_certificate_verify(&self, cv: &CertificateVerify<'_>) -> Result<(), Error> {
        let scheme = Scheme::from_u16(cv.signature.scheme.0)
            .filter(|s| SERVER_SIG_ALGS.contains(&s.to_u16()))
            .ok_or(Error::NoCommonSignatureScheme)?;
        let digest = match scheme.hash() {
            HashAlgorithm::Sha256 => self.transcript.current(PrfHash::Sha256),
            HashAlgorithm::Sha384 => self.transcript.current(PrfHash::Sha384),
            _ => return Err(Error::NoCommonSignatureScheme),
        };
        let cert = X509::parse(self.peer_der()).map_err(|_| Error::BadCertificate)?;
        cert.public_key()
            .verify_digest(scheme, digest.as_bytes(), cv.signature.signature)
            .map_err(|e| match e {
                cert::Error::UnsupportedAlgorithm => Error::NoCommonSignatureScheme,
                _ => Error::BadSignature,
            })
    }

    fn send_server_finished(&mut self, client_first_seq: u16) -> Result<(), Error> {
        let _ = client_first_seq;
        let vd = self.verify_data(Side::Server)?;
        self.flight.clear();
        self.flight.push_ccs()?;
        let fin = Handshake::Finished(Finished { verify_data: &vd });
        let bytes = self.flight.push(&fin, self.send_seq, 1)?;
        self.transcript.update(bytes);
        self.send_seq = self.send_seq.wrapping_add(1);
        self.wr.prot = self.pending_write.take();
        // The client's flight started right after its ClientHello.
        self.peer_flight_first = self.peer_flight_first.map(|s| s.wrapping_add(1));
        self.start_flight();
        self.connected()
    }
}

/// An uncompressed SEC1 P-256 point (RFC 8422 §5.1.2: the only format we offer).
fn parse_point(bytes: &[u8]) -> Result<p256::PublicKey, Error> {
    if bytes.len() != P256_POINT_LEN || bytes.first() != Some(&4) {
        return Err(Error::BadKeyShare);
    }
    p256::PublicKey::from_sec1_bytes(bytes).map_err(|_| Error::BadKeyShare)
}

/// The fatal alert that tells the peer what it got wrong (none for a timeout or an alert
/// the peer sent itself).
fn alert_for(err: Error) -> Option<AlertDescription> {
    Some(match err {
        Error::HandshakeTimeout | Error::PeerAlert(_) | Error::Closed => return None,
        Error::FingerprintMismatch | Error::BadCertificate => AlertDescription::BAD_CERTIFICATE,
        Error::BadSignature | Error::BadFinished => AlertDescription::DECRYPT_ERROR,
        Error::NoCommonCipherSuite
        | Error::NoCommonSrtpProfile
        | Error::NoCommonGroup
        | Error::NoCommonSignatureScheme
        | Error::NoPeerCertificate => AlertDescription::HANDSHAKE_FAILURE,
        Error::IllegalParameter | Error::BadKeyShare => AlertDescription::ILLEGAL_PARAMETER,
        Error::UnexpectedMessage => AlertDescription::UNEXPECTED_MESSAGE,
        Error::BadVersion => AlertDescription::PROTOCOL_VERSION,
        Error::Truncated
        | Error::BadLength
        | Error::EmptyList
        | Error::BadExtension
        | Error::DuplicateExtension
        | Error::TooManyExtensions
        | Error::TooManyCertificates
        | Error::BadValue
        | Error::TooLong => AlertDescription::DECODE_ERROR,
        _ => AlertDescription::INTERNAL_ERROR,
    })
}
