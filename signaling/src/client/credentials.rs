//! Where the signing keys come from: the environment, the shared credentials file, or
//! the AWS IoT credentials provider (X.509 role alias), behind one
//! [`CredentialsProvider`] trait, and [`Cached`], which keeps temporary credentials and
//! refreshes them [`REFRESH_MARGIN`] before they expire (the C SDK's field failure:
//! signing with expired IoT credentials until a 403 says so).
//!
//! Environment lookups go through a caller-supplied function (`from_lookup`), so tests
//! never mutate the process environment.

use std::boxed::Box;
use std::fmt;
use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use crate::Credentials;
use crate::time::UtcTime;

use super::tls::{ClientIdentity, TlsError, TlsOptions, TlsSetup};

/// Temporary credentials are refreshed this long before their expiry.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(5 * 60);

/// Owned AWS credentials with their expiry: what a provider hands out. `Debug` never
/// shows the secret or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct OwnedCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
    /// When temporary credentials stop working; `None` for long-lived keys.
    pub expires_at: Option<SystemTime>,
}

impl fmt::Debug for OwnedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl OwnedCredentials {
    /// Long-lived credentials (no expiry).
    pub fn new(access_key_id: &str, secret_access_key: &str, session_token: Option<&str>) -> Self {
        OwnedCredentials {
            access_key_id: access_key_id.to_string(),
            secret_access_key: secret_access_key.to_string(),
            session_token: session_token.map(ToString::to_string),
            expires_at: None,
        }
    }

    /// The borrowed form the signer takes.
    pub fn as_credentials(&self) -> Credentials<'_> {
        Credentials {
            access_key_id: &self.access_key_id,
            secret_access_key: &self.secret_access_key,
            session_token: self.session_token.as_deref(),
        }
    }

    /// Whether these should be replaced at `now` (expired or within `margin` of it).
    pub fn needs_refresh(&self, now: SystemTime, margin: Duration) -> bool {
        self.expires_at
            .is_some_and(|exp| now.checked_add(margin).is_none_or(|t| t >= exp))
    }
}

/// A source of credentials. Called by the client before signing; implementations may
/// block (the IoT provider does an HTTPS round trip), so wrap them in [`Cached`].
pub trait CredentialsProvider: Send {
    /// Current credentials.
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError>;
}

impl<P: CredentialsProvider + ?Sized> CredentialsProvider for Box<P> {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        (**self).credentials()
    }
}

/// Fixed credentials (from the application's own configuration, or tests).
#[derive(Debug, Clone)]
pub struct StaticProvider(pub OwnedCredentials);

