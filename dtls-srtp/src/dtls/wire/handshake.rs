//! Handshake messages (RFC 5246 §7.4 with DTLS's header, RFC 6347 §4.2.2), and the
//! ChangeCipherSpec and Alert records.
//!
//! Each message `Repr` parses from a *complete, reassembled* body and emits its body into a
//! caller buffer; [`HandshakeHeader`] frames it (see `reassembly` for fragments).

use super::codec::{Reader, Writer};
use super::extensions::{HelloExtensions, HelloKind};
use super::types::{
    AlertDescription, CipherSuite, HandshakeType, NamedGroup, ProtocolVersion, SignatureScheme,
    U16List,
};
use crate::dtls::Error;

/// Size of the DTLS handshake header.
pub const HANDSHAKE_HEADER_LEN: usize = 12;
/// Largest handshake message length the 24-bit field can express.
pub const MAX_HANDSHAKE_LEN: u32 = 0x00ff_ffff;
/// Most certificates a Certificate message may list (a WebRTC peer sends one).
pub const MAX_CERTIFICATES: usize = 8;
/// Length of ClientHello/ServerHello random.
pub const RANDOM_LEN: usize = 32;

/// The DTLS handshake header (RFC 6347 §4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HandshakeHeader {
    /// The message type.
    pub msg_type: HandshakeType,
    /// The whole message's body length (24 bits).
    pub length: u32,
    /// The message's sequence number within the handshake.
    pub message_seq: u16,
    /// Where this fragment's bytes start in the body (24 bits).
    pub fragment_offset: u32,
    /// How many body bytes this fragment carries (24 bits).
    pub fragment_length: u32,
}

impl HandshakeHeader {
    /// The header of an unfragmented message: also the form the transcript hash covers
    /// (RFC 6347 §4.2.6).
    pub const fn unfragmented(msg_type: HandshakeType, message_seq: u16, length: u32) -> Self {
        HandshakeHeader {
            msg_type,
            length,
            message_seq,
            fragment_offset: 0,
            fragment_length: length,
        }
    }

    /// Parses a header and checks that its fragment lies inside the message.
    pub fn parse(b: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(b);
        let h = HandshakeHeader {
            msg_type: HandshakeType(r.u8()?),
            length: r.u24()?,
            message_seq: r.u16()?,
            fragment_offset: r.u24()?,
            fragment_length: r.u24()?,
        };
        let end = h
            .fragment_offset
            .checked_add(h.fragment_length)
            .ok_or(Error::FragmentOutOfRange)?;
        if end > h.length {
            return Err(Error::FragmentOutOfRange);
        }
        Ok(h)
    }

    /// Writes the 12-byte header.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        self.write(&mut w)?;
        Ok(w.pos())
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(self.msg_type.0)?;
        w.u24(self.length)?;
        w.u16(self.message_seq)?;
        w.u24(self.fragment_offset)?;
        w.u24(self.fragment_length)
    }

    /// The header as 12 bytes.
    pub fn to_bytes(&self) -> [u8; HANDSHAKE_HEADER_LEN] {
        let mut b = [0u8; HANDSHAKE_HEADER_LEN];
        // Cannot fail: 12 bytes always fit, and the 24-bit fields come from validated values
        // or are rejected at construction by `emit`'s callers; a too-large value writes zeros.
        let _ = self.emit(&mut b);
        b
    }

    /// True if this fragment is the whole message.
    pub const fn is_complete(&self) -> bool {
        self.fragment_offset == 0 && self.fragment_length == self.length
    }
}

/// One handshake fragment: header and the body bytes it carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandshakeFragment<'a> {
    /// The header.
    pub header: HandshakeHeader,
    /// `header.fragment_length` body bytes starting at `header.fragment_offset`.
    pub body: &'a [u8],
}

impl HandshakeFragment<'_> {
    /// Writes header + body; the header's fragment_length is taken from the body.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        let header = HandshakeHeader {
            fragment_length: u32::try_from(self.body.len()).map_err(|_| Error::TooLong)?,
            ..self.header
        };
        header.write(&mut w)?;
        w.bytes(self.body)?;
        Ok(w.pos())
    }

    /// Bytes this fragment takes on the wire.
    pub fn buffer_len(&self) -> usize {
        HANDSHAKE_HEADER_LEN + self.body.len()
    }
}

