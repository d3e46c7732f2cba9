//! The STUN header and the checked, zero-copy view over a whole message.

use core::fmt;

use crate::Error;
use crate::attr::{Attribute, kind};
use crate::bytes::{array_at, pad4, u16_at, u32_at};
use crate::integrity::{IntegrityRef, Key, fingerprint};

/// The fixed value at bytes 4..8 of every RFC 5389/8489 message.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Size of the STUN header.
pub const HEADER_LEN: usize = 20;
/// Size of an attribute's type + length prefix.
pub const ATTR_HEADER_LEN: usize = 4;

/// The class of a message: request, indication, success or error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// A request, answered by a response with the same transaction id.
    Request,
    /// An indication: no response.
    Indication,
    /// A success response.
    Success,
    /// An error response (carries ERROR-CODE).
    Error,
}

impl Class {
    const fn bits(self) -> u16 {
        match self {
            Class::Request => 0b00,
            Class::Indication => 0b01,
            Class::Success => 0b10,
            Class::Error => 0b11,
        }
    }

    const fn from_bits(bits: u16) -> Class {
        match bits & 0b11 {
            0b00 => Class::Request,
            0b01 => Class::Indication,
            0b10 => Class::Success,
            _ => Class::Error,
        }
    }
}

/// A STUN method (12 bits). The methods ICE and TURN use are associated constants;
/// any other value is carried through unchanged.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Method(u16);

impl Method {
    /// Binding (RFC 8489).
    pub const BINDING: Method = Method(0x001);
    /// Allocate (RFC 8656).
    pub const ALLOCATE: Method = Method(0x003);
    /// Refresh (RFC 8656).
    pub const REFRESH: Method = Method(0x004);
    /// Send indication (RFC 8656).
    pub const SEND: Method = Method(0x006);
    /// Data indication (RFC 8656).
    pub const DATA: Method = Method(0x007);
    /// CreatePermission (RFC 8656).
    pub const CREATE_PERMISSION: Method = Method(0x008);
    /// ChannelBind (RFC 8656).
    pub const CHANNEL_BIND: Method = Method(0x009);

    /// A method from its 12-bit number; `None` if it does not fit in 12 bits.
    pub const fn new(value: u16) -> Option<Method> {
        if value <= 0x0fff {
            Some(Method(value))
        } else {
            None
        }
    }

    /// The 12-bit method number.
    pub const fn value(self) -> u16 {
        self.0
    }
}

impl fmt::Debug for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match *self {
            Method::BINDING => "Binding",
            Method::ALLOCATE => "Allocate",
            Method::REFRESH => "Refresh",
            Method::SEND => "Send",
            Method::DATA => "Data",
            Method::CREATE_PERMISSION => "CreatePermission",
            Method::CHANNEL_BIND => "ChannelBind",
            Method(other) => return write!(f, "Method(0x{other:03x})"),
        };
        f.write_str(name)
    }
}

/// Packs method and class into the 14-bit message type (RFC 8489 §5, figure 3):
/// the class bits C1 C0 sit at positions 8 and 4, between the method's bit groups.
pub(crate) const fn message_type(method: Method, class: Class) -> u16 {
    let m = method.0;
    let c = class.bits();
    (m & 0x000f) | ((m & 0x0070) << 1) | ((m & 0x0f80) << 2) | ((c & 1) << 4) | ((c & 2) << 7)
}

/// Splits a 14-bit message type into method and class.
pub(crate) const fn split_message_type(t: u16) -> (Method, Class) {
    let m = (t & 0x000f) | ((t >> 1) & 0x0070) | ((t >> 2) & 0x0f80);
    let c = ((t >> 4) & 1) | ((t >> 7) & 2);
    (Method(m), Class::from_bits(c))
}

/// The 96-bit transaction id.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransactionId(pub [u8; 12]);

impl TransactionId {
    /// A fresh, unpredictable transaction id (RFC 8489 §6: it must be uniformly random,
    /// since it is what makes an off-path attacker unable to forge responses).
    pub fn random<R: rand_core::RngCore + rand_core::CryptoRng>(rng: &mut R) -> TransactionId {
        let mut id = [0u8; 12];
        rng.fill_bytes(&mut id);
        TransactionId(id)
    }
}

