//! The JSON plumbing the control-plane shapes share: a depth guard and strict entry point
//! over `serde-json-core`, bounded lists, the epoch-seconds timestamp, and a string
//! writer with JSON escaping.

use core::fmt::{self, Write};
use core::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, SeqAccess, Visitor};

use super::ApiError;

/// How deeply a control-plane body may nest objects and arrays. The deepest real shape
/// (`IceServerList[].Uris[]`) nests four levels; the bound keeps the recursive reader's
/// stack small whatever arrives.
pub const MAX_API_JSON_DEPTH: usize = 8;

/// Parses one whole JSON document into `T` (trailing whitespace allowed, anything else
/// refused), after the depth guard.
pub(crate) fn from_body<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, ApiError> {
    check_depth(body)?;
    let (value, _) = serde_json_core::from_slice::<T>(body).map_err(|_| ApiError::Json)?;
    Ok(value)
}

/// Refuses JSON nested deeper than [`MAX_API_JSON_DEPTH`] (brackets inside strings do
/// not count).
fn check_depth(json: &[u8]) -> Result<(), ApiError> {
    if crate::json::nesting_within(json, MAX_API_JSON_DEPTH) {
        Ok(())
    } else {
        Err(ApiError::JsonTooDeep)
    }
}

/// A string field as read: refused when it holds a JSON escape or a raw control
/// character, so that the borrowed text *is* the value (see the module docs).
pub(crate) fn text<'a>(field: &'static str, s: &'a str) -> Result<&'a str, ApiError> {
    if s.bytes().any(|b| b == b'\\' || b < 0x20) {
        return Err(ApiError::EscapedString(field));
    }
    Ok(s)
}

/// [`text`] on an optional field.
pub(crate) fn opt_text<'a>(
    field: &'static str,
    s: Option<&'a str>,
) -> Result<Option<&'a str>, ApiError> {
    s.map(|s| text(field, s)).transpose()
}

/// A required string field.
pub(crate) fn req_text<'a>(field: &'static str, s: Option<&'a str>) -> Result<&'a str, ApiError> {
    text(field, s.ok_or(ApiError::MissingField(field))?)
}

pub(crate) use crate::json::write_string;

/// Writes `"key":` (keys are literals that never need escaping).
pub(crate) fn write_key<W: Write + ?Sized>(out: &mut W, key: &str) -> fmt::Result {
    out.write_char('"')?;
    out.write_str(key)?;
    out.write_str("\":")
}

/// Writes the separator before the next member of an object or array.
pub(crate) struct Sep(bool);

impl Sep {
    pub(crate) const fn new() -> Sep {
        Sep(false)
    }

    pub(crate) fn next<W: Write + ?Sized>(&mut self, out: &mut W) -> fmt::Result {
        if self.0 {
            out.write_char(',')?;
        }
        self.0 = true;
        Ok(())
    }
}

/// A bounded list stored inline: what the JSON arrays of the control plane become
/// without `alloc` (ICE servers, URIs, endpoints, protocols, tags).
///
/// Reading more than `N` elements does not fail the JSON parse; the list remembers it
/// overflowed and the shape's conversion reports [`ApiError::TooMany`] with the field
/// name.
#[derive(Clone, Copy)]
pub struct List<T: Copy + Default, const N: usize> {
    items: [T; N],
    len: usize,
    overflow: bool,
}

impl<T: Copy + Default, const N: usize> List<T, N> {
    /// An empty list.
    pub fn new() -> Self {
        List {
            items: [T::default(); N],
            len: 0,
            overflow: false,
        }
    }

    /// A list holding a copy of `items`; `None` when there are more than `N`.
    pub fn from_slice(items: &[T]) -> Option<Self> {
        let mut list = Self::new();
        for &item in items {
            list.push(item).ok()?;
        }
        Some(list)
    }

    /// Appends `item`, or hands it back when the list is full.
    pub fn push(&mut self, item: T) -> Result<(), T> {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                *slot = item;
                self.len += 1;
                Ok(())
            }
            None => Err(item),
        }
    }

    /// The elements.
    pub fn as_slice(&self) -> &[T] {
        self.items.get(..self.len).unwrap_or(&[])
    }

    /// Iterates over the elements.
    pub fn iter(&self) -> core::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// How many elements it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The capacity `N`.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Converts each element, refusing an overflowed list with
    /// [`ApiError::TooMany`]`{ field, max: M }`.
    pub(crate) fn convert<U: Copy + Default, const M: usize>(
        &self,
        field: &'static str,
        mut f: impl FnMut(T) -> Result<U, ApiError>,
    ) -> Result<List<U, M>, ApiError> {
        let too_many = ApiError::TooMany { field, max: M };
        if self.overflow {
            return Err(too_many);
        }
        let mut out = List::<U, M>::new();
        for &item in self.iter() {
            out.push(f(item)?).map_err(|_| too_many)?;
        }
        Ok(out)
    }
}

