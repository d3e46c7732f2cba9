//! [`ControlPlane`]: blocking, typed calls for all eight KVS REST operations
//! ([`ApiCall`]), bodies written and answers read by [`crate::api`], each request signed
//! by [`super::http::SignedHttp`]. Failures come back as [`ControlError`], which also
//! says what the [`crate::policy::Policy`] should be told ([`ControlError::outcome`])
//! and carries the service's `Date` for skew correction.

use std::fmt;
use std::string::{String, ToString};
use std::time::Duration;
use std::vec::Vec;

use crate::api::{
    ApiCall, ApiError, ChannelInfo, ChannelRef, ChannelRole, ChannelStatus, CreateSignalingChannel,
    CreatedChannel, DeleteSignalingChannel, DescribeMediaStorageConfiguration,
    DescribeSignalingChannel, GetIceServerConfig, GetSignalingChannelEndpoint, IceServerList,
    JoinStorageSession, JoinStorageSessionAsViewer, MediaStorageConfiguration, MediaStorageStatus,
    Protocol, ResourceEndpoints, ServiceError, ServiceErrorKind, control_plane_host,
};
use crate::policy::CallOutcome;
use crate::time::UtcTime;

use super::credentials::OwnedCredentials;
use super::http::{HttpError, RawResponse, SignedHttp};
use super::tls::TlsSetup;

/// Where the control plane is and how long a call may take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlPlaneConfig {
    /// The region (signing scope, and the control-plane host unless overridden).
    pub region: String,
    /// A base URL replacing `https://kinesisvideo.<region>.amazonaws.com` (the local
    /// server, a VPC endpoint).
    pub endpoint_override: Option<String>,
    /// Use the dual-stack host (`kinesisvideo.<region>.api.aws`).
    pub dual_stack: bool,
    /// Whole-call timeout.
    pub timeout: Duration,
}

impl ControlPlaneConfig {
    /// The public endpoint of `region`, 10 s per call.
    pub fn new(region: &str) -> ControlPlaneConfig {
        ControlPlaneConfig {
            region: region.to_string(),
            endpoint_override: None,
            dual_stack: false,
            timeout: Duration::from_secs(10),
        }
    }
}

/// `DescribeSignalingChannel`'s answer, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelDescription {
    /// `ChannelARN`.
    pub arn: String,
    /// `ChannelName`.
    pub name: String,
    /// `ChannelStatus`.
    pub status: Option<ChannelStatus>,
    /// `Version` (what delete wants).
    pub version: Option<String>,
    /// `SingleMasterConfiguration.MessageTtlSeconds`.
    pub message_ttl_seconds: Option<u32>,
}

/// `GetSignalingChannelEndpoint`'s answer, owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Endpoints {
    /// The `WSS` endpoint (`wss://…`).
    pub wss: Option<String>,
    /// The `HTTPS` endpoint (GetIceServerConfig).
    pub https: Option<String>,
    /// The `WEBRTC` endpoint (storage-session joins).
    pub webrtc: Option<String>,
}

/// One TURN server from `GetIceServerConfig`, owned: what a peer connection needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServerInfo {
    /// `turn:` / `turns:` URIs sharing these credentials.
    pub uris: Vec<String>,
    /// Time-limited user name.
    pub username: Option<String>,
    /// Its password.
    pub password: Option<String>,
    /// Seconds the credentials stay valid.
    pub ttl: Option<u32>,
}

/// `DescribeMediaStorageConfiguration`'s answer, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaStorage {
    /// `Status == ENABLED`.
    pub enabled: bool,
    /// `StreamARN`.
    pub stream_arn: Option<String>,
}

/// A refused call, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceFailure {
    /// Which call.
    pub call: ApiCall,
    /// HTTP status.
    pub status: u16,
    /// What it means.
    pub kind: ServiceErrorKind,
    /// The service's error name.
    pub error_type: Option<String>,
    /// The service's message.
    pub message: String,
}

impl fmt::Display for ServiceFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} refused: {} (HTTP {}",
            self.call, self.kind, self.status
        )?;
        if let Some(t) = &self.error_type {
            write!(f, ", {t}")?;
        }
        f.write_str(")")?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        Ok(())
    }
}

/// Why a control-plane call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ControlError {
    /// The request was refused locally before sending (bad name, ARN, client id).
    Invalid(ApiError),
    /// No HTTP answer (DNS, TCP, TLS, timeout) or the signer refused.
    Http(HttpError),
    /// The service answered with an error.
    Service {
        /// What it said.
        failure: ServiceFailure,
        /// Its `Date` header (skew correction).
        date: Option<UtcTime>,
    },
    /// A 200 whose body could not be read.
    Malformed {
        /// Which call.
        call: ApiCall,
        /// Why.
        error: ApiError,
    },
    /// The answer lacks what the client needs (e.g. no WSS endpoint).
    Missing(&'static str),
}

