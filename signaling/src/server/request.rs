//! The server's pure half: an HTTP request (head + body) in, an authenticated,
//! routed request or the service's refusal out. No sockets, no tokio: the fuzz target
//! `kvs_server_request` drives exactly what the listener runs.
//!
//! - [`RawRequest::parse`] reads an HTTP/1.1 head from bytes (the fuzz entry; the
//!   listener gets the same [`HttpHead`] from hyper).
//! - [`route`] maps method + path to a REST call, the WebSocket upgrade, or the admin
//!   paths.
//! - [`authenticate_rest`] verifies a header-signed SigV4 request (signed headers as the
//!   client chose them) and [`authenticate_presigned`] a presigned WebSocket URL, both
//!   against configured [`AccessKey`]s, with the service's 5-minute window.
//! - [`parse_client_message`] reads one WebSocket text frame as the service does
//!   (`action`, `RecipientClientId`/`recipientClientId`, `MessagePayload`/
//!   `messagePayload`, `CorrelationId`/`correlationId`) and says which STATUS_RESPONSE
//!   to answer when it is refused.

use std::borrow::Cow;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::message::{Action, MAX_JSON_DEPTH, MAX_PAYLOAD_LEN};
use crate::sigv4::{
    AuthorizationHeader, CanonicalRequest, CredentialScope, EMPTY_PAYLOAD_SHA256, SigningKey,
    verify_signature,
};
use crate::time::UtcTime;
use crate::{ALGORITHM, KVS_SERVICE};

/// How far a signature's timestamp may be from the server's clock, either way: the
/// service's 5 minutes.
pub const MAX_SKEW_SECS: u64 = 300;
/// The most headers a request head may carry (more is refused, bounding work).
pub const MAX_HEADERS: usize = 64;
/// The largest request head accepted, in bytes.
pub const MAX_HEAD_LEN: usize = 16 * 1024;
/// The largest REST body accepted (control-plane bodies are a few hundred bytes; tags
/// at most a few KB).
pub const MAX_BODY_LEN: usize = 64 * 1024;
/// Path prefix of the admin calls (GO_AWAY / RECONNECT_ICE_SERVER injection), served
/// only to loopback peers and only when enabled in the config.
pub const ADMIN_PREFIX: &str = "/_rtcam/";

/// One configured access key: what a client must sign with.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey {
    /// The access key id (`AKIA…`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// When set, requests must carry this `x-amz-security-token` (temporary
    /// credentials); when unset, a request carrying a token is refused, as the service
    /// refuses a token that does not belong to the key.
    pub session_token: Option<String>,
}

impl core::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AccessKey")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// An HTTP request head as the pure layer sees it: method, request target
/// (`/path?query`), headers (names in any case, values as received, duplicates kept).
#[derive(Debug, Clone, Copy)]
pub struct HttpHead<'a> {
    /// `GET`, `POST`, …
    pub method: &'a str,
    /// The request target: origin form `/path?query`.
    pub target: &'a str,
    /// Every header line, in order.
    pub headers: &'a [(&'a str, &'a str)],
}

impl<'a> HttpHead<'a> {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The path part of the target (before `?`).
    pub fn path(&self) -> &'a str {
        self.target.split_once('?').map_or(self.target, |(p, _)| p)
    }

    /// The raw query part of the target (after `?`), empty when there is none.
    pub fn query(&self) -> &'a str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }
}

/// An HTTP/1.1 request read from bytes: what the fuzz target feeds to the same
/// functions the listener uses.
#[derive(Debug, Clone)]
pub struct RawRequest<'a> {
    /// Method token.
    pub method: &'a str,
    /// Request target.
    pub target: &'a str,
    /// Header lines.
    pub headers: Vec<(&'a str, &'a str)>,
    /// The body: the bytes after the head, cut to `Content-Length`.
    pub body: &'a [u8],
}

