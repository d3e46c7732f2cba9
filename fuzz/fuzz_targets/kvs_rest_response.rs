//! KVS control-plane REST bodies (`rtcam_signaling::api`): whatever a service, a proxy
//! or a client sends.
//!
//! Input layout: `[call selector][status hi][status lo][header len][header][body]`.
//!
//! Properties checked (beyond "never panics"):
//! - a response body that parses re-writes to JSON that parses back equal (the client's
//!   view is stable through the local server's writer);
//! - the same for request bodies (the server's reader against the client's writer);
//! - `ServiceError::parse` accepts anything; its name and message re-written with
//!   `ErrorReply` read back as the same status, name and kind;
//! - an identifier the validators accept re-writes to itself.

#![no_main]

use libfuzzer_sys::fuzz_target;
use rtcam_signaling::api::{
    ApiCall, ChannelArn, ErrorReply, Request, Response, SIGNATURE_EXPIRED_PHRASES, ServiceError,
    ServiceErrorKind, validate_channel_name, validate_client_id,
};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let call = ApiCall::ALL[usize::from(selector) % ApiCall::ALL.len()];
    let (status, header, body) = match rest {
        [hi, lo, len, tail @ ..] => {
            let n = usize::from(*len).min(tail.len());
            let (h, b) = tail.split_at(n);
            (
                u16::from_be_bytes([*hi, *lo]),
                core::str::from_utf8(h).ok(),
                b,
            )
        }
        _ => (200, None, rest),
    };

    if let Ok(resp) = Response::parse(call, body) {
        let mut out = String::new();
        resp.write_json(&mut out).expect("String sink");
        let again = Response::parse(call, out.as_bytes())
            .unwrap_or_else(|e| panic!("re-written response {out} does not parse: {e}"));
        assert_eq!(again, resp, "{out}");
    }

    if let Ok(req) = Request::parse(call, body) {
        let mut out = String::new();
        req.write_json(&mut out).expect("String sink");
        let again = Request::parse(call, out.as_bytes())
            .unwrap_or_else(|e| panic!("re-written request {out} does not parse: {e}"));
        assert_eq!(again, req, "{out}");
    }

    let err = ServiceError::parse(status, header, body);
    let _ = err.to_string();
    let mut buf = [0u8; 1024];
    let message = match err.message.map(|m| m.unescape(&mut buf)) {
        None => Some(""),
        Some(Ok(m)) => Some(m),
        Some(Err(_)) => None,
    };
    if let Some(message) = message {
        let reply = ErrorReply {
            status: err.status,
            error_type: err.error_type,
            message_key: "message",
            message,
        };
        let mut out = String::new();
        reply.write_json(&mut out).expect("String sink");
        let again = ServiceError::parse(reply.status, reply.header_value(), out.as_bytes());
        assert_eq!(again.status, err.status);
        assert_eq!(again.error_type, err.error_type, "{out}");
        let mut buf2 = [0u8; 1024];
        assert_eq!(
            again
                .message
                .map(|m| m.unescape(&mut buf2).expect("our escapes")),
            Some(message)
        );
        // Clock skew is also found outside the message (raw body, like the C SDK), and
        // an escaped phrase only appears once decoded: compare the rest.
        let skew = |s: &str| SIGNATURE_EXPIRED_PHRASES.iter().any(|p| s.contains(p));
        if err.kind != ServiceErrorKind::SignatureExpired && !skew(message) {
            assert_eq!(again.kind, err.kind, "{out}");
        }
    }

    if let Ok(s) = core::str::from_utf8(body) {
        if validate_channel_name(s).is_ok() || validate_client_id(s).is_ok() {
            assert!(
                s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
            );
        }
        if let Ok(arn) = ChannelArn::parse(s) {
            assert_eq!(arn.to_string(), s);
        }
    }
});
