//! The SDP case: what a camera does with a viewer's offer.
//!
//! The input is the offer Chromium 156 sends as a receive-only viewer with every codec it
//! has ([`OFFER`], 7 KB: video with 34 payload types — VP8, four VP9, ten H.264, two AV1,
//! their RTX, red, ulpfec, flexfec — audio with 8, a data channel, 11 header extensions).
//! Two operations are measured:
//!
//! 1. **Parse**: text in, a description the program can query out. rtcam:
//!    [`ours_parse`]; webrtc-rs: [`webrtc_rs_parse`].
//! 2. **Parse + answer**: text in, answer text out, as a camera answering a viewer:
//!    accept H.264 mode 1 (Constrained Baseline, Baseline, Main, in that order of
//!    preference) with RTX and the feedback we implement, Opus/PCMU/PCMA, the data
//!    channel, the three header extensions we implement with the offerer's ids; read the
//!    remote ICE credentials and DTLS fingerprint; answer `a=setup:actpass` with
//!    `active`. rtcam: [`ours_answer`]; webrtc-rs: [`webrtc_rs_answer`] and
//!    [`webrtc_rs_answer_media_engine`].
//!
//! Both sides produce the same answer, byte for byte (checked by [`assert_equivalent`],
//! which the bench and the tests run before anything is timed), and read the same remote
//! ICE credentials and fingerprint. Local data (ICE credentials, certificate
//! fingerprint, SSRCs) is prepared once outside the timed loop on both sides, as a peer
//! keeps it for the session: [`local`] for rtcam, [`PeerLocal`] (the same values as
//! owned strings) for webrtc-rs.
//!
//! webrtc-rs's `sdp` crate is a parser/serializer without an offer/answer engine (that is
//! in the `webrtc` crate's peer connection). The webrtc-rs rows therefore do the work a
//! peer built on that crate alone must do, written here with the crate's own types and
//! accessors (`MediaDescription::attribute`, `Codec`, `with_codec`,
//! `with_value_attribute`, `marshal`), limited to what this offer needs: no candidate,
//! `a=ssrc` or simulcast reading, no H.265 search (the offer has none). rtcam's
//! [`Negotiated::answer`] does more (it checks every offered section against every
//! capability and validates the remote transport), so the comparison favours webrtc-rs
//! slightly.

use std::fmt::Write as _;

use rtcam_sdp::{
    Capabilities, Fingerprint, HashAlgorithm, Local, Negotiated, NegotiationError, ParseError, Sdp,
    SendStream, SliceWriter,
};
use webrtc_sdp::description::media::{MediaName, RangedPort};
use webrtc_sdp::util::Codec;
use webrtc_sdp::{MediaDescription, SessionDescription};

/// Chromium 156's offer as a receive-only viewer, every codec enabled (CRLF line ends).
pub const OFFER: &str = include_str!("../../sdp/tests/fixtures/chromium156-viewer-offer.sdp");

/// Room for our answer: the caller's buffer, on the stack or reused across negotiations.
/// The answer to [`OFFER`] takes 2827 bytes.
pub const ANSWER_CAPACITY: usize = 4096;

/// rtcam's local description data: fixed values (a real camera draws the session id at
/// random and reads the fingerprint from its certificate).
pub fn local() -> Local<'static> {
    Local {
        session_id: 4_611_686_018_427_387_903,
        session_version: 2,
        ice_ufrag: "rtcm",
        ice_pwd: "c2VjcmV0LXBhc3N3b3JkLTEy",
        ice_lite: false,
        fingerprint: Fingerprint::new(HashAlgorithm::Sha256, &[0xab; 32]).expect("32 bytes"),
        cname: "rtcam-camera",
        stream_id: "rtcam",
        video: Some(SendStream {
            track_id: "video0",
            ssrc: 0x1122_3344,
            rtx_ssrc: 0x5566_7788,
        }),
        audio: Some(SendStream {
            track_id: "audio0",
            ssrc: 0x0a0b_0c0d,
            rtx_ssrc: 0,
        }),
        candidates: &[],
        end_of_candidates: false,
        relay_only: false,
        max_message_size: 262_144,
    }
}

