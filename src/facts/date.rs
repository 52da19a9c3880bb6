//! Dates as the facts format writes them: calendar dates at day, month or year precision, and (format
//! 1.1) EDTF Level 1 expressions (ISO 8601-2) with the first and last day each can mean.

use std::fmt;

/// How precisely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Precision {
    /// `YYYY`
    Year,
    /// `YYYY-MM`
    Month,
    /// `YYYY-MM-DD`
    Day,
}

/// A parsed date value: the period it names, at its precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateValue {
    /// The year, 1 to 9999.
    pub year: u16,
    /// The month, 1 to 12 (1 when the precision is a year).
    pub month: u8,
    /// The day (1 when the precision is coarser).
    pub day: u8,
    /// Which of the fields are known.
    pub precision: Precision,
}

/// Why a date value is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not one of the three layouts.
    #[error("expected a date as YYYY, YYYY-MM or YYYY-MM-DD")]
    Layout,
    /// A layout that names no real day or month.
    #[error("{0}")]
    Impossible(String),
    /// Neither a plain date nor an EDTF Level 1 expression.
    #[error("expected a date as YYYY, YYYY-MM or YYYY-MM-DD, or an EDTF Level 1 date such as 2021-10~, 199X or 2021-10-18/2021-10-22")]
    Edtf,
    /// An interval whose end lies wholly before its start.
    #[error("the interval ends ({end}) before it starts ({start})")]
    Reversed {
        /// The start as written.
        start: String,
        /// The end as written.
        end: String,
    },
}

/// A day as (year, month, day).
pub type Day = (u16, u8, u8);

/// A date value of the facts format with its bounds: the first and the last day it can mean.
///
/// Plain dates are their own period ("2014": 2014-01-01 to 2014-12-31). EDTF Level 1 adds intervals
/// ("2021-10-18/2021-10-22"), open and unknown ends ("2019/..", "/2021": that bound is `None`),
/// unspecified digits ("199X": 1990 to 1999; "2004-XX"; "1985-04-XX"), seasons ("2021-21" to
/// "2021-24": spring March to May, summer June to August, autumn September to November, winter
/// December to February of the next year, as meteorologists count them in the northern hemisphere)
/// and the qualifiers `?` (uncertain), `~` (approximate) and `%` (both) on a date or an interval's
/// end. A qualifier does not widen the bounds: they are those of the value as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dating {
    /// The plain date, when the value is one (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`).
    pub plain: Option<DateValue>,
    /// The first day the value can mean; `None` for an interval whose start is open or unknown.
    pub earliest: Option<Day>,
    /// The last day the value can mean; `None` for an interval whose end is open or unknown.
    pub latest: Option<Day>,
}

impl Dating {
    /// Parses a plain date or an EDTF Level 1 expression, refusing impossible days, months and
    /// seasons and intervals that end before they start.
    pub fn parse(value: &str) -> Result<Dating, DateError> {
        match DateValue::parse(value) {
            Ok(plain) => return Ok(Dating { plain: Some(plain), earliest: Some(plain.earliest()), latest: Some(plain.latest()) }),
            Err(DateError::Layout) => {}
            // "YYYY-21" to "YYYY-24" are seasons.
            Err(DateError::Impossible(_)) if value.len() == 7 => {}
            Err(error) => return Err(error),
        }
        let Some((from, to)) = value.split_once('/') else {
            let (earliest, latest) = edtf_date(value)?;
            return Ok(Dating { plain: None, earliest: Some(earliest), latest: Some(latest) });
        };
        let end_of_interval = |side: &str| match side {
            "" | ".." => Ok(None),
            _ => edtf_date(side).map(Some),
        };
        let (start, end) = (end_of_interval(from)?, end_of_interval(to)?);
        match (start, end) {
            (None, None) => Err(DateError::Edtf),
            (Some((earliest, _)), Some((_, latest))) if earliest > latest => {
                Err(DateError::Reversed { start: from.to_string(), end: to.to_string() })
            }
            _ => Ok(Dating { plain: None, earliest: start.map(|s| s.0), latest: end.map(|e| e.1) }),
        }
    }
}

/// A day as `YYYY-MM-DD`, the lexical form of `xsd:date`.
pub fn day_string((year, month, day): Day) -> String {
    format!("{year:04}-{month:02}-{day:02}")
}

