//! The server's pure request layer: SigV4 verification against our own signer (header
//! and presigned forms, any signed-header set), the 5-minute window, the HTTP head
//! reader and the client-message reader. No sockets.

#![cfg(feature = "std")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_signaling::server::AccessKey;
use rtcam_signaling::server::request::{
    HttpHead, RawRequest, authenticate_presigned, authenticate_rest, check_rest,
    parse_client_message,
};
use rtcam_signaling::{
    AuthorizationHeader, CanonicalRequest, Credentials, RestRequest, Scope, SigningKey, UtcTime,
    WssConnect, sign_kvs_post, verify_signature, write_authorization, write_presigned_wss_url,
};

const T: u64 = 1_700_000_000;
const REGION: &str = "us-west-2";
const HOST: &str = "127.0.0.1:4433";

fn keys() -> Vec<AccessKey> {
    vec![
        AccessKey {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        },
        AccessKey {
            access_key_id: "ASIATEMP".into(),
            secret_access_key: "temp-secret".into(),
            session_token: Some("IQoJb3JpZ2luX2VjE//////////+abc/def=".into()),
        },
    ]
}

fn creds(i: usize) -> (String, String, Option<String>) {
    let k = &keys()[i];
    (
        k.access_key_id.clone(),
        k.secret_access_key.clone(),
        k.session_token.clone(),
    )
}

/// Headers of a POST signed by `sign_kvs_post` (what the C SDK and our client send).
fn signed_post(i: usize, path: &str, body: &str, at: u64) -> Vec<(String, String)> {
    let (id, secret, token) = creds(i);
    let c = Credentials {
        access_key_id: &id,
        secret_access_key: &secret,
        session_token: token.as_deref(),
    };
    let time = UtcTime::from_unix_seconds(at).unwrap();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(&secret, time, scope);
    let mut auth = String::new();
    let amz = sign_kvs_post(
        &c,
        &key,
        time,
        scope,
        &RestRequest {
            host: HOST,
            path,
            body: body.as_bytes(),
            content_type: Some("application/json"),
        },
        &mut auth,
    )
    .unwrap();
    let mut h = vec![
        ("Host".to_string(), HOST.to_string()),
        ("Content-Type".into(), "application/json".into()),
        ("X-Amz-Date".into(), amz.as_str().to_string()),
        ("Authorization".into(), auth),
        ("User-Agent".into(), "unsigned/1.0".into()),
    ];
    if let Some(t) = token {
        h.push(("x-amz-security-token".into(), t));
    }
    h
}

fn head<'a>(method: &'a str, target: &'a str, h: &'a [(&'a str, &'a str)]) -> HttpHead<'a> {
    HttpHead {
        method,
        target,
        headers: h,
    }
}

fn refs(h: &[(String, String)]) -> Vec<(&str, &str)> {
    h.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect()
}

