//! AWS's published Signature Version 4 examples, checked step by step: canonical request,
//! string to sign, signature.
//!
//! Sources (data only, no code):
//! - the AWS SigV4 test suite (credentials `AKIDEXAMPLE` /
//!   `wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY`, 2015-08-30T12:36:00Z, `us-east-1`, service
//!   `service`) in the form AWS ships it in `awslabs/aws-c-auth`,
//!   `tests/aws-signing-test-suite/v4/<name>/{header,query}-{canonical-request,string-to-sign,signature}.txt`;
//! - the "Deriving the signing key" examples of the AWS General Reference (SigV4 signing
//!   examples): `iam` in `us-east-1` on 20150830 and on 20120215.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_signaling::{
    CanonicalRequest, Credentials, EMPTY_PAYLOAD_SHA256, Presign, Scope, SigningKey, UtcTime,
    write_authorization, write_presigned_query, write_string_to_sign,
};

const CREDS: Credentials<'static> = Credentials {
    access_key_id: "AKIDEXAMPLE",
    secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    session_token: None,
};
const SESSION_TOKEN: &str = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
const SCOPE: Scope<'static> = Scope {
    region: "us-east-1",
    service: "service",
};
const HOST: &str = "example.amazonaws.com";
const DATE: &str = "20150830T123600Z";

fn time() -> UtcTime {
    UtcTime::parse_amz_date(DATE).unwrap()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

struct HeaderVector {
    name: &'static str,
    creq: CanonicalRequest<'static>,
    canonical_request: &'static str,
    string_to_sign: &'static str,
    signature: &'static str,
}

fn check_header_vector(v: &HeaderVector, creds: &Credentials<'_>) {
    let mut creq = String::new();
    v.creq.write_to(&mut creq).unwrap();
    assert_eq!(creq, v.canonical_request, "{}: canonical request", v.name);

    let mut sts = String::new();
    write_string_to_sign(&mut sts, time(), SCOPE, &v.creq.sha256().unwrap()).unwrap();
    assert_eq!(sts, v.string_to_sign, "{}: string to sign", v.name);

    let key = SigningKey::derive(creds.secret_access_key, time(), SCOPE);
    assert_eq!(
        hex(&key.sign(sts.as_bytes())),
        v.signature,
        "{}: signature",
        v.name
    );

    let mut auth = String::new();
    write_authorization(creds, &key, time(), SCOPE, &v.creq, &mut auth).unwrap();
    let mut signed = String::new();
    v.creq.write_signed_headers(&mut signed).unwrap();
    assert_eq!(
        auth,
        format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
             SignedHeaders={signed}, Signature={}",
            v.signature
        ),
        "{}: Authorization",
        v.name
    );
}

