//! Service errors both ways: [`ServiceError::parse`] turns a failed call's status,
//! `x-amzn-ErrorType` header and body into a [`ServiceErrorKind`] a policy can act on;
//! [`ErrorReply`] is what the local server sends so that the AWS SDKs raise their typed
//! exceptions.

use core::fmt::{self, Write};

use serde::Deserialize;

use super::json;
use crate::message::JsonStr;

/// What went wrong, as far as a client's reaction is concerned. Several service error
/// names can map to one kind; [`ServiceErrorKind::type_name`] is the one the local
/// server sends for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServiceErrorKind {
    /// `ResourceNotFoundException` (404): no such channel (or it is being deleted).
    NotFound,
    /// `AccessDeniedException` (401 per the service model): IAM does not allow the call.
    AccessDenied,
    /// `NotAuthorizedException` (401): the signaling data plane refused the caller.
    NotAuthorized,
    /// `ClientLimitExceededException` (400): the account's call rate for this API is
    /// exceeded; back off.
    ClientLimitExceeded,
    /// `AccountChannelLimitExceededException` (400): too many channels in the account.
    AccountChannelLimitExceeded,
    /// `InvalidArgumentException` / `ValidationException` (400): the request is wrong;
    /// retrying the same request cannot help.
    InvalidArgument,
    /// `InvalidSignatureException` (403) whose message says "Signature expired" or
    /// "Signature not yet current": the device clock is off by more than 5 minutes.
    /// Correct it from the response `Date` header and retry.
    SignatureExpired,
    /// `InvalidSignatureException`, `IncompleteSignatureException`,
    /// `MissingAuthenticationTokenException` (403): the secret key or the signing is
    /// wrong — a credentials problem, not worth retrying unchanged.
    InvalidSignature,
    /// `UnrecognizedClientException` (403): the access key id (or session token) is not
    /// known.
    UnrecognizedClient,
    /// `ExpiredTokenException` (403): temporary credentials have expired; refresh them.
    ExpiredToken,
    /// `ResourceInUseException` (400): the channel is in a state that forbids the call
    /// (e.g. a name already taken by a channel being created or deleted).
    ResourceInUse,
    /// `VersionMismatchException` (400): `CurrentVersion` is stale.
    VersionMismatch,
    /// `TagsPerResourceExceededLimitException` (400).
    TagsPerResourceExceeded,
    /// `SessionExpiredException` (400, signaling data plane).
    SessionExpired,
    /// `InvalidClientException` (400, signaling data plane): bad client id.
    InvalidClient,
    /// `ThrottlingException`, `TooManyRequestsException`, or a bare 429: slow down.
    Throttled,
    /// Anything else; the status (and raw type name, if any) says more.
    Other,
}

/// Every kind, for tests and tables.
pub const SERVICE_ERROR_KINDS: [ServiceErrorKind; 17] = [
    ServiceErrorKind::NotFound,
    ServiceErrorKind::AccessDenied,
    ServiceErrorKind::NotAuthorized,
    ServiceErrorKind::ClientLimitExceeded,
    ServiceErrorKind::AccountChannelLimitExceeded,
    ServiceErrorKind::InvalidArgument,
    ServiceErrorKind::SignatureExpired,
    ServiceErrorKind::InvalidSignature,
    ServiceErrorKind::UnrecognizedClient,
    ServiceErrorKind::ExpiredToken,
    ServiceErrorKind::ResourceInUse,
    ServiceErrorKind::VersionMismatch,
    ServiceErrorKind::TagsPerResourceExceeded,
    ServiceErrorKind::SessionExpired,
    ServiceErrorKind::InvalidClient,
    ServiceErrorKind::Throttled,
    ServiceErrorKind::Other,
];

