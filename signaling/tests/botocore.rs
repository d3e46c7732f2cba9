//! Cross-check against botocore, AWS's own Python signer: for the same credentials, time
//! and request, our `Authorization` header and presigned WSS URL must be byte-identical.
//!
//! botocore runs from the venv that `scripts/install.sh` creates under
//! `${XDG_CACHE_HOME:-$HOME/.cache}/rtcam/botocore-venv` (pinned version); its clock is
//! frozen to the case's time; nothing touches the network.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use rtcam_signaling::{
    Credentials, RestRequest, Scope, SigningKey, UtcTime, WssConnect, sign_kvs_post,
    write_presigned_wss_url,
};
use serde_json::{Value, json};

fn python() -> PathBuf {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .expect("neither XDG_CACHE_HOME nor HOME is set");
    let py = cache.join("rtcam/botocore-venv/bin/python");
    assert!(
        py.exists(),
        "botocore venv not found at {}: run `scripts/install.sh botocore` \
         (a Python venv with the pinned botocore from PyPI)",
        py.display()
    );
    py
}

fn botocore(cases: &Value) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/botocore/sign.py");
    let mut child = Command::new(python())
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run botocore venv python");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "sign.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    eprintln!("botocore {}", v["botocore"]);
    v["results"].as_array().unwrap().clone()
}

const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// A session token with characters that must be percent-encoded in a query.
const TOKEN: &str = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLXdlc3QtMiJHMEUCIQD+abc/def=";
const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/front-door/1700000000123";

struct Case {
    region: &'static str,
    time: u64,
    token: Option<&'static str>,
    kind: Kind,
}

enum Kind {
    Post {
        host: &'static str,
        path: &'static str,
        body: &'static str,
        content_type: Option<&'static str>,
    },
    Wss {
        host: &'static str,
        client_id: Option<&'static str>,
        expires: u32,
    },
}

fn cases() -> Vec<Case> {
    let cp = "kinesisvideo.us-west-2.amazonaws.com";
    let wss = "v-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com";
    let endpoint_body = r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/front-door/1700000000123","SingleMasterChannelEndpointConfiguration":{"Protocols":["WSS","HTTPS"],"Role":"MASTER"}}"#;
    let mut v = Vec::new();
    for token in [None, Some(TOKEN)] {
        // Two times, the second just before midnight UTC on a leap day.
        for time in [1_700_000_000, 1_709_251_199] {
            v.push(Case {
                region: "us-west-2",
                time,
                token,
                kind: Kind::Post {
                    host: cp,
                    path: "/getSignalingChannelEndpoint",
                    body: endpoint_body,
                    content_type: Some("application/json"),
                },
            });
            v.push(Case {
                region: "us-west-2",
                time,
                token,
                kind: Kind::Post {
                    host: "r-1a2b3c4d.kinesisvideo.us-west-2.amazonaws.com",
                    path: "/v1/get-ice-server-config",
                    body: r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/front-door/1700000000123","ClientId":"viewer-1","Service":"TURN"}"#,
                    content_type: Some("application/json"),
                },
            });
            v.push(Case {
                region: "us-west-2",
                time,
                token,
                kind: Kind::Post {
                    host: cp,
                    path: "/describeSignalingChannel",
                    body: r#"{"ChannelName":"front-door"}"#,
                    content_type: None,
                },
            });
            for client_id in [None, Some("viewer-1"), Some("Viewer_2.x-y")] {
                v.push(Case {
                    region: "us-west-2",
                    time,
                    token,
                    kind: Kind::Wss {
                        host: wss,
                        client_id,
                        expires: 300,
                    },
                });
            }
        }
    }
    v.push(Case {
        region: "eu-central-1",
        time: 1_234_567_890,
        token: Some(TOKEN),
        kind: Kind::Wss {
            host: "v-0.kinesisvideo.eu-central-1.amazonaws.com",
            client_id: Some("c"),
            expires: 299,
        },
    });
    v
}

fn to_json(c: &Case) -> Value {
    let mut v = match &c.kind {
        Kind::Post {
            host,
            path,
            body,
            content_type,
        } => json!({"kind": "post", "url": format!("https://{host}{path}"), "body": body,
                    "content_type": content_type}),
        Kind::Wss {
            host,
            client_id,
            expires,
        } => json!({"kind": "wss", "host": host, "channel_arn": ARN, "client_id": client_id,
                    "expires": expires}),
    };
    let o = v.as_object_mut().unwrap();
    o.insert("access_key".into(), json!(ACCESS_KEY));
    o.insert("secret_key".into(), json!(SECRET));
    o.insert("token".into(), json!(c.token));
    o.insert("region".into(), json!(c.region));
    o.insert("time".into(), json!(c.time));
    v
}

#[test]
fn authorization_and_presigned_url_match_botocore() {
    let cases = cases();
    let results = botocore(&Value::Array(cases.iter().map(to_json).collect()));
    assert_eq!(results.len(), cases.len());
    let mut cache = None;
    for (c, want) in cases.iter().zip(&results) {
        let creds = Credentials {
            access_key_id: ACCESS_KEY,
            secret_access_key: SECRET,
            session_token: c.token,
        };
        let now = UtcTime::from_unix_seconds(c.time).unwrap();
        let scope = Scope::kvs(c.region);
        let key = SigningKey::refresh(&mut cache, SECRET, now, scope);
        match &c.kind {
            Kind::Post {
                host,
                path,
                body,
                content_type,
            } => {
                let mut auth = String::new();
                let req = RestRequest {
                    host,
                    path,
                    body: body.as_bytes(),
                    content_type: *content_type,
                };
                let date = sign_kvs_post(&creds, key, now, scope, &req, &mut auth).unwrap();
                assert_eq!(auth, want["authorization"].as_str().unwrap(), "{path}");
                assert_eq!(date.as_str(), want["x_amz_date"].as_str().unwrap());
                assert_eq!(c.token, want["x_amz_security_token"].as_str());
            }
            Kind::Wss {
                host,
                client_id,
                expires,
            } => {
                let mut url = String::new();
                let conn = WssConnect {
                    host,
                    channel_arn: ARN,
                    client_id: *client_id,
                    expires_secs: *expires,
                };
                write_presigned_wss_url(&creds, key, now, scope, &conn, &mut url).unwrap();
                assert_eq!(url, want["url"].as_str().unwrap());
            }
        }
    }
    eprintln!("{} cases byte-identical to botocore", cases.len());
}
