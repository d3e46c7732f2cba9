//! The STUN case: what an ICE agent does with every connectivity check it receives.
//!
//! The input is a 100-byte Binding request as a controlling browser sends it while
//! nominating: USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE, MESSAGE-INTEGRITY
//! (HMAC-SHA1 with the short-term key) and FINGERPRINT, built once with rtcam's
//! [`MessageBuilder`]. One operation takes the datagram's bytes and yields a [`Checked`]:
//! FINGERPRINT verified, MESSAGE-INTEGRITY verified, and the username, priority,
//! tie-breaker and USE-CANDIDATE flag read out.
//!
//! Both sides get their key material prepared once, outside the timed loop (a connected
//! agent keeps it for the session), and both return the same values, checked equal by
//! the tests and by the bench before it times anything.

use rtcam_stun::{
    Attribute, Class, Key, Message as StunMessage, MessageBuilder, Method, Repr, Seal,
    TransactionId, kind,
};
use webrtc_stun::attributes::{
    ATTR_ICE_CONTROLLING, ATTR_PRIORITY, ATTR_USE_CANDIDATE, ATTR_USERNAME,
};
use webrtc_stun::fingerprint::FINGERPRINT;
use webrtc_stun::integrity::MessageIntegrity;
use webrtc_stun::message::Message;
use webrtc_stun::textattrs::TextAttribute;

/// The local ICE password (22 ice-chars, like a browser's `ice-pwd`).
pub const PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBt";
/// A different password, for the wrong-key checks.
pub const WRONG_PASSWORD: &str = "VOkJxbRl1RmTxUk/WvJxBu";
/// `remote-ufrag:local-ufrag`, 8-character ufrags.
pub const USERNAME: &str = "a1b2c3d4:e5f6g7h8";
/// The requester's PRIORITY (a host candidate's).
pub const PRIORITY: u32 = 0x6e00_1eff;
/// The requester's ICE-CONTROLLING tie-breaker.
pub const TIE_BREAKER: u64 = 0x932f_f9b1_5126_3b36;
/// The request's transaction id.
pub const TRANSACTION_ID: [u8; 12] = [
    0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae,
];
/// Size of the request built by [`binding_request`].
pub const REQUEST_LEN: usize = 100;

/// The request, signed with [`PASSWORD`].
pub fn binding_request() -> Vec<u8> {
    binding_request_signed_with(PASSWORD)
}

/// The same request with MESSAGE-INTEGRITY computed from `password` (FINGERPRINT valid).
pub fn binding_request_signed_with(password: &str) -> Vec<u8> {
    let key = Key::short_term(password).expect("ice-chars password");
    let mut buf = [0u8; 256];
    let mut b = MessageBuilder::new(
        &mut buf,
        Class::Request,
        Method::BINDING,
        TransactionId(TRANSACTION_ID),
    )
    .expect("header fits");
    b.add(&Attribute::Username(USERNAME)).expect("fits");
    b.add(&Attribute::Priority(PRIORITY)).expect("fits");
    b.add(&Attribute::IceControlling(TIE_BREAKER))
        .expect("fits");
    b.add(&Attribute::UseCandidate).expect("fits");
    b.seal(Seal::sha1(&key)).expect("fits").to_vec()
}

/// What an ICE agent takes from a verified connectivity check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked<S> {
    /// USERNAME (`remote:local` ufrags), to match the session.
    pub username: S,
    /// PRIORITY, for a peer-reflexive candidate and the triggered check.
    pub priority: u32,
    /// ICE-CONTROLLING's tie-breaker, for role-conflict resolution.
    pub ice_controlling: u64,
    /// USE-CANDIDATE: the controlling agent nominates this pair.
    pub use_candidate: bool,
}