impl ServiceErrorKind {
    /// The error name the local server sends for this kind (in `x-amzn-ErrorType`).
    pub const fn type_name(self) -> &'static str {
        match self {
            ServiceErrorKind::NotFound => "ResourceNotFoundException",
            ServiceErrorKind::AccessDenied => "AccessDeniedException",
            ServiceErrorKind::NotAuthorized => "NotAuthorizedException",
            ServiceErrorKind::ClientLimitExceeded => "ClientLimitExceededException",
            ServiceErrorKind::AccountChannelLimitExceeded => "AccountChannelLimitExceededException",
            ServiceErrorKind::InvalidArgument => "InvalidArgumentException",
            ServiceErrorKind::SignatureExpired | ServiceErrorKind::InvalidSignature => {
                "InvalidSignatureException"
            }
            ServiceErrorKind::UnrecognizedClient => "UnrecognizedClientException",
            ServiceErrorKind::ExpiredToken => "ExpiredTokenException",
            ServiceErrorKind::ResourceInUse => "ResourceInUseException",
            ServiceErrorKind::VersionMismatch => "VersionMismatchException",
            ServiceErrorKind::TagsPerResourceExceeded => "TagsPerResourceExceededLimitException",
            ServiceErrorKind::SessionExpired => "SessionExpiredException",
            ServiceErrorKind::InvalidClient => "InvalidClientException",
            ServiceErrorKind::Throttled => "ThrottlingException",
            ServiceErrorKind::Other => "InternalFailure",
        }
    }

    /// The HTTP status the service uses for it (the service model's `httpError`; the
    /// AWS front end's for the signature and token errors).
    pub const fn status(self) -> u16 {
        match self {
            ServiceErrorKind::NotFound => 404,
            ServiceErrorKind::AccessDenied | ServiceErrorKind::NotAuthorized => 401,
            ServiceErrorKind::SignatureExpired
            | ServiceErrorKind::InvalidSignature
            | ServiceErrorKind::UnrecognizedClient
            | ServiceErrorKind::ExpiredToken => 403,
            ServiceErrorKind::Other => 500,
            _ => 400,
        }
    }

    /// The body member that carries the text: the service model's exceptions use
    /// `Message`, except the signaling data plane's `InvalidClientException` and
    /// `SessionExpiredException` and the front end's signature errors, which use
    /// `message`.
    pub const fn message_key(self) -> &'static str {
        match self {
            ServiceErrorKind::SignatureExpired
            | ServiceErrorKind::InvalidSignature
            | ServiceErrorKind::UnrecognizedClient
            | ServiceErrorKind::ExpiredToken
            | ServiceErrorKind::SessionExpired
            | ServiceErrorKind::InvalidClient
            | ServiceErrorKind::Throttled
            | ServiceErrorKind::Other => "message",
            _ => "Message",
        }
    }

    /// The kind for an error name (already stripped of `:…` suffixes and `ns#`
    /// prefixes); `None` for names this crate does not know.
    pub fn from_type_name(name: &str) -> Option<ServiceErrorKind> {
        Some(match name {
            "ResourceNotFoundException" => ServiceErrorKind::NotFound,
            "AccessDeniedException" => ServiceErrorKind::AccessDenied,
            "NotAuthorizedException" => ServiceErrorKind::NotAuthorized,
            "ClientLimitExceededException" => ServiceErrorKind::ClientLimitExceeded,
            "AccountChannelLimitExceededException" => ServiceErrorKind::AccountChannelLimitExceeded,
            "InvalidArgumentException" | "ValidationException" => ServiceErrorKind::InvalidArgument,
            "InvalidSignatureException"
            | "IncompleteSignatureException"
            | "MissingAuthenticationTokenException"
            | "SignatureDoesNotMatch" => ServiceErrorKind::InvalidSignature,
            "UnrecognizedClientException" | "InvalidClientTokenId" => {
                ServiceErrorKind::UnrecognizedClient
            }
            "ExpiredTokenException" | "ExpiredToken" => ServiceErrorKind::ExpiredToken,
            "ResourceInUseException" => ServiceErrorKind::ResourceInUse,
            "VersionMismatchException" => ServiceErrorKind::VersionMismatch,
            "TagsPerResourceExceededLimitException" => ServiceErrorKind::TagsPerResourceExceeded,
            "SessionExpiredException" => ServiceErrorKind::SessionExpired,
            "InvalidClientException" => ServiceErrorKind::InvalidClient,
            "ThrottlingException" | "ThrottledException" | "TooManyRequestsException" => {
                ServiceErrorKind::Throttled
            }
            _ => return None,
        })
    }

    /// Whether the same call may succeed later without changing anything but time
    /// (throttling, clock correction, a resource settling); credentials and argument
    /// errors are not.
    pub const fn is_transient(self) -> bool {
        matches!(
            self,
            ServiceErrorKind::ClientLimitExceeded
                | ServiceErrorKind::Throttled
                | ServiceErrorKind::SignatureExpired
                | ServiceErrorKind::ResourceInUse
                | ServiceErrorKind::Other
        )
    }
}