#[test]
fn get_vanilla() {
    check_header_vector(
        &HeaderVector {
            name: "get-vanilla",
            creq: CanonicalRequest {
                method: "GET",
                path: "/",
                query: &[],
                headers: &[("Host", HOST), ("X-Amz-Date", DATE)],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
        },
        &CREDS,
    );
}

#[test]
fn post_vanilla() {
    check_header_vector(
        &HeaderVector {
            name: "post-vanilla",
            creq: CanonicalRequest {
                method: "POST",
                path: "/",
                query: &[],
                headers: &[("X-Amz-Date", DATE), ("Host", HOST)],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            canonical_request: "POST\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b",
        },
        &CREDS,
    );
}

#[test]
fn get_vanilla_query_order_key_case() {
    check_header_vector(
        &HeaderVector {
            name: "get-vanilla-query-order-key-case",
            creq: CanonicalRequest {
                method: "GET",
                path: "/",
                query: &[("Param2", "value2"), ("Param1", "value1")],
                headers: &[("Host", HOST), ("X-Amz-Date", DATE)],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            canonical_request: "GET\n/\nParam1=value1&Param2=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0",
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
        },
        &CREDS,
    );
}

#[test]
fn get_vanilla_query_unreserved() {
    const U: &str = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    check_header_vector(
        &HeaderVector {
            name: "get-vanilla-query-unreserved",
            creq: CanonicalRequest {
                method: "GET",
                path: "/",
                query: &[(U, U)],
                headers: &[("Host", HOST), ("X-Amz-Date", DATE)],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            canonical_request: "GET\n/\n-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nc30d4703d9f799439be92736156d47ccfb2d879ddf56f5befa6d1d6aab979177",
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197",
        },
        &CREDS,
    );
}

#[test]
fn post_x_www_form_urlencoded() {
    // The body `Param1=value1`; this suite version also signs content-length and
    // x-amz-content-sha256.
    const BODY_SHA: &str = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e";
    assert_eq!(
        rtcam_signaling::payload_sha256_hex(b"Param1=value1").as_str(),
        BODY_SHA
    );
    check_header_vector(
        &HeaderVector {
            name: "post-x-www-form-urlencoded",
            creq: CanonicalRequest {
                method: "POST",
                path: "/",
                query: &[],
                headers: &[
                    ("Content-Type", "application/x-www-form-urlencoded"),
                    ("Host", HOST),
                    ("Content-Length", "13"),
                    ("x-amz-content-sha256", BODY_SHA),
                    ("X-Amz-Date", DATE),
                ],
                payload_sha256: BODY_SHA,
            },
            canonical_request: "POST\n/\n\ncontent-length:13\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e\nx-amz-date:20150830T123600Z\n\ncontent-length;content-type;host;x-amz-content-sha256;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nb1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb",
            signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b",
        },
        &CREDS,
    );
}

#[test]
fn get_vanilla_with_session_token() {
    let creds = Credentials {
        session_token: Some(SESSION_TOKEN),
        ..CREDS
    };
    check_header_vector(
        &HeaderVector {
            name: "get-vanilla-with-session-token",
            creq: CanonicalRequest {
                method: "GET",
                path: "/",
                query: &[],
                headers: &[
                    ("Host", HOST),
                    ("X-Amz-Date", DATE),
                    ("X-Amz-Security-Token", SESSION_TOKEN),
                ],
                payload_sha256: EMPTY_PAYLOAD_SHA256,
            },
            canonical_request: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\nx-amz-security-token:6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267\n\nhost;x-amz-date;x-amz-security-token\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            string_to_sign: "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b",
            signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8",
        },
        &creds,
    );
}

/// The suite's `query-*` files: presigned GETs (signed header `host`, 3600 s).
fn check_query_vector(
    name: &str,
    creds: &Credentials<'_>,
    params: &[(&str, &str)],
    canonical_request: &str,
    signature: &str,
) {
    let key = SigningKey::derive(creds.secret_access_key, time(), SCOPE);
    let mut query = String::new();
    let mut creq = String::new();
    let req = Presign {
        host: HOST,
        path: "/",
        params,
        expires_secs: 3600,
    };
    write_presigned_query(
        creds,
        &key,
        time(),
        SCOPE,
        &req,
        &mut query,
        Some(&mut creq),
    )
    .unwrap();
    assert_eq!(creq, canonical_request, "{name}: canonical request");
    assert!(
        query.ends_with(&format!("&X-Amz-Signature={signature}")),
        "{name}: {query}"
    );
}

#[test]
fn query_get_vanilla() {
    check_query_vector(
        "get-vanilla",
        &CREDS,
        &[],
        "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d",
    );
}

#[test]
fn query_get_vanilla_query_order_key_case() {
    check_query_vector(
        "get-vanilla-query-order-key-case",
        &CREDS,
        &[("Param2", "value2"), ("Param1", "value1")],
        "GET\n/\nParam1=value1&Param2=value2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "86012e2c9ad4d77369f5d81c11f75158aae4f895a085212cc6d3f923d300bed5",
    );
}

#[test]
fn query_get_vanilla_with_session_token() {
    let creds = Credentials {
        session_token: Some(SESSION_TOKEN),
        ..CREDS
    };
    check_query_vector(
        "get-vanilla-with-session-token",
        &creds,
        &[],
        "GET\n/\nX-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=3600&X-Amz-Security-Token=6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267&X-Amz-SignedHeaders=host\nhost:example.amazonaws.com\n\nhost\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c",
    );
}

#[test]
fn query_get_vanilla_query_unreserved() {
    const U: &str = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let key = SigningKey::derive(CREDS.secret_access_key, time(), SCOPE);
    let mut query = String::new();
    let req = Presign {
        host: HOST,
        path: "/",
        params: &[(U, U)],
        expires_secs: 3600,
    };
    write_presigned_query(&CREDS, &key, time(), SCOPE, &req, &mut query, None).unwrap();
    assert!(query.ends_with(
        "&X-Amz-Signature=8e76a88a7433637b12778d5592799b29ad21ecd6cf6325051c21d86f0acda2bf"
    ));
}

#[test]
fn deriving_the_signing_key() {
    let iam = Scope {
        region: "us-east-1",
        service: "iam",
    };
    let key = SigningKey::derive(
        CREDS.secret_access_key,
        UtcTime::new(2015, 8, 30, 0, 0, 0).unwrap(),
        iam,
    );
    assert_eq!(
        hex(key.as_bytes()),
        "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    );
    let older = SigningKey::derive(
        CREDS.secret_access_key,
        UtcTime::new(2012, 2, 15, 0, 0, 0).unwrap(),
        iam,
    );
    assert_eq!(
        hex(older.as_bytes()),
        "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
    );
}

#[test]
fn key_cache_follows_day_scope_and_secret() {
    let mut slot = None;
    let t = time();
    let k1 = SigningKey::refresh(&mut slot, CREDS.secret_access_key, t, SCOPE).clone();
    // Same day: the cached key.
    let later = UtcTime::from_unix_seconds(t.to_unix_seconds() + 3600).unwrap();
    assert!(k1.is_for(CREDS.secret_access_key, later, SCOPE));
    // Next day, another region, another secret: a new key.
    let next_day = UtcTime::from_unix_seconds(t.to_unix_seconds() + 86_400).unwrap();
    assert!(!k1.is_for(CREDS.secret_access_key, next_day, SCOPE));
    assert!(!k1.is_for(CREDS.secret_access_key, t, Scope::kvs("us-east-1")));
    assert!(!k1.is_for("other", t, SCOPE));
    let k2 = SigningKey::refresh(&mut slot, CREDS.secret_access_key, next_day, SCOPE);
    assert_ne!(k1.as_bytes(), k2.as_bytes());
    // Signing with a stale key is refused, not silently wrong.
    let creq = CanonicalRequest {
        method: "GET",
        path: "/",
        query: &[],
        headers: &[("host", HOST), ("x-amz-date", DATE)],
        payload_sha256: EMPTY_PAYLOAD_SHA256,
    };
    assert_eq!(
        write_authorization(&CREDS, &k1, next_day, SCOPE, &creq, &mut String::new()),
        Err(rtcam_signaling::Error::SigningKeyMismatch)
    );
}

#[test]
fn header_errors_and_small_buffers() {
    let key = SigningKey::derive(CREDS.secret_access_key, time(), SCOPE);
    let mut creq = CanonicalRequest {
        method: "GET",
        path: "/",
        query: &[],
        headers: &[("host", HOST), ("Host", HOST)],
        payload_sha256: EMPTY_PAYLOAD_SHA256,
    };
    let mut out = String::new();
    assert_eq!(
        write_authorization(&CREDS, &key, time(), SCOPE, &creq, &mut out),
        Err(rtcam_signaling::Error::DuplicateHeader)
    );
    creq.headers = &[("bad header", "x")];
    assert_eq!(
        write_authorization(&CREDS, &key, time(), SCOPE, &creq, &mut out),
        Err(rtcam_signaling::Error::InvalidHeaderName)
    );
    creq.headers = &[("host", HOST), ("x-amz-date", DATE)];
    let mut buf = [0u8; 100];
    let mut w = rtcam_signaling::SliceWriter::new(&mut buf);
    assert_eq!(
        write_authorization(&CREDS, &key, time(), SCOPE, &creq, &mut w),
        Err(rtcam_signaling::Error::BufferTooSmall)
    );
    let mut buf = [0u8; 256];
    let mut w = rtcam_signaling::SliceWriter::new(&mut buf);
    write_authorization(&CREDS, &key, time(), SCOPE, &creq, &mut w).unwrap();
    assert!(
        w.as_str().ends_with(
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        )
    );
}
