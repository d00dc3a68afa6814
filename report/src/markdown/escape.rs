//! Escaping for Markdown (CommonMark and GitHub's tables): text from the document shown as
//! text, and URLs made safe as link targets.

use crate::html::escape::http_url;

/// The characters that can start Markdown or HTML anywhere in a line (`#` only starts a
/// heading at a block's start: [`escape_block_start`]).
const SPECIAL: &[char] = &['\\', '`', '*', '_', '[', ']', '<', '>', '|', '~', '&'];

/// `text` with Markdown's special characters backslash-escaped and line breaks turned into
/// spaces, safe inside a paragraph, a heading, a list item or a table cell.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' | '\r' => {
                if !out.ends_with(' ') {
                    out.push(' ');
                }
            }
            c if SPECIAL.contains(&c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `line` (already escaped) safe at the start of a block: without leading spaces (four make
/// a code block), and with a backslash before what would start a list or a setext heading
/// there (`- `, `+ `, `= `, `#`, `1. `, `1) `).
pub(super) fn escape_block_start(line: &str) -> String {
    let line = line.trim_start();
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker_at = if line.starts_with(['-', '+', '=', '#']) {
        Some(0)
    } else if digits > 0 && line[digits..].starts_with(['.', ')']) {
        Some(digits)
    } else {
        None
    };
    match marker_at {
        Some(at) => format!("{}\\{}", &line[..at], &line[at..]),
        None => line.to_owned(),
    }
}

/// `url` as a link target if it may be a link (see [`http_url`]), with the characters that
/// would end or break a Markdown link destination percent-encoded.
pub(super) fn link_target(url: &str) -> Option<String> {
    let url = http_url(url)?;
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '"' => out.push_str("%22"),
            '\\' => out.push_str("%5C"),
            '`' => out.push_str("%60"),
            '|' => out.push_str("%7C"),
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_characters_are_shown_not_read() {
        assert_eq!(
            escape("*a* _b_ [c](d) <i> a|b #t# ~s~ `x` \\ &amp;"),
            "\\*a\\* \\_b\\_ \\[c\\](d) \\<i\\> a\\|b #t# \\~s\\~ \\`x\\` \\\\ \\&amp;"
        );
        assert_eq!(escape("一\n\n二\r\n三"), "一 二 三");
    }

    #[test]
    fn block_starts_cannot_become_lists() {
        assert_eq!(escape_block_start("- a"), "\\- a");
        assert_eq!(escape_block_start("    12. a"), "12\\. a");
        assert_eq!(escape_block_start("3) a"), "3\\) a");
        assert_eq!(escape_block_start("2026 年"), "2026 年");
        assert_eq!(escape_block_start("= x"), "\\= x");
        assert_eq!(escape_block_start("#话题# 热议"), "\\#话题# 热议");
    }

    #[test]
    fn link_targets_are_web_urls_encoded() {
        assert_eq!(
            link_target("https://a.example/p_(1)?q=<2>").as_deref(),
            Some("https://a.example/p_%281%29?q=%3C2%3E")
        );
        assert_eq!(link_target("javascript:alert(1)"), None);
    }
}