/// The same local data as [`local`], held the way a webrtc-rs peer holds it: owned
/// strings, the fingerprint already formatted (webrtc keeps `RTCDtlsFingerprint
/// { algorithm, value }` strings per certificate).
#[derive(Debug, Clone)]
pub struct PeerLocal {
    /// `o=` session id.
    pub session_id: u64,
    /// `o=` session version.
    pub session_version: u64,
    /// Our ICE username fragment.
    pub ice_ufrag: String,
    /// Our ICE password.
    pub ice_pwd: String,
    /// Fingerprint hash name (`sha-256`).
    pub fingerprint_algorithm: String,
    /// Fingerprint value (`AB:AB:...`).
    pub fingerprint_value: String,
    /// RTCP CNAME.
    pub cname: String,
    /// Media stream id.
    pub stream_id: String,
    /// Video track id, SSRC and RTX SSRC.
    pub video: (String, u32, u32),
    /// Audio track id and SSRC.
    pub audio: (String, u32),
    /// Our `a=max-message-size`.
    pub max_message_size: u64,
}

impl PeerLocal {
    /// [`local`]'s values as owned strings.
    pub fn new() -> PeerLocal {
        let l = local();
        let fp = l.fingerprint.to_string();
        let (alg, value) = fp.split_once(' ').expect("`alg value`");
        let v = l.video.expect("video");
        let a = l.audio.expect("audio");
        PeerLocal {
            session_id: l.session_id,
            session_version: l.session_version,
            ice_ufrag: l.ice_ufrag.to_owned(),
            ice_pwd: l.ice_pwd.to_owned(),
            fingerprint_algorithm: alg.to_owned(),
            fingerprint_value: value.to_owned(),
            cname: l.cname.to_owned(),
            stream_id: l.stream_id.to_owned(),
            video: (v.track_id.to_owned(), v.ssrc, v.rtx_ssrc),
            audio: (a.track_id.to_owned(), a.ssrc),
            max_message_size: l.max_message_size,
        }
    }
}

impl Default for PeerLocal {
    fn default() -> PeerLocal {
        PeerLocal::new()
    }
}

/// What the answerer keeps from the offer besides the media: the remote ICE credentials
/// and the certificate fingerprint DTLS must pin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remote<S, F> {
    /// Remote `a=ice-ufrag`.
    pub ice_ufrag: S,
    /// Remote `a=ice-pwd`.
    pub ice_pwd: S,
    /// Remote `a=fingerprint` (rtcam: decoded; webrtc-rs: the attribute's text).
    pub fingerprint: F,
}

/// Why rtcam refused the offer.
#[derive(Debug)]
pub enum OursFailed {
    /// [`Sdp::parse`] rejected the text.
    Parse(ParseError),
    /// [`Negotiated::answer`] or [`Negotiated::write_answer`] failed.
    Negotiation(NegotiationError),
}

/// Why the webrtc-rs side refused the offer.
#[derive(Debug)]
pub enum PeerFailed {
    /// The crate's own error (from `unmarshal`, a payload type that does not parse...).
    Sdp(webrtc_sdp::Error),
    /// Something an answer needs is absent or malformed.
    Missing(&'static str),
}

impl From<webrtc_sdp::Error> for PeerFailed {
    fn from(e: webrtc_sdp::Error) -> PeerFailed {
        PeerFailed::Sdp(e)
    }
}

/// rtcam parsing: [`Sdp::parse`] checks the whole text once (line syntax, `v=`/`o=`,
/// every `m=` line, the grammar of every attribute WebRTC uses, the limits) and returns a
/// view of a few hundred bytes that borrows the text; nothing is copied. Zero heap
/// allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_parse(text: &str) -> Result<Sdp<'_>, ParseError> {
    Sdp::parse(text)
}

