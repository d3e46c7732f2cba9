//! AWS Signature Version 4: canonical request, string to sign, signing key, and the two
//! forms KVS uses (an `Authorization` header for the control plane, a presigned query
//! string for the WebSocket URL).
//!
//! Nothing here allocates: the canonical request is hashed while it is written, query
//! parameters and headers are sorted by repeated minimum search over the caller's slices
//! (a handful of entries), and every output goes to a `core::fmt::Write` the caller owns.

use core::cmp::Ordering;
use core::fmt::{self, Write};

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::Error;
use crate::time::{AmzDate, UtcTime};

/// The only algorithm KVS (and SigV4) uses: the `AWS4-HMAC-SHA256` token.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The SigV4 service name of both the KVS control plane and the signaling data plane.
pub const KVS_SERVICE: &str = "kinesisvideo";
/// Hex SHA-256 of the empty payload: what a presigned `GET` signs as its body hash.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// The longest presign lifetime SigV4 accepts (seven days).
pub const MAX_EXPIRES_SECS: u32 = 604_800;

type HmacSha256 = Hmac<Sha256>;

/// Borrowed AWS credentials. Borrowed so that a refresher can own (and rotate) them
/// while the signer stays allocation-free; the secret is never printed by `Debug`.
#[derive(Clone, Copy)]
pub struct Credentials<'a> {
    /// The access key id (`AKIA…` or, for temporary credentials, `ASIA…`).
    pub access_key_id: &'a str,
    /// The secret access key: the root of the signing key chain.
    pub secret_access_key: &'a str,
    /// The session token of temporary credentials (STS, the IoT credentials provider);
    /// sent as `x-amz-security-token` / `X-Amz-Security-Token` and signed.
    pub session_token: Option<&'a str>,
}

impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field("session_token", &self.session_token.map(|_| "<redacted>"))
            .finish()
    }
}

/// Region and service: with the date, what a signature is scoped to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope<'a> {
    /// The region, e.g. `us-west-2`.
    pub region: &'a str,
    /// The service, e.g. [`KVS_SERVICE`].
    pub service: &'a str,
}

impl<'a> Scope<'a> {
    /// The KVS scope in `region`: what every control-plane call and the WSS URL use.
    pub const fn kvs(region: &'a str) -> Scope<'a> {
        Scope {
            region,
            service: KVS_SERVICE,
        }
    }
}

/// The derived signing key `HMAC("AWS4"+secret, date) → region → service →
/// "aws4_request"`, with what it was derived for.
///
/// Deriving costs four HMACs; a key stays valid for a whole UTC day, so a device keeps
/// one and re-derives only when [`SigningKey::is_for`] says the day, region, service or
/// secret changed (see [`SigningKey::refresh`]).
#[derive(Clone)]
pub struct SigningKey {
    key: [u8; 32],
    date: [u8; 8],
    /// SHA-256 over (secret, region, service): tells whether the key still applies
    /// without keeping the secret itself.
    id: [u8; 32],
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("date", &core::str::from_utf8(&self.date).unwrap_or(""))
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Derives the key for `secret` on `time`'s UTC day in `scope`.
    pub fn derive(secret: &str, time: UtcTime, scope: Scope<'_>) -> SigningKey {
        let amz = time.amz_date();
        let mut date = [0u8; 8];
        date.copy_from_slice(amz.date_stamp().as_bytes().get(..8).unwrap_or(&[b'0'; 8]));
        let k_date = hmac_first(secret, &date);
        let k_region = hmac(&k_date, scope.region.as_bytes());
        let k_service = hmac(&k_region, scope.service.as_bytes());
        let key = hmac(&k_service, b"aws4_request");
        SigningKey {
            key,
            date,
            id: key_id(secret, scope),
        }
    }

    /// Whether this key signs for `secret` on `time`'s day in `scope`.
    pub fn is_for(&self, secret: &str, time: UtcTime, scope: Scope<'_>) -> bool {
        self.date.as_slice() == time.amz_date().date_stamp().as_bytes()
            && self.id == key_id(secret, scope)
    }

