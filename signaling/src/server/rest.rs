//! The REST calls, once authenticated: bodies read and answers written with the
//! [`crate::api`] shapes the client parses, state kept by the hub.

use std::string::{String, ToString};
use std::sync::Arc;

use hyper::Response;

use super::http::{Body, json_response};
use super::hub::Hub;
use super::request::Rejection;
use super::turn::turn_credentials;
use crate::api::{
    ChannelInfo, ChannelRef, ChannelStatus, ChannelType, CreatedChannel, EpochMillis, IceServer,
    IceServerList, List, MediaStorageConfiguration, MediaStorageStatus, Protocol, Request,
    ResourceEndpoint, ResourceEndpoints,
};

/// The service's default `MessageTtlSeconds`.
const DEFAULT_MESSAGE_TTL: u32 = 60;

fn write(f: impl FnOnce(&mut String) -> core::fmt::Result) -> Result<Response<Body>, Rejection> {
    let mut s = String::new();
    f(&mut s).map_err(|_| Rejection::new(500, "InternalFailure", "could not write the answer"))?;
    Ok(json_response(s))
}

pub(crate) fn handle(
    hub: &Arc<Hub>,
    req: Request<'_>,
    host: &str,
    tls: bool,
    now_unix: u64,
) -> Result<Response<Body>, Rejection> {
    match req {
        Request::DescribeSignalingChannel(d) => {
            let info = describe(hub, d.channel)?;
            write(|s| channel_info(&info).write_json(s))
        }
        Request::CreateSignalingChannel(c) => {
            if c.channel_type
                .is_some_and(|t| t != ChannelType::SingleMaster)
            {
                return Err(Rejection::new(
                    400,
                    "InvalidArgumentException",
                    "Only SINGLE_MASTER signaling channels are supported.",
                ));
            }
            let tags = c
                .tags
                .iter()
                .map(|t| (t.key.to_string(), t.value.to_string()))
                .collect();
            let ttl = c.message_ttl_seconds.unwrap_or(DEFAULT_MESSAGE_TTL);
            let info = hub.create_channel(c.channel_name, ttl, tags, hub.cfg.now_ms())?;
            write(|s| {
                CreatedChannel {
                    channel_arn: &info.arn,
                }
                .write_json(s)
            })
        }
        Request::DeleteSignalingChannel(d) => {
            hub.delete_channel(d.channel_arn, d.current_version)?;
            Ok(json_response("{}".into()))
        }
        Request::GetSignalingChannelEndpoint(g) => {
            hub.describe(None, Some(g.channel_arn))?;
            let (ws, http) = if tls {
                ("wss", "https")
            } else {
                ("ws", "http")
            };
            let wss = std::format!("{ws}://{host}");
            let https = std::format!("{http}://{host}");
            let mut endpoints = ResourceEndpoints {
                endpoints: List::new(),
            };
            for p in g.protocols.iter() {
                let endpoint = match p {
                    Protocol::Wss => wss.as_str(),
                    _ => https.as_str(),
                };
                let _ = endpoints.endpoints.push(ResourceEndpoint {
                    protocol: *p,
                    endpoint,
                });
            }
            write(|s| endpoints.write_json(s))
        }
        Request::GetIceServerConfig(g) => {
            let info = hub.describe(None, Some(g.channel_arn))?;
            let cfg = &hub.cfg;
            // `<expiry>:<user>` must fit the 256-byte username clients accept (the KVS C
            // SDK's buffer, `api::MAX_ICE_FIELD_LEN`): long ids are cut (ASCII grammar, so
            // any cut is a char boundary); the user part only labels the credential.
            let user = g.client_id.unwrap_or(&info.name);
            let user = user.get(..user.len().min(200)).unwrap_or(user);
            let ttl = cfg.turn_ttl.as_secs();
            let creds = cfg
                .turn_secret
                .as_deref()
                .map(|secret| turn_credentials(secret, user, now_unix, ttl));
            let mut list = IceServerList::default();
            for chunk in cfg.turn_uris.chunks(4) {
                let mut uris = List::new();
                for u in chunk {
                    let _ = uris.push(u.as_str());
                }
                let _ = list.servers.push(IceServer {
                    uris,
                    username: creds.as_ref().map(|c| c.username.as_str()),
                    password: creds.as_ref().map(|c| c.password.as_str()),
                    ttl: Some(u32::try_from(ttl).unwrap_or(u32::MAX)),
                });
            }
            if !cfg.stun_uris.is_empty() {
                let mut uris = List::new();
                for u in cfg.stun_uris.iter().take(4) {
                    let _ = uris.push(u.as_str());
                }
                let _ = list.servers.push(IceServer {
                    uris,
                    username: None,
                    password: None,
                    ttl: None,
                });
            }
            write(|s| list.write_json(s))
        }
        Request::DescribeMediaStorageConfiguration(d) => {
            let info = describe(hub, d.channel)?;
            let conf = MediaStorageConfiguration {
                status: if info.storage_stream_arn.is_some() {
                    MediaStorageStatus::Enabled
                } else {
                    MediaStorageStatus::Disabled
                },
                stream_arn: info.storage_stream_arn.as_deref(),
            };
            write(|s| conf.write_json(s))
        }
        Request::JoinStorageSession(j) => {
            hub.join_storage(j.channel_arn, None, now_unix)?;
            Ok(json_response(String::new()))
        }
        Request::JoinStorageSessionAsViewer(j) => {
            hub.join_storage(j.channel_arn, Some(j.client_id), now_unix)?;
            Ok(json_response(String::new()))
        }
    }
}

fn describe(hub: &Hub, channel: ChannelRef<'_>) -> Result<super::hub::ChannelInfo, Rejection> {
    match channel {
        ChannelRef::Name(n) => hub.describe(Some(n), None),
        ChannelRef::Arn(a) => hub.describe(None, Some(a)),
    }
}

fn channel_info(info: &super::hub::ChannelInfo) -> ChannelInfo<'_> {
    ChannelInfo {
        channel_arn: &info.arn,
        channel_name: &info.name,
        channel_status: Some(ChannelStatus::Active),
        channel_type: Some(ChannelType::SingleMaster),
        creation_time: Some(EpochMillis(info.created_ms)),
        message_ttl_seconds: Some(info.message_ttl_secs),
        version: Some(&info.version),
    }
}
