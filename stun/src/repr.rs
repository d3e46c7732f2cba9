//! A parsed message: header values plus every attribute decoded and validated in one
//! pass, and the integrity/fingerprint information needed to authenticate it.

use core::net::SocketAddr;

use heapless::Vec;

use crate::Error;
use crate::attr::{
    AddressFamily, Attribute, ErrorCode, PasswordAlgorithm, PasswordAlgorithms, UnknownAttributes,
};
use crate::builder::{MessageBuilder, Seal};
use crate::integrity::Key;
use crate::message::{Class, Layout, Message, Method, RawAttributes, TransactionId, processed};

/// How many unknown comprehension-required attribute types are remembered for a 420
/// answer; more are still detected (`Repr::has_unknown_required`).
pub const MAX_UNKNOWN: usize = 8;
/// How many XOR-RELAYED-ADDRESS attributes are decoded (two for a dual-stack allocation).
pub const MAX_RELAYED_ADDRESSES: usize = 2;

/// The decoded attributes of a message.
///
/// RFC 8489 §14: only the first occurrence of an attribute is processed; later copies are
/// ignored — except XOR-RELAYED-ADDRESS, of which a dual-stack allocation has two. Every
/// occurrence of everything stays reachable through [`Message::attributes`] (a
/// CreatePermission for several peers, say, is written with [`MessageBuilder`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[allow(missing_docs)] // each field is the attribute of the same name
pub struct Attributes<'a> {
    pub mapped_address: Option<SocketAddr>,
    pub xor_mapped_address: Option<SocketAddr>,
    pub username: Option<&'a str>,
    pub userhash: Option<&'a [u8; 32]>,
    pub error_code: Option<ErrorCode<'a>>,
    pub realm: Option<&'a str>,
    pub nonce: Option<&'a str>,
    pub password_algorithm: Option<PasswordAlgorithm>,
    pub password_algorithms: Option<PasswordAlgorithms<'a>>,
    pub unknown_attributes: Option<UnknownAttributes<'a>>,
    pub software: Option<&'a str>,
    pub alternate_server: Option<SocketAddr>,
    pub alternate_domain: Option<&'a str>,
    pub priority: Option<u32>,
    pub use_candidate: bool,
    pub ice_controlled: Option<u64>,
    pub ice_controlling: Option<u64>,
    pub channel_number: Option<u16>,
    pub lifetime: Option<u32>,
    pub xor_peer_address: Option<SocketAddr>,
    pub data: Option<&'a [u8]>,
    pub xor_relayed_addresses: Vec<SocketAddr, MAX_RELAYED_ADDRESSES>,
    pub requested_address_family: Option<AddressFamily>,
    pub additional_address_family: Option<AddressFamily>,
    pub address_error_code: Option<(AddressFamily, ErrorCode<'a>)>,
    pub even_port: Option<bool>,
    pub requested_transport: Option<u8>,
    pub dont_fragment: bool,
    pub reservation_token: Option<&'a [u8; 8]>,
}

fn first<T>(slot: &mut Option<T>, v: T) {
    if slot.is_none() {
        *slot = Some(v);
    }
}

