use core::fmt;

/// Everything that can go wrong reading or writing RTP and RTCP.
///
/// A peer's malformed packet is always one of these, never a panic: the caller drops the
/// packet and counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// Shorter than a fixed header, or shorter than a length or count field says.
    Truncated,
    /// The version field is not 2.
    BadVersion,
    /// A length field disagrees with the data (not a multiple of 4, runs past the end,
    /// leaves trailing bytes, or is too short for the packet type).
    BadLength,
    /// The padding bit is set but the padding count is 0 or runs into the header.
    BadPadding,
    /// A header extension (RFC 8285 element list) is malformed: an element runs past the
    /// block, or uses a reserved identifier.
    BadExtension,
    /// More CSRCs than [`MAX_CSRCS`](crate::MAX_CSRCS) (emit side; 4 bits cannot say more).
    TooManyCsrcs,
    /// More header extension elements than
    /// [`MAX_EXTENSION_ELEMENTS`](crate::MAX_EXTENSION_ELEMENTS).
    TooManyExtensions,
    /// More report blocks, SDES chunks/items, BYE sources, NACK pairs, FIR entries, REMB
    /// SSRCs or TWCC packets than this crate's bounds (or the wire's 5-bit counts) allow.
    TooManyItems,
    /// A field holds a reserved or impossible value (TWCC reserved status symbol, SDES
    /// list without its terminator, REMB without its identifier...).
    Malformed,
    /// An RTCP packet type or feedback message type this crate does not decode.
    Unsupported,
    /// A compound RTCP packet that does not start with SR or RR (RFC 3550 §6.1) and is
    /// not a lone feedback packet (RFC 5506 reduced size).
    BadCompound,
    /// A field value cannot be encoded (identifier out of range, element too long,
    /// sequence numbers not sorted, text too long...).
    ValueOutOfRange,
    /// The caller's output buffer is too small; `needed` bytes would do.
    BufferTooSmall {
        /// The size of buffer that would have been enough.
        needed: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Truncated => f.write_str("RTP/RTCP packet truncated"),
            Error::BadVersion => f.write_str("RTP/RTCP version is not 2"),
            Error::BadLength => f.write_str("RTP/RTCP length field is inconsistent"),
            Error::BadPadding => f.write_str("RTP/RTCP padding is invalid"),
            Error::BadExtension => f.write_str("RTP header extension is malformed"),
            Error::TooManyCsrcs => f.write_str("too many RTP CSRCs"),
            Error::TooManyExtensions => f.write_str("too many RTP header extension elements"),
            Error::TooManyItems => f.write_str("too many items in RTCP packet"),
            Error::Malformed => f.write_str("RTCP field holds a reserved or impossible value"),
            Error::Unsupported => f.write_str("unsupported RTCP packet type"),
            Error::BadCompound => f.write_str("RTCP compound packet does not start with SR/RR"),
            Error::ValueOutOfRange => f.write_str("value cannot be encoded in RTP/RTCP"),
            Error::BufferTooSmall { needed } => {
                write!(f, "output buffer too small ({needed} bytes needed)")
            }
        }
    }
}

impl core::error::Error for Error {}