impl CredentialsProvider for StaticProvider {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        Ok(self.0.clone())
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN`, read at
/// each call (so a supervisor that rotates the environment of a re-exec is honoured).
pub struct EnvProvider {
    get: Box<Lookup>,
}

/// A variable lookup (the process environment, or a test's table).
type Lookup = dyn Fn(&str) -> Option<String> + Send;

impl fmt::Debug for EnvProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EnvProvider")
    }
}

impl EnvProvider {
    /// Reads the process environment.
    pub fn new() -> EnvProvider {
        EnvProvider::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads through `get` (tests).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String> + Send + 'static) -> EnvProvider {
        EnvProvider { get: Box::new(get) }
    }
}

impl Default for EnvProvider {
    fn default() -> Self {
        EnvProvider::new()
    }
}

impl CredentialsProvider for EnvProvider {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        let get = |k: &'static str| (self.get)(k).filter(|v| !v.is_empty());
        let id = get("AWS_ACCESS_KEY_ID").ok_or(CredentialsError::Missing("AWS_ACCESS_KEY_ID"))?;
        let secret = get("AWS_SECRET_ACCESS_KEY")
            .ok_or(CredentialsError::Missing("AWS_SECRET_ACCESS_KEY"))?;
        Ok(OwnedCredentials {
            access_key_id: id,
            secret_access_key: secret,
            session_token: get("AWS_SESSION_TOKEN"),
            expires_at: None,
        })
    }
}

/// The shared credentials file (`~/.aws/credentials`, or `AWS_SHARED_CREDENTIALS_FILE`),
/// profile `AWS_PROFILE` or `default`. Re-read at each call.
#[derive(Debug, Clone)]
pub struct ProfileFileProvider {
    /// The file.
    pub path: PathBuf,
    /// The profile (section) name.
    pub profile: String,
}

impl ProfileFileProvider {
    /// The file and profile the AWS CLI would use, from the process environment.
    pub fn new() -> Result<ProfileFileProvider, CredentialsError> {
        ProfileFileProvider::from_lookup(&|k| std::env::var(k).ok())
    }

    /// [`ProfileFileProvider::new`] over any variable lookup.
    pub fn from_lookup(
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<ProfileFileProvider, CredentialsError> {
        let path = match get("AWS_SHARED_CREDENTIALS_FILE").filter(|v| !v.is_empty()) {
            Some(p) => PathBuf::from(p),
            None => {
                let home = get("HOME")
                    .filter(|v| !v.is_empty())
                    .ok_or(CredentialsError::Missing("HOME"))?;
                Path::new(&home).join(".aws").join("credentials")
            }
        };
        let profile = get("AWS_PROFILE")
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| String::from("default"));
        Ok(ProfileFileProvider { path, profile })
    }
}

/// The largest shared credentials file read (real ones hold a few profiles).
const MAX_CREDENTIALS_FILE_LEN: u64 = 1024 * 1024;

impl CredentialsProvider for ProfileFileProvider {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        use std::io::Read;
        let io = |e: std::io::Error| CredentialsError::Io {
            what: self.path.display().to_string(),
            error: e.to_string(),
        };
        // Bounded: a credentials file is a few hundred bytes; a huge one is not read whole.
        let mut text = String::new();
        std::fs::File::open(&self.path)
            .map_err(io)?
            .take(MAX_CREDENTIALS_FILE_LEN + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_CREDENTIALS_FILE_LEN {
            return Err(io(std::io::Error::other("larger than 1 MiB")));
        }
        parse_credentials_file(&text, &self.profile)
    }
}

/// Reads one profile from the INI text of a shared credentials file. Sections are
/// `[name]` (or `[profile name]`, the config-file spelling); keys
/// `aws_access_key_id`, `aws_secret_access_key`, `aws_session_token` (or the legacy
/// `aws_security_token`); `#` and `;` start comment lines.
pub fn parse_credentials_file(
    text: &str,
    profile: &str,
) -> Result<OwnedCredentials, CredentialsError> {
    let mut in_profile = false;
    let mut found = false;
    let (mut id, mut secret, mut token) = (None, None, None);
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let name = section.trim();
            let name = name.strip_prefix("profile ").map_or(name, str::trim);
            in_profile = name == profile;
            found |= in_profile;
            continue;
        }
        if !in_profile {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim().to_string();
        match k.trim().to_ascii_lowercase().as_str() {
            "aws_access_key_id" => id = Some(v),
            "aws_secret_access_key" => secret = Some(v),
            "aws_session_token" => token = Some(v),
            "aws_security_token" => {
                token.get_or_insert(v);
            }
            _ => {}
        }
    }
    if !found {
        return Err(CredentialsError::NoProfile(profile.to_string()));
    }
    Ok(OwnedCredentials {
        access_key_id: id
            .filter(|v| !v.is_empty())
            .ok_or(CredentialsError::Missing("aws_access_key_id"))?,
        secret_access_key: secret
            .filter(|v| !v.is_empty())
            .ok_or(CredentialsError::Missing("aws_secret_access_key"))?,
        session_token: token.filter(|v| !v.is_empty()),
        expires_at: None,
    })
}

/// The AWS IoT credentials provider: mutual TLS with the device certificate,
/// `GET https://<endpoint>/role-aliases/<alias>/credentials` with header
/// `x-amzn-iot-thingname`, answered with temporary credentials and their expiry.
pub struct IotProvider {
    agent: ureq::Agent,
    url: String,
    thing_name: String,
}

impl fmt::Debug for IotProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IotProvider")
            .field("url", &self.url)
            .field("thing_name", &self.thing_name)
            .finish_non_exhaustive()
    }
}

/// What configures the IoT provider (the C SDK's `AWS_IOT_CORE_*` variables).
#[derive(Debug, Clone)]
pub struct IotConfig {
    /// `AWS_IOT_CORE_CREDENTIAL_ENDPOINT`: host (`xyz.credentials.iot.<region>.amazonaws.com`),
    /// or a full `https://host:port` base URL (tests, proxies).
    pub endpoint: String,
    /// `AWS_IOT_CORE_ROLE_ALIAS`.
    pub role_alias: String,
    /// `AWS_IOT_CORE_THING_NAME`.
    pub thing_name: String,
    /// `AWS_IOT_CORE_CERT` / `AWS_IOT_CORE_PRIVATE_KEY`, loaded.
    pub identity: ClientIdentity,
    /// Trust for the endpoint's certificate (system roots or `AWS_KVS_CACERT_PATH`).
    pub tls: TlsOptions,
    /// Whole-request timeout.
    pub timeout: Duration,
}