/// webrtc-rs parsing: `SessionDescription::unmarshal` reads the text through a
/// `Cursor` (its API takes `BufRead + Seek`) into owned structures: a `String` per field
/// and token, one `Attribute { key: String, value: Option<String> }` per `a=` line, a
/// `Vec` per list. Attribute values are not interpreted. The result is dropped by the
/// harness, so freeing it is timed too.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_parse(text: &str) -> Result<SessionDescription, webrtc_sdp::Error> {
    SessionDescription::unmarshal(&mut std::io::Cursor::new(text))
}

/// rtcam answering: [`Sdp::parse`], then [`Negotiated::answer`] against
/// [`Capabilities::CAMERA`] (every section: transport, BUNDLE, rtcp-mux, direction,
/// each capability's codec matched against every offered payload type with its RTX and
/// feedback, header extension ids, SCTP port; the remote ICE credentials and strongest
/// fingerprint), then [`Negotiated::write_answer`] through a [`SliceWriter`] into `buf`.
/// Returns the answer (borrowing `buf`) and the remote transport (borrowing `offer`).
/// Zero heap allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_answer<'b, 'o>(
    offer: &'o str,
    local: &Local<'_>,
    buf: &'b mut [u8],
) -> Result<(&'b str, Remote<&'o str, Fingerprint>), OursFailed> {
    let sdp: Sdp<'o> = Sdp::parse(offer).map_err(OursFailed::Parse)?;
    let agreed: Negotiated<'o> =
        Negotiated::answer(&sdp, &Capabilities::CAMERA).map_err(OursFailed::Negotiation)?;
    let mut out = SliceWriter::new(buf);
    agreed
        .write_answer(local, &mut out)
        .map_err(OursFailed::Negotiation)?;
    let remote = Remote {
        ice_ufrag: agreed.ice_ufrag,
        ice_pwd: agreed.ice_pwd,
        fingerprint: agreed.fingerprint,
    };
    Ok((out.into_str(), remote))
}

/// webrtc-rs answering, reading each section's codecs in one pass over its attributes
/// ([`codecs_one_pass`]): the cheapest way to use the crate. Then [`answer_with`] (the
/// common part) builds the answer `SessionDescription` and `marshal`s it to a `String`.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_answer(
    offer: &str,
    local: &PeerLocal,
) -> Result<(String, Remote<String, String>), PeerFailed> {
    let offer = SessionDescription::unmarshal(&mut std::io::Cursor::new(offer))?;
    answer_with(&offer, local, codecs_one_pass)
}

/// webrtc-rs answering, reading each section's codecs the way the `webrtc` crate's peer
/// connection does (its `codecs_from_media_description`, as of 0.17): the section is
/// cloned into a one-section `SessionDescription` and
/// `SessionDescription::get_codec_for_payload_type` is asked for every payload type on
/// the `m=` line (each call rebuilds the crate's payload-type → `Codec` map from every
/// `a=rtpmap`/`a=fmtp`/`a=rtcp-fb` line, formatting each attribute back to a `String`).
/// The rest is [`answer_with`], as for [`webrtc_rs_answer`].
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_answer_media_engine(
    offer: &str,
    local: &PeerLocal,
) -> Result<(String, Remote<String, String>), PeerFailed> {
    let offer = SessionDescription::unmarshal(&mut std::io::Cursor::new(offer))?;
    answer_with(&offer, local, codecs_per_payload_type)
}

