//! Our blocking client against our local KVS-compatible server, over HTTPS/WSS on
//! 127.0.0.1 with the server's generated certificate as the only trusted root: every
//! lifecycle event of the issue (connect as master and viewer, offer/answer/candidates
//! with per-sender buffering, GO_AWAY, RECONNECT_ICE_SERVER, server drop, connection
//! cap, clock skew, wrong credentials, oversized payloads, endpoint cache file, storage
//! session, STATUS_RESPONSE).
//!
//! Run with `cargo test -p rtcam-signaling --features client,server --test client_server`.
#![cfg(all(feature = "client", feature = "server"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::time::{Duration, Instant};

use rtcam_signaling::client::credentials::{OwnedCredentials, StaticProvider};
use rtcam_signaling::client::tls::{RootSource, TlsOptions};
use rtcam_signaling::client::{
    ClientConfig, ClientError, ClientEvent, PeerMessage, ReconnectReason, SignalingClient,
};
use rtcam_signaling::policy::{FatalReason, PolicyConfig, Role};
use rtcam_signaling::server::{AccessKey, Config, Limits, Peers, Server, ServerHandle};

const KEY_ID: &str = "AKIDLOCALTEST";
const SECRET: &str = "local/secret+key";
const CHANNEL: &str = "cam-1";

fn server_with(f: impl FnOnce(&mut Config)) -> ServerHandle {
    let mut cfg = Config {
        tls: true,
        access_keys: vec![AccessKey {
            access_key_id: KEY_ID.into(),
            secret_access_key: SECRET.into(),
            session_token: None,
        }],
        turn_uris: vec!["turn:127.0.0.1:3478?transport=udp".into()],
        turn_secret: Some("turn-secret".into()),
        ..Config::default()
    };
    f(&mut cfg);
    let s = Server::start(cfg).unwrap();
    s.create_channel(CHANNEL).unwrap();
    s
}

fn server() -> ServerHandle {
    server_with(|_| {})
}

fn config(server: &ServerHandle, role: Role, client_id: &str) -> ClientConfig {
    let mut c = ClientConfig::new("us-west-2", CHANNEL, role, client_id);
    c.endpoint_override = Some(server.endpoint());
    // Trust exactly the server's certificate (plain mode: an unrelated one, unused).
    let pem = match server.certificate_pem() {
        Some(p) => p.to_string(),
        None => rcgen::generate_simple_self_signed(vec!["unused".to_string()])
            .unwrap()
            .cert
            .pem(),
    };
    c.tls = TlsOptions {
        roots: RootSource::ExtraOnly,
        ..TlsOptions::default()
    }
    .with_extra_roots_pem(pem.as_bytes())
    .unwrap();
    c.call_timeout = Duration::from_secs(5);
    c.seed = Some(7);
    c
}

fn creds(secret: &str) -> Box<StaticProvider> {
    Box::new(StaticProvider(OwnedCredentials::new(KEY_ID, secret, None)))
}

fn client(cfg: ClientConfig) -> SignalingClient {
    SignalingClient::new(cfg, creds(SECRET)).unwrap()
}

/// Polls until an event matches (others are collected), or panics after `secs`.
fn wait_for(
    c: &mut SignalingClient,
    secs: u64,
    what: &str,
    mut pred: impl FnMut(&ClientEvent) -> bool,
) -> (ClientEvent, Vec<ClientEvent>) {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut seen = Vec::new();
    while Instant::now() < end {
        match c.poll_event(Duration::from_millis(100)) {
            Ok(Some(ev)) if pred(&ev) => return (ev, seen),
            Ok(Some(ev)) => seen.push(ev),
            Ok(None) => {}
            Err(e) => panic!("waiting for {what}: {e} (seen {seen:?})"),
        }
    }
    panic!("no {what} within {secs} s; seen {seen:?}");
}

fn connected(c: &mut SignalingClient) {
    wait_for(c, 10, "Connected", |e| {
        matches!(e, ClientEvent::Connected { .. })
    });
}