/// Iterates the handshake fragments of one plaintext handshake record (a record may carry
/// several, RFC 6347 §4.2.3). A malformed fragment yields one `Err` and ends the iteration.
#[derive(Debug, Clone)]
pub struct HandshakeFragments<'a> {
    rest: &'a [u8],
}

impl<'a> HandshakeFragments<'a> {
    /// The fragments of a handshake record's (decrypted) fragment.
    pub const fn new(record_fragment: &'a [u8]) -> Self {
        HandshakeFragments {
            rest: record_fragment,
        }
    }
}

impl<'a> Iterator for HandshakeFragments<'a> {
    type Item = Result<HandshakeFragment<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = HandshakeHeader::parse(self.rest).and_then(|header| {
            let mut r = Reader::new(self.rest.get(HANDSHAKE_HEADER_LEN..).unwrap_or_default());
            let len = usize::try_from(header.fragment_length).map_err(|_| Error::Truncated)?;
            let body = r.bytes(len)?;
            Ok((HandshakeFragment { header, body }, r.rest()))
        });
        match parsed {
            Ok((f, tail)) => {
                self.rest = tail;
                Some(Ok(f))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// ClientHello (RFC 6347 §4.2.1: with the cookie).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientHello<'a> {
    /// client_version: the highest version before supported_versions (DTLS 1.2 for WebRTC).
    pub version: ProtocolVersion,
    /// The client random.
    pub random: [u8; RANDOM_LEN],
    /// Session id (0..=32 bytes); we never resume, so it is only echoed or ignored.
    pub session_id: &'a [u8],
    /// The HelloVerifyRequest cookie (0..=255 bytes).
    pub cookie: &'a [u8],
    /// Offered cipher suites (non-empty).
    pub cipher_suites: U16List<'a>,
    /// Offered compression methods (non-empty; must include null = 0).
    pub compression_methods: &'a [u8],
    /// Extensions.
    pub extensions: HelloExtensions<'a>,
}

impl<'a> ClientHello<'a> {
    /// Parses a ClientHello body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let version = ProtocolVersion(r.u16()?);
        let random = r.array()?;
        let session_id = r.vec8()?;
        if session_id.len() > 32 {
            return Err(Error::TooLong);
        }
        let cookie = r.vec8()?;
        let cipher_suites = U16List::read(&mut r, 2)?;
        if cipher_suites.is_empty() {
            return Err(Error::EmptyList);
        }
        let compression_methods = r.vec8()?;
        if compression_methods.is_empty() {
            return Err(Error::EmptyList);
        }
        let extensions = read_extensions(&mut r, HelloKind::Client)?;
        r.finish()?;
        Ok(ClientHello {
            version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.u16(self.version.0)?;
        w.bytes(&self.random)?;
        if self.session_id.len() > 32 {
            return Err(Error::TooLong);
        }
        w.vec8(self.session_id)?;
        w.vec8(self.cookie)?;
        self.cipher_suites.write(&mut w, 2)?;
        w.vec8(self.compression_methods)?;
        write_extensions(&mut w, &self.extensions, HelloKind::Client)?;
        Ok(w.pos())
    }

    /// True if `suite` is offered.
    pub fn offers(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(suite.0)
    }
}

/// ServerHello.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerHello<'a> {
    /// server_version (DTLS 1.2).
    pub version: ProtocolVersion,
    /// The server random.
    pub random: [u8; RANDOM_LEN],
    /// Session id (0..=32 bytes).
    pub session_id: &'a [u8],
    /// The chosen cipher suite.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method (0).
    pub compression_method: u8,
    /// Extensions (only answers to what the client offered).
    pub extensions: HelloExtensions<'a>,
}

impl<'a> ServerHello<'a> {
    /// Parses a ServerHello body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let version = ProtocolVersion(r.u16()?);
        let random = r.array()?;
        let session_id = r.vec8()?;
        if session_id.len() > 32 {
            return Err(Error::TooLong);
        }
        let cipher_suite = CipherSuite(r.u16()?);
        let compression_method = r.u8()?;
        let extensions = read_extensions(&mut r, HelloKind::Server)?;
        r.finish()?;
        Ok(ServerHello {
            version,
            random,
            session_id,
            cipher_suite,
            compression_method,
            extensions,
        })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.u16(self.version.0)?;
        w.bytes(&self.random)?;
        if self.session_id.len() > 32 {
            return Err(Error::TooLong);
        }
        w.vec8(self.session_id)?;
        w.u16(self.cipher_suite.0)?;
        w.u8(self.compression_method)?;
        write_extensions(&mut w, &self.extensions, HelloKind::Server)?;
        Ok(w.pos())
    }
}

/// The extensions block is optional in both hellos: absent means none.
fn read_extensions<'a>(r: &mut Reader<'a>, kind: HelloKind) -> Result<HelloExtensions<'a>, Error> {
    if r.is_empty() {
        return Ok(HelloExtensions::default());
    }
    let block = r.vec16()?;
    HelloExtensions::parse(block, kind)
}

