//! Response bodies: the local server writes them (`write_json`), the client reads them
//! (`parse`, borrowing from the body). Each type is a whole 200 body.

use core::fmt::{self, Write};

use serde::Deserialize;

use super::json::{self, EpochMillis, List, Sep, WireEpoch, from_body, opt_text, req_text};
use super::request::{MAX_VERSION_LEN, MESSAGE_TTL_RANGE};
use super::validate::{validate_channel_arn, validate_channel_name};
use super::{ApiCall, ApiError, ChannelStatus, ChannelType, MediaStorageStatus, Protocol};

/// The most ICE servers a `GetIceServerConfig` answer may list (the service sends up
/// to 5; more is refused rather than silently cut).
pub const MAX_ICE_SERVERS: usize = 5;
/// The most URIs one ICE server may list.
pub const MAX_ICE_URIS: usize = 4;
/// The longest ICE URI, username or password accepted (the KVS C SDK's buffers).
pub const MAX_ICE_FIELD_LEN: usize = 256;
/// The longest endpoint URL or stream ARN accepted.
pub const MAX_URL_LEN: usize = 1024;

fn bounded<'a>(field: &'static str, s: &'a str, max: usize) -> Result<&'a str, ApiError> {
    if s.len() > max {
        return Err(ApiError::TooLong { field, max });
    }
    Ok(s)
}

/// The `DescribeSignalingChannel` answer: `{"ChannelInfo":{"ChannelARN":…,
/// "ChannelName":…,"ChannelStatus":"ACTIVE","ChannelType":"SINGLE_MASTER",
/// "CreationTime":1700000000.123,"SingleMasterConfiguration":{"MessageTtlSeconds":60},
/// "Version":…}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelInfo<'a> {
    /// `ChannelARN` (required: every later call needs it).
    pub channel_arn: &'a str,
    /// `ChannelName` (required).
    pub channel_name: &'a str,
    /// `ChannelStatus`: only `ACTIVE` channels can be connected to.
    pub channel_status: Option<ChannelStatus>,
    /// `ChannelType`.
    pub channel_type: Option<ChannelType>,
    /// `CreationTime`, epoch seconds on the wire.
    pub creation_time: Option<EpochMillis>,
    /// `SingleMasterConfiguration.MessageTtlSeconds`.
    pub message_ttl_seconds: Option<u32>,
    /// `Version`: what `DeleteSignalingChannel.CurrentVersion` wants.
    pub version: Option<&'a str>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct WireSingleMaster {
    #[serde(rename = "MessageTtlSeconds")]
    ttl: Option<u64>,
}

