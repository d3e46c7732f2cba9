//! What H.264 and H.265 share: Annex-B scanning, the parameter-set cache, and one
//! packetizer and depacketizer generic over the NAL header format (single NAL unit,
//! aggregation and fragmentation packets have the same shape in RFC 6184 and RFC 7798).

use super::assemble::{Assembler, DropReason};
use super::{Error, PayloadMeta};

/// The largest parameter set (SPS, PPS, VPS) a payloader keeps for re-sending, in bytes.
pub const PARAM_SET_CAPACITY: usize = 256;

/// The 4-byte Annex-B start code the depayloaders write before every NAL unit.
pub(crate) const START_CODE: [u8; 4] = [0, 0, 0, 1];

/// The start-code search that suits the target. Where `memchr` has a SIMD search (x86-64,
/// AArch64) it is ~2× faster than our SWAR loop, which serves other 64-bit targets; 32-bit
/// ones skip. The SIMD searcher is built once per access unit, not once per NAL unit.
#[derive(Debug, Clone)]
struct StartCodes {
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    finder: memchr::memmem::Finder<'static>,
}

impl StartCodes {
    #[inline]
    fn new() -> Self {
        StartCodes {
            #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
            finder: memchr::memmem::Finder::new(&[0, 0, 1]),
        }
    }

    /// The index of the first zero of the first `00 00 01` in `s`.
    #[inline]
    fn find(&self, s: &[u8]) -> Option<usize> {
        #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
        return self.finder.find(s);
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        if cfg!(target_pointer_width = "64") {
            find_start_code_swar(s)
        } else {
            find_start_code_skip(s)
        }
    }
}

/// A payloader's [`StartCodes`], built at its first Annex-B access unit and kept: building
/// the SIMD searcher costs as much as scanning a few kilobytes.
#[derive(Debug, Clone)]
struct LazyStartCodes(Option<StartCodes>);

impl LazyStartCodes {
    const fn new() -> Self {
        LazyStartCodes(None)
    }

    fn get(&mut self) -> &StartCodes {
        self.0.get_or_insert_with(StartCodes::new)
    }
}

/// [`find_start_code`] for 64-bit targets: eight bytes at a time, stepping by seven: one SWAR test flags the
/// positions where two zero bytes follow each other, which entropy-coded slice data almost
/// never has, so the loop rarely leaves its fast path; only flagged pairs look further.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), allow(dead_code))]
#[inline]
fn find_start_code_swar(s: &[u8]) -> Option<usize> {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut base = 0;
    while let Some(word) = s.get(base..base + 8) {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        let v = u64::from_le_bytes(w);
        // 0x80 in exactly the zero bytes (no borrow between bytes: each sum is <= 0xfe).
        let zero = !((v & LOW7).wrapping_add(LOW7) | v | LOW7);
        // A flag at byte k when bytes k and k+1 are both zero (k = 0..=6).
        let mut pairs = zero & (zero >> 8);
        while pairs != 0 {
            let k = (pairs.trailing_zeros() / 8) as usize;
            if s.get(base + k + 2) == Some(&1) {
                return Some(base + k);
            }
            pairs &= pairs - 1;
        }
        // Seven, not eight: the pair (7, 8) is (0, 1) of the next window.
        base += 7;
    }
    (base..s.len()).find(|&j| s.get(j..j + 3) == Some(&[0, 0, 1][..]))
}

/// [`find_start_code`] for 32-bit targets (the T31's MIPS32 has no 64-bit registers, so the
/// SWAR test would cost twice as much), the classic skip: anything above 1 cannot be part
/// of a start code, so after such a byte the next start code ends no earlier than three
/// on. The fast path probes eight such bytes (24 positions) behind one bounds check and
/// one branch; a window with a small byte in it is walked probe by probe.
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), allow(dead_code))]
#[inline]
fn find_start_code_skip(s: &[u8]) -> Option<usize> {
    let mut i = 2;
    loop {
        while let Some(w) = s.get(i..i + 22).and_then(|w| <&[u8; 22]>::try_from(w).ok()) {
            let small = (w[0] < 2) | (w[3] < 2) | (w[6] < 2) | (w[9] < 2);
            if small | (w[12] < 2) | (w[15] < 2) | (w[18] < 2) | (w[21] < 2) {
                break;
            }
            i += 24;
        }
        let end = if s.len() >= i + 22 { i + 24 } else { s.len() };
        while i < end {
            match s.get(i) {
                Some(&b) if b > 1 => i += 3,
                Some(1) if s.get(i - 2..i) == Some(&[0, 0][..]) => return Some(i - 2),
                Some(1) => i += 3,
                Some(_) => i += 1,
                None => return None,
            }
        }
        if i >= s.len() {
            return None;
        }
    }
}