#[test]
fn header_signed_round_trip_and_refusals() {
    let body = r#"{"ChannelName":"cam"}"#;
    let path = "/describeSignalingChannel";
    for i in [0, 1] {
        let h = signed_post(i, path, body, T);
        let r = refs(&h);
        let hd = head("POST", path, &r);
        assert!(authenticate_rest(&hd, body.as_bytes(), &keys(), REGION, T).is_ok());
        // Within the window either way.
        assert!(authenticate_rest(&hd, body.as_bytes(), &keys(), REGION, T + 299).is_ok());
        assert!(authenticate_rest(&hd, body.as_bytes(), &keys(), REGION, T - 299).is_ok());
        let e = authenticate_rest(&hd, body.as_bytes(), &keys(), REGION, T + 600).unwrap_err();
        assert_eq!((e.status, e.error_type), (403, "InvalidSignatureException"));
        assert!(
            e.message
                .starts_with("Signature expired: 20231114T221320Z is now earlier than"),
            "{e}"
        );
        let e = authenticate_rest(&hd, body.as_bytes(), &keys(), REGION, T - 600).unwrap_err();
        assert!(e.message.starts_with("Signature not yet current:"), "{e}");
        // Body, region, path tampering.
        let e = authenticate_rest(&hd, b"{}", &keys(), REGION, T).unwrap_err();
        assert_eq!(e.status, 403);
        let e = authenticate_rest(&hd, body.as_bytes(), &keys(), "eu-west-1", T).unwrap_err();
        assert_eq!(e.status, 403);
        let hd2 = head("POST", "/createSignalingChannel", &r);
        assert!(authenticate_rest(&hd2, body.as_bytes(), &keys(), REGION, T).is_err());
    }
    // Session token missing / wrong / unexpected.
    let h = signed_post(1, path, body, T);
    let without: Vec<_> = h
        .iter()
        .filter(|(n, _)| n != "x-amz-security-token")
        .cloned()
        .collect();
    let r = refs(&without);
    let e = authenticate_rest(&head("POST", path, &r), body.as_bytes(), &keys(), REGION, T)
        .unwrap_err();
    assert_eq!(e.error_type, "UnrecognizedClientException");
    // Unknown key.
    let mut k = keys();
    k.remove(0);
    let h = signed_post(0, path, body, T);
    let r = refs(&h);
    let e = authenticate_rest(&head("POST", path, &r), body.as_bytes(), &k, REGION, T).unwrap_err();
    assert_eq!(
        (e.status, e.error_type),
        (403, "UnrecognizedClientException")
    );
    // No Authorization; malformed Authorization.
    let r = [("host", HOST)];
    let e = authenticate_rest(&head("POST", path, &r), b"", &keys(), REGION, T).unwrap_err();
    assert_eq!(e.error_type, "MissingAuthenticationTokenException");
    let r = [
        ("host", HOST),
        ("authorization", "AWS4-HMAC-SHA256 Credential=x"),
        ("x-amz-date", "20231114T221320Z"),
    ];
    let e = authenticate_rest(&head("POST", path, &r), b"", &keys(), REGION, T).unwrap_err();
    assert_eq!(
        (e.status, e.error_type),
        (400, "IncompleteSignatureException")
    );
}

/// The AWS SDK for JavaScript v3 signs many more headers (E's findings); the verifier
/// follows whatever `SignedHeaders` lists.
#[test]
fn arbitrary_signed_header_sets() {
    let (id, secret, _) = creds(0);
    let c = Credentials {
        access_key_id: &id,
        secret_access_key: &secret,
        session_token: None,
    };
    let body = r#"{"ChannelName":"cam","ChannelType":"SINGLE_MASTER"}"#;
    let time = UtcTime::from_unix_seconds(T).unwrap();
    let amz = time.amz_date();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(&secret, time, scope);
    let hash = rtcam_signaling::payload_sha256_hex(body.as_bytes());
    let len = body.len().to_string();
    let signed = [
        ("amz-sdk-invocation-id", "5f2b"),
        ("amz-sdk-request", "attempt=1; max=3"),
        ("content-length", len.as_str()),
        ("content-type", "application/json"),
        ("host", HOST),
        ("x-amz-content-sha256", hash.as_str()),
        ("x-amz-date", amz.as_str()),
        ("x-amz-user-agent", "aws-sdk-js/3"),
    ];
    let creq = CanonicalRequest {
        method: "POST",
        path: "/createSignalingChannel",
        query: &[],
        headers: &signed,
        payload_sha256: hash.as_str(),
    };
    let mut auth = String::new();
    write_authorization(&c, &key, time, scope, &creq, &mut auth).unwrap();
    let parsed = AuthorizationHeader::parse(&auth).unwrap();
    assert_eq!(parsed.credential.access_key_id, "AKIDEXAMPLE");
    assert!(verify_signature(&key, time, scope, &creq, parsed.signature).unwrap());
    assert!(!verify_signature(&key, time, scope, &creq, &"0".repeat(64)).unwrap());
    assert!(!verify_signature(&key, time, scope, &creq, "short").unwrap());

    let mut all: Vec<(&str, &str)> = signed.to_vec();
    all.push(("authorization", &auth));
    all.push(("user-agent", "not signed"));
    let hd = head("POST", "/createSignalingChannel", &all);
    let req = check_rest(&hd, body.as_bytes(), &keys(), REGION, T).unwrap();
    assert!(matches!(
        req,
        rtcam_signaling::api::Request::CreateSignalingChannel(_)
    ));
    // A signed header that does not arrive breaks the signature.
    let missing: Vec<_> = all
        .iter()
        .filter(|(n, _)| *n != "amz-sdk-request")
        .copied()
        .collect();
    let hd = head("POST", "/createSignalingChannel", &missing);
    assert_eq!(
        check_rest(&hd, body.as_bytes(), &keys(), REGION, T)
            .unwrap_err()
            .status,
        403
    );
}

