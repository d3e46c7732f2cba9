//! The TURN case: ChannelData framing of media, what a TURN client does with every
//! relayed packet once a channel is bound (RFC 8656 §12.4).
//!
//! The payload is [`PAYLOAD_LEN`] = 1200 bytes, a typical SRTP packet (an RTP header with
//! a 1188-byte encrypted body and tag, filled deterministically by [`payload`]), on
//! channel [`CHANNEL`]. Over UDP there is no padding, and 1200 is a multiple of four, so
//! the padded and unpadded encodings are the same [`MESSAGE_LEN`] = 1204 bytes: webrtc-rs
//! always pads, ours pads only when asked, and both produce identical bytes here.
//!
//! - wrap: payload slice in, ChannelData message bytes out (ready to hand to the socket);
//! - unwrap: received message bytes in, channel number and payload out.
//!
//! Both sides' outputs are checked equal, and both sides are checked to reject the same
//! malformed messages ([`malformed`]), by [`assert_equivalent`] in the tests and in the
//! bench before it times anything.
//!
//! Known differences in what the two sides accept, outside the checked set:
//! - webrtc-rs accepts channel numbers up to 0x7FFF (RFC 5766's range); ours stops at
//!   0x4FFF (RFC 8656 §12 reserves 0x5000–0x7FFF);
//! - webrtc-rs's `decode` ignores any number of bytes after the data; ours allows at most
//!   three bytes of padding (`Error::BadLength` beyond);
//! - webrtc-rs's `encode` checks neither the channel number nor the payload length (the
//!   length is cast `as u16`); ours refuses an invalid channel and a payload over 65535
//!   bytes (see `tests/turn.rs`).

use rtcam_turn::{CHANNEL_DATA_HEADER_LEN, ChannelData, encode_channel_data};
use webrtc_turn::proto::chandata::ChannelData as PeerChannelData;
use webrtc_turn::proto::channum::ChannelNumber;

/// The bound channel the media flows on.
pub const CHANNEL: u16 = 0x4001;
/// A typical SRTP packet: 12-byte RTP header, 1178 bytes of encrypted media, 10-byte tag.
pub const PAYLOAD_LEN: usize = 1200;
/// ChannelData header plus payload (no padding needed: 1200 is a multiple of four).
pub const MESSAGE_LEN: usize = CHANNEL_DATA_HEADER_LEN + PAYLOAD_LEN;
/// A channel number outside 0x4000–0x4FFF (and outside webrtc-rs's 0x4000–0x7FFF).
pub const BAD_CHANNEL: u16 = 0x3000;

/// The 1200-byte payload: an RTP header (version 2, payload type 96, sequence number,
/// timestamp, SSRC) followed by pseudo-random bytes standing in for ciphertext and tag.
pub fn payload() -> Vec<u8> {
    let mut p = vec![
        0x80, 0x60, 0x1f, 0x40, 0x00, 0x2d, 0x96, 0x10, 0x5e, 0xa1, 0xc0, 0xde,
    ];
    let mut x: u32 = 0x9e37_79b9;
    while p.len() < PAYLOAD_LEN {
        // xorshift32
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p.extend_from_slice(&x.to_be_bytes());
    }
    p.truncate(PAYLOAD_LEN);
    p
}

/// The ChannelData message carrying `payload` on `channel`, laid out by hand
/// (independently of both implementations): channel number, length, data.
pub fn message_for(channel: u16, payload: &[u8]) -> Vec<u8> {
    let len = u16::try_from(payload.len()).expect("payload fits a ChannelData message");
    let mut m = Vec::with_capacity(CHANNEL_DATA_HEADER_LEN + payload.len());
    m.extend_from_slice(&channel.to_be_bytes());
    m.extend_from_slice(&len.to_be_bytes());
    m.extend_from_slice(payload);
    m
}

/// The 1204-byte message both sides must produce from [`payload`] and parse back.
pub fn message() -> Vec<u8> {
    message_for(CHANNEL, &payload())
}