/// Whether [`NalFrame::fragment`] shortens fragments to keep copies word-aligned: where
/// unaligned loads are not single instructions (MIPS32; not x86-64 or AArch64).
const WORD_ALIGN_FRAGMENTS: bool = !cfg!(any(target_arch = "x86_64", target_arch = "aarch64"));

/// Drops trailing zero bytes (`trailing_zero_8bits`, a 4-byte start code's first zero).
#[inline]
fn trim_zeros(mut nal: &[u8]) -> &[u8] {
    while let [rest @ .., 0] = nal {
        nal = rest;
    }
    nal
}

/// The NAL units of an Annex-B byte stream (3- or 4-byte start codes), without start
/// codes or trailing zeros; empty units are skipped.
#[derive(Debug, Clone)]
pub struct AnnexB<'a> {
    rest: &'a [u8],
    start_codes: StartCodes,
}

impl<'a> AnnexB<'a> {
    /// Checks that `data` begins (after any zero bytes) with a start code.
    pub fn new(data: &'a [u8]) -> Result<Self, Error> {
        Ok(AnnexB {
            rest: after_first_start_code(data)?,
            start_codes: StartCodes::new(),
        })
    }
}

impl<'a> Iterator for AnnexB<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        next_nal(&mut self.rest, &self.start_codes)
    }
}

/// What follows the first start code of `data` (only zero bytes may precede it).
fn after_first_start_code(data: &[u8]) -> Result<&[u8], Error> {
    let zeros = data.iter().take_while(|&&b| b == 0).count();
    match data.get(zeros) {
        Some(1) if zeros >= 2 => Ok(data.get(zeros + 1..).unwrap_or_default()),
        _ => Err(Error::NoStartCode),
    }
}

/// Takes the next non-empty NAL unit off the front of `rest` (Annex-B after a start code).
#[inline]
fn next_nal<'a>(rest: &mut &'a [u8], start_codes: &StartCodes) -> Option<&'a [u8]> {
    loop {
        if rest.is_empty() {
            return None;
        }
        let (nal, tail) = match start_codes.find(rest) {
            Some(i) => (
                rest.get(..i).unwrap_or_default(),
                rest.get(i + 3..).unwrap_or_default(),
            ),
            None => (*rest, &[][..]),
        };
        *rest = tail;
        let nal = trim_zeros(nal);
        if !nal.is_empty() {
            return Some(nal);
        }
    }
}

/// How the two codecs differ.
pub(crate) trait NalFormat {
    /// NAL unit header size: 1 (H.264) or 2 (H.265).
    const HEADER: usize;
    /// Size of a fragmentation unit's headers (FU indicator/payload header + FU header).
    const FU_HEADER: usize = Self::HEADER + 1;
    /// The payloader's cache slot for a parameter-set NAL unit.
    fn param_slot(nal: &[u8]) -> Option<usize>;
    /// IDR (H.264) / IRAP (H.265).
    fn is_keyframe(nal: &[u8]) -> bool;
    /// An access unit delimiter: never sent, since the marker bit delimits access units
    /// in RTP (libwebrtc, str0m and webrtc-rs drop them too) and each would cost a packet.
    fn is_delimiter(nal: &[u8]) -> bool;
    /// Aggregation header fields of one NAL unit (type bits cleared).
    fn agg_fields(nal: &[u8]) -> u16;
    /// Combines the aggregation header fields of two NAL units.
    fn agg_merge(a: u16, b: u16) -> u16;
    /// The aggregation packet's header for the combined fields.
    fn agg_header(fields: u16) -> [u8; 2];
    /// The fragmentation unit headers for fragments of `nal`.
    fn fu_header(nal: &[u8], start: bool, end: bool) -> [u8; 3];
    /// The packet kind of a received payload (by its header).
    fn kind(payload: &[u8]) -> Result<Kind, Error>;
    /// A fragmentation unit's (start, end, reconstructed NAL header); `payload` holds at
    /// least `FU_HEADER` bytes.
    fn fu_parse(payload: &[u8]) -> (bool, bool, [u8; 2]);
}