/// The bounds of one EDTF Level 1 date (not an interval): `YYYY[-MM[-DD]]` with unspecified
/// digits (`X`) or a season for the month, then an optional qualifier.
fn edtf_date(value: &str) -> Result<(Day, Day), DateError> {
    let body = value.strip_suffix(['?', '~', '%']).unwrap_or(value);
    let digits = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
    let unspecified = |part: &str| part == "XX";
    let parts: Vec<&str> = body.split('-').collect();
    let year_of = |part: &str| -> Result<u16, DateError> {
        let year: u16 = part.parse().map_err(|_| DateError::Edtf)?;
        if year == 0 {
            return Err(DateError::Impossible("there is no year 0000".into()));
        }
        Ok(year)
    };
    let whole_year = |year: u16| ((year, 1, 1), (year, 12, 31));
    match parts.as_slice() {
        // "199X", "19XX", "1XXX": digits unspecified from the right.
        [y] if y.len() == 4 && y.contains('X') => {
            let known = y.trim_end_matches('X');
            if known.is_empty() || !known.bytes().all(|b| b.is_ascii_digit()) {
                return Err(DateError::Edtf);
            }
            let scale = 10u16.pow((4 - known.len()) as u32);
            let first: u16 = known.parse::<u16>().map_err(|_| DateError::Edtf)? * scale;
            Ok(((first.max(1), 1, 1), (first + scale - 1, 12, 31)))
        }
        [y] if digits(y, 4) => Ok(whole_year(year_of(y)?)),
        [y, m] if digits(y, 4) && unspecified(m) => Ok(whole_year(year_of(y)?)),
        [y, m] if digits(y, 4) && digits(m, 2) => {
            let year = year_of(y)?;
            match m.parse::<u8>().map_err(|_| DateError::Edtf)? {
                month @ 1..=12 => Ok(((year, month, 1), (year, month, days_in_month(year, month)))),
                21 => Ok(((year, 3, 1), (year, 5, 31))),
                22 => Ok(((year, 6, 1), (year, 8, 31))),
                23 => Ok(((year, 9, 1), (year, 11, 30))),
                24 if year < 9999 => Ok(((year, 12, 1), (year + 1, 2, days_in_month(year + 1, 2)))),
                month => Err(DateError::Impossible(format!("month {month:02} does not exist (the seasons are 21 to 24)"))),
            }
        }
        [y, m, d] if digits(y, 4) && unspecified(m) && unspecified(d) => Ok(whole_year(year_of(y)?)),
        [y, m, d] if digits(y, 4) && digits(m, 2) && unspecified(d) => {
            let month = DateValue::parse(&format!("{y}-{m}"))?;
            Ok((month.earliest(), month.latest()))
        }
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let day = DateValue::parse(body)?;
            Ok((day.earliest(), day.latest()))
        }
        _ => Err(DateError::Edtf),
    }
}