/// A section's offered codecs, in `m=` line order, from one pass over its attributes:
/// `a=rtpmap` gives name, clock rate and channels, `a=fmtp` the parameters, `a=rtcp-fb`
/// the feedback, gathered per payload type into the crate's `Codec`.
fn codecs_one_pass(md: &MediaDescription) -> Result<Vec<Codec>, PeerFailed> {
    let mut codecs: Vec<Codec> = Vec::with_capacity(md.media_name.formats.len());
    // Payload type → index in `codecs`.
    let mut at = [usize::MAX; 128];
    for f in &md.media_name.formats {
        let pt: u8 = f
            .parse()
            .map_err(|_| PeerFailed::Missing("numeric payload type"))?;
        let slot = at
            .get_mut(usize::from(pt))
            .ok_or(PeerFailed::Missing("payload type < 128"))?;
        *slot = codecs.len();
        codecs.push(Codec {
            payload_type: pt,
            ..Codec::default()
        });
    }
    for a in &md.attributes {
        let Some(value) = a.value.as_deref() else {
            continue;
        };
        let (pt, rest) = match a.key.as_str() {
            "rtpmap" | "fmtp" | "rtcp-fb" => value
                .split_once(' ')
                .ok_or(PeerFailed::Missing("space after the payload type"))?,
            _ => continue,
        };
        let Some(codec) = pt
            .parse::<usize>()
            .ok()
            .and_then(|pt| at.get(pt))
            .and_then(|&i| codecs.get_mut(i))
        else {
            continue; // not on the m= line (or `*`): nothing to answer
        };
        match a.key.as_str() {
            "rtpmap" => {
                let mut parts = rest.split('/');
                codec.name = parts.next().unwrap_or_default().to_owned();
                codec.clock_rate = parts
                    .next()
                    .and_then(|c| c.parse().ok())
                    .ok_or(PeerFailed::Missing("rtpmap clock rate"))?;
                codec.encoding_parameters = parts.next().unwrap_or_default().to_owned();
            }
            "fmtp" => codec.fmtp = rest.to_owned(),
            _ => codec.rtcp_feedback.push(rest.to_owned()),
        }
    }
    Ok(codecs)
}

/// A section's offered codecs the way webrtc's peer connection reads them (see
/// [`webrtc_rs_answer_media_engine`]). Like webrtc, a payload type without a codec is
/// skipped only for PT 0; otherwise it is an error.
fn codecs_per_payload_type(md: &MediaDescription) -> Result<Vec<Codec>, PeerFailed> {
    let one = SessionDescription {
        media_descriptions: vec![md.clone()],
        ..SessionDescription::default()
    };
    let mut codecs = Vec::new();
    for f in &md.media_name.formats {
        let pt: u8 = f
            .parse()
            .map_err(|_| PeerFailed::Missing("numeric payload type"))?;
        match one.get_codec_for_payload_type(pt) {
            Ok(c) => codecs.push(c),
            Err(_) if pt == 0 => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(codecs)
}

/// The H.264 profiles a camera sends, in order of preference: `profile_idc` and the
/// constraint flags of `profile-level-id` (Constrained Baseline, Baseline, Main).
const H264_PROFILES: [u32; 3] = [0x42e0, 0x4200, 0x4d00];
/// Audio codecs in order of preference: name, clock rate, channels.
const AUDIO: [(&str, u32, &str); 3] = [
    ("opus", 48_000, "2"),
    ("PCMU", 8000, ""),
    ("PCMA", 8000, ""),
];
/// The RTCP feedback we implement, in the order we write it.
const VIDEO_FEEDBACK: [&str; 5] = ["nack", "nack pli", "ccm fir", "goog-remb", "transport-cc"];
/// The header extensions we implement, in the order we write them.
const EXTENSIONS: [&str; 3] = [
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
];

/// `name=value` parameter `name` of an `a=fmtp` value.
fn fmtp_param<'f>(fmtp: &'f str, name: &str) -> Option<&'f str> {
    fmtp.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.eq_ignore_ascii_case(name).then_some(v)
    })
}

/// The offered direction, reversed and limited to what we do (`local`), as the answer's
/// attribute name; `None` for inactive.
fn answer_direction(
    md: &MediaDescription,
    local_send: bool,
    local_recv: bool,
) -> Option<&'static str> {
    let (they_send, they_recv) = if md.has_attribute("recvonly") {
        (false, true)
    } else if md.has_attribute("sendonly") {
        (true, false)
    } else if md.has_attribute("inactive") {
        (false, false)
    } else {
        (true, true)
    };
    match (local_send && they_recv, local_recv && they_send) {
        (true, true) => Some("sendrecv"),
        (true, false) => Some("sendonly"),
        (false, true) => Some("recvonly"),
        (false, false) => None,
    }
}

