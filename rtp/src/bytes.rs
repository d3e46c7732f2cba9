//! Panic-free big-endian field access over byte slices.
//!
//! Every read or write of the wire goes through these helpers, so a short buffer is an
//! `Option::None` and never an index panic.

#[inline]
pub(crate) fn u8_at(b: &[u8], at: usize) -> Option<u8> {
    b.get(at).copied()
}

#[inline]
pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(*array_at(b, at)?))
}

#[inline]
pub(crate) fn u24_at(b: &[u8], at: usize) -> Option<u32> {
    let [x, y, z] = *array_at(b, at)?;
    Some(u32::from_be_bytes([0, x, y, z]))
}

#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(*array_at(b, at)?))
}

#[inline]
pub(crate) fn array_at<const N: usize>(b: &[u8], at: usize) -> Option<&[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// `len` bytes at `at`, if they are all there.
#[inline]
pub(crate) fn slice_at(b: &[u8], at: usize, len: usize) -> Option<&[u8]> {
    b.get(at..at.checked_add(len)?)
}

/// Copies `src` into `dst` at `at`; `None` if it does not fit.
#[inline]
pub(crate) fn put(dst: &mut [u8], at: usize, src: &[u8]) -> Option<()> {
    dst.get_mut(at..at.checked_add(src.len())?)?
        .copy_from_slice(src);
    Some(())
}

/// Writes one byte at `at`; `None` if it does not fit.
#[inline]
pub(crate) fn put_u8(dst: &mut [u8], at: usize, v: u8) -> Option<()> {
    *dst.get_mut(at)? = v;
    Some(())
}

/// Writes a big-endian u16 at `at`; `None` if it does not fit.
#[inline]
pub(crate) fn put_u16(dst: &mut [u8], at: usize, v: u16) -> Option<()> {
    put(dst, at, &v.to_be_bytes())
}

/// Writes the low 24 bits of `v`, big-endian, at `at`; `None` if it does not fit.
#[inline]
pub(crate) fn put_u24(dst: &mut [u8], at: usize, v: u32) -> Option<()> {
    let [_, x, y, z] = v.to_be_bytes();
    put(dst, at, &[x, y, z])
}

/// Writes a big-endian u32 at `at`; `None` if it does not fit.
#[inline]
pub(crate) fn put_u32(dst: &mut [u8], at: usize, v: u32) -> Option<()> {
    put(dst, at, &v.to_be_bytes())
}

/// Zeroes `len` bytes at `at`; `None` if they do not fit.
#[inline]
pub(crate) fn zero(dst: &mut [u8], at: usize, len: usize) -> Option<()> {
    dst.get_mut(at..at.checked_add(len)?)?.fill(0);
    Some(())
}

/// Rounds a length up to the next multiple of 4 (RTP extensions, RTCP packets).
#[inline]
pub(crate) const fn pad4(len: usize) -> usize {
    (len + 3) & !3
}
