//! The client's I/O pieces against tiny local servers (127.0.0.1 only): signed HTTP(S)
//! POSTs verified byte for byte on the server side, TLS trust through an explicit extra
//! root, and the AWS IoT credentials provider over mutual TLS.
#![cfg(feature = "client")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod client_support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use client_support::{Pki, Request, Response, TestServer};
use rtcam_signaling::client::credentials::{
    CredentialsError, CredentialsProvider, IotConfig, IotProvider, OwnedCredentials,
};
use rtcam_signaling::client::http::SignedHttp;
use rtcam_signaling::client::tls::{ClientIdentity, RootSource, TlsOptions, TlsSetup};
use rtcam_signaling::{RestRequest, Scope, SigningKey, UtcTime, sign_kvs_post};

/// Recomputes the signature the way a verifier would (from the received headers and
/// body) and compares it with the received `Authorization`.
fn signature_ok(req: &Request, secret: &str, region: &str) -> bool {
    let Some(amz) = req.header("x-amz-date") else {
        return false;
    };
    let time = UtcTime::parse_amz_date(amz).unwrap();
    let auth = req.header("authorization").unwrap();
    let key_id = auth
        .split("Credential=")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap();
    let creds = rtcam_signaling::Credentials {
        access_key_id: key_id,
        secret_access_key: secret,
        session_token: req.header("x-amz-security-token"),
    };
    let scope = Scope::kvs(region);
    let key = SigningKey::derive(secret, time, scope);
    let mut expect = String::new();
    sign_kvs_post(
        &creds,
        &key,
        time,
        scope,
        &RestRequest {
            host: req.header("host").unwrap(),
            path: &req.path,
            body: &req.body,
            content_type: req.header("content-type"),
        },
        &mut expect,
    )
    .unwrap();
    expect == auth
}

const DATE: &str = "Sun, 30 Aug 2015 12:36:00 GMT";

fn creds(token: Option<&str>) -> OwnedCredentials {
    OwnedCredentials::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        token,
    )
}

fn extra_only(pki: &Pki) -> TlsOptions {
    TlsOptions {
        roots: RootSource::ExtraOnly,
        ..TlsOptions::default()
    }
    .with_extra_roots_pem(pki.ca_pem.as_bytes())
    .unwrap()
}