/// Why a check was rejected.
#[derive(Debug)]
pub enum Rejected<E> {
    /// The implementation's own error (bad FINGERPRINT, bad MESSAGE-INTEGRITY, malformed).
    Stun(E),
    /// A required attribute is absent.
    Missing(&'static str),
}

impl<E> From<E> for Rejected<E> {
    fn from(e: E) -> Rejected<E> {
        Rejected::Stun(e)
    }
}

/// rtcam the way an ICE agent reads a check, with the checked view (the smoltcp
/// pattern): [`StunMessage::new_checked`] validates the header and every TLV and locates the
/// integrity attributes; `check_fingerprint` verifies the CRC-32 (`crc32fast`); `verify`
/// computes HMAC-SHA1 over the covered prefix from the key's cached HMAC state and
/// compares in constant time; `get` decodes and validates each wanted attribute in place
/// (USERNAME borrowed from `bytes`, UTF-8 checked). Zero heap allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours<'a>(
    bytes: &'a [u8],
    key: &Key<'_>,
) -> Result<Checked<&'a str>, Rejected<rtcam_stun::Error>> {
    let msg = StunMessage::new_checked(bytes)?;
    msg.check_fingerprint()?;
    msg.verify(key)?;
    let get = |k, name| {
        msg.get(k)
            .ok_or(Rejected::Missing(name))?
            .map_err(Rejected::Stun)
    };
    let Attribute::Username(username) = get(kind::USERNAME, "USERNAME")? else {
        return Err(Rejected::Missing("USERNAME"));
    };
    let Attribute::Priority(priority) = get(kind::PRIORITY, "PRIORITY")? else {
        return Err(Rejected::Missing("PRIORITY"));
    };
    let Attribute::IceControlling(ice_controlling) = get(kind::ICE_CONTROLLING, "ICE-CONTROLLING")?
    else {
        return Err(Rejected::Missing("ICE-CONTROLLING"));
    };
    Ok(Checked {
        username,
        priority,
        ice_controlling,
        use_candidate: msg.get(kind::USE_CANDIDATE).is_some(),
    })
}

/// rtcam decoding everything: [`Repr::parse_bytes`] validates the header, decodes and
/// validates every attribute into [`rtcam_stun::Attributes`] in one pass and verifies
/// FINGERPRINT; [`Repr::verify`] then checks MESSAGE-INTEGRITY as above. Zero heap
/// allocations; the cost over [`ours`] is decoding attributes ICE does not need and
/// moving the ~0.5 KB `Repr` around.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_repr<'a>(
    bytes: &'a [u8],
    key: &Key<'_>,
) -> Result<Checked<&'a str>, Rejected<rtcam_stun::Error>> {
    let repr = Repr::parse_bytes(bytes)?;
    if !repr.has_fingerprint() {
        return Err(Rejected::Missing("FINGERPRINT"));
    }
    repr.verify(key)?;
    let a = &repr.attributes;
    Ok(Checked {
        username: a.username.ok_or(Rejected::Missing("USERNAME"))?,
        priority: a.priority.ok_or(Rejected::Missing("PRIORITY"))?,
        ice_controlling: a
            .ice_controlling
            .ok_or(Rejected::Missing("ICE-CONTROLLING"))?,
        use_candidate: a.use_candidate,
    })
}

/// webrtc-rs, the way webrtc-ice's agent (0.9) handles an inbound datagram: a fresh
/// [`Message`] per datagram (`Message { raw: vec![], ..Default::default() }`, then
/// `raw.extend_from_slice` and `decode`, as `AgentInternal::handle_inbound_candidate_msg`
/// does), then [`webrtc_rs_checks`].
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs(
    bytes: &[u8],
    integrity: &MessageIntegrity,
) -> Result<Checked<String>, Rejected<webrtc_stun::Error>> {
    let mut m = Message {
        raw: Vec::new(),
        ..Message::default()
    };
    m.raw.extend_from_slice(bytes);
    m.decode()?;
    webrtc_rs_checks(&mut m, integrity)
}

/// webrtc-rs at its cheapest: one [`Message`] kept across datagrams, refilled with
/// `unmarshal_binary` (copy into the existing `raw`, then `decode`), so the message
/// buffer and attribute list are reused; then [`webrtc_rs_checks`].
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_reused(
    m: &mut Message,
    bytes: &[u8],
    integrity: &MessageIntegrity,
) -> Result<Checked<String>, Rejected<webrtc_stun::Error>> {
    m.unmarshal_binary(bytes)?;
    webrtc_rs_checks(m, integrity)
}