impl DateValue {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, refusing impossible months and days.
    pub fn parse(value: &str) -> Result<DateValue, DateError> {
        let digits = |part: &str, len: usize| part.len() == len && part.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = value.split('-').collect();
        let (year, month, day, precision) = match parts.as_slice() {
            [y] if digits(y, 4) => (y, None, None, Precision::Year),
            [y, m] if digits(y, 4) && digits(m, 2) => (y, Some(m), None, Precision::Month),
            [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => (y, Some(m), Some(d), Precision::Day),
            _ => return Err(DateError::Layout),
        };
        let year: u16 = year.parse().map_err(|_| DateError::Layout)?;
        if year == 0 {
            return Err(DateError::Impossible("there is no year 0000".into()));
        }
        let month: u8 = month.map_or(Ok(1), |m| m.parse()).map_err(|_| DateError::Layout)?;
        if !(1..=12).contains(&month) {
            return Err(DateError::Impossible(format!("month {month:02} does not exist")));
        }
        let day: u8 = day.map_or(Ok(1), |d| d.parse()).map_err(|_| DateError::Layout)?;
        let last = days_in_month(year, month);
        if day == 0 || day > last {
            return Err(DateError::Impossible(format!(
                "{} {year} has {last} days",
                MONTHS[usize::from(month) - 1]
            )));
        }
        Ok(DateValue { year, month, day, precision })
    }

    /// The first day of the period, as (year, month, day).
    pub fn earliest(&self) -> (u16, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// The last day of the period, as (year, month, day).
    pub fn latest(&self) -> (u16, u8, u8) {
        match self.precision {
            Precision::Year => (self.year, 12, 31),
            Precision::Month => (self.year, self.month, days_in_month(self.year, self.month)),
            Precision::Day => (self.year, self.month, self.day),
        }
    }

    /// The XML Schema datatype local name for this precision: `gYear`, `gYearMonth` or `date`.
    pub fn xsd_type(&self) -> &'static str {
        match self.precision {
            Precision::Year => "gYear",
            Precision::Month => "gYearMonth",
            Precision::Day => "date",
        }
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.precision {
            Precision::Year => write!(f, "{:04}", self.year),
            Precision::Month => write!(f, "{:04}-{:02}", self.year, self.month),
            Precision::Day => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
];

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_precisions() {
        assert_eq!(DateValue::parse("2014").unwrap().precision, Precision::Year);
        assert_eq!(DateValue::parse("2021-10").unwrap().latest(), (2021, 10, 31));
        assert_eq!(DateValue::parse("2020-02-29").unwrap().to_string(), "2020-02-29");
    }

    #[test]
    fn refuses_impossible_dates() {
        assert_eq!(
            DateValue::parse("2021-02-29").unwrap_err().to_string(),
            "February 2021 has 28 days"
        );
        assert_eq!(DateValue::parse("2021-13").unwrap_err().to_string(), "month 13 does not exist");
        assert_eq!(DateValue::parse("21 Oct 2021"), Err(DateError::Layout));
        assert_eq!(DateValue::parse("2021-1-5"), Err(DateError::Layout));
    }

    fn bounds(value: &str) -> (Option<String>, Option<String>) {
        let dating = Dating::parse(value).unwrap();
        (dating.earliest.map(day_string), dating.latest.map(day_string))
    }

    fn both(earliest: &str, latest: &str) -> (Option<String>, Option<String>) {
        (Some(earliest.to_string()), Some(latest.to_string()))
    }

    #[test]
    fn plain_dates_are_their_own_period() {
        assert_eq!(bounds("2014"), both("2014-01-01", "2014-12-31"));
        assert_eq!(bounds("2020-02"), both("2020-02-01", "2020-02-29"));
        assert_eq!(bounds("2021-10-21"), both("2021-10-21", "2021-10-21"));
        assert!(Dating::parse("2021-10").unwrap().plain.is_some());
        assert!(Dating::parse("2021-10~").unwrap().plain.is_none());
    }

    #[test]
    fn edtf_level_1_has_bounds() {
        assert_eq!(bounds("2021-10-18/2021-10-22"), both("2021-10-18", "2021-10-22"));
        assert_eq!(bounds("2020~"), both("2020-01-01", "2020-12-31"));
        assert_eq!(bounds("2021-10?"), both("2021-10-01", "2021-10-31"));
        assert_eq!(bounds("2004-06-11%"), both("2004-06-11", "2004-06-11"));
        assert_eq!(bounds("199X"), both("1990-01-01", "1999-12-31"));
        assert_eq!(bounds("19XX"), both("1900-01-01", "1999-12-31"));
        assert_eq!(bounds("0XXX"), both("0001-01-01", "0999-12-31"));
        assert_eq!(bounds("2004-XX"), both("2004-01-01", "2004-12-31"));
        assert_eq!(bounds("1985-04-XX"), both("1985-04-01", "1985-04-30"));
        assert_eq!(bounds("1985-XX-XX"), both("1985-01-01", "1985-12-31"));
        assert_eq!(bounds("2001-21"), both("2001-03-01", "2001-05-31"));
        assert_eq!(bounds("2019-24"), both("2019-12-01", "2020-02-29"));
        assert_eq!(bounds("1990/2003~"), both("1990-01-01", "2003-12-31"));
        assert_eq!(bounds("2020-09~/2020-12"), both("2020-09-01", "2020-12-31"));
        assert_eq!(bounds("2019/.."), (Some("2019-01-01".into()), None));
        assert_eq!(bounds("/2021-10"), (None, Some("2021-10-31".into())));
    }

    #[test]
    fn refuses_malformed_impossible_and_reversed_edtf() {
        let error = |value: &str| Dating::parse(value).unwrap_err().to_string();
        assert_eq!(error("2021-02-30~"), "February 2021 has 28 days");
        assert_eq!(error("2021-25"), "month 25 does not exist (the seasons are 21 to 24)");
        assert_eq!(error("2021-10-22/2021-10-18"), "the interval ends (2021-10-18) before it starts (2021-10-22)");
        for malformed in ["XXXX", "19X5", "1985-XX-12", "199X-10", "../..", "/", "2021~~", "2021-10-18/2021/2022", "early 2000s", "Y170000002", "-0100"] {
            assert_eq!(Dating::parse(malformed), Err(DateError::Edtf), "{malformed}");
        }
        assert_eq!(error("0000~"), "there is no year 0000");
    }
}
