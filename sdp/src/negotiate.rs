//! Offer/answer (RFC 3264, RFC 8829 JSEP) as a KVS camera and viewer need it.
//!
//! - Master: [`Negotiated::answer`] reads a viewer's offer against our [`Capabilities`];
//!   [`Negotiated::write_answer`] writes the answer.
//! - Viewer: [`Offer::new`] + [`Offer::write`] make an offer;
//!   [`Negotiated::from_answer`] reads the master's answer.
//!
//! Either way the result is a [`Negotiated`]: the remote transport (ICE credentials,
//! certificate fingerprint, our DTLS role) and, per `m=` line, what was agreed (payload
//! types with their codec, RTX and RTCP feedback, header extension ids, directions, SCTP).

use core::fmt;

use heapless::Vec;

use crate::attribute::{Attribute, Direction, Setup};
use crate::candidate::{Candidate, CandidateKind};
use crate::codec::{Codec, H264, ProfileLevelId};
use crate::description::{MAX_MEDIA, Media, MediaKind, Sdp};
use crate::error::NegotiationError;
use crate::fingerprint::Fingerprint;
use crate::index::{PayloadIndex, Summary};
use crate::text::is_token;
use crate::write::Lines;

/// The most payload types (codecs, each with its RTX) agreed per media section.
pub const MAX_CODECS: usize = 4;

/// RTCP feedback mechanisms (RFC 4585, RFC 5104, REMB, transport-cc), as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Feedback(u8);

impl Feedback {
    /// None.
    pub const NONE: Feedback = Feedback(0);
    /// `nack`: generic NACK, retransmissions.
    pub const NACK: Feedback = Feedback(1);
    /// `nack pli`: picture loss indication.
    pub const PLI: Feedback = Feedback(2);
    /// `ccm fir`: full intra request.
    pub const FIR: Feedback = Feedback(4);
    /// `goog-remb`: receiver estimated maximum bitrate.
    pub const REMB: Feedback = Feedback(8);
    /// `transport-cc`: transport-wide congestion control feedback.
    pub const TRANSPORT_CC: Feedback = Feedback(16);
    /// Everything rtcam implements.
    pub const ALL: Feedback = Feedback(31);

    const LINES: [(Feedback, &'static str, Option<&'static str>); 5] = [
        (Feedback::NACK, "nack", None),
        (Feedback::PLI, "nack", Some("pli")),
        (Feedback::FIR, "ccm", Some("fir")),
        (Feedback::REMB, "goog-remb", None),
        (Feedback::TRANSPORT_CC, "transport-cc", None),
    ];

    /// Whether every mechanism of `other` is in `self`.
    pub const fn contains(self, other: Feedback) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets together.
    pub const fn union(self, other: Feedback) -> Feedback {
        Feedback(self.0 | other.0)
    }

    /// What both sets have.
    pub const fn intersection(self, other: Feedback) -> Feedback {
        Feedback(self.0 & other.0)
    }

    pub(crate) fn from_line(kind: &str, parameter: Option<&str>) -> Feedback {
        Feedback::LINES
            .iter()
            .find(|(_, k, p)| *k == kind && *p == parameter)
            .map_or(Feedback::NONE, |(f, _, _)| *f)
    }
}

/// The RTP header extensions rtcam uses (RFC 8285), as a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Extensions(u8);

impl Extensions {
    /// None.
    pub const NONE: Extensions = Extensions(0);
    /// `urn:ietf:params:rtp-hdrext:sdes:mid` (BUNDLE demultiplexing).
    pub const MID: Extensions = Extensions(1);
    /// Transport-wide sequence numbers (for transport-cc feedback).
    pub const TRANSPORT_CC: Extensions = Extensions(2);
    /// `abs-send-time` (for REMB).
    pub const ABS_SEND_TIME: Extensions = Extensions(4);
    /// All three.
    pub const ALL: Extensions = Extensions(7);

    /// The URI of `urn:ietf:params:rtp-hdrext:sdes:mid`.
    pub const MID_URI: &'static str = "urn:ietf:params:rtp-hdrext:sdes:mid";
    /// The URI of transport-wide sequence numbers.
    pub const TRANSPORT_CC_URI: &'static str =
        "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
    /// The URI of abs-send-time.
    pub const ABS_SEND_TIME_URI: &'static str =
        "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

    /// Whether every extension of `other` is in `self`.
    pub const fn contains(self, other: Extensions) -> bool {
        self.0 & other.0 == other.0
    }

    /// Both sets together.
    pub const fn union(self, other: Extensions) -> Extensions {
        Extensions(self.0 | other.0)
    }
}

