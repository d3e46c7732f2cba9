//! The KVS control-plane REST shapes, both directions, without `std` or `alloc`: the
//! client writes requests and reads responses, the local server reads requests and
//! writes responses and errors — one definition of every field name.
//!
//! # What the wire looks like (and where that was checked)
//!
//! Shapes were checked against the AWS SDK for JavaScript v3 service models
//! (`@aws-sdk/client-kinesis-video` 3.1116, `-signaling` 3.1137, `-webrtc-storage`
//! 3.926; their `schemas_0.js` / `Aws_restJson1.js`) and the KVS WebRTC C SDK's
//! request templates:
//!
//! - All eight calls are restJson1 `POST`s with a JSON body; success is 200. Paths:
//!   [`ApiCall::path`]. The join calls use lower camel `channelArn` / `clientId`;
//!   everything else is `PascalCase` (`ChannelARN`, `ClientId`).
//! - `CurrentVersion` / `Version` are strings. `CreationTime` is a timestamp in epoch
//!   seconds (a JSON number, possibly fractional): kept as [`EpochMillis`].
//!   `MessageTtlSeconds` and `Ttl` are integers.
//! - The C SDK pretty-prints (`"{\n\t\"ChannelName\": \"…\"\n}"`); the JS SDK sends
//!   compact JSON in model member order. Writers here produce the JS SDK's compact form;
//!   readers accept any whitespace (tests feed both).
//! - Errors: the JS SDK takes the error name from the `x-amzn-ErrorType` header
//!   (case-insensitive), else body `code` (any case), else `__type`, keeping the part
//!   before `,` and `:` and after `#`; the message from `message`, else `Message`. It
//!   raises the typed exception matching the name whatever the status (the model's
//!   statuses: `ResourceNotFoundException` 404, `AccessDeniedException` and
//!   `NotAuthorizedException` 401, the rest 400). Clock skew arrives as a 403
//!   `InvalidSignatureException` whose message starts "Signature expired" or "Signature
//!   not yet current"; the C SDK detects it by searching the raw body for those phrases
//!   and corrects its clock from the `Date` header.
//!
//! # Choices
//!
//! - Parsed strings are borrowed from the body *as is*. A string field holding a JSON
//!   escape (or a raw control character) is refused with [`ApiError::EscapedString`]
//!   naming the field: names, ARNs, ids, URIs, endpoints and base64 credentials never
//!   need one (the KVS C SDKs use the raw JSON text of these fields, so the service
//!   cannot be escaping them). An empty `x-amzn-ErrorType` counts as absent.
//!   Only error messages are kept raw with escapes ([`JsonStr`], decode on demand).
//! - Unknown members are ignored; duplicate members, trailing data, nesting deeper than
//!   [`MAX_API_JSON_DEPTH`] and unknown enum tokens are refused.
//! - Arrays are bounded inline [`List`]s: more than the bound is [`ApiError::TooMany`],
//!   never a silent cut.
//! - Writers escape every string they are given; they do not validate (send-side checks
//!   are the `validate` methods, which [`Request::parse`] always applies). Responses are
//!   checked on reading only where the client depends on them (ARNs, names, bounds).
//! - `AccessDeniedException` is sent with 401 (the service model's status; the SDKs map
//!   by name, and [`ServiceError::parse`] accepts any status).
//! - The local server's error bodies carry only the message (`{"Message":"…"}`); the
//!   name travels in `x-amzn-ErrorType`, as the service does it.
//!
//! Verified by hand against the JS SDK v3 (not a repository test; the JS interop tests
//! live in `tests/js_sdk.rs`): its request bodies are byte-identical to the writers'
//! (`tests/api.rs` pins them), it reads every response writer's output (e.g.
//! `CreationTime` 1700000000.123 → `2023-11-14T22:13:20.123Z`), and for every
//! [`ErrorReply::new`] kind it raises the error with that name and message, as the typed
//! class wherever its model has one.

use core::fmt::{self, Write};

mod error;
mod json;
mod request;
mod response;
mod validate;

