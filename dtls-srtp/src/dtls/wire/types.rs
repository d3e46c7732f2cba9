//! The code points DTLS-SRTP uses: open newtypes, so an unknown value from a peer is carried
//! through (and can be ignored) instead of being a parse error.

use core::fmt;

use super::codec::Reader;
use crate::dtls::Error;

/// Defines an open code-point newtype with named constants and a Debug that prints names.
macro_rules! code_point {
    ($(#[$m:meta])* $name:ident($int:ty) { $($(#[$cm:meta])* $c:ident = $v:literal => $s:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub $int);

        impl $name {
            $($(#[$cm])* pub const $c: $name = $name($v);)*

            /// The registry name, if this implementation knows the value.
            pub const fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($v => Some($s),)*
                    _ => None,
                }
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.name() {
                    Some(n) => f.write_str(n),
                    None => write!(f, concat!(stringify!($name), "(0x{:x})"), self.0),
                }
            }
        }
    };
}

code_point! {
    /// Record content type (RFC 6347 §4.1).
    ContentType(u8) {
        /// ChangeCipherSpec (20).
        CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
        /// Alert (21).
        ALERT = 21 => "alert",
        /// Handshake (22).
        HANDSHAKE = 22 => "handshake",
        /// Application data (23).
        APPLICATION_DATA = 23 => "application_data",
    }
}

code_point! {
    /// Handshake message type (RFC 5246 §7.4, RFC 6347 §4.2.2).
    HandshakeType(u8) {
        /// HelloRequest (0).
        HELLO_REQUEST = 0 => "hello_request",
        /// ClientHello (1).
        CLIENT_HELLO = 1 => "client_hello",
        /// ServerHello (2).
        SERVER_HELLO = 2 => "server_hello",
        /// HelloVerifyRequest (3, DTLS only).
        HELLO_VERIFY_REQUEST = 3 => "hello_verify_request",
        /// NewSessionTicket (4).
        NEW_SESSION_TICKET = 4 => "new_session_ticket",
        /// Certificate (11).
        CERTIFICATE = 11 => "certificate",
        /// ServerKeyExchange (12).
        SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
        /// CertificateRequest (13).
        CERTIFICATE_REQUEST = 13 => "certificate_request",
        /// ServerHelloDone (14).
        SERVER_HELLO_DONE = 14 => "server_hello_done",
        /// CertificateVerify (15).
        CERTIFICATE_VERIFY = 15 => "certificate_verify",
        /// ClientKeyExchange (16).
        CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
        /// Finished (20).
        FINISHED = 20 => "finished",
    }
}

code_point! {
    /// A cipher suite (IANA TLS registry).
    CipherSuite(u16) {
        /// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: WebRTC's mandatory suite.
        ECDHE_ECDSA_AES128_GCM_SHA256 = 0xc02b => "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384.
        ECDHE_ECDSA_AES256_GCM_SHA384 = 0xc02c => "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        /// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: for peers with RSA certificates.
        ECDHE_RSA_AES128_GCM_SHA256 = 0xc02f => "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        /// TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384.
        ECDHE_RSA_AES256_GCM_SHA384 = 0xc030 => "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        /// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746): the client supports secure renegotiation.
        EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff => "TLS_EMPTY_RENEGOTIATION_INFO_SCSV",
    }
}

code_point! {
    /// A key-exchange group (RFC 8422 "NamedCurve", RFC 8446 "NamedGroup").
    NamedGroup(u16) {
        /// secp256r1 (P-256).
        SECP256R1 = 0x0017 => "secp256r1",
        /// secp384r1 (P-384).
        SECP384R1 = 0x0018 => "secp384r1",
        /// x25519.
        X25519 = 0x001d => "x25519",
        /// X25519MLKEM768 (hybrid post-quantum; DTLS 1.3 only, offered by Chromium).
        X25519MLKEM768 = 0x11ec => "X25519MLKEM768",
    }
}

code_point! {
    /// A signature algorithm: TLS 1.2's (hash, signature) byte pair read as one u16, which
    /// is also TLS 1.3's SignatureScheme numbering.
    SignatureScheme(u16) {
        /// ecdsa_secp256r1_sha256 (SHA-256, ECDSA).
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// ecdsa_secp384r1_sha384.
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// rsa_pkcs1_sha256.
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        /// rsa_pkcs1_sha384.
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        /// rsa_pkcs1_sha512.
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        /// rsa_pss_rsae_sha256.
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// rsa_pkcs1_sha1 (legacy).
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        /// ecdsa_sha1 (legacy).
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
    }
}

code_point! {
    /// An extension type (IANA TLS ExtensionType registry).
    ExtensionType(u16) {
        /// supported_groups (10), formerly elliptic_curves.
        SUPPORTED_GROUPS = 10 => "supported_groups",
        /// ec_point_formats (11).
        EC_POINT_FORMATS = 11 => "ec_point_formats",
        /// signature_algorithms (13).
        SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
        /// use_srtp (14, RFC 5764).
        USE_SRTP = 14 => "use_srtp",
        /// extended_master_secret (23, RFC 7627).
        EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
        /// session_ticket (35).
        SESSION_TICKET = 35 => "session_ticket",
        /// supported_versions (43, TLS/DTLS 1.3).
        SUPPORTED_VERSIONS = 43 => "supported_versions",
        /// key_share (51, TLS/DTLS 1.3).
        KEY_SHARE = 51 => "key_share",
        /// renegotiation_info (0xff01, RFC 5746).
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

code_point! {
    /// An alert description (RFC 5246 §7.2).
    AlertDescription(u8) {
        /// close_notify (0).
        CLOSE_NOTIFY = 0 => "close_notify",
        /// unexpected_message (10).
        UNEXPECTED_MESSAGE = 10 => "unexpected_message",
        /// bad_record_mac (20).
        BAD_RECORD_MAC = 20 => "bad_record_mac",
        /// record_overflow (22).
        RECORD_OVERFLOW = 22 => "record_overflow",
        /// handshake_failure (40).
        HANDSHAKE_FAILURE = 40 => "handshake_failure",
        /// bad_certificate (42).
        BAD_CERTIFICATE = 42 => "bad_certificate",
        /// unsupported_certificate (43).
        UNSUPPORTED_CERTIFICATE = 43 => "unsupported_certificate",
        /// certificate_expired (45).
        CERTIFICATE_EXPIRED = 45 => "certificate_expired",
        /// certificate_unknown (46).
        CERTIFICATE_UNKNOWN = 46 => "certificate_unknown",
        /// illegal_parameter (47).
        ILLEGAL_PARAMETER = 47 => "illegal_parameter",
        /// decode_error (50).
        DECODE_ERROR = 50 => "decode_error",
        /// decrypt_error (51).
        DECRYPT_ERROR = 51 => "decrypt_error",
        /// protocol_version (70).
        PROTOCOL_VERSION = 70 => "protocol_version",
        /// insufficient_security (71).
        INSUFFICIENT_SECURITY = 71 => "insufficient_security",
        /// internal_error (80).
        INTERNAL_ERROR = 80 => "internal_error",
        /// user_canceled (90).
        USER_CANCELED = 90 => "user_canceled",
        /// no_renegotiation (100).
        NO_RENEGOTIATION = 100 => "no_renegotiation",
        /// unsupported_extension (110).
        UNSUPPORTED_EXTENSION = 110 => "unsupported_extension",
    }
}

/// A (D)TLS protocol version on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProtocolVersion(pub u16);

impl ProtocolVersion {
    /// DTLS 1.0 (0xfeff): allowed in the record layer of a ClientHello for compatibility.
    pub const DTLS1_0: ProtocolVersion = ProtocolVersion(0xfeff);
    /// DTLS 1.2 (0xfefd): the only version this implementation speaks.
    pub const DTLS1_2: ProtocolVersion = ProtocolVersion(0xfefd);
    /// DTLS 1.3 (0xfefc): recognised in supported_versions so it can be declined.
    pub const DTLS1_3: ProtocolVersion = ProtocolVersion(0xfefc);
}

impl fmt::Debug for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ProtocolVersion::DTLS1_0 => f.write_str("DTLS1.0"),
            ProtocolVersion::DTLS1_2 => f.write_str("DTLS1.2"),
            ProtocolVersion::DTLS1_3 => f.write_str("DTLS1.3"),
            ProtocolVersion(v) => write!(f, "ProtocolVersion(0x{v:04x})"),
        }
    }
}

