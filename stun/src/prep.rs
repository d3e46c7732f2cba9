//! The OpaqueString profile (RFC 8265 §4.2) as STUN needs it for credentials, streamed
//! without allocation.
//!
//! Shortcut, deliberately: rtcam does not carry the Unicode normalization tables (NFC) —
//! they would cost ~100 KB on the camera. ASCII strings (every KVS and TURN REST
//! credential) are handled exactly. Non-ASCII strings get the width mapping of
//! non-ASCII spaces to U+0020 and the rejection of control and other disallowed code
//! points, and are otherwise taken as already in NFC.

use crate::Error;

/// Feeds the prepared form of `s` to `sink`, one UTF-8 chunk at a time.
pub(crate) fn opaque_string(s: &str, mut sink: impl FnMut(&[u8])) -> Result<(), Error> {
    // RFC 8265 §4.2.2: an empty string is not allowed after preparation.
    if s.is_empty() {
        return Err(Error::InvalidCredential);
    }
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        sink(s.as_bytes());
        return Ok(());
    }
    for c in s.chars() {
        if is_disallowed(c) {
            return Err(Error::InvalidCredential);
        }
        let c = if is_non_ascii_space(c) { ' ' } else { c };
        let mut utf8 = [0u8; 4];
        sink(c.encode_utf8(&mut utf8).as_bytes());
    }
    Ok(())
}

/// Whether `s` is already in the form [`opaque_string`] produces.
pub(crate) fn is_prepared(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| !is_disallowed(c) && !is_non_ascii_space(c))
}

/// Unicode general category Zs other than U+0020.
fn is_non_ascii_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Code points the FreeformClass disallows that can be told without tables: controls
/// (Cc), surrogates and noncharacters cannot appear in `str`; default-ignorable format
/// characters commonly abused for spoofing are rejected too.
fn is_disallowed(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{00AD}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}')
        || matches!(c as u32, 0xFDD0..=0xFDEF)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prep(s: &str) -> Result<([u8; 64], usize), Error> {
        let mut out = [0u8; 64];
        let mut n = 0;
        opaque_string(s, |b| {
            out[n..n + b.len()].copy_from_slice(b);
            n += b.len();
        })?;
        Ok((out, n))
    }

    #[test]
    fn ascii_is_identity() {
        let (o, n) = prep("VOkJxbRl1RmTxUk/WvJxBt").unwrap();
        assert_eq!(&o[..n], b"VOkJxbRl1RmTxUk/WvJxBt");
    }

    #[test]
    fn maps_wide_spaces_and_rejects_controls() {
        let (o, n) = prep("a\u{3000}b").unwrap();
        assert_eq!(&o[..n], b"a b");
        assert_eq!(prep("a\u{0007}b"), Err(Error::InvalidCredential));
        assert_eq!(prep("The\u{00AD}Matrix"), Err(Error::InvalidCredential));
        assert_eq!(prep(""), Err(Error::InvalidCredential));
        let (o, n) = prep("マトリックス").unwrap();
        assert_eq!(&o[..n], "マトリックス".as_bytes());
        assert!(is_prepared("マトリックス"));
        assert!(!is_prepared("a\u{00A0}b"));
    }
}