#[test]
fn signed_post_round_trip_plain_http() {
    let server = TestServer::start(None, |req| {
        if signature_ok(req, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-west-2") {
            Response::json(200, r#"{"ok":true}"#).with_header("Date", DATE)
        } else {
            Response::json(
                403,
                r#"{"message":"The request signature we calculated does not match"}"#,
            )
            .with_header(
                "x-amzn-ErrorType",
                "InvalidSignatureException:http://internal.amazon.com/",
            )
        }
    });
    let pki = Pki::new();
    let tls = TlsSetup::new(&extra_only(&pki)).unwrap();
    let mut http = SignedHttp::new(&tls, "us-west-2", Duration::from_secs(5));
    let body = br#"{"ChannelName":"cam"}"#;
    for token in [None, Some("FwoGZXIvYXdzE//token+=")] {
        let r = http
            .post(
                &server.url("http"),
                "/describeSignalingChannel",
                body,
                &creds(token),
            )
            .unwrap();
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        assert_eq!(r.date, UtcTime::new(2015, 8, 30, 12, 36, 0));
        assert!(r.latency < Duration::from_secs(5));
    }
    let reqs = server.requests.lock().unwrap().clone();
    assert_eq!(reqs.len(), 2);
    let r = &reqs[1];
    assert_eq!(r.method, "POST");
    assert_eq!(r.header("host"), Some(server.addr.to_string().as_str()));
    assert_eq!(
        r.header("x-amz-security-token"),
        Some("FwoGZXIvYXdzE//token+=")
    );
    assert!(
        r.header("user-agent")
            .unwrap()
            .starts_with("rtcam-signaling/")
    );
    assert!(
        r.header("authorization")
            .unwrap()
            .contains("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token,")
    );
    // Wrong secret: the server refuses, the typed header comes back.
    let mut bad = creds(None);
    bad.secret_access_key = "wrong".into();
    let r = http
        .post(&server.url("http"), "/describeSignalingChannel", body, &bad)
        .unwrap();
    assert_eq!(r.status, 403);
    assert!(
        r.error_type
            .unwrap()
            .starts_with("InvalidSignatureException")
    );
}

#[test]
fn clock_offset_shifts_x_amz_date() {
    let server = TestServer::start(None, |_| Response::json(200, "{}"));
    let pki = Pki::new();
    let tls = TlsSetup::new(&extra_only(&pki)).unwrap();
    let mut http = SignedHttp::new(&tls, "us-west-2", Duration::from_secs(5));
    http.clock_offset_secs = -600;
    http.post(&server.url("http"), "/x", b"{}", &creds(None))
        .unwrap();
    let reqs = server.requests.lock().unwrap().clone();
    let sent = UtcTime::parse_amz_date(reqs[0].header("x-amz-date").unwrap()).unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let delta = now as i64 - sent.to_unix_seconds() as i64;
    assert!((595..=610).contains(&delta), "delta {delta}");
}

#[test]
fn https_trusts_only_configured_roots() {
    let pki = Pki::new();
    let server = TestServer::start(Some(pki.server_config(false)), |req| {
        assert!(signature_ok(
            req,
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "eu-west-1"
        ));
        Response::json(200, "{}")
    });
    let tls = TlsSetup::new(&extra_only(&pki)).unwrap();
    let mut http = SignedHttp::new(&tls, "eu-west-1", Duration::from_secs(5));
    let r = http
        .post(&server.url("https"), "/x", b"{}", &creds(None))
        .unwrap();
    assert_eq!(r.status, 200);
    // Another CA: the handshake fails, no request reaches the handler.
    let other = Pki::new();
    let tls = TlsSetup::new(&extra_only(&other)).unwrap();
    let mut http = SignedHttp::new(&tls, "eu-west-1", Duration::from_secs(5));
    let e = http
        .post(&server.url("https"), "/x", b"{}", &creds(None))
        .unwrap_err();
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
    assert_eq!(server.request_count(), 1);
}

fn iot_server(pki: &Pki) -> TestServer {
    TestServer::start(Some(pki.server_config(true)), |req| {
        if req.method != "GET" || req.path != "/role-aliases/kvs-cam-role/credentials" {
            return Response::json(404, r#"{"message":"Role alias does not exist"}"#);
        }
        if req.header("x-amzn-iot-thingname") != Some("cam-1") {
            return Response::json(403, r#"{"message":"Access Denied"}"#);
        }
        Response::json(
            200,
            r#"{"credentials":{"accessKeyId":"ASIAIOTEXAMPLE","secretAccessKey":"iot\/secret","sessionToken":"iot-token","expiration":"2099-01-01T00:00:00Z"}}"#,
        )
    })
}

fn iot_config(pki: &Pki, server: &TestServer, alias: &str, thing: &str) -> IotConfig {
    IotConfig {
        endpoint: server.url("https"),
        role_alias: alias.into(),
        thing_name: thing.into(),
        identity: ClientIdentity::from_pem(
            pki.client_cert_pem.as_bytes(),
            pki.client_key_pem.as_bytes(),
        )
        .unwrap(),
        tls: extra_only(pki),
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn iot_role_alias_over_mutual_tls() {
    let pki = Pki::new();
    let server = iot_server(&pki);
    let mut p = IotProvider::new(iot_config(&pki, &server, "kvs-cam-role", "cam-1")).unwrap();
    let c = p.credentials().unwrap();
    assert_eq!(c.access_key_id, "ASIAIOTEXAMPLE");
    assert_eq!(c.secret_access_key, "iot/secret");
    assert_eq!(c.session_token.as_deref(), Some("iot-token"));
    assert_eq!(
        c.expires_at,
        Some(UNIX_EPOCH + Duration::from_secs(4_070_908_800))
    );
    let req = server.requests.lock().unwrap()[0].clone();
    assert_eq!(req.header("x-amzn-iot-thingname"), Some("cam-1"));

    // Unknown alias / wrong thing: the service's status and message, not a parse error.
    let mut p = IotProvider::new(iot_config(&pki, &server, "nope", "cam-1")).unwrap();
    assert!(matches!(
        p.credentials(),
        Err(CredentialsError::Refused { status: 404, .. })
    ));
    let mut p = IotProvider::new(iot_config(&pki, &server, "kvs-cam-role", "cam-2")).unwrap();
    assert!(matches!(
        p.credentials(),
        Err(CredentialsError::Refused { status: 403, .. })
    ));
}

#[test]
fn iot_without_trusted_client_cert_is_refused() {
    let pki = Pki::new();
    let server = iot_server(&pki);
    // A client certificate from another CA: the server's handshake rejects it.
    let other = Pki::new();
    let mut cfg = iot_config(&pki, &server, "kvs-cam-role", "cam-1");
    cfg.identity = ClientIdentity::from_pem(
        other.client_cert_pem.as_bytes(),
        other.client_key_pem.as_bytes(),
    )
    .unwrap();
    let mut p = IotProvider::new(cfg).unwrap();
    assert!(matches!(p.credentials(), Err(CredentialsError::Http(_))));
    assert_eq!(server.request_count(), 0);
    // The env configuration path: files named by AWS_IOT_CORE_* are loaded.
    let dir = std::env::temp_dir().join(format!("rtcam-iot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cert.pem"), &pki.client_cert_pem).unwrap();
    std::fs::write(dir.join("key.pem"), &pki.client_key_pem).unwrap();
    std::fs::write(dir.join("ca.pem"), &pki.ca_pem).unwrap();
    let vars = [
        ("AWS_IOT_CORE_CREDENTIAL_ENDPOINT", server.url("https")),
        (
            "AWS_IOT_CORE_CERT",
            dir.join("cert.pem").display().to_string(),
        ),
        (
            "AWS_IOT_CORE_PRIVATE_KEY",
            dir.join("key.pem").display().to_string(),
        ),
        ("AWS_IOT_CORE_ROLE_ALIAS", "kvs-cam-role".to_string()),
        ("AWS_IOT_CORE_THING_NAME", "cam-1".to_string()),
        (
            "AWS_KVS_CACERT_PATH",
            dir.join("ca.pem").display().to_string(),
        ),
    ];
    let get = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone());
    let mut chain = rtcam_signaling::client::credentials::provider_from_lookup(&get).unwrap();
    assert_eq!(chain.credentials().unwrap().access_key_id, "ASIAIOTEXAMPLE");
    // Cached: a second call does not hit the endpoint again.
    chain.credentials().unwrap();
    assert_eq!(server.request_count(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A peer that pings faster than the read timeout must not keep `recv` reading forever:
/// each ping is answered and `recv` returns, so the caller's deadline and timers run.
#[test]
fn ping_flood_does_not_hold_recv_forever() {
    use rtcam_signaling::client::wss::WssConn;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut ws = tungstenite::accept(sock).unwrap();
        // Until the client goes away (bounded: 10 s of pings at most).
        for _ in 0..2000 {
            if ws
                .send(tungstenite::Message::Ping(Vec::new().into()))
                .is_err()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    });
    let pki = Pki::new();
    let tls = TlsSetup::new(&extra_only(&pki)).unwrap();
    let url = format!("ws://{addr}/");
    let mut conn = WssConn::connect(&url, tls.rustls_config(), Duration::from_secs(2)).unwrap();
    conn.set_read_timeout(Duration::from_millis(200)).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(conn.recv());
    });
    let r = rx
        .recv_timeout(Duration::from_secs(3))
        .expect("recv() still blocked after 3 s of pings (read timeout 200 ms)");
    assert_eq!(r, Ok(None));
}