impl ControlError {
    /// How the [`crate::policy::Policy`] should see this failure.
    pub fn outcome(&self) -> CallOutcome {
        match self {
            ControlError::Invalid(_) => CallOutcome::InvalidArgument,
            ControlError::Http(HttpError::Transport(_)) => CallOutcome::Network,
            ControlError::Http(_) => CallOutcome::InvalidArgument,
            ControlError::Malformed { .. } | ControlError::Missing(_) => CallOutcome::Malformed,
            ControlError::Service { failure, .. } => outcome_of(failure.kind, failure.status),
        }
    }

    /// The service's clock, when the answer carried a `Date`.
    pub fn server_date(&self) -> Option<UtcTime> {
        match self {
            ControlError::Service { date, .. } => *date,
            _ => None,
        }
    }

    /// The service's verdict, if it gave one.
    pub fn service_failure(&self) -> Option<&ServiceFailure> {
        match self {
            ControlError::Service { failure, .. } => Some(failure),
            _ => None,
        }
    }
}

/// Maps a service error kind (and status) to what the policy reacts to.
pub fn outcome_of(kind: ServiceErrorKind, status: u16) -> CallOutcome {
    match kind {
        ServiceErrorKind::NotFound => CallOutcome::NotFound,
        ServiceErrorKind::AccessDenied
        | ServiceErrorKind::NotAuthorized
        | ServiceErrorKind::UnrecognizedClient => CallOutcome::AccessDenied,
        ServiceErrorKind::ClientLimitExceeded | ServiceErrorKind::AccountChannelLimitExceeded => {
            CallOutcome::ClientLimitExceeded
        }
        ServiceErrorKind::InvalidArgument
        | ServiceErrorKind::InvalidClient
        | ServiceErrorKind::TagsPerResourceExceeded => CallOutcome::InvalidArgument,
        // Expired temporary credentials look like skew to the policy: it retries after
        // checking the Date, and the driver refetches credentials first.
        ServiceErrorKind::SignatureExpired | ServiceErrorKind::ExpiredToken => {
            CallOutcome::SignatureExpired
        }
        ServiceErrorKind::InvalidSignature => CallOutcome::InvalidSignature,
        ServiceErrorKind::ResourceInUse => CallOutcome::ResourceInUse,
        ServiceErrorKind::VersionMismatch => CallOutcome::VersionMismatch,
        ServiceErrorKind::Throttled => CallOutcome::Throttled,
        _ if status >= 500 => CallOutcome::ServerError,
        _ => CallOutcome::Other,
    }
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::Invalid(e) => write!(f, "request refused locally: {e}"),
            ControlError::Http(e) => write!(f, "{e}"),
            ControlError::Service { failure, .. } => write!(f, "{failure}"),
            ControlError::Malformed { call, error } => {
                write!(f, "{call} answer unreadable: {error}")
            }
            ControlError::Missing(what) => write!(f, "answer lacks {what}"),
        }
    }
}

impl std::error::Error for ControlError {}

impl From<HttpError> for ControlError {
    fn from(e: HttpError) -> Self {
        ControlError::Http(e)
    }
}

/// What the last call did, for metrics and skew correction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exchange {
    /// Which call.
    pub call: ApiCall,
    /// Round-trip time (zero when nothing was sent).
    pub latency: Duration,
    /// HTTP status (0 when there was no answer).
    pub status: u16,
    /// The answer's `Date`.
    pub date: Option<UtcTime>,
}

/// The blocking control-plane client.
#[derive(Debug)]
pub struct ControlPlane {
    http: SignedHttp,
    control_url: String,
    last: Option<Exchange>,
    requests: u64,
}

impl ControlPlane {
    /// A client trusting `tls`.
    pub fn new(config: &ControlPlaneConfig, tls: &TlsSetup) -> Result<ControlPlane, ControlError> {
        let control_url = match &config.endpoint_override {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => {
                let mut host = String::new();
                control_plane_host(&config.region, config.dual_stack, &mut host)
                    .map_err(ControlError::Invalid)?;
                std::format!("https://{host}")
            }
        };
        Ok(ControlPlane {
            http: SignedHttp::new(tls, &config.region, config.timeout),
            control_url,
            last: None,
            requests: 0,
        })
    }

    /// The control-plane base URL in use.
    pub fn control_url(&self) -> &str {
        &self.control_url
    }

