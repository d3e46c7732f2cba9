//! DTLS 1.2 (RFC 6347) and DTLS-SRTP (RFC 5764) for rtcam — the DTLS part is not written
//! yet — and SRTP/SRTCP (RFC 3711, RFC 7714) in [`srtp`]: no_std, no alloc, in place.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod srtp;