    /// The cached key in `slot` if it still applies, else a freshly derived one stored
    /// there: the one call a long-running client makes before each signature.
    pub fn refresh<'s>(
        slot: &'s mut Option<SigningKey>,
        secret: &str,
        time: UtcTime,
        scope: Scope<'_>,
    ) -> &'s SigningKey {
        if !slot.as_ref().is_some_and(|k| k.is_for(secret, time, scope)) {
            *slot = Some(SigningKey::derive(secret, time, scope));
        }
        slot.get_or_insert_with(|| SigningKey::derive(secret, time, scope))
    }

    /// The 32 key bytes (for tests against published derivations).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// The signature of a string to sign: HMAC-SHA256 with this key.
    pub fn sign(&self, string_to_sign: &[u8]) -> [u8; 32] {
        hmac(&self.key, string_to_sign)
    }
}

fn hmac(key: &[u8], msg: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => return [0; 32],
    };
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// `HMAC("AWS4" + secret, msg)` without building the concatenated key on a heap: a key
/// longer than SHA-256's 64-byte block is, by HMAC's definition, replaced by its hash.
fn hmac_first(secret: &str, msg: &[u8]) -> [u8; 32] {
    let total = 4 + secret.len();
    if total <= 64 {
        let mut k = [0u8; 64];
        let (head, tail) = k.split_at_mut(4);
        head.copy_from_slice(b"AWS4");
        if let Some(dst) = tail.get_mut(..secret.len()) {
            dst.copy_from_slice(secret.as_bytes());
        }
        hmac(k.get(..total).unwrap_or(&[]), msg)
    } else {
        let mut h = Sha256::new();
        h.update(b"AWS4");
        h.update(secret.as_bytes());
        let k: [u8; 32] = h.finalize().into();
        hmac(&k, msg)
    }
}

fn key_id(secret: &str, scope: Scope<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    for part in [secret, scope.region, scope.service] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().into()
}

/// One HTTP request as SigV4 sees it. The signer derives everything canonical from it:
/// it percent-encodes and sorts the query, lower-cases, trims and sorts the headers.
#[derive(Debug, Clone, Copy)]
pub struct CanonicalRequest<'a> {
    /// The HTTP method, upper case (`GET`, `POST`).
    pub method: &'a str,
    /// The absolute path, not yet encoded (`/`, `/getSignalingChannelEndpoint`). Bytes
    /// outside the unreserved set and `/` are percent-encoded once, as SigV4 asks of
    /// every service but S3.
    pub path: &'a str,
    /// Query parameters, decoded (`("X-Amz-ChannelARN", "arn:aws:…")`), in any order.
    pub query: &'a [(&'a str, &'a str)],
    /// The headers to sign, names in any case, values as sent. Must include `host` and
    /// (for header signing) `x-amz-date`; duplicate names are rejected.
    pub headers: &'a [(&'a str, &'a str)],
    /// Lower-case hex SHA-256 of the body ([`EMPTY_PAYLOAD_SHA256`] when empty).
    pub payload_sha256: &'a str,
}

impl CanonicalRequest<'_> {
    /// Writes the canonical request text (for logs and tests; signing hashes it directly).
    pub fn write_to<W: Write + ?Sized>(&self, out: &mut W) -> Result<(), Error> {
        write_canonical(out, self, &[])
    }

    /// Writes the signed-headers list (`host;x-amz-date`), as `Authorization` shows it.
    pub fn write_signed_headers<W: Write + ?Sized>(&self, out: &mut W) -> Result<(), Error> {
        write_signed_headers(out, self.headers)
    }

    /// SHA-256 of the canonical request: the last line of the string to sign.
    pub fn sha256(&self) -> Result<[u8; 32], Error> {
        let mut h = HashWriter(Sha256::new());
        write_canonical(&mut h, self, &[])?;
        Ok(h.0.finalize().into())
    }
}

/// Writes the string to sign: algorithm, timestamp, credential scope, hex hash of the
/// canonical request, separated by `\n`.
pub fn write_string_to_sign<W: Write + ?Sized>(
    out: &mut W,
    time: UtcTime,
    scope: Scope<'_>,
    canonical_request_sha256: &[u8; 32],
) -> Result<(), Error> {
    let amz = time.amz_date();
    write!(
        out,
        "{ALGORITHM}\n{}\n{}/{}/{}/aws4_request\n",
        amz.as_str(),
        amz.date_stamp(),
        scope.region,
        scope.service
    )?;
    write_hex(out, canonical_request_sha256)
}

