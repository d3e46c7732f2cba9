//! Certificate validity times (RFC 5280 §4.1.2.5): UTCTime `YYMMDDHHMMSSZ` for years
//! 1950–2049, GeneralizedTime `YYYYMMDDHHMMSSZ` from 2050 on, always UTC with seconds.

use super::Error;
use super::der::{Writer, tag};

/// The latest time RFC 5280 lets a certificate say: 9999-12-31 23:59:59 UTC, "no
/// well-defined expiration date".
pub(crate) const MAX_UNIX: u64 = 253_402_300_799;

/// A calendar date and time of day in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Civil {
    pub(crate) year: u32,
    pub(crate) month: u32,
    pub(crate) day: u32,
    pub(crate) hour: u32,
    pub(crate) minute: u32,
    pub(crate) second: u32,
}

/// Unix seconds (clamped to [`MAX_UNIX`]) as a proleptic Gregorian date: days since
/// 1970-01-01 are split into 400-year eras of 146 097 days, counted from March so the leap
/// day falls at the end of a year.
pub(crate) fn civil(unix: u64) -> Civil {
    let unix = unix.min(MAX_UNIX);
    let days = unix / 86_400;
    let secs = unix % 86_400;
    // Days since 0000-03-01 (719 468 days before 1970-01-01).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097; // day of era, 0..=146096
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // 0..=399
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of March-based year, 0..=365
    let mp = (5 * doy + 2) / 153; // March = 0
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    // Every value is bounded by the clamp above (year ≤ 9999): the casts cannot truncate.
    let small = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
    Civil {
        year: small(year),
        month: small(month),
        day: small(day),
        hour: small(secs / 3_600),
        minute: small(secs / 60 % 60),
        second: small(secs % 60),
    }
}

/// Writes `unix` as a `Time` CHOICE, picking UTCTime or GeneralizedTime by year.
pub(crate) fn write_time(w: &mut Writer<'_>, unix: u64) -> Result<(), Error> {
    let c = civil(unix);
    let mut text = [0u8; 15];
    let mut n = 0;
    let mut put = |v: u32, digits: u32| {
        let mut div = 10u32.pow(digits - 1);
        for _ in 0..digits {
            if let Some(slot) = text.get_mut(n) {
                // `v / div % 10` is a single decimal digit.
                *slot = b'0' + u8::try_from(v / div % 10).unwrap_or(0);
            }
            n += 1;
            div /= 10;
        }
    };
    let tag = if (1950..2050).contains(&c.year) {
        put(c.year % 100, 2);
        tag::UTC_TIME
    } else {
        put(c.year, 4);
        tag::GENERALIZED_TIME
    };
    put(c.month, 2);
    put(c.day, 2);
    put(c.hour, 2);
    put(c.minute, 2);
    put(c.second, 2);
    let mut content = [0u8; 15];
    let len = n + 1;
    content
        .get_mut(..n)
        .ok_or(Error::BufferTooSmall)?
        .copy_from_slice(text.get(..n).ok_or(Error::BufferTooSmall)?);
    *content.get_mut(n).ok_or(Error::BufferTooSmall)? = b'Z';
    w.tlv(tag, content.get(..len).ok_or(Error::BufferTooSmall)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(unix: u64) -> std::string::String {
        let mut buf = [0u8; 32];
        let mut w = Writer::new(&mut buf);
        write_time(&mut w, unix).unwrap();
        let out = w.written();
        std::format!(
            "{:02x}:{}",
            out[0],
            core::str::from_utf8(&out[2..]).unwrap()
        )
    }

    #[test]
    fn known_dates() {
        assert_eq!(text(0), "17:700101000000Z");
        assert_eq!(text(951_782_400), "17:000229000000Z"); // 2000 is a leap year
        assert_eq!(text(1_709_251_199), "17:240229235959Z");
        assert_eq!(text(2_524_607_999), "17:491231235959Z");
        assert_eq!(text(2_524_608_000), "18:20500101000000Z");
        assert_eq!(text(4_107_542_400), "18:21000301000000Z"); // 2100 is not a leap year
        assert_eq!(text(MAX_UNIX), "18:99991231235959Z");
        assert_eq!(text(u64::MAX), "18:99991231235959Z");
    }
}
