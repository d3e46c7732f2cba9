//! Request bodies: the client writes them (`write_json`), the local server reads them
//! ([`Request::parse`]), both with the service's exact field names.

use core::fmt::{self, Write};

use serde::Deserialize;

use super::json::{self, List, Sep, from_body, opt_text, req_text};
use super::validate::{validate_channel_arn, validate_channel_name, validate_client_id};
use super::{ApiCall, ApiError, ChannelRole, ChannelType, IceService, Protocol};

/// The most tags `CreateSignalingChannel` takes (the service's limit).
pub const MAX_TAGS: usize = 50;
/// The longest tag key the service accepts.
pub const MAX_TAG_KEY_LEN: usize = 128;
/// The longest tag value the service accepts.
pub const MAX_TAG_VALUE_LEN: usize = 256;
/// The range of `SingleMasterConfiguration.MessageTtlSeconds`.
pub const MESSAGE_TTL_RANGE: core::ops::RangeInclusive<u32> = 5..=120;
/// The longest `CurrentVersion` / `Version` the service uses (1–64 of `[a-zA-Z0-9]`).
pub const MAX_VERSION_LEN: usize = 64;
/// The longest TURN `Username` a `GetIceServerConfig` request may carry.
pub const MAX_USERNAME_LEN: usize = 256;

/// Which channel a call is about: by name or by ARN (`DescribeSignalingChannel` and
/// `DescribeMediaStorageConfiguration` take either).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelRef<'a> {
    /// `ChannelName`.
    Name(&'a str),
    /// `ChannelARN`.
    Arn(&'a str),
}

impl<'a> ChannelRef<'a> {
    fn write<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        let (key, value) = match self {
            ChannelRef::Name(n) => ("ChannelName", n),
            ChannelRef::Arn(a) => ("ChannelARN", a),
        };
        json::write_key(out, key)?;
        json::write_string(out, value)
    }

    fn from_wire(name: Option<&'a str>, arn: Option<&'a str>) -> Result<Self, ApiError> {
        match (name, arn) {
            (Some(n), None) => Ok(ChannelRef::Name(json::text("ChannelName", n)?)),
            (None, Some(a)) => Ok(ChannelRef::Arn(json::text("ChannelARN", a)?)),
            (Some(_), Some(_)) => Err(ApiError::Conflict("ChannelName", "ChannelARN")),
            (None, None) => Err(ApiError::MissingField("ChannelName")),
        }
    }

    fn validate(&self) -> Result<(), ApiError> {
        match self {
            ChannelRef::Name(n) => validate_channel_name(n),
            ChannelRef::Arn(a) => validate_channel_arn(a),
        }
    }
}

fn validate_version(v: &str) -> Result<(), ApiError> {
    if v.is_empty() || v.len() > MAX_VERSION_LEN || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ApiError::InvalidValue("CurrentVersion"));
    }
    Ok(())
}

/// `DescribeSignalingChannel`: `{"ChannelName":…}` or `{"ChannelARN":…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescribeSignalingChannel<'a> {
    /// The channel.
    pub channel: ChannelRef<'a>,
}

impl DescribeSignalingChannel<'_> {
    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        self.channel.write(out)?;
        out.write_char('}')
    }

    /// Checks the name or ARN grammar.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.channel.validate()
    }
}

/// `DescribeMediaStorageConfiguration`: same shape as [`DescribeSignalingChannel`] (the
/// C SDK sends the ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DescribeMediaStorageConfiguration<'a> {
    /// The channel.
    pub channel: ChannelRef<'a>,
}

impl DescribeMediaStorageConfiguration<'_> {
    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        self.channel.write(out)?;
        out.write_char('}')
    }

    /// Checks the name or ARN grammar.
    pub fn validate(&self) -> Result<(), ApiError> {
        self.channel.validate()
    }
}