impl<'a> RawRequest<'a> {
    /// Parses `METHOD target HTTP/1.x\r\n(name: value\r\n)*\r\nbody`. Bounded by
    /// [`MAX_HEAD_LEN`] and [`MAX_HEADERS`]; chunked bodies are not supported.
    pub fn parse(bytes: &'a [u8]) -> Result<RawRequest<'a>, Rejection> {
        let bad = || Rejection::new(400, "SerializationException", "malformed HTTP request");
        let head_end = bytes
            .windows(4)
            .take(MAX_HEAD_LEN)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(bad)?;
        let (head, rest) = bytes.split_at_checked(head_end).ok_or_else(bad)?;
        let body = rest.get(4..).unwrap_or(&[]);
        let head = core::str::from_utf8(head).map_err(|_| bad())?;
        let mut lines = head.split("\r\n");
        let mut first = lines.next().ok_or_else(bad)?.split(' ');
        let method = first.next().filter(|m| is_token(m)).ok_or_else(bad)?;
        let target = first
            .next()
            .filter(|t| t.starts_with('/'))
            .ok_or_else(bad)?;
        let version = first.next().ok_or_else(bad)?;
        if first.next().is_some() || !version.starts_with("HTTP/1.") {
            return Err(bad());
        }
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line.split_once(':').ok_or_else(bad)?;
            if !is_token(name) || headers.len() >= MAX_HEADERS {
                return Err(bad());
            }
            headers.push((name, value.trim()));
        }
        let req = RawRequest {
            method,
            target,
            headers,
            body,
        };
        if let Some(cl) = req.head().header("content-length") {
            let n: usize = cl.parse().map_err(|_| bad())?;
            if n > MAX_BODY_LEN {
                return Err(Rejection::new(
                    413,
                    "InvalidArgumentException",
                    "request body too large",
                ));
            }
            let body = body.get(..n).ok_or_else(bad)?;
            return Ok(RawRequest { body, ..req });
        }
        Ok(req)
    }

    /// The head view.
    pub fn head(&self) -> HttpHead<'_> {
        HttpHead {
            method: self.method,
            target: self.target,
            headers: &self.headers,
        }
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A refusal in the service's shape: HTTP status, `x-amzn-ErrorType` name, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status code.
    pub status: u16,
    /// The error type (`InvalidSignatureException`, `ResourceNotFoundException`, …),
    /// sent as `x-amzn-ErrorType` and `__type`.
    pub error_type: &'static str,
    /// The human-readable `message`.
    pub message: String,
}

impl Rejection {
    /// A refusal.
    pub fn new(status: u16, error_type: &'static str, message: impl Into<String>) -> Rejection {
        Rejection {
            status,
            error_type,
            message: message.into(),
        }
    }

    /// 403 `InvalidSignatureException` with the signature-mismatch text.
    fn bad_signature() -> Rejection {
        Rejection::new(
            403,
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. \
             Check your AWS Secret Access Key and signing method. Consult the service \
             documentation for details.",
        )
    }

    /// 403 `UnrecognizedClientException`: unknown key id or wrong session token.
    fn unknown_key() -> Rejection {
        Rejection::new(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }

    fn incomplete(message: impl Into<String>) -> Rejection {
        Rejection::new(400, "IncompleteSignatureException", message)
    }
}

impl core::fmt::Display for Rejection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error_type, self.message)
    }
}

impl core::error::Error for Rejection {}

/// What a request is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route<'a> {
    /// A signed `POST` of a REST call, by its path (`/describeSignalingChannel`, …,
    /// `/v1/get-ice-server-config`, `/joinStorageSession`).
    Rest(&'a str),
    /// `GET /?X-Amz-ChannelARN=…` (the WebSocket upgrade, presigned).
    WebSocket,
    /// `GET|POST /_rtcam/<what>?…`: admin calls (loopback only).
    Admin(&'a str),
}

/// Routes by method and path. Unknown paths are the service's 404
/// `UnknownOperationException`; a known path with the wrong method is 405.
pub fn route<'a>(head: &HttpHead<'a>) -> Result<Route<'a>, Rejection> {
    let path = head.path();
    if let Some(rest) = path.strip_prefix(ADMIN_PREFIX) {
        return Ok(Route::Admin(rest));
    }
    if path == "/" {
        return if head.method == "GET" {
            Ok(Route::WebSocket)
        } else {
            Err(Rejection::new(
                405,
                "UnknownOperationException",
                "use GET with an Upgrade",
            ))
        };
    }
    if crate::api::ApiCall::from_path(path).is_some() {
        return if head.method == "POST" {
            Ok(Route::Rest(path))
        } else {
            Err(Rejection::new(
                405,
                "UnknownOperationException",
                "REST calls are POST",
            ))
        };
    }
    Err(Rejection::new(
        404,
        "UnknownOperationException",
        "unknown operation",
    ))
}

