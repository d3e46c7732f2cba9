//! Signed HTTPS `POST`s: the transport under [`super::control::ControlPlane`].
//!
//! Each request carries `host`, `content-type: application/json`, `x-amz-date`,
//! `user-agent`, `x-amz-security-token` with temporary credentials, and an
//! `Authorization` from [`crate::sign_kvs_post`] (which signs `content-type`, `host`,
//! `x-amz-date` and the token, as botocore does). The `Host` header is set explicitly to
//! the exact value signed. The answer's `Date` header is kept for skew correction, and
//! each round trip is timed for the latency metrics.

use std::format;
use std::string::{String, ToString};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use crate::sigv4::{RestRequest, Scope, SigningKey, sign_kvs_post};
use crate::time::UtcTime;

use super::credentials::OwnedCredentials;
use super::tls::TlsSetup;

/// The most bytes of a control-plane answer read (ICE server lists are the largest,
/// well under this).
pub const MAX_RESPONSE_LEN: u64 = 256 * 1024;

/// The `user-agent` sent (unsigned) with every call.
pub const USER_AGENT: &str = concat!("rtcam-signaling/", env!("CARGO_PKG_VERSION"));

/// One answer, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    /// HTTP status.
    pub status: u16,
    /// The body (at most [`MAX_RESPONSE_LEN`]).
    pub body: Vec<u8>,
    /// The parsed `Date` header: the service's clock.
    pub date: Option<UtcTime>,
    /// The `x-amzn-ErrorType` header.
    pub error_type: Option<String>,
    /// Request sent → body read.
    pub latency: Duration,
}

/// A transport failure (no HTTP answer at all, or a local refusal to sign).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// The URL is not `http(s)://host[:port][/path]`.
    BadUrl(String),
    /// The signer refused (e.g. a credential too long).
    Sign(crate::Error),
    /// Connect, TLS, read or write failed, or timed out.
    Transport(String),
}

impl core::fmt::Display for HttpError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            HttpError::BadUrl(u) => write!(f, "bad endpoint URL {u:?}"),
            HttpError::Sign(e) => write!(f, "cannot sign request: {e}"),
            HttpError::Transport(e) => write!(f, "HTTP transport: {e}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// The host (with `:port` unless it is the scheme's default) of an endpoint URL: what
/// is both sent as `Host` and signed.
pub fn host_of(url: &str) -> Result<(String, String), HttpError> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| HttpError::BadUrl(url.to_string()))?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" | "wss" => ":443",
        "http" | "ws" => ":80",
        _ => return Err(HttpError::BadUrl(url.to_string())),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return Err(HttpError::BadUrl(url.to_string()));
    }
    let host = authority.strip_suffix(default_port).unwrap_or(authority);
    Ok((scheme, host.to_string()))
}

/// A blocking HTTPS client that signs every `POST`.
#[derive(Debug)]
pub struct SignedHttp {
    agent: ureq::Agent,
    region: String,
    key: Option<SigningKey>,
    /// Added to the system clock when signing (learned from the service's `Date`).
    pub clock_offset_secs: i64,
}

impl SignedHttp {
    /// A client trusting `tls`, with `timeout` per request.
    pub fn new(tls: &TlsSetup, region: &str, timeout: Duration) -> SignedHttp {
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.ureq_tls_config())
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .user_agent(USER_AGENT)
            .build()
            .new_agent();
        SignedHttp {
            agent,
            region: region.to_string(),
            key: None,
            clock_offset_secs: 0,
        }
    }

    /// The region signatures are scoped to.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The signing time: the system clock corrected by [`SignedHttp::clock_offset_secs`].
    pub fn signing_time(&self) -> UtcTime {
        signing_time(super::clock::system_now(), self.clock_offset_secs)
    }

    /// Signs and sends `POST <base_url><path>` with a JSON `body`.
    pub fn post(
        &mut self,
        base_url: &str,
        path: &str,
        body: &[u8],
        creds: &OwnedCredentials,
    ) -> Result<RawResponse, HttpError> {
        let (_, host) = host_of(base_url)?;
        let url = format!("{}{path}", base_url.trim_end_matches('/'));
        let time = self.signing_time();
        let scope = Scope::kvs(&self.region);
        let c = creds.as_credentials();
        let key = SigningKey::refresh(&mut self.key, c.secret_access_key, time, scope);
        let mut authorization = String::new();
        let req = RestRequest {
            host: &host,
            path,
            body,
            content_type: Some("application/json"),
        };
        let amz = sign_kvs_post(&c, key, time, scope, &req, &mut authorization)
            .map_err(HttpError::Sign)?;
        let mut builder = self
            .agent
            .post(&url)
            .header("host", &host)
            .header("content-type", "application/json")
            .header("x-amz-date", amz.as_str())
            .header("authorization", &authorization);
        if let Some(t) = c.session_token {
            builder = builder.header("x-amz-security-token", t);
        }
        let start = Instant::now();
        let mut resp = builder
            .send(body)
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(ToString::to_string)
        };
        let date = header("date").and_then(|d| UtcTime::parse_http_date(&d));
        let error_type = header("x-amzn-errortype");
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_LEN)
            .read_to_vec()
            .map_err(|e| HttpError::Transport(e.to_string()))?;
        Ok(RawResponse {
            status,
            body,
            date,
            error_type,
            latency: start.elapsed(),
        })
    }
}

/// `now` shifted by `offset_secs`, as a [`UtcTime`] (clamped to the representable range).
pub fn signing_time(now: SystemTime, offset_secs: i64) -> UtcTime {
    let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let secs = if offset_secs >= 0 {
        secs.saturating_add(offset_secs.unsigned_abs())
    } else {
        secs.saturating_sub(offset_secs.unsigned_abs())
    };
    UtcTime::from_unix_seconds(secs.min(LAST_SECOND)).unwrap_or(EPOCH)
}

/// 9999-12-31T23:59:59Z, the last instant `X-Amz-Date` can show.
const LAST_SECOND: u64 = 253_402_300_799;

// Evaluated at compile time: the epoch is always representable.
#[allow(clippy::panic)]
const EPOCH: UtcTime = match UtcTime::from_unix_seconds(0) {
    Some(t) => t,
    None => panic!("epoch"),
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn hosts() {
        let h = |u: &str| host_of(u).map(|(_, h)| h);
        assert_eq!(
            h("https://kinesisvideo.us-west-2.amazonaws.com").unwrap(),
            "kinesisvideo.us-west-2.amazonaws.com"
        );
        assert_eq!(h("https://r-1.example:443/").unwrap(), "r-1.example");
        assert_eq!(h("https://127.0.0.1:8443").unwrap(), "127.0.0.1:8443");
        assert_eq!(h("http://127.0.0.1:80/x").unwrap(), "127.0.0.1");
        assert_eq!(h("wss://v-1.example/?a=b").unwrap(), "v-1.example");
        assert!(h("ftp://x").is_err());
        assert!(h("https://").is_err());
        assert!(h("no-scheme").is_err());
    }

    #[test]
    fn skewed_signing_time() {
        let now = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        assert_eq!(signing_time(now, 0).to_unix_seconds(), 1_440_938_160);
        assert_eq!(signing_time(now, -600).to_unix_seconds(), 1_440_937_560);
        assert_eq!(signing_time(now, 600).to_unix_seconds(), 1_440_938_760);
        assert_eq!(signing_time(UNIX_EPOCH, -5).to_unix_seconds(), 0);
    }
}
