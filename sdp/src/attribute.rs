//! The attributes WebRTC uses, typed and borrowed from the text (`a=<name>[:<value>]`).

use core::fmt;

use crate::candidate::Candidate;
use crate::error::AttributeError;
use crate::fingerprint::Fingerprint;
use crate::text::{Tokens, dec_u8, dec_u16, dec_u32, dec_u64, is_token, next_token};

/// A media direction (RFC 8866 §6.7), from the point of view of the side that wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Sends and receives (the default when absent).
    SendRecv,
    /// Only sends.
    SendOnly,
    /// Only receives.
    RecvOnly,
    /// Neither.
    Inactive,
}

impl Direction {
    /// The attribute name (`sendrecv`...).
    pub const fn name(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "sendrecv" => Direction::SendRecv,
            "sendonly" => Direction::SendOnly,
            "recvonly" => Direction::RecvOnly,
            "inactive" => Direction::Inactive,
            _ => return None,
        })
    }

    /// Whether this side sends.
    pub const fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// Whether this side receives.
    pub const fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// The direction from sending and receiving flags.
    pub const fn from_flags(sends: bool, receives: bool) -> Self {
        match (sends, receives) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The same stream seen from the other side (`sendonly` ↔ `recvonly`).
    pub const fn reversed(self) -> Self {
        Direction::from_flags(self.receives(), self.sends())
    }

    /// What we answer when the peer offers `self` and we want `local`: we send only if
    /// they receive, and receive only if they send (RFC 3264 §6.1).
    pub const fn answer(self, local: Direction) -> Self {
        Direction::from_flags(
            local.sends() && self.receives(),
            local.receives() && self.sends(),
        )
    }
}

/// `a=setup` (RFC 4145, RFC 5763): who opens the DTLS connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Setup {
    /// This side is the DTLS client.
    Active,
    /// This side is the DTLS server.
    Passive,
    /// Either (offers must say this).
    ActPass,
    /// Hold the connection (not used by WebRTC).
    HoldConn,
}

impl Setup {
    /// The attribute value.
    pub const fn name(self) -> &'static str {
        match self {
            Setup::Active => "active",
            Setup::Passive => "passive",
            Setup::ActPass => "actpass",
            Setup::HoldConn => "holdconn",
        }
    }
}

/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extmap<'a> {
    /// The local identifier (1–14 one-byte, 1–255 two-byte headers).
    pub id: u8,
    /// A direction restricting its use, if given.
    pub direction: Option<Direction>,
    /// The extension's URI.
    pub uri: &'a str,
    /// Extension attributes, if any.
    pub attributes: Option<&'a str>,
}

/// `a=rtpmap:<pt> <encoding>/<clock rate>[/<channels>]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rtpmap<'a> {
    /// The payload type (0–127).
    pub payload_type: u8,
    /// The encoding name as written (`H264`, `opus`...; compare case-insensitively).
    pub encoding: &'a str,
    /// The RTP clock rate.
    pub clock_rate: u32,
    /// Audio channels, if given.
    pub channels: Option<u16>,
}

/// `a=fmtp:<pt> <parameters>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fmtp<'a> {
    /// The payload type.
    pub payload_type: u8,
    /// The format parameters as written (`key=value;key=value` for the codecs WebRTC uses).
    pub parameters: &'a str,
}

impl<'a> Fmtp<'a> {
    /// The `key=value` parameters (a bare `key` gives an empty value), trimmed.
    pub fn params(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.parameters.split(';').filter_map(|p| {
            let p = p.trim_matches(' ');
            if p.is_empty() {
                return None;
            }
            Some(match p.split_once('=') {
                Some((k, v)) => (k.trim_matches(' '), v.trim_matches(' ')),
                None => (p, ""),
            })
        })
    }

    /// One parameter's value (keys compared case-insensitively).
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.params()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
}

