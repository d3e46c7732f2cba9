//! The sending side of one RTP stream: frames in, packets out into caller buffers, the
//! last packets kept for NACKs, keyframe requests surfaced, sender reports written and
//! receiver reports turned into remote-inbound statistics.
//!
//! Sans-IO like every rtcam engine: `now` is the caller's monotonic clock, wall-clock time
//! for RTCP comes in as a 64-bit NTP value ([`ntp_from_unix`]), and every packet is written
//! into a buffer the caller hands over (plain RTP: SRTP protection is the next step).
//!
//! ```
//! use core::time::Duration;
//! use rtcam_rtp::codec::h264::H264Payloader;
//! use rtcam_rtp::sender::{Sender, SenderConfig, TransportSequencer};
//! # fn main() -> Result<(), rtcam_rtp::sender::Error> {
//! let config = SenderConfig::new(0x1234_5678, 102, 90_000, 4711);
//! let mut sender: Box<Sender<65_536, 64>> = Box::new(Sender::new(&config)?);
//! let mut twcc = TransportSequencer::new(1);
//! let mut payloader = H264Payloader::new(sender.max_payload(1200, 10));
//!
//! let access_unit = [0, 0, 0, 1, 0x65, 0x88, 0x84, 0x21];
//! let mut buf = [0u8; 1200];
//! let mut frame = sender.frame(
//!     Duration::ZERO, 90_000, true, payloader.frame(&access_unit)?, &mut twcc,
//! );
//! while let Some(sent) = frame.next_into(&mut buf)? {
//!     let _packet = &buf[..sent.len]; // protect with SRTP, then send
//! }
//! # Ok(()) }
//! ```

mod ring;

pub use ring::{RetransmissionRing, ring_bytes, ring_slots};

use core::fmt;
use core::time::Duration;

use heapless::Deque;

use crate::codec::{self, Clock, PayloadMeta};
use crate::rtcp::{self, Fir, List, Nack, Pli, ReportBlock, Sdes, SdesChunk, SdesItem};
use crate::stats::{OutboundRtpStats, RemoteInboundRtpStats};
use crate::{AbsSendTime, ExtensionKind, ExtensionMap, HEADER_LEN, Header, Packet};

/// The longest `mid` a sender carries (it must fit a one-byte-form extension element).
pub const MAX_MID_LEN: usize = 16;
/// Retransmission requests waiting for [`Sender::poll_retransmit`]; more are dropped
/// (and counted): a receiver NACKs again.
pub const RETRANSMIT_QUEUE: usize = 64;
/// The shortest time between two retransmissions of one packet, when the round trip is
/// shorter or not known yet.
pub const MIN_RESEND_INTERVAL: Duration = Duration::from_millis(10);
/// Sender reports remembered to match a receiver report's LSR.
const SR_HISTORY: usize = 4;
/// Seconds from the NTP epoch (1900) to the Unix epoch (1970).
pub const NTP_UNIX_OFFSET_SECS: u64 = 2_208_988_800;

/// A Unix wall-clock time as a 64-bit NTP timestamp (32.32 seconds since 1900), what
/// sender reports carry.
pub const fn ntp_from_unix(since_unix_epoch: Duration) -> u64 {
    let secs = since_unix_epoch
        .as_secs()
        .wrapping_add(NTP_UNIX_OFFSET_SECS);
    let frac = ((since_unix_epoch.subsec_nanos() as u64) << 32) / 1_000_000_000;
    (secs << 32) | frac
}

/// What can go wrong sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Writing RTP or RTCP failed (a buffer too small is `Rtp(BufferTooSmall { needed })`).
    Rtp(crate::Error),
    /// The payloader refused the frame or the buffer.
    Codec(codec::Error),
    /// The configuration cannot be sent: payload type above 127, clock rate 0, mid longer
    /// than [`MAX_MID_LEN`] or a header extension that does not encode.
    BadConfig,
    /// A sender report before any frame: there is no RTP time to map yet.
    NothingSent,
}

impl From<crate::Error> for Error {
    fn from(e: crate::Error) -> Self {
        Error::Rtp(e)
    }
}

impl From<codec::Error> for Error {
    fn from(e: codec::Error) -> Self {
        Error::Codec(e)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Rtp(e) => write!(f, "RTP sender: {e}"),
            Error::Codec(e) => write!(f, "RTP sender: {e}"),
            Error::BadConfig => f.write_str("RTP sender configuration cannot be sent"),
            Error::NothingSent => f.write_str("sender report before any frame"),
        }
    }
}