/// The signature over a canonical request hash, with `key` (which must be the key for
/// `time`'s day and `scope`).
fn signature(
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    creq_hash: &[u8; 32],
) -> Result<[u8; 32], Error> {
    let mut mac = HmacSha256::new_from_slice(&key.key).map_err(|_| Error::BufferTooSmall)?;
    let mut w = MacWriter(&mut mac);
    write_string_to_sign(&mut w, time, scope, creq_hash)?;
    Ok(mac.finalize().into_bytes().into())
}

fn check_key(
    creds: &Credentials<'_>,
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
) -> Result<(), Error> {
    if key.is_for(creds.secret_access_key, time, scope) {
        Ok(())
    } else {
        Err(Error::SigningKeyMismatch)
    }
}

/// Signs `req` and writes the `Authorization` header value:
/// `AWS4-HMAC-SHA256 Credential=<id>/<scope>, SignedHeaders=<list>, Signature=<hex>`.
///
/// The generic form (any headers, any query) behind [`sign_kvs_post`]; `req.headers`
/// must already contain `host`, `x-amz-date` (= `time.amz_date()`) and, with a session
/// token, `x-amz-security-token`.
pub fn write_authorization<W: Write + ?Sized>(
    creds: &Credentials<'_>,
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    req: &CanonicalRequest<'_>,
    out: &mut W,
) -> Result<(), Error> {
    check_key(creds, key, time, scope)?;
    let sig = signature(key, time, scope, &req.sha256()?)?;
    write!(
        out,
        "{ALGORITHM} Credential={}/{}/{}/{}/aws4_request, SignedHeaders=",
        creds.access_key_id,
        time.amz_date().date_stamp(),
        scope.region,
        scope.service
    )?;
    req.write_signed_headers(out)?;
    out.write_str(", Signature=")?;
    write_hex(out, &sig)
}

/// A KVS control-plane call: `POST https://<host><path>` with a JSON body.
#[derive(Debug, Clone, Copy)]
pub struct RestRequest<'a> {
    /// The endpoint host, e.g. `kinesisvideo.us-west-2.amazonaws.com` (with `:port` only
    /// when the URL has a non-default one).
    pub host: &'a str,
    /// The path, e.g. `/getSignalingChannelEndpoint`.
    pub path: &'a str,
    /// The exact body bytes that will be sent.
    pub body: &'a [u8],
    /// The `content-type` header value, signed when present (`application/json`).
    pub content_type: Option<&'a str>,
}

/// Signs a KVS control-plane `POST` and writes the `Authorization` header value.
///
/// Signed headers: `content-type` (when given), `host`, `x-amz-date`, and
/// `x-amz-security-token` with temporary credentials — what botocore signs for the
/// same request. The caller sends those headers with exactly these values: the
/// returned [`AmzDate`] is the `x-amz-date` value. Other headers (`user-agent`,
/// `content-length`) may be sent unsigned.
pub fn sign_kvs_post<W: Write + ?Sized>(
    creds: &Credentials<'_>,
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    req: &RestRequest<'_>,
    authorization: &mut W,
) -> Result<AmzDate, Error> {
    let amz = time.amz_date();
    let mut hash_hex = [0u8; 64];
    hex_into(&Sha256::digest(req.body).into(), &mut hash_hex);
    let payload_sha256 = core::str::from_utf8(&hash_hex).map_err(|_| Error::BufferTooSmall)?;
    let date = amz.as_str();
    let mut headers: [(&str, &str); 4] = [("", ""); 4];
    let mut n = 0;
    for h in [
        req.content_type.map(|ct| ("content-type", ct)),
        Some(("host", req.host)),
        Some(("x-amz-date", date)),
        creds.session_token.map(|t| ("x-amz-security-token", t)),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(slot) = headers.get_mut(n) {
            *slot = h;
            n += 1;
        }
    }
    let creq = CanonicalRequest {
        method: "POST",
        path: req.path,
        query: &[],
        headers: headers.get(..n).unwrap_or(&[]),
        payload_sha256,
    };
    write_authorization(creds, key, time, scope, &creq, authorization)?;
    Ok(amz)
}