impl<T: Copy + Default, const N: usize> Default for List<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy + Default + PartialEq, const N: usize> PartialEq for List<T, N> {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Copy + Default + Eq, const N: usize> Eq for List<T, N> {}

impl<T: Copy + Default + fmt::Debug, const N: usize> fmt::Debug for List<T, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Copy + Default, const N: usize> IntoIterator for &'a List<T, N> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'de, T, const N: usize> Deserialize<'de> for List<T, N>
where
    T: Copy + Default + Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor<T, const N: usize>(PhantomData<T>);

        impl<'de, T, const N: usize> Visitor<'de> for ListVisitor<T, N>
        where
            T: Copy + Default + Deserialize<'de>,
        {
            type Value = List<T, N>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON array")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut list = List::<T, N>::new();
                while list.len < N {
                    match seq.next_element::<T>()? {
                        Some(item) => {
                            let _ = list.push(item);
                        }
                        None => return Ok(list),
                    }
                }
                // Full: swallow (and count as overflow) whatever else the array holds.
                while seq.next_element::<IgnoredAny>()?.is_some() {
                    list.overflow = true;
                }
                Ok(list)
            }
        }

        deserializer.deserialize_seq(ListVisitor::<T, N>(PhantomData))
    }
}

/// A point in time as the control plane sends timestamps: epoch seconds as a JSON
/// number, possibly with a fraction (`1700000000.123`). Kept as whole milliseconds so
/// that it compares exactly and re-writes to the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct EpochMillis(pub u64);

/// The largest timestamp accepted: year 9999 in milliseconds (and well within f64's
/// exact integer range, so the conversion is exact to the millisecond).
const MAX_EPOCH_MILLIS: u64 = 253_402_300_799_999;

impl EpochMillis {
    /// Whole seconds since the Unix epoch.
    pub const fn from_secs(secs: u64) -> EpochMillis {
        EpochMillis(secs.saturating_mul(1000))
    }

    /// Whole seconds (the fraction dropped).
    pub const fn secs(self) -> u64 {
        self.0 / 1000
    }

    /// Writes the JSON number: `1700000000` or `1700000000.123` (no trailing zeros).
    pub(crate) fn write<W: Write + ?Sized>(self, out: &mut W) -> fmt::Result {
        let secs = self.0 / 1000;
        let mut frac = self.0 % 1000;
        if frac == 0 {
            return write!(out, "{secs}");
        }
        let mut width = 3;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        write!(out, "{secs}.{frac:0width$}")
    }
}

/// The wire form of [`EpochMillis`]: any JSON number, checked and rounded to the
/// millisecond during conversion.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct WireEpoch(pub(crate) f64);

impl<'de> Deserialize<'de> for WireEpoch {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = WireEpoch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of epoch seconds")
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<WireEpoch, E> {
                Ok(WireEpoch(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<WireEpoch, E> {
                Ok(WireEpoch(v as f64))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<WireEpoch, E> {
                Ok(WireEpoch(v as f64))
            }
        }
        deserializer.deserialize_f64(V)
    }
}

impl WireEpoch {
    /// Milliseconds, refusing negative, non-finite and absurdly large values.
    pub(crate) fn to_millis(self, field: &'static str) -> Result<EpochMillis, ApiError> {
        let ms = self.0 * 1000.0;
        if !(ms >= 0.0 && ms <= MAX_EPOCH_MILLIS as f64) {
            return Err(ApiError::InvalidValue(field));
        }
        // Round half up without `f64::round` (not in core): ms is non-negative and small.
        Ok(EpochMillis((ms + 0.5) as u64))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::string::String;

    fn s(f: impl FnOnce(&mut String) -> fmt::Result) -> String {
        let mut out = String::new();
        f(&mut out).unwrap();
        out
    }

    #[test]
    fn escapes() {
        assert_eq!(
            s(|o| write_string(o, "a\"b\\c\nd\u{1}é")),
            "\"a\\\"b\\\\c\\nd\\u0001é\""
        );
        assert_eq!(s(|o| write_string(o, "")), "\"\"");
    }

    #[test]
    fn epoch_writes() {
        assert_eq!(s(|o| EpochMillis(1_700_000_000_000).write(o)), "1700000000");
        assert_eq!(
            s(|o| EpochMillis(1_700_000_000_120).write(o)),
            "1700000000.12"
        );
        assert_eq!(
            s(|o| EpochMillis(1_700_000_000_007).write(o)),
            "1700000000.007"
        );
        assert_eq!(
            WireEpoch(1_700_000_000.007).to_millis("t").unwrap(),
            EpochMillis(1_700_000_000_007)
        );
        assert!(WireEpoch(-1.0).to_millis("t").is_err());
        assert!(WireEpoch(f64::NAN).to_millis("t").is_err());
        assert!(WireEpoch(f64::INFINITY).to_millis("t").is_err());
    }

    #[test]
    fn depth() {
        assert!(check_depth(br#"{"a":"[[[[[[[[[[[[[[[[[[[["}"#).is_ok());
        assert_eq!(check_depth(&[b'['; 9]), Err(ApiError::JsonTooDeep));
    }
}