impl core::error::Error for Error {}

/// The transport-wide sequence number counter of one peer connection (one transport):
/// every sender on it draws from the same one, passed in by `&mut`, so TWCC feedback
/// covers all streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TransportSequencer {
    next: u16,
}

impl TransportSequencer {
    /// A counter whose first number is `first`.
    pub const fn new(first: u16) -> Self {
        TransportSequencer { next: first }
    }

    /// The next number, consumed (wrapping after 65535).
    pub fn next_sequence(&mut self) -> u16 {
        let n = self.next;
        self.next = n.wrapping_add(1);
        n
    }

    /// The number the next packet will get.
    pub const fn peek(&self) -> u16 {
        self.next
    }
}

/// Where RTP payloads come from: a payloader's frame, written one payload at a time into
/// the space the sender leaves after the header (no copy of the frame).
pub trait Payloads {
    /// Writes the next payload at the start of `out`; `None` when the frame is done.
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error>;
}

impl Payloads for codec::h264::H264Frame<'_> {
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error> {
        codec::h264::H264Frame::next_into(self, out)
    }
}

impl Payloads for codec::h265::H265Frame<'_> {
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error> {
        codec::h265::H265Frame::next_into(self, out)
    }
}

impl Payloads for codec::vp8::Vp8Frame<'_> {
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error> {
        codec::vp8::Vp8Frame::next_into(self, out)
    }
}

impl Payloads for codec::audio::G711Frame<'_> {
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error> {
        codec::audio::G711Frame::next_into(self, out)
    }
}

/// One ready-made payload sent as one packet: an Opus packet (RFC 7587 never fragments),
/// or anything packetized elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct Whole<'a> {
    payload: Option<&'a [u8]>,
    marker: bool,
}

impl<'a> Whole<'a> {
    /// `payload` as one packet with the given marker bit.
    pub const fn new(payload: &'a [u8], marker: bool) -> Self {
        Whole {
            payload: Some(payload),
            marker,
        }
    }
}

impl Payloads for Whole<'_> {
    fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, codec::Error> {
        let Some(payload) = self.payload else {
            return Ok(None);
        };
        if payload.is_empty() {
            return Err(codec::Error::EmptyFrame);
        }
        let dst = out
            .get_mut(..payload.len())
            .ok_or(codec::Error::BufferTooSmall)?;
        dst.copy_from_slice(payload);
        self.payload = None;
        Ok(Some(PayloadMeta {
            len: payload.len(),
            marker: self.marker,
            timestamp_offset: 0,
        }))
    }
}

/// RTX (RFC 4588) as negotiated: retransmissions go on their own SSRC and payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtxConfig {
    /// The RTX stream's SSRC (SDP `a=ssrc-group:FID media rtx`).
    pub ssrc: u32,
    /// The RTX payload type (`a=fmtp:<pt> apt=<media pt>`).
    pub payload_type: u8,
    /// The RTX stream's first sequence number (random, from the caller).
    pub initial_sequence: u16,
}

/// How one outgoing stream was negotiated, and its retransmission budget.
#[derive(Debug, Clone, Copy)]
pub struct SenderConfig<'a> {
    /// The media SSRC.
    pub ssrc: u32,
    /// The media payload type.
    pub payload_type: u8,
    /// The RTP clock rate (90 000 for video, 48 000 for Opus, 8 000 for G.711).
    pub clock_rate: u32,
    /// The first sequence number (random, from the caller: RFC 3550 §5.1).
    pub initial_sequence: u16,
    /// RTX, if negotiated; without it a NACKed packet is sent again as it was.
    pub rtx: Option<RtxConfig>,
    /// The negotiated header extension ids; `Mid`, `TransportCc` and `AbsSendTime` are
    /// written on every packet when present.
    pub extensions: ExtensionMap,
    /// The stream's `mid`, written when `Mid` is negotiated (at most [`MAX_MID_LEN`]).
    pub mid: &'a str,
    /// Retransmission budget: bytes per second (whole packets) that NACKs may cost.
    pub retransmit_bytes_per_sec: u32,
    /// Retransmission budget: bytes that may go out at once after a quiet period.
    pub retransmit_burst_bytes: u32,
}

