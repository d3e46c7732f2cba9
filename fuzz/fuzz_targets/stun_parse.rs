//! Arbitrary bytes into the STUN parser: `is_stun`, `frame_len`, the checked `Message`
//! view, every attribute decoder, `Repr::parse_bytes`, `Repr::verify`, and the
//! emit → re-parse round trip.
//!
//! Built by cargo-fuzz with `--cfg fuzzing`, under which rtcam-stun skips the FINGERPRINT
//! CRC comparison so mutated messages get past it to the attribute code behind.
//!
//! Properties checked (beyond "never panics"):
//! - `is_stun`, `frame_len` and `Message::new_checked` agree with each other;
//! - the checked view's attribute iterator covers the whole body, inside the buffer;
//! - every attribute that decodes encodes again, and decodes to the same value;
//! - whatever `Repr::parse_bytes` accepts, `Repr::emit` writes (when the output buffer is
//!   big enough: the emitted message is never longer than the input plus the seal), into
//!   an exactly sized buffer and not into one byte less, and re-parsing it gives the same
//!   class, method, transaction id and attributes, byte-identically on a second emit;
//! - a message sealed with MESSAGE-INTEGRITY(-SHA256) by `emit` verifies with its key;
//! - the lazy view (`Message::get`, `verify`, `check_fingerprint`) agrees with `Repr`.

#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use rtcam_stun::{
    ATTR_HEADER_LEN, Attribute, Error, HEADER_LEN, Key, MacAlgorithm, Message, PasswordAlgorithm,
    RawAttribute, Repr, Seal, frame_len, is_stun,
};

/// Output buffer for the round trip: a typical MTU-sized datagram buffer.
const OUT_LEN: usize = 2048;
/// FINGERPRINT attribute on the wire.
const FINGERPRINT_LEN: usize = ATTR_HEADER_LEN + 4;
/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT on the wire.
const FULL_SEAL_LEN: usize = ATTR_HEADER_LEN + 20 + ATTR_HEADER_LEN + 32 + FINGERPRINT_LEN;

/// The RFC 5769 short-term password and a long-term MD5 key.
static KEYS: LazyLock<(Key<'static>, Key<'static>)> = LazyLock::new(|| {
    (
        Key::short_term("VOkJxbRl1RmTxUk/WvJxBt").expect("short-term key"),
        Key::long_term(PasswordAlgorithm::Md5, "user", "realm", "pass").expect("long-term key"),
    )
});

fuzz_target!(|data: &[u8]| check(data));

fn pad4(n: usize) -> usize {
    (n + 3) & !3
}

fn check(data: &[u8]) {
    let checked = Message::new_checked(data);

    // Demultiplexing and stream framing agree with the full check.
    assert_eq!(is_stun(data), checked.is_ok());
    match frame_len(data) {
        Ok(None) => assert!(data.len() < HEADER_LEN),
        Ok(Some(n)) => {
            assert!(data.len() >= HEADER_LEN);
            assert!((HEADER_LEN..=HEADER_LEN + usize::from(u16::MAX)).contains(&n));
            if checked.is_ok() {
                assert_eq!(n, data.len());
            }
            // A stream reader cuts the frame out and checks it.
            if let Some(frame) = data.get(..n) {
                let _ = Repr::parse_bytes(frame);
            }
        }
        Err(_) => assert!(checked.is_err()),
    }

    if let Ok(msg) = &checked {
        view(msg, data);
    }

    let Ok(repr) = Repr::parse_bytes(data) else {
        return;
    };
    assert!(checked.is_ok(), "Repr accepted what Message rejected");

    let (short, long) = &*KEYS;
    let msg = checked.as_ref().expect("checked above");
    for key in [short, long] {
        let verified = repr.verify(key);
        if !repr.has_integrity() {
            assert_eq!(verified, Err(Error::NoIntegrity));
        }
        // The lazy view and the eager Repr authenticate identically.
        assert_eq!(msg.verify(key), verified);
    }
    lazy_agrees_with_eager(msg, &repr);

    round_trip(&repr, data.len());
    sealed_round_trip(&repr, data.len(), Seal::sha1(short), short);
    let both = Seal {
        integrity: Some((long, MacAlgorithm::Both)),
        fingerprint: true,
    };
    sealed_round_trip(&repr, data.len(), both, long);
}

/// The checked view: accessors, the raw attribute walk, and each attribute's codec.
fn view(msg: &Message<&[u8]>, data: &[u8]) {
    assert_eq!(msg.as_bytes().len(), data.len());
    assert_eq!(HEADER_LEN + msg.body_len(), data.len());
    let tid = msg.transaction_id();
    let _ = (msg.method(), msg.class());
    let mut end = HEADER_LEN;
    for raw in msg.attributes() {
        assert_eq!(raw.offset, end, "attributes are contiguous");
        end = raw.offset + ATTR_HEADER_LEN + pad4(raw.value.len());
        assert!(
            end <= data.len(),
            "attribute past the end of a checked message"
        );
        let Ok(attr) = Attribute::decode(raw, &tid) else {
            continue;
        };
        assert_eq!(attr.kind(), raw.kind);
        // Re-encoding never needs more room than the received value (extra slack kept so
        // that this checks the codec, not the sizes).
        let mut out = vec![0u8; raw.value.len() + 64];
        let n = attr
            .encode_value(&tid, &mut out)
            .unwrap_or_else(|e| panic!("{attr:?} decoded but does not encode: {e:?}"));
        let again = RawAttribute {
            kind: raw.kind,
            value: &out[..n],
            offset: raw.offset,
        };
        assert_eq!(
            Attribute::decode(again, &tid),
            Ok(attr),
            "attribute codec round trip"
        );
    }
    assert_eq!(end, data.len(), "the attribute walk covers the whole body");
}