/// Who signed an accepted request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticated {
    /// Index of the matching key in the configured list.
    pub key_index: usize,
}

/// Verifies a header-signed request (`Authorization: AWS4-HMAC-SHA256 …`,
/// `x-amz-date`, optional `x-amz-security-token`) against `keys`, in `region` for the
/// `kinesisvideo` service, at `now_unix`.
///
/// Refusals, in the order checked: no `Authorization` → 403
/// `MissingAuthenticationTokenException`; unreadable → 400
/// `IncompleteSignatureException`; unknown key id or wrong session token → 403
/// `UnrecognizedClientException`; timestamp more than [`MAX_SKEW_SECS`] away → 403
/// `InvalidSignatureException` "Signature expired: …" / "Signature not yet current:
/// …"; wrong scope or signature → 403 `InvalidSignatureException`.
pub fn authenticate_rest(
    head: &HttpHead<'_>,
    body: &[u8],
    keys: &[AccessKey],
    region: &str,
    now_unix: u64,
) -> Result<Authenticated, Rejection> {
    let auth = head.header("authorization").ok_or_else(|| {
        Rejection::new(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    })?;
    let auth =
        AuthorizationHeader::parse(auth).map_err(|e| Rejection::incomplete(format!("{e}")))?;
    let amz_date = head.header("x-amz-date").ok_or_else(|| {
        Rejection::incomplete("Authorization header requires existence of a 'X-Amz-Date' header.")
    })?;
    let time = UtcTime::parse_amz_date(amz_date.trim())
        .ok_or_else(|| Rejection::incomplete("X-Amz-Date must be in the ISO8601 basic format"))?;
    let key_index = find_key(keys, auth.credential.access_key_id)?;
    let key = keys.get(key_index).ok_or_else(Rejection::unknown_key)?;
    check_token(key, head.header("x-amz-security-token"))?;
    check_window(time, now_unix, None)?;
    check_scope(&auth.credential, time, region)?;

    // The headers the client signed, with the values that arrived (duplicates joined
    // by `,` as SigV4 does).
    let mut joined: Vec<(String, String)> = Vec::new();
    for name in auth.signed_headers.split(';') {
        if name.is_empty() || joined.iter().any(|(n, _)| n == name) {
            return Err(Rejection::bad_signature());
        }
        let values: Vec<&str> = head
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        if values.is_empty() {
            return Err(Rejection::bad_signature());
        }
        joined.push((name.to_string(), values.join(",")));
    }
    if !joined.iter().any(|(n, _)| n == "host") {
        return Err(Rejection::incomplete("'Host' must be a signed header"));
    }
    // SigV4 requires a present `x-amz-date` to be a signed header and the service
    // refuses a request that leaves it out; accepting it here would let a client bug
    // pass locally and fail against AWS.
    if !joined.iter().any(|(n, _)| n == "x-amz-date") {
        return Err(Rejection::incomplete(
            "'X-Amz-Date' must be a signed header",
        ));
    }
    let headers: Vec<(&str, &str)> = joined
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let path = percent_decode(head.path()).ok_or_else(Rejection::bad_signature)?;
    let query = parse_query(head.query()).ok_or_else(Rejection::bad_signature)?;
    let query: Vec<(&str, &str)> = query.iter().map(|(k, v)| (&**k, &**v)).collect();
    let mut hash = [0u8; 64];
    let payload_sha256 = hex_lower(&Sha256::digest(body).into(), &mut hash);
    let creq = CanonicalRequest {
        method: head.method,
        path: &path,
        query: &query,
        headers: &headers,
        payload_sha256,
    };
    verify(key, time, &auth.credential, &creq, auth.signature)?;
    Ok(Authenticated { key_index })
}

/// The whole pure path of a REST call: route check, SigV4 verification, then the body
/// read as the call's [`crate::api::Request`] (a body that does not parse is 400
/// `InvalidArgumentException`). What the listener runs and the fuzz target drives.
pub fn check_rest<'b>(
    head: &HttpHead<'_>,
    body: &'b [u8],
    keys: &[AccessKey],
    region: &str,
    now_unix: u64,
) -> Result<crate::api::Request<'b>, Rejection> {
    let path = match route(head)? {
        Route::Rest(p) => p,
        _ => {
            return Err(Rejection::new(
                404,
                "UnknownOperationException",
                "not a REST call",
            ));
        }
    };
    let call = crate::api::ApiCall::from_path(path)
        .ok_or_else(|| Rejection::new(404, "UnknownOperationException", "unknown operation"))?;
    authenticate_rest(head, body, keys, region, now_unix)?;
    crate::api::Request::parse(call, body)
        .map_err(|e| Rejection::new(400, "InvalidArgumentException", format!("{e}")))
}