/// The negotiated ids of the header extensions (`None`: not in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct ExtensionIds {
    /// `sdes:mid`.
    pub mid: Option<u8>,
    /// Transport-wide sequence number.
    pub transport_cc: Option<u8>,
    /// abs-send-time.
    pub abs_send_time: Option<u8>,
}

impl ExtensionIds {
    pub(crate) fn slot(&mut self, uri: &str) -> Option<(Extensions, &mut Option<u8>)> {
        Some(match uri {
            Extensions::MID_URI => (Extensions::MID, &mut self.mid),
            Extensions::TRANSPORT_CC_URI => (Extensions::TRANSPORT_CC, &mut self.transport_cc),
            Extensions::ABS_SEND_TIME_URI => (Extensions::ABS_SEND_TIME, &mut self.abs_send_time),
            _ => return None,
        })
    }

    fn each(&self) -> impl Iterator<Item = (u8, &'static str)> {
        [
            (self.mid, Extensions::MID_URI),
            (self.abs_send_time, Extensions::ABS_SEND_TIME_URI),
            (self.transport_cc, Extensions::TRANSPORT_CC_URI),
        ]
        .into_iter()
        .filter_map(|(id, uri)| Some((id?, uri)))
    }
}

/// One agreed payload type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Payload {
    /// The payload type (the offerer's numbering).
    pub pt: u8,
    /// The codec, with the parameters we announce.
    pub codec: Codec,
    /// The RTX payload type carrying its retransmissions (RFC 4588), if agreed.
    pub rtx: Option<u8>,
    /// The RTCP feedback agreed for it.
    pub feedback: Feedback,
}

/// The agreed data channel transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sctp {
    /// The remote SCTP port (`a=sctp-port`, 5000 when absent).
    pub port: u16,
    /// The largest message the remote accepts (`a=max-message-size`; 65536 when absent,
    /// 0 = no limit).
    pub max_message_size: u64,
}

/// What was agreed for one `m=` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section<'a> {
    /// The `m=` line index.
    pub mline: usize,
    /// `a=mid`.
    pub mid: Option<&'a str>,
    /// The kind of media.
    pub kind: MediaKind,
    /// Whether the section is in use (`false`: rejected, port 0).
    pub accepted: bool,
    /// Our direction.
    pub direction: Direction,
    /// The agreed payload types, in our preference order (the first is what we send).
    pub codecs: Vec<Payload, MAX_CODECS>,
    /// The agreed header extension ids.
    pub extensions: ExtensionIds,
    /// Whether reduced-size RTCP is agreed.
    pub rtcp_rsize: bool,
    /// The remote's media SSRC, if it announced one (`a=ssrc` / `a=ssrc-group:FID`).
    pub remote_ssrc: Option<u32>,
    /// The remote's RTX SSRC, from `a=ssrc-group:FID`.
    pub remote_rtx_ssrc: Option<u32>,
    /// The data channel transport, for an accepted `application` section.
    pub sctp: Option<Sctp>,
    media: &'a str,
    proto: &'a str,
    first_format: &'a str,
}

impl<'a> Section<'a> {
    fn rejected(m: &Media<'a>, summary: &Summary<'a>) -> Self {
        let line = m.line();
        Section {
            mline: m.index(),
            mid: summary.mid,
            kind: m.kind(),
            accepted: false,
            direction: Direction::Inactive,
            codecs: Vec::new(),
            extensions: ExtensionIds::default(),
            rtcp_rsize: false,
            remote_ssrc: None,
            remote_rtx_ssrc: None,
            sctp: None,
            media: line.media,
            proto: line.proto,
            first_format: line.formats.iter().next().unwrap_or("0"),
        }
    }

    /// The payload type we send with (the first agreed), if any.
    pub fn send_codec(&self) -> Option<&Payload> {
        self.codecs.first().filter(|_| self.direction.sends())
    }
}

/// The local side's capabilities and intentions.
#[derive(Debug, Clone, Copy)]
pub struct Capabilities<'c> {
    /// Video codecs in preference order (for H.264: each profile/mode we can send).
    pub video: &'c [Codec],
    /// Audio codecs in preference order.
    pub audio: &'c [Codec],
    /// What we want to do with video (a camera: `SendOnly`; a viewer: `RecvOnly`).
    pub video_direction: Direction,
    /// What we want to do with audio (a camera with a speaker: `SendRecv`).
    pub audio_direction: Direction,
    /// Whether we use RTX (RFC 4588) for video retransmissions.
    pub rtx: bool,
    /// The RTCP feedback we implement.
    pub feedback: Feedback,
    /// The header extensions we implement.
    pub extensions: Extensions,
    /// Whether we accept (or offer) a data channel.
    pub data_channel: bool,
    /// Refuse offers without `a=ice-options:trickle`.
    pub require_trickle: bool,
    /// Our DTLS role when the offer says `actpass`: `Setup::Active` (DTLS client, what
    /// the KVS C SDK does) or `Setup::Passive`.
    pub setup: Setup,
}

