//! RTP header extensions (RFC 8285): the one-byte (0xBEDE) and two-byte (0x100X) element
//! lists, their writer, and the typed values WebRTC negotiates (`sdes:mid`, transport-wide
//! sequence number, abs-send-time, audio level).

use crate::Error;
use crate::bytes::{pad4, put, put_u8, put_u16, u8_at, zero};

/// The "defined by profile" value of the one-byte element form (RFC 8285 §4.2).
pub const PROFILE_ONE_BYTE: u16 = 0xBEDE;
/// The two-byte element form (RFC 8285 §4.3); the low 4 bits are "appbits".
pub const PROFILE_TWO_BYTE: u16 = 0x1000;
/// Mask selecting the two-byte form's fixed bits.
const PROFILE_TWO_BYTE_MASK: u16 = 0xfff0;
/// How many extension elements a [`Header`](crate::Header) holds. WebRTC senders use a
/// handful; a packet with more is refused by the Repr (the view still iterates them).
pub const MAX_EXTENSION_ELEMENTS: usize = 16;

/// A bounded list of extension elements, in wire order.
pub type ExtensionElements<'a> = heapless::Vec<Element<'a>, MAX_EXTENSION_ELEMENTS>;

/// One RFC 8285 extension element: the negotiated local identifier and its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Element<'a> {
    /// Local identifier from SDP `a=extmap` (1..=14 one-byte form, 1..=255 two-byte).
    pub id: u8,
    /// The element's value, borrowed from the packet (or from the caller when writing).
    pub data: &'a [u8],
}

/// Which RFC 8285 element form a block uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionForm {
    /// 0xBEDE: ids 1..=14, 1..=16 data bytes, one header byte each.
    OneByte,
    /// 0x100X: ids 1..=255, 0..=255 data bytes, two header bytes each.
    TwoByte,
}

impl ExtensionForm {
    /// The form a header extension's profile announces, or `None` for a profile that is
    /// not RFC 8285 (its body is then opaque).
    pub const fn from_profile(profile: u16) -> Option<ExtensionForm> {
        if profile == PROFILE_ONE_BYTE {
            Some(ExtensionForm::OneByte)
        } else if profile & PROFILE_TWO_BYTE_MASK == PROFILE_TWO_BYTE {
            Some(ExtensionForm::TwoByte)
        } else {
            None
        }
    }

    /// The profile value written for this form (appbits zero).
    pub const fn profile(self) -> u16 {
        match self {
            ExtensionForm::OneByte => PROFILE_ONE_BYTE,
            ExtensionForm::TwoByte => PROFILE_TWO_BYTE,
        }
    }

    /// The smallest form that can carry `elements`, or `ValueOutOfRange` if an id is 0
    /// (padding) or a value is longer than 255 bytes.
    pub fn for_elements(elements: &[Element<'_>]) -> Result<ExtensionForm, Error> {
        let mut form = ExtensionForm::OneByte;
        for e in elements {
            if e.id == 0 || e.data.len() > 255 {
                return Err(Error::ValueOutOfRange);
            }
            if e.id > 14 || e.data.is_empty() || e.data.len() > 16 {
                form = ExtensionForm::TwoByte;
            }
        }
        Ok(form)
    }
}

/// An iterator over the elements of an RFC 8285 block, validated up front by
/// [`ElementIter::new`] so that iterating cannot fail.
///
/// Padding bytes (id 0) are skipped; in the one-byte form, id 15 ends the list (RFC 8285
/// §4.2: the rest of the block is ignored).
#[derive(Debug, Clone)]
pub struct ElementIter<'a> {
    form: ExtensionForm,
    body: &'a [u8],
    pos: usize,
}

