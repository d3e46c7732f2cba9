//! The session description view: the text, checked once, with its media sections located.

use core::fmt;

use heapless::Vec;

use crate::attribute::{Attribute, Direction, Extmap, Fmtp, Rtpmap, Setup};
use crate::candidate::Candidate;
use crate::error::{ParseError, ParseErrorKind};
use crate::fingerprint::Fingerprint;
use crate::text::{Line, Lines, Tokens, dec_u8, dec_u16, next_token};

/// The default capacity of media sections: audio, video, data and room for a few more.
pub const MAX_MEDIA: usize = 8;

/// Bounds on what a description may contain, checked before anything is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest text accepted, in bytes.
    pub max_len: usize,
    /// The most formats on one `m=` line.
    pub max_formats: u16,
    /// The most attribute lines in one section (the session level counts as one).
    pub max_attributes: u16,
    /// The most `a=candidate` lines in one section.
    pub max_candidates: u16,
}

impl Limits {
    /// Generous for every browser's offer (Chromium with every codec is ~6 KB, ~45 video
    /// formats), small enough that a hostile peer cannot make us do much work.
    pub const DEFAULT: Limits = Limits {
        max_len: 32 * 1024,
        max_formats: 64,
        max_attributes: 256,
        max_candidates: 64,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The kind of media of an `m=` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaKind {
    /// `audio`.
    Audio,
    /// `video`.
    Video,
    /// `application` (data channels).
    Application,
    /// Anything else (`text`, `message`...).
    Other,
}

impl MediaKind {
    fn from_name(s: &str) -> Self {
        match s {
            "audio" => MediaKind::Audio,
            "video" => MediaKind::Video,
            "application" => MediaKind::Application,
            _ => MediaKind::Other,
        }
    }
}

impl fmt::Display for MediaKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MediaKind::Audio => "audio",
            MediaKind::Video => "video",
            MediaKind::Application => "application",
            MediaKind::Other => "other",
        })
    }
}

/// The `o=` line: `<username> <sess-id> <sess-version> IN <IP4|IP6> <address>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    /// Usually `-`.
    pub username: &'a str,
    /// The session id (digits, may exceed 64 bits in theory, so kept as text).
    pub session_id: &'a str,
    /// The version, incremented by each new description of the session.
    pub session_version: &'a str,
    /// `IN IP4 127.0.0.1` and the like.
    pub address: &'a str,
}

/// A media section's `m=` line: `<media> <port>[/<n>] <proto> <fmt>...`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaLine<'a> {
    /// The media name as written.
    pub media: &'a str,
    /// The port; 0 marks a rejected (or bundled-only) section.
    pub port: u16,
    /// The protocol (`UDP/TLS/RTP/SAVPF`, `UDP/DTLS/SCTP`...).
    pub proto: &'a str,
    /// The formats (payload types for RTP, `webrtc-datachannel` for data).
    pub formats: Tokens<'a>,
}

impl MediaLine<'_> {
    /// The kind of media.
    pub fn kind(&self) -> MediaKind {
        MediaKind::from_name(self.media)
    }

    /// Whether the protocol is an RTP profile (the formats are payload types).
    pub fn is_rtp(&self) -> bool {
        self.proto.contains("RTP/")
    }

    /// The payload types of an RTP section, in the offerer's preference order.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        let rtp = self.is_rtp();
        self.formats.iter().filter(move |_| rtp).filter_map(dec_u8)
    }
}

#[derive(Debug, Clone, Copy)]
struct Span {
    /// Byte range of the section's lines after the `m=` line.
    start: usize,
    end: usize,
    /// Line number of the `m=` line.
    line: u32,
}

/// A parsed session description: a view over the text, which is validated once
/// ([`Sdp::parse`]: line syntax, `v=`/`o=`, every `m=` line and every known attribute's
/// grammar, all bounds). Reading it afterwards cannot fail; nothing is copied.
///
/// `M` bounds the number of media sections (default [`MAX_MEDIA`]).
#[derive(Debug, Clone)]
pub struct Sdp<'a, const M: usize = MAX_MEDIA> {
    text: &'a str,
    origin: Origin<'a>,
    session_name: &'a str,
    session: Span,
    media: Vec<(MediaLine<'a>, Span), M>,
}

fn err(line: u32, kind: ParseErrorKind) -> ParseError {
    ParseError { line, kind }
}

impl<'a, const M: usize> Sdp<'a, M> {
    /// Parses with [`Limits::DEFAULT`].
    pub fn parse(text: &'a str) -> Result<Self, ParseError> {
        Self::parse_with(text, &Limits::DEFAULT)
    }