impl<'a> ChannelInfo<'a> {
    /// Reads a `DescribeSignalingChannel` 200 body.
    pub fn parse(body: &'a [u8]) -> Result<ChannelInfo<'a>, ApiError> {
        #[derive(Deserialize)]
        struct Info<'a> {
            #[serde(rename = "ChannelARN", borrow)]
            arn: Option<&'a str>,
            #[serde(rename = "ChannelName", borrow)]
            name: Option<&'a str>,
            #[serde(rename = "ChannelStatus", borrow)]
            status: Option<&'a str>,
            #[serde(rename = "ChannelType", borrow)]
            type_: Option<&'a str>,
            #[serde(rename = "CreationTime")]
            creation: Option<WireEpoch>,
            #[serde(rename = "SingleMasterConfiguration")]
            single_master: Option<WireSingleMaster>,
            #[serde(rename = "Version", borrow)]
            version: Option<&'a str>,
        }
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "ChannelInfo", borrow)]
            info: Option<Info<'a>>,
        }
        let w: Wire<'a> = from_body(body)?;
        let i = w.info.ok_or(ApiError::MissingField("ChannelInfo"))?;
        let info = ChannelInfo {
            channel_arn: req_text("ChannelARN", i.arn)?,
            channel_name: req_text("ChannelName", i.name)?,
            channel_status: opt_text("ChannelStatus", i.status)?
                .map(|s| ChannelStatus::from_wire(s).ok_or(ApiError::InvalidValue("ChannelStatus")))
                .transpose()?,
            channel_type: opt_text("ChannelType", i.type_)?
                .map(|s| ChannelType::from_wire(s).ok_or(ApiError::InvalidValue("ChannelType")))
                .transpose()?,
            creation_time: i
                .creation
                .map(|t| t.to_millis("CreationTime"))
                .transpose()?,
            message_ttl_seconds: i
                .single_master
                .and_then(|s| s.ttl)
                .map(|t| {
                    u32::try_from(t)
                        .ok()
                        .filter(|t| MESSAGE_TTL_RANGE.contains(t))
                        .ok_or(ApiError::InvalidValue("MessageTtlSeconds"))
                })
                .transpose()?,
            version: opt_text("Version", i.version)?
                .map(|v| bounded("Version", v, MAX_VERSION_LEN))
                .transpose()?,
        };
        validate_channel_arn(info.channel_arn)?;
        validate_channel_name(info.channel_name)?;
        Ok(info)
    }

    /// Writes the 200 body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_str("{")?;
        json::write_key(out, "ChannelInfo")?;
        out.write_char('{')?;
        json::write_key(out, "ChannelARN")?;
        json::write_string(out, self.channel_arn)?;
        out.write_char(',')?;
        json::write_key(out, "ChannelName")?;
        json::write_string(out, self.channel_name)?;
        if let Some(s) = self.channel_status {
            out.write_char(',')?;
            json::write_key(out, "ChannelStatus")?;
            json::write_string(out, s.as_str())?;
        }
        if let Some(t) = self.channel_type {
            out.write_char(',')?;
            json::write_key(out, "ChannelType")?;
            json::write_string(out, t.as_str())?;
        }
        if let Some(t) = self.creation_time {
            out.write_char(',')?;
            json::write_key(out, "CreationTime")?;
            t.write(out)?;
        }
        if let Some(ttl) = self.message_ttl_seconds {
            out.write_char(',')?;
            json::write_key(out, "SingleMasterConfiguration")?;
            out.write_char('{')?;
            json::write_key(out, "MessageTtlSeconds")?;
            write!(out, "{ttl}}}")?;
        }
        if let Some(v) = self.version {
            out.write_char(',')?;
            json::write_key(out, "Version")?;
            json::write_string(out, v)?;
        }
        out.write_str("}}")
    }
}

/// The `CreateSignalingChannel` answer: `{"ChannelARN":…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedChannel<'a> {
    /// `ChannelARN` of the new channel.
    pub channel_arn: &'a str,
}

impl<'a> CreatedChannel<'a> {
    /// Reads a `CreateSignalingChannel` 200 body.
    pub fn parse(body: &'a [u8]) -> Result<CreatedChannel<'a>, ApiError> {
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "ChannelARN", borrow)]
            arn: Option<&'a str>,
        }
        let w: Wire<'a> = from_body(body)?;
        let channel_arn = req_text("ChannelARN", w.arn)?;
        validate_channel_arn(channel_arn)?;
        Ok(CreatedChannel { channel_arn })
    }

    /// Writes the 200 body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ChannelARN")?;
        json::write_string(out, self.channel_arn)?;
        out.write_char('}')
    }
}

/// One `{"Protocol":…,"ResourceEndpoint":…}` of `ResourceEndpointList`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ResourceEndpoint<'a> {
    /// `Protocol`.
    pub protocol: Protocol,
    /// `ResourceEndpoint`: `wss://…`, `https://…` (no path).
    pub endpoint: &'a str,
}

impl Default for ResourceEndpoint<'_> {
    fn default() -> Self {
        ResourceEndpoint {
            protocol: Protocol::Wss,
            endpoint: "",
        }
    }
}

/// The `GetSignalingChannelEndpoint` answer: `{"ResourceEndpointList":[{"Protocol":"WSS",
/// "ResourceEndpoint":"wss://…"},…]}` (at most one per protocol, so at most 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceEndpoints<'a> {
    /// `ResourceEndpointList`.
    pub endpoints: List<ResourceEndpoint<'a>, 3>,
}

