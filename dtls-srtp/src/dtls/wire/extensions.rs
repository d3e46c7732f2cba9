//! Hello extensions: the ones DTLS-SRTP acts on are decoded into [`HelloExtensions`]; every
//! other one (key_share, psk_key_exchange_modes, GREASE, ...) stays iterable and is skipped.

use core::fmt;

use super::codec::{Reader, Writer};
use super::types::{ExtensionType, ProtocolVersion, U16List};
use crate::dtls::Error;

/// Most extensions one hello may carry: Chromium 156 sends 9, OpenSSL about 10; anything far
/// beyond is a peer trying to make us work.
pub const MAX_EXTENSIONS: usize = 48;

/// One extension as it appears on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Extension<'a> {
    /// Its type.
    pub kind: ExtensionType,
    /// Its body, not interpreted.
    pub data: &'a [u8],
}

/// A validated extensions block (the bytes inside the outer u16 length): every entry's
/// length fits, there are at most [`MAX_EXTENSIONS`] and no type repeats, so iterating it
/// cannot fail.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct RawExtensions<'a>(&'a [u8]);

impl<'a> RawExtensions<'a> {
    /// No extensions.
    pub const EMPTY: RawExtensions<'static> = RawExtensions(&[]);

    /// Checks the framing of an extensions block.
    pub fn new_checked(block: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(block);
        let mut seen: heapless::Vec<u16, MAX_EXTENSIONS> = heapless::Vec::new();
        while !r.is_empty() {
            let kind = r.u16()?;
            r.vec16()?;
            if seen.contains(&kind) {
                return Err(Error::DuplicateExtension);
            }
            seen.push(kind).map_err(|_| Error::TooManyExtensions)?;
        }
        Ok(RawExtensions(block))
    }

    /// The block's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The extensions in wire order.
    pub fn iter(&self) -> impl Iterator<Item = Extension<'a>> + 'a {
        let mut r = Reader::new(self.0);
        core::iter::from_fn(move || {
            let kind = ExtensionType(r.u16().ok()?);
            let data = r.vec16().ok()?;
            Some(Extension { kind, data })
        })
    }

    /// The body of the extension of type `kind`, if present.
    pub fn get(&self, kind: ExtensionType) -> Option<&'a [u8]> {
        self.iter().find(|e| e.kind == kind).map(|e| e.data)
    }
}

impl fmt::Debug for RawExtensions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(|e| e.kind)).finish()
    }
}

/// The use_srtp extension (RFC 5764 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UseSrtp<'a> {
    /// SRTP protection profile ids, in the sender's preference order (a server answers one).
    /// [`crate::srtp::Profile::from_id`] maps the ones we implement.
    pub profiles: U16List<'a>,
    /// The SRTP MKI (WebRTC sends none).
    pub mki: &'a [u8],
}

impl<'a> UseSrtp<'a> {
    fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let profiles = U16List::read(&mut r, 2).map_err(|_| Error::BadExtension)?;
        let mki = r.vec8().map_err(|_| Error::BadExtension)?;
        r.finish().map_err(|_| Error::BadExtension)?;
        if profiles.is_empty() {
            return Err(Error::BadExtension);
        }
        Ok(UseSrtp { profiles, mki })
    }
}

/// Which hello an extensions block belongs to: supported_versions has a different body in
/// ClientHello (a list) and ServerHello (one version).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelloKind {
    /// ClientHello.
    Client,
    /// ServerHello.
    Server,
}

/// The extensions DTLS-SRTP acts on, decoded, plus the raw block so nothing is lost.
///
/// Parsing rejects a malformed known extension ([`Error::BadExtension`]); unknown ones are
/// only framed. Emitting writes the known fields in a fixed order, then every other
/// extension of `raw`. Equality compares the decoded fields and the other extensions, so an
/// emit → parse round trip compares equal.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelloExtensions<'a> {
    /// use_srtp (RFC 5764).
    pub use_srtp: Option<UseSrtp<'a>>,
    /// extended_master_secret was present (RFC 7627).
    pub extended_master_secret: bool,
    /// renegotiation_info's `renegotiated_connection` (empty on an initial handshake).
    pub renegotiation_info: Option<&'a [u8]>,
    /// supported_groups.
    pub supported_groups: Option<U16List<'a>>,
    /// ec_point_formats (a list of one-byte formats; 0 = uncompressed).
    pub ec_point_formats: Option<&'a [u8]>,
    /// signature_algorithms.
    pub signature_algorithms: Option<U16List<'a>>,
    /// supported_versions: the versions a client offers (a ServerHello's one selected
    /// version reads as a one-entry list). Only used to notice DTLS 1.3 offers.
    pub supported_versions: Option<U16List<'a>>,
    /// The whole block as received (or extra extensions to emit after the decoded ones).
    pub raw: RawExtensions<'a>,
}

const DECODED: [ExtensionType; 7] = [
    ExtensionType::USE_SRTP,
    ExtensionType::EXTENDED_MASTER_SECRET,
    ExtensionType::RENEGOTIATION_INFO,
    ExtensionType::SUPPORTED_GROUPS,
    ExtensionType::EC_POINT_FORMATS,
    ExtensionType::SIGNATURE_ALGORITHMS,
    ExtensionType::SUPPORTED_VERSIONS,
];

