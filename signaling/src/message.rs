//! The KVS signaling WebSocket messages: what the client sends (`action`,
//! `RecipientClientId`, `MessagePayload`, `CorrelationId`) and what the service delivers
//! (`senderClientId`, `messageType`, `messagePayload`, `statusResponse`), with payloads
//! as base64 of the SDP or candidate JSON.
//!
//! Parsing borrows from the received frame and decodes base64 into caller storage;
//! writing goes into a caller buffer. No allocation, no panics on any input.

use base64::DecodeSliceError;
use base64::Engine;
use base64::engine::DecodePaddingMode;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use serde::Deserialize;
use serde_json_core::str::{EscapedStr, EscapedStringFragment};

use crate::Error;

/// The largest base64 `MessagePayload` the service relays (10 KB as sent, i.e. at most
/// 7680 bytes of SDP or candidate JSON before encoding).
pub const MAX_PAYLOAD_LEN: usize = 10 * 1024;

/// How deeply an incoming message may nest objects and arrays. The real messages nest
/// two levels (`statusResponse`); the bound keeps the recursive JSON reader's stack
/// small whatever arrives.
pub const MAX_JSON_DEPTH: usize = 8;

/// The largest decoded payload a [`MAX_PAYLOAD_LEN`] base64 payload can hold: size the
/// decode buffer with this.
pub const MAX_DECODED_PAYLOAD_LEN: usize = MAX_PAYLOAD_LEN / 4 * 3;

/// Decoding accepts both padded and unpadded base64 (senders differ); encoding always pads.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// What a client sends: the `action` of an outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// An SDP offer (viewer → master, or master → viewer on renegotiation).
    SdpOffer,
    /// An SDP answer.
    SdpAnswer,
    /// One trickled ICE candidate.
    IceCandidate,
}

impl Action {
    /// The wire token (`SDP_OFFER`, `SDP_ANSWER`, `ICE_CANDIDATE`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Action::SdpOffer => "SDP_OFFER",
            Action::SdpAnswer => "SDP_ANSWER",
            Action::IceCandidate => "ICE_CANDIDATE",
        }
    }

    /// The action for a wire token, `None` for anything else.
    pub fn from_wire(s: &str) -> Option<Action> {
        match s {
            "SDP_OFFER" => Some(Action::SdpOffer),
            "SDP_ANSWER" => Some(Action::SdpAnswer),
            "ICE_CANDIDATE" => Some(Action::IceCandidate),
            _ => None,
        }
    }
}

/// A message for the service to relay, written by [`OutgoingMessage::write`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutgoingMessage<'a> {
    /// What it carries.
    pub action: Action,
    /// The peer to deliver to: required from a master (the viewer's client id),
    /// ignored by the service from a viewer (it always goes to the master).
    pub recipient_client_id: Option<&'a str>,
    /// The payload before base64: the SDP or candidate JSON.
    pub payload: &'a [u8],
    /// Set to get a `STATUS_RESPONSE` carrying it back when the service rejects the
    /// message (otherwise failures are silent).
    pub correlation_id: Option<&'a str>,
}

/// An outgoing message as the service (or the local server) reads it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMessage<'a> {
    /// `action`.
    pub action: Action,
    /// `RecipientClientId`, raw JSON text.
    pub recipient_client_id: Option<JsonStr<'a>>,
    /// `MessagePayload`.
    pub payload: Payload<'a>,
    /// `CorrelationId`, raw JSON text.
    pub correlation_id: Option<JsonStr<'a>>,
}

