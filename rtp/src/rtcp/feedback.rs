//! BYE and APP (RFC 3550 §6.6, §6.7) and the feedback messages rtcam acts on: generic
//! NACK and PLI (RFC 4585), FIR (RFC 5104), REMB (draft-alvestrand-rmcat-remb).

use super::list::{List, WireItem};
use super::{MAX_COUNT, field, fmt, word};
use crate::Error;
use crate::bytes::{pad4, put, put_u8, put_u16, put_u32, u8_at, u16_at, u32_at, zero};

/// Writes the sender and media SSRCs that open every feedback packet.
fn put_ssrcs(b: &mut [u8], sender: u32, media: u32) -> Option<()> {
    put_u32(b, 0, sender)?;
    put_u32(b, 4, media)
}

/// The feedback control information after the two SSRCs, a multiple of 4 bytes.
fn fci(body: &[u8]) -> Result<&[u8], Error> {
    let fci = body.get(8..).ok_or(Error::Truncated)?;
    if fci.len() % 4 != 0 {
        return Err(Error::BadLength);
    }
    Ok(fci)
}

/// BYE: sources leaving the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bye<'a> {
    /// The sources leaving (at most 31).
    pub sources: List<'a, u32>,
    /// Why, if said (at most 255 bytes).
    pub reason: Option<&'a [u8]>,
}

impl<'a> Bye<'a> {
    pub(crate) fn parse(count: u8, body: &'a [u8]) -> Result<Bye<'a>, Error> {
        let n = 4 * usize::from(count);
        let sources = List::from_wire(field(body, 0, n)?);
        let rest = body.get(n..).unwrap_or_default();
        let reason = match u8_at(rest, 0) {
            None => None,
            Some(len) => {
                let text = field(rest, 1, usize::from(len))?;
                if pad4(1 + text.len()) != rest.len() {
                    return Err(Error::BadLength);
                }
                Some(text)
            }
        };
        Ok(Bye { sources, reason })
    }

    pub(crate) fn body_len(&self) -> usize {
        4 * self.sources.len() + self.reason.map_or(0, |r| pad4(1 + r.len()))
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        if self.sources.len() > MAX_COUNT {
            return Err(Error::TooManyItems);
        }
        let needed = Error::BufferTooSmall {
            needed: 4 + self.body_len(),
        };
        let at = self.sources.write(b, 0).ok_or(needed)?;
        if let Some(reason) = self.reason {
            let len = u8::try_from(reason.len()).map_err(|_| Error::ValueOutOfRange)?;
            put_u8(b, at, len).ok_or(needed)?;
            put(b, at + 1, reason).ok_or(needed)?;
            let end = at + pad4(1 + reason.len());
            let text_end = at + 1 + reason.len();
            zero(b, text_end, end - text_end).ok_or(needed)?;
        }
        Ok(self.sources.len() as u8)
    }
}

/// APP: application-defined data, named by four ASCII characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct App<'a> {
    /// The 5-bit subtype.
    pub subtype: u8,
    /// The sender's SSRC.
    pub ssrc: u32,
    /// The four-character name.
    pub name: [u8; 4],
    /// Application data (a multiple of 4 bytes).
    pub data: &'a [u8],
}

