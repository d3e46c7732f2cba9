//! TLS for every connection the client opens (control plane, ICE config, WSS, the IoT
//! credentials endpoint): one set of trust roots and an optional client identity,
//! turned into a rustls [`ClientConfig`] (for tungstenite) and a `ureq` TLS config (for
//! HTTPS) that trust exactly the same certificates.
//!
//! Roots come from the system store (`rustls-native-certs`) or, when set,
//! `AWS_KVS_CACERT_PATH` (a PEM bundle, as the C SDK reads it), plus explicitly added
//! extra roots — how tests trust the local server's generated certificate. There is no
//! way to turn verification off. The crypto provider is `ring` (no aws-lc-rs: the client
//! must cross-build for mipsel Linux).

use std::fmt;
use std::format;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::sync::Arc;
use std::vec::Vec;

use rustls::ClientConfig;
use rustls::RootCertStore;
use rustls::crypto::CryptoProvider;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// The environment variable naming a PEM bundle of trusted roots (the C SDK's name).
pub const ENV_CACERT_PATH: &str = "AWS_KVS_CACERT_PATH";

/// Where the trusted roots come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootSource {
    /// The operating system's store (`rustls-native-certs`).
    System,
    /// A PEM bundle (what `AWS_KVS_CACERT_PATH` names).
    PemFile(PathBuf),
    /// Only [`TlsOptions::extra_roots`]: a closed test setup trusting one local server.
    ExtraOnly,
}

/// A client certificate chain and its key: the device identity the AWS IoT credentials
/// endpoint authenticates with mutual TLS.
#[derive(Clone)]
pub struct ClientIdentity {
    /// Leaf first, then intermediates.
    pub chain: Vec<CertificateDer<'static>>,
    /// The leaf's private key (PKCS#8, PKCS#1 or SEC1).
    pub key: Arc<PrivateKeyDer<'static>>,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity")
            .field("chain_len", &self.chain.len())
            .field("key", &"<redacted>")
            .finish()
    }
}

impl ClientIdentity {
    /// Reads a PEM certificate chain and a PEM private key (the files
    /// `AWS_IOT_CORE_CERT` / `AWS_IOT_CORE_PRIVATE_KEY` name).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<ClientIdentity, TlsError> {
        let cert_pem = read(cert)?;
        let key_pem = read(key)?;
        ClientIdentity::from_pem(&cert_pem, &key_pem).map_err(|e| match e {
            TlsError::Pem { what, .. } => TlsError::Pem {
                what,
                source: format!("{} / {}", cert.display(), key.display()),
            },
            other => other,
        })
    }

    /// Parses a PEM certificate chain and a PEM private key held in memory.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<ClientIdentity, TlsError> {
        let chain = certs_from_pem(cert_pem, "client certificate")?;
        let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| TlsError::Pem {
            what: "private key",
            source: e.to_string(),
        })?;
        Ok(ClientIdentity {
            chain,
            key: Arc::new(key),
        })
    }
}

/// What to trust and who to be.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// The base root set.
    pub roots: RootSource,
    /// Roots trusted in addition (DER), e.g. the local server's self-signed certificate.
    pub extra_roots: Vec<CertificateDer<'static>>,
    /// A client certificate to present (mutual TLS), if any.
    pub identity: Option<ClientIdentity>,
}

impl Default for TlsOptions {
    fn default() -> Self {
        TlsOptions {
            roots: RootSource::System,
            extra_roots: Vec::new(),
            identity: None,
        }
    }
}

impl TlsOptions {
    /// System roots, or the PEM bundle `AWS_KVS_CACERT_PATH` names when it is set.
    pub fn from_env() -> TlsOptions {
        TlsOptions::from_lookup(&|k| std::env::var(k).ok())
    }

    /// [`TlsOptions::from_env`] over any variable lookup (tests).
    pub fn from_lookup(get: &dyn Fn(&str) -> Option<String>) -> TlsOptions {
        let roots = match get(ENV_CACERT_PATH).filter(|p| !p.is_empty()) {
            Some(p) => RootSource::PemFile(PathBuf::from(p)),
            None => RootSource::System,
        };
        TlsOptions {
            roots,
            ..TlsOptions::default()
        }
    }

    /// Adds every certificate of a PEM text to the extra roots.
    pub fn with_extra_roots_pem(mut self, pem: &[u8]) -> Result<TlsOptions, TlsError> {
        self.extra_roots
            .extend(certs_from_pem(pem, "extra root certificate")?);
        Ok(self)
    }