impl<'a> ElementIter<'a> {
    /// Checks the element list of an extension block (`profile` and `body` as in the RTP
    /// header, without the 4-byte profile/length word). `Ok(None)` if the profile is not
    /// RFC 8285; `BadExtension` if an element runs past the block.
    pub fn new(profile: u16, body: &'a [u8]) -> Result<Option<ElementIter<'a>>, Error> {
        let Some(form) = ExtensionForm::from_profile(profile) else {
            return Ok(None);
        };
        let iter = ElementIter { form, body, pos: 0 };
        // Walk once to validate; the iterator itself stops at the first problem.
        let mut probe = iter.clone();
        while probe.step()?.is_some() {}
        Ok(Some(iter))
    }

    /// The form of this block.
    pub fn form(&self) -> ExtensionForm {
        self.form
    }

    /// The next element, `Ok(None)` at the end, `Err` on a malformed element.
    fn step(&mut self) -> Result<Option<Element<'a>>, Error> {
        loop {
            let Some(first) = u8_at(self.body, self.pos) else {
                return Ok(None);
            };
            let (id, len, hdr) = match self.form {
                ExtensionForm::OneByte => {
                    let id = first >> 4;
                    if id == 0 {
                        // Padding: skipped whatever its length nibble says.
                        self.pos += 1;
                        continue;
                    }
                    if id == 15 {
                        self.pos = self.body.len();
                        return Ok(None);
                    }
                    (id, usize::from(first & 0x0f) + 1, 1)
                }
                ExtensionForm::TwoByte => {
                    if first == 0 {
                        self.pos += 1;
                        continue;
                    }
                    let len = u8_at(self.body, self.pos + 1).ok_or(Error::BadExtension)?;
                    (first, usize::from(len), 2)
                }
            };
            let start = self.pos + hdr;
            let data = self
                .body
                .get(start..start + len)
                .ok_or(Error::BadExtension)?;
            self.pos = start + len;
            return Ok(Some(Element { id, data }));
        }
    }
}

impl<'a> Iterator for ElementIter<'a> {
    type Item = Element<'a>;

    fn next(&mut self) -> Option<Element<'a>> {
        match self.step() {
            Ok(e) => e,
            Err(_) => {
                self.pos = self.body.len();
                None
            }
        }
    }
}

/// A header extension as a [`Header`](crate::Header) carries it.
// No alloc to box into: the element list is inline (~200 bytes on 32-bit targets).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extension<'a> {
    /// RFC 8285 elements. Written in the one-byte form when every element fits, else the
    /// two-byte form; an empty list writes an empty 0xBEDE block.
    Elements(ExtensionElements<'a>),
    /// Any other profile: carried opaquely. `data` must be a multiple of 4 bytes long.
    Raw {
        /// The 16-bit "defined by profile" field.
        profile: u16,
        /// The extension body after the profile/length word.
        data: &'a [u8],
    },
}

impl<'a> Extension<'a> {
    /// Decodes the extension block of a received packet: RFC 8285 profiles into elements
    /// (`BadExtension` if malformed, `TooManyExtensions` past the bound), anything else raw.
    pub fn parse(profile: u16, body: &'a [u8]) -> Result<Extension<'a>, Error> {
        match ElementIter::new(profile, body)? {
            None => Ok(Extension::Raw {
                profile,
                data: body,
            }),
            Some(iter) => {
                let mut elements = ExtensionElements::new();
                for e in iter {
                    elements.push(e).map_err(|_| Error::TooManyExtensions)?;
                }
                Ok(Extension::Elements(elements))
            }
        }
    }

    /// The wire size of this block, the 4-byte profile/length word included.
    pub fn buffer_len(&self) -> Result<usize, Error> {
        match self {
            Extension::Elements(elements) => elements_len(elements),
            Extension::Raw { data, .. } => {
                if data.len() % 4 != 0 || data.len() / 4 > usize::from(u16::MAX) {
                    return Err(Error::ValueOutOfRange);
                }
                Ok(4 + data.len())
            }
        }
    }

    /// Writes the block (profile/length word, body, zero padding) at the start of `buf`;
    /// returns its length.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        match self {
            Extension::Elements(elements) => emit_elements(elements, buf),
            Extension::Raw { profile, data } => {
                let len = self.buffer_len()?;
                if buf.len() < len {
                    return Err(Error::BufferTooSmall { needed: len });
                }
                let words = u16::try_from(data.len() / 4).map_err(|_| Error::ValueOutOfRange)?;
                put_u16(buf, 0, *profile)
                    .and_then(|()| put_u16(buf, 2, words))
                    .and_then(|()| put(buf, 4, data))
                    .ok_or(Error::BufferTooSmall { needed: len })?;
                Ok(len)
            }
        }
    }

    /// The data of element `id`, if this is an RFC 8285 block that has it.
    pub fn get(&self, id: u8) -> Option<&'a [u8]> {
        match self {
            Extension::Elements(elements) => elements.iter().find(|e| e.id == id).map(|e| e.data),
            Extension::Raw { .. } => None,
        }
    }
}