impl SenderConfig<'static> {
    /// A stream without RTX or extensions, with a retransmission budget of 1 Mbit/s and
    /// a 62.5 kB burst (a large key frame's worth of packets).
    pub const fn new(ssrc: u32, payload_type: u8, clock_rate: u32, initial_sequence: u16) -> Self {
        SenderConfig {
            ssrc,
            payload_type,
            clock_rate,
            initial_sequence,
            rtx: None,
            extensions: ExtensionMap::new(),
            mid: "",
            retransmit_bytes_per_sec: 125_000,
            retransmit_burst_bytes: 62_500,
        }
    }
}

/// One packet written into the caller's buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// Bytes written at the start of the buffer (plain RTP).
    pub len: usize,
    /// The packet's SSRC (the RTX SSRC for an RTX retransmission).
    pub ssrc: u32,
    /// Its sequence number (on the RTX stream for an RTX retransmission).
    pub sequence_number: u16,
    /// Its transport-wide sequence number, when that extension is negotiated: what the
    /// congestion controller matches TWCC feedback against.
    pub transport_sequence: Option<u16>,
    /// The marker bit.
    pub marker: bool,
    /// Whether this answers a NACK.
    pub retransmission: bool,
}

/// The header fields that differ between packets.
#[derive(Debug, Clone, Copy)]
struct Fields {
    ssrc: u32,
    payload_type: u8,
    sequence_number: u16,
    timestamp: u32,
    marker: bool,
}

/// A token bucket in micro-bytes (bytes × 10⁶), so slow rates refill exactly.
#[derive(Debug, Clone, Copy)]
struct Budget {
    rate: u64,
    cap: u64,
    micro: u64,
    last: Option<Duration>,
}

impl Budget {
    const SCALE: u64 = 1_000_000;

    fn new(bytes_per_sec: u32, burst: u32) -> Self {
        let cap = u64::from(burst) * Self::SCALE;
        Budget {
            rate: u64::from(bytes_per_sec),
            cap,
            micro: cap,
            last: None,
        }
    }

    /// Spends `bytes` if the bucket holds them.
    fn take(&mut self, now: Duration, bytes: usize) -> bool {
        if let Some(last) = self.last {
            // Capped: a long quiet period only refills up to the burst anyway.
            let dt = now.saturating_sub(last).min(Duration::from_secs(3600));
            let add = (dt.as_micros() as u64).saturating_mul(self.rate);
            self.micro = self.micro.saturating_add(add).min(self.cap);
        }
        self.last = Some(self.last.map_or(now, |l| l.max(now)));
        let need = (bytes as u64).saturating_mul(Self::SCALE);
        if self.micro >= need {
            self.micro -= need;
            true
        } else {
            false
        }
    }
}

/// Frames sent per 100 ms over the last second.
#[derive(Debug, Clone, Copy, Default)]
struct FrameRate {
    counts: [u16; 10],
    /// The 100 ms period of the last recorded frame.
    period: u64,
}

impl FrameRate {
    fn period(now: Duration) -> u64 {
        (now.as_millis() / 100) as u64
    }

    fn record(&mut self, now: Duration) {
        let p = Self::period(now);
        if p > self.period {
            let gap = (p - self.period).min(10);
            for i in 1..=gap {
                if let Some(c) = self.counts.get_mut(((self.period + i) % 10) as usize) {
                    *c = 0;
                }
            }
            self.period = p;
        }
        if let Some(c) = self.counts.get_mut((self.period % 10) as usize) {
            *c = c.saturating_add(1);
        }
    }

    fn per_second(&self, now: Duration) -> u32 {
        let p = Self::period(now).max(self.period);
        (self.period.saturating_sub(9)..=self.period)
            .filter(|q| p - q < 10)
            .filter_map(|q| self.counts.get((q % 10) as usize))
            .map(|&c| u32::from(c))
            .sum()
    }
}

/// Milliseconds of `now`, wrapping (for per-packet resend times).
fn millis(now: Duration) -> u32 {
    now.as_millis() as u32
}

