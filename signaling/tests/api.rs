//! The control-plane REST shapes (`rtcam_signaling::api`): byte-exact request bodies as
//! the AWS SDK for JavaScript v3 sends them, the KVS C SDK's pretty-printed bodies read
//! back, responses as the AWS API reference shows them, round trips of every shape,
//! bounds, malformed input, every error mapping and the identifier grammars.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use rtcam_signaling::SliceWriter;
use rtcam_signaling::api::*;

const ARN: &str = "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123";

fn text(f: impl FnOnce(&mut String) -> core::fmt::Result) -> String {
    let mut s = String::new();
    f(&mut s).unwrap();
    s
}

fn req_json(r: &Request<'_>) -> String {
    text(|o| r.write_json(o))
}

fn resp_json(r: &Response<'_>) -> String {
    text(|o| r.write_json(o))
}

/// Writes `req`, parses it back as `call`, and checks it is the same request.
fn request_round_trip(req: Request<'_>) -> String {
    let json = req_json(&req);
    let back = Request::parse(req.call(), json.as_bytes())
        .unwrap_or_else(|e| panic!("{json} does not parse back: {e}"));
    assert_eq!(back, req, "{json}");
    json
}

/// Writes `resp`, parses it back, and checks it is the same response.
fn response_round_trip(resp: Response<'_>) -> String {
    let json = resp_json(&resp);
    let back = Response::parse(resp.call(), json.as_bytes())
        .unwrap_or_else(|e| panic!("{json} does not parse back: {e}"));
    assert_eq!(back, resp, "{json}");
    json
}

// ---------------------------------------------------------------------------------
// Calls and hosts

#[test]
fn call_paths_and_endpoints() {
    let expect = [
        (
            ApiCall::DescribeSignalingChannel,
            "/describeSignalingChannel",
            EndpointKind::ControlPlane,
        ),
        (
            ApiCall::CreateSignalingChannel,
            "/createSignalingChannel",
            EndpointKind::ControlPlane,
        ),
        (
            ApiCall::DeleteSignalingChannel,
            "/deleteSignalingChannel",
            EndpointKind::ControlPlane,
        ),
        (
            ApiCall::GetSignalingChannelEndpoint,
            "/getSignalingChannelEndpoint",
            EndpointKind::ControlPlane,
        ),
        (
            ApiCall::GetIceServerConfig,
            "/v1/get-ice-server-config",
            EndpointKind::Https,
        ),
        (
            ApiCall::DescribeMediaStorageConfiguration,
            "/describeMediaStorageConfiguration",
            EndpointKind::ControlPlane,
        ),
        (
            ApiCall::JoinStorageSession,
            "/joinStorageSession",
            EndpointKind::Webrtc,
        ),
        (
            ApiCall::JoinStorageSessionAsViewer,
            "/joinStorageSessionAsViewer",
            EndpointKind::Webrtc,
        ),
    ];
    assert_eq!(ApiCall::ALL.len(), expect.len());
    for (call, path, endpoint) in expect {
        assert!(ApiCall::ALL.contains(&call));
        assert_eq!(call.path(), path);
        assert_eq!(ApiCall::from_path(path), Some(call));
        assert_eq!(call.endpoint(), endpoint);
        assert_eq!(call.is_data_plane(), endpoint != EndpointKind::ControlPlane);
        assert_eq!(call.to_string(), call.name());
        assert_eq!(
            path[1..]
                .to_ascii_lowercase()
                .replace("v1/get-ice-server-config", "geticeserverconfig"),
            call.name().to_ascii_lowercase()
        );
    }
    for bad in [
        "",
        "/",
        "/DescribeSignalingChannel",
        "/describeSignalingChannel/",
        "/describeSignalingChannel?x=1",
        "describeSignalingChannel",
        "/get-ice-server-config",
    ] {
        assert_eq!(ApiCall::from_path(bad), None, "{bad}");
    }
}

#[test]
fn control_plane_hosts() {
    let host = |region: &str, dual: bool| {
        let mut s = String::new();
        control_plane_host(region, dual, &mut s).map(|_| s)
    };
    assert_eq!(
        host("us-west-2", false).unwrap(),
        "kinesisvideo.us-west-2.amazonaws.com"
    );
    assert_eq!(
        host("us-west-2", true).unwrap(),
        "kinesisvideo.us-west-2.api.aws"
    );
    assert_eq!(
        host("cn-north-1", false).unwrap(),
        "kinesisvideo.cn-north-1.amazonaws.com.cn"
    );
    assert_eq!(
        host("cn-north-1", true).unwrap(),
        "kinesisvideo.cn-north-1.api.amazonwebservices.com.cn"
    );
    assert_eq!(
        host("us-gov-west-1", false).unwrap(),
        "kinesisvideo.us-gov-west-1.amazonaws.com"
    );
    for bad in [
        "",
        "US-WEST-2",
        "us-west-2.evil.com",
        "us west",
        "-us",
        "us-",
        "a/b",
        &"a".repeat(33),
    ] {
        assert_eq!(host(bad, false), Err(ApiError::InvalidRegion), "{bad}");
    }
    // A no_std caller writes into a fixed buffer; too small is an error, not a cut.
    let mut buf = [0u8; 64];
    let mut w = SliceWriter::new(&mut buf);
    control_plane_host("eu-central-1", false, &mut w).unwrap();
    assert_eq!(w.as_str(), "kinesisvideo.eu-central-1.amazonaws.com");
    let mut small = [0u8; 10];
    let mut w = SliceWriter::new(&mut small);
    assert_eq!(
        control_plane_host("eu-central-1", false, &mut w),
        Err(ApiError::BufferTooSmall)
    );

    let mut s = String::new();
    write_stun_uri("us-west-2", &mut s).unwrap();
    assert_eq!(s, "stun:stun.kinesisvideo.us-west-2.amazonaws.com:443");
    let mut s = String::new();
    write_stun_uri("cn-northwest-1", &mut s).unwrap();
    assert_eq!(
        s,
        "stun:stun.kinesisvideo.cn-northwest-1.amazonaws.com.cn:443"
    );
}

// ---------------------------------------------------------------------------------
// Requests: exactly what the AWS SDK for JavaScript v3 writes (captured from
// @aws-sdk/client-kinesis-video 3.1116, -signaling 3.1137, -webrtc-storage 3.926 with a
// recording request handler), and the C SDK's templates read back.

#[test]
fn requests_byte_exact_with_js_sdk() {
    let cases: [(Request<'_>, &str); 9] = [
        (
            Request::DescribeSignalingChannel(DescribeSignalingChannel {
                channel: ChannelRef::Name("cam-1"),
            }),
            r#"{"ChannelName":"cam-1"}"#,
        ),
        (
            Request::DescribeSignalingChannel(DescribeSignalingChannel {
                channel: ChannelRef::Arn(ARN),
            }),
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123"}"#,
        ),
        (
            Request::CreateSignalingChannel(CreateSignalingChannel {
                tags: List::from_slice(&[Tag {
                    key: "k",
                    value: "v",
                }])
                .unwrap(),
                ..CreateSignalingChannel::single_master("cam-1", 60)
            }),
            r#"{"ChannelName":"cam-1","ChannelType":"SINGLE_MASTER","SingleMasterConfiguration":{"MessageTtlSeconds":60},"Tags":[{"Key":"k","Value":"v"}]}"#,
        ),
        (
            Request::DeleteSignalingChannel(DeleteSignalingChannel {
                channel_arn: ARN,
                current_version: Some("1a2b3c"),
            }),
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123","CurrentVersion":"1a2b3c"}"#,
        ),
        (
            Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint::new(
                ARN,
                ChannelRole::Master,
                true,
            )),
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123","SingleMasterChannelEndpointConfiguration":{"Protocols":["WSS","HTTPS","WEBRTC"],"Role":"MASTER"}}"#,
        ),
        (
            Request::DescribeMediaStorageConfiguration(DescribeMediaStorageConfiguration {
                channel: ChannelRef::Arn(ARN),
            }),
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123"}"#,
        ),
        (
            Request::GetIceServerConfig(GetIceServerConfig::new(ARN, "viewer-1")),
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123","ClientId":"viewer-1","Service":"TURN"}"#,
        ),
        (
            Request::JoinStorageSession(JoinStorageSession { channel_arn: ARN }),
            r#"{"channelArn":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123"}"#,
        ),
        (
            Request::JoinStorageSessionAsViewer(JoinStorageSessionAsViewer {
                channel_arn: ARN,
                client_id: "viewer-1",
            }),
            r#"{"channelArn":"arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123","clientId":"viewer-1"}"#,
        ),
    ];
    for (req, expected) in cases {
        assert_eq!(request_round_trip(req), expected);
    }
}