fn write_extensions(
    w: &mut Writer<'_>,
    ext: &HelloExtensions<'_>,
    kind: HelloKind,
) -> Result<(), Error> {
    if ext.is_empty() {
        return Ok(());
    }
    let m = w.open(2)?;
    ext.write(w, kind)?;
    w.close(m)
}

/// HelloVerifyRequest (RFC 6347 §4.2.1): the server's stateless cookie challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelloVerifyRequest<'a> {
    /// server_version (RFC 6347 recommends DTLS 1.0 here for compatibility; 1.2 is fine).
    pub version: ProtocolVersion,
    /// The cookie the client must echo (0..=255 bytes).
    pub cookie: &'a [u8],
}

impl<'a> HelloVerifyRequest<'a> {
    /// Parses a HelloVerifyRequest body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let version = ProtocolVersion(r.u16()?);
        let cookie = r.vec8()?;
        r.finish()?;
        Ok(HelloVerifyRequest { version, cookie })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.u16(self.version.0)?;
        w.vec8(self.cookie)?;
        Ok(w.pos())
    }
}

/// A chain of DER certificates: borrowed from the wire or from the caller.
#[derive(Clone, Copy)]
pub struct CertificateList<'a>(CertInner<'a>);

#[derive(Clone, Copy)]
enum CertInner<'a> {
    /// The validated `certificate_list` contents: u24-prefixed entries.
    Wire(&'a [u8]),
    Slice(&'a [&'a [u8]]),
}

impl<'a> CertificateList<'a> {
    /// A list to emit, end-entity certificate first.
    pub const fn new(certs: &'a [&'a [u8]]) -> Self {
        CertificateList(CertInner::Slice(certs))
    }

    fn from_wire(list: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(list);
        let mut n = 0usize;
        while !r.is_empty() {
            let cert = r.vec24()?;
            if cert.is_empty() {
                return Err(Error::EmptyList);
            }
            n += 1;
            if n > MAX_CERTIFICATES {
                return Err(Error::TooManyCertificates);
            }
        }
        Ok(CertificateList(CertInner::Wire(list)))
    }

    /// The DER certificates, end-entity first.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (wire, slice): (&'a [u8], &'a [&'a [u8]]) = match self.0 {
            CertInner::Wire(b) => (b, &[]),
            CertInner::Slice(s) => (&[], s),
        };
        let mut r = Reader::new(wire);
        core::iter::from_fn(move || r.vec24().ok()).chain(slice.iter().copied())
    }

    /// The end-entity certificate (the one whose key signs), if any.
    pub fn first(&self) -> Option<&'a [u8]> {
        self.iter().next()
    }

    /// Number of certificates.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True if the list is empty (a client with no certificate to offer).
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

impl PartialEq for CertificateList<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for CertificateList<'_> {}

impl core::fmt::Debug for CertificateList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list()
            .entries(self.iter().map(|c| c.len()))
            .finish()
    }
}

/// Certificate: the sender's chain (WebRTC: one self-signed certificate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Certificate<'a> {
    /// The chain.
    pub certificates: CertificateList<'a>,
}

impl<'a> Certificate<'a> {
    /// Parses a Certificate body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let list = r.vec24()?;
        r.finish()?;
        Ok(Certificate {
            certificates: CertificateList::from_wire(list)?,
        })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        let m = w.open(3)?;
        let mut n = 0usize;
        for cert in self.certificates.iter() {
            n += 1;
            if n > MAX_CERTIFICATES {
                return Err(Error::TooManyCertificates);
            }
            w.vec24(cert)?;
        }
        w.close(m)?;
        Ok(w.pos())
    }
}

