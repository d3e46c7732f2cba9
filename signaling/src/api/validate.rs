//! The identifier grammars client and server must agree on: channel names, client ids,
//! regions and channel ARNs (parsed, and minted by the local server).

use core::fmt::{self, Write};

use super::ApiError;

/// The longest channel name or client id the service accepts.
pub const MAX_NAME_LEN: usize = 256;

/// The longest channel ARN the service accepts (its API reference: 1024).
pub const MAX_ARN_LEN: usize = 1024;

/// The characters of channel names and client ids: `[a-zA-Z0-9_.-]`.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Checks a channel name: 1–256 characters of `[a-zA-Z0-9_.-]`.
pub fn validate_channel_name(name: &str) -> Result<(), ApiError> {
    if name.is_empty() || name.len() > MAX_NAME_LEN || !name.bytes().all(is_name_byte) {
        return Err(ApiError::InvalidChannelName);
    }
    Ok(())
}

/// Checks a viewer's client id: 1–256 characters of `[a-zA-Z0-9_.-]`, not starting with
/// `AWS_` (reserved for the service's own clients, such as the storage session).
pub fn validate_client_id(id: &str) -> Result<(), ApiError> {
    if id.is_empty()
        || id.len() > MAX_NAME_LEN
        || !id.bytes().all(is_name_byte)
        || id.starts_with("AWS_")
    {
        return Err(ApiError::InvalidClientId);
    }
    Ok(())
}

/// Checks a region name such as `us-west-2`, `cn-north-1` or `us-gov-west-1`: 1–32 of
/// `[a-z0-9-]`, not starting or ending with `-`. Regions end up in host names and
/// ARNs, so anything else is refused rather than written.
pub fn validate_region(region: &str) -> Result<(), ApiError> {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(ApiError::InvalidRegion)
    }
}

/// The ARN partition of a region: `aws-cn` for `cn-*`, `aws-us-gov` for `us-gov-*`,
/// `aws` otherwise.
pub fn partition_for_region(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// A signaling channel ARN, `arn:<partition>:kinesisvideo:<region>:<12-digit
/// account>:channel/<name>/<13-digit creation code>`, split into its parts.
///
/// [`ChannelArn::parse`] checks a received ARN; building one and writing it with
/// [`ChannelArn::write`] (or `Display`) is how the local server mints them (the creation
/// code is the creation time in epoch milliseconds, as the service's are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelArn<'a> {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'a str,
    /// The region, e.g. `us-west-2`.
    pub region: &'a str,
    /// The 12-digit account id.
    pub account_id: &'a str,
    /// The channel name.
    pub channel_name: &'a str,
    /// The 13-digit creation code.
    pub creation_code: u64,
}

impl<'a> ChannelArn<'a> {
    /// Splits and checks `arn`: every part must match its grammar exactly.
    pub fn parse(arn: &'a str) -> Result<ChannelArn<'a>, ApiError> {
        let bad = ApiError::InvalidChannelArn;
        if arn.len() > MAX_ARN_LEN {
            return Err(bad);
        }
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("kinesisvideo"), Some(region), Some(account)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(bad);
        };
        let resource = parts.next().ok_or(bad)?;
        if !matches!(partition, "aws" | "aws-cn" | "aws-us-gov") {
            return Err(bad);
        }
        validate_region(region).map_err(|_| bad)?;
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad);
        }
        let rest = resource.strip_prefix("channel/").ok_or(bad)?;
        let (name, code) = rest.rsplit_once('/').ok_or(bad)?;
        validate_channel_name(name).map_err(|_| bad)?;
        if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad);
        }
        let creation_code = code.parse().map_err(|_| bad)?;
        Ok(ChannelArn {
            partition,
            region,
            account_id: account,
            channel_name: name,
            creation_code,
        })
    }

    /// An ARN for `channel_name` in `region` (partition from the region), checked.
    pub fn new(
        region: &'a str,
        account_id: &'a str,
        channel_name: &'a str,
        creation_code: u64,
    ) -> Result<ChannelArn<'a>, ApiError> {
        let arn = ChannelArn {
            partition: partition_for_region(region),
            region,
            account_id,
            channel_name,
            creation_code,
        };
        arn.validate()?;
        Ok(arn)
    }

    /// Checks every part (what [`ChannelArn::parse`] would accept).
    pub fn validate(&self) -> Result<(), ApiError> {
        let bad = ApiError::InvalidChannelArn;
        if !matches!(self.partition, "aws" | "aws-cn" | "aws-us-gov")
            || self.account_id.len() != 12
            || !self.account_id.bytes().all(|b| b.is_ascii_digit())
            || !(1_000_000_000_000..=9_999_999_999_999).contains(&self.creation_code)
        {
            return Err(bad);
        }
        validate_region(self.region).map_err(|_| bad)?;
        validate_channel_name(self.channel_name).map_err(|_| bad)
    }

    /// Writes the ARN text.
    pub fn write<W: Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        write!(
            out,
            "arn:{}:kinesisvideo:{}:{}:channel/{}/{:013}",
            self.partition, self.region, self.account_id, self.channel_name, self.creation_code
        )
    }
}

impl fmt::Display for ChannelArn<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// Checks a channel ARN (see [`ChannelArn::parse`]).
pub fn validate_channel_arn(arn: &str) -> Result<(), ApiError> {
    ChannelArn::parse(arn).map(|_| ())
}
