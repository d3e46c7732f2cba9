//! Attribute types and their typed values: decode from a [`RawAttribute`], encode into a
//! caller's buffer. One encoder and one decoder per attribute, shared by [`crate::Repr`]
//! and [`crate::MessageBuilder`].

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::Error;
use crate::bytes::{array_at, pad4, put, u16_at, u32_at};
use crate::message::{MAGIC_COOKIE, RawAttribute, TransactionId};

/// Attribute type numbers (RFC 8489 §18.3, RFC 8656 §18, RFC 8445 §16.1).
#[allow(missing_docs)]
pub mod kind {
    pub const MAPPED_ADDRESS: u16 = 0x0001;
    pub const USERNAME: u16 = 0x0006;
    pub const MESSAGE_INTEGRITY: u16 = 0x0008;
    pub const ERROR_CODE: u16 = 0x0009;
    pub const UNKNOWN_ATTRIBUTES: u16 = 0x000A;
    pub const CHANNEL_NUMBER: u16 = 0x000C;
    pub const LIFETIME: u16 = 0x000D;
    pub const XOR_PEER_ADDRESS: u16 = 0x0012;
    pub const DATA: u16 = 0x0013;
    pub const REALM: u16 = 0x0014;
    pub const NONCE: u16 = 0x0015;
    pub const XOR_RELAYED_ADDRESS: u16 = 0x0016;
    pub const REQUESTED_ADDRESS_FAMILY: u16 = 0x0017;
    pub const EVEN_PORT: u16 = 0x0018;
    pub const REQUESTED_TRANSPORT: u16 = 0x0019;
    pub const DONT_FRAGMENT: u16 = 0x001A;
    pub const MESSAGE_INTEGRITY_SHA256: u16 = 0x001C;
    pub const PASSWORD_ALGORITHM: u16 = 0x001D;
    pub const USERHASH: u16 = 0x001E;
    pub const XOR_MAPPED_ADDRESS: u16 = 0x0020;
    pub const RESERVATION_TOKEN: u16 = 0x0022;
    pub const PRIORITY: u16 = 0x0024;
    pub const USE_CANDIDATE: u16 = 0x0025;
    pub const ADDITIONAL_ADDRESS_FAMILY: u16 = 0x8000;
    pub const ADDRESS_ERROR_CODE: u16 = 0x8001;
    pub const PASSWORD_ALGORITHMS: u16 = 0x8002;
    pub const ALTERNATE_DOMAIN: u16 = 0x8003;
    pub const SOFTWARE: u16 = 0x8022;
    pub const ALTERNATE_SERVER: u16 = 0x8023;
    pub const FINGERPRINT: u16 = 0x8028;
    pub const ICE_CONTROLLED: u16 = 0x8029;
    pub const ICE_CONTROLLING: u16 = 0x802A;
}

/// Longest USERNAME value (RFC 8489 §14.3: less than 513 bytes).
pub const MAX_USERNAME_LEN: usize = 512;
/// Longest REALM, NONCE, SOFTWARE, ALTERNATE-DOMAIN or reason phrase: 127 characters,
/// at most 763 bytes of UTF-8 (RFC 8489 §14).
pub const MAX_TEXT_LEN: usize = 763;

/// IP address family as STUN encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressFamily {
    /// 0x01.
    V4,
    /// 0x02.
    V6,
}

impl AddressFamily {
    fn from_wire(b: u8) -> Option<AddressFamily> {
        match b {
            0x01 => Some(AddressFamily::V4),
            0x02 => Some(AddressFamily::V6),
            _ => None,
        }
    }

    fn to_wire(self) -> u8 {
        match self {
            AddressFamily::V4 => 0x01,
            AddressFamily::V6 => 0x02,
        }
    }

    /// The family of an address.
    pub fn of(addr: &SocketAddr) -> AddressFamily {
        if addr.is_ipv4() {
            AddressFamily::V4
        } else {
            AddressFamily::V6
        }
    }
}

/// ERROR-CODE: a 300..=699 code and a reason phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode<'a> {
    /// The code, class × 100 + number.
    pub code: u16,
    /// The reason phrase (informative only).
    pub reason: &'a str,
}

