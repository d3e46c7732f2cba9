//! Transport-wide congestion control feedback
//! (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): per transport-wide sequence
//! number, whether the packet arrived and its arrival time delta.

use core::fmt;

use super::{field, word};
use crate::Error;
use crate::bytes::{pad4, put, put_u8, put_u16, put_u24, put_u32, u8_at, u16_at, u24_at, zero};

/// Status symbols (2 bits each on the wire).
const NOT_RECEIVED: u16 = 0;
const SMALL_DELTA: u16 = 1;
const LARGE_DELTA: u16 = 2;
/// A run-length chunk's longest run (13 bits).
const MAX_RUN: usize = 0x1fff;
/// Receive deltas are in units of 250 µs.
pub const DELTA_TICK_US: i64 = 250;
/// The reference time is in units of 64 ms.
pub const REFERENCE_TICK_US: i64 = 64_000;

/// The status symbol of one packet.
fn symbol(status: Option<i16>) -> u16 {
    match status {
        None => NOT_RECEIVED,
        Some(0..=255) => SMALL_DELTA,
        Some(_) => LARGE_DELTA,
    }
}

/// The delta bytes a symbol takes.
fn delta_len(symbol: u16) -> usize {
    match symbol {
        SMALL_DELTA => 1,
        LARGE_DELTA => 2,
        _ => 0,
    }
}

#[derive(Clone, Copy)]
enum Inner<'a> {
    /// Validated chunks (exactly covering `count` statuses, perhaps a few more symbols in
    /// the last chunk) and the delta bytes they call for.
    Wire {
        count: u16,
        chunks: &'a [u8],
        deltas: &'a [u8],
    },
    /// One entry per sequence number from the base: `None` not received, `Some(delta)`
    /// received, delta in 250 µs ticks from the previous received packet (the first from
    /// the reference time).
    Values(&'a [Option<i16>]),
}

/// The per-packet statuses of a feedback message: received chunks and deltas, or the
/// caller's values to encode.
#[derive(Clone, Copy)]
pub struct TwccStatuses<'a>(Inner<'a>);

impl<'a> TwccStatuses<'a> {
    /// Statuses to emit: entry `i` is for sequence number `base + i`; `None` = lost,
    /// `Some(d)` = received `d` × 250 µs after the previous received one.
    pub const fn from_values(values: &'a [Option<i16>]) -> TwccStatuses<'a> {
        TwccStatuses(Inner::Values(values))
    }

    /// The packet status count.
    pub fn len(&self) -> usize {
        match self.0 {
            Inner::Wire { count, .. } => usize::from(count),
            Inner::Values(v) => v.len(),
        }
    }

    /// No statuses.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The statuses in sequence order.
    pub fn iter(&self) -> TwccIter<'a> {
        TwccIter {
            inner: self.0,
            index: 0,
            chunk_at: 0,
            in_chunk: 0,
            delta_at: 0,
        }
    }

    /// Checks received chunks and deltas: `count` statuses, no reserved symbol, every
    /// delta present. Returns the statuses and how many bytes of `rest` they use.
    fn parse(count: u16, rest: &'a [u8]) -> Result<(TwccStatuses<'a>, usize), Error> {
        let mut covered = 0usize;
        let mut at = 0usize;
        let mut deltas = 0usize;
        while covered < usize::from(count) {
            let chunk = u16_at(rest, at).ok_or(Error::Truncated)?;
            at += 2;
            let left = usize::from(count) - covered;
            let mut take = |sym: u16| -> Result<(), Error> {
                if sym == 3 {
                    return Err(Error::Malformed);
                }
                deltas += delta_len(sym);
                Ok(())
            };
            if chunk & 0x8000 == 0 {
                let sym = (chunk >> 13) & 3;
                let run = usize::from(chunk & 0x1fff).min(left);
                if run > 0 {
                    take(sym)?;
                    deltas += delta_len(sym) * (run - 1);
                }
                covered += run;
            } else {
                let (n, bits) = if chunk & 0x4000 == 0 { (14, 1) } else { (7, 2) };
                let n = n.min(left);
                for i in 0..n {
                    take(vector_symbol(chunk, bits, i))?;
                }
                covered += n;
            }
        }
        let delta_bytes = field(rest, at, deltas)?;
        let chunks = rest.get(..at).unwrap_or_default();
        Ok((
            TwccStatuses(Inner::Wire {
                count,
                chunks,
                deltas: delta_bytes,
            }),
            at + deltas,
        ))
    }
}