impl fmt::Debug for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TransactionId(")?;
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Quick demultiplexing test (RFC 7983): does this datagram look like STUN?
///
/// Checks the leading zero bits, the magic cookie and that the length field matches the
/// datagram. Cheap enough to run on every packet of a shared socket.
pub fn is_stun(datagram: &[u8]) -> bool {
    Message::new_checked(datagram).is_ok()
}

/// For STUN over a byte stream (TCP/TLS): the length of the message that starts `prefix`,
/// once its 20-byte header is available. `Ok(None)` means "need more bytes".
pub fn frame_len(prefix: &[u8]) -> Result<Option<usize>, Error> {
    let Some(header) = prefix.get(..HEADER_LEN) else {
        return Ok(None);
    };
    check_header(header)?;
    let body = usize::from(u16_at(header, 2).ok_or(Error::Truncated)?);
    Ok(Some(HEADER_LEN + body))
}

/// Checks the header invariants that do not depend on the datagram's size.
fn check_header(b: &[u8]) -> Result<(), Error> {
    let t = u16_at(b, 0).ok_or(Error::Truncated)?;
    if t & 0xc000 != 0 {
        return Err(Error::NotStun);
    }
    if u32_at(b, 4).ok_or(Error::Truncated)? != MAGIC_COOKIE {
        return Err(Error::NoMagicCookie);
    }
    let len = u16_at(b, 2).ok_or(Error::Truncated)?;
    if len % 4 != 0 {
        return Err(Error::BadLength);
    }
    Ok(())
}

/// Checks the header and that its length matches the datagram exactly (the attributes'
/// TLVs are checked while they are walked).
pub(crate) fn check_datagram(b: &[u8]) -> Result<(), Error> {
    if b.len() < HEADER_LEN {
        return Err(Error::Truncated);
    }
    check_header(b)?;
    let declared = HEADER_LEN + usize::from(u16_at(b, 2).ok_or(Error::Truncated)?);
    if b.len() < declared {
        return Err(Error::Truncated);
    }
    if b.len() != declared {
        return Err(Error::BadLength);
    }
    Ok(())
}

/// The attributes a receiver acts on: those before `end`.
pub(crate) fn processed(msg: &[u8], end: u32) -> &[u8] {
    usize::try_from(end)
        .ok()
        .and_then(|end| msg.get(..end))
        .unwrap_or(msg)
}

/// Where the integrity attributes sit, found while the TLVs are walked once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Layout {
    pub(crate) integrity: Option<IntegrityRef>,
    pub(crate) integrity_sha256: Option<IntegrityRef>,
    pub(crate) fingerprint: Option<u32>,
    /// End of the attributes a receiver acts on: everything after MESSAGE-INTEGRITY(-SHA256)
    /// other than the integrity attributes themselves is ignored (RFC 8489 §14.5, §14.6).
    pub(crate) processed_end: u32,
}

impl Layout {
    /// Walks the TLVs: bounds, FINGERPRINT last, no second copy of an integrity
    /// attribute, integrity values of the right size.
    fn of(b: &[u8]) -> Result<Layout, Error> {
        check_datagram(b)?;
        let mut layout = Layout {
            processed_end: u32::try_from(b.len()).map_err(|_| Error::BadLength)?,
            ..Layout::default()
        };
        let mut attrs = RawAttributes::over(b);
        while let Some(raw) = attrs.next_checked()? {
            // At most 20 + 65535: the header's length field is 16 bits.
            let offset = u32::try_from(raw.offset).map_err(|_| Error::BadLength)?;
            let len = raw.value.len();
            let after_sha256 = layout.integrity_sha256.is_some();
            match raw.kind {
                // After MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts.
                kind::MESSAGE_INTEGRITY if !after_sha256 => {
                    if layout.integrity.is_some() {
                        return Err(Error::DuplicateIntegrity(raw.kind));
                    }
                    if len != 20 {
                        return Err(Error::InvalidAttribute(raw.kind));
                    }
                    layout.integrity = Some(IntegrityRef {
                        offset,
                        mac_len: 20,
                    });
                }
                kind::MESSAGE_INTEGRITY_SHA256 => {
                    if after_sha256 {
                        return Err(Error::DuplicateIntegrity(raw.kind));
                    }
                    if !(16..=32).contains(&len) || len % 4 != 0 {
                        return Err(Error::InvalidAttribute(raw.kind));
                    }
                    let mac_len = u8::try_from(len).map_err(|_| Error::BadLength)?;
                    layout.integrity_sha256 = Some(IntegrityRef { offset, mac_len });
                }
                kind::FINGERPRINT => {
                    if len != 4 {
                        return Err(Error::InvalidAttribute(raw.kind));
                    }
                    if raw.offset + ATTR_HEADER_LEN + 4 != b.len() {
                        return Err(Error::AttributeAfterFingerprint);
                    }
                    layout.fingerprint = Some(offset);
                }
                _ => continue,
            }
            layout.processed_end = layout.processed_end.min(offset);
        }
        Ok(layout)
    }

