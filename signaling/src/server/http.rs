//! The listener: accepts TCP (and TLS), serves HTTP/1.1 with hyper, dispatches REST
//! calls, admin calls and WebSocket upgrades. Every response carries `Date` and
//! `x-amzn-RequestId`; refusals carry `x-amzn-ErrorType` and a JSON body.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::string::{String, ToString};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use std::vec::Vec;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, DATE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::{Role as WsRole, WebSocketConfig};

use super::hub::{Hub, Peers, Role};
use super::request::{
    self, HttpHead, MAX_BODY_LEN, Rejection, Route, authenticate_presigned, error_body_json,
    is_valid_client_id,
};
use super::ws::{self, Bucket};
use super::{http_date, rest};
use crate::api::{ErrorReply, ServiceErrorKind};

pub(crate) type Body = Full<Bytes>;

pub(crate) async fn serve(
    listener: TcpListener,
    hub: Arc<Hub>,
    acceptor: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(
        hub.cfg
            .limits
            .max_http_connections
            .clamp(1, Semaphore::MAX_PERMITS),
    ));
    let api_bucket = Arc::new(Mutex::new(Bucket::new(hub.cfg.limits.api_calls_per_sec)));
    let local = listener
        .local_addr()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (tcp, peer) = match accepted {
                    Ok(a) => a,
                    Err(_) => {
                        // Out of descriptors and the like: back off briefly.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    drop(tcp);
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let hub = hub.clone();
                let acceptor = acceptor.clone();
                let api_bucket = api_bucket.clone();
                let stop = stop.clone();
                tokio::spawn(async move {
                    let timeout = hub.cfg.limits.request_timeout;
                    let addrs = (peer, local);
                    match acceptor {
                        Some(acc) => {
                            if let Ok(Ok(tls)) = tokio::time::timeout(timeout, acc.accept(tcp)).await {
                                serve_conn(TokioIo::new(tls), hub, addrs, api_bucket, stop).await;
                            }
                        }
                        None => serve_conn(TokioIo::new(tcp), hub, addrs, api_bucket, stop).await,
                    }
                    drop(permit);
                });
            }
            _ = stop.changed() => break,
        }
    }
}

