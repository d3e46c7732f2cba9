//! What KVS signaling carries: trickled candidates as `RTCIceCandidateInit` JSON
//! (`{"candidate": "candidate:...", "sdpMid": "0", "sdpMLineIndex": 0}`), and the size a
//! description takes once wrapped in a KVS message.

use core::fmt;

use serde::Deserialize;

use crate::candidate::Candidate;
use crate::error::AttributeError;

/// The KVS cap on a message payload, in bytes of base64.
pub const KVS_MAX_PAYLOAD: usize = 10 * 1024;

/// A trickled candidate with the section it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateInit<'a> {
    /// The candidate; `None` for the end-of-candidates marker (`"candidate": ""`).
    pub candidate: Option<Candidate<'a>>,
    /// The section's mid.
    pub sdp_mid: Option<&'a str>,
    /// The section's `m=` line index.
    pub sdp_mline_index: Option<u16>,
    /// Which ICE generation's credentials it belongs to (browsers add it).
    pub username_fragment: Option<&'a str>,
}

/// Why candidate JSON was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CandidateJsonError {
    /// Not a JSON object of the expected shape (or a string with escapes, which
    /// candidate JSON never needs).
    Json,
    /// Neither `sdpMid` nor `sdpMLineIndex` says which section it is for.
    NoSection,
    /// The `candidate` string is not a valid candidate.
    Candidate(AttributeError),
}

impl fmt::Display for CandidateJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CandidateJsonError::Json => {
                f.write_str("candidate JSON is not {candidate, sdpMid, sdpMLineIndex}")
            }
            CandidateJsonError::NoSection => {
                f.write_str("candidate JSON has neither sdpMid nor sdpMLineIndex")
            }
            CandidateJsonError::Candidate(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for CandidateJsonError {}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow)]
    candidate: &'a str,
    #[serde(rename = "sdpMid", default, borrow)]
    sdp_mid: Option<&'a str>,
    #[serde(rename = "sdpMLineIndex", default)]
    sdp_mline_index: Option<u16>,
    #[serde(rename = "usernameFragment", default, borrow)]
    username_fragment: Option<&'a str>,
}

impl<'a> CandidateInit<'a> {
    /// Reads the JSON a peer trickled (borrowing from it). Unknown fields are ignored.
    pub fn from_json(json: &'a str) -> Result<Self, CandidateJsonError> {
        let (wire, _) =
            serde_json_core::from_str::<Wire<'a>>(json).map_err(|_| CandidateJsonError::Json)?;
        if wire.sdp_mid.is_none() && wire.sdp_mline_index.is_none() {
            return Err(CandidateJsonError::NoSection);
        }
        let candidate = if wire.candidate.trim_matches(' ').is_empty() {
            None
        } else {
            Some(Candidate::parse(wire.candidate).map_err(CandidateJsonError::Candidate)?)
        };
        Ok(CandidateInit {
            candidate,
            sdp_mid: wire.sdp_mid,
            sdp_mline_index: wire.sdp_mline_index,
            username_fragment: wire.username_fragment,
        })
    }

    /// Writes the JSON (`candidate`, `sdpMid`, `sdpMLineIndex`, and `usernameFragment`
    /// when known), as the KVS SDKs send it.
    pub fn write_json<W: fmt::Write>(&self, out: &mut W) -> fmt::Result {
        out.write_str("{\"candidate\":\"")?;
        if let Some(c) = &self.candidate {
            fmt::write(&mut JsonEscape(out), format_args!("{}", c.attribute()))?;
        }
        out.write_str("\"")?;
        if let Some(mid) = self.sdp_mid {
            out.write_str(",\"sdpMid\":\"")?;
            JsonEscape(out).write_str_escaped(mid)?;
            out.write_str("\"")?;
        }
        if let Some(i) = self.sdp_mline_index {
            write!(out, ",\"sdpMLineIndex\":{i}")?;
        }
        if let Some(u) = self.username_fragment {
            out.write_str(",\"usernameFragment\":\"")?;
            JsonEscape(out).write_str_escaped(u)?;
            out.write_str("\"")?;
        }
        out.write_str("}")
    }
}

/// Escapes what JSON strings cannot hold raw.
struct JsonEscape<'w, W: fmt::Write>(&'w mut W);

impl<W: fmt::Write> JsonEscape<'_, W> {
    fn write_str_escaped(&mut self, s: &str) -> fmt::Result {
        fmt::Write::write_str(self, s)
    }
}

impl<W: fmt::Write> fmt::Write for JsonEscape<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            match c {
                '"' => self.0.write_str("\\\"")?,
                '\\' => self.0.write_str("\\\\")?,
                '\n' => self.0.write_str("\\n")?,
                '\r' => self.0.write_str("\\r")?,
                c if (c as u32) < 0x20 => write!(self.0, "\\u{:04x}", c as u32)?,
                c => self.0.write_char(c)?,
            }
        }
        Ok(())
    }
}

/// The size of a description as a KVS `SDP_OFFER`/`SDP_ANSWER` payload: the base64 of
/// `{"type":"<kind>","sdp":"<sdp, JSON-escaped>"}`. Compare with [`KVS_MAX_PAYLOAD`] to
/// decide whether candidates must be trickled rather than embedded.
pub fn kvs_payload_len(kind: &str, sdp: &str) -> usize {
    let escaped: usize = sdp
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum();
    let json = "{\"type\":\"\",\"sdp\":\"\"}".len() + kind.len() + escaped;
    json.div_ceil(3) * 4
}
