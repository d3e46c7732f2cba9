//! Codecs as negotiated in SDP: recognising them from `a=rtpmap` + `a=fmtp`, matching an
//! offer against local capabilities, and writing our own `a=fmtp`.

use core::fmt;

use crate::attribute::{Fmtp, Rtpmap};
use crate::text::{dec_u8, dec_u32};

/// An H.264 profile, as `profile-level-id` encodes it (RFC 6184 §8.1, H.264 Annex A):
/// `profile_idc` plus the constraint flags of `profile-iop`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum H264Profile {
    /// Constrained Baseline (42e0xx, 4240xx, 4de0xx...): what every browser decodes.
    ConstrainedBaseline,
    /// Baseline without the constraint flag (4200xx).
    Baseline,
    /// Main (4d00xx).
    Main,
    /// Constrained High (640cxx).
    ConstrainedHigh,
    /// High (6400xx).
    High,
    /// Predictive High 4:4:4 (f400xx).
    PredictiveHigh444,
}

/// `profile-level-id`: three bytes, written as six hex digits (`42e01f`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProfileLevelId {
    /// `profile_idc`.
    pub profile_idc: u8,
    /// `profile-iop`: constraint_set0..5 flags and reserved bits.
    pub profile_iop: u8,
    /// `level_idc` (31 = level 3.1; 11 with constraint_set3 = level 1b).
    pub level_idc: u8,
}

impl ProfileLevelId {
    /// Constrained Baseline level 3.1, the WebRTC default.
    pub const CONSTRAINED_BASELINE_3_1: ProfileLevelId = ProfileLevelId::from_u32(0x42e01f);
    /// Baseline level 3.1.
    pub const BASELINE_3_1: ProfileLevelId = ProfileLevelId::from_u32(0x42001f);
    /// Main level 3.1.
    pub const MAIN_3_1: ProfileLevelId = ProfileLevelId::from_u32(0x4d001f);
    /// High level 3.1.
    pub const HIGH_3_1: ProfileLevelId = ProfileLevelId::from_u32(0x64001f);
    /// The value RFC 6184 implies when the parameter is absent (Baseline level 1.0).
    pub const DEFAULT: ProfileLevelId = ProfileLevelId::from_u32(0x42000a);

    /// From the 24-bit value.
    pub const fn from_u32(v: u32) -> Self {
        ProfileLevelId {
            profile_idc: (v >> 16) as u8,
            profile_iop: (v >> 8) as u8,
            level_idc: v as u8,
        }
    }

    /// Reads six hex digits.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 6 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let v = u32::from_str_radix(s, 16).ok()?;
        Some(Self::from_u32(v))
    }

    /// The profile, or `None` for combinations WebRTC does not use.
    pub fn profile(&self) -> Option<H264Profile> {
        let iop = self.profile_iop;
        // Constraint flags that matter: set0 (0x80), set1 (0x40), set3 (0x10), plus
        // set4/set5 (0x08/0x04) for the High variants. Reserved low bits must be zero.
        if iop & 0x03 != 0 {
            return None;
        }
        let set0 = iop & 0x80 != 0;
        let set1 = iop & 0x40 != 0;
        let set45 = iop & 0x0c;
        Some(match self.profile_idc {
            0x42 if set1 => H264Profile::ConstrainedBaseline,
            0x42 => H264Profile::Baseline,
            0x4d if set0 => H264Profile::ConstrainedBaseline,
            0x4d if !set1 => H264Profile::Main,
            0x58 if set0 && set1 => H264Profile::ConstrainedBaseline,
            0x58 if set0 => H264Profile::Baseline,
            0x64 if iop == 0x0c => H264Profile::ConstrainedHigh,
            0x64 if iop == 0 => H264Profile::High,
            0xf4 if iop == 0 && set45 == 0 => H264Profile::PredictiveHigh444,
            _ => return None,
        })
    }

    /// The same profile at another level.
    pub const fn with_level(self, level_idc: u8) -> Self {
        ProfileLevelId { level_idc, ..self }
    }
}

