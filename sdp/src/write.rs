//! Writing descriptions into caller storage.

use core::fmt;

/// A [`fmt::Write`] into a byte buffer the caller owns: how descriptions are emitted
/// without allocating. Writing past the end fails (and leaves what fitted).
#[derive(Debug)]
pub struct SliceWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl<'b> SliceWriter<'b> {
    /// An empty writer over `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        SliceWriter { buf, len: 0 }
    }

    /// How many bytes have been written.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The text written so far.
    pub fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        self.buf
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    /// The text written, borrowed for as long as the buffer.
    pub fn into_str(self) -> &'b str {
        let SliceWriter { buf, len } = self;
        let buf: &'b [u8] = buf;
        buf.get(..len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for SliceWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `a=<attribute>\r\n`-style lines.
pub(crate) struct Lines<'w, W: fmt::Write>(pub(crate) &'w mut W);

impl<W: fmt::Write> Lines<'_, W> {
    /// One line: `args` then CRLF.
    pub(crate) fn line(&mut self, args: fmt::Arguments<'_>) -> fmt::Result {
        self.0.write_fmt(args)?;
        self.0.write_str("\r\n")
    }
}