/// Polls for `d`, returning every event.
fn drain(c: &mut SignalingClient, d: Duration) -> Vec<ClientEvent> {
    let end = Instant::now() + d;
    let mut out = Vec::new();
    while Instant::now() < end {
        if let Some(ev) = c.poll_event(Duration::from_millis(50)).unwrap() {
            out.push(ev);
        }
    }
    out
}

const OFFER: &[u8] = br#"{"type":"offer","sdp":"v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}"#;
const ANSWER: &[u8] = br#"{"type":"answer","sdp":"v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\n"}"#;

fn cand(n: u32) -> Vec<u8> {
    format!(
        r#"{{"candidate":"candidate:{n} 1 udp 2122260223 127.0.0.1 {} typ host","sdpMid":"0","sdpMLineIndex":0}}"#,
        50000 + n
    )
    .into_bytes()
}

#[test]
fn master_and_viewer_exchange_offer_answer_candidates() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    assert!(master.channel_arn().unwrap().contains(":channel/cam-1/"));
    assert_eq!(master.ice_servers().len(), 1);
    assert!(master.ice_servers()[0].username.is_some());
    let mut viewer = client(config(&srv, Role::Viewer, "viewer-1"));
    connected(&mut viewer);

    // The viewer trickles two candidates right behind its offer.
    viewer.send_offer(None, OFFER).unwrap();
    viewer.send_candidate(None, &cand(1)).unwrap();
    viewer.send_candidate(None, &cand(2)).unwrap();
    let (ev, _) = wait_for(&mut master, 5, "offer", |e| {
        matches!(e, ClientEvent::Offer(_))
    });
    let ClientEvent::Offer(PeerMessage { sender, payload }) = ev else {
        unreachable!()
    };
    assert_eq!(sender.as_deref(), Some("viewer-1"));
    assert_eq!(payload, OFFER);
    // Not applied yet: the candidates are held back.
    let early = drain(&mut master, Duration::from_millis(500));
    assert!(
        !early.iter().any(|e| matches!(e, ClientEvent::Candidate(_))),
        "{early:?}"
    );
    master.offer_applied(Some("viewer-1"));
    let mut got = Vec::new();
    for _ in 0..2 {
        let (ev, _) = wait_for(&mut master, 5, "candidate", |e| {
            matches!(e, ClientEvent::Candidate(_))
        });
        let ClientEvent::Candidate(m) = ev else {
            unreachable!()
        };
        assert_eq!(m.sender.as_deref(), Some("viewer-1"));
        got.push(m.payload);
    }
    assert_eq!(got, vec![cand(1), cand(2)], "arrival order kept");
    // A third candidate now comes straight through.
    viewer.send_candidate(None, &cand(3)).unwrap();
    let (ev, _) = wait_for(&mut master, 5, "candidate 3", |e| {
        matches!(e, ClientEvent::Candidate(_))
    });
    assert!(matches!(ev, ClientEvent::Candidate(m) if m.payload == cand(3)));

    // Answer + candidate back to the viewer.
    master.send_answer(Some("viewer-1"), ANSWER).unwrap();
    master.send_candidate(Some("viewer-1"), &cand(9)).unwrap();
    let (ev, _) = wait_for(&mut viewer, 5, "answer", |e| {
        matches!(e, ClientEvent::Answer(_))
    });
    let ClientEvent::Answer(m) = ev else {
        unreachable!()
    };
    assert_eq!(m.payload, ANSWER);
    viewer.offer_applied(m.sender.as_deref());
    let (ev, _) = wait_for(&mut viewer, 5, "master candidate", |e| {
        matches!(e, ClientEvent::Candidate(_))
    });
    assert!(matches!(ev, ClientEvent::Candidate(m) if m.payload == cand(9)));

    let mm = master.metrics();
    assert_eq!(mm.messages_sent, 2);
    assert_eq!(mm.messages_received, 4);
    assert_eq!(mm.offer_to_answer.samples(), 1);
    assert!(mm.control_plane_latency.average().is_some());
    assert!(mm.data_plane_latency.average().is_some());
    assert_eq!(viewer.metrics().messages_sent, 4);
    assert_eq!(master.candidates_dropped(), 0);
}

