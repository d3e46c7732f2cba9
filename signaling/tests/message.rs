//! The signaling WebSocket JSON: each incoming type exactly as KVS sends it, outgoing
//! messages round-tripped, and every malformed input refused with its own error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rtcam_signaling::message::{MAX_DECODED_PAYLOAD_LEN, SentMessage};
use rtcam_signaling::{
    Action, Error, IncomingMessage, MAX_PAYLOAD_LEN, MessageType, OutgoingMessage,
};

const OFFER_JSON: &str =
    r#"{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"}"#;
const CANDIDATE_JSON: &str = r#"{"candidate":"candidate:1 1 udp 2122260223 192.168.1.2 50000 typ host","sdpMid":"0","sdpMLineIndex":0}"#;

fn decode<'b>(m: &IncomingMessage<'_>, buf: &'b mut [u8]) -> &'b str {
    match m {
        IncomingMessage::SdpOffer(s)
        | IncomingMessage::SdpAnswer(s)
        | IncomingMessage::IceCandidate(s) => s.payload.decode_str(buf).unwrap(),
        other => panic!("no payload in {other:?}"),
    }
}

#[test]
fn incoming_types_as_the_service_sends_them() {
    let b64 = STANDARD.encode(OFFER_JSON);
    let mut buf = [0u8; MAX_DECODED_PAYLOAD_LEN];

    let offer = format!(
        r#"{{"senderClientId":"viewer-1","messageType":"SDP_OFFER","messagePayload":"{b64}"}}"#
    );
    let m = IncomingMessage::parse(offer.as_bytes()).unwrap();
    assert_eq!(m.message_type(), MessageType::SdpOffer);
    let IncomingMessage::SdpOffer(s) = m else {
        panic!()
    };
    assert_eq!(s.sender_client_id.unwrap().raw(), "viewer-1");
    assert_eq!(decode(&m, &mut buf), OFFER_JSON);

    let answer =
        format!(r#"{{"senderClientId":"","messageType":"SDP_ANSWER","messagePayload":"{b64}"}}"#);
    let m = IncomingMessage::parse(answer.as_bytes()).unwrap();
    assert_eq!(m.message_type(), MessageType::SdpAnswer);

    // From a storage session: no senderClientId.
    let cand = STANDARD.encode(CANDIDATE_JSON);
    let ice = format!(r#"{{"messageType":"ICE_CANDIDATE","messagePayload":"{cand}"}}"#);
    let m = IncomingMessage::parse(ice.as_bytes()).unwrap();
    let IncomingMessage::IceCandidate(s) = m else {
        panic!()
    };
    assert_eq!(s.sender_client_id, None);
    assert_eq!(decode(&m, &mut buf), CANDIDATE_JSON);

    assert_eq!(
        IncomingMessage::parse(br#"{"messageType":"GO_AWAY"}"#).unwrap(),
        IncomingMessage::GoAway
    );
    assert_eq!(
        IncomingMessage::parse(
            br#"{"senderClientId":"","messageType":"RECONNECT_ICE_SERVER","messagePayload":""}"#
        )
        .unwrap(),
        IncomingMessage::ReconnectIceServer
    );

    let status = br#"{"senderClientId":"","messageType":"STATUS_RESPONSE","messagePayload":"","statusResponse":{"correlationId":"1700000000123","errorType":"InvalidArgumentException","statusCode":"400","description":"Message payload \"too\" large"}}"#;
    let IncomingMessage::StatusResponse(s) = IncomingMessage::parse(status).unwrap() else {
        panic!()
    };
    assert_eq!(s.correlation_id.unwrap().raw(), "1700000000123");
    assert_eq!(s.error_type.unwrap().raw(), "InvalidArgumentException");
    assert_eq!(s.status_code_u16(), Some(400));
    let mut text = [0u8; 64];
    assert_eq!(
        s.description.unwrap().unescape(&mut text).unwrap(),
        "Message payload \"too\" large"
    );
}

#[test]
fn tolerant_of_whitespace_unknown_fields_escapes_and_padding() {
    let b64 = STANDARD.encode(OFFER_JSON);
    let escaped = b64.replace('/', "\\/");
    let unpadded = b64.trim_end_matches('=');
    let mut buf = [0u8; 1024];
    for payload in [b64.as_str(), escaped.as_str(), unpadded] {
        let json = format!(
            "{{ \"future\": {{\"x\": [1, 2, {{}}]}}, \"messageType\" : \"SDP_OFFER\",\n \"messagePayload\": \"{payload}\", \"senderClientId\": null }}"
        );
        let m = IncomingMessage::parse(json.as_bytes()).unwrap();
        assert_eq!(decode(&m, &mut buf), OFFER_JSON, "{payload}");
    }
}

#[test]
fn outgoing_exact_json_and_round_trip() {
    let mut out = [0u8; 2048];
    let msg = OutgoingMessage {
        action: Action::SdpAnswer,
        recipient_client_id: Some("viewer-1"),
        payload: OFFER_JSON.as_bytes(),
        correlation_id: Some("1700000000123"),
    };
    let n = msg.write(&mut out).unwrap();
    let text = std::str::from_utf8(&out[..n]).unwrap();
    assert_eq!(
        text,
        format!(
            r#"{{"action":"SDP_ANSWER","RecipientClientId":"viewer-1","MessagePayload":"{}","CorrelationId":"1700000000123"}}"#,
            STANDARD.encode(OFFER_JSON)
        )
    );
    // serde_json agrees it is JSON with those fields.
    let v: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(v["action"], "SDP_ANSWER");

    // The server reads it back; relayed as the service does, the peer decodes it.
    let SentMessage {
        action,
        recipient_client_id,
        payload,
        correlation_id,
    } = OutgoingMessage::parse(text.as_bytes()).unwrap();
    assert_eq!(action, Action::SdpAnswer);
    assert_eq!(recipient_client_id.unwrap().raw(), "viewer-1");
    assert_eq!(correlation_id.unwrap().raw(), "1700000000123");
    let relayed = format!(
        r#"{{"senderClientId":"master","messageType":"{}","messagePayload":"{}"}}"#,
        action.as_str(),
        payload.raw()
    );
    let mut buf = [0u8; 1024];
    let m = IncomingMessage::parse(relayed.as_bytes()).unwrap();
    assert_eq!(decode(&m, &mut buf), OFFER_JSON);

    // A viewer's candidate: no recipient, no correlation id.
    let msg = OutgoingMessage {
        action: Action::IceCandidate,
        recipient_client_id: None,
        payload: CANDIDATE_JSON.as_bytes(),
        correlation_id: None,
    };
    let n = msg.write(&mut out).unwrap();
    assert_eq!(
        std::str::from_utf8(&out[..n]).unwrap(),
        format!(
            r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}"}}"#,
            STANDARD.encode(CANDIDATE_JSON)
        )
    );
    // Ids with JSON specials are escaped, never break the frame.
    let msg = OutgoingMessage {
        action: Action::SdpOffer,
        recipient_client_id: Some("a\"b\\c\n"),
        payload: b"{}",
        correlation_id: None,
    };
    let n = msg.write(&mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out[..n]).unwrap();
    assert_eq!(v["RecipientClientId"], "a\"b\\c\n");
}

#[test]
fn payload_cap_both_ways() {
    let mut out = vec![0u8; 16 * 1024];
    // 7680 bytes → exactly 10240 base64 characters: allowed.
    let max = vec![b'x'; MAX_DECODED_PAYLOAD_LEN];
    let msg = OutgoingMessage {
        action: Action::SdpOffer,
        recipient_client_id: None,
        payload: &max,
        correlation_id: None,
    };
    let n = msg.write(&mut out).unwrap();
    let sent = OutgoingMessage::parse(&out[..n]).unwrap();
    assert_eq!(sent.payload.raw().len(), MAX_PAYLOAD_LEN);
    let mut dec = [0u8; MAX_DECODED_PAYLOAD_LEN];
    assert_eq!(sent.payload.decode(&mut dec).unwrap(), &max[..]);
    // One byte more: refused with a clear error.
    let over = vec![b'x'; MAX_DECODED_PAYLOAD_LEN + 1];
    let msg = OutgoingMessage {
        payload: &over,
        ..msg
    };
    let err = msg.write(&mut out).unwrap_err();
    assert_eq!(
        err,
        Error::PayloadTooLarge {
            len: 10244,
            max: MAX_PAYLOAD_LEN
        }
    );
    assert_eq!(
        err.to_string(),
        "signaling payload of 10244 base64 bytes exceeds the 10240-byte limit"
    );
    let json = format!(
        r#"{{"messageType":"SDP_OFFER","messagePayload":"{}"}}"#,
        STANDARD.encode(&over)
    );
    assert!(matches!(
        IncomingMessage::parse(json.as_bytes()),
        Err(Error::PayloadTooLarge { len: 10244, .. })
    ));
}

#[test]
fn malformed_input_is_refused_with_its_own_error() {
    let cases: &[(&[u8], Error)] = &[
        (b"", Error::Json),
        (b"not json", Error::Json),
        (
            br#"{"messageType":"SDP_OFFER","messagePayload":"QQ=="#,
            Error::Json,
        ),
        (br#"["SDP_OFFER"]"#, Error::Json),
        (br#"{"messageType":42}"#, Error::Json),
        (
            br#"{"messagePayload":"QQ=="}"#,
            Error::MissingField("messageType"),
        ),
        (
            br#"{"messageType":"SDP_PRANSWER","messagePayload":"QQ=="}"#,
            Error::UnknownMessageType,
        ),
        (
            br#"{"messageType":"sdp_offer","messagePayload":"QQ=="}"#,
            Error::UnknownMessageType,
        ),
        (
            br#"{"messageType":"SDP_OFFER"}"#,
            Error::MissingField("messagePayload"),
        ),
        (
            br#"{"messageType":"STATUS_RESPONSE"}"#,
            Error::MissingField("statusResponse"),
        ),
        (
            b"{\"x\":[[[[[[[[[[1]]]]]]]]]],\"messageType\":\"GO_AWAY\"}",
            Error::JsonTooDeep,
        ),
    ];
    for (input, want) in cases {
        assert_eq!(
            IncomingMessage::parse(input),
            Err(*want),
            "{}",
            String::from_utf8_lossy(input)
        );
    }
    let mut buf = [0u8; 64];
    for bad in ["Q", "QQ=Q", "Q!==", "QQ==QQ==", "\\u0041", "\\n"] {
        let json = format!(r#"{{"messageType":"SDP_OFFER","messagePayload":"{bad}"}}"#);
        let IncomingMessage::SdpOffer(s) = IncomingMessage::parse(json.as_bytes()).unwrap() else {
            panic!()
        };
        let got = s.payload.decode(&mut buf);
        assert!(
            matches!(got, Err(Error::InvalidBase64 | Error::InvalidString)),
            "{bad}: {got:?}"
        );
    }
    // A buffer too small for the decoded payload.
    let json = format!(
        r#"{{"messageType":"SDP_OFFER","messagePayload":"{}"}}"#,
        STANDARD.encode(OFFER_JSON)
    );
    let IncomingMessage::SdpOffer(s) = IncomingMessage::parse(json.as_bytes()).unwrap() else {
        panic!()
    };
    assert_eq!(s.payload.decode(&mut buf[..10]), Err(Error::BufferTooSmall));
    // Outgoing into a too-small buffer, at every length.
    let msg = OutgoingMessage {
        action: Action::SdpOffer,
        recipient_client_id: Some("v"),
        payload: OFFER_JSON.as_bytes(),
        correlation_id: Some("c"),
    };
    let mut big = [0u8; 1024];
    let n = msg.write(&mut big).unwrap();
    for len in 0..n {
        assert_eq!(
            msg.write(&mut big[..len]),
            Err(Error::BufferTooSmall),
            "{len}"
        );
    }
}