/// The wire size of an RFC 8285 block carrying `elements` in the smallest form, including
/// the 4-byte profile/length word and the padding to 32 bits.
pub fn elements_len(elements: &[Element<'_>]) -> Result<usize, Error> {
    let form = ExtensionForm::for_elements(elements)?;
    let per = match form {
        ExtensionForm::OneByte => 1,
        ExtensionForm::TwoByte => 2,
    };
    let body: usize = elements.iter().map(|e| per + e.data.len()).sum();
    if pad4(body) / 4 > usize::from(u16::MAX) {
        return Err(Error::ValueOutOfRange);
    }
    Ok(4 + pad4(body))
}

/// Writes an RFC 8285 block carrying `elements` at the start of `buf`: the one-byte form
/// when every element fits it (id 1..=14, 1..=16 bytes), else the two-byte form. Returns
/// the bytes written (profile/length word, elements, zero padding).
pub fn emit_elements(elements: &[Element<'_>], buf: &mut [u8]) -> Result<usize, Error> {
    let form = ExtensionForm::for_elements(elements)?;
    let len = elements_len(elements)?;
    if buf.len() < len {
        return Err(Error::BufferTooSmall { needed: len });
    }
    let too_small = Error::BufferTooSmall { needed: len };
    let words = u16::try_from((len - 4) / 4).map_err(|_| Error::ValueOutOfRange)?;
    put_u16(buf, 0, form.profile()).ok_or(too_small)?;
    put_u16(buf, 2, words).ok_or(too_small)?;
    let mut at = 4;
    for e in elements {
        // `for_elements` bounded every length to the form's range.
        let n = e.data.len() as u8;
        match form {
            ExtensionForm::OneByte => {
                put_u8(buf, at, (e.id << 4) | (n - 1)).ok_or(too_small)?;
                at += 1;
            }
            ExtensionForm::TwoByte => {
                put(buf, at, &[e.id, n]).ok_or(too_small)?;
                at += 2;
            }
        }
        put(buf, at, e.data).ok_or(too_small)?;
        at += e.data.len();
    }
    zero(buf, at, len - at).ok_or(too_small)?;
    Ok(len)
}

/// The header extensions rtcam understands, as negotiated by their SDP `a=extmap` URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtensionKind {
    /// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 8843): which m-line (BUNDLE) a stream is.
    Mid,
    /// Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01),
    /// which TWCC feedback refers to.
    TransportCc,
    /// abs-send-time: 24-bit 6.18 fixed-point send time, for REMB-style estimators.
    AbsSendTime,
    /// `urn:ietf:params:rtp-hdrext:ssrc-audio-level` (RFC 6464).
    AudioLevel,
}

impl ExtensionKind {
    /// Every kind, for iterating a map.
    pub const ALL: [ExtensionKind; 4] = [
        ExtensionKind::Mid,
        ExtensionKind::TransportCc,
        ExtensionKind::AbsSendTime,
        ExtensionKind::AudioLevel,
    ];

    /// The URI in SDP `a=extmap:<id> <uri>`.
    pub const fn uri(self) -> &'static str {
        match self {
            ExtensionKind::Mid => "urn:ietf:params:rtp-hdrext:sdes:mid",
            ExtensionKind::TransportCc => {
                "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
            }
            ExtensionKind::AbsSendTime => {
                "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
            }
            ExtensionKind::AudioLevel => "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        }
    }

    /// The kind an SDP extmap URI names, if rtcam understands it.
    pub fn from_uri(uri: &str) -> Option<ExtensionKind> {
        ExtensionKind::ALL.into_iter().find(|k| k.uri() == uri)
    }
}

/// Which local identifier each understood extension got in SDP negotiation: a few bytes,
/// copied into every stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExtensionMap {
    ids: [Option<u8>; 4],
}

