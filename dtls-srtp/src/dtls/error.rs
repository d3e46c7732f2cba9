//! What can go wrong in the DTLS building blocks: a peer's malformed bytes, a record that
//! does not authenticate, a caller buffer that is too small.

use core::fmt;

/// Errors of the DTLS wire formats, record protection, PRF and reassembly.
///
/// Every one of them is the peer's (or the caller's) fault, never a panic; the engine turns
/// them into a dropped record or an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The input ends before a field or a length-prefixed vector does.
    Truncated,
    /// A length field disagrees with what surrounds it (trailing bytes, odd u16 list, ...).
    BadLength,
    /// A list that must not be empty is empty (cipher suites, compression methods, ...).
    EmptyList,
    /// A protocol version this layer does not accept (not DTLS 1.2, or DTLS 1.0 past epoch 0).
    BadVersion,
    /// A record longer than RFC 6347 allows (2^14 + 2048 bytes of fragment).
    RecordTooLong,
    /// A handshake fragment that reaches past its message's declared length.
    FragmentOutOfRange,
    /// Fragments of one message disagree on its type or length.
    FragmentMismatch,
    /// The reassembly buffer cannot hold this message (or the rest of the flight).
    MessageTooLarge,
    /// A message arrived in more pieces (holes) than the reassembler tracks.
    TooFragmented,
    /// A known extension's body is malformed.
    BadExtension,
    /// The same extension appears twice in one hello.
    DuplicateExtension,
    /// More extensions than [`crate::dtls::wire::MAX_EXTENSIONS`].
    TooManyExtensions,
    /// More certificates than [`crate::dtls::wire::MAX_CERTIFICATES`].
    TooManyCertificates,
    /// A field holds a value its message forbids (curve type, CCS byte, alert level, ...).
    BadValue,
    /// The caller's output buffer is too small.
    BufferTooSmall,
    /// The value does not fit the wire field (a vector longer than its length prefix allows).
    TooLong,
    /// A protected record's tag does not verify (or the record is too short to hold one).
    AuthenticationFailed,
    /// A key, IV or secret of the wrong length for the cipher suite.
    BadKeyLength,
    /// A cipher suite this implementation does not implement.
    UnsupportedCipherSuite,
    /// The MTU leaves no room for even one byte of handshake body.
    MtuTooSmall,
    /// The peer's certificate does not match the `a=fingerprint` from its SDP (fail closed).
    FingerprintMismatch,
    /// The handshake did not complete before the configured deadline.
    HandshakeTimeout,
    /// The peer offered (or picked) no cipher suite we enabled.
    NoCommonCipherSuite,
    /// The peer offered (or picked) no SRTP protection profile we enabled, or sent no use_srtp.
    NoCommonSrtpProfile,
    /// The peer offers no key-exchange group we implement (P-256).
    NoCommonGroup,
    /// The peer accepts none of the signature schemes we can produce or verify.
    NoCommonSignatureScheme,
    /// A handshake message or record the current state does not allow.
    UnexpectedMessage,
    /// The peer's certificate cannot be parsed, or its key does not fit the cipher suite.
    BadCertificate,
    /// The peer sent no certificate although WebRTC requires one.
    NoPeerCertificate,
    /// A ServerKeyExchange or CertificateVerify signature does not verify.
    BadSignature,
    /// The peer's Finished verify_data is wrong.
    BadFinished,
    /// The peer's ECDHE public key is not a valid point.
    BadKeyShare,
    /// The peer's hello picked something we never offered, or is otherwise inconsistent.
    IllegalParameter,
    /// The peer sent a fatal alert (or an unexpected warning) with this description.
    PeerAlert(crate::dtls::wire::AlertDescription),
    /// The operation needs an established connection.
    NotConnected,
    /// The connection is closed or failed; nothing more can be sent.
    Closed,
    /// The injected random number generator failed.
    Rng,
    /// Our own configuration is unusable (no suites, no profiles, bad fingerprint length).
    BadConfig,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Error::Truncated => "DTLS input truncated",
            Error::BadLength => "DTLS length field inconsistent",
            Error::EmptyList => "DTLS list must not be empty",
            Error::BadVersion => "unsupported DTLS version",
            Error::RecordTooLong => "DTLS record too long",
            Error::FragmentOutOfRange => "DTLS handshake fragment outside its message",
            Error::FragmentMismatch => "DTLS handshake fragments disagree",
            Error::MessageTooLarge => "DTLS handshake message too large for the reassembly buffer",
            Error::TooFragmented => "DTLS handshake message has too many holes",
            Error::BadExtension => "malformed DTLS extension",
            Error::DuplicateExtension => "duplicate DTLS extension",
            Error::TooManyExtensions => "too many DTLS extensions",
            Error::TooManyCertificates => "too many certificates",
            Error::BadValue => "DTLS field has a forbidden value",
            Error::BufferTooSmall => "output buffer too small",
            Error::TooLong => "value too long for its DTLS field",
            Error::AuthenticationFailed => "DTLS record authentication failed",
            Error::BadKeyLength => "DTLS key material of the wrong length",
            Error::UnsupportedCipherSuite => "unsupported DTLS cipher suite",
            Error::MtuTooSmall => "MTU too small for a DTLS handshake fragment",
            Error::FingerprintMismatch => "peer certificate does not match its SDP fingerprint",
            Error::HandshakeTimeout => "DTLS handshake timed out",
            Error::NoCommonCipherSuite => "no common DTLS cipher suite",
            Error::NoCommonSrtpProfile => "no common SRTP protection profile",
            Error::NoCommonGroup => "no common key-exchange group",
            Error::NoCommonSignatureScheme => "no common signature scheme",
            Error::UnexpectedMessage => "unexpected DTLS message",
            Error::BadCertificate => "unusable peer certificate",
            Error::NoPeerCertificate => "peer sent no certificate",
            Error::BadSignature => "peer handshake signature does not verify",
            Error::BadFinished => "peer Finished does not verify",
            Error::BadKeyShare => "invalid peer ECDHE public key",
            Error::IllegalParameter => "peer hello has an illegal parameter",
            Error::PeerAlert(_) => "peer sent a fatal DTLS alert",
            Error::NotConnected => "DTLS connection not established",
            Error::Closed => "DTLS connection closed",
            Error::Rng => "random number generator failed",
            Error::BadConfig => "invalid DTLS configuration",
        })
    }
}

impl core::error::Error for Error {}