/// One outgoing RTP stream (one SSRC, plus its RTX SSRC) with a retransmission ring of
/// `BYTES` bytes and `SLOTS` packets ([`ring_slots`], [`ring_bytes`]).
///
/// The ring makes this large (`BYTES` plus 12 bytes a slot): keep it in a `static` or a
/// `Box`, not on a small stack.
#[derive(Debug, Clone)]
pub struct Sender<const BYTES: usize, const SLOTS: usize> {
    ssrc: u32,
    payload_type: u8,
    clock: Clock,
    sequence: u16,
    rtx: Option<RtxConfig>,
    mid: heapless::Vec<u8, MAX_MID_LEN>,
    mid_id: Option<u8>,
    twcc_id: Option<u8>,
    abs_id: Option<u8>,
    header_len: usize,
    ring: RetransmissionRing<BYTES, SLOTS>,
    queue: Deque<u16, RETRANSMIT_QUEUE>,
    budget: Budget,
    /// The last frame's (now, RTP timestamp): the clock mapping for sender reports.
    last_frame: Option<(Duration, u32)>,
    /// Recent sender reports: (middle 32 bits of their NTP time, when sent).
    reports_sent: [Option<(u32, Duration)>; SR_HISTORY],
    reports_next: usize,
    /// Packets and payload octets on the media SSRC, for sender reports (wrapping).
    sr_packets: u32,
    sr_octets: u32,
    /// Payload bytes of all frames sent, for the huge-frame average.
    frame_bytes: u64,
    frame_rate: FrameRate,
    keyframe_requested: bool,
    /// The last FIR (requester SSRC, command sequence number) acted on.
    last_fir: Option<(u32, u8)>,
    stats: OutboundRtpStats,
    remote: RemoteInboundRtpStats,
}

impl<const BYTES: usize, const SLOTS: usize> Sender<BYTES, SLOTS> {
    /// A sender for a negotiated stream.
    pub fn new(config: &SenderConfig<'_>) -> Result<Self, Error> {
        let bad_pt = config.payload_type > 0x7f
            || config
                .rtx
                .is_some_and(|r| r.payload_type > 0x7f || r.ssrc == config.ssrc);
        if bad_pt || config.clock_rate == 0 {
            return Err(Error::BadConfig);
        }
        let mid_id = config.extensions.id(ExtensionKind::Mid);
        let mid = match mid_id {
            Some(_) if config.mid.is_empty() => return Err(Error::BadConfig),
            Some(_) => {
                heapless::Vec::from_slice(config.mid.as_bytes()).map_err(|_| Error::BadConfig)?
            }
            None => heapless::Vec::new(),
        };
        let mut sender = Sender {
            ssrc: config.ssrc,
            payload_type: config.payload_type,
            clock: Clock::new(config.clock_rate),
            sequence: config.initial_sequence,
            rtx: config.rtx,
            mid,
            mid_id,
            twcc_id: config.extensions.id(ExtensionKind::TransportCc),
            abs_id: config.extensions.id(ExtensionKind::AbsSendTime),
            header_len: 0,
            ring: RetransmissionRing::new(),
            queue: Deque::new(),
            budget: Budget::new(
                config.retransmit_bytes_per_sec,
                config.retransmit_burst_bytes,
            ),
            last_frame: None,
            reports_sent: [None; SR_HISTORY],
            reports_next: 0,
            sr_packets: 0,
            sr_octets: 0,
            frame_bytes: 0,
            frame_rate: FrameRate::default(),
            keyframe_requested: false,
            last_fir: None,
            stats: OutboundRtpStats {
                ssrc: config.ssrc,
                ..OutboundRtpStats::default()
            },
            remote: RemoteInboundRtpStats {
                ssrc: config.ssrc,
                ..RemoteInboundRtpStats::default()
            },
        };
        let fields = Fields {
            ssrc: 0,
            payload_type: 0,
            sequence_number: 0,
            timestamp: 0,
            marker: false,
        };
        let mut probe = [0u8; 64];
        sender.header_len = sender
            .emit_header(&mut probe, fields, Duration::ZERO, Some(0))
            .map_err(|_| Error::BadConfig)?;
        Ok(sender)
    }

    /// The media SSRC.
    pub const fn ssrc(&self) -> u32 {
        self.ssrc
    }

    /// The RTP header every packet of this stream carries, extensions included.
    pub const fn header_len(&self) -> usize {
        self.header_len
    }

    /// The payloader's `max_payload` for an `mtu`-byte IPv4 datagram and an SRTP tag of
    /// `srtp_tag` bytes: room for this stream's header and, with RTX, the 2-byte OSN a
    /// retransmission adds.
    pub const fn max_payload(&self, mtu: usize, srtp_tag: usize) -> usize {
        let rtx = if self.rtx.is_some() { 2 } else { 0 };
        codec::max_payload(mtu, self.header_len - HEADER_LEN + rtx, srtp_tag)
    }