async fn serve_conn<I>(
    io: I,
    hub: Arc<Hub>,
    (peer, local): (SocketAddr, SocketAddr),
    api_bucket: Arc<Mutex<Bucket>>,
    mut stop: watch::Receiver<bool>,
) where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let timeout = hub.cfg.limits.request_timeout;
    let tls = hub.cfg.tls;
    let svc = service_fn(move |req| {
        let hub = hub.clone();
        let api_bucket = api_bucket.clone();
        async move { Ok::<_, Infallible>(handle(req, hub, (peer, local), tls, api_bucket).await) }
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(timeout)
        .max_buf_size(request::MAX_HEAD_LEN.max(8192))
        .serve_connection(io, svc)
        .with_upgrades();
    tokio::pin!(conn);
    tokio::select! {
        _ = conn.as_mut() => {}
        // Shutdown must also end keep-alive connections: they used to go on serving
        // requests (pooling HTTP clients reuse them) from the stopped server's state.
        // The response in flight, if any, is finished; no further request is read.
        () = stopped(&mut stop) => {
            conn.as_mut().graceful_shutdown();
            let _ = tokio::time::timeout(timeout, conn).await;
        }
    }
}

/// Resolves once the server is told to stop (or its handle is gone).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    // `wait_for` would hold a non-`Send` borrow across the await.
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

async fn handle(
    req: Request<Incoming>,
    hub: Arc<Hub>,
    addrs: (SocketAddr, SocketAddr),
    tls: bool,
    api_bucket: Arc<Mutex<Bucket>>,
) -> Response<Body> {
    let now = hub.cfg.now_unix();
    let mut resp = match dispatch(req, &hub, addrs, tls, now, &api_bucket).await {
        Ok(r) => r,
        Err(rej) => error_response(&rej),
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&http_date(now)) {
        h.insert(DATE, v);
    }
    let id = hub.stats.rest_calls.fetch_add(1, Ordering::Relaxed);
    if let Ok(v) = HeaderValue::from_str(&std::format!("{:08x}-rtcam-{:012x}", now as u32, id)) {
        h.insert("x-amzn-requestid", v);
    }
    resp
}

/// A refusal in the service's form.
pub(crate) fn error_response(rej: &Rejection) -> Response<Body> {
    let key =
        ServiceErrorKind::from_type_name(rej.error_type).map_or("message", |k| k.message_key());
    let reply = ErrorReply {
        status: rej.status,
        error_type: Some(rej.error_type),
        message_key: key,
        message: &rej.message,
    };
    let mut body = String::new();
    if reply.write_json(&mut body).is_err() {
        body = error_body_json(rej);
    }
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = StatusCode::from_u16(rej.status).unwrap_or(StatusCode::BAD_REQUEST);
    let h = r.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(rej.error_type) {
        h.insert("x-amzn-errortype", v);
    }
    r
}

/// A 200 with a JSON body.
pub(crate) fn json_response(body: String) -> Response<Body> {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

async fn dispatch(
    mut req: Request<Incoming>,
    hub: &Arc<Hub>,
    (peer, local): (SocketAddr, SocketAddr),
    tls: bool,
    now: u64,
    api_bucket: &Mutex<Bucket>,
) -> Result<Response<Body>, Rejection> {
    let bad_header = || Rejection::new(400, "SerializationException", "header value is not text");
    let mut owned: Vec<(String, String)> = Vec::with_capacity(req.headers().len());
    for (name, value) in req.headers() {
        let v = value.to_str().map_err(|_| bad_header())?;
        owned.push((name.as_str().to_string(), v.to_string()));
    }
    // hyper keeps the Host of an HTTP/1.1 request as a header; keep a fallback.
    if !owned.iter().any(|(n, _)| n == "host") {
        if let Some(a) = req.uri().authority() {
            owned.push(("host".into(), a.as_str().to_string()));
        }
    }
    let headers: Vec<(&str, &str)> = owned
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| "/".to_string(), |p| p.as_str().to_string());
    let method = req.method().as_str().to_string();
    let head = HttpHead {
        method: &method,
        target: &target,
        headers: &headers,
    };
    match request::route(&head)? {
        Route::WebSocket => {
            let upgrade = head
                .header("upgrade")
                .is_some_and(|u| u.eq_ignore_ascii_case("websocket"));
            let key = head.header("sec-websocket-key").map(str::to_string);
            let version_ok = head.header("sec-websocket-version") == Some("13");
            // RFC 6455 §4.1: an HTTP/1.1 GET whose `Connection` lists `Upgrade`. hyper
            // only performs upgrades of HTTP/1.1 requests: answering 101 to an HTTP/1.0
            // one registered the peer (replacing the connected master or viewer) for a
            // connection that then never became a WebSocket.
            let http11 = req.version() == hyper::Version::HTTP_11;
            let connection_upgrade = head.header("connection").is_some_and(|c| {
                c.split(',')
                    .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
            });
            let Some(key) = key.filter(|_| upgrade && version_ok && http11 && connection_upgrade)
            else {
                return Err(Rejection::new(
                    400,
                    "InvalidArgumentException",
                    "expected a WebSocket upgrade",
                ));
            };
            let params =
                match authenticate_presigned(&head, &hub.cfg.access_keys, &hub.cfg.region, now) {
                    Ok(p) => p,
                    Err(e) => {
                        hub.stats
                            .connections_refused
                            .fetch_add(1, Ordering::Relaxed);
                        return Err(e);
                    }
                };
            let role = match params.client_id {
                None => Role::Master,
                Some(id) if is_valid_client_id(&id) => Role::Viewer(id),
                Some(_) => {
                    hub.stats
                        .connections_refused
                        .fetch_add(1, Ordering::Relaxed);
                    return Err(Rejection::new(
                        400,
                        "InvalidArgumentException",
                        "X-Amz-ClientId must be 1-256 characters of [a-zA-Z0-9_.-] not starting with AWS_",
                    ));
                }
            };
            let reg = match hub.register(&params.channel_arn, role) {
                Ok(r) => r,
                Err(e) => {
                    hub.stats
                        .connections_refused
                        .fetch_add(1, Ordering::Relaxed);
                    return Err(e);
                }
            };
            hub.stats
                .connections_accepted
                .fetch_add(1, Ordering::Relaxed);
            let on_upgrade = hyper::upgrade::on(&mut req);
            let hub2 = hub.clone();
            let max = hub.cfg.limits.max_frame_len;
            tokio::spawn(async move {
                match on_upgrade.await {
                    Ok(upgraded) => {
                        let cfg = WebSocketConfig::default()
                            .max_message_size(Some(max))
                            .max_frame_size(Some(max));
                        let stream = WebSocketStream::from_raw_socket(
                            TokioIo::new(upgraded),
                            WsRole::Server,
                            Some(cfg),
                        )
                        .await;
                        ws::run(stream, hub2, reg).await;
                    }
                    Err(_) => hub2.unregister(&reg.channel_arn, &reg.role, reg.id),
                }
            });
            let mut r = Response::new(Full::new(Bytes::new()));
            *r.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
            let h = r.headers_mut();
            h.insert("upgrade", HeaderValue::from_static("websocket"));
            h.insert("connection", HeaderValue::from_static("Upgrade"));
            if let Ok(v) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
                h.insert("sec-websocket-accept", v);
            }
            Ok(r)
        }
        Route::Rest(_) => {
            let allowed = api_bucket.lock().map(|mut b| b.take()).unwrap_or(true);
            if !allowed {
                return Err(Rejection::new(
                    400,
                    "ClientLimitExceededException",
                    "Kinesis Video Streams has throttled the request because you have exceeded the limit of allowed client calls. Try making the call later.",
                ));
            }
            let body = read_body(req.into_body(), hub.cfg.limits.request_timeout).await?;
            let call =
                request::check_rest(&head, &body, &hub.cfg.access_keys, &hub.cfg.region, now)?;
            // Endpoints point back at the host the client used (it signed it), unless
            // configured; an odd-looking Host falls back to the listener's address.
            let host = hub.cfg.public_host.clone().unwrap_or_else(|| {
                head.header("host")
                    .filter(|h| {
                        !h.is_empty()
                            && h.bytes().all(|b| {
                                b.is_ascii_alphanumeric()
                                    || matches!(b, b'.' | b'-' | b':' | b'[' | b']')
                            })
                    })
                    .map_or_else(|| local.to_string(), str::to_string)
            });
            rest::handle(hub, call, &host, tls, now)
        }
        Route::Admin(what) => {
            if !hub.cfg.admin || !peer.ip().is_loopback() {
                return Err(Rejection::new(
                    403,
                    "AccessDeniedException",
                    "admin calls are loopback-only",
                ));
            }
            admin(hub, what, head.query())
        }
    }
}