/// One `{"Key":…,"Value":…}` of `CreateSignalingChannel.Tags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Tag<'a> {
    /// `Key`: 1–128 characters.
    pub key: &'a str,
    /// `Value`: 0–256 characters.
    pub value: &'a str,
}

/// `CreateSignalingChannel`: `{"ChannelName":…,"ChannelType":"SINGLE_MASTER",
/// "SingleMasterConfiguration":{"MessageTtlSeconds":60},"Tags":[{"Key":…,"Value":…}]}`
/// (absent options and an empty tag list left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreateSignalingChannel<'a> {
    /// `ChannelName`.
    pub channel_name: &'a str,
    /// `ChannelType` (the service defaults to `SINGLE_MASTER`).
    pub channel_type: Option<ChannelType>,
    /// `SingleMasterConfiguration.MessageTtlSeconds`, 5–120 (service default 60).
    pub message_ttl_seconds: Option<u32>,
    /// `Tags`, at most [`MAX_TAGS`].
    pub tags: List<Tag<'a>, MAX_TAGS>,
}

impl<'a> CreateSignalingChannel<'a> {
    /// A single-master channel with the given message TTL and no tags.
    pub fn single_master(channel_name: &'a str, message_ttl_seconds: u32) -> Self {
        CreateSignalingChannel {
            channel_name,
            channel_type: Some(ChannelType::SingleMaster),
            message_ttl_seconds: Some(message_ttl_seconds),
            tags: List::new(),
        }
    }

    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ChannelName")?;
        json::write_string(out, self.channel_name)?;
        if let Some(t) = self.channel_type {
            out.write_char(',')?;
            json::write_key(out, "ChannelType")?;
            json::write_string(out, t.as_str())?;
        }
        if let Some(ttl) = self.message_ttl_seconds {
            out.write_char(',')?;
            json::write_key(out, "SingleMasterConfiguration")?;
            out.write_char('{')?;
            json::write_key(out, "MessageTtlSeconds")?;
            write!(out, "{ttl}}}")?;
        }
        if !self.tags.is_empty() {
            out.write_char(',')?;
            json::write_key(out, "Tags")?;
            out.write_char('[')?;
            let mut sep = Sep::new();
            for tag in &self.tags {
                sep.next(out)?;
                out.write_char('{')?;
                json::write_key(out, "Key")?;
                json::write_string(out, tag.key)?;
                out.write_char(',')?;
                json::write_key(out, "Value")?;
                json::write_string(out, tag.value)?;
                out.write_char('}')?;
            }
            out.write_char(']')?;
        }
        out.write_char('}')
    }

    /// Checks the name, the TTL range and the tag sizes.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_name(self.channel_name)?;
        if let Some(ttl) = self.message_ttl_seconds {
            if !MESSAGE_TTL_RANGE.contains(&ttl) {
                return Err(ApiError::InvalidValue("MessageTtlSeconds"));
            }
        }
        for tag in &self.tags {
            if tag.key.is_empty() || tag.key.chars().count() > MAX_TAG_KEY_LEN {
                return Err(ApiError::InvalidValue("Tags.Key"));
            }
            if tag.value.chars().count() > MAX_TAG_VALUE_LEN {
                return Err(ApiError::InvalidValue("Tags.Value"));
            }
        }
        Ok(())
    }
}

/// `DeleteSignalingChannel`: `{"ChannelARN":…,"CurrentVersion":…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeleteSignalingChannel<'a> {
    /// `ChannelARN`.
    pub channel_arn: &'a str,
    /// `CurrentVersion` from `DescribeSignalingChannel` (optional: without it the
    /// service deletes whatever version is current).
    pub current_version: Option<&'a str>,
}

impl DeleteSignalingChannel<'_> {
    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ChannelARN")?;
        json::write_string(out, self.channel_arn)?;
        if let Some(v) = self.current_version {
            out.write_char(',')?;
            json::write_key(out, "CurrentVersion")?;
            json::write_string(out, v)?;
        }
        out.write_char('}')
    }

    /// Checks the ARN and the version grammar.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_arn(self.channel_arn)?;
        self.current_version.map_or(Ok(()), validate_version)
    }
}