/// Query-string presigning of a `GET` whose only signed header is `host`.
#[derive(Debug, Clone, Copy)]
pub struct Presign<'a> {
    /// The host the URL points at (signed as the `host` header).
    pub host: &'a str,
    /// The path, not yet encoded (`/`).
    pub path: &'a str,
    /// The request's own parameters, decoded, in the order they are to appear in the URL
    /// (the signed form sorts them; the URL keeps this order, as botocore does).
    pub params: &'a [(&'a str, &'a str)],
    /// `X-Amz-Expires`: seconds the URL stays valid (1..=[`MAX_EXPIRES_SECS`]).
    pub expires_secs: u32,
}

/// The most request parameters [`write_presigned_query`] accepts besides its own six.
pub const MAX_PRESIGN_PARAMS: usize = 8;

/// Longest `X-Amz-Credential` value handled (`<key id>/<date>/<region>/<service>/aws4_request`).
const MAX_CREDENTIAL_LEN: usize = 256;

/// Presigns a `GET` and writes its query string (without `?`): the request's parameters
/// in their order, then `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`,
/// `X-Amz-Expires`, `X-Amz-SignedHeaders=host`, `X-Amz-Security-Token` (with temporary
/// credentials), and `X-Amz-Signature` last. All keys and values are URI-encoded
/// (unreserved `A-Za-z0-9-_.~` kept, everything else `%XX`).
///
/// With `canonical_request`, the canonical request text is also written there (tests,
/// debugging a 403).
pub fn write_presigned_query<W: Write + ?Sized>(
    creds: &Credentials<'_>,
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    req: &Presign<'_>,
    out: &mut W,
    canonical_request: Option<&mut dyn Write>,
) -> Result<(), Error> {
    check_key(creds, key, time, scope)?;
    if req.expires_secs == 0 || req.expires_secs > MAX_EXPIRES_SECS {
        return Err(Error::InvalidExpires);
    }
    if req.params.len() > MAX_PRESIGN_PARAMS {
        return Err(Error::TooManyParams);
    }
    let amz = time.amz_date();
    let mut cred_buf = [0u8; MAX_CREDENTIAL_LEN];
    let mut cred = crate::SliceWriter::new(&mut cred_buf);
    write!(
        cred,
        "{}/{}/{}/{}/aws4_request",
        creds.access_key_id,
        amz.date_stamp(),
        scope.region,
        scope.service
    )
    .map_err(|_| Error::CredentialTooLong)?;
    let credential = cred.as_str();
    let mut exp_buf = [0u8; 10];
    let expires = fmt_u32(req.expires_secs, &mut exp_buf);

    let mut auth = [
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", credential),
        ("X-Amz-Date", amz.as_str()),
        ("X-Amz-Expires", expires),
        ("X-Amz-SignedHeaders", "host"),
        ("X-Amz-Security-Token", ""),
    ];
    let n_auth = match creds.session_token {
        Some(t) => {
            if let Some(slot) = auth.get_mut(5) {
                slot.1 = t;
            }
            6
        }
        None => 5,
    };
    let auth = auth.get(..n_auth).unwrap_or(&[]);
    let headers = [("host", req.host)];
    let creq = CanonicalRequest {
        method: "GET",
        path: req.path,
        query: req.params,
        headers: &headers,
        payload_sha256: EMPTY_PAYLOAD_SHA256,
    };
    if let Some(w) = canonical_request {
        write_canonical(w, &creq, auth)?;
    }
    let mut h = HashWriter(Sha256::new());
    write_canonical(&mut h, &creq, auth)?;
    let sig = signature(key, time, scope, &h.0.finalize().into())?;

    let mut first = true;
    for (k, v) in req.params.iter().chain(auth.iter()) {
        if !first {
            out.write_char('&')?;
        }
        first = false;
        write_uri_encoded(out, k, false)?;
        out.write_char('=')?;
        write_uri_encoded(out, v, false)?;
    }
    out.write_str(if first { "" } else { "&" })?;
    out.write_str("X-Amz-Signature=")?;
    write_hex(out, &sig)
}