/// Error codes of RFC 8489 §14.8 and RFC 8656 §18.
#[allow(missing_docs)]
pub mod code {
    pub const TRY_ALTERNATE: u16 = 300;
    pub const BAD_REQUEST: u16 = 400;
    pub const UNAUTHENTICATED: u16 = 401;
    pub const FORBIDDEN: u16 = 403;
    pub const UNKNOWN_ATTRIBUTE: u16 = 420;
    pub const ALLOCATION_MISMATCH: u16 = 437;
    pub const STALE_NONCE: u16 = 438;
    pub const ADDRESS_FAMILY_NOT_SUPPORTED: u16 = 440;
    pub const WRONG_CREDENTIALS: u16 = 441;
    pub const UNSUPPORTED_TRANSPORT_PROTOCOL: u16 = 442;
    pub const PEER_ADDRESS_FAMILY_MISMATCH: u16 = 443;
    pub const ALLOCATION_QUOTA_REACHED: u16 = 486;
    pub const ROLE_CONFLICT: u16 = 487;
    pub const SERVER_ERROR: u16 = 500;
    pub const INSUFFICIENT_CAPACITY: u16 = 508;
}

/// PASSWORD-ALGORITHM values (RFC 8489 §18.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PasswordAlgorithm {
    /// 0x0001: the RFC 5389 MD5 key.
    Md5,
    /// 0x0002: the SHA-256 key.
    Sha256,
    /// Anything else (carried, never used).
    Other(u16),
}

impl PasswordAlgorithm {
    fn from_wire(v: u16) -> PasswordAlgorithm {
        match v {
            0x0001 => PasswordAlgorithm::Md5,
            0x0002 => PasswordAlgorithm::Sha256,
            other => PasswordAlgorithm::Other(other),
        }
    }

    /// The registered number.
    pub fn to_wire(self) -> u16 {
        match self {
            PasswordAlgorithm::Md5 => 0x0001,
            PasswordAlgorithm::Sha256 => 0x0002,
            PasswordAlgorithm::Other(v) => v,
        }
    }
}

/// The value of PASSWORD-ALGORITHMS: a list of (algorithm, parameters) entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordAlgorithms<'a> {
    value: &'a [u8],
}

impl<'a> PasswordAlgorithms<'a> {
    /// Checks the list structure.
    fn new(value: &'a [u8]) -> Option<PasswordAlgorithms<'a>> {
        let mut at = 0;
        while at < value.len() {
            let plen = usize::from(u16_at(value, at + 2)?);
            at += 4 + pad4(plen);
            if at > value.len() {
                return None;
            }
        }
        Some(PasswordAlgorithms { value })
    }

    /// The wire bytes of the list.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.value
    }

    /// The algorithms, in the server's order of preference.
    pub fn iter(&self) -> impl Iterator<Item = PasswordAlgorithm> + 'a {
        let value = self.value;
        let mut at = 0usize;
        core::iter::from_fn(move || {
            let alg = u16_at(value, at)?;
            let plen = usize::from(u16_at(value, at + 2)?);
            at += 4 + pad4(plen);
            Some(PasswordAlgorithm::from_wire(alg))
        })
    }

    /// Writes a list of algorithms without parameters (all registered ones have none).
    pub fn encode(algs: &[PasswordAlgorithm], out: &mut [u8]) -> Result<usize, Error> {
        for (i, a) in algs.iter().enumerate() {
            put(out, i * 4, &a.to_wire().to_be_bytes())?;
            put(out, i * 4 + 2, &[0, 0])?;
        }
        Ok(algs.len() * 4)
    }
}

/// The value of UNKNOWN-ATTRIBUTES: a list of 16-bit types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownAttributes<'a> {
    value: &'a [u8],
}

impl<'a> UnknownAttributes<'a> {
    /// The listed attribute types.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.value.chunks_exact(2).map(|c| {
            u16::from_be_bytes([
                c.first().copied().unwrap_or(0),
                c.last().copied().unwrap_or(0),
            ])
        })
    }

    /// The wire bytes of the list.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.value
    }
}