#[test]
fn go_away_mid_session_reconnects_and_keeps_relaying() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    let mut viewer = client(config(&srv, Role::Viewer, "viewer-1"));
    connected(&mut viewer);
    let before = master.api_requests();
    assert_eq!(srv.inject_go_away(CHANNEL, &Peers::Master).unwrap(), 1);
    let t = Instant::now();
    wait_for(&mut master, 5, "Reconnecting(GoAway)", |e| {
        *e == ClientEvent::Reconnecting(ReconnectReason::GoAway)
    });
    let (ev, seen) = wait_for(&mut master, 10, "reconnect", |e| {
        matches!(e, ClientEvent::Connected { .. })
    });
    assert_eq!(ev, ClientEvent::Connected { reconnect: true });
    assert!(
        t.elapsed() < Duration::from_secs(10),
        "well within a minute"
    );
    assert!(
        !seen.contains(&ClientEvent::Reconnecting(ReconnectReason::Closed)),
        "make-before-break: {seen:?}"
    );
    // GO_AWAY re-describes and re-fetches the endpoint.
    assert!(master.api_requests() >= before + 2);
    assert_eq!(master.metrics().go_aways, 1);
    assert_eq!(master.metrics().reconnects, 1);
    viewer.send_offer(None, OFFER).unwrap();
    wait_for(&mut master, 5, "offer after GO_AWAY", |e| {
        matches!(e, ClientEvent::Offer(_))
    });
}

#[test]
fn reconnect_ice_server_refetches_then_reconnects() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    let first = master.ice_servers().to_vec();
    let refreshes = master.metrics().ice_refreshes;
    assert_eq!(
        srv.inject_reconnect_ice_server(CHANNEL, &Peers::Master)
            .unwrap(),
        1
    );
    wait_for(&mut master, 5, "Reconnecting(ReconnectIceServer)", |e| {
        *e == ClientEvent::Reconnecting(ReconnectReason::ReconnectIceServer)
    });
    let (_, seen) = wait_for(&mut master, 10, "reconnect", |e| {
        matches!(e, ClientEvent::Connected { reconnect: true })
    });
    assert!(seen.contains(&ClientEvent::IceServersUpdated), "{seen:?}");
    assert_eq!(master.metrics().ice_refreshes, refreshes + 1);
    assert_eq!(master.ice_servers().len(), first.len());
}

#[test]
fn server_drop_backs_off_then_reconnects() {
    let srv = server();
    let addr = srv.local_addr();
    let pem = srv.certificate_pem().unwrap().to_string();
    let mut cfg = config(&srv, Role::Master, "master-1");
    let mut master = client(cfg.clone());
    connected(&mut master);
    srv.shutdown();
    wait_for(&mut master, 5, "Reconnecting(Closed)", |e| {
        *e == ClientEvent::Reconnecting(ReconnectReason::Closed)
    });
    // While the server is down: attempts back off (100 ms doubling, full jitter)
    // instead of spinning.
    let connects_before = master.wss_connects() + master.api_requests();
    drain(&mut master, Duration::from_secs(3));
    let attempts = master.wss_connects() + master.api_requests() - connects_before;
    eprintln!("{attempts} connection attempts in 3 s with the server down");
    assert!(
        (1..=12).contains(&attempts),
        "{attempts} attempts in 3 s while the server was down"
    );
    // The server comes back on the same port (a new process: new state, new ARN and a
    // new certificate the client is told to trust).
    let srv2 = server_with(|c| c.bind = addr);
    assert_ne!(srv2.certificate_pem().unwrap(), pem);
    drop(master);
    cfg.tls = TlsOptions {
        roots: RootSource::ExtraOnly,
        ..TlsOptions::default()
    }
    .with_extra_roots_pem(srv2.certificate_pem().unwrap().as_bytes())
    .unwrap();
    let mut master = client(cfg);
    connected(&mut master);
}

