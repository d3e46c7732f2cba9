//! Shared helpers for the local server's tests: a raw HTTP/1.1 client (plain or TLS),
//! SigV4 signing with our own signer, and a raw WebSocket client (tokio-tungstenite).

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use rtcam_signaling::server::{AccessKey, Config, Limits, Server, ServerHandle};
use rtcam_signaling::{
    Credentials, RestRequest, Scope, SigningKey, UtcTime, WssConnect, sign_kvs_post,
    write_presigned_wss_url,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

pub const REGION: &str = "us-west-2";
pub const KEY_ID: &str = "AKIDEXAMPLE";
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
pub const TURN_SECRET: &str = "turn-shared-secret";

pub fn creds() -> Credentials<'static> {
    Credentials {
        access_key_id: KEY_ID,
        secret_access_key: SECRET,
        session_token: None,
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn config() -> Config {
    Config {
        access_keys: vec![AccessKey {
            access_key_id: KEY_ID.into(),
            secret_access_key: SECRET.into(),
            session_token: None,
        }],
        stun_uris: vec!["stun:127.0.0.1:3478".into()],
        turn_uris: vec![
            "turn:127.0.0.1:3478?transport=udp".into(),
            "turn:127.0.0.1:3478?transport=tcp".into(),
        ],
        turn_secret: Some(TURN_SECRET.into()),
        limits: Limits {
            go_away_grace: Duration::from_millis(300),
            ..Limits::default()
        },
        ..Config::default()
    }
}

pub async fn start(cfg: Config) -> ServerHandle {
    Server::spawn(cfg).await.expect("server starts")
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", self.body))
    }

    pub fn error_type(&self) -> &str {
        self.header("x-amzn-errortype").unwrap_or("")
    }
}

/// Where and how to reach a server.
#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Target {
    pub fn plain(h: &ServerHandle) -> Target {
        Target {
            addr: h.local_addr(),
            tls: None,
        }
    }

    pub fn tls(h: &ServerHandle) -> Target {
        let der = h.certificate_der().expect("tls mode").to_vec();
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls_pki_types::CertificateDer::from(der))
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cfg = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        Target {
            addr: h.local_addr(),
            tls: Some(Arc::new(cfg)),
        }
    }

    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    async fn stream(&self) -> Box<dyn Io> {
        let tcp = TcpStream::connect(self.addr).await.unwrap();
        match &self.tls {
            None => Box::new(tcp),
            Some(cfg) => {
                let name = rustls_pki_types::ServerName::IpAddress(self.addr.ip().into());
                let tls = TlsConnector::from(cfg.clone())
                    .connect(name, tcp)
                    .await
                    .expect("TLS handshake with the generated certificate");
                Box::new(tls)
            }
        }
    }
}

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Sends raw bytes, reads the whole response (the request says `connection: close`).
pub async fn raw_exchange(t: &Target, bytes: &[u8]) -> Resp {
    let mut s = t.stream().await;
    s.write_all(bytes).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut buf)).await;
    parse_resp(&buf)
}

pub fn parse_resp(buf: &[u8]) -> Resp {
    let text = String::from_utf8_lossy(buf).to_string();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response head in {text:?}"));
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: body.to_string(),
    }
}

/// A signed control-plane POST, signed at `signed_at` (unix seconds) with `secret`.
pub async fn post_as(
    t: &Target,
    path: &str,
    body: &str,
    key_id: &str,
    secret: &str,
    signed_at: u64,
) -> Resp {
    let host = t.host();
    let c = Credentials {
        access_key_id: key_id,
        secret_access_key: secret,
        session_token: None,
    };
    let time = UtcTime::from_unix_seconds(signed_at).unwrap();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(secret, time, scope);
    let mut auth = String::new();
    let amz = sign_kvs_post(
        &c,
        &key,
        time,
        scope,
        &RestRequest {
            host: &host,
            path,
            body: body.as_bytes(),
            content_type: Some("application/json"),
        },
        &mut auth,
    )
    .unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\nx-amz-date: {amz}\r\nauthorization: {auth}\r\ncontent-length: {}\r\nuser-agent: rtcam-test\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    raw_exchange(t, req.as_bytes()).await
}

/// A control-plane POST signed now with the configured key.
pub async fn post(t: &Target, path: &str, body: &str) -> Resp {
    post_as(t, path, body, KEY_ID, SECRET, now()).await
}

pub async fn create_channel(t: &Target, name: &str) -> String {
    let r = post(
        t,
        "/createSignalingChannel",
        &format!(r#"{{"ChannelName":"{name}","ChannelType":"SINGLE_MASTER"}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["ChannelARN"].as_str().unwrap().to_string()
}

pub type Ws = WebSocketStream<Box<dyn Io>>;

/// The presigned URL (scheme as the target), signed at `signed_at` with `secret`.
pub fn presigned_url(
    t: &Target,
    arn: &str,
    client_id: Option<&str>,
    secret: &str,
    signed_at: u64,
    expires: u32,
) -> String {
    let host = t.host();
    let c = Credentials {
        access_key_id: KEY_ID,
        secret_access_key: secret,
        session_token: None,
    };
    let time = UtcTime::from_unix_seconds(signed_at).unwrap();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(secret, time, scope);
    let mut url = String::new();
    write_presigned_wss_url(
        &c,
        &key,
        time,
        scope,
        &WssConnect {
            host: &host,
            channel_arn: arn,
            client_id,
            expires_secs: expires,
        },
        &mut url,
    )
    .unwrap();
    if t.tls.is_none() {
        url = url.replacen("wss://", "ws://", 1);
    }
    url
}

/// Connects; on refusal returns the HTTP status and body.
pub async fn ws_connect_url(t: &Target, url: &str) -> Result<Ws, (u16, String)> {
    let stream = t.stream().await;
    match tokio_tungstenite::client_async(url, stream).await {
        Ok((ws, _)) => Ok(ws),
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            let body = resp
                .body()
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).to_string())
                .unwrap_or_default();
            Err((resp.status().as_u16(), body))
        }
        Err(e) => Err((0, e.to_string())),
    }
}

pub async fn ws_connect(
    t: &Target,
    arn: &str,
    client_id: Option<&str>,
) -> Result<Ws, (u16, String)> {
    ws_connect_url(t, &presigned_url(t, arn, client_id, SECRET, now(), 300)).await
}

/// The next text frame within `within`, skipping control frames; `None` on timeout or
/// close.
pub async fn next_text(ws: &mut Ws, within: Duration) -> Option<String> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let msg = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match msg.ok()? {
            Message::Text(t) => return Some(t.to_string()),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

pub async fn next_json(ws: &mut Ws) -> serde_json::Value {
    let t = next_text(ws, Duration::from_secs(5))
        .await
        .expect("a message within 5 s");
    serde_json::from_str(&t).unwrap()
}

/// Waits until the server closes `ws` (or the stream ends); returns how long it took.
pub async fn wait_closed(ws: &mut Ws, within: Duration) -> Option<Duration> {
    let start = tokio::time::Instant::now();
    let deadline = start + within;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return None,
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => {
                return Some(start.elapsed());
            }
            Ok(Some(Ok(_))) => {}
        }
    }
}

pub async fn send(ws: &mut Ws, text: &str) {
    ws.send(Message::text(text.to_string())).await.unwrap();
}

pub fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

pub fn unb64(s: &str) -> String {
    use base64::Engine;
    String::from_utf8(base64::engine::general_purpose::STANDARD.decode(s).unwrap()).unwrap()
}
