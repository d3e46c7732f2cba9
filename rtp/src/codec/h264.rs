//! H.264 over RTP (RFC 6184), packetization-mode 1: single NAL unit packets, STAP-A
//! aggregation of consecutive small NAL units, FU-A fragmentation of large ones.

use super::assemble::Assembler;
use super::nal::{self, AnnexB, Kind, NalFormat, NalFrame, NalPayloader};
use super::{Error, Event, PayloadMeta, RtpPayload};

const STAP_A: u8 = 24;
const FU_A: u8 = 28;
const NAL_IDR: u8 = 5;
const NAL_SPS: u8 = 7;
const NAL_PPS: u8 = 8;

/// The H.264 NAL header format (1 byte: F, NRI, type).
#[derive(Debug)]
pub(crate) struct H264;

impl NalFormat for H264 {
    const HEADER: usize = 1;

    #[inline]
    fn param_slot(nal: &[u8]) -> Option<usize> {
        match nal.first().map(|h| h & 0x1f) {
            Some(NAL_SPS) => Some(0),
            Some(NAL_PPS) => Some(1),
            _ => None,
        }
    }

    #[inline]
    fn is_keyframe(nal: &[u8]) -> bool {
        nal.first().is_some_and(|h| h & 0x1f == NAL_IDR)
    }

    #[inline]
    fn is_delimiter(nal: &[u8]) -> bool {
        nal.first().is_some_and(|h| h & 0x1f == 9)
    }

    #[inline]
    fn agg_fields(nal: &[u8]) -> u16 {
        u16::from(nal.first().map_or(0, |h| h & 0xe0))
    }

    #[inline]
    fn agg_merge(a: u16, b: u16) -> u16 {
        // F: any forbidden bit set; NRI: the highest (RFC 6184 §5.7.1).
        ((a | b) & 0x80) | (a & 0x60).max(b & 0x60)
    }

    #[inline]
    fn agg_header(fields: u16) -> [u8; 2] {
        [(fields as u8 & 0xe0) | STAP_A, 0]
    }

    #[inline]
    fn fu_header(nal: &[u8], start: bool, end: bool) -> [u8; 3] {
        let h = nal.first().copied().unwrap_or(0);
        let se = (u8::from(start) << 7) | (u8::from(end) << 6);
        [(h & 0xe0) | FU_A, se | (h & 0x1f), 0]
    }

    fn kind(payload: &[u8]) -> Result<Kind, Error> {
        match payload.first().map(|h| h & 0x1f) {
            Some(1..=23) => Ok(Kind::Single),
            Some(STAP_A) => Ok(Kind::Aggregate),
            Some(FU_A) => Ok(Kind::Fragment),
            Some(t) => Err(Error::Unsupported(t)),
            None => Err(Error::Truncated),
        }
    }

    fn fu_parse(payload: &[u8]) -> (bool, bool, [u8; 2]) {
        match payload {
            [ind, fu, ..] => (
                fu & 0x80 != 0,
                fu & 0x40 != 0,
                [(ind & 0xe0) | (fu & 0x1f), 0],
            ),
            _ => (false, false, [0; 2]),
        }
    }
}

/// Packetizes H.264 access units into RTP payloads of at most `max_payload` bytes.
///
/// Holds the last SPS/PPS (about 512 bytes) for [`resend_parameter_sets`]: cameras often
/// emit them once, and a viewer joining later cannot decode without them.
///
/// [`resend_parameter_sets`]: H264Payloader::resend_parameter_sets
#[derive(Debug, Clone)]
pub struct H264Payloader(NalPayloader<2>);

impl H264Payloader {
    /// A payloader for payloads of at most `max_payload` bytes (at least 3).
    pub const fn new(max_payload: usize) -> Self {
        H264Payloader(NalPayloader::new(max_payload))
    }

    /// When on, the last SPS and PPS seen are sent again before an IDR whose access unit
    /// lacks them (each at most [`PARAM_SET_CAPACITY`](super::PARAM_SET_CAPACITY) bytes).
    pub const fn resend_parameter_sets(mut self, on: bool) -> Self {
        self.0.resend = on;
        self
    }

    /// The largest payload this payloader writes.
    pub const fn max_payload(&self) -> usize {
        self.0.max_payload
    }

    /// Starts packetizing one access unit in Annex-B format (3- or 4-byte start codes).
    pub fn frame<'a>(&'a mut self, access_unit: &'a [u8]) -> Result<H264Frame<'a>, Error> {
        Ok(H264Frame(self.0.annex_b(access_unit)?))
    }

    /// Starts packetizing one access unit given as NAL units (no start codes).
    pub fn frame_nals<'a>(&'a mut self, nals: &'a [&'a [u8]]) -> Result<H264Frame<'a>, Error> {
        Ok(H264Frame(self.0.nal_list(nals)?))
    }
}

/// The payloads of one H.264 access unit, written one at a time.
#[derive(Debug)]
pub struct H264Frame<'a>(NalFrame<'a, H264, 2>);

impl H264Frame<'_> {
    /// Writes the next payload at the start of `out` (at least `max_payload` bytes long);
    /// `None` once the access unit is sent. The last payload carries the marker.
    #[inline]
    pub fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, Error> {
        self.0.next_into(out)
    }
}

/// Whether an Annex-B access unit contains an IDR slice.
pub fn is_keyframe(access_unit: &[u8]) -> bool {
    nal::annexb_has_keyframe::<H264>(access_unit)
}

/// The NAL units of an Annex-B byte stream, without start codes.
pub fn nal_units(annex_b: &[u8]) -> Result<AnnexB<'_>, Error> {
    AnnexB::new(annex_b)
}

/// Rebuilds H.264 access units (Annex-B, 4-byte start codes) from RTP payloads, into
/// caller storage `B` (e.g. `[u8; 200_000]` or `&mut [u8]`).
#[derive(Debug)]
pub struct H264Depayloader<B> {
    asm: Assembler<B>,
}

impl<B: AsMut<[u8]> + AsRef<[u8]>> H264Depayloader<B> {
    /// A depayloader whose largest access unit is `buf`'s length.
    pub fn new(buf: B) -> Self {
        H264Depayloader {
            asm: Assembler::new(buf),
        }
    }

    /// Takes the next packet in sequence order; then drain [`poll`](Self::poll). An error
    /// is about this packet (it also drops its frame); the depayloader stays usable.
    pub fn push(&mut self, packet: RtpPayload<'_>) -> Result<(), Error> {
        self.asm.push(packet, |asm, _, payload| {
            nal::depacketize::<H264, B>(asm, payload)
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