    /// Sets the client identity.
    pub fn with_identity(mut self, identity: ClientIdentity) -> TlsOptions {
        self.identity = Some(identity);
        self
    }
}

/// Loaded roots and identity, and the two TLS configs built from them.
#[derive(Clone)]
pub struct TlsSetup {
    roots: Arc<Vec<CertificateDer<'static>>>,
    identity: Option<ClientIdentity>,
    ureq: ureq::tls::TlsConfig,
    rustls: Arc<ClientConfig>,
}

impl fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSetup")
            .field("roots", &self.roots.len())
            .field("identity", &self.identity)
            .finish_non_exhaustive()
    }
}

impl TlsSetup {
    /// Loads the roots and builds the configs. Fails when no usable root remains (an
    /// empty trust store would fail every handshake later with a vaguer error).
    pub fn new(opts: &TlsOptions) -> Result<TlsSetup, TlsError> {
        let mut roots: Vec<CertificateDer<'static>> = match &opts.roots {
            RootSource::System => {
                let res = rustls_native_certs::load_native_certs();
                for e in &res.errors {
                    log::warn!("system root store: {e}");
                }
                res.certs
            }
            RootSource::PemFile(path) => {
                let pem = read(path)?;
                certs_from_pem(&pem, "CA bundle").map_err(|e| match e {
                    TlsError::Pem { what, source } => TlsError::Pem {
                        what,
                        source: format!("{}: {source}", path.display()),
                    },
                    other => other,
                })?
            }
            RootSource::ExtraOnly => Vec::new(),
        };
        roots.extend(opts.extra_roots.iter().cloned());
        let mut store = RootCertStore::empty();
        let (added, ignored) = store.add_parsable_certificates(roots.iter().cloned());
        if ignored > 0 {
            log::warn!("{ignored} root certificates could not be parsed and are ignored");
        }
        if added == 0 {
            return Err(TlsError::NoRoots);
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_root_certificates(store);
        let config = match &opts.identity {
            Some(id) => builder
                .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
                .map_err(|e| TlsError::Config(e.to_string()))?,
            None => builder.with_no_client_auth(),
        };
        let ureq = build_ureq(&roots, opts.identity.as_ref(), provider)?;
        Ok(TlsSetup {
            roots: Arc::new(roots),
            identity: opts.identity.clone(),
            ureq,
            rustls: Arc::new(config),
        })
    }

    /// The rustls client config (WSS through tungstenite's `Connector::Rustls`).
    pub fn rustls_config(&self) -> Arc<ClientConfig> {
        self.rustls.clone()
    }

    /// How many roots are trusted.
    pub fn root_count(&self) -> usize {
        self.roots.len()
    }

    /// The same trust (and identity) as a `ureq` TLS config, with the ring provider.
    pub fn ureq_tls_config(&self) -> ureq::tls::TlsConfig {
        self.ureq.clone()
    }
}

fn build_ureq(
    roots: &[CertificateDer<'static>],
    identity: Option<&ClientIdentity>,
    provider: Arc<CryptoProvider>,
) -> Result<ureq::tls::TlsConfig, TlsError> {
    use ureq::tls::{Certificate, ClientCert, PrivateKey, RootCerts, TlsConfig};
    let roots: Vec<Certificate<'static>> = roots
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()).to_owned())
        .collect();
    let client_cert = identity.map(|id| {
        let chain: Vec<Certificate<'static>> = id
            .chain
            .iter()
            .map(|c| Certificate::from_der(c.as_ref()).to_owned())
            .collect();
        // ureq takes keys as PEM (its key-kind type is not public): re-wrap the DER.
        let (label, der) = match id.key.as_ref() {
            PrivateKeyDer::Pkcs1(k) => ("RSA PRIVATE KEY", k.secret_pkcs1_der()),
            PrivateKeyDer::Sec1(k) => ("EC PRIVATE KEY", k.secret_sec1_der()),
            _ => ("PRIVATE KEY", id.key.secret_der()),
        };
        let pem = to_pem(label, der);
        let key = PrivateKey::from_pem(&pem).map_err(|e| TlsError::Config(e.to_string()))?;
        Ok::<_, TlsError>(ClientCert::new_with_certs(&chain, key))
    });
    let client_cert = client_cert.transpose()?;
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::new_with_certs(&roots))
        .client_cert(client_cert)
        .unversioned_rustls_crypto_provider(provider)
        .build())
}