/// The parameters of an accepted WebSocket connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsConnectParams {
    /// `X-Amz-ChannelARN`, decoded.
    pub channel_arn: String,
    /// `X-Amz-ClientId`, decoded: `None` connects as master.
    pub client_id: Option<String>,
    /// Who signed.
    pub auth: Authenticated,
}

/// Verifies a presigned `GET /?X-Amz-ChannelARN=…&X-Amz-Algorithm=…&…&X-Amz-Signature=…`
/// (signed headers from `X-Amz-SignedHeaders`, normally `host`; payload hash of the
/// empty body). Besides [`authenticate_rest`]'s refusals: a URL used after
/// `X-Amz-Date + X-Amz-Expires` (or more than [`MAX_SKEW_SECS`] before `X-Amz-Date`)
/// → 403 "Signature expired: …" / "Signature not yet current: …".
pub fn authenticate_presigned(
    head: &HttpHead<'_>,
    keys: &[AccessKey],
    region: &str,
    now_unix: u64,
) -> Result<WsConnectParams, Rejection> {
    let query = parse_query(head.query())
        .ok_or_else(|| Rejection::new(400, "InvalidArgumentException", "malformed query"))?;
    let get = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| v.as_ref())
    };
    let Some(signature) = get("X-Amz-Signature") else {
        return Err(Rejection::new(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    };
    if get("X-Amz-Algorithm") != Some(ALGORITHM) {
        return Err(Rejection::incomplete(format!(
            "X-Amz-Algorithm must be {ALGORITHM}"
        )));
    }
    let credential = get("X-Amz-Credential")
        .and_then(CredentialScope::parse)
        .ok_or_else(|| Rejection::incomplete("X-Amz-Credential is missing or malformed"))?;
    let time = get("X-Amz-Date")
        .and_then(UtcTime::parse_amz_date)
        .ok_or_else(|| Rejection::incomplete("X-Amz-Date is missing or malformed"))?;
    let expires: u64 = get("X-Amz-Expires")
        .and_then(|e| e.parse().ok())
        .filter(|e| (1..=u64::from(crate::MAX_EXPIRES_SECS)).contains(e))
        .ok_or_else(|| Rejection::incomplete("X-Amz-Expires is missing or out of range"))?;
    let signed = get("X-Amz-SignedHeaders")
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Rejection::incomplete("X-Amz-SignedHeaders is missing"))?;
    let key_index = find_key(keys, credential.access_key_id)?;
    let key = keys.get(key_index).ok_or_else(Rejection::unknown_key)?;
    check_token(key, get("X-Amz-Security-Token"))?;
    check_window(time, now_unix, Some(expires))?;
    check_scope(&credential, time, region)?;
    let mut headers: Vec<(&str, String)> = Vec::new();
    for name in signed.split(';') {
        let values: Vec<&str> = head
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
            .collect();
        if name.is_empty() || values.is_empty() || headers.iter().any(|(n, _)| *n == name) {
            return Err(Rejection::bad_signature());
        }
        headers.push((name, values.join(",")));
    }
    // As for header signing, the service refuses a presigned URL whose signature does
    // not cover `Host`: such a URL would be valid against any host it is sent to.
    if !headers.iter().any(|(n, _)| *n == "host") {
        return Err(Rejection::incomplete("'Host' must be a signed header"));
    }
    let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let params: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, _)| k.as_ref() != "X-Amz-Signature")
        .map(|(k, v)| (k.as_ref(), v.as_ref()))
        .collect();
    let path = percent_decode(head.path()).ok_or_else(Rejection::bad_signature)?;
    let creq = CanonicalRequest {
        method: head.method,
        path: &path,
        query: &params,
        headers: &headers,
        payload_sha256: EMPTY_PAYLOAD_SHA256,
    };
    verify(key, time, &credential, &creq, signature)?;
    let channel_arn = get("X-Amz-ChannelARN")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            Rejection::new(
                400,
                "InvalidArgumentException",
                "X-Amz-ChannelARN is required",
            )
        })?
        .to_string();
    let client_id = get("X-Amz-ClientId").map(str::to_string);
    Ok(WsConnectParams {
        channel_arn,
        client_id,
        auth: Authenticated { key_index },
    })
}