const CAMERA_VIDEO: &[Codec] = &[
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::CONSTRAINED_BASELINE_3_1,
        packetization_mode: 1,
    }),
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::BASELINE_3_1,
        packetization_mode: 1,
    }),
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::MAIN_3_1,
        packetization_mode: 1,
    }),
];
const CAMERA_AUDIO: &[Codec] = &[Codec::Opus, Codec::Pcmu, Codec::Pcma];
const VIEWER_VIDEO: &[Codec] = &[
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::CONSTRAINED_BASELINE_3_1,
        packetization_mode: 1,
    }),
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::BASELINE_3_1,
        packetization_mode: 1,
    }),
    Codec::H264(H264 {
        profile_level_id: ProfileLevelId::MAIN_3_1,
        packetization_mode: 1,
    }),
    Codec::H265(crate::codec::H265::main()),
];
const STORAGE_VIDEO: &[Codec] = &[Codec::H264(H264::constrained_baseline())];
const OPUS: &[Codec] = &[Codec::Opus];

impl Capabilities<'static> {
    /// A KVS master camera: H.264 (Constrained Baseline, Baseline, Main; mode 1) `sendonly`,
    /// Opus/PCMU/PCMA `sendrecv` (two-way talk), RTX, every feedback and extension, a data
    /// channel; answers `actpass` with `active`.
    pub const CAMERA: Capabilities<'static> = Capabilities {
        video: CAMERA_VIDEO,
        audio: CAMERA_AUDIO,
        video_direction: Direction::SendOnly,
        audio_direction: Direction::SendRecv,
        rtx: true,
        feedback: Feedback::ALL,
        extensions: Extensions::ALL,
        data_channel: true,
        require_trickle: false,
        setup: Setup::Active,
    };

    /// A viewer: receives H.264/H.265 video and Opus/G.711 audio, sends audio (talk-back),
    /// opens a data channel.
    pub const VIEWER: Capabilities<'static> = Capabilities {
        video: VIEWER_VIDEO,
        audio: CAMERA_AUDIO,
        video_direction: Direction::RecvOnly,
        audio_direction: Direction::SendRecv,
        ..Capabilities::CAMERA
    };

    /// The master answering the KVS storage session (WebRTC ingestion): trickle is
    /// required, video is H.264 `sendonly`, audio Opus `sendrecv`, no data channel.
    /// (Only relay candidates go out: see [`Local::relay_only`].)
    pub const STORAGE_SESSION: Capabilities<'static> = Capabilities {
        video: STORAGE_VIDEO,
        audio: OPUS,
        data_channel: false,
        require_trickle: true,
        ..Capabilities::CAMERA
    };
}

impl Capabilities<'_> {
    fn codecs(&self, kind: MediaKind) -> &[Codec] {
        match kind {
            MediaKind::Video => self.video,
            MediaKind::Audio => self.audio,
            _ => &[],
        }
    }

    fn direction(&self, kind: MediaKind) -> Direction {
        match kind {
            MediaKind::Video => self.video_direction,
            MediaKind::Audio => self.audio_direction,
            _ => Direction::Inactive,
        }
    }
}

/// Our DTLS role, decided by `a=setup`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DtlsRole {
    /// We send the ClientHello (`a=setup:active`).
    Client,
    /// We wait for it (`a=setup:passive`).
    Server,
}

impl DtlsRole {
    fn setup(self) -> Setup {
        match self {
            DtlsRole::Client => Setup::Active,
            DtlsRole::Server => Setup::Passive,
        }
    }
}

/// The outcome of a negotiation: the remote transport and what each `m=` line agreed.
/// Borrows strings (mids, ICE credentials) from the remote description.
#[derive(Debug, Clone)]
pub struct Negotiated<'a, const M: usize = MAX_MEDIA> {
    /// The remote's ICE username fragment.
    pub ice_ufrag: &'a str,
    /// The remote's ICE password.
    pub ice_pwd: &'a str,
    /// Whether the remote is an ICE-lite agent.
    pub ice_lite: bool,
    /// Whether the remote trickles candidates.
    pub trickle: bool,
    /// The certificate fingerprint DTLS must pin (the strongest supported one offered).
    pub fingerprint: Fingerprint,
    /// Our DTLS role.
    pub dtls_role: DtlsRole,
    /// Whether the offer allowed mixed one-/two-byte header extensions.
    pub extmap_allow_mixed: bool,
    /// One entry per `m=` line, in order.
    pub sections: Vec<Section<'a>, M>,
}