impl IotConfig {
    /// Reads the five `AWS_IOT_CORE_*` variables (and `AWS_KVS_CACERT_PATH`) through
    /// `get`; `Ok(None)` when `AWS_IOT_CORE_CREDENTIAL_ENDPOINT` is not set.
    pub fn from_lookup(
        get: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<IotConfig>, CredentialsError> {
        let var = |k: &'static str| get(k).filter(|v| !v.is_empty());
        let Some(endpoint) = var("AWS_IOT_CORE_CREDENTIAL_ENDPOINT") else {
            return Ok(None);
        };
        let need = |k: &'static str| var(k).ok_or(CredentialsError::Missing(k));
        let cert = need("AWS_IOT_CORE_CERT")?;
        let key = need("AWS_IOT_CORE_PRIVATE_KEY")?;
        let identity = ClientIdentity::from_pem_files(Path::new(&cert), Path::new(&key))?;
        Ok(Some(IotConfig {
            endpoint,
            role_alias: need("AWS_IOT_CORE_ROLE_ALIAS")?,
            thing_name: need("AWS_IOT_CORE_THING_NAME")?,
            identity,
            tls: TlsOptions::from_lookup(get),
            timeout: Duration::from_secs(10),
        }))
    }
}

impl IotProvider {
    /// Builds the mutual-TLS agent.
    pub fn new(config: IotConfig) -> Result<IotProvider, CredentialsError> {
        let tls = TlsSetup::new(&config.tls.clone().with_identity(config.identity.clone()))?;
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.ureq_tls_config())
            .http_status_as_error(false)
            .https_only(true)
            .timeout_global(Some(config.timeout))
            .max_redirects(0)
            .build()
            .new_agent();
        let base = if config.endpoint.contains("://") {
            config.endpoint.trim_end_matches('/').to_string()
        } else {
            format!("https://{}", config.endpoint)
        };
        Ok(IotProvider {
            agent,
            url: format!("{base}/role-aliases/{}/credentials", config.role_alias),
            thing_name: config.thing_name,
        })
    }
}

/// The most bytes of a credentials answer read.
const MAX_IOT_BODY: u64 = 64 * 1024;

impl CredentialsProvider for IotProvider {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        let mut resp = self
            .agent
            .get(&self.url)
            .header("x-amzn-iot-thingname", &self.thing_name)
            .header("accept", "application/json")
            .call()
            .map_err(|e| CredentialsError::Http(e.to_string()))?;
        let status = resp.status().as_u16();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_IOT_BODY)
            .read_to_vec()
            .map_err(|e| CredentialsError::Http(e.to_string()))?;
        if status != 200 {
            let text = String::from_utf8_lossy(&body);
            return Err(CredentialsError::Refused {
                status,
                message: text.chars().take(300).collect(),
            });
        }
        parse_iot_response(&body)
    }
}

/// Reads `{"credentials":{"accessKeyId","secretAccessKey","sessionToken","expiration"}}`.
pub fn parse_iot_response(body: &[u8]) -> Result<OwnedCredentials, CredentialsError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| CredentialsError::Parse(e.to_string()))?;
    let c = v
        .get("credentials")
        .ok_or(CredentialsError::Missing("credentials"))?;
    let field = |k: &'static str| {
        c.get(k)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or(CredentialsError::Missing(k))
    };
    let exp = field("expiration")?;
    let exp_unix = parse_iso8601(exp)
        .ok_or_else(|| CredentialsError::Parse(format!("expiration {exp:?} is not ISO 8601")))?;
    Ok(OwnedCredentials {
        access_key_id: field("accessKeyId")?.to_string(),
        secret_access_key: field("secretAccessKey")?.to_string(),
        session_token: Some(field("sessionToken")?.to_string()),
        expires_at: Some(UNIX_EPOCH + Duration::from_secs(exp_unix)),
    })
}