fn find_key(keys: &[AccessKey], id: &str) -> Result<usize, Rejection> {
    keys.iter()
        .position(|k| k.access_key_id == id)
        .ok_or_else(Rejection::unknown_key)
}

fn check_token(key: &AccessKey, sent: Option<&str>) -> Result<(), Rejection> {
    match (&key.session_token, sent) {
        (None, None) => Ok(()),
        (Some(want), Some(got))
            if bool::from(subtle::ConstantTimeEq::ct_eq(
                want.as_bytes(),
                got.trim().as_bytes(),
            )) =>
        {
            Ok(())
        }
        _ => Err(Rejection::unknown_key()),
    }
}

/// The service's clock check: within ±5 minutes of `now` (header signing), or for a
/// presigned URL not before `date − 5 min` and not after `date + expires`.
fn check_window(time: UtcTime, now_unix: u64, expires: Option<u64>) -> Result<(), Rejection> {
    let t = time.to_unix_seconds();
    let fmt = |s: u64| {
        UtcTime::from_unix_seconds(s)
            .map(|u| u.amz_date().as_str().to_string())
            .unwrap_or_default()
    };
    if t > now_unix.saturating_add(MAX_SKEW_SECS) {
        return Err(Rejection::new(
            403,
            "InvalidSignatureException",
            format!(
                "Signature not yet current: {} is still later than {} ({} + 5 min.)",
                fmt(t),
                fmt(now_unix.saturating_add(MAX_SKEW_SECS)),
                fmt(now_unix)
            ),
        ));
    }
    let expired = match expires {
        None => t.saturating_add(MAX_SKEW_SECS) < now_unix,
        Some(e) => t.saturating_add(e) < now_unix,
    };
    if expired {
        let message = match expires {
            None => format!(
                "Signature expired: {} is now earlier than {} ({} - 5 min.)",
                fmt(t),
                fmt(now_unix.saturating_sub(MAX_SKEW_SECS)),
                fmt(now_unix)
            ),
            Some(e) => format!(
                "Signature expired: {} is now earlier than {} ({} - {e} sec.)",
                fmt(t),
                fmt(now_unix.saturating_sub(e)),
                fmt(now_unix)
            ),
        };
        return Err(Rejection::new(403, "InvalidSignatureException", message));
    }
    Ok(())
}

fn check_scope(cred: &CredentialScope<'_>, time: UtcTime, region: &str) -> Result<(), Rejection> {
    if cred.service != KVS_SERVICE {
        return Err(Rejection::new(
            403,
            "InvalidSignatureException",
            format!("Credential should be scoped to correct service: '{KVS_SERVICE}'."),
        ));
    }
    if cred.region != region {
        return Err(Rejection::new(
            403,
            "InvalidSignatureException",
            format!(
                "Credential should be scoped to a valid region, not '{}'.",
                cred.region
            ),
        ));
    }
    if cred.date != time.amz_date().date_stamp() {
        return Err(Rejection::new(
            403,
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP",
        ));
    }
    Ok(())
}

fn verify(
    key: &AccessKey,
    time: UtcTime,
    cred: &CredentialScope<'_>,
    creq: &CanonicalRequest<'_>,
    signature: &str,
) -> Result<(), Rejection> {
    let scope = cred.scope();
    let signing = SigningKey::derive(&key.secret_access_key, time, scope);
    match verify_signature(&signing, time, scope, creq, signature) {
        Ok(true) => Ok(()),
        _ => Err(Rejection::bad_signature()),
    }
}

fn hex_lower<'b>(bytes: &[u8; 32], out: &'b mut [u8; 64]) -> &'b str {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = HEX.get(usize::from(b & 15)).copied().unwrap_or(b'0');
        }
    }
    core::str::from_utf8(out).unwrap_or("")
}