impl OutgoingMessage<'_> {
    /// Writes `{"action":…,"RecipientClientId":…,"MessagePayload":"<base64>",
    /// "CorrelationId":…}` (absent options left out) into `out`; returns its length.
    ///
    /// Fails with [`Error::PayloadTooLarge`] when the base64 payload would exceed
    /// [`MAX_PAYLOAD_LEN`] (trickle candidates instead of sending a fat offer), and with
    /// [`Error::BufferTooSmall`] when `out` cannot hold the message.
    pub fn write(&self, out: &mut [u8]) -> Result<usize, Error> {
        let b64_len = base64_len(self.payload.len());
        if b64_len > MAX_PAYLOAD_LEN {
            return Err(Error::PayloadTooLarge {
                len: b64_len,
                max: MAX_PAYLOAD_LEN,
            });
        }
        let mut w = ByteWriter { buf: out, len: 0 };
        w.raw(b"{\"action\":\"")?;
        w.raw(self.action.as_str().as_bytes())?;
        w.raw(b"\"")?;
        if let Some(id) = self.recipient_client_id {
            w.raw(b",\"RecipientClientId\":")?;
            w.json_string(id)?;
        }
        w.raw(b",\"MessagePayload\":\"")?;
        let dst = w.buf.get_mut(w.len..).ok_or(Error::BufferTooSmall)?;
        let n = STANDARD
            .encode_slice(self.payload, dst)
            .map_err(|_| Error::BufferTooSmall)?;
        w.len += n;
        w.raw(b"\"")?;
        if let Some(id) = self.correlation_id {
            w.raw(b",\"CorrelationId\":")?;
            w.json_string(id)?;
        }
        w.raw(b"}")?;
        Ok(w.len)
    }

    /// Reads an outgoing message (the server side of [`OutgoingMessage::write`]): exact
    /// key casing as the KVS SDKs send it.
    pub fn parse(json: &[u8]) -> Result<SentMessage<'_>, Error> {
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(borrow)]
            action: Option<&'a str>,
            #[serde(rename = "RecipientClientId", borrow)]
            recipient: Option<&'a str>,
            #[serde(rename = "MessagePayload", borrow)]
            payload: Option<&'a str>,
            #[serde(rename = "CorrelationId", borrow)]
            correlation: Option<&'a str>,
        }
        check_depth(json)?;
        let (w, _) = serde_json_core::from_slice::<Wire<'_>>(json).map_err(|_| Error::Json)?;
        let action = w.action.ok_or(Error::MissingField("action"))?;
        let action = Action::from_wire(action).ok_or(Error::UnknownMessageType)?;
        let payload = Payload::new(w.payload.ok_or(Error::MissingField("MessagePayload"))?)?;
        Ok(SentMessage {
            action,
            recipient_client_id: w.recipient.map(JsonStr),
            payload,
            correlation_id: w.correlation.map(JsonStr),
        })
    }
}

const fn base64_len(n: usize) -> usize {
    n.div_ceil(3).saturating_mul(4)
}

/// The six `messageType`s the service delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// `SDP_OFFER`.
    SdpOffer,
    /// `SDP_ANSWER`.
    SdpAnswer,
    /// `ICE_CANDIDATE`.
    IceCandidate,
    /// `GO_AWAY`: the service is closing this connection; reconnect.
    GoAway,
    /// `RECONNECT_ICE_SERVER`: refetch the ICE servers, then reconnect.
    ReconnectIceServer,
    /// `STATUS_RESPONSE`: an earlier message with a `CorrelationId` failed.
    StatusResponse,
}

impl MessageType {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            MessageType::SdpOffer => "SDP_OFFER",
            MessageType::SdpAnswer => "SDP_ANSWER",
            MessageType::IceCandidate => "ICE_CANDIDATE",
            MessageType::GoAway => "GO_AWAY",
            MessageType::ReconnectIceServer => "RECONNECT_ICE_SERVER",
            MessageType::StatusResponse => "STATUS_RESPONSE",
        }
    }

    /// The type for a wire token, `None` for anything else.
    pub fn from_wire(s: &str) -> Option<MessageType> {
        Some(match s {
            "SDP_OFFER" => MessageType::SdpOffer,
            "SDP_ANSWER" => MessageType::SdpAnswer,
            "ICE_CANDIDATE" => MessageType::IceCandidate,
            "GO_AWAY" => MessageType::GoAway,
            "RECONNECT_ICE_SERVER" => MessageType::ReconnectIceServer,
            "STATUS_RESPONSE" => MessageType::StatusResponse,
            _ => return None,
        })
    }
}

/// A JSON string value exactly as it appears between the quotes (escapes not decoded):
/// ids and error texts are borrowed, and decoded only when asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct JsonStr<'a>(pub &'a str);

