//! Statistics, named after the W3C `RTCStatsReport` members (as the KVS WebRTC SDK
//! spells them, in snake_case): what the camera reports to its operator and what the
//! peer layer turns into `getStats`-style output.
//!
//! Counters are integers and times are [`Duration`]s: no floats on the media path.

use core::time::Duration;

/// `RTCOutboundRtpStreamStats`: one stream we send, as counted by a
/// [`Sender`](crate::sender::Sender).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboundRtpStats {
    /// The media SSRC.
    pub ssrc: u32,
    /// RTP packets sent, retransmissions (plain and RTX) included.
    pub packets_sent: u32,
    /// Payload bytes sent (headers and padding excluded), retransmissions included.
    pub bytes_sent: u64,
    /// RTP header bytes (fixed header and extensions) of those packets.
    pub header_bytes_sent: u64,
    /// Frames handed to the sender.
    pub frames_encoded: u32,
    /// Frames whose every packet was written.
    pub frames_sent: u32,
    /// Frames marked as key frames when handed to the sender.
    pub key_frames_encoded: u32,
    /// Frames at least 2.5 times the average size of the frames sent before them.
    pub huge_frames_sent: u32,
    /// Frames sent during the last second (10 windows of 100 ms).
    pub frames_per_second: u32,
    /// NACK packets received for this stream.
    pub nack_count: u32,
    /// PLI packets received for this stream.
    pub pli_count: u32,
    /// FIR packets received naming this stream (repeated sequence numbers included).
    pub fir_count: u32,
    /// Packets sent again in answer to NACKs.
    pub retransmitted_packets_sent: u32,
    /// Payload bytes of those retransmissions (the RTX OSN excluded).
    pub retransmitted_bytes_sent: u64,
    /// When the last packet was written (the caller's clock).
    pub last_packet_sent_timestamp: Option<Duration>,
    /// rtcam: NACKed sequence numbers no longer (or never) held by the ring.
    pub nack_unknown: u32,
    /// rtcam: NACKed sequence numbers not resent because they were resent within the
    /// last round trip (or were already queued).
    pub nack_suppressed: u32,
    /// rtcam: retransmissions dropped because the queue was full or the byte budget
    /// was spent.
    pub retransmits_dropped: u32,
}

/// `RTCRemoteInboundRtpStreamStats`: how the peer receives one stream we send, from the
/// report blocks of its RTCP receiver (or sender) reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RemoteInboundRtpStats {
    /// The media SSRC the reports are about.
    pub ssrc: u32,
    /// The latest round-trip time measurement (RFC 3550 §6.4.1, from LSR and DLSR).
    pub round_trip_time: Option<Duration>,
    /// rtcam: the round-trip time smoothed as RFC 6298 does (7/8 old + 1/8 new).
    pub smoothed_round_trip_time: Option<Duration>,
    /// Sum of every measurement (with the count below, the mean).
    pub total_round_trip_time: Duration,
    /// Round-trip time measurements made.
    pub round_trip_time_measurements: u32,
    /// Fraction lost since the previous report, in 1/256 (as on the wire).
    pub fraction_lost: u8,
    /// Cumulative packets lost (negative with duplicates).
    pub packets_lost: i32,
    /// Interarrival jitter, converted from timestamp units with the clock rate.
    pub jitter: Duration,
    /// Report blocks received about this stream.
    pub reports_received: u32,
}

/// `RTCInboundRtpStreamStats`: one stream we receive, as counted by a
/// [`JitterBuffer`](crate::receiver::JitterBuffer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InboundRtpStats {
    /// The remote media SSRC.
    pub ssrc: u32,
    /// RTP packets received (duplicates, late ones and retransmissions included).
    pub packets_received: u64,
    /// Payload bytes of those packets (headers and padding excluded).
    pub bytes_received: u64,
    /// Expected minus received (RFC 3550 A.3): negative with duplicates.
    pub packets_lost: i64,
    /// Interarrival jitter (RFC 3550 A.8), converted from timestamp units.
    pub jitter: Duration,
    /// Packets dropped unplayed: arrived after their turn, evicted from a full buffer,
    /// or refused (sequence jump, too large).
    pub packets_discarded: u64,
    /// Packets received twice while the first copy was still held.
    pub packets_duplicated: u64,
    /// Sum of every released packet's wait in the jitter buffer (arrival to release);
    /// divide by `jitter_buffer_emitted_count` for the mean.
    pub jitter_buffer_delay: Duration,
    /// Packets released by the jitter buffer.
    pub jitter_buffer_emitted_count: u64,
    /// Complete frames the depayloader rebuilt (ready for the decoder).
    pub frames_received: u32,
    /// Of those, keyframes.
    pub key_frames_received: u32,
    /// Frames the depayloader reported as dropped (loss, damage, overflow).
    pub frames_dropped: u32,
    /// NACK packets sent for this stream.
    pub nack_count: u32,
    /// PLI packets sent for this stream.
    pub pli_count: u32,
    /// FIR packets sent for this stream.
    pub fir_count: u32,
    /// SRTP packets of this stream that failed authentication or decryption: the SRTP
    /// layer (before the jitter buffer) increments it.
    pub decryption_failures: u32,
    /// When the last packet arrived (the caller's clock).
    pub last_packet_received_timestamp: Option<Duration>,
}

impl InboundRtpStats {
    /// All zero (a `const` [`Default`]).
    pub const fn new() -> InboundRtpStats {
        InboundRtpStats {
            ssrc: 0,
            packets_received: 0,
            bytes_received: 0,
            packets_lost: 0,
            jitter: Duration::ZERO,
            packets_discarded: 0,
            packets_duplicated: 0,
            jitter_buffer_delay: Duration::ZERO,
            jitter_buffer_emitted_count: 0,
            frames_received: 0,
            key_frames_received: 0,
            frames_dropped: 0,
            nack_count: 0,
            pli_count: 0,
            fir_count: 0,
            decryption_failures: 0,
            last_packet_received_timestamp: None,
        }
    }
}
