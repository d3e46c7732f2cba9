//! KVS signaling: SigV4, control-plane REST, WebSocket messages, reconnect policy; a local
//! KVS-compatible server.
//!
//! Not implemented yet: this crate is a placeholder in the workspace layout and exposes no API.
