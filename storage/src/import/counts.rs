//! Engagement counts as crawlers write them: numbers, numeric strings, and the platforms'
//! display forms (`1.2万`, `3.4w`, `10万+`, `1,234`, `2.1k`, `1亿`).

/// The count `value` stands for; None when it is not a count at all.
pub fn parse_count(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Null => Some(0),
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0)
                    .map(|f| f as i64)
            })
            .map(|n| n.max(0)),
        serde_json::Value::String(s) => parse_count_text(s),
        _ => None,
    }
}

/// As [`parse_count`], for text.
pub fn parse_count_text(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('+').trim();
    // Python's str(None) and friends, as MediaCrawler writes a count it did not get.
    if text.is_empty()
        || ["none", "null", "nan", "undefined", "-", "--"]
            .iter()
            .any(|w| text.eq_ignore_ascii_case(w))
    {
        return Some(0);
    }
    let (number, scale) = match text.char_indices().last() {
        Some((i, '万' | 'w' | 'W')) => (&text[..i], 10_000.0),
        Some((i, '亿')) => (&text[..i], 100_000_000.0),
        Some((i, 'k' | 'K' | '千')) => (&text[..i], 1_000.0),
        _ => (text, 1.0),
    };
    let number: String = number.trim().chars().filter(|c| *c != ',').collect();
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let scaled = (value * scale).round();
    (scaled.is_finite() && scaled < 9.0e18).then_some(scaled as i64)
}

#[cfg(test)]
mod tests {
    //! Display forms, and that no input panics or goes negative.
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn display_forms() {
        for (text, n) in [
            ("123", 123),
            ("1.2万", 12_000),
            ("10万+", 100_000),
            ("3.4w", 34_000),
            ("1,234", 1_234),
            ("2.1k", 2_100),
            ("1亿", 100_000_000),
            ("", 0),
            (" 7 ", 7),
            ("None", 0),
            ("null", 0),
            ("-", 0),
        ] {
            assert_eq!(parse_count_text(text), Some(n), "{text}");
        }
        for bad in ["abc", "-5", "1.2.3万", "万", "1e5"] {
            assert_eq!(parse_count_text(bad), None, "{bad}");
        }
        assert_eq!(parse_count(&json!(42)), Some(42));
        assert_eq!(parse_count(&json!(null)), Some(0));
        assert_eq!(parse_count(&json!(-3)), Some(0));
        assert_eq!(parse_count(&json!([1])), None);
    }

    proptest! {
        #[test]
        fn never_panics_or_goes_negative(text in ".{0,16}") {
            if let Some(n) = parse_count_text(&text) {
                prop_assert!(n >= 0);
            }
        }

        #[test]
        fn plain_numbers_round_trip(n in 0i64..1_000_000_000_000) {
            prop_assert_eq!(parse_count_text(&n.to_string()), Some(n));
        }
    }
}
