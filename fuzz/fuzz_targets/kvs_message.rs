//! KVS signaling WebSocket frames: whatever the service (or anyone between) delivers.
//!
//! Properties checked (beyond "never panics"):
//! - an accepted offer, answer or candidate has a payload within the 10 KB cap, and it
//!   either decodes into a buffer of `MAX_DECODED_PAYLOAD_LEN` or fails with a base64 or
//!   string error (never `BufferTooSmall`);
//! - decoded payloads re-encode into an outgoing message that parses back to the same
//!   bytes;
//! - the same bytes read as an outgoing message (the local server's side) never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_signaling::message::MAX_DECODED_PAYLOAD_LEN;
use rtcam_signaling::{Action, Error, IncomingMessage, MAX_PAYLOAD_LEN, OutgoingMessage};

fuzz_target!(|data: &[u8]| {
    let _ = OutgoingMessage::parse(data);
    let Ok(msg) = IncomingMessage::parse(data) else {
        return;
    };
    let (action, signal) = match msg {
        IncomingMessage::SdpOffer(s) => (Action::SdpOffer, s),
        IncomingMessage::SdpAnswer(s) => (Action::SdpAnswer, s),
        IncomingMessage::IceCandidate(s) => (Action::IceCandidate, s),
        IncomingMessage::StatusResponse(s) => {
            let _ = s.status_code_u16();
            let mut buf = [0u8; 256];
            if let Some(d) = s.description {
                let _ = d.unescape(&mut buf);
            }
            return;
        }
        _ => return,
    };
    let b64_chars = signal.payload.raw().bytes().filter(|&b| b != b'\\').count();
    assert!(b64_chars <= MAX_PAYLOAD_LEN);
    let mut buf = vec![0u8; MAX_DECODED_PAYLOAD_LEN];
    let decoded = match signal.payload.decode(&mut buf) {
        Ok(d) => d,
        Err(Error::InvalidBase64 | Error::InvalidString) => return,
        Err(e) => panic!("decode into a full-size buffer failed: {e}"),
    };
    let _ = signal.payload.decode(&mut [0u8; 16]);
    let out_msg = OutgoingMessage {
        action,
        recipient_client_id: signal.sender_client_id.map(|s| s.raw()),
        payload: decoded,
        correlation_id: None,
    };
    let mut out = vec![0u8; MAX_PAYLOAD_LEN + 1024];
    let n = match out_msg.write(&mut out) {
        Ok(n) => n,
        // Lenient decoding (no padding) can make a payload that re-encodes 2 bytes longer.
        Err(Error::PayloadTooLarge { .. } | Error::BufferTooSmall) => return,
        Err(e) => panic!("{e}"),
    };
    let sent = OutgoingMessage::parse(&out[..n]).expect("our own message parses");
    assert_eq!(sent.action, action);
    let mut again = vec![0u8; MAX_DECODED_PAYLOAD_LEN];
    assert_eq!(
        sent.payload.decode(&mut again).expect("our own base64"),
        decoded
    );
});
