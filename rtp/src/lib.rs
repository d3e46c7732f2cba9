//! RTP and RTCP for rtcam (RFC 3550, RFC 8285, RFC 4585, RFC 5104, RFC 5506): no_std, no
//! alloc, no panics on input.
//!
//! RTP, in the smoltcp style:
//! - [`Packet`] is a checked, zero-copy view: [`Packet::new_checked`] validates version,
//!   CSRC list, extension block and padding, then every accessor is cheap and panic-free.
//!   Setters rewrite sequence number, timestamp, SSRC, payload type and marker in place
//!   (retransmission, RTX).
//! - [`Header`] is the Repr: [`Header::parse`] (or [`Header::parse_packet`] for header +
//!   payload) and [`Header::emit`] / [`Header::emit_packet`] into a caller buffer.
//! - Header extensions (RFC 8285): [`ElementIter`] walks a one-byte (0xBEDE) or two-byte
//!   (0x100X) block, [`emit_elements`] writes one in the smallest form that fits.
//!   [`ExtensionMap`] holds the ids SDP negotiated for the extensions WebRTC uses
//!   ([`ExtensionKind`]: `sdes:mid`, transport-wide sequence number, abs-send-time,
//!   audio level) and [`ExtensionValue`] decodes/encodes their values.
//!
//! RTCP lives in [`rtcp`]: [`rtcp::Compound`] checks a datagram and walks its packets,
//! [`rtcp::Repr`] decodes and writes SR, RR, SDES, BYE, APP, generic NACK, PLI, FIR, REMB
//! and transport-wide CC feedback, and [`rtcp::emit_compound`] writes several back to
//! back. Lists inside packets borrow the received bytes (decoded on demand) or the
//! caller's values, so every RTCP Repr is a few words.
//!
//! ```
//! use rtcam_rtp::{AbsSendTime, ExtensionKind, ExtensionMap, ExtensionValue, Header, Packet};
//!
//! let mut map = ExtensionMap::new();
//! map.set(ExtensionKind::Mid, 4).unwrap();
//! map.set(ExtensionKind::TransportCc, 3).unwrap();
//!
//! let twcc = 513u16.to_be_bytes();
//! let mut header = Header::new(96, 1000, 90_000, 0x1234_5678);
//! header.marker = true;
//! header.push_extension(4, b"0").unwrap();
//! header.push_extension(3, &twcc).unwrap();
//! let mut buf = [0u8; 1200];
//! let n = header.emit_packet(b"frame", 0, &mut buf).unwrap();
//!
//! let packet = Packet::new_checked(&buf[..n]).unwrap();
//! assert_eq!(packet.sequence_number(), 1000);
//! assert_eq!(packet.payload(), b"frame");
//! let (parsed, payload) = Header::parse_packet(&buf[..n]).unwrap();
//! assert_eq!(parsed, header);
//! assert_eq!(payload, b"frame");
//! assert_eq!(
//!     parsed.extension_value(&map, ExtensionKind::TransportCc),
//!     Some(Ok(ExtensionValue::TransportCc(513)))
//! );
//! # let _ = AbsSendTime::from_micros(0);
//! ```
//!
//! # Deliberate shortcuts
//!
//! - [`Header`] holds at most [`MAX_EXTENSION_ELEMENTS`] extension elements; a packet
//!   with more is refused by the Repr (`TooManyExtensions`) while the [`Packet`] view still
//!   iterates them all.
//! - The two-byte form's 4 "appbits" are not kept, and re-emitting picks the smallest
//!   form: a two-byte block whose elements all fit the one-byte form comes back one-byte.
//!   Padding between elements is not kept either (RFC 8285 makes it meaningless).
//! - In the one-byte form a byte with id 0 is skipped as one padding byte whatever its
//!   length nibble says (as libwebrtc does); id 15 ends the element list (RFC 8285 §4.2).
//! - A malformed RFC 8285 element list makes [`Header::parse`] fail (`BadExtension`); the
//!   [`Packet`] view accepts the packet (RFC 3550 structure is fine) and reports the
//!   problem only from [`Packet::extension_elements`].
//! - RTCP compounds must start with SR or RR, or with a feedback packet (RTPFB/PSFB), which
//!   is how RFC 5506 reduced-size datagrams are recognised; any packet may follow. The
//!   lenient [`rtcp::CompoundIter::new`] skips the first-packet rule.
//! - The contents of padding (RTCP P bit, SDES chunk padding after END, BYE reason
//!   padding) are not checked: webrtc-rs, for one, writes non-zero bytes after SDES END.
//! - Packet types and FMTs not listed in [`rtcp::Repr`] (XR, SLI, RPSI, TMMBR...) are
//!   `Unsupported`; the compound walk still steps over them.
//! - TWCC: the reserved status symbol `11` is rejected (`Malformed`); up to 3 trailing
//!   bytes without the P bit are accepted as alignment. The reference time is kept as
//!   the raw 24-bit field (unsigned); [`rtcp::TransportFeedback::arrivals`] builds times
//!   from it. Received chunks are re-emitted verbatim; values are encoded with the
//!   greedy strategy documented on the encoder (run-length, else 1-bit, else 2-bit).
//! - REMB bitrates are `u64`, clamped to [`rtcp::MAX_REMB_BITRATE`] (18-bit mantissa,
//!   exponent up to 46) and rounded down to 18 significant bits when written.
//! - Cumulative loss in report blocks is clamped to the 24-bit signed range on emit.
//! - Sender: no SR for the RTX SSRC (only the media SSRC reports; SR counts include
//!   plain resends, not RTX). RTT is measured only against the last 4 SRs we sent, on the
//!   monotonic clock. FIR repeats are recognised against the last (requester, sequence
//!   number) pair only. A NACKed packet queued but then refused by the byte budget counts
//!   as resent for the resend interval. abs-send-time is taken from `now`, not from the
//!   wall clock (receivers use only its differences).
//! - Receiver ([`receiver`]): a new source has no RFC 3550 A.1 probation (SRTP already
//!   authenticated it); the first packet is held [`receiver::Config::reorder_wait`] so
//!   packets reordered before it still count. Reordering tolerance is 1000 sequence
//!   numbers (A.1 uses 100) because NACKed retransmissions arrive late. Interarrival
//!   jitter is updated only by packets that advance the highest sequence number (late and
//!   retransmitted ones would inflate it). A duplicate of an already released packet is
//!   counted as discarded, not duplicated. TWCC arrivals of sequence numbers already
//!   reported (as lost) are ignored, not reported again.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

mod bytes;
pub mod codec;
mod error;
mod ext;
mod packet;
pub mod receiver;
pub mod rtcp;
pub mod sender;
pub mod stats;

pub use error::Error;
pub use ext::{
    AbsSendTime, Element, ElementIter, Extension, ExtensionElements, ExtensionForm, ExtensionKind,
    ExtensionMap, ExtensionValue, MAX_EXTENSION_ELEMENTS, PROFILE_ONE_BYTE, PROFILE_TWO_BYTE,
    elements_len, emit_elements,
};
pub use packet::{Csrcs, HEADER_LEN, Header, MAX_CSRCS, Packet, VERSION};