/// `GetSignalingChannelEndpoint`: `{"ChannelARN":…,"SingleMasterChannelEndpointConfiguration":
/// {"Protocols":["WSS","HTTPS"],"Role":"MASTER"}}`. The configuration object is left
/// out when it would be empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetSignalingChannelEndpoint<'a> {
    /// `ChannelARN`.
    pub channel_arn: &'a str,
    /// `Protocols`: which endpoints to return (`WEBRTC` only with media storage).
    pub protocols: List<Protocol, 3>,
    /// `Role`.
    pub role: Option<ChannelRole>,
}

impl<'a> GetSignalingChannelEndpoint<'a> {
    /// What the C SDK asks for: WSS and HTTPS (and WEBRTC for a storage session) in
    /// `role`.
    pub fn new(channel_arn: &'a str, role: ChannelRole, storage: bool) -> Self {
        let all = [Protocol::Wss, Protocol::Https, Protocol::Webrtc];
        let n = if storage { 3 } else { 2 };
        GetSignalingChannelEndpoint {
            channel_arn,
            protocols: List::from_slice(all.get(..n).unwrap_or(&all)).unwrap_or_default(),
            role: Some(role),
        }
    }

    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ChannelARN")?;
        json::write_string(out, self.channel_arn)?;
        if !self.protocols.is_empty() || self.role.is_some() {
            out.write_char(',')?;
            json::write_key(out, "SingleMasterChannelEndpointConfiguration")?;
            out.write_char('{')?;
            let mut sep = Sep::new();
            if !self.protocols.is_empty() {
                sep.next(out)?;
                json::write_key(out, "Protocols")?;
                out.write_char('[')?;
                let mut inner = Sep::new();
                for p in &self.protocols {
                    inner.next(out)?;
                    json::write_string(out, p.as_str())?;
                }
                out.write_char(']')?;
            }
            if let Some(role) = self.role {
                sep.next(out)?;
                json::write_key(out, "Role")?;
                json::write_string(out, role.as_str())?;
            }
            out.write_char('}')?;
        }
        out.write_char('}')
    }

    /// Checks the ARN.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_arn(self.channel_arn)
    }
}

/// `GetIceServerConfig` (on the HTTPS endpoint): `{"ChannelARN":…,"ClientId":…,
/// "Service":"TURN"}` (plus the rarely used `Username`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GetIceServerConfig<'a> {
    /// `ChannelARN`.
    pub channel_arn: &'a str,
    /// `ClientId`: the viewer's id; the C SDK's master sends its own client id too.
    pub client_id: Option<&'a str>,
    /// `Service`: only `TURN` exists.
    pub service: Option<IceService>,
    /// `Username`: an optional user id to bind the TURN credentials to.
    pub username: Option<&'a str>,
}

impl<'a> GetIceServerConfig<'a> {
    /// What the C SDK sends: ARN, client id, `"Service":"TURN"`.
    pub fn new(channel_arn: &'a str, client_id: &'a str) -> Self {
        GetIceServerConfig {
            channel_arn,
            client_id: Some(client_id),
            service: Some(IceService::Turn),
            username: None,
        }
    }

    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "ChannelARN")?;
        json::write_string(out, self.channel_arn)?;
        if let Some(id) = self.client_id {
            out.write_char(',')?;
            json::write_key(out, "ClientId")?;
            json::write_string(out, id)?;
        }
        if let Some(s) = self.service {
            out.write_char(',')?;
            json::write_key(out, "Service")?;
            json::write_string(out, s.as_str())?;
        }
        if let Some(u) = self.username {
            out.write_char(',')?;
            json::write_key(out, "Username")?;
            json::write_string(out, u)?;
        }
        out.write_char('}')
    }

    /// Checks the ARN and the client id grammar.
    ///
    /// The client id is checked with the channel-name grammar only (the `AWS_` prefix is
    /// the service's own, e.g. the storage session's, and may appear here).
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_arn(self.channel_arn)?;
        if let Some(id) = self.client_id {
            validate_channel_name(id).map_err(|_| ApiError::InvalidClientId)?;
        }
        if let Some(u) = self.username {
            if u.is_empty() || u.len() > MAX_USERNAME_LEN {
                return Err(ApiError::InvalidValue("Username"));
            }
        }
        Ok(())
    }
}

