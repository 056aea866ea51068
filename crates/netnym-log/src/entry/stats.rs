//! The daily statistics entry: counts only, never personal data (LOG-002).

use std::collections::BTreeMap;

use super::Reader;
use crate::error::EntryDecodeError;

/// Longest refusal reason code, in bytes.
pub const MAX_REASON_LEN: usize = 32;
/// Most distinct refusal reasons in one day's entry.
pub const MAX_REASONS: usize = 64;

fn invalid(field: &'static str, reason: impl Into<String>) -> EntryDecodeError {
    EntryDecodeError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// A calendar date (proleptic Gregorian, years 1970..=9999), written `YYYY-MM-DD`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A valid date.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) for a year outside 1970..=9999 or a day that
    /// does not exist.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, EntryDecodeError> {
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(invalid("date", format!("{year}-{month} out of range")));
        }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if !(1..=days).contains(&day) {
            return Err(invalid(
                "date",
                format!("{year}-{month}-{day} does not exist"),
            ));
        }
        Ok(Self { year, month, day })
    }

    /// Parse `YYYY-MM-DD`.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) unless `text` is that form of a valid date.
    pub fn parse(text: &str) -> Result<Self, EntryDecodeError> {
        let b = text.as_bytes();
        let digits = |r: core::ops::Range<usize>| {
            b[r.clone()]
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| text[r].parse::<u16>().ok())
                .flatten()
        };
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(invalid("date", "not YYYY-MM-DD"));
        }
        match (digits(0..4), digits(5..7), digits(8..10)) {
            (Some(y), Some(m), Some(d)) => Self::new(
                y,
                u8::try_from(m).unwrap_or(0),
                u8::try_from(d).unwrap_or(0),
            ),
            _ => Err(invalid("date", "not YYYY-MM-DD")),
        }
    }

    /// The year.
    #[must_use]
    pub fn year(&self) -> u16 {
        self.year
    }
    /// The month (1..=12).
    #[must_use]
    pub fn month(&self) -> u8 {
        self.month
    }
    /// The day of the month.
    #[must_use]
    pub fn day(&self) -> u8 {
        self.day
    }
}

impl core::fmt::Display for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl core::fmt::Debug for Date {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Date({self})")
    }
}

/// A refusal reason code: 1 to [`MAX_REASON_LEN`] bytes of `[a-z0-9-]`, starting with a letter
/// or digit (for example `document-expired`). Codes are defined by the authority's enrollment
/// procedure; the log only counts them.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReasonCode(String);

impl ReasonCode {
    /// A valid code.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) otherwise.
    pub fn new(code: &str) -> Result<Self, EntryDecodeError> {
        let ok_char = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
        let b = code.as_bytes();
        if b.is_empty()
            || b.len() > MAX_REASON_LEN
            || b[0] == b'-'
            || !b.iter().copied().all(ok_char)
        {
            return Err(invalid(
                "refusals",
                format!("reason code {code:?} is not 1..={MAX_REASON_LEN} of [a-z0-9-]"),
            ));
        }
        Ok(Self(code.to_owned()))
    }
    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for ReasonCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl core::fmt::Debug for ReasonCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "ReasonCode({})", self.0)
    }
}

/// Refusal counts by reason: each present reason has a count of at least 1 (a reason with no
/// refusal is absent), at most [`MAX_REASONS`] reasons, encoded in increasing byte order of the
/// code.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RefusalCounts(BTreeMap<ReasonCode, u64>);

impl RefusalCounts {
    /// No refusals.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the count for `reason`; a count of 0 removes it.
    ///
    /// # Errors
    /// [`EntryDecodeError::InvalidField`] (LOG-002) when a new reason would exceed
    /// [`MAX_REASONS`].
    pub fn set(&mut self, reason: ReasonCode, count: u64) -> Result<(), EntryDecodeError> {
        if count == 0 {
            self.0.remove(&reason);
            return Ok(());
        }
        if !self.0.contains_key(&reason) && self.0.len() >= MAX_REASONS {
            return Err(invalid(
                "refusals",
                format!("more than {MAX_REASONS} reasons"),
            ));
        }
        self.0.insert(reason, count);
        Ok(())
    }