/// `%XX`-decodes `s` (`+` stays `+`, as SigV4 clients never use it for space); `None`
/// on a malformed escape or a result that is not UTF-8.
pub fn percent_decode(s: &str) -> Option<Cow<'_, str>> {
    if !s.contains('%') {
        return Some(Cow::Borrowed(s));
    }
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hi = char::from(bytes.next()?).to_digit(16)?;
            let lo = char::from(bytes.next()?).to_digit(16)?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).ok().map(Cow::Owned)
}

/// Splits and decodes a query string (`a=1&b=%2F`); a parameter without `=` has an
/// empty value. At most 32 parameters.
pub fn parse_query(q: &str) -> Option<Vec<(Cow<'_, str>, Cow<'_, str>)>> {
    let mut out = Vec::new();
    if q.is_empty() {
        return Some(out);
    }
    for part in q.split('&') {
        if part.is_empty() {
            continue;
        }
        if out.len() >= 32 {
            return None;
        }
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((percent_decode(k)?, percent_decode(v)?));
    }
    Some(out)
}

/// Whether `s` is a valid client id (and channel name without the `AWS_` rule):
/// 1–256 characters of `[a-zA-Z0-9_.-]`.
pub fn is_valid_name(s: &str) -> bool {
    (1..=256).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Whether `s` is a valid client id: a name not starting with `AWS_` (reserved for the
/// service's own peers such as the storage session).
pub fn is_valid_client_id(s: &str) -> bool {
    is_valid_name(s) && !s.starts_with("AWS_")
}

/// One WebSocket message from a client, read as the service reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientMessage<'a> {
    /// `action`.
    pub action: Action,
    /// `RecipientClientId` / `recipientClientId` (raw JSON text).
    pub recipient_client_id: Option<&'a str>,
    /// `MessagePayload` / `messagePayload`: base64, ≤ [`MAX_PAYLOAD_LEN`].
    pub payload: &'a str,
    /// `CorrelationId` / `correlationId`.
    pub correlation_id: Option<&'a str>,
}

/// Why a client message was refused, and the STATUS_RESPONSE to send (when the
/// message carried a correlation id the server could read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRejection<'a> {
    /// The correlation id to echo (`None`: nothing is sent back, as the service does).
    pub correlation_id: Option<&'a str>,
    /// `errorType`.
    pub error_type: &'static str,
    /// `statusCode` (sent as a string).
    pub status_code: u16,
    /// `description`.
    pub description: String,
}

impl<'a> MessageRejection<'a> {
    /// A refusal with `InvalidArgumentException` / 400.
    pub fn invalid(correlation_id: Option<&'a str>, description: impl Into<String>) -> Self {
        MessageRejection {
            correlation_id,
            error_type: "InvalidArgumentException",
            status_code: 400,
            description: description.into(),
        }
    }
}