#[test]
fn server_drop_same_identity_reconnects_with_backoff() {
    // Plain ws/http so a restarted server is indistinguishable to the client.
    let srv = server_with(|c| c.tls = false);
    let addr = srv.local_addr();
    let mut cfg = config(&srv, Role::Master, "master-1");
    cfg.endpoint_override = Some(srv.endpoint());
    let mut master = client(cfg);
    connected(&mut master);
    srv.shutdown();
    wait_for(&mut master, 5, "Reconnecting(Closed)", |e| {
        *e == ClientEvent::Reconnecting(ReconnectReason::Closed)
    });
    drain(&mut master, Duration::from_secs(1));
    let _srv2 = server_with(|c| {
        c.bind = addr;
        c.tls = false;
    });
    let (ev, _) = wait_for(&mut master, 20, "reconnect", |e| {
        matches!(e, ClientEvent::Connected { .. })
    });
    assert_eq!(ev, ClientEvent::Connected { reconnect: true });
    let m = master.metrics();
    assert_eq!(m.unexpected_disconnects, 1);
    assert_eq!(m.reconnects, 1);
    assert!(m.errors >= 1);
}

#[test]
fn short_connection_cap_rotates_before_it() {
    let cap = Duration::from_secs(6);
    let srv = server_with(|c| {
        c.limits = Limits {
            max_connection_duration: cap,
            ..Limits::default()
        }
    });
    let mut cfg = config(&srv, Role::Master, "master-1");
    cfg.policy = PolicyConfig {
        max_connection_age: cap,
        rotate_margin: Duration::from_secs(2),
        ..PolicyConfig::DEFAULT
    };
    let mut master = client(cfg);
    connected(&mut master);
    let t = Instant::now();
    let (ev, seen) = wait_for(&mut master, 10, "rotation", |e| {
        matches!(e, ClientEvent::Connected { .. })
    });
    let after = t.elapsed();
    assert_eq!(ev, ClientEvent::Connected { reconnect: true });
    assert!(
        after >= Duration::from_secs(3) && after < cap,
        "rotated after {after:?}"
    );
    assert!(
        !seen.contains(&ClientEvent::Reconnecting(ReconnectReason::Closed)),
        "{seen:?}"
    );
    // And again: the new connection is rotated too; the server never cuts one.
    wait_for(&mut master, 10, "second rotation", |e| {
        matches!(e, ClientEvent::Connected { .. })
    });
    assert_eq!(master.metrics().unexpected_disconnects, 0);
}

#[test]
fn clock_ten_minutes_off_is_corrected_once() {
    let srv = server();
    let mut cfg = config(&srv, Role::Master, "master-1");
    cfg.clock_error_secs = -600;
    let mut master = client(cfg);
    connected(&mut master);
    let off = master.clock_offset_secs();
    assert!((595..=605).contains(&off), "offset {off}");
    let m = master.metrics();
    assert_eq!(m.clock_corrections, 1);
    // Describe refused once, then Describe, GetEndpoint, GetIceServerConfig.
    assert_eq!(master.api_requests(), 4);
    assert_eq!(master.wss_connects(), 1);
}