    /// The count for `reason` (0 if absent).
    #[must_use]
    pub fn get(&self, reason: &ReasonCode) -> u64 {
        self.0.get(reason).copied().unwrap_or(0)
    }

    /// The reasons and counts, in increasing order of the code.
    pub fn iter(&self) -> impl Iterator<Item = (&ReasonCode, u64)> {
        self.0.iter().map(|(r, c)| (r, *c))
    }

    /// How many distinct reasons.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there was no refusal.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sum of all counts (saturating).
    #[must_use]
    pub fn total(&self) -> u64 {
        self.0.values().fold(0u64, |a, c| a.saturating_add(*c))
    }
}

impl core::fmt::Debug for RefusalCounts {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(r, c)| (r.as_str(), c)))
            .finish()
    }
}

/// One day's public counts (LOG-002): enrollments, refusals by reason code, revocations and
/// re-enrollments. Counts only; never personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyStatistics {
    /// The day counted (the authority's calendar day).
    pub date: Date,
    /// Credentials issued to citizens enrolling for the first time.
    pub enrollments: u64,
    /// Enrollments refused, by reason.
    pub refusals: RefusalCounts,
    /// Credentials revoked.
    pub revocations: u64,
    /// Re-enrollments (a new credential replacing a revoked one of the same citizen).
    pub re_enrollments: u64,
}

impl DailyStatistics {
    pub(super) fn encode_into(&self, w: &mut Vec<u8>) {
        w.extend_from_slice(&self.date.year.to_be_bytes());
        w.push(self.date.month);
        w.push(self.date.day);
        w.extend_from_slice(&self.enrollments.to_be_bytes());
        // At most MAX_REASONS (< 2^16) reasons of at most MAX_REASON_LEN (< 2^8) bytes.
        let n = u16::try_from(self.refusals.len()).unwrap_or(u16::MAX);
        w.extend_from_slice(&n.to_be_bytes());
        for (reason, count) in self.refusals.iter() {
            w.push(u8::try_from(reason.as_str().len()).unwrap_or(u8::MAX));
            w.extend_from_slice(reason.as_str().as_bytes());
            w.extend_from_slice(&count.to_be_bytes());
        }
        w.extend_from_slice(&self.revocations.to_be_bytes());
        w.extend_from_slice(&self.re_enrollments.to_be_bytes());
    }

    pub(super) fn decode_from(r: &mut Reader<'_>) -> Result<Self, EntryDecodeError> {
        let year = r.u16("date")?;
        let month = r.u8("date")?;
        let day = r.u8("date")?;
        let date = Date::new(year, month, day)?;
        let enrollments = r.u64("enrollments")?;
        let n = usize::from(r.u16("refusals")?);
        if n > MAX_REASONS {
            return Err(invalid("refusals", format!("{n} reasons > {MAX_REASONS}")));
        }
        let mut refusals = RefusalCounts::new();
        let mut previous: Option<ReasonCode> = None;
        for _ in 0..n {
            let len = usize::from(r.u8("refusals")?);
            let text = core::str::from_utf8(r.take("refusals", len)?)
                .map_err(|_| invalid("refusals", "reason code is not UTF-8"))?;
            let reason = ReasonCode::new(text)?;
            if previous.as_ref().is_some_and(|p| *p >= reason) {
                return Err(invalid(
                    "refusals",
                    "reason codes not in strictly increasing order",
                ));
            }
            let count = r.u64("refusals")?;
            if count == 0 {
                return Err(invalid("refusals", format!("count 0 for {reason}")));
            }
            refusals.0.insert(reason.clone(), count);
            previous = Some(reason);
        }
        Ok(Self {
            date,
            enrollments,
            refusals,
            revocations: r.u64("revocations")?,
            re_enrollments: r.u64("re_enrollments")?,
        })
    }
}
