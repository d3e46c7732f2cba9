//! The JSON plumbing every reader and writer in this crate shares: the nesting pre-check
//! and the string-literal writer. (Parsing itself is serde-json-core's, writing is by hand
//! into caller storage.)

use core::fmt::{self, Write};

/// Whether `json` nests objects and arrays at most `max` deep: the one pre-check every
/// JSON reader here (messages, REST bodies, the server's frames) runs, so that the
/// recursive readers' stack stays small whatever arrives. Strings are skipped, so
/// brackets inside them do not count.
pub(crate) fn nesting_within(json: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return false;
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    true
}

/// A JSON string literal: quotes, `"` and `\` escaped, control characters as `\u00XX`,
/// everything else (including non-ASCII) as is — what `JSON.stringify` produces.
pub(crate) fn write_string<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    let mut rest = s;
    while let Some(pos) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)
    {
        let (head, tail) = rest.split_at_checked(pos).ok_or(fmt::Error)?;
        out.write_str(head)?;
        let mut chars = tail.chars();
        match chars.next() {
            Some('"') => out.write_str("\\\"")?,
            Some('\\') => out.write_str("\\\\")?,
            Some('\n') => out.write_str("\\n")?,
            Some('\r') => out.write_str("\\r")?,
            Some('\t') => out.write_str("\\t")?,
            Some(c) => write!(out, "\\u{:04x}", c as u32)?,
            None => {}
        }
        rest = chars.as_str();
    }
    out.write_str(rest)?;
    out.write_char('"')
}
