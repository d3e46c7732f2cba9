//! ICE candidates (RFC 8839 §5.1): the `a=candidate` grammar, with the extensions browsers
//! add (tcptype, generation, ufrag, network-id, network-cost) and mDNS `.local` names.

use core::fmt;
use core::net::IpAddr;

use crate::error::AttributeError;
use crate::text::{dec_u16, dec_u32, next_token};

/// The transport of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP (written `udp` or `UDP`).
    Udp,
    /// TCP (RFC 6544), with a [`TcpType`].
    Tcp,
}

/// The candidate type (`typ`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CandidateKind {
    /// A local interface address.
    Host,
    /// Server-reflexive: the address a STUN server saw.
    ServerReflexive,
    /// Peer-reflexive: learned from a connectivity check.
    PeerReflexive,
    /// A TURN relay address.
    Relay,
}

impl CandidateKind {
    /// The SDP name (`host`, `srflx`, `prflx`, `relay`).
    pub const fn name(self) -> &'static str {
        match self {
            CandidateKind::Host => "host",
            CandidateKind::ServerReflexive => "srflx",
            CandidateKind::PeerReflexive => "prflx",
            CandidateKind::Relay => "relay",
        }
    }
}

/// The role of a TCP candidate (RFC 6544 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TcpType {
    /// Opens connections, never accepts (browsers' port-9 candidates).
    Active,
    /// Accepts connections.
    Passive,
    /// Simultaneous open.
    SimultaneousOpen,
}

impl TcpType {
    /// The SDP name.
    pub const fn name(self) -> &'static str {
        match self {
            TcpType::Active => "active",
            TcpType::Passive => "passive",
            TcpType::SimultaneousOpen => "so",
        }
    }
}

/// A candidate's address: an IP literal, or a host name — browsers hide local addresses
/// behind mDNS names such as `1f4712db-ea17-4bcf-a596-105139dfd8bf.local`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Address<'a> {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A host name (an mDNS `.local` name in practice); resolving it is the caller's job.
    Name(&'a str),
}

impl<'a> Address<'a> {
    fn parse(s: &'a str) -> Option<Self> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(Address::Ip(ip));
        }
        let ok = !s.is_empty()
            && s.len() <= 253
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            && !s.starts_with('.')
            && !s.starts_with('-');
        ok.then_some(Address::Name(s))
    }

    /// Whether this is an mDNS name (ends in `.local`).
    pub fn is_mdns(&self) -> bool {
        matches!(self, Address::Name(n) if n.len() > 6
            && n.get(n.len() - 6..).is_some_and(|t| t.eq_ignore_ascii_case(".local")))
    }
}

impl fmt::Display for Address<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Ip(ip) => ip.fmt(f),
            Address::Name(n) => f.write_str(n),
        }
    }
}

/// One ICE candidate, borrowed from the text it was read from.
///
/// Unknown extension attributes are skipped when reading (their number is kept in
/// [`Candidate::unknown_extensions`]) and not written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    /// Groups candidates of the same type, base and server (1–32 ice-chars).
    pub foundation: &'a str,
    /// 1 = RTP (the only one with rtcp-mux).
    pub component: u16,
    /// UDP or TCP.
    pub transport: Transport,
    /// The candidate's priority (RFC 8445 §5.1.2).
    pub priority: u32,
    /// Where it is.
    pub address: Address<'a>,
    /// Its port (9 = "discard" for active TCP candidates).
    pub port: u16,
    /// host, srflx, prflx or relay.
    pub kind: CandidateKind,
    /// `raddr`/`rport`: the related address (base of a reflexive, mapped of a relay).
    pub related: Option<(Address<'a>, u16)>,
    /// `tcptype`, for TCP candidates.
    pub tcp_type: Option<TcpType>,
    /// `generation` (a libwebrtc extension).
    pub generation: Option<u32>,
    /// `ufrag`: which ICE generation's credentials it belongs to.
    pub ufrag: Option<&'a str>,
    /// `network-id` (libwebrtc).
    pub network_id: Option<u32>,
    /// `network-cost` (libwebrtc: 10 for Ethernet/Wi-Fi ... 999 for cellular).
    pub network_cost: Option<u32>,
    /// How many extension attributes were not understood and skipped.
    pub unknown_extensions: u8,
}

const fn bad(problem: &'static str) -> AttributeError {
    AttributeError::new("candidate", problem)
}