pub use crate::message::JsonStr;
pub use error::{
    ErrorReply, SERVICE_ERROR_KINDS, SIGNATURE_EXPIRED_PHRASES, ServiceError, ServiceErrorKind,
    write_signature_expired_message, write_signature_not_yet_current_message,
};
pub use json::{EpochMillis, List, MAX_API_JSON_DEPTH};
pub use request::{
    ChannelRef, CreateSignalingChannel, DeleteSignalingChannel, DescribeMediaStorageConfiguration,
    DescribeSignalingChannel, GetIceServerConfig, GetSignalingChannelEndpoint, JoinStorageSession,
    JoinStorageSessionAsViewer, MAX_TAG_KEY_LEN, MAX_TAG_VALUE_LEN, MAX_TAGS, MAX_USERNAME_LEN,
    MAX_VERSION_LEN, MESSAGE_TTL_RANGE, Request, Tag,
};
pub use response::{
    ChannelInfo, CreatedChannel, IceServer, IceServerList, MAX_ICE_FIELD_LEN, MAX_ICE_SERVERS,
    MAX_ICE_URIS, MAX_URL_LEN, MediaStorageConfiguration, ResourceEndpoint, ResourceEndpoints,
    Response,
};
pub use validate::{
    ChannelArn, MAX_ARN_LEN, MAX_NAME_LEN, partition_for_region, validate_channel_arn,
    validate_channel_name, validate_client_id, validate_region,
};

/// The eight calls the signaling client makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiCall {
    /// Looks a channel up by name or ARN (its ARN, status, version).
    DescribeSignalingChannel,
    /// Creates a channel (returns its ARN).
    CreateSignalingChannel,
    /// Deletes a channel.
    DeleteSignalingChannel,
    /// Returns the WSS / HTTPS / WEBRTC endpoints for a role on a channel.
    GetSignalingChannelEndpoint,
    /// Returns TURN servers with time-limited credentials (HTTPS endpoint).
    GetIceServerConfig,
    /// Tells whether the channel records into a stream (WebRTC ingestion).
    DescribeMediaStorageConfiguration,
    /// Asks the storage service to send the master an offer (WEBRTC endpoint).
    JoinStorageSession,
    /// The same for a viewer (WEBRTC endpoint).
    JoinStorageSessionAsViewer,
}

/// Which host a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// `kinesisvideo.<region>.amazonaws.com` ([`control_plane_host`]).
    ControlPlane,
    /// The `HTTPS` endpoint from `GetSignalingChannelEndpoint`.
    Https,
    /// The `WEBRTC` endpoint from `GetSignalingChannelEndpoint`.
    Webrtc,
}

impl ApiCall {
    /// All eight, in the order a storage-enabled master uses them.
    pub const ALL: [ApiCall; 8] = [
        ApiCall::DescribeSignalingChannel,
        ApiCall::CreateSignalingChannel,
        ApiCall::DescribeMediaStorageConfiguration,
        ApiCall::GetSignalingChannelEndpoint,
        ApiCall::GetIceServerConfig,
        ApiCall::JoinStorageSession,
        ApiCall::JoinStorageSessionAsViewer,
        ApiCall::DeleteSignalingChannel,
    ];

    /// The request path.
    pub const fn path(self) -> &'static str {
        match self {
            ApiCall::DescribeSignalingChannel => "/describeSignalingChannel",
            ApiCall::CreateSignalingChannel => "/createSignalingChannel",
            ApiCall::DeleteSignalingChannel => "/deleteSignalingChannel",
            ApiCall::GetSignalingChannelEndpoint => "/getSignalingChannelEndpoint",
            ApiCall::GetIceServerConfig => "/v1/get-ice-server-config",
            ApiCall::DescribeMediaStorageConfiguration => "/describeMediaStorageConfiguration",
            ApiCall::JoinStorageSession => "/joinStorageSession",
            ApiCall::JoinStorageSessionAsViewer => "/joinStorageSessionAsViewer",
        }
    }

    /// The call for a request path (exact, case-sensitive, no query), `None` otherwise.
    pub fn from_path(path: &str) -> Option<ApiCall> {
        ApiCall::ALL.into_iter().find(|c| c.path() == path)
    }

    /// The operation name (`DescribeSignalingChannel`, …): for logs and metrics.
    pub const fn name(self) -> &'static str {
        match self {
            ApiCall::DescribeSignalingChannel => "DescribeSignalingChannel",
            ApiCall::CreateSignalingChannel => "CreateSignalingChannel",
            ApiCall::DeleteSignalingChannel => "DeleteSignalingChannel",
            ApiCall::GetSignalingChannelEndpoint => "GetSignalingChannelEndpoint",
            ApiCall::GetIceServerConfig => "GetIceServerConfig",
            ApiCall::DescribeMediaStorageConfiguration => "DescribeMediaStorageConfiguration",
            ApiCall::JoinStorageSession => "JoinStorageSession",
            ApiCall::JoinStorageSessionAsViewer => "JoinStorageSessionAsViewer",
        }
    }

    /// Which host serves it.
    pub const fn endpoint(self) -> EndpointKind {
        match self {
            ApiCall::GetIceServerConfig => EndpointKind::Https,
            ApiCall::JoinStorageSession | ApiCall::JoinStorageSessionAsViewer => {
                EndpointKind::Webrtc
            }
            _ => EndpointKind::ControlPlane,
        }
    }

    /// Whether it is a data-plane call (for latency metrics kept apart from the control
    /// plane's).
    pub const fn is_data_plane(self) -> bool {
        !matches!(self.endpoint(), EndpointKind::ControlPlane)
    }
}