impl<'a> Attributes<'a> {
    /// Stores a decoded attribute; returns false for types this struct has no field for.
    #[inline(always)]
    fn store(&mut self, a: Attribute<'a>) -> bool {
        match a {
            Attribute::MappedAddress(v) => first(&mut self.mapped_address, v),
            Attribute::XorMappedAddress(v) => first(&mut self.xor_mapped_address, v),
            Attribute::Username(v) => first(&mut self.username, v),
            Attribute::Userhash(v) => first(&mut self.userhash, v),
            Attribute::ErrorCode(v) => first(&mut self.error_code, v),
            Attribute::Realm(v) => first(&mut self.realm, v),
            Attribute::Nonce(v) => first(&mut self.nonce, v),
            Attribute::PasswordAlgorithm(v) => first(&mut self.password_algorithm, v),
            Attribute::PasswordAlgorithms(v) => first(&mut self.password_algorithms, v),
            Attribute::UnknownAttributes(v) => first(&mut self.unknown_attributes, v),
            Attribute::Software(v) => first(&mut self.software, v),
            Attribute::AlternateServer(v) => first(&mut self.alternate_server, v),
            Attribute::AlternateDomain(v) => first(&mut self.alternate_domain, v),
            Attribute::Priority(v) => first(&mut self.priority, v),
            Attribute::UseCandidate => self.use_candidate = true,
            Attribute::IceControlled(v) => first(&mut self.ice_controlled, v),
            Attribute::IceControlling(v) => first(&mut self.ice_controlling, v),
            Attribute::ChannelNumber(v) => first(&mut self.channel_number, v),
            Attribute::Lifetime(v) => first(&mut self.lifetime, v),
            Attribute::XorPeerAddress(v) => first(&mut self.xor_peer_address, v),
            Attribute::Data(v) => first(&mut self.data, v),
            Attribute::XorRelayedAddress(v) => {
                let _ = self.xor_relayed_addresses.push(v);
            }
            Attribute::RequestedAddressFamily(v) => first(&mut self.requested_address_family, v),
            Attribute::AdditionalAddressFamily(v) => first(&mut self.additional_address_family, v),
            Attribute::AddressErrorCode(f, e) => first(&mut self.address_error_code, (f, e)),
            Attribute::EvenPort(v) => first(&mut self.even_port, v),
            Attribute::RequestedTransport(v) => first(&mut self.requested_transport, v),
            Attribute::DontFragment => self.dont_fragment = true,
            Attribute::ReservationToken(v) => first(&mut self.reservation_token, v),
            Attribute::MessageIntegrity(_)
            | Attribute::MessageIntegritySha256(_)
            | Attribute::Fingerprint(_)
            | Attribute::Other { .. } => return false,
        }
        true
    }

    /// Calls `f` for every present attribute, in the order a message carries them.
    fn for_each(&self, mut f: impl FnMut(Attribute<'a>) -> Result<(), Error>) -> Result<(), Error> {
        macro_rules! opt {
            ($field:expr, $variant:path) => {
                if let Some(v) = $field {
                    f($variant(v))?;
                }
            };
        }
        opt!(self.username, Attribute::Username);
        opt!(self.userhash, Attribute::Userhash);
        opt!(self.realm, Attribute::Realm);
        opt!(self.nonce, Attribute::Nonce);
        opt!(self.password_algorithms, Attribute::PasswordAlgorithms);
        opt!(self.password_algorithm, Attribute::PasswordAlgorithm);
        opt!(self.error_code, Attribute::ErrorCode);
        opt!(self.unknown_attributes, Attribute::UnknownAttributes);
        opt!(self.alternate_server, Attribute::AlternateServer);
        opt!(self.alternate_domain, Attribute::AlternateDomain);
        opt!(self.mapped_address, Attribute::MappedAddress);
        opt!(self.xor_mapped_address, Attribute::XorMappedAddress);
        opt!(self.priority, Attribute::Priority);
        if self.use_candidate {
            f(Attribute::UseCandidate)?;
        }
        opt!(self.ice_controlled, Attribute::IceControlled);
        opt!(self.ice_controlling, Attribute::IceControlling);
        opt!(self.requested_transport, Attribute::RequestedTransport);
        opt!(
            self.requested_address_family,
            Attribute::RequestedAddressFamily
        );
        opt!(
            self.additional_address_family,
            Attribute::AdditionalAddressFamily
        );
        opt!(self.even_port, Attribute::EvenPort);
        opt!(self.reservation_token, Attribute::ReservationToken);
        if self.dont_fragment {
            f(Attribute::DontFragment)?;
        }
        opt!(self.channel_number, Attribute::ChannelNumber);
        opt!(self.xor_peer_address, Attribute::XorPeerAddress);
        for a in &self.xor_relayed_addresses {
            f(Attribute::XorRelayedAddress(*a))?;
        }
        if let Some((fam, e)) = self.address_error_code {
            f(Attribute::AddressErrorCode(fam, e))?;
        }
        opt!(self.lifetime, Attribute::Lifetime);
        opt!(self.data, Attribute::Data);
        opt!(self.software, Attribute::Software);
        Ok(())
    }
}

/// A STUN message as values: what [`Repr::parse`] reads and [`Repr::emit`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr<'a> {
    /// The class.
    pub class: Class,
    /// The method.
    pub method: Method,
    /// The transaction id.
    pub transaction_id: TransactionId,
    /// The decoded attributes.
    pub attributes: Attributes<'a>,
    /// Comprehension-required attribute types this crate does not know (RFC 8489 §7.3:
    /// a request carrying any must be answered with 420 listing them; a response
    /// carrying any must be discarded).
    pub unknown_required: Vec<u16, MAX_UNKNOWN>,
    bytes: &'a [u8],
    layout: Layout,
}