/// One typed attribute. Borrowed values point into the received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Attribute<'a> {
    /// MAPPED-ADDRESS (RFC 5389 servers still send it).
    MappedAddress(SocketAddr),
    /// XOR-MAPPED-ADDRESS: the reflexive transport address.
    XorMappedAddress(SocketAddr),
    /// USERNAME.
    Username(&'a str),
    /// USERHASH: SHA-256 of the prepared `username ":" realm`.
    Userhash(&'a [u8; 32]),
    /// MESSAGE-INTEGRITY: HMAC-SHA1.
    MessageIntegrity(&'a [u8; 20]),
    /// MESSAGE-INTEGRITY-SHA256: HMAC-SHA256, possibly truncated to 16..=32 bytes.
    MessageIntegritySha256(&'a [u8]),
    /// FINGERPRINT: CRC-32 of the message XOR 0x5354554E.
    Fingerprint(u32),
    /// ERROR-CODE.
    ErrorCode(ErrorCode<'a>),
    /// REALM.
    Realm(&'a str),
    /// NONCE.
    Nonce(&'a str),
    /// PASSWORD-ALGORITHM: the algorithm the client chose.
    PasswordAlgorithm(PasswordAlgorithm),
    /// PASSWORD-ALGORITHMS: what the server offers.
    PasswordAlgorithms(PasswordAlgorithms<'a>),
    /// UNKNOWN-ATTRIBUTES (in a 420 response).
    UnknownAttributes(UnknownAttributes<'a>),
    /// SOFTWARE.
    Software(&'a str),
    /// ALTERNATE-SERVER (in a 300 response).
    AlternateServer(SocketAddr),
    /// ALTERNATE-DOMAIN (with ALTERNATE-SERVER, for TLS).
    AlternateDomain(&'a str),
    /// PRIORITY (ICE).
    Priority(u32),
    /// USE-CANDIDATE (ICE).
    UseCandidate,
    /// ICE-CONTROLLED with its tie-breaker.
    IceControlled(u64),
    /// ICE-CONTROLLING with its tie-breaker.
    IceControlling(u64),
    /// CHANNEL-NUMBER (TURN), 0x4000..=0x4FFF.
    ChannelNumber(u16),
    /// LIFETIME in seconds (TURN).
    Lifetime(u32),
    /// XOR-PEER-ADDRESS (TURN).
    XorPeerAddress(SocketAddr),
    /// DATA (TURN).
    Data(&'a [u8]),
    /// XOR-RELAYED-ADDRESS (TURN).
    XorRelayedAddress(SocketAddr),
    /// REQUESTED-ADDRESS-FAMILY (TURN).
    RequestedAddressFamily(AddressFamily),
    /// ADDITIONAL-ADDRESS-FAMILY (TURN dual allocation; IPv6 only).
    AdditionalAddressFamily(AddressFamily),
    /// ADDRESS-ERROR-CODE (TURN dual allocation: which family failed, and why).
    AddressErrorCode(AddressFamily, ErrorCode<'a>),
    /// EVEN-PORT with its R (reserve next port) bit.
    EvenPort(bool),
    /// REQUESTED-TRANSPORT: an IP protocol number (17 = UDP).
    RequestedTransport(u8),
    /// DONT-FRAGMENT (TURN).
    DontFragment,
    /// RESERVATION-TOKEN (TURN).
    ReservationToken(&'a [u8; 8]),
    /// Any attribute this crate does not decode.
    Other {
        /// Its type.
        kind: u16,
        /// Its value.
        value: &'a [u8],
    },
}

fn text(v: &[u8], max: usize, k: u16) -> Result<&str, Error> {
    if v.len() > max {
        return Err(Error::InvalidAttribute(k));
    }
    core::str::from_utf8(v).map_err(|_| Error::InvalidAttribute(k))
}

fn exact<const N: usize>(v: &[u8], k: u16) -> Result<&[u8; N], Error> {
    if v.len() != N {
        return Err(Error::InvalidAttribute(k));
    }
    array_at::<N>(v, 0).ok_or(Error::InvalidAttribute(k))
}

fn decode_error_code(v: &[u8], k: u16) -> Result<ErrorCode<'_>, Error> {
    let head = exact::<4>(v.get(..4).ok_or(Error::InvalidAttribute(k))?, k)?;
    let class = u16::from(head[2] & 0x07);
    let number = u16::from(head[3]);
    if !(3..=6).contains(&class) || number > 99 {
        return Err(Error::InvalidAttribute(k));
    }
    // coturn counts its zero padding in the length; the NULs are no part of the phrase.
    let reason = text(v.get(4..).unwrap_or(&[]), MAX_TEXT_LEN, k)?.trim_end_matches('\0');
    Ok(ErrorCode {
        code: class * 100 + number,
        reason,
    })
}

fn encode_error_code(first: u8, e: &ErrorCode<'_>, out: &mut [u8]) -> Result<usize, Error> {
    if !(300..=699).contains(&e.code) || e.reason.len() > MAX_TEXT_LEN {
        return Err(Error::ValueOutOfRange);
    }
    put(
        out,
        0,
        &[first, 0, (e.code / 100) as u8, (e.code % 100) as u8],
    )?;
    put(out, 4, e.reason.as_bytes())?;
    Ok(4 + e.reason.len())
}

/// Decodes an (XOR-)address value; `xor` carries the transaction id when obfuscated.
fn decode_addr(v: &[u8], k: u16, xor: Option<&TransactionId>) -> Result<SocketAddr, Error> {
    let bad = Error::InvalidAttribute(k);
    let family = v
        .get(1)
        .copied()
        .and_then(AddressFamily::from_wire)
        .ok_or(bad)?;
    let mut port = u16_at(v, 2).ok_or(bad)?;
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    let ip = match family {
        AddressFamily::V4 => {
            let mut ip = *exact::<8>(v, k)?;
            if xor.is_some() {
                for (b, m) in ip[4..].iter_mut().zip(MAGIC_COOKIE.to_be_bytes()) {
                    *b ^= m;
                }
            }
            IpAddr::V4(Ipv4Addr::new(ip[4], ip[5], ip[6], ip[7]))
        }
        AddressFamily::V6 => {
            let raw = exact::<20>(v, k)?;
            let mut ip = *array_at::<16>(raw, 4).ok_or(bad)?;
            if let Some(tid) = xor {
                let mask = xor_mask(tid);
                for (b, m) in ip.iter_mut().zip(mask) {
                    *b ^= m;
                }
            }
            IpAddr::V6(Ipv6Addr::from(ip))
        }
    };
    Ok(SocketAddr::new(ip, port))
}

fn xor_mask(tid: &TransactionId) -> [u8; 16] {
    let mut mask = [0u8; 16];
    for (m, s) in mask
        .iter_mut()
        .zip(MAGIC_COOKIE.to_be_bytes().iter().chain(tid.0.iter()))
    {
        *m = *s;
    }
    mask
}

fn encode_addr(
    a: &SocketAddr,
    xor: Option<&TransactionId>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let mut port = a.port();
    if xor.is_some() {
        port ^= (MAGIC_COOKIE >> 16) as u16;
    }
    put(out, 0, &[0, AddressFamily::of(a).to_wire()])?;
    put(out, 2, &port.to_be_bytes())?;
    match a.ip() {
        IpAddr::V4(ip) => {
            let mut b = ip.octets();
            if xor.is_some() {
                for (b, m) in b.iter_mut().zip(MAGIC_COOKIE.to_be_bytes()) {
                    *b ^= m;
                }
            }
            put(out, 4, &b)?;
            Ok(8)
        }
        IpAddr::V6(ip) => {
            let mut b = ip.octets();
            if let Some(tid) = xor {
                for (b, m) in b.iter_mut().zip(xor_mask(tid)) {
                    *b ^= m;
                }
            }
            put(out, 4, &b)?;
            Ok(20)
        }
    }
}

fn family_value(v: &[u8], k: u16) -> Result<AddressFamily, Error> {
    let b = exact::<4>(v, k)?;
    AddressFamily::from_wire(b[0]).ok_or(Error::InvalidAttribute(k))
}

impl<'a> Attribute<'a> {
    /// Decodes and validates one attribute. `tid` unmasks the XOR-ed addresses.
    pub fn decode(raw: RawAttribute<'a>, tid: &TransactionId) -> Result<Attribute<'a>, Error> {
        Attribute::decode_inline(raw, tid)
    }

    /// [`Attribute::decode`], inlined into the parse loop so that the typed value goes
    /// straight into its field instead of through a returned enum.
    #[inline(always)]
    pub(crate) fn decode_inline(
        raw: RawAttribute<'a>,
        tid: &TransactionId,
    ) -> Result<Attribute<'a>, Error> {
        use kind::*;
        let v = raw.value;
        let k = raw.kind;
        let bad = Error::InvalidAttribute(k);
        Ok(match k {
            MAPPED_ADDRESS => Attribute::MappedAddress(decode_addr(v, k, None)?),
            XOR_MAPPED_ADDRESS => Attribute::XorMappedAddress(decode_addr(v, k, Some(tid))?),
            XOR_PEER_ADDRESS => Attribute::XorPeerAddress(decode_addr(v, k, Some(tid))?),
            XOR_RELAYED_ADDRESS => Attribute::XorRelayedAddress(decode_addr(v, k, Some(tid))?),
            ALTERNATE_SERVER => Attribute::AlternateServer(decode_addr(v, k, None)?),
            USERNAME => Attribute::Username(text(v, MAX_USERNAME_LEN, k)?),
            REALM => Attribute::Realm(text(v, MAX_TEXT_LEN, k)?),
            NONCE => Attribute::Nonce(text(v, MAX_TEXT_LEN, k)?),
            SOFTWARE => Attribute::Software(text(v, MAX_TEXT_LEN, k)?),
            ALTERNATE_DOMAIN => Attribute::AlternateDomain(text(v, MAX_TEXT_LEN, k)?),
            USERHASH => Attribute::Userhash(exact::<32>(v, k)?),
            MESSAGE_INTEGRITY => Attribute::MessageIntegrity(exact::<20>(v, k)?),
            MESSAGE_INTEGRITY_SHA256 => {
                if v.len() < 16 || v.len() > 32 || v.len() % 4 != 0 {
                    return Err(bad);
                }
                Attribute::MessageIntegritySha256(v)
            }
            FINGERPRINT => Attribute::Fingerprint(u32::from_be_bytes(*exact::<4>(v, k)?)),
            ERROR_CODE => Attribute::ErrorCode(decode_error_code(v, k)?),
            ADDRESS_ERROR_CODE => {
                let family = v
                    .first()
                    .copied()
                    .and_then(AddressFamily::from_wire)
                    .ok_or(bad)?;
                Attribute::AddressErrorCode(family, decode_error_code(v, k)?)
            }
            PASSWORD_ALGORITHM => {
                let alg = u16_at(v, 0).ok_or(bad)?;
                let plen = usize::from(u16_at(v, 2).ok_or(bad)?);
                // Parameters are padded to 4 bytes inside the value.
                if v.len() != 4 + pad4(plen) {
                    return Err(bad);
                }
                Attribute::PasswordAlgorithm(PasswordAlgorithm::from_wire(alg))
            }
            PASSWORD_ALGORITHMS => {
                Attribute::PasswordAlgorithms(PasswordAlgorithms::new(v).ok_or(bad)?)
            }
            UNKNOWN_ATTRIBUTES => {
                if v.len() % 2 != 0 {
                    return Err(bad);
                }
                Attribute::UnknownAttributes(UnknownAttributes { value: v })
            }
            PRIORITY => Attribute::Priority(u32::from_be_bytes(*exact::<4>(v, k)?)),
            USE_CANDIDATE => {
                exact::<0>(v, k)?;
                Attribute::UseCandidate
            }
            ICE_CONTROLLED => Attribute::IceControlled(u64::from_be_bytes(*exact::<8>(v, k)?)),
            ICE_CONTROLLING => Attribute::IceControlling(u64::from_be_bytes(*exact::<8>(v, k)?)),
            CHANNEL_NUMBER => Attribute::ChannelNumber(u16_at(exact::<4>(v, k)?, 0).ok_or(bad)?),
            LIFETIME => Attribute::Lifetime(u32_at(exact::<4>(v, k)?, 0).ok_or(bad)?),
            DATA => Attribute::Data(v),
            REQUESTED_ADDRESS_FAMILY => Attribute::RequestedAddressFamily(family_value(v, k)?),
            ADDITIONAL_ADDRESS_FAMILY => Attribute::AdditionalAddressFamily(family_value(v, k)?),
            EVEN_PORT => Attribute::EvenPort(exact::<1>(v, k)?[0] & 0x80 != 0),
            REQUESTED_TRANSPORT => Attribute::RequestedTransport(exact::<4>(v, k)?[0]),
            DONT_FRAGMENT => {
                exact::<0>(v, k)?;
                Attribute::DontFragment
            }
            RESERVATION_TOKEN => Attribute::ReservationToken(exact::<8>(v, k)?),
            _ => Attribute::Other { kind: k, value: v },
        })
    }

    /// The attribute's type number.
    pub fn kind(&self) -> u16 {
        use kind::*;
        match self {
            Attribute::MappedAddress(_) => MAPPED_ADDRESS,
            Attribute::XorMappedAddress(_) => XOR_MAPPED_ADDRESS,
            Attribute::Username(_) => USERNAME,
            Attribute::Userhash(_) => USERHASH,
            Attribute::MessageIntegrity(_) => MESSAGE_INTEGRITY,
            Attribute::MessageIntegritySha256(_) => MESSAGE_INTEGRITY_SHA256,
            Attribute::Fingerprint(_) => FINGERPRINT,
            Attribute::ErrorCode(_) => ERROR_CODE,
            Attribute::Realm(_) => REALM,
            Attribute::Nonce(_) => NONCE,
            Attribute::PasswordAlgorithm(_) => PASSWORD_ALGORITHM,
            Attribute::PasswordAlgorithms(_) => PASSWORD_ALGORITHMS,
            Attribute::UnknownAttributes(_) => UNKNOWN_ATTRIBUTES,
            Attribute::Software(_) => SOFTWARE,
            Attribute::AlternateServer(_) => ALTERNATE_SERVER,
            Attribute::AlternateDomain(_) => ALTERNATE_DOMAIN,
            Attribute::Priority(_) => PRIORITY,
            Attribute::UseCandidate => USE_CANDIDATE,
            Attribute::IceControlled(_) => ICE_CONTROLLED,
            Attribute::IceControlling(_) => ICE_CONTROLLING,
            Attribute::ChannelNumber(_) => CHANNEL_NUMBER,
            Attribute::Lifetime(_) => LIFETIME,
            Attribute::XorPeerAddress(_) => XOR_PEER_ADDRESS,
            Attribute::Data(_) => DATA,
            Attribute::XorRelayedAddress(_) => XOR_RELAYED_ADDRESS,
            Attribute::RequestedAddressFamily(_) => REQUESTED_ADDRESS_FAMILY,
            Attribute::AdditionalAddressFamily(_) => ADDITIONAL_ADDRESS_FAMILY,
            Attribute::AddressErrorCode(..) => ADDRESS_ERROR_CODE,
            Attribute::EvenPort(_) => EVEN_PORT,
            Attribute::RequestedTransport(_) => REQUESTED_TRANSPORT,
            Attribute::DontFragment => DONT_FRAGMENT,
            Attribute::ReservationToken(_) => RESERVATION_TOKEN,
            Attribute::Other { kind, .. } => *kind,
        }
    }

    /// Writes the value (without type/length prefix or padding) into `out`, returning its
    /// length. `tid` masks the XOR-ed addresses.
    pub fn encode_value(&self, tid: &TransactionId, out: &mut [u8]) -> Result<usize, Error> {
        fn bytes(out: &mut [u8], b: &[u8]) -> Result<usize, Error> {
            put(out, 0, b)?;
            Ok(b.len())
        }
        fn text_value(out: &mut [u8], s: &str, max: usize) -> Result<usize, Error> {
            if s.len() > max {
                return Err(Error::ValueOutOfRange);
            }
            bytes(out, s.as_bytes())
        }
        match self {
            Attribute::MappedAddress(a) | Attribute::AlternateServer(a) => {
                encode_addr(a, None, out)
            }
            Attribute::XorMappedAddress(a)
            | Attribute::XorPeerAddress(a)
            | Attribute::XorRelayedAddress(a) => encode_addr(a, Some(tid), out),
            Attribute::Username(s) => text_value(out, s, MAX_USERNAME_LEN),
            Attribute::Realm(s)
            | Attribute::Nonce(s)
            | Attribute::Software(s)
            | Attribute::AlternateDomain(s) => text_value(out, s, MAX_TEXT_LEN),
            Attribute::Userhash(h) => bytes(out, &h[..]),
            Attribute::MessageIntegrity(m) => bytes(out, &m[..]),
            Attribute::MessageIntegritySha256(m) => {
                if m.len() < 16 || m.len() > 32 || m.len() % 4 != 0 {
                    return Err(Error::ValueOutOfRange);
                }
                bytes(out, m)
            }
            Attribute::Fingerprint(v) | Attribute::Priority(v) | Attribute::Lifetime(v) => {
                bytes(out, &v.to_be_bytes())
            }
            Attribute::ErrorCode(e) => encode_error_code(0, e, out),
            Attribute::AddressErrorCode(f, e) => encode_error_code(f.to_wire(), e, out),
            Attribute::PasswordAlgorithm(a) => {
                let w = a.to_wire().to_be_bytes();
                bytes(out, &[w[0], w[1], 0, 0])
            }
            Attribute::PasswordAlgorithms(p) => bytes(out, p.value),
            Attribute::UnknownAttributes(u) => bytes(out, u.value),
            Attribute::UseCandidate | Attribute::DontFragment => Ok(0),
            Attribute::IceControlled(t) | Attribute::IceControlling(t) => {
                bytes(out, &t.to_be_bytes())
            }
            Attribute::ChannelNumber(n) => {
                let w = n.to_be_bytes();
                bytes(out, &[w[0], w[1], 0, 0])
            }
            Attribute::Data(d) => bytes(out, d),
            Attribute::RequestedAddressFamily(f) | Attribute::AdditionalAddressFamily(f) => {
                bytes(out, &[f.to_wire(), 0, 0, 0])
            }
            Attribute::EvenPort(r) => bytes(out, &[if *r { 0x80 } else { 0 }]),
            Attribute::RequestedTransport(p) => bytes(out, &[*p, 0, 0, 0]),
            Attribute::ReservationToken(t) => bytes(out, &t[..]),
            Attribute::Other { value, .. } => bytes(out, value),
        }
    }
}

/// Helper for building PASSWORD-ALGORITHMS and UNKNOWN-ATTRIBUTES values from typed
/// lists: the caller provides the scratch buffer.
impl<'a> UnknownAttributes<'a> {
    /// Encodes `kinds` into `scratch` and returns a view usable as an attribute value.
    pub fn build(kinds: &[u16], scratch: &'a mut [u8]) -> Result<UnknownAttributes<'a>, Error> {
        for (i, k) in kinds.iter().enumerate() {
            put(scratch, i * 2, &k.to_be_bytes())?;
        }
        let value = scratch
            .get(..kinds.len() * 2)
            .ok_or(Error::BufferTooSmall)?;
        Ok(UnknownAttributes { value })
    }
}

impl<'a> PasswordAlgorithms<'a> {
    /// Encodes `algs` into `scratch` and returns a view usable as an attribute value.
    pub fn build(
        algs: &[PasswordAlgorithm],
        scratch: &'a mut [u8],
    ) -> Result<PasswordAlgorithms<'a>, Error> {
        let n = PasswordAlgorithms::encode(algs, scratch)?;
        let value = scratch.get(..n).ok_or(Error::BufferTooSmall)?;
        Ok(PasswordAlgorithms { value })
    }
}