impl fmt::Display for ApiCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Writes the control-plane host for `region`: `kinesisvideo.<region>.amazonaws.com`,
/// `….amazonaws.com.cn` for `cn-` regions, `kinesisvideo.<region>.api.aws` dual-stack
/// (`….api.amazonwebservices.com.cn` in China) — the JS SDK's endpoint rules
/// (`kinesisvideo.{Region}.{dnsSuffix | dualStackDnsSuffix}`) over the AWS partition
/// table. The region is checked first (it becomes part of a host name).
pub fn control_plane_host<W: Write + ?Sized>(
    region: &str,
    dual_stack: bool,
    out: &mut W,
) -> Result<(), ApiError> {
    validate_region(region)?;
    let suffix = match (dual_stack, region.starts_with("cn-")) {
        (true, false) => "api.aws",
        (true, true) => "api.amazonwebservices.com.cn",
        (false, false) => "amazonaws.com",
        (false, true) => "amazonaws.com.cn",
    };
    write!(out, "kinesisvideo.{region}.{suffix}")?;
    Ok(())
}

/// Writes the KVS STUN server URI the C SDK adds next to the TURN servers:
/// `stun:stun.kinesisvideo.<region>.amazonaws.com:443` (`.amazonaws.com.cn` for `cn-`).
pub fn write_stun_uri<W: Write + ?Sized>(region: &str, out: &mut W) -> Result<(), ApiError> {
    validate_region(region)?;
    let suffix = if region.starts_with("cn-") {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    write!(out, "stun:stun.kinesisvideo.{region}.{suffix}:443")?;
    Ok(())
}

/// `Protocols` / `Protocol`: which signaling endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Protocol {
    /// `WSS`: the signaling WebSocket.
    #[default]
    Wss,
    /// `HTTPS`: `GetIceServerConfig` (and `SendAlexaOfferToMaster`).
    Https,
    /// `WEBRTC`: the storage-session calls.
    Webrtc,
}

impl Protocol {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::Wss => "WSS",
            Protocol::Https => "HTTPS",
            Protocol::Webrtc => "WEBRTC",
        }
    }

    /// The protocol for a wire token.
    pub fn from_wire(s: &str) -> Option<Protocol> {
        Some(match s {
            "WSS" => Protocol::Wss,
            "HTTPS" => Protocol::Https,
            "WEBRTC" => Protocol::Webrtc,
            _ => return None,
        })
    }
}

/// `Role`: master (the camera) or viewer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelRole {
    /// `MASTER`.
    Master,
    /// `VIEWER`.
    Viewer,
}

impl ChannelRole {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelRole::Master => "MASTER",
            ChannelRole::Viewer => "VIEWER",
        }
    }

    /// The role for a wire token.
    pub fn from_wire(s: &str) -> Option<ChannelRole> {
        match s {
            "MASTER" => Some(ChannelRole::Master),
            "VIEWER" => Some(ChannelRole::Viewer),
            _ => None,
        }
    }
}

/// `ChannelType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelType {
    /// `SINGLE_MASTER`: the only type signaling supports.
    SingleMaster,
    /// `FULL_MESH`: in the model, not offered by the service.
    FullMesh,
}

impl ChannelType {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelType::SingleMaster => "SINGLE_MASTER",
            ChannelType::FullMesh => "FULL_MESH",
        }
    }

    /// The type for a wire token.
    pub fn from_wire(s: &str) -> Option<ChannelType> {
        match s {
            "SINGLE_MASTER" => Some(ChannelType::SingleMaster),
            "FULL_MESH" => Some(ChannelType::FullMesh),
            _ => None,
        }
    }
}

/// `ChannelStatus`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChannelStatus {
    /// `CREATING`: not usable yet; describe again.
    Creating,
    /// `ACTIVE`.
    Active,
    /// `UPDATING`.
    Updating,
    /// `DELETING`.
    Deleting,
}