    /// The next media sequence number.
    pub const fn next_sequence_number(&self) -> u16 {
        self.sequence
    }

    /// The retransmission ring (to inspect what is held).
    pub const fn ring(&self) -> &RetransmissionRing<BYTES, SLOTS> {
        &self.ring
    }

    /// Writes the RTP header into `out`, with the negotiated extensions.
    fn emit_header(
        &self,
        out: &mut [u8],
        f: Fields,
        now: Duration,
        transport_sequence: Option<u16>,
    ) -> Result<usize, Error> {
        let abs = AbsSendTime::from_micros(now.as_micros() as u64).to_bytes();
        let twcc = transport_sequence.unwrap_or(0).to_be_bytes();
        let mut header = Header::new(f.payload_type, f.sequence_number, f.timestamp, f.ssrc);
        header.marker = f.marker;
        if let Some(id) = self.mid_id {
            header.push_extension(id, &self.mid)?;
        }
        if let Some(id) = self.abs_id {
            header.push_extension(id, &abs)?;
        }
        if let (Some(id), Some(_)) = (self.twcc_id, transport_sequence) {
            header.push_extension(id, &twcc)?;
        }
        Ok(header.emit(out)?)
    }

    /// Starts sending one frame: `payloads` (a payloader's frame) with RTP timestamp
    /// `rtp_timestamp`, `keyframe` as the encoder says (for statistics). Drain
    /// [`FramePackets::next_into`] until it returns `None`.
    pub fn frame<'s, P: Payloads>(
        &'s mut self,
        now: Duration,
        rtp_timestamp: u32,
        keyframe: bool,
        payloads: P,
        transport: &'s mut TransportSequencer,
    ) -> FramePackets<'s, P, BYTES, SLOTS> {
        self.stats.frames_encoded = self.stats.frames_encoded.wrapping_add(1);
        if keyframe {
            self.stats.key_frames_encoded = self.stats.key_frames_encoded.wrapping_add(1);
        }
        self.last_frame = Some((now, rtp_timestamp));
        FramePackets {
            sender: self,
            transport,
            payloads,
            now,
            timestamp: rtp_timestamp,
            bytes: 0,
            done: false,
        }
    }

    /// Counts a packet in the statistics.
    fn count_sent(&mut self, now: Duration, payload: usize, retransmission: bool) {
        let s = &mut self.stats;
        s.packets_sent = s.packets_sent.wrapping_add(1);
        s.bytes_sent += payload as u64;
        s.header_bytes_sent += self.header_len as u64;
        s.last_packet_sent_timestamp = Some(now);
        if retransmission {
            s.retransmitted_packets_sent = s.retransmitted_packets_sent.wrapping_add(1);
            s.retransmitted_bytes_sent += payload as u64;
        }
    }

    /// A frame's packets were all written.
    fn frame_done(&mut self, now: Duration, bytes: u64) {
        let frames = u64::from(self.stats.frames_sent);
        // Huge: at least 2.5 times the average of the frames before it.
        if frames > 0 && bytes.saturating_mul(2 * frames) >= self.frame_bytes.saturating_mul(5) {
            self.stats.huge_frames_sent = self.stats.huge_frames_sent.wrapping_add(1);
        }
        self.frame_bytes = self.frame_bytes.saturating_add(bytes);
        self.stats.frames_sent = self.stats.frames_sent.wrapping_add(1);
        self.frame_rate.record(now);
    }

    /// The shortest time between two retransmissions of one packet: the smoothed round
    /// trip, at least [`MIN_RESEND_INTERVAL`].
    fn resend_interval(&self) -> Duration {
        self.remote
            .smoothed_round_trip_time
            .unwrap_or(Duration::ZERO)
            .max(MIN_RESEND_INTERVAL)
    }

    /// Takes a NACK: every lost sequence number still in the ring, and not resent within
    /// the last round trip, is queued for [`poll_retransmit`](Self::poll_retransmit).
    /// Returns how many were queued; a NACK for another SSRC is ignored (0).
    pub fn handle_nack(&mut self, now: Duration, nack: &Nack<'_>) -> usize {
        if nack.media_ssrc != self.ssrc {
            return 0;
        }
        self.stats.nack_count = self.stats.nack_count.wrapping_add(1);
        let now_ms = millis(now);
        let interval = self.resend_interval().as_millis() as u32;
        let mut queued = 0;
        for seq in nack.lost() {
            let s = &mut self.stats;
            match self.ring.resent_ms(seq) {
                None => s.nack_unknown = s.nack_unknown.wrapping_add(1),
                Some(Some(at)) if now_ms.wrapping_sub(at) < interval => {
                    s.nack_suppressed = s.nack_suppressed.wrapping_add(1);
                }
                Some(_) => {
                    if self.queue.push_back(seq).is_ok() {
                        self.ring.mark_resent(seq, now_ms);
                        queued += 1;
                    } else {
                        s.retransmits_dropped = s.retransmits_dropped.wrapping_add(1);
                    }
                }
            }
        }
        queued
    }

    /// Retransmissions still queued.
    pub fn pending_retransmits(&self) -> usize {
        self.queue.len()
    }

    /// Writes the next queued retransmission into `out`: the packet again (same SSRC and
    /// sequence number) without RTX, else an RTX packet (RFC 4588 §4: RTX SSRC, payload
    /// type and sequence number, the original sequence number before the payload). Both
    /// get a fresh transport-wide sequence number and send time. `None` when nothing is
    /// queued; a request over the byte budget, or for a packet evicted meanwhile, is
    /// dropped. `BufferTooSmall` leaves the request queued.
    pub fn poll_retransmit(
        &mut self,
        now: Duration,
        transport: &mut TransportSequencer,
        out: &mut [u8],
    ) -> Result<Option<Sent>, Error> {
        let osn_len = if self.rtx.is_some() { 2 } else { 0 };
        let h = self.header_len;
        loop {
            let Some(&seq) = self.queue.front() else {
                return Ok(None);
            };
            let Some(stored) = self.ring.get(seq) else {
                self.queue.pop_front();
                continue;
            };
            let stored = Packet::new_unchecked(stored);
            let payload = stored.payload();
            let len = h + osn_len + payload.len();
            let body = out
                .get_mut(h..len)
                .ok_or(crate::Error::BufferTooSmall { needed: len })?;
            self.queue.pop_front();
            if !self.budget.take(now, len) {
                self.stats.retransmits_dropped = self.stats.retransmits_dropped.wrapping_add(1);
                continue;
            }
            let (osn, rest) = body.split_at_mut(osn_len);
            osn.copy_from_slice(seq.to_be_bytes().get(..osn_len).unwrap_or_default());
            rest.copy_from_slice(payload);
            let (timestamp, marker, payload_len) =
                (stored.timestamp(), stored.marker(), payload.len());
            let fields = match &mut self.rtx {
                None => Fields {
                    ssrc: self.ssrc,
                    payload_type: self.payload_type,
                    sequence_number: seq,
                    timestamp,
                    marker,
                },
                Some(rtx) => {
                    let n = rtx.initial_sequence;
                    rtx.initial_sequence = n.wrapping_add(1);
                    Fields {
                        ssrc: rtx.ssrc,
                        payload_type: rtx.payload_type,
                        sequence_number: n,
                        timestamp,
                        marker,
                    }
                }
            };
            let twcc = self.twcc_id.map(|_| transport.next_sequence());
            self.emit_header(out, fields, now, twcc)?;
            self.count_sent(now, payload_len, true);
            if self.rtx.is_none() {
                self.sr_packets = self.sr_packets.wrapping_add(1);
                self.sr_octets = self.sr_octets.wrapping_add(payload_len as u32);
            }
            return Ok(Some(Sent {
                len,
                ssrc: fields.ssrc,
                sequence_number: fields.sequence_number,
                transport_sequence: twcc,
                marker,
                retransmission: true,
            }));
        }
    }

    /// Takes a PLI: a key frame is wanted ([`take_keyframe_request`]). Returns whether it
    /// was about this stream.
    ///
    /// [`take_keyframe_request`]: Self::take_keyframe_request
    pub fn handle_pli(&mut self, pli: &Pli) -> bool {
        if pli.media_ssrc != self.ssrc {
            return false;
        }
        self.stats.pli_count = self.stats.pli_count.wrapping_add(1);
        self.keyframe_requested = true;
        true
    }

    /// Takes a FIR (RFC 5104 §4.3.1): an entry naming this stream asks for a key frame,
    /// unless it repeats the command sequence number of the last request from the same
    /// requester (a retransmitted FIR). Returns whether a key frame is now wanted.
    pub fn handle_fir(&mut self, fir: &Fir<'_>) -> bool {
        let Some(entry) = fir.entries.iter().find(|e| e.ssrc == self.ssrc) else {
            return false;
        };
        self.stats.fir_count = self.stats.fir_count.wrapping_add(1);
        let request = (fir.sender_ssrc, entry.sequence);
        if self.last_fir == Some(request) {
            return false;
        }
        self.last_fir = Some(request);
        self.keyframe_requested = true;
        true
    }

    /// Whether a PLI or FIR asked for a key frame since the last call (then cleared): the
    /// encoder should produce one.
    pub fn take_keyframe_request(&mut self) -> bool {
        core::mem::take(&mut self.keyframe_requested)
    }

    /// Takes one report block from a receiver (or sender) report: a block about this
    /// stream updates the remote-inbound statistics and, when its LSR matches one of our
    /// recent sender reports, measures the round trip (RFC 3550 §6.4.1: time since that
    /// report, on our monotonic clock, minus DLSR). Returns whether it was about us.
    pub fn handle_report_block(&mut self, now: Duration, block: &ReportBlock) -> bool {
        if block.ssrc != self.ssrc {
            return false;
        }
        let r = &mut self.remote;
        r.reports_received = r.reports_received.wrapping_add(1);
        r.fraction_lost = block.fraction_lost;
        r.packets_lost = block.cumulative_lost;
        let nanos = u64::from(block.jitter) * 1_000_000_000 / u64::from(self.clock.rate().max(1));
        r.jitter = Duration::from_nanos(nanos);
        let sent = self
            .reports_sent
            .iter()
            .flatten()
            .find(|(mid, _)| block.last_sr != 0 && *mid == block.last_sr);
        if let Some(&(_, sent_at)) = sent {
            // DLSR is in 1/65536 s.
            let dlsr = u64::from(block.delay_since_last_sr) * 1_000_000 / 65_536;
            let since = now.checked_sub(sent_at);
            if let Some(rtt) = since.and_then(|s| s.checked_sub(Duration::from_micros(dlsr))) {
                r.round_trip_time = Some(rtt);
                r.smoothed_round_trip_time = Some(match r.smoothed_round_trip_time {
                    None => rtt,
                    Some(s) => (s * 7 + rtt) / 8,
                });
                r.total_round_trip_time = r.total_round_trip_time.saturating_add(rtt);
                r.round_trip_time_measurements = r.round_trip_time_measurements.wrapping_add(1);
            }
        }
        true
    }

    /// Takes one received RTCP packet: NACK, PLI, FIR and the report blocks of SR/RR go
    /// to the handlers above; anything else (or about another stream) is ignored.
    pub fn handle_rtcp(&mut self, now: Duration, packet: &rtcp::Repr<'_>) {
        match packet {
            rtcp::Repr::Nack(n) => {
                self.handle_nack(now, n);
            }
            rtcp::Repr::Pli(p) => {
                self.handle_pli(p);
            }
            rtcp::Repr::Fir(f) => {
                self.handle_fir(f);
            }
            rtcp::Repr::ReceiverReport(rr) => {
                for b in rr.reports.iter() {
                    self.handle_report_block(now, &b);
                }
            }
            rtcp::Repr::SenderReport(sr) => {
                for b in sr.reports.iter() {
                    self.handle_report_block(now, &b);
                }
            }
            _ => {}
        }
    }

    /// The RTP timestamp for `now`: the last frame's timestamp moved on at the clock
    /// rate. `None` before the first frame.
    pub fn rtp_time(&self, now: Duration) -> Option<u32> {
        let (at, ts) = self.last_frame?;
        Some(match now.checked_sub(at) {
            Some(ahead) => ts.wrapping_add(self.clock.ticks(ahead)),
            None => ts.wrapping_sub(self.clock.ticks(at.saturating_sub(now))),
        })
    }

    /// A sender report for `now` (`ntp`: the wall clock as 64-bit NTP, [`ntp_from_unix`]),
    /// without report blocks (set `reports` to add some), remembered for round-trip
    /// measurement. `NothingSent` before the first frame.
    pub fn sender_report(
        &mut self,
        now: Duration,
        ntp: u64,
    ) -> Result<rtcp::SenderReport<'static>, Error> {
        let rtp_time = self.rtp_time(now).ok_or(Error::NothingSent)?;
        if let Some(slot) = self.reports_sent.get_mut(self.reports_next) {
            *slot = Some(((ntp >> 16) as u32, now));
        }
        self.reports_next = (self.reports_next + 1) % SR_HISTORY;
        Ok(rtcp::SenderReport {
            ssrc: self.ssrc,
            ntp_time: ntp,
            rtp_time,
            packet_count: self.sr_packets,
            octet_count: self.sr_octets,
            reports: List::from_values(&[]),
            extension: &[],
        })
    }

    /// Writes a compound RTCP packet into `out`: a [`sender_report`](Self::sender_report)
    /// with `reports` (reception reports for streams we receive, at most 31) and an SDES
    /// with our `cname` (RFC 3550 §6.1: every compound carries it). Returns its length.
    pub fn write_sender_report(
        &mut self,
        now: Duration,
        ntp: u64,
        cname: &[u8],
        reports: &[ReportBlock],
        out: &mut [u8],
    ) -> Result<usize, Error> {
        let mut sr = self.sender_report(now, ntp)?;
        sr.reports = List::from_values(reports);
        let items = [SdesItem {
            kind: rtcp::sdes_type::CNAME,
            text: cname,
        }];
        let chunks = [SdesChunk {
            ssrc: self.ssrc,
            items: rtcp::SdesItems::from_values(&items),
        }];
        let packets = [
            rtcp::Repr::SenderReport(sr),
            rtcp::Repr::Sdes(Sdes::new(&chunks)),
        ];
        Ok(rtcp::emit_compound(&packets, out)?)
    }

    /// The outbound statistics at `now` (which the frame rate is measured back from).
    pub fn stats(&self, now: Duration) -> OutboundRtpStats {
        OutboundRtpStats {
            frames_per_second: self.frame_rate.per_second(now),
            ..self.stats
        }
    }

    /// What the peer reported about receiving this stream.
    pub const fn remote_inbound_stats(&self) -> RemoteInboundRtpStats {
        self.remote
    }
}