    /// Parses and validates `text` (LF or CRLF line ends) within `limits`.
    pub fn parse_with(text: &'a str, limits: &Limits) -> Result<Self, ParseError> {
        if text.len() > limits.max_len {
            return Err(err(
                0,
                ParseErrorKind::TooLong {
                    max: limits.max_len,
                },
            ));
        }
        let mut lines = Lines::new(text, 1);
        let first = lines.next().ok_or(err(1, ParseErrorKind::NotSdp))?;
        if first.text.trim_end_matches(' ') != "v=0" {
            return Err(err(first.number, ParseErrorKind::NotSdp));
        }
        let mut origin = None;
        let mut session_name = "";
        let session_start = line_end(text, &first);
        let mut session = Span {
            start: session_start,
            end: text.len(),
            line: first.number,
        };
        let mut media: Vec<(MediaLine<'a>, Span), M> = Vec::new();
        let mut attributes = 0u16;
        let mut candidates = 0u16;
        for line in lines {
            let (kind, value) = line
                .split()
                .ok_or(err(line.number, ParseErrorKind::BadLine))?;
            match kind {
                b'm' => {
                    let m = parse_media_line(value, limits).map_err(|k| err(line.number, k))?;
                    let body = line_end(text, &line);
                    match media.last_mut() {
                        Some((_, span)) => span.end = line.start,
                        None => session.end = line.start,
                    }
                    media
                        .push((
                            m,
                            Span {
                                start: body,
                                end: text.len(),
                                line: line.number,
                            },
                        ))
                        .map_err(|_| err(line.number, ParseErrorKind::TooManyMedia { max: M }))?;
                    attributes = 0;
                    candidates = 0;
                }
                b'a' => {
                    attributes = attributes.saturating_add(1);
                    if attributes > limits.max_attributes {
                        let max = limits.max_attributes;
                        return Err(err(line.number, ParseErrorKind::TooManyAttributes { max }));
                    }
                    let a = Attribute::parse(value)
                        .map_err(|e| err(line.number, ParseErrorKind::BadAttribute(e)))?;
                    if matches!(a, Attribute::Candidate(_)) {
                        candidates = candidates.saturating_add(1);
                        if candidates > limits.max_candidates {
                            let max = limits.max_candidates;
                            return Err(err(
                                line.number,
                                ParseErrorKind::TooManyCandidates { max },
                            ));
                        }
                    }
                }
                b'o' if media.is_empty() => {
                    origin = Some(
                        parse_origin(value).ok_or(err(line.number, ParseErrorKind::BadOrigin))?,
                    );
                }
                b's' if media.is_empty() => session_name = value,
                // v= again, t=, c=, b=, i=, u=, e=, p=, z=, k=, r= and unknown letters:
                // kept in the text, not interpreted.
                _ => {}
            }
        }
        let origin = origin.ok_or(err(0, ParseErrorKind::MissingOrigin))?;
        Ok(Sdp {
            text,
            origin,
            session_name,
            session,
            media,
        })
    }

    /// The text this view reads.
    pub fn as_str(&self) -> &'a str {
        self.text
    }

    /// The `o=` line.
    pub fn origin(&self) -> &Origin<'a> {
        &self.origin
    }

    /// The `s=` line's value (`-` for browsers).
    pub fn session_name(&self) -> &'a str {
        self.session_name
    }

    /// Session-level attributes, in order.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes::new(slice(self.text, self.session))
    }

    /// The media sections, in order.
    pub fn media(&self) -> impl ExactSizeIterator<Item = Media<'a>> + '_ {
        self.media
            .iter()
            .enumerate()
            .map(|(index, (line, span))| Media {
                index,
                line: *line,
                line_number: span.line,
                body: slice(self.text, *span),
                session: slice(self.text, self.session),
            })
    }

    /// One media section by `m=` line index.
    pub fn media_at(&self, index: usize) -> Option<Media<'a>> {
        self.media().nth(index)
    }

    /// How many media sections there are.
    pub fn media_count(&self) -> usize {
        self.media.len()
    }

    /// The mids of the first `a=group:BUNDLE`, if any.
    pub fn bundle(&self) -> Option<Tokens<'a>> {
        self.attributes().named("group").find_map(|a| match a {
            Attribute::Group {
                semantics: "BUNDLE",
                mids,
            } => Some(mids),
            _ => None,
        })
    }

    /// Whether the session says `a=ice-lite`.
    pub fn ice_lite(&self) -> bool {
        self.attributes()
            .named("ice-lite")
            .any(|a| a == Attribute::IceLite)
    }

    /// The section whose `a=mid` is `mid`.
    pub fn media_by_mid(&self, mid: &str) -> Option<Media<'a>> {
        self.media().find(|m| m.mid() == Some(mid))
    }
}

