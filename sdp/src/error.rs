//! Errors: one for reading a description, one for negotiating an answer or reading one.

use core::fmt;

use crate::MediaKind;

/// Why a session description was rejected, and on which line (1-based; 0 = the whole text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    /// The 1-based line number the problem is on (0 when it concerns the whole text).
    pub line: u32,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong with a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// The text is longer than [`Limits::max_len`](crate::Limits).
    TooLong {
        /// The limit that was exceeded, in bytes.
        max: usize,
    },
    /// The first line is not `v=0`.
    NotSdp,
    /// A line is not `<letter>=<value>`.
    BadLine,
    /// A session-level line that must appear (`o=`) is missing.
    MissingOrigin,
    /// The `o=` line does not have its six fields.
    BadOrigin,
    /// An `m=` line is malformed (media, port, protocol, formats).
    BadMediaLine,
    /// A payload type on an RTP `m=` line is not a number from 0 to 127.
    BadPayloadType,
    /// More media sections than the description's capacity.
    TooManyMedia {
        /// The capacity.
        max: usize,
    },
    /// More formats on one `m=` line than [`Limits::max_formats`](crate::Limits).
    TooManyFormats {
        /// The limit.
        max: u16,
    },
    /// More attribute lines in one section than [`Limits::max_attributes`](crate::Limits).
    TooManyAttributes {
        /// The limit.
        max: u16,
    },
    /// More `a=candidate` lines in one section than [`Limits::max_candidates`](crate::Limits).
    TooManyCandidates {
        /// The limit.
        max: u16,
    },
    /// A known attribute whose value does not follow its grammar.
    BadAttribute(AttributeError),
}

/// A known attribute whose value does not follow its grammar: which attribute, and what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeError {
    /// The attribute's name (`rtpmap`, `candidate`, ...).
    pub attribute: &'static str,
    /// What is wrong with it.
    pub problem: &'static str,
}

impl AttributeError {
    pub(crate) const fn new(attribute: &'static str, problem: &'static str) -> Self {
        AttributeError { attribute, problem }
    }
}

impl fmt::Display for AttributeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a={}: {}", self.attribute, self.problem)
    }
}

impl core::error::Error for AttributeError {}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseErrorKind::TooLong { max } => write!(f, "description longer than {max} bytes"),
            ParseErrorKind::NotSdp => f.write_str("not SDP: the first line must be v=0"),
            ParseErrorKind::BadLine => f.write_str("line is not <letter>=<value>"),
            ParseErrorKind::MissingOrigin => f.write_str("no o= line"),
            ParseErrorKind::BadOrigin => f.write_str("malformed o= line"),
            ParseErrorKind::BadMediaLine => f.write_str("malformed m= line"),
            ParseErrorKind::BadPayloadType => f.write_str("RTP payload type is not 0..=127"),
            ParseErrorKind::TooManyMedia { max } => write!(f, "more than {max} media sections"),
            ParseErrorKind::TooManyFormats { max } => write!(f, "more than {max} formats"),
            ParseErrorKind::TooManyAttributes { max } => {
                write!(f, "more than {max} attributes in one section")
            }
            ParseErrorKind::TooManyCandidates { max } => {
                write!(f, "more than {max} candidates in one section")
            }
            ParseErrorKind::BadAttribute(e) => e.fmt(f),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            self.kind.fmt(f)
        } else {
            write!(f, "SDP line {}: {}", self.line, self.kind)
        }
    }
}

impl core::error::Error for ParseError {}

/// Why an offer cannot be answered (or an answer cannot be applied). Each names what is
/// missing or which media section (0-based `m=` line index) is at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NegotiationError {
    /// No `a=ice-ufrag` for the transport (neither in the section nor at session level).
    MissingIceUfrag,
    /// No `a=ice-pwd` for the transport.
    MissingIcePwd,
    /// No `a=fingerprint` with a hash we support (sha-1, sha-256, sha-384, sha-512): DTLS
    /// could not authenticate the peer, so we refuse to negotiate.
    MissingFingerprint,
    /// The offer does not announce `a=ice-options:trickle`, which this configuration
    /// requires (the KVS storage session trickles).
    MissingTrickle,
    /// Several media sections would be accepted but the offer has no `a=group:BUNDLE`
    /// covering them: rtcam runs every section over one transport.
    MissingBundle,
    /// An audio/video section lacks `a=rtcp-mux`; rtcam multiplexes RTCP with RTP.
    MissingRtcpMux {
        /// The `m=` line index.
        mline: usize,
    },
    /// Nothing in the offer can be accepted: no media section has a codec in common with
    /// ours (the first rejected audio/video section is named), and no data channel.
    NoCommonCodec {
        /// The `m=` line index of the first rejected audio/video section.
        mline: usize,
        /// Its media kind.
        kind: MediaKind,
    },
    /// The description has no media sections we could use at all.
    NoMedia,
    /// An answer names a payload type or codec we never offered, or uses `actpass`.
    AnswerMismatch {
        /// The `m=` line index.
        mline: usize,
    },
    /// The answer has a different number of `m=` lines than our offer.
    AnswerSectionCount,
    /// A string in [`Local`](crate::Local) cannot go into SDP (empty, spaces, line
    /// breaks, or not ice-chars for the ICE credentials).
    InvalidLocal,
    /// The output buffer is too small for the description.
    BufferTooSmall,
}

impl fmt::Display for NegotiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NegotiationError::MissingIceUfrag => f.write_str("the offer has no a=ice-ufrag"),
            NegotiationError::MissingIcePwd => f.write_str("the offer has no a=ice-pwd"),
            NegotiationError::MissingFingerprint => {
                f.write_str("the offer has no a=fingerprint with sha-1/sha-256/sha-384/sha-512")
            }
            NegotiationError::MissingTrickle => {
                f.write_str("the offer does not support trickle ICE (a=ice-options:trickle)")
            }
            NegotiationError::MissingBundle => {
                f.write_str("several media sections but no a=group:BUNDLE covering them")
            }
            NegotiationError::MissingRtcpMux { mline } => {
                write!(f, "m-line {mline} has no a=rtcp-mux")
            }
            NegotiationError::NoCommonCodec { mline, kind } => {
                write!(
                    f,
                    "no codec in common: m-line {mline} ({kind}) offers none we support"
                )
            }
            NegotiationError::NoMedia => f.write_str("no media section can be used"),
            NegotiationError::AnswerMismatch { mline } => {
                write!(f, "the answer's m-line {mline} does not match our offer")
            }
            NegotiationError::AnswerSectionCount => {
                f.write_str("the answer's m-lines do not match our offer's")
            }
            NegotiationError::InvalidLocal => {
                f.write_str("a local string cannot be written in SDP")
            }
            NegotiationError::BufferTooSmall => f.write_str("output buffer too small"),
        }
    }
}

impl core::error::Error for NegotiationError {}

impl From<fmt::Error> for NegotiationError {
    fn from(_: fmt::Error) -> Self {
        NegotiationError::BufferTooSmall
    }
}