/// Received packet kinds.
pub(crate) enum Kind {
    Single,
    Aggregate,
    Fragment,
}

/// Parameter sets kept for re-sending before keyframes.
#[derive(Debug, Clone)]
struct ParamCache<const N: usize> {
    data: [[u8; PARAM_SET_CAPACITY]; N],
    len: [usize; N],
}

impl<const N: usize> ParamCache<N> {
    const fn new() -> Self {
        ParamCache {
            data: [[0; PARAM_SET_CAPACITY]; N],
            len: [0; N],
        }
    }

    fn store(&mut self, slot: usize, nal: &[u8]) {
        if let (Some(dst), Some(len)) = (self.data.get_mut(slot), self.len.get_mut(slot)) {
            match dst.get_mut(..nal.len()) {
                Some(d) => {
                    d.copy_from_slice(nal);
                    *len = nal.len();
                }
                // Too large to keep: better none than a stale one.
                None => *len = 0,
            }
        }
    }

    fn get(&self, slot: usize) -> &[u8] {
        match (self.data.get(slot), self.len.get(slot)) {
            (Some(d), Some(&len)) => d.get(..len).unwrap_or_default(),
            _ => &[],
        }
    }

    /// Bit mask of the slots holding a parameter set.
    fn present(&self) -> u8 {
        self.len
            .iter()
            .enumerate()
            .filter(|(_, l)| **l > 0)
            .fold(0, |m, (i, _)| m | (1 << i))
    }
}

/// What an H.264 or H.265 payloader keeps between access units: its limits, the
/// parameter sets it may re-send (`N` slots) and its start-code searcher.
#[derive(Debug, Clone)]
pub(crate) struct NalPayloader<const N: usize> {
    pub(crate) max_payload: usize,
    pub(crate) resend: bool,
    cache: ParamCache<N>,
    start_codes: LazyStartCodes,
}

impl<const N: usize> NalPayloader<N> {
    pub(crate) const fn new(max_payload: usize) -> Self {
        NalPayloader {
            max_payload,
            resend: false,
            cache: ParamCache::new(),
            start_codes: LazyStartCodes::new(),
        }
    }

    /// Starts one access unit in Annex-B format.
    pub(crate) fn annex_b<'a, F: NalFormat>(
        &'a mut self,
        access_unit: &'a [u8],
    ) -> Result<NalFrame<'a, F, N>, Error> {
        let src = Source::annex_b(access_unit, &mut self.start_codes)?;
        NalFrame::new(&mut self.cache, self.resend, src, self.max_payload)
    }

    /// Starts one access unit given as NAL units (no start codes).
    pub(crate) fn nal_list<'a, F: NalFormat>(
        &'a mut self,
        nals: &'a [&'a [u8]],
    ) -> Result<NalFrame<'a, F, N>, Error> {
        NalFrame::new(
            &mut self.cache,
            self.resend,
            Source::List(nals.iter()),
            self.max_payload,
        )
    }
}

/// Where a frame's NAL units come from.
#[derive(Debug, Clone)]
enum Source<'a> {
    AnnexB {
        rest: &'a [u8],
        start_codes: &'a StartCodes,
    },
    List(core::slice::Iter<'a, &'a [u8]>),
}
impl<'a> Source<'a> {
    /// An Annex-B access unit, searched with the payloader's `start_codes`.
    fn annex_b(access_unit: &'a [u8], start_codes: &'a mut LazyStartCodes) -> Result<Self, Error> {
        Ok(Source::AnnexB {
            rest: after_first_start_code(access_unit)?,
            start_codes: start_codes.get(),
        })
    }

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            Source::AnnexB { rest, start_codes } => next_nal(rest, start_codes),
            Source::List(l) => l.by_ref().copied().find(|n| !n.is_empty()),
        }
    }
}