#[test]
fn wrong_secret_is_fatal_without_retry_storm() {
    let srv = server();
    let mut c =
        SignalingClient::new(config(&srv, Role::Master, "master-1"), creds("wrong")).unwrap();
    let (ev, _) = wait_for(&mut c, 5, "Fatal", |e| {
        matches!(e, ClientEvent::Fatal { .. })
    });
    let ClientEvent::Fatal { reason, detail } = ev else {
        unreachable!()
    };
    assert_eq!(reason, FatalReason::InvalidSignature);
    assert!(detail.contains("DescribeSignalingChannel"), "{detail}");
    assert!(detail.contains("403"), "{detail}");
    // Stays down: no further requests, every call says why.
    std::thread::sleep(Duration::from_secs(2));
    for _ in 0..3 {
        match c.poll_event(Duration::from_millis(200)) {
            Err(ClientError::Fatal { reason, .. }) => {
                assert_eq!(reason, FatalReason::InvalidSignature)
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(c.api_requests(), 1);
    assert_eq!(srv.stats().rest_calls, 1);
    assert!(matches!(
        c.send_offer(Some("v"), OFFER),
        Err(ClientError::Fatal { .. })
    ));

    // An unknown access key: access denied, also at once.
    let provider = Box::new(StaticProvider(OwnedCredentials::new(
        "AKIDUNKNOWN",
        SECRET,
        None,
    )));
    let mut c = SignalingClient::new(config(&srv, Role::Viewer, "viewer-1"), provider).unwrap();
    let (ev, _) = wait_for(&mut c, 5, "Fatal", |e| {
        matches!(e, ClientEvent::Fatal { .. })
    });
    assert!(matches!(
        ev,
        ClientEvent::Fatal {
            reason: FatalReason::AccessDenied,
            ..
        }
    ));
    assert_eq!(c.api_requests(), 1);
}

#[test]
fn oversized_payload_refused_locally() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    let sdp = format!(r#"{{"type":"answer","sdp":"{}"}}"#, "a".repeat(8000));
    match master.send_answer(Some("viewer-1"), sdp.as_bytes()) {
        Err(e @ ClientError::PayloadTooLarge { len, max }) => {
            assert!(len > max && max == 10 * 1024);
            assert!(e.to_string().contains("too large"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // 7 KB of JSON (just under 10 KB of base64) still goes.
    let ok = format!(r#"{{"type":"answer","sdp":"{}"}}"#, "a".repeat(7000));
    master.send_answer(Some("viewer-1"), ok.as_bytes()).unwrap();
    assert!(matches!(
        master.send_answer(None, ANSWER),
        Err(ClientError::MissingRecipient)
    ));
    assert!(matches!(
        master.send_answer(Some("AWS_reserved"), ANSWER),
        Err(ClientError::Invalid(_))
    ));
    assert_eq!(master.metrics().messages_sent, 1);
}

#[test]
fn refused_message_comes_back_as_status_response() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    // No viewer "ghost" is connected: the server refuses with the correlation id.
    let id = master.send_answer(Some("ghost"), ANSWER).unwrap();
    let (ev, _) = wait_for(&mut master, 5, "STATUS_RESPONSE", |e| {
        matches!(e, ClientEvent::StatusResponse { .. })
    });
    let ClientEvent::StatusResponse {
        correlation_id,
        status_code,
        ..
    } = ev
    else {
        unreachable!()
    };
    assert_eq!(correlation_id.as_deref(), Some(id.as_str()));
    assert!(status_code.is_some_and(|s| s >= 400));
}

#[test]
fn candidates_are_rate_limited_not_dropped() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    let mut viewer = client(config(&srv, Role::Viewer, "viewer-1"));
    connected(&mut viewer);
    viewer.send_offer(None, OFFER).unwrap();
    wait_for(&mut master, 5, "offer", |e| {
        matches!(e, ClientEvent::Offer(_))
    });
    master.offer_applied(Some("viewer-1"));
    // 40 candidates at once: the client paces them (≤ 20/s), the server drops none.
    let t = Instant::now();
    for n in 0..40 {
        viewer.send_candidate(None, &cand(n)).unwrap();
    }
    let mut got = 0;
    let end = Instant::now() + Duration::from_secs(10);
    while got < 40 && Instant::now() < end {
        if let Some(ClientEvent::Candidate(_)) =
            viewer.poll_event(Duration::from_millis(20)).unwrap()
        {
            panic!("viewer got a candidate");
        }
        while let Some(ev) = master.poll_event(Duration::from_millis(1)).unwrap() {
            if matches!(ev, ClientEvent::Candidate(_)) {
                got += 1;
            }
        }
    }
    assert_eq!(got, 40);
    assert!(
        t.elapsed() >= Duration::from_millis(1500),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(srv.stats().status_responses, 0, "nothing refused for rate");
}

#[test]
fn endpoint_cache_file_skips_describe_and_get_endpoint() {
    let srv = server();
    let dir = std::env::temp_dir().join(format!("rtcam-client-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut cfg = config(&srv, Role::Master, "master-1");
    cfg.cache_file = Some(dir.join("endpoints.json"));
    let mut first = client(cfg.clone());
    connected(&mut first);
    assert_eq!(first.api_requests(), 3);
    first.close();
    drop(first);
    let mut second = client(cfg);
    connected(&mut second);
    // Only GetIceServerConfig: the ARN and endpoints came from the file.
    assert_eq!(second.api_requests(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn storage_session_master_joins_after_connecting() {
    let srv = server();
    srv.set_media_storage(
        CHANNEL,
        Some("arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1/1234567890123"),
    )
    .unwrap();
    let mut cfg = config(&srv, Role::Master, "master-1");
    cfg.storage = true;
    let mut master = client(cfg);
    let (_, seen) = wait_for(&mut master, 10, "StorageSessionJoined", |e| {
        *e == ClientEvent::StorageSessionJoined
    });
    assert!(
        seen.iter()
            .any(|e| matches!(e, ClientEvent::Connected { .. })),
        "{seen:?}"
    );
    let joins = srv.storage_joins(CHANNEL);
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].client_id, None);
    // The one-off control-plane calls work through the same client.
    let creds = master.credentials().unwrap();
    let m = master
        .control_plane()
        .describe_media_storage(&creds, rtcam_signaling::api::ChannelRef::Name(CHANNEL))
        .unwrap();
    assert!(m.enabled);
    assert_eq!(master.metrics().storage_joins, 1);
}

#[test]
fn control_plane_create_describe_delete() {
    let srv = server();
    let mut c = client(config(&srv, Role::Master, "master-1"));
    let creds = c.credentials().unwrap();
    let cp = c.control_plane();
    let arn = cp.create_channel(&creds, "new-chan", 60).unwrap();
    let d = cp
        .describe_channel(&creds, rtcam_signaling::api::ChannelRef::Arn(&arn))
        .unwrap();
    assert_eq!(d.name, "new-chan");
    assert_eq!(d.message_ttl_seconds, Some(60));
    let e = cp
        .get_endpoints(
            &creds,
            &arn,
            rtcam_signaling::api::ChannelRole::Viewer,
            true,
        )
        .unwrap();
    assert!(e.wss.unwrap().starts_with("wss://127.0.0.1:"));
    assert!(e.webrtc.is_some());
    cp.delete_channel(&creds, &arn, d.version.as_deref())
        .unwrap();
    let gone = cp
        .describe_channel(&creds, rtcam_signaling::api::ChannelRef::Name("new-chan"))
        .unwrap_err();
    assert_eq!(
        gone.outcome(),
        rtcam_signaling::policy::CallOutcome::NotFound,
        "{gone}"
    );
    // Deleting again: a 404 means gone, which is what was asked.
    cp.delete_channel(&creds, &arn, None).unwrap();
}

#[test]
fn ice_servers_refreshed_before_their_ttl_without_reconnecting() {
    let srv = server_with(|c| c.turn_ttl = Duration::from_secs(4));
    let mut master = client(config(&srv, Role::Master, "master-1"));
    connected(&mut master);
    assert_eq!(master.ice_servers()[0].ttl, Some(4));
    let first = master.ice_servers()[0].username.clone();
    // TTL 4 s: refetched at half the TTL (it is shorter than a minute), twice in ~5 s.
    let events = drain(&mut master, Duration::from_secs(5));
    let updates = events
        .iter()
        .filter(|e| **e == ClientEvent::IceServersUpdated)
        .count();
    assert!((2..=3).contains(&updates), "{events:?}");
    assert!(
        !events.iter().any(|e| matches!(
            e,
            ClientEvent::Connected { .. } | ClientEvent::Reconnecting(_)
        )),
        "{events:?}"
    );
    assert!(master.metrics().ice_refreshes >= 3);
    // Fresh TURN credentials (the username carries the expiry).
    assert_ne!(master.ice_servers()[0].username, first);
}

/// Hands out the server's key with a short expiry, counting fetches.
struct ShortLived {
    fetches: std::sync::Arc<std::sync::atomic::AtomicU32>,
    lifetime: Duration,
}

impl rtcam_signaling::client::credentials::CredentialsProvider for ShortLived {
    fn credentials(
        &mut self,
    ) -> Result<OwnedCredentials, rtcam_signaling::client::credentials::CredentialsError> {
        self.fetches
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let mut c = OwnedCredentials::new(KEY_ID, SECRET, None);
        c.expires_at = Some(std::time::SystemTime::now() + self.lifetime);
        Ok(c)
    }
}

#[test]
fn expiring_credentials_are_refreshed_while_connected() {
    let srv = server();
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let provider = Box::new(ShortLived {
        fetches: fetches.clone(),
        lifetime: Duration::from_secs(6),
    });
    let mut viewer =
        SignalingClient::new(config(&srv, Role::Viewer, "viewer-7"), provider).unwrap();
    connected(&mut viewer);
    let events = drain(&mut viewer, Duration::from_secs(5));
    // 6 s lifetime: refreshed half-way (it is shorter than the 5-minute margin).
    let n = fetches.load(std::sync::atomic::Ordering::SeqCst);
    assert!(n >= 2, "{n} fetches");
    assert!(viewer.metrics().credential_refreshes >= 1);
    assert!(viewer.is_connected(), "{events:?}");
}

/// A device clock 10 minutes slow: once the skew is learned, credential expiry (the
/// service's time) is judged on the corrected clock, so short-lived credentials are
/// still refreshed before they expire, not 10 minutes late.
#[test]
fn expiring_credentials_are_refreshed_on_the_corrected_clock() {
    let srv = server();
    let fetches = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let provider = Box::new(ShortLived {
        fetches: fetches.clone(),
        lifetime: Duration::from_secs(6),
    });
    let mut cfg = config(&srv, Role::Viewer, "viewer-8");
    cfg.clock_error_secs = -600;
    let mut viewer = SignalingClient::new(cfg, provider).unwrap();
    connected(&mut viewer);
    assert!((595..=605).contains(&viewer.clock_offset_secs()));
    let before = viewer.metrics().credential_refreshes;
    let events = drain(&mut viewer, Duration::from_secs(5));
    let after = viewer.metrics().credential_refreshes;
    assert!(
        after > before,
        "no refresh in 5 s of a 6 s lifetime: {events:?}"
    );
    assert!(viewer.is_connected(), "{events:?}");
}

#[test]
fn storage_session_viewer_joins_as_viewer() {
    let srv = server();
    srv.set_media_storage(
        CHANNEL,
        Some("arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1/1234567890123"),
    )
    .unwrap();
    let mut cfg = config(&srv, Role::Viewer, "viewer-9");
    cfg.storage = true;
    let mut viewer = client(cfg);
    wait_for(&mut viewer, 10, "StorageSessionJoined", |e| {
        *e == ClientEvent::StorageSessionJoined
    });
    let joins = srv.storage_joins(CHANNEL);
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].client_id.as_deref(), Some("viewer-9"));
}

/// `poll_event(Duration::MAX)` ("block until something happens") must not overflow the
/// `Instant` deadline: it returns the first event like any other wait.
#[test]
fn poll_event_with_huge_wait_does_not_overflow() {
    let srv = server();
    let mut master = client(config(&srv, Role::Master, "master-1"));
    let ev = master.poll_event(Duration::MAX).unwrap();
    assert!(ev.is_some(), "{ev:?}");
}