/// rtcam wrap: [`encode_channel_data`] checks the channel number (0x4000–0x4FFF) and the
/// payload length, writes the 4-byte header and copies the payload into `buf`, the
/// caller's transmit buffer, reused from packet to packet (no padding: UDP). One copy of
/// the payload, zero heap allocations. Returns the bytes written: the message is
/// `buf[..n]`.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_wrap(channel: u16, payload: &[u8], buf: &mut [u8]) -> Result<usize, rtcam_turn::Error> {
    encode_channel_data(channel, payload, false, buf)
}

/// rtcam unwrap: [`ChannelData::new_checked`] checks the channel number, that the length
/// field fits the datagram and that at most three bytes of padding follow; `channel` and
/// `payload` then read the header, the payload borrowed from `bytes`. No copy, zero heap
/// allocations.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn ours_unwrap(bytes: &[u8]) -> Result<(u16, &[u8]), rtcam_turn::Error> {
    let cd = ChannelData::new_checked(bytes)?;
    Ok((cd.channel(), cd.payload()))
}

/// webrtc-rs wrap, exactly as its client sends on a bound channel
/// (`RelayConnInternal::send_channel_data` in turn 0.17): a fresh
/// `ChannelData { data: data.to_vec(), number, ..Default::default() }`, then `encode()`,
/// which clears `raw`, writes the header (`resize` to 4 bytes: an allocation), extends
/// `raw` with `data` (a reallocation) and pads to four (nothing to add here). The caller
/// sends `raw` and drops the struct. Two copies of the payload, three heap allocations,
/// two frees. No validation: any channel number is written.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_wrap(channel: u16, payload: &[u8]) -> PeerChannelData {
    let mut cd = PeerChannelData {
        data: payload.to_vec(),
        number: ChannelNumber(channel),
        ..Default::default()
    };
    cd.encode();
    cd
}

/// webrtc-rs wrap at its cheapest (not what its client does): one `ChannelData` kept
/// across packets; `data` is cleared and refilled from the payload, then `encode()`
/// rewrites `raw` in place. Both `Vec`s keep their capacity, so zero heap allocations
/// after the first packet, but still two copies of the payload (into `data`, then into
/// `raw`): `encode` only reads `self.data`. Returns `raw`, the message.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_wrap_reused<'a>(
    cd: &'a mut PeerChannelData,
    channel: u16,
    payload: &[u8],
) -> &'a [u8] {
    cd.data.clear();
    cd.data.extend_from_slice(payload);
    cd.number = ChannelNumber(channel);
    cd.encode();
    &cd.raw
}

/// webrtc-rs unwrap, exactly as its client handles a datagram from the server
/// (`ClientInternal::handle_inbound` and `handle_channel_data` in turn 0.17):
/// `ChannelData::is_channel_data(data)` picks the ChannelData branch (anything else from
/// the server that is not STUN is `ErrNonStunmessage`, which we return here), then a fresh
/// `ChannelData { raw: data.to_vec(), ..Default::default() }` and `decode()`, which
/// checks the channel number (0x4000–0x7FFF) and the length and copies the payload into
/// `data` with `to_vec`. Two copies of the payload, two heap allocations (and their frees
/// when the caller drops the struct). The caller reads `number.0` and `data`.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_unwrap(bytes: &[u8]) -> Result<PeerChannelData, webrtc_turn::Error> {
    if !PeerChannelData::is_channel_data(bytes) {
        return Err(webrtc_turn::Error::ErrNonStunmessage);
    }
    let mut cd = PeerChannelData {
        raw: bytes.to_vec(),
        ..Default::default()
    };
    cd.decode()?;
    Ok(cd)
}