/// What we put in our description besides the negotiated media.
#[derive(Debug, Clone, Copy)]
pub struct Local<'l> {
    /// `o=` session id (random, < 2^63).
    pub session_id: u64,
    /// `o=` version: increment with every new description.
    pub session_version: u64,
    /// Our ICE username fragment.
    pub ice_ufrag: &'l str,
    /// Our ICE password.
    pub ice_pwd: &'l str,
    /// Announce `a=ice-lite`.
    pub ice_lite: bool,
    /// Our certificate's fingerprint.
    pub fingerprint: Fingerprint,
    /// The RTCP CNAME of our streams.
    pub cname: &'l str,
    /// The media stream id of our tracks (`a=msid`).
    pub stream_id: &'l str,
    /// Our video track, if we send video.
    pub video: Option<SendStream<'l>>,
    /// Our audio track, if we send audio.
    pub audio: Option<SendStream<'l>>,
    /// Candidates already gathered (written in the first accepted section).
    pub candidates: &'l [Candidate<'l>],
    /// Whether gathering is complete (`a=end-of-candidates`).
    pub end_of_candidates: bool,
    /// Write only relay candidates (the KVS storage session accepts nothing else).
    pub relay_only: bool,
    /// Our `a=max-message-size` for data channels (0 = no limit).
    pub max_message_size: u64,
}

impl Local<'_> {
    /// Our strings go into lines of the description: refuse anything that could break
    /// out of one (a space, CR/LF) or that peers would reject.
    fn check(&self) -> Result<(), NegotiationError> {
        let ice = |s: &str| {
            !s.is_empty()
                && s.len() <= 256
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        };
        let streams = self.video.iter().chain(self.audio.iter());
        let ok = ice(self.ice_ufrag)
            && ice(self.ice_pwd)
            && is_token(self.cname)
            && is_token(self.stream_id)
            && streams.clone().all(|s| is_token(s.track_id));
        if ok {
            Ok(())
        } else {
            Err(NegotiationError::InvalidLocal)
        }
    }
}

/// A track we send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendStream<'l> {
    /// The track id (`a=msid`).
    pub track_id: &'l str,
    /// The media SSRC.
    pub ssrc: u32,
    /// The RTX SSRC, used when RTX is agreed.
    pub rtx_ssrc: u32,
}

impl<'a, const M: usize> Negotiated<'a, M> {
    /// Answers `offer` (we are the answerer: the master, or the device joining a storage
    /// session). Sections without a codec in common, of unknown kind, outside the BUNDLE
    /// group, or beyond the first of each kind are rejected (port 0); it fails only when
    /// nothing at all can be accepted or the transport cannot be set up.
    pub fn answer(offer: &Sdp<'a, M>, caps: &Capabilities<'_>) -> Result<Self, NegotiationError> {
        let bundle = offer.bundle();
        let mut sections: Vec<Section<'a>, M> = Vec::new();
        let mut first_rejected = None;
        let mut taken = [false; 3];
        for m in offer.media() {
            let index = PayloadIndex::new(&m);
            let summary = &index.summary;
            let mut s = Section::rejected(&m, summary);
            let line = m.line();
            let bundle_only = line.port == 0 && summary.bundle_only;
            let in_bundle = match (bundle, summary.mid) {
                (Some(b), Some(mid)) => b.contains(mid),
                (Some(_), None) => false,
                (None, _) => true,
            };
            let usable = (line.port != 0 || bundle_only) && in_bundle;
            let slot = match m.kind() {
                MediaKind::Audio => Some(0),
                MediaKind::Video => Some(1),
                MediaKind::Application => Some(2),
                MediaKind::Other => None,
            };
            let free = slot.is_some_and(|i| !taken.get(i).copied().unwrap_or(true));
            match m.kind() {
                MediaKind::Audio | MediaKind::Video if usable && free && line.is_rtp() => {
                    answer_rtp(&m, &index, caps, &mut s);
                    if s.accepted && !summary.rtcp_mux {
                        return Err(NegotiationError::MissingRtcpMux { mline: m.index() });
                    }
                    if !s.accepted && first_rejected.is_none() {
                        first_rejected = Some((m.index(), m.kind()));
                    }
                }
                MediaKind::Application if usable && free && caps.data_channel => {
                    s.sctp = data_channel(&m, summary);
                    s.accepted = s.sctp.is_some();
                    s.direction = Direction::SendRecv;
                }
                MediaKind::Audio | MediaKind::Video if first_rejected.is_none() => {
                    first_rejected = Some((m.index(), m.kind()));
                }
                _ => {}
            }
            if s.accepted {
                if let Some(t) = slot.and_then(|i| taken.get_mut(i)) {
                    *t = true;
                }
            }
            sections.push(s).map_err(|_| NegotiationError::NoMedia)?;
        }
        let accepted = sections.iter().filter(|s| s.accepted).count();
        if accepted == 0 {
            return Err(match first_rejected {
                Some((mline, kind)) => NegotiationError::NoCommonCodec { mline, kind },
                None => NegotiationError::NoMedia,
            });
        }
        if accepted > 1 && bundle.is_none() {
            return Err(NegotiationError::MissingBundle);
        }
        // The transport is the first accepted section's (BUNDLE: they all share it).
        let tag = sections
            .iter()
            .find(|s| s.accepted)
            .and_then(|s| offer.media_at(s.mline))
            .ok_or(NegotiationError::NoMedia)?;
        let dtls_role = match tag.setup() {
            Some(Setup::ActPass) => match caps.setup {
                Setup::Passive => DtlsRole::Server,
                _ => DtlsRole::Client,
            },
            Some(Setup::Passive) => DtlsRole::Client,
            // `active`, `holdconn`, or absent (RFC 4145's default is active).
            _ => DtlsRole::Server,
        };
        let trickle = tag.has_ice_option("trickle");
        if caps.require_trickle && !trickle {
            return Err(NegotiationError::MissingTrickle);
        }
        Ok(Negotiated {
            ice_ufrag: tag.ice_ufrag().ok_or(NegotiationError::MissingIceUfrag)?,
            ice_pwd: tag.ice_pwd().ok_or(NegotiationError::MissingIcePwd)?,
            ice_lite: offer.ice_lite(),
            trickle,
            fingerprint: tag
                .fingerprint()
                .ok_or(NegotiationError::MissingFingerprint)?,
            dtls_role,
            extmap_allow_mixed: offer
                .attributes()
                .named("extmap-allow-mixed")
                .next()
                .is_some(),
            sections,
        })
    }

