//! The DTLS record layer (RFC 6347 §4.1): a 13-byte header and a fragment, several records
//! per datagram.

use super::codec::{Reader, Writer};
use super::types::{ContentType, ProtocolVersion};
use crate::dtls::Error;

/// Size of the record header: type, version, epoch, 48-bit sequence number, length.
pub const RECORD_HEADER_LEN: usize = 13;
/// Largest fragment RFC 6347 §4.1 lets a peer send (2^14 plaintext plus 2048 of expansion).
pub const MAX_RECORD_FRAGMENT: usize = (1 << 14) + 2048;
/// Largest 48-bit record sequence number.
pub const MAX_SEQUENCE: u64 = 0xffff_ffff_ffff;

/// A record header: what the record layer reads before it knows whether it can open the
/// record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordHeader {
    /// What the fragment carries.
    pub content_type: ContentType,
    /// DTLS 1.2, or DTLS 1.0 at epoch 0 (ClientHello and HelloVerifyRequest records).
    pub version: ProtocolVersion,
    /// Which keys protect the fragment (0: none).
    pub epoch: u16,
    /// 48-bit record sequence number within the epoch.
    pub sequence: u64,
    /// Length of the fragment that follows.
    pub length: u16,
}

impl RecordHeader {
    /// Parses the header at the start of `b` and checks it against what follows: returns
    /// the header and the whole record's length (header + fragment).
    ///
    /// Versions: 0xfefd always; 0xfeff only at epoch 0, where RFC 6347 §4.1 lets a client
    /// use it for the ClientHello before a version is agreed.
    pub fn parse(b: &[u8]) -> Result<(RecordHeader, usize), Error> {
        let mut r = Reader::new(b);
        let content_type = ContentType(r.u8()?);
        let version = ProtocolVersion(r.u16()?);
        let epoch = r.u16()?;
        let sequence = r.u48()?;
        let length = r.u16()?;
        let ok_version = version == ProtocolVersion::DTLS1_2
            || (version == ProtocolVersion::DTLS1_0 && epoch == 0);
        if !ok_version {
            return Err(Error::BadVersion);
        }
        if usize::from(length) > MAX_RECORD_FRAGMENT {
            return Err(Error::RecordTooLong);
        }
        if r.rest().len() < usize::from(length) {
            return Err(Error::Truncated);
        }
        let header = RecordHeader {
            content_type,
            version,
            epoch,
            sequence,
            length,
        };
        Ok((header, RECORD_HEADER_LEN + usize::from(length)))
    }

    /// Writes the 13-byte header at the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut w = Writer::new(buf);
        w.u8(self.content_type.0)?;
        w.u16(self.version.0)?;
        w.u16(self.epoch)?;
        w.u48(self.sequence)?;
        w.u16(self.length)?;
        Ok(w.pos())
    }

    /// The 8-byte `epoch ‖ sequence_number` that the AEAD nonce and the additional data use
    /// (RFC 6347 §4.1.2.1).
    pub fn epoch_sequence(&self) -> [u8; 8] {
        epoch_sequence(self.epoch, self.sequence)
    }
}

/// `epoch ‖ 48-bit sequence` as 8 big-endian bytes.
pub fn epoch_sequence(epoch: u16, sequence: u64) -> [u8; 8] {
    ((u64::from(epoch) << 48) | (sequence & MAX_SEQUENCE)).to_be_bytes()
}

/// One record of a datagram, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// The header.
    pub header: RecordHeader,
    /// The fragment (`header.length` bytes): plaintext at epoch 0, protected otherwise.
    pub fragment: &'a [u8],
}

impl<'a> Record<'a> {
    /// Writes header and fragment into `buf`; the header's length is taken from the fragment.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        let length = u16::try_from(self.fragment.len()).map_err(|_| Error::TooLong)?;
        let header = RecordHeader {
            length,
            ..self.header
        };
        let n = header.emit(buf)?;
        let mut w = Writer::new(buf.get_mut(n..).ok_or(Error::BufferTooSmall)?);
        w.bytes(self.fragment)?;
        Ok(n + w.pos())
    }

    /// Bytes this record takes on the wire.
    pub fn buffer_len(&self) -> usize {
        RECORD_HEADER_LEN + self.fragment.len()
    }
}

/// Iterates the records of one datagram.
///
/// A malformed record yields one `Err` and ends the iteration: RFC 6347 §4.1.2.7 says to
/// discard the rest of a datagram whose framing is broken, while the records before it stay
/// good.
#[derive(Debug, Clone)]
pub struct Records<'a> {
    rest: &'a [u8],
}

impl<'a> Records<'a> {
    /// The records of `datagram`.
    pub const fn new(datagram: &'a [u8]) -> Self {
        Records { rest: datagram }
    }
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = RecordHeader::parse(self.rest).and_then(|(header, total)| {
            let (record, tail) = self.rest.split_at_checked(total).ok_or(Error::Truncated)?;
            let fragment = record.get(RECORD_HEADER_LEN..).ok_or(Error::Truncated)?;
            Ok((Record { header, fragment }, tail))
        });
        match parsed {
            Ok((record, tail)) => {
                self.rest = tail;
                Some(Ok(record))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Iterates the records of one datagram mutably, so protected fragments can be opened in
/// place. Same error rule as [`Records`].
#[derive(Debug)]
pub struct RecordsMut<'a> {
    rest: &'a mut [u8],
}

impl<'a> RecordsMut<'a> {
    /// The records of `datagram`.
    pub fn new(datagram: &'a mut [u8]) -> Self {
        RecordsMut { rest: datagram }
    }
}

impl<'a> Iterator for RecordsMut<'a> {
    type Item = Result<(RecordHeader, &'a mut [u8]), Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let rest = core::mem::take(&mut self.rest);
        let (header, total) = match RecordHeader::parse(rest) {
            Ok(v) => v,
            Err(e) => return Some(Err(e)),
        };
        let Some((record, tail)) = rest.split_at_mut_checked(total) else {
            return Some(Err(Error::Truncated));
        };
        self.rest = tail;
        match record.get_mut(RECORD_HEADER_LEN..) {
            Some(fragment) => Some(Ok((header, fragment))),
            None => Some(Err(Error::Truncated)),
        }
    }
}

/// Quick demultiplexing test (RFC 7983 §7): a first byte in 20..=63 means DTLS.
pub fn is_dtls(datagram: &[u8]) -> bool {
    matches!(datagram.first(), Some(20..=63))
}
