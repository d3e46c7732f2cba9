//! H.265 over RTP (RFC 7798) without DONL (`sprop-max-don-diff` = 0): single NAL unit
//! packets, aggregation packets (AP, type 48) of consecutive small NAL units,
//! fragmentation units (FU, type 49) for large ones.

use super::assemble::Assembler;
use super::nal::{self, Kind, NalFormat, NalFrame, NalPayloader};
use super::{Error, Event, PayloadMeta, RtpPayload};

const AP: u16 = 48;
const FU: u8 = 49;
const NAL_VPS: u8 = 32;
const NAL_SPS: u8 = 33;
const NAL_PPS: u8 = 34;

/// Type bits of the 2-byte NAL unit header (F, type 6, LayerId 6, TID 3).
const TYPE_MASK: u16 = 0x3f << 9;

#[inline]
fn nal_type(nal: &[u8]) -> Option<u8> {
    nal.first().map(|h| (h >> 1) & 0x3f)
}

/// The H.265 NAL header format (2 bytes).
#[derive(Debug)]
pub(crate) struct H265;

impl NalFormat for H265 {
    const HEADER: usize = 2;

    #[inline]
    fn param_slot(nal: &[u8]) -> Option<usize> {
        match nal_type(nal) {
            Some(NAL_VPS) => Some(0),
            Some(NAL_SPS) => Some(1),
            Some(NAL_PPS) => Some(2),
            _ => None,
        }
    }

    #[inline]
    fn is_keyframe(nal: &[u8]) -> bool {
        // IRAP pictures: BLA, IDR, CRA and the reserved IRAP types 22-23.
        matches!(nal_type(nal), Some(16..=23))
    }

    #[inline]
    fn is_delimiter(nal: &[u8]) -> bool {
        nal_type(nal) == Some(35)
    }

    #[inline]
    fn agg_fields(nal: &[u8]) -> u16 {
        match nal {
            [a, b, ..] => u16::from_be_bytes([*a, *b]) & !TYPE_MASK,
            _ => 0,
        }
    }

    #[inline]
    fn agg_merge(a: u16, b: u16) -> u16 {
        // F: any set; LayerId and TID: the lowest (RFC 7798 §4.4.2).
        let layer = ((a >> 3) & 0x3f).min((b >> 3) & 0x3f);
        let tid = (a & 7).min(b & 7);
        ((a | b) & 0x8000) | (layer << 3) | tid
    }

    #[inline]
    fn agg_header(fields: u16) -> [u8; 2] {
        ((fields & !TYPE_MASK) | (AP << 9)).to_be_bytes()
    }

    #[inline]
    fn fu_header(nal: &[u8], start: bool, end: bool) -> [u8; 3] {
        let (h0, h1) = match nal {
            [a, b, ..] => (*a, *b),
            _ => (0, 0),
        };
        let se = (u8::from(start) << 7) | (u8::from(end) << 6);
        [(h0 & 0x81) | (FU << 1), h1, se | ((h0 >> 1) & 0x3f)]
    }

    fn kind(payload: &[u8]) -> Result<Kind, Error> {
        match nal_type(payload) {
            Some(0..=47) => Ok(Kind::Single),
            Some(48) => Ok(Kind::Aggregate),
            Some(FU) => Ok(Kind::Fragment),
            Some(t) => Err(Error::Unsupported(t)),
            None => Err(Error::Truncated),
        }
    }

    fn fu_parse(payload: &[u8]) -> (bool, bool, [u8; 2]) {
        match payload {
            [h0, h1, fu, ..] => (
                fu & 0x80 != 0,
                fu & 0x40 != 0,
                [(h0 & 0x81) | ((fu & 0x3f) << 1), *h1],
            ),
            _ => (false, false, [0; 2]),
        }
    }
}

/// Packetizes H.265 access units into RTP payloads of at most `max_payload` bytes.
///
/// Holds the last VPS/SPS/PPS (about 768 bytes) for
/// [`resend_parameter_sets`](H265Payloader::resend_parameter_sets).
#[derive(Debug, Clone)]
pub struct H265Payloader(NalPayloader<3>);

impl H265Payloader {
    /// A payloader for payloads of at most `max_payload` bytes (at least 4).
    pub const fn new(max_payload: usize) -> Self {
        H265Payloader(NalPayloader::new(max_payload))
    }

    /// When on, the last VPS, SPS and PPS seen are sent again before an IRAP picture
    /// whose access unit lacks them.
    pub const fn resend_parameter_sets(mut self, on: bool) -> Self {
        self.0.resend = on;
        self
    }

    /// The largest payload this payloader writes.
    pub const fn max_payload(&self) -> usize {
        self.0.max_payload
    }

    /// Starts packetizing one access unit in Annex-B format (3- or 4-byte start codes).
    pub fn frame<'a>(&'a mut self, access_unit: &'a [u8]) -> Result<H265Frame<'a>, Error> {
        Ok(H265Frame(self.0.annex_b(access_unit)?))
    }

    /// Starts packetizing one access unit given as NAL units (no start codes).
    pub fn frame_nals<'a>(&'a mut self, nals: &'a [&'a [u8]]) -> Result<H265Frame<'a>, Error> {
        Ok(H265Frame(self.0.nal_list(nals)?))
    }
}

/// The payloads of one H.265 access unit, written one at a time.
#[derive(Debug)]
pub struct H265Frame<'a>(NalFrame<'a, H265, 3>);

impl H265Frame<'_> {
    /// Writes the next payload at the start of `out` (at least `max_payload` bytes long);
    /// `None` once the access unit is sent. The last payload carries the marker.
    #[inline]
    pub fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, Error> {
        self.0.next_into(out)
    }
}

/// Whether an Annex-B access unit contains an IRAP picture.
pub fn is_keyframe(access_unit: &[u8]) -> bool {
    nal::annexb_has_keyframe::<H265>(access_unit)
}

/// Rebuilds H.265 access units (Annex-B, 4-byte start codes) from RTP payloads, into
/// caller storage `B`.
#[derive(Debug)]
pub struct H265Depayloader<B> {
    asm: Assembler<B>,
}

impl<B: AsMut<[u8]> + AsRef<[u8]>> H265Depayloader<B> {
    /// A depayloader whose largest access unit is `buf`'s length.
    pub fn new(buf: B) -> Self {
        H265Depayloader {
            asm: Assembler::new(buf),
        }
    }

    /// Takes the next packet in sequence order; then drain [`poll`](Self::poll). An error
    /// is about this packet (it also drops its frame); the depayloader stays usable.
    pub fn push(&mut self, packet: RtpPayload<'_>) -> Result<(), Error> {
        self.asm.push(packet, |asm, _, payload| {
            nal::depacketize::<H265, B>(asm, payload)
        })
    }

    /// The next dropped or completed frame.
    pub fn poll(&mut self) -> Option<Event<'_>> {
        self.asm.poll()
    }

    /// The frame storage back.
    pub fn into_inner(self) -> B {
        self.asm.into_inner()
    }
}