impl ExtensionMap {
    /// No extension negotiated.
    pub const fn new() -> ExtensionMap {
        ExtensionMap { ids: [None; 4] }
    }

    const fn slot(kind: ExtensionKind) -> usize {
        match kind {
            ExtensionKind::Mid => 0,
            ExtensionKind::TransportCc => 1,
            ExtensionKind::AbsSendTime => 2,
            ExtensionKind::AudioLevel => 3,
        }
    }

    /// Records `kind` as negotiated with `id` (1..=255, 0 is padding); replaces any earlier
    /// id for that kind and drops another kind that had the same id.
    pub fn set(&mut self, kind: ExtensionKind, id: u8) -> Result<(), Error> {
        if id == 0 {
            return Err(Error::ValueOutOfRange);
        }
        for slot in self.ids.iter_mut() {
            if *slot == Some(id) {
                *slot = None;
            }
        }
        if let Some(slot) = self.ids.get_mut(Self::slot(kind)) {
            *slot = Some(id);
        }
        Ok(())
    }

    /// Forgets `kind`.
    pub fn remove(&mut self, kind: ExtensionKind) {
        if let Some(slot) = self.ids.get_mut(Self::slot(kind)) {
            *slot = None;
        }
    }

    /// The id negotiated for `kind`.
    pub fn id(&self, kind: ExtensionKind) -> Option<u8> {
        self.ids.get(Self::slot(kind)).copied().flatten()
    }

    /// The kind negotiated with `id`.
    pub fn kind(&self, id: u8) -> Option<ExtensionKind> {
        ExtensionKind::ALL
            .into_iter()
            .find(|k| self.id(*k) == Some(id))
    }

    /// Decodes a received element by its negotiated kind: `None` if its id is not mapped,
    /// `Some(Err)` if the value is malformed for that kind.
    pub fn decode<'a>(&self, element: Element<'a>) -> Option<Result<ExtensionValue<'a>, Error>> {
        let kind = self.kind(element.id)?;
        Some(ExtensionValue::decode(kind, element.data))
    }
}

/// abs-send-time: seconds in 6.18 fixed point, 24 bits (wraps every 64 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AbsSendTime(u32);

impl AbsSendTime {
    /// From a raw 24-bit value (higher bits dropped).
    pub const fn new(raw: u32) -> AbsSendTime {
        AbsSendTime(raw & 0x00ff_ffff)
    }

    /// From a 64-bit NTP timestamp (32.32): its middle 24 bits.
    pub const fn from_ntp(ntp: u64) -> AbsSendTime {
        AbsSendTime::new((ntp >> 14) as u32)
    }

    /// From a time in microseconds on any epoch (only its value modulo 64 s is kept).
    pub const fn from_micros(us: u64) -> AbsSendTime {
        // 2^18 units per second; reduce modulo 64 s first so the product cannot overflow.
        let us = us % 64_000_000;
        AbsSendTime::new(((us << 18) / 1_000_000) as u32)
    }

    /// The raw 24-bit value.
    pub const fn raw(self) -> u32 {
        self.0
    }