/// `JoinStorageSession` (on the WEBRTC endpoint): `{"channelArn":…}` — lower camel case,
/// unlike the control plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinStorageSession<'a> {
    /// `channelArn`.
    pub channel_arn: &'a str,
}

impl JoinStorageSession<'_> {
    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "channelArn")?;
        json::write_string(out, self.channel_arn)?;
        out.write_char('}')
    }

    /// Checks the ARN.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_arn(self.channel_arn)
    }
}

/// `JoinStorageSessionAsViewer`: `{"channelArn":…,"clientId":…}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JoinStorageSessionAsViewer<'a> {
    /// `channelArn`.
    pub channel_arn: &'a str,
    /// `clientId`.
    pub client_id: &'a str,
}

impl JoinStorageSessionAsViewer<'_> {
    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_char('{')?;
        json::write_key(out, "channelArn")?;
        json::write_string(out, self.channel_arn)?;
        out.write_char(',')?;
        json::write_key(out, "clientId")?;
        json::write_string(out, self.client_id)?;
        out.write_char('}')
    }

    /// Checks the ARN and the client id.
    pub fn validate(&self) -> Result<(), ApiError> {
        validate_channel_arn(self.channel_arn)?;
        validate_client_id(self.client_id)
    }
}

/// Any request body, as the local server reads it.
///
/// Variants hold their lists inline (no `alloc` to box them), so the enum is as big
/// as its largest variant (a few KB at most) — meant for one value on the stack.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// `DescribeSignalingChannel`.
    DescribeSignalingChannel(DescribeSignalingChannel<'a>),
    /// `CreateSignalingChannel`.
    CreateSignalingChannel(CreateSignalingChannel<'a>),
    /// `DeleteSignalingChannel`.
    DeleteSignalingChannel(DeleteSignalingChannel<'a>),
    /// `GetSignalingChannelEndpoint`.
    GetSignalingChannelEndpoint(GetSignalingChannelEndpoint<'a>),
    /// `GetIceServerConfig`.
    GetIceServerConfig(GetIceServerConfig<'a>),
    /// `DescribeMediaStorageConfiguration`.
    DescribeMediaStorageConfiguration(DescribeMediaStorageConfiguration<'a>),
    /// `JoinStorageSession`.
    JoinStorageSession(JoinStorageSession<'a>),
    /// `JoinStorageSessionAsViewer`.
    JoinStorageSessionAsViewer(JoinStorageSessionAsViewer<'a>),
}

#[derive(Deserialize, Default, Clone, Copy)]
struct WireTag<'a> {
    #[serde(rename = "Key", borrow)]
    key: Option<&'a str>,
    #[serde(rename = "Value", borrow)]
    value: Option<&'a str>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct WireSingleMaster {
    #[serde(rename = "MessageTtlSeconds")]
    ttl: Option<u64>,
}

#[derive(Deserialize, Default, Clone, Copy)]
struct WireEndpointConfig<'a> {
    #[serde(rename = "Protocols", borrow)]
    protocols: Option<List<&'a str, 3>>,
    #[serde(rename = "Role", borrow)]
    role: Option<&'a str>,
}

/// Every member any request has; each call picks its own (unknown members are ignored,
/// like the service does).
#[derive(Deserialize, Default)]
struct WireRequest<'a> {
    #[serde(rename = "ChannelName", borrow)]
    channel_name: Option<&'a str>,
    #[serde(rename = "ChannelARN", borrow)]
    channel_arn: Option<&'a str>,
    #[serde(rename = "ChannelType", borrow)]
    channel_type: Option<&'a str>,
    #[serde(rename = "SingleMasterConfiguration")]
    single_master: Option<WireSingleMaster>,
    #[serde(rename = "Tags", borrow)]
    tags: Option<List<WireTag<'a>, MAX_TAGS>>,
    #[serde(rename = "CurrentVersion", borrow)]
    current_version: Option<&'a str>,
    #[serde(rename = "SingleMasterChannelEndpointConfiguration", borrow)]
    endpoint_config: Option<WireEndpointConfig<'a>>,
    #[serde(rename = "ClientId", borrow)]
    client_id: Option<&'a str>,
    #[serde(rename = "Service", borrow)]
    service: Option<&'a str>,
    #[serde(rename = "Username", borrow)]
    username: Option<&'a str>,
    #[serde(rename = "channelArn", borrow)]
    channel_arn_lower: Option<&'a str>,
    #[serde(rename = "clientId", borrow)]
    client_id_lower: Option<&'a str>,
}

impl<'a> Request<'a> {
    /// Reads the body of `call` and checks it ([`Request::validate`]). Strings are
    /// borrowed from `body`; a string holding a JSON escape is refused
    /// ([`ApiError::EscapedString`]) since no identifier needs one.
    pub fn parse(call: ApiCall, body: &'a [u8]) -> Result<Request<'a>, ApiError> {
        let w: WireRequest<'a> = from_body(body)?;
        let req = match call {
            ApiCall::DescribeSignalingChannel => {
                Request::DescribeSignalingChannel(DescribeSignalingChannel {
                    channel: ChannelRef::from_wire(w.channel_name, w.channel_arn)?,
                })
            }
            ApiCall::DescribeMediaStorageConfiguration => {
                Request::DescribeMediaStorageConfiguration(DescribeMediaStorageConfiguration {
                    channel: ChannelRef::from_wire(w.channel_name, w.channel_arn)?,
                })
            }
            ApiCall::CreateSignalingChannel => {
                let channel_type = opt_text("ChannelType", w.channel_type)?
                    .map(|t| ChannelType::from_wire(t).ok_or(ApiError::InvalidValue("ChannelType")))
                    .transpose()?;
                let message_ttl_seconds = w
                    .single_master
                    .and_then(|s| s.ttl)
                    .map(|t| {
                        u32::try_from(t).map_err(|_| ApiError::InvalidValue("MessageTtlSeconds"))
                    })
                    .transpose()?;
                let tags = match w.tags {
                    None => List::new(),
                    Some(list) => list.convert::<Tag<'a>, MAX_TAGS>("Tags", |t| {
                        Ok(Tag {
                            key: req_text("Key", t.key)?,
                            value: req_text("Value", t.value)?,
                        })
                    })?,
                };
                Request::CreateSignalingChannel(CreateSignalingChannel {
                    channel_name: req_text("ChannelName", w.channel_name)?,
                    channel_type,
                    message_ttl_seconds,
                    tags,
                })
            }
            ApiCall::DeleteSignalingChannel => {
                Request::DeleteSignalingChannel(DeleteSignalingChannel {
                    channel_arn: req_text("ChannelARN", w.channel_arn)?,
                    current_version: opt_text("CurrentVersion", w.current_version)?,
                })
            }
            ApiCall::GetSignalingChannelEndpoint => {
                let cfg = w.endpoint_config.unwrap_or_default();
                let protocols = match cfg.protocols {
                    None => List::new(),
                    Some(list) => list.convert::<Protocol, 3>("Protocols", |p| {
                        Protocol::from_wire(json::text("Protocols", p)?)
                            .ok_or(ApiError::InvalidValue("Protocols"))
                    })?,
                };
                let role = opt_text("Role", cfg.role)?
                    .map(|r| ChannelRole::from_wire(r).ok_or(ApiError::InvalidValue("Role")))
                    .transpose()?;
                Request::GetSignalingChannelEndpoint(GetSignalingChannelEndpoint {
                    channel_arn: req_text("ChannelARN", w.channel_arn)?,
                    protocols,
                    role,
                })
            }
            ApiCall::GetIceServerConfig => {
                let service = opt_text("Service", w.service)?
                    .map(|s| IceService::from_wire(s).ok_or(ApiError::InvalidValue("Service")))
                    .transpose()?;
                Request::GetIceServerConfig(GetIceServerConfig {
                    channel_arn: req_text("ChannelARN", w.channel_arn)?,
                    client_id: opt_text("ClientId", w.client_id)?,
                    service,
                    username: opt_text("Username", w.username)?,
                })
            }
            ApiCall::JoinStorageSession => Request::JoinStorageSession(JoinStorageSession {
                channel_arn: req_text("channelArn", w.channel_arn_lower)?,
            }),
            ApiCall::JoinStorageSessionAsViewer => {
                Request::JoinStorageSessionAsViewer(JoinStorageSessionAsViewer {
                    channel_arn: req_text("channelArn", w.channel_arn_lower)?,
                    client_id: req_text("clientId", w.client_id_lower)?,
                })
            }
        };
        req.validate()?;
        Ok(req)
    }

    /// Which call this is.
    pub fn call(&self) -> ApiCall {
        match self {
            Request::DescribeSignalingChannel(_) => ApiCall::DescribeSignalingChannel,
            Request::CreateSignalingChannel(_) => ApiCall::CreateSignalingChannel,
            Request::DeleteSignalingChannel(_) => ApiCall::DeleteSignalingChannel,
            Request::GetSignalingChannelEndpoint(_) => ApiCall::GetSignalingChannelEndpoint,
            Request::GetIceServerConfig(_) => ApiCall::GetIceServerConfig,
            Request::DescribeMediaStorageConfiguration(_) => {
                ApiCall::DescribeMediaStorageConfiguration
            }
            Request::JoinStorageSession(_) => ApiCall::JoinStorageSession,
            Request::JoinStorageSessionAsViewer(_) => ApiCall::JoinStorageSessionAsViewer,
        }
    }

    /// Writes the body.
    pub fn write_json<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        match self {
            Request::DescribeSignalingChannel(r) => r.write_json(out),
            Request::CreateSignalingChannel(r) => r.write_json(out),
            Request::DeleteSignalingChannel(r) => r.write_json(out),
            Request::GetSignalingChannelEndpoint(r) => r.write_json(out),
            Request::GetIceServerConfig(r) => r.write_json(out),
            Request::DescribeMediaStorageConfiguration(r) => r.write_json(out),
            Request::JoinStorageSession(r) => r.write_json(out),
            Request::JoinStorageSessionAsViewer(r) => r.write_json(out),
        }
    }

    /// Checks the identifiers and ranges the service checks (names, ARNs, client ids,
    /// TTL, tags, version).
    pub fn validate(&self) -> Result<(), ApiError> {
        match self {
            Request::DescribeSignalingChannel(r) => r.validate(),
            Request::CreateSignalingChannel(r) => r.validate(),
            Request::DeleteSignalingChannel(r) => r.validate(),
            Request::GetSignalingChannelEndpoint(r) => r.validate(),
            Request::GetIceServerConfig(r) => r.validate(),
            Request::DescribeMediaStorageConfiguration(r) => r.validate(),
            Request::JoinStorageSession(r) => r.validate(),
            Request::JoinStorageSessionAsViewer(r) => r.validate(),
        }
    }
}