/// Reads one client text frame. Both key casings are accepted (the C SDK sends
/// `RecipientClientId`, the JS SDK `recipientClientId`). Refusals carry the correlation
/// id when it could be read — also from a frame that is otherwise invalid.
pub fn parse_client_message(frame: &str) -> Result<ClientMessage<'_>, MessageRejection<'_>> {
    #[derive(Deserialize)]
    struct Wire<'a> {
        #[serde(borrow, alias = "Action")]
        action: Option<&'a str>,
        #[serde(rename = "RecipientClientId", alias = "recipientClientId", borrow)]
        recipient: Option<&'a str>,
        #[serde(rename = "MessagePayload", alias = "messagePayload", borrow)]
        payload: Option<&'a str>,
        #[serde(rename = "CorrelationId", alias = "correlationId", borrow)]
        correlation: Option<&'a str>,
    }
    let bytes = frame.as_bytes();
    if !crate::json::nesting_within(bytes, MAX_JSON_DEPTH) {
        return Err(MessageRejection::invalid(None, "message nested too deeply"));
    }
    let w = match serde_json_core::from_slice::<Wire<'_>>(bytes) {
        Ok((w, _)) => w,
        Err(_) => {
            // Not JSON of the expected shape: still answer when a correlation id can be
            // found in the text, so the sender learns why.
            let corr = scan_correlation_id(frame);
            return Err(MessageRejection::invalid(
                corr,
                "message is not valid JSON of the expected shape",
            ));
        }
    };
    let corr = w.correlation;
    if let Some(c) = corr {
        if !is_valid_name(c) {
            return Err(MessageRejection::invalid(None, "invalid correlationId"));
        }
    }
    let action = w
        .action
        .ok_or_else(|| MessageRejection::invalid(corr, "action is required"))?;
    let action = Action::from_wire(action)
        .ok_or_else(|| MessageRejection::invalid(corr, format!("unknown action '{action}'")))?;
    let payload = w
        .payload
        .filter(|p| !p.is_empty())
        .ok_or_else(|| MessageRejection::invalid(corr, "messagePayload is required"))?;
    let payload_len = payload.bytes().filter(|&b| b != b'\\').count();
    if payload_len > MAX_PAYLOAD_LEN {
        return Err(MessageRejection::invalid(
            corr,
            format!(
                "messagePayload of {payload_len} bytes exceeds the maximum of {MAX_PAYLOAD_LEN}"
            ),
        ));
    }
    if !payload
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\\'))
    {
        return Err(MessageRejection::invalid(
            corr,
            "messagePayload is not base64",
        ));
    }
    if let Some(r) = w.recipient {
        if !is_valid_name(r) {
            return Err(MessageRejection::invalid(corr, "invalid recipientClientId"));
        }
    }
    Ok(ClientMessage {
        action,
        recipient_client_id: w.recipient,
        payload,
        correlation_id: corr,
    })
}

/// Finds `"CorrelationId":"<id>"` (either casing) in text that is not valid JSON; only
/// an id of the documented grammar is returned.
fn scan_correlation_id(frame: &str) -> Option<&str> {
    for key in ["\"CorrelationId\"", "\"correlationId\""] {
        let Some(at) = frame.find(key) else { continue };
        let rest = frame.get(at + key.len()..)?.trim_start();
        let rest = rest.strip_prefix(':')?.trim_start().strip_prefix('"')?;
        let end = rest.find('"')?;
        let id = rest.get(..end)?;
        if is_valid_name(id) {
            return Some(id);
        }
    }
    None
}

/// Writes `s` as a JSON string literal (quotes included) into `out`.
pub fn push_json_string(out: &mut String, s: &str) {
    // Writing into a `String` cannot fail.
    let _ = crate::json::write_string(out, s);
}

/// A delivered message as the service writes it:
/// `{"senderClientId":…,"messageType":…,"messagePayload":…}`.
pub fn delivery_json(sender_client_id: &str, message_type: &str, payload_b64: &str) -> String {
    let mut s = String::with_capacity(payload_b64.len() + 96);
    s.push_str("{\"senderClientId\":");
    push_json_string(&mut s, sender_client_id);
    s.push_str(",\"messageType\":");
    push_json_string(&mut s, message_type);
    s.push_str(",\"messagePayload\":");
    push_json_string(&mut s, payload_b64);
    s.push('}');
    s
}

/// A STATUS_RESPONSE as the service writes it.
pub fn status_response_json(rej: &MessageRejection<'_>) -> String {
    let mut s = String::from(
        "{\"senderClientId\":\"\",\"messageType\":\"STATUS_RESPONSE\",\"messagePayload\":\"\",\"statusResponse\":{\"correlationId\":",
    );
    push_json_string(&mut s, rej.correlation_id.unwrap_or(""));
    s.push_str(",\"errorType\":");
    push_json_string(&mut s, rej.error_type);
    s.push_str(",\"statusCode\":");
    push_json_string(&mut s, &format!("{}", rej.status_code));
    s.push_str(",\"description\":");
    push_json_string(&mut s, &rej.description);
    s.push_str("}}");
    s
}

/// A refusal's JSON body in the older `{"__type":…,"message":…}` form: the listener
/// writes [`crate::api::ErrorReply`] bodies and falls back to this one only if that
/// writer fails.
pub fn error_body_json(rej: &Rejection) -> String {
    let mut s = String::from("{\"__type\":");
    push_json_string(&mut s, rej.error_type);
    s.push_str(",\"message\":");
    push_json_string(&mut s, &rej.message);
    s.push('}');
    s
}