    /// The time within the 64-second wrap, in microseconds (rounded down).
    pub const fn to_micros(self) -> u32 {
        ((self.0 as u64 * 1_000_000) >> 18) as u32
    }

    /// The 3 wire bytes, to borrow into an [`Element`].
    pub const fn to_bytes(self) -> [u8; 3] {
        let [_, a, b, c] = self.0.to_be_bytes();
        [a, b, c]
    }
}

/// A decoded value of an [`ExtensionKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtensionValue<'a> {
    /// The media identification tag (1..=255 bytes of UTF-8; RFC 8843 keeps it short).
    Mid(&'a str),
    /// The transport-wide sequence number.
    TransportCc(u16),
    /// The send time.
    AbsSendTime(AbsSendTime),
    /// RFC 6464: voice activity flag and level in -dBov (0..=127).
    AudioLevel {
        /// The V bit: the sender believes this packet carries voice.
        voice: bool,
        /// Level in -dBov, 0 (loudest) to 127 (silence).
        level: u8,
    },
}

impl<'a> ExtensionValue<'a> {
    /// Decodes an element's data as `kind`; `BadExtension` if its size or content is wrong.
    pub fn decode(kind: ExtensionKind, data: &'a [u8]) -> Result<ExtensionValue<'a>, Error> {
        match kind {
            ExtensionKind::Mid => {
                if data.is_empty() {
                    return Err(Error::BadExtension);
                }
                core::str::from_utf8(data)
                    .map(ExtensionValue::Mid)
                    .map_err(|_| Error::BadExtension)
            }
            ExtensionKind::TransportCc => match data {
                [a, b] => Ok(ExtensionValue::TransportCc(u16::from_be_bytes([*a, *b]))),
                _ => Err(Error::BadExtension),
            },
            ExtensionKind::AbsSendTime => match data {
                [a, b, c] => Ok(ExtensionValue::AbsSendTime(AbsSendTime::new(
                    u32::from_be_bytes([0, *a, *b, *c]),
                ))),
                _ => Err(Error::BadExtension),
            },
            // RFC 6464 allows padding the 1-byte value out (two-byte form); read the first.
            ExtensionKind::AudioLevel => match data.first() {
                Some(b) => Ok(ExtensionValue::AudioLevel {
                    voice: b & 0x80 != 0,
                    level: b & 0x7f,
                }),
                None => Err(Error::BadExtension),
            },
        }
    }

    /// Which extension this value belongs to.
    pub const fn kind(&self) -> ExtensionKind {
        match self {
            ExtensionValue::Mid(_) => ExtensionKind::Mid,
            ExtensionValue::TransportCc(_) => ExtensionKind::TransportCc,
            ExtensionValue::AbsSendTime(_) => ExtensionKind::AbsSendTime,
            ExtensionValue::AudioLevel { .. } => ExtensionKind::AudioLevel,
        }
    }

    /// Writes the value's data into `buf` (not the element header); returns its length.
    pub fn encode(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut small = [0u8; 3];
        let data: &[u8] = match self {
            ExtensionValue::Mid(s) => {
                if s.is_empty() || s.len() > 255 {
                    return Err(Error::ValueOutOfRange);
                }
                s.as_bytes()
            }
            ExtensionValue::TransportCc(seq) => {
                let [a, b] = seq.to_be_bytes();
                small = [a, b, 0];
                small.get(..2).unwrap_or_default()
            }
            ExtensionValue::AbsSendTime(t) => {
                small = t.to_bytes();
                &small
            }
            ExtensionValue::AudioLevel { voice, level } => {
                if *level > 127 {
                    return Err(Error::ValueOutOfRange);
                }
                small[0] = (u8::from(*voice) << 7) | level;
                small.get(..1).unwrap_or_default()
            }
        };
        put(buf, 0, data).ok_or(Error::BufferTooSmall { needed: data.len() })?;
        Ok(data.len())
    }
}