/// Symbol `i` of a status vector chunk with `bits` per symbol.
fn vector_symbol(chunk: u16, bits: u16, i: usize) -> u16 {
    if bits == 1 {
        (chunk >> (13 - i)) & 1
    } else {
        (chunk >> (12 - 2 * i)) & 3
    }
}

impl PartialEq for TwccStatuses<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for TwccStatuses<'_> {}

impl fmt::Debug for TwccStatuses<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over statuses: `None` lost, `Some(delta)` received (250 µs ticks).
#[derive(Clone)]
pub struct TwccIter<'a> {
    inner: Inner<'a>,
    index: usize,
    chunk_at: usize,
    in_chunk: usize,
    delta_at: usize,
}

impl Iterator for TwccIter<'_> {
    type Item = Option<i16>;

    fn next(&mut self) -> Option<Option<i16>> {
        let (count, chunks, deltas) = match self.inner {
            Inner::Values(v) => {
                let s = v.get(self.index).copied()?;
                self.index += 1;
                return Some(s);
            }
            Inner::Wire {
                count,
                chunks,
                deltas,
            } => (count, chunks, deltas),
        };
        if self.index >= usize::from(count) {
            return None;
        }
        let sym = loop {
            let chunk = u16_at(chunks, self.chunk_at)?;
            let (len, sym) = if chunk & 0x8000 == 0 {
                (usize::from(chunk & 0x1fff), (chunk >> 13) & 3)
            } else if chunk & 0x4000 == 0 {
                (14, vector_symbol(chunk, 1, self.in_chunk.min(13)))
            } else {
                (7, vector_symbol(chunk, 2, self.in_chunk.min(6)))
            };
            if self.in_chunk < len {
                self.in_chunk += 1;
                break sym;
            }
            self.chunk_at += 2;
            self.in_chunk = 0;
        };
        self.index += 1;
        let status = match sym {
            SMALL_DELTA => Some(i16::from(u8_at(deltas, self.delta_at)?)),
            LARGE_DELTA => Some(u16_at(deltas, self.delta_at)? as i16),
            NOT_RECEIVED => None,
            _ => return None,
        };
        self.delta_at += delta_len(sym);
        Some(status)
    }
}

/// Transport-wide CC feedback: which transport-wide sequence numbers arrived, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportFeedback<'a> {
    /// The SSRC of the packet's sender (the receiver of the media).
    pub sender_ssrc: u32,
    /// The media source (libwebrtc puts the first media SSRC; unused).
    pub media_ssrc: u32,
    /// The transport-wide sequence number of the first status.
    pub base_sequence: u16,
    /// Reference time, 24 bits in 64 ms units, as written (the draft calls it signed on
    /// an unknown time base; only differences matter).
    pub reference_time: u32,
    /// Feedback packet count, incremented per feedback sent (detects lost feedback).
    pub feedback_count: u8,
    /// One status per sequence number from `base_sequence`.
    pub statuses: TwccStatuses<'a>,
}