#[test]
fn presigned_websocket_round_trip() {
    for (i, client) in [(0, None), (0, Some("viewer-1")), (1, Some("v2"))] {
        let (id, secret, token) = creds(i);
        let c = Credentials {
            access_key_id: &id,
            secret_access_key: &secret,
            session_token: token.as_deref(),
        };
        let time = UtcTime::from_unix_seconds(T).unwrap();
        let scope = Scope::kvs(REGION);
        let key = SigningKey::derive(&secret, time, scope);
        let arn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam/1700000000000";
        let mut url = String::new();
        write_presigned_wss_url(
            &c,
            &key,
            time,
            scope,
            &WssConnect {
                host: HOST,
                channel_arn: arn,
                client_id: client,
                expires_secs: 300,
            },
            &mut url,
        )
        .unwrap();
        let target = url
            .strip_prefix(&format!("wss://{HOST}"))
            .unwrap()
            .to_string();
        let h = [("Host", HOST), ("Upgrade", "websocket")];
        let hd = head("GET", &target, &h);
        let p = authenticate_presigned(&hd, &keys(), REGION, T + 10).unwrap();
        assert_eq!(p.channel_arn, arn);
        assert_eq!(p.client_id.as_deref(), client);
        assert_eq!(p.auth.key_index, i);
        let e = authenticate_presigned(&hd, &keys(), REGION, T + 301).unwrap_err();
        assert!(e.message.starts_with("Signature expired"), "{e}");
        let other_host = [("Host", "127.0.0.1:9")];
        assert!(
            authenticate_presigned(&head("GET", &target, &other_host), &keys(), REGION, T).is_err()
        );
    }
}

