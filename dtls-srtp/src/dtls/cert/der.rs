//! The small slice of DER (X.690) that certificates need: a bounded forward writer into a
//! caller buffer and a strict, panic-free TLV reader.
//!
//! Hand-written rather than RustCrypto `der`: our certificate is a fixed shape of a dozen
//! fields, and the peer's is walked once to find four of them, so ~150 lines cover both
//! without `der`'s trait machinery or an allocator. Only low tag numbers (< 31) and
//! definite lengths up to 3 length bytes (16 MiB) exist here; anything else is malformed.

use super::Error;

/// Universal tags used in certificates.
pub(crate) mod tag {
    pub(crate) const INTEGER: u8 = 0x02;
    pub(crate) const BIT_STRING: u8 = 0x03;
    pub(crate) const NULL: u8 = 0x05;
    pub(crate) const OID: u8 = 0x06;
    pub(crate) const UTF8_STRING: u8 = 0x0c;
    pub(crate) const UTC_TIME: u8 = 0x17;
    pub(crate) const GENERALIZED_TIME: u8 = 0x18;
    pub(crate) const SEQUENCE: u8 = 0x30;
    pub(crate) const SET: u8 = 0x31;
    /// `[0] EXPLICIT` (context-specific, constructed).
    pub(crate) const CONTEXT_0: u8 = 0xa0;
}

/// Writes DER forwards into a caller buffer. A constructed value is opened with
/// [`Writer::open`] (tag plus a one-byte length placeholder) and closed with
/// [`Writer::close`], which widens the length in place when the content outgrew 127 bytes.
pub(crate) struct Writer<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

/// Where an open constructed value's length byte sits.
#[derive(Clone, Copy)]
pub(crate) struct Open(usize);

/// A DER length: the bytes in a 4-byte array and how many of them are used.
fn encode_len(len: usize) -> Result<([u8; 4], usize), Error> {
    let be = u32::try_from(len)
        .map_err(|_| Error::BufferTooSmall)?
        .to_be_bytes();
    Ok(if len < 0x80 {
        ([be[3], 0, 0, 0], 1)
    } else if len <= 0xff {
        ([0x81, be[3], 0, 0], 2)
    } else if len <= 0xffff {
        ([0x82, be[2], be[3], 0], 3)
    } else if len <= 0xff_ffff {
        ([0x83, be[1], be[2], be[3]], 4)
    } else {
        return Err(Error::BufferTooSmall);
    })
}

impl<'a> Writer<'a> {
    pub(crate) fn new(buf: &'a mut [u8]) -> Self {
        Writer { buf, pos: 0 }
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.pos
    }

    /// The bytes written so far.
    pub(crate) fn written(&self) -> &[u8] {
        self.buf.get(..self.pos).unwrap_or(&[])
    }

    pub(crate) fn push(&mut self, bytes: &[u8]) -> Result<(), Error> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .ok_or(Error::BufferTooSmall)?;
        self.buf
            .get_mut(self.pos..end)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(bytes);
        self.pos = end;
        Ok(())
    }

    fn push_len(&mut self, len: usize) -> Result<(), Error> {
        let (bytes, n) = encode_len(len)?;
        self.push(bytes.get(..n).unwrap_or(&[]))
    }

    /// A complete TLV.
    pub(crate) fn tlv(&mut self, tag: u8, content: &[u8]) -> Result<(), Error> {
        self.push(&[tag])?;
        self.push_len(content.len())?;
        self.push(content)
    }

    /// A non-negative INTEGER from big-endian magnitude bytes (minimal: leading zeros
    /// stripped, one 0x00 added when the top bit is set).
    pub(crate) fn uint(&mut self, magnitude: &[u8]) -> Result<(), Error> {
        let first = magnitude.iter().position(|&b| b != 0);
        let digits = match first {
            Some(i) => magnitude.get(i..).unwrap_or(&[]),
            None => &[0],
        };
        let pad = digits.first().is_some_and(|&b| b & 0x80 != 0);
        self.push(&[tag::INTEGER])?;
        self.push_len(digits.len() + usize::from(pad))?;
        if pad {
            self.push(&[0])?;
        }
        self.push(digits)
    }

    /// Starts a constructed value (or a BIT STRING whose content follows).
    pub(crate) fn open(&mut self, tag: u8) -> Result<Open, Error> {
        self.push(&[tag, 0])?;
        Ok(Open(self.pos - 1))
    }

    /// Ends the value `open` started: fills in its length, moving the content right when
    /// the length needs more than one byte.
    pub(crate) fn close(&mut self, open: Open) -> Result<(), Error> {
        let content_start = open.0 + 1;
        let content_len = self
            .pos
            .checked_sub(content_start)
            .ok_or(Error::BufferTooSmall)?;
        let (header, header_len) = encode_len(content_len)?;
        let header = header.get(..header_len).unwrap_or(&[]);
        let extra = header_len - 1;
        if extra > 0 {
            let new_end = self.pos.checked_add(extra).ok_or(Error::BufferTooSmall)?;
            if new_end > self.buf.len() {
                return Err(Error::BufferTooSmall);
            }
            self.buf
                .copy_within(content_start..self.pos, content_start + extra);
            self.pos = new_end;
        }
        self.buf
            .get_mut(open.0..open.0 + header_len)
            .ok_or(Error::BufferTooSmall)?
            .copy_from_slice(header);
        Ok(())
    }
}