impl ChannelStatus {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelStatus::Creating => "CREATING",
            ChannelStatus::Active => "ACTIVE",
            ChannelStatus::Updating => "UPDATING",
            ChannelStatus::Deleting => "DELETING",
        }
    }

    /// The status for a wire token.
    pub fn from_wire(s: &str) -> Option<ChannelStatus> {
        Some(match s {
            "CREATING" => ChannelStatus::Creating,
            "ACTIVE" => ChannelStatus::Active,
            "UPDATING" => ChannelStatus::Updating,
            "DELETING" => ChannelStatus::Deleting,
            _ => return None,
        })
    }
}

/// `MediaStorageConfiguration.Status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaStorageStatus {
    /// `ENABLED`: the master joins a storage session after connecting.
    Enabled,
    /// `DISABLED`.
    Disabled,
}

impl MediaStorageStatus {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        match self {
            MediaStorageStatus::Enabled => "ENABLED",
            MediaStorageStatus::Disabled => "DISABLED",
        }
    }

    /// The status for a wire token.
    pub fn from_wire(s: &str) -> Option<MediaStorageStatus> {
        match s {
            "ENABLED" => Some(MediaStorageStatus::Enabled),
            "DISABLED" => Some(MediaStorageStatus::Disabled),
            _ => None,
        }
    }
}

/// `GetIceServerConfig.Service`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IceService {
    /// `TURN`: the only value.
    Turn,
}

impl IceService {
    /// The wire token.
    pub const fn as_str(self) -> &'static str {
        "TURN"
    }

    /// The service for a wire token.
    pub fn from_wire(s: &str) -> Option<IceService> {
        (s == "TURN").then_some(IceService::Turn)
    }
}

/// Why a control-plane body (or identifier) was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// Not JSON, or not the expected shape (wrong types, duplicate members, trailing data).
    Json,
    /// Nested deeper than [`MAX_API_JSON_DEPTH`]: refused before parsing.
    JsonTooDeep,
    /// A required member is missing (its wire name).
    MissingField(&'static str),
    /// Two members that exclude each other are both present.
    Conflict(&'static str, &'static str),
    /// A member's value is not one the service accepts (unknown token, out of range).
    InvalidValue(&'static str),
    /// A string member holds a JSON escape or control character (see the module docs).
    EscapedString(&'static str),
    /// An array holds more elements than the bound.
    TooMany {
        /// Its wire name.
        field: &'static str,
        /// The bound.
        max: usize,
    },
    /// A string is longer than the bound.
    TooLong {
        /// Its wire name.
        field: &'static str,
        /// The bound in bytes.
        max: usize,
    },
    /// Not 1–256 of `[a-zA-Z0-9_.-]`.
    InvalidChannelName,
    /// Not 1–256 of `[a-zA-Z0-9_.-]`, or starts with `AWS_`.
    InvalidClientId,
    /// Not `arn:<partition>:kinesisvideo:<region>:<12 digits>:channel/<name>/<13 digits>`.
    InvalidChannelArn,
    /// Not a region name (`[a-z0-9-]`).
    InvalidRegion,
    /// The output sink ran out of room.
    BufferTooSmall,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Json => f.write_str("malformed control-plane JSON"),
            ApiError::JsonTooDeep => f.write_str("control-plane JSON nested too deeply"),
            ApiError::MissingField(n) => write!(f, "missing `{n}`"),
            ApiError::Conflict(a, b) => write!(f, "`{a}` and `{b}` are mutually exclusive"),
            ApiError::InvalidValue(n) => write!(f, "invalid value for `{n}`"),
            ApiError::EscapedString(n) => {
                write!(f, "`{n}` holds a JSON escape or control character")
            }
            ApiError::TooMany { field, max } => write!(f, "`{field}` has more than {max} entries"),
            ApiError::TooLong { field, max } => write!(f, "`{field}` is longer than {max} bytes"),
            ApiError::InvalidChannelName => {
                f.write_str("channel name must be 1-256 characters of [a-zA-Z0-9_.-]")
            }
            ApiError::InvalidClientId => f.write_str(
                "client id must be 1-256 characters of [a-zA-Z0-9_.-], not starting with AWS_",
            ),
            ApiError::InvalidChannelArn => f.write_str(
                "channel ARN must be arn:aws:kinesisvideo:<region>:<12-digit account>:channel/<name>/<13-digit code>",
            ),
            ApiError::InvalidRegion => f.write_str("region must be [a-z0-9-]"),
            ApiError::BufferTooSmall => f.write_str("output buffer too small"),
        }
    }
}

impl core::error::Error for ApiError {}

impl From<fmt::Error> for ApiError {
    fn from(_: fmt::Error) -> ApiError {
        ApiError::BufferTooSmall
    }
}
