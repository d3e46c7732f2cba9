//! SDP (RFC 8866) and the offer/answer rules WebRTC needs (RFC 3264, RFC 8829 JSEP), for
//! rtcam: no_std, no alloc, no panics on input.
//!
//! - [`Sdp`] is a view over the description's text. [`Sdp::parse`] checks it once — line
//!   syntax, `v=`/`o=`, every `m=` line, the grammar of every attribute WebRTC uses, and
//!   [`Limits`] on length, sections, formats, attributes and candidates — then
//!   [`Media`] sections and typed [`Attribute`]s are read straight from the text, with
//!   nothing copied. The KVS C SDK keeps ~840 KB of fixed structs per negotiation; a
//!   parsed [`Sdp`] is a few hundred bytes.
//! - [`Negotiated::answer`] answers an offer (Chromium, Firefox, Safari, native libwebrtc,
//!   our viewer, the KVS storage session) against local [`Capabilities`];
//!   [`Negotiated::write_answer`] writes the answer into any [`core::fmt::Write`], such as
//!   a [`SliceWriter`] over caller storage. [`Offer`] and [`Negotiated::from_answer`] do
//!   the viewer's side.
//! - [`Candidate`] reads and writes `a=candidate` lines; [`CandidateInit`] converts them
//!   to and from the JSON KVS signaling trickles.
//!
//! ```
//! use rtcam_sdp::{Capabilities, Fingerprint, HashAlgorithm, Local, MediaKind, Negotiated,
//!     Sdp, SendStream, SliceWriter};
//!
//! let offer = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
//!     m=video 9 UDP/TLS/RTP/SAVPF 102 103\r\nc=IN IP4 0.0.0.0\r\n\
//!     a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuv\r\n\
//!     a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F\r\n\
//!     a=setup:actpass\r\na=mid:0\r\na=recvonly\r\na=rtcp-mux\r\n\
//!     a=rtpmap:102 H264/90000\r\n\
//!     a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n\
//!     a=rtcp-fb:102 nack pli\r\na=rtpmap:103 rtx/90000\r\na=fmtp:103 apt=102\r\n";
//! let offer: Sdp = Sdp::parse(offer).unwrap();
//! let agreed: Negotiated = Negotiated::answer(&offer, &Capabilities::CAMERA).unwrap();
//! let video = agreed.section(MediaKind::Video).unwrap();
//! assert_eq!((video.codecs[0].pt, video.codecs[0].rtx), (102, Some(103)));
//!
//! let local = Local {
//!     session_id: 42, session_version: 1, ice_ufrag: "wxyz", ice_pwd: "0123456789abcdefghijkl",
//!     ice_lite: false, fingerprint: Fingerprint::new(HashAlgorithm::Sha256, &[7; 32]).unwrap(),
//!     cname: "cam", stream_id: "s", video: Some(SendStream { track_id: "v", ssrc: 1, rtx_ssrc: 2 }),
//!     audio: None, candidates: &[], end_of_candidates: false, relay_only: false,
//!     max_message_size: 262_144,
//! };
//! let mut buf = [0u8; 4096];
//! let mut out = SliceWriter::new(&mut buf);
//! agreed.write_answer(&local, &mut out).unwrap();
//! assert!(out.as_str().contains("a=sendonly\r\n"));
//! ```
//!
//! # Deliberate shortcuts
//!
//! - One transport: several accepted sections must be in one `a=group:BUNDLE`; RTP
//!   sections must offer `a=rtcp-mux`. Only the first audio, video and data section is
//!   accepted; later ones of the same kind are rejected (port 0).
//! - `a=setup` absent is read as `active` (RFC 4145's default); `holdconn` likewise.
//! - Data channels only in the RFC 8841 form (`UDP/DTLS/SCTP webrtc-datachannel` +
//!   `a=sctp-port`); the pre-standard `DTLS/SCTP 5000` + `a=sctpmap` form is rejected.
//! - Codecs outside H.264, H.265, VP8, Opus, PCMU and PCMA (VP9, AV1, red, ulpfec, flexfec,
//!   G.722, telephone-event...) are never agreed. H.264 matches on profile (from
//!   `profile-level-id`'s `profile_idc` and constraint flags) and packetization mode;
//!   H.265 on profile and tier.
//! - Extension attributes of `a=candidate` that we do not know are skipped (and counted),
//!   not written back. `a=ice-ufrag`/`a=ice-pwd` shorter than RFC 8839's minimum are
//!   accepted (some peers send them).
//! - `a=rid` and `a=simulcast` are parsed and kept, not negotiated.
//! - `o=` session ids are kept as text (they may exceed 64 bits); unknown type letters
//!   and unknown attributes are kept in the text and skipped, never fatal. A known
//!   attribute that breaks its grammar rejects the description (with its line number),
//!   as browsers do.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

mod attribute;
mod candidate;
mod codec;
mod description;
mod error;
mod fingerprint;
mod index;
mod kvs;
mod negotiate;
mod text;
mod write;

pub use attribute::{
    Attribute, Direction, Extmap, Fmtp, Rid, RtcpFb, Rtpmap, Setup, SsrcAttribute,
};
pub use candidate::{Address, Candidate, CandidateKind, TcpType, Transport};
pub use codec::{Codec, H264, H264Profile, H265, ProfileLevelId};
pub use description::{Attributes, Limits, MAX_MEDIA, Media, MediaKind, MediaLine, Origin, Sdp};
pub use error::{AttributeError, NegotiationError, ParseError, ParseErrorKind};
pub use fingerprint::{Fingerprint, HashAlgorithm};
pub use kvs::{CandidateInit, CandidateJsonError, KVS_MAX_PAYLOAD, kvs_payload_len};
pub use negotiate::{
    Capabilities, DtlsRole, ExtensionIds, Extensions, Feedback, Local, MAX_CODECS, Negotiated,
    Offer, Payload, Sctp, Section, SendStream,
};
pub use text::Tokens;
pub use write::SliceWriter;