/// The KVS signaling WebSocket to open: `wss://<host>/?X-Amz-ChannelARN=…`.
#[derive(Debug, Clone, Copy)]
pub struct WssConnect<'a> {
    /// The WSS endpoint host from GetSignalingChannelEndpoint (without `wss://`).
    pub host: &'a str,
    /// The signaling channel's ARN.
    pub channel_arn: &'a str,
    /// The viewer's client id; `None` connects as master.
    pub client_id: Option<&'a str>,
    /// `X-Amz-Expires` (the C SDK and [`DEFAULT_WSS_EXPIRES_SECS`] use 299 or 300).
    pub expires_secs: u32,
}

/// A presign lifetime for the WSS URL: the service only checks it at connect time.
pub const DEFAULT_WSS_EXPIRES_SECS: u32 = 300;

/// Writes the complete presigned WSS URL:
/// `wss://<host>/?X-Amz-ChannelARN=<arn>[&X-Amz-ClientId=<id>]&X-Amz-Algorithm=…&X-Amz-Signature=<hex>`
/// — byte for byte what botocore's `SigV4QueryAuth` produces for the same inputs.
pub fn write_presigned_wss_url<W: Write + ?Sized>(
    creds: &Credentials<'_>,
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    conn: &WssConnect<'_>,
    out: &mut W,
) -> Result<(), Error> {
    let viewer;
    let master;
    let params: &[(&str, &str)] = match conn.client_id {
        Some(id) => {
            viewer = [
                ("X-Amz-ChannelARN", conn.channel_arn),
                ("X-Amz-ClientId", id),
            ];
            &viewer
        }
        None => {
            master = [("X-Amz-ChannelARN", conn.channel_arn)];
            &master
        }
    };
    write!(out, "wss://{}/?", conn.host)?;
    let req = Presign {
        host: conn.host,
        path: "/",
        params,
        expires_secs: conn.expires_secs,
    };
    write_presigned_query(creds, key, time, scope, &req, out, None)
}

// ---------------------------------------------------------------------------------------
// Canonical form.

fn write_canonical<W: Write + ?Sized>(
    out: &mut W,
    req: &CanonicalRequest<'_>,
    extra_query: &[(&str, &str)],
) -> Result<(), Error> {
    out.write_str(req.method)?;
    out.write_char('\n')?;
    write_uri_encoded(out, req.path, true)?;
    out.write_char('\n')?;
    // Query: sorted by encoded key, then encoded value.
    let total = req.query.len() + extra_query.len();
    let pair = |i: usize| {
        req.query
            .get(i)
            .or_else(|| {
                i.checked_sub(req.query.len())
                    .and_then(|j| extra_query.get(j))
            })
            .copied()
            .unwrap_or(("", ""))
    };
    let cmp_pair = |a: usize, b: usize| {
        let (ak, av) = pair(a);
        let (bk, bv) = pair(b);
        encoded(ak)
            .cmp(encoded(bk))
            .then_with(|| encoded(av).cmp(encoded(bv)))
            .then(a.cmp(&b))
    };
    let mut prev: Option<usize> = None;
    for n in 0..total {
        let Some(i) = next_in_order(total, prev, &cmp_pair) else {
            break;
        };
        if n > 0 {
            out.write_char('&')?;
        }
        let (k, v) = pair(i);
        write_uri_encoded(out, k, false)?;
        out.write_char('=')?;
        write_uri_encoded(out, v, false)?;
        prev = Some(i);
    }
    out.write_char('\n')?;
    // Headers: lower-case name, trimmed value with inner whitespace runs collapsed.
    check_headers(req.headers)?;
    let cmp_hdr = |a: usize, b: usize| header_cmp(req.headers, a, b);
    let mut prev: Option<usize> = None;
    for _ in 0..req.headers.len() {
        let Some(i) = next_in_order(req.headers.len(), prev, &cmp_hdr) else {
            break;
        };
        let (name, value) = req.headers.get(i).copied().unwrap_or(("", ""));
        write_lower(out, name)?;
        out.write_char(':')?;
        for (j, word) in value.split_whitespace().enumerate() {
            if j > 0 {
                out.write_char(' ')?;
            }
            out.write_str(word)?;
        }
        out.write_char('\n')?;
        prev = Some(i);
    }
    out.write_char('\n')?;
    write_signed_headers(out, req.headers)?;
    out.write_char('\n')?;
    out.write_str(req.payload_sha256)?;
    Ok(())
}