/// `a=rtcp-fb:<pt|*> <type> [<parameter>]` (RFC 4585 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtcpFb<'a> {
    /// The payload type it applies to; `None` for `*` (all).
    pub payload_type: Option<u8>,
    /// `nack`, `ccm`, `goog-remb`, `transport-cc`...
    pub kind: &'a str,
    /// `pli` (for nack), `fir` (for ccm)..., if any.
    pub parameter: Option<&'a str>,
}

/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SsrcAttribute<'a> {
    /// The synchronization source.
    pub ssrc: u32,
    /// `cname`, `msid`...
    pub attribute: &'a str,
    /// Its value, if any.
    pub value: Option<&'a str>,
}

/// `a=rid:<id> <send|recv> [<restrictions>]` (RFC 8851): parsed, not yet acted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rid<'a> {
    /// The RTP stream id.
    pub id: &'a str,
    /// Whether the writer sends (`send`) or receives (`recv`) it.
    pub send: bool,
    /// `pt=...;max-width=...` restrictions as written.
    pub restrictions: Option<&'a str>,
}

/// One `a=` line, typed for what WebRTC uses and kept as name/value otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// `a=group:<semantics> <mids>` (RFC 5888; BUNDLE: RFC 9143).
    Group {
        /// `BUNDLE`, `LS`...
        semantics: &'a str,
        /// The grouped mids.
        mids: Tokens<'a>,
    },
    /// `a=msid-semantic: WMS [ids]` (legacy, still sent by libwebrtc).
    MsidSemantic {
        /// `WMS`.
        semantics: &'a str,
        /// Stream ids or `*`.
        ids: Tokens<'a>,
    },
    /// `a=msid:<stream> [<track>]` (RFC 8830).
    Msid {
        /// The media stream id (`-` for none).
        stream: &'a str,
        /// The track id.
        track: Option<&'a str>,
    },
    /// `a=ice-ufrag`.
    IceUfrag(&'a str),
    /// `a=ice-pwd`.
    IcePwd(&'a str),
    /// `a=ice-options:trickle ice2 ...`.
    IceOptions(Tokens<'a>),
    /// `a=ice-lite`.
    IceLite,
    /// `a=fingerprint` with a supported hash.
    Fingerprint(Fingerprint),
    /// `a=setup`.
    Setup(Setup),
    /// `a=mid`.
    Mid(&'a str),
    /// `a=extmap`.
    Extmap(Extmap<'a>),
    /// `a=extmap-allow-mixed` (RFC 8285 §6).
    ExtmapAllowMixed,
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`.
    Direction(Direction),
    /// `a=rtcp-mux`.
    RtcpMux,
    /// `a=rtcp-mux-only` (RFC 8858).
    RtcpMuxOnly,
    /// `a=rtcp-rsize` (RFC 5506).
    RtcpRsize,
    /// `a=rtpmap`.
    Rtpmap(Rtpmap<'a>),
    /// `a=fmtp`.
    Fmtp(Fmtp<'a>),
    /// `a=rtcp-fb`.
    RtcpFb(RtcpFb<'a>),
    /// `a=ssrc`.
    Ssrc(SsrcAttribute<'a>),
    /// `a=ssrc-group:<semantics> <ssrcs>` (`FID` pairs media and RTX).
    SsrcGroup {
        /// `FID`, `SIM`, `FEC-FR`...
        semantics: &'a str,
        /// The SSRCs, as written (each checked to be a number).
        ssrcs: Tokens<'a>,
    },
    /// `a=candidate`.
    Candidate(Candidate<'a>),
    /// `a=end-of-candidates` (RFC 8840).
    EndOfCandidates,
    /// `a=sctp-port` (RFC 8841).
    SctpPort(u16),
    /// `a=max-message-size` (RFC 8841); 0 means no limit.
    MaxMessageSize(u64),
    /// `a=rid` (parsed, not used yet).
    Rid(Rid<'a>),
    /// `a=simulcast` (RFC 8853; kept as written, not used yet).
    Simulcast(&'a str),
    /// Anything else, kept as written.
    Other {
        /// The attribute name.
        name: &'a str,
        /// Its value, if it has one.
        value: Option<&'a str>,
    },
}

const fn bad(attribute: &'static str, problem: &'static str) -> AttributeError {
    AttributeError::new(attribute, problem)
}

fn no_value(
    name: &'static str,
    value: Option<&str>,
    a: Attribute<'static>,
) -> Result<Attribute<'static>, AttributeError> {
    match value {
        None => Ok(a),
        Some(_) => Err(bad(name, "takes no value")),
    }
}

fn required<'a>(name: &'static str, value: Option<&'a str>) -> Result<&'a str, AttributeError> {
    match value {
        Some(v) if !v.trim_matches(' ').is_empty() => Ok(v.trim_matches(' ')),
        _ => Err(bad(name, "missing value")),
    }
}

fn payload_type(name: &'static str, s: &str) -> Result<u8, AttributeError> {
    dec_u8(s)
        .filter(|pt| *pt <= 127)
        .ok_or(bad(name, "payload type is not 0..=127"))
}

impl<'a> Attribute<'a> {
    /// Reads the text after `a=`. Unknown attributes become [`Attribute::Other`]; a known
    /// attribute that breaks its grammar is an error naming it.
    pub fn parse(text: &'a str) -> Result<Self, AttributeError> {
        let (name, value) = match text.split_once(':') {
            Some((n, v)) => (n, Some(v)),
            None => (text, None),
        };
        Ok(match name {
            "group" => {
                let v = required("group", value)?;
                let (semantics, mids) = next_token(v).ok_or(bad("group", "missing semantics"))?;
                Attribute::Group {
                    semantics,
                    mids: Tokens(mids),
                }
            }
            "msid-semantic" => {
                let v = required("msid-semantic", value)?;
                let (semantics, ids) =
                    next_token(v).ok_or(bad("msid-semantic", "missing semantics"))?;
                Attribute::MsidSemantic {
                    semantics,
                    ids: Tokens(ids),
                }
            }
            "msid" => {
                let v = required("msid", value)?;
                let (stream, rest) = next_token(v).ok_or(bad("msid", "missing stream id"))?;
                let track = match next_token(rest) {
                    None => None,
                    Some((t, "")) => Some(t),
                    Some(_) => return Err(bad("msid", "more than two ids")),
                };
                Attribute::Msid { stream, track }
            }
            "ice-ufrag" => Attribute::IceUfrag(ice_credential("ice-ufrag", value)?),
            "ice-pwd" => Attribute::IcePwd(ice_credential("ice-pwd", value)?),
            "ice-options" => Attribute::IceOptions(Tokens(required("ice-options", value)?)),
            "ice-lite" => no_value("ice-lite", value, Attribute::IceLite)?,
            "fingerprint" => match Fingerprint::parse(required("fingerprint", value)?)? {
                Some(f) => Attribute::Fingerprint(f),
                None => Attribute::Other { name, value },
            },
            "setup" => Attribute::Setup(match required("setup", value)? {
                "active" => Setup::Active,
                "passive" => Setup::Passive,
                "actpass" => Setup::ActPass,
                "holdconn" => Setup::HoldConn,
                _ => return Err(bad("setup", "not active/passive/actpass/holdconn")),
            }),
            "mid" => {
                let mid = required("mid", value)?;
                if !is_token(mid) || mid.len() > 32 {
                    return Err(bad("mid", "not a token of at most 32 characters"));
                }
                Attribute::Mid(mid)
            }
            "extmap" => Attribute::Extmap(parse_extmap(required("extmap", value)?)?),
            "extmap-allow-mixed" => {
                no_value("extmap-allow-mixed", value, Attribute::ExtmapAllowMixed)?
            }
            "sendrecv" | "sendonly" | "recvonly" | "inactive" => match value {
                None => {
                    Attribute::Direction(Direction::from_name(name).unwrap_or(Direction::SendRecv))
                }
                Some(_) => return Err(bad("sendrecv", "a direction takes no value")),
            },
            "rtcp-mux" => no_value("rtcp-mux", value, Attribute::RtcpMux)?,
            "rtcp-mux-only" => no_value("rtcp-mux-only", value, Attribute::RtcpMuxOnly)?,
            "rtcp-rsize" => no_value("rtcp-rsize", value, Attribute::RtcpRsize)?,
            "rtpmap" => Attribute::Rtpmap(parse_rtpmap(required("rtpmap", value)?)?),
            "fmtp" => {
                let v = required("fmtp", value)?;
                let (pt, parameters) = next_token(v).ok_or(bad("fmtp", "missing payload type"))?;
                Attribute::Fmtp(Fmtp {
                    payload_type: payload_type("fmtp", pt)?,
                    parameters,
                })
            }
            "rtcp-fb" => {
                let v = required("rtcp-fb", value)?;
                let (pt, rest) = next_token(v).ok_or(bad("rtcp-fb", "missing payload type"))?;
                let payload_type = if pt == "*" {
                    None
                } else {
                    Some(payload_type("rtcp-fb", pt)?)
                };
                let (kind, rest) = next_token(rest).ok_or(bad("rtcp-fb", "missing type"))?;
                let parameter = next_token(rest).map(|(p, _)| p);
                Attribute::RtcpFb(RtcpFb {
                    payload_type,
                    kind,
                    parameter,
                })
            }
            "ssrc" => {
                let v = required("ssrc", value)?;
                let (ssrc, rest) = next_token(v).ok_or(bad("ssrc", "missing ssrc"))?;
                let ssrc = dec_u32(ssrc).ok_or(bad("ssrc", "ssrc is not a 32-bit number"))?;
                let rest = rest.trim_end_matches(' ');
                if rest.is_empty() {
                    return Err(bad("ssrc", "missing attribute"));
                }
                let (attribute, value) = match rest.split_once(':') {
                    Some((a, v)) => (a, Some(v)),
                    None => (rest, None),
                };
                Attribute::Ssrc(SsrcAttribute {
                    ssrc,
                    attribute,
                    value,
                })
            }
            "ssrc-group" => {
                let v = required("ssrc-group", value)?;
                let (semantics, ssrcs) =
                    next_token(v).ok_or(bad("ssrc-group", "missing semantics"))?;
                let ssrcs = Tokens(ssrcs);
                if ssrcs.iter().any(|s| dec_u32(s).is_none()) {
                    return Err(bad("ssrc-group", "ssrc is not a 32-bit number"));
                }
                Attribute::SsrcGroup { semantics, ssrcs }
            }
            "candidate" => Attribute::Candidate(Candidate::parse(required("candidate", value)?)?),
            "end-of-candidates" => {
                no_value("end-of-candidates", value, Attribute::EndOfCandidates)?
            }
            "sctp-port" => Attribute::SctpPort(
                dec_u16(required("sctp-port", value)?).ok_or(bad("sctp-port", "not a port"))?,
            ),
            "max-message-size" => Attribute::MaxMessageSize(
                dec_u64(required("max-message-size", value)?)
                    .ok_or(bad("max-message-size", "not a number"))?,
            ),
            "rid" => {
                let v = required("rid", value)?;
                let (id, rest) = next_token(v).ok_or(bad("rid", "missing id"))?;
                let (dir, rest) = next_token(rest).ok_or(bad("rid", "missing direction"))?;
                let send = match dir {
                    "send" => true,
                    "recv" => false,
                    _ => return Err(bad("rid", "direction is not send/recv")),
                };
                let restrictions = (!rest.is_empty()).then_some(rest);
                Attribute::Rid(Rid {
                    id,
                    send,
                    restrictions,
                })
            }
            "simulcast" => Attribute::Simulcast(required("simulcast", value)?),
            _ => Attribute::Other { name, value },
        })
    }

    /// The attribute's name (`rtpmap`...).
    pub fn name(&self) -> &'a str {
        match self {
            Attribute::Group { .. } => "group",
            Attribute::MsidSemantic { .. } => "msid-semantic",
            Attribute::Msid { .. } => "msid",
            Attribute::IceUfrag(_) => "ice-ufrag",
            Attribute::IcePwd(_) => "ice-pwd",
            Attribute::IceOptions(_) => "ice-options",
            Attribute::IceLite => "ice-lite",
            Attribute::Fingerprint(_) => "fingerprint",
            Attribute::Setup(_) => "setup",
            Attribute::Mid(_) => "mid",
            Attribute::Extmap(_) => "extmap",
            Attribute::ExtmapAllowMixed => "extmap-allow-mixed",
            Attribute::Direction(d) => d.name(),
            Attribute::RtcpMux => "rtcp-mux",
            Attribute::RtcpMuxOnly => "rtcp-mux-only",
            Attribute::RtcpRsize => "rtcp-rsize",
            Attribute::Rtpmap(_) => "rtpmap",
            Attribute::Fmtp(_) => "fmtp",
            Attribute::RtcpFb(_) => "rtcp-fb",
            Attribute::Ssrc(_) => "ssrc",
            Attribute::SsrcGroup { .. } => "ssrc-group",
            Attribute::Candidate(_) => "candidate",
            Attribute::EndOfCandidates => "end-of-candidates",
            Attribute::SctpPort(_) => "sctp-port",
            Attribute::MaxMessageSize(_) => "max-message-size",
            Attribute::Rid(_) => "rid",
            Attribute::Simulcast(_) => "simulcast",
            Attribute::Other { name, .. } => name,
        }
    }
}

/// ice-ufrag / ice-pwd: 4–256 / 22–256 ice-chars (RFC 8839 §5.4). Shorter values are
/// accepted from peers that ignore the minimum (interop), but never empty or non-ice-char.
fn ice_credential<'a>(
    name: &'static str,
    value: Option<&'a str>,
) -> Result<&'a str, AttributeError> {
    let v = required(name, value)?;
    if v.len() > 256
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
    {
        return Err(bad(name, "not 1-256 ice-chars"));
    }
    Ok(v)
}

fn parse_extmap(v: &str) -> Result<Extmap<'_>, AttributeError> {
    let (id, rest) = next_token(v).ok_or(bad("extmap", "missing id"))?;
    let (id, direction) = match id.split_once('/') {
        Some((id, d)) => (
            id,
            Some(Direction::from_name(d).ok_or(bad("extmap", "bad direction"))?),
        ),
        None => (id, None),
    };
    let id = dec_u8(id)
        .filter(|i| *i != 0)
        .ok_or(bad("extmap", "id is not 1..=255"))?;
    let (uri, rest) = next_token(rest).ok_or(bad("extmap", "missing URI"))?;
    let attributes = (!rest.is_empty()).then_some(rest);
    Ok(Extmap {
        id,
        direction,
        uri,
        attributes,
    })
}

fn parse_rtpmap(v: &str) -> Result<Rtpmap<'_>, AttributeError> {
    let (pt, rest) = next_token(v).ok_or(bad("rtpmap", "missing payload type"))?;
    let payload_type = payload_type("rtpmap", pt)?;
    let rest = rest.trim_end_matches(' ');
    let mut parts = rest.split('/');
    let encoding = parts
        .next()
        .filter(|e| is_token(e))
        .ok_or(bad("rtpmap", "bad encoding name"))?;
    let clock_rate = parts
        .next()
        .and_then(dec_u32)
        .filter(|c| *c > 0)
        .ok_or(bad("rtpmap", "bad clock rate"))?;
    let channels = match parts.next() {
        Some(c) => Some(
            dec_u16(c)
                .filter(|c| *c > 0)
                .ok_or(bad("rtpmap", "bad channels"))?,
        ),
        None => None,
    };
    if parts.next().is_some() {
        return Err(bad("rtpmap", "too many fields"));
    }
    Ok(Rtpmap {
        payload_type,
        encoding,
        clock_rate,
        channels,
    })
}

impl fmt::Display for Attribute<'_> {
    /// The text after `a=`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attribute::Group { semantics, mids } => {
                write!(f, "group:{semantics}")?;
                mids.iter().try_for_each(|m| write!(f, " {m}"))
            }
            Attribute::MsidSemantic { semantics, ids } => {
                write!(f, "msid-semantic: {semantics}")?;
                ids.iter().try_for_each(|i| write!(f, " {i}"))
            }
            Attribute::Msid {
                stream,
                track: Some(t),
            } => write!(f, "msid:{stream} {t}"),
            Attribute::Msid {
                stream,
                track: None,
            } => write!(f, "msid:{stream}"),
            Attribute::IceUfrag(u) => write!(f, "ice-ufrag:{u}"),
            Attribute::IcePwd(p) => write!(f, "ice-pwd:{p}"),
            Attribute::IceOptions(o) => write!(f, "ice-options:{o}"),
            Attribute::Fingerprint(fp) => write!(f, "fingerprint:{fp}"),
            Attribute::Setup(s) => write!(f, "setup:{}", s.name()),
            Attribute::Mid(m) => write!(f, "mid:{m}"),
            Attribute::Extmap(e) => {
                write!(f, "extmap:{}", e.id)?;
                if let Some(d) = e.direction {
                    write!(f, "/{}", d.name())?;
                }
                write!(f, " {}", e.uri)?;
                if let Some(a) = e.attributes {
                    write!(f, " {a}")?;
                }
                Ok(())
            }
            Attribute::Rtpmap(r) => {
                write!(
                    f,
                    "rtpmap:{} {}/{}",
                    r.payload_type, r.encoding, r.clock_rate
                )?;
                if let Some(c) = r.channels {
                    write!(f, "/{c}")?;
                }
                Ok(())
            }
            Attribute::Fmtp(p) => write!(f, "fmtp:{} {}", p.payload_type, p.parameters),
            Attribute::RtcpFb(fb) => {
                match fb.payload_type {
                    Some(pt) => write!(f, "rtcp-fb:{pt} {}", fb.kind)?,
                    None => write!(f, "rtcp-fb:* {}", fb.kind)?,
                }
                if let Some(p) = fb.parameter {
                    write!(f, " {p}")?;
                }
                Ok(())
            }
            Attribute::Ssrc(s) => {
                write!(f, "ssrc:{} {}", s.ssrc, s.attribute)?;
                if let Some(v) = s.value {
                    write!(f, ":{v}")?;
                }
                Ok(())
            }
            Attribute::SsrcGroup { semantics, ssrcs } => {
                write!(f, "ssrc-group:{semantics}")?;
                ssrcs.iter().try_for_each(|s| write!(f, " {s}"))
            }
            Attribute::Candidate(c) => write!(f, "candidate:{c}"),
            Attribute::SctpPort(p) => write!(f, "sctp-port:{p}"),
            Attribute::MaxMessageSize(m) => write!(f, "max-message-size:{m}"),
            Attribute::Rid(r) => {
                write!(f, "rid:{} {}", r.id, if r.send { "send" } else { "recv" })?;
                if let Some(x) = r.restrictions {
                    write!(f, " {x}")?;
                }
                Ok(())
            }
            Attribute::Simulcast(s) => write!(f, "simulcast:{s}"),
            Attribute::Other {
                name,
                value: Some(v),
            } => write!(f, "{name}:{v}"),
            Attribute::IceLite
            | Attribute::ExtmapAllowMixed
            | Attribute::Direction(_)
            | Attribute::RtcpMux
            | Attribute::RtcpMuxOnly
            | Attribute::RtcpRsize
            | Attribute::EndOfCandidates
            | Attribute::Other { value: None, .. } => f.write_str(self.name()),
        }
    }
}
