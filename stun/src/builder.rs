//! Writing a message straight into the caller's buffer.

use crate::Error;
use crate::attr::{Attribute, kind};
use crate::bytes::{pad4, put};
use crate::integrity::{
    Key, MacAlgorithm, fingerprint, message_integrity, message_integrity_sha256,
};
use crate::message::{
    ATTR_HEADER_LEN, Class, HEADER_LEN, MAGIC_COOKIE, Method, TransactionId, message_type,
};

/// How a message is sealed when it is finished: integrity and/or fingerprint.
#[derive(Debug, Clone, Copy)]
pub struct Seal<'k> {
    /// Key and MAC for MESSAGE-INTEGRITY(-SHA256); `None` for unauthenticated messages.
    pub integrity: Option<(&'k Key<'k>, MacAlgorithm)>,
    /// Append FINGERPRINT (ICE always does; RFC 8445 §7.1).
    pub fingerprint: bool,
}

impl<'k> Seal<'k> {
    /// Neither integrity nor fingerprint.
    pub const NONE: Seal<'static> = Seal {
        integrity: None,
        fingerprint: false,
    };

    /// FINGERPRINT only.
    pub const FINGERPRINT: Seal<'static> = Seal {
        integrity: None,
        fingerprint: true,
    };

    /// MESSAGE-INTEGRITY (HMAC-SHA1) and FINGERPRINT: what ICE connectivity checks use.
    pub fn sha1(key: &'k Key<'k>) -> Seal<'k> {
        Seal {
            integrity: Some((key, MacAlgorithm::Sha1)),
            fingerprint: true,
        }
    }
}

/// Builds one STUN message in a caller-provided buffer, attribute by attribute.
///
/// The header's length is kept current after every attribute, so integrity and
/// fingerprint can be computed in place. Nothing may follow FINGERPRINT.
#[derive(Debug)]
pub struct MessageBuilder<'b> {
    buf: &'b mut [u8],
    len: usize,
    tid: TransactionId,
    sealed: bool,
}

impl<'b> MessageBuilder<'b> {
    /// Starts a message; fails if `buf` cannot hold the 20-byte header.
    pub fn new(
        buf: &'b mut [u8],
        class: Class,
        method: Method,
        tid: TransactionId,
    ) -> Result<MessageBuilder<'b>, Error> {
        put(buf, 0, &message_type(method, class).to_be_bytes())?;
        put(buf, 2, &[0, 0])?;
        put(buf, 4, &MAGIC_COOKIE.to_be_bytes())?;
        put(buf, 8, &tid.0)?;
        Ok(MessageBuilder {
            buf,
            len: HEADER_LEN,
            tid,
            sealed: false,
        })
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if only the header has been written.
    pub fn is_empty(&self) -> bool {
        self.len == HEADER_LEN
    }

    /// The transaction id being used.
    pub fn transaction_id(&self) -> TransactionId {
        self.tid
    }

    /// Appends one attribute (zero padding).
    pub fn add(&mut self, attr: &Attribute<'_>) -> Result<&mut Self, Error> {
        if self.sealed {
            return Err(Error::AttributeAfterFingerprint);
        }
        let start = self.len;
        let value_at = start + ATTR_HEADER_LEN;
        let out = self.buf.get_mut(value_at..).ok_or(Error::BufferTooSmall)?;
        let value_len = attr.encode_value(&self.tid, out)?;
        self.commit(attr.kind(), start, value_len)?;
        Ok(self)
    }

    /// Writes the attribute header and padding for a value already in place, and
    /// updates the message length.
    fn commit(&mut self, kind: u16, start: usize, value_len: usize) -> Result<(), Error> {
        let value_len16 = u16::try_from(value_len).map_err(|_| Error::ValueOutOfRange)?;
        let end = start + ATTR_HEADER_LEN + pad4(value_len);
        if end - HEADER_LEN > usize::from(u16::MAX) {
            return Err(Error::ValueOutOfRange);
        }
        put(self.buf, start, &kind.to_be_bytes())?;
        put(self.buf, start + 2, &value_len16.to_be_bytes())?;
        let pad_from = start + ATTR_HEADER_LEN + value_len;
        self.buf
            .get_mut(pad_from..end)
            .ok_or(Error::BufferTooSmall)?
            .fill(0);
        self.len = end;
        self.set_body_len(end - HEADER_LEN)
    }

    fn set_body_len(&mut self, body: usize) -> Result<(), Error> {
        let body = u16::try_from(body).map_err(|_| Error::ValueOutOfRange)?;
        put(self.buf, 2, &body.to_be_bytes())
    }

    /// Appends MESSAGE-INTEGRITY (HMAC-SHA1 over everything so far).
    pub fn add_message_integrity(&mut self, key: &Key<'_>) -> Result<&mut Self, Error> {
        let len_field = self.len + ATTR_HEADER_LEN + 20 - HEADER_LEN;
        let len_field = u16::try_from(len_field).map_err(|_| Error::ValueOutOfRange)?;
        let prefix = self.buf.get(..self.len).ok_or(Error::BufferTooSmall)?;
        let mac = message_integrity(key, prefix, len_field);
        self.add(&Attribute::MessageIntegrity(&mac))
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 (full 32-byte HMAC-SHA256).
    pub fn add_message_integrity_sha256(&mut self, key: &Key<'_>) -> Result<&mut Self, Error> {
        let len_field = self.len + ATTR_HEADER_LEN + 32 - HEADER_LEN;
        let len_field = u16::try_from(len_field).map_err(|_| Error::ValueOutOfRange)?;
        let prefix = self.buf.get(..self.len).ok_or(Error::BufferTooSmall)?;
        let mac = message_integrity_sha256(key, prefix, len_field);
        self.add(&Attribute::MessageIntegritySha256(&mac))
    }

    /// Appends FINGERPRINT; the message is then closed to further attributes.
    pub fn add_fingerprint(&mut self) -> Result<&mut Self, Error> {
        if self.sealed {
            return Err(Error::AttributeAfterFingerprint);
        }
        let start = self.len;
        // The CRC covers the header with its final length, which includes this attribute.
        self.set_body_len(start + ATTR_HEADER_LEN + 4 - HEADER_LEN)?;
        let prefix = self.buf.get(..start).ok_or(Error::BufferTooSmall)?;
        let crc = fingerprint(prefix);
        put(self.buf, start + ATTR_HEADER_LEN, &crc.to_be_bytes())?;
        self.commit(kind::FINGERPRINT, start, 4)?;
        self.sealed = true;
        Ok(self)
    }

    /// Applies a [`Seal`] and returns the finished message.
    pub fn seal(mut self, seal: Seal<'_>) -> Result<&'b [u8], Error> {
        if let Some((key, alg)) = seal.integrity {
            if matches!(alg, MacAlgorithm::Sha1 | MacAlgorithm::Both) {
                self.add_message_integrity(key)?;
            }
            if matches!(alg, MacAlgorithm::Sha256 | MacAlgorithm::Both) {
                self.add_message_integrity_sha256(key)?;
            }
        }
        if seal.fingerprint {
            self.add_fingerprint()?;
        }
        Ok(self.finish())
    }

    /// The finished message: a prefix of the caller's buffer.
    pub fn finish(self) -> &'b [u8] {
        let len = self.len;
        let buf: &'b [u8] = self.buf;
        buf.get(..len).unwrap_or(&[])
    }
}