impl<'a> TransportFeedback<'a> {
    /// (sequence number, status) for each packet, sequence numbers wrapping past 65535.
    pub fn packets(&self) -> impl Iterator<Item = (u16, Option<i16>)> + 'a {
        let base = self.base_sequence;
        self.statuses
            .iter()
            .enumerate()
            .map(move |(i, s)| (base.wrapping_add(i as u16), s))
    }

    /// (sequence number, arrival time in µs on the feedback sender's time base) for each
    /// packet: the reference time plus the running sum of deltas.
    pub fn arrivals(&self) -> impl Iterator<Item = (u16, Option<i64>)> + 'a {
        let mut t = i64::from(self.reference_time) * REFERENCE_TICK_US;
        self.packets().map(move |(seq, s)| {
            (
                seq,
                s.map(|d| {
                    t += i64::from(d) * DELTA_TICK_US;
                    t
                }),
            )
        })
    }

    /// Turns arrival times (µs, entry `i` for sequence number `base + i`, `None` = not
    /// received) into a reference time and 250 µs deltas written to `out`. Stops before the
    /// first arrival whose delta does not fit 16 bits (more than ~8 s apart, or `out` is
    /// full): returns the reference time and how many entries were used, the rest going in
    /// the next feedback packet. Each delta is rounded from the previous *quantized* time,
    /// so rounding errors do not accumulate.
    pub fn deltas_from_arrivals(arrivals: &[Option<i64>], out: &mut [Option<i16>]) -> (u32, usize) {
        let first = arrivals.iter().flatten().next().copied().unwrap_or(0);
        let ref_ticks = first.div_euclid(REFERENCE_TICK_US);
        let mut prev = ref_ticks * REFERENCE_TICK_US;
        let reference_time = (ref_ticks as u32) & 0x00ff_ffff;
        let mut used = 0;
        for (a, slot) in arrivals.iter().zip(out.iter_mut()) {
            let status = match a {
                None => None,
                Some(t) => {
                    let ticks = (t - prev + DELTA_TICK_US / 2).div_euclid(DELTA_TICK_US);
                    let Ok(d) = i16::try_from(ticks) else {
                        break;
                    };
                    prev += i64::from(d) * DELTA_TICK_US;
                    Some(d)
                }
            };
            *slot = status;
            used += 1;
        }
        (reference_time, used)
    }

    pub(crate) fn parse(body: &'a [u8]) -> Result<TransportFeedback<'a>, Error> {
        let base_sequence = u16_at(body, 8).ok_or(Error::Truncated)?;
        let count = u16_at(body, 10).ok_or(Error::Truncated)?;
        let reference_time = u24_at(body, 12).ok_or(Error::Truncated)?;
        let feedback_count = u8_at(body, 15).ok_or(Error::Truncated)?;
        let rest = body.get(16..).unwrap_or_default();
        let (statuses, used) = TwccStatuses::parse(count, rest)?;
        // Up to 3 zero bytes of padding may follow without the P bit (32-bit alignment).
        if rest.len() - used > 3 {
            return Err(Error::BadLength);
        }
        Ok(TransportFeedback {
            sender_ssrc: word(body, 0)?,
            media_ssrc: word(body, 4)?,
            base_sequence,
            reference_time,
            feedback_count,
            statuses,
        })
    }

    /// Chunk and delta bytes, unpadded.
    fn content_len(&self) -> usize {
        match self.statuses.0 {
            Inner::Wire { chunks, deltas, .. } => chunks.len() + deltas.len(),
            Inner::Values(v) => {
                let mut chunks = 0;
                let mut i = 0;
                while let Some((_, n)) = plan_chunk(v, i) {
                    chunks += 1;
                    i += n;
                }
                let deltas: usize = v.iter().map(|s| delta_len(symbol(*s))).sum();
                2 * chunks + deltas
            }
        }
    }

    pub(crate) fn body_len(&self) -> usize {
        pad4(16 + self.content_len())
    }

    /// Writes the body; returns the number of padding bytes (for the P bit).
    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<usize, Error> {
        let count = u16::try_from(self.statuses.len()).map_err(|_| Error::ValueOutOfRange)?;
        if self.reference_time > 0x00ff_ffff {
            return Err(Error::ValueOutOfRange);
        }
        let needed = Error::BufferTooSmall {
            needed: 4 + self.body_len(),
        };
        put_u32(b, 0, self.sender_ssrc)
            .and_then(|()| put_u32(b, 4, self.media_ssrc))
            .and_then(|()| put_u16(b, 8, self.base_sequence))
            .and_then(|()| put_u16(b, 10, count))
            .and_then(|()| put_u24(b, 12, self.reference_time))
            .and_then(|()| put_u8(b, 15, self.feedback_count))
            .ok_or(needed)?;
        let mut at = 16;
        match self.statuses.0 {
            Inner::Wire { chunks, deltas, .. } => {
                put(b, at, chunks).ok_or(needed)?;
                put(b, at + chunks.len(), deltas).ok_or(needed)?;
                at += chunks.len() + deltas.len();
            }
            Inner::Values(v) => {
                let mut i = 0;
                while let Some((chunk, n)) = plan_chunk(v, i) {
                    put_u16(b, at, chunk).ok_or(needed)?;
                    at += 2;
                    i += n;
                }
                for s in v.iter().flatten() {
                    match symbol(Some(*s)) {
                        SMALL_DELTA => put_u8(b, at, *s as u8),
                        _ => put_u16(b, at, *s as u16),
                    }
                    .ok_or(needed)?;
                    at += delta_len(symbol(Some(*s)));
                }
            }
        }
        let pad = pad4(16 + self.content_len()) - (16 + self.content_len());
        if pad > 0 {
            zero(b, at, pad - 1).ok_or(needed)?;
            put_u8(b, at + pad - 1, pad as u8).ok_or(needed)?;
        }
        Ok(pad)
    }
}

