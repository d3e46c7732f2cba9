//! The four protection profiles WebRTC negotiates through DTLS `use_srtp` (RFC 5764,
//! RFC 7714) and their sizes.

/// An SRTP protection profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// SRTP_AES128_CM_HMAC_SHA1_80 (0x0001): AES-128 counter mode, 80-bit HMAC-SHA1 tag.
    Aes128CmHmacSha1_80,
    /// SRTP_AES128_CM_HMAC_SHA1_32 (0x0002): as above with a 32-bit tag on RTP
    /// (SRTCP keeps 80 bits, RFC 5764 §4.1.2).
    Aes128CmHmacSha1_32,
    /// SRTP_AEAD_AES_128_GCM (0x0007, RFC 7714).
    AeadAes128Gcm,
    /// SRTP_AEAD_AES_256_GCM (0x0008, RFC 7714).
    AeadAes256Gcm,
}

impl Profile {
    /// Every profile, in the default preference order (AEAD first: cheaper and stronger).
    pub const ALL: [Profile; 4] = [
        Profile::AeadAes128Gcm,
        Profile::AeadAes256Gcm,
        Profile::Aes128CmHmacSha1_80,
        Profile::Aes128CmHmacSha1_32,
    ];

    /// The profile's `use_srtp` identifier.
    pub const fn id(self) -> u16 {
        match self {
            Profile::Aes128CmHmacSha1_80 => 0x0001,
            Profile::Aes128CmHmacSha1_32 => 0x0002,
            Profile::AeadAes128Gcm => 0x0007,
            Profile::AeadAes256Gcm => 0x0008,
        }
    }

    /// The profile for a `use_srtp` identifier.
    pub const fn from_id(id: u16) -> Option<Profile> {
        match id {
            0x0001 => Some(Profile::Aes128CmHmacSha1_80),
            0x0002 => Some(Profile::Aes128CmHmacSha1_32),
            0x0007 => Some(Profile::AeadAes128Gcm),
            0x0008 => Some(Profile::AeadAes256Gcm),
            _ => None,
        }
    }

    /// Master key length in bytes.
    pub const fn master_key_len(self) -> usize {
        match self {
            Profile::AeadAes256Gcm => 32,
            _ => 16,
        }
    }

    /// Master salt length in bytes.
    pub const fn master_salt_len(self) -> usize {
        match self {
            Profile::Aes128CmHmacSha1_80 | Profile::Aes128CmHmacSha1_32 => 14,
            Profile::AeadAes128Gcm | Profile::AeadAes256Gcm => 12,
        }
    }

    /// Bytes SRTP adds to an RTP packet (the authentication tag).
    pub const fn rtp_overhead(self) -> usize {
        match self {
            Profile::Aes128CmHmacSha1_80 => 10,
            Profile::Aes128CmHmacSha1_32 => 4,
            Profile::AeadAes128Gcm | Profile::AeadAes256Gcm => 16,
        }
    }

    /// Bytes SRTCP adds to an RTCP packet (SRTCP index and tag).
    pub const fn rtcp_overhead(self) -> usize {
        4 + match self {
            Profile::Aes128CmHmacSha1_80 | Profile::Aes128CmHmacSha1_32 => 10,
            Profile::AeadAes128Gcm | Profile::AeadAes256Gcm => 16,
        }
    }

    /// True for the AEAD (GCM) profiles.
    pub const fn is_aead(self) -> bool {
        matches!(self, Profile::AeadAes128Gcm | Profile::AeadAes256Gcm)
    }
}