impl<'a> ResourceEndpoints<'a> {
    /// Reads a `GetSignalingChannelEndpoint` 200 body.
    pub fn parse(body: &'a [u8]) -> Result<ResourceEndpoints<'a>, ApiError> {
        #[derive(Deserialize, Default, Clone, Copy)]
        struct Item<'a> {
            #[serde(rename = "Protocol", borrow)]
            protocol: Option<&'a str>,
            #[serde(rename = "ResourceEndpoint", borrow)]
            endpoint: Option<&'a str>,
        }
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "ResourceEndpointList", borrow)]
            list: Option<List<Item<'a>, 3>>,
        }
        let w: Wire<'a> = from_body(body)?;
        let list = w
            .list
            .ok_or(ApiError::MissingField("ResourceEndpointList"))?;
        let endpoints = list.convert::<ResourceEndpoint<'a>, 3>("ResourceEndpointList", |i| {
            let protocol = req_text("Protocol", i.protocol)?;
            Ok(ResourceEndpoint {
                protocol: Protocol::from_wire(protocol)
                    .ok_or(ApiError::InvalidValue("Protocol"))?,
                endpoint: bounded(
                    "ResourceEndpoint",
                    req_text("ResourceEndpoint", i.endpoint)?,
                    MAX_URL_LEN,
                )?,
            })
        })?;
        Ok(ResourceEndpoints { endpoints })
    }

    /// The endpoint for `protocol`, if listed.
    pub fn get(&self, protocol: Protocol) -> Option<&'a str> {
        self.endpoints
            .iter()
            .find(|e| e.protocol == protocol)
            .map(|e| e.endpoint)
    }

    /// Writes the 200 body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ResourceEndpointList")?;
        out.write_char('[')?;
        let mut sep = Sep::new();
        for e in &self.endpoints {
            sep.next(out)?;
            out.write_char('{')?;
            json::write_key(out, "Protocol")?;
            json::write_string(out, e.protocol.as_str())?;
            out.write_char(',')?;
            json::write_key(out, "ResourceEndpoint")?;
            json::write_string(out, e.endpoint)?;
            out.write_char('}')?;
        }
        out.write_str("]}")
    }
}

/// One entry of `IceServerList`: a TURN server (its URIs share the credentials).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IceServer<'a> {
    /// `Uris`: `turn:…:443?transport=udp`, `turns:…:443?transport=tcp`, …
    pub uris: List<&'a str, MAX_ICE_URIS>,
    /// `Username`: `<expiry>:<id>`-style time-limited user.
    pub username: Option<&'a str>,
    /// `Password`.
    pub password: Option<&'a str>,
    /// `Ttl`: seconds the credentials stay valid (refresh before `Ttl` − 30 s).
    pub ttl: Option<u32>,
}

/// The `GetIceServerConfig` answer: `{"IceServerList":[{"Password":…,"Ttl":300,
/// "Uris":[…],"Username":…},…]}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct IceServerList<'a> {
    /// The servers, at most [`MAX_ICE_SERVERS`].
    pub servers: List<IceServer<'a>, MAX_ICE_SERVERS>,
}

