//! UTC wall-clock time as SigV4 needs it, without std: the caller reads the clock (and
//! corrects it for skew), the signer only formats.

use core::fmt;

/// A UTC instant with one-second resolution, years 1970..=9999.
///
/// SigV4 scopes are per UTC day and timestamps per second, so nothing finer is needed;
/// the signer never reads a clock, so tests and the skew corrector can pass any time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UtcTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
}

const SECS_PER_DAY: u64 = 86_400;
/// 9999-12-31T23:59:59Z: the last second a four-digit year can show.
const MAX_UNIX: u64 = 253_402_300_799;

impl UtcTime {
    /// The time `secs` seconds after 1970-01-01T00:00:00Z (what a driver reads from the
    /// system clock); `None` past year 9999, which `X-Amz-Date` cannot express.
    pub const fn from_unix_seconds(secs: u64) -> Option<UtcTime> {
        if secs > MAX_UNIX {
            return None;
        }
        let days = secs / SECS_PER_DAY;
        let rem = secs % SECS_PER_DAY;
        let (year, month, day) = civil_from_days(days);
        Some(UtcTime {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
        })
    }

    /// A validated calendar time (month 1–12, a day that exists in that month, hour
    /// 0–23, minute and second 0–59); `None` otherwise.
    pub const fn new(
        year: u16,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        second: u8,
    ) -> Option<UtcTime> {
        if year < 1970
            || year > 9999
            || month < 1
            || month > 12
            || day < 1
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        Some(UtcTime {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Reads an `X-Amz-Date` value (`YYYYMMDD'T'HHMMSS'Z'`), as a verifier (the local
    /// server) receives it.
    pub fn parse_amz_date(s: &str) -> Option<UtcTime> {
        let b = s.as_bytes();
        if b.len() != 16 || b.get(8) != Some(&b'T') || b.get(15) != Some(&b'Z') {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u16> {
            let mut v: u16 = 0;
            for &c in b.get(from..to)? {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u16::from(c - b'0');
            }
            Some(v)
        };
        let small = |from: usize| -> Option<u8> { u8::try_from(num(from, from + 2)?).ok() };
        UtcTime::new(
            num(0, 4)?,
            small(4)?,
            small(6)?,
            small(9)?,
            small(11)?,
            small(13)?,
        )
    }

    /// Seconds since 1970-01-01T00:00:00Z: the inverse of [`UtcTime::from_unix_seconds`],
    /// for skew and expiry arithmetic.
    pub const fn to_unix_seconds(&self) -> u64 {
        days_from_civil(self.year, self.month, self.day) * SECS_PER_DAY
            + self.hour as u64 * 3600
            + self.minute as u64 * 60
            + self.second as u64
    }

    /// The `X-Amz-Date` form of this time; its first eight characters are the scope date.
    pub fn amz_date(&self) -> AmzDate {
        let mut b = *b"00000000T000000Z";
        let mut put = |at: usize, value: u16, width: usize| {
            let mut v = value;
            for i in (at..at + width).rev() {
                if let Some(slot) = b.get_mut(i) {
                    *slot = b'0' + (v % 10) as u8;
                }
                v /= 10;
            }
        };
        put(0, self.year, 4);
        put(4, u16::from(self.month), 2);
        put(6, u16::from(self.day), 2);
        put(9, u16::from(self.hour), 2);
        put(11, u16::from(self.minute), 2);
        put(13, u16::from(self.second), 2);
        AmzDate(b)
    }
}

impl UtcTime {
    /// Reads an HTTP `Date` header value in the IMF-fixdate form every current server
    /// sends (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110 §5.6.7): how the client learns
    /// the service's clock when a request is refused as "Signature expired".
    ///
    /// The day name must be one of the seven but is not checked against the date (the
    /// date itself is what matters); the obsolete RFC 850 and asctime forms are refused.
    pub fn parse_http_date(s: &str) -> Option<UtcTime> {
        let b = s.trim_matches(|c| c == ' ' || c == '\t').as_bytes();
        if b.len() != 29 {
            return None;
        }
        let (day_name, rest) = b.split_at_checked(3)?;
        if !DAY_NAMES.iter().any(|d| d.as_bytes() == day_name) {
            return None;
        }
        let lit = |at: usize, want: &[u8]| rest.get(at..at + want.len()) == Some(want);
        // rest: ", DD Mon YYYY HH:MM:SS GMT"
        if !(lit(0, b", ")
            && lit(4, b" ")
            && lit(8, b" ")
            && lit(13, b" ")
            && lit(16, b":")
            && lit(19, b":")
            && lit(22, b" GMT"))
        {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u16> {
            let mut v: u16 = 0;
            for &c in rest.get(from..to)? {
                if !c.is_ascii_digit() {
                    return None;
                }
                v = v * 10 + u16::from(c - b'0');
            }
            Some(v)
        };
        let small = |from: usize| -> Option<u8> { u8::try_from(num(from, from + 2)?).ok() };
        let mon = rest.get(5..8)?;
        let month = MONTH_NAMES.iter().position(|m| m.as_bytes() == mon)?;
        UtcTime::new(
            num(9, 13)?,
            u8::try_from(month + 1).ok()?,
            small(2)?,
            small(14)?,
            small(17)?,
            small(20)?,
        )
    }

    /// The IMF-fixdate form of this time (`Sun, 06 Nov 1994 08:49:37 GMT`): what the
    /// local server puts in its `Date` header.
    pub fn http_date(&self) -> HttpDate {
        let mut b = *b"Thu, 01 Jan 1970 00:00:00 GMT";
        let days = self.to_unix_seconds() / SECS_PER_DAY;
        // 1970-01-01 was a Thursday; DAY_NAMES starts on Sunday.
        let wd = ((days + 4) % 7) as usize;
        let mut put_str = |at: usize, text: &str| {
            if let Some(dst) = b.get_mut(at..at + text.len()) {
                dst.copy_from_slice(text.as_bytes());
            }
        };
        put_str(0, DAY_NAMES.get(wd).copied().unwrap_or("Sun"));
        put_str(
            8,
            MONTH_NAMES
                .get(usize::from(self.month).wrapping_sub(1))
                .copied()
                .unwrap_or("Jan"),
        );
        let mut put = |at: usize, value: u16, width: usize| {
            let mut v = value;
            for i in (at..at + width).rev() {
                if let Some(slot) = b.get_mut(i) {
                    *slot = b'0' + (v % 10) as u8;
                }
                v /= 10;
            }
        };
        put(5, u16::from(self.day), 2);
        put(12, self.year, 4);
        put(17, u16::from(self.hour), 2);
        put(20, u16::from(self.minute), 2);
        put(23, u16::from(self.second), 2);
        HttpDate(b)
    }
}

const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) held inline: an HTTP `Date` header
/// value formatted without std or allocation.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HttpDate([u8; 29]);

impl HttpDate {
    /// The header value.
    pub fn as_str(&self) -> &str {
        // Only ASCII names, digits and separators are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Display for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for HttpDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HttpDate({})", self.as_str())
    }
}

/// `YYYYMMDD'T'HHMMSS'Z'` held inline: the value of the `x-amz-date` header and of the
/// `X-Amz-Date` query parameter, formatted without std.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AmzDate([u8; 16]);

impl AmzDate {
    /// The whole timestamp, e.g. `20150830T123600Z`.
    pub fn as_str(&self) -> &str {
        // Only ASCII digits, 'T' and 'Z' are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The scope date, e.g. `20150830`: the first element of the credential scope.
    pub fn date_stamp(&self) -> &str {
        self.as_str().get(..8).unwrap_or("")
    }
}

impl fmt::Display for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AmzDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AmzDate({})", self.as_str())
    }
}

const fn is_leap(y: u16) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

const fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian, by 400-year eras
/// counted from 0000-03-01 (so the leap day is the last day of a year).
const fn civil_from_days(days: u64) -> (u16, u8, u8) {
    // 719_468 days from 0000-03-01 to 1970-01-01.
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + if month <= 2 { 1 } else { 0 };
    (year as u16, month as u8, day as u8)
}

/// The inverse of [`civil_from_days`] for validated dates (year ≥ 1970).
const fn days_from_civil(year: u16, month: u8, day: u8) -> u64 {
    let y = year as u64 - if month <= 2 { 1 } else { 0 };
    let era = y / 400;
    let yoe = y % 400;
    let m = month as u64;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + day as u64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn known_instants() {
        let t = UtcTime::from_unix_seconds(1_440_938_160).unwrap();
        assert_eq!(t.amz_date().as_str(), "20150830T123600Z");
        assert_eq!(t.amz_date().date_stamp(), "20150830");
        assert_eq!(
            UtcTime::from_unix_seconds(0).unwrap().amz_date().as_str(),
            "19700101T000000Z"
        );
        // A leap day and the last second of a leap year.
        let leap = UtcTime::new(2024, 2, 29, 23, 59, 59).unwrap();
        assert_eq!(leap.to_unix_seconds(), 1_709_251_199);
        assert_eq!(UtcTime::from_unix_seconds(1_709_251_199), Some(leap));
        assert!(UtcTime::new(2023, 2, 29, 0, 0, 0).is_none());
        assert!(UtcTime::new(2100, 2, 29, 0, 0, 0).is_none());
        assert!(UtcTime::new(2000, 2, 29, 0, 0, 0).is_some());
        assert_eq!(
            UtcTime::from_unix_seconds(MAX_UNIX)
                .unwrap()
                .amz_date()
                .as_str(),
            "99991231T235959Z"
        );
        assert!(UtcTime::from_unix_seconds(MAX_UNIX + 1).is_none());
    }

    #[test]
    fn round_trip_every_few_hours() {
        let mut s = 0u64;
        while s < MAX_UNIX {
            let t = UtcTime::from_unix_seconds(s).unwrap();
            assert_eq!(t.to_unix_seconds(), s);
            assert_eq!(UtcTime::parse_amz_date(t.amz_date().as_str()), Some(t));
            s += 3 * 86_400 + 7 * 3600 + 13 * 60 + 17;
        }
    }

    #[test]
    fn http_date_both_ways() {
        let t = UtcTime::new(1994, 11, 6, 8, 49, 37).unwrap();
        assert_eq!(t.http_date().as_str(), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            UtcTime::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(t)
        );
        assert_eq!(
            UtcTime::from_unix_seconds(0).unwrap().http_date().as_str(),
            "Thu, 01 Jan 1970 00:00:00 GMT"
        );
        let leap = UtcTime::new(2024, 2, 29, 23, 59, 59).unwrap();
        assert_eq!(leap.http_date().as_str(), "Thu, 29 Feb 2024 23:59:59 GMT");
        let mut s = 0u64;
        while s < MAX_UNIX {
            let t = UtcTime::from_unix_seconds(s).unwrap();
            assert_eq!(UtcTime::parse_http_date(t.http_date().as_str()), Some(t));
            s += 5 * 86_400 + 11 * 3600 + 7 * 60 + 3;
        }
        for bad in [
            "",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 31 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nox 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:3x GMT",
            "Sun,\u{e9}06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(UtcTime::parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn parse_rejects_malformed() {
        for bad in [
            "",
            "20150830T123600",
            "20150830 123600Z",
            "2015083OT123600Z",
            "20151330T123600Z",
            "20150830T246000Z",
            "+0150830T123600Z",
        ] {
            assert_eq!(UtcTime::parse_amz_date(bad), None, "{bad}");
        }
    }
}
