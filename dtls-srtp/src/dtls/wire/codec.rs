//! Panic-free cursors over TLS's big-endian, length-prefixed encoding (RFC 5246 §4).
//!
//! Every parser reads through [`Reader`] and every emitter writes through [`Writer`], so a
//! short input is [`Error::Truncated`] and a short output [`Error::BufferTooSmall`], never
//! an index panic.

use crate::dtls::Error;

/// Reads fields front to back; each read either succeeds whole or fails without advancing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) const fn new(b: &'a [u8]) -> Self {
        Reader { rest: b }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let (head, tail) = self.rest.split_at_checked(n).ok_or(Error::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Error> {
        let b = self.bytes(N)?;
        b.try_into().map_err(|_| Error::Truncated)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, Error> {
        Ok(u8::from_be_bytes(self.array()?))
    }

    pub(crate) fn u16(&mut self) -> Result<u16, Error> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u24(&mut self) -> Result<u32, Error> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u48(&mut self) -> Result<u64, Error> {
        let [a, b, c, d, e, f] = self.array()?;
        Ok(u64::from_be_bytes([0, 0, a, b, c, d, e, f]))
    }

    /// A vector with a one-byte length prefix.
    pub(crate) fn vec8(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u8()?;
        self.bytes(usize::from(n))
    }

    /// A vector with a two-byte length prefix.
    pub(crate) fn vec16(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u16()?;
        self.bytes(usize::from(n))
    }

    /// A vector with a three-byte length prefix.
    pub(crate) fn vec24(&mut self) -> Result<&'a [u8], Error> {
        let n = self.u24()?;
        self.bytes(usize::try_from(n).map_err(|_| Error::Truncated)?)
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// Succeeds only if everything was consumed: trailing bytes are a length error.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::BadLength)
        }
    }
}

/// Writes fields front to back into a caller buffer.
#[derive(Debug)]
pub(crate) struct Writer<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Writer<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn bytes(&mut self, src: &[u8]) -> Result<(), Error> {
        let end = self
            .pos
            .checked_add(src.len())
            .ok_or(Error::BufferTooSmall)?;
        self.buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(src);
        self.pos = end;
        Ok(())
    }

    pub(crate) fn u8(&mut self, v: u8) -> Result<(), Error> {
        self.bytes(&[v])
    }

    pub(crate) fn u16(&mut self, v: u16) -> Result<(), Error> {
        self.bytes(&v.to_be_bytes())
    }

    pub(crate) fn u24(&mut self, v: u32) -> Result<(), Error> {
        if v > 0x00ff_ffff {
            return Err(Error::TooLong);
        }
        let [_, a, b, c] = v.to_be_bytes();
        self.bytes(&[a, b, c])
    }

    pub(crate) fn u48(&mut self, v: u64) -> Result<(), Error> {
        if v > 0xffff_ffff_ffff {
            return Err(Error::TooLong);
        }
        let [_, _, a, b, c, d, e, f] = v.to_be_bytes();
        self.bytes(&[a, b, c, d, e, f])
    }

    pub(crate) fn vec8(&mut self, v: &[u8]) -> Result<(), Error> {
        self.u8(u8::try_from(v.len()).map_err(|_| Error::TooLong)?)?;
        self.bytes(v)
    }

    pub(crate) fn vec16(&mut self, v: &[u8]) -> Result<(), Error> {
        self.u16(u16::try_from(v.len()).map_err(|_| Error::TooLong)?)?;
        self.bytes(v)
    }

    pub(crate) fn vec24(&mut self, v: &[u8]) -> Result<(), Error> {
        self.u24(u32::try_from(v.len()).map_err(|_| Error::TooLong)?)?;
        self.bytes(v)
    }

    /// Starts a length-prefixed vector of `width` bytes (1, 2 or 3) whose length is filled
    /// in by [`Writer::close`].
    pub(crate) fn open(&mut self, width: usize) -> Result<Mark, Error> {
        let at = self.pos;
        let zeros = [0u8; 3];
        self.bytes(zeros.get(..width).ok_or(Error::BadLength)?)?;
        Ok(Mark { at, width })
    }

    /// Writes the length of everything since `mark` into its prefix.
    pub(crate) fn close(&mut self, mark: Mark) -> Result<(), Error> {
        let len = self
            .pos
            .checked_sub(mark.at + mark.width)
            .ok_or(Error::BadLength)?;
        let max = (1usize << (8 * mark.width)) - 1;
        if len > max {
            return Err(Error::TooLong);
        }
        let be = u32::try_from(len)
            .map_err(|_| Error::TooLong)?
            .to_be_bytes();
        let src = be.get(4 - mark.width..).ok_or(Error::BadLength)?;
        self.buf
            .get_mut(mark.at..mark.at + mark.width)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(src);
        Ok(())
    }
}

/// Where a length prefix opened by [`Writer::open`] sits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    at: usize,
    width: usize,
}