/// The next chunk for statuses `v[i..]`: (chunk word, statuses it covers), `None` when
/// all are covered.
///
/// Strategy: a run of one symbol long enough to fill a status vector (14), or covering
/// everything left, becomes a run-length chunk; otherwise a 1-bit vector (14 statuses)
/// when none of the next 14 needs a large delta; otherwise a run of at least 7 becomes a
/// run-length chunk, and anything else a 2-bit vector (7 statuses). Greedy, linear, and
/// never worse than one chunk per 7 statuses.
fn plan_chunk(v: &[Option<i16>], i: usize) -> Option<(u16, usize)> {
    let rest = v.get(i..).filter(|r| !r.is_empty())?;
    let sym = |k: usize| rest.get(k).map_or(NOT_RECEIVED, |s| symbol(*s));
    let first = sym(0);
    let run = rest
        .iter()
        .take(MAX_RUN)
        .take_while(|s| symbol(**s) == first)
        .count();
    let rle = |run: usize| ((first << 13) | run as u16, run);
    if run >= 14 || run == rest.len() {
        return Some(rle(run));
    }
    let n1 = rest.len().min(14);
    if (0..n1).all(|k| sym(k) != LARGE_DELTA) {
        let mut chunk = 0x8000u16;
        for k in 0..n1 {
            chunk |= sym(k) << (13 - k);
        }
        return Some((chunk, n1));
    }
    if run >= 7 {
        return Some(rle(run));
    }
    let n2 = rest.len().min(7);
    let mut chunk = 0xc000u16;
    for k in 0..n2 {
        chunk |= sym(k) << (12 - 2 * k);
    }
    Some((chunk, n2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_prefers_runs_then_vectors() {
        let v = [Some(1i16); 20];
        assert_eq!(plan_chunk(&v, 0), Some((0x2000 | 20, 20)));
        let v = [Some(1), None, Some(1), None];
        assert_eq!(plan_chunk(&v, 0), Some((0x8000 | 0b1010 << 10, 4)));
        let v = [Some(1), Some(-1), None];
        assert_eq!(plan_chunk(&v, 0), Some((0xc000 | 0b01_10_00 << 8, 3)));
    }
}