impl<'a> HelloExtensions<'a> {
    /// Decodes an extensions block (without its outer length).
    pub fn parse(block: &'a [u8], hello: HelloKind) -> Result<Self, Error> {
        let raw = RawExtensions::new_checked(block)?;
        let mut out = HelloExtensions {
            raw,
            ..HelloExtensions::default()
        };
        for ext in raw.iter() {
            let bad = |_| Error::BadExtension;
            let mut r = Reader::new(ext.data);
            match ext.kind {
                ExtensionType::USE_SRTP => {
                    out.use_srtp = Some(UseSrtp::parse(ext.data)?);
                    continue;
                }
                ExtensionType::EXTENDED_MASTER_SECRET => out.extended_master_secret = true,
                ExtensionType::RENEGOTIATION_INFO => {
                    out.renegotiation_info = Some(r.vec8().map_err(bad)?);
                }
                ExtensionType::SUPPORTED_GROUPS => {
                    out.supported_groups = Some(U16List::read(&mut r, 2).map_err(bad)?);
                }
                ExtensionType::EC_POINT_FORMATS => {
                    out.ec_point_formats = Some(r.vec8().map_err(bad)?);
                }
                ExtensionType::SIGNATURE_ALGORITHMS => {
                    out.signature_algorithms = Some(U16List::read(&mut r, 2).map_err(bad)?);
                }
                ExtensionType::SUPPORTED_VERSIONS => {
                    let list = match hello {
                        HelloKind::Client => U16List::read(&mut r, 1).map_err(bad)?,
                        HelloKind::Server => U16List::from_wire(r.bytes(2).map_err(bad)?)?,
                    };
                    out.supported_versions = Some(list);
                }
                _ => continue,
            }
            r.finish().map_err(|_| Error::BadExtension)?;
        }
        Ok(out)
    }

    /// True if the peer offered DTLS 1.3 in supported_versions (we still answer 1.2: the
    /// extension is otherwise ignored, RFC 8446 §4.2.1 lets a 1.2 server do that).
    pub fn offers_dtls13(&self) -> bool {
        self.supported_versions
            .is_some_and(|v| v.contains(ProtocolVersion::DTLS1_3.0))
    }

    /// Extensions of `raw` that are not decoded into a field (kept for iteration and emit).
    pub fn others(&self) -> impl Iterator<Item = Extension<'a>> + 'a {
        self.raw.iter().filter(|e| !DECODED.contains(&e.kind))
    }

    /// Writes the block (without the outer length) and returns its length.
    pub(crate) fn write(&self, w: &mut Writer<'_>, hello: HelloKind) -> Result<(), Error> {
        let mut count = 0usize;
        let mut ext =
            |w: &mut Writer<'_>, kind: ExtensionType| -> Result<super::codec::Mark, Error> {
                count += 1;
                if count > MAX_EXTENSIONS {
                    return Err(Error::TooManyExtensions);
                }
                w.u16(kind.0)?;
                w.open(2)
            };
        if let Some(s) = &self.use_srtp {
            let m = ext(w, ExtensionType::USE_SRTP)?;
            s.profiles.write(w, 2)?;
            w.vec8(s.mki)?;
            w.close(m)?;
        }
        if self.extended_master_secret {
            let m = ext(w, ExtensionType::EXTENDED_MASTER_SECRET)?;
            w.close(m)?;
        }
        if let Some(ri) = self.renegotiation_info {
            let m = ext(w, ExtensionType::RENEGOTIATION_INFO)?;
            w.vec8(ri)?;
            w.close(m)?;
        }
        if let Some(g) = &self.supported_groups {
            let m = ext(w, ExtensionType::SUPPORTED_GROUPS)?;
            g.write(w, 2)?;
            w.close(m)?;
        }
        if let Some(f) = self.ec_point_formats {
            let m = ext(w, ExtensionType::EC_POINT_FORMATS)?;
            w.vec8(f)?;
            w.close(m)?;
        }
        if let Some(s) = &self.signature_algorithms {
            let m = ext(w, ExtensionType::SIGNATURE_ALGORITHMS)?;
            s.write(w, 2)?;
            w.close(m)?;
        }
        if let Some(v) = &self.supported_versions {
            let m = ext(w, ExtensionType::SUPPORTED_VERSIONS)?;
            match hello {
                HelloKind::Client => v.write(w, 1)?,
                HelloKind::Server => {
                    let mut it = v.iter();
                    match (it.next(), it.next()) {
                        (Some(one), None) => w.u16(one)?,
                        _ => return Err(Error::BadValue),
                    }
                }
            }
            w.close(m)?;
        }
        for e in self.others() {
            let m = ext(w, e.kind)?;
            w.bytes(e.data)?;
            w.close(m)?;
        }
        Ok(())
    }

    /// True if there is nothing to emit (then a hello may omit the block entirely).
    pub fn is_empty(&self) -> bool {
        self.use_srtp.is_none()
            && !self.extended_master_secret
            && self.renegotiation_info.is_none()
            && self.supported_groups.is_none()
            && self.ec_point_formats.is_none()
            && self.signature_algorithms.is_none()
            && self.supported_versions.is_none()
            && self.others().next().is_none()
    }
}

impl PartialEq for HelloExtensions<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.use_srtp == other.use_srtp
            && self.extended_master_secret == other.extended_master_secret
            && self.renegotiation_info == other.renegotiation_info
            && self.supported_groups == other.supported_groups
            && self.ec_point_formats == other.ec_point_formats
            && self.signature_algorithms == other.signature_algorithms
            && self.supported_versions == other.supported_versions
            && self.others().eq(other.others())
    }
}

impl Eq for HelloExtensions<'_> {}