/// One TLV read from DER.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    pub(crate) tag: u8,
    pub(crate) content: &'a [u8],
    /// Tag, length and content: what a fingerprint or signature covers.
    pub(crate) whole: &'a [u8],
}

/// A strict DER cursor: definite, minimally encoded lengths; single-byte tags.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Reader { rest: bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    /// The next tag without consuming it.
    pub(crate) fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// The next TLV, whatever its tag.
    pub(crate) fn any(&mut self) -> Result<Tlv<'a>, Error> {
        let (&tag, after_tag) = self.rest.split_first().ok_or(Error::Malformed)?;
        if tag & 0x1f == 0x1f {
            return Err(Error::Malformed); // high tag numbers never occur in certificates
        }
        let (&first, mut after_len) = after_tag.split_first().ok_or(Error::Malformed)?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 3 {
                return Err(Error::Malformed); // indefinite (BER) or absurdly long
            }
            let (digits, tail) = after_len.split_at_checked(n).ok_or(Error::Malformed)?;
            after_len = tail;
            let len = digits
                .iter()
                .fold(0usize, |acc, &d| (acc << 8) | usize::from(d));
            if len < 0x80 || digits.first() == Some(&0) {
                return Err(Error::Malformed); // not the minimal DER length
            }
            len
        };
        let (content, rest) = after_len.split_at_checked(len).ok_or(Error::Malformed)?;
        let whole_len = self.rest.len() - rest.len();
        let whole = self.rest.get(..whole_len).ok_or(Error::Malformed)?;
        self.rest = rest;
        Ok(Tlv {
            tag,
            content,
            whole,
        })
    }

    /// The next TLV, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8) -> Result<Tlv<'a>, Error> {
        let tlv = self.any()?;
        if tlv.tag == tag {
            Ok(tlv)
        } else {
            Err(Error::Malformed)
        }
    }

    /// A constructed value's content as a new reader.
    pub(crate) fn nested(&mut self, tag: u8) -> Result<Reader<'a>, Error> {
        Ok(Reader::new(self.expect(tag)?.content))
    }

    /// Fails unless everything was consumed.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(Error::Malformed)
        }
    }

    /// A BIT STRING with no unused bits (keys and signatures are whole bytes).
    pub(crate) fn bit_string_bytes(&mut self) -> Result<&'a [u8], Error> {
        let content = self.expect(tag::BIT_STRING)?.content;
        match content.split_first() {
            Some((0, bytes)) => Ok(bytes),
            _ => Err(Error::Malformed),
        }
    }

    /// A non-negative INTEGER's magnitude, leading zero bytes stripped.
    pub(crate) fn uint_magnitude(&mut self) -> Result<&'a [u8], Error> {
        let content = self.expect(tag::INTEGER)?.content;
        match content.first() {
            None => Err(Error::Malformed),
            Some(b) if b & 0x80 != 0 => Err(Error::Malformed), // negative
            Some(_) => {
                let start = content
                    .iter()
                    .position(|&b| b != 0)
                    .unwrap_or(content.len());
                Ok(content.get(start..).unwrap_or(&[]))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_widen_in_place() {
        for n in [0usize, 1, 127, 128, 255, 256, 300, 65535, 65536] {
            let mut buf = std::vec![0u8; n + 16];
            let mut w = Writer::new(&mut buf);
            let o = w.open(tag::SEQUENCE).unwrap();
            for i in 0..n {
                w.push(&[i as u8]).unwrap();
            }
            w.close(o).unwrap();
            let len = w.len();
            let mut r = Reader::new(buf.get(..len).unwrap());
            let t = r.expect(tag::SEQUENCE).unwrap();
            assert_eq!(t.content.len(), n);
            assert!(t.content.iter().enumerate().all(|(i, &b)| b == i as u8));
            r.finish().unwrap();
        }
    }

    #[test]
    fn writer_reports_too_small() {
        let mut buf = [0u8; 130];
        let mut w = Writer::new(&mut buf);
        let o = w.open(tag::SEQUENCE).unwrap();
        w.push(&[7; 128]).unwrap();
        assert_eq!(w.close(o).err(), Some(Error::BufferTooSmall));
    }

    #[test]
    fn integers_are_minimal() {
        let mut buf = [0u8; 16];
        let mut w = Writer::new(&mut buf);
        w.uint(&[0, 0, 0x80, 1]).unwrap();
        w.uint(&[0, 0]).unwrap();
        assert_eq!(w.written(), &[2, 3, 0, 0x80, 1, 2, 1, 0]);
    }

    #[test]
    fn reader_rejects_non_der_lengths() {
        for bad in [
            &[0x30, 0x80, 0, 0][..],    // indefinite
            &[0x30, 0x81, 0x05][..],    // long form for a short length
            &[0x30, 0x82, 0, 0x90][..], // leading zero length byte
            &[0x1f, 0x01, 0x00][..],    // high tag number
            &[0x30, 0x02, 0x00][..],    // truncated content
            &[0x30][..],
        ] {
            assert!(Reader::new(bad).any().is_err(), "{bad:02x?}");
        }
    }
}
