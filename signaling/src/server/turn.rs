//! Time-limited TURN credentials in the "TURN REST API" scheme that coturn implements
//! with `use-auth-secret` / `static-auth-secret`: the username is
//! `<expiry unix seconds>:<user>`, the password `base64(HMAC-SHA1(secret, username))`.
//! A TURN server configured with the same secret accepts them until the expiry passes,
//! with no per-user state on either side.

use std::string::{String, ToString};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// A username/password pair for a TURN server sharing `secret`.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnCredentials {
    /// `<expiry unix seconds>:<user>`.
    pub username: String,
    /// `base64(HMAC-SHA1(secret, username))`.
    pub password: String,
    /// The expiry, in unix seconds.
    pub expires_unix: u64,
}

impl core::fmt::Debug for TurnCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TurnCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Credentials for `user` valid until `now_unix + ttl_secs`.
pub fn turn_credentials(secret: &str, user: &str, now_unix: u64, ttl_secs: u64) -> TurnCredentials {
    let expires_unix = now_unix.saturating_add(ttl_secs);
    let username = std::format!("{expires_unix}:{user}");
    TurnCredentials {
        password: turn_password(secret, &username),
        username,
        expires_unix,
    }
}

/// `base64(HMAC-SHA1(secret, username))`: what coturn recomputes to check a password.
pub fn turn_password(secret: &str, username: &str) -> String {
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(username.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut out = [0u8; 28];
    match STANDARD.encode_slice(tag, &mut out) {
        Ok(n) => out
            .get(..n)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
            .to_string(),
        Err(_) => String::new(),
    }
}