    /// Seconds added to the system clock when signing.
    pub fn set_clock_offset(&mut self, secs: i64) {
        self.http.clock_offset_secs = secs;
    }

    /// The signing time in use (system clock plus offset).
    pub fn signing_time(&self) -> UtcTime {
        self.http.signing_time()
    }

    /// The last call's timing, status and `Date`.
    pub fn last_exchange(&self) -> Option<Exchange> {
        self.last
    }

    /// How many requests were sent (answered or not): a retry storm shows here.
    pub fn requests_sent(&self) -> u64 {
        self.requests
    }

    /// Sends one call; a non-200 becomes [`ControlError::Service`].
    fn exchange(
        &mut self,
        call: ApiCall,
        base: &str,
        body: &str,
        creds: &OwnedCredentials,
    ) -> Result<RawResponse, ControlError> {
        self.requests += 1;
        let result = self.http.post(base, call.path(), body.as_bytes(), creds);
        let resp = match result {
            Ok(r) => r,
            Err(e) => {
                self.last = Some(Exchange {
                    call,
                    latency: Duration::ZERO,
                    status: 0,
                    date: None,
                });
                log::debug!("{call}: {e}");
                return Err(e.into());
            }
        };
        self.last = Some(Exchange {
            call,
            latency: resp.latency,
            status: resp.status,
            date: resp.date,
        });
        if resp.status == 200 {
            return Ok(resp);
        }
        let se = ServiceError::parse(resp.status, resp.error_type.as_deref(), &resp.body);
        let mut msg_buf = std::vec![0u8; se.message.map_or(0, |m| m.raw().len())];
        let message = se
            .message
            .map(|m| {
                m.unescape(&mut msg_buf)
                    .map(ToString::to_string)
                    .unwrap_or_else(|_| m.raw().to_string())
            })
            .unwrap_or_default();
        let failure = ServiceFailure {
            call,
            status: resp.status,
            kind: se.kind,
            error_type: se.error_type.map(ToString::to_string),
            message,
        };
        log::debug!("{failure}");
        Err(ControlError::Service {
            failure,
            date: resp.date,
        })
    }

    fn body(write: impl FnOnce(&mut String) -> fmt::Result) -> Result<String, ControlError> {
        let mut s = String::new();
        write(&mut s).map_err(|_| ControlError::Invalid(ApiError::BufferTooSmall))?;
        Ok(s)
    }

    /// `DescribeSignalingChannel` by name or ARN.
    pub fn describe_channel(
        &mut self,
        creds: &OwnedCredentials,
        channel: ChannelRef<'_>,
    ) -> Result<ChannelDescription, ControlError> {
        let req = DescribeSignalingChannel { channel };
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let base = self.control_url.clone();
        let resp = self.exchange(ApiCall::DescribeSignalingChannel, &base, &body, creds)?;
        let info = ChannelInfo::parse(&resp.body).map_err(|error| ControlError::Malformed {
            call: ApiCall::DescribeSignalingChannel,
            error,
        })?;
        Ok(ChannelDescription {
            arn: info.channel_arn.to_string(),
            name: info.channel_name.to_string(),
            status: info.channel_status,
            version: info.version.map(ToString::to_string),
            message_ttl_seconds: info.message_ttl_seconds,
        })
    }

    /// `CreateSignalingChannel` (single master, `message_ttl_seconds`); returns the ARN.
    pub fn create_channel(
        &mut self,
        creds: &OwnedCredentials,
        name: &str,
        message_ttl_seconds: u32,
    ) -> Result<String, ControlError> {
        let req = CreateSignalingChannel::single_master(name, message_ttl_seconds);
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let base = self.control_url.clone();
        let resp = self.exchange(ApiCall::CreateSignalingChannel, &base, &body, creds)?;
        let c = CreatedChannel::parse(&resp.body).map_err(|error| ControlError::Malformed {
            call: ApiCall::CreateSignalingChannel,
            error,
        })?;
        Ok(c.channel_arn.to_string())
    }

