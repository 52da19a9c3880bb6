//! Calendar dates at day, month or year precision, as the facts format writes them.

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
}