/// The packets of one frame, written one at a time by [`FramePackets::next_into`].
#[derive(Debug)]
pub struct FramePackets<'s, P, const BYTES: usize, const SLOTS: usize> {
    sender: &'s mut Sender<BYTES, SLOTS>,
    transport: &'s mut TransportSequencer,
    payloads: P,
    now: Duration,
    timestamp: u32,
    bytes: u64,
    done: bool,
}

impl<P: Payloads, const BYTES: usize, const SLOTS: usize> FramePackets<'_, P, BYTES, SLOTS> {
    /// Writes the next packet of the frame at the start of `out` (at least the header
    /// plus the payloader's `max_payload` long) and keeps a copy for retransmission;
    /// `None` once the frame is sent.
    pub fn next_into(&mut self, out: &mut [u8]) -> Result<Option<Sent>, Error> {
        if self.done {
            return Ok(None);
        }
        let s = &mut *self.sender;
        let h = s.header_len;
        let body = out
            .get_mut(h..)
            .ok_or(crate::Error::BufferTooSmall { needed: h + 1 })?;
        let Some(meta) = self.payloads.next_into(body)? else {
            self.done = true;
            s.frame_done(self.now, self.bytes);
            return Ok(None);
        };
        let fields = Fields {
            ssrc: s.ssrc,
            payload_type: s.payload_type,
            sequence_number: s.sequence,
            timestamp: self.timestamp.wrapping_add(meta.timestamp_offset),
            marker: meta.marker,
        };
        let twcc = s.twcc_id.map(|_| self.transport.next_sequence());
        s.emit_header(out, fields, self.now, twcc)?;
        let len = h + meta.len;
        s.ring.push(s.sequence, out.get(..len).unwrap_or_default());
        s.sequence = s.sequence.wrapping_add(1);
        s.sr_packets = s.sr_packets.wrapping_add(1);
        s.sr_octets = s.sr_octets.wrapping_add(meta.len as u32);
        s.count_sent(self.now, meta.len, false);
        self.bytes += meta.len as u64;
        Ok(Some(Sent {
            len,
            ssrc: fields.ssrc,
            sequence_number: fields.sequence_number,
            transport_sequence: twcc,
            marker: meta.marker,
            retransmission: false,
        }))
    }
}
