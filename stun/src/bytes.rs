//! Panic-free big-endian field access over byte slices.
//!
//! Every read or write of the wire goes through these helpers, so a short buffer is an
//! `Option::None` (or a [`Error`]) and never an index panic.

use crate::Error;

#[inline]
pub(crate) fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(*array_at(b, at)?))
}

#[inline]
pub(crate) fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(*array_at(b, at)?))
}

#[inline]
pub(crate) fn array_at<const N: usize>(b: &[u8], at: usize) -> Option<&[u8; N]> {
    b.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Copies `src` into `dst` at `at`, or reports that the caller's buffer is too small.
#[inline]
pub(crate) fn put(dst: &mut [u8], at: usize, src: &[u8]) -> Result<(), Error> {
    let end = at.checked_add(src.len()).ok_or(Error::BufferTooSmall)?;
    dst.get_mut(at..end)
        .ok_or(Error::BufferTooSmall)?
        .copy_from_slice(src);
    Ok(())
}

/// Rounds a length up to the 4-byte boundary STUN attributes are padded to.
#[inline]
pub(crate) const fn pad4(len: usize) -> usize {
    (len + 3) & !3
}