impl<'a> JsonStr<'a> {
    /// The text as sent (escapes included). Client ids and correlation ids, whose
    /// grammar has no characters JSON must escape, compare equal to this directly.
    pub fn raw(&self) -> &'a str {
        self.0
    }

    /// The decoded text, in `buf` when it holds escapes (borrowed as is otherwise).
    pub fn unescape<'b>(&self, buf: &'b mut [u8]) -> Result<&'b str, Error>
    where
        'a: 'b,
    {
        if !self.0.contains('\\') {
            return Ok(self.0);
        }
        let mut len = 0usize;
        for frag in EscapedStr(self.0).fragments() {
            let mut tmp = [0u8; 4];
            let bytes: &[u8] = match frag.map_err(|_| Error::InvalidString)? {
                EscapedStringFragment::NotEscaped(s) => s.as_bytes(),
                EscapedStringFragment::Escaped(c) => c.encode_utf8(&mut tmp).as_bytes(),
            };
            let end = len.checked_add(bytes.len()).ok_or(Error::BufferTooSmall)?;
            buf.get_mut(len..end)
                .ok_or(Error::BufferTooSmall)?
                .copy_from_slice(bytes);
            len = end;
        }
        let out = buf.get(..len).ok_or(Error::BufferTooSmall)?;
        core::str::from_utf8(out).map_err(|_| Error::InvalidString)
    }
}

/// A base64 `messagePayload` as received (within the size cap), decoded on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Payload<'a>(&'a str);

impl<'a> Payload<'a> {
    /// Checks the 10 KB cap on the base64 text (JSON escapes not counted).
    fn new(raw: &'a str) -> Result<Payload<'a>, Error> {
        let len = raw.bytes().filter(|&b| b != b'\\').count();
        if len > MAX_PAYLOAD_LEN {
            return Err(Error::PayloadTooLarge {
                len,
                max: MAX_PAYLOAD_LEN,
            });
        }
        Ok(Payload(raw))
    }

    /// The base64 text as it appeared in the JSON.
    pub fn raw(&self) -> &'a str {
        self.0
    }

    /// Decodes into `out` and returns the decoded bytes (the SDP or candidate JSON).
    /// A buffer of [`MAX_DECODED_PAYLOAD_LEN`] always suffices. JSON escapes in the
    /// text (some encoders write `/` as `\/`) are undone on the way.
    pub fn decode<'b>(&self, out: &'b mut [u8]) -> Result<&'b [u8], Error> {
        if !self.0.contains('\\') {
            let n = LENIENT.decode_slice(self.0, out).map_err(map_b64)?;
            return out.get(..n).ok_or(Error::BufferTooSmall);
        }
        // Unescape in chunks of whole base64 quads into a small stack buffer.
        const CHUNK: usize = 256;
        let mut chunk = [0u8; CHUNK];
        let mut fill = 0usize;
        let mut written = 0usize;
        let mut chars = Unescaped::new(self.0);
        loop {
            let next = chars.next().transpose()?;
            if let Some(b) = next {
                *chunk.get_mut(fill).ok_or(Error::InvalidBase64)? = b;
                fill += 1;
                if fill < CHUNK {
                    continue;
                }
            }
            let is_last = next.is_none() || chars.peek_end();
            let part = chunk.get(..fill).ok_or(Error::InvalidBase64)?;
            if !is_last && part.contains(&b'=') {
                return Err(Error::InvalidBase64);
            }
            let dst = out.get_mut(written..).ok_or(Error::BufferTooSmall)?;
            written += LENIENT.decode_slice(part, dst).map_err(map_b64)?;
            fill = 0;
            if is_last {
                break;
            }
        }
        out.get(..written).ok_or(Error::BufferTooSmall)
    }

    /// [`Payload::decode`], then UTF-8 (payloads are JSON text).
    pub fn decode_str<'b>(&self, out: &'b mut [u8]) -> Result<&'b str, Error> {
        core::str::from_utf8(self.decode(out)?).map_err(|_| Error::InvalidString)
    }
}

fn map_b64(e: DecodeSliceError) -> Error {
    match e {
        DecodeSliceError::OutputSliceTooSmall => Error::BufferTooSmall,
        DecodeSliceError::DecodeError(_) => Error::InvalidBase64,
    }
}

/// Bytes of a raw JSON string with escapes undone; only ASCII escapes can occur in
/// base64, anything else is an error.
struct Unescaped<'a> {
    rest: &'a [u8],
}

