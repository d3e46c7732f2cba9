//! The local KVS-compatible server, end to end over real sockets: REST calls signed by
//! our signer, WebSocket peers presigned by it, every refusal the service makes.

#![cfg(feature = "server")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod server_support;

use std::time::Duration;

use hmac::{Hmac, Mac};
use rtcam_signaling::server::{Limits, Peers};
use server_support::*;

const OFFER: &str = r#"{"type":"offer","sdp":"v=0\r\n"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_happy_paths() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let r = post(
        &t,
        "/createSignalingChannel",
        r#"{"ChannelName":"cam-1","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":30},"Tags":[{"Key":"k","Value":"v"}]}"#,
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.header("date").unwrap().ends_with(" GMT"));
    let arn = r.json()["ChannelARN"].as_str().unwrap().to_string();
    assert!(
        arn.starts_with("arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/"),
        "{arn}"
    );
    assert_eq!(arn.rsplit('/').next().unwrap().len(), 13);

    // Describe by name and by ARN.
    let by_name = post(
        &t,
        "/describeSignalingChannel",
        r#"{"ChannelName":"cam-1"}"#,
    )
    .await;
    assert_eq!(by_name.status, 200, "{by_name:?}");
    let info = &by_name.json()["ChannelInfo"];
    assert_eq!(info["ChannelARN"], arn.as_str());
    assert_eq!(info["ChannelStatus"], "ACTIVE");
    assert_eq!(info["ChannelType"], "SINGLE_MASTER");
    assert_eq!(info["SingleMasterConfiguration"]["MessageTtlSeconds"], 30);
    assert!(info["CreationTime"].as_f64().unwrap() > 1.6e9);
    let version = info["Version"].as_str().unwrap().to_string();
    let by_arn = post(
        &t,
        "/describeSignalingChannel",
        &format!(r#"{{"ChannelARN":"{arn}"}}"#),
    )
    .await;
    assert_eq!(by_arn.json()["ChannelInfo"]["ChannelName"], "cam-1");

    // Endpoints point back at this server.
    let ep = post(
        &t,
        "/getSignalingChannelEndpoint",
        &format!(
            r#"{{"ChannelARN":"{arn}","SingleMasterChannelEndpointConfiguration":{{"Protocols":["WSS","HTTPS","WEBRTC"],"Role":"MASTER"}}}}"#
        ),
    )
    .await;
    assert_eq!(ep.status, 200, "{ep:?}");
    let list = ep.json()["ResourceEndpointList"]
        .as_array()
        .unwrap()
        .clone();
    let get = |p: &str| {
        list.iter()
            .find(|e| e["Protocol"] == p)
            .map(|e| e["ResourceEndpoint"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(get("WSS"), format!("ws://{}", t.host()));
    assert_eq!(get("HTTPS"), format!("http://{}", t.host()));
    assert_eq!(get("WEBRTC"), format!("http://{}", t.host()));

    // Media storage: disabled, then enabled through the handle.
    let ms_body = format!(r#"{{"ChannelARN":"{arn}"}}"#);
    let ms = post(&t, "/describeMediaStorageConfiguration", &ms_body).await;
    assert_eq!(ms.status, 200, "{ms:?}");
    assert_eq!(ms.json()["MediaStorageConfiguration"]["Status"], "DISABLED");
    let stream = "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1/1700000000000";
    h.set_media_storage("cam-1", Some(stream)).unwrap();
    let ms = post(&t, "/describeMediaStorageConfiguration", &ms_body).await;
    assert_eq!(ms.json()["MediaStorageConfiguration"]["Status"], "ENABLED");
    assert_eq!(ms.json()["MediaStorageConfiguration"]["StreamARN"], stream);

    // JoinStorageSession needs the master connected; then it is recorded.
    let join = format!(r#"{{"channelArn":"{arn}"}}"#);
    let r = post(&t, "/joinStorageSession", &join).await;
    assert_eq!(r.status, 400, "{r:?}");
    let _master = ws_connect(&t, &arn, None).await.unwrap();
    let r = post(&t, "/joinStorageSession", &join).await;
    assert_eq!(r.status, 200, "{r:?}");
    let joins = h.storage_joins("cam-1");
    assert_eq!(joins.len(), 1);
    assert_eq!(joins[0].client_id, None);

    // ICE servers with verifiable TURN REST credentials.
    let ice = post(
        &t,
        "/v1/get-ice-server-config",
        &format!(r#"{{"ChannelARN":"{arn}","ClientId":"viewer-7","Service":"TURN"}}"#),
    )
    .await;
    assert_eq!(ice.status, 200, "{ice:?}");
    let servers = ice.json()["IceServerList"].as_array().unwrap().clone();
    let turn = &servers[0];
    assert_eq!(turn["Uris"][0], "turn:127.0.0.1:3478?transport=udp");
    assert_eq!(turn["Ttl"], 300);
    let user = turn["Username"].as_str().unwrap();
    let (expiry, who) = user.split_once(':').unwrap();
    assert_eq!(who, "viewer-7");
    let expiry: u64 = expiry.parse().unwrap();
    assert!(expiry.abs_diff(now() + 300) <= 2, "{expiry}");
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(TURN_SECRET.as_bytes()).unwrap();
    mac.update(user.as_bytes());
    let want = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    };
    assert_eq!(turn["Password"], want.as_str());
    assert!(
        servers
            .iter()
            .any(|s| s["Uris"][0] == "stun:127.0.0.1:3478")
    );
    // The longest client id still yields a username our (and the C SDK's) 256-byte limit
    // accepts: the answer parses.
    let long_id = "v".repeat(256);
    let ice = post(
        &t,
        "/v1/get-ice-server-config",
        &format!(r#"{{"ChannelARN":"{arn}","ClientId":"{long_id}","Service":"TURN"}}"#),
    )
    .await;
    assert_eq!(ice.status, 200, "{ice:?}");
    rtcam_signaling::api::IceServerList::parse(ice.body.as_bytes()).expect("parses");

    // Delete with the current version; then it is gone.
    let r = post(
        &t,
        "/deleteSignalingChannel",
        &format!(r#"{{"ChannelARN":"{arn}","CurrentVersion":"{version}x"}}"#),
    )
    .await;
    // The version changed when storage was enabled, and `x` makes it wrong anyway.
    assert_eq!(
        (r.status, r.error_type()),
        (400, "VersionMismatchException")
    );
    let cur = post(
        &t,
        "/describeSignalingChannel",
        r#"{"ChannelName":"cam-1"}"#,
    )
    .await;
    let cur = cur.json()["ChannelInfo"]["Version"]
        .as_str()
        .unwrap()
        .to_string();
    let r = post(
        &t,
        "/deleteSignalingChannel",
        &format!(r#"{{"ChannelARN":"{arn}","CurrentVersion":"{cur}"}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = post(
        &t,
        "/describeSignalingChannel",
        r#"{"ChannelName":"cam-1"}"#,
    )
    .await;
    assert_eq!(
        (r.status, r.error_type()),
        (404, "ResourceNotFoundException")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_errors() {
    let mut cfg = config();
    cfg.limits.max_channels = 2;
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "one").await;

    // 404 unknown channel, by name and by ARN.
    let r = post(&t, "/describeSignalingChannel", r#"{"ChannelName":"nope"}"#).await;
    assert_eq!(
        (r.status, r.error_type()),
        (404, "ResourceNotFoundException"),
        "{r:?}"
    );
    assert!(r.json()["Message"].as_str().is_some() || r.json()["message"].as_str().is_some());
    let other = arn.replace("/one/", "/two/");
    let r = post(
        &t,
        "/getSignalingChannelEndpoint",
        &format!(r#"{{"ChannelARN":"{other}","SingleMasterChannelEndpointConfiguration":{{"Protocols":["WSS"],"Role":"VIEWER"}}}}"#),
    )
    .await;
    assert_eq!(r.status, 404, "{r:?}");

    // 400 invalid argument: bad name grammar, bad JSON, bad TTL.
    for body in [
        r#"{"ChannelName":"bad name!"}"#,
        r#"{"ChannelName":"#,
        r#"{"ChannelName":"ok","SingleMasterConfiguration":{"MessageTtlSeconds":100000}}"#,
    ] {
        let r = post(&t, "/createSignalingChannel", body).await;
        assert_eq!(
            (r.status, r.error_type()),
            (400, "InvalidArgumentException"),
            "{body}: {r:?}"
        );
    }
    // 400 resource in use, then the channel cap.
    let r = post(&t, "/createSignalingChannel", r#"{"ChannelName":"one"}"#).await;
    assert_eq!((r.status, r.error_type()), (400, "ResourceInUseException"));
    create_channel(&t, "two").await;
    let r = post(&t, "/createSignalingChannel", r#"{"ChannelName":"three"}"#).await;
    assert_eq!(
        (r.status, r.error_type()),
        (400, "AccountChannelLimitExceededException"),
        "{r:?}"
    );

    // 403 wrong secret, unknown key, no signature.
    let body = r#"{"ChannelName":"one"}"#;
    let r = post_as(
        &t,
        "/describeSignalingChannel",
        body,
        KEY_ID,
        "wrong",
        now(),
    )
    .await;
    assert_eq!(
        (r.status, r.error_type()),
        (403, "InvalidSignatureException"),
        "{r:?}"
    );
    assert!(r.body.contains("does not match"), "{}", r.body);
    let r = post_as(
        &t,
        "/describeSignalingChannel",
        body,
        "AKIDOTHER",
        SECRET,
        now(),
    )
    .await;
    assert_eq!(
        (r.status, r.error_type()),
        (403, "UnrecognizedClientException"),
        "{r:?}"
    );
    let raw = format!(
        "POST /describeSignalingChannel HTTP/1.1\r\nhost: {}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        t.host(),
        body.len()
    );
    let r = raw_exchange(&t, raw.as_bytes()).await;
    assert_eq!(
        (r.status, r.error_type()),
        (403, "MissingAuthenticationTokenException")
    );

    // 403 signature expired with a clock 10 minutes slow, not yet current 10 minutes fast;
    // the Date header lets the client correct itself.
    let r = post_as(
        &t,
        "/describeSignalingChannel",
        body,
        KEY_ID,
        SECRET,
        now() - 600,
    )
    .await;
    assert_eq!(
        (r.status, r.error_type()),
        (403, "InvalidSignatureException")
    );
    assert!(r.body.contains("Signature expired"), "{}", r.body);
    assert!(r.header("date").is_some());
    let r = post_as(
        &t,
        "/describeSignalingChannel",
        body,
        KEY_ID,
        SECRET,
        now() + 600,
    )
    .await;
    assert_eq!(r.status, 403);
    assert!(r.body.contains("Signature not yet current"), "{}", r.body);
    // 4 minutes off is still accepted.
    let r = post_as(
        &t,
        "/describeSignalingChannel",
        body,
        KEY_ID,
        SECRET,
        now() - 240,
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");

    // A tampered body breaks the signature.
    let host = t.host();
    let good = post_signed_raw(&host, "/describeSignalingChannel", body);
    let bad = good.replace("\"one\"", "\"two\"");
    let r = raw_exchange(&t, bad.as_bytes()).await;
    assert_eq!(r.status, 403, "{r:?}");

    // Unknown operation and garbage.
    let r = post(&t, "/listSignalingChannels", "{}").await;
    assert_eq!(r.status, 404);
    let r = raw_exchange(&t, b"\x16\x03\x01 not http at all\r\n\r\n").await;
    assert!(r.status >= 400);
}

fn post_signed_raw(host: &str, path: &str, body: &str) -> String {
    use rtcam_signaling::{RestRequest, Scope, SigningKey, UtcTime, sign_kvs_post};
    let time = UtcTime::from_unix_seconds(now()).unwrap();
    let scope = Scope::kvs(REGION);
    let key = SigningKey::derive(SECRET, time, scope);
    let mut auth = String::new();
    let amz = sign_kvs_post(
        &creds(),
        &key,
        time,
        scope,
        &RestRequest {
            host,
            path,
            body: body.as_bytes(),
            content_type: None,
        },
        &mut auth,
    )
    .unwrap();
    format!(
        "POST {path} HTTP/1.1\r\nhost: {host}\r\nx-amz-date: {amz}\r\nauthorization: {auth}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_limit_exceeded_on_api_rate() {
    let mut cfg = config();
    cfg.limits.api_calls_per_sec = 3;
    let h = start(cfg).await;
    let t = Target::plain(&h);
    // Eight calls at once against a bucket of three per second.
    let calls = (0..8).map(|_| post(&t, "/describeSignalingChannel", r#"{"ChannelName":"x"}"#));
    let mut limited = 0;
    for r in futures_util::future::join_all(calls).await {
        if r.status == 400 && r.error_type() == "ClientLimitExceededException" {
            limited += 1;
        } else {
            assert_eq!(r.status, 404, "{r:?}");
        }
    }
    assert!(limited >= 3, "{limited} of 8 throttled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_routing_both_ways() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "route").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewer = ws_connect(&t, &arn, Some("viewer-1")).await.unwrap();

    // Viewer → master, C SDK casing; the recipient a viewer names is ignored.
    send(
        &mut viewer,
        &format!(
            r#"{{"action":"SDP_OFFER","RecipientClientId":"someone","MessagePayload":"{}","CorrelationId":"c1"}}"#,
            b64(OFFER)
        ),
    )
    .await;
    let m = next_json(&mut master).await;
    assert_eq!(m["senderClientId"], "viewer-1");
    assert_eq!(m["messageType"], "SDP_OFFER");
    assert_eq!(unb64(m["messagePayload"].as_str().unwrap()), OFFER);

    // Master → viewer, JS SDK casing.
    send(
        &mut master,
        &format!(
            r#"{{"action":"SDP_ANSWER","recipientClientId":"viewer-1","messagePayload":"{}","correlationId":"c2"}}"#,
            b64(r#"{"type":"answer","sdp":"v=0\r\n"}"#)
        ),
    )
    .await;
    let m = next_json(&mut viewer).await;
    assert_eq!(m["messageType"], "SDP_ANSWER");
    assert_eq!(m["senderClientId"], "");
    send(
        &mut master,
        &format!(
            r#"{{"action":"ICE_CANDIDATE","RecipientClientId":"viewer-1","MessagePayload":"{}"}}"#,
            b64(r#"{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}"#)
        ),
    )
    .await;
    assert_eq!(next_json(&mut viewer).await["messageType"], "ICE_CANDIDATE");

    // Refusals answered with STATUS_RESPONSE carrying the correlation id.
    let cases = [
        (
            format!(r#"{{"action":"SDP_OFFER","RecipientClientId":"ghost","MessagePayload":"{}","CorrelationId":"unknown-recipient"}}"#, b64(OFFER)),
            "unknown-recipient",
        ),
        (
            format!(r#"{{"action":"SDP_OFFER","MessagePayload":"{}","CorrelationId":"no-recipient"}}"#, b64(OFFER)),
            "no-recipient",
        ),
        (
            format!(r#"{{"action":"SDP_OFFER","RecipientClientId":"viewer-1","MessagePayload":"{}","CorrelationId":"too-large"}}"#, "A".repeat(10 * 1024 + 4)),
            "too-large",
        ),
        (
            r#"{"action":"BOGUS","MessagePayload":"QQ==","CorrelationId":"bad-action"}"#.to_string(),
            "bad-action",
        ),
        (
            r#"{"action":"SDP_OFFER","RecipientClientId":"viewer-1","MessagePayload":"not base64!","CorrelationId":"bad-b64"}"#.to_string(),
            "bad-b64",
        ),
        (
            r#"{"action":"SDP_OFFER","CorrelationId":"bad-json","MessagePayload":"#.to_string(),
            "bad-json",
        ),
    ];
    for (msg, corr) in &cases {
        send(&mut master, msg).await;
        let m = next_json(&mut master).await;
        assert_eq!(m["messageType"], "STATUS_RESPONSE", "{corr}: {m}");
        let s = &m["statusResponse"];
        assert_eq!(s["correlationId"], *corr, "{m}");
        assert_eq!(s["statusCode"], "400");
        assert_eq!(s["errorType"], "InvalidArgumentException", "{m}");
        assert!(s["description"].as_str().unwrap().len() > 5);
    }
    // Without a correlation id a refusal is silent, and the connection keeps working.
    send(
        &mut master,
        r#"{"action":"SDP_OFFER","MessagePayload":"QQ=="}"#,
    )
    .await;
    assert!(
        next_text(&mut master, Duration::from_millis(300))
            .await
            .is_none()
    );
    send(
        &mut viewer,
        &format!(
            r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}"}}"#,
            b64("{}")
        ),
    )
    .await;
    assert_eq!(next_json(&mut master).await["senderClientId"], "viewer-1");
    // Pings are answered with pongs carrying the same data.
    {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        master.send(Message::Ping(vec![7, 7].into())).await.unwrap();
        let pong = tokio::time::timeout(Duration::from_secs(2), master.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(pong, Message::Pong(vec![7, 7].into()));
    }
    let st = h.stats();
    assert_eq!(st.connections, 2);
    assert!(st.status_responses >= 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_message_waits_for_master_within_ttl() {
    let mut cfg = config();
    cfg.limits.pending_per_channel = 2;
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "early").await;
    let mut viewer = ws_connect(&t, &arn, Some("v")).await.unwrap();
    for i in 0..3 {
        send(
            &mut viewer,
            &format!(
                r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}","CorrelationId":"p{i}"}}"#,
                b64(&format!("{{\"n\":{i}}}"))
            ),
        )
        .await;
    }
    // The held queue is bounded: the third is refused.
    let m = next_json(&mut viewer).await;
    assert_eq!(m["statusResponse"]["correlationId"], "p2", "{m}");
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    for i in 0..2 {
        let m = next_json(&mut master).await;
        assert_eq!(
            (m["senderClientId"].as_str(), m["messageType"].as_str()),
            (Some("v"), Some("ICE_CANDIDATE"))
        );
        assert_eq!(
            unb64(m["messagePayload"].as_str().unwrap()),
            format!("{{\"n\":{i}}}")
        );
    }
}

/// Held messages share one server-wide byte budget: a second masterless channel cannot
/// add to it once it is spent, and a master draining its channel gives the bytes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_messages_share_one_byte_budget() {
    let mut cfg = config();
    // One ~85-byte held delivery fits, two do not.
    cfg.limits.pending_bytes_total = 120;
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let (a, b) = (
        create_channel(&t, "held-a").await,
        create_channel(&t, "held-b").await,
    );
    let candidate = |id: &str| {
        format!(
            r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}","CorrelationId":"{id}"}}"#,
            b64("{\"n\":0}")
        )
    };
    let mut va = ws_connect(&t, &a, Some("v")).await.unwrap();
    let mut vb = ws_connect(&t, &b, Some("v")).await.unwrap();
    send(&mut va, &candidate("a1")).await;
    assert!(
        next_text(&mut va, Duration::from_millis(300))
            .await
            .is_none()
    );
    send(&mut vb, &candidate("b1")).await;
    let m = next_json(&mut vb).await;
    assert_eq!(m["statusResponse"]["correlationId"], "b1", "{m}");
    // Channel A's master takes its held message; B's fits now.
    let mut ma = ws_connect(&t, &a, None).await.unwrap();
    assert_eq!(next_json(&mut ma).await["messageType"], "ICE_CANDIDATE");
    send(&mut vb, &candidate("b2")).await;
    assert!(
        next_text(&mut vb, Duration::from_millis(300))
            .await
            .is_none()
    );
    let mut mb = ws_connect(&t, &b, None).await.unwrap();
    assert_eq!(next_json(&mut mb).await["messageType"], "ICE_CANDIDATE");
}

/// Many peers at once: every message arrives, in order per sender, and nothing is
/// left queued.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_viewers_concurrent_traffic() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "busy").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut tasks = Vec::new();
    for v in 0..10 {
        let (t, arn) = (t.clone(), arn.clone());
        tasks.push(tokio::spawn(async move {
            let id = format!("v{v}");
            let mut ws = ws_connect(&t, &arn, Some(&id)).await.unwrap();
            for i in 0..20 {
                send(
                    &mut ws,
                    &format!(
                        r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}"}}"#,
                        b64(&format!("{id}/{i}"))
                    ),
                )
                .await;
            }
            // Then the master's 5 answers to this viewer.
            let mut got = 0;
            while let Some(text) = next_text(&mut ws, Duration::from_secs(20)).await {
                let m: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    unb64(m["messagePayload"].as_str().unwrap()),
                    format!("to {id}/{got}")
                );
                got += 1;
                if got == 5 {
                    break;
                }
            }
            got
        }));
    }
    let mut next = std::collections::HashMap::new();
    for _ in 0..200 {
        let m = next_json(&mut master).await;
        let sender = m["senderClientId"].as_str().unwrap().to_string();
        let n = next.entry(sender.clone()).or_insert(0);
        assert_eq!(
            unb64(m["messagePayload"].as_str().unwrap()),
            format!("{sender}/{n}")
        );
        *n += 1;
        if *n == 20 {
            for i in 0..5 {
                send(
                    &mut master,
                    &format!(
                        r#"{{"action":"ICE_CANDIDATE","RecipientClientId":"{sender}","MessagePayload":"{}"}}"#,
                        b64(&format!("to {sender}/{i}"))
                    ),
                )
                .await;
                // Stay under the master's 20 candidates per second.
                tokio::time::sleep(Duration::from_millis(55)).await;
            }
        }
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 5);
    }
    assert!(next.values().all(|&n| n == 20));
    assert_eq!(h.stats().delivered, 250);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewer_limit_and_replacement() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "crowd").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewers = Vec::new();
    for i in 0..10 {
        viewers.push(ws_connect(&t, &arn, Some(&format!("v{i}"))).await.unwrap());
    }
    let err = ws_connect(&t, &arn, Some("v10"))
        .await
        .err()
        .expect("11th viewer refused");
    assert_eq!(err.0, 400, "{err:?}");
    assert!(err.1.contains("maximum"), "{err:?}");

    // A viewer reconnecting with its id replaces its old connection (no 11th slot used).
    let mut again = ws_connect(&t, &arn, Some("v3")).await.unwrap();
    assert!(
        wait_closed(&mut viewers[3], Duration::from_secs(3))
            .await
            .is_some()
    );
    send(
        &mut master,
        &format!(
            r#"{{"action":"SDP_OFFER","RecipientClientId":"v3","MessagePayload":"{}"}}"#,
            b64(OFFER)
        ),
    )
    .await;
    assert_eq!(next_json(&mut again).await["messageType"], "SDP_OFFER");

    // Bad client ids are refused at connect.
    for bad in ["AWS_reserved", "has space", &"x".repeat(257)] {
        let err = ws_connect(&t, &arn, Some(bad))
            .await
            .err()
            .expect("refused");
        assert_eq!(err.0, 400, "{bad}: {err:?}");
    }
    // Unknown channel: 404.
    let err = ws_connect(&t, &arn.replace("/crowd/", "/other/"), None)
        .await
        .err()
        .unwrap();
    assert_eq!(err.0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn master_replacement() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "mm").await;
    let mut m1 = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewer = ws_connect(&t, &arn, Some("v")).await.unwrap();
    let mut m2 = ws_connect(&t, &arn, None).await.unwrap();
    assert!(
        wait_closed(&mut m1, Duration::from_secs(3)).await.is_some(),
        "old master closed"
    );
    send(
        &mut viewer,
        &format!(
            r#"{{"action":"SDP_OFFER","MessagePayload":"{}"}}"#,
            b64(OFFER)
        ),
    )
    .await;
    assert_eq!(next_json(&mut m2).await["senderClientId"], "v");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.stats().connections, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tps_limits_per_connection() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "tps").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewer = ws_connect(&t, &arn, Some("v")).await.unwrap();
    let sending = tokio::time::Instant::now();
    for i in 0..10 {
        send(
            &mut viewer,
            &format!(
                r#"{{"action":"SDP_OFFER","MessagePayload":"{}","CorrelationId":"o{i}"}}"#,
                b64(OFFER)
            ),
        )
        .await;
    }
    for i in 0..30 {
        send(
            &mut viewer,
            &format!(
                r#"{{"action":"ICE_CANDIDATE","MessagePayload":"{}","CorrelationId":"c{i}"}}"#,
                b64("{}")
            ),
        )
        .await;
    }
    let elapsed = sending.elapsed().as_secs_f64();
    let (mut refused_offers, mut refused_cands) = (0u32, 0u32);
    while let Some(text) = next_text(&mut viewer, Duration::from_millis(500)).await {
        let m: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            m["statusResponse"]["errorType"],
            "ClientLimitExceededException"
        );
        let c = m["statusResponse"]["correlationId"].as_str().unwrap();
        if c.starts_with('o') {
            refused_offers += 1;
        } else {
            refused_cands += 1;
        }
    }
    let mut delivered = 0;
    while next_text(&mut master, Duration::from_millis(300))
        .await
        .is_some()
    {
        delivered += 1;
    }
    // Bursts of 5 offers and 20 candidates, refilled at 5/s and 20/s while sending (a
    // loaded machine sends slowly, so the bound depends on how long sending took).
    let (offers_through, cands_through) = (10 - refused_offers, 30 - refused_cands);
    assert!(offers_through >= 5, "{refused_offers}");
    assert!(cands_through >= 20, "{refused_cands}");
    assert!(
        f64::from(offers_through) <= 6.0 + 5.0 * elapsed,
        "{offers_through} offers through in {elapsed} s"
    );
    assert!(
        f64::from(cands_through) <= 21.0 + 20.0 * elapsed,
        "{cands_through} candidates through in {elapsed} s"
    );
    assert_eq!(delivered + refused_offers + refused_cands, 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_timeout_and_connection_cap() {
    let mut cfg = config();
    cfg.limits = Limits {
        idle_timeout: Duration::from_millis(800),
        max_connection_duration: Duration::from_millis(2500),
        ..cfg.limits
    };
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "timeouts").await;
    // Silent: closed by the idle timeout.
    let mut quiet = ws_connect(&t, &arn, Some("quiet")).await.unwrap();
    let took = wait_closed(&mut quiet, Duration::from_secs(5))
        .await
        .expect("idle close");
    assert!(
        took >= Duration::from_millis(600) && took < Duration::from_secs(4),
        "{took:?}"
    );

    // Pinging keeps it alive past the idle timeout, but not past the cap.
    let mut busy = ws_connect(&t, &arn, Some("busy")).await.unwrap();
    let start = tokio::time::Instant::now();
    let closed = loop {
        use futures_util::SinkExt;
        if busy
            .send(tokio_tungstenite::tungstenite::Message::Ping(
                vec![1].into(),
            ))
            .await
            .is_err()
        {
            break start.elapsed();
        }
        if let Some(d) = wait_closed(&mut busy, Duration::from_millis(300)).await {
            break start.elapsed().max(d);
        }
        assert!(start.elapsed() < Duration::from_secs(8), "cap not enforced");
    };
    assert!(closed >= Duration::from_millis(2200), "{closed:?}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(h.stats().connections, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn go_away_and_reconnect_ice_server_injection() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "inject").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewer = ws_connect(&t, &arn, Some("v")).await.unwrap();

    // RECONNECT_ICE_SERVER through the Rust handle, to the viewer only.
    assert_eq!(
        h.inject_reconnect_ice_server("inject", &Peers::Viewer("v".into()))
            .unwrap(),
        1
    );
    assert_eq!(
        next_json(&mut viewer).await["messageType"],
        "RECONNECT_ICE_SERVER"
    );
    assert!(
        next_text(&mut master, Duration::from_millis(200))
            .await
            .is_none()
    );

    // RECONNECT_ICE_SERVER through the admin path, to the master.
    let r = raw_exchange(
        &t,
        format!(
            "POST /_rtcam/reconnect-ice-server?channel=inject&master=1 HTTP/1.1\r\nhost: {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            t.host()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["connections"], 1);
    assert_eq!(
        next_json(&mut master).await["messageType"],
        "RECONNECT_ICE_SERVER"
    );

    // GO_AWAY through the admin path to everyone; both are closed after the grace.
    let r = raw_exchange(
        &t,
        format!(
            "POST /_rtcam/go-away?channel={} HTTP/1.1\r\nhost: {}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
            arn.replace(':', "%3A").replace('/', "%2F"),
            t.host()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(r.json()["connections"], 2, "{r:?}");
    for ws in [&mut master, &mut viewer] {
        assert_eq!(next_json(ws).await["messageType"], "GO_AWAY");
        let took = wait_closed(ws, Duration::from_secs(5))
            .await
            .expect("closed after GO_AWAY");
        assert!(took < Duration::from_secs(4), "{took:?}");
    }
    // GO_AWAY through the handle.
    let mut again = ws_connect(&t, &arn, None).await.unwrap();
    assert_eq!(h.inject_go_away(&arn, &Peers::All).unwrap(), 1);
    assert_eq!(next_json(&mut again).await["messageType"], "GO_AWAY");
    assert!(
        wait_closed(&mut again, Duration::from_secs(3))
            .await
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ws_authentication() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "auth").await;
    // Wrong secret.
    let url = presigned_url(&t, &arn, None, "wrong-secret", now(), 300);
    let err = ws_connect_url(&t, &url).await.err().unwrap();
    assert_eq!(err.0, 403, "{err:?}");
    // Presigned 10 minutes ago for 5 minutes: expired.
    let url = presigned_url(&t, &arn, None, SECRET, now() - 600, 300);
    let err = ws_connect_url(&t, &url).await.err().unwrap();
    assert_eq!(err.0, 403);
    assert!(err.1.contains("Signature expired"), "{err:?}");
    // Presigned in the future.
    let url = presigned_url(&t, &arn, None, SECRET, now() + 600, 300);
    let err = ws_connect_url(&t, &url).await.err().unwrap();
    assert!(err.1.contains("Signature not yet current"), "{err:?}");
    // Tampered client id.
    let url =
        presigned_url(&t, &arn, Some("alice"), SECRET, now(), 300).replace("alice", "mallory");
    let err = ws_connect_url(&t, &url).await.err().unwrap();
    assert_eq!(err.0, 403);
    // No signature at all.
    let url = format!(
        "ws://{}/?X-Amz-ChannelARN={}",
        t.host(),
        arn.replace(':', "%3A").replace('/', "%2F")
    );
    let err = ws_connect_url(&t, &url).await.err().unwrap();
    assert_eq!(err.0, 403);
    assert_eq!(h.stats().connections, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_and_wss_with_generated_certificate() {
    let mut cfg = config();
    cfg.tls = true;
    let h = start(cfg).await;
    assert!(
        h.certificate_pem()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert!(h.endpoint().starts_with("https://127.0.0.1:"));
    let t = Target::tls(&h);
    let arn = create_channel(&t, "secure").await;
    let ep = post(
        &t,
        "/getSignalingChannelEndpoint",
        &format!(
            r#"{{"ChannelARN":"{arn}","SingleMasterChannelEndpointConfiguration":{{"Protocols":["WSS","HTTPS"],"Role":"VIEWER"}}}}"#
        ),
    )
    .await;
    let list = ep.json()["ResourceEndpointList"].clone();
    assert_eq!(
        list[0]["ResourceEndpoint"],
        format!("wss://{}", t.host()).as_str()
    );
    assert_eq!(
        list[1]["ResourceEndpoint"],
        format!("https://{}", t.host()).as_str()
    );
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut viewer = ws_connect(&t, &arn, Some("tls-viewer")).await.unwrap();
    send(
        &mut viewer,
        &format!(
            r#"{{"action":"SDP_OFFER","MessagePayload":"{}"}}"#,
            b64(OFFER)
        ),
    )
    .await;
    assert_eq!(next_json(&mut master).await["senderClientId"], "tls-viewer");
}

#[test]
fn binary_prints_and_writes_its_address() {
    use std::io::BufRead;
    let dir = std::env::temp_dir().join(format!("rtcam-sig-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let addr_file = dir.join("addr");
    let cert_file = dir.join("cert.pem");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_rtcam-signaling"))
        .args([
            "--tls",
            "--access-key",
            &format!("{KEY_ID}:{SECRET}"),
            "--channel",
            "pre",
        ])
        .arg("--addr-file")
        .arg(&addr_file)
        .arg("--cert-file")
        .arg(&cert_file)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(
        line.starts_with("rtcam-signaling listening on https://127.0.0.1:"),
        "{line}"
    );
    let addr = std::fs::read_to_string(&addr_file).unwrap();
    assert!(line.trim().ends_with(addr.trim()), "{line} vs {addr}");
    assert!(
        std::fs::read_to_string(&cert_file)
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    // The pre-created channel answers a signed describe over TLS.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        let der = {
            let pem = std::fs::read_to_string(&cert_file).unwrap();
            let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        };
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls_pki_types::CertificateDer::from(der))
            .unwrap();
        let cfg = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let t = Target {
            addr: addr.trim().parse().unwrap(),
            tls: Some(std::sync::Arc::new(cfg)),
        };
        post(&t, "/describeSignalingChannel", r#"{"ChannelName":"pre"}"#)
            .await
            .status
    });
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_state_and_bad_input() {
    let mut cfg = config();
    cfg.limits.max_connections = 3;
    cfg.limits.request_timeout = Duration::from_millis(500);
    cfg.limits.max_frame_len = 16 * 1024;
    let h = start(cfg).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "bounded").await;

    // The server-wide connection cap.
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let mut v1 = ws_connect(&t, &arn, Some("v1")).await.unwrap();
    let mut v2 = ws_connect(&t, &arn, Some("v2")).await.unwrap();
    let err = ws_connect(&t, &arn, Some("v3")).await.err().unwrap();
    assert_eq!(err.0, 400, "{err:?}");
    // At the cap, a viewer (and a master) reconnecting replaces its own old connection.
    let _v1_again = ws_connect(&t, &arn, Some("v1"))
        .await
        .expect("v1 replaces itself");
    assert!(wait_closed(&mut v1, Duration::from_secs(3)).await.is_some());
    let new_master = ws_connect(&t, &arn, None)
        .await
        .expect("master replaces itself");
    assert!(
        wait_closed(&mut master, Duration::from_secs(3))
            .await
            .is_some()
    );
    let mut master = new_master;

    // A frame over the configured maximum closes that connection only.
    send(&mut v2, &"x".repeat(20 * 1024)).await;
    assert!(wait_closed(&mut v2, Duration::from_secs(3)).await.is_some());
    send(
        &mut master,
        &format!(r#"{{"action":"SDP_OFFER","RecipientClientId":"v1","MessagePayload":"{}","CorrelationId":"still-ok"}}"#, b64(OFFER)),
    )
    .await;
    assert!(
        next_text(&mut master, Duration::from_millis(300))
            .await
            .is_none()
    );

    // A binary frame and garbage text are ignored or answered; nothing crashes.
    use futures_util::SinkExt;
    master
        .send(tokio_tungstenite::tungstenite::Message::Binary(
            vec![0xff; 100].into(),
        ))
        .await
        .unwrap();
    send(&mut master, "\u{0}\u{1}not json").await;

    // A viewer's storage-session join once storage is on.
    h.set_media_storage(
        &arn,
        Some("arn:aws:kinesisvideo:us-west-2:123456789012:stream/s/1"),
    )
    .unwrap();
    let r = post(
        &t,
        "/joinStorageSessionAsViewer",
        &format!(r#"{{"channelArn":"{arn}","clientId":"v1"}}"#),
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        h.storage_joins("bounded")[0].client_id.as_deref(),
        Some("v1")
    );

    // An HTTP connection that sends nothing is dropped after the request timeout.
    let mut idle = tokio::net::TcpStream::connect(h.local_addr())
        .await
        .unwrap();
    let start = tokio::time::Instant::now();
    let mut buf = [0u8; 64];
    use tokio::io::AsyncReadExt;
    let n = tokio::time::timeout(Duration::from_secs(5), idle.read(&mut buf))
        .await
        .expect("idle HTTP connection closed by the server");
    assert!(n.map_or(true, |n| n == 0 || buf.starts_with(b"HTTP/1.1 408")));
    assert!(start.elapsed() < Duration::from_secs(3));

    // Deleting the channel closes its connections.
    let r = post(
        &t,
        "/deleteSignalingChannel",
        &format!(r#"{{"ChannelARN":"{arn}"}}"#),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        wait_closed(&mut master, Duration::from_secs(3))
            .await
            .is_some()
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(h.stats().connections, 0);
    assert_eq!(h.stats().channels, 0);
}

/// A WebSocket upgrade must be an HTTP/1.1 GET with `Connection: Upgrade` (RFC 6455
/// §4.1). An HTTP/1.0 one used to get a 101 that hyper never acted on, after the peer
/// had been registered: the connected master was replaced by a connection that never
/// became a WebSocket.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_needs_http11_and_connection_upgrade() {
    let h = start(config()).await;
    let t = Target::plain(&h);
    let arn = create_channel(&t, "up11").await;
    let mut master = ws_connect(&t, &arn, None).await.unwrap();
    let url = presigned_url(&t, &arn, None, SECRET, now(), 300);
    let target = url.splitn(4, '/').nth(3).unwrap();
    for (version, connection) in [("HTTP/1.0", "Upgrade"), ("HTTP/1.1", "close")] {
        let req = format!(
            "GET /{target} {version}\r\nhost: {}\r\nupgrade: websocket\r\nconnection: {connection}\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n",
            t.host()
        );
        let r = raw_exchange(&t, req.as_bytes()).await;
        assert_eq!(r.status, 400, "{version} / Connection: {connection}: {r:?}");
    }
    assert!(
        wait_closed(&mut master, Duration::from_millis(300))
            .await
            .is_none(),
        "the connected master was replaced by a refused upgrade"
    );
    assert_eq!(h.stats().connections, 1);
}

/// GetIceServerConfig holds at most five entries (TURN URIs four to an entry, STUN in
/// one): a configuration that needs more used to start and silently drop the STUN entry.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ice_server_entries_must_fit_the_answer() {
    let mut cfg = config();
    cfg.turn_uris = (0..20)
        .map(|i| format!("turn:127.0.0.1:{}?transport=udp", 3478 + i))
        .collect();
    cfg.stun_uris = vec!["stun:127.0.0.1:3478".into()];
    let err = rtcam_signaling::server::Server::spawn(cfg.clone())
        .await
        .expect_err("a configuration needing six ICE entries is refused");
    assert!(err.to_string().contains("ICE server entries"), "{err}");
    // Sixteen TURN URIs (four entries) plus STUN fit.
    cfg.turn_uris.truncate(16);
    assert!(rtcam_signaling::server::Server::spawn(cfg).await.is_ok());
}

/// Shutting the server down closes keep-alive HTTP connections too: they used to keep
/// answering requests (a pooling client reuses them) from the stopped server's state.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_closes_keep_alive_connections() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = start(config()).await;
    let mut s = tokio::net::TcpStream::connect(h.local_addr())
        .await
        .unwrap();
    let req = b"GET /_rtcam/stats HTTP/1.1\r\nhost: x\r\n\r\n";
    s.write_all(req).await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = s.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    h.shutdown();
    tokio::time::sleep(Duration::from_millis(100)).await;
    // The write may still succeed; what matters is that no answer comes back.
    let _ = s.write_all(req).await;
    let n = tokio::time::timeout(Duration::from_secs(3), s.read(&mut buf))
        .await
        .expect("the connection is closed promptly")
        .unwrap_or(0);
    assert_eq!(
        n,
        0,
        "a stopped server answered: {}",
        String::from_utf8_lossy(&buf[..n])
    );
}