/// `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` → Unix seconds (fractions dropped).
pub fn parse_iso8601(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    let num = |r: core::ops::Range<usize>| -> Option<u16> {
        let d = b.get(r)?;
        if d.is_empty() || !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        core::str::from_utf8(d).ok()?.parse().ok()
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b't') || sep(10, b' ')))
        || !(sep(13, b':') && sep(16, b':'))
    {
        return None;
    }
    let small = |r: core::ops::Range<usize>| num(r).and_then(|v| u8::try_from(v).ok());
    let t = UtcTime::new(
        num(0..4)?,
        small(5..7)?,
        small(8..10)?,
        small(11..13)?,
        small(14..16)?,
        small(17..19)?,
    )?;
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let base = t.to_unix_seconds();
    match rest {
        "Z" | "z" => Some(base),
        _ => {
            let (sign, off) = match rest.as_bytes().first()? {
                b'+' => (1i64, rest.get(1..)?),
                b'-' => (-1i64, rest.get(1..)?),
                _ => return None,
            };
            let (h, m) = off.split_once(':')?;
            if h.len() != 2 || m.len() != 2 {
                return None;
            }
            let secs =
                i64::from(h.parse::<u8>().ok()?) * 3600 + i64::from(m.parse::<u8>().ok()?) * 60;
            // Local time = UTC + offset, so UTC = local - offset.
            u64::try_from(i64::try_from(base).ok()? - sign * secs).ok()
        }
    }
}

/// The provider chain the C SDK samples use: the IoT provider when
/// `AWS_IOT_CORE_CREDENTIAL_ENDPOINT` is set, else the environment when
/// `AWS_ACCESS_KEY_ID` is set, else the shared credentials file; wrapped in [`Cached`].
pub fn default_provider() -> Result<Cached<Box<dyn CredentialsProvider>>, CredentialsError> {
    provider_from_lookup(&|k| std::env::var(k).ok())
}

/// [`default_provider`] over any variable lookup.
pub fn provider_from_lookup(
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<Cached<Box<dyn CredentialsProvider>>, CredentialsError> {
    let inner: Box<dyn CredentialsProvider> = if let Some(iot) = IotConfig::from_lookup(get)? {
        Box::new(IotProvider::new(iot)?)
    } else if get("AWS_ACCESS_KEY_ID").is_some_and(|v| !v.is_empty()) {
        let snapshot: Vec<(&'static str, String)> = [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
        ]
        .into_iter()
        .filter_map(|k| get(k).map(|v| (k, v)))
        .collect();
        Box::new(EnvProvider::from_lookup(move |k| {
            snapshot
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.clone())
        }))
    } else {
        Box::new(ProfileFileProvider::from_lookup(get)?)
    };
    Ok(Cached::new(inner))
}

/// Keeps the last credentials and asks the inner provider again only when they are
/// within [`REFRESH_MARGIN`] of expiry (never for long-lived ones, except on
/// [`Cached::invalidate`]). A failed refresh keeps serving still-valid credentials.
#[derive(Debug)]
pub struct Cached<P> {
    inner: P,
    current: Option<OwnedCredentials>,
    margin: Duration,
    fetches: u64,
}

impl<P: CredentialsProvider> Cached<P> {
    /// Wraps `inner` with the default margin.
    pub fn new(inner: P) -> Cached<P> {
        Cached {
            inner,
            current: None,
            margin: REFRESH_MARGIN,
            fetches: 0,
        }
    }

    /// Changes the refresh margin.
    pub fn with_margin(mut self, margin: Duration) -> Cached<P> {
        self.margin = margin;
        self
    }

    /// Credentials valid at `now`, fetched only when needed.
    pub fn get_at(&mut self, now: SystemTime) -> Result<&OwnedCredentials, CredentialsError> {
        let stale = self
            .current
            .as_ref()
            .is_none_or(|c| c.needs_refresh(now, self.margin));
        if stale {
            self.fetches += 1;
            match self.inner.credentials() {
                Ok(c) => self.current = Some(c),
                Err(e) => {
                    let still_valid = self
                        .current
                        .as_ref()
                        .is_some_and(|c| !c.needs_refresh(now, Duration::ZERO));
                    if !still_valid {
                        self.current = None;
                        return Err(e);
                    }
                    log::warn!("credentials refresh failed, keeping the current ones: {e}");
                }
            }
        }
        self.current
            .as_ref()
            .ok_or(CredentialsError::Missing("credentials"))
    }

    /// Forgets the cached credentials (after the service refused them).
    pub fn invalidate(&mut self) {
        self.current = None;
    }

