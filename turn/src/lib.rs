//! TURN client (RFC 8656): Allocate/Refresh/CreatePermission/ChannelBind, Send/Data, ChannelData, TCP framing.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.

#![no_std]
#![forbid(unsafe_code)]