    /// Authenticates the message, in constant time: MESSAGE-INTEGRITY-SHA256 when
    /// present (the stronger MAC), MESSAGE-INTEGRITY otherwise (RFC 8489 §9.1.3).
    pub(crate) fn verify(&self, msg: &[u8], key: &Key<'_>) -> Result<(), Error> {
        match (&self.integrity_sha256, &self.integrity) {
            (Some(i), _) => i.verify_sha256(msg, key),
            (None, Some(i)) => i.verify_sha1(msg, key),
            (None, None) => Err(Error::NoIntegrity),
        }
    }

    /// Checks FINGERPRINT's CRC-32, if the message has one.
    pub(crate) fn check_fingerprint(&self, msg: &[u8]) -> Result<(), Error> {
        let Some(at) = self.fingerprint else {
            return Err(Error::NoFingerprint);
        };
        let at = usize::try_from(at).unwrap_or(usize::MAX);
        let crc = u32_at(msg, at + ATTR_HEADER_LEN).ok_or(Error::Truncated)?;
        // Fuzzers cannot forge CRCs; let them past to reach the code behind.
        if cfg!(not(fuzzing)) && crc != fingerprint(msg.get(..at).unwrap_or(&[])) {
            return Err(Error::FingerprintMismatch);
        }
        Ok(())
    }
}

/// A checked view over one STUN message, in the smoltcp style.
///
/// [`Message::new_checked`] validates the header, that every attribute's TLV stays inside
/// the message, and where the integrity attributes sit; after that every accessor is
/// infallible. Attribute *values* are decoded on demand with [`Message::get`] — the
/// cheapest way to read a few attributes — or all at once by [`crate::Repr::parse`].
#[derive(Clone, Copy)]
pub struct Message<T: AsRef<[u8]>> {
    buffer: T,
    layout: Layout,
}

impl<T: AsRef<[u8]>> Message<T> {
    /// Wraps a buffer holding exactly one message (a datagram, or one frame cut from a
    /// stream with [`frame_len`]), checking it.
    pub fn new_checked(buffer: T) -> Result<Message<T>, Error> {
        let layout = Layout::of(buffer.as_ref())?;
        Ok(Message { buffer, layout })
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// True if the message ends with FINGERPRINT (not yet checked: see
    /// [`Message::check_fingerprint`]).
    pub fn has_fingerprint(&self) -> bool {
        self.layout.fingerprint.is_some()
    }

    /// Checks FINGERPRINT; [`Error::NoFingerprint`] if there is none.
    pub fn check_fingerprint(&self) -> Result<(), Error> {
        self.layout.check_fingerprint(self.buffer.as_ref())
    }

    /// True if the message carries MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256.
    pub fn has_integrity(&self) -> bool {
        self.layout.integrity.is_some() || self.layout.integrity_sha256.is_some()
    }

    /// Authenticates the message with `key`, in constant time: MESSAGE-INTEGRITY-SHA256
    /// when present, MESSAGE-INTEGRITY otherwise.
    pub fn verify(&self, key: &Key<'_>) -> Result<(), Error> {
        self.layout.verify(self.buffer.as_ref(), key)
    }

    /// The attributes a receiver acts on, in wire order: everything before
    /// MESSAGE-INTEGRITY(-SHA256) and FINGERPRINT.
    pub fn processed_attributes(&self) -> RawAttributes<'_> {
        let b = self.buffer.as_ref();
        RawAttributes::over(processed(b, self.layout.processed_end))
    }

    /// The raw bytes of the whole message.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// Consumes the view, giving the buffer back.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn header_u16(&self, at: usize) -> u16 {
        u16_at(self.buffer.as_ref(), at).unwrap_or(0)
    }

    /// The method.
    pub fn method(&self) -> Method {
        split_message_type(self.header_u16(0)).0
    }

    /// The class.
    pub fn class(&self) -> Class {
        split_message_type(self.header_u16(0)).1
    }

    /// The length of the attribute section (header field).
    pub fn body_len(&self) -> usize {
        usize::from(self.header_u16(2))
    }

    /// The transaction id.
    pub fn transaction_id(&self) -> TransactionId {
        TransactionId(
            array_at::<12>(self.buffer.as_ref(), 8)
                .copied()
                .unwrap_or([0; 12]),
        )
    }

    /// All attributes in wire order, undecoded — including those after
    /// MESSAGE-INTEGRITY that receivers ignore.
    pub fn attributes(&self) -> RawAttributes<'_> {
        RawAttributes::over(self.buffer.as_ref())
    }
}