    /// `DeleteSignalingChannel`. A 404 counts as done (the channel is gone either way).
    pub fn delete_channel(
        &mut self,
        creds: &OwnedCredentials,
        arn: &str,
        current_version: Option<&str>,
    ) -> Result<(), ControlError> {
        let req = DeleteSignalingChannel {
            channel_arn: arn,
            current_version,
        };
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let base = self.control_url.clone();
        match self.exchange(ApiCall::DeleteSignalingChannel, &base, &body, creds) {
            Ok(_) => Ok(()),
            Err(ControlError::Service { failure, .. })
                if failure.kind == ServiceErrorKind::NotFound =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// `GetSignalingChannelEndpoint` for `role` (WSS + HTTPS, + WEBRTC with `storage`).
    pub fn get_endpoints(
        &mut self,
        creds: &OwnedCredentials,
        arn: &str,
        role: ChannelRole,
        storage: bool,
    ) -> Result<Endpoints, ControlError> {
        let req = GetSignalingChannelEndpoint::new(arn, role, storage);
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let base = self.control_url.clone();
        let resp = self.exchange(ApiCall::GetSignalingChannelEndpoint, &base, &body, creds)?;
        let list =
            ResourceEndpoints::parse(&resp.body).map_err(|error| ControlError::Malformed {
                call: ApiCall::GetSignalingChannelEndpoint,
                error,
            })?;
        let get = |p| list.get(p).map(ToString::to_string);
        Ok(Endpoints {
            wss: get(Protocol::Wss),
            https: get(Protocol::Https),
            webrtc: get(Protocol::Webrtc),
        })
    }

    /// `GetIceServerConfig` on the channel's HTTPS endpoint.
    pub fn get_ice_server_config(
        &mut self,
        creds: &OwnedCredentials,
        https_endpoint: &str,
        arn: &str,
        client_id: &str,
    ) -> Result<Vec<IceServerInfo>, ControlError> {
        let req = GetIceServerConfig::new(arn, client_id);
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let resp = self.exchange(ApiCall::GetIceServerConfig, https_endpoint, &body, creds)?;
        let list = IceServerList::parse(&resp.body).map_err(|error| ControlError::Malformed {
            call: ApiCall::GetIceServerConfig,
            error,
        })?;
        Ok(list
            .servers
            .iter()
            .map(|s| IceServerInfo {
                uris: s.uris.iter().map(|u| u.to_string()).collect(),
                username: s.username.map(ToString::to_string),
                password: s.password.map(ToString::to_string),
                ttl: s.ttl,
            })
            .collect())
    }

    /// `DescribeMediaStorageConfiguration`.
    pub fn describe_media_storage(
        &mut self,
        creds: &OwnedCredentials,
        channel: ChannelRef<'_>,
    ) -> Result<MediaStorage, ControlError> {
        let req = DescribeMediaStorageConfiguration { channel };
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        let base = self.control_url.clone();
        let resp = self.exchange(
            ApiCall::DescribeMediaStorageConfiguration,
            &base,
            &body,
            creds,
        )?;
        let m = MediaStorageConfiguration::parse(&resp.body).map_err(|error| {
            ControlError::Malformed {
                call: ApiCall::DescribeMediaStorageConfiguration,
                error,
            }
        })?;
        Ok(MediaStorage {
            enabled: m.status == MediaStorageStatus::Enabled,
            stream_arn: m.stream_arn.map(ToString::to_string),
        })
    }

    /// `JoinStorageSession` (master) on the WEBRTC endpoint.
    pub fn join_storage_session(
        &mut self,
        creds: &OwnedCredentials,
        webrtc_endpoint: &str,
        arn: &str,
    ) -> Result<(), ControlError> {
        let req = JoinStorageSession { channel_arn: arn };
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        self.exchange(ApiCall::JoinStorageSession, webrtc_endpoint, &body, creds)?;
        Ok(())
    }

    /// `JoinStorageSessionAsViewer` on the WEBRTC endpoint.
    pub fn join_storage_session_as_viewer(
        &mut self,
        creds: &OwnedCredentials,
        webrtc_endpoint: &str,
        arn: &str,
        client_id: &str,
    ) -> Result<(), ControlError> {
        let req = JoinStorageSessionAsViewer {
            channel_arn: arn,
            client_id,
        };
        req.validate().map_err(ControlError::Invalid)?;
        let body = Self::body(|s| req.write_json(s))?;
        self.exchange(
            ApiCall::JoinStorageSessionAsViewer,
            webrtc_endpoint,
            &body,
            creds,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes() {
        assert_eq!(
            outcome_of(ServiceErrorKind::NotFound, 404),
            CallOutcome::NotFound
        );
        assert_eq!(
            outcome_of(ServiceErrorKind::SignatureExpired, 403),
            CallOutcome::SignatureExpired
        );
        assert_eq!(
            outcome_of(ServiceErrorKind::UnrecognizedClient, 403),
            CallOutcome::AccessDenied
        );
        assert_eq!(
            outcome_of(ServiceErrorKind::Other, 503),
            CallOutcome::ServerError
        );
        assert_eq!(outcome_of(ServiceErrorKind::Other, 400), CallOutcome::Other);
        assert_eq!(
            ControlError::Http(HttpError::Transport("reset".into())).outcome(),
            CallOutcome::Network
        );
    }
}
