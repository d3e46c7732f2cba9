//! A list of fixed-size items that is either borrowed from a received packet (decoded on
//! demand) or borrowed from the caller's values (to emit): RTCP Reprs stay a few words big
//! however many report blocks or NACK pairs a packet carries.

use core::fmt;

/// A fixed-size item of an RTCP list (report block, NACK pair, FIR entry, SSRC).
pub trait WireItem: Copy {
    /// Its size on the wire.
    const LEN: usize;
    /// Decodes one item from exactly `LEN` bytes (`None` only if too short).
    fn read(b: &[u8]) -> Option<Self>;
    /// Encodes into the first `LEN` bytes of `b` (`None` if too short).
    fn write(&self, b: &mut [u8]) -> Option<()>;
}

impl WireItem for u32 {
    const LEN: usize = 4;
    fn read(b: &[u8]) -> Option<u32> {
        crate::bytes::u32_at(b, 0)
    }
    fn write(&self, b: &mut [u8]) -> Option<()> {
        crate::bytes::put_u32(b, 0, *self)
    }
}

#[derive(Clone, Copy)]
enum Inner<'a, T> {
    Wire(&'a [u8]),
    Values(&'a [T]),
}

/// A list of `T`: the received bytes, or the caller's values to send.
#[derive(Clone, Copy)]
pub struct List<'a, T> {
    inner: Inner<'a, T>,
}

impl<'a, T: WireItem> List<'a, T> {
    /// A list of the caller's values, to emit.
    pub const fn from_values(values: &'a [T]) -> List<'a, T> {
        List {
            inner: Inner::Values(values),
        }
    }

    /// A list over received bytes (a multiple of `T::LEN`, checked by the parser).
    pub(crate) const fn from_wire(bytes: &'a [u8]) -> List<'a, T> {
        List {
            inner: Inner::Wire(bytes),
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        match self.inner {
            Inner::Wire(b) => b.len() / T::LEN,
            Inner::Values(v) => v.len(),
        }
    }

    /// No items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i`.
    pub fn get(&self, i: usize) -> Option<T> {
        match self.inner {
            Inner::Wire(b) => T::read(crate::bytes::slice_at(b, i.checked_mul(T::LEN)?, T::LEN)?),
            Inner::Values(v) => v.get(i).copied(),
        }
    }

    /// The items in order.
    pub fn iter(&self) -> ListIter<'a, T> {
        ListIter {
            list: *self,
            next: 0,
        }
    }

    /// Bytes this list takes on the wire.
    pub(crate) fn wire_len(&self) -> usize {
        self.len() * T::LEN
    }

    /// Writes the items at `at` in `buf`; the caller checked the room.
    pub(crate) fn write(&self, buf: &mut [u8], at: usize) -> Option<usize> {
        let mut pos = at;
        for item in self.iter() {
            item.write(buf.get_mut(pos..)?)?;
            pos += T::LEN;
        }
        Some(pos)
    }
}

impl<T: WireItem> Default for List<'_, T> {
    fn default() -> Self {
        List::from_values(&[])
    }
}

impl<T: WireItem + PartialEq> PartialEq for List<'_, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: WireItem + Eq> Eq for List<'_, T> {}

impl<T: WireItem + fmt::Debug> fmt::Debug for List<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Iterator over a [`List`].
#[derive(Clone)]
pub struct ListIter<'a, T> {
    list: List<'a, T>,
    next: usize,
}

impl<T: WireItem> Iterator for ListIter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        let item = self.list.get(self.next)?;
        self.next += 1;
        Some(item)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.list.len().saturating_sub(self.next);
        (n, Some(n))
    }
}

impl<T: WireItem> ExactSizeIterator for ListIter<'_, T> {}

impl<'a, T: WireItem> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> ListIter<'a, T> {
        self.iter()
    }
}