    /// Reads the answer to our `offer` (we are the offerer: a viewer). Every accepted
    /// section's payload types must be ones we offered, for codecs we support.
    pub fn from_answer(
        answer: &Sdp<'a, M>,
        offer: &Offer<M>,
        caps: &Capabilities<'_>,
    ) -> Result<Self, NegotiationError> {
        if answer.media_count() != offer.sections.len() {
            return Err(NegotiationError::AnswerSectionCount);
        }
        let mut sections: Vec<Section<'a>, M> = Vec::new();
        for (m, ours) in answer.media().zip(offer.sections.iter()) {
            let mismatch = NegotiationError::AnswerMismatch { mline: m.index() };
            if m.kind() != ours.kind {
                return Err(mismatch);
            }
            let index = PayloadIndex::new(&m);
            let mut s = Section::rejected(&m, &index.summary);
            if m.line().port != 0 {
                match m.kind() {
                    MediaKind::Audio | MediaKind::Video => {
                        for pt in m.line().payload_types().filter(|pt| !index.is_rtx(*pt)) {
                            let offered =
                                ours.codecs.iter().find(|p| p.pt == pt).ok_or(mismatch)?;
                            let codec = index
                                .codec(pt)
                                .filter(|c| offered.codec.matches(c))
                                .ok_or(mismatch)?;
                            let payload = Payload {
                                pt,
                                codec,
                                rtx: index.rtx_for(pt).filter(|r| Some(*r) == offered.rtx),
                                feedback: index.feedback(pt).intersection(caps.feedback),
                            };
                            // More than we offered per section cannot happen; ignore extras.
                            let _ = s.codecs.push(payload);
                        }
                        s.accepted = !s.codecs.is_empty();
                        agree_rtp_details(&index.summary, ours.direction, caps, &mut s);
                    }
                    MediaKind::Application => {
                        s.sctp = data_channel(&m, &index.summary);
                        s.accepted = s.sctp.is_some();
                        s.direction = Direction::SendRecv;
                    }
                    MediaKind::Other => {}
                }
            }
            sections
                .push(s)
                .map_err(|_| NegotiationError::AnswerSectionCount)?;
        }
        let tag = sections
            .iter()
            .find(|s| s.accepted)
            .and_then(|s| answer.media_at(s.mline))
            .ok_or(NegotiationError::NoMedia)?;
        let dtls_role = match tag.setup() {
            Some(Setup::Active) => DtlsRole::Server,
            Some(Setup::Passive) => DtlsRole::Client,
            _ => return Err(NegotiationError::AnswerMismatch { mline: tag.index() }),
        };
        Ok(Negotiated {
            ice_ufrag: tag.ice_ufrag().ok_or(NegotiationError::MissingIceUfrag)?,
            ice_pwd: tag.ice_pwd().ok_or(NegotiationError::MissingIcePwd)?,
            ice_lite: answer.ice_lite(),
            trickle: tag.has_ice_option("trickle"),
            fingerprint: tag
                .fingerprint()
                .ok_or(NegotiationError::MissingFingerprint)?,
            dtls_role,
            extmap_allow_mixed: answer
                .attributes()
                .any(|a| a == Attribute::ExtmapAllowMixed),
            sections,
        })
    }

