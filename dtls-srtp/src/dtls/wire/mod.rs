//! DTLS wire formats: records (RFC 6347 §4.1), handshake messages (RFC 5246 §7.4, RFC 6347
//! §4.2) and the hello extensions DTLS-SRTP needs (RFC 5764, RFC 7627, RFC 5746, RFC 8422).
//!
//! Parsing borrows from the input and never panics: every length is checked, every list is
//! bounded, trailing bytes are an error. Each message type is a `Repr` with `parse` (from a
//! complete body) and `emit` (into a caller buffer, returning the length written). Unknown
//! code points are carried as open newtypes ([`CipherSuite`], [`ExtensionType`], ...).

mod codec;
mod extensions;
mod handshake;
mod record;
mod types;

pub use extensions::{
    Extension, HelloExtensions, HelloKind, MAX_EXTENSIONS, RawExtensions, UseSrtp,
};
pub use handshake::{
    ALERT_LEN, Alert, AlertLevel, CHANGE_CIPHER_SPEC, Certificate, CertificateList,
    CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange, DigitallySigned,
    Finished, HANDSHAKE_HEADER_LEN, Handshake, HandshakeFragment, HandshakeFragments,
    HandshakeHeader, HelloVerifyRequest, MAX_CERTIFICATES, MAX_HANDSHAKE_LEN, NAMED_CURVE,
    RANDOM_LEN, ServerHello, ServerKeyExchange, parse_change_cipher_spec,
};
pub use record::{
    MAX_RECORD_FRAGMENT, MAX_SEQUENCE, RECORD_HEADER_LEN, Record, RecordHeader, Records,
    RecordsMut, epoch_sequence, is_dtls,
};
pub use types::{
    AlertDescription, CipherSuite, ContentType, ExtensionType, HandshakeType, NamedGroup,
    ProtocolVersion, SignatureScheme, U16List,
};