impl fmt::Display for ProfileLevelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02x}{:02x}{:02x}",
            self.profile_idc, self.profile_iop, self.level_idc
        )
    }
}

/// H.264 parameters that decide compatibility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct H264 {
    /// Profile and level.
    pub profile_level_id: ProfileLevelId,
    /// 0 = single NAL unit mode, 1 = non-interleaved (STAP-A, FU-A): what WebRTC uses.
    pub packetization_mode: u8,
}

impl H264 {
    /// Constrained Baseline 3.1, packetization mode 1: the browser default.
    pub const fn constrained_baseline() -> Self {
        H264 {
            profile_level_id: ProfileLevelId::CONSTRAINED_BASELINE_3_1,
            packetization_mode: 1,
        }
    }
}

/// H.265 parameters (RFC 7798 §7.1): `profile-id`, `tier-flag`, `level-id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct H265 {
    /// 1 = Main, 2 = Main 10.
    pub profile_id: u8,
    /// 0 = Main tier.
    pub tier_flag: u8,
    /// 30 × level (93 = level 3.1).
    pub level_id: u8,
}

impl H265 {
    /// Main profile, Main tier, level 3.1.
    pub const fn main() -> Self {
        H265 {
            profile_id: 1,
            tier_flag: 0,
            level_id: 93,
        }
    }
}

/// The codecs rtcam negotiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Codec {
    /// H.264 (RFC 6184).
    H264(H264),
    /// H.265 (RFC 7798).
    H265(H265),
    /// VP8 (RFC 7741).
    Vp8,
    /// Opus (RFC 7587), 48 kHz, 2 channels in SDP.
    Opus,
    /// G.711 µ-law, static payload type 0.
    Pcmu,
    /// G.711 A-law, static payload type 8.
    Pcma,
}