impl<'a> Candidate<'a> {
    /// Reads a candidate: the value of `a=candidate:` (`842163049 1 udp ...`), or the same
    /// with its `candidate:` or `a=candidate:` prefix (as the JSON of trickle ICE carries it).
    pub fn parse(text: &'a str) -> Result<Self, AttributeError> {
        let text = text.trim_matches(' ');
        let text = text.strip_prefix("a=").unwrap_or(text);
        let text = text.strip_prefix("candidate:").unwrap_or(text);

        let (foundation, rest) = next_token(text).ok_or(bad("missing foundation"))?;
        if foundation.len() > 32 || !foundation.bytes().all(is_ice_char) {
            return Err(bad("bad foundation"));
        }
        let (component, rest) = next_token(rest).ok_or(bad("missing component"))?;
        let component = dec_u16(component)
            .filter(|c| (1..=256).contains(c))
            .ok_or(bad("bad component id"))?;
        let (transport, rest) = next_token(rest).ok_or(bad("missing transport"))?;
        let transport = if transport.eq_ignore_ascii_case("udp") {
            Transport::Udp
        } else if transport.eq_ignore_ascii_case("tcp") {
            Transport::Tcp
        } else {
            return Err(bad("transport is not udp or tcp"));
        };
        let (priority, rest) = next_token(rest).ok_or(bad("missing priority"))?;
        let priority = dec_u32(priority).ok_or(bad("bad priority"))?;
        let (address, rest) = next_token(rest).ok_or(bad("missing address"))?;
        let address = Address::parse(address).ok_or(bad("bad address"))?;
        let (port, rest) = next_token(rest).ok_or(bad("missing port"))?;
        let port = dec_u16(port).ok_or(bad("bad port"))?;
        let (typ, rest) = next_token(rest).ok_or(bad("missing typ"))?;
        if typ != "typ" {
            return Err(bad("expected typ"));
        }
        let (kind, mut rest) = next_token(rest).ok_or(bad("missing candidate type"))?;
        let kind = match kind {
            "host" => CandidateKind::Host,
            "srflx" => CandidateKind::ServerReflexive,
            "prflx" => CandidateKind::PeerReflexive,
            "relay" => CandidateKind::Relay,
            _ => return Err(bad("unknown candidate type")),
        };

        let mut c = Candidate {
            foundation,
            component,
            transport,
            priority,
            address,
            port,
            kind,
            related: None,
            tcp_type: None,
            generation: None,
            ufrag: None,
            network_id: None,
            network_cost: None,
            unknown_extensions: 0,
        };
        let mut raddr = None;
        let mut rport = None;
        while let Some((name, r)) = next_token(rest) {
            let (value, r) = next_token(r).ok_or(bad("extension without a value"))?;
            rest = r;
            match name {
                "raddr" => raddr = Some(Address::parse(value).ok_or(bad("bad raddr"))?),
                "rport" => rport = Some(dec_u16(value).ok_or(bad("bad rport"))?),
                "tcptype" => {
                    c.tcp_type = Some(match value {
                        "active" => TcpType::Active,
                        "passive" => TcpType::Passive,
                        "so" => TcpType::SimultaneousOpen,
                        _ => return Err(bad("bad tcptype")),
                    })
                }
                "generation" => c.generation = Some(dec_u32(value).ok_or(bad("bad generation"))?),
                "ufrag" => c.ufrag = Some(value),
                "network-id" => c.network_id = Some(dec_u32(value).ok_or(bad("bad network-id"))?),
                "network-cost" => {
                    c.network_cost = Some(dec_u32(value).ok_or(bad("bad network-cost"))?)
                }
                _ => c.unknown_extensions = c.unknown_extensions.saturating_add(1),
            }
        }
        c.related = match (raddr, rport) {
            (Some(a), Some(p)) => Some((a, p)),
            (None, None) => None,
            _ => return Err(bad("raddr without rport or rport without raddr")),
        };
        Ok(c)
    }

    /// The candidate as `candidate:...` (the form trickle ICE JSON carries).
    pub fn attribute(&self) -> impl fmt::Display + '_ {
        struct WithPrefix<'c, 'a>(&'c Candidate<'a>);
        impl fmt::Display for WithPrefix<'_, '_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "candidate:{}", self.0)
            }
        }
        WithPrefix(self)
    }
}

/// RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/".
fn is_ice_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/'
}

impl fmt::Display for Candidate<'_> {
    /// The value of `a=candidate:` (without the prefix).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let transport = match self.transport {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
        };
        write!(
            f,
            "{} {} {} {} {} {} typ {}",
            self.foundation,
            self.component,
            transport,
            self.priority,
            self.address,
            self.port,
            self.kind.name()
        )?;
        if let Some((addr, port)) = self.related {
            write!(f, " raddr {addr} rport {port}")?;
        }
        if let Some(t) = self.tcp_type {
            write!(f, " tcptype {}", t.name())?;
        }
        if let Some(g) = self.generation {
            write!(f, " generation {g}")?;
        }
        if let Some(u) = self.ufrag {
            write!(f, " ufrag {u}")?;
        }
        if let Some(n) = self.network_id {
            write!(f, " network-id {n}")?;
        }
        if let Some(n) = self.network_cost {
            write!(f, " network-cost {n}")?;
        }
        Ok(())
    }
}