impl fmt::Display for ServiceErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ServiceErrorKind::NotFound => "resource not found",
            ServiceErrorKind::AccessDenied => "access denied",
            ServiceErrorKind::NotAuthorized => "not authorized",
            ServiceErrorKind::ClientLimitExceeded => "client call rate limit exceeded",
            ServiceErrorKind::AccountChannelLimitExceeded => "account channel limit exceeded",
            ServiceErrorKind::InvalidArgument => "invalid argument",
            ServiceErrorKind::SignatureExpired => "signature expired (device clock is off)",
            ServiceErrorKind::InvalidSignature => "invalid signature (wrong secret key?)",
            ServiceErrorKind::UnrecognizedClient => "unrecognized access key id",
            ServiceErrorKind::ExpiredToken => "security token expired",
            ServiceErrorKind::ResourceInUse => "resource in use",
            ServiceErrorKind::VersionMismatch => "version mismatch",
            ServiceErrorKind::TagsPerResourceExceeded => "too many tags",
            ServiceErrorKind::SessionExpired => "session expired",
            ServiceErrorKind::InvalidClient => "invalid client",
            ServiceErrorKind::Throttled => "throttled",
            ServiceErrorKind::Other => "service error",
        })
    }
}

/// The phrases of the AWS front end's clock-skew 403s (the KVS C SDK searches the body
/// for exactly these).
pub const SIGNATURE_EXPIRED_PHRASES: [&str; 2] = ["Signature expired", "Signature not yet current"];

/// A failed control-plane call, read from what the service answered. Never fails to
/// build: an unparsable body just leaves `message` empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceError<'a> {
    /// The HTTP status.
    pub status: u16,
    /// What it means for the caller.
    pub kind: ServiceErrorKind,
    /// The error name as the service gave it (header first, then body `code`, then
    /// `__type`, cleaned like the AWS SDKs do), when it gave one.
    pub error_type: Option<&'a str>,
    /// The human-readable text (`message`, else `Message`), raw JSON text.
    pub message: Option<JsonStr<'a>>,
}

impl<'a> ServiceError<'a> {
    /// Reads a failed call: `status`, the `x-amzn-ErrorType` header value if present
    /// (e.g. `InvalidSignatureException:http://internal.amazon.com/coral/...`), and the
    /// body. The error name is taken the way the AWS SDK for JavaScript v3 does for
    /// restJson1 (header, then body `code`/`Code`, then `__type`; cut at `,` and `:`,
    /// keep what follows `#`). Clock skew is recognised from the message or, like the
    /// C SDK, anywhere in a 403 body.
    pub fn parse(status: u16, error_type_header: Option<&'a str>, body: &'a [u8]) -> Self {
        #[derive(Deserialize, Default)]
        struct Wire<'a> {
            #[serde(borrow)]
            message: Option<&'a str>,
            #[serde(rename = "Message", borrow)]
            message_upper: Option<&'a str>,
            #[serde(borrow)]
            code: Option<&'a str>,
            #[serde(rename = "Code", borrow)]
            code_upper: Option<&'a str>,
            #[serde(rename = "__type", borrow)]
            type_: Option<&'a str>,
        }
        let wire: Wire<'a> = json::from_body(body).unwrap_or_default();
        // An empty header counts as absent (the JS SDK would stop there with "").
        let error_type = error_type_header
            .filter(|h| !h.trim().is_empty())
            .or(wire.code)
            .or(wire.code_upper)
            .or(wire.type_)
            .map(sanitize_type)
            .filter(|t| !t.is_empty());
        let message = wire.message.or(wire.message_upper).map(JsonStr);
        let named = error_type.and_then(ServiceErrorKind::from_type_name);
        let skew_candidate = matches!(
            named,
            None | Some(ServiceErrorKind::InvalidSignature | ServiceErrorKind::AccessDenied)
        ) && (status == 403
            || named == Some(ServiceErrorKind::InvalidSignature));
        let mentions_skew = |hay: &[u8]| {
            SIGNATURE_EXPIRED_PHRASES
                .iter()
                .any(|p| hay.windows(p.len()).any(|w| w == p.as_bytes()))
        };
        let kind = if skew_candidate
            && (message.is_some_and(|m| mentions_skew(m.raw().as_bytes())) || mentions_skew(body))
        {
            ServiceErrorKind::SignatureExpired
        } else if let Some(kind) = named {
            kind
        } else if error_type.is_some() {
            ServiceErrorKind::Other
        } else {
            match status {
                404 => ServiceErrorKind::NotFound,
                401 | 403 => ServiceErrorKind::AccessDenied,
                429 => ServiceErrorKind::Throttled,
                _ => ServiceErrorKind::Other,
            }
        };
        ServiceError {
            status,
            kind,
            error_type,
            message,
        }
    }

    /// Whether the device clock is off (see [`ServiceErrorKind::SignatureExpired`]).
    pub fn is_clock_skew(&self) -> bool {
        self.kind == ServiceErrorKind::SignatureExpired
    }
}