impl<'a> IceServerList<'a> {
    /// Reads a `GetIceServerConfig` 200 body. More than [`MAX_ICE_SERVERS`] servers or
    /// [`MAX_ICE_URIS`] URIs per server is [`ApiError::TooMany`]; a field longer than
    /// [`MAX_ICE_FIELD_LEN`] is [`ApiError::TooLong`].
    pub fn parse(body: &'a [u8]) -> Result<IceServerList<'a>, ApiError> {
        #[derive(Deserialize, Default, Clone, Copy)]
        struct Item<'a> {
            #[serde(rename = "Uris", borrow)]
            uris: Option<List<&'a str, MAX_ICE_URIS>>,
            #[serde(rename = "Username", borrow)]
            username: Option<&'a str>,
            #[serde(rename = "Password", borrow)]
            password: Option<&'a str>,
            #[serde(rename = "Ttl")]
            ttl: Option<u64>,
        }
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "IceServerList", borrow)]
            list: Option<List<Item<'a>, MAX_ICE_SERVERS>>,
        }
        let w: Wire<'a> = from_body(body)?;
        let list = w.list.ok_or(ApiError::MissingField("IceServerList"))?;
        let field = |name: &'static str, s: Option<&'a str>| -> Result<Option<&'a str>, ApiError> {
            opt_text(name, s)?
                .map(|s| bounded(name, s, MAX_ICE_FIELD_LEN))
                .transpose()
        };
        let servers = list.convert::<IceServer<'a>, MAX_ICE_SERVERS>("IceServerList", |i| {
            let uris = match i.uris {
                None => List::new(),
                Some(uris) => uris.convert::<&'a str, MAX_ICE_URIS>("Uris", |u| {
                    bounded("Uris", json::text("Uris", u)?, MAX_ICE_FIELD_LEN)
                })?,
            };
            Ok(IceServer {
                uris,
                username: field("Username", i.username)?,
                password: field("Password", i.password)?,
                ttl: i
                    .ttl
                    .map(|t| u32::try_from(t).map_err(|_| ApiError::InvalidValue("Ttl")))
                    .transpose()?,
            })
        })?;
        Ok(IceServerList { servers })
    }

    /// The smallest `Ttl` of all servers: when the whole set must be refreshed.
    pub fn min_ttl(&self) -> Option<u32> {
        self.servers.iter().filter_map(|s| s.ttl).min()
    }

    /// Writes the 200 body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "IceServerList")?;
        out.write_char('[')?;
        let mut sep = Sep::new();
        for s in &self.servers {
            sep.next(out)?;
            out.write_char('{')?;
            let mut fields = Sep::new();
            if let Some(p) = s.password {
                fields.next(out)?;
                json::write_key(out, "Password")?;
                json::write_string(out, p)?;
            }
            if let Some(ttl) = s.ttl {
                fields.next(out)?;
                json::write_key(out, "Ttl")?;
                write!(out, "{ttl}")?;
            }
            fields.next(out)?;
            json::write_key(out, "Uris")?;
            out.write_char('[')?;
            let mut inner = Sep::new();
            for u in &s.uris {
                inner.next(out)?;
                json::write_string(out, u)?;
            }
            out.write_char(']')?;
            if let Some(u) = s.username {
                out.write_char(',')?;
                json::write_key(out, "Username")?;
                json::write_string(out, u)?;
            }
            out.write_char('}')?;
        }
        out.write_str("]}")
    }
}

/// The `DescribeMediaStorageConfiguration` answer: `{"MediaStorageConfiguration":
/// {"Status":"ENABLED","StreamARN":…}}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaStorageConfiguration<'a> {
    /// `Status`: `ENABLED` means the master must join a storage session.
    pub status: MediaStorageStatus,
    /// `StreamARN`: the Kinesis video stream the session records into.
    pub stream_arn: Option<&'a str>,
}

impl<'a> MediaStorageConfiguration<'a> {
    /// Reads a `DescribeMediaStorageConfiguration` 200 body.
    pub fn parse(body: &'a [u8]) -> Result<MediaStorageConfiguration<'a>, ApiError> {
        #[derive(Deserialize)]
        struct Inner<'a> {
            #[serde(rename = "Status", borrow)]
            status: Option<&'a str>,
            #[serde(rename = "StreamARN", borrow)]
            stream_arn: Option<&'a str>,
        }
        #[derive(Deserialize)]
        struct Wire<'a> {
            #[serde(rename = "MediaStorageConfiguration", borrow)]
            cfg: Option<Inner<'a>>,
        }
        let w: Wire<'a> = from_body(body)?;
        let c = w
            .cfg
            .ok_or(ApiError::MissingField("MediaStorageConfiguration"))?;
        let status = req_text("Status", c.status)?;
        Ok(MediaStorageConfiguration {
            status: MediaStorageStatus::from_wire(status)
                .ok_or(ApiError::InvalidValue("Status"))?,
            stream_arn: opt_text("StreamARN", c.stream_arn)?
                .map(|s| bounded("StreamARN", s, MAX_URL_LEN))
                .transpose()?,
        })
    }

    /// Writes the 200 body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "MediaStorageConfiguration")?;
        out.write_char('{')?;
        json::write_key(out, "Status")?;
        json::write_string(out, self.status.as_str())?;
        if let Some(arn) = self.stream_arn {
            out.write_char(',')?;
            json::write_key(out, "StreamARN")?;
            json::write_string(out, arn)?;
        }
        out.write_str("}}")
    }
}