fn write_signed_headers<W: Write + ?Sized>(
    out: &mut W,
    headers: &[(&str, &str)],
) -> Result<(), Error> {
    check_headers(headers)?;
    let cmp_hdr = |a: usize, b: usize| header_cmp(headers, a, b);
    let mut prev: Option<usize> = None;
    for n in 0..headers.len() {
        let Some(i) = next_in_order(headers.len(), prev, &cmp_hdr) else {
            break;
        };
        if n > 0 {
            out.write_char(';')?;
        }
        write_lower(out, headers.get(i).map_or("", |h| h.0))?;
        prev = Some(i);
    }
    Ok(())
}

fn header_cmp(headers: &[(&str, &str)], a: usize, b: usize) -> Ordering {
    let name = |i: usize| headers.get(i).map_or("", |h| h.0);
    lower(name(a)).cmp(lower(name(b))).then(a.cmp(&b))
}

/// Header names must be HTTP tokens and unique (case-insensitively): SigV4 would
/// otherwise join duplicates with commas, which this signer does not do.
fn check_headers(headers: &[(&str, &str)]) -> Result<(), Error> {
    for (i, (name, _)) in headers.iter().enumerate() {
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(Error::InvalidHeaderName);
        }
        if headers
            .get(i + 1..)
            .unwrap_or(&[])
            .iter()
            .any(|(other, _)| other.eq_ignore_ascii_case(name))
        {
            return Err(Error::DuplicateHeader);
        }
    }
    Ok(())
}

fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The index that comes next after `prev` in the total order `cmp` (ties broken by
/// index inside `cmp`): a selection sort without storage, O(n²) for a handful of items.
fn next_in_order(
    len: usize,
    prev: Option<usize>,
    cmp: &dyn Fn(usize, usize) -> Ordering,
) -> Option<usize> {
    let mut best: Option<usize> = None;
    for i in 0..len {
        if let Some(p) = prev {
            if cmp(i, p) != Ordering::Greater {
                continue;
            }
        }
        best = match best {
            Some(b) if cmp(b, i) == Ordering::Less => Some(b),
            _ => Some(i),
        };
    }
    best
}

fn lower(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes().map(|b| b.to_ascii_lowercase())
}

fn write_lower<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    for b in lower(s) {
        out.write_char(char::from(b))?;
    }
    Ok(())
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";
const HEX_LOWER: &[u8; 16] = b"0123456789abcdef";

/// The RFC 3986 percent-encoding of `s` as a byte stream (upper-case hex), so that
/// sorting can compare encoded forms without writing them anywhere.
fn encoded(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.bytes().flat_map(|b| {
        let (arr, n) = if is_unreserved(b) {
            ([b, 0, 0], 1)
        } else {
            (
                [
                    b'%',
                    HEX_UPPER.get(usize::from(b >> 4)).copied().unwrap_or(b'0'),
                    HEX_UPPER.get(usize::from(b & 15)).copied().unwrap_or(b'0'),
                ],
                3,
            )
        };
        arr.into_iter().take(n)
    })
}

/// Writes `s` URI-encoded; with `keep_slash`, `/` stays (paths).
fn write_uri_encoded<W: Write + ?Sized>(out: &mut W, s: &str, keep_slash: bool) -> fmt::Result {
    for b in s.bytes() {
        if is_unreserved(b) || (keep_slash && b == b'/') {
            out.write_char(char::from(b))?;
        } else {
            out.write_char('%')?;
            for nib in [b >> 4, b & 15] {
                out.write_char(char::from(
                    HEX_UPPER.get(usize::from(nib)).copied().unwrap_or(b'0'),
                ))?;
            }
        }
    }
    Ok(())
}

fn write_hex<W: Write + ?Sized>(out: &mut W, bytes: &[u8; 32]) -> Result<(), Error> {
    let mut buf = [0u8; 64];
    hex_into(bytes, &mut buf);
    out.write_str(core::str::from_utf8(&buf).map_err(|_| Error::BufferTooSmall)?)?;
    Ok(())
}

fn hex_into(bytes: &[u8; 32], out: &mut [u8; 64]) {
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        if let [hi, lo] = pair {
            *hi = HEX_LOWER.get(usize::from(b >> 4)).copied().unwrap_or(b'0');
            *lo = HEX_LOWER.get(usize::from(b & 15)).copied().unwrap_or(b'0');
        }
    }
}