impl<'a> Unescaped<'a> {
    fn new(s: &'a str) -> Self {
        Unescaped { rest: s.as_bytes() }
    }

    fn peek_end(&self) -> bool {
        self.rest.is_empty()
    }
}

impl Iterator for Unescaped<'_> {
    type Item = Result<u8, Error>;

    fn next(&mut self) -> Option<Result<u8, Error>> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        if b != b'\\' {
            return Some(Ok(b));
        }
        let Some((&e, rest)) = self.rest.split_first() else {
            return Some(Err(Error::InvalidString));
        };
        self.rest = rest;
        Some(match e {
            b'/' | b'\\' | b'"' => Ok(e),
            // \uXXXX of an ASCII base64 character.
            b'u' => {
                let Some((hex, rest)) = self.rest.split_at_checked(4) else {
                    return Some(Err(Error::InvalidString));
                };
                self.rest = rest;
                core::str::from_utf8(hex)
                    .ok()
                    .and_then(|h| u8::from_str_radix(h.get(..2)?, 16).ok().zip(Some(h)))
                    .filter(|(hi, _)| *hi == 0)
                    .and_then(|(_, h)| u8::from_str_radix(h.get(2..)?, 16).ok())
                    .filter(u8::is_ascii)
                    .ok_or(Error::InvalidString)
            }
            _ => Err(Error::InvalidBase64),
        })
    }
}

/// The `statusResponse` object of a `STATUS_RESPONSE`: why a message with that
/// correlation id was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StatusResponse<'a> {
    /// `correlationId`: the `CorrelationId` of the refused message.
    pub correlation_id: Option<JsonStr<'a>>,
    /// `errorType`, e.g. `InvalidArgumentException`.
    pub error_type: Option<JsonStr<'a>>,
    /// `statusCode`, a string such as `"400"`.
    pub status_code: Option<JsonStr<'a>>,
    /// `description`: the service's human-readable reason.
    pub description: Option<JsonStr<'a>>,
}

impl StatusResponse<'_> {
    /// `statusCode` as a number, when it is one.
    pub fn status_code_u16(&self) -> Option<u16> {
        self.status_code.and_then(|s| s.0.parse().ok())
    }
}

/// An offer, answer or candidate relayed from a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignalMessage<'a> {
    /// `senderClientId`: the viewer's id (to the master), the master's (to a viewer),
    /// absent for a storage session's messages.
    pub sender_client_id: Option<JsonStr<'a>>,
    /// `messagePayload`.
    pub payload: Payload<'a>,
}

