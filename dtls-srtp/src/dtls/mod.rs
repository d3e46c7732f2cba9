//! DTLS 1.2 (RFC 6347) for DTLS-SRTP (RFC 5764): the client and server engine
//! ([`Endpoint`], configured by [`Config`]) and its building blocks.

pub mod cert;
pub mod config;
pub mod endpoint;
pub mod prf;
pub mod reassembly;
pub mod record_crypto;
pub mod replay;
pub mod wire;

mod error;
pub use config::{Config, Role};
pub use endpoint::{Connected, Endpoint, Event, KeyingMaterial, Received, Stats};
pub use error::Error;