impl fmt::Display for ServiceError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KVS {} (HTTP {}", self.kind, self.status)?;
        if let Some(t) = self.error_type {
            write!(f, ", {t}")?;
        }
        f.write_str(")")?;
        if let Some(m) = self.message {
            write!(f, ": {}", m.raw())?;
        }
        Ok(())
    }
}

impl core::error::Error for ServiceError<'_> {}

/// Cleans an error name like the AWS SDKs: first of `,`-separated values, before any
/// `:` (a namespace URL), after any `#` (a Smithy shape id), trimmed.
fn sanitize_type(raw: &str) -> &str {
    let s = raw.split(',').next().unwrap_or(raw);
    let s = s.split(':').next().unwrap_or(s);
    let s = s.rsplit_once('#').map_or(s, |(_, name)| name);
    s.trim()
}

/// An error answer the local server sends: status, `x-amzn-ErrorType` value and JSON
/// body. With [`ErrorReply::new`] the AWS SDK for JavaScript v3 raises its typed
/// exception (`ResourceNotFoundException`, `AccessDeniedException`,
/// `ClientLimitExceededException`, `InvalidArgumentException`, …) with `message` set,
/// and [`ServiceError::parse`] reads back the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorReply<'a> {
    /// The HTTP status.
    pub status: u16,
    /// The error name for `x-amzn-ErrorType`; `None` sends no header (a bare status).
    pub error_type: Option<&'a str>,
    /// The body member carrying the text (`Message` or `message`).
    pub message_key: &'static str,
    /// The text, plain (escaped on writing).
    pub message: &'a str,
}

impl<'a> ErrorReply<'a> {
    /// The reply the service sends for `kind`.
    pub const fn new(kind: ServiceErrorKind, message: &'a str) -> ErrorReply<'a> {
        ErrorReply {
            status: kind.status(),
            error_type: Some(kind.type_name()),
            message_key: kind.message_key(),
            message,
        }
    }

    /// The `x-amzn-ErrorType` header value, if one is to be sent (the bare name: the
    /// SDKs and [`ServiceError::parse`] also accept the service's `:http://…` suffix).
    pub fn header_value(&self) -> Option<&'a str> {
        self.error_type
    }

    /// Writes the JSON body, `{"Message":"…"}` (or `message`): like the service, the
    /// name travels in the header only.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, self.message_key)?;
        json::write_string(out, self.message)?;
        out.write_char('}')
    }
}

/// Writes the AWS front end's text for a request signed too long ago: `Signature
/// expired: <signed> is now earlier than <now - 5 min> (<now> - 5 min.)`, the message
/// the clock-skew logic of the SDKs keys on. `signed` and `now` are epoch seconds.
pub fn write_signature_expired_message<W: Write + ?Sized>(
    out: &mut W,
    signed_unix: u64,
    now_unix: u64,
) -> fmt::Result {
    let amz = |t: u64| crate::UtcTime::from_unix_seconds(t).map(|t| t.amz_date());
    let (Some(s), Some(limit), Some(n)) = (
        amz(signed_unix),
        amz(now_unix.saturating_sub(300)),
        amz(now_unix),
    ) else {
        return Err(fmt::Error);
    };
    write!(
        out,
        "Signature expired: {} is now earlier than {} ({} - 5 min.)",
        s.as_str(),
        limit.as_str(),
        n.as_str()
    )
}

/// Writes the AWS front end's text for a request signed in the future: `Signature not
/// yet current: <signed> is still later than <now + 5 min> (<now> + 5 min.)`.
pub fn write_signature_not_yet_current_message<W: Write + ?Sized>(
    out: &mut W,
    signed_unix: u64,
    now_unix: u64,
) -> fmt::Result {
    let amz = |t: u64| crate::UtcTime::from_unix_seconds(t).map(|t| t.amz_date());
    let (Some(s), Some(limit), Some(n)) = (
        amz(signed_unix),
        amz(now_unix.saturating_add(300)),
        amz(now_unix),
    ) else {
        return Err(fmt::Error);
    };
    write!(
        out,
        "Signature not yet current: {} is still later than {} ({} + 5 min.)",
        s.as_str(),
        limit.as_str(),
        n.as_str()
    )
}
