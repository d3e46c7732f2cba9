//! TURN REST API credentials (draft-uberti-behave-turn-rest), as KVS's GetIceServerConfig
//! hands them out and coturn's `--use-auth-secret` checks them.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// `(username, password)` valid for `ttl_secs` from now: username = `"<unix-expiry>:<name>"`,
/// password = base64(HMAC-SHA1(secret, username)).
pub(crate) fn rest_credentials(secret: &str, name: &str, ttl_secs: u64) -> (String, String) {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock before 1970")
        .as_secs();
    let username = format!("{}:{name}", now + ttl_secs);
    let password = rest_password(secret, &username);
    (username, password)
}

/// base64(HMAC-SHA1(secret, username)): the REST password for an existing username.
pub(crate) fn rest_password(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(username.as_bytes());
    BASE64.encode(mac.finalize().into_bytes())
}