/// A NAL unit to send: from the frame, or a cached parameter set.
#[derive(Debug, Clone, Copy)]
enum Item<'a> {
    Frame(&'a [u8]),
    Cached(usize),
}

/// The payloads of one frame; generic over the codec's NAL format.
#[derive(Debug)]
pub(crate) struct NalFrame<'a, F, const N: usize> {
    cache: &'a mut ParamCache<N>,
    resend: bool,
    src: Source<'a>,
    max_payload: usize,
    peeked: Option<Item<'a>>,
    /// Cached parameter sets still to send before `deferred` (bit mask of slots).
    inject: u8,
    deferred: Option<&'a [u8]>,
    /// Parameter-set slots seen in this frame.
    seen: u8,
    keyframe_seen: bool,
    /// The NAL unit being fragmented, the offset of its next fragment, and the bytes its
    /// fragments may still leave out while keeping their count minimal (see `fragment`).
    fu: Option<(Item<'a>, usize, usize)>,
    _format: core::marker::PhantomData<F>,
}

impl<'a, F: NalFormat, const N: usize> NalFrame<'a, F, N> {
    fn new(
        cache: &'a mut ParamCache<N>,
        resend: bool,
        src: Source<'a>,
        max_payload: usize,
    ) -> Result<Self, Error> {
        // A fragment must carry at least one byte of data.
        if max_payload <= F::FU_HEADER {
            return Err(Error::MaxPayloadTooSmall);
        }
        let mut f = NalFrame {
            cache,
            resend,
            src,
            max_payload,
            peeked: None,
            inject: 0,
            deferred: None,
            seen: 0,
            keyframe_seen: false,
            fu: None,
            _format: core::marker::PhantomData,
        };
        if f.peek().is_none() {
            return Err(Error::EmptyFrame);
        }
        Ok(f)
    }