#[test]
fn requests_as_the_c_sdk_sends_them() {
    // The KVS WebRTC C SDK's printf templates (LwsApiCalls.h), filled in.
    let describe = "{\n\t\"ChannelName\": \"cam-1\"\n}";
    assert_eq!(
        Request::parse(ApiCall::DescribeSignalingChannel, describe.as_bytes()).unwrap(),
        Request::DescribeSignalingChannel(DescribeSignalingChannel {
            channel: ChannelRef::Name("cam-1")
        })
    );
    let create = format!(
        "{{\n\t\"ChannelName\": \"cam-1\",\n\t\"ChannelType\": \"SINGLE_MASTER\",\n\t\"SingleMasterConfiguration\": {{\n\t\t\"MessageTtlSeconds\": 60\n\t}}{}\n}}",
        ",\n\t\"Tags\": [\n\t\t{\"Key\": \"site\", \"Value\": \"door\"},\n\t\t{\"Key\": \"n\", \"Value\": \"\"}\n\t]"
    );
    let Request::CreateSignalingChannel(c) =
        Request::parse(ApiCall::CreateSignalingChannel, create.as_bytes()).unwrap()
    else {
        panic!()
    };
    assert_eq!(c.channel_name, "cam-1");
    assert_eq!(c.channel_type, Some(ChannelType::SingleMaster));
    assert_eq!(c.message_ttl_seconds, Some(60));
    assert_eq!(
        c.tags.as_slice(),
        &[
            Tag {
                key: "site",
                value: "door"
            },
            Tag {
                key: "n",
                value: ""
            }
        ]
    );
    let delete = format!("{{\n\t\"ChannelARN\": \"{ARN}\",\n\t\"CurrentVersion\": \"Ab12\"\n}}");
    assert_eq!(
        Request::parse(ApiCall::DeleteSignalingChannel, delete.as_bytes()).unwrap(),
        Request::DeleteSignalingChannel(DeleteSignalingChannel {
            channel_arn: ARN,
            current_version: Some("Ab12")
        })
    );
    for (protocols, role, storage) in [
        ("\"WSS\", \"HTTPS\"", "VIEWER", false),
        ("\"WSS\", \"HTTPS\", \"WEBRTC\"", "MASTER", true),
    ] {
        let endpoint = format!(
            "{{\n\t\"ChannelARN\": \"{ARN}\",\n\t\"SingleMasterChannelEndpointConfiguration\": {{\n\t\t\"Protocols\": [{protocols}],\n\t\t\"Role\": \"{role}\"\n\t}}\n}}"
        );
        let role = if role == "MASTER" {
            ChannelRole::Master
        } else {
            ChannelRole::Viewer
        };
        assert_eq!(
            Request::parse(ApiCall::GetSignalingChannelEndpoint, endpoint.as_bytes()).unwrap(),
            Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint::new(
                ARN, role, storage
            ))
        );
    }
    let ice = format!(
        "{{\n\t\"ChannelARN\": \"{ARN}\",\n\t\"ClientId\": \"ProducerMaster\",\n\t\"Service\": \"TURN\"\n}}"
    );
    assert_eq!(
        Request::parse(ApiCall::GetIceServerConfig, ice.as_bytes()).unwrap(),
        Request::GetIceServerConfig(GetIceServerConfig::new(ARN, "ProducerMaster"))
    );
    let media = format!("{{\n\t\"ChannelARN\": \"{ARN}\"\n}}");
    assert_eq!(
        Request::parse(ApiCall::DescribeMediaStorageConfiguration, media.as_bytes()).unwrap(),
        Request::DescribeMediaStorageConfiguration(DescribeMediaStorageConfiguration {
            channel: ChannelRef::Arn(ARN)
        })
    );
    let join = format!("{{\n\t\"channelArn\": \"{ARN}\"\n}}");
    assert_eq!(
        Request::parse(ApiCall::JoinStorageSession, join.as_bytes()).unwrap(),
        Request::JoinStorageSession(JoinStorageSession { channel_arn: ARN })
    );
    let join_viewer = format!("{{\n\t\"channelArn\": \"{ARN}\",\n\t\"clientId\": \"viewer-7\"\n}}");
    assert_eq!(
        Request::parse(ApiCall::JoinStorageSessionAsViewer, join_viewer.as_bytes()).unwrap(),
        Request::JoinStorageSessionAsViewer(JoinStorageSessionAsViewer {
            channel_arn: ARN,
            client_id: "viewer-7"
        })
    );
}

#[test]
fn request_round_trips() {
    let tags: Vec<Tag<'_>> = (0..MAX_TAGS)
        .map(|_| Tag {
            key: "k",
            value: "välue with spaces/and:colons",
        })
        .collect();
    let reqs = [
        Request::DescribeMediaStorageConfiguration(DescribeMediaStorageConfiguration {
            channel: ChannelRef::Name("a.b_c-d"),
        }),
        Request::CreateSignalingChannel(CreateSignalingChannel {
            channel_name: "x",
            channel_type: None,
            message_ttl_seconds: None,
            tags: List::new(),
        }),
        Request::CreateSignalingChannel(CreateSignalingChannel {
            channel_name: &"n".repeat(256),
            channel_type: Some(ChannelType::SingleMaster),
            message_ttl_seconds: Some(5),
            tags: List::from_slice(&tags).unwrap(),
        }),
        Request::CreateSignalingChannel(CreateSignalingChannel::single_master("ttl-max", 120)),
        Request::DeleteSignalingChannel(DeleteSignalingChannel {
            channel_arn: ARN,
            current_version: None,
        }),
        Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint {
            channel_arn: ARN,
            protocols: List::new(),
            role: None,
        }),
        Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint {
            channel_arn: ARN,
            protocols: List::from_slice(&[Protocol::Https]).unwrap(),
            role: None,
        }),
        Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint {
            channel_arn: ARN,
            protocols: List::new(),
            role: Some(ChannelRole::Viewer),
        }),
        Request::GetIceServerConfig(GetIceServerConfig {
            channel_arn: ARN,
            client_id: None,
            service: None,
            username: None,
        }),
        Request::GetIceServerConfig(GetIceServerConfig {
            username: Some("user@example"),
            ..GetIceServerConfig::new(ARN, "AWS_internal")
        }),
    ];
    for r in reqs {
        request_round_trip(r);
    }
    // The compact forms have no optional members.
    assert_eq!(
        req_json(&Request::GetSignalingChannelEndpoint(
            GetSignalingChannelEndpoint {
                channel_arn: ARN,
                protocols: List::new(),
                role: None
            }
        )),
        format!(r#"{{"ChannelARN":"{ARN}"}}"#)
    );
}