    /// How many times the inner provider was asked.
    pub fn fetches(&self) -> u64 {
        self.fetches
    }
}

impl<P: CredentialsProvider> CredentialsProvider for Cached<P> {
    fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
        self.get_at(super::clock::system_now()).cloned()
    }
}

/// Why no credentials could be had.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsError {
    /// A required variable, key or field is absent (its name).
    Missing(&'static str),
    /// The credentials file has no such profile.
    NoProfile(String),
    /// A file could not be read.
    Io {
        /// Which file.
        what: String,
        /// The OS error.
        error: String,
    },
    /// TLS setup for the IoT endpoint failed (certificate or key files).
    Tls(TlsError),
    /// The IoT endpoint could not be reached.
    Http(String),
    /// The IoT endpoint answered with an error status (bad certificate, unknown alias).
    Refused {
        /// HTTP status.
        status: u16,
        /// The start of its body.
        message: String,
    },
    /// The answer was not the expected JSON.
    Parse(String),
}

impl From<TlsError> for CredentialsError {
    fn from(e: TlsError) -> Self {
        CredentialsError::Tls(e)
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::Missing(k) => write!(f, "credentials: `{k}` is not set"),
            CredentialsError::NoProfile(p) => {
                write!(f, "credentials file has no profile [{p}]")
            }
            CredentialsError::Io { what, error } => write!(f, "cannot read {what}: {error}"),
            CredentialsError::Tls(e) => write!(f, "IoT credentials TLS setup: {e}"),
            CredentialsError::Http(e) => write!(f, "IoT credentials endpoint unreachable: {e}"),
            CredentialsError::Refused { status, message } => {
                write!(f, "IoT credentials endpoint refused ({status}): {message}")
            }
            CredentialsError::Parse(e) => write!(f, "IoT credentials answer malformed: {e}"),
        }
    }
}

impl std::error::Error for CredentialsError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    const FILE: &str = "\
# comment
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key=secret/default+x=
; another comment

[profile cam]
AWS_ACCESS_KEY_ID = ASIACAM
aws_secret_access_key = camsecret
aws_security_token = legacy
aws_session_token = tok==

