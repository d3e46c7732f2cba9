//! Sender and receiver reports (RFC 3550 §6.4).

use super::list::{List, WireItem};
use super::{MAX_COUNT, field, word};
use crate::Error;
use crate::bytes::{put, put_u8, put_u24, put_u32, u8_at, u24_at, u32_at};

/// One reception report block (RFC 3550 §6.4.1): how well we receive one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source this block is about.
    pub ssrc: u32,
    /// Fraction of packets lost since the last report, in 1/256.
    pub fraction_lost: u8,
    /// Cumulative packets lost, a signed 24-bit value (clamped on emit).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles << 16 | seq).
    pub highest_sequence: u32,
    /// Interarrival jitter, in timestamp units.
    pub jitter: u32,
    /// LSR: the middle 32 bits of the last SR's NTP time from this source (0 if none).
    pub last_sr: u32,
    /// DLSR: delay since that SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// Clamp range of the 24-bit signed cumulative-lost field.
const LOST_MIN: i32 = -(1 << 23);
const LOST_MAX: i32 = (1 << 23) - 1;

impl WireItem for ReportBlock {
    const LEN: usize = 24;

    fn read(b: &[u8]) -> Option<ReportBlock> {
        let lost = u24_at(b, 5)?;
        // Sign-extend the 24-bit two's-complement value.
        let cumulative_lost = ((lost << 8) as i32) >> 8;
        Some(ReportBlock {
            ssrc: u32_at(b, 0)?,
            fraction_lost: u8_at(b, 4)?,
            cumulative_lost,
            highest_sequence: u32_at(b, 8)?,
            jitter: u32_at(b, 12)?,
            last_sr: u32_at(b, 16)?,
            delay_since_last_sr: u32_at(b, 20)?,
        })
    }

    fn write(&self, b: &mut [u8]) -> Option<()> {
        let lost = self.cumulative_lost.clamp(LOST_MIN, LOST_MAX) as u32 & 0x00ff_ffff;
        put_u32(b, 0, self.ssrc)?;
        put_u8(b, 4, self.fraction_lost)?;
        put_u24(b, 5, lost)?;
        put_u32(b, 8, self.highest_sequence)?;
        put_u32(b, 12, self.jitter)?;
        put_u32(b, 16, self.last_sr)?;
        put_u32(b, 20, self.delay_since_last_sr)
    }
}

/// Splits `count` report blocks and the profile extension off `body` (after `skip`).
fn parse_blocks(
    count: u8,
    body: &[u8],
    skip: usize,
) -> Result<(List<'_, ReportBlock>, &[u8]), Error> {
    let n = usize::from(count) * ReportBlock::LEN;
    let blocks = field(body, skip, n)?;
    let extension = body.get(skip + n..).unwrap_or_default();
    if extension.len() % 4 != 0 {
        return Err(Error::BadLength);
    }
    Ok((List::from_wire(blocks), extension))
}

/// Checks a report list and extension can be written; returns the report count.
fn check_blocks(reports: &List<'_, ReportBlock>, extension: &[u8]) -> Result<u8, Error> {
    if reports.len() > MAX_COUNT {
        return Err(Error::TooManyItems);
    }
    if extension.len() % 4 != 0 {
        return Err(Error::ValueOutOfRange);
    }
    Ok(reports.len() as u8)
}

/// A sender report: sender info (NTP/RTP time mapping, counts) and reception reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderReport<'a> {
    /// The sender's SSRC.
    pub ssrc: u32,
    /// Wall-clock time of this report, 64-bit NTP format (32.32 seconds since 1900).
    pub ntp_time: u64,
    /// The same instant in the stream's RTP timestamp units.
    pub rtp_time: u32,
    /// Packets sent since the stream started.
    pub packet_count: u32,
    /// Payload octets sent since the stream started.
    pub octet_count: u32,
    /// Reception reports (at most 31).
    pub reports: List<'a, ReportBlock>,
    /// Profile-specific extension (a multiple of 4 bytes), usually empty.
    pub extension: &'a [u8],
}

impl<'a> SenderReport<'a> {
    pub(crate) fn parse(count: u8, body: &'a [u8]) -> Result<SenderReport<'a>, Error> {
        let ntp_hi = word(body, 4)?;
        let ntp_lo = word(body, 8)?;
        let (reports, extension) = parse_blocks(count, body, 24)?;
        Ok(SenderReport {
            ssrc: word(body, 0)?,
            ntp_time: (u64::from(ntp_hi) << 32) | u64::from(ntp_lo),
            rtp_time: word(body, 12)?,
            packet_count: word(body, 16)?,
            octet_count: word(body, 20)?,
            reports,
            extension,
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        24 + self.reports.wire_len() + self.extension.len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        let count = check_blocks(&self.reports, self.extension)?;
        let needed = Error::BufferTooSmall {
            needed: 4 + self.body_len(),
        };
        put_u32(b, 0, self.ssrc)
            .and_then(|()| put_u32(b, 4, (self.ntp_time >> 32) as u32))
            .and_then(|()| put_u32(b, 8, self.ntp_time as u32))
            .and_then(|()| put_u32(b, 12, self.rtp_time))
            .and_then(|()| put_u32(b, 16, self.packet_count))
            .and_then(|()| put_u32(b, 20, self.octet_count))
            .and_then(|()| self.reports.write(b, 24))
            .and_then(|at| put(b, at, self.extension))
            .ok_or(needed)?;
        Ok(count)
    }
}

/// A receiver report: reception reports from a participant that does not send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReceiverReport<'a> {
    /// The reporter's SSRC.
    pub ssrc: u32,
    /// Reception reports (at most 31; none is a valid, minimal RR).
    pub reports: List<'a, ReportBlock>,
    /// Profile-specific extension (a multiple of 4 bytes), usually empty.
    pub extension: &'a [u8],
}

impl<'a> ReceiverReport<'a> {
    pub(crate) fn parse(count: u8, body: &'a [u8]) -> Result<ReceiverReport<'a>, Error> {
        let (reports, extension) = parse_blocks(count, body, 4)?;
        Ok(ReceiverReport {
            ssrc: word(body, 0)?,
            reports,
            extension,
        })
    }

    pub(crate) fn body_len(&self) -> usize {
        4 + self.reports.wire_len() + self.extension.len()
    }

    pub(crate) fn emit_body(&self, b: &mut [u8]) -> Result<u8, Error> {
        let count = check_blocks(&self.reports, self.extension)?;
        let needed = Error::BufferTooSmall {
            needed: 4 + self.body_len(),
        };
        put_u32(b, 0, self.ssrc)
            .and_then(|()| self.reports.write(b, 4))
            .and_then(|at| put(b, at, self.extension))
            .ok_or(needed)?;
        Ok(count)
    }
}
