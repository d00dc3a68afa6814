//! The time zone days are counted in, as a fixed UTC offset: read from the service's
//! `BETTAFISH_TIME_ZONE` setting (`+08:00`, `-05:30`, `UTC`, `Z`), written back as `+08:00`
//! in reports, and used to turn a publication time into its calendar day.
//!
//! A fixed offset rather than a named zone (`Asia/Shanghai`): the platforms this service
//! reads are in zones without daylight saving, and an offset needs no zone database in the
//! binary. A named zone is refused with an error saying what to write instead.

use time::{Date, OffsetDateTime, UtcOffset};

/// Why a time zone setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OffsetError {
    /// Not an offset at all (a zone name, a typo).
    #[error("`{0}` is not a UTC offset: write it as +08:00, -05:30, UTC or Z")]
    Unrecognised(String),
    /// Shaped like an offset, but beyond ±14:00 or with minutes of 60 or more.
    #[error("`{0}` is outside the UTC offsets in use (-12:00 to +14:00, minutes below 60)")]
    OutOfRange(String),
}

/// `+08:00`, `-05:30`, `+00:00`: how reports and stored figures name the offset.
pub fn format_offset(offset: UtcOffset) -> String {
    let (hours, minutes, _) = offset.as_hms();
    let sign = if hours < 0 || minutes < 0 { '-' } else { '+' };
    format!(
        "{sign}{:02}:{:02}",
        hours.unsigned_abs(),
        minutes.unsigned_abs()
    )
}

/// The offset a setting names: `UTC`, `GMT` or `Z` (any case), or a sign and hours with
/// optional minutes (`+08:00`, `+0800`, `+8`, `-05:30`), optionally after `UTC`/`GMT`
/// (`UTC+8`).
///
/// Errors: [`OffsetError::Unrecognised`] for anything else (zone names included),
/// [`OffsetError::OutOfRange`] for an offset no place uses.
pub fn parse_offset(text: &str) -> Result<UtcOffset, OffsetError> {
    let trimmed = text.trim();
    let upper = trimmed.to_ascii_uppercase();
    if matches!(upper.as_str(), "UTC" | "GMT" | "Z") {
        return Ok(UtcOffset::UTC);
    }
    let unrecognised = || OffsetError::Unrecognised(trimmed.to_owned());
    let signed = upper
        .strip_prefix("UTC")
        .or_else(|| upper.strip_prefix("GMT"))
        .unwrap_or(&upper);
    let (negative, digits) = match signed.as_bytes().first() {
        Some(b'+') => (false, &signed[1..]),
        Some(b'-') => (true, &signed[1..]),
        _ => return Err(unrecognised()),
    };
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let number = |part: &str| {
        (!part.is_empty() && part.len() <= 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i8>().ok())
            .flatten()
    };
    let (Some(hours), Some(minutes)) = (number(hours), number(minutes)) else {
        return Err(unrecognised());
    };
    let out_of_range = || OffsetError::OutOfRange(trimmed.to_owned());
    let too_far = if negative { hours > 12 } else { hours > 14 };
    if too_far
        || minutes >= 60
        || (hours == 14 && minutes > 0)
        || (hours == 12 && negative && minutes > 0)
    {
        return Err(out_of_range());
    }
    let (hours, minutes) = if negative {
        (-hours, -minutes)
    } else {
        (hours, minutes)
    };
    UtcOffset::from_hms(hours, minutes, 0).map_err(|_| out_of_range())
}

/// The calendar date at `offset` of a time in epoch milliseconds; `None` for a time outside
/// what the calendar library represents.
pub fn date_of_ms(ms: i64, offset: UtcOffset) -> Option<Date> {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok()?;
    Some(at.checked_to_offset(offset)?.date())
}

/// A date as `YYYY-MM-DD`.
pub fn iso_day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The calendar day (`YYYY-MM-DD`) at `offset` of a time in epoch milliseconds; `None` for a
/// time outside what the calendar library represents.
pub fn day_of_ms(ms: i64, offset: UtcOffset) -> Option<String> {
    date_of_ms(ms, offset).map(iso_day)
}

#[cfg(test)]
mod tests {
    //! Settings read, refused, and written back; days change at local midnight.
    use super::*;

    #[test]
    fn offsets_are_read_in_every_usual_spelling() {
        let east8 = UtcOffset::from_hms(8, 0, 0).unwrap();
        for text in [
            "+08:00",
            "+0800",
            "+8",
            "+08",
            "UTC+8",
            "utc+08:00",
            " +08:00 ",
        ] {
            assert_eq!(parse_offset(text), Ok(east8), "{text}");
        }
        for text in ["UTC", "utc", "Z", "z", "GMT", "+00:00", "-00:00"] {
            assert_eq!(parse_offset(text), Ok(UtcOffset::UTC), "{text}");
        }
        assert_eq!(
            parse_offset("-05:30"),
            Ok(UtcOffset::from_hms(-5, -30, 0).unwrap())
        );
        assert_eq!(
            parse_offset("+05:45"),
            Ok(UtcOffset::from_hms(5, 45, 0).unwrap())
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        for text in [
            "Asia/Shanghai",
            "",
            "08:00",
            "+8h",
            "+",
            "+123",
            "CST",
            "+08:0x",
        ] {
            assert!(
                matches!(parse_offset(text), Err(OffsetError::Unrecognised(_))),
                "{text}"
            );
        }
        for text in ["+15:00", "-13:00", "+08:60", "+14:30"] {
            assert!(
                matches!(parse_offset(text), Err(OffsetError::OutOfRange(_))),
                "{text}"
            );
        }
        let message = parse_offset("Asia/Shanghai").unwrap_err().to_string();
        assert!(message.contains("+08:00"), "{message}");
    }

    #[test]
    fn offsets_are_written_back_as_read() {
        for text in ["+08:00", "-05:30", "+00:00", "+14:00", "-12:00", "+05:45"] {
            assert_eq!(format_offset(parse_offset(text).unwrap()), text);
        }
        assert_eq!(format_offset(parse_offset("UTC").unwrap()), "+00:00");
    }

    #[test]
    fn a_day_begins_at_local_midnight() {
        // 2026-11-11T16:30:00Z is already the 12th in China and still the 11th in UTC.
        let ms = 1_794_414_600_000;
        assert_eq!(day_of_ms(ms, UtcOffset::UTC).as_deref(), Some("2026-11-11"));
        let east8 = parse_offset("+08:00").unwrap();
        assert_eq!(day_of_ms(ms, east8).as_deref(), Some("2026-11-12"));
        assert_eq!(day_of_ms(i64::MAX, east8), None);
    }
}