impl<'a> Repr<'a> {
    /// A fresh message to emit.
    pub fn new(class: Class, method: Method, transaction_id: TransactionId) -> Repr<'a> {
        Repr {
            class,
            method,
            transaction_id,
            attributes: Attributes::default(),
            unknown_required: Vec::new(),
            bytes: &[],
            layout: Layout::default(),
        }
    }

    /// Decodes every attribute of a checked message in one pass.
    ///
    /// - FINGERPRINT, when present, is verified here.
    /// - Attributes after MESSAGE-INTEGRITY are ignored, except MESSAGE-INTEGRITY-SHA256
    ///   and FINGERPRINT; after MESSAGE-INTEGRITY-SHA256 only FINGERPRINT counts
    ///   (RFC 8489 §14.5, §14.6). A second copy of either integrity attribute, or an
    ///   attribute after FINGERPRINT, is an error ([`Message::new_checked`]).
    /// - Integrity itself needs a key, often chosen from this message's USERNAME or
    ///   REALM: check it afterwards with [`Repr::verify`].
    pub fn parse(msg: &Message<&'a [u8]>) -> Result<Repr<'a>, Error> {
        let bytes: &'a [u8] = msg.into_inner();
        let layout = *msg.layout();
        if layout.fingerprint.is_some() {
            layout.check_fingerprint(bytes)?;
        }
        // Built inside the returned value, so the Repr is not copied on the way out.
        let mut out = Ok(Repr::new(msg.class(), msg.method(), msg.transaction_id()));
        if let Ok(repr) = &mut out {
            repr.bytes = bytes;
            repr.layout = layout;
            repr.decode_attributes()?;
        }
        out
    }

    /// [`Message::new_checked`] then [`Repr::parse`], for a datagram.
    pub fn parse_bytes(bytes: &'a [u8]) -> Result<Repr<'a>, Error> {
        Repr::parse(&Message::new_checked(bytes)?)
    }

    fn decode_attributes(&mut self) -> Result<(), Error> {
        let tid = self.transaction_id;
        for raw in RawAttributes::over(processed(self.bytes, self.layout.processed_end)) {
            let attr = Attribute::decode_inline(raw, &tid)?;
            if !self.attributes.store(attr) && raw.is_comprehension_required() {
                // Overflow of the bounded list is detectable: the list is full.
                let _ = self.unknown_required.push(raw.kind);
            }
        }
        Ok(())
    }

    /// True if the message had a FINGERPRINT (which `parse` verified).
    pub fn has_fingerprint(&self) -> bool {
        self.layout.fingerprint.is_some()
    }

    /// True if the message carries MESSAGE-INTEGRITY or MESSAGE-INTEGRITY-SHA256.
    pub fn has_integrity(&self) -> bool {
        self.layout.integrity.is_some() || self.layout.integrity_sha256.is_some()
    }

    /// True if the message carries MESSAGE-INTEGRITY-SHA256.
    pub fn has_integrity_sha256(&self) -> bool {
        self.layout.integrity_sha256.is_some()
    }

    /// True if any comprehension-required attribute was not understood.
    pub fn has_unknown_required(&self) -> bool {
        !self.unknown_required.is_empty()
    }

    /// Authenticates the message, in constant time: MESSAGE-INTEGRITY-SHA256 when
    /// present (the stronger MAC), MESSAGE-INTEGRITY otherwise (RFC 8489 §9.1.3).
    pub fn verify(&self, key: &Key<'_>) -> Result<(), Error> {
        self.layout.verify(self.bytes, key)
    }

    /// Writes the message into `buf` and seals it; returns the bytes written.
    pub fn emit(&self, buf: &mut [u8], seal: Seal<'_>) -> Result<usize, Error> {
        let mut b = MessageBuilder::new(buf, self.class, self.method, self.transaction_id)?;
        self.attributes.for_each(|a| b.add(&a).map(|_| ()))?;
        Ok(b.seal(seal)?.len())
    }
}