/// Lower-case hex SHA-256 of `body`, as the canonical request's last line wants it.
pub fn payload_sha256_hex(body: &[u8]) -> PayloadHash {
    let mut buf = [0u8; 64];
    hex_into(&Sha256::digest(body).into(), &mut buf);
    PayloadHash(buf)
}

/// A hex SHA-256 held inline (see [`payload_sha256_hex`]).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PayloadHash([u8; 64]);

impl PayloadHash {
    /// The 64 lower-case hex digits.
    pub fn as_str(&self) -> &str {
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for PayloadHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn fmt_u32(mut v: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || i == 0 {
            break;
        }
    }
    buf.get(i..)
        .and_then(|b| core::str::from_utf8(b).ok())
        .unwrap_or("0")
}

/// Feeds formatted text straight into SHA-256.
struct HashWriter(Sha256);

impl Write for HashWriter {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Feeds formatted text straight into an HMAC.
struct MacWriter<'m>(&'m mut HmacSha256);

impl Write for MacWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Verification (the local server's side): parse what a client sent, recompute the
// signature with the same canonical form as the signer, compare in constant time.

/// `<access key id>/<yyyymmdd>/<region>/<service>/aws4_request`: the `Credential=` of an
/// `Authorization` header or the `X-Amz-Credential` query parameter, split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialScope<'a> {
    /// The access key id the client signed with.
    pub access_key_id: &'a str,
    /// The scope date `yyyymmdd` (must be the day of the signature's timestamp).
    pub date: &'a str,
    /// The region the signature is scoped to.
    pub region: &'a str,
    /// The service the signature is scoped to.
    pub service: &'a str,
}

impl<'a> CredentialScope<'a> {
    /// Splits a credential value; `None` unless it has exactly five `/`-separated parts,
    /// a non-empty key id, an eight-digit date and the `aws4_request` terminator.
    pub fn parse(value: &'a str) -> Option<CredentialScope<'a>> {
        let mut parts = value.split('/');
        let access_key_id = parts.next()?;
        let date = parts.next()?;
        let region = parts.next()?;
        let service = parts.next()?;
        let terminator = parts.next()?;
        if parts.next().is_some()
            || access_key_id.is_empty()
            || region.is_empty()
            || service.is_empty()
            || terminator != "aws4_request"
            || date.len() != 8
            || !date.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(CredentialScope {
            access_key_id,
            date,
            region,
            service,
        })
    }

    /// The region and service as a [`Scope`].
    pub fn scope(&self) -> Scope<'a> {
        Scope {
            region: self.region,
            service: self.service,
        }
    }
}

/// An `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`
/// header, split into its three parts (borrowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthorizationHeader<'a> {
    /// `Credential=`.
    pub credential: CredentialScope<'a>,
    /// `SignedHeaders=`: lower-case names joined by `;`, as the client chose them.
    pub signed_headers: &'a str,
    /// `Signature=`: 64 lower-case hex digits.
    pub signature: &'a str,
}

/// Why an `Authorization` header could not even be read (the service answers these
/// with `IncompleteSignatureException`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizationError {
    /// Not `AWS4-HMAC-SHA256 …`.
    UnsupportedAlgorithm,
    /// A required part (`Credential`, `SignedHeaders`, `Signature`) is missing or empty.
    MissingPart(&'static str),
    /// The `Credential=` value is not `<id>/<date>/<region>/<service>/aws4_request`.
    MalformedCredential,
}