fn slice(text: &str, span: Span) -> &str {
    text.get(span.start..span.end).unwrap_or("")
}

/// The offset just past a line's terminator.
fn line_end(text: &str, line: &Line<'_>) -> usize {
    let end = line.start + line.text.len();
    let rest = text.get(end..).unwrap_or("");
    if rest.starts_with("\r\n") {
        end + 2
    } else if rest.starts_with('\n') || rest.starts_with('\r') {
        end + 1
    } else {
        end
    }
}

fn parse_origin(value: &str) -> Option<Origin<'_>> {
    let (username, rest) = next_token(value)?;
    let (session_id, rest) = next_token(rest)?;
    let (session_version, address) = next_token(rest)?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(session_id) || !digits(session_version) {
        return None;
    }
    let mut parts = address.split(' ').filter(|t| !t.is_empty());
    let (Some(_net), Some(_addr_type), Some(_addr), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    Some(Origin {
        username,
        session_id,
        session_version,
        address,
    })
}

fn parse_media_line<'a>(value: &'a str, limits: &Limits) -> Result<MediaLine<'a>, ParseErrorKind> {
    let bad = ParseErrorKind::BadMediaLine;
    let (media, rest) = next_token(value).ok_or(bad)?;
    let (port, rest) = next_token(rest).ok_or(bad)?;
    let port = match port.split_once('/') {
        Some((p, n)) => {
            dec_u16(n).ok_or(bad)?;
            p
        }
        None => port,
    };
    let port = dec_u16(port).ok_or(bad)?;
    let (proto, formats) = next_token(rest).ok_or(bad)?;
    let line = MediaLine {
        media,
        port,
        proto,
        formats: Tokens(formats),
    };
    let mut n = 0u16;
    for f in line.formats.iter() {
        n = n.saturating_add(1);
        if n > limits.max_formats {
            return Err(ParseErrorKind::TooManyFormats {
                max: limits.max_formats,
            });
        }
        if line.is_rtp() && dec_u8(f).is_none_or(|pt| pt > 127) {
            return Err(ParseErrorKind::BadPayloadType);
        }
    }
    if n == 0 {
        return Err(bad);
    }
    Ok(line)
}

/// One media section: its `m=` line and its attributes, with session-level fallbacks for
/// the transport attributes (ICE credentials, fingerprint, setup).
#[derive(Debug, Clone, Copy)]
pub struct Media<'a> {
    index: usize,
    line: MediaLine<'a>,
    line_number: u32,
    body: &'a str,
    session: &'a str,
}

