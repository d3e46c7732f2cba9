//! DTLS 1.2 (RFC 6347) for DTLS-SRTP (RFC 5764): the building blocks so far — wire
//! formats, PRF and exporter, record protection, replay window, handshake reassembly and
//! the certificate identity. The client and server engines are not written yet.

pub mod cert;
pub mod prf;
pub mod reassembly;
pub mod record_crypto;
pub mod replay;
pub mod wire;

mod error;
pub use error::Error;