#[test]
fn raw_request_reader() {
    let r = RawRequest::parse(b"POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabcdef")
        .unwrap();
    assert_eq!((r.method, r.target, r.body), ("POST", "/x", &b"abc"[..]));
    assert_eq!(r.head().header("host"), Some("a"));
    for bad in [
        &b"POST /x HTTP/1.1\r\nHost: a\r\n"[..],
        b"POST x HTTP/1.1\r\n\r\n",
        b"POST /x SPDY/3\r\n\r\n",
        b"POST /x HTTP/1.1\r\nno colon\r\n\r\n",
        b"POST /x HTTP/1.1\r\nContent-Length: 99\r\n\r\nshort",
        b"POST /x HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n",
    ] {
        assert!(
            RawRequest::parse(bad).is_err(),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// The fuzz seeds (signed at `T` with the test key) really reach the deepest path.
#[test]
fn fuzz_seeds_authenticate() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/kvs_server_request");
    for name in ["seed-describe", "seed-endpoint", "seed-create", "seed-ice"] {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let raw = RawRequest::parse(&bytes).unwrap();
        check_rest(&raw.head(), raw.body, &keys(), REGION, T)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    let bytes = std::fs::read(dir.join("seed-ws")).unwrap();
    let raw = RawRequest::parse(&bytes).unwrap();
    let p = authenticate_presigned(&raw.head(), &keys(), REGION, T).unwrap();
    assert_eq!(p.client_id.as_deref(), Some("v1"));
}

#[test]
fn client_messages_both_casings() {
    let c = parse_client_message(
        r#"{"action":"SDP_OFFER","RecipientClientId":"v1","MessagePayload":"QQ==","CorrelationId":"c"}"#,
    )
    .unwrap();
    assert_eq!(
        (c.recipient_client_id, c.payload, c.correlation_id),
        (Some("v1"), "QQ==", Some("c"))
    );
    let c = parse_client_message(
        r#"{"action":"ICE_CANDIDATE","messagePayload":"QQ==","recipientClientId":"v2","correlationId":"d"}"#,
    )
    .unwrap();
    assert_eq!(
        (c.recipient_client_id, c.correlation_id),
        (Some("v2"), Some("d"))
    );
    let big = format!(
        r#"{{"action":"SDP_OFFER","MessagePayload":"{}","CorrelationId":"big"}}"#,
        "A".repeat(10 * 1024 + 1)
    );
    let e = parse_client_message(&big).unwrap_err();
    assert_eq!((e.correlation_id, e.status_code), (Some("big"), 400));
    let e = parse_client_message(r#"{"CorrelationId":"trunc","action":"#).unwrap_err();
    assert_eq!(e.correlation_id, Some("trunc"));
    let deep = "[".repeat(100);
    let e = parse_client_message(&deep).unwrap_err();
    assert_eq!(e.correlation_id, None);
}

/// SigV4 requires `host` and a present `x-amz-date` among the signed headers, and the
/// service refuses a header-signed request that leaves either out. The verifier used to
/// accept a signature over `host` alone (x-amz-date sent but unsigned).
#[test]
fn header_signing_must_cover_x_amz_date() {
    let (id, secret, _) = creds(0);
    let c = Credentials {
        access_key_id: &id,
        secret_access_key: &secret,
        session_token: None,
    };
    let body = r#"{"ChannelName":"cam"}"#;
    let path = "/describeSignalingChannel";
    let time = UtcTime::from_unix_seconds(T).unwrap();
    let amz = time.amz_date();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(&secret, time, scope);
    let hash = rtcam_signaling::payload_sha256_hex(body.as_bytes());
    let sign = |signed: &[(&str, &str)]| {
        let creq = CanonicalRequest {
            method: "POST",
            path,
            query: &[],
            headers: signed,
            payload_sha256: hash.as_str(),
        };
        let mut auth = String::new();
        write_authorization(&c, &key, time, scope, &creq, &mut auth).unwrap();
        auth
    };
    // Both signed: accepted (the control).
    let auth = sign(&[("host", HOST), ("x-amz-date", amz.as_str())]);
    let h = [
        ("host", HOST),
        ("x-amz-date", amz.as_str()),
        ("authorization", auth.as_str()),
    ];
    assert!(
        authenticate_rest(&head("POST", path, &h), body.as_bytes(), &keys(), REGION, T).is_ok()
    );
    // x-amz-date sent but left out of SignedHeaders: refused.
    let auth = sign(&[("host", HOST)]);
    let h = [
        ("host", HOST),
        ("x-amz-date", amz.as_str()),
        ("authorization", auth.as_str()),
    ];
    let e = authenticate_rest(&head("POST", path, &h), body.as_bytes(), &keys(), REGION, T)
        .unwrap_err();
    assert_eq!(
        (e.status, e.error_type),
        (400, "IncompleteSignatureException"),
        "{e}"
    );
}

/// `%XX`-encodes everything outside the unreserved set (what SigV4 query values need).
fn uri_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A presigned WebSocket URL whose `X-Amz-SignedHeaders` does not include `host` was
/// accepted (valid against whatever host it is sent to); the service requires `host`.
#[test]
fn presigned_must_sign_host() {
    let (id, secret, _) = creds(0);
    let c = Credentials {
        access_key_id: &id,
        secret_access_key: &secret,
        session_token: None,
    };
    let time = UtcTime::from_unix_seconds(T).unwrap();
    let amz = time.amz_date();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(&secret, time, scope);
    let arn = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam/1700000000000";
    let credential = format!(
        "{id}/{}/{REGION}/kinesisvideo/aws4_request",
        amz.date_stamp()
    );
    let presign = |signed_name: &str, signed: &[(&str, &str)]| {
        let params = [
            ("X-Amz-ChannelARN", arn),
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Credential", credential.as_str()),
            ("X-Amz-Date", amz.as_str()),
            ("X-Amz-Expires", "300"),
            ("X-Amz-SignedHeaders", signed_name),
        ];
        let creq = CanonicalRequest {
            method: "GET",
            path: "/",
            query: &params,
            headers: signed,
            payload_sha256: rtcam_signaling::EMPTY_PAYLOAD_SHA256,
        };
        let mut auth = String::new();
        write_authorization(&c, &key, time, scope, &creq, &mut auth).unwrap();
        let sig = AuthorizationHeader::parse(&auth)
            .unwrap()
            .signature
            .to_string();
        let mut q: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", uri_encode(v)))
            .collect();
        q.push(format!("X-Amz-Signature={sig}"));
        format!("/?{}", q.join("&"))
    };
    let h = [("Host", HOST), ("X-Probe", "1")];
    // Signed over host: accepted (the control).
    let target = presign("host", &[("host", HOST)]);
    assert!(authenticate_presigned(&head("GET", &target, &h), &keys(), REGION, T).is_ok());
    // Signed over another header only: refused.
    let target = presign("x-probe", &[("x-probe", "1")]);
    let e = authenticate_presigned(&head("GET", &target, &h), &keys(), REGION, T).unwrap_err();
    assert_eq!(
        (e.status, e.error_type),
        (400, "IncompleteSignatureException"),
        "{e}"
    );
}