impl<'a> Message<&'a [u8]> {
    /// The first occurrence of attribute `kind` among those a receiver acts on (not
    /// after MESSAGE-INTEGRITY), decoded and validated; `None` if absent. Values borrow
    /// from the received bytes, not from the view.
    pub fn get(&self, kind: u16) -> Option<Result<Attribute<'a>, Error>> {
        let b: &'a [u8] = self.buffer;
        let tid = self.transaction_id();
        RawAttributes::over(processed(b, self.layout.processed_end))
            .find(|a| a.kind == kind)
            .map(|a| Attribute::decode(a, &tid))
    }
}

impl<T: AsRef<[u8]>> fmt::Debug for Message<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Message")
            .field("method", &self.method())
            .field("class", &self.class())
            .field("transaction_id", &self.transaction_id())
            .field("body_len", &self.body_len())
            .finish()
    }
}

/// One attribute as it sits on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawAttribute<'a> {
    /// Attribute type.
    pub kind: u16,
    /// The value, without padding.
    pub value: &'a [u8],
    /// Offset of the attribute's type field from the start of the message.
    pub offset: usize,
}

impl RawAttribute<'_> {
    /// RFC 8489 §14: types below 0x8000 must be understood or the message rejected.
    pub fn is_comprehension_required(&self) -> bool {
        self.kind < 0x8000
    }
}

/// Iterator over a checked message's attributes.
#[derive(Debug, Clone)]
pub struct RawAttributes<'a> {
    msg: &'a [u8],
    at: usize,
}

impl<'a> RawAttributes<'a> {
    /// Iterates the attributes of bytes that passed [`Message::new_checked`].
    pub(crate) fn over(msg: &'a [u8]) -> RawAttributes<'a> {
        RawAttributes {
            msg,
            at: HEADER_LEN,
        }
    }
}

impl<'a> RawAttributes<'a> {
    /// The next attribute, or an error if its TLV runs past the message end.
    pub(crate) fn next_checked(&mut self) -> Result<Option<RawAttribute<'a>>, Error> {
        let offset = self.at;
        if offset >= self.msg.len() {
            return Ok(None);
        }
        let kind = u16_at(self.msg, offset).ok_or(Error::AttributeOverrun)?;
        let len = usize::from(u16_at(self.msg, offset + 2).ok_or(Error::AttributeOverrun)?);
        let start = offset + ATTR_HEADER_LEN;
        let value = self
            .msg
            .get(start..start + len)
            .ok_or(Error::AttributeOverrun)?;
        let next = start + pad4(len);
        if next > self.msg.len() {
            return Err(Error::AttributeOverrun);
        }
        self.at = next;
        Ok(Some(RawAttribute {
            kind,
            value,
            offset,
        }))
    }
}

impl<'a> Iterator for RawAttributes<'a> {
    type Item = RawAttribute<'a>;

    fn next(&mut self) -> Option<RawAttribute<'a>> {
        // Only built over checked messages, where an overrun cannot happen.
        self.next_checked().ok().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_type_round_trips_every_method_and_class() {
        for m in 0..=0x0fff {
            for c in [
                Class::Request,
                Class::Indication,
                Class::Success,
                Class::Error,
            ] {
                let method = Method::new(m).unwrap();
                let t = message_type(method, c);
                assert_eq!(t & 0xc000, 0);
                assert_eq!(split_message_type(t), (method, c));
            }
        }
    }

    #[test]
    fn known_message_types() {
        assert_eq!(message_type(Method::BINDING, Class::Request), 0x0001);
        assert_eq!(message_type(Method::BINDING, Class::Success), 0x0101);
        assert_eq!(message_type(Method::BINDING, Class::Error), 0x0111);
        assert_eq!(message_type(Method::BINDING, Class::Indication), 0x0011);
        assert_eq!(message_type(Method::ALLOCATE, Class::Request), 0x0003);
        assert_eq!(message_type(Method::SEND, Class::Indication), 0x0016);
        assert_eq!(message_type(Method::DATA, Class::Indication), 0x0017);
        assert_eq!(message_type(Method::CHANNEL_BIND, Class::Success), 0x0109);
        assert_eq!(Method::new(0x1000), None);
    }

    #[test]
    fn frame_len_needs_a_header() {
        let mut h = [0u8; 20];
        h[1] = 1;
        h[3] = 8;
        h[4..8].copy_from_slice(&MAGIC_COOKIE.to_be_bytes());
        assert_eq!(frame_len(&h[..19]), Ok(None));
        assert_eq!(frame_len(&h), Ok(Some(28)));
        h[0] = 0x40;
        assert_eq!(frame_len(&h), Err(Error::NotStun));
    }
}
