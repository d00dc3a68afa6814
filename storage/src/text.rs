//! Text a client may ask us to store or search: NUL and control characters are refused where
//! text comes in, because PostgreSQL refuses a NUL outright (the request failed as a database
//! error) while SQLite stores it raw, and a control character in a stored query is a trap for
//! every terminal and log that shows it later. Tab, line feed and carriage return are ordinary
//! whitespace in typed text and pass. Imported files are not refused for them: the import
//! removes NULs (see `import::mapping`).
//!
//! Showing text is a different question from storing it: line and paragraph separators
//! (U+2028/9), bidirectional embeddings, overrides and isolates (U+202A–E, U+2066–9, with the
//! marks U+200E/F and U+061C) and the BOM (U+FEFF) are storable text — a post may hold them —
//! but in a log line or on a terminal they break a line or reorder what is read, so they are
//! escaped there along with every control character ([`Escaped`], used by the service log and
//! `db import`), not refused.

use std::fmt;

/// A character text must not hold, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "control character U+{code:04X} at character {at}: NUL and control characters cannot be stored"
)]
pub struct ControlCharacter {
    /// Its position, in characters from 0.
    pub at: usize,
    /// Its code point.
    pub code: u32,
}

/// Whether `c` is refused: a C0 control other than tab, line feed and carriage return, DEL, or
/// a C1 control.
pub fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first refused character of `text`, if any.
///
/// # Errors
/// [`ControlCharacter`] for the first one.
pub fn check(text: &str) -> Result<(), ControlCharacter> {
    match text.chars().enumerate().find(|(_, c)| is_refused(*c)) {
        Some((at, c)) => Err(ControlCharacter {
            at,
            code: u32::from(c),
        }),
        None => Ok(()),
    }
}

/// Whether `c` is escaped where text is shown: a control character, a line or paragraph
/// separator, a bidirectional control, or the BOM.
pub fn is_escaped_when_shown(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{feff}'
        )
}

/// Writes `text` to `out` with every character [`is_escaped_when_shown`] escaped (`\n`, `\r`,
/// `\t`, else `\u{…}`), so it is one line that reads as written.
///
/// # Errors
/// `out`'s.
pub fn write_escaped(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    // Most text has none: pass it on in one piece.
    if !text.chars().any(is_escaped_when_shown) {
        return out.write_str(text);
    }
    let mut plain = 0;
    for (at, c) in text.char_indices() {
        if !is_escaped_when_shown(c) {
            continue;
        }
        out.write_str(&text[plain..at])?;
        match c {
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            other => write!(out, "\\u{{{:x}}}", u32::from(other))?,
        }
        plain = at + c.len_utf8();
    }
    out.write_str(&text[plain..])
}

/// Text shown escaped ([`write_escaped`]): `format!("{}", Escaped(name))`.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, self.0)
    }
}

#[cfg(test)]
mod tests {
    //! Which characters are refused, and that ordinary text of any script passes; which are
    //! escaped when shown.
    use super::*;

    #[test]
    fn separators_bidi_controls_and_the_bom_are_escaped_when_shown_but_stored() {
        let text = "a\u{2028}b\u{2029}\u{202e}gnp.exe\u{2066}\u{feff}\u{1b}[2J\n舆情";
        // Storable: only controls are refused.
        assert!(check("a\u{2028}b\u{2029}\u{202e}\u{2066}\u{feff}").is_ok());
        assert_eq!(
            Escaped(text).to_string(),
            "a\\u{2028}b\\u{2029}\\u{202e}gnp.exe\\u{2066}\\u{feff}\\u{1b}[2J\\n舆情"
        );
        assert_eq!(Escaped("plain 文本\u{a0}").to_string(), "plain 文本\u{a0}");
    }

    use proptest::prelude::*;

    #[test]
    fn nul_and_controls_are_refused_whitespace_is_not() {
        assert_eq!(check("ab\0c"), Err(ControlCharacter { at: 2, code: 0 }));
        assert_eq!(check("舆情\u{1b}[31m").unwrap_err().at, 2);
        assert_eq!(check("x\u{7f}").unwrap_err().code, 0x7f);
        assert_eq!(check("\u{85}").unwrap_err().code, 0x85);
        assert!(check("马拉松\tmarathon\r\nsecond line").is_ok());
        assert!(check("").is_ok());
        let message = check("a\0").unwrap_err().to_string();
        assert!(message.contains("U+0000 at character 1"), "{message}");
    }

    proptest! {
        #[test]
        fn text_without_controls_passes_and_any_control_is_found(
            text in "[a-zA-Z0-9 电池召回，。!?]{0,20}",
            at in 0usize..21,
            control in prop_oneof![0u32..0x09, 0x0bu32..0x0d, 0x0eu32..0x20, 0x7fu32..0xa0],
        ) {
            prop_assert!(check(&text).is_ok());
            let mut chars: Vec<char> = text.chars().collect();
            let at = at.min(chars.len());
            let c = char::from_u32(control).unwrap();
            chars.insert(at, c);
            let with: String = chars.into_iter().collect();
            prop_assert_eq!(check(&with), Err(ControlCharacter { at, code: control }));
        }
    }
}