/// One message received on the signaling WebSocket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingMessage<'a> {
    /// `SDP_OFFER`.
    SdpOffer(SignalMessage<'a>),
    /// `SDP_ANSWER`.
    SdpAnswer(SignalMessage<'a>),
    /// `ICE_CANDIDATE`.
    IceCandidate(SignalMessage<'a>),
    /// `GO_AWAY`: finish in-flight work and reconnect within a minute.
    GoAway,
    /// `RECONNECT_ICE_SERVER`: refetch ICE servers, then reconnect.
    ReconnectIceServer,
    /// `STATUS_RESPONSE`: a message we sent with a `CorrelationId` was refused.
    StatusResponse(StatusResponse<'a>),
}

impl<'a> IncomingMessage<'a> {
    /// Parses one text frame. Fields are borrowed from `json`; unknown fields are
    /// ignored; an unknown `messageType`, a missing payload on an offer, answer or
    /// candidate, a payload over [`MAX_PAYLOAD_LEN`] or nesting beyond
    /// [`MAX_JSON_DEPTH`] are errors.
    pub fn parse(json: &'a [u8]) -> Result<IncomingMessage<'a>, Error> {
        #[derive(Deserialize)]
        struct WireStatus<'a> {
            #[serde(rename = "correlationId", borrow)]
            correlation_id: Option<&'a str>,
            #[serde(rename = "errorType", borrow)]
            error_type: Option<&'a str>,
            #[serde(rename = "statusCode", borrow)]
            status_code: Option<&'a str>,
            #[serde(borrow)]
            description: Option<&'a str>,
        }
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "senderClientId", borrow)]
            sender: Option<&'a str>,
            #[serde(rename = "messageType", borrow)]
            message_type: Option<&'a str>,
            #[serde(rename = "messagePayload", borrow)]
            payload: Option<&'a str>,
            #[serde(rename = "statusResponse", borrow)]
            status: Option<WireStatus<'a>>,
        }
        check_depth(json)?;
        let (w, _) = serde_json_core::from_slice::<Wire<'a>>(json).map_err(|_| Error::Json)?;
        let ty = w.message_type.ok_or(Error::MissingField("messageType"))?;
        let ty = MessageType::from_wire(ty).ok_or(Error::UnknownMessageType)?;
        let signal = || -> Result<SignalMessage<'a>, Error> {
            Ok(SignalMessage {
                sender_client_id: w.sender.map(JsonStr),
                payload: Payload::new(w.payload.ok_or(Error::MissingField("messagePayload"))?)?,
            })
        };
        Ok(match ty {
            MessageType::SdpOffer => IncomingMessage::SdpOffer(signal()?),
            MessageType::SdpAnswer => IncomingMessage::SdpAnswer(signal()?),
            MessageType::IceCandidate => IncomingMessage::IceCandidate(signal()?),
            MessageType::GoAway => IncomingMessage::GoAway,
            MessageType::ReconnectIceServer => IncomingMessage::ReconnectIceServer,
            MessageType::StatusResponse => {
                let s = w.status.ok_or(Error::MissingField("statusResponse"))?;
                IncomingMessage::StatusResponse(StatusResponse {
                    correlation_id: s.correlation_id.map(JsonStr),
                    error_type: s.error_type.map(JsonStr),
                    status_code: s.status_code.map(JsonStr),
                    description: s.description.map(JsonStr),
                })
            }
        })
    }

    /// Its `messageType`.
    pub fn message_type(&self) -> MessageType {
        match self {
            IncomingMessage::SdpOffer(_) => MessageType::SdpOffer,
            IncomingMessage::SdpAnswer(_) => MessageType::SdpAnswer,
            IncomingMessage::IceCandidate(_) => MessageType::IceCandidate,
            IncomingMessage::GoAway => MessageType::GoAway,
            IncomingMessage::ReconnectIceServer => MessageType::ReconnectIceServer,
            IncomingMessage::StatusResponse(_) => MessageType::StatusResponse,
        }
    }
}

/// Refuses JSON nested deeper than [`MAX_JSON_DEPTH`] before the recursive reader sees
/// it.
fn check_depth(json: &[u8]) -> Result<(), Error> {
    if crate::json::nesting_within(json, MAX_JSON_DEPTH) {
        Ok(())
    } else {
        Err(Error::JsonTooDeep)
    }
}

/// Appends to a byte buffer with a clear overflow error.
struct ByteWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl core::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.raw(s.as_bytes()).map_err(|_| core::fmt::Error)
    }
}

impl ByteWriter<'_> {
    fn raw(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self
            .len
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// A JSON string literal ([`crate::json::write_string`]).
    fn json_string(&mut self, s: &str) -> Result<(), Error> {
        crate::json::write_string(self, s).map_err(|_| Error::BufferTooSmall)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn depth_guard_ignores_strings() {
        assert!(check_depth(br#"{"a":"[[[[[[[[[[[[[[[[[[[["}"#).is_ok());
        assert_eq!(
            check_depth(&[b'['; 9]),
            Err(Error::JsonTooDeep),
            "nine levels"
        );
    }

    #[test]
    fn escaped_slash_chunks() {
        // 600 base64 chars with every '/' escaped crosses several 256-byte chunks.
        let data: std::vec::Vec<u8> = (0..450u32).map(|i| (i * 7 + 255) as u8).collect();
        let b64 = STANDARD.encode(&data);
        let escaped = b64.replace('/', "\\/");
        assert!(escaped.contains("\\/"));
        let mut out = [0u8; 1024];
        assert_eq!(Payload(&escaped).decode(&mut out).unwrap(), &data[..]);
        // Padding inside a non-final chunk is refused.
        let bad = std::format!("{}\\/", "QQ==".repeat(64));
        assert_eq!(Payload(&bad).decode(&mut out), Err(Error::InvalidBase64));
    }
}
