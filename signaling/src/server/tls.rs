//! The HTTPS/WSS identity: a self-signed certificate generated at start for
//! `localhost`, `127.0.0.1` and `::1` (rcgen, ring), served by rustls with the ring
//! provider. Clients trust it explicitly (its PEM is on the handle).

use std::string::{String, ToString};
use std::sync::Arc;
use std::vec;
use std::vec::Vec;

use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::TlsAcceptor;

use super::ServerError;

pub(crate) struct Tls {
    pub(crate) acceptor: TlsAcceptor,
    pub(crate) cert_pem: String,
    pub(crate) cert_der: Vec<u8>,
}

pub(crate) fn generate() -> Result<Tls, ServerError> {
    let names = vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ];
    let ck = rcgen::generate_simple_self_signed(names)
        .map_err(|e| ServerError::Tls(std::format!("certificate: {e}")))?;
    let cert_der = ck.cert.der().to_vec();
    let cert_pem = ck.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(ck.signing_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(std::format!("{e}")))?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(cert_der.clone())], key)
        .map_err(|e| ServerError::Tls(std::format!("{e}")))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Tls {
        acceptor: TlsAcceptor::from(Arc::new(cfg)),
        cert_pem,
        cert_der,
    })
}
