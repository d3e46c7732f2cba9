//! A throw-away certificate authority for the test server, and a blocking TLS client
//! stream (rustls 0.23 with the ring provider) that trusts only that CA.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};

use super::IO_TIMEOUT;

/// A CA made fresh for one test (ECDSA P-256), able to issue server certificates.
pub(crate) struct TestCa {
    name: String,
    cert: rcgen::Certificate,
    issuer: Issuer<'static, KeyPair>,
}

/// A server certificate and its private key, PEM-encoded (what coturn's `--cert`/`--pkey`
/// read).
pub(crate) struct ServerCert {
    /// The certificate alone (the client has the CA).
    pub(crate) cert_pem: String,
    /// The certificate in DER.
    pub(crate) cert_der: CertificateDer<'static>,
    /// Its private key (PKCS#8).
    pub(crate) key_pem: String,
}

impl TestCa {
    /// A new self-signed CA whose subject CN is `name`.
    pub(crate) fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).unwrap();
        TestCa {
            name: name.to_owned(),
            cert,
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate in DER, for a client's root store.
    pub(crate) fn cert_der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// The CA certificate in PEM (e.g. for `turnutils_uclient -E`).
    pub(crate) fn cert_pem(&self) -> String {
        self.cert.pem()
    }

    /// A server (end-entity, serverAuth) certificate with IP subject alternative names
    /// `ips`, signed by this CA.
    pub(crate) fn issue_server_cert(&self, ips: &[IpAddr]) -> ServerCert {
        let key = KeyPair::generate().unwrap();
        let sans: Vec<String> = ips.iter().map(ToString::to_string).collect();
        let mut params = CertificateParams::new(sans).unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, format!("{} server", self.name));
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        ServerCert {
            cert_pem: cert.pem(),
            cert_der: cert.der().clone(),
            key_pem: key.serialize_pem(),
        }
    }

    /// A rustls client configuration (ring provider, TLS 1.2 and 1.3) whose only root is
    /// this CA. No client certificate.
    pub(crate) fn client_config(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        roots.add(self.cert_der()).unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        Arc::new(
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .unwrap()
                .with_root_certificates(roots)
                .with_no_client_auth(),
        )
    }
}

/// A blocking TLS client connection over TCP. Reads and writes time out
/// ([`IO_TIMEOUT`] unless changed with [`TlsStream::set_read_timeout`]).
pub(crate) struct TlsStream {
    inner: StreamOwned<ClientConnection, TcpStream>,
}

impl TlsStream {
    /// Connects to `addr` and completes the handshake, verifying the server certificate
    /// through `config`'s roots for the server name = `addr`'s IP address.
    pub(crate) fn connect(addr: SocketAddr, config: Arc<ClientConfig>) -> io::Result<TlsStream> {
        TlsStream::connect_as(addr, config, ServerName::from(addr.ip()))
    }

    /// Like [`TlsStream::connect`], verifying the certificate for `name` instead.
    /// A TLS failure is an `io::Error` whose inner error is a [`rustls::Error`]
    /// (see [`tls_error`]).
    pub(crate) fn connect_as(
        addr: SocketAddr,
        config: Arc<ClientConfig>,
        name: ServerName<'static>,
    ) -> io::Result<TlsStream> {
        assert!(addr.ip().is_loopback(), "TLS to {addr}: loopback only");
        let mut tcp = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        tcp.set_read_timeout(Some(IO_TIMEOUT))?;
        tcp.set_write_timeout(Some(IO_TIMEOUT))?;
        tcp.set_nodelay(true)?;
        let mut conn = ClientConnection::new(config, name).map_err(io::Error::other)?;
        while conn.is_handshaking() {
            let (read, written) = conn.complete_io(&mut tcp)?;
            if read == 0 && written == 0 && conn.is_handshaking() {
                return Err(io::Error::new(
                    ErrorKind::UnexpectedEof,
                    "server closed the connection during the TLS handshake",
                ));
            }
        }
        Ok(TlsStream {
            inner: StreamOwned::new(conn, tcp),
        })
    }

    /// Sets the read timeout of the underlying TCP socket (`None`: block for ever — avoid).
    pub(crate) fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.inner.sock.set_read_timeout(timeout)
    }

    /// Our end of the TCP connection.
    pub(crate) fn local_addr(&self) -> SocketAddr {
        self.inner.sock.local_addr().unwrap()
    }

    /// The server's end of the TCP connection.
    pub(crate) fn peer_addr(&self) -> SocketAddr {
        self.inner.sock.peer_addr().unwrap()
    }

    /// The negotiated TLS version.
    pub(crate) fn protocol_version(&self) -> Option<rustls::ProtocolVersion> {
        self.inner.conn.protocol_version()
    }

    /// The negotiated cipher suite.
    pub(crate) fn cipher_suite(&self) -> Option<rustls::SupportedCipherSuite> {
        self.inner.conn.negotiated_cipher_suite()
    }

    /// The certificate chain the server presented (end-entity first).
    pub(crate) fn peer_certificates(&self) -> Vec<CertificateDer<'static>> {
        self.inner
            .conn
            .peer_certificates()
            .map(|c| c.iter().map(|c| c.clone().into_owned()).collect())
            .unwrap_or_default()
    }

    /// Sends close_notify and shuts the TCP connection down.
    pub(crate) fn close(mut self) {
        self.inner.conn.send_close_notify();
        let _ = self.inner.flush();
        let _ = self.inner.sock.shutdown(Shutdown::Both);
    }
}

impl Read for TlsStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner.read(buf)
    }
}

impl Write for TlsStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The rustls error inside an `io::Error` from [`TlsStream`], if it is one.
pub(crate) fn tls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref()?.downcast_ref::<rustls::Error>()
}
