use core::fmt;

/// What can go wrong feeding the TURN client or asking it to send.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A STUN-level problem with a message from the server.
    Stun(rtcam_stun::Error),
    /// Shorter than its header says.
    Truncated,
    /// A length that does not match the bytes.
    BadLength,
    /// Not a ChannelData message (channel number outside 0x4000..=0x4FFF).
    NotChannelData,
    /// Neither STUN nor ChannelData.
    NotTurn,
    /// The caller's output buffer is too small.
    BufferTooSmall,
    /// Application data larger than one message can carry.
    TooLarge,
    /// There is no allocation to send through (not yet allocated, failed, or closed).
    NotAllocated,
    /// No permission (pending or installed) for this peer: call `create_permission` first.
    NoPermission,
    /// The permission or channel table is full.
    TableFull,
    /// No free channel number is left.
    NoChannel,
    /// A credential is longer than this client stores, or not valid for STUN.
    BadCredential,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Stun(e) => write!(f, "TURN: {e}"),
            Error::Truncated => f.write_str("TURN message truncated"),
            Error::BadLength => f.write_str("TURN message length is inconsistent"),
            Error::NotChannelData => f.write_str("not a ChannelData message"),
            Error::NotTurn => f.write_str("neither STUN nor ChannelData"),
            Error::BufferTooSmall => f.write_str("output buffer too small"),
            Error::TooLarge => f.write_str("data too large for one TURN message"),
            Error::NotAllocated => f.write_str("no TURN allocation"),
            Error::NoPermission => f.write_str("no TURN permission for this peer"),
            Error::TableFull => f.write_str("TURN permission/channel table full"),
            Error::NoChannel => f.write_str("no free TURN channel number"),
            Error::BadCredential => f.write_str("TURN credential not usable"),
        }
    }
}

impl core::error::Error for Error {}

impl From<rtcam_stun::Error> for Error {
    fn from(e: rtcam_stun::Error) -> Error {
        Error::Stun(e)
    }
}