    /// The first accepted section of a kind.
    pub fn section(&self, kind: MediaKind) -> Option<&Section<'a>> {
        self.sections.iter().find(|s| s.accepted && s.kind == kind)
    }

    /// Writes our answer. `out` can be a [`SliceWriter`](crate::SliceWriter) over caller
    /// storage; the answer of a browser offer is 2–3 KB.
    pub fn write_answer<W: fmt::Write>(
        &self,
        local: &Local<'_>,
        out: &mut W,
    ) -> Result<(), NegotiationError> {
        let extmap_allow_mixed = self.extmap_allow_mixed;
        write_description(
            &self.sections,
            local,
            self.dtls_role.setup(),
            extmap_allow_mixed,
            out,
        )
    }
}

/// Our offer, as a viewer: the sections and payload types we propose. Keep it to read
/// the answer with [`Negotiated::from_answer`].
#[derive(Debug, Clone)]
pub struct Offer<const M: usize = MAX_MEDIA> {
    sections: Vec<Section<'static>, M>,
}

const MIDS: [&str; 3] = ["0", "1", "2"];

impl<const M: usize> Offer<M> {
    /// An offer for `caps`: a video section if there are video codecs and a direction, an
    /// audio section likewise, a data channel if wanted. Dynamic payload types are numbered
    /// from 96 (each video codec followed by its RTX); PCMU/PCMA keep 0 and 8.
    pub fn new(caps: &Capabilities<'_>) -> Result<Self, NegotiationError> {
        let mut sections = Vec::new();
        let mut next_pt = 96u8;
        let kinds = [(MediaKind::Video, "video"), (MediaKind::Audio, "audio")];
        for (kind, media) in kinds {
            let direction = caps.direction(kind);
            if caps.codecs(kind).is_empty() || direction == Direction::Inactive {
                continue;
            }
            let mut s = offered_section(sections.len(), kind, media, "UDP/TLS/RTP/SAVPF");
            s.direction = direction;
            for codec in caps.codecs(kind) {
                let pt = match codec.static_payload_type() {
                    Some(pt) => pt,
                    None => take_pt(&mut next_pt)?,
                };
                let rtx = if caps.rtx && codec.is_video() {
                    Some(take_pt(&mut next_pt)?)
                } else {
                    None
                };
                let feedback = if codec.is_video() {
                    caps.feedback
                } else {
                    caps.feedback.intersection(Feedback::TRANSPORT_CC)
                };
                if s.codecs
                    .push(Payload {
                        pt,
                        codec: *codec,
                        rtx,
                        feedback,
                    })
                    .is_err()
                {
                    break;
                }
            }
            let ext = |e: Extensions, id: u8| caps.extensions.contains(e).then_some(id);
            s.extensions = ExtensionIds {
                mid: ext(Extensions::MID, 1),
                abs_send_time: ext(Extensions::ABS_SEND_TIME, 2),
                transport_cc: ext(Extensions::TRANSPORT_CC, 3),
            };
            s.rtcp_rsize = true;
            sections.push(s).map_err(|_| NegotiationError::NoMedia)?;
        }
        if caps.data_channel {
            let mut s = offered_section(
                sections.len(),
                MediaKind::Application,
                "application",
                "UDP/DTLS/SCTP",
            );
            s.first_format = "webrtc-datachannel";
            s.direction = Direction::SendRecv;
            sections.push(s).map_err(|_| NegotiationError::NoMedia)?;
        }
        if sections.is_empty() {
            return Err(NegotiationError::NoMedia);
        }
        Ok(Offer { sections })
    }

    /// The offered sections.
    pub fn sections(&self) -> &[Section<'static>] {
        &self.sections
    }

    /// Writes the offer (`a=setup:actpass`, every section bundled).
    pub fn write<W: fmt::Write>(
        &self,
        local: &Local<'_>,
        out: &mut W,
    ) -> Result<(), NegotiationError> {
        write_description(&self.sections, local, Setup::ActPass, true, out)
    }
}

fn take_pt(next: &mut u8) -> Result<u8, NegotiationError> {
    let pt = *next;
    if pt > 127 {
        return Err(NegotiationError::NoMedia);
    }
    *next = pt + 1;
    Ok(pt)
}