    /// The next NAL unit to send, with cached parameter sets injected before the frame's
    /// first keyframe NAL unit when the frame lacks them.
    fn pull(&mut self) -> Option<Item<'a>> {
        if self.inject != 0 {
            let slot = self.inject.trailing_zeros() as usize;
            self.inject &= self.inject - 1;
            return Some(Item::Cached(slot));
        }
        if let Some(d) = self.deferred.take() {
            return Some(Item::Frame(d));
        }
        let nal = loop {
            let nal = self.src.next()?;
            if !F::is_delimiter(nal) {
                break nal;
            }
        };
        if self.resend {
            if let Some(slot) = F::param_slot(nal) {
                self.seen |= 1 << slot;
                self.cache.store(slot, nal);
            } else if !self.keyframe_seen && F::is_keyframe(nal) {
                self.keyframe_seen = true;
                let missing = self.cache.present() & !self.seen;
                if missing != 0 {
                    self.inject = missing;
                    self.deferred = Some(nal);
                    return self.pull();
                }
            }
        }
        Some(Item::Frame(nal))
    }

    #[inline]
    fn peek(&mut self) -> Option<Item<'a>> {
        if self.peeked.is_none() {
            self.peeked = self.pull();
        }
        self.peeked
    }

    #[inline]
    fn take(&mut self) -> Option<Item<'a>> {
        match self.peeked.take() {
            Some(i) => Some(i),
            None => self.pull(),
        }
    }

    #[inline]
    fn bytes(&self, item: Item<'a>) -> &[u8] {
        match item {
            Item::Frame(n) => n,
            Item::Cached(slot) => self.cache.get(slot),
        }
    }

    #[inline]
    fn len(&self, item: Item<'a>) -> usize {
        self.bytes(item).len()
    }

    pub(crate) fn next_into(&mut self, out: &mut [u8]) -> Result<Option<PayloadMeta>, Error> {
        let out = out
            .get_mut(..self.max_payload)
            .ok_or(Error::BufferTooSmall)?;
        if let Some((item, offset, slack)) = self.fu {
            return Ok(Some(self.fragment(out, item, offset, slack)));
        }
        let Some(first) = self.take() else {
            return Ok(None);
        };
        let first_len = self.len(first);
        if first_len > self.max_payload {
            // What the last fragment leaves unused when all others are full.
            let (body, room) = (first_len - F::HEADER, self.max_payload - F::FU_HEADER);
            let slack = body.div_ceil(room) * room - body;
            return Ok(Some(self.fragment(out, first, F::HEADER, slack)));
        }
        let agg_room = self.max_payload.min(usize::from(u16::MAX));
        let aggregate = match self.peek() {
            Some(next) => F::HEADER + 2 + first_len + 2 + self.len(next) <= agg_room,
            None => false,
        };
        let len = if aggregate {
            self.aggregate(out, first, agg_room)
        } else {
            let nal = self.bytes(first);
            if let Some(dst) = out.get_mut(..nal.len()) {
                dst.copy_from_slice(nal);
            }
            nal.len()
        };
        let marker = self.peek().is_none();
        Ok(Some(PayloadMeta {
            len,
            marker,
            timestamp_offset: 0,
        }))
    }

    /// Writes an aggregation packet starting with `first` and as many following NAL units
    /// as fit in `room` bytes; returns its length.
    fn aggregate(&mut self, out: &mut [u8], first: Item<'a>, room: usize) -> usize {
        let mut pos = F::HEADER;
        let mut fields = F::agg_fields(self.bytes(first));
        let mut item = first;
        loop {
            let nal = self.bytes(item);
            let size = (nal.len() as u16).to_be_bytes();
            if let Some(dst) = out.get_mut(pos..pos + 2 + nal.len()) {
                let (s, n) = dst.split_at_mut(2);
                s.copy_from_slice(&size);
                n.copy_from_slice(nal);
            }
            pos += 2 + nal.len();
            match self.peek() {
                Some(next) if pos + 2 + self.len(next) <= room => {
                    fields = F::agg_merge(fields, F::agg_fields(self.bytes(next)));
                    self.peeked = None;
                    item = next;
                }
                _ => break,
            }
        }
        let hdr = F::agg_header(fields);
        if let (Some(dst), Some(src)) = (out.get_mut(..F::HEADER), hdr.get(..F::HEADER)) {
            dst.copy_from_slice(src);
        }
        pos
    }

    /// Writes the fragment of `item` that starts at `offset`.
    fn fragment(
        &mut self,
        out: &mut [u8],
        item: Item<'a>,
        offset: usize,
        mut slack: usize,
    ) -> PayloadMeta {
        let nal = self.bytes(item);
        let rest = nal.get(offset..).unwrap_or_default();
        let room = self.max_payload - F::FU_HEADER;
        let mut chunk = rest.len().min(room);
        // A fragment that is not the last may end up to 3 bytes short, so that the next
        // one's source sits at the same offset within a 4-byte word as its destination
        // (when the caller reuses one packet buffer, as senders do): then `memcpy` moves
        // whole words. MIPS32 has no single-instruction unaligned load, and misaligned
        // copies cost it about twice as much. Only the slack the last fragment leaves is
        // used, so the packet count stays the minimum, ceil(len / room).
        if WORD_ALIGN_FRAGMENTS && chunk < rest.len() && room > 8 {
            let dst = (out.as_ptr() as usize).wrapping_add(F::FU_HEADER);
            let next_src = (rest.as_ptr() as usize).wrapping_add(chunk);
            let skew = next_src.wrapping_sub(dst) % 4;
            if skew <= slack {
                chunk -= skew;
                slack -= skew;
            }
        }
        let start = offset == F::HEADER;
        let end = chunk == rest.len();
        let hdr = F::fu_header(nal, start, end);
        if let (Some(dst), Some(h)) = (out.get_mut(..F::FU_HEADER), hdr.get(..F::FU_HEADER)) {
            dst.copy_from_slice(h);
        }
        if let (Some(dst), Some(src)) = (
            out.get_mut(F::FU_HEADER..F::FU_HEADER + chunk),
            rest.get(..chunk),
        ) {
            dst.copy_from_slice(src);
        }
        let marker = if end {
            self.fu = None;
            self.peek().is_none()
        } else {
            self.fu = Some((item, offset + chunk, slack));
            false
        };
        PayloadMeta {
            len: F::FU_HEADER + chunk,
            marker,
            timestamp_offset: 0,
        }
    }
}