#[test]
fn request_parse_rules() {
    fn parse(call: ApiCall, s: &str) -> Result<(), ApiError> {
        Request::parse(call, s.as_bytes()).map(|_| ())
    }
    use ApiCall::*;
    // Either name or ARN, not both, not neither.
    assert_eq!(
        parse(
            DescribeSignalingChannel,
            &format!(r#"{{"ChannelName":"a","ChannelARN":"{ARN}"}}"#)
        ),
        Err(ApiError::Conflict("ChannelName", "ChannelARN"))
    );
    assert_eq!(
        parse(DescribeSignalingChannel, "{}"),
        Err(ApiError::MissingField("ChannelName"))
    );
    assert_eq!(
        parse(DescribeSignalingChannel, r#"{"ChannelName":null}"#),
        Err(ApiError::MissingField("ChannelName"))
    );
    // Grammar checks.
    assert_eq!(
        parse(DescribeSignalingChannel, r#"{"ChannelName":"a b"}"#),
        Err(ApiError::InvalidChannelName)
    );
    assert_eq!(
        parse(
            DescribeSignalingChannel,
            r#"{"ChannelARN":"arn:aws:s3:::bucket"}"#
        ),
        Err(ApiError::InvalidChannelArn)
    );
    assert_eq!(
        parse(
            JoinStorageSessionAsViewer,
            &format!(r#"{{"channelArn":"{ARN}","clientId":"AWS_x"}}"#)
        ),
        Err(ApiError::InvalidClientId)
    );
    // Join calls are lower camel only.
    assert_eq!(
        parse(JoinStorageSession, &format!(r#"{{"ChannelARN":"{ARN}"}}"#)),
        Err(ApiError::MissingField("channelArn"))
    );
    assert_eq!(
        parse(
            JoinStorageSessionAsViewer,
            &format!(r#"{{"channelArn":"{ARN}","ClientId":"v"}}"#)
        ),
        Err(ApiError::MissingField("clientId"))
    );
    // Escapes in identifiers are refused, not misread.
    assert_eq!(
        parse(DescribeSignalingChannel, r#"{"ChannelName":"cam\u002d1"}"#),
        Err(ApiError::EscapedString("ChannelName"))
    );
    assert_eq!(
        parse(
            DeleteSignalingChannel,
            r#"{"ChannelARN":"arn:aws:kinesisvideo:us-west-2:123456789012:channel\/cam-1\/1700000000123"}"#
        ),
        Err(ApiError::EscapedString("ChannelARN"))
    );
    // Enumerations and ranges.
    assert_eq!(
        parse(
            CreateSignalingChannel,
            r#"{"ChannelName":"a","ChannelType":"MULTI"}"#
        ),
        Err(ApiError::InvalidValue("ChannelType"))
    );
    for ttl in ["4", "121", "99999999999"] {
        assert_eq!(
            parse(
                CreateSignalingChannel,
                &format!(
                    r#"{{"ChannelName":"a","SingleMasterConfiguration":{{"MessageTtlSeconds":{ttl}}}}}"#
                )
            ),
            Err(ApiError::InvalidValue("MessageTtlSeconds")),
            "{ttl}"
        );
    }
    assert_eq!(
        parse(
            CreateSignalingChannel,
            r#"{"ChannelName":"a","SingleMasterConfiguration":{"MessageTtlSeconds":-1}}"#
        ),
        Err(ApiError::Json)
    );
    assert_eq!(
        parse(
            GetSignalingChannelEndpoint,
            &format!(
                r#"{{"ChannelARN":"{ARN}","SingleMasterChannelEndpointConfiguration":{{"Protocols":["WSS","FTP"]}}}}"#
            )
        ),
        Err(ApiError::InvalidValue("Protocols"))
    );
    assert_eq!(
        parse(
            GetSignalingChannelEndpoint,
            &format!(
                r#"{{"ChannelARN":"{ARN}","SingleMasterChannelEndpointConfiguration":{{"Protocols":["WSS","HTTPS","WEBRTC","WSS"]}}}}"#
            )
        ),
        Err(ApiError::TooMany {
            field: "Protocols",
            max: 3
        })
    );
    assert_eq!(
        parse(
            GetSignalingChannelEndpoint,
            &format!(
                r#"{{"ChannelARN":"{ARN}","SingleMasterChannelEndpointConfiguration":{{"Role":"master"}}}}"#
            )
        ),
        Err(ApiError::InvalidValue("Role"))
    );
    assert_eq!(
        parse(
            GetIceServerConfig,
            &format!(r#"{{"ChannelARN":"{ARN}","Service":"STUN"}}"#)
        ),
        Err(ApiError::InvalidValue("Service"))
    );
    assert_eq!(
        parse(
            DeleteSignalingChannel,
            &format!(r#"{{"ChannelARN":"{ARN}","CurrentVersion":"a-b"}}"#)
        ),
        Err(ApiError::InvalidValue("CurrentVersion"))
    );
    // Tags: 50 fine, 51 too many, key/value sizes.
    let tags = |n: usize, k: &str, v: &str| {
        let list: Vec<String> = (0..n)
            .map(|_| format!(r#"{{"Key":"{k}","Value":"{v}"}}"#))
            .collect();
        format!(r#"{{"ChannelName":"a","Tags":[{}]}}"#, list.join(","))
    };
    assert!(parse(CreateSignalingChannel, &tags(50, "k", "v")).is_ok());
    assert_eq!(
        parse(CreateSignalingChannel, &tags(51, "k", "v")),
        Err(ApiError::TooMany {
            field: "Tags",
            max: MAX_TAGS
        })
    );
    assert!(
        parse(
            CreateSignalingChannel,
            &tags(1, &"k".repeat(128), &"v".repeat(256))
        )
        .is_ok()
    );
    assert_eq!(
        parse(CreateSignalingChannel, &tags(1, &"k".repeat(129), "v")),
        Err(ApiError::InvalidValue("Tags.Key"))
    );
    assert_eq!(
        parse(CreateSignalingChannel, &tags(1, "", "v")),
        Err(ApiError::InvalidValue("Tags.Key"))
    );
    assert_eq!(
        parse(CreateSignalingChannel, &tags(1, "k", &"v".repeat(257))),
        Err(ApiError::InvalidValue("Tags.Value"))
    );
    assert_eq!(
        parse(
            CreateSignalingChannel,
            r#"{"ChannelName":"a","Tags":[{"Key":"k"}]}"#
        ),
        Err(ApiError::MissingField("Value"))
    );
    // Unknown members are ignored (any JSON value), as the service does.
    assert!(
        parse(
            DescribeSignalingChannel,
            r#"{"Extra":{"a":[1,2,{"b":null}]},"ChannelName":"a","More":true}"#
        )
        .is_ok()
    );
}

#[test]
fn malformed_bodies() {
    let bodies: [&[u8]; 14] = [
        b"",
        b"   ",
        b"null",
        b"[]",
        b"\"ChannelName\"",
        b"{",
        b"{\"ChannelName\":\"cam-1\"",
        b"{\"ChannelName\":\"cam-1\"}}",
        b"{\"ChannelName\":\"cam-1\"} x",
        b"{\"ChannelName\":\"cam-1\",\"ChannelName\":\"cam-2\"}",
        b"{\"ChannelName\":1}",
        b"{\"ChannelName\":\"cam-1\",}",
        b"{\"ChannelName\":\"\xff\"}",
        b"{'ChannelName':'cam-1'}",
    ];
    for b in bodies {
        let r = Request::parse(ApiCall::DescribeSignalingChannel, b);
        assert!(
            r.is_err(),
            "{:?} accepted: {r:?}",
            String::from_utf8_lossy(b)
        );
    }
    // Trailing whitespace is fine.
    assert!(
        Request::parse(
            ApiCall::DescribeSignalingChannel,
            b"{\"ChannelName\":\"cam-1\"}\n"
        )
        .is_ok()
    );
    // Deep nesting is refused before the recursive reader sees it.
    let deep = format!(
        r#"{{"ChannelName":"a","x":{}{}}}"#,
        "[".repeat(20),
        "]".repeat(20)
    );
    assert_eq!(
        Request::parse(ApiCall::DescribeSignalingChannel, deep.as_bytes()),
        Err(ApiError::JsonTooDeep)
    );
    let deep = format!(
        r#"{{"IceServerList":{}{}}}"#,
        "[".repeat(MAX_API_JSON_DEPTH),
        "]".repeat(MAX_API_JSON_DEPTH)
    );
    assert_eq!(
        IceServerList::parse(deep.as_bytes()),
        Err(ApiError::JsonTooDeep)
    );
}

// ---------------------------------------------------------------------------------
// Responses

fn sample_ice<'a>(uris: &'a [&'a str]) -> IceServer<'a> {
    IceServer {
        uris: List::from_slice(uris).unwrap(),
        username: Some(
            "1700000300:djE6YXJuOmF3czpraW5lc2lzdmlkZW86dXMtd2VzdC0yOjEyMzQ1Njc4OTAxMjpjaGFubmVsL2NhbS0xLzE3MDAwMDAwMDAxMjM=",
        ),
        password: Some("Zk9wS3dzL2Z2R2l4bGJ0T1hsU2RUa2NpN2c9"),
        ttl: Some(300),
    }
}

#[test]
fn responses_from_the_api_reference() {
    // DescribeSignalingChannel response syntax (AWS API reference), filled in, pretty.
    let describe = format!(
        r#"{{
   "ChannelInfo": {{
      "ChannelARN": "{ARN}",
      "ChannelName": "cam-1",
      "ChannelStatus": "ACTIVE",
      "ChannelType": "SINGLE_MASTER",
      "CreationTime": 1.700000000123E9,
      "SingleMasterConfiguration": {{
         "MessageTtlSeconds": 60
      }},
      "Version": "tDvuWiBKeQ6bnXFzOHtZ"
   }}
}}"#
    );
    let info = ChannelInfo::parse(describe.as_bytes()).unwrap();
    assert_eq!(
        info,
        ChannelInfo {
            channel_arn: ARN,
            channel_name: "cam-1",
            channel_status: Some(ChannelStatus::Active),
            channel_type: Some(ChannelType::SingleMaster),
            creation_time: Some(EpochMillis(1_700_000_000_123)),
            message_ttl_seconds: Some(60),
            version: Some("tDvuWiBKeQ6bnXFzOHtZ"),
        }
    );
    assert_eq!(info.creation_time.unwrap().secs(), 1_700_000_000);
    assert_eq!(
        response_round_trip(Response::DescribeSignalingChannel(info)),
        format!(
            r#"{{"ChannelInfo":{{"ChannelARN":"{ARN}","ChannelName":"cam-1","ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER","CreationTime":1700000000.123,"SingleMasterConfiguration":{{"MessageTtlSeconds":60}},"Version":"tDvuWiBKeQ6bnXFzOHtZ"}}}}"#
        )
    );

    let create = format!("{{\n   \"ChannelARN\": \"{ARN}\"\n}}");
    assert_eq!(
        CreatedChannel::parse(create.as_bytes()).unwrap(),
        CreatedChannel { channel_arn: ARN }
    );

    let endpoints = br#"{
   "ResourceEndpointList": [
      { "Protocol": "WSS", "ResourceEndpoint": "wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com" },
      { "Protocol": "HTTPS", "ResourceEndpoint": "https://r-2c136a55.kinesisvideo.us-west-2.amazonaws.com" },
      { "Protocol": "WEBRTC", "ResourceEndpoint": "https://w-112cc2a1.webrtc.kinesisvideo.us-west-2.amazonaws.com" }
   ]
}"#;
    let e = ResourceEndpoints::parse(endpoints).unwrap();
    assert_eq!(
        e.get(Protocol::Wss),
        Some("wss://m-26d02974.kinesisvideo.us-west-2.amazonaws.com")
    );
    assert_eq!(
        e.get(Protocol::Https),
        Some("https://r-2c136a55.kinesisvideo.us-west-2.amazonaws.com")
    );
    assert_eq!(
        e.get(Protocol::Webrtc),
        Some("https://w-112cc2a1.webrtc.kinesisvideo.us-west-2.amazonaws.com")
    );
    response_round_trip(Response::GetSignalingChannelEndpoint(e));

    let ice = br#"{
   "IceServerList": [
      {
         "Password": "Zk9wS3dzL2Z2R2l4bGJ0T1hsU2RUa2NpN2c9",
         "Ttl": 300,
         "Uris": [ "turn:34-219-100-10.t-1cb5b0c5.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp", "turns:34-219-100-10.t-1cb5b0c5.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp", "turns:34-219-100-10.t-1cb5b0c5.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp" ],
         "Username": "1700000300:djE6YXJuOmF3czpraW5lc2lzdmlkZW86dXMtd2VzdC0yOjEyMzQ1Njc4OTAxMjpjaGFubmVsL2NhbS0xLzE3MDAwMDAwMDAxMjM="
      },
      {
         "Password": "b3RoZXI=",
         "Ttl": 280,
         "Uris": [ "turn:52-10-1-2.t-1cb5b0c5.kinesisvideo.us-west-2.amazonaws.com:443?transport=udp" ],
         "Username": "1700000280:other"
      }
   ]
}"#;
    let list = IceServerList::parse(ice).unwrap();
    assert_eq!(list.servers.len(), 2);
    assert_eq!(list.servers.as_slice()[0].uris.len(), 3);
    let first = list.servers.as_slice()[0];
    let expected = sample_ice(&[]);
    assert_eq!(
        (first.username, first.password, first.ttl),
        (expected.username, expected.password, expected.ttl)
    );
    assert_eq!(
        first.uris.as_slice()[2],
        "turns:34-219-100-10.t-1cb5b0c5.kinesisvideo.us-west-2.amazonaws.com:443?transport=tcp"
    );
    assert_eq!(list.servers.as_slice()[1].password, Some("b3RoZXI="));
    assert_eq!(list.min_ttl(), Some(280));
    response_round_trip(Response::GetIceServerConfig(list));

    let media = r#"{"MediaStorageConfiguration":{"Status":"ENABLED","StreamARN":"arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1-stream/1700000000999"}}"#;
    let m = MediaStorageConfiguration::parse(media.as_bytes()).unwrap();
    assert_eq!(m.status, MediaStorageStatus::Enabled);
    assert_eq!(
        response_round_trip(Response::DescribeMediaStorageConfiguration(m)),
        media
    );
    let disabled =
        MediaStorageConfiguration::parse(br#"{"MediaStorageConfiguration":{"Status":"DISABLED"}}"#)
            .unwrap();
    assert_eq!(
        disabled,
        MediaStorageConfiguration {
            status: MediaStorageStatus::Disabled,
            stream_arn: None
        }
    );

    // No-content answers: empty, whitespace or an object.
    for call in [
        ApiCall::DeleteSignalingChannel,
        ApiCall::JoinStorageSession,
        ApiCall::JoinStorageSessionAsViewer,
    ] {
        for body in ["", " \r\n", "{}", "{\"ignored\":[1]}"] {
            assert!(
                Response::parse(call, body.as_bytes()).is_ok(),
                "{call} {body:?}"
            );
        }
        assert!(Response::parse(call, b"nope").is_err());
        assert_eq!(
            response_round_trip(Response::parse(call, b"").unwrap()),
            "{}"
        );
    }
}

#[test]
fn response_round_trips() {
    let uris4 = [
        "turn:a:443?transport=udp",
        "turns:a:443?transport=udp",
        "turns:a:443?transport=tcp",
        "turn:[::1]:3478",
    ];
    let five: Vec<IceServer<'_>> = (0..MAX_ICE_SERVERS).map(|_| sample_ice(&uris4)).collect();
    let stun_only = IceServer {
        uris: List::from_slice(&["stun:127.0.0.1:3478"]).unwrap(),
        username: None,
        password: None,
        ttl: None,
    };
    let resps = [
        Response::DescribeSignalingChannel(ChannelInfo {
            channel_arn: ARN,
            channel_name: "cam-1",
            channel_status: None,
            channel_type: None,
            creation_time: None,
            message_ttl_seconds: None,
            version: None,
        }),
        Response::DescribeSignalingChannel(ChannelInfo {
            channel_arn: "arn:aws-cn:kinesisvideo:cn-north-1:000000000000:channel/x/9999999999999",
            channel_name: "x",
            channel_status: Some(ChannelStatus::Deleting),
            channel_type: Some(ChannelType::FullMesh),
            creation_time: Some(EpochMillis::from_secs(0)),
            message_ttl_seconds: Some(120),
            version: Some("1"),
        }),
        Response::CreateSignalingChannel(CreatedChannel { channel_arn: ARN }),
        Response::GetSignalingChannelEndpoint(ResourceEndpoints::default()),
        Response::GetIceServerConfig(IceServerList::default()),
        Response::GetIceServerConfig(IceServerList {
            servers: List::from_slice(&five).unwrap(),
        }),
        Response::GetIceServerConfig(IceServerList {
            servers: List::from_slice(&[stun_only]).unwrap(),
        }),
        Response::DescribeMediaStorageConfiguration(MediaStorageConfiguration {
            status: MediaStorageStatus::Disabled,
            stream_arn: None,
        }),
    ];
    for r in resps {
        response_round_trip(r);
    }
    for ms in [
        1,
        10,
        100,
        999,
        1_700_000_000_001,
        1_700_000_000_010,
        1_700_000_000_500,
    ] {
        let info = ChannelInfo {
            channel_arn: ARN,
            channel_name: "c",
            channel_status: None,
            channel_type: None,
            creation_time: Some(EpochMillis(ms)),
            message_ttl_seconds: None,
            version: None,
        };
        response_round_trip(Response::DescribeSignalingChannel(info));
    }
}

#[test]
fn response_bounds_and_rules() {
    let server = |uris: usize| {
        let u: Vec<String> = (0..uris).map(|i| format!("\"turn:h{i}:443\"")).collect();
        format!(
            r#"{{"Password":"p","Ttl":300,"Uris":[{}],"Username":"u"}}"#,
            u.join(",")
        )
    };
    let list = |servers: usize, uris: usize| {
        let s: Vec<String> = (0..servers).map(|_| server(uris)).collect();
        format!(r#"{{"IceServerList":[{}]}}"#, s.join(","))
    };
    assert_eq!(
        IceServerList::parse(list(5, 4).as_bytes())
            .unwrap()
            .servers
            .len(),
        5
    );
    assert_eq!(
        IceServerList::parse(list(6, 1).as_bytes()),
        Err(ApiError::TooMany {
            field: "IceServerList",
            max: MAX_ICE_SERVERS
        })
    );
    assert_eq!(
        IceServerList::parse(list(1, 5).as_bytes()),
        Err(ApiError::TooMany {
            field: "Uris",
            max: MAX_ICE_URIS
        })
    );
    let long = |field: &str, len: usize| {
        let v = "x".repeat(len);
        let body = match field {
            "Uris" => format!(r#"{{"IceServerList":[{{"Uris":["{v}"]}}]}}"#),
            _ => format!(r#"{{"IceServerList":[{{"Uris":[],"{field}":"{v}"}}]}}"#),
        };
        IceServerList::parse(body.as_bytes()).map(|_| ())
    };
    for field in ["Uris", "Username", "Password"] {
        assert_eq!(long(field, MAX_ICE_FIELD_LEN), Ok(()));
        assert_eq!(
            long(field, MAX_ICE_FIELD_LEN + 1),
            Err(ApiError::TooLong {
                field: if field == "Uris" { "Uris" } else { field },
                max: MAX_ICE_FIELD_LEN
            })
        );
    }
    assert_eq!(
        IceServerList::parse(br#"{"IceServerList":[{"Ttl":4294967296}]}"#),
        Err(ApiError::InvalidValue("Ttl"))
    );
    assert_eq!(
        IceServerList::parse(br#"{"IceServerList":[{"Ttl":"300"}]}"#),
        Err(ApiError::Json)
    );
    assert_eq!(
        IceServerList::parse(br#"{"IceServerList":[{"Password":"a\/b"}]}"#),
        Err(ApiError::EscapedString("Password"))
    );
    assert_eq!(
        IceServerList::parse(b"{}"),
        Err(ApiError::MissingField("IceServerList"))
    );
    assert_eq!(
        IceServerList::parse(br#"{"IceServerList":{}}"#),
        Err(ApiError::Json)
    );

    let ep = |n: usize| {
        let e: Vec<&str> = (0..n)
            .map(|_| r#"{"Protocol":"WSS","ResourceEndpoint":"wss://x"}"#)
            .collect();
        format!(r#"{{"ResourceEndpointList":[{}]}}"#, e.join(","))
    };
    assert!(ResourceEndpoints::parse(ep(3).as_bytes()).is_ok());
    assert_eq!(
        ResourceEndpoints::parse(ep(4).as_bytes()),
        Err(ApiError::TooMany {
            field: "ResourceEndpointList",
            max: 3
        })
    );
    assert_eq!(
        ResourceEndpoints::parse(
            br#"{"ResourceEndpointList":[{"Protocol":"QUIC","ResourceEndpoint":"x"}]}"#
        ),
        Err(ApiError::InvalidValue("Protocol"))
    );
    assert_eq!(
        ResourceEndpoints::parse(br#"{"ResourceEndpointList":[{"Protocol":"WSS"}]}"#),
        Err(ApiError::MissingField("ResourceEndpoint"))
    );
    let long_ep = format!(
        r#"{{"ResourceEndpointList":[{{"Protocol":"WSS","ResourceEndpoint":"{}"}}]}}"#,
        "x".repeat(MAX_URL_LEN + 1)
    );
    assert_eq!(
        ResourceEndpoints::parse(long_ep.as_bytes()),
        Err(ApiError::TooLong {
            field: "ResourceEndpoint",
            max: MAX_URL_LEN
        })
    );

    // (The creation time is all these cases need back out.)
    let info = |members: &str| {
        ChannelInfo::parse(format!(r#"{{"ChannelInfo":{{{members}}}}}"#).as_bytes())
            .map(|i| i.creation_time)
    };
    let base = format!(r#""ChannelARN":"{ARN}","ChannelName":"cam-1""#);
    assert!(info(&base).is_ok());
    assert_eq!(
        info(r#""ChannelName":"cam-1""#),
        Err(ApiError::MissingField("ChannelARN"))
    );
    assert_eq!(
        info(&format!(r#""ChannelARN":"{ARN}""#)),
        Err(ApiError::MissingField("ChannelName"))
    );
    assert_eq!(
        info(&format!(r#"{base},"ChannelStatus":"ALIVE""#)),
        Err(ApiError::InvalidValue("ChannelStatus"))
    );
    assert_eq!(
        info(&format!(r#"{base},"CreationTime":-5"#)),
        Err(ApiError::InvalidValue("CreationTime"))
    );
    assert_eq!(
        info(&format!(r#"{base},"CreationTime":1e300"#)),
        Err(ApiError::InvalidValue("CreationTime"))
    );
    assert_eq!(
        info(&format!(r#"{base},"CreationTime":"2023-11-14T22:13:20Z""#)),
        Err(ApiError::Json)
    );
    assert_eq!(
        info(&format!(r#"{base},"CreationTime":1700000000"#)).unwrap(),
        Some(EpochMillis(1_700_000_000_000))
    );
    assert_eq!(
        info(&format!(r#"{base},"Version":"{}""#, "v".repeat(65))),
        Err(ApiError::TooLong {
            field: "Version",
            max: 64
        })
    );
    assert_eq!(
        info(r#""ChannelARN":"arn:aws:kinesisvideo:us-west-2:1:channel/c/1","ChannelName":"c""#),
        Err(ApiError::InvalidChannelArn)
    );
    assert_eq!(
        ChannelInfo::parse(b"{}"),
        Err(ApiError::MissingField("ChannelInfo"))
    );
    assert_eq!(
        CreatedChannel::parse(b"{}"),
        Err(ApiError::MissingField("ChannelARN"))
    );
    assert_eq!(
        MediaStorageConfiguration::parse(br#"{"MediaStorageConfiguration":{"Status":"enabled"}}"#),
        Err(ApiError::InvalidValue("Status"))
    );
    assert_eq!(
        MediaStorageConfiguration::parse(br#"{"MediaStorageConfiguration":{}}"#),
        Err(ApiError::MissingField("Status"))
    );
}

#[test]
fn writers_escape_and_respect_buffers() {
    // A value that needs escaping is escaped (and then refused by the strict reader:
    // such values never come from the service).
    let weird = GetIceServerConfig {
        username: Some("a\"b\\c\n"),
        ..GetIceServerConfig::new(ARN, "v")
    };
    let json = text(|o| weird.write_json(o));
    assert!(json.ends_with(r#","Username":"a\"b\\c\n"}"#), "{json}");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["Username"], "a\"b\\c\n");
    assert_eq!(
        Request::parse(ApiCall::GetIceServerConfig, json.as_bytes()),
        Err(ApiError::EscapedString("Username"))
    );
    // Every writer fails cleanly on a short buffer.
    let req = Request::CreateSignalingChannel(CreateSignalingChannel::single_master("cam-1", 60));
    let full = req_json(&req);
    for n in 0..full.len() {
        let mut buf = vec![0u8; n];
        let mut w = SliceWriter::new(&mut buf);
        assert!(req.write_json(&mut w).is_err());
    }
    let mut buf = vec![0u8; full.len()];
    let mut w = SliceWriter::new(&mut buf);
    req.write_json(&mut w).unwrap();
    assert_eq!(w.as_str(), full);
}

// ---------------------------------------------------------------------------------
// Errors

#[test]
fn service_errors_as_the_service_sends_them() {
    /// status, `x-amzn-ErrorType`, body, expected kind, expected name.
    type Case<'a> = (
        u16,
        Option<&'a str>,
        &'a str,
        ServiceErrorKind,
        Option<&'a str>,
    );
    let cases: [Case<'_>; 14] = [
        (
            404,
            Some(
                "ResourceNotFoundException:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo.v20170930/",
            ),
            r#"{"Message":"The requested channel is not found or not active."}"#,
            ServiceErrorKind::NotFound,
            Some("ResourceNotFoundException"),
        ),
        (
            401,
            Some("AccessDeniedException"),
            r#"{"Message":"User is not authorized"}"#,
            ServiceErrorKind::AccessDenied,
            Some("AccessDeniedException"),
        ),
        (
            400,
            Some("ClientLimitExceededException"),
            r#"{"Message":"Rate exceeded"}"#,
            ServiceErrorKind::ClientLimitExceeded,
            Some("ClientLimitExceededException"),
        ),
        (
            400,
            Some("InvalidArgumentException"),
            r#"{"Message":"1 validation error"}"#,
            ServiceErrorKind::InvalidArgument,
            Some("InvalidArgumentException"),
        ),
        (
            403,
            Some(
                "InvalidSignatureException:http://internal.amazon.com/coral/com.amazon.coral.service/",
            ),
            r#"{"message":"Signature expired: 20231114T221320Z is now earlier than 20231114T222320Z (20231114T222820Z - 5 min.)"}"#,
            ServiceErrorKind::SignatureExpired,
            Some("InvalidSignatureException"),
        ),
        (
            403,
            Some("InvalidSignatureException"),
            r#"{"message":"Signature not yet current: 20231114T224320Z is still later than 20231114T223320Z (20231114T222820Z + 5 min.)"}"#,
            ServiceErrorKind::SignatureExpired,
            Some("InvalidSignatureException"),
        ),
        (
            403,
            Some("InvalidSignatureException"),
            r#"{"message":"The request signature we calculated does not match the signature you provided."}"#,
            ServiceErrorKind::InvalidSignature,
            Some("InvalidSignatureException"),
        ),
        (
            403,
            Some("UnrecognizedClientException"),
            r#"{"message":"The security token included in the request is invalid."}"#,
            ServiceErrorKind::UnrecognizedClient,
            Some("UnrecognizedClientException"),
        ),
        (
            403,
            Some("ExpiredTokenException"),
            r#"{"message":"The security token included in the request is expired"}"#,
            ServiceErrorKind::ExpiredToken,
            Some("ExpiredTokenException"),
        ),
        (
            400,
            Some("ResourceInUseException"),
            r#"{"Message":"in use"}"#,
            ServiceErrorKind::ResourceInUse,
            Some("ResourceInUseException"),
        ),
        (
            400,
            Some("VersionMismatchException"),
            r#"{"Message":"stale"}"#,
            ServiceErrorKind::VersionMismatch,
            Some("VersionMismatchException"),
        ),
        (
            400,
            Some("ThrottlingException"),
            r#"{"message":"Rate exceeded"}"#,
            ServiceErrorKind::Throttled,
            Some("ThrottlingException"),
        ),
        (
            400,
            Some("SomethingNewException"),
            r#"{"Message":"?"}"#,
            ServiceErrorKind::Other,
            Some("SomethingNewException"),
        ),
        (
            500,
            None,
            "<html>Internal Server Error</html>",
            ServiceErrorKind::Other,
            None,
        ),
    ];
    for (status, header, body, kind, name) in cases {
        let e = ServiceError::parse(status, header, body.as_bytes());
        assert_eq!(
            (e.status, e.kind, e.error_type),
            (status, kind, name),
            "{header:?} {body}"
        );
        if body.starts_with('{') {
            assert!(e.message.is_some(), "{body}");
        }
        assert_eq!(
            e.is_clock_skew(),
            kind == ServiceErrorKind::SignatureExpired
        );
        assert!(e.to_string().contains(&status.to_string()));
    }
}

#[test]
fn service_error_name_sources() {
    // Header beats body code beats __type; cleaned like the JS SDK does.
    let e = ServiceError::parse(
        400,
        Some("InvalidArgumentException"),
        br#"{"code":"ResourceNotFoundException","__type":"AccessDeniedException"}"#,
    );
    assert_eq!(e.kind, ServiceErrorKind::InvalidArgument);
    let e = ServiceError::parse(
        400,
        None,
        br#"{"code":"ResourceNotFoundException","__type":"AccessDeniedException"}"#,
    );
    assert_eq!(e.kind, ServiceErrorKind::NotFound);
    let e = ServiceError::parse(400, None, br#"{"Code":"VersionMismatchException"}"#);
    assert_eq!(e.kind, ServiceErrorKind::VersionMismatch);
    let e = ServiceError::parse(
        400,
        None,
        br#"{"__type":"com.amazonaws.kinesisvideo#ClientLimitExceededException","message":"m"}"#,
    );
    assert_eq!(
        (e.kind, e.error_type),
        (
            ServiceErrorKind::ClientLimitExceeded,
            Some("ClientLimitExceededException")
        )
    );
    let e = ServiceError::parse(400, Some(" ResourceInUseException , Other"), b"");
    assert_eq!(e.kind, ServiceErrorKind::ResourceInUse);
    let e = ServiceError::parse(400, Some("aws.protocols#ValidationException:http://x"), b"");
    assert_eq!(e.kind, ServiceErrorKind::InvalidArgument);
    // message beats Message.
    let e = ServiceError::parse(400, None, br#"{"Message":"upper","message":"lower"}"#);
    assert_eq!(e.message.unwrap().raw(), "lower");
    // Bare statuses.
    for (status, kind) in [
        (404, ServiceErrorKind::NotFound),
        (403, ServiceErrorKind::AccessDenied),
        (401, ServiceErrorKind::AccessDenied),
        (429, ServiceErrorKind::Throttled),
        (500, ServiceErrorKind::Other),
        (503, ServiceErrorKind::Other),
    ] {
        assert_eq!(
            ServiceError::parse(status, None, b"").kind,
            kind,
            "{status}"
        );
        assert_eq!(
            ServiceError::parse(status, Some(""), b"{}").kind,
            kind,
            "{status}"
        );
    }
    // Clock skew found in a 403 body the JSON reader cannot use (the C SDK's strstr).
    let e = ServiceError::parse(
        403,
        None,
        b"Signature expired: 20231114T221320Z is now earlier than ...",
    );
    assert_eq!(e.kind, ServiceErrorKind::SignatureExpired);
    // ... but not promoted from a typed non-signature error.
    let e = ServiceError::parse(
        400,
        Some("InvalidArgumentException"),
        br#"{"Message":"Signature expired"}"#,
    );
    assert_eq!(e.kind, ServiceErrorKind::InvalidArgument);
    // Escaped messages are decoded on request.
    let e = ServiceError::parse(
        400,
        Some("InvalidArgumentException"),
        br#"{"Message":"bad \"name\"\n"}"#,
    );
    let mut buf = [0u8; 64];
    assert_eq!(
        e.message.unwrap().unescape(&mut buf).unwrap(),
        "bad \"name\"\n"
    );
}

#[test]
fn error_replies_round_trip_for_every_kind() {
    for kind in SERVICE_ERROR_KINDS {
        let msg = match kind {
            ServiceErrorKind::SignatureExpired => {
                "Signature expired: 20231114T221320Z is now earlier than 20231114T222320Z (20231114T222820Z - 5 min.)"
            }
            _ => "some \"quoted\" reason",
        };
        let reply = ErrorReply::new(kind, msg);
        assert_eq!(reply.status, kind.status());
        assert_eq!(reply.header_value(), Some(kind.type_name()));
        let body = text(|o| reply.write_json(o));
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v[kind.message_key()], msg, "{body}");
        let e = ServiceError::parse(reply.status, reply.header_value(), body.as_bytes());
        assert_eq!(e.kind, kind, "{body}");
        assert_eq!(e.status, kind.status());
        let mut buf = [0u8; 256];
        assert_eq!(e.message.unwrap().unescape(&mut buf).unwrap(), msg);
        // With the service's namespace suffix on the header too.
        let header = format!(
            "{}:http://internal.amazon.com/coral/com.amazonaws.kinesisvideo.v20170930/",
            kind.type_name()
        );
        assert_eq!(
            ServiceError::parse(reply.status, Some(&header), body.as_bytes()).kind,
            kind
        );
        assert_eq!(
            ServiceErrorKind::from_type_name(kind.type_name())
                .map(|k| k == kind || kind == ServiceErrorKind::SignatureExpired),
            if kind == ServiceErrorKind::Other {
                None
            } else {
                Some(true)
            }
        );
        assert!(!kind.to_string().is_empty());
    }
    // The model's statuses for the JS SDK's typed exceptions.
    assert_eq!(ServiceErrorKind::NotFound.status(), 404);
    assert_eq!(ServiceErrorKind::AccessDenied.status(), 401);
    assert_eq!(ServiceErrorKind::InvalidArgument.status(), 400);
    assert_eq!(ServiceErrorKind::ClientLimitExceeded.status(), 400);
    assert_eq!(ServiceErrorKind::SignatureExpired.status(), 403);
    assert!(ServiceErrorKind::SignatureExpired.is_transient());
    assert!(!ServiceErrorKind::InvalidSignature.is_transient());
    assert!(!ServiceErrorKind::AccessDenied.is_transient());
}

#[test]
fn signature_messages() {
    // 2023-11-14T22:13:20Z = 1700000000.
    let mut s = String::new();
    write_signature_expired_message(&mut s, 1_700_000_000, 1_700_000_900).unwrap();
    assert_eq!(
        s,
        "Signature expired: 20231114T221320Z is now earlier than 20231114T222320Z (20231114T222820Z - 5 min.)"
    );
    let mut s = String::new();
    write_signature_not_yet_current_message(&mut s, 1_700_001_500, 1_700_000_900).unwrap();
    assert_eq!(
        s,
        "Signature not yet current: 20231114T223820Z is still later than 20231114T223320Z (20231114T222820Z + 5 min.)"
    );
    for f in [
        write_signature_expired_message::<String>,
        write_signature_not_yet_current_message::<String>,
    ] {
        let mut s = String::new();
        f(&mut s, 1, 2).unwrap();
        let reply = ErrorReply::new(ServiceErrorKind::SignatureExpired, &s);
        let body = text(|o| reply.write_json(o));
        assert!(ServiceError::parse(403, reply.header_value(), body.as_bytes()).is_clock_skew());
    }
}

// ---------------------------------------------------------------------------------
// Validators

#[test]
fn channel_names_and_client_ids() {
    for ok in [
        "a",
        "A-z_0.9",
        &"x".repeat(256),
        "AWS_allowed_for_channels",
        "...",
    ] {
        assert_eq!(validate_channel_name(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        &"x".repeat(257),
        "a b",
        "a/b",
        "a:b",
        "é",
        "a\0",
        "a\"b",
        "name\n",
    ] {
        assert_eq!(
            validate_channel_name(bad),
            Err(ApiError::InvalidChannelName),
            "{bad:?}"
        );
    }
    for ok in [
        "v",
        "viewer-1",
        "ProducerMaster",
        &"x".repeat(256),
        "aws_lowercase_ok",
        "AWS",
        "AWSx",
        "_AWS_",
    ] {
        assert_eq!(validate_client_id(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        &"x".repeat(257),
        "AWS_",
        "AWS_viewer",
        "a b",
        "viewer#1",
        "ü",
    ] {
        assert_eq!(
            validate_client_id(bad),
            Err(ApiError::InvalidClientId),
            "{bad:?}"
        );
    }
}

#[test]
fn channel_arns() {
    let arn = ChannelArn::parse(ARN).unwrap();
    assert_eq!(
        arn,
        ChannelArn {
            partition: "aws",
            region: "us-west-2",
            account_id: "123456789012",
            channel_name: "cam-1",
            creation_code: 1_700_000_000_123
        }
    );
    assert_eq!(arn.to_string(), ARN);
    let cn = "arn:aws-cn:kinesisvideo:cn-north-1:123456789012:channel/cam/1700000000123";
    assert_eq!(ChannelArn::parse(cn).unwrap().partition, "aws-cn");
    assert!(
        validate_channel_arn(
            "arn:aws-us-gov:kinesisvideo:us-gov-west-1:123456789012:channel/cam/1700000000123"
        )
        .is_ok()
    );
    // Names may contain what channel names may, including dots and a 256-char name.
    let long = format!(
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/{}/1700000000123",
        "n".repeat(256)
    );
    assert!(validate_channel_arn(&long).is_ok());
    for bad in [
        "",
        "arn",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel//1700000000123",
        "arn:aws:kinesisvideo:us-west-2:123456789012:stream/cam-1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:12345678901:channel/cam-1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:1234567890123:channel/cam-1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:12345678901a:channel/cam-1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/170000000012",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/17000000001234",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/170000000012x",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam 1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/a/b/1700000000123",
        "arn:aws:kinesisvideo:US-WEST-2:123456789012:channel/cam-1/1700000000123",
        "arn:aws:kinesisvideo::123456789012:channel/cam-1/1700000000123",
        "arn:aws:kinesis:us-west-2:123456789012:channel/cam-1/1700000000123",
        "arn:aws-xx:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123",
        "ARN:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123",
        " arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123",
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/cam-1/1700000000123 ",
    ] {
        assert_eq!(
            validate_channel_arn(bad),
            Err(ApiError::InvalidChannelArn),
            "{bad}"
        );
    }
    // Minting: partition follows the region; bad parts are refused.
    let minted = ChannelArn::new("cn-north-1", "000000000001", "door", 1_700_000_000_000).unwrap();
    assert_eq!(
        minted.to_string(),
        "arn:aws-cn:kinesisvideo:cn-north-1:000000000001:channel/door/1700000000000"
    );
    assert_eq!(ChannelArn::parse(&minted.to_string()).unwrap(), minted);
    assert_eq!(partition_for_region("us-gov-east-1"), "aws-us-gov");
    assert_eq!(partition_for_region("eu-west-1"), "aws");
    assert!(ChannelArn::new("us-west-2", "1", "door", 1_700_000_000_000).is_err());
    assert!(ChannelArn::new("us-west-2", "123456789012", "do or", 1_700_000_000_000).is_err());
    assert!(ChannelArn::new("us-west-2", "123456789012", "door", 999).is_err());
    assert!(ChannelArn::new("Us", "123456789012", "door", 1_700_000_000_000).is_err());
    let mut small = [0u8; 20];
    let mut w = SliceWriter::new(&mut small);
    assert!(minted.write(&mut w).is_err());
}

#[test]
fn oversized_identifiers_in_requests() {
    let name257 = "n".repeat(257);
    let id257 = "i".repeat(257);
    let arn_long = format!(
        "arn:aws:kinesisvideo:us-west-2:123456789012:channel/{}/1700000000123",
        "n".repeat(1000)
    );
    let cases: [(ApiCall, String, ApiError); 6] = [
        (
            ApiCall::DescribeSignalingChannel,
            format!(r#"{{"ChannelName":"{name257}"}}"#),
            ApiError::InvalidChannelName,
        ),
        (
            ApiCall::CreateSignalingChannel,
            format!(r#"{{"ChannelName":"{name257}"}}"#),
            ApiError::InvalidChannelName,
        ),
        (
            ApiCall::DescribeSignalingChannel,
            format!(r#"{{"ChannelARN":"{arn_long}"}}"#),
            ApiError::InvalidChannelArn,
        ),
        (
            ApiCall::GetIceServerConfig,
            format!(r#"{{"ChannelARN":"{ARN}","ClientId":"{id257}"}}"#),
            ApiError::InvalidClientId,
        ),
        (
            ApiCall::JoinStorageSessionAsViewer,
            format!(r#"{{"channelArn":"{ARN}","clientId":"{id257}"}}"#),
            ApiError::InvalidClientId,
        ),
        (
            ApiCall::GetIceServerConfig,
            format!(
                r#"{{"ChannelARN":"{ARN}","Username":"{}"}}"#,
                "u".repeat(MAX_USERNAME_LEN + 1)
            ),
            ApiError::InvalidValue("Username"),
        ),
    ];
    for (call, body, err) in cases {
        assert_eq!(Request::parse(call, body.as_bytes()), Err(err), "{call}");
    }
    // At the limits they pass.
    let name256 = "n".repeat(256);
    assert!(
        Request::parse(
            ApiCall::CreateSignalingChannel,
            format!(r#"{{"ChannelName":"{name256}"}}"#).as_bytes()
        )
        .is_ok()
    );
    let id256 = "i".repeat(256);
    assert!(
        Request::parse(
            ApiCall::JoinStorageSessionAsViewer,
            format!(r#"{{"channelArn":"{ARN}","clientId":"{id256}"}}"#).as_bytes()
        )
        .is_ok()
    );
    // A megabyte of string is just refused, in linear time.
    let huge = format!(r#"{{"ChannelName":"{}"}}"#, "n".repeat(1 << 20));
    assert_eq!(
        Request::parse(ApiCall::DescribeSignalingChannel, huge.as_bytes()),
        Err(ApiError::InvalidChannelName)
    );
}

#[test]
fn bounded_lists() {
    let mut l: List<u8, 2> = List::new();
    assert!(l.is_empty());
    assert_eq!(l.capacity(), 2);
    l.push(1).unwrap();
    l.push(2).unwrap();
    assert_eq!(l.push(3), Err(3));
    assert_eq!(l.as_slice(), &[1, 2]);
    assert_eq!(l.iter().sum::<u8>(), 3);
    assert_eq!(List::<u8, 2>::from_slice(&[1, 2, 3]), None);
    assert_eq!(List::<u8, 2>::from_slice(&[1, 2]), Some(l));
    assert_eq!(format!("{l:?}"), "[1, 2]");
    // Equality looks at the elements only, not at unused slots.
    let mut a: List<u8, 3> = List::from_slice(&[7]).unwrap();
    let b: List<u8, 3> = List::from_slice(&[7]).unwrap();
    a.push(9).unwrap();
    assert_ne!(a, b);
}

#[test]
fn error_reply_variants() {
    // A bare status (no name): the body still carries the text, the kind comes from
    // the status.
    let reply = ErrorReply {
        status: 404,
        error_type: None,
        message_key: "message",
        message: "gone",
    };
    let body = text(|o| reply.write_json(o));
    assert_eq!(body, r#"{"message":"gone"}"#);
    let e = ServiceError::parse(404, reply.header_value(), body.as_bytes());
    assert_eq!((e.kind, e.error_type), (ServiceErrorKind::NotFound, None));
    // What the local server sends for a missing channel, byte for byte.
    let nf = ErrorReply::new(
        ServiceErrorKind::NotFound,
        "The requested channel is not found or not active.",
    );
    assert_eq!(
        text(|o| nf.write_json(o)),
        r#"{"Message":"The requested channel is not found or not active."}"#
    );
    assert_eq!(
        (nf.status, nf.header_value()),
        (404, Some("ResourceNotFoundException"))
    );
    let e = ServiceError::parse(
        404,
        nf.header_value(),
        br#"{"Message":"The requested channel is not found or not active."}"#,
    );
    assert_eq!(
        e.to_string(),
        "KVS resource not found (HTTP 404, ResourceNotFoundException): The requested channel is not found or not active."
    );
}

#[test]
fn escaping_matches_a_full_json_parser() {
    let mut tricky: Vec<String> = (0u32..0x80)
        .map(|c| format!("a{}b", char::from_u32(c).unwrap()))
        .collect();
    tricky.extend(
        [
            "",
            "\"",
            "\\",
            "\\\"",
            "\u{2028}\u{2029}",
            "é漢字🎥",
            "\u{7f}",
            "</script>",
            "\\u0041",
        ]
        .map(String::from),
    );
    for s in &tricky {
        // Through a writer that takes arbitrary text: the tag value of a create request.
        let req = CreateSignalingChannel {
            tags: List::from_slice(&[Tag { key: "k", value: s }]).unwrap(),
            ..CreateSignalingChannel::single_master("c", 60)
        };
        let json = text(|o| req.write_json(o));
        let v: serde_json::Value =
            serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(v["Tags"][0]["Value"], s.as_str(), "{json}");
        // The strict reader takes it back exactly when no escape was needed.
        let needs_escape = s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
        let back = Request::parse(ApiCall::CreateSignalingChannel, json.as_bytes());
        if needs_escape {
            assert_eq!(back, Err(ApiError::EscapedString("Value")), "{json}");
        } else {
            assert_eq!(back, Ok(Request::CreateSignalingChannel(req)), "{json}");
        }
    }
}

#[test]
fn response_variants_seen_in_the_wild() {
    // null members are absent members.
    let body = format!(
        r#"{{"ChannelInfo":{{"ChannelARN":"{ARN}","ChannelName":"cam-1","Version":null,"CreationTime":null,"SingleMasterConfiguration":null}}}}"#
    );
    let info = ChannelInfo::parse(body.as_bytes()).unwrap();
    assert_eq!(
        (info.version, info.creation_time, info.message_ttl_seconds),
        (None, None, None)
    );
    // Members in any order, extra members (a future service version) ignored.
    let body = format!(
        r#"{{"Extra":1,"ChannelInfo":{{"Version":"v1","FutureField":{{"x":[1,2]}},"ChannelName":"cam-1","ChannelARN":"{ARN}","ChannelStatus":"CREATING"}}}}"#
    );
    let info = ChannelInfo::parse(body.as_bytes()).unwrap();
    assert_eq!(
        (info.channel_status, info.version),
        (Some(ChannelStatus::Creating), Some("v1"))
    );
    // An ICE server without credentials (a plain STUN entry) and an empty list.
    let list = IceServerList::parse(
        br#"{"IceServerList":[{"Uris":["stun:stun.kinesisvideo.us-west-2.amazonaws.com:443"]}]}"#,
    )
    .unwrap();
    assert_eq!(
        (list.servers.as_slice()[0].username, list.min_ttl()),
        (None, None)
    );
    assert!(
        IceServerList::parse(br#"{"IceServerList":[]}"#)
            .unwrap()
            .servers
            .is_empty()
    );
    // Endpoint list with only WSS (a viewer that asked for WSS only).
    let e = ResourceEndpoints::parse(br#"{"ResourceEndpointList":[{"Protocol":"WSS","ResourceEndpoint":"wss://v-1.kinesisvideo.us-west-2.amazonaws.com"}]}"#).unwrap();
    assert_eq!(
        (e.get(Protocol::Wss).is_some(), e.get(Protocol::Https)),
        (true, None)
    );
    // Windows line ends and a UTF-8 BOM-less body with leading whitespace.
    let crlf = format!("\r\n{{\r\n  \"ChannelARN\" : \"{ARN}\"\r\n}}\r\n");
    assert_eq!(
        CreatedChannel::parse(crlf.as_bytes()).unwrap().channel_arn,
        ARN
    );
}