/// The part both webrtc-rs rows share, given the offer and a way to read a section's
/// codecs. For every offered section, with `MediaDescription::attribute` and
/// `has_attribute`:
/// - the remote transport: `a=ice-ufrag`, `a=ice-pwd`, `a=fingerprint` (sha-256 only),
///   `a=setup` (`actpass`/`passive` → we are `active`), `a=mid`, `a=rtcp-mux` required,
///   `a=ice-options:trickle` and `a=rtcp-rsize` noted;
/// - video: the first offered H.264 with `packetization-mode=1` for each profile of
///   [`H264_PROFILES`], its RTX (`rtx` with `apt=<pt>`) and the feedback we implement;
///   audio: Opus/PCMU/PCMA; application: `a=sctp-port`;
/// - our header extensions with the offerer's ids (`a=extmap:<id> <uri>`, split by hand:
///   the crate's `ExtMap::unmarshal` wants a reader per line);
/// - the direction.
///
/// The answer is built with the crate's JSEP constructors
/// (`SessionDescription::new_jsep_session_description`,
/// `MediaDescription::new_jsep_media_description`) and builders (`with_value_attribute`,
/// `with_property_attribute`, `with_ice_credentials`, `with_fingerprint`, `with_codec`,
/// `with_media`), with the same lines in the same order as rtcam writes, and
/// `marshal`ed to a `String`.
fn answer_with(
    offer: &SessionDescription,
    local: &PeerLocal,
    codecs_of: fn(&MediaDescription) -> Result<Vec<Codec>, PeerFailed>,
) -> Result<(String, Remote<String, String>), PeerFailed> {
    let bundled = offer
        .attribute("group")
        .is_some_and(|g| g.starts_with("BUNDLE "));
    if !bundled {
        return Err(PeerFailed::Missing("a=group:BUNDLE"));
    }
    let mut remote: Option<Remote<String, String>> = None;
    let mut mids: Vec<String> = Vec::new();
    let mut sections: Vec<MediaDescription> = Vec::new();
    for md in &offer.media_descriptions {
        let attr = |key: &'static str| md.attribute(key).flatten().ok_or(PeerFailed::Missing(key));
        let fingerprint = attr("fingerprint")?;
        if !fingerprint.starts_with("sha-256 ") {
            return Err(PeerFailed::Missing("a=fingerprint:sha-256"));
        }
        let this = Remote {
            ice_ufrag: attr("ice-ufrag")?.to_owned(),
            ice_pwd: attr("ice-pwd")?.to_owned(),
            fingerprint: fingerprint.to_owned(),
        };
        match &remote {
            None => remote = Some(this),
            Some(r) if *r == this => {}
            Some(_) => return Err(PeerFailed::Missing("one transport (BUNDLE)")),
        }
        match md.attribute("setup").flatten() {
            Some("actpass" | "passive") => {}
            _ => return Err(PeerFailed::Missing("a=setup we can answer active")),
        }
        let mid = attr("mid")?;
        let trickle = md
            .attribute("ice-options")
            .flatten()
            .is_some_and(|o| o.split(' ').any(|t| t == "trickle"));

        let media = md.media_name.media.as_str();
        let mut answer = if media == "application" {
            let mut a = MediaDescription::new_jsep_media_description(media.to_owned(), vec![]);
            a.media_name = MediaName {
                media: media.to_owned(),
                port: RangedPort {
                    value: 9,
                    range: None,
                },
                protos: vec!["UDP".to_owned(), "DTLS".to_owned(), "SCTP".to_owned()],
                formats: vec!["webrtc-datachannel".to_owned()],
            };
            a
        } else {
            MediaDescription::new_jsep_media_description(media.to_owned(), vec![])
                .with_value_attribute("rtcp".to_owned(), "9 IN IP4 0.0.0.0".to_owned())
        };
        answer = answer.with_ice_credentials(local.ice_ufrag.clone(), local.ice_pwd.clone());
        if trickle {
            answer = answer.with_value_attribute("ice-options".to_owned(), "trickle".to_owned());
        }
        answer = answer
            .with_fingerprint(
                local.fingerprint_algorithm.clone(),
                local.fingerprint_value.clone(),
            )
            .with_value_attribute("setup".to_owned(), "active".to_owned())
            .with_value_attribute("mid".to_owned(), mid.to_owned());

        if media == "application" {
            let port = attr("sctp-port")?;
            answer = answer
                .with_value_attribute("sctp-port".to_owned(), port.to_owned())
                .with_value_attribute(
                    "max-message-size".to_owned(),
                    local.max_message_size.to_string(),
                );
        } else {
            if !md.has_attribute("rtcp-mux") {
                return Err(PeerFailed::Missing("a=rtcp-mux"));
            }
            let video = media == "video";
            let offered = codecs_of(md)?;
            let find = |pred: &dyn Fn(&Codec) -> bool| offered.iter().find(|c| pred(c));
            // (codec, its RTX, feedback to write)
            let mut chosen: Vec<(&Codec, Option<&Codec>, Vec<&str>)> = Vec::new();
            if video {
                for profile in H264_PROFILES {
                    let Some(c) = find(&|c| {
                        c.name.eq_ignore_ascii_case("H264")
                            && c.clock_rate == 90_000
                            && fmtp_param(&c.fmtp, "packetization-mode") == Some("1")
                            && fmtp_param(&c.fmtp, "profile-level-id")
                                .and_then(|p| u32::from_str_radix(p, 16).ok())
                                .is_some_and(|p| p >> 8 == profile)
                    }) else {
                        continue;
                    };
                    let pt = c.payload_type.to_string();
                    let rtx = find(&|r| {
                        r.name.eq_ignore_ascii_case("rtx")
                            && fmtp_param(&r.fmtp, "apt") == Some(pt.as_str())
                    });
                    let fb = VIDEO_FEEDBACK
                        .into_iter()
                        .filter(|f| c.rtcp_feedback.iter().any(|o| o == f))
                        .collect();
                    chosen.push((c, rtx, fb));
                }
            } else {
                for (name, rate, channels) in AUDIO {
                    if let Some(c) = find(&|c| {
                        c.name.eq_ignore_ascii_case(name)
                            && c.clock_rate == rate
                            && c.encoding_parameters == channels
                    }) {
                        let fb = ["transport-cc"]
                            .into_iter()
                            .filter(|f| c.rtcp_feedback.iter().any(|o| o == f))
                            .collect();
                        chosen.push((c, None, fb));
                    }
                }
            }
            let direction = if video {
                answer_direction(md, true, false)
            } else {
                answer_direction(md, true, true)
            };
            let (Some(direction), false) = (direction, chosen.is_empty()) else {
                return Err(PeerFailed::Missing("a codec and a direction"));
            };

            for uri in EXTENSIONS {
                for a in md.attributes.iter().filter(|a| a.key == "extmap") {
                    let Some((id, rest)) = a.value.as_deref().and_then(|v| v.split_once(' '))
                    else {
                        continue;
                    };
                    if rest.split(' ').next() == Some(uri) {
                        answer =
                            answer.with_value_attribute("extmap".to_owned(), format!("{id} {uri}"));
                    }
                }
            }
            let sends = direction.starts_with("send");
            let (track, ssrc, rtx_ssrc) = if video {
                (&local.video.0, local.video.1, Some(local.video.2))
            } else {
                (&local.audio.0, local.audio.1, None)
            };
            answer = answer.with_property_attribute(direction.to_owned());
            if sends {
                answer = answer.with_value_attribute(
                    "msid".to_owned(),
                    format!("{} {track}", local.stream_id),
                );
            }
            answer = answer.with_property_attribute("rtcp-mux".to_owned());
            if md.has_attribute("rtcp-rsize") {
                answer = answer.with_property_attribute("rtcp-rsize".to_owned());
            }
            for (c, rtx, fb) in chosen {
                let channels = c.encoding_parameters.parse::<u16>().unwrap_or(0);
                answer = answer.with_codec(
                    c.payload_type,
                    c.name.clone(),
                    c.clock_rate,
                    channels,
                    c.fmtp.clone(),
                );
                for f in fb {
                    answer = answer.with_value_attribute(
                        "rtcp-fb".to_owned(),
                        format!("{} {f}", c.payload_type),
                    );
                }
                if let Some(r) = rtx {
                    answer = answer.with_codec(
                        r.payload_type,
                        r.name.clone(),
                        r.clock_rate,
                        0,
                        r.fmtp.clone(),
                    );
                }
            }
            if sends {
                let ssrcs: &[u32] = match rtx_ssrc {
                    Some(rtx) => {
                        answer = answer.with_value_attribute(
                            "ssrc-group".to_owned(),
                            format!("FID {ssrc} {rtx}"),
                        );
                        &[ssrc, rtx]
                    }
                    None => &[ssrc],
                };
                for s in ssrcs {
                    answer = answer
                        .with_value_attribute(
                            "ssrc".to_owned(),
                            format!("{s} cname:{}", local.cname),
                        )
                        .with_value_attribute(
                            "ssrc".to_owned(),
                            format!("{s} msid:{} {track}", local.stream_id),
                        );
                }
            }
        }
        mids.push(mid.to_owned());
        sections.push(answer);
    }
    let remote = remote.ok_or(PeerFailed::Missing("a media section"))?;

    let mut d = SessionDescription::new_jsep_session_description(false);
    d.origin.session_id = local.session_id;
    d.origin.session_version = local.session_version;
    d.origin.unicast_address = "127.0.0.1".to_owned();
    let mut group = "BUNDLE".to_owned();
    for m in &mids {
        let _ = write!(group, " {m}");
    }
    d = d.with_value_attribute("group".to_owned(), group);
    if offer.has_attribute("extmap-allow-mixed") {
        d = d.with_property_attribute("extmap-allow-mixed".to_owned());
    }
    d = d.with_value_attribute(
        "msid-semantic".to_owned(),
        format!(" WMS {}", local.stream_id),
    );
    for s in sections {
        d = d.with_media(s);
    }
    Ok((d.marshal(), remote))
}