impl<'a> Media<'a> {
    /// The 0-based `m=` line index (`sdpMLineIndex`).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The `m=` line.
    pub fn line(&self) -> &MediaLine<'a> {
        &self.line
    }

    /// The line number of the `m=` line (for messages).
    pub fn line_number(&self) -> u32 {
        self.line_number
    }

    /// The kind of media.
    pub fn kind(&self) -> MediaKind {
        self.line.kind()
    }

    /// The section's lines after the `m=` line.
    pub(crate) fn body(&self) -> &'a str {
        self.body
    }

    /// The section's attributes, in order.
    pub fn attributes(&self) -> Attributes<'a> {
        Attributes::new(self.body)
    }

    /// `a=mid`.
    pub fn mid(&self) -> Option<&'a str> {
        self.attributes().named("mid").find_map(|a| match a {
            Attribute::Mid(m) => Some(m),
            _ => None,
        })
    }

    /// The direction (`sendrecv` when none is written).
    pub fn direction(&self) -> Direction {
        self.attributes()
            .named_any(&["sendrecv", "sendonly", "recvonly", "inactive"])
            .find_map(|a| match a {
                Attribute::Direction(d) => Some(d),
                _ => None,
            })
            .unwrap_or(Direction::SendRecv)
    }

    fn with_session<T>(
        &self,
        name: &'static str,
        f: impl Fn(Attribute<'a>) -> Option<T>,
    ) -> Option<T> {
        self.attributes()
            .named(name)
            .find_map(&f)
            .or_else(|| Attributes::new(self.session).named(name).find_map(f))
    }

    /// `a=ice-ufrag` of the section, else of the session.
    pub fn ice_ufrag(&self) -> Option<&'a str> {
        self.with_session("ice-ufrag", |a| match a {
            Attribute::IceUfrag(u) => Some(u),
            _ => None,
        })
    }

    /// `a=ice-pwd` of the section, else of the session.
    pub fn ice_pwd(&self) -> Option<&'a str> {
        self.with_session("ice-pwd", |a| match a {
            Attribute::IcePwd(p) => Some(p),
            _ => None,
        })
    }

    /// Whether `a=ice-options` (section or session) lists `option` (`trickle`, `ice2`).
    pub fn has_ice_option(&self, option: &str) -> bool {
        let has = |a: Attribute<'a>| match a {
            Attribute::IceOptions(o) if o.contains(option) => Some(()),
            _ => None,
        };
        self.with_session("ice-options", has).is_some()
    }

    /// The strongest supported `a=fingerprint` of the section, else of the session.
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        let strongest = |attrs: Attributes<'a>| {
            attrs
                .filter_map(|a| match a {
                    Attribute::Fingerprint(f) => Some(f),
                    _ => None,
                })
                .max_by_key(|f| f.algorithm())
        };
        strongest(self.attributes().named("fingerprint"))
            .or_else(|| strongest(Attributes::new(self.session).named("fingerprint")))
    }

    /// `a=setup` of the section, else of the session.
    pub fn setup(&self) -> Option<Setup> {
        self.with_session("setup", |a| match a {
            Attribute::Setup(s) => Some(s),
            _ => None,
        })
    }

    /// Whether the section has `a=rtcp-mux`.
    pub fn rtcp_mux(&self) -> bool {
        self.attributes()
            .named("rtcp-mux")
            .any(|a| a == Attribute::RtcpMux)
    }

    /// Whether the section has `a=rtcp-rsize`.
    pub fn rtcp_rsize(&self) -> bool {
        self.attributes()
            .named("rtcp-rsize")
            .any(|a| a == Attribute::RtcpRsize)
    }

    /// `a=rtpmap` for a payload type.
    pub fn rtpmap(&self, pt: u8) -> Option<Rtpmap<'a>> {
        self.attributes().named("rtpmap").find_map(|a| match a {
            Attribute::Rtpmap(r) if r.payload_type == pt => Some(r),
            _ => None,
        })
    }

    /// `a=fmtp` for a payload type.
    pub fn fmtp(&self, pt: u8) -> Option<Fmtp<'a>> {
        self.attributes().named("fmtp").find_map(|a| match a {
            Attribute::Fmtp(f) if f.payload_type == pt => Some(f),
            _ => None,
        })
    }

    /// `a=extmap` lines.
    pub fn extmaps(&self) -> impl Iterator<Item = Extmap<'a>> + 'a {
        self.attributes().named("extmap").filter_map(|a| match a {
            Attribute::Extmap(e) => Some(e),
            _ => None,
        })
    }

    /// `a=candidate` lines.
    pub fn candidates(&self) -> impl Iterator<Item = Candidate<'a>> + 'a {
        self.attributes()
            .named("candidate")
            .filter_map(|a| match a {
                Attribute::Candidate(c) => Some(c),
                _ => None,
            })
    }
}

/// The attributes of one section (or the session level), typed, in order.
#[derive(Debug, Clone)]
pub struct Attributes<'a> {
    lines: Lines<'a>,
    names: Names,
}

/// Which attribute names an [`Attributes`] yields; the others are skipped unparsed.
#[derive(Debug, Clone, Copy)]
enum Names {
    All,
    One(&'static str),
    Any(&'static [&'static str]),
}

impl Names {
    fn wants(self, value: &str) -> bool {
        let is = |name: &str| {
            value
                .strip_prefix(name)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
        };
        match self {
            Names::All => true,
            Names::One(name) => is(name),
            Names::Any(names) => names.iter().any(|n| is(n)),
        }
    }
}

impl<'a> Attributes<'a> {
    fn new(body: &'a str) -> Self {
        Attributes {
            lines: Lines::new(body, 1),
            names: Names::All,
        }
    }

    /// Only the attributes called `name` (the others are skipped without being parsed).
    pub fn named(mut self, name: &'static str) -> Self {
        self.names = Names::One(name);
        self
    }

    /// Only the attributes with one of these names.
    pub(crate) fn named_any(mut self, names: &'static [&'static str]) -> Self {
        self.names = Names::Any(names);
        self
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        for line in self.lines.by_ref() {
            let Some((b'a', value)) = line.split() else {
                continue;
            };
            if !self.names.wants(value) {
                continue;
            }
            // The description was validated when parsed: known attributes parse.
            if let Ok(a) = Attribute::parse(value) {
                return Some(a);
            }
        }
        None
    }
}

impl<const M: usize> fmt::Display for Sdp<'_, M> {
    /// The description with every line ended by CRLF (the form RFC 8866 requires).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for line in Lines::new(self.text, 1) {
            f.write_str(line.text)?;
            f.write_str("\r\n")?;
        }
        Ok(())
    }
}
