//! Helpers shared by the SRTP test files.

#![allow(dead_code, clippy::unwrap_used, clippy::indexing_slicing)]

/// Hex text (whitespace ignored) to bytes.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