async fn read_body(body: Incoming, timeout: Duration) -> Result<Vec<u8>, Rejection> {
    let limited = Limited::new(body, MAX_BODY_LEN);
    match tokio::time::timeout(timeout, limited.collect()).await {
        Ok(Ok(c)) => Ok(c.to_bytes().to_vec()),
        Ok(Err(_)) => Err(Rejection::new(
            413,
            "InvalidArgumentException",
            "request body too large or malformed",
        )),
        Err(_) => Err(Rejection::new(
            408,
            "RequestTimeoutException",
            "request body timed out",
        )),
    }
}

/// `/_rtcam/go-away`, `/_rtcam/reconnect-ice-server` (`channel`, optional `client` or
/// `master`), `/_rtcam/media-storage` (`channel`, optional `stream`), `/_rtcam/stats`.
fn admin(hub: &Arc<Hub>, what: &str, query: &str) -> Result<Response<Body>, Rejection> {
    let q = request::parse_query(query)
        .ok_or_else(|| Rejection::new(400, "InvalidArgumentException", "malformed query"))?;
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n.as_ref() == k)
            .map(|(_, v)| v.to_string())
    };
    if what == "stats" {
        let s = hub.snapshot();
        return Ok(json_response(std::format!(
            "{{\"channels\":{},\"connections\":{},\"delivered\":{},\"statusResponses\":{},\"connectionsAccepted\":{},\"connectionsRefused\":{},\"restCalls\":{}}}",
            s.channels,
            s.connections,
            s.delivered,
            s.status_responses,
            s.connections_accepted,
            s.connections_refused,
            s.rest_calls
        )));
    }
    let channel = get("channel")
        .ok_or_else(|| Rejection::new(400, "InvalidArgumentException", "channel is required"))?;
    let peers = match (get("client"), get("master")) {
        (Some(c), _) => Peers::Viewer(c),
        (None, Some(_)) => Peers::Master,
        (None, None) => Peers::All,
    };
    let n = match what {
        "go-away" => hub.inject(
            &channel,
            &peers,
            "GO_AWAY",
            Some(hub.cfg.limits.go_away_grace),
        )?,
        "reconnect-ice-server" => hub.inject(&channel, &peers, "RECONNECT_ICE_SERVER", None)?,
        "media-storage" => {
            hub.set_media_storage(&channel, get("stream"))?;
            0
        }
        _ => {
            return Err(Rejection::new(
                404,
                "UnknownOperationException",
                "unknown admin call",
            ));
        }
    };
    Ok(json_response(std::format!("{{\"connections\":{n}}}")))
}