[empty]
";

    #[test]
    fn credentials_file_profiles() {
        let d = parse_credentials_file(FILE, "default").unwrap();
        assert_eq!(d.access_key_id, "AKIDDEFAULT");
        assert_eq!(d.secret_access_key, "secret/default+x=");
        assert_eq!(d.session_token, None);
        let c = parse_credentials_file(FILE, "cam").unwrap();
        assert_eq!(c.access_key_id, "ASIACAM");
        assert_eq!(c.session_token.as_deref(), Some("tok=="));
        assert_eq!(
            parse_credentials_file(FILE, "nope"),
            Err(CredentialsError::NoProfile("nope".into()))
        );
        assert_eq!(
            parse_credentials_file(FILE, "empty"),
            Err(CredentialsError::Missing("aws_access_key_id"))
        );
        assert!(!format!("{c:?}").contains("camsecret"));
    }

    #[test]
    fn file_provider_paths_from_env() {
        let p = ProfileFileProvider::from_lookup(&|k| match k {
            "HOME" => Some("/home/cam".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(p.path, PathBuf::from("/home/cam/.aws/credentials"));
        assert_eq!(p.profile, "default");
        let p = ProfileFileProvider::from_lookup(&|k| match k {
            "AWS_SHARED_CREDENTIALS_FILE" => Some("/etc/cam/creds".into()),
            "AWS_PROFILE" => Some("cam".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(p.path, PathBuf::from("/etc/cam/creds"));
        assert_eq!(p.profile, "cam");
    }

    #[test]
    fn env_provider() {
        let mut p = EnvProvider::from_lookup(|k| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKID".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("s".into()),
            "AWS_SESSION_TOKEN" => Some(String::new()),
            _ => None,
        });
        let c = p.credentials().unwrap();
        assert_eq!((c.access_key_id.as_str(), c.session_token), ("AKID", None));
        let mut p = EnvProvider::from_lookup(|_| None);
        assert_eq!(
            p.credentials(),
            Err(CredentialsError::Missing("AWS_ACCESS_KEY_ID"))
        );
    }

    #[test]
    fn iso8601() {
        assert_eq!(parse_iso8601("2015-08-30T12:36:00Z"), Some(1_440_938_160));
        assert_eq!(
            parse_iso8601("2015-08-30T12:36:00.123Z"),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T14:36:00+02:00"),
            Some(1_440_938_160)
        );
        assert_eq!(
            parse_iso8601("2015-08-30T10:36:00-02:00"),
            Some(1_440_938_160)
        );
        for bad in [
            "",
            "2015-08-30",
            "2015-08-30T12:36:00",
            "2015-13-30T12:36:00Z",
            "2015-08-30T12:36:00.Z",
        ] {
            assert_eq!(parse_iso8601(bad), None, "{bad}");
        }
    }

    #[test]
    fn iot_response() {
        let body = br#"{"credentials":{"accessKeyId":"ASIAIOT","secretAccessKey":"s\/x","sessionToken":"t","expiration":"2030-01-01T00:00:00Z"}}"#;
        let c = parse_iot_response(body).unwrap();
        assert_eq!(c.secret_access_key, "s/x");
        assert_eq!(
            c.expires_at,
            Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
        );
        assert!(matches!(
            parse_iot_response(br#"{"credentials":{"accessKeyId":"a"}}"#),
            Err(CredentialsError::Missing(_))
        ));
        assert!(matches!(
            parse_iot_response(b"<html>"),
            Err(CredentialsError::Parse(_))
        ));
    }

    struct Counting {
        n: u32,
        ttl: Duration,
        base: SystemTime,
        fail: bool,
    }

    impl CredentialsProvider for Counting {
        fn credentials(&mut self) -> Result<OwnedCredentials, CredentialsError> {
            if self.fail {
                return Err(CredentialsError::Http("down".into()));
            }
            self.n += 1;
            let mut c = OwnedCredentials::new(&format!("K{}", self.n), "s", Some("t"));
            c.expires_at = Some(self.base + self.ttl * self.n);
            Ok(c)
        }
    }

    #[test]
    fn cached_refreshes_before_expiry() {
        let base = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let hour = Duration::from_secs(3600);
        let mut c = Cached::new(Counting {
            n: 0,
            ttl: hour,
            base,
            fail: false,
        });
        // Expires at base + 1 h: reused until 5 minutes before.
        assert_eq!(c.get_at(base).unwrap().access_key_id, "K1");
        assert_eq!(
            c.get_at(base + Duration::from_secs(3290))
                .unwrap()
                .access_key_id,
            "K1"
        );
        assert_eq!(
            c.get_at(base + Duration::from_secs(3310))
                .unwrap()
                .access_key_id,
            "K2"
        );
        assert_eq!(c.fetches(), 2);
        // A failing refresh keeps still-valid credentials, then errors once expired.
        c.inner.fail = true;
        let near = base + 2 * hour - Duration::from_secs(60);
        assert_eq!(c.get_at(near).unwrap().access_key_id, "K2");
        assert!(c.get_at(base + 2 * hour).is_err());
    }

    #[test]
    fn chain_picks_env_then_file() {
        let p = provider_from_lookup(&|k| match k {
            "AWS_ACCESS_KEY_ID" => Some("AKIDENV".into()),
            "AWS_SECRET_ACCESS_KEY" => Some("s".into()),
            _ => None,
        });
        let mut p = p.unwrap();
        assert_eq!(p.credentials().unwrap().access_key_id, "AKIDENV");
        let dir = std::env::temp_dir().join(format!("rtcam-creds-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("credentials");
        std::fs::write(&f, FILE).unwrap();
        let fs = f.to_string_lossy().into_owned();
        let mut p = provider_from_lookup(&|k| match k {
            "AWS_SHARED_CREDENTIALS_FILE" => Some(fs.clone()),
            "AWS_PROFILE" => Some("cam".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(p.credentials().unwrap().access_key_id, "ASIACAM");
        std::fs::remove_dir_all(&dir).unwrap();
        // IoT configured but files missing: a clear error naming the file.
        let Err(e) = provider_from_lookup(&|k| match k {
            "AWS_IOT_CORE_CREDENTIAL_ENDPOINT" => Some("x.credentials.iot".into()),
            "AWS_IOT_CORE_CERT" => Some("/nonexistent/cert.pem".into()),
            "AWS_IOT_CORE_PRIVATE_KEY" => Some("/nonexistent/key.pem".into()),
            _ => None,
        }) else {
            panic!("IoT without files must fail")
        };
        assert!(e.to_string().contains("/nonexistent/cert.pem"), "{e}");
    }
}