impl<'a> App<'a> {
    pub(crate) fn parse(count: u8, body: &'a [u8]) -> Result<App<'a>, Error> {
        let name = field(body, 4, 4)?;
        let data = body.get(8..).unwrap_or_default();
        if data.len() % 4 != 0 {
            return Err(Error::BadLength);
        }
        Ok(App {
            subtype: count,
            ssrc: word(body, 0)?,
            name: name.try_into().map_err(|_| Error::Truncated)?,
            data,
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        8 + self.data.len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        if self.subtype > 31 || self.data.len() % 4 != 0 {
            return Err(Error::ValueOutOfRange);
        }
        put_u32(b, 0, self.ssrc)
            .and_then(|()| put(b, 4, &self.name))
            .and_then(|()| put(b, 8, self.data))
            .ok_or(Error::BufferTooSmall {
                needed: 4 + self.body_len(),
            })?;
        Ok(self.subtype)
    }
}

/// One NACK entry: a lost packet id and a bitmask of the 16 that follow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NackPair {
    /// PID: a lost sequence number.
    pub pid: u16,
    /// BLP: bit `i` set means `pid + i + 1` is lost too.
    pub blp: u16,
}

impl WireItem for NackPair {
    const LEN: usize = 4;
    fn read(b: &[u8]) -> Option<NackPair> {
        Some(NackPair {
            pid: u16_at(b, 0)?,
            blp: u16_at(b, 2)?,
        })
    }
    fn write(&self, b: &mut [u8]) -> Option<()> {
        put_u16(b, 0, self.pid)?;
        put_u16(b, 2, self.blp)
    }
}

impl NackPair {
    /// The lost sequence numbers this pair names, in order (wrapping past 65535).
    pub fn lost(self) -> impl Iterator<Item = u16> {
        let rest = (0..16u16)
            .filter(move |i| self.blp & (1 << i) != 0)
            .map(move |i| self.pid.wrapping_add(i + 1));
        core::iter::once(self.pid).chain(rest)
    }

    /// Packs lost sequence numbers, in sending order (wrap-around allowed: 65534, 65535,
    /// 0...), into pairs: each pair's PID is the first number not covered by the previous
    /// pair, and the 16 numbers after it go into its BLP. Writes into `out` and returns how
    /// many pairs; `BufferTooSmall { needed }` (in pairs) if `out` is short. Duplicates
    /// are harmless; unsorted input still covers every number, in more pairs.
    pub fn pack(lost: &[u16], out: &mut [NackPair]) -> Result<usize, Error> {
        let mut n = 0;
        let mut current: Option<NackPair> = None;
        let mut overflow = false;
        for &seq in lost {
            if let Some(pair) = current.as_mut() {
                let d = seq.wrapping_sub(pair.pid);
                if d == 0 {
                    continue;
                }
                if d <= 16 {
                    pair.blp |= 1 << (d - 1);
                    continue;
                }
                match out.get_mut(n) {
                    Some(slot) => *slot = *pair,
                    None => overflow = true,
                }
                n += 1;
            }
            current = Some(NackPair { pid: seq, blp: 0 });
        }
        if let Some(pair) = current {
            match out.get_mut(n) {
                Some(slot) => *slot = pair,
                None => overflow = true,
            }
            n += 1;
        }
        if overflow {
            return Err(Error::BufferTooSmall { needed: n });
        }
        Ok(n)
    }
}

/// Generic NACK (RFC 4585 §6.2.1): the receiver asks for retransmissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Nack<'a> {
    /// The SSRC of the packet's sender (the receiver asking).
    pub sender_ssrc: u32,
    /// The media source the lost packets came from.
    pub media_ssrc: u32,
    /// One or more PID/BLP pairs.
    pub pairs: List<'a, NackPair>,
}

impl<'a> Nack<'a> {
    /// Every lost sequence number, pair by pair.
    pub fn lost(&self) -> impl Iterator<Item = u16> + 'a {
        self.pairs.iter().flat_map(NackPair::lost)
    }

