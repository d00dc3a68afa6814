//! Times as the schema keeps them: epoch milliseconds, and calendar days as ISO text
//! (`YYYY-MM-DD`). Crawled files give times in several shapes; [`parse_time`] reads them.

use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

/// China's offset: MediaCrawler's text times carry no zone and are local to the platforms.
const CHINA: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(offset) => offset,
    Err(_) => UtcOffset::UTC,
};

/// Now, in epoch milliseconds.
pub fn now_ms() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The ISO day (UTC) `days` before today.
pub fn days_ago(days: u32) -> String {
    iso_day(OffsetDateTime::now_utc().date() - Duration::days(i64::from(days)))
}

/// The epoch milliseconds at the start (UTC) of the day `days` before today.
pub fn days_ago_ms(days: u32) -> i64 {
    let day = OffsetDateTime::now_utc().date() - Duration::days(i64::from(days));
    day.midnight().assume_utc().unix_timestamp() * 1000
}

/// The ISO day (UTC) of epoch milliseconds.
pub fn day_of_ms(ms: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(|t| iso_day(t.date()))
}

fn iso_day(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// Whether `text` is an ISO day (`2026-11-12`).
pub fn is_iso_day(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && parse_time(&format!("{text} 00:00:00")).is_some()
}

/// A time in any shape the crawlers write, as epoch milliseconds:
/// - epoch numbers (or numeric strings): seconds below 10^11, else milliseconds;
/// - RFC 3339 (`2026-11-12T08:15:00+08:00`);
/// - `YYYY-MM-DD HH:MM[:SS]` and `YYYY-MM-DD`, read as China time.
pub fn parse_time(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if let Ok(n) = text.parse::<i64>() {
        return epoch(n);
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Some((t.unix_timestamp_nanos() / 1_000_000) as i64);
    }
    let formats: [&[time::format_description::FormatItem<'_>]; 3] = [
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]"),
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]"),
    ];
    for format in formats {
        if let Ok(t) = PrimitiveDateTime::parse(text, format) {
            return Some(t.assume_offset(CHINA).unix_timestamp() * 1000);
        }
    }
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
    .map(|d| d.midnight().assume_offset(CHINA).unix_timestamp() * 1000)
}

/// An epoch number in seconds, milliseconds, microseconds or nanoseconds (told apart by
/// size: any of them for a date between 1973 and 5138), as milliseconds.
pub fn epoch(n: i64) -> Option<i64> {
    match n {
        ..=0 => None,
        1..=99_999_999_999 => n.checked_mul(1000),
        100_000_000_000..=99_999_999_999_999 => Some(n),
        100_000_000_000_000..=99_999_999_999_999_999 => Some(n / 1000),
        _ => Some(n / 1_000_000),
    }
}

/// Epoch milliseconds as an RFC 3339 time in UTC (the number itself when out of range).
pub fn iso_of_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

#[cfg(test)]
mod tests {
    //! The shapes crawlers write, and that nothing makes the parser panic.
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_every_shape() {
        let expected = 1_762_906_500_000; // 2025-11-12T00:15:00Z
        assert_eq!(parse_time("2025-11-12T08:15:00+08:00"), Some(expected));
        assert_eq!(parse_time("2025-11-12 08:15:00"), Some(expected));
        assert_eq!(parse_time("2025-11-12 08:15"), Some(expected));
        assert_eq!(parse_time("1762906500"), Some(expected));
        assert_eq!(parse_time("1762906500000"), Some(expected));
        assert_eq!(parse_time(" 1762906500000 "), Some(expected));
        assert_eq!(
            parse_time("2025-11-12"),
            Some(expected - 8 * 3_600_000 - 15 * 60_000)
        );
        assert_eq!(parse_time("yesterday"), None);
        assert_eq!(parse_time("-5"), None);
        assert_eq!(
            parse_time("1762906500000000"),
            Some(expected),
            "microseconds"
        );
        assert_eq!(
            parse_time("1762906500000000000"),
            Some(expected),
            "nanoseconds"
        );
        assert_eq!(day_of_ms(expected).as_deref(), Some("2025-11-12"));
        assert!(is_iso_day("2026-02-28"));
        assert!(!is_iso_day("2026-02-30"));
        assert!(!is_iso_day("2026-2-28"));
    }

    proptest! {
        #[test]
        fn never_panics(text in ".{0,40}") {
            let _ = parse_time(&text);
            let _ = is_iso_day(&text);
        }
    }
}
