//! Small text helpers shared by the grammar modules: line iteration, tokens, numbers.

use core::fmt;

/// One line of a description: where it starts in the text, its number, its content
/// without the line terminator.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line<'a> {
    pub(crate) number: u32,
    pub(crate) start: usize,
    pub(crate) text: &'a str,
}

impl<'a> Line<'a> {
    /// The type letter and the value of a `<letter>=<value>` line.
    pub(crate) fn split(&self) -> Option<(u8, &'a str)> {
        let bytes = self.text.as_bytes();
        match (bytes.first(), bytes.get(1)) {
            (Some(&t), Some(b'=')) if t.is_ascii_lowercase() => Some((t, self.text.get(2..)?)),
            _ => None,
        }
    }
}

/// Lines of a text separated by LF or CRLF; empty lines are skipped.
#[derive(Debug, Clone)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    pos: usize,
    number: u32,
}

impl<'a> Lines<'a> {
    /// Lines of `text`, numbered from `first_number`, offsets relative to `base`.
    pub(crate) fn new(text: &'a str, first_number: u32) -> Self {
        Lines {
            text,
            pos: 0,
            number: first_number.saturating_sub(1),
        }
    }
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        loop {
            let rest = self.text.get(self.pos..)?;
            if rest.is_empty() {
                return None;
            }
            let start = self.pos;
            let (raw, advance) = match rest.find('\n') {
                Some(i) => (rest.get(..i)?, i + 1),
                None => (rest, rest.len()),
            };
            self.pos += advance;
            self.number = self.number.saturating_add(1);
            let text = raw.strip_suffix('\r').unwrap_or(raw);
            if !text.is_empty() {
                return Some(Line {
                    number: self.number,
                    start,
                    text,
                });
            }
        }
    }
}

/// A space-separated list kept as the original text (`a=group:BUNDLE 0 1`,
/// `a=ice-options:trickle ice2`): iterate it with [`Tokens::iter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tokens<'a>(pub(crate) &'a str);

impl<'a> Tokens<'a> {
    /// Wraps a space-separated list.
    pub const fn new(list: &'a str) -> Self {
        Tokens(list)
    }

    /// The tokens, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.0.split([' ', '\t']).filter(|t| !t.is_empty())
    }

    /// Whether `token` is in the list (exact match).
    pub fn contains(&self, token: &str) -> bool {
        self.iter().any(|t| t == token)
    }

    /// The list as written.
    pub const fn as_str(&self) -> &'a str {
        self.0
    }
}

impl fmt::Display for Tokens<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for t in self.iter() {
            if !first {
                f.write_str(" ")?;
            }
            f.write_str(t)?;
            first = false;
        }
        Ok(())
    }
}

/// The first space-separated token and the rest (leading spaces of the rest removed).
pub(crate) fn next_token(s: &str) -> Option<(&str, &str)> {
    let s = s.trim_start_matches(' ');
    if s.is_empty() {
        return None;
    }
    match s.split_once(' ') {
        Some((t, rest)) => Some((t, rest.trim_start_matches(' '))),
        None => Some((s, "")),
    }
}

macro_rules! decimal {
    ($name:ident, $t:ty) => {
        /// A decimal number: digits only (no sign, no spaces), no overflow.
        pub(crate) fn $name(s: &str) -> Option<$t> {
            if s.is_empty() || s.len() > 20 {
                return None;
            }
            let mut v: $t = 0;
            for b in s.bytes() {
                let d = b.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                v = v.checked_mul(10)?.checked_add(<$t>::from(d))?;
            }
            Some(v)
        }
    };
}
decimal!(dec_u8, u8);
decimal!(dec_u16, u16);
decimal!(dec_u32, u32);
decimal!(dec_u64, u64);

/// RFC 8866 `token`: printable ASCII without the separators SDP reserves.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'0'..=b'9'
                | b'A'..=b'Z' | b'^'..=b'~')
        })
}