/// A signature with its algorithm (TLS 1.2 `digitally-signed`, RFC 5246 §4.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigitallySigned<'a> {
    /// The (hash, signature) algorithm pair.
    pub scheme: SignatureScheme,
    /// The signature (DER ECDSA-Sig-Value or RSA PKCS#1 block).
    pub signature: &'a [u8],
}

impl<'a> DigitallySigned<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, Error> {
        let scheme = SignatureScheme(r.u16()?);
        let signature = r.vec16()?;
        if signature.is_empty() {
            return Err(Error::EmptyList);
        }
        Ok(DigitallySigned { scheme, signature })
    }

    fn write(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u16(self.scheme.0)?;
        w.vec16(self.signature)
    }
}

/// `ECCurveType.named_curve` (RFC 8422 §5.4): the only curve type allowed.
pub const NAMED_CURVE: u8 = 3;

/// ServerKeyExchange for ECDHE (RFC 8422 §5.4): the server's ephemeral public key, signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerKeyExchange<'a> {
    /// The named group of the ephemeral key.
    pub group: NamedGroup,
    /// The encoded public point (uncompressed SEC1 for P-256, 32 bytes for X25519).
    pub public: &'a [u8],
    /// Signature over client_random ‖ server_random ‖ params.
    pub signature: DigitallySigned<'a>,
}

impl<'a> ServerKeyExchange<'a> {
    /// Parses an ECDHE ServerKeyExchange body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        if r.u8()? != NAMED_CURVE {
            return Err(Error::BadValue);
        }
        let group = NamedGroup(r.u16()?);
        let public = r.vec8()?;
        if public.is_empty() {
            return Err(Error::EmptyList);
        }
        let signature = DigitallySigned::read(&mut r)?;
        r.finish()?;
        Ok(ServerKeyExchange {
            group,
            public,
            signature,
        })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        self.write_params(&mut w)?;
        self.signature.write(&mut w)?;
        Ok(w.pos())
    }

    /// Writes the `ServerECDHParams` (curve type, group, point): what the signature covers
    /// after the two randoms. Returns its length.
    pub fn emit_params(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        self.write_params(&mut w)?;
        Ok(w.pos())
    }

    fn write_params(&self, w: &mut Writer<'_>) -> Result<(), Error> {
        w.u8(NAMED_CURVE)?;
        w.u16(self.group.0)?;
        w.vec8(self.public)
    }
}

/// CertificateRequest in its TLS 1.2 form (RFC 5246 §7.4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateRequest<'a> {
    /// ClientCertificateType values (64 = ecdsa_sign, 1 = rsa_sign); non-empty.
    pub certificate_types: &'a [u8],
    /// Acceptable signature algorithms; non-empty.
    pub signature_algorithms: U16List<'a>,
    /// The raw `certificate_authorities` vector contents (u16-prefixed DER names); WebRTC
    /// sends none.
    pub certificate_authorities: &'a [u8],
}

impl<'a> CertificateRequest<'a> {
    /// Parses a CertificateRequest body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let certificate_types = r.vec8()?;
        if certificate_types.is_empty() {
            return Err(Error::EmptyList);
        }
        let signature_algorithms = U16List::read(&mut r, 2)?;
        if signature_algorithms.is_empty() {
            return Err(Error::EmptyList);
        }
        let certificate_authorities = r.vec16()?;
        let mut cas = Reader::new(certificate_authorities);
        while !cas.is_empty() {
            cas.vec16()?;
        }
        r.finish()?;
        Ok(CertificateRequest {
            certificate_types,
            signature_algorithms,
            certificate_authorities,
        })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.vec8(self.certificate_types)?;
        self.signature_algorithms.write(&mut w, 2)?;
        w.vec16(self.certificate_authorities)?;
        Ok(w.pos())
    }
}

/// ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientKeyExchange<'a> {
    /// The encoded public point.
    pub public: &'a [u8],
}

impl<'a> ClientKeyExchange<'a> {
    /// Parses a ClientKeyExchange body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let public = r.vec8()?;
        if public.is_empty() {
            return Err(Error::EmptyList);
        }
        r.finish()?;
        Ok(ClientKeyExchange { public })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.vec8(self.public)?;
        Ok(w.pos())
    }
}

/// CertificateVerify: the client proves it holds its certificate's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateVerify<'a> {
    /// Signature over the handshake transcript so far.
    pub signature: DigitallySigned<'a>,
}