impl Codec {
    /// The encoding name for `a=rtpmap`.
    pub const fn name(&self) -> &'static str {
        match self {
            Codec::H264(_) => "H264",
            Codec::H265(_) => "H265",
            Codec::Vp8 => "VP8",
            Codec::Opus => "opus",
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// The RTP clock rate.
    pub const fn clock_rate(&self) -> u32 {
        match self {
            Codec::H264(_) | Codec::H265(_) | Codec::Vp8 => 90_000,
            Codec::Opus => 48_000,
            Codec::Pcmu | Codec::Pcma => 8_000,
        }
    }

    /// The channel count written in `a=rtpmap` (Opus always says 2).
    pub const fn channels(&self) -> Option<u16> {
        match self {
            Codec::Opus => Some(2),
            _ => None,
        }
    }

    /// Whether this is a video codec.
    pub const fn is_video(&self) -> bool {
        matches!(self, Codec::H264(_) | Codec::H265(_) | Codec::Vp8)
    }

    /// The static payload type (RFC 3551) a section may list without `a=rtpmap`.
    pub const fn static_payload_type(&self) -> Option<u8> {
        match self {
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
            _ => None,
        }
    }

    /// Recognises a codec from its `a=rtpmap` (or a static payload type without one) and
    /// `a=fmtp`. `None` for codecs rtcam does not handle (rtx, red, ulpfec, VP9, AV1...).
    pub fn from_sdp(pt: u8, rtpmap: Option<&Rtpmap<'_>>, fmtp: Option<&Fmtp<'_>>) -> Option<Self> {
        let Some(r) = rtpmap else {
            return match pt {
                0 => Some(Codec::Pcmu),
                8 => Some(Codec::Pcma),
                _ => None,
            };
        };
        let name = r.encoding;
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        let param = |k: &str| fmtp.and_then(|f| f.get(k));
        Some(if is("H264") && r.clock_rate == 90_000 {
            let profile_level_id = match param("profile-level-id") {
                Some(p) => ProfileLevelId::parse(p)?,
                None => ProfileLevelId::DEFAULT,
            };
            let packetization_mode = match param("packetization-mode") {
                Some(m) => dec_u8(m).filter(|m| *m <= 2)?,
                None => 0,
            };
            Codec::H264(H264 {
                profile_level_id,
                packetization_mode,
            })
        } else if is("H265") && r.clock_rate == 90_000 {
            let num = |k: &str, default: u8| match param(k) {
                Some(v) => dec_u8(v),
                None => Some(default),
            };
            Codec::H265(H265 {
                profile_id: num("profile-id", 1)?,
                tier_flag: num("tier-flag", 0)?,
                level_id: num("level-id", 93)?,
            })
        } else if is("VP8") && r.clock_rate == 90_000 {
            Codec::Vp8
        } else if is("opus") && r.clock_rate == 48_000 && r.channels == Some(2) {
            Codec::Opus
        } else if is("PCMU") && r.clock_rate == 8_000 && r.channels.unwrap_or(1) == 1 {
            Codec::Pcmu
        } else if is("PCMA") && r.clock_rate == 8_000 && r.channels.unwrap_or(1) == 1 {
            Codec::Pcma
        } else {
            return None;
        })
    }

    /// Whether a remote codec can be used for this local one: same codec; for H.264 the
    /// same profile and packetization mode (the level may differ: see
    /// [`Codec::answer_for`]); for H.265 the same profile and tier.
    pub fn matches(&self, remote: &Codec) -> bool {
        match (self, remote) {
            (Codec::H264(l), Codec::H264(r)) => {
                l.packetization_mode == r.packetization_mode
                    && l.profile_level_id.profile().is_some()
                    && l.profile_level_id.profile() == r.profile_level_id.profile()
            }
            (Codec::H265(l), Codec::H265(r)) => {
                l.profile_id == r.profile_id && l.tier_flag == r.tier_flag
            }
            (l, r) => core::mem::discriminant(l) == core::mem::discriminant(r),
        }
    }

    /// The parameters we announce for `local` when the remote offered `remote`
    /// (RFC 6184 §8.2.2): our own profile; the lower of both levels unless the remote
    /// allows level asymmetry.
    pub fn answer_for(&self, remote: &Codec, remote_fmtp: Option<&Fmtp<'_>>) -> Codec {
        match (self, remote) {
            (Codec::H264(l), Codec::H264(r)) => {
                let asymmetric = remote_fmtp
                    .and_then(|f| f.get("level-asymmetry-allowed"))
                    .is_some_and(|v| v == "1");
                let level = if asymmetric {
                    l.profile_level_id.level_idc
                } else {
                    l.profile_level_id
                        .level_idc
                        .min(r.profile_level_id.level_idc)
                };
                Codec::H264(H264 {
                    profile_level_id: l.profile_level_id.with_level(level),
                    ..*l
                })
            }
            (Codec::H265(l), Codec::H265(r)) => Codec::H265(H265 {
                level_id: l.level_id.min(r.level_id),
                ..*l
            }),
            _ => *self,
        }
    }

    /// Our `a=fmtp` parameters for this codec, if it has any.
    pub fn fmtp(&self) -> Option<impl fmt::Display + '_> {
        struct Params<'c>(&'c Codec);
        impl fmt::Display for Params<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self.0 {
                    Codec::H264(h) => write!(
                        f,
                        "level-asymmetry-allowed=1;packetization-mode={};profile-level-id={}",
                        h.packetization_mode, h.profile_level_id
                    ),
                    Codec::H265(h) => write!(
                        f,
                        "level-id={};profile-id={};tier-flag={}",
                        h.level_id, h.profile_id, h.tier_flag
                    ),
                    Codec::Opus => f.write_str("minptime=10;useinbandfec=1"),
                    _ => Ok(()),
                }
            }
        }
        matches!(self, Codec::H264(_) | Codec::H265(_) | Codec::Opus).then_some(Params(self))
    }
}

/// The RTX payload type's `apt` (associated payload type), if `fmtp` is RTX's.
pub(crate) fn rtx_apt(rtpmap: &Rtpmap<'_>, fmtp: Option<&Fmtp<'_>>) -> Option<u8> {
    if !rtpmap.encoding.eq_ignore_ascii_case("rtx") {
        return None;
    }
    fmtp?
        .get("apt")
        .and_then(dec_u32)
        .and_then(|v| u8::try_from(v).ok())
        .filter(|v| *v <= 127)
}