fn offered_section(
    index: usize,
    kind: MediaKind,
    media: &'static str,
    proto: &'static str,
) -> Section<'static> {
    Section {
        mline: index,
        mid: MIDS.get(index).copied(),
        kind,
        accepted: true,
        direction: Direction::Inactive,
        codecs: Vec::new(),
        extensions: ExtensionIds::default(),
        rtcp_rsize: false,
        remote_ssrc: None,
        remote_rtx_ssrc: None,
        sctp: None,
        media,
        proto,
        first_format: "",
    }
}

/// Agrees codecs, feedback, extensions and direction for an offered audio/video section.
fn answer_rtp<'a>(
    m: &Media<'a>,
    index: &PayloadIndex<'a>,
    caps: &Capabilities<'_>,
    s: &mut Section<'a>,
) {
    for local in caps.codecs(m.kind()) {
        let found = index
            .codecs()
            .find(|(pt, remote)| local.matches(remote) && !s.codecs.iter().any(|p| p.pt == *pt));
        let found =
            found.map(|(pt, remote)| (pt, local.answer_for(&remote, index.fmtp(pt).as_ref())));
        let Some((pt, codec)) = found else { continue };
        let rtx = if caps.rtx && codec.is_video() {
            index.rtx_for(pt)
        } else {
            None
        };
        let feedback = index.feedback(pt).intersection(caps.feedback);
        if s.codecs
            .push(Payload {
                pt,
                codec,
                rtx,
                feedback,
            })
            .is_err()
        {
            break;
        }
    }
    if s.codecs.is_empty() {
        return;
    }
    s.accepted = true;
    agree_rtp_details(&index.summary, caps.direction(m.kind()), caps, s);
}

/// Direction, header extensions, reduced-size RTCP and the remote SSRCs of an accepted
/// audio/video section, from what its remote side wrote and what we want.
fn agree_rtp_details(
    summary: &Summary<'_>,
    local: Direction,
    caps: &Capabilities<'_>,
    s: &mut Section<'_>,
) {
    s.direction = summary.direction.answer(local);
    let want = |e: Extensions, id: Option<u8>| id.filter(|_| caps.extensions.contains(e));
    let ids = summary.extensions;
    s.extensions = ExtensionIds {
        mid: want(Extensions::MID, ids.mid),
        transport_cc: want(Extensions::TRANSPORT_CC, ids.transport_cc),
        abs_send_time: want(Extensions::ABS_SEND_TIME, ids.abs_send_time),
    };
    s.rtcp_rsize = summary.rtcp_rsize;
    (s.remote_ssrc, s.remote_rtx_ssrc) = summary.fid.unwrap_or((summary.first_ssrc, None));
}

fn data_channel(m: &Media<'_>, summary: &Summary<'_>) -> Option<Sctp> {
    let line = m.line();
    if !line.proto.ends_with("DTLS/SCTP") || !line.formats.contains("webrtc-datachannel") {
        return None;
    }
    Some(Sctp {
        port: summary.sctp_port.unwrap_or(5000),
        max_message_size: summary.max_message_size.unwrap_or(65_536),
    })
}