impl<'a> CertificateVerify<'a> {
    /// Parses a CertificateVerify body.
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(body);
        let signature = DigitallySigned::read(&mut r)?;
        r.finish()?;
        Ok(CertificateVerify { signature })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        self.signature.write(&mut w)?;
        Ok(w.pos())
    }
}

/// Finished: the PRF over the transcript (12 bytes for every suite we use).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finished<'a> {
    /// verify_data.
    pub verify_data: &'a [u8],
}

impl<'a> Finished<'a> {
    /// Parses a Finished body (any non-empty length; the engine compares it in constant time).
    pub fn parse(body: &'a [u8]) -> Result<Self, Error> {
        if body.is_empty() {
            return Err(Error::Truncated);
        }
        Ok(Finished { verify_data: body })
    }

    /// Writes the body; returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.bytes(self.verify_data)?;
        Ok(w.pos())
    }
}

/// A decoded handshake message body of any type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Handshake<'a> {
    /// HelloRequest (empty; a DTLS-SRTP endpoint ignores it: no renegotiation).
    HelloRequest,
    /// ClientHello.
    ClientHello(ClientHello<'a>),
    /// ServerHello.
    ServerHello(ServerHello<'a>),
    /// HelloVerifyRequest.
    HelloVerifyRequest(HelloVerifyRequest<'a>),
    /// Certificate.
    Certificate(Certificate<'a>),
    /// ServerKeyExchange (ECDHE).
    ServerKeyExchange(ServerKeyExchange<'a>),
    /// CertificateRequest.
    CertificateRequest(CertificateRequest<'a>),
    /// ServerHelloDone (empty).
    ServerHelloDone,
    /// CertificateVerify.
    CertificateVerify(CertificateVerify<'a>),
    /// ClientKeyExchange (ECDHE).
    ClientKeyExchange(ClientKeyExchange<'a>),
    /// Finished.
    Finished(Finished<'a>),
    /// Any other type (NewSessionTicket, ...): the body, not interpreted.
    Unknown(HandshakeType, &'a [u8]),
}

impl<'a> Handshake<'a> {
    /// Decodes a complete message body of type `msg_type`.
    pub fn parse(msg_type: HandshakeType, body: &'a [u8]) -> Result<Self, Error> {
        let empty = |m: Handshake<'a>| {
            if body.is_empty() {
                Ok(m)
            } else {
                Err(Error::BadLength)
            }
        };
        Ok(match msg_type {
            HandshakeType::HELLO_REQUEST => empty(Handshake::HelloRequest)?,
            HandshakeType::CLIENT_HELLO => Handshake::ClientHello(ClientHello::parse(body)?),
            HandshakeType::SERVER_HELLO => Handshake::ServerHello(ServerHello::parse(body)?),
            HandshakeType::HELLO_VERIFY_REQUEST => {
                Handshake::HelloVerifyRequest(HelloVerifyRequest::parse(body)?)
            }
            HandshakeType::CERTIFICATE => Handshake::Certificate(Certificate::parse(body)?),
            HandshakeType::SERVER_KEY_EXCHANGE => {
                Handshake::ServerKeyExchange(ServerKeyExchange::parse(body)?)
            }
            HandshakeType::CERTIFICATE_REQUEST => {
                Handshake::CertificateRequest(CertificateRequest::parse(body)?)
            }
            HandshakeType::SERVER_HELLO_DONE => empty(Handshake::ServerHelloDone)?,
            HandshakeType::CERTIFICATE_VERIFY => {
                Handshake::CertificateVerify(CertificateVerify::parse(body)?)
            }
            HandshakeType::CLIENT_KEY_EXCHANGE => {
                Handshake::ClientKeyExchange(ClientKeyExchange::parse(body)?)
            }
            HandshakeType::FINISHED => Handshake::Finished(Finished::parse(body)?),
            other => Handshake::Unknown(other, body),
        })
    }

    /// The message type.
    pub fn msg_type(&self) -> HandshakeType {
        match self {
            Handshake::HelloRequest => HandshakeType::HELLO_REQUEST,
            Handshake::ClientHello(_) => HandshakeType::CLIENT_HELLO,
            Handshake::ServerHello(_) => HandshakeType::SERVER_HELLO,
            Handshake::HelloVerifyRequest(_) => HandshakeType::HELLO_VERIFY_REQUEST,
            Handshake::Certificate(_) => HandshakeType::CERTIFICATE,
            Handshake::ServerKeyExchange(_) => HandshakeType::SERVER_KEY_EXCHANGE,
            Handshake::CertificateRequest(_) => HandshakeType::CERTIFICATE_REQUEST,
            Handshake::ServerHelloDone => HandshakeType::SERVER_HELLO_DONE,
            Handshake::CertificateVerify(_) => HandshakeType::CERTIFICATE_VERIFY,
            Handshake::ClientKeyExchange(_) => HandshakeType::CLIENT_KEY_EXCHANGE,
            Handshake::Finished(_) => HandshakeType::FINISHED,
            Handshake::Unknown(t, _) => *t,
        }
    }

    /// Writes the body; returns its length.
    pub fn emit_body(&self, buf: &mut [u8]) -> Result<usize, Error> {
        match self {
            Handshake::HelloRequest | Handshake::ServerHelloDone => Ok(0),
            Handshake::ClientHello(m) => m.emit(buf),
            Handshake::ServerHello(m) => m.emit(buf),
            Handshake::HelloVerifyRequest(m) => m.emit(buf),
            Handshake::Certificate(m) => m.emit(buf),
            Handshake::ServerKeyExchange(m) => m.emit(buf),
            Handshake::CertificateRequest(m) => m.emit(buf),
            Handshake::CertificateVerify(m) => m.emit(buf),
            Handshake::ClientKeyExchange(m) => m.emit(buf),
            Handshake::Finished(m) => m.emit(buf),
            Handshake::Unknown(_, body) => {
                let mut w = Writer::new(buf);
                w.bytes(body)?;
                Ok(w.pos())
            }
        }
    }

    /// Writes an unfragmented message (header + body) with `message_seq`; returns its length.
    pub fn emit(&self, message_seq: u16, buf: &mut [u8]) -> Result<usize, Error> {
        let body_buf = buf
            .get_mut(HANDSHAKE_HEADER_LEN..)
            .ok_or(Error::BufferTooSmall)?;
        let len = self.emit_body(body_buf)?;
        let length = u32::try_from(len).map_err(|_| Error::TooLong)?;
        if length > MAX_HANDSHAKE_LEN {
            return Err(Error::TooLong);
        }
        HandshakeHeader::unfragmented(self.msg_type(), message_seq, length).emit(buf)?;
        Ok(HANDSHAKE_HEADER_LEN + len)
    }
}

/// The ChangeCipherSpec record's one-byte body.
pub const CHANGE_CIPHER_SPEC: [u8; 1] = [1];

/// Checks a ChangeCipherSpec record fragment (exactly the byte 1).
pub fn parse_change_cipher_spec(fragment: &[u8]) -> Result<(), Error> {
    match fragment {
        [1] => Ok(()),
        [] => Err(Error::Truncated),
        [_] => Err(Error::BadValue),
        _ => Err(Error::BadLength),
    }
}

/// Alert level (RFC 5246 §7.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertLevel {
    /// warning (1): close_notify and friends.
    Warning,
    /// fatal (2): the connection is over.
    Fatal,
}

/// An Alert record's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Alert {
    /// Its level.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

/// Size of an Alert body.
pub const ALERT_LEN: usize = 2;

impl Alert {
    /// close_notify at warning level: an orderly close.
    pub const CLOSE_NOTIFY: Alert = Alert {
        level: AlertLevel::Warning,
        description: AlertDescription::CLOSE_NOTIFY,
    };

    /// A fatal alert.
    pub const fn fatal(description: AlertDescription) -> Alert {
        Alert {
            level: AlertLevel::Fatal,
            description,
        }
    }

    /// Parses an Alert record fragment.
    pub fn parse(fragment: &[u8]) -> Result<Alert, Error> {
        let mut r = Reader::new(fragment);
        let level = match r.u8()? {
            1 => AlertLevel::Warning,
            2 => AlertLevel::Fatal,
            _ => return Err(Error::BadValue),
        };
        let description = AlertDescription(r.u8()?);
        r.finish()?;
        Ok(Alert { level, description })
    }

    /// The two bytes on the wire.
    pub const fn to_bytes(self) -> [u8; ALERT_LEN] {
        let level = match self.level {
            AlertLevel::Warning => 1,
            AlertLevel::Fatal => 2,
        };
        [level, self.description.0]
    }
}