impl fmt::Display for AuthorizationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizationError::UnsupportedAlgorithm => {
                write!(f, "only the {ALGORITHM} algorithm is supported")
            }
            AuthorizationError::MissingPart(p) => {
                write!(f, "Authorization header requires '{p}' parameter")
            }
            AuthorizationError::MalformedCredential => f.write_str(
                "Credential must have the form <access key id>/<date>/<region>/<service>/aws4_request",
            ),
        }
    }
}

impl core::error::Error for AuthorizationError {}

impl<'a> AuthorizationHeader<'a> {
    /// Reads the header value. Parts may come in any order, separated by `,` with
    /// optional spaces, as SigV4 allows.
    pub fn parse(value: &'a str) -> Result<AuthorizationHeader<'a>, AuthorizationError> {
        let rest = value
            .trim()
            .strip_prefix(ALGORITHM)
            .filter(|r| r.starts_with(' '))
            .ok_or(AuthorizationError::UnsupportedAlgorithm)?;
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let Some((k, v)) = part.trim().split_once('=') else {
                continue;
            };
            let v = v.trim();
            match k.trim() {
                "Credential" => credential = Some(v),
                "SignedHeaders" => signed_headers = Some(v),
                "Signature" => signature = Some(v),
                _ => {}
            }
        }
        let credential = credential
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::MissingPart("Credential"))?;
        let signed_headers = signed_headers
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::MissingPart("SignedHeaders"))?;
        let signature = signature
            .filter(|v| !v.is_empty())
            .ok_or(AuthorizationError::MissingPart("Signature"))?;
        let credential =
            CredentialScope::parse(credential).ok_or(AuthorizationError::MalformedCredential)?;
        Ok(AuthorizationHeader {
            credential,
            signed_headers,
            signature,
        })
    }
}

/// Recomputes the signature of `req` at `time` in `scope` with `key` and compares it
/// with the client's `signature_hex` in constant time (no early exit on the first
/// differing digit, so response timing does not leak how much of a forged signature
/// was right).
///
/// `req` must be rebuilt from what arrived: method, decoded path, decoded query
/// parameters (for a presigned URL: all of them except `X-Amz-Signature`), exactly the
/// headers named by `SignedHeaders` with their received values, and the payload hash
/// (hex SHA-256 of the body, or [`EMPTY_PAYLOAD_SHA256`] for a presigned `GET`).
/// `key` must be derived for `time`'s day (the signer's rule). A request that cannot
/// be put in canonical form (bad header names, duplicates) is an error, not a match.
pub fn verify_signature(
    key: &SigningKey,
    time: UtcTime,
    scope: Scope<'_>,
    req: &CanonicalRequest<'_>,
    signature_hex: &str,
) -> Result<bool, Error> {
    use subtle::ConstantTimeEq;
    let expected = signature(key, time, scope, &req.sha256()?)?;
    let mut hex = [0u8; 64];
    hex_into(&expected, &mut hex);
    // Lengths are public (always 64 for a real signature); contents compared in
    // constant time.
    Ok(signature_hex.len() == hex.len() && bool::from(hex.ct_eq(signature_hex.as_bytes())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn fmt_u32_all_widths() {
        let mut b = [0u8; 10];
        for v in [0u32, 7, 10, 299, 604_800, u32::MAX] {
            let s = fmt_u32(v, &mut b);
            assert_eq!(s, std::format!("{v}"));
        }
    }

    #[test]
    fn long_secret_matches_concatenated_key() {
        // > 60 bytes of secret: the hashed-key path must equal HMAC over the full key.
        let secret = "x".repeat(100);
        let mut full = std::vec::Vec::from(&b"AWS4"[..]);
        full.extend_from_slice(secret.as_bytes());
        assert_eq!(hmac_first(&secret, b"20150830"), hmac(&full, b"20150830"));
        let short = "y".repeat(60);
        let mut full = std::vec::Vec::from(&b"AWS4"[..]);
        full.extend_from_slice(short.as_bytes());
        assert_eq!(hmac_first(&short, b"d"), hmac(&full, b"d"));
    }

    #[test]
    fn encoding_and_order() {
        let mut s = std::string::String::new();
        write_uri_encoded(&mut s, "a b/~é:", false).unwrap();
        assert_eq!(s, "a%20b%2F~%C3%A9%3A");
        assert!(encoded("a").cmp(encoded("B")) == Ordering::Greater);
    }
}