/// Asserts that both sides accept [`OFFER`], parse it to the same sections, read the
/// same remote transport and write the same answer byte for byte, so the bench compares
/// like with like and never times an error path. Panics otherwise.
pub fn assert_equivalent() {
    let ours = ours_parse(OFFER).expect("rtcam parses the offer");
    let theirs = webrtc_rs_parse(OFFER).expect("webrtc-rs parses the offer");
    assert_eq!(ours.media_count(), theirs.media_descriptions.len());
    for (o, t) in ours.media().zip(&theirs.media_descriptions) {
        assert_eq!(o.kind().to_string(), t.media_name.media);
        assert_eq!(o.mid(), t.attribute("mid").flatten());
        assert_eq!(
            o.line().formats.as_str(),
            t.media_name.formats.join(" "),
            "formats of m={}",
            t.media_name.media
        );
    }

    let local = local();
    let peer_local = PeerLocal::new();
    let mut buf = [0u8; ANSWER_CAPACITY];
    let (ours, ours_remote) = ours_answer(OFFER, &local, &mut buf).expect("rtcam answers");
    // The answer is a real one: rtcam reads it back with H.264 108 + RTX 109 first.
    let back: Sdp<'_> = Sdp::parse(ours).expect("rtcam reads its own answer");
    assert_eq!(
        back.media_at(0).map(|m| m.line().formats.as_str()),
        Some("108 109 102 103 116 117")
    );
    for (what, f) in [
        (
            "one attribute pass",
            webrtc_rs_answer as fn(&str, &PeerLocal) -> _,
        ),
        ("per payload type", webrtc_rs_answer_media_engine),
    ] {
        let (theirs, their_remote) = f(OFFER, &peer_local).expect("webrtc-rs answers");
        assert_eq!(theirs, ours, "webrtc-rs ({what}) and rtcam answers differ");
        assert_eq!(their_remote.ice_ufrag, ours_remote.ice_ufrag);
        assert_eq!(their_remote.ice_pwd, ours_remote.ice_pwd);
        assert_eq!(
            their_remote.fingerprint,
            ours_remote.fingerprint.to_string()
        );
        // And webrtc-rs reads the answer back.
        let parsed = webrtc_rs_parse(&theirs).expect("webrtc-rs reads the answer");
        assert_eq!(parsed.media_descriptions.len(), 3);
    }
}