/// Any 200 body, as the client reads it.
///
/// Variants hold their lists inline (no `alloc` to box them), so the enum is as big
/// as its largest variant (a few KB at most) — meant for one value on the stack.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response<'a> {
    /// `DescribeSignalingChannel`.
    DescribeSignalingChannel(ChannelInfo<'a>),
    /// `CreateSignalingChannel`.
    CreateSignalingChannel(CreatedChannel<'a>),
    /// `DeleteSignalingChannel`: no content.
    DeleteSignalingChannel,
    /// `GetSignalingChannelEndpoint`.
    GetSignalingChannelEndpoint(ResourceEndpoints<'a>),
    /// `GetIceServerConfig`.
    GetIceServerConfig(IceServerList<'a>),
    /// `DescribeMediaStorageConfiguration`.
    DescribeMediaStorageConfiguration(MediaStorageConfiguration<'a>),
    /// `JoinStorageSession`: no content (the offer arrives on the WebSocket).
    JoinStorageSession,
    /// `JoinStorageSessionAsViewer`: no content.
    JoinStorageSessionAsViewer,
}

/// Accepts an empty body, whitespace, or any JSON object (`{}`) as "no content".
fn parse_empty(body: &[u8]) -> Result<(), ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Nothing {}
    from_body::<Nothing>(body).map(|_| ())
}

impl<'a> Response<'a> {
    /// Reads the 200 body of `call`.
    pub fn parse(call: ApiCall, body: &'a [u8]) -> Result<Response<'a>, ApiError> {
        Ok(match call {
            ApiCall::DescribeSignalingChannel => {
                Response::DescribeSignalingChannel(ChannelInfo::parse(body)?)
            }
            ApiCall::CreateSignalingChannel => {
                Response::CreateSignalingChannel(CreatedChannel::parse(body)?)
            }
            ApiCall::GetSignalingChannelEndpoint => {
                Response::GetSignalingChannelEndpoint(ResourceEndpoints::parse(body)?)
            }
            ApiCall::GetIceServerConfig => {
                Response::GetIceServerConfig(IceServerList::parse(body)?)
            }
            ApiCall::DescribeMediaStorageConfiguration => {
                Response::DescribeMediaStorageConfiguration(MediaStorageConfiguration::parse(body)?)
            }
            ApiCall::DeleteSignalingChannel => {
                parse_empty(body)?;
                Response::DeleteSignalingChannel
            }
            ApiCall::JoinStorageSession => {
                parse_empty(body)?;
                Response::JoinStorageSession
            }
            ApiCall::JoinStorageSessionAsViewer => {
                parse_empty(body)?;
                Response::JoinStorageSessionAsViewer
            }
        })
    }

    /// Which call this answers.
    pub fn call(&self) -> ApiCall {
        match self {
            Response::DescribeSignalingChannel(_) => ApiCall::DescribeSignalingChannel,
            Response::CreateSignalingChannel(_) => ApiCall::CreateSignalingChannel,
            Response::DeleteSignalingChannel => ApiCall::DeleteSignalingChannel,
            Response::GetSignalingChannelEndpoint(_) => ApiCall::GetSignalingChannelEndpoint,
            Response::GetIceServerConfig(_) => ApiCall::GetIceServerConfig,
            Response::DescribeMediaStorageConfiguration(_) => {
                ApiCall::DescribeMediaStorageConfiguration
            }
            Response::JoinStorageSession => ApiCall::JoinStorageSession,
            Response::JoinStorageSessionAsViewer => ApiCall::JoinStorageSessionAsViewer,
        }
    }

    /// Writes the 200 body (`{}` for the calls without content).
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        match self {
            Response::DescribeSignalingChannel(r) => r.write_json(out),
            Response::CreateSignalingChannel(r) => r.write_json(out),
            Response::GetSignalingChannelEndpoint(r) => r.write_json(out),
            Response::GetIceServerConfig(r) => r.write_json(out),
            Response::DescribeMediaStorageConfiguration(r) => r.write_json(out),
            Response::DeleteSignalingChannel
            | Response::JoinStorageSession
            | Response::JoinStorageSessionAsViewer => out.write_str("{}"),
        }
    }
}
