use core::fmt;

/// Everything that can go wrong reading or writing a STUN message.
///
/// Bad input from the network is always one of these, never a panic. Callers count them
/// (a server answers a malformed request with nothing, an unknown comprehension-required
/// attribute with a 420, a failed integrity check with a 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Shorter than the 20-byte header, or shorter than the header's length field says.
    Truncated,
    /// The first two bits are not zero: not a STUN message (RTP, DTLS, ChannelData...).
    NotStun,
    /// The magic cookie is missing: an RFC 3489 message, which rtcam does not speak.
    NoMagicCookie,
    /// The header's length is not a multiple of 4 or disagrees with the datagram size.
    BadLength,
    /// An attribute's length runs past the end of the message.
    AttributeOverrun,
    /// A known attribute whose value has the wrong size or content.
    InvalidAttribute(u16),
    /// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT appears twice.
    DuplicateIntegrity(u16),
    /// An attribute follows FINGERPRINT, which must be last.
    AttributeAfterFingerprint,
    /// FINGERPRINT does not match the message's CRC-32.
    FingerprintMismatch,
    /// The message has no FINGERPRINT to check (ICE requires one).
    NoFingerprint,
    /// The message carries no MESSAGE-INTEGRITY(-SHA256) to check.
    NoIntegrity,
    /// MESSAGE-INTEGRITY(-SHA256) does not verify with the given key.
    IntegrityMismatch,
    /// A credential string is not valid under the OpaqueString profile (RFC 8265).
    InvalidCredential,
    /// The caller's output buffer cannot hold the message.
    BufferTooSmall,
    /// A value cannot be encoded (string too long, error code out of range...).
    ValueOutOfRange,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => f.write_str("STUN message truncated"),
            Error::NotStun => f.write_str("not a STUN message (leading bits set)"),
            Error::NoMagicCookie => f.write_str("no STUN magic cookie (RFC 3489 message?)"),
            Error::BadLength => f.write_str("STUN header length is inconsistent"),
            Error::AttributeOverrun => f.write_str("STUN attribute runs past the message end"),
            Error::InvalidAttribute(t) => write!(f, "malformed STUN attribute 0x{t:04x}"),
            Error::DuplicateIntegrity(t) => write!(f, "STUN attribute 0x{t:04x} appears twice"),
            Error::AttributeAfterFingerprint => f.write_str("STUN attribute after FINGERPRINT"),
            Error::FingerprintMismatch => f.write_str("STUN FINGERPRINT mismatch"),
            Error::NoFingerprint => f.write_str("STUN message has no FINGERPRINT"),
            Error::NoIntegrity => f.write_str("STUN message has no MESSAGE-INTEGRITY"),
            Error::IntegrityMismatch => f.write_str("STUN MESSAGE-INTEGRITY does not verify"),
            Error::InvalidCredential => f.write_str("credential rejected by OpaqueString"),
            Error::BufferTooSmall => f.write_str("output buffer too small for STUN message"),
            Error::ValueOutOfRange => f.write_str("value cannot be encoded in STUN"),
        }
    }
}

impl core::error::Error for Error {}