    pub(crate) fn parse(body: &'a [u8]) -> Result<Nack<'a>, Error> {
        let fci = fci(body)?;
        if fci.is_empty() {
            return Err(Error::BadLength);
        }
        Ok(Nack {
            sender_ssrc: word(body, 0)?,
            media_ssrc: word(body, 4)?,
            pairs: List::from_wire(fci),
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        8 + self.pairs.wire_len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        if self.pairs.is_empty() {
            return Err(Error::ValueOutOfRange);
        }
        put_ssrcs(b, self.sender_ssrc, self.media_ssrc)
            .and_then(|()| self.pairs.write(b, 8))
            .ok_or(Error::BufferTooSmall {
                needed: 4 + self.body_len(),
            })?;
        Ok(fmt::NACK)
    }
}

/// Picture loss indication (RFC 4585 §6.3.1): the receiver wants a key frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pli {
    /// The SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// The media source that should send a key frame.
    pub media_ssrc: u32,
}

impl Pli {
    pub(crate) fn parse(body: &[u8]) -> Result<Pli, Error> {
        if !fci(body)?.is_empty() {
            return Err(Error::BadLength);
        }
        Ok(Pli {
            sender_ssrc: word(body, 0)?,
            media_ssrc: word(body, 4)?,
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        8
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        put_ssrcs(b, self.sender_ssrc, self.media_ssrc)
            .ok_or(Error::BufferTooSmall { needed: 12 })?;
        Ok(fmt::PLI)
    }
}

/// One FIR entry: which source should send a key frame, and the request's sequence number
/// (incremented per new request, so repeats are recognised).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FirEntry {
    /// The media source asked for a key frame.
    pub ssrc: u32,
    /// Command sequence number.
    pub sequence: u8,
}

impl WireItem for FirEntry {
    const LEN: usize = 8;
    fn read(b: &[u8]) -> Option<FirEntry> {
        Some(FirEntry {
            ssrc: u32_at(b, 0)?,
            sequence: u8_at(b, 4)?,
        })
    }
    fn write(&self, b: &mut [u8]) -> Option<()> {
        put_u32(b, 0, self.ssrc)?;
        put(b, 4, &[self.sequence, 0, 0, 0])
    }
}

/// Full intra request (RFC 5104 §4.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Fir<'a> {
    /// The SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// Unused by FIR; RFC 5104 says 0 (kept as received).
    pub media_ssrc: u32,
    /// One or more requests.
    pub entries: List<'a, FirEntry>,
}

impl<'a> Fir<'a> {
    pub(crate) fn parse(body: &'a [u8]) -> Result<Fir<'a>, Error> {
        let fci = fci(body)?;
        if fci.is_empty() || fci.len() % FirEntry::LEN != 0 {
            return Err(Error::BadLength);
        }
        Ok(Fir {
            sender_ssrc: word(body, 0)?,
            media_ssrc: word(body, 4)?,
            entries: List::from_wire(fci),
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        8 + self.entries.wire_len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        if self.entries.is_empty() {
            return Err(Error::ValueOutOfRange);
        }
        put_ssrcs(b, self.sender_ssrc, self.media_ssrc)
            .and_then(|()| self.entries.write(b, 8))
            .ok_or(Error::BufferTooSmall {
                needed: 4 + self.body_len(),
            })?;
        Ok(fmt::FIR)
    }
}

/// The REMB identifier in the FCI.
const REMB: [u8; 4] = *b"REMB";
/// The largest bitrate REMB can carry: an 18-bit mantissa shifted by the largest exponent
/// that stays inside u64. Larger decoded values are clamped to it.
pub const MAX_REMB_BITRATE: u64 = 0x3ffff << 46;

/// Receiver estimated maximum bitrate: what the receiver's bandwidth estimator allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Remb<'a> {
    /// The SSRC of the packet's sender.
    pub sender_ssrc: u32,
    /// Unused by REMB; 0 (kept as received).
    pub media_ssrc: u32,
    /// The estimate, in bits per second. Written as an 18-bit mantissa and 6-bit exponent,
    /// so large values are rounded down to 18 significant bits.
    pub bitrate: u64,
    /// The media sources the estimate applies to (at most 255).
    pub ssrcs: List<'a, u32>,
}

impl<'a> Remb<'a> {
    /// The (exponent, mantissa) that encode `bitrate`, rounded down.
    pub fn encode_bitrate(bitrate: u64) -> (u8, u32) {
        let bitrate = bitrate.min(MAX_REMB_BITRATE);
        let mut exp = 0u8;
        while bitrate >> exp > 0x3ffff {
            exp += 1;
        }
        (exp, (bitrate >> exp) as u32)
    }

    /// The bitrate an (exponent, mantissa) pair means, clamped to [`MAX_REMB_BITRATE`].
    pub fn decode_bitrate(exp: u8, mantissa: u32) -> u64 {
        let m = u64::from(mantissa & 0x3ffff);
        if m == 0 {
            return 0;
        }
        if u32::from(exp) > m.leading_zeros() {
            return MAX_REMB_BITRATE;
        }
        (m << exp).min(MAX_REMB_BITRATE)
    }

    pub(crate) fn parse(body: &'a [u8]) -> Result<Remb<'a>, Error> {
        let fci = fci(body)?;
        if field(fci, 0, 4)? != REMB {
            return Err(Error::Unsupported);
        }
        let num = u8_at(fci, 4).ok_or(Error::Truncated)?;
        let exp_mant = u32_at(fci, 4).ok_or(Error::Truncated)?;
        let exp = ((exp_mant >> 18) & 0x3f) as u8;
        let ssrcs = fci.get(8..).unwrap_or_default();
        if ssrcs.len() != 4 * usize::from(num) {
            return Err(Error::BadLength);
        }
        Ok(Remb {
            sender_ssrc: word(body, 0)?,
            media_ssrc: word(body, 4)?,
            bitrate: Remb::decode_bitrate(exp, exp_mant),
            ssrcs: List::from_wire(ssrcs),
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        16 + 4 * self.ssrcs.len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        let num = u8::try_from(self.ssrcs.len()).map_err(|_| Error::TooManyItems)?;
        let (exp, mantissa) = Remb::encode_bitrate(self.bitrate);
        let word = (u32::from(num) << 24) | (u32::from(exp) << 18) | mantissa;
        put_ssrcs(b, self.sender_ssrc, self.media_ssrc)
            .and_then(|()| put(b, 8, &REMB))
            .and_then(|()| put_u32(b, 12, word))
            .and_then(|()| self.ssrcs.write(b, 16))
            .ok_or(Error::BufferTooSmall {
                needed: 4 + self.body_len(),
            })?;
        Ok(fmt::AFB)
    }
}