/// webrtc-rs unwrap at its cheapest (not what its client does): the same checks with one
/// `ChannelData` kept across datagrams, `raw` cleared and refilled from the datagram, then
/// `decode()`. `raw` keeps its capacity, but `decode` always assigns a fresh
/// `to_vec()` of the payload to `data` (freeing the previous one): still two copies, one
/// heap allocation and one free per datagram.
#[inline(never)] // one real call per operation on every side; visible to profilers
pub fn webrtc_rs_unwrap_reused<'a>(
    cd: &'a mut PeerChannelData,
    bytes: &[u8],
) -> Result<(u16, &'a [u8]), webrtc_turn::Error> {
    if !PeerChannelData::is_channel_data(bytes) {
        return Err(webrtc_turn::Error::ErrNonStunmessage);
    }
    cd.raw.clear();
    cd.raw.extend_from_slice(bytes);
    cd.decode()?;
    Ok((cd.number.0, &cd.data))
}

/// Asserts that both sides wrap `payload` on [`CHANNEL`] into exactly `message`, unwrap
/// `message` into ([`CHANNEL`], `payload`), and reject every [`malformed`] copy of it, so
/// a bench can never be timing an error path or a different result. Panics otherwise.
pub fn assert_equivalent(payload: &[u8], message: &[u8]) {
    assert_eq!(
        message,
        message_for(CHANNEL, payload),
        "fixture: message is not payload framed on CHANNEL"
    );

    // Wrap.
    let mut buf = vec![0u8; MESSAGE_LEN + 64];
    let n = ours_wrap(CHANNEL, payload, &mut buf).expect("rtcam wraps the payload");
    assert_eq!(&buf[..n], message, "rtcam wrap");
    assert_eq!(
        webrtc_rs_wrap(CHANNEL, payload).raw,
        message,
        "webrtc-rs wrap"
    );
    let mut reused = PeerChannelData::default();
    for round in 0..2 {
        assert_eq!(
            webrtc_rs_wrap_reused(&mut reused, CHANNEL, payload),
            message,
            "webrtc-rs wrap (reused), round {round}"
        );
    }
    assert!(
        ours_wrap(BAD_CHANNEL, payload, &mut buf).is_err(),
        "rtcam wrapped on channel {BAD_CHANNEL:#06x}"
    );

    // Unwrap.
    let ours = ours_unwrap(message).expect("rtcam unwraps the message");
    assert_eq!(ours, (CHANNEL, payload), "rtcam unwrap");
    let theirs = webrtc_rs_unwrap(message).expect("webrtc-rs unwraps the message");
    assert_eq!(
        (theirs.number.0, theirs.data.as_slice()),
        ours,
        "webrtc-rs unwrap"
    );
    let mut reused = PeerChannelData::default();
    for round in 0..2 {
        assert_eq!(
            webrtc_rs_unwrap_reused(&mut reused, message).expect("webrtc-rs (reused) unwraps"),
            ours,
            "webrtc-rs unwrap (reused), round {round}"
        );
    }

    for (what, bad) in malformed(message) {
        assert!(ours_unwrap(&bad).is_err(), "rtcam accepted {what}");
        assert!(webrtc_rs_unwrap(&bad).is_err(), "webrtc-rs accepted {what}");
        assert!(
            webrtc_rs_unwrap_reused(&mut reused, &bad).is_err(),
            "webrtc-rs (reused) accepted {what}"
        );
    }
}

/// Malformed copies of `message` that every implementation must reject.
pub fn malformed(message: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let mut bad_channel = message.to_vec();
    bad_channel[..2].copy_from_slice(&BAD_CHANNEL.to_be_bytes());
    vec![
        ("channel number 0x3000", bad_channel),
        (
            "a truncated message (length 1200, 1000 bytes of data)",
            message[..CHANNEL_DATA_HEADER_LEN + 1000].to_vec(),
        ),
        (
            "a message truncated inside the header",
            message[..CHANNEL_DATA_HEADER_LEN - 1].to_vec(),
        ),
        ("an empty datagram", Vec::new()),
    ]
}