/// A list of 16-bit code points (cipher suites, groups, signature schemes, SRTP profiles):
/// either borrowed from the wire or from the caller's slice, read the same way.
#[derive(Clone, Copy)]
pub struct U16List<'a>(Inner<'a>);

#[derive(Clone, Copy)]
enum Inner<'a> {
    /// Big-endian pairs, even length checked at construction.
    Wire(&'a [u8]),
    Values(&'a [u16]),
}

impl<'a> U16List<'a> {
    /// The empty list.
    pub const EMPTY: U16List<'static> = U16List(Inner::Values(&[]));

    /// A list to emit, from the caller's values.
    pub const fn new(values: &'a [u16]) -> Self {
        U16List(Inner::Values(values))
    }

    /// A list read from the wire: big-endian pairs.
    pub fn from_wire(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.len() % 2 != 0 {
            return Err(Error::BadLength);
        }
        Ok(U16List(Inner::Wire(bytes)))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        match self.0 {
            Inner::Wire(b) => b.len() / 2,
            Inner::Values(v) => v.len(),
        }
    }

    /// True if the list has no entries.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        let (wire, values): (&'a [u8], &'a [u16]) = match self.0 {
            Inner::Wire(b) => (b, &[]),
            Inner::Values(v) => (&[], v),
        };
        wire.chunks_exact(2)
            .map(|c| {
                u16::from_be_bytes([
                    c.first().copied().unwrap_or(0),
                    c.get(1).copied().unwrap_or(0),
                ])
            })
            .chain(values.iter().copied())
    }

    /// True if `value` is in the list.
    pub fn contains(&self, value: u16) -> bool {
        self.iter().any(|v| v == value)
    }

    /// Size of the entries on the wire (without a length prefix).
    pub fn wire_len(&self) -> usize {
        self.len() * 2
    }

    pub(crate) fn read(r: &mut Reader<'a>, prefix: usize) -> Result<Self, Error> {
        let bytes = match prefix {
            1 => r.vec8()?,
            _ => r.vec16()?,
        };
        U16List::from_wire(bytes)
    }

    pub(crate) fn write(
        &self,
        w: &mut super::codec::Writer<'_>,
        prefix: usize,
    ) -> Result<(), Error> {
        let mark = w.open(prefix)?;
        for v in self.iter() {
            w.u16(v)?;
        }
        w.close(mark)
    }
}

impl PartialEq for U16List<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for U16List<'_> {}

impl fmt::Debug for U16List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(HexU16)).finish()
    }
}

struct HexU16(u16);

impl fmt::Debug for HexU16 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:04x}", self.0)
    }
}