/// Whether an Annex-B access unit holds a keyframe NAL unit (invalid input: false).
pub(crate) fn annexb_has_keyframe<F: NalFormat>(au: &[u8]) -> bool {
    AnnexB::new(au).is_ok_and(|mut a| a.any(F::is_keyframe))
}

/// Parses one received payload into the assembler (packets already sequence-checked).
pub(crate) fn depacketize<F: NalFormat, B: AsMut<[u8]> + AsRef<[u8]>>(
    asm: &mut Assembler<B>,
    payload: &[u8],
) -> Result<(), Error> {
    if payload.len() < F::HEADER {
        return Err(Error::Truncated);
    }
    match F::kind(payload)? {
        Kind::Single => {
            if asm.fragment_open {
                asm.fail(DropReason::FragmentEndMissing);
                asm.fragment_open = false;
            }
            if F::is_keyframe(payload) {
                asm.set_keyframe();
            }
            asm.append(&[&START_CODE, payload])
        }
        Kind::Aggregate => {
            if asm.fragment_open {
                asm.fail(DropReason::FragmentEndMissing);
                asm.fragment_open = false;
            }
            let units = payload.get(F::HEADER..).unwrap_or_default();
            // Validate every size before writing anything.
            let mut rest = units;
            let mut count = 0;
            while !rest.is_empty() {
                let (nal, tail) = split_unit::<F>(rest)?;
                if F::is_keyframe(nal) {
                    asm.set_keyframe();
                }
                rest = tail;
                count += 1;
            }
            if count == 0 {
                return Err(Error::InvalidAggregate);
            }
            let mut rest = units;
            while let Ok((nal, tail)) = split_unit::<F>(rest) {
                asm.append(&[&START_CODE, nal])?;
                rest = tail;
            }
            Ok(())
        }
        Kind::Fragment => {
            let data = payload.get(F::FU_HEADER..).unwrap_or_default();
            if data.is_empty() {
                return Err(Error::InvalidFragment);
            }
            let (start, end, hdr) = F::fu_parse(payload);
            if start && end {
                return Err(Error::InvalidFragment);
            }
            let hdr = hdr.get(..F::HEADER).unwrap_or_default();
            if start {
                if asm.fragment_open {
                    asm.fail(DropReason::FragmentEndMissing);
                }
                if F::is_keyframe(hdr) {
                    asm.set_keyframe();
                }
                asm.fragment_open = true;
                asm.append(&[&START_CODE, hdr, data])?;
            } else if asm.fragment_open {
                asm.append(&[data])?;
            } else {
                asm.fail(DropReason::FragmentStartMissing);
            }
            if end {
                asm.fragment_open = false;
            }
            Ok(())
        }
    }
}

/// Splits one size-prefixed NAL unit off an aggregation packet's body.
fn split_unit<F: NalFormat>(body: &[u8]) -> Result<(&[u8], &[u8]), Error> {
    let (size, rest) = body.split_at_checked(2).ok_or(Error::InvalidAggregate)?;
    let size = match size {
        [a, b] => usize::from(u16::from_be_bytes([*a, *b])),
        _ => return Err(Error::InvalidAggregate),
    };
    if size < F::HEADER {
        return Err(Error::InvalidAggregate);
    }
    rest.split_at_checked(size).ok_or(Error::InvalidAggregate)
}

#[cfg(test)]
mod tests {
    use super::{find_start_code_skip, find_start_code_swar};

    fn naive(s: &[u8]) -> Option<usize> {
        s.windows(3).position(|w| w == [0, 0, 1])
    }

    #[test]
    fn both_scans_find_what_a_naive_search_finds() {
        // Bytes drawn mostly from {0, 1, 2, 0x80} so start codes, near misses and long
        // zero runs are common; every length from 0 to 80 and every offset.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 0..80 {
            for _ in 0..400 {
                let buf: std::vec::Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        // Half the buffers are mostly large bytes (the fast paths).
                        let small = [0, 0, 0, 1, 2, 0x80][(x % 6) as usize];
                        if len % 2 == 0 || x % 16 == 0 {
                            small
                        } else {
                            0x80
                        }
                    })
                    .collect();
                assert_eq!(find_start_code_swar(&buf), naive(&buf), "{buf:?}");
                assert_eq!(find_start_code_skip(&buf), naive(&buf), "{buf:?}");
            }
        }
    }
}