fn write_description<W: fmt::Write>(
    sections: &[Section<'_>],
    local: &Local<'_>,
    setup: Setup,
    extmap_allow_mixed: bool,
    out: &mut W,
) -> Result<(), NegotiationError> {
    local.check()?;
    let mut w = Lines(out);
    w.line(format_args!("v=0"))?;
    w.line(format_args!(
        "o=- {} {} IN IP4 127.0.0.1",
        local.session_id, local.session_version
    ))?;
    w.line(format_args!("s=-"))?;
    w.line(format_args!("t=0 0"))?;
    let mut bundled = sections
        .iter()
        .filter(|s| s.accepted)
        .filter_map(|s| s.mid)
        .peekable();
    if bundled.peek().is_some() {
        w.0.write_str("a=group:BUNDLE")?;
        for mid in bundled {
            write!(w.0, " {mid}")?;
        }
        w.0.write_str("\r\n")?;
    }
    if extmap_allow_mixed {
        w.line(format_args!("a=extmap-allow-mixed"))?;
    }
    w.line(format_args!("a=msid-semantic: WMS {}", local.stream_id))?;
    if local.ice_lite {
        w.line(format_args!("a=ice-lite"))?;
    }
    let first_accepted = sections.iter().position(|s| s.accepted);
    for (i, s) in sections.iter().enumerate() {
        if s.accepted {
            write_section(&mut w, s, local, setup, first_accepted == Some(i))?;
        } else {
            w.line(format_args!(
                "m={} 0 {} {}",
                s.media, s.proto, s.first_format
            ))?;
            w.line(format_args!("c=IN IP4 0.0.0.0"))?;
            if let Some(mid) = s.mid {
                w.line(format_args!("a=mid:{mid}"))?;
            }
        }
    }
    Ok(())
}

fn write_section<W: fmt::Write>(
    w: &mut Lines<'_, W>,
    s: &Section<'_>,
    local: &Local<'_>,
    setup: Setup,
    with_candidates: bool,
) -> Result<(), NegotiationError> {
    let rtp = s.kind != MediaKind::Application;
    write!(w.0, "m={} 9 {}", s.media, s.proto)?;
    if rtp {
        for p in &s.codecs {
            write!(w.0, " {}", p.pt)?;
            if let Some(rtx) = p.rtx {
                write!(w.0, " {rtx}")?;
            }
        }
    } else {
        write!(w.0, " webrtc-datachannel")?;
    }
    w.0.write_str("\r\n")?;
    w.line(format_args!("c=IN IP4 0.0.0.0"))?;
    if rtp {
        w.line(format_args!("a=rtcp:9 IN IP4 0.0.0.0"))?;
    }
    if with_candidates {
        let wanted = |c: &&Candidate<'_>| !local.relay_only || c.kind == CandidateKind::Relay;
        for c in local.candidates.iter().filter(wanted) {
            w.line(format_args!("a=candidate:{c}"))?;
        }
    }
    w.line(format_args!("a=ice-ufrag:{}", local.ice_ufrag))?;
    w.line(format_args!("a=ice-pwd:{}", local.ice_pwd))?;
    w.line(format_args!("a=ice-options:trickle"))?;
    w.line(format_args!("a=fingerprint:{}", local.fingerprint))?;
    w.line(format_args!("a=setup:{}", setup.name()))?;
    if let Some(mid) = s.mid {
        w.line(format_args!("a=mid:{mid}"))?;
    }
    if !rtp {
        w.line(format_args!("a=sctp-port:5000"))?;
        w.line(format_args!(
            "a=max-message-size:{}",
            local.max_message_size
        ))?;
    }
    if !rtp {
        if with_candidates && local.end_of_candidates {
            w.line(format_args!("a=end-of-candidates"))?;
        }
        return Ok(());
    }
    for (id, uri) in s.extensions.each() {
        w.line(format_args!("a=extmap:{id} {uri}"))?;
    }
    w.line(format_args!("a={}", s.direction.name()))?;
    let stream = match s.kind {
        MediaKind::Video => local.video,
        MediaKind::Audio => local.audio,
        _ => None,
    }
    .filter(|_| s.direction.sends());
    if let Some(t) = stream {
        w.line(format_args!("a=msid:{} {}", local.stream_id, t.track_id))?;
    }
    w.line(format_args!("a=rtcp-mux"))?;
    if s.rtcp_rsize {
        w.line(format_args!("a=rtcp-rsize"))?;
    }
    for p in &s.codecs {
        let c = &p.codec;
        match c.channels() {
            Some(ch) => w.line(format_args!(
                "a=rtpmap:{} {}/{}/{ch}",
                p.pt,
                c.name(),
                c.clock_rate()
            ))?,
            None => w.line(format_args!(
                "a=rtpmap:{} {}/{}",
                p.pt,
                c.name(),
                c.clock_rate()
            ))?,
        }
        if let Some(params) = c.fmtp() {
            w.line(format_args!("a=fmtp:{} {params}", p.pt))?;
        }
        for (f, kind, param) in Feedback::LINES {
            if p.feedback.contains(f) {
                match param {
                    Some(param) => w.line(format_args!("a=rtcp-fb:{} {kind} {param}", p.pt))?,
                    None => w.line(format_args!("a=rtcp-fb:{} {kind}", p.pt))?,
                }
            }
        }
        if let Some(rtx) = p.rtx {
            w.line(format_args!("a=rtpmap:{rtx} rtx/{}", c.clock_rate()))?;
            w.line(format_args!("a=fmtp:{rtx} apt={}", p.pt))?;
        }
    }
    if let Some(t) = stream {
        let rtx = s.codecs.first().and_then(|p| p.rtx).map(|_| t.rtx_ssrc);
        if let Some(rtx) = rtx {
            w.line(format_args!("a=ssrc-group:FID {} {rtx}", t.ssrc))?;
        }
        for ssrc in core::iter::once(t.ssrc).chain(rtx) {
            w.line(format_args!("a=ssrc:{ssrc} cname:{}", local.cname))?;
            w.line(format_args!(
                "a=ssrc:{ssrc} msid:{} {}",
                local.stream_id, t.track_id
            ))?;
        }
    }
    if with_candidates && local.end_of_candidates {
        w.line(format_args!("a=end-of-candidates"))?;
    }
    Ok(())
}