/// The checks and reads after `decode` (which split the attributes, copying each value
/// into its own `Vec`):
/// - `FINGERPRINT.check`: CRC-32 (the `crc` crate) over everything before FINGERPRINT;
/// - `MessageIntegrity::check` with the short-term key built once by
///   `MessageIntegrity::new_short_term_integrity(password)`: HMAC-SHA1 (`ring`) over the
///   prefix with the length field adjusted, constant-time compare;
/// - USERNAME through `TextAttribute::get_from_as` (copies, UTF-8 checks);
/// - PRIORITY and ICE-CONTROLLING exactly as webrtc-ice's `PriorityAttr` and
///   `AttrControlling` getters do (`Message::get`, size check, big-endian read); we
///   inline them rather than pull in webrtc-ice;
/// - USE-CANDIDATE as webrtc-ice's `UseCandidateAttr::is_set` does (`get(..).is_ok()`).
fn webrtc_rs_checks(
    m: &mut Message,
    integrity: &MessageIntegrity,
) -> Result<Checked<String>, Rejected<webrtc_stun::Error>> {
    FINGERPRINT.check(m)?;
    integrity.check(m)?;
    let username = TextAttribute::get_from_as(m, ATTR_USERNAME)?.text;
    let priority = m.get(ATTR_PRIORITY)?;
    let priority = <[u8; 4]>::try_from(priority.as_slice())
        .map_err(|_| webrtc_stun::Error::ErrAttributeSizeInvalid)?;
    let controlling = m.get(ATTR_ICE_CONTROLLING)?;
    let controlling = <[u8; 8]>::try_from(controlling.as_slice())
        .map_err(|_| webrtc_stun::Error::ErrAttributeSizeInvalid)?;
    Ok(Checked {
        username,
        priority: u32::from_be_bytes(priority),
        ice_controlling: u64::from_be_bytes(controlling),
        use_candidate: m.get(ATTR_USE_CANDIDATE).is_ok(),
    })
}

/// The values both sides must return for [`binding_request`].
pub fn expected() -> Checked<&'static str> {
    Checked {
        username: USERNAME,
        priority: PRIORITY,
        ice_controlling: TIE_BREAKER,
        use_candidate: true,
    }
}

/// Asserts that both sides accept the good request with the right values and reject
/// every tampered one, so a bench can never be timing an error path. Panics otherwise.
pub fn assert_equivalent(request: &[u8], password: &str) {
    let key = Key::short_term(password).expect("ice-chars password");
    let integrity = MessageIntegrity::new_short_term_integrity(password.to_owned());
    let ours_ok = ours(request, &key).expect("rtcam accepts the request");
    let theirs_ok = webrtc_rs(request, &integrity).expect("webrtc-rs accepts the request");
    let mut reused = Message::new();
    let reused_ok =
        webrtc_rs_reused(&mut reused, request, &integrity).expect("webrtc-rs (reused) accepts");
    assert_eq!(ours_ok, expected());
    assert_eq!(
        ours_repr(request, &key).expect("rtcam Repr accepts"),
        ours_ok
    );
    let theirs_as_ours = Checked {
        username: theirs_ok.username.as_str(),
        priority: theirs_ok.priority,
        ice_controlling: theirs_ok.ice_controlling,
        use_candidate: theirs_ok.use_candidate,
    };
    assert_eq!(theirs_as_ours, ours_ok);
    assert_eq!(reused_ok, theirs_ok);

    for (what, bad) in tampered(request) {
        assert!(ours(&bad, &key).is_err(), "rtcam accepted {what}");
        assert!(ours_repr(&bad, &key).is_err(), "rtcam Repr accepted {what}");
        assert!(
            webrtc_rs(&bad, &integrity).is_err(),
            "webrtc-rs accepted {what}"
        );
        assert!(
            webrtc_rs_reused(&mut reused, &bad, &integrity).is_err(),
            "webrtc-rs (reused) accepted {what}"
        );
    }
}

/// Tampered copies of `request` that every implementation must reject.
pub fn tampered(request: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    // The PRIORITY value: header 20 + USERNAME (4 + 20 padded) + PRIORITY header 4.
    const PRIORITY_AT: usize = 20 + 24 + 4;
    let mut flipped = request.to_vec();
    flipped[PRIORITY_AT] ^= 0x01;

    // Same flip with FINGERPRINT recomputed: only MESSAGE-INTEGRITY can catch it.
    let mut refingerprinted = flipped.clone();
    let fp_at = refingerprinted.len() - 4;
    let crc = fingerprint_crc(&refingerprinted[..fp_at - 4]);
    refingerprinted[fp_at..].copy_from_slice(&crc.to_be_bytes());

    vec![
        ("a flipped PRIORITY bit (FINGERPRINT stale)", flipped),
        (
            "a flipped PRIORITY bit (FINGERPRINT recomputed)",
            refingerprinted,
        ),
        (
            "MESSAGE-INTEGRITY made with another password",
            binding_request_signed_with(WRONG_PASSWORD),
        ),
    ]
}

/// FINGERPRINT's value over `prefix` (RFC 8489 §14.7), computed independently of both
/// implementations: a bitwise CRC-32 (IEEE, reflected) XOR 0x5354554E.
fn fingerprint_crc(prefix: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in prefix {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc ^ 0x5354_554e
}