/// PEM armour around DER (64-column base64).
fn to_pem(label: &str, der: &[u8]) -> Vec<u8> {
    use base64::Engine;
    let mut b64 = std::vec![0u8; der.len().div_ceil(3) * 4];
    let n = base64::engine::general_purpose::STANDARD
        .encode_slice(der, &mut b64)
        .unwrap_or(0);
    let mut out = format!("-----BEGIN {label}-----\n").into_bytes();
    for line in b64.get(..n).unwrap_or(&[]).chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(format!("-----END {label}-----\n").as_bytes());
    out
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    })
}

/// Every certificate of a PEM text; at least one.
fn certs_from_pem(
    pem: &[u8],
    what: &'static str,
) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::Pem {
            what,
            source: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(TlsError::Pem {
            what,
            source: String::from("no CERTIFICATE block"),
        });
    }
    Ok(certs)
}

/// Why TLS could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// A file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error text.
        error: String,
    },
    /// PEM text without the expected blocks, or malformed.
    Pem {
        /// What was being read (`CA bundle`, `private key`, ...).
        what: &'static str,
        /// Where and why.
        source: String,
    },
    /// No trusted root at all: every handshake would fail.
    NoRoots,
    /// rustls refused the configuration (e.g. key does not match the certificate).
    Config(String),
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::Io { path, error } => write!(f, "cannot read {}: {error}", path.display()),
            TlsError::Pem { what, source } => write!(f, "bad PEM {what}: {source}"),
            TlsError::NoRoots => f.write_str(
                "no trusted root certificates (system store empty and no AWS_KVS_CACERT_PATH)",
            ),
            TlsError::Config(e) => write!(f, "TLS configuration refused: {e}"),
        }
    }
}

impl std::error::Error for TlsError {}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::vec;

    fn self_signed() -> (String, String) {
        let ck = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
        (ck.cert.pem(), ck.signing_key.serialize_pem())
    }

    #[test]
    fn pem_bundle_from_env_path() {
        let dir = std::env::temp_dir().join(format!("rtcam-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, _) = self_signed();
        let (b, _) = self_signed();
        let path = dir.join("bundle.pem");
        std::fs::write(&path, format!("{a}\n# comment\n{b}")).unwrap();
        let p = path.to_string_lossy().into_owned();
        let opts = TlsOptions::from_lookup(&|k| (k == ENV_CACERT_PATH).then(|| p.clone()));
        assert_eq!(opts.roots, RootSource::PemFile(path.clone()));
        let setup = TlsSetup::new(&opts).unwrap();
        assert_eq!(setup.root_count(), 2);
        let _ = setup.ureq_tls_config();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn missing_and_empty_files_are_clear_errors() {
        let opts = TlsOptions {
            roots: RootSource::PemFile("/nonexistent/rtcam.pem".into()),
            ..TlsOptions::default()
        };
        let e = TlsSetup::new(&opts).unwrap_err();
        assert!(e.to_string().contains("/nonexistent/rtcam.pem"), "{e}");
        let opts = TlsOptions {
            roots: RootSource::ExtraOnly,
            ..TlsOptions::default()
        };
        assert_eq!(TlsSetup::new(&opts).unwrap_err(), TlsError::NoRoots);
        assert!(matches!(
            TlsOptions::default().with_extra_roots_pem(b"not pem"),
            Err(TlsError::Pem { .. })
        ));
    }

    #[test]
    fn identity_must_match_and_parse() {
        let (cert, key) = self_signed();
        let id = ClientIdentity::from_pem(cert.as_bytes(), key.as_bytes()).unwrap();
        assert!(!format!("{id:?}").contains("BEGIN"));
        let opts = TlsOptions {
            roots: RootSource::ExtraOnly,
            ..TlsOptions::default()
        }
        .with_extra_roots_pem(cert.as_bytes())
        .unwrap()
        .with_identity(id);
        let setup = TlsSetup::new(&opts).unwrap();
        let _ = setup.ureq_tls_config();
        assert!(ClientIdentity::from_pem(cert.as_bytes(), b"junk").is_err());
    }

    #[test]
    fn system_roots_load_when_present() {
        // Debian ships ca-certificates; where the store is empty this reports NoRoots,
        // never a silently empty config.
        match TlsSetup::new(&TlsOptions::default()) {
            Ok(s) => assert!(s.root_count() > 0),
            Err(e) => assert_eq!(e, TlsError::NoRoots),
        }
    }
}