/// `Message::get` (decode one attribute on demand) sees exactly what `Repr::parse`
/// decoded: the first occurrence, nothing after MESSAGE-INTEGRITY.
fn lazy_agrees_with_eager(msg: &Message<&[u8]>, repr: &Repr<'_>) {
    use rtcam_stun::kind;
    let a = &repr.attributes;
    let get = |k| {
        msg.get(k)
            .map(|r| r.expect("Repr decoded every processed attribute"))
    };
    assert_eq!(msg.has_fingerprint(), repr.has_fingerprint());
    assert_eq!(msg.has_integrity(), repr.has_integrity());
    if repr.has_fingerprint() {
        assert_eq!(msg.check_fingerprint(), Ok(()));
    }
    assert_eq!(get(kind::USERNAME), a.username.map(Attribute::Username));
    assert_eq!(get(kind::REALM), a.realm.map(Attribute::Realm));
    assert_eq!(get(kind::NONCE), a.nonce.map(Attribute::Nonce));
    assert_eq!(get(kind::PRIORITY), a.priority.map(Attribute::Priority));
    assert_eq!(
        get(kind::ICE_CONTROLLING),
        a.ice_controlling.map(Attribute::IceControlling)
    );
    assert_eq!(
        get(kind::ICE_CONTROLLED),
        a.ice_controlled.map(Attribute::IceControlled)
    );
    assert_eq!(get(kind::USE_CANDIDATE).is_some(), a.use_candidate);
    assert_eq!(
        get(kind::XOR_MAPPED_ADDRESS),
        a.xor_mapped_address.map(Attribute::XorMappedAddress)
    );
    assert_eq!(
        get(kind::ERROR_CODE),
        a.error_code.map(Attribute::ErrorCode)
    );
    assert_eq!(get(kind::LIFETIME), a.lifetime.map(Attribute::Lifetime));
    assert_eq!(
        get(kind::XOR_PEER_ADDRESS),
        a.xor_peer_address.map(Attribute::XorPeerAddress)
    );
    assert_eq!(get(kind::DATA), a.data.map(Attribute::Data));
    assert_eq!(
        get(kind::XOR_RELAYED_ADDRESS),
        a.xor_relayed_addresses
            .first()
            .copied()
            .map(Attribute::XorRelayedAddress)
    );
}

/// `emit` with FINGERPRINT only, then parse the result back.
fn round_trip(repr: &Repr<'_>, in_len: usize) {
    let mut buf = [0u8; OUT_LEN];
    let n = match repr.emit(&mut buf, Seal::FINGERPRINT) {
        Ok(n) => n,
        // The emitted message is at most the input's attributes plus FINGERPRINT.
        Err(Error::BufferTooSmall | Error::ValueOutOfRange)
            if in_len + FINGERPRINT_LEN > OUT_LEN =>
        {
            return;
        }
        Err(e) => panic!("parsed message does not emit: {e:?}\n{repr:?}"),
    };
    assert!(
        n <= in_len + FINGERPRINT_LEN,
        "emit grew the message: {in_len} -> {n}"
    );
    let out = &buf[..n];
    assert!(is_stun(out));
    assert_eq!(frame_len(out), Ok(Some(n)));

    let again = Repr::parse_bytes(out)
        .unwrap_or_else(|e| panic!("emitted message does not parse: {e:?}\n{repr:?}"));
    same(repr, &again);
    assert!(again.has_fingerprint());
    assert!(!again.has_integrity());
    assert!(
        !again.has_unknown_required(),
        "emit wrote an unknown attribute"
    );

    // Emitting is deterministic, and exactly sized.
    let mut exact = vec![0u8; n];
    assert_eq!(again.emit(&mut exact, Seal::FINGERPRINT), Ok(n));
    assert_eq!(&exact[..], out, "second emit differs");
    assert_eq!(
        repr.emit(&mut exact[..n - 1], Seal::FINGERPRINT),
        Err(Error::BufferTooSmall)
    );
}

/// `emit` with integrity: the receiver's side must verify with the same key.
fn sealed_round_trip(repr: &Repr<'_>, in_len: usize, seal: Seal<'_>, key: &Key<'_>) {
    let mut buf = [0u8; OUT_LEN];
    let n = match repr.emit(&mut buf, seal) {
        Ok(n) => n,
        Err(Error::BufferTooSmall | Error::ValueOutOfRange) if in_len + FULL_SEAL_LEN > OUT_LEN => {
            return;
        }
        Err(e) => panic!("parsed message does not emit sealed: {e:?}\n{repr:?}"),
    };
    let again = Repr::parse_bytes(&buf[..n])
        .unwrap_or_else(|e| panic!("sealed message does not parse: {e:?}\n{repr:?}"));
    same(repr, &again);
    assert!(again.has_integrity());
    assert_eq!(
        again.verify(key),
        Ok(()),
        "emitted integrity does not verify"
    );
}

fn same(a: &Repr<'_>, b: &Repr<'_>) {
    assert_eq!(a.class, b.class);
    assert_eq!(a.method, b.method);
    assert_eq!(a.transaction_id, b.transaction_id);
    assert_eq!(
        a.attributes, b.attributes,
        "attributes changed in the round trip"
    );
}
